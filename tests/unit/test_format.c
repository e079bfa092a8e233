/*
 * Unit tests for store/format: numbers as JavaScript and Java print
 * them, instants as RFC 3339, and the calendar underneath.
 */
#include "lib/format.h"

#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct number_case {
	double v;
	const char *want;
};

static void expect_js(double v, const char *want)
{
	char buf[FORMAT_DOUBLE_MAX];

	cr_assert_str_eq(format_double(buf, v), want, "%.17g printed \"%s\"", v,
			 buf);
}

static void expect_java(double v, const char *want)
{
	char buf[FORMAT_DOUBLE_MAX];

	cr_assert_str_eq(format_double_java(buf, v), want,
			 "%.17g printed \"%s\"", v, buf);
}

static void expect_time(int64_t ms, const char *want)
{
	char buf[FORMAT_TIME_MAX];

	cr_assert_str_eq(format_time(buf, ms), want, "%lld printed \"%s\"",
			 (long long)ms, buf);
}

static void expect_date(int64_t ms, const char *want)
{
	char buf[FORMAT_TIME_MAX];

	cr_assert_str_eq(format_date(buf, ms), want, "%lld printed \"%s\"",
			 (long long)ms, buf);
}

/* ---- JavaScript's Number.prototype.toString ---- */

