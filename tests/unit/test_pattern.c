/*
 * Unit tests for store/pattern: CloudWatch Logs filter patterns — terms,
 * JSON and space-delimited forms, regular expressions, the values metric
 * filters take from events, the patterns refused and why, and random
 * bytes fed as patterns and as events.
 */
#include "lib/pattern.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define APACHE_LINE                                                            \
	"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "                      \
	"\"GET /apache_pb.gif HTTP/1.0\" 200 2326"
#define APACHE_FIELDS "[ip, id, user, timestamp, request, status_code"

/* The JSON event of CloudWatch's own examples, on one line. */
#define CLOUDTRAIL_EVENT                                                       \
	"{\"eventType\": \"UpdateTrail\", \"sourceIPAddress\": "               \
	"\"111.111.111.111\", \"arrayKey\": [\"value\", \"another value\"], "  \
	"\"objectList\": [{\"name\": \"a\", \"id\": 1}, {\"name\": \"b\", "    \
	"\"id\": 2}], \"SomeObject\": null, \"ThisFlag\": true}"

#define USERS_EVENT                                                            \
	"{\"user\": {\"id\": 1, \"email\": \"John.Stiles@example.com\"}, "     \
	"\"users\": [{\"id\": 2, \"email\": \"John.Doe@example.com\"}, "       \
	"{\"id\": 3, \"email\": \"Jane.Doe@example.com\"}], "                  \
	"\"actions\": [\"GET\", \"PUT\", \"DELETE\"], "                        \
	"\"coordinates\": [[0, 1, 2], [4, 5, 6], [7, 8, 9]]}"

static struct pattern *compile(const char *text)
{
	struct pattern *p = NULL;
	struct err err = {""};
	int rc = pattern_compile(text, strlen(text), &p, &err);

	cr_assert_eq(rc, 0, "pattern '%s' refused: %s", text, err.msg);
	cr_assert_not_null(p);
	return p;
}

static bool matches(const char *pattern, const char *line)
{
	struct pattern *p = compile(pattern);
	bool found = pattern_match(p, line, strlen(line));

	pattern_free(p);
	return found;
}

static void expect_match(const char *pattern, const char *line)
{
	cr_expect(matches(pattern, line), "'%s' should match '%s'", pattern,
		  line);
}

static void expect_no_match(const char *pattern, const char *line)
{
	cr_expect(!matches(pattern, line), "'%s' should not match '%s'",
		  pattern, line);
}

/* The pattern is refused with a message that contains needle. */
static void expect_refused(const char *pattern, const char *needle)
{
	struct pattern *p = (struct pattern *)0x1;
	struct err err = {""};
	int rc = pattern_compile(pattern, strlen(pattern), &p, &err);

	cr_expect_eq(rc, -EINVAL, "'%s' should be refused", pattern);
	cr_expect_eq(p, (struct pattern *)0x1,
		     "a refused pattern wrote its result");
	cr_expect(strstr(err.msg, needle) != NULL,
		  "refusing '%s' said \"%s\", which lacks \"%s\"", pattern,
		  err.msg, needle);
}

static int value_of(const char *pattern, const char *selector, const char *line,
		    double *out)
{
	struct pattern *p = compile(pattern);
	int rc = pattern_value(p, selector, line, strlen(line), out);

	pattern_free(p);
	return rc;
}

static void expect_value(const char *pattern, const char *selector,
			 const char *line, double want)
{
	double got = -12345;
	int rc = value_of(pattern, selector, line, &got);

	cr_expect_eq(rc, 0, "%s of '%s' under '%s' gave %d", selector, line,
		     pattern, rc);
	cr_expect_eq(got, want, "%s read %.17g, want %.17g", selector, got,
		     want);
}

static void expect_no_value(const char *pattern, const char *selector,
			    const char *line, int want_rc)
{
	double got = -12345;
	int rc = value_of(pattern, selector, line, &got);

	cr_expect_eq(rc, want_rc, "%s of '%s' under '%s' gave %d, want %d",
		     selector, line, pattern, rc, want_rc);
	cr_expect_eq(got, -12345, "a failed pattern_value wrote its result");
}

static int check_selector(const char *pattern, const char *selector,
			  struct err *err)
{
	struct pattern *p = compile(pattern);
	int rc = pattern_check_selector(p, selector, err);

	pattern_free(p);
	return rc;
}

/* ---- terms ---- */

Test(terms, the_empty_pattern_matches_every_event)
{
	expect_match("", "anything at all");
	expect_match("", "");
	expect_match("   \t ", "anything at all");
}

Test(terms, a_term_matches_anywhere_in_the_event)
{
	expect_match("ERROR", "[ERROR] A fatal exception has occurred");
	expect_match("ERROR", "Exiting with ERRORCODE: -1");
	expect_no_match("ERROR", "all is well");
}

Test(terms, matching_is_case_sensitive)
{
	expect_no_match("ERROR", "error: disk full");
	expect_no_match("error", "ERROR: disk full");
}

Test(terms, every_plain_term_must_occur)
{
	expect_match("ERROR Exception",
		     "[ERROR] Caught IllegalArgumentException");
	expect_no_match("ERROR Exception", "[ERROR] disk full");
	expect_match("Failed to process the request",
		     "[WARN] Failed to process the request");
	expect_match("request the Failed",
		     "[WARN] Failed to process the request");
}

Test(terms, a_quoted_phrase_must_occur_as_written)
{
	expect_match("\"Failed to process\"", "[WARN] Failed to process it");
	expect_no_match("\"Failed to process\"", "Failed, unable to process");
	expect_match("\"ERROR 401\"", "[ERROR 401] UNAUTHORIZED REQUEST");
}

Test(terms, a_quoted_phrase_takes_escaped_quotes_and_backslashes)
{
	expect_match("\"say \\\"hi\\\"\"", "they say \"hi\" twice");
	expect_no_match("\"say \\\"hi\\\"\"", "they say hi twice");
	expect_match("\"C:\\\\temp\"", "saved to C:\\temp\\x");
}

