/*
 * trail_insights: CloudTrail Insights (SPEC 14) — management calls
 * counted per eventSource, eventName and minute, each completed minute
 * judged against its baseline (lib/trail_insights.h decides), and the
 * Start and End records appended to the trail.
 *
 * Counting happens inside the transaction of the record counted
 * (trail_append_locked), so a call is counted exactly when it is on the
 * record. Judging happens in the sweeper's tick, one transaction per
 * minute judged: the minute's Start and End records and the state that
 * says the minute is judged commit together, so a crash neither loses
 * nor repeats an insight record. Everything lives in the database
 * (schema 14 -> 15): a restart keeps the baseline and the open insights.
 *
 * Invariants: judged_minute < the current minute (the current minute is
 * never judged: it is not complete); a key has at most one open insight
 * per type; rows older than the baseline window of the next minute to
 * judge are pruned, except those an open insight's End still reads (its
 * minutes and the baseline window before its start).
 */
#include "store/trail_insights.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "lib/timeutil.h"
#include "lib/trail_insights.h"
#include "store/trail.h"

static const char SQL_STATE_ENSURE[] =
	"INSERT OR IGNORE INTO trail_insight_state"
	" (id, first_minute, judged_minute)"
	" VALUES (1, ?1, CAST(?1 AS BIGINT) - 1)";
static const char SQL_STATE_GET[] =
	"SELECT first_minute, judged_minute FROM trail_insight_state"
	" WHERE id = 1";
static const char SQL_STATE_JUDGED[] =
	"UPDATE trail_insight_state SET judged_minute = ?1 WHERE id = 1";
static const char SQL_KEY_PUT[] =
	"INSERT INTO trail_insight_keys (event_source, event_name)"
	" VALUES (?1, ?2) ON CONFLICT (event_source, event_name)"
	" DO UPDATE SET event_name = excluded.event_name RETURNING id";
static const char SQL_MINUTE_ADD[] =
	"INSERT INTO trail_insight_minutes (key_id, minute, calls, errors)"
	" VALUES (?1, ?2, 1, ?3) ON CONFLICT (key_id, minute)"
	" DO UPDATE SET calls = trail_insight_minutes.calls + 1,"
	" errors = trail_insight_minutes.errors + ?3";
static const char SQL_ATTRIBUTION_ADD[] =
	"INSERT INTO trail_insight_attributions"
	" (key_id, minute, attribute, value, error, count)"
	" VALUES (?1, ?2, ?3, ?4, ?5, 1)"
	" ON CONFLICT (key_id, attribute, minute, value, error)"
	" DO UPDATE SET count = trail_insight_attributions.count + 1";
static const char SQL_OPEN_COUNT[] = "SELECT count(*) FROM trail_insight_open";
static const char SQL_NEXT_COUNTED[] =
	"SELECT min(minute) FROM trail_insight_minutes"
	" WHERE minute > ?1 AND minute < ?2";
/* The keys to judge at a minute: those with calls, those with one open. */
static const char SQL_KEYS_AT[] =
	"SELECT k.id, k.event_source, k.event_name,"
	" coalesce(m.calls, 0), coalesce(m.errors, 0)"
	" FROM trail_insight_keys k LEFT JOIN trail_insight_minutes m"
	" ON m.key_id = k.id AND m.minute = ?1"
	" WHERE m.key_id IS NOT NULL"
	" OR k.id IN (SELECT key_id FROM trail_insight_open)"
	" ORDER BY k.id";
static const char SQL_WINDOW[] =
	"SELECT coalesce(sum(calls), 0), coalesce(sum(calls * calls), 0),"
	" coalesce(sum(errors), 0), coalesce(sum(errors * errors), 0)"
	" FROM trail_insight_minutes"
	" WHERE key_id = ?1 AND minute >= ?2 AND minute < ?3";
static const char SQL_OPEN_GET[] =
	"SELECT shared_event_id, start_minute, baseline_average,"
	" baseline_minutes FROM trail_insight_open"
	" WHERE key_id = ?1 AND insight_type = ?2";
static const char SQL_OPEN_PUT[] =
	"INSERT INTO trail_insight_open (key_id, insight_type,"
	" shared_event_id, start_minute, baseline_average, baseline_minutes)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_OPEN_DELETE[] = "DELETE FROM trail_insight_open WHERE "
				      "key_id = ?1 AND insight_type = ?2";
