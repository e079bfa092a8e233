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

#include "lib/caller.h"
#include "lib/dimension.h"
#include "lib/units.h"
#include "lib/err.h"
#include "lib/metric_lines.h"
#include "lib/stats.h"
#include "lib/strbuf.h"
#include "lib/timeutil.h"

struct store;

/*
 * The owner and mode bits a new alarm or filter takes: its creator's,
 * unless chmod or chown changed them before the close that defined it
 * (SPEC 2: editors and tar set them on a file they are still writing).
 */
struct node_owner {
	uid_t uid;
	gid_t gid;
	mode_t mode; /* permission bits only (07777) */
};

/* The backend and its version, e.g. "sqlite 3.40.1". */
const char *store_backend(void);

/*
 * Whether db names a PostgreSQL database (postgresql://... or
 * postgres://..., SPEC 17) rather than a sqlite file.
 */
bool store_db_is_postgres(const char *db);

/*
 * Whether this daemon does the store's once-only work now: alarms'
 * evaluation at their period boundaries, rules' schedules and
 * deliveries, Insights minutes, retention sweeps and archive delivery
 * (SPEC 17). Always on sqlite, one daemon's alone. On PostgreSQL, true
 * for the one daemon holding the fleet's leader lock (a session-level
 * advisory lock, taken here when free): a daemon that stops or dies, or
 * loses its connection, lets it go, and the next to ask takes it.
 */
bool store_leads(struct store *st);

/* A store-wide option as a daemon was started with it, in words. */
struct store_setting {
	const char *name;  /* the option, without its dashes: "trail-days" */
	const char *value; /* "" when not given */
};

/*
 * The fleet's store-wide options (SPEC 17: --trail-days, --trail-data,
 * --trail-group, --account, the trail's log group, archive and Insights
 * options): on PostgreSQL the first daemon's n settings are kept, and a
 * daemon whose settings differ is refused with -EINVAL, err naming each
 * option and both values. On sqlite, 0: the database is one daemon's.
 */
int store_fleet_settle(struct store *st, const struct store_setting *set,
		       size_t n, struct err *err);

/* The wall clock, in milliseconds since the epoch. */
int64_t store_now_ms(void);

/*
 * Open (creating if needed) the database at path, apply pending schema
 * migrations, and return the store in *out. -EIO and friends on failure,
 * with the reason in err and *out NULL; -EPROTO for a database from a
 * newer monfs.
 */
int store_open(const char *path, struct store **out, struct err *err);

/*
 * store_open with the trail configured as cfg says from the start, so
 * that what the opening itself records (the data events of writes a
 * crash left) carries the configured region, host, account and data
 * level. cfg NULL: the defaults.
 */
struct trail_config;
int store_open_config(const char *path, const struct trail_config *cfg,
		      struct store **out, struct err *err);

/* Close the store (NULL is fine). */
void store_close(struct store *st);

/* Make everything committed so far durable on disk (fsync). */
int store_sync(struct store *st);

/*
 * Keep room for removals on the database's disk (SPEC 10): make again
 * the reserve that a removal on a full disk gave up, once the disk has
 * room for it. 0 (also when there is no room yet) or -errno.
 */
int store_space_sweep(struct store *st);

/*
 * Delete metric data that has aged out of SPEC 3's resolution schedule,
 * as of now_ms. Returns the number of rows removed or -errno.
 */
int store_sweep(struct store *st, int64_t now_ms);

/* ---- directories: namespaces and log groups (SPEC 2) ---- */

/* The two trees of directories; their names are whole, '/'-separated. */
enum tree { TREE_NAMESPACES, TREE_LOG_GROUPS };

/* Attributes of directory name in tree (out may be NULL). 0 or -ENOENT. */
int store_dir_get(struct store *st, enum tree tree, const char *name,
		  struct node_attr *out);

/*
 * Make directory name (its parent, if any, must exist) owned by the
 * caller with permission bits mode. -EEXIST (a directory or file of that
 * name), -ENOENT (no parent), -ENAMETOOLONG (a level over 255 bytes, a
 * namespace over 255, a group over 512), -EINVAL (bad name).
 */
int store_dir_create(struct store *st, enum tree tree, const char *name,
		     mode_t mode, const struct caller *who, struct err *err);

/* Remove an empty directory. -ENOENT, -ENOTEMPTY. */
int store_dir_delete(struct store *st, enum tree tree, const char *name,
		     const struct caller *who, struct err *err);

/*
 * Delete file name (a metric or a stream) of directory dir, with all its
 * data. -ENOENT. A stream that readers hold open (store_stream_hold)
 * leaves its directory at once but keeps its bytes for them until the
 * last one lets go (SPEC 10).
 */
int store_file_delete(struct store *st, enum tree tree, const char *dir,
		      const char *name, const struct caller *who,
		      struct err *err);

/*
 * Call fn for each direct child of directory name ("" for the top):
 * sub-directories (is_dir true, name is the last level) and, for a real
 * directory, its files. Stops early and returns fn's value if non-zero.
 * fn must not call back into the store.
 */
