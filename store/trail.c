/*
 * trail: the audit trail (SPEC 6) — CloudTrail-shaped records, one JSON
 * line each, in day files.
 *
 * A record is appended inside the transaction of the operation it
 * records (trail_finish_change), so an operation and its record commit together
 * or not at all. Each record keeps its byte offset in its UTC day's file; a day
 * file's size and mtime live in trail_days, so `tail -f` sees it grow, and a
 * read at any offset finds its record by index.
 */
#include "store/db.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "lib/dimension.h"
#include "lib/event_envelope.h"
#include "lib/format.h"
#include "store/holds.h"
#include "store/trail.h"
#include "store/trail_insights.h"
#include "lib/strbuf.h"
#include "lib/timeutil.h"

#define DEFAULT_RETENTION_DAYS 90
#define EVENT_VERSION "1.08"

static const char SQL_DAY_GET[] =
	"SELECT size, mtime_ms FROM trail_days WHERE day = ?1 AND day >= ?2";
static const char SQL_DAY_PUT[] =
	"INSERT INTO trail_days (day, size, mtime_ms) VALUES (?1, ?2, ?3)"
	" ON CONFLICT (day) DO UPDATE SET size = trail_days.size + ?2, "
	"mtime_ms = ?3";
static const char SQL_DAYS[] =
	"SELECT day, size, mtime_ms FROM trail_days WHERE day >= ?1"
	" ORDER BY day";
static const char SQL_RECORD_INSERT[] =
	"INSERT INTO trail_records (day, offset, record) VALUES (?1, ?2, ?3)";
static const char SQL_RECORD_AT[] =
	"SELECT offset FROM trail_records WHERE day = ?1 AND offset <= ?2"
	" ORDER BY offset DESC LIMIT 1";
static const char SQL_RECORDS_FROM[] =
	"SELECT offset, record FROM trail_records"
	" WHERE day = ?1 AND offset >= ?2 AND offset < ?3 ORDER BY offset";
static const char SQL_EXPIRED_DAYS[] =
	"SELECT day FROM trail_days WHERE day < ?1";
static const char SQL_EXPIRE_RECORDS[] =
	"DELETE FROM trail_records WHERE day = ?1";
static const char SQL_EXPIRE_DAY[] = "DELETE FROM trail_days WHERE day = ?1";
static const char SQL_PENDING_DUE[] =
	"SELECT id, record, count, bytes FROM trail_pending"
	" WHERE ?1 OR (count > 0 AND since_ms <= ?2)";
static const char SQL_PENDING_RESET[] =
	"UPDATE trail_pending SET count = 0, bytes = 0, since_ms = ?2"
	" WHERE id = ?1";
static const char SQL_PENDING_DELETE_ALL[] = "DELETE FROM trail_pending";
static const char SQL_PENDING_INSERT[] =
	"INSERT INTO trail_pending (record, count, bytes, since_ms)"
	" VALUES (?1, ?2, ?3, ?4)";
static const char SQL_PENDING_ADD[] =
	"UPDATE trail_pending SET count = count + ?2, bytes = bytes + ?3"
	" WHERE id = ?1";
static const char SQL_PENDING_GET[] =
	"SELECT record, count, bytes FROM trail_pending WHERE id = ?1";
static const char SQL_PENDING_DELETE[] =
	"DELETE FROM trail_pending WHERE id = ?1";

void trail_defaults(struct trail_settings *t)
{
	snprintf(t->region, sizeof(t->region), "local");
	if (gethostname(t->host, sizeof(t->host)) != 0)
		snprintf(t->host, sizeof(t->host), "localhost");
	t->host[sizeof(t->host) - 1] = '\0';
	t->retention_days = DEFAULT_RETENTION_DAYS;
	snprintf(t->account, sizeof(t->account), "%s", EVENT_ACCOUNT_DEFAULT);
}

