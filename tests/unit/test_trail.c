/*
 * The audit trail on a temporary database (store/trail.c, SPEC 6): day
 * files of JSON Lines in time order, with CloudTrail's field names, an
 * errorCode for each errno, reads at any offset, and retention.
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
				    .gid = 100,
				    .pid = 4242,
				    .user = "alice",
				    .process = "bash"};

/* Noon, two days ago: every record of a test lands in one past day. */
static int64_t noon_ms, noon_day;

static void open_store(void)
{
	tmpstore_open(&fixture, "trail", &st);
	noon_day = store_now_ms() / MS_PER_DAY - 2;
	noon_ms = noon_day * MS_PER_DAY + 12 * MS_PER_HOUR;
}

static void close_store(void)
{
	tmpstore_close(&fixture, st);
}

TestSuite(trail, .init = open_store, .fini = close_store);

/* Record a management event by alice at time_ms, refused with error. */
static void record(int64_t time_ms, const char *name, int error,
		   const char *message)
{
	struct trail_event ev = {
		.source = "metrics.monfs",
		.name = name,
		.who = &alice,
		.params = {TRAIL_STR("namespace", "EC2"),
			   TRAIL_NUM("datapoints", 3)},
		.nparams = 2,
		.error = error,
		.message = message,
		.time_ms = time_ms,
	};

	cr_assert_eq(store_trail_record(st, &ev), 0);
}

/* Day file day, read whole; the caller frees it. Its size in *len. */
static char *read_day(int64_t day, int *len)
{
	struct trail_day d;
	char *buf;

	cr_assert_eq(store_trail_day(st, day, &d), 0);
	buf = malloc((size_t)d.size + 1);
	cr_assert_not_null(buf);
	*len = store_trail_read(st, day, 0, buf, (size_t)d.size + 1);
	cr_assert_eq(*len, d.size);
	buf[*len] = '\0';
	return buf;
}

/* The records of day file day, parsed, in file order (a JSON array). */
static json_t *records(int64_t day)
{
	json_t *all = json_array();
	char *buf, *line, *nl;
	int len;

	buf = read_day(day, &len);
	cr_assert_eq(buf[len - 1], '\n');
	for (line = buf; *line; line = nl + 1) {
		json_error_t jerr;
		json_t *rec;

		nl = strchr(line, '\n');
		cr_assert_not_null(nl, "every line ends in a newline");
		*nl = '\0';
		rec = json_loads(line, 0, &jerr);
		cr_assert_not_null(rec, "%s: %s", jerr.text, line);
		json_array_append_new(all, rec);
	}
	free(buf);
	return all;
}

static const char *str(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

Test(trail, a_record_has_cloudtrails_fields_in_cloudtrails_order)
{
	static const char *const order[] = {
		"\"eventVersion\":",	  "\"eventTime\":",
		"\"eventSource\":",	  "\"eventName\":",
		"\"awsRegion\":",	  "\"sourceIPAddress\":",
		"\"userIdentity\":",	  "\"userAgent\":",
		"\"requestParameters\":", "\"responseElements\":",
		"\"eventID\":",		  "\"requestID\":",
		"\"readOnly\":",	  "\"eventType\":",
		"\"managementEvent\":",	  "\"eventCategory\":"};
	const char *at, *prev = NULL;
	char *buf;
	size_t i;
	int len;

	record(noon_ms, "CreateNamespace", 0, NULL);
	buf = read_day(noon_day, &len);
	cr_assert_eq(strchr(buf, '\n'), buf + len - 1, "one line");
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		at = strstr(buf, order[i]);
		cr_assert_not_null(at, "%s missing: %s", order[i], buf);
		cr_assert(!prev || at > prev, "%s out of order: %s", order[i],
			  buf);
		prev = at;
	}
	cr_assert_null(strstr(buf, "errorCode"));
	free(buf);
}

