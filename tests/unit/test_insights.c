/*
 * Unit tests for lib/insights: CloudWatch Logs Insights queries — every
 * command and function against results worked out by hand from the
 * events fed, JSON fields discovered, parse's globs and regexes, the
 * defaults (order, columns, limit), the queries refused and where, and
 * the text and JSON renderings.
 */
#include "lib/insights.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 INT64_C(1796551200000) /* 2026-12-06 10:00:00.000 UTC */
#define SEC INT64_C(1000)
#define MIN (60 * SEC)

struct line {
	int64_t ts;
	const char *message;
	const char *stream;
};

/* Six events over ten minutes, the fifth on a 5-minute boundary. */
static const struct line APP[] = {
	{T0, "INFO start user=alice", "web-1"},
	{T0 + 1 * MIN, "ERROR disk full user=bob", "web-2"},
	{T0 + 2 * MIN,
	 "{\"level\":\"error\",\"req\":{\"ms\":120,\"path\":\"/a\"},"
	 "\"tags\":[\"x\",\"y\"],\"user\":\"alice\"}",
	 "web-1"},
	{T0 + 4 * MIN + 59 * SEC,
	 "{\"level\":\"info\",\"req\":{\"ms\":30,\"path\":\"/b\"},"
	 "\"user\":\"bob\"}",
	 "web-2"},
	{T0 + 5 * MIN,
	 "{\"level\":\"error\",\"req\":{\"ms\":250,\"path\":\"/a\"},"
	 "\"user\":\"carol\"}",
	 "web-1"},
	{T0 + 10 * MIN + 1 * SEC, "WARN slow user=alice", "web-3"},
};
#define NAPP (sizeof(APP) / sizeof(APP[0]))

static struct insights_query *parse_ok(const char *text)
{
	struct insights_query *q = NULL;
	struct err err = {""};
	int rc = insights_parse(text, strlen(text), &q, &err);

	cr_assert_eq(rc, 0, "query '%s' refused: %s", text, err.msg);
	cr_assert_not_null(q);
	return q;
}

static void feed(struct insights_run *r, int64_t ts, const char *message,
		 const char *stream)
{
	struct insights_event ev = {
		.timestamp_ms = ts,
		.ingestion_ms = ts + 500,
		.message = message,
		.len = strlen(message),
		.log_stream = stream,
		.log_group = "app",
	};

	cr_assert_eq(insights_run_feed(r, &ev), 0);
}

/* Run text over lines[0..n) into *res. */
static void run_lines(const char *text, const struct line *lines, size_t n,
		      struct insights_result *res)
{
	struct insights_query *q = parse_ok(text);
	struct insights_run *r = insights_run_new(q);
	size_t i;

	cr_assert_not_null(r);
	for (i = 0; i < n; i++)
		feed(r, lines[i].ts, lines[i].message,
		     lines[i].stream ? lines[i].stream : "s");
	cr_assert_eq(insights_run_finish(r, res), 0);
	insights_run_free(r);
	insights_query_free(q);
}

static void run_app(const char *text, struct insights_result *res)
{
	run_lines(text, APP, NAPP, res);
}

static size_t column(const struct insights_result *res, const char *name)
{
	size_t j;

	for (j = 0; j < res->ncolumns; j++)
		if (strcmp(res->columns[j], name) == 0)
			return j;
	cr_assert_fail("no column '%s'", name);
	return 0;
}

/* The cell of row i in the named column (NULL: no value). */
static const char *cell(const struct insights_result *res, size_t i,
			const char *name)
{
	cr_assert_lt(i, res->nrows, "row %zu of %zu", i, res->nrows);
	return res->cells[i * res->ncolumns + column(res, name)];
}

static void expect_cell(const struct insights_result *res, size_t i,
			const char *name, const char *want)
{
	const char *got = cell(res, i, name);

	if (!want)
		cr_expect_null(got, "row %zu %s: want no value, got '%s'", i,
			       name, got);
	else
		cr_expect(got && strcmp(got, want) == 0,
			  "row %zu %s: want '%s', got '%s'", i, name, want,
			  got ? got : "(none)");
}

/* The column name's cells, top to bottom, joined by ','. */
static char *column_text(const struct insights_result *res, const char *name)
{
	static char buf[4096];
	size_t i, at = 0;

	buf[0] = '\0';
	for (i = 0; i < res->nrows; i++) {
		const char *c = cell(res, i, name);

		at += (size_t)snprintf(buf + at, sizeof(buf) - at, "%s%s",
				       i ? "," : "", c ? c : "-");
	}
	return buf;
}

static void expect_column(const char *query, const char *name, const char *want)
{
	struct insights_result res;

	run_app(query, &res);
	cr_expect_str_eq(column_text(&res, name), want, "%s", query);
	insights_result_free(&res);
}

/* The query is refused with a message that contains needle. */
static void expect_refused(const char *text, const char *needle)
{
	struct insights_query *q = (struct insights_query *)0x1;
	struct err err = {""};
	int rc = insights_parse(text, strlen(text), &q, &err);

	cr_expect_eq(rc, -EINVAL, "'%s' should be refused", text);
	cr_expect_eq(q, (struct insights_query *)0x1,
		     "a refused query wrote its result");
	cr_expect(strstr(err.msg, needle) != NULL,
		  "refusing '%s' said \"%s\", which lacks \"%s\"", text,
		  err.msg, needle);
}

/* ---- defaults ---- */

Test(insights, default_columns_are_timestamp_and_message)
{
	struct insights_result res;

	run_app("", &res);
	cr_assert_eq(res.ncolumns, 2);
	cr_expect_str_eq(res.columns[0], "@timestamp");
	cr_expect_str_eq(res.columns[1], "@message");
	cr_expect_eq(res.nrows, NAPP);
	insights_result_free(&res);
}

Test(insights, default_order_is_newest_first)
{
	struct insights_result res;

	run_app("fields @message", &res);
	expect_cell(&res, 0, "@message", "WARN slow user=alice");
	expect_cell(&res, NAPP - 1, "@message", "INFO start user=alice");
	insights_result_free(&res);
}

Test(insights, timestamp_is_rendered_as_insights_does)
{
	struct insights_result res;

	run_app("fields @timestamp | limit 1", &res);
	expect_cell(&res, 0, "@timestamp", "2026-12-06 10:10:01.000");
	insights_result_free(&res);
}

