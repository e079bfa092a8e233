/*
 * rules_deliver: the rules' deliveries and schedules (SPEC 13), done by
 * the evaluator thread.
 *
 * A delivery row is deleted in the transaction that does it (log:,
 * events:) or once its program started (exec:), so that a crash between
 * doing and deleting does it again: at least once. Their ids are the
 * event order. A rule younger than DEFINITION_SETTLE_MS delivers nothing
 * yet; a row made under a name its rule no longer has is dropped (SPEC
 * 2: an editor's temporary file never acts under its own name).
 * Schedules fire from their stored next firing, missed ones once at
 * start.
 */
#include "store/alarms.h"
#include "store/buses.h"
#include "store/db.h"
#include "store/filters.h"
#include "store/logs.h"
#include "store/named.h"
#include "store/rules.h"
#include "store/rules_impl.h"
#include "store/trail.h"

#include <errno.h>
#include <grp.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/event_pattern.h"
#include "lib/event_ruler.h"
#include "lib/format.h"
#include "lib/perm.h"
#include "lib/rule_def.h"

/* Delivery rows taken at once; more are taken in the next batch. */
#define DELIVERY_BATCH 64

static const char SQL_DELIVERIES_DUE[] =
	"SELECT d.id, d.rule_id, d.rule_name, d.target, d.event, r.name,"
	" r.created_ms, r.input_path, r.writer_uid, r.writer_gid,"
	" r.writer_name FROM rule_deliveries d JOIN rules r ON r.id = d.rule_id"
	" WHERE d.id > ?1 ORDER BY d.id LIMIT 64";
static const char SQL_DELIVERY_DELETE[] =
	"DELETE FROM rule_deliveries WHERE id = ?1";
static const char SQL_RULE_INVOKED[] =
	"UPDATE rules SET invocations = invocations + 1,"
	" failed_invocations = failed_invocations + ?2 WHERE id = ?1";
static const char SQL_RULE_FAILED[] =
	"UPDATE rules SET failed_invocations = failed_invocations + 1"
	" WHERE id = ?1";
static const char SQL_RULE_NAME[] = "SELECT name FROM rules WHERE id = ?1";
static const char SQL_SCHEDULES_DUE[] =
	"SELECT id, name, schedule, anchor_ms, next_fire_ms, targets FROM rules"
	" WHERE enabled <> 0 AND next_fire_ms IS NOT NULL AND next_fire_ms <= "
	"?1"
	" ORDER BY next_fire_ms LIMIT 64";
static const char SQL_SCHEDULE_NEXT[] =
	"UPDATE rules SET next_fire_ms = ?2, matched = matched + 1,"
	" last_fired_ms = ?3 WHERE id = ?1";

/* ---- deliveries ---- */

/* One delivery row, copied out of its statement. */
struct delivery {
	int64_t id, rule_id, created_ms;
	char *rule_name, *target, *event, *rule, *input_path, *user;
	uid_t uid;
	gid_t gid;
};

static void delivery_release(struct delivery *d)
{
	free(d->rule_name);
	free(d->target);
	free(d->event);
	free(d->rule);
	free(d->input_path);
	free(d->user);
}

static char *column_dup(struct sql_stmt *stmt, int col)
{
	const char *t = (const char *)sql_column_text(stmt, col);

	return strdup(t ? t : "");
}

/* Up to DELIVERY_BATCH rows after id after into v. Their count or -errno. */
static int deliveries_load(struct store *st, int64_t after, struct delivery *v)
{
	struct sql_stmt *stmt;
	int n = 0, rc = 0;

	db_lock(st);
	stmt = db_stmt(st, SQL_DELIVERIES_DUE);
	if (!stmt) {
		db_unlock(st);
		return -EIO;
	}
	sql_bind_int64(stmt, 1, after);
	while (!rc && n < DELIVERY_BATCH && (rc = db_step(stmt)) == DB_ROW) {
		struct delivery *d = &v[n++];

		rc = 0;
		d->id = sql_column_int64(stmt, 0);
		d->rule_id = sql_column_int64(stmt, 1);
		d->rule_name = column_dup(stmt, 2);
		d->target = column_dup(stmt, 3);
		d->event = column_dup(stmt, 4);
		d->rule = column_dup(stmt, 5);
		d->created_ms = sql_column_int64(stmt, 6);
		d->input_path = column_dup(stmt, 7);
		d->uid = (uid_t)sql_column_int64(stmt, 8);
		d->gid = (gid_t)sql_column_int64(stmt, 9);
		d->user = column_dup(stmt, 10);
		if (!d->rule_name || !d->target || !d->event || !d->rule ||
		    !d->input_path || !d->user)
			rc = -ENOMEM;
	}
	sql_reset(stmt);
	db_unlock(st);
	if (rc < 0) {
		while (n > 0)
			delivery_release(&v[--n]);
		return rc;
	}
	return n;
}

