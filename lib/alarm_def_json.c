/*
 * alarm_def_json: an alarm's definition as PutMetricAlarm's JSON request
 * (SPEC 5), or PutCompositeAlarm's (SPEC 12) when it has an AlarmRule
 * member, into a struct alarm_def through the setters of
 * lib/alarm_def_fields.c. Every member of both requests is known here:
 * taken, ignored, or refused with the reason; every error is reported.
 */
#include "lib/alarm_def_impl.h"

#include "lib/format.h"
#include "lib/json_request.h"
#include "lib/units.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- PutMetricAlarm's and PutCompositeAlarm's JSON ---- */

enum json_kind {
	JSON_KIND_STRING,     /* a string, to the text setter */
	JSON_KIND_INTEGER,    /* an integer, to the text setter as decimal */
	JSON_KIND_NUMBER,     /* Threshold */
	JSON_KIND_BOOLEAN,    /* ActionsEnabled */
	JSON_KIND_STRINGS,    /* an array of strings, each to the text setter */
	JSON_KIND_TAGS,	      /* an array of {Key, Value} */
	JSON_KIND_DIMENSIONS, /* an array of {Name, Value} */
	JSON_KIND_IGNORED,    /* a string monfs has no use for */
	JSON_KIND_REFUSED,    /* not supported: refused whatever its value */
};

enum json_member_id {
	MEMBER_NAMESPACE,
	MEMBER_METRIC_NAME,
	MEMBER_STATISTIC,
	MEMBER_EXTENDED_STATISTIC,
	MEMBER_PERIOD,
	MEMBER_EVALUATION_PERIODS,
	MEMBER_DATAPOINTS_TO_ALARM,
	MEMBER_THRESHOLD,
	MEMBER_COMPARISON_OPERATOR,
	MEMBER_TREAT_MISSING_DATA,
	MEMBER_ALARM_DESCRIPTION,
	MEMBER_ALARM_ACTIONS,
	MEMBER_OK_ACTIONS,
	MEMBER_INSUFFICIENT_DATA_ACTIONS,
	MEMBER_ACTIONS_ENABLED,
	MEMBER_UNIT,
	MEMBER_TAGS,
	MEMBER_ALARM_NAME,
	MEMBER_EVALUATE_LOW_SAMPLE_COUNT_PERCENTILE,
	MEMBER_DIMENSIONS,
	MEMBER_METRICS,
	MEMBER_THRESHOLD_METRIC_ID,
	MEMBER_EVALUATION_CRITERIA,
	MEMBER_EVALUATION_INTERVAL,
	MEMBER_ALARM_RULE,
	MEMBER_ACTIONS_SUPPRESSOR,
	MEMBER_ACTIONS_SUPPRESSOR_WAIT_PERIOD,
	MEMBER_ACTIONS_SUPPRESSOR_EXTENSION_PERIOD,
	MEMBER_COUNT
};

/* The request a definition is, and so the members it may have. */
enum json_request {
	REQUEST_METRIC = 1,    /* PutMetricAlarm */
	REQUEST_COMPOSITE = 2, /* PutCompositeAlarm: it has AlarmRule */
};

static const char *const request_names[] = {
	[REQUEST_METRIC] = "PutMetricAlarm",
	[REQUEST_COMPOSITE] = "PutCompositeAlarm",
};

#define SUPPRESSOR_REFUSAL                                                     \
	"not supported (monfs does not suppress a composite's actions)"

