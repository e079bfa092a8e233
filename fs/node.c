/* node: paths resolved against the store, and their attributes. */
#include "fs/node.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

struct monfs *monfs_get(void)
{
	return fuse_get_context()->private_data;
}

struct caller node_caller(void)
{
	struct fuse_context *ctx = fuse_get_context();

	return (struct caller){ctx->uid, ctx->gid, ctx->pid};
}

mode_t node_umask(void)
{
	return fuse_get_context()->umask;
}

bool area_has_tree(enum area area)
{
	return area == AREA_METRICS || area == AREA_LOGS;
}

enum tree area_tree(enum area area)
{
	return area == AREA_LOGS ? TREE_LOG_GROUPS : TREE_NAMESPACES;
}

/* Look the file p->parent / p->leaf up in p's area. */
static int resolve_file(struct store *st, struct node *n)
{
	const struct fs_path *p = &n->path;
	int rc;

	if (p->area == AREA_METRICS) {
		rc = store_metric_get(st, p->parent, p->leaf, &n->metric);
		n->attr = n->metric.attr;
	} else {
		rc = store_stream_get(st, p->parent, p->leaf, &n->stream);
		n->attr = n->stream.attr;
	}
	return rc;
}

int node_resolve(const char *path, struct node *n)
{
	struct store *st = monfs_get()->store;
	struct fs_path *p = &n->path;
	int rc;

	memset(&n->attr, 0, sizeof(n->attr));
	n->view = false;
	rc = path_parse(path, p);
	if (rc)
		return rc;
	if (p->area == AREA_ROOT) {
		n->type = NT_ROOT;
		return 0;
	}
	if (!p->rest[0]) {
		n->type = NT_AREA;
		return p->query ? -ENOENT : 0;
	}
	if (!area_has_tree(p->area))
		return -ENOENT;
	if (!p->query &&
	    !store_dir_get(st, area_tree(p->area), p->rest, &n->attr)) {
		n->type = NT_DIR;
		return 0;
	}
	if (!p->parent[0])
		return -ENOENT;
	rc = resolve_file(st, n);
	if (rc)
		return rc;
	n->type = NT_FILE;
	n->view = p->query != NULL;
	return 0;
}

static void set_time(struct timespec *ts, int64_t ms)
{
	ts->tv_sec = ms / 1000;
	ts->tv_nsec = (ms % 1000) * 1000000;
}

void node_stat(const struct node *n, struct stat *st)
{
	struct monfs *m = monfs_get();

	memset(st, 0, sizeof(*st));
	switch (n->type) {
	case NT_ROOT:
		st->st_mode = S_IFDIR | 0755;
		break;
	case NT_AREA:
		/* Like /tmp: anyone creates, owners delete (SPEC 9). */
		st->st_mode = S_IFDIR |
			      (n->path.area == AREA_TRAIL ? 0755 : 01777);
		break;
	case NT_DIR:
		st->st_mode = S_IFDIR | n->attr.mode;
		break;
	case NT_FILE:
		st->st_mode = S_IFREG |
			      (n->view ? n->attr.mode & 0444 : n->attr.mode);
		/* Streams have a true size; renderings report 0, like /proc. */
		if (n->path.area == AREA_LOGS && !n->view)
			st->st_size = n->stream.end - n->stream.start;
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
	st->st_blocks = (st->st_size + 511) / 512;
}