Test(insights, default_limit_is_ten_thousand_newest_rows)
{
	struct insights_query *q = parse_ok("fields @timestamp");
	struct insights_run *r = insights_run_new(q);
	struct insights_result res;
	int i;

	for (i = 0; i < 10050; i++)
		feed(r, T0 + i, "x", "s");
	cr_assert_eq(insights_run_finish(r, &res), 0);
	cr_expect_eq(res.nrows, 10000);
	expect_cell(&res, 0, "@timestamp", "2026-12-06 10:00:10.049");
	expect_cell(&res, 9999, "@timestamp", "2026-12-06 10:00:00.050");
	cr_expect_eq(res.records_scanned, 10050);
	cr_expect_eq(res.records_matched, 10050);
	insights_result_free(&res);
	insights_run_free(r);
	insights_query_free(q);
}

Test(insights, a_query_runs_twice_with_the_same_result)
{
	struct insights_query *q = parse_ok("stats count(*) as n");
	struct insights_result a, b;
	int k;

	for (k = 0; k < 2; k++) {
		struct insights_run *r = insights_run_new(q);

		feed(r, T0, "one", "s");
		feed(r, T0 + 1, "two", "s");
		cr_assert_eq(insights_run_finish(r, k ? &b : &a), 0);
		insights_run_free(r);
	}
	cr_expect_str_eq(cell(&a, 0, "n"), "2");
	cr_expect_str_eq(cell(&b, 0, "n"), "2");
	insights_result_free(&a);
	insights_result_free(&b);
	insights_query_free(q);
}

/* ---- fields ---- */

Test(insights, fields_choose_the_columns_in_order)
{
	struct insights_result res;

	run_app("fields @logStream, @message", &res);
	cr_assert_eq(res.ncolumns, 2);
	cr_expect_str_eq(res.columns[0], "@logStream");
	cr_expect_str_eq(res.columns[1], "@message");
	expect_cell(&res, 0, "@logStream", "web-3");
	insights_result_free(&res);
}

Test(insights, fields_compute_expressions_with_aliases)
{
	expect_column("fields strlen(@message) as len | limit 2", "len",
		      "20,61");
}

Test(insights, fields_without_alias_are_named_as_written)
{
	struct insights_result res;

	run_app("fields toupper(user) | limit 1", &res);
	cr_expect_str_eq(res.columns[0], "toupper(user)");
	insights_result_free(&res);
}

Test(insights, columns_of_several_fields_commands_add_up)
{
	struct insights_result res;

	run_app("fields level | filter ispresent(level) | fields user, level",
		&res);
	cr_assert_eq(res.ncolumns, 2);
	cr_expect_str_eq(res.columns[0], "level");
	cr_expect_str_eq(res.columns[1], "user");
	insights_result_free(&res);
}

Test(insights, log_stream_log_and_ingestion_time_are_fields)
{
	struct insights_result res;

	run_app("fields @logStream, @log, @ingestionTime | limit 1", &res);
	expect_cell(&res, 0, "@logStream", "web-3");
	expect_cell(&res, 0, "@log", "app");
	expect_cell(&res, 0, "@ingestionTime", "2026-12-06 10:10:01.500");
	insights_result_free(&res);
}

/* ---- JSON discovery ---- */

Test(insights, json_members_are_fields)
{
	expect_column("fields level", "level", "-,error,info,error,-,-");
}

Test(insights, nested_json_members_are_flattened_with_dots)
{
	expect_column("fields req.ms, req.path | filter ispresent(req.ms)",
		      "req.path", "/a,/b,/a");
	expect_column("fields req.ms | filter ispresent(req.ms)", "req.ms",
		      "250,30,120");
}

Test(insights, json_arrays_are_flattened_by_index)
{
	expect_column("fields tags.0, tags.1 | filter ispresent(tags.0)",
		      "tags.1", "y");
}

Test(insights, json_numbers_render_as_numbers)
{
	static const struct line lines[] = {
		{T0,
		 "{\"a\":0.1,\"b\":1e21,\"c\":-0,\"d\":true,\"e\":null,"
		 "\"f\":{\"g\":[1,2]}}",
		 NULL},
	};
	struct insights_result res;

	run_lines("fields a, b, c, d, e, f", lines, 1, &res);
	expect_cell(&res, 0, "a", "0.1");
	expect_cell(&res, 0, "b", "1e+21");
	expect_cell(&res, 0, "c", "0");
	expect_cell(&res, 0, "d", "true");
	expect_cell(&res, 0, "e", NULL);
	expect_cell(&res, 0, "f", "{\"g\":[1,2]}");
	insights_result_free(&res);
}

Test(insights, a_key_with_a_dot_is_found_as_it_is)
{
	static const struct line lines[] = {
		{T0, "{\"a.b\":\"flat\",\"a\":{\"c\":\"deep\"}}", NULL},
	};
	struct insights_result res;

	run_lines("fields `a.b`, a.c", lines, 1, &res);
	expect_cell(&res, 0, "a.b", "flat");
	expect_cell(&res, 0, "a.c", "deep");
	insights_result_free(&res);
}

Test(insights, backquoted_names_take_any_bytes)
{
	static const struct line lines[] = {
		{T0, "{\"x-request id\":\"r1\"}", NULL},
	};
	struct insights_result res;

	run_lines("fields `x-request id` as id", lines, 1, &res);
	expect_cell(&res, 0, "id", "r1");
	insights_result_free(&res);
}

Test(insights, a_message_that_is_not_json_has_no_json_fields)
{
	expect_column("fields user | filter @message like 'INFO'", "user", "-");
}

/* ---- filter ---- */

Test(insights, filter_like_a_string_finds_a_substring)
{
	expect_column("filter @message like 'user=alice' | fields @logStream",
		      "@logStream", "web-3,web-1");
}

Test(insights, filter_like_a_regex)
{
	expect_column("filter @message like /^(ERROR|WARN) / | fields "
		      "@logStream",
		      "@logStream", "web-3,web-2");
}

Test(insights, filter_not_like)
{
	expect_column("filter @message not like /[{]/ | fields @logStream",
		      "@logStream", "web-3,web-2,web-1");
}

Test(insights, filter_match_operator_takes_a_regex)
{
	expect_column("filter @message =~ /disk (full|empty)/ | fields "
		      "@logStream",
		      "@logStream", "web-2");
}

Test(insights, regex_with_i_flag_ignores_case)
{
	expect_column("filter @message like /(?i)warn/ | fields @logStream",
		      "@logStream", "web-3");
}

