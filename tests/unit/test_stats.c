/*
 * Unit tests for lib/stats.c: which statistic names a read accepts,
 * and that every statistic agrees with the values it summarizes.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/stats.h"

#define PERCENTILE_STEPS 10000 /* percentiles in hundredths */
#define MAX_REPORTED_FAILURES 10

#define CHECK(failures, cond, ...)                                             \
	do {                                                                   \
		if (!(cond) && (failures)++ < MAX_REPORTED_FAILURES)           \
			cr_expect(0, __VA_ARGS__);                             \
	} while (0)

static int parse(const char *name, struct stat_spec *out)
{
	return stat_parse(name, strlen(name), out);
}

static const struct accepted_name {
	const char *input;
	enum stat_kind kind;
	double percentile;
	const char *name;
	const char *cw_name;
} accepted[] = {
	{"samples", STAT_SAMPLES, 0, "samples", "SampleCount"},
	{"SampleCount", STAT_SAMPLES, 0, "samples", "SampleCount"},
	{"sum", STAT_SUM, 0, "sum", "Sum"},
	{"Sum", STAT_SUM, 0, "sum", "Sum"},
	{"average", STAT_AVERAGE, 0, "average", "Average"},
	{"Average", STAT_AVERAGE, 0, "average", "Average"},
	{"minimum", STAT_MINIMUM, 0, "minimum", "Minimum"},
	{"Minimum", STAT_MINIMUM, 0, "minimum", "Minimum"},
	{"maximum", STAT_MAXIMUM, 0, "maximum", "Maximum"},
	{"Maximum", STAT_MAXIMUM, 0, "maximum", "Maximum"},
	{"p0", STAT_PERCENTILE, 0, "p0", NULL},
	{"p9", STAT_PERCENTILE, 9, "p9", NULL},
	{"p50", STAT_PERCENTILE, 50, "p50", NULL},
	{"p99", STAT_PERCENTILE, 99, "p99", NULL},
	{"p99.9", STAT_PERCENTILE, 99.9, "p99.9", NULL},
	{"p99.99", STAT_PERCENTILE, 99.99, "p99.99", NULL},
	{"p99.90", STAT_PERCENTILE, 99.9, "p99.90", NULL},
	{"p0.5", STAT_PERCENTILE, 0.5, "p0.5", NULL},
	{"p0.01", STAT_PERCENTILE, 0.01, "p0.01", NULL},
	{"p100", STAT_PERCENTILE, 100, "p100", NULL},
	{"p100.0", STAT_PERCENTILE, 100, "p100.0", NULL},
	{"p100.00", STAT_PERCENTILE, 100, "p100.00", NULL},
};

Test(stat_names, monfs_and_cloudwatch_names_are_accepted)
{
	size_t i;

	for (i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
		const struct accepted_name *a = &accepted[i];
		struct stat_spec spec;

		cr_assert_eq(parse(a->input, &spec), 0, "%s", a->input);
		cr_expect_eq(spec.kind, a->kind, "%s", a->input);
		cr_expect_str_eq(spec.name, a->name, "%s", a->input);
		if (a->cw_name)
			cr_expect_str_eq(spec.cw_name, a->cw_name, "%s",
					 a->input);
		else
			cr_expect_null(spec.cw_name, "%s", a->input);
		if (a->kind == STAT_PERCENTILE)
			cr_expect_eq(spec.percentile, a->percentile, "%s",
				     a->input);
	}
}

Test(stat_names, bad_names_are_refused_and_leave_the_spec_untouched)
{
	static const char *const refused[] = {
		"p101",	       "p99.999",     "P99",	    "p",
		"p-1",	       "p 9",	      "p1e1",	    "",
		"p99.",	       "p.5",	      "p05",	    "p00",
		"p000",	       "p100.01",     "p100.1",	    "p1000",
		"p+5",	       "p1,5",	      "p0x1",	    "p99.9.9",
		"p9 ",	       " p9",	      "p99..9",	    "pNaN",
		"pinf",	       "sample",      "samples ",   "Samples",
		"SAMPLECOUNT", "sampleCount", "avg",	    "mean",
		"min",	       "max",	      "percentile", "p1.",
		"p99.9999999",
	};
	size_t i;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		struct stat_spec spec, untouched;

		memset(&spec, 0xab, sizeof(spec));
		memcpy(&untouched, &spec, sizeof(spec));
		cr_expect_eq(parse(refused[i], &spec), -EINVAL, "\"%s\"",
			     refused[i]);
		cr_expect_eq(memcmp(&spec, &untouched, sizeof(spec)), 0,
			     "\"%s\" changed the spec", refused[i]);
	}
}

