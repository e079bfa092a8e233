/* access: permission checks at the front end, refusals on the record. */
#include "fs/access.h"

#include <errno.h>
#include <stdio.h>

#include "fs/audit.h"
#include "lib/perm.h"

static int refuse(const char *path, const char *op, int rc,
		  const struct caller *who, const char *what)
{
	char why[200];

	snprintf(why, sizeof(why), "%s may not %s", who->user, what);
	return audit_refusal(path, op, rc, why);
}

static const char *verb(int want)
{
	if (want & PERM_WRITE)
		return want & PERM_READ ? "read and write it" : "write to it";
	return want & PERM_READ ? "read it" : "search it";
}

int access_node(const char *path, const struct node *n,
		const struct caller *who, int want, const char *op)
{
	int rc = node_walk(&n->path, who);

	if (rc == -EACCES)
		return refuse(path, op, rc, who, "search a directory above it");
	if (rc)
		return rc;
	if (!perm_allows(who, &n->attr, n->type != NT_FILE, want))
		return refuse(path, op, -EACCES, who, verb(want));
	return 0;
}

int access_read(const char *path, const struct node *n,
		const struct caller *who, bool record, const char *op)
{
	int rc;

	if (record)
		return access_node(path, n, who, PERM_READ, op);
	rc = node_walk(&n->path, who);
	if (!rc && !perm_allows(who, &n->attr, n->type != NT_FILE, PERM_READ))
		rc = -EACCES;
	return rc;
}

int access_create(const char *path, const struct fs_path *p,
		  const struct caller *who, const char *op)
{
	struct node_attr dir;
	int rc = node_walk(p, who);

	if (rc == -EACCES)
		return refuse(path, op, rc, who, "search a directory above it");
	if (!rc)
		rc = node_parent_attr(p, &dir);
	if (rc)
		return rc;
	if (!perm_allows(who, &dir, true, PERM_WRITE | PERM_EXEC))
		return refuse(path, op, -EACCES, who, "write to its directory");
	return 0;
}

int access_delete(const char *path, const struct node *n,
		  const struct caller *who, const char *op)
{
	struct node_attr dir;
	int rc = node_walk(&n->path, who);

	if (rc == -EACCES)
		return refuse(path, op, rc, who, "search a directory above it");
	if (!rc)
		rc = node_parent_attr(&n->path, &dir);
	if (rc)
		return rc;
	if (!perm_allows(who, &dir, true, PERM_WRITE | PERM_EXEC))
		return refuse(path, op, -EACCES, who, "write to its directory");
	if (!perm_may_delete(who, &dir, n->attr.uid))
		return refuse(path, op, -EPERM, who,
			      "remove another user's entry in a sticky "
			      "directory");
	return 0;
}

int access_rename(const char *from, const struct node *src,
		  const struct node *dst, bool dst_exists,
		  const struct caller *who)
{
	int rc = access_delete(from, src, who, "Rename");

	if (rc || !dst_exists)
		return rc;
	/* Replacing the target removes it: the same rule applies. */
	return access_delete(from, dst, who, "Rename");
}

int access_set_owner(const char *path, const struct node *n,
		     const struct caller *who, uid_t uid, gid_t gid,
		     const char *op)
{
	int rc = node_walk(&n->path, who);

	if (rc == -EACCES)
		return refuse(path, op, rc, who, "search a directory above it");
	if (rc || who->uid == 0)
		return rc;
	if (who->uid != n->attr.uid)
		return refuse(path, op, -EPERM, who,
			      "change what it does not own");
	if (uid != (uid_t)-1 && uid != n->attr.uid)
		return refuse(path, op, -EPERM, who, "give it away");
	if (gid != (gid_t)-1 && gid != n->attr.gid && !perm_in_group(who, gid))
		return refuse(path, op, -EPERM, who,
			      "give it to a group it is not in");
	return 0;
}

int access_set_times(const char *path, const struct node *n,
		     const struct caller *who, bool to_now, const char *op)
{
	int rc = node_walk(&n->path, who);

	if (rc == -EACCES)
		return refuse(path, op, rc, who, "search a directory above it");
	if (rc)
		return rc;
	rc = perm_may_set_times(who, &n->attr, n->type != NT_FILE, to_now);
	if (rc == -EPERM)
		return refuse(path, op, rc, who,
			      "set the times of what it does not own");
	if (rc)
		return refuse(path, op, rc, who, "write to it");
	return 0;
}
