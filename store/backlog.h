/*
 * backlog: the data writes acknowledged but not yet in the database, in
 * an append-only file beside it (FILE.backlog; store/backlog.c).
 * Internal to store/.
 *
 * A write(2) of data points or log lines returns once its record is in
 * the backlog (copied into a shared mapping of the file, so in the page
 * cache: it survives a crash of the daemon), and
 * the database takes a whole batch of them in one transaction later
 * (store/data.c): one commit for many writes, which is what lets one
 * point per write run at the speed of FUSE. The backlog is a log of
 * opaque records, each framed by its length and a CRC-32, numbered by a
 * sequence the database remembers once it has taken a record; a store
 * that opens replays the records past that number. A torn record at the
 * tail (a crash inside the append) ends the replay: its write never
 * returned.
 *
 * Not locked of its own: every call is made with the store's lock held.
 */
#ifndef MONFS_STORE_BACKLOG_H
#define MONFS_STORE_BACKLOG_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

struct backlog;

/*
 * The backlog beside db_path, made when missing; with db_path NULL, one
 * in memory, for a store whose writes commit before they return
 * (PostgreSQL's, store/data.c). 0 or -errno, err.
 * backlog_replay finds where its records end: call it before the first
 * append.
 */
int backlog_open(const char *db_path, struct backlog **out, struct err *err);

/* Close it; NULL is a no-op. */
void backlog_close(struct backlog *j);

/*
 * Append one record (len bytes) numbered seq. 0 or -errno (-ENOSPC: no
 * room on the disk; nothing that counts was appended).
 */
int backlog_append(struct backlog *j, uint64_t seq, const void *rec,
		   size_t len);

/*
 * Call fn for each whole record in order, up to the first torn one. fn
 * returning nonzero stops with that value. 0 or -errno.
 */
int backlog_replay(struct backlog *j,
		   int (*fn)(void *ctx, uint64_t seq, const void *rec,
			     size_t len),
		   void *ctx);

/* Bytes in the backlog now. */
int64_t backlog_size(const struct backlog *j);

/*
 * Empty the backlog: every record in it is in the database. 0 or
 * -errno.
 */
int backlog_reset(struct backlog *j);

#endif
