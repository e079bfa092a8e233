/*
 * xattr: the extended attributes monfs gives meaning to — user.unit on a
 * metric (SPEC 3) and user.retention_days on a log group (SPEC 4). Any
 * other name is not supported.
 *
 * Tools probe attributes on every file they copy, list or save (ls,
 * cp -a, editors): ACLs (system.*) and security labels (security.*).
 * Those get ENOTSUP and no trail record, so that an editor's save does
 * not leave refusals behind (SPEC 6). Reading or removing an attribute
 * that is not there is ENODATA, as on any filesystem, and not recorded
 * either: `getfattr -d` must not fill the trail. Setting a name monfs
 * does not keep there is a user's mistake: ENOTSUP, recorded, with a
 * message saying where that name belongs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#include "fs/access.h"
#include "fs/audit.h"
#include "fs/node.h"
#include "fs/shape.h"
#include "fs/xattr.h"
#include "lib/format.h"
#include "lib/perm.h"

#define XATTR_UNIT "user.unit"
#define XATTR_RETENTION "user.retention_days"
#define XATTR_VALUE_MAX 32

enum xattr { XA_NONE, XA_UNIT, XA_RETENTION };

/* Whether name is one that tools probe (see the file header). */
static bool is_probe(const char *name)
{
	return !strncmp(name, "system.", 7) || !strncmp(name, "security.", 9);
}

/* What n is, in the plural, for a message: "streams", "log groups". */
static const char *kind_of(const struct node *n)
{
	bool dir = n->type == NT_DIR;

	switch (n->path.area) {
	case AREA_METRICS:
		return dir ? "namespaces" : "metrics";
	case AREA_LOGS:
		return dir ? "log groups" : "streams";
	case AREA_ALARMS:
		return "alarms";
	case AREA_FILTERS:
		return "metric filters";
	case AREA_RULES:
		return "rules";
	case AREA_DASHBOARDS:
		return "dashboards";
	default:
		return "these files";
	}
}

/*
 * Why name cannot be set on n, in the user's words: where the name
 * belongs, or which names monfs keeps at all.
 */
static void explain_unsupported(const struct node *n, const char *name,
				char *out, size_t size)
{
	char q[FORMAT_QUOTE_SIZE];

	if (!strcmp(name, XATTR_UNIT))
		snprintf(out, size, "%s is kept on metrics, not %s", name,
			 kind_of(n));
	else if (!strcmp(name, XATTR_RETENTION))
		snprintf(out, size, "%s is kept on log groups, not %s", name,
			 kind_of(n));
	else
		snprintf(out, size,
			 "%s is not an attribute monfs keeps (it keeps %s"
			 " on metrics and %s on log groups)",
			 format_quote(q, name, strlen(name)), XATTR_UNIT,
			 XATTR_RETENTION);
}

/* Which attribute name means on node n, if any. */
static enum xattr xattr_of(const struct node *n, const char *name)
{
	if (n->type == NT_FILE && !n->view && n->path.area == AREA_METRICS &&
	    !strcmp(name, XATTR_UNIT))
		return XA_UNIT;
	if (n->type == NT_DIR && n->path.area == AREA_LOGS &&
	    !strcmp(name, XATTR_RETENTION))
		return XA_RETENTION;
	return XA_NONE;
}

/* The node's value for a, "" when unset. 0 or -errno. */
static int current_value(const struct node *n, enum xattr a,
			 char out[XATTR_VALUE_MAX])
{
	int days, rc;

	out[0] = '\0';
	if (a == XA_UNIT) {
		snprintf(out, XATTR_VALUE_MAX, "%s", n->metric.unit);
		return 0;
	}
	rc = store_group_retention(monfs_get()->store, n->path.rest, &days);
	if (!rc && days > 0)
		snprintf(out, XATTR_VALUE_MAX, "%d", days);
	return rc;
}

/* Store value (NUL-terminated, "" to remove) as a on n. */
static int store_value(const struct node *n, enum xattr a, const char *value)
{
	struct store *st = monfs_get()->store;
	struct caller who = node_caller();
	struct err err = {""};
	long long days = 0;
	char *end = NULL;

	if (a == XA_UNIT)
		return store_metric_set_unit(st, n->path.parent, n->path.leaf,
					     value, &who, &err);
	if (*value && value[0] >= '0' && value[0] <= '9')
		days = strtoll(value, &end, 10);
	if (*value && (!end || *end || days == 0))
		days = -1; /* not a number: the store refuses it, on record */
	return store_group_set_retention(st, n->path.rest, days, &who, &err);
}

