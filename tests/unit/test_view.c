/*
 * Unit tests for fs/view.c: the query after '?' in a view path (SPEC 8)
 * — keys, values, percent-decoding, and the defaults of each kind.
 */
#include "fs/view.h"
#include "lib/timeutil.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

/* 2023-11-14T22:13:20.123Z: not on a minute, so rounding shows. */
#define NOW_MS 1700000000123LL

static struct view v;
static struct err err;

static int parse(const char *query, enum view_target target)
{
	memset(&err, 0, sizeof(err));
	return view_parse(query, target, NOW_MS, &v, &err);
}

static void release(void)
{
	view_release(&v);
}

TestSuite(view, .fini = release);

Test(view, a_metric_without_query_is_the_last_hour_by_minute)
{
	cr_assert_eq(parse(NULL, VIEW_METRIC), 0);
	cr_assert_eq(v.period_s, 60);
	cr_assert_eq(v.until_ms, NOW_MS);
	cr_assert_eq(v.since_ms,
		     (NOW_MS - MS_PER_HOUR) / MS_PER_MINUTE * MS_PER_MINUTE);
	cr_assert_eq(v.nstats, 8);
	cr_assert_not(v.stats_given);
	cr_assert_not(v.json);
}

Test(view, an_empty_query_is_the_default_view)
{
	cr_assert_eq(parse("", VIEW_METRIC), 0);
	cr_assert_eq(v.until_ms, NOW_MS);
}

Test(view, a_stream_without_query_is_every_event)
{
	cr_assert_eq(parse(NULL, VIEW_STREAM), 0);
	cr_assert_eq(v.since_ms, INT64_MIN);
	cr_assert_eq(v.until_ms, INT64_MAX);
	cr_assert_null(v.filter);
}

Test(view, relative_times_count_back_from_now)
{
	cr_assert_eq(parse("since=-2d&until=-15m", VIEW_STREAM), 0);
	cr_assert_eq(v.since_ms, NOW_MS - 48 * MS_PER_HOUR);
	cr_assert_eq(v.until_ms, NOW_MS - 15 * MS_PER_MINUTE);
}

Test(view, now_is_a_time)
{
	cr_assert_eq(parse("until=now", VIEW_STREAM), 0);
	cr_assert_eq(v.until_ms, NOW_MS);
}

Test(view, a_metric_since_is_rounded_down_to_its_period)
{
	cr_assert_eq(parse("period=300&since=-15m", VIEW_METRIC), 0);
	cr_assert_eq(v.period_s, 300);
	cr_assert_eq(v.since_ms, (NOW_MS - 15 * MS_PER_MINUTE) /
					 (5 * MS_PER_MINUTE) *
					 (5 * MS_PER_MINUTE));
}

Test(view, percent_encoded_values_are_decoded)
{
	/* 2023-11-14T22:00:00Z with its colons encoded, upper and lower. */
	cr_assert_eq(parse("since=2023-11-14T22%3A00%3a00Z", VIEW_STREAM), 0);
	cr_assert_eq(v.since_ms, NOW_MS - 13 * MS_PER_MINUTE - 20123);
}

Test(view, a_percent_encoded_filter_is_compiled)
{
	cr_assert_eq(parse("filter=%22disk%20full%22", VIEW_STREAM), 0);
	cr_assert_not_null(v.filter);
}

Test(view, a_bad_percent_escape_is_einval)
{
	cr_assert_eq(parse("since=%zz", VIEW_STREAM), -EINVAL);
	cr_assert(strstr(err.msg, "percent"), "%s", err.msg);
	cr_assert_eq(parse("since=-1h%4", VIEW_STREAM), -EINVAL);
}

Test(view, a_percent_encoded_nul_is_einval)
{
	cr_assert_eq(parse("filter=a%00b", VIEW_STREAM), -EINVAL);
}