typedef int (*store_list_fn)(void *ctx, const char *name, bool is_dir,
			     const struct node_attr *attr);
int store_dir_list(struct store *st, enum tree tree, const char *name,
		   store_list_fn fn, void *ctx);

/*
 * The number of sub-directories of directory name ("" for the top) in
 * tree, for st_nlink: one count over the index of children, whatever
 * the number of files. 0 or -EIO.
 */
int store_dir_subdirs(struct store *st, enum tree tree, const char *name,
		      int64_t *count);

/*
 * When an entry was last made or removed in top directory top
 * ("metrics", "logs", "alarms", "filters"): its ctime_ms and mtime_ms
 * set in *out, the other members left alone. 0, -ENOENT when nothing has
 * changed there since the database began keeping it, -EIO.
 */
int store_top_times(struct store *st, const char *top, struct node_attr *out);

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

/*
 * Set the unit label of metric ns/name ("" removes it). unit must be one
 * of CloudWatch's unit names: -EINVAL otherwise. -ENOENT.
 */
int store_metric_set_unit(struct store *st, const char *ns, const char *name,
			  const char *unit, const struct caller *who,
			  struct err *err);

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
	int64_t now_ms; /* decides which resolutions still exist */
};

/*
 * Fold the small writes waiting in the metric journal into the rollups
 * (store_metric_stats and store_sweep do it too). 0 or -errno.
 */
int store_metric_fold(struct store *st);

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

/* ---- dimensions (SPEC 11) ---- */

/*
 * Whether dimension directory dir ("NS/B=y", spelled canonically) is an
 * alias: it is no set of its own, but some existing set of namespace NS
 * holds all its dimensions and more, so that a path walked in another
 * order than the canonical one passes through it. 0 with that set's
 * attributes in *out, -ENOENT, -ENOMEM or -EIO.
 */
int store_dimension_alias(struct store *st, const char *dir,
			  struct node_attr *out);

/* One series of a metric name: its metric row and its dimension set. */
struct series {
	int64_t metric_id;
	struct node_attr attr;	   /* the series' metric file's */
	struct dimension_set dims; /* empty: the dimensionless metric */
};

/*
 * Call fn for every series of metric name in namespace ns (no dimension
 * part) whose dimension set sel selects, in canonical path order (the
 * dimensionless one first), found by one indexed query. The series is
 * valid during the call only; fn may query the store. Returns 0, fn's
 * non-zero value, -ENOMEM or -EIO.
 */
typedef int (*store_series_fn)(void *ctx, const struct series *s);
int store_metric_series(struct store *st, const char *ns, const char *name,
			const struct dimension_selector *sel,
			store_series_fn fn, void *ctx);

/*
 * The statistics of every series store_metric_series would find, read in
 * one snapshot: for each series in that order, series_fn, then stats_fn
 * for each of its periods of q (as store_metric_stats). The callbacks
 * run with the store locked and must not call the store. Returns 0, the
 * first non-zero callback value, -ENOMEM or -EIO.
 */
int store_series_stats(struct store *st, const char *ns, const char *name,
		       const struct dimension_selector *sel,
		       const struct stats_query *q, store_series_fn series_fn,
		       store_stats_fn stats_fn, void *ctx);

/* ---- logs (SPEC 4) ---- */

#define LOG_LINE_MAX 262144 /* bytes in one event, its '\n' not counted */

/* CloudWatch's retention values, in days; 0 means never expire. */
bool log_retention_valid(int64_t days);

/* A group's retention in days (0: none). 0 or -ENOENT. */
int store_group_retention(struct store *st, const char *group, int *days);

/* Set (days > 0) or remove (0) a group's retention. -EINVAL, -ENOENT. */
int store_group_set_retention(struct store *st, const char *group, int64_t days,
			      const struct caller *who, struct err *err);

struct stream_info {
	int64_t id;
	struct node_attr attr;
	int64_t start; /* absolute offset of the first byte still kept */
	int64_t end;   /* absolute offset after the last byte */
	bool removed;  /* removed while held open (store_stream_stat only) */
};

/* Look stream name up in group. 0 or -ENOENT. */
int store_stream_get(struct store *st, const char *group, const char *name,
		     struct stream_info *out);

/*
 * Make stream name in group, owned by the caller. -ENOENT (no group),
 * -EEXIST (a stream or subgroup of that name), -EINVAL, -ENAMETOOLONG.
 */
int store_stream_create(struct store *st, const char *group, const char *name,
			mode_t mode, const struct caller *who,
			struct stream_info *out, struct err *err);

/*
 * Append buf[0..len), one or more complete lines each ending in '\n', as
 * events ingested at now_ms, in one transaction. -EMSGSIZE (a line over
 * LOG_LINE_MAX; nothing stored), -ENOENT (stream deleted), -ENOSPC, -EIO.
 */
int store_stream_append(struct store *st, int64_t stream_id, const char *buf,
			size_t len, int64_t now_ms, struct err *err);

