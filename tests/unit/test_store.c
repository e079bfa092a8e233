/*
 * The store on a temporary database: namespaces, metrics, ingest and
 * statistics, as fs/ calls them.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* A minute boundary an hour ago: points there are inside every window. */
static int64_t base_ms;

static void open_store(void)
{
	tmpstore_open(&fixture, "store", &st);
	base_ms = (store_now_ms() / 60000 - 60) * 60000;
}

static void close_store(void)
{
	tmpstore_close(&fixture, st);
}

TestSuite(store, .init = open_store, .fini = close_store);

static int64_t make_metric(const char *ns, const char *name)
{
	struct metric_info m;
	struct err err = {""};

	if (store_dir_get(st, TREE_NAMESPACES, ns, NULL) != 0)
		cr_assert_eq(store_dir_create(st, TREE_NAMESPACES, ns, 0755,
					      &alice, &err),
			     0, "%s", err.msg);
	cr_assert_eq(store_metric_create(st, ns, name, 0644, &alice, &m, &err),
		     0, "%s", err.msg);
	return m.id;
}

struct rows {
	int n;
	int64_t start[16];
	uint64_t count[16];
	double sum[16], min[16], max[16], p50[16];
};

static int collect(void *ctx, int64_t start_ms, const struct summary *s)
{
	struct rows *r = ctx;
	struct stat_spec p50;

	cr_assert(r->n < 16);
	cr_assert_eq(stat_parse("p50", 3, &p50), 0);
	r->start[r->n] = start_ms;
	r->count[r->n] = s->count;
	r->sum[r->n] = s->sum;
	r->min[r->n] = s->min;
	r->max[r->n] = s->max;
	r->p50[r->n] = stat_value(&p50, s);
	r->n++;
	return 0;
}

static struct rows query(int64_t id, int64_t period_s, int64_t since,
			 int64_t until)
{
	struct stats_query q = {period_s, since, until, store_now_ms()};
	struct rows r = {0};

	cr_assert_eq(store_metric_stats(st, id, &q, collect, &r), 0);
	return r;
}

Test(store, nested_namespaces_need_their_parent)
{
	struct err err = {""};
	struct node_attr a;

	cr_assert_eq(store_dir_create(st, TREE_NAMESPACES, "AWS/EC2", 0755,
				      &alice, &err),
		     -ENOENT);
	cr_assert_eq(store_dir_create(st, TREE_NAMESPACES, "AWS", 0755, &alice,
				      &err),
		     0);
	cr_assert_eq(store_dir_create(st, TREE_NAMESPACES, "AWS/EC2", 0750,
				      &alice, &err),
		     0);
	cr_assert_eq(store_dir_get(st, TREE_NAMESPACES, "AWS/EC2", &a), 0);
	cr_assert_eq(a.uid, 1000);
	cr_assert_eq(a.mode, 0750);
	cr_assert_eq(store_dir_create(st, TREE_NAMESPACES, "AWS", 0755, &alice,
				      &err),
		     -EEXIST);
}

Test(store, namespace_names_are_checked_level_by_level)
{
	struct err err = {""};
	char longns[320];

	cr_assert_eq(store_dir_create(st, TREE_NAMESPACES, ".hidden", 0755,
				      &alice, &err),
		     -EINVAL);
	cr_assert_eq(store_dir_create(st, TREE_NAMESPACES, "a?b", 0755, &alice,
				      &err),
		     -EINVAL);
	memset(longns, 'a', 256);
	longns[256] = '\0';
	cr_assert_eq(store_dir_create(st, TREE_NAMESPACES, longns, 0755, &alice,
				      &err),
		     -ENAMETOOLONG);
	/* 200 + 1 + 100 bytes: each level fine, the whole too long. */
	memset(longns, 'b', 200);
	longns[200] = '\0';
	cr_assert_eq(store_dir_create(st, TREE_NAMESPACES, longns, 0755, &alice,
				      &err),
		     0);
	longns[200] = '/';
	memset(longns + 201, 'c', 100);
	longns[301 - 1] = '\0';
	cr_assert_eq(store_dir_create(st, TREE_NAMESPACES, longns, 0755, &alice,
				      &err),
		     -ENAMETOOLONG);
}

