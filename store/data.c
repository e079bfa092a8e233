/*
 * data: the writes of one open file — data points into a metric, events
 * into a stream — and what they do in the database: the rollups or the
 * stream's index, the group's metric filters (SPEC 7), the set-id bits
 * a write drops, and the session's data event in the trail (SPEC 6).
 *
 * A write is judged whole under the store's lock (its lines, its file
 * still there); a stream's bytes go to their segment, and a record of
 * the write to the backlog (store/backlog.h). Then it returns: a crash
 * of the daemon now loses nothing. The database takes what waits in one
 * transaction (data_drain): when BATCH_WRITES writes or BATCH_POINTS
 * points wait, and whenever anything else takes the store's lock
 * (db_lock), so every read, removal or rename sees every write
 * acknowledged before it. Consecutive writes of one session are taken
 * together: their points one ingest, their counts one update of the
 * session's pending trail record.
 *
 * A session is shared by its open file and its waiting writes (refs),
 * and freed by whichever lets go last; the queue of waiting writes is
 * store/queue.c's. The pending record counts what the database has
 * taken; what a crash leaves, the next store_open replays from the
 * backlog (store/data_replay.c) before it finishes the pending records,
 * so no acknowledged write is missing from the data or the trail.
 */
#include "store/backlog.h"
#include "store/buses.h"
#include "store/data.h"
#include "store/db.h"
#include "store/filters.h"
#include "store/logs.h"
#include "store/queue.h"
#include "store/owner.h"
#include "store/rollups.h"
#include "store/trail.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/parse.h"
#include "lib/timeutil.h"

/* The backlog is emptied when a drain finds it past this size. */
#define BACKLOG_RESET_BYTES ((int64_t)4 * 1024 * 1024)

static const char SQL_METRIC_EXISTS[] = "SELECT id FROM metrics WHERE id = ?1";
static const char SQL_TAKEN_SET[] =
	"UPDATE backlog_taken SET seq = ?1 WHERE id = 1";

struct data_session *store_data_open(enum data_kind kind, int64_t id,
				     const char *dir, const char *name,
				     const struct caller *who)
{
	struct data_session *ds = calloc(1, sizeof(*ds));

	if (!ds)
		return NULL;
	ds->kind = kind;
	ds->id = id;
	ds->refs = 1;
	ds->who = *who;
	snprintf(ds->dir, sizeof(ds->dir), "%s", dir);
	snprintf(ds->name, sizeof(ds->name), "%s", name);
	return ds;
}

