/*
 * Unit tests for lib/alarm_def.c: what a user may write to
 * alarms/NAME (SPEC 5) in either form, what each refusal says, and that
 * a definition's rendering reads back to the same definition.
 */
#include "lib/alarm.h"
#include "lib/utf8.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The keys every definition needs, and nothing else. */
#define REQUIRED                                                               \
	"metric = EC2/CPUUtilization\n"                                        \
	"statistic = average\n"                                                \
	"period = 60\n"                                                        \
	"comparison = >\n"                                                     \
	"threshold = 80\n"

/* SPEC 5's example, comments included. */
static const char SPEC_EXAMPLE[] =
	"metric = EC2/CPUUtilization\n"
	"statistic = average            # samples sum average minimum maximum"
	" pNN\n"
	"period = 60\n"
	"comparison = >                 # > >= < <=  or CloudWatch's names\n"
	"threshold = 80\n"
	"evaluation_periods = 3         # default 1\n"
	"datapoints_to_alarm = 2        # default evaluation_periods\n"
	"treat_missing_data = missing   # missing ignore breaching"
	" notBreaching\n"
	"description = CPU too high\n"
	"alarm_action = log:ops/alarms  # also ok_action,"
	" insufficient_data_action\n"
	"alarm_action = exec:/usr/local/bin/page-oncall\n"
	"ok_action = log:ops/alarms\n"
	"insufficient_data_action = log:ops/alarms\n"
	"actions_enabled = true\n"
	"unit = Percent\n"
	"tag = team=ops                 # one line per tag\n";

/* What `aws cloudwatch put-metric-alarm --cli-input-json` takes. */
static const char CLI_INPUT_JSON[] =
	"{\n"
	"    \"AlarmName\": \"cpu-high\",\n"
	"    \"AlarmDescription\": \"CPU above 80% for 2 of 3 minutes\",\n"
	"    \"ActionsEnabled\": true,\n"
	"    \"OKActions\": [\"log:/ops/alarms\"],\n"
	"    \"AlarmActions\": [\n"
	"        \"log:/ops/alarms\",\n"
	"        \"exec:/usr/local/bin/page-oncall\"\n"
	"    ],\n"
	"    \"InsufficientDataActions\": [],\n"
	"    \"MetricName\": \"CPUUtilization\",\n"
	"    \"Namespace\": \"AWS/EC2\",\n"
	"    \"Statistic\": \"Average\",\n"
	"    \"Dimensions\": [],\n"
	"    \"Period\": 60,\n"
	"    \"Unit\": \"Percent\",\n"
	"    \"EvaluationPeriods\": 3,\n"
	"    \"DatapointsToAlarm\": 2,\n"
	"    \"Threshold\": 80.0,\n"
	"    \"ComparisonOperator\": \"GreaterThanThreshold\",\n"
	"    \"TreatMissingData\": \"breaching\",\n"
	"    \"EvaluateLowSampleCountPercentile\": \"evaluate\",\n"
	"    \"Tags\": [\n"
	"        {\"Key\": \"team\", \"Value\": \"ops\"},\n"
	"        {\"Key\": \"env\", \"Value\": \"prod\"}\n"
	"    ]\n"
	"}\n";

/* The smallest JSON definition, to which members are added. */
#define JSON_REQUIRED                                                          \
	"\"Namespace\": \"EC2\", \"MetricName\": \"CPUUtilization\","          \
	" \"Statistic\": \"Average\", \"Period\": 60,"                         \
	" \"ComparisonOperator\": \"GreaterThanThreshold\", \"Threshold\": 80"

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
	struct err err = {""};
	int rc;

	memset(&d, 0xA5, sizeof(d));
	memcpy(&before, &d, sizeof(d));
	rc = parse(text, &d, &err);
	cr_assert_eq(rc, -EINVAL, "not refused (%d):\n%s", rc, text);
	cr_assert(strstr(err.msg, needle), "message \"%s\" lacks \"%s\"",
		  err.msg, needle);
	if (needle2)
		cr_assert(strstr(err.msg, needle2),
			  "message \"%s\" lacks \"%s\"", err.msg, needle2);
	if (needle3)
		cr_assert(strstr(err.msg, needle3),
			  "message \"%s\" lacks \"%s\"", err.msg, needle3);
	cr_assert(!memcmp(&d, &before, sizeof(d)),
		  "a refused definition changed the output");
}

static void expect_refused(const char *text, const char *needle)
{
	expect_refused3(text, needle, NULL, NULL);
}

/* REQUIRED with extra lines appended. */
static const char *with(const char *extra)
{
	static char text[16384];

	snprintf(text, sizeof(text), "%s%s", REQUIRED, extra);
	return text;
}