/*
 * Read up to size bytes at offset (from the stream's current start) into
 * buf: also of a stream removed while held open. Returns the number of
 * bytes read (0 at the end) or -errno: -ENOENT for a stream no longer
 * stored, which a reader holding it never sees. Finds its place by
 * index, not by scanning.
 */
int store_stream_read(struct store *st, int64_t stream_id, int64_t offset,
		      char *buf, size_t size);

/*
 * Call fn with each stored write (its ingestion time and its bytes, whole
 * lines) of a stream, from the one holding absolute offset *from (or the
 * stream's start, if later) while offsets are below until, stopping after
 * max_bytes of data or when fn returns non-zero. *from is advanced past
 * what was passed to fn. Returns 0, fn's value, or -errno.
 */
typedef int (*store_chunk_fn)(void *ctx, int64_t ts_ms, const char *data,
			      size_t len);
int store_stream_scan(struct store *st, int64_t stream_id, int64_t *from,
		      int64_t until, size_t max_bytes, store_chunk_fn fn,
		      void *ctx);

/*
 * Readers' holds (SPEC 10): an open stream stays whole for its reader
 * until it closes. store_stream_hold counts one more reader of stream id
 * (at open): -ENOENT when the stream was removed meanwhile (the open
 * fails as on a local file), -ENOMEM. store_stream_release drops one
 * (at the last close); when the last reader of a removed stream lets
 * go, its bytes are reaped (0 or -errno of the reaping; what it leaves,
 * the sweep reaps). While held, retention waits (store_logs_sweep), and
 * a removal keeps the bytes: reads by id still work, appends get
 * -ENOENT, lookups and listings no longer see it, and a new stream of
 * the same name may be made.
 */
int store_stream_hold(struct store *st, int64_t stream_id);
int store_stream_release(struct store *st, int64_t stream_id);

/*
 * A stream by id, as its open files see it: also when removed while
 * held (out->removed). 0 or -ENOENT.
 */
int store_stream_stat(struct store *st, int64_t stream_id,
		      struct stream_info *out);

/*
 * Expire events older than their group's retention as of now_ms, from
 * the start of each stream. A stream a reader holds open waits, for at
 * most a day past due (SPEC 4). Then reap the bytes of removed streams
 * nobody holds (what a crash or a failed reaping left). Returns the
 * number of bytes expired or -errno.
 */
int64_t store_logs_sweep(struct store *st, int64_t now_ms);

/* ---- alarms (SPEC 5) ---- */

#define ALARM_TEXT_MAX (64 * 1024) /* bytes of one definition */
#define ALARMS_MODE 01777	   /* alarms/, like /tmp (SPEC 9) */
#define ALARM_NAME_SIZE 256	   /* a name (NAME_MAX_BYTES) and its NUL */

/*
 * What a new definition would do on its own in its first moments (an
 * alarm's actions) waits this long after it comes to its name, and never
 * happens if the file is renamed or removed meanwhile: an editor's
 * temporary file never acts under its own name (SPEC 2).
 */
#define DEFINITION_SETTLE_MS 2000

struct alarm_info {
	int64_t id;
	struct node_attr attr;
};

/* Look alarm name up. 0 or -ENOENT. */
int store_alarm_get(struct store *st, const char *name, struct alarm_info *out);

/*
 * The state of alarm name now, an enum alarm_state (lib/alarm.h), for a
 * dashboard's alarm widget. -ENOENT, -EIO.
 */
int store_alarm_state(struct store *st, const char *name);

/* Call fn for each alarm (is_dir false), by name. */
int store_alarm_list(struct store *st, store_list_fn fn, void *ctx);

/*
 * Define alarm name from text[0..len) written by who (PutMetricAlarm):
 * create it (owned as owner says, state INSUFFICIENT_DATA, created now)
 * or replace its definition, keeping owner, state and history. who is
 * its writer either way (exec: actions run as who). An invalid text
 * changes nothing: -EINVAL with err naming the key and why; -EACCES for
 * an exec: program who may not execute. Recorded in the trail either way.
 */
int store_alarm_put(struct store *st, const char *name, const char *text,
		    size_t len, const struct node_owner *owner,
		    const struct caller *who, struct err *err);

/*
 * Rename alarm from to to (SPEC 2), in one transaction with its trail
 * records, PutMetricAlarm of to (requestParameters naming from as
 * sourceAlarmName) and DeleteAlarms of from:
 * - onto an existing alarm: from's definition and writer replace to's,
 *   as writing it would (a redefinition: to keeps its owner, mode,
 *   state, history and creation time), and from is deleted;
 * - to a free name: the alarm moves whole, with its state and history,
 *   and counts as created now (its actions wait DEFINITION_SETTLE_MS).
 * The caller evaluates to afterwards. 0; -ENOENT (no alarm from);
 * -EINVAL / -ENAMETOOLONG (to is no name, err says so); -EBUSY when a
 * composite's rule names from (it would go); -EINVAL when from is a
 * composite whose rule, as to's, would make a cycle. A composite's
 * records are PutCompositeAlarm's.
 */