Test(store, a_namespace_with_children_is_not_removed)
{
	struct err err = {""};

	make_metric("App", "latency");
	cr_assert_eq(store_dir_delete(st, TREE_NAMESPACES, "App", &alice, &err),
		     -ENOTEMPTY);
	cr_assert_eq(store_dir_create(st, TREE_NAMESPACES, "Sub", 0755, &alice,
				      &err),
		     0);
	cr_assert_eq(store_dir_create(st, TREE_NAMESPACES, "Sub/Deeper", 0755,
				      &alice, &err),
		     0);
	cr_assert_eq(store_dir_delete(st, TREE_NAMESPACES, "Sub", &alice, &err),
		     -ENOTEMPTY);
	cr_assert_eq(store_dir_delete(st, TREE_NAMESPACES, "Sub/Deeper", &alice,
				      &err),
		     0);
	cr_assert_eq(store_dir_delete(st, TREE_NAMESPACES, "Sub", &alice, &err),
		     0);
	cr_assert_eq(store_dir_get(st, TREE_NAMESPACES, "Sub", NULL), -ENOENT);
}

Test(store, a_metric_and_a_namespace_cannot_share_a_name)
{
	struct err err = {""};
	struct metric_info m;

	make_metric("A", "x");
	cr_assert_eq(store_dir_create(st, TREE_NAMESPACES, "A/x", 0755, &alice,
				      &err),
		     -EEXIST);
	cr_assert_eq(store_dir_create(st, TREE_NAMESPACES, "A/y", 0755, &alice,
				      &err),
		     0);
	cr_assert_eq(store_metric_create(st, "A", "y", 0644, &alice, &m, &err),
		     -EEXIST);
	cr_assert_eq(
		store_metric_create(st, "Nope", "y", 0644, &alice, &m, &err),
		-ENOENT);
}

static int count_entries(void *ctx, const char *name, bool is_dir,
			 const struct node_attr *attr)
{
	int *n = ctx;

	(void)attr;
	cr_assert(strchr(name, '/') == NULL, "listed a whole name: %s", name);
	n[is_dir ? 1 : 0]++;
	return 0;
}

Test(store, listing_a_level_shows_its_metrics_and_subnamespaces)
{
	struct err err = {""};
	int n[2] = {0, 0};

	make_metric("AWS", "m1");
	make_metric("AWS", "m2");
	cr_assert_eq(store_dir_create(st, TREE_NAMESPACES, "AWS/EC2", 0755,
				      &alice, &err),
		     0);
	make_metric("AWS/EC2", "CPU");
	cr_assert_eq(
		store_dir_list(st, TREE_NAMESPACES, "AWS", count_entries, n),
		0);
	cr_assert_eq(n[0], 2);
	cr_assert_eq(n[1], 1);
	n[0] = n[1] = 0;
	cr_assert_eq(store_dir_list(st, TREE_NAMESPACES, "", count_entries, n),
		     0);
	cr_assert_eq(n[0], 0);
	cr_assert_eq(n[1], 1);
}

Test(store, ingested_points_come_back_as_period_statistics)
{
	int64_t id = make_metric("App", "latency");
	struct point pts[] = {
		{base_ms + 1000, 10},
		{base_ms + 2000, 70},
		{base_ms + 30000, 40},
		{base_ms + 60000, 5},
	};
	struct err err = {""};
	struct rows r;

	cr_assert_eq(store_metric_ingest(st, id, pts, 4, &err), 0, "%s",
		     err.msg);
	r = query(id, 60, base_ms, base_ms + 120000);
	cr_assert_eq(r.n, 2);
	cr_assert_eq(r.start[0], base_ms);
	cr_assert_eq(r.count[0], 3);
	cr_assert_float_eq(r.sum[0], 120, 1e-9);
	cr_assert_float_eq(r.min[0], 10, 1e-9);
	cr_assert_float_eq(r.max[0], 70, 1e-9);
	cr_assert_float_eq(r.p50[0], 40, 40 * 0.01);
	cr_assert_eq(r.start[1], base_ms + 60000);
	cr_assert_eq(r.count[1], 1);
}

