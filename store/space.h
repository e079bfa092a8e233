/*
 * space: room on the database's disk for the operations that make room.
 *
 * On a full disk sqlite can commit nothing, not even a DELETE: every
 * transaction is appended to the WAL first. So monfs keeps a reserve, a
 * file of zeros beside the database (FILE.reserve), and gives it up when
 * a removal finds the disk full: the removal then has room to commit,
 * and what it frees is room for the writes after it. The sweep makes
 * the reserve again once the disk has room for it twice over.
 *
 * Internal to store/. Stateless: every function takes the database's
 * path; the reserve's size is a 16th of the disk, at most
 * RESERVE_MAX_BYTES, so that a small disk is not mostly reserve.
 */
#ifndef MONFS_SPACE_H
#define MONFS_SPACE_H

#include <stdint.h>

#define RESERVE_MAX_BYTES (1024 * 1024)

/*
 * Make (or complete) the reserve beside the database at db_path, when
 * the disk has room for it twice over. 0 (made, or already whole),
 * -ENOSPC (not now: no room), -errno.
 */
int space_reserve(const char *db_path);

/*
 * Give the reserve's bytes back to the disk. 0 when it freed some,
 * -ENOENT when there was none.
 */
int space_release(const char *db_path);

/* Bytes free on the database's disk for unprivileged use, or -errno. */
int64_t space_free(const char *db_path);

/* The size the reserve has when whole (0 when statvfs fails). */
int64_t space_reserve_bytes(const char *db_path);

#endif
