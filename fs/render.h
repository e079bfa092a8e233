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
#include "lib/strbuf.h"

struct metric_render;

/*
 * Append s as a JSON string (escaped by jansson): 0, -EINVAL (not UTF-8)
 * or -ENOMEM.
 */
int render_json_string(struct strbuf *out, const char *s);

/*
 * Append v as a JSON number printed as the text views print it
 * (format_double), null for NaN and infinities. 0 or -ENOMEM.
 */
int render_json_number(struct strbuf *out, double v);

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

/*
 * A view of a stream (filter, since, until, format=json), rendered as the
 * reader advances so that memory stays flat over a stream of any size:
 * the events of [start, until_abs) that the view selects.
 */
struct stream_render;

/*
 * Take ownership of v; the stream is named name (its JSON lines'
 * logStreamName). NULL when out of memory (v released then).
 */
struct stream_render *render_stream_new(struct store *st, int64_t stream_id,
					const char *name, int64_t until_abs,
					struct view *v);

/*
 * Append one event as a JSON line in FilteredLogEvent's shape (SPEC 16):
 * logStreamName, timestamp, message (without its '\n', invalid UTF-8 as
 * U+FFFD), ingestionTime, and eventId, made of the stream's id and the
 * event's absolute offset in it, so that it names the event for as long
 * as it is kept. 0 or -ENOMEM.
 */
int render_log_event_json(struct strbuf *out, const char *stream,
			  int64_t stream_id, int64_t abs, int64_t ts_ms,
			  const char *line, size_t len);

/*
 * Copy up to size bytes of the rendering at offset into buf. Returns the
 * bytes copied (0 at the end) or -errno. Reading forward is cheap; going
 * back renders again from the start.
 */
int render_stream_read(struct stream_render *r, char *buf, size_t size,
		       int64_t offset);

void render_stream_free(struct stream_render *r);

#endif
