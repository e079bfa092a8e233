/*
 * rule_def_json: a rule's definition as PutRule's and PutTargets' JSON
 * requests merged in one object (SPEC 13), into a struct rule_def
 * through the setters of lib/rule_def.c. Every member of both requests,
 * and of a target, is known here: taken, ignored or refused with the
 * reason (rule_def.h lists which); every error is reported, one per
 * line of err.
 */
#include "lib/rule_def_impl.h"

#include "lib/array.h"
#include "lib/format.h"
#include "lib/json_request.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

enum member_kind {
	KIND_TAKEN,   /* a string to a setter, or handled by name */
	KIND_IGNORED, /* accepted whatever it holds */
	KIND_REFUSED, /* refused unless left empty */
};

static const struct member {
	const char *name;
	enum member_kind kind;
} rule_members[] = {
	{"Name", KIND_IGNORED},
	{"EventPattern", KIND_TAKEN},
	{"ScheduleExpression", KIND_TAKEN},
	{"State", KIND_TAKEN},
	{"Description", KIND_TAKEN},
	{"EventBusName", KIND_TAKEN},
	{"RoleArn", KIND_IGNORED},
	{"Tags", KIND_IGNORED},
	{"Rule", KIND_IGNORED},
	{"Targets", KIND_TAKEN},
};

/* A target's members: Arn and InputPath taken, AWS parameters ignored. */
static const struct member target_members[] = {
	{"Id", KIND_IGNORED},
	{"Arn", KIND_TAKEN},
	{"InputPath", KIND_TAKEN},
	{"Input", KIND_REFUSED},
	{"InputTransformer", KIND_REFUSED},
	{"RoleArn", KIND_IGNORED},
	{"KinesisParameters", KIND_IGNORED},
	{"RunCommandParameters", KIND_IGNORED},
	{"EcsParameters", KIND_IGNORED},
	{"BatchParameters", KIND_IGNORED},
	{"SqsParameters", KIND_IGNORED},
	{"HttpParameters", KIND_IGNORED},
	{"RedshiftDataParameters", KIND_IGNORED},
	{"SageMakerPipelineParameters", KIND_IGNORED},
	{"DeadLetterConfig", KIND_IGNORED},
	{"RetryPolicy", KIND_IGNORED},
	{"AppSyncParameters", KIND_IGNORED},
};

/* What the members said, for the checks across them. */
struct json_state {
	bool pattern_given, schedule_given, bus_set;
	/* The JSON index of each target in d, for messages. */
	size_t target_at[RULE_TARGETS_MAX];
	/* Each target's InputPath (NULL: none), in d's order. */
	const char *input_path[RULE_TARGETS_MAX];
	struct err_list *errors;
	int nomem;
};

static const struct member *find_member(const struct member *table, size_t n,
					const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(name, table[i].name))
			return &table[i];
	return NULL;
}

/* "\"x\" is not a member of WHAT", with the member meant if only case. */
static void unknown_member(const struct member *table, size_t n,
			   const char *name, const char *what, struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];
	size_t i;

	format_quote(q, name, strlen(name));
	for (i = 0; i < n; i++) {
		if (!strcasecmp(name, table[i].name)) {
			err_set(err,
				"\"%s\" is not a member of %s (the names are"
				" case-sensitive: %s)",
				q, what, table[i].name);
			return;
		}
	}
	err_set(err, "\"%s\" is not a member of %s", q, what);
}

/* Add one's message to the list, and note -ENOMEM. */
static void report(struct json_state *st, int rc, const struct err *one)
{
	if (rc == -ENOMEM)
		st->nomem = rc;
	else if (rc)
		err_list_add(st->errors, one);
}

static int wrong_type(const json_t *v, const char *want, struct err *err)
{
	err_set(err, "must be %s, not %s", want, json_request_type_name(v));
	return -EINVAL;
}

/* A string member's value to setter; its errors prefixed with name. */
static int set_string(struct rule_def *d, json_t *v,
		      int (*setter)(struct rule_def *, const char *, size_t,
				    struct err *),
		      struct err *err)
{
	if (!json_is_string(v))
		return wrong_type(v, "a string", err);
	return setter(d, json_string_value(v), json_string_length(v), err);
}

static int set_state_json(struct rule_def *d, const char *s, size_t len,
			  struct err *err)
{
	return rule_def_set_state(d, s, len, true, err);
}