Test(terms, an_excluded_term_rejects_the_event)
{
	expect_match("ERROR -WARN", "ERROR message");
	expect_no_match("ERROR -WARN", "ERROR WARN message");
	expect_no_match("ERROR -WARN", "WARN message");
	expect_no_match("-DEBUG", "DEBUG starting");
	expect_match("-DEBUG", "INFO starting");
}

Test(terms, an_excluded_phrase_may_be_quoted_and_spaced_from_its_minus)
{
	/* CloudWatch's own example: "ERROR" - "Exiting" */
	expect_match("\"ERROR\" - \"Exiting\"", "[ERROR] A fatal exception");
	expect_no_match("\"ERROR\" - \"Exiting\"",
			"Exiting with ERRORCODE: -1");
	expect_no_match("-\"disk full\"", "ERROR disk full");
}

Test(terms, question_mark_terms_need_only_one_of_them)
{
	expect_match("?ERROR ?WARN", "ERROR WARN message");
	expect_match("?ERROR ?WARN", "ERROR message");
	expect_match("?ERROR ?WARN", "WARN message");
	expect_no_match("?ERROR ?WARN", "INFO message");
}

Test(terms, alternatives_plain_terms_and_exclusions_combine)
{
	const char *pattern = "?ERROR ?WARN checkout -retry";

	expect_match(pattern, "ERROR in checkout");
	expect_match(pattern, "WARN slow checkout");
	expect_no_match(pattern, "ERROR in cart");
	expect_no_match(pattern, "INFO checkout");
	expect_no_match(pattern, "ERROR in checkout, will retry");
	expect_match("?\"disk full\" ?\"out of memory\"",
		     "kernel: out of memory");
}

Test(terms, unquoted_terms_may_hold_punctuation)
{
	expect_match("/checkout", "GET /checkout 200");
	expect_match("user@example.com", "login user@example.com ok");
	expect_match("50%", "disk at 50% now");
	expect_match("a-b", "x a-b y");
	expect_match("\"[ERROR]\"", "[ERROR] boom");
	expect_match("foo*", "literal foo* here");
	expect_no_match("foo*", "food");
}

Test(terms, a_term_is_found_in_any_bytes)
{
	const char line[] = "\xff\xfe bad \0 utf8 ERROR\x80";
	struct pattern *p = compile("ERROR");

	cr_expect(pattern_match(p, line, sizeof(line) - 1));
	pattern_free(p);
	p = compile("\"\xff\xfe\"");
	cr_expect(pattern_match(p, line, sizeof(line) - 1));
	pattern_free(p);
}

Test(terms, the_line_ends_at_its_length_not_at_a_nul)
{
	struct pattern *p = compile("ERROR");

	cr_expect(!pattern_match(p, "ERROR", 4));
	cr_expect(pattern_match(p, "x\0ERROR", 7));
	cr_expect(!pattern_match(p, NULL, 0));
	pattern_free(p);
}

Test(regex, a_regex_term_matches_anywhere)
{
	expect_match("%AUTHORIZED%", "[ERROR 401] UNAUTHORIZED REQUEST");
	expect_match("%ERROR [0-9]+%", "ERROR 401 boom");
	expect_no_match("%ERROR [0-9]+%", "ERROR boom");
	expect_match("%^\\[SUCCESS%", "[SUCCESS 200] AUTHORIZED REQUEST");
	expect_no_match("%^\\[SUCCESS%", "x [SUCCESS 200]");
	expect_match("%colou?r%", "a color");
	expect_match("%gray|grey%", "a grey cat");
}

Test(regex, backslash_d_means_a_digit_as_in_cloudwatch)
{
	const char *ip = "%\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}%";

	expect_match(ip, "from 10.0.12.7 port 22");
	expect_no_match(ip, "from localhost port 22");
	expect_match("%code \\D%", "code x");
	expect_no_match("%code \\D%", "code 7");
	/* in a bracket expression a backslash is itself */
	expect_match("%[\\d]%", "d");
}

Test(regex, a_regex_may_be_excluded_or_an_alternative)
{
	expect_match("ERROR -%retry [0-9]+%", "ERROR retry soon");
	expect_no_match("ERROR -%retry [0-9]+%", "ERROR retry 3");
	expect_match("?%^WARN% ?%^ERROR%", "ERROR x");
	expect_no_match("?%^WARN% ?%^ERROR%", "INFO ERROR x");
}

Test(regex, an_escaped_percent_is_part_of_the_regex)
{
	expect_match("%[0-9]+\\%%", "disk at 93% full");
	expect_no_match("%[0-9]+\\%%", "disk at 93 full");
}

Test(regex, a_regex_sees_a_long_line_whole)
{
	size_t len = 300 * 1024;
	char *line = malloc(len + 1);
	struct pattern *p = compile("%ERROR [0-9]+$%");

	memset(line, 'x', len);
	memcpy(line + len - 9, "ERROR 123", 9);
	line[len] = '\0';
	cr_expect(pattern_match(p, line, len));
	pattern_free(p);
	p = compile("%ERROR 123$%");
	cr_expect(!pattern_match(p, line, len - 1));
	pattern_free(p);
	free(line);
}

#ifdef REG_STARTEND
Test(regex, a_regex_sees_past_nul_bytes)
{
	struct pattern *p = compile("%ERROR%");

	cr_expect(pattern_match(p, "x\0ERROR", 7));
	cr_expect(!pattern_match(p, "ERROR", 4));
	pattern_free(p);
}
#endif

/* ---- JSON ---- */

Test(json, a_string_property_equals_a_quoted_value)
{
	expect_match("{ $.eventType = \"UpdateTrail\" }", CLOUDTRAIL_EVENT);
	expect_no_match("{ $.eventType = \"DeleteTrail\" }", CLOUDTRAIL_EVENT);
	expect_no_match("{ $.eventType = \"updatetrail\" }", CLOUDTRAIL_EVENT);
	expect_match("{$.eventType=\"UpdateTrail\"}", CLOUDTRAIL_EVENT);
}

Test(json, a_bare_word_is_a_string_value)
{
	expect_match("{ $.foo = bar }", "{\"foo\": \"bar\"}");
	expect_no_match("{ $.foo = baz }", "{\"foo\": \"bar\"}");
	expect_match("{ $.foo = bar || $.foo = baz }", "{\"foo\": \"baz\"}");
}

