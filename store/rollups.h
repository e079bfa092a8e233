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

/*
 * store_metric_stats inside a read transaction the caller holds
 * (db_begin_read): one snapshot for many metrics. Same answers.
 */
int rollups_stats_locked(struct store *st, int64_t metric_id,
			 const struct stats_query *q, store_stats_fn fn,
			 void *ctx);

#endif
