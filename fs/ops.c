/*
 * ops: the FUSE operations. Each resolves the path to a node, refuses
 * what the SPEC refuses, and calls the store; decisions about data live
 * in store/, renderings in fs/render.c.
 *
 * What exists now: the root and its five areas, and under metrics/ the
 * namespaces, metrics and metric views. logs/, alarms/ and filters/ are
 * empty and answer ENOTSUP to what they will hold; trail/ refuses every
 * change with EPERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fs/handle.h"
#include "fs/monfs.h"
#include "fs/path.h"
#include "fs/render.h"
#include "fs/view.h"
#include "store/parse.h"

#define XATTR_UNIT "user.unit"

enum node_type { NT_ROOT, NT_AREA, NT_NAMESPACE, NT_METRIC, NT_VIEW };

struct node {
	enum node_type type;
	struct fs_path path;
	struct node_attr attr;
	struct metric_info metric; /* NT_METRIC, NT_VIEW */
};

struct monfs *monfs_get(void)
{
	return fuse_get_context()->private_data;
}

static struct caller current_caller(void)
{
	struct fuse_context *ctx = fuse_get_context();

	return (struct caller){ctx->uid, ctx->gid, ctx->pid};
}

static mode_t caller_umask(void)
{
	return fuse_get_context()->umask;
}

/* What path names: -ENOENT when nothing. */
static int resolve(const char *path, struct node *n)
{
	struct monfs *m = monfs_get();
	struct fs_path *p = &n->path;
	int rc;

	memset(&n->attr, 0, sizeof(n->attr));
	rc = path_parse(path, p);
	if (rc)
		return rc;
	if (p->area == AREA_ROOT) {
		n->type = NT_ROOT;
		return 0;
	}
	if (!p->rest[0]) {
		if (p->query)
			return -ENOENT;
		n->type = NT_AREA;
		return 0;
	}
	if (p->area != AREA_METRICS)
		return -ENOENT;
	if (!p->query && !store_namespace_get(m->store, p->rest, &n->attr)) {
		n->type = NT_NAMESPACE;
		return 0;
	}
	if (!p->parent[0] ||
	    store_metric_get(m->store, p->parent, p->leaf, &n->metric))
		return -ENOENT;
	n->attr = n->metric.attr;
	n->type = p->query ? NT_VIEW : NT_METRIC;
	return 0;
}

static void set_time(struct timespec *ts, int64_t ms)
{
	ts->tv_sec = ms / 1000;
	ts->tv_nsec = (ms % 1000) * 1000000;
}

static void fill_stat(const struct node *n, struct stat *st)
{
	struct monfs *m = monfs_get();

	memset(st, 0, sizeof(*st));
	switch (n->type) {
	case NT_ROOT:
		st->st_mode = S_IFDIR | 0755;
		break;
	case NT_AREA:
		st->st_mode = S_IFDIR |
			      (n->path.area == AREA_TRAIL ? 0755 : 01777);
		break;
	case NT_NAMESPACE:
		st->st_mode = S_IFDIR | n->attr.mode;
		break;
	case NT_METRIC:
		st->st_mode = S_IFREG | n->attr.mode;
		break;
	case NT_VIEW:
		st->st_mode = S_IFREG | (n->attr.mode & 0444);
		break;
	}
	if (n->type == NT_ROOT || n->type == NT_AREA) {
		st->st_uid = getuid();
		st->st_gid = getgid();
		set_time(&st->st_mtim, m->mounted_ms);
		set_time(&st->st_ctim, m->mounted_ms);
	} else {
		st->st_uid = n->attr.uid;
		st->st_gid = n->attr.gid;
		set_time(&st->st_mtim, n->attr.mtime_ms);
		set_time(&st->st_ctim, n->attr.ctime_ms);
	}
	st->st_atim = st->st_mtim;
	st->st_nlink = S_ISDIR(st->st_mode) ? 2 : 1;
	st->st_blksize = 4096;
}

