/*
 * pattern_fields: space-delimited patterns, `[ip, user, ..., status=5*]`
 * — slots and their conditions, an event split into fields (on the stack
 * for up to FIELDS_ON_STACK of them), runs of slots laid on the fields
 * between ellipses, and a named or numbered field's metric value.
 */
#include "lib/pattern_impl.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FIELDS_ON_STACK 64 /* event fields split without malloc */

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

/* Event fields are split at runs of spaces and tabs. */
static bool is_field_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_name_byte(char c)
{
	return is_alpha(c) || is_digit(c) || c == '_';
}

/* A field name at pos: a letter or '_', then letters, digits, '_'. */
bool pattern_fields_read_name(struct parser *ps, const char **name, size_t *len)
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
		return pattern_fail(ps, at,
				    "a condition without a field name before"
				    " its operator");
	if (!pattern_fields_read_name(ps, &name, &len))
		return pattern_fail(ps, at, "expected a field name");
	if (!ps->slot_name) {
		ps->slot_name = name;
		ps->slot_name_len = len;
	} else if (len != ps->slot_name_len ||
		   memcmp(name, ps->slot_name, len) != 0) {
		return pattern_fail(
			ps, at,
			"'%s' in a condition of field '%s': && and ||"
			" join conditions on one field, and ','"
			" separates fields",
			pattern_show(name, len, shown),
			pattern_show(ps->slot_name, ps->slot_name_len, slot));
	}
	skip_blanks(ps);
	if (!at_end(ps) && !in_set(peek(ps), "=!<>~"))
		return pattern_fail(
			ps, ps->pos,
			"expected ',' between fields, or an operator (= !="
			" < <= > >=) after '%s'",
			pattern_show(name, len, shown));
	return pattern_read_comparison(ps, c, ",])");
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
	if (pattern_fields_read_name(ps, &slot->name, &slot->name_len)) {
		skip_blanks(ps);
		if (at_end(ps) || in_set(peek(ps), ",]"))
			return 0;
		ps->pos = save;
	}
	ps->slot_name = NULL;
	ps->slot_name_len = 0;
	slot->name = NULL;
	rc = pattern_parse_or(ps, parse_field_cond, &slot->test);
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
				return pattern_fail(
					ps, (size_t)(a->name - ps->s),
					"field '%s' named twice",
					pattern_show(a->name, a->name_len,
						     shown));
		}
	}
	p->nruns = p->nellipses + 1;
	p->runs = calloc(p->nruns, sizeof(*p->runs));
	if (!p->runs)
		return pattern_fail_nomem(ps);
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
		pattern_expr_free(slot.test);
		return pattern_fail_nomem(ps);
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
			return pattern_fail(ps, open,
					    "'[' without its closing ']'");
		if (peek(ps) == ']')
			return 0;
		if (peek(ps) != ',')
			return pattern_fail(
				ps, ps->pos,
				"expected ',' or ']' (fields are separated"
				" by ',')");
		ps->pos++;
	}
}

int pattern_fields_parse(struct parser *ps, struct pattern *p)
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
		return pattern_fail(
			ps, ps->pos,
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
		has_number = pattern_number_from(f->text, f->len, &number);
	return pattern_compare(c, f->text, f->len, has_number, number);
}

static bool run_fits(const struct pattern *p, const struct run *run,
		     const struct field *fields)
{
	size_t i;

	for (i = 0; i < run->count; i++) {
		const struct slot *s = &p->slots[run->first + i];

		if (s->test &&
		    !pattern_expr_holds(s->test, field_cond_holds, &fields[i]))
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

bool pattern_fields_match(const struct pattern *p, const char *line, size_t len)
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

/* A field's text as a metric value: "-" is CloudWatch's no value. */
static int text_value(const char *text, size_t len, double *out)
{
	if (len == 1 && text[0] == '-')
		return -ENOENT;
	return pattern_number_from(text, len, out) ? 0 : -EINVAL;
}

int pattern_fields_value(const struct pattern *p, const struct selector *sel,
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

/*
 * Where sel's field is among the n fields of an event that fits p: its
 * index, or n when the event has no such field.
 */
static size_t field_index(const struct pattern *p, const struct selector *sel,
			  const struct field *fields, size_t n)
{
	size_t want = 0, start = 0, index;

	if (sel->kind == SELECTOR_POSITION)
		return sel->position - 1 < n ? sel->position - 1 : n;
	while (want + 1 < p->nruns && p->runs[want + 1].first <= sel->slot)
		want++;
	if (!place_runs(p, fields, n, want, &start))
		return n;
	index = start + sel->slot - p->runs[want].first;
	return index < n ? index : n;
}

int pattern_fields_texts(const struct pattern *p, const struct selector *sels,
			 size_t n, const char *line, size_t len,
			 pattern_texts_fn fn, void *ctx)
{
	const char *texts[PATTERN_TEXTS_MAX] = {NULL};
	size_t lens[PATTERN_TEXTS_MAX] = {0}, i, at;
	size_t limit = p->nellipses ? SIZE_MAX : p->nslots + 1;
	struct field_list fl;
	int rc;

	field_list_init(&fl);
	rc = field_list_split(&fl, line, len, limit);
	for (i = 0; !rc && i < n; i++) {
		at = field_index(p, &sels[i], fl.items, fl.n);
		if (at == fl.n)
			continue;
		if (fl.items[at].len == 1 && fl.items[at].text[0] == '-')
			continue; /* CloudWatch's "no value" */
		texts[i] = fl.items[at].text;
		lens[i] = fl.items[at].len;
	}
	if (!rc)
		rc = fn(ctx, texts, lens);
	field_list_release(&fl);
	return rc;
}
