/*
 * dimensions: the store's side of dimension sets (SPEC 11), beside the
 * tree that keeps them (store/tree.c: set {A=x, B=y} of namespace NS is
 * the namespace row "NS/A=x/B=y", under its canonical prefixes).
 *
 * Two questions are answered here, each with one indexed query over the
 * namespace rows of NS (a range scan of the unique index on the name):
 * which existing set extends an alias directory, and which series of a
 * metric name a series= view selects. The sets are parsed back from
 * their canonical names, so what the index narrows, lib/dimension
 * decides exactly.
 */
#include "store/db.h"
#include "store/rollups.h"
#include "lib/dimension.h"
#include "lib/strbuf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ATTR_COLUMNS "uid, gid, mode, ctime_ms, mtime_ms"

/*
 * The namespace rows strictly below NS ("NS/" <= name < "NS0") that
 * hold the level ?2 ("/A=x/"): candidates for a set holding A=x.
 */
static const char SQL_SETS_BELOW[] =
	"SELECT name, " ATTR_COLUMNS " FROM namespaces"
	" WHERE name > ?1 || '/' AND name < ?1 || '0'"
	" AND instr(name || '/', ?2) > 0 ORDER BY name";

/*
 * The series of metric ?2 in NS or any row below it: NS itself first,
 * then in name order, which is canonical path order.
 */
static const char SQL_SERIES[] =
	"SELECT m.id, n.name, m.uid, m.gid, m.mode, m.ctime_ms, m.mtime_ms"
	" FROM namespaces n"
	" JOIN metrics m ON m.namespace_id = n.id AND m.name = ?2"
	" WHERE n.name = ?1 OR (n.name > ?1 || '/' AND n.name < ?1 || '0')"
	" ORDER BY n.name";

/*
 * Parse the namespace row name as a dimension directory of namespace
 * ns[0..ns_len): 1 and *out (owned) when it is one, 0 when it is not (a
 * deeper namespace, or a set of a deeper namespace), -ENOMEM.
 */
static int set_of_row(const char *name, const char *ns, size_t ns_len,
		      struct dimension_path *out)
{
	struct err ignored;
	int rc;

	if (!strchr(name + ns_len, '='))
		return 0;
	rc = dimension_parse_path(name, strlen(name), DIMENSION_PATH_DIR, out,
				  &ignored);
	if (rc == -ENOMEM)
		return rc;
	if (rc)
		return 0; /* not made by this tree: never matches */
	if (out->ns_len != ns_len || memcmp(out->ns, ns, ns_len)) {
		dimension_path_free(out);
		return 0;
	}
	return 1;
}

int store_dimension_alias(struct store *st, const char *dir,
			  struct node_attr *out)
{
	struct dimension_path want, row;
	struct strbuf level = STRBUF_INIT;
	struct err ignored;
	struct sql_stmt *stmt;
	char *ns = NULL;
	int rc;

	rc = dimension_parse_path(dir, strlen(dir), DIMENSION_PATH_DIR, &want,
				  &ignored);
	if (rc)
		return rc == -ENOMEM ? rc : -ENOENT;
	ns = strndup(want.ns, want.ns_len);
	if (!ns || strbuf_adds(&level, "/") ||
	    dimension_set_path(&level, &want.dims, 1) ||
	    strbuf_adds(&level, "/")) {
		free(ns);
		strbuf_release(&level);
		dimension_path_free(&want);
		return -ENOMEM;
	}
	db_lock_quiet(st); /* no data write changes a directory */
	stmt = db_stmt(st, SQL_SETS_BELOW);
	if (!stmt) {
		rc = -EIO;
		goto out;
	}
	sql_bind_text(stmt, 1, ns, -1);
	sql_bind_text(stmt, 2, level.buf, -1);
	rc = -ENOENT;
	while (rc == -ENOENT) {
		const char *name;
		int step = db_step(stmt), is_set;

		if (step != DB_ROW) {
			rc = step < 0 ? step : -ENOENT;
			break;
		}
		name = (const char *)sql_column_text(stmt, 0);
		is_set = name ? set_of_row(name, ns, want.ns_len, &row) : 0;
		if (is_set < 0) {
			rc = is_set;
			break;
		}
		if (!is_set)
			continue;
		if (row.dims.count > want.dims.count &&
		    dimension_set_is_subset(&want.dims, &row.dims)) {
			db_read_attr(stmt, 1, out);
			rc = 0;
		}
		dimension_path_free(&row);
	}
	sql_reset(stmt);
out:
	db_unlock(st);
	free(ns);
	strbuf_release(&level);
	dimension_path_free(&want);
	return rc;
}

