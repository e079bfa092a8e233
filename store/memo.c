/* memo: the answers of the tree's lookups until the next commit (memo.h). */
#include "store/memo.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A power of two: about 400 KiB, the paths a busy host walks often. */
#define MEMO_SLOTS 1024

struct memo_slot {
	uint64_t commit; /* 0: empty */
	unsigned char kind, tree;
	unsigned short key_len;
	char key[MEMO_KEY_MAX]; /* a, '\0', b: not NUL-terminated */
	struct memo_value v;
};

struct memo {
	uint64_t commit; /* answers stamped with another are stale */
	struct memo_slot slots[MEMO_SLOTS];
};

struct memo *memo_new(void)
{
	struct memo *m = calloc(1, sizeof(*m));

	if (m)
		m->commit = 1;
	return m;
}

void memo_free(struct memo *m)
{
	free(m);
}

void memo_forget(struct memo *m)
{
	m->commit++;
}

/* The key a '\0' b into out; its length, or 0 when it does not fit. */
static size_t make_key(const char *a, const char *b, char out[MEMO_KEY_MAX])
{
	size_t la = strlen(a), lb = b ? strlen(b) : 0;

	if (la + 1 + lb > MEMO_KEY_MAX)
		return 0;
	memcpy(out, a, la);
	out[la] = '\0';
	memcpy(out + la + 1, b ? b : "", lb);
	return la + 1 + lb;
}

/* FNV-1a over the kind, the tree and the key. */
static size_t slot_of(enum memo_kind kind, unsigned tree, const char *key,
		      size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	h = (h ^ (unsigned)kind) * 1099511628211ULL;
	h = (h ^ tree) * 1099511628211ULL;
	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)key[i]) * 1099511628211ULL;
	return (size_t)(h & (MEMO_SLOTS - 1));
}

bool memo_get(const struct memo *m, enum memo_kind kind, unsigned tree,
	      const char *a, const char *b, struct memo_value *out)
{
	char key[MEMO_KEY_MAX];
	size_t len = make_key(a, b, key);
	const struct memo_slot *s;

	if (!m || !len)
		return false;
	s = &m->slots[slot_of(kind, tree, key, len)];
	if (s->commit != m->commit || s->kind != kind || s->tree != tree ||
	    s->key_len != len || memcmp(s->key, key, len))
		return false;
	*out = s->v;
	return true;
}

void memo_put(struct memo *m, enum memo_kind kind, unsigned tree, const char *a,
	      const char *b, const struct memo_value *v)
{
	char key[MEMO_KEY_MAX];
	size_t len = make_key(a, b, key);
	struct memo_slot *s;

	assert(v->rc == 0 || v->rc == -ENOENT);
	if (!m || !len)
		return;
	s = &m->slots[slot_of(kind, tree, key, len)];
	s->commit = m->commit;
	s->kind = (unsigned char)kind;
	s->tree = (unsigned char)tree;
	s->key_len = (unsigned short)len;
	memcpy(s->key, key, len);
	s->v = *v;
}
