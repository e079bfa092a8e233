/*
 * Unit tests for store/sketch.c: percentiles within 1 % of the exact
 * nearest-rank value, merges that equal one pass, and an encoding that
 * survives any damage without crashing.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store/sketch.h"

#define MAX_RELATIVE_ERROR 0.01
#define PERCENTILE_STEPS 10000 /* q in hundredths of a percent */
#define MAX_REPORTED_FAILURES 10

/* Report the first few failures of a long loop, count them all. */
#define CHECK(failures, cond, ...)                                             \
	do {                                                                   \
		if (!(cond) && (failures)++ < MAX_REPORTED_FAILURES)           \
			cr_expect(0, __VA_ARGS__);                             \
	} while (0)

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

static double normal(uint64_t *state)
{
	double u = 1 - uniform01(state), v = uniform01(state);

	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

static double gen_uniform(uint64_t *st)
{
	return 1000 * uniform01(st);
}

static double gen_exponential(uint64_t *st)
{
	return -log(1 - uniform01(st));
}

/* sigma 10: about 35 decades either side of 1. */
static double gen_lognormal(uint64_t *st)
{
	return exp(10 * normal(st));
}

static double gen_all_equal(uint64_t *st)
{
	(void)st;
	return 42.42;
}

static double gen_mixed_signs(uint64_t *st)
{
	double u = uniform01(st);

	if (u < 0.2)
		return u < 0.1 ? 0.0 : -0.0;
	return (u < 0.6 ? -1 : 1) * exp(5 * normal(st));
}

static double gen_tiny(uint64_t *st)
{
	return 1e-300 * (1 + 9 * uniform01(st));
}

static double gen_huge(uint64_t *st)
{
	return 1e300 * (1 + 99 * uniform01(st));
}

static double gen_extremes(uint64_t *st)
{
	double mag = uniform01(st) < 0.5 ? gen_tiny(st) : gen_huge(st);

	return uniform01(st) < 0.5 ? -mag : mag;
}

static const size_t sizes[] = {1, 2, 3, 10, 1000, 100000};
static const unsigned steps_checked[] = {0,    1,    100,  1000, 2500, 5000,
					 7500, 9000, 9900, 9990, 9999, 10000};

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest rank ceil(q n), at least 1, in exact integer arithmetic. */
static size_t exact_rank(unsigned steps, size_t n)
{
	size_t k = (steps * n + PERCENTILE_STEPS - 1) / PERCENTILE_STEPS;

	return k ? k : 1;
}

static int within_error(double estimate, double exact)
{
	if (exact == 0)
		return estimate == 0;
	return fabs(estimate - exact) <= MAX_RELATIVE_ERROR * fabs(exact);
}

static double *generate(double (*gen)(uint64_t *), size_t n, uint64_t seed)
{
	double *v = malloc(n * sizeof(*v));
	size_t i;

	cr_assert_not_null(v);
	for (i = 0; i < n; i++)
		v[i] = gen(&seed);
	return v;
}

static struct sketch *sketch_of(const double *v, size_t n)
{
	struct sketch *s = sketch_new();
	size_t i;

	cr_assert_not_null(s);
	for (i = 0; i < n; i++)
		cr_assert_eq(sketch_add(s, v[i]), 0);
	return s;
}

static void check_distribution(const char *name, double (*gen)(uint64_t *))
{
	size_t si, qi;
	int failures = 0;

	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
		size_t n = sizes[si];
		double *v = generate(gen, n, 1234 + n);
		struct sketch *s = sketch_of(v, n);

		qsort(v, n, sizeof(*v), compare_doubles);
		cr_expect_eq(sketch_count(s), n);
		for (qi = 0; qi < sizeof(steps_checked) / sizeof(unsigned);
		     qi++) {
			unsigned steps = steps_checked[qi];
			double exact = v[exact_rank(steps, n) - 1];
			double est = sketch_quantile(s, (double)steps /
							    PERCENTILE_STEPS);

			CHECK(failures, within_error(est, exact),
			      "%s n=%zu q=%g: estimate %.17g, exact %.17g",
			      name, n, (double)steps / PERCENTILE_STEPS, est,
			      exact);
		}
		sketch_free(s);
		free(v);
	}
	cr_expect_eq(failures, 0);
}