static int set_event_pattern(struct rule_def *d, json_t *v, struct err *err)
{
	if (json_is_object(v))
		return rule_def_set_pattern_object(d, v, err);
	if (json_is_string(v))
		return rule_def_set_pattern(d, json_string_value(v),
					    json_string_length(v), err);
	return wrong_type(v, "a string or an object", err);
}

/*
 * Whether target (an object) is the skeleton's, left empty: what monfs
 * reads of it all blank (its AWS parameters hold enum values).
 */
static bool target_left_empty(json_t *target)
{
	static const char *const read[] = {"Id", "Arn", "Input", "InputPath",
					   "InputTransformer"};
	json_t *v;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(read); i++) {
		v = json_object_get(target, read[i]);
		if (v && !json_request_blank(v, false, NULL))
			return false;
	}
	return true;
}

/* One member of Targets[at]; its error one line of st->errors. */
static void parse_target_member(struct rule_def *d, struct json_state *st,
				size_t at, const char *name, json_t *v)
{
	const struct member *m =
		find_member(target_members, ARRAY_SIZE(target_members), name);
	struct err one = {""};
	int rc = 0;

	if (!m) {
		unknown_member(target_members, ARRAY_SIZE(target_members), name,
			       "a target", &one);
		rc = -EINVAL;
	} else if (m->kind == KIND_IGNORED ||
		   json_request_blank(v, false, NULL)) {
		return;
	} else if (m->kind == KIND_REFUSED) {
		err_set(&one, "not supported (a target gets the event, or its"
			      " input_path part)");
		rc = -EINVAL;
	} else if (!strcmp(name, "Arn")) {
		if (d->ntargets < RULE_TARGETS_MAX)
			st->target_at[d->ntargets] = at;
		rc = set_string(d, v, rule_def_add_target, &one);
	} else if (!json_is_string(v)) {
		rc = wrong_type(v, "a string", &one);
	} else {
		/* InputPath: checked here, compared across targets later. */
		rc = rule_input_path_check(json_string_value(v),
					   json_string_length(v), &one);
	}
	if (rc)
		err_prefix(&one, "Targets[%zu].%s", at, name);
	report(st, rc, &one);
}

/* Targets[at]: its Arn into d, its InputPath noted. */
static void parse_target(struct rule_def *d, struct json_state *st, size_t at,
			 json_t *target)
{
	struct err one = {""};
	size_t before = d->ntargets;
	json_t *arn, *path, *v;
	const char *name;

	if (!json_is_object(target)) {
		wrong_type(target, "an object", &one);
		err_prefix(&one, "Targets[%zu]", at);
		report(st, -EINVAL, &one);
		return;
	}
	if (target_left_empty(target))
		return;
	arn = json_object_get(target, "Arn");
	if (!arn || json_request_blank(arn, false, NULL)) {
		err_set(&one, "Targets[%zu]: missing Arn", at);
		report(st, -EINVAL, &one);
	}
	json_object_foreach(target, name, v)
		parse_target_member(d, st, at, name, v);
	path = json_object_get(target, "InputPath");
	if (d->ntargets > before)
		st->input_path[before] =
			json_is_string(path) && json_string_length(path)
				? json_string_value(path)
				: NULL;
}

static void parse_targets(struct rule_def *d, struct json_state *st,
			  json_t *targets)
{
	struct err one = {""};
	size_t at, given = 0;
	json_t *target;

	if (!json_is_array(targets)) {
		wrong_type(targets, "an array", &one);
		err_prefix(&one, "Targets");
		report(st, -EINVAL, &one);
		return;
	}
	json_array_foreach(targets, at, target)
	{
		if (json_is_object(target) && target_left_empty(target))
			continue;
		if (++given > RULE_TARGETS_MAX)
			continue;
		parse_target(d, st, at, target);
	}
	if (given > RULE_TARGETS_MAX) {
		err_set(&one,
			"Targets: %zu targets, more than %d"
			" (EventBridge's limit)",
			given, RULE_TARGETS_MAX);
		report(st, -EINVAL, &one);
	}
}

/*
 * Whether member name: v is left empty as the CLI's skeleton leaves it.
 * An EventPattern only when "" or {}: {"a": [""]} is a pattern (a is
 * the empty string), not a blank.
 */
static bool member_left_empty(const char *name, json_t *v)
{
	if (!strcmp(name, "EventPattern"))
		return (json_is_string(v) && json_string_length(v) == 0) ||
		       (json_is_object(v) && json_object_size(v) == 0);
	return json_request_blank(v, false, NULL);
}

