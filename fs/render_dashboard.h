/*
 * render_dashboard: a dashboard's views (SPEC 15) — its body parsed,
 * each widget's data gathered from the store as the reader may see it
 * (metric rows' statistics per period, alarms' states, log widgets'
 * query results), and drawn by lib/dashboard_draw.h as text, SVG or
 * HTML; or the stored body itself, compact, for format=json.
 */
#ifndef MONFS_FS_RENDER_DASHBOARD_H
#define MONFS_FS_RENDER_DASHBOARD_H

#include "fs/node.h"
#include "lib/strbuf.h"

/*
 * Most periods a row is drawn with in an SVG or a page: a range that
 * would give more has its periods widened (as CloudWatch's auto period
 * does; it draws at most 1,440 points a line).
 */
#define DASHBOARD_POINTS_MAX 1440

/*
 * Draw the dashboard view n (a dashboard with a query, or one of its
 * NAME.txt, NAME.svg, NAME.html names) into out, as its reader sees it.
 * 0; -EINVAL for a bad view (recorded); -ENOENT; -ENOMEM; -EIO.
 */
int render_dashboard(const struct node *n, struct strbuf *out);

#endif
