/*
 * memo: the answers of the tree's lookups, kept until the next commit.
 *
 * Every open of a file walks its path: a lookup per level, each one a
 * sqlite read transaction with its WAL locks (fcntl calls), though the
 * answer has not changed since the last walk. `echo v >> metric` in a
 * shell loop asks the same five questions at every iteration. The memo
 * keeps the last answers, each stamped with the connection's commit
 * count; any commit (sqlite3_commit_hook, store/db.c) makes every
 * answer stale at once, so an answer from the memo is what the database
 * would say now: nothing else writes the database.
 *
 * A cache, not a table: a fixed number of slots, a new answer replaces
 * the one in its slot, a key longer than MEMO_KEY_MAX is not kept; a
 * miss only costs the query. Only answers read outside a transaction
 * are kept (what is uncommitted may be rolled back), and only "found"
 * and "absent": a failure is asked again. Internal to store/; every
 * call is made with the store's lock held.
 */
#ifndef MONFS_MEMO_H
#define MONFS_MEMO_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

enum memo_kind {
	MEMO_DIR,     /* store_dir_get: a directory's id and attributes */
	MEMO_SUBDIRS, /* store_dir_subdirs: its count of sub-directories */
	MEMO_METRIC,  /* store_metric_get, before the waiting writes */
	MEMO_TOP,     /* store_top_times */
};

struct memo_value {
	int rc;	   /* 0 or -ENOENT */
	int64_t n; /* an id or a count */
	struct node_attr attr;
	char unit[UNIT_MAX];
};

/* Keys longer than this (both parts, and a separator) are not kept. */
#define MEMO_KEY_MAX 240

struct memo;

/* An empty memo, or NULL (-ENOMEM). */
struct memo *memo_new(void);

void memo_free(struct memo *m);

/* Forget every answer (a commit: O(1), the answers are stamped). */
void memo_forget(struct memo *m);

/*
 * The kept answer for (kind, tree, a, b) into *out: true, or false when
 * there is none from the current commit. b may be NULL.
 */
bool memo_get(const struct memo *m, enum memo_kind kind, unsigned tree,
	      const char *a, const char *b, struct memo_value *out);

/* Keep *v as the answer for (kind, tree, a, b). rc 0 or -ENOENT only. */
void memo_put(struct memo *m, enum memo_kind kind, unsigned tree, const char *a,
	      const char *b, const struct memo_value *v);

#endif
