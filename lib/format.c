/*
 * format: the one place monfs turns doubles and instants into text.
 *
 * Doubles print as the shortest decimal that reads back to the same value
 * (so 0.1 is "0.1", never "0.10000000000000001"), laid out either as
 * JavaScript prints numbers (metric renderings) or as Java does (alarm
 * reasons, which copy CloudWatch's wording). Instants print as RFC 3339
 * in UTC. The calendar arithmetic lives here too, so that parse.c and the
 * renderings agree on every date.
 */
#include "lib/format.h"
#include "lib/timeutil.h"
#include "lib/utf8.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SIGNIFICANT_DIGITS 17 /* always enough for a double */

/*
 * A finite, non-zero |v| as significant digits and a decimal exponent:
 * |v| reads back from 0.DIGITS x 10^point, i.e. "point" is where the
 * decimal point goes relative to the first digit (ECMAScript's n).
 */
struct decimal {
	/* NUL-terminated, without trailing zeros */
	char digits[MAX_SIGNIFICANT_DIGITS + 1];
	int ndigits;
	int point;
};

/*
 * Parse what "%.*e" printed into digits and exponent. The radix character
 * is skipped rather than matched, so that a locale printing ',' does not
 * matter: it is the only non-digit between the first digit and 'e'.
 */
static void decimal_from_exp(struct decimal *d, const char *text)
{
	const char *p = text;

	d->ndigits = 0;
	for (; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9' &&
		    d->ndigits < MAX_SIGNIFICANT_DIGITS)
			d->digits[d->ndigits++] = *p;
	assert(*p == 'e');
	d->point = atoi(p + 1) + 1;
	while (d->ndigits > 1 && d->digits[d->ndigits - 1] == '0')
		d->ndigits--;
	d->digits[d->ndigits] = '\0';
}

/*
 * Whether the decimal in text, as "%e" prints it in the current locale,
 * reads back to exactly v. strtod uses the same locale as snprintf, so
 * the check holds whatever the locale is.
 */
static int reads_back(const char *text, double v)
{
	return strtod(text, NULL) == v;
}

/*
 * Step the p-digit decimal in text (as "%e" prints a positive v) up by
 * one unit in its last place.
 *
 * Needed because the closest p-digit decimal is not always the only one
 * in v's rounding interval: at a power of two the interval is twice as
 * wide above v as below it, so the closest may fall just outside below
 * while the next one up is inside. ECMAScript and Java want the fewest
 * digits first and closeness second, so that one wins over p + 1 digits.
 * Above v the interval is never the narrower side, so the neighbour
 * below is never needed.
 *
 * Returns 0 when the step carries past the first digit (to a power of
 * ten): no power of two lies close enough to one for that to read back.
 */
static int step_up(char *text)
{
	char *q;

	for (q = strchr(text, 'e') - 1; q >= text; q--) {
		if (*q < '0' || *q > '9')
			continue;
		if (*q < '9') {
			(*q)++;
			return 1;
		}
		*q = '0';
	}
	return 0;
}

/*
 * The shortest decimal, of at least min_digits significant digits, that
 * reads back to v (finite, positive); among several of that length, the
 * closest to v.
 */
static void shortest_decimal(struct decimal *d, double v, int min_digits)
{
	char text[64];
	char next[64];
	int p;

	assert(v > 0 && isfinite(v));
	for (p = min_digits;; p++) {
		snprintf(text, sizeof(text), "%.*e", p - 1, v);
		if (p == MAX_SIGNIFICANT_DIGITS || reads_back(text, v))
			break;
		if (strtod(text, NULL) > v)
			continue;
		memcpy(next, text, sizeof(next));
		if (step_up(next) && reads_back(next, v)) {
			memcpy(text, next, sizeof(text));
			break;
		}
	}
	decimal_from_exp(d, text);
}

static char *put_zeros(char *out, int n)
{
	while (n-- > 0)
		*out++ = '0';
	return out;
}

