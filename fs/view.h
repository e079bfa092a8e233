/*
 * view: the query after '?' in a view path (SPEC 8) — percent-decoding,
 * keys, values — turned into a struct view for one kind of file.
 */
#ifndef MONFS_FS_VIEW_H
#define MONFS_FS_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/dimension.h"
#include "lib/err.h"
#include "lib/timeutil.h"
#include "lib/stats.h"

#define VIEW_STATS_MAX 32
#define DEFAULT_PERIOD_S 60
#define DEFAULT_RANGE_MS MS_PER_HOUR
#define VIEW_WIDTH_DEFAULT 80 /* a dashboard's text, in columns */
#define VIEW_WIDTH_MIN 40
#define VIEW_WIDTH_MAX 1000

enum view_target {
	VIEW_METRIC,
	VIEW_STREAM,
	VIEW_ALARM,
	VIEW_DASHBOARD,
	VIEW_GROUP,  /* a log group's path: its streams, or a query (SPEC 16) */
	VIEW_ALARMS, /* alarms itself: DescribeAlarms (SPEC 16) */
	VIEW_NAMESPACE, /* a namespace's path: ListMetrics (SPEC 16) */
};

/* How a dashboard view is drawn (SPEC 15). */
enum view_drawing { DRAW_TEXT, DRAW_JSON, DRAW_SVG, DRAW_HTML };

struct pattern;

struct view {
	int64_t period_s;
	int64_t since_ms; /* rounded down to the period for metrics */
	int64_t until_ms; /* exclusive */
	struct stat_spec stats[VIEW_STATS_MAX];
	size_t nstats;
	bool stats_given; /* stat= was in the query */
	bool json;
	struct pattern *filter; /* streams: NULL matches every event; owned */
	bool history;		/* alarms: view=history */
	/* metrics: series= (SPEC 11) selects series of the name; owned */
	bool series_given;
	struct dimension_selector series;
	bool merge; /* merge=true: the selected series as one metric */
	/*
	 * dashboards: format= (text, json, svg, html), width=, and which
	 * of since, until, period the query gave (else the body's).
	 */
	enum view_drawing drawing;
	int width;
	bool since_given, until_given, period_given;
	/* groups: query= (SPEC 16), a Logs Insights query; owned, or NULL */
	char *query;
	/* alarms: state= (an enum alarm_state), or -1 for every alarm */
	int state;
};

/*
 * Parse query (NULL or "" for the default view) for a file of kind
 * target, as of now_ms. Metrics default to 60 s periods over the last
 * hour, since rounded down to its period; streams to every event. 0, or -EINVAL
 * with err naming the offending key (unknown, repeated, inapplicable, bad
 * value, since not before until, merge= without series=).
 */
int view_parse(const char *query, enum view_target target, int64_t now_ms,
	       struct view *out, struct err *err);

/* Free what a parsed view owns (its filter, its series selector). */
void view_release(struct view *v);

#endif
