/*
 * filters: metric filters applied to a stream's new events, inside the
 * transaction that indexes them (store/filters.c). Internal to store/.
 */
#ifndef MONFS_STORE_FILTERS_H
#define MONFS_STORE_FILTERS_H

#include "store/db.h"

/*
 * Apply the metric filters of the stream's group to the events of one
 * write (whole lines at abs, ingested at now_ms), inside the transaction
 * that indexes it. buf holds its len bytes, or is NULL: then they are
 * read from the segment, only when a filter watches the group. Lock
 * held, transaction open. 0 or -errno.
 */
int filters_apply_locked(struct store *st, int64_t stream_id, int64_t abs,
			 const char *buf, size_t len, int64_t now_ms);

#endif
