/*
 * Fuzz lib/pattern.c (SPEC 4, 7, 8). The input is a pattern, a
 * newline, then an event: compile the one, match the other, and pull
 * values out of it as a metric filter would.
 */
#include <stdint.h>
#include <string.h>

#include "lib/pattern.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *newline = memchr(text, '\n', size);
	size_t text_len = newline ? (size_t)(newline - text) : size;
	const char *event = newline ? newline + 1 : text + size;
	size_t event_len = size - text_len - (newline ? 1 : 0);
	static const char *const selectors[] = {"$.a", "$f", "$1", "$.a[0].b"};
	struct pattern *p = NULL;
	struct err err = {{0}};
	double value;

	if (pattern_compile(text, text_len, &p, &err) != 0)
		return 0;
	/* An event never holds '\n': cut it at the next one. */
	const char *end = memchr(event, '\n', event_len);
	if (end)
		event_len = (size_t)(end - event);
	(void)pattern_match(p, event, event_len);
	for (size_t i = 0; i < sizeof(selectors) / sizeof(selectors[0]); i++) {
		(void)pattern_check_selector(p, selectors[i], &err);
		(void)pattern_value(p, selectors[i], event, event_len, &value);
	}
	pattern_free(p);
	return 0;
}
