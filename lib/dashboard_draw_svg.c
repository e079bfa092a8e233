/*
 * dashboard_draw_svg: a dashboard as one SVG image (SPEC 15), widget by
 * widget on CloudWatch's grid: a grid column is DASH_SVG_COLUMN_PX wide,
 * a grid row DASH_SVG_ROW_PX high, so the image is 24 columns wide and
 * as high as the lowest widget's bottom (at least one row).
 *
 * Each widget is a <g class="widget" data-type="..."> translated to its
 * cell, drawn in its own coordinates: a frame inset by SVG_MARGIN, the
 * title, then what its type shows. A time series' plot maps the range
 * [start_ms, end_ms] onto its width, and a period's value sits at the
 * centre of its period (start + period / 2): a value summarises the
 * whole period, and so the first and last vertices stay off the axes. A
 * period whose centre lies outside the range is not drawn.
 *
 * One <path class="series"> per drawn row (visible, not an expression),
 * always, even a row without data in the range, whose d is then empty:
 * a reader (or a test) counts exactly one path per drawn row. Its "d"
 * has a vertex per period with data, "M" for the first and after each
 * gap (a NAN), "L" for the others. The lines are clipped to the plot,
 * so that a yAxis min/max narrower than the data cuts them as
 * CloudWatch does.
 *
 * Text widths are estimates (SVG_CHAR_PX per character at the small
 * font size): labels are cut with "…" to the room they have, so that a
 * long label does not run over its neighbour.
 */
#include "lib/dashboard_draw.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/dashboard_draw_impl.h"
#include "lib/format.h"
#include "lib/svg.h"
#include "lib/timeutil.h"

#define SVG_WIDTH_PX (DASHBOARD_GRID_COLUMNS * DASH_SVG_COLUMN_PX)
#define SVG_MARGIN 4	      /* between a widget's cell and its frame */
#define SVG_PAD 10	      /* inside the frame */
#define SVG_TITLE_BASE 22     /* the title's baseline */
#define SVG_BODY_TOP 32	      /* what a widget shows starts here */
#define SVG_CHAR_PX 6.0	      /* a character at font-size 10, about */
#define SVG_TITLE_CHAR_PX 7.5 /* at the title's 13 */
#define SVG_LINE_PX 14	      /* a legend's or a text widget's line */
#define SVG_TIME_AXIS_PX 16   /* below the plot: the time labels */
#define SVG_PLOT_MIN_PX 24    /* the legend yields lines to keep this */
#define SVG_VALUE_TICK_PX 28  /* at least between value ticks */
#define SVG_LEGEND_SWATCH 10
#define SVG_LEGEND_CHARS 40 /* a legend label's most characters */
#define SVG_TICKS_MAX 60

#define COLOR_FRAME "#d5dbdb"
#define COLOR_GRID "#e9ebed"
#define COLOR_AXIS "#879196"
#define COLOR_TEXT "#16191f"
#define COLOR_MUTED "#687078"
#define COLOR_ANNOTATION "#d62728"

struct svg_draw {
	struct svg s;
	struct strbuf label; /* scratch: a row's label, a cleaned line */
	const struct dash_draw_options *o;
	size_t index; /* the widget's, for its clipPath's id */
	double w, h;  /* the widget's size */
};

/* How many characters fit in px at the small font size (at least 1). */
static size_t chars_in(double px, double char_px)
{
	return px > char_px ? (size_t)(px / char_px) : 1;
}

/* The label of row into d->label. */
static void row_label(struct svg_draw *d, const struct dash_row *row)
{
	strbuf_reset(&d->label);
	if (!d->s.rc)
		d->s.rc = dash_row_label(&d->label, row);
	if (!d->s.rc)
		d->s.rc = strbuf_grow(&d->label, 0); /* "" is not NULL */
}

/* "+N more" at the title's right: what did not fit in the widget. */
static void more(struct svg_draw *d, size_t n)
{
	if (!n)
		return;
	svg_addf(&d->s,
		 "<text class=\"more\" x=\"%d\" y=\"%d\" text-anchor=\"end\" "
		 "fill=\"" COLOR_MUTED "\">+%zu more</text>\n",
		 (int)(d->w - SVG_MARGIN - SVG_PAD), SVG_TITLE_BASE, n);
}

/* ---- time series ---- */

/* The x of time ms and the y of value v in a plot. */
struct plot {
	double left, right, top, bottom;
	double lo, hi; /* the value axis */
	int64_t start_ms, end_ms;
};

static double plot_x(const struct plot *p, double ms)
{
	return p->left + (ms - (double)p->start_ms) /
				 (double)(p->end_ms - p->start_ms) *
				 (p->right - p->left);
}

