/*
 * pattern_terms: the plain form — terms and "quoted phrases" that must
 * occur, -terms that must not, ?terms of which one must, %regex% terms;
 * each a memmem (or a regex search) over the line.
 */
#include "lib/pattern_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int parse_term(struct parser *ps, struct term *t)
{
	size_t at = ps->pos, start, end;
	char c = peek(ps);

	t->role = c == '-' ? TERM_NONE : c == '?' ? TERM_ANY : TERM_ALL;
	if (t->role != TERM_ALL) {
		ps->pos++;
		skip_blanks(ps);
		if (at_end(ps))
			return pattern_fail(ps, at,
					    "'%c' with no term after it", c);
	}
	start = ps->pos;
	if (peek(ps) == '"') {
		if (pattern_find_close(ps, '"', &end))
			return -EINVAL;
		if (pattern_value_set_text(&t->value, ps->s + start + 1,
					   end - start - 1, true, false))
			return pattern_fail_nomem(ps);
		ps->pos = end + 1;
		return 0;
	}
	if (peek(ps) == '%')
		return pattern_regex_read(ps, &t->value);
	while (!at_end(ps) && !is_pattern_blank(peek(ps))) {
		if (peek(ps) == '"')
			return pattern_fail(
				ps, ps->pos,
				"'\"' inside an unquoted term (quote the "
				"whole term)");
		ps->pos++;
	}
	if (pattern_value_set_text(&t->value, ps->s + start, ps->pos - start,
				   false, false))
		return pattern_fail_nomem(ps);
	return 0;
}

int pattern_terms_parse(struct parser *ps, struct pattern *p)
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
			pattern_value_free(&t.value);
			return rc;
		}
		grown = realloc(p->terms, (p->nterms + 1) * sizeof(*grown));
		if (!grown) {
			pattern_value_free(&t.value);
			return pattern_fail_nomem(ps);
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
		return pattern_regex_search(&t->value.regex, line, len);
	return t->value.len == 0 ||
	       memmem(line, len, t->value.text, t->value.len) != NULL;
}

/* Every plain term, no excluded one, and one ?term if there are any. */
bool pattern_terms_match(const struct pattern *p, const char *line, size_t len)
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