static char *put_digits(char *out, const char *digits, int n)
{
	memcpy(out, digits, (size_t)n);
	return out + n;
}

/* ECMAScript's Number::toString layout (ECMA-262, Number::toString). */
char *format_double(char buf[FORMAT_DOUBLE_MAX], double v)
{
	struct decimal d;
	char *out = buf;
	int k, n;

	if (isnan(v))
		return strcpy(buf, "NaN");
	if (isinf(v))
		return strcpy(buf, v < 0 ? "-Infinity" : "Infinity");
	if (v == 0)
		return strcpy(buf, "0"); /* -0 too */

	shortest_decimal(&d, fabs(v), 1);
	k = d.ndigits;
	n = d.point;
	if (v < 0)
		*out++ = '-';
	if (k <= n && n <= 21) {
		out = put_digits(out, d.digits, k);
		out = put_zeros(out, n - k);
	} else if (0 < n && n <= 21) {
		out = put_digits(out, d.digits, n);
		*out++ = '.';
		out = put_digits(out, d.digits + n, k - n);
	} else if (-6 < n && n <= 0) {
		*out++ = '0';
		*out++ = '.';
		out = put_zeros(out, -n);
		out = put_digits(out, d.digits, k);
	} else {
		*out++ = d.digits[0];
		if (k > 1) {
			*out++ = '.';
			out = put_digits(out, d.digits + 1, k - 1);
		}
		out += sprintf(out, "e%c%d", n - 1 < 0 ? '-' : '+', abs(n - 1));
	}
	*out = '\0';
	return buf;
}

/*
 * Java's Double.toString (as specified since JDK 19; older JDKs sometimes
 * print a digit more). Its layout always shows a fraction digit, so it
 * counts at least two significant digits: when one would do, it takes the
 * closest two-digit decimal instead (Double.MIN_VALUE is "4.9E-324", not
 * "5.0E-324"), hence the search starts at two digits.
 */
char *format_double_java(char buf[FORMAT_DOUBLE_MAX], double v)
{
	struct decimal d;
	char *out = buf;
	double mag = fabs(v);
	int k, n;

	if (isnan(v))
		return strcpy(buf, "NaN");
	if (isinf(v))
		return strcpy(buf, v < 0 ? "-Infinity" : "Infinity");
	if (v == 0)
		return strcpy(buf, signbit(v) ? "-0.0" : "0.0");

	shortest_decimal(&d, mag, 2);
	k = d.ndigits;
	n = d.point;
	if (v < 0)
		*out++ = '-';
	if (mag >= 1e-3 && mag < 1e7) {
		if (n > 0) {
			out = put_digits(out, d.digits, k < n ? k : n);
			out = put_zeros(out, n - k);
			*out++ = '.';
			if (k > n)
				out = put_digits(out, d.digits + n, k - n);
			else
				*out++ = '0';
		} else {
			*out++ = '0';
			*out++ = '.';
			out = put_zeros(out, -n);
			out = put_digits(out, d.digits, k);
		}
	} else {
		*out++ = d.digits[0];
		*out++ = '.';
		if (k > 1)
			out = put_digits(out, d.digits + 1, k - 1);
		else
			*out++ = '0';
		out += sprintf(out, "E%d", n - 1);
	}
	*out = '\0';
	return buf;
}

char *format_time(char buf[FORMAT_TIME_MAX], int64_t ms)
{
	int64_t days = floor_div(ms, MS_PER_DAY);
	int64_t ms_of_day = floor_mod(ms, MS_PER_DAY);
	int64_t millis = ms_of_day % MS_PER_SECOND;
	int64_t year;
	unsigned month, day;
	int len;

	civil_from_days(days, &year, &month, &day);
	len = snprintf(buf, FORMAT_TIME_MAX, "%04lld-%02u-%02uT%02d:%02d:%02d",
		       (long long)year, month, day,
		       (int)(ms_of_day / MS_PER_HOUR),
		       (int)(ms_of_day / MS_PER_MINUTE % 60),
		       (int)(ms_of_day / MS_PER_SECOND % 60));
	if (millis)
		len += snprintf(buf + len, FORMAT_TIME_MAX - (size_t)len,
				".%03d", (int)millis);
	snprintf(buf + len, FORMAT_TIME_MAX - (size_t)len, "Z");
	return buf;
}

