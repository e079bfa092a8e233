/*
 * caller: who asks, and what a node grants, as plain values: the front
 * end captures a caller from each FUSE request, the store keeps a
 * node's owner, mode and times, and lib/perm judges one against the
 * other. No sqlite, no FUSE.
 */
#ifndef MONFS_CALLER_H
#define MONFS_CALLER_H

#include <stdint.h>
#include <sys/types.h>

#define CALLER_USER_MAX 64
#define CALLER_PROCESS_MAX 32
#define CALLER_GROUPS_MAX 64

/*
 * Who asks: captured from the FUSE request by the front end, names
 * included, since the trail records them (SPEC 6).
 */
struct caller {
	uid_t uid;
	gid_t gid;
	pid_t pid;
	char user[CALLER_USER_MAX];	  /* from passwd, else the uid */
	char process[CALLER_PROCESS_MAX]; /* /proc/PID/comm */
	gid_t groups[CALLER_GROUPS_MAX];  /* supplementary groups */
	int ngroups;
};

/* Ownership and times of a namespace or metric. */
struct node_attr {
	uid_t uid;
	gid_t gid;
	mode_t mode; /* permission bits only (07777) */
	int64_t ctime_ms;
	int64_t mtime_ms; /* last change of data or definition */
};

#endif
