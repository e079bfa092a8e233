/*
 * sketch: the mergeable quantile sketch behind every percentile monfs
 * prints (DDSketch, Masson, Rim, Lee, VLDB 2019).
 *
 * A value x > 0 counts in bin i = ceil(log(x) / log(gamma)), the bin that
 * covers (gamma^(i-1), gamma^i]; its representative 2 gamma^i / (gamma+1)
 * is within a = 0.0099 of every value in it, so floating rounding cannot
 * push the error past the SPEC's 1 %. (Below about 2.5e-320 subnormals
 * are too sparse for any estimate to be that close.) Negative values count
 * in a mirrored store by |x|, exact zero (and -0) in its own counter.
 *
 * Exact mode. Bins answer 40.155990819253454 where the SPEC's own example
 * (10, 70, 40) says p50 40: within 1 %, but it looks broken, and sparse
 * metrics are mostly small buckets. So a sketch starts exact: up to
 * SKETCH_EXACT_MAX values are kept themselves, sorted, and a quantile is
 * the exact nearest-rank value. The add or merge that would take it past
 * the limit bins every kept value (with the very bin_index() a binned add
 * uses) and the sketch stays binned until sketch_reset(). Merging two exact
 * sketches whose total fits stays exact; any other merge gives bins.
 *
 * A sketch fed only by adds, merges and exact (version 2) encodings is
 * therefore binned exactly when it holds more than SKETCH_EXACT_MAX values,
 * and each value lands in the same bin whichever way it came: its state,
 * and its encoding, depend only on the multiset of its values, so merges
 * in any order or grouping are bit for bit one pass. The one exception is
 * a version 1 encoding of at most SKETCH_EXACT_MAX values (rows written
 * before exact mode): it decodes binned, its values being gone, and makes
 * its merge binned; its answers are still within the relative error.
 *
 * Invariants, exact mode (!binned): values holds count values (count <=
 * SKETCH_EXACT_MAX), finite, sorted, no -0 (stored as +0); both stores are
 * empty and zero is 0. Binned mode: count >= 1; each store holds only
 * occupied bins (count >= 1), strictly increasing by index, every index
 * within [MIN_INDEX, MAX_INDEX] (the bins of DBL_TRUE_MIN and DBL_MAX);
 * count is the sum of all bins and the zero counter; values is NULL. Bin
 * indexes are part of the stored format (sketch_impl.h); the encodings
 * are sketch_codec.c's.
 */
#include <assert.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sketch.h"
#include "lib/sketch_impl.h"

/* log(gamma), 1 / log(gamma) and log(1 - a) for a = 0.0099. */
#define LOG_GAMMA 0.019800646904042266
#define INV_LOG_GAMMA 50.50340046192389
#define LOG_ONE_MINUS_A -0.009949330853668082

/*
 * How far above an integer q * n may land and still mean that integer:
 * q carries up to one rounding (it is usually a decimal like 0.07 or
 * 0.999), the product another, n one more when above 2^53. Four ulps
 * cover them. A two-decimal percentile puts q * n at least 1e-4 from the
 * next integer up to n = 1e11, far beyond this tolerance.
 */
#define RANK_TOLERANCE (4 * DBL_EPSILON)

/*
 * Counts saturate instead of wrapping: 2^64 values is beyond any real
 * metric, and a saturated count keeps the quantile walk monotonic.
 */
