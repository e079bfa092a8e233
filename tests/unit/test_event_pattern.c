/*
 * Unit tests for lib/event_pattern and lib/event_ruler: EventBridge's
 * content filtering as AWS documents it (SPEC 13), operator by
 * operator, matching and not; what is refused and that the message
 * names the JSON path; and the ruler, which must report exactly what
 * matching each pattern alone reports.
 *
 * Every match case below also runs through a ruler holding that one
 * pattern, so the index is checked against the matcher everywhere.
 */
#include "lib/event_pattern.h"
#include "lib/event_ruler.h"
#include "lib/strbuf.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_COUNT(a) (sizeof(a) / sizeof((a)[0]))

static struct event_pattern *compile_ok(const char *pattern)
{
	struct event_pattern *p = NULL;
	struct err err = {""};
	int rc = event_pattern_compile(pattern, strlen(pattern), &p, &err);

	cr_assert_eq(rc, 0, "%s refused (%d): %s", pattern, rc, err.msg);
	return p;
}

static json_t *event_of(const char *text)
{
	json_error_t jerr;
	json_t *e = json_loads(text, 0, &jerr);

	cr_assert_not_null(e, "bad test event %s: %s", text, jerr.text);
	return e;
}

static int count_calls(int64_t id, void *arg)
{
	int *n = arg;

	cr_assert_eq(id, 7);
	(*n)++;
	return 0;
}

/* Whether pattern matches event; a one-pattern ruler must agree. */
static bool matches(const char *pattern, const char *event)
{
	struct event_pattern *p = compile_ok(pattern);
	struct event_ruler *r = event_ruler_new();
	json_t *e = event_of(event);
	struct err err = {""};
	bool direct = event_pattern_match(p, e);
	int calls = 0;

	cr_assert_not_null(r);
	cr_assert_eq(event_ruler_add(r, 7, p, &err), 0, "%s", err.msg);
	cr_assert_eq(event_ruler_match(r, e, count_calls, &calls), 0);
	cr_assert_eq(calls, direct ? 1 : 0,
		     "the ruler says %d, the pattern %d: %s on %s", calls,
		     direct, pattern, event);
	event_ruler_free(r);
	json_decref(e);
	return direct;
}

#define MATCH(p, e) cr_assert(matches(p, e), "%s should match %s", p, e)
#define NO_MATCH(p, e)                                                         \
	cr_assert_not(matches(p, e), "%s should not match %s", p, e)

/* pattern is refused with EINVAL and a message holding needle. */
static void refused(const char *pattern, const char *needle)
{
	struct event_pattern *p = NULL;
	struct err err = {""};
	int rc = event_pattern_compile(pattern, strlen(pattern), &p, &err);

	cr_assert_eq(rc, -EINVAL, "%s: got %d (%s)", pattern, rc, err.msg);
	cr_assert_null(p);
	cr_assert(strstr(err.msg, needle), "%s: message \"%s\" lacks \"%s\"",
		  pattern, err.msg, needle);
}

/* ---- exact strings ---- */

Test(exact, a_string_matches_the_same_string)
{
	MATCH("{\"source\":[\"aws.ec2\"]}", "{\"source\":\"aws.ec2\"}");
}

Test(exact, strings_compare_with_case)
{
	NO_MATCH("{\"source\":[\"aws.ec2\"]}", "{\"source\":\"AWS.EC2\"}");
}

Test(exact, a_string_is_not_its_prefix)
{
	NO_MATCH("{\"source\":[\"aws.ec\"]}", "{\"source\":\"aws.ec2\"}");
	NO_MATCH("{\"source\":[\"aws.ec2\"]}", "{\"source\":\"aws.ec\"}");
}

Test(exact, a_leaf_list_is_any_of)
{
	MATCH("{\"source\":[\"aws.ec2\",\"aws.fargate\"]}",
	      "{\"source\":\"aws.fargate\"}");
}

Test(exact, a_value_outside_the_list_does_not_match)
{
	NO_MATCH("{\"source\":[\"aws.ec2\",\"aws.fargate\"]}",
		 "{\"source\":\"aws.s3\"}");
}

Test(exact, a_missing_key_does_not_match)
{
	NO_MATCH("{\"source\":[\"aws.ec2\"]}", "{\"detail-type\":\"x\"}");
}

Test(exact, fields_the_pattern_does_not_name_are_ignored)
{
	MATCH("{\"source\":[\"aws.ec2\"]}",
	      "{\"source\":\"aws.ec2\",\"id\":\"1\",\"detail\":{\"a\":1}}");
}

Test(exact, every_field_must_match)
{
	const char *p = "{\"source\":[\"aws.ec2\"],\"detail-type\":[\"X\"]}";

	MATCH(p, "{\"source\":\"aws.ec2\",\"detail-type\":\"X\"}");
	NO_MATCH(p, "{\"source\":\"aws.ec2\",\"detail-type\":\"Y\"}");
	NO_MATCH(p, "{\"source\":\"aws.ec2\"}");
}

Test(exact, an_empty_string_matches_an_empty_string_only)
{
	MATCH("{\"v\":[\"\"]}", "{\"v\":\"\"}");
	NO_MATCH("{\"v\":[\"\"]}", "{\"v\":null}");
	NO_MATCH("{\"v\":[\"\"]}", "{\"v\":\" \"}");
}

Test(exact, escapes_are_compared_decoded)
{
	MATCH("{\"v\":[\"caf\\u00e9\"]}", "{\"v\":\"caf\xc3\xa9\"}");
}

Test(exact, a_string_pattern_does_not_match_an_object)
{
	NO_MATCH("{\"detail\":[\"x\"]}", "{\"detail\":{\"x\":1}}");
}

/* ---- numbers, booleans, null ---- */

Test(types, a_number_matches_the_same_number)
{
	MATCH("{\"n\":[5]}", "{\"n\":5}");
	NO_MATCH("{\"n\":[5]}", "{\"n\":6}");
}

Test(types, the_string_5_is_not_the_number_5)
{
	NO_MATCH("{\"n\":[\"5\"]}", "{\"n\":5}");
	NO_MATCH("{\"n\":[5]}", "{\"n\":\"5\"}");
}

Test(types, numbers_compare_as_values_not_spellings)
{
	MATCH("{\"n\":[300]}", "{\"n\":300.0}");
	MATCH("{\"n\":[300]}", "{\"n\":3e2}");
	MATCH("{\"n\":[3.0e2]}", "{\"n\":300}");
}

Test(types, negative_and_fractional_numbers)
{
	MATCH("{\"n\":[-1.5]}", "{\"n\":-1.5}");
	NO_MATCH("{\"n\":[-1.5]}", "{\"n\":1.5}");
	MATCH("{\"n\":[0.1]}", "{\"n\":0.1}");
}

Test(types, zero_and_negative_zero_are_one_number)
{
	MATCH("{\"n\":[0]}", "{\"n\":-0.0}");
}

Test(types, true_matches_true_only)
{
	MATCH("{\"b\":[true]}", "{\"b\":true}");
	NO_MATCH("{\"b\":[true]}", "{\"b\":\"true\"}");
	NO_MATCH("{\"b\":[true]}", "{\"b\":1}");
	NO_MATCH("{\"b\":[true]}", "{\"b\":false}");
}

Test(types, false_matches_false_only)
{
	MATCH("{\"b\":[false]}", "{\"b\":false}");
	NO_MATCH("{\"b\":[false]}", "{\"b\":0}");
	NO_MATCH("{\"b\":[false]}", "{\"b\":null}");
}

Test(types, null_matches_null_only)
{
	MATCH("{\"detail\":{\"responseElements\":[null]}}",
	      "{\"detail\":{\"responseElements\":null}}");
	NO_MATCH("{\"detail\":{\"r\":[null]}}", "{\"detail\":{\"r\":\"\"}}");
	NO_MATCH("{\"detail\":{\"r\":[null]}}", "{\"detail\":{}}");
}

Test(types, a_list_may_mix_types)
{
	const char *p = "{\"v\":[\"a\",1,true,null]}";

	MATCH(p, "{\"v\":1}");
	MATCH(p, "{\"v\":null}");
	MATCH(p, "{\"v\":true}");
	NO_MATCH(p, "{\"v\":false}");
}

Test(types, big_integers_compare_as_numbers)
{
	MATCH("{\"account\":[123456789012]}", "{\"account\":123456789012}");
	NO_MATCH("{\"account\":[123456789012]}",
		 "{\"account\":\"123456789012\"}");
}

/* ---- arrays in events ---- */

Test(arrays, an_event_array_matches_when_any_element_does)
{
	MATCH("{\"resources\":[\"arn:b\"]}",
	      "{\"resources\":[\"arn:a\",\"arn:b\"]}");
}

Test(arrays, an_event_array_without_the_value_does_not_match)
{
	NO_MATCH("{\"resources\":[\"arn:c\"]}",
		 "{\"resources\":[\"arn:a\",\"arn:b\"]}");
}

Test(arrays, an_empty_event_array_matches_no_value)
{
	NO_MATCH("{\"resources\":[\"arn:a\"]}", "{\"resources\":[]}");
}

Test(arrays, nested_arrays_are_flattened)
{
	MATCH("{\"v\":[\"x\"]}", "{\"v\":[[\"a\"],[[\"x\"]]]}");
}

Test(arrays, pattern_and_event_lists_intersect)
{
	MATCH("{\"v\":[\"a\",\"b\"]}", "{\"v\":[\"c\",\"b\"]}");
	NO_MATCH("{\"v\":[\"a\",\"b\"]}", "{\"v\":[\"c\",\"d\"]}");
}

Test(arrays, a_pattern_object_descends_into_array_elements)
{
	MATCH("{\"employees\":{\"firstName\":[\"Anna\"]}}",
	      "{\"employees\":[{\"firstName\":\"John\"},"
	      "{\"firstName\":\"Anna\"}]}");
}

Test(arrays, fields_must_hold_within_one_array_element)
{
	const char *e = "{\"employees\":[{\"firstName\":\"John\","
			"\"lastName\":\"Doe\"},{\"firstName\":\"Anna\","
			"\"lastName\":\"Smith\"},{\"firstName\":\"Peter\","
			"\"lastName\":\"Jones\"}]}";

	NO_MATCH("{\"employees\":{\"firstName\":[\"Anna\"],"
		 "\"lastName\":[\"Jones\"]}}",
		 e);
	MATCH("{\"employees\":{\"firstName\":[\"Anna\"],"
	      "\"lastName\":[\"Smith\"]}}",
	      e);
}

