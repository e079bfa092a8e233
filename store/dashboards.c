/*
 * dashboards: CloudWatch dashboards kept in the database (SPEC 15) —
 * put, delete, rename and read, with their trail records. A body is
 * checked by lib/dashboard.h before it is kept, and kept as a read shows
 * it (pretty-printed, members in the order written), so that what is
 * read writes back unchanged. Drawing is fs/'s, over the store's
 * metrics, alarms and logs.
 */
#include "store/db.h"
#include "store/named.h"
#include "store/trail.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "lib/dashboard.h"

static const char SQL_DASHBOARD_GET[] =
	"SELECT id, uid, gid, mode, ctime_ms, mtime_ms FROM dashboards"
	" WHERE name = ?1";
static const char SQL_DASHBOARD_LIST[] =
	"SELECT name, uid, gid, mode, ctime_ms, mtime_ms FROM dashboards"
	" ORDER BY name";
static const char SQL_DASHBOARD_INSERT[] =
	"INSERT INTO dashboards (name, body, uid, gid, mode, ctime_ms,"
	" mtime_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)"
	" ON CONFLICT (name) DO UPDATE SET body = ?2, mtime_ms = ?6";
static const char SQL_DASHBOARD_DELETE[] =
	"DELETE FROM dashboards WHERE name = ?1";
static const char SQL_DASHBOARD_BODY[] =
	"SELECT id, body FROM dashboards WHERE name = ?1";
static const char SQL_DASHBOARD_MOVE[] =
	"UPDATE dashboards SET name = ?2 WHERE id = ?1";
static const char SQL_DASHBOARD_REDEFINE[] =
	"UPDATE dashboards SET body = ?2, mtime_ms = ?3 WHERE id = ?1";
static const char SQL_DASHBOARD_DELETE_ID[] =
	"DELETE FROM dashboards WHERE id = ?1";

/* The endings of a dashboard's views (SPEC 15), which no name may end in. */
static const char *const VIEW_ENDINGS[] = {".txt", ".html", ".svg"};

const char *dashboard_view_ending(const char *name)
{
	size_t len = strlen(name), i;

	for (i = 0; i < sizeof(VIEW_ENDINGS) / sizeof(*VIEW_ENDINGS); i++) {
		size_t n = strlen(VIEW_ENDINGS[i]);

		if (len > n && !strcmp(name + len - n, VIEW_ENDINGS[i]))
			return VIEW_ENDINGS[i];
	}
	return NULL;
}

int store_dashboard_check_name(const char *name, struct err *err)
{
	int rc = named_check_name(name, "dashboard", err);
	const char *ending = rc ? NULL : dashboard_view_ending(name);

	if (!ending)
		return rc;
	err_set(err,
		"a dashboard's name may not end in %s: that name is its view",
		ending);
	return -EINVAL;
}

int store_dashboard_get(struct store *st, const char *name,
			struct alarm_info *out)
{
	return named_get(st, SQL_DASHBOARD_GET, name, &out->id, &out->attr);
}

int store_dashboard_list(struct store *st, store_list_fn fn, void *ctx)
{
	return named_list(st, SQL_DASHBOARD_LIST, fn, ctx);
}

/* What write_dashboard stores. */
struct dashboard_put {
	const char *name;
	const struct strbuf *body;
	const struct node_owner *owner;
};

/* Create or redefine the dashboard. Lock held, transaction open. */
static int write_dashboard(struct store *st, void *ctx)
{
	const struct dashboard_put *p = ctx;
	struct sql_stmt *stmt = db_stmt(st, SQL_DASHBOARD_INSERT);

	if (!stmt)
		return -EIO;
	sql_bind_text(stmt, 1, p->name, -1);
	sql_bind_text(stmt, 2, p->body->buf, (int)p->body->len);
	sql_bind_int64(stmt, 3, p->owner->uid);
	sql_bind_int64(stmt, 4, p->owner->gid);
	sql_bind_int64(stmt, 5, p->owner->mode & 07777);
	sql_bind_int64(stmt, 6, store_now_ms());
	return db_exec_stmt(stmt);
}

int store_dashboard_put(struct store *st, const char *name, const char *text,
			size_t len, const struct node_owner *owner,
			const struct caller *who, struct err *err)
{
	struct trail_event ev = {
		.source = "dashboards.monfs",
		.name = "PutDashboard",
		.who = who,
		.params = {TRAIL_STR("dashboardName", name)},
		.nparams = 1,
	};
	struct strbuf body = STRBUF_INIT;
	struct dashboard_put put = {name, &body, owner};
	struct dashboard d = {0};
	int rc = store_dashboard_check_name(name, err);

	if (!rc)
		rc = dashboard_parse(text, len, &d, err);
	if (!rc)
		rc = dashboard_body_print(text, len, false, &body);
	rc = named_put(st, rc, write_dashboard, &put, &ev, err);
	dashboard_free(&d);
	strbuf_release(&body);
	return rc;
}