Test(trail, a_users_record_names_who_when_and_what)
{
	json_t *all, *rec, *id, *params;
	struct trail_day d;

	record(noon_ms + 5678, "CreateNamespace", 0, NULL);
	all = records(noon_day);
	cr_assert_eq(json_array_size(all), 1);
	rec = json_array_get(all, 0);
	cr_assert_str_eq(str(rec, "eventVersion"), "1.08");
	/* Whole seconds, UTC, as CloudTrail writes them. */
	cr_assert_eq(strlen(str(rec, "eventTime")), 20);
	cr_assert_str_eq(str(rec, "eventTime") + 10, "T12:00:05Z");
	cr_assert_str_eq(str(rec, "eventSource"), "metrics.monfs");
	cr_assert_str_eq(str(rec, "eventName"), "CreateNamespace");
	cr_assert_str_eq(str(rec, "awsRegion"), "local");
	cr_assert_gt(strlen(str(rec, "sourceIPAddress")), 0);
	id = json_object_get(rec, "userIdentity");
	cr_assert_str_eq(str(id, "type"), "LocalUser");
	cr_assert_str_eq(str(id, "principalId"), "1000");
	cr_assert_str_eq(str(id, "userName"), "alice");
	cr_assert_eq(json_integer_value(json_object_get(id, "uid")), 1000);
	cr_assert_eq(json_integer_value(json_object_get(id, "gid")), 100);
	cr_assert_eq(json_integer_value(json_object_get(id, "pid")), 4242);
	cr_assert_str_eq(str(id, "processName"), "bash");
	cr_assert_str_eq(str(rec, "userAgent"), "bash");
	params = json_object_get(rec, "requestParameters");
	cr_assert_str_eq(str(params, "namespace"), "EC2");
	cr_assert_eq(json_integer_value(json_object_get(params, "datapoints")),
		     3);
	cr_assert(json_is_null(json_object_get(rec, "responseElements")));
	cr_assert_eq(strlen(str(rec, "eventID")), 36);
	cr_assert_eq(strlen(str(rec, "requestID")), 36);
	cr_assert_str_neq(str(rec, "eventID"), str(rec, "requestID"));
	cr_assert(json_is_false(json_object_get(rec, "readOnly")));
	cr_assert_str_eq(str(rec, "eventType"), "AwsApiCall");
	cr_assert(json_is_true(json_object_get(rec, "managementEvent")));
	cr_assert_str_eq(str(rec, "eventCategory"), "Management");
	cr_assert_null(json_object_get(rec, "errorCode"));
	cr_assert_null(json_object_get(rec, "errorMessage"));
	json_decref(all);
	cr_assert_eq(store_trail_day(st, noon_day, &d), 0);
	cr_assert_eq(d.day, noon_day);
	cr_assert_eq(d.mtime_ms, noon_ms + 5678);
}

Test(trail, each_record_has_ids_of_its_own)
{
	json_t *all;

	record(noon_ms, "CreateNamespace", 0, NULL);
	record(noon_ms, "CreateNamespace", 0, NULL);
	all = records(noon_day);
	cr_assert_eq(json_array_size(all), 2);
	cr_assert_str_neq(str(json_array_get(all, 0), "eventID"),
			  str(json_array_get(all, 1), "eventID"));
	cr_assert_str_neq(str(json_array_get(all, 0), "requestID"),
			  str(json_array_get(all, 1), "requestID"));
	json_decref(all);
}

