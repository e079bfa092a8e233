/*
 * The backlog: writes acknowledged but not yet in the database survive a
 * crash of the daemon, are taken exactly once, and a torn tail is not
 * taken at all. A crash is a child process that writes and _exits
 * without closing anything, as kill -9 leaves a store.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/timeutil.h"
#include "store/store.h"
#include "tests/support/tmpstore.h"

static struct tmpstore fixture;
static const struct caller bob = {
	.uid = 1001, .gid = 1001, .pid = 7, .user = "bob", .process = "test"};

static void make_dir(void)
{
	tmpstore_dir(&fixture, "backlog");
}

static void remove_dir(void)
{
	tmpstore_remove(&fixture);
}

TestSuite(backlog, .init = make_dir, .fini = remove_dir);

static int add_count(void *ctx, int64_t start_ms, const struct summary *s)
{
	(void)start_ms;
	*(uint64_t *)ctx += s->count;
	return 0;
}

/* Points in metric W/m over the last two hours. */
static uint64_t points_of(struct store *st)
{
	struct stats_query q = {.period_s = 3600};
	struct metric_info m;
	uint64_t total = 0;
	int64_t now = store_now_ms();

	cr_assert_eq(store_metric_get(st, "W", "m", &m), 0);
	q.since_ms = (now / MS_PER_HOUR - 2) * MS_PER_HOUR;
	q.until_ms = now + 1000;
	q.now_ms = now;
	cr_assert_eq(store_metric_stats(st, m.id, &q, add_count, &total), 0);
	return total;
}

/*
 * In a child: make W/m and app/s, write points one per write and lines,
 * with a read of the metric (which takes what waits) after the first
 * `before` points, and die without closing anything.
 */
static void crash_after_writes(int points, int before, int lines)
{
	pid_t pid = fork();
	int status;

	cr_assert_neq(pid, -1);
	if (pid == 0) {
		struct data_session *m, *l;
		struct metric_info mi;
		struct stream_info si;
		struct err err = {""};
		struct store *st;
		char line[64];
		int i, n;

		/* Writes are data events with --trail-data write (SPEC 14). */
		if (store_open(fixture.path, &st, &err) ||
		    store_trail_configure(
			    st,
			    &(struct trail_config){.data = TRAIL_DATA_WRITE}) ||
		    store_dir_create(st, TREE_NAMESPACES, "W", 0755, &bob,
				     &err) ||
		    store_metric_create(st, "W", "m", 0644, &bob, &mi, &err) ||
		    store_dir_create(st, TREE_LOG_GROUPS, "app", 0755, &bob,
				     &err) ||
		    store_stream_create(st, "app", "s", 0644, &bob, &si, &err))
			_exit(2);
		m = store_data_open(DATA_METRIC, mi.id, "W", "m", &bob);
		l = store_data_open(DATA_STREAM, si.id, "app", "s", &bob);
		for (i = 0; i < points; i++) {
			n = snprintf(line, sizeof(line), "%d\n", i);
			if (store_data_put(st, m, line, (size_t)n,
					   store_now_ms(), &err))
				_exit(3);
			if (i + 1 == before &&
			    points_of(st) != (uint64_t)before)
				_exit(4);
		}
		for (i = 0; i < lines; i++) {
			n = snprintf(line, sizeof(line), "line %d\n", i);
			if (store_data_put(st, l, line, (size_t)n,
					   store_now_ms(), &err))
				_exit(5);
		}
		_exit(0); /* no close: what kill -9 leaves */
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "the child failed with %d", WEXITSTATUS(status));
}

/* The whole stream app/s as text. */
static char *stream_text(struct store *st, int *len)
{
	struct stream_info si;
	char *buf;

	cr_assert_eq(store_stream_get(st, "app", "s", &si), 0);
	buf = calloc(1, (size_t)(si.end - si.start) + 1);
	cr_assert_not_null(buf);
	*len = store_stream_read(st, si.id, 0, buf,
				 (size_t)(si.end - si.start));
	return buf;
}

/* A store opened on fixture.path, holding stream app/s (in *si). */
static struct store *open_with_stream(struct stream_info *si)
{
	struct err err = {""};
	struct store *st;

	cr_assert_eq(store_open(fixture.path, &st, &err), 0, "%s", err.msg);
	cr_assert_eq(
		store_dir_create(st, TREE_LOG_GROUPS, "app", 0755, &bob, &err),
		0);
	cr_assert_eq(store_stream_create(st, "app", "s", 0644, &bob, si, &err),
		     0);
	return st;
}

