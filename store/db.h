/*
 * db: the sqlite connection behind a struct store — opening, pragmas,
 * schema migrations, cached prepared statements and transactions.
 *
 * Internal to store/: the modules that implement store.h include this;
 * nothing outside store/ may. One connection serves every thread, under
 * the store's mutex: sqlite writes are serialized anyway, and a single
 * connection means SQLITE_BUSY can never reach a user.
 */
#ifndef MONFS_DB_H
#define MONFS_DB_H

#include <sqlite3.h>

#include "store/store.h"

/* Lock the store for a read; pair with db_unlock. */
void db_lock(struct store *st);
void db_unlock(struct store *st);

/*
 * Lock the store and BEGIN IMMEDIATE. 0, or -errno with the store
 * unlocked again.
 */
int db_begin(struct store *st);

/* COMMIT and unlock. 0, or -errno (rolled back then). */
int db_commit(struct store *st);

/*
 * Lock the store and BEGIN a read transaction, so that several reads see
 * one snapshot and take sqlite's locks once; end with db_end_read. 0 or
 * -errno with the store unlocked again.
 */
int db_begin_read(struct store *st);
void db_end_read(struct store *st);

/* ROLLBACK and unlock. */
void db_rollback(struct store *st);

/*
 * The prepared statement for sql, a string with static storage: the
 * pointer is the cache key. Reset and with bindings cleared; NULL when
 * preparation fails (a bug: the SQL is ours). Only with the lock held.
 */
sqlite3_stmt *db_stmt(struct store *st, const char *sql);

/* The connection, for sqlite3_changes and error text. Lock held. */
sqlite3 *db_handle(struct store *st);

/* Map a sqlite result code to a negative errno (ENOSPC, EIO, ...). */
int db_errno(int rc);

/* What db_step found: a row to read, or the end of the rows. */
#define DB_ROW 1
#define DB_DONE 0

/*
 * Step stmt once: DB_ROW, DB_DONE, or -errno when the database failed
 * (-ENOSPC when full, -EIO on an I/O error or corruption, ...). Every
 * statement of store/ is stepped through here, so that "no row" and "the
 * database failed" are never the same answer.
 */
int db_step(sqlite3_stmt *stmt);

/*
 * Give err a message for rc when it is a database failure (-EIO,
 * -ENOSPC, -ENOMEM), from the connection's last error ("the database
 * failed: disk I/O error"), unless err already says something. err may
 * be NULL. Lock held.
 */
void db_explain(struct store *st, int rc, struct err *err);

/*
 * Step stmt to completion expecting no rows (INSERT, UPDATE, DELETE).
 * 0 or -errno.
 */
int db_exec_stmt(sqlite3_stmt *stmt);

/*
 * Read the five columns uid, gid, mode, ctime_ms, mtime_ms starting at
 * column col of the current row into out.
 */
void db_read_attr(sqlite3_stmt *stmt, int col, struct node_attr *out);

/*
 * Bind a new node's owner: uid, gid, mode bits and creation time to the
 * four parameters starting at index first.
 */
void db_bind_owner(sqlite3_stmt *stmt, int first, const struct caller *who,
		   mode_t mode, int64_t now_ms);

/*
 * The row of name that sql (selecting id, uid, gid, mode, ctime_ms,
 * mtime_ms by ?1 = name) finds: 0 and *id, *attr; -ENOENT. Locks.
 */
int db_get_named(struct store *st, const char *sql, const char *name,
		 int64_t *id, struct node_attr *attr);

/*
 * Call fn (is_dir false) for each row of sql, which selects name, uid,
 * gid, mode, ctime_ms, mtime_ms. Locks; fn must not call the store.
 */
int db_list_named(struct store *st, const char *sql, store_list_fn fn,
		  void *ctx);

/*
 * Delete the row sql (a DELETE by ?1 = name) names, recording ev (as
 * refused when it fails, -ENOENT when nothing was there). One
 * transaction.
 */
int db_delete_named(struct store *st, const char *sql, const char *name,
		    struct trail_event *ev, struct err *err);

/*
 * Make room on a full disk (store/space.h) for an operation that failed
 * with -ENOSPC, to be tried once more: the WAL's pages go back into the
 * database file and the WAL is truncated, and with use_reserve (an
 * operation that removes something, and so makes room) the reserve is
 * given up first. 0 when something may have been freed, else -ENOSPC.
 * Lock not held.
 */
int db_make_room(struct store *st, bool use_reserve);

/* Whether the disk has less room left than the reserve's size. */
bool db_disk_low(struct store *st);

/* ---- shared between store modules ---- */

/* What readers hold open, which removals wait for (store/holds.h). */
enum hold_kind { HOLD_STREAM, HOLD_TRAIL_DAY, HOLD_KINDS };

