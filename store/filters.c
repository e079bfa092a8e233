/*
 * filters: metric filters kept in the database and applied at ingest
 * (SPEC 7): each event written to a group that a filter watches, in any
 * stream, that matches its pattern adds a data point to its metric, in
 * the transaction of the write itself.
 *
 * A filter with dimensions (SPEC 11) sends each matched event to the
 * series its fields name: the event's canonical dimension path is
 * written into one buffer that the write's events share, the events are
 * sorted by it, and each series is looked up (and made at its first
 * point, owned as the filter's metric is) once per write, not per event.
 * The lookup is one indexed query: the memo (store/memo.c) cannot help
 * here, since every log write commits and so empties it.
 *
 * Trade-off: the filters of a group are parsed and their patterns
 * compiled again for each write into that group; writes into groups no
 * filter watches pay one indexed query. A cache keyed by a generation
 * counter would remove the compile cost if it ever shows.
 */
#include "store/db.h"
#include "store/filters.h"
#include "store/named.h"
#include "store/rollups.h"
#include "store/stream_bytes.h"
#include "store/trail.h"
#include "store/tree.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/filter.h"
#include "lib/perm.h"
#include "lib/timeutil.h"

static const char SQL_FILTER_GET[] =
	"SELECT id, uid, gid, mode, ctime_ms, mtime_ms FROM metric_filters"
	" WHERE name = ?1";
static const char SQL_FILTER_LIST[] =
	"SELECT name, uid, gid, mode, ctime_ms, mtime_ms FROM metric_filters"
	" ORDER BY name";
static const char SQL_FILTER_INSERT[] =
	"INSERT INTO metric_filters (name, definition, group_name, uid, gid,"
	" mode, ctime_ms, mtime_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)"
	" ON CONFLICT (name) DO UPDATE SET definition = ?2, group_name = ?3,"
	" mtime_ms = ?7";
static const char SQL_FILTER_DELETE[] =
	"DELETE FROM metric_filters WHERE name = ?1";
static const char SQL_FILTER_SOURCE[] =
	"SELECT id, definition, group_name FROM metric_filters WHERE name = ?1";
static const char SQL_FILTER_REDEFINE[] =
	"UPDATE metric_filters SET definition = ?2, group_name = ?3,"
	" mtime_ms = ?4 WHERE id = ?1";
static const char SQL_FILTER_MOVE[] =
	"UPDATE metric_filters SET name = ?2 WHERE id = ?1";
static const char SQL_FILTER_DELETE_ID[] =
	"DELETE FROM metric_filters WHERE id = ?1";
static const char SQL_FILTER_LOAD[] =
	"SELECT definition, matched, skipped FROM metric_filters"
	" WHERE name = ?1";
static const char SQL_FILTERS_OF_STREAM[] =
	"SELECT f.id, f.definition FROM metric_filters f"
	" JOIN log_groups g ON g.name = f.group_name"
	" JOIN log_streams s ON s.group_id = g.id WHERE s.id = ?1";
static const char SQL_FILTER_COUNT[] =
	"UPDATE metric_filters SET matched = matched + ?2,"
	" skipped = skipped + ?3 WHERE id = ?1";
static const char SQL_MINUTE_SEEN[] =
	"INSERT INTO filter_minutes (filter_id, minute_ms, matched)"
	" VALUES (?1, ?2, ?3) ON CONFLICT (filter_id, minute_ms)"
	" DO UPDATE SET matched = CASE WHEN filter_minutes.matched <> 0"
	" OR ?3 <> 0 THEN 1 ELSE 0 END";
static const char SQL_MINUTES_DUE[] =
	"SELECT m.filter_id, m.minute_ms, f.definition FROM filter_minutes m"
	" JOIN metric_filters f ON f.id = m.filter_id"
	" WHERE m.minute_ms < ?1 AND m.matched = 0";
static const char SQL_MINUTES_DONE[] =
	"DELETE FROM filter_minutes WHERE minute_ms < ?1";
static const char SQL_METRIC_OWNER[] =
	"SELECT m.id, m.uid, m.gid, m.mode, m.ctime_ms, m.mtime_ms FROM "
	"metrics m"
	" JOIN namespaces n ON n.id = m.namespace_id"
	" WHERE n.name = ?1 AND m.name = ?2";
static const char SQL_METRIC_ID[] =
	"SELECT m.id FROM metrics m JOIN namespaces n ON n.id = m.namespace_id"
	" WHERE n.name = ?1 AND m.name = ?2";

