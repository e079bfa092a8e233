/*
 * insights_stats: the stats command — one group per combination of the
 * `by` values, found through a hash of their bytes, and per group one
 * accumulator per stats function: counts, sums, the best value so far
 * (min, max, earliest, latest), the exact values for pct, a set of the
 * distinct values for count_distinct.
 *
 * Groups come out in the order they were first seen, or by their bin
 * ascending when a `by` key is a bin (ties keeping first-seen order).
 */
#include "lib/insights_impl.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- keysets ---- */

struct keyslot {
	char *key; /* NULL: empty slot */
	size_t len;
	uint64_t hash;
	size_t value;
};

static uint64_t hash_bytes(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

/* Double s's slots (from 16). 0 or -ENOMEM. */
static int keyset_grow(struct keyset *s)
{
	size_t cap = s->cap ? s->cap * 2 : 16, i, j;
	struct keyslot *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (i = 0; i < s->cap; i++) {
		if (!s->slots[i].key)
			continue;
		for (j = s->slots[i].hash & (cap - 1); slots[j].key;
		     j = (j + 1) & (cap - 1))
			;
		slots[j] = s->slots[i];
	}
	free(s->slots);
	s->slots = slots;
	s->cap = cap;
	return 0;
}

int keyset_put(struct keyset *s, const void *key, size_t len, size_t *value,
	       bool *added)
{
	uint64_t hash = hash_bytes(key, len);
	struct keyslot *slot;
	size_t i;

	if ((s->count + 1) * 10 > s->cap * 7 && keyset_grow(s))
		return -ENOMEM;
	for (i = hash & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		slot = &s->slots[i];
		if (!slot->key)
			break;
		if (slot->hash == hash && slot->len == len &&
		    memcmp(slot->key, key, len) == 0) {
			*value = slot->value;
			*added = false;
			return 0;
		}
	}
	slot->key = malloc(len ? len : 1);
	if (!slot->key)
		return -ENOMEM;
	memcpy(slot->key, key, len);
	slot->len = len;
	slot->hash = hash;
	slot->value = *value;
	s->count++;
	*added = true;
	return 0;
}

void keyset_release(struct keyset *s)
{
	size_t i;

	for (i = 0; i < s->cap; i++)
		free(s->slots[i].key);
	free(s->slots);
	memset(s, 0, sizeof(*s));
}

int ival_key(const struct ival *v, struct strbuf *key)
{
	char kind = v->kind == IVAL_NUMBER   ? 'n'
		    : v->kind == IVAL_TIME   ? 't'
		    : v->kind == IVAL_STRING ? 's'
					     : '0';
	int rc = strbuf_add(key, &kind, 1);

	if (!rc && v->kind == IVAL_NUMBER)
		rc = strbuf_add(key, &v->number, sizeof(v->number));
	if (!rc && v->kind == IVAL_TIME)
		rc = strbuf_add(key, &v->ms, sizeof(v->ms));
	if (!rc && v->kind == IVAL_STRING) {
		rc = strbuf_add(key, &v->len, sizeof(v->len));
		if (!rc)
			rc = strbuf_add(key, v->str, v->len);
	}
	return rc;
}

/* ---- groups ---- */

struct accumulator {
	uint64_t count;
	double sum;
	double sum_squares;
	struct ival best; /* min, max, earliest, latest; owned */
	int64_t best_ms;  /* earliest, latest: the event's time */
	bool has_best;
	double *values; /* pct */
	size_t nvalues;
	size_t values_cap;
	bool sorted;
	struct keyset distinct; /* count_distinct */
};

struct group {
	struct ival *keys; /* the `by` values, owned */
	struct accumulator *acc;
};

struct stats_table {
	const struct command *c;
	struct group *groups;
	size_t ngroups;
	size_t groups_cap;
	struct keyset index; /* a group's key bytes -> its index */
	struct strbuf key;
	struct ival *keys;    /* the event's `by` values, nby */
	size_t *order;	      /* output order, made at the first row */
	struct ival *results; /* aggregate results of the row being made */
};

struct stats_table *stats_table_new(const struct command *c)
{
	struct stats_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->c = c;
	t->keys = calloc(c->nby + 1, sizeof(*t->keys));
	t->results = calloc(c->naggregates + 1, sizeof(*t->results));
	if (!t->keys || !t->results) {
		stats_table_free(t);
		return NULL;
	}
	return t;
}

size_t stats_table_size(const struct stats_table *t)
{
	return t->ngroups;
}

static void accumulator_release(struct accumulator *a)
{
	ival_release(&a->best);
	free(a->values);
	keyset_release(&a->distinct);
}

void stats_table_free(struct stats_table *t)
{
	size_t i, j;

	if (!t)
		return;
	for (i = 0; i < t->ngroups; i++) {
		for (j = 0; j < t->c->nby; j++)
			ival_release(&t->groups[i].keys[j]);
		for (j = 0; j < t->c->naggregates; j++)
			accumulator_release(&t->groups[i].acc[j]);
		free(t->groups[i].keys);
		free(t->groups[i].acc);
	}
	free(t->groups);
	keyset_release(&t->index);
	strbuf_release(&t->key);
	free(t->keys);
	free(t->order);
	free(t->results);
	free(t);
}

/* The value of an item: its expression, or its field as it is. */
static int item_value(struct record *r, const struct item *it, struct ival *out)
{
	return it->expr ? insights_eval(r, it->expr, out)
			: record_get(r, it->symbol, out);
}

/* A new group holding copies of t->keys; its index in *index. */
static int group_add(struct stats_table *t, size_t *index)
{
	const struct command *c = t->c;
	struct group *g;
	size_t i;
	int rc = 0;

	if (t->ngroups == t->groups_cap) {
		size_t cap = t->groups_cap ? t->groups_cap * 2 : 16;
		struct group *grown = realloc(t->groups, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		t->groups = grown;
		t->groups_cap = cap;
	}
	g = &t->groups[t->ngroups];
	g->keys = calloc(c->nby + 1, sizeof(*g->keys));
	g->acc = calloc(c->naggregates + 1, sizeof(*g->acc));
	if (!g->keys || !g->acc) {
		free(g->keys);
		free(g->acc);
		return -ENOMEM;
	}
	for (i = 0; !rc && i < c->nby; i++)
		rc = ival_copy(&g->keys[i], &t->keys[i]);
	*index = t->ngroups++; /* freed with the table, even half made */
	return rc;
}

/* Feed one event's value of aggregate a's argument into acc. */
static int accumulate(const struct aggregate *a, struct accumulator *acc,
		      const struct ival *v, int64_t event_ms,
		      struct strbuf *key)
{
	size_t unused = 0;
	bool added, numeric;
	double d;
	int rc;

	if (v->kind == IVAL_NULL || v->kind == IVAL_UNSET)
		return 0;
	numeric = ival_number(v, &d);
	switch (a->fn) {
	case FN_COUNT:
		acc->count++;
		return 0;
	case FN_COUNT_DISTINCT:
		strbuf_reset(key);
		rc = ival_key(v, key);
		if (!rc)
			rc = keyset_put(&acc->distinct, key->buf, key->len,
					&unused, &added);
		acc->count = acc->distinct.count;
		return rc;
	case FN_SUM:
	case FN_AVG:
	case FN_STDDEV:
		if (numeric) {
			acc->count++;
			acc->sum += d;
			acc->sum_squares += d * d;
		}
		return 0;
	case FN_PCT:
		if (!numeric)
			return 0;
		if (acc->nvalues == acc->values_cap) {
			size_t cap = acc->values_cap ? acc->values_cap * 2 : 8;
			double *grown =
				realloc(acc->values, cap * sizeof(*grown));

			if (!grown)
				return -ENOMEM;
			acc->values = grown;
			acc->values_cap = cap;
		}
		acc->values[acc->nvalues++] = d;
		acc->sorted = false;
		return 0;
	case FN_MIN:
	case FN_MAX: {
		double best = 0;

		if (!numeric)
			return 0;
		if (acc->has_best && ival_number(&acc->best, &best) &&
		    (a->fn == FN_MIN ? d >= best : d <= best))
			return 0;
		break;
	}
	case FN_EARLIEST:
		if (acc->has_best && event_ms >= acc->best_ms)
			return 0;
		break;
	default: /* FN_LATEST: the last of equal times wins */
		if (acc->has_best && event_ms < acc->best_ms)
			return 0;
		break;
	}
	ival_release(&acc->best);
	rc = ival_copy(&acc->best, v);
	if (!rc && a->fn != FN_EARLIEST && a->fn != FN_LATEST &&
	    acc->best.kind == IVAL_STRING) {
		/* min and max of number texts: the number */
		ival_release(&acc->best);
		acc->best.kind = IVAL_NUMBER;
		acc->best.number = d;
	}
	acc->has_best = !rc;
	acc->best_ms = event_ms;
	return rc;
}

int stats_table_add(struct stats_table *t, struct record *r)
{
	const struct command *c = t->c;
	size_t i, index = t->ngroups;
	struct group *g;
	struct ival v;
	bool added;
	int rc = 0;

	strbuf_reset(&t->key);
	for (i = 0; !rc && i < c->nby; i++) {
		rc = item_value(r, &c->by[i], &t->keys[i]);
		if (!rc)
			rc = ival_key(&t->keys[i], &t->key);
	}
	if (!rc)
		rc = keyset_put(&t->index, t->key.buf ? t->key.buf : "",
				t->key.len, &index, &added);
	if (!rc && added)
		rc = group_add(t, &index);
	for (i = 0; i < c->nby; i++)
		ival_release(&t->keys[i]);
	if (rc)
		return rc;
	g = &t->groups[index];
	for (i = 0; !rc && i < c->naggregates; i++) {
		const struct aggregate *a = &c->aggregates[i];

		if (!a->arg) {
			g->acc[i].count++;
			continue;
		}
		rc = insights_eval(r, a->arg, &v);
		if (!rc)
			rc = accumulate(a, &g->acc[i], &v,
					r->ev ? r->ev->timestamp_ms : 0,
					&t->key);
		ival_release(&v);
	}
	return rc;
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The result of aggregate a over acc, borrowed from acc when a value. */
static struct ival aggregate_result(const struct aggregate *a,
				    struct accumulator *acc)
{
	struct ival v = {.kind = IVAL_NULL};
	double n = (double)acc->count, rank;

	switch (a->fn) {
	case FN_COUNT:
	case FN_COUNT_DISTINCT:
		v.kind = IVAL_NUMBER;
		v.number = n;
		return v;
	case FN_SUM:
	case FN_AVG:
	case FN_STDDEV:
		if (!acc->count)
			return v;
		v.kind = IVAL_NUMBER;
		v.number = a->fn == FN_SUM   ? acc->sum
			   : a->fn == FN_AVG ? acc->sum / n
			   : acc->count < 2
				   ? 0
				   : sqrt(fmax(0, (acc->sum_squares -
						   acc->sum * acc->sum / n) /
							  (n - 1)));
		return v;
	case FN_PCT:
		if (!acc->nvalues)
			return v;
		if (!acc->sorted)
			qsort(acc->values, acc->nvalues, sizeof(double),
			      compare_doubles);
		acc->sorted = true;
		rank = ceil(a->percentile / 100 * (double)acc->nvalues);
		rank = rank < 1 ? 1 : rank;
		v.kind = IVAL_NUMBER;
		v.number = acc->values[(size_t)rank - 1];
		return v;
	default:
		if (acc->has_best) {
			v = acc->best;
			v.owned = false;
		}
		return v;
	}
}

/* Compare two groups by their bin key, then by first-seen order. */
static int compare_groups(const void *a, const void *b, void *ctx)
{
	const struct stats_table *t = ctx;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	const struct ival *kx = &t->groups[x].keys[t->c->bin_key];
	const struct ival *ky = &t->groups[y].keys[t->c->bin_key];
	int cmp;

	if ((kx->kind == IVAL_NULL) != (ky->kind == IVAL_NULL))
		return kx->kind == IVAL_NULL ? 1 : -1;
	cmp = kx->kind == IVAL_NULL ? 0 : ival_order(kx, ky);
	return cmp ? cmp : (x > y) - (x < y);
}

/* t->order: first seen, or by the bin key. 0 or -ENOMEM. */
static int order_groups(struct stats_table *t)
{
	size_t i;

	t->order = malloc((t->ngroups + 1) * sizeof(*t->order));
	if (!t->order)
		return -ENOMEM;
	for (i = 0; i < t->ngroups; i++)
		t->order[i] = i;
	if (t->c->bin_key != INSIGHTS_NO_INDEX)
		qsort_r(t->order, t->ngroups, sizeof(*t->order), compare_groups,
			t);
	return 0;
}

int stats_table_row(struct stats_table *t, size_t i, struct record *r)
{
	const struct command *c = t->c;
	struct group *g;
	struct ival v;
	size_t j;
	int rc = 0;

	if (!t->order && order_groups(t))
		return -ENOMEM;
	g = &t->groups[t->order[i]];
	for (j = 0; j < c->naggregates; j++)
		t->results[j] = aggregate_result(&c->aggregates[j], &g->acc[j]);
	for (j = 0; !rc && j < c->nby; j++) {
		rc = ival_copy(&v, &g->keys[j]);
		if (!rc)
			rc = record_set(r, c->by[j].symbol, &v);
	}
	r->aggregates = t->results;
	for (j = 0; !rc && j < c->nitems; j++) {
		rc = insights_eval(r, c->items[j].expr, &v);
		if (!rc)
			rc = record_set(r, c->items[j].symbol, &v);
	}
	r->aggregates = NULL;
	return rc;
}