Test(sketch_accuracy, uniform_values_are_within_one_percent)
{
	check_distribution("uniform", gen_uniform);
}

Test(sketch_accuracy, exponential_values_are_within_one_percent)
{
	check_distribution("exponential", gen_exponential);
}

Test(sketch_accuracy, lognormal_values_over_many_decades_within_one_percent)
{
	check_distribution("lognormal", gen_lognormal);
}

Test(sketch_accuracy, all_equal_values_are_within_one_percent)
{
	check_distribution("all equal", gen_all_equal);
}

Test(sketch_accuracy, negative_zero_and_positive_values_within_one_percent)
{
	check_distribution("mixed signs", gen_mixed_signs);
}

Test(sketch_accuracy, tiny_values_near_1e_minus_300_within_one_percent)
{
	check_distribution("tiny", gen_tiny);
}

Test(sketch_accuracy, huge_values_near_1e300_within_one_percent)
{
	check_distribution("huge", gen_huge);
}

Test(sketch_accuracy, tiny_and_huge_of_both_signs_within_one_percent)
{
	check_distribution("extremes", gen_extremes);
}

/*
 * Values 5 % apart, so an estimate within 1 % of the exact value proves
 * the rank itself is exact, for every two-decimal percentile, whether q
 * arrives as steps / 10000 or as a percentile / 100 (as stats does):
 * 0.07 * 100 is 7.000000000000001 in doubles and must still be rank 7.
 */
Test(sketch_rank, every_two_decimal_percentile_picks_the_exact_rank)
{
	static const size_t ns[] = {1, 2, 3, 7, 10, 100, 1000, 4321};
	size_t ni, i;
	int failures = 0;

	for (ni = 0; ni < sizeof(ns) / sizeof(ns[0]); ni++) {
		size_t n = ns[ni];
		double *v = malloc(n * sizeof(*v));
		struct sketch *s;
		unsigned steps;

		cr_assert_not_null(v);
		for (i = 0; i < n; i++)
			v[i] = pow(1.05, (double)i - 100);
		s = sketch_of(v, n);
		for (steps = 0; steps <= PERCENTILE_STEPS; steps++) {
			double exact = v[exact_rank(steps, n) - 1];
			double q1 = (double)steps / PERCENTILE_STEPS;
			double q2 = ((double)steps / 100) / 100;

			CHECK(failures,
			      within_error(sketch_quantile(s, q1), exact) &&
				  within_error(sketch_quantile(s, q2), exact),
			      "n=%zu steps=%u: wrong rank", n, steps);
		}
		sketch_free(s);
		free(v);
	}
	cr_expect_eq(failures, 0);
}

Test(sketch_rank, q_outside_zero_one_is_clamped_and_nan_gives_nan)
{
	double v[] = {1, 2, 3};
	struct sketch *s = sketch_of(v, 3);

	cr_expect(within_error(sketch_quantile(s, -1), 1));
	cr_expect(within_error(sketch_quantile(s, 7), 3));
	cr_expect(isnan(sketch_quantile(s, NAN)));
	sketch_free(s);
}

Test(sketch_values, empty_sketch_has_no_quantile)
{
	struct sketch *s = sketch_new();

	cr_assert_not_null(s);
	cr_expect_eq(sketch_count(s), 0);
	cr_expect(isnan(sketch_quantile(s, 0.5)));
	sketch_free(s);
}

Test(sketch_values, free_of_null_is_harmless)
{
	sketch_free(NULL);
}

Test(sketch_values, zero_and_negative_zero_are_exactly_zero)
{
	double v[] = {0.0, -0.0, 0.0};
	struct sketch *s = sketch_of(v, 3);
	double q = sketch_quantile(s, 0.5);

	cr_expect_eq(sketch_count(s), 3);
	cr_expect(q == 0 && !signbit(q));
	sketch_free(s);
}