static int op_getattr(const char *path, struct stat *st,
		      struct fuse_file_info *fi)
{
	struct node n;
	int rc;

	if (!path) {
		/* An open file whose name is gone (hard_remove). */
		(void)fi;
		memset(st, 0, sizeof(*st));
		st->st_mode = S_IFREG | 0444;
		st->st_nlink = 0;
		return 0;
	}
	rc = resolve(path, &n);
	if (rc)
		return rc;
	fill_stat(&n, st);
	return 0;
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

/*
 * With nullpath_ok, readdir gets no path: opendir keeps it in the handle.
 */
static int op_opendir(const char *path, struct fuse_file_info *fi)
{
	char *copy = strdup(path);

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

static int op_readdir(const char *path, void *buf, fuse_fill_dir_t filler,
		      off_t offset, struct fuse_file_info *fi,
		      enum fuse_readdir_flags flags)
{
	struct list_ctx l = {buf, filler};
	struct node n;
	int rc, a;

	(void)path, (void)offset, (void)flags;
	rc = resolve((const char *)(uintptr_t)fi->fh, &n);
	if (rc)
		return rc;
	if (n.type != NT_ROOT && n.type != NT_AREA && n.type != NT_NAMESPACE)
		return -ENOTDIR;
	filler(buf, ".", NULL, 0, 0);
	filler(buf, "..", NULL, 0, 0);
	if (n.type == NT_ROOT) {
		for (a = AREA_METRICS; a <= AREA_TRAIL; a++)
			filler(buf, area_name((enum area)a), NULL, 0, 0);
		return 0;
	}
	if (n.path.area != AREA_METRICS)
		return 0;
	rc = store_namespace_list(monfs_get()->store, n.path.rest, list_one,
				  &l);
	return rc == -ENOBUFS ? 0 : rc;
}

/*
 * Where a new entry may be made: 0 for a valid place under metrics/,
 * else the errno. Parent checks come before name checks, as the kernel
 * orders them.
 */
static int creatable(const struct fs_path *p, bool dir)
{
	switch (p->area) {
	case AREA_ROOT:
	case AREA_TRAIL:
		return -EPERM;
	case AREA_LOGS:
	case AREA_ALARMS:
	case AREA_FILTERS:
		return -ENOTSUP; /* not built yet */
	case AREA_METRICS:
		break;
	}
	if (!p->rest[0])
		return -EEXIST;
	if (!dir && !p->parent[0])
		return -EPERM; /* a metric needs a namespace */
	if (p->query)
		return -EINVAL; /* '?' is reserved for views */
	return 0;
}

static int op_mkdir(const char *path, mode_t mode)
{
	struct fs_path p;
	struct err err;
	int rc;

	rc = path_parse(path, &p);
	if (rc)
		return rc == -ENOENT ? -EPERM : rc;
	rc = creatable(&p, true);
	if (rc)
		return rc;
	return store_namespace_create(monfs_get()->store, p.rest,
				      mode & ~caller_umask() & 07777,
				      (struct caller[]){current_caller()},
				      &err);
}

static int op_rmdir(const char *path)
{
	struct node n;
	struct err err;
	int rc;

	rc = resolve(path, &n);
	if (rc)
		return rc;
	if (n.type == NT_ROOT || n.type == NT_AREA)
		return -EPERM;
	if (n.type != NT_NAMESPACE)
		return -ENOTDIR;
	return store_namespace_delete(monfs_get()->store, n.path.rest, &err);
}

static int op_unlink(const char *path)
{
	struct node n;
	int rc;

	rc = resolve(path, &n);
	if (rc)
		return n.path.area == AREA_TRAIL ? -EPERM : rc;
	switch (n.type) {
	case NT_METRIC:
		return store_metric_delete(monfs_get()->store, n.metric.id);
	case NT_VIEW:
	case NT_ROOT:
	case NT_AREA:
		return -EPERM;
	case NT_NAMESPACE:
		break;
	}
	return -EISDIR;
}

static int op_refuse(void)
{
	return -EPERM;
}

static int op_rename(const char *from, const char *to, unsigned int flags)
{
	(void)from, (void)to, (void)flags;
	return op_refuse();
}

static int op_link(const char *from, const char *to)
{
	(void)from, (void)to;
	return op_refuse();
}

static int op_mknod(const char *path, mode_t mode, dev_t dev)
{
	(void)path, (void)mode, (void)dev;
	return op_refuse();
}

/* ---- metric files: open, write, read, close ---- */

struct ingest_ctx {
	struct store *store;
	int64_t metric_id;
	int64_t now_ms;
	struct err err;
};

/* lines_fn: parse complete lines and store their points, all or none. */
static int ingest_lines(void *ctx, const char *buf, size_t len)
{
	struct ingest_ctx *c = ctx;
	struct point *points;
	size_t n;
	int rc;

	rc = metric_parse_lines(buf, len, c->now_ms, &points, &n, &c->err);
	if (rc)
		return rc;
	rc = store_metric_ingest(c->store, c->metric_id, points, n, &c->err);
	free(points);
	return rc;
}

static int render_view(const struct node *n, struct handle *h)
{
	struct monfs *m = monfs_get();
	int64_t now = store_now_ms();
	struct metric_render *r;
	struct stats_query q;
	struct view v;
	struct err err;
	int rc;

	rc = view_parse(n->path.query, VIEW_METRIC, now, &v, &err);
	if (rc)
		return rc;
	q = (struct stats_query){v.period_s, v.since_ms, v.until_ms, now};
	r = render_metric_begin(&h->text, &v, n->path.leaf, n->metric.unit);
	if (!r)
		return -ENOMEM;
	rc = store_metric_stats(m->store, n->metric.id, &q, render_metric_row,
				r);
	if (rc) {
		render_metric_abort(r);
		return rc;
	}
	return render_metric_end(r);
}

/* Open node n (a metric or a view) with flags into fi. */
static int open_node(const struct node *n, struct fuse_file_info *fi)
{
	int access = fi->flags & O_ACCMODE;
	struct handle *h;
	int rc;

	if (n->type == NT_VIEW && access != O_RDONLY)
		return -EPERM;
	h = handle_new(thread_group_of(fuse_get_context()->pid),
		       access != O_RDONLY);
	if (!h)
		return -ENOMEM;
	h->metric_id = n->metric.id;
	if (access != O_WRONLY) {
		rc = render_view(n, h);
		if (rc) {
			handle_free(h);
			return rc;
		}
	}
	fi->fh = (uint64_t)(uintptr_t)h;
	/* Rendered once at open, served as is: size 0, like /proc files. */
	fi->direct_io = 1;
	return 0;
}

static int op_open(const char *path, struct fuse_file_info *fi)
{
	struct node n;
	int rc;

	rc = resolve(path, &n);
	if (rc)
		return rc;
	switch (n.type) {
	case NT_METRIC:
	case NT_VIEW:
		return open_node(&n, fi);
	case NT_ROOT:
	case NT_AREA:
	case NT_NAMESPACE:
		break;
	}
	return -EISDIR;
}

static int op_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct node n;
	struct err err;
	int rc;

	rc = path_parse(path, &n.path);
	if (rc)
		return rc == -ENOENT ? -EPERM : rc;
	rc = creatable(&n.path, false);
	if (rc)
		return rc;
	rc = store_metric_create(monfs_get()->store, n.path.parent,
				 n.path.leaf, mode & ~caller_umask() & 07777,
				 (struct caller[]){current_caller()},
				 &n.metric, &err);
	if (rc)
		return rc;
	n.type = NT_METRIC;
	n.attr = n.metric.attr;
	return open_node(&n, fi);
}

static struct handle *handle_of(const struct fuse_file_info *fi)
{
	return (struct handle *)(uintptr_t)fi->fh;
}

static int op_write(const char *path, const char *buf, size_t size,
		    off_t offset, struct fuse_file_info *fi)
{
	struct handle *h = handle_of(fi);
	struct ingest_ctx c = {monfs_get()->store, h->metric_id,
			       store_now_ms(), {""}};
	int rc;

	(void)path, (void)offset; /* every write appends */
	if (!h->writable)
		return -EBADF;
	if (size > INT32_MAX)
		size = INT32_MAX;
	pthread_mutex_lock(&h->lock);
	rc = handle_take(h, buf, size, ingest_lines, &c);
	pthread_mutex_unlock(&h->lock);
	return rc ? rc : (int)size;
}

static int op_read(const char *path, char *buf, size_t size, off_t offset,
		   struct fuse_file_info *fi)
{
	struct handle *h = handle_of(fi);
	size_t n;