/* The session's data event: PutMetricData, PutLogEvents or PutEvents. */
static struct trail_event describe(const struct data_session *ds, int64_t count,
				   int64_t bytes)
{
	bool metric = ds->kind == DATA_METRIC;

	if (ds->kind == DATA_BUS)
		return (struct trail_event){
			.source = "events.monfs",
			.name = "PutEvents",
			.who = &ds->who,
			.data = true,
			.params = {TRAIL_STR("eventBusName", ds->name),
				   TRAIL_NUM("entries", count),
				   TRAIL_NUM("bytes", bytes)},
			.nparams = 3,
		};
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

/* ---- taking what waits into the database ---- */

/*
 * Take *v[0..n), writes of one session in their order, in the open
 * transaction. Lock held. 0 or -errno.
 */
static int take(struct store *st, struct waiting **v, size_t n)
{
	struct data_session *ds = v[0]->ds;
	struct point *points = NULL;
	int64_t count = 0, bytes = 0, now = v[n - 1]->now_ms;
	size_t i, at = 0, writes = 0;
	bool closes = false;
	int rc = 0;

	for (i = 0; i < n; i++) {
		count += v[i]->count;
		bytes += v[i]->len;
		writes += !v[i]->closes;
		closes = closes || v[i]->closes;
	}
	/*
	 * A metric removed after its writes is impossible (a removal takes
	 * what waits first), but if it were, its points would go with it.
	 */
	if (ds->kind == DATA_METRIC && count > 0) {
		points = malloc((size_t)count * sizeof(*points));
		if (!points)
			return -ENOMEM;
		for (i = 0; i < n; i++) {
			if (v[i]->count == 0)
				continue;
			memcpy(points + at, v[i]->points,
			       (size_t)v[i]->count * sizeof(*points));
			at += (size_t)v[i]->count;
		}
		rc = rollups_ingest_locked(st, ds->id, points, at, NULL);
		free(points);
		if (rc == -ENOENT)
			return 0;
	}
	for (i = 0; !rc && ds->kind == DATA_STREAM && i < n; i++) {
		if (v[i]->closes)
			continue;
		rc = stream_index_locked(st, ds->id, v[i]->abs,
					 (size_t)v[i]->len, v[i]->now_ms);
		/* Metric filters see the events as they are indexed. */
		if (!rc)
			rc = filters_apply_locked(st, ds->id, v[i]->abs, NULL,
						  (size_t)v[i]->len,
						  v[i]->now_ms);
	}
	/* A write by anyone but root drops set-id bits, as on Linux. */
	if (!rc && writes && ds->who.uid != 0)
		rc = owner_write_drops_locked(st, ds->kind, ds->id, &ds->who,
					      now);
	if (!rc && writes) {
		struct trail_event ev = describe(ds, 0, 0);

		rc = trail_pending_add(st, &ev, &ds->pending_id, count, bytes,
				       now);
	}
	/* Closed: its data event becomes a trail record (SPEC 6). */
	if (!rc && closes && ds->pending_id) {
		rc = trail_pending_close_locked(st, ds->pending_id, now);
		if (!rc)
			ds->pending_id = 0;
	}
	return rc;
}

/*
 * The writes of q to take with q->v[i], in *group: for a metric every
 * later write of its session (points add up in any order), for a stream
 * the writes of its session that follow it at once (a stream's writes
 * are indexed in the order of their bytes, whoever wrote them). Returns
 * their number.
 */
static size_t gather(struct data_queue *q, size_t i, struct waiting **group)
{
	struct data_session *ds = q->v[i].ds;
	size_t n = 0, j;

	group[n++] = &q->v[i];
	for (j = i + 1; j < q->n; j++) {
		if (q->v[j].ds != ds) {
			if (ds->kind == DATA_STREAM)
				break;
			continue;
		}
		q->v[j].gathered = true;
		group[n++] = &q->v[j];
	}
	return n;
}

/* Remember that the database holds every record up to seq. */
static int set_taken(struct store *st, uint64_t seq)
{
	struct sql_stmt *stmt = db_stmt(st, SQL_TAKEN_SET);

	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, (int64_t)seq);
	return db_exec_stmt(stmt);
}

/*
 * Everything waiting into the database, in one transaction. Lock held.
 * 0 or -errno; on failure nothing was taken and everything still waits
 * (each session's pending record as it was).
 */
/*
 * Take everything waiting in the open transaction (begun by the caller
 * when in_tx, else here, and then committed here). 0 or -errno; on
 * failure the transaction is rolled back, nothing was taken and
 * everything still waits (each session's pending record as it was).
 */
static int drain(struct store *st, struct data_queue *q, bool in_tx)
{
	struct waiting **group;
	size_t i;
	int rc;

	if (q->n == 0)
		return in_tx ? db_tx_commit(st) : 0;
	group = malloc(q->n * sizeof(*group));
	if (!group) {
		if (in_tx)
			db_tx_rollback(st);
		return -ENOMEM;
	}
	for (i = 0; i < q->n; i++) {
		/* In the order of the backlog: the last one's is the newest. */
		assert(i == 0 || q->v[i - 1].seq <= q->v[i].seq);
		q->v[i].gathered = false;
		q->v[i].pending_before = q->v[i].ds->pending_id;
	}
	rc = in_tx ? 0 : db_tx_begin(st);
	for (i = 0; !rc && i < q->n; i++)
		if (!q->v[i].gathered)
			rc = take(st, group, gather(q, i, group));
	free(group);
	if (rc) {
		db_tx_rollback(st);
		goto undo;
	}
	rc = set_taken(st, q->v[q->n - 1].seq);
	if (rc)
		db_tx_rollback(st);
	else
		rc = db_tx_commit(st);
	if (rc)
		goto undo;
	queue_forget(q);
	q->failed = 0;
	if (!q->replaying && backlog_size(q->backlog) > BACKLOG_RESET_BYTES)
		queue_reset_backlog(q); /* failing, it only grows */
	return 0;
undo:
	q->failed = rc;
	/* Each session's pending record as it was before the drain. */
	for (i = 0; i < q->n; i++)
		q->v[i].ds->pending_id = q->v[i].pending_before;
	return rc;
}