/* A JSON object of JSON_REQUIRED and extra members (", ..." or ""). */
static const char *json_with(const char *extra)
{
	static char text[16384];

	snprintf(text, sizeof(text), "{%s%s}", JSON_REQUIRED, extra);
	return text;
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

/* ---- the key = value form ---- */

Test(kv_form, the_spec_example_defines_every_field)
{
	static struct alarm_def d;

	expect_parsed(SPEC_EXAMPLE, &d);
	cr_assert_str_eq(d.ns, "EC2");
	cr_assert_str_eq(d.metric, "CPUUtilization");
	cr_assert_eq(d.stat.kind, STAT_AVERAGE);
	cr_assert_str_eq(d.stat.name, "average");
	cr_assert_eq(d.period_s, 60);
	cr_assert_eq(d.comparison, CMP_GREATER);
	cr_assert_eq(d.threshold, 80);
	cr_assert_eq(d.evaluation_periods, 3);
	cr_assert_eq(d.datapoints_to_alarm, 2);
	cr_assert_eq(d.missing, MISSING_MISSING);
	cr_assert_str_eq(d.description, "CPU too high");
	cr_assert_eq(d.alarm_actions.n, 2);
	cr_assert_str_eq(d.alarm_actions.v[0], "log:ops/alarms");
	cr_assert_str_eq(d.alarm_actions.v[1],
			 "exec:/usr/local/bin/page-oncall");
	cr_assert_eq(d.ok_actions.n, 1);
	cr_assert_str_eq(d.ok_actions.v[0], "log:ops/alarms");
	cr_assert_eq(d.insufficient_actions.n, 1);
	cr_assert_str_eq(d.insufficient_actions.v[0], "log:ops/alarms");
	cr_assert(d.actions_enabled);
	cr_assert_str_eq(d.unit, "Percent");
	cr_assert_eq(d.ntags, 1);
	cr_assert_str_eq(d.tags[0], "team=ops");
}

Test(kv_form, only_the_required_keys_leave_the_defaults)
{
	static struct alarm_def d;

	expect_parsed(REQUIRED, &d);
	cr_assert_eq(d.evaluation_periods, 1);
	cr_assert_eq(d.datapoints_to_alarm, 1);
	cr_assert_eq(d.missing, MISSING_MISSING);
	cr_assert(d.actions_enabled);
	cr_assert_str_eq(d.description, "");
	cr_assert_eq(d.alarm_actions.n, 0);
	cr_assert_eq(d.ok_actions.n, 0);
	cr_assert_eq(d.insufficient_actions.n, 0);
	cr_assert_str_eq(d.unit, "");
	cr_assert_eq(d.ntags, 0);
}

Test(kv_form, datapoints_to_alarm_defaults_to_evaluation_periods)
{
	static struct alarm_def d;

	expect_parsed(with("evaluation_periods = 4\n"), &d);
	cr_assert_eq(d.evaluation_periods, 4);
	cr_assert_eq(d.datapoints_to_alarm, 4);
}

Test(kv_form, datapoints_to_alarm_may_equal_evaluation_periods)
{
	static struct alarm_def d;

	expect_parsed(with("datapoints_to_alarm = 5\nevaluation_periods = 5\n"),
		      &d);
	cr_assert_eq(d.datapoints_to_alarm, 5);
}

Test(kv_form, keys_come_in_any_order)
{
	static struct alarm_def d;

	expect_parsed("threshold = -2.5\ncomparison = <=\nperiod = 300\n"
		      "statistic = p99\nmetric = App/Latency\n",
		      &d);
	cr_assert_eq(d.threshold, -2.5);
	cr_assert_eq(d.comparison, CMP_LESS_EQUAL);
	cr_assert_eq(d.period_s, 300);
	cr_assert_str_eq(d.stat.name, "p99");
}

Test(kv_form, blanks_around_the_equals_sign_are_optional)
{
	static struct alarm_def d;

	expect_parsed("metric=EC2/CPU\n  statistic\t=\tsum  \n"
		      "period =60\ncomparison= >=\n\tthreshold   =   1e3\t\n",
		      &d);
	cr_assert_str_eq(d.metric, "CPU");
	cr_assert_eq(d.stat.kind, STAT_SUM);
	cr_assert_eq(d.period_s, 60);
	cr_assert_eq(d.comparison, CMP_GREATER_EQUAL);
	cr_assert_eq(d.threshold, 1000);
}

Test(kv_form, blank_lines_and_crlf_line_ends_are_ignored)
{
	static struct alarm_def d;

	expect_parsed("\r\n\nmetric = EC2/CPU\r\n   \n\t\nstatistic = sum\r\n"
		      "period = 60\r\ncomparison = >\r\nthreshold = 1",
		      &d);
	cr_assert_str_eq(d.metric, "CPU");
	cr_assert_eq(d.threshold, 1);
}

Test(kv_form, the_metric_splits_at_the_last_slash)
{
	static struct alarm_def d;

	expect_parsed("metric = AWS/EC2/CPUUtilization\nstatistic = sum\n"
		      "period = 60\ncomparison = >\nthreshold = 1\n",
		      &d);
	cr_assert_str_eq(d.ns, "AWS/EC2");
	cr_assert_str_eq(d.metric, "CPUUtilization");
}

Test(kv_form, a_namespace_of_255_bytes_is_accepted)
{
	static struct alarm_def d;
	char text[1024], ns[256];

	memset(ns, 'n', 255);
	ns[127] = '/';
	ns[255] = '\0';
	snprintf(text, sizeof(text),
		 "metric = %s/m\nstatistic = sum\nperiod = 60\n"
		 "comparison = >\nthreshold = 1\n",
		 ns);
	expect_parsed(text, &d);
	cr_assert_str_eq(d.ns, ns);
}

static const struct statistic_case {
	const char *input;
	enum stat_kind kind;
	const char *name;
} statistic_cases[] = {
	{"samples", STAT_SAMPLES, "samples"},
	{"SampleCount", STAT_SAMPLES, "samples"},
	{"sum", STAT_SUM, "sum"},
	{"Sum", STAT_SUM, "sum"},
	{"average", STAT_AVERAGE, "average"},
	{"Average", STAT_AVERAGE, "average"},
	{"minimum", STAT_MINIMUM, "minimum"},
	{"Minimum", STAT_MINIMUM, "minimum"},
	{"maximum", STAT_MAXIMUM, "maximum"},
	{"Maximum", STAT_MAXIMUM, "maximum"},
	{"p99", STAT_PERCENTILE, "p99"},
	{"p99.9", STAT_PERCENTILE, "p99.9"},
	{"p0", STAT_PERCENTILE, "p0"},
	{"p100", STAT_PERCENTILE, "p100"},
};

Test(kv_form, statistic_takes_monfs_and_cloudwatch_names)
{
	static struct alarm_def d;
	char text[512];
	size_t i;

	for (i = 0; i < sizeof(statistic_cases) / sizeof(statistic_cases[0]);
	     i++) {
		const struct statistic_case *c = &statistic_cases[i];

		snprintf(text, sizeof(text),
			 "metric = A/B\nstatistic = %s\nperiod = 60\n"
			 "comparison = >\nthreshold = 1\n",
			 c->input);
		expect_parsed(text, &d);
		cr_assert_eq(d.stat.kind, c->kind, "%s", c->input);
		cr_assert_str_eq(d.stat.name, c->name);
	}
}

static const struct comparison_case {
	const char *input;
	enum alarm_comparison comparison;
} comparison_cases[] = {
	{">", CMP_GREATER},
	{">=", CMP_GREATER_EQUAL},
	{"<", CMP_LESS},
	{"<=", CMP_LESS_EQUAL},
	{"GreaterThanThreshold", CMP_GREATER},
	{"GreaterThanOrEqualToThreshold", CMP_GREATER_EQUAL},
	{"LessThanThreshold", CMP_LESS},
	{"LessThanOrEqualToThreshold", CMP_LESS_EQUAL},
};

Test(kv_form, comparison_takes_symbols_and_cloudwatch_names)
{
	static struct alarm_def d;
	char text[512];
	size_t i;

	for (i = 0; i < sizeof(comparison_cases) / sizeof(comparison_cases[0]);
	     i++) {
		snprintf(text, sizeof(text),
			 "metric = A/B\nstatistic = sum\nperiod = 60\n"
			 "comparison = %s\nthreshold = 1\n",
			 comparison_cases[i].input);
		expect_parsed(text, &d);
		cr_assert_eq(d.comparison, comparison_cases[i].comparison, "%s",
			     comparison_cases[i].input);
	}
}

Test(kv_form, treat_missing_data_takes_cloudwatchs_four_values)
{
	static const struct {
		const char *input;
		enum alarm_missing missing;
	} cases[] = {
		{"missing", MISSING_MISSING},
		{"ignore", MISSING_IGNORE},
		{"breaching", MISSING_BREACHING},
		{"notBreaching", MISSING_NOT_BREACHING},
	};
	static struct alarm_def d;
	char extra[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(extra, sizeof(extra), "treat_missing_data = %s\n",
			 cases[i].input);
		expect_parsed(with(extra), &d);
		cr_assert_eq(d.missing, cases[i].missing, "%s", cases[i].input);
	}
}

Test(kv_form, period_takes_every_period_of_section_3)
{
	static const char *const periods[] = {"1",    "5",    "10",  "20",
					      "30",   "60",   "120", "300",
					      "3600", "86400"};
	static struct alarm_def d;
	char text[512];
	size_t i;

	for (i = 0; i < sizeof(periods) / sizeof(periods[0]); i++) {
		snprintf(text, sizeof(text),
			 "metric = A/B\nstatistic = sum\nperiod = %s\n"
			 "comparison = >\nthreshold = 1\n",
			 periods[i]);
		expect_parsed(text, &d);
		cr_assert_eq(d.period_s, strtoll(periods[i], NULL, 10));
	}
}

Test(kv_form, actions_enabled_false_keeps_the_actions)
{
	static struct alarm_def d;

	expect_parsed(with("alarm_action = log:ops/alarms\n"
			   "actions_enabled = false\n"),
		      &d);
	cr_assert(!d.actions_enabled);
	cr_assert_eq(d.alarm_actions.n, 1);
}

Test(kv_form, unit_takes_cloudwatch_units)
{
	static struct alarm_def d;

	expect_parsed(with("unit = Bytes/Second\n"), &d);
	cr_assert_str_eq(d.unit, "Bytes/Second");
}

/* ---- comments and quoting ---- */

Test(comments, a_hash_after_a_blank_starts_a_comment)
{
	static struct alarm_def d;

	expect_parsed(with("# a whole-line comment\n"
			   "   # an indented one\n"
			   "description = disk full # not part of it\n"),
		      &d);
	cr_assert_str_eq(d.description, "disk full");
}

Test(comments, a_hash_inside_a_word_is_part_of_the_value)
{
	static struct alarm_def d;

	expect_parsed(with("description = see issue#42\n"), &d);
	cr_assert_str_eq(d.description, "see issue#42");
}

Test(comments, a_quoted_value_may_hold_a_hash)
{
	static struct alarm_def d;

	expect_parsed(with("description = \"queue # 3 is stuck\"  # why\n"),
		      &d);
	cr_assert_str_eq(d.description, "queue # 3 is stuck");
}

Test(comments, a_quoted_value_keeps_its_blanks_and_escapes)
{
	static struct alarm_def d;

	expect_parsed(with("description = \"  say \\\"hi\\\" \\\\ bye\\n \"\n"),
		      &d);
	cr_assert_str_eq(d.description, "  say \"hi\" \\ bye\n ");
}

Test(comments, quotes_inside_a_bare_value_are_kept)
{
	static struct alarm_def d;

	expect_parsed(with("description = the \"main\" disk\n"), &d);
	cr_assert_str_eq(d.description, "the \"main\" disk");
}

Test(comments, an_empty_quoted_description_is_no_description)
{
	static struct alarm_def d;

	expect_parsed(with("description = \"\"\n"), &d);
	cr_assert_str_eq(d.description, "");
}

/* ---- actions ---- */

Test(actions, a_log_group_loses_its_leading_slash)
{
	static struct alarm_def d;

	expect_parsed(with("alarm_action = log:/aws/lambda/checkout/alarms\n"),
		      &d);
	cr_assert_str_eq(d.alarm_actions.v[0],
			 "log:aws/lambda/checkout/alarms");
}

Test(actions, five_actions_per_state_are_accepted)
{
	static struct alarm_def d;

	expect_parsed(with("ok_action = log:a/1\nok_action = log:a/2\n"
			   "ok_action = log:a/3\nok_action = exec:/bin/true\n"
			   "ok_action = exec:/bin/x y\n"),
		      &d);
	cr_assert_eq(d.ok_actions.n, 5);
	cr_assert_str_eq(d.ok_actions.v[4], "exec:/bin/x y");
}

Test(actions, a_sixth_action_is_refused)
{
	expect_refused3(with("insufficient_data_action = log:a/1\n"
			     "insufficient_data_action = log:a/2\n"
			     "insufficient_data_action = log:a/3\n"
			     "insufficient_data_action = log:a/4\n"
			     "insufficient_data_action = log:a/5\n"
			     "insufficient_data_action = log:a/6\n"),
			"line 11: insufficient_data_action",
			"more than 5 actions", NULL);
}

Test(actions, an_sns_topic_is_refused_by_name)
{
	expect_refused3(
		with("alarm_action = arn:aws:sns:us-east-1:123456789012:ops\n"),
		"line 6: alarm_action", "arn:aws:sns:us-east-1", "SNS");
}

Test(actions, an_auto_scaling_policy_is_refused_by_name)
{
	expect_refused(with("alarm_action = arn:aws:autoscaling:us-east-1:1:"
			    "scalingPolicy:x\n"),
		       "Auto Scaling");
}

Test(actions, other_action_schemes_are_refused)
{
	expect_refused3(with("ok_action = mailto:ops@example.com\n"),
			"line 6: ok_action", "mailto:ops@example.com",
			"log:GROUP/STREAM or exec:/PATH");
}

Test(actions, exec_needs_an_absolute_path)
{
	expect_refused(with("alarm_action = exec:page-oncall\n"),
		       "absolute path");
	expect_refused(with("alarm_action = exec:\n"), "absolute path");
}

Test(actions, log_needs_a_group_and_a_stream)
{
	expect_refused(with("alarm_action = log:alarms\n"),
		       "is not log:GROUP/STREAM");
	expect_refused(with("alarm_action = log:ops/\n"), "empty name");
	expect_refused(with("alarm_action = log:ops//alarms\n"), "empty level");
	expect_refused(with("alarm_action = log:ops/.hidden\n"),
		       "is not a name");
	expect_refused(with("alarm_action = log:ops/a?b\n"), "is not a name");
}

/* ---- tags ---- */

Test(tags, a_tag_splits_at_its_first_equals_sign)
{
	static struct alarm_def d;

	expect_parsed(with("tag = query=a=b\ntag = empty=\n"
			   "tag = spaced = out \n"),
		      &d);
	cr_assert_eq(d.ntags, 3);
	cr_assert_str_eq(d.tags[0], "query=a=b");
	cr_assert_str_eq(d.tags[1], "empty=");
	cr_assert_str_eq(d.tags[2], "spaced=out");
}

Test(tags, fifty_tags_are_accepted_and_a_fifty_first_refused)
{
	static struct alarm_def d;
	static char extra[4096];
	size_t used = 0;
	int i;

	for (i = 0; i < ALARM_TAGS_MAX; i++)
		used += (size_t)snprintf(extra + used, sizeof(extra) - used,
					 "tag = k%d=v\n", i);
	expect_parsed(with(extra), &d);
	cr_assert_eq(d.ntags, ALARM_TAGS_MAX);
	snprintf(extra + used, sizeof(extra) - used, "tag = one=more\n");
	expect_refused(with(extra), "more than 50 tags");
}

Test(tags, bad_tags_are_refused)
{
	expect_refused(with("tag = team\n"), "is not KEY=VALUE");
	expect_refused(with("tag = =ops\n"), "empty key");
	expect_refused(with("tag = team=ops\ntag = team=dev\n"),
		       "key \"team\" given twice");
	expect_refused(with("tag = aws:owner=me\n"), "reserved");
}

Test(tags, a_key_longer_than_128_bytes_is_refused)
{
	char extra[512], key[130];

	memset(key, 'k', 129);
	key[129] = '\0';
	snprintf(extra, sizeof(extra), "tag = %s=v\n", key);
	expect_refused(with(extra), "at most 128 bytes");
}

Test(tags, a_tag_longer_than_384_bytes_in_all_is_refused)
{
	char extra[1024], key[129], value[257];

	memset(key, 'k', 128);
	key[128] = '\0';
	memset(value, 'v', 256);
	value[256] = '\0';
	snprintf(extra, sizeof(extra), "tag = %s=%s\n", key, value);
	expect_refused(with(extra), "KEY=VALUE 384");
	value[255] = '\0';
	snprintf(extra, sizeof(extra), "tag = %s=%s\n", key, value);
	{
		static struct alarm_def d;

		expect_parsed(with(extra), &d);
		cr_assert_eq(strlen(d.tags[0]), ALARM_TAG_MAX);
	}
}

/* ---- what a reading shows, written back (SPEC 2) ---- */

Test(read_back, the_state_lines_a_reading_adds_are_accepted_and_ignored)
{
	static struct alarm_def plain, shown;

	expect_parsed(SPEC_EXAMPLE, &plain);
	expect_parsed(
		"metric = EC2/CPUUtilization\n"
		"statistic = average\n"
		"period = 60\n"
		"comparison = >\n"
		"threshold = 80\n"
		"evaluation_periods = 3\n"
		"datapoints_to_alarm = 2\n"
		"treat_missing_data = missing\n"
		"description = CPU too high\n"
		"alarm_action = log:ops/alarms\n"
		"alarm_action = exec:/usr/local/bin/page-oncall\n"
		"ok_action = log:ops/alarms\n"
		"insufficient_data_action = log:ops/alarms\n"
		"actions_enabled = true\n"
		"unit = Percent\n"
		"tag = team=ops\n"
		"state = ALARM\n"
		"reason = Threshold Crossed: 2 out of the last 3 datapoints "
		"[91.5 "
		"(23/11/26 23:03:00), 88.0 (23/11/26 23:02:00)] were greater "
		"than "
		"the threshold (80.0) (minimum 2 datapoints for OK -> ALARM "
		"transition).\n"
		"state_updated = 2026-11-23T23:04:00Z\n",
		&shown);
	cr_assert(!memcmp(&plain, &shown, sizeof(plain)),
		  "the state lines changed the definition");
}

Test(read_back, state_lines_anywhere_and_with_any_value_are_ignored)
{
	static struct alarm_def plain, shown;

	expect_parsed(REQUIRED, &plain);
	expect_parsed(
		"state = OK\nreason = \nstate_updated = whenever\n" REQUIRED
		"state = INSUFFICIENT_DATA\n",
		&shown);
	cr_assert(!memcmp(&plain, &shown, sizeof(plain)));
}

Test(read_back, a_reading_alone_is_not_a_definition)
{
	expect_refused("state = ALARM\nreason = x\n"
		       "state_updated = 2026-11-23T23:04:00Z\n",
		       "missing metric");
}

Test(read_back, a_near_miss_of_a_state_line_is_still_unknown)
{
	expect_refused(with("states = ALARM\n"),
		       "line 6: unknown key \"states\"");
}

/* ---- refusals in the key = value form ---- */

Test(kv_refusals, an_unknown_key_is_refused_with_its_line)
{
	expect_refused(with("colour = red\n"),
		       "line 6: unknown key \"colour\"");
}

Test(kv_refusals, a_missing_metric_is_named)
{
	expect_refused("statistic = average\nperiod = 60\ncomparison = >\n"
		       "threshold = 80\n",
		       "missing metric");
}

Test(kv_refusals, every_missing_required_key_is_named)
{
	expect_refused("# nothing but a comment\n",
		       "missing metric, statistic, period, comparison,"
		       " threshold");
	expect_refused("", "missing metric");
}

Test(kv_refusals, a_bad_period_is_refused_with_its_line)
{
	static const char *const bad[] = {"0",	"7",	"61",  "-60", "60.5",
					  "1m", "0x3c", "+60", "90"};
	char text[512];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text),
			 "metric = A/B\nstatistic = sum\nperiod = %s\n"
			 "comparison = >\nthreshold = 1\n",
			 bad[i]);
		expect_refused3(text, "line 3: period", bad[i],
				"is not 1, 5, 10, 20, 30 or a multiple of 60");
	}
}