int store_filter_get(struct store *st, const char *name, struct alarm_info *out)
{
	return named_get(st, SQL_FILTER_GET, name, &out->id, &out->attr);
}

int store_filter_list(struct store *st, store_list_fn fn, void *ctx)
{
	return named_list(st, SQL_FILTER_LIST, fn, ctx);
}

/*
 * Make the filter's metric where it is missing, as mkdir -p and touch
 * would, checking who's rights on the way (SPEC 7). Lock not held.
 */
static int ensure_metric(struct store *st, const struct filter_def *d,
			 const struct caller *who, struct err *err)
{
	char level[NAMESPACE_MAX_BYTES + 1];
	struct metric_info m;
	struct node_attr a;
	const char *slash = d->ns;
	bool made = false;
	int rc;

	if (!store_metric_get(st, d->ns, d->metric, &m)) {
		if (perm_allows(who, &m.attr, false, PERM_WRITE))
			return 0;
		err_set(err, "%s may not write to metric %s/%s", who->user,
			d->ns, d->metric);
		return -EACCES;
	}
	do {
		slash = strchr(slash + 1, '/');
		snprintf(level, sizeof(level), "%.*s",
			 (int)(slash ? (size_t)(slash - d->ns) : strlen(d->ns)),
			 d->ns);
		if (!store_dir_get(st, TREE_NAMESPACES, level, &a)) {
			if (!made &&
			    !perm_allows(who, &a, true,
					 PERM_WRITE | PERM_EXEC) &&
			    !slash) {
				err_set(err, "%s may not make a metric in %s",
					who->user, level);
				return -EACCES;
			}
			continue;
		}
		rc = store_dir_create(st, TREE_NAMESPACES, level, 0755, who,
				      err);
		if (rc && rc != -EEXIST)
			return rc;
		made = true;
	} while (slash);
	rc = store_metric_create(st, d->ns, d->metric, 0644, who, &m, err);
	return rc == -EEXIST ? 0 : rc;
}

/* Whether who may read group (when it exists yet). */
static int check_group(struct store *st, const struct filter_def *d,
		       const struct caller *who, struct err *err)
{
	struct node_attr a;

	if (store_dir_get(st, TREE_LOG_GROUPS, d->group, &a) ||
	    perm_allows(who, &a, true, PERM_READ | PERM_EXEC))
		return 0;
	err_set(err, "%s may not read log group %s", who->user, d->group);
	return -EACCES;
}

/*
 * PutMetricFilter's metricTransformations as CloudTrail records it:
 * [{"metricName","metricNamespace","metricValue","dimensions":{Name:
 * "$field"},"defaultValue"}], the last two when given. JSON text
 * (free()), or NULL when out of memory.
 */
static char *transformations(const struct filter_def *d)
{
	json_t *t =
		json_pack("{s:s,s:s,s:s}", "metricName", d->metric,
			  "metricNamespace", d->ns, "metricValue", d->value);
	json_t *dims = d->ndims ? json_object() : NULL, *list;
	char *out = NULL;
	size_t i;
	int bad = !t || (d->ndims && !dims);

	for (i = 0; !bad && i < d->ndims; i++)
		bad = json_object_set_new(dims, d->dims[i].name,
					  json_string(d->dims[i].field));
	if (!bad && dims) {
		bad = json_object_set_new(t, "dimensions", dims);
		dims = NULL;
	}
	if (!bad && d->has_default)
		bad = json_object_set_new(t, "defaultValue",
					  json_real(d->default_value));
	list = bad ? NULL : json_pack("[O]", t);
	if (list)
		out = json_dumps(list, JSON_COMPACT);
	json_decref(list);
	json_decref(dims);
	json_decref(t);
	return out;
}

/* A filter definition being written: named_put's ctx. */
struct filter_put {
	const char *name;
	const struct filter_def *def;
	const struct strbuf *canon;
	const struct node_owner *owner;
};

/* Create or redefine the filter. Lock held, transaction open. */
static int write_filter(struct store *st, void *ctx)
{
	const struct filter_put *p = ctx;
	struct sql_stmt *stmt = db_stmt(st, SQL_FILTER_INSERT);

	if (!stmt)
		return -EIO;
	sql_bind_text(stmt, 1, p->name, -1);
	sql_bind_text(stmt, 2, p->canon->buf, (int)p->canon->len);
	sql_bind_text(stmt, 3, p->def->group, -1);
	sql_bind_int64(stmt, 4, p->owner->uid);
	sql_bind_int64(stmt, 5, p->owner->gid);
	sql_bind_int64(stmt, 6, p->owner->mode & 07777);
	sql_bind_int64(stmt, 7, store_now_ms());
	return db_exec_stmt(stmt);
}

