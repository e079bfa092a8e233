/* path: FUSE paths into area, namespace or group, leaf and view query. */
#include "fs/path.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "lib/dimension.h"
#include "lib/format.h"
#include "lib/parse.h"
#include "lib/strbuf.h"

static const char *const AREAS[] = {
	[AREA_ROOT] = "",
	[AREA_METRICS] = "metrics",
	[AREA_LOGS] = "logs",
	[AREA_ALARMS] = "alarms",
	[AREA_FILTERS] = "filters",
	[AREA_TRAIL] = "trail",
	[AREA_EVENTS] = "events",
	[AREA_RULES] = "rules",
	[AREA_DASHBOARDS] = "dashboards",
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

/*
 * Spell out->rest, a metrics/ path holding '=', canonically (SPEC 11):
 * the dimensions in Name order, values encoded as listings show them.
 * The query, if any, moves behind the new rest. 0, -EINVAL (out->err
 * says why), -ENAMETOOLONG, -ENOMEM.
 */
static int canonical_metrics(struct fs_path *out)
{
	const char *slash = strrchr(out->rest, '/');
	const char *leaf = slash ? slash + 1 : out->rest;
	enum dimension_path_kind kind =
		strchr(leaf, '=') ? DIMENSION_PATH_DIR : DIMENSION_PATH_METRIC;
	struct dimension_path dp;
	struct strbuf canon = STRBUF_INIT;
	char query[PATH_MAX];
	int rc;

	rc = dimension_parse_path(out->rest, strlen(out->rest), kind, &dp,
				  &out->err);
	if (rc)
		return rc;
	out->dimensions = dp.dims.count > 0;
	rc = kind == DIMENSION_PATH_DIR
		     ? dimension_dir_path(&canon, dp.ns, dp.ns_len, &dp.dims,
					  dp.dims.count)
		     : dimension_metric_path(&canon, dp.ns, dp.ns_len, &dp.dims,
					     dp.name, dp.name_len);
	dimension_path_free(&dp);
	if (rc)
		goto out;
	snprintf(query, sizeof(query), "%s", out->query ? out->query : "");
	if (canon.len + 1 + strlen(query) + 1 > sizeof(out->rest)) {
		rc = -ENAMETOOLONG;
		goto out;
	}
	memcpy(out->rest, canon.buf, canon.len + 1);
	if (out->query) {
		strcpy(out->rest + canon.len + 1, query);
		out->query = out->rest + canon.len + 1;
	}
out:
	strbuf_release(&canon);
	return rc;
}

int path_metrics_creatable(struct fs_path *p, bool dir)
{
	char q[FORMAT_QUOTE_SIZE];
	struct dimension_path dp;
	int rc;

	if (p->area != AREA_METRICS || !strchr(p->rest, '='))
		return 0;
	if (!dir) {
		if (!strchr(p->leaf, '='))
			return 0; /* path_parse checked the rest */
		err_set(&p->err, "metric name \"%s\" holds '=' (a dimension)",
			format_quote(q, p->leaf, strlen(p->leaf)));
		return -EINVAL;
	}
	rc = dimension_parse_path(p->rest, strlen(p->rest), DIMENSION_PATH_DIR,
				  &dp, &p->err);
	if (!rc)
		dimension_path_free(&dp);
	return rc;
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
	/* `alarms?state=ALARM`: a view of an area itself (SPEC 16). */
	q = memchr(first, '?', n);
	if (q) {
		n = (size_t)(q - first);
		slash = NULL;
	}
	for (a = AREA_METRICS; a <= AREA_LAST; a++)
		if (strlen(AREAS[a]) == n && !memcmp(AREAS[a], first, n))
			break;
	if (a > AREA_LAST)
		return n > NAME_MAX_BYTES ? -ENAMETOOLONG : -ENOENT;
	out->area = (enum area)a;
	/*
	 * A view's query may take its name past 255 bytes, up to 1,024
	 * (FUSE's limit for a name, SPEC 16).
	 */
	q = strchr(path, '?');
	if (!components_fit(path, q ? (size_t)(q - path) : strlen(path)))
		return -ENAMETOOLONG;
	if (q) {
		const char *name = q;

		while (name > path && name[-1] != '/')
			name--;
		if (strlen(name) > VIEW_NAME_MAX_BYTES)
			return -ENAMETOOLONG;
	}
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
	if (out->area == AREA_METRICS && strchr(out->rest, '=')) {
		int rc = canonical_metrics(out);

		if (rc)
			return rc;
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
