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
 * Invariants: each store holds only occupied bins (count >= 1), strictly
 * increasing by index, every index within [MIN_INDEX, MAX_INDEX] (the bins
 * of DBL_TRUE_MIN and DBL_MAX); count is the sum of all bins and the zero
 * counter. Bin indexes are part of the stored format: the constants below
 * are literals, not computed, so that a different libm cannot move a bin.
 *
 * Encoding (version 1), every integer an unsigned LEB128 varint:
 *
 *	version byte (1)
 *	zero count
 *	negative store, then positive store, each:
 *		number of bins
 *		per bin: zigzag(index - previous index), count
 *
 * the previous index of a store's first bin being 0. The encoding is
 * canonical (minimal varints, no empty bins), so equal sketches encode to
 * equal bytes.
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "store/sketch.h"

/* log(gamma), 1 / log(gamma) and log(1 - a) for a = 0.0099. */
#define LOG_GAMMA 0.019800646904042266
#define INV_LOG_GAMMA 50.50340046192389
#define LOG_ONE_MINUS_A -0.009949330853668082

/* The bins of DBL_TRUE_MIN and DBL_MAX. */
#define MIN_INDEX (-37596)
#define MAX_INDEX 35847
#define INDEX_SPAN ((int64_t)MAX_INDEX - MIN_INDEX + 1)

#define ENCODING_VERSION 1
#define VARINT_MAX_BYTES 10

/*
 * How far above an integer q * n may land and still mean that integer:
 * q carries up to one rounding (it is usually a decimal like 0.07 or
 * 0.999), the product another, n one more when above 2^53. Four ulps
 * cover them. A two-decimal percentile puts q * n at least 1e-4 from the
 * next integer up to n = 1e11, far beyond this tolerance.
 */
#define RANK_TOLERANCE (4 * DBL_EPSILON)

struct bin {
	int32_t index;
	uint64_t count;
};

struct store {
	struct bin *bins;
	size_t len;
	size_t cap;
};

struct sketch {
	struct store negative; /* by |x| */
	struct store positive;
	uint64_t zero;
	uint64_t count;
};

/*
 * Counts saturate instead of wrapping: 2^64 values is beyond any real
 * metric, and a saturated count keeps the quantile walk monotonic.
 */