int store_filter_put(struct store *st, const char *name, const char *text,
		     size_t len, const struct node_owner *owner,
		     const struct caller *who, struct err *err)
{
	struct trail_event ev = {
		.source = "filters.monfs",
		.name = "PutMetricFilter",
		.who = who,
		.params = {TRAIL_STR("filterName", name)},
		.nparams = 1,
	};
	struct filter_def *def = calloc(1, sizeof(*def));
	struct strbuf canon = STRBUF_INIT;
	struct filter_put put = {name, def, &canon, owner};
	char *metric_transformations = NULL;
	int rc;

	if (!def)
		return -ENOMEM;
	rc = named_check_name(name, "filter", err);
	if (!rc)
		rc = filter_def_parse(text, len, def, err);
	if (!rc) {
		ev.params[ev.nparams++] = TRAIL_STR("logGroupName", def->group);
		ev.params[ev.nparams++] =
			TRAIL_STR("filterPattern", def->pattern);
		ev.params[ev.nparams++] = TRAIL_STR("metricNamespace", def->ns);
		ev.params[ev.nparams++] = TRAIL_STR("metricName", def->metric);
		metric_transformations = transformations(def);
		rc = metric_transformations ? 0 : -ENOMEM;
		ev.params[ev.nparams++] = TRAIL_JSON("metricTransformations",
						     metric_transformations);
	}
	if (!rc) {
		rc = check_group(st, def, who, err);
	}
	if (!rc)
		rc = ensure_metric(st, def, who, err);
	if (!rc)
		rc = filter_def_render(def, &canon);
	rc = named_put(st, rc, write_filter, &put, &ev, err);
	free(metric_transformations);
	strbuf_release(&canon);
	free(def);
	return rc;
}

int store_filter_delete(struct store *st, const char *name,
			const struct caller *who, struct err *err)
{
	struct trail_event ev = {
		.source = "filters.monfs",
		.name = "DeleteMetricFilter",
		.who = who,
		.params = {TRAIL_STR("filterName", name)},
		.nparams = 1,
	};

	return named_delete(st, SQL_FILTER_DELETE, name, NULL, &ev, err);
}

/* ---- rename (SPEC 2) ---- */

/* The filter a rename takes its definition from. */
struct rename_source {
	int64_t id;
	char *definition; /* malloc'ed */
	char *group;	  /* malloc'ed */
};

/* named_rename_ops.load: filter name as a rename's source. */
static int load_source(struct store *st, const char *name, void *ctx,
		       struct trail_event *put)
{
	struct rename_source *src = ctx;
	const char *def, *group;
	struct sql_stmt *stmt;
	int rc = db_find(st, SQL_FILTER_SOURCE, name, &stmt);

	if (rc != DB_ROW)
		return rc;
	def = (const char *)sql_column_text(stmt, 1);
	group = (const char *)sql_column_text(stmt, 2);
	src->id = sql_column_int64(stmt, 0);
	src->definition = strdup(def ? def : "");
	src->group = strdup(group ? group : "");
	sql_reset(stmt);
	if (!src->definition || !src->group)
		return -ENOMEM;
	put->params[put->nparams++] = TRAIL_STR("logGroupName", src->group);
	return 0;
}

/*
 * named_rename_ops.move: src to to (target 0: a free name), or its
 * definition target's (which keeps owner, mode and counters) and src
 * deleted.
 */
static int rename_move(struct store *st, const void *ctx, int64_t target,
		       const char *from, const char *to, int64_t now_ms)
{
	const struct rename_source *src = ctx;
	struct sql_stmt *stmt;
	int rc;

	(void)from;
	if (!target) {
		stmt = db_stmt(st, SQL_FILTER_MOVE);
		if (!stmt)
			return -EIO;
		sql_bind_int64(stmt, 1, src->id);
		sql_bind_text(stmt, 2, to, -1);
		return db_exec_stmt(stmt);
	}
	stmt = db_stmt(st, SQL_FILTER_REDEFINE);
	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, target);
	sql_bind_text(stmt, 2, src->definition, -1);
	sql_bind_text(stmt, 3, src->group, -1);
	sql_bind_int64(stmt, 4, now_ms);
	rc = db_exec_stmt(stmt);
	stmt = rc ? NULL : db_stmt(st, SQL_FILTER_DELETE_ID);
	if (rc || !stmt)
		return rc ? rc : -EIO;
	sql_bind_int64(stmt, 1, src->id);
	return db_exec_stmt(stmt);
}