int store_dashboard_delete(struct store *st, const char *name,
			   const struct caller *who, struct err *err)
{
	static const char *const NO_NAMES = "[]";
	struct trail_event ev = {
		.source = "dashboards.monfs",
		.name = "DeleteDashboards",
		.who = who,
		.nparams = 1,
	};
	json_t *names = json_pack("[s]", name);
	char *text = names ? json_dumps(names, JSON_COMPACT) : NULL;
	int rc;

	/* DeleteDashboards takes a list: this one name. */
	ev.params[0] = TRAIL_JSON("dashboardNames", text ? text : NO_NAMES);
	rc = text ? named_delete(st, SQL_DASHBOARD_DELETE, name, NULL, &ev, err)
		  : -ENOMEM;
	free(text);
	json_decref(names);
	return rc;
}

/* ---- rename (SPEC 2) ---- */

/* The dashboard a rename takes its body from. */
struct rename_source {
	int64_t id;
	char *body; /* malloc'ed */
};

/* named_rename_ops.load: dashboard name as a rename's source. */
static int load_source(struct store *st, const char *name, void *ctx,
		       struct trail_event *put)
{
	struct rename_source *src = ctx;
	const char *body;
	struct sql_stmt *stmt;
	int rc = db_find(st, SQL_DASHBOARD_BODY, name, &stmt);

	(void)put;
	if (rc != DB_ROW)
		return rc;
	src->id = sql_column_int64(stmt, 0);
	body = (const char *)sql_column_text(stmt, 1);
	src->body = strdup(body ? body : "");
	sql_reset(stmt);
	return src->body ? 0 : -ENOMEM;
}

/*
 * named_rename_ops.move: src to the free name to (target 0), or its body
 * target's (which keeps its owner and mode) and src deleted.
 */
static int rename_move(struct store *st, const void *ctx, int64_t target,
		       const char *from, const char *to, int64_t now_ms)
{
	const struct rename_source *src = ctx;
	struct sql_stmt *stmt;
	int rc;

	(void)from;
	if (!target) {
		stmt = db_stmt(st, SQL_DASHBOARD_MOVE);
		if (!stmt)
			return -EIO;
		sql_bind_int64(stmt, 1, src->id);
		sql_bind_text(stmt, 2, to, -1);
		return db_exec_stmt(stmt);
	}
	stmt = db_stmt(st, SQL_DASHBOARD_REDEFINE);
	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, target);
	sql_bind_text(stmt, 2, src->body, -1);
	sql_bind_int64(stmt, 3, now_ms);
	rc = db_exec_stmt(stmt);
	stmt = rc ? NULL : db_stmt(st, SQL_DASHBOARD_DELETE_ID);
	if (rc || !stmt)
		return rc ? rc : -EIO;
	sql_bind_int64(stmt, 1, src->id);
	return db_exec_stmt(stmt);
}

static const struct named_rename_ops RENAME_OPS = {
	.noun = "dashboard",
	.get_sql = SQL_DASHBOARD_GET,
	.load = load_source,
	.move = rename_move,
};

int store_dashboard_rename(struct store *st, const char *from, const char *to,
			   const struct caller *who, struct err *err)
{
	struct trail_event put = {
		.source = "dashboards.monfs",
		.name = "PutDashboard",
		.who = who,
		.params = {TRAIL_STR("dashboardName", to),
			   TRAIL_STR("sourceDashboardName", from)},
		.nparams = 2,
	};
	struct trail_event del = {
		.source = "dashboards.monfs",
		.name = "DeleteDashboards",
		.who = who,
		.nparams = 1,
	};
	struct rename_source src = {0};
	json_t *list = json_pack("[s]", from);
	char *text = list ? json_dumps(list, JSON_COMPACT) : NULL;
	int rc;

	json_decref(list);
	if (!text)
		return -ENOMEM;
	del.params[0] = TRAIL_JSON("dashboardNames", text);
	/* A view's ending: refused before named_rename, recorded as it. */
	rc = strcmp(from, to) ? store_dashboard_check_name(to, err) : 0;
	if (rc)
		rc = named_put(st, rc, NULL, NULL, &put, err);
	else
		rc = named_rename(st, &RENAME_OPS, &src, from, to, &put, &del,
				  err);
	free(src.body);
	free(text);
	return rc;
}

int store_dashboard_render(struct store *st, const char *name,
			   struct strbuf *out)
{
	struct sql_stmt *stmt;
	int rc;

	db_lock(st);
	rc = db_find(st, SQL_DASHBOARD_BODY, name, &stmt);
	if (rc == DB_ROW) {
		rc = strbuf_adds(out, (const char *)sql_column_text(stmt, 1));
		sql_reset(stmt);
	}
	db_unlock(st);
	return rc;
}