static const char SQL_ATTRIBUTION_COUNTS[] =
	"SELECT value, sum(count) FROM trail_insight_attributions"
	" WHERE key_id = ?1 AND attribute = ?2 AND minute >= ?3"
	" AND minute < ?4 AND error >= ?5 GROUP BY value";
/* The oldest minute an open insight's End reads. */
static const char SQL_OPEN_OLDEST[] =
	"SELECT min(start_minute - baseline_minutes) FROM trail_insight_open";
static const char SQL_PRUNE_MINUTES[] =
	"DELETE FROM trail_insight_minutes WHERE minute < ?1";
static const char SQL_PRUNE_ATTRIBUTIONS[] =
	"DELETE FROM trail_insight_attributions WHERE minute < ?1";
static const char SQL_PRUNE_KEYS[] =
	"DELETE FROM trail_insight_keys WHERE"
	" NOT EXISTS (SELECT 1 FROM trail_insight_minutes m"
	"  WHERE m.key_id = trail_insight_keys.id)"
	" AND NOT EXISTS (SELECT 1 FROM trail_insight_open o"
	"  WHERE o.key_id = trail_insight_keys.id)";

/* The value a record's attribute counts under; "null" when it has none. */
#define NO_VALUE "null"
#define ARN_MAX 512

int store_trail_insights_configure(struct store *st, bool on,
				   int64_t baseline_minutes)
{
	struct trail_settings *t = db_trail(st);

	if (baseline_minutes < 1)
		return -EINVAL;
	db_lock(st);
	t->insights = on;
	t->insights_baseline_min = baseline_minutes;
	db_unlock(st);
	return 0;
}

static int64_t minute_of(int64_t ms)
{
	return floor_div(ms, MS_PER_MINUTE);
}

/* Begin the history at minute unless it has begun. Lock held. */
static int state_ensure(struct store *st, int64_t minute)
{
	struct sql_stmt *stmt = db_stmt(st, SQL_STATE_ENSURE);

	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, minute);
	return db_exec_stmt(stmt);
}

/* ---- counting ---- */

static const char *member(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* Whether rec is a management call: what Insights count. */
static bool counted(json_t *rec)
{
	const char *type = member(rec, "eventType");

	return type && !strcmp(type, "AwsApiCall") &&
	       json_is_true(json_object_get(rec, "managementEvent")) &&
	       json_is_false(json_object_get(rec, "readOnly")) &&
	       member(rec, "eventSource") && member(rec, "eventName");
}

/* rec's userIdentityArn as Insights attribute it: its IAM-style user. */
static void identity_arn(struct store *st, json_t *rec, char out[ARN_MAX])
{
	const char *user =
		member(json_object_get(rec, "userIdentity"), "userName");

	if (user)
		snprintf(out, ARN_MAX, "arn:aws:iam::%s:user/%s",
			 db_trail(st)->account, user);
	else
		snprintf(out, ARN_MAX, "%s", NO_VALUE);
}

static int attribution_add(struct store *st, int64_t key_id, int64_t minute,
			   int attribute, const char *value, bool error)
{
	struct sql_stmt *stmt = db_stmt(st, SQL_ATTRIBUTION_ADD);

	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, key_id);
	sql_bind_int64(stmt, 2, minute);
	sql_bind_int(stmt, 3, attribute);
	sql_bind_text_copy(stmt, 4, value ? value : NO_VALUE, -1);
	sql_bind_int(stmt, 5, error);
	return db_exec_stmt(stmt);
}

int trail_insights_count_locked(struct store *st, json_t *rec, int64_t now_ms)
{
	int64_t minute = minute_of(now_ms), key_id;
	const char *error_code;
	char arn[ARN_MAX];
	struct sql_stmt *stmt;
	bool error;
	int rc;

	if (!db_trail(st)->insights || !counted(rec))
		return 0;
	error_code = member(rec, "errorCode");
	error = error_code != NULL;
	rc = state_ensure(st, minute);
	if (rc)
		return rc;
	stmt = db_stmt(st, SQL_KEY_PUT);
	if (!stmt)
		return -EIO;
	sql_bind_text_copy(stmt, 1, member(rec, "eventSource"), -1);
	sql_bind_text_copy(stmt, 2, member(rec, "eventName"), -1);
	key_id = db_step_id(stmt);
	if (key_id < 0)
		return key_id == -ENOENT ? -EIO : (int)key_id;
	stmt = db_stmt(st, SQL_MINUTE_ADD);
	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, key_id);
	sql_bind_int64(stmt, 2, minute);
	sql_bind_int(stmt, 3, error);
	rc = db_exec_stmt(stmt);
	identity_arn(st, rec, arn);
	if (!rc)
		rc = attribution_add(st, key_id, minute, 0, arn, error);
	if (!rc)
		rc = attribution_add(st, key_id, minute, 1,
				     member(rec, "userAgent"), error);
	if (!rc)
		rc = attribution_add(st, key_id, minute, 2, error_code, error);
	return rc;
}

