/*
 * sketch_codec: a sketch to bytes and back, for the rollup rows.
 *
 * Encodings, every integer an unsigned LEB128 varint. Version 1, bins (and
 * the empty sketch, exact or not):
 *
 *	version byte (1)
 *	zero count
 *	negative store, then positive store, each:
 *		number of bins
 *		per bin: zigzag(index - previous index), count
 *
 * the previous index of a store's first bin being 0. Version 2, exact:
 *
 *	version byte (2)
 *	number of values n, 1 <= n <= SKETCH_EXACT_MAX
 *	n values, each an 8-byte little-endian IEEE 754 double, finite,
 *	in nondecreasing order, +0 never -0
 *
 * and nothing after them. Both are canonical (minimal varints, no empty
 * bins; the empty sketch only as version 1, sorted values, no -0), so
 * equal sketches encode to equal bytes, and the decoder refuses anything
 * else, so that every accepted blob is the encoding of what it decodes to.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sketch.h"
#include "lib/sketch_impl.h"

#define ENCODING_BINS 1
#define ENCODING_EXACT 2
#define VARINT_MAX_BYTES 10
#define DOUBLE_BYTES 8

_Static_assert(sizeof(double) == DOUBLE_BYTES, "doubles are 64-bit IEEE 754");
_Static_assert(SKETCH_EXACT_MAX >= 1 && SKETCH_EXACT_MAX < 128,
	       "the exact encoding's count is a one-byte varint");

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

static unsigned char *double_put(unsigned char *p, double v)
{
	uint64_t bits;
	int i;

	memcpy(&bits, &v, sizeof(bits));
	for (i = 0; i < DOUBLE_BYTES; i++) {
		*p++ = (unsigned char)bits;
		bits >>= 8;
	}
	return p;
}

/* Exact mode with values: version 2. */
static int encode_exact(const struct sketch *s, unsigned char **buf,
			size_t *len)
{
	size_t n = (size_t)s->count, i;
	unsigned char *out = malloc(1 + varint_len(n) + n * DOUBLE_BYTES), *p;

	if (!out)
		return -ENOMEM;
	p = out;
	*p++ = ENCODING_EXACT;
	p = varint_put(p, n);
	for (i = 0; i < n; i++)
		p = double_put(p, s->values[i]);
	*buf = out;
	*len = (size_t)(p - out);
	return 0;
}

/* Bins, and the empty sketch of either mode: version 1. */
int sketch_encode(const struct sketch *s, unsigned char **buf, size_t *len)
{
	size_t n;
	unsigned char *out, *p;

	sketch_check(s); /* what is stored must decode to the same sketch */
	if (!s->binned && s->count > 0)
		return encode_exact(s, buf, len);
	n = 1 + varint_len(s->zero) + store_encoded_len(&s->negative) +
	    store_encoded_len(&s->positive);
	out = malloc(n);
	if (!out)
		return -ENOMEM;
	p = out;
	*p++ = ENCODING_BINS;
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
	if (sketch_store_reserve(st, (size_t)nbins))
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
 * Version 2 into tmp (empty, exact), its values into the caller's array
 * of SKETCH_EXACT_MAX. The length is checked before any value is read:
 * exactly n doubles must follow, so a short or long blob is refused.
 */
static int read_exact(struct reader *r, struct sketch *tmp, double *values)
{
	uint64_t n, i;

	if (!read_varint(r, &n))
		return -EINVAL;
	/* Canonical: the empty sketch is only ever version 1. */
	if (n == 0 || n > SKETCH_EXACT_MAX ||
	    (size_t)(r->end - r->p) != n * DOUBLE_BYTES)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		uint64_t bits = 0;
		double v;
		int b;

		for (b = DOUBLE_BYTES - 1; b >= 0; b--)
			bits = bits << 8 | r->p[b];
		r->p += DOUBLE_BYTES;
		memcpy(&v, &bits, sizeof(v));
		if (!isfinite(v) || (v == 0 && signbit(v)) ||
		    (i > 0 && v < values[i - 1]))
			return -EINVAL;
		values[i] = v;
	}
	tmp->values = values;
	tmp->count = n;
	return 0;
}

/* Version 1 into tmp (empty): binned, whatever its count. */
static int read_bins(struct reader *r, struct sketch *tmp)
{
	uint64_t total;
	int err;

	if (!read_varint(r, &tmp->zero))
		return -EINVAL;
	total = tmp->zero;
	err = read_store(r, &tmp->negative, &total);
	if (!err)
		err = read_store(r, &tmp->positive, &total);
	if (err)
		return err;
	if (r->p != r->end)
		return -EINVAL;
	tmp->binned = true;
	tmp->count = total;
	return 0;
}

/*
 * Decoding into a scratch sketch first keeps s untouched by a blob that
 * turns out damaged halfway. An exact blob's values stay on the stack:
 * tmp.values is never freed here.
 */
int sketch_decode_merge(struct sketch *s, const void *buf, size_t len)
{
	double values[SKETCH_EXACT_MAX];
	struct sketch tmp = {0};
	struct reader r;
	int err = -EINVAL;

	if (len == 0)
		return -EINVAL;
	r.p = buf;
	r.end = r.p + len;
	switch (*r.p++) {
	case ENCODING_BINS:
		err = read_bins(&r, &tmp);
		break;
	case ENCODING_EXACT:
		err = read_exact(&r, &tmp, values);
		break;
	}
	if (err)
		goto out;
	err = -EINVAL;
	if (tmp.count > UINT64_MAX - s->count)
		goto out;
	err = sketch_merge(s, &tmp);
out:
	free(tmp.negative.bins);
	free(tmp.positive.bins);
	return err;
}