int store_alarm_rename(struct store *st, const char *from, const char *to,
		       const struct caller *who, struct err *err);

/*
 * The current name of alarm id (a rename may have changed it) and when
 * it came to that name (made, or renamed to a free name). 0, or -ENOENT
 * when it is gone.
 */
int store_alarm_by_id(struct store *st, int64_t id, char name[ALARM_NAME_SIZE],
		      int64_t *created_ms);

/*
 * Delete an alarm with its history (DeleteAlarms). -ENOENT; -EBUSY when
 * a composite's rule names it (SPEC 12), err naming the composite (the
 * trail's errorCode ResourceInUseException).
 */
int store_alarm_delete(struct store *st, const char *name,
		       const struct caller *who, struct err *err);

enum alarm_view { ALARM_VIEW_TEXT, ALARM_VIEW_JSON, ALARM_VIEW_HISTORY };

/*
 * Render alarm name: its definition and state (text), DescribeAlarms'
 * MetricAlarm or CompositeAlarm (JSON), or its history as JSON lines,
 * oldest first.
 */
int store_alarm_render(struct store *st, const char *name, enum alarm_view view,
		       struct strbuf *out);

/*
 * A state change that an evaluation made, for its actions. It owns its
 * strings, each whole however long (a 1024-byte description, a reason
 * listing 30 datapoints, a JSON line holding both): release it with
 * alarm_change_release.
 */
struct alarm_change {
	int64_t alarm_id;
	char name[ALARM_NAME_SIZE]; /* names are refused past NAME_MAX_BYTES */
	char *description;
	int old_state, new_state; /* enum alarm_state */
	char *reason;
	int64_t time_ms;
	char *message;	/* the JSON line actions get, no '\n' */
	char **actions; /* of the new state, if enabled */
	size_t nactions;
	int64_t created_ms; /* when the alarm came to its name */
	uid_t writer_uid;   /* exec: actions run as the writer */
	gid_t writer_gid;
	char writer_name[CALLER_USER_MAX];
};

/* Free what a change owns and zero it; safe on a zeroed change, twice. */
void alarm_change_release(struct alarm_change *c);

/*
 * Evaluate alarm name: a metric alarm over the complete periods before
 * now_ms; a composite (SPEC 12) by its rule over the states the alarms
 * it names have now, in one transaction with its change. When its
 * state changes, the change, its history item and its AlarmStateChange
 * record commit together, and *change describes it (return 1); 0 when
 * the state stays. -ENOENT, -ENOMEM (nothing committed), -errno.
 * *change is zeroed first, so it may always be released.
 */
int store_alarm_evaluate(struct store *st, const char *name, int64_t now_ms,
			 struct alarm_change *change);

/*
 * Call fn with the name and period of each metric alarm, so the
 * evaluator can tell whose period boundary has come (composites have
 * none: they follow the alarms they name). fn must not call the store.
 */
typedef int (*store_alarm_fn)(void *ctx, int64_t id, const char *name,
			      int64_t period_s);
int store_alarms_each(struct store *st, store_alarm_fn fn, void *ctx);

/*
 * Call fn with the name of each composite alarm whose rule names alarm
 * name, by name: those to evaluate again when name's state changes
 * (SPEC 12). fn must not call the store; a nonzero return stops the
 * walk and is returned. 0, -ENOMEM, -EIO (a damaged definition).
 */
typedef int (*store_name_fn)(void *ctx, const char *name);
int store_alarm_each_naming(struct store *st, const char *name,
			    store_name_fn fn, void *ctx);

/*
 * Add an Action item to an alarm's history (an action's outcome:
 * summary "Successfully executed action exec:/x", or a failure).
 */
int store_alarm_note(struct store *st, int64_t alarm_id, int64_t now_ms,
		     const char *summary, const char *data_json);

/*
 * Append one line (with its '\n') to stream GROUP/STREAM, creating the
 * group's levels and the stream as needed, owned by who: what a `log:`
 * action does. monfs's own write: not recorded as a data event, not
 * emitted (SPEC 13). 0 or -errno.
 */
int store_log_line(struct store *st, const char *group, const char *stream,
		   const char *line, const struct caller *who, int64_t now_ms);

/* ---- metric filters (SPEC 7) ---- */

#define FILTER_TEXT_MAX (16 * 1024) /* bytes of one definition */

/* Look filter name up. 0 or -ENOENT. */
int store_filter_get(struct store *st, const char *name,
		     struct alarm_info *out);

/* Call fn for each filter (is_dir false), by name. */
int store_filter_list(struct store *st, store_list_fn fn, void *ctx);

/*
 * Define filter name from text written by who (PutMetricFilter): the
 * metric (and its namespace levels) made if missing, owned by who. who
 * must be able to read the group and to write the metric, or make it:
 * -EACCES otherwise. A new filter is owned as owner says; a redefined
 * one keeps its owner, mode and counters. Invalid: -EINVAL, err says
 * why, nothing changes. Recorded in the trail either way.
 */
