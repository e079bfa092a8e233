/*
 * tree: the two directory trees of monfs — metric namespaces and log
 * groups — which nest the same way (SPEC 2): "AWS/EC2" and
 * "aws/lambda/checkout" are one directory level per '/', and every level
 * is a namespace (or group) of its own.
 *
 * Each directory is stored whole with its parent ("AWS" for "AWS/EC2",
 * "" at the top), so listing a level is one indexed query. A directory
 * holds files (metrics, streams) and deeper directories. Invariants: a
 * directory's parent exists, and no directory shares its last level with
 * a file of its parent. The two trees differ only in their tables and
 * their length limit, which struct tree_desc carries.
 *
 * Dimension sets (SPEC 11) are namespace rows too: set {A=x, B=y} of
 * namespace NS is the row "NS/A=x/B=y", under "NS/A=x", under "NS"; the
 * names are the canonical spelling (lib/dimension), which fs/ makes of
 * every spelling a user writes. So the chain of canonical prefixes of a
 * set exists whenever the set does, and a metric in a set's row is that
 * set's series. The whole-name limit applies to the namespace part.
 *
 * A directory's mtime and ctime move when an entry is made or removed in
 * it (SPEC 10); the schema's triggers keep them (store/db.c, migration
 * 7), for the top directories too (top_dirs).
 */
#include "store/db.h"
#include "store/logs.h"
#include "store/memo.h"
#include "store/trail.h"
#include "store/tree.h"
#include "lib/dimension.h"
#include "lib/format.h"
#include "lib/parse.h"
#include "lib/strbuf.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#define ATTR_COLUMNS "uid, gid, mode, ctime_ms, mtime_ms"

struct tree_desc {
	const char *what;      /* for messages: "namespace", "log group" */
	const char *file_what; /* "metric", "stream" */
	size_t max_bytes;      /* a whole name */
	/* How the trail names things: source, parameters, API names. */
	const char *source;
	const char *dir_param, *file_param;
	const char *dir_create, *dir_delete, *file_create, *file_delete;
	const char *sql_get;
	const char *sql_insert;
	const char *sql_has_child;
	const char *sql_delete;
	const char *sql_children;
	const char *sql_count_children;
	const char *sql_files;
	const char *sql_file_named;
	const char *sql_file_insert;
	const char *sql_file_delete;
};

#define TREE_SQL(dirs, files, fk)                                              \
	.sql_get =                                                             \
		"SELECT id, " ATTR_COLUMNS " FROM " dirs " WHERE name = ?1",   \
	.sql_insert =                                                          \
		"INSERT INTO " dirs " (name, parent, uid, gid, mode,"          \
		" ctime_ms, mtime_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",    \
	.sql_has_child =                                                       \
		"SELECT 1 FROM " dirs " WHERE parent = ?1"                     \
		" UNION ALL SELECT 1 FROM " files " WHERE " fk " = ?2"         \
		" LIMIT 1",                                                    \
	.sql_delete = "DELETE FROM " dirs " WHERE id = ?1",                    \
	.sql_children = "SELECT name, " ATTR_COLUMNS " FROM " dirs             \
			" WHERE parent = ?1 ORDER BY name",                    \
	.sql_count_children =                                                  \
		"SELECT count(*) FROM " dirs " WHERE parent = ?1",             \
	.sql_files = "SELECT name, " ATTR_COLUMNS " FROM " files " WHERE " fk  \
		     " = ?1 ORDER BY name",                                    \
	.sql_file_named = "SELECT 1 FROM " files " WHERE " fk " = ?1"          \
			  " AND name = ?2",                                    \
	.sql_file_insert = "INSERT INTO " files " (" fk ", name, uid, gid,"    \
			   " mode, ctime_ms, mtime_ms)"                        \
			   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",             \
	.sql_file_delete = "DELETE FROM " files " WHERE name = ?2 AND " fk     \
			   " = (SELECT id FROM " dirs " WHERE name = ?1)"

