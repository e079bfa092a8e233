/*
 * Alarms in the store: definitions kept and replaced, evaluation over
 * ingested data at explicit times, history and the trail.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/alarm.h"
#include "store/store.h"
#include "tests/support/tmpstore.h"

static struct tmpstore fixture;
static struct store *st;
static const struct caller carol = {
	.uid = 1002, .gid = 1002, .pid = 9, .user = "carol", .process = "test"};
static const struct node_owner carols = {1002, 1002, 0644};

/* A minute boundary well inside the 14-day window. */
static int64_t t0;

static void open_store(void)
{
	struct err err = {""};

	tmpstore_open(&fixture, "alarms", &st);
	cr_assert_eq(store_dir_create(st, TREE_NAMESPACES, "EC2", 0755, &carol,
				      &err),
		     0);
	t0 = (store_now_ms() / 60000 - 30) * 60000;
}

static void close_store(void)
{
	tmpstore_close(&fixture, st);
}

TestSuite(alarms, .init = open_store, .fini = close_store);

static void define(const char *name, const char *text)
{
	struct err err = {""};

	cr_assert_eq(store_alarm_put(st, name, text, strlen(text), &carols,
				     &carol, &err),
		     0, "%s", err.msg);
}

/* One point per minute: values[i] at minute i after t0. */
static void feed(const double *values, int n)
{
	struct metric_info m;
	struct err err = {""};
	int i;

	if (store_metric_get(st, "EC2", "CPU", &m))
		cr_assert_eq(store_metric_create(st, "EC2", "CPU", 0644, &carol,
						 &m, &err),
			     0);
	for (i = 0; i < n; i++) {
		struct point p = {t0 + i * 60000 + 1000, values[i]};

		cr_assert_eq(store_metric_ingest(st, m.id, &p, 1, &err), 0);
	}
}

static const char CPU_HIGH[] = "metric = EC2/CPU\n"
			       "statistic = average\n"
			       "period = 60\n"
			       "comparison = >\n"
			       "threshold = 80\n"
			       "evaluation_periods = 3\n"
			       "datapoints_to_alarm = 2\n";

static void render(const char *name, enum alarm_view view, char *out,
		   size_t size)
{
	struct strbuf sb = STRBUF_INIT;

	cr_assert_eq(store_alarm_render(st, name, view, &sb), 0);
	snprintf(out, size, "%s", sb.buf ? sb.buf : "");
	strbuf_release(&sb);
}

Test(alarms, a_new_alarm_starts_in_insufficient_data)
{
	char text[4096];

	define("cpu", CPU_HIGH);
	render("cpu", ALARM_VIEW_TEXT, text, sizeof(text));
	cr_assert(strstr(text, "state = INSUFFICIENT_DATA\n"), "%s", text);
	cr_assert(strstr(text, "reason = Unchecked: Initial alarm creation\n"),
		  "%s", text);
	cr_assert(strstr(text, "metric = EC2/CPU\n"), "%s", text);
}

Test(alarms, an_invalid_definition_keeps_the_old_one)
{
	struct err err = {""};
	char text[4096];
	const char bad[] = "metric = EC2/CPU\nperiod = 7\n";

	define("cpu", CPU_HIGH);
	cr_assert_eq(store_alarm_put(st, "cpu", bad, strlen(bad), &carols,
				     &carol, &err),
		     -EINVAL);
	cr_assert(err.msg[0]);
	render("cpu", ALARM_VIEW_TEXT, text, sizeof(text));
	cr_assert(strstr(text, "period = 60\n"), "%s", text);
}

