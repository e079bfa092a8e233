/*
 * named: alarms and filters are rows kept by name, looked up, listed
 * and deleted the same way; the SQL is each module's, the steps here.
 */
#include "store/named.h"

#include <errno.h>

#include "store/trail.h"

int64_t named_id(struct store *st, const char *sql, const char *name)
{
	sqlite3_stmt *stmt = db_stmt(st, sql);
	int64_t id = -ENOENT;
	int rc;

	if (!stmt)
		return -EIO;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	rc = db_step(stmt);
	if (rc == DB_ROW)
		id = sqlite3_column_int64(stmt, 0);
	else if (rc < 0)
		id = rc;
	sqlite3_reset(stmt);
	return id;
}

int named_get(struct store *st, const char *sql, const char *name, int64_t *id,
	      struct node_attr *attr)
{
	sqlite3_stmt *stmt;
	int rc = -ENOENT;

	db_lock(st);
	stmt = db_stmt(st, sql);
	if (!stmt) {
		rc = -EIO;
		goto out;
	}
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	rc = db_step(stmt);
	if (rc == DB_ROW) {
		*id = sqlite3_column_int64(stmt, 0);
		db_read_attr(stmt, 1, attr);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = -ENOENT;
	}
	sqlite3_reset(stmt);
out:
	db_unlock(st);
	return rc;
}

int named_list(struct store *st, const char *sql, store_list_fn fn, void *ctx)
{
	struct node_attr attr;
	sqlite3_stmt *stmt;
	int rc = 0;

	db_lock(st);
	stmt = db_stmt(st, sql);
	if (!stmt) {
		rc = -EIO;
		goto out;
	}
	while (!rc && (rc = db_step(stmt)) == DB_ROW) {
		const char *name = (const char *)sqlite3_column_text(stmt, 0);

		rc = 0;
		db_read_attr(stmt, 1, &attr);
		if (name)
			rc = fn(ctx, name, false, &attr);
	}
	sqlite3_reset(stmt);
out:
	db_unlock(st);
	return rc;
}

/* named_delete, once. */
static int delete_named_once(struct store *st, const char *sql,
			     const char *name, struct trail_event *ev,
			     struct err *err)
{
	sqlite3_stmt *stmt;
	int rc = db_begin(st);

	if (rc)
		return rc;
	stmt = db_stmt(st, sql);
	rc = stmt ? 0 : -EIO;
	if (!rc) {
		sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
		rc = db_exec_stmt(stmt);
	}
	if (!rc && sqlite3_changes(db_handle(st)) == 0)
		rc = -ENOENT;
	return trail_finish_change(st, rc, ev, err);
}

int named_delete(struct store *st, const char *sql, const char *name,
		 struct trail_event *ev, struct err *err)
{
	int rc;

	/* A removal makes room: it may use the reserve (store/space.h). */
	if (db_disk_low(st))
		db_make_room(st, true);
	rc = delete_named_once(st, sql, name, ev, err);
	if (rc == -ENOSPC && db_make_room(st, true) == 0) {
		ev->error = 0; /* trail_finish_change marked it refused */
		ev->message = NULL;
		if (err)
			err->msg[0] = '\0'; /* and explained the ENOSPC */
		rc = delete_named_once(st, sql, name, ev, err);
	}
	return rc;
}