static double plot_y(const struct plot *p, double v)
{
	return p->bottom - (v - p->lo) / (p->hi - p->lo) * (p->bottom - p->top);
}

/* The centre of a series' period i, in ms, and whether the plot has it. */
static bool period_centre(const struct plot *p, const struct dash_series *s,
			  size_t i, double *ms)
{
	*ms = (double)s->start_ms + ((double)i + 0.5) * (double)s->period_ms;
	return *ms >= (double)p->start_ms && *ms < (double)p->end_ms;
}

/* Widen [*lo, *hi] (NAN: empty) to hold v. */
static void widen(double *lo, double *hi, double v)
{
	if (!isfinite(v))
		return;
	if (isnan(*lo) || v < *lo)
		*lo = v;
	if (isnan(*hi) || v > *hi)
		*hi = v;
}

/*
 * The value range of a plot: the drawn rows' values in the time range
 * and the annotations, then yAxis.left's min and max where given, then
 * out to the nice ticks (unless given); *step the value ticks' step.
 */
static void value_range(const struct dash_widget *w, const struct dash_frame *f,
			struct plot *p, int target, double *step)
{
	double lo = NAN, hi = NAN, ms, span;
	size_t i, k;

	for (i = 0; i < w->nrows; i++) {
		const struct dash_series *s = dash_frame_series(f, i);

		if (!dash_row_drawn(&w->rows[i]) || !s || !s->values ||
		    s->period_ms <= 0)
			continue;
		for (k = 0; k < s->nvalues; k++)
			if (period_centre(p, s, k, &ms))
				widen(&lo, &hi, s->values[k]);
	}
	for (i = 0; i < w->nannotations; i++)
		widen(&lo, &hi, w->annotations[i].value);
	if (isnan(lo)) {
		lo = 0;
		hi = 1;
	}
	if (!isnan(w->y_min))
		lo = w->y_min;
	if (!isnan(w->y_max))
		hi = w->y_max;
	if (!(hi > lo)) {
		span = fabs(lo) > 0 ? fabs(lo) / 10 : 1;
		lo -= span;
		hi = lo + 2 * span;
	}
	*step = dash_nice_step(hi - lo, target);
	if (isnan(w->y_min))
		lo = floor(lo / *step) * *step;
	if (isnan(w->y_max))
		hi = ceil(hi / *step) * *step;
	p->lo = lo;
	p->hi = hi;
}

/* The first and last tick k (k * step in [lo, hi]). */
static void tick_span(double lo, double hi, double step, int64_t *first,
		      int64_t *last)
{
	double a = lo / step, b = hi / step;

	/* None when the axis is beyond what ticks can count (1e308 wide). */
	if (!(fabs(a) < 1e15 && fabs(b) < 1e15 && step > 0)) {
		*first = 1;
		*last = 0;
		return;
	}
	*first = (int64_t)ceil(a - 1e-9);
	*last = (int64_t)floor(b + 1e-9);
	if (*last - *first > SVG_TICKS_MAX)
		*last = *first + SVG_TICKS_MAX;
}

/* The widest value tick label, in characters. */
static size_t value_label_chars(const struct plot *p, double step)
{
	char buf[FORMAT_DOUBLE_MAX];
	int64_t k, first, last;
	size_t n, widest = 1;

	tick_span(p->lo, p->hi, step, &first, &last);
	for (k = first; k <= last; k++) {
		n = strlen(format_double(buf, dash_tick_value(step, k)));
		if (n > widest)
			widest = n;
	}
	return widest;
}

static void value_axis(struct svg_draw *d, const struct plot *p, double step)
{
	char buf[FORMAT_DOUBLE_MAX];
	int64_t k, first, last;
	double v, y;

	tick_span(p->lo, p->hi, step, &first, &last);
	for (k = first; k <= last; k++) {
		v = dash_tick_value(step, k);
		y = plot_y(p, v);
		svg_line(&d->s, p->left, y, p->right, y,
			 "class=\"grid\" stroke=\"" COLOR_GRID "\"");
		svg_text(
			&d->s, p->left - 4, y + 3,
			"class=\"tick\" text-anchor=\"end\" fill=\"" COLOR_MUTED
			"\"",
			format_double(buf, v), 0);
	}
	svg_line(&d->s, p->left, p->top, p->left, p->bottom,
		 "class=\"axis\" stroke=\"" COLOR_AXIS "\"");
}