int store_filter_put(struct store *st, const char *name, const char *text,
		     size_t len, const struct node_owner *owner,
		     const struct caller *who, struct err *err);

/*
 * Rename filter from to to (SPEC 2), in one transaction with its trail
 * records, PutMetricFilter of to (sourceFilterName from) and
 * DeleteMetricFilter of from: onto an existing filter, from's definition
 * replaces to's, which keeps its owner, mode and counters, and from is
 * deleted; to a free name, the filter moves whole. 0; -ENOENT (no filter
 * from); -EINVAL / -ENAMETOOLONG (to is no name).
 */
int store_filter_rename(struct store *st, const char *from, const char *to,
			const struct caller *who, struct err *err);

/* Delete a filter (DeleteMetricFilter). -ENOENT. */
int store_filter_delete(struct store *st, const char *name,
			const struct caller *who, struct err *err);

/* The definition, then `matched = N` and `skipped = N`. */
int store_filter_render(struct store *st, const char *name, struct strbuf *out);

/*
 * Add default_value points for the minutes before now_ms in which a
 * filter's group had events but none matched. Returns 0 or -errno.
 */
int store_filters_sweep(struct store *st, int64_t now_ms);

/* ---- event buses (SPEC 13) ---- */

#define BUS_DEFAULT "default" /* always there; no rm */
#define EVENTS_MODE 01777     /* events/, like /tmp (SPEC 9) */

/*
 * A bus reads like a stream (SPEC 13): its events are the envelope
 * lines of a log stream that no path under logs/ names, kept 24 hours
 * from their arrival. So a bus is a struct stream_info, and reading,
 * holding and stat'ing one are store_stream_read, store_stream_hold,
 * store_stream_release and store_stream_stat on its id; writing one is
 * a data session of kind DATA_BUS (PutEvents).
 */

/*
 * The longest PutEvents line a write may leave pending: room for a
 * Detail of EVENT_DETAIL_MAX as an escaped string, and the rest.
 */
#define BUS_LINE_MAX (1024 * 1024)

/* Look bus name up. 0 or -ENOENT. */
int store_bus_get(struct store *st, const char *name, struct stream_info *out);

/* Call fn for each bus (is_dir false), by name. fn must not call the store. */
int store_bus_list(struct store *st, store_list_fn fn, void *ctx);

/*
 * Make bus name, owned by the caller with mode (CreateEventBus).
 * -EEXIST, -EINVAL / -ENAMETOOLONG (no name, err says why). Recorded.
 */
int store_bus_create(struct store *st, const char *name, mode_t mode,
		     const struct caller *who, struct stream_info *out,
		     struct err *err);

/*
 * Delete bus name with its events (DeleteEventBus); readers holding it
 * keep them until they close, as with a stream. -ENOENT; -EPERM for
 * the default bus, which always exists. Recorded either way.
 */
int store_bus_delete(struct store *st, const char *name,
		     const struct caller *who, struct err *err);

/* ---- rules (SPEC 13), store/rules.c ---- */

#define RULE_TEXT_MAX (16 * 1024) /* bytes of one definition */

/* Look rule name up. 0 or -ENOENT. */
int store_rule_get(struct store *st, const char *name, struct alarm_info *out);

/* Call fn for each rule (is_dir false), by name. */
int store_rule_list(struct store *st, store_list_fn fn, void *ctx);

/*
 * Define rule name from text written by who (PutRule with its targets):
 * parsed (lib/rule_def.h), its targets checked with who's rights, and
 * the events: targets of every rule checked for a cycle. A new rule is
 * owned as owner says and counts as created now (its deliveries wait
 * DEFINITION_SETTLE_MS); a redefined one keeps its owner, counters and
 * schedule phase. 0; -EINVAL (err naming the line or member, or the
 * cycle); -EACCES (a target who may not use); -ENOMEM, -EIO. Recorded
 * either way.
 */
int store_rule_put(struct store *st, const char *name, const char *text,
		   size_t len, const struct node_owner *owner,
		   const struct caller *who, struct err *err);

/*
 * Rename rule from to to (SPEC 2), recorded as PutRule of to and
 * DeleteRule of from: onto an existing rule, from's definition becomes
 * to's (which keeps its owner, counters and phase) and from is deleted;
 * to a free name, the rule moves whole and counts as created now.
 * Deliveries made under from's name are dropped. 0; -ENOENT; -EINVAL.
 */
int store_rule_rename(struct store *st, const char *from, const char *to,
		      const struct caller *who, struct err *err);

/* Delete a rule with its pending deliveries (DeleteRule). -ENOENT. */
int store_rule_delete(struct store *st, const char *name,
		      const struct caller *who, struct err *err);

/*
 * A rule as a read shows it: its definition, then matched,
 * invocations, failed_invocations and last_fired (once it fired).
 * 0 or -ENOENT.
 */
