/*
 * alarm_state: an alarm's evaluation against its metric's rollups
 * (SPEC 5), or a composite's by its rule over the states of the alarms
 * it names (SPEC 12), and the state it keeps — the change record handed to the
 * daemon, the history items of state changes and of the actions'
 * outcomes, and the iteration the daemon schedules evaluations by.
 *
 * The decision itself is lib/alarm_eval.c's. A state change, its history
 * item and its AlarmStateChange trail record commit in one transaction;
 * running the actions is the daemon's (fs/actions.c), which reports their
 * outcomes back as history items (store_alarm_note).
 */
#include "store/alarms.h"
#include "store/buses.h"
#include "store/db.h"
#include "store/trail.h"

#include <assert.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alarm.h"
#include "lib/format.h"
#include "lib/timeutil.h"

static const char SQL_ALARM_SET_STATE[] =
	"UPDATE alarms SET state = ?3, reason = ?4, state_updated_ms = ?5"
	" WHERE id = ?1 AND state = ?2";
static const char SQL_ALARM_FIRST_REASON[] =
	"UPDATE alarms SET reason = ?2 WHERE id = ?1 AND reason = ?3";
static const char SQL_ALARM_EACH[] = "SELECT id, name, definition FROM alarms";

int store_alarm_note(struct store *st, int64_t alarm_id, int64_t now_ms,
		     const char *summary, const char *data_json)
{
	int rc = db_begin(st);

	if (rc)
		return rc;
	rc = alarms_history_add(st, alarm_id, now_ms, "Action", summary,
				data_json);
	if (rc) {
		db_rollback(st);
		return rc;
	}
	return db_commit(st);
}

/* ---- evaluation ---- */

struct fill_ctx {
	const struct stat_spec *stat;
	int64_t newest_ms; /* start of the newest complete period */
	int64_t period_ms;
	struct alarm_point *points;
	int n;
};

/* store_stats_fn: place one period's statistic, newest first. */
static int fill_point(void *ctx, int64_t start_ms, const struct summary *s)
{
	struct fill_ctx *f = ctx;
	int64_t i = (f->newest_ms - start_ms) / f->period_ms;

	if (i >= 0 && i < f->n) {
		f->points[i].has_value = true;
		f->points[i].value = stat_value(f->stat, s);
	}
	return 0;
}

void alarm_change_release(struct alarm_change *c)
{
	size_t i;

	free(c->description);
	free(c->reason);
	free(c->message);
	for (i = 0; i < c->nactions; i++)
		free(c->actions[i]);
	free(c->actions);
	memset(c, 0, sizeof(*c));
}

/* A state the alarm takes, and why: a verdict's or a rule's. */
struct transition {
	enum alarm_state state;
	const char *reason;
};

/* The SNS-notification-shaped JSON line that actions get. */
static char *change_message(const char *name, const struct alarm_row *row,
			    const struct transition *v, int64_t now_ms)
{
	char when[FORMAT_TIME_MAX];
	json_t *j;
	char *text;

	j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "AlarmName", name,
		      "AlarmDescription", row->def.description, "NewStateValue",
		      alarm_state_name(v->state), "OldStateValue",
		      alarm_state_name(row->state), "NewStateReason", v->reason,
		      "StateChangeTime", format_time(when, now_ms));
	text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(j);
	return text;
}

/* Copy the actions of the verdict's state, if enabled. 0 or -ENOMEM. */
static int change_actions(const struct alarm_row *row,
			  const struct transition *v, struct alarm_change *c)
{
	const struct alarm_actions *acts =
		v->state == ALARM_ALARM ? &row->def.alarm_actions
		: v->state == ALARM_OK	? &row->def.ok_actions
					: &row->def.insufficient_actions;
	size_t i;

	if (!row->def.actions_enabled || acts->n == 0)
		return 0;
	c->actions = calloc(acts->n, sizeof(*c->actions));
	if (!c->actions)
		return -ENOMEM;
	for (i = 0; i < acts->n; i++) {
		c->actions[i] = strdup(acts->v[i]);
		if (!c->actions[i])
			return -ENOMEM;
		c->nactions++;
	}
	return 0;
}

/*
 * Describe the change the verdict makes, every string whole.
 * 0, or -ENOMEM with *c partly filled (release it).
 */
static int describe_change(const char *name, const struct alarm_row *row,
			   const struct transition *v, int64_t now_ms,
			   struct alarm_change *c)
{
	assert(strlen(name) < sizeof(c->name));
	memset(c, 0, sizeof(*c));
	c->alarm_id = row->id;
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->old_state = (int)row->state;
	c->new_state = (int)v->state;
	c->time_ms = now_ms;
	c->created_ms = row->created_ms;
	c->writer_uid = row->writer_uid;
	c->writer_gid = row->writer_gid;
	snprintf(c->writer_name, sizeof(c->writer_name), "%s",
		 row->writer_name);
	c->description = strdup(row->def.description);
	c->reason = strdup(v->reason);
	c->message = change_message(name, row, v, now_ms);
	if (!c->description || !c->reason || !c->message)
		return -ENOMEM;
	return change_actions(row, v, c);
}

