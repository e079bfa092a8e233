/* node: paths resolved against the store, and their attributes. */
#include "fs/node.h"

#include "fs/handle.h"
#include "lib/format.h"
#include "lib/perm.h"
#include "lib/timeutil.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct monfs *monfs_get(void)
{
	return fuse_get_context()->private_data;
}

/*
 * User names by uid: the passwd database is asked once per uid, since
 * every recorded operation needs the name.
 */
#define USER_CACHE 64

static pthread_mutex_t users_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	uid_t uid;
	char name[CALLER_USER_MAX];
} users[USER_CACHE];
static size_t nusers;

static void user_name(uid_t uid, char out[CALLER_USER_MAX])
{
	struct passwd pw, *found = NULL;
	char buf[1024];
	size_t i;

	pthread_mutex_lock(&users_lock);
	for (i = 0; i < nusers; i++) {
		if (users[i].uid == uid) {
			memcpy(out, users[i].name, CALLER_USER_MAX);
			pthread_mutex_unlock(&users_lock);
			return;
		}
	}
	pthread_mutex_unlock(&users_lock);
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &found) == 0 && found)
		snprintf(out, CALLER_USER_MAX, "%s", pw.pw_name);
	else
		snprintf(out, CALLER_USER_MAX, "%u", (unsigned)uid);
	pthread_mutex_lock(&users_lock);
	i = nusers < USER_CACHE ? nusers++ : uid % USER_CACHE;
	users[i].uid = uid;
	memcpy(users[i].name, out, CALLER_USER_MAX);
	pthread_mutex_unlock(&users_lock);
}

/* The name of process pid (its thread, as FUSE gives), from /proc. */
static void process_name(pid_t pid, char out[CALLER_PROCESS_MAX])
{
	char path[64];
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, out, CALLER_PROCESS_MAX - 1);
		close(fd);
	}
	if (n <= 0) {
		snprintf(out, CALLER_PROCESS_MAX, "unknown");
		return;
	}
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
}

/*
 * What /proc says of a caller (its name and supplementary groups), kept
 * CALLER_CACHE_MS for the same thread, uid and gid: reading it costs
 * three opens of /proc files, and a shell loop of `echo v >> file` asks
 * five times per line. In 100 ms no pid comes round again (pid_max
 * allocations would have to happen first), and a thread that changes
 * its uid or gid misses the cache; one that changes only its groups, or
 * execs, is seen with the old ones for at most that long.
 */
#define CALLER_CACHE 64
#define CALLER_CACHE_MS 100

static pthread_mutex_t callers_lock = PTHREAD_MUTEX_INITIALIZER;
static struct caller callers[CALLER_CACHE];   /* callers_lock */
static int64_t callers_seen_ms[CALLER_CACHE]; /* 0: a free slot */
static pid_t callers_tgid[CALLER_CACHE];      /* 0: not asked yet */

/* Whether slot i holds who, seen less than CALLER_CACHE_MS ago. */
static bool caller_slot_is(size_t i, const struct caller *who, int64_t now_ms)
{
	return callers_seen_ms[i] && callers[i].pid == who->pid &&
	       callers[i].uid == who->uid && callers[i].gid == who->gid &&
	       now_ms - callers_seen_ms[i] < CALLER_CACHE_MS;
}

/* *who's name and groups from the cache: whether they were there. */
static bool caller_cached(struct caller *who, int64_t now_ms)
{
	bool found = false;
	size_t i;

	pthread_mutex_lock(&callers_lock);
	for (i = 0; i < CALLER_CACHE && !found; i++) {
		if (caller_slot_is(i, who, now_ms)) {
			*who = callers[i];
			found = true;
		}
	}
	pthread_mutex_unlock(&callers_lock);
	return found;
}

static void caller_keep(const struct caller *who, int64_t now_ms)
{
	size_t i, oldest = 0;

	pthread_mutex_lock(&callers_lock);
	for (i = 0; i < CALLER_CACHE; i++)
		if (callers_seen_ms[i] < callers_seen_ms[oldest])
			oldest = i;
	callers[oldest] = *who;
	callers_seen_ms[oldest] = now_ms;
	callers_tgid[oldest] = 0;
	pthread_mutex_unlock(&callers_lock);
}

