/*
 * Unit tests for lib/alarm_rule.c: the rule language of composite alarms
 * (SPEC 12) as CloudWatch has it — what parses, what each refusal says
 * and where, the limits, and what a rule decides and says about it.
 */
#include "lib/alarm.h"
#include "lib/alarm_rule.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct alarm_rule *parse_ok(const char *text)
{
	struct alarm_rule *r = NULL;
	struct err err = {""};
	int rc = alarm_rule_parse(text, strlen(text), &r, &err);

	cr_assert_eq(rc, 0, "refused (%d, \"%s\"): %s", rc, err.msg, text);
	cr_assert_not_null(r);
	return r;
}

/* text is refused with EINVAL, and its message holds needle. */
static void expect_refused(const char *text, const char *needle)
{
	struct alarm_rule *r = (struct alarm_rule *)&r;
	struct err err = {""};
	int rc = alarm_rule_parse(text, strlen(text), &r, &err);

	cr_assert_eq(rc, -EINVAL, "not refused (%d): %s", rc, text);
	cr_assert(strstr(err.msg, needle), "message \"%s\" lacks \"%s\"",
		  err.msg, needle);
	cr_assert_eq(r, (struct alarm_rule *)&r, "a refusal set *out");
}

/* The names a rule gives, joined by '|'. */
static void expect_names(const char *text, const char *joined)
{
	struct alarm_rule *r = parse_ok(text);
	char got[4096] = "";
	size_t i, used = 0;

	for (i = 0; i < alarm_rule_name_count(r); i++)
		used += (size_t)snprintf(got + used, sizeof(got) - used, "%s%s",
					 i ? "|" : "", alarm_rule_name(r, i));
	cr_assert_str_eq(got, joined, "names of %s", text);
	alarm_rule_free(r);
}

/* A world of alarms: names[i] is in states[i]; calls counted. */
struct world {
	const char *names[8];
	int states[8];
	int calls;
	int fail; /* if not 0, what state_of returns */
};

static int state_of(const char *name, void *ctx)
{
	struct world *w = ctx;
	size_t i;

	w->calls++;
	if (w->fail)
		return w->fail;
	for (i = 0; i < 8 && w->names[i]; i++)
		if (!strcmp(w->names[i], name))
			return w->states[i];
	cr_assert_fail("state_of asked for an alarm the rule does not name: %s",
		       name);
	return -1;
}

/* The rule's value in w; its reason into reason (malloc'ed) if not NULL. */
static bool eval(const char *text, struct world *w, char **reason)
{
	struct alarm_rule *r = parse_ok(text);
	struct strbuf sb = STRBUF_INIT;
	bool value = false;
	int rc = alarm_rule_evaluate(r, state_of, w, &value, &sb);

	cr_assert_eq(rc, 0, "evaluation of %s failed: %d", text, rc);
	cr_assert_not_null(sb.buf);
	if (reason)
		*reason = sb.buf;
	else
		strbuf_release(&sb);
	alarm_rule_free(r);
	return value;
}

static bool constant(const char *text)
{
	struct world w = {{NULL}, {0}, 0, 0};

	return eval(text, &w, NULL);
}

static void expect_reason(const char *text, struct world *w, const char *want)
{
	char *reason;

	eval(text, w, &reason);
	cr_assert_str_eq(reason, want, "reason of %s", text);
	free(reason);
}

/* ---- what parses ---- */

Test(parsing, the_spec_example_names_its_three_alarms)
{
	expect_names("ALARM(cpu-high) AND (ALARM(disk-full) OR NOT"
		     " OK(db-latency))",
		     "cpu-high|disk-full|db-latency");
}

Test(parsing, each_alarm_is_named_once_in_first_appearance_order)
{
	expect_names("OK(b) OR ALARM(a) OR INSUFFICIENT_DATA(b) OR ALARM(a)",
		     "b|a");
}

Test(parsing, a_rule_of_constants_names_no_alarm)
{
	expect_names("TRUE", "");
	expect_names("FALSE OR NOT TRUE", "");
}

Test(parsing, blanks_are_optional_between_tokens_and_allowed_anywhere)
{
	expect_names("ALARM(a)AND(OK(b))OR NOT(TRUE)", "a|b");
	expect_names(" \t\r\nALARM \t( a )\n\tAND\r\nOK\n(\nb\n)\n ", "a|b");
}

