/*
 * dashboard_parse: a CloudWatch dashboard body's top level (start, end,
 * periodOverride, widgets), the layout of widgets written without a
 * position, and the grid order (lib/dashboard.h); what a widget holds is
 * lib/dashboard_widgets.c's.
 */
#include "lib/dashboard_impl.h"

#include "lib/format.h"
#include "lib/json_request.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The member key, a time, into *out (left as it is when absent). */
static int read_time(struct dash_ctx *ctx, json_t *root, const char *key,
		     struct dash_time *out)
{
	char q[FORMAT_QUOTE_SIZE];
	const char *s = NULL, *why = NULL;
	size_t mark;
	int rc;

	rc = dash_get_string(ctx, root, key, false, &s);
	if (rc || !s || dash_time_parse_why(s, strlen(s), out, &why) == 0)
		return rc;
	mark = dash_path_key(ctx, key);
	rc = dash_fail(ctx, "\"%s\" is not a time: %s",
		       format_quote(q, s, strlen(s)), why);
	dash_path_restore(ctx, mark);
	return rc;
}

static int read_period_override(struct dash_ctx *ctx, json_t *root)
{
	char q[FORMAT_QUOTE_SIZE];
	const char *s = NULL;
	size_t mark;
	int rc;

	rc = dash_get_string(ctx, root, "periodOverride", false, &s);
	if (rc || !s || !strcmp(s, "auto") || !strcmp(s, "inherit"))
		return rc;
	mark = dash_path_key(ctx, "periodOverride");
	rc = dash_fail(ctx, "\"%s\" is not auto or inherit",
		       format_quote(q, s, strlen(s)));
	dash_path_restore(ctx, mark);
	return rc;
}

/*
 * Place the widgets that gave no position (placed[i] false): below every
 * widget that gave one, in the order written, left to right; one that
 * does not fit in what is left of its row starts a new row, at the
 * lowest bottom of the row before. So an auto-placed widget never
 * overlaps another; widgets placed by the body may overlap (as written).
 */
static void lay_out(struct dash_widget *w, const bool *placed, size_t n)
{
	int top = 0, x = 0, row_y, row_bottom;
	size_t i;

	for (i = 0; i < n; i++)
		if (placed[i] && w[i].y + w[i].height > top)
			top = w[i].y + w[i].height;
	row_y = row_bottom = top;
	for (i = 0; i < n; i++) {
		if (placed[i])
			continue;
		if (x + w[i].width > DASHBOARD_GRID_COLUMNS) {
			x = 0;
			row_y = row_bottom;
		}
		w[i].x = x;
		w[i].y = row_y;
		x += w[i].width;
		if (row_y + w[i].height > row_bottom)
			row_bottom = row_y + w[i].height;
	}
}

static bool grid_before(const struct dash_widget *a,
			const struct dash_widget *b)
{
	return a->y < b->y || (a->y == b->y && a->x < b->x);
}

/* Sort w[0..n) by y, then x, keeping the written order of ties. */
static void sort_grid(struct dash_widget *w, size_t n)
{
	struct dash_widget tmp;
	size_t i, j;

	/* At most DASH_WIDGETS_MAX: an insertion sort is stable and enough.
	 */
	for (i = 1; i < n; i++) {
		tmp = w[i];
		for (j = i; j > 0 && grid_before(&tmp, &w[j - 1]); j--)
			w[j] = w[j - 1];
		w[j] = tmp;
	}
}

static int read_widgets(struct dash_ctx *ctx, json_t *root, struct dashboard *d)
{
	json_t *widgets = json_object_get(root, "widgets"), *v;
	bool *placed = NULL;
	size_t i, n, mark, outer;
	int rc = 0;

	if (!widgets)
		return dash_fail(ctx, "\"widgets\" is required");
	outer = dash_path_key(ctx, "widgets");
	n = json_array_size(widgets);
	if (!json_is_array(widgets))
		rc = dash_fail(ctx, "must be an array, not %s",
			       json_request_type_name(widgets));
	else if (n > DASH_WIDGETS_MAX)
		rc = dash_fail(ctx, "%zu widgets, over CloudWatch's %d", n,
			       DASH_WIDGETS_MAX);
	else if (n && (!(d->widgets = calloc(n, sizeof(*d->widgets))) ||
		       !(placed = calloc(n, sizeof(*placed)))))
		rc = dash_nomem(ctx);
	for (i = 0; !rc && i < n; i++) {
		v = json_array_get(widgets, i);
		mark = dash_path_index(ctx, i);
		d->nwidgets++;
		rc = dash_widget_parse(ctx, v, &d->widgets[i], &placed[i]);
		dash_path_restore(ctx, mark);
	}
	if (!rc) {
		lay_out(d->widgets, placed, d->nwidgets);
		sort_grid(d->widgets, d->nwidgets);
	}
	free(placed);
	dash_path_restore(ctx, outer);
	return rc;
}

int dashboard_parse(const char *body, size_t len, struct dashboard *out,
		    struct err *err)
{
	struct dash_ctx ctx = {.err = err, .path = "", .path_len = 0};
	struct dashboard d = {
		.start = {true, -DASHBOARD_DEFAULT_RANGE_MS},
		.end = {true, 0},
	};
	json_t *root = NULL;
	int rc;

	*out = (struct dashboard){0};
	if (len > DASHBOARD_BODY_MAX) {
		err_set(err, "the body is %zu bytes, over %d", len,
			DASHBOARD_BODY_MAX);
		return -EFBIG;
	}
	rc = json_request_load(body, len, &root, err);
	if (rc)
		return rc;
	rc = read_time(&ctx, root, "start", &d.start);
	if (!rc)
		rc = read_time(&ctx, root, "end", &d.end);
	if (!rc)
		rc = read_period_override(&ctx, root);
	if (!rc)
		rc = read_widgets(&ctx, root, &d);
	json_decref(root);
	if (rc) {
		dashboard_free(&d);
		return rc;
	}
	*out = d;
	return 0;
}

void dashboard_free(struct dashboard *d)
{
	size_t i;

	for (i = 0; i < d->nwidgets; i++)
		dash_widget_free(&d->widgets[i]);
	free(d->widgets);
	d->widgets = NULL;
	d->nwidgets = 0;
}