pid_t node_thread_group(void)
{
	struct caller who = node_caller(); /* in the cache now */
	int64_t now = store_now_ms();
	pid_t tgid = 0;
	size_t i;

	pthread_mutex_lock(&callers_lock);
	for (i = 0; i < CALLER_CACHE && !tgid; i++)
		if (caller_slot_is(i, &who, now))
			tgid = callers_tgid[i];
	pthread_mutex_unlock(&callers_lock);
	if (tgid)
		return tgid;
	tgid = thread_group_of(who.pid);
	pthread_mutex_lock(&callers_lock);
	for (i = 0; i < CALLER_CACHE; i++)
		if (caller_slot_is(i, &who, now))
			callers_tgid[i] = tgid;
	pthread_mutex_unlock(&callers_lock);
	return tgid;
}

struct caller node_caller(void)
{
	struct fuse_context *ctx = fuse_get_context();
	struct caller who = {.uid = ctx->uid, .gid = ctx->gid, .pid = ctx->pid};
	int64_t now = store_now_ms();
	int n;

	if (caller_cached(&who, now))
		return who;
	user_name(who.uid, who.user);
	process_name(who.pid, who.process);
	n = fuse_getgroups(CALLER_GROUPS_MAX, who.groups);
	who.ngroups = n < 0 ? 0 : n > CALLER_GROUPS_MAX ? CALLER_GROUPS_MAX : n;
	caller_keep(&who, now);
	return who;
}

mode_t node_umask(void)
{
	return fuse_get_context()->umask;
}

static uid_t daemon_uid;
static gid_t daemon_gid;
static pthread_once_t daemon_ids_once = PTHREAD_ONCE_INIT;

static void daemon_ids(void)
{
	daemon_uid = getuid();
	daemon_gid = getgid();
}

/* The fixed directories' attributes: root's, like /tmp (SPEC 9). */
static struct node_attr fixed_attr(enum area area)
{
	struct monfs *m = monfs_get();
	struct node_attr a;

	pthread_once(&daemon_ids_once, daemon_ids);
	a = (struct node_attr){daemon_uid, daemon_gid, 01777, m->mounted_ms,
			       m->mounted_ms};

	if (area == AREA_ROOT)
		a.mode = 0755;
	if (area == AREA_TRAIL) {
		a.mode = m->trail_group ? 0750 : 0755;
		a.gid = m->trail_group ? m->trail_gid : daemon_gid;
	}
	return a;
}

/*
 * The default bus carries the trail (SPEC 13): it is shown as the
 * trail's files are, root's (the daemon's) and 0644, or 0640 with
 * --trail-group, whatever its row says.
 */
static void default_bus_attr(struct node_attr *a)
{
	struct node_attr trail = fixed_attr(AREA_TRAIL);

	a->uid = trail.uid;
	a->gid = trail.gid;
	a->mode = trail.mode & 0644;
}

/* A bus: a file of events/ itself. Views of buses are not built yet. */
static int resolve_bus(struct store *st, struct node *n)
{
	int rc;

	if (strchr(n->path.rest, '/') || n->path.query)
		return -ENOENT;
	rc = store_bus_get(st, n->path.rest, &n->stream);
	if (rc)
		return rc;
	n->type = NT_FILE;
	n->attr = n->stream.attr;
	if (!strcmp(n->path.rest, BUS_DEFAULT))
		default_bus_attr(&n->attr);
	return 0;
}

bool node_is_default_bus(const struct fs_path *p)
{
	return p->area == AREA_EVENTS && !strcmp(p->rest, BUS_DEFAULT);
}

/*
 * Whether the directory level of a metrics/ path is a dimension
 * directory: its last component holds '='.
 */
static bool is_dimension_level(enum area area, const char *level)
{
	const char *slash = strrchr(level, '/');

	return area == AREA_METRICS && strchr(slash ? slash + 1 : level, '=');
}

int node_parent_attr(const struct fs_path *p, struct node_attr *out)
{
	char level[PATH_MAX];
	char *slash;
	int rc;

	if (!p->parent[0] || !area_has_tree(p->area)) {
		*out = fixed_attr(p->area);
		return 0;
	}
	/*
	 * A dimension set's canonical parent may not exist yet (mkdir of
	 * `NS/B=y/A=x` makes `NS/A=x` with `NS/A=x/B=y`): what is made is
	 * made in the nearest level that exists, at worst the namespace.
	 */
	snprintf(level, sizeof(level), "%s", p->parent);
	for (;;) {
		rc = store_dir_get(monfs_get()->store, area_tree(p->area),
				   level, out);
		if (rc != -ENOENT || !is_dimension_level(p->area, level))
			return rc;
		slash = strrchr(level, '/');
		if (!slash)
			return rc;
		*slash = '\0';
	}
}

