/*
 * xattr: the FUSE operations on extended attributes (fs/xattr.c):
 * user.unit on metrics, user.retention_days on log groups (SPEC 3, 4).
 */
#ifndef MONFS_FS_XATTR_H
#define MONFS_FS_XATTR_H

#include <stddef.h>

int xattr_set(const char *path, const char *name, const char *value,
	      size_t size, int flags);
int xattr_get(const char *path, const char *name, char *value, size_t size);
int xattr_list(const char *path, char *list, size_t size);
int xattr_remove(const char *path, const char *name);

#endif