Test(arrays, arrays_of_arrays_of_objects_are_descended)
{
	MATCH("{\"e\":{\"n\":[\"Peter\"]}}",
	      "{\"e\":[[{\"n\":\"John\"}],[{\"n\":\"Peter\"}]]}");
}

Test(arrays, numeric_tests_each_element)
{
	MATCH("{\"v\":[{\"numeric\":[\">\",10]}]}", "{\"v\":[1,2,30]}");
	NO_MATCH("{\"v\":[{\"numeric\":[\">\",10]}]}", "{\"v\":[1,2,3]}");
}

Test(arrays, an_array_of_objects_is_no_leaf_value)
{
	NO_MATCH("{\"v\":[\"x\"]}", "{\"v\":[{\"a\":\"x\"}]}");
}

/* ---- nested objects ---- */

Test(nested, a_nested_field_matches)
{
	MATCH("{\"detail\":{\"state\":[\"terminated\"]}}",
	      "{\"detail\":{\"state\":\"terminated\"}}");
}

Test(nested, a_nested_field_with_another_value_does_not)
{
	NO_MATCH("{\"detail\":{\"state\":[\"terminated\"]}}",
		 "{\"detail\":{\"state\":\"running\"}}");
}

Test(nested, a_missing_object_does_not_match)
{
	NO_MATCH("{\"detail\":{\"state\":[\"terminated\"]}}",
		 "{\"source\":\"x\"}");
}

Test(nested, a_pattern_object_does_not_match_a_scalar)
{
	NO_MATCH("{\"detail\":{\"state\":[\"x\"]}}", "{\"detail\":\"x\"}");
}

Test(nested, three_levels_deep)
{
	MATCH("{\"detail\":{\"state\":{\"value\":[\"ALARM\"]}}}",
	      "{\"detail\":{\"state\":{\"value\":\"ALARM\"}}}");
	NO_MATCH("{\"detail\":{\"state\":{\"value\":[\"ALARM\"]}}}",
		 "{\"detail\":{\"state\":{\"value\":\"OK\"}}}");
}

Test(nested, a_dotted_key_is_one_name_not_a_path)
{
	MATCH("{\"detail\":{\"a.b\":[\"x\"]}}", "{\"detail\":{\"a.b\":\"x\"}}");
	NO_MATCH("{\"detail\":{\"a.b\":[\"x\"]}}",
		 "{\"detail\":{\"a\":{\"b\":\"x\"}}}");
}

Test(nested, the_same_name_at_two_depths_is_two_fields)
{
	NO_MATCH("{\"detail\":{\"source\":[\"x\"]}}", "{\"source\":\"x\"}");
	NO_MATCH("{\"source\":[\"x\"]}", "{\"detail\":{\"source\":\"x\"}}");
}

Test(nested, the_alarm_state_change_of_spec_13)
{
	const char *p = "{\"source\":[\"aws.cloudwatch\"],\"detail\":"
			"{\"state\":{\"value\":[\"ALARM\"]}}}";

	MATCH(p, "{\"version\":\"0\",\"source\":\"aws.cloudwatch\","
		 "\"detail-type\":\"CloudWatch Alarm State Change\","
		 "\"detail\":{\"alarmName\":\"cpu\",\"state\":{\"value\":"
		 "\"ALARM\",\"reason\":\"r\"},\"previousState\":{\"value\":"
		 "\"OK\"}}}");
	NO_MATCH(p, "{\"source\":\"aws.cloudwatch\",\"detail\":{\"state\":"
		    "{\"value\":\"OK\"},\"previousState\":{\"value\":"
		    "\"ALARM\"}}}");
}

/* ---- prefix ---- */

Test(prefix, a_string_with_the_prefix_matches)
{
	MATCH("{\"time\":[{\"prefix\":\"2017-10-02\"}]}",
	      "{\"time\":\"2017-10-02T18:43:48Z\"}");
}

Test(prefix, a_string_without_it_does_not)
{
	NO_MATCH("{\"time\":[{\"prefix\":\"2017-10-02\"}]}",
		 "{\"time\":\"2017-10-03T18:43:48Z\"}");
}

Test(prefix, the_whole_string_is_its_own_prefix)
{
	MATCH("{\"v\":[{\"prefix\":\"abc\"}]}", "{\"v\":\"abc\"}");
	NO_MATCH("{\"v\":[{\"prefix\":\"abc\"}]}", "{\"v\":\"ab\"}");
}

Test(prefix, only_strings_have_prefixes)
{
	NO_MATCH("{\"v\":[{\"prefix\":\"1\"}]}", "{\"v\":123}");
	NO_MATCH("{\"v\":[{\"prefix\":\"t\"}]}", "{\"v\":true}");
}

Test(prefix, is_case_sensitive)
{
	NO_MATCH("{\"v\":[{\"prefix\":\"us-\"}]}", "{\"v\":\"US-east\"}");
}

Test(prefix, an_empty_prefix_matches_every_string)
{
	MATCH("{\"v\":[{\"prefix\":\"\"}]}", "{\"v\":\"\"}");
	MATCH("{\"v\":[{\"prefix\":\"\"}]}", "{\"v\":\"x\"}");
	NO_MATCH("{\"v\":[{\"prefix\":\"\"}]}", "{\"v\":null}");
}

Test(prefix, with_equals_ignore_case)
{
	const char *p = "{\"service\":[{\"prefix\":{\"equals-ignore-case\":"
			"\"EventB\"}}]}";

	MATCH(p, "{\"service\":\"eventbridge\"}");
	MATCH(p, "{\"service\":\"EVENTBRIDGE\"}");
	NO_MATCH(p, "{\"service\":\"event\"}");
	NO_MATCH(p, "{\"service\":\"xeventb\"}");
}

Test(prefix, beside_exact_values_in_one_leaf)
{
	const char *p = "{\"v\":[\"exact\",{\"prefix\":\"pre\"}]}";

	MATCH(p, "{\"v\":\"exact\"}");
	MATCH(p, "{\"v\":\"prefix\"}");
	NO_MATCH(p, "{\"v\":\"exactly\"}");
}

/* ---- suffix ---- */

Test(suffix, a_string_with_the_suffix_matches)
{
	MATCH("{\"FileName\":[{\"suffix\":\".png\"}]}",
	      "{\"FileName\":\"image.png\"}");
}

Test(suffix, a_string_without_it_does_not)
{
	NO_MATCH("{\"FileName\":[{\"suffix\":\".png\"}]}",
		 "{\"FileName\":\"image.jpg\"}");
	NO_MATCH("{\"FileName\":[{\"suffix\":\".png\"}]}",
		 "{\"FileName\":\"png\"}");
}

Test(suffix, is_case_sensitive)
{
	NO_MATCH("{\"FileName\":[{\"suffix\":\".png\"}]}",
		 "{\"FileName\":\"image.PNG\"}");
}

Test(suffix, with_equals_ignore_case)
{
	const char *p = "{\"FileName\":[{\"suffix\":{\"equals-ignore-case\":"
			"\".png\"}}]}";

	MATCH(p, "{\"FileName\":\"image.PNG\"}");
	MATCH(p, "{\"FileName\":\"image.png\"}");
	NO_MATCH(p, "{\"FileName\":\"image.PNGx\"}");
}

Test(suffix, only_strings_have_suffixes)
{
	NO_MATCH("{\"v\":[{\"suffix\":\"3\"}]}", "{\"v\":123}");
}

/* ---- equals-ignore-case ---- */

Test(ignore_case, any_casing_matches)
{
	const char *p = "{\"Name\":[{\"equals-ignore-case\":\"alice\"}]}";

	MATCH(p, "{\"Name\":\"Alice\"}");
	MATCH(p, "{\"Name\":\"ALICE\"}");
	MATCH(p, "{\"Name\":\"alice\"}");
}

Test(ignore_case, other_letters_do_not)
{
	const char *p = "{\"Name\":[{\"equals-ignore-case\":\"alice\"}]}";

	NO_MATCH(p, "{\"Name\":\"alic\"}");
	NO_MATCH(p, "{\"Name\":\"alice \"}");
	NO_MATCH(p, "{\"Name\":\"bob\"}");
}

Test(ignore_case, only_strings)
{
	NO_MATCH("{\"v\":[{\"equals-ignore-case\":\"true\"}]}", "{\"v\":true}");
}

Test(ignore_case, folds_ascii_letters_only)
{
	/* Documented: bytes beyond ASCII compare as they are. */
	NO_MATCH("{\"v\":[{\"equals-ignore-case\":\"\xc3\xa9\"}]}",
		 "{\"v\":\"\xc3\x89\"}");
	MATCH("{\"v\":[{\"equals-ignore-case\":\"\xc3\xa9t\xc3\xa9\"}]}",
	      "{\"v\":\"\xc3\xa9T\xc3\xa9\"}");
}

Test(ignore_case, digits_and_punctuation_are_themselves)
{
	MATCH("{\"v\":[{\"equals-ignore-case\":\"a-1_B\"}]}",
	      "{\"v\":\"A-1_b\"}");
	NO_MATCH("{\"v\":[{\"equals-ignore-case\":\"a-1\"}]}",
		 "{\"v\":\"a_1\"}");
}

/* ---- wildcard ---- */

Test(wildcard, a_star_matches_a_run)
{
	MATCH("{\"source\":[{\"wildcard\":\"Simple*Service\"}]}",
	      "{\"source\":\"SimpleQueueService\"}");
}

Test(wildcard, a_star_matches_an_empty_run)
{
	MATCH("{\"source\":[{\"wildcard\":\"Simple*Service\"}]}",
	      "{\"source\":\"SimpleService\"}");
}

Test(wildcard, the_ends_must_match)
{
	NO_MATCH("{\"source\":[{\"wildcard\":\"Simple*Service\"}]}",
		 "{\"source\":\"SimpleQueueServices\"}");
	NO_MATCH("{\"source\":[{\"wildcard\":\"Simple*Service\"}]}",
		 "{\"source\":\"xSimpleService\"}");
}

