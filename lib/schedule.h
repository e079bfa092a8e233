/*
 * schedule: a rule's schedule expression (SPEC 13), EventBridge's
 * rate(...) and cron(...), parsed once into a value that says when the
 * rule fires next — pure logic: the daemon keeps the anchor and the last
 * firing, and asks here what comes after.
 *
 * rate(VALUE UNIT): VALUE a positive decimal integer without sign or
 * leading zero, at most SCHEDULE_RATE_MAX; UNIT minute, hour or day when
 * VALUE is 1, minutes, hours or days above (EventBridge refuses
 * rate(1 minutes) and rate(5 minute)). A rate fires every VALUE UNITs
 * counted from an anchor, the rule's first definition time: at
 * anchor + k * period for every integer k. The anchor sets the phase
 * only, so a redefinition that keeps the anchor keeps the phase.
 *
 * cron(MINUTES HOURS DAY-OF-MONTH MONTH DAY-OF-WEEK YEAR), in UTC, at
 * second 0 of each minute it names:
 *
 *   field          values                  forms
 *   minutes        0-59                    , - * /
 *   hours          0-23                    , - * /
 *   day-of-month   1-31                    , - * / ?  L  LW  NW
 *   month          1-12 or JAN-DEC         , - * /
 *   day-of-week    1-7 or SUN-SAT (1 SUN)  , - *   ?  L  NL  N#K
 *   year           1970-2199               , - * /
 *
 * A field is a list of items joined by ','; an item is '*', a value, or
 * a range LOW-HIGH (LOW <= HIGH: a backwards range is refused, not
 * wrapped), each optionally followed by /STEP (1 <= STEP <= the field's
 * span): '*' / STEP starts at the field's lowest value, VALUE / STEP
 * runs from VALUE to the field's highest. A value is decimal digits
 * (a leading zero is fine: "08") or, in month and day-of-week, a
 * three-letter name; names are case-insensitive, as are L and W. The
 * special forms stand alone in their field, as in Quartz, where AWS's
 * cron comes from:
 *   ?     no constraint; exactly one of day-of-month and day-of-week is
 *         '?' (both or neither: refused), and the other says which days;
 *   L     day-of-month: the month's last day; day-of-week: Saturday;
 *   LW    the month's last weekday (Monday to Friday);
 *   NW    the weekday nearest day N of the same month: a Saturday N
 *         moves to Friday N-1 (to Monday N+2 when N is the 1st), a
 *         Sunday to Monday N+1 (to Friday N-2 when N is the month's
 *         last day); none in a month shorter than N days;
 *   NL    day-of-week: the month's last day of weekday N (5L: the last
 *         Thursday);
 *   N#K   day-of-week: the K-th (1-5) day of weekday N in the month
 *         (3#2: the second Tuesday); none in a month without one.
 * '/' is refused in day-of-week: AWS's reference lists no '/' there.
 * Blanks (space, tab) separate the fields, and may follow '(' and
 * precede ')'. A cron whose fields match no date (30 FEB) is accepted:
 * it never fires, and schedule_next says so.
 *
 * Anything else is -EINVAL with a message naming the field and the text
 * refused. The whole expression is at most SCHEDULE_TEXT_MAX bytes,
 * EventBridge's limit for ScheduleExpression.
 */
#ifndef MONFS_SCHEDULE_H
#define MONFS_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

#define SCHEDULE_TEXT_MAX 256 /* bytes of an expression */
/* The largest rate VALUE: 2^31 - 1, whose days still fit in int64 ms. */
#define SCHEDULE_RATE_MAX INT64_C(2147483647)
#define SCHEDULE_YEAR_MIN 1970
#define SCHEDULE_YEAR_MAX 2199
#define SCHEDULE_YEAR_WORDS 4 /* 64-bit words for 1970..2199 */

enum schedule_kind { SCHEDULE_RATE, SCHEDULE_CRON };

