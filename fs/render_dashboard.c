/*
 * render_dashboard: gather what each widget of a dashboard shows, then
 * draw it (lib/dashboard_draw.h). What a row or an alarm shows is what
 * its reader may read (SPEC 9): a metric or alarm the reader may not
 * read draws as one that does not exist, and the refusal is on the
 * trail, as a direct read of it would be.
 *
 * Memory: a row's values are one double per period, at most
 * DASHBOARD_POINTS_MAX of them (or the text's sparkline columns); all
 * of a dashboard's data is freed when its drawing is made.
 */
#include "fs/render_dashboard.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs/access.h"
#include "fs/audit.h"
#include "fs/monfs.h"
#include "fs/render_dashboard_logs.h"
#include "fs/view.h"
#include "lib/alarm.h"
#include "lib/dashboard.h"
#include "lib/dashboard_draw.h"
#include "lib/perm.h"
#include "lib/timeutil.h"

/* What gathering needs of the read: the range, the view, the reader. */
struct gather {
	struct store *st;
	struct caller who;
	bool record; /* refusals go on the trail */
	const struct view *v;
	int64_t start_ms, end_ms;
	size_t max_points;
	struct node scratch; /* a row's or an alarm's node, reused */
};

/* Everything one widget's frame points at, owned here. */
struct widget_data {
	struct dash_series *series;
	double *values; /* every row's, one block */
	const char **states;
	struct dashboard_log log;
};

/* store_stats_fn's context: one row's values per period. */
struct fill {
	const struct stat_spec *stat;
	int64_t first_ms, period_ms;
	double *values;
	size_t n;
};

static int fill_value(void *ctx, int64_t start_ms, const struct summary *s)
{
	struct fill *f = ctx;
	int64_t i = (start_ms - f->first_ms) / f->period_ms;

	if (s->count && i >= 0 && (size_t)i < f->n)
		f->values[i] = stat_value(f->stat, s);
	return 0;
}

/*
 * The period a row is drawn with: the view's, else the row's, widened
 * to a multiple of itself when the range would give more than the
 * drawing's points (CloudWatch's auto period). Its periods are those
 * that start in [start, end), as a metric's views count them (3 hours
 * of 5-minute periods are 36 of them): *first_ms the first's start, *n
 * their number.
 */
static int64_t row_period(const struct gather *g, const struct dash_row *row,
			  int64_t *first_ms, size_t *n)
{
	int64_t period_ms =
		(g->v->period_given ? g->v->period_s : row->period_s) *
		MS_PER_SECOND;
	int64_t first = ceil_div(g->start_ms, period_ms) * period_ms;
	int64_t count = ceil_div(g->end_ms - first, period_ms);

	if (count > (int64_t)g->max_points) {
		period_ms *= ceil_div(count, (int64_t)g->max_points);
		first = ceil_div(g->start_ms, period_ms) * period_ms;
		count = ceil_div(g->end_ms - first, period_ms);
	}
	if (count < 0)
		count = 0;
	*first_ms = first;
	*n = (size_t)count;
	return period_ms;
}

/*
 * Resolve path into g->scratch and check that the reader may read it,
 * the refusal recorded as op. 0, -ENOENT (nothing there), -EACCES.
 */
static int readable(struct gather *g, const char *path, const char *op)
{
	int rc = node_resolve(path, &g->scratch);

	if (!rc && g->scratch.type != NT_FILE)
		rc = -ENOENT;
	if (!rc)
		rc = access_read(path, &g->scratch, &g->who, g->record, op);
	return rc;
}

/*
 * A row's values: the statistics of its series, if it exists and the
 * reader may read it; NAN for every period without data. 0 or -errno.
 */
static int gather_row(struct gather *g, const struct dash_row *row,
		      struct dash_series *s, double *values, size_t n)
{
	struct strbuf path = STRBUF_INIT;
	struct fill f = {&row->stat, s->start_ms, s->period_ms, values, n};
	size_t i;
	int rc;

