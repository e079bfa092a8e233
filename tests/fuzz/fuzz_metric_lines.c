/*
 * Fuzz metric_parse_lines (SPEC 3): a written buffer of data point lines
 * at a fixed now. Parsed points must lie in the accepted window.
 */
#include <stdint.h>
#include <stdlib.h>

#include "lib/metric_lines.h"

#define NOW_MS 1795953600000LL /* 2026-11-23T12:00:00Z */
#define WINDOW_BEFORE_MS (14LL * 24 * 3600 * 1000)
#define WINDOW_AFTER_MS (2LL * 3600 * 1000)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct point *points = NULL;
	size_t count = 0;
	struct err err = {{0}};

	if (metric_parse_lines((const char *)data, size, NOW_MS, &points,
			       &count, &err) == 0) {
		for (size_t i = 0; i < count; i++)
			if (points[i].ts_ms < NOW_MS - WINDOW_BEFORE_MS ||
			    points[i].ts_ms > NOW_MS + WINDOW_AFTER_MS)
				abort();
	}
	free(points);
	return 0;
}
