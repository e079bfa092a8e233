/*
 * Unit tests for composite alarms' definitions (SPEC 12) in
 * lib/alarm_def*.c: `rule =` in the `key = value` form and
 * PutCompositeAlarm's JSON, what each refusal says, the renderings, and
 * that a composite's rendering reads back to the same definition.
 */
#include "lib/alarm.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* SPEC 12's example. */
static const char SPEC_EXAMPLE[] =
	"rule = ALARM(cpu-high) AND (ALARM(disk-full) OR NOT OK(db-latency))\n"
	"alarm_action = log:ops/alarms\n";

/* What `aws cloudwatch put-composite-alarm --cli-input-json` takes. */
static const char CLI_INPUT_JSON[] =
	"{\n"
	"    \"ActionsEnabled\": true,\n"
	"    \"AlarmActions\": [\"log:/ops/alarms\"],\n"
	"    \"AlarmDescription\": \"the host is in trouble\",\n"
	"    \"AlarmName\": \"host-trouble\",\n"
	"    \"AlarmRule\": \"ALARM(cpu-high) AND (ALARM(\\\"disk full\\\") OR"
	" NOT OK(arn:aws:cloudwatch:us-east-1:123456789012:alarm:db))\",\n"
	"    \"InsufficientDataActions\": [\"exec:/usr/local/bin/check\"],\n"
	"    \"OKActions\": [\"log:/ops/alarms\"],\n"
	"    \"Tags\": [{\"Key\": \"team\", \"Value\": \"ops\"}]\n"
	"}\n";

/* What `--generate-cli-skeleton input` leaves of suppression. */
#define SUPPRESSOR_SKELETON                                                    \
	"\"ActionsSuppressor\": \"\", \"ActionsSuppressorWaitPeriod\": 0,"     \
	" \"ActionsSuppressorExtensionPeriod\": 0"

static int parse(const char *text, struct alarm_def *d, struct err *err)
{
	return alarm_def_parse(text, strlen(text), d, err);
}

static void expect_parsed(const char *text, struct alarm_def *d)
{
	struct err err = {""};
	int rc = parse(text, d, &err);

	cr_assert_eq(rc, 0, "refused (%d, \"%s\"):\n%s", rc, err.msg, text);
}

/*
 * text is refused with EINVAL, its message holds each of the needles
 * (up to three, NULL for fewer), and the output is left untouched.
 */
static void expect_refused3(const char *text, const char *needle,
			    const char *needle2, const char *needle3)
{
	static struct alarm_def d, before;
	const char *needles[] = {needle, needle2, needle3};
	struct err err = {""};
	size_t i;
	int rc;

	memset(&d, 0xA5, sizeof(d));
	memcpy(&before, &d, sizeof(d));
	rc = parse(text, &d, &err);
	cr_assert_eq(rc, -EINVAL, "not refused (%d):\n%s", rc, text);
	for (i = 0; i < 3; i++)
		if (needles[i])
			cr_assert(strstr(err.msg, needles[i]),
				  "message \"%s\" lacks \"%s\"", err.msg,
				  needles[i]);
	cr_assert(!memcmp(&d, &before, sizeof(d)),
		  "a refused definition changed the output");
}

static void expect_refused(const char *text, const char *needle)
{
	expect_refused3(text, needle, NULL, NULL);
}

static char *render(const struct alarm_def *d)
{
	struct strbuf sb = STRBUF_INIT;

	cr_assert_eq(alarm_def_render(d, &sb), 0);
	cr_assert_not_null(sb.buf);
	return sb.buf;
}

/* parse(render(d)) == d, byte for byte, and renders the same again. */
static void expect_round_trip(const struct alarm_def *d)
{
	static struct alarm_def again;
	struct err err = {""};
	char *text = render(d), *text2;

	cr_assert_eq(parse(text, &again, &err), 0, "rendering refused: %s\n%s",
		     err.msg, text);
	cr_assert(!memcmp(d, &again, sizeof(again)),
		  "rendering did not read back the same:\n%s", text);
	text2 = render(&again);
	cr_assert_str_eq(text, text2);
	free(text);
	free(text2);
}