/* ---- judging ---- */

/* A key judged at a minute, with the minute's counts. */
struct key_minute {
	int64_t id;
	char *source, *name;
	int64_t count[TRAIL_INSIGHTS_TYPES]; /* calls, errors */
};

struct key_list {
	struct key_minute *v;
	size_t n, cap;
};

static void key_list_release(struct key_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].source);
		free(l->v[i].name);
	}
	free(l->v);
	*l = (struct key_list){0};
}

/* The keys to judge at minute into out. Lock held. */
static int keys_at(struct store *st, int64_t minute, struct key_list *out)
{
	struct sql_stmt *stmt = db_stmt(st, SQL_KEYS_AT);
	int rc;

	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, minute);
	while ((rc = db_step(stmt)) == DB_ROW) {
		struct key_minute *k;

		if (out->n == out->cap) {
			size_t cap = out->cap ? out->cap * 2 : 16;
			struct key_minute *v =
				realloc(out->v, cap * sizeof(*v));

			if (!v) {
				rc = -ENOMEM;
				break;
			}
			out->v = v;
			out->cap = cap;
		}
		k = &out->v[out->n];
		k->id = sql_column_int64(stmt, 0);
		k->source = strdup((const char *)sql_column_text(stmt, 1));
		k->name = strdup((const char *)sql_column_text(stmt, 2));
		k->count[TRAIL_INSIGHTS_CALL_RATE] = sql_column_int64(stmt, 3);
		k->count[TRAIL_INSIGHTS_ERROR_RATE] = sql_column_int64(stmt, 4);
		out->n++;
		if (!k->source || !k->name) {
			rc = -ENOMEM;
			break;
		}
	}
	sql_reset(stmt);
	return rc < 0 ? rc : 0;
}

/*
 * The sums of key_id's counts over minutes [from, to), for both types
 * (minutes without a row count as 0: out[i].minutes is to - from).
 */
static int window_of(struct store *st, int64_t key_id, int64_t from, int64_t to,
		     struct trail_insights_window out[TRAIL_INSIGHTS_TYPES])
{
	struct sql_stmt *stmt = db_stmt(st, SQL_WINDOW);
	int rc, i;

	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, key_id);
	sql_bind_int64(stmt, 2, from);
	sql_bind_int64(stmt, 3, to);
	rc = db_step(stmt);
	for (i = 0; rc == DB_ROW && i < TRAIL_INSIGHTS_TYPES; i++)
		out[i] = (struct trail_insights_window){
			to > from ? to - from : 0,
			sql_column_double(stmt, 2 * i),
			sql_column_double(stmt, 2 * i + 1)};
	sql_reset(stmt);
	return rc == DB_ROW ? 0 : rc == DB_DONE ? -EIO : rc;
}

/* The values an attribution lists, owned until released. */
struct attribution_values {
	struct trail_insights_count *v;
	size_t n, cap;
};

struct attributions {
	/* [attribute][0: insight, 1: baseline] */
	struct attribution_values lists[TRAIL_INSIGHTS_ATTRIBUTES][2];
};

static void attributions_release(struct attributions *a)
{
	size_t i, j, k;

	for (i = 0; i < TRAIL_INSIGHTS_ATTRIBUTES; i++)
		for (j = 0; j < 2; j++) {
			struct attribution_values *l = &a->lists[i][j];

			for (k = 0; k < l->n; k++)
				free((char *)l->v[k].value);
			free(l->v);
		}
	memset(a, 0, sizeof(*a));
}

/*
 * The counts of each value of attribute over minutes [from, to) of
 * key_id (of calls with an error only, for the error rate) into out.
 */
