/*
 * node: what a path names — the root, an area (metrics/, logs/, ...), a
 * directory (namespace or log group), or a file (metric or stream,
 * possibly a view) — resolved against the store, and its struct stat.
 */
#ifndef MONFS_FS_NODE_H
#define MONFS_FS_NODE_H

#include <stdbool.h>
#include <sys/stat.h>

#include "fs/monfs.h"
#include "fs/path.h"
#include "store/store.h"

enum node_type { NT_ROOT, NT_AREA, NT_DIR, NT_FILE };

struct node {
	enum node_type type;
	struct fs_path path;
	struct node_attr attr;
	bool view;	    /* NT_FILE with a query after '?' */
	bool being_created; /* an alarm or filter not defined yet */
	/*
	 * NT_DIR in metrics/: a dimension directory that exists only as a
	 * step of a non-canonical path (SPEC 11, fs/node.c): unlisted,
	 * empty when listed, and not removable itself.
	 */
	bool alias;
	/* NT_FILE in logs/: a view on a log group's path (SPEC 16) */
	bool group_view;
	/* NT_FILE in metrics/: a view on a namespace's path (ListMetrics) */
	bool namespace_view;
	struct metric_info metric; /* NT_FILE in metrics/ */
	struct stream_info stream; /* NT_FILE in logs/, and a bus */
	struct trail_day day;	   /* NT_FILE in trail/ */
	int64_t text_size;	   /* an alarm or filter: a read's bytes now */
};

/* Whether area holds a tree of directories and files (metrics, logs). */
bool area_has_tree(enum area area);

/* The tree of an area for which area_has_tree is true. */
enum tree area_tree(enum area area);

/*
 * The key under which an alarm or filter being created is registered
 * (fs/handle.c): "alarms/NAME" or "filters/NAME".
 */
void node_definition_key(const struct fs_path *p, char out[PATH_MAX]);

/* Whether p names events/default, which always exists and stays root's. */
bool node_is_default_bus(const struct fs_path *p);

/* Resolve path into n. 0, or -ENOENT when it names nothing. */
int node_resolve(const char *path, struct node *n);

/*
 * The struct stat of a resolved node: a directory's st_nlink counts its
 * sub-directories, and a top directory's times are when an entry was
 * last made or removed in it. 0 or -EIO.
 */
int node_stat(const struct node *n, struct stat *st);

/*
 * The attributes of the directory that holds p's last component: an
 * area, a namespace or a group. 0 or -ENOENT.
 */
int node_parent_attr(const struct fs_path *p, struct node_attr *out);

/*
 * Whether who may walk to p: search permission on the root, the area
 * and every namespace or group level above p's last component. 0,
 * -EACCES or -ENOENT.
 */
int node_walk(const struct fs_path *p, const struct caller *who);

/* The caller of the current request, and its umask. */
struct caller node_caller(void);

/*
 * The thread group (process) of the caller's thread, from /proc, kept
 * with the caller's other facts for as long (node_caller).
 */
pid_t node_thread_group(void);
mode_t node_umask(void);

#endif