/* The trail's record of a failed invocation (SPEC 13), by monfs itself. */
static int record_failure_locked(struct store *st, const char *rule,
				 const char *target, const char *why,
				 int64_t now_ms)
{
	struct trail_event ev = {
		.source = "rules.monfs",
		.name = "FailedInvocation",
		.service_event = true,
		.not_emitted = true,
		.params = {TRAIL_STR("name", rule), TRAIL_STR("target", target),
			   TRAIL_STR("reason", why)},
		.nparams = 3,
	};

	return trail_append_locked(st, &ev, now_ms);
}

/*
 * The end of delivery d, in the transaction that did it: the row
 * deleted, the invocation counted (and its failure, why non-NULL,
 * recorded). Lock held, tx open.
 */
static int delivery_done_locked(struct store *st, const struct delivery *d,
				const char *why, int64_t now_ms)
{
	struct sql_stmt *stmt = db_stmt(st, SQL_DELIVERY_DELETE);
	int rc;

	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, d->id);
	rc = db_exec_stmt(stmt);
	stmt = rc ? NULL : db_stmt(st, SQL_RULE_INVOKED);
	if (!rc && !stmt)
		rc = -EIO;
	if (!rc) {
		sql_bind_int64(stmt, 1, d->rule_id);
		sql_bind_int(stmt, 2, why != NULL);
		rc = db_exec_stmt(stmt);
	}
	if (!rc && why)
		rc = record_failure_locked(st, d->rule, d->target, why, now_ms);
	return rc;
}

/* Delete delivery d, counting nothing (SPEC 2's dropped ones). */
static int delivery_drop(struct store *st, const struct delivery *d)
{
	struct sql_stmt *stmt;
	int rc = db_begin(st);

	if (rc)
		return rc;
	stmt = db_stmt(st, SQL_DELIVERY_DELETE);
	if (!stmt) {
		db_rollback(st);
		return -EIO;
	}
	sql_bind_int64(stmt, 1, d->id);
	rc = db_exec_stmt(stmt);
	if (rc) {
		db_rollback(st);
		return rc;
	}
	return db_commit(st);
}

/* Finish d in a transaction of its own (exec:, and failures before). */
static int delivery_finish(struct store *st, const struct delivery *d,
			   const char *why, int64_t now_ms)
{
	int rc = db_begin(st);

	if (rc)
		return rc;
	rc = delivery_done_locked(st, d, why, now_ms);
	if (rc) {
		db_rollback(st);
		return rc;
	}
	return db_commit(st);
}

/*
 * log:GROUP/STREAM: the line appended (its group and stream made as the
 * writer, as an alarm's log: action does), in one transaction with the
 * row's end. Not a data event, not emitted (SPEC 13); the group's
 * metric filters see it as any line.
 */
static int deliver_log(struct store *st, const struct delivery *d,
		       const char *line, int64_t now_ms)
{
	const char *target = d->target + 4, *slash = strrchr(target, '/');
	char group[LOG_GROUP_MAX_BYTES + 1], why[160];
	struct strbuf buf = STRBUF_INIT;
	struct err err = {""};
	struct caller w;
	int64_t stream_id, abs;
	size_t events;
	int rc;

	if (!slash || (size_t)(slash - target) > LOG_GROUP_MAX_BYTES)
		return delivery_finish(st, d, "not a stream", now_ms);
	snprintf(group, sizeof(group), "%.*s", (int)(slash - target), target);
	rules_writer_caller(d->uid, d->gid, d->user, &w);
	rc = target_log_stream(st, group, slash + 1, &w, &stream_id);
	if (!rc)
		rc = strbuf_addf(&buf, "%s\n", line);
	if (rc) {
		snprintf(why, sizeof(why), "the stream cannot be written: %s",
			 strerrordesc_np(-rc));
		strbuf_release(&buf);
		return delivery_finish(st, d, why, now_ms);
	}
	rc = db_begin(st);
	if (rc)
		goto out;
	rc = stream_write_locked(st, stream_id, buf.buf, buf.len, 0, true, &abs,
				 &events, &err);
	if (!rc)
		rc = stream_index_locked(st, stream_id, abs, buf.len, now_ms);
	if (!rc)
		rc = filters_apply_locked(st, stream_id, abs, buf.buf, buf.len,
					  now_ms);
	if (rc == -ENOENT || rc == -EMSGSIZE) {
		db_rollback(st);
		snprintf(why, sizeof(why), "the stream cannot be written: %s",
			 rc == -ENOENT ? "it was removed"
				       : "the line is too long");
		rc = delivery_finish(st, d, why, now_ms);
		goto out;
	}
	if (!rc)
		rc = delivery_done_locked(st, d, NULL, now_ms);
	if (rc)
		db_rollback(st);
	else
		rc = db_commit(st);
out:
	strbuf_release(&buf);
	return rc;
}