Test(kv_refusals, more_datapoints_than_evaluation_periods_is_refused)
{
	expect_refused(
		with("evaluation_periods = 3\ndatapoints_to_alarm = 4\n"),
		"line 7: datapoints_to_alarm: 4 is more than"
		" evaluation_periods (3)");
	expect_refused(with("datapoints_to_alarm = 2\n"),
		       "2 is more than evaluation_periods (1)");
}

Test(kv_refusals, evaluation_periods_is_an_integer_from_1_to_100)
{
	static struct alarm_def d;

	expect_parsed(with("evaluation_periods = 100\n"), &d);
	cr_assert_eq(d.evaluation_periods, 100);
	expect_refused(with("evaluation_periods = 0\n"),
		       "is not an integer from 1 to 100");
	expect_refused(with("evaluation_periods = 101\n"), "\"101\"");
	expect_refused(with("evaluation_periods = 2.5\n"), "\"2.5\"");
	expect_refused(with("evaluation_periods = -1\n"), "\"-1\"");
	expect_refused(with("evaluation_periods = 99999999999999999999\n"),
		       "line 6: evaluation_periods");
	expect_refused(with("datapoints_to_alarm = 0\n"),
		       "line 6: datapoints_to_alarm");
}

Test(kv_refusals, a_period_too_long_for_the_evaluator_is_refused)
{
	expect_refused("metric = A/B\nstatistic = sum\n"
		       "period = 6000000000000000\ncomparison = >\n"
		       "threshold = 1\n",
		       "line 3: period: 6000000000000000 seconds is too long");
}

Test(kv_refusals, a_repeated_key_is_refused_with_both_lines)
{
	expect_refused(with("period = 300\n"),
		       "line 6: period given twice (first on line 3)");
}

Test(kv_refusals, an_empty_value_is_refused)
{
	expect_refused(with("unit =\n"), "line 6: unit: no value");
	expect_refused(with("description =   # only a comment\n"),
		       "line 6: description: no value");
}

Test(kv_refusals, a_line_without_equals_is_refused)
{
	expect_refused(with("threshold 80\n"),
		       "line 6: \"threshold 80\" is not key = value");
	expect_refused(with(" = 80\n"), "line 6: no key before '='");
}

Test(kv_refusals, bad_quoting_is_refused)
{
	expect_refused(with("description = \"unterminated\n"),
		       "line 6: description: no closing quote");
	expect_refused(with("description = \"a\" b\n"),
		       "text after the closing quote");
	expect_refused(with("description = \"a\\qb\"\n"), "unknown escape \\q");
}

Test(kv_refusals, bad_values_are_refused_with_their_key)
{
	expect_refused(with("unit = Percents\n"),
		       "line 6: unit: \"Percents\" is not a CloudWatch unit");
	expect_refused(with("actions_enabled = yes\n"),
		       "line 6: actions_enabled: \"yes\" is not true or false");
	expect_refused(with("treat_missing_data = notbreaching\n"),
		       "line 6: treat_missing_data");
	expect_refused("metric = A/B\nstatistic = median\nperiod = 60\n"
		       "comparison = >\nthreshold = 1\n",
		       "line 2: statistic: \"median\" is not");
	expect_refused("metric = A/B\nstatistic = sum\nperiod = 60\n"
		       "comparison = =>\nthreshold = 1\n",
		       "line 4: comparison: \"=>\" is not");
}

Test(kv_refusals, a_threshold_must_be_a_finite_decimal_number)
{
	static const char *const bad[] = {"abc",  "nan",   "inf",
					  "0x10", "1e999", "80%"};
	char text[512];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text),
			 "metric = A/B\nstatistic = sum\nperiod = 60\n"
			 "comparison = >\nthreshold = %s\n",
			 bad[i]);
		expect_refused3(text, "line 5: threshold", "is not a number",
				NULL);
	}
}

Test(kv_refusals, anomaly_detection_comparisons_are_refused)
{
	expect_refused("metric = A/B\nstatistic = sum\nperiod = 60\n"
		       "comparison = LessThanLowerOrGreaterThanUpperThreshold\n"
		       "threshold = 1\n",
		       "needs anomaly detection");
}

Test(kv_refusals, bad_metric_names_are_refused)
{
	static char text[2048];
	char longname[300];

	expect_refused("metric = CPUUtilization\nstatistic = sum\nperiod = 60\n"
		       "comparison = >\nthreshold = 1\n",
		       "line 1: metric: \"CPUUtilization\" is not"
		       " NAMESPACE/NAME");
	expect_refused("metric = EC2//CPU\nstatistic = sum\nperiod = 60\n"
		       "comparison = >\nthreshold = 1\n",
		       "empty level");
	expect_refused("metric = EC2/.cpu\nstatistic = sum\nperiod = 60\n"
		       "comparison = >\nthreshold = 1\n",
		       "is not a name");
	expect_refused("metric = EC2/cpu?x\nstatistic = sum\nperiod = 60\n"
		       "comparison = >\nthreshold = 1\n",
		       "is not a name");
	memset(longname, 'x', 256);
	longname[256] = '\0';
	snprintf(text, sizeof(text),
		 "metric = EC2/%s\nstatistic = sum\nperiod = 60\n"
		 "comparison = >\nthreshold = 1\n",
		 longname);
	expect_refused(text, "longer than 255 bytes");
	longname[200] = '/';
	snprintf(text, sizeof(text),
		 "metric = %s/cpu\nstatistic = sum\nperiod = 60\n"
		 "comparison = >\nthreshold = 1\n",
		 longname);
	expect_refused(text, "longer than 255 bytes");
}

Test(kv_refusals, a_description_over_1024_bytes_is_refused)
{
	static char extra[2048];

	memcpy(extra, "description = ", 14);
	memset(extra + 14, 'd', 1025);
	memcpy(extra + 14 + 1025, "\n", 2);
	expect_refused(with(extra), "longer than 1024 bytes");
	extra[14 + 1024] = '\n';
	extra[14 + 1025] = '\0';
	{
		static struct alarm_def d;

		expect_parsed(with(extra), &d);
		cr_assert_eq(strlen(d.description), 1024);
	}
}

