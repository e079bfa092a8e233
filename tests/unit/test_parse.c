/*
 * Unit tests for store/parse: what a user may type as a value, a
 * timestamp, a relative time, a name or a period, and what is refused.
 */
#include "lib/parse.h"

#include "lib/format.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 2026-11-23T12:00:00Z */
#define NOON_MS INT64_C(1795435200000)
#define NOW_MS INT64_C(1000000000000)

static int value(const char *s, double *out)
{
	return parse_value(s, strlen(s), out);
}

static int timestamp(const char *s, int64_t *out)
{
	return parse_timestamp(s, strlen(s), out);
}

static int time_arg(const char *s, int64_t *out)
{
	return parse_time_arg(s, strlen(s), NOW_MS, out);
}

static int name(const char *s)
{
	return parse_name(s, strlen(s));
}

static int period(const char *s, int64_t *out)
{
	return parse_period(s, strlen(s), out);
}

static void expect_value(const char *s, double want)
{
	double got = -12345;

	cr_assert_eq(value(s, &got), 0, "\"%s\" should be accepted", s);
	cr_assert_eq(got, want, "\"%s\" read as %.17g, want %.17g", s, got,
		     want);
}

static void expect_bad_value(const char *s)
{
	double got = -12345;

	cr_assert_eq(value(s, &got), -EINVAL, "\"%s\" should be refused", s);
	cr_assert_eq(got, -12345, "a refused value wrote its result");
}

static void expect_timestamp(const char *s, int64_t want)
{
	int64_t got = -12345;

	cr_assert_eq(timestamp(s, &got), 0, "\"%s\" should be accepted", s);
	cr_assert_eq(got, want, "\"%s\" read as %lld, want %lld", s,
		     (long long)got, (long long)want);
}

static void expect_bad_timestamp(const char *s)
{
	int64_t got = -12345;

	cr_assert_eq(timestamp(s, &got), -EINVAL, "\"%s\" should be refused",
		     s);
	cr_assert_eq(got, -12345, "a refused timestamp wrote its result");
}

static void expect_time_arg(const char *s, int64_t want)
{
	int64_t got = -12345;

	cr_assert_eq(time_arg(s, &got), 0, "\"%s\" should be accepted", s);
	cr_assert_eq(got, want, "\"%s\" read as %lld, want %lld", s,
		     (long long)got, (long long)want);
}

static void expect_bad_time_arg(const char *s)
{
	int64_t got = -12345;

	cr_assert_eq(time_arg(s, &got), -EINVAL, "\"%s\" should be refused", s);
	cr_assert_eq(got, -12345, "a refused time wrote its result");
}

static void expect_period(const char *s, int64_t want)
{
	int64_t got = -12345;

	cr_assert_eq(period(s, &got), 0, "\"%s\" should be accepted", s);
	cr_assert_eq(got, want, "\"%s\" read as %lld", s, (long long)got);
}

static void expect_bad_period(const char *s)
{
	int64_t got = -12345;

	cr_assert_eq(period(s, &got), -EINVAL, "\"%s\" should be refused", s);
	cr_assert_eq(got, -12345, "a refused period wrote its result");
}

/* ---- values ---- */

Test(parse_value, reads_integers)
{
	expect_value("0", 0);
	expect_value("5", 5);
	expect_value("120", 120);
	expect_value("007", 7);
	expect_value("9007199254740993", 9007199254740992.0);
}

/*
 * Plain decimals take a fast path (Clinger's): it must give strtod's
 * double bit for bit, at every length around its limits (15 significant
 * digits, 22 decimals), with leading zeros, signs and a bare dot.
 */