int store_rule_render(struct store *st, const char *name, struct strbuf *out);

/*
 * Who may read the trail (its owner, group and mode, SPEC 9): on the
 * default bus, a rule receives events only when its writer may. Root's
 * 0644 until set. Call before serving.
 */
void store_rules_set_trail_attr(struct store *st, const struct node_attr *a);

/* An exec: delivery, as store_rules_deliver hands it to the front end. */
struct rule_exec {
	int64_t rule_id;
	const char *rule;	 /* its name: MONFS_RULE */
	const char *path;	 /* the program */
	const char *line;	 /* the JSON line for its stdin, no '\n' */
	const char *source;	 /* MONFS_EVENT_SOURCE */
	const char *detail_type; /* MONFS_EVENT_DETAIL_TYPE */
	uid_t uid;		 /* the rule's writer */
	gid_t gid;
	const char *user;
};

/*
 * Start program d->path (never wait for it). 0 when it started; a
 * negative errno with why (room for 128 bytes) when it could not.
 */
typedef int (*store_rule_exec_fn)(void *ctx, const struct rule_exec *d,
				  char *why);

/*
 * Do the deliveries that are due at now_ms, in event order: log: and
 * events: here, exec: through exec. Each is deleted in the transaction
 * that does it (log:, events:) or once started (exec:): at least once.
 * A failure is counted and recorded, not retried. Deliveries of a rule
 * younger than DEFINITION_SETTLE_MS wait, and those made under a name
 * the rule no longer has are dropped. Returns how many were done, or
 * -errno when the database failed (the rest wait for the next call).
 */
int store_rules_deliver(struct store *st, int64_t now_ms,
			store_rule_exec_fn exec, void *ctx);

/*
 * An exec: delivery of rule rule_id (target) that failed after it
 * started (its program's exit status): counted and recorded with why.
 */
int store_rule_failed(struct store *st, int64_t rule_id, const char *target,
		      const char *why);

/*
 * Fire the schedules due by now_ms (SPEC 13): each firing is a
 * Scheduled Event on the default bus, delivered to its rule's targets;
 * firings missed (the daemon down) fire once. Returns the number fired
 * or -errno.
 */
int store_rules_fire(struct store *st, int64_t now_ms);

/* ---- ownership ---- */

enum node_kind {
	NODE_NAMESPACE,
	NODE_METRIC,
	NODE_LOG_GROUP,
	NODE_STREAM,
	NODE_ALARM,
	NODE_FILTER,
	NODE_BUS,	/* dir is the bus's name, name NULL */
	NODE_RULE,	/* dir is the rule's name, name NULL */
	NODE_DASHBOARD, /* dir is the dashboard's name, name NULL */
};

/*
 * Change a node's mode bits and/or owner: pass (uid_t)-1 / (gid_t)-1 /
 * (mode_t)-1 to keep one. dir is the namespace or group (the node itself
 * for NODE_NAMESPACE and NODE_LOG_GROUP, the alarm for NODE_ALARM; name
 * NULL), name the metric or stream. -ENOENT.
 */
int store_node_set_owner(struct store *st, enum node_kind kind, const char *dir,
			 const char *name, uid_t uid, gid_t gid, mode_t mode,
			 const struct caller *who, struct err *err);

/* An mtime of "now", and "leave the mtime", for store_node_set_times. */
#define STORE_TIME_NOW INT64_MIN
#define STORE_TIME_OMIT (INT64_MIN + 1)

/*
 * Set a node's mtime (utimensat): to mtime_ms, to now with
 * STORE_TIME_NOW, or leave it with STORE_TIME_OMIT; its ctime moves to
 * now. Arguments as for store_node_set_owner. A metric keeps no times of
 * its own (its mtime follows its data): 0, nothing changed. -ENOENT.
 */
int store_node_set_times(struct store *st, enum node_kind kind, const char *dir,
			 const char *name, int64_t mtime_ms);

/* ---- dashboards (SPEC 15), store/dashboards.c ---- */

#define DASHBOARD_TEXT_MAX (1024 * 1024) /* PutDashboard's 1 MB body */

/*
 * Whether name may name a dashboard: a definition's name (SPEC 2) that
 * does not end in ".txt", ".html" or ".svg", the endings of its views.
 * 0, or -EINVAL / -ENAMETOOLONG with err saying why.
 */
int store_dashboard_check_name(const char *name, struct err *err);

/*
 * The view ending name has (".txt", ".html", ".svg": SPEC 15), after at
 * least one byte of name, or NULL.
 */
const char *dashboard_view_ending(const char *name);

/* Look dashboard name up. 0 or -ENOENT. */
int store_dashboard_get(struct store *st, const char *name,
			struct alarm_info *out);

/* Call fn for each dashboard (is_dir false), by name. */
int store_dashboard_list(struct store *st, store_list_fn fn, void *ctx);

