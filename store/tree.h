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

#endif
