/*
 * ops: the FUSE operations on names, directories and attributes, and the
 * operations table. Each resolves the path to a node (fs/node.c),
 * refuses what the SPEC refuses, and calls the store; open files live in
 * fs/file.c, extended attributes in fs/xattr.c.
 *
 * What exists now: the root and its areas; in metrics/ namespaces,
 * metrics and their views; in logs/ groups, streams and their views.
 * in alarms/ the alarms, in filters/ the metric filters; in trail/ the
 * day files of the audit trail, which refuses every change with EPERM;
 * in events/ the event buses. Refusals
 * decided here are recorded (fs/audit.c); what the store does records itself.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "fs/access.h"
#include "fs/audit.h"
#include "fs/node.h"
#include "fs/file.h"
#include "fs/handle.h"
#include "fs/render_dashboard.h"
#include "fs/ops.h"
#include "fs/shape.h"
#include "fs/xattr.h"
#include "lib/format.h"
#include "lib/parse.h"
#include "lib/perm.h"
#include "lib/timeutil.h"

static int op_getattr(const char *path, struct stat *st,
		      struct fuse_file_info *fi)
{
	struct node n;
	int rc;

	/*
	 * With the open file's handle (lseek to the end, ...), libfuse
	 * passes no path (nullpath_ok): answer from the handle, which also
	 * knows a stream removed while open.
	 */
	if (!path || (fi && file_sized_by_handle(fi)))
		return fi ? file_stat(fi, st) : -ENOENT;
	rc = node_resolve(path, &n);
	/*
	 * The kernel looks a name up before it makes, opens or removes it:
	 * an overlong name stops here, so its refusal is recorded here.
	 */
	if (rc == -ENAMETOOLONG)
		return audit_refusal(path, "Lookup", rc,
				     "a path component is at most 255 bytes, "
				     "a view's name at most 1,024");
	/* A bad dimension path (SPEC 11) is refused at its first lookup. */
	if (rc == -EINVAL && n.path.err.msg[0])
		return audit_refusal(path, "Lookup", rc, n.path.err.msg);
	if (!rc && n.type != NT_ROOT) {
		/* A lookup: the path walk must be allowed (SPEC 9). */
		struct caller who = node_caller();

		rc = node_walk(&n.path, &who);
		if (rc == -EACCES)
			return audit_refusal(path, "Lookup", rc,
					     "no search permission on a "
					     "directory above it");
	}
	if (rc)
		return rc;
	/* A dashboard's view: its size is its drawing's (SPEC 15). */
	if (n.view && n.path.area == AREA_DASHBOARDS)
		n.text_size = render_dashboard_size(&n);
	rc = node_stat(&n, st);
	if (!rc && n.group_view) {
		/*
		 * Linux sends fstat(2) without the handle: a group view held
		 * open by the caller reports what it rendered (SPEC 16), so
		 * that tail -f sees it grow.
		 */
		int64_t size = handle_group_size(path, node_thread_group());

		if (size >= 0) {
			st->st_size = size;
			st->st_blocks = (size + 511) / 512;
		}
	}
	return rc;
}

struct list_ctx {
	void *buf;
	fuse_fill_dir_t filler;
};

static int list_one(void *ctx, const char *name, bool is_dir,
		    const struct node_attr *attr)
{
	struct list_ctx *l = ctx;
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_mode = (is_dir ? S_IFDIR : S_IFREG) | attr->mode;
	return l->filler(l->buf, name, &st, 0, 0) ? -ENOBUFS : 0;
}

/* With nullpath_ok, readdir gets no path: opendir keeps it. */
static int op_opendir(const char *path, struct fuse_file_info *fi)
{
	struct caller who = node_caller();
	struct node n;
	char *copy;
	int rc;

	rc = node_resolve(path, &n);
	if (!rc)
		rc = access_node(path, &n, &who, PERM_READ, "Readdir");
	if (rc)
		return rc;
	copy = strdup(path);

	if (!copy)
		return -ENOMEM;
	fi->fh = (uint64_t)(uintptr_t)copy;
	return 0;
}

