/*
 * queue: the data writes acknowledged and waiting for the database, in
 * the order of the backlog (store/queue.c). Internal to store/: data.c
 * fills and drains it, the replay refills it at open, and the readers of
 * a metric's or stream's attributes look into it (data.c says why).
 */
#ifndef MONFS_STORE_QUEUE_H
#define MONFS_STORE_QUEUE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/parse.h"
#include "store/db.h"

/* What waits before the writer that brings more drains it itself. */
#define BATCH_WRITES 512
#define BATCH_POINTS 65536

struct data_session {
	enum data_kind kind;
	int64_t id;
	int64_t pending_id; /* the trail's pending record; 0 until taken */
	uint64_t number;    /* its number in the backlog; 0 until written */
	uint64_t epoch;	    /* the backlog's epoch its record is in */
	uint64_t seen_live; /* db_removals + 1 when its file was seen live */
	unsigned refs;	    /* its open file (until closed), waiting writes */
	bool closed;
	struct caller who;
	char dir[PATH_MAX]; /* a metric's may name dimensions (SPEC 11) */
	char name[NAME_MAX_BYTES + 1];
};

/* One acknowledged write the database has yet to take. */
struct waiting {
	struct data_session *ds;
	uint64_t seq;
	int64_t now_ms;
	int64_t abs;		/* a stream's: where its bytes are */
	int64_t len;		/* its bytes */
	int64_t count;		/* its points or events */
	struct point *points;	/* a metric's: malloc'ed, count of them */
	int64_t pending_before; /* in a drain: ds->pending_id before it */
	bool gathered;		/* in a drain: taken with an earlier one */
	bool closes;		/* not a write: its session's close */
};

/* The writes waiting, in order, and the backlog that keeps them. */
struct data_queue {
	struct backlog *backlog;
	struct waiting *v;
	size_t n, cap;
	size_t points; /* waiting in all of v */
	uint64_t next_seq;
	uint64_t next_session;
	uint64_t epoch; /* one more at each emptying of the backlog */
	bool replaying; /* the backlog is being read: not to be emptied */
	int failed;	/* the last drain's error, 0 when it took everything */
};

/* Room for one more waiting write. 0 or -ENOMEM. */
int queue_reserve(struct data_queue *q);

/* Where the writes waiting for stream_id end, or 0 when none waits. */
int64_t queue_stream_end(const struct data_queue *q, int64_t stream_id);

/*
 * Call add with the points of each write to metric id still waiting, in
 * order; q may be NULL (no queue: none). 0, or what add returned.
 */
int queue_metric_points(const struct data_queue *q, int64_t id,
			int (*add)(void *ctx, const struct point *p, size_t n),
			void *ctx);

/* Drop one reference to ds, freeing it with the last. */
void queue_session_unref(struct data_session *ds);

/*
 * Empty the backlog (nothing waits: the database took it all). The
 * sessions' records go with it: a session still open records itself
 * again before its next write (data_session.epoch). 0 or -errno.
 */
int queue_reset_backlog(struct data_queue *q);

/* Forget every waiting write (the database holds them, or never will). */
void queue_forget(struct data_queue *q);

/*
 * Move *end past the writes to stream_id still waiting, whose bytes are
 * in its segment already. Lock held.
 */
void queue_waiting_end_locked(struct store *st, int64_t stream_id,
			      int64_t *end);

/*
 * The attributes of metric or stream id as the database will hold them
 * once it has taken the writes still waiting: *attr and, for a stream,
 * *end, read from the database, are moved on (mtime, a stream's end).
 * So a stat, a lookup or tail -f's fstat need not wait for a commit.
 * 0, or 1 when it cannot say (a set-id bit that a waiting write drops):
 * then it has had the database take them (or failed to: -errno), and
 * the caller reads the database again. Lock held.
 */
int queue_overlay_locked(struct store *st, enum data_kind kind, int64_t id,
			 struct node_attr *attr, int64_t *end);

#endif
