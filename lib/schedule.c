/*
 * schedule: parsing rate(...) and cron(...) into struct schedule, and
 * stepping to the next firing (the grammar and meaning are in
 * schedule.h).
 *
 * A cron field becomes a bitset of the values it names, so that "the
 * next allowed value from v" is one shift and one count of trailing
 * zeros. The days of a month are the exception: L, W and # depend on
 * the month, so each month visited gets its own 31-bit set of matching
 * days, computed from its length and the weekday of its first day.
 */
#include "lib/schedule.h"

#include "lib/format.h"
#include "lib/timeutil.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

enum cron_field_index {
	FIELD_MINUTES,
	FIELD_HOURS,
	FIELD_DOM,
	FIELD_MONTH,
	FIELD_DOW,
	FIELD_YEAR,
	FIELD_COUNT
};

/* How one cron field reads: its values and, for month and weekday, names. */
struct cron_field {
	const char *name;	  /* as messages say it */
	unsigned low, high;	  /* the values it takes */
	unsigned base;		  /* value of bit 0 of its set */
	const char *const *names; /* names of low..high, or NULL */
	const char *allowed;	  /* what a message says it takes */
};

static const char *const MONTH_NAMES[] = {"JAN", "FEB", "MAR", "APR",
					  "MAY", "JUN", "JUL", "AUG",
					  "SEP", "OCT", "NOV", "DEC"};
static const char *const DAY_NAMES[] = {"SUN", "MON", "TUE", "WED",
					"THU", "FRI", "SAT"};

static const struct cron_field FIELDS[FIELD_COUNT] = {
	[FIELD_MINUTES] = {"minutes", 0, 59, 0, NULL, "0-59"},
	[FIELD_HOURS] = {"hours", 0, 23, 0, NULL, "0-23"},
	[FIELD_DOM] = {"day-of-month", 1, 31, 0, NULL, "1-31"},
	[FIELD_MONTH] = {"month", 1, 12, 0, MONTH_NAMES, "1-12 or JAN-DEC"},
	[FIELD_DOW] = {"day-of-week", 1, 7, 0, DAY_NAMES, "1-7 or SUN-SAT"},
	[FIELD_YEAR] = {"year", SCHEDULE_YEAR_MIN, SCHEDULE_YEAR_MAX,
			SCHEDULE_YEAR_MIN, NULL, "1970-2199"},
};

/* The values a field names, bit (value - base); 256 bits hold any. */
struct value_set {
	uint64_t words[SCHEDULE_YEAR_WORDS];
};

#define DIGITS_MAX 9 /* a field value's digits read before "too big" */

struct text {
	const char *s;
	size_t len;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char to_upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/* Refuse item of field: `cron: FIELD "ITEM": why`. Returns -EINVAL. */
static int field_error(struct err *err, const struct cron_field *f,
		       struct text item, const char *why)
{
	char q[FORMAT_QUOTE_SIZE];

	err_set(err, "cron: %s \"%s\": %s", f->name,
		format_quote(q, item.s, item.len), why);
	return -EINVAL;
}

static int not_allowed(struct err *err, const struct cron_field *f,
		       struct text item)
{
	char why[64];

	snprintf(why, sizeof(why), "not %s", f->allowed);
	return field_error(err, f, item, why);
}

/* Decimal digits t into *out (at most DIGITS_MAX of them); 0 or -EINVAL. */
static int read_number(struct text t, unsigned *out)
{
	unsigned v = 0;

	if (t.len == 0 || t.len > DIGITS_MAX)
		return -EINVAL;
	for (size_t i = 0; i < t.len; i++) {
		if (!is_digit(t.s[i]))
			return -EINVAL;
		v = v * 10 + (unsigned)(t.s[i] - '0');
	}
	*out = v;
	return 0;
}

/*
 * One value of field f (a number or, where the field has them, a name;
 * t is already uppercase) into *out. 0 or -EINVAL with err set.
 */
static int read_value(const struct cron_field *f, struct text t, unsigned *out,
		      struct err *err)
{
	unsigned v;

