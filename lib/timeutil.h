/*
 * timeutil: the units monfs counts time in, and the division that time
 * needs. Instants are int64 milliseconds since the epoch, and an instant
 * before the epoch belongs to the second, minute and day that started
 * before it: -1 ms is 23:59:59.999 on 1969-12-31, so bucketing an instant
 * rounds toward minus infinity, never toward zero as C's / does.
 */
#ifndef MONFS_TIMEUTIL_H
#define MONFS_TIMEUTIL_H

#include <stdint.h>

#define MS_PER_SECOND INT64_C(1000)
#define MS_PER_MINUTE (60 * MS_PER_SECOND)
#define MS_PER_HOUR (60 * MS_PER_MINUTE)
#define MS_PER_DAY (24 * MS_PER_HOUR)
#define MS_PER_WEEK (7 * MS_PER_DAY)

/* a / b rounded toward minus infinity (b != 0, either sign). */
static inline int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* a / b rounded toward plus infinity (b != 0, a != INT64_MIN). */
static inline int64_t ceil_div(int64_t a, int64_t b)
{
	return -floor_div(-a, b);
}

/* What floor_div leaves: a - floor_div(a, b) * b, in [0, b) for b > 0. */
static inline int64_t floor_mod(int64_t a, int64_t b)
{
	return a % b + (a % b < 0 ? b : 0);
}

#endif
