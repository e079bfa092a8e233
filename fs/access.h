/*
 * access: monfs's own permission checks (SPEC 9), made with the
 * caller's identity and groups before an operation reaches the store,
 * each refusal recorded in the trail as AccessDenied. The rule itself is
 * lib/perm.c's.
 */
#ifndef MONFS_FS_ACCESS_H
#define MONFS_FS_ACCESS_H

#include "fs/node.h"

/*
 * Whether who may walk to n and do want (PERM_* bits) to it; the
 * refusal is recorded as op. 0 or -EACCES.
 */
int access_node(const char *path, const struct node *n,
		const struct caller *who, int want, const char *op);

/*
 * Whether who may read n (at path): access_node's answer with PERM_READ,
 * the refusal recorded as op only when record is set (a stat that draws
 * a dashboard asks without recording; its read records). 0, -EACCES,
 * -ENOENT.
 */
int access_read(const char *path, const struct node *n,
		const struct caller *who, bool record, const char *op);

/* Whether who may make an entry named by p (op "Create", "Mkdir"). */
int access_create(const char *path, const struct fs_path *p,
		  const struct caller *who, const char *op);

/*
 * Whether who may remove node n (op "Unlink", "Rmdir"): -EACCES without
 * write permission on its directory, -EPERM under the sticky bit.
 */
int access_delete(const char *path, const struct node *n,
		  const struct caller *who, const char *op);

/*
 * Whether who may rename src to dst, both in one directory (dst
 * resolved, or dst_exists false for a free name), as the kernel would
 * judge it: -EACCES without write and search permission on the
 * directory, -EPERM under the sticky bit for another user's source or
 * existing target. Refusals recorded as "Rename".
 */
int access_rename(const char *from, const struct node *src,
		  const struct node *dst, bool dst_exists,
		  const struct caller *who);

/*
 * chmod and chown (SPEC 9): chmod by the owner or root; chown by root;
 * chgrp by root, or by the owner to a group it is in. -EPERM recorded.
 */
int access_set_owner(const char *path, const struct node *n,
		     const struct caller *who, uid_t uid, gid_t gid,
		     const char *op);

/*
 * utimensat (SPEC 9, as Linux): setting both times to now (to_now) needs
 * ownership, root or write permission (-EACCES); any other time needs
 * ownership or root (-EPERM). Refusals recorded as op.
 */
int access_set_times(const char *path, const struct node *n,
		     const struct caller *who, bool to_now, const char *op);

#endif
