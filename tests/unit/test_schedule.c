/*
 * Unit tests for lib/schedule: which rate(...) and cron(...) expressions
 * EventBridge takes and which it refuses (with the message), how they
 * print back, and when they fire next — across month ends, leap days,
 * L, W and #, and the year limits. Expected instants come from timegm(3)
 * and gmtime_r(3), never from the module; a randomized cross-check
 * walks a minute-by-minute reference over bounded windows.
 */
#include "lib/schedule.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MINUTE_MS INT64_C(60000)
#define HOUR_MS (60 * MINUTE_MS)
#define DAY_MS (24 * HOUR_MS)

/* The instant of a UTC civil time, by timegm(3). */
static int64_t utc(int year, int month, int day, int hour, int minute)
{
	struct tm tm = {.tm_year = year - 1900,
			.tm_mon = month - 1,
			.tm_mday = day,
			.tm_hour = hour,
			.tm_min = minute};

	return (int64_t)timegm(&tm) * 1000;
}

static void civil(int64_t ms, struct tm *tm)
{
	time_t t = (time_t)(ms / 1000);

	gmtime_r(&t, tm);
}

static char *show(char buf[64], int64_t ms)
{
	struct tm tm;

	civil(ms, &tm);
	strftime(buf, 64, "%Y-%m-%dT%H:%M:%SZ (%a)", &tm);
	return buf;
}

static struct schedule parsed(const char *text)
{
	struct schedule s;
	struct err err = {""};
	int rc = schedule_parse(text, strlen(text), &s, &err);

	cr_assert_eq(rc, 0, "\"%s\" should be accepted: %s", text, err.msg);
	return s;
}

static void expect_refused(const char *text, const char *message)
{
	struct schedule s;
	struct err err = {""};
	int rc;

	memset(&s, 0x5a, sizeof(s));
	rc = schedule_parse(text, strlen(text), &s, &err);
	cr_assert_eq(rc, -EINVAL, "\"%s\" should be refused (rc %d)", text, rc);
	cr_assert_eq(s.kind, (enum schedule_kind)0x5a5a5a5a,
		     "a refused \"%s\" wrote its result", text);
	if (message)
		cr_assert_str_eq(err.msg, message, "\"%s\"", text);
	else
		cr_assert_neq(err.msg[0], '\0', "\"%s\": no message", text);
}

static void expect_format(const char *text, const char *want)
{
	struct schedule s = parsed(text);

	cr_assert_str_eq(schedule_format(&s), want, "\"%s\"", text);
}

static int64_t next_of(const struct schedule *s, int64_t after, int64_t anchor)
{
	int64_t next = -1;
	int rc = schedule_next(s, after, anchor, &next);

	cr_assert_eq(rc, 0, "%s: schedule_next %d", schedule_format(s), rc);
	cr_assert_gt(next, after);
	return next;
}

/* The firings of text after after, one by one, are want[0..n). */
static void expect_firings(const char *text, int64_t after, const int64_t *want,
			   size_t n)
{
	struct schedule s = parsed(text);
	char got_text[64], want_text[64];

	for (size_t i = 0; i < n; i++) {
		int64_t got = next_of(&s, after, 0);

		cr_assert_eq(got, want[i], "%s firing %zu: %s, want %s", text,
			     i, show(got_text, got), show(want_text, want[i]));
		after = got;
	}
}

static void expect_next(const char *text, int64_t after, int64_t want)
{
	expect_firings(text, after, &want, 1);
}

static void expect_none(const char *text, int64_t after)
{
	struct schedule s = parsed(text);
	int64_t next = 12345;

	cr_assert_eq(schedule_next(&s, after, 0, &next), -ENOENT,
		     "%s should have no firing left", text);
	cr_assert_eq(next, 12345);
}

/* ---- rate ---- */