/* A composite's metric fields are all zero (lib/alarm.h). */
static void expect_no_metric(const struct alarm_def *d)
{
	cr_assert_eq(d->kind, ALARM_KIND_COMPOSITE);
	cr_assert_str_eq(d->ns, "");
	cr_assert_str_eq(d->metric, "");
	cr_assert_str_eq(d->stat.name, "");
	cr_assert_eq(d->period_s, 0);
	cr_assert_eq(d->threshold, 0);
	cr_assert_eq(d->evaluation_periods, 0);
	cr_assert_eq(d->datapoints_to_alarm, 0);
	cr_assert_eq(d->missing, MISSING_MISSING);
	cr_assert_str_eq(d->unit, "");
}

/* ---- the key = value form ---- */

Test(kv_form, the_spec_example_is_a_composite_alarm)
{
	static struct alarm_def d;

	expect_parsed(SPEC_EXAMPLE, &d);
	expect_no_metric(&d);
	cr_assert_str_eq(d.rule, "ALARM(cpu-high) AND (ALARM(disk-full) OR NOT"
				 " OK(db-latency))");
	cr_assert_eq(d.alarm_actions.n, 1);
	cr_assert_str_eq(d.alarm_actions.v[0], "log:ops/alarms");
	cr_assert_eq(d.ok_actions.n, 0);
	cr_assert(d.actions_enabled);
}

Test(kv_form, a_metric_alarm_is_of_the_metric_kind_without_a_rule)
{
	static struct alarm_def d;

	expect_parsed("metric = EC2/CPUUtilization\nstatistic = average\n"
		      "period = 60\ncomparison = >\nthreshold = 80\n",
		      &d);
	cr_assert_eq(d.kind, ALARM_KIND_METRIC);
	cr_assert_str_eq(d.rule, "");
	cr_assert_eq(d.evaluation_periods, 1);
}

Test(kv_form, a_composite_takes_description_actions_and_tags)
{
	static struct alarm_def d;

	expect_parsed("# the host\n"
		      "description = the host is in trouble\n"
		      "rule = ALARM(a) OR ALARM(b)\n"
		      "ok_action = log:/ops/alarms\n"
		      "insufficient_data_action = exec:/usr/local/bin/check\n"
		      "actions_enabled = false\n"
		      "tag = team=ops\n"
		      "tag = tier = 1\n",
		      &d);
	expect_no_metric(&d);
	cr_assert_str_eq(d.description, "the host is in trouble");
	cr_assert_str_eq(d.ok_actions.v[0], "log:ops/alarms");
	cr_assert_str_eq(d.insufficient_actions.v[0],
			 "exec:/usr/local/bin/check");
	cr_assert_not(d.actions_enabled);
	cr_assert_eq(d.ntags, 2);
	cr_assert_str_eq(d.tags[1], "tier=1");
}

Test(kv_form, a_quoted_rule_may_hold_quotes_and_hashes)
{
	static struct alarm_def d;

	expect_parsed("rule = \"ALARM(\\\"disk #1 \\\\\\\"full\\\\\\\"\\\") OR"
		      " OK(b)\"  # the disk\n",
		      &d);
	cr_assert_str_eq(d.rule, "ALARM(\"disk #1 \\\"full\\\"\") OR OK(b)");
}

Test(kv_form, what_a_read_adds_is_ignored)
{
	static struct alarm_def d;

	expect_parsed("rule = TRUE\nstate = ALARM\nreason = Rule true\n"
		      "state_updated = 2026-11-23T23:04:00Z\n",
		      &d);
	cr_assert_str_eq(d.rule, "TRUE");
}