Test(kv_refusals, control_bytes_and_invalid_utf8_are_refused)
{
	static const char text[] = REQUIRED "description = a\001b\n";
	static const char text2[] = REQUIRED "description = caf\xc3\n";
	static const char text3[] = REQUIRED "description = a\0b\n";
	static struct alarm_def d;
	struct err err = {""};

	expect_refused(text, "control character");
	expect_refused(text2, "invalid UTF-8");
	cr_assert_eq(alarm_def_parse(text3, sizeof(text3) - 1, &d, &err),
		     -EINVAL);
}

/* ---- the JSON form ---- */

Test(json_form, an_aws_cli_input_json_file_is_read_as_it_is)
{
	static struct alarm_def d;

	expect_parsed(CLI_INPUT_JSON, &d);
	cr_assert_str_eq(d.ns, "AWS/EC2");
	cr_assert_str_eq(d.metric, "CPUUtilization");
	cr_assert_eq(d.stat.kind, STAT_AVERAGE);
	cr_assert_eq(d.period_s, 60);
	cr_assert_eq(d.comparison, CMP_GREATER);
	cr_assert_eq(d.threshold, 80);
	cr_assert_eq(d.evaluation_periods, 3);
	cr_assert_eq(d.datapoints_to_alarm, 2);
	cr_assert_eq(d.missing, MISSING_BREACHING);
	cr_assert_str_eq(d.description, "CPU above 80% for 2 of 3 minutes");
	cr_assert_eq(d.alarm_actions.n, 2);
	cr_assert_str_eq(d.alarm_actions.v[0], "log:ops/alarms");
	cr_assert_str_eq(d.alarm_actions.v[1],
			 "exec:/usr/local/bin/page-oncall");
	cr_assert_eq(d.ok_actions.n, 1);
	cr_assert_eq(d.insufficient_actions.n, 0);
	cr_assert(d.actions_enabled);
	cr_assert_str_eq(d.unit, "Percent");
	cr_assert_eq(d.ntags, 2);
	cr_assert_str_eq(d.tags[0], "team=ops");
	cr_assert_str_eq(d.tags[1], "env=prod");
}

Test(json_form, the_smallest_object_leaves_the_defaults)
{
	static struct alarm_def d;

	expect_parsed(json_with(""), &d);
	cr_assert_eq(d.evaluation_periods, 1);
	cr_assert_eq(d.datapoints_to_alarm, 1);
	cr_assert_eq(d.missing, MISSING_MISSING);
	cr_assert(d.actions_enabled);
	cr_assert_eq(d.ntags, 0);
}

Test(json_form, blanks_may_come_before_the_brace)
{
	static struct alarm_def d;
	char text[1024];

	snprintf(text, sizeof(text), " \r\n\t\n{%s}\n\n", JSON_REQUIRED);
	expect_parsed(text, &d);
	cr_assert_str_eq(d.metric, "CPUUtilization");
}

Test(json_form, datapoints_to_alarm_defaults_to_evaluation_periods)
{
	static struct alarm_def d;

	expect_parsed(json_with(", \"EvaluationPeriods\": 5"), &d);
	cr_assert_eq(d.datapoints_to_alarm, 5);
}

Test(json_form, extended_statistic_takes_a_percentile)
{
	static struct alarm_def d;

	expect_parsed("{\"Namespace\": \"A\", \"MetricName\": \"B\","
		      " \"ExtendedStatistic\": \"p99.9\", \"Period\": 10,"
		      " \"ComparisonOperator\": \"LessThanThreshold\","
		      " \"Threshold\": -0.5,"
		      " \"EvaluateLowSampleCountPercentile\": \"ignore\"}",
		      &d);
	cr_assert_eq(d.stat.kind, STAT_PERCENTILE);
	cr_assert_eq(d.stat.percentile, 99.9);
	cr_assert_eq(d.period_s, 10);
	cr_assert_eq(d.comparison, CMP_LESS);
	cr_assert_eq(d.threshold, -0.5);
}

Test(json_form, statistic_takes_each_cloudwatch_name)
{
	static const char *const names[] = {"SampleCount", "Sum", "Average",
					    "Minimum", "Maximum"};
	static struct alarm_def d;
	char text[1024];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(text, sizeof(text),
			 "{\"Namespace\": \"A\", \"MetricName\": \"B\","
			 " \"Statistic\": \"%s\", \"Period\": 60,"
			 " \"ComparisonOperator\": \"LessThanThreshold\","
			 " \"Threshold\": 1}",
			 names[i]);
		expect_parsed(text, &d);
		cr_assert_str_eq(d.stat.cw_name, names[i]);
	}
}

Test(json_form, comparison_operator_takes_each_cloudwatch_name)
{
	static struct alarm_def d;
	char text[1024];
	size_t i;

	for (i = 4; i < sizeof(comparison_cases) / sizeof(comparison_cases[0]);
	     i++) {
		snprintf(text, sizeof(text),
			 "{\"Namespace\": \"A\", \"MetricName\": \"B\","
			 " \"Statistic\": \"Sum\", \"Period\": 60,"
			 " \"ComparisonOperator\": \"%s\", \"Threshold\": 1}",
			 comparison_cases[i].input);
		expect_parsed(text, &d);
		cr_assert_eq(d.comparison, comparison_cases[i].comparison);
	}
}

Test(json_form, actions_enabled_false_keeps_the_actions)
{
	static struct alarm_def d;

	expect_parsed(json_with(", \"ActionsEnabled\": false,"
				" \"AlarmActions\": [\"log:ops/a\"]"),
		      &d);
	cr_assert(!d.actions_enabled);
	cr_assert_eq(d.alarm_actions.n, 1);
}

Test(json_form, a_description_with_newlines_is_kept)
{
	static struct alarm_def d;

	expect_parsed(json_with(", \"AlarmDescription\": \"line 1\\nline 2\\t#"
				" \\\"x\\\"\""),
		      &d);
	cr_assert_str_eq(d.description, "line 1\nline 2\t# \"x\"");
	expect_round_trip(&d);
}

/* ---- refusals in the JSON form ---- */

Test(json_refusals, dimensions_of_a_bad_shape_are_refused)
{
	expect_refused(
		json_with(", \"Dimensions\": [{\"Name\": \"InstanceId\"}]"),
		"Dimensions[0]: must be {\"Name\": string, \"Value\":"
		" string}");
	expect_refused(json_with(", \"Dimensions\": {\"Name\": \"a\"}"),
		       "Dimensions: must be an array, not an object");
}

Test(json_refusals, metric_math_is_refused)
{
	expect_refused3(json_with(", \"Metrics\": [{\"Id\": \"m1\"}]"),
			"Metrics: not supported yet",
			"metric math and alarms on several metrics",
			"name one metric with Namespace, MetricName and"
			" Statistic");
}

Test(json_refusals, threshold_metric_id_is_refused)
{
	expect_refused(json_with(", \"ThresholdMetricId\": \"ad1\""),
		       "ThresholdMetricId: not supported yet (anomaly"
		       " detection bands)");
}

Test(json_refusals, an_unknown_member_is_named)
{
	expect_refused(json_with(", \"AlarmArn\": \"arn:aws:cloudwatch:x\""),
		       "\"AlarmArn\" is not a member of PutMetricAlarm");
	expect_refused(json_with(", \"period\": 60"), "\"period\"");
}

Test(json_refusals, bad_json_reports_line_and_column)
{
	expect_refused("{\n  \"Namespace\": \"A\",\n  \"MetricName\" \"B\"\n}",
		       "JSON line 3 column");
	expect_refused("{\"Namespace\": \"A\"", "JSON line 1");
	expect_refused(json_with("} trailing"), "JSON line 1");
	expect_refused(json_with(", \"Period\": 60"), "duplicate");
	expect_refused("{\"Namespace\": \"\\u0000\"}", "JSON");
}

Test(json_refusals, wrong_types_name_the_member)
{
	expect_refused("{\"Namespace\": 5}", "Namespace: must be a string");
	expect_refused("{\"Period\": \"60\"}",
		       "Period: must be an integer, not a string");
	expect_refused("{\"Period\": 60.0}",
		       "Period: must be an integer, not a number");
	expect_refused("{\"Threshold\": \"80\"}",
		       "Threshold: must be a number");
	expect_refused("{\"ActionsEnabled\": \"true\"}",
		       "ActionsEnabled: must be true or false");
	expect_refused("{\"AlarmActions\": \"log:a/b\"}",
		       "AlarmActions: must be an array of strings");
	expect_refused("{\"OKActions\": [\"log:a/b\", 7]}",
		       "OKActions[1]: must be a string, not a number");
	expect_refused("{\"Tags\": [{\"Key\": \"a\"}]}",
		       "Tags[0]: must be {\"Key\": string, \"Value\": string}");
	expect_refused("{\"Tags\": {\"Key\": \"a\", \"Value\": \"b\"}}",
		       "Tags: must be an array");
	expect_refused("{\"AlarmName\": null}", "AlarmName: must be a string");
	expect_refused("{\"EvaluationPeriods\": true}",
		       "EvaluationPeriods: must be an integer, not a boolean");
}

Test(json_refusals, bad_values_name_the_member)
{
	expect_refused(json_with(", \"EvaluationPeriods\": 101"),
		       "EvaluationPeriods: \"101\" is not an integer from 1");
	expect_refused(json_with(", \"EvaluationPeriods\": -1"),
		       "EvaluationPeriods: \"-1\" is not an integer from 1");
	expect_refused(json_with(", \"TreatMissingData\": \"zero\""),
		       "TreatMissingData: \"zero\"");
	expect_refused(json_with(", \"Unit\": \"percent\""),
		       "Unit: \"percent\" is not a CloudWatch unit");
	expect_refused(json_with(", \"Tags\": [{\"Key\": \"a=b\","
				 " \"Value\": \"c\"}]"),
		       "Tags[0]: \"a=b\": '=' in the key");
	expect_refused("{\"Namespace\": \"A\", \"MetricName\": \"B\","
		       " \"Statistic\": \"Sum\", \"Period\": 7,"
		       " \"ComparisonOperator\": \"LessThanThreshold\","
		       " \"Threshold\": 1}",
		       "Period: \"7\" is not 1, 5, 10, 20, 30");
}

Test(json_refusals, too_many_actions_name_the_one_too_many)
{
	expect_refused(
		json_with(", \"AlarmActions\": [\"log:a/1\", \"log:a/2\","
			  " \"log:a/3\", \"log:a/4\", \"log:a/5\","
			  " \"log:a/6\"]"),
		"AlarmActions[5]: more than 5 actions");
}