static int op_releasedir(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	free((char *)(uintptr_t)fi->fh);
	return 0;
}

static int list_day(void *ctx, const struct trail_day *d)
{
	struct list_ctx *l = ctx;
	char name[FORMAT_TIME_MAX];

	format_date(name, d->day * MS_PER_DAY);
	return l->filler(l->buf, name, NULL, 0, 0) ? -ENOBUFS : 0;
}

static int op_readdir(const char *path, void *buf, fuse_fill_dir_t filler,
		      off_t offset, struct fuse_file_info *fi,
		      enum fuse_readdir_flags flags)
{
	struct list_ctx l = {buf, filler};
	struct node n;
	int rc, a;

	(void)path, (void)offset, (void)flags;
	rc = node_resolve((const char *)(uintptr_t)fi->fh, &n);
	if (rc)
		return rc;
	if (n.type == NT_FILE)
		return -ENOTDIR;
	filler(buf, ".", NULL, 0, 0);
	filler(buf, "..", NULL, 0, 0);
	if (n.type == NT_ROOT) {
		for (a = AREA_METRICS; a <= AREA_LAST; a++)
			filler(buf, area_name((enum area)a), NULL, 0, 0);
		return 0;
	}
	if (n.path.area == AREA_TRAIL)
		rc = store_trail_days(monfs_get()->store, list_day, &l);
	if (n.path.area == AREA_ALARMS)
		rc = store_alarm_list(monfs_get()->store, list_one, &l);
	if (n.path.area == AREA_FILTERS)
		rc = store_filter_list(monfs_get()->store, list_one, &l);
	if (n.path.area == AREA_EVENTS)
		rc = store_bus_list(monfs_get()->store, list_one, &l);
	if (n.path.area == AREA_RULES)
		rc = store_rule_list(monfs_get()->store, list_one, &l);
	if (n.path.area == AREA_DASHBOARDS)
		rc = store_dashboard_list(monfs_get()->store, list_one, &l);
	if (!area_has_tree(n.path.area) || n.alias)
		return rc == -ENOBUFS ? 0 : rc;
	rc = store_dir_list(monfs_get()->store, area_tree(n.path.area),
			    n.path.rest, list_one, &l);
	return rc == -ENOBUFS ? 0 : rc;
}

static int op_mkdir(const char *path, mode_t mode)
{
	struct caller who = node_caller();
	const char *why = NULL;
	struct fs_path p;
	struct err err = {""};
	int rc;

	rc = path_parse(path, &p);
	if (!rc)
		rc = shape_creatable(&p, true, &why);
	if (!rc)
		rc = path_metrics_creatable(&p, true);
	if (rc)
		return audit_refusal(path, "Mkdir", rc == -ENOENT ? -EPERM : rc,
				     why ? why : p.err.msg);
	rc = access_create(path, &p, &who, "Mkdir");
	if (rc)
		return rc;
	return store_dir_create(monfs_get()->store, area_tree(p.area), p.rest,
				mode & ~node_umask() & 07777, &who, &err);
}

static int op_rmdir(const char *path)
{
	struct caller who = node_caller();
	struct node n;
	struct err err = {""};
	int rc;

	rc = node_resolve(path, &n);
	if (rc)
		return audit_refusal(path, "Rmdir", rc, NULL);
	if (n.type == NT_ROOT || n.type == NT_AREA)
		return audit_refusal(path, "Rmdir", -EPERM,
				     "the top directories stay");
	if (n.type != NT_DIR)
		return audit_refusal(path, "Rmdir", -ENOTDIR, NULL);
	if (n.alias)
		return audit_refusal(path, "Rmdir", -ENOTEMPTY,
				     "a step towards a larger dimension set, "
				     "not a set of its own");
	rc = access_delete(path, &n, &who, "Rmdir");
	if (rc)
		return rc;
	return store_dir_delete(monfs_get()->store, area_tree(n.path.area),
				n.path.rest, &who, &err);
}

