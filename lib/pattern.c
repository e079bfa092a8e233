/*
 * pattern: CloudWatch Logs filter patterns (SPEC 4, 7, 8), compiled once
 * and matched against every line of a stream view or every line ingested
 * under a metric filter, so matching must stay cheap: a term is a memmem
 * over the line, nothing is allocated for lines under 4 KiB but to read a
 * JSON event, and every selector, glob and regular expression is taken
 * apart at compile time.
 *
 * The first non-blank byte picks the form: '{' a JSON pattern, '[' a
 * space-delimited one, anything else a list of terms (empty: every event).
 *
 * Values are compared as text and numbers as numbers: a condition's value
 * written as a bare number ("200", "-1.5e3") compares numerically with a
 * JSON number or a field that reads as one, and as text with anything
 * else; every other value is text, where '*' matches any run of bytes, or
 * a %regex%. The ordering operators need a number on both sides and are
 * false otherwise. A condition on a JSON selector that names nothing, or
 * names null, an object or an array, is false whatever its operator.
 *
 * Regular expressions are POSIX extended (regcomp), matched anywhere in
 * the text, plus CloudWatch's \d and \D outside bracket expressions.
 *
 * Invariant: a compiled pattern is never written after pattern_compile,
 * so one pattern may be matched from several threads at once.
 */
#include "lib/pattern.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NUMBER_MAX_BYTES 400	 /* longer than any honest number */
#define NUMBER_TEXT_MAX 32	 /* "%.17g" of any double, and its NUL */
#define NESTING_MAX 32		 /* parentheses inside parentheses */
#define SELECTOR_STEPS_MAX 64	 /* .name and [N] steps in one selector */
#define FIELDS_ON_STACK 64	 /* event fields split without malloc */
#define SHOWN_MAX 24		 /* pattern bytes quoted in a message */
#define REGEX_LINE_ON_STACK 4096 /* lines copied for regexec on the stack */
#define REGEX_NODES_MAX 2048	 /* regcomp's tree, repetitions expanded */

/* What a condition compares with. */
struct value {
	char *text;	 /* literal bytes, wildcards taken out, NUL-ended */
	size_t len;	 /* of text */
	size_t *seg_len; /* lengths of the nsegs runs of text between '*' */
	size_t nsegs;	 /* 1: no wildcard, text must be equal */
	bool is_number;	 /* written as a bare number */
	double number;
	bool is_regex; /* %regex%: regex, not text, is used */
	regex_t regex;
};

enum op {
	OP_EQ,
	OP_NE,
	OP_LT,
	OP_LE,
	OP_GT,
	OP_GE,
	OP_IS_TRUE,
	OP_IS_FALSE,
	OP_IS_NULL,
	OP_NOT_EXISTS,
};

/* One step of a JSON selector: .key, or [index] when key is NULL. */
struct step {
	const char *key; /* into the pattern's source, not NUL-ended */
	size_t key_len;
	size_t index;
};

struct cond {
	enum op op;
	struct value value;
	struct step *path; /* JSON only */
	size_t nsteps;
};

enum expr_kind { EXPR_COND, EXPR_AND, EXPR_OR };

/* A condition, or an n-ary && or || of sub-expressions. */
struct expr {
	enum expr_kind kind;
	struct cond cond;
	struct expr **kids;
	size_t nkids;
};

enum term_role { TERM_ALL, TERM_ANY, TERM_NONE };

struct term {
	enum term_role role;
	struct value value; /* literal (nsegs 1) or regex */
};

/* One comma-separated slot of a space-delimited pattern. */
struct slot {
	bool ellipsis;
	const char *name; /* into the source; NULL: unnamed */
	size_t name_len;
	struct expr *test; /* NULL: any field */
};

/* A run of slots between ellipses: it covers count adjacent fields. */
struct run {
	size_t first;
	size_t count;
};

enum pattern_form { FORM_TERMS, FORM_JSON, FORM_FIELDS };

struct pattern {
	enum pattern_form form;
	char *source; /* the pattern's text, NUL-ended; names point into it */
	struct term *terms;
	size_t nterms;
	bool has_any; /* some ?term */
	struct expr *json;
	struct slot *slots;
	size_t nslots;
	size_t nellipses;
	struct run *runs; /* nellipses + 1 of them */
	size_t nruns;
};

struct parser {
	const char *s;
	size_t len;
	size_t pos;
	struct err *err;
	int depth;
	/* While a space-delimited slot is parsed: the field it names. */
	const char *slot_name;
	size_t slot_name_len;
};

/* One field of an event, without its quotes or brackets. */
struct field {
	const char *text;
	size_t len;
};

struct field_list {
	struct field *items;
	size_t n;
	size_t cap;
	struct field stack[FIELDS_ON_STACK];
};

typedef int (*leaf_parser)(struct parser *ps, struct cond *c);
typedef bool (*leaf_test)(const struct cond *c, const void *subject);

/* ---- bytes and numbers ---- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_pattern_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

/* Event fields are split at runs of spaces and tabs. */
static bool is_field_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* A byte of a JSON selector's property name: CloudWatch's alphanumerics,
 * '-' and '_', plus a few that keys often hold, and any UTF-8 byte. */
static bool is_key_byte(char c)
{
	return is_alpha(c) || is_digit(c) || c == '_' || c == '-' || c == '@' ||
	       c == ':' || c == '#' || (unsigned char)c >= 0x80;
}

static bool is_name_byte(char c)
{
	return is_alpha(c) || is_digit(c) || c == '_';
}

static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static locale_t c_locale;

static void c_locale_init(void)
{
	c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

static double strtod_c(const char *text, char **end)
{
	pthread_once(&c_locale_once, c_locale_init);
	/* Without a C locale object the process locale is still "C": the
	 * daemon never calls setlocale. */
	if (c_locale != (locale_t)0)
		return strtod_l(text, end, c_locale);
	return strtod(text, end);
}

/*
 * Whether s[0..len) is a finite decimal number as CloudWatch writes one:
 * optional sign, digits with an optional fraction, optional exponent. No
 * blanks, hexadecimal, "inf" or "nan". Its value in *out.
 */
static bool number_from(const char *s, size_t len, double *out)
{
	char text[NUMBER_MAX_BYTES + 1];
	size_t i = 0, digits = 0, exp_digits = 0;
	char *end;
	double v;

	if (len == 0 || len > NUMBER_MAX_BYTES)
		return false;
	if (s[i] == '+' || s[i] == '-')
		i++;
	for (; i < len && is_digit(s[i]); i++)
		digits++;
	if (i < len && s[i] == '.')
		for (i++; i < len && is_digit(s[i]); i++)
			digits++;
	if (digits == 0)
		return false;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		for (; i < len && is_digit(s[i]); i++)
			exp_digits++;
		if (exp_digits == 0)
			return false;
	}
	if (i != len)
		return false;
	memcpy(text, s, len);
	text[len] = '\0';
	v = strtod_c(text, &end);
	if (end != text + len || !isfinite(v))
		return false;
	*out = v;
	return true;
}

/* The shortest text that reads back as v, for matching numbers as text:
 * integers without a fraction ("404"), others as "%g" would. */