Test(sketch_values, non_finite_values_are_refused_and_change_nothing)
{
	struct sketch *s = sketch_new();

	cr_assert_not_null(s);
	cr_expect_eq(sketch_add(s, NAN), -EINVAL);
	cr_expect_eq(sketch_add(s, INFINITY), -EINVAL);
	cr_expect_eq(sketch_add(s, -INFINITY), -EINVAL);
	cr_expect_eq(sketch_count(s), 0);
	sketch_free(s);
}

Test(sketch_values, extremes_of_the_double_range_are_counted)
{
	double v[] = {-DBL_MAX, -DBL_TRUE_MIN, DBL_TRUE_MIN,
		      1e-310,	DBL_MIN,       1e-300,
		      1,	DBL_MAX};
	struct sketch *s = sketch_of(v, 8);
	double lowest = sketch_quantile(s, 0);
	double highest = sketch_quantile(s, 1);

	cr_expect(within_error(lowest, -DBL_MAX), "lowest %g", lowest);
	cr_expect(within_error(highest, DBL_MAX), "highest %g", highest);
	cr_expect(isfinite(highest));
	cr_expect(sketch_quantile(s, 2.0 / 8) < 0);
	cr_expect(sketch_quantile(s, 3.0 / 8) > 0);
	cr_expect(within_error(sketch_quantile(s, 4.0 / 8), 1e-310));
	cr_expect(within_error(sketch_quantile(s, 5.0 / 8), DBL_MIN));
	cr_expect(within_error(sketch_quantile(s, 6.0 / 8), 1e-300));
	cr_expect(within_error(sketch_quantile(s, 7.0 / 8), 1));
	sketch_free(s);
}

Test(sketch_values, reset_empties_the_sketch_for_reuse)
{
	double v[] = {1, 2, 3, -4, 0};
	struct sketch *s = sketch_of(v, 5);

	sketch_reset(s);
	cr_expect_eq(sketch_count(s), 0);
	cr_expect(isnan(sketch_quantile(s, 0.5)));
	cr_assert_eq(sketch_add(s, 7), 0);
	cr_expect(within_error(sketch_quantile(s, 0), 7));
	sketch_free(s);
}

struct encoding {
	unsigned char *buf;
	size_t len;
};

static struct encoding encode(const struct sketch *s)
{
	struct encoding e;

	cr_assert_eq(sketch_encode(s, &e.buf, &e.len), 0);
	return e;
}

static int same_encoding(const struct sketch *a, const struct sketch *b)
{
	struct encoding ea = encode(a), eb = encode(b);
	int same = ea.len == eb.len && memcmp(ea.buf, eb.buf, ea.len) == 0;

	free(ea.buf);
	free(eb.buf);
	return same;
}

static int encodes_to(const struct sketch *s, const void *buf, size_t len)
{
	struct encoding e = encode(s);
	int same = e.len == len && memcmp(e.buf, buf, len) == 0;

	free(e.buf);
	return same;
}

Test(sketch_merge, merging_parts_equals_one_pass_in_any_order)
{
	size_t n = 20000, cuts[] = {0, 1, 5, 900, 901, 7000, 15000, 20000};
	size_t nparts = sizeof(cuts) / sizeof(cuts[0]) - 1, i;
	double *v = generate(gen_mixed_signs, n, 99);
	struct sketch *whole = sketch_of(v, n);
	struct sketch *forward = sketch_new(), *backward = sketch_new();
	struct sketch *parts[7];

	cr_assert(forward && backward);
	for (i = 0; i < nparts; i++)
		parts[i] = sketch_of(v + cuts[i], cuts[i + 1] - cuts[i]);
	for (i = 0; i < nparts; i++) {
		cr_assert_eq(sketch_merge(forward, parts[i]), 0);
		cr_assert_eq(sketch_merge(backward, parts[nparts - 1 - i]), 0);
	}
	cr_expect_eq(sketch_count(forward), n);
	cr_expect(same_encoding(forward, whole));
	cr_expect(same_encoding(backward, whole));
	for (i = 0; i < nparts; i++)
		sketch_free(parts[i]);
	sketch_free(forward);
	sketch_free(backward);
	sketch_free(whole);
	free(v);
}

