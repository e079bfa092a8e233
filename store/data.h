/*
 * data: data writes, waiting in the backlog until the database takes
 * them (store/data.c). Internal to store/; the writes themselves are
 * store.h's store_data_*.
 */
#ifndef MONFS_STORE_DATA_H
#define MONFS_STORE_DATA_H

#include "store/db.h"

/*
 * At open: the backlog beside db_path, and the writes a crash left in it
 * taken into the database; from then on db_lock drains what waits. 0,
 * or -errno with why in err. Before logs_recover, which cuts segment
 * bytes past what the database indexes.
 */
int data_open(struct store *st, const char *db_path, struct err *err);

/*
 * Everything waiting into the database, in one transaction. Lock held.
 * 0 or -errno (nothing taken then; it all still waits).
 */
int data_drain(struct store *st);

/*
 * The attributes of metric or stream id as the database will hold them
 * once it has taken the writes still waiting: *attr and, for a stream,
 * *end, read from the database, are moved on (mtime, a stream's end).
 * So a stat, a lookup or tail -f's fstat need not wait for a commit.
 * 0, or 1 when it cannot say (a set-id bit that a waiting write drops):
 * then it has taken them (or failed to: -errno), and the caller reads
 * the database again. Lock held.
 */
int data_overlay_locked(struct store *st, enum data_kind kind, int64_t id,
			struct node_attr *attr, int64_t *end);

/*
 * Move *end past the writes to stream_id still waiting, whose bytes are
 * in its segment already. Lock held.
 */
void data_waiting_end_locked(struct store *st, int64_t stream_id, int64_t *end);

/*
 * At close: take what waits (what the database refuses stays in the
 * backlog for the next open) and free the queue. Lock not held.
 */
void data_close(struct store *st);

#endif
