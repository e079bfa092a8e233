/*
 * main: command line (fuse_opt), the one-daemon-per-database lock, the
 * store's life cycle around libfuse's loop, and the background sweeper.
 *
 * Order matters (DESIGN "known traps"): everything that can fail the
 * start is checked before fuse_main daemonizes — the lock is taken and
 * the database opened and closed once — and the store the daemon uses is
 * opened again in init, after the fork, since a sqlite connection must
 * not cross fork(2).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fs/actions.h"
#include "fs/handle.h"
#include "fs/monfs.h"
#include "fs/file.h"
#include "fs/ops.h"
#include "fs/verify.h"
#include "lib/parse.h"

#define MONFS_VERSION "0.1.0"
/* Often enough that a file held open reaches the trail each minute. */
#define SWEEP_INTERVAL_S 10
#define DEFAULT_TRAIL_DAYS 90
#define DEFAULT_INSIGHTS_BASELINE_MIN (7 * 24 * 60) /* CloudTrail's 7 days */

enum { KEY_HELP, KEY_VERSION };

/* The option table reads as a table: clang-format would unfold it. */
/* clang-format off */
#define OPT(t, field, v) {t, offsetof(struct monfs_options, field), v}
/*
 * libfuse's FUSE_OPT_KEY spells the "no offset" marker -1U, which clang's
 * -Wconversion flags when it widens to the unsigned long field; fuse_opt.c
 * compares the field with -1U, so this is the same value, cast on purpose.
 */
#define OPT_KEY(t, k) {t, (unsigned long)-1U, k}

static const struct fuse_opt OPTIONS[] = {
	OPT("--db=%s", db, 0),
	OPT("--db %s", db, 0),
	OPT("db=%s", db, 0),
	OPT("--region=%s", region, 0),
	OPT("--region %s", region, 0),
	OPT("region=%s", region, 0),
	OPT("--host=%s", host, 0),
	OPT("--host %s", host, 0),
	OPT("host=%s", host, 0),
	OPT("--trail-days=%u", trail_days, 0),
	OPT("--trail-days %u", trail_days, 0),
	OPT("trail_days=%u", trail_days, 0),
	OPT("--trail-reads", trail_reads, 1),
	OPT("trail_reads", trail_reads, 1),
	OPT("--trail-group=%s", trail_group, 0),
	OPT("--trail-group %s", trail_group, 0),
	OPT("trail_group=%s", trail_group, 0),
	OPT("--account=%s", account, 0),
	OPT("--account %s", account, 0),
	OPT("account=%s", account, 0),
	OPT("--trail-data=%s", trail_data, 0),
	OPT("--trail-data %s", trail_data, 0),
	OPT("trail_data=%s", trail_data, 0),
	OPT("--trail-log-group=%s", trail_log_group, 0),
	OPT("--trail-log-group %s", trail_log_group, 0),
	OPT("trail_log_group=%s", trail_log_group, 0),
	OPT("--trail-archive=%s", trail_archive, 0),
	OPT("--trail-archive %s", trail_archive, 0),
	OPT("trail_archive=%s", trail_archive, 0),
	OPT("--trail-insights", trail_insights, 1),
	OPT("trail_insights", trail_insights, 1),
	OPT("--insights-baseline=%u", insights_baseline, 0),
	OPT("--insights-baseline %u", insights_baseline, 0),
	OPT("insights_baseline=%u", insights_baseline, 0),
	OPT_KEY("-h", KEY_HELP),
	OPT_KEY("--help", KEY_HELP),
	OPT_KEY("-V", KEY_VERSION),
	OPT_KEY("--version", KEY_VERSION),
	FUSE_OPT_END,
};
/* clang-format on */

