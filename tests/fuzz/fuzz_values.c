/*
 * Fuzz the small grammars of lib/parse.c: every parser on the whole
 * input, none may read past it or misbehave (SPEC 2, 3, 8).
 */
#include <stddef.h>
#include <stdint.h>

#include "lib/parse.h"
#include "lib/utf8.h"

#define NOW_MS 1795953600000LL /* 2026-11-23T12:00:00Z */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	double value;
	int64_t ms, period_s;
	struct err err = {{0}};

	(void)parse_value(s, size, &value);
	(void)parse_timestamp(s, size, &ms);
	(void)parse_time_arg(s, size, NOW_MS, &ms);
	(void)parse_name(s, size);
	(void)parse_name_explained(s, size, &err);
	(void)parse_levels(s, size, NAMESPACE_MAX_BYTES, &err);
	(void)parse_period(s, size, &period_s);
	if (size > 0)
		(void)utf8_sequence_length(data, size);
	return 0;
}
