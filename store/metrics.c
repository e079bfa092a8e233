/*
 * metrics: metrics as files in a namespace — creation, deletion, units,
 * ownership — and the text format of a metric write (SPEC 3).
 *
 * A metric's data lives in rollups (store/rollups.c); deleting a metric
 * cascades to them in the same transaction.
 */
#include "store/db.h"
#include "store/trail.h"
#include "lib/format.h"
#include "lib/parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define ATTR_COLUMNS "uid, gid, mode, ctime_ms, mtime_ms"

static const char SQL_METRIC_GET[] =
	"SELECT m.id, m.unit, m.uid, m.gid, m.mode, m.ctime_ms, m.mtime_ms"
	" FROM metrics m JOIN namespaces n ON n.id = m.namespace_id"
	" WHERE n.name = ?1 AND m.name = ?2";
static const char SQL_METRIC_SET_UNIT[] =
	"UPDATE metrics SET unit = ?3 WHERE name = ?2 AND namespace_id ="
	" (SELECT id FROM namespaces WHERE name = ?1)";

int store_metric_get(struct store *st, const char *ns, const char *name,
		     struct metric_info *out)
{
	sqlite3_stmt *stmt;
	int rc = -ENOENT;

	db_lock(st);
	stmt = db_stmt(st, SQL_METRIC_GET);
	if (!stmt) {
		rc = -EIO;
		goto out;
	}
	sqlite3_bind_text(stmt, 1, ns, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, name, -1, SQLITE_STATIC);
	rc = db_step(stmt);
	if (rc == DB_DONE)
		rc = -ENOENT;
	if (rc == DB_ROW) {
		const char *unit = (const char *)sqlite3_column_text(stmt, 1);

		out->id = sqlite3_column_int64(stmt, 0);
		snprintf(out->unit, sizeof(out->unit), "%s", unit ? unit : "");
		db_read_attr(stmt, 2, &out->attr);
		rc = 0;
	}
	sqlite3_reset(stmt);
out:
	db_unlock(st);
	return rc;
}

int store_metric_set_unit(struct store *st, const char *ns, const char *name,
			  const char *unit, const struct caller *who,
			  struct err *err)
{
	struct trail_event ev = {
		.source = "metrics.monfs",
		.name = *unit ? "Setxattr" : "Removexattr",
		.who = who,
		.params = {TRAIL_STR("namespace", ns),
			   TRAIL_STR("metricName", name),
			   TRAIL_STR("attribute", "user.unit"),
			   TRAIL_STR("value", unit)},
		.nparams = *unit ? 4 : 3,
	};
	char q[FORMAT_QUOTE_SIZE];
	sqlite3_stmt *stmt;
	int rc;

	rc = db_begin(st);
	if (rc)
		return rc;
	if (*unit && !metric_unit_valid(unit)) {
		err_set(err,
			"\"%s\" is not a CloudWatch unit (such as Percent,"
			" Bytes, Count, Seconds or None)",
			format_quote(q, unit, strlen(unit)));
		rc = -EINVAL;
		goto out;
	}
	stmt = db_stmt(st, SQL_METRIC_SET_UNIT);
	if (!stmt) {
		rc = -EIO;
		goto out;
	}
	sqlite3_bind_text(stmt, 1, ns, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, unit, -1, SQLITE_STATIC);
	rc = db_exec_stmt(stmt);
	if (!rc && sqlite3_changes(db_handle(st)) == 0)
		rc = -ENOENT;
out:
	return trail_finish_change(st, rc, &ev, err);
}

/* ---- the write format ---- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Parse one line (no '\n') into *p. 1 stored, 0 blank, or -EINVAL. */
static int parse_line(const char *line, size_t len, int64_t now_ms,
		      unsigned lineno, struct point *p, struct err *err)
{
	const char *field[3];
	size_t flen[3];
	char q[FORMAT_QUOTE_SIZE];
	int nfields = 0;
	size_t i = 0;

	if (len && line[len - 1] == '\r')
		len--;
	while (i < len) {
		size_t start;

		while (i < len && is_blank(line[i]))
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && !is_blank(line[i]))
			i++;
		if (nfields == 2) {
			err_set(err,
				"line %u: expected VALUE [TIMESTAMP], "
				"found more than two fields",
				lineno);
			return -EINVAL;
		}
		field[nfields] = line + start;
		flen[nfields] = i - start;
		nfields++;
	}
	if (nfields == 0)
		return 0;
	if (parse_value(field[0], flen[0], &p->value)) {
		err_set(err, "line %u: \"%s\" is not a number", lineno,
			format_quote(q, field[0], flen[0]));
		return -EINVAL;
	}
	p->ts_ms = now_ms;
	if (nfields == 1)
		return 1;
	if (parse_timestamp(field[1], flen[1], &p->ts_ms)) {
		err_set(err, "line %u: \"%s\" is not a timestamp", lineno,
			format_quote(q, field[1], flen[1]));
		return -EINVAL;
	}
	if (p->ts_ms < now_ms - METRIC_PAST_MS) {
		err_set(err,
			"line %u: timestamp \"%s\" is more than 14 days "
			"old",
			lineno, format_quote(q, field[1], flen[1]));
		return -EINVAL;
	}
	if (p->ts_ms > now_ms + METRIC_FUTURE_MS) {
		err_set(err,
			"line %u: timestamp \"%s\" is more than 2 hours "
			"ahead",
			lineno, format_quote(q, field[1], flen[1]));
		return -EINVAL;
	}
	return 1;
}

int metric_parse_lines(const char *buf, size_t len, int64_t now_ms,
		       struct point **out, size_t *count, struct err *err)
{
	struct point *points = NULL;
	size_t n = 0, cap = 0, pos = 0;
	unsigned lineno = 0;
	int rc;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len;
		struct point p;

		lineno++;
		rc = parse_line(buf + pos, end - pos, now_ms, lineno, &p, err);
		if (rc < 0)
			goto fail;
		if (rc == 1) {
			if (n == cap) {
				size_t ncap = cap ? cap * 2 : 64;
				struct point *np =
					realloc(points, ncap * sizeof(*np));

				if (!np) {
					rc = -ENOMEM;
					goto fail;
				}
				points = np;
				cap = ncap;
			}
			points[n++] = p;
		}
		pos = end + 1;
	}
	*out = points;
	*count = n;
	return 0;
fail:
	free(points);
	return rc;
}
