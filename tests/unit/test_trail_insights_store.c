/*
 * CloudTrail Insights on a temporary database (store/trail_insights.c,
 * SPEC 14): what is counted, when minutes are judged, the Start and End
 * records in the trail, and a baseline that survives a restart. Time is
 * the tests': records carry their time and the tick is given its now.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "tests/support/tmpstore.h"

static struct tmpstore fixture;
static struct store *st;
static const struct caller alice = {.uid = 1000,
				    .gid = 100,
				    .pid = 4242,
				    .user = "alice",
				    .process = "bash"};

/* Minute 0 is noon two days ago: every record lands in one past day. */
static int64_t noon_ms, noon_day;

static void open_store(void)
{
	tmpstore_open(&fixture, "tins", &st);
	noon_day = store_now_ms() / MS_PER_DAY - 2;
	noon_ms = noon_day * MS_PER_DAY + 12 * MS_PER_HOUR;
	cr_assert_eq(store_trail_insights_configure(st, true, 2), 0);
}

static void close_store(void)
{
	tmpstore_close(&fixture, st);
}

TestSuite(tins, .init = open_store, .fini = close_store);

/* The time second s of minute m after noon. */
static int64_t at(int64_t m, int64_t s)
{
	return noon_ms + m * MS_PER_MINUTE + s * 1000;
}

/* Record n calls of name by who in minute m, refused with error. */
static void calls(int64_t m, int n, const char *name, const struct caller *who,
		  int error)
{
	int i;

	for (i = 0; i < n; i++) {
		struct trail_event ev = {
			.source = "metrics.monfs",
			.name = name,
			.who = who,
			.error = error,
			.message = error ? "refused" : NULL,
			.time_ms = at(m, 1 + i % 50),
		};

		cr_assert_eq(store_trail_record(st, &ev), 0);
	}
}

/* Judge what is complete at second 5 of minute m. */
static void tick(int64_t m)
{
	cr_assert_eq(store_trail_insights_tick(st, at(m, 5)), 0);
}

/* The Insights records of the day, in file order (a JSON array). */
static json_t *insights(void)
{
	json_t *all = json_array();
	struct trail_day d;
	char *buf, *line, *nl;
	int len;

	if (store_trail_day(st, noon_day, &d))
		return all;
	buf = malloc((size_t)d.size + 1);
	cr_assert_not_null(buf);
	len = store_trail_read(st, noon_day, 0, buf, (size_t)d.size + 1);
	cr_assert_eq(len, d.size);
	buf[len] = '\0';
	for (line = buf; *line; line = nl + 1) {
		json_t *rec;

		nl = strchr(line, '\n');
		cr_assert_not_null(nl);
		*nl = '\0';
		rec = json_loads(line, 0, NULL);
		cr_assert_not_null(rec, "%s", line);
		if (!strcmp(json_string_value(
				    json_object_get(rec, "eventType")),
			    "AwsCloudTrailInsight"))
			json_array_append(all, rec);
		json_decref(rec);
	}
	free(buf);
	return all;
}

static json_t *details(json_t *rec)
{
	return json_object_get(rec, "insightDetails");
}

static const char *detail(json_t *rec, const char *key)
{
	const char *s = json_string_value(json_object_get(details(rec), key));

	return s ? s : "";
}

static double statistic(json_t *rec, const char *key, const char *sub)
{
	json_t *stats = json_object_get(
		json_object_get(details(rec), "insightContext"), "statistics");
	json_t *v = json_object_get(stats, key);

	if (sub)
		v = json_object_get(v, sub);
	cr_assert(json_is_number(v), "statistics.%s", key);
	return json_number_value(v);
}