Test(trail, a_refusal_carries_the_errorcode_of_its_errno)
{
	static const struct {
		int error;
		const char *code;
	} table[] = {
		{EACCES, "AccessDenied"},
		{EPERM, "AccessDenied"},
		{EINVAL, "InvalidParameterValue"},
		{ENAMETOOLONG, "InvalidParameterValue"},
		{EXDEV, "InvalidParameterValue"},
		{EISDIR, "InvalidParameterValue"},
		{ENOTDIR, "InvalidParameterValue"},
		{ERANGE, "InvalidParameterValue"},
		{EMSGSIZE, "InvalidParameterException"},
		{ENOTEMPTY, "OperationAbortedException"},
		{ENOSPC, "LimitExceededException"},
		{ENOENT, "ResourceNotFoundException"},
		{EBUSY, "ResourceInUseException"},
		{EEXIST, "ResourceAlreadyExistsException"},
		{ENOTSUP, "UnsupportedOperation"},
		{ENODATA, "UnsupportedOperation"},
		{EIO, "ServiceUnavailable"},
		{ENOMEM, "ServiceUnavailable"},
	};
	size_t i, n = sizeof(table) / sizeof(table[0]);
	json_t *all;

	for (i = 0; i < n; i++)
		record(noon_ms + (int64_t)i, "Write", -table[i].error,
		       "line 3: \"abc\" is not a number");
	all = records(noon_day);
	cr_assert_eq(json_array_size(all), n);
	for (i = 0; i < n; i++) {
		json_t *rec = json_array_get(all, i);

		cr_assert_str_eq(str(rec, "errorCode"), table[i].code,
				 "errno %d", table[i].error);
		cr_assert_str_eq(str(rec, "errorMessage"),
				 "line 3: \"abc\" is not a number");
	}
	json_decref(all);
}

Test(trail, a_refusal_without_a_message_says_what_its_errno_means)
{
	json_t *all;

	record(noon_ms, "Mkdir", -EACCES, NULL);
	record(noon_ms, "Mkdir", -ENOSPC, "");
	all = records(noon_day);
	cr_assert_str_eq(str(json_array_get(all, 0), "errorMessage"),
			 "Permission denied");
	cr_assert_str_eq(str(json_array_get(all, 1), "errorMessage"),
			 "No space left on device");
	json_decref(all);
}

Test(trail, what_monfs_does_by_itself_is_an_aws_service)
{
	struct trail_event ev = {
		.source = "alarms.monfs",
		.name = "AlarmStateChange",
		.who = NULL,
		.service_event = true,
		.time_ms = noon_ms,
	};
	json_t *all, *rec, *id;

	cr_assert_eq(store_trail_record(st, &ev), 0);
	all = records(noon_day);
	rec = json_array_get(all, 0);
	id = json_object_get(rec, "userIdentity");
	cr_assert_str_eq(str(id, "type"), "AWSService");
	cr_assert_str_eq(str(id, "invokedBy"), "monfs");
	cr_assert_null(json_object_get(id, "userName"));
	cr_assert_str_eq(str(rec, "userAgent"), "monfs");
	cr_assert_str_eq(str(rec, "eventType"), "AwsServiceEvent");
	/* No parameters: null, as CloudTrail writes them. */
	cr_assert(json_is_null(json_object_get(rec, "requestParameters")));
	json_decref(all);
}

Test(trail, a_data_event_is_not_a_management_event)
{
	struct trail_event ev = {
		.source = "logs.monfs",
		.name = "GetLogEvents",
		.who = &alice,
		.read_only = true,
		.data = true,
		.time_ms = noon_ms,
	};
	json_t *all, *rec;

	/* Reads are recorded with --trail-data all (SPEC 14). */
	cr_assert_eq(
		store_trail_configure(
			st, &(struct trail_config){.data = TRAIL_DATA_ALL}),
		0);

	cr_assert_eq(store_trail_record(st, &ev), 0);
	all = records(noon_day);
	rec = json_array_get(all, 0);
	cr_assert(json_is_true(json_object_get(rec, "readOnly")));
	cr_assert(json_is_false(json_object_get(rec, "managementEvent")));
	cr_assert_str_eq(str(rec, "eventCategory"), "Data");
	cr_assert_str_eq(str(rec, "eventType"), "AwsApiCall");
	json_decref(all);
}

