/*
 * Unit tests for lib/alarm_eval.c: how an alarm decides its state from
 * its evaluation range (SPEC 5's four cases) and the reason it gives.
 *
 * Ranges are written as strings, NEWEST PERIOD FIRST: 'X' a datapoint that
 * breaches, '0' one that does not, '-' a period without data. (CloudWatch's
 * documentation writes its tables oldest first; the rows taken from it are
 * reversed here.)
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "lib/alarm.h"
#include "lib/format.h"
#include "lib/timeutil.h"

#define KEPT (-1) /* the verdict keeps the current state */
#define RANGE_MAX 200

static const char *const missing_names[] = {"missing", "ignore", "breaching",
					    "notBreaching"};
static const char *const state_names[] = {"INSUFFICIENT_DATA", "OK", "ALARM"};

/* 2026-11-23T23:03:00Z, the newest period of the SPEC's example. */
static int64_t newest_start_ms(void)
{
	return (days_from_civil(2026, 11, 23) * 86400 + 23 * 3600 + 3 * 60) *
	       1000;
}

static struct alarm_def make_def(int n, int m, enum alarm_missing missing)
{
	struct alarm_def d;

	memset(&d, 0, sizeof(d));
	strcpy(d.ns, "EC2");
	strcpy(d.metric, "CPUUtilization");
	d.period_s = 60;
	d.comparison = CMP_GREATER;
	d.threshold = 80;
	d.evaluation_periods = n;
	d.datapoints_to_alarm = m;
	d.missing = missing;
	return d;
}

/* One-minute periods, newest first, the newest starting at 23:03:00. */
static size_t points_from(const char *pattern, struct alarm_point *points)
{
	size_t n = strlen(pattern);

	cr_assert(n <= RANGE_MAX);
	for (size_t i = 0; i < n; i++) {
		points[i].start_ms =
			newest_start_ms() - (int64_t)i * MS_PER_MINUTE;
		points[i].has_value = pattern[i] != '-';
		points[i].value = pattern[i] == 'X' ? 90.0 : 10.0;
	}
	return n;
}

/* A range of given values (NAN for an empty period), newest first. */
static size_t points_of(const double *values, size_t n,
			struct alarm_point *points)
{
	for (size_t i = 0; i < n; i++) {
		points[i].start_ms =
			newest_start_ms() - (int64_t)i * MS_PER_MINUTE;
		points[i].has_value = !isnan(values[i]);
		points[i].value = isnan(values[i]) ? 0 : values[i];
	}
	return n;
}

static struct alarm_verdict evaluate(const struct alarm_def *d,
				     const struct alarm_point *points, size_t n,
				     enum alarm_state current)
{
	struct alarm_verdict v;

	cr_assert_eq(n, (size_t)alarm_range(d), "a range of %zu periods", n);
	memset(&v, 0x5a, sizeof(v));
	alarm_evaluate(d, points, n, current, &v);
	cr_assert(memchr(v.reason, '\0', sizeof(v.reason)),
		  "reason NUL-terminated");
	return v;
}

static void expect_reason(const struct alarm_def *d, const double *values,
			  enum alarm_state current, enum alarm_state want,
			  const char *reason)
{
	struct alarm_point points[RANGE_MAX];
	size_t n = points_of(values, (size_t)alarm_range(d), points);
	struct alarm_verdict v = evaluate(d, points, n, current);

	cr_expect_eq(v.state, want, "state %s, want %s", state_names[v.state],
		     state_names[want]);
	cr_expect_str_eq(v.reason, reason);
}

/* ---- the evaluation range ---- */

Test(alarm_range, is_n_plus_a_third_of_n_and_at_least_two_more)
{
	static const int want[][2] = {{1, 3},  {2, 4},	 {3, 5},
				      {5, 7},  {6, 8},	 {8, 10},
				      {9, 12}, {10, 13}, {30, 40}};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct alarm_def d = make_def(want[i][0], 1, MISSING_MISSING);

		cr_expect_eq(alarm_range(&d), want[i][1], "N = %d: %d, want %d",
			     want[i][0], alarm_range(&d), want[i][1]);
	}
}