/* events:BUS: the envelope put on BUS, matched by its rules there. */
static int deliver_events(struct store *st, const struct delivery *d,
			  int64_t now_ms)
{
	struct strbuf line = STRBUF_INIT;
	char why[320];
	int rc = strbuf_addf(&line, "%s", d->event);

	if (!rc && (!line.len || line.buf[line.len - 1] != '\n'))
		rc = strbuf_adds(&line, "\n");
	if (!rc)
		rc = db_begin(st);
	if (rc) {
		strbuf_release(&line);
		return rc;
	}
	rc = bus_forward_locked(st, d->target + 7, line.buf, line.len, now_ms);
	if (rc == -ENOENT) {
		db_rollback(st);
		snprintf(why, sizeof(why), "bus %s: no such bus",
			 d->target + 7);
		strbuf_release(&line);
		return delivery_finish(st, d, why, now_ms);
	}
	if (!rc)
		rc = delivery_done_locked(st, d, NULL, now_ms);
	if (rc)
		db_rollback(st);
	else
		rc = db_commit(st);
	strbuf_release(&line);
	return rc;
}

/* exec:PATH: started by the front end; finished once it started. */
static int deliver_exec(struct store *st, const struct delivery *d,
			const char *line, const json_t *event,
			store_rule_exec_fn exec, void *ctx, int64_t now_ms)
{
	const char *source =
		json_string_value(json_object_get(event, "source"));
	const char *type =
		json_string_value(json_object_get(event, "detail-type"));
	struct rule_exec x = {d->rule_id,
			      d->rule,
			      d->target + 5,
			      line,
			      source ? source : "",
			      type ? type : "",
			      d->uid,
			      d->gid,
			      d->user};
	char why[160] = "";
	int rc = exec(ctx, &x, why);

	if (rc && !why[0])
		snprintf(why, sizeof(why), "%s", strerrordesc_np(-rc));
	return delivery_finish(st, d, rc ? why : NULL, now_ms);
}

