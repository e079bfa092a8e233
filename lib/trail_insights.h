/*
 * trail_insights: CloudTrail Insights' decisions (SPEC 14), pure — no
 * store, no clock. Given the calls (or the calls with an errorCode) of
 * one eventSource and eventName per minute, it says whether a completed
 * minute starts, continues or ends an insight, and it builds the Start
 * and End records in CloudTrail's AwsCloudTrailInsight shape.
 *
 * The rule, SPEC 14's words made exact:
 *   - the baseline of minute m is the mean and the population standard
 *     deviation of the count per minute over the window before m (at
 *     most the baseline's minutes, fewer while the history is shorter),
 *     minutes without calls counting as 0;
 *   - the threshold is mean + 3 standard deviations;
 *   - with no insight open, m starts one when its count is at least
 *     TRAIL_INSIGHTS_MIN_COUNT and above the threshold, and only when
 *     there is history (a window of no minutes has no mean: the first
 *     minute ever counted never starts an insight);
 *   - with one open, the first minute at or below the threshold ends it
 *     (the floor of 10 decides starts only), and any other continues it.
 */
#ifndef MONFS_TRAIL_INSIGHTS_H
#define MONFS_TRAIL_INSIGHTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The fewest calls in a minute that can start an insight. */
#define TRAIL_INSIGHTS_MIN_COUNT 10
/* How many standard deviations above the mean a minute must be. */
#define TRAIL_INSIGHTS_SIGMAS 3.0
/* Values listed for each attribute, most frequent first. */
#define TRAIL_INSIGHTS_TOP 5
/* The attributes, in the order a record lists them. */
#define TRAIL_INSIGHTS_ATTRIBUTES 3

extern const char *const TRAIL_INSIGHTS_ATTRIBUTE_NAMES[]; /* [ATTRIBUTES] */

enum trail_insights_type {
	TRAIL_INSIGHTS_CALL_RATE,  /* ApiCallRateInsight: every call */
	TRAIL_INSIGHTS_ERROR_RATE, /* ApiErrorRateInsight: errorCode set */
	TRAIL_INSIGHTS_TYPES,
};

/* "ApiCallRateInsight" or "ApiErrorRateInsight". */
const char *trail_insights_type_name(enum trail_insights_type type);

/*
 * A window's counts as sums: minutes in the window (those without calls
 * included), the sum of the counts and the sum of their squares.
 */
struct trail_insights_window {
	int64_t minutes;
	double sum, sum_squares;
};

/* The baseline of a window; both 0 for a window of no minutes. */
struct trail_insights_baseline {
	int64_t minutes;
	double mean, stddev;
};

/* Add one minute's count to w (a minute of 0 counts too). */
void trail_insights_window_add(struct trail_insights_window *w, int64_t count);

/* The mean and population standard deviation of w's counts. */
struct trail_insights_baseline
trail_insights_baseline_of(const struct trail_insights_window *w);

/* mean + TRAIL_INSIGHTS_SIGMAS * stddev. */
double trail_insights_threshold(const struct trail_insights_baseline *b);

enum trail_insights_verdict {
	TRAIL_INSIGHTS_QUIET,	 /* none open, none starts */
	TRAIL_INSIGHTS_START,	 /* this minute starts one */
	TRAIL_INSIGHTS_CONTINUE, /* the open one goes on */
	TRAIL_INSIGHTS_END,	 /* the open one ends with this minute */
};

/*
 * Judge a completed minute of count calls against its baseline b, with
 * an insight open or not (the rule in the file's header).
 */
enum trail_insights_verdict
trail_insights_judge(bool open, int64_t count,
		     const struct trail_insights_baseline *b);

/* One value of an attribute and how often it came. */
struct trail_insights_count {
	const char *value; /* borrowed */
	int64_t count;
};

/* One value as a record lists it: its count per minute. */
struct trail_insights_value {
	const char *value; /* borrowed */
	double average;
};

/*
 * The top TRAIL_INSIGHTS_TOP of counts[0..n) into out, most frequent
 * first, ties by value in byte order, each average its count / minutes
 * (minutes > 0). Sorts counts in place. Returns how many went to out.
 */
size_t trail_insights_top(struct trail_insights_count *counts, size_t n,
			  int64_t minutes,
			  struct trail_insights_value out[TRAIL_INSIGHTS_TOP]);

/* One attribute's values during the insight and over its baseline. */
struct trail_insights_attribution {
	struct trail_insights_value insight[TRAIL_INSIGHTS_TOP];
	size_t n_insight;
	struct trail_insights_value baseline[TRAIL_INSIGHTS_TOP];
	size_t n_baseline;
};

/* What a Start or End record says; every string borrowed. */
struct trail_insights_details {
	bool end; /* state "End", else "Start" */
	const char *event_source, *event_name;
	enum trail_insights_type type;
	double baseline_average;   /* the baseline's mean per minute */
	double insight_average;	   /* the insight's count per minute */
	int64_t insight_duration;  /* minutes: 1 at Start */
	int64_t baseline_duration; /* minutes of the baseline window */
	/* In TRAIL_INSIGHTS_ATTRIBUTE_NAMES' order. */
	struct trail_insights_attribution
		attributions[TRAIL_INSIGHTS_ATTRIBUTES];
};

/*
 * d's insightDetails object, as CloudTrail writes it: state,
 * eventSource, eventName, insightType, insightContext (statistics with
 * baseline.average, insight.average, insightDuration, baselineDuration;
 * attributions [{attribute, insight [{value, average}], baseline
 * [...]}]). NULL when out of memory.
 */
json_t *trail_insights_details_json(const struct trail_insights_details *d);

/* What a record carries besides its details; every string borrowed. */
struct trail_insights_envelope {
	const char *region;	     /* awsRegion */
	const char *account;	     /* recipientAccountId */
	const char *shared_event_id; /* a UUID, shared by Start and End */
};

/*
 * The whole record of d: eventVersion, eventTime (null: the trail
 * stamps it), eventSource, eventName (the key's, so that the default
 * bus names the tree as for other records), awsRegion, eventID (null:
 * stamped), eventType "AwsCloudTrailInsight", recipientAccountId,
 * sharedEventID, insightDetails, eventCategory "Insight". No
 * userIdentity, requestID or readOnly: CloudTrail's Insights records
 * have none. NULL when out of memory.
 */
json_t *trail_insights_record(const struct trail_insights_details *d,
			      const struct trail_insights_envelope *e);

#endif