static void time_axis(struct svg_draw *d, const struct plot *p)
{
	int64_t range = p->end_ms - p->start_ms, step, t;
	bool with_date = range > MS_PER_DAY;
	char buf[DASH_TIME_LABEL_MAX];
	double label_px, x;
	bool day_step;
	int target;

	label_px = (with_date ? 11 : 5) * SVG_CHAR_PX + 24;
	target = (int)((p->right - p->left) / label_px);
	step = dash_time_step(range, target < 1 ? 1 : target);
	day_step = step >= MS_PER_DAY;
	for (t = ceil_div(p->start_ms, step) * step; t <= p->end_ms;
	     t += step) {
		x = plot_x(p, (double)t);
		svg_line(&d->s, x, p->top, x, p->bottom,
			 "class=\"grid\" stroke=\"" COLOR_GRID "\"");
		svg_text(&d->s, x, p->bottom + 12,
			 "class=\"tick time\" text-anchor=\"middle\" "
			 "fill=\"" COLOR_MUTED "\"",
			 dash_time_label(buf, t, with_date, day_step), 0);
	}
	svg_line(&d->s, p->left, p->bottom, p->right, p->bottom,
		 "class=\"axis\" stroke=\"" COLOR_AXIS "\"");
}

/* One row's line: see the file's comment. */
static void series_path(struct svg_draw *d, const struct plot *p,
			const struct dash_row *row, size_t i,
			const struct dash_series *s)
{
	bool pen_down = false, first = true;
	double ms;
	size_t k;

	row_label(d, row);
	svg_raw(&d->s, "<path class=\"series\"");
	svg_attr(&d->s, "data-label", d->label.buf);
	svg_addf(&d->s,
		 " stroke=\"%s\" stroke-width=\"1.5\" fill=\"none\" "
		 "stroke-linejoin=\"round\" d=\"",
		 dash_row_color(row, i));
	for (k = 0; s && s->values && s->period_ms > 0 && k < s->nvalues; k++) {
		if (!period_centre(p, s, k, &ms))
			continue;
		if (isnan(s->values[k])) {
			pen_down = false;
			continue;
		}
		svg_raw(&d->s, pen_down ? " L" : first ? "M" : " M");
		svg_num(&d->s, plot_x(p, ms));
		svg_raw(&d->s, " ");
		svg_num(&d->s, plot_y(p, s->values[k]));
		pen_down = true;
		first = false;
	}
	svg_raw(&d->s, "\"/>\n");
}

static void annotations(struct svg_draw *d, const struct dash_widget *w,
			const struct plot *p)
{
	const char *color;
	char attrs[128];
	double y;
	size_t i;

	for (i = 0; i < w->nannotations; i++) {
		const struct dash_annotation *a = &w->annotations[i];

		if (a->value < p->lo || a->value > p->hi)
			continue;
		color = dash_color_ok(a->color) ? a->color : COLOR_ANNOTATION;
		y = plot_y(p, a->value);
		snprintf(attrs, sizeof(attrs),
			 "class=\"annotation\" stroke=\"%s\" "
			 "stroke-dasharray=\"4 3\"",
			 color);
		svg_line(&d->s, p->left, y, p->right, y, attrs);
		if (!a->label || !*a->label)
			continue;
		snprintf(attrs, sizeof(attrs),
			 "class=\"annotation\" text-anchor=\"end\" fill=\"%s\"",
			 color);
		svg_text(&d->s, p->right - 2, y - 3, attrs, a->label,
			 chars_in(p->right - p->left, SVG_CHAR_PX));
	}
}

/*
 * The legend under the plot, flowing left to right from top, at most
 * max_lines lines: with draw false it only counts the lines it needs
 * (and *left_off the rows it leaves off). Returns the lines used.
 */
static size_t legend(struct svg_draw *d, const struct dash_widget *w,
		     double top, size_t max_lines, bool draw, size_t *left_off)
{
	double x0 = SVG_MARGIN + SVG_PAD, right = d->w - SVG_MARGIN - SVG_PAD;
	double x = x0, entry, y;
	size_t i, line = 0, chars;
	char attrs[64];

	*left_off = 0;
	for (i = 0; i < w->nrows; i++) {
		const struct dash_row *row = &w->rows[i];

		if (!row->visible)
			continue;
		row_label(d, row);
		/* Bytes: an overestimate. NULL only once the writer failed. */
		chars = d->label.buf ? strlen(d->label.buf) : 0;
		if (row->expression)
			chars += strlen(" (expression, not drawn)");
		if (chars > SVG_LEGEND_CHARS)
			chars = SVG_LEGEND_CHARS;
		if (chars > chars_in(right - x0 - 14, SVG_CHAR_PX))
			chars = chars_in(right - x0 - 14, SVG_CHAR_PX);
		entry = 14 + (double)chars * SVG_CHAR_PX + 12;
		if (x > x0 && x + entry > right) {
			line++;
			x = x0;
		}
		if (line >= max_lines) {
			(*left_off)++;
			continue;
		}
		y = top + (double)line * SVG_LINE_PX;
		if (draw && !row->expression) {
			snprintf(attrs, sizeof(attrs),
				 "class=\"swatch\" fill=\"%s\"",
				 dash_row_color(row, i));
			svg_rect(&d->s, x, y, SVG_LEGEND_SWATCH,
				 SVG_LEGEND_SWATCH, attrs);
		}
		if (draw && !row->expression)
			svg_text(&d->s, x + 14, y + 9,
				 "class=\"legend\" fill=\"" COLOR_TEXT "\"",
				 d->label.buf, chars);
		if (draw && row->expression) {
			if (!d->s.rc)
				d->s.rc = strbuf_adds(
					&d->label, " (expression, not drawn)");
			svg_text(&d->s, x, y + 9,
				 "class=\"legend\" fill=\"" COLOR_MUTED "\"",
				 d->label.buf, chars);
		}
		x += entry;
	}
	return x > x0 || line ? line + 1 : 0;
}