Test(store, periods_under_a_minute_and_over_an_hour_agree_on_totals)
{
	int64_t id = make_metric("App", "rps");
	struct point pts[120];
	struct err err = {""};
	struct rows r;
	uint64_t total = 0;
	int i;

	for (i = 0; i < 120; i++)
		pts[i] = (struct point){base_ms + i * 1000, i};
	cr_assert_eq(store_metric_ingest(st, id, pts, 120, &err), 0);
	r = query(id, 30, base_ms, base_ms + 120000);
	cr_assert_eq(r.n, 4);
	for (i = 0; i < r.n; i++) {
		cr_assert_eq(r.count[i], 30);
		total += r.count[i];
	}
	cr_assert_eq(total, 120);
	r = query(id, 3600, base_ms - 3600000, base_ms + 3600000);
	for (i = 0, total = 0; i < r.n; i++)
		total += r.count[i];
	cr_assert_eq(total, 120);
}

Test(store, separate_writes_into_one_bucket_merge)
{
	int64_t id = make_metric("App", "merge");
	struct point a = {base_ms + 500, 1}, b = {base_ms + 700, 3};
	struct err err = {""};
	struct rows r;

	cr_assert_eq(store_metric_ingest(st, id, &a, 1, &err), 0);
	cr_assert_eq(store_metric_ingest(st, id, &b, 1, &err), 0);
	r = query(id, 1, base_ms, base_ms + 1000);
	cr_assert_eq(r.n, 1);
	cr_assert_eq(r.count[0], 2);
	cr_assert_float_eq(r.sum[0], 4, 1e-12);
}

Test(store, fine_periods_are_not_answered_after_three_hours)
{
	int64_t id = make_metric("App", "old");
	int64_t old = (store_now_ms() / 60000 - 5 * 60) * 60000;
	struct point p = {old, 1};
	struct err err = {""};

	cr_assert_eq(store_metric_ingest(st, id, &p, 1, &err), 0);
	cr_assert_eq(query(id, 10, old, old + 60000).n, 0);
	cr_assert_eq(query(id, 60, old, old + 60000).n, 1);
}

Test(store, deleting_a_metric_deletes_its_data)
{
	int64_t id = make_metric("App", "gone");
	struct point p = {base_ms, 1};
	struct err err = {""};
	struct metric_info m;

	cr_assert_eq(store_metric_ingest(st, id, &p, 1, &err), 0);
	cr_assert_eq(store_file_delete(st, TREE_NAMESPACES, "App", "gone",
				       &alice, &err),
		     0);
	cr_assert_eq(store_metric_get(st, "App", "gone", &m), -ENOENT);
	cr_assert_eq(store_metric_ingest(st, id, &p, 1, &err), -ENOENT);
	cr_assert_eq(
		store_metric_create(st, "App", "gone", 0644, &alice, &m, &err),
		0);
	cr_assert_eq(query(m.id, 60, base_ms, base_ms + 60000).n, 0);
}

Test(store, units_are_cloudwatch_names)
{
	int64_t id = make_metric("App", "u");
	struct err err = {""};
	struct metric_info m;

	(void)id;
	cr_assert_eq(
		store_metric_set_unit(st, "App", "u", "Percent", &alice, &err),
		0);
	cr_assert_eq(store_metric_get(st, "App", "u", &m), 0);
	cr_assert_str_eq(m.unit, "Percent");
	cr_assert_eq(
		store_metric_set_unit(st, "App", "u", "percent", &alice, &err),
		-EINVAL);
	cr_assert(strstr(err.msg, "percent") != NULL);
	cr_assert_eq(store_metric_set_unit(st, "App", "u", "", &alice, &err),
		     0);
	cr_assert_eq(store_metric_get(st, "App", "u", &m), 0);
	cr_assert_str_eq(m.unit, "");
}

Test(store, data_survives_closing_and_reopening)
{
	int64_t id = make_metric("App", "durable");
	struct point p = {base_ms, 7};
	struct err err = {""};
	struct metric_info m;

	cr_assert_eq(store_metric_ingest(st, id, &p, 1, &err), 0);
	store_close(st);
	cr_assert_eq(store_open(fixture.path, &st, &err), 0, "%s", err.msg);
	cr_assert_eq(store_metric_get(st, "App", "durable", &m), 0);
	cr_assert_eq(query(m.id, 60, base_ms, base_ms + 60000).count[0], 1);
}