/* Every member of PutMetricAlarm's and PutCompositeAlarm's requests. */
static const struct json_member {
	const char *name;
	enum json_kind kind;
	alarm_def_setter set;
	const char *refusal; /* for REFUSED */
} json_members[MEMBER_COUNT] = {
	[MEMBER_NAMESPACE] = {"Namespace", JSON_KIND_STRING,
			      alarm_def_set_namespace, NULL},
	[MEMBER_METRIC_NAME] = {"MetricName", JSON_KIND_STRING,
				alarm_def_set_metric_name, NULL},
	[MEMBER_STATISTIC] = {"Statistic", JSON_KIND_STRING,
			      alarm_def_set_cloudwatch_statistic, NULL},
	[MEMBER_EXTENDED_STATISTIC] = {"ExtendedStatistic", JSON_KIND_STRING,
				       alarm_def_set_extended_statistic, NULL},
	[MEMBER_PERIOD] = {"Period", JSON_KIND_INTEGER, alarm_def_set_period,
			   NULL},
	[MEMBER_EVALUATION_PERIODS] = {"EvaluationPeriods", JSON_KIND_INTEGER,
				       alarm_def_set_evaluation_periods, NULL},
	[MEMBER_DATAPOINTS_TO_ALARM] = {"DatapointsToAlarm", JSON_KIND_INTEGER,
					alarm_def_set_datapoints_to_alarm,
					NULL},
	[MEMBER_THRESHOLD] = {"Threshold", JSON_KIND_NUMBER, NULL, NULL},
	[MEMBER_COMPARISON_OPERATOR] = {"ComparisonOperator", JSON_KIND_STRING,
					alarm_def_set_comparison, NULL},
	[MEMBER_TREAT_MISSING_DATA] = {"TreatMissingData", JSON_KIND_STRING,
				       alarm_def_set_missing, NULL},
	[MEMBER_ALARM_DESCRIPTION] = {"AlarmDescription", JSON_KIND_STRING,
				      alarm_def_set_description, NULL},
	[MEMBER_ALARM_ACTIONS] = {"AlarmActions", JSON_KIND_STRINGS,
				  alarm_def_add_alarm_action, NULL},
	[MEMBER_OK_ACTIONS] = {"OKActions", JSON_KIND_STRINGS,
			       alarm_def_add_ok_action, NULL},
	[MEMBER_INSUFFICIENT_DATA_ACTIONS] = {"InsufficientDataActions",
					      JSON_KIND_STRINGS,
					      alarm_def_add_insufficient_action,
					      NULL},
	[MEMBER_ACTIONS_ENABLED] = {"ActionsEnabled", JSON_KIND_BOOLEAN, NULL,
				    NULL},
	[MEMBER_UNIT] = {"Unit", JSON_KIND_STRING, alarm_def_set_unit, NULL},
	[MEMBER_TAGS] = {"Tags", JSON_KIND_TAGS, NULL, NULL},
	[MEMBER_ALARM_NAME] = {"AlarmName", JSON_KIND_IGNORED, NULL, NULL},
	[MEMBER_EVALUATE_LOW_SAMPLE_COUNT_PERCENTILE] =
		{"EvaluateLowSampleCountPercentile", JSON_KIND_IGNORED, NULL,
		 NULL},
	[MEMBER_DIMENSIONS] = {"Dimensions", JSON_KIND_DIMENSIONS, NULL, NULL},
	[MEMBER_METRICS] =
		{"Metrics", JSON_KIND_REFUSED, NULL,
		 "not supported yet (metric math and alarms on several"
		 " metrics); name one metric with Namespace, MetricName"
		 " and Statistic"},
	[MEMBER_THRESHOLD_METRIC_ID] = {"ThresholdMetricId", JSON_KIND_REFUSED,
					NULL,
					"not supported yet (anomaly detection"
					" bands); give a Threshold"},
	[MEMBER_EVALUATION_CRITERIA] = {"EvaluationCriteria", JSON_KIND_REFUSED,
					NULL,
					"not supported yet (alarms on PromQL"
					" queries)"},
	[MEMBER_EVALUATION_INTERVAL] = {"EvaluationInterval", JSON_KIND_REFUSED,
					NULL,
					"not supported yet (monfs evaluates an"
					" alarm at the end of each of its"
					" periods)"},
	[MEMBER_ALARM_RULE] = {"AlarmRule", JSON_KIND_STRING,
			       alarm_def_set_rule, NULL},
	[MEMBER_ACTIONS_SUPPRESSOR] = {"ActionsSuppressor", JSON_KIND_REFUSED,
				       NULL, SUPPRESSOR_REFUSAL},
	[MEMBER_ACTIONS_SUPPRESSOR_WAIT_PERIOD] =
		{"ActionsSuppressorWaitPeriod", JSON_KIND_REFUSED, NULL,
		 SUPPRESSOR_REFUSAL},
	[MEMBER_ACTIONS_SUPPRESSOR_EXTENSION_PERIOD] =
		{"ActionsSuppressorExtensionPeriod", JSON_KIND_REFUSED, NULL,
		 SUPPRESSOR_REFUSAL},
};