static uint64_t add_saturating(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/*
 * The invariants of the file header, checked whole after every change of
 * a sketch: O(values + bins) per add, too dear for the ingest path of a
 * release build, so only where MONFS_DEBUG is defined (make check-asan,
 * make check-tsan), as sqlite keeps its costly asserts to SQLITE_DEBUG.
 */
#ifdef MONFS_DEBUG
static uint64_t store_checked_total(const struct store *st)
{
	uint64_t total = 0;
	size_t i;

	assert(st->len <= st->cap);
	for (i = 0; i < st->len; i++) {
		assert(st->bins[i].count >= 1);
		assert(st->bins[i].index >= MIN_INDEX &&
		       st->bins[i].index <= MAX_INDEX);
		assert(i == 0 || st->bins[i - 1].index < st->bins[i].index);
		total = add_saturating(total, st->bins[i].count);
	}
	return total;
}

void sketch_check(const struct sketch *s)
{
	uint64_t total;
	size_t i;

	if (!s->binned) {
		assert(s->count <= SKETCH_EXACT_MAX);
		assert(s->negative.len == 0 && s->positive.len == 0);
		assert(s->zero == 0);
		for (i = 0; i < s->count; i++) {
			assert(isfinite(s->values[i]));
			assert(s->values[i] != 0 || !signbit(s->values[i]));
			assert(i == 0 || s->values[i - 1] <= s->values[i]);
		}
		return;
	}
	assert(s->count >= 1);
	assert(s->values == NULL);
	total = add_saturating(store_checked_total(&s->negative),
			       store_checked_total(&s->positive));
	assert(s->count == add_saturating(total, s->zero));
}
#else
void sketch_check(const struct sketch *s)
{
	(void)s;
}
#endif

/* err, after checking s when it is 0 (s changed as it should). */
static int checked(const struct sketch *s, int err)
{
	if (!err)
		sketch_check(s);
	return err;
}

static int32_t bin_index(double magnitude)
{
	double i = ceil(log(magnitude) * INV_LOG_GAMMA);

	/* Only reachable if libm's log strays at the ends of the range. */
	if (i < MIN_INDEX)
		return MIN_INDEX;
	if (i > MAX_INDEX)
		return MAX_INDEX;
	return (int32_t)i;
}

/*
 * 2 gamma^i / (gamma + 1), which is (1 - a) gamma^i, computed in the log
 * domain so that the top bin does not overflow before the factor applies.
 */
static double bin_value(int32_t index)
{
	double v = exp(index * LOG_GAMMA + LOG_ONE_MINUS_A);

	if (v > DBL_MAX)
		return DBL_MAX;
	if (v == 0)
		return DBL_TRUE_MIN;
	return v;
}

/* Position of the first bin whose index is >= index. */
static size_t store_search(const struct store *st, int32_t index)
{
	size_t lo = 0, hi = st->len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (st->bins[mid].index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Room for at least want bins. 0 or -ENOMEM (st unchanged then). */
int sketch_store_reserve(struct store *st, size_t want)
{
	size_t cap = st->cap ? st->cap : 4;
	struct bin *bins;

	if (want <= st->cap)
		return 0;
	while (cap < want)
		cap *= 2;
	bins = realloc(st->bins, cap * sizeof(*bins));
	if (!bins)
		return -ENOMEM;
	st->bins = bins;
	st->cap = cap;
	return 0;
}

/*
 * Count one value in bin index. Inserting a new bin moves the bins above
 * it: O(bins), cheap for the few bins a metric usually spans. The worst
 * case, values filling all ~73,000 bins of the double range in random
 * order, costs about 0.15 s in all.
 */
static int store_add(struct store *st, int32_t index)
{
	size_t at = store_search(st, index);
	int err;

	if (at < st->len && st->bins[at].index == index) {
		st->bins[at].count = add_saturating(st->bins[at].count, 1);
		return 0;
	}
	err = sketch_store_reserve(st, st->len + 1);
	if (err)
		return err;
	memmove(&st->bins[at + 1], &st->bins[at],
		(st->len - at) * sizeof(st->bins[0]));
	st->bins[at].index = index;
	st->bins[at].count = 1;
	st->len++;
	return 0;
}

/* Number of distinct indexes in a and b together. */
static size_t store_union_len(const struct store *a, const struct store *b)
{
	size_t i = 0, j = 0, n = 0;

	while (i < a->len && j < b->len) {
		int32_t ai = a->bins[i].index, bi = b->bins[j].index;

		i += ai <= bi;
		j += bi <= ai;
		n++;
	}
	return n + (a->len - i) + (b->len - j);
}

/*
 * Merge src into dst, which has room for union_len bins. Works from the
 * top down so that no bin of dst is overwritten before it is read; safe
 * when src is dst.
 */
static void store_merge_into(struct store *dst, const struct store *src,
			     size_t union_len)
{
	size_t i = dst->len, j = src->len, w = union_len;

	while (j > 0) {
		const struct bin *b = &src->bins[j - 1];

		if (i > 0 && dst->bins[i - 1].index > b->index) {
			dst->bins[--w] = dst->bins[--i];
		} else if (i > 0 && dst->bins[i - 1].index == b->index) {
			uint64_t c = add_saturating(dst->bins[i - 1].count,
						    b->count);

			dst->bins[--w].index = b->index;
			dst->bins[w].count = c;
			i--;
			j--;
		} else {
			dst->bins[--w] = *b;
			j--;
		}
	}
	/* The bins below w are dst's own, already in place (w == i). */
	dst->len = union_len;
}

/* Room for at least want values (at most SKETCH_EXACT_MAX). 0 or -ENOMEM. */
static int values_reserve(struct sketch *s, size_t want)
{
	size_t cap = s->values_cap ? s->values_cap : 4;
	double *values;

	if (want <= s->values_cap)
		return 0;
	while (cap < want)
		cap *= 2;
	if (cap > SKETCH_EXACT_MAX)
		cap = SKETCH_EXACT_MAX;
	values = realloc(s->values, cap * sizeof(*values));
	if (!values)
		return -ENOMEM;
	s->values = values;
	s->values_cap = cap;
	return 0;
}

/* Position of the first of the n sorted values that is > x. */
static size_t values_upper_bound(const double *v, size_t n, double x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Exact mode, below the limit: insert value in order. 0 or -ENOMEM. */
static int values_add(struct sketch *s, double value)
{
	size_t n = (size_t)s->count, at;
	int err = values_reserve(s, n + 1);

	if (err)
		return err;
	at = values_upper_bound(s->values, n, value);
	memmove(&s->values[at + 1], &s->values[at],
		(n - at) * sizeof(s->values[0]));
	s->values[at] = value;
	s->count++;
	return 0;
}

/*
 * Both exact, the total within the limit: merge src's values into dst's.
 * Works from the top down, so that no value of dst is overwritten before
 * it is read; safe when src is dst (the write position i + j - 1 is never
 * below a position still to be read).
 */
static int values_merge(struct sketch *dst, const struct sketch *src)
{
	size_t i = (size_t)dst->count, j = (size_t)src->count, w = i + j;
	const double *sv;
	int err = values_reserve(dst, w);

	if (err)
		return err;
	sv = src->values; /* after the realloc, which moves it if src is dst */
	dst->count = w;
	while (j > 0) {
		if (i > 0 && dst->values[i - 1] > sv[j - 1])
			dst->values[--w] = dst->values[--i];
		else
			dst->values[--w] = sv[--j];
	}
	return 0;
}

/* Count value (finite, nonzero or zero) in binned s. 0 or -ENOMEM. */
static int bins_add(struct sketch *s, double value)
{
	int err;

	if (value == 0) {
		s->zero = add_saturating(s->zero, 1);
	} else {
		struct store *st = value > 0 ? &s->positive : &s->negative;

		err = store_add(st, bin_index(fabs(value)));
		if (err)
			return err;
	}
	s->count = add_saturating(s->count, 1);
	return 0;
}

/*
 * Count the n values v in s, whose stores are empty, with room for
 * extra_neg and extra_pos more bins beyond those the values fill. All the
 * memory is reserved before anything changes, so -ENOMEM leaves s as it
 * was (only with more capacity). Marks s binned; v may be s->values.
 */
static int bin_values(struct sketch *s, const double *v, size_t n,
		      size_t extra_neg, size_t extra_pos)
{
	size_t neg = 0, pos = 0, i;
	int err;

	for (i = 0; i < n; i++) {
		neg += v[i] < 0;
		pos += v[i] > 0;
	}
	err = sketch_store_reserve(&s->negative, neg + extra_neg);
	if (!err)
		err = sketch_store_reserve(&s->positive, pos + extra_pos);
	if (err)
		return err;
	s->binned = true;
	s->zero = 0;
	s->count = 0;
	for (i = 0; i < n; i++)
		/* Cannot fail: every bin it may open is reserved. */
		(void)bins_add(s, v[i]);
	return 0;
}

/* Turn exact s into bins, as bin_values; its values' memory goes. */
static int make_binned(struct sketch *s, size_t extra_neg, size_t extra_pos)
{
	int err = bin_values(s, s->values, (size_t)s->count, extra_neg,
			     extra_pos);

	if (err)
		return err;
	free(s->values);
	s->values = NULL;
	s->values_cap = 0;
	return 0;
}

struct sketch *sketch_new(void)
{
	return calloc(1, sizeof(struct sketch));
}

void sketch_free(struct sketch *s)
{
	if (!s)
		return;
	free(s->values);
	free(s->negative.bins);
	free(s->positive.bins);
	free(s);
}

/* Back to exact mode: an empty sketch holds no values to have binned. */
void sketch_reset(struct sketch *s)
{
	s->binned = false;
	s->negative.len = 0;
	s->positive.len = 0;
	s->zero = 0;
	s->count = 0;
	sketch_check(s);
}

/*
 * Non-finite values have no bin; the header promises callers pass finite
 * ones, and -EINVAL keeps a slip from corrupting the sketch. -0 is kept
 * as +0, as bins count both as zero.
 */
int sketch_add(struct sketch *s, double value)
{
	int err;

	if (!isfinite(value))
		return -EINVAL;
	if (value == 0)
		value = 0;
	if (!s->binned) {
		if (s->count < SKETCH_EXACT_MAX)
			return checked(s, values_add(s, value));
		err = make_binned(s, 1, 1);
		if (err)
			return err;
		/* Cannot fail now: the value's bin is reserved. */
	}
	return checked(s, bins_add(s, value));
}

/*
 * Merge binned src into dst, binning dst first if it is exact. Both
 * stores get their room before either changes, so -ENOMEM is clean.
 */
static int bins_merge(struct sketch *dst, const struct sketch *src)
{
	size_t neg_len, pos_len;
	int err;

	if (!dst->binned) {
		err = make_binned(dst, src->negative.len, src->positive.len);
		if (err)
			return err;
		/* Nothing below can fail now: the union is reserved. */
	}
	neg_len = store_union_len(&dst->negative, &src->negative);
	pos_len = store_union_len(&dst->positive, &src->positive);
	err = sketch_store_reserve(&dst->negative, neg_len);
	if (err)
		return err;
	err = sketch_store_reserve(&dst->positive, pos_len);
	if (err)
		return err;
	store_merge_into(&dst->negative, &src->negative, neg_len);
	store_merge_into(&dst->positive, &src->positive, pos_len);
	dst->zero = add_saturating(dst->zero, src->zero);
	dst->count = add_saturating(dst->count, src->count);
	return 0;
}

/*
 * An empty src changes nothing, whatever its mode (an empty version 1
 * encoding must not turn an exact sketch into bins). An exact src headed
 * for bins is binned into a scratch sketch first, before dst changes.
 */
int sketch_merge(struct sketch *dst, const struct sketch *src)
{
	struct sketch tmp = {0};
	int err;

	if (src->count == 0)
		return 0;
	sketch_check(src);
	if (!dst->binned && !src->binned &&
	    src->count <= SKETCH_EXACT_MAX - dst->count)
		return checked(dst, values_merge(dst, src));
	if (src->binned)
		return checked(dst, bins_merge(dst, src));
	err = bin_values(&tmp, src->values, (size_t)src->count, 0, 0);
	if (!err)
		err = bins_merge(dst, &tmp);
	free(tmp.negative.bins);
	free(tmp.positive.bins);
	return checked(dst, err);
}

uint64_t sketch_count(const struct sketch *s)
{
	return s->count;
}

/*
 * The nearest rank ceil(q * n), at least 1, read as an exact decimal q:
 * a q * n that lands a few ulps above an integer (0.07 * 100 is
 * 7.000000000000001) is that integer.
 */
static uint64_t quantile_rank(double q, uint64_t n)
{
	double r = q * (double)n;
	double k = ceil(r - r * RANK_TOLERANCE);

	if (k < 1)
		return 1;
	if (k >= (double)n)
		return n;
	return (uint64_t)k;
}

/*
 * Exact mode reads the value of rank k; binned mode walks bins from the
 * most negative value up. Rank k counts from 1.
 */
double sketch_quantile(const struct sketch *s, double q)
{
	uint64_t k, seen = 0;
	size_t i;

	if (s->count == 0 || isnan(q))
		return NAN;
	k = quantile_rank(q < 0 ? 0 : q > 1 ? 1 : q, s->count);
	if (!s->binned)
		return s->values[k - 1];

	for (i = s->negative.len; i > 0; i--) {
		seen = add_saturating(seen, s->negative.bins[i - 1].count);
		if (seen >= k)
			return -bin_value(s->negative.bins[i - 1].index);
	}
	seen = add_saturating(seen, s->zero);
	if (seen >= k)
		return 0;
	for (i = 0; i < s->positive.len; i++) {
		seen = add_saturating(seen, s->positive.bins[i].count);
		if (seen >= k)
			return bin_value(s->positive.bins[i].index);
	}
	/*
	 * Unreachable while count is the sum of the bins: seen is that sum
	 * now, and k <= count.
	 */
	assert(seen == s->count);
	return s->positive.len
		       ? bin_value(s->positive.bins[s->positive.len - 1].index)
		       : 0;
}
