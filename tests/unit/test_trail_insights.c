/*
 * Unit tests for lib/trail_insights: SPEC 14's Insights rule — the
 * baseline's mean and standard deviation, the threshold and the floor of
 * 10, sequences of minutes that start, continue and end an insight, the
 * top-5 attributions, and the Start and End records in CloudTrail's
 * shape.
 */
#include "lib/trail_insights.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#define EPSILON 1e-9

/* The baseline of counts[0..n), as the store sums them. */
static struct trail_insights_baseline baseline(const int64_t *counts, size_t n)
{
	struct trail_insights_window w = {0};
	size_t i;

	for (i = 0; i < n; i++)
		trail_insights_window_add(&w, counts[i]);
	return trail_insights_baseline_of(&w);
}

/*
 * Run a sequence of minutes through the rule with a baseline window of
 * window minutes, history from minute 0: verdicts[i] is minute i's.
 */
static void run(const int64_t *counts, size_t n, size_t window,
		enum trail_insights_verdict *verdicts)
{
	bool open = false;
	size_t m;

	for (m = 0; m < n; m++) {
		size_t from = m > window ? m - window : 0;
		struct trail_insights_baseline b =
			baseline(counts + from, m - from);

		verdicts[m] = trail_insights_judge(open, counts[m], &b);
		if (verdicts[m] == TRAIL_INSIGHTS_START)
			open = true;
		else if (verdicts[m] == TRAIL_INSIGHTS_END)
			open = false;
	}
}

/* ---- the baseline ---- */

Test(baseline, mean_and_population_stddev_match_a_hand_computation)
{
	/* 2 4 4 4 5 5 7 9: mean 5, population variance 4, stddev 2 */
	const int64_t c[] = {2, 4, 4, 4, 5, 5, 7, 9};
	struct trail_insights_baseline b = baseline(c, 8);

	cr_assert_eq(b.minutes, 8);
	cr_assert_float_eq(b.mean, 5.0, EPSILON);
	cr_assert_float_eq(b.stddev, 2.0, EPSILON);
	cr_assert_float_eq(trail_insights_threshold(&b), 11.0, EPSILON);
}

Test(baseline, minutes_without_calls_count_as_zero)
{
	/* 0 0 0 12: mean 3, variance (9+9+9+81)/4 = 27 */
	const int64_t c[] = {0, 0, 0, 12};
	struct trail_insights_baseline b = baseline(c, 4);

	cr_assert_float_eq(b.mean, 3.0, EPSILON);
	cr_assert_float_eq(b.stddev, sqrt(27.0), EPSILON);
}

Test(baseline, a_constant_rate_has_no_deviation)
{
	const int64_t c[] = {7, 7, 7, 7, 7};
	struct trail_insights_baseline b = baseline(c, 5);

	cr_assert_float_eq(b.mean, 7.0, EPSILON);
	cr_assert_float_eq(b.stddev, 0.0, EPSILON);
	cr_assert_float_eq(trail_insights_threshold(&b), 7.0, EPSILON);
}

Test(baseline, large_equal_counts_never_give_a_negative_variance)
{
	const int64_t c[] = {1000000007, 1000000007, 1000000007};
	struct trail_insights_baseline b = baseline(c, 3);

	cr_assert(b.stddev >= 0.0);
	cr_assert(!isnan(b.stddev));
	cr_assert_float_eq(b.stddev, 0.0, 1e-3);
}

Test(baseline, a_window_of_no_minutes_has_none)
{
	struct trail_insights_baseline b = baseline(NULL, 0);

	cr_assert_eq(b.minutes, 0);
	cr_assert_float_eq(b.mean, 0.0, EPSILON);
	cr_assert_float_eq(b.stddev, 0.0, EPSILON);
}

Test(baseline, one_minute_of_history_is_its_own_mean)
{
	const int64_t c[] = {4};
	struct trail_insights_baseline b = baseline(c, 1);

	cr_assert_eq(b.minutes, 1);
	cr_assert_float_eq(b.mean, 4.0, EPSILON);
	cr_assert_float_eq(b.stddev, 0.0, EPSILON);
}

/* ---- the threshold and the floor ---- */