Test(wildcard, a_leading_star_is_a_suffix)
{
	MATCH("{\"f\":[{\"wildcard\":\"*.png\"}]}", "{\"f\":\"a/b.png\"}");
	NO_MATCH("{\"f\":[{\"wildcard\":\"*.png\"}]}", "{\"f\":\"a.pngx\"}");
}

Test(wildcard, a_trailing_star_is_a_prefix)
{
	MATCH("{\"f\":[{\"wildcard\":\"dir/*\"}]}", "{\"f\":\"dir/a/b\"}");
	MATCH("{\"f\":[{\"wildcard\":\"dir/*\"}]}", "{\"f\":\"dir/\"}");
	NO_MATCH("{\"f\":[{\"wildcard\":\"dir/*\"}]}", "{\"f\":\"dir\"}");
}

Test(wildcard, a_lone_star_matches_every_string_only)
{
	MATCH("{\"f\":[{\"wildcard\":\"*\"}]}", "{\"f\":\"\"}");
	MATCH("{\"f\":[{\"wildcard\":\"*\"}]}", "{\"f\":\"anything\"}");
	NO_MATCH("{\"f\":[{\"wildcard\":\"*\"}]}", "{\"f\":5}");
	NO_MATCH("{\"f\":[{\"wildcard\":\"*\"}]}", "{\"f\":null}");
}

Test(wildcard, no_star_is_an_exact_match)
{
	MATCH("{\"f\":[{\"wildcard\":\"abc\"}]}", "{\"f\":\"abc\"}");
	NO_MATCH("{\"f\":[{\"wildcard\":\"abc\"}]}", "{\"f\":\"abcd\"}");
}

Test(wildcard, an_escaped_star_is_a_star)
{
	MATCH("{\"f\":[{\"wildcard\":\"a\\\\*b\"}]}", "{\"f\":\"a*b\"}");
	NO_MATCH("{\"f\":[{\"wildcard\":\"a\\\\*b\"}]}", "{\"f\":\"axb\"}");
	NO_MATCH("{\"f\":[{\"wildcard\":\"a\\\\*b\"}]}", "{\"f\":\"ab\"}");
}

Test(wildcard, an_escaped_backslash_is_a_backslash)
{
	MATCH("{\"f\":[{\"wildcard\":\"a\\\\\\\\*\"}]}",
	      "{\"f\":\"a\\\\anything\"}");
	NO_MATCH("{\"f\":[{\"wildcard\":\"a\\\\\\\\*\"}]}",
		 "{\"f\":\"anything\"}");
}

Test(wildcard, several_stars_in_order)
{
	const char *p = "{\"f\":[{\"wildcard\":\"a*b*c\"}]}";

	MATCH(p, "{\"f\":\"abc\"}");
	MATCH(p, "{\"f\":\"a-b-c\"}");
	NO_MATCH(p, "{\"f\":\"acb\"}");
	NO_MATCH(p, "{\"f\":\"ab\"}");
}

Test(wildcard, runs_may_not_overlap)
{
	const char *p = "{\"f\":[{\"wildcard\":\"a*aa\"}]}";

	NO_MATCH(p, "{\"f\":\"aa\"}");
	MATCH(p, "{\"f\":\"aaa\"}");
}

Test(wildcard, a_middle_run_is_found_before_the_end)
{
	const char *p = "{\"f\":[{\"wildcard\":\"*ab*ab\"}]}";

	MATCH(p, "{\"f\":\"xabyab\"}");
	MATCH(p, "{\"f\":\"abab\"}");
	NO_MATCH(p, "{\"f\":\"xab\"}");
	NO_MATCH(p, "{\"f\":\"aab\"}");
}

Test(wildcard, on_an_event_array)
{
	MATCH("{\"f\":[{\"wildcard\":\"*/lib/*\"}]}",
	      "{\"f\":[\"/usr/bin/x\",\"/usr/lib/y\"]}");
}

/* ---- anything-but ---- */

Test(anything_but, a_string_refuses_that_string)
{
	const char *p = "{\"detail\":{\"state\":[{\"anything-but\":"
			"\"initializing\"}]}}";

	MATCH(p, "{\"detail\":{\"state\":\"running\"}}");
	NO_MATCH(p, "{\"detail\":{\"state\":\"initializing\"}}");
}

Test(anything_but, a_number_refuses_that_number)
{
	const char *p = "{\"detail\":{\"x-limit\":[{\"anything-but\":123}]}}";

	MATCH(p, "{\"detail\":{\"x-limit\":124}}");
	NO_MATCH(p, "{\"detail\":{\"x-limit\":123}}");
	NO_MATCH(p, "{\"detail\":{\"x-limit\":123.0}}");
}

Test(anything_but, a_list_of_strings)
{
	const char *p = "{\"state\":[{\"anything-but\":[\"stopped\","
			"\"overloaded\"]}]}";

	MATCH(p, "{\"state\":\"running\"}");
	NO_MATCH(p, "{\"state\":\"stopped\"}");
	NO_MATCH(p, "{\"state\":\"overloaded\"}");
}

Test(anything_but, a_list_of_numbers)
{
	const char *p = "{\"x\":[{\"anything-but\":[100,200,300]}]}";

	MATCH(p, "{\"x\":150}");
	NO_MATCH(p, "{\"x\":200}");
}

Test(anything_but, never_matches_a_missing_key)
{
	NO_MATCH("{\"state\":[{\"anything-but\":\"x\"}]}", "{\"other\":\"y\"}");
}

Test(anything_but, matches_values_of_another_type)
{
	MATCH("{\"v\":[{\"anything-but\":123}]}", "{\"v\":\"123\"}");
	MATCH("{\"v\":[{\"anything-but\":\"123\"}]}", "{\"v\":123}");
	MATCH("{\"v\":[{\"anything-but\":\"x\"}]}", "{\"v\":null}");
}

Test(anything_but, an_event_array_matches_when_one_element_is_not_refused)
{
	const char *p = "{\"v\":[{\"anything-but\":\"a\"}]}";

	MATCH(p, "{\"v\":[\"a\",\"b\"]}");
	NO_MATCH(p, "{\"v\":[\"a\",\"a\"]}");
	NO_MATCH(p, "{\"v\":[]}");
}

Test(anything_but, a_prefix)
{
	const char *p =
		"{\"state\":[{\"anything-but\":{\"prefix\":\"init\"}}]}";

	MATCH(p, "{\"state\":\"running\"}");
	NO_MATCH(p, "{\"state\":\"initializing\"}");
	MATCH(p, "{\"state\":5}");
}

Test(anything_but, a_suffix)
{
	const char *p = "{\"FileName\":[{\"anything-but\":{\"suffix\":"
			"\".png\"}}]}";

	MATCH(p, "{\"FileName\":\"a.jpg\"}");
	NO_MATCH(p, "{\"FileName\":\"a.png\"}");
}

Test(anything_but, a_wildcard)
{
	const char *p = "{\"FilePath\":[{\"anything-but\":{\"wildcard\":"
			"\"*/lib/*\"}}]}";

	MATCH(p, "{\"FilePath\":\"/usr/bin/x\"}");
	NO_MATCH(p, "{\"FilePath\":\"/usr/lib/x\"}");
}

Test(anything_but, a_list_of_wildcards)
{
	const char *p = "{\"f\":[{\"anything-but\":{\"wildcard\":"
			"[\"*/lib/*\",\"*.tmp\"]}}]}";

	MATCH(p, "{\"f\":\"/usr/bin/x\"}");
	NO_MATCH(p, "{\"f\":\"/usr/lib/x\"}");
	NO_MATCH(p, "{\"f\":\"/home/a.tmp\"}");
}

Test(anything_but, equals_ignore_case)
{
	const char *p = "{\"state\":[{\"anything-but\":{\"equals-ignore-case\":"
			"\"initializing\"}}]}";

	MATCH(p, "{\"state\":\"running\"}");
	NO_MATCH(p, "{\"state\":\"INITIALIZING\"}");
	NO_MATCH(p, "{\"state\":\"Initializing\"}");
}

Test(anything_but, equals_ignore_case_list)
{
	const char *p = "{\"state\":[{\"anything-but\":{\"equals-ignore-case\":"
			"[\"a\",\"B\"]}}]}";

	MATCH(p, "{\"state\":\"c\"}");
	NO_MATCH(p, "{\"state\":\"A\"}");
	NO_MATCH(p, "{\"state\":\"b\"}");
}

Test(anything_but, a_list_of_prefixes)
{
	const char *p = "{\"r\":[{\"anything-but\":{\"prefix\":[\"us-\","
			"\"eu-\"]}}]}";

	MATCH(p, "{\"r\":\"ap-south-1\"}");
	NO_MATCH(p, "{\"r\":\"us-east-1\"}");
	NO_MATCH(p, "{\"r\":\"eu-west-1\"}");
}

Test(anything_but, beside_another_value_in_the_leaf)
{
	const char *p = "{\"v\":[{\"anything-but\":\"a\"},\"a\"]}";

	MATCH(p, "{\"v\":\"a\"}");
	MATCH(p, "{\"v\":\"b\"}");
}

/* ---- numeric ---- */

Test(numeric, a_range_excludes_its_open_lower_bound)
{
	const char *p = "{\"c\":[{\"numeric\":[\">\",0,\"<=\",5]}]}";

	NO_MATCH(p, "{\"c\":0}");
	MATCH(p, "{\"c\":0.0001}");
}

Test(numeric, a_range_includes_its_closed_upper_bound)
{
	const char *p = "{\"c\":[{\"numeric\":[\">\",0,\"<=\",5]}]}";

	MATCH(p, "{\"c\":5}");
	MATCH(p, "{\"c\":5.0}");
	NO_MATCH(p, "{\"c\":5.0001}");
}

Test(numeric, less_than_is_open)
{
	const char *p = "{\"d\":[{\"numeric\":[\"<\",10]}]}";

	MATCH(p, "{\"d\":9.99}");
	NO_MATCH(p, "{\"d\":10}");
	MATCH(p, "{\"d\":-1e9}");
}