Test(json, not_equal_compares_strings)
{
	expect_match("{ $.eventType != \"DeleteTrail\" }", CLOUDTRAIL_EVENT);
	expect_no_match("{ $.eventType != \"UpdateTrail\" }", CLOUDTRAIL_EVENT);
}

Test(json, a_star_matches_any_run_of_bytes)
{
	expect_no_match("{ $.sourceIPAddress != 111.111.* }", CLOUDTRAIL_EVENT);
	expect_match("{ $.sourceIPAddress != 123.123.* }", CLOUDTRAIL_EVENT);
	expect_match("{ $.eventType = *Trail }", CLOUDTRAIL_EVENT);
	expect_match("{ $.eventType = Update* }", CLOUDTRAIL_EVENT);
	expect_match("{ $.eventType = *date* }", CLOUDTRAIL_EVENT);
	expect_match("{ $.eventType = U*T*l }", CLOUDTRAIL_EVENT);
	expect_no_match("{ $.eventType = U*x*l }", CLOUDTRAIL_EVENT);
	expect_match("{ $.eventType = \"*\" }", CLOUDTRAIL_EVENT);
	expect_no_match("{ $.eventType = \"Update\\*\" }",
			"{\"eventType\": \"UpdateTrail\"}");
	expect_match("{ $.eventType = \"Update\\*\" }",
		     "{\"eventType\": \"Update*\"}");
	expect_no_match("{ $.a = ab*ba }", "{\"a\": \"aba\"}");
	expect_match("{ $.a = ab*ba }", "{\"a\": \"abba\"}");
}

Test(json, array_elements_and_nested_properties_are_selected)
{
	expect_match("{ $.arrayKey[0] = \"value\" }", CLOUDTRAIL_EVENT);
	expect_match("{ $.arrayKey[1] = \"another value\" }", CLOUDTRAIL_EVENT);
	expect_no_match("{ $.arrayKey[2] = * }", CLOUDTRAIL_EVENT);
	expect_match("{ $.objectList[1].id = 2 }", CLOUDTRAIL_EVENT);
	expect_match("{ $.objectList[0].name = a }", CLOUDTRAIL_EVENT);
	expect_no_match("{ $.objectList[1].id = 1 }", CLOUDTRAIL_EVENT);
	expect_match("{ $.user.email = \"John.Stiles@example.com\" }",
		     USERS_EVENT);
	expect_match("{ $.coordinates[1][2] = 6 }", USERS_EVENT);
	expect_match("{ $.a-b.c_d = 1 }", "{\"a-b\": {\"c_d\": 1}}");
}

Test(json, an_index_into_a_non_array_is_false)
{
	expect_no_match("{ $.eventType[0] = * }", CLOUDTRAIL_EVENT);
	expect_no_match("{ $.arrayKey.x = * }", CLOUDTRAIL_EVENT);
}

Test(json, numbers_compare_numerically_with_every_operator)
{
	const char *event = "{\"latency\": 500}";

	expect_match("{ $.latency = 500 }", event);
	expect_match("{ $.latency = 500.0 }", event);
	expect_match("{ $.latency = 5e2 }", event);
	expect_match("{ $.latency != 501 }", event);
	expect_match("{ $.latency >= 500 }", event);
	expect_match("{ $.latency <= 500 }", event);
	expect_match("{ $.latency > 499.5 }", event);
	expect_match("{ $.latency < +1000 }", event);
	expect_no_match("{ $.latency > 500 }", event);
	expect_no_match("{ $.latency < 500 }", event);
	expect_no_match("{ $.latency != 500 }", event);
	expect_match("{ $.n < 10e-3 }", "{\"n\": 0.001}");
	expect_match("{ $.n > -1 }", "{\"n\": -0.5}");
	expect_match("{ $.big > 1e18 }", "{\"big\": 99999999999999999999999}");
}

Test(json, a_string_does_not_compare_numerically)
{
	expect_no_match("{ $.n > 5 }", "{\"n\": \"10\"}");
	expect_no_match("{ $.n < 5 }", "{\"n\": \"1\"}");
	/* but equality with a bare number still compares its text */
	expect_match("{ $.n = 10 }", "{\"n\": \"10\"}");
	expect_no_match("{ $.n = 10 }", "{\"n\": \"10.0\"}");
}

Test(json, a_number_matches_a_wildcard_as_its_text)
{
	expect_match("{ $.status = 4* }", "{\"status\": 404}");
	expect_no_match("{ $.status = 4* }", "{\"status\": 504}");
	expect_match("{ $.latency = * }", "{\"latency\": 12.5}");
	expect_match("{ $.latency = \"12.5\" }", "{\"latency\": 12.5}");
	expect_match("{ $.ratio = 0.1* }", "{\"ratio\": 0.1}");
}

Test(json, is_null_is_true_not_exists)
{
	expect_match("{ $.SomeObject IS NULL }", CLOUDTRAIL_EVENT);
	expect_no_match("{ $.eventType IS NULL }", CLOUDTRAIL_EVENT);
	expect_no_match("{ $.Missing IS NULL }", CLOUDTRAIL_EVENT);
	expect_match("{ $.SomeOtherObject NOT EXISTS }", CLOUDTRAIL_EVENT);
	expect_no_match("{ $.SomeObject NOT EXISTS }", CLOUDTRAIL_EVENT);
	expect_match("{ $.ThisFlag IS TRUE }", CLOUDTRAIL_EVENT);
	expect_no_match("{ $.ThisFlag IS FALSE }", CLOUDTRAIL_EVENT);
	expect_match("{ $.off IS FALSE }", "{\"off\": false}");
	expect_no_match("{ $.off IS TRUE }", "{\"off\": \"true\"}");
	expect_match("{ $.SomeObject is null }", CLOUDTRAIL_EVENT);
}

Test(json, a_selector_on_an_object_or_array_matches_neither_way)
{
	expect_no_match("{ $.users = 1 }", "{\"users\": [1, 2, 3]}");
	expect_no_match("{ $.users != 1 }", "{\"users\": [1, 2, 3]}");
	expect_no_match("{ $.user != x }", USERS_EVENT);
	expect_no_match("{ $.SomeObject != x }", CLOUDTRAIL_EVENT);
}

