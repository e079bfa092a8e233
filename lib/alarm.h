/*
 * alarm: what an alarm is (its definition, SPEC 5; a composite's, SPEC
 * 12) and how a metric alarm decides its state (CloudWatch's evaluation
 * rules) — pure logic, no storage: store/alarms.c keeps alarms in the
 * database and store/alarm_state.c feeds this module the datapoints of
 * their metrics. A composite's rule is lib/alarm_rule.h's.
 */
#ifndef MONFS_ALARM_H
#define MONFS_ALARM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/alarm_rule.h"
#include "lib/dimension.h"
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
/*
 * Bytes of an alarm's canonical dimension path (SPEC 11): DIMENSION_MAX
 * components of at most NAME_MAX_BYTES, '/' between them. Every set the
 * tree can name fits, so none is ever cut.
 */
#define ALARM_DIMENSIONS_MAX_BYTES (DIMENSION_MAX * (NAME_MAX_BYTES + 1) - 1)

enum alarm_state { ALARM_INSUFFICIENT_DATA, ALARM_OK, ALARM_ALARM };

/* A metric alarm (SPEC 5), or a composite alarm (SPEC 12). */
enum alarm_kind { ALARM_KIND_METRIC, ALARM_KIND_COMPOSITE };

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

/*
 * A definition. A metric alarm uses every field but rule. A composite
 * uses rule, description, the actions, actions_enabled and tags; its
 * metric fields (ns to missing, and unit) are all zero, so nothing may
 * schedule it by period or feed it datapoints: it is evaluated when an
 * alarm its rule names changes state (SPEC 12).
 */
struct alarm_def {
	enum alarm_kind kind;
	char ns[NAMESPACE_MAX_BYTES + 1]; /* the namespace alone */
	char metric[NAME_MAX_BYTES + 1];
	/*
	 * The metric's dimension set (SPEC 11) as its canonical path,
	 * `A=x/B=y` (names sorted, values %-encoded as the tree lists
	 * them), "" for a dimensionless metric. The series the alarm
	 * watches is the metric `ns/dimensions/metric` of the tree.
	 */
	char dimensions[ALARM_DIMENSIONS_MAX_BYTES + 1];
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
	/*
	 * A composite's rule as written (alarm_rule_parse accepts it), ""
	 * for a metric alarm. Parse it again to evaluate it or for the
	 * alarms it names.
	 */
	char rule[ALARM_RULE_MAX_BYTES + 1];
};

/*
 * Parse a definition written to alarms/NAME: the `key = value` form or,
 * when the first non-blank byte is '{', PutMetricAlarm's JSON (SPEC 5).
 * Defaults filled in. 0, or -EINVAL with err naming the key (or line)
 * and what is wrong ("line 4: period: 7 is not 10, 30 or a multiple of
 * 60"; "line 2: dimension: dimension \"InstanceId\" is given twice");
 * -ENOMEM. A metric's dimensions (SPEC 11) come from the dimension
 * components of `metric =`, from `dimension = Name=Value` lines, or from
 * JSON's Dimensions, in any mix and order, a Name at most once in all.
 * JSON reports every error at once, one per line of err, and counts a
 * member left empty as the CLI's skeleton leaves it ("", [""], {}, 0
 * where 0 is not valid) as absent.
 *
 * A `rule =` line, or a JSON object with an AlarmRule member (then
 * PutCompositeAlarm's request), makes a composite alarm (SPEC 12): its
 * rule is checked here (its syntax and limits, "line 1: rule: expected
 * ')' at position 17"), a metric key beside it is refused by name
 * ("line 2: metric: not allowed in a composite alarm (rule = on line
 * 1)"), and so are ActionsSuppressor, ActionsSuppressorWaitPeriod and
 * ActionsSuppressorExtensionPeriod ("not supported"). That the alarms
 * it names exist and form no cycle is the store's to check.
 */
int alarm_def_parse(const char *text, size_t len, struct alarm_def *out,
		    struct err *err);

/*
 * What a definition text is meant as, whether or not it is valid: a
 * composite when it has a `rule` line (up to its first line that is no
 * `key = value`) or is a JSON object with an AlarmRule member, else a
 * metric alarm. So that a refused definition is on the record as the
 * request it was (PutCompositeAlarm or PutMetricAlarm).
 */
enum alarm_kind alarm_def_kind_of(const char *text, size_t len);

/*
 * The definition in the `key = value` form, every key in SPEC 5's order
 * with defaults filled in (one `alarm_action =` line per action, one
 * `tag =` per tag; values holding '#' or blanks at their ends quoted),
 * such that alarm_def_parse reads it back to the same definition. A
 * composite's: `rule =`, then description, the actions,
 * actions_enabled and tags as a metric alarm's.
 */
int alarm_def_render(const struct alarm_def *d, struct strbuf *out);

/*
 * d's dimensions (d->dimensions) added to set, which the caller frees
 * (dimension_set_free), for the `dimension =` lines, DescribeAlarms'
 * Dimensions and the trail. 0, -EINVAL (d was not made by
 * alarm_def_parse) or -ENOMEM.
 */
int alarm_def_dimension_set(const struct alarm_def *d,
			    struct dimension_set *set);

/*
 * Append the namespace of the series d watches to out: d->ns, then
 * `/` and d->dimensions when it has dimensions ("AWS/EC2/InstanceId=i-1"),
 * the namespace row under which the store keeps that series' metric
 * (and the trail's "namespace" parameter, which the trail splits). 0 or
 * -ENOMEM.
 */
int alarm_def_series_namespace(const struct alarm_def *d, struct strbuf *out);

/* What a view shows of an alarm beside its definition. */
struct alarm_status {
	enum alarm_state state;
	const char *reason;
	int64_t state_updated_ms;
	int64_t config_updated_ms; /* when the definition was last written */
};

/*
 * A composite alarm (d->kind ALARM_KIND_COMPOSITE) named name as
 * DescribeAlarms' CompositeAlarm (SPEC 12's JSON views), one line of
 * compact JSON and '\n' appended to out, the members in the order
 * store/alarms.c writes a MetricAlarm's: AlarmName, AlarmDescription,
 * AlarmConfigurationUpdatedTimestamp, ActionsEnabled, OKActions,
 * AlarmActions, InsufficientDataActions, StateValue, StateReason,
 * StateUpdatedTimestamp, then AlarmRule. 0 or -ENOMEM (out as it was).
 */
int alarm_composite_render_json(const char *name, const struct alarm_def *d,
				const struct alarm_status *status,
				struct strbuf *out);

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
