/*
 * namespaces: CloudWatch namespaces as a tree of directories.
 *
 * A namespace is stored whole ("AWS/EC2") with its parent ("AWS", or ""
 * at the top), and every level is a namespace of its own, so listing a
 * level is one indexed query. Invariant: a namespace's parent exists,
 * and no namespace shares its last level with a metric of its parent.
 */
#include "store/db.h"
#include "store/parse.h"

#include <errno.h>
#include <string.h>

#define ATTR_COLUMNS "uid, gid, mode, ctime_ms, mtime_ms"

static const char SQL_NS_GET[] =
	"SELECT id, " ATTR_COLUMNS " FROM namespaces WHERE name = ?1";
static const char SQL_NS_INSERT[] =
	"INSERT INTO namespaces (name, parent, uid, gid, mode, ctime_ms,"
	" mtime_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)";
static const char SQL_NS_HAS_CHILD[] =
	"SELECT 1 FROM namespaces WHERE parent = ?1"
	" UNION ALL SELECT 1 FROM metrics WHERE namespace_id = ?2 LIMIT 1";
static const char SQL_NS_DELETE[] = "DELETE FROM namespaces WHERE id = ?1";
static const char SQL_NS_CHILDREN[] =
	"SELECT name, " ATTR_COLUMNS " FROM namespaces WHERE parent = ?1"
	" ORDER BY name";
static const char SQL_NS_METRICS[] =
	"SELECT name, " ATTR_COLUMNS " FROM metrics WHERE namespace_id = ?1"
	" ORDER BY name";
static const char SQL_METRIC_NAMED[] =
	"SELECT 1 FROM metrics WHERE namespace_id = ?1 AND name = ?2";

/* The id of namespace ns, or -ENOENT. Lock held. */
static int64_t namespace_id(struct store *st, const char *ns,
			    struct node_attr *attr)
{
	sqlite3_stmt *stmt = db_stmt(st, SQL_NS_GET);
	int64_t id;

	if (!stmt)
		return -EIO;
	sqlite3_bind_text(stmt, 1, ns, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_ROW)
		return -ENOENT;
	id = sqlite3_column_int64(stmt, 0);
	if (attr)
		db_read_attr(stmt, 1, attr);
	sqlite3_reset(stmt);
	return id;
}

int64_t namespace_lookup(struct store *st, const char *ns)
{
	return namespace_id(st, ns, NULL);
}

int namespace_validate(const char *ns, struct err *err)
{
	const char *level = ns;
	size_t len = strlen(ns);
	int rc;

	for (;;) {
		const char *slash = strchr(level, '/');
		size_t n = slash ? (size_t)(slash - level) : strlen(level);

		rc = parse_name(level, n);
		if (rc) {
			err_set(err, "invalid namespace level \"%.*s\"",
				(int)(n > 64 ? 64 : n), level);
			return rc;
		}
		if (!slash)
			break;
		level = slash + 1;
	}
	if (len > NAMESPACE_MAX_BYTES) {
		err_set(err, "namespace is %zu bytes, more than %d", len,
			NAMESPACE_MAX_BYTES);
		return -ENAMETOOLONG;
	}
	return 0;
}

int store_namespace_get(struct store *st, const char *ns,
			struct node_attr *out)
{
	int64_t id;

	db_lock(st);
	id = namespace_id(st, ns, out);
	db_unlock(st);
	return id < 0 ? (int)id : 0;
}

/* Whether namespace parent_id holds a metric called name. Lock held. */
static bool has_metric(struct store *st, int64_t parent_id, const char *name)
{
	sqlite3_stmt *stmt = db_stmt(st, SQL_METRIC_NAMED);
	bool found;

	if (!stmt)
		return false;
	sqlite3_bind_int64(stmt, 1, parent_id);
	sqlite3_bind_text(stmt, 2, name, -1, SQLITE_STATIC);
	found = sqlite3_step(stmt) == SQLITE_ROW;
	sqlite3_reset(stmt);
	return found;
}

