/*
 * alarm_rule: the rule of a composite alarm (SPEC 12), in CloudWatch's
 * alarm rule language, parsed once and evaluated against the states of
 * the alarms it names — pure logic: the store says what those states are
 * and checks that the named alarms exist and form no cycle.
 *
 *   ALARM(cpu-high) AND (ALARM("disk full") OR NOT OK(db-latency))
 *
 * State functions ALARM(name), OK(name), INSUFFICIENT_DATA(name); the
 * constants TRUE and FALSE; NOT, AND, OR, binding in that order (NOT
 * tightest), AND and OR from left to right; parentheses. Keywords are
 * uppercase only, as CloudWatch writes them. Blanks (space, tab, CR, LF)
 * may separate any two tokens. A name is bare (everything up to the
 * closing parenthesis, blanks at its ends dropped; it may not hold '(',
 * ')' or '"') or double-quoted, where \" stands for a quote and \\ for a
 * backslash. A name of the form arn:PARTITION:cloudwatch:REGION:ACCOUNT:
 * alarm:NAME means NAME. Each name must be a name as SPEC 2 has them
 * (parse_name), since an alarm is a file.
 *
 * Limits, CloudWatch's: a rule of at most ALARM_RULE_MAX_BYTES bytes,
 * naming at most ALARM_RULE_ALARMS_MAX distinct alarms. Nesting has no
 * limit but the length: nothing here recurses.
 */
#ifndef MONFS_ALARM_RULE_H
#define MONFS_ALARM_RULE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"
#include "lib/strbuf.h"

#define ALARM_RULE_MAX_BYTES 10240
#define ALARM_RULE_ALARMS_MAX 100 /* distinct alarms one rule names */

/* A parsed rule: opaque, immutable once parsed. */
struct alarm_rule;

/*
 * Parse text[0..len) (not necessarily NUL-terminated) into *out, to be
 * freed with alarm_rule_free. 0; -EINVAL with err saying what is wrong
 * and at which byte, counted from 1 ("expected ')' at position 17";
 * "\"and\" at position 12: keywords are uppercase (AND)"); -ENOMEM.
 * *out is set only on success.
 */
int alarm_rule_parse(const char *text, size_t len, struct alarm_rule **out,
		     struct err *err);

/* Free a rule from alarm_rule_parse. r may be NULL. */
void alarm_rule_free(struct alarm_rule *r);

/*
 * The distinct alarms the rule names, in the order of their first
 * appearance, ARNs reduced to their names: count, and name i (0 <= i <
 * count), NUL-terminated, valid as long as r. For the store: each must
 * exist, none may be the composite itself or lead back to it (a cycle),
 * and each may not be removed while r's composite names it (EBUSY).
 */
size_t alarm_rule_name_count(const struct alarm_rule *r);
const char *alarm_rule_name(const struct alarm_rule *r, size_t i);

/* Whether the rule names alarm name (as alarm_rule_name gives it). */
bool alarm_rule_names_alarm(const struct alarm_rule *r, const char *name);

/*
 * The state of alarm name, an enum alarm_state (lib/alarm.h), or a
 * negative errno that stops the evaluation (the store could not read it).
 */
typedef int (*alarm_rule_state_fn)(const char *name, void *ctx);

/*
 * Evaluate the rule. state_of is called once for each named alarm, in
 * alarm_rule_name's order, with ctx, before anything is decided, so one
 * evaluation sees one state per alarm. *value is set to the rule's
 * truth, and reason (appended to) gets SPEC 12's words: "Rule true:
 * cpu-high is ALARM, disk-full is ALARM" (the alarms whose state
 * function in the rule evaluated true, each once, in rule order; no
 * colon and no list when there is none) or "Rule false". 0; state_of's
 * negative errno; -EINVAL if it returned no state; -ENOMEM. On error
 * *value and reason are left as they were.
 */
int alarm_rule_evaluate(const struct alarm_rule *r,
			alarm_rule_state_fn state_of, void *ctx, bool *value,
			struct strbuf *reason);

#endif