static int attribution_counts(struct store *st, int64_t key_id, int attribute,
			      int64_t from, int64_t to,
			      enum trail_insights_type type,
			      struct attribution_values *out)
{
	struct sql_stmt *stmt = db_stmt(st, SQL_ATTRIBUTION_COUNTS);
	int rc;

	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, key_id);
	sql_bind_int(stmt, 2, attribute);
	sql_bind_int64(stmt, 3, from);
	sql_bind_int64(stmt, 4, to);
	sql_bind_int(stmt, 5, type == TRAIL_INSIGHTS_ERROR_RATE);
	while ((rc = db_step(stmt)) == DB_ROW) {
		char *value;

		if (out->n == out->cap) {
			size_t cap = out->cap ? out->cap * 2 : 8;
			struct trail_insights_count *v =
				realloc(out->v, cap * sizeof(*v));

			if (!v) {
				rc = -ENOMEM;
				break;
			}
			out->v = v;
			out->cap = cap;
		}
		value = strdup((const char *)sql_column_text(stmt, 0));
		if (!value) {
			rc = -ENOMEM;
			break;
		}
		out->v[out->n++] = (struct trail_insights_count){
			value, sql_column_int64(stmt, 1)};
	}
	sql_reset(stmt);
	return rc < 0 ? rc : 0;
}

/*
 * Fill d's attributions: the top values of each attribute during the
 * insight, minutes [from, to), and over its baseline, the
 * baseline_minutes before from. a owns the values until released.
 */
static int attributions_fill(struct store *st, int64_t key_id, int64_t from,
			     int64_t to, int64_t baseline_minutes,
			     struct trail_insights_details *d,
			     struct attributions *a)
{
	int rc = 0, i;

	for (i = 0; !rc && i < TRAIL_INSIGHTS_ATTRIBUTES; i++) {
		struct trail_insights_attribution *out = &d->attributions[i];

		rc = attribution_counts(st, key_id, i, from, to, d->type,
					&a->lists[i][0]);
		if (!rc)
			rc = attribution_counts(st, key_id, i,
						from - baseline_minutes, from,
						d->type, &a->lists[i][1]);
		if (rc)
			break;
		out->n_insight =
			trail_insights_top(a->lists[i][0].v, a->lists[i][0].n,
					   to - from, out->insight);
		out->n_baseline =
			trail_insights_top(a->lists[i][1].v, a->lists[i][1].n,
					   baseline_minutes, out->baseline);
	}
	return rc;
}

/* Build d's record with shared_id and append it to the trail. Lock held. */
static int record_append(struct store *st,
			 const struct trail_insights_details *d,
			 const char *shared_id, int64_t now_ms)
{
	const struct trail_settings *t = db_trail(st);
	json_t *rec = trail_insights_record(
		d, &(struct trail_insights_envelope){t->region, t->account,
						     shared_id});
	int rc;

	if (!rec)
		return -ENOMEM;
	rc = trail_append_json_locked(st, rec, now_ms);
	json_decref(rec);
	return rc;
}

/* What an open insight keeps for its End. */
struct open_insight {
	char shared_id[37];
	int64_t start_minute;
	double baseline_average;
	int64_t baseline_minutes;
};

/* The insight of type open for key_id: 0, -ENOENT, or -errno. */
static int open_get(struct store *st, int64_t key_id,
		    enum trail_insights_type type, struct open_insight *out)
{
	struct sql_stmt *stmt = db_stmt(st, SQL_OPEN_GET);
	int rc;

	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, key_id);
	sql_bind_int(stmt, 2, (int)type);
	rc = db_step(stmt);
	if (rc == DB_ROW) {
		const char *id = (const char *)sql_column_text(stmt, 0);

		snprintf(out->shared_id, sizeof(out->shared_id), "%s",
			 id ? id : "");
		out->start_minute = sql_column_int64(stmt, 1);
		out->baseline_average = sql_column_double(stmt, 2);
		out->baseline_minutes = sql_column_int64(stmt, 3);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = -ENOENT;
	}
	sql_reset(stmt);
	return rc;
}

