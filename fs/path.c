/* path: FUSE paths into area, namespace or group, leaf and view query. */
#include "fs/path.h"

#include <errno.h>
#include <string.h>

static const char *const AREAS[] = {
	[AREA_ROOT] = "",          [AREA_METRICS] = "metrics",
	[AREA_LOGS] = "logs",      [AREA_ALARMS] = "alarms",
	[AREA_FILTERS] = "filters", [AREA_TRAIL] = "trail",
};

const char *area_name(enum area area)
{
	return AREAS[area];
}

int path_parse(const char *path, struct fs_path *out)
{
	const char *first, *slash, *q;
	size_t n;
	int a;

	memset(out, 0, sizeof(*out));
	while (*path == '/')
		path++;
	if (!*path) {
		out->area = AREA_ROOT;
		out->leaf = out->rest;
		return 0;
	}
	first = path;
	slash = strchr(first, '/');
	n = slash ? (size_t)(slash - first) : strlen(first);
	for (a = AREA_METRICS; a <= AREA_TRAIL; a++)
		if (strlen(AREAS[a]) == n && !memcmp(AREAS[a], first, n))
			break;
	if (a > AREA_TRAIL)
		return -ENOENT;
	out->area = (enum area)a;
	path = slash ? slash + 1 : first + n;
	if (strlen(path) >= sizeof(out->rest))
		return -ENAMETOOLONG;
	strcpy(out->rest, path);

	/* A query may only follow the last component. */
	q = strchr(out->rest, '?');
	if (q) {
		if (strchr(q, '/'))
			return -ENOENT;
		out->rest[q - out->rest] = '\0';
		out->query = q + 1;
	}
	slash = strrchr(out->rest, '/');
	if (slash) {
		memcpy(out->parent, out->rest, (size_t)(slash - out->rest));
		out->leaf = slash + 1;
	} else {
		out->leaf = out->rest;
	}
	return 0;
}