Test(json, a_missing_property_matches_neither_way)
{
	expect_no_match("{ $.nothere = x }", CLOUDTRAIL_EVENT);
	expect_no_match("{ $.nothere != x }", CLOUDTRAIL_EVENT);
	expect_no_match("{ $.nothere > 0 }", CLOUDTRAIL_EVENT);
}

Test(json, and_binds_tighter_than_or)
{
	/* CloudWatch's four compound examples */
	expect_match("{ ($.user.id = 1) && ($.users[0].email = "
		     "\"John.Doe@example.com\") }",
		     USERS_EVENT);
	expect_no_match("{ ($.user.id = 2 && $.users[0].email = \"nonmatch\") "
			"|| $.actions[2] = \"GET\" }",
			USERS_EVENT);
	expect_match(
		"{ $.user.email = \"John.Stiles@example.com\" || "
		"$.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }",
		USERS_EVENT);
	expect_no_match("{ ($.user.email = \"John.Stiles@example.com\" || "
			"$.coordinates[0][1] = nonmatch) && $.actions[2] = "
			"nomatch }",
			USERS_EVENT);
}

Test(json, parentheses_nest)
{
	const char *event = "{\"a\": 1, \"b\": 2, \"c\": 3}";

	expect_match("{ (($.a = 1 || $.a = 9) && ($.b = 2)) || $.c = 0 }",
		     event);
	expect_no_match("{ ($.a = 9 || ($.b = 2 && $.c = 0)) }", event);
	expect_match("{ $.a = 1 && $.b = 2 && $.c = 3 }", event);
	expect_no_match("{ $.a = 1 && $.b = 2 && $.c = 4 }", event);
	expect_match("{ $.a = 0 || $.b = 0 || $.c = 3 }", event);
}

Test(json, a_regex_value_is_searched_in_the_string)
{
	expect_match("{ $.msg = %time(d)? ?out% }",
		     "{\"msg\": \"read timed out\"}");
	expect_no_match("{ $.msg = %^time% }", "{\"msg\": \"read timed out\"}");
	expect_match("{ $.msg != %^time% }", "{\"msg\": \"read timed out\"}");
	expect_match("{ $.code = %^4\\d\\d$% }", "{\"code\": 404}");
}

Test(json, an_event_that_is_not_a_json_object_does_not_match)
{
	const char *pattern = "{ $.a NOT EXISTS }";

	expect_match(pattern, "{}");
	expect_no_match(pattern, "not json");
	expect_no_match(pattern, "{\"a\": 1");
	expect_no_match(pattern, "{\"b\": 1} trailing");
	expect_no_match(pattern, "[1, 2]");
	expect_no_match(pattern, "\"a string\"");
	expect_no_match(pattern, "");
	expect_no_match(pattern, "{\"b\": \"\xff\"}");
	expect_match(pattern, "  {\"b\": 1}  ");
}

Test(json, strings_may_hold_nul_characters)
{
	expect_match("{ $.s = \"a*\" }", "{\"s\": \"a\\u0000b\"}");
	expect_no_match("{ $.s = \"a\" }", "{\"s\": \"a\\u0000b\"}");
}

Test(json, deep_nesting_in_an_event_is_survived)
{
	size_t depth = 100000, i;
	char *line = malloc(2 * depth + 1);
	struct pattern *p = compile("{ $.a NOT EXISTS }");

	for (i = 0; i < depth; i++) {
		line[i] = '[';
		line[2 * depth - 1 - i] = ']';
	}
	line[0] = '{';
	line[2 * depth] = '\0';
	cr_expect(!pattern_match(p, line, 2 * depth));
	pattern_free(p);
	free(line);
}

/* ---- space-delimited ---- */

Test(fields, an_apache_access_log_line_is_split_into_its_fields)
{
	expect_match(APACHE_FIELDS "=2*, bytes]", APACHE_LINE);
	expect_no_match(APACHE_FIELDS "=4*, bytes]", APACHE_LINE);
	expect_match("[ip, id, user=frank, timestamp, request, status, bytes]",
		     APACHE_LINE);
	expect_match(
		"[ip=127.0.0.1, id=\"-\", user, timestamp, request, status,"
		" bytes]",
		APACHE_LINE);
}

Test(fields, quoted_and_bracketed_fields_compare_without_their_marks)
{
	expect_match("[ip, id, user, timestamp=10/Oct/2000*, request, status, "
		     "bytes]",
		     APACHE_LINE);
	expect_match("[ip, id, user, timestamp=\"10/Oct/2000:13:55:36 -0700\", "
		     "request, status, bytes]",
		     APACHE_LINE);
	expect_match("[ip, id, user, timestamp, request=\"GET /apache_pb.gif "
		     "HTTP/1.0\", status, bytes]",
		     APACHE_LINE);
	expect_match("[ip, id, user, timestamp, request=*.gif*, status, bytes]",
		     APACHE_LINE);
	expect_no_match("[ip, id, user, timestamp, request=*.html*, status, "
			"bytes]",
			APACHE_LINE);
}

Test(fields, the_field_count_must_match_without_an_ellipsis)
{
	expect_no_match("[ip, id, user, timestamp, request, status]",
			APACHE_LINE);
	expect_no_match("[ip, id, user, timestamp, request, status, bytes, x]",
			APACHE_LINE);
	expect_match("[a, b]", "ERROR message");
	expect_no_match("[a, b]", "ERROR");
	expect_no_match("[a]", "");
}

Test(fields, an_ellipsis_stands_for_any_number_of_fields)
{
	expect_match("[..., status_code, bytes]", APACHE_LINE);
	expect_match("[..., status_code=200, bytes]", APACHE_LINE);
	expect_no_match("[..., status_code=404, bytes]", APACHE_LINE);
	expect_match("[ip, id, ..., status_code, bytes]", APACHE_LINE);
	expect_match("[ip=127.*, ...]", APACHE_LINE);
	expect_match("[...]", APACHE_LINE);
	expect_match("[...]", "");
	expect_match("[a, ..., b]", "x y");
	expect_no_match("[a, ..., b]", "x");
	expect_match("[..., status_code = 200, bytes = 2326]", APACHE_LINE);
}

