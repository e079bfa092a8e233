/* queue: the data writes waiting for the database (store/queue.h). */
#include "store/queue.h"
#include "store/backlog.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "lib/timeutil.h"

void queue_session_unref(struct data_session *ds)
{
	if (--ds->refs == 0)
		free(ds);
}

int queue_reset_backlog(struct data_queue *q)
{
	int rc = backlog_reset(q->backlog);

	if (!rc)
		q->epoch++; /* the sessions' records went with it */
	return rc;
}

int queue_metric_points(const struct data_queue *q, int64_t id,
			int (*add)(void *ctx, const struct point *p, size_t n),
			void *ctx)
{
	size_t i;
	int rc = 0;

	for (i = 0; q && !rc && i < q->n; i++) {
		const struct waiting *w = &q->v[i];

		if (!w->closes && w->points && w->ds->kind == DATA_METRIC &&
		    w->ds->id == id)
			rc = add(ctx, w->points, (size_t)w->count);
	}
	return rc;
}

void queue_forget(struct data_queue *q)
{
	size_t i;

	for (i = 0; i < q->n; i++) {
		free(q->v[i].points);
		queue_session_unref(q->v[i].ds);
	}
	q->n = 0;
	q->points = 0;
}

/* Room for one more waiting write. 0 or -ENOMEM. */
int queue_reserve(struct data_queue *q)
{
	struct waiting *bigger;
	size_t cap;

	if (q->n < q->cap)
		return 0;
	cap = q->cap ? q->cap * 2 : 64;
	bigger = realloc(q->v, cap * sizeof(*bigger));
	if (!bigger)
		return -ENOMEM;
	q->v = bigger;
	q->cap = cap;
	return 0;
}

int64_t queue_stream_end(const struct data_queue *q, int64_t stream_id)
{
	size_t i;

	for (i = q->n; i > 0; i--) {
		const struct waiting *w = &q->v[i - 1];

		if (!w->closes && w->ds->kind == DATA_STREAM &&
		    w->ds->id == stream_id)
			return w->abs + w->len;
	}
	return 0;
}

void queue_waiting_end_locked(struct store *st, int64_t stream_id, int64_t *end)
{
	struct data_queue *q = *db_queue(st);
	int64_t waiting = q ? queue_stream_end(q, stream_id) : 0;

	if (waiting > *end)
		*end = waiting;
}

int queue_overlay_locked(struct store *st, enum data_kind kind, int64_t id,
			 struct node_attr *attr, int64_t *end)
{
	struct data_queue *q = *db_queue(st);
	int64_t last = 0;
	bool drops = false;
	size_t i;
	int rc;

	for (i = 0; q && i < q->n; i++) {
		const struct waiting *w = &q->v[i];

		if (w->closes || w->ds->kind != kind || w->ds->id != id)
			continue;
		last = w->now_ms > last ? w->now_ms : last;
		drops = drops || w->ds->who.uid != 0;
		if (end && w->abs + w->len > *end)
			*end = w->abs + w->len;
	}
	if (!last)
		return 0;
	if (drops && (attr->mode & (S_ISUID | S_ISGID))) {
		rc = db_drain(st);
		return rc ? rc : 1;
	}
	/* As rollups and the index will: a metric's in steps of 1 s. */
	if (kind == DATA_STREAM || last - attr->mtime_ms >= MS_PER_SECOND)
		attr->mtime_ms = last > attr->mtime_ms ? last : attr->mtime_ms;
	return 0;
}
