/* array: the number of elements of an array (not a pointer). */
#ifndef MONFS_ARRAY_H
#define MONFS_ARRAY_H

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
