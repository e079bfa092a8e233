/*
 * alarms: alarm definitions kept in the database (SPEC 5) — get, list,
 * put, delete, rename, and rendering an alarm as text, JSON or its
 * history.
 *
 * A definition is stored in its canonical `key = value` form and parsed
 * again when needed (lib/alarm_def.c). Evaluation and state changes are
 * store/alarm_state.c's; what an action may reach is
 * store/alarm_actions.c's.
 */
#include "store/alarms.h"
#include "store/db.h"
#include "store/named.h"
#include "store/trail.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alarm.h"
#include "lib/format.h"

static const char SQL_ALARM_GET[] =
	"SELECT id, uid, gid, mode, ctime_ms, mtime_ms FROM alarms"
	" WHERE name = ?1";
static const char SQL_ALARM_LIST[] =
	"SELECT name, uid, gid, mode, ctime_ms, mtime_ms FROM alarms"
	" ORDER BY name";
static const char SQL_ALARM_LOAD[] =
	"SELECT id, definition, state, reason, state_updated_ms, writer_uid,"
	" writer_gid, writer_name, mtime_ms, created_ms FROM alarms"
	" WHERE name = ?1";
static const char SQL_ALARM_INSERT[] =
	"INSERT INTO alarms (name, definition, uid, gid, mode, ctime_ms,"
	" mtime_ms, writer_uid, writer_gid, writer_name, state, reason,"
	" state_updated_ms, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6,"
	" ?10, ?11, ?7, ?8, ?9, ?6, ?6)";
static const char SQL_ALARM_REDEFINE[] =
	"UPDATE alarms SET definition = ?2, mtime_ms = ?3, writer_uid = ?4,"
	" writer_gid = ?5, writer_name = ?6 WHERE id = ?1";
static const char SQL_ALARM_DELETE[] = "DELETE FROM alarms WHERE name = ?1";
static const char SQL_ALARM_SOURCE[] =
	"SELECT id, definition, writer_uid, writer_gid, writer_name"
	" FROM alarms WHERE name = ?1";
static const char SQL_ALARM_MOVE[] =
	"UPDATE alarms SET name = ?2, created_ms = ?3 WHERE id = ?1";
static const char SQL_ALARM_DELETE_ID[] = "DELETE FROM alarms WHERE id = ?1";
static const char SQL_ALARM_BY_ID[] =
	"SELECT name, created_ms FROM alarms WHERE id = ?1";
static const char SQL_HISTORY_ADD[] =
	"INSERT INTO alarm_history (alarm_id, ts_ms, type, summary, data)"
	" VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_HISTORY[] =
	"SELECT ts_ms, type, summary, data FROM alarm_history"
	" WHERE alarm_id = ?1 ORDER BY id";

int store_alarm_get(struct store *st, const char *name, struct alarm_info *out)
{
	return named_get(st, SQL_ALARM_GET, name, &out->id, &out->attr);
}

int store_alarm_state(struct store *st, const char *name)
{
	int rc;

	db_lock(st);
	rc = alarms_state_of(name, st);
	db_unlock(st);
	return rc;
}

int store_alarm_list(struct store *st, store_list_fn fn, void *ctx)
{
	return named_list(st, SQL_ALARM_LIST, fn, ctx);
}

int alarms_load(struct store *st, const char *name, struct alarm_row *row)
{
	struct sql_stmt *stmt;
	const char *def, *reason, *writer;
	struct err err = {""};
	int rc = db_find(st, SQL_ALARM_LOAD, name, &stmt);

	if (rc != DB_ROW)
		return rc;
	def = (const char *)sql_column_text(stmt, 1);
	reason = (const char *)sql_column_text(stmt, 3);
	writer = (const char *)sql_column_text(stmt, 7);
	row->id = sql_column_int64(stmt, 0);
	rc = def ? alarm_def_parse(def, strlen(def), &row->def, &err) : -EIO;
	if (rc)
		rc = -EIO;
	row->state = (enum alarm_state)sql_column_int(stmt, 2);
	free(row->reason);
	row->reason = strdup(reason ? reason : "");
	if (!row->reason)
		rc = -ENOMEM;
	row->state_updated_ms = sql_column_int64(stmt, 4);
	row->writer_uid = (uid_t)sql_column_int64(stmt, 5);
	row->writer_gid = (gid_t)sql_column_int64(stmt, 6);
	snprintf(row->writer_name, sizeof(row->writer_name), "%s",
		 writer ? writer : "");
	row->config_updated_ms = sql_column_int64(stmt, 8);
	row->created_ms = sql_column_int64(stmt, 9);
	sql_reset(stmt);
	return rc;
}

