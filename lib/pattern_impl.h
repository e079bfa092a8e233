/*
 * pattern_impl: what the parts of the pattern module share, and nothing
 * else — the compiled pattern's representation, the parser's state, the
 * small lexing steps (inline), and the functions one part calls in
 * another. Only lib/pattern*.c include it; callers use lib/pattern.h.
 *
 * The parts: pattern.c (the entry points of pattern.h and the dispatch
 * on a pattern's form), pattern_lex.c (numbers, refusals, lexing),
 * pattern_expr.c (values, comparisons, the && || grammar),
 * pattern_regex.c (%regex% and the guard against runaway regcomp),
 * pattern_terms.c, pattern_json.c and pattern_fields.c (the three forms).
 * Every function a part does not list here is static in it.
 */
#ifndef MONFS_PATTERN_IMPL_H
#define MONFS_PATTERN_IMPL_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "lib/err.h"
#include "lib/pattern.h"

#define NUMBER_TEXT_MAX 32    /* "%.17g" of any double, and its NUL */
#define NESTING_MAX 32	      /* parentheses inside parentheses */
#define SELECTOR_STEPS_MAX 64 /* .name and [N] steps in one selector */
#define SHOWN_MAX 24	      /* pattern bytes quoted in a message */

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

typedef int (*leaf_parser)(struct parser *ps, struct cond *c);
typedef bool (*leaf_test)(const struct cond *c, const void *subject);

enum selector_kind { SELECTOR_JSON, SELECTOR_NAME, SELECTOR_POSITION };

struct selector {
	enum selector_kind kind;
	struct step steps[SELECTOR_STEPS_MAX];
	size_t nsteps;
	size_t slot;	 /* SELECTOR_NAME: the slot that names it */
	size_t position; /* SELECTOR_POSITION: 1-based field number */
};

/* ---- bytes and lexing (inline: every part reads bytes) ---- */

static inline bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool is_pattern_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

/* A byte of a JSON selector's property name: CloudWatch's alphanumerics,
 * '-' and '_', plus a few that keys often hold, and any UTF-8 byte. */
static inline bool is_key_byte(char c)
{
	return is_alpha(c) || is_digit(c) || c == '_' || c == '-' || c == '@' ||
	       c == ':' || c == '#' || (unsigned char)c >= 0x80;
}

static inline bool at_end(const struct parser *ps)
{
	return ps->pos >= ps->len;
}

/* The byte at pos, or NUL at the end (callers check at_end first where
 * a NUL byte in the pattern would matter). */
static inline char peek(const struct parser *ps)
{
	return at_end(ps) ? '\0' : ps->s[ps->pos];
}

static inline bool looking_at(const struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	return ps->len - ps->pos >= n && memcmp(ps->s + ps->pos, word, n) == 0;
}

static inline void skip_blanks(struct parser *ps)
{
	while (!at_end(ps) && is_pattern_blank(ps->s[ps->pos]))
		ps->pos++;
}

static inline bool in_set(char c, const char *set)
{
	return c != '\0' && strchr(set, c) != NULL;
}

static inline bool is_ordering(enum op op)
{
	return op == OP_LT || op == OP_LE || op == OP_GT || op == OP_GE;
}

/* ---- pattern_lex.c ---- */

/*
 * Whether s[0..len) is a finite decimal number as CloudWatch writes one:
 * optional sign, digits with an optional fraction, optional exponent. No
 * blanks, hexadecimal, "inf" or "nan". Its value in *out.
 */
bool pattern_number_from(const char *s, size_t len, double *out);

/* The shortest text that reads back as v into buf; its length. */
size_t pattern_number_text(double v, char buf[NUMBER_TEXT_MAX]);

/*
 * Up to SHOWN_MAX bytes of s quoted into out for a message (printable
 * ASCII only, "..." when cut); out. Not format_quote: in a pattern the
 * quotes, which format_quote masks, are what the user must see.
 */
const char *pattern_show(const char *s, size_t len, char out[SHOWN_MAX + 4]);

/*
 * Refuse the text: "<what> (at byte <at + 1>: <the text from there>)"
 * in ps->err, or "<what> (at the end)". Always -EINVAL.
 */
