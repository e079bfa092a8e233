/*
 * Unit tests for lib/event_envelope: what a PutEvents line may say, what
 * each bad line is told, and the envelope an event is kept as.
 */
#include "lib/event_envelope.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define GOOD "{\"Source\":\"app\",\"DetailType\":\"t\",\"Detail\":{\"a\":1}}"

/* Parse one line as line 1; the message in err. */
static int entry(const char *line, struct event_entry *e, struct err *err)
{
	return event_entry_parse(line, strlen(line), 1, e, err);
}

/* Whether line is refused with EINVAL and a message holding want. */
static void refused(const char *line, const char *want)
{
	struct event_entry e;
	struct err err = {""};

	cr_assert_eq(entry(line, &e, &err), -EINVAL, "%s", line);
	cr_assert(strstr(err.msg, want), "%s: \"%s\" lacks \"%s\"", line,
		  err.msg, want);
	cr_assert_null(e.source);
	cr_assert_null(e.detail);
}

Test(event_entry, a_good_line_gives_its_members)
{
	struct event_entry e;
	struct err err = {""};

	cr_assert_eq(entry("{\"Source\":\"app\",\"DetailType\":\"order\","
			   "\"Detail\":{\"id\":7},\"Resources\":[\"r1\"],"
			   "\"Time\":\"2001-02-03T04:05:06Z\"}",
			   &e, &err),
		     0, "%s", err.msg);
	cr_assert_str_eq(e.source, "app");
	cr_assert_str_eq(e.detail_type, "order");
	cr_assert_eq(json_integer_value(json_object_get(e.detail, "id")), 7);
	cr_assert_eq(json_array_size(e.resources), 1);
	cr_assert(e.has_time);
	cr_assert_eq(e.time_ms, INT64_C(981173106000));
	event_entry_release(&e);
}

Test(event_entry, a_detail_string_holding_an_object_is_that_object)
{
	struct event_entry e;
	struct err err = {""};

	cr_assert_eq(entry("{\"Source\":\"s\",\"DetailType\":\"t\","
			   "\"Detail\":\"{\\\"k\\\":\\\"v\\\"}\"}",
			   &e, &err),
		     0, "%s", err.msg);
	cr_assert_str_eq(json_string_value(json_object_get(e.detail, "k")),
			 "v");
	cr_assert_not(e.has_time);
	cr_assert_eq(json_array_size(e.resources), 0);
	event_entry_release(&e);
}

Test(event_entry, bus_name_and_trace_header_are_accepted)
{
	struct event_entry e;
	struct err err = {""};

	cr_assert_eq(entry("{\"Source\":\"s\",\"DetailType\":\"t\","
			   "\"Detail\":{},\"EventBusName\":\"x\","
			   "\"TraceHeader\":\"y\"}",
			   &e, &err),
		     0, "%s", err.msg);
	event_entry_release(&e);
}

Test(event_entry, every_bad_line_names_its_line_and_member)
{
	refused("{", "line 1: not valid JSON");
	refused("[1]", "line 1: not a JSON object");
	refused("{\"DetailType\":\"t\",\"Detail\":{}}",
		"line 1: Source: missing");
	refused("{\"Source\":\"\",\"DetailType\":\"t\",\"Detail\":{}}",
		"line 1: Source: not a non-empty string");
	refused("{\"Source\":3,\"DetailType\":\"t\",\"Detail\":{}}",
		"Source: not a non-empty string");
	refused("{\"Source\":\"s\",\"Detail\":{}}",
		"line 1: DetailType: missing");
	refused("{\"Source\":\"s\",\"DetailType\":\"t\"}",
		"line 1: Detail: missing");
	refused("{\"Source\":\"s\",\"DetailType\":\"t\",\"Detail\":[1]}",
		"Detail: not a JSON object, nor a string holding one");
	refused("{\"Source\":\"s\",\"DetailType\":\"t\",\"Detail\":\"{x\"}",
		"line 1: Detail: not valid JSON");
	refused("{\"Source\":\"s\",\"DetailType\":\"t\",\"Detail\":\"[1]\"}",
		"Detail: the string holds no JSON object");
	refused("{\"Source\":\"s\",\"DetailType\":\"t\",\"Detail\":{},"
		"\"Time\":\"yesterday\"}",
		"line 1: Time: \"yesterday\" is not an RFC 3339 time");
	refused("{\"Source\":\"s\",\"DetailType\":\"t\",\"Detail\":{},"
		"\"Time\":5}",
		"Time: not a string");
	refused("{\"Source\":\"s\",\"DetailType\":\"t\",\"Detail\":{},"
		"\"Resources\":\"r\"}",
		"Resources: not an array of strings");
	refused("{\"Source\":\"s\",\"DetailType\":\"t\",\"Detail\":{},"
		"\"Resources\":[\"a\",2]}",
		"Resources: item 2 is not a string");
	refused("{\"Source\":\"s\",\"DetailType\":\"t\",\"Detail\":{},"
		"\"Colour\":1}",
		"line 1: Colour: not a member of a PutEvents entry");
	refused("{\"Source\":\"s\",\"Source\":\"t\",\"DetailType\":\"t\","
		"\"Detail\":{}}",
		"line 1: not valid JSON");
}

