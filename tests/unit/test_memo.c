/*
 * The memo of lookups (store/memo.h): an answer is kept until the next
 * commit and never outlives it. First the table on its own, then through
 * the store: every kind of change a lookup could see (made, removed,
 * chmod, chown, sub-directories) is seen at the very next lookup.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/memo.h"
#include "store/store.h"
#include "tests/support/tmpstore.h"

static const struct memo_value FOUND = {.rc = 0, .n = 7, .unit = "Seconds"};
static const struct memo_value ABSENT = {.rc = -ENOENT};

Test(memo, an_answer_is_kept_for_its_own_key_only)
{
	struct memo *m = memo_new();
	struct memo_value v;

	cr_assert_not_null(m);
	cr_assert_not(memo_get(m, MEMO_DIR, 0, "AWS", NULL, &v));
	memo_put(m, MEMO_DIR, 0, "AWS", NULL, &FOUND);
	cr_assert(memo_get(m, MEMO_DIR, 0, "AWS", NULL, &v));
	cr_assert_eq(v.n, 7);
	cr_assert_str_eq(v.unit, "Seconds");
	/* Another kind, tree or key is another question. */
	cr_assert_not(memo_get(m, MEMO_SUBDIRS, 0, "AWS", NULL, &v));
	cr_assert_not(memo_get(m, MEMO_DIR, 1, "AWS", NULL, &v));
	cr_assert_not(memo_get(m, MEMO_DIR, 0, "AWS/EC2", NULL, &v));
	cr_assert_not(memo_get(m, MEMO_DIR, 0, "AW", NULL, &v));
	memo_free(m);
}

Test(memo, the_two_parts_of_a_key_do_not_run_together)
{
	struct memo *m = memo_new();
	struct memo_value v;

	memo_put(m, MEMO_METRIC, 0, "a", "bc", &FOUND);
	cr_assert_not(memo_get(m, MEMO_METRIC, 0, "ab", "c", &v));
	cr_assert_not(memo_get(m, MEMO_METRIC, 0, "a", "b", &v));
	cr_assert_not(memo_get(m, MEMO_METRIC, 0, "a", NULL, &v));
	cr_assert(memo_get(m, MEMO_METRIC, 0, "a", "bc", &v));
	memo_free(m);
}

Test(memo, an_absence_is_an_answer_too)
{
	struct memo *m = memo_new();
	struct memo_value v;

	memo_put(m, MEMO_DIR, 0, "gone", NULL, &ABSENT);
	cr_assert(memo_get(m, MEMO_DIR, 0, "gone", NULL, &v));
	cr_assert_eq(v.rc, -ENOENT);
	memo_free(m);
}

Test(memo, a_commit_makes_every_answer_stale)
{
	struct memo *m = memo_new();
	struct memo_value v;
	char key[32];
	int i;

	for (i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "ns%d", i);
		memo_put(m, MEMO_DIR, 0, key, NULL, &FOUND);
	}
	memo_forget(m);
	for (i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "ns%d", i);
		cr_assert_not(memo_get(m, MEMO_DIR, 0, key, NULL, &v), "%s",
			      key);
	}
	memo_free(m);
}

Test(memo, a_key_too_long_is_not_kept_and_a_full_memo_replaces)
{
	struct memo *m = memo_new();
	struct memo_value v;
	char key[MEMO_KEY_MAX + 8];
	int i, kept = 0;

	memset(key, 'x', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	memo_put(m, MEMO_DIR, 0, key, NULL, &FOUND);
	cr_assert_not(memo_get(m, MEMO_DIR, 0, key, NULL, &v));
	/* More answers than slots: the newest are kept, none is wrong. */
	for (i = 0; i < 5000; i++) {
		struct memo_value mine = {.rc = 0, .n = i};

		snprintf(key, sizeof(key), "ns%d", i);
		memo_put(m, MEMO_DIR, 0, key, NULL, &mine);
	}
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "ns%d", i);
		if (memo_get(m, MEMO_DIR, 0, key, NULL, &v)) {
			cr_assert_eq(v.n, i);
			kept++;
		}
	}
	cr_assert_gt(kept, 0);
	cr_assert(memo_get(m, MEMO_DIR, 0, "ns4999", NULL, &v));
	memo_free(m);
}

/* ---- through the store ---- */

