/*
 * pg: the PostgreSQL connection behind a fleet's store (libpq), and its
 * statements as store/sql.h binds and reads them. Internal to store/:
 * store/db.c holds the connection; store/sql.c dispatches here.
 *
 * Statements are prepared once per connection (PQprepare) from sqlite's
 * dialect turned into PostgreSQL's (lib/sql_dialect.h); parameters go as
 * text (blobs as binary) and rows come back as text, read into the
 * types the store asks for. A step runs the statement on its first call
 * and walks the rows it returned.
 */
#ifndef MONFS_STORE_PG_H
#define MONFS_STORE_PG_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/err.h"

struct pg_conn;
struct pg_stmt;

/* Whether path names a PostgreSQL database (postgresql:// or postgres://). */
bool pg_is_conninfo(const char *path);

/* Connect to conninfo. 0, or -errno (-EIO) with why in err. */
int pg_connect(const char *conninfo, struct pg_conn **out, struct err *err);
void pg_disconnect(struct pg_conn *c);

/*
 * Whether the connection is up, trying once to bring it back when it is
 * not (outside a transaction only). 0 or -EIO.
 */
int pg_check(struct pg_conn *c);

/* The connection's session: bumped each time it is made again. */
unsigned pg_generation(const struct pg_conn *c);

/* Prepare sql (sqlite's dialect). NULL when it cannot be. */
struct pg_stmt *pg_prepare(struct pg_conn *c, const char *sql);
void pg_finalize(struct pg_stmt *s);

/* Run sql (one or more statements, PostgreSQL's dialect). 0 or -errno. */
int pg_exec(struct pg_conn *c, const char *sql);

/* DB_ROW, DB_DONE or -errno, as db_step. */
int pg_step(struct pg_stmt *s);
void pg_reset(struct pg_stmt *s);

/*
 * Send s without waiting for its answer (libpq's pipeline mode), for a
 * statement whose rows and count nobody reads: the next statement on the
 * connection reads the answers first, and fails with the first failure
 * among them (so a COMMIT after a failed one fails). 0 or -errno.
 */
int pg_send(struct pg_stmt *s);

/* Every parameter back to NULL, as sqlite3_clear_bindings. */
void pg_clear_bindings(struct pg_stmt *s);

void pg_bind_text(struct pg_stmt *s, int i, const char *v, int len);
void pg_bind_int64(struct pg_stmt *s, int i, int64_t v);
void pg_bind_double(struct pg_stmt *s, int i, double v);
void pg_bind_null(struct pg_stmt *s, int i);
void pg_bind_blob(struct pg_stmt *s, int i, const void *v, int len);
int pg_param_count(struct pg_stmt *s);

const char *pg_column_text(struct pg_stmt *s, int col);
const void *pg_column_blob(struct pg_stmt *s, int col);
int pg_column_bytes(struct pg_stmt *s, int col);
bool pg_column_is_null(struct pg_stmt *s, int col);
int pg_column_count(struct pg_stmt *s);

/* Rows the last command changed; the last error in words. */
int64_t pg_changes(struct pg_conn *c);
const char *pg_errmsg(struct pg_conn *c);

/* Whether a transaction is open on the connection. */
bool pg_in_transaction(struct pg_conn *c);

/* The id the last INSERT drew from a sequence (lastval()), or -errno. */
int64_t pg_last_id(struct pg_conn *c);

#endif