Test(view, an_unknown_key_is_einval_and_named)
{
	cr_assert_eq(parse("colour=red", VIEW_METRIC), -EINVAL);
	cr_assert(strstr(err.msg, "colour"), "%s", err.msg);
}

Test(view, a_key_of_another_kind_is_einval)
{
	cr_assert_eq(parse("filter=ERROR", VIEW_METRIC), -EINVAL);
	cr_assert_eq(parse("period=60", VIEW_STREAM), -EINVAL);
	cr_assert_eq(parse("since=-1h", VIEW_ALARM), -EINVAL);
}

Test(view, a_repeated_key_is_einval)
{
	cr_assert_eq(parse("period=60&period=300", VIEW_METRIC), -EINVAL);
	cr_assert(strstr(err.msg, "twice"), "%s", err.msg);
}

Test(view, a_key_without_a_value_is_einval)
{
	cr_assert_eq(parse("format", VIEW_METRIC), -EINVAL);
}

Test(view, an_empty_pair_is_einval)
{
	cr_assert_eq(parse("period=60&", VIEW_METRIC), -EINVAL);
	cr_assert_eq(parse("&period=60", VIEW_METRIC), -EINVAL);
}

Test(view, a_bad_value_is_einval_and_named)
{
	cr_assert_eq(parse("period=7", VIEW_METRIC), -EINVAL);
	cr_assert(strstr(err.msg, "period"), "%s", err.msg);
	cr_assert_eq(parse("format=xml", VIEW_METRIC), -EINVAL);
	cr_assert_eq(parse("since=yesterday", VIEW_STREAM), -EINVAL);
	cr_assert_eq(parse("stat=p99,median", VIEW_METRIC), -EINVAL);
	cr_assert_eq(parse("view=current", VIEW_ALARM), -EINVAL);
}

Test(view, since_not_before_until_is_einval)
{
	cr_assert_eq(parse("since=-1h&until=-2h", VIEW_STREAM), -EINVAL);
	cr_assert(strstr(err.msg, "since"), "%s", err.msg);
	cr_assert_eq(parse("since=-1h&until=-1h", VIEW_METRIC), -EINVAL);
}

Test(view, a_metric_since_after_the_default_until_is_einval)
{
	/* until defaults to now: a since in the future leaves no range. */
	cr_assert_eq(parse("since=2030-01-01T00%3A00%3A00Z", VIEW_METRIC),
		     -EINVAL);
}

Test(view, stat_and_format_are_taken)
{
	cr_assert_eq(parse("stat=p99,maximum&format=json", VIEW_METRIC), 0);
	cr_assert(v.stats_given);
	cr_assert_eq(v.nstats, 2);
	cr_assert(v.json);
}

Test(view, an_alarm_history_view_is_taken)
{
	cr_assert_eq(parse("view=history&format=text", VIEW_ALARM), 0);
	cr_assert(v.history);
	cr_assert_not(v.json);
}

Test(view, series_selects_by_dimension_names_and_merge_needs_it)
{
	cr_assert_eq(parse("series=Role,Host&merge=true", VIEW_METRIC), 0, "%s",
		     err.msg);
	cr_assert(v.series_given);
	cr_assert(v.merge);
	cr_assert_eq(v.series.count, 2);
	cr_assert_str_eq(v.series.names[0], "Host"); /* sorted */
	cr_assert_str_eq(v.series.names[1], "Role");
	release();
	cr_assert_eq(parse("series=%2A", VIEW_METRIC), 0, "%s", err.msg);
	cr_assert(v.series.all);
	cr_assert_not(v.merge);
	release();
	cr_assert_eq(parse("merge=true", VIEW_METRIC), -EINVAL);
	cr_assert_eq(parse("series=Host&merge=yes", VIEW_METRIC), -EINVAL);
	cr_assert_eq(parse("series=Host,Host", VIEW_METRIC), -EINVAL);
	cr_assert_eq(parse("series=", VIEW_METRIC), -EINVAL);
	cr_assert_eq(parse("series=Host", VIEW_STREAM), -EINVAL);
}
