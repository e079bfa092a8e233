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

static char dir[] = "/tmp/monfs-filters-XXXXXX";
static struct store *st;
static const struct caller carol = {
	.uid = 1002, .gid = 1002, .pid = 9, .user = "carol", .process = "test"};
static const struct node_owner carols = {1002, 1002, 0644};
static struct stream_info stream;

static void open_store(void)
{
	char path[256];
	struct err err = {""};

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
	cr_assert_eq(store_open(path, &st, &err), 0, "%s", err.msg);
	cr_assert_eq(store_dir_create(st, TREE_LOG_GROUPS, "app", 0755, &carol,
				      &err),
		     0);
	cr_assert_eq(store_stream_create(st, "app", "web", 0644, &carol,
					 &stream, &err),
		     0);
}

static void close_store(void)
{
	char cmd[300];

	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
	strcpy(dir, "/tmp/monfs-filters-XXXXXX");
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
