/*
 * render: text and JSON renderings of a metric's statistics.
 *
 * The text form is a table whose columns line up, so rows are kept as
 * cells until the end, when the column widths are known. The JSON form
 * is GetMetricStatistics' response, written as it goes; numbers are
 * printed by format_double so that JSON and text agree digit for digit
 * (jansson would print 0.1 as 0.10000000000000001), strings are escaped
 * by jansson.
 */
#include "fs/render.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "lib/format.h"
#include "lib/parse.h"
#include "lib/pattern.h"

#define CELL_MAX FORMAT_TIME_MAX /* the widest cell, a timestamp */

typedef char cell_t[CELL_MAX];

struct metric_render {
	struct strbuf *out;
	const struct view *view;
	const char *unit;
	size_t ncols;  /* timestamp + statistics */
	cell_t *cells; /* text: rows * ncols cells */
	size_t nrows;
	size_t cap;
	size_t *width; /* text: per column */
	bool first;    /* json: no datapoint written yet */
};

int render_json_string(struct strbuf *out, const char *s)
{
	json_t *j = json_string(s);
	char *text;
	int rc;

	if (!j)
		return -EINVAL;
	text = json_dumps(j, JSON_ENCODE_ANY);
	json_decref(j);
	if (!text)
		return -ENOMEM;
	rc = strbuf_adds(out, text);
	free(text);
	return rc;
}

int render_json_number(struct strbuf *out, double v)
{
	char num[FORMAT_DOUBLE_MAX];

	/* JSON has no NaN or Infinity: a sum that overflowed says null. */
	if (v != v || v - v != 0)
		return strbuf_adds(out, "null");
	return strbuf_adds(out, format_double(num, v));
}

static size_t header_width(const struct metric_render *r, size_t col)
{
	return col == 0 ? strlen("# timestamp")
			: strlen(r->view->stats[col - 1].name);
}

struct metric_render *render_metric_begin(struct strbuf *out,
					  const struct view *v,
					  const char *name, const char *unit)
{
	struct metric_render *r = calloc(1, sizeof(*r));
	size_t c;

	if (!r)
		return NULL;
	r->out = out;
	r->view = v;
	r->unit = *unit ? unit : "None";
	r->ncols = v->nstats + 1;
	r->first = true;
	if (v->json) {
		if (strbuf_adds(out, "{\"Label\":") ||
		    render_json_string(out, name) ||
		    strbuf_adds(out, ",\"Datapoints\":[")) {
			free(r);
			return NULL;
		}
		return r;
	}
	r->width = calloc(r->ncols, sizeof(*r->width));
	if (!r->width) {
		free(r);
		return NULL;
	}
	for (c = 0; c < r->ncols; c++)
		r->width[c] = header_width(r, c);
	return r;
}

static int json_row(struct metric_render *r, int64_t start_ms,
		    const struct summary *s)
{
	struct strbuf *out = r->out;
	char ts[FORMAT_TIME_MAX];
	bool extended = false;
	size_t i;
	int rc;

	rc = strbuf_addf(out, "%s{\"Timestamp\":\"%s\"", r->first ? "" : ",",
			 format_time(ts, start_ms));
	r->first = false;
	for (i = 0; i < r->view->nstats && !rc; i++) {
		const struct stat_spec *spec = &r->view->stats[i];

		if (spec->kind == STAT_PERCENTILE) {
			extended = true;
			continue;
		}
		rc = strbuf_addf(out, ",\"%s\":", spec->cw_name);
		if (!rc)
			rc = render_json_number(out, stat_value(spec, s));
	}
	if (!rc) {
		rc = strbuf_adds(out, ",\"Unit\":");
		if (!rc)
			rc = render_json_string(out, r->unit);
	}
	if (!rc && extended) {
		bool first = true;

		rc = strbuf_adds(out, ",\"ExtendedStatistics\":{");
		for (i = 0; i < r->view->nstats && !rc; i++) {
			const struct stat_spec *spec = &r->view->stats[i];

			if (spec->kind != STAT_PERCENTILE)
				continue;
			rc = strbuf_addf(out, "%s\"%s\":", first ? "" : ",",
					 spec->name);
			if (!rc)
				rc = render_json_number(out,
							stat_value(spec, s));
			first = false;
		}
		if (!rc)
			rc = strbuf_adds(out, "}");
	}
	return rc ? rc : strbuf_adds(out, "}");
}

static int text_row(struct metric_render *r, int64_t start_ms,
		    const struct summary *s)
{
	cell_t *row;
	size_t c;

	if (r->nrows == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		cell_t *cells =
			realloc(r->cells, cap * r->ncols * sizeof(*cells));

		if (!cells)
			return -ENOMEM;
		r->cells = cells;
		r->cap = cap;
	}
	row = &r->cells[r->nrows * r->ncols];
	for (c = 0; c < r->ncols; c++) {
		if (c == 0)
			format_time(row[c], start_ms);
		else
			format_double(row[c],
				      stat_value(&r->view->stats[c - 1], s));
		if (strlen(row[c]) > r->width[c])
			r->width[c] = strlen(row[c]);
	}
	r->nrows++;
	return 0;
}

int render_metric_row(void *ctx, int64_t start_ms, const struct summary *s)
{
	struct metric_render *r = ctx;

	return r->view->json ? json_row(r, start_ms, s)
			     : text_row(r, start_ms, s);
}

/* Append one table line: cells padded to their column, none trailing. */
static int text_line(struct metric_render *r, const char *const *cells)
{
	return format_table_line(r->out, cells, r->width, r->ncols);
}