Test(fields, no_fields_at_all_match_every_event)
{
	/* CloudWatch's TestMetricFilter: `[]` matches every event */
	expect_match("[]", APACHE_LINE);
	expect_match("[]", "");
	expect_match("[]", "one");
	expect_match("[ ]", "one two three");
	expect_match("  [\t]  ", "{\"level\": \"error\"}");
	expect_refused("[] x", "text after the closing ']'");
	expect_refused("[", "'[' without its closing ']'");
}

Test(value, no_fields_at_all_still_number_the_events_fields)
{
	double v = 0;

	cr_expect_eq(value_of("[]", "$2", "a 17 c", &v), 0);
	cr_expect_eq(v, 17);
}

Test(fields, several_ellipses_find_a_field_anywhere)
{
	expect_match("[..., user=frank, ...]", APACHE_LINE);
	expect_no_match("[..., user=alice, ...]", APACHE_LINE);
	expect_match("[..., a=1, ..., b=2, ...]", "x b=0 1 y 2 z");
	expect_no_match("[..., a=2, ..., b=1, ...]", "x 1 y 2 z");
	expect_match("[..., a=1, b=2, ...]", "1 1 2 3");
	expect_match("[first, ..., x=5, ..., last=9]", "0 5 9");
	expect_no_match("[first, ..., x=5, ..., last=9]", "5 9");
}

Test(fields, either_condition_of_a_field_may_hold)
{
	const char *pattern = "[ip, id, user, timestamp, request, status=5* || "
			      "status=4*, bytes]";

	expect_no_match(pattern, APACHE_LINE);
	expect_match(pattern, "1.2.3.4 - bob [t] \"GET / HTTP/1.1\" 503 12");
	expect_match(pattern, "1.2.3.4 - bob [t] \"GET / HTTP/1.1\" 404 12");
	expect_match("[w1=ERROR || w1=WARN, w2]", "WARN message");
	expect_no_match("[w1=ERROR || w1=WARN, w2]", "INFO message");
	expect_no_match("[w1=ERROR || w1=WARN, w2]", "ERROR WARN message");
}

Test(fields, all_conditions_of_a_field_may_be_required)
{
	const char *pattern = "[..., status_code = 4* && status_code != 403, "
			      "bytes]";

	expect_match(pattern, "x 404 10");
	expect_no_match(pattern, "x 403 10");
	expect_no_match(pattern, "x 200 10");
	expect_match("[a = 1 || (a >= 10 && a < 20)]", "15");
	expect_no_match("[a = 1 || (a >= 10 && a < 20)]", "25");
}

Test(fields, numeric_conditions_need_numeric_fields)
{
	const char *pattern = "[..., bytes > 1000]";

	expect_match(pattern, "GET 2326");
	expect_no_match(pattern, "GET 999");
	expect_no_match(pattern, "GET -");
	expect_no_match(pattern, "GET lots");
	expect_match("[..., bytes >= 1e3]", "GET 1000");
	expect_match("[..., bytes <= -1.5]", "GET -2");
	expect_match("[..., bytes < 0.5]", "GET .25");
	expect_no_match("[..., bytes < 10]", "GET 0x5");
	expect_no_match("[..., bytes < 10]", "GET nan");
}

Test(fields, equality_is_numeric_when_both_sides_are_numbers)
{
	expect_match("[status=200]", "200");
	expect_match("[status=200]", "200.0");
	expect_match("[status=2e2]", "200");
	expect_no_match("[status=200]", "2000");
	expect_match("[status!=200]", "201");
	expect_no_match("[status!=200]", "200.00");
	expect_match("[level=ERROR]", "ERROR");
	expect_no_match("[level=ERROR]", "ERRORS");
	expect_match("[level!=ERROR]", "WARN");
}

Test(fields, a_regex_condition_is_searched_in_the_field)
{
	expect_match("[..., status = %^5\\d\\d$%, bytes]", "x 503 1");
	expect_no_match("[..., status = %^5\\d\\d$%, bytes]", "x 5030 1");
	expect_match("[verb != %^(GET|HEAD)$%, path]", "POST /x");
}

Test(fields, runs_of_blanks_and_tabs_separate_fields)
{
	expect_match("[a=x, b=y, c=z]", "  x \t  y\tz   ");
	expect_no_match("[a=x, b=y]", "x\xa0y");
}

Test(fields, quotes_may_escape_a_quote_and_need_not_close)
{
	expect_match("[a, b=*hi*, c=z]", "x \"say \\\"hi\\\" now\" z");
	expect_match("[a, b=\"open to the end\"]", "x \"open to the end");
	expect_match("[a, b=\"in brackets\"]", "x [in brackets");
	expect_match("[a, b=q, c=r]", "x \"q\"r");
}

Test(fields, an_empty_slot_is_an_unnamed_field)
{
	/* CloudWatch's own example ends with a comma: a seventh field */
	const char *pattern = "[..., request=*.html*, status_code=4*,]";

	expect_match(pattern, "127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "
			      "\"GET /index.html HTTP/1.0\" 404 1534");
	expect_no_match(pattern, "\"GET /index.html HTTP/1.0\" 404");
	expect_match("[a, , c]", "1 2 3");
	expect_no_match("[a, , c]", "1 3");
}

/* ---- values for metric filters ---- */

Test(value, a_named_field_gives_its_number)
{
	expect_value(APACHE_FIELDS ", bytes]", "$bytes", APACHE_LINE, 2326);
	expect_value(APACHE_FIELDS ", bytes]", "$status_code", APACHE_LINE,
		     200);
	expect_value("[..., status_code, bytes]", "$bytes", APACHE_LINE, 2326);
	expect_value("[ip, ..., bytes]", "$bytes", APACHE_LINE, 2326);
	expect_value("[..., status=2*, ..., bytes]", "$status", APACHE_LINE,
		     200);
	expect_value("[a, b]", "$b", "x -1.5e3", -1500);
}

Test(value, a_field_number_gives_that_field)
{
	expect_value(APACHE_FIELDS ", bytes]", "$7", APACHE_LINE, 2326);
	expect_value("[..., status_code, bytes]", "$6", APACHE_LINE, 200);
	expect_no_value("[..., bytes]", "$9", APACHE_LINE, -ENOENT);
}