Test(json_refusals, an_sns_action_is_refused_by_name)
{
	expect_refused3(json_with(", \"AlarmActions\": [\"log:ops/a\","
				  " \"arn:aws:sns:eu-west-1:1:ops\"]"),
			"AlarmActions[1]", "arn:aws:sns:eu-west-1:1:ops",
			"SNS");
}

Test(json_refusals, statistic_and_extended_statistic_exclude_each_other)
{
	expect_refused(json_with(", \"ExtendedStatistic\": \"p99\""),
		       "give one, not both");
	expect_refused("{\"Namespace\": \"A\", \"MetricName\": \"B\","
		       " \"Period\": 60, \"ComparisonOperator\":"
		       " \"LessThanThreshold\", \"Threshold\": 1}",
		       "missing Statistic or ExtendedStatistic");
	expect_refused("{\"Statistic\": \"p99\"}",
		       "Statistic: \"p99\" is not SampleCount, Sum, Average,");
	expect_refused("{\"Statistic\": \"average\"}",
		       "Statistic: \"average\"");
	expect_refused("{\"ExtendedStatistic\": \"tm99\"}",
		       "ExtendedStatistic: \"tm99\" is not a percentile");
	expect_refused("{\"ExtendedStatistic\": \"Sum\"}",
		       "ExtendedStatistic: \"Sum\"");
}

Test(json_refusals, missing_members_are_named)
{
	expect_refused("{}", "missing Namespace, MetricName, Period,"
			     " ComparisonOperator, Threshold, Statistic or"
			     " ExtendedStatistic");
	expect_refused("{\"Namespace\": \"A\", \"MetricName\": \"B\","
		       " \"Statistic\": \"Sum\", \"Period\": 60,"
		       " \"ComparisonOperator\": \"LessThanThreshold\"}",
		       "missing Threshold");
}

Test(json_refusals, more_datapoints_than_evaluation_periods_is_refused)
{
	expect_refused(json_with(", \"EvaluationPeriods\": 3,"
				 " \"DatapointsToAlarm\": 4"),
		       "DatapointsToAlarm: 4 is more than EvaluationPeriods"
		       " (3)");
}

Test(json_refusals, anomaly_detection_comparisons_are_refused)
{
	static const char *const names[] = {
		"LessThanLowerOrGreaterThanUpperThreshold",
		"LessThanLowerThreshold", "GreaterThanUpperThreshold"};
	char text[1024];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(text, sizeof(text), "{\"ComparisonOperator\": \"%s\"}",
			 names[i]);
		expect_refused3(text, "ComparisonOperator", names[i],
				"needs anomaly detection");
	}
}

/* ---- what the AWS CLI's skeleton leaves empty ---- */

/*
 * `aws cloudwatch put-metric-alarm --generate-cli-skeleton input` of
 * awscli 2.9 (Debian 12): strings "", numbers 0, booleans true and enums
 * their first value, Metrics and Dimensions one blank element each.
 */
static const char CLI_SKELETON[] =
	"{\n"
	"    \"AlarmName\": \"\",\n"
	"    \"AlarmDescription\": \"\",\n"
	"    \"ActionsEnabled\": true,\n"
	"    \"OKActions\": [\n"
	"        \"\"\n"
	"    ],\n"
	"    \"AlarmActions\": [\n"
	"        \"\"\n"
	"    ],\n"
	"    \"InsufficientDataActions\": [\n"
	"        \"\"\n"
	"    ],\n"
	"    \"MetricName\": \"\",\n"
	"    \"Namespace\": \"\",\n"
	"    \"Statistic\": \"SampleCount\",\n"
	"    \"ExtendedStatistic\": \"\",\n"
	"    \"Dimensions\": [\n"
	"        {\n"
	"            \"Name\": \"\",\n"
	"            \"Value\": \"\"\n"
	"        }\n"
	"    ],\n"
	"    \"Period\": 0,\n"
	"    \"Unit\": \"Seconds\",\n"
	"    \"EvaluationPeriods\": 0,\n"
	"    \"DatapointsToAlarm\": 0,\n"
	"    \"Threshold\": 0.0,\n"
	"    \"ComparisonOperator\": \"GreaterThanOrEqualToThreshold\",\n"
	"    \"TreatMissingData\": \"\",\n"
	"    \"EvaluateLowSampleCountPercentile\": \"\",\n"
	"    \"Metrics\": [\n"
	"        {\n"
	"            \"Id\": \"\",\n"
	"            \"MetricStat\": {\n"
	"                \"Metric\": {\n"
	"                    \"Namespace\": \"\",\n"
	"                    \"MetricName\": \"\",\n"
	"                    \"Dimensions\": [\n"
	"                        {\n"
	"                            \"Name\": \"\",\n"
	"                            \"Value\": \"\"\n"
	"                        }\n"
	"                    ]\n"
	"                },\n"
	"                \"Period\": 0,\n"
	"                \"Stat\": \"\",\n"
	"                \"Unit\": \"Seconds\"\n"
	"            },\n"
	"            \"Expression\": \"\",\n"
	"            \"Label\": \"\",\n"
	"            \"ReturnData\": true,\n"
	"            \"Period\": 0,\n"
	"            \"AccountId\": \"\"\n"
	"        }\n"
	"    ],\n"
	"    \"Tags\": [\n"
	"        {\n"
	"            \"Key\": \"\",\n"
	"            \"Value\": \"\"\n"
	"        }\n"
	"    ],\n"
	"    \"ThresholdMetricId\": \"\"\n"
	"}\n";

/*
 * The members newer CLIs add to the skeleton, left as they leave them,
 * and the skeleton's own Metrics with another unit (awscli 1.x picks
 * any value of an enum).
 */
#define NEWER_SKELETON_MEMBERS                                                 \
	", \"EvaluationCriteria\": {\"PromQLCriteria\": {\"Query\": \"\","     \
	" \"PendingPeriod\": 0, \"RecoveryPeriod\": 0}},"                      \
	" \"EvaluationInterval\": 0"

/* The skeleton with JSON_REQUIRED's members filled in, as jq would. */
static const char *skeleton_filled(const char *extra)
{
	static const struct {
		const char *from, *to;
	} fills[] = {
		{"\"MetricName\": \"\",",
		 "\"MetricName\": \"CPUUtilization\","},
		{"\"Namespace\": \"\",", "\"Namespace\": \"EC2\","},
		{"\"Statistic\": \"SampleCount\",",
		 "\"Statistic\": \"Average\","},
		{"\"Period\": 0,\n    \"Unit\"",
		 "\"Period\": 60,\n    \"Unit\""},
		{"\"EvaluationPeriods\": 0,", "\"EvaluationPeriods\": 3,"},
		{"\"Threshold\": 0.0,", "\"Threshold\": 80,"},
		{"\"GreaterThanOrEqualToThreshold\"",
		 "\"GreaterThanThreshold\""},
	};
	static char text[16384];
	char rest[16384], *at, *end;
	size_t i;

	snprintf(text, sizeof(text), "%s", CLI_SKELETON);
	for (i = 0; i < sizeof(fills) / sizeof(fills[0]); i++) {
		at = strstr(text, fills[i].from);
		cr_assert_not_null(at, "the skeleton lacks %s", fills[i].from);
		snprintf(rest, sizeof(rest), "%s", at + strlen(fills[i].from));
		snprintf(at, sizeof(text) - (size_t)(at - text), "%s%s",
			 fills[i].to, rest);
	}
	/* extra members go before the closing brace */
	end = strrchr(text, '}');
	snprintf(end, sizeof(text) - (size_t)(end - text), "%s\n}\n", extra);
	return text;
}

Test(json_skeleton, the_cli_skeleton_filled_in_is_accepted)
{
	static struct alarm_def d;

	expect_parsed(skeleton_filled(""), &d);
	cr_assert_str_eq(d.ns, "EC2");
	cr_assert_str_eq(d.metric, "CPUUtilization");
	cr_assert_eq(d.period_s, 60);
	cr_assert_eq(d.evaluation_periods, 3);
	cr_assert_eq(d.datapoints_to_alarm, 3, "DatapointsToAlarm 0 is absent");
	cr_assert_eq(d.threshold, 80);
	cr_assert_eq(d.missing, MISSING_MISSING,
		     "TreatMissingData \"\" is absent");
	cr_assert_str_eq(d.description, "");
	cr_assert_eq(d.alarm_actions.n + d.ok_actions.n +
			     d.insufficient_actions.n,
		     0, "[\"\"] is no action");
	cr_assert_eq(d.ntags, 0, "[{\"Key\":\"\",\"Value\":\"\"}] is no tag");
	cr_assert_str_eq(d.unit, "Seconds", "a unit given is kept");
	expect_parsed(skeleton_filled(NEWER_SKELETON_MEMBERS), &d);
}

Test(json_skeleton, the_bare_skeleton_names_what_is_missing)
{
	expect_refused(CLI_SKELETON, "missing Namespace, MetricName, Period");
}

Test(json_skeleton, members_left_empty_count_as_absent)
{
	static const char *const empties[] = {
		", \"AlarmDescription\": \"\"",
		", \"OKActions\": [\"\"]",
		", \"AlarmActions\": []",
		", \"Dimensions\": [{\"Name\": \"\", \"Value\": \"\"}]",
		", \"Dimensions\": {}",
		", \"Tags\": [{\"Key\": \"\", \"Value\": \"\"}]",
		", \"DatapointsToAlarm\": 0",
		", \"EvaluationPeriods\": 0",
		", \"ExtendedStatistic\": \"\"",
		", \"ThresholdMetricId\": \"\"",
		", \"Metrics\": [{\"Id\": \"\", \"MetricStat\": {\"Metric\":"
		" {\"Namespace\": \"\", \"Dimensions\": [{\"Name\": \"\","
		" \"Value\": \"\"}]}, \"Period\": 0, \"Stat\": \"\","
		" \"Unit\": \"Gigabytes\"}, \"ReturnData\": true, \"Period\": "
		"0}]",
		NEWER_SKELETON_MEMBERS,
	};
	static struct alarm_def d;
	size_t i;

	for (i = 0; i < sizeof(empties) / sizeof(empties[0]); i++)
		expect_parsed(json_with(empties[i]), &d);
	/* and the required ones, left empty, are missing */
	expect_refused("{\"Namespace\": \"\", \"MetricName\": \"\","
		       " \"Statistic\": \"\", \"Period\": 0,"
		       " \"ComparisonOperator\": \"\", \"Threshold\": 1}",
		       "missing Namespace, MetricName, Period,"
		       " ComparisonOperator, Statistic or ExtendedStatistic");
}