	(void)path;
	if (offset < 0 || (size_t)offset >= h->text.len)
		return 0;
	n = h->text.len - (size_t)offset;
	if (n > size)
		n = size;
	memcpy(buf, h->text.buf + offset, n);
	return (int)n;
}

/*
 * close(2). Only the process that opened the file commits its pending
 * partial line, and hears whether it was valid; a child closing an
 * inherited copy changes nothing (SPEC 3).
 */
static int op_flush(const char *path, struct fuse_file_info *fi)
{
	struct handle *h = handle_of(fi);
	struct ingest_ctx c = {monfs_get()->store, h->metric_id,
			       store_now_ms(), {""}};
	int rc;

	(void)path;
	if (!h->writable ||
	    thread_group_of(fuse_get_context()->pid) != h->opener)
		return 0;
	pthread_mutex_lock(&h->lock);
	rc = handle_finish(h, ingest_lines, &c);
	pthread_mutex_unlock(&h->lock);
	return rc;
}

/* The last close: commit what a departed opener left pending. */
static int op_release(const char *path, struct fuse_file_info *fi)
{
	struct handle *h = handle_of(fi);
	struct ingest_ctx c = {monfs_get()->store, h->metric_id,
			       store_now_ms(), {""}};

	(void)path;
	if (h->writable)
		handle_finish(h, ingest_lines, &c);
	handle_free(h);
	return 0;
}

static int op_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	(void)path, (void)datasync, (void)fi;
	return store_sync(monfs_get()->store);
}