int store_trail_configure(struct store *st, const struct trail_config *cfg)
{
	struct trail_settings *t = db_trail(st);

	db_lock(st);
	if (cfg->region)
		snprintf(t->region, sizeof(t->region), "%s", cfg->region);
	if (cfg->host)
		snprintf(t->host, sizeof(t->host), "%s", cfg->host);
	if (cfg->retention_days > 0)
		t->retention_days = cfg->retention_days;
	if (cfg->account)
		snprintf(t->account, sizeof(t->account), "%s", cfg->account);
	t->data = cfg->data;
	snprintf(t->log_group, sizeof(t->log_group), "%s",
		 cfg->log_group ? cfg->log_group : "");
	snprintf(t->log_stream, sizeof(t->log_stream), "%s_CloudTrail_%s",
		 t->account, t->region);
	t->log_stream_id = 0;
	t->log_gid = cfg->log_gid;
	t->log_mode = cfg->log_mode;
	db_unlock(st);
	return 0;
}

/* The oldest day still within retention, as of now_ms. */
static int64_t oldest_day(struct store *st, int64_t now_ms)
{
	return floor_div(now_ms, MS_PER_DAY) - db_trail(st)->retention_days;
}

/*
 * SPEC 6's errno to errorCode table. ServiceUnavailable says that monfs
 * itself failed, so every errno a user's mistake can cause has a code
 * of its own: EFBIG (a definition over its limit) is a too-large
 * parameter, as EMSGSIZE (a log line over its limit) is.
 */
static const char *error_code(int error)
{
	switch (-error) {
	case EACCES:
	case EPERM:
		return "AccessDenied";
	case EINVAL:
	case ENAMETOOLONG:
	case EXDEV:
	case EISDIR:
	case ENOTDIR:
	case ERANGE:
		return "InvalidParameterValue";
	case EMSGSIZE:
	case EFBIG:
		return "InvalidParameterException";
	case ENOTEMPTY:
		return "OperationAbortedException";
	case ENOSPC:
		return "LimitExceededException";
	case ENOENT:
		return "ResourceNotFoundException";
	case EBUSY:
		return "ResourceInUseException";
	case EEXIST: /* CloudWatch Logs' code for a name taken */
		return "ResourceAlreadyExistsException";
	case ENOTSUP:
	case ENODATA:
		return "UnsupportedOperation";
	default:
		return "ServiceUnavailable";
	}
}

/* A JSON string of s, with bytes that are not UTF-8 replaced. */
static json_t *text(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *j;

	if (!s)
		return json_null();
	j = json_string(s);
	if (j)
		return j;
	if (format_utf8_lossy(&sb, s, strlen(s)))
		return NULL;
	j = json_stringn(sb.buf ? sb.buf : "", sb.len);
	strbuf_release(&sb);
	return j;
}

static json_t *identity(const struct caller *who)
{
	char principal[24];

	if (!who)
		return json_pack("{s:s,s:s}", "type", "AWSService", "invokedBy",
				 "monfs");
	snprintf(principal, sizeof(principal), "%u", (unsigned)who->uid);
	return json_pack("{s:s,s:s,s:o,s:I,s:I,s:I,s:o}", "type", "LocalUser",
			 "principalId", principal, "userName", text(who->user),
			 "uid", (json_int_t)who->uid, "gid",
			 (json_int_t)who->gid, "pid", (json_int_t)who->pid,
			 "processName", text(who->process));
}

/*
 * Set a metrics or alarms record's "namespace" member to ns. When ns is a
 * dimension directory ("AWS/EC2/InstanceId=i-0abc"), the member holds
 * the namespace alone and "dimensions" the set as CloudWatch names it,
 * [{"name","value"}] with values decoded (SPEC 11). A name that does not
 * parse as a dimension directory (a refusal's) is kept as it came.
 * 0, or -1 when out of memory.
 */
