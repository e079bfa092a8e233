/*
 * Fuzz lib/event_pattern.c and lib/event_ruler.c: the input's first line
 * is a pattern, the rest an event. Beyond not misbehaving, a pattern
 * that compiles must be matched alike alone and through a ruler (the
 * index may never lose a match or invent one), and removing it must
 * leave the ruler matching nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/event_pattern.h"
#include "lib/event_ruler.h"

static int count(int64_t id, void *arg)
{
	if (id != 1)
		abort();
	++*(int *)arg;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	const char *nl = memchr(s, '\n', size);
	size_t plen = nl ? (size_t)(nl - s) : size;
	struct event_pattern *p, *q;
	struct event_ruler *r;
	struct err err = {{0}};
	json_t *event;
	int calls = 0;

	if (event_pattern_compile(s, plen, &p, &err))
		return 0;
	if (event_pattern_compile(s, plen, &q, &err))
		abort(); /* compiling is deterministic */
	event = nl ? json_loadb(nl + 1, size - plen - 1, JSON_DECODE_ANY, NULL)
		   : NULL;
	r = event_ruler_new();
	if (!r || event_ruler_add(r, 1, p, &err)) {
		event_pattern_free(p); /* out of memory: still ours */
		goto out;
	}
	if (event) {
		if (event_ruler_match(r, event, count, &calls) == 0 &&
		    calls != (event_pattern_match(q, event) ? 1 : 0))
			abort();
		if (event_ruler_remove(r, 1))
			abort();
		calls = 0;
		if (event_ruler_match(r, event, count, &calls) == 0 && calls)
			abort();
	}
out:
	event_ruler_free(r);
	event_pattern_free(q);
	json_decref(event);
	return 0;
}