static const char *const metric_keys[] = {
	"metric = EC2/CPUUtilization",
	"statistic = average",
	"period = 60",
	"comparison = >",
	"threshold = 80",
	"evaluation_periods = 3",
	"datapoints_to_alarm = 1",
	"treat_missing_data = breaching",
	"unit = Percent",
};

Test(kv_refusals, every_metric_key_beside_a_rule_is_refused_by_name)
{
	char text[256], needle[128];
	size_t i;

	for (i = 0; i < sizeof(metric_keys) / sizeof(metric_keys[0]); i++) {
		snprintf(text, sizeof(text), "rule = TRUE\n%s\n",
			 metric_keys[i]);
		snprintf(needle, sizeof(needle),
			 "line 2: %.*s: not allowed in a composite alarm"
			 " (rule = on line 1)",
			 (int)strcspn(metric_keys[i], " "), metric_keys[i]);
		expect_refused(text, needle);
	}
}

Test(kv_refusals, a_whole_metric_alarm_with_a_rule_names_its_first_key)
{
	expect_refused("# cpu\n"
		       "metric = EC2/CPUUtilization\nstatistic = average\n"
		       "period = 60\ncomparison = >\nthreshold = 80\n"
		       "rule = ALARM(x)\n",
		       "line 2: metric: not allowed in a composite alarm (rule"
		       " = on line 7)");
}

Test(kv_refusals, bad_rule_syntax_is_refused_with_its_position)
{
	expect_refused("rule = (ALARM(a) OR OK(b)\n",
		       "line 1: rule: expected ')' at position 19, not the end"
		       " (for the '(' at position 1)");
	expect_refused("alarm_action = log:ops/alarms\nrule = ALARM(a) and"
		       " OK(b)\n",
		       "line 2: rule: \"and\" at position 10: keywords are"
		       " uppercase (AND)");
	expect_refused("rule = \"\"\n", "line 1: rule: empty rule");
}

Test(kv_refusals, a_rule_is_given_once)
{
	expect_refused("rule = TRUE\nrule = FALSE\n",
		       "line 2: rule given twice (first on line 1)");
}

Test(kv_refusals, a_rule_naming_101_alarms_is_refused)
{
	static char text[4096];
	size_t used, i;

	used = (size_t)snprintf(text, sizeof(text), "rule = ");
	for (i = 0; i < 101; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used,
					 "%sOK(a%zu)", i ? " OR " : "", i);
	expect_refused(text, "line 1: rule: \"a100\" at position");
	expect_refused(text, "a rule names at most 100 alarms");
}

Test(kv_refusals, a_rule_longer_than_10240_bytes_is_refused)
{
	static char text[ALARM_RULE_MAX_BYTES + 64];
	static struct alarm_def d;
	size_t n;

	n = (size_t)snprintf(text, sizeof(text), "rule = \"TRUE");
	memset(text + n, ' ', ALARM_RULE_MAX_BYTES - 4);
	n += ALARM_RULE_MAX_BYTES - 4;
	memcpy(text + n, "\"\n", 3);
	expect_parsed(text, &d);
	cr_assert_eq(strlen(d.rule), ALARM_RULE_MAX_BYTES);
	memcpy(text + n, " \"\n", 4);
	expect_refused(text, "line 1: rule: 10241 bytes: a rule is at most"
			     " 10240 bytes");
}

/* ---- PutCompositeAlarm's JSON ---- */

Test(json_form, an_aws_cli_input_json_file_is_read_as_it_is)
{
	static struct alarm_def d;

	expect_parsed(CLI_INPUT_JSON, &d);
	expect_no_metric(&d);
	cr_assert_str_eq(d.rule, "ALARM(cpu-high) AND (ALARM(\"disk full\") OR"
				 " NOT OK(arn:aws:cloudwatch:us-east-1:"
				 "123456789012:alarm:db))");
	cr_assert_str_eq(d.description, "the host is in trouble");
	cr_assert_str_eq(d.alarm_actions.v[0], "log:ops/alarms");
	cr_assert_str_eq(d.ok_actions.v[0], "log:ops/alarms");
	cr_assert_str_eq(d.insufficient_actions.v[0],
			 "exec:/usr/local/bin/check");
	cr_assert_eq(d.ntags, 1);
	cr_assert_str_eq(d.tags[0], "team=ops");
}