Test(insights, filter_compares_json_numbers_as_numbers)
{
	expect_column("filter req.ms > 100 | fields req.ms", "req.ms",
		      "250,120");
	expect_column("filter req.ms <= 120 | fields req.ms", "req.ms",
		      "30,120");
	expect_column("filter req.ms != 30 and ispresent(req.ms) | fields "
		      "req.ms",
		      "req.ms", "250,120");
}

Test(insights, filter_compares_text)
{
	expect_column("filter level = 'error' | fields user", "user",
		      "carol,alice");
	expect_column("filter user >= 'bob' | fields user", "user",
		      "carol,bob");
}

Test(insights, filter_and_or_not_and_parentheses)
{
	expect_column("filter (level = 'error' or level = 'info') and not "
		      "user = 'alice' | fields user",
		      "user", "carol,bob");
	expect_column("filter level = 'info' or level = 'error' and "
		      "req.ms > 200 | fields user",
		      "user", "carol,bob");
}

Test(insights, filter_in_and_not_in)
{
	expect_column("filter user in ['bob', 'carol'] | fields user", "user",
		      "carol,bob");
	expect_column("filter req.ms not in [30, 250] | fields req.ms",
		      "req.ms", "120");
}

Test(insights, filter_on_a_missing_field_drops_the_event)
{
	struct insights_result res;

	run_app("filter level != 'error'", &res);
	cr_expect_eq(res.nrows, 1);
	cr_expect_eq(res.records_matched, 1);
	cr_expect_eq(res.records_scanned, NAPP);
	insights_result_free(&res);
}

Test(insights, several_filters_all_apply)
{
	expect_column("filter ispresent(level) | filter req.path = '/a' | "
		      "fields user",
		      "user", "carol,alice");
}

/* ---- arithmetic ---- */

Test(insights, arithmetic_follows_precedence)
{
	expect_column("fields req.ms * 2 + 1 as x, (req.ms + 10) / 4 as y, "
		      "req.ms % 7 as z, -req.ms as w | filter req.ms = 30",
		      "x", "61");
	expect_column("fields (req.ms + 10) / 4 as y | filter req.ms = 30", "y",
		      "10");
	expect_column("fields req.ms % 7 as z | filter req.ms = 30", "z", "2");
	expect_column("fields -req.ms as w | filter req.ms = 30", "w", "-30");
}

Test(insights, division_by_zero_has_no_value)
{
	expect_column("fields req.ms / 0 as x | filter req.ms = 30", "x", "-");
}

Test(insights, arithmetic_on_text_is_null_not_an_error)
{
	expect_column("fields user * 2 as x | filter user = 'bob' and "
		      "ispresent(level)",
		      "x", "-");
}

/* ---- functions ---- */

Test(insights, text_functions)
{
	static const struct line lines[] = {
		{T0, "{\"s\":\"  Hello World  \",\"t\":\"abcabc\"}", NULL},
	};
	struct insights_result res;

	run_lines("fields tolower(s) as lo, toupper(t) as up, trim(s) as tr, "
		  "ltrim(s) as lt, rtrim(s) as rt, concat(t, '-', 1) as c, "
		  "substr(t, 1, 3) as sub, substr(t, 4) as tail, "
		  "replace(t, 'b', 'XY') as rep, strcontains(t, 'ca') as has, "
		  "strcontains(t, 'zz') as hasnt, strlen(s) as len",
		  lines, 1, &res);
	expect_cell(&res, 0, "lo", "  hello world  ");
	expect_cell(&res, 0, "up", "ABCABC");
	expect_cell(&res, 0, "tr", "Hello World");
	expect_cell(&res, 0, "lt", "Hello World  ");
	expect_cell(&res, 0, "rt", "  Hello World");
	expect_cell(&res, 0, "c", "abcabc-1");
	expect_cell(&res, 0, "sub", "bca");
	expect_cell(&res, 0, "tail", "bc");
	expect_cell(&res, 0, "rep", "aXYcaXYc");
	expect_cell(&res, 0, "has", "1");
	expect_cell(&res, 0, "hasnt", "0");
	expect_cell(&res, 0, "len", "15");
	insights_result_free(&res);
}

Test(insights, strlen_counts_characters_not_bytes)
{
	static const struct line lines[] = {{T0, "h\xc3\xa9llo", NULL}};
	struct insights_result res;

	run_lines("fields strlen(@message) as n", lines, 1, &res);
	expect_cell(&res, 0, "n", "5");
	insights_result_free(&res);
}

Test(insights, number_functions)
{
	static const struct line lines[] = {{T0, "{\"v\":-2.5,\"w\":9}", NULL}};
	struct insights_result res;

	run_lines("fields abs(v) as a, ceil(v) as c, floor(v) as f, "
		  "sqrt(w) as s, pow(w, 2) as p, greatest(v, w, 3) as g, "
		  "least(v, w) as l, log(w) > 2 as big",
		  lines, 1, &res);
	expect_cell(&res, 0, "a", "2.5");
	expect_cell(&res, 0, "c", "-2");
	expect_cell(&res, 0, "f", "-3");
	expect_cell(&res, 0, "s", "3");
	expect_cell(&res, 0, "p", "81");
	expect_cell(&res, 0, "g", "9");
	expect_cell(&res, 0, "l", "-2.5");
	expect_cell(&res, 0, "big", "1");
	insights_result_free(&res);
}

Test(insights, presence_functions)
{
	static const struct line lines[] = {
		{T0, "{\"e\":\"\",\"b\":\"  \",\"v\":\"x\"}", NULL}};
	struct insights_result res;

	run_lines("fields ispresent(v) as p1, ispresent(nope) as p2, "
		  "isempty(e) as e1, isempty(nope) as e2, isempty(b) as e3, "
		  "isblank(b) as b1, coalesce(nope, e, v) as c1, "
		  "coalesce(nope, v) as c2",
		  lines, 1, &res);
	expect_cell(&res, 0, "p1", "1");
	expect_cell(&res, 0, "p2", "0");
	expect_cell(&res, 0, "e1", "1");
	expect_cell(&res, 0, "e2", "1");
	expect_cell(&res, 0, "e3", "0");
	expect_cell(&res, 0, "b1", "1");
	expect_cell(&res, 0, "c1", "");
	expect_cell(&res, 0, "c2", "x");
	insights_result_free(&res);
}

