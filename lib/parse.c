/*
 * parse: the small grammars users type into monfs — metric values,
 * timestamps, relative times, path components and periods.
 *
 * Every parser is strict and total: it reads exactly the byte range it is
 * given (callers have already split lines into fields, so a blank is
 * never skipped), writes its result only on success, and refuses with
 * -EINVAL rather than guessing. Times are integer milliseconds, computed
 * without floating point, so "1732400000.123" is exactly 1732400000123.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strtod_l */
#endif
#include "lib/parse.h"
#include "lib/utf8.h"

#include "lib/format.h"
#include "lib/timeutil.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define VALUE_MAX_BYTES 400 /* longer than any honest number */

static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static locale_t c_locale;

static void c_locale_init(void)
{
	c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

double parse_strtod_c(const char *text, char **end)
{
	pthread_once(&c_locale_once, c_locale_init);
	/*
	 * Should newlocale have failed, the process locale is still "C":
	 * the daemon never calls setlocale.
	 */
	if (c_locale != (locale_t)0)
		return strtod_l(text, end, c_locale);
	return strtod(text, end);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Read a run of decimal digits starting at *pos into *out, refusing an
 * empty run and a value above max. Advances *pos past the digits.
 */
static int read_digits(const char *s, size_t len, size_t *pos, int64_t max,
		       int64_t *out)
{
	size_t start = *pos;
	int64_t v = 0;

	while (*pos < len && is_digit(s[*pos])) {
		int d = s[*pos] - '0';

		if (v > (max - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
		(*pos)++;
	}
	if (*pos == start)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Exactly n digits at *pos, as a number; advances past them. */
static int read_fixed_digits(const char *s, size_t len, size_t *pos, unsigned n,
			     int *out)
{
	int v = 0;

	if (len - *pos < n)
		return -EINVAL;
	for (; n; n--, (*pos)++) {
		if (!is_digit(s[*pos]))
			return -EINVAL;
		v = v * 10 + (s[*pos] - '0');
	}
	*out = v;
	return 0;
}

/* Expect the byte c at *pos and step over it. */
static int expect(const char *s, size_t len, size_t *pos, char c)
{
	if (*pos >= len || s[*pos] != c)
		return -EINVAL;
	(*pos)++;
	return 0;
}

/*
 * An optional fraction of a second: '.' and at least one digit, of which
 * the first three give milliseconds and the rest are dropped (truncated,
 * never rounded, so a point never moves into the next millisecond).
 */
static int read_fraction_ms(const char *s, size_t len, size_t *pos, int64_t *ms)
{
	size_t start;
	int place = 100;

	*ms = 0;
	if (*pos >= len || s[*pos] != '.')
		return 0;
	start = ++(*pos);
	for (; *pos < len && is_digit(s[*pos]); (*pos)++) {
		*ms += (s[*pos] - '0') * place;
		place /= 10;
	}
	return *pos == start ? -EINVAL : 0;
}

/*
 * Clinger's fast path: a plain decimal ([+-]digits[.digits]) of at most
 * 15 significant digits is an integer m < 2^53 over 10^k with k <= 22,
 * both exact doubles, so the one division m / 10^k is correctly rounded:
 * bit for bit what strtod gives, at a fraction of its cost (metric
 * values are mostly such numbers). false: not such a number, ask strtod.
 */
static bool fast_decimal(const char *s, size_t len, double *out)
{
	static const double POW10[] = {
		1e0,  1e1,  1e2,  1e3,	1e4,  1e5,  1e6,  1e7,
		1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
		1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
	};
	uint64_t m = 0;
	size_t i = 0, digits = 0, fraction = 0;
	bool negative = false, dot = false, any = false;
	double v;

	if (s[0] == '+' || s[0] == '-')
		negative = s[i++] == '-';
	for (; i < len; i++) {
		if (s[i] == '.' && !dot) {
			dot = true;
			continue;
		}
		if (!is_digit(s[i]))
			return false;
		any = true;
		if (m == 0 && s[i] == '0') { /* a leading zero counts nothing */
			fraction += dot;
			continue;
		}
		if (++digits > 15)
			return false;
		m = m * 10 + (uint64_t)(s[i] - '0');
		fraction += dot;
	}
	if (!any || fraction >= sizeof(POW10) / sizeof(POW10[0]))
		return false;
	v = (double)m / POW10[fraction];
	*out = negative ? -v : v;
	return true;
}

int parse_value(const char *s, size_t len, double *out)
{
	char text[VALUE_MAX_BYTES + 1];
	size_t i = 0;
	char *end;
	double v;

	if (len == 0 || len > VALUE_MAX_BYTES)
		return -EINVAL;
	if (s[0] == '+' || s[0] == '-')
		i++;
	/*
	 * strtod would also take leading blanks, "nan", "inf" and hex
	 * floats: require the number proper to start with a digit or '.'
	 * and not with "0x".
	 */
	if (i == len || !(is_digit(s[i]) || s[i] == '.'))
		return -EINVAL;
	if (s[i] == '0' && i + 1 < len && (s[i + 1] == 'x' || s[i + 1] == 'X'))
		return -EINVAL;
	if (fast_decimal(s, len, out))
		return 0;

	memcpy(text, s, len);
	text[len] = '\0';
	v = parse_strtod_c(text, &end);
	/* An embedded NUL also stops strtod short of the end. */
	if (end != text + len)
		return -EINVAL;
	/*
	 * Overflow comes back as HUGE_VAL, an infinity. Underflow also sets
	 * ERANGE but yields 0 or a denormal, a fine value: errno is not
	 * consulted.
	 */
	if (!isfinite(v))
		return -EINVAL;
	*out = v;
	return 0;
}

/* Unix seconds: digits, then optionally '.' and digits. No sign. */
static int parse_unix_seconds(const char *s, size_t len, int64_t *ms_out)
{
	size_t pos = 0;
	int64_t seconds, ms;

	if (read_digits(s, len, &pos, INT64_MAX / MS_PER_SECOND, &seconds) ||
	    read_fraction_ms(s, len, &pos, &ms) || pos != len)
		return -EINVAL;
	if (seconds > (INT64_MAX - ms) / MS_PER_SECOND)
		return -EINVAL;
	*ms_out = seconds * MS_PER_SECOND + ms;
	return 0;
}

static bool is_leap_year(int year)
{
	return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

static int days_in_month(int year, int month)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31};

	return month == 2 && is_leap_year(year) ? 29 : days[month - 1];
}

/*
 * The zone: 'Z' / 'z', or "+HH:MM" / "-HH:MM", as the offset to subtract
 * from the local time to get UTC ("+01:00" is one hour ahead of UTC).
 */
static int read_zone_ms(const char *s, size_t len, size_t *pos,
			int64_t *offset_ms)
{
	int sign, hours, minutes;

	if (*pos >= len)
		return -EINVAL;
	if (s[*pos] == 'Z' || s[*pos] == 'z') {
		(*pos)++;
		*offset_ms = 0;
		return 0;
	}
	if (s[*pos] != '+' && s[*pos] != '-')
		return -EINVAL;
	sign = s[(*pos)++] == '-' ? -1 : 1;
	if (read_fixed_digits(s, len, pos, 2, &hours) ||
	    expect(s, len, pos, ':') ||
	    read_fixed_digits(s, len, pos, 2, &minutes))
		return -EINVAL;
	if (hours > 23 || minutes > 59)
		return -EINVAL;
	*offset_ms = sign * (hours * MS_PER_HOUR + minutes * MS_PER_MINUTE);
	return 0;
}

/*
 * RFC 3339's date-time: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM).
 *
 * A leap second (:60) is refused: Unix time has no place for it, and
 * folding it into :59 or :00 would store a time the user did not send.
 */
static int parse_rfc3339(const char *s, size_t len, int64_t *ms_out)
{
	size_t pos = 0;
	int year, month, day, hour, minute, second;
	int64_t frac_ms, offset_ms, days;

	if (read_fixed_digits(s, len, &pos, 4, &year) ||
	    expect(s, len, &pos, '-') ||
	    read_fixed_digits(s, len, &pos, 2, &month) ||
	    expect(s, len, &pos, '-') ||
	    read_fixed_digits(s, len, &pos, 2, &day))
		return -EINVAL;
	if (pos >= len || (s[pos] != 'T' && s[pos] != 't'))
		return -EINVAL;
	pos++;
	if (read_fixed_digits(s, len, &pos, 2, &hour) ||
	    expect(s, len, &pos, ':') ||
	    read_fixed_digits(s, len, &pos, 2, &minute) ||
	    expect(s, len, &pos, ':') ||
	    read_fixed_digits(s, len, &pos, 2, &second) ||
	    read_fraction_ms(s, len, &pos, &frac_ms) ||
	    read_zone_ms(s, len, &pos, &offset_ms) || pos != len)
		return -EINVAL;
	if (month < 1 || month > 12 || day < 1 ||
	    day > days_in_month(year, month) || hour > 23 || minute > 59 ||
	    second > 59)
		return -EINVAL;

	/* Four-digit years keep every term far from int64's limits. */
	days = days_from_civil(year, (unsigned)month, (unsigned)day);
	*ms_out = days * MS_PER_DAY + hour * MS_PER_HOUR +
		  minute * MS_PER_MINUTE + second * MS_PER_SECOND + frac_ms -
		  offset_ms;
	return 0;
}

int parse_timestamp(const char *s, size_t len, int64_t *ms_out)
{
	/* A date has its first '-' after four digits; seconds never do. */
	if (len > 4 && s[4] == '-')
		return parse_rfc3339(s, len, ms_out);
	return parse_unix_seconds(s, len, ms_out);
}

static int64_t unit_ms(char unit)
{
	switch (unit) {
	case 's':
		return MS_PER_SECOND;
	case 'm':
		return MS_PER_MINUTE;
	case 'h':
		return MS_PER_HOUR;
	case 'd':
		return MS_PER_DAY;
	case 'w':
		return MS_PER_WEEK;
	default:
		return 0;
	}
}

int parse_time_arg(const char *s, size_t len, int64_t now_ms, int64_t *ms_out)
{
	size_t pos = 1;
	int64_t count, unit, back;

	if (len == 3 && memcmp(s, "now", 3) == 0) {
		*ms_out = now_ms;
		return 0;
	}
	if (len == 0 || s[0] != '-')
		return parse_timestamp(s, len, ms_out);

	/* "-N<unit>": the digits, then exactly one unit letter. */
	unit = unit_ms(s[len - 1]);
	if (!unit || read_digits(s, len - 1, &pos, INT64_MAX, &count) ||
	    pos != len - 1)
		return -EINVAL;
	if (count > INT64_MAX / unit)
		return -EINVAL;
	back = count * unit;
	if (now_ms < INT64_MIN + back)
		return -EINVAL;
	*ms_out = now_ms - back;
	return 0;
}

/* A name of 1 to 255 bytes, leading '.' allowed or not. */
static int check_name(const char *s, size_t len, bool leading_dot)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, n;

	if (len > NAME_MAX_BYTES)
		return -ENAMETOOLONG;
	if (len == 0 || (s[0] == '.' && !leading_dot))
		return -EINVAL;
	for (i = 0; i < len; i += n) {
		if (u[i] < 0x20 || u[i] == 0x7F || u[i] == '?')
			return -EINVAL;
		n = utf8_sequence_length(u + i, len - i);
		if (!n)
			return -EINVAL;
	}
	return 0;
}

int parse_name(const char *s, size_t len)
{
	return check_name(s, len, false);
}

int parse_definition_name(const char *s, size_t len)
{
	if ((len == 1 && s[0] == '.') ||
	    (len == 2 && s[0] == '.' && s[1] == '.'))
		return -EINVAL;
	return check_name(s, len, true);
}

int parse_period(const char *s, size_t len, int64_t *period_s)
{
	size_t pos = 0;
	int64_t v;

	/* Capped so that callers can turn it into milliseconds. */
	if (read_digits(s, len, &pos, INT64_MAX / MS_PER_SECOND, &v) ||
	    pos != len)
		return -EINVAL;
	if (v != 1 && v != 5 && v != 10 && v != 20 && v != 30 &&
	    (v == 0 || v % 60 != 0))
		return -EINVAL;
	*period_s = v;
	return 0;
}

/* Why s[0..len), refused by parse_name, is not a name: a short phrase. */
static const char *name_fault(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, n;

	if (s[0] == '.')
		return "it starts with '.'";
	for (i = 0; i < len; i += n) {
		if (u[i] == '?')
			return "it holds '?', which starts a view";
		if (u[i] < 0x20 || u[i] == 0x7F)
			return "it holds a control character";
		n = utf8_sequence_length(u + i, len - i);
		if (!n)
			return "it is not valid UTF-8";
	}
	return "it is not a name";
}

int parse_name_explained(const char *s, size_t len, struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];
	int rc = parse_name(s, len);

	if (rc == -ENAMETOOLONG)
		err_set(err, "\"%s\" is longer than %d bytes",
			format_quote(q, s, len), NAME_MAX_BYTES);
	else if (rc && len == 0)
		err_set(err, "empty name");
	else if (rc)
		err_set(err, "\"%s\" is not a name: %s",
			format_quote(q, s, len), name_fault(s, len));
	return rc ? -EINVAL : 0;
}

int parse_levels(const char *s, size_t len, size_t max, struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];
	size_t start = 0, i;

	if (len > max) {
		err_set(err, "\"%s\" is longer than %zu bytes",
			format_quote(q, s, len), max);
		return -EINVAL;
	}
	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '/')
			continue;
		if (i == start && len > 0) {
			err_set(err, "\"%s\" has an empty level",
				format_quote(q, s, len));
			return -EINVAL;
		}
		if (parse_name_explained(s + start, i - start, err))
			return -EINVAL;
		start = i + 1;
	}
	return 0;
}

