/*
 * Log streams in the store: appends, reads by offset, scans, retention.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/timeutil.h"
#include "store/store.h"
#include "tests/support/tmpstore.h"

static struct tmpstore fixture;
static struct store *st;
static const struct caller bob = {
	.uid = 1001, .gid = 1001, .pid = 7, .user = "bob", .process = "test"};

static void open_store(void)
{
	tmpstore_open(&fixture, "logs", &st);
}

static void close_store(void)
{
	tmpstore_close(&fixture, st);
}

TestSuite(logs, .init = open_store, .fini = close_store);

static int64_t make_stream(const char *group, const char *name)
{
	struct stream_info s;
	struct err err = {""};

	if (store_dir_get(st, TREE_LOG_GROUPS, group, NULL) != 0)
		cr_assert_eq(store_dir_create(st, TREE_LOG_GROUPS, group, 0755,
					      &bob, &err),
			     0, "%s", err.msg);
	cr_assert_eq(store_stream_create(st, group, name, 0644, &bob, &s, &err),
		     0, "%s", err.msg);
	return s.id;
}

static void append(int64_t id, const char *text, int64_t ts)
{
	struct err err = {""};

	cr_assert_eq(store_stream_append(st, id, text, strlen(text), ts, &err),
		     0, "%s", err.msg);
}

static int64_t size_of(const char *group, const char *name)
{
	struct stream_info s;

	cr_assert_eq(store_stream_get(st, group, name, &s), 0);
	return s.end - s.start;
}

Test(logs, reads_at_any_offset_cross_write_boundaries)
{
	int64_t id = make_stream("app", "web");
	const char *all = "one\ntwo\nthree\nfour\n";
	char buf[64];
	int64_t off;
	int n;

	append(id, "one\n", 1000);
	append(id, "two\nthree\n", 2000);
	append(id, "four\n", 3000);
	cr_assert_eq(size_of("app", "web"), (int64_t)strlen(all));
	for (off = 0; off <= (int64_t)strlen(all); off++) {
		size_t want = strlen(all) - (size_t)off;
		size_t size;

		for (size = 1; size <= want + 2; size++) {
			n = store_stream_read(st, id, off, buf, size);
			cr_assert_eq(n, (int)(size < want ? size : want),
				     "offset %lld size %zu", (long long)off,
				     size);
			cr_assert_eq(memcmp(buf, all + off, (size_t)n), 0);
		}
	}
	cr_assert_eq(store_stream_read(st, id, 1000, buf, 10), 0);
}

Test(logs, bytes_are_kept_as_written)
{
	int64_t id = make_stream("app", "raw");
	const char raw[] = "\xff\xfe\r\t\x01 \xc3\x28\n";
	char buf[32];
	struct err err = {""};

	cr_assert_eq(store_stream_append(st, id, raw, sizeof(raw) - 1, 1, &err),
		     0);
	cr_assert_eq(store_stream_read(st, id, 0, buf, sizeof(buf)),
		     (int)sizeof(raw) - 1);
	cr_assert_eq(memcmp(buf, raw, sizeof(raw) - 1), 0);
}

Test(logs, a_line_over_256_kib_stores_nothing_of_its_write)
{
	int64_t id = make_stream("app", "long");
	size_t n = LOG_LINE_MAX + 2;
	char *text = malloc(n + 10);
	struct err err = {""};

	cr_assert_not_null(text);
	memcpy(text, "ok\n", 3);
	memset(text + 3, 'x', n - 1);
	text[n + 2] = '\n';
	cr_assert_eq(store_stream_append(st, id, text, n + 3, 1, &err),
		     -EMSGSIZE);
	cr_assert(strstr(err.msg, "262144") != NULL, "%s", err.msg);
	cr_assert_eq(size_of("app", "long"), 0);
	/* Exactly the limit is fine. */
	memset(text, 'y', LOG_LINE_MAX);
	text[LOG_LINE_MAX] = '\n';
	cr_assert_eq(
		store_stream_append(st, id, text, LOG_LINE_MAX + 1, 1, &err),
		0);
	cr_assert_eq(size_of("app", "long"), LOG_LINE_MAX + 1);
	free(text);
}