Test(insights, datefloor_and_dateceil_and_millis)
{
	static const struct line lines[] = {
		{T0 + 7 * MIN + 30 * SEC, "x", NULL}};
	struct insights_result res;

	run_lines("fields datefloor(@timestamp, 5m) as f, "
		  "dateceil(@timestamp, 5m) as c, toMillis(@timestamp) as ms, "
		  "fromMillis(1796551200000) as t",
		  lines, 1, &res);
	expect_cell(&res, 0, "f", "2026-12-06 10:05:00.000");
	expect_cell(&res, 0, "c", "2026-12-06 10:10:00.000");
	expect_cell(&res, 0, "ms", "1796551650000");
	expect_cell(&res, 0, "t", "2026-12-06 10:00:00.000");
	insights_result_free(&res);
}

Test(insights, calendar_bins_start_at_month_quarter_and_year)
{
	static const struct line lines[] = {{T0, "x", NULL}};
	struct insights_result res;

	run_lines("fields bin(1mo) as mo, bin(1q) as q, bin(1y) as y, "
		  "bin(1w) as w, bin(1d) as d, bin(1h) as h, bin(2mo) as mo2",
		  lines, 1, &res);
	expect_cell(&res, 0, "mo", "2026-12-01 00:00:00.000");
	expect_cell(&res, 0, "q", "2026-10-01 00:00:00.000");
	expect_cell(&res, 0, "y", "2026-01-01 00:00:00.000");
	/* weeks from the epoch, a Thursday: 2026-12-03 is one */
	expect_cell(&res, 0, "w", "2026-12-03 00:00:00.000");
	expect_cell(&res, 0, "d", "2026-12-06 00:00:00.000");
	expect_cell(&res, 0, "h", "2026-12-06 10:00:00.000");
	expect_cell(&res, 0, "mo2", "2026-11-01 00:00:00.000");
	insights_result_free(&res);
}

/* ---- stats ---- */

Test(insights, stats_count_star_counts_events)
{
	struct insights_result res;

	run_app("stats count(*)", &res);
	cr_assert_eq(res.ncolumns, 1);
	cr_expect_str_eq(res.columns[0], "count(*)");
	expect_cell(&res, 0, "count(*)", "6");
	insights_result_free(&res);
}

Test(insights, stats_count_of_a_field_counts_its_values)
{
	expect_column("stats count(level) as n", "n", "3");
	expect_column("stats count() as n", "n", "6");
}

Test(insights, stats_sum_avg_min_max_by_a_field)
{
	struct insights_result res;

	run_app("filter ispresent(level) | stats sum(req.ms) as s, "
		"avg(req.ms) as a, min(req.ms) as lo, max(req.ms) as hi, "
		"count(*) as n by level",
		&res);
	cr_assert_eq(res.nrows, 2);
	cr_expect_str_eq(res.columns[0], "level");
	/* first seen order: error, then info */
	expect_cell(&res, 0, "level", "error");
	expect_cell(&res, 0, "s", "370");
	expect_cell(&res, 0, "a", "185");
	expect_cell(&res, 0, "lo", "120");
	expect_cell(&res, 0, "hi", "250");
	expect_cell(&res, 0, "n", "2");
	expect_cell(&res, 1, "level", "info");
	expect_cell(&res, 1, "s", "30");
	insights_result_free(&res);
}

Test(insights, stats_groups_events_without_the_field_together)
{
	expect_column("stats count(*) as n by level", "n", "3,2,1");
	expect_column("stats count(*) as n by level", "level", "-,error,info");
}

Test(insights, stats_of_no_values_has_no_value)
{
	expect_column("stats sum(nope) as s, avg(nope) as a, count(nope) as n",
		      "s", "-");
	expect_column("stats sum(nope) as s, count(nope) as n", "n", "0");
}

/* Feed 1..n as {"v": i}, run query, the cell col of row 0. */
static void expect_pct(size_t n, const char *query, const char *want)
{
	struct insights_query *q = parse_ok(query);
	struct insights_run *r = insights_run_new(q);
	struct insights_result res;
	char msg[64];
	size_t i;

	/* fed out of order: the percentile must sort them */
	for (i = 0; i < n; i++) {
		snprintf(msg, sizeof(msg), "{\"v\":%zu}", (i * 7) % n + 1);
		feed(r, T0 + (int64_t)i, msg, "s");
	}
	cr_assert_eq(insights_run_finish(r, &res), 0);
	expect_cell(&res, 0, "p", want);
	insights_result_free(&res);
	insights_run_free(r);
	insights_query_free(q);
}

Test(insights, pct_is_the_nearest_rank_over_the_exact_values)
{
	expect_pct(100, "stats pct(v, 99) as p", "99");
	expect_pct(100, "stats pct(v, 50) as p", "50");
	expect_pct(100, "stats pct(v, 99.5) as p", "100");
	expect_pct(4, "stats pct(v, 50) as p", "2");
	expect_pct(4, "stats pct(v, 51) as p", "3");
	expect_pct(4, "stats pct(v, 0) as p", "1");
	expect_pct(4, "stats pct(v, 100) as p", "4");
	expect_pct(1, "stats percentile(v, 90) as p", "1");
}

Test(insights, stats_by_bin_floors_to_five_minutes)
{
	struct insights_result res;

	run_app("stats count(*) as n by bin(5m)", &res);
	cr_assert_eq(res.nrows, 3);
	cr_expect_str_eq(res.columns[0], "bin(5m)");
	expect_cell(&res, 0, "bin(5m)", "2026-12-06 10:00:00.000");
	expect_cell(&res, 0, "n", "4"); /* 10:04:59 is still in it */
	expect_cell(&res, 1, "bin(5m)", "2026-12-06 10:05:00.000");
	expect_cell(&res, 1, "n", "1");
	expect_cell(&res, 2, "bin(5m)", "2026-12-06 10:10:00.000");
	expect_cell(&res, 2, "n", "1");
	insights_result_free(&res);
}

Test(insights, stats_by_bin_and_a_field_come_by_bin_ascending)
{
	struct insights_result res;

	run_app("filter ispresent(level) | stats avg(req.ms) as a by level, "
		"bin(5m) as t",
		&res);
	cr_assert_eq(res.nrows, 3);
	expect_cell(&res, 0, "level", "error");
	expect_cell(&res, 0, "a", "120");
	expect_cell(&res, 1, "level", "info");
	expect_cell(&res, 2, "level", "error");
	expect_cell(&res, 2, "t", "2026-12-06 10:05:00.000");
	insights_result_free(&res);
}

Test(insights, stats_by_bin_of_an_hour_and_a_day)
{
	expect_column("stats count(*) as n by bin(1h)", "n", "6");
	expect_column("stats count(*) as n by bin(1d) as day", "day",
		      "2026-12-06 00:00:00.000");
}

