/*
 * Fuzz fs/view.c (SPEC 8): the input, as a NUL-terminated query, for
 * each kind of file. A parsed view must be released cleanly, and its
 * range must not be empty.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fs/view.h"

#define NOW_MS 1795953600000LL /* 2026-11-23T12:00:00Z */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum view_target targets[] = {VIEW_METRIC, VIEW_STREAM,
						   VIEW_ALARM};
	char *query = malloc(size + 1);
	struct err err = {{0}};

	if (!query)
		return 0;
	memcpy(query, data, size);
	query[size] = '\0';
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		struct view v;

		memset(&v, 0, sizeof(v));
		if (view_parse(query, targets[i], NOW_MS, &v, &err) == 0) {
			if (v.nstats > VIEW_STATS_MAX)
				abort();
			view_release(&v);
		}
	}
	free(query);
	return 0;
}