Test(format_double, prints_the_javascript_table)
{
	static const struct number_case cases[] = {
		{0, "0"},
		{1, "1"},
		{100, "100"},
		{120, "120"},
		{0.1, "0.1"},
		{3.6, "3.6"},
		{-42.5, "-42.5"},
		{1.0 / 3, "0.3333333333333333"},
		{2.0 / 3, "0.6666666666666666"},
		{0.1 + 0.2, "0.30000000000000004"},
		{1e21, "1e+21"},
		{1e-7, "1e-7"},
		{1.5e-7, "1.5e-7"},
		{123e18, "123000000000000000000"},
		{123456789012345678901.0, "123456789012345680000"},
		{1e-6, "0.000001"},
		{0.000001234, "0.000001234"},
		{5e-324, "5e-324"},
		{DBL_MAX, "1.7976931348623157e+308"},
		{-DBL_MAX, "-1.7976931348623157e+308"},
		{DBL_MIN, "2.2250738585072014e-308"},
		{-2.5e300, "-2.5e+300"},
		{1e100, "1e+100"},
		{9007199254740992.0, "9007199254740992"},
		{0.5, "0.5"},
		{40, "40"},
		{70, "70"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_js(cases[i].v, cases[i].want);
}

Test(format_double, prints_negative_zero_as_zero)
{
	expect_js(-0.0, "0");
}

Test(format_double, switches_to_exponent_form_at_1e21_and_below_1e_6)
{
	expect_js(999999999999999900000.0, "999999999999999900000");
	expect_js(1e21, "1e+21");
	expect_js(1.5e21, "1.5e+21");
	expect_js(1e-6, "0.000001");
	expect_js(9.99e-7, "9.99e-7");
	expect_js(-1e-7, "-1e-7");
}

Test(format_double, prints_non_finite_values_by_name)
{
	expect_js(NAN, "NaN");
	expect_js(INFINITY, "Infinity");
	expect_js(-INFINITY, "-Infinity");
}

/*
 * At a power of two the rounding interval is narrower below: the closest
 * 16-digit decimal to 2^89 falls outside it, the next one up does not.
 */
Test(format_double, prefers_fewer_digits_to_the_closest_decimal)
{
	expect_js(ldexp(1, 89), "6.189700196426902e+26");
	expect_js(ldexp(1, -1017), "7.120236347223045e-307");
}

Test(format_double, reads_back_to_the_same_double)
{
	char buf[FORMAT_DOUBLE_MAX];
	uint64_t state = 88172645463325252u;
	int i;

	for (i = 0; i < 20000; i++) {
		uint64_t bits;
		double v;

		state ^= state << 13;
		state ^= state >> 7;
		state ^= state << 17;
		bits = state;
		memcpy(&v, &bits, sizeof(v));
		if (!isfinite(v))
			continue;
		format_double(buf, v);
		cr_assert_eq(strtod(buf, NULL), v, "%.17g printed \"%s\"", v,
			     buf);
		cr_assert_lt(strlen(buf), FORMAT_DOUBLE_MAX);
	}
}

/* ---- Java's Double.toString ---- */

Test(format_double_java, prints_the_java_table)
{
	static const struct number_case cases[] = {
		{0, "0.0"},
		{1, "1.0"},
		{88, "88.0"},
		{91.5, "91.5"},
		{100, "100.0"},
		{-42.5, "-42.5"},
		{0.1, "0.1"},
		{1.0 / 3, "0.3333333333333333"},
		{0.001, "0.001"},
		{1234567, "1234567.0"},
		{9999999, "9999999.0"},
		{1e7, "1.0E7"},
		{12345678.9, "1.23456789E7"},
		{123456789, "1.23456789E8"},
		{1e-4, "1.0E-4"},
		{0.000999, "9.99E-4"},
		{1.5e-7, "1.5E-7"},
		{1e21, "1.0E21"},
		{1e23, "1.0E23"},
		{-2.5e300, "-2.5E300"},
		{DBL_MAX, "1.7976931348623157E308"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_java(cases[i].v, cases[i].want);
}

Test(format_double_java, keeps_the_sign_of_zero)
{
	expect_java(0.0, "0.0");
	expect_java(-0.0, "-0.0");
}

Test(format_double_java, prints_non_finite_values_by_name)
{
	expect_java(NAN, "NaN");
	expect_java(INFINITY, "Infinity");
	expect_java(-INFINITY, "-Infinity");
}

/*
 * When one digit would do, Java picks the closest two-digit decimal:
 * Double.MIN_VALUE is "4.9E-324", where JavaScript prints "5e-324".
 */
Test(format_double_java, picks_the_closest_two_digits_when_one_would_do)
{
	expect_java(5e-324, "4.9E-324");
	expect_java(1e-323, "9.9E-324");
}

/* ---- instants ---- */

Test(format_time, prints_the_epoch)
{
	expect_time(0, "1970-01-01T00:00:00Z");
}

Test(format_time, prints_milliseconds_only_when_not_zero)
{
	expect_time(INT64_C(1795474860000), "2026-11-23T23:01:00Z");
	expect_time(INT64_C(1795474860005), "2026-11-23T23:01:00.005Z");
	expect_time(INT64_C(1795474860120), "2026-11-23T23:01:00.120Z");
	expect_time(INT64_C(1732400000123), "2024-11-23T22:13:20.123Z");
}

Test(format_time, prints_times_before_the_epoch)
{
	expect_time(-1, "1969-12-31T23:59:59.999Z");
	expect_time(-1000, "1969-12-31T23:59:59Z");
	expect_time(-1001, "1969-12-31T23:59:58.999Z");
	expect_time(-86400000, "1969-12-31T00:00:00Z");
	expect_time(INT64_C(-62135596800000), "0001-01-01T00:00:00Z");
}

Test(format_time, prints_leap_days)
{
	expect_time(INT64_C(1709210096789), "2024-02-29T12:34:56.789Z");
	expect_time(INT64_C(951782400000), "2000-02-29T00:00:00Z");
}

Test(format_time, knows_2100_is_not_a_leap_year)
{
	expect_time(INT64_C(4107542399000), "2100-02-28T23:59:59Z");
	expect_time(INT64_C(4107542400000), "2100-03-01T00:00:00Z");
}

Test(format_time, fits_its_buffer_at_the_extremes)
{
	char buf[FORMAT_TIME_MAX];

	cr_assert_lt(strlen(format_time(buf, INT64_MAX)), FORMAT_TIME_MAX);
	cr_assert_lt(strlen(format_time(buf, INT64_MIN)), FORMAT_TIME_MAX);
	cr_assert_lt(strlen(format_date(buf, INT64_MIN)), FORMAT_TIME_MAX);
}

Test(format_date, prints_the_utc_day)
{
	expect_date(0, "1970-01-01");
	expect_date(INT64_C(1795474860000), "2026-11-23");
	expect_date(-1, "1969-12-31");
	expect_date(INT64_C(1709251199999), "2024-02-29");
	expect_date(INT64_C(1709251200000), "2024-03-01");
}

/* ---- calendar ---- */

Test(days_from_civil, counts_days_from_the_epoch)
{
	cr_assert_eq(days_from_civil(1970, 1, 1), 0);
	cr_assert_eq(days_from_civil(1969, 12, 31), -1);
	cr_assert_eq(days_from_civil(2000, 3, 1), 11017);
	cr_assert_eq(days_from_civil(2026, 11, 23), 20780);
	cr_assert_eq(days_from_civil(0, 3, 1), -719468);
}

Test(civil_from_days, inverts_days_from_civil)
{
	int64_t days, year;
	unsigned month, day;

	for (days = -1000000; days <= 1000000; days += 7) {
		civil_from_days(days, &year, &month, &day);
		cr_assert(month >= 1 && month <= 12);
		cr_assert(day >= 1 && day <= 31);
		cr_assert_eq(days_from_civil(year, month, day), days,
			     "day %lld", (long long)days);
	}
}

Test(civil_from_days, steps_one_day_at_a_time)
{
	int64_t days, year, prev_year;
	unsigned month, day, prev_month, prev_day;

	civil_from_days(-800000, &prev_year, &prev_month, &prev_day);
	for (days = -799999; days <= 800000; days++) {
		civil_from_days(days, &year, &month, &day);
		if (day != 1) {
			cr_assert_eq(day, prev_day + 1);
			cr_assert_eq(month, prev_month);
		} else if (month != 1) {
			cr_assert_eq(month, prev_month + 1);
		} else {
			cr_assert_eq(year, prev_year + 1);
			cr_assert_eq(prev_month, 12);
		}
		if (day == 1)
			cr_assert(prev_day >= 28, "day %lld", (long long)days);
		prev_year = year;
		prev_month = month;
		prev_day = day;
	}
}

Test(format_table_line, pads_each_cell_to_its_column_and_none_at_the_end)
{
	struct strbuf out = STRBUF_INIT;
	const char *cells[] = {"a", "bbbb", "c"};
	const size_t width[] = {3, 4, 9};

	cr_assert_eq(format_table_line(&out, cells, width, 3), 0);
	cr_assert_eq(format_table_line(&out, cells, width, 1), 0);
	cr_assert_str_eq(out.buf, "a    bbbb  c\na\n");
	strbuf_release(&out);
}