Test(numeric, greater_or_equal_is_closed)
{
	const char *p = "{\"d\":[{\"numeric\":[\">=\",10]}]}";

	MATCH(p, "{\"d\":10}");
	NO_MATCH(p, "{\"d\":9.999999}");
}

Test(numeric, less_or_equal_alone)
{
	const char *p = "{\"d\":[{\"numeric\":[\"<=\",-2]}]}";

	MATCH(p, "{\"d\":-2}");
	NO_MATCH(p, "{\"d\":-1.5}");
}

Test(numeric, equals_compares_values)
{
	MATCH("{\"x\":[{\"numeric\":[\"=\",3.018e2]}]}", "{\"x\":301.8}");
	MATCH("{\"x\":[{\"numeric\":[\"=\",3]}]}", "{\"x\":3.0}");
	NO_MATCH("{\"x\":[{\"numeric\":[\"=\",3]}]}", "{\"x\":3.01}");
}

Test(numeric, a_string_holding_a_number_is_no_number)
{
	NO_MATCH("{\"x\":[{\"numeric\":[\"=\",3]}]}", "{\"x\":\"3\"}");
	NO_MATCH("{\"x\":[{\"numeric\":[\">\",0]}]}", "{\"x\":\"5\"}");
}

Test(numeric, booleans_and_null_are_no_numbers)
{
	NO_MATCH("{\"x\":[{\"numeric\":[\">=\",0]}]}", "{\"x\":true}");
	NO_MATCH("{\"x\":[{\"numeric\":[\">=\",0]}]}", "{\"x\":null}");
}

Test(numeric, a_missing_key_does_not_match)
{
	NO_MATCH("{\"x\":[{\"numeric\":[\">\",0]}]}", "{\"y\":1}");
}

Test(numeric, the_upper_bound_may_come_first)
{
	const char *p = "{\"x\":[{\"numeric\":[\"<\",10,\">=\",5]}]}";

	MATCH(p, "{\"x\":5}");
	NO_MATCH(p, "{\"x\":10}");
	NO_MATCH(p, "{\"x\":4}");
}

Test(numeric, a_closed_single_point_range)
{
	const char *p = "{\"x\":[{\"numeric\":[\">=\",5,\"<=\",5]}]}";

	MATCH(p, "{\"x\":5}");
	NO_MATCH(p, "{\"x\":5.000001}");
}

Test(numeric, large_integers)
{
	MATCH("{\"x\":[{\"numeric\":[\">\",4000000000]}]}",
	      "{\"x\":5000000000}");
}

Test(numeric, several_ranges_in_one_leaf_are_any_of)
{
	const char *p = "{\"x\":[{\"numeric\":[\"<\",0]},{\"numeric\":[\">\","
			"100]}]}";

	MATCH(p, "{\"x\":-1}");
	MATCH(p, "{\"x\":101}");
	NO_MATCH(p, "{\"x\":50}");
}

Test(numeric, the_complex_example)
{
	const char *p = "{\"time\":[{\"prefix\":\"2017-10-02\"}],\"detail\":{"
			"\"state\":[{\"anything-but\":\"initializing\"}],"
			"\"c-count\":[{\"numeric\":[\">\",0,\"<=\",5]}],"
			"\"d-count\":[{\"numeric\":[\"<\",10]}],"
			"\"x-limit\":[{\"anything-but\":[100,200,300]}],"
			"\"source-ip\":[{\"cidr\":\"10.0.0.0/8\"}]}}";

	MATCH(p, "{\"time\":\"2017-10-02T16:24:49Z\",\"detail\":{"
		 "\"c-count\":5,\"d-count\":3,\"x-limit\":301.8,"
		 "\"source-ip\":\"10.0.0.33\",\"state\":\"running\"}}");
	NO_MATCH(p, "{\"time\":\"2017-10-02T16:24:49Z\",\"detail\":{"
		    "\"c-count\":5,\"d-count\":3,\"x-limit\":300,"
		    "\"source-ip\":\"10.0.0.33\",\"state\":\"running\"}}");
}

/* ---- exists ---- */

Test(exists, true_matches_a_present_value)
{
	MATCH("{\"detail\":{\"c\":[{\"exists\":true}]}}",
	      "{\"detail\":{\"c\":5}}");
}

Test(exists, true_does_not_match_a_missing_key)
{
	NO_MATCH("{\"detail\":{\"c\":[{\"exists\":true}]}}",
		 "{\"detail\":{\"d\":5}}");
}

Test(exists, false_matches_a_missing_key)
{
	MATCH("{\"detail\":{\"c\":[{\"exists\":false}]}}",
	      "{\"detail\":{\"state\":[\"initializing\",\"running\"]}}");
}

Test(exists, false_does_not_match_a_present_value)
{
	NO_MATCH("{\"detail\":{\"c\":[{\"exists\":false}]}}",
		 "{\"detail\":{\"c\":\"\"}}");
}

Test(exists, false_matches_a_key_that_is_no_leaf)
{
	MATCH("{\"detail\":{\"c-count\":[{\"exists\":false}]}}",
	      "{\"detail\":{\"c-count\":{\"c1\":100}}}");
}

Test(exists, true_does_not_match_a_key_that_is_no_leaf)
{
	NO_MATCH("{\"detail\":{\"c-count\":[{\"exists\":true}]}}",
		 "{\"detail\":{\"c-count\":{\"c1\":100}}}");
}

Test(exists, null_is_a_value)
{
	MATCH("{\"v\":[{\"exists\":true}]}", "{\"v\":null}");
	NO_MATCH("{\"v\":[{\"exists\":false}]}", "{\"v\":null}");
}

Test(exists, an_empty_array_holds_no_value)
{
	MATCH("{\"v\":[{\"exists\":false}]}", "{\"v\":[]}");
	NO_MATCH("{\"v\":[{\"exists\":true}]}", "{\"v\":[]}");
	MATCH("{\"v\":[{\"exists\":true}]}", "{\"v\":[1]}");
}

Test(exists, false_matches_when_the_parent_is_missing)
{
	MATCH("{\"detail\":{\"c\":[{\"exists\":false}]}}",
	      "{\"source\":\"x\"}");
}

Test(exists, false_beside_another_field)
{
	const char *p = "{\"source\":[\"a\"],\"detail\":{\"err\":[{\"exists\":"
			"false}]}}";

	MATCH(p, "{\"source\":\"a\",\"detail\":{}}");
	NO_MATCH(p, "{\"source\":\"a\",\"detail\":{\"err\":\"x\"}}");
	NO_MATCH(p, "{\"source\":\"b\",\"detail\":{}}");
}

Test(exists, false_within_one_array_element)
{
	const char *p = "{\"a\":{\"x\":[{\"exists\":false}]}}";

	MATCH(p, "{\"a\":[{\"x\":1},{\"y\":2}]}");
	NO_MATCH(p, "{\"a\":[{\"x\":1},{\"x\":2}]}");
}

Test(exists, or_a_value_in_one_leaf)
{
	const char *p = "{\"v\":[{\"exists\":false},\"on\"]}";

	MATCH(p, "{}");
	MATCH(p, "{\"v\":\"on\"}");
	NO_MATCH(p, "{\"v\":\"off\"}");
}

/* ---- cidr ---- */

Test(cidr, an_address_inside_a_v4_block)
{
	MATCH("{\"ip\":[{\"cidr\":\"10.0.0.0/24\"}]}",
	      "{\"ip\":\"10.0.0.33\"}");
}

Test(cidr, the_edges_of_a_v4_block)
{
	const char *p = "{\"ip\":[{\"cidr\":\"10.0.0.0/24\"}]}";

	MATCH(p, "{\"ip\":\"10.0.0.0\"}");
	MATCH(p, "{\"ip\":\"10.0.0.255\"}");
	NO_MATCH(p, "{\"ip\":\"10.0.1.0\"}");
	NO_MATCH(p, "{\"ip\":\"9.255.255.255\"}");
}

Test(cidr, a_block_not_on_a_byte_boundary)
{
	const char *p = "{\"ip\":[{\"cidr\":\"192.168.4.0/22\"}]}";

	MATCH(p, "{\"ip\":\"192.168.7.200\"}");
	NO_MATCH(p, "{\"ip\":\"192.168.8.1\"}");
	NO_MATCH(p, "{\"ip\":\"192.168.3.255\"}");
}

Test(cidr, a_slash_32_is_one_address)
{
	const char *p = "{\"ip\":[{\"cidr\":\"10.1.2.3/32\"}]}";

	MATCH(p, "{\"ip\":\"10.1.2.3\"}");
	NO_MATCH(p, "{\"ip\":\"10.1.2.4\"}");
}

Test(cidr, a_slash_0_is_every_v4_address)
{
	MATCH("{\"ip\":[{\"cidr\":\"0.0.0.0/0\"}]}",
	      "{\"ip\":\"255.255.255.255\"}");
	NO_MATCH("{\"ip\":[{\"cidr\":\"0.0.0.0/0\"}]}", "{\"ip\":\"::1\"}");
}

Test(cidr, host_bits_in_the_block_are_ignored)
{
	MATCH("{\"ip\":[{\"cidr\":\"10.0.0.77/24\"}]}",
	      "{\"ip\":\"10.0.0.1\"}");
}

Test(cidr, a_v6_block)
{
	const char *p = "{\"ip\":[{\"cidr\":\"2001:db8::/32\"}]}";

	MATCH(p, "{\"ip\":\"2001:db8:1:2::5\"}");
	MATCH(p, "{\"ip\":\"2001:0db8:ffff:ffff:ffff:ffff:ffff:ffff\"}");
	NO_MATCH(p, "{\"ip\":\"2001:db9::1\"}");
}

Test(cidr, a_v6_slash_127)
{
	const char *p = "{\"ip\":[{\"cidr\":\"fe80::/127\"}]}";

	MATCH(p, "{\"ip\":\"fe80::1\"}");
	NO_MATCH(p, "{\"ip\":\"fe80::2\"}");
}

Test(cidr, families_do_not_mix)
{
	NO_MATCH("{\"ip\":[{\"cidr\":\"10.0.0.0/8\"}]}",
		 "{\"ip\":\"::ffff:10.0.0.1\"}");
	NO_MATCH("{\"ip\":[{\"cidr\":\"::/0\"}]}", "{\"ip\":\"10.0.0.1\"}");
}

