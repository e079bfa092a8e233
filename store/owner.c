/*
 * owner: chmod and chown of the four kinds of node that have owners —
 * namespaces, metrics, log groups and streams.
 */
#include "store/db.h"

#include <errno.h>

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
};

int store_node_set_owner(struct store *st, enum node_kind kind,
			 const char *dir, const char *name, uid_t uid,
			 gid_t gid, mode_t mode)
{
	sqlite3_stmt *stmt;
	int rc;

	rc = db_begin(st);
	if (rc)
		return rc;
	stmt = db_stmt(st, SQL_SET_OWNER[kind]);
	if (!stmt) {
		rc = -EIO;
		goto fail;
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
	if (rc)
		goto fail;
	return db_commit(st);
fail:
	db_rollback(st);
	return rc;
}
