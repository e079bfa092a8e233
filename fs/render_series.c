/*
 * render_series: the series= views of a metric name (SPEC 11), one
 * series after another as the store hands them over.
 *
 * Text, not merged: one table row per series and period, the dimension
 * values first (their columns named by the selector, or one column
 * `dimensions` holding the canonical path for series=*). Cells are kept
 * until the end, when the column widths are known, as fs/render.c does.
 * JSON, not merged: GetMetricData's response, one result per series and
 * statistic, each a column of timestamps and one of values, so a
 * series' rows are gathered and written when the next series starts.
 * Merged: each period's summaries are merged across series (counts and
 * sums add, extremes over all, sketches merged), and the merged periods
 * render as one metric: the text table of fs/render.c, or one JSON
 * result per statistic.
 */
#include "fs/render_series.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs/render.h"
#include "lib/format.h"

struct series_render {
	struct strbuf *out;
	const struct view *view;
	const char *name, *unit;
	/* The current series: its lead cells (text), its label (JSON). */
	struct strbuf lead[DIMENSION_MAX];
	size_t nlead;
	struct strbuf label;
	/* Text, not merged: rows * ncols owned strings. */
	size_t ncols;
	char **cells;
	size_t nrows, cap;
	size_t *width;
	/* JSON: the current series' points, and results written so far. */
	int64_t *ts;
	double *values; /* npoints * nstats */
	size_t npoints, pcap;
	bool current; /* a series was started and not yet written */
	unsigned next_id;
	/* Merged: periods in time order with their merged summaries. */
	int64_t *mstart;
	struct summary *msum;
	size_t nmerged, mcap;
};

static size_t lead_columns(const struct view *v)
{
	return v->series.all ? 1 : v->series.count;
}

struct series_render *render_series_begin(struct strbuf *out,
					  const struct view *v,
					  const char *name, const char *unit)
{
	struct series_render *r = calloc(1, sizeof(*r));
	size_t c;

	if (!r)
		return NULL;
	r->out = out;
	r->view = v;
	r->name = name;
	r->unit = unit;
	r->nlead = lead_columns(v);
	r->ncols = r->nlead + 1 + v->nstats;
	for (c = 0; c < r->nlead; c++)
		r->lead[c] = (struct strbuf)STRBUF_INIT;
	r->label = (struct strbuf)STRBUF_INIT;
	if (v->json && strbuf_adds(out, "{\"MetricDataResults\":["))
		goto fail;
	if (!v->json && !v->merge) {
		r->width = calloc(r->ncols, sizeof(*r->width));
		if (!r->width)
			goto fail;
	}
	return r;
fail:
	free(r);
	return NULL;
}

/* Write the JSON results of the points gathered, labelled prefix. */
static int json_flush(struct series_render *r)
{
	const struct view *v = r->view;
	char ts[FORMAT_TIME_MAX];
	size_t k, i;
	int rc = 0;

	for (k = 0; k < v->nstats && !rc; k++) {
		struct strbuf label = STRBUF_INIT;

		rc = strbuf_addf(&label, "%s%s%s",
				 r->label.len ? r->label.buf : "",
				 r->label.len ? " " : "", v->stats[k].name);
		if (!rc)
			rc = strbuf_addf(r->out, "%s{\"Id\":\"m%u\",\"Label\":",
					 r->next_id ? "," : "", r->next_id + 1);
		if (!rc)
			rc = render_json_string(r->out, label.buf);
		strbuf_release(&label);
		r->next_id++;
		if (!rc)
			rc = strbuf_adds(r->out, ",\"Timestamps\":[");
		for (i = 0; i < r->npoints && !rc; i++)
			rc = strbuf_addf(r->out, "%s\"%s\"", i ? "," : "",
					 format_time(ts, r->ts[i]));
		if (!rc)
			rc = strbuf_adds(r->out, "],\"Values\":[");
		for (i = 0; i < r->npoints && !rc; i++) {
			rc = i ? strbuf_adds(r->out, ",") : 0;
			if (!rc)
				rc = render_json_number(
					r->out, r->values[i * v->nstats + k]);
		}
		if (!rc)
			rc = strbuf_adds(r->out,
					 "],\"StatusCode\":\"Complete\"}");
	}
	r->npoints = 0;
	return rc;
}

