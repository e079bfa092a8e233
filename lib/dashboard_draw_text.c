/*
 * dashboard_draw_text: a dashboard for a terminal (SPEC 15), widget by
 * widget in grid order.
 *
 * A metric row's line is three columns: its label, its sparkline, and
 * its numbers ("last 3 min 1 max 9"). Within one widget the columns line
 * up: the sparkline column is as wide as the widget's longest line of
 * values (at most dash_text_spark_columns), the numbers column as its
 * widest numbers, and the label gets what is left, at least
 * TEXT_LABEL_MIN, cut with "…". Numbers too wide even then are cut too:
 * no line is ever wider than the width.
 *
 * Width is counted in code points: every character monfs draws (the
 * blocks ▁..█, "…") is one column, and a user's East Asian wide text
 * may overrun (wcwidth would follow the locale, and fs/ has none).
 * Text from the user is made printable first: bad UTF-8 becomes U+FFFD,
 * control bytes blanks, so a label cannot break a line.
 */
#include "lib/dashboard_draw.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/dashboard_draw_impl.h"
#include "lib/format.h"
#include "lib/utf8.h"

/* The label's and the numbers' columns of a row at a width, and gaps. */
#define TEXT_SIDE_COLUMNS 42
#define TEXT_GAP 1
#define TEXT_SPARK_MIN 8
#define TEXT_LABEL_MIN 12
#define TEXT_GAUGE_BAR 20 /* cells between '[' and ']' */
#define TEXT_BAR_MAX 40

static const char *const SPARK[8] = {
	"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
	"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88",
};
static const char ELLIPSIS[] = "\xe2\x80\xa6";

/*
 * 80 columns give 36: three hours of CloudWatch's default 5-minute
 * periods, beside an 18-column label and 24 columns of numbers.
 */
size_t dash_text_spark_columns(int width)
{
	if (width < DASH_TEXT_WIDTH_MIN)
		width = DASH_TEXT_WIDTH_MIN;
	if (width > DASH_TEXT_WIDTH_MAX)
		width = DASH_TEXT_WIDTH_MAX;
	if (width - TEXT_SIDE_COLUMNS - 2 * TEXT_GAP < TEXT_SPARK_MIN)
		return TEXT_SPARK_MIN;
	return (size_t)(width - TEXT_SIDE_COLUMNS - 2 * TEXT_GAP);
}

struct text_draw {
	struct strbuf *out;
	struct strbuf clean; /* scratch: one text made printable */
	struct strbuf cell;  /* scratch: a label, a sparkline, numbers */
	size_t width;
	size_t spark; /* dash_text_spark_columns(width) */
};