/* Why value[0..size) cannot be a value of a, or NULL if it can be kept. */
static const char *bad_value(enum xattr a, const char *value, size_t size,
			     char *out, size_t out_size)
{
	const char *name = a == XA_UNIT ? XATTR_UNIT : XATTR_RETENTION;

	if (size == 0)
		snprintf(out, out_size,
			 "%s needs a value (setfattr -x %s removes it)", name,
			 name);
	else if (size >= XATTR_VALUE_MAX || memchr(value, '\0', size))
		snprintf(out, out_size,
			 "%s: a value is at most %d bytes, without NUL bytes",
			 name, XATTR_VALUE_MAX - 1);
	else
		return NULL;
	return out;
}

int xattr_set(const char *path, const char *name, const char *value,
	      size_t size, int flags)
{
	char buf[XATTR_VALUE_MAX], cur[XATTR_VALUE_MAX], why[256];
	struct node n;
	enum xattr a;
	int rc;

	if (is_probe(name))
		return -ENOTSUP;
	rc = shape_resolve_changeable(path, "Setxattr", &n);
	if (!rc) {
		struct caller who = node_caller();

		rc = access_node(path, &n, &who, PERM_WRITE, "Setxattr");
	}
	if (rc)
		return rc;
	a = xattr_of(&n, name);
	if (a == XA_NONE) {
		explain_unsupported(&n, name, why, sizeof(why));
		return audit_refusal(path, "Setxattr", -ENOTSUP, why);
	}
	if (bad_value(a, value, size, why, sizeof(why)))
		return audit_refusal(path, "Setxattr", -EINVAL, why);
	memcpy(buf, value, size);
	buf[size] = '\0';
	rc = current_value(&n, a, cur);
	if (rc)
		return rc;
	if ((flags & XATTR_CREATE) && cur[0])
		return -EEXIST;
	if ((flags & XATTR_REPLACE) && !cur[0])
		return -ENODATA;
	return store_value(&n, a, buf);
}

int xattr_get(const char *path, const char *name, char *value, size_t size)
{
	char cur[XATTR_VALUE_MAX];
	struct caller who;
	struct node n;
	size_t len;
	int rc;

	if (is_probe(name))
		return -ENOTSUP;
	rc = node_resolve(path, &n);
	if (rc)
		return rc;
	if (xattr_of(&n, name) == XA_NONE)
		return -ENODATA;
	who = node_caller();
	rc = access_node(path, &n, &who, PERM_READ, "Getxattr");
	if (rc)
		return rc;
	rc = current_value(&n, xattr_of(&n, name), cur);
	if (rc)
		return rc;
	len = strlen(cur);
	if (len == 0)
		return -ENODATA;
	if (size == 0)
		return (int)len;
	if (size < len)
		return -ERANGE;
	memcpy(value, cur, len);
	return (int)len;
}

int xattr_list(const char *path, char *list, size_t size)
{
	static const char *const NAMES[] = {XATTR_UNIT, XATTR_RETENTION};
	char cur[XATTR_VALUE_MAX];
	size_t i, len = 0;
	struct node n;
	int rc;

	rc = node_resolve(path, &n);
	if (rc)
		return rc;
	for (i = 0; i < sizeof(NAMES) / sizeof(NAMES[0]); i++) {
		enum xattr a = xattr_of(&n, NAMES[i]);
		size_t need = strlen(NAMES[i]) + 1;

		if (a == XA_NONE || current_value(&n, a, cur) || !cur[0])
			continue;
		if (size && len + need > size)
			return -ERANGE;
		if (size)
			memcpy(list + len, NAMES[i], need);
		len += need;
	}
	return (int)len;
}

int xattr_remove(const char *path, const char *name)
{
	char cur[XATTR_VALUE_MAX];
	struct node n;
	enum xattr a;
	int rc;

	if (is_probe(name))
		return -ENOTSUP;
	rc = shape_resolve_changeable(path, "Removexattr", &n);
	if (!rc) {
		struct caller who = node_caller();

		rc = access_node(path, &n, &who, PERM_WRITE, "Removexattr");
	}
	if (rc)
		return rc;
	a = xattr_of(&n, name);
	if (a == XA_NONE)
		return -ENODATA;
	rc = current_value(&n, a, cur);
	if (rc)
		return rc;
	if (!cur[0])
		return -ENODATA;
	return store_value(&n, a, "");
}