Test(parse_value, plain_decimals_read_bit_for_bit_as_strtod_does)
{
	unsigned seed = 12345;
	char text[64];
	int i;

	for (i = 0; i < 200000; i++) {
		int digits =
			1 +
			(int)((seed = seed * 1103515245 + 12345) >> 16) % 19;
		int dot = (int)((seed = seed * 1103515245 + 12345) >> 16) %
			  (digits + 2);
		int zeros = (int)((seed = seed * 1103515245 + 12345) >> 16) % 4;
		size_t n = 0;
		double got, want;
		uint64_t a, b;
		int d;

		if (i % 3 == 0)
			text[n++] = i % 2 ? '-' : '+';
		for (d = 0; d < zeros; d++)
			text[n++] = '0';
		for (d = 0; d < digits; d++) {
			if (d == dot)
				text[n++] = '.';
			seed = seed * 1103515245 + 12345;
			text[n++] = (char)('0' + (seed >> 16) % 10);
		}
		if (dot == digits)
			text[n++] = '.';
		text[n] = '\0';
		cr_assert_eq(parse_value(text, n, &got), 0, "%s", text);
		want = strtod(text, NULL);
		memcpy(&a, &got, sizeof(a));
		memcpy(&b, &want, sizeof(b));
		cr_assert_eq(a, b, "%s: %.17g, strtod %.17g", text, got, want);
	}
}

Test(parse_value, reads_signs)
{
	expect_value("-5", -5);
	expect_value("+5", 5);
	expect_value("-0", -0.0);
	expect_value("-.5", -0.5);
}

Test(parse_value, reads_decimals)
{
	expect_value("3.25", 3.25);
	expect_value("0.1", 0.1);
	expect_value(".5", 0.5);
	expect_value("5.", 5);
}

Test(parse_value, reads_exponents)
{
	expect_value("1e3", 1000);
	expect_value("1E-3", 0.001);
	expect_value("-2.5e+300", -2.5e300);
	expect_value("1.5e-7", 1.5e-7);
}

Test(parse_value, accepts_underflow_to_zero_or_denormal)
{
	expect_value("1e-400", 0);
	expect_value("-1e-400", -0.0);
	expect_value("4e-320", 4e-320);
	expect_value("5e-324", 5e-324);
}

Test(parse_value, refuses_overflow)
{
	expect_bad_value("1e400");
	expect_bad_value("-1e400");
	expect_bad_value("1.8e308");
}

Test(parse_value, accepts_the_largest_double)
{
	expect_value("1.7976931348623157e308", 1.7976931348623157e308);
}

Test(parse_value, refuses_hexadecimal)
{
	expect_bad_value("0x10");
	expect_bad_value("0X10");
	expect_bad_value("-0x1p3");
	expect_bad_value("+0x1");
	expect_bad_value("0x");
}

Test(parse_value, refuses_nan_and_infinities)
{
	expect_bad_value("nan");
	expect_bad_value("NaN");
	expect_bad_value("-nan");
	expect_bad_value("nan(123)");
	expect_bad_value("inf");
	expect_bad_value("-INF");
	expect_bad_value("+Infinity");
	expect_bad_value("infinity");
}

Test(parse_value, refuses_empty_and_bare_signs)
{
	expect_bad_value("");
	expect_bad_value("+");
	expect_bad_value("-");
	expect_bad_value(".");
	expect_bad_value("+.");
}

Test(parse_value, refuses_trailing_garbage)
{
	expect_bad_value("1.2.3");
	expect_bad_value("5abc");
	expect_bad_value("5e");
	expect_bad_value("5e+");
	expect_bad_value("1,5");
	expect_bad_value("5%");
}

Test(parse_value, refuses_blanks_since_fields_are_already_split)
{
	expect_bad_value(" 5");
	expect_bad_value("5 ");
	expect_bad_value("\t5");
	expect_bad_value("5\n");
	expect_bad_value("- 5");
}

Test(parse_value, refuses_malformed_numbers)
{
	expect_bad_value("--5");
	expect_bad_value("+-5");
	expect_bad_value("e5");
	expect_bad_value("abc");
}

Test(parse_value, refuses_an_embedded_nul)
{
	static const char text[] = {'5', '\0', '7'};
	double got = -12345;

	cr_assert_eq(parse_value(text, sizeof(text), &got), -EINVAL);
	cr_assert_eq(got, -12345);
}

Test(parse_value, reads_only_the_given_range)
{
	double got = 0;

	cr_assert_eq(parse_value("12345", 2, &got), 0);
	cr_assert_eq(got, 12);
	cr_assert_eq(parse_value("7 8", 1, &got), 0);
	cr_assert_eq(got, 7);
}