Test(json_form, the_skeletons_empty_suppressor_counts_as_absent)
{
	static struct alarm_def d;

	expect_parsed("{\"AlarmName\": \"\", \"AlarmRule\": \"TRUE\", "
		      "\"AlarmDescription\": \"\", \"AlarmActions\": [\"\"], "
		      "\"OKActions\": [\"\"], \"InsufficientDataActions\": "
		      "[\"\"], \"Tags\": [{\"Key\": \"\", \"Value\": \"\"}], "
		      "\"ActionsEnabled\": true, " SUPPRESSOR_SKELETON "}",
		      &d);
	expect_no_metric(&d);
	cr_assert_str_eq(d.rule, "TRUE");
	cr_assert_eq(d.alarm_actions.n + d.ok_actions.n +
			     d.insufficient_actions.n + d.ntags,
		     0);
}

Test(json_refusals, actions_suppressors_are_refused_as_not_supported)
{
	expect_refused3(
		"{\"AlarmRule\": \"ALARM(a)\", \"ActionsSuppressor\": \"b\","
		" \"ActionsSuppressorWaitPeriod\": 60,"
		" \"ActionsSuppressorExtensionPeriod\": 60}",
		"ActionsSuppressor: not supported",
		"ActionsSuppressorWaitPeriod: not supported",
		"ActionsSuppressorExtensionPeriod: not supported");
}

Test(json_refusals, an_actions_suppressor_is_refused_in_a_metric_alarm_too)
{
	expect_refused("{\"Namespace\": \"EC2\", \"MetricName\": \"CPU\","
		       " \"Statistic\": \"Average\", \"Period\": 60,"
		       " \"ComparisonOperator\": \"GreaterThanThreshold\","
		       " \"Threshold\": 80, \"ActionsSuppressor\": \"b\"}",
		       "ActionsSuppressor: not supported");
}

Test(json_refusals, metric_members_beside_a_rule_are_refused_each_by_name)
{
	expect_refused3("{\"AlarmRule\": \"ALARM(a)\", \"Namespace\": \"EC2\","
			" \"Threshold\": 80, \"TreatMissingData\": \"ignore\"}",
			"Namespace: not allowed in a composite alarm (with"
			" AlarmRule)",
			"Threshold: not allowed in a composite alarm",
			"TreatMissingData: not allowed in a composite alarm");
	expect_refused3(
		"{\"AlarmRule\": \"ALARM(a)\", \"Unit\": \"Percent\","
		" \"EvaluationPeriods\": 2, \"Metrics\": [{\"Id\": \"m1\"}]}",
		"Unit: not allowed", "EvaluationPeriods: not allowed",
		"Metrics: not allowed");
}

Test(json_refusals, bad_rule_syntax_is_refused_with_its_position)
{
	expect_refused("{\"AlarmRule\": \"ALARM(a) OR\"}",
		       "AlarmRule: expected ALARM(name), OK(name),"
		       " INSUFFICIENT_DATA(name), TRUE, FALSE, NOT or '(' at"
		       " position 12, not the end");
	expect_refused("{\"AlarmRule\": \"ALARM(a\\n)\\n)\"}",
		       "AlarmRule: expected AND, OR or the end at position 11,"
		       " not \")\"");
}

Test(json_refusals, an_empty_or_mistyped_rule_is_refused)
{
	expect_refused("{\"AlarmRule\": \"\"}", "missing AlarmRule");
	expect_refused("{\"AlarmRule\": \"  \"}", "AlarmRule: empty rule");
	expect_refused("{\"AlarmRule\": 1}",
		       "AlarmRule: must be a string, not a number");
}