/* Code points of well-formed UTF-8 s[0..len). */
static size_t columns(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

/* Byte length of the first cols code points of well-formed UTF-8 s. */
static size_t prefix_bytes(const char *s, size_t len, size_t cols)
{
	size_t i = 0;

	while (i < len && cols) {
		i++;
		while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		cols--;
	}
	return i;
}

/* Replace t->clean with s made printable (see the file's comment). */
static int make_clean(struct text_draw *t, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n;
	int rc = 0;

	strbuf_reset(&t->clean);
	while (i < len && !rc) {
		n = utf8_sequence_length(u + i, len - i);
		if (n == 1 && (u[i] < 0x20 || u[i] == 0x7F))
			rc = strbuf_add(&t->clean, " ", 1);
		else if (n == 0)
			rc = strbuf_add(&t->clean, "\xef\xbf\xbd", 3);
		else
			rc = strbuf_add(&t->clean, s + i, n);
		i += n ? n : 1;
	}
	/* A first append that fails leaves buf NULL: make it "". */
	return rc ? rc : strbuf_grow(&t->clean, 0);
}

/*
 * Append s[0..len) (well-formed UTF-8) in cols columns: a longer text
 * cut to cols - 1 and "…", a shorter one padded with blanks when pad.
 */
static int add_fit(struct strbuf *out, const char *s, size_t len, size_t cols,
		   bool pad)
{
	size_t have = columns(s, len);
	int rc;

	if (have > cols) {
		if (!cols)
			return 0;
		rc = strbuf_add(out, s, prefix_bytes(s, len, cols - 1));
		return rc ? rc
			  : strbuf_add(out, ELLIPSIS, sizeof(ELLIPSIS) - 1);
	}
	rc = strbuf_add(out, s, len);
	if (!rc && pad && have < cols)
		rc = strbuf_addf(out, "%*s", (int)(cols - have), "");
	return rc;
}

/* add_fit for a user's text, made printable first. */
static int add_text(struct text_draw *t, const char *s, size_t cols, bool pad)
{
	int rc = make_clean(t, s ? s : "", s ? strlen(s) : 0);

	return rc ? rc : add_fit(t->out, t->clean.buf, t->clean.len, cols, pad);
}

/* A line of a user's text, cut to the width. */
static int text_line(struct text_draw *t, const char *s, size_t len)
{
	int rc = make_clean(t, s, len);

	if (!rc)
		rc = add_fit(t->out, t->clean.buf, t->clean.len, t->width,
			     false);
	return rc ? rc : strbuf_add(t->out, "\n", 1);
}

/* Code points of a user's text once printable. 0 on failure (rc set). */
static size_t text_columns(struct text_draw *t, const char *s, int *rc)
{
	*rc = make_clean(t, s ? s : "", s ? strlen(s) : 0);
	return *rc ? 0 : columns(t->clean.buf, t->clean.len);
}

/* ---- metric rows ---- */

/* The values a row's line shows: the last t->spark of them. */
static void shown_values(const struct text_draw *t, const struct dash_series *s,
			 const double **values, size_t *n)
{
	*values = NULL;
	*n = 0;
	if (!s || !s->values)
		return;
	*n = s->nvalues < t->spark ? s->nvalues : t->spark;
	*values = s->values + (s->nvalues - *n);
}

/* Append the numbers of a row's line: "last A min B max C". */
static int add_numbers(struct strbuf *out, const struct dash_extent *e)
{
	char last[FORMAT_DOUBLE_MAX], min[FORMAT_DOUBLE_MAX],
		max[FORMAT_DOUBLE_MAX];

	if (!e->count)
		return strbuf_adds(out, "no data");
	return strbuf_addf(out, "last %s min %s max %s",
			   format_double(last, dash_display_value(e->last)),
			   format_double(min, dash_display_value(e->min)),
			   format_double(max, dash_display_value(e->max)));
}

/* The block of v between min and max: ▁ at min, █ at max. */
static const char *spark_char(double v, double min, double max)
{
	double level;

	if (isnan(v))
		return " ";
	if (!(max > min))
		return SPARK[3];
	level = (v - min) / (max - min) * 7;
	if (isnan(level)) /* an infinity over an infinite range */
		level = v >= max ? 7 : 0;
	return SPARK[(int)lround(level < 0 ? 0 : level > 7 ? 7 : level)];
}

static int add_sparkline(struct strbuf *out, const double *values, size_t n,
			 const struct dash_extent *e)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < n && !rc; i++)
		rc = strbuf_adds(out, spark_char(values[i], e->min, e->max));
	return rc;
}

/* A gauge's bar, "[#####.....]", v against [lo, hi]. */
static int add_gauge(struct strbuf *out, double v, double lo, double hi)
{
	double f = hi > lo ? (v - lo) / (hi - lo) : 0;
	size_t fill, i;
	int rc;

	if (isnan(f) || f < 0)
		f = 0;
	if (f > 1)
		f = 1;
	fill = (size_t)lround(f * TEXT_GAUGE_BAR);
	rc = strbuf_add(out, "[", 1);
	for (i = 0; i < TEXT_GAUGE_BAR && !rc; i++)
		rc = strbuf_add(out, i < fill ? "#" : ".", 1);
	return rc ? rc : strbuf_add(out, "]", 1);
}

/* A bar view's bar: v of max in cols cells of '#', padded. */
static int add_bar(struct strbuf *out, double v, double max, size_t cols)
{
	size_t fill = 0;

	if (max > 0 && v > 0 && isfinite(v / max))
		fill = (size_t)lround(v / max * (double)cols);
	if (fill > cols)
		fill = cols;
	if (strbuf_grow(out, cols))
		return -ENOMEM;
	memset(out->buf + out->len, '#', fill);
	memset(out->buf + out->len + fill, ' ', cols - fill);
	out->len += cols;
	out->buf[out->len] = '\0';
	return 0;
}

/* The columns of a metric widget's lines (see the file's comment). */
struct row_layout {
	size_t label, middle, numbers;
	double bar_max; /* bar view: the largest last value */
};

