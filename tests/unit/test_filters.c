/*
 * Metric filters in the store: renames (SPEC 2), which move a filter or
 * make its definition another's, keeping that one's counters.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "tests/support/tmpstore.h"

static struct tmpstore fixture;
static struct store *st;
static const struct caller carol = {
	.uid = 1002, .gid = 1002, .pid = 9, .user = "carol", .process = "test"};
static const struct node_owner carols = {1002, 1002, 0644};
static struct stream_info stream;

static void open_store(void)
{
	struct err err = {""};

	tmpstore_open(&fixture, "filters", &st);
	cr_assert_eq(store_dir_create(st, TREE_LOG_GROUPS, "app", 0755, &carol,
				      &err),
		     0);
	cr_assert_eq(store_stream_create(st, "app", "web", 0644, &carol,
					 &stream, &err),
		     0);
}

static void close_store(void)
{
	tmpstore_close(&fixture, st);
}

TestSuite(filters, .init = open_store, .fini = close_store);

static void define(const char *name, const char *pattern)
{
	char text[256];
	struct err err = {""};

	snprintf(text, sizeof(text),
		 "group = app\npattern = %s\nmetric = App/Errors\n", pattern);
	cr_assert_eq(store_filter_put(st, name, text, strlen(text), &carols,
				      &carol, &err),
		     0, "%s", err.msg);
}

static void append(const char *lines)
{
	struct err err = {""};

	cr_assert_eq(store_stream_append(st, stream.id, lines, strlen(lines),
					 store_now_ms(), &err),
		     0, "%s", err.msg);
}

/* The reading of filter name, which must exist. */
static void render(const char *name, char *out, size_t size)
{
	struct strbuf sb = STRBUF_INIT;

	cr_assert_eq(store_filter_render(st, name, &sb), 0, "no filter %s",
		     name);
	snprintf(out, size, "%s", sb.buf ? sb.buf : "");
	strbuf_release(&sb);
}

Test(filters, renaming_onto_a_filter_redefines_it_keeping_its_counts)
{
	struct alarm_info a;
	struct err err = {""};
	char text[1024];

	define("errors", "ERROR");
	append("ERROR one\nERROR two\nWARN three\n");
	render("errors", text, sizeof(text));
	cr_assert(strstr(text, "matched = 2\n"), "%s", text);
	define("sedQ1w2e3", "WARN");
	cr_assert_eq(
		store_filter_rename(st, "sedQ1w2e3", "errors", &carol, &err), 0,
		"%s", err.msg);
	cr_assert_eq(store_filter_get(st, "sedQ1w2e3", &a), -ENOENT);
	render("errors", text, sizeof(text));
	cr_assert(strstr(text, "pattern = WARN\n"), "%s", text);
	cr_assert(strstr(text, "matched = 2\n"), "%s", text);
	append("ERROR four\nWARN five\n");
	render("errors", text, sizeof(text));
	cr_assert(strstr(text, "matched = 3\n"), "%s", text);
}

Test(filters, renaming_to_a_free_name_moves_it_with_its_counts)
{
	struct alarm_info a;
	struct err err = {""};
	char text[1024];

	define(".errors.a1B2c3", "ERROR");
	append("ERROR one\n");
	cr_assert_eq(store_filter_rename(st, ".errors.a1B2c3", "errors", &carol,
					 &err),
		     0, "%s", err.msg);
	cr_assert_eq(store_filter_get(st, ".errors.a1B2c3", &a), -ENOENT);
	render("errors", text, sizeof(text));
	cr_assert(strstr(text, "matched = 1\n"), "%s", text);
	append("ERROR two\n");
	render("errors", text, sizeof(text));
	cr_assert(strstr(text, "matched = 2\n"), "%s", text);
}

Test(filters, a_rename_from_nothing_or_to_no_name_is_refused)
{
	struct err err = {""};

	define("errors", "ERROR");
	cr_assert_eq(store_filter_rename(st, "none", "errors", &carol, &err),
		     -ENOENT);
	cr_assert_eq(store_filter_rename(st, "errors", "..", &carol, &err),
		     -EINVAL);
	cr_assert_eq(store_filter_rename(st, "errors", "errors", &carol, &err),
		     0);
}