Test(insights, count_distinct_counts_each_value_once)
{
	expect_column("parse @message 'user=*' as u | stats "
		      "count_distinct(coalesce(u, user)) as n",
		      "n", "3");
}

Test(insights, earliest_and_latest_follow_the_timestamps)
{
	struct insights_result res;

	run_app("stats earliest(user) as first, latest(user) as last, "
		"min(@timestamp) as t0, max(@timestamp) as t1",
		&res);
	expect_cell(&res, 0, "first", "alice");
	expect_cell(&res, 0, "last", "carol");
	expect_cell(&res, 0, "t0", "2026-12-06 10:00:00.000");
	expect_cell(&res, 0, "t1", "2026-12-06 10:10:01.000");
	insights_result_free(&res);
}

Test(insights, stats_expressions_combine_aggregates)
{
	expect_column("stats sum(req.ms) / count(req.ms) as mean, "
		      "count(*) - count(level) as plain",
		      "mean", "133.33333333333334");
	expect_column("stats count(*) - count(level) as plain", "plain", "3");
}

Test(insights, stddev_is_the_sample_standard_deviation)
{
	static const struct line lines[] = {
		{T0, "{\"v\":2}", NULL},     {T0 + 1, "{\"v\":4}", NULL},
		{T0 + 2, "{\"v\":4}", NULL}, {T0 + 3, "{\"v\":4}", NULL},
		{T0 + 4, "{\"v\":5}", NULL}, {T0 + 5, "{\"v\":5}", NULL},
		{T0 + 6, "{\"v\":7}", NULL}, {T0 + 7, "{\"v\":9}", NULL},
	};
	struct insights_result res;

	/* the mean is 5, the squares of the deviations sum to 32 */
	run_lines("stats stddev(v) as x", lines, 8, &res);
	cr_expect(fabs(strtod(cell(&res, 0, "x"), NULL) - sqrt(32.0 / 7)) <
			  1e-12,
		  "got %s", cell(&res, 0, "x"));
	insights_result_free(&res);
}

Test(insights, sort_after_stats_orders_the_groups)
{
	expect_column("stats count(*) as n by @logStream | sort n desc, "
		      "@logStream asc",
		      "@logStream", "web-1,web-2,web-3");
	expect_column("stats count(*) as n by @logStream | sort n asc | "
		      "limit 1",
		      "@logStream", "web-3");
}

Test(insights, filter_and_fields_after_stats_work_on_the_groups)
{
	expect_column("stats count(*) as n by @logStream | filter n > 1 | "
		      "fields n * 10 as tens",
		      "tens", "30,20");
}

Test(insights, display_after_stats_picks_columns)
{
	struct insights_result res;

	run_app("stats count(*) as n, sum(req.ms) as s by level | display s",
		&res);
	cr_assert_eq(res.ncolumns, 1);
	cr_expect_str_eq(column_text(&res, "s"), "-,370,30");
	insights_result_free(&res);
}

/* ---- sort, limit, dedup, display ---- */

Test(insights, sort_orders_numbers)
{
	expect_column("filter ispresent(req.ms) | sort req.ms asc | fields "
		      "req.ms",
		      "req.ms", "30,120,250");
	expect_column("filter ispresent(req.ms) | sort req.ms desc | fields "
		      "req.ms",
		      "req.ms", "250,120,30");
}

Test(insights, sort_without_direction_is_ascending)
{
	expect_column("filter ispresent(req.ms) | sort req.ms | fields req.ms",
		      "req.ms", "30,120,250");
}

Test(insights, sort_by_several_keys)
{
	expect_column("filter ispresent(level) | sort level asc, req.ms desc "
		      "| fields req.ms",
		      "req.ms", "250,120,30");
}

Test(insights, sort_is_natural_with_text_before_numbers)
{
	static const struct line lines[] = {
		{T0, "{\"k\":\"a10\"}", NULL},
		{T0 + 1, "{\"k\":\"a2\"}", NULL},
		{T0 + 2, "{\"k\":\"7\"}", NULL},
		{T0 + 3, "{\"k\":\"B\"}", NULL},
		{T0 + 4, "{\"k\":10}", NULL},
		{T0 + 5, "{}", NULL},
	};
	struct insights_result res;

	run_lines("sort k asc | fields k", lines, 6, &res);
	cr_expect_str_eq(column_text(&res, "k"), "B,a2,a10,7,10,-");
	insights_result_free(&res);
	run_lines("sort k desc | fields k", lines, 6, &res);
	cr_expect_str_eq(column_text(&res, "k"), "10,7,a10,a2,B,-");
	insights_result_free(&res);
}

Test(insights, sort_keeps_ties_in_their_order)
{
	expect_column(
		"sort @logStream | fields @message", "@message",
		"{\"level\":\"error\",\"req\":{\"ms\":250,\"path\":"
		"\"/a\"},\"user\":\"carol\"},{\"level\":\"error\",\"req\":"
		"{\"ms\":120,\"path\":\"/a\"},\"tags\":[\"x\",\"y\"],"
		"\"user\":\"alice\"},INFO start user=alice,{\"level\":"
		"\"info\",\"req\":{\"ms\":30,\"path\":\"/b\"},\"user\":"
		"\"bob\"},ERROR disk full user=bob,WARN slow user=alice");
}

Test(insights, limit_keeps_the_first_rows_in_order)
{
	expect_column("limit 2 | fields @logStream", "@logStream",
		      "web-3,web-1");
}

Test(insights, limit_over_many_events_keeps_the_newest)
{
	struct insights_query *q = parse_ok("fields @message | limit 3");
	struct insights_run *r = insights_run_new(q);
	struct insights_result res;
	char msg[32];
	int i;

	for (i = 0; i < 200000; i++) {
		snprintf(msg, sizeof(msg), "m%d", i);
		feed(r, T0 + i, msg, "s");
	}
	cr_assert_eq(insights_run_finish(r, &res), 0);
	cr_expect_str_eq(column_text(&res, "@message"),
			 "m199999,m199998,m199997");
	insights_result_free(&res);
	insights_run_free(r);
	insights_query_free(q);
}