Test(logs, a_deleted_stream_refuses_appends_and_reads_fail_not_end)
{
	int64_t id = make_stream("app", "gone");
	struct err err = {""};
	char buf[8];

	append(id, "a\n", 1);
	cr_assert_eq(store_file_delete(st, TREE_LOG_GROUPS, "app", "gone", &bob,
				       &err),
		     0);
	cr_assert_eq(store_stream_append(st, id, "b\n", 2, 2, &err), -ENOENT);
	/* Nobody held it: its bytes are gone, and a read says so. */
	cr_assert_eq(store_stream_read(st, id, 0, buf, sizeof(buf)), -ENOENT);
	cr_assert_eq(store_stream_hold(st, id), -ENOENT);
	cr_assert_eq(store_file_delete(st, TREE_LOG_GROUPS, "app", "gone", &bob,
				       &err),
		     -ENOENT);
}

/* The number of rows of a table, by a query of the test's own. */
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

	snprintf(cmd, sizeof(cmd), "sqlite3 %s/t.db 'SELECT count(*) FROM %s'",
		 fixture.dir, table);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	cr_assert_eq(fscanf(p, "%lld", &n), 1);
	pclose(p);
	return n;
}

/* Whether the database holds a table of that name. */
static bool table_exists(const char *name)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 "sqlite3 %s/t.db \"SELECT name FROM sqlite_master"
		 " WHERE name = '%s'\" | grep -q .",
		 fixture.dir, name);
	return system(cmd) == 0;
}

Test(logs, a_stream_removed_while_held_stays_whole_until_released)
{
	int64_t id = make_stream("app", "held");
	struct stream_info s;
	struct err err = {""};
	char buf[64];

	append(id, "one\n", 1);
	append(id, "two\n", 2);
	cr_assert_eq(store_stream_hold(st, id), 0);
	cr_assert_eq(store_stream_hold(st, id), 0);
	cr_assert_eq(store_file_delete(st, TREE_LOG_GROUPS, "app", "held", &bob,
				       &err),
		     0);
	/* Gone from its group: no lookup, no listing, no append, no hold. */
	cr_assert_eq(store_stream_get(st, "app", "held", &s), -ENOENT);
	cr_assert_eq(store_stream_append(st, id, "three\n", 6, 3, &err),
		     -ENOENT);
	cr_assert_eq(store_stream_hold(st, id), -ENOENT);
	/* The readers still read it all, and its size. */
	cr_assert_eq(store_stream_read(st, id, 0, buf, sizeof(buf)), 8);
	cr_assert_eq(memcmp(buf, "one\ntwo\n", 8), 0);
	cr_assert_eq(store_stream_read(st, id, 4, buf, sizeof(buf)), 4);
	cr_assert_eq(store_stream_stat(st, id, &s), 0);
	cr_assert_eq(s.end - s.start, 8);
	cr_assert(s.removed);
	/* A new stream of the name is another stream. */
	cr_assert_neq(make_stream("app", "held"), id);
	cr_assert_eq(size_of("app", "held"), 0);
	/* The sweep leaves it to its readers; the last release reaps it. */
	cr_assert_eq(store_logs_sweep(st, store_now_ms()), 0);
	cr_assert_eq(store_stream_read(st, id, 0, buf, sizeof(buf)), 8);
	cr_assert_eq(store_stream_release(st, id), 0);
	cr_assert_eq(store_stream_read(st, id, 0, buf, sizeof(buf)), 8);
	cr_assert_eq(store_stream_release(st, id), 0);
	cr_assert_eq(store_stream_read(st, id, 0, buf, sizeof(buf)), -ENOENT);
	cr_assert_eq(store_stream_stat(st, id, &s), -ENOENT);
	cr_assert_eq(rows_of("log_streams WHERE group_id IS NULL"), 0);
	cr_assert_eq(rows_of(USER_CHUNKS), 0);
}

