/*
 * Unit tests for lib/rule_def.h: what a user may write to rules/NAME
 * (SPEC 13) in either form, what each refusal says, that a definition's
 * rendering reads back to the same definition, the part of an event an
 * input_path delivers, and the cycle check of events: targets.
 */
#include "lib/rule_def.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * `aws events put-rule --generate-cli-skeleton` and `aws events
 * put-targets --generate-cli-skeleton` (aws-cli 1.45) merged in one
 * object, as they print them.
 */
static const char SKELETON[] =
	"{\n"
	"    \"Name\": \"\",\n"
	"    \"ScheduleExpression\": \"\",\n"
	"    \"EventPattern\": \"\",\n"
	"    \"State\": \"ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS\",\n"
	"    \"Description\": \"\",\n"
	"    \"RoleArn\": \"\",\n"
	"    \"Tags\": [\n"
	"        {\n"
	"            \"Key\": \"\",\n"
	"            \"Value\": \"\"\n"
	"        }\n"
	"    ],\n"
	"    \"EventBusName\": \"\",\n"
	"    \"Rule\": \"\",\n"
	"    \"Targets\": [\n"
	"        {\n"
	"            \"Id\": \"\",\n"
	"            \"Arn\": \"\",\n"
	"            \"RoleArn\": \"\",\n"
	"            \"Input\": \"\",\n"
	"            \"InputPath\": \"\",\n"
	"            \"InputTransformer\": {\n"
	"                \"InputPathsMap\": {\n"
	"                    \"KeyName\": \"\"\n"
	"                },\n"
	"                \"InputTemplate\": \"\"\n"
	"            },\n"
	"            \"KinesisParameters\": {\n"
	"                \"PartitionKeyPath\": \"\"\n"
	"            },\n"
	"            \"RunCommandParameters\": {\n"
	"                \"RunCommandTargets\": [\n"
	"                    {\n"
	"                        \"Key\": \"\",\n"
	"                        \"Values\": [\n"
	"                            \"\"\n"
	"                        ]\n"
	"                    }\n"
	"                ]\n"
	"            },\n"
	"            \"EcsParameters\": {\n"
	"                \"TaskDefinitionArn\": \"\",\n"
	"                \"TaskCount\": 0,\n"
	"                \"LaunchType\": \"EC2\",\n"
	"                \"NetworkConfiguration\": {\n"
	"                    \"awsvpcConfiguration\": {\n"
	"                        \"Subnets\": [\n"
	"                            \"\"\n"
	"                        ],\n"
	"                        \"SecurityGroups\": [\n"
	"                            \"\"\n"
	"                        ],\n"
	"                        \"AssignPublicIp\": \"ENABLED\"\n"
	"                    }\n"
	"                },\n"
	"                \"PlatformVersion\": \"\",\n"
	"                \"Group\": \"\",\n"
	"                \"CapacityProviderStrategy\": [\n"
	"                    {\n"
	"                        \"capacityProvider\": \"\",\n"
	"                        \"weight\": 0,\n"
	"                        \"base\": 0\n"
	"                    }\n"
	"                ],\n"
	"                \"EnableECSManagedTags\": true,\n"
	"                \"EnableExecuteCommand\": true,\n"
	"                \"PlacementConstraints\": [\n"
	"                    {\n"
	"                        \"type\": \"memberOf\",\n"
	"                        \"expression\": \"\"\n"
	"                    }\n"
	"                ],\n"
	"                \"PlacementStrategy\": [\n"
	"                    {\n"
	"                        \"type\": \"spread\",\n"
	"                        \"field\": \"\"\n"
	"                    }\n"
	"                ],\n"
	"                \"PropagateTags\": \"TASK_DEFINITION\",\n"
	"                \"ReferenceId\": \"\",\n"
	"                \"Tags\": [\n"
	"                    {\n"
	"                        \"Key\": \"\",\n"
	"                        \"Value\": \"\"\n"
	"                    }\n"
	"                ]\n"
	"            },\n"
	"            \"BatchParameters\": {\n"
	"                \"JobDefinition\": \"\",\n"
	"                \"JobName\": \"\",\n"
	"                \"ArrayProperties\": {\n"
	"                    \"Size\": 0\n"
	"                },\n"
	"                \"RetryStrategy\": {\n"
	"                    \"Attempts\": 0\n"
	"                }\n"
	"            },\n"
	"            \"SqsParameters\": {\n"
	"                \"MessageGroupId\": \"\"\n"
	"            },\n"
	"            \"HttpParameters\": {\n"
	"                \"PathParameterValues\": [\n"
	"                    \"\"\n"
	"                ],\n"
	"                \"HeaderParameters\": {\n"
	"                    \"KeyName\": \"\"\n"
	"                },\n"
	"                \"QueryStringParameters\": {\n"
	"                    \"KeyName\": \"\"\n"
	"                }\n"
	"            },\n"
	"            \"RedshiftDataParameters\": {\n"
	"                \"SecretManagerArn\": \"\",\n"
	"                \"Database\": \"\",\n"
	"                \"DbUser\": \"\",\n"
	"                \"Sql\": \"\",\n"
	"                \"StatementName\": \"\",\n"
	"                \"WithEvent\": true,\n"
	"                \"Sqls\": [\n"
	"                    \"\"\n"
	"                ]\n"
	"            },\n"
	"            \"SageMakerPipelineParameters\": {\n"
	"                \"PipelineParameterList\": [\n"
	"                    {\n"
	"                        \"Name\": \"\",\n"
	"                        \"Value\": \"\"\n"
	"                    }\n"
	"                ]\n"
	"            },\n"
	"            \"DeadLetterConfig\": {\n"
	"                \"Arn\": \"\"\n"
	"            },\n"
	"            \"RetryPolicy\": {\n"
	"                \"MaximumRetryAttempts\": 0,\n"
	"                \"MaximumEventAgeInSeconds\": 0\n"
	"            },\n"
	"            \"AppSyncParameters\": {\n"
	"                \"GraphQLOperation\": \"\"\n"
	"            }\n"
	"        }\n"
	"    ]\n"
	"}\n";

/* SPEC 13's example, comments included. */
static const char SPEC_EXAMPLE[] =
	"pattern = {\"source\":[\"aws.cloudwatch\"],\"detail\":{\"state\":"
	"{\"value\":[\"ALARM\"]}}}\n"
	"bus = default                     # pattern rules only; default:"
	" default\n"
	"target = log:ops/events           # one line per target, up to 5\n"
	"target = exec:/usr/local/bin/notify\n"
	"input_path = $.detail             # optional: deliver this part of"
	" the event\n"
	"state = ENABLED                   # or DISABLED\n"
	"description = page on any alarm\n";

static int parse(const char *text, struct rule_def *d, struct err *err)
{
	memset(err, 0, sizeof(*err));
	return rule_def_parse(text, strlen(text), d, err);
}

/* Parse text, which must be accepted. */
static void accepted(const char *text, struct rule_def *d)
{
	struct err err;

	cr_assert_eq(parse(text, d, &err), 0, "%s\nrefused: %s", text, err.msg);
}

/* Parse text, which must be refused with exactly message. */
static void refused(const char *text, const char *message)
{
	struct rule_def *d = malloc(sizeof(*d));
	struct err err;

	cr_assert_eq(parse(text, d, &err), -EINVAL, "accepted: %s", text);
	cr_assert_str_eq(err.msg, message, "for %s\ngot %s", text, err.msg);
	free(d);
}

/* d rendered, as a string to free. */
static char *render(const struct rule_def *d)
{
	struct strbuf sb = STRBUF_INIT;

	cr_assert_eq(rule_def_render(d, &sb), 0);
	return sb.buf;
}

/* The text's definition renders to expected, and reads back the same. */
static void renders(const char *text, const char *expected)
{
	struct rule_def *d = calloc(2, sizeof(*d));
	char *once, *twice;

	accepted(text, &d[0]);
	once = render(&d[0]);
	cr_assert_str_eq(once, expected, "for %s", text);
	accepted(once, &d[1]);
	cr_assert_eq(memcmp(&d[0], &d[1], sizeof(*d)), 0, "%s", once);
	twice = render(&d[1]);
	cr_assert_str_eq(twice, once);
	free(once);
	free(twice);
	free(d);
}

/* text with the first `from` replaced by `to`, as a string to free. */
static char *replace(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	struct strbuf sb = STRBUF_INIT;

	cr_assert(at, "no %s", from);
	cr_assert_eq(strbuf_add(&sb, text, (size_t)(at - text)), 0);
	cr_assert_eq(strbuf_adds(&sb, to), 0);
	cr_assert_eq(strbuf_adds(&sb, at + strlen(from)), 0);
	return sb.buf;
}

/* ---- the key = value form ---- */

Test(rule_def, the_spec_example_reads_with_its_comments)
{
	struct rule_def d;

	accepted(SPEC_EXAMPLE, &d);
	cr_assert_str_eq(d.pattern, "{\"source\":[\"aws.cloudwatch\"],"
				    "\"detail\":{\"state\":{\"value\":"
				    "[\"ALARM\"]}}}");
	cr_assert_not(d.has_schedule);
	cr_assert_str_eq(d.bus, "default");
	cr_assert_eq(d.ntargets, 2);
	cr_assert_eq(d.targets[0].kind, RULE_TARGET_LOG);
	cr_assert_str_eq(d.targets[0].group, "ops");
	cr_assert_str_eq(d.targets[0].stream, "events");
	cr_assert_eq(d.targets[1].kind, RULE_TARGET_EXEC);
	cr_assert_str_eq(d.targets[1].path, "/usr/local/bin/notify");
	cr_assert_str_eq(d.input_path, "$.detail");
	cr_assert(d.enabled);
	cr_assert_str_eq(d.description, "page on any alarm");
}

Test(rule_def, the_spec_example_renders_without_its_comments)
{
	renders(SPEC_EXAMPLE,
		"pattern = {\"source\":[\"aws.cloudwatch\"],\"detail\":"
		"{\"state\":{\"value\":[\"ALARM\"]}}}\n"
		"bus = default\n"
		"target = log:ops/events\n"
		"target = exec:/usr/local/bin/notify\n"
		"input_path = $.detail\n"
		"state = ENABLED\n"
		"description = page on any alarm\n");
}

Test(rule_def, a_pattern_rule_has_defaults_bus_default_and_enabled)
{
	struct rule_def d;

	accepted("pattern = {\"source\": [\"app\"]}\n", &d);
	cr_assert_str_eq(d.bus, "default");
	cr_assert(d.enabled);
	cr_assert_eq(d.ntargets, 0);
	cr_assert_str_eq(d.input_path, "");
	cr_assert_str_eq(d.description, "");
	renders("pattern = {\"source\": [\"app\"]}\n",
		"pattern = {\"source\":[\"app\"]}\n"
		"bus = default\n"
		"state = ENABLED\n");
}

Test(rule_def, a_pattern_is_kept_compact_in_the_order_written)
{
	renders("pattern =   { \"detail\" : { \"b\": [1, 2.5, 0.1, true, null],"
		" \"a\": [{\"prefix\": \"x # y\"}] } }   # a comment\n"
		"target = log:g/s\n",
		"pattern = {\"detail\":{\"b\":[1,2.5,0.1,true,null],\"a\":"
		"[{\"prefix\":\"x # y\"}]}}\n"
		"bus = default\n"
		"target = log:g/s\n"
		"state = ENABLED\n");
}

Test(rule_def, a_pattern_keeps_escapes_and_utf8_on_one_line)
{
	renders("pattern = {\"detail\":{\"m\":[\"a\\\"b\\\\c\\nd\", \"é\"]}}\n",
		"pattern = {\"detail\":{\"m\":[\"a\\\"b\\\\c\\nd\",\"é\"]}}\n"
		"bus = default\n"
		"state = ENABLED\n");
}

Test(rule_def, a_schedule_rule_has_no_bus)
{
	struct rule_def d;

	accepted("schedule = rate(5 minutes)\ntarget = log:g/s\n", &d);
	cr_assert(d.has_schedule);
	cr_assert_str_eq(d.pattern, "");
	cr_assert_str_eq(d.bus, "");
	cr_assert_eq(d.schedule.kind, SCHEDULE_RATE);
	renders("schedule = rate(5 minutes)\ntarget = log:g/s\n",
		"schedule = rate(5 minutes)\n"
		"target = log:g/s\n"
		"state = ENABLED\n");
}

Test(rule_def, a_schedule_rule_may_say_bus_default)
{
	renders("schedule = cron(0/15 * * * ? *)\nbus = default\n",
		"schedule = cron(0/15 * * * ? *)\n"
		"state = ENABLED\n");
}

Test(rule_def, a_cron_with_a_hash_reads_back)
{
	renders("schedule = \"cron(0 10 ? * 6#3 *)\"\nstate = DISABLED\n",
		"schedule = \"cron(0 10 ? * 6#3 *)\"\n"
		"state = DISABLED\n");
	renders("schedule = cron(0 10 ? * 6#3 *)\n",
		"schedule = \"cron(0 10 ? * 6#3 *)\"\n"
		"state = ENABLED\n");
}

Test(rule_def, every_key_round_trips)
{
	renders("description = \"a # b \\\"quoted\\\"\"\n"
		"state = DISABLED\n"
		"input_path = $.detail.items[0].id\n"
		"target = events:audit\n"
		"target = exec:/bin/true\n"
		"target = log:/aws/lambda/checkout/stream-1\n"
		"target = log:a/b\n"
		"target = log:a/c\n"
		"bus = orders\n"
		"pattern = {\"source\":[\"shop\"]}\n",
		"pattern = {\"source\":[\"shop\"]}\n"
		"bus = orders\n"
		"target = events:audit\n"
		"target = exec:/bin/true\n"
		"target = log:aws/lambda/checkout/stream-1\n"
		"target = log:a/b\n"
		"target = log:a/c\n"
		"input_path = $.detail.items[0].id\n"
		"state = DISABLED\n"
		"description = \"a # b \\\"quoted\\\"\"\n");
}

Test(rule_def, many_definitions_round_trip)
{
	static const char *const texts[] = {
		"pattern = {\"a\":[\"#\"]}\ndescription = \"#\"\n",
		"pattern = {\"a\":[{\"numeric\":[\">\",0,\"<=\",5]}]}\n",
		"pattern = {\"$or\":[{\"a\":[1]},{\"b\":[2]}]}\n",
		"pattern = {\"a\":[{\"anything-but\":{\"prefix\":\"x\"}}]}\n",
		"pattern = {\"a\":[{\"cidr\":\"10.0.0.0/24\"}]}\n",
		"pattern = {\"a\":[1e300, -0.5, 123456789012]}\n",
		"schedule = rate(1 day)\ndescription = \"  blanks  \"\n",
		"schedule = cron(5 4 L * ? 2030)\ninput_path = $\n",
		"pattern = {\"a\":[\"b\"]}\ndescription = line one\\nnot "
		"escaped\n",
		"pattern = {\"a\":[\"b\"]}\ndescription = \"tab\\there\\n"
		"two\"\n",
		"pattern = {\"a\":[\"b\"]}\ntarget = log:x/y/z/w\n"
		"target = events:b2\ninput_path = $.a-b_c/d[12]\n",
	};
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct rule_def *d = calloc(2, sizeof(*d));
		char *once, *twice;

		accepted(texts[i], &d[0]);
		once = render(&d[0]);
		accepted(once, &d[1]);
		cr_assert_eq(memcmp(&d[0], &d[1], sizeof(*d)), 0, "%s", once);
		twice = render(&d[1]);
		cr_assert_str_eq(once, twice);
		free(once);
		free(twice);
		free(d);
	}
}

Test(rule_def, the_counters_a_read_shows_write_back)
{
	struct rule_def d;

	accepted("pattern = {\"a\":[\"b\"]}\nmatched = 3\ninvocations = 6\n"
		 "failed_invocations = 0\nlast_fired = 2026-12-04T10:00:00Z\n",
		 &d);
	cr_assert_eq(d.ntargets, 0);
}

Test(rule_def, a_rule_may_have_five_targets_and_no_more)
{
	static const char five[] = "pattern = {\"a\":[\"b\"]}\n"
				   "target = log:g/1\ntarget = log:g/2\n"
				   "target = log:g/3\ntarget = log:g/4\n"
				   "target = log:g/5\n";
	struct rule_def d;
	char *six = replace(five, "target = log:g/5\n",
			    "target = log:g/5\ntarget = log:g/6\n");

	accepted(five, &d);
	cr_assert_eq(d.ntargets, 5);
	refused(six, "line 7: target: more than 5 targets (EventBridge's "
		     "limit)");
	free(six);
}

Test(rule_def, target_buses_lists_the_events_targets)
{
	const char *buses[RULE_TARGETS_MAX];
	struct rule_def d;

	accepted("pattern = {\"a\":[\"b\"]}\ntarget = events:x\n"
		 "target = log:g/s\ntarget = events:y\n",
		 &d);
	cr_assert_eq(rule_def_target_buses(&d, buses), 2);
	cr_assert_str_eq(buses[0], "x");
	cr_assert_str_eq(buses[1], "y");
}

/* ---- refusals of the key = value form ---- */

/* A valid first line for the tests of the other keys. */
#define PAT "pattern = {\"a\":[\"b\"]}\n"

Test(rule_def, a_bad_pattern_is_refused_with_its_path)
{
	refused("pattern = {\"detail\":{\"x\":[{\"numeric\":[]}]}}\n",
		"line 1: pattern: detail.x: \"numeric\" needs an operator and"
		" a number, as [\">\", 0, \"<=\", 5]");
	refused("pattern = {}\n",
		"line 1: pattern: a pattern must name at least one field ({}"
		" would match every event)");
	refused("pattern = {\"a\":\"b\"}\n",
		"line 1: pattern: a: a leaf must be an array");
	refused("pattern = {\"a\":[\"b\"]\n",
		"line 1: pattern: the pattern is not JSON: '}' expected near"
		" end of file (line 1, column 10)");
	refused("pattern =\n", "line 1: pattern: no value");
}

Test(rule_def, a_pattern_longer_than_eventbridge_allows_is_refused)
{
	struct strbuf sb = STRBUF_INIT;
	struct rule_def d;

	cr_assert_eq(strbuf_adds(&sb, "pattern = {\"a\":[\""), 0);
	while (sb.len < 10 + RULE_PATTERN_MAX - 3)
		cr_assert_eq(strbuf_adds(&sb, "x"), 0);
	cr_assert_eq(strbuf_adds(&sb, "\"]}\n"), 0);
	accepted(sb.buf, &d); /* 4096 bytes: the limit */
	cr_assert_eq(strlen(d.pattern), RULE_PATTERN_MAX);
	sb.buf[sb.len - 5] = 'y';
	cr_assert_eq(strbuf_adds(&sb, ""), 0);
	sb.len -= 4;
	cr_assert_eq(strbuf_adds(&sb, "z\"]}\n"), 0);
	refused(sb.buf, "line 1: pattern: longer than 4096 bytes"
			" (EventBridge's limit)");
	strbuf_release(&sb);
}

Test(rule_def, a_bad_schedule_is_refused_with_the_field)
{
	refused("schedule = rate(5 minute)\n",
		"line 1: schedule: rate: \"minute\": a value above 1 takes"
		" \"minutes\"");
}

Test(rule_def, exactly_one_of_pattern_and_schedule)
{
	refused("schedule = rate(5 minutes)\npattern = {\"a\":[\"b\"]}\n",
		"line 1: schedule: not with a pattern (line 2): give one");
	refused("target = log:g/s\n", "missing pattern or schedule");
	refused("", "missing pattern or schedule");
}

Test(rule_def, a_bus_is_for_pattern_rules_only)
{
	refused("bus = other\nschedule = rate(1 hour)\n",
		"line 1: bus: a schedule rule listens on no bus (bus is for"
		" pattern rules)");
}

Test(rule_def, a_rule_may_not_target_its_own_bus)
{
	struct rule_def d;

	refused(PAT "target = events:default\n",
		"line 2: target: \"events:default\" is the rule's own bus");
	refused(PAT "bus = x\ntarget = log:g/s\ntarget = events:x\n",
		"line 4: target: \"events:x\" is the rule's own bus");
	/* Another bus, or a schedule rule, which listens on none. */
	accepted(PAT "bus = x\ntarget = events:default\n", &d);
	accepted("schedule = rate(1 hour)\ntarget = events:default\n", &d);
}

Test(rule_def, bad_targets_are_refused_with_the_reason)
{
	refused(PAT "target = exec:bin/true\n",
		"line 2: target: \"exec:bin/true\": the program must be an"
		" absolute path");
	refused(PAT "target = exec:\n",
		"line 2: target: \"exec:\": the program must be an absolute"
		" path");
	refused(PAT "target = log:nostream\n",
		"line 2: target: \"log:nostream\" is not log:GROUP/STREAM");
	refused(PAT "target = sns:topic\n",
		"line 2: target: \"sns:topic\" is not log:GROUP/STREAM,"
		" exec:/PATH or events:BUS");
	refused(PAT "target = arn:aws:sns:us-east-1:1:t\n",
		"line 2: target: \"arn:aws:sns:us-east-1:1:t\" is not"
		" log:GROUP/STREAM, exec:/PATH or events:BUS (AWS targets are"
		" not supported)");
	refused(PAT "target = events:.hidden\n",
		"line 2: target: \"events:.hidden\": \".hidden\" is not a"
		" name: it starts with '.'");
	refused(PAT "target = events:a/b\n",
		"line 2: target: \"events:a/b\": \"a/b\" is not a bus name (it"
		" holds '/')");
	refused(PAT "target = log:g/s\ntarget = log:/g/s\n",
		"line 3: target: \"log:g/s\" given twice");
}

Test(rule_def, bad_values_of_the_other_keys_are_refused)
{
	refused(PAT "state = enabled\n",
		"line 2: state: \"enabled\" is not ENABLED or DISABLED");
	refused(PAT "bus = a/b\n",
		"line 2: bus: \"a/b\" is not a bus name (it holds '/')");
	refused(PAT "description = \"\\t\x01\"\n",
		"line 2: description: holds a control character or invalid"
		" UTF-8");
	refused(PAT "input_path = detail\n",
		"line 2: input_path: \"detail\" does not start with $");
	refused(PAT "input_path = $.detail[*]\n",
		"line 2: input_path: \"$.detail[*]\": byte 9: '[' must hold an"
		" array index (digits, no leading zero) and ']'");
	refused(PAT "input_path = $..x\n",
		"line 2: input_path: \"$..x\": byte 2: '.' must be followed by"
		" a name (letters, digits, _ - /)");
	refused(PAT "input_path = $.a b\n",
		"line 2: input_path: \"$.a b\": byte 4: ' ' is not a step"
		" (.name or [N]; wildcards and filters are not supported)");
}

Test(rule_def, a_description_of_512_bytes_and_no_more)
{
	char text[700];
	struct rule_def d;

	snprintf(text, sizeof(text), PAT "description = %0512d\n", 0);
	accepted(text, &d);
	snprintf(text, sizeof(text), PAT "description = %0513d\n", 0);
	refused(text, "line 2: description: longer than 512 bytes"
		      " (EventBridge's limit)");
}

Test(rule_def, unknown_and_repeated_keys_are_refused)
{
	refused(PAT "color = red\n", "line 2: unknown key \"color\"");
	refused(PAT "state = ENABLED\nstate = DISABLED\n",
		"line 3: state given twice (first on line 2)");
	refused(PAT PAT, "line 2: pattern given twice (first on line 1)");
	refused(PAT "description = a\ndescription = a\n",
		"line 3: description given twice (first on line 2)");
	refused("just a line\n", "line 1: \"just a line\" is not key = value");
}

/* ---- the JSON form ---- */

Test(rule_def, put_rule_and_put_targets_json_is_taken)
{
	struct rule_def d;

	accepted("{\"Name\": \"r\", \"EventPattern\": \"{\\\"source\\\":"
		 " [\\\"a\\\"]}\", \"EventBusName\": \"orders\","
		 " \"State\": \"DISABLED\", \"Description\": \"d # x\","
		 " \"RoleArn\": \"arn:x\", \"Tags\": [{\"Key\": \"a\","
		 " \"Value\": \"b\"}], \"Rule\": \"r\", \"Targets\": ["
		 "{\"Id\": \"1\", \"Arn\": \"log:g/s\", \"InputPath\":"
		 " \"$.detail\"}, {\"Id\": \"2\", \"Arn\": \"events:audit\","
		 " \"InputPath\": \"$.detail\"}]}",
		 &d);
	cr_assert_str_eq(d.pattern, "{\"source\":[\"a\"]}");
	cr_assert_str_eq(d.bus, "orders");
	cr_assert_not(d.enabled);
	cr_assert_str_eq(d.description, "d # x");
	cr_assert_eq(d.ntargets, 2);
	cr_assert_str_eq(d.targets[1].bus, "audit");
	cr_assert_str_eq(d.input_path, "$.detail");
}

Test(rule_def, json_renders_as_key_value_lines)
{
	renders("  {\"EventPattern\": {\"source\": [\"a\"], \"n\":"
		" [{\"numeric\": [\">\", 1.5]}]},"
		" \"State\": \"ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS\","
		" \"Targets\": [{\"Id\": \"x\", \"Arn\": \"exec:/bin/x\"}]}",
		"pattern = {\"source\":[\"a\"],\"n\":[{\"numeric\":[\">\","
		"1.5]}]}\n"
		"bus = default\n"
		"target = exec:/bin/x\n"
		"state = ENABLED\n");
	renders("{\"ScheduleExpression\": \"rate(1 minute)\","
		" \"EventBusName\": \"default\"}",
		"schedule = rate(1 minute)\n"
		"state = ENABLED\n");
}

Test(rule_def, the_cli_skeletons_left_empty_say_nothing)
{
	refused(SKELETON, "missing EventPattern or ScheduleExpression");
}

Test(rule_def, the_cli_skeletons_with_a_few_members_filled_are_taken)
{
	char *a = replace(SKELETON, "\"ScheduleExpression\": \"\"",
			  "\"ScheduleExpression\": \"rate(5 minutes)\"");
	char *b = replace(a, "\"Arn\": \"\"", "\"Arn\": \"log:ops/tick\"");
	char *c =
		replace(b, "\"ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS\"",
			"\"DISABLED\"");
	char *e = replace(SKELETON, "\"EventPattern\": \"\"",
			  "\"EventPattern\": \"{\\\"source\\\":"
			  "[\\\"aws.cloudwatch\\\"]}\"");
	char *f = replace(e, "\"InputPath\": \"\"",
			  "\"InputPath\": \"$.detail\"");
	struct rule_def d;

	accepted(b, &d);
	cr_assert(d.has_schedule);
	cr_assert(d.enabled); /* the skeleton's State, taken as ENABLED */
	cr_assert_eq(d.ntargets, 1);
	cr_assert_str_eq(d.targets[0].text, "log:ops/tick");
	accepted(c, &d);
	cr_assert_not(d.enabled);
	/* A pattern, and a target whose Arn is left empty: missing. */
	refused(f, "Targets[0]: missing Arn");
	accepted(e, &d);
	cr_assert_eq(d.ntargets, 0);
	cr_assert_str_eq(d.bus, "default");
	free(a);
	free(b);
	free(c);
	free(e);
	free(f);
}

Test(rule_def, every_error_of_a_json_definition_at_once)
{
	refused("{\"ScheduleExpression\": \"rate(1 minutes)\","
		" \"EventPattern\": {\"a\": {\"numeric\": []}},"
		" \"State\": \"on\", \"Colour\": 1, \"targets\": [],"
		" \"Description\": 5}",
		"ScheduleExpression: rate: \"minutes\": 1 takes \"minute\"\n"
		"EventPattern: a.numeric: a leaf must list at least one"
		" value\n"
		"State: \"on\" is not ENABLED or DISABLED (or"
		" ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS)\n"
		"\"Colour\" is not a member of PutRule or PutTargets\n"
		"\"targets\" is not a member of PutRule or PutTargets (the"
		" names are case-sensitive: Targets)\n"
		"Description: must be a string, not a number\n"
		"EventPattern and ScheduleExpression: give one, not both");
}

Test(rule_def, bad_json_targets_are_each_refused)
{
	refused("{\"EventPattern\": \"{\\\"a\\\":[\\\"b\\\"]}\", \"Targets\":"
		" [{\"Arn\": \"log:g/s\", \"Input\": \"{}\"},"
		" {\"Arn\": \"log:g/t\", \"InputTransformer\":"
		" {\"InputTemplate\": \"<x>\"}},"
		" {\"Arn\": \"events:default\"}, {\"Id\": \"x\"},"
		" {\"Arn\": \"log:g/u\", \"Foo\": 1}, {\"Arn\": \"exec:x\"}]}",
		"Targets[0].Input: not supported (a target gets the event, or"
		" its input_path part)\n"
		"Targets[1].InputTransformer: not supported (a target gets the"
		" event, or its input_path part)\n"
		"Targets[3]: missing Arn\n"
		"Targets[4].Foo: \"Foo\" is not a member of a target\n"
		"Targets: 6 targets, more than 5 (EventBridge's limit)\n"
		"Targets[2].Arn: \"events:default\" is the rule's own bus");
	refused("{\"EventPattern\": \"{\\\"a\\\":[\\\"b\\\"]}\", \"Targets\":"
		" [5]}",
		"Targets[0]: must be an object, not a number");
	refused("{\"EventPattern\": \"{\\\"a\\\":[\\\"b\\\"]}\", \"Targets\":"
		" [{\"Arn\": \"exec:bin\"}]}",
		"Targets[0].Arn: \"exec:bin\": the program must be an absolute"
		" path");
}

Test(rule_def, six_json_targets_are_refused)
{
	refused("{\"EventPattern\": \"{\\\"a\\\":[\\\"b\\\"]}\", \"Targets\":"
		" [{\"Arn\": \"log:g/1\"}, {\"Arn\": \"log:g/2\"},"
		" {\"Arn\": \"log:g/3\"}, {\"Arn\": \"log:g/4\"},"
		" {\"Arn\": \"log:g/5\"}, {\"Arn\": \"log:g/6\"}]}",
		"Targets: 6 targets, more than 5 (EventBridge's limit)");
}

Test(rule_def, json_targets_share_one_input_path)
{
	refused("{\"EventPattern\": \"{\\\"a\\\":[\\\"b\\\"]}\", \"Targets\":"
		" [{\"Arn\": \"log:g/1\", \"InputPath\": \"$.a\"},"
		" {\"Arn\": \"log:g/2\", \"InputPath\": \"$.b\"}]}",
		"Targets[1].InputPath: \"$.b\" is not Targets[0]'s \"$.a\""
		" (monfs keeps one input_path per rule)");
	refused("{\"EventPattern\": \"{\\\"a\\\":[\\\"b\\\"]}\", \"Targets\":"
		" [{\"Arn\": \"log:g/1\", \"InputPath\": \"$.a\"},"
		" {\"Arn\": \"log:g/2\"}]}",
		"Targets[1].InputPath: none is not Targets[0]'s \"$.a\""
		" (monfs keeps one input_path per rule)");
	refused("{\"EventPattern\": \"{\\\"a\\\":[\\\"b\\\"]}\", \"Targets\":"
		" [{\"Arn\": \"log:g/1\", \"InputPath\": \"a\"}]}",
		"Targets[0].InputPath: \"a\" does not start with $");
}

Test(rule_def, json_bus_pattern_and_syntax_refusals)
{
	refused("{\"ScheduleExpression\": \"rate(1 minute)\","
		" \"EventBusName\": \"other\"}",
		"EventBusName: a schedule rule listens on no bus"
		" (EventBusName is for pattern rules)");
	refused("{\"EventPattern\": \"{}\"}",
		"EventPattern: a pattern must name at least one field ({}"
		" would match every event)");
	refused("{\"EventPattern\": {}}",
		"missing EventPattern or ScheduleExpression");
	refused("{\"EventPattern\": 5}",
		"EventPattern: must be a string or an object, not a number");
	refused("[\"x\"]", "JSON: not an object");
	refused("{\"a\":", "JSON line 1 column 5: unexpected token near end of"
			   " file");
	refused("{\"EventPattern\": \"{\\\"a\\\":[\\\"b\\\"]}\","
		" \"EventPattern\": \"x\"}",
		"JSON line 1 column 50: duplicate object key near"
		" '\"EventPattern\"'");
}

Test(rule_def, a_json_pattern_like_a_blank_is_still_a_pattern)
{
	struct rule_def d;

	accepted("{\"EventPattern\": {\"a\": [\"\"]}}", &d);
	cr_assert_str_eq(d.pattern, "{\"a\":[\"\"]}");
}

/* ---- input_path on events ---- */

static const char ENVELOPE[] =
	"{\"version\":\"0\",\"id\":\"x\",\"detail-type\":\"CloudWatch Alarm"
	" State Change\",\"source\":\"aws.cloudwatch\",\"resources\":"
	"[\"arn:1\",\"arn:2\"],\"detail\":{\"alarmName\":\"cpu\",\"state\":"
	"{\"value\":\"ALARM\"},\"a/b\":{\"c-d_e\":[[1,2],[3]]}}}";

/* What path selects of ENVELOPE, compact; "" when nothing. */
static char *apply(const char *path)
{
	json_t *event = json_loads(ENVELOPE, 0, NULL), *part;
	char *text;

	cr_assert(event);
	cr_assert_eq(rule_input_path_check(path, strlen(path), NULL), 0, "%s",
		     path);
	part = rule_input_path_apply(path, event);
	text = part ? json_dumps(part, JSON_COMPACT | JSON_ENCODE_ANY)
		    : strdup("");
	json_decref(part);
	json_decref(event);
	return text;
}

static void selects(const char *path, const char *expected)
{
	char *text = apply(path);

	cr_assert_str_eq(text, expected, "for %s", path);
	free(text);
}

Test(rule_input_path, selects_parts_of_an_envelope)
{
	selects("$.detail.state", "{\"value\":\"ALARM\"}");
	selects("$.detail.state.value", "\"ALARM\"");
	selects("$.detail-type", "\"CloudWatch Alarm State Change\"");
	selects("$.resources[1]", "\"arn:2\"");
	selects("$.detail.a/b.c-d_e[0][1]", "2");
	selects("$.detail.a/b.c-d_e[1]", "[3]");
	selects("$.detail.alarmName", "\"cpu\"");
}

Test(rule_input_path, the_whole_event_with_dollar_alone)
{
	char *text = apply("$");
	json_t *a = json_loads(text, 0, NULL),
	       *b = json_loads(ENVELOPE, 0, NULL);

	cr_assert(json_equal(a, b));
	json_decref(a);
	json_decref(b);
	free(text);
}

Test(rule_input_path, selects_nothing_when_the_path_is_not_there)
{
	selects("$.detail.missing", "");
	selects("$.resources[2]", "");
	selects("$.detail.state[0]", "");
	selects("$.version.x", "");
	selects("$.resources.x", "");
}

/* ---- cycles of events: targets ---- */

Test(rule_bus_cycle, no_edges_or_a_chain_is_no_cycle)
{
	static const struct rule_bus_edge chain[] = {
		{"default", "a", "r1"}, {"a", "b", "r2"}, {"a", "c", "r3"},
		{"c", "b", "r4"},	{"x", "b", "r5"},
	};
	struct err err = {""};

	cr_assert_eq(rule_bus_cycle(NULL, 0, &err), 0);
	cr_assert_eq(rule_bus_cycle(chain, 5, &err), 0, "%s", err.msg);
}

Test(rule_bus_cycle, a_cycle_is_refused_and_named)
{
	static const struct rule_bus_edge edges[] = {
		{"b", "z", "r0"},
		{"default", "a", "r1"},
		{"a", "b", "r2"},
		{"b", "default", "r3"},
	};
	struct err err = {""};

	cr_assert_eq(rule_bus_cycle(edges, 4, &err), -EINVAL);
	cr_assert_str_eq(err.msg, "a cycle of events: targets: a -> b (rule"
				  " r2) -> default (rule r3) -> a (rule r1)");
}

Test(rule_bus_cycle, a_bus_forwarding_to_itself_is_a_cycle)
{
	static const struct rule_bus_edge edges[] = {{"q", "q", "self"}};
	struct err err = {""};

	cr_assert_eq(rule_bus_cycle(edges, 1, &err), -EINVAL);
	cr_assert_str_eq(err.msg,
			 "a cycle of events: targets: q -> q (rule self)");
}

Test(rule_bus_cycle, a_long_chain_is_searched_without_recursion)
{
	enum { N = 20000 };
	struct rule_bus_edge *edges = calloc(N, sizeof(*edges));
	char(*names)[16] = calloc(N + 1, sizeof(*names));
	struct err err = {""};
	size_t i;

	for (i = 0; i <= N; i++)
		snprintf(names[i], sizeof(names[i]), "b%zu", i);
	for (i = 0; i < N; i++) {
		edges[i].from = names[i];
		edges[i].to = names[i + 1];
		edges[i].rule = "r";
	}
	cr_assert_eq(rule_bus_cycle(edges, N, &err), 0);
	edges[N - 1].to = names[0];
	cr_assert_eq(rule_bus_cycle(edges, N, &err), -EINVAL);
	free(edges);
	free(names);
}
