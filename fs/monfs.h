/*
 * monfs: the daemon's shared state, reachable from every FUSE operation
 * through fuse_get_context()->private_data.
 */
#ifndef MONFS_FS_MONFS_H
#define MONFS_FS_MONFS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "fs/fuse.h"
#include "store/store.h"

struct monfs_options {
	char *db;
	char *region;
	char *host;
	unsigned trail_days;
	int trail_reads;
	char *trail_group;
	char *account;	  /* --account: 12 digits, or NULL for the default */
	char *trail_data; /* --trail-data: none, write or all (SPEC 14) */
	char *trail_log_group;	    /* --trail-log-group GROUP, or NULL */
	char *trail_archive;	    /* --trail-archive DIR, or NULL */
	int trail_insights;	    /* --trail-insights */
	unsigned insights_baseline; /* --insights-baseline MINUTES */
	char *mountpoint; /* the last non-option word; a SOURCE before it */
	int show_help;
	int show_version;
};

/*
 * Everything but the sweeper's stop flag is set in main and init, before
 * the FUSE workers and the threads start, and only read after: no lock.
 * stop_lock guards stopping (with stop_cond to wake the sweeper); it is a
 * leaf, and the sweeper lets it go before each store call.
 */
struct monfs {
	struct monfs_options opt;
	struct store *store; /* opened in init, after daemonizing */
	int lock_fd;	     /* flock'ed FILE.lock beside the database */
	int64_t mounted_ms;  /* times of the fixed directories */
	bool trail_group;    /* --trail-group given */
	gid_t trail_gid;
	enum trail_data trail_data; /* --trail-data, --trail-reads */

	pthread_t sweeper;
	bool sweeper_started;
	bool stopping; /* stop_lock */
	pthread_mutex_t stop_lock;
	pthread_cond_t stop_cond;
};

/* The daemon's state, inside a FUSE request or callback. */
struct monfs *monfs_get(void);

#endif
