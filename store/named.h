/*
 * named: the rows that alarms and filters keep by name — one lookup,
 * listing and deletion for both (store/named.c). Internal to store/.
 */
#ifndef MONFS_STORE_NAMED_H
#define MONFS_STORE_NAMED_H

#include "store/db.h"

/*
 * The row of name that sql (selecting id, uid, gid, mode, ctime_ms,
 * mtime_ms by ?1 = name) finds: 0 and *id, *attr; -ENOENT. Locks.
 */
int named_get(struct store *st, const char *sql, const char *name, int64_t *id,
	      struct node_attr *attr);

/*
 * The id (first column) of the row that sql selects by ?1 = name:
 * the id, -ENOENT, or -errno when the database failed. Lock held.
 */
int64_t named_id(struct store *st, const char *sql, const char *name);

/*
 * Call fn (is_dir false) for each row of sql, which selects name, uid,
 * gid, mode, ctime_ms, mtime_ms. Locks; fn must not call the store.
 */
int named_list(struct store *st, const char *sql, store_list_fn fn, void *ctx);

/*
 * Delete the row sql (a DELETE by ?1 = name) names, recording ev (as
 * refused when it fails, -ENOENT when nothing was there). One
 * transaction.
 */
int named_delete(struct store *st, const char *sql, const char *name,
		 struct trail_event *ev, struct err *err);

#endif