Test(event_entry, a_detail_over_256_kib_is_refused)
{
	size_t n = EVENT_DETAIL_MAX + 100, at;
	char *line = malloc(n + 200);
	struct event_entry e;
	struct err err = {""};

	cr_assert_not_null(line);
	at = (size_t)sprintf(line, "{\"Source\":\"s\",\"DetailType\":\"t\","
				   "\"Detail\":{\"k\":\"");
	memset(line + at, 'x', n);
	strcpy(line + at + n, "\"}}");
	cr_assert_eq(entry(line, &e, &err), -EINVAL);
	cr_assert(strstr(err.msg, "line 1: Detail: "), "%s", err.msg);
	cr_assert(strstr(err.msg, "more than 262144"), "%s", err.msg);
	free(line);
}

Test(event_batch, one_bad_line_refuses_the_whole_write)
{
	const char *buf = GOOD "\n" GOOD "\n{\"Source\":\"s\"}\n";
	struct event_batch b;
	struct err err = {""};

	cr_assert_eq(event_batch_parse(buf, strlen(buf), &b, &err), -EINVAL);
	cr_assert(strstr(err.msg, "line 3: DetailType: missing"), "%s",
		  err.msg);
	cr_assert_eq(b.n, 0);
	cr_assert_null(b.v);
}

Test(event_batch, blank_lines_and_carriage_returns_are_ignored)
{
	const char *buf = "\n" GOOD "\r\n  \n" GOOD "\n";
	struct event_batch b;
	struct err err = {""};

	cr_assert_eq(event_batch_parse(buf, strlen(buf), &b, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(b.n, 2);
	event_batch_release(&b);
	cr_assert_eq(b.n, 0);
}

Test(event_source, only_aws_sources_are_reserved)
{
	cr_assert(event_source_reserved("aws.cloudwatch"));
	cr_assert(event_source_reserved("aws.x"));
	cr_assert_not(event_source_reserved("aws"));
	cr_assert_not(event_source_reserved("myaws.x"));
	cr_assert_not(event_source_reserved("AWS.x"));
}

Test(event_envelope, members_come_in_eventbridge_order)
{
	struct strbuf out = STRBUF_INIT;
	json_t *res = json_pack("[s]", "arn:x");
	json_t *detail = json_pack("{s:i}", "a", 1);
	struct event_envelope e = {
		.id = "11111111-2222-3333-4444-555555555555",
		.detail_type = "t",
		.source = "app",
		.account = "123456789012",
		.time_ms = INT64_C(981173106789),
		.region = "local",
		.resources = res,
		.detail = detail,
	};

	cr_assert_eq(event_envelope_line(&e, &out), 0);
	cr_assert_str_eq(out.buf,
			 "{\"version\":\"0\",\"id\":\"11111111-2222-3333-4444-"
			 "555555555555\",\"detail-type\":\"t\",\"source\":"
			 "\"app\",\"account\":\"123456789012\",\"time\":"
			 "\"2001-02-03T04:05:06Z\",\"region\":\"local\","
			 "\"resources\":[\"arn:x\"],\"detail\":{\"a\":1}}\n");
	strbuf_release(&out);
	json_decref(res);
	json_decref(detail);
}

Test(event_envelope, no_resources_or_detail_print_empty)
{
	struct strbuf out = STRBUF_INIT;
	struct event_envelope e = {"id",  "t",	   "s",	 "000000000000",
				   -1500, "local", NULL, NULL};

	cr_assert_eq(event_envelope_line(&e, &out), 0);
	cr_assert(strstr(out.buf, "\"time\":\"1969-12-31T23:59:58Z\""), "%s",
		  out.buf);
	cr_assert(strstr(out.buf, "\"resources\":[],\"detail\":{}}\n"), "%s",
		  out.buf);
	strbuf_release(&out);
}

Test(event_trail, records_map_to_detail_types_and_sources)
{
	cr_assert_str_eq(event_trail_detail_type("AwsApiCall"),
			 "AWS API Call via CloudTrail");
	cr_assert_str_eq(event_trail_detail_type("AwsServiceEvent"),
			 "AWS Service Event via CloudTrail");
	cr_assert_null(event_trail_detail_type("Other"));
	cr_assert_str_eq(event_trail_source("metrics.monfs"), "aws.cloudwatch");
	cr_assert_str_eq(event_trail_source("alarms.monfs"), "aws.cloudwatch");
	cr_assert_str_eq(event_trail_source("logs.monfs"), "aws.logs");
	cr_assert_str_eq(event_trail_source("filters.monfs"), "aws.logs");
	cr_assert_str_eq(event_trail_source("events.monfs"), "aws.events");
	cr_assert_str_eq(event_trail_source("trail.monfs"), "aws.cloudtrail");
	cr_assert_null(event_trail_source("x.monfs"));
}
