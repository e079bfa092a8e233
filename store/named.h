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
 * transaction, in which check (may be NULL) may first refuse with a
 * negative errno and err saying why (an alarm a composite names).
 */
typedef int (*named_check_fn)(struct store *st, const char *name,
			      struct err *err);
int named_delete(struct store *st, const char *sql, const char *name,
		 named_check_fn check, struct trail_event *ev, struct err *err);

/*
 * The name a definition is written under (SPEC 5, 7): 0, or -EINVAL with
 * "invalid <noun> name" in err.
 */
int named_check_name(const char *name, const char *noun, struct err *err);

/*
 * A definition written: rc is what judging it before the transaction
 * gave (parse, targets, canonical form). When it is 0, write (ctx)
 * stores it in a transaction that records ev; otherwise ev records the
 * refusal. Returns what the trail record says.
 */
int named_put(struct store *st, int rc, int (*write)(struct store *, void *),
	      void *ctx, struct trail_event *ev, struct err *err);

/*
 * What a kind of named row gives named_rename: its SQL and the two
 * steps that differ between kinds. src is the kind's own record of the
 * row being renamed, which the caller frees.
 */
struct named_rename_ops {
	const char *noun;    /* "alarm", in "invalid alarm name" */
	const char *get_sql; /* for named_get: the row of ?1 = name */
	/*
	 * Load row from into src, adding what the trail says of it to put.
	 * 0, -ENOENT, -ENOMEM or -errno. Lock held, transaction open.
	 */
	int (*load)(struct store *st, const char *from, void *src,
		    struct trail_event *put);
	/*
	 * Move src to the free name to (target 0), or make its definition
	 * target's and delete src. Lock held, transaction open.
	 */
	int (*move)(struct store *st, const void *src, int64_t target,
		    const char *from, const char *to, int64_t now_ms);
};

/*
 * rename(2) of a named row (SPEC 2): from's definition becomes to's, in
 * one transaction recorded as put (of to) and del (of from); a refusal
 * is recorded as put. from == to is a lookup, as rename(2) of a file
 * onto itself.
 */
int named_rename(struct store *st, const struct named_rename_ops *ops,
		 void *src, const char *from, const char *to,
		 struct trail_event *put, struct trail_event *del,
		 struct err *err);

#endif
