/*
 * data: the writes of one open file — data points into a metric, events
 * into a stream, which the group's metric filters see in the same
 * transaction (SPEC 7) — and their data event in the trail (SPEC 6).
 *
 * Each write is one transaction that ingests and also counts itself in
 * the session's pending record, so no acknowledged write can be missing
 * from the trail: the record is finished at close, by the minute tick
 * (store_trail_sweep) or, after a crash, by the next store_open.
 */
#include "store/db.h"
#include "store/filters.h"
#include "store/logs.h"
#include "store/owner.h"
#include "store/rollups.h"
#include "store/trail.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/parse.h"

struct data_session {
	enum data_kind kind;
	int64_t id;
	int64_t pending_id; /* 0 until the first write */
	struct caller who;
	char dir[LOG_GROUP_MAX_BYTES + 1];
	char name[NAME_MAX_BYTES + 1];
};

struct data_session *store_data_open(enum data_kind kind, int64_t id,
				     const char *dir, const char *name,
				     const struct caller *who)
{
	struct data_session *ds = calloc(1, sizeof(*ds));

	if (!ds)
		return NULL;
	ds->kind = kind;
	ds->id = id;
	ds->who = *who;
	snprintf(ds->dir, sizeof(ds->dir), "%s", dir);
	snprintf(ds->name, sizeof(ds->name), "%s", name);
	return ds;
}

/* The session's data event: PutMetricData or PutLogEvents. */
static struct trail_event describe(const struct data_session *ds, int64_t count,
				   int64_t bytes)
{
	bool metric = ds->kind == DATA_METRIC;

	return (struct trail_event){
		.source = metric ? "metrics.monfs" : "logs.monfs",
		.name = metric ? "PutMetricData" : "PutLogEvents",
		.who = &ds->who,
		.data = true,
		.params =
			{
				TRAIL_STR(metric ? "namespace" : "logGroupName",
					  ds->dir),
				TRAIL_STR(metric ? "metricName"
						 : "logStreamName",
					  ds->name),
				TRAIL_NUM(metric ? "datapoints" : "events",
					  count),
				TRAIL_NUM("bytes", bytes),
			},
		.nparams = 4,
	};
}

/* Ingest one write's whole lines; *count gets its points or events. */
static int ingest(struct store *st, struct data_session *ds, const char *buf,
		  size_t len, int64_t now_ms, int64_t *count, struct err *err)
{
	int64_t pending_id = ds->pending_id;
	struct point *points = NULL;
	size_t n = 0;
	int rc;

	if (ds->kind == DATA_METRIC) {
		rc = metric_parse_lines(buf, len, now_ms, &points, &n, err);
		if (rc)
			return rc;
	}
	rc = db_begin(st);
	if (rc)
		goto out;
	if (ds->kind == DATA_METRIC)
		rc = rollups_ingest_locked(st, ds->id, points, n, err);
	else
		rc = stream_append_locked(st, ds->id, buf, len, now_ms, &n,
					  err);
	/* Metric filters see the events in the same transaction (SPEC 7). */
	if (!rc && ds->kind == DATA_STREAM)
		rc = filters_apply_locked(st, ds->id, buf, len, now_ms);
	/* A write by anyone but root drops set-id bits, as on Linux. */
	if (!rc && ds->who.uid != 0)
		rc = owner_write_drops_locked(st, ds->kind, ds->id, &ds->who,
					      now_ms);
	if (!rc) {
		struct trail_event ev = describe(ds, 0, 0);

		rc = trail_pending_add(st, &ev, &ds->pending_id, (int64_t)n,
				       (int64_t)len, now_ms);
	}
	if (rc)
		db_rollback(st);
	else
		rc = db_commit(st);
	/* Rolled back: a pending record made by this write is not there. */
	if (rc)
		ds->pending_id = pending_id;
out:
	free(points);
	*count = (int64_t)n;
	return rc;
}

int store_data_refused(struct store *st, const struct data_session *ds,
		       size_t len, int rc, const char *message)
{
	struct trail_event ev = describe(ds, 0, (int64_t)len);

	/* A refused write stored nothing: its size, and why. */
	ev.nparams = 2;
	ev.params[ev.nparams++] = TRAIL_NUM("bytes", (int64_t)len);
	ev.error = rc;
	ev.message = message;
	store_trail_record(st, &ev);
	return rc;
}

int store_data_put(struct store *st, struct data_session *ds, const char *buf,
		   size_t len, int64_t now_ms, struct err *err)
{
	int64_t count;
	int rc;

	rc = ingest(st, ds, buf, len, now_ms, &count, err);
	/*
	 * The disk full: if the WAL holds pages that the database file has
	 * room for, they go back and the WAL shrinks (store/space.h).
	 */
	if (rc == -ENOSPC && db_make_room(st, false) == 0)
		rc = ingest(st, ds, buf, len, now_ms, &count, err);
	if (rc == -ENOSPC && err && !err->msg[0])
		err_set(err, "the database or its disk is full");
	if (rc)
		store_data_refused(st, ds, len, rc, err ? err->msg : NULL);
	return rc;
}

int store_data_close(struct store *st, struct data_session *ds)
{
	int rc = 0;

	if (!ds)
		return 0;
	if (ds->pending_id)
		rc = trail_pending_close(st, ds->pending_id, store_now_ms());
	free(ds);
	return rc;
}

int store_stream_append(struct store *st, int64_t stream_id, const char *buf,
			size_t len, int64_t now_ms, struct err *err)
{
	size_t events;
	int rc = db_begin(st);

	if (rc)
		return rc;
	rc = stream_append_locked(st, stream_id, buf, len, now_ms, &events,
				  err);
	if (!rc)
		rc = filters_apply_locked(st, stream_id, buf, len, now_ms);
	if (rc) {
		db_rollback(st);
		return rc;
	}
	return db_commit(st);
}