/* Set the current series' lead cells and label from its set. */
static int set_lead(struct series_render *r, const struct dimension_set *dims)
{
	size_t c;
	int rc = 0;

	for (c = 0; c < r->nlead; c++)
		strbuf_reset(&r->lead[c]);
	strbuf_reset(&r->label);
	if (r->view->series.all)
		rc = dims->count ? dimension_set_path(&r->lead[0], dims,
						      dims->count)
				 : strbuf_adds(&r->lead[0], "-");
	else
		/* The selector's names are the set's, in the same order. */
		for (c = 0; c < r->nlead && c < dims->count && !rc; c++)
			rc = dimension_encode_value(&r->lead[c],
						    dims->dims[c].value,
						    dims->dims[c].value_len);
	for (c = 0; c < dims->count && !rc; c++)
		rc = strbuf_addf(&r->label, "%s%s", c ? " " : "",
				 dims->dims[c].value);
	return rc;
}

int render_series_start(struct series_render *r,
			const struct dimension_set *dims)
{
	int rc = 0;

	if (r->view->merge)
		return 0;
	if (r->view->json && r->current)
		rc = json_flush(r);
	r->current = true;
	return rc ? rc : set_lead(r, dims);
}

/* Keep one period's statistics for the JSON columns. */
static int json_point(struct series_render *r, int64_t start_ms,
		      const struct summary *s)
{
	size_t nstats = r->view->nstats, k;

	if (r->npoints == r->pcap) {
		size_t cap = r->pcap ? 2 * r->pcap : 64;
		int64_t *ts = realloc(r->ts, cap * sizeof(*ts));
		double *values;

		if (!ts)
			return -ENOMEM;
		r->ts = ts;
		values = realloc(r->values, cap * nstats * sizeof(*values));
		if (!values)
			return -ENOMEM;
		r->values = values;
		r->pcap = cap;
	}
	r->ts[r->npoints] = start_ms;
	for (k = 0; k < nstats; k++)
		r->values[r->npoints * nstats + k] =
			stat_value(&r->view->stats[k], s);
	r->npoints++;
	return 0;
}

/* Set cell c of the last row to a copy of text. */
static int set_cell(struct series_render *r, size_t c, const char *text)
{
	char *copy = strdup(text);
	size_t len = strlen(text);

	if (!copy)
		return -ENOMEM;
	r->cells[(r->nrows - 1) * r->ncols + c] = copy;
	if (len > r->width[c])
		r->width[c] = len;
	return 0;
}

static int text_row(struct series_render *r, int64_t start_ms,
		    const struct summary *s)
{
	char num[FORMAT_DOUBLE_MAX], ts[FORMAT_TIME_MAX];
	size_t c;
	int rc = 0;

	if (r->nrows == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		char **cells =
			realloc(r->cells, cap * r->ncols * sizeof(*cells));

		if (!cells)
			return -ENOMEM;
		r->cells = cells;
		r->cap = cap;
	}
	/* Every cell NULL first, so that a failure frees what was set. */
	memset(&r->cells[r->nrows * r->ncols], 0, r->ncols * sizeof(char *));
	r->nrows++;
	for (c = 0; c < r->nlead && !rc; c++)
		rc = set_cell(r, c, r->lead[c].len ? r->lead[c].buf : "");
	if (!rc)
		rc = set_cell(r, r->nlead, format_time(ts, start_ms));
	for (c = 0; c < r->view->nstats && !rc; c++)
		rc = set_cell(
			r, r->nlead + 1 + c,
			format_double(num, stat_value(&r->view->stats[c], s)));
	return rc;
}