/* Start an insight of type for key k at minute. Lock held, tx open. */
static int insight_start(struct store *st, const struct key_minute *k,
			 enum trail_insights_type type, int64_t minute,
			 const struct trail_insights_baseline *b,
			 int64_t now_ms)
{
	struct trail_insights_details d = {
		.end = false,
		.event_source = k->source,
		.event_name = k->name,
		.type = type,
		.baseline_average = b->mean,
		.insight_average = (double)k->count[type],
		.insight_duration = 1,
		.baseline_duration = b->minutes,
	};
	struct attributions a = {0};
	struct sql_stmt *stmt;
	char shared_id[37];
	uuid_t uuid;
	int rc;

	uuid_generate_random(uuid);
	uuid_unparse_lower(uuid, shared_id);
	rc = attributions_fill(st, k->id, minute, minute + 1, b->minutes, &d,
			       &a);
	if (!rc)
		rc = record_append(st, &d, shared_id, now_ms);
	attributions_release(&a);
	if (rc)
		return rc;
	stmt = db_stmt(st, SQL_OPEN_PUT);
	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, k->id);
	sql_bind_int(stmt, 2, (int)type);
	sql_bind_text_copy(stmt, 3, shared_id, -1);
	sql_bind_int64(stmt, 4, minute);
	sql_bind_double(stmt, 5, b->mean);
	sql_bind_int64(stmt, 6, b->minutes);
	return db_exec_stmt(stmt);
}

/*
 * End the insight o of type for key k at minute (the first back at or
 * below the threshold: the insight's minutes are o's start up to it).
 * Lock held, tx open.
 */
static int insight_end(struct store *st, const struct key_minute *k,
		       enum trail_insights_type type,
		       const struct open_insight *o, int64_t minute,
		       int64_t now_ms)
{
	struct trail_insights_window during[TRAIL_INSIGHTS_TYPES];
	struct trail_insights_details d = {
		.end = true,
		.event_source = k->source,
		.event_name = k->name,
		.type = type,
		.baseline_average = o->baseline_average,
		.insight_duration = minute - o->start_minute,
		.baseline_duration = o->baseline_minutes,
	};
	struct attributions a = {0};
	struct sql_stmt *stmt;
	int rc;

	if (d.insight_duration < 1)
		return -EIO; /* an End judged before its Start: a bug */
	rc = window_of(st, k->id, o->start_minute, minute, during);
	if (!rc) {
		d.insight_average =
			during[type].sum / (double)d.insight_duration;
		rc = attributions_fill(st, k->id, o->start_minute, minute,
				       o->baseline_minutes, &d, &a);
	}
	if (!rc)
		rc = record_append(st, &d, o->shared_id, now_ms);
	attributions_release(&a);
	if (rc)
		return rc;
	stmt = db_stmt(st, SQL_OPEN_DELETE);
	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, k->id);
	sql_bind_int(stmt, 2, (int)type);
	return db_exec_stmt(stmt);
}

/* Judge key k at minute, for both types. Lock held, tx open. */
static int judge_key(struct store *st, const struct key_minute *k,
		     int64_t minute, int64_t first_minute, int64_t now_ms)
{
	int64_t window = db_trail(st)->insights_baseline_min;
	int64_t from =
		minute - window > first_minute ? minute - window : first_minute;
	struct trail_insights_window w[TRAIL_INSIGHTS_TYPES];
	int rc, type;

	rc = window_of(st, k->id, from, minute, w);
	for (type = 0; !rc && type < TRAIL_INSIGHTS_TYPES; type++) {
		struct trail_insights_baseline b =
			trail_insights_baseline_of(&w[type]);
		struct open_insight o;

		rc = open_get(st, k->id, (enum trail_insights_type)type, &o);
		if (rc && rc != -ENOENT)
			break;
		switch (trail_insights_judge(rc == 0, k->count[type], &b)) {
		case TRAIL_INSIGHTS_START:
			rc = insight_start(st, k,
					   (enum trail_insights_type)type,
					   minute, &b, now_ms);
			break;
		case TRAIL_INSIGHTS_END:
			rc = insight_end(st, k, (enum trail_insights_type)type,
					 &o, minute, now_ms);
			break;
		default:
			rc = 0;
		}
	}
	return rc;
}

/* Judge every key at minute and mark it judged. Lock held, tx open. */
static int judge_minute(struct store *st, int64_t minute, int64_t first_minute,
			int64_t now_ms)
{
	struct key_list keys = {0};
	struct sql_stmt *stmt;
	size_t i;
	int rc;

	rc = keys_at(st, minute, &keys);
	for (i = 0; !rc && i < keys.n; i++)
		rc = judge_key(st, &keys.v[i], minute, first_minute, now_ms);
	key_list_release(&keys);
	if (rc)
		return rc;
	stmt = db_stmt(st, SQL_STATE_JUDGED);
	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, minute);
	return db_exec_stmt(stmt);
}