Test(store, sweeping_removes_only_what_aged_out)
{
	int64_t id = make_metric("App", "sweep");
	int64_t old = (store_now_ms() / 60000 - 4 * 60) * 60000;
	struct point p = {old, 1};
	struct err err = {""};

	cr_assert_eq(store_metric_ingest(st, id, &p, 1, &err), 0);
	/* The 1 s bucket is over 3 hours old; the coarser ones stay. */
	cr_assert_eq(store_sweep(st, store_now_ms()), 1);
	cr_assert_eq(store_sweep(st, store_now_ms()), 0);
	cr_assert_eq(query(id, 60, old, old + 60000).n, 1);
}

/* ---- the write format ---- */

Test(metric_lines, values_timestamps_blanks_and_cr)
{
	const char text[] =
		"42\n\n  7.5\t1795435000.5\r\n-1e3 2026-11-23T12:00:00Z\n \t\n";
	int64_t now = 1795435200000LL + 3600000; /* 2026-11-23T13:00:00Z */
	struct point *p;
	size_t n;
	struct err err = {""};

	cr_assert_eq(
		metric_parse_lines(text, sizeof(text) - 1, now, &p, &n, &err),
		0, "%s", err.msg);
	cr_assert_eq(n, 3);
	cr_assert_eq(p[0].ts_ms, now);
	cr_assert_float_eq(p[0].value, 42, 0);
	cr_assert_eq(p[1].ts_ms, 1795435000500LL);
	cr_assert_float_eq(p[1].value, 7.5, 0);
	cr_assert_eq(p[2].ts_ms, 1795435200000LL);
	cr_assert_float_eq(p[2].value, -1000, 0);
	free(p);
}

Test(metric_lines, a_bad_line_names_its_number_and_text)
{
	const char text[] = "1\n2\nabc\n";
	struct point *p = NULL;
	size_t n = 0;
	struct err err = {""};

	cr_assert_eq(metric_parse_lines(text, sizeof(text) - 1, store_now_ms(),
					&p, &n, &err),
		     -EINVAL);
	cr_assert_str_eq(err.msg, "line 3: \"abc\" is not a number");
	cr_assert_null(p);
}

Test(metric_lines, the_window_is_fourteen_days_back_two_hours_ahead)
{
	int64_t now = 1764000000000LL;
	char line[64];
	struct point *p;
	size_t n;
	struct err err = {""};

	snprintf(line, sizeof(line), "1 %lld\n",
		 (long long)(now / 1000 - 14 * 86400 + 1));
	cr_assert_eq(metric_parse_lines(line, strlen(line), now, &p, &n, &err),
		     0);
	free(p);
	snprintf(line, sizeof(line), "1 %lld\n",
		 (long long)(now / 1000 - 14 * 86400 - 1));
	cr_assert_eq(metric_parse_lines(line, strlen(line), now, &p, &n, &err),
		     -EINVAL);
	cr_assert(strstr(err.msg, "14 days") != NULL);
	snprintf(line, sizeof(line), "1 %lld\n",
		 (long long)(now / 1000 + 7201));
	cr_assert_eq(metric_parse_lines(line, strlen(line), now, &p, &n, &err),
		     -EINVAL);
	cr_assert(strstr(err.msg, "2 hours") != NULL);
}

Test(metric_lines, three_fields_and_special_values_are_refused)
{
	const char *bad[] = {"1 2 3\n", "nan\n",  "inf\n",
			     "1e400\n", "0x10\n", "5 soon\n"};
	struct point *p;
	size_t n, i;
	struct err err = {""};

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(metric_parse_lines(bad[i], strlen(bad[i]),
						store_now_ms(), &p, &n, &err),
			     -EINVAL, "%s", bad[i]);
}

/*
 * Small writes wait in the journal until a read, the sweep or the 256th
 * folds them; summaries do not depend on the order points arrive in, so
 * 600 one-point writes read exactly like one write of the 600 points.
 */
