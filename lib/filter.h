/*
 * filter: what a metric filter is (SPEC 7) — its definition, parsed and
 * rendered — and how one log event becomes a data point. Pure logic:
 * store/filters.c keeps filters in the database and applies them at
 * ingest.
 */
#ifndef MONFS_FILTER_H
#define MONFS_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"
#include "lib/parse.h"
#include "lib/pattern.h"
#include "lib/strbuf.h"

#define FILTER_PATTERN_MAX 1024 /* bytes, as CloudWatch allows */
#define FILTER_VALUE_MAX 256
#define FILTER_DIMENSIONS_MAX 3 /* dimension lines, as CloudWatch allows */

/* One `dimension = Name=$field` line (SPEC 11). */
struct filter_dimension {
	char name[NAME_MAX_BYTES + 1];	  /* a dimension name: no '=' */
	char field[FILTER_VALUE_MAX + 1]; /* "$status", "$.service" */
};

struct filter_def {
	char group[LOG_GROUP_MAX_BYTES + 1];  /* no leading '/' */
	char pattern[FILTER_PATTERN_MAX + 1]; /* as written; "" matches all */
	char ns[NAMESPACE_MAX_BYTES + 1];
	char metric[NAME_MAX_BYTES + 1];
	char value[FILTER_VALUE_MAX + 1]; /* "1", "$bytes", "$.latency" */
	bool value_is_number;
	double number; /* when value_is_number */
	bool has_default;
	double default_value;
	/* In the order written; never with has_default. */
	struct filter_dimension dims[FILTER_DIMENSIONS_MAX];
	size_t ndims;
};

/*
 * Parse a definition written to filters/NAME, `key = value` lines as
 * alarms have them (`#` comments, double-quoted values): group (a log
 * group, leading '/' dropped), pattern (CloudWatch's syntax, taken as
 * written: the rest of the line after '=', blanks trimmed, a trailing
 * comment removed; quotes and brackets kept), metric (NAMESPACE/NAME,
 * split at the last '/'), value (a number, $field or $.json.path,
 * default 1), default_value (a number, optional), and up to
 * FILTER_DIMENSIONS_MAX `dimension = Name=$field` lines (a dimension
 * name, each once, and a $field or $.json.path; all of one kind; not
 * with default_value, as CloudWatch refuses). The pattern must compile
 * and each $selector must apply to it. 0, or -EINVAL with err naming
 * the line and key; -ENOMEM.
 */
int filter_def_parse(const char *text, size_t len, struct filter_def *out,
		     struct err *err);

/* The definition in `key = value` form, read back the same by parse. */
int filter_def_render(const struct filter_def *d, struct strbuf *out);

/*
 * The data point an event gives, if it matched p (the compiled pattern
 * of d): 1 and *value, 0 when it did not match, -1 when it matched but
 * its value could not be extracted (a skipped event, SPEC 7).
 */
int filter_apply(const struct filter_def *d, const struct pattern *p,
		 const char *line, size_t len, double *value);

/*
 * The series an event that matched p goes to, when d has dimensions:
 * the canonical dimension path (`A=x/B=y`, SPEC 11) of d's dimensions
 * with the event's fields as values, appended to out (a buffer the
 * caller reuses from event to event: no other allocation). 1 and out;
 * 0 when a field is missing, empty or no valid dimension value (the
 * event adds to no series, out as it was); -ENOMEM.
 */
int filter_series_path(const struct filter_def *d, const struct pattern *p,
		       const char *line, size_t len, struct strbuf *out);

#endif
