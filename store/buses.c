/*
 * buses: EventBridge's event buses (SPEC 13), as streams.
 *
 * A bus is a row of log_streams in the log group whose name is "" (made
 * by the schema, parent "." so that no listing shows it; no path can
 * name a group "", so nothing under logs/ reaches it). Its bytes are its
 * events' envelopes, one JSON line each, so everything a stream has a
 * bus has too, with no second copy of the machinery: segments and the
 * chunk index (store/logs.c), offsets that hold until retention moves
 * the start, readers' holds, removal while held, recovery after a
 * crash. The group's retention of 1 day is the 24 hours a bus keeps an
 * event from its arrival, whatever its time says (store_logs_sweep).
 *
 * Events arrive two ways: PutEvents, a user's write, in one transaction
 * with its data event; and what monfs emits on the default bus (trail
 * records, alarm state changes), inside the transaction of what caused
 * them, so that an acknowledged change never lacks its event. Every
 * event appended passes the bus_appended hook (the rules, store/rules.c),
 * where the rules of its bus make their deliveries, in its transaction.
 */
#include "store/buses.h"
#include "store/db.h"
#include "store/logs.h"
#include "store/named.h"
#include "store/owner.h"
#include "store/queue.h"
#include "store/trail.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uuid/uuid.h>

#include "lib/alarm.h"
#include "lib/event_envelope.h"
#include "lib/format.h"
#include "lib/parse.h"
#include "lib/timeutil.h"

/* The log group whose streams are the buses (store/schema.c). */
#define BUS_GROUP ""

static const char SQL_BUS_LIST[] =
	"SELECT s.name, s.uid, s.gid, s.mode, s.ctime_ms, s.mtime_ms"
	" FROM log_streams s JOIN log_groups g ON g.id = s.group_id"
	" WHERE g.name = '' ORDER BY s.name";
static const char SQL_BUS_NAMED[] =
	"SELECT s.id FROM log_streams s JOIN log_groups g ON g.id = s.group_id"
	" WHERE g.name = '' AND s.name = ?1";
static const char SQL_BUS_INSERT[] =
	"INSERT INTO log_streams (group_id, name, uid, gid, mode, ctime_ms,"
	" mtime_ms) VALUES ((SELECT id FROM log_groups WHERE name = ''),"
	" ?1, ?2, ?3, ?4, ?5, ?5)";

/* The trail's record of an operation on bus name. */
static struct trail_event bus_event(const char *api, const char *name,
				    const struct caller *who)
{
	return (struct trail_event){
		.source = "events.monfs",
		.name = api,
		.who = who,
		.params = {TRAIL_STR("eventBusName", name)},
		.nparams = 1,
	};
}

int store_bus_get(struct store *st, const char *name, struct stream_info *out)
{
	return store_stream_get(st, BUS_GROUP, name, out);
}

int store_bus_list(struct store *st, store_list_fn fn, void *ctx)
{
	return named_list(st, SQL_BUS_LIST, fn, ctx);
}

/* The id of bus name: -ENOENT, or -errno when the database failed. */
static int64_t bus_id_locked(struct store *st, const char *name)
{
	struct sql_stmt *stmt = db_stmt(st, SQL_BUS_NAMED);

	if (!stmt)
		return -EIO;
	sql_bind_text(stmt, 1, name, -1);
	return db_step_id(stmt);
}

int store_bus_create(struct store *st, const char *name, mode_t mode,
		     const struct caller *who, struct stream_info *out,
		     struct err *err)
{
	struct trail_event ev = bus_event("CreateEventBus", name, who);
	int64_t now = store_now_ms(), id;
	struct sql_stmt *stmt;
	int rc;