Test(store, many_small_writes_read_like_one_big_write)
{
	int64_t small = make_metric("App", "small"),
		big = make_metric("App", "big");
	struct point pts[600];
	struct err err = {""};
	struct rows a, b;
	int i;

	for (i = 0; i < 600; i++) {
		pts[i].ts_ms = base_ms + (i * 7919 % 600) * 1000;
		pts[i].value = (double)((i * 31) % 97);
		cr_assert_eq(store_metric_ingest(st, small, &pts[i], 1, &err),
			     0, "%s", err.msg);
	}
	cr_assert_eq(store_metric_ingest(st, big, pts, 600, &err), 0);
	a = query(small, 60, base_ms, base_ms + 600000);
	b = query(big, 60, base_ms, base_ms + 600000);
	cr_assert_eq(a.n, 10);
	cr_assert_eq(b.n, 10);
	for (i = 0; i < 10; i++) {
		cr_assert_eq(a.start[i], b.start[i]);
		cr_assert_eq(a.count[i], 60);
		cr_assert_eq(a.count[i], b.count[i]);
		cr_assert_float_eq(a.sum[i], b.sum[i], 1e-9);
		cr_assert_eq(a.min[i], b.min[i]);
		cr_assert_eq(a.max[i], b.max[i]);
		cr_assert_eq(a.p50[i], b.p50[i]);
	}
}

/* Points still in the journal at close are there after reopening. */
Test(store, journaled_points_survive_a_reopen)
{
	int64_t id = make_metric("App", "j");
	struct err err = {""};
	struct rows r;
	int i;

	for (i = 0; i < 5; i++) {
		struct point p = {base_ms + i * 1000, 10.0 * (i + 1)};

		cr_assert_eq(store_metric_ingest(st, id, &p, 1, &err), 0);
	}
	store_close(st);
	cr_assert_eq(store_open(fixture.path, &st, &err), 0, "%s", err.msg);
	r = query(id, 60, base_ms, base_ms + 60000);
	cr_assert_eq(r.n, 1);
	cr_assert_eq(r.count[0], 5);
	cr_assert_float_eq(r.sum[0], 150.0, 1e-9);
	/* folded into the rollups, they read the same */
	cr_assert_eq(store_metric_fold(st), 0);
	r = query(id, 60, base_ms, base_ms + 60000);
	cr_assert_eq(r.n, 1);
	cr_assert_eq(r.count[0], 5);
	cr_assert_float_eq(r.sum[0], 150.0, 1e-9);
	cr_assert_eq(r.min[0], 10.0);
	cr_assert_eq(r.max[0], 50.0);
}

/* Sleep a few milliseconds, so that the next change has a later time. */
static void tick(void)
{
	usleep(5000);
}

static struct node_attr dir_attr(const char *name)
{
	struct node_attr a;

	cr_assert_eq(store_dir_get(st, TREE_NAMESPACES, name, &a), 0);
	return a;
}

Test(store, making_or_removing_an_entry_moves_its_directorys_times)
{
	struct node_attr before, after;
	struct err err = {""};

	make_metric("App", "first");
	before = dir_attr("App");
	tick();
	make_metric("App", "m");
	after = dir_attr("App");
	cr_assert_gt(after.mtime_ms, before.mtime_ms);
	cr_assert_gt(after.ctime_ms, before.ctime_ms);
	before = after;
	tick();
	cr_assert_eq(store_file_delete(st, TREE_NAMESPACES, "App", "m", &alice,
				       &err),
		     0);
	cr_assert_gt(dir_attr("App").mtime_ms, before.mtime_ms);
	before = dir_attr("App");
	tick();
	cr_assert_eq(store_dir_create(st, TREE_NAMESPACES, "App/Sub", 0755,
				      &alice, &err),
		     0);
	cr_assert_gt(dir_attr("App").mtime_ms, before.mtime_ms);
	before = dir_attr("App");
	tick();
	cr_assert_eq(
		store_dir_delete(st, TREE_NAMESPACES, "App/Sub", &alice, &err),
		0);
	cr_assert_gt(dir_attr("App").mtime_ms, before.mtime_ms);
}