Test(json_skeleton, zero_is_a_value_where_zero_is_valid)
{
	static struct alarm_def d;

	expect_parsed("{\"Namespace\": \"EC2\", \"MetricName\": \"m\","
		      " \"Statistic\": \"Sum\", \"Period\": 60,"
		      " \"ComparisonOperator\": \"GreaterThanThreshold\","
		      " \"Threshold\": 0.0}",
		      &d);
	cr_assert_eq(d.threshold, 0);
	/* ActionsEnabled is a value whatever it says */
	expect_parsed(json_with(", \"ActionsEnabled\": false"), &d);
	cr_assert(!d.actions_enabled);
}

Test(json_skeleton, a_member_with_one_value_is_not_empty)
{
	expect_refused3(
		json_with(", \"Dimensions\": [{\"Name\": \"InstanceId\","
			  " \"Value\": \"\"}]"),
		"Dimensions[0]", "InstanceId", "empty");
	expect_refused(json_with(", \"Metrics\": [{\"Id\": \"\","
				 " \"Period\": 60}]"),
		       "Metrics: not supported yet");
	expect_refused(json_with(", \"OKActions\": [\"\", \"log:a/b\", \"\"]"),
		       "OKActions[0]: \"\" is not log:GROUP/STREAM");
}

Test(json_skeleton, newer_members_are_named_as_not_supported)
{
	expect_refused3(
		json_with(", \"EvaluationCriteria\": {\"PromQLCriteria\":"
			  " {\"Query\": \"up == 0\"}}"),
		"EvaluationCriteria: not supported yet", "PromQL", NULL);
	expect_refused(json_with(", \"EvaluationInterval\": 60"),
		       "EvaluationInterval: not supported yet");
	expect_refused(skeleton_filled(", \"EvaluationInterval\": 30"),
		       "EvaluationInterval: not supported yet");
}

/* ---- every error of a definition at once ---- */

/* text is refused and its message is exactly these lines. */
static void expect_lines(const char *text, const char *lines)
{
	struct alarm_def d;
	struct err err = {""};

	cr_assert_eq(parse(text, &d, &err), -EINVAL, "not refused:\n%s", text);
	cr_assert_str_eq(err.msg, lines);
}

Test(json_errors, every_error_is_one_line_in_document_order)
{
	expect_lines(json_with(", \"EvaluationCriteria\": {\"PromQLCriteria\":"
			       " {\"Query\": \"up\"}}, \"Unit\": \"percent\""),
		     "EvaluationCriteria: not supported yet (alarms on PromQL"
		     " queries)\n"
		     "Unit: \"percent\" is not a CloudWatch unit");
	expect_lines(
		"{\"Namespace\": \"EC2\", \"Bogus\": 1,"
		" \"Period\": 7, \"Metrics\": [{\"Id\": \"m1\"}]}",
		"\"Bogus\" is not a member of PutMetricAlarm\n"
		"Period: \"7\" is not 1, 5, 10, 20, 30 or a multiple of 60\n"
		"Metrics: not supported yet (metric math and alarms on"
		" several metrics); name one metric with Namespace,"
		" MetricName and Statistic\n"
		"missing MetricName, ComparisonOperator, Threshold,"
		" Statistic or ExtendedStatistic");
}

Test(json_errors, a_bad_value_is_reported_once)
{
	/* EvaluationPeriods is bad: DatapointsToAlarm is not judged by it */
	expect_lines(json_with(", \"EvaluationPeriods\": 500,"
			       " \"DatapointsToAlarm\": 3"),
		     "EvaluationPeriods: \"500\" is not an integer from 1 to"
		     " 100");
	/* a member given but bad is not also missing */
	expect_lines("{\"Namespace\": \"a//b\", \"MetricName\": \"m\","
		     " \"Statistic\": \"Sum\", \"Period\": 60,"
		     " \"ComparisonOperator\": \"Above\", \"Threshold\": 1}",
		     "Namespace: \"a//b\" has an empty level\n"
		     "ComparisonOperator: \"Above\" is not >, >=, <, <=,"
		     " GreaterThanThreshold, GreaterThanOrEqualToThreshold,"
		     " LessThanThreshold or LessThanOrEqualToThreshold");
}

Test(json_errors, a_misspelt_member_names_the_right_one)
{
	expect_refused(json_with(", \"namespace\": \"EC2\""),
		       "\"namespace\" is not a member of PutMetricAlarm (the"
		       " names are case-sensitive: Namespace)");
}

Test(json_errors, errors_that_do_not_fit_are_counted)
{
	char text[16384], member[64];
	struct alarm_def d;
	struct err err = {""};
	size_t used = 0;
	int i;

	used += (size_t)snprintf(text, sizeof(text), "{%s", JSON_REQUIRED);
	for (i = 0; i < 100; i++) {
		snprintf(member, sizeof(member), ", \"Unknown%03d\": 1", i);
		used += (size_t)snprintf(text + used, sizeof(text) - used, "%s",
					 member);
	}
	snprintf(text + used, sizeof(text) - used, "}");
	cr_assert_eq(parse(text, &d, &err), -EINVAL);
	cr_assert(strstr(err.msg, "\"Unknown000\" is not a member"));
	cr_assert(strlen(err.msg) < ERR_MSG_MAX - 1);
	/* the last line counts the lines that did not fit: 100 in all */
	{
		const char *last = strrchr(err.msg, '\n');
		unsigned shown = 0, more = 0;
		const char *p;

		cr_assert_not_null(last, "one line: \"%s\"", err.msg);
		last++;

		for (p = err.msg; (p = strstr(p, "is not a member")); p++)
			shown++;
		cr_assert_eq(sscanf(last, "(and %u more)", &more), 1,
			     "last line \"%s\"", last);
		cr_assert_eq(shown + more, 100, "%u shown, %u more", shown,
			     more);
	}
}

/* ---- rendering ---- */

Test(render, every_key_in_spec_order_with_defaults_filled_in)
{
	static struct alarm_def d;
	char *text;

	expect_parsed(CLI_INPUT_JSON, &d);
	text = render(&d);
	cr_assert_str_eq(text,
			 "metric = AWS/EC2/CPUUtilization\n"
			 "statistic = average\n"
			 "period = 60\n"
			 "comparison = >\n"
			 "threshold = 80\n"
			 "evaluation_periods = 3\n"
			 "datapoints_to_alarm = 2\n"
			 "treat_missing_data = breaching\n"
			 "description = CPU above 80% for 2 of 3 minutes\n"
			 "alarm_action = log:ops/alarms\n"
			 "alarm_action = exec:/usr/local/bin/page-oncall\n"
			 "ok_action = log:ops/alarms\n"
			 "actions_enabled = true\n"
			 "unit = Percent\n"
			 "tag = team=ops\n"
			 "tag = env=prod\n");
	free(text);
}

Test(render, only_the_required_keys_render_with_the_defaults)
{
	static struct alarm_def d;
	char *text;

	expect_parsed("metric = A/B\nstatistic = SampleCount\nperiod = 300\n"
		      "comparison = LessThanOrEqualToThreshold\n"
		      "threshold = 0.1\n",
		      &d);
	text = render(&d);
	cr_assert_str_eq(text, "metric = A/B\n"
			       "statistic = samples\n"
			       "period = 300\n"
			       "comparison = <=\n"
			       "threshold = 0.1\n"
			       "evaluation_periods = 1\n"
			       "datapoints_to_alarm = 1\n"
			       "treat_missing_data = missing\n"
			       "actions_enabled = true\n");
	free(text);
}

Test(render, values_that_would_not_read_back_bare_are_quoted)
{
	static struct alarm_def d;
	char *text;

	expect_parsed("metric = \"A #1/ B \"\nstatistic = p99.9\nperiod = 60\n"
		      "comparison = >\nthreshold = -0\n"
		      "description = \" say \\\"hi\\\"\\\\ \\n\"\n"
		      "tag = \"k=v #2\"\n",
		      &d);
	cr_assert_str_eq(d.ns, "A #1");
	cr_assert_str_eq(d.metric, " B ");
	text = render(&d);
	cr_assert_str_eq(text, "metric = \"A #1/ B \"\n"
			       "statistic = p99.9\n"
			       "period = 60\n"
			       "comparison = >\n"
			       "threshold = 0\n"
			       "evaluation_periods = 1\n"
			       "datapoints_to_alarm = 1\n"
			       "treat_missing_data = missing\n"
			       "description = \" say \\\"hi\\\"\\\\ \\n\"\n"
			       "actions_enabled = true\n"
			       "tag = \"k=v #2\"\n");
	free(text);
	expect_round_trip(&d);
}

Test(render, thresholds_print_as_the_shortest_number_that_reads_back)
{
	static const char *const thresholds[] = {
		"80",	  "0.1",	   "-2.5", "1e21",
		"1.5e-7", "123456789.123", "3.6",  "1.7976931348623157e308",
		"5e-324"};
	static struct alarm_def d;
	char text[512];
	size_t i;

	for (i = 0; i < sizeof(thresholds) / sizeof(thresholds[0]); i++) {
		snprintf(text, sizeof(text),
			 "metric = A/B\nstatistic = sum\nperiod = 60\n"
			 "comparison = >\nthreshold = %s\n",
			 thresholds[i]);
		expect_parsed(text, &d);
		expect_round_trip(&d);
	}
}

Test(render, the_spec_example_and_the_cli_json_read_back_the_same)
{
	static struct alarm_def d;

	expect_parsed(SPEC_EXAMPLE, &d);
	expect_round_trip(&d);
	expect_parsed(CLI_INPUT_JSON, &d);
	expect_round_trip(&d);
}

