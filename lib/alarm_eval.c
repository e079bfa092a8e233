/*
 * alarm_eval: how an alarm decides its state from the periods of its
 * evaluation range, and the reason it gives, in CloudWatch's words
 * (SPEC 5, after CloudWatch's "Evaluating an alarm" and "Configuring how
 * CloudWatch alarms treat missing data"; where they differ, SPEC 5 wins).
 *
 * Pure and deterministic: no clock, no storage, no allocation. The caller
 * (store/alarm_state.c) fetches the range's datapoints, newest first, and
 * keeps the state; this file only decides.
 *
 * With N = evaluation_periods, M = datapoints_to_alarm and k the number
 * of periods in the range that have a value, the four cases of SPEC 5:
 *
 *   1. k >= N: the newest N real datapoints decide (empty periods are
 *      skipped, so older datapoints cover gaps); treat_missing_data plays
 *      no part.
 *   2. k = 0: missing -> INSUFFICIENT_DATA, ignore -> keep the state,
 *      breaching -> ALARM, notBreaching -> OK.
 *   3. 0 < k < N, breaching/notBreaching: the k real datapoints (wherever
 *      they lie in the range) plus N - k filled ones decide.
 *   4. 0 < k < N, missing/ignore: the premature-alarm rule first (below);
 *      otherwise the k real datapoints decide: ALARM if at least M of them
 *      breach, else OK. When k < M, ALARM is impossible by count, so the
 *      verdict is OK: missing data is never counted as breaching, and the
 *      periods that do have data say "not enough breaches". (CloudWatch's
 *      own table disagrees for a lone breaching datapoint that is newer
 *      than M periods back, "- - - - X", where it shows INSUFFICIENT_DATA
 *      or a kept state; SPEC 5 says OK, and SPEC 5 wins.)
 *
 * The premature-alarm rule (case 4 only): when k < M, the oldest breaching
 * datapoint among the newest N periods is at least M periods back (the
 * newest period is 1 back) and every newer period breaches or is empty,
 * the alarm would reach ALARM as soon as the gaps filled in whatever they
 * held, so `missing` goes to ALARM now and `ignore` keeps the state.
 * It cannot apply when M = 1 (k < 1 is case 2).
 *
 * Reasons. "Threshold Crossed: C out of the last E datapoints [LIST] were
 * (not) <comparison> the threshold (T) (minimum X datapoints for OK ->
 * ALARM transition)." LIST holds the datapoints that decided, newest
 * first, as CloudWatch does: the breaching ones for ALARM, the ones that
 * did not breach for OK; C is how many of them there are, E how many
 * datapoints were evaluated (N, or k in case 4). With N = 1 the sentence
 * is "1 datapoint [LIST] was ...". The "(minimum ...)" clause is written
 * only for a change of state when N > 1: M towards ALARM, N - M + 1
 * towards OK, under CloudWatch's labels "OK -> ALARM" and "ALARM -> OK"
 * even when the state left is INSUFFICIENT_DATA. Words agree in number
 * ("1 ... was", "2 ... were", "minimum 1 datapoint").
 *
 * Choices where CloudWatch prints nothing to copy, or nothing we know:
 *   - filled datapoints (case 3) are not listed (they have no value); the
 *     count includes them and the sentence says so: "..., counting 2
 *     missing datapoints treated as [Breaching]" (or [NonBreaching]),
 *     only when they are among the counted datapoints. An empty LIST is
 *     left out, brackets and all.
 *   - all periods empty, filled (case 2): "Threshold Crossed: no
 *     datapoints were received for N periods and N missing datapoints
 *     were treated as [Breaching]." (CloudWatch's sentence for it).
 *   - case 4 giving OK with no datapoint that did not breach (all k < M
 *     real datapoints breach): "Threshold Crossed: 2 datapoints [LIST]
 *     were greater than the threshold (80.0), fewer than the 3 needed for
 *     OK -> ALARM transition."
 *   - premature alarm: "Threshold Crossed: B out of the last P periods
 *     [LIST] were greater than the threshold (80.0) and the other P - B
 *     had no data (premature alarm: fewer than M datapoints, but the
 *     oldest breaching one is at least M periods back)." P is how far back
 *     the oldest breaching datapoint is, LIST the breaching datapoints of
 *     those P periods.
 *   - a kept state (keep = true) still gets a reason, "Unchanged: ...",
 *     saying why; it is not a transition reason.
 *   - a LIST too long for the reason's buffer ends in "..." and the rest
 *     of the sentence is kept whole.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/alarm.h"
#include "lib/format.h"
#include "lib/timeutil.h"

/* "dd/MM/yy HH:mm:ss" and its NUL. */
#define REASON_TIME_MAX 24
/* ", " + value + " (" + time + ")" and its NUL. */
#define LIST_ITEM_MAX (2 + FORMAT_DOUBLE_MAX + 2 + REASON_TIME_MAX + 2)
/* The end of a LIST cut short: ", ...]" or " [...]". */
#define LIST_CUT_BYTES 6
#define CLAUSE_MAX 512