Test(value, a_dash_is_no_value_and_words_are_not_numbers)
{
	expect_no_value("[a, bytes]", "$bytes", "GET -", -ENOENT);
	expect_no_value("[a, bytes]", "$bytes", "GET lots", -EINVAL);
	expect_no_value("[a, bytes]", "$bytes", "GET 12abc", -EINVAL);
	expect_no_value("[a, bytes]", "$bytes", "GET inf", -EINVAL);
	expect_no_value("[a, bytes]", "$bytes", "GET 1e999", -EINVAL);
	expect_no_value("[a, bytes]", "$bytes", "GET \"\"", -EINVAL);
}

Test(value, an_event_the_pattern_does_not_fit_has_no_field)
{
	expect_no_value("[a, bytes]", "$bytes", "just three fields", -ENOENT);
	expect_no_value("[a=GET, bytes]", "$bytes", "PUT 12", -ENOENT);
}

Test(value, a_json_path_gives_its_number)
{
	const char *pattern = "{ $.latency = * }";

	expect_value(pattern, "$.latency", "{\"latency\": 250}", 250);
	expect_value(pattern, "$.latency", "{\"latency\": 0.125}", 0.125);
	expect_value(pattern, "$.latency", "{\"latency\": \"250\"}", 250);
	expect_value(pattern, "$.a[1].b", "{\"a\": [0, {\"b\": -3}]}", -3);
	expect_value("latency", "$.latency", "{\"latency\": 7}", 7);
}

Test(value, a_json_path_without_a_number_says_why)
{
	const char *pattern = "{ $.latency = * }";

	expect_no_value(pattern, "$.latency", "{\"other\": 1}", -ENOENT);
	expect_no_value(pattern, "$.latency", "{\"latency\": null}", -ENOENT);
	expect_no_value(pattern, "$.latency", "latency 250", -ENOENT);
	expect_no_value(pattern, "$.latency", "{\"latency\": \"slow\"}",
			-EINVAL);
	expect_no_value(pattern, "$.latency", "{\"latency\": true}", -EINVAL);
	expect_no_value(pattern, "$.latency", "{\"latency\": {\"ms\": 1}}",
			-EINVAL);
}

Test(value, a_selector_the_pattern_cannot_serve_is_refused)
{
	expect_no_value("[a, bytes]", "$nope", "x 1", -EINVAL);
	expect_no_value("ERROR", "$bytes", "ERROR 1", -EINVAL);
	expect_no_value("[a, bytes]", "bytes", "x 1", -EINVAL);
	expect_no_value("[a, bytes]", "$.", "x 1", -EINVAL);
	expect_no_value("[a, bytes]", "", "x 1", -EINVAL);
}

Test(check_selector, accepts_what_could_apply)
{
	struct err err = {""};

	cr_expect_eq(check_selector(APACHE_FIELDS ", bytes]", "$bytes", &err),
		     0, "%s", err.msg);
	cr_expect_eq(check_selector(APACHE_FIELDS ", bytes]", "$7", &err), 0,
		     "%s", err.msg);
	cr_expect_eq(check_selector("[..., bytes]", "$12", &err), 0, "%s",
		     err.msg);
	cr_expect_eq(check_selector("{ $.a = 1 }", "$.latency", &err), 0, "%s",
		     err.msg);
	cr_expect_eq(check_selector("{ $.a = 1 }", "$.a[0].b-c", &err), 0, "%s",
		     err.msg);
}

static void expect_bad_selector(const char *pattern, const char *selector,
				const char *needle)
{
	struct err err = {""};
	int rc = check_selector(pattern, selector, &err);

	cr_expect_eq(rc, -EINVAL, "'%s' should be refused for '%s'", selector,
		     pattern);
	cr_expect(strstr(err.msg, needle) != NULL,
		  "refusing '%s' said \"%s\", which lacks \"%s\"", selector,
		  err.msg, needle);
}

Test(check_selector, refuses_with_a_reason)
{
	expect_bad_selector("[a, bytes]", "$nope", "not a field");
	expect_bad_selector("[a, bytes]", "bytes", "$field, $N or $.json.path");
	expect_bad_selector("[a, bytes]", "$3", "not a field number");
	expect_bad_selector("[a, bytes]", "$0", "not a field number");
	expect_bad_selector("{ $.a = 1 }", "$bytes", "space-delimited");
	expect_bad_selector("ERROR", "$bytes", "space-delimited");
	expect_bad_selector("{ $.a = 1 }", "$.a..b", "recursive");
	expect_bad_selector("{ $.a = 1 }", "$.*", "wildcard");
	expect_bad_selector("{ $.a = 1 }", "$.a b", "not a JSON path");
	expect_bad_selector("{ $.a = 1 }", "$.a[x]", "array index");
	expect_bad_selector("[a, b]", "$b c",
			    "is not $field, $N or $.json.path");
}

/* The whole message, as the trail shows it after "line N: value: ". */
static void expect_selector_message(const char *pattern, const char *selector,
				    const char *message)
{
	struct err err = {""};

	cr_expect_eq(check_selector(pattern, selector, &err), -EINVAL);
	cr_expect_str_eq(err.msg, message);
}

Test(check_selector, messages_name_the_selector_and_what_would_do)
{
	expect_selector_message(
		"ERROR", "$status",
		"'$status' names a field of a space-delimited pattern ([a, b,"
		" ...]), and the pattern is not one; a JSON event's values are"
		" $.json.path");
	expect_selector_message("[ip, user, status]", "$bytes",
				"'$bytes' is not a field of the pattern, which"
				" names ip, user, status");
	expect_selector_message("[, , status=5*]", "$bytes",
				"'$bytes' is not a field of the pattern, which"
				" names status");
	expect_selector_message("[a=1, b=2]", "$x",
				"'$x' is not a field of the pattern, which"
				" names a, b");
	expect_selector_message("[,]", "$x",
				"'$x' is not a field of the pattern, which"
				" names none (name one, as in [ip, user,"
				" status], or use $1, $2, ...)");
	expect_selector_message("[a]", "$3",
				"'$3' is not a field number of the pattern,"
				" which has 1 field");
	expect_selector_message("[a, b]", "$",
				"'$' is not $field, $N or"
				" $.json.path");
	/* no byte counts in a selector's message: it quotes the selector */
	expect_selector_message("{ $.a = 1 }", "$.a b",
				"'$.a b' is not a JSON path such as $.a.b or"
				" $.list[0]");
}