Test(parsing, a_bare_name_runs_to_the_parenthesis_and_is_trimmed)
{
	expect_names("ALARM(  cpu high  )", "cpu high");
	expect_names("ALARM(a,b:c/d=e)", "a,b:c/d=e");
	expect_names("OK(\xc3\xa9t\xc3\xa9)", "\xc3\xa9t\xc3\xa9");
}

Test(parsing, a_quoted_name_may_hold_parentheses_quotes_and_backslashes)
{
	expect_names("ALARM(\"cpu high\")", "cpu high");
	expect_names("ALARM(\"a (b)\")", "a (b)");
	expect_names("ALARM(\"say \\\"hi\\\"\")", "say \"hi\"");
	expect_names("ALARM(\"a\\\\b\")", "a\\b");
	expect_names("ALARM(\"a\\b\")", "a\\b");
	expect_names("ALARM( \"x\" ) OR OK(\"AND\")", "x|AND");
}

Test(parsing, a_quoted_and_a_bare_name_are_the_same_alarm)
{
	expect_names("ALARM(\"cpu\") OR OK(cpu)", "cpu");
}

Test(parsing, an_alarm_arn_means_its_name)
{
	expect_names("ALARM(arn:aws:cloudwatch:us-east-1:123456789012:alarm:"
		     "cpu-high)",
		     "cpu-high");
	expect_names("ALARM(\"arn:aws:cloudwatch:eu-west-1:123456789012:"
		     "alarm:a:b (c)\")",
		     "a:b (c)");
	expect_names("ALARM(arn:aws-cn:cloudwatch:cn-north-1:1:alarm:x)", "x");
	expect_names("ALARM(x) OR OK(arn:aws:cloudwatch:r:1:alarm:x)", "x");
}

Test(parsing, nesting_is_as_deep_as_the_length_allows)
{
	static char text[ALARM_RULE_MAX_BYTES + 1];
	size_t depth = (ALARM_RULE_MAX_BYTES - 4) / 2, i;

	for (i = 0; i < depth; i++) {
		text[i] = '(';
		text[depth + 4 + i] = ')';
	}
	memcpy(text + depth, "TRUE", 4);
	cr_assert(constant(text));
	memset(text, 0, sizeof(text));
	for (i = 0; i + 4 <= ALARM_RULE_MAX_BYTES - 5; i += 4)
		memcpy(text + i, "NOT ", 4);
	memcpy(text + i, "FALSE", 5);
	cr_assert_eq(constant(text), (i / 4) % 2 == 1);
}

/* ---- limits ---- */

/* "ALARM(a000) OR ALARM(a001) OR ..." naming n alarms. */
static char *naming(size_t n)
{
	static char text[ALARM_RULE_MAX_BYTES];
	size_t used = 0, i;

	text[0] = '\0';
	for (i = 0; i < n; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used,
					 "%sALARM(a%03zu)", i ? " OR " : "", i);
	return text;
}

Test(limits, a_rule_may_name_100_alarms)
{
	struct alarm_rule *r = parse_ok(naming(100));

	cr_assert_eq(alarm_rule_name_count(r), 100);
	cr_assert_str_eq(alarm_rule_name(r, 99), "a099");
	alarm_rule_free(r);
}

Test(limits, a_101st_alarm_is_refused_at_its_position)
{
	/* Each "ALARM(aNNN) OR " is 15 bytes; the 101st name at 1507. */
	expect_refused(naming(101), "\"a100\" at position 1507: a rule names"
				    " at most 100 alarms");
}

Test(limits, naming_one_alarm_many_times_counts_once)
{
	char text[2048] = "ALARM(a)";
	size_t i;

	for (i = 0; i < 150; i++)
		strcat(text, " OR OK(a)");
	expect_names(text, "a");
}

Test(limits, a_rule_of_10240_bytes_is_accepted_and_one_more_refused)
{
	static char text[ALARM_RULE_MAX_BYTES + 2];

	memset(text, ' ', ALARM_RULE_MAX_BYTES + 1);
	memcpy(text, "TRUE", 4);
	text[ALARM_RULE_MAX_BYTES] = '\0';
	cr_assert(constant(text));
	text[ALARM_RULE_MAX_BYTES] = ' ';
	expect_refused(text, "10241 bytes: a rule is at most 10240 bytes");
}