static size_t number_text(double v, char buf[NUMBER_TEXT_MAX])
{
	int n = 0;
	int precision;

	if (fabs(v) < 1e15 && v == (double)(long long)v)
		return (size_t)snprintf(buf, NUMBER_TEXT_MAX, "%.0f", v);
	for (precision = 1; precision <= 17; precision++) {
		n = snprintf(buf, NUMBER_TEXT_MAX, "%.*g", precision, v);
		if (strtod_c(buf, NULL) == v)
			break;
	}
	return n > 0 ? (size_t)n : 0;
}

/* ---- errors ---- */

/* Quote up to SHOWN_MAX bytes of s for a message, printable ASCII only. */
static const char *show(const char *s, size_t len, char out[SHOWN_MAX + 4])
{
	size_t i, n = len < SHOWN_MAX ? len : SHOWN_MAX;

	for (i = 0; i < n; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (n < len) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
	return out;
}

static int fail(struct parser *ps, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Refuse the text: "<what> (at byte <at + 1>: <the text from there>)"
 * in ps->err, or "<what> (at the end)", and -EINVAL. Bytes are counted
 * from 1, as a user counts them, and the text there is shown because a
 * user finds a place by what it says, not by counting.
 */
static int fail(struct parser *ps, size_t at, const char *fmt, ...)
{
	char what[ERR_MSG_MAX], shown[SHOWN_MAX + 4];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (at >= ps->len)
		err_set(ps->err, "%s (at the end)", what);
	else
		err_set(ps->err, "%s (at byte %zu: %s)", what, at + 1,
			show(ps->s + at, ps->len - at, shown));
	return -EINVAL;
}

static int fail_selector(struct err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Refuse a metric filter's value selector: the message alone, since a
 * selector is short and the message quotes it. -EINVAL.
 */
static int fail_selector(struct err *err, const char *fmt, ...)
{
	char what[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	err_set(err, "%s", what);
	return -EINVAL;
}

static int fail_nomem(struct parser *ps)
{
	err_set(ps->err, "out of memory compiling the pattern");
	return -ENOMEM;
}

/* ---- lexing ---- */

static bool at_end(const struct parser *ps)
{
	return ps->pos >= ps->len;
}

/* The byte at pos, or NUL at the end (callers check at_end first where
 * a NUL byte in the pattern would matter). */
static char peek(const struct parser *ps)
{
	return at_end(ps) ? '\0' : ps->s[ps->pos];
}

static bool looking_at(const struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	return ps->len - ps->pos >= n && memcmp(ps->s + ps->pos, word, n) == 0;
}

static void skip_blanks(struct parser *ps)
{
	while (!at_end(ps) && is_pattern_blank(ps->s[ps->pos]))
		ps->pos++;
}

/* Take word (any case) at pos if no name byte follows it. */
static bool take_word(struct parser *ps, const char *word)
{
	size_t n = strlen(word), i;

	if (ps->len - ps->pos < n)
		return false;
	for (i = 0; i < n; i++) {
		char c = ps->s[ps->pos + i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c != word[i])
			return false;
	}
	if (ps->pos + n < ps->len && is_key_byte(ps->s[ps->pos + n]))
		return false;
	ps->pos += n;
	return true;
}

static bool in_set(char c, const char *set)
{
	return c != '\0' && strchr(set, c) != NULL;
}

/*
 * From the opening byte at pos, find the closing one (close), a backslash
 * taking the byte after it. Its index in *end, or a refusal naming the
 * opening byte.
 */
static int find_close(struct parser *ps, char close, size_t *end)
{
	size_t i = ps->pos + 1;

	for (; i < ps->len && ps->s[i] != close; i++)
		if (ps->s[i] == '\\' && i + 1 < ps->len)
			i++;
	if (i >= ps->len)
		return fail(ps, ps->pos, "'%c' without its closing '%c'",
			    ps->s[ps->pos], close);
	*end = i;
	return 0;
}

/* ---- values ---- */

static void value_free(struct value *v)
{
	free(v->text);
	free(v->seg_len);
	if (v->is_regex)
		regfree(&v->regex);
	memset(v, 0, sizeof(*v));
}

/*
 * Fill v with the text of raw[0..len). Quoted text takes \" \\ and \* as
 * the byte after the backslash; with wildcards, an unescaped '*' splits
 * the text into segments. 0 or -ENOMEM.
 */
static int value_set_text(struct value *v, const char *raw, size_t len,
			  bool quoted, bool wildcards)
{
	size_t i, stars = 0, seg = 0, run = 0;

	for (i = 0; i < len; i++) {
		if (quoted && raw[i] == '\\' && i + 1 < len)
			i++;
		else if (wildcards && raw[i] == '*')
			stars++;
	}
	v->text = malloc(len + 1);
	v->seg_len = calloc(stars + 1, sizeof(*v->seg_len));
	if (!v->text || !v->seg_len)
		return -ENOMEM;
	v->len = 0;
	for (i = 0; i < len; i++) {
		char c = raw[i];

		if (quoted && c == '\\' && i + 1 < len &&
		    in_set(raw[i + 1], "\"\\*")) {
			c = raw[++i];
		} else if (wildcards && c == '*') {
			v->seg_len[seg++] = run;
			run = 0;
			continue;
		}
		v->text[v->len++] = c;
		run++;
	}
	v->seg_len[seg] = run;
	v->nsegs = stars + 1;
	v->text[v->len] = '\0';
	return 0;
}

/*
 * The text of a regex written raw[0..len) as an ERE for regcomp: \% is a
 * '%', and outside bracket expressions \d and \D are [0-9] and [^0-9].
 * Malloc'd, NULL when out of memory.
 */
static char *regex_text(const char *raw, size_t len)
{
	char *out = malloc(len * 3 + 1);
	char *o = out;
	bool in_bracket = false;
	size_t i = 0;

	if (!out)
		return NULL;
	while (i < len) {
		char c = raw[i];

		if (in_bracket) {
			if (c == '[' && i + 1 < len &&
			    in_set(raw[i + 1], ":.=")) {
				/* [:digit:] and its kind run to ":]" */
				char kind = raw[i + 1];

				*o++ = raw[i++];
				*o++ = raw[i++];
				while (i < len &&
				       !(raw[i] == kind && i + 1 < len &&
					 raw[i + 1] == ']'))
					*o++ = raw[i++];
				continue;
			}
			if (c == ']')
				in_bracket = false;
			*o++ = c;
			i++;
		} else if (c == '\\' && i + 1 < len) {
			char next = raw[i + 1];

			if (next == 'd')
				o = stpcpy(o, "[0-9]");
			else if (next == 'D')
				o = stpcpy(o, "[^0-9]");
			else if (next == '%')
				*o++ = '%';
			else {
				*o++ = c;
				*o++ = next;
			}
			i += 2;
		} else if (c == '[') {
			/* a ']' first in the bracket is a member, not its end
			 */
			in_bracket = true;
			*o++ = raw[i++];
			if (i < len && raw[i] == '^')
				*o++ = raw[i++];
			if (i < len && raw[i] == ']')
				*o++ = raw[i++];
		} else {
			*o++ = c;
			i++;
		}
	}
	*o = '\0';
	return out;
}

/* a + b and a * b, stuck at REGEX_NODES_MAX + 1 past it. */
static size_t nodes_add(size_t a, size_t b)
{
	return a + b > REGEX_NODES_MAX ? REGEX_NODES_MAX + 1 : a + b;
}

static size_t nodes_mul(size_t a, size_t b)
{
	return b && a > (REGEX_NODES_MAX + 1) / b ? REGEX_NODES_MAX + 1
						  : nodes_add(a * b, 0);
}

/*
 * The repetition count of the interval "{m}", "{m,}" or "{m,n}" at
 * ere[*i] == '{' (the copies glibc's regcomp makes of what it repeats),
 * *i moved past it; 0 when it is no interval (regcomp judges it).
 */
static size_t interval_copies(const char *ere, size_t *i)
{
	size_t j = *i + 1, m = 0, n = 0;
	bool comma = false, has_n = false;

	for (; ere[j] >= '0' && ere[j] <= '9'; j++)
		m = nodes_add(nodes_mul(m, 10), (size_t)(ere[j] - '0'));
	if (ere[j] == ',') {
		comma = true;
		for (j++; ere[j] >= '0' && ere[j] <= '9'; j++, has_n = true)
			n = nodes_add(nodes_mul(n, 10), (size_t)(ere[j] - '0'));
	}
	if (ere[j] != '}')
		return 0;
	*i = j + 1;
	if (!comma)
		return m ? m : 1;
	if (!has_n)
		return m + 1;
	return n > m ? n : (m ? m : 1);
}

/*
 * An estimate of the nodes regcomp builds for ere: glibc copies what a
 * '+' or an interval repeats, so stacked or nested repetitions (`a++++`,
 * `(a{999}){999}`) grow a tree exponential in the text, gigabytes from a
 * few dozen bytes. Each atom counts 1, a repetition multiplies what it
 * repeats. Stuck at REGEX_NODES_MAX + 1 once past it, and at once for a
 * repetition of a repetition (`a+?`, `a*{2}`).
 */
static size_t regex_nodes(const char *ere)
{
	/* Per open group: nodes so far, and those of the last atom. */
	size_t total[NESTING_MAX + 1] = {0}, last[NESTING_MAX + 1] = {0};
	size_t depth = 0, i = 0, atom, copies;
	bool repeated = false; /* the last thing read was a repetition */

	while (ere[i]) {
		char c = ere[i];

		if (c == '*' || c == '?' || c == '+' || c == '{') {
			if (c == '{') {
				copies = interval_copies(ere, &i);
				if (!copies) {
					i++;
					goto plain;
				}
			} else {
				copies = c == '+' ? 2 : 1;
				i++;
			}
			/*
			 * `a+?*`: POSIX leaves it undefined, and glibc's
			 * epsilon closures grow exponential in the run.
			 */
			if (repeated)
				return REGEX_NODES_MAX + 1;
			repeated = true;
			atom = nodes_add(nodes_mul(last[depth], copies), 1);
			total[depth] =
				nodes_add(total[depth] - last[depth], atom);
			last[depth] = atom;
			continue;
		}
		repeated = false;
		if (c == '(') {
			if (depth == NESTING_MAX)
				return REGEX_NODES_MAX + 1;
			depth++;
			total[depth] = last[depth] = 0;
			i++;
			continue;
		}
		if (c == ')' && depth > 0) {
			atom = nodes_add(total[depth], 1);
			depth--;
			total[depth] = nodes_add(total[depth], atom);
			last[depth] = atom;
			i++;
			continue;
		}
		if (c == '[') {
			/* A bracket expression is one node, whatever it holds.
			 */
			i++;
			if (ere[i] == '^')
				i++;
			if (ere[i] == ']')
				i++;
			while (ere[i] && ere[i] != ']') {
				if (ere[i] == '[' &&
				    in_set(ere[i + 1], ":.=")) {
					char kind = ere[i + 1];

					for (i += 2;
					     ere[i] && !(ere[i] == kind &&
							 ere[i + 1] == ']');
					     i++)
						;
					if (ere[i])
						i++;
				}
				if (ere[i])
					i++;
			}
			if (ere[i])
				i++;
		} else if (c == '\\' && ere[i + 1]) {
			i += 2;
		} else {
			i++;
		}
	plain:
		total[depth] = nodes_add(total[depth], 1);
		last[depth] = 1;
	}
	while (depth > 0) {
		total[depth - 1] = nodes_add(total[depth - 1], total[depth]);
		depth--;
	}
	return total[0];
}

/* Read %regex% at pos into v. */
static int read_regex(struct parser *ps, struct value *v)
{
	size_t open = ps->pos, end;
	const char *raw;
	char *text;
	char why[128];
	int rc;

	rc = find_close(ps, '%', &end);
	if (rc)
		return rc;
	raw = ps->s + open + 1;
	if (end == open + 1)
		return fail(ps, open, "empty regular expression '%%%%'");
	if (memchr(raw, '\0', end - open - 1))
		return fail(ps, open, "NUL byte in a regular expression");
	text = regex_text(raw, end - open - 1);
	if (!text)
		return fail_nomem(ps);
	if (regex_nodes(text) > REGEX_NODES_MAX) {
		free(text);
		return fail(ps, open,
			    "regular expression too complex (a repeated"
			    " repetition, or repetitions expanding past %d"
			    " nodes)",
			    REGEX_NODES_MAX);
	}
	rc = regcomp(&v->regex, text, REG_EXTENDED | REG_NOSUB);
	free(text);
	if (rc) {
		regerror(rc, NULL, why, sizeof(why));
		return fail(ps, open, "bad regular expression (%s)", why);
	}
	v->is_regex = true;
	ps->pos = end + 1;
	return 0;
}

/*
 * Read a condition's value at pos: "quoted", %regex%, or bare bytes up to
 * a blank, a byte of stops, '"', "&&" or "||".
 */
static int read_value(struct parser *ps, const char *stops, struct value *v)
{
	size_t start = ps->pos, end;
	int rc;

	if (at_end(ps) || in_set(peek(ps), stops))
		return fail(ps, start, "expected a value after the operator");
	if (peek(ps) == '"') {
		rc = find_close(ps, '"', &end);
		if (rc)
			return rc;
		if (value_set_text(v, ps->s + start + 1, end - start - 1, true,
				   true))
			return fail_nomem(ps);
		ps->pos = end + 1;
		return 0;
	}
	if (peek(ps) == '%')
		return read_regex(ps, v);
	while (!at_end(ps) && !is_pattern_blank(peek(ps)) &&
	       !in_set(peek(ps), stops) && peek(ps) != '"' &&
	       !looking_at(ps, "&&") && !looking_at(ps, "||"))
		ps->pos++;
	if (ps->pos == start)
		return fail(ps, start, "expected a value after the operator");
	if (value_set_text(v, ps->s + start, ps->pos - start, false, true))
		return fail_nomem(ps);
	/* "4*" is a glob, not the number 4 */
	v->is_number =
		v->nsegs == 1 && number_from(v->text, v->len, &v->number);
	return 0;
}

/* Whether text matches v's glob (or equals it, without wildcards). */
static bool glob_matches(const struct value *v, const char *s, size_t n)
{
	size_t first = v->seg_len[0], last = v->seg_len[v->nsegs - 1];
	size_t pos, end, off, k;

	if (v->nsegs == 1)
		return n == v->len && memcmp(s, v->text, n) == 0;
	if (n < first + last || memcmp(s, v->text, first) != 0 ||
	    memcmp(s + n - last, v->text + v->len - last, last) != 0)
		return false;
	/* The middle segments, each at its leftmost place, in order. */
	pos = first;
	end = n - last;
	off = first;
	for (k = 1; k + 1 < v->nsegs; k++) {
		size_t seg = v->seg_len[k];

		if (seg > 0) {
			const char *hit =
				memmem(s + pos, end - pos, v->text + off, seg);

			if (!hit)
				return false;
			pos = (size_t)(hit - s) + seg;
		}
		off += seg;
	}
	return true;
}

/*
 * Whether re matches anywhere in s[0..n). regexec wants a C string (and
 * sanitizers check it as one even under REG_STARTEND), so the bytes are
 * copied and NUL-ended: on the stack for short lines, else malloc'd.
 * REG_STARTEND, where the C library has it, lets the regex see past a
 * NUL byte inside the line.
 */
static bool regex_search(const regex_t *re, const char *s, size_t n)
{
	char stack[REGEX_LINE_ON_STACK];
	char *copy = n < sizeof(stack) ? stack : malloc(n + 1);
	regmatch_t range = {.rm_so = 0, .rm_eo = 0};
	int flags = 0;
	bool found;

	if (!copy)
		return false;
	memcpy(copy, s, n);
	copy[n] = '\0';
#ifdef REG_STARTEND
	if (n <= INT_MAX) { /* what glibc's int regoff_t can hold */
		range.rm_eo = (regoff_t)n;
		flags = REG_STARTEND;
	}
#endif
	found = regexec(re, copy, 1, &range, flags) == 0;
	if (copy != stack)
		free(copy);
	return found;
}

/*
 * Whether the subject equals v: text (NULL: the number as text), and its
 * number when it has one.
 */
static bool value_equals(const struct value *v, const char *text, size_t len,
			 bool has_number, double number)
{
	char buf[NUMBER_TEXT_MAX];

	if (v->is_number && has_number)
		return number == v->number;
	if (!text) {
		len = number_text(number, buf);
		text = buf;
	}
	if (v->is_regex)
		return regex_search(&v->regex, text, len);
	return glob_matches(v, text, len);
}

static bool compare(const struct cond *c, const char *text, size_t len,
		    bool has_number, double number)
{
	switch (c->op) {
	case OP_EQ:
		return value_equals(&c->value, text, len, has_number, number);
	case OP_NE:
		return !value_equals(&c->value, text, len, has_number, number);
	case OP_LT:
		return has_number && number < c->value.number;
	case OP_LE:
		return has_number && number <= c->value.number;
	case OP_GT:
		return has_number && number > c->value.number;
	case OP_GE:
		return has_number && number >= c->value.number;
	default:
		return false;
	}
}

/* ---- expressions ---- */

static void cond_free(struct cond *c)
{
	value_free(&c->value);
	free(c->path);
	c->path = NULL;
}

static void expr_free(struct expr *e)
{
	size_t i;

	if (!e)
		return;
	for (i = 0; i < e->nkids; i++)
		expr_free(e->kids[i]);
	free(e->kids);
	cond_free(&e->cond);
	free(e);
}

static bool expr_holds(const struct expr *e, leaf_test leaf,
		       const void *subject)
{
	size_t i;

	switch (e->kind) {
	case EXPR_AND:
		for (i = 0; i < e->nkids; i++)
			if (!expr_holds(e->kids[i], leaf, subject))
				return false;
		return true;
	case EXPR_OR:
		for (i = 0; i < e->nkids; i++)
			if (expr_holds(e->kids[i], leaf, subject))
				return true;
		return false;
	default:
		return leaf(&e->cond, subject);
	}
}

static bool is_ordering(enum op op)
{
	return op == OP_LT || op == OP_LE || op == OP_GT || op == OP_GE;
}

static int read_operator(struct parser *ps, enum op *op)
{
	static const struct {
		const char *text;
		enum op op;
	} ops[] = {
		{"=", OP_EQ},  {"!=", OP_NE}, {"<", OP_LT},
		{"<=", OP_LE}, {">", OP_GT},  {">=", OP_GE},
	};
	size_t at = ps->pos, n = 0, i;
	char shown[SHOWN_MAX + 4];

	while (at + n < ps->len && in_set(ps->s[at + n], "=!<>~"))
		n++;
	if (n == 0)
		return fail(ps, at, "expected an operator (= != < <= > >=)");
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strlen(ops[i].text) == n &&
		    memcmp(ops[i].text, ps->s + at, n) == 0) {
			*op = ops[i].op;
			ps->pos += n;
			return 0;
		}
	}
	return fail(ps, at, "unknown operator '%s'",
		    show(ps->s + at, n, shown));
}

/* Operator and value of a condition, the subject already read. */
static int read_comparison(struct parser *ps, struct cond *c, const char *stops)
{
	size_t at;
	int rc;

	skip_blanks(ps);
	at = ps->pos;
	rc = read_operator(ps, &c->op);
	if (rc)
		return rc;
	skip_blanks(ps);
	rc = read_value(ps, stops, &c->value);
	if (rc)
		return rc;
	if (is_ordering(c->op) && !c->value.is_number)
		return fail(ps, at,
			    "'%.*s' compares numbers, and its value is"
			    " not one",
			    c->op == OP_LT || c->op == OP_GT ? 1 : 2,
			    ps->s + at);
	return 0;
}

static int parse_or(struct parser *ps, leaf_parser leaf, struct expr **out);

static int parse_leaf(struct parser *ps, leaf_parser leaf, struct expr **out)
{
	struct expr *e = calloc(1, sizeof(*e));
	int rc;

	if (!e)
		return fail_nomem(ps);
	e->kind = EXPR_COND;
	rc = leaf(ps, &e->cond);
	if (rc) {
		expr_free(e);
		return rc;
	}
	*out = e;
	return 0;
}

static int parse_primary(struct parser *ps, leaf_parser leaf, struct expr **out)
{
	size_t open;
	int rc;

	skip_blanks(ps);
	if (peek(ps) != '(' || at_end(ps))
		return parse_leaf(ps, leaf, out);
	open = ps->pos;
	if (++ps->depth > NESTING_MAX)
		return fail(ps, open, "parentheses nested deeper than %d",
			    NESTING_MAX);
	ps->pos++;
	rc = parse_or(ps, leaf, out);
	if (rc)
		return rc;
	skip_blanks(ps);
	if (at_end(ps) || peek(ps) != ')') {
		expr_free(*out);
		*out = NULL;
		if (at_end(ps) || in_set(peek(ps), "}],"))
			return fail(ps, open, "'(' without its closing ')'");
		return fail(ps, ps->pos, "expected '&&', '||' or ')'");
	}
	ps->pos++;
	ps->depth--;
	return 0;
}

/*
 * One level of the grammar: operands joined by sep ("&&" or "||") into an
 * n-ary node of kind, or the operand alone.
 */
static int parse_chain(struct parser *ps, leaf_parser leaf, const char *sep,
		       enum expr_kind kind, struct expr **out)
{
	struct expr **kids = NULL, **grown, *kid = NULL, *node;
	size_t n = 0;
	int rc;

	for (;;) {
		if (kind == EXPR_OR)
			rc = parse_chain(ps, leaf, "&&", EXPR_AND, &kid);
		else
			rc = parse_primary(ps, leaf, &kid);
		if (rc)
			goto err;
		grown = realloc(kids, (n + 1) * sizeof(*kids));
		if (!grown) {
			expr_free(kid);
			rc = fail_nomem(ps);
			goto err;
		}
		kids = grown;
		kids[n++] = kid;
		skip_blanks(ps);
		if (!looking_at(ps, sep))
			break;
		ps->pos += 2;
	}
	if (n == 1) {
		*out = kids[0];
		free(kids);
		return 0;
	}
	node = calloc(1, sizeof(*node));
	if (!node) {
		rc = fail_nomem(ps);
		goto err;
	}
	node->kind = kind;
	node->kids = kids;
	node->nkids = n;
	*out = node;
	return 0;
err:
	while (n > 0)
		expr_free(kids[--n]);
	free(kids);
	return rc;
}

/* An expression: && binds tighter than ||, parentheses group. */
static int parse_or(struct parser *ps, leaf_parser leaf, struct expr **out)
{
	return parse_chain(ps, leaf, "||", EXPR_OR, out);
}

/* ---- JSON patterns ---- */

/*
 * A selector at pos: '$', then .name and [N] steps, an index only after
 * a property. Steps into steps[SELECTOR_STEPS_MAX], their count in *n.
 */
static int read_selector(struct parser *ps, struct step *steps, size_t *n)
{
	size_t at = ps->pos, start;

	*n = 0;
	if (peek(ps) != '$' || at_end(ps))
		return fail(ps, at, "expected a selector such as $.name");
	ps->pos++;
	for (;;) {
		struct step st = {NULL, 0, 0};

		if (peek(ps) == '.' && !at_end(ps)) {
			start = ++ps->pos;
			if (peek(ps) == '*' || peek(ps) == '.')
				return fail(ps, start,
					    "wildcard and recursive selectors "
					    "are not supported");
			while (!at_end(ps) && is_key_byte(peek(ps)))
				ps->pos++;
			if (ps->pos == start)
				return fail(ps, start,
					    "empty property name in selector");
			st.key = ps->s + start;
			st.key_len = ps->pos - start;
		} else if (peek(ps) == '[' && !at_end(ps)) {
			size_t open = ps->pos, digits = 0;

			if (*n == 0)
				return fail(ps, open,
					    "an array index must follow a "
					    "property, as in $.list[0]");
			ps->pos++;
			while (!at_end(ps) && is_digit(peek(ps))) {
				if (++digits > 9)
					return fail(ps, open,
						    "array index too large");
				st.index = st.index * 10 +
					   (size_t)(peek(ps) - '0');
				ps->pos++;
			}
			if (digits == 0)
				return fail(ps, ps->pos,
					    "expected an array index");
			if (peek(ps) != ']' || at_end(ps))
				return fail(ps, open,
					    "'[' without its closing ']'");
			ps->pos++;
		} else {
			break;
		}
		if (*n == SELECTOR_STEPS_MAX)
			return fail(ps, at, "selector deeper than %d steps",
				    SELECTOR_STEPS_MAX);
		steps[(*n)++] = st;
	}
	if (*n == 0)
		return fail(ps, at,
			    "a selector needs a property, as in $.name");
	return 0;
}

static int parse_json_cond(struct parser *ps, struct cond *c)
{
	struct step steps[SELECTOR_STEPS_MAX];
	size_t n, at;
	int rc;

	rc = read_selector(ps, steps, &n);
	if (rc)
		return rc;
	c->path = malloc(n * sizeof(*c->path));
	if (!c->path)
		return fail_nomem(ps);
	memcpy(c->path, steps, n * sizeof(*c->path));
	c->nsteps = n;
	skip_blanks(ps);
	at = ps->pos;
	if (take_word(ps, "IS")) {
		skip_blanks(ps);
		if (take_word(ps, "TRUE"))
			c->op = OP_IS_TRUE;
		else if (take_word(ps, "FALSE"))
			c->op = OP_IS_FALSE;
		else if (take_word(ps, "NULL"))
			c->op = OP_IS_NULL;
		else
			return fail(ps, at,
				    "expected TRUE, FALSE or NULL "
				    "after IS");
		return 0;
	}
	if (take_word(ps, "NOT")) {
		skip_blanks(ps);
		if (!take_word(ps, "EXISTS"))
			return fail(ps, at, "expected EXISTS after NOT");
		c->op = OP_NOT_EXISTS;
		return 0;
	}
	return read_comparison(ps, c, ")}");
}

static int parse_json(struct parser *ps, struct pattern *p)
{
	size_t open = ps->pos;
	int rc;

	p->form = FORM_JSON;
	ps->pos++;
	skip_blanks(ps);
	if (at_end(ps))
		return fail(ps, open, "'{' without its closing '}'");
	if (peek(ps) == '}')
		return fail(ps, open,
			    "empty JSON pattern '{}': write a condition, such"
			    " as { $.level = \"error\" }");
	rc = parse_or(ps, parse_json_cond, &p->json);
	if (rc)
		return rc;
	skip_blanks(ps);
	if (at_end(ps))
		return fail(ps, open, "'{' without its closing '}'");
	if (peek(ps) == ')')
		return fail(ps, ps->pos, "')' without an opening '('");
	if (peek(ps) != '}')
		return fail(ps, ps->pos, "expected '&&', '||' or '}'");
	ps->pos++;
	skip_blanks(ps);
	if (!at_end(ps))
		return fail(ps, ps->pos,
			    "text after the closing '}' (a JSON pattern is one"
			    " { ... })");
	return 0;
}

/* The node sel names under root, or NULL. */
static json_t *json_resolve(json_t *node, const struct step *sel, size_t n)
{
	size_t i;

	for (i = 0; i < n && node; i++) {
		if (sel[i].key)
			node = json_is_object(node)
				       ? json_object_getn(node, sel[i].key,
							  sel[i].key_len)
				       : NULL;
		else
			node = json_is_array(node)
				       ? json_array_get(node, sel[i].index)
				       : NULL;
	}
	return node;
}

static bool json_cond_holds(const struct cond *c, const void *subject)
{
	json_t *node = json_resolve((json_t *)subject, c->path, c->nsteps);

	switch (c->op) {
	case OP_NOT_EXISTS:
		return !node;
	case OP_IS_NULL:
		return node && json_is_null(node);
	case OP_IS_TRUE:
		return node && json_is_true(node);
	case OP_IS_FALSE:
		return node && json_is_false(node);
	default:
		break;
	}
	if (!node)
		return false;
	switch (json_typeof(node)) {
	case JSON_STRING:
		return compare(c, json_string_value(node),
			       json_string_length(node), false, 0);
	case JSON_INTEGER:
	case JSON_REAL:
		return compare(c, NULL, 0, true, json_number_value(node));
	case JSON_TRUE:
		return compare(c, "true", 4, false, 0);
	case JSON_FALSE:
		return compare(c, "false", 5, false, 0);
	default:
		/* null, objects and arrays are not values to compare */
		return false;
	}
}

/*
 * The event as a JSON object, or NULL when it is not one. Integers are
 * read as doubles so that one huge integer does not make the whole event
 * unreadable.
 */
static json_t *json_event(const char *line, size_t len)
{
	size_t i = 0;

	while (i < len && is_pattern_blank(line[i]))
		i++;
	if (i == len || line[i] != '{')
		return NULL;
	return json_loadb(line, len, JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL,
			  NULL);
}

static bool json_matches(const struct pattern *p, const char *line, size_t len)
{
	json_t *root = json_event(line, len);
	bool found;

	if (!root)
		return false;
	found = expr_holds(p->json, json_cond_holds, root);
	json_decref(root);
	return found;
}

/* ---- space-delimited patterns ---- */

/* A field name at pos: a letter or '_', then letters, digits, '_'. */
static bool read_name(struct parser *ps, const char **name, size_t *len)
{
	size_t start = ps->pos;

	if (at_end(ps) || !(is_alpha(peek(ps)) || peek(ps) == '_'))
		return false;
	while (!at_end(ps) && is_name_byte(peek(ps)))
		ps->pos++;
	*name = ps->s + start;
	*len = ps->pos - start;
	return true;
}

static int parse_field_cond(struct parser *ps, struct cond *c)
{
	size_t at = ps->pos, len;
	const char *name;
	char shown[SHOWN_MAX + 4], slot[SHOWN_MAX + 4];

	if (!at_end(ps) && in_set(peek(ps), "=!<>~"))
		return fail(ps, at,
			    "a condition without a field name before"
			    " its operator");
	if (!read_name(ps, &name, &len))
		return fail(ps, at, "expected a field name");
	if (!ps->slot_name) {
		ps->slot_name = name;
		ps->slot_name_len = len;
	} else if (len != ps->slot_name_len ||
		   memcmp(name, ps->slot_name, len) != 0) {
		return fail(ps, at,
			    "'%s' in a condition of field '%s': && and ||"
			    " join conditions on one field, and ','"
			    " separates fields",
			    show(name, len, shown),
			    show(ps->slot_name, ps->slot_name_len, slot));
	}
	skip_blanks(ps);
	if (!at_end(ps) && !in_set(peek(ps), "=!<>~"))
		return fail(ps, ps->pos,
			    "expected ',' between fields, or an operator (= !="
			    " < <= > >=) after '%s'",
			    show(name, len, shown));
	return read_comparison(ps, c, ",])");
}

static int parse_slot(struct parser *ps, struct slot *slot)
{
	size_t save;
	int rc;

	skip_blanks(ps);
	if (looking_at(ps, "...")) {
		ps->pos += 3;
		slot->ellipsis = true;
		return 0;
	}
	/* Nothing between commas: a field without a name (CloudWatch's
	 * extracted fields call it by position, $N). */
	if (at_end(ps) || in_set(peek(ps), ",]"))
		return 0;
	save = ps->pos;
	if (read_name(ps, &slot->name, &slot->name_len)) {
		skip_blanks(ps);
		if (at_end(ps) || in_set(peek(ps), ",]"))
			return 0;
		ps->pos = save;
	}
	ps->slot_name = NULL;
	ps->slot_name_len = 0;
	slot->name = NULL;
	rc = parse_or(ps, parse_field_cond, &slot->test);
	if (rc)
		return rc;
	slot->name = ps->slot_name;
	slot->name_len = ps->slot_name_len;
	return 0;
}

/* Split the pattern's slots into runs between ellipses; refuse a name
 * used twice. */
static int index_slots(struct parser *ps, struct pattern *p)
{
	size_t i, j, r = 0;
	char shown[SHOWN_MAX + 4];

	for (i = 0; i < p->nslots; i++) {
		const struct slot *a = &p->slots[i];

		for (j = 0; a->name && j < i; j++) {
			const struct slot *b = &p->slots[j];

			if (b->name && b->name_len == a->name_len &&
			    memcmp(a->name, b->name, a->name_len) == 0)
				return fail(ps, (size_t)(a->name - ps->s),
					    "field '%s' named twice",
					    show(a->name, a->name_len, shown));
		}
	}
	p->nruns = p->nellipses + 1;
	p->runs = calloc(p->nruns, sizeof(*p->runs));
	if (!p->runs)
		return fail_nomem(ps);
	for (i = 0; i < p->nslots; i++) {
		if (p->slots[i].ellipsis) {
			p->runs[++r].first = i + 1;
			continue;
		}
		p->runs[r].count++;
	}
	return 0;
}

/* Append slot to p's slots (which then own its test). */
static int add_slot(struct parser *ps, struct pattern *p, struct slot slot)
{
	struct slot *grown;

	grown = realloc(p->slots, (p->nslots + 1) * sizeof(*grown));
	if (!grown) {
		expr_free(slot.test);
		return fail_nomem(ps);
	}
	p->slots = grown;
	p->slots[p->nslots++] = slot;
	if (slot.ellipsis)
		p->nellipses++;
	return 0;
}

/*
 * The comma-separated slots after the '[' at open, up to the ']' (pos is
 * left on it).
 */
static int parse_slots(struct parser *ps, struct pattern *p, size_t open)
{
	int rc;

	for (;;) {
		struct slot slot = {false, NULL, 0, NULL};

		rc = parse_slot(ps, &slot);
		if (rc == 0)
			rc = add_slot(ps, p, slot);
		if (rc)
			return rc;
		skip_blanks(ps);
		if (at_end(ps))
			return fail(ps, open, "'[' without its closing ']'");
		if (peek(ps) == ']')
			return 0;
		if (peek(ps) != ',')
			return fail(ps, ps->pos,
				    "expected ',' or ']' (fields are separated"
				    " by ',')");
		ps->pos++;
	}
}

static int parse_fields(struct parser *ps, struct pattern *p)
{
	size_t open = ps->pos;
	int rc;

	p->form = FORM_FIELDS;
	ps->pos++;
	skip_blanks(ps);
	/*
	 * `[]` names no field and sets no condition: every event matches,
	 * as CloudWatch's TestMetricFilter documents. It is `[...]`.
	 */
	if (peek(ps) == ']' && !at_end(ps))
		rc = add_slot(ps, p, (struct slot){true, NULL, 0, NULL});
	else
		rc = parse_slots(ps, p, open);
	if (rc)
		return rc;
	ps->pos++;
	skip_blanks(ps);
	if (!at_end(ps))
		return fail(ps, ps->pos,
			    "text after the closing ']' (a space-delimited"
			    " pattern is one [ ... ])");
	return index_slots(ps, p);
}

/* The next field of line from *pos: blank-separated, or everything
 * between double quotes (a backslash taking the next byte) or between
 * '[' and ']'. False at the end of the line. */
static bool next_field(const char *line, size_t len, size_t *pos,
		       struct field *f)
{
	size_t i = *pos, start;
	char close;

	while (i < len && is_field_blank(line[i]))
		i++;
	if (i == len) {
		*pos = i;
		return false;
	}
	close = line[i] == '"' ? '"' : line[i] == '[' ? ']' : '\0';
	if (close) {
		start = ++i;
		for (; i < len && line[i] != close; i++)
			if (close == '"' && line[i] == '\\' && i + 1 < len)
				i++;
		f->text = line + start;
		f->len = i - start;
		if (i < len)
			i++;
	} else {
		start = i;
		while (i < len && !is_field_blank(line[i]))
			i++;
		f->text = line + start;
		f->len = i - start;
	}
	*pos = i;
	return true;
}

static void field_list_init(struct field_list *fl)
{
	fl->items = fl->stack;
	fl->n = 0;
	fl->cap = FIELDS_ON_STACK;
}

static void field_list_release(struct field_list *fl)
{
	if (fl->items != fl->stack)
		free(fl->items);
	field_list_init(fl);
}

/* Split line into at most limit fields. 0 or -ENOMEM. */
static int field_list_split(struct field_list *fl, const char *line, size_t len,
			    size_t limit)
{
	struct field f;
	size_t pos = 0;

	while (fl->n < limit && next_field(line, len, &pos, &f)) {
		if (fl->n == fl->cap) {
			struct field *grown;

			if (fl->items == fl->stack) {
				grown = malloc(2 * fl->cap * sizeof(*grown));
				if (grown)
					memcpy(grown, fl->stack,
					       sizeof(fl->stack));
			} else {
				grown = realloc(fl->items,
						2 * fl->cap * sizeof(*grown));
			}
			if (!grown)
				return -ENOMEM;
			fl->items = grown;
			fl->cap *= 2;
		}
		fl->items[fl->n++] = f;
	}
	return 0;
}

static bool field_cond_holds(const struct cond *c, const void *subject)
{
	const struct field *f = subject;
	double number = 0;
	bool has_number = false;

	if (is_ordering(c->op) || c->value.is_number)
		has_number = number_from(f->text, f->len, &number);
	return compare(c, f->text, f->len, has_number, number);
}

static bool run_fits(const struct pattern *p, const struct run *run,
		     const struct field *fields)
{
	size_t i;

	for (i = 0; i < run->count; i++) {
		const struct slot *s = &p->slots[run->first + i];

		if (s->test &&
		    !expr_holds(s->test, field_cond_holds, &fields[i]))
			return false;
	}
	return true;
}

/*
 * Lay p's runs of slots on the n fields: the first run at the start, the
 * last at the end, each run between at its leftmost place where its
 * conditions hold (exact, since a slot's conditions look at its own field
 * only). Whether the event fits; the first field of run want in *start.
 */
static bool place_runs(const struct pattern *p, const struct field *fields,
		       size_t n, size_t want, size_t *start)
{
	const struct run *first = &p->runs[0], *last = &p->runs[p->nruns - 1];
	size_t pos, limit, r;

	if (p->nruns == 1) {
		if (n != first->count || !run_fits(p, first, fields))
			return false;
		if (want == 0)
			*start = 0;
		return true;
	}
	if (n < first->count + last->count)
		return false;
	if (!run_fits(p, first, fields) ||
	    !run_fits(p, last, fields + n - last->count))
		return false;
	pos = first->count;
	limit = n - last->count;
	for (r = 1; r + 1 < p->nruns; r++) {
		const struct run *run = &p->runs[r];

		for (;; pos++) {
			if (pos + run->count > limit)
				return false;
			if (run_fits(p, run, fields + pos))
				break;
		}
		if (r == want)
			*start = pos;
		pos += run->count;
	}
	if (want == 0)
		*start = 0;
	else if (want == p->nruns - 1)
		*start = n - last->count;
	return true;
}

static bool fields_match(const struct pattern *p, const char *line, size_t len)
{
	struct field_list fl;
	size_t limit = p->nellipses ? SIZE_MAX : p->nslots + 1;
	bool found = false;

	field_list_init(&fl);
	if (field_list_split(&fl, line, len, limit) == 0)
		found = place_runs(p, fl.items, fl.n, SIZE_MAX, NULL);
	field_list_release(&fl);
	return found;
}

/* ---- terms ---- */

static int parse_term(struct parser *ps, struct term *t)
{
	size_t at = ps->pos, start, end;
	char c = peek(ps);

	t->role = c == '-' ? TERM_NONE : c == '?' ? TERM_ANY : TERM_ALL;
	if (t->role != TERM_ALL) {
		ps->pos++;
		skip_blanks(ps);
		if (at_end(ps))
			return fail(ps, at, "'%c' with no term after it", c);
	}
	start = ps->pos;
	if (peek(ps) == '"') {
		if (find_close(ps, '"', &end))
			return -EINVAL;
		if (value_set_text(&t->value, ps->s + start + 1,
				   end - start - 1, true, false))
			return fail_nomem(ps);
		ps->pos = end + 1;
		return 0;
	}
	if (peek(ps) == '%')
		return read_regex(ps, &t->value);
	while (!at_end(ps) && !is_pattern_blank(peek(ps))) {
		if (peek(ps) == '"')
			return fail(ps, ps->pos,
				    "'\"' inside an unquoted term (quote the "
				    "whole term)");
		ps->pos++;
	}
	if (value_set_text(&t->value, ps->s + start, ps->pos - start, false,
			   false))
		return fail_nomem(ps);
	return 0;
}

static int parse_terms(struct parser *ps, struct pattern *p)
{
	p->form = FORM_TERMS;
	for (;;) {
		struct term t;
		struct term *grown;
		int rc;

		skip_blanks(ps);
		if (at_end(ps))
			return 0;
		memset(&t, 0, sizeof(t));
		rc = parse_term(ps, &t);
		if (rc) {
			value_free(&t.value);
			return rc;
		}
		grown = realloc(p->terms, (p->nterms + 1) * sizeof(*grown));
		if (!grown) {
			value_free(&t.value);
			return fail_nomem(ps);
		}
		p->terms = grown;
		p->terms[p->nterms++] = t;
		if (t.role == TERM_ANY)
			p->has_any = true;
	}
}

static bool term_found(const struct term *t, const char *line, size_t len)
{
	if (t->value.is_regex)
		return regex_search(&t->value.regex, line, len);
	return t->value.len == 0 ||
	       memmem(line, len, t->value.text, t->value.len) != NULL;
}

/* Every plain term, no excluded one, and one ?term if there are any. */
static bool terms_match(const struct pattern *p, const char *line, size_t len)
{
	size_t i;

	for (i = 0; i < p->nterms; i++) {
		const struct term *t = &p->terms[i];

		if (t->role == TERM_ALL && !term_found(t, line, len))
			return false;
		if (t->role == TERM_NONE && term_found(t, line, len))
			return false;
	}
	if (!p->has_any)
		return true;
	for (i = 0; i < p->nterms; i++)
		if (p->terms[i].role == TERM_ANY &&
		    term_found(&p->terms[i], line, len))
			return true;
	return false;
}

/* ---- the contract ---- */

int pattern_compile(const char *text, size_t len, struct pattern **out,
		    struct err *err)
{
	struct pattern *p = calloc(1, sizeof(*p));
	struct parser ps = {0};
	int rc;

	if (!p || !(p->source = malloc(len + 1))) {
		free(p);
		err_set(err, "out of memory compiling the pattern");
		return -ENOMEM;
	}
	if (len)
		memcpy(p->source, text, len);
	p->source[len] = '\0';
	ps.s = p->source;
	ps.len = len;
	ps.err = err;
	skip_blanks(&ps);
	if (peek(&ps) == '{' && !at_end(&ps))
		rc = parse_json(&ps, p);
	else if (peek(&ps) == '[' && !at_end(&ps))
		rc = parse_fields(&ps, p);
	else
		rc = parse_terms(&ps, p);
	if (rc) {
		pattern_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

bool pattern_match(const struct pattern *p, const char *line, size_t len)
{
	if (!line)
		line = "";
	switch (p->form) {
	case FORM_JSON:
		return json_matches(p, line, len);
	case FORM_FIELDS:
		return fields_match(p, line, len);
	default:
		return terms_match(p, line, len);
	}
}

enum selector_kind { SELECTOR_JSON, SELECTOR_NAME, SELECTOR_POSITION };

struct selector {
	enum selector_kind kind;
	struct step steps[SELECTOR_STEPS_MAX];
	size_t nsteps;
	size_t slot;	 /* SELECTOR_NAME: the slot that names it */
	size_t position; /* SELECTOR_POSITION: 1-based field number */
};

/* The names p's fields have, "a, b, c", into out. */
static void field_names(const struct pattern *p, char *out, size_t size)
{
	char shown[SHOWN_MAX + 4];
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; i < p->nslots && used < size; i++) {
		const struct slot *sl = &p->slots[i];

		if (sl->name)
			used += (size_t)snprintf(
				out + used, size - used, "%s%s",
				used ? ", " : "",
				show(sl->name, sl->name_len, shown));
	}
}

/* Read and check a $N selector (at ps's '$'). */
static int position_parse(const struct pattern *p, struct parser *ps,
			  struct selector *sel)
{
	char shown[SHOWN_MAX + 4];

	sel->kind = SELECTOR_POSITION;
	sel->position = 0;
	while (!at_end(ps) && is_digit(peek(ps))) {
		if (sel->position > 100000000)
			return fail_selector(ps->err,
					     "'%s': field number too large",
					     show(ps->s, ps->len, shown));
		sel->position = sel->position * 10 + (size_t)(peek(ps) - '0');
		ps->pos++;
	}
	if (!at_end(ps))
		return fail_selector(ps->err,
				     "'%s' is not $field, $N or $.json.path",
				     show(ps->s, ps->len, shown));
	if (sel->position == 0 ||
	    (p->nellipses == 0 && sel->position > p->nslots))
		return fail_selector(ps->err,
				     "'%s' is not a field number of the"
				     " pattern, which has %zu field%s",
				     show(ps->s, ps->len, shown), p->nslots,
				     p->nslots == 1 ? "" : "s");
	return 0;
}

/* Read selector and check it against p: a JSON path, a field p names, or
 * a field number p's fields can reach. */
static int selector_parse(const struct pattern *p, const char *text,
			  struct selector *sel, struct err *err)
{
	struct parser ps = {0};
	char shown[SHOWN_MAX + 4], names[128];
	const char *name;
	size_t len, i;

	if (!text)
		text = "";
	ps.s = text;
	ps.len = strlen(text);
	ps.err = err;
	show(text, ps.len, shown);
	if (looking_at(&ps, "$.")) {
		sel->kind = SELECTOR_JSON;
		if (read_selector(&ps, sel->steps, &sel->nsteps))
			return -EINVAL;
		if (!at_end(&ps))
			return fail_selector(err,
					     "'%s' is not a JSON path such as"
					     " $.a.b or $.list[0]",
					     shown);
		return 0;
	}
	if (peek(&ps) != '$' || ps.len < 2 ||
	    !(is_digit(text[1]) || is_alpha(text[1]) || text[1] == '_'))
		return fail_selector(
			err, "'%s' is not $field, $N or $.json.path", shown);
	if (p->form != FORM_FIELDS)
		return fail_selector(err,
				     "'%s' names a field of a space-delimited"
				     " pattern ([a, b, ...]), and the pattern"
				     " is not one; a JSON event's values are"
				     " $.json.path",
				     shown);
	ps.pos++;
	if (is_digit(peek(&ps)))
		return position_parse(p, &ps, sel);
	if (!read_name(&ps, &name, &len) || !at_end(&ps))
		return fail_selector(
			err, "'%s' is not $field, $N or $.json.path", shown);
	sel->kind = SELECTOR_NAME;
	for (i = 0; i < p->nslots; i++) {
		const struct slot *s = &p->slots[i];

		if (s->name && s->name_len == len &&
		    memcmp(s->name, name, len) == 0) {
			sel->slot = i;
			return 0;
		}
	}
	field_names(p, names, sizeof(names));
	if (!names[0])
		return fail_selector(err,
				     "'%s' is not a field of the pattern,"
				     " which names none (name one, as in"
				     " [ip, user, status], or use $1, $2, ...)",
				     shown);
	return fail_selector(err,
			     "'%s' is not a field of the pattern, which names"
			     " %s",
			     shown, names);
}

/* A field's text as a metric value: "-" is CloudWatch's no value. */
static int text_value(const char *text, size_t len, double *out)
{
	if (len == 1 && text[0] == '-')
		return -ENOENT;
	return number_from(text, len, out) ? 0 : -EINVAL;
}

static int json_value(const struct selector *sel, const char *line, size_t len,
		      double *out)
{
	json_t *root = json_event(line, len), *node;
	int rc;

	if (!root)
		return -ENOENT;
	node = json_resolve(root, sel->steps, sel->nsteps);
	if (!node || json_is_null(node))
		rc = -ENOENT;
	else if (json_is_number(node)) {
		*out = json_number_value(node);
		rc = 0;
	} else if (json_is_string(node)) {
		rc = number_from(json_string_value(node),
				 json_string_length(node), out)
			     ? 0
			     : -EINVAL;
	} else {
		rc = -EINVAL;
	}
	json_decref(root);
	return rc;
}

static int field_value(const struct pattern *p, const struct selector *sel,
		       const char *line, size_t len, double *out)
{
	struct field_list fl;
	size_t limit = p->nellipses ? SIZE_MAX : p->nslots + 1;
	size_t want = 0, start = 0, index = 0;
	int rc = -ENOENT;

	if (sel->kind == SELECTOR_NAME) {
		while (want + 1 < p->nruns &&
		       p->runs[want + 1].first <= sel->slot)
			want++;
	}
	field_list_init(&fl);
	if (field_list_split(&fl, line, len, limit) != 0) {
		rc = -ENOMEM;
	} else if (place_runs(p, fl.items, fl.n, want, &start)) {
		if (sel->kind == SELECTOR_NAME)
			index = start + sel->slot - p->runs[want].first;
		else
			index = sel->position - 1;
		if (index < fl.n)
			rc = text_value(fl.items[index].text,
					fl.items[index].len, out);
	}
	field_list_release(&fl);
	return rc;
}

int pattern_value(const struct pattern *p, const char *selector,
		  const char *line, size_t len, double *out)
{
	struct selector sel;

	if (selector_parse(p, selector, &sel, NULL))
		return -EINVAL;
	if (!line)
		line = "";
	if (sel.kind == SELECTOR_JSON)
		return json_value(&sel, line, len, out);
	return field_value(p, &sel, line, len, out);
}

int pattern_check_selector(const struct pattern *p, const char *selector,
			   struct err *err)
{
	struct selector sel;

	return selector_parse(p, selector, &sel, err);
}

void pattern_free(struct pattern *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nterms; i++)
		value_free(&p->terms[i].value);
	free(p->terms);
	expr_free(p->json);
	for (i = 0; i < p->nslots; i++)
		expr_free(p->slots[i].test);
	free(p->slots);
	free(p->runs);
	free(p->source);
	free(p);
}