void alarms_row_free(struct alarm_row *row)
{
	if (row)
		free(row->reason);
	free(row);
}

int alarms_history_add(struct store *st, int64_t alarm_id, int64_t now_ms,
		       const char *type, const char *summary, const char *data)
{
	struct sql_stmt *stmt = db_stmt(st, SQL_HISTORY_ADD);

	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, alarm_id);
	sql_bind_int64(stmt, 2, now_ms);
	sql_bind_text(stmt, 3, type, -1);
	sql_bind_text_copy(stmt, 4, summary, -1);
	sql_bind_text_copy(stmt, 5, data, -1);
	return db_exec_stmt(stmt);
}

/* An alarm definition being written: named_put's ctx. */
struct alarm_put {
	const char *name;
	const struct alarm_def *def;
	const struct strbuf *canon;
	const char *series_ns; /* the trail's namespace: with dimensions */
	const struct node_owner *owner;
	const struct caller *who;
	struct trail_event *ev;
	struct err *err;
};

/* Create or redefine the alarm. Lock held, transaction open. */
static int write_alarm(struct store *st, void *ctx)
{
	const struct alarm_put *p = ctx;
	const struct caller *who = p->who;
	int64_t now = store_now_ms(), id;
	struct sql_stmt *stmt;
	char summary[512];
	int rc;

	if (p->def->kind == ALARM_KIND_COMPOSITE) {
		/* What it names and where it leads: as stored in this tx. */
		rc = alarms_check_rule(st, p->name, p->def, p->err);
		if (rc)
			return rc;
	} else {
		p->ev->params[p->ev->nparams++] =
			TRAIL_STR("namespace", p->series_ns);
		p->ev->params[p->ev->nparams++] =
			TRAIL_STR("metricName", p->def->metric);
	}
	id = named_id(st, SQL_ALARM_GET, p->name);
	if (id < 0 && id != -ENOENT)
		return (int)id; /* the database failed: no guess */
	stmt = db_stmt(st, id > 0 ? SQL_ALARM_REDEFINE : SQL_ALARM_INSERT);
	if (!stmt)
		return -EIO;
	if (id < 0) {
		sql_bind_text(stmt, 1, p->name, -1);
		sql_bind_text(stmt, 2, p->canon->buf, (int)p->canon->len);
		sql_bind_int64(stmt, 3, p->owner->uid);
		sql_bind_int64(stmt, 4, p->owner->gid);
		sql_bind_int64(stmt, 5, p->owner->mode & 07777);
		sql_bind_int64(stmt, 6, now);
		sql_bind_text(stmt, 7, who->user, -1);
		sql_bind_int(stmt, 8, ALARM_INSUFFICIENT_DATA);
		sql_bind_text(stmt, 9, ALARMS_INITIAL_REASON, -1);
		sql_bind_int64(stmt, 10, who->uid);
		sql_bind_int64(stmt, 11, who->gid);
	} else {
		sql_bind_int64(stmt, 1, id);
		sql_bind_text(stmt, 2, p->canon->buf, (int)p->canon->len);
		sql_bind_int64(stmt, 3, now);
		sql_bind_int64(stmt, 4, who->uid);
		sql_bind_int64(stmt, 5, who->gid);
		sql_bind_text(stmt, 6, who->user, -1);
	}
	snprintf(summary, sizeof(summary), "Alarm \"%s\" %s", p->name,
		 id < 0 ? "created" : "updated");
	rc = db_exec_stmt(stmt);
	if (!rc && id < 0)
		id = db_last_id(st);
	return rc ? rc
		  : alarms_history_add(st, id, now, "ConfigurationUpdate",
				       summary, "{}");
}

int store_alarm_put(struct store *st, const char *name, const char *text,
		    size_t len, const struct node_owner *owner,
		    const struct caller *who, struct err *err)
{
	struct trail_event ev = {
		.source = "alarms.monfs",
		.name = "PutMetricAlarm",
		.who = who,
		.params = {TRAIL_STR("alarmName", name)},
		.nparams = 1,
	};
	struct strbuf canon = STRBUF_INIT, series_ns = STRBUF_INIT;
	struct alarm_def *def = calloc(1, sizeof(*def));
	struct alarm_put put = {name, def, &canon, "", owner, who, &ev, err};
	int rc;

	if (!def)
		return -ENOMEM;
	/* Targets are judged before the transaction: that asks the store. */
	rc = named_check_name(name, "alarm", err);
	if (!rc)
		rc = alarm_def_parse(text, len, def, err);
	/* Refused or not, the record says which request it was. */
	if (rc ? alarm_def_kind_of(text, len) == ALARM_KIND_COMPOSITE
	       : def->kind == ALARM_KIND_COMPOSITE)
		ev.name = "PutCompositeAlarm";
	if (!rc)
		rc = alarms_check_targets(st, def, who, err);
	if (!rc)
		rc = alarm_def_render(def, &canon);
	if (!rc)
		rc = alarm_def_series_namespace(def, &series_ns);
	if (!rc)
		put.series_ns = series_ns.buf;
	rc = named_put(st, rc, write_alarm, &put, &ev, err);
	strbuf_release(&series_ns);
	strbuf_release(&canon);
	free(def);
	return rc;
}