/*
 * The requests member m belongs to (REQUEST_ bits). ActionsSuppressor*
 * are PutCompositeAlarm's, but refused whichever request holds them.
 */
static unsigned member_requests(enum json_member_id m)
{
	switch (m) {
	case MEMBER_ALARM_NAME:
	case MEMBER_ALARM_DESCRIPTION:
	case MEMBER_ACTIONS_ENABLED:
	case MEMBER_ALARM_ACTIONS:
	case MEMBER_OK_ACTIONS:
	case MEMBER_INSUFFICIENT_DATA_ACTIONS:
	case MEMBER_TAGS:
	case MEMBER_ACTIONS_SUPPRESSOR:
	case MEMBER_ACTIONS_SUPPRESSOR_WAIT_PERIOD:
	case MEMBER_ACTIONS_SUPPRESSOR_EXTENSION_PERIOD:
		return REQUEST_METRIC | REQUEST_COMPOSITE;
	case MEMBER_ALARM_RULE:
		return REQUEST_COMPOSITE;
	default:
		return REQUEST_METRIC;
	}
}

static int wrong_type(json_t *v, const char *want, struct err *err)
{
	err_set(err, "must be %s, not %s", want, json_request_type_name(v));
	return -EINVAL;
}

/*
 * Tags: [{"Key": "team", "Value": "ops"}, ...]. On error *at is the
 * index of the tag at fault.
 */
static int set_json_tags(struct alarm_def *d, json_t *tags, size_t *at,
			 struct err *err)
{
	json_t *tag, *key, *value;
	size_t i;

	if (!json_is_array(tags))
		return wrong_type(tags, "an array", err);
	json_array_foreach(tags, i, tag)
	{
		*at = i;
		key = json_object_get(tag, "Key");
		value = json_object_get(tag, "Value");
		if (!json_is_object(tag) || !json_is_string(key) ||
		    !json_is_string(value) || json_object_size(tag) != 2) {
			err_set(err, "must be {\"Key\": string, \"Value\":"
				     " string}");
			return -EINVAL;
		}
		if (alarm_def_add_tag_parts(d, json_string_value(key),
					    json_string_length(key),
					    json_string_value(value),
					    json_string_length(value), err))
			return -EINVAL;
	}
	return 0;
}

/*
 * Dimensions: [{"Name": "InstanceId", "Value": "i-0abc"}, ...], each
 * Value as CloudWatch holds it (not %-encoded), SPEC 11. On error *at is
 * the index of the dimension at fault.
 */
static int set_json_dimensions(struct alarm_def *d, json_t *dims, size_t *at,
			       struct err *err)
{
	json_t *dim, *name, *value;
	size_t i;
	int rc;