Test(trail, bytes_that_are_not_utf8_still_make_a_json_line)
{
	struct trail_event ev = {
		.source = "logs.monfs",
		.name = "CreateLogStream",
		.who = &alice,
		.params = {TRAIL_STR("logStreamName", "bad\xff\xfe")},
		.nparams = 1,
		.time_ms = noon_ms,
	};
	json_t *all, *params;

	cr_assert_eq(store_trail_record(st, &ev), 0);
	all = records(noon_day);
	params = json_object_get(json_array_get(all, 0), "requestParameters");
	cr_assert_eq(strncmp(str(params, "logStreamName"), "bad", 3), 0);
	json_decref(all);
}

Test(trail, the_configured_region_and_host_are_on_every_record)
{
	json_t *all;

	cr_assert_eq(store_trail_configure(
			     st, &(struct trail_config){.region = "eu-west-1",
							.host = "web-1"}),
		     0);
	record(noon_ms, "CreateNamespace", 0, NULL);
	/* NULL keeps what was set. */
	cr_assert_eq(store_trail_configure(
			     st, &(struct trail_config){.host = "web-2"}),
		     0);
	record(noon_ms + 1, "CreateNamespace", 0, NULL);
	all = records(noon_day);
	cr_assert_str_eq(str(json_array_get(all, 0), "awsRegion"), "eu-west-1");
	cr_assert_str_eq(str(json_array_get(all, 0), "sourceIPAddress"),
			 "web-1");
	cr_assert_str_eq(str(json_array_get(all, 1), "awsRegion"), "eu-west-1");
	cr_assert_str_eq(str(json_array_get(all, 1), "sourceIPAddress"),
			 "web-2");
	json_decref(all);
}

Test(trail, a_day_file_holds_its_days_records_in_time_order)
{
	static const char *const names[] = {"CreateNamespace", "Create",
					    "DeleteMetric", "DeleteNamespace"};
	struct trail_day d;
	json_t *all;
	size_t i;
	int len;
	char *buf;

	for (i = 0; i < 4; i++)
		record(noon_ms + (int64_t)i * 61000, names[i], 0, NULL);
	/* The next day's record is in the next day's file. */
	record(noon_ms + MS_PER_DAY, "CreateNamespace", 0, NULL);
	all = records(noon_day);
	cr_assert_eq(json_array_size(all), 4);
	for (i = 0; i < 4; i++) {
		json_t *rec = json_array_get(all, i);

		cr_assert_str_eq(str(rec, "eventName"), names[i]);
		if (i > 0)
			cr_assert_lt(strcmp(str(json_array_get(all, i - 1),
						"eventTime"),
					    str(rec, "eventTime")),
				     0);
	}
	json_decref(all);
	buf = read_day(noon_day, &len);
	cr_assert_eq(store_trail_day(st, noon_day, &d), 0);
	cr_assert_eq(d.size, len);
	cr_assert_eq(d.mtime_ms, noon_ms + 3 * 61000);
	free(buf);
	all = records(noon_day + 1);
	cr_assert_eq(json_array_size(all), 1);
	json_decref(all);
}

Test(trail, a_day_without_events_has_no_file)
{
	struct trail_day d;
	char buf[16];

	cr_assert_eq(store_trail_day(st, noon_day, &d), -ENOENT);
	record(noon_ms, "CreateNamespace", 0, NULL);
	cr_assert_eq(store_trail_day(st, noon_day - 1, &d), -ENOENT);
	cr_assert_eq(store_trail_read(st, noon_day - 1, 0, buf, sizeof(buf)),
		     0);
}

struct days {
	int n;
	struct trail_day d[8];
};

static int collect_days(void *ctx, const struct trail_day *d)
{
	struct days *ds = ctx;

	cr_assert_lt(ds->n, 8);
	ds->d[ds->n++] = *d;
	return 0;
}

