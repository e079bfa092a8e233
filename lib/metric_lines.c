/* metric_lines: SPEC 3's write format, parsed all or nothing. */
#include "lib/metric_lines.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/format.h"
#include "lib/parse.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Parse one line (no '\n') into *p. 1 stored, 0 blank, or -EINVAL. */
static int parse_line(const char *line, size_t len, int64_t now_ms,
		      unsigned lineno, struct point *p, struct err *err)
{
	const char *field[3];
	size_t flen[3];
	char q[FORMAT_QUOTE_SIZE];
	int nfields = 0;
	size_t i = 0;

	if (len && line[len - 1] == '\r')
		len--;
	while (i < len) {
		size_t start;

		while (i < len && is_blank(line[i]))
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && !is_blank(line[i]))
			i++;
		if (nfields == 2) {
			err_set(err,
				"line %u: expected VALUE [TIMESTAMP], "
				"found more than two fields",
				lineno);
			return -EINVAL;
		}
		field[nfields] = line + start;
		flen[nfields] = i - start;
		nfields++;
	}
	if (nfields == 0)
		return 0;
	if (parse_value(field[0], flen[0], &p->value)) {
		err_set(err, "line %u: \"%s\" is not a number", lineno,
			format_quote(q, field[0], flen[0]));
		return -EINVAL;
	}
	p->ts_ms = now_ms;
	if (nfields == 1)
		return 1;
	if (parse_timestamp(field[1], flen[1], &p->ts_ms)) {
		err_set(err, "line %u: \"%s\" is not a timestamp", lineno,
			format_quote(q, field[1], flen[1]));
		return -EINVAL;
	}
	if (p->ts_ms < now_ms - METRIC_PAST_MS) {
		err_set(err,
			"line %u: timestamp \"%s\" is more than 14 days "
			"old",
			lineno, format_quote(q, field[1], flen[1]));
		return -EINVAL;
	}
	if (p->ts_ms > now_ms + METRIC_FUTURE_MS) {
		err_set(err,
			"line %u: timestamp \"%s\" is more than 2 hours "
			"ahead",
			lineno, format_quote(q, field[1], flen[1]));
		return -EINVAL;
	}
	return 1;
}

int metric_parse_lines(const char *buf, size_t len, int64_t now_ms,
		       struct point **out, size_t *count, struct err *err)
{
	struct point *points = NULL;
	size_t n = 0, cap = 0, pos = 0;
	unsigned lineno = 0;
	int rc;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len;
		struct point p;

		lineno++;
		rc = parse_line(buf + pos, end - pos, now_ms, lineno, &p, err);
		if (rc < 0)
			goto fail;
		if (rc == 1) {
			if (n == cap) {
				size_t ncap = cap ? cap * 2 : 64;
				struct point *np =
					realloc(points, ncap * sizeof(*np));

				if (!np) {
					rc = -ENOMEM;
					goto fail;
				}
				points = np;
				cap = ncap;
			}
			points[n++] = p;
		}
		pos = end + 1;
	}
	*out = points;
	*count = n;
	return 0;
fail:
	free(points);
	return rc;
}