Test(insights, sort_then_limit_over_many_events_is_a_top_n)
{
	struct insights_query *q =
		parse_ok("fields v | sort v desc | limit 4 | display v");
	struct insights_run *r = insights_run_new(q);
	struct insights_result res;
	char msg[32];
	int i;

	/* v cycles 0..9999 with 7919 as the step: each value 10 times */
	for (i = 0; i < 100000; i++) {
		snprintf(msg, sizeof(msg), "{\"v\":%d}", (i * 7919) % 10000);
		feed(r, T0 + i, msg, "s");
	}
	cr_assert_eq(insights_run_finish(r, &res), 0);
	cr_expect_str_eq(column_text(&res, "v"), "9999,9999,9999,9999");
	insights_result_free(&res);
	insights_run_free(r);
	insights_query_free(q);
}

Test(insights, sort_over_many_events_keeps_at_most_the_default_limit)
{
	struct insights_query *q = parse_ok("sort v asc | fields v");
	struct insights_run *r = insights_run_new(q);
	struct insights_result res;
	char msg[32];
	int i;

	for (i = 30000; i > 0; i--) {
		snprintf(msg, sizeof(msg), "{\"v\":%d}", i);
		feed(r, T0 + 30000 - i, msg, "s");
	}
	cr_assert_eq(insights_run_finish(r, &res), 0);
	cr_expect_eq(res.nrows, 10000);
	expect_cell(&res, 0, "v", "1");
	expect_cell(&res, 9999, "v", "10000");
	insights_result_free(&res);
	insights_run_free(r);
	insights_query_free(q);
}

Test(insights, dedup_keeps_the_first_row_of_each_combination)
{
	expect_column("fields user | filter ispresent(level) | dedup level",
		      "user", "carol,bob");
	expect_column("fields user | filter ispresent(level) | sort req.ms "
		      "asc | dedup level",
		      "user", "bob,alice");
}

Test(insights, dedup_keeps_rows_with_a_null_field)
{
	expect_column("fields @logStream | dedup level", "@logStream",
		      "web-3,web-1,web-2,web-2,web-1");
}

Test(insights, dedup_over_several_fields)
{
	expect_column("fields user | filter ispresent(level) | dedup level, "
		      "req.path",
		      "user", "carol,bob");
}

Test(insights, display_picks_the_columns)
{
	struct insights_result res;

	run_app("fields user, level | display level, @timestamp", &res);
	cr_assert_eq(res.ncolumns, 2);
	cr_expect_str_eq(res.columns[0], "level");
	cr_expect_str_eq(res.columns[1], "@timestamp");
	insights_result_free(&res);
}

/* ---- parse ---- */

Test(insights, parse_glob_extracts_fields)
{
	static const struct line lines[] = {
		{T0, "10.0.0.1 - GET /index.html [200] 12ms", NULL},
		{T0 + 1, "no match here", NULL},
	};
	struct insights_result res;

	run_lines("parse @message '* - * [*]' as ip, request, status | "
		  "fields ip, request, status",
		  lines, 2, &res);
	cr_assert_eq(res.nrows, 2);
	expect_cell(&res, 1, "ip", "10.0.0.1");
	expect_cell(&res, 1, "request", "GET /index.html");
	expect_cell(&res, 1, "status", "200");
	expect_cell(&res, 0, "ip", NULL); /* no match: null, still a row */
	expect_cell(&res, 0, "status", NULL);
	insights_result_free(&res);
}

Test(insights, parse_glob_with_leading_text_searches_for_it)
{
	expect_column("parse @message 'user=*' as who | filter ispresent(who) "
		      "| stats count(*) as n by who | sort who",
		      "who", "alice,bob");
}

Test(insights, parse_regex_with_named_groups)
{
	static const struct line lines[] = {
		{T0, "user alice logged in from 10.1.2.3", NULL},
		{T0 + 1, "user bob logged out", NULL},
	};
	struct insights_result res;

	run_lines("parse @message /user (?<user>\\w+) logged in from "
		  "(?<ip>[\\d.]+)/ | fields user, ip",
		  lines, 2, &res);
	expect_cell(&res, 1, "user", "alice");
	expect_cell(&res, 1, "ip", "10.1.2.3");
	expect_cell(&res, 0, "user", NULL);
	insights_result_free(&res);
}

Test(insights, parse_regex_lazy_and_non_capturing_groups)
{
	static const struct line lines[] = {
		{T0, "id=42; name=x", NULL},
	};
	struct insights_result res;

	run_lines("parse @message /(?:id|key)=(?<id>\\d+?);\\s(?P<rest>.*)/ | "
		  "fields id, rest",
		  lines, 1, &res);
	expect_cell(&res, 0, "id", "42");
	expect_cell(&res, 0, "rest", "name=x");
	insights_result_free(&res);
}

Test(insights, parse_of_a_json_field)
{
	expect_column("parse req.path '/*' as p | filter ispresent(p) | "
		      "fields p",
		      "p", "a,b,a");
}

Test(insights, a_glob_extracts_at_most_64_fields)
{
	char query[512] = "parse @message '";
	int i;

	for (i = 0; i < 65; i++)
		strcat(query, "*,");
	strcat(query, "' as a");
	expect_refused(query, "at most 64 '*'");
}

/* ---- commands after the stream ---- */

Test(insights, filter_after_sort_runs_on_the_sorted_rows)
{
	expect_column("sort req.ms desc | filter req.ms < 200 | fields req.ms",
		      "req.ms", "120,30");
}

Test(insights, fields_after_limit_read_the_rows_kept)
{
	expect_column("limit 2 | fields strlen(@message) as n, @logStream", "n",
		      "20,61");
}

Test(insights, parse_after_sort_reads_the_rows_kept)
{
	expect_column("sort @logStream desc | parse @message 'user=*' as who "
		      "| limit 3 | fields who",
		      "who", "alice,-,bob");
}

Test(insights, stats_by_a_computed_key_with_an_alias)
{
	struct insights_result res;

	run_app("stats count(*) as n by strlen(@message) > 30 as long", &res);
	cr_assert_eq(res.nrows, 2);
	cr_expect_str_eq(column_text(&res, "long"), "0,1");
	cr_expect_str_eq(column_text(&res, "n"), "3,3");
	insights_result_free(&res);
}

/* ---- SOURCE ---- */

Test(insights, source_clauses_name_the_groups)
{
	struct insights_query *q = parse_ok(
		"SOURCE 'app' | SOURCE '/aws/lambda/f' | fields @message");
	const char *const *names = NULL;

	cr_assert_eq(insights_sources(q, &names), 2);
	cr_expect_str_eq(names[0], "app");
	cr_expect_str_eq(names[1], "/aws/lambda/f");
	insights_query_free(q);
}

Test(insights, a_query_without_source_names_no_group)
{
	struct insights_query *q = parse_ok("fields @message");
	const char *const *names = NULL;

	cr_expect_eq(insights_sources(q, &names), 0);
	cr_expect_null(names);
	insights_query_free(q);
}