Test(logs, a_removed_group_leaves_its_held_stream_to_its_reader)
{
	int64_t id = make_stream("grp", "s");
	struct err err = {""};
	char buf[16];

	append(id, "kept\n", 1);
	cr_assert_eq(store_stream_hold(st, id), 0);
	cr_assert_eq(
		store_file_delete(st, TREE_LOG_GROUPS, "grp", "s", &bob, &err),
		0);
	/* rm -r: the group is empty now, and goes; the name is free. */
	cr_assert_eq(store_dir_delete(st, TREE_LOG_GROUPS, "grp", &bob, &err),
		     0, "%s", err.msg);
	cr_assert_eq(
		store_dir_create(st, TREE_LOG_GROUPS, "grp", 0755, &bob, &err),
		0);
	cr_assert_eq(store_stream_read(st, id, 0, buf, sizeof(buf)), 5);
	cr_assert_eq(store_stream_release(st, id), 0);
	cr_assert_eq(store_stream_read(st, id, 0, buf, sizeof(buf)), -ENOENT);
}

Test(logs, a_database_of_schema_6_keeps_its_streams_and_bytes_migrating)
{
	int64_t id = make_stream("old", "s");
	struct stream_info s;
	struct err err = {""};
	char cmd[4096], path[300], buf[16];

	append(id, "before\n", 1);
	store_close(st);
	/*
	 * Back to schema 6: log_streams as it made it (group_id NOT NULL),
	 * log_chunks holding each write's bytes itself (before 10), no
	 * backlog_taken (10 -> 11), and
	 * neither the directory-time triggers and top_dirs (7 -> 8) nor
	 * alarms' created_ms (8 -> 9) of the later migrations (nor the
	 * rules, dashboards, Insights and the archive of 12 -> 13 -> ... ->
	 * 16: a new migration's tables are dropped here too). No segment
	 * files: the bytes are only in the database.
	 */
	snprintf(
		cmd, sizeof(cmd),
		"rm -rf %s/t.db.logs && "
		"sqlite3 %s/t.db \"SELECT 'DROP TRIGGER ' || name || ';'"
		" FROM sqlite_master WHERE type = 'trigger'\" | sqlite3 %s/t.db"
		" && sqlite3 %s/t.db \"PRAGMA foreign_keys=OFF; BEGIN;"
		" CREATE TABLE o (id INTEGER PRIMARY KEY, group_id INTEGER"
		" NOT NULL REFERENCES log_groups(id) ON DELETE CASCADE,"
		" name TEXT NOT NULL, uid INTEGER NOT NULL, gid INTEGER NOT"
		" NULL, mode INTEGER NOT NULL, ctime_ms INTEGER NOT NULL,"
		" mtime_ms INTEGER NOT NULL, start_offset INTEGER NOT NULL"
		" DEFAULT 0, end_offset INTEGER NOT NULL DEFAULT 0,"
		" UNIQUE (group_id, name));"
		" INSERT INTO o SELECT * FROM log_streams;"
		" DROP TABLE log_streams; ALTER TABLE o RENAME TO log_streams;"
		" DROP TABLE log_chunks; CREATE TABLE log_chunks (id INTEGER"
		" PRIMARY KEY, stream_id INTEGER NOT NULL REFERENCES"
		" log_streams(id) ON DELETE CASCADE, offset INTEGER NOT NULL,"
		" len INTEGER NOT NULL, ts_ms INTEGER NOT NULL, data BLOB NOT"
		" NULL); CREATE UNIQUE INDEX log_chunks_by_offset ON"
		" log_chunks(stream_id, offset); INSERT INTO log_chunks"
		" (stream_id, offset, len, ts_ms, data) SELECT id, 0, 7, 1,"
		" CAST('before' || char(10) AS BLOB) FROM log_streams;"
		" DROP TABLE top_dirs; ALTER TABLE alarms DROP COLUMN "
		"created_ms; DROP TABLE backlog_taken;"
		" DROP TABLE rule_deliveries; DROP TABLE rules;"
		" DROP TABLE dashboards; DROP TABLE trail_insight_keys;"
		" DROP TABLE trail_insight_minutes;"
		" DROP TABLE trail_insight_attributions;"
		" DROP TABLE trail_insight_open; DROP TABLE "
		"trail_insight_state;"
		" DROP TABLE trail_archive_state; DROP TABLE "
		"trail_archive_logs;"
		" DELETE FROM schema_version WHERE version >= 7; COMMIT;\"",
		fixture.dir, fixture.dir, fixture.dir, fixture.dir);
	cr_assert_eq(system(cmd), 0);
	cr_assert_eq(rows_of(USER_CHUNKS), 1);
	cr_assert_eq(store_open(fixture.path, &st, &err), 0, "%s", err.msg);
	/* Every migration from 7 on ran, whatever the latest is. */
	cr_assert_eq(rows_of("schema_version WHERE version >= 7"),
		     rows_of("schema_version") - 6);
	/* The bytes moved to a segment, and the old table went. */
	cr_assert(table_exists("log_chunks"));
	cr_assert(!table_exists("log_chunks_legacy"));
	cr_assert_eq(rows_of(USER_CHUNKS), 1);
	cr_assert_eq(store_stream_get(st, "old", "s", &s), 0);
	cr_assert_eq(s.id, id);
	cr_assert_eq(store_stream_read(st, id, 0, buf, sizeof(buf)), 7);
	cr_assert_eq(memcmp(buf, "before\n", 7), 0);
	/* And removal now works the new way. */
	cr_assert_eq(store_stream_hold(st, id), 0);
	cr_assert_eq(
		store_file_delete(st, TREE_LOG_GROUPS, "old", "s", &bob, &err),
		0);
	cr_assert_eq(store_stream_read(st, id, 0, buf, sizeof(buf)), 7);
	cr_assert_eq(store_stream_release(st, id), 0);
	cr_assert_eq(rows_of(USER_CHUNKS), 0);
	snprintf(path, sizeof(path), "%s/t.db.logs/%lld", fixture.dir,
		 (long long)id);
	cr_assert_eq(access(path, F_OK), -1, "the stream's segments are gone");
}

