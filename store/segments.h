/*
 * segments: the bytes of log streams, in append-only files beside the
 * database (store/segments.c). Internal to store/.
 *
 * A stream's bytes have fixed absolute offsets (store/logs.c). Segment k
 * of stream s is the file FILE.logs/s/k and holds the absolute offsets
 * [k * SEGMENT_BYTES, (k + 1) * SEGMENT_BYTES), each at file offset
 * abs - k * SEGMENT_BYTES: finding a byte is arithmetic, not a lookup.
 * Retention unlinks the segments wholly before a stream's start; a
 * reaped stream's directory goes whole.
 *
 * The database is the truth: a stream's [start, end) is in log_streams,
 * and a write is acknowledged once its bytes are in its segment (in the
 * page cache, where they survive a crash of the daemon) and its index
 * row has committed. Bytes past a stream's end are a write that never
 * returned; segments_extent and segments_trim let the opening store cut
 * them, or cut the index back to bytes a power loss took.
 *
 * Not locked of its own: every call is made with the store's lock held.
 */
#ifndef MONFS_STORE_SEGMENTS_H
#define MONFS_STORE_SEGMENTS_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

/* 64 MiB: retention frees space in steps of this size at most. */
#define SEGMENT_BYTES ((int64_t)64 * 1024 * 1024)

struct segments;

/*
 * The segments of the database at db_path (FILE.logs, made when
 * missing). 0, or -errno with why in err.
 */
int segments_open(const char *db_path, struct segments **out, struct err *err);

/* Close every file; NULL is a no-op. */
void segments_close(struct segments *sg);

/*
 * Store len bytes of stream at absolute offset abs (in the page cache).
 * 0 or -errno (-ENOSPC: the disk is full); on failure some of the bytes
 * may be there, past the stream's end, where nothing reads them.
 */
int segments_write(struct segments *sg, int64_t stream, int64_t abs,
		   const void *buf, size_t len);

/*
 * Read len bytes of stream from absolute offset abs, all of them: 0, or
 * -EIO when a segment is missing or short (the store lost them).
 */
int segments_read(struct segments *sg, int64_t stream, int64_t abs, void *buf,
		  size_t len);

/*
 * Make every byte written since the last call durable (fdatasync of the
 * segments, fsync of the directories that gained one). 0 or -errno.
 */
int segments_sync(struct segments *sg);

/*
 * Unlink the segments of stream that lie wholly before start. 0 or
 * -errno.
 */
int segments_drop_before(struct segments *sg, int64_t stream, int64_t start);

/* Remove every segment of stream, and its directory. 0 or -errno. */
int segments_remove(struct segments *sg, int64_t stream);

/*
 * How far the bytes of stream reach, looking at the segment that should
 * hold end - 1: end when it is whole (or longer), less when a power loss
 * took its tail. -errno when it cannot be read.
 */
int64_t segments_extent(struct segments *sg, int64_t stream, int64_t end);

/* Cut what stream's segments hold past end. 0 or -errno. */
int segments_trim(struct segments *sg, int64_t stream, int64_t end);

/*
 * Call fn for each stream that has a directory of segments; fn returning
 * nonzero stops the walk with that value. 0 or -errno.
 */
int segments_each_stream(struct segments *sg,
			 int (*fn)(void *ctx, int64_t stream), void *ctx);

#endif