	rc = db_begin(st);
	if (rc)
		return rc;
	rc = parse_name(name, strlen(name));
	if (rc) {
		err_set(err, "invalid bus name");
		goto out;
	}
	id = bus_id_locked(st, name);
	if (id >= 0 || id != -ENOENT) {
		rc = id >= 0 ? -EEXIST : (int)id;
		goto out;
	}
	stmt = db_stmt(st, SQL_BUS_INSERT);
	if (!stmt) {
		rc = -EIO;
		goto out;
	}
	sql_bind_text(stmt, 1, name, -1);
	db_bind_owner(stmt, 2, who, mode, now);
	rc = db_exec_stmt(stmt);
	if (!rc && out)
		*out = (struct stream_info){
			.id = db_last_id(st),
			.attr = {who->uid, who->gid, mode & 07777, now, now},
		};
out:
	return trail_finish_change(st, rc, &ev, err);
}

int store_bus_delete(struct store *st, const char *name,
		     const struct caller *who, struct err *err)
{
	struct trail_event ev = bus_event("DeleteEventBus", name, who);
	int64_t stream_id = 0;
	int rc;

	rc = db_begin(st);
	if (rc)
		return rc;
	if (!strcmp(name, BUS_DEFAULT)) {
		err_set(err, "the default bus cannot be deleted");
		rc = -EPERM;
	} else {
		/* Its readers keep its events; they are reaped below. */
		rc = stream_detach_locked(st, BUS_GROUP, name, store_now_ms(),
					  &stream_id);
	}
	rc = trail_finish_change(st, rc, &ev, err);
	/* Done whatever the reaping says: what it leaves, the sweep reaps. */
	if (!rc && stream_id)
		stream_reap(st, stream_id);
	return rc;
}

/* ---- events onto a bus ---- */

/*
 * Append lines (whole envelopes, one per event) to bus bus_id at
 * now_ms, and pass each to the rules' hook. Lock held, transaction
 * open. 0 or -errno (-ENOENT: the bus is gone).
 */
static int bus_append_locked(struct store *st, int64_t bus_id,
			     const struct strbuf *lines, int64_t now_ms,
			     struct err *err)
{
	int64_t abs;
	size_t events, pos = 0;
	int rc;

	rc = stream_write_locked(st, bus_id, lines->buf, lines->len, 0, true,
				 &abs, &events, err);
	if (!rc)
		rc = stream_index_locked(st, bus_id, abs, lines->len, now_ms);
	/* Whoever watches buses (the rules), in the event's transaction. */
	while (!rc && pos < lines->len && db_hooks(st)->bus_appended) {
		const char *nl =
			memchr(lines->buf + pos, '\n', lines->len - pos);
		size_t n = (size_t)(nl - (lines->buf + pos)) + 1;

		rc = db_hooks(st)->bus_appended(st, bus_id, lines->buf + pos, n,
						now_ms);
		pos += n;
	}
	return rc;
}

static void new_uuid(char out[37])
{
	uuid_t id;

	uuid_generate_random(id);
	uuid_unparse_lower(id, out);
}

/*
 * Append the envelope of an event with a fresh id, in the store's
 * account and region, to out. 0 or -ENOMEM.
 */
static int envelope_add(struct store *st, struct strbuf *out,
			const char *source, const char *detail_type,
			json_t *resources, json_t *detail, int64_t time_ms)
{
	const struct trail_settings *t = db_trail(st);
	char id[37];

	new_uuid(id);
	return event_envelope_line(
		&(struct event_envelope){id, detail_type, source, t->account,
					 time_ms, t->region, resources, detail},
		out);
}

/*
 * The envelopes of batch's entries into out, checked: an aws. source
 * only from root (-EACCES), and no event longer than a stream's line
 * (-EINVAL, as EventBridge's 256 KB limit on an entry). Lock held (the
 * settings).
 */
