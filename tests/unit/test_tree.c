/*
 * The two directory trees on a temporary database (store/tree.c, SPEC 2):
 * namespaces and log groups nest one level per '/', names are checked
 * level by level and whole, and every change is on the trail (SPEC 6).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
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

static void open_store(void)
{
	tmpstore_open(&fixture, "tree", &st);
}

static void close_store(void)
{
	tmpstore_close(&fixture, st);
}

TestSuite(tree, .init = open_store, .fini = close_store);

static int mkdir_(enum tree tree, const char *name, struct err *err)
{
	return store_dir_create(st, tree, name, 0755, &alice, err);
}

/* A name of n copies of c, in buf. */
static const char *repeat(char *buf, char c, size_t n)
{
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

/* The last record of today's trail, parsed; the caller decrefs it. */
static json_t *last_record(void)
{
	int64_t day = store_now_ms() / MS_PER_DAY;
	struct trail_day d;
	char *buf, *last;
	json_t *rec;
	json_error_t jerr;
	int n;

	cr_assert_eq(store_trail_day(st, day, &d), 0);
	buf = malloc((size_t)d.size + 1);
	cr_assert_not_null(buf);
	n = store_trail_read(st, day, 0, buf, (size_t)d.size);
	cr_assert_eq(n, d.size);
	cr_assert_eq(buf[n - 1], '\n');
	buf[n - 1] = '\0';
	last = strrchr(buf, '\n');
	rec = json_loads(last ? last + 1 : buf, 0, &jerr);
	cr_assert_not_null(rec, "%s", jerr.text);
	free(buf);
	return rec;
}

static const char *field(json_t *rec, const char *key)
{
	const char *s = json_string_value(json_object_get(rec, key));

	return s ? s : "";
}

static const char *param(json_t *rec, const char *key)
{
	return field(json_object_get(rec, "requestParameters"), key);
}

struct listing {
	int n;
	char names[8][64];
	bool is_dir[8];
};

static int collect(void *ctx, const char *name, bool is_dir,
		   const struct node_attr *attr)
{
	struct listing *l = ctx;

	(void)attr;
	cr_assert_lt(l->n, 8);
	snprintf(l->names[l->n], sizeof(l->names[0]), "%s", name);
	l->is_dir[l->n++] = is_dir;
	return 0;
}

Test(tree, a_namespace_is_made_with_its_owner_and_mode)
{
	struct err err = {""};
	struct node_attr a;

	cr_assert_eq(store_dir_create(st, TREE_NAMESPACES, "EC2", 0750, &alice,
				      &err),
		     0, "%s", err.msg);
	cr_assert_eq(store_dir_get(st, TREE_NAMESPACES, "EC2", &a), 0);
	cr_assert_eq(a.uid, 1000);
	cr_assert_eq(a.gid, 1000);
	cr_assert_eq(a.mode & 07777, 0750);
	cr_assert_gt(a.ctime_ms, 0);
	/* The other tree does not see it. */
	cr_assert_eq(store_dir_get(st, TREE_LOG_GROUPS, "EC2", &a), -ENOENT);
}

Test(tree, a_nested_directory_needs_its_parent)
{
	struct err err = {""};

	cr_assert_eq(mkdir_(TREE_LOG_GROUPS, "aws/lambda", &err), -ENOENT);
	cr_assert(strstr(err.msg, "no log group aws") != NULL, "%s", err.msg);
	cr_assert_eq(store_dir_get(st, TREE_LOG_GROUPS, "aws/lambda", NULL),
		     -ENOENT);
	cr_assert_eq(mkdir_(TREE_LOG_GROUPS, "aws", &err), 0);
	cr_assert_eq(mkdir_(TREE_LOG_GROUPS, "aws/lambda", &err), 0);
	cr_assert_eq(mkdir_(TREE_LOG_GROUPS, "aws/lambda/checkout", &err), 0);
	cr_assert_eq(
		store_dir_get(st, TREE_LOG_GROUPS, "aws/lambda/checkout", NULL),
		0);
}

Test(tree, making_a_directory_that_exists_is_eexist)
{
	struct err err = {""};

	cr_assert_eq(mkdir_(TREE_NAMESPACES, "AWS", &err), 0);
	cr_assert_eq(mkdir_(TREE_NAMESPACES, "AWS", &err), -EEXIST);
	cr_assert(strstr(err.msg, "namespace AWS exists") != NULL, "%s",
		  err.msg);
}

Test(tree, a_bad_level_is_einval_and_says_which)
{
	static const char *const bad[] = {".hidden",   "AWS/.x",   "a?b",
					  "a\x01z",    "AWS//EC2", "",
					  "tab\there", "\xff\xfe"};
	struct err err;
	size_t i;

	cr_assert_eq(mkdir_(TREE_NAMESPACES, "AWS", &err), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = '\0';
		cr_assert_eq(mkdir_(TREE_NAMESPACES, bad[i], &err), -EINVAL,
			     "%zu", i);
		cr_assert(strstr(err.msg, "invalid namespace level") != NULL,
			  "%zu: %s", i, err.msg);
	}
	err.msg[0] = '\0';
	cr_assert_eq(mkdir_(TREE_LOG_GROUPS, ".x", &err), -EINVAL);
	cr_assert(strstr(err.msg, "invalid log group level") != NULL, "%s",
		  err.msg);
}

Test(tree, a_level_of_255_bytes_is_a_name_and_256_is_too_long)
{
	char name[300];
	struct err err = {""};

	cr_assert_eq(mkdir_(TREE_NAMESPACES, repeat(name, 'n', 255), &err), 0,
		     "%s", err.msg);
	cr_assert_eq(mkdir_(TREE_NAMESPACES, repeat(name, 'm', 256), &err),
		     -ENAMETOOLONG);
	cr_assert(strstr(err.msg, "invalid namespace level") != NULL, "%s",
		  err.msg);
}

Test(tree, a_whole_namespace_of_255_bytes_is_fine_and_256_is_too_long)
{
	char name[300];
	struct err err = {""};

	/* 128 + '/' + 126 = 255; 128 + '/' + 127 = 256. */
	repeat(name, 'a', 128);
	cr_assert_eq(mkdir_(TREE_NAMESPACES, name, &err), 0);
	name[128] = '/';
	repeat(name + 129, 'b', 126);
	cr_assert_eq(strlen(name), 255);
	cr_assert_eq(mkdir_(TREE_NAMESPACES, name, &err), 0, "%s", err.msg);
	repeat(name + 129, 'c', 127);
	cr_assert_eq(mkdir_(TREE_NAMESPACES, name, &err), -ENAMETOOLONG);
	cr_assert(strstr(err.msg, "namespace is 256 bytes, more than 255") !=
			  NULL,
		  "%s", err.msg);
}

Test(tree, a_log_group_of_512_bytes_is_fine_and_513_is_too_long)
{
	char name[600];
	struct err err = {""};

	/* 255 + '/' + 254 + '/' + 1 = 512. */
	repeat(name, 'x', 255);
	cr_assert_eq(mkdir_(TREE_LOG_GROUPS, name, &err), 0);
	name[255] = '/';
	repeat(name + 256, 'y', 254);
	cr_assert_eq(mkdir_(TREE_LOG_GROUPS, name, &err), 0, "%s", err.msg);
	strcat(name, "/z");
	cr_assert_eq(strlen(name), 512);
	cr_assert_eq(mkdir_(TREE_LOG_GROUPS, name, &err), 0, "%s", err.msg);
	cr_assert_eq(store_dir_get(st, TREE_LOG_GROUPS, name, NULL), 0);
	/* One byte more: 513, refused whether or not its parent exists. */
	strcat(name, "z");
	cr_assert_eq(mkdir_(TREE_LOG_GROUPS, name, &err), -ENAMETOOLONG);
	cr_assert(strstr(err.msg, "log group is 513 bytes, more than 512") !=
			  NULL,
		  "%s", err.msg);
	/* The same 512 bytes are too many for a namespace. */
	name[512] = '\0';
	cr_assert_eq(mkdir_(TREE_NAMESPACES, name, &err), -ENAMETOOLONG);
}

Test(tree, a_listing_shows_last_levels_and_files_in_name_order)
{
	struct listing top = {0}, aws = {0};
	struct err err = {""};
	struct metric_info m;

	cr_assert_eq(mkdir_(TREE_NAMESPACES, "AWS", &err), 0);
	cr_assert_eq(mkdir_(TREE_NAMESPACES, "AWS/EC2", &err), 0);
	cr_assert_eq(mkdir_(TREE_NAMESPACES, "AWS/Billing", &err), 0);
	cr_assert_eq(mkdir_(TREE_NAMESPACES, "App", &err), 0);
	cr_assert_eq(
		store_metric_create(st, "AWS", "Calls", 0644, &alice, &m, &err),
		0, "%s", err.msg);
	cr_assert_eq(store_dir_list(st, TREE_NAMESPACES, "", collect, &top), 0);
	cr_assert_eq(top.n, 2);
	cr_assert_str_eq(top.names[0], "AWS");
	cr_assert_str_eq(top.names[1], "App");
	cr_assert(top.is_dir[0] && top.is_dir[1]);
	cr_assert_eq(store_dir_list(st, TREE_NAMESPACES, "AWS", collect, &aws),
		     0);
	cr_assert_eq(aws.n, 3);
	cr_assert_str_eq(aws.names[0], "Billing");
	cr_assert_str_eq(aws.names[1], "EC2");
	cr_assert(aws.is_dir[0] && aws.is_dir[1]);
	cr_assert_str_eq(aws.names[2], "Calls");
	cr_assert_not(aws.is_dir[2]);
	cr_assert_eq(store_dir_list(st, TREE_NAMESPACES, "Nope", collect, &aws),
		     -ENOENT);
}

Test(tree, subdirectories_are_counted_without_the_files)
{
	struct err err = {""};
	struct stream_info s;
	int64_t n = -1;

	cr_assert_eq(store_dir_subdirs(st, TREE_LOG_GROUPS, "", &n), 0);
	cr_assert_eq(n, 0);
	cr_assert_eq(mkdir_(TREE_LOG_GROUPS, "aws", &err), 0);
	cr_assert_eq(mkdir_(TREE_LOG_GROUPS, "app", &err), 0);
	cr_assert_eq(mkdir_(TREE_LOG_GROUPS, "aws/lambda", &err), 0);
	cr_assert_eq(mkdir_(TREE_LOG_GROUPS, "aws/ecs", &err), 0);
	cr_assert_eq(
		store_stream_create(st, "aws", "s1", 0644, &alice, &s, &err), 0,
		"%s", err.msg);
	cr_assert_eq(store_dir_subdirs(st, TREE_LOG_GROUPS, "", &n), 0);
	cr_assert_eq(n, 2);
	cr_assert_eq(store_dir_subdirs(st, TREE_LOG_GROUPS, "aws", &n), 0);
	cr_assert_eq(n, 2);
	cr_assert_eq(store_dir_subdirs(st, TREE_LOG_GROUPS, "aws/lambda", &n),
		     0);
	cr_assert_eq(n, 0);
	cr_assert_eq(store_dir_subdirs(st, TREE_NAMESPACES, "", &n), 0);
	cr_assert_eq(n, 0);
}

Test(tree, a_file_is_made_only_in_a_directory_that_exists)
{
	struct err err = {""};
	struct metric_info m;
	struct stream_info s;

	cr_assert_eq(
		store_metric_create(st, "EC2", "CPU", 0644, &alice, &m, &err),
		-ENOENT);
	cr_assert(strstr(err.msg, "no namespace EC2") != NULL, "%s", err.msg);
	cr_assert_eq(
		store_stream_create(st, "app", "web", 0644, &alice, &s, &err),
		-ENOENT);
	cr_assert(strstr(err.msg, "no log group app") != NULL, "%s", err.msg);
	cr_assert_eq(mkdir_(TREE_NAMESPACES, "EC2", &err), 0);
	cr_assert_eq(
		store_metric_create(st, "EC2", "CPU", 0640, &alice, &m, &err),
		0, "%s", err.msg);
	cr_assert_gt(m.id, 0);
	cr_assert_eq(m.attr.uid, 1000);
	cr_assert_eq(m.attr.mode, 0640);
	cr_assert_str_eq(m.unit, "");
	cr_assert_eq(mkdir_(TREE_LOG_GROUPS, "app", &err), 0);
	cr_assert_eq(
		store_stream_create(st, "app", "web", 0600, &alice, &s, &err),
		0, "%s", err.msg);
	cr_assert_gt(s.id, 0);
	cr_assert_eq(s.attr.mode, 0600);
	cr_assert_eq(s.end - s.start, 0);
}

Test(tree, a_file_name_is_checked_like_a_level)
{
	char name[300];
	struct err err = {""};
	struct metric_info m;

	cr_assert_eq(mkdir_(TREE_NAMESPACES, "EC2", &err), 0);
	cr_assert_eq(
		store_metric_create(st, "EC2", ".cpu", 0644, &alice, &m, &err),
		-EINVAL);
	cr_assert(strstr(err.msg, "invalid metric name") != NULL, "%s",
		  err.msg);
	cr_assert_eq(
		store_metric_create(st, "EC2", "a?b", 0644, &alice, &m, &err),
		-EINVAL);
	cr_assert_eq(store_metric_create(st, "EC2", repeat(name, 'm', 256),
					 0644, &alice, &m, &err),
		     -ENAMETOOLONG);
	cr_assert_eq(store_metric_create(st, "EC2", repeat(name, 'm', 255),
					 0644, &alice, &m, &err),
		     0, "%s", err.msg);
}

Test(tree, a_file_and_a_directory_never_share_a_name)
{
	struct err err = {""};
	struct metric_info m;
	struct stream_info s;

	cr_assert_eq(mkdir_(TREE_NAMESPACES, "AWS", &err), 0);
	cr_assert_eq(mkdir_(TREE_NAMESPACES, "AWS/EC2", &err), 0);
	cr_assert_eq(
		store_metric_create(st, "AWS", "EC2", 0644, &alice, &m, &err),
		-EEXIST);
	cr_assert(strstr(err.msg, "AWS/EC2 is a namespace") != NULL, "%s",
		  err.msg);
	cr_assert_eq(
		store_metric_create(st, "AWS", "CPU", 0644, &alice, &m, &err),
		0);
	cr_assert_eq(mkdir_(TREE_NAMESPACES, "AWS/CPU", &err), -EEXIST);
	cr_assert(strstr(err.msg, "AWS already holds a metric CPU") != NULL,
		  "%s", err.msg);
	cr_assert_eq(
		store_metric_create(st, "AWS", "CPU", 0644, &alice, &m, &err),
		-EEXIST);
	cr_assert_eq(mkdir_(TREE_LOG_GROUPS, "app", &err), 0);
	cr_assert_eq(
		store_stream_create(st, "app", "web", 0644, &alice, &s, &err),
		0);
	cr_assert_eq(mkdir_(TREE_LOG_GROUPS, "app/web", &err), -EEXIST);
	cr_assert(strstr(err.msg, "app already holds a stream web") != NULL,
		  "%s", err.msg);
}

Test(tree, a_deleted_file_is_gone_and_deleting_it_again_is_enoent)
{
	struct err err = {""};
	struct metric_info m;
	struct stream_info s;

	cr_assert_eq(mkdir_(TREE_NAMESPACES, "EC2", &err), 0);
	cr_assert_eq(
		store_metric_create(st, "EC2", "CPU", 0644, &alice, &m, &err),
		0);
	cr_assert_eq(store_file_delete(st, TREE_NAMESPACES, "EC2", "CPU",
				       &alice, &err),
		     0, "%s", err.msg);
	cr_assert_eq(store_metric_get(st, "EC2", "CPU", &m), -ENOENT);
	cr_assert_eq(store_file_delete(st, TREE_NAMESPACES, "EC2", "CPU",
				       &alice, &err),
		     -ENOENT);
	cr_assert_eq(store_file_delete(st, TREE_NAMESPACES, "Nope", "CPU",
				       &alice, &err),
		     -ENOENT);
	cr_assert_eq(mkdir_(TREE_LOG_GROUPS, "app", &err), 0);
	cr_assert_eq(
		store_stream_create(st, "app", "web", 0644, &alice, &s, &err),
		0);
	cr_assert_eq(store_file_delete(st, TREE_LOG_GROUPS, "app", "web",
				       &alice, &err),
		     0, "%s", err.msg);
	cr_assert_eq(store_stream_get(st, "app", "web", &s), -ENOENT);
	cr_assert_eq(store_file_delete(st, TREE_LOG_GROUPS, "app", "web",
				       &alice, &err),
		     -ENOENT);
}

Test(tree, a_directory_with_a_file_or_a_subdirectory_is_not_empty)
{
	struct err err = {""};
	struct stream_info s;

	cr_assert_eq(mkdir_(TREE_LOG_GROUPS, "aws", &err), 0);
	cr_assert_eq(mkdir_(TREE_LOG_GROUPS, "aws/lambda", &err), 0);
	cr_assert_eq(store_dir_delete(st, TREE_LOG_GROUPS, "aws", &alice, &err),
		     -ENOTEMPTY);
	cr_assert(strstr(err.msg, "log group aws is not empty") != NULL, "%s",
		  err.msg);
	cr_assert_eq(store_stream_create(st, "aws/lambda", "s", 0644, &alice,
					 &s, &err),
		     0);
	cr_assert_eq(store_dir_delete(st, TREE_LOG_GROUPS, "aws/lambda", &alice,
				      &err),
		     -ENOTEMPTY);
	cr_assert_eq(store_file_delete(st, TREE_LOG_GROUPS, "aws/lambda", "s",
				       &alice, &err),
		     0);
	cr_assert_eq(store_dir_delete(st, TREE_LOG_GROUPS, "aws/lambda", &alice,
				      &err),
		     0, "%s", err.msg);
	cr_assert_eq(store_dir_delete(st, TREE_LOG_GROUPS, "aws", &alice, &err),
		     0, "%s", err.msg);
	cr_assert_eq(store_dir_get(st, TREE_LOG_GROUPS, "aws", NULL), -ENOENT);
	cr_assert_eq(store_dir_delete(st, TREE_LOG_GROUPS, "aws", &alice, &err),
		     -ENOENT);
}

Test(tree, making_a_namespace_is_recorded_as_create_namespace)
{
	struct err err = {""};
	json_t *rec;

	cr_assert_eq(mkdir_(TREE_NAMESPACES, "EC2", &err), 0);
	rec = last_record();
	cr_assert_str_eq(field(rec, "eventSource"), "metrics.monfs");
	cr_assert_str_eq(field(rec, "eventName"), "CreateNamespace");
	cr_assert_str_eq(param(rec, "namespace"), "EC2");
	cr_assert_str_eq(
		field(json_object_get(rec, "userIdentity"), "userName"),
		"alice");
	cr_assert_null(json_object_get(rec, "errorCode"));
	json_decref(rec);
}

Test(tree, each_change_of_a_log_group_is_recorded_by_its_api_name)
{
	struct err err = {""};
	struct stream_info s;
	json_t *rec;

	cr_assert_eq(mkdir_(TREE_LOG_GROUPS, "app", &err), 0);
	rec = last_record();
	cr_assert_str_eq(field(rec, "eventSource"), "logs.monfs");
	cr_assert_str_eq(field(rec, "eventName"), "CreateLogGroup");
	cr_assert_str_eq(param(rec, "logGroupName"), "app");
	json_decref(rec);
	cr_assert_eq(
		store_stream_create(st, "app", "web", 0644, &alice, &s, &err),
		0);
	rec = last_record();
	cr_assert_str_eq(field(rec, "eventName"), "CreateLogStream");
	cr_assert_str_eq(param(rec, "logGroupName"), "app");
	cr_assert_str_eq(param(rec, "logStreamName"), "web");
	json_decref(rec);
	cr_assert_eq(store_file_delete(st, TREE_LOG_GROUPS, "app", "web",
				       &alice, &err),
		     0);
	rec = last_record();
	cr_assert_str_eq(field(rec, "eventName"), "DeleteLogStream");
	cr_assert_str_eq(param(rec, "logStreamName"), "web");
	json_decref(rec);
	cr_assert_eq(store_dir_delete(st, TREE_LOG_GROUPS, "app", &alice, &err),
		     0);
	rec = last_record();
	cr_assert_str_eq(field(rec, "eventName"), "DeleteLogGroup");
	cr_assert_str_eq(param(rec, "logGroupName"), "app");
	json_decref(rec);
}

Test(tree, deleting_a_metric_is_recorded_as_delete_metric)
{
	struct err err = {""};
	struct metric_info m;
	json_t *rec;

	cr_assert_eq(mkdir_(TREE_NAMESPACES, "EC2", &err), 0);
	cr_assert_eq(
		store_metric_create(st, "EC2", "CPU", 0644, &alice, &m, &err),
		0);
	rec = last_record();
	cr_assert_str_eq(field(rec, "eventName"), "Create");
	cr_assert_str_eq(param(rec, "metricName"), "CPU");
	json_decref(rec);
	cr_assert_eq(store_file_delete(st, TREE_NAMESPACES, "EC2", "CPU",
				       &alice, &err),
		     0);
	rec = last_record();
	cr_assert_str_eq(field(rec, "eventName"), "DeleteMetric");
	cr_assert_str_eq(param(rec, "namespace"), "EC2");
	cr_assert_str_eq(param(rec, "metricName"), "CPU");
	json_decref(rec);
	cr_assert_eq(store_dir_delete(st, TREE_NAMESPACES, "EC2", &alice, &err),
		     0);
	rec = last_record();
	cr_assert_str_eq(field(rec, "eventName"), "DeleteNamespace");
	json_decref(rec);
}

Test(tree, a_refused_change_is_recorded_with_its_code_and_message)
{
	struct err err = {""};
	json_t *rec;

	cr_assert_eq(mkdir_(TREE_NAMESPACES, "a?b", &err), -EINVAL);
	rec = last_record();
	cr_assert_str_eq(field(rec, "eventName"), "CreateNamespace");
	cr_assert_str_eq(field(rec, "errorCode"), "InvalidParameterValue");
	cr_assert_str_eq(field(rec, "errorMessage"), err.msg);
	json_decref(rec);

	cr_assert_eq(mkdir_(TREE_LOG_GROUPS, "aws/lambda", &err), -ENOENT);
	rec = last_record();
	cr_assert_str_eq(field(rec, "errorCode"), "ResourceNotFoundException");
	cr_assert_str_eq(field(rec, "errorMessage"), "no log group aws");
	json_decref(rec);

	cr_assert_eq(mkdir_(TREE_LOG_GROUPS, "aws", &err), 0);
	cr_assert_eq(mkdir_(TREE_LOG_GROUPS, "aws/lambda", &err), 0);
	cr_assert_eq(store_dir_delete(st, TREE_LOG_GROUPS, "aws", &alice, &err),
		     -ENOTEMPTY);
	rec = last_record();
	cr_assert_str_eq(field(rec, "eventName"), "DeleteLogGroup");
	cr_assert_str_eq(field(rec, "errorCode"), "OperationAbortedException");
	cr_assert_str_eq(field(rec, "errorMessage"),
			 "log group aws is not empty");
	json_decref(rec);
	/* Refused, nothing changed. */
	cr_assert_eq(store_dir_get(st, TREE_LOG_GROUPS, "aws", NULL), 0);
}
