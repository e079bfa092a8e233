/*
 * trail_logs: the trail delivered to a log group (SPEC 14,
 * --trail-log-group), CloudTrail's CloudWatch Logs integration. Internal
 * to store/: the trail reaches it through store_hooks.trail_line.
 */
#ifndef MONFS_STORE_TRAIL_LOGS_H
#define MONFS_STORE_TRAIL_LOGS_H

#include "store/db.h"

/*
 * store_hooks.trail_line: append the record's line to the trail's stream
 * with the group's metric filters applied, inside the record's
 * transaction; not a data event, not emitted (no loop). A stream not
 * made yet, or removed, is skipped until the sweep makes it again.
 * Lock held, transaction open. 0 or -errno (-ENOSPC).
 */
int trail_logs_line_locked(struct store *st, const char *line, size_t len,
			   int64_t now_ms);

#endif
