/*
 * alarm_def_dimensions: the dimensions of the metric an alarm watches
 * (SPEC 11), from each place a definition may give them — the dimension
 * components of `metric = NS/Name=Value/NAME`, `dimension = Name=Value`
 * lines, JSON's Dimensions — into one set, and out again for the
 * rendering, the store's series lookup and DescribeAlarms.
 *
 * A struct alarm_def is a plain value (alarm_def_parse memcpy's it), so
 * the set is kept there as its canonical path (d->dimensions, lib/alarm.h)
 * rather than as a struct dimension_set, which owns memory. Each setter
 * reads that path into a set, adds to it (lib/dimension.c refuses a Name
 * given twice, a 31st dimension, a bad Name or Value), and prints it back
 * canonically: so the lines may come in any order and any mix of the
 * forms, and two spellings of one set are one definition, byte for byte.
 * Re-reading the path per setter is quadratic in the at most 30
 * dimensions of a set, which is nothing beside the parse itself.
 */
#include "lib/alarm.h"
#include "lib/alarm_def_impl.h"

#include "lib/dimension.h"
#include "lib/format.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

int alarm_def_dimension_set(const struct alarm_def *d,
			    struct dimension_set *set)
{
	size_t len = strnlen(d->dimensions, sizeof(d->dimensions));
	struct err ignored;

	if (len == 0)
		return 0;
	return dimension_set_add_path(set, d->dimensions, len, &ignored);
}

int alarm_def_series_namespace(const struct alarm_def *d, struct strbuf *out)
{
	size_t ns_len = strnlen(d->ns, sizeof(d->ns));
	size_t dims_len = strnlen(d->dimensions, sizeof(d->dimensions));

	if (strbuf_add(out, d->ns, ns_len))
		return -ENOMEM;
	if (dims_len && (strbuf_add(out, "/", 1) ||
			 strbuf_add(out, d->dimensions, dims_len)))
		return -ENOMEM;
	return 0;
}

/* d's dimensions so far into set (empty); 0, -EINVAL or -ENOMEM. */
static int load(const struct alarm_def *d, struct dimension_set *set,
		struct err *err)
{
	int rc = alarm_def_dimension_set(d, set);

	if (rc == -ENOMEM)
		err_set(err, "out of memory");
	else if (rc)
		err_set(err, "the dimensions kept are not a dimension path");
	return rc;
}

/*
 * set as d's dimensions, printed canonically. A path longer than the
 * field is refused, never cut (it cannot be: see ALARM_DIMENSIONS_MAX_
 * BYTES). 0, -EINVAL or -ENOMEM.
 */
static int keep(struct alarm_def *d, const struct dimension_set *set,
		struct err *err)
{
	struct strbuf path = STRBUF_INIT;
	int rc = dimension_set_path(&path, set, set->count);

	if (rc) {
		err_set(err, "out of memory");
	} else if (path.len > ALARM_DIMENSIONS_MAX_BYTES) {
		err_set(err,
			"the dimensions' canonical path is %zu bytes, more"
			" than %d",
			path.len, ALARM_DIMENSIONS_MAX_BYTES);
		rc = -EINVAL;
	} else {
		memset(d->dimensions, 0, sizeof(d->dimensions));
		if (path.len)
			memcpy(d->dimensions, path.buf, path.len);
	}
	strbuf_release(&path);
	return rc;
}

int alarm_def_add_dimension_parts(struct alarm_def *d, const char *name,
				  size_t name_len, const char *value,
				  size_t value_len, struct err *err)
{
	struct dimension_set set = DIMENSION_SET_INIT;
	int rc = load(d, &set, err);

	if (!rc)
		rc = dimension_set_add(&set, name, name_len, value, value_len,
				       err);
	if (!rc)
		rc = keep(d, &set, err);
	dimension_set_free(&set);
	return rc;
}

/* `dimension = Name=Value`: split at the first '=', the Value as is. */
int alarm_def_add_dimension(struct alarm_def *d, const char *s, size_t len,
			    struct err *err)
{
	const char *eq = memchr(s, '=', len);
	char q[FORMAT_QUOTE_SIZE];

	if (!eq) {
		err_set(err, "\"%s\" is not Name=Value",
			format_quote(q, s, len));
		return -EINVAL;
	}
	return alarm_def_add_dimension_parts(d, s, (size_t)(eq - s), eq + 1,
					     len - (size_t)(eq - s) - 1, err);
}

/*
 * `metric = NS/Name=Value/.../NAME`: the namespace ends before the first
 * component holding '=' (lib/dimension.c's dimension_parse_path, which
 * refuses a namespace level after a dimension, a bad component, a Name
 * twice, more than 30), and its dimensions join those of `dimension =`
 * lines already read.
 */
int alarm_def_set_dimensioned_metric(struct alarm_def *d, const char *s,
				     size_t len, struct err *err)
{
	struct dimension_set set = DIMENSION_SET_INIT;
	struct dimension_path path;
	const struct dimension *dim;
	size_t i;
	int rc;

	rc = dimension_parse_path(s, len, DIMENSION_PATH_METRIC, &path, err);
	if (rc)
		return rc == -ENOMEM ? rc : -EINVAL;
	rc = load(d, &set, err);
	for (i = 0; !rc && i < path.dims.count; i++) {
		dim = &path.dims.dims[i];
		rc = dimension_set_add(&set, dim->name, dim->name_len,
				       dim->value, dim->value_len, err);
	}
	if (!rc)
		rc = keep(d, &set, err);
	if (!rc) {
		/* Bounded by dimension_parse_path: NAMESPACE_MAX_BYTES, a name.
		 */
		assert(path.ns_len < sizeof(d->ns));
		assert(path.name_len < sizeof(d->metric));
		memcpy(d->ns, path.ns, path.ns_len);
		d->ns[path.ns_len] = '\0';
		memcpy(d->metric, path.name, path.name_len);
		d->metric[path.name_len] = '\0';
	}
	dimension_set_free(&set);
	dimension_path_free(&path);
	return rc;
}
