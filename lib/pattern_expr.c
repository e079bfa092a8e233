/*
 * pattern_expr: what the JSON and space-delimited forms share — a
 * condition's value (text with '*' wildcards, a number, or a %regex%),
 * how a subject compares with it, and the && || ( ) grammar over
 * conditions whose leaves each form parses and tests its own way.
 */
#include "lib/pattern_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- values ---- */

void pattern_value_free(struct value *v)
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
int pattern_value_set_text(struct value *v, const char *raw, size_t len,
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
 * Read a condition's value at pos: "quoted", %regex%, or bare bytes up to
 * a blank, a byte of stops, '"', "&&" or "||".
 */
static int read_value(struct parser *ps, const char *stops, struct value *v)
{
	size_t start = ps->pos, end;
	int rc;

	if (at_end(ps) || in_set(peek(ps), stops))
		return pattern_fail(ps, start,
				    "expected a value after the operator");
	if (peek(ps) == '"') {
		rc = pattern_find_close(ps, '"', &end);
		if (rc)
			return rc;
		if (pattern_value_set_text(v, ps->s + start + 1,
					   end - start - 1, true, true))
			return pattern_fail_nomem(ps);
		ps->pos = end + 1;
		return 0;
	}
	if (peek(ps) == '%')
		return pattern_regex_read(ps, v);
	while (!at_end(ps) && !is_pattern_blank(peek(ps)) &&
	       !in_set(peek(ps), stops) && peek(ps) != '"' &&
	       !looking_at(ps, "&&") && !looking_at(ps, "||"))
		ps->pos++;
	if (ps->pos == start)
		return pattern_fail(ps, start,
				    "expected a value after the operator");
	if (pattern_value_set_text(v, ps->s + start, ps->pos - start, false,
				   true))
		return pattern_fail_nomem(ps);
	/* "4*" is a glob, not the number 4 */
	v->is_number = v->nsegs == 1 &&
		       pattern_number_from(v->text, v->len, &v->number);
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
		len = pattern_number_text(number, buf);
		text = buf;
	}
	if (v->is_regex)
		return pattern_regex_search(&v->regex, text, len);
	return glob_matches(v, text, len);
}

bool pattern_compare(const struct cond *c, const char *text, size_t len,
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
	pattern_value_free(&c->value);
	free(c->path);
	c->path = NULL;
}

void pattern_expr_free(struct expr *e)
{
	size_t i;

	if (!e)
		return;
	for (i = 0; i < e->nkids; i++)
		pattern_expr_free(e->kids[i]);
	free(e->kids);
	cond_free(&e->cond);
	free(e);
}

bool pattern_expr_holds(const struct expr *e, leaf_test leaf,
			const void *subject)
{
	size_t i;

	switch (e->kind) {
	case EXPR_AND:
		for (i = 0; i < e->nkids; i++)
			if (!pattern_expr_holds(e->kids[i], leaf, subject))
				return false;
		return true;
	case EXPR_OR:
		for (i = 0; i < e->nkids; i++)
			if (pattern_expr_holds(e->kids[i], leaf, subject))
				return true;
		return false;
	default:
		return leaf(&e->cond, subject);
	}
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
		return pattern_fail(ps, at,
				    "expected an operator (= != < <= > >=)");
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strlen(ops[i].text) == n &&
		    memcmp(ops[i].text, ps->s + at, n) == 0) {
			*op = ops[i].op;
			ps->pos += n;
			return 0;
		}
	}
	return pattern_fail(ps, at, "unknown operator '%s'",
			    pattern_show(ps->s + at, n, shown));
}

/* Operator and value of a condition, the subject already read. */
int pattern_read_comparison(struct parser *ps, struct cond *c,
			    const char *stops)
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
		return pattern_fail(ps, at,
				    "'%.*s' compares numbers, and its value is"
				    " not one",
				    c->op == OP_LT || c->op == OP_GT ? 1 : 2,
				    ps->s + at);
	return 0;
}

static int parse_leaf(struct parser *ps, leaf_parser leaf, struct expr **out)
{
	struct expr *e = calloc(1, sizeof(*e));
	int rc;

	if (!e)
		return pattern_fail_nomem(ps);
	e->kind = EXPR_COND;
	rc = leaf(ps, &e->cond);
	if (rc) {
		pattern_expr_free(e);
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
		return pattern_fail(ps, open,
				    "parentheses nested deeper than %d",
				    NESTING_MAX);
	ps->pos++;
	rc = pattern_parse_or(ps, leaf, out);
	if (rc)
		return rc;
	skip_blanks(ps);
	if (at_end(ps) || peek(ps) != ')') {
		pattern_expr_free(*out);
		*out = NULL;
		if (at_end(ps) || in_set(peek(ps), "}],"))
			return pattern_fail(ps, open,
					    "'(' without its closing ')'");
		return pattern_fail(ps, ps->pos, "expected '&&', '||' or ')'");
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
			pattern_expr_free(kid);
			rc = pattern_fail_nomem(ps);
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
		rc = pattern_fail_nomem(ps);
		goto err;
	}
	node->kind = kind;
	node->kids = kids;
	node->nkids = n;
	*out = node;
	return 0;
err:
	while (n > 0)
		pattern_expr_free(kids[--n]);
	free(kids);
	return rc;
}

/* An expression: && binds tighter than ||, parentheses group. */
int pattern_parse_or(struct parser *ps, leaf_parser leaf, struct expr **out)
{
	return parse_chain(ps, leaf, "||", EXPR_OR, out);
}