static int set_namespace(json_t *params, const char *ns)
{
	struct dimension_path dp;
	struct err ignored;
	json_t *dims;
	int bad;

	if (!strchr(ns, '=') ||
	    dimension_parse_path(ns, strlen(ns), DIMENSION_PATH_DIR, &dp,
				 &ignored))
		return json_object_set_new(params, "namespace", text(ns));
	dims = dimension_set_json(&dp.dims, "name", "value");
	bad = !dims ||
	      json_object_set_new(params, "namespace",
				  json_stringn(dp.ns, dp.ns_len)) ||
	      json_object_set_new(params, "dimensions", dims);
	dimension_path_free(&dp);
	return bad ? -1 : 0;
}

/* A parameter's value: its string, its JSON text read back, its number. */
static json_t *param_value(const struct trail_param *p)
{
	if (p->str)
		return text(p->str);
	if (p->json)
		return json_loads(p->json, JSON_DECODE_ANY, NULL);
	return json_integer(p->num);
}

static json_t *parameters(const struct trail_event *ev)
{
	/* Their namespaces may be series' (an alarm's metric, SPEC 11). */
	bool metrics = ev->source && (!strcmp(ev->source, "metrics.monfs") ||
				      !strcmp(ev->source, "alarms.monfs"));
	json_t *params;
	size_t i;
	int bad;

	if (ev->nparams == 0)
		return json_null();
	params = json_object();
	for (i = 0; params && i < ev->nparams; i++) {
		const struct trail_param *p = &ev->params[i];

		if (metrics && p->str && !strcmp(p->key, "namespace"))
			bad = set_namespace(params, p->str);
		else
			bad = json_object_set_new(params, p->key,
						  param_value(p));
		if (bad) {
			json_decref(params);
			return NULL;
		}
	}
	return params;
}

static void new_uuid(char out[37])
{
	uuid_t id;

	uuid_generate_random(id);
	uuid_unparse_lower(id, out);
}

/* Set eventTime, eventID and requestID of rec to fresh values. */
static int stamp(json_t *rec, int64_t now_ms)
{
	char when[FORMAT_TIME_MAX], id[37], req[37];

	format_time(when, now_ms - ((now_ms % 1000) + 1000) % 1000);
	new_uuid(id);
	new_uuid(req);
	return json_object_set_new(rec, "eventTime", json_string(when)) ||
	       json_object_set_new(rec, "eventID", json_string(id)) ||
	       /* Insights records have no requestID (CloudTrail's). */
	       (json_object_get(rec, "requestID") &&
		json_object_set_new(rec, "requestID", json_string(req)));
}

/*
 * The record of ev, in CloudTrail's field order, without eventTime,
 * eventID and requestID (stamp adds them).
 */
static json_t *build_record(struct store *st, const struct trail_event *ev)
{
	const struct trail_settings *t = db_trail(st);
	json_t *rec = json_object();
	int bad = !rec;

	/* Placeholders keep CloudTrail's order; stamp fills them. */
	bad = bad ||
	      json_object_set_new(rec, "eventVersion",
				  json_string(EVENT_VERSION)) ||
	      json_object_set_new(rec, "eventTime", json_null()) ||
	      json_object_set_new(rec, "eventSource", text(ev->source)) ||
	      json_object_set_new(rec, "eventName", text(ev->name)) ||
	      json_object_set_new(rec, "awsRegion", text(t->region)) ||
	      json_object_set_new(rec, "sourceIPAddress", text(t->host)) ||
	      json_object_set_new(rec, "userIdentity", identity(ev->who)) ||
	      json_object_set_new(rec, "userAgent",
				  text(ev->who ? ev->who->process : "monfs"));
	if (!bad && ev->error)
		bad = json_object_set_new(rec, "errorCode",
					  json_string(error_code(ev->error))) ||
		      json_object_set_new(
			      rec, "errorMessage",
			      text(ev->message && *ev->message
					   ? ev->message
					   : strerrordesc_np(-ev->error)));
	bad = bad ||
	      json_object_set_new(rec, "requestParameters", parameters(ev)) ||
	      json_object_set_new(rec, "responseElements", json_null()) ||
	      json_object_set_new(rec, "eventID", json_null()) ||
	      json_object_set_new(rec, "requestID", json_null()) ||
	      json_object_set_new(rec, "readOnly",
				  json_boolean(ev->read_only)) ||
	      json_object_set_new(rec, "eventType",
				  json_string(ev->service_event
						      ? "AwsServiceEvent"
						      : "AwsApiCall")) ||
	      json_object_set_new(rec, "managementEvent",
				  json_boolean(!ev->data)) ||
	      json_object_set_new(rec, "recipientAccountId",
				  json_string(t->account)) ||
	      json_object_set_new(
		      rec, "eventCategory",
		      json_string(ev->data ? "Data" : "Management"));
	if (bad) {
		json_decref(rec);
		return NULL;
	}
	return rec;
}

