/*
 * insights_value: the values Logs Insights expressions compute with — a
 * record's fields (the event's own, the members of a JSON message
 * discovered as Insights flattens them, what commands set), how values
 * read as numbers and text, compare and order, and the bins of time.
 *
 * A value is null, a number, a text, or a time (ms; shown as Insights
 * shows @timestamp). Values borrow their bytes from the record, the
 * event or the query where they can, and own them (ival.owned) where an
 * expression made them; whoever receives an owned value releases it.
 * Nothing here fails on bad input: a number expected and a text found is
 * null, as in Insights. Only memory can fail (-ENOMEM).
 */
#include "lib/format.h"
#include "lib/insights_impl.h"
#include "lib/parse.h"
#include "lib/timeutil.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REGEX_LINE_ON_STACK 4096 /* texts copied for regexec on the stack */
#define NUMBER_TEXT_MAX 64	 /* longer texts are never numbers */

/* ---- values ---- */

void ival_release(struct ival *v)
{
	if (v->owned)
		free((char *)v->str);
	memset(v, 0, sizeof(*v));
	v->kind = IVAL_NULL;
}

static struct ival ival_null(void)
{
	struct ival v = {.kind = IVAL_NULL};

	return v;
}

static struct ival ival_of_number(double d)
{
	struct ival v = {.kind = isfinite(d) ? IVAL_NUMBER : IVAL_NULL};

	v.number = d;
	return v;
}

static struct ival ival_of_time(int64_t ms)
{
	struct ival v = {.kind = IVAL_TIME};

	v.ms = ms;
	return v;
}

static struct ival ival_of_text(const char *s, size_t len)
{
	struct ival v = {.kind = IVAL_STRING};

	v.str = s;
	v.len = len;
	return v;
}

/* An owned text taking s (malloc'd, NUL-ended). */
static struct ival ival_of_owned(char *s, size_t len)
{
	struct ival v = ival_of_text(s, len);

	v.owned = true;
	return v;
}

int ival_own(struct ival *v)
{
	char *copy;

	if (v->kind != IVAL_STRING || v->owned)
		return 0;
	copy = malloc(v->len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, v->str, v->len);
	copy[v->len] = '\0';
	v->str = copy;
	v->owned = true;
	return 0;
}

int ival_copy(struct ival *dst, const struct ival *src)
{
	*dst = *src;
	dst->owned = false;
	if (dst->kind == IVAL_UNSET)
		dst->kind = IVAL_NULL;
	return ival_own(dst);
}

bool ival_number(const struct ival *v, double *out)
{
	char text[NUMBER_TEXT_MAX];

	switch (v->kind) {
	case IVAL_NUMBER:
		*out = v->number;
		return true;
	case IVAL_TIME:
		*out = (double)v->ms;
		return true;
	case IVAL_STRING:
		if (v->len == 0 || v->len >= sizeof(text))
			return false;
		memcpy(text, v->str, v->len);
		text[v->len] = '\0';
		return parse_value(text, v->len, out) == 0;
	default:
		return false;
	}
}

/* ms as Insights shows a time: "2026-12-06 10:00:00.000" (UTC). */
static size_t time_text(int64_t ms, char buf[INSIGHTS_TIME_TEXT_MAX])
{
	int64_t days = floor_div(ms, MS_PER_DAY), year;
	int64_t in_day = ms - days * MS_PER_DAY;
	unsigned month, day;
	int n;

	civil_from_days(days, &year, &month, &day);
	n = snprintf(buf, INSIGHTS_TIME_TEXT_MAX,
		     "%04lld-%02u-%02u %02lld:%02lld:%02lld.%03lld",
		     (long long)year, month, day,
		     (long long)(in_day / MS_PER_HOUR),
		     (long long)(in_day / MS_PER_MINUTE % 60),
		     (long long)(in_day / MS_PER_SECOND % 60),
		     (long long)(in_day % MS_PER_SECOND));
	return n < 0 ? 0 : (size_t)n;
}

