/*
 * dashboard_draw_impl: what the text, SVG and HTML drawings of a
 * dashboard share (lib/dashboard_draw_scale.c): which rows are drawn and
 * what they are called, the palette, a series' last, minimum and
 * maximum, nice value steps and time steps with their labels. Private
 * to lib/dashboard_draw_*.c and their unit test.
 */
#ifndef MONFS_DASHBOARD_DRAW_IMPL_H
#define MONFS_DASHBOARD_DRAW_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/dashboard.h"
#include "lib/dashboard_draw.h"
#include "lib/format.h"
#include "lib/strbuf.h"

#define DASH_PALETTE_SIZE 10
#define DASH_COLOR_MAX 8 /* "#rrggbb" and its NUL */
#define DASH_TIME_LABEL_MAX 16

/* CloudWatch's default line colours, given to rows in row order. */
extern const char *const dash_palette[DASH_PALETTE_SIZE];

/* What a series' values hold: count of values with data, and of those
 * the last, the minimum and the maximum (NAN when count is 0). */
struct dash_extent {
	size_t count;
	double last, min, max;
};

/* The extent of values[0..n), NAN skipped. */
void dash_extent_of(const double *values, size_t n, struct dash_extent *out);

/*
 * v as a dashboard shows it, before format_double prints it: whole from
 * 1000 up, else rounded to DASH_DISPLAY_DIGITS significant digits
 * (69.70959796156367 shows as 69.71, 8589934592.5 as 8589934593). An
 * average is rarely round, and seventeen digits of it would crowd out
 * the picture; CloudWatch's console rounds too. Axis ticks need none:
 * they are round already.
 */
#define DASH_DISPLAY_DIGITS 4
double dash_display_value(double v);

/* Whether a widget's row is drawn as a line: visible, not an expression. */
bool dash_row_drawn(const struct dash_row *row);

/*
 * The data of a widget's row i in its frame f: f->series[i] when f has
 * it, else NULL (a row fs/ gathered nothing for draws as "no data").
 */
const struct dash_series *dash_frame_series(const struct dash_frame *f,
					    size_t i);

/*
 * Row i's colour: its own when it is "#rrggbb", else the palette's for
 * its index in the widget's rows (so hiding a row does not recolour the
 * others, as in CloudWatch). Always "#" and six hex digits: safe to
 * write into markup as it is.
 */
const char *dash_row_color(const struct dash_row *row, size_t i);

/* Whether s is "#rrggbb". */
bool dash_color_ok(const char *s);

/*
 * Append row's label to out: its own, else "NS Name" and its dimension
 * values ("AWS/EC2 CPUUtilization i-123"), else for an expression row
 * "expression". 0 or -ENOMEM.
 */
int dash_row_label(struct strbuf *out, const struct dash_row *row);

/*
 * A widget's title: its own, else a metric widget's first row's metric
 * name, else NULL.
 */
const char *dash_widget_title(const struct dash_widget *w);

/* The widget type's name as CloudWatch spells it ("metric", "alarm"). */
const char *dash_widget_type_name(const struct dash_widget *w);

/*
 * A 1-2-5 step (1, 2, 5, 10, 20, ... and 0.1, 0.2, 0.5, ...) that cuts
 * range (> 0) into at most about target (>= 1) parts.
 */
double dash_nice_step(double range, int target);

/*
 * Tick k of a value axis with step: k * step computed so that a
 * decimal step gives the decimal ticks (3 * 0.1 is 0.3, not
 * 0.30000000000000004), for format_double's labels.
 */
double dash_tick_value(double step, int64_t k);

/*
 * The time step, among 1, 2, 5, 10, 15, 30 min, 1, 2, 3, 6, 12 h, 1, 2,
 * 7, 14, 30, 90, 365 d, the smallest that cuts range_ms into at most
 * target (>= 1) parts. Ticks fall on its multiples since the epoch
 * (UTC).
 */
int64_t dash_time_step(int64_t range_ms, int target);

/*
 * A time tick's label in UTC: "HH:MM", or when with_date "MM-DD HH:MM"
 * ("MM-DD" alone for steps of whole days: day_step). Returns buf.
 */
char *dash_time_label(char buf[DASH_TIME_LABEL_MAX], int64_t ms, bool with_date,
		      bool day_step);

/* Forget what was appended to out after its first mark bytes. */
void dash_truncate(struct strbuf *out, size_t mark);

/*
 * The <svg> element of d alone (no XML declaration), for dash_draw_svg
 * and the page of dash_draw_html. 0 or -ENOMEM (out may hold part of
 * it: the callers truncate).
 */
int dash_svg_element(struct strbuf *out, const struct dashboard *d,
		     const struct dash_frame *frames,
		     const struct dash_draw_options *o);

#endif