Test(parse_value, accepts_400_bytes_and_refuses_401)
{
	char text[402];
	double got = -1;

	/* "0.000…0001" of 400 bytes */
	memset(text, '0', sizeof(text));
	text[1] = '.';
	text[399] = '1';
	cr_assert_eq(parse_value(text, 400, &got), 0);
	cr_assert_eq(got, 0); /* 1e-398 underflows */

	text[399] = '0';
	text[400] = '1';
	cr_assert_eq(parse_value(text, 401, &got), -EINVAL);
}

/* ---- timestamps ---- */

Test(parse_timestamp, reads_integer_unix_seconds)
{
	expect_timestamp("0", 0);
	expect_timestamp("1732400000", INT64_C(1732400000000));
	expect_timestamp("01732400000", INT64_C(1732400000000));
}

Test(parse_timestamp, reads_fractional_unix_seconds_exactly)
{
	expect_timestamp("1732400000.25", INT64_C(1732400000250));
	expect_timestamp("1732400000.123", INT64_C(1732400000123));
	expect_timestamp("1732400000.5", INT64_C(1732400000500));
	expect_timestamp("1732400000.05", INT64_C(1732400000050));
	expect_timestamp("1732400000.001", INT64_C(1732400000001));
	expect_timestamp("0.999", 999);
}

Test(parse_timestamp, truncates_fractions_finer_than_a_millisecond)
{
	expect_timestamp("1732400000.1239", INT64_C(1732400000123));
	expect_timestamp("1732400000.9999999", INT64_C(1732400000999));
	expect_timestamp("0.0009", 0);
}

Test(parse_timestamp, refuses_malformed_unix_seconds)
{
	expect_bad_timestamp("");
	expect_bad_timestamp("-5");
	expect_bad_timestamp("+5");
	expect_bad_timestamp(".5");
	expect_bad_timestamp("5.");
	expect_bad_timestamp("1.2.3");
	expect_bad_timestamp("1e9");
	expect_bad_timestamp("1732400000 ");
	expect_bad_timestamp(" 1732400000");
	expect_bad_timestamp("1732400000s");
	expect_bad_timestamp("0x10");
}

Test(parse_timestamp, refuses_seconds_beyond_int64_milliseconds)
{
	expect_timestamp("9223372036854775", INT64_C(9223372036854775000));
	expect_timestamp("9223372036854775.807", INT64_MAX);
	expect_bad_timestamp("9223372036854775.808");
	expect_bad_timestamp("9223372036854776");
	expect_bad_timestamp("99999999999999999999");
	expect_bad_timestamp("99999999999999999999999999999999999999");
}

Test(parse_timestamp, reads_rfc3339_in_utc)
{
	expect_timestamp("2026-11-23T12:00:00Z", NOON_MS);
	expect_timestamp("1970-01-01T00:00:00Z", 0);
	expect_timestamp("2026-11-23t12:00:00z", NOON_MS);
}

Test(parse_timestamp, applies_positive_offsets_as_ahead_of_utc)
{
	/* +01:00 is one hour ahead: the same instant is an hour earlier */
	expect_timestamp("2026-11-23T13:00:00+01:00", NOON_MS);
	expect_timestamp("2026-11-23T12:00:00+01:00", NOON_MS - 3600000);
	expect_timestamp("2026-11-24T01:45:00+13:45", NOON_MS);
}

Test(parse_timestamp, applies_negative_offsets_as_behind_utc)
{
	expect_timestamp("2026-11-23T07:30:00-04:30", NOON_MS);
	expect_timestamp("2026-11-23T12:00:00-00:00", NOON_MS);
	expect_timestamp("1969-12-31T19:00:00-05:00", 0);
}

Test(parse_timestamp, reads_rfc3339_fractional_seconds)
{
	expect_timestamp("2026-11-23T13:00:00.5+01:00", NOON_MS + 500);
	expect_timestamp("2026-11-23T12:00:00.123Z", NOON_MS + 123);
	expect_timestamp("2026-11-23T12:00:00.123456789Z", NOON_MS + 123);
	expect_timestamp("2026-11-23T12:00:00.000Z", NOON_MS);
}