	if (f->names && t.len == 3) {
		for (unsigned i = 0; i <= f->high - f->low; i++) {
			if (memcmp(t.s, f->names[i], 3) == 0) {
				*out = f->low + i;
				return 0;
			}
		}
	}
	if (read_number(t, &v) < 0 || v < f->low || v > f->high)
		return not_allowed(err, f, t);
	*out = v;
	return 0;
}

static void set_add(struct value_set *set, const struct cron_field *f,
		    unsigned v)
{
	unsigned bit = v - f->base;

	assert(v >= f->low && v <= f->high && bit < 64 * SCHEDULE_YEAR_WORDS);
	set->words[bit / 64] |= UINT64_C(1) << (bit % 64);
}

/* Split t at the first c: *before and *after (after empty, no c: false). */
static bool split_at(struct text t, char c, struct text *before,
		     struct text *after)
{
	const char *p = memchr(t.s, c, t.len);

	if (!p) {
		*before = t;
		*after = (struct text){t.s + t.len, 0};
		return false;
	}
	*before = (struct text){t.s, (size_t)(p - t.s)};
	*after = (struct text){p + 1, t.len - (size_t)(p - t.s) - 1};
	return true;
}

/*
 * One list item of field f: '*', VALUE or LOW-HIGH, then optionally
 * /STEP. Adds its values to set. 0 or -EINVAL with err set.
 */
static int parse_item(const struct cron_field *f, struct text item,
		      struct value_set *set, struct err *err)
{
	struct text body, step_text, low_text, high_text;
	unsigned low, high, step = 1;
	bool stepped = split_at(item, '/', &body, &step_text);
	int rc;

	if (stepped) {
		if (f == &FIELDS[FIELD_DOW])
			return field_error(err, f, item,
					   "'/' is not taken in day-of-week");
		if (read_number(step_text, &step) < 0 || step < 1 ||
		    step > f->high - f->low + 1) {
			char why[64];

			snprintf(why, sizeof(why), "the step must be 1-%u",
				 f->high - f->low + 1);
			return field_error(err, f, item, why);
		}
	}
	if (body.len == 1 && body.s[0] == '*') {
		low = f->low;
		high = f->high;
	} else if (split_at(body, '-', &low_text, &high_text)) {
		rc = read_value(f, low_text, &low, err);
		if (!rc)
			rc = read_value(f, high_text, &high, err);
		if (rc)
			return rc;
		if (low > high)
			return field_error(err, f, item,
					   "a range runs from low to high");
	} else {
		rc = read_value(f, body, &low, err);
		if (rc)
			return rc;
		high = stepped ? f->high : low;
	}
	for (unsigned v = low; v <= high; v += step)
		set_add(set, f, v);
	return 0;
}

/* A field of ','-separated items into set. 0 or -EINVAL with err set. */
static int parse_list(const struct cron_field *f, struct text field,
		      struct value_set *set, struct err *err)
{
	struct text item, rest = field;
	bool more;
	int rc;