/* ---- refusals, each with its position ---- */

Test(refusals, an_empty_rule_is_refused)
{
	expect_refused("", "empty rule");
	expect_refused(" \n\t", "empty rule");
}

Test(refusals, an_unclosed_parenthesis_names_the_end_and_the_opening)
{
	expect_refused("(ALARM(a) OR OK(b)",
		       "expected ')' at position 19, not the end (for the '('"
		       " at position 1)");
	expect_refused("((TRUE) AND (FALSE", "(for the '(' at position 13)");
}

Test(refusals, an_unclosed_state_function_names_the_end)
{
	expect_refused("ALARM(cpu", "expected ')' at position 10, not the end");
}

Test(refusals, two_operands_in_a_row_are_refused_at_the_second)
{
	expect_refused("ALARM(a) ALARM(b)",
		       "expected AND, OR or the end at position 10, not"
		       " \"ALARM\"");
	expect_refused("(ALARM(a) TRUE)",
		       "expected AND, OR or ')' at position 11, not \"TRUE\"");
}

Test(refusals, a_stray_closing_parenthesis_is_refused)
{
	expect_refused("ALARM(a))",
		       "expected AND, OR or the end at position 9, not \")\"");
}

Test(refusals, an_operator_without_its_operand_is_refused)
{
	expect_refused(
		"ALARM(a) AND",
		"expected ALARM(name), OK(name), INSUFFICIENT_DATA(name),"
		" TRUE, FALSE, NOT or '(' at position 13, not the end");
	expect_refused("OR TRUE", "at position 1, not \"OR\"");
	expect_refused("NOT", "at position 4, not the end");
	expect_refused("TRUE AND AND FALSE", "at position 10, not \"AND\"");
	expect_refused("()", "or '(' at position 2, not \")\"");
}

Test(refusals, keywords_in_lowercase_are_refused_with_the_right_case)
{
	expect_refused("ALARM(a) and OK(b)",
		       "\"and\" at position 10: keywords are uppercase (AND)");
	expect_refused("alarm(a)",
		       "\"alarm\" at position 1: keywords are uppercase"
		       " (ALARM)");
	expect_refused("ALARM(a) OR True", "position 13: keywords are"
					   " uppercase (TRUE)");
}

Test(refusals, unknown_words_and_bytes_are_refused)
{
	expect_refused("WARN(a)", "at position 1, not \"WARN\"");
	expect_refused("ALARM(a) & OK(b)", "at position 10, not \"&\"");
	expect_refused("ALARM(a) ANDOK(b)", "at position 10, not \"ANDOK\"");
}

Test(refusals, a_state_function_needs_its_parenthesis)
{
	expect_refused("ALARM a", "expected '(' after ALARM at position 7,"
				  " not \"a\"");
	expect_refused("INSUFFICIENT_DATA",
		       "expected '(' after INSUFFICIENT_DATA at position 18,"
		       " not the end");
}

Test(refusals, an_empty_name_is_refused)
{
	expect_refused("ALARM()", "expected an alarm name at position 7");
	expect_refused("OK(   )", "expected an alarm name at position 7");
	expect_refused("OK(\"\")", "alarm name at position 4: empty name");
}

Test(refusals, a_bare_name_may_not_hold_parentheses_or_quotes)
{
	expect_refused("ALARM(a(b))", "'(' at position 8: a name holding '(',"
				      " ')' or '\"' must be quoted");
	expect_refused("ALARM(a\"b)", "'\"' at position 8");
}

Test(refusals, an_unterminated_quote_is_refused_at_its_start)
{
	expect_refused("TRUE OR ALARM(\"abc)",
		       "the quoted name at position 15 has no closing quote");
	expect_refused("ALARM(\"abc\\\")",
		       "the quoted name at position 7 has no closing quote");
}

Test(refusals, text_after_a_quoted_name_is_refused)
{
	expect_refused("ALARM(\"a\" b)",
		       "expected ')' at position 11, not \"b\"");
}