int data_drain_locked(struct store *st, struct data_queue *q)
{
	return drain(st, q, false);
}

int data_drain(struct store *st)
{
	struct data_queue *q = *db_queue(st);

	return q ? data_drain_locked(st, q) : 0;
}

/* ---- the backlog's records ---- */

static int put_bytes(struct record *r, const void *v, size_t n)
{
	if (r->len + n > r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 256;
		char *bigger;

		while (cap < r->len + n)
			cap *= 2;
		bigger = realloc(r->p, cap);
		if (!bigger)
			return -ENOMEM;
		r->p = bigger;
		r->cap = cap;
	}
	memcpy(r->p + r->len, v, n);
	r->len += n;
	return 0;
}

/* A string as its length (uint16) and bytes. */
static int put_string(struct record *r, const char *s)
{
	uint16_t n = (uint16_t)strlen(s);

	return put_bytes(r, &n, sizeof(n)) || put_bytes(r, s, n) ? -ENOMEM : 0;
}

/* Append r, numbered with the next sequence, to the backlog. */
static int append(struct data_queue *q, struct record *r, uint64_t *seq)
{
	int rc = backlog_append(q->backlog, q->next_seq, r->p, r->len);

	if (!rc)
		*seq = q->next_seq++;
	return rc;
}

/* The session's record, before its first write's. Lock held. */
static int append_session(struct data_queue *q, struct data_session *ds)
{
	struct record r = {0};
	uint64_t seq, number = q->next_session;
	char type = RECORD_SESSION, kind = (char)ds->kind;
	int rc;

	rc = put_bytes(&r, &type, 1) || put_bytes(&r, &number, 8) ||
			     put_bytes(&r, &kind, 1) ||
			     put_bytes(&r, &ds->id, 8) ||
			     put_bytes(&r, &ds->who.uid, sizeof(ds->who.uid)) ||
			     put_bytes(&r, &ds->who.gid, sizeof(ds->who.gid)) ||
			     put_bytes(&r, &ds->who.pid, sizeof(ds->who.pid)) ||
			     put_string(&r, ds->who.user) ||
			     put_string(&r, ds->who.process) ||
			     put_string(&r, ds->dir) || put_string(&r, ds->name)
		     ? -ENOMEM
		     : 0;
	if (!rc)
		rc = append(q, &r, &seq);
	if (!rc) {
		ds->number = number;
		ds->epoch = q->epoch;
		q->next_session++;
	}
	free(r.p);
	return rc;
}

/* A write's record. Lock held. */
static int append_write(struct data_queue *q, const struct waiting *w,
			uint64_t *seq)
{
	struct record r = {0};
	char type = w->ds->kind == DATA_METRIC ? RECORD_METRIC : RECORD_STREAM;
	int rc;

	rc = put_bytes(&r, &type, 1) || put_bytes(&r, &w->ds->number, 8) ||
			     put_bytes(&r, &w->now_ms, 8) ||
			     put_bytes(&r, &w->abs, 8) ||
			     put_bytes(&r, &w->len, 8) ||
			     put_bytes(&r, &w->count, 8)
		     ? -ENOMEM
		     : 0;
	if (!rc && w->points)
		rc = put_bytes(&r, w->points,
			       (size_t)w->count * sizeof(*w->points));
	if (!rc)
		rc = append(q, &r, seq);
	free(r.p);
	return rc;
}