/* Append one JSON line to now's day file. Lock held, transaction open. */
static int append_line(struct store *st, const char *line, size_t len,
		       int64_t now_ms)
{
	int64_t day = floor_div(now_ms, MS_PER_DAY), size = 0;
	struct sql_stmt *stmt = db_stmt(st, SQL_DAY_GET);
	int rc;

	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, day);
	sql_bind_int64(stmt, 2, day);
	rc = db_step(stmt);
	if (rc == DB_ROW)
		size = sql_column_int64(stmt, 0);
	sql_reset(stmt);
	if (rc < 0)
		return rc;
	stmt = db_stmt(st, SQL_RECORD_INSERT);
	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, day);
	sql_bind_int64(stmt, 2, size);
	sql_bind_text(stmt, 3, line, (int)len);
	rc = db_exec_stmt(stmt);
	if (rc)
		return rc;
	stmt = db_stmt(st, SQL_DAY_PUT);
	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, day);
	sql_bind_int64(stmt, 2, (int64_t)len);
	sql_bind_int64(stmt, 3, now_ms);
	return db_exec_stmt(stmt);
}

/*
 * Stamp rec, dump it as one line and append it, and put it on the
 * default bus unless emit is false. Lock held, tx open.
 */
static int append_record(struct store *st, json_t *rec, bool emit,
			 int64_t now_ms)
{
	char *line;
	int rc;

	if (stamp(rec, now_ms))
		return -ENOMEM;
	line = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!line)
		return -ENOMEM;
	/* The line's '\n' is part of the file: store it with the record. */
	{
		size_t len = strlen(line);
		char *with_nl = realloc(line, len + 2);

		if (!with_nl) {
			free(line);
			return -ENOMEM;
		}
		line = with_nl;
		line[len] = '\n';
		line[len + 1] = '\0';
		rc = append_line(st, line, len + 1, now_ms);
		if (!rc && db_hooks(st)->trail_line)
			rc = db_hooks(st)->trail_line(st, line, len + 1,
						      now_ms);
	}
	free(line);
	/* In the same transaction: the event on default (SPEC 13). */
	if (!rc && emit && db_hooks(st)->trail_recorded)
		rc = db_hooks(st)->trail_recorded(st, rec, now_ms);
	return rc;
}

/*
 * Whether ev is a data event --trail-data leaves out (SPEC 14): reads
 * unless all, writes unless write or all; refusals are always recorded.
 */
static bool data_left_out(struct store *st, const struct trail_event *ev)
{
	enum trail_data level = db_trail(st)->data;

	if (!ev->data || ev->error)
		return false;
	return ev->read_only ? level < TRAIL_DATA_ALL
			     : level < TRAIL_DATA_WRITE;
}

int trail_append_locked(struct store *st, const struct trail_event *ev,
			int64_t now_ms)
{
	json_t *rec;
	int rc;

	if (data_left_out(st, ev))
		return 0;
	rec = build_record(st, ev);
	if (!rec)
		return -ENOMEM;
	rc = append_record(st, rec, !ev->not_emitted, now_ms);
	/* Management calls count towards Insights (SPEC 14). */
	if (!rc)
		rc = trail_insights_count_locked(st, rec, now_ms);
	json_decref(rec);
	return rc;
}

int trail_append_json_locked(struct store *st, json_t *rec, int64_t now_ms)
{
	return append_record(st, rec, true, now_ms);
}