/* What gather_series found: the series, in canonical path order. */
struct found_series {
	struct series *all;
	size_t n, alloc;
};

static void found_series_free(struct found_series *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		dimension_set_free(&f->all[i].dims);
	free(f->all);
}

static int found_series_add(struct found_series *f, struct series *s)
{
	if (f->n == f->alloc) {
		size_t grown = f->alloc ? 2 * f->alloc : 16;
		struct series *bigger =
			realloc(f->all, grown * sizeof(*bigger));

		if (!bigger)
			return -ENOMEM;
		f->all = bigger;
		f->alloc = grown;
	}
	f->all[f->n++] = *s;
	return 0;
}

/*
 * The series of metric name in namespace ns that sel selects, into *f
 * (owned: found_series_free, also after a failure). Lock held. 0,
 * -ENOMEM or -EIO.
 */
static int gather_series(struct store *st, const char *ns, const char *name,
			 const struct dimension_selector *sel,
			 struct found_series *f)
{
	size_t ns_len = strlen(ns);
	struct sql_stmt *stmt = db_stmt(st, SQL_SERIES);
	int rc = 0;

	if (!stmt)
		return -EIO;
	sql_bind_text(stmt, 1, ns, -1);
	sql_bind_text(stmt, 2, name, -1);
	for (;;) {
		struct series s = {0};
		struct dimension_path row;
		const char *dir;
		int step = db_step(stmt), is_set;

		if (step != DB_ROW) {
			rc = step < 0 ? step : 0;
			break;
		}
		dir = (const char *)sql_column_text(stmt, 1);
		if (!dir)
			continue;
		s.metric_id = sql_column_int64(stmt, 0);
		db_read_attr(stmt, 2, &s.attr);
		if (strcmp(dir, ns)) {
			is_set = set_of_row(dir, ns, ns_len, &row);
			if (is_set < 0) {
				rc = is_set;
				break;
			}
			if (!is_set)
				continue; /* a deeper namespace's metric */
			s.dims = row.dims;
			row.dims = (struct dimension_set)DIMENSION_SET_INIT;
			dimension_path_free(&row);
		}
		if (!dimension_selector_matches(sel, &s.dims) ||
		    (rc = found_series_add(f, &s)) != 0)
			dimension_set_free(&s.dims);
		if (rc)
			break;
	}
	sql_reset(stmt);
	return rc;
}

int store_metric_series(struct store *st, const char *ns, const char *name,
			const struct dimension_selector *sel,
			store_series_fn fn, void *ctx)
{
	struct found_series f = {0};
	size_t i;
	int rc;

	/* Gathered first and called back after, without the lock. */
	db_lock_quiet(st);
	rc = gather_series(st, ns, name, sel, &f);
	db_unlock(st);
	for (i = 0; !rc && i < f.n; i++)
		rc = fn(ctx, &f.all[i]);
	found_series_free(&f);
	return rc;
}

int store_series_stats(struct store *st, const char *ns, const char *name,
		       const struct dimension_selector *sel,
		       const struct stats_query *q, store_series_fn series_fn,
		       store_stats_fn stats_fn, void *ctx)
{
	struct found_series f = {0};
	size_t i;
	int rc;

	/*
	 * One read transaction for the lookup and every series' rollups:
	 * one snapshot, and sqlite's locks taken once, not per series.
	 */
	rc = db_begin_read(st);
	if (rc)
		return rc;
	rc = gather_series(st, ns, name, sel, &f);
	for (i = 0; !rc && i < f.n; i++) {
		rc = series_fn(ctx, &f.all[i]);
		if (!rc)
			rc = rollups_stats_locked(st, f.all[i].metric_id, q,
						  stats_fn, ctx);
	}
	db_end_read(st);
	found_series_free(&f);
	return rc;
}