int node_walk(const struct fs_path *p, const struct caller *who)
{
	char level[PATH_MAX];
	struct node_attr a = fixed_attr(AREA_ROOT);
	const char *slash;
	int rc;

	if (!perm_allows(who, &a, true, PERM_EXEC))
		return -EACCES;
	if (p->area == AREA_ROOT || !p->rest[0])
		return 0;
	a = fixed_attr(p->area);
	if (!perm_allows(who, &a, true, PERM_EXEC))
		return -EACCES;
	if (!area_has_tree(p->area))
		return 0;
	/* Every level above the named one must be searchable. */
	for (slash = strchr(p->rest, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		snprintf(level, sizeof(level), "%.*s", (int)(slash - p->rest),
			 p->rest);
		rc = store_dir_get(monfs_get()->store, area_tree(p->area),
				   level, &a);
		/*
		 * A canonical dimension prefix that does not exist is a step
		 * the user did not take (an alias, or a set being made):
		 * the levels that exist are checked.
		 */
		if (rc == -ENOENT && is_dimension_level(p->area, level))
			continue;
		if (rc)
			return rc; /* -ENOENT, or the store failed: -EIO */
		if (!perm_allows(who, &a, true, PERM_EXEC))
			return -EACCES;
	}
	return 0;
}

void node_definition_key(const struct fs_path *p, char out[PATH_MAX])
{
	/* rest fits PATH_MAX less the area: the path it came from did. */
	if (snprintf(out, PATH_MAX, "%s/%s", area_name(p->area), p->rest) < 0)
		out[0] = '\0';
}

bool area_has_tree(enum area area)
{
	return area == AREA_METRICS || area == AREA_LOGS;
}

enum tree area_tree(enum area area)
{
	return area == AREA_LOGS ? TREE_LOG_GROUPS : TREE_NAMESPACES;
}

/* Whether a view's query holds the key series= (SPEC 11). */
static bool has_series_key(const char *query)
{
	const char *at;

	if (!query)
		return false;
	for (at = strstr(query, "series="); at; at = strstr(at + 1, "series="))
		if (at == query || at[-1] == '&')
			return true;
	return false;
}

static int first_series(void *ctx, const struct series *s)
{
	*(struct node_attr *)ctx = s->attr;
	return 1; /* one is enough */
}

/*
 * A series= view of a metric name that has no dimensionless metric
 * opens while some dimensioned series of the name exists (SPEC 11),
 * with the attributes of the first. metric.id stays 0: the view reads
 * the series it selects, never one metric.
 */
static int resolve_series_only(struct store *st, struct node *n)
{
	struct dimension_selector all = {.all = true};
	struct node_attr attr;
	int rc;

	if (n->path.dimensions)
		return -ENOENT; /* series= names a metric in its namespace */
	rc = store_metric_series(st, n->path.parent, n->path.leaf, &all,
				 first_series, &attr);
	if (rc == 0)
		return -ENOENT;
	if (rc < 0)
		return rc;
	memset(&n->metric, 0, sizeof(n->metric));
	n->metric.attr = n->attr = attr;
	return 0;
}

/* Look the file p->parent / p->leaf up in p's area. */
static int resolve_file(struct store *st, struct node *n)
{
	const struct fs_path *p = &n->path;
	int rc;

	if (p->area == AREA_METRICS) {
		rc = store_metric_get(st, p->parent, p->leaf, &n->metric);
		n->attr = n->metric.attr;
		if (rc == -ENOENT && has_series_key(p->query))
			rc = resolve_series_only(st, n);
	} else {
		rc = store_stream_get(st, p->parent, p->leaf, &n->stream);
		n->attr = n->stream.attr;
	}
	return rc;
}

/*
 * The day a trail file name (YYYY-MM-DD) names, or -1. Only the name
 * format_date would print is accepted, so each day has one file name.
 */
static int64_t trail_day_of(const char *name)
{
	char again[FORMAT_TIME_MAX];
	unsigned y, m, d;
	int64_t day;

	if (strlen(name) != 10 ||
	    sscanf(name, "%4u-%2u-%2u", &y, &m, &d) != 3 || m < 1 || m > 12 ||
	    d < 1 || d > 31)
		return -1;
	day = days_from_civil(y, m, d);
	format_date(again, day * MS_PER_DAY);
	return strcmp(again, name) ? -1 : day;
}

/*
 * The bytes a read of stored definition name returns now: its size, so
 * that tar and cp, which copy st_size bytes, copy all of it (SPEC 2).
 * 0 when it cannot be rendered (a read fails the same way then).
 */
static int64_t definition_size(struct store *st, enum area area,
			       const char *name)
{
	struct strbuf text = STRBUF_INIT;
	int64_t size;
	int rc;

	rc = area == AREA_ALARMS
		     ? store_alarm_render(st, name, ALARM_VIEW_TEXT, &text)
	     : area == AREA_RULES      ? store_rule_render(st, name, &text)
	     : area == AREA_DASHBOARDS ? store_dashboard_render(st, name, &text)
				       : store_filter_render(st, name, &text);
	size = rc ? 0 : (int64_t)text.len;
	strbuf_release(&text);
	return size;
}

/*
 * An alarm or a metric filter: stored, or being created by an open file
 * (fs/handle.c). Filters have no views.
 */
/*
 * A dashboard's view under a name with an ending (SPEC 15): NAME.svg is
 * NAME?format=svg, NAME.svg?width=100 NAME?format=svg&width=100. p's
 * rest becomes NAME and its query the format first, the rest after.
 * 0, or -ENAMETOOLONG when that does not fit.
 */
static int dashboard_view_path(struct fs_path *p)
{
	const char *ending = dashboard_view_ending(p->rest);
	char query[PATH_MAX];
	size_t name_len;
	int n;

	if (!ending)
		return 0;
	n = snprintf(query, sizeof(query), "format=%s%s%s",
		     strcmp(ending, ".txt") ? ending + 1 : "text",
		     p->query ? "&" : "", p->query ? p->query : "");
	name_len = strlen(p->rest) - strlen(ending);
	if (n < 0 || name_len + 1 + (size_t)n + 1 > sizeof(p->rest))
		return -ENAMETOOLONG;
	p->rest[name_len] = '\0';
	memcpy(p->rest + name_len + 1, query, (size_t)n + 1);
	p->query = p->rest + name_len + 1;
	return 0;
}

static int resolve_definition(struct store *st, struct node *n)
{
	bool alarm = n->path.area == AREA_ALARMS;
	struct node_owner owner;
	struct alarm_info a;
	char key[PATH_MAX];
	int rc;

	if (n->path.area == AREA_DASHBOARDS) {
		rc = dashboard_view_path(&n->path);
		if (rc)
			return rc;
	}
	if (strchr(n->path.rest, '/') ||
	    (!alarm && n->path.area != AREA_DASHBOARDS && n->path.query))
		return -ENOENT;
	n->type = NT_FILE;
	n->view = n->path.query != NULL;
	rc = alarm ? store_alarm_get(st, n->path.rest, &a)
	     : n->path.area == AREA_RULES ? store_rule_get(st, n->path.rest, &a)
	     : n->path.area == AREA_DASHBOARDS
		     ? store_dashboard_get(st, n->path.rest, &a)
		     : store_filter_get(st, n->path.rest, &a);
	if (!rc) {
		n->attr = a.attr;
		if (!n->view)
			n->text_size =
				definition_size(st, n->path.area, n->path.rest);
		return 0;
	}
	if (rc != -ENOENT)
		return rc; /* the store failed: not "absent" */
	node_definition_key(&n->path, key);
	if (n->view || !handle_creating(key, &owner))
		return -ENOENT;
	n->attr = (struct node_attr){owner.uid, owner.gid, owner.mode,
				     store_now_ms(), store_now_ms()};
	n->being_created = true;
	return 0;
}

int node_resolve(const char *path, struct node *n)
{
	struct store *st = monfs_get()->store;
	struct fs_path *p = &n->path;
	int rc;

	memset(&n->attr, 0, sizeof(n->attr));
	n->view = false;
	n->being_created = false;
	n->alias = false;
	n->group_view = false;
	n->namespace_view = false;
	n->text_size = 0;
	rc = path_parse(path, p);
	if (rc)
		return rc;
	if (p->area == AREA_ROOT || !p->rest[0]) {
		n->type = p->area == AREA_ROOT ? NT_ROOT : NT_AREA;
		n->attr = fixed_attr(p->area);
		if (p->query && p->area == AREA_ALARMS) {
			/* alarms?format=json, alarms?state=ALARM (SPEC 16) */
			n->type = NT_FILE;
			n->view = true;
			n->attr.mode = 0444;
			return 0;
		}
		return p->query ? -ENOENT : 0;
	}
	if (p->area == AREA_TRAIL) {
		int64_t day = p->query ? -1 : trail_day_of(p->rest);

		if (day < 0)
			return -ENOENT;
		rc = store_trail_day(st, day, &n->day);
		if (rc)
			return rc;
		n->type = NT_FILE;
		n->attr = fixed_attr(AREA_TRAIL);
		n->attr.mode &= 0644; /* 0644, or 0640 with a trail group */
		n->attr.mtime_ms = n->attr.ctime_ms = n->day.mtime_ms;
		return 0;
	}
	if (AREA_DEFINES(p->area))
		return resolve_definition(st, n);
	if (p->area == AREA_EVENTS)
		return resolve_bus(st, n);
	if (!area_has_tree(p->area))
		return -ENOENT;
	if (!p->query) {
		rc = store_dir_get(st, area_tree(p->area), p->rest, &n->attr);
		if (!rc) {
			n->type = NT_DIR;
			return 0;
		}
		if (rc != -ENOENT)
			return rc;
		/*
		 * The kernel walks `NS/B=y/A=x` one level at a time, so
		 * `NS/B=y` must resolve though the store keeps the set
		 * {A=x, B=y} only under its canonical prefixes `NS/A=x` and
		 * `NS/A=x/B=y`. A dimension directory that does not exist
		 * resolves as an alias while some existing set holds its
		 * dimensions: it is a step towards that set, in another
		 * order. Aliases are never listed (SPEC 11: non-canonical
		 * paths resolve by lookup only), list empty, and cannot be
		 * removed; what is made through them lands in the canonical
		 * rows. An alias no set extends any more resolves no more.
		 */
		if (p->dimensions && strchr(p->leaf, '=')) {
			rc = store_dimension_alias(st, p->rest, &n->attr);
			if (!rc) {
				n->type = NT_DIR;
				n->alias = true;
				return 0;
			}
			if (rc != -ENOENT)
				return rc;
		}
	}
	/*
	 * A view of a log group (its streams, or a query) or of a
	 * namespace (ListMetrics): SPEC 16.
	 */
	if (p->query &&
	    !store_dir_get(st, area_tree(p->area), p->rest, &n->attr)) {
		n->type = NT_FILE;
		n->view = true;
		n->group_view = p->area == AREA_LOGS;
		n->namespace_view = p->area == AREA_METRICS;
		return 0;
	}
	if (!p->parent[0])
		return -ENOENT;
	rc = resolve_file(st, n);
	if (rc)
		return rc;
	n->type = NT_FILE;
	n->view = p->query != NULL;
	return 0;
}

static void set_time(struct timespec *ts, int64_t ms)
{
	ts->tv_sec = ms / 1000;
	ts->tv_nsec = (ms % 1000) * 1000000;
}

/*
 * A directory's st_nlink: its own entry, its ".", and each
 * sub-directory's "..", as find(1) expects. 0 or -EIO.
 */
static int dir_links(const struct node *n, nlink_t *out)
{
	struct store *store = monfs_get()->store;
	int64_t subdirs = 0;
	int rc = 0;

	if (n->type == NT_ROOT)
		subdirs = AREA_LAST - AREA_METRICS + 1;
	else if (area_has_tree(n->path.area))
		rc = store_dir_subdirs(store, area_tree(n->path.area),
				       n->path.rest, &subdirs);
	*out = (nlink_t)(2 + subdirs);
	return rc;
}

int node_stat(const struct node *n, struct stat *st)
{
	struct node_attr attr = n->attr;
	int rc = 0;

	/* A top directory's times are kept in the store; else the mount's. */
	if (n->type == NT_AREA) {
		rc = store_top_times(monfs_get()->store,
				     area_name(n->path.area), &attr);
		if (rc != -ENOENT && rc)
			return rc;
	}
	memset(st, 0, sizeof(*st));
	st->st_mode = n->attr.mode;
	if (n->type == NT_FILE) {
		/* Views are read-only renderings. */
		st->st_mode = S_IFREG |
			      (n->view ? n->attr.mode & 0444 : n->attr.mode);
		/*
		 * Streams and days have a true size, definitions the size of
		 * their reading (SPEC 2); other renderings report 0.
		 */
		if ((n->path.area == AREA_LOGS && !n->view) ||
		    n->path.area == AREA_EVENTS)
			st->st_size = n->stream.end - n->stream.start;
		if (n->path.area == AREA_TRAIL)
			st->st_size = n->day.size;
		if (AREA_DEFINES(n->path.area))
			st->st_size = n->text_size;
	} else {
		st->st_mode |= S_IFDIR;
	}
	st->st_uid = attr.uid;
	st->st_gid = attr.gid;
	set_time(&st->st_mtim, attr.mtime_ms);
	set_time(&st->st_ctim, attr.ctime_ms);
	st->st_atim = st->st_mtim;
	st->st_nlink = 1;
	st->st_blksize = 4096;
	st->st_blocks = (st->st_size + 511) / 512;
	return S_ISDIR(st->st_mode) ? dir_links(n, &st->st_nlink) : 0;
}