Test(sketch_merge, merging_disjoint_ranges_keeps_bins_sorted)
{
	double low[] = {-5, 1, 2, 3}, high[] = {-500, 0, 1e6, 2e6};
	double all[] = {-5, 1, 2, 3, -500, 0, 1e6, 2e6};
	struct sketch *a = sketch_of(low, 4), *b = sketch_of(high, 4);
	struct sketch *whole = sketch_of(all, 8);

	cr_assert_eq(sketch_merge(a, b), 0);
	cr_expect(same_encoding(a, whole));
	sketch_free(a);
	sketch_free(b);
	sketch_free(whole);
}

Test(sketch_merge, merging_a_sketch_into_itself_doubles_every_count)
{
	double v[] = {-3, 0, 1, 1, 10, 1e9}, twice[12];
	struct sketch *s = sketch_of(v, 6), *expected;
	size_t i;

	for (i = 0; i < 12; i++)
		twice[i] = v[i / 2];
	expected = sketch_of(twice, 12);
	cr_assert_eq(sketch_merge(s, s), 0);
	cr_expect(same_encoding(s, expected));
	sketch_free(s);
	sketch_free(expected);
}

Test(sketch_merge, merging_an_empty_sketch_changes_nothing)
{
	double v[] = {1, 2, 3};
	struct sketch *s = sketch_of(v, 3), *copy = sketch_of(v, 3);
	struct sketch *empty = sketch_new();

	cr_assert_eq(sketch_merge(s, empty), 0);
	cr_expect(same_encoding(s, copy));
	cr_assert_eq(sketch_merge(empty, s), 0);
	cr_expect(same_encoding(empty, copy));
	sketch_free(s);
	sketch_free(copy);
	sketch_free(empty);
}

Test(sketch_encoding, empty_sketch_encodes_in_four_bytes)
{
	static const unsigned char expected[] = {1, 0, 0, 0};
	struct sketch *s = sketch_new();

	cr_expect(encodes_to(s, expected, sizeof(expected)));
	sketch_free(s);
}

Test(sketch_encoding, decoding_into_an_empty_sketch_gives_the_same_bytes)
{
	double *v = generate(gen_lognormal, 5000, 7);
	struct sketch *s = sketch_of(v, 5000), *back = sketch_new();
	struct encoding e = encode(s);

	cr_assert_eq(sketch_decode_merge(back, e.buf, e.len), 0);
	cr_expect_eq(sketch_count(back), 5000);
	cr_expect(encodes_to(back, e.buf, e.len));
	cr_expect_eq(sketch_quantile(back, 0.99), sketch_quantile(s, 0.99));
	free(e.buf);
	sketch_free(s);
	sketch_free(back);
	free(v);
}

Test(sketch_encoding, decoding_into_a_full_sketch_merges)
{
	double *v = generate(gen_mixed_signs, 3000, 8);
	struct sketch *a = sketch_of(v, 1000), *b = sketch_of(v + 1000, 2000);
	struct sketch *whole = sketch_of(v, 3000);
	struct encoding e = encode(b);

	cr_assert_eq(sketch_decode_merge(a, e.buf, e.len), 0);
	cr_expect(same_encoding(a, whole));
	free(e.buf);
	sketch_free(a);
	sketch_free(b);
	sketch_free(whole);
	free(v);
}

Test(sketch_encoding, typical_sketch_encodes_in_a_few_hundred_bytes)
{
	uint64_t seed = 3;
	struct sketch *s = sketch_new();
	struct encoding e;
	int i;

	cr_assert_not_null(s);
	for (i = 0; i < 1000; i++)
		cr_assert_eq(sketch_add(s, 10 + 90 * uniform01(&seed)), 0);
	e = encode(s);
	cr_log_info("1000 values in [10, 100): %zu bytes", e.len);
	cr_expect_lt(e.len, 300);
	free(e.buf);
	sketch_free(s);
}

/* A sketch holding a few values, and its encoding to compare against. */
static struct sketch *bystander(struct encoding *before)
{
	double v[] = {-2, 0, 3, 3, 1e10};
	struct sketch *s = sketch_of(v, 5);

	*before = encode(s);
	return s;
}