static const struct named_rename_ops RENAME_OPS = {
	.noun = "filter",
	.get_sql = SQL_FILTER_GET,
	.load = load_source,
	.move = rename_move,
};

int store_filter_rename(struct store *st, const char *from, const char *to,
			const struct caller *who, struct err *err)
{
	struct trail_event put = {
		.source = "filters.monfs",
		.name = "PutMetricFilter",
		.who = who,
		.params = {TRAIL_STR("filterName", to),
			   TRAIL_STR("sourceFilterName", from)},
		.nparams = 2,
	};
	struct trail_event del = {
		.source = "filters.monfs",
		.name = "DeleteMetricFilter",
		.who = who,
		.params = {TRAIL_STR("filterName", from)},
		.nparams = 1,
	};
	struct rename_source src = {0};
	int rc = named_rename(st, &RENAME_OPS, &src, from, to, &put, &del, err);

	free(src.definition);
	free(src.group);
	return rc;
}

int store_filter_render(struct store *st, const char *name, struct strbuf *out)
{
	struct sql_stmt *stmt;
	int rc;

	db_lock(st);
	rc = db_find(st, SQL_FILTER_LOAD, name, &stmt);
	if (rc == DB_ROW) {
		rc = strbuf_adds(out, (const char *)sql_column_text(stmt, 0));
		if (!rc)
			rc = strbuf_addf(out,
					 "matched = %lld\nskipped = %lld\n",
					 (long long)sql_column_int64(stmt, 1),
					 (long long)sql_column_int64(stmt, 2));
		sql_reset(stmt);
	}
	db_unlock(st);
	return rc;
}

/* What one filter found in one write's lines. */
struct matched {
	struct point *points; /* in line order */
	size_t n, cap;
	int64_t skipped; /* matched, but no value or no series */
	/* With dimensions: points[i]'s series path at paths.buf + at[i]. */
	struct strbuf paths;
	size_t *at;
};

static void matched_release(struct matched *m)
{
	free(m->points);
	free(m->at);
	strbuf_release(&m->paths);
}

/* Room for one more point (and its path's offset). 0 or -ENOMEM. */
static int matched_grow(struct matched *m, bool with_paths)
{
	size_t cap = m->cap ? m->cap * 2 : 16;
	struct point *more;
	size_t *at;

	if (m->n < m->cap)
		return 0;
	more = realloc(m->points, cap * sizeof(*more));
	if (!more)
		return -ENOMEM;
	m->points = more;
	if (with_paths) {
		at = realloc(m->at, cap * sizeof(*at));
		if (!at)
			return -ENOMEM;
		m->at = at;
	}
	m->cap = cap;
	return 0;
}

/*
 * One event: its point, and with dimensions its series path, each path
 * NUL-terminated in m->paths. 0 or -ENOMEM.
 */
static int match_line(const struct filter_def *d, const struct pattern *p,
		      const char *line, size_t len, int64_t now_ms,
		      struct matched *m)
{
	size_t start = m->paths.len;
	double v;
	int r = filter_apply(d, p, line, len, &v);

	if (r == 0)
		return 0;
	if (r > 0 && d->ndims) {
		r = filter_series_path(d, p, line, len, &m->paths);
		/* "" of length 1: the path's NUL, so that it reads alone */
		if (r == -ENOMEM || (r > 0 && strbuf_add(&m->paths, "", 1)))
			return -ENOMEM;
	}
	if (r <= 0) {
		m->skipped++;
		return 0;
	}
	if (matched_grow(m, d->ndims > 0))
		return -ENOMEM;
	if (d->ndims)
		m->at[m->n] = start;
	m->points[m->n++] = (struct point){now_ms, v};
	return 0;
}

/*
 * The id and owner of metric ns/name, -ENOENT, or -EIO (-errno). Lock
 * held.
 */
static int64_t metric_owner(struct store *st, const char *ns, const char *name,
			    struct node_attr *owner)
{
	struct sql_stmt *stmt = db_stmt(st, SQL_METRIC_OWNER);
	int64_t id;
	int rc;

	if (!stmt)
		return -EIO;
	sql_bind_text(stmt, 1, ns, -1);
	sql_bind_text(stmt, 2, name, -1);
	rc = db_step(stmt);
	if (rc != DB_ROW) {
		sql_reset(stmt);
		return rc < 0 ? rc : -ENOENT;
	}
	id = sql_column_int64(stmt, 0);
	db_read_attr(stmt, 1, owner);
	sql_reset(stmt);
	return id;
}