Test(json_refusals, an_unknown_member_names_put_composite_alarm)
{
	expect_refused3("{\"AlarmRule\": \"TRUE\", \"alarmActions\": []}",
			"\"alarmActions\" is not a member of PutCompositeAlarm"
			" (the names are case-sensitive: AlarmActions)",
			NULL, NULL);
}

/* ---- renderings ---- */

Test(rendering, the_spec_example_renders_rule_first)
{
	static struct alarm_def d;
	char *text;

	expect_parsed(SPEC_EXAMPLE, &d);
	text = render(&d);
	cr_assert_str_eq(text, "rule = ALARM(cpu-high) AND (ALARM(disk-full)"
			       " OR NOT OK(db-latency))\n"
			       "alarm_action = log:ops/alarms\n"
			       "actions_enabled = true\n");
	free(text);
}

Test(rendering, every_field_of_a_composite_renders_in_order)
{
	static struct alarm_def d;
	char *text;

	expect_parsed(CLI_INPUT_JSON, &d);
	text = render(&d);
	cr_assert_str_eq(
		text,
		"rule = \"ALARM(cpu-high) AND (ALARM(\\\"disk full\\\") OR NOT"
		" OK(arn:aws:cloudwatch:us-east-1:123456789012:alarm:db))\"\n"
		"description = the host is in trouble\n"
		"alarm_action = log:ops/alarms\n"
		"ok_action = log:ops/alarms\n"
		"insufficient_data_action = exec:/usr/local/bin/check\n"
		"actions_enabled = true\n"
		"tag = team=ops\n");
	free(text);
}

Test(rendering, a_composite_reads_back_the_same)
{
	static struct alarm_def d;

	expect_parsed(SPEC_EXAMPLE, &d);
	expect_round_trip(&d);
	expect_parsed(CLI_INPUT_JSON, &d);
	expect_round_trip(&d);
	/* Blanks at the ends, lines, tabs, hashes, backslashes. */
	expect_parsed("{\"AlarmRule\": \"  ALARM(\\\"a #1\\\\\\\\\\\")\\n\\tOR"
		      " OK(b)\\r\\n\", \"ActionsEnabled\": false}",
		      &d);
	cr_assert_str_eq(d.rule, "  ALARM(\"a #1\\\\\")\n\tOR OK(b)\r\n");
	expect_round_trip(&d);
}

Test(rendering, a_composite_as_json_is_a_composite_alarm)
{
	static const char *const order[] = {
		"AlarmName",
		"AlarmDescription",
		"AlarmConfigurationUpdatedTimestamp",
		"ActionsEnabled",
		"OKActions",
		"AlarmActions",
		"InsufficientDataActions",
		"StateValue",
		"StateReason",
		"StateUpdatedTimestamp",
		"AlarmRule",
	};
	struct alarm_status status = {ALARM_ALARM,
				      "Rule true: cpu-high is ALARM",
				      1795475040000, 1795474980000};
	struct strbuf sb = STRBUF_INIT;
	static struct alarm_def d;
	json_error_t jerr;
	const char *key;
	json_t *j, *v;
	size_t i = 0;

	expect_parsed(CLI_INPUT_JSON, &d);
	cr_assert_eq(
		alarm_composite_render_json("host-trouble", &d, &status, &sb),
		0);
	cr_assert_eq(sb.buf[sb.len - 1], '\n');
	cr_assert_eq(strchr(sb.buf, '\n'), sb.buf + sb.len - 1,
		     "more than one line: %s", sb.buf);
	j = json_loads(sb.buf, JSON_REJECT_DUPLICATES, &jerr);
	cr_assert_not_null(j, "%s: %s", jerr.text, sb.buf);
	json_object_foreach(j, key, v)
	{
		cr_assert_lt(i, sizeof(order) / sizeof(order[0]), "extra %s",
			     key);
		cr_assert_str_eq(key, order[i]);
		i++;
	}
	cr_assert_eq(i, sizeof(order) / sizeof(order[0]));
	cr_assert_str_eq(json_string_value(json_object_get(j, "AlarmName")),
			 "host-trouble");
	cr_assert_str_eq(json_string_value(json_object_get(j, "AlarmRule")),
			 d.rule);
	cr_assert_str_eq(json_string_value(json_object_get(j, "StateValue")),
			 "ALARM");
	cr_assert_str_eq(json_string_value(json_object_get(j, "StateReason")),
			 "Rule true: cpu-high is ALARM");
	cr_assert_str_eq(
		json_string_value(json_object_get(j, "StateUpdatedTimestamp")),
		"2026-11-23T23:04:00Z");
	cr_assert(json_is_true(json_object_get(j, "ActionsEnabled")));
	cr_assert_str_eq(
		json_string_value(json_array_get(
			json_object_get(j, "InsufficientDataActions"), 0)),
		"exec:/usr/local/bin/check");
	json_decref(j);
	strbuf_release(&sb);
}