/* ---- the state, for each way of treating missing data ---- */

#define A ALARM_ALARM
#define O ALARM_OK
#define I ALARM_INSUFFICIENT_DATA

static const struct table_case {
	const char *what;
	int n, m;
	const char *range; /* newest first */
	int want[4];	   /* missing, ignore, breaching, notBreaching */
} table[] = {
	/* Case 1, k >= N: the newest N real datapoints, gaps skipped. */
	{"an empty newest period is covered by an older one",
	 3,
	 2,
	 "-XX00",
	 {A, A, A, A}},
	{"an empty period in the middle is skipped",
	 3,
	 2,
	 "X-X00",
	 {A, A, A, A}},
	{"empty oldest periods do not matter", 3, 2, "XX0--", {A, A, A, A}},
	{"older breaches beyond the newest N real datapoints are not counted",
	 3,
	 2,
	 "00XXX",
	 {O, O, O, O}},
	{"a breach older than the newest N real datapoints is not counted",
	 3,
	 2,
	 "0X0-X",
	 {O, O, O, O}},
	{"CloudWatch 3/3 row 0-X-X", 3, 3, "X-X-0", {O, O, O, O}},
	{"CloudWatch 3/3 row 0XX-X", 3, 3, "X-XX0", {A, A, A, A}},
	{"CloudWatch 2/3 row 0-X-X", 3, 2, "X-X-0", {A, A, A, A}},
	{"CloudWatch 2/3 row 00X0X", 3, 2, "X0X00", {A, A, A, A}},
	{"N = 1 looks past an empty newest period", 1, 1, "-0X", {O, O, O, O}},
	{"N = 1, the newest datapoint breaches", 1, 1, "X0-", {A, A, A, A}},
	/* M out of N at the edges. */
	{"M = N, all N breach", 3, 3, "XXX--", {A, A, A, A}},
	{"M = N, N - 1 breach", 3, 3, "XX0--", {O, O, O, O}},
	{"M = 1, one breach", 3, 1, "0X0--", {A, A, A, A}},
	{"M = 1, no breach", 3, 1, "000--", {O, O, O, O}},
	{"exactly M breach", 5, 3, "X0X0X--", {A, A, A, A}},
	{"M - 1 breach", 5, 3, "X0X00--", {O, O, O, O}},
	/* Case 2, k = 0. */
	{"no data at all", 3, 2, "-----", {I, KEPT, A, O}},
	{"no data at all, N = 1", 1, 1, "---", {I, KEPT, A, O}},
	/* Cases 3 and 4, 0 < k < N. */
	{"sparse, empty newest periods", 3, 2, "--X0-", {O, O, A, O}},
	{"sparse, empty middle period", 3, 2, "X-0--", {O, O, A, O}},
	{"sparse, empty oldest periods, M real breaches",
	 3,
	 2,
	 "XX---",
	 {A, A, A, A}},
	{"sparse, M real breaches among k < N", 5, 2, "X-X----", {A, A, A, A}},
	{"sparse, one breach of two", 4, 2, "X0----", {O, O, A, O}},
	{"CloudWatch 2/3 row 0-X--", 3, 2, "--X-0", {O, O, A, O}},
	{"CloudWatch 2/3 row ----0", 3, 2, "0----", {O, O, A, O}},
	{"CloudWatch 3/3 row 0----", 3, 3, "----0", {O, O, O, O}},
	/* k < M and no premature alarm: the real datapoints say OK (SPEC 5;
	   CloudWatch's tables show INSUFFICIENT_DATA / kept / ALARM here). */
	{"2/3, lone breach in the newest period", 3, 2, "X----", {O, O, A, O}},
	{"3/3, lone breach in the newest period", 3, 3, "X----", {O, O, A, O}},
	{"3/3, lone breach older than the newest N periods",
	 3,
	 3,
	 "----X",
	 {O, O, A, O}},
	{"3/3, two breaches only two periods back",
	 3,
	 3,
	 "XX---",
	 {O, O, A, O}},
	/* The premature-alarm rule. */
	{"premature: one breach M periods back, nothing newer",
	 3,
	 3,
	 "--X--",
	 {A, KEPT, A, O}},
	{"premature: an older non-breaching datapoint does not matter",
	 4,
	 3,
	 "--X0--",
	 {A, KEPT, A, O}},
	{"premature: newer periods breach or are empty",
	 4,
	 3,
	 "-XX---",
	 {A, KEPT, A, O}},
	{"premature: 2/3, breach two periods back",
	 3,
	 2,
	 "-X---",
	 {A, KEPT, A, O}},
	{"not premature: a newer datapoint does not breach",
	 3,
	 3,
	 "-0X--",
	 {O, O, O, O}},
	{"not premature: the breach is only M - 1 periods back",
	 4,
	 3,
	 "-X----",
	 {O, O, A, O}},
};