/*
 * Whatever bytes come in: 0 or -EINVAL, s untouched on -EINVAL, and an
 * accepted blob is canonical (a fresh sketch encodes back to it).
 */
static int check_decode(const unsigned char *buf, size_t len)
{
	struct encoding before;
	struct sketch *s = bystander(&before), *fresh = sketch_new();
	int rc = sketch_decode_merge(s, buf, len), ok;

	cr_assert_not_null(fresh);
	if (rc == -EINVAL) {
		ok = encodes_to(s, before.buf, before.len);
	} else {
		ok = rc == 0 && sketch_decode_merge(fresh, buf, len) == 0 &&
		     encodes_to(fresh, buf, len) &&
		     sketch_count(s) == 5 + sketch_count(fresh);
	}
	cr_expect(ok, "decode of %zu bytes: rc %d, wrong outcome", len, rc);
	free(before.buf);
	sketch_free(s);
	sketch_free(fresh);
	return rc;
}

Test(sketch_decoding, every_truncation_of_a_valid_encoding_is_refused)
{
	double *v = generate(gen_mixed_signs, 300, 11);
	struct sketch *s = sketch_of(v, 300);
	struct encoding e = encode(s);
	size_t len;

	for (len = 0; len < e.len; len++) {
		/* A copy of exactly len bytes, so ASan sees any overread. */
		unsigned char *cut = malloc(len ? len : 1);

		cr_assert_not_null(cut);
		memcpy(cut, e.buf, len);
		cr_expect_eq(check_decode(cut, len), -EINVAL, "prefix %zu",
			     len);
		free(cut);
	}
	cr_expect_eq(check_decode(e.buf, e.len), 0);
	free(e.buf);
	sketch_free(s);
	free(v);
}

Test(sketch_decoding, every_single_bit_flip_is_refused_or_canonical)
{
	double *v = generate(gen_lognormal, 200, 12);
	struct sketch *s = sketch_of(v, 200);
	struct encoding e = encode(s);
	size_t i;
	int bit;

	for (i = 0; i < e.len; i++) {
		for (bit = 0; bit < 8; bit++) {
			e.buf[i] ^= (unsigned char)(1 << bit);
			check_decode(e.buf, e.len);
			e.buf[i] ^= (unsigned char)(1 << bit);
		}
	}
	free(e.buf);
	sketch_free(s);
	free(v);
}

/*
 * Random bytes, half of them behind a valid version byte and mostly
 * small, so that some blobs get deep into the decoder and some pass.
 */
Test(sketch_decoding, random_garbage_is_refused_or_canonical)
{
	uint64_t seed = 42;
	int round, accepted = 0;

	for (round = 0; round < 50000; round++) {
		size_t len = next_random(&seed) % 24, i;
		unsigned char *buf = malloc(len ? len : 1);
		int small = round % 2;

		cr_assert_not_null(buf);
		for (i = 0; i < len; i++) {
			uint64_t r = next_random(&seed);

			buf[i] = (unsigned char)(small ? r % 5 : r);
		}
		if (len && round % 4 < 2)
			buf[0] = 1;
		accepted += check_decode(buf, len) == 0;
		free(buf);
	}
	cr_log_info("%d of 50000 random blobs decoded", accepted);
	cr_expect_gt(accepted, 0);
}

/* A blob builder for hand-made malformed encodings. */
struct blob {
	unsigned char buf[64];
	size_t len;
};

static void put_byte(struct blob *b, unsigned char c)
{
	cr_assert_lt(b->len, sizeof(b->buf));
	b->buf[b->len++] = c;
}

static void put_varint(struct blob *b, uint64_t v)
{
	while (v >= 0x80) {
		put_byte(b, (unsigned char)(v | 0x80));
		v >>= 7;
	}
	put_byte(b, (unsigned char)v);
}

