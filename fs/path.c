/* path: FUSE paths into area, namespace or group, leaf and view query. */
#include "fs/path.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "lib/parse.h"

static const char *const AREAS[] = {
	[AREA_ROOT] = "",	    [AREA_METRICS] = "metrics",
	[AREA_LOGS] = "logs",	    [AREA_ALARMS] = "alarms",
	[AREA_FILTERS] = "filters", [AREA_TRAIL] = "trail",
};

const char *area_name(enum area area)
{
	return AREAS[area];
}

/*
 * Whether every '/'-separated component of s[0..len) fits in a name
 * (SPEC 2: 255 bytes).
 */
static bool components_fit(const char *s, size_t len)
{
	const char *end = s + len, *slash;

	for (; s < end; s = slash + 1) {
		slash = memchr(s, '/', (size_t)(end - s));
		if (!slash)
			slash = end;
		if ((size_t)(slash - s) > NAME_MAX_BYTES)
			return false;
	}
	return true;
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
		return n > NAME_MAX_BYTES ? -ENAMETOOLONG : -ENOENT;
	out->area = (enum area)a;
	/* A view's query may take its name past 255 bytes (SPEC 16). */
	q = strchr(path, '?');
	if (!components_fit(path, q ? (size_t)(q - path) : strlen(path)))
		return -ENAMETOOLONG;
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