int store_alarm_delete(struct store *st, const char *name,
		       const struct caller *who, struct err *err)
{
	struct trail_event ev = {
		.source = "alarms.monfs",
		.name = "DeleteAlarms",
		.who = who,
		.params = {TRAIL_STR("alarmNames", name)},
		.nparams = 1,
	};

	return named_delete(st, SQL_ALARM_DELETE, name, alarms_check_unnamed,
			    &ev, err);
}

/* ---- rename (SPEC 2) ---- */

/* The alarm a rename takes its definition from. */
struct rename_source {
	const char *to;	 /* the name it goes to */
	struct err *err; /* why it may not go */
	int64_t id;
	char *definition;	 /* malloc'ed */
	struct alarm_def *def;	 /* malloc'ed: the trail's namespace, metric */
	struct strbuf series_ns; /* the trail's namespace, with dimensions */
	int64_t writer_uid, writer_gid;
	char writer_name[CALLER_USER_MAX];
};

/* named_rename_ops.load: alarm name as a rename's source. */
static int load_source(struct store *st, const char *name, void *ctx,
		       struct trail_event *put)
{
	struct rename_source *src = ctx;
	const char *def, *writer;
	struct sql_stmt *stmt;
	int rc = db_find(st, SQL_ALARM_SOURCE, name, &stmt);

	if (rc != DB_ROW)
		return rc;
	def = (const char *)sql_column_text(stmt, 1);
	writer = (const char *)sql_column_text(stmt, 4);
	src->id = sql_column_int64(stmt, 0);
	src->definition = strdup(def ? def : "");
	src->writer_uid = sql_column_int64(stmt, 2);
	src->writer_gid = sql_column_int64(stmt, 3);
	snprintf(src->writer_name, sizeof(src->writer_name), "%s",
		 writer ? writer : "");
	src->def = calloc(1, sizeof(*src->def));
	sql_reset(stmt);
	if (!src->definition || !src->def)
		return -ENOMEM;
	if (alarm_def_parse(src->definition, strlen(src->definition), src->def,
			    NULL) == 0) {
		if (src->def->kind == ALARM_KIND_COMPOSITE) {
			put->name = "PutCompositeAlarm";
		} else {
			if (alarm_def_series_namespace(src->def,
						       &src->series_ns))
				return -ENOMEM;
			put->params[put->nparams++] =
				TRAIL_STR("namespace", src->series_ns.buf);
			put->params[put->nparams++] =
				TRAIL_STR("metricName", src->def->metric);
		}
	}
	/* It goes from its name: no composite may name it (SPEC 12). */
	rc = alarms_check_unnamed(st, name, src->err);
	/* A composite's rule, as to's, may lead back to to. */
	if (!rc && src->def->kind == ALARM_KIND_COMPOSITE)
		rc = alarms_check_rule(st, src->to, src->def, src->err);
	return rc;
}

/* Run stmt (an UPDATE or DELETE of alarm id, bound at ?1). Lock held. */
static int exec_on(struct sql_stmt *stmt, int64_t id)
{
	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, id);
	return db_exec_stmt(stmt);
}

/*
 * Onto existing alarm target: src's definition and writer become its
 * own, as writing them would, and src goes. Lock held, transaction open.
 */
static int rename_onto(struct store *st, const struct rename_source *src,
		       int64_t target, const char *to, int64_t now_ms)
{
	struct sql_stmt *stmt = db_stmt(st, SQL_ALARM_REDEFINE);
	char summary[512];
	int rc;

	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, target);
	sql_bind_text(stmt, 2, src->definition, -1);
	sql_bind_int64(stmt, 3, now_ms);
	sql_bind_int64(stmt, 4, src->writer_uid);
	sql_bind_int64(stmt, 5, src->writer_gid);
	sql_bind_text(stmt, 6, src->writer_name, -1);
	rc = db_exec_stmt(stmt);
	snprintf(summary, sizeof(summary), "Alarm \"%s\" updated", to);
	if (!rc)
		rc = alarms_history_add(st, target, now_ms,
					"ConfigurationUpdate", summary, "{}");
	return rc ? rc : exec_on(db_stmt(st, SQL_ALARM_DELETE_ID), src->id);
}