static void time_series(struct svg_draw *d, const struct dash_widget *w,
			const struct dash_frame *f)
{
	double legend_top, step, avail;
	size_t lines, max_lines, left_off, i;
	struct plot p = {.start_ms = d->o->start_ms, .end_ms = d->o->end_ms};
	int target;

	if (p.end_ms <= p.start_ms)
		p.end_ms = p.start_ms + 1;
	/* The legend takes the lines it needs, leaving the plot its least. */
	avail = d->h - SVG_MARGIN - SVG_PAD - SVG_BODY_TOP - SVG_TIME_AXIS_PX -
		SVG_PLOT_MIN_PX;
	max_lines = avail > SVG_LINE_PX ? (size_t)(avail / SVG_LINE_PX) : 1;
	lines = legend(d, w, 0, max_lines, false, &left_off);
	legend_top = d->h - SVG_MARGIN - SVG_PAD - (double)lines * SVG_LINE_PX;
	p.top = SVG_BODY_TOP;
	p.bottom = legend_top - SVG_TIME_AXIS_PX - 4;
	if (p.bottom < p.top + 8)
		p.bottom = p.top + 8;
	target = (int)((p.bottom - p.top) / SVG_VALUE_TICK_PX);
	value_range(w, f, &p, target < 2 ? 2 : target, &step);
	p.left = SVG_MARGIN + SVG_PAD +
		 (double)value_label_chars(&p, step) * SVG_CHAR_PX + 6;
	/* Half a time label's room at the right, for the last one. */
	p.right = d->w - SVG_MARGIN - SVG_PAD - 3 * SVG_CHAR_PX;
	if (p.right < p.left + 8)
		p.right = p.left + 8;

	value_axis(d, &p, step);
	time_axis(d, &p);
	svg_addf(&d->s, "<defs><clipPath id=\"plot-%zu\">", d->index);
	svg_rect(&d->s, p.left, p.top, p.right - p.left, p.bottom - p.top, "");
	svg_addf(&d->s,
		 "</clipPath></defs>\n<g clip-path=\"url(#plot-%zu)\">\n",
		 d->index);
	for (i = 0; i < w->nrows; i++)
		if (dash_row_drawn(&w->rows[i]))
			series_path(d, &p, &w->rows[i], i,
				    dash_frame_series(f, i));
	svg_raw(&d->s, "</g>\n");
	annotations(d, w, &p);
	legend(d, w, legend_top, max_lines, true, &left_off);
	more(d, left_off);
}

/* ---- single values, gauges, bars ---- */

/* The last value of a widget's row i, NAN without data. */
static double last_value(const struct dash_frame *f, size_t i)
{
	const struct dash_series *s = dash_frame_series(f, i);
	struct dash_extent e;

	dash_extent_of(s ? s->values : NULL, s && s->values ? s->nvalues : 0,
		       &e);
	return e.last;
}

/* v as format_double prints it, "no data" for NAN, into buf. */
static const char *value_text(char buf[FORMAT_DOUBLE_MAX], double v)
{
	return isnan(v) ? "no data" : format_double(buf, dash_display_value(v));
}