	for (i = 0; i < n; i++)
		values[i] = NAN;
	if (row->expression || !row->visible)
		return 0;
	rc = strbuf_adds(&path, "/metrics/");
	if (!rc)
		rc = dimension_metric_path(&path, row->ns, strlen(row->ns),
					   &row->dims, row->name,
					   strlen(row->name));
	if (!rc)
		rc = readable(g, path.buf, "GetMetricStatistics");
	if (!rc && !g->scratch.view) {
		struct stats_query q = {s->period_ms / MS_PER_SECOND,
					s->start_ms, g->end_ms, store_now_ms()};

		rc = store_metric_stats(g->st, g->scratch.metric.id, &q,
					fill_value, &f);
	}
	strbuf_release(&path);
	/* A metric that does not exist, or is not the reader's: empty. */
	return rc == -ENOENT || rc == -EACCES || rc == -EINVAL ||
			       rc == -ENAMETOOLONG
		       ? 0
		       : rc;
}

static int gather_metric(struct gather *g, const struct dash_widget *w,
			 struct widget_data *wd, struct dash_frame *f)
{
	size_t i, total = 0, at = 0;
	int rc = 0;

	wd->series = calloc(w->nrows ? w->nrows : 1, sizeof(*wd->series));
	if (!wd->series)
		return -ENOMEM;
	for (i = 0; i < w->nrows; i++) {
		struct dash_series *s = &wd->series[i];

		s->row = &w->rows[i];
		s->period_ms = row_period(g, s->row, &s->start_ms, &s->nvalues);
		total += s->nvalues;
	}
	wd->values = malloc((total ? total : 1) * sizeof(*wd->values));
	if (!wd->values)
		return -ENOMEM;
	for (i = 0; !rc && i < w->nrows; i++) {
		struct dash_series *s = &wd->series[i];

		s->values = wd->values + at;
		rc = gather_row(g, s->row, s, wd->values + at, s->nvalues);
		at += s->nvalues;
	}
	f->series = wd->series;
	f->nseries = w->nrows;
	return rc;
}

/* Each alarm's state, NULL for one that does not exist or is not ours. */
static int gather_alarms(struct gather *g, const struct dash_widget *w,
			 struct widget_data *wd, struct dash_frame *f)
{
	char path[PATH_MAX];
	size_t i;

	wd->states = calloc(w->nalarms ? w->nalarms : 1, sizeof(*wd->states));
	if (!wd->states)
		return -ENOMEM;
	for (i = 0; i < w->nalarms; i++) {
		int rc;

		if ((size_t)snprintf(path, sizeof(path), "/alarms/%s",
				     w->alarms[i]) >= sizeof(path))
			continue;
		rc = readable(g, path, "DescribeAlarms");
		if (!rc && !g->scratch.being_created)
			rc = store_alarm_state(g->st, w->alarms[i]);
		else if (!rc)
			rc = -ENOENT;
		if (rc >= 0)
			wd->states[i] = alarm_state_name((enum alarm_state)rc);
		else if (rc != -ENOENT && rc != -EACCES && rc != -EINVAL &&
			 rc != -ENAMETOOLONG)
			return rc;
	}
	f->alarm_states = wd->states;
	return 0;
}

static void widget_data_free(struct widget_data *wd)
{
	free(wd->series);
	free(wd->values);
	free(wd->states);
	dashboard_log_release(&wd->log);
}

/* The range a view draws: its since and until, else the body's. */
static int view_range(const struct dashboard *d, const struct view *v,
		      int64_t now_ms, struct gather *g, struct err *err)
{
	int rc = dashboard_range(d, now_ms, &g->start_ms, &g->end_ms);

	if (v->since_given)
		g->start_ms = v->since_ms;
	if (v->until_given)
		g->end_ms = v->until_ms;
	if (rc && !v->since_given && !v->until_given) {
		err_set(err, "the body's start is not before its end");
		return rc;
	}
	if (g->start_ms >= g->end_ms) {
		err_set(err, "since is not before until");
		return -EINVAL;
	}
	return 0;
}