Test(alarm_evaluate, decides_each_row_of_the_table_for_each_treatment)
{
	static const enum alarm_state currents[] = {ALARM_INSUFFICIENT_DATA,
						    ALARM_OK, ALARM_ALARM};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct table_case *c = &table[i];

		for (int missing = 0; missing < 4; missing++) {
			struct alarm_def d = make_def(
				c->n, c->m, (enum alarm_missing)missing);
			struct alarm_point points[RANGE_MAX];
			size_t n = points_from(c->range, points);

			for (size_t j = 0; j < 3; j++) {
				struct alarm_verdict v =
					evaluate(&d, points, n, currents[j]);
				int want = c->want[missing] == KEPT
						   ? (int)currents[j]
						   : c->want[missing];

				cr_expect_eq(v.state, (enum alarm_state)want,
					     "%s (%d/%d, %s, %s, from %s): "
					     "%s, want %s",
					     c->what, c->m, c->n, c->range,
					     missing_names[missing],
					     state_names[currents[j]],
					     state_names[v.state],
					     state_names[want]);
				cr_expect_eq(v.keep, c->want[missing] == KEPT,
					     "%s (%s, %s): keep %d", c->what,
					     c->range, missing_names[missing],
					     v.keep);
			}
		}
	}
}

Test(alarm_evaluate, ignore_with_no_data_keeps_whatever_state_it_was_in)
{
	struct alarm_def d = make_def(3, 2, MISSING_IGNORE);
	struct alarm_point points[RANGE_MAX];
	size_t n = points_from("-----", points);

	for (int s = ALARM_INSUFFICIENT_DATA; s <= ALARM_ALARM; s++) {
		struct alarm_verdict v =
			evaluate(&d, points, n, (enum alarm_state)s);

		cr_expect(v.keep);
		cr_expect_eq(v.state, (enum alarm_state)s);
		cr_expect_str_eq(v.reason,
				 "Unchanged: no datapoints were received for 3 "
				 "periods and missing data is ignored.");
	}
}

/* ---- each comparison, at the threshold and beside it ---- */

Test(alarm_evaluate, each_comparison_breaches_as_its_operator_says)
{
	static const struct {
		enum alarm_comparison cmp;
		double value;
		enum alarm_state want;
	} cases[] = {
		{CMP_GREATER, 80.0, ALARM_OK},
		{CMP_GREATER, 80.5, ALARM_ALARM},
		{CMP_GREATER_EQUAL, 80.0, ALARM_ALARM},
		{CMP_GREATER_EQUAL, 79.9, ALARM_OK},
		{CMP_LESS, 80.0, ALARM_OK},
		{CMP_LESS, 79.9, ALARM_ALARM},
		{CMP_LESS_EQUAL, 80.0, ALARM_ALARM},
		{CMP_LESS_EQUAL, 80.1, ALARM_OK},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct alarm_def d = make_def(1, 1, MISSING_MISSING);
		const double values[] = {cases[i].value, NAN, NAN};
		struct alarm_point points[RANGE_MAX];
		size_t n = points_of(values, 3, points);
		struct alarm_verdict v;

		d.comparison = cases[i].cmp;
		v = evaluate(&d, points, n, ALARM_INSUFFICIENT_DATA);
		cr_expect_eq(v.state, cases[i].want, "comparison %d, %g: %s",
			     (int)cases[i].cmp, cases[i].value,
			     state_names[v.state]);
	}
}

