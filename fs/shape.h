/*
 * shape: the tree's fixed shape (fs/shape.c): where entries may be made,
 * and which entries keep their attributes whoever asks.
 */
#ifndef MONFS_FS_SHAPE_H
#define MONFS_FS_SHAPE_H

#include <stdbool.h>

struct fs_path;
struct node;

/*
 * Where a new entry may be made: 0 for a valid place in a tree, else
 * the errno (EPERM at the root, in trail/, or a file outside any
 * namespace or group). dir: making a directory.
 */
struct fs_path;
int shape_creatable(const struct fs_path *p, bool dir, const char **why);

/*
 * Resolve path for a change of attributes by the file operation op
 * ("Chmod", "Setxattr", ...): fixed entries and the trail refuse, and
 * the refusal is recorded.
 */
struct node;
int shape_resolve_changeable(const char *path, const char *op, struct node *n);

#endif
