/*
 * data: data writes, waiting in the backlog until the database takes
 * them (store/data.c). Internal to store/; the writes themselves are
 * store.h's store_data_*.
 */
#ifndef MONFS_STORE_DATA_H
#define MONFS_STORE_DATA_H

#include <stdbool.h>
#include <stddef.h>

#include "store/db.h"

struct data_queue;

/* Record types in the backlog (store/data.c writes them, data_replay.c
 * reads them). */
#define RECORD_SESSION 'S'
#define RECORD_METRIC 'M'
#define RECORD_STREAM 'L'

/* A record being built or read: bytes and where the next field goes. */
struct record {
	char *p;
	size_t len, cap;
	bool bad; /* read past the end */
};

/*
 * At open: the backlog beside db_path, and the writes a crash left in it
 * taken into the database; from then on db_lock drains what waits. 0,
 * or -errno with why in err. Before logs_recover, which cuts segment
 * bytes past what the database indexes.
 */
int data_open(struct store *st, const char *db_path, struct err *err);

/*
 * Everything waiting into the database, in one transaction. Lock held.
 * 0 or -errno (nothing taken then; it all still waits, each session's
 * pending record as it was).
 */
int data_drain(struct store *st);
int data_drain_locked(struct store *st, struct data_queue *q);

/*
 * At close: take what waits (what the database refuses stays in the
 * backlog for the next open) and free the queue. Lock not held.
 */
void data_close(struct store *st);

#endif
