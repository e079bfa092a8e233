/*
 * filters: metric filters applied to a stream's new events, inside the
 * write's transaction (store/filters.c). Internal to store/.
 */
#ifndef MONFS_STORE_FILTERS_H
#define MONFS_STORE_FILTERS_H

#include "store/db.h"

/*
 * Apply the metric filters of the stream's group to the events of one
 * write (whole lines, ingested at now_ms), inside its transaction. Lock
 * held, transaction open. 0 or -errno.
 */
int filters_apply_locked(struct store *st, int64_t stream_id, const char *buf,
			 size_t len, int64_t now_ms);

#endif
