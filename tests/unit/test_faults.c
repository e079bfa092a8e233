/*
 * The store on a database that goes bad under it: every lookup, listing
 * and read answers -EIO, never -ENOENT, an empty listing or a short read
 * ("no row" and "the database failed" are different answers).
 *
 * The damage is done the way a failing disk would: the database file's
 * pages after the first are overwritten while the store is open. First
 * the WAL is copied back into the file and emptied (so every page is
 * read from the file), and afterwards another connection commits a
 * change the store ignores (user_version), so that the store drops the
 * pages it holds in its cache and reads the damaged ones.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"
#include "tests/support/tmpstore.h"

static struct tmpstore fixture;
static struct store *st;
static const struct caller alice = {.uid = 1000,
				    .gid = 1000,
				    .pid = 42,
				    .user = "alice",
				    .process = "test"};
static int64_t stream_id;

static void open_store(void)
{
	struct stream_info s;
	struct metric_info m;
	struct err err = {""};

	tmpstore_open(&fixture, "faults", &st);
	cr_assert_eq(store_dir_create(st, TREE_NAMESPACES, "App", 0755, &alice,
				      &err),
		     0, "%s", err.msg);
	cr_assert_eq(store_metric_create(st, "App", "latency", 0644, &alice, &m,
					 &err),
		     0, "%s", err.msg);
	cr_assert_eq(store_dir_create(st, TREE_LOG_GROUPS, "app", 0755, &alice,
				      &err),
		     0, "%s", err.msg);
	cr_assert_eq(
		store_stream_create(st, "app", "web", 0644, &alice, &s, &err),
		0, "%s", err.msg);
	stream_id = s.id;
	cr_assert_eq(store_stream_append(st, stream_id, "one\ntwo\n", 8,
					 store_now_ms(), &err),
		     0, "%s", err.msg);
}

static void close_store(void)
{
	tmpstore_close(&fixture, st);
}

TestSuite(faults, .init = open_store, .fini = close_store);

/* Run sql on a connection of its own, as another process would. */
static void other_connection(const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;

	cr_assert_eq(sqlite3_open(fixture.path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, &msg), SQLITE_OK, "%s",
		     msg ? msg : "");
	sqlite3_close(db);
}

/* Damage every page of the database file but the first (see the top). */
static void damage_disk(void)
{
	unsigned char junk[4096];
	struct stat sb;
	off_t off;
	int fd;

	other_connection("PRAGMA wal_checkpoint(TRUNCATE);");
	memset(junk, 0xa5, sizeof(junk));
	fd = open(fixture.path, O_WRONLY);
	cr_assert_geq(fd, 0);
	cr_assert_eq(fstat(fd, &sb), 0);
	cr_assert_gt(sb.st_size, 4096, "the database has more than a page");
	for (off = 4096; off < sb.st_size; off += (off_t)sizeof(junk))
		cr_assert_eq(pwrite(fd, junk, sizeof(junk), off),
			     (ssize_t)sizeof(junk));
	cr_assert_eq(close(fd), 0);
	other_connection("PRAGMA user_version = 1;");
}

static int count_entry(void *ctx, const char *name, bool is_dir,
		       const struct node_attr *attr)
{
	(void)name;
	(void)is_dir;
	(void)attr;
	(*(int *)ctx)++;
	return 0;
}

Test(faults, a_lookup_on_a_damaged_database_is_eio_not_enoent)
{
	struct metric_info m;
	struct stream_info s;
	struct node_attr a;

	damage_disk();
	cr_expect_eq(store_dir_get(st, TREE_NAMESPACES, "App", &a), -EIO);
	cr_expect_eq(store_metric_get(st, "App", "latency", &m), -EIO);
	cr_expect_eq(store_stream_get(st, "app", "web", &s), -EIO);
	cr_expect_eq(store_stream_stat(st, stream_id, &s), -EIO);
}

Test(faults, a_listing_on_a_damaged_database_is_eio_not_empty)
{
	int n = 0;

	damage_disk();
	cr_expect_eq(store_dir_list(st, TREE_NAMESPACES, "", count_entry, &n),
		     -EIO);
	cr_expect_eq(
		store_dir_list(st, TREE_LOG_GROUPS, "app", count_entry, &n),
		-EIO);
	cr_expect_eq(n, 0);
}

Test(faults, a_stream_read_on_a_damaged_database_is_eio_not_eof)
{
	char buf[64];

	cr_assert_eq(store_stream_read(st, stream_id, 0, buf, sizeof(buf)), 8);
	damage_disk();
	cr_expect_eq(store_stream_read(st, stream_id, 0, buf, sizeof(buf)),
		     -EIO);
}

Test(faults, a_change_refused_by_a_damaged_database_says_why)
{
	struct err err = {""};

	damage_disk();
	cr_expect_eq(store_dir_create(st, TREE_NAMESPACES, "Other", 0755,
				      &alice, &err),
		     -EIO);
	cr_expect(strstr(err.msg, "the database failed") != NULL, "message: %s",
		  err.msg);
}
