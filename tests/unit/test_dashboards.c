/*
 * Dashboards in the store (SPEC 15), through store/store.h: a body put
 * and read back pretty-printed in the order written, refused with its
 * JSON path and the old body kept, renamed and deleted, names that end
 * as a view does refused, each with its trail record.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/strbuf.h"
#include "store/store.h"
#include "tests/support/tmpstore.h"

static struct tmpstore fixture;
static struct store *st;
static const struct caller bob = {
	.uid = 1001, .gid = 1001, .pid = 7, .user = "bob", .process = "test"};
static const struct node_owner bobs = {1001, 1001, 0644};

static const char BODY[] =
	"{\"widgets\":[{\"type\":\"text\",\"x\":0,\"y\":0,\"width\":6,"
	"\"height\":2,\"properties\":{\"markdown\":\"hi\"}}],"
	"\"start\":\"-PT1H\"}";

static void open_store(void)
{
	tmpstore_open(&fixture, "dash", &st);
}

static void close_store(void)
{
	tmpstore_close(&fixture, st);
}

TestSuite(dashboards, .init = open_store, .fini = close_store);

/* The body of dashboard name as a read gives it, malloc'ed. */
static char *body_of(const char *name)
{
	struct strbuf out = STRBUF_INIT;

	cr_assert_eq(store_dashboard_render(st, name, &out), 0);
	return out.buf;
}

/* How many of today's records hold text. */
static int records_with(const char *text)
{
	char *trail = tmpstore_trail_today(st), *at = trail;
	int n = 0;

	while ((at = strstr(at, text))) {
		n++;
		at += strlen(text);
	}
	free(trail);
	return n;
}

static int put(const char *name, const char *body, struct err *err)
{
	return store_dashboard_put(st, name, body, strlen(body), &bobs, &bob,
				   err);
}

Test(dashboards, a_body_is_kept_pretty_printed_in_the_order_written)
{
	struct err err = {""};
	struct alarm_info a;
	char *body;

	cr_assert_eq(put("web", BODY, &err), 0, "%s", err.msg);
	body = body_of("web");
	cr_assert(strstr(body, "{\n  \"widgets\": [\n") == body, "%s", body);
	cr_assert(strstr(body, "\"start\": \"-PT1H\"\n}\n") != NULL, "%s",
		  body);
	cr_assert_eq(store_dashboard_get(st, "web", &a), 0);
	cr_assert_eq(a.attr.uid, 1001);
	cr_assert_eq(a.attr.mode, 0644);
	/* What a read gives writes back unchanged. */
	cr_assert_eq(put("web", body, &err), 0, "%s", err.msg);
	{
		char *again = body_of("web");

		cr_assert_str_eq(again, body);
		free(again);
	}
	free(body);
	cr_assert_eq(records_with("\"eventName\":\"PutDashboard\""), 2);
	cr_assert_eq(records_with("\"dashboardName\":\"web\""), 2);
}

Test(dashboards, a_bad_body_is_refused_with_its_path_and_the_old_one_stays)
{
	struct err err = {""};
	char *before, *after;

	cr_assert_eq(put("web", BODY, &err), 0, "%s", err.msg);
	before = body_of("web");
	cr_assert_eq(put("web",
			 "{\"widgets\":[{\"type\":\"metric\",\"properties\":"
			 "{\"metrics\":[[\"A\",\"b\"],[\"A\",7]]}}]}",
			 &err),
		     -EINVAL);
	cr_assert(strstr(err.msg, "widgets[0].properties.metrics[1]") != NULL,
		  "%s", err.msg);
	after = body_of("web");
	cr_assert_str_eq(after, before);
	cr_assert_eq(put("web", "{\"widgets\": [", &err), -EINVAL);
	cr_assert_eq(records_with("\"errorCode\":\"InvalidParameterValue\""),
		     2);
	free(before);
	free(after);
}

Test(dashboards, names_ending_as_a_view_does_are_refused)
{
	struct err err = {""};

	cr_assert_eq(put("web.svg", BODY, &err), -EINVAL);
	cr_assert(strstr(err.msg, ".svg") != NULL, "%s", err.msg);
	cr_assert_eq(put("web.html", BODY, &err), -EINVAL);
	cr_assert_eq(put("web.txt", BODY, &err), -EINVAL);
	cr_assert_eq(put(".txt", BODY, &err), 0, "%s", err.msg);
	cr_assert_eq(put("web.svgz", BODY, &err), 0, "%s", err.msg);
	cr_assert_eq(
		store_dashboard_rename(st, "web.svgz", "x.html", &bob, &err),
		-EINVAL);
	cr_assert_str_eq(dashboard_view_ending("a.txt"), ".txt");
	cr_assert_null(dashboard_view_ending(".svg"));
}

Test(dashboards, rename_moves_or_replaces_and_delete_removes_with_records)
{
	struct err err = {""};
	struct alarm_info a;
	char *body;

	cr_assert_eq(put("a", BODY, &err), 0, "%s", err.msg);
	cr_assert_eq(store_dashboard_rename(st, "a", "b", &bob, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(store_dashboard_get(st, "a", &a), -ENOENT);
	cr_assert_eq(store_dashboard_get(st, "b", &a), 0);
	cr_assert_eq(records_with("\"sourceDashboardName\":\"a\""), 1);
	cr_assert_eq(records_with("\"dashboardNames\":[\"a\"]"), 1);
	/* Onto an existing one: its body is replaced. */
	cr_assert_eq(put("c", "{\"widgets\":[]}", &err), 0, "%s", err.msg);
	cr_assert_eq(store_dashboard_rename(st, "b", "c", &bob, &err), 0, "%s",
		     err.msg);
	body = body_of("c");
	cr_assert(strstr(body, "\"markdown\": \"hi\"") != NULL, "%s", body);
	free(body);
	cr_assert_eq(store_dashboard_delete(st, "c", &bob, &err), 0);
	cr_assert_eq(store_dashboard_delete(st, "c", &bob, &err), -ENOENT);
	cr_assert_eq(records_with("\"dashboardNames\":[\"c\"]"), 2);
}