/* clang-format off */
static void usage(FILE *out)
{
	fprintf(out,
		"usage: monfs [options] [SOURCE] MOUNTPOINT\n"
		"\n"
		"CloudWatch and CloudTrail for a host, as a filesystem.\n"
		"\n"
		"  --db FILE            the sqlite database (default $MONFS_DB,\n"
		"                       /var/lib/monfs/monfs.db for root,\n"
		"                       ~/.local/share/monfs/monfs.db for others),\n"
		"                       or postgresql://... for a fleet\n"
		"  -f                   stay in the foreground\n"
		"  --region NAME        awsRegion of trail records (local)\n"
		"  --host NAME          sourceIPAddress of trail records (host name)\n"
		"  --trail-days N       trail retention in days (90)\n"
		"  --trail-data none|write|all\n"
		"                       data events recorded: none (the default,\n"
		"                       as CloudTrail), writes, or writes and reads\n"
		"  --trail-reads        the same as --trail-data all\n"
		"  --trail-group GROUP  only GROUP may read the trail\n"
		"  --account ID         12 digits: the account of records, events\n"
		"                       and archives (000000000000)\n"
		"  --trail-log-group GROUP\n"
		"                       also deliver every record to the log stream\n"
		"                       GROUP/ACCOUNT_CloudTrail_REGION\n"
		"  --trail-archive DIR  archive records in CloudTrail's S3 layout\n"
		"                       under DIR, with signed hourly digests\n"
		"  --trail-insights     record CloudTrail Insights on call and\n"
		"                       error rates\n"
		"  --insights-baseline MINUTES\n"
		"                       the Insights baseline window (10080: 7 days)\n"
		"  -o OPTS              FUSE options (allow_other, ...) and\n"
		"                       db=,region=,host=,trail_days=,trail_reads,\n"
		"                       trail_group=,account=,trail_data=,\n"
		"                       trail_log_group=,trail_archive=,\n"
		"                       trail_insights,insights_baseline=\n"
		"  -V, --version        print the version\n"
		"  -h, --help           print this help\n"
		"\n"
		"Unmount with: fusermount3 -u MOUNTPOINT\n");
}
/* clang-format on */

static int option_proc(void *data, const char *arg, int key,
		       struct fuse_args *outargs)
{
	struct monfs_options *opt = data;

	(void)outargs;
	switch (key) {
	case KEY_HELP:
		opt->show_help = 1;
		return 0;
	case KEY_VERSION:
		opt->show_version = 1;
		return 0;
	case FUSE_OPT_KEY_NONOPT:
		/* mount.fuse3 passes SOURCE MOUNTPOINT: keep the last. */
		free(opt->mountpoint);
		opt->mountpoint = strdup(arg);
		return opt->mountpoint ? 0 : -1;
	}
	return 1;
}

/* Whether s is an AWS account id: 12 digits (SPEC 14). */
static bool account_valid(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return i == 12;
}

/*
 * --trail-data (and --trail-reads, its `all`) into m->trail_data: 0, or
 * -1 with a message for a value that is none of none, write, all.
 */
static const char *const TRAIL_DATA_LEVELS[] = {
	[TRAIL_DATA_NONE] = "none",
	[TRAIL_DATA_WRITE] = "write",
	[TRAIL_DATA_ALL] = "all",
};

static int trail_data_parse(struct monfs *m)
{
	static const char *const *const LEVELS = TRAIL_DATA_LEVELS;
	const size_t nlevels = sizeof(TRAIL_DATA_LEVELS) / sizeof(*LEVELS);
	size_t i;

	m->trail_data = m->opt.trail_reads ? TRAIL_DATA_ALL : TRAIL_DATA_NONE;
	if (!m->opt.trail_data)
		return 0;
	for (i = 0; i < nlevels; i++)
		if (!strcmp(m->opt.trail_data, LEVELS[i]))
			break;
	if (i == nlevels || (m->opt.trail_reads && i != TRAIL_DATA_ALL)) {
		fprintf(stderr,
			"monfs: --trail-data %s: give none, write or all "
			"(--trail-reads is all)\n",
			m->opt.trail_data);
		return -1;
	}
	m->trail_data = (enum trail_data)i;
	return 0;
}

/* --trail-log-group: a log group's name (SPEC 2), its leading '/' dropped. */
static int trail_log_group_check(struct monfs *m)
{
	char *g = m->opt.trail_log_group;
	struct err err = {""};

	if (!g)
		return 0;
	while (*g == '/')
		memmove(g, g + 1, strlen(g));
	if (!*g || parse_levels(g, strlen(g), SIZE_MAX, &err)) {
		fprintf(stderr, "monfs: --trail-log-group %s: %s\n",
			m->opt.trail_log_group,
			err.msg[0] ? err.msg : "not a log group's name");
		return -1;
	}
	return 0;
}

/*
 * The store-wide options, settled with the fleet's (SPEC 17): the first
 * daemon on a PostgreSQL database fixes them. 0 or -errno with err.
 */
static int settle_options(const struct monfs *m, struct store *st,
			  struct err *err)
{
	char days[16], baseline[16];

	snprintf(days, sizeof(days), "%u", m->opt.trail_days);
	snprintf(baseline, sizeof(baseline), "%u", m->opt.insights_baseline);
	const struct store_setting set[] = {
		{"trail-days", days},
		{"trail-data", TRAIL_DATA_LEVELS[m->trail_data]},
		{"trail-group", m->opt.trail_group ? m->opt.trail_group : ""},
		{"account", m->opt.account ? m->opt.account : ""},
		{"trail-log-group",
		 m->opt.trail_log_group ? m->opt.trail_log_group : ""},
		{"trail-archive", m->opt.trail_archive ? "on" : ""},
		{"trail-insights", m->opt.trail_insights ? "on" : ""},
		{"insights-baseline", baseline},
	};

