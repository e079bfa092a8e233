/*
 * dashboard_time: a dashboard's start and end as CloudWatch writes them,
 * and the range they make at a given now.
 *
 * A relative time is a negative ISO 8601 duration, "-P" then parts in
 * the order Y M W D, then "T" and H M S, each part an unsigned integer
 * and its unit letter, at most once and at least one in all ("-PT3H",
 * "-P1DT12H", "-PT0H" is now). A year counts 365 days and a month 30
 * days (CloudWatch's console writes neither, but a body may). Without
 * the '-' a duration would be in the future: refused, as CloudWatch
 * does. An absolute time is lib/parse.h's RFC 3339 form (a date, 'T', a
 * time and a zone), never Unix seconds, which CloudWatch does not read.
 */
#include "lib/dashboard_impl.h"

#include "lib/parse.h"
#include "lib/timeutil.h"

#include <errno.h>
#include <string.h>

static int64_t part_ms(char unit, bool in_time)
{
	if (in_time) {
		switch (unit) {
		case 'H':
			return MS_PER_HOUR;
		case 'M':
			return MS_PER_MINUTE;
		case 'S':
			return MS_PER_SECOND;
		}
		return 0;
	}
	switch (unit) {
	case 'Y':
		return 365 * MS_PER_DAY;
	case 'M':
		return 30 * MS_PER_DAY;
	case 'W':
		return MS_PER_WEEK;
	case 'D':
		return MS_PER_DAY;
	}
	return 0;
}

/* The rank of a unit in its order, so that parts come in it, once. */
static int part_rank(char unit, bool in_time)
{
	static const char date_order[] = "YMWD", time_order[] = "HMS";
	const char *order = in_time ? time_order : date_order;
	const char *at = strchr(order, unit);

	return at && unit ? (int)(at - order) + (in_time ? 4 : 0) : -1;
}

/* s[0..len) after "-P": the duration's parts, summed into *ms. */
static int parse_duration(const char *s, size_t len, int64_t *ms,
			  const char **why)
{
	size_t pos = 0;
	bool in_time = false, any = false, time_part = false;
	int last_rank = -1, rank;
	int64_t total = 0, n, unit;

	while (pos < len) {
		if (s[pos] == 'T' && !in_time) {
			in_time = true;
			pos++;
			continue;
		}
		if (s[pos] < '0' || s[pos] > '9') {
			*why = "a part is a number and its unit";
			return -EINVAL;
		}
		for (n = 0; pos < len && s[pos] >= '0' && s[pos] <= '9';
		     pos++) {
			if (n > (INT64_MAX - 9) / 10) {
				*why = "too long";
				return -EINVAL;
			}
			n = n * 10 + (s[pos] - '0');
		}
		if (pos < len && (s[pos] == '.' || s[pos] == ',')) {
			*why = "a part is a whole number";
			return -EINVAL;
		}
		unit = pos < len ? part_ms(s[pos], in_time) : 0;
		if (!unit) {
			*why = in_time ? "the units after T are H, M and S"
				       : "the units before T are Y, M, W and D";
			return -EINVAL;
		}
		rank = part_rank(s[pos], in_time);
		if (rank <= last_rank) {
			*why = "the parts go in the order Y M W D T H M S, "
			       "each once";
			return -EINVAL;
		}
		last_rank = rank;
		if (n > INT64_MAX / unit || total > INT64_MAX - n * unit) {
			*why = "too long";
			return -EINVAL;
		}
		total += n * unit;
		any = true;
		time_part |= in_time;
		pos++;
	}
	if (!any || (in_time && !time_part)) {
		*why = in_time ? "a T is followed by a part" : "it has no part";
		return -EINVAL;
	}
	*ms = total;
	return 0;
}

int dash_time_parse_why(const char *s, size_t len, struct dash_time *out,
			const char **why)
{
	int64_t ms;

	if (len >= 2 && s[0] == '-' && s[1] == 'P') {
		if (parse_duration(s + 2, len - 2, &ms, why))
			return -EINVAL;
		out->relative = true;
		out->ms = -ms;
		return 0;
	}
	if (len >= 1 && s[0] == 'P') {
		*why = "a duration is negative, counted back from now: -P...";
		return -EINVAL;
	}
	/* parse_timestamp's test for a date; Unix seconds are not one. */
	if (len > 4 && s[4] == '-' && parse_timestamp(s, len, &ms) == 0) {
		out->relative = false;
		out->ms = ms;
		return 0;
	}
	*why = "it is neither a negative ISO 8601 duration (-PT3H) nor an"
	       " ISO 8601 time (2026-12-06T10:00:00Z)";
	return -EINVAL;
}

int dashboard_time_parse(const char *s, struct dash_time *out)
{
	const char *why;

	return dash_time_parse_why(s, strlen(s), out, &why);
}

/* t at now_ms, or -EINVAL when it falls outside int64. */
static int resolve(const struct dash_time *t, int64_t now_ms, int64_t *ms)
{
	if (!t->relative) {
		*ms = t->ms;
		return 0;
	}
	if (t->ms < 0 && now_ms < INT64_MIN - t->ms)
		return -EINVAL;
	*ms = now_ms + t->ms;
	return 0;
}

int dashboard_range(const struct dashboard *d, int64_t now_ms,
		    int64_t *start_ms, int64_t *end_ms)
{
	int64_t start, end;

	if (resolve(&d->start, now_ms, &start) ||
	    resolve(&d->end, now_ms, &end) || start >= end)
		return -EINVAL;
	*start_ms = start;
	*end_ms = end;
	return 0;
}