Test(cidr, what_is_no_address_does_not_match)
{
	const char *p = "{\"ip\":[{\"cidr\":\"10.0.0.0/8\"}]}";

	NO_MATCH(p, "{\"ip\":\"10.0.0\"}");
	NO_MATCH(p, "{\"ip\":\"host.example\"}");
	NO_MATCH(p, "{\"ip\":10}");
	NO_MATCH(p, "{\"ip\":\"10.0.0.1 \"}");
}

/* ---- $or ---- */

Test(or, either_branch_matches)
{
	const char *p = "{\"source\":[\"aws.cloudwatch\"],\"$or\":["
			"{\"metricName\":[\"CPUUtilization\"]},"
			"{\"namespace\":[\"AWS/EC2\"]}]}";

	MATCH(p, "{\"source\":\"aws.cloudwatch\",\"metricName\":"
		 "\"CPUUtilization\"}");
	MATCH(p, "{\"source\":\"aws.cloudwatch\",\"namespace\":\"AWS/EC2\"}");
}

Test(or, neither_branch_does_not)
{
	const char *p = "{\"$or\":[{\"a\":[1]},{\"b\":[2]}]}";

	NO_MATCH(p, "{\"a\":2,\"b\":1}");
	NO_MATCH(p, "{}");
}

Test(or, the_other_fields_still_must_match)
{
	const char *p =
		"{\"source\":[\"x\"],\"$or\":[{\"a\":[1]},{\"b\":[2]}]}";

	NO_MATCH(p, "{\"source\":\"y\",\"a\":1}");
}

Test(or, a_branch_holds_several_fields)
{
	const char *p = "{\"$or\":[{\"a\":[1]},{\"b\":[2],\"c\":[3]}]}";

	MATCH(p, "{\"b\":2,\"c\":3}");
	NO_MATCH(p, "{\"b\":2,\"c\":4}");
}

Test(or, nested_in_a_branch)
{
	const char *p =
		"{\"source\":[\"aws.cloudwatch\"],\"$or\":["
		"{\"metricName\":[\"CPU\"]},"
		"{\"metricType\":[\"T\"],\"$or\":[{\"metricId\":[1234]},"
		"{\"spaceId\":[1000]}]}]}";

	MATCH(p, "{\"source\":\"aws.cloudwatch\",\"metricType\":\"T\","
		 "\"spaceId\":1000}");
	NO_MATCH(p, "{\"source\":\"aws.cloudwatch\",\"metricType\":\"T\"}");
	MATCH(p, "{\"source\":\"aws.cloudwatch\",\"metricName\":\"CPU\"}");
}

Test(or, inside_a_nested_object)
{
	const char *p = "{\"detail\":{\"$or\":[{\"c\":[{\"numeric\":[\">\","
			"0]}]},{\"d\":[{\"numeric\":[\"<\",10]}]}]}}";

	MATCH(p, "{\"detail\":{\"c\":1}}");
	MATCH(p, "{\"detail\":{\"d\":1}}");
	NO_MATCH(p, "{\"detail\":{\"c\":0,\"d\":10}}");
	NO_MATCH(p, "{\"c\":1}");
}

Test(or, at_two_levels_both_must_hold)
{
	const char *p = "{\"$or\":[{\"a\":[1]},{\"b\":[1]}],\"detail\":{"
			"\"$or\":[{\"x\":[1]},{\"y\":[1]}]}}";

	MATCH(p, "{\"a\":1,\"detail\":{\"y\":1}}");
	NO_MATCH(p, "{\"a\":1,\"detail\":{\"z\":1}}");
	NO_MATCH(p, "{\"c\":1,\"detail\":{\"x\":1}}");
}

Test(or, a_branch_holds_within_one_array_element)
{
	const char *p = "{\"e\":{\"$or\":[{\"a\":[1],\"b\":[1]},{\"c\":[1]}]}}";

	NO_MATCH(p, "{\"e\":[{\"a\":1},{\"b\":1}]}");
	MATCH(p, "{\"e\":[{\"a\":1},{\"a\":1,\"b\":1}]}");
}

Test(or, with_exists_false_in_a_branch)
{
	const char *p = "{\"$or\":[{\"a\":[{\"exists\":false}]},{\"a\":[2]}]}";

	MATCH(p, "{}");
	MATCH(p, "{\"a\":2}");
	NO_MATCH(p, "{\"a\":3}");
}

Test(or, combinations_multiply)
{
	struct event_pattern *p = compile_ok(
		"{\"$or\":[{\"a\":[1]},{\"b\":[1]}],\"detail\":{\"$or\":["
		"{\"x\":[1]},{\"y\":[1]},{\"z\":[1]}]}}");

	cr_assert_eq(event_pattern_combinations(p), 6);
	event_pattern_free(p);
	p = compile_ok("{\"a\":[1]}");
	cr_assert_eq(event_pattern_combinations(p), 1);
	event_pattern_free(p);
}

Test(or, nested_branches_add_up)
{
	struct event_pattern *p = compile_ok(
		"{\"$or\":[{\"a\":[1]},{\"$or\":[{\"b\":[1]},{\"c\":[1]}]}]}");

	cr_assert_eq(event_pattern_combinations(p), 3);
	event_pattern_free(p);
}

/* "$or" of n one-field branches, repeated at depth levels: n^depth. */
static char *or_power(int n, int depth)
{
	struct strbuf sb = STRBUF_INIT;
	int d, i;

	cr_assert_eq(strbuf_adds(&sb, "{"), 0);
	for (d = 0; d < depth; d++) {
		cr_assert_eq(strbuf_addf(&sb, "%s\"l%d\":{\"$or\":[",
					 d ? "," : "", d),
			     0);
		for (i = 0; i < n; i++)
			cr_assert_eq(strbuf_addf(&sb, "%s{\"f%d\":[%d]}",
						 i ? "," : "", i, i),
				     0);
		cr_assert_eq(strbuf_adds(&sb, "]}"), 0);
	}
	cr_assert_eq(strbuf_adds(&sb, "}"), 0);
	return sb.buf;
}

Test(or, a_thousand_combinations_are_allowed)
{
	char *text = or_power(10, 3);
	struct event_pattern *p = compile_ok(text);

	cr_assert_eq(event_pattern_combinations(p), 1000);
	event_pattern_free(p);
	free(text);
}

Test(or, more_than_a_thousand_are_refused)
{
	char *text = or_power(11, 3); /* 1331 */

	refused(text, "more than 1000 combinations");
	free(text);
	text = or_power(2, 10); /* 1024 */
	refused(text, "more than 1000 combinations");
	free(text);
}

Test(or, a_huge_product_does_not_overflow)
{
	char *text = or_power(40, 12); /* 40^12 overflows 32 bits */

	refused(text, "more than 1000 combinations");
	free(text);
}

/* ---- refused patterns ---- */

Test(refused, text_that_is_not_json)
{
	refused("{\"source\":[\"a\"]", "not JSON");
	refused("", "not JSON");
}

Test(refused, a_pattern_that_is_not_an_object)
{
	refused("[\"a\"]", "a pattern must be a JSON object");
	refused("\"source\"", "a pattern must be a JSON object");
}

Test(refused, the_empty_pattern)
{
	refused("{}", "at least one field");
}

Test(refused, an_empty_nested_object)
{
	refused("{\"detail\":{}}", "detail: an object must name at least one");
}

Test(refused, a_leaf_that_is_not_an_array)
{
	refused("{\"source\":\"aws.ec2\"}", "source: a leaf must be an array");
	refused("{\"detail\":{\"n\":5}}", "detail.n: a leaf must be an array");
	refused("{\"v\":null}", "v: a leaf must be an array");
	refused("{\"v\":true}", "v: a leaf must be an array");
}

Test(refused, an_empty_leaf)
{
	refused("{\"source\":[]}", "source: a leaf must list at least one");
}

Test(refused, an_array_inside_a_leaf)
{
	refused("{\"v\":[[\"a\"]]}", "v: a leaf's values are strings");
}

Test(refused, an_unknown_operator)
{
	refused("{\"detail\":{\"n\":[{\"foo\":1}]}}",
		"detail.n: unknown operator \"foo\"");
	refused("{\"v\":[{\"contains\":\"a\"}]}",
		"unknown operator \"contains\"");
}

Test(refused, an_operator_object_with_two_operators)
{
	refused("{\"v\":[{\"prefix\":\"a\",\"suffix\":\"b\"}]}",
		"v: an operator object holds exactly one operator");
}

Test(refused, an_empty_operator_object)
{
	refused("{\"v\":[{}]}", "v: an operator object holds exactly one");
}

Test(refused, prefix_and_suffix_need_strings)
{
	refused("{\"v\":[{\"prefix\":5}]}", "v: \"prefix\" needs a string");
	refused("{\"v\":[{\"suffix\":null}]}", "v: \"suffix\" needs a string");
	refused("{\"v\":[{\"prefix\":{\"equals-ignore-case\":1}}]}",
		"\"prefix\" needs a string");
	refused("{\"v\":[{\"prefix\":{\"wildcard\":\"a\"}}]}",
		"\"prefix\" needs a string");
}

Test(refused, equals_ignore_case_needs_a_string)
{
	refused("{\"v\":[{\"equals-ignore-case\":[\"a\"]}]}",
		"v: \"equals-ignore-case\" needs a string");
}

Test(refused, wildcard_needs_a_string)
{
	refused("{\"v\":[{\"wildcard\":1}]}", "v: \"wildcard\" needs a string");
}

Test(refused, consecutive_wildcard_stars)
{
	refused("{\"v\":[{\"wildcard\":\"a**b\"}]}",
		"v: \"wildcard\": consecutive '*'");
	refused("{\"v\":[{\"wildcard\":\"**\"}]}", "consecutive '*'");
}

Test(refused, a_backslash_escaping_anything_else)
{
	refused("{\"v\":[{\"wildcard\":\"a\\\\b\"}]}",
		"v: \"wildcard\": '\\' must be followed by '*' or '\\'");
	refused("{\"v\":[{\"wildcard\":\"ab\\\\\"}]}", "must be followed by");
}

