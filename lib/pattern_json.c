/*
 * pattern_json: JSON patterns, `{ $.level = "error" && $.latency > 500 }`
 * — selectors, their conditions, and an event read with jansson (integers
 * as doubles) to test them or to take a metric filter's value from.
 */
#include "lib/pattern_impl.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/*
 * A selector at pos: '$', then .name and [N] steps, an index only after
 * a property. Steps into steps[SELECTOR_STEPS_MAX], their count in *n.
 */
int pattern_json_read_selector(struct parser *ps, struct step *steps, size_t *n)
{
	size_t at = ps->pos, start;

	*n = 0;
	if (peek(ps) != '$' || at_end(ps))
		return pattern_fail(ps, at,
				    "expected a selector such as $.name");
	ps->pos++;
	for (;;) {
		struct step st = {NULL, 0, 0};

		if (peek(ps) == '.' && !at_end(ps)) {
			start = ++ps->pos;
			if (peek(ps) == '*' || peek(ps) == '.')
				return pattern_fail(
					ps, start,
					"wildcard and recursive selectors "
					"are not supported");
			while (!at_end(ps) && is_key_byte(peek(ps)))
				ps->pos++;
			if (ps->pos == start)
				return pattern_fail(
					ps, start,
					"empty property name in selector");
			st.key = ps->s + start;
			st.key_len = ps->pos - start;
		} else if (peek(ps) == '[' && !at_end(ps)) {
			size_t open = ps->pos, digits = 0;

			if (*n == 0)
				return pattern_fail(
					ps, open,
					"an array index must follow a "
					"property, as in $.list[0]");
			ps->pos++;
			while (!at_end(ps) && is_digit(peek(ps))) {
				if (++digits > 9)
					return pattern_fail(
						ps, open,
						"array index too large");
				st.index = st.index * 10 +
					   (size_t)(peek(ps) - '0');
				ps->pos++;
			}
			if (digits == 0)
				return pattern_fail(ps, ps->pos,
						    "expected an array index");
			if (peek(ps) != ']' || at_end(ps))
				return pattern_fail(
					ps, open,
					"'[' without its closing ']'");
			ps->pos++;
		} else {
			break;
		}
		if (*n == SELECTOR_STEPS_MAX)
			return pattern_fail(ps, at,
					    "selector deeper than %d steps",
					    SELECTOR_STEPS_MAX);
		steps[(*n)++] = st;
	}
	if (*n == 0)
		return pattern_fail(
			ps, at, "a selector needs a property, as in $.name");
	return 0;
}

static int parse_json_cond(struct parser *ps, struct cond *c)
{
	struct step steps[SELECTOR_STEPS_MAX];
	size_t n, at;
	int rc;

	rc = pattern_json_read_selector(ps, steps, &n);
	if (rc)
		return rc;
	c->path = malloc(n * sizeof(*c->path));
	if (!c->path)
		return pattern_fail_nomem(ps);
	memcpy(c->path, steps, n * sizeof(*c->path));
	c->nsteps = n;
	skip_blanks(ps);
	at = ps->pos;
	if (pattern_take_word(ps, "IS")) {
		skip_blanks(ps);
		if (pattern_take_word(ps, "TRUE"))
			c->op = OP_IS_TRUE;
		else if (pattern_take_word(ps, "FALSE"))
			c->op = OP_IS_FALSE;
		else if (pattern_take_word(ps, "NULL"))
			c->op = OP_IS_NULL;
		else
			return pattern_fail(ps, at,
					    "expected TRUE, FALSE or NULL "
					    "after IS");
		return 0;
	}
	if (pattern_take_word(ps, "NOT")) {
		skip_blanks(ps);
		if (!pattern_take_word(ps, "EXISTS"))
			return pattern_fail(ps, at,
					    "expected EXISTS after NOT");
		c->op = OP_NOT_EXISTS;
		return 0;
	}
	return pattern_read_comparison(ps, c, ")}");
}

int pattern_json_parse(struct parser *ps, struct pattern *p)
{
	size_t open = ps->pos;
	int rc;

	p->form = FORM_JSON;
	ps->pos++;
	skip_blanks(ps);
	if (at_end(ps))
		return pattern_fail(ps, open, "'{' without its closing '}'");
	if (peek(ps) == '}')
		return pattern_fail(
			ps, open,
			"empty JSON pattern '{}': write a condition, such"
			" as { $.level = \"error\" }");
	rc = pattern_parse_or(ps, parse_json_cond, &p->json);
	if (rc)
		return rc;
	skip_blanks(ps);
	if (at_end(ps))
		return pattern_fail(ps, open, "'{' without its closing '}'");
	if (peek(ps) == ')')
		return pattern_fail(ps, ps->pos, "')' without an opening '('");
	if (peek(ps) != '}')
		return pattern_fail(ps, ps->pos, "expected '&&', '||' or '}'");
	ps->pos++;
	skip_blanks(ps);
	if (!at_end(ps))
		return pattern_fail(
			ps, ps->pos,
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
		return pattern_compare(c, json_string_value(node),
				       json_string_length(node), false, 0);
	case JSON_INTEGER:
	case JSON_REAL:
		return pattern_compare(c, NULL, 0, true,
				       json_number_value(node));
	case JSON_TRUE:
		return pattern_compare(c, "true", 4, false, 0);
	case JSON_FALSE:
		return pattern_compare(c, "false", 5, false, 0);
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

bool pattern_json_match(const struct pattern *p, const char *line, size_t len)
{
	json_t *root = json_event(line, len);
	bool found;

	if (!root)
		return false;
	found = pattern_expr_holds(p->json, json_cond_holds, root);
	json_decref(root);
	return found;
}

int pattern_json_value(const struct selector *sel, const char *line, size_t len,
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
		rc = pattern_number_from(json_string_value(node),
					 json_string_length(node), out)
			     ? 0
			     : -EINVAL;
	} else {
		rc = -EINVAL;
	}
	json_decref(root);
	return rc;
}

/*
 * The text of node into *text and *len (a number written into buf):
 * false for a JSON null, object or array, which give no text.
 */
static bool json_text(json_t *node, char buf[NUMBER_TEXT_MAX],
		      const char **text, size_t *len)
{
	switch (json_typeof(node)) {
	case JSON_STRING:
		*text = json_string_value(node);
		*len = json_string_length(node);
		return true;
	case JSON_INTEGER:
	case JSON_REAL:
		*len = pattern_number_text(json_number_value(node), buf);
		*text = buf;
		return true;
	case JSON_TRUE:
		*text = "true";
		*len = 4;
		return true;
	case JSON_FALSE:
		*text = "false";
		*len = 5;
		return true;
	default:
		return false;
	}
}

int pattern_json_texts(const struct selector *sels, size_t n, const char *line,
		       size_t len, pattern_texts_fn fn, void *ctx)
{
	char numbers[PATTERN_TEXTS_MAX][NUMBER_TEXT_MAX];
	const char *texts[PATTERN_TEXTS_MAX] = {NULL};
	size_t lens[PATTERN_TEXTS_MAX] = {0}, i;
	json_t *root = json_event(line, len), *node;
	int rc;

	for (i = 0; root && i < n; i++) {
		node = json_resolve(root, sels[i].steps, sels[i].nsteps);
		if (node && !json_text(node, numbers[i], &texts[i], &lens[i]))
			texts[i] = NULL;
	}
	rc = fn(ctx, texts, lens);
	json_decref(root);
	return rc;
}