static void put_zigzag(struct blob *b, int64_t v)
{
	put_varint(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

/* Version, zero count, no negative bins, and one positive bin. */
static struct blob one_positive_bin(int64_t index, uint64_t count)
{
	struct blob b = {.len = 0};

	put_byte(&b, 1);
	put_varint(&b, 0);
	put_varint(&b, 0);
	put_varint(&b, 1);
	put_zigzag(&b, index);
	put_varint(&b, count);
	return b;
}

static void expect_refused(const struct blob *b, const char *why)
{
	cr_expect_eq(check_decode(b->buf, b->len), -EINVAL, "%s", why);
}

Test(sketch_decoding, malformed_headers_are_refused)
{
	struct blob b = one_positive_bin(5, 1);

	cr_expect_eq(check_decode(b.buf, b.len), 0);
	b.buf[0] = 2;
	expect_refused(&b, "unknown version");
	b.buf[0] = 0;
	expect_refused(&b, "version 0");
	b = one_positive_bin(5, 1);
	put_byte(&b, 0);
	expect_refused(&b, "trailing byte");
}

Test(sketch_decoding, malformed_varints_are_refused)
{
	struct blob b = {.len = 0};
	int i;

	put_byte(&b, 1);
	for (i = 0; i < 10; i++)
		put_byte(&b, 0x80);
	put_byte(&b, 0x01);
	put_varint(&b, 0);
	put_varint(&b, 0);
	expect_refused(&b, "eleven-byte varint");

	b.len = 1;
	for (i = 0; i < 9; i++)
		put_byte(&b, 0xff);
	put_byte(&b, 0x02);
	put_varint(&b, 0);
	put_varint(&b, 0);
	expect_refused(&b, "varint above 2^64");

	b.len = 1;
	put_byte(&b, 0x80);
	put_byte(&b, 0x00);
	put_varint(&b, 0);
	put_varint(&b, 0);
	expect_refused(&b, "non-minimal varint");

	b.len = 1;
	for (i = 0; i < 9; i++)
		put_byte(&b, 0xff);
	put_byte(&b, 0x01);
	put_varint(&b, 0);
	put_varint(&b, 0);
	cr_expect_eq(check_decode(b.buf, b.len), -EINVAL,
		     "2^64 - 1 zeros overflow the bystander's count");
	{
		struct sketch *s = sketch_new();

		cr_expect_eq(sketch_decode_merge(s, b.buf, b.len), 0,
			     "2^64 - 1 zeros fit an empty sketch");
		cr_expect_eq(sketch_count(s), UINT64_MAX);
		sketch_free(s);
	}
}

Test(sketch_decoding, malformed_bins_are_refused)
{
	struct blob b;

	b = one_positive_bin(5, 0);
	expect_refused(&b, "bin with count 0");
	b = one_positive_bin(35848, 1);
	expect_refused(&b, "index above DBL_MAX's bin");
	b = one_positive_bin(-37597, 1);
	expect_refused(&b, "index below DBL_TRUE_MIN's bin");
	b = one_positive_bin(INT64_MAX / 2, 1);
	expect_refused(&b, "index far out of range");
	b = one_positive_bin(INT64_MIN / 2, 1);
	expect_refused(&b, "index far out of range, negative");

	b = one_positive_bin(5, 1);
	b.buf[3] = 2; /* claims two bins, holds one */
	expect_refused(&b, "missing bin");
	b.buf[3] = 0x7f;
	expect_refused(&b, "bin count far beyond the blob");

	b = one_positive_bin(5, 1);
	b.buf[3] = 2;
	put_zigzag(&b, 0);
	put_varint(&b, 1);
	expect_refused(&b, "repeated index");

	b = one_positive_bin(5, 1);
	b.buf[3] = 2;
	put_zigzag(&b, -1);
	put_varint(&b, 1);
	expect_refused(&b, "decreasing index");

	b = one_positive_bin(5, UINT64_MAX);
	b.buf[3] = 2;
	put_zigzag(&b, 1);
	put_varint(&b, 1);
	expect_refused(&b, "counts summing past 2^64");
}

Test(sketch_decoding, extreme_valid_bins_are_accepted)
{
	struct blob b = one_positive_bin(35847, 1);

	cr_expect_eq(check_decode(b.buf, b.len), 0);
	b = one_positive_bin(-37596, 1);
	cr_expect_eq(check_decode(b.buf, b.len), 0);
}