int alarm_range(const struct alarm_def *d)
{
	int extra = d->evaluation_periods / 3;

	assert(d->evaluation_periods >= 1);
	return d->evaluation_periods + (extra > 2 ? extra : 2);
}

/* ---- text of the reason ---- */

/* A fixed buffer written front to back; what does not fit is dropped. */
struct text {
	char *buf;
	size_t cap; /* bytes of buf, the NUL included */
	size_t len;
};

static void text_addf(struct text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void text_addf(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->len + 1 >= t->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	t->len += (size_t)n;
	if (t->len >= t->cap)
		t->len = t->cap - 1;
}

/* A period start as CloudWatch's reasons print it: "23/11/26 23:03:00". */
static char *format_reason_time(char buf[REASON_TIME_MAX], int64_t ms)
{
	int64_t days = floor_div(ms, MS_PER_DAY);
	int64_t ms_of_day = floor_mod(ms, MS_PER_DAY);
	int64_t year;
	unsigned month, day;

	civil_from_days(days, &year, &month, &day);
	snprintf(buf, REASON_TIME_MAX, "%02u/%02u/%02d %02d:%02d:%02d", day,
		 month, (int)floor_mod(year, 100),
		 (int)(ms_of_day / MS_PER_HOUR),
		 (int)(ms_of_day / MS_PER_MINUTE % 60),
		 (int)(ms_of_day / MS_PER_SECOND % 60));
	return buf;
}

static const char *comparison_words(enum alarm_comparison c)
{
	switch (c) {
	case CMP_GREATER:
		return "greater than";
	case CMP_GREATER_EQUAL:
		return "greater than or equal to";
	case CMP_LESS:
		return "less than";
	case CMP_LESS_EQUAL:
		return "less than or equal to";
	}
	return "?";
}

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

static const char *was_were(size_t n)
{
	return n == 1 ? "was" : "were";
}

/* ---- the decision ---- */

static bool breaches(const struct alarm_def *d, double v)
{
	switch (d->comparison) {
	case CMP_GREATER:
		return v > d->threshold;
	case CMP_GREATER_EQUAL:
		return v >= d->threshold;
	case CMP_LESS:
		return v < d->threshold;
	case CMP_LESS_EQUAL:
		return v <= d->threshold;
	}
	return false;
}

static bool point_breaches(const struct alarm_def *d,
			   const struct alarm_point *p)
{
	return p->has_value && breaches(d, p->value);
}

/* How many of points[0..end) have a value, and how many of those breach. */
static void count_points(const struct alarm_def *d,
			 const struct alarm_point *points, size_t end,
			 size_t *real, size_t *breaching)
{
	*real = *breaching = 0;
	for (size_t i = 0; i < end; i++) {
		if (!points[i].has_value)
			continue;
		(*real)++;
		if (breaches(d, points[i].value))
			(*breaching)++;
	}
}

/*
 * Write head, then " [LIST]" of the datapoints of points[0..end) that
 * breach (or, with want_breaching false, that do not), then tail, into the
 * verdict's reason. The list is cut, ending "...", before it can crowd
 * out the tail; it is left out when empty.
 */
static void write_reason(struct alarm_verdict *out, const struct alarm_def *d,
			 const struct alarm_point *points, size_t end,
			 bool want_breaching, const char *head,
			 const char *tail)
{
	struct text t = {out->reason, sizeof(out->reason), 0};
	size_t tail_len = strlen(tail);
	size_t listed = 0;
	bool cut = false;

	text_addf(&t, "%s", head);
	for (size_t i = 0; i < end; i++) {
		char item[LIST_ITEM_MAX];
		char value[FORMAT_DOUBLE_MAX];
		char when[REASON_TIME_MAX];

		if (!points[i].has_value ||
		    breaches(d, points[i].value) != want_breaching)
			continue;
		snprintf(item, sizeof(item), "%s%s (%s)", listed ? ", " : " [",
			 format_double_java(value, points[i].value),
			 format_reason_time(when, points[i].start_ms));
		if (t.len + strlen(item) + LIST_CUT_BYTES + tail_len + 1 >
		    t.cap) {
			cut = true;
			break;
		}
		text_addf(&t, "%s", item);
		listed++;
	}
	if (cut)
		text_addf(&t, "%s", listed ? ", ...]" : " [...]");
	else if (listed)
		text_addf(&t, "]");
	text_addf(&t, "%s", tail);
}

/*
 * The "Threshold Crossed: C out of the last E datapoints [LIST] were ..."
 * sentence for a verdict of ALARM or OK. counted datapoints decided it,
 * filled of them missing ones filled in; LIST is drawn from
 * points[0..end).
 */
static void write_count_reason(struct alarm_verdict *out,
			       const struct alarm_def *d,
			       const struct alarm_point *points, size_t end,
			       enum alarm_state current, size_t counted,
			       size_t evaluated, size_t filled)
{
	size_t n_periods = (size_t)d->evaluation_periods;
	size_t m = (size_t)d->datapoints_to_alarm;
	bool alarm = out->state == ALARM_ALARM;
	char head[CLAUSE_MAX], tail[CLAUSE_MAX], threshold[FORMAT_DOUBLE_MAX];
	struct text h = {head, sizeof(head), 0};
	struct text t = {tail, sizeof(tail), 0};

	if (n_periods == 1)
		text_addf(&h, "Threshold Crossed: %zu datapoint%s", counted,
			  plural(counted));
	else
		text_addf(&h,
			  "Threshold Crossed: %zu out of the last %zu "
			  "datapoint%s",
			  counted, evaluated, plural(evaluated));
	text_addf(&t, " %s%s %s the threshold (%s)", was_were(counted),
		  alarm ? "" : " not", comparison_words(d->comparison),
		  format_double_java(threshold, d->threshold));
	if (filled)
		text_addf(&t,
			  ", counting %zu missing datapoint%s treated as [%s]",
			  filled, plural(filled),
			  alarm ? "Breaching" : "NonBreaching");
	if (n_periods > 1 && out->state != current) {
		size_t minimum = alarm ? m : n_periods - m + 1;

		text_addf(&t, " (minimum %zu datapoint%s for %s transition)",
			  minimum, plural(minimum),
			  alarm ? "OK -> ALARM" : "ALARM -> OK");
	}
	text_addf(&t, ".");
	write_reason(out, d, points, end, alarm, head, tail);
}

/* Case 1: the newest N real datapoints, skipping empty periods. */
static void decide_newest(const struct alarm_def *d,
			  const struct alarm_point *points, size_t n,
			  enum alarm_state current, struct alarm_verdict *out)
{
	size_t want = (size_t)d->evaluation_periods;
	size_t end = 0, real = 0, breaching;

	while (end < n && real < want)
		real += points[end++].has_value;
	assert(real == want);
	count_points(d, points, end, &real, &breaching);
	out->state = breaching >= (size_t)d->datapoints_to_alarm ? ALARM_ALARM
								 : ALARM_OK;
	write_count_reason(out, d, points, end, current,
			   out->state == ALARM_ALARM ? breaching
						     : want - breaching,
			   want, 0);
}

/* Case 2: no period of the range has data. */
static void decide_empty(const struct alarm_def *d, enum alarm_state current,
			 struct alarm_verdict *out)
{
	size_t n_periods = (size_t)d->evaluation_periods;
	struct text t = {out->reason, sizeof(out->reason), 0};

	switch (d->missing) {
	case MISSING_MISSING:
		out->state = ALARM_INSUFFICIENT_DATA;
		text_addf(&t, "Insufficient Data: %zu datapoint%s %s unknown.",
			  n_periods, plural(n_periods), was_were(n_periods));
		return;
	case MISSING_IGNORE:
		out->state = current;
		out->keep = true;
		text_addf(&t,
			  "Unchanged: no datapoints were received for %zu "
			  "period%s and missing data is ignored.",
			  n_periods, plural(n_periods));
		return;
	case MISSING_BREACHING:
	case MISSING_NOT_BREACHING:
		out->state = d->missing == MISSING_BREACHING ? ALARM_ALARM
							     : ALARM_OK;
		text_addf(&t,
			  "Threshold Crossed: no datapoints were received for "
			  "%zu period%s and %zu missing datapoint%s %s treated "
			  "as [%s].",
			  n_periods, plural(n_periods), n_periods,
			  plural(n_periods), was_were(n_periods),
			  d->missing == MISSING_BREACHING ? "Breaching"
							  : "NonBreaching");
		return;
	}
}

/* Case 3: k real datapoints and N - k filled ones. */
static void decide_filled(const struct alarm_def *d,
			  const struct alarm_point *points, size_t n,
			  enum alarm_state current, struct alarm_verdict *out)
{
	size_t n_periods = (size_t)d->evaluation_periods;
	size_t real, real_breaching, breaching, filled;
	bool fill_breaches = d->missing == MISSING_BREACHING;
	bool alarm;

	count_points(d, points, n, &real, &real_breaching);
	filled = n_periods - real;
	breaching = real_breaching + (fill_breaches ? filled : 0);
	alarm = breaching >= (size_t)d->datapoints_to_alarm;
	out->state = alarm ? ALARM_ALARM : ALARM_OK;
	write_count_reason(out, d, points, n, current,
			   alarm ? breaching : n_periods - breaching, n_periods,
			   fill_breaches == alarm ? filled : 0);
}

/*
 * How many periods back (1 = newest) the oldest breaching datapoint of
 * the newest N periods lies, when every newer period breaches or is
 * empty; 0 when there is none or a newer datapoint does not breach.
 */
static size_t oldest_breach_back(const struct alarm_def *d,
				 const struct alarm_point *points, size_t n)
{
	size_t window = (size_t)d->evaluation_periods;
	size_t back = 0;

	if (window > n)
		window = n;
	for (size_t i = 0; i < window; i++)
		if (point_breaches(d, &points[i]))
			back = i + 1;
	for (size_t i = 0; i + 1 < back; i++)
		if (points[i].has_value && !breaches(d, points[i].value))
			return 0;
	return back;
}

static void decide_premature(const struct alarm_def *d,
			     const struct alarm_point *points, size_t back,
			     enum alarm_state current,
			     struct alarm_verdict *out)
{
	size_t m = (size_t)d->datapoints_to_alarm;
	size_t real, breaching;
	bool ignore = d->missing == MISSING_IGNORE;
	char head[CLAUSE_MAX], tail[CLAUSE_MAX], threshold[FORMAT_DOUBLE_MAX];
	struct text h = {head, sizeof(head), 0};
	struct text t = {tail, sizeof(tail), 0};

	count_points(d, points, back, &real, &breaching);
	/* Every period newer than the oldest breach breaches or is empty. */
	assert(real == breaching && breaching < back);
	out->state = ignore ? current : ALARM_ALARM;
	out->keep = ignore;
	text_addf(&h, "%s: %zu out of the last %zu periods",
		  ignore ? "Unchanged" : "Threshold Crossed", breaching, back);
	text_addf(&t,
		  " %s %s the threshold (%s) and the other %zu had no data "
		  "(premature alarm: fewer than %zu datapoints, but the oldest "
		  "breaching one is at least %zu periods back%s).",
		  was_were(breaching), comparison_words(d->comparison),
		  format_double_java(threshold, d->threshold), back - breaching,
		  m, m,
		  ignore ? "; missing data is ignored, so the state is kept"
			 : "");
	write_reason(out, d, points, back, true, head, tail);
}

/* Case 4: 0 < k < N with missing or ignore. */
static void decide_sparse(const struct alarm_def *d,
			  const struct alarm_point *points, size_t n,
			  enum alarm_state current, struct alarm_verdict *out)
{
	size_t m = (size_t)d->datapoints_to_alarm;
	size_t real, breaching, back;
	char head[CLAUSE_MAX], tail[CLAUSE_MAX], threshold[FORMAT_DOUBLE_MAX];
	struct text h = {head, sizeof(head), 0};
	struct text t = {tail, sizeof(tail), 0};

	count_points(d, points, n, &real, &breaching);
	back = oldest_breach_back(d, points, n);
	if (real < m && back >= m) {
		decide_premature(d, points, back, current, out);
		return;
	}
	/* With real < m this is always OK: no count of breaches can reach m. */
	out->state = breaching >= m ? ALARM_ALARM : ALARM_OK;
	if (out->state == ALARM_ALARM || breaching < real) {
		write_count_reason(out, d, points, n, current,
				   out->state == ALARM_ALARM ? breaching
							     : real - breaching,
				   real, 0);
		return;
	}
	/* OK, yet every real datapoint breaches: too few of them to alarm. */
	text_addf(&h, "Threshold Crossed: %zu datapoint%s", breaching,
		  plural(breaching));
	text_addf(&t,
		  " %s %s the threshold (%s), fewer than the %zu needed for "
		  "OK -> ALARM transition.",
		  was_were(breaching), comparison_words(d->comparison),
		  format_double_java(threshold, d->threshold), m);
	write_reason(out, d, points, n, true, head, tail);
}

void alarm_evaluate(const struct alarm_def *d, const struct alarm_point *points,
		    size_t n, enum alarm_state current,
		    struct alarm_verdict *out)
{
	size_t n_periods = (size_t)d->evaluation_periods;
	size_t real, breaching;

	assert(d->evaluation_periods >= 1);
	assert(d->datapoints_to_alarm >= 1 &&
	       d->datapoints_to_alarm <= d->evaluation_periods);
	out->state = current;
	out->keep = false;
	out->reason[0] = '\0';
	count_points(d, points, n, &real, &breaching);
	if (real >= n_periods)
		decide_newest(d, points, n, current, out);
	else if (real == 0)
		decide_empty(d, current, out);
	else if (d->missing == MISSING_BREACHING ||
		 d->missing == MISSING_NOT_BREACHING)
		decide_filled(d, points, n, current, out);
	else
		decide_sparse(d, points, n, current, out);
}

/* ---- names ---- */

const char *alarm_state_name(enum alarm_state s)
{
	switch (s) {
	case ALARM_INSUFFICIENT_DATA:
		return "INSUFFICIENT_DATA";
	case ALARM_OK:
		return "OK";
	case ALARM_ALARM:
		return "ALARM";
	}
	return "?";
}