static const struct tree_desc TREES[] = {
	[TREE_NAMESPACES] =
		{
			.what = "namespace",
			.file_what = "metric",
			.max_bytes = NAMESPACE_MAX_BYTES,
			.source = "metrics.monfs",
			.dir_param = "namespace",
			.file_param = "metricName",
			.dir_create = "CreateNamespace",
			.dir_delete = "DeleteNamespace",
			.file_create =
				"Create", /* CloudWatch has no CreateMetric */
			.file_delete = "DeleteMetric",
			TREE_SQL("namespaces", "metrics", "namespace_id"),
		},
	[TREE_LOG_GROUPS] =
		{
			.what = "log group",
			.file_what = "stream",
			.max_bytes = LOG_GROUP_MAX_BYTES,
			.source = "logs.monfs",
			.dir_param = "logGroupName",
			.file_param = "logStreamName",
			.dir_create = "CreateLogGroup",
			.dir_delete = "DeleteLogGroup",
			.file_create = "CreateLogStream",
			.file_delete = "DeleteLogStream",
			TREE_SQL("log_groups", "log_streams", "group_id"),
		},
};

/* The trail's view of an operation on directory dir (file name, if any). */
static struct trail_event event(const struct tree_desc *t, const char *api,
				const char *dir, const char *name,
				const struct caller *who)
{
	struct trail_event ev = {
		.source = t->source,
		.name = api,
		.who = who,
		.params = {TRAIL_STR(t->dir_param, dir)},
		.nparams = 1,
	};

	if (name)
		ev.params[ev.nparams++] = TRAIL_STR(t->file_param, name);
	return ev;
}

/*
 * The id of directory name in tree t (and its attributes), -ENOENT, or
 * -EIO (-errno) when the database failed.
 */
static int64_t dir_id(struct store *st, const struct tree_desc *t,
		      const char *name, struct node_attr *attr)
{
	struct sql_stmt *stmt = db_stmt(st, t->sql_get);
	int64_t id;
	int rc;

	if (!stmt)
		return -EIO;
	sql_bind_text(stmt, 1, name, -1);
	rc = db_step(stmt);
	if (rc != DB_ROW) {
		sql_reset(stmt);
		return rc < 0 ? rc : -ENOENT;
	}
	id = sql_column_int64(stmt, 0);
	if (attr)
		db_read_attr(stmt, 1, attr);
	sql_reset(stmt);
	return id;
}

int64_t tree_lookup(struct store *st, enum tree tree, const char *name)
{
	return dir_id(st, &TREES[tree], name, NULL);
}

/*
 * A dimension directory's name (it holds '='): a namespace, then
 * dimensions, all spelled canonically. 0 or -EINVAL / -ENAMETOOLONG with
 * err naming the component.
 */
static int validate_dimension_dir(const char *name, struct err *err)
{
	struct dimension_path dp;
	char q[FORMAT_QUOTE_SIZE];
	bool canonical;
	int rc;

	rc = dimension_parse_path(name, strlen(name), DIMENSION_PATH_DIR, &dp,
				  err);
	if (rc)
		return rc;
	canonical = dp.canonical;
	dimension_path_free(&dp);
	if (!canonical) {
		err_set(err,
			"\"%s\" is not the canonical spelling of its "
			"dimension set",
			format_quote(q, name, strlen(name)));
		return -EINVAL;
	}
	return 0;
}

int tree_validate(enum tree tree, const char *name, struct err *err)
{
	const struct tree_desc *t = &TREES[tree];

	if (tree == TREE_NAMESPACES && strchr(name, '='))
		return validate_dimension_dir(name, err);
	const char *level = name;
	size_t len = strlen(name);
	char q[FORMAT_QUOTE_SIZE];
	int rc;

	for (;;) {
		const char *slash = strchr(level, '/');
		size_t n = slash ? (size_t)(slash - level) : strlen(level);

		rc = parse_name(level, n);
		if (rc) {
			err_set(err, "invalid %s level \"%s\"", t->what,
				format_quote(q, level, n));
			return rc;
		}
		if (!slash)
			break;
		level = slash + 1;
	}
	if (len > t->max_bytes) {
		err_set(err, "%s is %zu bytes, more than %zu", t->what, len,
			t->max_bytes);
		return -ENAMETOOLONG;
	}
	return 0;
}