Test(backlog, writes_acknowledged_before_a_crash_are_there_after_it)
{
	struct err err = {""};
	struct store *st;
	char *text, expect[64];
	int len;

	crash_after_writes(300, 0, 50);
	cr_assert_eq(store_open(fixture.path, &st, &err), 0, "%s", err.msg);
	cr_assert_eq(points_of(st), 300);
	text = stream_text(st, &len);
	cr_assert_gt(len, 0);
	cr_assert(strncmp(text, "line 0\nline 1\n", 14) == 0, "%.40s", text);
	snprintf(expect, sizeof(expect), "line 49\n");
	cr_assert_eq(strcmp(text + len - (int)strlen(expect), expect), 0);
	free(text);
	store_close(st);
}

Test(backlog, a_write_the_database_took_before_the_crash_is_taken_once)
{
	struct err err = {""};
	struct store *st;

	crash_after_writes(200, 120, 0);
	cr_assert_eq(store_open(fixture.path, &st, &err), 0, "%s", err.msg);
	cr_assert_eq(points_of(st), 200);
	store_close(st);
	/* And again: the replay emptied the backlog. */
	cr_assert_eq(store_open(fixture.path, &st, &err), 0, "%s", err.msg);
	cr_assert_eq(points_of(st), 200);
	store_close(st);
}

Test(backlog, a_torn_record_at_the_tail_is_not_taken)
{
	struct err err = {""};
	struct store *st;
	char cmd[1024];

	crash_after_writes(10, 0, 0);
	/* An append cut short: a frame's worth of garbage at the end. */
	snprintf(cmd, sizeof(cmd),
		 "head -c 24 /dev/urandom >> %s.backlog && head -c 7 "
		 "/dev/zero >> %s.backlog",
		 fixture.path, fixture.path);
	cr_assert_eq(system(cmd), 0);
	cr_assert_eq(store_open(fixture.path, &st, &err), 0, "%s", err.msg);
	cr_assert_eq(points_of(st), 10);
	store_close(st);
}

Test(backlog, the_data_events_a_crash_left_reach_the_trail)
{
	int64_t day = store_now_ms() / MS_PER_DAY;
	struct err err = {""};
	struct trail_day d;
	struct store *st;
	char *buf;
	int n;

	crash_after_writes(5, 0, 3);
	cr_assert_eq(store_open_config(
			     fixture.path,
			     &(struct trail_config){.data = TRAIL_DATA_WRITE},
			     &st, &err),
		     0, "%s", err.msg);
	cr_assert_eq(store_trail_day(st, day, &d), 0);
	buf = calloc(1, (size_t)d.size + 1);
	cr_assert_not_null(buf);
	n = store_trail_read(st, day, 0, buf, (size_t)d.size);
	cr_assert_gt(n, 0);
	cr_assert(strstr(buf, "\"datapoints\":5,") != NULL, "%s", buf);
	cr_assert(strstr(buf, "\"events\":3,") != NULL, "%s", buf);
	free(buf);
	store_close(st);
}

/*
 * Two files open on one stream, writing in turn while nothing takes the
 * writes into the database, and a third opened meanwhile: every line
 * lands after the last, none over another.
 */
Test(backlog, sessions_writing_one_stream_in_turn_never_overlap)
{
	struct data_session *a, *b, *c = NULL;
	struct stream_info si;
	struct err err = {""};
	struct store *st;
	char *text, want[4096];
	size_t at = 0;
	int len, i;

	st = open_with_stream(&si);
	a = store_data_open(DATA_STREAM, si.id, "app", "s", &bob);
	b = store_data_open(DATA_STREAM, si.id, "app", "s", &bob);
	for (i = 0; i < 40; i++) {
		char line[32];
		int n = snprintf(line, sizeof(line), "%c%d\n", "abc"[i % 3], i);

		if (i == 20) /* a newcomer, while writes wait */
			c = store_data_open(DATA_STREAM, si.id, "app", "s",
					    &bob);
		cr_assert_eq(store_data_put(st,
					    i % 3 == 0	 ? a
					    : i % 3 == 1 ? b
					    : i < 20	 ? a
							 : c,
					    line, (size_t)n, store_now_ms(),
					    &err),
			     0, "%s", err.msg);
		memcpy(want + at, line, (size_t)n);
		at += (size_t)n;
	}
	want[at] = '\0';
	cr_assert_eq(store_data_close(st, a), 0);
	cr_assert_eq(store_data_close(st, b), 0);
	cr_assert_eq(store_data_close(st, c), 0);
	text = stream_text(st, &len);
	cr_assert_eq((size_t)len, at);
	cr_assert_str_eq(text, want);
	free(text);
	store_close(st);
}

/* Rows of table in the database, read beside the open store. */
/*
 * The chunks of users' streams: the buses' (streams of the group named
 * "", store/buses.c) get the events monfs emits for the trail.
 */
