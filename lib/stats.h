/*
 * stats: the statistics a metric read offers (SPEC 3) and how each is
 * computed from a period's summary (count, sum, min, max, sketch).
 */
#ifndef MONFS_STATS_H
#define MONFS_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "lib/sketch.h"

enum stat_kind {
	STAT_SAMPLES,
	STAT_SUM,
	STAT_AVERAGE,
	STAT_MINIMUM,
	STAT_MAXIMUM,
	STAT_PERCENTILE,
};

#define STAT_NAME_MAX 16

/* One statistic asked for. */
struct stat_spec {
	enum stat_kind kind;
	double percentile;	  /* 0..100, for STAT_PERCENTILE */
	char name[STAT_NAME_MAX]; /* monfs's name as printed: "average", "p99.9"
				   */
	const char
		*cw_name; /* CloudWatch's: "SampleCount", ..., NULL for pNN */
};

/* What a period (or a rollup bucket) holds. */
struct summary {
	uint64_t count;
	double sum;
	double min;
	double max;
	struct sketch *sketch; /* owned */
};

/*
 * Parse one statistic name: samples, sum, average, minimum, maximum,
 * CloudWatch's SampleCount, Sum, Average, Minimum, Maximum, or pNN,
 * pNN.N, pNN.NN from p0 to p100. Otherwise -EINVAL.
 */
int stat_parse(const char *s, size_t len, struct stat_spec *out);

/*
 * The default statistics of a read: samples sum average minimum maximum
 * p50 p90 p99. Fills out[] (at least 8 entries) and returns the count.
 */
size_t stat_defaults(struct stat_spec *out);

/* A summary with count 0 and a new empty sketch. 0 or -ENOMEM. */
int summary_init(struct summary *s);

/* Free the summary's sketch. */
void summary_release(struct summary *s);

/* Empty the summary, keeping its sketch's memory. */
void summary_reset(struct summary *s);

/* Count one value. 0 or -ENOMEM. */
int summary_add(struct summary *s, double value);

/* Merge src into dst (counts, sums, extremes, sketches). 0 or -ENOMEM. */
int summary_merge(struct summary *dst, const struct summary *src);

/*
 * The value of statistic spec over s (count > 0). Percentiles are the
 * sketch's nearest-rank estimate clamped to [min, max]; p0 is exactly
 * min and p100 exactly max.
 */
double stat_value(const struct stat_spec *spec, const struct summary *s);

#endif