/*
 * named_rename_ops.move: onto an existing alarm, or to a free name,
 * where the alarm moves whole and counts as created now.
 */
static int rename_move(struct store *st, const void *ctx, int64_t target,
		       const char *from, const char *to, int64_t now_ms)
{
	const struct rename_source *src = ctx;
	struct sql_stmt *stmt;
	char summary[600];
	int rc;

	if (target)
		return rename_onto(st, src, target, to, now_ms);
	stmt = db_stmt(st, SQL_ALARM_MOVE);
	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, src->id);
	sql_bind_text(stmt, 2, to, -1);
	sql_bind_int64(stmt, 3, now_ms);
	rc = db_exec_stmt(stmt);
	snprintf(summary, sizeof(summary), "Alarm \"%s\" renamed to \"%s\"",
		 from, to);
	return rc ? rc
		  : alarms_history_add(st, src->id, now_ms,
				       "ConfigurationUpdate", summary, "{}");
}

static const struct named_rename_ops RENAME_OPS = {
	.noun = "alarm",
	.get_sql = SQL_ALARM_GET,
	.load = load_source,
	.move = rename_move,
};

int store_alarm_rename(struct store *st, const char *from, const char *to,
		       const struct caller *who, struct err *err)
{
	struct trail_event put = {
		.source = "alarms.monfs",
		.name = "PutMetricAlarm",
		.who = who,
		.params = {TRAIL_STR("alarmName", to),
			   TRAIL_STR("sourceAlarmName", from)},
		.nparams = 2,
	};
	struct trail_event del = {
		.source = "alarms.monfs",
		.name = "DeleteAlarms",
		.who = who,
		.params = {TRAIL_STR("alarmNames", from)},
		.nparams = 1,
	};
	struct rename_source src = {
		.to = to, .err = err, .series_ns = STRBUF_INIT};
	int rc = named_rename(st, &RENAME_OPS, &src, from, to, &put, &del, err);

	free(src.definition);
	free(src.def);
	strbuf_release(&src.series_ns);
	return rc;
}

int store_alarm_by_id(struct store *st, int64_t id, char name[ALARM_NAME_SIZE],
		      int64_t *created_ms)
{
	struct sql_stmt *stmt;
	int rc = -ENOENT;

	db_lock(st);
	stmt = db_stmt(st, SQL_ALARM_BY_ID);
	if (!stmt) {
		rc = -EIO;
		goto out;
	}
	sql_bind_int64(stmt, 1, id);
	rc = db_step(stmt);
	if (rc == DB_DONE)
		rc = -ENOENT;
	if (rc == DB_ROW) {
		const char *n = (const char *)sql_column_text(stmt, 0);

		snprintf(name, ALARM_NAME_SIZE, "%s", n ? n : "");
		*created_ms = sql_column_int64(stmt, 1);
		rc = 0;
	}
	sql_reset(stmt);
out:
	db_unlock(st);
	return rc;
}

/* ---- rendering ---- */

static int render_text(const struct alarm_row *row, struct strbuf *out)
{
	char when[FORMAT_TIME_MAX];
	int rc = alarm_def_render(&row->def, out);

	if (rc)
		return rc;
	format_time(when,
		    row->state_updated_ms -
			    ((row->state_updated_ms % 1000) + 1000) % 1000);
	return strbuf_addf(out, "state = %s\nreason = %s\nstate_updated = %s\n",
			   alarm_state_name(row->state),
			   row->reason ? row->reason : "", when);
}

static json_t *actions_json(const struct alarm_actions *a)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr && i < a->n; i++)
		json_array_append_new(arr, json_string(a->v[i]));
	return arr;
}

/*
 * DescribeAlarms' Dimensions, [{"Name","Value"}] in canonical order,
 * values decoded; NULL when out of memory.
 */
static json_t *dimensions_json(const struct alarm_def *d)
{
	struct dimension_set set = DIMENSION_SET_INIT;
	json_t *arr = NULL;

	if (alarm_def_dimension_set(d, &set) == 0)
		arr = dimension_set_json(&set, "Name", "Value");
	dimension_set_free(&set);
	return arr;
}

static char *iso(char buf[FORMAT_TIME_MAX], int64_t ms)
{
	return format_time(buf, ms);
}