#define USER_CHUNKS                                                            \
	"log_chunks WHERE stream_id NOT IN (SELECT s.id FROM log_streams s"    \
	" JOIN log_groups g ON g.id = s.group_id WHERE length(g.name) = 0)"

static long long rows_of(const char *table)
{
	char cmd[512];
	long long n = -1;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "sqlite3 %s 'SELECT count(*) FROM %s'",
		 fixture.path, table);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	cr_assert_eq(fscanf(p, "%lld", &n), 1);
	pclose(p);
	return n;
}

/*
 * A stat (tail -f's fstat, ls -l) sees the size and mtime that waiting
 * writes give, without making the database take them; a read does take
 * them.
 */
Test(backlog, a_stat_sees_waiting_writes_and_a_read_takes_them)
{
	struct data_session *ds;
	struct stream_info si, seen;
	struct err err = {""};
	struct store *st;
	int64_t now = store_now_ms() + 5000;
	char buf[16];

	st = open_with_stream(&si);
	ds = store_data_open(DATA_STREAM, si.id, "app", "s", &bob);
	cr_assert_eq(store_data_put(st, ds, "one\ntwo\n", 8, now, &err), 0);
	cr_assert_eq(store_stream_stat(st, si.id, &seen), 0);
	cr_assert_eq(seen.end - seen.start, 8);
	cr_assert_eq(seen.attr.mtime_ms, now);
	cr_assert_eq(store_stream_get(st, "app", "s", &seen), 0);
	cr_assert_eq(seen.end - seen.start, 8);
	cr_assert_eq(rows_of(USER_CHUNKS), 0, "the stat took the write");
	cr_assert_eq(store_stream_read(st, si.id, 0, buf, sizeof(buf)), 8);
	cr_assert_eq(rows_of(USER_CHUNKS), 1, "the read did not take it");
	cr_assert_eq(store_data_close(st, ds), 0);
	store_close(st);
}

/*
 * A line per open, write and close (`echo line >> stream` in a loop):
 * each close waits with the writes, and the next file's line still
 * lands after the last.
 */
Test(backlog, one_line_per_open_and_close_lands_after_the_last)
{
	struct stream_info si;
	struct err err = {""};
	struct store *st;
	char *text, want[4096];
	size_t at = 0;
	int len, i;

	st = open_with_stream(&si);
	for (i = 0; i < 30; i++) {
		struct data_session *ds =
			store_data_open(DATA_STREAM, si.id, "app", "s", &bob);
		char line[32];
		int n = snprintf(line, sizeof(line), "line %d\n", i);

		cr_assert_eq(store_data_put(st, ds, line, (size_t)n,
					    store_now_ms(), &err),
			     0, "%s", err.msg);
		cr_assert_eq(store_data_close(st, ds), 0);
		memcpy(want + at, line, (size_t)n);
		at += (size_t)n;
	}
	want[at] = '\0';
	text = stream_text(st, &len);
	cr_assert_eq((size_t)len, at);
	cr_assert_str_eq(text, want);
	free(text);
	store_close(st);
}

/*
 * A file held open while the backlog grows past the size at which a
 * drain empties it: the session's record went with it, so the next
 * write must record the session again, or a crash leaves writes whose
 * session the replay cannot find (the crash loop once hit this).
 */
Test(backlog, a_session_open_across_a_backlog_reset_survives_a_crash)
{
	enum { WRITES = 40, POINTS = 10000 };
	struct err err = {""};
	struct store *st;
	pid_t pid = fork();
	int status;

	cr_assert_neq(pid, -1);
	if (pid == 0) {
		struct data_session *m;
		struct metric_info mi;
		size_t len = 0;
		char *buf = malloc(POINTS * 8);
		int i;

		if (!buf || store_open(fixture.path, &st, &err) ||
		    store_dir_create(st, TREE_NAMESPACES, "W", 0755, &bob,
				     &err) ||
		    store_metric_create(st, "W", "m", 0644, &bob, &mi, &err))
			_exit(2);
		for (i = 0; i < POINTS; i++)
			len += (size_t)sprintf(buf + len, "%d\n", i % 1000);
		m = store_data_open(DATA_METRIC, mi.id, "W", "m", &bob);
		/* Each record ~160 KB: the backlog passes 4 MiB and is emptied.
		 */
		for (i = 0; i < WRITES; i++)
			if (store_data_put(st, m, buf, len, store_now_ms(),
					   &err))
				_exit(3);
		_exit(0); /* no close: what kill -9 leaves */
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "the child failed with %d", WEXITSTATUS(status));
	cr_assert_eq(store_open(fixture.path, &st, &err), 0, "%s", err.msg);
	cr_assert_eq(points_of(st), (uint64_t)WRITES * POINTS);
	store_close(st);
}