int store_dir_get(struct store *st, enum tree tree, const char *name,
		  struct node_attr *out)
{
	struct memo_value v = {0};
	int64_t id;

	db_lock_quiet(st); /* no data write changes a directory */
	if (memo_get(db_memo(st), MEMO_DIR, tree, name, NULL, &v)) {
		db_unlock(st);
		if (!v.rc && out)
			*out = v.attr;
		return v.rc;
	}
	id = dir_id(st, &TREES[tree], name, &v.attr);
	v.rc = id < 0 ? (int)id : 0;
	if (v.rc == 0 || v.rc == -ENOENT)
		memo_put(db_memo(st), MEMO_DIR, tree, name, NULL, &v);
	db_unlock(st);
	if (!v.rc && out)
		*out = v.attr;
	return v.rc;
}

/*
 * Whether directory parent_id holds a file called name: 1, 0, or -errno
 * when the database failed. Lock held.
 */
static int has_file(struct store *st, const struct tree_desc *t,
		    int64_t parent_id, const char *name)
{
	struct sql_stmt *stmt = db_stmt(st, t->sql_file_named);
	int rc;

	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, parent_id);
	sql_bind_text(stmt, 2, name, -1);
	rc = db_step(stmt);
	sql_reset(stmt);
	return rc;
}

/*
 * Make each canonical prefix of dimension directory dir that is missing,
 * dir itself included, owned by the caller: what a set needs (SPEC 11).
 * The rows get permission bits mode, or the namespace's when inherit
 * (a series made through an alias, where no mkdir gave a mode). The
 * namespace part must exist: -ENOENT otherwise. Lock held, transaction
 * open. 0 or -errno.
 */
static int make_dimension_chain(struct store *st, const char *dir, mode_t mode,
				bool inherit, const struct caller *who)
{
	const struct tree_desc *t = &TREES[TREE_NAMESPACES];
	struct strbuf level = STRBUF_INIT, parent = STRBUF_INIT;
	struct dimension_path dp;
	struct node_attr ns_attr;
	struct err ignored;
	struct sql_stmt *stmt;
	int64_t id;
	size_t k;
	int rc;

	rc = dimension_parse_path(dir, strlen(dir), DIMENSION_PATH_DIR, &dp,
				  &ignored);
	if (rc)
		return rc;
	if (strbuf_add(&level, dp.ns, dp.ns_len)) {
		rc = -ENOMEM;
		goto out;
	}
	id = dir_id(st, t, level.buf, &ns_attr);
	if (id < 0) {
		rc = (int)id;
		goto out;
	}
	if (inherit)
		mode = ns_attr.mode & 07777;
	for (k = 1; k <= dp.dims.count; k++) {
		strbuf_reset(&level);
		strbuf_reset(&parent);
		if (dimension_dir_path(&level, dp.ns, dp.ns_len, &dp.dims, k) ||
		    dimension_dir_path(&parent, dp.ns, dp.ns_len, &dp.dims,
				       k - 1)) {
			rc = -ENOMEM;
			goto out;
		}
		id = dir_id(st, t, level.buf, NULL);
		if (id >= 0)
			continue;
		if (id != -ENOENT) {
			rc = (int)id;
			goto out;
		}
		stmt = db_stmt(st, t->sql_insert);
		if (!stmt) {
			rc = -EIO;
			goto out;
		}
		sql_bind_text(stmt, 1, level.buf, -1);
		sql_bind_text(stmt, 2, parent.buf, -1);
		db_bind_owner(stmt, 3, who, mode, store_now_ms());
		rc = db_exec_stmt(stmt);
		if (rc)
			goto out;
	}
out:
	strbuf_release(&level);
	strbuf_release(&parent);
	dimension_path_free(&dp);
	return rc;
}

