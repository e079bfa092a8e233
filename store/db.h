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

/* ---- shared between store modules ---- */

/* The id of directory name in tree, or -ENOENT. Lock held. */
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