static uint64_t add_saturating(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
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
static int store_reserve(struct store *st, size_t want)
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
	err = store_reserve(st, st->len + 1);
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
			uint64_t c =
			    add_saturating(dst->bins[i - 1].count, b->count);

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

struct sketch *sketch_new(void)
{
	return calloc(1, sizeof(struct sketch));
}

void sketch_free(struct sketch *s)
{
	if (!s)
		return;
	free(s->negative.bins);
	free(s->positive.bins);
	free(s);
}

void sketch_reset(struct sketch *s)
{
	s->negative.len = 0;
	s->positive.len = 0;
	s->zero = 0;
	s->count = 0;
}

/*
 * Non-finite values have no bin; the header promises callers pass finite
 * ones, and -EINVAL keeps a slip from corrupting the sketch.
 */
int sketch_add(struct sketch *s, double value)
{
	int err;

	if (!isfinite(value))
		return -EINVAL;
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

/* Both stores get their room before either changes, so -ENOMEM is clean. */
int sketch_merge(struct sketch *dst, const struct sketch *src)
{
	size_t neg_len = store_union_len(&dst->negative, &src->negative);
	size_t pos_len = store_union_len(&dst->positive, &src->positive);
	int err;

	err = store_reserve(&dst->negative, neg_len);
	if (err)
		return err;
	err = store_reserve(&dst->positive, pos_len);
	if (err)
		return err;
	store_merge_into(&dst->negative, &src->negative, neg_len);
	store_merge_into(&dst->positive, &src->positive, pos_len);
	dst->zero = add_saturating(dst->zero, src->zero);
	dst->count = add_saturating(dst->count, src->count);
	return 0;
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

/* Walks bins from the most negative value up; rank k counts from 1. */
double sketch_quantile(const struct sketch *s, double q)
{
	uint64_t k, seen = 0;
	size_t i;

	if (s->count == 0 || isnan(q))
		return NAN;
	k = quantile_rank(q < 0 ? 0 : q > 1 ? 1 : q, s->count);

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
	/* Unreachable while count is the sum of the bins. */
	return s->positive.len
		   ? bin_value(s->positive.bins[s->positive.len - 1].index)
		   : 0;
}

static size_t varint_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static unsigned char *varint_put(unsigned char *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*p++ = (unsigned char)v;
	return p;
}

static uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static size_t store_encoded_len(const struct store *st)
{
	size_t n = varint_len(st->len), i;
	int32_t prev = 0;

	for (i = 0; i < st->len; i++) {
		n += varint_len(zigzag((int64_t)st->bins[i].index - prev));
		n += varint_len(st->bins[i].count);
		prev = st->bins[i].index;
	}
	return n;
}

static unsigned char *store_put(unsigned char *p, const struct store *st)
{
	int32_t prev = 0;
	size_t i;

	p = varint_put(p, st->len);
	for (i = 0; i < st->len; i++) {
		p = varint_put(p, zigzag((int64_t)st->bins[i].index - prev));
		p = varint_put(p, st->bins[i].count);
		prev = st->bins[i].index;
	}
	return p;
}

int sketch_encode(const struct sketch *s, unsigned char **buf, size_t *len)
{
	size_t n = 1 + varint_len(s->zero) + store_encoded_len(&s->negative) +
		   store_encoded_len(&s->positive);
	unsigned char *out = malloc(n), *p;

	if (!out)
		return -ENOMEM;
	p = out;
	*p++ = ENCODING_VERSION;
	p = varint_put(p, s->zero);
	p = store_put(p, &s->negative);
	p = store_put(p, &s->positive);
	*buf = out;
	*len = (size_t)(p - out);
	return 0;
}

struct reader {
	const unsigned char *p;
	const unsigned char *end;
};

/*
 * One canonical varint: at most 64 bits, no needless trailing zero
 * group, so that every sketch has exactly one encoding.
 */
static bool read_varint(struct reader *r, uint64_t *out)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < VARINT_MAX_BYTES && r->p < r->end; i++) {
		unsigned char byte = *r->p++;

		if (i == VARINT_MAX_BYTES - 1 && byte > 1)
			return false;
		v |= (uint64_t)(byte & 0x7f) << (7 * i);
		if (!(byte & 0x80)) {
			if (byte == 0 && i > 0)
				return false;
			*out = v;
			return true;
		}
	}
	return false;
}

/*
 * One store into st (empty, owned by the caller), adding its bins to
 * *total. 0, -EINVAL or -ENOMEM.
 */
static int read_store(struct reader *r, struct store *st, uint64_t *total)
{
	uint64_t nbins, i;
	int64_t prev = 0;

	if (!read_varint(r, &nbins))
		return -EINVAL;
	/* Every bin takes two bytes at least: bounds the allocation. */
	if (nbins > (uint64_t)INDEX_SPAN ||
	    nbins > (uint64_t)(r->end - r->p) / 2)
		return -EINVAL;
	if (store_reserve(st, (size_t)nbins))
		return -ENOMEM;
	for (i = 0; i < nbins; i++) {
		uint64_t zz, count;
		int64_t delta, index;

		if (!read_varint(r, &zz) || !read_varint(r, &count))
			return -EINVAL;
		delta = unzigzag(zz);
		if (delta < -INDEX_SPAN || delta > INDEX_SPAN)
			return -EINVAL;
		index = prev + delta;
		if (index < MIN_INDEX || index > MAX_INDEX ||
		    (i > 0 && index <= prev))
			return -EINVAL;
		if (count == 0 || count > UINT64_MAX - *total)
			return -EINVAL;
		*total += count;
		st->bins[st->len].index = (int32_t)index;
		st->bins[st->len].count = count;
		st->len++;
		prev = index;
	}
	return 0;
}

/*
 * Decoding into a scratch sketch first keeps s untouched by a blob that
 * turns out damaged halfway.
 */
int sketch_decode_merge(struct sketch *s, const void *buf, size_t len)
{
	struct sketch tmp = {0};
	struct reader r;
	uint64_t total;
	int err = -EINVAL;

	if (len == 0)
		return -EINVAL;
	r.p = buf;
	r.end = r.p + len;
	if (*r.p++ != ENCODING_VERSION)
		goto out;
	if (!read_varint(&r, &tmp.zero))
		goto out;
	total = tmp.zero;
	err = read_store(&r, &tmp.negative, &total);
	if (!err)
		err = read_store(&r, &tmp.positive, &total);
	if (err)
		goto out;
	err = -EINVAL;
	if (r.p != r.end || total > UINT64_MAX - s->count)
		goto out;
	tmp.count = total;
	err = sketch_merge(s, &tmp);
out:
	free(tmp.negative.bins);
	free(tmp.positive.bins);
	return err;
}