Test(refused, an_escaped_star_beside_a_star_is_allowed)
{
	struct event_pattern *p =
		compile_ok("{\"v\":[{\"wildcard\":\"*\\\\**\"}]}");

	event_pattern_free(p);
	MATCH("{\"v\":[{\"wildcard\":\"*\\\\**\"}]}", "{\"v\":\"a*b\"}");
	NO_MATCH("{\"v\":[{\"wildcard\":\"*\\\\**\"}]}", "{\"v\":\"ab\"}");
}

Test(refused, numeric_without_an_operator_and_a_number)
{
	refused("{\"detail\":{\"x\":[{\"numeric\":[]}]}}",
		"detail.x: \"numeric\" needs an operator and a number");
	refused("{\"x\":[{\"numeric\":[\">\"]}]}", "needs an operator and");
	refused("{\"x\":[{\"numeric\":5}]}", "needs an operator and");
	refused("{\"x\":[{\"numeric\":[\">\",\"5\"]}]}", "needs an operator");
	refused("{\"x\":[{\"numeric\":[5,\">\"]}]}", "needs an operator");
	refused("{\"x\":[{\"numeric\":[\">\",1,\"<\",5,\"<\",6]}]}",
		"needs an operator");
}

Test(refused, numeric_with_an_unknown_operator)
{
	refused("{\"detail\":{\"n\":[{\"numeric\":[\"=>\",5]}]}}",
		"detail.n: \"numeric\": unknown operator \"=>\"");
	refused("{\"n\":[{\"numeric\":[\"!=\",5]}]}",
		"unknown operator \"!=\"");
}

Test(refused, numeric_with_two_lower_or_upper_bounds)
{
	refused("{\"n\":[{\"numeric\":[\">\",0,\">=\",5]}]}",
		"more than one lower bound");
	refused("{\"n\":[{\"numeric\":[\"<\",0,\"<=\",5]}]}",
		"more than one upper bound");
}

Test(refused, numeric_equals_with_another_bound)
{
	refused("{\"n\":[{\"numeric\":[\"=\",1,\"<\",5]}]}",
		"\"=\" takes no other bound");
	refused("{\"n\":[{\"numeric\":[\">\",0,\"=\",5]}]}",
		"\"=\" takes no other bound");
}

Test(refused, a_numeric_range_no_number_satisfies)
{
	refused("{\"n\":[{\"numeric\":[\">\",5,\"<\",3]}]}",
		"n: \"numeric\": no number is > 5 and < 3");
	refused("{\"n\":[{\"numeric\":[\">\",5,\"<=\",5]}]}", "no number is");
}

Test(refused, exists_needs_a_boolean)
{
	refused("{\"v\":[{\"exists\":\"true\"}]}",
		"v: \"exists\" needs true or false");
	refused("{\"v\":[{\"exists\":1}]}", "\"exists\" needs true or false");
}

Test(refused, cidr_without_a_prefix_length)
{
	refused("{\"ip\":[{\"cidr\":\"10.0.0.0\"}]}",
		"ip: \"cidr\" needs an IP address and a prefix length");
	refused("{\"ip\":[{\"cidr\":\"10.0.0.0/\"}]}", "prefix length");
	refused("{\"ip\":[{\"cidr\":\"10.0.0.0/-1\"}]}", "prefix length");
	refused("{\"ip\":[{\"cidr\":24}]}", "\"cidr\" needs an IP address");
}

Test(refused, cidr_with_a_bad_address)
{
	refused("{\"ip\":[{\"cidr\":\"10.0.0/8\"}]}",
		"\"cidr\": \"10.0.0\" is not an IP address");
	refused("{\"ip\":[{\"cidr\":\"2001:db8::g/32\"}]}",
		"is not an IP address");
}

Test(refused, cidr_with_too_long_a_prefix)
{
	refused("{\"ip\":[{\"cidr\":\"10.0.0.0/33\"}]}",
		"the prefix length must be 0 to 32, not \"33\"");
	refused("{\"ip\":[{\"cidr\":\"::/129\"}]}", "must be 0 to 128");
	refused("{\"ip\":[{\"cidr\":\"10.0.0.0/8x\"}]}", "not \"8x\"");
}

Test(refused, anything_but_mixing_strings_and_numbers)
{
	refused("{\"v\":[{\"anything-but\":[\"a\",1]}]}",
		"v: \"anything-but\": a list must hold only strings or only "
		"numbers");
}

Test(refused, anything_but_with_an_empty_list)
{
	refused("{\"v\":[{\"anything-but\":[]}]}", "the list is empty");
	refused("{\"v\":[{\"anything-but\":{\"prefix\":[]}}]}", "lists no "
								"string");
}

Test(refused, anything_but_with_a_boolean_or_null)
{
	refused("{\"v\":[{\"anything-but\":true}]}",
		"\"anything-but\" needs a string, a number");
	refused("{\"v\":[{\"anything-but\":[null]}]}",
		"\"anything-but\" needs a string");
}

Test(refused, anything_but_with_an_empty_prefix_or_suffix)
{
	refused("{\"v\":[{\"anything-but\":{\"prefix\":\"\"}}]}",
		"\"anything-but\": \"prefix\" needs a non-empty string");
	refused("{\"v\":[{\"anything-but\":{\"suffix\":\"\"}}]}",
		"\"suffix\" needs a non-empty string");
}

Test(refused, anything_but_with_an_operator_it_does_not_take)
{
	refused("{\"v\":[{\"anything-but\":{\"numeric\":[\">\",1]}}]}",
		"\"anything-but\" needs");
	refused("{\"v\":[{\"anything-but\":{\"prefix\":\"a\",\"suffix\":"
		"\"b\"}}]}",
		"\"anything-but\" needs");
	refused("{\"v\":[{\"anything-but\":{\"prefix\":5}}]}",
		"\"prefix\" takes strings only");
}

Test(refused, anything_but_with_a_bad_wildcard)
{
	refused("{\"v\":[{\"anything-but\":{\"wildcard\":\"a**\"}}]}",
		"consecutive '*'");
}

Test(refused, or_that_is_not_an_array)
{
	refused("{\"$or\":{\"a\":[1]}}",
		"$or: needs an array of at least two objects");
}

Test(refused, or_with_one_branch)
{
	refused("{\"detail\":{\"$or\":[{\"a\":[1]}]}}",
		"detail.$or: needs an array of at least two objects");
}

Test(refused, or_with_a_branch_that_is_not_an_object)
{
	refused("{\"$or\":[{\"a\":[1]},[\"b\"]]}",
		"$or[1]: a $or branch must be an object");
}

Test(refused, or_with_an_empty_branch)
{
	refused("{\"$or\":[{\"a\":[1]},{}]}", "$or[1]: an object must name");
}

Test(refused, an_operator_name_as_a_field_inside_or)
{
	refused("{\"$or\":[{\"numeric\":[123]},{\"prefix\":[\"abc\"]}]}",
		"$or[0].numeric: \"numeric\" is an operator");
}

Test(refused, an_operator_name_is_a_field_outside_or)
{
	MATCH("{\"detail\":{\"prefix\":[\"a\"]}}",
	      "{\"detail\":{\"prefix\":\"a\"}}");
}

Test(refused, the_path_runs_through_or_branches)
{
	refused("{\"detail\":{\"$or\":[{\"a\":[1]},{\"b\":{\"c\":[{\"numeric\":"
		"[]}]}}]}}",
		"detail.$or[1].b.c: \"numeric\" needs an operator");
}

Test(refused, duplicate_keys)
{
	refused("{\"source\":[\"a\"],\"source\":[\"b\"]}", "not JSON");
}

Test(refused, a_bad_value_late_in_a_leaf)
{
	refused("{\"v\":[\"a\",1,{\"prefix\":\"x\"},{\"exists\":null}]}",
		"v: \"exists\" needs true or false");
}

Test(refused, compile_json_refuses_the_same)
{
	json_t *j = json_pack("{s:s}", "source", "aws.ec2");
	struct event_pattern *p = NULL;
	struct err err = {""};

	cr_assert_eq(event_pattern_compile_json(j, &p, &err), -EINVAL);
	cr_assert(strstr(err.msg, "source: a leaf must be an array"), "%s",
		  err.msg);
	json_decref(j);
	j = json_array();
	cr_assert_eq(event_pattern_compile_json(j, &p, &err), -EINVAL);
	cr_assert_null(p);
	json_decref(j);
}

Test(refused, compile_json_accepts_an_object)
{
	json_t *j = json_pack("{s:[s]}", "source", "aws.ec2");
	json_t *e = json_pack("{s:s}", "source", "aws.ec2");
	struct event_pattern *p = NULL;
	struct err err = {""};

	cr_assert_eq(event_pattern_compile_json(j, &p, &err), 0, "%s", err.msg);
	json_decref(j); /* the compiled pattern keeps nothing of it */
	cr_assert(event_pattern_match(p, e));
	event_pattern_free(p);
	json_decref(e);
}

/* ---- the ruler ---- */

struct collected {
	int64_t ids[4096];
	size_t n;
};

static int collect(int64_t id, void *arg)
{
	struct collected *c = arg;

	cr_assert_lt(c->n, sizeof(c->ids) / sizeof(c->ids[0]));
	c->ids[c->n++] = id;
	return 0;
}

static void add_ok(struct event_ruler *r, int64_t id, const char *pattern)
{
	struct err err = {""};

	cr_assert_eq(event_ruler_add(r, id, compile_ok(pattern), &err), 0, "%s",
		     err.msg);
}

static struct collected match_ids(const struct event_ruler *r,
				  const char *event)
{
	struct collected c = {.n = 0};
	json_t *e = event_of(event);

	cr_assert_eq(event_ruler_match(r, e, collect, &c), 0);
	json_decref(e);
	return c;
}

Test(ruler, an_empty_ruler_matches_nothing)
{
	struct event_ruler *r = event_ruler_new();
	struct collected c = match_ids(r, "{\"source\":\"a\"}");

	cr_assert_eq(c.n, 0);
	cr_assert_eq(event_ruler_count(r), 0);
	event_ruler_free(r);
}