Test(alarms, breaching_data_moves_it_to_alarm_with_cloudwatchs_reason)
{
	double values[] = {50, 91.5, 88};
	struct alarm_change c;
	char text[4096];

	define("cpu", CPU_HIGH);
	feed(values, 3);
	/* Evaluated just after the third minute: all three complete. */
	cr_assert_eq(store_alarm_evaluate(st, "cpu", t0 + 3 * 60000 + 500, &c),
		     1);
	cr_assert_eq(c.new_state, ALARM_ALARM);
	cr_assert_eq(c.old_state, ALARM_INSUFFICIENT_DATA);
	cr_assert(strstr(c.reason, "Threshold Crossed: 2 out of the last 3 "
				   "datapoints [88.0"),
		  "%s", c.reason);
	cr_assert(strstr(c.message, "\"NewStateValue\":\"ALARM\""), "%s",
		  c.message);
	render("cpu", ALARM_VIEW_TEXT, text, sizeof(text));
	cr_assert(strstr(text, "state = ALARM\n"), "%s", text);
	alarm_change_release(&c);
	/* Evaluated again with nothing new: no change. */
	cr_assert_eq(store_alarm_evaluate(st, "cpu", t0 + 3 * 60000 + 900, &c),
		     0);
}

Test(alarms, history_holds_configuration_and_state_updates)
{
	double values[] = {95, 95, 95};
	struct alarm_change c;
	char text[8192];

	define("cpu", CPU_HIGH);
	feed(values, 3);
	cr_assert_eq(store_alarm_evaluate(st, "cpu", t0 + 3 * 60000 + 10, &c),
		     1);
	alarm_change_release(&c);
	render("cpu", ALARM_VIEW_HISTORY, text, sizeof(text));
	cr_assert(strstr(text, "\"HistoryItemType\":\"ConfigurationUpdate\""),
		  "%s", text);
	cr_assert(strstr(text, "\"HistoryItemType\":\"StateUpdate\""), "%s",
		  text);
	cr_assert(strstr(text, "Alarm updated from INSUFFICIENT_DATA to "
			       "ALARM"),
		  "%s", text);
}

Test(alarms, redefining_keeps_state_and_deleting_removes_it)
{
	double values[] = {95, 95, 95};
	struct alarm_change c;
	struct alarm_info a;
	struct err err = {""};
	char text[4096];

	define("cpu", CPU_HIGH);
	feed(values, 3);
	cr_assert_eq(store_alarm_evaluate(st, "cpu", t0 + 3 * 60000 + 10, &c),
		     1);
	alarm_change_release(&c);
	define("cpu", "metric = EC2/CPU\nstatistic = maximum\nperiod = 60\n"
		      "comparison = >=\nthreshold = 90\n");
	render("cpu", ALARM_VIEW_TEXT, text, sizeof(text));
	cr_assert(strstr(text, "state = ALARM\n"), "%s", text);
	cr_assert(strstr(text, "statistic = maximum\n"), "%s", text);
	cr_assert_eq(store_alarm_delete(st, "cpu", &carol, &err), 0);
	cr_assert_eq(store_alarm_get(st, "cpu", &a), -ENOENT);
	cr_assert_eq(store_alarm_delete(st, "cpu", &carol, &err), -ENOENT);
}

Test(alarms, no_data_at_all_stays_insufficient)
{
	struct alarm_change c;

	define("quiet", CPU_HIGH);
	cr_assert_eq(store_alarm_evaluate(st, "quiet", t0, &c), 0);
}

Test(alarms, an_exec_target_the_writer_cannot_run_is_refused)
{
	struct err err = {""};
	const char text[] = "metric = EC2/CPU\nstatistic = average\n"
			    "period = 60\ncomparison = >\nthreshold = 1\n"
			    "alarm_action = exec:/etc/passwd\n";

	cr_assert_eq(store_alarm_put(st, "x", text, strlen(text), &carols,
				     &carol, &err),
		     -EACCES);
	cr_assert(strstr(err.msg, "/etc/passwd"), "%s", err.msg);
}

/* Define an alarm whose one action is action: its errno and message. */
static int put_with_action(const char *action, struct err *err)
{
	char text[512];

	snprintf(text, sizeof(text),
		 "metric = EC2/CPU\nstatistic = average\nperiod = 60\n"
		 "comparison = >\nthreshold = 1\nalarm_action = %s\n",
		 action);
	return store_alarm_put(st, "x", text, strlen(text), &carols, &carol,
			       err);
}