Test(logs, removed_streams_a_crash_left_are_reaped_by_the_sweep)
{
	int64_t id = make_stream("app", "left");
	struct err err = {""};
	int i;

	for (i = 0; i < 300; i++)
		append(id, "a line of a stream that a crash left behind\n", i);
	cr_assert_eq(store_stream_hold(st, id), 0);
	cr_assert_eq(store_file_delete(st, TREE_LOG_GROUPS, "app", "left", &bob,
				       &err),
		     0);
	/* A crash: the hold is lost with the process. */
	store_close(st);
	cr_assert_eq(store_open(fixture.path, &st, &err), 0, "%s", err.msg);
	cr_assert_eq(rows_of(USER_CHUNKS), 300);
	cr_assert_eq(store_logs_sweep(st, store_now_ms()), 0);
	cr_assert_eq(rows_of(USER_CHUNKS), 0);
	cr_assert_eq(rows_of("log_streams WHERE group_id IS NULL OR group_id"
			     " NOT IN (SELECT id FROM log_groups"
			     " WHERE length(name) = 0)"),
		     0);
}

Test(logs, streams_and_subgroups_cannot_share_a_name)
{
	struct stream_info s;
	struct err err = {""};

	make_stream("aws", "lambda");
	cr_assert_eq(store_dir_create(st, TREE_LOG_GROUPS, "aws/lambda", 0755,
				      &bob, &err),
		     -EEXIST);
	cr_assert_eq(store_dir_create(st, TREE_LOG_GROUPS, "aws/ec2", 0755,
				      &bob, &err),
		     0);
	cr_assert_eq(
		store_stream_create(st, "aws", "ec2", 0644, &bob, &s, &err),
		-EEXIST);
	cr_assert_eq(store_dir_delete(st, TREE_LOG_GROUPS, "aws", &bob, &err),
		     -ENOTEMPTY);
}