	return store_fleet_settle(st, set, sizeof(set) / sizeof(*set), err);
}

/* mkdir -p for the default database's directory. */
static void make_parents(const char *file)
{
	char dir[PATH_MAX];
	char *p;

	snprintf(dir, sizeof(dir), "%s", file);
	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(dir, 0755);
		*p = '/';
	}
}

/*
 * The database path, absolute (the daemon chdirs to / when it forks).
 * A malloc'ed string, or NULL with a message printed.
 */
static char *database_path(const char *given)
{
	const char *env = getenv("MONFS_DB");
	char cwd[PATH_MAX], *path = NULL;
	int n;

	if (!given && env && *env)
		given = env;
	if (!given) {
		const char *home = getenv("HOME");
		struct passwd *pw;

		if (getuid() == 0) {
			path = strdup("/var/lib/monfs/monfs.db");
		} else {
			if (!home && (pw = getpwuid(getuid())))
				home = pw->pw_dir;
			if (!home) {
				fprintf(stderr, "monfs: no home directory; "
						"give --db FILE\n");
				return NULL;
			}
			n = asprintf(&path, "%s/.local/share/monfs/monfs.db",
				     home);
			if (n < 0)
				path = NULL;
		}
		if (path)
			make_parents(path);
		return path;
	}
	if (given[0] == '/')
		return strdup(given);
	if (!getcwd(cwd, sizeof(cwd))) {
		perror("monfs: getcwd");
		return NULL;
	}
	if (asprintf(&path, "%s/%s", cwd, given) < 0)
		return NULL;
	return path;
}

/*
 * Take the exclusive lock on DB.lock, or say which process holds it.
 * Returns the locked descriptor or -1.
 */
static int lock_database(const char *db)
{
	char lock_path[PATH_MAX], holder[32] = "";
	ssize_t n;
	int fd;

	snprintf(lock_path, sizeof(lock_path), "%s.lock", db);
	fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "monfs: cannot open %s: %s\n", lock_path,
			strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return fd;
	n = pread(fd, holder, sizeof(holder) - 1, 0);
	holder[n > 0 ? n : 0] = '\0';
	holder[strcspn(holder, "\n")] = '\0';
	fprintf(stderr, "monfs: database %s is in use by process %s\n", db,
		*holder ? holder : "(unknown)");
	close(fd);
	return -1;
}

/*
 * Undo the octal escapes (\040 for a blank, ...) with which the kernel
 * writes a path into /proc/self/mountinfo, in place.
 */
static void mountinfo_unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 |
					(s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

/*
 * Whether something (monfs or any other filesystem, a dead FUSE mount
 * included) is mounted on dir: libfuse would stack on it silently (SPEC
 * 1 refuses). Judged by /proc/self/mountinfo, whose fifth field is the
 * mount point; a missing mountinfo judges nothing.
 */
static bool mounted_on(const char *dir)
{
	char want[PATH_MAX], *line = NULL, *field;
	size_t cap = 0;
	bool found = false;
	FILE *f;
	int i;

	if (!realpath(dir, want))
		return errno == ENOTCONN; /* a dead FUSE mount */
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return false;
	while (!found && getline(&line, &cap, f) > 0) {
		field = strtok(line, " ");
		for (i = 1; field && i < 5; i++)
			field = strtok(NULL, " ");
		if (!field)
			continue;
		mountinfo_unescape(field);
		found = strcmp(field, want) == 0;
	}
	free(line);
	fclose(f);
	return found;
}

static void write_pid(int fd)
{
	char pid[32];
	int n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());

	if (ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)n, 0) < 0)
		return; /* the pid is a courtesy to the next starter */
}

/*
 * The store's periodic work: retention, archive delivery, the trail's
 * log group and Insights, filters' minutes, the disk's room.
 */
static void sweep(struct store *st)
{
	store_sweep(st, store_now_ms());
	store_logs_sweep(st, store_now_ms());
	store_trail_archive_deliver(st, store_now_ms(), false);
	store_trail_sweep(st, store_now_ms());
	store_trail_logs_sweep(st);
	store_trail_insights_tick(st, store_now_ms());
	store_filters_sweep(st, store_now_ms());
	store_space_sweep(st);
}