/* ---- refusals ---- */

Test(refused, unbalanced_quotes_braces_brackets_and_parentheses)
{
	expect_refused("\"abc",
		       "'\"' without its closing '\"' (at byte 1: \"abc)");
	expect_refused("ERROR -\"abc",
		       "'\"' without its closing '\"' (at byte 8: \"abc)");
	expect_refused("{ $.a = 1",
		       "'{' without its closing '}' (at byte 1: { $.a = 1)");
	expect_refused("  {", "'{' without its closing '}' (at byte 3: {)");
	expect_refused("{ $.a = \"x }",
		       "'\"' without its closing '\"' (at byte 9: \"x })");
	expect_refused("[a, b", "'[' without its closing ']'");
	expect_refused("[a, b=\"x]", "'\"' without its closing '\"'");
	expect_refused("{ ($.a = 1 }",
		       "'(' without its closing ')' (at byte 3: ($.a = 1 })");
	expect_refused("{ $.a = 1) }", "')' without an opening '('");
	expect_refused("[(a=1, b]", "'(' without its closing ')'");
	expect_refused("%abc", "'%' without its closing '%' (at byte 1: %abc)");
}

Test(refused, a_position_is_counted_from_1_and_shows_the_text_there)
{
	expect_refused("[a, b, c>x, d]",
		       "'>' compares numbers, and its value is not one (at"
		       " byte 9: >x, d])");
	expect_refused("{ $.a = 1 && $.b",
		       "expected an operator (= != < <= > >=) (at the end)");
	expect_refused("ERROR %%", "empty regular expression '%%' (at byte 7:"
				   " %%)");
}

Test(refused, unknown_operators)
{
	expect_refused("{ $.a == 1 }", "unknown operator '=='");
	expect_refused("{ $.a =~ x }", "unknown operator '=~'");
	expect_refused("[a <> 1]", "unknown operator '<>'");
	expect_refused("{ $.a 1 }", "expected an operator");
	expect_refused("[a b]", "expected ',' between fields, or an operator"
				" (= != < <= > >=) after 'a' (at byte 4: b])");
}

Test(refused, bad_selectors)
{
	expect_refused("{ a = 1 }", "expected a selector");
	expect_refused("{ $ = 1 }", "needs a property");
	expect_refused("{ $. = 1 }", "empty property name");
	expect_refused("{ $.a..b = 1 }", "recursive");
	expect_refused("{ $.* = 1 }", "wildcard");
	expect_refused("{ $[0] = 1 }", "must follow a property");
	expect_refused("{ $.a[x] = 1 }", "expected an array index");
	expect_refused("{ $.a[*] = 1 }", "expected an array index");
	expect_refused("{ $.a[1 = 1 }", "'[' without its closing ']'");
	expect_refused("{ $.a[12345678901] = 1 }", "too large");
}

Test(refused, bad_regular_expressions_quote_regerror)
{
	expect_refused("%a[%", "bad regular expression");
	expect_refused("%a[%", "(at byte 1: %a[%)");
	expect_refused("%(ab%", "bad regular expression (");
	expect_refused("%%", "empty regular expression");
	expect_refused("{ $.a = %x{2,1}% }", "bad regular expression");
}

Test(refused, empty_field_names_and_misplaced_names)
{
	expect_refused("[=5]", "a condition without a field name before its"
			       " operator (at byte 2: =5])");
	expect_refused("[a, =5]", "a condition without a field name before"
				  " its operator (at byte 5: =5])");
	expect_refused("[a, 9lives=1]", "expected a field name");
	expect_refused("[a, a]", "field 'a' named twice (at byte 5: a])");
	expect_refused("[status_code = 4* && bytes > 1000]",
		       "'bytes' in a condition of field 'status_code': && and"
		       " || join conditions on one field, and ',' separates"
		       " fields");
	expect_refused("{}", "empty JSON pattern '{}': write a condition, such"
			     " as { $.level = \"error\" }");
}

Test(refused, trailing_junk_and_missing_values)
{
	expect_refused("{ $.a = 1 } x", "text after the closing '}' (a JSON"
					" pattern is one { ... }) (at byte"
					" 13: x)");
	expect_refused("[a, b] c", "text after the closing ']' (a"
				   " space-delimited pattern is one [ ... ])");
	expect_refused("{ $.a = 1 x }", "expected '&&', '||' or '}'");
	expect_refused("[a=1 x]", "expected ',' or ']'");
	expect_refused("[...x]", "expected ',' or ']'");
	expect_refused("{ $.a = }", "expected a value after the operator");
	expect_refused("[a=, b]", "expected a value");
	expect_refused("{ $.a = 1 && }", "expected a selector");
	expect_refused("{ $.a = 1 || }", "expected a selector");
}

Test(refused, ordering_needs_a_number)
{
	expect_refused("{ $.a > abc }", "'>' compares numbers");
	expect_refused("{ $.a <= \"5\" }", "'<=' compares numbers");
	expect_refused("[a >= 4*]", "'>=' compares numbers");
	expect_refused("[a < %5%]", "'<' compares numbers");
}

Test(refused, bad_keywords_and_lonely_prefixes)
{
	expect_refused("{ $.a IS MAYBE }", "expected TRUE, FALSE or NULL");
	expect_refused("{ $.a NOT THERE }", "expected EXISTS after NOT");
	expect_refused("ERROR -", "'-' with no term");
	expect_refused("?", "'?' with no term");
	expect_refused("ab\"cd\"", "inside an unquoted term");
}

Test(refused, deep_parentheses)
{
	char text[256] = "{ ";
	int i;

	for (i = 0; i < 40; i++)
		strcat(text, "(");
	strcat(text, "$.a = 1");
	for (i = 0; i < 40; i++)
		strcat(text, ")");
	strcat(text, " }");
	expect_refused(text, "nested deeper");
	expect_match("{ ((($.a = 1))) }", "{\"a\": 1}");
}