Test(store, the_top_directories_times_move_with_their_entries)
{
	struct node_attr before = {0}, after = {0};
	struct err err = {""};

	/* Nothing changed yet: the front end keeps its own default. */
	cr_assert_eq(store_top_times(st, "logs", &before), -ENOENT);
	cr_assert_eq(store_dir_create(st, TREE_LOG_GROUPS, "app", 0755, &alice,
				      &err),
		     0);
	cr_assert_eq(store_top_times(st, "logs", &before), 0);
	tick();
	cr_assert_eq(store_dir_delete(st, TREE_LOG_GROUPS, "app", &alice, &err),
		     0);
	cr_assert_eq(store_top_times(st, "logs", &after), 0);
	cr_assert_gt(after.mtime_ms, before.mtime_ms);
	cr_assert_eq(after.ctime_ms, after.mtime_ms);
	/* A deeper level is no entry of the top. */
	make_metric("AWS", "m");
	cr_assert_eq(store_top_times(st, "metrics", &before), 0);
	tick();
	cr_assert_eq(store_dir_create(st, TREE_NAMESPACES, "AWS/EC2", 0755,
				      &alice, &err),
		     0);
	cr_assert_eq(store_top_times(st, "metrics", &after), 0);
	cr_assert_eq(after.mtime_ms, before.mtime_ms);
}

Test(store, subdirectories_are_counted_files_are_not)
{
	struct err err = {""};
	int64_t n = -1;

	make_metric("AWS", "m1");
	make_metric("AWS", "m2");
	cr_assert_eq(store_dir_create(st, TREE_NAMESPACES, "AWS/EC2", 0755,
				      &alice, &err),
		     0);
	cr_assert_eq(store_dir_create(st, TREE_NAMESPACES, "AWS/EC2/Deep", 0755,
				      &alice, &err),
		     0);
	cr_assert_eq(store_dir_subdirs(st, TREE_NAMESPACES, "AWS", &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(store_dir_subdirs(st, TREE_NAMESPACES, "", &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(store_dir_subdirs(st, TREE_NAMESPACES, "AWS/EC2/Deep", &n),
		     0);
	cr_assert_eq(n, 0);
}

Test(store, chmod_and_chown_move_ctime_not_mtime)
{
	struct node_attr before, after;
	struct err err = {""};

	make_metric("App", "m");
	before = dir_attr("App");
	tick();
	cr_assert_eq(store_node_set_owner(st, NODE_NAMESPACE, "App", NULL,
					  (uid_t)-1, (gid_t)-1, 0700, &alice,
					  &err),
		     0);
	after = dir_attr("App");
	cr_assert_gt(after.ctime_ms, before.ctime_ms);
	cr_assert_eq(after.mtime_ms, before.mtime_ms);
	cr_assert_eq(after.mode, 0700);
}

Test(store, explicit_times_are_kept_by_directories_not_by_metrics)
{
	struct metric_info before, after;

	make_metric("App", "m");
	cr_assert_eq(
		store_node_set_times(st, NODE_NAMESPACE, "App", NULL, 1234567),
		0);
	cr_assert_eq(dir_attr("App").mtime_ms, 1234567);
	cr_assert_eq(store_node_set_times(st, NODE_NAMESPACE, "App", NULL,
					  STORE_TIME_OMIT),
		     0);
	cr_assert_eq(dir_attr("App").mtime_ms, 1234567);
	cr_assert_eq(store_metric_get(st, "App", "m", &before), 0);
	cr_assert_eq(store_node_set_times(st, NODE_METRIC, "App", "m", 1234567),
		     0);
	cr_assert_eq(store_metric_get(st, "App", "m", &after), 0);
	cr_assert_eq(after.attr.mtime_ms, before.attr.mtime_ms);
	cr_assert_eq(store_node_set_times(st, NODE_NAMESPACE, "Nope", NULL,
					  STORE_TIME_NOW),
		     -ENOENT);
}

Test(store, a_write_by_another_user_drops_set_user_id)
{
	static const struct caller bob = {.uid = 1001,
					  .gid = 1001,
					  .pid = 43,
					  .user = "bob",
					  .process = "test"};
	struct data_session *ds;
	struct metric_info m;
	struct err err = {""};
	int64_t id = make_metric("App", "m");

	cr_assert_eq(store_node_set_owner(st, NODE_METRIC, "App", "m",
					  (uid_t)-1, (gid_t)-1, 06777, &alice,
					  &err),
		     0);
	ds = store_data_open(DATA_METRIC, id, "App", "m", &bob);
	cr_assert_not_null(ds);
	cr_assert_eq(store_data_put(st, ds, "5\n", 2, store_now_ms(), &err), 0,
		     "%s", err.msg);
	cr_assert_eq(store_data_close(st, ds), 0);
	cr_assert_eq(store_metric_get(st, "App", "m", &m), 0);
	cr_assert_eq(m.attr.mode, 0777);
}