static void *sweeper_main(void *data)
{
	struct monfs *m = data;
	struct timespec deadline;

	pthread_mutex_lock(&m->stop_lock);
	while (!m->stopping) {
		pthread_mutex_unlock(&m->stop_lock);
		if (store_leads(m->store)) /* once for a fleet (SPEC 17) */
			sweep(m->store);
		pthread_mutex_lock(&m->stop_lock);
		clock_gettime(CLOCK_REALTIME, &deadline);
		deadline.tv_sec += SWEEP_INTERVAL_S;
		while (!m->stopping &&
		       pthread_cond_timedwait(&m->stop_cond, &m->stop_lock,
					      &deadline) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&m->stop_lock);
	return NULL;
}

/* init: open the store, start the threads (after any fork). */
static void *monfs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	struct monfs *m = fuse_get_context()->private_data;
	struct err err = {""};

	(void)conn;
	/*
	 * No caching of entries or attributes: sizes and existence change
	 * under the kernel (other writers, tail -f polling st_size), and
	 * every lookup must reach monfs so it can judge it.
	 */
	cfg->entry_timeout = 0;
	cfg->attr_timeout = 0;
	cfg->negative_timeout = 0;
	cfg->hard_remove = 1;
	cfg->nullpath_ok = 1;
	cfg->use_ino = 0;

	write_pid(m->lock_fd);
	if (store_open_config(m->opt.db,
			      &(struct trail_config){
				      m->opt.region, m->opt.host,
				      m->opt.trail_days, m->opt.account,
				      m->trail_data, m->opt.trail_log_group,
				      m->trail_group ? m->trail_gid : getgid(),
				      m->trail_group ? 0750 : 0755},
			      &m->store, &err) ||
	    settle_options(m, m->store, &err)) {
		fprintf(stderr, "monfs: %s\n", err.msg);
		exit(1);
	}
	if (store_trail_logs_sweep(m->store))
		fprintf(stderr,
			"monfs: --trail-log-group %s: cannot make its stream; "
			"tried again every %d s\n",
			m->opt.trail_log_group, SWEEP_INTERVAL_S);
	store_trail_insights_configure(m->store, m->opt.trail_insights,
				       m->opt.insights_baseline);
	/* Rules on default receive what the trail's readers may read. */
	store_rules_set_trail_attr(
		m->store,
		&(struct node_attr){getuid(),
				    m->trail_group ? m->trail_gid : getgid(),
				    m->trail_group ? 0640 : 0644, 0, 0});
	if (m->opt.trail_archive &&
	    store_trail_archive_configure(m->store, m->opt.db,
					  m->opt.trail_archive, &err)) {
		fprintf(stderr, "monfs: %s\n", err.msg);
		exit(1);
	}
	m->mounted_ms = store_now_ms();
	/* Alarms are evaluated again at start, not reset (SPEC 5). */
	if (evaluator_start(m->store))
		fprintf(stderr, "monfs: cannot start the alarm evaluator\n");
	if (pthread_create(&m->sweeper, NULL, sweeper_main, m) == 0)
		m->sweeper_started = true;
	return m;
}

/* destroy: stop the threads, end open files, close the store. */
static void monfs_destroy(void *data)
{
	struct monfs *m = data;

	pthread_mutex_lock(&m->stop_lock);
	m->stopping = true;
	pthread_cond_signal(&m->stop_cond);
	pthread_mutex_unlock(&m->stop_lock);
	if (m->sweeper_started)
		pthread_join(m->sweeper, NULL);
	evaluator_stop();
	/* Files still open at unmount: their data events are recorded now. */
	handle_free_all(file_end);
	/* At unmount, every record goes to the archive, and a digest. */
	store_trail_archive_deliver(m->store, store_now_ms(), true);
	store_close(m->store);
	m->store = NULL;
}