/* Merge one period of one series into the merged periods. */
static int merge_row(struct series_render *r, int64_t start_ms,
		     const struct summary *s)
{
	size_t lo = 0, hi = r->nmerged;
	int rc;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->mstart[mid] < start_ms)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == r->nmerged || r->mstart[lo] != start_ms) {
		if (r->nmerged == r->mcap) {
			size_t cap = r->mcap ? 2 * r->mcap : 64;
			int64_t *starts =
				realloc(r->mstart, cap * sizeof(*starts));
			struct summary *sums;

			if (!starts)
				return -ENOMEM;
			r->mstart = starts;
			sums = realloc(r->msum, cap * sizeof(*sums));
			if (!sums)
				return -ENOMEM;
			r->msum = sums;
			r->mcap = cap;
		}
		memmove(&r->mstart[lo + 1], &r->mstart[lo],
			(r->nmerged - lo) * sizeof(*r->mstart));
		memmove(&r->msum[lo + 1], &r->msum[lo],
			(r->nmerged - lo) * sizeof(*r->msum));
		r->mstart[lo] = start_ms;
		rc = summary_init(&r->msum[lo]);
		if (rc) {
			memmove(&r->mstart[lo], &r->mstart[lo + 1],
				(r->nmerged - lo) * sizeof(*r->mstart));
			memmove(&r->msum[lo], &r->msum[lo + 1],
				(r->nmerged - lo) * sizeof(*r->msum));
			return rc;
		}
		r->nmerged++;
	}
	return summary_merge(&r->msum[lo], s);
}

int render_series_row(void *ctx, int64_t start_ms, const struct summary *s)
{
	struct series_render *r = ctx;

	if (r->view->merge)
		return merge_row(r, start_ms, s);
	return r->view->json ? json_point(r, start_ms, s)
			     : text_row(r, start_ms, s);
}

/* Append one table line: cells padded to their column, none trailing. */
static int text_line(struct series_render *r, const char *const *cells)
{
	return format_table_line(r->out, cells, r->width, r->ncols);
}

static int text_end(struct series_render *r)
{
	struct strbuf first = STRBUF_INIT;
	const char *header[DIMENSION_MAX + 1 + VIEW_STATS_MAX + 1];
	size_t c, i;
	int rc;

	rc = strbuf_addf(&first, "# %s",
			 r->view->series.all ? "dimensions"
					     : r->view->series.names[0]);
	if (rc)
		return rc;
	header[0] = first.buf;
	for (c = 1; c < r->nlead; c++)
		header[c] = r->view->series.names[c];
	header[r->nlead] = "timestamp";
	for (c = 0; c < r->view->nstats; c++)
		header[r->nlead + 1 + c] = r->view->stats[c].name;
	for (c = 0; c < r->ncols; c++)
		if (strlen(header[c]) > r->width[c])
			r->width[c] = strlen(header[c]);
	rc = text_line(r, header);
	for (i = 0; i < r->nrows && !rc; i++)
		rc = text_line(r, (const char *const *)&r->cells[i * r->ncols]);
	strbuf_release(&first);
	return rc;
}

/* The merged periods as one metric: a table, or one result per stat. */
static int merged_end(struct series_render *r)
{
	struct metric_render *m;
	size_t i;
	int rc = 0;

	if (r->view->json) {
		strbuf_reset(&r->label);
		for (i = 0; i < r->nmerged && !rc; i++)
			rc = json_point(r, r->mstart[i], &r->msum[i]);
		return rc ? rc : json_flush(r);
	}
	m = render_metric_begin(r->out, r->view, r->name, r->unit);
	if (!m)
		return -ENOMEM;
	for (i = 0; i < r->nmerged && !rc; i++)
		rc = render_metric_row(m, r->mstart[i], &r->msum[i]);
	if (rc) {
		render_metric_abort(m);
		return rc;
	}
	return render_metric_end(m);
}

int render_series_end(struct series_render *r)
{
	int rc;

	if (r->view->merge)
		rc = merged_end(r);
	else if (r->view->json)
		rc = r->current ? json_flush(r) : 0;
	else
		rc = text_end(r);
	if (!rc && r->view->json)
		rc = strbuf_adds(r->out, "],\"Messages\":[]}\n");
	render_series_abort(r);
	return rc;
}

void render_series_abort(struct series_render *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nrows * r->ncols; i++)
		free(r->cells[i]);
	free(r->cells);
	free(r->width);
	for (i = 0; i < r->nlead; i++)
		strbuf_release(&r->lead[i]);
	strbuf_release(&r->label);
	free(r->ts);
	free(r->values);
	for (i = 0; i < r->nmerged; i++)
		summary_release(&r->msum[i]);
	free(r->mstart);
	free(r->msum);
	free(r);
}