	do {
		more = split_at(rest, ',', &item, &rest);
		if (item.len == 0)
			return field_error(err, f, field,
					   "an empty item in the list");
		rc = parse_item(f, item, set, err);
		if (rc)
			return rc;
	} while (more);
	return 0;
}

static bool is_question(struct text t)
{
	return t.len == 1 && t.s[0] == '?';
}

/* Day-of-month: '?', L, LW, NW or a list. 0 or -EINVAL with err set. */
static int parse_dom(struct text t, struct schedule *s, struct err *err)
{
	const struct cron_field *f = &FIELDS[FIELD_DOM];
	struct value_set set = {{0}};
	unsigned day;
	int rc;

	if (is_question(t)) {
		s->dom = SCHEDULE_DOM_ANY;
		return 0;
	}
	if (t.len == 1 && t.s[0] == 'L') {
		s->dom = SCHEDULE_DOM_LAST;
		return 0;
	}
	if (t.len == 2 && memcmp(t.s, "LW", 2) == 0) {
		s->dom = SCHEDULE_DOM_LAST_WEEKDAY;
		return 0;
	}
	if (t.len > 1 && t.s[t.len - 1] == 'W' && !memchr(t.s, ',', t.len) &&
	    !memchr(t.s, '-', t.len) && !memchr(t.s, '/', t.len)) {
		rc = read_value(f, (struct text){t.s, t.len - 1}, &day, err);
		if (rc)
			return rc;
		s->dom = SCHEDULE_DOM_NEAR_WEEKDAY;
		s->dom_day = day;
		return 0;
	}
	if (memchr(t.s, 'L', t.len) || memchr(t.s, 'W', t.len))
		return field_error(err, f, t,
				   "L and W stand alone (L, LW or one day "
				   "as 15W)");
	rc = parse_list(f, t, &set, err);
	if (rc)
		return rc;
	s->dom = SCHEDULE_DOM_LIST;
	s->dom_bits = (uint32_t)set.words[0];
	return 0;
}

/* Day-of-week: '?', L, NL, N#K or a list. 0 or -EINVAL with err set. */
static int parse_dow(struct text t, struct schedule *s, struct err *err)
{
	const struct cron_field *f = &FIELDS[FIELD_DOW];
	struct value_set set = {{0}};
	struct text day_text, nth_text;
	unsigned day, nth;
	bool alone = !memchr(t.s, ',', t.len) && !memchr(t.s, '-', t.len);
	int rc;

	if (is_question(t)) {
		s->dow = SCHEDULE_DOW_ANY;
		return 0;
	}
	if (t.len == 1 && t.s[0] == 'L') { /* the week's last day */
		s->dow = SCHEDULE_DOW_LIST;
		s->dow_bits = 1u << 7;
		return 0;
	}
	if (alone && t.len > 1 && t.s[t.len - 1] == 'L') {
		rc = read_value(f, (struct text){t.s, t.len - 1}, &day, err);
		if (rc)
			return rc;
		s->dow = SCHEDULE_DOW_LAST;
		s->dow_day = day;
		return 0;
	}
	if (alone && split_at(t, '#', &day_text, &nth_text)) {
		rc = read_value(f, day_text, &day, err);
		if (rc)
			return rc;
		if (read_number(nth_text, &nth) < 0 || nth < 1 || nth > 5)
			return field_error(err, f, t,
					   "the week after '#' must be 1-5");
		s->dow = SCHEDULE_DOW_NTH;
		s->dow_day = day;
		s->dow_nth = nth;
		return 0;
	}
	if (memchr(t.s, 'L', t.len) || memchr(t.s, '#', t.len))
		return field_error(err, f, t,
				   "L and # stand alone (L, 5L or one day "
				   "as 3#2)");
	rc = parse_list(f, t, &set, err);
	if (rc)
		return rc;
	s->dow = SCHEDULE_DOW_LIST;
	s->dow_bits = (uint8_t)(set.words[0]);
	return 0;
}

/* A field that is a plain list (minutes, hours, month, year). */
static int parse_plain(enum cron_field_index i, struct text t,
		       struct value_set *set, struct err *err)
{
	if (is_question(t))
		return field_error(err, &FIELDS[i], t,
				   "'?' is only for day-of-month or "
				   "day-of-week");
	return parse_list(&FIELDS[i], t, set, err);
}

/*
 * Split inner (what is between the parentheses) at runs of blanks into
 * at most max tokens. The count, or max + 1 if there are more.
 */
static size_t split_blanks(struct text inner, struct text *tokens, size_t max)
{
	size_t n = 0, i = 0;

	while (i < inner.len) {
		size_t start;

		while (i < inner.len && is_blank(inner.s[i]))
			i++;
		if (i == inner.len)
			break;
		if (n == max)
			return max + 1;
		start = i;
		while (i < inner.len && !is_blank(inner.s[i]))
			i++;
		tokens[n++] = (struct text){inner.s + start, i - start};
	}
	return n;
}

static int parse_cron(struct text inner, struct schedule *s, struct err *err)
{
	struct text fields[FIELD_COUNT];
	char upper[SCHEDULE_TEXT_MAX];
	struct value_set set[FIELD_COUNT] = {{{0}}};
	size_t n = split_blanks(inner, fields, FIELD_COUNT), used = 0;
	int rc = 0;

	if (n != FIELD_COUNT) {
		err_set(err,
			"cron: %s%zu fields, not 6 (minutes hours "
			"day-of-month month day-of-week year)",
			n > FIELD_COUNT ? "more than " : "",
			n > FIELD_COUNT ? (size_t)FIELD_COUNT : n);
		return -EINVAL;
	}
	/* Uppercase copies: names, L and W are case-insensitive. */
	for (size_t i = 0; i < FIELD_COUNT; i++) {
		for (size_t k = 0; k < fields[i].len; k++)
			upper[used + k] = to_upper(fields[i].s[k]);
		fields[i].s = upper + used;
		used += fields[i].len;
	}
	for (size_t i = 0; i < FIELD_COUNT && !rc; i++) {
		if (i == FIELD_DOM)
			rc = parse_dom(fields[i], s, err);
		else if (i == FIELD_DOW)
			rc = parse_dow(fields[i], s, err);
		else
			rc = parse_plain((enum cron_field_index)i, fields[i],
					 &set[i], err);
	}
	if (rc)
		return rc;
	if (s->dom == SCHEDULE_DOM_ANY && s->dow == SCHEDULE_DOW_ANY) {
		err_set(err, "cron: day-of-month and day-of-week are both "
			     "\"?\"; one of them must say the days");
		return -EINVAL;
	}
	if (s->dom != SCHEDULE_DOM_ANY && s->dow != SCHEDULE_DOW_ANY) {
		err_set(err, "cron: both day-of-month and day-of-week are "
			     "set; one must be \"?\"");
		return -EINVAL;
	}
	s->minute_bits = set[FIELD_MINUTES].words[0];
	s->hour_bits = (uint32_t)set[FIELD_HOURS].words[0];
	s->month_bits = (uint16_t)set[FIELD_MONTH].words[0];
	memcpy(s->year_bits, set[FIELD_YEAR].words, sizeof(s->year_bits));

	used = (size_t)snprintf(s->text, sizeof(s->text), "cron(");
	for (size_t i = 0; i < FIELD_COUNT; i++) {
		assert(used + fields[i].len + 2 <= sizeof(s->text));
		memcpy(s->text + used, fields[i].s, fields[i].len);
		used += fields[i].len;
		s->text[used++] = i + 1 < FIELD_COUNT ? ' ' : ')';
	}
	s->text[used] = '\0';
	return 0;
}

struct rate_unit {
	const char *one, *many;
	int64_t ms;
};

static const struct rate_unit RATE_UNITS[] = {
	{"minute", "minutes", MS_PER_MINUTE},
	{"hour", "hours", MS_PER_HOUR},
	{"day", "days", MS_PER_DAY},
};

static bool text_is(struct text t, const char *word)
{
	return t.len == strlen(word) && memcmp(t.s, word, t.len) == 0;
}

/* The value of a rate: digits, no leading zero, 1..SCHEDULE_RATE_MAX. */
static int read_rate_value(struct text t, int64_t *out, struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];
	int64_t v = 0;