Test(filters, the_owner_given_is_kept_for_a_new_filter_only)
{
	const struct node_owner dave = {1003, 1004, 0600};
	const char text[] = "group = app\npattern = x\nmetric = App/X\n";
	struct alarm_info a;
	struct err err = {""};

	cr_assert_eq(store_filter_put(st, "x", text, strlen(text), &dave,
				      &carol, &err),
		     0, "%s", err.msg);
	cr_assert_eq(store_filter_get(st, "x", &a), 0);
	cr_assert_eq(a.attr.uid, 1003);
	cr_assert_eq(a.attr.gid, 1004);
	cr_assert_eq(a.attr.mode, 0600);
	cr_assert_eq(store_filter_put(st, "x", text, strlen(text), &carols,
				      &carol, &err),
		     0, "%s", err.msg);
	cr_assert_eq(store_filter_get(st, "x", &a), 0);
	cr_assert_eq(a.attr.uid, 1003);
	cr_assert_eq(a.attr.mode, 0600);
}

/* ---- dimensions (SPEC 11) ---- */

/* What stats_total adds up: every period's samples and sum. */
struct total {
	uint64_t samples;
	double sum;
};

static int add_period(void *ctx, int64_t start_ms, const struct summary *s)
{
	struct total *t = ctx;

	(void)start_ms;
	t->samples += s->count;
	t->sum += s->sum;
	return 0;
}

/* Every point of metric ns/name so far, which must exist. */
static struct total stats_total(const char *ns, const char *name)
{
	int64_t now = store_now_ms();
	struct stats_query q = {60, 0, now + 60000, now};
	struct total t = {0, 0};
	struct metric_info m;

	cr_assert_eq(store_metric_get(st, ns, name, &m), 0, "no %s/%s", ns,
		     name);
	cr_assert_eq(store_metric_stats(st, m.id, &q, add_period, &t), 0);
	return t;
}

Test(filters, each_event_goes_to_the_series_of_its_fields)
{
	const char text[] =
		"group = app\npattern = { $.level = \"error\" }\n"
		"metric = App/Errors\ndimension = Service=$.service\n"
		"value = $.ms\n";
	struct err err = {""};
	char out[1024];
	struct metric_info m;
	struct total t;

	cr_assert_eq(store_filter_put(st, "bysvc", text, strlen(text), &carols,
				      &carol, &err),
		     0, "%s", err.msg);
	append("{\"level\":\"error\",\"service\":\"pay\",\"ms\":5}\n"
	       "{\"level\":\"error\",\"service\":\"cart\",\"ms\":7}\n"
	       "{\"level\":\"info\",\"service\":\"pay\",\"ms\":100}\n"
	       "{\"level\":\"error\",\"service\":\"pay\",\"ms\":11}\n"
	       "{\"level\":\"error\",\"ms\":1000}\n"
	       "{\"level\":\"error\",\"service\":\"\",\"ms\":1000}\n");
	t = stats_total("App/Service=pay", "Errors");
	cr_assert_eq(t.samples, 2);
	cr_assert_float_eq(t.sum, 5 + 11, 1e-9);
	t = stats_total("App/Service=cart", "Errors");
	cr_assert_eq(t.samples, 1);
	cr_assert_float_eq(t.sum, 7, 1e-9);
	/* the filter's metric itself gets no points; the series are owned
	 * as it is */
	t = stats_total("App", "Errors");
	cr_assert_eq(t.samples, 0);
	cr_assert_eq(store_metric_get(st, "App/Service=pay", "Errors", &m), 0);
	cr_assert_eq(m.attr.uid, carol.uid);
	cr_assert_eq(m.attr.gid, carol.gid);
	/* 3 points; the 2 errors without a service matched but had none */
	render("bysvc", out, sizeof(out));
	cr_assert(strstr(out, "\nmatched = 3\nskipped = 2\n"), "%s", out);
}