/*
 * Write a state change with its history item and trail record. Lock
 * held, transaction open. -EAGAIN when the state is no longer row's.
 */
static int change_state_locked(struct store *st, const struct alarm_row *row,
			       const struct alarm_change *c)
{
	struct trail_event ev = {
		.source = "alarms.monfs",
		.name = "AlarmStateChange",
		.service_event = true,
		.params = {TRAIL_STR("alarmName", c->name),
			   TRAIL_STR("oldState", alarm_state_name(row->state)),
			   TRAIL_STR("newState",
				     alarm_state_name(
					     (enum alarm_state)c->new_state)),
			   TRAIL_STR("reason", c->reason)},
		.nparams = 4,
	};
	char summary[256];
	json_t *data;
	char *text;
	struct sql_stmt *stmt;
	int rc;

	snprintf(summary, sizeof(summary), "Alarm updated from %s to %s",
		 alarm_state_name(row->state),
		 alarm_state_name((enum alarm_state)c->new_state));
	data = json_pack("{s:s,s:{s:s,s:s},s:{s:s,s:s}}", "version", "1.0",
			 "oldState", "stateValue", alarm_state_name(row->state),
			 "stateReason", row->reason, "newState", "stateValue",
			 alarm_state_name((enum alarm_state)c->new_state),
			 "stateReason", c->reason);
	text = data ? json_dumps(data, JSON_COMPACT | JSON_PRESERVE_ORDER)
		    : NULL;
	json_decref(data);
	if (!text)
		return -ENOMEM;
	stmt = db_stmt(st, SQL_ALARM_SET_STATE);
	rc = stmt ? 0 : -EIO;
	if (!rc) {
		sql_bind_int64(stmt, 1, row->id);
		sql_bind_int(stmt, 2, (int)row->state);
		sql_bind_int(stmt, 3, c->new_state);
		sql_bind_text(stmt, 4, c->reason, -1);
		sql_bind_int64(stmt, 5, c->time_ms);
		rc = db_exec_stmt(stmt);
	}
	/* Changed meanwhile by another evaluation: that one stands. */
	if (!rc && db_changes(st) == 0)
		rc = -EAGAIN;
	if (!rc)
		rc = alarms_history_add(st, row->id, c->time_ms, "StateUpdate",
					summary, text);
	if (!rc)
		rc = trail_append_locked(st, &ev, c->time_ms);
	if (!rc)
		rc = bus_emit_alarm_change_locked(
			st, c->name, &row->def, alarm_state_name(row->state),
			row->reason, row->state_updated_ms,
			alarm_state_name((enum alarm_state)c->new_state),
			c->reason, c->time_ms);
	free(text);
	return rc;
}

/* Commit a state change with its history item and trail record. */
static int change_state(struct store *st, const struct alarm_row *row,
			const struct alarm_change *c)
{
	int rc = db_begin(st);

	if (rc)
		return rc;
	rc = change_state_locked(st, row, c);
	if (rc) {
		db_rollback(st);
		return rc;
	}
	return db_commit(st);
}

/*
 * A new alarm whose first evaluation leaves it where it started (no data:
 * INSUFFICIENT_DATA) takes that evaluation's reason in place of
 * "Unchecked: Initial alarm creation", so that a read after the defining
 * close shows the evaluation (SPEC 5). Not a state change: no history,
 * no trail record, no actions. Later evaluations that change nothing
 * leave the reason of the last transition, as CloudWatch does.
 */
static int first_reason(struct store *st, const struct alarm_row *row,
			const struct alarm_verdict *v)
{
	struct sql_stmt *stmt;
	int rc;

	if (v->keep || strcmp(row->reason, ALARMS_INITIAL_REASON))
		return 0;
	rc = db_begin(st);
	if (rc)
		return rc;
	stmt = db_stmt(st, SQL_ALARM_FIRST_REASON);
	rc = stmt ? 0 : -EIO;
	if (!rc) {
		sql_bind_int64(stmt, 1, row->id);
		sql_bind_text(stmt, 2, v->reason, -1);
		sql_bind_text(stmt, 3, ALARMS_INITIAL_REASON, -1);
		rc = db_exec_stmt(stmt);
	}
	if (rc) {
		db_rollback(st);
		return rc;
	}
	return db_commit(st);
}

/*
 * Evaluate composite name by its rule (SPEC 12): ALARM while it is true,
 * OK while false, the reason saying which named alarms made it so. The
 * states it reads and the change it makes are one transaction, so
 * evaluations of it take turns, and one that follows a named alarm's
 * change sees that change. row is reloaded inside. Returns as
 * store_alarm_evaluate.
 */
static int evaluate_composite(struct store *st, const char *name,
			      int64_t now_ms, struct alarm_row *row,
			      struct alarm_change *change)
{
	struct strbuf reason = STRBUF_INIT;
	struct alarm_rule *rule = NULL;
	struct transition to;
	bool value = false;
	int rc = db_begin(st);

