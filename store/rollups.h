/*
 * rollups: a metric's per-bucket summaries, maintained at ingest
 * (store/rollups.c). Internal to store/.
 */
#ifndef MONFS_STORE_ROLLUPS_H
#define MONFS_STORE_ROLLUPS_H

#include "store/db.h"

/* Ingest points into a metric's rollups. Lock held, transaction open. */
int rollups_ingest_locked(struct store *st, int64_t metric_id,
			  const struct point *points, size_t n,
			  struct err *err);

#endif
