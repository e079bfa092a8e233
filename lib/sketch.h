/*
 * sketch: a mergeable quantile sketch with bounded relative error, in
 * the manner of DDSketch (Masson, Rim, Lee, VLDB 2019).
 *
 * Values map to logarithmic bins (gamma = (1+a)/(1-a), a a little under
 * 1 %), positive and negative values in mirrored stores, exact zero in
 * its own counter. Bins add, so merging is exact and associative: the
 * rollup of an hour is the merge of its minutes, bit for bit the sketch
 * that one pass over the hour's points would have built. Only occupied
 * bins are kept (sorted arrays), so a metric whose values span a narrow
 * range costs a few bytes per rollup.
 *
 * Small samples are exact: up to SKETCH_EXACT_MAX values are kept as they
 * are and quantiles are the exact nearest-rank values (10, 70, 40 give a
 * p50 of 40, not 40.16). One more value, by add or merge, bins them all
 * for good (until sketch_reset). Whether a sketch is binned depends only
 * on its number of values, so merges are still bit for bit one pass; the
 * exception is a version 1 encoding (rows from before exact mode) of few
 * values, which decodes binned and makes whatever it merges into binned.
 */
#ifndef MONFS_SKETCH_H
#define MONFS_SKETCH_H

#include <stddef.h>
#include <stdint.h>

struct sketch;

/*
 * The most values a sketch keeps exactly. 64 because:
 *  - buckets of 60 points are the common case it must cover: a 1-second
 *    (high-resolution) metric in a 60 s rollup, a 1-minute (standard)
 *    metric in a 3600 s rollup; sparser metrics have fewer;
 *  - the cost stays small and bounded: 512 bytes of values in memory, an
 *    encoding of at most 2 + 64 * 8 = 514 bytes, of the order of a busy
 *    bucket's bins (1000 values in 10..100 take about 250), while raw
 *    values past it would grow without bound and bins do not;
 *  - an insertion moves at most 63 doubles, and the array, grown by
 *    doubling from 4, lands on it exactly.
 * It is part of the stored format: decoders refuse exact encodings of
 * more values, so raising it needs a new encoding version.
 */
#define SKETCH_EXACT_MAX 64

/* A new empty sketch, or NULL when out of memory. */
struct sketch *sketch_new(void);

/* Free s (NULL is fine). */
void sketch_free(struct sketch *s);

/* Empty s, exact again, keeping its memory. */
void sketch_reset(struct sketch *s);

/*
 * Count one finite value (-0 counts as 0). 0, -EINVAL for a non-finite
 * value, or -ENOMEM (s unchanged then, in content and mode).
 */
int sketch_add(struct sketch *s, double value);

/*
 * Add src's values or bins into dst (src may be dst). The result stays
 * exact if both are and their total is at most SKETCH_EXACT_MAX, and is
 * binned otherwise; an empty src changes nothing. 0 or -ENOMEM (dst
 * unchanged then).
 */
int sketch_merge(struct sketch *dst, const struct sketch *src);

/* Number of values counted. */
uint64_t sketch_count(const struct sketch *s);

/*
 * The nearest-rank q-quantile (q in [0, 1]): the value of rank ceil(q * n)
 * (at least 1) in sorted order, exactly while the sketch is exact, else an
 * estimate within the sketch's relative error of it. Callers clamp to
 * [min, max]; NaN when the sketch is empty.
 */
double sketch_quantile(const struct sketch *s, double q);

/*
 * Serialize s into a new malloc'ed buffer (*buf, *len): version 1, a
 * compact varint encoding of the occupied bins (also the empty sketch's
 * encoding, 4 bytes), or version 2, the exact values as 8-byte doubles
 * (2 + 8 n bytes). Canonical: equal sketches, equal bytes. 0 or -ENOMEM.
 */
int sketch_encode(const struct sketch *s, unsigned char **buf, size_t *len);

/*
 * Merge an encoded sketch (either version) into s, as sketch_merge. 0,
 * -EINVAL for a malformed or non-canonical encoding (s unchanged then),
 * or -ENOMEM. Never reads outside buf[0..len).
 */
int sketch_decode_merge(struct sketch *s, const void *buf, size_t len);

#endif
