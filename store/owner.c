/*
 * owner: chmod and chown of the four kinds of node that have owners —
 * namespaces, metrics, log groups and streams.
 */
#include "store/db.h"

#include <errno.h>
#include <stdio.h>

#define SET_OWNER " uid = coalesce(?3, uid), gid = coalesce(?4, gid)," \
		  " mode = coalesce(?5, mode)"

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
	[NODE_FILTER] = "UPDATE metric_filters SET" SET_OWNER " WHERE name = ?1",
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
		ev.params[ev.nparams++] = TRAIL_STR(NAMES[kind].file_param, name);
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

int store_node_set_owner(struct store *st, enum node_kind kind,
			 const char *dir, const char *name, uid_t uid,
			 gid_t gid, mode_t mode, const struct caller *who,
			 struct err *err)
{
	char mode_text[8];
	struct trail_event ev =
		event(kind, dir, name, uid, gid, mode, who, mode_text);
	sqlite3_stmt *stmt;
	int rc;

	rc = db_begin(st);
	if (rc)
		return rc;
	stmt = db_stmt(st, SQL_SET_OWNER[kind]);
	if (!stmt) {
		rc = -EIO;
		goto out;
	}
	sqlite3_bind_text(stmt, 1, dir, -1, SQLITE_STATIC);
	if (name)
		sqlite3_bind_text(stmt, 2, name, -1, SQLITE_STATIC);
	if (uid != (uid_t)-1)
		sqlite3_bind_int64(stmt, 3, uid);
	if (gid != (gid_t)-1)
		sqlite3_bind_int64(stmt, 4, gid);
	if (mode != (mode_t)-1)
		sqlite3_bind_int64(stmt, 5, mode & 07777);
	rc = db_exec_stmt(stmt);
	if (!rc && sqlite3_changes(db_handle(st)) == 0)
		rc = -ENOENT;
out:
	return db_finish(st, rc, &ev, err);
}