Test(ruler, reports_each_matching_pattern_in_id_order)
{
	struct event_ruler *r = event_ruler_new();
	struct collected c;

	add_ok(r, 30, "{\"source\":[\"a\"]}");
	add_ok(r, 10, "{\"source\":[{\"prefix\":\"a\"}]}");
	add_ok(r, 20, "{\"source\":[\"b\"]}");
	add_ok(r, -5, "{\"detail\":{\"x\":[{\"exists\":false}]}}");
	c = match_ids(r, "{\"source\":\"a\"}");
	cr_assert_eq(c.n, 3);
	cr_assert_eq(c.ids[0], -5);
	cr_assert_eq(c.ids[1], 10);
	cr_assert_eq(c.ids[2], 30);
	event_ruler_free(r);
}

Test(ruler, a_pattern_hit_by_several_keys_is_reported_once)
{
	struct event_ruler *r = event_ruler_new();
	struct collected c;

	add_ok(r, 1, "{\"v\":[\"a\",\"b\",\"c\"]}");
	add_ok(r, 2, "{\"$or\":[{\"v\":[\"a\"]},{\"w\":[\"a\"]}]}");
	c = match_ids(r, "{\"v\":[\"a\",\"b\",\"c\",\"a\"],\"w\":\"a\"}");
	cr_assert_eq(c.n, 2);
	cr_assert_eq(c.ids[0], 1);
	cr_assert_eq(c.ids[1], 2);
	event_ruler_free(r);
}

Test(ruler, remove_takes_a_pattern_out)
{
	struct event_ruler *r = event_ruler_new();
	struct collected c;

	add_ok(r, 1, "{\"source\":[\"a\"]}");
	add_ok(r, 2, "{\"source\":[\"a\"]}");
	cr_assert_eq(event_ruler_remove(r, 1), 0);
	c = match_ids(r, "{\"source\":\"a\"}");
	cr_assert_eq(c.n, 1);
	cr_assert_eq(c.ids[0], 2);
	cr_assert_eq(event_ruler_count(r), 1);
	cr_assert_eq(event_ruler_remove(r, 2), 0);
	c = match_ids(r, "{\"source\":\"a\"}");
	cr_assert_eq(c.n, 0);
	event_ruler_free(r);
}

Test(ruler, removing_an_unknown_id_is_enoent)
{
	struct event_ruler *r = event_ruler_new();

	cr_assert_eq(event_ruler_remove(r, 1), -ENOENT);
	add_ok(r, 1, "{\"source\":[\"a\"]}");
	cr_assert_eq(event_ruler_remove(r, 2), -ENOENT);
	cr_assert_eq(event_ruler_remove(r, 1), 0);
	cr_assert_eq(event_ruler_remove(r, 1), -ENOENT);
	event_ruler_free(r);
}

Test(ruler, a_duplicate_id_is_eexist_and_the_caller_keeps_the_pattern)
{
	struct event_ruler *r = event_ruler_new();
	struct event_pattern *p = compile_ok("{\"source\":[\"b\"]}");
	struct err err = {""};
	struct collected c;

	add_ok(r, 1, "{\"source\":[\"a\"]}");
	cr_assert_eq(event_ruler_add(r, 1, p, &err), -EEXIST);
	cr_assert(strstr(err.msg, "id 1"), "%s", err.msg);
	c = match_ids(r, "{\"source\":\"b\"}");
	cr_assert_eq(c.n, 0);
	event_pattern_free(p);
	event_ruler_free(r);
}

Test(ruler, an_id_may_be_added_again_after_removal)
{
	struct event_ruler *r = event_ruler_new();
	struct collected c;

	add_ok(r, 1, "{\"source\":[\"a\"]}");
	cr_assert_eq(event_ruler_remove(r, 1), 0);
	add_ok(r, 1, "{\"source\":[\"b\"]}");
	c = match_ids(r, "{\"source\":\"a\"}");
	cr_assert_eq(c.n, 0);
	c = match_ids(r, "{\"source\":\"b\"}");
	cr_assert_eq(c.n, 1);
	event_ruler_free(r);
}

static int stop_at_first(int64_t id, void *arg)
{
	int *calls = arg;

	(*calls)++;
	return id == 1 ? 42 : 0;
}

Test(ruler, a_callback_can_stop_the_match)
{
	struct event_ruler *r = event_ruler_new();
	json_t *e = event_of("{\"source\":\"a\"}");
	int calls = 0;

	add_ok(r, 1, "{\"source\":[\"a\"]}");
	add_ok(r, 2, "{\"source\":[\"a\"]}");
	cr_assert_eq(event_ruler_match(r, e, stop_at_first, &calls), 42);
	cr_assert_eq(calls, 1);
	json_decref(e);
	event_ruler_free(r);
}

Test(ruler, only_patterns_no_key_can_index_are_unindexed)
{
	struct event_ruler *r = event_ruler_new();

	add_ok(r, 1, "{\"source\":[\"a\"]}");
	add_ok(r, 2, "{\"detail\":{\"n\":[{\"numeric\":[\">\",1]}]}}");
	add_ok(r, 3, "{\"$or\":[{\"a\":[1]},{\"b\":[{\"prefix\":\"x\"}]}]}");
	add_ok(r, 4, "{\"v\":[{\"exists\":false}]}");
	add_ok(r, 5, "{\"$or\":[{\"a\":[1]},{\"b\":[{\"exists\":false}]}]}");
	cr_assert_eq(event_ruler_count(r), 5);
	cr_assert_eq(event_ruler_unindexed(r), 2);
	cr_assert_eq(event_ruler_remove(r, 4), 0);
	cr_assert_eq(event_ruler_unindexed(r), 1);
	event_ruler_free(r);
}

Test(ruler, a_non_object_event_reaches_only_absence_patterns)
{
	struct event_ruler *r = event_ruler_new();
	struct collected c;

	add_ok(r, 1, "{\"source\":[\"a\"]}");
	add_ok(r, 2, "{\"v\":[{\"exists\":false}]}");
	c = match_ids(r, "[\"a\"]");
	cr_assert_eq(c.n, 1);
	cr_assert_eq(c.ids[0], 2);
	event_ruler_free(r);
}

/* ---- the ruler against each pattern alone, over many ---- */

static uint64_t rng_state;

static unsigned rnd(unsigned n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rng_state >> 33) % n);
}

static const char *const SOURCES[] = {"aws.cloudwatch", "aws.events",
				      "aws.logs", "aws.cloudtrail", "app.x"};
static const char *const STATES[] = {"OK", "ALARM", "INSUFFICIENT_DATA"};

/* A random leaf over the event fields random_event makes. */
static void random_leaf(struct strbuf *sb)
{
	int rc = 0;

	switch (rnd(12)) {
	case 0:
		rc = strbuf_addf(sb, "[\"%s\"]", STATES[rnd(3)]);
		break;
	case 1:
		rc = strbuf_addf(sb, "[\"%s\",\"%s\"]", STATES[rnd(3)],
				 STATES[rnd(3)]);
		break;
	case 2:
		rc = strbuf_addf(sb, "[{\"prefix\":\"%.*s\"}]", (int)rnd(3),
				 STATES[rnd(3)]);
		break;
	case 3:
		rc = strbuf_addf(sb, "[{\"anything-but\":\"%s\"}]",
				 STATES[rnd(3)]);
		break;
	case 4:
		rc = strbuf_addf(sb, "[{\"exists\":%s}]",
				 rnd(2) ? "true" : "false");
		break;
	case 5:
		rc = strbuf_addf(sb, "[{\"numeric\":[\">\",%u,\"<=\",%u]}]",
				 rnd(5), 5 + rnd(5));
		break;
	case 6:
		rc = strbuf_addf(sb, "[%u,%u]", rnd(10), rnd(10));
		break;
	case 7:
		rc = strbuf_addf(sb, "[{\"wildcard\":\"*%c*\"}]",
				 "AOLI"[rnd(4)]);
		break;
	case 8:
		rc = strbuf_addf(sb, "[{\"equals-ignore-case\":\"ok\"}]");
		break;
	case 9:
		rc = strbuf_addf(sb, "[{\"suffix\":\"%s\"}]",
				 rnd(2) ? "M" : "A");
		break;
	case 10:
		rc = strbuf_addf(sb, "[{\"cidr\":\"10.0.%u.0/24\"}]", rnd(3));
		break;
	default:
		rc = strbuf_addf(sb, "[null,true]");
		break;
	}
	cr_assert_eq(rc, 0);
}

/* One random field: the fields random_event fills, sometimes a $or. */
static void random_field(struct strbuf *sb, int depth)
{
	static const char *const NAMES[] = {"a", "b", "n", "ip", "s"};

	if (depth < 2 && rnd(6) == 0) {
		cr_assert_eq(strbuf_adds(sb, "\"$or\":[{"), 0);
		random_field(sb, depth + 1);
		cr_assert_eq(strbuf_adds(sb, "},{"), 0);
		random_field(sb, depth + 1);
		cr_assert_eq(strbuf_adds(sb, "}]"), 0);
		return;
	}
	if (depth < 2 && rnd(4) == 0) {
		cr_assert_eq(strbuf_addf(sb, "\"%s\":{", rnd(2) ? "x" : "y"),
			     0);
		random_field(sb, depth + 1);
		cr_assert_eq(strbuf_adds(sb, "}"), 0);
		return;
	}
	cr_assert_eq(strbuf_addf(sb, "\"%s\":", NAMES[rnd(5)]), 0);
	random_leaf(sb);
}

static char *random_pattern_once(void)
{
	struct strbuf sb = STRBUF_INIT;

	cr_assert_eq(strbuf_addf(&sb, "{\"source\":[\"%s\"],\"detail\":{",
				 SOURCES[rnd(5)]),
		     0);
	if (rnd(3) == 0) { /* no source: these index by detail alone */
		strbuf_reset(&sb);
		cr_assert_eq(strbuf_adds(&sb, "{\"detail\":{"), 0);
	}
	random_field(&sb, 0);
	if (rnd(2)) {
		cr_assert_eq(strbuf_adds(&sb, ","), 0);
		random_field(&sb, 1);
	}
	cr_assert_eq(strbuf_adds(&sb, "}}"), 0);
	return sb.buf;
}

/* A random pattern without a key twice in one object. */
static char *random_pattern(void)
{
	for (;;) {
		char *text = random_pattern_once();
		json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, NULL);

		if (j) {
			json_decref(j);
			return text;
		}
		free(text);
	}
}