Test(parse_timestamp, reads_times_before_the_epoch)
{
	expect_timestamp("1969-12-31T23:59:59.999Z", -1);
	expect_timestamp("0001-01-01T00:00:00Z", INT64_C(-62135596800000));
	expect_timestamp("0000-01-01T00:00:00Z", INT64_C(-62167219200000));
}

Test(parse_timestamp, accepts_leap_days)
{
	expect_timestamp("2024-02-29T12:34:56.789Z", INT64_C(1709210096789));
	expect_timestamp("2000-02-29T00:00:00Z", INT64_C(951782400000));
	expect_timestamp("9999-12-31T23:59:59.999Z", INT64_C(253402300799999));
}

Test(parse_timestamp, refuses_impossible_dates)
{
	expect_bad_timestamp("2026-13-01T00:00:00Z");
	expect_bad_timestamp("2026-00-10T00:00:00Z");
	expect_bad_timestamp("2026-01-00T00:00:00Z");
	expect_bad_timestamp("2026-01-32T00:00:00Z");
	expect_bad_timestamp("2026-04-31T00:00:00Z");
	expect_bad_timestamp("2026-02-30T00:00:00Z");
	expect_bad_timestamp("2023-02-29T00:00:00Z");
	expect_bad_timestamp("1900-02-29T00:00:00Z");
	expect_bad_timestamp("2100-02-29T00:00:00Z");
}

Test(parse_timestamp, refuses_impossible_times)
{
	expect_bad_timestamp("2026-11-23T24:00:00Z");
	expect_bad_timestamp("2026-11-23T12:60:00Z");
	/* no leap seconds: Unix time cannot hold them */
	expect_bad_timestamp("2026-12-31T23:59:60Z");
	expect_bad_timestamp("2026-11-23T12:00:00+24:00");
	expect_bad_timestamp("2026-11-23T12:00:00+01:60");
}

Test(parse_timestamp, refuses_a_missing_zone)
{
	expect_bad_timestamp("2026-11-23T12:00:00");
	expect_bad_timestamp("2026-11-23T12:00:00.5");
}

Test(parse_timestamp, refuses_malformed_zones)
{
	expect_bad_timestamp("2026-11-23T12:00:00+01");
	expect_bad_timestamp("2026-11-23T12:00:00+0100");
	expect_bad_timestamp("2026-11-23T12:00:00+1:00");
	expect_bad_timestamp("2026-11-23T12:00:00 Z");
	expect_bad_timestamp("2026-11-23T12:00:00UTC");
}

Test(parse_timestamp, refuses_trailing_junk)
{
	expect_bad_timestamp("2026-11-23T12:00:00Zx");
	expect_bad_timestamp("2026-11-23T12:00:00Z ");
	expect_bad_timestamp("2026-11-23T12:00:00+01:00:00");
}

Test(parse_timestamp, refuses_other_date_shapes)
{
	expect_bad_timestamp("2026-11-23");
	expect_bad_timestamp("2026-11-23 12:00:00Z");
	expect_bad_timestamp("2026-11-23T12:00Z");
	expect_bad_timestamp("2026-11-23T12:00:00.Z");
	expect_bad_timestamp("26-11-23T12:00:00Z");
	expect_bad_timestamp("2026-1-23T12:00:00Z");
	expect_bad_timestamp("+2026-11-23T12:00:00Z");
	expect_bad_timestamp("20261123T120000Z");
}

Test(parse_timestamp, reads_only_the_given_range)
{
	int64_t got = 0;

	cr_assert_eq(parse_timestamp("2026-11-23T12:00:00Zjunk", 20, &got), 0);
	cr_assert_eq(got, NOON_MS);
	cr_assert_eq(parse_timestamp("17324000009", 10, &got), 0);
	cr_assert_eq(got, INT64_C(1732400000000));
}

Test(parse_timestamp, reads_back_what_format_time_prints)
{
	const int64_t first = INT64_C(-62167219200000); /* 0000-01-01 */
	const int64_t last = INT64_C(253402300799999);	/* 9999-12-31 */
	const int64_t step = INT64_C(7919) * 1000003 + 17;
	char buf[FORMAT_TIME_MAX];
	int64_t ms, got;

	for (ms = first; ms <= last; ms += step) {
		format_time(buf, ms);
		cr_assert_eq(timestamp(buf, &got), 0, "%s refused", buf);
		cr_assert_eq(got, ms, "%s read as %lld, want %lld", buf,
			     (long long)got, (long long)ms);
	}
	format_time(buf, last);
	cr_assert_eq(timestamp(buf, &got), 0);
	cr_assert_eq(got, last);
}

