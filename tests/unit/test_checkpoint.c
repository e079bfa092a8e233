/*
 * The checkpointer (store/checkpoint.c): under a steady stream of small
 * commits the WAL still starts over, so it stays within a few times
 * sqlite's own 4 MiB threshold (how far the writer gets ahead depends on
 * how long the thread's fsyncs take) instead of growing to the 64 MiB
 * backstop; and every commit is in the database after close.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/store.h"
#include "tests/support/tmpstore.h"

static struct tmpstore fixture;
static const struct caller bob = {
	.uid = 1001, .gid = 1001, .pid = 7, .user = "bob", .process = "test"};

static off_t file_size(const char *suffix)
{
	char p[300];
	struct stat sb;

	snprintf(p, sizeof(p), "%s%s", fixture.path, suffix);
	return stat(p, &sb) == 0 ? sb.st_size : -1;
}

static int add_count(void *ctx, int64_t start_ms, const struct summary *s)
{
	(void)start_ms;
	*(uint64_t *)ctx += s->count;
	return 0;
}

Test(checkpoint, steady_small_commits_keep_the_wal_small)
{
	struct stats_query q = {.period_s = 3600};
	uint64_t total = 0;
	struct store *st;
	struct err err = {""};
	struct metric_info m;
	struct data_session *ds;
	off_t wal_max = 0;
	int64_t now = store_now_ms();
	char line[64];
	int i;

	tmpstore_open(&fixture, "ckpt", &st);
	cr_assert_eq(
		store_dir_create(st, TREE_NAMESPACES, "W", 0755, &bob, &err),
		0);
	cr_assert_eq(store_metric_create(st, "W", "m", 0644, &bob, &m, &err),
		     0);
	ds = store_data_open(DATA_METRIC, m.id, "W", "m", &bob);
	cr_assert_not_null(ds);
	/* one point per commit, each in its own second: several pages each */
	for (i = 0; i < 30000; i++) {
		int len = snprintf(line, sizeof(line), "%d %lld\n", i % 100,
				   (long long)(now / 1000 - 3000 + i / 10));

		cr_assert_eq(
			store_data_put(st, ds, line, (size_t)len, now, &err), 0,
			"%s", err.msg);
		if (file_size("-wal") > wal_max)
			wal_max = file_size("-wal");
	}
	cr_assert_eq(store_data_close(st, ds), 0);
	store_close(st);
	/* sqlite's threshold is 1000 pages (4 MiB); the backstop 16000 */
	cr_assert_lt(wal_max, 32 << 20, "the WAL grew to %lld bytes",
		     (long long)wal_max);
	cr_assert_eq(file_size("-wal"), -1, "the last close removes the WAL");

	cr_assert_eq(store_open(fixture.path, &st, &err), 0, "%s", err.msg);
	q.since_ms = (now / 3600000 - 2) * 3600000;
	q.until_ms = now + 1000;
	q.now_ms = now;
	cr_assert_eq(store_metric_stats(st, m.id, &q, add_count, &total), 0);
	cr_assert_eq(total, 30000, "%llu points after reopening",
		     (unsigned long long)total);
	tmpstore_close(&fixture, st);
}