static int op_unlink(const char *path)
{
	struct caller who = node_caller();
	struct node n;
	struct err err = {""};
	int rc;

	rc = node_resolve(path, &n);
	if (rc || n.path.area == AREA_TRAIL)
		return audit_refusal(
			path, "Unlink", n.path.area == AREA_TRAIL ? -EPERM : rc,
			n.path.area == AREA_TRAIL ? "the trail is read-only"
						  : NULL);
	if (n.type == NT_DIR)
		return audit_refusal(path, "Unlink", -EISDIR, NULL);
	if (n.type == NT_FILE && !n.view) {
		rc = access_delete(path, &n, &who, "Unlink");
		if (rc)
			return rc;
	}
	if (n.being_created)
		return file_creating_remove(&n);
	if (n.type == NT_FILE && !n.view && n.path.area == AREA_ALARMS)
		return store_alarm_delete(monfs_get()->store, n.path.rest, &who,
					  &err);
	if (n.type == NT_FILE && n.path.area == AREA_FILTERS)
		return store_filter_delete(monfs_get()->store, n.path.rest,
					   &who, &err);
	if (n.type == NT_FILE && n.path.area == AREA_RULES)
		return store_rule_delete(monfs_get()->store, n.path.rest, &who,
					 &err);
	if (n.type == NT_FILE && !n.view && n.path.area == AREA_DASHBOARDS)
		return store_dashboard_delete(monfs_get()->store, n.path.rest,
					      &who, &err);
	if (n.type == NT_FILE && n.path.area == AREA_EVENTS)
		return store_bus_delete(monfs_get()->store, n.path.rest, &who,
					&err);
	if (n.type != NT_FILE || n.view || !area_has_tree(n.path.area))
		return audit_refusal(path, "Unlink", -EPERM, NULL);
	return store_file_delete(monfs_get()->store, area_tree(n.path.area),
				 n.path.parent, n.path.leaf, &who, &err);
}

/*
 * Where rename(2) of from to to would go (SPEC 2): a definition in
 * alarms/ or filters/ to a valid name in the same directory. Resolves
 * both ends (*dst_exists: to is defined or being created). 0, or the
 * errno with *why: EPERM for anything but a definition, EXDEV across
 * directories, EINVAL for flags but RENAME_NOREPLACE (RENAME_EXCHANGE)
 * and bad names, EEXIST for RENAME_NOREPLACE onto a name in use.
 */
static int rename_resolve(const char *from, const char *to, unsigned flags,
			  struct node *src, struct node *dst, bool *dst_exists,
			  const char **why)
{
	struct fs_path *p = &dst->path;
	int rc;

	*why = NULL;
	*dst_exists = false;
	rc = node_resolve(from, src);
	if (rc)
		return rc;
	*why = "nothing is renamed but definitions";
	if (src->type != NT_FILE || src->view || !AREA_DEFINES(src->path.area))
		return -EPERM;
	*why = "RENAME_EXCHANGE is not supported";
	if (flags & ~(unsigned)RENAME_NOREPLACE)
		return -EINVAL;
	*why = "a definition stays in its directory";
	rc = path_parse(to, p);
	if (rc == -ENOENT ||
	    (!rc && (p->area != src->path.area || strchr(p->rest, '/'))))
		return -EXDEV;
	*why = p->query ? "'?' is reserved for views" : "not a name";
	if (!rc && p->query)
		rc = -EINVAL;
	if (!rc)
		rc = parse_definition_name(p->rest, strlen(p->rest));
	if (rc)
		return rc;
	*why = NULL;
	rc = node_resolve(to, dst);
	*dst_exists = rc == 0;
	if (rc != -ENOENT && rc)
		return rc;
	*why = "the target exists (RENAME_NOREPLACE)";
	if (*dst_exists && (flags & RENAME_NOREPLACE))
		return -EEXIST;
	*why = NULL;
	return 0;
}

/*
 * rename(2): only a definition is renamed, within its directory (SPEC
 * 2). Onto a name in use, its definition replaces that one's, as
 * writing it would; to a free name, it moves.
 */
