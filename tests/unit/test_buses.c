/*
 * Event buses in the store (SPEC 13): the default bus, buses made and
 * removed, PutEvents all or nothing, the events monfs emits, and the 24
 * hours a bus keeps an event.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/timeutil.h"
#include "store/store.h"
#include "tests/support/tmpstore.h"

static struct tmpstore fixture;
static struct store *st;
static const struct caller bob = {
	.uid = 1001, .gid = 1001, .pid = 7, .user = "bob", .process = "test"};
static const struct caller root = {
	.uid = 0, .gid = 0, .pid = 8, .user = "root", .process = "test"};

static void open_store(void)
{
	tmpstore_open(&fixture, "buses", &st);
}

static void close_store(void)
{
	tmpstore_close(&fixture, st);
}

TestSuite(buses, .init = open_store, .fini = close_store);

/* The whole bus name, read into a malloc'ed string. */
static char *read_bus(const char *name)
{
	struct stream_info s;
	char *buf;
	int n;

	cr_assert_eq(store_bus_get(st, name, &s), 0);
	buf = calloc(1, (size_t)(s.end - s.start) + 1);
	cr_assert_not_null(buf);
	n = store_stream_read(st, s.id, 0, buf, (size_t)(s.end - s.start));
	cr_assert_eq(n, s.end - s.start);
	return buf;
}

/* How many lines of text hold needle. */
static int lines_with(const char *text, const char *needle)
{
	const char *at = text;
	int n = 0;

	while ((at = strstr(at, needle))) {
		n++;
		at = strchr(at, '\n');
		if (!at)
			break;
	}
	return n;
}

/* PutEvents of text onto bus name as who. */
static int put(const char *name, const char *text, const struct caller *who,
	       struct err *err)
{
	struct stream_info s;
	struct data_session *ds;
	int rc;

	cr_assert_eq(store_bus_get(st, name, &s), 0);
	ds = store_data_open(DATA_BUS, s.id, "", name, who);
	cr_assert_not_null(ds);
	rc = store_data_put(st, ds, text, strlen(text), store_now_ms(), err);
	cr_assert_eq(store_data_close(st, ds), 0);
	return rc;
}

static int count_bus(void *ctx, const char *name, bool is_dir,
		     const struct node_attr *attr)
{
	(void)name, (void)attr;
	cr_assert_not(is_dir);
	(*(int *)ctx)++;
	return 0;
}

