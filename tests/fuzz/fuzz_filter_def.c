/*
 * Fuzz filter_def_parse (SPEC 7). A definition that parses must render
 * to text that parses back to the very same struct.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/filter.h"

static struct filter_def first, second;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err err = {{0}};
	struct strbuf text = {0};

	memset(&first, 0, sizeof(first));
	if (filter_def_parse((const char *)data, size, &first, &err) != 0)
		return 0;
	if (filter_def_render(&first, &text) != 0)
		abort();
	memset(&second, 0xa5, sizeof(second));
	if (filter_def_parse(text.buf, text.len, &second, &err) != 0) {
		fprintf(stderr, "rendering does not parse: %s\n%s", err.msg,
			text.buf);
		abort();
	}
	if (memcmp(&first, &second, sizeof(first)) != 0) {
		fprintf(stderr, "rendering parses differently:\n%s", text.buf);
		abort();
	}
	strbuf_release(&text);
	return 0;
}
