/*
 * rule_def: an EventBridge rule's definition as a user writes it to
 * rules/NAME (SPEC 13), parsed, checked and rendered back; the part of
 * an event a rule's input_path delivers; and the cycle check of
 * `events:` targets across rules. Pure logic: the store keeps rules and
 * runs them, and checks targets against the writer's rights.
 *
 * Two forms, told apart by the first non-blank byte ('{', or '[', for
 * a better message: JSON):
 *
 * `key = value` lines (lib/kv.h: `#` comments, double-quoted values):
 *   pattern = {...}       an EventPattern, the rest of the line as written
 *                         (kv's raw value), compiled by lib/event_pattern.h
 *   schedule = rate(..)   or cron(...), lib/schedule.h
 *   bus = NAME            pattern rules only (default: default)
 *   target = KIND:...     repeatable, at most RULE_TARGETS_MAX
 *   input_path = $.a.b    optional
 *   state = ENABLED       or DISABLED (default: ENABLED)
 *   description = text    optional
 * Exactly one of pattern and schedule. Every key but target at most
 * once; an unknown key is refused; the counters a read adds (matched,
 * invocations, failed_invocations, last_fired) are accepted and ignored,
 * so that what a read shows writes back (SPEC 2). The first error is
 * reported, "line N: KEY: ...".
 *
 * JSON: PutRule's request and PutTargets' merged in one object (what
 * `aws events put-rule --generate-cli-skeleton` and `put-targets
 * --generate-cli-skeleton` give, filled in): EventPattern (a string
 * holding JSON, or an object), ScheduleExpression, State (ENABLED,
 * DISABLED, or ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS, taken as
 * ENABLED: monfs's default bus carries every trail record anyway),
 * Description, EventBusName, and Targets [{"Id", "Arn", "InputPath"}]
 * with Arn holding log:/exec:/events:. Ignored, whatever they hold: Name
 * and Rule (the file names the rule), Id, RoleArn (targets run with the
 * writer's rights, SPEC 9) and Tags (monfs keeps no tags on rules), and
 * a target's members for AWS services (KinesisParameters, EcsParameters,
 * ..., DeadLetterConfig, RetryPolicy: no such targets here, and a failed
 * delivery is never retried, SPEC 13). Refused: a target's Input and
 * InputTransformer (not supported), and any member neither request has.
 * A member left empty as the CLI's skeleton leaves it counts as absent
 * (lib/json_request.h), and so does a target whose Id, Arn, Input,
 * InputPath and InputTransformer are all left empty (the skeleton's one
 * target, whose AWS parameters hold enum values such as "EC2"). State
 * is never left empty: the CLI fills it with one of its three values
 * (aws-cli 1.45 picks one at random from run to run), and it is taken
 * as written, as AWS would. Every error is reported at once, one per
 * line of err.
 *
 * input_path: one per rule, not per target (SPEC 13's form has one): in
 * JSON every target must give the same InputPath, or none. Its grammar
 * is the part of JSONPath EventBridge documents for InputPath: `$`, then
 * any number of `.name` (letters, digits, '_', '-', '/') and `[N]`
 * (a decimal array index); no wildcards, filters, slices nor quoted
 * names. At most RULE_INPUT_PATH_MAX bytes, EventBridge's limit.
 *
 * Targets: `log:GROUP/STREAM` (split at the last '/', the group's
 * leading '/' dropped, SPEC 2 names), `exec:/ABSOLUTE/PATH` (as an
 * alarm's exec: action), `events:BUS` (a bus name; not the rule's own
 * bus). A rule may have no target (EventBridge allows it): it matches
 * and counts, and delivers nothing. A target given twice is refused
 * (EventBridge's Ids are unique; two identical targets would deliver
 * every event twice).
 *
 * Limits are EventBridge's: RULE_PATTERN_MAX bytes of pattern as
 * written (PutRule's EventPattern), RULE_DESCRIPTION_MAX, 5 targets,
 * RULE_INPUT_PATH_MAX; more is refused, never cut.
 */
#ifndef MONFS_RULE_DEF_H
#define MONFS_RULE_DEF_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"
#include "lib/parse.h"
#include "lib/schedule.h"
#include "lib/strbuf.h"