Test(render, a_definition_at_every_limit_reads_back_the_same)
{
	static char text[200000];
	static struct alarm_def d;
	static const char *const keys[] = {"alarm_action", "ok_action",
					   "insufficient_data_action"};
	char path[1100], description[1100];
	size_t used, i, k;

	used = (size_t)snprintf(text, sizeof(text), "%s", REQUIRED);
	for (i = 0; i < 1024; i++)
		description[i] = "a #\"\\\t"[i % 6];
	description[1024] = '\0';
	/* Quoted: tabs and quotes escaped. */
	used += (size_t)snprintf(text + used, sizeof(text) - used,
				 "description = \"");
	for (i = 0; i < 1024; i++) {
		char c = description[i];

		if (c == '"' || c == '\\')
			text[used++] = '\\';
		text[used++] = c;
	}
	used += (size_t)snprintf(text + used, sizeof(text) - used, "\"\n");
	memset(path, 'x', sizeof(path));
	path[0] = '/';
	path[ALARM_ACTION_MAX - 1 - 5] = '\0';
	for (k = 0; k < 3; k++)
		for (i = 0; i < ALARM_ACTIONS_MAX; i++)
			used += (size_t)snprintf(
				text + used, sizeof(text) - used,
				"%s = exec:%s\n", keys[k], path);
	for (i = 0; i < ALARM_TAGS_MAX; i++) {
		char key[129], value[257];

		memset(key, 'k', 128);
		snprintf(key + 120, 9, "%08zu", i);
		/* 128 + 1 + 255 bytes: ALARM_TAG_MAX. */
		memset(value, ' ', 255);
		value[0] = '#';
		value[254] = 'v';
		value[255] = '\0';
		used += (size_t)snprintf(text + used, sizeof(text) - used,
					 "tag = \"%s=%s\"\n", key, value);
	}
	expect_parsed(text, &d);
	cr_assert_str_eq(d.description, description);
	cr_assert_eq(strlen(d.alarm_actions.v[4]), ALARM_ACTION_MAX - 1);
	cr_assert_eq(d.ntags, ALARM_TAGS_MAX);
	cr_assert_eq(strlen(d.tags[49]), ALARM_TAG_MAX);
	expect_round_trip(&d);
	path[ALARM_ACTION_MAX - 1 - 5] = 'x';
	path[ALARM_ACTION_MAX - 1 - 4] = '\0';
	snprintf(text, sizeof(text), "%sok_action = exec:%s\n", REQUIRED, path);
	expect_refused(text, "longer than 1023 bytes");
}

Test(render, a_failed_parse_leaves_the_output_untouched)
{
	expect_refused(with("bogus = 1\n"), "bogus");
	expect_refused(json_with(", \"Metrics\": [{\"Id\": \"m1\"}]"),
		       "Metrics");
}

/* ---- names ---- */

Test(names, states_use_cloudwatchs_words)
{
	cr_assert_str_eq(alarm_state_name(ALARM_OK), "OK");
	cr_assert_str_eq(alarm_state_name(ALARM_ALARM), "ALARM");
	cr_assert_str_eq(alarm_state_name(ALARM_INSUFFICIENT_DATA),
			 "INSUFFICIENT_DATA");
}

Test(names, comparisons_have_a_symbol_and_a_cloudwatch_name)
{
	cr_assert_str_eq(alarm_comparison_symbol(CMP_GREATER), ">");
	cr_assert_str_eq(alarm_comparison_symbol(CMP_GREATER_EQUAL), ">=");
	cr_assert_str_eq(alarm_comparison_symbol(CMP_LESS), "<");
	cr_assert_str_eq(alarm_comparison_symbol(CMP_LESS_EQUAL), "<=");
	cr_assert_str_eq(alarm_comparison_name(CMP_GREATER),
			 "GreaterThanThreshold");
	cr_assert_str_eq(alarm_comparison_name(CMP_GREATER_EQUAL),
			 "GreaterThanOrEqualToThreshold");
	cr_assert_str_eq(alarm_comparison_name(CMP_LESS), "LessThanThreshold");
	cr_assert_str_eq(alarm_comparison_name(CMP_LESS_EQUAL),
			 "LessThanOrEqualToThreshold");
}

Test(names, treat_missing_data_values_use_cloudwatchs_spelling)
{
	cr_assert_str_eq(alarm_missing_name(MISSING_MISSING), "missing");
	cr_assert_str_eq(alarm_missing_name(MISSING_IGNORE), "ignore");
	cr_assert_str_eq(alarm_missing_name(MISSING_BREACHING), "breaching");
	cr_assert_str_eq(alarm_missing_name(MISSING_NOT_BREACHING),
			 "notBreaching");
}

/* ---- anything at all ---- */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint64_t rng(void)
{
	/* xorshift64*: reproducible, so a failure can be replayed. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Du;
}

/* Bytes a parser is most likely to trip on, and a few of any kind. */
static char interesting_byte(void)
{
	static const char bytes[] =
		"=#\"\\ \t\n\r/:{}[],01-.e9pxaA?\xc3\xa9\xff";

	if (rng() % 8 == 0)
		return (char)(rng() & 0xFF);
	return bytes[rng() % (sizeof(bytes) - 1)];
}

/*
 * Every message is valid UTF-8 without control bytes, for the trail,
 * but for the '\n' between the lines of several errors.
 */
static void expect_clean_message(const char *msg)
{
	const unsigned char *u = (const unsigned char *)msg;
	size_t len = strlen(msg), i = 0, n;

	cr_assert(len > 0, "a refusal without a message");
	cr_assert(u[0] != '\n' && u[len - 1] != '\n' && !strstr(msg, "\n\n"),
		  "an empty line in message \"%s\"", msg);
	while (i < len) {
		if (u[i] == '\n') {
			i++;
			continue;
		}
		cr_assert(u[i] >= 0x20 && u[i] != 0x7F,
			  "control byte in message \"%s\"", msg);
		n = utf8_sequence_length(u + i, len - i);
		cr_assert(n > 0, "invalid UTF-8 in message \"%s\"", msg);
		i += n;
	}
}

/* Parse text; if accepted it must round-trip, if refused say why. */
static void fuzz_one(const char *text, size_t len)
{
	static struct alarm_def d, again;
	struct err err = {""};
	struct strbuf sb = STRBUF_INIT;
	int rc = alarm_def_parse(text, len, &d, &err);

	cr_assert(rc == 0 || rc == -EINVAL, "rc %d", rc);
	if (rc) {
		expect_clean_message(err.msg);
		return;
	}
	cr_assert_eq(alarm_def_render(&d, &sb), 0);
	cr_assert_eq(alarm_def_parse(sb.buf, sb.len, &again, &err), 0,
		     "rendering refused: %s\n%s", err.msg, sb.buf);
	cr_assert(!memcmp(&d, &again, sizeof(d)),
		  "rendering did not read back the same:\n%s", sb.buf);
	strbuf_release(&sb);
}

Test(fuzz, random_bytes_never_crash)
{
	char text[512];
	size_t len, i;
	int round;

	for (round = 0; round < 20000; round++) {
		len = rng() % sizeof(text);
		for (i = 0; i < len; i++)
			text[i] = interesting_byte();
		if (round % 2)
			text[0] = '{';
		fuzz_one(text, len);
	}
}

Test(fuzz, mutated_definitions_never_crash_and_round_trip)
{
	static const char *const seeds[] = {SPEC_EXAMPLE, CLI_INPUT_JSON,
					    REQUIRED};
	static char text[8192];
	size_t len, at, n;
	int round, edits;

	for (round = 0; round < 30000; round++) {
		const char *seed = seeds[round % 3];

		len = strlen(seed);
		memcpy(text, seed, len);
		for (edits = 1 + (int)(rng() % 4); edits > 0; edits--) {
			at = len ? rng() % len : 0;
			switch (rng() % 4) {
			case 0: /* replace a byte */
				if (len)
					text[at] = interesting_byte();
				break;
			case 1: /* insert a byte */
				if (len + 1 < sizeof(text)) {
					memmove(text + at + 1, text + at,
						len - at);
					text[at] = interesting_byte();
					len++;
				}
				break;
			case 2: /* delete a run */
				n = rng() % 16;
				if (n > len - at)
					n = len - at;
				memmove(text + at, text + at + n, len - at - n);
				len -= n;
				break;
			default: /* duplicate a run */
				n = rng() % 64;
				if (n > len - at)
					n = len - at;
				if (len + n < sizeof(text)) {
					memmove(text + at + n, text + at,
						len - at);
					len += n;
				}
				break;
			}
		}
		fuzz_one(text, len);
	}
}

/* ---- dimensions (SPEC 11) ---- */

/* The other keys of a definition, after its metric and dimension lines. */
#define AFTER_METRIC                                                           \
	"statistic = average\nperiod = 60\ncomparison = >\nthreshold = 80\n"

/* d's dimension set as "Name=Value;..." (values decoded), for asserts. */
static char *dimension_pairs(const struct alarm_def *d)
{
	struct dimension_set set = DIMENSION_SET_INIT;
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	cr_assert_eq(alarm_def_dimension_set(d, &set), 0);
	for (i = 0; i < set.count; i++)
		cr_assert_eq(strbuf_addf(&sb, "%s=%s;", set.dims[i].name,
					 set.dims[i].value),
			     0);
	dimension_set_free(&set);
	return sb.buf ? sb.buf : strdup("");
}

static void expect_dimensions(const struct alarm_def *d, const char *pairs)
{
	char *got = dimension_pairs(d);

	cr_assert_str_eq(got, pairs);
	free(got);
}

/* d has one dimension, k, whose value is value. */
static void expect_dimensions_value(const struct alarm_def *d,
				    const char *value)
{
	char pair[300];

	snprintf(pair, sizeof(pair), "k=%s;", value);
	expect_dimensions(d, pair);
}

/* text and text2 parse to the same definition, byte for byte. */
static void expect_same(const char *text, const char *text2)
{
	static struct alarm_def a, b;

	expect_parsed(text, &a);
	expect_parsed(text2, &b);
	cr_assert(!memcmp(&a, &b, sizeof(a)), "not one definition:\n%s\n%s",
		  text, text2);
}

Test(dimensions, the_namespace_ends_before_the_first_dimension)
{
	static struct alarm_def d;

	expect_parsed("metric = "
		      "AWS/EC2/InstanceId=i-0abc/CPUUtilization\n" AFTER_METRIC,
		      &d);
	cr_assert_str_eq(d.ns, "AWS/EC2");
	cr_assert_str_eq(d.metric, "CPUUtilization");
	expect_dimensions(&d, "InstanceId=i-0abc;");
}

Test(dimensions, a_dimensionless_metric_has_no_dimensions)
{
	static struct alarm_def d;

	expect_parsed(REQUIRED, &d);
	cr_assert_str_eq(d.dimensions, "");
	expect_dimensions(&d, "");
}

Test(dimensions, any_order_of_the_components_names_one_alarm_metric)
{
	static struct alarm_def d;

	expect_same("metric = AWS/EC2/InstanceId=i-1/AutoScalingGroupName=web"
		    "/CPUUtilization\n" AFTER_METRIC,
		    "metric = AWS/EC2/AutoScalingGroupName=web/InstanceId=i-1"
		    "/CPUUtilization\n" AFTER_METRIC);
	expect_parsed("metric = AWS/EC2/InstanceId=i-1/AutoScalingGroupName=web"
		      "/CPUUtilization\n" AFTER_METRIC,
		      &d);
	/* Names sorted bytewise: the canonical order. */
	expect_dimensions(&d, "AutoScalingGroupName=web;InstanceId=i-1;");
}

Test(dimensions, dimension_lines_name_the_same_metric_as_the_path)
{
	const char *path = "metric = AWS/EC2/AutoScalingGroupName=web"
			   "/InstanceId=i-1/CPUUtilization\n" AFTER_METRIC;

	expect_same(path,
		    "metric = AWS/EC2/CPUUtilization\n"
		    "dimension = InstanceId=i-1\n"
		    "dimension = AutoScalingGroupName=web\n" AFTER_METRIC);
	/* Mixed, and the lines before the metric. */
	expect_same(path, "dimension = InstanceId=i-1\n"
			  "metric = AWS/EC2/AutoScalingGroupName=web"
			  "/CPUUtilization\n" AFTER_METRIC);
}

Test(dimensions, path_values_are_percent_decoded_and_lines_are_not)
{
	static struct alarm_def d;

	expect_same("metric = "
		    "System/path=%2Fvar%2Flog/disk_used_percent\n" AFTER_METRIC,
		    "metric = System/disk_used_percent\n"
		    "dimension = path=/var/log\n" AFTER_METRIC);
	expect_parsed("metric = System/disk_used_percent\n"
		      "dimension = path=100%25\n" AFTER_METRIC,
		      &d);
	expect_dimensions(&d, "path=100%25;");
}

Test(dimensions, a_value_may_hold_equals_signs)
{
	static struct alarm_def d;

	expect_parsed("metric = A/B\ndimension = query=a=b\n" AFTER_METRIC, &d);
	expect_dimensions(&d, "query=a=b;");
}

Test(dimensions, the_json_form_takes_dimensions)
{
	static struct alarm_def d;
	static char text[1024];

	expect_parsed(json_with(", \"Dimensions\": [{\"Name\": \"InstanceId\","
				" \"Value\": \"i-1\"}, {\"Name\": \"Auto"
				"ScalingGroupName\", \"Value\": \"web\"}]"),
		      &d);
	cr_assert_str_eq(d.ns, "EC2");
	expect_dimensions(&d, "AutoScalingGroupName=web;InstanceId=i-1;");
	snprintf(text, sizeof(text), "%s", render(&d));
	expect_same(text,
		    "metric = EC2/InstanceId=i-1/AutoScalingGroupName=web"
		    "/CPUUtilization\n"
		    "statistic = Average\nperiod = 60\n"
		    "comparison = GreaterThanThreshold\nthreshold = 80\n");
}

Test(dimensions, a_json_value_is_taken_as_written)
{
	static struct alarm_def d;

	expect_parsed(json_with(", \"Dimensions\": [{\"Name\": \"path\","
				" \"Value\": \"/var/log%2F\"}]"),
		      &d);
	expect_dimensions(&d, "path=/var/log%2F;");
}

Test(dimensions, the_clis_blank_dimension_counts_as_absent)
{
	static struct alarm_def d;

	expect_parsed(json_with(", \"Dimensions\": [{\"Name\": \"\","
				" \"Value\": \"\"}]"),
		      &d);
	cr_assert_str_eq(d.dimensions, "");
}

Test(dimensions, the_rendering_shows_dimension_lines_in_canonical_order)
{
	static struct alarm_def d;
	char *text;

	expect_parsed("metric = AWS/EC2/InstanceId=i-1/AutoScalingGroupName=web"
		      "/CPUUtilization\n" AFTER_METRIC,
		      &d);
	text = render(&d);
	cr_assert(strstr(text, "metric = AWS/EC2/CPUUtilization\n"
			       "dimension = AutoScalingGroupName=web\n"
			       "dimension = InstanceId=i-1\n"
			       "statistic = "),
		  "%s", text);
	free(text);
	expect_round_trip(&d);
}

Test(dimensions, hard_values_round_trip)
{
	static const char *const values[] = {
		"a#b",	"a #b",	    " lead", "trail ",	   "x=y",
		"100%", "/var/log", "?q",    "\"quoted\"", "é",
	};
	static struct alarm_def d;
	char text[512];
	size_t i;

	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		/* Quoted, but for the value that holds quotes: bare. */
		snprintf(text, sizeof(text),
			 strchr(values[i], '"') ? "metric = A/B\ndimension = "
						  "k=%s\n" AFTER_METRIC
						: "metric = A/B\ndimension = "
						  "\"k=%s\"\n" AFTER_METRIC,
			 values[i]);
		expect_parsed(text, &d);
		expect_dimensions_value(&d, values[i]);
		expect_round_trip(&d);
	}
}