Test(stat_names, only_the_given_length_is_read)
{
	struct stat_spec spec;

	cr_assert_eq(stat_parse("p99xyz", 3, &spec), 0);
	cr_expect_str_eq(spec.name, "p99");
	cr_assert_eq(stat_parse("averages", 7, &spec), 0);
	cr_expect_eq(spec.kind, STAT_AVERAGE);
	cr_expect_eq(stat_parse("sum", 2, &spec), -EINVAL);
	cr_expect_eq(stat_parse("p9", 0, &spec), -EINVAL);
}

Test(stat_names, embedded_nul_is_refused)
{
	struct stat_spec spec;

	cr_expect_eq(stat_parse("p9\0", 3, &spec), -EINVAL);
	cr_expect_eq(stat_parse("sum\0", 4, &spec), -EINVAL);
}

Test(stat_names, every_two_decimal_percentile_parses_to_its_value)
{
	unsigned steps;
	int failures = 0;

	for (steps = 0; steps <= PERCENTILE_STEPS; steps++) {
		char name[16];
		struct stat_spec spec;
		int rc;

		snprintf(name, sizeof(name), "p%u.%02u", steps / 100,
			 steps % 100);
		rc = parse(name, &spec);
		CHECK(failures,
		      rc == 0 && spec.percentile == steps / 100.0 &&
			      strcmp(spec.name, name) == 0,
		      "%s", name);
	}
	cr_expect_eq(failures, 0);
}

Test(stat_names, defaults_are_the_eight_columns_of_a_read)
{
	static const char *const names[] = {
		"samples", "sum", "average", "minimum",
		"maximum", "p50", "p90",     "p99",
	};
	struct stat_spec specs[8];
	size_t i;

	cr_assert_eq(stat_defaults(specs), 8);
	for (i = 0; i < 8; i++)
		cr_expect_str_eq(specs[i].name, names[i]);
	cr_expect_eq(specs[0].kind, STAT_SAMPLES);
	cr_expect_eq(specs[4].kind, STAT_MAXIMUM);
	cr_expect_eq(specs[5].kind, STAT_PERCENTILE);
	cr_expect_eq(specs[5].percentile, 50);
	cr_expect_eq(specs[7].percentile, 99);
}

static struct stat_spec spec_of(const char *name)
{
	struct stat_spec spec;

	cr_assert_eq(parse(name, &spec), 0, "%s", name);
	return spec;
}

static double value_of(const char *name, const struct summary *s)
{
	struct stat_spec spec = spec_of(name);

	return stat_value(&spec, s);
}

static void summary_of(struct summary *s, const double *v, size_t n)
{
	size_t i;

	cr_assert_eq(summary_init(s), 0);
	for (i = 0; i < n; i++)
		cr_assert_eq(summary_add(s, v[i]), 0);
}

static int within_one_percent(double estimate, double exact)
{
	return fabs(estimate - exact) <= 0.01 * fabs(exact);
}

Test(stat_values, each_kind_is_computed_from_the_summary)
{
	double v[] = {3, 1, 10, 2, 4};
	struct summary s;

	summary_of(&s, v, 5);
	cr_expect_eq(value_of("samples", &s), 5);
	cr_expect_eq(value_of("SampleCount", &s), 5);
	cr_expect_eq(value_of("sum", &s), 20);
	cr_expect_eq(value_of("average", &s), 4);
	cr_expect_eq(value_of("minimum", &s), 1);
	cr_expect_eq(value_of("maximum", &s), 10);
	cr_expect(within_one_percent(value_of("p50", &s), 3));
	cr_expect(within_one_percent(value_of("p80", &s), 4));
	cr_expect(within_one_percent(value_of("p81", &s), 10));
	cr_expect_eq(value_of("p0", &s), 1);
	cr_expect_eq(value_of("p100", &s), 10);
	summary_release(&s);
}

Test(stat_values, a_single_value_is_every_statistic)
{
	double v[] = {-7.25};
	struct summary s;
	unsigned steps;

	summary_of(&s, v, 1);
	cr_expect_eq(value_of("samples", &s), 1);
	cr_expect_eq(value_of("sum", &s), -7.25);
	cr_expect_eq(value_of("average", &s), -7.25);
	for (steps = 0; steps <= PERCENTILE_STEPS; steps += 37) {
		struct stat_spec spec = {.kind = STAT_PERCENTILE,
					 .percentile = steps / 100.0};

		cr_expect_eq(stat_value(&spec, &s), -7.25, "p%g",
			     spec.percentile);
	}
	summary_release(&s);
}

