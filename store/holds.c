/* holds: a multiset of held ids (holds.h). */
#include "store/holds.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>

/* The slot of id, or h->n when it is not held. */
static size_t find(const struct holds *h, int64_t id)
{
	size_t i;

	for (i = 0; i < h->n && h->v[i].id != id; i++)
		;
	return i;
}

int holds_add(struct holds *h, int64_t id)
{
	size_t i = find(h, id);

	if (i == h->n) {
		if (h->n == h->cap) {
			size_t cap = h->cap ? h->cap * 2 : 16;
			struct hold *v = realloc(h->v, cap * sizeof(*v));

			if (!v)
				return -ENOMEM;
			h->v = v;
			h->cap = cap;
		}
		h->v[h->n++] = (struct hold){id, 0};
	}
	h->v[i].count++;
	return 0;
}

unsigned holds_remove(struct holds *h, int64_t id)
{
	size_t i = find(h, id);
	unsigned left;

	assert(i < h->n);
	if (i == h->n)
		return 0;
	left = --h->v[i].count;
	if (left == 0)
		h->v[i] = h->v[--h->n];
	return left;
}

bool holds_has(const struct holds *h, int64_t id)
{
	return find(h, id) < h->n;
}

void holds_release(struct holds *h)
{
	free(h->v);
	*h = (struct holds){NULL, 0, 0};
}