/* ---- attributes ---- */

/* Resolve path for an attribute change: fixed entries refuse (EPERM). */
static int resolve_changeable(const char *path, struct node *n)
{
	int rc;

	if (!path)
		return -EPERM;
	rc = resolve(path, n);
	if (rc)
		return n->path.area == AREA_TRAIL ? -EPERM : rc;
	if (n->type == NT_ROOT || n->type == NT_AREA || n->type == NT_VIEW)
		return -EPERM;
	return 0;
}

static int set_owner(const char *path, uid_t uid, gid_t gid, mode_t mode)
{
	struct node n;
	int rc;

	rc = resolve_changeable(path, &n);
	if (rc)
		return rc;
	if (n.type == NT_NAMESPACE)
		return store_node_set_owner(monfs_get()->store, NODE_NAMESPACE,
					    n.path.rest, NULL, uid, gid, mode);
	return store_node_set_owner(monfs_get()->store, NODE_METRIC,
				    n.path.parent, n.path.leaf, uid, gid,
				    mode);
}

static int op_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	(void)fi;
	return set_owner(path, (uid_t)-1, (gid_t)-1, mode & 07777);
}

static int op_chown(const char *path, uid_t uid, gid_t gid,
		    struct fuse_file_info *fi)
{
	(void)fi;
	return set_owner(path, uid, gid, (mode_t)-1);
}

/* Truncation is accepted and erases nothing (SPEC 3). */
static int op_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct node n;
	int rc;

	(void)size;
	if (!path && fi)
		return 0;
	rc = resolve_changeable(path, &n);
	if (rc)
		return rc;
	return n.type == NT_METRIC ? 0 : -EISDIR;
}