/* One top-level member into d; its error one line of st->errors. */
static void parse_member(struct rule_def *d, struct json_state *st,
			 const char *name, json_t *v)
{
	const struct member *m =
		find_member(rule_members, ARRAY_SIZE(rule_members), name);
	struct err one = {""};
	int rc;

	if (!m) {
		unknown_member(rule_members, ARRAY_SIZE(rule_members), name,
			       "PutRule or PutTargets", &one);
		report(st, -EINVAL, &one);
		return;
	}
	if (m->kind == KIND_IGNORED || member_left_empty(name, v))
		return;
	if (!strcmp(name, "Targets")) {
		parse_targets(d, st, v);
		return;
	}
	if (!strcmp(name, "EventPattern")) {
		st->pattern_given = true;
		rc = set_event_pattern(d, v, &one);
	} else if (!strcmp(name, "ScheduleExpression")) {
		st->schedule_given = true;
		rc = set_string(d, v, rule_def_set_schedule, &one);
	} else if (!strcmp(name, "State")) {
		rc = set_string(d, v, set_state_json, &one);
	} else if (!strcmp(name, "Description")) {
		rc = set_string(d, v, rule_def_set_description, &one);
	} else {
		rc = set_string(d, v, rule_def_set_bus, &one);
		st->bus_set = rc == 0;
	}
	if (rc)
		err_prefix(&one, "%s", name);
	report(st, rc, &one);
}

/* An InputPath in a message: "\"$.x\"", or "none". */
#define QUOTED(path)                                                           \
	(path) ? "\"" : "", (path) ? (path) : "none", (path) ? "\"" : ""

/* One InputPath for all targets, or none (rule_def.h). */
static void finish_input_path(struct rule_def *d, struct json_state *st)
{
	const char *first = d->ntargets ? st->input_path[0] : NULL;
	struct err one = {""};
	size_t i;

	for (i = 1; i < d->ntargets; i++) {
		if ((first == NULL) != (st->input_path[i] == NULL) ||
		    (first && strcmp(first, st->input_path[i]))) {
			err_set(&one,
				"Targets[%zu].InputPath: %s%s%s is not"
				" Targets[%zu]'s %s%s%s (monfs keeps one"
				" input_path per rule)",
				st->target_at[i], QUOTED(st->input_path[i]),
				st->target_at[0], QUOTED(first));
			report(st, -EINVAL, &one);
			return;
		}
	}
	/* A bad one was reported with its target. */
	if (first)
		rule_def_set_input_path(d, first, strlen(first), NULL);
}

/* After the last member: the checks across members. */
static void finish(struct rule_def *d, struct json_state *st)
{
	struct err one = {""};
	size_t i;

	if (!st->pattern_given && !st->schedule_given) {
		err_set(&one, "missing EventPattern or ScheduleExpression");
		report(st, -EINVAL, &one);
	}
	if (st->pattern_given && st->schedule_given) {
		err_set(&one, "EventPattern and ScheduleExpression: give one,"
			      " not both");
		report(st, -EINVAL, &one);
	}
	if (d->has_schedule && !st->pattern_given && st->bus_set &&
	    rule_def_schedule_bus_refused(d)) {
		err_set(&one, "EventBusName: a schedule rule listens on no bus"
			      " (EventBusName is for pattern rules)");
		report(st, -EINVAL, &one);
	}
	rule_def_finish_bus(d);
	for (i = 0; i < d->ntargets; i++) {
		if (rule_def_target_is_own_bus(d, i)) {
			err_set(&one,
				"Targets[%zu].Arn: \"%s\" is the rule's own"
				" bus",
				st->target_at[i], d->targets[i].text);
			report(st, -EINVAL, &one);
		}
	}
	finish_input_path(d, st);
}

int rule_def_parse_json(const char *text, size_t len, struct rule_def *d,
			struct err *err)
{
	struct json_state st;
	struct err_list errors;
	const char *name;
	json_t *root, *v;
	int rc;

	rc = json_request_load(text, len, &root, err);
	if (rc)
		return rc;
	memset(&st, 0, sizeof(st));
	err_list_init(&errors, err);
	st.errors = &errors;
	json_object_foreach(root, name, v) parse_member(d, &st, name, v);
	finish(d, &st);
	json_decref(root);
	if (st.nomem) {
		err_set(err, "out of memory");
		return st.nomem;
	}
	return err_list_finish(&errors) ? -EINVAL : 0;
}