static void single_values(struct svg_draw *d, const struct dash_widget *w,
			  const struct dash_frame *f)
{
	double inner = d->w - 2 * (SVG_MARGIN + SVG_PAD), cell_w, x, y;
	size_t i, n = 0, cols, slot = 0, left_off = 0;
	char buf[FORMAT_DOUBLE_MAX], attrs[96];

	for (i = 0; i < w->nrows; i++)
		n += dash_row_drawn(&w->rows[i]);
	cols = (size_t)(inner / 150);
	cols = cols < 1 ? 1 : cols > n ? (n ? n : 1) : cols;
	cell_w = inner / (double)cols;
	for (i = 0; i < w->nrows; i++) {
		if (!dash_row_drawn(&w->rows[i]))
			continue;
		x = SVG_MARGIN + SVG_PAD + (double)(slot % cols) * cell_w;
		y = SVG_BODY_TOP + (double)(slot / cols) * 56;
		slot++;
		if (y + 50 > d->h - SVG_MARGIN) {
			left_off++;
			continue;
		}
		row_label(d, &w->rows[i]);
		svg_text(&d->s, x, y + 10,
			 "class=\"legend\" fill=\"" COLOR_MUTED "\"",
			 d->label.buf, chars_in(cell_w - 8, SVG_CHAR_PX));
		snprintf(attrs, sizeof(attrs),
			 "class=\"value\" font-size=\"28\" fill=\"%s\"",
			 dash_row_color(&w->rows[i], i));
		svg_text(&d->s, x, y + 42, attrs,
			 value_text(buf, last_value(f, i)),
			 chars_in(cell_w - 8, 16));
	}
	more(d, left_off);
}

/*
 * Gauges and bars: a line per drawn row, its label, a bar against [lo,
 * hi] in its colour over a grey track, and the number.
 */
static void bars(struct svg_draw *d, const struct dash_widget *w,
		 const struct dash_frame *f, bool gauge)
{
	double left = SVG_MARGIN + SVG_PAD, right = d->w - SVG_MARGIN - SVG_PAD;
	double lo = 0, hi = 100, v, frac, y = SVG_BODY_TOP, label_w, bar_w;
	char buf[FORMAT_DOUBLE_MAX], attrs[96];
	size_t i, left_off = 0;

	if (gauge) {
		lo = isnan(w->y_min) ? 0 : w->y_min;
		hi = isnan(w->y_max) ? 100 : w->y_max;
	} else {
		hi = 0;
		for (i = 0; i < w->nrows; i++)
			if (dash_row_drawn(&w->rows[i]) &&
			    last_value(f, i) > hi)
				hi = last_value(f, i);
	}
	label_w = (right - left) * 0.35;
	bar_w = right - left - label_w - 60;
	if (bar_w < 10)
		bar_w = 10;
	for (i = 0; i < w->nrows; i++) {
		if (!dash_row_drawn(&w->rows[i]))
			continue;
		if (y + 18 > d->h - SVG_MARGIN) {
			left_off++;
			continue;
		}
		v = last_value(f, i);
		frac = hi > lo && !isnan(v) ? (v - lo) / (hi - lo) : 0;
		frac = frac < 0 ? 0 : frac > 1 ? 1 : frac;
		row_label(d, &w->rows[i]);
		svg_text(&d->s, left, y + 12,
			 "class=\"legend\" fill=\"" COLOR_TEXT "\"",
			 d->label.buf, chars_in(label_w - 6, SVG_CHAR_PX));
		svg_rect(&d->s, left + label_w, y + 2, bar_w, 12,
			 "class=\"track\" fill=\"" COLOR_GRID "\"");
		snprintf(attrs, sizeof(attrs), "class=\"%s\" fill=\"%s\"",
			 gauge ? "gauge" : "bar",
			 dash_row_color(&w->rows[i], i));
		svg_rect(&d->s, left + label_w, y + 2, bar_w * frac, 12, attrs);
		svg_text(&d->s, left + label_w + bar_w + 6, y + 12,
			 "class=\"value\" fill=\"" COLOR_TEXT "\"",
			 value_text(buf, v), chars_in(54, SVG_CHAR_PX));
		y += 20;
	}
	more(d, left_off);
}

/* ---- alarms, text, logs ---- */

static const char *state_color(const char *state)
{
	if (!state)
		return "#cccccc";
	if (!strcmp(state, "ALARM"))
		return "#d62728";
	if (!strcmp(state, "OK"))
		return "#2ca02c";
	return "#7f7f7f"; /* INSUFFICIENT_DATA, and any other */
}

#define ALARM_TILE_W 150 /* at least; a row's tiles share its width */
#define ALARM_TILE_H 34
#define ALARM_GAP 6

