/*
 * trail_insights: CloudTrail Insights' statistics, verdicts and records
 * (SPEC 14). See lib/trail_insights.h for the rule.
 */
#include "lib/trail_insights.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const TRAIL_INSIGHTS_ATTRIBUTE_NAMES[TRAIL_INSIGHTS_ATTRIBUTES] = {
	"userIdentityArn",
	"userAgent",
	"errorCode",
};

#define EVENT_VERSION "1.08"

const char *trail_insights_type_name(enum trail_insights_type type)
{
	return type == TRAIL_INSIGHTS_ERROR_RATE ? "ApiErrorRateInsight"
						 : "ApiCallRateInsight";
}

void trail_insights_window_add(struct trail_insights_window *w, int64_t count)
{
	w->minutes++;
	w->sum += (double)count;
	w->sum_squares += (double)count * (double)count;
}

struct trail_insights_baseline
trail_insights_baseline_of(const struct trail_insights_window *w)
{
	struct trail_insights_baseline b = {w->minutes, 0, 0};
	double n = (double)w->minutes, variance;

	if (w->minutes <= 0)
		return (struct trail_insights_baseline){0, 0, 0};
	b.mean = w->sum / n;
	/* E[x^2] - E[x]^2 can come out a hair below 0 by rounding. */
	variance = w->sum_squares / n - b.mean * b.mean;
	b.stddev = variance > 0 ? sqrt(variance) : 0;
	return b;
}

double trail_insights_threshold(const struct trail_insights_baseline *b)
{
	return b->mean + TRAIL_INSIGHTS_SIGMAS * b->stddev;
}

enum trail_insights_verdict
trail_insights_judge(bool open, int64_t count,
		     const struct trail_insights_baseline *b)
{
	bool above = (double)count > trail_insights_threshold(b);

	if (open)
		return above ? TRAIL_INSIGHTS_CONTINUE : TRAIL_INSIGHTS_END;
	if (b->minutes > 0 && count >= TRAIL_INSIGHTS_MIN_COUNT && above)
		return TRAIL_INSIGHTS_START;
	return TRAIL_INSIGHTS_QUIET;
}

/* Most frequent first; ties by value, so that the order never varies. */
static int by_count(const void *a, const void *b)
{
	const struct trail_insights_count *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->value, y->value);
}

size_t trail_insights_top(struct trail_insights_count *counts, size_t n,
			  int64_t minutes,
			  struct trail_insights_value out[TRAIL_INSIGHTS_TOP])
{
	size_t i;

	assert(minutes > 0 || n == 0);
	if (n)
		qsort(counts, n, sizeof(*counts), by_count);
	for (i = 0; i < n && i < TRAIL_INSIGHTS_TOP; i++)
		out[i] = (struct trail_insights_value){counts[i].value,
						       (double)counts[i].count /
							       (double)minutes};
	return i;
}

/* [{"value", "average"}, ...] of v[0..n). */
static json_t *values_json(const struct trail_insights_value *v, size_t n)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr && i < n; i++)
		if (json_array_append_new(arr, json_pack("{s:s,s:f}", "value",
							 v[i].value, "average",
							 v[i].average))) {
			json_decref(arr);
			return NULL;
		}
	return arr;
}

static json_t *attributions_json(const struct trail_insights_details *d)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr && i < TRAIL_INSIGHTS_ATTRIBUTES; i++) {
		const struct trail_insights_attribution *a =
			&d->attributions[i];

		if (json_array_append_new(
			    arr,
			    json_pack(
				    "{s:s,s:o*,s:o*}", "attribute",
				    TRAIL_INSIGHTS_ATTRIBUTE_NAMES[i],
				    "insight",
				    values_json(a->insight, a->n_insight),
				    "baseline",
				    values_json(a->baseline, a->n_baseline)))) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

json_t *trail_insights_details_json(const struct trail_insights_details *d)
{
	json_t *attributions = attributions_json(d);

	if (!attributions)
		return NULL;
	return json_pack(
		"{s:s,s:s,s:s,s:s,s:{s:{s:{s:f},s:{s:f},s:I,s:I},"
		"s:o}}",
		"state", d->end ? "End" : "Start", "eventSource",
		d->event_source, "eventName", d->event_name, "insightType",
		trail_insights_type_name(d->type), "insightContext",
		"statistics", "baseline", "average", d->baseline_average,
		"insight", "average", d->insight_average, "insightDuration",
		(json_int_t)d->insight_duration, "baselineDuration",
		(json_int_t)d->baseline_duration, "attributions", attributions);
}

json_t *trail_insights_record(const struct trail_insights_details *d,
			      const struct trail_insights_envelope *e)
{
	json_t *details = trail_insights_details_json(d);

	if (!details)
		return NULL;
	/* eventTime and eventID are placeholders: they keep their place. */
	return json_pack(
		"{s:s,s:n,s:s,s:s,s:s,s:n,s:s,s:s,s:s,s:o,s:s}", "eventVersion",
		EVENT_VERSION, "eventTime", "eventSource", d->event_source,
		"eventName", d->event_name, "awsRegion", e->region, "eventID",
		"eventType", "AwsCloudTrailInsight", "recipientAccountId",
		e->account, "sharedEventID", e->shared_event_id,
		"insightDetails", details, "eventCategory", "Insight");
}