Test(dimensions, thirty_dimensions_of_255_bytes_are_kept_whole)
{
	static struct alarm_def d;
	static char text[16384];
	char value[256];
	size_t used, i;

	used = (size_t)snprintf(text, sizeof(text), "metric = A/B\n");
	for (i = 0; i < 30; i++) {
		/* "dNN=" and 251 bytes: a component of 255. */
		memset(value, 'a' + (int)(i % 26), 251);
		value[251] = '\0';
		used += (size_t)snprintf(text + used, sizeof(text) - used,
					 "dimension = d%02zu=%s\n", i, value);
	}
	snprintf(text + used, sizeof(text) - used, AFTER_METRIC);
	expect_parsed(text, &d);
	cr_assert_eq(strlen(d.dimensions), 30 * 255 + 29);
	expect_round_trip(&d);
}

Test(dimension_refusals, a_namespace_level_after_a_dimension)
{
	expect_refused3("metric = AWS/InstanceId=i-1/EC2/CPU\n" AFTER_METRIC,
			"line 1: metric", "\"EC2\"", "InstanceId=i-1");
}

Test(dimension_refusals, a_name_twice_in_the_path)
{
	expect_refused3("metric = A/k=1/k=2/B\n" AFTER_METRIC, "line 1: metric",
			"k=2", "twice");
}

Test(dimension_refusals, a_name_twice_across_the_path_and_the_lines)
{
	expect_refused3("metric = A/k=1/B\ndimension = k=2\n" AFTER_METRIC,
			"line 2: dimension", "\"k\"", "twice");
	expect_refused3("dimension = k=2\nmetric = A/k=1/B\n" AFTER_METRIC,
			"line 2: metric", "\"k\"", "twice");
	expect_refused3(
		"metric = A/B\ndimension = k=1\ndimension = k=1\n" AFTER_METRIC,
		"line 3: dimension", "\"k\"", "twice");
}

Test(dimension_refusals, an_empty_name_or_value)
{
	expect_refused3("metric = A/=x/B\n" AFTER_METRIC, "line 1: metric",
			"\"=x\"", "empty");
	expect_refused3("metric = A/k=/B\n" AFTER_METRIC, "line 1: metric",
			"\"k=\"", "empty");
	expect_refused3("metric = A/B\ndimension = =x\n" AFTER_METRIC,
			"line 2: dimension", "dimension name", NULL);
	expect_refused3("metric = A/B\ndimension = k=\n" AFTER_METRIC,
			"line 2: dimension", "\"k\"", "empty");
	expect_refused3("metric = A/B\ndimension = k\n" AFTER_METRIC,
			"line 2: dimension", "\"k\" is not Name=Value", NULL);
}

Test(dimension_refusals, a_bad_percent_escape)
{
	expect_refused3("metric = A/k=%zz/B\n" AFTER_METRIC, "line 1: metric",
			"k=%zz", NULL);
	expect_refused3("metric = A/k=x%4/B\n" AFTER_METRIC, "line 1: metric",
			"k=x%4", NULL);
}

Test(dimension_refusals, a_thirty_first_dimension)
{
	static char text[8192];
	size_t used, i;

	/* 30 in the path, one more as a line. */
	used = (size_t)snprintf(text, sizeof(text), "metric = A");
	for (i = 0; i < 30; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used,
					 "/d%02zu=v", i);
	snprintf(text + used, sizeof(text) - used,
		 "/B\ndimension = e=v\n" AFTER_METRIC);
	expect_refused3(text, "line 2: dimension", "\"e\"",
			"more than 30 dimensions");
	/* 31 in the path. */
	snprintf(text + used, sizeof(text) - used, "/e=v/B\n" AFTER_METRIC);
	expect_refused3(text, "line 1: metric", "e=v",
			"more than 30 dimensions");
}

Test(dimension_refusals, json_dimensions_of_a_bad_shape)
{
	expect_refused(json_with(", \"Dimensions\": [\"InstanceId=i-1\"]"),
		       "Dimensions[0]: must be {\"Name\": string");
	expect_refused(json_with(", \"Dimensions\": [{\"Name\": \"a\","
				 " \"Value\": \"b\"}, {\"Name\": \"c\","
				 " \"Value\": 1}]"),
		       "Dimensions[1]: must be {\"Name\": string");
	expect_refused(json_with(", \"Dimensions\": [{\"Name\": \"a\","
				 " \"Value\": \"b\", \"Extra\": \"c\"}]"),
		       "Dimensions[0]: must be {\"Name\": string");
	expect_refused3(json_with(", \"Dimensions\": [{\"Name\": \"a\","
				  " \"Value\": \"b\"}, {\"Name\": \"a\","
				  " \"Value\": \"c\"}]"),
			"Dimensions[1]", "\"a\"", "twice");
}

Test(dimension_refusals, equals_in_a_json_namespace_or_metric_name)
{
	expect_refused("{\"Namespace\": \"EC2/InstanceId=i-1\", \"MetricName\":"
		       " \"CPU\", \"Statistic\": \"Average\", \"Period\": 60,"
		       " \"ComparisonOperator\": \"GreaterThanThreshold\","
		       " \"Threshold\": 80}",
		       "Namespace: \"EC2/InstanceId=i-1\" holds '='");
	expect_refused("{\"Namespace\": \"EC2\", \"MetricName\": \"a=b\","
		       " \"Statistic\": \"Average\", \"Period\": 60,"
		       " \"ComparisonOperator\": \"GreaterThanThreshold\","
		       " \"Threshold\": 80}",
		       "MetricName: \"a=b\" is not a name (it holds '=')");
	expect_refused("metric = A/a=b\n" AFTER_METRIC, "line 1: metric");
}

Test(dimension_refusals, a_composite_takes_no_dimension)
{
	expect_refused("rule = ALARM(a)\ndimension = k=v\n",
		       "line 2: dimension: not allowed in a composite alarm");
}