Test(refused, messages_show_only_printable_bytes)
{
	struct pattern *p = NULL;
	struct err err = {""};
	const char text[] = "{ $.a =\x01\xff 1 }";
	size_t i;

	cr_assert_eq(pattern_compile(text, sizeof(text) - 1, &p, &err),
		     -EINVAL);
	for (i = 0; err.msg[i]; i++)
		cr_expect(err.msg[i] >= 0x20 && err.msg[i] < 0x7f,
			  "byte %zu of \"%s\" is not printable", i, err.msg);
}

Test(check_selector, messages_show_only_printable_bytes)
{
	struct err err = {""};
	size_t i;

	cr_assert_eq(check_selector("[a]", "$\xff\x01", &err), -EINVAL);
	for (i = 0; err.msg[i]; i++)
		cr_expect(err.msg[i] >= 0x20 && err.msg[i] < 0x7f,
			  "byte %zu of \"%s\" is not printable", i, err.msg);
}

Test(refused, a_nul_byte_in_a_regex)
{
	struct pattern *p = NULL;
	struct err err = {""};

	cr_expect_eq(pattern_compile("%a\0b%", 5, &p, &err), -EINVAL);
	cr_expect(strstr(err.msg, "NUL") != NULL, "%s", err.msg);
}

Test(compile, the_pattern_text_need_not_be_nul_terminated)
{
	struct pattern *p = NULL;
	struct err err = {""};

	cr_assert_eq(pattern_compile("ERRORxyz", 5, &p, &err), 0);
	cr_expect(pattern_match(p, "an ERROR", 8));
	cr_expect(!pattern_match(p, "an ERRO", 7));
	pattern_free(p);
	cr_assert_eq(pattern_compile(NULL, 0, &p, &err), 0);
	cr_expect(pattern_match(p, "x", 1));
	pattern_free(p);
	pattern_free(NULL);
}

/* ---- random input ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Random bytes, mostly from the syntax's own alphabet. */
static size_t random_text(char *buf, size_t max)
{
	static const char alphabet[] = "{}[]()\"%$.,*=!<>&|?- \\09azAZ_"
				       "IS NOT NULL EXISTS TRUE...";
	size_t n = rng() % (max + 1), i;

	for (i = 0; i < n; i++)
		buf[i] = rng() % 4 == 0
				 ? (char)(rng() & 0xff)
				 : alphabet[rng() % (sizeof(alphabet) - 1)];
	return n;
}

/* A valid pattern with a few bytes changed, inserted or dropped. */
static size_t mutated_pattern(char *buf, size_t max)
{
	static const char *seeds[] = {
		"{ $.a = 1 && ($.b != x* || $.c[0].d > 5) }",
		"[ip, user, ..., status=5* || status=4*, bytes > 100]",
		"?ERROR ?\"WARN x\" -%de+bug% plain",
		"{ $.x IS NULL || $.y NOT EXISTS && $.z IS TRUE }",
		"[a, \"b\", ..., c=%^[0-9]+$%, d]",
	};
	const char *seed = seeds[rng() % (sizeof(seeds) / sizeof(seeds[0]))];
	size_t n = strlen(seed), edits = 1 + rng() % 3, i;

	memcpy(buf, seed, n);
	for (i = 0; i < edits && n > 0; i++) {
		size_t at = rng() % n;

		switch (rng() % 3) {
		case 0:
			buf[at] = (char)(rng() & 0xff);
			break;
		case 1:
			if (n < max) {
				memmove(buf + at + 1, buf + at, n - at);
				buf[at] = "{}[]()\",%*&|"[rng() % 12];
				n++;
			}
			break;
		default:
			memmove(buf + at, buf + at + 1, n - at - 1);
			n--;
		}
	}
	return n;
}

/* An event: random bytes, a JSON-like line or a space-delimited one. */
static size_t random_event(char *buf, size_t max)
{
	static const char *events[] = {
		"{\"a\": 1, \"b\": \"xyz\", \"c\": [{\"d\": 7}], \"x\": null}",
		APACHE_LINE,
		"ERROR WARN 503 \"quoted field\" [bracket field] - 12.5",
		"{\"y\": true, \"z\": [1, [2, [3]]], \"a\": \"1\"}",
	};
	const char *event = events[rng() % 4];
	size_t n = strlen(event);

	if (rng() % 2)
		return random_text(buf, max);
	memcpy(buf, event, n);
	if (n > 0 && rng() % 2)
		buf[rng() % n] = (char)(rng() & 0xff);
	return n;
}

Test(fuzz, random_bytes_as_patterns_and_events_never_crash)
{
	static const char *selectors[] = {"$a",	      "$bytes", "$1", "$.a",
					  "$.c[0].d", "$",	"$.", "$9",
					  "",	      "$status"};
	char text[128], line[256];
	int round, compiled = 0;

	for (round = 0; round < 30000; round++) {
		struct pattern *p = NULL;
		struct err err = {""};
		size_t n = round % 2 ? random_text(text, sizeof(text))
				     : mutated_pattern(text, sizeof(text));
		int rc = pattern_compile(text, n, &p, &err), k;

		if (rc != 0) {
			cr_assert_eq(rc, -EINVAL);
			cr_assert(err.msg[0] != '\0', "a refusal without a "
						      "message");
			cr_assert(strstr(err.msg, " (at byte ") != NULL ||
					  strstr(err.msg, " (at the end)") !=
						  NULL,
				  "\"%s\" does not say where", err.msg);
			continue;
		}
		compiled++;
		for (k = 0; k < 8; k++) {
			size_t len = random_event(line, sizeof(line));
			const char *sel = selectors[rng() % 10];
			double v;

			(void)pattern_match(p, line, len);
			rc = pattern_value(p, sel, line, len, &v);
			cr_assert(rc == 0 || rc == -ENOENT || rc == -EINVAL,
				  "pattern_value gave %d", rc);
			(void)pattern_check_selector(p, sel, &err);
		}
		pattern_free(p);
	}
	cr_expect_gt(compiled, 1000, "only %d random patterns compiled",
		     compiled);
}