static int batch_envelopes(struct store *st, const struct event_batch *batch,
			   const struct caller *who, int64_t now_ms,
			   struct strbuf *out, struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];
	size_t i, before;
	int rc;

	for (i = 0; i < batch->n; i++) {
		const struct event_entry *e = &batch->v[i];

		if (who->uid != 0 && event_source_reserved(e->source)) {
			err_set(err,
				"line %u: Source: \"%s\" starts with \"aws.\","
				" which only root may put",
				e->lineno,
				format_quote(q, e->source, strlen(e->source)));
			return -EACCES;
		}
		before = out->len;
		rc = envelope_add(st, out, e->source, e->detail_type,
				  e->resources, e->detail,
				  e->has_time ? e->time_ms : now_ms);
		if (rc)
			return rc;
		if (out->len - before - 1 > LOG_LINE_MAX) {
			err_set(err,
				"line %u: the event is %zu bytes, more"
				" than %d",
				e->lineno, out->len - before - 1, LOG_LINE_MAX);
			return -EINVAL;
		}
	}
	return 0;
}

int bus_put(struct store *st, struct data_session *ds,
	    const struct trail_event *ev, const char *buf, size_t len,
	    int64_t now_ms, struct err *err)
{
	struct strbuf lines = STRBUF_INIT;
	struct event_batch batch;
	int rc;

	rc = event_batch_parse(buf, len, &batch, err);
	if (rc)
		return rc;
	rc = db_begin(st);
	if (rc)
		goto out;
	rc = batch_envelopes(st, &batch, &ds->who, now_ms, &lines, err);
	if (!rc && lines.len)
		rc = bus_append_locked(st, ds->id, &lines, now_ms, err);
	/* A write by anyone but root drops set-id bits, as on Linux. */
	if (!rc && ds->who.uid != 0)
		rc = owner_write_drops_locked(st, DATA_STREAM, ds->id, &ds->who,
					      now_ms);
	if (!rc)
		rc = trail_pending_add(st, ev, &ds->pending_id,
				       (int64_t)batch.n, (int64_t)len, now_ms);
	if (rc) {
		db_explain(st, rc, err);
		db_rollback(st);
	} else {
		rc = db_commit(st);
	}
out:
	strbuf_release(&lines);
	event_batch_release(&batch);
	return rc;
}

int bus_emit_locked(struct store *st, const char *source,
		    const char *detail_type, json_t *resources, json_t *detail,
		    int64_t time_ms)
{
	struct strbuf line = STRBUF_INIT;
	int64_t id = bus_id_locked(st, BUS_DEFAULT);
	int rc;

	/* The schema makes it and nothing removes it. */
	if (id < 0)
		return id == -ENOENT ? -EIO : (int)id;
	rc = envelope_add(st, &line, source, detail_type, resources, detail,
			  time_ms);
	if (!rc)
		rc = bus_append_locked(st, id, &line, time_ms, NULL);
	strbuf_release(&line);
	return rc;
}

int bus_forward_locked(struct store *st, const char *bus, const char *line,
		       size_t len, int64_t now_ms)
{
	struct strbuf buf = {(char *)line, len, len};
	int64_t id = bus_id_locked(st, bus);

	if (id < 0)
		return (int)id;
	return bus_append_locked(st, id, &buf, now_ms, NULL);
}

int bus_emit_scheduled_locked(struct store *st, const char *rule,
			      int64_t time_ms, struct strbuf *envelope)
{
	const struct trail_settings *t = db_trail(st);
	struct strbuf arn = STRBUF_INIT;
	json_t *resources = NULL, *detail = json_object();
	int64_t id = bus_id_locked(st, BUS_DEFAULT);
	int rc;

	if (id < 0)
		return id == -ENOENT ? -EIO : (int)id;
	rc = strbuf_addf(&arn, "arn:aws:events:%s:%s:rule/%s", t->region,
			 t->account, rule);
	if (!rc)
		resources = json_pack("[s]", arn.buf);
	rc = rc || !resources || !detail
		     ? -ENOMEM
		     : envelope_add(st, envelope, "aws.events",
				    "Scheduled Event", resources, detail,
				    time_ms);
	if (!rc)
		rc = bus_append_locked(st, id, envelope, time_ms, NULL);
	json_decref(resources);
	json_decref(detail);
	strbuf_release(&arn);
	return rc;
}