int store_dir_create(struct store *st, enum tree tree, const char *name,
		     mode_t mode, const struct caller *who, struct err *err)
{
	const struct tree_desc *t = &TREES[tree];
	struct trail_event ev = event(t, t->dir_create, name, NULL, who);
	char parent[PATH_MAX] = "";
	const char *slash = strrchr(name, '/');
	struct sql_stmt *stmt;
	int rc;

	rc = db_begin(st);
	if (rc)
		return rc;
	rc = tree_validate(tree, name, err);
	if (rc)
		goto out;
	if (slash && (size_t)(slash - name) >= sizeof(parent)) {
		rc = -ENAMETOOLONG;
		goto out;
	}
	if (slash)
		memcpy(parent, name, (size_t)(slash - name));
	if (slash && tree == TREE_NAMESPACES && strchr(parent, '=')) {
		/* A set needs its canonical prefixes (SPEC 11). */
		rc = make_dimension_chain(st, parent, mode, false, who);
		if (rc)
			goto out;
	}
	if (slash) {
		int64_t parent_id = dir_id(st, t, parent, NULL);

		if (parent_id < 0) {
			if (parent_id == -ENOENT)
				err_set(err, "no %s %s", t->what, parent);
			rc = (int)parent_id;
			goto out;
		}
		rc = has_file(st, t, parent_id, slash + 1);
		if (rc < 0)
			goto out;
		if (rc == DB_ROW) {
			err_set(err, "%s already holds a %s %s", parent,
				t->file_what, slash + 1);
			rc = -EEXIST;
			goto out;
		}
	}
	stmt = db_stmt(st, t->sql_insert);
	if (!stmt) {
		rc = -EIO;
		goto out;
	}
	sql_bind_text(stmt, 1, name, -1);
	sql_bind_text(stmt, 2, parent, -1);
	db_bind_owner(stmt, 3, who, mode, store_now_ms());
	rc = db_exec_stmt(stmt);
	if (rc == -EEXIST)
		err_set(err, "%s %s exists", t->what, name);
out:
	return trail_finish_change(st, rc, &ev, err);
}

/* store_dir_delete, once. */
static int dir_delete_once(struct store *st, enum tree tree, const char *name,
			   const struct caller *who, struct err *err)
{
	const struct tree_desc *t = &TREES[tree];
	struct trail_event ev = event(t, t->dir_delete, name, NULL, who);
	struct sql_stmt *stmt;
	int64_t id;
	int rc;

	rc = db_begin(st);
	if (rc)
		return rc;
	id = dir_id(st, t, name, NULL);
	if (id < 0) {
		rc = (int)id;
		goto out;
	}
	stmt = db_stmt(st, t->sql_has_child);
	if (!stmt) {
		rc = -EIO;
		goto out;
	}
	sql_bind_text(stmt, 1, name, -1);
	sql_bind_int64(stmt, 2, id);
	rc = db_step(stmt);
	sql_reset(stmt);
	if (rc < 0)
		goto out;
	if (rc == DB_ROW) {
		err_set(err, "%s %s is not empty", t->what, name);
		rc = -ENOTEMPTY;
		goto out;
	}
	stmt = db_stmt(st, t->sql_delete);
	if (!stmt) {
		rc = -EIO;
		goto out;
	}
	db_note_removal(st);
	sql_bind_int64(stmt, 1, id);
	rc = db_exec_stmt(stmt);
out:
	return trail_finish_change(st, rc, &ev, err);
}

