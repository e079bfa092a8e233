/*
 * owner: chmod, chown and utimens of the kinds of node that have owners
 * — namespaces, metrics, log groups, streams, alarms and filters — and
 * the set-id bits a write takes away. Each change of these attributes
 * moves the node's ctime (SPEC 10).
 */
#include "store/db.h"
#include "store/owner.h"
#include "store/trail.h"

#include <errno.h>
#include <stdio.h>

#include "lib/perm.h"

#define SET_OWNER                                                              \
	" uid = coalesce(?3, uid), gid = coalesce(?4, gid),"                   \
	" mode = coalesce(?5, mode), ctime_ms = ?6"

static const char *const SQL_SET_OWNER[] = {
	[NODE_NAMESPACE] = "UPDATE namespaces SET" SET_OWNER " WHERE name = ?1",
	[NODE_METRIC] = "UPDATE metrics SET" SET_OWNER " WHERE name = ?2 AND"
			" namespace_id = (SELECT id FROM namespaces"
			" WHERE name = ?1)",
	[NODE_LOG_GROUP] = "UPDATE log_groups SET" SET_OWNER " WHERE name = ?1",
	[NODE_STREAM] = "UPDATE log_streams SET" SET_OWNER " WHERE name = ?2"
			" AND group_id = (SELECT id FROM log_groups"
			" WHERE name = ?1)",
	[NODE_ALARM] = "UPDATE alarms SET" SET_OWNER " WHERE name = ?1",
	[NODE_FILTER] =
		"UPDATE metric_filters SET" SET_OWNER " WHERE name = ?1",
	[NODE_RULE] = "UPDATE rules SET" SET_OWNER " WHERE name = ?1",
	[NODE_DASHBOARD] = "UPDATE dashboards SET" SET_OWNER " WHERE name = ?1",
	[NODE_BUS] = "UPDATE log_streams SET" SET_OWNER " WHERE name = ?1"
		     " AND group_id = (SELECT id FROM log_groups"
		     " WHERE name = '')",
};

/* The trail's words for each kind: source and parameter names. */
static const struct {
	const char *source, *dir_param, *file_param;
} NAMES[] = {
	[NODE_NAMESPACE] = {"metrics.monfs", "namespace", NULL},
	[NODE_METRIC] = {"metrics.monfs", "namespace", "metricName"},
	[NODE_LOG_GROUP] = {"logs.monfs", "logGroupName", NULL},
	[NODE_STREAM] = {"logs.monfs", "logGroupName", "logStreamName"},
	[NODE_ALARM] = {"alarms.monfs", "alarmName", NULL},
	[NODE_FILTER] = {"filters.monfs", "filterName", NULL},
	[NODE_RULE] = {"rules.monfs", "name", NULL},
	[NODE_DASHBOARD] = {"dashboards.monfs", "dashboardName", NULL},
	[NODE_BUS] = {"events.monfs", "eventBusName", NULL},
};

static struct trail_event event(enum node_kind kind, const char *dir,
				const char *name, uid_t uid, gid_t gid,
				mode_t mode, const struct caller *who,
				char mode_text[8])
{
	struct trail_event ev = {
		.source = NAMES[kind].source,
		.name = mode != (mode_t)-1 ? "SetPermissions" : "SetOwner",
		.who = who,
		.params = {TRAIL_STR(NAMES[kind].dir_param, dir)},
		.nparams = 1,
	};

	if (name)
		ev.params[ev.nparams++] =
			TRAIL_STR(NAMES[kind].file_param, name);
	if (mode != (mode_t)-1) {
		snprintf(mode_text, 8, "%04o", (unsigned)(mode & 07777));
		ev.params[ev.nparams++] = TRAIL_STR("mode", mode_text);
	}
	if (uid != (uid_t)-1)
		ev.params[ev.nparams++] = TRAIL_NUM("uid", uid);
	if (gid != (gid_t)-1)
		ev.params[ev.nparams++] = TRAIL_NUM("gid", gid);
	return ev;
}

int store_node_set_owner(struct store *st, enum node_kind kind, const char *dir,
			 const char *name, uid_t uid, gid_t gid, mode_t mode,
			 const struct caller *who, struct err *err)
{
	char mode_text[8];
	struct trail_event ev =
		event(kind, dir, name, uid, gid, mode, who, mode_text);
	struct sql_stmt *stmt;
	int rc;

	rc = db_begin(st);
	if (rc)
		return rc;
	stmt = db_stmt(st, SQL_SET_OWNER[kind]);
	if (!stmt) {
		rc = -EIO;
		goto out;
	}
	sql_bind_text(stmt, 1, dir, -1);
	if (name)
		sql_bind_text(stmt, 2, name, -1);
	if (uid != (uid_t)-1)
		sql_bind_int64(stmt, 3, uid);
	if (gid != (gid_t)-1)
		sql_bind_int64(stmt, 4, gid);
	if (mode != (mode_t)-1)
		sql_bind_int64(stmt, 5, mode & 07777);
	sql_bind_int64(stmt, 6, store_now_ms());
	rc = db_exec_stmt(stmt);
	if (!rc && db_changes(st) == 0)
		rc = -ENOENT;
out:
	return trail_finish_change(st, rc, &ev, err);
}

