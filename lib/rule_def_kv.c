/*
 * rule_def_kv: a rule's definition in the `key = value` form (SPEC 13),
 * through the setters of lib/rule_def.c. The pattern is kv's raw value
 * (JSON has quotes of its own); every other value is decoded as alarms
 * decode theirs. The first error ends the parse, "line N: KEY: ...".
 */
#include "lib/rule_def_impl.h"

#include "lib/format.h"
#include "lib/kv.h"

#include <errno.h>
#include <string.h>

enum rule_key {
	KEY_PATTERN,
	KEY_SCHEDULE,
	KEY_BUS,
	KEY_TARGET,
	KEY_INPUT_PATH,
	KEY_STATE,
	KEY_DESCRIPTION,
	KEY_COUNT
};

static const char *const key_names[KEY_COUNT] = {
	[KEY_PATTERN] = "pattern",
	[KEY_SCHEDULE] = "schedule",
	[KEY_BUS] = "bus",
	[KEY_TARGET] = "target",
	[KEY_INPUT_PATH] = "input_path",
	[KEY_STATE] = "state",
	[KEY_DESCRIPTION] = "description",
};

/*
 * The counters a reading adds after the definition: accepted and
 * ignored on write, so that what a read shows writes back (SPEC 2).
 */
static const char *const readout_keys[] = {
	"matched", "invocations", "failed_invocations", "last_fired", NULL};

/* Line where each key was first seen (0: not seen), and each target. */
struct parse_state {
	unsigned seen[KEY_COUNT];
	unsigned target_line[RULE_TARGETS_MAX];
};

static int find_key(const struct kv_line *line)
{
	int k;

	for (k = 0; k < KEY_COUNT; k++)
		if (strlen(key_names[k]) == line->key_len &&
		    !memcmp(key_names[k], line->key, line->key_len))
			return k;
	return -1;
}

/* Key k's value, decoded (raw for the pattern), to its setter. */
static int set_value(struct rule_def *d, struct parse_state *ps, int k,
		     const char *s, size_t len, unsigned lineno,
		     struct err *err)
{
	switch (k) {
	case KEY_PATTERN:
		return rule_def_set_pattern(d, s, len, err);
	case KEY_SCHEDULE:
		return rule_def_set_schedule(d, s, len, err);
	case KEY_BUS:
		return rule_def_set_bus(d, s, len, err);
	case KEY_TARGET:
		if (d->ntargets < RULE_TARGETS_MAX)
			ps->target_line[d->ntargets] = lineno;
		return rule_def_add_target(d, s, len, err);
	case KEY_INPUT_PATH:
		return rule_def_set_input_path(d, s, len, err);
	case KEY_STATE:
		return rule_def_set_state(d, s, len, false, err);
	default:
		return rule_def_set_description(d, s, len, err);
	}
}

/* One line: the key checked, then its value. 0, -EINVAL, -ENOMEM. */
static int parse_line(struct kv_reader *r, struct kv_line *line,
		      struct parse_state *ps, struct rule_def *d,
		      struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];
	int k = find_key(line), rc;

	if (k < 0 && kv_key_in(line, readout_keys))
		return 0;
	if (k < 0) {
		err_set(err, "line %u: unknown key \"%s\"", line->lineno,
			format_quote(q, line->key, line->key_len));
		return -EINVAL;
	}
	if (ps->seen[k] && k != KEY_TARGET) {
		err_set(err, "line %u: %s given twice (first on line %u)",
			line->lineno, key_names[k], ps->seen[k]);
		return -EINVAL;
	}
	if (!ps->seen[k])
		ps->seen[k] = line->lineno;
	if (k == KEY_PATTERN) {
		if (line->raw_len == 0) {
			err_set(err, "no value");
			rc = -EINVAL;
		} else {
			rc = set_value(d, ps, k, line->raw, line->raw_len,
				       line->lineno, err);
		}
	} else {
		rc = kv_value(r, line, err);
		if (rc)
			return rc; /* err names the line and key */
		rc = set_value(d, ps, k, line->value, line->value_len,
			       line->lineno, err);
	}
	if (rc == -EINVAL)
		err_prefix(err, "line %u: %s", line->lineno, key_names[k]);
	return rc;
}

/* After the last line: pattern or schedule, the bus, the targets. */
static int finish(struct rule_def *d, const struct parse_state *ps,
		  struct err *err)
{
	const unsigned *seen = ps->seen;
	size_t i;

	if (!seen[KEY_PATTERN] && !seen[KEY_SCHEDULE]) {
		err_set(err, "missing pattern or schedule");
		return -EINVAL;
	}
	if (seen[KEY_PATTERN] && seen[KEY_SCHEDULE]) {
		err_set(err,
			"line %u: schedule: not with a pattern (line %u): give"
			" one",
			seen[KEY_SCHEDULE], seen[KEY_PATTERN]);
		return -EINVAL;
	}
	if (d->has_schedule && rule_def_schedule_bus_refused(d)) {
		err_set(err,
			"line %u: bus: a schedule rule listens on no bus (bus"
			" is for pattern rules)",
			seen[KEY_BUS]);
		return -EINVAL;
	}
	rule_def_finish_bus(d);
	for (i = 0; i < d->ntargets; i++) {
		if (rule_def_target_is_own_bus(d, i)) {
			err_set(err,
				"line %u: target: \"%s\" is the rule's own bus",
				ps->target_line[i], d->targets[i].text);
			return -EINVAL;
		}
	}
	return 0;
}

int rule_def_parse_kv(const char *text, size_t len, struct rule_def *d,
		      struct err *err)
{
	struct parse_state ps;
	struct kv_reader r;
	struct kv_line line;
	int rc;

	memset(&ps, 0, sizeof(ps));
	kv_init(&r, text, len);
	while ((rc = kv_next(&r, &line, err)) == 1) {
		rc = parse_line(&r, &line, &ps, d, err);
		if (rc)
			break;
	}
	if (rc == 0)
		rc = finish(d, &ps, err);
	if (rc == -ENOMEM)
		err_set(err, "out of memory");
	kv_release(&r);
	return rc;
}
