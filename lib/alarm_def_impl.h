/*
 * alarm_def_impl: what the parts of the alarm_def module share, and
 * nothing else — the setters both forms' tables point to, the key ids the
 * rendering writes, and each form's parser. Only lib/alarm_def*.c
 * include it; callers use lib/alarm.h.
 *
 * The parts: alarm_def.c (the dispatch of alarm_def_parse, rendering),
 * alarm_def_fields.c (text helpers, one setter per field, names),
 * alarm_def_dimensions.c (the metric's dimensions, SPEC 11),
 * alarm_def_kv.c (the `key = value` form), alarm_def_json.c
 * (PutMetricAlarm's and PutCompositeAlarm's JSON) and
 * alarm_composite_json.c (a composite as DescribeAlarms shows it).
 * Every function a part does not list here is static in it.
 *
 * Every setter takes the value's text s[0..len) (not NUL-terminated),
 * stores it in its field of d, and returns 0, or -EINVAL with err saying
 * why. The limits are in alarm_def.c's header.
 */
#ifndef MONFS_ALARM_DEF_IMPL_H
#define MONFS_ALARM_DEF_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/alarm.h"
#include "lib/err.h"

#include "lib/array.h"

/* Sets one field from text; 0, or -EINVAL with err saying why. */
typedef int (*alarm_def_setter)(struct alarm_def *d, const char *s, size_t len,
				struct err *err);

/*
 * The keys of the `key = value` form, in SPEC 5's order, then SPEC 12's
 * rule (a composite renders it first).
 */
enum alarm_def_key_id {
	KEY_METRIC,
	KEY_DIMENSION,
	KEY_STATISTIC,
	KEY_PERIOD,
	KEY_COMPARISON,
	KEY_THRESHOLD,
	KEY_EVALUATION_PERIODS,
	KEY_DATAPOINTS_TO_ALARM,
	KEY_TREAT_MISSING_DATA,
	KEY_DESCRIPTION,
	KEY_ALARM_ACTION,
	KEY_OK_ACTION,
	KEY_INSUFFICIENT_DATA_ACTION,
	KEY_ACTIONS_ENABLED,
	KEY_UNIT,
	KEY_TAG,
	KEY_RULE,
	KEY_COUNT
};

/* ---- alarm_def.c: helpers and setters ---- */

/* Whether s[0..len) is exactly the string word. */
bool alarm_def_text_is(const char *s, size_t len, const char *word);

/* Namespace: SPEC 3's levels (JSON's Namespace). */
int alarm_def_set_namespace(struct alarm_def *d, const char *s, size_t len,
			    struct err *err);

/* JSON's MetricName: one name, no '/'. */
int alarm_def_set_metric_name(struct alarm_def *d, const char *s, size_t len,
			      struct err *err);

/* `metric = NAMESPACE/NAME`: namespace and metric, split at the last '/'. */
int alarm_def_set_metric(struct alarm_def *d, const char *s, size_t len,
			 struct err *err);

/* ---- alarm_def_dimensions.c ---- */

/*
 * `metric = NS/Name=Value/.../NAME`, a metric path with dimension
 * components (alarm_def_set_metric hands it over): namespace, name, and
 * the dimensions joined to those already given.
 */
int alarm_def_set_dimensioned_metric(struct alarm_def *d, const char *s,
				     size_t len, struct err *err);

/* `dimension = Name=Value`, the Value decoded (as written). */
int alarm_def_add_dimension(struct alarm_def *d, const char *s, size_t len,
			    struct err *err);

/*
 * One more dimension from its Name and (decoded) Value, as JSON's
 * Dimensions give them: a Name at most once in all, at most
 * DIMENSION_MAX in all. 0, -EINVAL or -ENOMEM.
 */
int alarm_def_add_dimension_parts(struct alarm_def *d, const char *name,
				  size_t name_len, const char *value,
				  size_t value_len, struct err *err);

/* `statistic =`: monfs's names of statistics or CloudWatch's. */
int alarm_def_set_statistic(struct alarm_def *d, const char *s, size_t len,
			    struct err *err);

/* JSON's Statistic: CloudWatch's names of the basic statistics only. */
int alarm_def_set_cloudwatch_statistic(struct alarm_def *d, const char *s,
				       size_t len, struct err *err);