Test(judge, ten_calls_above_a_quiet_baseline_start_an_insight)
{
	const int64_t c[] = {0, 0, 0};
	struct trail_insights_baseline b = baseline(c, 3);

	cr_assert_eq(trail_insights_judge(false, 10, &b), TRAIL_INSIGHTS_START);
}

Test(judge, nine_calls_never_start_one_whatever_the_baseline)
{
	const int64_t c[] = {0, 0, 0};
	struct trail_insights_baseline b = baseline(c, 3);

	cr_assert_eq(trail_insights_judge(false, 9, &b), TRAIL_INSIGHTS_QUIET);
}

Test(judge, a_count_at_the_threshold_does_not_start_one)
{
	/* mean 5, stddev 2: threshold 11 exactly */
	const int64_t c[] = {2, 4, 4, 4, 5, 5, 7, 9};
	struct trail_insights_baseline b = baseline(c, 8);

	cr_assert_eq(trail_insights_judge(false, 11, &b), TRAIL_INSIGHTS_QUIET);
	cr_assert_eq(trail_insights_judge(false, 12, &b), TRAIL_INSIGHTS_START);
}

Test(judge, a_busy_baseline_raises_the_bar_above_the_floor)
{
	/* 100 every minute: threshold 100, so 100 is usual, 101 is not */
	const int64_t c[] = {100, 100, 100, 100};
	struct trail_insights_baseline b = baseline(c, 4);

	cr_assert_eq(trail_insights_judge(false, 100, &b),
		     TRAIL_INSIGHTS_QUIET);
	cr_assert_eq(trail_insights_judge(false, 101, &b),
		     TRAIL_INSIGHTS_START);
}

Test(judge, the_first_minute_ever_never_starts_one)
{
	struct trail_insights_baseline b = baseline(NULL, 0);

	cr_assert_eq(trail_insights_judge(false, 1000, &b),
		     TRAIL_INSIGHTS_QUIET);
}

Test(judge, an_open_insight_continues_above_the_threshold_even_below_ten)
{
	const int64_t c[] = {0, 0, 0, 0};
	struct trail_insights_baseline b = baseline(c, 4);

	cr_assert_eq(trail_insights_judge(true, 3, &b),
		     TRAIL_INSIGHTS_CONTINUE);
}

Test(judge, an_open_insight_ends_at_or_below_the_threshold)
{
	/* mean 5, stddev 2: threshold 11 */
	const int64_t c[] = {2, 4, 4, 4, 5, 5, 7, 9};
	struct trail_insights_baseline b = baseline(c, 8);

	cr_assert_eq(trail_insights_judge(true, 11, &b), TRAIL_INSIGHTS_END);
	cr_assert_eq(trail_insights_judge(true, 0, &b), TRAIL_INSIGHTS_END);
	cr_assert_eq(trail_insights_judge(true, 12, &b),
		     TRAIL_INSIGHTS_CONTINUE);
}

/* ---- sequences ---- */

Test(sequence, quiet_minutes_then_a_burst_then_quiet_start_and_end)
{
	const int64_t c[] = {0, 0, 0, 30, 0};
	enum trail_insights_verdict v[5];

	run(c, 5, 10, v);
	cr_assert_eq(v[0], TRAIL_INSIGHTS_QUIET);
	cr_assert_eq(v[1], TRAIL_INSIGHTS_QUIET);
	cr_assert_eq(v[2], TRAIL_INSIGHTS_QUIET);
	cr_assert_eq(v[3], TRAIL_INSIGHTS_START);
	/* {0,0,0,30}: mean 7.5, stddev 12.99, threshold 46.5; 0 ends */
	cr_assert_eq(v[4], TRAIL_INSIGHTS_END);
}

Test(sequence, a_burst_lasting_minutes_continues_until_it_falls)
{
	/*
	 * Window 10. Minute 11: {0 x9, 40}: mean 4, stddev 12, threshold
	 * 40, and 200 is above; minute 12: {0 x8, 40, 200}: mean 24,
	 * stddev 59.87, threshold 203.6, and 900 is above; 2 ends it.
	 */
	const int64_t c[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 40, 200, 900, 2};
	enum trail_insights_verdict v[14];

	run(c, 14, 10, v);
	cr_assert_eq(v[9], TRAIL_INSIGHTS_QUIET);
	cr_assert_eq(v[10], TRAIL_INSIGHTS_START);
	cr_assert_eq(v[11], TRAIL_INSIGHTS_CONTINUE);
	cr_assert_eq(v[12], TRAIL_INSIGHTS_CONTINUE);
	cr_assert_eq(v[13], TRAIL_INSIGHTS_END);
}