/* A random scalar value for a detail field, sometimes missing. */
static void random_value(struct strbuf *sb, const char *name)
{
	int rc;

	switch (rnd(7)) {
	case 0:
		return;
	case 1:
		rc = strbuf_addf(sb, ",\"%s\":%u", name, rnd(12));
		break;
	case 2:
		rc = strbuf_addf(sb, ",\"%s\":[\"%s\",%u]", name,
				 STATES[rnd(3)], rnd(12));
		break;
	case 3:
		rc = strbuf_addf(sb, ",\"%s\":\"10.0.%u.%u\"", name, rnd(4),
				 rnd(256));
		break;
	case 4:
		rc = strbuf_addf(sb, ",\"%s\":%s", name,
				 rnd(2) ? "null" : "true");
		break;
	default:
		rc = strbuf_addf(sb, ",\"%s\":\"%s\"", name, STATES[rnd(3)]);
		break;
	}
	cr_assert_eq(rc, 0);
}

static void random_object(struct strbuf *sb, int depth)
{
	static const char *const NAMES[] = {"a", "b", "n", "ip", "s"};
	size_t i;

	cr_assert_eq(strbuf_adds(sb, "{\"_\":0"), 0);
	for (i = 0; i < 5; i++)
		random_value(sb, NAMES[i]);
	if (depth < 2 && rnd(2)) {
		cr_assert_eq(strbuf_adds(sb, ",\"x\":"), 0);
		if (rnd(3) == 0) {
			cr_assert_eq(strbuf_adds(sb, "["), 0);
			random_object(sb, depth + 1);
			cr_assert_eq(strbuf_adds(sb, ","), 0);
			random_object(sb, depth + 1);
			cr_assert_eq(strbuf_adds(sb, "]"), 0);
		} else {
			random_object(sb, depth + 1);
		}
	}
	cr_assert_eq(strbuf_adds(sb, "}"), 0);
}

static json_t *random_event(void)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *e;

	cr_assert_eq(strbuf_addf(&sb, "{\"source\":\"%s\",\"detail\":",
				 SOURCES[rnd(5)]),
		     0);
	random_object(&sb, 0);
	cr_assert_eq(strbuf_adds(&sb, "}"), 0);
	e = event_of(sb.buf);
	strbuf_release(&sb);
	return e;
}

#define CROSS_PATTERNS 1000
#define CROSS_EVENTS 2000

Test(ruler, matches_what_each_pattern_alone_matches)
{
	static struct event_pattern *alone[CROSS_PATTERNS];
	struct event_ruler *r = event_ruler_new();
	size_t i, j, total = 0;

	rng_state = 19; /* fixed: a failure reproduces */
	for (i = 0; i < CROSS_PATTERNS; i++) {
		char *text = random_pattern();

		alone[i] = compile_ok(text);
		add_ok(r, (int64_t)i, text);
		free(text);
	}
	/* Remove a tenth, so that removal is checked under load too. */
	for (i = 0; i < CROSS_PATTERNS; i += 10)
		cr_assert_eq(event_ruler_remove(r, (int64_t)i), 0);
	cr_assert_lt(event_ruler_unindexed(r), CROSS_PATTERNS / 10,
		     "%zu unindexed", event_ruler_unindexed(r));
	for (j = 0; j < CROSS_EVENTS; j++) {
		json_t *e = random_event();
		struct collected c = {.n = 0};
		size_t k = 0;

		cr_assert_eq(event_ruler_match(r, e, collect, &c), 0);
		for (i = 0; i < CROSS_PATTERNS; i++) {
			if (i % 10 == 0 || !event_pattern_match(alone[i], e))
				continue;
			cr_assert_lt(k, c.n, "event %zu: pattern %zu missed", j,
				     i);
			cr_assert_eq(c.ids[k], (int64_t)i,
				     "event %zu: got %lld, want %zu", j,
				     (long long)c.ids[k], i);
			k++;
		}
		cr_assert_eq(k, c.n, "event %zu: %zu extra", j, c.n - k);
		total += k;
		json_decref(e);
	}
	cr_assert_gt(total, CROSS_EVENTS, "too few matches to mean much");
	for (i = 0; i < CROSS_PATTERNS; i++)
		event_pattern_free(alone[i]);
	event_ruler_free(r);
}

Test(ruler, a_thousand_alarm_rules_each_reach_their_own_alarm)
{
	struct event_ruler *r = event_ruler_new();
	char pattern[256], event[512];
	struct collected c;
	int i;

	for (i = 0; i < 1000; i++) {
		snprintf(pattern, sizeof(pattern),
			 "{\"source\":[\"aws.cloudwatch\"],\"detail-type\":"
			 "[\"CloudWatch Alarm State Change\"],\"detail\":{"
			 "\"alarmName\":[\"alarm-%d\"],\"state\":{\"value\":"
			 "[\"ALARM\"]}}}",
			 i);
		add_ok(r, i, pattern);
	}
	cr_assert_eq(event_ruler_unindexed(r), 0);
	for (i = 0; i < 1000; i += 37) {
		snprintf(event, sizeof(event),
			 "{\"source\":\"aws.cloudwatch\",\"detail-type\":"
			 "\"CloudWatch Alarm State Change\",\"detail\":{"
			 "\"alarmName\":\"alarm-%d\",\"state\":{\"value\":"
			 "\"%s\"}}}",
			 i, i % 2 ? "ALARM" : "OK");
		c = match_ids(r, event);
		cr_assert_eq(c.n, (size_t)(i % 2), "alarm-%d: %zu", i, c.n);
		if (c.n)
			cr_assert_eq(c.ids[0], i);
	}
	event_ruler_free(r);
}

Test(ruler, removing_every_pattern_empties_the_index)
{
	struct event_ruler *r = event_ruler_new();
	char pattern[64];
	struct collected c;
	int i;

	for (i = 0; i < 500; i++) {
		snprintf(pattern, sizeof(pattern), "{\"v\":[\"%d\",%d]}", i % 7,
			 i);
		add_ok(r, i, pattern);
	}
	for (i = 499; i >= 0; i -= 2)
		cr_assert_eq(event_ruler_remove(r, i), 0);
	c = match_ids(r, "{\"v\":[\"3\",4]}");
	for (i = 0; (size_t)i < c.n; i++)
		cr_assert_eq(c.ids[i] % 2, 0);
	for (i = 0; i < 500; i += 2)
		cr_assert_eq(event_ruler_remove(r, i), 0);
	cr_assert_eq(event_ruler_count(r), 0);
	c = match_ids(r, "{\"v\":[\"3\",4]}");
	cr_assert_eq(c.n, 0);
	event_ruler_free(r);
}

Test(ruler, affix_keys_agree_with_the_matcher)
{
	static const char *const PATTERNS[] = {
		"{\"v\":[{\"prefix\":"
		"\"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopq"
		"rstuvwxyzabcdefghijklmnop\"}]}",
		"{\"v\":[{\"suffix\":{\"equals-ignore-case\":\".PNG\"}}]}",
		"{\"v\":[{\"prefix\":{\"equals-ignore-case\":\"Web-\"}}]}",
		"{\"v\":[{\"equals-ignore-case\":\"AbC\"}]}",
		"{\"v\":[{\"wildcard\":\"ab*yz\"}]}",
		"{\"v\":[{\"wildcard\":\"*.tar.gz\"}]}",
		"{\"v\":[{\"wildcard\":\"*mid*\"}]}",
		"{\"v\":[{\"prefix\":\"\"}]}",
	};
	static const char *const EVENTS[] = {
		"{\"v\":"
		"\"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzab"
		"cdefghijklmnopqrstuvwxyz\"}",
		"{\"v\":"
		"\"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzab"
		"cdefghijklmnoX\"}",
		"{\"v\":\"image.png\"}",
		"{\"v\":\"WEB-1\"}",
		"{\"v\":\"abc\"}",
		"{\"v\":\"ab-yz\"}",
		"{\"v\":\"a.tar.gz\"}",
		"{\"v\":\"x-mid-y\"}",
		"{\"v\":\"\"}",
		"{\"v\":[\"ABC\",\"web-\"]}",
	};
	struct event_ruler *r = event_ruler_new();
	struct event_pattern *alone[ARRAY_COUNT(PATTERNS)];
	size_t i, j;

	for (i = 0; i < ARRAY_COUNT(PATTERNS); i++) {
		alone[i] = compile_ok(PATTERNS[i]);
		add_ok(r, (int64_t)i, PATTERNS[i]);
	}
	cr_assert_eq(event_ruler_unindexed(r), 0);
	for (j = 0; j < ARRAY_COUNT(EVENTS); j++) {
		struct collected c = match_ids(r, EVENTS[j]);
		json_t *e = event_of(EVENTS[j]);
		size_t k = 0;

		for (i = 0; i < ARRAY_COUNT(PATTERNS); i++)
			if (event_pattern_match(alone[i], e)) {
				cr_assert_lt(k, c.n, "%s: %zu missed",
					     EVENTS[j], i);
				cr_assert_eq(c.ids[k++], (int64_t)i);
			}
		cr_assert_eq(k, c.n, "%s: extra matches", EVENTS[j]);
		json_decref(e);
	}
	for (i = 0; i < ARRAY_COUNT(PATTERNS); i++)
		event_pattern_free(alone[i]);
	event_ruler_free(r);
}

Test(ruler, a_thousand_prefix_rules_each_reach_their_own_names)
{
	struct event_ruler *r = event_ruler_new();
	char pattern[160], event[128];
	struct collected c;
	int i;

	for (i = 0; i < 1000; i++) {
		snprintf(pattern, sizeof(pattern),
			 "{\"source\":[\"aws.cloudwatch\"],\"detail\":{"
			 "\"alarmName\":[{\"prefix\":\"web-%d-\"}]}}",
			 i);
		add_ok(r, i, pattern);
	}
	for (i = 0; i < 1000; i += 41) {
		snprintf(event, sizeof(event),
			 "{\"source\":\"aws.cloudwatch\",\"detail\":{"
			 "\"alarmName\":\"web-%d-cpu\"}}",
			 i);
		c = match_ids(r, event);
		cr_assert_eq(c.n, 1, "web-%d: %zu", i, c.n);
		cr_assert_eq(c.ids[0], i);
	}
	event_ruler_free(r);
}
