/* audit: front-end refusals and reads, recorded in the trail. */
#include "fs/audit.h"

#include <errno.h>

#include "fs/node.h"

static const char *const SOURCES[] = {
	[AREA_ROOT] = "monfs",
	[AREA_METRICS] = "metrics.monfs",
	[AREA_LOGS] = "logs.monfs",
	[AREA_ALARMS] = "alarms.monfs",
	[AREA_FILTERS] = "filters.monfs",
	[AREA_TRAIL] = "trail.monfs",
	[AREA_EVENTS] = "events.monfs",
	[AREA_RULES] = "rules.monfs",
	[AREA_DASHBOARDS] = "dashboards.monfs",
};

/* The area a path lies in, even when it names nothing. */
static enum area area_of(const char *path)
{
	struct fs_path p;

	path_parse(path, &p);
	return p.area;
}

int audit_refusal(const char *path, const char *op, int rc, const char *message)
{
	struct caller who;
	struct trail_event ev;

	if (rc >= 0 || rc == -ENOENT)
		return rc;
	who = node_caller();
	ev = (struct trail_event){
		.source = SOURCES[path ? area_of(path) : AREA_ROOT],
		.name = op,
		.who = &who,
		.params = {TRAIL_STR("path", path ? path : "")},
		.nparams = 1,
		.error = rc,
		.message = message,
	};
	store_trail_record(monfs_get()->store, &ev);
	return rc;
}

int audit_read(const struct fs_path *p, int rc, const char *message)
{
	bool metric = p->area == AREA_METRICS;
	struct caller who;
	struct trail_event ev;

	if (rc == 0 && monfs_get()->trail_data != TRAIL_DATA_ALL)
		return rc;
	who = node_caller();
	ev = (struct trail_event){
		.source = SOURCES[p->area],
		.name = metric ? "GetMetricStatistics" : "GetLogEvents",
		.who = &who,
		.read_only = true,
		.data = true,
		.params = {TRAIL_STR(metric ? "namespace" : "logGroupName",
				     p->parent),
			   TRAIL_STR(metric ? "metricName" : "logStreamName",
				     p->leaf)},
		.nparams = 2,
		.error = rc,
		.message = message,
	};
	if (p->query)
		ev.params[ev.nparams++] = TRAIL_STR("query", p->query);
	store_trail_record(monfs_get()->store, &ev);
	return rc;
}

int audit_group_read(const struct fs_path *p, const char *op, int rc,
		     const char *message)
{
	struct caller who;
	struct trail_event ev;

	if (rc == 0 && monfs_get()->trail_data != TRAIL_DATA_ALL)
		return rc;
	who = node_caller();
	ev = (struct trail_event){
		.source = SOURCES[AREA_LOGS],
		.name = op,
		.who = &who,
		.read_only = true,
		.data = true,
		.params = {TRAIL_STR("logGroupName", p->rest),
			   TRAIL_STR("query", p->query ? p->query : "")},
		.nparams = 2,
		.error = rc,
		.message = message,
	};
	store_trail_record(monfs_get()->store, &ev);
	return rc;
}