Test(rendering, the_json_of_a_composite_reads_back_as_its_definition)
{
	struct alarm_status status = {ALARM_OK, "Rule false", 0, 0};
	static struct alarm_def d, again;
	struct strbuf sb = STRBUF_INIT;
	json_t *j;
	char *request;

	/*
	 * What a JSON view shows, less what PutCompositeAlarm does not
	 * take, is a definition of the same alarm (Tags aside: a
	 * CompositeAlarm has none).
	 */
	expect_parsed("rule = OK(\"a b\")\ndescription = x\n"
		      "alarm_action = log:ops/alarms\n",
		      &d);
	cr_assert_eq(alarm_composite_render_json("c", &d, &status, &sb), 0);
	j = json_loads(sb.buf, 0, NULL);
	cr_assert_not_null(j);
	json_object_del(j, "AlarmConfigurationUpdatedTimestamp");
	json_object_del(j, "StateValue");
	json_object_del(j, "StateReason");
	json_object_del(j, "StateUpdatedTimestamp");
	request = json_dumps(j, 0);
	expect_parsed(request, &again);
	cr_assert(!memcmp(&d, &again, sizeof(d)), "%s", request);
	free(request);
	json_decref(j);
	strbuf_release(&sb);
}

/* alarm_def_kind_of: the request a text is meant as, valid or not. */
static enum alarm_kind kind_of(const char *text)
{
	return alarm_def_kind_of(text, strlen(text));
}

Test(kind_of, a_refused_rule_is_still_meant_as_a_composite)
{
	cr_assert_eq(kind_of("rule = ALARM(a) AND (OK(b)\n"),
		     ALARM_KIND_COMPOSITE);
	cr_assert_eq(kind_of("# a comment\n  rule=alarm(a)\nmetric = A/B\n"),
		     ALARM_KIND_COMPOSITE);
	cr_assert_eq(kind_of(" {\"AlarmRule\": \"ALARM(\", \"Bogus\": 1}"),
		     ALARM_KIND_COMPOSITE);
}

Test(kind_of, anything_else_is_meant_as_a_metric_alarm)
{
	cr_assert_eq(kind_of("metric = EC2/CPU\nbogus = 1\n"),
		     ALARM_KIND_METRIC);
	cr_assert_eq(kind_of("rules = x\n"), ALARM_KIND_METRIC);
	cr_assert_eq(kind_of("{\"MetricName\": \"CPU\"}"), ALARM_KIND_METRIC);
	cr_assert_eq(kind_of("{\"AlarmRule\": "), ALARM_KIND_METRIC);
	cr_assert_eq(kind_of(""), ALARM_KIND_METRIC);
	cr_assert_eq(alarm_def_kind_of(NULL, 0), ALARM_KIND_METRIC);
}