Test(logs, a_group_name_may_be_512_bytes)
{
	char name[600];
	struct err err = {""};
	int i;

	/* Three 170-byte levels: 512 bytes with the slashes. */
	for (i = 0; i < 3; i++) {
		memset(name + i * 171, 'a' + i, 170);
		name[i * 171 + 170] = '\0';
		if (i)
			name[i * 171 - 1] = '/';
		cr_assert_eq(store_dir_create(st, TREE_LOG_GROUPS, name, 0755,
					      &bob, &err),
			     0, "%s", err.msg);
	}
	cr_assert_eq(strlen(name), 512);
	strcat(name, "/b");
	cr_assert_eq(
		store_dir_create(st, TREE_LOG_GROUPS, name, 0755, &bob, &err),
		-ENAMETOOLONG);
}

struct collected {
	char text[256];
	size_t len;
	int calls;
};

static int collect(void *ctx, int64_t ts, const char *data, size_t len)
{
	struct collected *c = ctx;

	(void)ts;
	cr_assert(c->len + len < sizeof(c->text));
	memcpy(c->text + c->len, data, len);
	c->len += len;
	c->calls++;
	return 0;
}

Test(logs, a_scan_resumes_where_it_stopped)
{
	int64_t id = make_stream("app", "scan");
	struct collected c = {"", 0, 0};
	int64_t from = 0, end;

	append(id, "a\n", 1);
	append(id, "bb\n", 2);
	append(id, "ccc\n", 3);
	end = size_of("app", "scan");
	/* One write per call, at most 1 byte each: resumable. */
	while (from < end)
		cr_assert_eq(
			store_stream_scan(st, id, &from, end, 1, collect, &c),
			0);
	cr_assert_eq(c.calls, 3);
	cr_assert_eq(c.len, 9);
	cr_assert_eq(memcmp(c.text, "a\nbb\nccc\n", 9), 0);
}

Test(logs, retention_values_are_cloudwatchs)
{
	struct err err = {""};
	int days = -1;

	make_stream("ret", "s");
	cr_assert_eq(store_group_set_retention(st, "ret", 8, &bob, &err),
		     -EINVAL);
	cr_assert_eq(store_group_set_retention(st, "ret", 7, &bob, &err), 0);
	cr_assert_eq(store_group_retention(st, "ret", &days), 0);
	cr_assert_eq(days, 7);
	cr_assert_eq(store_group_set_retention(st, "ret", 0, &bob, &err), 0);
	cr_assert_eq(store_group_retention(st, "ret", &days), 0);
	cr_assert_eq(days, 0);
	cr_assert_eq(store_group_set_retention(st, "nope", 7, &bob, &err),
		     -ENOENT);
}

Test(logs, expired_events_leave_from_the_start_and_offsets_follow)
{
	int64_t now = store_now_ms();
	int64_t id = make_stream("ret", "old");
	struct err err = {""};
	char buf[16];

	append(id, "old1\n", now - 9 * MS_PER_DAY);
	append(id, "old2\n", now - 8 * MS_PER_DAY);
	append(id, "new\n", now - 1 * MS_PER_DAY);
	cr_assert_eq(store_group_set_retention(st, "ret", 7, &bob, &err), 0);
	cr_assert_eq(store_logs_sweep(st, now), 10);
	cr_assert_eq(size_of("ret", "old"), 4);
	cr_assert_eq(store_stream_read(st, id, 0, buf, sizeof(buf)), 4);
	cr_assert_eq(memcmp(buf, "new\n", 4), 0);
	/* New appends keep going after the kept bytes. */
	append(id, "next\n", now);
	cr_assert_eq(store_stream_read(st, id, 4, buf, sizeof(buf)), 5);
	cr_assert_eq(memcmp(buf, "next\n", 5), 0);
	cr_assert_eq(store_logs_sweep(st, now), 0);
}

