/*
 * render_dashboard_logs: a dashboard's log widget (SPEC 15, 16) — its
 * Logs Insights query (lib/insights.h) run over the events of its
 * SOURCE groups in the dashboard's range, as the reader may read them.
 */
#ifndef MONFS_FS_RENDER_DASHBOARD_LOGS_H
#define MONFS_FS_RENDER_DASHBOARD_LOGS_H

#include <stdint.h>

#include "fs/node.h"
#include "lib/dashboard_draw.h"
#include "lib/insights.h"
#include "store/store.h"

/* What a log widget's table points at, owned here. */
struct dashboard_log {
	struct insights_result result;
	const char **cells; /* result's, "" for a missing value */
	char *error;	    /* why the query failed, or NULL */
};

/*
 * Run query over [start_ms, end_ms) of its SOURCE groups with who's
 * rights and point table at the result (or at the reason it failed: a
 * bad query, no SOURCE, a group who may not read, which the table then
 * says, and the trail records). 0, or -ENOMEM / -EIO when the store
 * failed (the drawing fails then).
 */
int dashboard_log_gather(struct store *st, const struct caller *who,
			 bool record, const char *query, int64_t start_ms,
			 int64_t end_ms, struct dashboard_log *out,
			 struct dash_table *table);

/* Free what out owns; safe on a zeroed one. */
void dashboard_log_release(struct dashboard_log *out);

#endif
