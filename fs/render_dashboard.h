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
 * NAME.txt, NAME.svg, NAME.html names) into out, as its reader sees it,
 * as of the current second: two drawings within one second of unchanged
 * data are the same bytes, so that the size a stat reports is what an
 * open right after reads (browsers read a file:// page's st_size bytes).
 * record: refusals (a bad view, a row or group the reader may not read)
 * go on the trail; a stat draws without recording. 0; -EINVAL for a bad
 * view; -ENOENT; -ENOMEM; -EIO.
 */
int render_dashboard(const struct node *n, bool record, struct strbuf *out);

/*
 * The bytes a read of dashboard view n returns now, for st_size
 * (browsers read st_size bytes of a file:// page): drawn without
 * recording. 0 when it cannot be drawn (the open fails then, and says
 * why).
 */
int64_t render_dashboard_size(const struct node *n);

#endif
