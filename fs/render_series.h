/*
 * render_series: the series= views of a metric name (SPEC 11): each
 * selected series' statistics as rows led by its dimension values, or
 * GetMetricData's JSON, or all of them merged into one metric.
 */
#ifndef MONFS_FS_RENDER_SERIES_H
#define MONFS_FS_RENDER_SERIES_H

#include <stdint.h>

#include "fs/view.h"
#include "lib/dimension.h"
#include "lib/stats.h"
#include "lib/strbuf.h"

struct series_render;

/*
 * Start rendering the series= view v (series_given) of metric name
 * (unit "" for none) into out. NULL when out of memory.
 */
struct series_render *render_series_begin(struct strbuf *out,
					  const struct view *v,
					  const char *name, const char *unit);

/*
 * Start the next series, whose dimensions are dims (its rows follow
 * through render_series_row). 0 or -ENOMEM.
 */
int render_series_start(struct series_render *r,
			const struct dimension_set *dims);

/* Add one period of the current series: a store_stats_fn. */
int render_series_row(void *ctx, int64_t start_ms, const struct summary *s);

/* Finish the document into out and free r. 0, -ENOMEM or -EINVAL. */
int render_series_end(struct series_render *r);

/* Free r without finishing (after an error). */
void render_series_abort(struct series_render *r);

#endif