int store_trail_record(struct store *st, const struct trail_event *ev)
{
	int rc = db_begin(st);

	if (rc)
		return rc;
	rc = trail_append_locked(st, ev,
				 ev->time_ms ? ev->time_ms : store_now_ms());
	if (rc) {
		db_rollback(st);
		return rc;
	}
	return db_commit(st);
}

int trail_finish_change(struct store *st, int rc, struct trail_event *ev,
			struct err *err)
{
	struct err none = {""};
	struct err *why = err ? err : &none;

	if (rc == 0) {
		rc = trail_append_locked(st, ev, store_now_ms());
		if (rc == 0) {
			rc = db_commit(st);
			if (rc == 0)
				return 0;
			/* Rolled back and unlocked: on the record all the same.
			 */
			err_set(why, "the database failed to commit: %s",
				strerror(-rc));
			goto record;
		}
	}
	/* A database failure says so, in the record and to the caller. */
	db_explain(st, rc, why);
	db_rollback(st);
record:
	ev->error = rc;
	ev->message = why->msg;
	store_trail_record(st, ev);
	ev->message = err ? err->msg : NULL;
	return rc;
}

/*
 * Day file day, if it is not older than oldest. 0, -ENOENT, or -EIO
 * (-errno) when the database failed. Lock held.
 */
static int day_get_locked(struct store *st, int64_t day, int64_t oldest,
			  struct trail_day *out)
{
	struct sql_stmt *stmt = db_stmt(st, SQL_DAY_GET);
	int rc = -ENOENT;

	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, day);
	sql_bind_int64(stmt, 2, oldest);
	rc = db_step(stmt);
	if (rc == DB_DONE)
		rc = -ENOENT;
	if (rc == DB_ROW) {
		out->day = day;
		out->size = sql_column_int64(stmt, 0);
		out->mtime_ms = sql_column_int64(stmt, 1);
		rc = 0;
	}
	sql_reset(stmt);
	return rc;
}

int store_trail_day(struct store *st, int64_t day, struct trail_day *out)
{
	int rc;

	db_lock(st);
	rc = day_get_locked(st, day, oldest_day(st, store_now_ms()), out);
	db_unlock(st);
	return rc;
}

int store_trail_day_stat(struct store *st, int64_t day, struct trail_day *out)
{
	int rc;

	/* Past retention, a day is still stored while a reader holds it. */
	db_lock(st);
	rc = day_get_locked(st, day, INT64_MIN, out);
	db_unlock(st);
	return rc;
}

int store_trail_hold(struct store *st, int64_t day)
{
	struct trail_day d;
	int rc;

	db_lock(st);
	rc = day_get_locked(st, day, oldest_day(st, store_now_ms()), &d);
	if (!rc)
		rc = holds_add(db_holds(st, HOLD_TRAIL_DAY), day);
	db_unlock(st);
	return rc;
}

void store_trail_release(struct store *st, int64_t day)
{
	/* The next sweep removes an expired day nobody holds any more. */
	db_lock(st);
	holds_remove(db_holds(st, HOLD_TRAIL_DAY), day);
	db_unlock(st);
}

int store_trail_days(struct store *st, store_day_fn fn, void *ctx)
{
	struct trail_day d;
	struct sql_stmt *stmt;
	int rc = 0;

	db_lock(st);
	stmt = db_stmt(st, SQL_DAYS);
	if (!stmt) {
		rc = -EIO;
		goto out;
	}
	sql_bind_int64(stmt, 1, oldest_day(st, store_now_ms()));
	while (!rc && (rc = db_step(stmt)) == DB_ROW) {
		d.day = sql_column_int64(stmt, 0);
		d.size = sql_column_int64(stmt, 1);
		d.mtime_ms = sql_column_int64(stmt, 2);
		rc = fn(ctx, &d);
	}
	sql_reset(stmt);
out:
	db_unlock(st);
	return rc;
}