/* The holds on open streams or trail days. Only with the lock held. */
struct holds *db_holds(struct store *st, enum hold_kind kind);

/* What every trail record carries, and how long days are kept. */
struct trail_settings {
	char region[64];
	char host[256];
	int64_t retention_days;
};

/* The store's trail settings. */
struct trail_settings *db_trail(struct store *st);

/* Fill settings with the defaults: region "local", this host's name. */
void trail_defaults(struct trail_settings *t);

/*
 * Append ev as a record at now_ms, inside the caller's transaction (lock
 * held). 0 or -errno.
 */
int trail_append_locked(struct store *st, const struct trail_event *ev,
			int64_t now_ms);

/*
 * End a changing operation begun with db_begin: when rc is 0, record ev
 * in the same transaction and commit; otherwise roll back, and record ev
 * as refused with rc and err's message in a transaction of its own (the
 * refusal is on the record even though nothing changed). A failure of
 * the database itself (or of the commit) gets a message in err (may be
 * NULL) when it has none (db_explain). Returns the operation's result.
 */
int db_finish(struct store *st, int rc, struct trail_event *ev,
	      struct err *err);

/*
 * Turn pending data events into records: all of them (at open, after a
 * crash) or those counting writes for a minute or more. Lock not held.
 */
int trail_finish_pending(struct store *st, bool all, int64_t now_ms);

/*
 * Count count items and bytes bytes in the pending data event
 * *pending_id, making it (the record of ev) when *pending_id is 0. Lock
 * held, transaction open.
 */
int trail_pending_add(struct store *st, const struct trail_event *ev,
		      int64_t *pending_id, int64_t count, int64_t bytes,
		      int64_t now_ms);

/* Turn pending_id into a record (if it counted anything) and drop it. */
int trail_pending_close(struct store *st, int64_t pending_id, int64_t now_ms);

/* Ingest points into a metric's rollups. Lock held, transaction open. */
int rollups_ingest_locked(struct store *st, int64_t metric_id,
			  const struct point *points, size_t n,
			  struct err *err);

/*
 * Apply the metric filters of the stream's group to the events of one
 * write (whole lines, ingested at now_ms), inside its transaction. Lock
 * held, transaction open. 0 or -errno.
 */
int filters_apply_locked(struct store *st, int64_t stream_id, const char *buf,
			 size_t len, int64_t now_ms);

/*
 * Append whole lines to a stream; *events counts them. -EMSGSIZE, and
 * -ENOENT for a deleted stream. Lock held, transaction open.
 */
int stream_append_locked(struct store *st, int64_t stream_id, const char *buf,
			 size_t len, int64_t now_ms, size_t *events,
			 struct err *err);

/*
 * Take from metric or stream id the set-id bits a write by who drops
 * (perm_write_drops), moving its ctime to now_ms when it has any. Root's
 * writes never get here. -ENOENT, -EIO. Lock held, transaction open.
 */
int owner_write_drops_locked(struct store *st, enum data_kind kind, int64_t id,
			     const struct caller *who, int64_t now_ms);

/*
 * Remove stream name of group from it (SPEC 10): the stream leaves the
 * group's lookups, listings and names, refuses appends, but keeps its
 * bytes for the readers holding it; its id in *stream_id. -ENOENT. Lock
 * held, transaction open; after the commit, stream_reap frees the bytes.
 */
int stream_detach_locked(struct store *st, const char *group, const char *name,
			 int64_t now_ms, int64_t *stream_id);

/*
 * Reap a removed stream that no reader holds: its chunks in batches of
 * their own transactions, then its row. A live or held stream is left
 * alone. 0 or -errno; what a failure leaves, the sweep reaps. Lock not
 * held.
 */
int stream_reap(struct store *st, int64_t stream_id);

/* The id of directory name in tree, -ENOENT, or -EIO. Lock held. */
int64_t tree_lookup(struct store *st, enum tree tree, const char *name);

/*
 * Check a whole directory name: each level a valid name, the whole within
 * the tree's limit. 0, -EINVAL or -ENAMETOOLONG with err saying which.
 */
int tree_validate(enum tree tree, const char *name, struct err *err);

/*
 * Make file name (a metric or a stream) in directory dir of tree, owned
 * by the caller, created at now_ms; its row id in *id. -ENOENT (no such
 * directory), -EEXIST (a file or sub-directory of that name), -EINVAL,
 * -ENAMETOOLONG. A transaction of its own.
 */
int tree_file_create(struct store *st, enum tree tree, const char *dir,
		     const char *name, mode_t mode, const struct caller *who,
		     int64_t now_ms, int64_t *id, struct err *err);

#endif