int parse_log_destination(const char *s, size_t len, const char **dest,
			  size_t *dest_len, size_t *group_len, struct err *err)
{
	const char *target = s + 4, *slash;
	size_t n = len - 4;
	char q[FORMAT_QUOTE_SIZE];

	if (n > 0 && target[0] == '/') {
		target++;
		n--;
	}
	slash = memrchr(target, '/', n);
	if (!slash) {
		err_set(err, "\"%s\" is not log:GROUP/STREAM",
			format_quote(q, s, len));
		return -EINVAL;
	}
	*group_len = (size_t)(slash - target);
	if (parse_levels(target, *group_len, LOG_GROUP_MAX_BYTES, err) ||
	    parse_name_explained(slash + 1, n - *group_len - 1, err)) {
		err_prefix(err, "\"%s\"", format_quote(q, s, len));
		return -EINVAL;
	}
	*dest = target;
	*dest_len = n;
	return 0;
}

int parse_metric_path(const char *s, size_t len, size_t *ns_len,
		      struct err *err)
{
	const char *slash = memrchr(s, '/', len);
	char q[FORMAT_QUOTE_SIZE];
	size_t n;

	if (!slash) {
		err_set(err, "\"%s\" is not NAMESPACE/NAME",
			format_quote(q, s, len));
		return -EINVAL;
	}
	n = (size_t)(slash - s);
	if (parse_levels(s, n, NAMESPACE_MAX_BYTES, err) ||
	    parse_name_explained(slash + 1, len - n - 1, err))
		return -EINVAL;
	*ns_len = n;
	return 0;
}
