/*
 * tmpstore: a unit test's store in a directory of its own under /tmp,
 * made by a suite's .init and removed whole by its .fini, so that no
 * test sees another's files and nothing is left behind.
 *
 * Every function asserts (Criterion) instead of returning an error: a
 * fixture that cannot be made is the test's failure, said where it
 * happened.
 */
#ifndef MONFS_TESTS_TMPSTORE_H
#define MONFS_TESTS_TMPSTORE_H

#include "store/store.h"

struct tmpstore {
	char dir[64];	/* "/tmp/monfs-TAG-XXXXXX", made */
	char path[128]; /* the database in it: dir + "/t.db" */
};

/* Make a fresh directory for tag (a short word); t->path names no file. */
void tmpstore_dir(struct tmpstore *t, const char *tag);

/* tmpstore_dir, then open the store at t->path into *st. */
void tmpstore_open(struct tmpstore *t, const char *tag, struct store **st);

/* Remove t->dir and everything in it. */
void tmpstore_remove(struct tmpstore *t);

/* Close st (when not NULL), then tmpstore_remove. */
void tmpstore_close(struct tmpstore *t, struct store *st);

/* Today's trail day file of st, whole, NUL-terminated, malloc'ed. */
char *tmpstore_trail_today(struct store *st);

#endif
