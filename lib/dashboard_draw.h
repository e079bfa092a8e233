/*
 * dashboard_draw: a dashboard (lib/dashboard.h) and the data its widgets
 * show, drawn as text for a terminal, as one SVG image, and as a
 * self-contained HTML page holding that SVG (SPEC 15). Pure: fs/ gathers
 * the data (each metric row's values per period, alarm states, log
 * query tables) into struct dash_frame, one per widget, and calls these.
 *
 * Text: widget by widget in grid order, a title line, then per drawn
 * metric row one line: its label, a sparkline of ▁▂▃▄▅▆▇█ with one
 * character per period, scaled to the row's own minimum (▁) and maximum
 * (█) (all equal: ▄), a blank for a period without data, then last, min
 * and max. singleValue and gauge widgets print the last value per row;
 * alarm widgets each alarm and its state; text widgets their markdown as
 * written; log widgets the query's table; others "(not drawn)".
 * Values are printed by format_double once rounded for display: whole
 * from 1000 up, else to 4 significant digits (69.70959796156367 shows
 * as 69.71), in the text and in the SVG alike.
 *
 * SVG: the whole dashboard on the grid, DASH_SVG_COLUMN_PX per grid
 * column and DASH_SVG_ROW_PX per grid row. Per metric widget: a frame,
 * the title, axes with time ticks (HH:MM, UTC) and value ticks (1-2-5
 * steps), one <path> per drawn row in its colour with one vertex per
 * period that has data (a new "M" after a gap) at the centre of its
 * period, and an empty d for a row without data in the range, so that
 * there is exactly one path per drawn row; a legend; horizontal
 * annotations as dashed lines. Alarm widgets are boxes coloured by state
 * (ALARM red, OK green, INSUFFICIENT_DATA grey). Titles, tick labels,
 * legends and text are <text> elements. Every text is XML-escaped.
 */
#ifndef MONFS_DASHBOARD_DRAW_H
#define MONFS_DASHBOARD_DRAW_H

#include <stddef.h>
#include <stdint.h>

#include "lib/dashboard.h"
#include "lib/strbuf.h"

#define DASH_SVG_COLUMN_PX 50
#define DASH_SVG_ROW_PX 40
#define DASH_TEXT_WIDTH_DEFAULT 80
#define DASH_TEXT_WIDTH_MIN 40
#define DASH_TEXT_WIDTH_MAX 1000

/* One metric row's data: values[i] is the period starting start_ms + i *
 * period_ms, NAN where the period has no data. */
struct dash_series {
	const struct dash_row *row; /* label, color, stat; not owned */
	int64_t start_ms;
	int64_t period_ms;
	const double *values; /* not owned */
	size_t nvalues;
};

/* A log widget's result: a header and rows of cells (not owned). */
struct dash_table {
	const char *const *header;
	size_t ncolumns;
	const char *const *cells; /* nrows * ncolumns, row-major */
	size_t nrows;
	const char *error; /* set instead of a table when the query failed */
};

/* What one widget shows, parallel to dashboard.widgets. */
struct dash_frame {
	/* metric: one series per row of the widget, in row order */
	const struct dash_series *series;
	size_t nseries;
	/* alarm: a state per alarm of the widget ("OK", "ALARM",
	 * "INSUFFICIENT_DATA", or NULL for an alarm that does not exist) */
	const char *const *alarm_states;
	/* log */
	struct dash_table table;
};

struct dash_draw_options {
	const char *name; /* the dashboard's name, for the page's title */
	int64_t start_ms, end_ms;
	int width; /* text: columns, DASH_TEXT_WIDTH_MIN..MAX */
};

/*
 * The sparkline columns a text rendering of width columns gives a row:
 * fs/ raises a row's period until its periods fit (as CloudWatch's
 * auto period does). At least 8. It is width - 44: 42 columns for the
 * label and the numbers and a blank either side of the sparkline, so
 * that 80 columns give 36, three hours of 5-minute periods (width is
 * clamped to DASH_TEXT_WIDTH_MIN..MAX first). A row with more values
 * shows its last ones.
 */
size_t dash_text_spark_columns(int width);

/* Draw d with frames[0..d->nwidgets) into out. 0 or -ENOMEM. */
int dash_draw_text(struct strbuf *out, const struct dashboard *d,
		   const struct dash_frame *frames,
		   const struct dash_draw_options *o);
int dash_draw_svg(struct strbuf *out, const struct dashboard *d,
		  const struct dash_frame *frames,
		  const struct dash_draw_options *o);

/* The SVG inside a page that reloads itself every minute. */
int dash_draw_html(struct strbuf *out, const struct dashboard *d,
		   const struct dash_frame *frames,
		   const struct dash_draw_options *o);

#endif