Test(stat_values, average_of_equal_values_is_that_value)
{
	double v[] = {0.1, 0.1, 0.1};
	struct summary s;

	summary_of(&s, v, 3);
	cr_expect_eq(value_of("average", &s), 0.1);
	cr_expect_eq(value_of("p50", &s), 0.1);
	summary_release(&s);
}

Test(stat_values, a_two_decimal_percentile_picks_its_exact_rank)
{
	double v[100];
	struct summary s;
	int i;

	for (i = 0; i < 100; i++)
		v[i] = pow(1.05, i + 1);
	summary_of(&s, v, 100);
	/* 0.07 * 100 is 7.000000000000001 in doubles: still rank 7. */
	cr_expect(within_one_percent(value_of("p7", &s), v[6]));
	cr_expect(within_one_percent(value_of("p7.01", &s), v[7]));
	cr_expect(within_one_percent(value_of("p99.99", &s), v[99]));
	cr_expect(within_one_percent(value_of("p0.01", &s), v[0]));
	summary_release(&s);
}

/* splitmix64: deterministic, so a failure reproduces. */
static uint64_t next_random(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double uniform01(uint64_t *state)
{
	return (double)(next_random(state) >> 11) * 0x1p-53;
}

/* Positive, negative, spread, clustered and constant value sets. */
static void fill(double *v, size_t n, int kind, uint64_t *seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		double u = uniform01(seed);

		switch (kind) {
		case 0:
			v[i] = exp(60 * (u - 0.5));
			break;
		case 1:
			v[i] = -1e-3 * (1 + u);
			break;
		case 2:
			v[i] = (u - 0.5) * 1e6;
			break;
		case 3:
			v[i] = 1.0;
			break;
		default:
			v[i] = 100 + 1e-9 * u;
			break;
		}
	}
}

Test(stat_values, percentiles_never_leave_minimum_to_maximum)
{
	static const size_t sizes[] = {1, 2, 3, 10, 1000};
	uint64_t seed = 5;
	int kind, failures = 0;
	size_t si;

	for (kind = 0; kind < 5; kind++) {
		for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
			double v[1000];
			struct summary s;
			unsigned steps;

			fill(v, sizes[si], kind, &seed);
			summary_of(&s, v, sizes[si]);
			for (steps = 0; steps <= PERCENTILE_STEPS; steps++) {
				struct stat_spec spec = {
					.kind = STAT_PERCENTILE,
					.percentile = steps / 100.0};
				double p = stat_value(&spec, &s);

				CHECK(failures, p >= s.min && p <= s.max,
				      "kind %d n=%zu p%g: %.17g outside "
				      "[%.17g, %.17g]",
				      kind, sizes[si], spec.percentile, p,
				      s.min, s.max);
			}
			CHECK(failures,
			      value_of("p0", &s) == s.min &&
				      value_of("p100", &s) == s.max,
			      "kind %d n=%zu: p0/p100 are not min/max", kind,
			      sizes[si]);
			CHECK(failures,
			      value_of("average", &s) >= s.min &&
				      value_of("average", &s) <= s.max,
			      "kind %d n=%zu: average outside", kind,
			      sizes[si]);
			summary_release(&s);
		}
	}
	cr_expect_eq(failures, 0);
}

Test(stat_values, p0_and_p100_are_exactly_minimum_and_maximum)
{
	double v[] = {0.3, -1e-200, 7e300, 12.5, -0.0, 1.0000001};
	struct summary s;

	summary_of(&s, v, 6);
	cr_expect_eq(value_of("p0", &s), -1e-200);
	cr_expect_eq(value_of("p0.00", &s), -1e-200);
	cr_expect_eq(value_of("p100", &s), 7e300);
	cr_expect_eq(value_of("minimum", &s), -1e-200);
	cr_expect_eq(value_of("maximum", &s), 7e300);
	summary_release(&s);
}

Test(summaries, merging_parts_equals_one_pass)
{
	double v[300];
	struct summary whole, a, b, empty;
	unsigned char *ew, *ea;
	size_t lw, la;
	int i;

	for (i = 0; i < 300; i++)
		v[i] = (i * 37) % 101 - 50;
	summary_of(&whole, v, 300);
	summary_of(&a, v, 120);
	summary_of(&b, v + 120, 180);
	summary_of(&empty, NULL, 0);
	cr_assert_eq(summary_merge(&a, &b), 0);
	cr_assert_eq(summary_merge(&a, &empty), 0);
	cr_expect_eq(a.count, whole.count);
	cr_expect_eq(a.sum, whole.sum);
	cr_expect_eq(a.min, whole.min);
	cr_expect_eq(a.max, whole.max);
	cr_assert_eq(sketch_encode(whole.sketch, &ew, &lw), 0);
	cr_assert_eq(sketch_encode(a.sketch, &ea, &la), 0);
	cr_expect(lw == la && memcmp(ew, ea, lw) == 0);
	free(ew);
	free(ea);
	summary_release(&whole);
	summary_release(&a);
	summary_release(&b);
	summary_release(&empty);
}