/*
 * The middle column of row i: its sparkline, gauge or bar (nothing for
 * singleValue), into t->cell after what is there.
 */
static int add_middle(struct text_draw *t, const struct dash_widget *w,
		      const struct row_layout *lay, const double *values,
		      size_t n, const struct dash_extent *e)
{
	switch (w->view) {
	case DASH_VIEW_TIMESERIES:
		return add_sparkline(&t->cell, values, n, e);
	case DASH_VIEW_GAUGE:
		return add_gauge(&t->cell, e->last,
				 isnan(w->y_min) ? 0 : w->y_min,
				 isnan(w->y_max) ? 100 : w->y_max);
	case DASH_VIEW_BAR:
		return add_bar(&t->cell, e->last, lay->bar_max, lay->middle);
	case DASH_VIEW_SINGLEVALUE:
		break;
	}
	return 0;
}

/* The numbers of a row in its view: all three, or the last alone. */
static int add_row_numbers(struct strbuf *out, const struct dash_widget *w,
			   const struct dash_extent *e)
{
	char buf[FORMAT_DOUBLE_MAX];

	if (w->view == DASH_VIEW_TIMESERIES || !e->count)
		return add_numbers(out, e);
	return strbuf_adds(out,
			   format_double(buf, dash_display_value(e->last)));
}

static size_t middle_columns(const struct text_draw *t,
			     const struct dash_widget *w, size_t max_values)
{
	switch (w->view) {
	case DASH_VIEW_TIMESERIES:
		return max_values;
	case DASH_VIEW_GAUGE:
		return TEXT_GAUGE_BAR + 2;
	case DASH_VIEW_BAR:
		return t->width / 3 < TEXT_BAR_MAX ? t->width / 3
						   : TEXT_BAR_MAX;
	case DASH_VIEW_SINGLEVALUE:
		break;
	}
	return 0;
}

/* First pass over a metric widget's rows: the columns its lines need. */
static int measure_rows(struct text_draw *t, const struct dash_widget *w,
			const struct dash_frame *f, struct row_layout *lay)
{
	size_t i, label_max = 0, values_max = 0, gaps, room;
	int rc = 0;

	memset(lay, 0, sizeof(*lay));
	for (i = 0; i < w->nrows && !rc; i++) {
		const struct dash_row *row = &w->rows[i];
		const double *values;
		struct dash_extent e;
		size_t n, cols;

		if (!row->visible)
			continue;
		shown_values(t, dash_frame_series(f, i), &values, &n);
		dash_extent_of(values, n, &e);
		strbuf_reset(&t->cell);
		rc = dash_row_label(&t->cell, row);
		cols = rc ? 0 : text_columns(t, t->cell.buf, &rc);
		if (cols > label_max)
			label_max = cols;
		if (row->expression)
			continue;
		if (n > values_max)
			values_max = n;
		strbuf_reset(&t->cell);
		if (!rc)
			rc = add_row_numbers(&t->cell, w, &e);
		if (t->cell.len > lay->numbers)
			lay->numbers = t->cell.len;
		if (e.count && e.last > lay->bar_max)
			lay->bar_max = e.last;
	}
	lay->middle = middle_columns(t, w, values_max);
	gaps = lay->middle ? 2 * TEXT_GAP : TEXT_GAP + 1;
	/*
	 * The label gets what the others leave, but never less than
	 * TEXT_LABEL_MIN (or its own width, if that is less): the numbers
	 * are cut first.
	 */
	room = t->width > lay->middle + lay->numbers + gaps
		       ? t->width - lay->middle - lay->numbers - gaps
		       : 0;
	if (room < TEXT_LABEL_MIN)
		room = TEXT_LABEL_MIN;
	lay->label = label_max < room ? label_max : room;
	return rc;
}