/* The single integer a statement selects (NULL as fallback). */
static int select_int(struct store *st, const char *sql, int64_t a, int64_t b,
		      int64_t fallback, int64_t *out)
{
	struct sql_stmt *stmt = db_stmt(st, sql);
	int rc;

	if (!stmt)
		return -EIO;
	if (sql_bind_parameter_count(stmt) >= 1)
		sql_bind_int64(stmt, 1, a);
	if (sql_bind_parameter_count(stmt) >= 2)
		sql_bind_int64(stmt, 2, b);
	rc = db_step(stmt);
	if (rc == DB_ROW) {
		*out = sql_column_is_null(stmt, 0) ? fallback
						   : sql_column_int64(stmt, 0);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = -EIO;
	}
	sql_reset(stmt);
	return rc;
}

/*
 * The next minute to judge before current into *minute, or -ENOENT when
 * none is left (every minute since judged_minute has no calls and no
 * insight is open: those are marked judged at once). Lock held, tx open.
 */
static int next_minute(struct store *st, int64_t current, int64_t *minute,
		       int64_t *first_minute)
{
	struct sql_stmt *stmt;
	int64_t judged, open, counted;
	int rc;

	rc = state_ensure(st, current);
	if (rc)
		return rc;
	stmt = db_stmt(st, SQL_STATE_GET);
	if (!stmt)
		return -EIO;
	rc = db_step(stmt);
	if (rc == DB_ROW) {
		*first_minute = sql_column_int64(stmt, 0);
		judged = sql_column_int64(stmt, 1);
	}
	sql_reset(stmt);
	if (rc != DB_ROW)
		return rc == DB_DONE ? -EIO : rc;
	if (judged + 1 >= current)
		return -ENOENT;
	rc = select_int(st, SQL_OPEN_COUNT, 0, 0, 0, &open);
	if (!rc && open > 0) {
		*minute = judged + 1;
		return 0;
	}
	if (!rc)
		rc = select_int(st, SQL_NEXT_COUNTED, judged, current, -1,
				&counted);
	if (rc)
		return rc;
	if (counted >= 0) {
		*minute = counted;
		return 0;
	}
	stmt = db_stmt(st, SQL_STATE_JUDGED);
	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, current - 1);
	rc = db_exec_stmt(stmt);
	return rc ? rc : -ENOENT;
}

/*
 * Forget the minutes before the baseline window of the next minute to
 * judge (current), but those an open insight's End reads, and keys left
 * with nothing. Lock held, tx open.
 */
static int prune(struct store *st, int64_t current)
{
	int64_t keep = current - db_trail(st)->insights_baseline_min, oldest;
	struct sql_stmt *stmt;
	int rc;

	rc = select_int(st, SQL_OPEN_OLDEST, 0, 0, keep, &oldest);
	if (rc)
		return rc;
	if (oldest < keep)
		keep = oldest;
	stmt = db_stmt(st, SQL_PRUNE_MINUTES);
	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, keep);
	rc = db_exec_stmt(stmt);
	stmt = rc ? NULL : db_stmt(st, SQL_PRUNE_ATTRIBUTIONS);
	if (!rc && !stmt)
		return -EIO;
	if (!rc) {
		sql_bind_int64(stmt, 1, keep);
		rc = db_exec_stmt(stmt);
	}
	stmt = rc ? NULL : db_stmt(st, SQL_PRUNE_KEYS);
	if (!rc && !stmt)
		return -EIO;
	return rc ? rc : db_exec_stmt(stmt);
}

int store_trail_insights_tick(struct store *st, int64_t now_ms)
{
	int64_t current = minute_of(now_ms), minute = 0, first = 0;
	bool on;
	int rc;

	db_lock(st);
	on = db_trail(st)->insights;
	db_unlock(st);
	if (!on)
		return 0;
	/* One transaction per minute: a long catch-up lets others in. */
	for (;;) {
		rc = db_begin(st);
		if (rc)
			return rc;
		rc = next_minute(st, current, &minute, &first);
		if (rc == -ENOENT)
			break;
		if (!rc)
			rc = judge_minute(st, minute, first, now_ms);
		if (rc) {
			db_rollback(st);
			return rc;
		}
		rc = db_commit(st);
		if (rc)
			return rc;
	}
	rc = prune(st, current);
	if (rc) {
		db_rollback(st);
		return rc;
	}
	return db_commit(st);
}