Test(insights, source_alone_shows_the_default_columns)
{
	struct insights_result res;

	run_app("SOURCE 'app'", &res);
	cr_expect_eq(res.ncolumns, 2);
	cr_expect_eq(res.nrows, NAPP);
	insights_result_free(&res);
}

/* ---- the language ---- */

Test(insights, comments_and_newlines_are_blanks)
{
	expect_column("# errors only\nfilter level = 'error' # JSON ones\n"
		      "| fields user",
		      "user", "carol,alice");
}

Test(insights, strings_take_escapes_and_either_quote)
{
	static const struct line lines[] = {{T0, "say \"hi\" it's", NULL}};
	struct insights_result res;

	run_lines("filter @message like \"\\\"hi\\\"\" and @message like "
		  "'it\\'s'",
		  lines, 1, &res);
	cr_expect_eq(res.nrows, 1);
	insights_result_free(&res);
}

Test(insights, keywords_and_functions_ignore_case)
{
	expect_column("FILTER level = 'info' OR ISPRESENT(tags.0) | FIELDS "
		      "user",
		      "user", "bob,alice");
}

/* ---- refusals ---- */

Test(insights, syntax_errors_say_the_position)
{
	expect_refused("fields @message |", "position 18: expected a command");
	expect_refused("filter x = ", "position 12: expected a value");
	expect_refused("filter (a = 1", "position 14: expected ')'");
	expect_refused("fields a b", "position 10: expected '|' or the end");
	expect_refused("filter a = 'open",
		       "position 12: ' without its closing");
}

Test(insights, positions_count_characters_not_bytes)
{
	expect_refused("filter x = 'é' )", "position 16:");
}

Test(insights, unknown_command_is_refused)
{
	expect_refused("fields a | frobnicate b",
		       "position 12: unknown command frobnicate");
}

Test(insights, unknown_function_is_refused)
{
	expect_refused("fields foo(@message)",
		       "position 8: unknown function foo");
}

Test(insights, limit_past_ten_thousand_is_refused)
{
	expect_refused("limit 10001", "position 7: limit is at most 10000");
	expect_refused("limit 0", "position 7:");
	expect_refused("limit 2.5", "position 7:");
}

Test(insights, bad_regexes_are_refused)
{
	expect_refused("filter @message like /(a/", "position 22: bad regular");
	expect_refused("filter @message like /(a{100}){100}/", "too complex");
	expect_refused("filter @message like /a(?=b)/", "unsupported group");
	expect_refused("filter @message like /abc", "position 22: / without");
}

Test(insights, stats_functions_only_in_stats)
{
	expect_refused("fields count(*)", "position 8: count() is a stats");
	expect_refused("stats sum(count(*))", "do not nest");
	expect_refused("stats level", "a field in stats goes inside");
	expect_refused("stats count(*) by sum(x)", "sum() is a stats function");
}

Test(insights, function_arguments_are_checked)
{
	expect_refused("fields strlen()", "strlen() takes 1 argument");
	expect_refused("stats count(*) by bin(5)", "bin() takes a period");
	expect_refused("stats pct(x, 101)", "from 0 to 100");
	expect_refused("stats count(*) by bin(5parsecs)", "unknown time unit");
}

Test(insights, parse_mistakes_are_refused)
{
	expect_refused("parse @message 'a * b *' as x",
		       "has 2 '*' and 1 names");
	expect_refused("parse @message /(\\w+)/", "names no group");
	expect_refused("parse @message 'plain' as x", "no '*'");
}

Test(insights, only_limit_may_follow_dedup)
{
	expect_refused("dedup a | sort b", "only limit may follow dedup");
	struct insights_query *q = parse_ok("dedup a | limit 3");
	insights_query_free(q);
}

Test(insights, source_after_a_command_is_refused)
{
	expect_refused("fields a | SOURCE 'g'", "position 12: unknown command");
}

Test(insights, not_takes_like_or_in_after_a_value)
{
	expect_refused("filter a not b", "position 14: expected like or in");
	expect_refused("fields ``", "position 8: empty `name`");
	expect_refused("filter a = 1 | | limit 1",
		       "position 16: expected a command");
}

Test(insights, one_stats_per_query)
{
	expect_refused("stats count(*) as n | stats sum(n)",
		       "one stats per query");
}

/* ---- rendering ---- */

Test(insights, text_table_has_a_header_and_aligned_columns)
{
	struct insights_result res;
	struct strbuf out = STRBUF_INIT;

	run_app("filter ispresent(level) | fields level, req.ms", &res);
	cr_assert_eq(insights_result_text(&res, &out), 0);
	cr_expect_str_eq(out.buf, "level  req.ms\n"
				  "error  250\n"
				  "info   30\n"
				  "error  120\n");
	strbuf_release(&out);
	insights_result_free(&res);
}

Test(insights, text_table_leaves_missing_values_blank)
{
	struct insights_result res;
	struct strbuf out = STRBUF_INIT;

	run_app("fields level, @logStream | limit 2", &res);
	cr_assert_eq(insights_result_text(&res, &out), 0);
	cr_expect_str_eq(out.buf, "level  @logStream\n"
				  "       web-3\n"
				  "error  web-1\n");
	strbuf_release(&out);
	insights_result_free(&res);
}

Test(insights, json_has_get_query_results_shape)
{
	struct insights_result res;
	struct strbuf out = STRBUF_INIT;
	json_t *doc, *results, *row, *pair;
	json_error_t jerr;

	run_app("fields level, @logStream | limit 2", &res);
	cr_assert_eq(insights_result_json(&res, &out), 0);
	doc = json_loads(out.buf, 0, &jerr);
	cr_assert_not_null(doc, "not JSON: %s", jerr.text);
	cr_expect_str_eq(json_string_value(json_object_get(doc, "status")),
			 "Complete");
	results = json_object_get(doc, "results");
	cr_assert(json_is_array(results));
	cr_assert_eq(json_array_size(results), 2);
	row = json_array_get(results, 0);
	/* no level in the newest row: the member is left out, not null */
	cr_assert_eq(json_array_size(row), 1);
	pair = json_array_get(row, 0);
	cr_expect_str_eq(json_string_value(json_object_get(pair, "field")),
			 "@logStream");
	cr_expect_str_eq(json_string_value(json_object_get(pair, "value")),
			 "web-3");
	row = json_array_get(results, 1);
	cr_assert_eq(json_array_size(row), 2);
	pair = json_array_get(row, 0);
	cr_expect_str_eq(json_string_value(json_object_get(pair, "field")),
			 "level");
	cr_expect_str_eq(json_string_value(json_object_get(pair, "value")),
			 "error");
	json_decref(doc);
	strbuf_release(&out);
	insights_result_free(&res);
}