/*
 * Define dashboard name from the body text[0..len) written by who
 * (PutDashboard): checked by lib/dashboard.h and kept pretty-printed. A
 * new one is owned as owner says; a redefined one keeps its owner.
 * 0; -EINVAL (err naming the JSON path and why), -EFBIG, -ENOMEM, -EIO.
 * Recorded either way; an invalid body changes nothing.
 */
int store_dashboard_put(struct store *st, const char *name, const char *text,
			size_t len, const struct node_owner *owner,
			const struct caller *who, struct err *err);

/*
 * Rename dashboard from to to (SPEC 2), recorded as PutDashboard of to
 * and DeleteDashboards of from; onto an existing dashboard, from's body
 * becomes to's (which keeps its owner). 0; -ENOENT; -EINVAL.
 */
int store_dashboard_rename(struct store *st, const char *from, const char *to,
			   const struct caller *who, struct err *err);

/* Delete a dashboard (DeleteDashboards). -ENOENT. Recorded either way. */
int store_dashboard_delete(struct store *st, const char *name,
			   const struct caller *who, struct err *err);

/* Append dashboard name's body, as a read shows it, to out. -ENOENT. */
int store_dashboard_render(struct store *st, const char *name,
			   struct strbuf *out);

/* ---- the audit trail (SPEC 6) ---- */

/*
 * One member of a record's requestParameters: a string, a number, or a
 * JSON value given as its text (CloudWatch's nested parameters, such as
 * PutMetricFilter's metricTransformations).
 */
struct trail_param {
	const char *key;
	const char *str; /* NULL: the value is json, else num */
	int64_t num;
	const char *json; /* JSON text, or NULL */
};

#define TRAIL_STR(k, v) ((struct trail_param){(k), (v), 0, NULL})
#define TRAIL_NUM(k, v) ((struct trail_param){(k), NULL, (v), NULL})
#define TRAIL_JSON(k, v) ((struct trail_param){(k), NULL, 0, (v)})
#define TRAIL_PARAMS_MAX 8

/* One audit event, as the code that makes it describes it. */
struct trail_event {
	const char *source;	  /* "metrics.monfs", "logs.monfs", ... */
	const char *name;	  /* CloudWatch's API name, or the file op's */
	const struct caller *who; /* NULL: monfs itself (AWSService) */
	bool read_only;
	bool data;	    /* a data event; else management */
	bool service_event; /* eventType AwsServiceEvent */
	/*
	 * Of monfs's own deliveries (a rule's failed invocation): recorded,
	 * but not emitted on the default bus, so that no rule feeds itself
	 * (SPEC 13).
	 */
	bool not_emitted;
	struct trail_param params[TRAIL_PARAMS_MAX];
	size_t nparams;
	int error;	     /* 0, or the -errno the caller saw */
	const char *message; /* errorMessage, when error != 0 */
	int64_t time_ms;     /* when; 0 for now */
};

/* Which data events the trail records (SPEC 14's --trail-data). */
enum trail_data {
	TRAIL_DATA_NONE,  /* management events only, as CloudTrail's default */
	TRAIL_DATA_WRITE, /* and PutMetricData, PutLogEvents, PutEvents */
	TRAIL_DATA_ALL,	  /* and reads */
};

struct trail_config {
	const char *region;	/* awsRegion */
	const char *host;	/* sourceIPAddress */
	int64_t retention_days; /* day files older than this go */
	const char *account;	/* 12 digits (--account); NULL: the default */
	enum trail_data data;	/* data events recorded; refusals always */
	/*
	 * --trail-log-group: every record also a line of the stream
	 * GROUP/ACCOUNT_CloudTrail_REGION, made root's with group log_gid
	 * and mode log_mode (0640 with --trail-group). NULL: off.
	 */
	const char *log_group;
	gid_t log_gid;
	mode_t log_mode;
};

/* Set what every record carries and how long days are kept. */
int store_trail_configure(struct store *st, const struct trail_config *cfg);

/*
 * With --trail-log-group: make the trail's group and stream if they are
 * not there (at start, and again if removed), root's, with the log_gid
 * and log_mode of the configuration; from then on every record is also
 * a line of the stream. 0 or -errno. (store/trail_logs.c)
 */
int store_trail_logs_sweep(struct store *st);

/* Record ev in a transaction of its own. 0 or -errno. */
int store_trail_record(struct store *st, const struct trail_event *ev);

/* One day file: trail/YYYY-MM-DD, day counted from the epoch (UTC). */
struct trail_day {
	int64_t day;
	int64_t size;
	int64_t mtime_ms;
};

/* The day file of day. 0 or -ENOENT (no events that day, or expired). */
int store_trail_day(struct store *st, int64_t day, struct trail_day *out);

/* Call fn for each day file, oldest first. fn must not call the store. */
typedef int (*store_day_fn)(void *ctx, const struct trail_day *d);
int store_trail_days(struct store *st, store_day_fn fn, void *ctx);

/*
 * A day file as its open readers see it: also once retention has taken
 * it from the listing, while a reader holds it. 0 or -ENOENT.
 */