/* What a day-of-month field holds. */
enum schedule_dom {
	SCHEDULE_DOM_ANY,	   /* '?' */
	SCHEDULE_DOM_LIST,	   /* days in dom_bits */
	SCHEDULE_DOM_LAST,	   /* L */
	SCHEDULE_DOM_LAST_WEEKDAY, /* LW */
	SCHEDULE_DOM_NEAR_WEEKDAY, /* NW, N in dom_day */
};

/* What a day-of-week field holds. */
enum schedule_dow {
	SCHEDULE_DOW_ANY,  /* '?' */
	SCHEDULE_DOW_LIST, /* weekdays in dow_bits (L alone is 7) */
	SCHEDULE_DOW_LAST, /* NL: the last weekday dow_day */
	SCHEDULE_DOW_NTH,  /* N#K: the dow_nth-th weekday dow_day */
};

/*
 * A parsed schedule: a plain value, no heap, copyable with '='. Bit v of
 * a field's set means value v (years: bit y - SCHEDULE_YEAR_MIN of the
 * words). text is the canonical form schedule_format returns.
 */
struct schedule {
	enum schedule_kind kind;
	int64_t period_ms; /* SCHEDULE_RATE: VALUE * UNIT */
	/* SCHEDULE_CRON: */
	uint64_t minute_bits; /* 0-59 */
	uint32_t hour_bits;   /* 0-23 */
	uint32_t dom_bits;    /* 1-31, SCHEDULE_DOM_LIST */
	uint16_t month_bits;  /* 1-12 */
	uint8_t dow_bits;     /* 1-7, 1 = Sunday, SCHEDULE_DOW_LIST */
	enum schedule_dom dom;
	enum schedule_dow dow;
	unsigned dom_day; /* NW's N */
	unsigned dow_day; /* NL's and N#K's N, 1-7 */
	unsigned dow_nth; /* N#K's K, 1-5 */
	uint64_t year_bits[SCHEDULE_YEAR_WORDS];
	char text[SCHEDULE_TEXT_MAX + 1];
};

/*
 * Parse text[0..len) (not necessarily NUL-terminated) into *out. 0, or
 * -EINVAL with err saying which field and what text is wrong, e.g.
 * `cron: day-of-week "8": not 1-7 or SUN-SAT`. *out is written only on
 * success.
 */
int schedule_parse(const char *text, size_t len, struct schedule *out,
		   struct err *err);

/*
 * The canonical text of s: "rate(5 minutes)", or the six cron fields as
 * written, single blanks between them, letters in uppercase:
 * "cron(0/15 * ? * MON-FRI *)". Parsing it gives s back. Owned by s.
 */
const char *schedule_format(const struct schedule *s);

/*
 * The first firing strictly after after_ms, into *next_ms (ms since the
 * epoch, UTC; a cron fires on whole minutes). anchor_ms is a rate's
 * phase (see above) and is ignored by a cron. 0; -ENOENT when a cron
 * has no firing left (none up to 2199, or it matches no date);
 * -EOVERFLOW when a rate's next firing does not fit in int64.
 * Cost: a cron steps by year, month, day, hour and minute, a few
 * hundred steps at most whatever the gap; a rate is arithmetic.
 */
int schedule_next(const struct schedule *s, int64_t after_ms, int64_t anchor_ms,
		  int64_t *next_ms);

/*
 * Whether s fired in (since_ms, until_ms]: what the daemon asks at
 * start with its last_fired (or the definition time) and now, to fire
 * once for firings missed while it was down (SPEC 13). 1 with
 * *first_ms the earliest such firing, 0 when none (a finished cron
 * included), or -EOVERFLOW as schedule_next. first_ms may be NULL.
 */
int schedule_fired_between(const struct schedule *s, int64_t since_ms,
			   int64_t until_ms, int64_t anchor_ms,
			   int64_t *first_ms);

#endif
