/*
 * The trail archive's delivery on a temporary store
 * (store/trail_archive.c, SPEC 14): a final delivery writes every record
 * and a digest, a missing directory is said once and caught up, and
 * records that retention removes before delivery are counted in the
 * next digest.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <glob.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/strbuf.h"
#include "lib/timeutil.h"
#include "lib/trail_archive.h"
#include "store/store.h"
#include "tests/support/tmpstore.h"

static struct tmpstore fixture;
static struct store *st;
static char dir[192];

static void open_store(void)
{
	tmpstore_open(&fixture, "archive", &st);
	snprintf(dir, sizeof(dir), "%s/archive", fixture.dir);
}

static void close_store(void)
{
	tmpstore_close(&fixture, st);
}

TestSuite(archive, .init = open_store, .fini = close_store);

static void record(const char *ns, int64_t time_ms)
{
	struct trail_event ev = {
		.source = "metrics.monfs",
		.name = "CreateNamespace",
		.params = {TRAIL_STR("namespace", ns)},
		.nparams = 1,
		.time_ms = time_ms,
	};

	cr_assert_eq(store_trail_record(st, &ev), 0);
}

static void configure(void)
{
	struct err err = {""};

	cr_assert_eq(store_trail_archive_configure(st, fixture.path, dir, &err),
		     0, "%s", err.msg);
}

/* The files matching pattern below dir; the caller globfree()s. */
static size_t find(const char *pattern, glob_t *g)
{
	char full[512];

	snprintf(full, sizeof(full), "%s/%s", dir, pattern);
	if (glob(full, 0, NULL, g) != 0)
		return 0;
	return g->gl_pathc;
}

/* The uncompressed content of the gzip file path, parsed. */
static json_t *read_gz_json(const char *path)
{
	struct strbuf gz = STRBUF_INIT, text = STRBUF_INIT;
	char chunk[4096];
	size_t n;
	json_t *j;
	FILE *f = fopen(path, "rb");

	cr_assert_not_null(f, "%s", path);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		strbuf_add(&gz, chunk, n);
	fclose(f);
	cr_assert_eq(trail_gunzip(gz.buf, gz.len, &text), 0);
	j = json_loadb(text.buf, text.len, 0, NULL);
	cr_assert_not_null(j);
	strbuf_release(&gz);
	strbuf_release(&text);
	return j;
}

#define LOGS "AWSLogs/*/CloudTrail/*/*/*/*/*.json.gz"
#define DIGESTS "AWSLogs/*/CloudTrail-Digest/*/*/*/*/*.json.gz"

Test(archive, without_an_archive_delivery_does_nothing)
{
	record("App", 0);
	cr_assert_eq(store_trail_archive_deliver(st, store_now_ms(), true), 0);
}

Test(archive, a_final_delivery_writes_every_record_and_a_digest)
{
	glob_t logs, digests;
	json_t *log, *digest;

	mkdir(dir, 0755);
	record("Before", 0); /* stored before the archive began: delivered */
	configure();
	record("After", 0);
	/* Not due yet: less than 5 minutes since the archive began. */
	cr_assert_eq(store_trail_archive_deliver(st, store_now_ms(), false), 0);
	cr_assert_eq(find(LOGS, &logs), 0);
	cr_assert_eq(store_trail_archive_deliver(st, store_now_ms(), true), 0);
	cr_assert_eq(find(LOGS, &logs), 1);
	cr_assert_eq(find(DIGESTS, &digests), 1);
	log = read_gz_json(logs.gl_pathv[0]);
	cr_assert_eq(json_array_size(json_object_get(log, "Records")), 2);
	digest = read_gz_json(digests.gl_pathv[0]);
	cr_assert_eq(json_array_size(json_object_get(digest, "logFiles")), 1);
	cr_assert_null(json_object_get(digest, "monfsExpiredRecords"));
	json_decref(log);
	json_decref(digest);
	globfree(&logs);
	globfree(&digests);
}

Test(archive, due_deliveries_come_after_5_minutes_and_an_hour)
{
	int64_t now = store_now_ms();
	glob_t g;

	mkdir(dir, 0755);
	configure();
	record("App", 0);
	cr_assert_eq(
		store_trail_archive_deliver(st, now + 4 * MS_PER_MINUTE, false),
		0);
	cr_assert_eq(find(LOGS, &g), 0);
	cr_assert_eq(
		store_trail_archive_deliver(st, now + 6 * MS_PER_MINUTE, false),
		0);
	cr_assert_eq(find(LOGS, &g), 1);
	globfree(&g);
	cr_assert_eq(find(DIGESTS, &g), 0);
	/* An hour on, a digest, and another an hour later though empty. */
	cr_assert_eq(store_trail_archive_deliver(st, now + 61 * MS_PER_MINUTE,
						 false),
		     0);
	cr_assert_eq(find(DIGESTS, &g), 1);
	globfree(&g);
	cr_assert_eq(store_trail_archive_deliver(st, now + 122 * MS_PER_MINUTE,
						 false),
		     0);
	cr_assert_eq(find(DIGESTS, &g), 2);
	globfree(&g);
}

Test(archive, a_missing_directory_is_said_once_and_caught_up)
{
	struct trail_day d;
	char *buf, *at;
	int n, said = 0;
	glob_t g;

	configure(); /* dir does not exist */
	record("Early", 0);
	cr_assert_lt(store_trail_archive_deliver(st, store_now_ms(), true), 0);
	cr_assert_lt(store_trail_archive_deliver(st, store_now_ms(), true), 0);
	cr_assert_eq(store_trail_day(st, store_now_ms() / MS_PER_DAY, &d), 0);
	buf = calloc(1, (size_t)d.size + 1);
	n = store_trail_read(st, d.day, 0, buf, (size_t)d.size);
	cr_assert_eq(n, d.size);
	for (at = buf; (at = strstr(at, "\"eventName\":\"DeliverLogFiles\""));
	     at++)
		said++;
	cr_assert_eq(said, 1, "%s", buf);
	cr_assert(strstr(buf, "delivery will catch up"));
	free(buf);
	mkdir(dir, 0755);
	cr_assert_eq(store_trail_archive_deliver(st, store_now_ms(), true), 0);
	cr_assert_eq(find(LOGS, &g), 1);
	globfree(&g);
}

Test(archive, records_that_expire_undelivered_are_counted_in_the_digest)
{
	int64_t now = store_now_ms();
	json_t *digest, *gap;
	glob_t g;

	mkdir(dir, 0755);
	configure();
	/* Two records 100 days old: past the 90 days' retention. */
	record("Old", now - 100 * MS_PER_DAY);
	record("Older", now - 100 * MS_PER_DAY);
	record("New", 0);
	cr_assert_eq(store_trail_sweep(st, now), 0);
	cr_assert_eq(store_trail_archive_deliver(st, now, true), 0);
	cr_assert_eq(find(DIGESTS, &g), 1);
	digest = read_gz_json(g.gl_pathv[0]);
	gap = json_object_get(digest, "monfsExpiredRecords");
	cr_assert_eq(json_integer_value(json_object_get(gap, "count")), 2);
	json_decref(digest);
	globfree(&g);
	/* Said once: the next digest has no gap. */
	cr_assert_eq(store_trail_archive_deliver(st, now + 2000, true), 0);
	cr_assert_eq(find(DIGESTS, &g), 2);
	digest = read_gz_json(g.gl_pathv[1]);
	cr_assert_null(json_object_get(digest, "monfsExpiredRecords"));
	json_decref(digest);
	globfree(&g);
}
