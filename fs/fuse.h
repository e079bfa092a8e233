/* The one place that includes libfuse, at the API version monfs uses. */
#ifndef MONFS_FS_FUSE_H
#define MONFS_FS_FUSE_H

#ifndef FUSE_USE_VERSION
#define FUSE_USE_VERSION 314
#endif
#include <fuse.h>
#include <fuse_opt.h>

#endif