Test(tins, a_burst_after_a_quiet_minute_starts_and_the_next_minute_ends)
{
	json_t *all, *start, *end;

	calls(0, 1, "CreateNamespace", &alice, 0);
	calls(1, 30, "CreateNamespace", &alice, 0);
	tick(2);
	all = insights();
	cr_assert_eq(json_array_size(all), 1);
	start = json_array_get(all, 0);
	cr_assert_str_eq(detail(start, "state"), "Start");
	cr_assert_str_eq(detail(start, "insightType"), "ApiCallRateInsight");
	cr_assert_str_eq(detail(start, "eventName"), "CreateNamespace");
	cr_assert_float_eq(statistic(start, "baseline", "average"), 1.0, 1e-9);
	cr_assert_float_eq(statistic(start, "insight", "average"), 30.0, 1e-9);
	cr_assert_float_eq(statistic(start, "insightDuration", NULL), 1, 1e-9);
	cr_assert_float_eq(statistic(start, "baselineDuration", NULL), 1, 1e-9);
	json_decref(all);

	tick(3);
	all = insights();
	cr_assert_eq(json_array_size(all), 2);
	start = json_array_get(all, 0);
	end = json_array_get(all, 1);
	cr_assert_str_eq(detail(end, "state"), "End");
	cr_assert_str_eq(
		json_string_value(json_object_get(end, "sharedEventID")),
		json_string_value(json_object_get(start, "sharedEventID")));
	cr_assert_float_eq(statistic(end, "insightDuration", NULL), 1, 1e-9);
	cr_assert_float_eq(statistic(end, "insight", "average"), 30.0, 1e-9);
	cr_assert_float_eq(statistic(end, "baseline", "average"), 1.0, 1e-9);
	json_decref(all);
}

Test(tins, the_first_minute_counted_never_starts_one)
{
	json_t *all;

	calls(0, 50, "CreateNamespace", &alice, 0);
	tick(1);
	tick(2);
	all = insights();
	cr_assert_eq(json_array_size(all), 0);
	json_decref(all);
}

Test(tins, the_current_minute_is_not_judged)
{
	json_t *all;

	calls(0, 1, "CreateNamespace", &alice, 0);
	calls(1, 30, "CreateNamespace", &alice, 0);
	cr_assert_eq(store_trail_insights_tick(st, at(1, 59)), 0);
	all = insights();
	cr_assert_eq(json_array_size(all), 0);
	json_decref(all);
	tick(2);
	all = insights();
	cr_assert_eq(json_array_size(all), 1);
	json_decref(all);
}

Test(tins, a_tick_after_a_pause_judges_every_minute_it_missed)
{
	json_t *all;

	calls(0, 1, "CreateNamespace", &alice, 0);
	calls(1, 30, "CreateNamespace", &alice, 0);
	tick(9);
	all = insights();
	cr_assert_eq(json_array_size(all), 2);
	cr_assert_str_eq(detail(json_array_get(all, 0), "state"), "Start");
	cr_assert_str_eq(detail(json_array_get(all, 1), "state"), "End");
	json_decref(all);
}

Test(tins, an_insight_lasting_minutes_ends_with_its_length_and_average)
{
	json_t *all, *end;

	/* window 2: minute 2's baseline {1, 20}: threshold 29; 60 is above */
	calls(0, 1, "CreateNamespace", &alice, 0);
	calls(1, 20, "CreateNamespace", &alice, 0);
	calls(2, 60, "CreateNamespace", &alice, 0);
	tick(4);
	all = insights();
	cr_assert_eq(json_array_size(all), 2);
	end = json_array_get(all, 1);
	cr_assert_str_eq(detail(end, "state"), "End");
	cr_assert_float_eq(statistic(end, "insightDuration", NULL), 2, 1e-9);
	cr_assert_float_eq(statistic(end, "insight", "average"), 40.0, 1e-9);
	json_decref(all);
}

Test(tins, refusals_start_an_error_rate_insight_too)
{
	json_t *all;
	size_t i;
	int calls_rate = 0, error_rate = 0;

	calls(0, 2, "DeleteNamespace", &alice, 0);
	calls(1, 25, "DeleteNamespace", &alice, -EACCES);
	tick(2);
	all = insights();
	for (i = 0; i < json_array_size(all); i++) {
		json_t *rec = json_array_get(all, i);

		if (!strcmp(detail(rec, "insightType"), "ApiErrorRateInsight"))
			error_rate++;
		else
			calls_rate++;
	}
	cr_assert_eq(error_rate, 1);
	cr_assert_eq(calls_rate, 1);
	json_decref(all);
}