Test(parse_timestamp, reads_back_unix_seconds_with_milliseconds)
{
	const int64_t step = INT64_C(7919) * 100003 + 1;
	char buf[64];
	int64_t ms, got;

	for (ms = 0; ms < INT64_C(4102444800000); ms += step) {
		snprintf(buf, sizeof(buf), "%lld.%03lld",
			 (long long)(ms / 1000), (long long)(ms % 1000));
		cr_assert_eq(timestamp(buf, &got), 0, "%s refused", buf);
		cr_assert_eq(got, ms, "%s read as %lld", buf, (long long)got);
	}
}

/* ---- since / until ---- */

Test(parse_time_arg, reads_now)
{
	expect_time_arg("now", NOW_MS);
}

Test(parse_time_arg, counts_relative_times_back_from_now)
{
	expect_time_arg("-30s", NOW_MS - 30 * 1000);
	expect_time_arg("-15m", NOW_MS - 15 * 60 * 1000);
	expect_time_arg("-6h", NOW_MS - INT64_C(6) * 3600 * 1000);
	expect_time_arg("-2d", NOW_MS - INT64_C(2) * 86400 * 1000);
	expect_time_arg("-1w", NOW_MS - INT64_C(7) * 86400 * 1000);
	expect_time_arg("-0s", NOW_MS);
	expect_time_arg("-90m", NOW_MS - 90 * 60 * 1000);
}

Test(parse_time_arg, reads_every_timestamp_form)
{
	expect_time_arg("1732400000", INT64_C(1732400000000));
	expect_time_arg("1732400000.5", INT64_C(1732400000500));
	expect_time_arg("2026-11-23T12:00:00Z", NOON_MS);
	expect_time_arg("2026-11-23T13:00:00+01:00", NOON_MS);
}

Test(parse_time_arg, refuses_malformed_relative_times)
{
	expect_bad_time_arg("");
	expect_bad_time_arg("-");
	expect_bad_time_arg("-m");
	expect_bad_time_arg("-15");
	expect_bad_time_arg("-15x");
	expect_bad_time_arg("-15M");
	expect_bad_time_arg("-15mm");
	expect_bad_time_arg("15m");
	expect_bad_time_arg("+15m");
	expect_bad_time_arg("--15m");
	expect_bad_time_arg("- 15m");
	expect_bad_time_arg("-1.5h");
	expect_bad_time_arg("-15 m");
}

Test(parse_time_arg, refuses_other_spellings_of_now)
{
	expect_bad_time_arg("NOW");
	expect_bad_time_arg("Now");
	expect_bad_time_arg("now ");
	expect_bad_time_arg("-now");
}

Test(parse_time_arg, refuses_relative_times_that_overflow)
{
	int64_t got = -12345;

	expect_bad_time_arg("-99999999999999999999s");
	expect_bad_time_arg("-9223372036854775807w");
	/* INT64_MAX / 604800000 is 15250284452 */
	expect_time_arg("-15250284452w",
			NOW_MS - INT64_C(15250284452) * 604800000);
	expect_bad_time_arg("-15250284453w");
	cr_assert_eq(parse_time_arg("-2s", 3, INT64_MIN + 1000, &got), -EINVAL);
	cr_assert_eq(got, -12345);
	cr_assert_eq(parse_time_arg("-1s", 3, INT64_MIN + 1000, &got), 0);
	cr_assert_eq(got, INT64_MIN);
}

/* ---- names ---- */

Test(parse_name, accepts_ordinary_names)
{
	cr_assert_eq(name("cpu"), 0);
	cr_assert_eq(name("CPUUtilization"), 0);
	cr_assert_eq(name("x"), 0);
	cr_assert_eq(name("x."), 0);
	cr_assert_eq(name("a.b"), 0);
	cr_assert_eq(name("with space"), 0);
	cr_assert_eq(name("a&b=c#d"), 0);
}