static void alarms(struct svg_draw *d, const struct dash_widget *w,
		   const struct dash_frame *f)
{
	double left = SVG_MARGIN + SVG_PAD, inner = d->w - 2 * left;
	double x, y, tile_w;
	size_t i, cols, left_off = 0;
	const char *state, *ink;
	char attrs[128];

	cols = (size_t)((inner + ALARM_GAP) / (ALARM_TILE_W + ALARM_GAP));
	if (cols < 1)
		cols = 1;
	tile_w = (inner + ALARM_GAP) / (double)cols - ALARM_GAP;
	for (i = 0; i < w->nalarms; i++) {
		state = f && f->alarm_states ? f->alarm_states[i] : NULL;
		x = left + (double)(i % cols) * (tile_w + ALARM_GAP);
		y = SVG_BODY_TOP +
		    (double)(i / cols) * (ALARM_TILE_H + ALARM_GAP);
		if (y + ALARM_TILE_H > d->h - SVG_MARGIN - 2) {
			left_off++;
			continue;
		}
		svg_raw(&d->s, "<rect class=\"alarm\"");
		svg_attr(&d->s, "data-state", state ? state : "missing");
		svg_raw(&d->s, " x=\"");
		svg_num(&d->s, x);
		svg_raw(&d->s, "\" y=\"");
		svg_num(&d->s, y);
		svg_raw(&d->s, "\" width=\"");
		svg_num(&d->s, tile_w);
		svg_addf(&d->s, "\" height=\"%d\" rx=\"3\" fill=\"%s\"/>\n",
			 ALARM_TILE_H, state_color(state));
		ink = state ? "#ffffff" : COLOR_TEXT;
		snprintf(
			attrs, sizeof(attrs),
			"class=\"alarm-name\" font-weight=\"bold\" fill=\"%s\"",
			ink);
		svg_text(&d->s, x + 8, y + 14, attrs, w->alarms[i],
			 chars_in(tile_w - 16, SVG_CHAR_PX + 1));
		snprintf(attrs, sizeof(attrs),
			 "class=\"alarm-state\" fill=\"%s\"", ink);
		svg_text(&d->s, x + 8, y + 28, attrs,
			 state ? state : "(no such alarm)",
			 chars_in(tile_w - 16, SVG_CHAR_PX));
	}
	more(d, left_off);
}

/*
 * A markdown line without its marks, into d->label: the heading's '#'s
 * (*level says how many), a list's "- " as "• ", emphasis and code
 * marks (*, _, `), and a link's target ("[text](url)" is "text").
 */
static void markdown_plain(struct svg_draw *d, const char *s, size_t len,
			   int *level)
{
	size_t i = 0, close;

	strbuf_reset(&d->label);
	*level = 0;
	while (i < len && s[i] == '#') {
		(*level)++;
		i++;
	}
	while (*level && i < len && s[i] == ' ')
		i++;
	if (!*level && i + 1 < len && (s[i] == '-' || s[i] == '*') &&
	    s[i + 1] == ' ') {
		if (!d->s.rc)
			d->s.rc = strbuf_adds(&d->label, "\xe2\x80\xa2 ");
		i += 2;
	}
	for (; i < len && !d->s.rc; i++) {
		if (s[i] == '*' || s[i] == '_' || s[i] == '`')
			continue;
		if (s[i] == ']' && i + 1 < len && s[i + 1] == '(') {
			close = i + 2;
			while (close < len && s[close] != ')')
				close++;
			if (close < len) {
				i = close;
				continue;
			}
		}
		if (s[i] == '[')
			continue;
		d->s.rc = strbuf_add(&d->label, s + i, 1);
	}
	if (!d->s.rc)
		d->s.rc = strbuf_grow(&d->label, 0);
}

static void markdown(struct svg_draw *d, const struct dash_widget *w)
{
	const char *s = w->markdown ? w->markdown : "", *nl;
	double x = SVG_MARGIN + SVG_PAD, inner = d->w - 2 * x, line_h;
	/* An untitled text widget starts where the title would be. */
	double y = w->title && *w->title ? SVG_BODY_TOP : SVG_MARGIN + 4;
	static const char *const HEADING[] = {
		"class=\"md\" fill=\"" COLOR_TEXT "\"",
		"class=\"md h1\" font-size=\"16\" font-weight=\"bold\" "
		"fill=\"" COLOR_TEXT "\"",
		"class=\"md h2\" font-size=\"14\" font-weight=\"bold\" "
		"fill=\"" COLOR_TEXT "\"",
		"class=\"md h3\" font-size=\"12\" font-weight=\"bold\" "
		"fill=\"" COLOR_TEXT "\"",
	};
	size_t lines_left_off = 0;
	int level;

	while (*s && !d->s.rc) {
		nl = strchr(s, '\n');
		if (!nl)
			nl = s + strlen(s);
		markdown_plain(d, s, (size_t)(nl - s), &level);
		s = *nl ? nl + 1 : nl;
		if (level > 3)
			level = 3;
		line_h = level == 1 ? 22 : level == 2 ? 19 : 16;
		if (y + line_h > d->h - SVG_MARGIN) {
			lines_left_off++;
			continue;
		}
		y += line_h;
		if (d->label.len)
			svg_text(&d->s, x, y - 4, HEADING[level], d->label.buf,
				 chars_in(inner, level ? 8.5 : 6.5));
	}
	if (lines_left_off)
		more(d, lines_left_off);
}