int store_namespace_create(struct store *st, const char *ns, mode_t mode,
			   const struct caller *who, struct err *err)
{
	char parent[NAMESPACE_MAX_BYTES + 1] = "";
	const char *slash = strrchr(ns, '/');
	sqlite3_stmt *stmt;
	int rc;

	rc = namespace_validate(ns, err);
	if (rc)
		return rc;
	if (slash)
		memcpy(parent, ns, (size_t)(slash - ns));
	rc = db_begin(st);
	if (rc)
		return rc;
	if (slash) {
		int64_t parent_id = namespace_id(st, parent, NULL);

		if (parent_id < 0) {
			err_set(err, "no namespace %s", parent);
			rc = (int)parent_id;
			goto fail;
		}
		if (has_metric(st, parent_id, slash + 1)) {
			err_set(err, "%s already holds a metric %s", parent,
				slash + 1);
			rc = -EEXIST;
			goto fail;
		}
	}
	stmt = db_stmt(st, SQL_NS_INSERT);
	if (!stmt) {
		rc = -EIO;
		goto fail;
	}
	sqlite3_bind_text(stmt, 1, ns, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, parent, -1, SQLITE_STATIC);
	db_bind_owner(stmt, 3, who, mode, store_now_ms());
	rc = db_exec_stmt(stmt);
	if (rc) {
		if (rc == -EEXIST)
			err_set(err, "namespace %s exists", ns);
		goto fail;
	}
	return db_commit(st);
fail:
	db_rollback(st);
	return rc;
}

int store_namespace_delete(struct store *st, const char *ns,
			   struct err *err)
{
	sqlite3_stmt *stmt;
	int64_t id;
	int rc;

	rc = db_begin(st);
	if (rc)
		return rc;
	id = namespace_id(st, ns, NULL);
	if (id < 0) {
		rc = (int)id;
		goto fail;
	}
	stmt = db_stmt(st, SQL_NS_HAS_CHILD);
	if (!stmt) {
		rc = -EIO;
		goto fail;
	}
	sqlite3_bind_text(stmt, 1, ns, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, id);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		sqlite3_reset(stmt);
		err_set(err, "namespace %s is not empty", ns);
		rc = -ENOTEMPTY;
		goto fail;
	}
	stmt = db_stmt(st, SQL_NS_DELETE);
	if (!stmt) {
		rc = -EIO;
		goto fail;
	}
	sqlite3_bind_int64(stmt, 1, id);
	rc = db_exec_stmt(stmt);
	if (rc)
		goto fail;
	return db_commit(st);
fail:
	db_rollback(st);
	return rc;
}

/* Call fn for each row of stmt: column 0 a name, then the attributes. */
static int list_rows(sqlite3_stmt *stmt, bool is_dir, bool last_level,
		     store_list_fn fn, void *ctx)
{
	struct node_attr attr;
	int rc = 0;

	while (!rc && sqlite3_step(stmt) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(stmt, 0);
		const char *slash;

		if (!name)
			continue;
		slash = last_level ? strrchr(name, '/') : NULL;
		db_read_attr(stmt, 1, &attr);
		rc = fn(ctx, slash ? slash + 1 : name, is_dir, &attr);
	}
	sqlite3_reset(stmt);
	return rc;
}

int store_namespace_list(struct store *st, const char *ns, store_list_fn fn,
			 void *ctx)
{
	sqlite3_stmt *stmt;
	int64_t id = 0;
	int rc;

	db_lock(st);
	if (*ns) {
		id = namespace_id(st, ns, NULL);
		if (id < 0) {
			rc = (int)id;
			goto out;
		}
	}
	stmt = db_stmt(st, SQL_NS_CHILDREN);
	if (!stmt) {
		rc = -EIO;
		goto out;
	}
	sqlite3_bind_text(stmt, 1, ns, -1, SQLITE_STATIC);
	rc = list_rows(stmt, true, true, fn, ctx);
	if (rc || !*ns)
		goto out;
	stmt = db_stmt(st, SQL_NS_METRICS);
	if (!stmt) {
		rc = -EIO;
		goto out;
	}
	sqlite3_bind_int64(stmt, 1, id);
	rc = list_rows(stmt, false, false, fn, ctx);
out:
	db_unlock(st);
	return rc;
}
