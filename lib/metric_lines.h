/*
 * metric_lines: what a write to a metric says (SPEC 3), one data point
 * per line, "VALUE [TIMESTAMP]".
 */
#ifndef MONFS_METRIC_LINES_H
#define MONFS_METRIC_LINES_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "lib/timeutil.h"

/* One data point. */
struct point {
	int64_t ts_ms;
	double value;
};

/* How far back and ahead of now a data point may lie (SPEC 3). */
#define METRIC_PAST_MS (14 * MS_PER_DAY)
#define METRIC_FUTURE_MS (2 * MS_PER_HOUR)

/*
 * Parse the complete lines in buf[0..len) (SPEC 3's "VALUE [TIMESTAMP]",
 * blank lines and a trailing '\r' ignored) into a new malloc'ed array of
 * points (*out, *count; *out NULL when none). Points without a timestamp
 * get now_ms. Any bad line or a timestamp outside [now - 14 d, now + 2 h]
 * fails the whole buffer with -EINVAL, err naming the line ("line 3:
 * \"abc\" is not a number"). -ENOMEM.
 */
int metric_parse_lines(const char *buf, size_t len, int64_t now_ms,
		       struct point **out, size_t *count, struct err *err);

#endif