int bus_emit_trail_locked(struct store *st, json_t *rec, int64_t time_ms)
{
	const char *type, *source;

	if (json_is_true(json_object_get(rec, "readOnly")) ||
	    json_is_false(json_object_get(rec, "managementEvent")))
		return 0; /* reads and data events are not emitted */
	type = event_trail_detail_type(
		json_string_value(json_object_get(rec, "eventType")));
	source = event_trail_source(
		json_string_value(json_object_get(rec, "eventSource")));
	if (!type || !source)
		return 0;
	return bus_emit_locked(st, source, type, NULL, rec, time_ms);
}

/* ms as CloudWatch's alarm events print it: "2019-10-02T17:04:40.989+0000". */
#define ALARM_TIME_MAX 96 /* room for any year snprintf may print */

static void alarm_time(char out[ALARM_TIME_MAX], int64_t ms)
{
	time_t s = (time_t)floor_div(ms, 1000);
	struct tm tm;

	gmtime_r(&s, &tm);
	snprintf(out, ALARM_TIME_MAX, "%04d-%02d-%02dT%02d:%02d:%02d.%03d+0000",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (int)(ms - floor_div(ms, 1000) * 1000));
}

/*
 * A metric alarm's dimensions as its state-change event names them: one
 * object, {"InstanceId": "i-0abc"}, values decoded. NULL when out of
 * memory.
 */
static json_t *alarm_dimensions(const struct alarm_def *def)
{
	struct dimension_set set = DIMENSION_SET_INIT;
	json_t *out = json_object();
	size_t i;
	int bad = !out || alarm_def_dimension_set(def, &set);

	for (i = 0; !bad && i < set.count; i++)
		bad = json_object_set_new(out, set.dims[i].name,
					  json_string(set.dims[i].value));
	dimension_set_free(&set);
	if (bad) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* The "configuration" of a metric alarm's event; a composite has none. */
static json_t *alarm_configuration(const struct alarm_def *def)
{
	const char *stat =
		def->stat.cw_name ? def->stat.cw_name : def->stat.name;

	if (def->kind == ALARM_KIND_COMPOSITE)
		return json_pack("{s:s,s:s}", "alarmRule", def->rule,
				 "description", def->description);
	return json_pack("{s:s,s:[{s:s,s:{s:{s:s,s:s,s:o*},s:I,s:s},s:b}]}",
			 "description", def->description, "metrics", "id", "m1",
			 "metricStat", "metric", "namespace", def->ns, "name",
			 def->metric, "dimensions", alarm_dimensions(def),
			 "period", (json_int_t)def->period_s, "stat", stat,
			 "returnData", 1);
}

int bus_emit_alarm_change_locked(struct store *st, const char *name,
				 const struct alarm_def *def,
				 const char *old_state, const char *old_reason,
				 int64_t old_ms, const char *new_state,
				 const char *new_reason, int64_t time_ms)
{
	const struct trail_settings *t = db_trail(st);
	char arn[ALARM_NAME_SIZE + 128], was[ALARM_TIME_MAX],
		now[ALARM_TIME_MAX];
	json_t *resources, *detail;
	int rc;

	snprintf(arn, sizeof(arn), "arn:aws:cloudwatch:%s:%s:alarm:%s",
		 t->region, t->account, name);
	alarm_time(was, old_ms);
	alarm_time(now, time_ms);
	resources = json_pack("[s]", arn);
	detail = json_pack(
		"{s:s,s:{s:s,s:s,s:s},s:{s:s,s:s,s:s},s:o*}", "alarmName", name,
		"state", "value", new_state, "reason", new_reason, "timestamp",
		now, "previousState", "value", old_state, "reason", old_reason,
		"timestamp", was, "configuration", alarm_configuration(def));
	rc = resources && detail
		     ? bus_emit_locked(st, "aws.cloudwatch",
				       "CloudWatch Alarm State Change",
				       resources, detail, time_ms)
		     : -ENOMEM;
	json_decref(resources);
	json_decref(detail);
	return rc;
}