Test(rate, singular_for_one_and_plural_above)
{
	static const char *const ok[] = {
		"rate(1 minute)",	"rate(2 minutes)", "rate(1 hour)",
		"rate(12 hours)",	"rate(1 day)",	   "rate(30 days)",
		"rate(  5   minutes )",
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		parsed(ok[i]);
	expect_refused("rate(1 minutes)",
		       "rate: \"minutes\": 1 takes \"minute\"");
	expect_refused("rate(5 minute)",
		       "rate: \"minute\": a value above 1 takes \"minutes\"");
	expect_refused("rate(1 hours)", NULL);
	expect_refused("rate(2 day)", NULL);
}

Test(rate, value_is_a_positive_integer_as_written)
{
	expect_refused("rate(0 minutes)",
		       "rate: \"0\": not a whole number of 1-2147483647 (no "
		       "sign, no leading zero)");
	expect_refused("rate(-5 minutes)", NULL);
	expect_refused("rate(+5 minutes)", NULL);
	expect_refused("rate(05 minutes)", NULL);
	expect_refused("rate(00 minutes)", NULL);
	expect_refused("rate(1.5 hours)", NULL);
	expect_refused("rate(5e1 minutes)", NULL);
	expect_refused("rate(2147483648 days)", NULL);
	expect_refused("rate(99999999999999999999999 days)", NULL);
	parsed("rate(2147483647 days)");
}

Test(rate, unit_and_shape)
{
	expect_refused("rate(5 weeks)",
		       "rate: unit \"weeks\": not minute, minutes, hour, "
		       "hours, day or days");
	expect_refused("rate(5 Minutes)", NULL);
	expect_refused("rate(5 seconds)", NULL);
	expect_refused("rate(5)",
		       "rate: \"5\": not VALUE UNIT, as in 5 minutes");
	expect_refused("rate()", NULL);
	expect_refused("rate(5 minutes now)", NULL);
	expect_refused("rate(5 minutes", NULL);
	expect_refused("RATE(5 minutes)", NULL);
	expect_refused("rate (5 minutes)", NULL);
	expect_refused(" rate(5 minutes)", NULL);
}

Test(rate, prints_back_canonically)
{
	struct schedule s = parsed("rate(\t5  minutes )");

	cr_assert_str_eq(schedule_format(&s), "rate(5 minutes)");
	s = parsed("rate(1 day)");
	cr_assert_str_eq(schedule_format(&s), "rate(1 day)");
}

Test(rate, fires_every_period_from_the_anchor)
{
	struct schedule s = parsed("rate(5 minutes)");
	int64_t anchor = utc(2026, 3, 1, 10, 7) + 13250; /* 10:07:13.250 */

	cr_assert_eq(next_of(&s, anchor, anchor), anchor + 5 * MINUTE_MS);
	cr_assert_eq(next_of(&s, anchor + 5 * MINUTE_MS - 1, anchor),
		     anchor + 5 * MINUTE_MS);
	cr_assert_eq(next_of(&s, anchor + 5 * MINUTE_MS, anchor),
		     anchor + 10 * MINUTE_MS, "strictly after");
	cr_assert_eq(next_of(&s, anchor + 3 * HOUR_MS + 1, anchor),
		     anchor + 3 * HOUR_MS + 5 * MINUTE_MS);
	/* the anchor sets the phase both ways */
	cr_assert_eq(next_of(&s, anchor - 1, anchor), anchor);
	cr_assert_eq(next_of(&s, anchor - 7 * MINUTE_MS, anchor),
		     anchor - 5 * MINUTE_MS);
}

Test(rate, a_redefinition_keeps_the_phase)
{
	struct schedule five = parsed("rate(5 minutes)");
	struct schedule seven = parsed("rate(7 minutes)");
	int64_t anchor = utc(2026, 3, 1, 10, 0) + 30000;
	int64_t now = utc(2026, 3, 1, 11, 2);

	cr_assert_eq(next_of(&five, now, anchor),
		     utc(2026, 3, 1, 11, 5) + 30000);
	/* now is 61.5 minutes after the anchor: 8 periods of 7 are 56, the
	 * 9th ends at 63 */
	cr_assert_eq(next_of(&seven, now, anchor),
		     utc(2026, 3, 1, 11, 3) + 30000);
}

Test(rate, days_keep_their_time_across_month_ends_and_leap_days)
{
	struct schedule day = parsed("rate(1 day)");
	struct schedule hours = parsed("rate(7 hours)");
	int64_t anchor = utc(2028, 2, 27, 22, 15);
	int64_t t = anchor;
	static const int want[][2] = {{2, 28}, {2, 29}, {3, 1}, {3, 2}};

	for (size_t i = 0; i < 4; i++) {
		t = next_of(&day, t, anchor);
		cr_assert_eq(t, utc(2028, want[i][0], want[i][1], 22, 15));
	}
	/* 7 hours from 22:15 on the 27th: 05:15, 12:15, 19:15, 02:15 ... */
	t = next_of(&hours, utc(2028, 2, 29, 0, 0), anchor);
	cr_assert_eq(t, utc(2028, 2, 29, 2, 15));
	t = next_of(&hours, utc(2028, 2, 29, 23, 59), anchor);
	cr_assert_eq(t, utc(2028, 3, 1, 6, 15));
}

Test(rate, an_instant_past_int64_is_overflow)
{
	struct schedule s = parsed("rate(2147483647 days)");
	int64_t next;

	cr_assert_eq(schedule_next(&s, INT64_MAX - 1, 0, &next), -EOVERFLOW);
	/* INT64_MIN is 49.7 periods before the epoch */
	cr_assert_eq(next_of(&s, INT64_MIN, 0),
		     -49 * INT64_C(2147483647) * DAY_MS);
}

/* ---- cron: what is accepted and refused ---- */

Test(cron, each_field_takes_its_forms)
{
	static const char *const ok[] = {
		"cron(0 12 * * ? *)",
		"cron(0/15 * * * ? *)",
		"cron(*/5 * * * ? *)",
		"cron(5-30/5 * * * ? *)",
		"cron(0,15,30,45 0-23/2 ? * MON-FRI 2026-2030)",
		"cron(59 23 31 12 ? 2199)",
		"cron(0 0 1 1 ? 1970)",
		"cron(0 9 15W * ? *)",
		"cron(0 9 LW * ? *)",
		"cron(0 9 L * ? *)",
		"cron(0 10 ? * 6L *)",
		"cron(0 10 ? * FRIL *)",
		"cron(0 10 ? * 3#2 *)",
		"cron(0 10 ? * TUE#5 *)",
		"cron(0 10 ? * L *)",
		"cron(0 10 ? JAN,MAR-MAY * 2030/5)",
		"cron(00 08 01 01 ? 2030)",
		"cron(0 18 ? * 1,7 *)",
		"cron(0 0 1/10 * ? *)",
		"cron(0 0 ? 1/3 * *)",
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		parsed(ok[i]);
}

Test(cron, values_out_of_range_name_the_field_and_the_text)
{
	expect_refused("cron(0 10 ? * 8 *)",
		       "cron: day-of-week \"8\": not 1-7 or SUN-SAT");
	expect_refused("cron(0 10 ? * 0 *)",
		       "cron: day-of-week \"0\": not 1-7 or SUN-SAT");
	expect_refused("cron(60 * * * ? *)", "cron: minutes \"60\": not 0-59");
	expect_refused("cron(0 24 * * ? *)", "cron: hours \"24\": not 0-23");
	expect_refused("cron(0 0 0 * ? *)",
		       "cron: day-of-month \"0\": not 1-31");
	expect_refused("cron(0 0 32 * ? *)",
		       "cron: day-of-month \"32\": not 1-31");
	expect_refused("cron(0 0 1 13 ? *)",
		       "cron: month \"13\": not 1-12 or JAN-DEC");
	expect_refused("cron(0 0 1 JANUARY ? *)",
		       "cron: month \"JANUARY\": not 1-12 or JAN-DEC");
	expect_refused("cron(0 0 1 1 ? 1969)",
		       "cron: year \"1969\": not 1970-2199");
	expect_refused("cron(0 0 1 1 ? 2200)",
		       "cron: year \"2200\": not 1970-2199");
	expect_refused("cron(0 0 1 1 ? 2026-2200)",
		       "cron: year \"2200\": not 1970-2199");
	expect_refused("cron(0 0 ? * MON-FRX *)",
		       "cron: day-of-week \"FRX\": not 1-7 or SUN-SAT");
	expect_refused("cron(-1 * * * ? *)", NULL);
	expect_refused("cron(+1 * * * ? *)", NULL);
	expect_refused("cron(1.5 * * * ? *)", NULL);
	expect_refused("cron(99999999999 * * * ? *)", NULL);
	expect_refused("cron(0 12 * * ? 20261)", NULL);
}

Test(cron, question_mark_in_exactly_one_day_field)
{
	expect_refused("cron(0 12 * * MON *)",
		       "cron: both day-of-month and day-of-week are set; one "
		       "must be \"?\"");
	expect_refused("cron(0 12 1 * 2 *)", NULL);
	expect_refused("cron(0 12 ? * ? *)",
		       "cron: day-of-month and day-of-week are both \"?\"; "
		       "one of them must say the days");
	expect_refused("cron(? 12 * * ? *)",
		       "cron: minutes \"?\": '?' is only for day-of-month or "
		       "day-of-week");
	expect_refused("cron(0 12 * ? ? *)", NULL);
	expect_refused("cron(0 12 * * ? ?)", NULL);
	expect_refused("cron(0 12 ?,1 * ? *)", NULL);
}

Test(cron, wildcards_refused_where_aws_refuses_them)
{
	expect_refused("cron(0 12 ? * */2 *)",
		       "cron: day-of-week \"*/2\": '/' is not taken in "
		       "day-of-week");
	expect_refused("cron(L * * * ? *)", "cron: minutes \"L\": not 0-59");
	expect_refused("cron(0 12 1W * ? *)x", NULL);
	expect_refused("cron(0 0 1 L ? *)", NULL);
	expect_refused("cron(0 0 1 * ? L)", NULL);
	expect_refused("cron(0 0 ? * 1W *)", NULL);
	expect_refused("cron(0 0 15# * ? *)", NULL);
}

Test(cron, l_w_and_hash_stand_alone)
{
	expect_refused("cron(0 0 1,L * ? *)",
		       "cron: day-of-month \"1,L\": L and W stand alone (L, LW "
		       "or one day as 15W)");
	expect_refused("cron(0 0 1-5W * ? *)", NULL);
	expect_refused("cron(0 0 1,15W * ? *)", NULL);
	expect_refused("cron(0 0 32W * ? *)",
		       "cron: day-of-month \"32\": not 1-31");
	expect_refused("cron(0 0 0W * ? *)", NULL);
	expect_refused("cron(0 0 W * ? *)", NULL);
	expect_refused("cron(0 0 L-3 * ? *)", NULL);
	expect_refused("cron(0 0 WL * ? *)", NULL);
	expect_refused("cron(0 0 ? * 2,5L *)",
		       "cron: day-of-week \"2,5L\": L and # stand alone (L, 5L "
		       "or one day as 3#2)");
	expect_refused("cron(0 0 ? * 8L *)",
		       "cron: day-of-week \"8\": not 1-7 or SUN-SAT");
	expect_refused("cron(0 0 ? * 3#6 *)",
		       "cron: day-of-week \"3#6\": the week after '#' must be "
		       "1-5");
	expect_refused("cron(0 0 ? * 3#0 *)", NULL);
	expect_refused("cron(0 0 ? * 8#1 *)", NULL);
	expect_refused("cron(0 0 ? * 3# *)", NULL);
	expect_refused("cron(0 0 ? * #2 *)", NULL);
	expect_refused("cron(0 0 ? * 1-3#2 *)", NULL);
	expect_refused("cron(0 0 ? * 3#2,4#2 *)", NULL);
	expect_refused("cron(0 0 ? * 3#2#1 *)", NULL);
}

Test(cron, ranges_steps_and_lists_must_be_whole)
{
	expect_refused(
		"cron(30-10 * * * ? *)",
		"cron: minutes \"30-10\": a range runs from low to high");
	expect_refused("cron(0 0 ? * FRI-MON *)", NULL);
	expect_refused("cron(0/0 * * * ? *)",
		       "cron: minutes \"0/0\": the step must be 1-60");
	expect_refused("cron(*/61 * * * ? *)", NULL);
	expect_refused("cron(0 */25 * * ? *)", NULL);
	expect_refused("cron(0/ * * * ? *)", NULL);
	expect_refused("cron(/5 * * * ? *)", NULL);
	expect_refused("cron(0/5/2 * * * ? *)", NULL);
	expect_refused("cron(1-2-3 * * * ? *)", NULL);
	expect_refused("cron(1- * * * ? *)", NULL);
	expect_refused("cron(1,,2 * * * ? *)",
		       "cron: minutes \"1,,2\": an empty item in the list");
	expect_refused("cron(1, * * * ? *)", NULL);
	expect_refused("cron(,1 * * * ? *)", NULL);
	expect_refused("cron(** * * * ? *)", NULL);
}

Test(cron, six_fields_no_more_no_fewer)
{
	expect_refused("cron(0 12 * * ?)",
		       "cron: 5 fields, not 6 (minutes hours day-of-month "
		       "month day-of-week year)");
	expect_refused("cron(0 0 12 * * ? *)",
		       "cron: more than 6 fields, not 6 (minutes hours "
		       "day-of-month month day-of-week year)");
	expect_refused("cron()", NULL);
	expect_refused("cron( )", NULL);
}

Test(cron, junk_is_refused)
{
	char long_text[SCHEDULE_TEXT_MAX + 40];

	expect_refused("", "schedule \"\": not rate(VALUE UNIT) nor "
			   "cron(MINUTES HOURS DAY-OF-MONTH MONTH DAY-OF-WEEK "
			   "YEAR)");
	expect_refused("cron", NULL);
	expect_refused("cron(", NULL);
	expect_refused("cron)", NULL);
	expect_refused("CRON(0 12 * * ? *)", NULL);
	expect_refused("cron(0 12 * * ? *) ", NULL);
	expect_refused("at(2026-01-01T00:00:00)", NULL);
	expect_refused("cron(0 12 * * ? *\n)", NULL);
	expect_refused("cron(0 12 * * ? \xff)", NULL);

	/* the limit is loud, not a cut */
	snprintf(long_text, sizeof(long_text), "cron(0 12 ? * MON%0*d *)",
		 SCHEDULE_TEXT_MAX, 0);
	expect_refused(long_text, NULL);
}

Test(cron, at_most_256_bytes)
{
	char text[SCHEDULE_TEXT_MAX + 2];
	size_t len;

	/* a long but valid list of minutes, padded with blanks to 256 */
	len = (size_t)snprintf(text, sizeof(text), "cron(%s", "0");
	for (int m = 1; m < 60; m++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, ",%d",
					m);
	len += (size_t)snprintf(text + len, sizeof(text) - len, " * * * ? *");
	while (len < SCHEDULE_TEXT_MAX - 1)
		text[len++] = ' ';
	text[len++] = ')';
	text[len] = '\0';
	cr_assert_eq(len, SCHEDULE_TEXT_MAX);
	parsed(text);
	memmove(text + 6, text + 5, len - 4);
	text[5] = ' ';
	expect_refused(text, "schedule: 257 bytes, more than 256");
}

Test(cron, names_are_case_insensitive_and_print_uppercase)
{
	struct schedule named = parsed("cron(0 10 ? jan-Mar mon-FRI *)");
	struct schedule numbered = parsed("cron(0 10 ? 1-3 2-6 *)");
	struct schedule special = parsed("cron(0 9 lw * ? *)");
	int64_t a = utc(2026, 1, 1, 0, 0), b = a;

	cr_assert_str_eq(schedule_format(&named),
			 "cron(0 10 ? JAN-MAR MON-FRI *)");
	cr_assert_str_eq(schedule_format(&special), "cron(0 9 LW * ? *)");
	for (int i = 0; i < 80; i++) {
		a = next_of(&named, a, 0);
		b = next_of(&numbered, b, 0);
		cr_assert_eq(a, b);
	}
	expect_format("cron(0 10 ? * fri#3 *)", "cron(0 10 ? * FRI#3 *)");
}

Test(cron, prints_back_as_written_and_reads_back_the_same)
{
	static const char *const texts[] = {
		"cron(0/15 * * * ? *)",
		"cron(5-30/5 1,2,3 ? JAN-MAR,DEC MON-FRI 2026-2030/2)",
		"cron(0 9 15W * ? *)",
		"cron(0 10 ? * 6L *)",
		"cron(0 10 ? * 3#2 *)",
		"cron(0 10 ? * L *)",
		"cron(00 08 LW * ? *)",
		"rate(1 minute)",
		"rate(90 days)",
	};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct schedule first = parsed(texts[i]);
		struct schedule again = parsed(schedule_format(&first));
		int64_t a = utc(2026, 1, 1, 0, 0), b = a;

		cr_assert_str_eq(schedule_format(&first), texts[i]);
		cr_assert_str_eq(schedule_format(&again), texts[i]);
		for (int k = 0; k < 50; k++) {
			a = next_of(&first, a, 0);
			b = next_of(&again, b, 0);
			cr_assert_eq(a, b, "%s", texts[i]);
		}
	}
	expect_format("cron(  0\t12  *  *  ?  *  )", "cron(0 12 * * ? *)");
}

/* ---- cron: when it fires ---- */

Test(cron_next, every_quarter_hour)
{
	const int64_t want[] = {
		utc(2026, 12, 31, 23, 30),
		utc(2026, 12, 31, 23, 45),
		utc(2027, 1, 1, 0, 0),
		utc(2027, 1, 1, 0, 15),
	};

	expect_firings("cron(0/15 * * * ? *)",
		       utc(2026, 12, 31, 23, 17) + 30500, want, 4);
	/* strictly after: a firing instant itself is not next */
	expect_next("cron(0/15 * * * ? *)", utc(2026, 5, 5, 12, 15),
		    utc(2026, 5, 5, 12, 30));
	expect_next("cron(0/15 * * * ? *)", utc(2026, 5, 5, 12, 15) - 1,
		    utc(2026, 5, 5, 12, 15));
	expect_next("cron(*/5 * * * ? *)", utc(2026, 5, 5, 12, 58),
		    utc(2026, 5, 5, 13, 0));
	expect_next("cron(5-30/5 * * * ? *)", utc(2026, 5, 5, 12, 31),
		    utc(2026, 5, 5, 13, 5));
	expect_next("cron(7/20 * * * ? *)", utc(2026, 5, 5, 12, 48),
		    utc(2026, 5, 5, 13, 7));
}

/* The last day of year-month, from timegm's normalization of day 0. */
static int last_day(int year, int month)
{
	struct tm tm;

	civil(utc(year, month + 1, 0, 0, 0), &tm);
	return tm.tm_mday;
}

Test(cron_next, last_day_of_month_over_leap_and_common_years)
{
	static const int years[] = {2027, 2028, 2100, 2400};

	for (size_t y = 0; y < sizeof(years) / sizeof(years[0]); y++) {
		int64_t want[12];

		if (years[y] > SCHEDULE_YEAR_MAX)
			continue;
		for (int m = 1; m <= 12; m++)
			want[m - 1] =
				utc(years[y], m, last_day(years[y], m), 12, 0);
		expect_firings("cron(0 12 L * ? *)",
			       utc(years[y], 1, 1, 0, 0) - 1, want, 12);
	}
	expect_next("cron(0 12 L * ? *)", utc(2027, 2, 1, 0, 0),
		    utc(2027, 2, 28, 12, 0));
	expect_next("cron(0 12 L * ? *)", utc(2028, 2, 1, 0, 0),
		    utc(2028, 2, 29, 12, 0));
	expect_next("cron(0 12 L * ? *)", utc(2100, 2, 1, 0, 0),
		    utc(2100, 2, 28, 12, 0));
	expect_next("cron(0 12 L * ? *)", utc(2000, 2, 1, 0, 0),
		    utc(2000, 2, 29, 12, 0));
	/* after the firing of the day, the next month's last day */
	expect_next("cron(0 12 L * ? *)", utc(2028, 2, 29, 12, 0),
		    utc(2028, 3, 31, 12, 0));
}

Test(cron_next, february_29_only_in_leap_years)
{
	expect_next("cron(0 0 29 2 ? *)", utc(2025, 1, 1, 0, 0),
		    utc(2028, 2, 29, 0, 0));
	expect_next("cron(0 0 29 2 ? *)", utc(2028, 2, 29, 0, 0),
		    utc(2032, 2, 29, 0, 0));
	/* 2100 is not a leap year: eight years to the next */
	expect_next("cron(0 0 29 2 ? *)", utc(2096, 3, 1, 0, 0),
		    utc(2104, 2, 29, 0, 0));
	/* and a cron that names only 2097-2103 has no Feb 29 at all */
	expect_none("cron(0 0 29 FEB ? 2097-2103)", utc(2026, 1, 1, 0, 0));
}

Test(cron_next, nearest_weekday_to_the_15th)
{
	/* 2026: Jan 15 a Thursday, Feb 15 and Mar 15 Sundays, Aug 15 a
	 * Saturday, Nov 15 a Sunday */
	const int64_t want[] = {
		utc(2026, 1, 15, 9, 0),	 utc(2026, 2, 16, 9, 0),
		utc(2026, 3, 16, 9, 0),	 utc(2026, 4, 15, 9, 0),
		utc(2026, 5, 15, 9, 0),	 utc(2026, 6, 15, 9, 0),
		utc(2026, 7, 15, 9, 0),	 utc(2026, 8, 14, 9, 0),
		utc(2026, 9, 15, 9, 0),	 utc(2026, 10, 15, 9, 0),
		utc(2026, 11, 16, 9, 0), utc(2026, 12, 15, 9, 0),
	};

	expect_firings("cron(0 9 15W * ? *)", utc(2026, 1, 1, 0, 0), want, 12);
	/* the Friday before a Saturday 15th, even when looked for on the
	 * 14th after 9:00: then it is September's */
	expect_next("cron(0 9 15W * ? *)", utc(2026, 8, 14, 9, 0),
		    utc(2026, 9, 15, 9, 0));
}

Test(cron_next, nearest_weekday_stays_in_its_month)
{
	/* 2026-08-01 is a Saturday: 1W is Monday the 3rd, not July 31 */
	expect_next("cron(0 9 1W * ? *)", utc(2026, 7, 31, 12, 0),
		    utc(2026, 8, 3, 9, 0));
	/* 2028-04-30 is a Sunday and April's last day: 30W is Friday the
	 * 28th, not May 1st */
	expect_next("cron(0 9 30W * ? *)", utc(2028, 4, 1, 0, 0),
		    utc(2028, 4, 28, 9, 0));
	/* 31W: none in 30-day April; May 31 2028 is a Wednesday */
	expect_next("cron(0 9 31W * ? *)", utc(2028, 4, 1, 0, 0),
		    utc(2028, 5, 31, 9, 0));
	/* 30W in February: none; March 30 2026 is a Monday */
	expect_next("cron(0 9 30W * ? *)", utc(2026, 2, 1, 0, 0),
		    utc(2026, 3, 30, 9, 0));
}

Test(cron_next, last_weekday_of_the_month)
{
	/* 2026: Jan 31 a Saturday, Feb 28 a Saturday, Mar 31 a Tuesday,
	 * May 31 a Sunday */
	const int64_t want[] = {
		utc(2026, 1, 30, 18, 0), utc(2026, 2, 27, 18, 0),
		utc(2026, 3, 31, 18, 0), utc(2026, 4, 30, 18, 0),
		utc(2026, 5, 29, 18, 0),
	};

	expect_firings("cron(0 18 LW * ? *)", utc(2026, 1, 1, 0, 0), want, 5);
}

/* The last weekday wday (0 = Sunday) of year-month, by gmtime. */
static int last_weekday_of(int year, int month, int wday)
{
	for (int day = last_day(year, month);; day--) {
		struct tm tm;

		civil(utc(year, month, day, 0, 0), &tm);
		if (tm.tm_wday == wday)
			return day;
	}
}

/* The n-th weekday wday (0 = Sunday) of year-month, or 0. */
static int nth_weekday_of(int year, int month, int wday, int n)
{
	for (int day = 1, seen = 0; day <= last_day(year, month); day++) {
		struct tm tm;

		civil(utc(year, month, day, 0, 0), &tm);
		if (tm.tm_wday == wday && ++seen == n)
			return day;
	}
	return 0;
}

Test(cron_next, last_friday_of_each_month)
{
	int64_t want[24];

	for (int i = 0; i < 24; i++) {
		int year = 2027 + i / 12, month = i % 12 + 1;

		want[i] = utc(year, month, last_weekday_of(year, month, 5), 10,
			      0);
	}
	expect_firings("cron(0 10 ? * 6L *)", utc(2027, 1, 1, 0, 0), want, 24);
	expect_firings("cron(0 10 ? * fril *)", utc(2027, 1, 1, 0, 0), want,
		       24);
	/* 2026: Jan 30, Feb 27, Mar 27 */
	expect_next("cron(0 10 ? * 6L *)", utc(2026, 1, 30, 10, 0),
		    utc(2026, 2, 27, 10, 0));
}

Test(cron_next, second_tuesday_of_each_month)
{
	int64_t want[24];

	for (int i = 0; i < 24; i++) {
		int year = 2028 + i / 12, month = i % 12 + 1;

		want[i] = utc(year, month, nth_weekday_of(year, month, 2, 2),
			      10, 0);
	}
	expect_firings("cron(0 10 ? * 3#2 *)", utc(2028, 1, 1, 0, 0), want, 24);
	expect_next("cron(0 10 ? * 3#2 *)", utc(2026, 1, 1, 0, 0),
		    utc(2026, 1, 13, 10, 0));
	expect_next("cron(0 10 ? * TUE#2 *)", utc(2026, 1, 13, 10, 0),
		    utc(2026, 2, 10, 10, 0));
}

Test(cron_next, a_fifth_weekday_skips_months_without_one)
{
	/* Thursdays of 2026: Jan 1..29 (five), Feb and Mar four, Apr 2..30 */
	expect_next("cron(0 10 ? * 5#5 *)", utc(2026, 1, 1, 0, 0),
		    utc(2026, 1, 29, 10, 0));
	expect_next("cron(0 10 ? * 5#5 *)", utc(2026, 1, 29, 10, 0),
		    utc(2026, 4, 30, 10, 0));
	/* a fifth Sunday in February: only in a leap year whose Feb 1 is a
	 * Sunday (2032, then 2060) */
	expect_next("cron(0 0 ? FEB 1#5 *)", utc(2026, 1, 1, 0, 0),
		    utc(2032, 2, 29, 0, 0));
	expect_next("cron(0 0 ? FEB 1#5 *)", utc(2032, 2, 29, 0, 0),
		    utc(2060, 2, 29, 0, 0));
}

Test(cron_next, l_alone_in_day_of_week_is_saturday)
{
	/* 2026-01-03 is a Saturday */
	const int64_t want[] = {utc(2026, 1, 3, 7, 0), utc(2026, 1, 10, 7, 0),
				utc(2026, 1, 17, 7, 0)};

	expect_firings("cron(0 7 ? * L *)", utc(2026, 1, 1, 0, 0), want, 3);
}

Test(cron_next, weekdays_and_weekend_by_name_and_number)
{
	/* 2026-03-06 is a Friday */
	const int64_t weekdays[] = {utc(2026, 3, 6, 8, 30),
				    utc(2026, 3, 9, 8, 30),
				    utc(2026, 3, 10, 8, 30)};
	const int64_t weekend[] = {utc(2026, 3, 7, 18, 0),
				   utc(2026, 3, 8, 18, 0),
				   utc(2026, 3, 14, 18, 0)};

	expect_firings("cron(30 8 ? * MON-FRI *)", utc(2026, 3, 6, 0, 0),
		       weekdays, 3);
	expect_firings("cron(0 18 ? * 1,7 *)", utc(2026, 3, 6, 0, 0), weekend,
		       3);
	expect_firings("cron(0 18 ? * sat,SUN *)", utc(2026, 3, 6, 0, 0),
		       weekend, 3);
}

Test(cron_next, year_limits)
{
	struct schedule every = parsed("cron(* * * * ? *)");
	int64_t next;

	expect_next("cron(0 0 1 1 ? *)", INT64_MIN, utc(1970, 1, 1, 0, 0));
	expect_next("cron(* * * * ? *)", -1, 0);
	expect_next("cron(0 0 1 1 ? 2199)", utc(2026, 1, 1, 0, 0),
		    utc(2199, 1, 1, 0, 0));
	expect_none("cron(0 0 1 1 ? 2199)", utc(2199, 1, 1, 0, 0));
	expect_next("cron(* * * * ? *)", utc(2199, 12, 31, 23, 58) + 59999,
		    utc(2199, 12, 31, 23, 59));
	expect_none("cron(* * * * ? *)", utc(2199, 12, 31, 23, 59));
	expect_none("cron(* * * * ? *)", INT64_MAX);
	expect_none("cron(0 0 1 1 ? 1970-2025)", utc(2026, 1, 1, 0, 0));
	expect_next("cron(0 0 1 1 ? 2030/50)", utc(2026, 1, 1, 0, 0),
		    utc(2030, 1, 1, 0, 0));
	expect_next("cron(0 0 1 1 ? 2030/50)", utc(2130, 1, 1, 0, 0),
		    utc(2180, 1, 1, 0, 0));
	expect_none("cron(0 0 1 1 ? 2030/50)", utc(2180, 1, 1, 0, 0));
	cr_assert_eq(schedule_next(&every, INT64_MAX, 0, &next), -ENOENT);
}

Test(cron_next, a_cron_matching_no_date_never_fires_and_says_so_at_once)
{
	/* minute by minute this would be 230 years of searching */
	expect_none("cron(0 0 30 2 ? *)", INT64_MIN);
	expect_none("cron(0 0 31 APR,JUN,SEP,NOV ? *)", 0);
	expect_none("cron(0 0 31W 2 ? *)", 0);
	expect_none("cron(0 0 ? 2 1#5 2033-2059)", 0);
}

/* ---- missed firings ---- */

Test(fired_between, says_whether_a_firing_was_missed)
{
	struct schedule daily = parsed("cron(0 12 * * ? *)");
	struct schedule rate = parsed("rate(10 minutes)");
	struct schedule done = parsed("cron(0 0 1 1 ? 2026)");
	int64_t anchor = utc(2026, 6, 1, 0, 3), first = -1;

	/* down from 11:00 to 12:30: the noon firing was missed */
	cr_assert_eq(schedule_fired_between(&daily, utc(2026, 6, 1, 11, 0),
					    utc(2026, 6, 1, 12, 30), 0, &first),
		     1);
	cr_assert_eq(first, utc(2026, 6, 1, 12, 0));
	/* the interval is (since, until]: a firing at until counts, one
	 * at since does not */
	cr_assert_eq(schedule_fired_between(&daily, utc(2026, 6, 1, 11, 0),
					    utc(2026, 6, 1, 12, 0), 0, NULL),
		     1);
	cr_assert_eq(schedule_fired_between(&daily, utc(2026, 6, 1, 12, 0),
					    utc(2026, 6, 2, 11, 59), 0, NULL),
		     0);
	/* several missed: the earliest is told, the daemon fires once */
	first = -1;
	cr_assert_eq(schedule_fired_between(&rate, anchor + 1,
					    anchor + 10 * HOUR_MS, anchor,
					    &first),
		     1);
	cr_assert_eq(first, anchor + 10 * MINUTE_MS);
	cr_assert_eq(schedule_fired_between(&rate, anchor,
					    anchor + 9 * MINUTE_MS, anchor,
					    NULL),
		     0);
	cr_assert_eq(
		schedule_fired_between(&rate, anchor, anchor, anchor, NULL), 0);
	/* a finished cron missed nothing after its end */
	cr_assert_eq(schedule_fired_between(&done, utc(2025, 12, 31, 0, 0),
					    utc(2027, 1, 1, 0, 0), 0, NULL),
		     1);
	cr_assert_eq(schedule_fired_between(&done, utc(2026, 1, 1, 0, 0),
					    utc(2199, 1, 1, 0, 0), 0, NULL),
		     0);
}

/* ---- randomized cross-check against a minute-by-minute reference ---- */

/*
 * A random cron, kept twice: as text for the module and as plain
 * tables the reference reads. The generator writes both from the same
 * choices; nothing here parses.
 */
enum ref_dom { REF_DOM_ANY, REF_DOM_LIST, REF_DOM_L, REF_DOM_LW, REF_DOM_NW };
enum ref_dow { REF_DOW_ANY, REF_DOW_LIST, REF_DOW_LAST, REF_DOW_NTH };

struct ref_cron {
	bool minute[60], hour[24], dom[32], month[13], dow[8];
	bool year[SCHEDULE_YEAR_MAX + 1];
	enum ref_dom dom_kind;
	enum ref_dow dow_kind;
	int dom_day, dow_day, dow_nth;
	char text[SCHEDULE_TEXT_MAX * 2];
	size_t len;
};

static uint64_t rng_state = UINT64_C(0x9e3779b97f4a7c15);

/* xorshift64*: the same sequence on every machine and libc */
static unsigned rnd(unsigned n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (unsigned)((rng_state * UINT64_C(2685821657736338717)) >> 33) %
	       n;
}

static int rnd_in(int low, int high)
{
	return low + (int)rnd((unsigned)(high - low + 1));
}

static void put(struct ref_cron *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct ref_cron *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	c->len += (size_t)vsnprintf(c->text + c->len, sizeof(c->text) - c->len,
				    fmt, ap);
	va_end(ap);
	cr_assert_lt(c->len, sizeof(c->text));
}

/* A name in random case, so that case-insensitivity is exercised. */
static void put_name(struct ref_cron *c, const char *name)
{
	char mixed[4];

	for (int i = 0; i < 3; i++)
		mixed[i] = (char)(rnd(2) ? name[i] : name[i] - 'A' + 'a');
	mixed[3] = '\0';
	put(c, "%s", mixed);
}

static const char *const REF_MONTHS[] = {"",	"JAN", "FEB", "MAR", "APR",
					 "MAY", "JUN", "JUL", "AUG", "SEP",
					 "OCT", "NOV", "DEC"};
static const char *const REF_DAYS[] = {"",    "SUN", "MON", "TUE",
				       "WED", "THU", "FRI", "SAT"};

static void put_value(struct ref_cron *c, int v, const char *const *names)
{
	if (names && rnd(2))
		put_name(c, names[v]);
	else
		put(c, "%d", v);
}

/*
 * A random list field over low..high into c's text and into set[] (by
 * value): 1-3 items, each '*', a value, a range, with or without a step.
 */
static void random_list(struct ref_cron *c, bool *set, int low, int high,
			const char *const *names, bool steps)
{
	int items = rnd(4) == 0 ? rnd_in(2, 3) : 1;

	for (int i = 0; i < items; i++) {
		int shape = rnd_in(0, steps ? 5 : 2), a, b, step = 1;

		a = rnd_in(low, high);
		b = rnd_in(a, high);
		if (i)
			put(c, ",");
		switch (shape) {
		case 0: /* '*' */
			a = low;
			b = high;
			put(c, "*");
			break;
		case 1: /* a value */
			b = a;
			put_value(c, a, names);
			break;
		case 2: /* a range */
			put_value(c, a, names);
			put(c, "-");
			put_value(c, b, names);
			break;
		case 3: /* a / step */
			b = high;
			step = rnd_in(1, high - low + 1);
			put_value(c, a, names);
			put(c, "/%d", step);
			break;
		case 4: /* '*' / step */
			a = low;
			b = high;
			step = rnd_in(1, (high - low + 1) / 2 + 1);
			put(c, "*/%d", step);
			break;
		default: /* a range / step */
			step = rnd_in(1, high - low + 1);
			put_value(c, a, names);
			put(c, "-");
			put_value(c, b, names);
			put(c, "/%d", step);
			break;
		}
		for (int v = a; v <= b; v += step)
			set[v] = true;
	}
}

/* A list field that is '*' half the time, so that firings are frequent. */
static void random_field(struct ref_cron *c, bool *set, int low, int high,
			 const char *const *names)
{
	if (rnd(2)) {
		put(c, "*");
		for (int v = low; v <= high; v++)
			set[v] = true;
	} else {
		random_list(c, set, low, high, names, true);
	}
}

static const int EDGE_DAYS[] = {1, 2, 28, 29, 30, 31};

/* Day-of-month, month and day-of-week: one of the day fields is '?'. */
static void random_days(struct ref_cron *c)
{
	bool dom_decides = rnd(2);

	if (dom_decides) {
		c->dow_kind = REF_DOW_ANY;
		switch (rnd(5)) {
		case 0:
			c->dom_kind = REF_DOM_L;
			put(c, rnd(2) ? "L" : "l");
			break;
		case 1:
			c->dom_kind = REF_DOM_LW;
			put(c, rnd(2) ? "LW" : "lW");
			break;
		case 2:
			c->dom_kind = REF_DOM_NW;
			/* month edges, where W must not leave the month */
			c->dom_day = rnd(2) ? rnd_in(1, 31) : EDGE_DAYS[rnd(6)];
			put(c, "%d%s", c->dom_day, rnd(2) ? "W" : "w");
			break;
		default:
			c->dom_kind = REF_DOM_LIST;
			random_list(c, c->dom, 1, 31, NULL, true);
			break;
		}
		put(c, " ");
	} else {
		c->dom_kind = REF_DOM_ANY;
		put(c, "? ");
	}
	/* the month between the two day fields */
	random_field(c, c->month, 1, 12, REF_MONTHS);
	put(c, " ");
	if (dom_decides) {
		put(c, "?");
		return;
	}
	switch (rnd(5)) {
	case 0:
		c->dow_kind = REF_DOW_LIST; /* L alone: Saturday */
		c->dow[7] = true;
		put(c, "L");
		break;
	case 1:
		c->dow_kind = REF_DOW_LAST;
		c->dow_day = rnd_in(1, 7);
		put_value(c, c->dow_day, REF_DAYS);
		put(c, "L");
		break;
	case 2:
		c->dow_kind = REF_DOW_NTH;
		c->dow_day = rnd_in(1, 7);
		c->dow_nth = rnd_in(1, 5);
		put_value(c, c->dow_day, REF_DAYS);
		put(c, "#%d", c->dow_nth);
		break;
	default:
		c->dow_kind = REF_DOW_LIST;
		random_list(c, c->dow, 1, 7, REF_DAYS, false);
		break;
	}
}

/* A random cron whose years include year often, into c. */
static void random_cron(struct ref_cron *c, int year)
{
	memset(c, 0, sizeof(*c));
	put(c, "cron(");
	if (rnd(3))
		random_list(c, c->minute, 0, 59, NULL, true);
	else
		random_field(c, c->minute, 0, 59, NULL);
	put(c, " ");
	random_field(c, c->hour, 0, 23, NULL);
	put(c, " ");
	random_days(c);
	put(c, " ");
	if (rnd(2)) {
		put(c, "*");
		for (int v = SCHEDULE_YEAR_MIN; v <= SCHEDULE_YEAR_MAX; v++)
			c->year[v] = true;
	} else if (rnd(2)) {
		int low = year - rnd_in(0, 2), high = year + rnd_in(0, 2);

		low = low < SCHEDULE_YEAR_MIN ? SCHEDULE_YEAR_MIN : low;
		high = high > SCHEDULE_YEAR_MAX ? SCHEDULE_YEAR_MAX : high;
		put(c, "%d-%d", low, high);
		for (int v = low; v <= high; v++)
			c->year[v] = true;
	} else {
		random_list(c, c->year, SCHEDULE_YEAR_MIN, SCHEDULE_YEAR_MAX,
			    NULL, true);
	}
	put(c, ")");
}

static bool is_weekday_on(int year, int month, int day)
{
	struct tm tm;

	civil(utc(year, month, day, 0, 0), &tm);
	return tm.tm_wday != 0 && tm.tm_wday != 6;
}

/*
 * Whether the reference takes a day, by the definitions in words: the
 * weekday in the month closest to N (distance 0, then 1, 2, 3 either
 * way), the last weekday found going back from the month's end, the
 * n-th weekday counted in sevens.
 */
static bool ref_day(const struct ref_cron *c, int year, int month, int day,
		    int wday, int last)
{
	switch (c->dom_kind) {
	case REF_DOM_LIST:
		return c->dom[day];
	case REF_DOM_L:
		return day == last;
	case REF_DOM_LW: {
		int d = last;

		while (!is_weekday_on(year, month, d))
			d--;
		return day == d;
	}
	case REF_DOM_NW:
		if (c->dom_day > last)
			return false;
		for (int dist = 0; dist <= 3; dist++) {
			int before = c->dom_day - dist,
			    after = c->dom_day + dist;

			if (before >= 1 && is_weekday_on(year, month, before))
				return day == before;
			if (after <= last && is_weekday_on(year, month, after))
				return day == after;
		}
		cr_assert_fail("no weekday within 3 days");
		return false;
	case REF_DOM_ANY:
		break;
	}
	switch (c->dow_kind) {
	case REF_DOW_LIST:
		return c->dow[wday + 1];
	case REF_DOW_LAST:
		return wday + 1 == c->dow_day && day + 7 > last;
	case REF_DOW_NTH:
		return wday + 1 == c->dow_day &&
		       (day - 1) / 7 + 1 == c->dow_nth;
	case REF_DOW_ANY:
		break;
	}
	cr_assert_fail("both day fields '?'");
	return false;
}

#define CROSS_CHECK_CASES 400
#define CROSS_CHECK_WINDOW_MINUTES (45 * 24 * 60)

/*
 * For random crons and windows, every firing the reference finds minute
 * by minute is what schedule_next answers from the one before, and
 * after the last, schedule_next answers past the window or none.
 */
Test(cron_next, agrees_with_a_minute_by_minute_reference)
{
	static struct ref_cron c;
	unsigned firings = 0, nones = 0;

	for (int n = 0; n < CROSS_CHECK_CASES; n++) {
		/* windows anywhere in 1970..2199, some across its end */
		int year = n % 10 == 0 ? SCHEDULE_YEAR_MAX
				       : rnd_in(SCHEDULE_YEAR_MIN,
						SCHEDULE_YEAR_MAX);
		int64_t start = utc(year, rnd_in(1, 12), rnd_in(1, 28),
				    rnd_in(0, 23), rnd_in(0, 59));
		int64_t end = start + CROSS_CHECK_WINDOW_MINUTES * MINUTE_MS;
		int64_t after = start + rnd_in(0, 59999), next;
		struct schedule s;
		struct err err = {""};
		int cached_day = -1, last = 0;
		bool day_ok = false;
		char a[64], b[64];
		int rc;

		random_cron(&c, year);
		rc = schedule_parse(c.text, c.len, &s, &err);
		cr_assert_eq(rc, 0, "%s: %s", c.text, err.msg);
		for (int64_t t = (after / MINUTE_MS + 1) * MINUTE_MS; t <= end;
		     t += MINUTE_MS) {
			struct tm tm;
			int y, m;

			civil(t, &tm);
			y = tm.tm_year + 1900;
			m = tm.tm_mon + 1;
			if (tm.tm_yday != cached_day) {
				cached_day = tm.tm_yday;
				last = last_day(y, m);
				day_ok = y <= SCHEDULE_YEAR_MAX && c.year[y] &&
					 c.month[m] &&
					 ref_day(&c, y, m, tm.tm_mday,
						 tm.tm_wday, last);
			}
			if (!day_ok || !c.hour[tm.tm_hour] ||
			    !c.minute[tm.tm_min])
				continue;
			rc = schedule_next(&s, after, 0, &next);
			cr_assert_eq(rc, 0, "%s after %s: %d, want %s", c.text,
				     show(a, after), rc, show(b, t));
			cr_assert_eq(next, t, "%s after %s: %s, want %s",
				     c.text, show(a, after), show(a, next),
				     show(b, t));
			firings++;
			after = rnd(2) ? t : t + rnd_in(0, 59999);
		}
		rc = schedule_next(&s, after, 0, &next);
		cr_assert(rc == -ENOENT || (rc == 0 && next > end),
			  "%s after %s: %d %s, want none in the window", c.text,
			  show(a, after), rc, show(b, next));
		nones += rc == -ENOENT;
	}
	/* the generator must give both many firings and finished crons */
	cr_assert_gt(firings, 10000, "%u firings", firings);
	cr_assert_gt(nones, 5, "%u crons finished", nones);
}