bool ival_text(const struct ival *v, char buf[INSIGHTS_TIME_TEXT_MAX],
	       const char **s, size_t *len)
{
	switch (v->kind) {
	case IVAL_STRING:
		*s = v->str;
		*len = v->len;
		return true;
	case IVAL_NUMBER:
		*s = format_double(buf, v->number);
		*len = strlen(buf);
		return true;
	case IVAL_TIME:
		*len = time_text(v->ms, buf);
		*s = buf;
		return true;
	default:
		return false;
	}
}

int ival_render(const struct ival *v, char **out)
{
	char buf[INSIGHTS_TIME_TEXT_MAX];
	const char *s;
	size_t len;

	*out = NULL;
	if (!ival_text(v, buf, &s, &len))
		return 0;
	*out = malloc(len + 1);
	if (!*out)
		return -ENOMEM;
	memcpy(*out, s, len);
	(*out)[len] = '\0';
	return 0;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The length of the run of digits (or of non-digits) at s[0..n). */
static size_t run_length(const char *s, size_t n, bool digits)
{
	size_t i = 0;

	while (i < n && is_digit(s[i]) == digits)
		i++;
	return i;
}

/*
 * Insights' natural order of two texts: digit runs by their length, then
 * their digits; other runs by their bytes (code points, for UTF-8), a
 * run before the longer runs it begins; a digit run against another run
 * by their first bytes.
 */
static int natural_order(const char *a, size_t na, const char *b, size_t nb)
{
	size_t i = 0, j = 0;

	while (i < na && j < nb) {
		bool da = is_digit(a[i]), db = is_digit(b[j]);
		size_t ra, rb;
		int cmp;

		if (da != db)
			return (unsigned char)a[i] < (unsigned char)b[j] ? -1
									 : 1;
		ra = run_length(a + i, na - i, da);
		rb = run_length(b + j, nb - j, db);
		if (da && ra != rb)
			return ra < rb ? -1 : 1;
		cmp = memcmp(a + i, b + j, ra < rb ? ra : rb);
		if (cmp)
			return cmp;
		if (ra != rb)
			return ra < rb ? -1 : 1;
		i += ra;
		j += rb;
	}
	return (i < na) - (j < nb);
}

int ival_order(const struct ival *a, const struct ival *b)
{
	char ba[INSIGHTS_TIME_TEXT_MAX], bb[INSIGHTS_TIME_TEXT_MAX];
	double x, y;
	bool xa = ival_number(a, &x), yb = ival_number(b, &y);
	const char *sa, *sb;
	size_t la, lb;

	if (xa && yb)
		return x < y ? -1 : x > y ? 1 : 0;
	if (xa != yb)
		return xa ? 1 : -1; /* text comes before numbers */
	if (!ival_text(a, ba, &sa, &la) || !ival_text(b, bb, &sb, &lb))
		return 0;
	return natural_order(sa, la, sb, lb);
}

bool ival_truthy(const struct ival *v)
{
	switch (v->kind) {
	case IVAL_NUMBER:
		return v->number != 0;
	case IVAL_STRING:
		return v->len > 0;
	case IVAL_TIME:
		return true;
	default:
		return false;
	}
}

/* Whether a and b are equal: as numbers when both are, else as text. */
bool ival_equal(const struct ival *a, const struct ival *b)
{
	char ba[INSIGHTS_TIME_TEXT_MAX], bb[INSIGHTS_TIME_TEXT_MAX];
	const char *sa, *sb;
	size_t la, lb;
	double x, y;

	if (ival_number(a, &x) && ival_number(b, &y))
		return x == y;
	if (!ival_text(a, ba, &sa, &la) || !ival_text(b, bb, &sb, &lb))
		return false;
	return la == lb && memcmp(sa, sb, la) == 0;
}

/* a against b for < <= > >=: as numbers when both are, else bytes. */
int ival_compare(const struct ival *a, const struct ival *b)
{
	char ba[INSIGHTS_TIME_TEXT_MAX], bb[INSIGHTS_TIME_TEXT_MAX];
	const char *sa, *sb;
	size_t la, lb;
	double x, y;
	int cmp;

	if (ival_number(a, &x) && ival_number(b, &y))
		return x < y ? -1 : x > y ? 1 : 0;
	if (!ival_text(a, ba, &sa, &la) || !ival_text(b, bb, &sb, &lb))
		return 0;
	cmp = memcmp(sa, sb, la < lb ? la : lb);
	return cmp ? cmp : (la > lb) - (la < lb);
}

/* ---- records ---- */

int record_init(struct record *r, const struct insights_query *q)
{
	memset(r, 0, sizeof(*r));
	r->q = q;
	r->values = calloc(q->nsymbols, sizeof(*r->values));
	return r->values ? 0 : -ENOMEM;
}

void record_clear(struct record *r)
{
	size_t i;

	for (i = 0; i < r->q->nsymbols; i++) {
		ival_release(&r->values[i]);
		r->values[i].kind = IVAL_UNSET;
	}
	if (r->json)
		json_decref(r->json);
	r->json = NULL;
	r->json_read = false;
	r->ev = NULL;
}

void record_release(struct record *r)
{
	if (!r->values)
		return;
	record_clear(r);
	free(r->values);
	r->values = NULL;
}

/* The array element that name[0..len) (digits) indexes, or NULL. */
static json_t *json_index(json_t *array, const char *name, size_t len)
{
	size_t i, index = 0;

	if (len == 0 || len > 9)
		return NULL;
	for (i = 0; i < len; i++) {
		if (!is_digit(name[i]))
			return NULL;
		index = index * 10 + (size_t)(name[i] - '0');
	}
	return json_array_get(array, index);
}

/*
 * The member of j that the flattened name[0..len) names: a key as it is
 * ("a.b" may be one key), else the key before a dot and the rest inside
 * it; array elements by their index ("a.0").
 */
static json_t *json_find(json_t *j, const char *name, size_t len, int depth)
{
	json_t *v;
	size_t i;

	if (depth > INSIGHTS_NESTING_MAX)
		return NULL;
	if (json_is_object(j) && (v = json_object_getn(j, name, len)))
		return v;
	if (json_is_array(j) && (v = json_index(j, name, len)))
		return v;
	for (i = 0; i < len; i++) {
		if (name[i] != '.')
			continue;
		v = json_is_object(j)  ? json_object_getn(j, name, i)
		    : json_is_array(j) ? json_index(j, name, i)
				       : NULL;
		if (v && (json_is_object(v) || json_is_array(v)) &&
		    (v = json_find(v, name + i + 1, len - i - 1, depth + 1)))
			return v;
	}
	return NULL;
}

/* A JSON member as a value: borrowed from the document, owned for an
 * object or array (its compact text). */
static int json_value(json_t *v, struct ival *out)
{
	char *text;

	switch (json_typeof(v)) {
	case JSON_STRING:
		*out = ival_of_text(json_string_value(v),
				    json_string_length(v));
		return 0;
	case JSON_INTEGER:
	case JSON_REAL:
		*out = ival_of_number(json_number_value(v));
		return 0;
	case JSON_TRUE:
		*out = ival_of_text("true", 4);
		return 0;
	case JSON_FALSE:
		*out = ival_of_text("false", 5);
		return 0;
	case JSON_OBJECT:
	case JSON_ARRAY:
		text = json_dumps(v, JSON_COMPACT);
		if (!text)
			return -ENOMEM;
		*out = ival_of_owned(text, strlen(text));
		return 0;
	default:
		*out = ival_null();
		return 0;
	}
}

/* The message as a JSON object, read once per event (NULL if not one). */
static json_t *record_json(struct record *r)
{
	const char *m = r->ev->message;
	size_t i = 0;

	if (r->json_read)
		return r->json;
	r->json_read = true;
	while (i < r->ev->len && (m[i] == ' ' || m[i] == '\t'))
		i++;
	if (i < r->ev->len && m[i] == '{') {
		r->json = json_loadb(m, r->ev->len, 0, NULL);
		if (r->json && !json_is_object(r->json)) {
			json_decref(r->json);
			r->json = NULL;
		}
	}
	return r->json;
}

/* Field symbol of the event r holds, not set by a command. */
static int event_field(struct record *r, size_t symbol, struct ival *out)
{
	const struct insights_event *ev = r->ev;
	const char *name = r->q->symbols[symbol];
	json_t *json, *v;

	*out = ival_null();
	if (!ev)
		return 0;
	switch (symbol) {
	case SYM_TIMESTAMP:
		*out = ival_of_time(ev->timestamp_ms);
		return 0;
	case SYM_MESSAGE:
		*out = ival_of_text(ev->message, ev->len);
		return 0;
	case SYM_LOG_STREAM:
		if (ev->log_stream)
			*out = ival_of_text(ev->log_stream,
					    strlen(ev->log_stream));
		return 0;
	case SYM_LOG:
		if (ev->log_group)
			*out = ival_of_text(ev->log_group,
					    strlen(ev->log_group));
		return 0;
	case SYM_INGESTION_TIME:
		*out = ival_of_time(ev->ingestion_ms);
		return 0;
	default:
		json = record_json(r);
		v = json ? json_find(json, name, strlen(name), 0) : NULL;
		return v ? json_value(v, out) : 0;
	}
}

int record_get(struct record *r, size_t symbol, struct ival *out)
{
	struct ival *v = &r->values[symbol];
	int rc;

	if (v->kind == IVAL_UNSET) {
		rc = event_field(r, symbol, v);
		if (rc) {
			v->kind = IVAL_UNSET;
			return rc;
		}
	}
	*out = *v;
	out->owned = false;
	return 0;
}

int record_set(struct record *r, size_t symbol, struct ival *v)
{
	int rc = ival_own(v); /* before the old value, which v may borrow */

	if (rc) {
		ival_release(v);
		return rc;
	}
	if (v->kind == IVAL_UNSET)
		v->kind = IVAL_NULL;
	ival_release(&r->values[symbol]);
	r->values[symbol] = *v;
	memset(v, 0, sizeof(*v));
	v->kind = IVAL_NULL;
	return 0;
}

/* ---- time bins ---- */

static int64_t unit_ms(enum time_unit unit)
{
	switch (unit) {
	case UNIT_MS:
		return 1;
	case UNIT_SECOND:
		return MS_PER_SECOND;
	case UNIT_MINUTE:
		return MS_PER_MINUTE;
	case UNIT_HOUR:
		return MS_PER_HOUR;
	case UNIT_DAY:
		return MS_PER_DAY;
	case UNIT_WEEK:
		return MS_PER_WEEK;
	default:
		return 0; /* calendar units */
	}
}

/* Months a calendar duration spans (0 for the fixed units). */
static int64_t duration_months(struct duration d)
{
	switch (d.unit) {
	case UNIT_MONTH:
		return d.count;
	case UNIT_QUARTER:
		return 3 * d.count;
	case UNIT_YEAR:
		return 12 * d.count;
	default:
		return 0;
	}
}

/* The ms of the first day of month m counted from January 1970. */
static int64_t month_start(int64_t m)
{
	return days_from_civil(1970 + floor_div(m, 12),
			       (unsigned)floor_mod(m, 12) + 1, 1) *
	       MS_PER_DAY;
}

int64_t insights_bin_floor(int64_t ms, struct duration d)
{
	int64_t months = duration_months(d), year, size, m;
	unsigned month, day;

	if (!months) {
		size = unit_ms(d.unit) * d.count;
		return floor_div(ms, size) * size;
	}
	civil_from_days(floor_div(ms, MS_PER_DAY), &year, &month, &day);
	m = (year - 1970) * 12 + (int64_t)month - 1;
	return month_start(floor_div(m, months) * months);
}

int64_t insights_bin_next(int64_t start, struct duration d)
{
	int64_t months = duration_months(d), year;
	unsigned month, day;

	if (!months)
		return start + unit_ms(d.unit) * d.count;
	civil_from_days(floor_div(start, MS_PER_DAY), &year, &month, &day);
	return month_start((year - 1970) * 12 + (int64_t)month - 1 + months);
}