	for (size_t i = 0; i < t.len; i++) {
		if (!is_digit(t.s[i]) || (i == 0 && t.s[i] == '0') ||
		    v > SCHEDULE_RATE_MAX) {
			v = -1;
			break;
		}
		v = v * 10 + (t.s[i] - '0');
	}
	if (t.len == 0 || v < 1 || v > SCHEDULE_RATE_MAX) {
		err_set(err,
			"rate: \"%s\": not a whole number of 1-%lld "
			"(no sign, no leading zero)",
			format_quote(q, t.s, t.len),
			(long long)SCHEDULE_RATE_MAX);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int parse_rate(struct text inner, struct schedule *s, struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];
	struct text tokens[2];
	int64_t value;
	size_t n = split_blanks(inner, tokens, 2);
	int rc;

	if (n != 2) {
		err_set(err, "rate: \"%s\": not VALUE UNIT, as in 5 minutes",
			format_quote(q, inner.s, inner.len));
		return -EINVAL;
	}
	rc = read_rate_value(tokens[0], &value, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < sizeof(RATE_UNITS) / sizeof(RATE_UNITS[0]);
	     i++) {
		const struct rate_unit *u = &RATE_UNITS[i];
		const char *want = value == 1 ? u->one : u->many;

		if (!text_is(tokens[1], u->one) && !text_is(tokens[1], u->many))
			continue;
		if (!text_is(tokens[1], want)) {
			err_set(err, "rate: \"%s\": %s takes \"%s\"",
				format_quote(q, tokens[1].s, tokens[1].len),
				value == 1 ? "1" : "a value above 1", want);
			return -EINVAL;
		}
		s->period_ms = value * u->ms;
		snprintf(s->text, sizeof(s->text), "rate(%lld %s)",
			 (long long)value, want);
		return 0;
	}
	err_set(err,
		"rate: unit \"%s\": not minute, minutes, hour, hours, day "
		"or days",
		format_quote(q, tokens[1].s, tokens[1].len));
	return -EINVAL;
}

/* Whether text is open (5 bytes, as "rate(") ... ")". */
static bool is_call(const char *text, size_t len, const char *open)
{
	return len >= 6 && memcmp(text, open, 5) == 0 && text[len - 1] == ')';
}

/* What is between the parentheses of a text is_call accepted. */
static struct text call_inner(const char *text, size_t len)
{
	return (struct text){text + 5, len - 6};
}

int schedule_parse(const char *text, size_t len, struct schedule *out,
		   struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];
	struct schedule s = {0};
	int rc;