/* One drawn row's line, label, middle and numbers. */
static int row_line(struct text_draw *t, const struct dash_widget *w,
		    const struct row_layout *lay, const struct dash_row *row,
		    const struct dash_series *s)
{
	const double *values;
	struct dash_extent e;
	size_t n, used, rest;
	int rc;

	shown_values(t, s, &values, &n);
	dash_extent_of(values, n, &e);
	strbuf_reset(&t->cell);
	rc = dash_row_label(&t->cell, row);
	if (!rc)
		rc = add_text(t, t->cell.buf, lay->label, true);
	used = lay->label + TEXT_GAP;
	if (!rc)
		rc = strbuf_add(t->out, " ", TEXT_GAP);
	if (!rc && row->expression) {
		rc = strbuf_adds(t->out, "(expression, not drawn)");
		return rc ? rc : strbuf_add(t->out, "\n", 1);
	}
	strbuf_reset(&t->cell);
	if (!rc && lay->middle) {
		rc = add_middle(t, w, lay, values, n, &e);
		/* A short sparkline is padded to the column. */
		if (!rc && columns(t->cell.buf, t->cell.len) < lay->middle)
			rc = strbuf_addf(
				&t->cell, "%*s",
				(int)(lay->middle -
				      columns(t->cell.buf, t->cell.len)),
				"");
		if (!rc)
			rc = strbuf_add(&t->cell, " ", TEXT_GAP);
		used += lay->middle + TEXT_GAP;
	} else if (!rc) {
		/* No middle column: two blanks between label and number. */
		rc = strbuf_add(&t->cell, " ", 1);
		used += 1;
	}
	if (!rc)
		rc = strbuf_add(t->out, t->cell.buf, t->cell.len);
	strbuf_reset(&t->cell);
	if (!rc)
		rc = add_row_numbers(&t->cell, w, &e);
	rest = t->width > used ? t->width - used : 0;
	if (!rc)
		rc = add_fit(t->out, t->cell.buf, t->cell.len, rest, false);
	return rc ? rc : strbuf_add(t->out, "\n", 1);
}

static int metric_widget(struct text_draw *t, const struct dash_widget *w,
			 const struct dash_frame *f)
{
	struct row_layout lay;
	size_t i;
	int rc;

	rc = measure_rows(t, w, f, &lay);
	for (i = 0; i < w->nrows && !rc; i++)
		if (w->rows[i].visible)
			rc = row_line(t, w, &lay, &w->rows[i],
				      dash_frame_series(f, i));
	return rc;
}

/* ---- the other widgets ---- */

static int alarm_widget(struct text_draw *t, const struct dash_widget *w,
			const struct dash_frame *f)
{
	size_t i, name_max = 0, cols;
	int rc = 0;

	for (i = 0; i < w->nalarms && !rc; i++) {
		cols = text_columns(t, w->alarms[i], &rc);
		if (cols > name_max)
			name_max = cols;
	}
	if (name_max > t->width / 2)
		name_max = t->width / 2;
	for (i = 0; i < w->nalarms && !rc; i++) {
		const char *state =
			f && f->alarm_states ? f->alarm_states[i] : NULL;

		rc = add_text(t, w->alarms[i], name_max, true);
		if (!rc)
			rc = strbuf_add(t->out, "  ", 2);
		if (!rc)
			rc = add_text(t, state ? state : "(no such alarm)",
				      t->width - name_max - 2, false);
		if (!rc)
			rc = strbuf_add(t->out, "\n", 1);
	}
	return rc;
}

static int markdown_widget(struct text_draw *t, const struct dash_widget *w)
{
	const char *s = w->markdown ? w->markdown : "", *nl;
	int rc = 0;

	while (*s && !rc) {
		nl = strchr(s, '\n');
		if (!nl)
			nl = s + strlen(s);
		rc = text_line(t, s, (size_t)(nl - s));
		s = *nl ? nl + 1 : nl;
	}
	return rc;
}

/* One line of a log widget's table, cells padded to widths[] + 2. */
static int table_line(struct text_draw *t, const char *const *cells,
		      const size_t *widths, size_t ncols)
{
	size_t c;
	int rc = 0;

	strbuf_reset(&t->cell);
	for (c = 0; c < ncols && !rc; c++) {
		rc = make_clean(t, cells[c] ? cells[c] : "",
				cells[c] ? strlen(cells[c]) : 0);
		if (!rc)
			rc = add_fit(&t->cell, t->clean.buf, t->clean.len,
				     widths[c] + 2, c + 1 < ncols);
	}
	if (!rc)
		rc = add_fit(t->out, t->cell.buf, t->cell.len, t->width, false);
	return rc ? rc : strbuf_add(t->out, "\n", 1);
}

