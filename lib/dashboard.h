/*
 * dashboard: a CloudWatch dashboard body (PutDashboard's DashboardBody,
 * SPEC 15) parsed, checked and laid out on CloudWatch's 24-column grid.
 * Pure logic: the store keeps the body as written, fs/ gathers each
 * row's data, lib/dashboard_draw.h draws it.
 *
 * What is read:
 *   start, end       "-PT3H" (a negative ISO 8601 duration, relative to
 *                    now) or an ISO 8601 / RFC 3339 instant; default
 *                    start -PT3H, end now (dashboard_time_parse)
 *   periodOverride   "auto" or "inherit" (checked; monfs always uses each
 *                    widget's period unless a view gives period=)
 *   widgets[]        type, x, y, width, height, properties; required, may
 *                    be empty, at most 500 (CloudWatch's limit)
 * Widget types: metric, alarm, text, log are drawn; explorer and custom
 * (CloudWatch's, not monfs's) are kept and drawn as "(not drawn)", their
 * properties unread and optional; any other type is EINVAL. Members
 * monfs does not draw are kept in the stored body and ignored here
 * (liveData, legend, region, setPeriodToTimeRange, variables, ...).
 * Metric, alarm, text and log widgets need properties (an object), as
 * CloudWatch does; alarm needs alarms (strings: names, or ARNs whose
 * name is the part after the last ":alarm:"), text markdown, log query.
 *
 * A metric widget's properties: metrics (rows; required, may be empty),
 * view (timeSeries, singleValue, gauge, bar; pie and table are
 * CloudWatch's and drawn as timeSeries), stat (default Average), period
 * (seconds: 1, 5, 10, 20, 30 or a multiple of 60, as SPEC 3; default
 * 300), title, stacked, yAxis.left.min/max (yAxis.right is checked, not
 * drawn), annotations.horizontal[] ({value, label, color}; one with
 * "visible": false is dropped; a band, [{value...}, {value...}], keeps
 * its first; annotations.vertical is ignored), region (ignored).
 *
 * A row is an array of strings — namespace, metric name, then dimension
 * name/value pairs (at most DIMENSION_MAX, each as dimension_set_add
 * takes it) — and at most one object as its last element: {stat,
 * period, label, color ("#rrggbb"), id, visible, yAxis ("left" or
 * "right", not drawn), region, accountId}; other members of it are
 * ignored. "." repeats the string at the same position of the row above
 * ("." where the row above has no string: EINVAL); "...", once in a
 * row, as CloudWatch's console writes it, stands for the row above's
 * strings from its position on, up to those written after it (["...",
 * "i-2"] under ["AWS/EC2", "CPUUtilization", "InstanceId", "i-1"]). A
 * row of only an object with "expression" is an expression row (ns and
 * name NULL), kept, not drawn; "expression" beside strings: EINVAL. The
 * row above an expression row has no strings for ".".
 *
 * Layout: width 1..24 (default 6), height 1..1000 (default 6), x 0..23
 * with x + width <= 24, y 0..10000. A widget gives x and y both, or
 * neither (one alone: EINVAL). A widget with x and y stays there, even
 * over another. The widgets without are placed below the lowest bottom
 * of those with, in the order written, left to right: one that does not
 * fit in what is left of the row starts a new row at x 0, below the
 * lowest bottom of the row before; so none of them overlaps another.
 * Then widgets are sorted in grid order: by y, then x, ties as written.
 *
 * Errors: EINVAL, with err naming the JSON path of the first fault and
 * why ("widgets[2].properties.metrics[1]: a row holds strings and at
 * most one options object, last"); a value of the wrong JSON type is a
 * fault at its own path ("widgets[0].x: must be an integer, not a
 * string"); integers are JSON integers (6.0 is not one).
 */
#ifndef MONFS_DASHBOARD_H
#define MONFS_DASHBOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/dimension.h"
#include "lib/err.h"
#include "lib/stats.h"

#define DASHBOARD_GRID_COLUMNS 24
#define DASHBOARD_BODY_MAX (1024 * 1024) /* PutDashboard's limit: 1 MB */
#define DASHBOARD_DEFAULT_RANGE_MS (3 * INT64_C(3600000))
#define DASHBOARD_DEFAULT_PERIOD_S 300

