/*
 * path: split a FUSE path into the area it lies in (metrics/, logs/,
 * ...), the part below the area, its last component and a view query.
 *
 * Pure string work: whether "metrics/A/B" is a namespace or a metric is
 * the store's to say (fs/node.c asks it).
 */
#ifndef MONFS_FS_PATH_H
#define MONFS_FS_PATH_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

enum area {
	AREA_ROOT,
	AREA_METRICS,
	AREA_LOGS,
	AREA_ALARMS,
	AREA_FILTERS,
	AREA_TRAIL,
	AREA_EVENTS,
	AREA_RULES,
	AREA_DASHBOARDS,
};

/* The last area, for loops over them all. */
#define AREA_LAST AREA_DASHBOARDS

/*
 * Whether area holds definitions (alarms/, filters/, rules/,
 * dashboards/): files
 * taken whole and parsed at close, renamed within their directory,
 * whose names may start with '.' (SPEC 2).
 */
#define AREA_DEFINES(area)                                                     \
	((area) == AREA_ALARMS || (area) == AREA_FILTERS ||                    \
	 (area) == AREA_RULES || (area) == AREA_DASHBOARDS)

#define VIEW_NAME_MAX_BYTES 1024 /* a view's name, its query included */

struct fs_path {
	enum area area;
	char rest[PATH_MAX];   /* below the area, no query: "AWS/EC2/CPU" */
	char parent[PATH_MAX]; /* rest less its last component: "AWS/EC2" */
	const char *leaf;      /* rest's last component, inside rest */
	const char *query; /* after the '?', or NULL; inside rest's buffer */
	/*
	 * metrics/ only: rest names dimensions (SPEC 11), and is spelled
	 * canonically: Names sorted, values encoded as listings show them.
	 */
	bool dimensions;
	struct err err; /* why path_parse refused, naming the component */
};

/*
 * Parse an absolute path ("/metrics/AWS/EC2/CPU?period=60"). 0, or
 * -ENOENT for a path outside the areas or a '?' before the last
 * component, -ENAMETOOLONG for a path that does not fit or a component
 * over NAME_MAX_BYTES (a view's last one counted up to its '?'). The
 * area is set in out once known, even when the rest fails.
 *
 * Under metrics/, a path with `Name=Value` components (SPEC 11) comes
 * back in its canonical spelling (rest, parent and leaf), whatever the
 * order and escapes it was written in, so that every spelling of a set
 * reaches the same store rows. Its last component is a dimension when
 * it holds '=' (a directory), else a metric name. A bad dimension path
 * (a namespace level below a dimension, a Name twice, an empty Name or
 * Value, a bad escape, more than 30) is -EINVAL with out->err naming
 * the component.
 */
int path_parse(const char *path, struct fs_path *out);

/*
 * Whether a metrics/ path may be made as a directory (dir) or a metric
 * file: a metric name holds no '=', and no namespace level lies below a
 * dimension. 0, or -EINVAL with p->err naming the component.
 */
int path_metrics_creatable(struct fs_path *p, bool dir);

/* The directory name of an area ("metrics"), "" for the root. */
const char *area_name(enum area area);

#endif
