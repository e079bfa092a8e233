/*
 * event_pattern: EventBridge event patterns (SPEC 13), compiled once and
 * matched against events. A rule's `pattern =` is one; lib/event_ruler.h
 * holds many and finds those an event matches without trying each.
 *
 * Grammar (EventBridge's content filtering, as AWS documents it):
 *
 *   pattern  = object                      at least one field
 *   object   = { field, ... }              every field must match
 *   field    = "key": object               descend into the event's key
 *            | "key": leaf
 *            | "$or": [ object, object, ... ]   at least two; any one
 *   leaf     = [ value, ... ]              at least one; any may match
 *   value    = "string" | number | true | false | null     exact
 *            | {"prefix": "s"}   | {"prefix": {"equals-ignore-case": "s"}}
 *            | {"suffix": "s"}   | {"suffix": {"equals-ignore-case": "s"}}
 *            | {"equals-ignore-case": "s"}
 *            | {"wildcard": "s"}  '*' any run of bytes, "\*" a star,
 *                                 "\\" a backslash; "**" is refused
 *            | {"anything-but": BUT}
 *            | {"numeric": [op, n]} | {"numeric": [op, n, op, n]}
 *                                 op one of = < <= > >=; at most one
 *                                 lower (> >=) and one upper (< <=)
 *                                 bound, "=" alone
 *            | {"exists": true} | {"exists": false}
 *            | {"cidr": "10.0.0.0/24"}     IPv4 or IPv6
 *   BUT      = "s" | number | [ "s", ... ] | [ number, ... ]
 *            | {"prefix": "s" | ["s", ...]} | {"suffix": ...}
 *            | {"wildcard": ...} | {"equals-ignore-case": ...}
 *
 * Matching is on the whole envelope (`source`, `detail-type`, `detail`,
 * ...). A leaf is tested against the event's value at its path: a
 * scalar, or each scalar of an array (nested arrays flattened), any one
 * sufficing. A pattern object descends into an event object, or into
 * each object of an event array, and all its fields (and $or groups)
 * must then hold within that one element ("array-consistent", as
 * EventBridge). Strings compare byte for byte; numbers compare as
 * numbers everywhere (EventBridge compares an exact number by its
 * spelling, 300 against 300.0; jansson keeps the value, not the
 * spelling, so here 300, 300.0 and 3e2 are one number); a string never
 * equals a number ("5" is not 5). prefix, suffix, wildcard and
 * equals-ignore-case test strings only; numeric tests numbers only;
 * cidr tests strings that are IP addresses of its family. Case is
 * folded for ASCII letters only.
 *
 * exists tests leaves: {"exists": true} holds where the event has a
 * scalar at the path (null counts; an object or an empty array does
 * not), {"exists": false} where it has none, a missing key included.
 * anything-but X holds for a scalar that X does not match, whatever its
 * type, and never for a missing key.
 *
 * An empty pattern `{}`, an empty object and an empty leaf are refused,
 * as EventBridge refuses them (an empty pattern would match every
 * event). So is a pattern whose $or groups multiply out to more than
 * 1,000 combinations (EventBridge's limit).
 *
 * A compiled pattern is immutable: any number of threads may match
 * with it at once. Errors are 0 or a negative errno; a refusal fills a
 * caller-owned struct err whose message starts with the JSON path of
 * what is wrong (`detail.x: "numeric" needs an operator and a number`).
 */
#ifndef MONFS_EVENT_PATTERN_H
#define MONFS_EVENT_PATTERN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

struct event_pattern;

/*
 * Compile the pattern text[0..len), a JSON object (duplicate keys are
 * refused). 0 and *out (owned: event_pattern_free); -EINVAL with err
 * naming the path and the fault, or saying where the JSON breaks;
 * -ENOMEM. On failure *out is untouched.
 */
int event_pattern_compile(const char *text, size_t len,
			  struct event_pattern **out, struct err *err);

/*
 * Compile pattern, already parsed (PutRule's EventPattern given as an
 * object). The pattern is only read; the compiled form keeps nothing
 * of it. Same returns as event_pattern_compile.
 */
int event_pattern_compile_json(const json_t *pattern,
			       struct event_pattern **out, struct err *err);

/* Whether event (an envelope object) matches p. */
bool event_pattern_match(const struct event_pattern *p, const json_t *event);

/* How many combinations p's $or groups make (1 without $or). */
size_t event_pattern_combinations(const struct event_pattern *p);

/* Free p (NULL is fine). */
void event_pattern_free(struct event_pattern *p);

#endif