Test(alarm_reason, names_each_comparison_in_words)
{
	static const struct {
		enum alarm_comparison cmp;
		enum alarm_state want;
		const char *reason;
	} cases[] = {
		{CMP_GREATER, ALARM_OK,
		 "Threshold Crossed: 1 datapoint [80.0 (23/11/26 23:03:00)] "
		 "was "
		 "not greater than the threshold (80.0)."},
		{CMP_GREATER_EQUAL, ALARM_ALARM,
		 "Threshold Crossed: 1 datapoint [80.0 (23/11/26 23:03:00)] "
		 "was "
		 "greater than or equal to the threshold (80.0)."},
		{CMP_LESS, ALARM_OK,
		 "Threshold Crossed: 1 datapoint [80.0 (23/11/26 23:03:00)] "
		 "was "
		 "not less than the threshold (80.0)."},
		{CMP_LESS_EQUAL, ALARM_ALARM,
		 "Threshold Crossed: 1 datapoint [80.0 (23/11/26 23:03:00)] "
		 "was "
		 "less than or equal to the threshold (80.0)."},
	};
	const double values[] = {80.0, NAN, NAN};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct alarm_def d = make_def(1, 1, MISSING_MISSING);

		d.comparison = cases[i].cmp;
		expect_reason(&d, values, ALARM_INSUFFICIENT_DATA,
			      cases[i].want, cases[i].reason);
	}
}

/* ---- reasons, in CloudWatch's words ---- */

Test(alarm_reason, the_specs_two_out_of_three_example)
{
	struct alarm_def d = make_def(3, 2, MISSING_MISSING);
	const double values[] = {91.5, 88.0, 50.0, NAN, NAN};
	const char *want =
		"Threshold Crossed: 2 out of the last 3 datapoints [91.5 "
		"(23/11/26 23:03:00), 88.0 (23/11/26 23:02:00)] were greater "
		"than the threshold (80.0) (minimum 2 datapoints for OK -> "
		"ALARM transition).";

	expect_reason(&d, values, ALARM_OK, ALARM_ALARM, want);
	expect_reason(&d, values, ALARM_INSUFFICIENT_DATA, ALARM_ALARM, want);
}

Test(alarm_reason, the_specs_one_datapoint_example)
{
	struct alarm_def d = make_def(1, 1, MISSING_MISSING);
	const double values[] = {91.5, NAN, NAN};

	expect_reason(&d, values, ALARM_OK, ALARM_ALARM,
		      "Threshold Crossed: 1 datapoint [91.5 (23/11/26 "
		      "23:03:00)] was greater than the threshold (80.0).");
}

Test(alarm_reason, one_datapoint_towards_ok)
{
	struct alarm_def d = make_def(1, 1, MISSING_MISSING);
	const double values[] = {NAN, 12.0, 95.0};

	expect_reason(&d, values, ALARM_ALARM, ALARM_OK,
		      "Threshold Crossed: 1 datapoint [12.0 (23/11/26 "
		      "23:02:00)] was not greater than the threshold (80.0).");
}

Test(alarm_reason, the_specs_insufficient_data_example)
{
	struct alarm_def d = make_def(3, 2, MISSING_MISSING);
	const double values[] = {NAN, NAN, NAN, NAN, NAN};

	expect_reason(&d, values, ALARM_OK, ALARM_INSUFFICIENT_DATA,
		      "Insufficient Data: 3 datapoints were unknown.");
	d = make_def(1, 1, MISSING_MISSING);
	expect_reason(&d, values, ALARM_OK, ALARM_INSUFFICIENT_DATA,
		      "Insufficient Data: 1 datapoint was unknown.");
}

Test(alarm_reason, towards_ok_lists_what_did_not_breach)
{
	struct alarm_def d = make_def(3, 2, MISSING_MISSING);
	const double values[] = {50.0, 88.0, 40.0, NAN, NAN};

	expect_reason(&d, values, ALARM_ALARM, ALARM_OK,
		      "Threshold Crossed: 2 out of the last 3 datapoints [50.0 "
		      "(23/11/26 23:03:00), 40.0 (23/11/26 23:01:00)] were not "
		      "greater than the threshold (80.0) (minimum 2 datapoints "
		      "for ALARM -> OK transition).");
}