int pattern_fail(struct parser *ps, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "out of memory compiling the pattern" in ps->err; -ENOMEM. */
int pattern_fail_nomem(struct parser *ps);

/* Take word (upper case; the text in any case) at pos if no key byte
 * follows it; whether it did. */
bool pattern_take_word(struct parser *ps, const char *word);

/*
 * From the opening byte at pos, find the closing one (close), a backslash
 * taking the byte after it: 0 and its index in *end, or -EINVAL with a
 * refusal naming the opening byte.
 */
int pattern_find_close(struct parser *ps, char close, size_t *end);

/* ---- pattern_regex.c ---- */

/*
 * Read %regex% at pos into v (v->is_regex set, pos past the closing '%'):
 * 0, or -EINVAL for an empty, malformed or too complex regex, or -ENOMEM.
 */
int pattern_regex_read(struct parser *ps, struct value *v);

/* Whether re matches anywhere in s[0..n), NUL bytes included; false
 * also when a copy of a long line cannot be allocated. */
bool pattern_regex_search(const regex_t *re, const char *s, size_t n);

/* ---- pattern_expr.c ---- */

/* Free what v holds and zero it (a zeroed v is fine). */
void pattern_value_free(struct value *v);

/*
 * Fill v with the text of raw[0..len). Quoted text takes \" \\ and \* as
 * the byte after the backslash; with wildcards, an unescaped '*' splits
 * the text into segments. 0 or -ENOMEM.
 */
int pattern_value_set_text(struct value *v, const char *raw, size_t len,
			   bool quoted, bool wildcards);

/*
 * Whether c holds for a subject: its text[0..len) (NULL: the number as
 * text) and its number when has_number. The ordering operators need a
 * number; the IS and NOT EXISTS operators are false here.
 */
bool pattern_compare(const struct cond *c, const char *text, size_t len,
		     bool has_number, double number);

/* Free e and its sub-expressions (NULL is fine). */
void pattern_expr_free(struct expr *e);

/* Whether e holds, leaf testing each condition against subject. */
bool pattern_expr_holds(const struct expr *e, leaf_test leaf,
			const void *subject);

/*
 * Operator and value of a condition, the subject already read; a bare
 * value ends at a blank, a byte of stops, '"', "&&" or "||". 0, -EINVAL
 * or -ENOMEM.
 */
int pattern_read_comparison(struct parser *ps, struct cond *c,
			    const char *stops);

/*
 * An expression at pos: leaf conditions joined by && (binding tighter)
 * and ||, parentheses grouping up to NESTING_MAX deep. 0 and *out, or
 * -EINVAL or -ENOMEM with nothing left allocated.
 */
int pattern_parse_or(struct parser *ps, leaf_parser leaf, struct expr **out);

/* ---- pattern_terms.c ---- */

/* Parse the rest of the text as terms into p (FORM_TERMS). 0, -EINVAL or
 * -ENOMEM; what p holds then is freed by pattern_free. */
int pattern_terms_parse(struct parser *ps, struct pattern *p);

/* Every plain term, no excluded one, and one ?term if there are any. */
bool pattern_terms_match(const struct pattern *p, const char *line, size_t len);

/* ---- pattern_json.c ---- */

/*
 * A selector at pos: '$', then .name and [N] steps, an index only after
 * a property. Steps into steps[SELECTOR_STEPS_MAX], their count in *n.
 * 0 or -EINVAL.
 */
int pattern_json_read_selector(struct parser *ps, struct step *steps,
			       size_t *n);

/* Parse the '{' ... '}' at pos, the whole rest of the text, into p
 * (FORM_JSON). 0, -EINVAL or -ENOMEM. */
int pattern_json_parse(struct parser *ps, struct pattern *p);

/* Whether the event is a JSON object for which p's expression holds. */
bool pattern_json_match(const struct pattern *p, const char *line, size_t len);

/* The number sel (SELECTOR_JSON) names in the event: as pattern_value. */
int pattern_json_value(const struct selector *sel, const char *line, size_t len,
		       double *out);

/* pattern_texts for n JSON selectors: the event parsed once. */
int pattern_json_texts(const struct selector *sels, size_t n, const char *line,
		       size_t len, pattern_texts_fn fn, void *ctx);

/* ---- pattern_fields.c ---- */

/* A field name at pos: a letter or '_', then letters, digits, '_'.
 * Whether there is one; it (into the text) in *name and *len. */
bool pattern_fields_read_name(struct parser *ps, const char **name,
			      size_t *len);

/* Parse the '[' ... ']' at pos, the whole rest of the text, into p
 * (FORM_FIELDS). 0, -EINVAL or -ENOMEM. */
int pattern_fields_parse(struct parser *ps, struct pattern *p);

/* Whether the event's fields fit p's slots and their conditions. */
bool pattern_fields_match(const struct pattern *p, const char *line,
			  size_t len);

/* The number sel (SELECTOR_NAME or SELECTOR_POSITION) names in an event
 * under p: as pattern_value, or -ENOMEM. */
int pattern_fields_value(const struct pattern *p, const struct selector *sel,
			 const char *line, size_t len, double *out);

/* pattern_texts for n field selectors under p: the event split once. */
int pattern_fields_texts(const struct pattern *p, const struct selector *sels,
			 size_t n, const char *line, size_t len,
			 pattern_texts_fn fn, void *ctx);

#endif