/* SPEC 3's example row: 10, 70, 40 print p50 40, p90 70, p99 70. */
Test(stat_values, a_sparse_period_has_exact_percentiles)
{
	double v[] = {10, 70, 40};
	struct summary s;

	summary_of(&s, v, 3);
	cr_expect_eq(value_of("samples", &s), 3);
	cr_expect_eq(value_of("sum", &s), 120);
	cr_expect_eq(value_of("average", &s), 40);
	cr_expect_eq(value_of("p50", &s), 40);
	cr_expect_eq(value_of("p90", &s), 70);
	cr_expect_eq(value_of("p99", &s), 70);
	cr_expect_eq(value_of("p33.33", &s), 10);
	cr_expect_eq(value_of("p33.34", &s), 40);
	summary_release(&s);
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * A minute of a 1-second metric, summarized in three parts merged as a
 * read merges buckets: every two-decimal percentile is the exact
 * nearest-rank value, not an estimate.
 */
Test(stat_values, sixty_merged_points_have_exact_percentiles)
{
	double v[60], sorted[60];
	struct summary s, b, c;
	uint64_t seed = 9;
	unsigned steps;
	int i, failures = 0;

	for (i = 0; i < 60; i++)
		v[i] = sorted[i] = floor(1000 * uniform01(&seed)) / 10;
	qsort(sorted, 60, sizeof(sorted[0]), compare_doubles);
	summary_of(&s, v, 10);
	summary_of(&b, v + 10, 20);
	summary_of(&c, v + 30, 30);
	cr_assert_eq(summary_merge(&b, &c), 0);
	cr_assert_eq(summary_merge(&s, &b), 0);
	for (steps = 0; steps <= PERCENTILE_STEPS; steps++) {
		struct stat_spec spec = {.kind = STAT_PERCENTILE,
					 .percentile = steps / 100.0};
		size_t k =
			(steps * 60 + PERCENTILE_STEPS - 1) / PERCENTILE_STEPS;
		double exact = sorted[k ? k - 1 : 0];

		CHECK(failures, stat_value(&spec, &s) == exact,
		      "p%g: %.17g, exact %.17g", spec.percentile,
		      stat_value(&spec, &s), exact);
	}
	cr_expect_eq(failures, 0);
	summary_release(&s);
	summary_release(&b);
	summary_release(&c);
}

Test(summaries, merging_into_an_empty_summary_takes_its_extremes)
{
	double v[] = {-5, -3};
	struct summary empty, s;

	summary_of(&empty, NULL, 0);
	summary_of(&s, v, 2);
	cr_assert_eq(summary_merge(&empty, &s), 0);
	cr_expect_eq(empty.count, 2);
	cr_expect_eq(empty.sum, -8);
	cr_expect_eq(empty.min, -5);
	cr_expect_eq(empty.max, -3);
	summary_release(&empty);
	summary_release(&s);
}

Test(summaries, reset_forgets_previous_extremes)
{
	double v[] = {1, 2};
	struct summary s;

	summary_of(&s, v, 2);
	summary_reset(&s);
	cr_expect_eq(s.count, 0);
	cr_expect_eq(sketch_count(s.sketch), 0);
	cr_assert_eq(summary_add(&s, 50), 0);
	cr_expect_eq(s.min, 50);
	cr_expect_eq(s.max, 50);
	cr_expect_eq(s.sum, 50);
	cr_expect_eq(value_of("p50", &s), 50);
	summary_release(&s);
}

Test(summaries, non_finite_values_are_refused_and_change_nothing)
{
	double v[] = {1, 2};
	struct summary s;

	summary_of(&s, v, 2);
	cr_expect_eq(summary_add(&s, NAN), -EINVAL);
	cr_expect_eq(summary_add(&s, INFINITY), -EINVAL);
	cr_expect_eq(s.count, 2);
	cr_expect_eq(s.sum, 3);
	cr_expect_eq(s.max, 2);
	cr_expect_eq(sketch_count(s.sketch), 2);
	summary_release(&s);
}

Test(summaries, release_twice_is_harmless)
{
	struct summary s;

	cr_assert_eq(summary_init(&s), 0);
	summary_release(&s);
	summary_release(&s);
	cr_expect_null(s.sketch);
}