int render_metric_end(struct metric_render *r)
{
	const char *header[VIEW_STATS_MAX + 1];
	size_t i;
	int rc;

	if (r->view->json) {
		rc = strbuf_adds(r->out, "]}\n");
		render_metric_abort(r);
		return rc;
	}
	header[0] = "# timestamp";
	for (i = 0; i < r->view->nstats; i++)
		header[i + 1] = r->view->stats[i].name;
	rc = text_line(r, header);
	for (i = 0; i < r->nrows && !rc; i++) {
		const char *row[VIEW_STATS_MAX + 1];
		size_t c;

		for (c = 0; c < r->ncols; c++)
			row[c] = r->cells[i * r->ncols + c];
		rc = text_line(r, row);
	}
	render_metric_abort(r);
	return rc;
}

void render_metric_abort(struct metric_render *r)
{
	if (!r)
		return;
	free(r->cells);
	free(r->width);
	free(r);
}

/* ---- stream views ---- */

#define SCAN_BATCH_BYTES (1024 * 1024)

struct stream_render {
	struct store *store;
	int64_t stream_id;
	char *name;
	struct view view;
	int64_t cursor;	   /* absolute offset of the next write to render */
	int64_t until;	   /* absolute end, fixed at open */
	struct strbuf out; /* rendered bytes not yet read past */
	int64_t out_base;  /* rendering offset of out.buf[0] */
	bool done;
};

struct stream_render *render_stream_new(struct store *st, int64_t stream_id,
					const char *name, int64_t until_abs,
					struct view *v)
{
	struct stream_render *r = calloc(1, sizeof(*r));

	if (r)
		r->name = strdup(name);
	if (!r || !r->name) {
		free(r);
		view_release(v);
		return NULL;
	}
	r->store = st;
	r->stream_id = stream_id;
	r->view = *v;
	r->until = until_abs;
	return r;
}

void render_stream_free(struct stream_render *r)
{
	if (!r)
		return;
	view_release(&r->view);
	strbuf_release(&r->out);
	free(r->name);
	free(r);
}

int render_log_event_json(struct strbuf *out, const char *stream,
			  int64_t stream_id, int64_t abs, int64_t ts_ms,
			  const char *line, size_t len)
{
	struct strbuf msg = STRBUF_INIT;
	char id[48];
	json_t *j;
	char *text;
	int rc;

	rc = format_utf8_lossy(&msg, line, len);
	if (rc)
		return rc;
	snprintf(id, sizeof(id), "%020lld%020lld", (long long)stream_id,
		 (long long)abs);
	j = json_pack("{s:s,s:I,s:s%,s:I,s:s}", "logStreamName", stream,
		      "timestamp", (json_int_t)ts_ms, "message",
		      msg.buf ? msg.buf : "", msg.len, "ingestionTime",
		      (json_int_t)ts_ms, "eventId", id);
	strbuf_release(&msg);
	if (!j)
		return -ENOMEM;
	text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (!text)
		return -ENOMEM;
	rc = strbuf_adds(out, text);
	free(text);
	return rc ? rc : strbuf_add(out, "\n", 1);
}

/* store_chunk_fn: render the selected events of one stored write. */
static int render_chunk(void *ctx, int64_t ts_ms, const char *data, size_t len)
{
	struct stream_render *r = ctx;
	size_t pos = 0;
	int rc = 0;

	if (ts_ms < r->view.since_ms || ts_ms >= r->view.until_ms)
		return 0;
	while (pos < len && !rc) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - data) : len;
		const char *line = data + pos;
		size_t n = end - pos;

		pos = end + 1;
		if (r->view.filter && !pattern_match(r->view.filter, line, n))
			continue;
		/* The scan moved the cursor past this write before the call. */
		if (r->view.json)
			rc = render_log_event_json(
				&r->out, r->name, r->stream_id,
				r->cursor - (int64_t)len +
					(int64_t)(line - data),
				ts_ms, line, n);
		else
			rc = strbuf_add(&r->out, line, n + 1);
	}
	return rc;
}

int render_stream_read(struct stream_render *r, char *buf, size_t size,
		       int64_t offset)
{
	size_t n;
	int rc;

	if (offset < r->out_base) {
		/* A reader went back: render again from the start. */
		strbuf_reset(&r->out);
		r->out_base = 0;
		r->cursor = 0;
		r->done = false;
	}
	while (!r->done &&
	       r->out_base + (int64_t)r->out.len < offset + (int64_t)size) {
		int64_t before = r->cursor;

		rc = store_stream_scan(r->store, r->stream_id, &r->cursor,
				       r->until, SCAN_BATCH_BYTES, render_chunk,
				       r);
		if (rc == -ENOENT)
			rc = 0, r->done = true;
		if (rc)
			return rc;
		if (r->cursor == before)
			r->done = true;
		/* Drop what lies before the reader, keeping memory flat. */
		if (offset > r->out_base) {
			size_t drop = (size_t)(offset - r->out_base);

			if (drop > r->out.len)
				drop = r->out.len;
			strbuf_consume(&r->out, drop);
			r->out_base += (int64_t)drop;
		}
	}
	if (offset < r->out_base || offset >= r->out_base + (int64_t)r->out.len)
		return 0;
	n = r->out.len - (size_t)(offset - r->out_base);
	if (n > size)
		n = size;
	memcpy(buf, r->out.buf + (offset - r->out_base), n);
	return (int)n;
}
