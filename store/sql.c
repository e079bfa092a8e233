/*
 * sql: a statement's binds and reads, handed to its engine
 * (store/sql.h): sqlite's own API, or store/pg.c's.
 */
#include "store/sql.h"

#include <sqlite3.h>
#include <stdlib.h>

#include "store/pg.h"

void sql_bind_int64(struct sql_stmt *s, int i, int64_t v)
{
	if (s->pg)
		pg_bind_int64(s->pg, i, v);
	else
		sqlite3_bind_int64(s->lite, i, v);
}

void sql_bind_int(struct sql_stmt *s, int i, int v)
{
	sql_bind_int64(s, i, v);
}

void sql_bind_double(struct sql_stmt *s, int i, double v)
{
	if (s->pg)
		pg_bind_double(s->pg, i, v);
	else
		sqlite3_bind_double(s->lite, i, v);
}

void sql_bind_text(struct sql_stmt *s, int i, const char *v, int len)
{
	if (!v)
		sql_bind_null(s, i);
	else if (s->pg)
		pg_bind_text(s->pg, i, v, len);
	else
		sqlite3_bind_text(s->lite, i, v, len, SQLITE_STATIC);
}

void sql_bind_text_copy(struct sql_stmt *s, int i, const char *v, int len)
{
	if (!v)
		sql_bind_null(s, i);
	else if (s->pg)
		pg_bind_text(s->pg, i, v, len); /* always a copy */
	else
		sqlite3_bind_text(s->lite, i, v, len, SQLITE_TRANSIENT);
}

void sql_bind_null(struct sql_stmt *s, int i)
{
	if (s->pg)
		pg_bind_null(s->pg, i);
	else
		sqlite3_bind_null(s->lite, i);
}

void sql_bind_blob(struct sql_stmt *s, int i, const void *v, int len)
{
	if (s->pg)
		pg_bind_blob(s->pg, i, v, len);
	else
		sqlite3_bind_blob(s->lite, i, v, len, SQLITE_STATIC);
}

void sql_bind_blob_owned(struct sql_stmt *s, int i, void *v, int len)
{
	if (s->pg) {
		pg_bind_blob(s->pg, i, v, len);
		free(v);
	} else {
		sqlite3_bind_blob(s->lite, i, v, len, free);
	}
}

int sql_bind_parameter_count(struct sql_stmt *s)
{
	return s->pg ? pg_param_count(s->pg)
		     : sqlite3_bind_parameter_count(s->lite);
}

int64_t sql_column_int64(struct sql_stmt *s, int col)
{
	const char *v;

	if (!s->pg)
		return sqlite3_column_int64(s->lite, col);
	v = pg_column_text(s->pg, col);
	return v ? strtoll(v, NULL, 10) : 0;
}

int sql_column_int(struct sql_stmt *s, int col)
{
	return (int)sql_column_int64(s, col);
}

double sql_column_double(struct sql_stmt *s, int col)
{
	const char *v;

	if (!s->pg)
		return sqlite3_column_double(s->lite, col);
	v = pg_column_text(s->pg, col);
	return v ? strtod(v, NULL) : 0.0;
}

const char *sql_column_text(struct sql_stmt *s, int col)
{
	return s->pg ? pg_column_text(s->pg, col)
		     : (const char *)sqlite3_column_text(s->lite, col);
}

const void *sql_column_blob(struct sql_stmt *s, int col)
{
	return s->pg ? pg_column_blob(s->pg, col)
		     : sqlite3_column_blob(s->lite, col);
}

int sql_column_bytes(struct sql_stmt *s, int col)
{
	return s->pg ? pg_column_bytes(s->pg, col)
		     : sqlite3_column_bytes(s->lite, col);
}

bool sql_column_is_null(struct sql_stmt *s, int col)
{
	return s->pg ? pg_column_is_null(s->pg, col)
		     : sqlite3_column_type(s->lite, col) == SQLITE_NULL;
}

int sql_column_count(struct sql_stmt *s)
{
	return s->pg ? pg_column_count(s->pg) : sqlite3_column_count(s->lite);
}

void sql_reset(struct sql_stmt *s)
{
	if (s->pg)
		pg_reset(s->pg);
	else
		sqlite3_reset(s->lite);
}