/* Gather every widget's data and draw d as v asks into out. */
static int draw(struct gather *g, const char *name, const struct dashboard *d,
		struct strbuf *out)
{
	struct dash_frame *frames =
		calloc(d->nwidgets ? d->nwidgets : 1, sizeof(*frames));
	struct widget_data *data =
		calloc(d->nwidgets ? d->nwidgets : 1, sizeof(*data));
	struct dash_draw_options o = {name, g->start_ms, g->end_ms,
				      g->v->width};
	size_t i;
	int rc = frames && data ? 0 : -ENOMEM;

	for (i = 0; !rc && i < d->nwidgets; i++) {
		const struct dash_widget *w = &d->widgets[i];

		if (w->type == DASH_WIDGET_METRIC)
			rc = gather_metric(g, w, &data[i], &frames[i]);
		else if (w->type == DASH_WIDGET_ALARM)
			rc = gather_alarms(g, w, &data[i], &frames[i]);
		else if (w->type == DASH_WIDGET_LOG)
			rc = dashboard_log_gather(g->st, &g->who, g->record,
						  w->query, g->start_ms,
						  g->end_ms, &data[i].log,
						  &frames[i].table);
	}
	if (!rc)
		rc = g->v->drawing == DRAW_SVG
			     ? dash_draw_svg(out, d, frames, &o)
		     : g->v->drawing == DRAW_HTML
			     ? dash_draw_html(out, d, frames, &o)
			     : dash_draw_text(out, d, frames, &o);
	for (i = 0; data && i < d->nwidgets; i++)
		widget_data_free(&data[i]);
	free(data);
	free(frames);
	return rc;
}

/* A refusal, on the trail when the drawing records. */
static int refuse(bool record, const char *path, int rc, const char *why)
{
	return record ? audit_refusal(path, "GetDashboard", rc, why) : rc;
}

int64_t render_dashboard_size(const struct node *n)
{
	struct strbuf text = STRBUF_INIT;
	int64_t size =
		render_dashboard(n, false, &text) ? 0 : (int64_t)text.len;

	strbuf_release(&text);
	return size;
}

int render_dashboard(const struct node *n, bool record, struct strbuf *out)
{
	struct store *st = monfs_get()->store;
	/*
	 * The end of the current second: drawings within it are alike, and
	 * hold what was written in it.
	 */
	int64_t now =
		(floor_div(store_now_ms(), MS_PER_SECOND) + 1) * MS_PER_SECOND;
	struct strbuf body = STRBUF_INIT;
	struct dashboard d = {0};
	struct gather *g = NULL;
	char path[PATH_MAX];
	struct err err = {""};
	struct view v;
	int rc;

	snprintf(path, sizeof(path), "/dashboards/%.*s", PATH_MAX - 16,
		 n->path.rest);
	rc = view_parse(n->path.query, VIEW_DASHBOARD, now, &v, &err);
	if (rc)
		return refuse(record, path, rc, err.msg);
	rc = store_dashboard_render(st, n->path.rest, &body);
	if (!rc && v.drawing == DRAW_JSON) {
		rc = dashboard_body_print(body.buf, body.len, true, out);
		goto out;
	}
	if (!rc)
		rc = dashboard_parse(body.buf, body.len, &d, &err);
	if (!rc) {
		g = calloc(1, sizeof(*g));
		rc = g ? 0 : -ENOMEM;
	}
	if (!rc) {
		g->st = st;
		g->who = node_caller();
		g->record = record;
		g->v = &v;
		g->max_points = v.drawing == DRAW_TEXT
					? dash_text_spark_columns(v.width)
					: DASHBOARD_POINTS_MAX;
		rc = view_range(&d, &v, now, g, &err);
		if (rc)
			rc = refuse(record, path, rc, err.msg);
	}
	if (!rc)
		rc = draw(g, n->path.rest, &d, out);
out:
	free(g);
	dashboard_free(&d);
	strbuf_release(&body);
	view_release(&v);
	return rc;
}
