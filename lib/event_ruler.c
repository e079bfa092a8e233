/*
 * event_ruler: compiled patterns indexed by the keys an event must hold
 * for them to match (event_ruler.h says which), so that a match verifies
 * candidates rather than every pattern.
 *
 * A key is bytes: the path's depth (a size_t), the path's field names
 * each ended by a NUL (jansson keeps no NUL inside a key), a type byte
 * ('s' string, 'n' number, 't' true, 'f' false, 'z' null, 'p' "has a
 * value"), then the value: a string's bytes, a number's double (-0 made
 * 0, so that equal numbers have equal bytes), nothing for the others.
 * The depth first makes the encoding unambiguous whatever a string
 * holds.
 *
 * Affixes: a prefix of L bytes is keyed by type 'a' and those bytes, a
 * suffix by 'b', their ASCII-folded forms by 'c' and 'd' (equals-ignore-
 * case is a folded prefix of its whole length; a wildcard, the literal
 * run before its first or after its last star). L is capped at
 * AFFIX_INDEX_MAX, a longer affix keyed by its first (last) bytes. So
 * that an event string need not try every length, the path's 'm' key
 * records, per family, the lengths keyed there; an event string looks
 * up only those. The lengths are never cleared when patterns go (a
 * stale one costs a lookup, never a wrong answer). Keys live in one
 * open-addressed hash table (linear probing, at most half full, deletion by
 * backward shift), each slot holding the posting list of the patterns indexed
 * under it.
 *
 * Invariant: a pattern is in the unindexed list, or in the posting list
 * of each of its keys (once each), never both.
 */
#include "lib/event_ruler.h"

#include "lib/event_pattern_impl.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define TABLE_MIN_SLOTS 64
#define AFFIX_INDEX_MAX 64 /* bytes of a prefix or suffix that key it */

/* The affix families, and their key type bytes ("abcd"). */
enum affix_family {
	AFFIX_NONE = -1,
	AFFIX_PREFIX,
	AFFIX_SUFFIX,
	AFFIX_PREFIX_FOLDED,
	AFFIX_SUFFIX_FOLDED,
	AFFIX_FAMILIES,
};

/* A plan's rank: how good its keys are at excluding events. */
enum plan_rank {
	RANK_VALUES,   /* exact values: an event holds few of them */
	RANK_PRESENCE, /* a path that must hold a value */
	RANK_NONE,     /* nothing indexes the pattern */
};

struct key {
	char *bytes;
	size_t len;
	size_t path_len; /* of bytes: the depth and the names */
	enum affix_family family;
	size_t affix_len; /* of an affix key's value: 1..AFFIX_INDEX_MAX */
};

struct ruler_entry {
	int64_t id;
	struct event_pattern *pattern;
	struct key *keys; /* posted under each; none when unindexed */
	size_t nkeys;
};

struct slot {
	uint64_t hash;
	char *key; /* owned; NULL: the slot is empty */
	size_t len;
	struct ruler_entry **items; /* the posting list */
	size_t count, alloc;
	/* An 'm' key's: bit L - 1 set when an L-byte affix is keyed. */
	uint64_t affix_lengths[AFFIX_FAMILIES];
};

struct key_table {
	struct slot *slots;
	size_t mask; /* slots - 1; the count is a power of two */
	size_t used;
};

struct event_ruler {
	struct ruler_entry **entries; /* sorted by id */
	size_t count, alloc;
	struct ruler_entry **unindexed;
	size_t nunindexed, unindexed_alloc;
	struct key_table table;
};

/* Make room in the array *items of *alloc elements of size for n. */
static int grow(void *items, size_t *alloc, size_t n, size_t size)
{
	void **p = items;
	size_t want = *alloc ? *alloc : 8;
	void *bigger;

	if (n <= *alloc)
		return 0;
	while (want < n)
		want *= 2;
	bigger = realloc(*p, want * size);
	if (!bigger)
		return -ENOMEM;
	*p = bigger;
	*alloc = want;
	return 0;
}

/* ---- the key table ---- */

