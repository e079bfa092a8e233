/*
 * Composite alarms in the store (SPEC 12): what a rule may name, the
 * alarms a rule names may not go, and a composite's state follows theirs.
 *
 * Children are metric alarms on metrics with no data at all, so that
 * treat_missing_data alone decides them: `breaching` is ALARM at its
 * first evaluation, `notBreaching` OK.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alarm.h"
#include "store/store.h"
#include "tests/support/tmpstore.h"

static struct tmpstore fixture;
static struct store *st;
static const struct caller carol = {
	.uid = 1002, .gid = 1002, .pid = 9, .user = "carol", .process = "test"};
static const struct node_owner carols = {1002, 1002, 0644};

static void open_store(void)
{
	tmpstore_open(&fixture, "rules", &st);
}

static void close_store(void)
{
	tmpstore_close(&fixture, st);
}

TestSuite(alarm_rules, .init = open_store, .fini = close_store);

static int put(const char *name, const char *text, struct err *err)
{
	return store_alarm_put(st, name, text, strlen(text), &carols, &carol,
			       err);
}

static void define(const char *name, const char *text)
{
	struct err err = {""};

	cr_assert_eq(put(name, text, &err), 0, "%s: %s", name, err.msg);
}

static const char BREACHING[] = "metric = EC2/Quiet\n"
				"statistic = maximum\n"
				"period = 60\n"
				"comparison = >\n"
				"threshold = 80\n"
				"treat_missing_data = breaching\n";
static const char NOT_BREACHING[] = "metric = EC2/Quiet\n"
				    "statistic = maximum\n"
				    "period = 60\n"
				    "comparison = >\n"
				    "threshold = 80\n"
				    "treat_missing_data = notBreaching\n";

/* Evaluate name; its new state when it changed, -1 when it did not. */
static int evaluate(const char *name, char *reason, size_t size)
{
	struct alarm_change c;
	int rc = store_alarm_evaluate(st, name, store_now_ms(), &c), state;

	cr_assert_geq(rc, 0, "%s: %s", name, strerror(-rc));
	state = rc ? c.new_state : -1;
	if (rc && reason)
		snprintf(reason, size, "%s", c.reason);
	alarm_change_release(&c);
	return state;
}

/* store_name_fn: collect names, comma-separated. */
static int collect(void *ctx, const char *name)
{
	char *out = ctx;

	if (out[0])
		strcat(out, ",");
	strcat(out, name);
	return 0;
}

static void naming(const char *name, char *out)
{
	out[0] = '\0';
	cr_assert_eq(store_alarm_each_naming(st, name, collect, out), 0);
}

static void render(const char *name, enum alarm_view view, struct strbuf *sb)
{
	strbuf_reset(sb);
	cr_assert_eq(store_alarm_render(st, name, view, sb), 0);
}

Test(alarm_rules, a_composite_follows_the_states_of_the_alarms_it_names)
{
	char reason[4096], names[1024];

	define("a", BREACHING);
	define("b", NOT_BREACHING);
	cr_assert_eq(evaluate("a", NULL, 0), ALARM_ALARM);
	cr_assert_eq(evaluate("b", NULL, 0), ALARM_OK);
	define("c", "rule = ALARM(a) AND NOT ALARM(b)\n");
	cr_assert_eq(evaluate("c", reason, sizeof(reason)), ALARM_ALARM);
	cr_assert_str_eq(reason, "Rule true: a is ALARM");
	cr_assert_eq(evaluate("c", NULL, 0), -1, "no change, no transition");
	naming("a", names);
	cr_assert_str_eq(names, "c");
	naming("b", names);
	cr_assert_str_eq(names, "c");
	naming("c", names);
	cr_assert_str_eq(names, "");

	/* b goes to ALARM: c's rule turns false. */
	define("b", BREACHING);
	cr_assert_eq(evaluate("b", NULL, 0), ALARM_ALARM);
	cr_assert_eq(evaluate("c", reason, sizeof(reason)), ALARM_OK);
	cr_assert_str_eq(reason, "Rule false");
}

Test(alarm_rules, a_chain_of_composites_is_named_each_by_the_next)
{
	char names[1024];

	define("a", BREACHING);
	define("c1", "rule = ALARM(a)\n");
	define("c2", "rule = OK(c1) OR ALARM(a)\n");
	define("c3", "rule = ALARM(c2)\n");
	naming("a", names);
	cr_assert_str_eq(names, "c1,c2");
	naming("c2", names);
	cr_assert_str_eq(names, "c3");
	cr_assert_eq(evaluate("a", NULL, 0), ALARM_ALARM);
	cr_assert_eq(evaluate("c1", NULL, 0), ALARM_ALARM);
	cr_assert_eq(evaluate("c2", NULL, 0), ALARM_ALARM);
	cr_assert_eq(evaluate("c3", NULL, 0), ALARM_ALARM);
}

Test(alarm_rules, a_rule_naming_no_alarm_is_refused_by_name)
{
	struct err err = {""};
	struct alarm_info info;

	define("a", BREACHING);
	cr_assert_eq(put("c", "rule = ALARM(a) OR OK(nope)\n", &err), -EINVAL);
	cr_assert(strstr(err.msg, "no alarm named \"nope\""), "%s", err.msg);
	cr_assert_eq(store_alarm_get(st, "c", &info), -ENOENT);
}