Test(alarm_reason, a_minimum_of_one_is_singular)
{
	struct alarm_def d = make_def(3, 3, MISSING_MISSING);
	const double values[] = {91.5, 50.0, 88.0, NAN, NAN};

	expect_reason(&d, values, ALARM_ALARM, ALARM_OK,
		      "Threshold Crossed: 1 out of the last 3 datapoints [50.0 "
		      "(23/11/26 23:02:00)] was not greater than the threshold "
		      "(80.0) (minimum 1 datapoint for ALARM -> OK "
		      "transition).");
}

Test(alarm_reason, no_transition_clause_when_the_state_stays)
{
	struct alarm_def d = make_def(3, 2, MISSING_MISSING);
	const double values[] = {91.5, 88.0, 50.0, NAN, NAN};

	expect_reason(&d, values, ALARM_ALARM, ALARM_ALARM,
		      "Threshold Crossed: 2 out of the last 3 datapoints [91.5 "
		      "(23/11/26 23:03:00), 88.0 (23/11/26 23:02:00)] were "
		      "greater than the threshold (80.0).");
}

Test(alarm_reason, skips_empty_periods_and_older_datapoints)
{
	struct alarm_def d = make_def(3, 2, MISSING_MISSING);
	const double values[] = {NAN, 91.5, 10.0, 88.0, 99.0};

	expect_reason(&d, values, ALARM_OK, ALARM_ALARM,
		      "Threshold Crossed: 2 out of the last 3 datapoints [91.5 "
		      "(23/11/26 23:02:00), 88.0 (23/11/26 23:00:00)] were "
		      "greater than the threshold (80.0) (minimum 2 datapoints "
		      "for OK -> ALARM transition).");
}

Test(alarm_reason, numbers_print_as_java_doubles)
{
	struct alarm_def d = make_def(1, 1, MISSING_MISSING);
	const double values[] = {2.5e7, NAN, NAN};

	d.threshold = 1e7;
	expect_reason(&d, values, ALARM_OK, ALARM_ALARM,
		      "Threshold Crossed: 1 datapoint [2.5E7 (23/11/26 "
		      "23:03:00)] was greater than the threshold (1.0E7).");
}

Test(alarm_reason, times_are_day_month_two_digit_year_in_utc)
{
	static const struct {
		int64_t year;
		unsigned month, day;
		int hour, minute;
		const char *reason;
	} cases[] = {
		{1999, 12, 31, 23, 59,
		 "Threshold Crossed: 1 datapoint [91.5 (31/12/99 23:59:00)] "
		 "was "
		 "greater than the threshold (80.0)."},
		{2000, 1, 1, 0, 0,
		 "Threshold Crossed: 1 datapoint [91.5 (01/01/00 00:00:00)] "
		 "was "
		 "greater than the threshold (80.0)."},
		{1969, 12, 31, 23, 59,
		 "Threshold Crossed: 1 datapoint [91.5 (31/12/69 23:59:00)] "
		 "was "
		 "greater than the threshold (80.0)."},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct alarm_def d = make_def(1, 1, MISSING_MISSING);
		struct alarm_point points[3] = {
			{0, false, 0}, {0, false, 0}, {0, false, 0}};
		struct alarm_verdict v;

		points[0].start_ms =
			(days_from_civil(cases[i].year, cases[i].month,
					 cases[i].day) *
				 86400 +
			 cases[i].hour * 3600 + cases[i].minute * 60) *
			1000;
		points[0].has_value = true;
		points[0].value = 91.5;
		v = evaluate(&d, points, 3, ALARM_OK);
		cr_expect_str_eq(v.reason, cases[i].reason);
	}
}

Test(alarm_reason, filled_breaching_datapoints_are_counted_not_listed)
{
	struct alarm_def d = make_def(3, 2, MISSING_BREACHING);
	const double values[] = {91.5, NAN, NAN, NAN, NAN};

	expect_reason(&d, values, ALARM_OK, ALARM_ALARM,
		      "Threshold Crossed: 3 out of the last 3 datapoints [91.5 "
		      "(23/11/26 23:03:00)] were greater than the threshold "
		      "(80.0), counting 2 missing datapoints treated as "
		      "[Breaching] (minimum 2 datapoints for OK -> ALARM "
		      "transition).");
}

