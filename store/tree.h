/*
 * tree: namespaces and log groups, and the files made in them
 * (store/tree.c). Internal to store/.
 */
#ifndef MONFS_STORE_TREE_H
#define MONFS_STORE_TREE_H

#include "store/db.h"

/* The id of directory name in tree, -ENOENT, or -EIO. Lock held. */
int64_t tree_lookup(struct store *st, enum tree tree, const char *name);

/*
 * Check a whole directory name: each level a valid name, the whole within
 * the tree's limit. 0, -EINVAL or -ENAMETOOLONG with err saying which.
 */
int tree_validate(enum tree tree, const char *name, struct err *err);

/*
 * Make file name (a metric or a stream) in directory dir of tree, owned
 * by the caller, created at now_ms; its row id in *id. -ENOENT (no such
 * directory), -EEXIST (a file or sub-directory of that name), -EINVAL,
 * -ENAMETOOLONG. A transaction of its own.
 */
int tree_file_create(struct store *st, enum tree tree, const char *dir,
		     const char *name, mode_t mode, const struct caller *who,
		     int64_t now_ms, int64_t *id, struct err *err);

/*
 * Make series name of dimension directory dir ("NS/A=x/B=y", spelled
 * canonically) inside the caller's transaction, as a metric filter does
 * at a series' first point (SPEC 11): the missing canonical prefixes of
 * dir with the namespace's permission bits, and the metric, each owned
 * by owner (uid, gid; the metric gets owner's mode), made at now_ms.
 * Its row id in *id. -ENOENT (no such namespace), -EEXIST (a namespace
 * of that name), -EIO. No trail record: the write that carried the
 * event has its own. Lock held, transaction open.
 */
int tree_series_make_locked(struct store *st, const char *dir, const char *name,
			    const struct node_attr *owner, int64_t now_ms,
			    int64_t *id);

#endif
