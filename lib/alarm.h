/*
 * alarm: what an alarm is (its definition, SPEC 5) and how it decides
 * its state (CloudWatch's evaluation rules) — pure logic, no storage:
 * store/alarms.c keeps alarms in the database and store/alarm_state.c
 * feeds this module the datapoints of their metrics.
 */
#ifndef MONFS_ALARM_H
#define MONFS_ALARM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "lib/parse.h"
#include "lib/stats.h"
#include "lib/strbuf.h"

#define ALARM_ACTIONS_MAX 5   /* per state, as CloudWatch allows */
#define ALARM_ACTION_MAX 1024 /* bytes of one action */
#define ALARM_DESCRIPTION_MAX 1024
#define ALARM_TAGS_MAX 50
#define ALARM_TAG_MAX 384 /* "key=value" */
#define ALARM_UNIT_MAX 32

enum alarm_state { ALARM_INSUFFICIENT_DATA, ALARM_OK, ALARM_ALARM };

enum alarm_comparison {
	CMP_GREATER,	   /* >   GreaterThanThreshold */
	CMP_GREATER_EQUAL, /* >=  GreaterThanOrEqualToThreshold */
	CMP_LESS,	   /* <   LessThanThreshold */
	CMP_LESS_EQUAL,	   /* <=  LessThanOrEqualToThreshold */
};

enum alarm_missing {
	MISSING_MISSING,
	MISSING_IGNORE,
	MISSING_BREACHING,
	MISSING_NOT_BREACHING
};

/*
 * A list of actions ("log:GROUP/STREAM" or "exec:/abs/path"), as parsed:
 * a log: group never starts with '/'.
 */
struct alarm_actions {
	char v[ALARM_ACTIONS_MAX][ALARM_ACTION_MAX];
	size_t n;
};

struct alarm_def {
	char ns[NAMESPACE_MAX_BYTES + 1];
	char metric[NAME_MAX_BYTES + 1];
	struct stat_spec stat;
	int64_t period_s; /* period_s * 1000 * alarm_range() fits int64 */
	enum alarm_comparison comparison;
	double threshold;
	int evaluation_periods;	 /* N, 1..100 */
	int datapoints_to_alarm; /* M, 1..N */
	enum alarm_missing missing;
	char description[ALARM_DESCRIPTION_MAX + 1];
	struct alarm_actions alarm_actions, ok_actions, insufficient_actions;
	bool actions_enabled;
	char unit[ALARM_UNIT_MAX]; /* "" when not given */
	/* "key=value", key 1..128 bytes, value 0..256, 384 in all. */
	char tags[ALARM_TAGS_MAX][ALARM_TAG_MAX + 1];
	size_t ntags;
};

/*
 * Parse a definition written to alarms/NAME: the `key = value` form or,
 * when the first non-blank byte is '{', PutMetricAlarm's JSON (SPEC 5).
 * Defaults filled in. 0, or -EINVAL with err naming the key (or line)
 * and what is wrong ("line 4: period: 7 is not 10, 30 or a multiple of
 * 60"; "Dimensions: not supported yet"); -ENOMEM. JSON reports every
 * error at once, one per line of err, and counts a member left empty as
 * the CLI's skeleton leaves it ("", [""], {}, 0 where 0 is not valid)
 * as absent.
 */
int alarm_def_parse(const char *text, size_t len, struct alarm_def *out,
		    struct err *err);

/*
 * The definition in the `key = value` form, every key in SPEC 5's order
 * with defaults filled in (one `alarm_action =` line per action, one
 * `tag =` per tag; values holding '#' or blanks at their ends quoted),
 * such that alarm_def_parse reads it back to the same definition.
 */
int alarm_def_render(const struct alarm_def *d, struct strbuf *out);

/* Names: "ALARM", "OK", "INSUFFICIENT_DATA"; ">", "GreaterThanThreshold". */
const char *alarm_state_name(enum alarm_state s);
const char *alarm_comparison_symbol(enum alarm_comparison c);
const char *alarm_comparison_name(enum alarm_comparison c);
const char *alarm_missing_name(enum alarm_missing m);

/* ---- evaluation ---- */

/* One period of the evaluation range: its start and its value, if any. */
struct alarm_point {
	int64_t start_ms;
	bool has_value;
	double value;
};

/* The number of periods the evaluator looks at: N + max(floor(N/3), 2). */
int alarm_range(const struct alarm_def *d);

struct alarm_verdict {
	enum alarm_state state;
	/*
	 * `ignore` with nothing to decide (no data, or the premature-alarm
	 * rule): keep the state. state is then the current one and reason
	 * ("Unchanged: ...") says why; it is no transition reason to store.
	 */
	bool keep;
	char reason[1024]; /* CloudWatch's words (SPEC 5) */
};

/*
 * Decide the state from points[0..n), the complete periods of the
 * evaluation range, NEWEST FIRST (n == alarm_range(d); periods without
 * data have has_value false), given the current state, following SPEC
 * 5's four cases (k >= N; k = 0; 0 < k < N with breaching/notBreaching;
 * 0 < k < N with missing/ignore and the premature-alarm rule). The reason
 * lists the deciding datapoints newest first, values as Java prints
 * doubles (format_double_java) and times as dd/MM/yy HH:mm:ss UTC:
 *   "Threshold Crossed: 2 out of the last 3 datapoints [91.5 (23/11/26
 *   23:03:00), 88.0 (23/11/26 23:02:00)] were greater than the threshold
 *   (80.0) (minimum 2 datapoints for OK -> ALARM transition)."
 *   "Threshold Crossed: 1 datapoint [91.5 (23/11/26 23:03:00)] was greater
 *   than the threshold (80.0)."
 *   "Insufficient Data: 3 datapoints were unknown."
 * (towards OK: "was not"/"were not", minimum N - M + 1 for ALARM -> OK;
 * "greater than or equal to", "less than", "less than or equal to").
 */
void alarm_evaluate(const struct alarm_def *d, const struct alarm_point *points,
		    size_t n, enum alarm_state current,
		    struct alarm_verdict *out);

#endif
