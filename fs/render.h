/*
 * render: statistics as the text table and the JSON document a metric
 * read returns (SPEC 3, 8). Numbers and times go through store/format so
 * every rendering prints them alike.
 */
#ifndef MONFS_FS_RENDER_H
#define MONFS_FS_RENDER_H

#include <stdint.h>

#include "fs/view.h"
#include "store/store.h"
#include "store/strbuf.h"

struct metric_render;

/*
 * Start rendering a metric named name (unit "" for none) with the
 * statistics of view v into out. NULL when out of memory.
 */
struct metric_render *render_metric_begin(struct strbuf *out,
					  const struct view *v,
					  const char *name, const char *unit);

/* Add one period: a store_stats_fn, ctx being the metric_render. */
int render_metric_row(void *ctx, int64_t start_ms, const struct summary *s);

/* Finish the document into out and free r. 0 or -ENOMEM. */
int render_metric_end(struct metric_render *r);

/* Free r without finishing (after an error). */
void render_metric_abort(struct metric_render *r);

#endif