static int op_rename(const char *from, const char *to, unsigned int flags)
{
	struct caller who = node_caller();
	struct node src, dst;
	bool dst_exists = false;
	const char *why;
	int rc;

	rc = rename_resolve(from, to, flags, &src, &dst, &dst_exists, &why);
	if (rc)
		return audit_refusal(from, "Rename", rc, why);
	rc = access_rename(from, &src, &dst, dst_exists, &who);
	if (rc)
		return rc;
	return file_rename(&src, &dst, &who);
}

static int op_link(const char *from, const char *to)
{
	(void)from;
	return audit_refusal(to, "Link", -EPERM, "nothing is linked");
}

static int op_symlink(const char *from, const char *to)
{
	(void)from;
	return audit_refusal(to, "Symlink", -EPERM, "nothing is linked");
}

static int op_mknod(const char *path, mode_t mode, dev_t dev)
{
	(void)mode, (void)dev;
	return audit_refusal(path, "Mknod", -EPERM,
			     "no devices, FIFOs or sockets");
}

/*
 * alarms/ and filters/ keep their owner, mode and times, but tar and
 * rsync set them as they restore a copy of the directory (SPEC 2):
 * from its owner (or root), setting the times, or the owner and mode to
 * what they are, is accepted and changes nothing. Whether path and the
 * values given ((uid_t)-1 ... for none) are such a call.
 */
static bool definitions_dir_kept(const char *path, uid_t uid, gid_t gid,
				 mode_t mode)
{
	struct caller who;
	struct node n;

	if (!path || node_resolve(path, &n) || n.type != NT_AREA ||
	    !AREA_DEFINES(n.path.area))
		return false;
	who = node_caller();
	return (who.uid == 0 || who.uid == n.attr.uid) &&
	       (uid == (uid_t)-1 || uid == n.attr.uid) &&
	       (gid == (gid_t)-1 || gid == n.attr.gid) &&
	       (mode == (mode_t)-1 || (mode & 07777) == n.attr.mode);
}

/*
 * The kind of node n is for the store's ownership and times calls, and
 * the names that find it there: the directory (or the alarm or filter)
 * in *dir, the file in *name (NULL for the others).
 */
static enum node_kind kind_of_node(const struct node *n, const char **dir,
				   const char **name)
{
	static const enum node_kind KIND[2][2] = {
		{NODE_NAMESPACE, NODE_METRIC},
		{NODE_LOG_GROUP, NODE_STREAM},
	};

	*dir = n->path.rest;
	*name = NULL;
	if (n->path.area == AREA_ALARMS)
		return NODE_ALARM;
	if (n->path.area == AREA_EVENTS)
		return NODE_BUS;
	if (n->path.area == AREA_FILTERS)
		return NODE_FILTER;
	if (n->path.area == AREA_RULES)
		return NODE_RULE;
	if (n->path.area == AREA_DASHBOARDS)
		return NODE_DASHBOARD;
	if (n->type == NT_FILE) {
		*dir = n->path.parent;
		*name = n->path.leaf;
	}
	return KIND[n->path.area == AREA_LOGS][n->type == NT_FILE];
}

static int set_owner(const char *path, const char *op, uid_t uid, gid_t gid,
		     mode_t mode)
{
	struct caller who = node_caller();
	struct err err = {""};
	const char *dir, *name;
	enum node_kind kind;
	struct node n;
	int rc;

	if (definitions_dir_kept(path, uid, gid, mode))
		return 0;
	rc = shape_resolve_changeable(path, op, &n);
	if (!rc && node_is_default_bus(&n.path))
		return audit_refusal(path, op, -EPERM,
				     "the default bus keeps the trail's owner"
				     " and mode");
	if (!rc)
		rc = access_set_owner(path, &n, &who, uid, gid, op);
	if (rc)
		return rc;
	if (mode != (mode_t)-1)
		mode = perm_chmod_mode(&who, &n.attr, mode);
	if (n.being_created)
		return file_creating_set_owner(&n, uid, gid, mode);
	kind = kind_of_node(&n, &dir, &name);
	return store_node_set_owner(monfs_get()->store, kind, dir, name, uid,
				    gid, mode, &who, &err);
}