Test(insights, json_statistics_count_records_and_bytes)
{
	struct insights_result res;
	struct strbuf out = STRBUF_INIT;
	json_t *doc, *stats;
	size_t i, bytes = 0;

	for (i = 0; i < NAPP; i++)
		bytes += strlen(APP[i].message);
	run_app("filter ispresent(level) | stats count(*)", &res);
	cr_assert_eq(insights_result_json(&res, &out), 0);
	doc = json_loads(out.buf, 0, NULL);
	cr_assert_not_null(doc);
	stats = json_object_get(doc, "statistics");
	cr_expect_eq(
		json_integer_value(json_object_get(stats, "recordsMatched")),
		3);
	cr_expect_eq(
		json_integer_value(json_object_get(stats, "recordsScanned")),
		6);
	cr_expect_eq(json_integer_value(json_object_get(stats, "bytesScanned")),
		     (json_int_t)bytes);
	json_decref(doc);
	strbuf_release(&out);
	insights_result_free(&res);
}

Test(insights, json_repairs_bytes_that_are_not_utf8)
{
	static const struct line lines[] = {{T0, "bad \xff byte", NULL}};
	struct insights_result res;
	struct strbuf out = STRBUF_INIT;
	json_t *doc;

	run_lines("fields @message", lines, 1, &res);
	cr_assert_eq(insights_result_json(&res, &out), 0);
	doc = json_loads(out.buf, 0, NULL);
	cr_assert_not_null(doc, "%s", out.buf);
	cr_expect(strstr(out.buf, "bad \xef\xbf\xbd byte") != NULL);
	json_decref(doc);
	strbuf_release(&out);
	insights_result_free(&res);
}

/* ---- hostile input ---- */

Test(insights, deep_nesting_and_huge_queries_are_refused)
{
	static char query[40000];
	size_t i, at = 0;

	at += (size_t)sprintf(query, "fields ");
	for (i = 0; i < 100; i++)
		at += (size_t)sprintf(query + at, "abs(");
	expect_refused(query, "too deeply nested");
	at = (size_t)sprintf(query, "filter ");
	for (i = 0; i < 100; i++)
		query[at++] = '(';
	query[at] = '\0';
	expect_refused(query, "too deeply nested");
	at = (size_t)sprintf(query, "filter 1");
	for (i = 0; i < 5000; i++)
		at += (size_t)sprintf(query + at, " + 1");
	expect_refused(query, "more than 4096 values");
}

/* A query of words and bytes drawn at random: refused or run, never a
 * crash (the sanitizers watch). */
Test(insights, random_queries_are_refused_or_run)
{
	static const char *const WORDS[] = {
		"fields", "filter",	"stats",   "sort",     "limit",
		"parse",  "display",	"dedup",   "SOURCE",   "by",
		"as",	  "asc",	"desc",	   "and",      "or",
		"not",	  "like",	"in",	   "|",	       ",",
		"(",	  ")",		"[",	   "]",	       "=",
		"!=",	  "<",		">=",	   "=~",       "+",
		"-",	  "*",		"/",	   "%",	       "'a*b'",
		"\"x\"",  "/a(?<g>b)/", "/[/",	   "5m",       "1mo",
		"10001",  "3",		"2.5",	   "@message", "@timestamp",
		"level",  "req.ms",	"`a b`",   "count(*)", "pct(",
		"bin(",	  "strlen(",	"concat(", "#c\n",     "'",
		"`",	  "\xc3\xa9",	"\xff",
	};
	char query[512];
	unsigned seed = 12345;
	int round, k, nwords;

	for (round = 0; round < 3000; round++) {
		struct insights_query *q = NULL;
		struct err err = {""};
		size_t at = 0;
		int rc;

		nwords = (int)(rand_r(&seed) % 12);
		query[0] = '\0';
		for (k = 0; k < nwords; k++)
			at += (size_t)snprintf(
				query + at, sizeof(query) - at, "%s ",
				WORDS[(size_t)rand_r(&seed) %
				      (sizeof(WORDS) / sizeof(WORDS[0]))]);
		rc = insights_parse(query, at, &q, &err);
		cr_assert(rc == 0 || rc == -EINVAL, "'%s': %d", query, rc);
		if (rc) {
			cr_assert(strncmp(err.msg, "position ", 9) == 0,
				  "'%s' said '%s'", query, err.msg);
			continue;
		}
		struct insights_run *r = insights_run_new(q);
		struct insights_result res;
		size_t i;

		for (i = 0; i < NAPP; i++)
			feed(r, APP[i].ts, APP[i].message, APP[i].stream);
		cr_assert_eq(insights_run_finish(r, &res), 0);
		insights_result_free(&res);
		insights_run_free(r);
		insights_query_free(q);
	}
}

Test(insights, random_events_feed_a_rich_query)
{
	struct insights_query *q = parse_ok(
		"parse @message /(?<k>\\w+)=(?<v>\\d+)/ | filter "
		"ispresent(a.b) "
		"or v > 3 or @message like /x/ | fields concat(k, a.b) as c, "
		"substr(@message, 2, 3) as s | stats count(*), pct(v, 90), "
		"count_distinct(c), max(s) by bin(1m), k | sort k desc");
	struct insights_run *r = insights_run_new(q);
	struct insights_result res;
	unsigned seed = 7;
	char msg[64];
	int i, k;

	for (i = 0; i < 5000; i++) {
		int len = (int)((unsigned)rand_r(&seed) % (sizeof(msg) - 1));
		static const char BYTES[] = "{}[]\":,.=ax0123456789 \xff";

		for (k = 0; k < len; k++)
			msg[k] = BYTES[(size_t)rand_r(&seed) %
				       (sizeof(BYTES) - 1)];
		msg[len] = '\0';
		if (i % 7 == 0)
			snprintf(msg, sizeof(msg), "{\"a\":{\"b\":%d}} x=%d", i,
				 i % 10);
		feed(r, T0 + i * SEC, msg, "s");
	}
	cr_assert_eq(insights_run_finish(r, &res), 0);
	cr_expect_gt(res.nrows, 0);
	insights_result_free(&res);
	insights_run_free(r);
	insights_query_free(q);
}
