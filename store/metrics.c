/*
 * metrics: metrics as files in a namespace — creation, deletion, units,
 * ownership — and the text format of a metric write (SPEC 3).
 *
 * A metric's data lives in rollups (store/rollups.c); deleting a metric
 * cascades to them in the same transaction.
 */
#include "store/db.h"
#include "store/memo.h"
#include "store/queue.h"
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

/*
 * Metric name of namespace ns as the database has it (the memo's answer
 * when no commit came since): 0, -ENOENT or -EIO. Lock held.
 */
static int metric_row(struct store *st, const char *ns, const char *name,
		      struct metric_info *out)
{
	struct memo_value v = {0};
	struct sql_stmt *stmt;
	int rc;

	if (memo_get(db_memo(st), MEMO_METRIC, 0, ns, name, &v))
		goto answer;
	stmt = db_stmt(st, SQL_METRIC_GET);
	if (!stmt)
		return -EIO;
	sql_bind_text(stmt, 1, ns, -1);
	sql_bind_text(stmt, 2, name, -1);
	rc = db_step(stmt);
	if (rc == DB_ROW) {
		const char *unit = (const char *)sql_column_text(stmt, 1);

		v.n = sql_column_int64(stmt, 0);
		snprintf(v.unit, sizeof(v.unit), "%s", unit ? unit : "");
		db_read_attr(stmt, 2, &v.attr);
	}
	sql_reset(stmt);
	if (rc < 0)
		return rc;
	v.rc = rc == DB_ROW ? 0 : -ENOENT;
	memo_put(db_memo(st), MEMO_METRIC, 0, ns, name, &v);
answer:
	if (v.rc)
		return v.rc;
	out->id = v.n;
	out->attr = v.attr;
	memcpy(out->unit, v.unit, sizeof(out->unit));
	return 0;
}

int store_metric_get(struct store *st, const char *ns, const char *name,
		     struct metric_info *out)
{
	int rc;

	/* Waiting writes need not be taken: queue_overlay_locked says. */
	db_lock_quiet(st);
	do {
		rc = metric_row(st, ns, name, out);
		if (!rc)
			rc = queue_overlay_locked(st, DATA_METRIC, out->id,
						  &out->attr, NULL);
	} while (rc == 1); /* it took them: ask again */
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
	struct sql_stmt *stmt;
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
	sql_bind_text(stmt, 1, ns, -1);
	sql_bind_text(stmt, 2, name, -1);
	sql_bind_text(stmt, 3, unit, -1);
	rc = db_exec_stmt(stmt);
	if (!rc && db_changes(st) == 0)
		rc = -ENOENT;
out:
	return trail_finish_change(st, rc, &ev, err);
}