Test(parse_name, accepts_utf8)
{
	cr_assert_eq(name("caf\xc3\xa9"), 0);		   /* é */
	cr_assert_eq(name("\xe6\x97\xa5\xe6\x9c\xac"), 0); /* 日本 */
	cr_assert_eq(name("\xf0\x9f\x98\x80"), 0);	   /* U+1F600 */
	cr_assert_eq(name("\xed\x9f\xbf"), 0);		   /* U+D7FF */
	cr_assert_eq(name("\xee\x80\x80"), 0);		   /* U+E000 */
	cr_assert_eq(name("\xf4\x8f\xbf\xbf"), 0);	   /* U+10FFFF */
	cr_assert_eq(name("\xc2\x80"), 0);		   /* U+0080 */
}

Test(parse_definition_name, may_start_with_a_dot_as_temporary_files_do)
{
	char text[300];

	cr_assert_eq(parse_definition_name(".x.swp", 6), 0);
	cr_assert_eq(parse_definition_name(".cpu.AbC123", 11), 0);
	cr_assert_eq(parse_definition_name("..x", 3), 0);
	cr_assert_eq(parse_definition_name("cpu", 3), 0);
	cr_assert_eq(name(".x.swp"), -EINVAL); /* elsewhere the rule stays */
	cr_assert_eq(parse_definition_name(".", 1), -EINVAL);
	cr_assert_eq(parse_definition_name("..", 2), -EINVAL);
	cr_assert_eq(parse_definition_name("", 0), -EINVAL);
	cr_assert_eq(parse_definition_name(".a?b", 4), -EINVAL);
	cr_assert_eq(parse_definition_name(".a\x01", 3), -EINVAL);
	memset(text, '.', sizeof(text));
	cr_assert_eq(parse_definition_name(text, 255), 0);
	cr_assert_eq(parse_definition_name(text, 256), -ENAMETOOLONG);
}

Test(parse_name, accepts_255_bytes_and_refuses_256_as_too_long)
{
	char text[300];

	memset(text, 'a', sizeof(text));
	cr_assert_eq(parse_name(text, 255), 0);
	cr_assert_eq(parse_name(text, 256), -ENAMETOOLONG);
	cr_assert_eq(parse_name(text, 300), -ENAMETOOLONG);
}

Test(parse_name, reports_length_before_content)
{
	char text[256];

	memset(text, '?', sizeof(text));
	text[0] = '.';
	cr_assert_eq(parse_name(text, 256), -ENAMETOOLONG);
}

Test(parse_name, refuses_a_multibyte_character_cut_at_255_bytes)
{
	char text[256];

	memset(text, 'a', sizeof(text));
	memcpy(text + 254, "\xc3\xa9", 2);
	cr_assert_eq(parse_name(text, 255), -EINVAL);
	cr_assert_eq(parse_name(text + 1, 255), 0);
}

Test(parse_name, refuses_empty)
{
	cr_assert_eq(parse_name("", 0), -EINVAL);
}

Test(parse_name, refuses_a_leading_dot)
{
	cr_assert_eq(name(".x"), -EINVAL);
	cr_assert_eq(name("."), -EINVAL);
	cr_assert_eq(name(".."), -EINVAL);
	cr_assert_eq(name(".hidden"), -EINVAL);
}

Test(parse_name, refuses_a_question_mark)
{
	cr_assert_eq(name("a?b"), -EINVAL);
	cr_assert_eq(name("?"), -EINVAL);
	cr_assert_eq(name("cpu?period=60"), -EINVAL);
}

Test(parse_name, refuses_control_bytes)
{
	cr_assert_eq(name("a\x01z"), -EINVAL);
	cr_assert_eq(name("\x7f"), -EINVAL);
	cr_assert_eq(name("a\tb"), -EINVAL);
	cr_assert_eq(name("a\nb"), -EINVAL);
	cr_assert_eq(name("\x1f"), -EINVAL);
	cr_assert_eq(parse_name("a\0b", 3), -EINVAL);
}