Test(tins, data_events_reads_and_service_events_are_not_counted)
{
	json_t *all;
	int i;

	calls(0, 1, "PutMetricData", &alice, 0);
	for (i = 0; i < 30; i++) {
		struct trail_event data = {.source = "metrics.monfs",
					   .name = "PutMetricData",
					   .who = &alice,
					   .data = true,
					   .error = -EINVAL,
					   .time_ms = at(1, 2)};
		struct trail_event read = {.source = "metrics.monfs",
					   .name = "DescribeAlarms",
					   .who = &alice,
					   .read_only = true,
					   .time_ms = at(1, 3)};
		struct trail_event service = {.source = "alarms.monfs",
					      .name = "AlarmStateChange",
					      .service_event = true,
					      .time_ms = at(1, 4)};

		cr_assert_eq(store_trail_record(st, &data), 0);
		cr_assert_eq(store_trail_record(st, &read), 0);
		cr_assert_eq(store_trail_record(st, &service), 0);
	}
	tick(2);
	tick(3);
	all = insights();
	cr_assert_eq(json_array_size(all), 0);
	json_decref(all);
}

Test(tins, nothing_is_counted_or_judged_while_off)
{
	json_t *all;

	cr_assert_eq(store_trail_insights_configure(st, false, 2), 0);
	calls(0, 1, "CreateNamespace", &alice, 0);
	calls(1, 30, "CreateNamespace", &alice, 0);
	tick(2);
	cr_assert_eq(store_trail_insights_configure(st, true, 2), 0);
	tick(3);
	all = insights();
	cr_assert_eq(json_array_size(all), 0);
	json_decref(all);
}

Test(tins, a_baseline_window_below_one_minute_is_refused)
{
	cr_assert_eq(store_trail_insights_configure(st, true, 0), -EINVAL);
}

Test(tins, a_restart_keeps_the_counts_and_the_open_insight)
{
	struct err err = {""};
	json_t *all;

	calls(0, 1, "CreateNamespace", &alice, 0);
	calls(1, 30, "CreateNamespace", &alice, 0);
	store_close(st);
	cr_assert_eq(store_open(fixture.path, &st, &err), 0, "%s", err.msg);
	cr_assert_eq(store_trail_insights_configure(st, true, 2), 0);
	tick(2);
	store_close(st);
	cr_assert_eq(store_open(fixture.path, &st, &err), 0, "%s", err.msg);
	cr_assert_eq(store_trail_insights_configure(st, true, 2), 0);
	tick(3);
	all = insights();
	cr_assert_eq(json_array_size(all), 2);
	cr_assert_str_eq(detail(json_array_get(all, 0), "state"), "Start");
	cr_assert_str_eq(detail(json_array_get(all, 1), "state"), "End");
	json_decref(all);
}

Test(tins, attributions_list_the_top_five_users_most_frequent_first)
{
	static const char *const names[] = {"u1", "u2", "u3", "u4", "u5", "u6"};
	json_t *all, *attrs, *arns;
	int i;

	calls(0, 1, "CreateNamespace", &alice, 0);
	for (i = 0; i < 6; i++) {
		struct caller who = alice;

		snprintf(who.user, sizeof(who.user), "%s", names[i]);
		calls(1, 2 + i, "CreateNamespace", &who, 0);
	}
	tick(2);
	all = insights();
	cr_assert_eq(json_array_size(all), 1);
	attrs = json_object_get(json_object_get(details(json_array_get(all, 0)),
						"insightContext"),
				"attributions");
	arns = json_object_get(json_array_get(attrs, 0), "insight");
	cr_assert_eq(json_array_size(arns), 5);
	cr_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(arns, 0), "value")),
			 "arn:aws:iam::000000000000:user/u6");
	cr_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(arns, 4), "value")),
			 "arn:aws:iam::000000000000:user/u2");
	arns = json_object_get(json_array_get(attrs, 0), "baseline");
	cr_assert_eq(json_array_size(arns), 1);
	cr_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(arns, 0), "value")),
			 "arn:aws:iam::000000000000:user/alice");
	json_decref(all);
}