/* The id of metric ns/name, -ENOENT, or -EIO (-errno). Lock held. */
static int64_t metric_id(struct store *st, const char *ns, const char *name)
{
	struct sql_stmt *stmt = db_stmt(st, SQL_METRIC_ID);

	if (!stmt)
		return -EIO;
	sql_bind_text(stmt, 1, ns, -1);
	sql_bind_text(stmt, 2, name, -1);
	return db_step_id(stmt);
}

/*
 * points[0..n) into series NS/path/NAME of d, made at its first point
 * when missing, owned as d's metric is (owner). A name that a namespace
 * holds instead cannot be a series: its points count as skipped. Lock
 * held, transaction open. 0 or -errno.
 */
static int ingest_series(struct store *st, const struct filter_def *d,
			 const struct node_attr *owner, const char *path,
			 const struct point *points, size_t n, int64_t now_ms,
			 int64_t *skipped)
{
	struct strbuf dir = STRBUF_INIT;
	int64_t id;
	int rc;

	if (strbuf_addf(&dir, "%s/%s", d->ns, path))
		return -ENOMEM;
	id = metric_id(st, dir.buf, d->metric);
	if (id == -ENOENT) {
		rc = tree_series_make_locked(st, dir.buf, d->metric, owner,
					     now_ms, &id);
		if (rc)
			id = rc;
	}
	strbuf_release(&dir);
	if (id == -EEXIST) {
		*skipped += (int64_t)n; /* no series can have that name */
		return 0;
	}
	if (id < 0)
		return (int)id;
	return rollups_ingest_locked(st, id, points, n, NULL);
}

/* One point and its series path: sorted by path, a series is a run. */
struct series_point {
	const char *path;
	struct point point;
};

static int compare_series_points(const void *a, const void *b)
{
	const struct series_point *x = a, *y = b;

	return strcmp(x->path, y->path);
}

/*
 * m's points, each into its series: sorted by series path, then one
 * lookup and one ingest per series. Lock held, transaction open.
 */
static int ingest_dimensioned(struct store *st, const struct filter_def *d,
			      struct matched *m, int64_t now_ms)
{
	struct series_point *sp;
	struct node_attr owner;
	struct point *run;
	size_t i, j;
	int64_t id = metric_owner(st, d->ns, d->metric, &owner);
	int rc = 0;

	if (id == -ENOENT)
		return 0; /* no metric is no series; a failure is not */
	if (id < 0)
		return (int)id;
	sp = malloc(m->n * sizeof(*sp));
	run = malloc(m->n * sizeof(*run));
	if (!sp || !run) {
		free(sp);
		free(run);
		return -ENOMEM;
	}
	for (i = 0; i < m->n; i++)
		sp[i] = (struct series_point){m->paths.buf + m->at[i],
					      m->points[i]};
	qsort(sp, m->n, sizeof(*sp), compare_series_points);
	for (i = 0; !rc && i < m->n; i = j) {
		for (j = i; j < m->n && !strcmp(sp[j].path, sp[i].path); j++)
			run[j - i] = sp[j].point;
		rc = ingest_series(st, d, &owner, sp[i].path, run, j - i,
				   now_ms, &m->skipped);
	}
	free(sp);
	free(run);
	return rc;
}

/* m's points into d's metric itself. Lock held, transaction open. */
static int ingest_plain(struct store *st, const struct filter_def *d,
			const struct matched *m)
{
	int64_t id = metric_id(st, d->ns, d->metric);

	if (id == -ENOENT)
		return 0; /* no metric is no points; a failure is not */
	if (id < 0)
		return (int)id;
	return rollups_ingest_locked(st, id, m->points, m->n, NULL);
}