#define LOG_CHAR_PX 6.6 /* monospace at font-size 11 */
#define LOG_CELL_CHARS 40

/* Each column's characters: its widest cell's, at most LOG_CELL_CHARS. */
static size_t *log_widths(const struct dash_table *tb)
{
	size_t *widths = calloc(tb->ncolumns, sizeof(*widths));
	const char *cell;
	size_t r, c, n;

	if (!widths)
		return NULL;
	for (r = 0; r <= tb->nrows; r++)
		for (c = 0; c < tb->ncolumns; c++) {
			cell = r ? tb->cells[(r - 1) * tb->ncolumns + c]
				 : tb->header[c];
			n = cell ? strlen(cell)
				 : 0; /* bytes: an overestimate */
			if (n > widths[c])
				widths[c] =
					n < LOG_CELL_CHARS ? n : LOG_CELL_CHARS;
		}
	return widths;
}

/* One row of the table: a <text> with a <tspan> per cell that fits. */
static void log_row(struct svg_draw *d, const char *const *cells,
		    const size_t *widths, size_t ncolumns, double y,
		    bool header)
{
	double x = SVG_MARGIN + SVG_PAD, right = d->w - SVG_MARGIN - SVG_PAD;
	size_t c, room;

	svg_raw(&d->s, header ? "<text font-weight=\"bold\"" : "<text");
	svg_raw(&d->s, " y=\"");
	svg_num(&d->s, y);
	svg_raw(&d->s, "\">");
	for (c = 0; c < ncolumns && x < right; c++) {
		room = chars_in(right - x, LOG_CHAR_PX);
		svg_raw(&d->s, "<tspan x=\"");
		svg_num(&d->s, x);
		svg_raw(&d->s, "\">");
		svg_escape(&d->s, cells[c], cells[c] ? strlen(cells[c]) : 0,
			   widths[c] && widths[c] < room ? widths[c] : room);
		svg_raw(&d->s, "</tspan>");
		x += ((double)widths[c] + 2) * LOG_CHAR_PX;
	}
	svg_raw(&d->s, "</text>\n");
}

static void log_table(struct svg_draw *d, const struct dash_frame *f)
{
	const struct dash_table *tb = f ? &f->table : NULL;
	double left = SVG_MARGIN + SVG_PAD, y = SVG_BODY_TOP;
	double right = d->w - SVG_MARGIN - SVG_PAD;
	size_t r, *widths;

	if (tb && tb->error) {
		strbuf_reset(&d->label);
		if (!d->s.rc)
			d->s.rc = strbuf_addf(&d->label, "query failed: %s",
					      tb->error);
		svg_text(&d->s, left, y + 12,
			 "class=\"error\" fill=\"#d62728\"", d->label.buf,
			 chars_in(right - left, SVG_CHAR_PX));
		return;
	}
	if (!tb || !tb->header || !tb->ncolumns) {
		svg_text(&d->s, left, y + 12,
			 "class=\"empty\" fill=\"" COLOR_MUTED "\"",
			 "(no rows)", 0);
		return;
	}
	widths = log_widths(tb);
	if (!widths) {
		d->s.rc = -ENOMEM;
		return;
	}
	svg_raw(&d->s, "<g class=\"table\" font-family=\"monospace\" "
		       "font-size=\"11\" fill=\"" COLOR_TEXT "\">\n");
	for (r = 0; r <= tb->nrows; r++) {
		y += 15;
		if (y > d->h - SVG_MARGIN - 4)
			break;
		log_row(d, r ? tb->cells + (r - 1) * tb->ncolumns : tb->header,
			widths, tb->ncolumns, y, r == 0);
	}
	if (!tb->nrows && y + 15 <= d->h - SVG_MARGIN - 4)
		svg_text(&d->s, left, y + 15, "fill=\"" COLOR_MUTED "\"",
			 "(no rows)", 0);
	svg_raw(&d->s, "</g>\n");
	more(d, tb->nrows + 1 - r);
	free(widths);
}

/* ---- widgets ---- */

static const char *view_name(enum dash_view v)
{
	switch (v) {
	case DASH_VIEW_SINGLEVALUE:
		return "singleValue";
	case DASH_VIEW_GAUGE:
		return "gauge";
	case DASH_VIEW_BAR:
		return "bar";
	case DASH_VIEW_TIMESERIES:
		break;
	}
	return "timeSeries";
}