Test(logs, a_held_stream_waits_a_day_past_due)
{
	int64_t now = store_now_ms();
	int64_t id = make_stream("ret", "held");
	struct err err = {""};

	append(id, "a\n", now - 7 * MS_PER_DAY - 3600 * 1000);
	append(id, "b\n", now - 9 * MS_PER_DAY + 3600 * 1000);
	cr_assert_eq(store_group_set_retention(st, "ret", 7, &bob, &err), 0);
	/* Held: only what is more than 8 days old would go; nothing is. */
	cr_assert_eq(store_stream_hold(st, id), 0);
	cr_assert_eq(store_logs_sweep(st, now), 0);
	cr_assert_eq(size_of("ret", "held"), 4);
	/* Released: both are past 7 days. */
	cr_assert_eq(store_stream_release(st, id), 0);
	cr_assert_eq(store_logs_sweep(st, now), 4);
	cr_assert_eq(size_of("ret", "held"), 0);
}

Test(logs, groups_without_retention_keep_everything)
{
	int64_t now = store_now_ms();
	int64_t id = make_stream("keep", "all");

	append(id, "ancient\n", now - 5000 * MS_PER_DAY);
	cr_assert_eq(store_logs_sweep(st, now), 0);
	cr_assert_eq(size_of("keep", "all"), 8);
}

/* ---- the trail's day files ---- */

static int count_days(void *ctx, const struct trail_day *d)
{
	int *n = ctx;

	(void)d;
	(*n)++;
	return 0;
}

static void record_at(int64_t when)
{
	struct trail_event ev = {
		.source = "logs.monfs",
		.name = "CreateLogGroup",
		.who = &bob,
		.params = {TRAIL_STR("logGroupName", "g")},
		.nparams = 1,
		.time_ms = when,
	};

	cr_assert_eq(store_trail_record(st, &ev), 0);
}

Test(logs, trail_days_past_retention_are_swept)
{
	int64_t now = store_now_ms();
	struct trail_day d;
	int n = 0;

	cr_assert_eq(store_trail_configure(
			     st, &(struct trail_config){.retention_days = 7}),
		     0);
	record_at(now - 30 * MS_PER_DAY);
	record_at(now - 2 * MS_PER_DAY);
	record_at(now);
	/* Past retention: hidden at once, removed by the sweep. */
	cr_assert_eq(
		store_trail_day(st, (now - 30 * MS_PER_DAY) / MS_PER_DAY, &d),
		-ENOENT);
	cr_assert_eq(
		store_trail_day(st, (now - 2 * MS_PER_DAY) / MS_PER_DAY, &d),
		0);
	cr_assert_gt(d.size, 100);
	cr_assert_eq(store_trail_sweep(st, now), 0);
	cr_assert_eq(store_trail_days(st, count_days, &n), 0);
	cr_assert_eq(n, 2);
	/* Retention back to 90 days: the swept day does not come back. */
	cr_assert_eq(store_trail_configure(
			     st, &(struct trail_config){.retention_days = 90}),
		     0);
	n = 0;
	cr_assert_eq(store_trail_days(st, count_days, &n), 0);
	cr_assert_eq(n, 2);
}