Test(alarm_reason, filled_non_breaching_datapoints_are_counted_not_listed)
{
	struct alarm_def d = make_def(3, 2, MISSING_NOT_BREACHING);
	const double one_good[] = {NAN, 50.0, NAN, NAN, NAN};
	const double one_bad[] = {91.5, NAN, NAN, NAN, NAN};

	expect_reason(
		&d, one_good, ALARM_ALARM, ALARM_OK,
		"Threshold Crossed: 3 out of the last 3 datapoints [50.0 "
		"(23/11/26 23:02:00)] were not greater than the threshold "
		"(80.0), counting 2 missing datapoints treated as "
		"[NonBreaching] (minimum 2 datapoints for ALARM -> OK "
		"transition).");
	/* Only filled datapoints decided: no list at all. */
	expect_reason(&d, one_bad, ALARM_ALARM, ALARM_OK,
		      "Threshold Crossed: 2 out of the last 3 datapoints were "
		      "not greater than the threshold (80.0), counting 2 "
		      "missing datapoints treated as [NonBreaching] (minimum 2 "
		      "datapoints for ALARM -> OK transition).");
}

Test(alarm_reason, filled_datapoints_against_the_verdict_are_not_mentioned)
{
	struct alarm_def d = make_def(3, 3, MISSING_BREACHING);
	const double values[] = {NAN, NAN, NAN, NAN, 50.0};

	expect_reason(&d, values, ALARM_ALARM, ALARM_OK,
		      "Threshold Crossed: 1 out of the last 3 datapoints [50.0 "
		      "(23/11/26 22:59:00)] was not greater than the threshold "
		      "(80.0) (minimum 1 datapoint for ALARM -> OK "
		      "transition).");
}

Test(alarm_reason, no_data_filled_in)
{
	struct alarm_def d = make_def(3, 2, MISSING_BREACHING);
	const double values[] = {NAN, NAN, NAN, NAN, NAN};

	expect_reason(&d, values, ALARM_OK, ALARM_ALARM,
		      "Threshold Crossed: no datapoints were received for 3 "
		      "periods and 3 missing datapoints were treated as "
		      "[Breaching].");
	d = make_def(1, 1, MISSING_NOT_BREACHING);
	expect_reason(&d, values, ALARM_ALARM, ALARM_OK,
		      "Threshold Crossed: no datapoints were received for 1 "
		      "period and 1 missing datapoint was treated as "
		      "[NonBreaching].");
}

Test(alarm_reason, premature_alarm)
{
	struct alarm_def d = make_def(3, 3, MISSING_MISSING);
	const double values[] = {NAN, NAN, 91.5, NAN, NAN};

	expect_reason(&d, values, ALARM_OK, ALARM_ALARM,
		      "Threshold Crossed: 1 out of the last 3 periods [91.5 "
		      "(23/11/26 23:01:00)] was greater than the threshold "
		      "(80.0) and the other 2 had no data (premature alarm: "
		      "fewer than 3 datapoints, but the oldest breaching one "
		      "is at least 3 periods back).");
}

Test(alarm_reason, premature_alarm_with_ignore_keeps_the_state)
{
	struct alarm_def d = make_def(4, 3, MISSING_IGNORE);
	const double values[] = {NAN, 91.5, 88.0, NAN, NAN, NAN};
	struct alarm_point points[RANGE_MAX];
	size_t n = points_of(values, 6, points);
	struct alarm_verdict v = evaluate(&d, points, n, ALARM_OK);

	cr_expect(v.keep);
	cr_expect_eq(v.state, ALARM_OK);
	cr_expect_str_eq(v.reason,
			 "Unchanged: 2 out of the last 3 periods [91.5 "
			 "(23/11/26 23:02:00), 88.0 (23/11/26 23:01:00)] were "
			 "greater than the threshold (80.0) and the other 1 "
			 "had no data (premature alarm: fewer than 3 "
			 "datapoints, but the oldest breaching one is at least "
			 "3 periods back; missing data is ignored, so the "
			 "state is kept).");
}