int store_trail_read(struct store *st, int64_t day, int64_t offset, char *buf,
		     size_t size)
{
	int64_t first = 0, limit = offset + (int64_t)size;
	size_t done = 0;
	struct sql_stmt *stmt;
	int rc = 0;

	if (offset < 0)
		return 0;
	db_lock(st);
	stmt = db_stmt(st, SQL_RECORD_AT);
	if (!stmt) {
		rc = -EIO;
		goto out;
	}
	sql_bind_int64(stmt, 1, day);
	sql_bind_int64(stmt, 2, offset);
	rc = db_step(stmt);
	if (rc == DB_ROW)
		first = sql_column_int64(stmt, 0);
	sql_reset(stmt);
	if (rc < 0)
		goto out;
	stmt = db_stmt(st, SQL_RECORDS_FROM);
	if (!stmt) {
		rc = -EIO;
		goto out;
	}
	sql_bind_int64(stmt, 1, day);
	sql_bind_int64(stmt, 2, first);
	sql_bind_int64(stmt, 3, limit);
	/* A failure is an error, never a short read or an EOF. */
	while ((rc = db_step(stmt)) == DB_ROW) {
		int64_t off = sql_column_int64(stmt, 0);
		const char *rec = (const char *)sql_column_text(stmt, 1);
		int64_t len = sql_column_bytes(stmt, 1);
		int64_t lo = offset + (int64_t)done;
		int64_t hi = off + len < limit ? off + len : limit;

		if (!rec || hi <= lo || lo < off)
			continue;
		memcpy(buf + done, rec + (lo - off), (size_t)(hi - lo));
		done += (size_t)(hi - lo);
	}
	sql_reset(stmt);
out:
	db_unlock(st);
	return rc ? rc : (int)done;
}

/* Emit one pending data event with its counts. Lock held, tx open. */
static int emit_pending(struct store *st, const char *record, int64_t count,
			int64_t bytes, int64_t now_ms)
{
	json_t *rec = record ? json_loads(record, 0, NULL) : NULL;
	json_t *params;
	int rc;

	if (!rec)
		return -EIO;
	params = json_object_get(rec, "requestParameters");
	if (json_is_object(params)) {
		const char *what =
			json_object_get(params, "datapoints") ? "datapoints"
			: json_object_get(params, "entries")  ? "entries"
							      : "events";

		json_object_set_new(params, what, json_integer(count));
		json_object_set_new(params, "bytes", json_integer(bytes));
	}
	rc = append_record(st, rec, true, now_ms);
	json_decref(rec);
	return rc;
}

int trail_finish_pending(struct store *st, bool all, int64_t now_ms)
{
	struct sql_stmt *due, *reset;
	int rc;

	rc = db_begin(st);
	if (rc)
		return rc;
	due = db_stmt(st, SQL_PENDING_DUE);
	if (!due) {
		rc = -EIO;
		goto fail;
	}
	sql_bind_int(due, 1, all);
	sql_bind_int64(due, 2, now_ms - MS_PER_MINUTE);
	while (!rc && (rc = db_step(due)) == DB_ROW) {
		int64_t id = sql_column_int64(due, 0);
		const char *record = (const char *)sql_column_text(due, 1);
		int64_t count = sql_column_int64(due, 2);

		rc = 0;
		if (record && count > 0)
			rc = emit_pending(st, record, count,
					  sql_column_int64(due, 3), now_ms);
		if (rc || all)
			continue;
		reset = db_stmt(st, SQL_PENDING_RESET);
		if (!reset) {
			rc = -EIO;
			break;
		}
		sql_bind_int64(reset, 1, id);
		sql_bind_int64(reset, 2, now_ms);
		rc = db_exec_stmt(reset);
	}
	sql_reset(due);
	if (!rc && all) {
		reset = db_stmt(st, SQL_PENDING_DELETE_ALL);
		rc = reset ? db_exec_stmt(reset) : -EIO;
	}
	if (rc)
		goto fail;
	return db_commit(st);
fail:
	db_rollback(st);
	return rc;
}

