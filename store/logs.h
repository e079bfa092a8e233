/*
 * logs: a stream's bytes, appended, detached on removal and reaped
 * (store/logs.c). Internal to store/.
 */
#ifndef MONFS_STORE_LOGS_H
#define MONFS_STORE_LOGS_H

#include <stdbool.h>

#include "store/db.h"

/*
 * The first half of an append: check buf's lines (*events counts them)
 * and put its bytes in the stream's segment at *abs, its end: the end
 * of the writes the database has yet to take (waiting_end, 0 for none)
 * or, when later or when ask (the stream not known to be live), the end
 * the database holds. -EMSGSIZE, -ENOENT for a deleted stream, -ENOSPC.
 * Lock held.
 */
int stream_write_locked(struct store *st, int64_t stream_id, const char *buf,
			size_t len, int64_t waiting_end, bool ask, int64_t *abs,
			size_t *events, struct err *err);

/*
 * The second half: index len bytes at abs, the stream's end, ingested at
 * now_ms, and move its end past them. Lock held, transaction open.
 */
int stream_index_locked(struct store *st, int64_t stream_id, int64_t abs,
			size_t len, int64_t now_ms);

/*
 * Both halves at once: append whole lines to a stream; *events counts
 * them. -EMSGSIZE, and -ENOENT for a deleted stream. Lock held,
 * transaction open.
 */
int stream_append_locked(struct store *st, int64_t stream_id, const char *buf,
			 size_t len, int64_t now_ms, size_t *events,
			 struct err *err);

/*
 * Remove stream name of group from it (SPEC 10): the stream leaves the
 * group's lookups, listings and names, refuses appends, but keeps its
 * bytes for the readers holding it; its id in *stream_id. -ENOENT. Lock
 * held, transaction open; after the commit, stream_reap frees the bytes.
 */
int stream_detach_locked(struct store *st, const char *group, const char *name,
			 int64_t now_ms, int64_t *stream_id);

/*
 * Reap a removed stream that no reader holds: its chunks in batches of
 * their own transactions, then its row. A live or held stream is left
 * alone. 0 or -errno; what a failure leaves, the sweep reaps. Lock not
 * held.
 */
int stream_reap(struct store *st, int64_t stream_id);

/*
 * At open (store/logs_recover.c): move an older database's stream bytes
 * into segments, and make every stream's segments agree with its index
 * (cut bytes past its end, or its index back to bytes a power loss
 * took; drop segments before its start and those of streams gone).
 * 0, or -errno with why in err. Lock not held.
 */
int logs_recover(struct store *st, struct err *err);

#endif