Test(refusals, a_name_that_cannot_be_a_file_name_is_refused)
{
	static char text[300];

	expect_refused("ALARM(.hidden)", "alarm name at position 7:");
	expect_refused("OK(a?b)", "alarm name at position 4:");
	expect_refused("OK(\"a\tb\")", "alarm name at position 4:");
	memset(text, 'x', sizeof(text) - 1);
	memcpy(text, "ALARM(", 6);
	text[sizeof(text) - 2] = ')';
	expect_refused(text, "alarm name at position 7: ");
	expect_refused(text, "is longer than 255 bytes");
}

Test(refusals, an_arn_that_is_no_alarm_arn_is_refused)
{
	expect_refused("ALARM(arn:aws:sns:us-east-1:1:topic)",
		       "at position 7 is not an alarm ARN"
		       " (arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME)");
	expect_refused("ALARM(arn:aws:cloudwatch:us-east-1:1:alarm:)",
		       "not an alarm ARN");
	expect_refused("ALARM(arn:aws:cloudwatch::1:alarm:x)",
		       "not an alarm ARN");
	expect_refused("ALARM(arn:aws:cloudwatch:r:1:dashboard:x)",
		       "not an alarm ARN");
	expect_refused("TRUE AND OK(\"arn:gcp:cloudwatch:r:1:alarm:x\")",
		       "at position 13 is not an alarm ARN");
}

/* ---- evaluation ---- */

Test(evaluation, not_binds_tighter_than_and_and_and_than_or)
{
	cr_assert(constant("TRUE OR TRUE AND FALSE"));
	cr_assert(constant("FALSE AND FALSE OR TRUE"));
	cr_assert_not(constant("NOT FALSE AND FALSE"));
	cr_assert(constant("NOT FALSE OR FALSE"));
	cr_assert_not(constant("NOT TRUE OR FALSE AND TRUE"));
	cr_assert(constant("FALSE OR NOT TRUE OR TRUE"));
}

Test(evaluation, parentheses_override_precedence)
{
	cr_assert_not(constant("(TRUE OR TRUE) AND FALSE"));
	cr_assert(constant("NOT (FALSE AND FALSE)"));
	cr_assert(constant("NOT NOT TRUE"));
	cr_assert(constant("((((TRUE))))"));
}

Test(evaluation, each_state_function_is_true_in_its_state_only)
{
	static const enum alarm_state states[] = {ALARM_OK, ALARM_ALARM,
						  ALARM_INSUFFICIENT_DATA};
	static const char *const rules[] = {"OK(a)", "ALARM(a)",
					    "INSUFFICIENT_DATA(a)"};
	struct world w = {{"a"}, {0}, 0, 0};
	size_t s, f;

	for (s = 0; s < 3; s++) {
		w.states[0] = (int)states[s];
		for (f = 0; f < 3; f++)
			cr_assert_eq(eval(rules[f], &w, NULL), s == f,
				     "%s with a in %s", rules[f],
				     alarm_state_name(states[s]));
	}
}

Test(evaluation, and_or_and_not_follow_their_truth_tables)
{
	static const int states[] = {ALARM_OK, ALARM_ALARM,
				     ALARM_INSUFFICIENT_DATA};
	struct world w = {{"a", "b"}, {0}, 0, 0};
	size_t i, j;
	bool a, b;

	for (i = 0; i < 3; i++) {
		for (j = 0; j < 3; j++) {
			w.states[0] = states[i];
			w.states[1] = states[j];
			a = states[i] == ALARM_ALARM;
			b = states[j] == ALARM_ALARM;
			cr_assert_eq(eval("ALARM(a) AND ALARM(b)", &w, NULL),
				     a && b);
			cr_assert_eq(eval("ALARM(a) OR ALARM(b)", &w, NULL),
				     a || b);
			cr_assert_eq(eval("NOT ALARM(a)", &w, NULL), !a);
			cr_assert_eq(
				eval("NOT ALARM(a) AND NOT ALARM(b)", &w, NULL),
				!a && !b);
		}
	}
}

Test(evaluation, the_spec_example_gives_the_spec_reason)
{
	struct world w = {{"cpu-high", "disk-full", "db-latency"},
			  {ALARM_ALARM, ALARM_ALARM, ALARM_ALARM},
			  0,
			  0};
	static const char rule[] = "ALARM(cpu-high) AND (ALARM(disk-full) OR"
				   " NOT OK(db-latency))";

	expect_reason(rule, &w,
		      "Rule true: cpu-high is ALARM, disk-full is"
		      " ALARM");
	w.states[0] = ALARM_OK;
	expect_reason(rule, &w, "Rule false");
}