/* Do delivery d (settled, under its rule's name). 0 or -errno. */
static int deliver(struct store *st, const struct delivery *d,
		   store_rule_exec_fn exec, void *ctx, int64_t now_ms)
{
	json_t *event = json_loads(d->event, 0, NULL), *part;
	char *line = NULL;
	int rc;

	if (!strncmp(d->target, "events:", 7)) {
		json_decref(event);
		return deliver_events(st, d, now_ms);
	}
	part = event ? rule_input_path_apply(d->input_path, event) : NULL;
	if (!part) {
		json_decref(event);
		return delivery_finish(st, d,
				       event ? "input_path selects nothing"
					     : "the event is not JSON",
				       now_ms);
	}
	line = json_dumps(part,
			  JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	json_decref(part);
	if (!line)
		rc = -ENOMEM;
	else if (!strncmp(d->target, "log:", 4))
		rc = deliver_log(st, d, line, now_ms);
	else if (!strncmp(d->target, "exec:", 5))
		rc = deliver_exec(st, d, line, event, exec, ctx, now_ms);
	else
		rc = delivery_finish(st, d, "unknown target", now_ms);
	free(line);
	json_decref(event);
	return rc;
}

int store_rules_deliver(struct store *st, int64_t now_ms,
			store_rule_exec_fn exec, void *ctx)
{
	struct delivery v[DELIVERY_BATCH];
	int64_t after = 0;
	int n, i, done = 0, rc = 0;

	do {
		memset(v, 0, sizeof(v));
		n = deliveries_load(st, after, v);
		if (n < 0)
			return n;
		for (i = 0; i < n; i++) {
			const struct delivery *d = &v[i];

			after = d->id;
			if (rc)
				continue;
			if (strcmp(d->rule_name, d->rule))
				rc = delivery_drop(st, d);
			else if (d->created_ms + DEFINITION_SETTLE_MS <= now_ms)
				rc = deliver(st, d, exec, ctx, now_ms);
			else
				continue; /* waits for its rule to settle */
			done += !rc;
		}
		for (i = 0; i < n; i++)
			delivery_release(&v[i]);
	} while (!rc && n == DELIVERY_BATCH);
	return rc ? rc : done;
}

int store_rule_failed(struct store *st, int64_t rule_id, const char *target,
		      const char *why)
{
	struct sql_stmt *stmt;
	char *name = NULL;
	int rc = db_begin(st);

	if (rc)
		return rc;
	stmt = db_stmt(st, SQL_RULE_NAME);
	rc = stmt ? 0 : -EIO;
	if (!rc) {
		sql_bind_int64(stmt, 1, rule_id);
		rc = db_step(stmt);
		name = rc == DB_ROW ? column_dup(stmt, 0) : NULL;
		sql_reset(stmt);
		rc = rc < 0 ? rc : 0;
	}
	if (!rc && name) {
		stmt = db_stmt(st, SQL_RULE_FAILED);
		rc = stmt ? 0 : -EIO;
		if (!rc) {
			sql_bind_int64(stmt, 1, rule_id);
			rc = db_exec_stmt(stmt);
		}
		if (!rc)
			rc = record_failure_locked(st, name, target, why,
						   store_now_ms());
	}
	free(name);
	if (rc) {
		db_rollback(st);
		return rc;
	}
	return db_commit(st);
}

/* ---- schedules ---- */

/* A schedule due, copied out of its statement. */
struct firing {
	int64_t id, anchor_ms, next_ms;
	char *name, *schedule, *targets;
};

/* Fire f once: its event, its deliveries, its next firing. Lock held, tx. */
static int fire_locked(struct store *st, const struct firing *f, int64_t now_ms)
{
	struct strbuf envelope = STRBUF_INIT;
	struct schedule s;
	struct err err = {""};
	int64_t next = INT64_MIN;
	struct sql_stmt *stmt;
	int rc = schedule_parse(f->schedule, strlen(f->schedule), &s, &err);

	if (!rc)
		rc = rules_first_firing(&s, now_ms, f->anchor_ms, &next);
	if (rc)
		next = INT64_MIN; /* a stored schedule that no longer parses */
	rc = bus_emit_scheduled_locked(st, f->name, f->next_ms, &envelope);
	if (!rc)
		rc = rules_deliveries_insert(st, f->id, f->name, f->targets,
					     envelope.buf, envelope.len);
	stmt = rc ? NULL : db_stmt(st, SQL_SCHEDULE_NEXT);
	if (!rc && !stmt)
		rc = -EIO;
	if (!rc) {
		sql_bind_int64(stmt, 1, f->id);
		rules_bind_next(stmt, 2, next);
		sql_bind_int64(stmt, 3, now_ms);
		rc = db_exec_stmt(stmt);
	}
	strbuf_release(&envelope);
	return rc;
}

int store_rules_fire(struct store *st, int64_t now_ms)
{
	struct firing v[DELIVERY_BATCH];
	struct sql_stmt *stmt;
	int n = 0, i, rc = 0, fired = 0;

	db_lock(st);
	stmt = db_stmt(st, SQL_SCHEDULES_DUE);
	if (!stmt) {
		db_unlock(st);
		return -EIO;
	}
	sql_bind_int64(stmt, 1, now_ms);
	while (!rc && n < DELIVERY_BATCH && (rc = db_step(stmt)) == DB_ROW) {
		struct firing *f = &v[n++];

		rc = 0;
		f->id = sql_column_int64(stmt, 0);
		f->name = column_dup(stmt, 1);
		f->schedule = column_dup(stmt, 2);
		f->anchor_ms = sql_column_int64(stmt, 3);
		f->next_ms = sql_column_int64(stmt, 4);
		f->targets = column_dup(stmt, 5);
		if (!f->name || !f->schedule || !f->targets)
			rc = -ENOMEM;
	}
	sql_reset(stmt);
	db_unlock(st);
	for (i = 0; i < n; i++) {
		if (rc >= 0 && !(rc = db_begin(st))) {
			rc = fire_locked(st, &v[i], now_ms);
			if (rc)
				db_rollback(st);
			else
				rc = db_commit(st);
			fired += !rc;
		}
		free(v[i].name);
		free(v[i].schedule);
		free(v[i].targets);
	}
	return rc < 0 ? rc : fired;
}