int main(int argc, char *argv[])
{
	struct fuse_operations ops;
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct monfs m = {0};
	struct store *probe;
	struct err err = {""};
	char *db = NULL;
	int rc = 1;

	/* A subcommand, not a mount: `monfs verify DIR` (SPEC 14). */
	if (argc > 1 && !strcmp(argv[1], "verify"))
		return verify_main(argc - 1, argv + 1);
	m.opt.trail_days = DEFAULT_TRAIL_DAYS;
	m.opt.insights_baseline = DEFAULT_INSIGHTS_BASELINE_MIN;
	m.lock_fd = -1;
	pthread_mutex_init(&m.stop_lock, NULL);
	pthread_cond_init(&m.stop_cond, NULL);
	if (fuse_opt_parse(&args, &m.opt, OPTIONS, option_proc) == -1)
		goto out;
	if (m.opt.show_help) {
		usage(stdout);
		rc = 0;
		goto out;
	}
	if (m.opt.show_version) {
		printf("monfs %s (libfuse %s, %s)\n", MONFS_VERSION,
		       fuse_pkgversion(), store_backend());
		rc = 0;
		goto out;
	}
	if (!m.opt.mountpoint) {
		usage(stderr);
		goto out;
	}
	if (mounted_on(m.opt.mountpoint)) {
		fprintf(stderr,
			"monfs: %s is already a mount point; unmount it first "
			"(fusermount3 -u %s)\n",
			m.opt.mountpoint, m.opt.mountpoint);
		goto out;
	}
	if (m.opt.trail_days == 0) {
		fprintf(stderr, "monfs: --trail-days must be at least 1\n");
		goto out;
	}
	if (trail_data_parse(&m) || trail_log_group_check(&m))
		goto out;
	if (m.opt.insights_baseline == 0) {
		fprintf(stderr, "monfs: --insights-baseline must be at least 1 "
				"minute\n");
		goto out;
	}
	if (m.opt.account && !account_valid(m.opt.account)) {
		fprintf(stderr,
			"monfs: --account %s: an account is 12 digits, such as"
			" 123456789012\n",
			m.opt.account);
		goto out;
	}
	if (m.opt.trail_group) {
		struct group *g = getgrnam(m.opt.trail_group);

		if (!g) {
			fprintf(stderr, "monfs: no group %s\n",
				m.opt.trail_group);
			goto out;
		}
		m.trail_group = true;
		m.trail_gid = g->gr_gid;
	}
	/*
	 * A sqlite file is one daemon's (its lock file); a PostgreSQL
	 * database is a fleet's, as many daemons as mount it (SPEC 17).
	 */
	if (store_db_is_postgres(m.opt.db) ||
	    (!m.opt.db && store_db_is_postgres(getenv("MONFS_DB")))) {
		db = strdup(m.opt.db ? m.opt.db : getenv("MONFS_DB"));
	} else {
		db = database_path(m.opt.db);
		if (db) {
			m.lock_fd = lock_database(db);
			if (m.lock_fd < 0) {
				free(db);
				goto out;
			}
		}
	}
	if (!db)
		goto out;
	free(m.opt.db);
	m.opt.db = db;
	if (store_open(db, &probe, &err)) {
		fprintf(stderr, "monfs: %s\n", err.msg);
		goto out;
	}
	if (settle_options(&m, probe, &err)) {
		fprintf(stderr, "monfs: %s\n", err.msg);
		store_close(probe);
		goto out;
	}
	store_close(probe);
	/*
	 * --trail-archive: the signing key loads (or is made) now, so that
	 * a corrupted key refuses the start; DIR made absolute, as the
	 * daemon chdirs to / (DIR itself may appear later).
	 */
	if (m.opt.trail_archive) {
		char *abs = NULL;

		if (!m.opt.trail_archive[0]) {
			fprintf(stderr, "monfs: --trail-archive needs a "
					"directory\n");
			goto out;
		}
		if (store_trail_archive_check(db, m.opt.region, &err)) {
			fprintf(stderr, "monfs: %s\n", err.msg);
			goto out;
		}
		if (m.opt.trail_archive[0] != '/') {
			char cwd[PATH_MAX];

			if (!getcwd(cwd, sizeof(cwd)) ||
			    asprintf(&abs, "%s/%s", cwd, m.opt.trail_archive) <
				    0)
				goto out;
			free(m.opt.trail_archive);
			m.opt.trail_archive = abs;
		}
	}
	/*
	 * libfuse 3.14's fuse_main warns about an unset max_idle_threads
	 * (libfuse issue #1003); setting it first silences that, and a
	 * user's own -o max_idle_threads= still wins, coming later.
	 */
	if (fuse_opt_insert_arg(&args, 1, "-omax_idle_threads=10") == -1 ||
	    fuse_opt_add_arg(&args, m.opt.mountpoint) == -1)
		goto out;
	ops = monfs_operations;
	ops.init = monfs_init;
	ops.destroy = monfs_destroy;
	rc = fuse_main(args.argc, args.argv, &ops, &m);
out:
	if (m.lock_fd >= 0)
		close(m.lock_fd);
	fuse_opt_free_args(&args);
	free(m.opt.mountpoint);
	free(m.opt.db);
	free(m.opt.region);
	free(m.opt.host);
	free(m.opt.trail_group);
	free(m.opt.account);
	free(m.opt.trail_data);
	free(m.opt.trail_log_group);
	free(m.opt.trail_archive);
	pthread_mutex_destroy(&m.stop_lock);
	pthread_cond_destroy(&m.stop_cond);
	return rc;
}
