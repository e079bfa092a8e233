/*
 * audit: the front end's part of the trail — refusals monfs decides
 * before the store is asked (EPERM under trail/, a view opened for
 * writing, a bad view query), and reads when --trail-reads is on. What
 * the store does records itself (store.h).
 */
#ifndef MONFS_FS_AUDIT_H
#define MONFS_FS_AUDIT_H

#include <stdbool.h>

#include "fs/path.h"

/*
 * Record that the file operation op ("Mkdir", "Write", ...) on path was
 * refused with rc and why (message may be NULL), and return rc. ENOENT
 * is not recorded: the kernel answers it itself, and any that reach
 * monfs are races, not decisions.
 */
int audit_refusal(const char *path, const char *op, int rc,
		  const char *message);

/*
 * Record a read of a metric or stream (GetMetricStatistics,
 * GetLogEvents) when --trail-reads is on, or a refused one (rc < 0)
 * always. Returns rc.
 */
int audit_read(const struct fs_path *p, int rc, const char *message);

/*
 * A read of a log group's view (SPEC 16) as op (FilterLogEvents,
 * StartQuery): recorded when refused, or with --trail-data all. Returns
 * rc.
 */
int audit_group_read(const struct fs_path *p, const char *op, int rc,
		     const char *message);

#endif
