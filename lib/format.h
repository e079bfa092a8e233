/*
 * format: how monfs prints numbers and times, in one place, so that the
 * metric renderings, the trail and alarm reasons agree.
 */
#ifndef MONFS_FORMAT_H
#define MONFS_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "lib/strbuf.h"

#define FORMAT_DOUBLE_MAX 32
#define FORMAT_TIME_MAX 40

/*
 * v as JavaScript's Number.prototype.toString prints it: the shortest
 * decimal that reads back to the same double; plain notation for
 * 1e-6 <= |v| < 1e21 ("120", "0.1", "3.6", "0.000001"), exponent form
 * outside it ("1e+21", "1.5e-7"); -0 prints "0". Non-finite values print
 * "NaN", "Infinity", "-Infinity". Returns buf.
 */
char *format_double(char buf[FORMAT_DOUBLE_MAX], double v);

/*
 * v as Java's Double.toString prints it, which CloudWatch uses in alarm
 * reasons: "88.0", "91.5", "1.0E7", "1.0E-4". Returns buf.
 */
char *format_double_java(char buf[FORMAT_DOUBLE_MAX], double v);

/*
 * ms as RFC 3339 in UTC, "2026-11-23T23:01:00Z", with ".mmm" added only
 * when the milliseconds are not zero. Returns buf.
 */
char *format_time(char buf[FORMAT_TIME_MAX], int64_t ms);

/* Civil date of ms in UTC: "2026-11-23". Returns buf. */
char *format_date(char buf[FORMAT_TIME_MAX], int64_t ms);

/*
 * Days since 1970-01-01 of a proleptic Gregorian date (month 1-12),
 * negative before it. Shared by parsing and printing so they agree.
 */
int64_t days_from_civil(int64_t year, unsigned month, unsigned day);

/* The inverse of days_from_civil. */
void civil_from_days(int64_t days, int64_t *year, unsigned *month,
		     unsigned *day);

/*
 * Append s[0..len) to out with each byte that does not begin a
 * well-formed UTF-8 sequence replaced by U+FFFD. 0 or -ENOMEM.
 */
int format_utf8_lossy(struct strbuf *out, const char *s, size_t len);

#define FORMAT_QUOTE_MAX 40 /* bytes of bad input quoted in a message */
#define FORMAT_QUOTE_SIZE (FORMAT_QUOTE_MAX + 4)

/*
 * Copy up to FORMAT_QUOTE_MAX bytes of s[0..len) into out for an error
 * message, keeping whole UTF-8 sequences and replacing control bytes,
 * stray bytes and '"' with '?' (the message goes into the trail's JSON),
 * "..." marking a cut. Returns out.
 */
const char *format_quote(char out[FORMAT_QUOTE_SIZE], const char *s,
			 size_t len);

/*
 * Append one line of a text table to out: cells[0..ncols), each but the
 * last padded with blanks to width[c] + 2 (the gap between columns), the
 * last unpadded, so that no line ends in blanks. 0 or -ENOMEM.
 */
int format_table_line(struct strbuf *out, const char *const *cells,
		      const size_t *width, size_t ncols);

#endif