/* ---- writes ---- */

/* Whether metric id is still there: 0, -ENOENT, -errno. Lock held. */
static int metric_live(struct store *st, int64_t id, struct err *err)
{
	struct sql_stmt *stmt = db_stmt(st, SQL_METRIC_EXISTS);
	int64_t found;

	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, id);
	found = db_step_id(stmt);
	if (found == -ENOENT)
		err_set(err, "the metric was deleted while this file was open");
	return found < 0 ? (int)found : 0;
}

/*
 * On PostgreSQL, what put_once queued (in the transaction it began),
 * taken and committed now; rc is put_once's so far. A failure forgets
 * the write, which returns it: it must not commit later. 0 or -errno.
 */
static int commit_now(struct store *st, struct data_queue *q, int rc)
{
	if (!rc)
		rc = drain(st, q, true);
	else if (db_in_transaction(st))
		db_tx_rollback(st);
	if (rc) {
		queue_forget(q);
		q->failed = 0;
	}
	return rc;
}

/*
 * One write, judged and kept: w (its points, if any, owned by it from
 * here) waits, its record in the backlog; on PostgreSQL it is taken
 * into the database at once. Lock not held.
 */
static int put_once(struct store *st, struct data_session *ds, const char *buf,
		    struct waiting *w, struct err *err)
{
	bool shared = db_engine(st) == DB_POSTGRES, queued = false;
	struct data_queue *q;
	size_t events;
	bool live;
	int rc;

	db_lock_quiet(st);
	q = *db_queue(st);
	rc = q ? 0 : -EIO;
	/*
	 * What waits goes in first when there is much of it, or when the
	 * database last refused it (a full disk): a write is acknowledged
	 * only while the database is taking what came before it.
	 */
	if (!rc &&
	    (q->failed || q->n >= BATCH_WRITES || q->points >= BATCH_POINTS))
		rc = data_drain_locked(st, q);
	/*
	 * On PostgreSQL the write commits before it returns, in one
	 * transaction under the fleet's lock: its bytes, where the stream
	 * ends (another daemon may have moved it), its index and its trail.
	 */
	if (!rc && shared)
		rc = db_tx_begin(st);
	/*
	 * Seen live since the last removal: no need to ask the database
	 * (unless another daemon may have removed it).
	 */
	live = !shared && ds->seen_live == db_removals(st) + 1;
	if (!rc && ds->kind == DATA_METRIC) {
		rc = live ? 0 : metric_live(st, ds->id, err);
	} else if (!rc) {
		int64_t end = queue_stream_end(q, ds->id);

		rc = stream_write_locked(st, ds->id, buf, (size_t)w->len, end,
					 !live || end == 0, &w->abs, &events,
					 err);
		w->count = (int64_t)events;
	}
	if (!rc)
		ds->seen_live = db_removals(st) + 1;
	if (!rc)
		rc = queue_reserve(q);
	/* Its record, unless one is in the backlog since it was emptied. */
	if (!rc && (ds->number == 0 || ds->epoch != q->epoch))
		rc = append_session(q, ds);
	if (!rc)
		rc = append_write(q, w, &w->seq);
	if (!rc) {
		ds->refs++;
		q->v[q->n++] = *w;
		q->points += w->ds->kind == DATA_METRIC ? (size_t)w->count : 0;
		queued = true;
	}
	if (shared && q) {
		rc = commit_now(st, q, rc);
		if (rc && queued)
			w->points = NULL; /* the queue freed them */
	}
	if (rc == -ENOSPC && err && !err->msg[0])
		err_set(err, "the database or its disk is full");
	db_unlock(st);
	return rc;
}

