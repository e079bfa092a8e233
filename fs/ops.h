/*
 * ops: the FUSE operations on names, directories and attributes
 * (fs/ops.c), and the table of every operation, which main completes
 * with the daemon's init and destroy.
 */
#ifndef MONFS_FS_OPS_H
#define MONFS_FS_OPS_H

#include "fs/fuse.h"

extern const struct fuse_operations monfs_operations;

#endif
