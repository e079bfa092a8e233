/*
 * parse: the small grammars users type — values, timestamps, relative
 * times, names and periods (SPEC sections 2, 3 and 8).
 *
 * Every function takes a byte range (not necessarily NUL-terminated),
 * returns 0 or a negative errno, and writes its result only on success.
 * Time is int64 milliseconds since the Unix epoch, UTC, everywhere.
 */
#ifndef MONFS_PARSE_H
#define MONFS_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

#define NAME_MAX_BYTES 255	/* one path component */
#define NAMESPACE_MAX_BYTES 255 /* a whole namespace, '/' included */
#define LOG_GROUP_MAX_BYTES 512 /* a whole log group, '/' included */

/*
 * strtod(3) in the C locale whatever the process locale, so '.' is always
 * the decimal point: the one place monfs reads a double from text. Takes
 * and returns what strtod does (blanks, "nan", hex floats included);
 * callers that must refuse those check first, as parse_value does.
 */
double parse_strtod_c(const char *text, char **end);

/*
 * A metric value: a finite decimal number as strtod reads it in the C
 * locale, without hexadecimal forms. The whole range must be consumed.
 * NaN, infinities, overflow and anything else: -EINVAL.
 */
int parse_value(const char *s, size_t len, double *out);

/*
 * A data point's timestamp: Unix seconds, integer or fractional
 * ("1732400000", "1732400000.25"), or RFC 3339 with 'Z' or a numeric
 * offset ("2026-11-23T12:00:00Z", "2026-11-23T13:00:00.5+01:00").
 * Fractions finer than a millisecond are truncated. Otherwise -EINVAL.
 */
int parse_timestamp(const char *s, size_t len, int64_t *ms_out);

/*
 * A view's since/until value: any parse_timestamp form, "now", or a
 * relative time "-N" with unit s, m, h, d or w ("-15m", "-2d"), counted
 * back from now_ms. Otherwise -EINVAL.
 */
int parse_time_arg(const char *s, size_t len, int64_t now_ms, int64_t *ms_out);

/*
 * One path component (SPEC 2): 1 to 255 bytes of UTF-8 that does not
 * start with '.' and holds no '?' nor control byte (0x00-0x1F, 0x7F).
 * Returns 0, -ENAMETOOLONG when longer than 255 bytes, -EINVAL otherwise
 * (empty, leading '.', '?', control byte, invalid UTF-8).
 */
int parse_name(const char *s, size_t len);

/*
 * The name of a definition file (alarms/, filters/): as parse_name, but
 * it may start with '.', since editors and rsync make their temporary
 * files so (SPEC 2); "." and ".." are not names (-EINVAL).
 */
int parse_definition_name(const char *s, size_t len);

/*
 * parse_name for a name read from a definition: 0, or -EINVAL (too long
 * included) with err saying what is wrong with it.
 */
int parse_name_explained(const char *s, size_t len, struct err *err);

/*
 * A namespace or log group read from a definition: levels separated by
 * '/', each a name, at most max bytes in all. 0 or -EINVAL with err set.
 */
int parse_levels(const char *s, size_t len, size_t max, struct err *err);

/*
 * A `log:GROUP/STREAM` destination (an alarm's log: action, a rule's
 * log: target), s[0..len) starting with "log:": split at the last '/',
 * a leading '/' of the group dropped (SPEC 2), the group's levels and
 * the stream's name checked. *dest, *dest_len: GROUP/STREAM as kept
 * (inside s); *group_len: its group's length, the stream following one
 * '/' after it. 0, or -EINVAL with err quoting s.
 */
int parse_log_destination(const char *s, size_t len, const char **dest,
			  size_t *dest_len, size_t *group_len, struct err *err);

/*
 * A metric as definitions name it, NAMESPACE/NAME, split at the last '/':
 * the namespace as parse_levels takes it (NAMESPACE_MAX_BYTES), the name
 * as parse_name_explained. 0 with *ns_len set (the name is the rest after
 * s[*ns_len], the '/'), or -EINVAL with err saying why.
 */
int parse_metric_path(const char *s, size_t len, size_t *ns_len,
		      struct err *err);

/*
 * A statistics period in seconds (SPEC 3): 1, 5, 10, 20, 30 or any
 * positive multiple of 60 (decimal digits only), at most INT64_MAX / 1000
 * so that it converts to milliseconds. Otherwise -EINVAL.
 */
int parse_period(const char *s, size_t len, int64_t *period_s);

#endif