int trail_pending_add(struct store *st, const struct trail_event *ev,
		      int64_t *pending_id, int64_t count, int64_t bytes,
		      int64_t now_ms)
{
	struct sql_stmt *stmt;
	json_t *rec;
	char *text_;
	int rc;

	if (data_left_out(st, ev))
		return 0; /* nothing pending: nothing to count or close */
	if (*pending_id) {
		stmt = db_stmt(st, SQL_PENDING_ADD);
		if (!stmt)
			return -EIO;
		sql_bind_int64(stmt, 1, *pending_id);
		sql_bind_int64(stmt, 2, count);
		sql_bind_int64(stmt, 3, bytes);
		return db_exec_stmt(stmt);
	}
	rec = build_record(st, ev);
	text_ = rec ? json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER)
		    : NULL;
	json_decref(rec);
	if (!text_)
		return -ENOMEM;
	stmt = db_stmt(st, SQL_PENDING_INSERT);
	if (!stmt) {
		free(text_);
		return -EIO;
	}
	sql_bind_text_copy(stmt, 1, text_, -1);
	free(text_);
	sql_bind_int64(stmt, 2, count);
	sql_bind_int64(stmt, 3, bytes);
	sql_bind_int64(stmt, 4, now_ms);
	rc = db_exec_stmt(stmt);
	if (!rc)
		*pending_id = db_last_id(st);
	return rc;
}

int trail_pending_close_locked(struct store *st, int64_t pending_id,
			       int64_t now_ms)
{
	struct sql_stmt *stmt = db_stmt(st, SQL_PENDING_GET);
	int rc;

	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, pending_id);
	rc = db_step(stmt);
	if (rc == DB_ROW && sql_column_int64(stmt, 1))
		rc = emit_pending(st, (const char *)sql_column_text(stmt, 0),
				  sql_column_int64(stmt, 1),
				  sql_column_int64(stmt, 2), now_ms);
	else if (rc == DB_ROW)
		rc = 0;
	sql_reset(stmt);
	if (rc)
		return rc;
	stmt = db_stmt(st, SQL_PENDING_DELETE);
	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, pending_id);
	return db_exec_stmt(stmt);
}

/* Delete the records and the size of day file day. Lock held, tx open. */
static int expire_day(struct store *st, int64_t day)
{
	struct sql_stmt *stmt = db_stmt(st, SQL_EXPIRE_RECORDS);
	int rc;

	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, day);
	rc = db_exec_stmt(stmt);
	if (rc)
		return rc;
	stmt = db_stmt(st, SQL_EXPIRE_DAY);
	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, day);
	return db_exec_stmt(stmt);
}

/*
 * Remove the day files older than oldest that no reader holds. A few
 * days at most expire at a time (one a day, more after a long stop), so
 * their days are collected first, in a small array. Lock held, tx open.
 */
static int expire_days(struct store *st, int64_t oldest)
{
	int64_t *days = NULL, *bigger;
	size_t i, n = 0, cap = 0;
	struct sql_stmt *stmt = db_stmt(st, SQL_EXPIRED_DAYS);
	int rc = 0;

	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, oldest);
	while ((rc = db_step(stmt)) == DB_ROW) {
		rc = 0;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			bigger = realloc(days, cap * sizeof(*days));
			if (!bigger) {
				rc = -ENOMEM;
				break;
			}
			days = bigger;
		}
		days[n++] = sql_column_int64(stmt, 0);
	}
	sql_reset(stmt);
	for (i = 0; i < n && !rc; i++)
		if (!holds_has(db_holds(st, HOLD_TRAIL_DAY), days[i]))
			rc = expire_day(st, days[i]);
	free(days);
	return rc;
}

int store_trail_sweep(struct store *st, int64_t now_ms)
{
	int rc;

	rc = trail_finish_pending(st, false, now_ms);
	if (rc)
		return rc;
	rc = db_begin(st);
	if (rc)
		return rc;
	rc = expire_days(st, oldest_day(st, now_ms));
	if (rc) {
		db_rollback(st);
		return rc;
	}
	return db_commit(st);
}