Test(alarm_reason, too_few_breaching_datapoints_to_alarm)
{
	struct alarm_def d = make_def(3, 3, MISSING_MISSING);
	const double values[] = {91.5, 88.0, NAN, NAN, NAN};

	expect_reason(&d, values, ALARM_INSUFFICIENT_DATA, ALARM_OK,
		      "Threshold Crossed: 2 datapoints [91.5 (23/11/26 "
		      "23:03:00), 88.0 (23/11/26 23:02:00)] were greater than "
		      "the threshold (80.0), fewer than the 3 needed for OK -> "
		      "ALARM transition.");
}

Test(alarm_reason, sparse_datapoints_decide_among_themselves)
{
	struct alarm_def d = make_def(5, 2, MISSING_MISSING);
	const double alarm[] = {91.5, NAN, 88.0, NAN, NAN, NAN, NAN};
	const double ok[] = {91.5, NAN, 10.0, NAN, NAN, NAN, NAN};

	expect_reason(&d, alarm, ALARM_OK, ALARM_ALARM,
		      "Threshold Crossed: 2 out of the last 2 datapoints [91.5 "
		      "(23/11/26 23:03:00), 88.0 (23/11/26 23:01:00)] were "
		      "greater than the threshold (80.0) (minimum 2 datapoints "
		      "for OK -> ALARM transition).");
	expect_reason(&d, ok, ALARM_ALARM, ALARM_OK,
		      "Threshold Crossed: 1 out of the last 2 datapoints [10.0 "
		      "(23/11/26 23:01:00)] was not greater than the threshold "
		      "(80.0) (minimum 4 datapoints for ALARM -> OK "
		      "transition).");
}

Test(alarm_reason, a_long_list_is_cut_and_the_sentence_kept_whole)
{
	struct alarm_def d = make_def(100, 1, MISSING_MISSING);
	struct alarm_point points[RANGE_MAX];
	const char *tail = "] were greater than the threshold (80.0) (minimum "
			   "1 datapoint for OK -> ALARM transition).";
	size_t n = (size_t)alarm_range(&d);
	struct alarm_verdict v;
	size_t len;

	for (size_t i = 0; i < n; i++) {
		points[i].start_ms =
			newest_start_ms() - (int64_t)i * MS_PER_MINUTE;
		points[i].has_value = true;
		points[i].value = 91.25 + (double)i;
	}
	v = evaluate(&d, points, n, ALARM_OK);
	len = strlen(v.reason);
	cr_expect_eq(v.state, ALARM_ALARM);
	cr_expect(len < sizeof(v.reason));
	cr_expect(strncmp(v.reason,
			  "Threshold Crossed: 100 out of the last 100 "
			  "datapoints [91.25 (23/11/26 23:03:00), ",
			  strlen("Threshold Crossed: 100 out of the last 100 "
				 "datapoints [91.25 (23/11/26 23:03:00), ")) ==
			  0,
		  "%s", v.reason);
	cr_expect(strstr(v.reason, ", ...] were greater") != NULL, "%s",
		  v.reason);
	cr_expect(len > strlen(tail) &&
			  strcmp(v.reason + len - strlen(tail), tail) == 0,
		  "%s", v.reason);
}

Test(alarm_evaluate, is_deterministic_and_leaves_its_input_alone)
{
	struct alarm_def d = make_def(3, 2, MISSING_MISSING);
	struct alarm_point points[RANGE_MAX], copy[RANGE_MAX];
	size_t n = points_from("X-X00", points);
	struct alarm_verdict a, b;

	memcpy(copy, points, sizeof(points));
	a = evaluate(&d, points, n, ALARM_OK);
	b = evaluate(&d, points, n, ALARM_OK);
	cr_expect_eq(a.state, b.state);
	cr_expect_eq(a.keep, b.keep);
	cr_expect_str_eq(a.reason, b.reason);
	cr_expect(memcmp(copy, points, n * sizeof(points[0])) == 0);
}