static int log_widget(struct text_draw *t, const struct dash_frame *f)
{
	const struct dash_table *tb = f ? &f->table : NULL;
	size_t *widths, r, c, cols;
	int rc = 0;

	if (tb && tb->error) {
		rc = strbuf_adds(t->out, "query failed: ");
		return rc ? rc : text_line(t, tb->error, strlen(tb->error));
	}
	if (!tb || !tb->header || !tb->ncolumns)
		return strbuf_adds(t->out, "(no rows)\n");
	widths = calloc(tb->ncolumns, sizeof(*widths));
	if (!widths)
		return -ENOMEM;
	for (r = 0; r <= tb->nrows && !rc; r++) {
		const char *const *cells =
			r == 0 ? tb->header
			       : tb->cells + (r - 1) * tb->ncolumns;

		for (c = 0; c < tb->ncolumns && !rc; c++) {
			cols = text_columns(t, cells[c], &rc);
			if (cols > widths[c])
				widths[c] = cols;
		}
	}
	for (r = 0; r <= tb->nrows && !rc; r++)
		rc = table_line(t,
				r == 0 ? tb->header
				       : tb->cells + (r - 1) * tb->ncolumns,
				widths, tb->ncolumns);
	if (!rc && !tb->nrows)
		rc = strbuf_adds(t->out, "(no rows)\n");
	free(widths);
	return rc;
}

/* "Title", or for a widget that is not a metric "[alarm] Title". */
static int title_line(struct text_draw *t, const struct dash_widget *w)
{
	const char *title = dash_widget_title(w);
	int rc;

	strbuf_reset(&t->cell);
	if (w->type != DASH_WIDGET_METRIC)
		rc = strbuf_addf(&t->cell, "[%s]%s%s", dash_widget_type_name(w),
				 title ? " " : "", title ? title : "");
	else
		rc = strbuf_adds(&t->cell, title ? title : "(untitled)");
	return rc ? rc : text_line(t, t->cell.buf, t->cell.len);
}

static int widget(struct text_draw *t, const struct dash_widget *w,
		  const struct dash_frame *f)
{
	int rc = title_line(t, w);

	if (rc)
		return rc;
	switch (w->type) {
	case DASH_WIDGET_METRIC:
		return metric_widget(t, w, f);
	case DASH_WIDGET_ALARM:
		return alarm_widget(t, w, f);
	case DASH_WIDGET_TEXT:
		return markdown_widget(t, w);
	case DASH_WIDGET_LOG:
		return log_widget(t, f);
	case DASH_WIDGET_OTHER:
		break;
	}
	return strbuf_adds(t->out, "(not drawn)\n");
}

/* "NAME  2026-12-06T07:00:00Z to 2026-12-06T10:00:00Z (UTC)" */
static int header_line(struct text_draw *t, const struct dash_draw_options *o)
{
	char start[FORMAT_TIME_MAX], end[FORMAT_TIME_MAX];
	int rc;

	strbuf_reset(&t->cell);
	rc = strbuf_addf(
		&t->cell, "%s  %s to %s (UTC)", o->name ? o->name : "dashboard",
		format_time(start, o->start_ms), format_time(end, o->end_ms));
	return rc ? rc : text_line(t, t->cell.buf, t->cell.len);
}

int dash_draw_text(struct strbuf *out, const struct dashboard *d,
		   const struct dash_frame *frames,
		   const struct dash_draw_options *o)
{
	struct text_draw t = {
		.out = out, .clean = STRBUF_INIT, .cell = STRBUF_INIT};
	size_t mark = out->len, i;
	int width = o->width ? o->width : DASH_TEXT_WIDTH_DEFAULT;
	int rc;

	if (width < DASH_TEXT_WIDTH_MIN)
		width = DASH_TEXT_WIDTH_MIN;
	if (width > DASH_TEXT_WIDTH_MAX)
		width = DASH_TEXT_WIDTH_MAX;
	t.width = (size_t)width;
	t.spark = dash_text_spark_columns(width);
	rc = header_line(&t, o);
	for (i = 0; i < d->nwidgets && !rc; i++) {
		rc = strbuf_add(out, "\n", 1);
		if (!rc)
			rc = widget(&t, &d->widgets[i],
				    frames ? &frames[i] : NULL);
	}
	strbuf_release(&t.clean);
	strbuf_release(&t.cell);
	if (rc)
		dash_truncate(out, mark);
	return rc;
}