static int op_utimens(const char *path, const struct timespec tv[2],
		      struct fuse_file_info *fi)
{
	struct node n;

	(void)tv;
	if (!path && fi)
		return 0;
	/* Times follow the data; touch is accepted and changes nothing. */
	return resolve_changeable(path, &n);
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

/* ---- extended attributes: user.unit on metrics ---- */

static int resolve_metric(const char *path, struct node *n)
{
	int rc = resolve(path, n);

	if (rc)
		return rc;
	return n->type == NT_METRIC ? 0 : -ENOTSUP;
}

static int op_setxattr(const char *path, const char *name, const char *value,
		       size_t size, int flags)
{
	char unit[UNIT_MAX];
	struct node n;
	struct err err;
	int rc;

	rc = resolve_changeable(path, &n);
	if (rc)
		return rc;
	if (n.type != NT_METRIC || strcmp(name, XATTR_UNIT))
		return -ENOTSUP;
	if ((flags & XATTR_CREATE) && n.metric.unit[0])
		return -EEXIST;
	if ((flags & XATTR_REPLACE) && !n.metric.unit[0])
		return -ENODATA;
	if (size == 0 || size >= sizeof(unit))
		return -EINVAL;
	memcpy(unit, value, size);
	unit[size] = '\0';
	return store_metric_set_unit(monfs_get()->store, n.metric.id, unit,
				     &err);
}

static int op_getxattr(const char *path, const char *name, char *value,
		       size_t size)
{
	struct node n;
	size_t len;
	int rc;

	rc = resolve_metric(path, &n);
	if (rc)
		return rc == -ENOTSUP ? -ENODATA : rc;
	if (strcmp(name, XATTR_UNIT) || !n.metric.unit[0])
		return -ENODATA;
	len = strlen(n.metric.unit);
	if (size == 0)
		return (int)len;
	if (size < len)
		return -ERANGE;
	memcpy(value, n.metric.unit, len);
	return (int)len;
}

static int op_listxattr(const char *path, char *list, size_t size)
{
	struct node n;
	int rc;

	rc = resolve_metric(path, &n);
	if (rc)
		return rc == -ENOTSUP ? 0 : rc;
	if (!n.metric.unit[0])
		return 0;
	if (size == 0)
		return sizeof(XATTR_UNIT);
	if (size < sizeof(XATTR_UNIT))
		return -ERANGE;
	memcpy(list, XATTR_UNIT, sizeof(XATTR_UNIT));
	return sizeof(XATTR_UNIT);
}

static int op_removexattr(const char *path, const char *name)
{
	struct node n;
	struct err err;
	int rc;

	rc = resolve_changeable(path, &n);
	if (rc)
		return rc;
	if (n.type != NT_METRIC || strcmp(name, XATTR_UNIT) ||
	    !n.metric.unit[0])
		return -ENODATA;
	return store_metric_set_unit(monfs_get()->store, n.metric.id, "",
				     &err);
}

const struct fuse_operations monfs_operations = {
	.init = monfs_init,
	.destroy = monfs_destroy,
	.getattr = op_getattr,
	.opendir = op_opendir,
	.readdir = op_readdir,
	.releasedir = op_releasedir,
	.mkdir = op_mkdir,
	.rmdir = op_rmdir,
	.unlink = op_unlink,
	.rename = op_rename,
	.link = op_link,
	.symlink = op_link,
	.mknod = op_mknod,
	.create = op_create,
	.open = op_open,
	.read = op_read,
	.write = op_write,
	.flush = op_flush,
	.release = op_release,
	.fsync = op_fsync,
	.chmod = op_chmod,
	.chown = op_chown,
	.truncate = op_truncate,
	.utimens = op_utimens,
	.statfs = op_statfs,
	.setxattr = op_setxattr,
	.getxattr = op_getxattr,
	.listxattr = op_listxattr,
	.removexattr = op_removexattr,
};
