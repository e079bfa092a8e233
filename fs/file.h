/*
 * file: the FUSE operations on open files (fs/file.c): metrics, streams,
 * trail days, views and definitions, from open to release, and the
 * renames and attribute changes of definitions still being written.
 */
#ifndef MONFS_FS_FILE_H
#define MONFS_FS_FILE_H

#include <stdbool.h>

#include "fs/fuse.h"

int file_open(const char *path, struct fuse_file_info *fi);
int file_create(const char *path, mode_t mode, struct fuse_file_info *fi);
int file_read(const char *path, char *buf, size_t size, off_t offset,
	      struct fuse_file_info *fi);
int file_write(const char *path, const char *buf, size_t size, off_t offset,
	       struct fuse_file_info *fi);
int file_flush(const char *path, struct fuse_file_info *fi);
int file_release(const char *path, struct fuse_file_info *fi);
/* End a handle the kernel will never release (at unmount). */
struct handle;
void file_end(struct handle *h);
int file_fsync(const char *path, int datasync, struct fuse_file_info *fi);
/*
 * The attributes of an open file, from its handle: what getattr answers
 * when the kernel asks with the handle (libfuse then gives no path). A
 * stream removed while open reports its true size and st_nlink 0.
 * 0 or -errno.
 */
int file_stat(struct fuse_file_info *fi, struct stat *st);

/*
 * Whether fi's size is its own rendering's (a group view: the bytes
 * rendered to that descriptor so far, SPEC 16), so that fstat must ask
 * the handle, not the path.
 */
bool file_sized_by_handle(struct fuse_file_info *fi);

/*
 * Rename definition src to dst, both resolved, in one directory (dst
 * a free name when it does not resolve): the store's rename for a
 * defined src, then the open handles and the registry of definitions
 * being created follow (fs/handle.h); an alarm moved or redefined is
 * evaluated at once. 0 or -errno.
 */
struct node;
struct caller;
int file_rename(const struct node *src, const struct node *dst,
		const struct caller *who);

/*
 * rm of a definition being created (n->being_created): the name is
 * gone, and the close of the files open on it makes nothing. 0.
 */
int file_creating_remove(const struct node *n);

/*
 * chmod or chown of a definition being created (n->being_created): kept
 * for it until the close that defines it. 0 or -ENOENT.
 */
int file_creating_set_owner(const struct node *n, uid_t uid, gid_t gid,
			    mode_t mode);

#endif
