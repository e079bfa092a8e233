/*
 * Fuzz lib/dimension.c: a metric path read either way (directory or
 * metric), and a series= value. Beyond not misbehaving, an accepted
 * path's canonical spelling must read back to an equal set, itself
 * canonical (SPEC 11: one spelling per set, every listing reads back).
 */
#include <stdint.h>
#include <stdlib.h>

#include "lib/dimension.h"

static void round_trip(const char *s, size_t size,
		       enum dimension_path_kind kind)
{
	struct dimension_path p, again;
	struct strbuf sb = STRBUF_INIT;
	struct err err = {{0}};
	int rc;

	if (dimension_parse_path(s, size, kind, &p, &err))
		return;
	if (kind == DIMENSION_PATH_METRIC)
		rc = dimension_metric_path(&sb, p.ns, p.ns_len, &p.dims, p.name,
					   p.name_len);
	else
		rc = dimension_dir_path(&sb, p.ns, p.ns_len, &p.dims,
					p.dims.count);
	if (rc == 0) {
		if (dimension_parse_path(sb.buf, sb.len, kind, &again, &err))
			abort(); /* a canonical spelling must read back */
		if (!again.canonical ||
		    !dimension_set_equal(&p.dims, &again.dims))
			abort();
		dimension_path_free(&again);
	}
	strbuf_release(&sb);
	dimension_path_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct dimension_selector sel;
	struct err err = {{0}};

	round_trip(s, size, DIMENSION_PATH_DIR);
	round_trip(s, size, DIMENSION_PATH_METRIC);
	if (dimension_selector_parse(s, size, &sel, &err) == 0)
		dimension_selector_free(&sel);
	return 0;
}