	if (len > SCHEDULE_TEXT_MAX) {
		err_set(err, "schedule: %zu bytes, more than %d", len,
			SCHEDULE_TEXT_MAX);
		return -EINVAL;
	}
	if (is_call(text, len, "rate(")) {
		s.kind = SCHEDULE_RATE;
		rc = parse_rate(call_inner(text, len), &s, err);
	} else if (is_call(text, len, "cron(")) {
		s.kind = SCHEDULE_CRON;
		rc = parse_cron(call_inner(text, len), &s, err);
	} else {
		err_set(err,
			"schedule \"%s\": not rate(VALUE UNIT) nor "
			"cron(MINUTES HOURS DAY-OF-MONTH MONTH DAY-OF-WEEK "
			"YEAR)",
			format_quote(q, text, len));
		return -EINVAL;
	}
	if (rc)
		return rc;
	*out = s;
	return 0;
}

const char *schedule_format(const struct schedule *s)
{
	return s->text;
}

/* ---- stepping ---- */

/* The lowest set bit of bits at or above from, or -1 when none. */
static int next_bit(uint64_t bits, unsigned from)
{
	if (from >= 64)
		return -1;
	bits >>= from;
	return bits ? (int)from + __builtin_ctzll(bits) : -1;
}

/* The first year >= year the cron names, or -1 when none. */
static int64_t next_year(const struct schedule *s, int64_t year)
{
	unsigned bit;

	if (year > SCHEDULE_YEAR_MAX)
		return -1;
	bit = (unsigned)(year - SCHEDULE_YEAR_MIN);
	for (unsigned w = bit / 64; w < SCHEDULE_YEAR_WORDS; w++) {
		int b = next_bit(s->year_bits[w], w == bit / 64 ? bit % 64 : 0);

		if (b >= 0)
			return SCHEDULE_YEAR_MIN + 64 * (int64_t)w + b;
	}
	return -1;
}