Test(sequence, an_insight_that_ends_can_start_again)
{
	const int64_t c[] = {0, 0, 30, 0, 0, 0, 0, 0, 0, 0, 0, 500};
	enum trail_insights_verdict v[12];

	run(c, 12, 3, v);
	cr_assert_eq(v[2], TRAIL_INSIGHTS_START);
	cr_assert_eq(v[3], TRAIL_INSIGHTS_END);
	cr_assert_eq(v[11], TRAIL_INSIGHTS_START);
}

Test(sequence, a_short_history_uses_the_history_there_is)
{
	/* Window 10080, but only minute 0 before minute 1. */
	const int64_t c[] = {0, 12};
	enum trail_insights_verdict v[2];

	run(c, 2, 10080, v);
	cr_assert_eq(v[0], TRAIL_INSIGHTS_QUIET);
	cr_assert_eq(v[1], TRAIL_INSIGHTS_START);
}

Test(sequence, the_window_forgets_minutes_before_it)
{
	/*
	 * Window 2: at minute 5 the baseline is minutes 3 and 4 (0, 0),
	 * not minute 1's burst, so 15 starts an insight again.
	 */
	const int64_t c[] = {0, 100, 0, 0, 0, 15};
	enum trail_insights_verdict v[6];

	run(c, 6, 2, v);
	cr_assert_eq(v[1], TRAIL_INSIGHTS_START);
	cr_assert_eq(v[2], TRAIL_INSIGHTS_END);
	cr_assert_eq(v[5], TRAIL_INSIGHTS_START);
}

Test(sequence, a_steady_busy_key_never_starts_one)
{
	const int64_t c[] = {50, 50, 50, 50, 50, 50, 50, 50};
	enum trail_insights_verdict v[8];
	size_t i;

	run(c, 8, 5, v);
	for (i = 0; i < 8; i++)
		cr_assert_eq(v[i], TRAIL_INSIGHTS_QUIET, "minute %zu", i);
}

Test(sequence, with_a_flat_baseline_any_rise_of_ten_or_more_starts_one)
{
	/* stddev 0: the threshold is the mean itself (SPEC 14 as written) */
	const int64_t c[] = {50, 50, 51};
	enum trail_insights_verdict v[3];

	run(c, 3, 5, v);
	cr_assert_eq(v[1], TRAIL_INSIGHTS_QUIET);
	cr_assert_eq(v[2], TRAIL_INSIGHTS_START);
}

Test(sequence, error_counts_follow_the_same_rule)
{
	/* Errors of a key: none, then 20 refusals in a minute. */
	const int64_t errors[] = {0, 1, 0, 20, 0};
	enum trail_insights_verdict v[5];

	run(errors, 5, 60, v);
	cr_assert_eq(v[1], TRAIL_INSIGHTS_QUIET);
	cr_assert_eq(v[3], TRAIL_INSIGHTS_START);
	cr_assert_eq(v[4], TRAIL_INSIGHTS_END);
	cr_assert_str_eq(trail_insights_type_name(TRAIL_INSIGHTS_ERROR_RATE),
			 "ApiErrorRateInsight");
	cr_assert_str_eq(trail_insights_type_name(TRAIL_INSIGHTS_CALL_RATE),
			 "ApiCallRateInsight");
}

/* ---- attributions ---- */

Test(top, values_come_most_frequent_first_with_averages_per_minute)
{
	struct trail_insights_count c[] = {{"b", 2}, {"a", 10}, {"c", 6}};
	struct trail_insights_value out[TRAIL_INSIGHTS_TOP];
	size_t n = trail_insights_top(c, 3, 2, out);

	cr_assert_eq(n, 3);
	cr_assert_str_eq(out[0].value, "a");
	cr_assert_float_eq(out[0].average, 5.0, EPSILON);
	cr_assert_str_eq(out[1].value, "c");
	cr_assert_float_eq(out[1].average, 3.0, EPSILON);
	cr_assert_str_eq(out[2].value, "b");
	cr_assert_float_eq(out[2].average, 1.0, EPSILON);
}