static uint64_t hash_bytes(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static struct slot *table_find(const struct key_table *t, const char *key,
			       size_t len, uint64_t hash)
{
	size_t i;

	if (!t->slots)
		return NULL;
	for (i = hash & t->mask; t->slots[i].key; i = (i + 1) & t->mask) {
		struct slot *s = &t->slots[i];

		if (s->hash == hash && s->len == len &&
		    memcmp(s->key, key, len) == 0)
			return s;
	}
	return NULL;
}

/* The empty slot where hash would go in slots[0..mask]. */
static struct slot *free_slot(struct slot *slots, size_t mask, uint64_t hash)
{
	size_t i = hash & mask;

	while (slots[i].key)
		i = (i + 1) & mask;
	return &slots[i];
}

/* Double t's slots (or make the first ones). 0 or -ENOMEM. */
static int table_grow(struct key_table *t)
{
	size_t n = t->slots ? (t->mask + 1) * 2 : TABLE_MIN_SLOTS, i;
	struct slot *slots = calloc(n, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (i = 0; t->slots && i <= t->mask; i++)
		if (t->slots[i].key)
			*free_slot(slots, n - 1, t->slots[i].hash) =
				t->slots[i];
	free(t->slots);
	t->slots = slots;
	t->mask = n - 1;
	return 0;
}

/* The slot of key, made (empty posting list) if missing; NULL: ENOMEM. */
static struct slot *table_get(struct key_table *t, const struct key *k)
{
	uint64_t hash = hash_bytes(k->bytes, k->len);
	struct slot *s = table_find(t, k->bytes, k->len, hash);

	if (s)
		return s;
	if ((!t->slots || (t->used + 1) * 2 > t->mask + 1) && table_grow(t))
		return NULL;
	s = free_slot(t->slots, t->mask, hash);
	s->key = malloc(k->len ? k->len : 1);
	if (!s->key)
		return NULL;
	memcpy(s->key, k->bytes, k->len);
	s->len = k->len;
	s->hash = hash;
	t->used++;
	return s;
}

/* Empty s, then move back the slots after it that probing needs. */
static void table_delete(struct key_table *t, struct slot *s)
{
	size_t hole = (size_t)(s - t->slots), i, home;

	free(s->key);
	free(s->items);
	memset(s, 0, sizeof(*s));
	t->used--;
	for (i = (hole + 1) & t->mask; t->slots[i].key; i = (i + 1) & t->mask) {
		home = t->slots[i].hash & t->mask;
		/* Moves back unless its home lies in (hole, i]. */
		if (((i - home) & t->mask) >= ((i - hole) & t->mask)) {
			t->slots[hole] = t->slots[i];
			memset(&t->slots[i], 0, sizeof(t->slots[i]));
			hole = i;
		}
	}
}

static void table_release(struct key_table *t)
{
	size_t i;

	for (i = 0; t->slots && i <= t->mask; i++) {
		free(t->slots[i].key);
		free(t->slots[i].items);
	}
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

/* Postings of key in t (0 for a key not there). */
static size_t table_postings(const struct key_table *t, const struct key *k)
{
	const struct slot *s =
		table_find(t, k->bytes, k->len, hash_bytes(k->bytes, k->len));

	return s ? s->count : 0;
}

/* ---- keys ---- */

/* Cut sb back to its first len bytes (a path after a name). */
static void truncate_to(struct strbuf *sb, size_t len)
{
	sb->len = len;
	if (sb->buf)
		sb->buf[len] = '\0';
}

/*
 * Into out: the key of (path of depth names, type, value[0..len)).
 * path holds the names, each NUL-ended. 0 or -ENOMEM.
 */
static int key_build(struct strbuf *out, const struct strbuf *path,
		     size_t depth, char type, const void *value, size_t len)
{
	strbuf_reset(out);
	if (strbuf_add(out, &depth, sizeof(depth)) ||
	    (path->len && strbuf_add(out, path->buf, path->len)) ||
	    strbuf_add(out, &type, 1) || (len && strbuf_add(out, value, len)))
		return -ENOMEM;
	return 0;
}

/* A number's key bytes: its double, -0 made 0. */
static double number_key(double v)
{
	return v == 0 ? 0.0 : v;
}

/* The key of an event's scalar v at path. 0 or -ENOMEM. */
static int scalar_key(struct strbuf *out, const struct strbuf *path,
		      size_t depth, const json_t *v)
{
	double n;

	switch (json_typeof(v)) {
	case JSON_STRING:
		return key_build(out, path, depth, 's', json_string_value(v),
				 json_string_length(v));
	case JSON_INTEGER:
	case JSON_REAL:
		n = number_key(json_number_value(v));
		return key_build(out, path, depth, 'n', &n, sizeof(n));
	case JSON_TRUE:
		return key_build(out, path, depth, 't', NULL, 0);
	case JSON_FALSE:
		return key_build(out, path, depth, 'f', NULL, 0);
	default:
		return key_build(out, path, depth, 'z', NULL, 0);
	}
}

/*
 * The affix key of family f for value[0..len) at path: its first (or,
 * for a suffix family, last) min(len, AFFIX_INDEX_MAX) bytes, folded
 * for a folded family. *affix: that length. 0 or -ENOMEM.
 */
static int affix_key(struct strbuf *out, const struct strbuf *path,
		     size_t depth, enum affix_family f, const char *value,
		     size_t len, size_t *affix)
{
	size_t n = len < AFFIX_INDEX_MAX ? len : AFFIX_INDEX_MAX, i;
	bool suffix = f == AFFIX_SUFFIX || f == AFFIX_SUFFIX_FOLDED;
	int rc = key_build(out, path, depth, "abcd"[f],
			   suffix ? value + len - n : value, n);

	if (rc == 0 && f >= AFFIX_PREFIX_FOLDED)
		for (i = out->len - n; i < out->len; i++)
			out->buf[i] = (char)ep_fold((unsigned char)out->buf[i]);
	*affix = n;
	return rc;
}

/*
 * The key an indexable matcher stands for: 0 with *family (AFFIX_NONE
 * for an exact value) and *affix set; 1 when m cannot index (a range,
 * anything-but, an empty prefix); -ENOMEM.
 */
static int matcher_key(struct strbuf *out, const struct strbuf *path,
		       size_t depth, const struct ep_matcher *m,
		       enum affix_family *family, size_t *affix)
{
	size_t first = m->nsegs ? m->seg_len[0] : 0;
	size_t last = m->nsegs ? m->seg_len[m->nsegs - 1] : 0;
	double n;

	*family = AFFIX_NONE;
	*affix = 0;
	switch (m->kind) {
	case EP_STRING:
		return key_build(out, path, depth, 's', m->text, m->len);
	case EP_NUMBER:
		n = number_key(m->number);
		return key_build(out, path, depth, 'n', &n, sizeof(n));
	case EP_TRUE:
		return key_build(out, path, depth, 't', NULL, 0);
	case EP_FALSE:
		return key_build(out, path, depth, 'f', NULL, 0);
	case EP_NULL:
		return key_build(out, path, depth, 'z', NULL, 0);
	case EP_PREFIX:
		*family = AFFIX_PREFIX;
		break;
	case EP_SUFFIX:
		*family = AFFIX_SUFFIX;
		break;
	case EP_PREFIX_IGNORE_CASE:
	case EP_EQUALS_IGNORE_CASE:
		*family = AFFIX_PREFIX_FOLDED;
		break;
	case EP_SUFFIX_IGNORE_CASE:
		*family = AFFIX_SUFFIX_FOLDED;
		break;
	case EP_WILDCARD:
		if (m->nsegs == 1)
			return key_build(out, path, depth, 's', m->text,
					 m->len);
		/* The literal run before the first star, or after the last. */
		if (first) {
			*family = AFFIX_PREFIX;
			return affix_key(out, path, depth, *family, m->text,
					 first, affix);
		}
		if (last) {
			*family = AFFIX_SUFFIX;
			return affix_key(out, path, depth, *family,
					 m->text + m->len - last, last, affix);
		}
		return 1;
	default:
		return 1;
	}
	if (m->len == 0)
		return 1; /* "" is a prefix of every string: no key */
	return affix_key(out, path, depth, *family, m->text, m->len, affix);
}

static void keys_free(struct key *keys, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(keys[i].bytes);
	free(keys);
}

/* ---- plans: which keys to index a pattern under ---- */

struct plan {
	struct key *keys;
	size_t count, alloc;
	enum plan_rank rank;
	size_t cost; /* postings the keys already have, plus one each */
};

static void plan_release(struct plan *p)
{
	keys_free(p->keys, p->count);
	memset(p, 0, sizeof(*p));
	p->rank = RANK_NONE;
}

/*
 * Add the key sb holds to p: its path takes path_len bytes; family and
 * affix as matcher_key gives them. 0 or -ENOMEM.
 */
static int plan_add(const struct event_ruler *r, struct plan *p,
		    const struct strbuf *sb, size_t path_len,
		    enum affix_family family, size_t affix)
{
	struct key *k;

	if (grow(&p->keys, &p->alloc, p->count + 1, sizeof(*p->keys)))
		return -ENOMEM;
	k = &p->keys[p->count];
	k->bytes = malloc(sb->len);
	if (!k->bytes)
		return -ENOMEM;
	memcpy(k->bytes, sb->buf, sb->len);
	k->len = sb->len;
	k->path_len = path_len;
	k->family = family;
	k->affix_len = affix;
	p->count++;
	p->cost += table_postings(&r->table, k) + 1;
	return 0;
}

/* Move b's keys into a (a $or's union). 0 or -ENOMEM. */
static int plan_merge(struct plan *a, struct plan *b)
{
	if (grow(&a->keys, &a->alloc, a->count + b->count, sizeof(*a->keys)))
		return -ENOMEM;
	memcpy(a->keys + a->count, b->keys, b->count * sizeof(*b->keys));
	a->count += b->count;
	a->cost += b->cost;
	if (b->rank > a->rank)
		a->rank = b->rank;
	free(b->keys);
	memset(b, 0, sizeof(*b));
	return 0;
}

static bool plan_better(const struct plan *a, const struct plan *b)
{
	if (a->rank != b->rank)
		return a->rank < b->rank;
	if (a->cost != b->cost)
		return a->cost < b->cost;
	return a->count < b->count;
}

/* Keep the better of *best and *cand in *best; release the other. */
static void plan_keep_better(struct plan *best, struct plan *cand)
{
	if (cand->rank != RANK_NONE &&
	    (best->rank == RANK_NONE || plan_better(cand, best))) {
		plan_release(best);
		*best = *cand;
		memset(cand, 0, sizeof(*cand));
	}
	plan_release(cand);
}

/* The plan of a leaf at path: its exact values, else its path. */
static int plan_leaf(const struct event_ruler *r, const struct ep_leaf *leaf,
		     const struct strbuf *path, size_t depth, struct plan *out)
{
	size_t path_len = sizeof(depth) + path->len, i, affix;
	struct strbuf sb = STRBUF_INIT;
	enum affix_family family;
	int rc = 0;

	out->rank = RANK_VALUES;
	for (i = 0; i < leaf->count && rc == 0 && out->rank == RANK_VALUES;
	     i++) {
		rc = matcher_key(&sb, path, depth, &leaf->matchers[i], &family,
				 &affix);
		if (rc == 1)
			out->rank = RANK_PRESENCE;
		else if (rc == 0)
			rc = plan_add(r, out, &sb, path_len, family, affix);
	}
	if (rc < 0 || out->rank == RANK_VALUES)
		goto out;
	plan_release(out);
	if (!leaf->needs_value)
		goto out; /* RANK_NONE */
	out->rank = RANK_PRESENCE;
	rc = key_build(&sb, path, depth, 'p', NULL, 0);
	if (rc == 0)
		rc = plan_add(r, out, &sb, path_len, AFFIX_NONE, 0);
out:
	strbuf_release(&sb);
	return rc < 0 ? rc : 0;
}

static int plan_node(const struct event_ruler *r, const struct ep_node *node,
		     struct strbuf *path, size_t depth, struct plan *out);

/* The plan of a $or: every branch's keys, or none if one has none. */
static int plan_or(const struct event_ruler *r, const struct ep_or *group,
		   struct strbuf *path, size_t depth, struct plan *out)
{
	struct plan branch;
	size_t i;
	int rc;

	out->rank = RANK_VALUES;
	for (i = 0; i < group->count; i++) {
		memset(&branch, 0, sizeof(branch));
		rc = plan_node(r, group->branches[i], path, depth, &branch);
		if (rc == 0 && branch.rank == RANK_NONE)
			rc = 1;
		if (rc == 0)
			rc = plan_merge(out, &branch);
		plan_release(&branch);
		if (rc) {
			plan_release(out);
			return rc < 0 ? rc : 0;
		}
	}
	return 0;
}

/* The best of a field's plans: a leaf's, or its child's. */
static int plan_field(const struct event_ruler *r, const struct ep_field *f,
		      struct strbuf *path, size_t depth, struct plan *out)
{
	size_t mark = path->len;
	int rc;

	if (strbuf_add(path, f->key, strlen(f->key) + 1))
		return -ENOMEM;
	if (f->leaf)
		rc = plan_leaf(r, f->leaf, path, depth + 1, out);
	else
		rc = plan_node(r, f->child, path, depth + 1, out);
	truncate_to(path, mark);
	return rc;
}

/*
 * The best plan for node at path: the best of its fields' and its $or
 * groups' (all must hold, so any one's keys will do). rank RANK_NONE
 * when none has keys.
 */
static int plan_node(const struct event_ruler *r, const struct ep_node *node,
		     struct strbuf *path, size_t depth, struct plan *out)
{
	struct plan cand;
	size_t i;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->rank = RANK_NONE;
	for (i = 0; i < node->nfields + node->nors && rc == 0; i++) {
		memset(&cand, 0, sizeof(cand));
		cand.rank = RANK_NONE;
		if (i < node->nfields)
			rc = plan_field(r, &node->fields[i], path, depth,
					&cand);
		else
			rc = plan_or(r, &node->ors[i - node->nfields], path,
				     depth, &cand);
		plan_keep_better(out, &cand);
	}
	if (rc)
		plan_release(out);
	return rc;
}

static int key_compare(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	int c = memcmp(x->bytes, y->bytes, x->len < y->len ? x->len : y->len);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Drop repeated keys from p (["a", "a"], two $or branches alike). */
static void plan_unique(struct plan *p)
{
	size_t i, n = 0;

	if (p->count == 0)
		return;
	qsort(p->keys, p->count, sizeof(*p->keys), key_compare);
	for (i = 0; i < p->count; i++) {
		if (n && key_compare(&p->keys[n - 1], &p->keys[i]) == 0)
			free(p->keys[i].bytes);
		else
			p->keys[n++] = p->keys[i];
	}
	p->count = n;
}

/* ---- postings ---- */

static void posting_remove(struct key_table *t, const struct key *k,
			   const struct ruler_entry *e)
{
	struct slot *s =
		table_find(t, k->bytes, k->len, hash_bytes(k->bytes, k->len));
	size_t i;

	assert(s);
	for (i = 0; i < s->count; i++)
		if (s->items[i] == e) {
			s->items[i] = s->items[--s->count];
			break;
		}
	if (s->count == 0)
		table_delete(t, s);
}

/* Record in k's path that k's affix length is keyed. 0 or -ENOMEM. */
static int note_affix(struct key_table *t, const struct key *k)
{
	struct strbuf sb = STRBUF_INIT;
	struct key meta;
	struct slot *s;

	if (strbuf_add(&sb, k->bytes, k->path_len) || strbuf_add(&sb, "m", 1)) {
		strbuf_release(&sb);
		return -ENOMEM;
	}
	meta.bytes = sb.buf;
	meta.len = sb.len;
	s = table_get(t, &meta);
	strbuf_release(&sb);
	if (!s)
		return -ENOMEM;
	s->affix_lengths[k->family] |= 1ULL << (k->affix_len - 1);
	return 0;
}

/* Post e under each of its keys; on failure undo. 0 or -ENOMEM. */
static int entry_post(struct event_ruler *r, struct ruler_entry *e)
{
	size_t i, j;

	for (i = 0; i < e->nkeys; i++) {
		struct slot *s = NULL;

		/* First, since a new 'm' key may move the table's slots. */
		if (e->keys[i].family == AFFIX_NONE ||
		    note_affix(&r->table, &e->keys[i]) == 0)
			s = table_get(&r->table, &e->keys[i]);

		if (!s || grow(&s->items, &s->alloc, s->count + 1,
			       sizeof(*s->items))) {
			if (s && s->count == 0)
				table_delete(&r->table, s);
			for (j = 0; j < i; j++)
				posting_remove(&r->table, &e->keys[j], e);
			return -ENOMEM;
		}
		s->items[s->count++] = e;
	}
	return 0;
}

static void entry_unpost(struct event_ruler *r, struct ruler_entry *e)
{
	size_t i;

	for (i = 0; i < e->nkeys; i++)
		posting_remove(&r->table, &e->keys[i], e);
	for (i = 0; e->nkeys == 0 && i < r->nunindexed; i++)
		if (r->unindexed[i] == e) {
			r->unindexed[i] = r->unindexed[--r->nunindexed];
			break;
		}
}

/* ---- the ruler ---- */

struct event_ruler *event_ruler_new(void)
{
	return calloc(1, sizeof(struct event_ruler));
}

/* Where id is, or would go, in r->entries. */
static size_t entry_position(const struct event_ruler *r, int64_t id)
{
	size_t lo = 0, hi = r->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->entries[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* A new entry for pattern, with the keys to post it under. */
static int entry_make(const struct event_ruler *r, int64_t id,
		      struct event_pattern *pattern, struct ruler_entry **out)
{
	struct strbuf path = STRBUF_INIT;
	struct ruler_entry *e = calloc(1, sizeof(*e));
	struct plan plan;
	int rc;

	if (!e)
		return -ENOMEM;
	rc = plan_node(r, pattern->root, &path, 0, &plan);
	strbuf_release(&path);
	if (rc) {
		free(e);
		return rc;
	}
	plan_unique(&plan);
	e->id = id;
	e->pattern = pattern;
	e->keys = plan.keys;
	e->nkeys = plan.rank == RANK_NONE ? 0 : plan.count;
	*out = e;
	return 0;
}

static void entry_free(struct ruler_entry *e, bool with_pattern)
{
	keys_free(e->keys, e->nkeys);
	if (with_pattern)
		event_pattern_free(e->pattern);
	free(e);
}

int event_ruler_add(struct event_ruler *r, int64_t id,
		    struct event_pattern *pattern, struct err *err)
{
	size_t at = entry_position(r, id);
	struct ruler_entry *e;
	int rc;

	if (at < r->count && r->entries[at]->id == id) {
		err_set(err, "a pattern with id %lld is already there",
			(long long)id);
		return -EEXIST;
	}
	if (grow(&r->entries, &r->alloc, r->count + 1, sizeof(*r->entries)) ||
	    grow(&r->unindexed, &r->unindexed_alloc, r->nunindexed + 1,
		 sizeof(*r->unindexed)))
		goto nomem;
	rc = entry_make(r, id, pattern, &e);
	if (rc)
		goto nomem;
	if (e->nkeys == 0)
		r->unindexed[r->nunindexed++] = e;
	else if (entry_post(r, e)) {
		entry_free(e, false);
		goto nomem;
	}
	memmove(r->entries + at + 1, r->entries + at,
		(r->count - at) * sizeof(*r->entries));
	r->entries[at] = e;
	r->count++;
	return 0;
nomem:
	err_set(err, "out of memory");
	return -ENOMEM;
}

int event_ruler_remove(struct event_ruler *r, int64_t id)
{
	size_t at = entry_position(r, id);
	struct ruler_entry *e;

	if (at == r->count || r->entries[at]->id != id)
		return -ENOENT;
	e = r->entries[at];
	entry_unpost(r, e);
	memmove(r->entries + at, r->entries + at + 1,
		(r->count - at - 1) * sizeof(*r->entries));
	r->count--;
	entry_free(e, true);
	return 0;
}

size_t event_ruler_count(const struct event_ruler *r)
{
	return r->count;
}

size_t event_ruler_unindexed(const struct event_ruler *r)
{
	return r->nunindexed;
}

void event_ruler_free(struct event_ruler *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->count; i++)
		entry_free(r->entries[i], true);
	free(r->entries);
	free(r->unindexed);
	table_release(&r->table);
	free(r);
}

/* ---- matching ---- */

/* One match's state: the event's path so far and the candidates. */
struct walk {
	const struct event_ruler *r;
	struct strbuf path; /* names, each NUL-ended */
	size_t depth;
	struct strbuf key;
	struct ruler_entry **cands;
	size_t ncands, alloc;
};

static int cands_add(struct walk *w, struct ruler_entry *const *items, size_t n)
{
	if (n == 0)
		return 0;
	if (grow(&w->cands, &w->alloc, w->ncands + n, sizeof(*w->cands)))
		return -ENOMEM;
	memcpy(w->cands + w->ncands, items, n * sizeof(*items));
	w->ncands += n;
	return 0;
}

/* Add the patterns posted under the key w->key holds. */
static int lookup(struct walk *w)
{
	const struct slot *s = table_find(&w->r->table, w->key.buf, w->key.len,
					  hash_bytes(w->key.buf, w->key.len));

	return s ? cands_add(w, s->items, s->count) : 0;
}

/*
 * Look up the affix keys of the string s[0..len) at w's path, for the
 * families and lengths that the path's 'm' key says are keyed: the
 * first n bytes for a prefix family, the last n for a suffix family.
 */
static int lookup_affixes(struct walk *w, const char *s, size_t len)
{
	const struct slot *meta;
	size_t n, affix;
	int f, rc;

	rc = key_build(&w->key, &w->path, w->depth, 'm', NULL, 0);
	if (rc)
		return rc;
	meta = table_find(&w->r->table, w->key.buf, w->key.len,
			  hash_bytes(w->key.buf, w->key.len));
	for (f = 0; meta && f < AFFIX_FAMILIES; f++) {
		bool suffix = f == AFFIX_SUFFIX || f == AFFIX_SUFFIX_FOLDED;

		for (n = 1; n <= AFFIX_INDEX_MAX && n <= len; n++) {
			if (!(meta->affix_lengths[f] & (1ULL << (n - 1))))
				continue;
			rc = affix_key(&w->key, &w->path, w->depth,
				       (enum affix_family)f,
				       suffix ? s + len - n : s, n, &affix);
			if (rc == 0)
				rc = lookup(w);
			if (rc)
				return rc;
		}
	}
	return 0;
}

static int walk_object(struct walk *w, const json_t *obj);

/* The event's value v at w's path: its keys, then what it holds. */
static int walk_value(struct walk *w, const json_t *v)
{
	size_t i;
	int rc;

	if (json_is_object(v))
		return walk_object(w, v);
	if (json_is_array(v)) {
		for (i = 0; i < json_array_size(v); i++) {
			rc = walk_value(w, json_array_get(v, i));
			if (rc)
				return rc;
		}
		return 0;
	}
	rc = scalar_key(&w->key, &w->path, w->depth, v);
	if (rc == 0)
		rc = lookup(w);
	if (rc == 0)
		rc = key_build(&w->key, &w->path, w->depth, 'p', NULL, 0);
	if (rc == 0)
		rc = lookup(w);
	if (rc == 0 && json_is_string(v))
		rc = lookup_affixes(w, json_string_value(v),
				    json_string_length(v));
	return rc;
}

static int walk_object(struct walk *w, const json_t *obj)
{
	size_t mark = w->path.len;
	const char *name;
	json_t *v;
	int rc;

	json_object_foreach((json_t *)obj, name, v)
	{
		if (strbuf_add(&w->path, name, strlen(name) + 1))
			return -ENOMEM;
		w->depth++;
		rc = walk_value(w, v);
		w->depth--;
		truncate_to(&w->path, mark);
		if (rc)
			return rc;
	}
	return 0;
}

static int entry_compare(const void *a, const void *b)
{
	const struct ruler_entry *x = *(struct ruler_entry *const *)a;
	const struct ruler_entry *y = *(struct ruler_entry *const *)b;

	return (x->id > y->id) - (x->id < y->id);
}

/* Verify each distinct candidate and report the ones that match. */
static int report(struct walk *w, const json_t *event, event_ruler_match_fn fn,
		  void *arg)
{
	size_t i;
	int rc;

	if (w->ncands == 0)
		return 0;
	qsort(w->cands, w->ncands, sizeof(*w->cands), entry_compare);
	for (i = 0; i < w->ncands; i++) {
		if (i && w->cands[i] == w->cands[i - 1])
			continue;
		if (!event_pattern_match(w->cands[i]->pattern, event))
			continue;
		rc = fn(w->cands[i]->id, arg);
		if (rc)
			return rc;
	}
	return 0;
}

int event_ruler_match(const struct event_ruler *r, const json_t *event,
		      event_ruler_match_fn fn, void *arg)
{
	struct walk w = {.r = r, .path = STRBUF_INIT, .key = STRBUF_INIT};
	int rc = 0;

	if (json_is_object(event))
		rc = walk_object(&w, event);
	if (rc == 0)
		rc = cands_add(&w, r->unindexed, r->nunindexed);
	if (rc == 0)
		rc = report(&w, event, fn, arg);
	strbuf_release(&w.path);
	strbuf_release(&w.key);
	free(w.cands);
	return rc;
}