/* JSON's ExtendedStatistic: percentiles only. */
int alarm_def_set_extended_statistic(struct alarm_def *d, const char *s,
				     size_t len, struct err *err);

/* Period in seconds: 1, 5, 10, 20, 30 or a multiple of 60. */
int alarm_def_set_period(struct alarm_def *d, const char *s, size_t len,
			 struct err *err);

/* Comparison: a symbol (>, >=, <, <=) or CloudWatch's name for it. */
int alarm_def_set_comparison(struct alarm_def *d, const char *s, size_t len,
			     struct err *err);

/* Threshold: a number as text. */
int alarm_def_set_threshold(struct alarm_def *d, const char *s, size_t len,
			    struct err *err);

/* Stores v as the threshold, -0 as +0 (so the rendering reads back). */
void alarm_def_store_threshold(struct alarm_def *d, double v);

/*
 * Evaluation periods: an integer from 1 to alarm_def.c's
 * EVALUATION_PERIODS_MAX.
 */
int alarm_def_set_evaluation_periods(struct alarm_def *d, const char *s,
				     size_t len, struct err *err);

/*
 * Datapoints to alarm, as evaluation periods; the caller checks it
 * against evaluation_periods once both are known.
 */
int alarm_def_set_datapoints_to_alarm(struct alarm_def *d, const char *s,
				      size_t len, struct err *err);

/* Treat missing data: missing, ignore, breaching or notBreaching. */
int alarm_def_set_missing(struct alarm_def *d, const char *s, size_t len,
			  struct err *err);

/* Description: UTF-8, tab, CR and LF its only control characters. */
int alarm_def_set_description(struct alarm_def *d, const char *s, size_t len,
			      struct err *err);

/*
 * One more action (log:GROUP/STREAM or exec:/PATH) to the alarm, OK or
 * insufficient-data list; at most ALARM_ACTIONS_MAX in each.
 */
int alarm_def_add_alarm_action(struct alarm_def *d, const char *s, size_t len,
			       struct err *err);
int alarm_def_add_ok_action(struct alarm_def *d, const char *s, size_t len,
			    struct err *err);
int alarm_def_add_insufficient_action(struct alarm_def *d, const char *s,
				      size_t len, struct err *err);

/* Actions enabled: true or false. */
int alarm_def_set_actions_enabled(struct alarm_def *d, const char *s,
				  size_t len, struct err *err);

/* Unit: one of CloudWatch's units. */
int alarm_def_set_unit(struct alarm_def *d, const char *s, size_t len,
		       struct err *err);

/*
 * One more tag from its key and value (blanks at their ends dropped):
 * keys unique, at most ALARM_TAGS_MAX tags. 0 or -EINVAL.
 */
int alarm_def_add_tag_parts(struct alarm_def *d, const char *key,
			    size_t key_len, const char *value, size_t value_len,
			    struct err *err);

/* `tag = KEY=VALUE`, split at the first '=', as alarm_def_add_tag_parts. */
int alarm_def_add_tag(struct alarm_def *d, const char *s, size_t len,
		      struct err *err);

/*
 * A composite's rule (SPEC 12): checked by alarm_rule_parse, kept as
 * written, and d becomes a composite. 0, -EINVAL or -ENOMEM.
 */
int alarm_def_set_rule(struct alarm_def *d, const char *s, size_t len,
		       struct err *err);

/*
 * Whether d's evaluation range in milliseconds fits in an int64_t (see
 * alarm_def.c's header); given period_s and evaluation_periods.
 */
bool alarm_def_period_fits(const struct alarm_def *d);

/* ---- alarm_def_kv.c ---- */

/*
 * The `key = value` form into d, which holds the defaults. 0, -EINVAL
 * with err naming the line at fault, or -ENOMEM.
 */
int alarm_def_parse_kv(const char *text, size_t len, struct alarm_def *d,
		       struct err *err);

/* Key k's name as the `key = value` form writes it. */
const char *alarm_def_key_name(enum alarm_def_key_id k);

/* ---- alarm_def_json.c ---- */

/*
 * PutMetricAlarm's JSON into d, which holds the defaults, or
 * PutCompositeAlarm's when it has an AlarmRule member. Every member is
 * looked at and every error is reported, one per line of err (SPEC 5).
 * 0, -EINVAL or -ENOMEM.
 */
int alarm_def_parse_json(const char *text, size_t len, struct alarm_def *d,
			 struct err *err);

#endif