Test(evaluation, the_reason_lists_every_state_function_that_is_true)
{
	struct world w = {{"cpu-high", "disk-full", "db-latency"},
			  {ALARM_ALARM, ALARM_OK, ALARM_INSUFFICIENT_DATA},
			  0,
			  0};

	expect_reason("ALARM(cpu-high) AND (ALARM(disk-full) OR NOT"
		      " OK(db-latency))",
		      &w, "Rule true: cpu-high is ALARM");
	expect_reason("ALARM(cpu-high) AND (OK(disk-full) OR"
		      " INSUFFICIENT_DATA(db-latency))",
		      &w,
		      "Rule true: cpu-high is ALARM, disk-full is OK,"
		      " db-latency is INSUFFICIENT_DATA");
}

Test(evaluation, the_reason_names_each_alarm_once_in_rule_order)
{
	struct world w = {{"a", "b"}, {ALARM_ALARM, ALARM_ALARM}, 0, 0};

	expect_reason("ALARM(b) OR ALARM(a) OR ALARM(b)", &w,
		      "Rule true: b is ALARM, a is ALARM");
	expect_reason("OK(a) OR ALARM(b) OR ALARM(a)", &w,
		      "Rule true: b is ALARM, a is ALARM");
}

Test(evaluation, a_rule_true_without_a_true_state_function_lists_none)
{
	struct world w = {{"a"}, {ALARM_OK}, 0, 0};

	expect_reason("TRUE", &w, "Rule true");
	expect_reason("NOT ALARM(a)", &w, "Rule true");
	expect_reason("FALSE", &w, "Rule false");
}

Test(evaluation, the_reason_is_appended_to_what_the_buffer_holds)
{
	struct alarm_rule *r = parse_ok("TRUE");
	struct strbuf sb = STRBUF_INIT;
	struct world w = {{NULL}, {0}, 0, 0};
	bool value = false;

	cr_assert_eq(strbuf_adds(&sb, "x: "), 0);
	cr_assert_eq(alarm_rule_evaluate(r, state_of, &w, &value, &sb), 0);
	cr_assert_str_eq(sb.buf, "x: Rule true");
	strbuf_release(&sb);
	alarm_rule_free(r);
}

Test(evaluation, each_named_alarm_is_asked_once)
{
	struct world w = {{"a", "b"}, {ALARM_OK, ALARM_ALARM}, 0, 0};

	eval("OK(a) OR ALARM(a) OR ALARM(b) AND NOT OK(b) OR ALARM(a)", &w,
	     NULL);
	cr_assert_eq(w.calls, 2);
}

Test(evaluation, a_failing_state_function_fails_the_evaluation)
{
	struct alarm_rule *r = parse_ok("ALARM(a) OR TRUE");
	struct strbuf sb = STRBUF_INIT;
	struct world w = {{"a"}, {ALARM_OK}, 0, -EIO};
	bool value = false;

	cr_assert_eq(alarm_rule_evaluate(r, state_of, &w, &value, &sb), -EIO);
	cr_assert_eq(sb.len, 0);
	cr_assert_not(value);
	w.fail = 7; /* no state */
	cr_assert_eq(alarm_rule_evaluate(r, state_of, &w, &value, &sb),
		     -EINVAL);
	cr_assert_not(value);
	strbuf_release(&sb);
	alarm_rule_free(r);
}

Test(evaluation, a_name_found_by_alarm_rule_names_alarm)
{
	struct alarm_rule *r =
		parse_ok("OK(a) OR ALARM(arn:aws:cloudwatch:r:1:alarm:self)");

	cr_assert(alarm_rule_names_alarm(r, "self"));
	cr_assert(alarm_rule_names_alarm(r, "a"));
	cr_assert_not(alarm_rule_names_alarm(r, "b"));
	cr_assert_not(alarm_rule_names_alarm(r, "arn:aws:cloudwatch:r:1:"
						"alarm:self"));
	alarm_rule_free(r);
}