static bool is_leap(int64_t year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static unsigned days_in_month(int64_t year, unsigned month)
{
	static const unsigned DAYS[12] = {31, 28, 31, 30, 31, 30,
					  31, 31, 30, 31, 30, 31};

	return DAYS[month - 1] + (month == 2 && is_leap(year));
}

/* The weekday of a date, 1 (Sunday) to 7 (Saturday), as cron counts. */
static unsigned weekday(int64_t year, unsigned month, unsigned day)
{
	/* 1970-01-01 was a Thursday, 5. */
	return (unsigned)floor_mod(days_from_civil(year, month, day) + 4, 7) +
	       1;
}

#define SUNDAY 1u
#define SATURDAY 7u

/* The day the W of day-of-month picks for day (1..last). */
static unsigned nearest_weekday(int64_t year, unsigned month, unsigned day,
				unsigned last)
{
	unsigned wd = weekday(year, month, day);

	if (wd == SATURDAY)
		return day == 1 ? 3 : day - 1;
	if (wd == SUNDAY)
		return day == last ? day - 2 : day + 1;
	return day;
}

/*
 * The days of year-month the cron's day-of-month or day-of-week names,
 * bit d for day d (1..31).
 */
static uint32_t month_days(const struct schedule *s, int64_t year,
			   unsigned month)
{
	unsigned last = days_in_month(year, month);
	uint32_t in_month = (uint32_t)(((UINT64_C(1) << last) - 1) << 1);
	unsigned first_wd = weekday(year, month, 1), last_wd, day;
	uint32_t days = 0;

	switch (s->dom) {
	case SCHEDULE_DOM_LIST:
		return s->dom_bits & in_month;
	case SCHEDULE_DOM_LAST:
		return UINT32_C(1) << last;
	case SCHEDULE_DOM_LAST_WEEKDAY:
		return UINT32_C(1) << nearest_weekday(year, month, last, last);
	case SCHEDULE_DOM_NEAR_WEEKDAY:
		if (s->dom_day > last)
			return 0;
		return UINT32_C(1)
		       << nearest_weekday(year, month, s->dom_day, last);
	case SCHEDULE_DOM_ANY:
		break;
	}
	assert(s->dow != SCHEDULE_DOW_ANY); /* parsing refuses '?' twice */
	switch (s->dow) {
	case SCHEDULE_DOW_LIST:
		for (day = 1; day <= last; day++)
			if (s->dow_bits &
			    (1u << ((first_wd + day - 2) % 7 + 1)))
				days |= UINT32_C(1) << day;
		return days;
	case SCHEDULE_DOW_LAST:
		last_wd = (first_wd + last - 2) % 7 + 1;
		return UINT32_C(1) << (last - (last_wd + 7 - s->dow_day) % 7);
	case SCHEDULE_DOW_NTH:
		day = 1 + (s->dow_day + 7 - first_wd) % 7 +
		      7 * (s->dow_nth - 1);
		return day <= last ? UINT32_C(1) << day : 0;
	case SCHEDULE_DOW_ANY:
		break;
	}
	return 0;
}

/* Where the search for a cron's next firing stands, a civil minute. */
struct cursor {
	int64_t year;
	unsigned month, day, hour, minute;
};

static void cursor_at(struct cursor *c, int64_t minutes)
{
	int64_t of_day = floor_mod(minutes, 24 * 60);

	civil_from_days(floor_div(minutes, 24 * 60), &c->year, &c->month,
			&c->day);
	c->hour = (unsigned)(of_day / 60);
	c->minute = (unsigned)(of_day % 60);
}

/*
 * Move c to the first minute at or after it that the cron names. Each
 * field that does not match moves to its next allowed value, resetting
 * the finer ones, or carries into the coarser field when it has none
 * left (a month 13 or a day 32 is then no match one level up), so the
 * loop turns a few times per month it visits. 0 or -ENOENT.
 */
static int cron_seek(const struct schedule *s, struct cursor *c)
{
	for (;;) {
		int64_t year = next_year(s, c->year);
		int next;

		if (year < 0)
			return -ENOENT;
		if (year != c->year)
			*c = (struct cursor){year, 1, 1, 0, 0};
		next = next_bit(s->month_bits, c->month);
		if (next < 0) {
			*c = (struct cursor){c->year + 1, 1, 1, 0, 0};
			continue;
		}
		if ((unsigned)next != c->month)
			*c = (struct cursor){c->year, (unsigned)next, 1, 0, 0};
		next = next_bit(month_days(s, c->year, c->month), c->day);
		if (next < 0) {
			*c = (struct cursor){c->year, c->month + 1, 1, 0, 0};
			continue;
		}
		if ((unsigned)next != c->day) {
			c->day = (unsigned)next;
			c->hour = c->minute = 0;
		}
		next = next_bit(s->hour_bits, c->hour);
		if (next < 0) {
			c->day++;
			c->hour = c->minute = 0;
			continue;
		}
		if ((unsigned)next != c->hour) {
			c->hour = (unsigned)next;
			c->minute = 0;
		}
		next = next_bit(s->minute_bits, c->minute);
		if (next < 0) {
			c->hour++;
			c->minute = 0;
			continue;
		}
		c->minute = (unsigned)next;
		return 0;
	}
}

static int cron_next(const struct schedule *s, int64_t after_ms,
		     int64_t *next_ms)
{
	struct cursor c;
	int rc;

	cursor_at(&c, floor_div(after_ms, MS_PER_MINUTE) + 1);
	if (c.year < SCHEDULE_YEAR_MIN)
		c = (struct cursor){SCHEDULE_YEAR_MIN, 1, 1, 0, 0};
	rc = cron_seek(s, &c);
	if (rc)
		return rc;
	*next_ms = days_from_civil(c.year, c.month, c.day) * MS_PER_DAY +
		   c.hour * MS_PER_HOUR + c.minute * MS_PER_MINUTE;
	assert(*next_ms > after_ms);
	return 0;
}

/* anchor + k * period for the least k that puts it after after_ms. */
static int rate_next(const struct schedule *s, int64_t after_ms,
		     int64_t anchor_ms, int64_t *next_ms)
{
	__int128 since = (__int128)after_ms - anchor_ms;
	__int128 periods = since / s->period_ms;
	__int128 next;

	if (since % s->period_ms < 0)
		periods--; /* toward minus infinity */
	next = anchor_ms + (periods + 1) * s->period_ms;
	if (next > INT64_MAX)
		return -EOVERFLOW;
	*next_ms = (int64_t)next;
	return 0;
}

int schedule_next(const struct schedule *s, int64_t after_ms, int64_t anchor_ms,
		  int64_t *next_ms)
{
	if (s->kind == SCHEDULE_RATE)
		return rate_next(s, after_ms, anchor_ms, next_ms);
	return cron_next(s, after_ms, next_ms);
}

int schedule_fired_between(const struct schedule *s, int64_t since_ms,
			   int64_t until_ms, int64_t anchor_ms,
			   int64_t *first_ms)
{
	int64_t next;
	int rc;

	if (until_ms <= since_ms)
		return 0;
	rc = schedule_next(s, since_ms, anchor_ms, &next);
	if (rc == -ENOENT || rc == -EOVERFLOW)
		return 0; /* none left, or none that int64 can hold */
	if (rc)
		return rc;
	if (next > until_ms)
		return 0;
	if (first_ms)
		*first_ms = next;
	return 1;
}
