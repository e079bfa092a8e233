/*
 * sql: one prepared statement of the store's database, whichever engine
 * holds it — sqlite (the embedded default) or PostgreSQL (a fleet,
 * store/pg.c). Internal to store/: the modules bind, step (db_step) and
 * read columns through here, so that none of them speaks one engine's
 * API and the SQL they hold is the one thing the engines share.
 *
 * Parameters are numbered from 1 and columns from 0, as sqlite's are.
 * Text and blobs bound are read when the statement is stepped, so they
 * must live until then, unless bound with sql_bind_text_copy. What a
 * column read returns lives until the next step or reset.
 */
#ifndef MONFS_STORE_SQL_H
#define MONFS_STORE_SQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sqlite3_stmt;
struct pg_stmt;

/* A statement: exactly one of the two is set. */
struct sql_stmt {
	struct sqlite3_stmt *lite;
	struct pg_stmt *pg;
};

void sql_bind_int64(struct sql_stmt *s, int i, int64_t v);
void sql_bind_int(struct sql_stmt *s, int i, int v);
void sql_bind_double(struct sql_stmt *s, int i, double v);
/* len -1: up to the NUL. */
void sql_bind_text(struct sql_stmt *s, int i, const char *v, int len);
void sql_bind_text_copy(struct sql_stmt *s, int i, const char *v, int len);
void sql_bind_null(struct sql_stmt *s, int i);
/* Bind blob, which the statement frees (with free) when done with it. */
void sql_bind_blob_owned(struct sql_stmt *s, int i, void *v, int len);
void sql_bind_blob(struct sql_stmt *s, int i, const void *v, int len);
int sql_bind_parameter_count(struct sql_stmt *s);

int64_t sql_column_int64(struct sql_stmt *s, int col);
int sql_column_int(struct sql_stmt *s, int col);
double sql_column_double(struct sql_stmt *s, int col);
/* NULL for SQL NULL. */
const char *sql_column_text(struct sql_stmt *s, int col);
const void *sql_column_blob(struct sql_stmt *s, int col);
int sql_column_bytes(struct sql_stmt *s, int col);
bool sql_column_is_null(struct sql_stmt *s, int col);
int sql_column_count(struct sql_stmt *s);

/* Back to before the first step, the bindings kept. */
void sql_reset(struct sql_stmt *s);

#endif