int store_dir_subdirs(struct store *st, enum tree tree, const char *name,
		      int64_t *count)
{
	struct sql_stmt *stmt;
	int rc = -EIO;
	struct memo_value v = {0};

	db_lock_quiet(st); /* no data write changes a directory */
	if (memo_get(db_memo(st), MEMO_SUBDIRS, tree, name, NULL, &v)) {
		db_unlock(st);
		*count = v.n;
		return 0;
	}
	stmt = db_stmt(st, TREES[tree].sql_count_children);
	if (stmt) {
		sql_bind_text(stmt, 1, name, -1);
		rc = db_step(stmt);
		if (rc == DB_ROW) {
			*count = v.n = sql_column_int64(stmt, 0);
			rc = 0;
		} else if (rc == DB_DONE) {
			rc = -EIO; /* count(*) always has a row */
		}
		sql_reset(stmt);
	}
	if (!rc)
		memo_put(db_memo(st), MEMO_SUBDIRS, tree, name, NULL, &v);
	db_unlock(st);
	return rc;
}

static const char SQL_TOP_TIMES[] =
	"SELECT ctime_ms, mtime_ms FROM top_dirs WHERE name = ?1";

int store_top_times(struct store *st, const char *top, struct node_attr *out)
{
	struct sql_stmt *stmt;
	int rc = -EIO;
	struct memo_value v = {0};

	db_lock_quiet(st); /* no data write changes a directory */
	if (memo_get(db_memo(st), MEMO_TOP, 0, top, NULL, &v)) {
		db_unlock(st);
		if (!v.rc) {
			out->ctime_ms = v.attr.ctime_ms;
			out->mtime_ms = v.attr.mtime_ms;
		}
		return v.rc;
	}
	stmt = db_stmt(st, SQL_TOP_TIMES);
	if (stmt) {
		sql_bind_text(stmt, 1, top, -1);
		rc = db_step(stmt);
		if (rc == DB_ROW) {
			out->ctime_ms = v.attr.ctime_ms =
				sql_column_int64(stmt, 0);
			out->mtime_ms = v.attr.mtime_ms =
				sql_column_int64(stmt, 1);
		}
		rc = rc == DB_ROW ? 0 : rc == DB_DONE ? -ENOENT : rc;
		sql_reset(stmt);
	}
	v.rc = rc;
	if (rc == 0 || rc == -ENOENT)
		memo_put(db_memo(st), MEMO_TOP, 0, top, NULL, &v);
	db_unlock(st);
	return rc;
}

/* Call fn for each row of stmt: column 0 a name, then the attributes. */
static int list_rows(struct sql_stmt *stmt, bool is_dir, store_list_fn fn,
		     void *ctx)
{
	struct node_attr attr;
	int rc = 0;

	while (!rc && (rc = db_step(stmt)) == DB_ROW) {
		const char *name = (const char *)sql_column_text(stmt, 0);
		const char *slash;

		rc = 0;
		if (!name)
			continue;
		/* Directories are stored whole: list their last level. */
		slash = is_dir ? strrchr(name, '/') : NULL;
		db_read_attr(stmt, 1, &attr);
		rc = fn(ctx, slash ? slash + 1 : name, is_dir, &attr);
	}
	sql_reset(stmt);
	return rc;
}

int store_dir_list(struct store *st, enum tree tree, const char *name,
		   store_list_fn fn, void *ctx)
{
	const struct tree_desc *t = &TREES[tree];
	struct sql_stmt *stmt;
	int64_t id = 0;
	int rc;

	db_lock(st);
	if (*name) {
		id = dir_id(st, t, name, NULL);
		if (id < 0) {
			rc = (int)id;
			goto out;
		}
	}
	stmt = db_stmt(st, t->sql_children);
	if (!stmt) {
		rc = -EIO;
		goto out;
	}
	sql_bind_text(stmt, 1, name, -1);
	rc = list_rows(stmt, true, fn, ctx);
	if (rc || !*name)
		goto out;
	stmt = db_stmt(st, t->sql_files);
	if (!stmt) {
		rc = -EIO;
		goto out;
	}
	sql_bind_int64(stmt, 1, id);
	rc = list_rows(stmt, false, fn, ctx);
out:
	db_unlock(st);
	return rc;
}

