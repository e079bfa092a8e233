/*
 * event_ruler: many compiled event patterns (a bus's rules), and the
 * ones an event matches, found without trying every pattern.
 *
 * Each pattern is indexed under keys the event must hold for it to
 * match: (JSON path, exact value) pairs where the pattern has a leaf of
 * exact values (`"source": ["aws.ec2"]` can only match an event whose
 * source is "aws.ec2"), or of prefixes, suffixes, equals-ignore-case
 * values and wildcards with a literal end (keyed by those bytes), else
 * (JSON path, "has a value") where a leaf needs one (a numeric range,
 * anything-but), choosing per pattern the
 * least crowded choice at the time it is added; a $or is indexed under
 * the union of its branches' keys. A match flattens the event once into
 * (path, value) pairs, looks each up, and verifies only the candidates
 * found, plus the few patterns that no key can index (all of whose
 * leaves may match a missing key, such as {"exists": false}). So the
 * cost of a match grows with the event's size and the number of
 * candidates, not with the number of patterns: with AWS-style rules
 * (a source, a detail-type and a detail field each) an event verifies
 * the one or two rules that share its rarest value.
 *
 * Threads: event_ruler_match only reads, so any number of threads may
 * match at once; event_ruler_add and event_ruler_remove write, and the
 * caller must keep them apart from each other and from every match
 * (a pthread_rwlock_t: read-locked around matches, write-locked around
 * add and remove). The ruler holds no lock and no global state.
 */
#ifndef MONFS_EVENT_RULER_H
#define MONFS_EVENT_RULER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "lib/event_pattern.h"

struct event_ruler;

/*
 * Called once for each pattern an event matches, with the pattern's id
 * (ascending) and the caller's arg. Return 0 to go on; anything else
 * stops the match, which returns it.
 */
typedef int (*event_ruler_match_fn)(int64_t id, void *arg);

/* A new, empty ruler (event_ruler_free), or NULL when out of memory. */
struct event_ruler *event_ruler_new(void);

/*
 * Add pattern under id. On success the ruler owns pattern (freed by
 * event_ruler_remove or event_ruler_free); on failure the caller still
 * does. 0; -EEXIST when id is already there (err says so); -ENOMEM. On
 * failure the ruler is unchanged.
 */
int event_ruler_add(struct event_ruler *r, int64_t id,
		    struct event_pattern *pattern, struct err *err);

/* Remove and free the pattern under id. 0, or -ENOENT when none is. */
int event_ruler_remove(struct event_ruler *r, int64_t id);

/* The number of patterns r holds. */
size_t event_ruler_count(const struct event_ruler *r);

/*
 * Of r's patterns, those no key indexes, which every match verifies
 * (for tests and the README's account of the cost).
 */
size_t event_ruler_unindexed(const struct event_ruler *r);

/*
 * Report to fn the id of every pattern in r that event (an envelope
 * object) matches, each once, in ascending order. 0; -ENOMEM (fn may
 * not have been called for every match); or fn's non-zero return.
 */
int event_ruler_match(const struct event_ruler *r, const json_t *event,
		      event_ruler_match_fn fn, void *arg);

/* Free r and every pattern it holds (NULL is fine). */
void event_ruler_free(struct event_ruler *r);

#endif
