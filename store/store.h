/*
 * store: the one door between the FUSE front end and the data.
 *
 * It speaks the domain — namespaces, metrics, data points, statistics,
 * callers — in plain C types, never sqlite's, so that another backend
 * can stand behind the same door. Every function that changes something
 * is one transaction: it commits whole or not at all. Functions return 0
 * or a negative errno; when they refuse input they explain why in the
 * caller's struct err (may be NULL).
 *
 * A struct store may be shared by threads: calls are serialized inside.
 */
#ifndef MONFS_STORE_H
#define MONFS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "store/err.h"
#include "store/stats.h"

struct store;

/* Who asks: captured from the FUSE request by the front end. */
struct caller {
	uid_t uid;
	gid_t gid;
	pid_t pid;
};

/* Ownership and times of a namespace or metric. */
struct node_attr {
	uid_t uid;
	gid_t gid;
	mode_t mode;     /* permission bits only (07777) */
	int64_t ctime_ms;
	int64_t mtime_ms; /* last change of data or definition */
};

/* One data point. */
struct point {
	int64_t ts_ms;
	double value;
};

/* How far back and ahead of now a data point may lie (SPEC 3). */
#define METRIC_PAST_MS (14LL * 24 * 3600 * 1000)
#define METRIC_FUTURE_MS (2LL * 3600 * 1000)

/* The backend and its version, e.g. "sqlite 3.40.1". */
const char *store_backend(void);

/* The wall clock, in milliseconds since the epoch. */
int64_t store_now_ms(void);

/*
 * Open (creating if needed) the database at path, apply pending schema
 * migrations, and return the store in *out. -EIO and friends on failure,
 * with the reason in err; -EPROTO for a database from a newer monfs.
 */
int store_open(const char *path, struct store **out, struct err *err);

/* Close the store (NULL is fine). */
void store_close(struct store *st);

/* Make everything committed so far durable on disk (fsync). */
int store_sync(struct store *st);

/*
 * Delete what has aged out of every retention (SPEC 3's resolution
 * schedule), as of now_ms. Returns the number of rows removed or -errno.
 */
int store_sweep(struct store *st, int64_t now_ms);

/* ---- namespaces (SPEC 3): names are whole, '/'-separated ---- */

/* Attributes of namespace ns. 0 or -ENOENT. */
int store_namespace_get(struct store *st, const char *ns,
			struct node_attr *out);

/*
 * Make namespace ns (its parent, if any, must exist) owned by the caller
 * with permission bits mode. -EEXIST (a namespace or metric of that
 * name), -ENOENT (no parent), -ENAMETOOLONG, -EINVAL (bad name).
 */
int store_namespace_create(struct store *st, const char *ns, mode_t mode,
			   const struct caller *who, struct err *err);

/* Remove an empty namespace. -ENOENT, -ENOTEMPTY. */
int store_namespace_delete(struct store *st, const char *ns,
			   struct err *err);

/*
 * Call fn for each direct child of namespace ns ("" for the top level):
 * sub-namespaces (is_dir true, name is the last level) and, for a real
 * namespace, its metrics. Stops early and returns fn's value if non-zero.
 */
typedef int (*store_list_fn)(void *ctx, const char *name, bool is_dir,
			     const struct node_attr *attr);
int store_namespace_list(struct store *st, const char *ns, store_list_fn fn,
			 void *ctx);

/* ---- metrics (SPEC 3) ---- */

#define UNIT_MAX 32

struct metric_info {
	int64_t id;
	struct node_attr attr;
	char unit[UNIT_MAX]; /* CloudWatch unit name, "" when unset */
};

/* Look metric name up in namespace ns. 0 or -ENOENT. */
int store_metric_get(struct store *st, const char *ns, const char *name,
		     struct metric_info *out);

/*
 * Make metric name in namespace ns, owned by the caller. -ENOENT (no
 * such namespace), -EEXIST (a metric or sub-namespace of that name),
 * -EINVAL / -ENAMETOOLONG (bad name).
 */
int store_metric_create(struct store *st, const char *ns, const char *name,
			mode_t mode, const struct caller *who,
			struct metric_info *out, struct err *err);

/* Delete a metric and all its data. -ENOENT. */
int store_metric_delete(struct store *st, int64_t metric_id);

/*
 * Set the unit label ("" removes it). unit must be one of CloudWatch's
 * unit names: -EINVAL otherwise. -ENOENT for a deleted metric.
 */
int store_metric_set_unit(struct store *st, int64_t metric_id,
			  const char *unit, struct err *err);

/* Whether unit is one of CloudWatch's unit names. */
bool metric_unit_valid(const char *unit);

/*
 * Parse the complete lines in buf[0..len) (SPEC 3's "VALUE [TIMESTAMP]",
 * blank lines and a trailing '\r' ignored) into a new malloc'ed array of
 * points (*out, *count; *out NULL when none). Points without a timestamp
 * get now_ms. Any bad line or a timestamp outside [now - 14 d, now + 2 h]
 * fails the whole buffer with -EINVAL, err naming the line ("line 3:
 * \"abc\" is not a number"). -ENOMEM.
 */
int metric_parse_lines(const char *buf, size_t len, int64_t now_ms,
		       struct point **out, size_t *count, struct err *err);

/*
 * Store n points into a metric in one transaction. -ENOENT (metric
 * deleted), -ENOSPC (disk or database full), -EIO.
 */
int store_metric_ingest(struct store *st, int64_t metric_id,
			const struct point *points, size_t n, struct err *err);

/* A statistics query: periods starting in [since_ms, until_ms). */
struct stats_query {
	int64_t period_s;
	int64_t since_ms; /* multiple of the period */
	int64_t until_ms;
	int64_t now_ms;   /* decides which resolutions still exist */
};

/*
 * Call fn, oldest first, for each period of q that holds data, with the
 * period's start and summary (valid during the call only). Stops early
 * and returns fn's value if non-zero.
 */
typedef int (*store_stats_fn)(void *ctx, int64_t start_ms,
			      const struct summary *s);
int store_metric_stats(struct store *st, int64_t metric_id,
		       const struct stats_query *q, store_stats_fn fn,
		       void *ctx);

/* ---- ownership, for namespaces and metrics ---- */

enum node_kind { NODE_NAMESPACE, NODE_METRIC };

/*
 * Change a node's mode bits and/or owner: pass (uid_t)-1 / (gid_t)-1 /
 * (mode_t)-1 to keep one. -ENOENT.
 */
int store_node_set_owner(struct store *st, enum node_kind kind,
			 const char *ns, const char *name, uid_t uid, gid_t gid,
			 mode_t mode);

#endif