Test(trail, day_files_are_listed_oldest_first)
{
	struct days ds = {0};

	record(noon_ms + MS_PER_DAY, "CreateNamespace", 0, NULL);
	record(noon_ms, "CreateNamespace", 0, NULL);
	record(noon_ms - MS_PER_DAY, "CreateNamespace", 0, NULL);
	record(noon_ms, "CreateNamespace", 0, NULL);
	cr_assert_eq(store_trail_days(st, collect_days, &ds), 0);
	cr_assert_eq(ds.n, 3);
	cr_assert_eq(ds.d[0].day, noon_day - 1);
	cr_assert_eq(ds.d[1].day, noon_day);
	cr_assert_eq(ds.d[2].day, noon_day + 1);
	cr_assert_gt(ds.d[1].size, ds.d[0].size);
}

Test(trail, reads_at_any_offset_agree_with_a_whole_read)
{
	char *all, piece[300];
	size_t sizes[] = {1, 7, 64, 299};
	size_t s;
	int len, off;

	for (off = 0; off < 5; off++)
		record(noon_ms + off, "Write", off % 2 ? -EINVAL : 0,
		       "a message of some length");
	all = read_day(noon_day, &len);
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		for (off = 0; off <= len; off++) {
			int want = len - off < (int)sizes[s] ? len - off
							     : (int)sizes[s];
			int got = store_trail_read(st, noon_day, off, piece,
						   sizes[s]);

			cr_assert_eq(got, want, "size %zu at %d", sizes[s],
				     off);
			cr_assert_eq(memcmp(piece, all + off, (size_t)got), 0,
				     "size %zu at %d", sizes[s], off);
		}
	cr_assert_eq(
		store_trail_read(st, noon_day, len + 100, piece, sizeof(piece)),
		0);
	cr_assert_eq(store_trail_read(st, noon_day, -1, piece, sizeof(piece)),
		     0);
	free(all);
}

Test(trail, the_sweep_removes_day_files_older_than_the_retention)
{
	int64_t now = store_now_ms(), today = now / MS_PER_DAY;
	struct trail_day d;
	struct days ds = {0};

	record((today - 5) * MS_PER_DAY + 1, "CreateNamespace", 0, NULL);
	record((today - 3) * MS_PER_DAY + 1, "CreateNamespace", 0, NULL);
	record((today - 1) * MS_PER_DAY + 1, "CreateNamespace", 0, NULL);
	cr_assert_eq(store_trail_configure(
			     st, &(struct trail_config){.retention_days = 3}),
		     0);
	/* Past retention, a day leaves the listing at once... */
	cr_assert_eq(store_trail_day(st, today - 5, &d), -ENOENT);
	cr_assert_eq(store_trail_day_stat(st, today - 5, &d), 0);
	/* ...and the sweep removes it for good. */
	cr_assert_eq(store_trail_sweep(st, now), 0);
	cr_assert_eq(store_trail_day_stat(st, today - 5, &d), -ENOENT);
	cr_assert_eq(store_trail_days(st, collect_days, &ds), 0);
	cr_assert_eq(ds.n, 2);
	cr_assert_eq(ds.d[0].day, today - 3);
	cr_assert_eq(ds.d[1].day, today - 1);
	/* A longer retention does not bring the swept day back. */
	cr_assert_eq(store_trail_configure(
			     st, &(struct trail_config){.retention_days = 90}),
		     0);
	cr_assert_eq(store_trail_day(st, today - 5, &d), -ENOENT);
	cr_assert_eq(store_trail_day(st, today - 3, &d), 0);
}

Test(trail, the_default_retention_is_90_days)
{
	int64_t now = store_now_ms(), today = now / MS_PER_DAY;
	struct trail_day d;

	record((today - 90) * MS_PER_DAY + 1, "CreateNamespace", 0, NULL);
	record((today - 91) * MS_PER_DAY + 1, "CreateNamespace", 0, NULL);
	cr_assert_eq(store_trail_sweep(st, now), 0);
	cr_assert_eq(store_trail_day(st, today - 90, &d), 0);
	cr_assert_eq(store_trail_day(st, today - 91, &d), -ENOENT);
	cr_assert_eq(store_trail_day_stat(st, today - 91, &d), -ENOENT);
}