Test(buses, the_default_bus_is_always_there_and_root_s)
{
	struct stream_info s;
	struct err err = {""};
	int n = 0;

	cr_assert_eq(store_bus_get(st, "default", &s), 0);
	cr_assert_eq(s.attr.uid, 0);
	cr_assert_eq(s.attr.mode, 0644);
	cr_assert_eq(store_bus_list(st, count_bus, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(store_bus_delete(st, "default", &root, &err), -EPERM);
	cr_assert(strstr(err.msg, "default bus cannot be deleted"), "%s",
		  err.msg);
	cr_assert_eq(store_bus_get(st, "default", &s), 0);
}

Test(buses, buses_are_made_and_removed_by_name)
{
	struct stream_info s;
	struct err err = {""};
	int n = 0;

	cr_assert_eq(store_bus_create(st, "orders", 0640, &bob, &s, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(s.attr.uid, 1001);
	cr_assert_eq(store_bus_create(st, "orders", 0640, &bob, &s, &err),
		     -EEXIST);
	cr_assert_eq(store_bus_create(st, ".x", 0640, &bob, &s, &err), -EINVAL);
	cr_assert_eq(store_bus_list(st, count_bus, &n), 0);
	cr_assert_eq(n, 2);
	/* No log group shows it. */
	cr_assert_eq(store_stream_get(st, "orders", "orders", &s), -ENOENT);
	cr_assert_eq(store_bus_delete(st, "orders", &bob, &err), 0);
	cr_assert_eq(store_bus_get(st, "orders", &s), -ENOENT);
	cr_assert_eq(store_bus_delete(st, "orders", &bob, &err), -ENOENT);
}

Test(buses, put_events_become_envelopes_all_or_nothing)
{
	struct stream_info s;
	struct err err = {""};
	char *text;
	json_t *env;

	cr_assert_eq(store_bus_create(st, "app", 0644, &bob, &s, &err), 0);
	cr_assert_eq(
		put("app",
		    "{\"Source\":\"shop\",\"DetailType\":\"order\","
		    "\"Detail\":{\"n\":1},\"Time\":\"2001-02-03T04:05:06Z\","
		    "\"Resources\":[\"r\"]}\n",
		    &bob, &err),
		0, "%s", err.msg);
	cr_assert_eq(put("app",
			 "{\"Source\":\"shop\",\"DetailType\":\"x\","
			 "\"Detail\":{}}\n{\"Source\":\"shop\"}\n",
			 &bob, &err),
		     -EINVAL);
	cr_assert(strstr(err.msg, "line 2: DetailType: missing"), "%s",
		  err.msg);
	cr_assert_eq(put("app",
			 "{\"Source\":\"aws.ec2\",\"DetailType\":\"x\","
			 "\"Detail\":{}}\n",
			 &bob, &err),
		     -EACCES);
	text = read_bus("app");
	cr_assert_eq(lines_with(text, "\"version\""), 1, "%s", text);
	env = json_loads(text, JSON_DISABLE_EOF_CHECK, NULL);
	cr_assert_not_null(env, "%s", text);
	cr_assert_str_eq(json_string_value(json_object_get(env, "source")),
			 "shop");
	cr_assert_str_eq(json_string_value(json_object_get(env, "detail-type")),
			 "order");
	cr_assert_str_eq(json_string_value(json_object_get(env, "time")),
			 "2001-02-03T04:05:06Z");
	cr_assert_str_eq(json_string_value(json_object_get(env, "account")),
			 "000000000000");
	cr_assert_str_eq(json_string_value(json_object_get(env, "region")),
			 "local");
	cr_assert_eq(json_integer_value(json_object_get(
			     json_object_get(env, "detail"), "n")),
		     1);
	json_decref(env);
	free(text);
	/* Root may put what looks like AWS's. */
	cr_assert_eq(put("app",
			 "{\"Source\":\"aws.ec2\",\"DetailType\":\"x\","
			 "\"Detail\":{}}\n",
			 &root, &err),
		     0, "%s", err.msg);
}

Test(buses, changes_are_emitted_on_default_and_data_events_are_not)
{
	struct stream_info s;
	struct err err = {""};
	char *text;

	cr_assert_eq(
		store_dir_create(st, TREE_NAMESPACES, "App", 0755, &bob, &err),
		0);
	cr_assert_eq(store_bus_create(st, "b", 0644, &bob, &s, &err), 0);
	cr_assert_eq(put("b",
			 "{\"Source\":\"s\",\"DetailType\":\"x\","
			 "\"Detail\":{}}\n",
			 &bob, &err),
		     0);
	text = read_bus("default");
	cr_assert_eq(lines_with(text, "\"eventName\":\"CreateNamespace\""), 1,
		     "%s", text);
	cr_assert_eq(lines_with(text, "\"detail-type\":\"AWS API Call via "
				      "CloudTrail\",\"source\":\"aws."
				      "cloudwatch\""),
		     1, "%s", text);
	cr_assert_eq(lines_with(text, "\"eventName\":\"CreateEventBus\""), 1);
	cr_assert_eq(lines_with(text, "\"source\":\"aws.events\""), 1);
	cr_assert_eq(lines_with(text, "PutEvents"), 0, "%s", text);
	free(text);
}

Test(buses, events_expire_a_day_after_arrival_but_wait_for_a_reader)
{
	struct stream_info s;
	struct err err = {""};
	int64_t now = store_now_ms();

	cr_assert_eq(store_bus_create(st, "b", 0644, &bob, &s, &err), 0);
	/* Its time is a year ago: arrival is what counts. */
	cr_assert_eq(put("b",
			 "{\"Source\":\"s\",\"DetailType\":\"x\","
			 "\"Detail\":{},\"Time\":\"2000-01-01T00:00:00Z\"}\n",
			 &bob, &err),
		     0);
	cr_assert_geq(store_logs_sweep(st, now + 23 * MS_PER_HOUR), 0);
	cr_assert_eq(store_bus_get(st, "b", &s), 0);
	cr_assert_gt(s.end - s.start, 0);
	/* Held open: it waits, at most a day past due. */
	cr_assert_eq(store_stream_hold(st, s.id), 0);
	cr_assert_geq(store_logs_sweep(st, now + 25 * MS_PER_HOUR), 0);
	cr_assert_eq(store_bus_get(st, "b", &s), 0);
	cr_assert_gt(s.end - s.start, 0);
	cr_assert_gt(store_logs_sweep(st, now + 49 * MS_PER_HOUR), 0);
	cr_assert_eq(store_bus_get(st, "b", &s), 0);
	cr_assert_eq(s.end - s.start, 0);
	cr_assert_eq(store_stream_release(st, s.id), 0);
}

Test(buses, events_survive_a_reopen)
{
	struct stream_info s;
	struct err err = {""};
	char *text;

	cr_assert_eq(store_bus_create(st, "keep", 0644, &bob, &s, &err), 0);
	cr_assert_eq(put("keep",
			 "{\"Source\":\"s\",\"DetailType\":\"kept\","
			 "\"Detail\":{}}\n",
			 &bob, &err),
		     0);
	store_close(st);
	cr_assert_eq(store_open(fixture.path, &st, &err), 0, "%s", err.msg);
	text = read_bus("keep");
	cr_assert_eq(lines_with(text, "\"detail-type\":\"kept\""), 1, "%s",
		     text);
	free(text);
}