int store_trail_day_stat(struct store *st, int64_t day, struct trail_day *out);

/*
 * Readers' holds on day files, as on streams (store_stream_hold): a day
 * file held open is kept whole past its retention until the last reader
 * lets go; the next sweep then removes it. Hold: 0, -ENOENT (expired
 * meanwhile), -ENOMEM.
 */
int store_trail_hold(struct store *st, int64_t day);
void store_trail_release(struct store *st, int64_t day);

/* Read a day file at offset, as store_stream_read does a stream. */
int store_trail_read(struct store *st, int64_t day, int64_t offset, char *buf,
		     size_t size);

/*
 * Remove day files past the retention (but those readers hold open),
 * and turn the data events of files held open for a minute or more into
 * records. Returns 0 or -errno.
 */
int store_trail_sweep(struct store *st, int64_t now_ms);

/* ---- trail insights (SPEC 14), store/trail_insights.c ---- */

/*
 * Turn CloudTrail Insights on or off (--trail-insights), with a baseline
 * window of baseline_minutes (--insights-baseline, at least 1). While on,
 * every management call recorded is counted for its eventSource and
 * eventName in its minute. 0 or -EINVAL (a window below 1 minute).
 */
int store_trail_insights_configure(struct store *st, bool on,
				   int64_t baseline_minutes);

/*
 * Judge every completed minute not judged yet, as of now_ms (never the
 * current one), recording Start and End insight records, then forget the
 * minutes the baseline no longer needs. Does nothing while off. 0 or
 * -errno (the database failed; what was judged before stays judged).
 */
int store_trail_insights_tick(struct store *st, int64_t now_ms);

/* ---- trail archive (SPEC 14), store/trail_archive.c ---- */

/*
 * What can fail the start of --trail-archive DIR, checked before the
 * daemon forks: the signing key DB.trail-key.pem beside the database at
 * db_path loads, or is made (RSA-2048, mode 0600) when it does not
 * exist, and region can name archive objects. A key file that exists
 * but does not load is refused, never replaced. DIR itself may be
 * missing (delivery waits for it). 0, or -errno with err saying why.
 */
int store_trail_archive_check(const char *db_path, const char *region,
			      struct err *err);

/*
 * Archive st's trail under dir (the store's trail settings name the
 * account and region): load the key beside db_path, start the delivery
 * state the first time (the records still in the database are the first
 * delivered), and put the public key in dir/monfs-public-key.pem. A
 * missing or unwritable dir is not an error here: delivery says so and
 * catches up later. 0, or -errno with err (the key, as the check).
 */
int store_trail_archive_configure(struct store *st, const char *db_path,
				  const char *dir, struct err *err);

/*
 * Deliver what is due at now_ms (the sweeper calls this every few
 * seconds): a log file of the records not yet delivered once 5 minutes
 * have passed since the last one, and a signed digest of the log files
 * since the last digest once an hour has passed since it (empty ones
 * too). With final (at unmount), every record goes out and a digest
 * follows whatever the time. A failure (dir missing, unwritable, full)
 * loses nothing: it is printed to stderr and recorded in the trail once
 * per streak, and the next call tries again. 0 (also when no archive is
 * configured) or the failure's -errno.
 */
int store_trail_archive_deliver(struct store *st, int64_t now_ms, bool final);

/* ---- data sessions: writes to an open file, and their trail ---- */

/*
 * An open file's writes (SPEC 6's data events): each write is ingested
 * in a transaction that also counts it in the session's pending record;
 * the record reaches the trail at close, and at least once a minute
 * while the file stays open (store_trail_sweep). A crash leaves the
 * pending record in the database; the next store_open finishes it.
 */
struct data_session;

enum data_kind { DATA_METRIC, DATA_STREAM, DATA_BUS };

/*
 * A session on metric, stream or bus id, named dir/name (namespace or
 * group, then metric or stream; "" and the bus's name for a bus), for
 * who. NULL when out of memory.
 */
struct data_session *store_data_open(enum data_kind kind, int64_t id,
				     const char *dir, const char *name,
				     const struct caller *who);

/*
 * Ingest buf[0..len), whole lines: data points (SPEC 3, all or none),
 * log events (SPEC 4), or PutEvents entries (SPEC 13, all or none) at
 * now_ms. A refusal is recorded in the trail and returned: -EINVAL (a
 * bad line, err says which), -EACCES (an aws. source put by anyone but
 * root), -EMSGSIZE, -ENOENT (deleted), -ENOSPC, -EIO.
 */
int store_data_put(struct store *st, struct data_session *ds, const char *buf,
		   size_t len, int64_t now_ms, struct err *err);

/*
 * Record a write of len bytes that the front end refused before the
 * store saw it (a partial line grown too long), and return rc.
 */
int store_data_refused(struct store *st, const struct data_session *ds,
		       size_t len, int rc, const char *message);

/* Record the session's data event, if it wrote anything, and free it. */
int store_data_close(struct store *st, struct data_session *ds);

#endif