/* DescribeAlarms' MetricAlarm, or a composite's CompositeAlarm. */
static int render_json(const char *name, const struct alarm_row *row,
		       struct strbuf *out)
{
	const struct alarm_def *d = &row->def;
	char t1[FORMAT_TIME_MAX], t2[FORMAT_TIME_MAX];
	json_t *j = json_object(), *dims;
	char *text;
	int rc;

	if (d->kind == ALARM_KIND_COMPOSITE) {
		struct alarm_status status = {row->state, row->reason,
					      row->state_updated_ms,
					      row->config_updated_ms};

		json_decref(j);
		return alarm_composite_render_json(name, d, &status, out);
	}
	if (!j)
		return -ENOMEM;
	json_object_set_new(j, "AlarmName", json_string(name));
	json_object_set_new(j, "AlarmDescription", json_string(d->description));
	json_object_set_new(j, "AlarmConfigurationUpdatedTimestamp",
			    json_string(iso(t1, row->config_updated_ms)));
	json_object_set_new(j, "ActionsEnabled",
			    json_boolean(d->actions_enabled));
	json_object_set_new(j, "OKActions", actions_json(&d->ok_actions));
	json_object_set_new(j, "AlarmActions", actions_json(&d->alarm_actions));
	json_object_set_new(j, "InsufficientDataActions",
			    actions_json(&d->insufficient_actions));
	json_object_set_new(j, "StateValue",
			    json_string(alarm_state_name(row->state)));
	json_object_set_new(j, "StateReason", json_string(row->reason));
	json_object_set_new(j, "StateUpdatedTimestamp",
			    json_string(iso(t2, row->state_updated_ms)));
	json_object_set_new(j, "MetricName", json_string(d->metric));
	json_object_set_new(j, "Namespace", json_string(d->ns));
	if (d->stat.cw_name)
		json_object_set_new(j, "Statistic",
				    json_string(d->stat.cw_name));
	else
		json_object_set_new(j, "ExtendedStatistic",
				    json_string(d->stat.name));
	dims = dimensions_json(d);
	if (!dims) {
		json_decref(j);
		return -ENOMEM;
	}
	json_object_set_new(j, "Dimensions", dims);
	json_object_set_new(j, "Period", json_integer(d->period_s));
	if (d->unit[0])
		json_object_set_new(j, "Unit", json_string(d->unit));
	json_object_set_new(j, "EvaluationPeriods",
			    json_integer(d->evaluation_periods));
	json_object_set_new(j, "DatapointsToAlarm",
			    json_integer(d->datapoints_to_alarm));
	json_object_set_new(j, "Threshold", json_real(d->threshold));
	json_object_set_new(j, "ComparisonOperator",
			    json_string(alarm_comparison_name(d->comparison)));
	json_object_set_new(j, "TreatMissingData",
			    json_string(alarm_missing_name(d->missing)));
	text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (!text)
		return -ENOMEM;
	rc = strbuf_addf(out, "%s\n", text);
	free(text);
	return rc;
}

/* DescribeAlarmHistory's AlarmHistoryItems, one JSON line each. */
static int render_history(struct store *st, const char *name, int64_t id,
			  struct strbuf *out)
{
	struct sql_stmt *stmt = db_stmt(st, SQL_HISTORY);
	char when[FORMAT_TIME_MAX];
	int rc = 0;

	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, id);
	while (!rc && (rc = db_step(stmt)) == DB_ROW) {
		json_t *j = json_pack(
			"{s:s,s:s,s:s,s:s,s:s}", "AlarmName", name, "Timestamp",
			iso(when, sql_column_int64(stmt, 0)), "HistoryItemType",
			sql_column_text(stmt, 1), "HistorySummary",
			sql_column_text(stmt, 2), "HistoryData",
			sql_column_text(stmt, 3));
		char *text =
			j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER)
			  : NULL;

		json_decref(j);
		rc = text ? strbuf_addf(out, "%s\n", text) : -ENOMEM;
		free(text);
	}
	sql_reset(stmt);
	return rc;
}

int store_alarm_render(struct store *st, const char *name, enum alarm_view view,
		       struct strbuf *out)
{
	struct alarm_row *row = calloc(1, sizeof(*row));
	int rc;

	if (!row)
		return -ENOMEM;
	db_lock(st);
	rc = alarms_load(st, name, row);
	if (!rc) {
		if (view == ALARM_VIEW_TEXT)
			rc = render_text(row, out);
		else if (view == ALARM_VIEW_JSON)
			rc = render_json(name, row, out);
		else
			rc = render_history(st, name, row->id, out);
	}
	db_unlock(st);
	alarms_row_free(row);
	return rc;
}
