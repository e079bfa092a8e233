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
 */
#ifndef MONFS_SKETCH_H
#define MONFS_SKETCH_H

#include <stddef.h>
#include <stdint.h>

struct sketch;

/* A new empty sketch, or NULL when out of memory. */
struct sketch *sketch_new(void);

/* Free s (NULL is fine). */
void sketch_free(struct sketch *s);

/* Empty s, keeping its memory. */
void sketch_reset(struct sketch *s);

/* Count one finite value. 0 or -ENOMEM (s unchanged then). */
int sketch_add(struct sketch *s, double value);

/* Add every bin of src into dst. 0 or -ENOMEM (dst unchanged then). */
int sketch_merge(struct sketch *dst, const struct sketch *src);

/* Number of values counted. */
uint64_t sketch_count(const struct sketch *s);

/*
 * The nearest-rank q-quantile (q in [0, 1]): the estimate for the value
 * of rank ceil(q * n) (at least 1) in sorted order, within the sketch's
 * relative error of the exact value. Callers clamp to [min, max]; NaN
 * when the sketch is empty.
 */
double sketch_quantile(const struct sketch *s, double q);

/*
 * Serialize s into a new malloc'ed buffer (*buf, *len), a compact
 * varint encoding of the occupied bins. 0 or -ENOMEM.
 */
int sketch_encode(const struct sketch *s, unsigned char **buf, size_t *len);

/*
 * Merge an encoded sketch into s. 0, -EINVAL for a malformed encoding
 * (s unchanged then), or -ENOMEM.
 */
int sketch_decode_merge(struct sketch *s, const void *buf, size_t len);

#endif