Test(parse_name, refuses_invalid_utf8)
{
	cr_assert_eq(name("\xff"), -EINVAL);
	cr_assert_eq(name("\xfe"), -EINVAL);
	cr_assert_eq(name("a\x80"), -EINVAL);	 /* lone continuation */
	cr_assert_eq(name("\xc3"), -EINVAL);	 /* cut short */
	cr_assert_eq(name("\xe6\x97"), -EINVAL); /* cut short */
	cr_assert_eq(name("\xc3x"), -EINVAL);	 /* not a continuation */
	cr_assert_eq(name("\xf8\x88\x80\x80\x80"), -EINVAL); /* 5 bytes */
}

Test(parse_name, refuses_overlong_utf8)
{
	cr_assert_eq(name("\xc0\xaf"), -EINVAL); /* '/' */
	cr_assert_eq(name("\xc1\xbf"), -EINVAL);
	cr_assert_eq(name("\xe0\x80\xaf"), -EINVAL);
	cr_assert_eq(name("\xe0\x9f\xbf"), -EINVAL);
	cr_assert_eq(name("\xf0\x80\x80\xaf"), -EINVAL);
	cr_assert_eq(name("\xf0\x8f\xbf\xbf"), -EINVAL);
}

Test(parse_name, refuses_surrogates_and_code_points_past_10ffff)
{
	cr_assert_eq(name("\xed\xa0\x80"), -EINVAL);	 /* U+D800 */
	cr_assert_eq(name("\xed\xbf\xbf"), -EINVAL);	 /* U+DFFF */
	cr_assert_eq(name("\xf4\x90\x80\x80"), -EINVAL); /* U+110000 */
	cr_assert_eq(name("\xf5\x80\x80\x80"), -EINVAL);
}

/* ---- periods ---- */

Test(parse_period, accepts_the_short_periods)
{
	expect_period("1", 1);
	expect_period("5", 5);
	expect_period("10", 10);
	expect_period("20", 20);
	expect_period("30", 30);
}

Test(parse_period, accepts_multiples_of_a_minute)
{
	expect_period("60", 60);
	expect_period("120", 120);
	expect_period("300", 300);
	expect_period("3600", 3600);
	expect_period("86400", 86400);
}

Test(parse_period, accepts_leading_zeros_as_decimal_digits)
{
	expect_period("060", 60);
}

Test(parse_period, refuses_other_numbers_of_seconds)
{
	expect_bad_period("0");
	expect_bad_period("2");
	expect_bad_period("7");
	expect_bad_period("15");
	expect_bad_period("45");
	expect_bad_period("61");
	expect_bad_period("90");
}

Test(parse_period, refuses_anything_but_digits)
{
	expect_bad_period("");
	expect_bad_period("60.0");
	expect_bad_period("+60");
	expect_bad_period("-60");
	expect_bad_period(" 60");
	expect_bad_period("60 ");
	expect_bad_period("60s");
	expect_bad_period("1m");
	expect_bad_period("6e1");
}

Test(parse_period, refuses_periods_too_long_for_milliseconds)
{
	expect_period("9223372036854720", INT64_C(9223372036854720));
	expect_bad_period("9223372036854780");
	expect_bad_period("99999999999999999960");
}

Test(parse_log_destination, splits_at_the_last_slash_and_drops_a_leading_one)
{
	const char *s = "log:/aws/lambda/checkout/s1", *dest;
	size_t n, group_len;
	struct err err = {""};

	cr_assert_eq(parse_log_destination(s, strlen(s), &dest, &n, &group_len,
					   &err),
		     0, "%s", err.msg);
	cr_assert_eq(n, strlen("aws/lambda/checkout/s1"));
	cr_assert_eq(strncmp(dest, "aws/lambda/checkout/s1", n), 0);
	cr_assert_eq(group_len, strlen("aws/lambda/checkout"));
}

Test(parse_log_destination, refuses_no_stream_and_bad_names_quoting_them)
{
	const char *bad[] = {"log:ops", "log:ops/", "log:ops/.x", "log:/s",
			     "log:a//s"};
	const char *dest;
	size_t i, n, group_len;
	struct err err = {""};

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = '\0';
		cr_assert_eq(parse_log_destination(bad[i], strlen(bad[i]),
						   &dest, &n, &group_len, &err),
			     -EINVAL, "%s", bad[i]);
		cr_assert(strstr(err.msg, bad[i]), "%s: %s", bad[i], err.msg);
	}
}