Test(logs, a_day_file_held_open_past_retention_stays_whole_for_its_reader)
{
	int64_t now = store_now_ms(), old = now - 3 * MS_PER_DAY;
	int64_t day = old / MS_PER_DAY;
	struct trail_day d, seen;
	char buf[4096];
	int n = 0;

	record_at(old);
	cr_assert_eq(store_trail_day(st, day, &d), 0);
	cr_assert_eq(store_trail_hold(st, day), 0);
	/* Retention down to a day: the file leaves the listing... */
	cr_assert_eq(store_trail_configure(
			     st, &(struct trail_config){.retention_days = 1}),
		     0);
	cr_assert_eq(store_trail_sweep(st, now), 0);
	cr_assert_eq(store_trail_day(st, day, &seen), -ENOENT);
	cr_assert_eq(store_trail_hold(st, day), -ENOENT);
	cr_assert_eq(store_trail_days(st, count_days, &n), 0);
	cr_assert_eq(n, 0);
	/* ...but its reader has it all, and its size. */
	cr_assert_eq(store_trail_day_stat(st, day, &seen), 0);
	cr_assert_eq(seen.size, d.size);
	cr_assert_eq(store_trail_read(st, day, 0, buf, sizeof(buf)), d.size);
	/* Released, the next sweep removes it. */
	store_trail_release(st, day);
	cr_assert_eq(store_trail_sweep(st, now), 0);
	cr_assert_eq(store_trail_day_stat(st, day, &seen), -ENOENT);
	cr_assert_eq(store_trail_read(st, day, 0, buf, sizeof(buf)), 0);
}

Test(logs, a_day_file_reads_as_json_lines_at_any_offset)
{
	int64_t now = store_now_ms(), day = now / MS_PER_DAY;
	char all[4096], piece[4096];
	struct trail_day d;
	int n, off;

	record_at(now);
	record_at(now);
	cr_assert_eq(store_trail_day(st, day, &d), 0);
	cr_assert_lt(d.size, (int64_t)sizeof(all));
	n = store_trail_read(st, day, 0, all, sizeof(all));
	cr_assert_eq(n, d.size);
	cr_assert_eq(all[n - 1], '\n');
	cr_assert_not_null(memchr(all, '\n', (size_t)n - 1));
	for (off = 0; off < n; off += 37) {
		int m = store_trail_read(st, day, off, piece, 50);

		cr_assert_eq(m, n - off < 50 ? n - off : 50);
		cr_assert_eq(memcmp(piece, all + off, (size_t)m), 0);
	}
}

Test(logs, a_stream_write_counts_in_a_data_event_at_close)
{
	int64_t now = store_now_ms(), day = now / MS_PER_DAY;
	int64_t id = make_stream("app", "trail");
	struct data_session *ds;
	struct err err = {""};
	struct trail_day before, after;
	char buf[8192];
	int n;

	/* Writes are recorded with --trail-data write (SPEC 14). */
	cr_assert_eq(
		store_trail_configure(
			st, &(struct trail_config){.data = TRAIL_DATA_WRITE}),
		0);

	record_at(now);
	cr_assert_eq(store_trail_day(st, day, &before), 0);
	ds = store_data_open(DATA_STREAM, id, "app", "trail", &bob);
	cr_assert_not_null(ds);
	cr_assert_eq(store_data_put(st, ds, "a\nb\n", 4, now, &err), 0);
	cr_assert_eq(store_data_put(st, ds, "c\n", 2, now, &err), 0);
	cr_assert_eq(store_data_close(st, ds), 0);
	cr_assert_eq(store_trail_day(st, day, &after), 0);
	n = store_trail_read(st, day, before.size, buf, sizeof(buf) - 1);
	cr_assert_gt(n, 0);
	buf[n] = '\0';
	cr_assert(strstr(buf, "\"eventName\":\"PutLogEvents\"") != NULL, "%s",
		  buf);
	cr_assert(strstr(buf, "\"events\":3,\"bytes\":6") != NULL, "%s", buf);
	cr_assert_eq(strchr(buf, '\n'), buf + n - 1, "one record: %s", buf);
}