static void widget(struct svg_draw *d, const struct dash_widget *w,
		   const struct dash_frame *f)
{
	const char *title = dash_widget_title(w);

	d->w = (double)w->width * DASH_SVG_COLUMN_PX;
	d->h = (double)w->height * DASH_SVG_ROW_PX;
	svg_raw(&d->s, "<g class=\"widget\"");
	svg_attr(&d->s, "data-type", dash_widget_type_name(w));
	if (w->type == DASH_WIDGET_METRIC)
		svg_attr(&d->s, "data-view", view_name(w->view));
	svg_addf(&d->s, " transform=\"translate(%d,%d)\">\n",
		 w->x * DASH_SVG_COLUMN_PX, w->y * DASH_SVG_ROW_PX);
	svg_rect(&d->s, SVG_MARGIN, SVG_MARGIN, d->w - 2 * SVG_MARGIN,
		 d->h - 2 * SVG_MARGIN,
		 "class=\"frame\" rx=\"2\" fill=\"#ffffff\" "
		 "stroke=\"" COLOR_FRAME "\"");
	if (title)
		svg_text(
			&d->s, SVG_MARGIN + SVG_PAD, SVG_TITLE_BASE,
			"class=\"title\" font-size=\"13\" font-weight=\"bold\" "
			"fill=\"" COLOR_TEXT "\"",
			title,
			chars_in(d->w - 2 * (SVG_MARGIN + SVG_PAD) - 60,
				 SVG_TITLE_CHAR_PX));
	switch (w->type) {
	case DASH_WIDGET_METRIC:
		if (w->view == DASH_VIEW_SINGLEVALUE)
			single_values(d, w, f);
		else if (w->view == DASH_VIEW_GAUGE || w->view == DASH_VIEW_BAR)
			bars(d, w, f, w->view == DASH_VIEW_GAUGE);
		else
			time_series(d, w, f);
		break;
	case DASH_WIDGET_ALARM:
		alarms(d, w, f);
		break;
	case DASH_WIDGET_TEXT:
		markdown(d, w);
		break;
	case DASH_WIDGET_LOG:
		log_table(d, f);
		break;
	case DASH_WIDGET_OTHER:
		svg_text(&d->s, SVG_MARGIN + SVG_PAD, SVG_BODY_TOP + 14,
			 "class=\"not-drawn\" fill=\"" COLOR_MUTED "\"",
			 "(not drawn)", 0);
		break;
	}
	svg_raw(&d->s, "</g>\n");
}

/* The image's height: the lowest widget's bottom, at least one row. */
static long image_height(const struct dashboard *dash)
{
	long rows = 1, bottom;
	size_t i;

	for (i = 0; i < dash->nwidgets; i++) {
		bottom = (long)dash->widgets[i].y + dash->widgets[i].height;
		if (bottom > rows)
			rows = bottom;
	}
	return rows * DASH_SVG_ROW_PX;
}

int dash_svg_element(struct strbuf *out, const struct dashboard *dash,
		     const struct dash_frame *frames,
		     const struct dash_draw_options *o)
{
	struct svg_draw d = {.label = STRBUF_INIT, .o = o};
	long height = image_height(dash);
	size_t i;

	svg_init(&d.s, out);
	svg_addf(&d.s,
		 "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		 "height=\"%ld\" viewBox=\"0 0 %d %ld\" "
		 "font-family=\"sans-serif\" font-size=\"10\">\n",
		 SVG_WIDTH_PX, height, SVG_WIDTH_PX, height);
	svg_raw(&d.s, "<title>");
	svg_escape(&d.s, o->name ? o->name : "dashboard",
		   strlen(o->name ? o->name : "dashboard"), 0);
	svg_raw(&d.s, "</title>\n");
	svg_addf(&d.s,
		 "<rect class=\"background\" x=\"0\" y=\"0\" width=\"%d\" "
		 "height=\"%ld\" fill=\"#ffffff\"/>\n",
		 SVG_WIDTH_PX, height);
	for (i = 0; i < dash->nwidgets && !d.s.rc; i++) {
		d.index = i;
		widget(&d, &dash->widgets[i], frames ? &frames[i] : NULL);
	}
	svg_raw(&d.s, "</svg>\n");
	strbuf_release(&d.label);
	return d.s.rc;
}

int dash_draw_svg(struct strbuf *out, const struct dashboard *d,
		  const struct dash_frame *frames,
		  const struct dash_draw_options *o)
{
	size_t mark = out->len;
	int rc = strbuf_adds(out,
			     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");

	if (!rc)
		rc = dash_svg_element(out, d, frames, o);
	if (rc)
		dash_truncate(out, mark);
	return rc;
}
