/*
 * sketch_impl: what sketch.c (the arithmetic) and sketch_codec.c (the
 * bytes) share, and nobody else sees. The invariants these structures
 * keep are written at the head of sketch.c and checked by sketch_check().
 */
#ifndef MONFS_LIB_SKETCH_IMPL_H
#define MONFS_LIB_SKETCH_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/sketch.h"

/*
 * The bins of DBL_TRUE_MIN and DBL_MAX. Bin indexes are part of the
 * stored format: literals, not computed, so that a different libm cannot
 * move a bin.
 */
#define MIN_INDEX (-37596)
#define MAX_INDEX 35847
#define INDEX_SPAN ((int64_t)MAX_INDEX - MIN_INDEX + 1)

struct bin {
	int32_t index;
	uint64_t count;
};

/* The occupied bins of one sign, strictly increasing by index. */
struct store {
	struct bin *bins;
	size_t len;
	size_t cap;
};

struct sketch {
	bool binned;
	double *values; /* exact mode: the count values, sorted */
	size_t values_cap;
	struct store negative; /* by |x| */
	struct store positive;
	uint64_t zero;
	uint64_t count;
};

/* Room for want bins in st. 0 or -ENOMEM (st unchanged). */
int sketch_store_reserve(struct store *st, size_t want);

/*
 * Asserts every invariant of s: a no-op unless MONFS_DEBUG is defined
 * (it costs O(values + bins)).
 */
void sketch_check(const struct sketch *s);

#endif
