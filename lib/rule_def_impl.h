/*
 * rule_def_impl: what the parts of the rule_def module share — the
 * setters both forms call, so that a value means the same whichever
 * form carried it. Only lib/rule_def*.c include it; callers use
 * lib/rule_def.h.
 *
 * The parts: rule_def.c (setters, cross-field checks, dispatch,
 * rendering), rule_def_kv.c (the `key = value` form), rule_def_json.c
 * (PutRule's and PutTargets' JSON), rule_input_path.c and
 * rule_bus_cycle.c.
 *
 * Every setter takes the value's text s[0..len) (not NUL-terminated),
 * stores it in d, and returns 0, -EINVAL with err saying why (without
 * naming the key or member: the form adds that), or -ENOMEM.
 */
#ifndef MONFS_RULE_DEF_IMPL_H
#define MONFS_RULE_DEF_IMPL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"
#include "lib/rule_def.h"

/* An EventPattern as JSON text, compiled and stored compacted. */
int rule_def_set_pattern(struct rule_def *d, const char *s, size_t len,
			 struct err *err);

/* An EventPattern given as an object (JSON form). */
int rule_def_set_pattern_object(struct rule_def *d, json_t *pattern,
				struct err *err);

int rule_def_set_schedule(struct rule_def *d, const char *s, size_t len,
			  struct err *err);

/* A bus name (SPEC 2); finish decides whether the rule may have it. */
int rule_def_set_bus(struct rule_def *d, const char *s, size_t len,
		     struct err *err);

/* One more target: log:, exec: or events:, at most RULE_TARGETS_MAX. */
int rule_def_add_target(struct rule_def *d, const char *s, size_t len,
			struct err *err);

int rule_def_set_input_path(struct rule_def *d, const char *s, size_t len,
			    struct err *err);

/* ENABLED or DISABLED; json: also ENABLED_WITH_ALL_..._EVENTS. */
int rule_def_set_state(struct rule_def *d, const char *s, size_t len, bool json,
		       struct err *err);

int rule_def_set_description(struct rule_def *d, const char *s, size_t len,
			     struct err *err);

/*
 * Whether a schedule rule's bus, as set, is refused (any but "" and
 * "default": a schedule rule listens on no bus).
 */
bool rule_def_schedule_bus_refused(const struct rule_def *d);

/*
 * After both forms' own checks passed: the bus made final (a pattern
 * rule's default, none for a schedule rule).
 */
void rule_def_finish_bus(struct rule_def *d);

/* Whether target i forwards to d's own bus (after rule_def_finish_bus). */
bool rule_def_target_is_own_bus(const struct rule_def *d, size_t i);

/* ---- the forms: into d (zeroed, enabled); 0, -EINVAL, -ENOMEM ---- */

int rule_def_parse_kv(const char *text, size_t len, struct rule_def *d,
		      struct err *err);

int rule_def_parse_json(const char *text, size_t len, struct rule_def *d,
			struct err *err);

#endif
