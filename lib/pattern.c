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
 *
 * This file holds the entry points of pattern.h: it picks the form and
 * hands the text or the event to that form's part, and reads a metric
 * filter's value selector. The parts and what they share are listed in
 * lib/pattern_impl.h.
 */
#include "lib/pattern_impl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
		rc = pattern_json_parse(&ps, p);
	else if (peek(&ps) == '[' && !at_end(&ps))
		rc = pattern_fields_parse(&ps, p);
	else
		rc = pattern_terms_parse(&ps, p);
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
		return pattern_json_match(p, line, len);
	case FORM_FIELDS:
		return pattern_fields_match(p, line, len);
	default:
		return pattern_terms_match(p, line, len);
	}
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
				pattern_show(sl->name, sl->name_len, shown));
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
			return fail_selector(
				ps->err, "'%s': field number too large",
				pattern_show(ps->s, ps->len, shown));
		sel->position = sel->position * 10 + (size_t)(peek(ps) - '0');
		ps->pos++;
	}
	if (!at_end(ps))
		return fail_selector(ps->err,
				     "'%s' is not $field, $N or $.json.path",
				     pattern_show(ps->s, ps->len, shown));
	if (sel->position == 0 ||
	    (p->nellipses == 0 && sel->position > p->nslots))
		return fail_selector(ps->err,
				     "'%s' is not a field number of the"
				     " pattern, which has %zu field%s",
				     pattern_show(ps->s, ps->len, shown),
				     p->nslots, p->nslots == 1 ? "" : "s");
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
	pattern_show(text, ps.len, shown);
	if (looking_at(&ps, "$.")) {
		sel->kind = SELECTOR_JSON;
		if (pattern_json_read_selector(&ps, sel->steps, &sel->nsteps))
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
	if (!pattern_fields_read_name(&ps, &name, &len) || !at_end(&ps))
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

int pattern_value(const struct pattern *p, const char *selector,
		  const char *line, size_t len, double *out)
{
	struct selector sel;

	if (selector_parse(p, selector, &sel, NULL))
		return -EINVAL;
	if (!line)
		line = "";
	if (sel.kind == SELECTOR_JSON)
		return pattern_json_value(&sel, line, len, out);
	return pattern_fields_value(p, &sel, line, len, out);
}

int pattern_texts(const struct pattern *p, const char *const *selectors,
		  size_t n, const char *line, size_t len, pattern_texts_fn fn,
		  void *ctx)
{
	struct selector sels[PATTERN_TEXTS_MAX];
	size_t i, json = 0;

	if (n > PATTERN_TEXTS_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (selector_parse(p, selectors[i], &sels[i], NULL))
			return -EINVAL;
		json += sels[i].kind == SELECTOR_JSON;
	}
	if (json && json != n)
		return -EINVAL;
	if (!line)
		line = "";
	if (json)
		return pattern_json_texts(sels, n, line, len, fn, ctx);
	return pattern_fields_texts(p, sels, n, line, len, fn, ctx);
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
		pattern_value_free(&p->terms[i].value);
	free(p->terms);
	pattern_expr_free(p->json);
	for (i = 0; i < p->nslots; i++)
		pattern_expr_free(p->slots[i].test);
	free(p->slots);
	free(p->runs);
	free(p->source);
	free(p);
}