int tree_file_create(struct store *st, enum tree tree, const char *dir,
		     const char *name, mode_t mode, const struct caller *who,
		     int64_t now_ms, int64_t *id, struct err *err)
{
	const struct tree_desc *t = &TREES[tree];
	struct trail_event ev = event(t, t->file_create, dir, name, who);
	char child[PATH_MAX + NAME_MAX_BYTES + 2];
	struct sql_stmt *stmt;
	int64_t dir_id_, child_id;
	int rc;

	rc = db_begin(st);
	if (rc)
		return rc;
	rc = parse_name(name, strlen(name));
	if (rc) {
		err_set(err, "invalid %s name", t->file_what);
		goto out;
	}
	if (tree == TREE_NAMESPACES && strchr(name, '=')) {
		err_set(err, "metric name %s holds '=' (a dimension)", name);
		rc = -EINVAL;
		goto out;
	}
	if (tree == TREE_NAMESPACES && strchr(dir, '=')) {
		/* A series made through an alias makes its set (SPEC 11). */
		rc = tree_validate(tree, dir, err);
		if (!rc)
			rc = make_dimension_chain(st, dir, 0, true, who);
		if (rc == -ENOENT)
			err_set(err, "no %s for %s", t->what, dir);
		if (rc)
			goto out;
	}
	dir_id_ = dir_id(st, t, dir, NULL);
	if (dir_id_ < 0) {
		if (dir_id_ == -ENOENT)
			err_set(err, "no %s %s", t->what, dir);
		rc = (int)dir_id_;
		goto out;
	}
	snprintf(child, sizeof(child), "%s/%s", dir, name);
	child_id = dir_id(st, t, child, NULL);
	if (child_id >= 0) {
		err_set(err, "%s is a %s", child, t->what);
		rc = -EEXIST;
		goto out;
	}
	if (child_id != -ENOENT) {
		rc = (int)child_id;
		goto out;
	}
	stmt = db_stmt(st, t->sql_file_insert);
	if (!stmt) {
		rc = -EIO;
		goto out;
	}
	sql_bind_int64(stmt, 1, dir_id_);
	sql_bind_text(stmt, 2, name, -1);
	db_bind_owner(stmt, 3, who, mode, now_ms);
	rc = db_exec_stmt(stmt);
	if (!rc)
		*id = db_last_id(st);
out:
	return trail_finish_change(st, rc, &ev, err);
}

int tree_series_make_locked(struct store *st, const char *dir, const char *name,
			    const struct node_attr *owner, int64_t now_ms,
			    int64_t *id)
{
	const struct tree_desc *t = &TREES[TREE_NAMESPACES];
	struct caller who = {.uid = owner->uid, .gid = owner->gid};
	char child[PATH_MAX + NAME_MAX_BYTES + 2];
	struct sql_stmt *stmt;
	int64_t dir_id_, child_id;
	int rc;

	rc = make_dimension_chain(st, dir, 0, true, &who);
	dir_id_ = rc ? rc : dir_id(st, t, dir, NULL);
	if (dir_id_ < 0)
		return (int)dir_id_;
	snprintf(child, sizeof(child), "%s/%s", dir, name);
	child_id = dir_id(st, t, child, NULL);
	if (child_id >= 0)
		return -EEXIST;
	if (child_id != -ENOENT)
		return (int)child_id;
	stmt = db_stmt(st, t->sql_file_insert);
	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, dir_id_);
	sql_bind_text(stmt, 2, name, -1);
	db_bind_owner(stmt, 3, &who, owner->mode, now_ms);
	rc = db_exec_stmt(stmt);
	if (!rc)
		*id = db_last_id(st);
	return rc;
}

/*
 * Make file name in dir of tree as tree_file_create does, now; its id and
 * attributes in *id and *attr.
 */