Test(alarms, an_exec_target_that_does_not_exist_is_invalid_and_named)
{
	struct err err = {""};

	cr_assert_eq(put_with_action("exec:/usr/bin/pagr-monfs-test", &err),
		     -EINVAL);
	cr_assert_str_eq(err.msg,
			 "exec:/usr/bin/pagr-monfs-test: no such file");
	cr_assert_eq(put_with_action("exec:/nonexistent-monfs/prog", &err),
		     -EINVAL);
	cr_assert_str_eq(err.msg, "exec:/nonexistent-monfs/prog: no such file"
				  " (/nonexistent-monfs: no such directory)");
	cr_assert_eq(put_with_action("exec:/etc/passwd/x", &err), -EINVAL);
	cr_assert_str_eq(err.msg, "exec:/etc/passwd/x: no such file"
				  " (/etc/passwd is not a directory)");
}

Test(alarms, an_exec_target_that_is_no_program_is_invalid_and_named)
{
	struct err err = {""};

	cr_assert_eq(put_with_action("exec:/usr/bin", &err), -EINVAL);
	cr_assert_str_eq(err.msg, "exec:/usr/bin: a directory, not a program");
	cr_assert_eq(put_with_action("exec:/dev/null", &err), -EINVAL);
	cr_assert_str_eq(err.msg,
			 "exec:/dev/null: a device, FIFO or socket, not a"
			 " program");
}

