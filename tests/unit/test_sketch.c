/*
 * Unit tests for lib/sketch.c: percentiles exact up to SKETCH_EXACT_MAX
 * values and within 1 % of the exact nearest-rank value beyond, merges
 * that equal one pass, and encodings (both versions) that survive any
 * damage without crashing.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sketch.h"

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
			double est = sketch_quantile(
				s, (double)steps / PERCENTILE_STEPS);

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
				      within_error(sketch_quantile(s, q2),
						   exact),
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

/* Each of the four values 20 times: 80, past the exact limit. */
static struct sketch *sketch_of_repeated(const double *v4)
{
	double v[80];
	size_t i;

	for (i = 0; i < 80; i++)
		v[i] = v4[i % 4];
	return sketch_of(v, 80);
}

Test(sketch_merge, merging_disjoint_ranges_keeps_bins_sorted)
{
	double low[] = {-5, 1, 2, 3}, high[] = {-500, 0, 1e6, 2e6};
	double all[160];
	struct sketch *a = sketch_of_repeated(low);
	struct sketch *b = sketch_of_repeated(high), *whole;
	size_t i;

	for (i = 0; i < 160; i++)
		all[i] = i < 80 ? low[i % 4] : high[i % 4];
	whole = sketch_of(all, 160);
	cr_assert_eq(sketch_merge(a, b), 0);
	cr_expect(same_encoding(a, whole));
	cr_expect(within_error(sketch_quantile(a, 0), -500));
	cr_expect(within_error(sketch_quantile(a, 1), 2e6));
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

/* The first byte of s's encoding: 1 for bins, 2 for exact values. */
static int version_of(const struct sketch *s)
{
	struct encoding e = encode(s);
	int version = e.len ? e.buf[0] : -1;

	free(e.buf);
	return version;
}

static void check_truncations(double (*gen)(uint64_t *), size_t n,
			      uint64_t seed, int version)
{
	double *v = generate(gen, n, seed);
	struct sketch *s = sketch_of(v, n);
	struct encoding e = encode(s);
	size_t len;

	cr_assert_eq(e.buf[0], version);
	for (len = 0; len < e.len; len++) {
		/* A copy of exactly len bytes, so ASan sees any overread. */
		unsigned char *cut = malloc(len ? len : 1);

		cr_assert_not_null(cut);
		memcpy(cut, e.buf, len);
		cr_expect_eq(check_decode(cut, len), -EINVAL,
			     "version %d, prefix %zu", version, len);
		free(cut);
	}
	cr_expect_eq(check_decode(e.buf, e.len), 0);
	free(e.buf);
	sketch_free(s);
	free(v);
}

static void check_bit_flips(double (*gen)(uint64_t *), size_t n, uint64_t seed,
			    int version)
{
	double *v = generate(gen, n, seed);
	struct sketch *s = sketch_of(v, n);
	struct encoding e = encode(s);
	size_t i;
	int bit;

	cr_assert_eq(e.buf[0], version);
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

Test(sketch_decoding, every_truncation_of_a_valid_encoding_is_refused)
{
	check_truncations(gen_mixed_signs, 300, 11, 1);
	check_truncations(gen_mixed_signs, 40, 11, 2);
	check_truncations(gen_extremes, SKETCH_EXACT_MAX, 13, 2);
	check_truncations(gen_all_equal, 1, 0, 2);
}

Test(sketch_decoding, every_single_bit_flip_is_refused_or_canonical)
{
	check_bit_flips(gen_lognormal, 200, 12, 1);
	check_bit_flips(gen_mixed_signs, 30, 12, 2);
	check_bit_flips(gen_extremes, SKETCH_EXACT_MAX, 14, 2);
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
	unsigned char buf[1024];
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
	b.buf[0] = 3;
	expect_refused(&b, "unknown version 3");
	b.buf[0] = 0xff;
	expect_refused(&b, "unknown version 255");
	b.buf[0] = 0;
	expect_refused(&b, "version 0");
	b.buf[0] = 2;
	expect_refused(&b, "bins behind the exact version byte");
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

/*
 * Exact mode: up to SKETCH_EXACT_MAX values, quantiles are the values
 * themselves; one more, by add or merge, and the sketch is binned.
 */

/* Quantile q of s is exactly v[exact rank - 1] for sorted v. */
static int quantile_is(const struct sketch *s, unsigned steps,
		       const double *sorted, size_t n)
{
	double exact = sorted[exact_rank(steps, n) - 1];
	double q1 = (double)steps / PERCENTILE_STEPS;
	double q2 = ((double)steps / 100) / 100; /* as stats asks */
	double e1 = sketch_quantile(s, q1), e2 = sketch_quantile(s, q2);

	/* Bitwise, so that -0 for 0 would fail too. */
	return memcmp(&e1, &exact, sizeof(exact)) == 0 &&
	       memcmp(&e2, &exact, sizeof(exact)) == 0;
}

/* Every two-decimal percentile within 1 % of the exact one. */
static int all_within_error(const struct sketch *s, const double *sorted,
			    size_t n)
{
	unsigned steps;

	for (steps = 0; steps <= PERCENTILE_STEPS; steps++)
		if (!within_error(sketch_quantile(s, (double)steps /
							     PERCENTILE_STEPS),
				  sorted[exact_rank(steps, n) - 1]))
			return 0;
	return 1;
}

static double *sorted_copy(const double *v, size_t n)
{
	double *c = malloc((n ? n : 1) * sizeof(*c));
	size_t i;

	cr_assert_not_null(c);
	memcpy(c, v, n * sizeof(*c));
	qsort(c, n, sizeof(*c), compare_doubles);
	/* The sketch keeps -0 as 0. */
	for (i = 0; i < n; i++)
		if (c[i] == 0)
			c[i] = 0;
	return c;
}

Test(sketch_exact, the_spec_example_gives_40_70_70)
{
	double v[] = {10, 70, 40};
	struct sketch *s = sketch_of(v, 3);

	cr_expect_eq(sketch_quantile(s, 0.5), 40);
	cr_expect_eq(sketch_quantile(s, 0.9), 70);
	cr_expect_eq(sketch_quantile(s, 0.99), 70);
	cr_expect_eq(sketch_quantile(s, 0), 10);
	cr_expect_eq(sketch_quantile(s, 1.0 / 3), 10);
	cr_expect_eq(sketch_quantile(s, 0.34), 40);
	cr_expect_eq(sketch_quantile(s, 1), 70);
	cr_expect_eq(version_of(s), 2);
	sketch_free(s);
}

Test(sketch_exact, one_to_64_values_every_two_decimal_percentile_is_exact)
{
	double (*const gens[])(uint64_t *) = {gen_mixed_signs, gen_uniform,
					      gen_extremes, gen_all_equal};
	size_t gi, n;
	int failures = 0;

	cr_assert_eq(SKETCH_EXACT_MAX, 64);
	for (gi = 0; gi < sizeof(gens) / sizeof(gens[0]); gi++) {
		for (n = 1; n <= SKETCH_EXACT_MAX; n++) {
			double *v = generate(gens[gi], n, 77 + n);
			struct sketch *s = sketch_of(v, n);
			double *sorted = sorted_copy(v, n);
			unsigned steps;

			CHECK(failures, version_of(s) == 2,
			      "gen %zu n=%zu: "
			      "not exact",
			      gi, n);
			for (steps = 0; steps <= PERCENTILE_STEPS; steps++)
				CHECK(failures,
				      quantile_is(s, steps, sorted, n),
				      "gen %zu n=%zu steps=%u: %.17g, "
				      "exact %.17g",
				      gi, n, steps,
				      sketch_quantile(s,
						      (double)steps /
							      PERCENTILE_STEPS),
				      sorted[exact_rank(steps, n) - 1]);
			free(sorted);
			sketch_free(s);
			free(v);
		}
	}
	cr_expect_eq(failures, 0);
}

Test(sketch_exact, the_65th_add_bins_every_value_for_good)
{
	double *v = generate(gen_mixed_signs, 200, 5), *sorted;
	struct sketch *s = sketch_new(), *low, *high;
	size_t i;

	cr_assert_not_null(s);
	for (i = 0; i < SKETCH_EXACT_MAX; i++)
		cr_assert_eq(sketch_add(s, v[i]), 0);
	sorted = sorted_copy(v, SKETCH_EXACT_MAX);
	cr_expect_eq(version_of(s), 2);
	cr_expect(quantile_is(s, 5000, sorted, SKETCH_EXACT_MAX));
	free(sorted);

	cr_assert_eq(sketch_add(s, v[SKETCH_EXACT_MAX]), 0);
	cr_expect_eq(sketch_count(s), SKETCH_EXACT_MAX + 1);
	cr_expect_eq(version_of(s), 1);
	sorted = sorted_copy(v, SKETCH_EXACT_MAX + 1);
	cr_expect(all_within_error(s, sorted, SKETCH_EXACT_MAX + 1));
	free(sorted);
	/* The same bins as two exact halves merged past the limit. */
	low = sketch_of(v, 33);
	high = sketch_of(v + 33, SKETCH_EXACT_MAX + 1 - 33);
	cr_assert_eq(sketch_merge(low, high), 0);
	cr_expect(same_encoding(s, low));

	for (i = SKETCH_EXACT_MAX + 1; i < 200; i++)
		cr_assert_eq(sketch_add(s, v[i]), 0);
	cr_expect_eq(version_of(s), 1);
	sorted = sorted_copy(v, 200);
	cr_expect(all_within_error(s, sorted, 200));
	free(sorted);

	/* Reset makes it exact again. */
	sketch_reset(s);
	cr_assert_eq(sketch_add(s, 70), 0);
	cr_assert_eq(sketch_add(s, 10), 0);
	cr_assert_eq(sketch_add(s, 40), 0);
	cr_expect_eq(version_of(s), 2);
	cr_expect_eq(sketch_quantile(s, 0.5), 40);
	sketch_free(s);
	sketch_free(low);
	sketch_free(high);
	free(v);
}

/* merge(a, b) of a values and b values against one pass over a + b. */
static void check_merge_at(size_t na, size_t nb, int version)
{
	double *v = generate(gen_mixed_signs, na + nb, 31 * na + nb);
	double *sorted = sorted_copy(v, na + nb);
	struct sketch *a = sketch_of(v, na), *b = sketch_of(v + na, nb);
	struct sketch *whole = sketch_of(v, na + nb);

	cr_assert_eq(sketch_merge(a, b), 0);
	cr_expect_eq(sketch_count(a), na + nb);
	cr_expect_eq(version_of(a), version, "%zu + %zu", na, nb);
	cr_expect(same_encoding(a, whole), "%zu + %zu", na, nb);
	if (version == 2)
		cr_expect(quantile_is(a, 9000, sorted, na + nb));
	else
		cr_expect(all_within_error(a, sorted, na + nb));
	sketch_free(a);
	sketch_free(b);
	sketch_free(whole);
	free(sorted);
	free(v);
}

Test(sketch_exact, merges_stay_exact_up_to_64_values_and_bin_past_it)
{
	check_merge_at(32, 32, 2);
	check_merge_at(63, 1, 2);
	check_merge_at(1, 63, 2);
	check_merge_at(0, 64, 2);
	check_merge_at(64, 0, 2);
	check_merge_at(32, 33, 1);
	check_merge_at(64, 1, 1);
	check_merge_at(1, 64, 1);
	check_merge_at(64, 64, 1);
	check_merge_at(100, 1, 1); /* binned + exact */
	check_merge_at(1, 100, 1); /* exact + binned */
	check_merge_at(0, 100, 1); /* empty + binned */
	check_merge_at(100, 0, 1); /* binned + empty */
	check_merge_at(100, 100, 1);
}

Test(sketch_exact, merging_into_itself_stays_exact_while_it_fits)
{
	double v[33], twice[66];
	struct sketch *s, *expected;
	size_t i;

	for (i = 0; i < 33; i++)
		v[i] = 100 - 3.5 * (double)i;
	for (i = 0; i < 66; i++)
		twice[i] = v[i / 2];

	s = sketch_of(v, 32);
	expected = sketch_of(twice, 64);
	cr_assert_eq(sketch_merge(s, s), 0);
	cr_expect_eq(version_of(s), 2);
	cr_expect(same_encoding(s, expected));
	sketch_free(s);
	sketch_free(expected);

	s = sketch_of(v, 33);
	expected = sketch_of(twice, 66);
	cr_assert_eq(sketch_merge(s, s), 0);
	cr_expect_eq(version_of(s), 1);
	cr_expect(same_encoding(s, expected));
	sketch_free(s);
	sketch_free(expected);
}

/*
 * Rollups merge in any grouping, through encodings: merge(a, merge(b, c)),
 * merge(merge(a, b), c) and decoded parts all encode exactly as one pass,
 * whichever side of the limit the parts and the whole fall.
 */
Test(sketch_exact, merges_in_any_grouping_equal_one_pass)
{
	static const size_t ns[] = {3, 40, 64, 65, 66, 130, 1000};
	uint64_t seed = 2024;
	size_t ni;
	int round, failures = 0;

	for (ni = 0; ni < sizeof(ns) / sizeof(ns[0]); ni++) {
		size_t n = ns[ni];
		double *v = generate(gen_mixed_signs, n, n);
		double *sorted = sorted_copy(v, n);
		struct sketch *whole = sketch_of(v, n);

		for (round = 0; round < 20; round++) {
			size_t c1 = next_random(&seed) % (n + 1);
			size_t c2 = c1 + next_random(&seed) % (n - c1 + 1);
			struct sketch *a = sketch_of(v, c1);
			struct sketch *b = sketch_of(v + c1, c2 - c1);
			struct sketch *c = sketch_of(v + c2, n - c2);
			struct sketch *ab = sketch_of(v, c1);
			struct sketch *bc = sketch_of(v + c1, c2 - c1);
			struct sketch *dec = sketch_new();
			struct sketch *fresh_a = sketch_of(v, c1);
			struct sketch *parts[3] = {fresh_a, b, c};
			int p;

			cr_assert_not_null(dec);
			/* merge(a, merge(b, c)) */
			cr_assert_eq(sketch_merge(bc, c), 0);
			cr_assert_eq(sketch_merge(a, bc), 0);
			/* merge(merge(a, b), c) */
			cr_assert_eq(sketch_merge(ab, b), 0);
			cr_assert_eq(sketch_merge(ab, c), 0);
			/* c, b, then a decoded into one sketch, as rollups */
			for (p = 2; p >= 0; p--) {
				struct encoding e = encode(parts[p]);

				cr_assert_eq(
					sketch_decode_merge(dec, e.buf, e.len),
					0);
				free(e.buf);
			}
			CHECK(failures,
			      same_encoding(a, whole) &&
				      same_encoding(ab, whole) &&
				      same_encoding(dec, whole),
			      "n=%zu cuts %zu %zu: not one pass", n, c1, c2);
			CHECK(failures,
			      n <= SKETCH_EXACT_MAX
				      ? quantile_is(a, 5000, sorted, n) &&
						quantile_is(a, 9900, sorted, n)
				      : all_within_error(a, sorted, n),
			      "n=%zu cuts %zu %zu: wrong answers", n, c1, c2);
			sketch_free(a);
			sketch_free(b);
			sketch_free(c);
			sketch_free(ab);
			sketch_free(bc);
			sketch_free(dec);
			sketch_free(fresh_a);
		}
		sketch_free(whole);
		free(sorted);
		free(v);
	}
	cr_expect_eq(failures, 0);
}

static void put_double(struct blob *b, double v)
{
	uint64_t bits;
	int i;

	memcpy(&bits, &v, sizeof(bits));
	for (i = 0; i < 8; i++) {
		put_byte(b, (unsigned char)bits);
		bits >>= 8;
	}
}

/* A version 2 blob: the count, then the values as they are given. */
static struct blob exact_blob(const double *v, size_t n)
{
	struct blob b = {.len = 0};
	size_t i;

	put_byte(&b, 2);
	put_varint(&b, n);
	for (i = 0; i < n; i++)
		put_double(&b, v[i]);
	return b;
}

/*
 * A version 1 blob of positive values, one per bin, as the sketch wrote
 * them before exact mode: bin ceil(ln x / ln gamma), 1 / ln gamma being
 * sketch.c's INV_LOG_GAMMA.
 */
static struct blob legacy_blob(const double *sorted, size_t n)
{
	struct blob b = {.len = 0};
	int64_t prev = 0;
	size_t i;

	put_byte(&b, 1);
	put_varint(&b, 0);
	put_varint(&b, 0);
	put_varint(&b, n);
	for (i = 0; i < n; i++) {
		int64_t index =
			(int64_t)ceil(log(sorted[i]) * 50.50340046192389);

		put_zigzag(&b, index - prev);
		put_varint(&b, 1);
		prev = index;
	}
	return b;
}

Test(sketch_encoding, three_values_encode_in_26_bytes_as_they_are)
{
	static const unsigned char expected[] = {
		2, 3, 0, 0, 0, 0,    0,	   0,	 0x24, 0x40, /* 10 */
		0, 0, 0, 0, 0, 0,    0x44, 0x40,	     /* 40 */
		0, 0, 0, 0, 0, 0x80, 0x51, 0x40,	     /* 70 */
	};
	double v[] = {70, 10, 40};
	struct sketch *s = sketch_of(v, 3);
	struct blob b = exact_blob((const double[]){10, 40, 70}, 3);

	cr_expect(encodes_to(s, expected, sizeof(expected)));
	cr_expect(encodes_to(s, b.buf, b.len));
	cr_log_info("3 values: %zu bytes", sizeof(expected));
	sketch_free(s);
}

Test(sketch_encoding, a_full_exact_sketch_encodes_in_514_bytes)
{
	double *v = generate(gen_uniform, SKETCH_EXACT_MAX, 1);
	struct sketch *s = sketch_of(v, SKETCH_EXACT_MAX);
	struct encoding e = encode(s);

	cr_expect_eq(e.len, 2 + 8 * SKETCH_EXACT_MAX);
	free(e.buf);
	sketch_free(s);
	free(v);
}

Test(sketch_decoding, version_2_decodes_to_the_exact_values)
{
	double v[] = {10, 40, 70};
	struct blob b = exact_blob(v, 3);
	struct sketch *s = sketch_new();

	cr_assert_not_null(s);
	cr_expect_eq(check_decode(b.buf, b.len), 0);
	cr_assert_eq(sketch_decode_merge(s, b.buf, b.len), 0);
	cr_expect_eq(sketch_count(s), 3);
	cr_expect_eq(sketch_quantile(s, 0.5), 40);
	cr_expect_eq(sketch_quantile(s, 0.9), 70);
	cr_expect_eq(sketch_quantile(s, 0.99), 70);
	cr_expect(encodes_to(s, b.buf, b.len));
	/* Into itself again: 6 values, still exact. */
	cr_assert_eq(sketch_decode_merge(s, b.buf, b.len), 0);
	cr_expect_eq(version_of(s), 2);
	cr_expect_eq(sketch_quantile(s, 0.5), 40);
	sketch_free(s);
}

/* Rows written before exact mode: binned, within 1 %, and they stay so. */
Test(sketch_decoding, version_1_of_few_values_decodes_binned)
{
	double v[] = {10, 40, 70};
	struct blob legacy = legacy_blob(v, 3);
	struct blob exact = exact_blob((const double[]){20}, 1);
	struct sketch *s = sketch_new(), *t = sketch_new();
	double p50;

	cr_assert(s && t);
	cr_expect_eq(check_decode(legacy.buf, legacy.len), 0);
	cr_assert_eq(sketch_decode_merge(s, legacy.buf, legacy.len), 0);
	cr_expect_eq(sketch_count(s), 3);
	p50 = sketch_quantile(s, 0.5);
	cr_expect(within_error(p50, 40) && p50 != 40, "p50 %.17g", p50);
	cr_expect(within_error(sketch_quantile(s, 0.99), 70));
	cr_expect(encodes_to(s, legacy.buf, legacy.len));

	/* Merging exact values into it gives bins... */
	cr_assert_eq(sketch_decode_merge(s, exact.buf, exact.len), 0);
	cr_expect_eq(version_of(s), 1);
	cr_expect_eq(sketch_count(s), 4);
	cr_expect(within_error(sketch_quantile(s, 0.25), 10));
	cr_expect(within_error(sketch_quantile(s, 0.5), 20));

	/* ... and so does merging it into an exact sketch. */
	cr_assert_eq(sketch_add(t, 20), 0);
	cr_assert_eq(sketch_decode_merge(t, legacy.buf, legacy.len), 0);
	cr_expect(same_encoding(s, t));
	sketch_free(s);
	sketch_free(t);
}

Test(sketch_decoding, empty_version_1_leaves_an_exact_sketch_exact)
{
	static const unsigned char empty[] = {1, 0, 0, 0};
	double v[] = {10, 70, 40};
	struct sketch *s = sketch_of(v, 3);

	cr_expect_eq(check_decode(empty, sizeof(empty)), 0);
	cr_assert_eq(sketch_decode_merge(s, empty, sizeof(empty)), 0);
	cr_expect_eq(version_of(s), 2);
	cr_expect_eq(sketch_quantile(s, 0.5), 40);
	sketch_free(s);
}

Test(sketch_decoding, version_2_at_the_limits_is_accepted)
{
	double v[SKETCH_EXACT_MAX];
	struct blob b;
	size_t i;

	for (i = 0; i < SKETCH_EXACT_MAX; i++)
		v[i] = (double)i - 10;
	b = exact_blob(v, SKETCH_EXACT_MAX);
	cr_expect_eq(check_decode(b.buf, b.len), 0, "64 values");
	b = exact_blob((const double[]){-DBL_MAX, -DBL_TRUE_MIN, 0,
					DBL_TRUE_MIN, DBL_MAX},
		       5);
	cr_expect_eq(check_decode(b.buf, b.len), 0, "extremes");
	b = exact_blob((const double[]){3, 3, 3}, 3);
	cr_expect_eq(check_decode(b.buf, b.len), 0, "equal values");
}

Test(sketch_decoding, malformed_version_2_is_refused)
{
	double v[SKETCH_EXACT_MAX + 1];
	struct blob b;
	size_t i;

	for (i = 0; i <= SKETCH_EXACT_MAX; i++)
		v[i] = (double)i;
	b = exact_blob(v, SKETCH_EXACT_MAX + 1);
	expect_refused(&b, "65 values");
	b = exact_blob(v, 0);
	expect_refused(&b, "no values (the empty sketch is version 1)");
	b = exact_blob((const double[]){1, NAN}, 2);
	expect_refused(&b, "NaN");
	b = exact_blob((const double[]){1, INFINITY}, 2);
	expect_refused(&b, "infinity");
	b = exact_blob((const double[]){-INFINITY, 1}, 2);
	expect_refused(&b, "-infinity");
	b = exact_blob((const double[]){-0.0, 1}, 2);
	expect_refused(&b, "-0 (0 is stored as +0)");
	b = exact_blob((const double[]){1, 3, 2}, 3);
	expect_refused(&b, "unsorted");
	b = exact_blob((const double[]){1, -1}, 2);
	expect_refused(&b, "unsorted across zero");

	b = exact_blob(v, 3);
	put_byte(&b, 0);
	expect_refused(&b, "trailing byte");
	b = exact_blob(v, 3);
	b.len--;
	expect_refused(&b, "missing byte");
	b = exact_blob(v, 3);
	b.buf[1] = 4;
	expect_refused(&b, "count above the values held");
	b.buf[1] = 2;
	expect_refused(&b, "count below the values held");

	b.len = 0;
	put_byte(&b, 2);
	put_byte(&b, 0x83); /* 3, in two bytes */
	put_byte(&b, 0x00);
	for (i = 0; i < 3; i++)
		put_double(&b, v[i]);
	expect_refused(&b, "non-minimal count");

	b.len = 0;
	put_byte(&b, 2);
	put_varint(&b, UINT64_MAX / 8 + 2); /* times 8 wraps to 8 */
	put_double(&b, 1);
	expect_refused(&b, "count whose byte size wraps");

	b.len = 0;
	put_byte(&b, 2);
	expect_refused(&b, "version byte alone");
}

/*
 * Version 2 blobs from a small palette of values (the bad ones among
 * them), sorted or not, with a count and length that are sometimes off:
 * each refused cleanly or accepted and canonical.
 */
Test(sketch_decoding, random_version_2_blobs_are_refused_or_canonical)
{
	/* The valid values first, then those that are not. */
	static const double palette[] = {-1e300, -2,	0,    1e-310, 0.5,
					 3,	 1e300, -0.0, NAN,    INFINITY};
	uint64_t seed = 43;
	int round, accepted = 0;

	for (round = 0; round < 20000; round++) {
		size_t n = next_random(&seed) % (SKETCH_EXACT_MAX + 3), i;
		size_t used = round % 3 == 0 ? 10 : 7; /* of the palette */
		double v[SKETCH_EXACT_MAX + 3];
		struct blob b;

		for (i = 0; i < n; i++)
			v[i] = palette[next_random(&seed) % used];
		if (round % 2)
			qsort(v, n, sizeof(v[0]), compare_doubles);
		b = exact_blob(v, n);
		switch (next_random(&seed) % 8) {
		case 0:
			b.buf[1] = (unsigned char)(next_random(&seed) % 70);
			break;
		case 1:
			b.len -= next_random(&seed) % b.len;
			break;
		case 2:
			put_byte(&b, (unsigned char)next_random(&seed));
			break;
		}
		accepted += check_decode(b.buf, b.len) == 0;
	}
	cr_log_info("%d of 20000 version 2 blobs decoded", accepted);
	cr_expect_gt(accepted, 1000);
}