int store_data_refused(struct store *st, const struct data_session *ds,
		       size_t len, int rc, const char *message)
{
	struct trail_event ev = describe(ds, 0, (int64_t)len);

	/* A refused write stored nothing: its size, and why. */
	ev.nparams = ds->kind == DATA_BUS ? 1 : 2;
	ev.params[ev.nparams++] = TRAIL_NUM("bytes", (int64_t)len);
	ev.error = rc;
	ev.message = message;
	store_trail_record(st, &ev);
	return rc;
}

int store_data_put(struct store *st, struct data_session *ds, const char *buf,
		   size_t len, int64_t now_ms, struct err *err)
{
	struct waiting w = {.ds = ds, .now_ms = now_ms, .len = (int64_t)len};
	size_t n = 0;
	int rc = 0;

	/* PutEvents commits at once: its events are envelopes, made here. */
	if (ds->kind == DATA_BUS) {
		struct trail_event ev = describe(ds, 0, 0);

		rc = bus_put(st, ds, &ev, buf, len, now_ms, err);
		if (rc == -ENOSPC && db_make_room(st, false) == 0) {
			if (err)
				err->msg[0] = '\0';
			rc = bus_put(st, ds, &ev, buf, len, now_ms, err);
		}
		if (rc)
			store_data_refused(st, ds, len, rc,
					   err ? err->msg : NULL);
		return rc;
	}
	if (ds->kind == DATA_METRIC) {
		rc = metric_parse_lines(buf, len, now_ms, &w.points, &n, err);
		w.count = (int64_t)n;
	}
	if (!rc)
		rc = put_once(st, ds, buf, &w, err);
	/*
	 * The disk full: if the WAL holds pages that the database file has
	 * room for, they go back and the WAL shrinks (store/space.h).
	 */
	if (rc == -ENOSPC && db_make_room(st, false) == 0) {
		if (err)
			err->msg[0] = '\0';
		rc = put_once(st, ds, buf, &w, err);
	}
	if (rc) {
		free(w.points);
		store_data_refused(st, ds, len, rc, err ? err->msg : NULL);
	}
	return rc;
}

int store_data_close(struct store *st, struct data_session *ds)
{
	struct data_queue *q;
	int rc = 0;

	if (!ds)
		return 0;
	db_lock_quiet(st);
	q = *db_queue(st);
	/*
	 * Its close waits with its writes, so that a file opened, written
	 * and closed costs no transaction of its own: the drain that takes
	 * them makes its trail record. With nothing written, or no room to
	 * wait, it is done now.
	 */
	if (q && (ds->number || ds->pending_id) && queue_reserve(q) == 0) {
		q->v[q->n++] = (struct waiting){
			.ds = ds,
			.seq = q->next_seq -
			       1, /* no record: what came before */
			.now_ms = store_now_ms(),
			.closes = true,
		};
		ds->refs++;
		/* On PostgreSQL nothing waits (put_once). */
		if (db_engine(st) == DB_POSTGRES)
			rc = data_drain_locked(st, q);
	} else if (ds->pending_id) {
		rc = q ? data_drain_locked(st, q) : 0;
		if (!rc)
			rc = db_tx_begin(st);
		if (!rc) {
			rc = trail_pending_close_locked(st, ds->pending_id,
							store_now_ms());
			if (rc)
				db_tx_rollback(st);
			else
				rc = db_tx_commit(st);
		}
	}
	ds->closed = true;
	queue_session_unref(ds);
	db_unlock(st);
	return rc;
}

int store_stream_append(struct store *st, int64_t stream_id, const char *buf,
			size_t len, int64_t now_ms, struct err *err)
{
	int64_t abs;
	size_t events;
	int rc = db_begin(st);

	if (rc)
		return rc;
	rc = stream_write_locked(st, stream_id, buf, len, 0, true, &abs,
				 &events, err);
	if (!rc)
		rc = stream_index_locked(st, stream_id, abs, len, now_ms);
	if (!rc)
		rc = filters_apply_locked(st, stream_id, abs, buf, len, now_ms);
	if (rc) {
		db_rollback(st);
		return rc;
	}
	return db_commit(st);
}