	if (!json_is_array(dims))
		return wrong_type(dims, "an array", err);
	json_array_foreach(dims, i, dim)
	{
		*at = i;
		name = json_object_get(dim, "Name");
		value = json_object_get(dim, "Value");
		if (!json_is_object(dim) || !json_is_string(name) ||
		    !json_is_string(value) || json_object_size(dim) != 2) {
			err_set(err, "must be {\"Name\": string, \"Value\":"
				     " string}");
			return -EINVAL;
		}
		rc = alarm_def_add_dimension_parts(
			d, json_string_value(name), json_string_length(name),
			json_string_value(value), json_string_length(value),
			err);
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * One member's value into d. 0 or -EINVAL with err set; for an array,
 * *at is then the index of the element at fault, if one is.
 */
static int set_json_value(struct alarm_def *d, const struct json_member *m,
			  json_t *v, size_t *at, struct err *err)
{
	char digits[32];
	json_t *item;
	size_t i;

	switch (m->kind) {
	case JSON_KIND_STRING:
		if (!json_is_string(v))
			return wrong_type(v, "a string", err);
		return m->set(d, json_string_value(v), json_string_length(v),
			      err);
	case JSON_KIND_INTEGER:
		if (!json_is_integer(v))
			return wrong_type(v, "an integer", err);
		snprintf(digits, sizeof(digits), "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
		return m->set(d, digits, strlen(digits), err);
	case JSON_KIND_NUMBER:
		if (!json_is_number(v))
			return wrong_type(v, "a number", err);
		alarm_def_store_threshold(d, json_number_value(v));
		return 0;
	case JSON_KIND_BOOLEAN:
		if (!json_is_boolean(v))
			return wrong_type(v, "true or false", err);
		d->actions_enabled = json_is_true(v);
		return 0;
	case JSON_KIND_STRINGS:
		if (!json_is_array(v))
			return wrong_type(v, "an array of strings", err);
		json_array_foreach(v, i, item)
		{
			*at = i;
			if (!json_is_string(item))
				return wrong_type(item, "a string", err);
			if (m->set(d, json_string_value(item),
				   json_string_length(item), err))
				return -EINVAL;
		}
		return 0;
	case JSON_KIND_TAGS:
		return set_json_tags(d, v, at, err);
	case JSON_KIND_DIMENSIONS:
		return set_json_dimensions(d, v, at, err);
	case JSON_KIND_IGNORED:
		return json_is_string(v) ? 0 : wrong_type(v, "a string", err);
	case JSON_KIND_REFUSED:
		break;
	}
	err_set(err, "%s", m->refusal);
	return -EINVAL;
}

/* One member into d; an error names it: "AlarmActions[1]: ...". */
static int set_json_member(struct alarm_def *d, const struct json_member *m,
			   json_t *v, struct err *err)
{
	size_t at = SIZE_MAX;
	int rc = set_json_value(d, m, v, &at, err);

	if (rc && at != SIZE_MAX)
		err_prefix(err, "%s[%zu]", m->name, at);
	else if (rc)
		err_prefix(err, "%s", m->name);
	return rc;
}

/*
 * After the last member of PutCompositeAlarm's request: its rule is
 * there. Metric members were refused one by one as they came.
 */
static void finish_composite_json(const bool given[MEMBER_COUNT],
				  struct err_list *errors)
{
	struct err one = {""};

	if (!given[MEMBER_ALARM_RULE]) {
		err_set(&one, "missing AlarmRule");
		err_list_add(errors, &one);
	}
}

/*
 * After the last member: required members, defaults, cross-member rules,
 * each error one line of errors. given[m]: member m was there (and not
 * left empty); set[m]: and its value was taken. A rule between two
 * members is checked only when both values were taken, so that one bad
 * value is not reported twice.
 */
static void finish_json(struct alarm_def *d, const bool given[MEMBER_COUNT],
			const bool set[MEMBER_COUNT], struct err_list *errors)
{
	static const enum json_member_id required[] = {
		MEMBER_NAMESPACE,	    MEMBER_METRIC_NAME, MEMBER_PERIOD,
		MEMBER_COMPARISON_OPERATOR, MEMBER_THRESHOLD,
	};
	bool periods_known = set[MEMBER_EVALUATION_PERIODS] ||
			     !given[MEMBER_EVALUATION_PERIODS];
	char missing[160] = "";
	struct err one = {""};
	size_t used = 0, i;

	for (i = 0; i < ARRAY_SIZE(required); i++) {
		if (!given[required[i]])
			used += (size_t)snprintf(
				missing + used, sizeof(missing) - used, "%s%s",
				used ? ", " : "",
				json_members[required[i]].name);
	}
	if (!given[MEMBER_STATISTIC] && !given[MEMBER_EXTENDED_STATISTIC])
		snprintf(missing + used, sizeof(missing) - used, "%s%s",
			 used ? ", " : "", "Statistic or ExtendedStatistic");
	if (missing[0]) {
		err_set(&one, "missing %s", missing);
		err_list_add(errors, &one);
	}
	if (given[MEMBER_STATISTIC] && given[MEMBER_EXTENDED_STATISTIC]) {
		err_set(&one, "Statistic and ExtendedStatistic: give one, not"
			      " both");
		err_list_add(errors, &one);
	}
	if (!given[MEMBER_DATAPOINTS_TO_ALARM]) {
		d->datapoints_to_alarm = d->evaluation_periods;
	} else if (set[MEMBER_DATAPOINTS_TO_ALARM] && periods_known &&
		   d->datapoints_to_alarm > d->evaluation_periods) {
		err_set(&one,
			"DatapointsToAlarm: %d is more than EvaluationPeriods"
			" (%d)",
			d->datapoints_to_alarm, d->evaluation_periods);
		err_list_add(errors, &one);
	}
	if (set[MEMBER_PERIOD] && periods_known && !alarm_def_period_fits(d)) {
		err_set(&one,
			"Period: %" PRId64
			" seconds is too long for %d evaluation periods",
			d->period_s, d->evaluation_periods);
		err_list_add(errors, &one);
	}
}

static int find_json_member(const char *name)
{
	int m;

	for (m = 0; m < MEMBER_COUNT; m++)
		if (!strcmp(name, json_members[m].name))
			return m;
	return -1;
}

/* "\"x\" is not a member of PutMetricAlarm", and the member meant. */
static void unknown_member(const char *name, enum json_request request,
			   struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];
	int m;

	format_quote(q, name, strlen(name));
	for (m = 0; m < MEMBER_COUNT; m++) {
		if (!strcasecmp(name, json_members[m].name)) {
			err_set(err,
				"\"%s\" is not a member of %s (the names are"
				" case-sensitive: %s)",
				q, request_names[request],
				json_members[m].name);
			return;
		}
	}
	err_set(err, "\"%s\" is not a member of %s", q, request_names[request]);
}

/*
 * A unit name inside a member: the CLI's skeleton cannot leave a "Unit"
 * empty (it fills in one), so it counts as left empty (SPEC 5).
 */
static bool skeleton_unit(const char *key, const json_t *v)
{
	return !strcmp(key, "Unit") && json_is_string(v) &&
	       metric_unit_valid(json_string_value(v));
}

/*
 * Whether member m is left empty as the CLI's skeleton leaves it, and so
 * counts as absent (SPEC 5): "", [""], [{"Name":"","Value":""}], {}, or
 * 0 where 0 is not a valid value (every number but Threshold).
 */
static bool member_left_empty(const struct json_member *m, json_t *v)
{
	if (m->kind == JSON_KIND_NUMBER)
		return false;
	return json_request_blank(v, false, skeleton_unit);
}

/*
 * One member of request, name: v, into d. given and set as finish_json
 * reads them; an error is one line of errors. 0, or -ENOMEM if a setter
 * ran out of memory.
 */
static int parse_json_member(struct alarm_def *d, enum json_request request,
			     const char *name, json_t *v,
			     bool given[MEMBER_COUNT], bool set[MEMBER_COUNT],
			     struct err_list *errors)
{
	struct err one = {""};
	int m = find_json_member(name), rc;

	if (m < 0) {
		unknown_member(name, request, &one);
		err_list_add(errors, &one);
		return 0;
	}
	if (member_left_empty(&json_members[m], v))
		return 0;
	given[m] = true;
	if (!(member_requests((enum json_member_id)m) & request)) {
		err_set(&one,
			"%s: not allowed in a composite alarm (with"
			" AlarmRule)",
			json_members[m].name);
		err_list_add(errors, &one);
		return 0;
	}
	rc = set_json_member(d, &json_members[m], v, &one);
	if (rc == 0)
		set[m] = true;
	else
		err_list_add(errors, &one);
	return rc == -ENOMEM ? rc : 0;
}

/*
 * PutMetricAlarm's JSON, or PutCompositeAlarm's. Every member is looked
 * at and every error is reported, one per line of err (SPEC 5). 0,
 * -EINVAL or -ENOMEM.
 */
int alarm_def_parse_json(const char *text, size_t len, struct alarm_def *d,
			 struct err *err)
{
	bool given[MEMBER_COUNT] = {false}, set[MEMBER_COUNT] = {false};
	enum json_request request;
	struct err_list errors;
	const char *name;
	json_t *root, *v;
	int nomem = 0, rc;

	rc = json_request_load(text, len, &root, err);
	if (rc)
		return rc;
	err_list_init(&errors, err);
	/* AlarmRule, even left empty, says which request this is. */
	request = json_object_get(root, "AlarmRule") ? REQUEST_COMPOSITE
						     : REQUEST_METRIC;
	json_object_foreach(root, name, v)
	{
		if (parse_json_member(d, request, name, v, given, set, &errors))
			nomem = -ENOMEM;
	}
	if (request == REQUEST_COMPOSITE)
		finish_composite_json(given, &errors);
	else
		finish_json(d, given, set, &errors);
	json_decref(root);
	if (nomem) {
		err_set(err, "out of memory");
		return nomem;
	}
	return err_list_finish(&errors) ? -EINVAL : 0;
}
