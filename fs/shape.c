/*
 * shape: the tree's fixed shape, which no permission changes (SPEC 1, 2,
 * 6): nothing is made at the root or under trail/, alarms and filters
 * are files in their directory, metrics and streams live in a namespace
 * or group; the root, the areas, views and the trail keep their
 * attributes. Each refusal is recorded (fs/audit.c).
 */
#include "fs/shape.h"

#include <errno.h>

#include "fs/audit.h"
#include "fs/node.h"

int shape_creatable(const struct fs_path *p, bool dir, const char **why)
{
	*why = NULL;
	switch (p->area) {
	case AREA_ROOT:
		*why = "nothing else can be made at the root";
		return -EPERM;
	case AREA_TRAIL:
		*why = "the trail is read-only";
		return -EPERM;
	case AREA_ALARMS:
	case AREA_FILTERS:
	case AREA_RULES:
	case AREA_DASHBOARDS:
		if (dir || p->parent[0]) {
			*why = "alarms, filters, rules and dashboards are "
			       "files, in their directory itself";
			return -EPERM;
		}
		break;
	case AREA_EVENTS:
		if (dir || p->parent[0]) {
			*why = "buses are files, in events/ itself";
			return -EPERM;
		}
		break;
	case AREA_METRICS:
	case AREA_LOGS:
		break;
	}
	if (!p->rest[0])
		return -EEXIST;
	if (!dir && !p->parent[0] && area_has_tree(p->area)) {
		*why = p->area == AREA_METRICS ? "a metric needs a namespace"
					       : "a stream needs a log group";
		return -EPERM;
	}
	if (p->query) {
		*why = "'?' is reserved for views";
		return -EINVAL;
	}
	if (p->area == AREA_DASHBOARDS && dashboard_view_ending(p->rest)) {
		*why = "a dashboard's name may not end in .txt, .html or "
		       ".svg: such names are its views";
		return -EINVAL;
	}
	return 0;
}

int shape_resolve_changeable(const char *path, const char *op, struct node *n)
{
	int rc;

	if (!path)
		return -EPERM;
	rc = node_resolve(path, n);
	if (rc || n->path.area == AREA_TRAIL)
		return audit_refusal(
			path, op, n->path.area == AREA_TRAIL ? -EPERM : rc,
			n->path.area == AREA_TRAIL ? "the trail is read-only"
						   : NULL);
	if (n->type == NT_ROOT || n->type == NT_AREA || n->view)
		return audit_refusal(path, op, -EPERM, NULL);
	return 0;
}
