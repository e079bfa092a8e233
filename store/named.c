/*
 * named: alarms and filters are rows kept by name, looked up, listed
 * and deleted the same way; the SQL is each module's, the steps here.
 */
#include "store/named.h"

#include <errno.h>
#include <string.h>

#include "lib/parse.h"

#include "store/trail.h"

int64_t named_id(struct store *st, const char *sql, const char *name)
{
	struct sql_stmt *stmt = db_stmt(st, sql);

	if (!stmt)
		return -EIO;
	sql_bind_text(stmt, 1, name, -1);
	return db_step_id(stmt);
}

int named_get(struct store *st, const char *sql, const char *name, int64_t *id,
	      struct node_attr *attr)
{
	struct sql_stmt *stmt;
	int rc;

	db_lock(st);
	rc = db_find(st, sql, name, &stmt);
	if (rc == DB_ROW) {
		*id = sql_column_int64(stmt, 0);
		db_read_attr(stmt, 1, attr);
		sql_reset(stmt);
		rc = 0;
	}
	db_unlock(st);
	return rc;
}

int named_list(struct store *st, const char *sql, store_list_fn fn, void *ctx)
{
	struct node_attr attr;
	struct sql_stmt *stmt;
	int rc = 0;

	db_lock(st);
	stmt = db_stmt(st, sql);
	if (!stmt) {
		rc = -EIO;
		goto out;
	}
	while (!rc && (rc = db_step(stmt)) == DB_ROW) {
		const char *name = (const char *)sql_column_text(stmt, 0);

		rc = 0;
		db_read_attr(stmt, 1, &attr);
		if (name)
			rc = fn(ctx, name, false, &attr);
	}
	sql_reset(stmt);
out:
	db_unlock(st);
	return rc;
}

/* named_delete, once. */
static int delete_named_once(struct store *st, const char *sql,
			     const char *name, named_check_fn check,
			     struct trail_event *ev, struct err *err)
{
	struct sql_stmt *stmt;
	int rc = db_begin(st);

	if (rc)
		return rc;
	rc = check ? check(st, name, err) : 0;
	stmt = rc ? NULL : db_stmt(st, sql);
	if (!rc && !stmt)
		rc = -EIO;
	if (!rc) {
		sql_bind_text(stmt, 1, name, -1);
		rc = db_exec_stmt(stmt);
	}
	if (!rc && db_changes(st) == 0)
		rc = -ENOENT;
	return trail_finish_change(st, rc, ev, err);
}

int named_delete(struct store *st, const char *sql, const char *name,
		 named_check_fn check, struct trail_event *ev, struct err *err)
{
	int rc;

	/* A removal makes room: it may use the reserve (store/space.h). */
	if (db_disk_low(st))
		db_make_room(st, true);
	rc = delete_named_once(st, sql, name, check, ev, err);
	if (rc == -ENOSPC && db_make_room(st, true) == 0) {
		ev->error = 0; /* trail_finish_change marked it refused */
		ev->message = NULL;
		if (err)
			err->msg[0] = '\0'; /* and explained the ENOSPC */
		rc = delete_named_once(st, sql, name, check, ev, err);
	}
	return rc;
}

int named_check_name(const char *name, const char *noun, struct err *err)
{
	int rc = parse_definition_name(name, strlen(name));

	if (rc)
		err_set(err, "invalid %s name", noun);
	return rc;
}

int named_put(struct store *st, int rc, int (*write)(struct store *, void *),
	      void *ctx, struct trail_event *ev, struct err *err)
{
	if (db_begin(st))
		return rc ? rc : -EIO;
	if (!rc)
		rc = write(st, ctx);
	return trail_finish_change(st, rc, ev, err);
}

int named_rename(struct store *st, const struct named_rename_ops *ops,
		 void *src, const char *from, const char *to,
		 struct trail_event *put, struct trail_event *del,
		 struct err *err)
{
	int64_t now = store_now_ms(), target = 0;
	struct node_attr attr;
	int rc;

	if (!strcmp(from, to)) /* the same row: nothing moves */
		return named_get(st, ops->get_sql, from, &target, &attr);
	rc = named_check_name(to, ops->noun, err);
	if (db_begin(st))
		return rc ? rc : -EIO;
	if (!rc)
		rc = ops->load(st, from, src, put);
	if (!rc) {
		target = named_id(st, ops->get_sql, to);
		if (target == -ENOENT)
			target = 0;
		else if (target < 0)
			rc = (int)target; /* the database failed: no guess */
	}
	if (!rc)
		rc = ops->move(st, src, target, from, to, now);
	if (!rc)
		rc = trail_append_locked(st, put, now);
	return rc ? trail_finish_change(st, rc, put, err)
		  : trail_finish_change(st, 0, del, err);
}