char *format_date(char buf[FORMAT_TIME_MAX], int64_t ms)
{
	int64_t days = floor_div(ms, MS_PER_DAY);
	int64_t year;
	unsigned month, day;

	civil_from_days(days, &year, &month, &day);
	snprintf(buf, FORMAT_TIME_MAX, "%04lld-%02u-%02u", (long long)year,
		 month, day);
	return buf;
}

/*
 * Howard Hinnant's days_from_civil: count in 400-year eras (146097 days
 * each) of years that start on March 1st, so the leap day is the last
 * day of its year and the month lengths follow a linear formula.
 */
int64_t days_from_civil(int64_t year, unsigned month, unsigned day)
{
	int64_t era, year_of_era, day_of_year, day_of_era;

	assert(month >= 1 && month <= 12);
	year -= month <= 2;
	era = (year >= 0 ? year : year - 399) / 400;
	year_of_era = year - era * 400;
	day_of_year =
		(153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
	day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 +
		     day_of_year;
	return era * 146097 + day_of_era - 719468;
}

/* Howard Hinnant's civil_from_days, the inverse of the above. */
void civil_from_days(int64_t days, int64_t *year, unsigned *month,
		     unsigned *day)
{
	int64_t era, day_of_era, year_of_era, day_of_year, month_from_march;

	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	day_of_era = days - era * 146097;
	year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 -
		       day_of_era / 146096) /
		      365;
	day_of_year = day_of_era -
		      (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
	month_from_march = (5 * day_of_year + 2) / 153;
	*day = (unsigned)(day_of_year - (153 * month_from_march + 2) / 5 + 1);
	*month = (unsigned)(month_from_march < 10 ? month_from_march + 3
						  : month_from_march - 9);
	*year = year_of_era + era * 400 + (*month <= 2);
}

int format_utf8_lossy(struct strbuf *out, const char *s, size_t len)
{
	size_t i = 0;
	int rc = 0;

	while (i < len && !rc) {
		size_t start = i, n;

		while (i < len &&
		       (n = utf8_sequence_length((const unsigned char *)s + i,
						 len - i)) > 0)
			i += n;
		rc = strbuf_add(out, s + start, i - start);
		if (!rc && i < len) {
			rc = strbuf_add(out, "\xef\xbf\xbd", 3);
			i++;
		}
	}
	return rc;
}

/*
 * Copy up to FORMAT_QUOTE_MAX bytes of s into out for a message, keeping whole
 * UTF-8 sequences and replacing control bytes, stray bytes and '"' with
 * '?', so that the message stays valid UTF-8 for the trail.
 */
const char *format_quote(char out[FORMAT_QUOTE_SIZE], const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, o = 0, n;

	while (i < len && o < FORMAT_QUOTE_MAX) {
		n = u[i] < 0x20 || u[i] == 0x7F || u[i] == '"'
			    ? 0
			    : utf8_sequence_length(u + i, len - i);
		if (n == 0) {
			out[o++] = '?';
			i++;
			continue;
		}
		if (o + n > FORMAT_QUOTE_MAX)
			break;
		memcpy(out + o, s + i, n);
		o += n;
		i += n;
	}
	if (i < len)
		memcpy(out + o, "...", 4);
	else
		out[o] = '\0';
	return out;
}

int format_table_line(struct strbuf *out, const char *const *cells,
		      const size_t *width, size_t ncols)
{
	size_t c;
	int rc = 0;

	for (c = 0; c < ncols && !rc; c++) {
		if (c + 1 < ncols)
			rc = strbuf_addf(out, "%-*s", (int)(width[c] + 2),
					 cells[c]);
		else
			rc = strbuf_addf(out, "%s\n", cells[c]);
	}
	return rc;
}
