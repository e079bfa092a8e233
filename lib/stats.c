/*
 * stats: the names of the statistics a metric read offers (SPEC 3) and
 * their values over a period's summary.
 *
 * A summary is exact in count, sum, minimum and maximum; percentiles come
 * from its sketch and are pinned into [minimum, maximum], with p0 and
 * p100 the extremes themselves, so that no printed statistic contradicts
 * another.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "lib/stats.h"

/* pNN.NN at most: "p" + three digits + "." + two digits. */
#define PERCENTILE_NAME_MAX 7
/* Percentiles are parsed in hundredths: p99.9 is 9990, p100 is 10000. */
#define PERCENTILE_STEPS 10000

static const struct basic_stat {
	enum stat_kind kind;
	const char *name;
	const char *cw_name;
} basic_stats[] = {
	{STAT_SAMPLES, "samples", "SampleCount"},
	{STAT_SUM, "sum", "Sum"},
	{STAT_AVERAGE, "average", "Average"},
	{STAT_MINIMUM, "minimum", "Minimum"},
	{STAT_MAXIMUM, "maximum", "Maximum"},
};

static const char *const default_stats[] = {
	"samples", "sum", "average", "minimum", "maximum", "p50", "p90", "p99",
};

#include "lib/array.h"

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int name_is(const char *s, size_t len, const char *name)
{
	return strlen(name) == len && memcmp(s, name, len) == 0;
}

/*
 * The digits after "p": one to three integer digits without a leading
 * zero (so p5 and p05 are not two names for one column), then optionally
 * "." and one or two digits. Hundredths into *steps; 0 or -EINVAL.
 */
static int parse_percentile(const char *s, size_t len, unsigned *steps)
{
	size_t i = 0, int_digits, frac_digits = 0;
	unsigned whole = 0, frac = 0;

	while (i < len && is_digit(s[i]))
		whole = whole * 10 + (unsigned)(s[i++] - '0');
	int_digits = i;
	if (int_digits == 0 || int_digits > 3 ||
	    (int_digits > 1 && s[0] == '0'))
		return -EINVAL;
	if (i < len) {
		if (s[i++] != '.')
			return -EINVAL;
		while (i < len && is_digit(s[i]) && frac_digits < 2) {
			frac = frac * 10 + (unsigned)(s[i++] - '0');
			frac_digits++;
		}
		if (frac_digits == 0 || i != len)
			return -EINVAL;
		if (frac_digits == 1)
			frac *= 10;
	}
	*steps = whole * 100 + frac;
	return *steps <= PERCENTILE_STEPS ? 0 : -EINVAL;
}

int stat_parse(const char *s, size_t len, struct stat_spec *out)
{
	unsigned steps;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(basic_stats); i++) {
		const struct basic_stat *b = &basic_stats[i];

		if (name_is(s, len, b->name) || name_is(s, len, b->cw_name)) {
			out->kind = b->kind;
			out->percentile = 0;
			strcpy(out->name, b->name);
			out->cw_name = b->cw_name;
			return 0;
		}
	}
	if (len < 2 || len > PERCENTILE_NAME_MAX || s[0] != 'p')
		return -EINVAL;
	if (parse_percentile(s + 1, len - 1, &steps))
		return -EINVAL;
	out->kind = STAT_PERCENTILE;
	/* Exact integer over exact integer: the double nearest the decimal. */
	out->percentile = steps / 100.0;
	memcpy(out->name, s, len);
	out->name[len] = '\0';
	out->cw_name = NULL;
	return 0;
}

size_t stat_defaults(struct stat_spec *out)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(default_stats); i++) {
		const char *name = default_stats[i];

		stat_parse(name, strlen(name), &out[i]);
	}
	return ARRAY_SIZE(default_stats);
}

int summary_init(struct summary *s)
{
	s->count = 0;
	s->sum = 0;
	s->min = 0;
	s->max = 0;
	s->sketch = sketch_new();
	return s->sketch ? 0 : -ENOMEM;
}

void summary_release(struct summary *s)
{
	sketch_free(s->sketch);
	s->sketch = NULL;
}

void summary_reset(struct summary *s)
{
	s->count = 0;
	s->sum = 0;
	s->min = 0;
	s->max = 0;
	sketch_reset(s->sketch);
}

/* The sketch goes first: if it fails, the summary has not changed. */
int summary_add(struct summary *s, double value)
{
	int err = sketch_add(s->sketch, value);

	if (err)
		return err;
	if (s->count == 0 || value < s->min)
		s->min = value;
	if (s->count == 0 || value > s->max)
		s->max = value;
	s->count++;
	s->sum += value;
	return 0;
}

int summary_merge(struct summary *dst, const struct summary *src)
{
	int err;

	if (src->count == 0)
		return 0;
	err = sketch_merge(dst->sketch, src->sketch);
	if (err)
		return err;
	if (dst->count == 0 || src->min < dst->min)
		dst->min = src->min;
	if (dst->count == 0 || src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	dst->sum += src->sum;
	return 0;
}

static double clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/*
 * The average is clamped too: sum / count can round past the extremes
 * (three times 0.1 averages 0.10000000000000002), and a sum that
 * overflowed to infinity would otherwise print as the average.
 */
double stat_value(const struct stat_spec *spec, const struct summary *s)
{
	double v;

	switch (spec->kind) {
	case STAT_SAMPLES:
		return (double)s->count;
	case STAT_SUM:
		return s->sum;
	case STAT_AVERAGE:
		return clamp(s->sum / (double)s->count, s->min, s->max);
	case STAT_MINIMUM:
		return s->min;
	case STAT_MAXIMUM:
		return s->max;
	case STAT_PERCENTILE:
		if (spec->percentile <= 0)
			return s->min;
		if (spec->percentile >= 100)
			return s->max;
		v = sketch_quantile(s->sketch, spec->percentile / 100);
		/* NaN (a summary whose sketch is empty) stays NaN. */
		return isnan(v) ? v : clamp(v, s->min, s->max);
	}
	return NAN;
}