enum dash_widget_type {
	DASH_WIDGET_METRIC,
	DASH_WIDGET_ALARM,
	DASH_WIDGET_TEXT,
	DASH_WIDGET_LOG,
	DASH_WIDGET_OTHER, /* explorer, custom: kept, "(not drawn)" */
};

enum dash_view {
	DASH_VIEW_TIMESERIES,
	DASH_VIEW_SINGLEVALUE,
	DASH_VIEW_GAUGE,
	DASH_VIEW_BAR,
};

/* One row of a metric widget's metrics, "." already resolved. */
struct dash_row {
	char *ns;   /* owned */
	char *name; /* owned */
	struct dimension_set dims;
	struct stat_spec stat; /* the row's, else the widget's */
	int64_t period_s;      /* the row's, else the widget's */
	char *label;	       /* owned; NULL: monfs labels it by name */
	char *color;	       /* owned, "#rrggbb"; NULL: the palette's */
	bool visible;	       /* "visible": false hides it */
	bool expression;       /* an expression row: kept, not drawn */
};

struct dash_annotation {
	double value;
	char *label; /* owned, may be NULL */
	char *color; /* owned, "#rrggbb", may be NULL */
};

struct dash_widget {
	enum dash_widget_type type;
	char *type_name; /* owned: as written, for "(not drawn)" */
	int x, y, width, height;
	char *title; /* owned, may be NULL */

	/* metric */
	enum dash_view view;
	bool stacked;
	struct dash_row *rows;
	size_t nrows;
	double y_min, y_max; /* NAN when not given */
	struct dash_annotation *annotations;
	size_t nannotations;

	/* alarm: names (an ARN's last ':' part) */
	char **alarms;
	size_t nalarms;

	/* text */
	char *markdown; /* owned */

	/* log */
	char *query; /* owned, as written */
};

/* A time bound: relative to now (rel_ms <= 0) or absolute. */
struct dash_time {
	bool relative;
	int64_t ms; /* relative: offset from now (<= 0); else epoch ms */
};

struct dashboard {
	struct dash_time start, end;
	struct dash_widget *widgets; /* in grid order: by y, then x */
	size_t nwidgets;
};

/*
 * Parse and check body[0..len) into *out (its widgets laid out and
 * sorted in grid order). 0, -EINVAL with err holding the JSON path of
 * the first fault and why, -EFBIG over DASHBOARD_BODY_MAX, -ENOMEM.
 * On failure *out owns nothing.
 */
int dashboard_parse(const char *body, size_t len, struct dashboard *out,
		    struct err *err);

/* Free what d owns. */
void dashboard_free(struct dashboard *d);

/*
 * Resolve d's range at now_ms into [*start_ms, *end_ms). 0, or -EINVAL
 * when start is not before end.
 */
int dashboard_range(const struct dashboard *d, int64_t now_ms,
		    int64_t *start_ms, int64_t *end_ms);

/*
 * Parse a dashboard time: "-PT3H", "-P1D", "-PT15M", "-P1W", "-P1DT12H"
 * (negative ISO 8601 durations: "-P", then whole-number parts Y, M, W, D,
 * then "T" and H, M, S, in that order, each at most once; a year counts
 * 365 days, a month 30; "-PT0H" is now; no '-': EINVAL, a dashboard
 * looks back) or an ISO 8601 instant with date, time and zone
 * ("2026-12-06T10:00:00Z", "...+02:00", fractional seconds; not Unix
 * seconds). 0 or -EINVAL.
 */
int dashboard_time_parse(const char *s, struct dash_time *out);

/*
 * Pretty-print body[0..len) (valid JSON) as the stored body is read
 * back: two-space indent, members in the order written, a final '\n'.
 * Compact when compact is true (one line, and the '\n'). UTF-8 stays
 * UTF-8. Reals print with the fewest significant digits that give every
 * real of the body back (jansson has one precision per print), so 0.1
 * stays 0.1 unless another real needs 17 digits; 100.0 stays 100.0.
 * 0, -EINVAL (not JSON, or a member twice) or -ENOMEM. Appends to out.
 */
struct strbuf;
int dashboard_body_print(const char *body, size_t len, bool compact,
			 struct strbuf *out);

#endif