	if (rc)
		return rc;
	rc = alarms_load(st, name, row);
	/* Redefined as a metric alarm meanwhile: its writer evaluates it. */
	if (!rc && row->def.kind != ALARM_KIND_COMPOSITE)
		goto rollback;
	if (!rc) {
		rc = alarm_rule_parse(row->def.rule, strlen(row->def.rule),
				      &rule, NULL);
		if (rc && rc != -ENOMEM)
			rc = -EIO; /* the stored rule was checked when put */
	}
	if (!rc)
		rc = alarm_rule_evaluate(rule, alarms_state_of, st, &value,
					 &reason);
	to = (struct transition){value ? ALARM_ALARM : ALARM_OK, reason.buf};
	/* No change keeps the reason of the last transition, as CloudWatch. */
	if (rc || to.state == row->state)
		goto rollback;
	rc = describe_change(name, row, &to, now_ms, change);
	if (!rc)
		rc = change_state_locked(st, row, change);
	if (rc)
		goto rollback;
	rc = db_commit(st);
	if (rc)
		alarm_change_release(change);
	goto out;
rollback:
	db_rollback(st);
	alarm_change_release(change);
out:
	alarm_rule_free(rule);
	strbuf_release(&reason);
	return rc ? rc : change->message ? 1 : 0;
}

int store_alarm_evaluate(struct store *st, const char *name, int64_t now_ms,
			 struct alarm_change *change)
{
	struct alarm_row *row = calloc(1, sizeof(*row));
	struct alarm_point points[128];
	struct alarm_verdict verdict;
	struct strbuf series_ns = STRBUF_INIT;
	struct metric_info metric;
	struct fill_ctx fill;
	int n, i, rc;

	memset(change, 0, sizeof(*change));
	if (!row)
		return -ENOMEM;
	db_lock(st);
	rc = alarms_load(st, name, row);
	db_unlock(st);
	if (rc)
		goto out;
	if (row->def.kind == ALARM_KIND_COMPOSITE) {
		rc = evaluate_composite(st, name, now_ms, row, change);
		goto out;
	}
	n = alarm_range(&row->def);
	if (n > (int)(sizeof(points) / sizeof(points[0])))
		n = sizeof(points) / sizeof(points[0]);
	fill = (struct fill_ctx){&row->def.stat, 0,
				 row->def.period_s * MS_PER_SECOND, points, n};
	/* Complete periods only: the newest ends at or before now. */
	fill.newest_ms = (now_ms / fill.period_ms - 1) * fill.period_ms;
	for (i = 0; i < n; i++)
		points[i] = (struct alarm_point){
			fill.newest_ms - i * fill.period_ms, false, 0};
	/* The series of the alarm's dimension set, one metric (SPEC 11). */
	rc = alarm_def_series_namespace(&row->def, &series_ns);
	if (rc)
		goto out;
	if (!store_metric_get(st, series_ns.buf, row->def.metric, &metric)) {
		struct stats_query q = {row->def.period_s,
					fill.newest_ms -
						(n - 1) * fill.period_ms,
					fill.newest_ms + 1, now_ms};

		rc = store_metric_stats(st, metric.id, &q, fill_point, &fill);
		if (rc)
			goto out;
	}
	alarm_evaluate(&row->def, points, (size_t)n, row->state, &verdict);
	if (verdict.keep || verdict.state == row->state) {
		rc = first_reason(st, row, &verdict);
		goto out;
	}
	rc = describe_change(
		name, row, &(struct transition){verdict.state, verdict.reason},
		now_ms, change);
	if (!rc)
		rc = change_state(st, row, change);
	if (rc)
		alarm_change_release(change);
	rc = rc == -EAGAIN ? 0 : rc ? rc : 1;
out:
	strbuf_release(&series_ns);
	alarms_row_free(row);
	return rc;
}

int store_alarms_each(struct store *st, store_alarm_fn fn, void *ctx)
{
	struct sql_stmt *stmt;
	int rc = 0;

	db_lock(st);
	stmt = db_stmt(st, SQL_ALARM_EACH);
	if (!stmt) {
		rc = -EIO;
		goto out;
	}
	while (!rc && (rc = db_step(stmt)) == DB_ROW) {
		const char *def = (const char *)sql_column_text(stmt, 2);
		const char *p = def ? strstr(def, "\nperiod = ") : NULL;

		rc = 0;
		/*
		 * A metric alarm's canonical form always holds its period
		 * line; a composite's starts with its rule, and has none.
		 */
		if (def && !strncmp(def, "rule = ", 7))
			continue;
		if (p)
			rc = fn(ctx, sql_column_int64(stmt, 0),
				(const char *)sql_column_text(stmt, 1),
				strtoll(p + 10, NULL, 10));
	}
	sql_reset(stmt);
out:
	db_unlock(st);
	return rc;
}