static struct tmpstore fixture;
static struct store *st;
static const struct caller alice = {
	.uid = 1000, .gid = 1000, .pid = 42, .user = "alice", .process = "t"};

static void open_store(void)
{
	tmpstore_open(&fixture, "memo", &st);
}

static void close_store(void)
{
	tmpstore_close(&fixture, st);
}

Test(memo_store, a_lookup_sees_every_change_at_once, .init = open_store,
     .fini = close_store)
{
	struct err err = {""};
	struct node_attr a;
	struct metric_info mi;
	int64_t subdirs = -1;

	/* Absent, asked twice (the second answer from the memo). */
	cr_assert_eq(store_dir_get(st, TREE_NAMESPACES, "App", &a), -ENOENT);
	cr_assert_eq(store_dir_get(st, TREE_NAMESPACES, "App", &a), -ENOENT);
	cr_assert_eq(store_dir_create(st, TREE_NAMESPACES, "App", 0755, &alice,
				      &err),
		     0, "%s", err.msg);
	cr_assert_eq(store_dir_get(st, TREE_NAMESPACES, "App", &a), 0);
	cr_assert_eq(a.mode & 07777, 0755);
	cr_assert_eq(store_dir_subdirs(st, TREE_NAMESPACES, "App", &subdirs),
		     0);
	cr_assert_eq(subdirs, 0);
	cr_assert_eq(store_dir_create(st, TREE_NAMESPACES, "App/Deep", 0755,
				      &alice, &err),
		     0, "%s", err.msg);
	cr_assert_eq(store_dir_subdirs(st, TREE_NAMESPACES, "App", &subdirs),
		     0);
	cr_assert_eq(subdirs, 1);

	cr_assert_eq(store_node_set_owner(st, NODE_NAMESPACE, "App", NULL,
					  (uid_t)-1, 2000, 0700, &alice, &err),
		     0, "%s", err.msg);
	cr_assert_eq(store_dir_get(st, TREE_NAMESPACES, "App", &a), 0);
	cr_assert_eq(a.mode & 07777, 0700);
	cr_assert_eq(a.gid, 2000);

	cr_assert_eq(store_metric_get(st, "App", "lat", &mi), -ENOENT);
	cr_assert_eq(
		store_metric_create(st, "App", "lat", 0644, &alice, &mi, &err),
		0, "%s", err.msg);
	cr_assert_eq(store_metric_get(st, "App", "lat", &mi), 0);
	cr_assert_eq(store_metric_set_unit(st, "App", "lat", "Seconds", &alice,
					   &err),
		     0, "%s", err.msg);
	cr_assert_eq(store_metric_get(st, "App", "lat", &mi), 0);
	cr_assert_str_eq(mi.unit, "Seconds");
	cr_assert_eq(store_file_delete(st, TREE_NAMESPACES, "App", "lat",
				       &alice, &err),
		     0, "%s", err.msg);
	cr_assert_eq(store_metric_get(st, "App", "lat", &mi), -ENOENT);

	cr_assert_eq(
		store_dir_delete(st, TREE_NAMESPACES, "App/Deep", &alice, &err),
		0, "%s", err.msg);
	cr_assert_eq(store_dir_get(st, TREE_NAMESPACES, "App/Deep", &a),
		     -ENOENT);
	cr_assert_eq(store_dir_subdirs(st, TREE_NAMESPACES, "App", &subdirs),
		     0);
	cr_assert_eq(subdirs, 0);
}

/* Asking only whether a directory exists (out NULL), answered by the
 * memo the second time: the crash 100 alarms' log: actions found. */
Test(memo_store, whether_a_directory_exists_needs_no_attributes,
     .init = open_store, .fini = close_store)
{
	struct err err = {""};

	cr_assert_eq(store_dir_create(st, TREE_LOG_GROUPS, "ops", 0755, &alice,
				      &err),
		     0, "%s", err.msg);
	cr_assert_eq(store_dir_get(st, TREE_LOG_GROUPS, "ops", NULL), 0);
	cr_assert_eq(store_dir_get(st, TREE_LOG_GROUPS, "ops", NULL), 0);
	cr_assert_eq(store_dir_get(st, TREE_LOG_GROUPS, "nope", NULL), -ENOENT);
	cr_assert_eq(store_dir_get(st, TREE_LOG_GROUPS, "nope", NULL), -ENOENT);
}