/* One filter over one write's lines. Lock held, transaction open. */
static int apply_one(struct store *st, int64_t filter_id,
		     const struct filter_def *d, const char *buf, size_t len,
		     int64_t now_ms)
{
	struct matched m = {.paths = STRBUF_INIT};
	struct pattern *p = NULL;
	struct sql_stmt *stmt;
	size_t pos = 0;
	int rc;

	rc = pattern_compile(d->pattern, strlen(d->pattern), &p, NULL);
	if (rc)
		return 0; /* checked at definition: a damaged row, ignore */
	while (pos < len && !rc) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len;

		rc = match_line(d, p, buf + pos, end - pos, now_ms, &m);
		pos = end + 1;
	}
	pattern_free(p);
	if (!rc && m.n)
		rc = d->ndims ? ingest_dimensioned(st, d, &m, now_ms)
			      : ingest_plain(st, d, &m);
	stmt = rc ? NULL : db_stmt(st, SQL_FILTER_COUNT);
	if (stmt) {
		sql_bind_int64(stmt, 1, filter_id);
		sql_bind_int64(stmt, 2, (int64_t)m.n);
		sql_bind_int64(stmt, 3, m.skipped);
		rc = db_exec_stmt(stmt);
	}
	stmt = rc || !d->has_default ? NULL : db_stmt(st, SQL_MINUTE_SEEN);
	if (stmt) {
		sql_bind_int64(stmt, 1, filter_id);
		sql_bind_int64(stmt, 2, now_ms / MS_PER_MINUTE * MS_PER_MINUTE);
		sql_bind_int(stmt, 3, m.n > 0);
		rc = db_exec_stmt(stmt);
	}
	matched_release(&m);
	return rc;
}

struct filter_row {
	int64_t id;
	char *definition;
};

int filters_apply_locked(struct store *st, int64_t stream_id, int64_t abs,
			 const char *buf, size_t len, int64_t now_ms)
{
	struct filter_row *rows = NULL, *more;
	struct filter_def *d = NULL;
	char *read = NULL;
	struct sql_stmt *stmt = db_stmt(st, SQL_FILTERS_OF_STREAM);
	size_t n = 0, cap = 0, i;
	int rc = 0;

	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, stream_id);
	while (!rc && (rc = db_step(stmt)) == DB_ROW) {
		const char *def = (const char *)sql_column_text(stmt, 1);

		rc = 0;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			more = realloc(rows, cap * sizeof(*more));
			if (!more) {
				rc = -ENOMEM;
				break;
			}
			rows = more;
		}
		rows[n].id = sql_column_int64(stmt, 0);
		rows[n].definition = def ? strdup(def) : NULL;
		if (!rows[n].definition)
			rc = -ENOMEM;
		else
			n++;
	}
	sql_reset(stmt);
	if (n && !rc) {
		d = malloc(sizeof(*d));
		rc = d ? 0 : -ENOMEM;
	}
	/* Watched: the write's bytes from its segment, when not given. */
	if (n && !rc && !buf) {
		read = malloc(len ? len : 1);
		rc = read ? stream_bytes_read(st, stream_id, abs, read, len)
			  : -ENOMEM;
		buf = read;
	}
	for (i = 0; i < n; i++) {
		if (!rc &&
		    !filter_def_parse(rows[i].definition,
				      strlen(rows[i].definition), d, NULL))
			rc = apply_one(st, rows[i].id, d, buf, len, now_ms);
		free(rows[i].definition);
	}
	free(rows);
	free(d);
	free(read);
	return rc;
}

int store_filters_sweep(struct store *st, int64_t now_ms)
{
	int64_t minute = now_ms / MS_PER_MINUTE * MS_PER_MINUTE;
	struct filter_def *d = malloc(sizeof(*d));
	struct sql_stmt *stmt;
	int rc;

	if (!d)
		return -ENOMEM;
	rc = db_begin(st);
	if (rc)
		goto out;
	stmt = db_stmt(st, SQL_MINUTES_DUE);
	rc = stmt ? 0 : -EIO;
	if (stmt)
		sql_bind_int64(stmt, 1, minute);
	while (!rc && (rc = db_step(stmt)) == DB_ROW) {
		const char *def = (const char *)sql_column_text(stmt, 2);
		struct point p = {sql_column_int64(stmt, 1), 0};
		int64_t id;

		rc = 0;
		if (!def || filter_def_parse(def, strlen(def), d, NULL) ||
		    !d->has_default)
			continue;
		p.value = d->default_value;
		id = metric_id(st, d->ns, d->metric);
		if (id > 0)
			rc = rollups_ingest_locked(st, id, &p, 1, NULL);
		else if (id != -ENOENT)
			rc = (int)id;
	}
	if (stmt)
		sql_reset(stmt);
	stmt = rc ? NULL : db_stmt(st, SQL_MINUTES_DONE);
	if (stmt) {
		sql_bind_int64(stmt, 1, minute);
		rc = db_exec_stmt(stmt);
	}
	if (rc)
		db_rollback(st);
	else
		rc = db_commit(st);
out:
	free(d);
	return rc;
}
