/*
 * data_replay: a store's queue of data writes opened and closed
 * (store/data.h). At open, the backlog's records that the database had
 * not taken when the daemon died are decoded and taken, each exactly
 * once (backlog_taken holds the last one taken); at close, what waits
 * is taken, and what the database refuses stays in the backlog for the
 * next open.
 */
#include "store/backlog.h"
#include "store/data.h"
#include "store/queue.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char SQL_TAKEN[] = "SELECT seq FROM backlog_taken WHERE id = 1";

static void get_bytes(struct record *r, void *v, size_t n)
{
	if (r->bad || r->len + n > r->cap) {
		r->bad = true;
		memset(v, 0, n);
		return;
	}
	memcpy(v, r->p + r->len, n);
	r->len += n;
}

static void get_string(struct record *r, char *out, size_t size)
{
	uint16_t n = 0;

	get_bytes(r, &n, sizeof(n));
	if (n >= size) {
		r->bad = true;
		n = 0;
	}
	get_bytes(r, out, n);
	out[n] = '\0';
}

/* What a replay knows: the sessions of the records it has read. */
struct replay {
	struct store *st;
	struct data_queue *q;
	uint64_t taken;
	struct data_session **sessions;
	size_t n, cap;
};

static struct data_session *replayed(struct replay *r, uint64_t number)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->sessions[i]->number == number)
			return r->sessions[i];
	return NULL;
}

static int replay_session(struct replay *r, struct record *rec)
{
	struct data_session *ds, **bigger;
	char kind = 0;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;

		bigger = realloc(r->sessions, cap * sizeof(*bigger));
		if (!bigger)
			return -ENOMEM;
		r->sessions = bigger;
		r->cap = cap;
	}
	ds = calloc(1, sizeof(*ds));
	if (!ds)
		return -ENOMEM;
	get_bytes(rec, &ds->number, 8);
	get_bytes(rec, &kind, 1);
	get_bytes(rec, &ds->id, 8);
	get_bytes(rec, &ds->who.uid, sizeof(ds->who.uid));
	get_bytes(rec, &ds->who.gid, sizeof(ds->who.gid));
	get_bytes(rec, &ds->who.pid, sizeof(ds->who.pid));
	get_string(rec, ds->who.user, sizeof(ds->who.user));
	get_string(rec, ds->who.process, sizeof(ds->who.process));
	get_string(rec, ds->dir, sizeof(ds->dir));
	get_string(rec, ds->name, sizeof(ds->name));
	if (rec->bad) {
		free(ds);
		return -EIO;
	}
	ds->kind = kind == DATA_METRIC ? DATA_METRIC : DATA_STREAM;
	ds->refs = 1; /* the replay's own */
	ds->closed = true;
	r->sessions[r->n++] = ds;
	if (ds->number >= r->q->next_session)
		r->q->next_session = ds->number + 1;
	return 0;
}

static int replay_write(struct replay *r, char type, struct record *rec,
			uint64_t seq)
{
	struct waiting w = {.seq = seq};
	uint64_t number = 0;
	size_t bytes;
	int rc;

	get_bytes(rec, &number, 8);
	get_bytes(rec, &w.now_ms, 8);
	get_bytes(rec, &w.abs, 8);
	get_bytes(rec, &w.len, 8);
	get_bytes(rec, &w.count, 8);
	w.ds = replayed(r, number);
	if (rec->bad || !w.ds || w.count < 0 ||
	    (type == RECORD_METRIC) != (w.ds->kind == DATA_METRIC))
		return -EIO;
	if (type == RECORD_METRIC) {
		bytes = (size_t)w.count * sizeof(*w.points);
		w.points = malloc(bytes ? bytes : 1);
		if (!w.points)
			return -ENOMEM;
		get_bytes(rec, w.points, bytes);
		if (rec->bad) {
			free(w.points);
			return -EIO;
		}
	}
	rc = queue_reserve(r->q);
	if (rc || (r->q->n >= BATCH_WRITES &&
		   (rc = data_drain_locked(r->st, r->q)))) {
		free(w.points);
		return rc;
	}
	w.ds->refs++;
	r->q->v[r->q->n++] = w;
	r->q->points += type == RECORD_METRIC ? (size_t)w.count : 0;
	return 0;
}

/* backlog_replay's fn: one record. */
static int replay_one(void *ctx, uint64_t seq, const void *rec, size_t len)
{
	struct replay *r = ctx;
	struct record in = {.p = (char *)rec, .cap = len};
	char type = 0;

	if (seq >= r->q->next_seq)
		r->q->next_seq = seq + 1;
	get_bytes(&in, &type, 1);
	if (type == RECORD_SESSION)
		return replay_session(r, &in);
	if (seq <= r->taken) /* the database has it */
		return 0;
	if (type == RECORD_METRIC || type == RECORD_STREAM)
		return replay_write(r, type, &in, seq);
	return -EIO;
}

/* The last sequence the database took. Lock held. */
static int taken_seq(struct store *st, uint64_t *out)
{
	struct sql_stmt *stmt = db_stmt(st, SQL_TAKEN);
	int rc;

	if (!stmt)
		return -EIO;
	rc = db_step(stmt);
	if (rc == DB_ROW)
		*out = (uint64_t)sql_column_int64(stmt, 0);
	sql_reset(stmt);
	return rc == DB_ROW ? 0 : rc < 0 ? rc : -EIO;
}

int data_open(struct store *st, const char *db_path, struct err *err)
{
	struct data_queue *q = calloc(1, sizeof(*q));
	struct replay r = {.st = st, .q = q};
	size_t i;
	int rc;

	if (!q)
		return -ENOMEM;
	*db_queue(st) = q;
	q->next_seq = 1;
	q->next_session = 1;
	rc = backlog_open(db_path, &q->backlog, err);
	if (rc)
		return rc;
	db_lock_quiet(st);
	rc = taken_seq(st, &r.taken);
	if (!rc && r.taken >= q->next_seq)
		q->next_seq = r.taken + 1;
	if (!rc) {
		q->replaying = true;
		rc = backlog_replay(q->backlog, replay_one, &r);
		q->replaying = false;
	}
	if (!rc)
		rc = data_drain_locked(st, q);
	if (!rc)
		rc = queue_reset_backlog(q);
	if (rc)
		err_set(err, "cannot take the writes a crash left: %s",
			strerror(-rc));
	for (i = 0; i < r.n; i++)
		queue_session_unref(r.sessions[i]);
	free(r.sessions);
	db_unlock(st);
	if (!rc)
		db_set_drain(st, data_drain);
	return rc;
}

void data_close(struct store *st)
{
	struct data_queue *q = *db_queue(st);

	if (!q)
		return;
	db_lock_quiet(st);
	data_drain_locked(st, q);
	/* What the database refused stays in the backlog for next time. */
	queue_forget(q);
	db_set_drain(st, NULL);
	*db_queue(st) = NULL;
	db_unlock(st);
	backlog_close(q->backlog);
	free(q->v);
	free(q);
}
