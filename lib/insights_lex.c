/*
 * insights_lex: the tokens of a Logs Insights query, the messages that
 * say at which character a query is wrong, and /regex/ bodies turned
 * into what regcomp reads (named groups, \w and friends, (?i)), compiled
 * behind the pattern module's guard against runaway regexes.
 *
 * A '/' is division or the start of a regex depending on what the parser
 * expects; the lexer reads it as TOK_SLASH and the parser asks for the
 * regex reading (insights_lex_regex) where an operand may start.
 */
#include "lib/insights_impl.h"
#include "lib/parse.h"
#include "lib/pattern.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NUMBER_TEXT_MAX 64 /* a number token's bytes, longer refused */
#define GROUP_NAME_MAX 64  /* (?<name>...) */

int insights_fail(const char *s, size_t at, struct err *err, const char *fmt,
		  ...)
{
	char why[ERR_MSG_MAX];
	size_t chars = 1, i;
	va_list ap;

	for (i = 0; i < at; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			chars++;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	err_set(err, "position %zu: %s", chars, why);
	return -EINVAL;
}

void insights_token_release(struct token *tok)
{
	free(tok->owned);
	tok->owned = NULL;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       c == '@' || c == '$';
}

static bool is_name_byte(char c)
{
	return is_name_start(c) || is_digit(c) || c == '.';
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

/* Skip blanks and comments (# to the end of the line). */
static void skip_space(struct lexer *lx)
{
	while (lx->pos < lx->len) {
		char c = lx->s[lx->pos];

		if (is_blank(c)) {
			lx->pos++;
		} else if (c == '#') {
			while (lx->pos < lx->len && lx->s[lx->pos] != '\n')
				lx->pos++;
		} else {
			break;
		}
	}
}

static const struct {
	const char *name;
	enum time_unit unit;
} UNITS[] = {
	{"ms", UNIT_MS},
	{"s", UNIT_SECOND},
	{"sec", UNIT_SECOND},
	{"second", UNIT_SECOND},
	{"seconds", UNIT_SECOND},
	{"m", UNIT_MINUTE},
	{"min", UNIT_MINUTE},
	{"minute", UNIT_MINUTE},
	{"minutes", UNIT_MINUTE},
	{"h", UNIT_HOUR},
	{"hr", UNIT_HOUR},
	{"hour", UNIT_HOUR},
	{"hours", UNIT_HOUR},
	{"d", UNIT_DAY},
	{"day", UNIT_DAY},
	{"days", UNIT_DAY},
	{"w", UNIT_WEEK},
	{"week", UNIT_WEEK},
	{"weeks", UNIT_WEEK},
	{"mo", UNIT_MONTH},
	{"month", UNIT_MONTH},
	{"months", UNIT_MONTH},
	{"q", UNIT_QUARTER},
	{"quarter", UNIT_QUARTER},
	{"quarters", UNIT_QUARTER},
	{"y", UNIT_YEAR},
	{"yr", UNIT_YEAR},
	{"year", UNIT_YEAR},
	{"years", UNIT_YEAR},
};

/* A number at pos, and a unit attached to it (a duration). */
static int lex_number(struct lexer *lx, struct token *tok)
{
	char text[NUMBER_TEXT_MAX + 1];
	size_t start = lx->pos, n, unit_start, i;
	const char *s = lx->s;

	while (lx->pos < lx->len && is_digit(s[lx->pos]))
		lx->pos++;
	if (lx->pos + 1 < lx->len && s[lx->pos] == '.' &&
	    is_digit(s[lx->pos + 1])) {
		lx->pos++;
		while (lx->pos < lx->len && is_digit(s[lx->pos]))
			lx->pos++;
	}
	if (lx->pos < lx->len && (s[lx->pos] == 'e' || s[lx->pos] == 'E')) {
		size_t e = lx->pos + 1;

		if (e < lx->len && (s[e] == '+' || s[e] == '-'))
			e++;
		if (e < lx->len && is_digit(s[e])) {
			lx->pos = e;
			while (lx->pos < lx->len && is_digit(s[lx->pos]))
				lx->pos++;
		}
	}
	n = lx->pos - start;
	if (n > NUMBER_TEXT_MAX || parse_value(s + start, n, &tok->number))
		return insights_fail(s, start, lx->err, "bad number");
	memcpy(text, s + start, n);
	text[n] = '\0';
	tok->kind = TOK_NUMBER;
	unit_start = lx->pos;
	while (lx->pos < lx->len && is_name_byte(s[lx->pos]))
		lx->pos++;
	if (lx->pos == unit_start)
		return 0;
	for (i = 0; i < sizeof(UNITS) / sizeof(UNITS[0]); i++)
		if (strlen(UNITS[i].name) == lx->pos - unit_start &&
		    strncasecmp(UNITS[i].name, s + unit_start,
				lx->pos - unit_start) == 0)
			break;
	if (i == sizeof(UNITS) / sizeof(UNITS[0]))
		return insights_fail(
			s, unit_start, lx->err, "unknown time unit '%.*s'",
			(int)(lx->pos - unit_start), s + unit_start);
	if (strchr(text, '.') || strchr(text, 'e') || strchr(text, 'E') ||
	    tok->number < 1 || tok->number > 1e12)
		return insights_fail(
			s, start, lx->err,
			"a duration counts whole units, 1 or more");
	tok->kind = TOK_DURATION;
	tok->duration.count = (int64_t)tok->number;
	tok->duration.unit = UNITS[i].unit;
	return 0;
}

/* A 'string' or "string" at pos, escapes decoded into tok->owned. */
static int lex_string(struct lexer *lx, struct token *tok)
{
	char quote = lx->s[lx->pos];
	size_t start = lx->pos, n = 0;
	char *out;

	out = malloc(lx->len - start + 1);
	if (!out) {
		err_set(lx->err, "out of memory parsing the query");
		return -ENOMEM;
	}
	for (lx->pos++; lx->pos < lx->len && lx->s[lx->pos] != quote;
	     lx->pos++) {
		char c = lx->s[lx->pos];

		if (c == '\\' && lx->pos + 1 < lx->len) {
			char next = lx->s[++lx->pos];

			if (next == 'n')
				c = '\n';
			else if (next == 't')
				c = '\t';
			else if (next == 'r')
				c = '\r';
			else if (next == quote || next == '\\')
				c = next;
			else
				out[n++] = '\\', c = next;
		}
		out[n++] = c;
	}
	if (lx->pos >= lx->len) {
		free(out);
		return insights_fail(lx->s, start, lx->err,
				     "%c without its closing %c", quote, quote);
	}
	lx->pos++;
	out[n] = '\0';
	tok->kind = TOK_STRING;
	tok->owned = out;
	tok->text = out;
	tok->len = n;
	return 0;
}

/* The operator at pos. */
static int lex_operator(struct lexer *lx, struct token *tok)
{
	static const struct {
		const char *text;
		enum token_kind kind;
	} OPS[] = {
		{"!=", TOK_NE},	     {"<=", TOK_LE},	  {">=", TOK_GE},
		{"=~", TOK_MATCH},   {"==", TOK_EQ},	  {"|", TOK_PIPE},
		{",", TOK_COMMA},    {"(", TOK_LPAREN},	  {")", TOK_RPAREN},
		{"[", TOK_LBRACKET}, {"]", TOK_RBRACKET}, {"=", TOK_EQ},
		{"<", TOK_LT},	     {">", TOK_GT},	  {"+", TOK_PLUS},
		{"-", TOK_MINUS},    {"*", TOK_STAR},	  {"/", TOK_SLASH},
		{"%", TOK_PERCENT},
	};
	size_t i, n;

	for (i = 0; i < sizeof(OPS) / sizeof(OPS[0]); i++) {
		n = strlen(OPS[i].text);
		if (lx->len - lx->pos >= n &&
		    memcmp(lx->s + lx->pos, OPS[i].text, n) == 0) {
			tok->kind = OPS[i].kind;
			lx->pos += n;
			return 0;
		}
	}
	return insights_fail(lx->s, lx->pos, lx->err, "unexpected '%c'",
			     lx->s[lx->pos]);
}

int insights_lex_next(struct lexer *lx, struct token *tok)
{
	int rc = 0;
	char c;

	insights_token_release(tok);
	memset(tok, 0, sizeof(*tok));
	skip_space(lx);
	tok->pos = lx->pos;
	if (lx->pos >= lx->len) {
		tok->kind = TOK_END;
		tok->end = lx->pos;
		return 0;
	}
	c = lx->s[lx->pos];
	if (is_name_start(c)) {
		while (lx->pos < lx->len && is_name_byte(lx->s[lx->pos]))
			lx->pos++;
		tok->kind = TOK_NAME;
		tok->text = lx->s + tok->pos;
		tok->len = lx->pos - tok->pos;
	} else if (c == '`') {
		const char *close =
			memchr(lx->s + lx->pos + 1, '`', lx->len - lx->pos - 1);

		if (!close || close == lx->s + lx->pos + 1)
			return insights_fail(lx->s, lx->pos, lx->err,
					     close ? "empty `name`"
						   : "` without its closing `");
		tok->kind = TOK_NAME;
		tok->quoted = true;
		tok->text = lx->s + lx->pos + 1;
		tok->len = (size_t)(close - tok->text);
		lx->pos = (size_t)(close - lx->s) + 1;
	} else if (is_digit(c)) {
		rc = lex_number(lx, tok);
	} else if (c == '"' || c == '\'') {
		rc = lex_string(lx, tok);
	} else {
		rc = lex_operator(lx, tok);
	}
	tok->end = lx->pos;
	return rc;
}

int insights_lex_regex(struct lexer *lx, struct token *tok)
{
	size_t i = tok->pos + 1;

	while (i < lx->len && lx->s[i] != '/') {
		if (lx->s[i] == '\\' && i + 1 < lx->len)
			i++;
		i++;
	}
	if (i >= lx->len)
		return insights_fail(lx->s, tok->pos, lx->err,
				     "/ without its closing /");
	if (i == tok->pos + 1)
		return insights_fail(lx->s, tok->pos, lx->err,
				     "empty regular expression //");
	insights_token_release(tok);
	tok->kind = TOK_REGEX;
	tok->text = lx->s + tok->pos + 1;
	tok->len = i - tok->pos - 1;
	lx->pos = i + 1;
	tok->end = lx->pos;
	return 0;
}

/* ---- /regex/ into a POSIX extended regex ---- */

/* What the translation keeps while it walks the body. */
struct regex_out {
	char *buf;
	size_t len;
	char **names; /* names[group], grown as groups open */
	size_t ngroups;
	size_t names_cap;
	struct err *why;
};

static void out_adds(struct regex_out *o, const char *s)
{
	size_t n = strlen(s);

	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

/* A new group numbered ngroups + 1, named name[0..len) (len 0: none). */
static int open_group(struct regex_out *o, const char *name, size_t len)
{
	if (o->ngroups + 2 > o->names_cap) {
		size_t cap = o->names_cap ? o->names_cap * 2 : 8;
		char **grown = realloc(o->names, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		o->names = grown;
		o->names_cap = cap;
		if (o->ngroups == 0)
			o->names[0] = NULL;
	}
	o->ngroups++;
	o->names[o->ngroups] = NULL;
	if (len) {
		o->names[o->ngroups] = strndup(name, len);
		if (!o->names[o->ngroups])
			return -ENOMEM;
	}
	out_adds(o, "(");
	return 0;
}

/* The class \c stands for (w W s S d D), inside brackets or not. */
static const char *class_escape(char c, bool in_bracket)
{
	switch (c) {
	case 'w':
		return in_bracket ? "[:alnum:]_" : "[[:alnum:]_]";
	case 's':
		return in_bracket ? "[:space:]" : "[[:space:]]";
	case 'd':
		return in_bracket ? "0-9" : "[0-9]";
	case 'W':
		return in_bracket ? NULL : "[^[:alnum:]_]";
	case 'S':
		return in_bracket ? NULL : "[^[:space:]]";
	case 'D':
		return in_bracket ? NULL : "[^0-9]";
	default:
		return NULL;
	}
}

/* A bracket expression at raw[*i] == '[' copied, classes translated. */
static int copy_bracket(struct regex_out *o, const char *raw, size_t len,
			size_t *i)
{
	size_t j = *i;

	o->buf[o->len++] = raw[j++];
	if (j < len && raw[j] == '^')
		o->buf[o->len++] = raw[j++];
	if (j < len && raw[j] == ']')
		o->buf[o->len++] = raw[j++];
	while (j < len && raw[j] != ']') {
		if (raw[j] == '[' && j + 1 < len && strchr(":.=", raw[j + 1])) {
			char kind = raw[j + 1];

			o->buf[o->len++] = raw[j++];
			o->buf[o->len++] = raw[j++];
			while (j < len && !(raw[j] == kind && j + 1 < len &&
					    raw[j + 1] == ']'))
				o->buf[o->len++] = raw[j++];
			continue;
		}
		if (raw[j] == '\\' && j + 1 < len) {
			const char *cls = class_escape(raw[j + 1], true);

			if (!cls && strchr("WSD", raw[j + 1])) {
				err_set(o->why,
					"\\%c inside [...] is not "
					"supported",
					raw[j + 1]);
				return -EINVAL;
			}
			if (cls)
				out_adds(o, cls);
			else
				o->buf[o->len++] = raw[j + 1];
			j += 2;
			continue;
		}
		o->buf[o->len++] = raw[j++];
	}
	if (j < len)
		o->buf[o->len++] = raw[j++];
	*i = j;
	return 0;
}

/* A "(?" group at raw[*i]: named, non-capturing, or refused. */
static int special_group(struct regex_out *o, const char *raw, size_t len,
			 size_t *i)
{
	size_t j = *i + 2, start;

	if (j < len && raw[j] == ':') {
		*i = j + 1;
		return open_group(o, NULL, 0);
	}
	if (j < len && raw[j] == 'P')
		j++;
	if (j < len && raw[j] == '<' && j + 1 < len && raw[j + 1] != '=' &&
	    raw[j + 1] != '!') {
		start = ++j;
		while (j < len && (is_name_start(raw[j]) || is_digit(raw[j])) &&
		       raw[j] != '@' && raw[j] != '$')
			j++;
		if (j >= len || raw[j] != '>' || j == start ||
		    j - start > GROUP_NAME_MAX) {
			err_set(o->why, "bad group name in (?<name>...)");
			return -EINVAL;
		}
		*i = j + 1;
		return open_group(o, raw + start, j - start);
	}
	err_set(o->why,
		"unsupported group '(?%c' (named groups (?<name>...) "
		"and (?:...) are supported)",
		j < len ? raw[j] : ' ');
	return -EINVAL;
}

/* Translate raw[0..len) into o->buf. */
static int translate(struct regex_out *o, const char *raw, size_t len)
{
	size_t i = 0;
	bool after_quantifier = false;
	int rc;

	while (i < len) {
		char c = raw[i];
		bool quantifier = false;

		if (c == '\\' && i + 1 < len) {
			const char *cls = class_escape(raw[i + 1], false);
			char next = raw[i + 1];

			if (cls && next != 'd' && next != 'D')
				out_adds(o, cls);
			else if (next == 't')
				o->buf[o->len++] = '\t';
			else if (next == 'n')
				o->buf[o->len++] = '\n';
			else if (next == 'r')
				o->buf[o->len++] = '\r';
			else if (next == '/')
				o->buf[o->len++] = '/';
			else {
				o->buf[o->len++] = c;
				o->buf[o->len++] = next;
			}
			i += 2;
		} else if (c == '[') {
			rc = copy_bracket(o, raw, len, &i);
			if (rc)
				return rc;
		} else if (c == '(' && i + 1 < len && raw[i + 1] == '?') {
			rc = special_group(o, raw, len, &i);
			if (rc)
				return rc;
		} else if (c == '(') {
			rc = open_group(o, NULL, 0);
			if (rc)
				return rc;
			i++;
		} else if (c == '?' && after_quantifier) {
			i++; /* lazy: POSIX has only greedy repetitions */
		} else {
			quantifier =
				c == '*' || c == '+' || c == '?' || c == '}';
			o->buf[o->len++] = c;
			i++;
		}
		after_quantifier = quantifier;
	}
	o->buf[o->len] = '\0';
	return 0;
}

void insights_group_names_free(char **names, size_t ngroups)
{
	size_t i;

	if (!names)
		return;
	for (i = 0; i <= ngroups; i++)
		free(names[i]);
	free(names);
}

int insights_regex_compile(const char *raw, size_t len, bool capture,
			   regex_t *re, char ***names, size_t *ngroups,
			   struct err *why)
{
	struct regex_out o = {.why = why};
	int cflags = capture ? 0 : REG_NOSUB;
	int rc;

	if (len >= 4 && memcmp(raw, "(?i)", 4) == 0) {
		cflags |= REG_ICASE;
		raw += 4;
		len -= 4;
	}
	/* \w grows the most: 12 bytes for 2 */
	o.buf = malloc(len * 7 + 1);
	if (!o.buf)
		goto nomem;
	rc = translate(&o, raw, len);
	if (rc == -ENOMEM)
		goto nomem;
	if (!rc)
		rc = pattern_regex_compile(o.buf, o.len, cflags, re, why);
	free(o.buf);
	if (rc || !capture) {
		insights_group_names_free(o.names, o.ngroups);
		return rc;
	}
	*names = o.names;
	*ngroups = o.ngroups;
	return 0;
nomem:
	free(o.buf);
	insights_group_names_free(o.names, o.ngroups);
	err_set(why, "out of memory compiling a regular expression");
	return -ENOMEM;
}