Test(alarms, an_exec_target_the_writer_may_not_run_says_why)
{
	char path[300];
	char action[320];
	struct err err = {""};
	FILE *f;

	/* a program nobody may run, and one only its owner (root) may */
	snprintf(path, sizeof(path), "%s/noexec", fixture.dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fclose(f);
	cr_assert_eq(chmod(path, 0644), 0);
	snprintf(action, sizeof(action), "exec:%s", path);
	/* mkdtemp made dir 0700: carol may not even reach the program */
	cr_assert_eq(put_with_action(action, &err), -EACCES);
	cr_assert(strstr(err.msg, "carol may not search"), "%s", err.msg);
	cr_assert_eq(chmod(fixture.dir, 0755), 0);
	cr_assert_eq(put_with_action(action, &err), -EACCES);
	cr_assert(strstr(err.msg, "not executable (mode 0644 has no x bit)"),
		  "%s", err.msg);
	cr_assert_eq(chmod(path, 0700), 0);
	cr_assert_eq(put_with_action(action, &err), -EACCES);
	cr_assert(strstr(err.msg, "carol may not execute it (mode 0700)"), "%s",
		  err.msg);
}

Test(alarms, a_log_line_makes_its_group_levels_and_stream)
{
	struct stream_info s;
	char buf[64];

	cr_assert_eq(store_log_line(st, "ops/alarms", "cpu", "hello\n", &carol,
				    store_now_ms()),
		     0);
	cr_assert_eq(store_dir_get(st, TREE_LOG_GROUPS, "ops", NULL), 0);
	cr_assert_eq(store_stream_get(st, "ops/alarms", "cpu", &s), 0);
	cr_assert_eq(store_stream_read(st, s.id, 0, buf, sizeof(buf)), 6);
	cr_assert_eq(memcmp(buf, "hello\n", 6), 0);
}

/* ---- what editors do: a new alarm's owner, and renames (SPEC 2) ---- */

static int64_t id_of(const char *name)
{
	struct alarm_info a;

	cr_assert_eq(store_alarm_get(st, name, &a), 0, "no alarm %s", name);
	return a.id;
}

Test(alarms, a_new_alarm_takes_the_owner_given_and_its_writer_is_who_wrote)
{
	const struct node_owner dave = {1003, 1004, 0600};
	double values[] = {95, 95, 95};
	struct alarm_change c;
	struct alarm_info a;
	struct err err = {""};

	cr_assert_eq(store_alarm_put(st, "cpu", CPU_HIGH, strlen(CPU_HIGH),
				     &dave, &carol, &err),
		     0, "%s", err.msg);
	cr_assert_eq(store_alarm_get(st, "cpu", &a), 0);
	cr_assert_eq(a.attr.uid, 1003);
	cr_assert_eq(a.attr.gid, 1004);
	cr_assert_eq(a.attr.mode, 0600);
	feed(values, 3);
	cr_assert_eq(store_alarm_evaluate(st, "cpu", t0 + 3 * 60000 + 10, &c),
		     1);
	cr_assert_eq(c.writer_uid, 1002); /* exec: runs as the writer */
	alarm_change_release(&c);
	/* A redefinition keeps the owner. */
	define("cpu", CPU_HIGH);
	cr_assert_eq(store_alarm_get(st, "cpu", &a), 0);
	cr_assert_eq(a.attr.uid, 1003);
	cr_assert_eq(a.attr.mode, 0600);
}

Test(alarms, a_change_says_when_its_alarm_was_created)
{
	double values[] = {95, 95, 95};
	int64_t before = store_now_ms();
	struct alarm_change c;

	define("cpu", CPU_HIGH);
	feed(values, 3);
	cr_assert_eq(store_alarm_evaluate(st, "cpu", t0 + 3 * 60000 + 10, &c),
		     1);
	cr_assert_geq(c.created_ms, before);
	cr_assert_leq(c.created_ms, store_now_ms());
	alarm_change_release(&c);
}

Test(alarms, renaming_onto_an_alarm_redefines_it_keeping_its_state)
{
	double values[] = {95, 95, 95};
	const struct node_owner dave = {1003, 1003, 0600};
	int64_t cpu_id, created, tmp_created;
	char text[8192], name[ALARM_NAME_SIZE];
	struct alarm_change c;
	struct alarm_info a;
	struct err err = {""};

	cr_assert_eq(store_alarm_put(st, "cpu", CPU_HIGH, strlen(CPU_HIGH),
				     &dave, &carol, &err),
		     0);
	feed(values, 3);
	cr_assert_eq(store_alarm_evaluate(st, "cpu", t0 + 3 * 60000 + 10, &c),
		     1);
	alarm_change_release(&c);
	cpu_id = id_of("cpu");
	cr_assert_eq(store_alarm_by_id(st, cpu_id, name, &created), 0);
	define("sedAb12", "metric = EC2/CPU\nstatistic = maximum\n"
			  "period = 60\ncomparison = >=\nthreshold = 99\n");
	cr_assert_eq(
		store_alarm_by_id(st, id_of("sedAb12"), name, &tmp_created), 0);
	cr_assert_eq(store_alarm_rename(st, "sedAb12", "cpu", &carol, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(store_alarm_get(st, "sedAb12", &a), -ENOENT);
	cr_assert_eq(id_of("cpu"), cpu_id);
	render("cpu", ALARM_VIEW_TEXT, text, sizeof(text));
	cr_assert(strstr(text, "threshold = 99\n"), "%s", text);
	cr_assert(strstr(text, "statistic = maximum\n"), "%s", text);
	cr_assert(strstr(text, "state = ALARM\n"), "%s", text);
	render("cpu", ALARM_VIEW_HISTORY, text, sizeof(text));
	cr_assert(strstr(text, "Alarm updated from INSUFFICIENT_DATA to "
			       "ALARM"),
		  "%s", text);
	cr_assert(strstr(text, "Alarm \\\"cpu\\\" updated"), "%s", text);
	/* The target's owner, mode and creation time stay. */
	cr_assert_eq(store_alarm_get(st, "cpu", &a), 0);
	cr_assert_eq(a.attr.uid, 1003);
	cr_assert_eq(a.attr.mode, 0600);
	cr_assert_eq(store_alarm_by_id(st, cpu_id, name, &tmp_created), 0);
	cr_assert_eq(tmp_created, created);
	cr_assert_str_eq(name, "cpu");
}

Test(alarms, renaming_to_a_free_name_moves_state_and_history)
{
	double values[] = {95, 95, 95};
	char text[8192], name[ALARM_NAME_SIZE];
	struct alarm_change c;
	struct alarm_info a;
	struct err err = {""};
	int64_t id, created, before;

	define(".cpu.x1Y2z3", CPU_HIGH);
	feed(values, 3);
	cr_assert_eq(store_alarm_evaluate(st, ".cpu.x1Y2z3",
					  t0 + 3 * 60000 + 10, &c),
		     1);
	alarm_change_release(&c);
	id = id_of(".cpu.x1Y2z3");
	before = store_now_ms();
	cr_assert_eq(store_alarm_rename(st, ".cpu.x1Y2z3", "cpu", &carol, &err),
		     0, "%s", err.msg);
	cr_assert_eq(store_alarm_get(st, ".cpu.x1Y2z3", &a), -ENOENT);
	cr_assert_eq(id_of("cpu"), id);
	render("cpu", ALARM_VIEW_TEXT, text, sizeof(text));
	cr_assert(strstr(text, "state = ALARM\n"), "%s", text);
	render("cpu", ALARM_VIEW_HISTORY, text, sizeof(text));
	cr_assert(strstr(text, "Alarm updated from INSUFFICIENT_DATA to "
			       "ALARM"),
		  "%s", text);
	cr_assert(strstr(text, "renamed to \\\"cpu\\\""), "%s", text);
	/* Under its new name it counts as new: its actions wait again. */
	cr_assert_eq(store_alarm_by_id(st, id, name, &created), 0);
	cr_assert_str_eq(name, "cpu");
	cr_assert_geq(created, before);
}

Test(alarms, a_rename_from_nothing_or_to_no_name_is_refused)
{
	struct alarm_info a;
	struct err err = {""};

	define("cpu", CPU_HIGH);
	cr_assert_eq(store_alarm_rename(st, "none", "cpu", &carol, &err),
		     -ENOENT);
	cr_assert_eq(store_alarm_rename(st, "cpu", "a\x01", &carol, &err),
		     -EINVAL);
	cr_assert(strstr(err.msg, "name"), "%s", err.msg);
	cr_assert_eq(store_alarm_rename(st, "cpu", "cpu", &carol, &err), 0);
	cr_assert_eq(store_alarm_get(st, "cpu", &a), 0);
}

Test(alarms, a_rename_is_on_the_record_as_put_and_delete)
{
	struct trail_day day;
	struct err err = {""};
	char *buf;
	int n;

	define("tmp", CPU_HIGH);
	cr_assert_eq(store_alarm_rename(st, "tmp", "cpu", &carol, &err), 0);
	cr_assert_eq(store_trail_day(st, store_now_ms() / 86400000, &day), 0);
	buf = calloc(1, (size_t)day.size + 1);
	cr_assert_not_null(buf);
	n = store_trail_read(st, day.day, 0, buf, (size_t)day.size);
	cr_assert_eq(n, day.size);
	cr_assert(strstr(buf, "\"eventName\":\"PutMetricAlarm\""), "%s", buf);
	cr_assert(strstr(buf, "\"alarmName\":\"cpu\",\"sourceAlarmName\":"
			      "\"tmp\""),
		  "%s", buf);
	cr_assert(strstr(buf, "\"eventName\":\"DeleteAlarms\""), "%s", buf);
	cr_assert(strstr(buf, "\"alarmNames\":\"tmp\""), "%s", buf);
	free(buf);
}

/* ---- no silent caps: every field of a change at its longest ---- */

/*
 * Make ALARM_ACTIONS_MAX programs carol may run, each named by an
 * exec: action of ALARM_ACTION_MAX - 1 bytes, the longest allowed.
 */
static void longest_programs(char actions[][ALARM_ACTION_MAX])
{
	char path[ALARM_ACTION_MAX];
	size_t len, want = ALARM_ACTION_MAX - 1 - strlen("exec:");
	int i, level;
	FILE *f;

	cr_assert_eq(chmod(fixture.dir, 0755), 0);
	len = (size_t)snprintf(path, sizeof(path), "%s", fixture.dir);
	for (level = 0; level < 3; level++) {
		path[len++] = '/';
		memset(path + len, 'a' + level, 250);
		len += 250;
		path[len] = '\0';
		cr_assert_eq(mkdir(path, 0755), 0, "%s", path);
	}
	path[len++] = '/';
	memset(path + len, 'p', want - len);
	path[want] = '\0';
	for (i = 0; i < ALARM_ACTIONS_MAX; i++) {
		path[want - 1] = (char)('0' + i);
		f = fopen(path, "w");
		cr_assert_not_null(f);
		fputs("#!/bin/sh\n", f);
		fclose(f);
		cr_assert_eq(chmod(path, 0755), 0);
		memcpy(actions[i], "exec:", 5);
		memcpy(actions[i] + 5, path, want + 1);
		cr_assert_eq(strlen(actions[i]), ALARM_ACTION_MAX - 1);
	}
}

Test(alarms, a_change_carries_every_field_whole_at_its_longest)
{
	char name[NAME_MAX_BYTES + 1], desc[ALARM_DESCRIPTION_MAX + 1];
	char actions[ALARM_ACTIONS_MAX][ALARM_ACTION_MAX];
	json_t *list = json_array(), *def, *msg;
	double values[30];
	struct alarm_change c;
	json_error_t jerr;
	char *text;
	int i;

	memset(name, 'n', NAME_MAX_BYTES);
	name[NAME_MAX_BYTES] = '\0';
	/* Quotes and backslashes: the JSON line is longer still. */
	for (i = 0; i < ALARM_DESCRIPTION_MAX; i++)
		desc[i] = i % 8 == 0   ? '"'
			  : i % 8 == 1 ? '\\'
				       : (char)('a' + i % 26);
	desc[ALARM_DESCRIPTION_MAX] = '\0';
	longest_programs(actions);
	for (i = 0; i < ALARM_ACTIONS_MAX; i++)
		json_array_append_new(list, json_string(actions[i]));
	def = json_pack("{s:s,s:s,s:s,s:i,s:i,s:f,s:s,s:s,s:o}", "Namespace",
			"EC2", "MetricName", "CPU", "Statistic", "Average",
			"Period", 60, "EvaluationPeriods", 30, "Threshold",
			80.0, "ComparisonOperator", "GreaterThanThreshold",
			"AlarmDescription", desc, "AlarmActions", list);
	text = json_dumps(def, 0);
	json_decref(def);
	define(name, text);
	free(text);
	for (i = 0; i < 30; i++)
		values[i] = 90 + i;
	feed(values, 30);
	cr_assert_eq(store_alarm_evaluate(st, name, t0 + 30 * 60000 + 10, &c),
		     1);
	cr_assert_str_eq(c.name, name);
	cr_assert_str_eq(c.description, desc);
	/* All 30 datapoints, newest first, and the sentence's end. */
	cr_assert(strstr(c.reason, "Threshold Crossed: 30 out of the last 30 "
				   "datapoints [119.0 ("),
		  "%s", c.reason);
	cr_assert(strstr(c.reason, ", 90.0 ("), "%s", c.reason);
	cr_assert_null(strstr(c.reason, "..."), "%s", c.reason);
	cr_assert(strstr(c.reason, "(minimum 30 datapoints for OK -> ALARM "
				   "transition)."),
		  "%s", c.reason);
	cr_assert_eq(c.nactions, ALARM_ACTIONS_MAX);
	for (i = 0; i < ALARM_ACTIONS_MAX; i++)
		cr_assert_str_eq(c.actions[i], actions[i]);
	msg = json_loads(c.message, 0, &jerr);
	cr_assert_not_null(msg, "%s: %s", jerr.text, c.message);
	cr_assert_str_eq(json_string_value(json_object_get(msg, "AlarmName")),
			 name);
	cr_assert_str_eq(
		json_string_value(json_object_get(msg, "AlarmDescription")),
		desc);
	cr_assert_str_eq(
		json_string_value(json_object_get(msg, "NewStateReason")),
		c.reason);
	cr_assert_str_eq(
		json_string_value(json_object_get(msg, "NewStateValue")),
		"ALARM");
	json_decref(msg);
	alarm_change_release(&c);
	alarm_change_release(&c); /* twice is harmless */
}
