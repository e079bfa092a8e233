/*
 * stream_bytes: where a log stream's bytes are kept, whichever the
 * engine (store/stream_bytes.c). On sqlite, in segment files beside the
 * database (store/segments.h); on PostgreSQL, whose daemons share no
 * disk, in the database's log_bytes rows, written in the transaction
 * that indexes them. Internal to store/; every call with the lock held.
 *
 * Offsets are absolute (store/logs.c): a byte keeps its offset from the
 * stream's start until retention removes it.
 */
#ifndef MONFS_STORE_STREAM_BYTES_H
#define MONFS_STORE_STREAM_BYTES_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

/*
 * Keep len bytes of stream at abs, replacing whatever was kept at or
 * past abs (the bytes of a write that never returned). 0 or -errno.
 */
int stream_bytes_write(struct store *st, int64_t stream, int64_t abs,
		       const void *buf, size_t len);

/* Read len bytes of stream from abs, all of them: 0, or -EIO. */
int stream_bytes_read(struct store *st, int64_t stream, int64_t abs, void *buf,
		      size_t len);

/* Forget the bytes of stream wholly before start. 0 or -errno. */
int stream_bytes_drop_before(struct store *st, int64_t stream, int64_t start);

/* Forget every byte of stream. 0 or -errno. */
int stream_bytes_remove(struct store *st, int64_t stream);

#endif