static int op_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	(void)fi;
	return set_owner(path, "Chmod", (uid_t)-1, (gid_t)-1, mode & 07777);
}

static int op_chown(const char *path, uid_t uid, gid_t gid,
		    struct fuse_file_info *fi)
{
	(void)fi;
	return set_owner(path, "Chown", uid, gid, (mode_t)-1);
}

/* Truncation is accepted and erases nothing (SPEC 3, 4). */
static int op_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct caller who;
	struct node n;
	int rc;

	(void)size;
	if (!path && fi)
		return 0;
	rc = shape_resolve_changeable(path, "Truncate", &n);
	if (rc)
		return rc;
	if (n.type != NT_FILE)
		return -EISDIR;
	who = node_caller();
	return access_node(path, &n, &who, PERM_WRITE, "Truncate");
}

/* A struct timespec of utimensat(2) as a store time. */
static int64_t store_time_of(const struct timespec *ts)
{
	if (ts->tv_nsec == UTIME_NOW)
		return STORE_TIME_NOW;
	if (ts->tv_nsec == UTIME_OMIT)
		return STORE_TIME_OMIT;
	return (int64_t)ts->tv_sec * 1000 + ts->tv_nsec / 1000000;
}

/*
 * utimensat(2): both times to now needs write permission, other times
 * ownership (as Linux). Streams, directories and definitions keep the
 * mtime they are given until their next change moves it; a metric's
 * follows its data, and atimes are not kept (README).
 */
static int op_utimens(const char *path, const struct timespec tv[2],
		      struct fuse_file_info *fi)
{
	const char *dir, *name;
	enum node_kind kind;
	struct caller who;
	struct node n;
	bool to_now;
	int rc;

	(void)fi;
	/* An open file whose name is gone; alarms/ and filters/ as tar sets
	 * them. */
	if (!path ||
	    definitions_dir_kept(path, (uid_t)-1, (gid_t)-1, (mode_t)-1))
		return 0;
	rc = shape_resolve_changeable(path, "Utimens", &n);
	if (rc)
		return rc;
	/*
	 * touch and cp -p set the times of what they have just made: an
	 * alarm or filter still being written keeps none before its close.
	 */
	if (n.being_created)
		return 0;
	who = node_caller();
	to_now = tv[0].tv_nsec == UTIME_NOW && tv[1].tv_nsec == UTIME_NOW;
	rc = access_set_times(path, &n, &who, to_now, "Utimens");
	if (rc)
		return rc;
	kind = kind_of_node(&n, &dir, &name);
	return store_node_set_times(monfs_get()->store, kind, dir, name,
				    store_time_of(&tv[1]));
}

static int op_statfs(const char *path, struct statvfs *sv)
{
	char dir[PATH_MAX];
	char *slash;

	(void)path;
	snprintf(dir, sizeof(dir), "%s", monfs_get()->opt.db);
	slash = strrchr(dir, '/');
	if (slash && slash != dir)
		*slash = '\0';
	if (statvfs(dir, sv))
		memset(sv, 0, sizeof(*sv));
	sv->f_namemax = NAME_MAX_BYTES;
	return 0;
}

const struct fuse_operations monfs_operations = {
	.getattr = op_getattr,
	.opendir = op_opendir,
	.readdir = op_readdir,
	.releasedir = op_releasedir,
	.mkdir = op_mkdir,
	.rmdir = op_rmdir,
	.unlink = op_unlink,
	.rename = op_rename,
	.link = op_link,
	.symlink = op_symlink,
	.mknod = op_mknod,
	.create = file_create,
	.open = file_open,
	.read = file_read,
	.write = file_write,
	.flush = file_flush,
	.release = file_release,
	.fsync = file_fsync,
	.chmod = op_chmod,
	.chown = op_chown,
	.truncate = op_truncate,
	.utimens = op_utimens,
	.statfs = op_statfs,
	.setxattr = xattr_set,
	.getxattr = xattr_get,
	.listxattr = xattr_list,
	.removexattr = xattr_remove,
};