/*
 * Setting times: the mtime (?3, NULL to leave it) and the ctime (?4).
 * Metrics have none: their mtime follows their data.
 */
#define SET_TIMES " mtime_ms = coalesce(?3, mtime_ms), ctime_ms = ?4"

static const char *const SQL_SET_TIMES[] = {
	[NODE_NAMESPACE] = "UPDATE namespaces SET" SET_TIMES " WHERE name = ?1",
	[NODE_METRIC] = NULL,
	[NODE_LOG_GROUP] = "UPDATE log_groups SET" SET_TIMES " WHERE name = ?1",
	[NODE_STREAM] = "UPDATE log_streams SET" SET_TIMES " WHERE name = ?2"
			" AND group_id = (SELECT id FROM log_groups"
			" WHERE name = ?1)",
	[NODE_ALARM] = "UPDATE alarms SET" SET_TIMES " WHERE name = ?1",
	[NODE_FILTER] =
		"UPDATE metric_filters SET" SET_TIMES " WHERE name = ?1",
	[NODE_RULE] = "UPDATE rules SET" SET_TIMES " WHERE name = ?1",
	[NODE_DASHBOARD] = "UPDATE dashboards SET" SET_TIMES " WHERE name = ?1",
	[NODE_BUS] = "UPDATE log_streams SET" SET_TIMES " WHERE name = ?1"
		     " AND group_id = (SELECT id FROM log_groups"
		     " WHERE name = '')",
};

int store_node_set_times(struct store *st, enum node_kind kind, const char *dir,
			 const char *name, int64_t mtime_ms)
{
	int64_t now_ms = store_now_ms();
	struct sql_stmt *stmt;
	int rc;

	if (!SQL_SET_TIMES[kind])
		return 0;
	rc = db_begin(st);
	if (rc)
		return rc;
	stmt = db_stmt(st, SQL_SET_TIMES[kind]);
	if (!stmt) {
		db_rollback(st);
		return -EIO;
	}
	sql_bind_text(stmt, 1, dir, -1);
	if (name)
		sql_bind_text(stmt, 2, name, -1);
	if (mtime_ms == STORE_TIME_NOW)
		mtime_ms = now_ms;
	if (mtime_ms != STORE_TIME_OMIT)
		sql_bind_int64(stmt, 3, mtime_ms);
	sql_bind_int64(stmt, 4, now_ms);
	rc = db_exec_stmt(stmt);
	if (!rc && db_changes(st) == 0)
		rc = -ENOENT;
	if (rc) {
		db_rollback(st);
		return rc;
	}
	return db_commit(st);
}

static const char *const SQL_SET_ID_OF[] = {
	[DATA_METRIC] = "SELECT uid, gid, mode FROM metrics WHERE id = ?1",
	[DATA_STREAM] = "SELECT uid, gid, mode FROM log_streams WHERE id = ?1",
};
static const char *const SQL_DROP_SET_ID[] = {
	[DATA_METRIC] = "UPDATE metrics SET mode = ?2, ctime_ms = ?3"
			" WHERE id = ?1",
	[DATA_STREAM] = "UPDATE log_streams SET mode = ?2, ctime_ms = ?3"
			" WHERE id = ?1",
};

int owner_write_drops_locked(struct store *st, enum data_kind kind, int64_t id,
			     const struct caller *who, int64_t now_ms)
{
	struct sql_stmt *stmt = db_stmt(st, SQL_SET_ID_OF[kind]);
	struct node_attr a;
	mode_t drops;
	int rc;

	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, id);
	rc = db_step(stmt);
	if (rc != DB_ROW) {
		sql_reset(stmt);
		return rc < 0 ? rc : -ENOENT;
	}
	a.uid = (uid_t)sql_column_int64(stmt, 0);
	a.gid = (gid_t)sql_column_int64(stmt, 1);
	a.mode = (mode_t)sql_column_int64(stmt, 2);
	sql_reset(stmt);
	drops = perm_write_drops(who, &a);
	if (!drops)
		return 0;
	stmt = db_stmt(st, SQL_DROP_SET_ID[kind]);
	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, id);
	sql_bind_int64(stmt, 2, a.mode & ~drops);
	sql_bind_int64(stmt, 3, now_ms);
	return db_exec_stmt(stmt);
}