Test(top, only_the_top_five_are_kept_and_ties_go_by_value)
{
	struct trail_insights_count c[] = {{"g", 1}, {"f", 3}, {"e", 3},
					   {"d", 4}, {"c", 5}, {"b", 6},
					   {"a", 1}};
	struct trail_insights_value out[TRAIL_INSIGHTS_TOP];
	size_t n = trail_insights_top(c, 7, 1, out);

	cr_assert_eq(n, TRAIL_INSIGHTS_TOP);
	cr_assert_str_eq(out[0].value, "b");
	cr_assert_str_eq(out[1].value, "c");
	cr_assert_str_eq(out[2].value, "d");
	cr_assert_str_eq(out[3].value, "e"); /* tie with f: by value */
	cr_assert_str_eq(out[4].value, "f");
}

Test(top, no_values_give_an_empty_list)
{
	struct trail_insights_value out[TRAIL_INSIGHTS_TOP];

	cr_assert_eq(trail_insights_top(NULL, 0, 0, out), 0);
}

/* ---- records ---- */

/* A Start for metrics.monfs CreateNamespace: 30 calls over a quiet 2 minutes.
 */
static struct trail_insights_details start_details(void)
{
	struct trail_insights_details d = {
		.end = false,
		.event_source = "metrics.monfs",
		.event_name = "CreateNamespace",
		.type = TRAIL_INSIGHTS_CALL_RATE,
		.baseline_average = 0.5,
		.insight_average = 30,
		.insight_duration = 1,
		.baseline_duration = 2,
	};

	d.attributions[0].insight[0] = (struct trail_insights_value){
		"arn:aws:iam::000000000000:user/root", 30};
	d.attributions[0].n_insight = 1;
	d.attributions[0].baseline[0] = (struct trail_insights_value){
		"arn:aws:iam::000000000000:user/alice", 0.5};
	d.attributions[0].n_baseline = 1;
	d.attributions[1].insight[0] =
		(struct trail_insights_value){"mkdir", 30};
	d.attributions[1].n_insight = 1;
	d.attributions[2].insight[0] =
		(struct trail_insights_value){"null", 30};
	d.attributions[2].n_insight = 1;
	return d;
}

/* Whether jq-like path holds a number equal to want. */
static double number_at(json_t *j, const char *path)
{
	json_t *v = json_object_get(j, "insightDetails");
	char buf[256], *save = NULL, *part;

	snprintf(buf, sizeof(buf), "%s", path);
	for (part = strtok_r(buf, ".", &save); v && part;
	     part = strtok_r(NULL, ".", &save))
		v = json_object_get(v, part);
	cr_assert(json_is_number(v), "%s is no number", path);
	return json_number_value(v);
}

Test(record, a_start_has_cloudtrails_fields_in_order)
{
	struct trail_insights_details d = start_details();
	json_t *rec = trail_insights_record(
		&d, &(struct trail_insights_envelope){"local", "123456789012",
						      "u-u-i-d"});
	char *line;

	cr_assert_not_null(rec);
	line = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER);
	cr_assert_not_null(line);
	cr_assert(!strncmp(line,
			   "{\"eventVersion\":\"1.08\",\"eventTime\":null,"
			   "\"eventSource\":\"metrics.monfs\",\"eventName\":"
			   "\"CreateNamespace\",\"awsRegion\":\"local\","
			   "\"eventID\":null,\"eventType\":"
			   "\"AwsCloudTrailInsight\",\"recipientAccountId\":"
			   "\"123456789012\",\"sharedEventID\":\"u-u-i-d\","
			   "\"insightDetails\":{\"state\":\"Start\","
			   "\"eventSource\":\"metrics.monfs\",\"eventName\":"
			   "\"CreateNamespace\",\"insightType\":"
			   "\"ApiCallRateInsight\",\"insightContext\":",
			   strlen("{\"eventVersion\":\"1.08\",\"eventTime\":"
				  "null,\"eventSource\":\"metrics.monfs\","
				  "\"eventName\":\"CreateNamespace\","
				  "\"awsRegion\":\"local\",\"eventID\":null,"
				  "\"eventType\":\"AwsCloudTrailInsight\","
				  "\"recipientAccountId\":\"123456789012\","
				  "\"sharedEventID\":\"u-u-i-d\","
				  "\"insightDetails\":{\"state\":\"Start\","
				  "\"eventSource\":\"metrics.monfs\","
				  "\"eventName\":\"CreateNamespace\","
				  "\"insightType\":\"ApiCallRateInsight\","
				  "\"insightContext\":")),
		  "%s", line);
	cr_assert(strstr(line, ",\"eventCategory\":\"Insight\"}"), "%s", line);
	free(line);
	json_decref(rec);
}

