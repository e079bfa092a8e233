/*
 * holds: which streams and trail days readers hold open, and how many
 * times each — what a removal must wait for (SPEC 10: a file open when
 * it is removed stays whole for its reader until it closes).
 *
 * Internal to store/. A small multiset of ids with counts; few files are
 * open at a time, so a flat array searched linearly does. Not locked of
 * its own: every call is made with the store's lock held, so that taking
 * a hold and removing what it holds are ordered by that one lock.
 */
#ifndef MONFS_HOLDS_H
#define MONFS_HOLDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hold {
	int64_t id;
	unsigned count; /* > 0 */
};

struct holds {
	struct hold *v;
	size_t n, cap;
};

/* Count one more hold on id. 0 or -ENOMEM (nothing changed). */
int holds_add(struct holds *h, int64_t id);

/*
 * Drop one hold on id and return how many are left (0 also when id was
 * not held: a release without its hold is a bug, asserted).
 */
unsigned holds_remove(struct holds *h, int64_t id);

/* Whether anything holds id. */
bool holds_has(const struct holds *h, int64_t id);

/* Free the table (all holds are forgotten). */
void holds_release(struct holds *h);

#endif