#define RULE_PATTERN_MAX 4096	 /* bytes of EventPattern, PutRule's limit */
#define RULE_TARGETS_MAX 5	 /* per rule, EventBridge's limit */
#define RULE_TARGET_MAX 1023	 /* bytes of one target, as an alarm action */
#define RULE_DESCRIPTION_MAX 512 /* bytes, PutRule's limit */
#define RULE_INPUT_PATH_MAX 256	 /* bytes, PutTargets' InputPath limit */
#define RULE_DEFAULT_BUS "default"

enum rule_target_kind {
	RULE_TARGET_LOG,    /* log:GROUP/STREAM */
	RULE_TARGET_EXEC,   /* exec:/PATH */
	RULE_TARGET_EVENTS, /* events:BUS */
};

/* One target, as written (text) and in parts; unused parts are "". */
struct rule_target {
	enum rule_target_kind kind;
	char text[RULE_TARGET_MAX + 1];	     /* "log:ops/events", canonical */
	char group[LOG_GROUP_MAX_BYTES + 1]; /* log: no leading '/' */
	char stream[NAME_MAX_BYTES + 1];     /* log: */
	char path[RULE_TARGET_MAX + 1];	     /* exec: absolute */
	char bus[NAME_MAX_BYTES + 1];	     /* events: */
};

/*
 * A parsed definition: a plain value, no heap, copyable with '='. Every
 * unused byte is zero, so that parsing its rendering gives back the same
 * struct byte for byte (memcmp compares two definitions).
 */
struct rule_def {
	/* The EventPattern as compact JSON, members in the order written;
	 * "" for a schedule rule. */
	char pattern[RULE_PATTERN_MAX + 1];
	bool has_schedule;
	struct schedule schedule; /* when has_schedule */
	/* The bus a pattern rule listens on; "" for a schedule rule. */
	char bus[NAME_MAX_BYTES + 1];
	struct rule_target targets[RULE_TARGETS_MAX];
	size_t ntargets;
	char input_path[RULE_INPUT_PATH_MAX + 1]; /* "" when not set */
	bool enabled;				  /* state = ENABLED */
	char description[RULE_DESCRIPTION_MAX + 1];
};

/*
 * Parse a definition written to rules/NAME, in either form (see above).
 * 0 and *out; -EINVAL with err naming the line or member at fault (JSON:
 * every error, one per line); -ENOMEM. *out is written only on success.
 */
int rule_def_parse(const char *text, size_t len, struct rule_def *out,
		   struct err *err);

/*
 * Append d in `key = value` form with defaults filled in: pattern or
 * schedule, bus (pattern rules), one target line each, input_path when
 * set, state, description when set. Parsing it gives d back. 0 or
 * -ENOMEM (out then as it was).
 */
int rule_def_render(const struct rule_def *d, struct strbuf *out);

/*
 * The buses d's events: targets name, in target order, into buses[]
 * (room for RULE_TARGETS_MAX; pointers into d). Their count.
 */
size_t rule_def_target_buses(const struct rule_def *d,
			     const char *buses[RULE_TARGETS_MAX]);

/*
 * The part of event that input_path selects (grammar above; "" or "$":
 * the whole event): a new reference, or NULL when the path selects
 * nothing (a missing member, an index past the end, a member of a
 * non-object). monfs then delivers nothing for that event: there is no
 * JSON line to deliver; the caller counts it as a failed invocation
 * with the reason "input_path selects nothing" (EventBridge documents
 * no behaviour for this case). input_path was checked by rule_def_parse.
 */
json_t *rule_input_path_apply(const char *input_path, const json_t *event);

/*
 * Check input_path's grammar (above). 0 or -EINVAL with err saying
 * where it goes wrong.
 */
int rule_input_path_check(const char *s, size_t len, struct err *err);

/*
 * An `events:` edge: rule `rule` on bus `from` forwards to bus `to`. The
 * store gathers them from every pattern rule (a new definition
 * in place of the one it replaces; disabled ones too, so that no state
 * change can close a cycle) to check for a cycle (SPEC 13).
 */
struct rule_bus_edge {
	const char *from;
	const char *to;
	const char *rule;
};

/*
 * Whether the edges make a cycle of buses: 0 when none; -EINVAL (SPEC
 * 13's answer) with err naming one cycle ("a cycle of events: targets:
 * a -> b (rule r1) -> a (rule r2)"); -ENOMEM. O(n log n) for n edges.
 */
int rule_bus_cycle(const struct rule_bus_edge *edges, size_t n,
		   struct err *err);

#endif
