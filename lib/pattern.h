/*
 * pattern: CloudWatch Logs filter patterns, compiled once and matched
 * against log events (SPEC 4, 7, 8). The stream `filter=` view and the
 * metric filters both use this module.
 *
 * Forms (CloudWatch's syntax):
 *   - terms: `ERROR`, `"quoted phrase"` (all must occur), `-term` (must
 *     not occur), `?a ?b` (at least one must occur), `%regex%` (POSIX
 *     extended regular expression); the empty pattern matches every event.
 *   - JSON: `{ $.level = "error" && $.latency > 500 }`, with = != < <= > >=,
 *     `*` wildcards in string values, && || and parentheses, selectors
 *     like $.a.b and $.a[0], IS NULL, NOT EXISTS, IS TRUE, IS FALSE.
 *   - space-delimited: `[ip, user, ..., status=5*, bytes>1000]`, fields
 *     split at blanks, "quoted" and [bracketed] fields kept whole, `...`
 *     for any number of fields, conditions with = != < <= > >= and `*`,
 *     joined by && and || within a field.
 */
#ifndef MONFS_PATTERN_H
#define MONFS_PATTERN_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

struct pattern;

/*
 * Compile text[0..len). 0 and *out set, or -EINVAL with err saying what
 * is wrong and where, bytes counted from 1 and the text there shown
 * ("'{' without its closing '}' (at byte 1: { $.a = 1)", or "... (at
 * the end)"), or -ENOMEM. `[]` (no fields) matches every event.
 */
int pattern_compile(const char *text, size_t len, struct pattern **out,
		    struct err *err);

/* Whether the event line[0..len) (no '\n') matches p. */
bool pattern_match(const struct pattern *p, const char *line, size_t len);

/*
 * For metric filters: the number that selector names in an event that
 * matched p — "$name" a field named in p's space-delimited form, or
 * "$.a.b" a JSON path. 0 and *out, -ENOENT when the event has no such
 * field, -EINVAL when its text is not a finite number or the selector
 * cannot apply to p (a $name p does not name).
 *
 * Also "$N", N from 1: the event's Nth field under a space-delimited p
 * (CloudWatch's name for unnamed fields). A field "-" (CloudWatch's "no
 * value") and a JSON null are -ENOENT; a JSON string holding a number
 * counts as that number.
 */
int pattern_value(const struct pattern *p, const char *selector,
		  const char *line, size_t len, double *out);

/* Whether selector could ever apply to p (checked when a filter is
 * defined): 0 or -EINVAL with err saying why. */
int pattern_check_selector(const struct pattern *p, const char *selector,
			   struct err *err);

/* Selectors pattern_texts reads in one call (a filter's dimensions). */
#define PATTERN_TEXTS_MAX 4

/*
 * What pattern_texts found: texts[i] the text of selector i, not
 * NUL-terminated, or NULL when the event has none; valid during the
 * call only.
 */
typedef int (*pattern_texts_fn)(void *ctx, const char *const *texts,
				const size_t *lens);

/*
 * For metric filter dimensions: the text that each of selectors[0..n)
 * names (as pattern_value's) in an event that matched p, the event read
 * once, given to fn in one call. A field's bytes without its quotes or
 * brackets; a JSON string decoded, a JSON number written as the number
 * it reads as, true or false; NULL where pattern_value would say
 * -ENOENT (no such field, "-", a JSON null) and for a JSON object or
 * array. The selectors are all JSON paths or all fields. Returns fn's
 * value; -EINVAL when n > PATTERN_TEXTS_MAX, the selectors are of both
 * kinds, or one cannot apply to p; -ENOMEM.
 */
int pattern_texts(const struct pattern *p, const char *const *selectors,
		  size_t n, const char *line, size_t len, pattern_texts_fn fn,
		  void *ctx);

/*
 * Compile raw[0..len), a regular expression as a %regex% holds it (a
 * POSIX extended expression, \d and \D as [0-9] and [^0-9]), into re
 * with regcomp's cflags, behind the guard that refuses what would make
 * regcomp blow up. For the modules that take regexes of their own (Logs
 * Insights' /regex/). 0 (regfree re after); -EINVAL with err saying why
 * (empty, a NUL byte, too complex, malformed); -ENOMEM.
 */
int pattern_regex_compile(const char *raw, size_t len, int cflags, regex_t *re,
			  struct err *err);

/* Free p (NULL is fine). */
void pattern_free(struct pattern *p);

#endif