static int make_file(struct store *st, enum tree tree, const char *dir,
		     const char *name, mode_t mode, const struct caller *who,
		     int64_t *id, struct node_attr *attr, struct err *err)
{
	int64_t now = store_now_ms();
	int rc;

	rc = tree_file_create(st, tree, dir, name, mode, who, now, id, err);
	if (!rc)
		*attr = (struct node_attr){who->uid, who->gid, mode & 07777,
					   now, now};
	return rc;
}

/* The files of the two trees: a metric in a namespace, a stream in a group. */
int store_metric_create(struct store *st, const char *ns, const char *name,
			mode_t mode, const struct caller *who,
			struct metric_info *out, struct err *err)
{
	struct metric_info info = {0};
	int rc;

	rc = make_file(st, TREE_NAMESPACES, ns, name, mode, who, &info.id,
		       &info.attr, err);
	if (!rc && out)
		*out = info;
	return rc;
}

int store_stream_create(struct store *st, const char *group, const char *name,
			mode_t mode, const struct caller *who,
			struct stream_info *out, struct err *err)
{
	struct stream_info info = {0};
	int rc;

	rc = make_file(st, TREE_LOG_GROUPS, group, name, mode, who, &info.id,
		       &info.attr, err);
	if (!rc && out)
		*out = info;
	return rc;
}

/* store_file_delete, once. */
static int file_delete_once(struct store *st, enum tree tree, const char *dir,
			    const char *name, const struct caller *who,
			    struct err *err)
{
	const struct tree_desc *t = &TREES[tree];
	struct trail_event ev = event(t, t->file_delete, dir, name, who);
	int64_t stream_id = 0;
	struct sql_stmt *stmt;
	int rc;

	rc = db_begin(st);
	if (rc)
		return rc;
	if (tree == TREE_LOG_GROUPS) {
		/* Its readers keep its bytes; they are reaped below. */
		rc = stream_detach_locked(st, dir, name, store_now_ms(),
					  &stream_id);
		goto out;
	}
	stmt = db_stmt(st, t->sql_file_delete);
	if (!stmt) {
		rc = -EIO;
		goto out;
	}
	db_note_removal(st);
	sql_bind_text(stmt, 1, dir, -1);
	sql_bind_text(stmt, 2, name, -1);
	rc = db_exec_stmt(stmt);
	if (!rc && db_changes(st) == 0)
		rc = -ENOENT;
out:
	rc = trail_finish_change(st, rc, &ev, err);
	/* Done whatever the reaping says: what it leaves, the sweep reaps. */
	if (!rc && stream_id)
		stream_reap(st, stream_id);
	return rc;
}

/*
 * Removals make room, so on a full disk they may use the reserve
 * (store/space.h): given up before a removal when the disk is nearly
 * full, and when one fails with ENOSPC, which is then tried once more.
 */
int store_file_delete(struct store *st, enum tree tree, const char *dir,
		      const char *name, const struct caller *who,
		      struct err *err)
{
	int rc;

	if (db_disk_low(st))
		db_make_room(st, true);
	rc = file_delete_once(st, tree, dir, name, who, err);
	if (rc == -ENOSPC && db_make_room(st, true) == 0) {
		if (err)
			err->msg[0] = '\0'; /* trail_finish_change explained the
					       ENOSPC */
		rc = file_delete_once(st, tree, dir, name, who, err);
	}
	return rc;
}

int store_dir_delete(struct store *st, enum tree tree, const char *name,
		     const struct caller *who, struct err *err)
{
	int rc;

	if (db_disk_low(st))
		db_make_room(st, true);
	rc = dir_delete_once(st, tree, name, who, err);
	if (rc == -ENOSPC && db_make_room(st, true) == 0) {
		if (err)
			err->msg[0] = '\0'; /* trail_finish_change explained the
					       ENOSPC */
		rc = dir_delete_once(st, tree, name, who, err);
	}
	return rc;
}