Test(alarm_rules, a_rule_naming_its_own_alarm_is_a_cycle)
{
	struct err err = {""};

	define("a", BREACHING);
	cr_assert_eq(put("c", "rule = ALARM(a) AND ALARM(c)\n", &err), -EINVAL);
	cr_assert(strstr(err.msg, "rule: cycle: c -> c"), "%s", err.msg);
}

Test(alarm_rules, a_cycle_through_other_composites_is_refused_and_named)
{
	struct err err = {""};
	struct strbuf sb = STRBUF_INIT;

	define("a", BREACHING);
	define("c1", "rule = ALARM(a)\n");
	define("c2", "rule = ALARM(c1)\n");
	define("c3", "rule = ALARM(c2) OR ALARM(a)\n");
	cr_assert_eq(put("c1", "rule = ALARM(c3)\n", &err), -EINVAL);
	cr_assert(strstr(err.msg, "rule: cycle: c1 -> c3 -> c2 -> c1"), "%s",
		  err.msg);
	/* The old definition stays. */
	render("c1", ALARM_VIEW_TEXT, &sb);
	cr_assert(strstr(sb.buf, "rule = ALARM(a)\n"), "%s", sb.buf);
	strbuf_release(&sb);
}

Test(alarm_rules, an_alarm_a_rule_names_may_not_go)
{
	struct err err = {""};
	struct alarm_info info;
	char names[1024];

	define("a", BREACHING);
	define("c", "rule = ALARM(a)\n");
	cr_assert_eq(store_alarm_delete(st, "a", &carol, &err), -EBUSY);
	cr_assert(strstr(err.msg, "composite alarm \"c\""), "%s", err.msg);
	cr_assert_eq(store_alarm_get(st, "a", &info), 0);
	err.msg[0] = '\0';
	cr_assert_eq(store_alarm_rename(st, "a", "a2", &carol, &err), -EBUSY);
	cr_assert(strstr(err.msg, "composite alarm \"c\""), "%s", err.msg);
	cr_assert_eq(store_alarm_get(st, "a", &info), 0);

	/* The composite itself may move, and then names a as before. */
	cr_assert_eq(store_alarm_rename(st, "c", "d", &carol, &err), 0, "%s",
		     err.msg);
	naming("a", names);
	cr_assert_str_eq(names, "d");
	cr_assert_eq(store_alarm_delete(st, "d", &carol, &err), 0);
	cr_assert_eq(store_alarm_delete(st, "a", &carol, &err), 0, "%s",
		     err.msg);
}

Test(alarm_rules, a_composite_renamed_onto_an_alarm_it_leads_to_is_a_cycle)
{
	struct err err = {""};
	struct alarm_info info;

	define("a", BREACHING);
	define("c1", "rule = ALARM(a)\n");
	define("c2", "rule = ALARM(c1)\n");
	cr_assert_eq(store_alarm_rename(st, "c2", "a", &carol, &err), -EINVAL);
	cr_assert(strstr(err.msg, "rule: cycle: a -> c1 -> a"), "%s", err.msg);
	cr_assert_eq(store_alarm_get(st, "c2", &info), 0);
}

Test(alarm_rules, a_reason_past_a_kilobyte_is_kept_whole)
{
	char rule[4096] = "rule = ", name[200];
	struct strbuf sb = STRBUF_INIT;
	int i;

	for (i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "%0150d", i);
		define(name, BREACHING);
		cr_assert_eq(evaluate(name, NULL, 0), ALARM_ALARM);
		strcat(rule, i ? " AND ALARM(" : "ALARM(");
		strcat(rule, name);
		strcat(rule, ")");
	}
	strcat(rule, "\n");
	define("all", rule);
	cr_assert_eq(evaluate("all", NULL, 0), ALARM_ALARM);
	render("all", ALARM_VIEW_TEXT, &sb);
	snprintf(name, sizeof(name), "%0150d is ALARM\n", 7);
	cr_assert(strstr(sb.buf, name), "%s", sb.buf);
	render("all", ALARM_VIEW_JSON, &sb);
	cr_assert(strstr(sb.buf, "\"AlarmRule\":\"ALARM("), "%s", sb.buf);
	snprintf(name, sizeof(name), "%0150d is ALARM\"", 7);
	cr_assert(strstr(sb.buf, name), "%s", sb.buf);
	strbuf_release(&sb);
}

/* store_alarm_fn: collect the names the evaluator would schedule. */
static int scheduled(void *ctx, int64_t id, const char *name, int64_t period_s)
{
	(void)id;
	cr_assert_gt(period_s, 0);
	return collect(ctx, name);
}

Test(alarm_rules, composites_are_not_scheduled_by_period)
{
	char names[1024] = "";

	define("a", BREACHING);
	define("c", "rule = ALARM(a)\n");
	cr_assert_eq(store_alarms_each(st, scheduled, names), 0);
	cr_assert_str_eq(names, "a");
}