Test(record, a_record_has_no_identity_request_id_or_read_only)
{
	struct trail_insights_details d = start_details();
	json_t *rec = trail_insights_record(
		&d, &(struct trail_insights_envelope){"local", "000000000000",
						      "x"});

	cr_assert_null(json_object_get(rec, "userIdentity"));
	cr_assert_null(json_object_get(rec, "requestID"));
	cr_assert_null(json_object_get(rec, "readOnly"));
	cr_assert_null(json_object_get(rec, "managementEvent"));
	json_decref(rec);
}

Test(record, statistics_hold_the_averages_and_durations)
{
	struct trail_insights_details d = start_details();
	json_t *rec = trail_insights_record(
		&d, &(struct trail_insights_envelope){"local", "000000000000",
						      "x"});

	cr_assert_float_eq(
		number_at(rec, "insightContext.statistics.baseline.average"),
		0.5, EPSILON);
	cr_assert_float_eq(
		number_at(rec, "insightContext.statistics.insight.average"),
		30.0, EPSILON);
	cr_assert_float_eq(
		number_at(rec, "insightContext.statistics.insightDuration"),
		1.0, EPSILON);
	cr_assert_float_eq(
		number_at(rec, "insightContext.statistics.baselineDuration"),
		2.0, EPSILON);
	json_decref(rec);
}

Test(record, attributions_name_each_attribute_with_insight_and_baseline)
{
	struct trail_insights_details d = start_details();
	json_t *details = trail_insights_details_json(&d);
	json_t *attrs = json_object_get(
		json_object_get(details, "insightContext"), "attributions");
	json_t *arn, *agent, *code, *v;

	cr_assert_eq(json_array_size(attrs), 3);
	arn = json_array_get(attrs, 0);
	agent = json_array_get(attrs, 1);
	code = json_array_get(attrs, 2);
	cr_assert_str_eq(json_string_value(json_object_get(arn, "attribute")),
			 "userIdentityArn");
	cr_assert_str_eq(json_string_value(json_object_get(agent, "attribute")),
			 "userAgent");
	cr_assert_str_eq(json_string_value(json_object_get(code, "attribute")),
			 "errorCode");
	v = json_array_get(json_object_get(arn, "insight"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(v, "value")),
			 "arn:aws:iam::000000000000:user/root");
	cr_assert_float_eq(json_number_value(json_object_get(v, "average")),
			   30.0, EPSILON);
	v = json_array_get(json_object_get(arn, "baseline"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(v, "value")),
			 "arn:aws:iam::000000000000:user/alice");
	/* An attribute without baseline values lists none. */
	cr_assert(json_is_array(json_object_get(agent, "baseline")));
	cr_assert_eq(json_array_size(json_object_get(agent, "baseline")), 0);
	v = json_array_get(json_object_get(code, "insight"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(v, "value")),
			 "null");
	json_decref(details);
}

Test(record, an_end_says_end_with_its_duration)
{
	struct trail_insights_details d = start_details();
	json_t *details;

	d.end = true;
	d.type = TRAIL_INSIGHTS_ERROR_RATE;
	d.insight_duration = 3;
	d.insight_average = 12.5;
	details = trail_insights_details_json(&d);
	cr_assert_str_eq(json_string_value(json_object_get(details, "state")),
			 "End");
	cr_assert_str_eq(
		json_string_value(json_object_get(details, "insightType")),
		"ApiErrorRateInsight");
	cr_assert_eq(json_integer_value(json_object_get(
			     json_object_get(
				     json_object_get(details, "insightContext"),
				     "statistics"),
			     "insightDuration")),
		     3);
	json_decref(details);
}
