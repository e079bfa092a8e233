/*
 * alarm_def_kv: an alarm's definition in the `key = value` form of
 * SPEC 5, one key per line, into a struct alarm_def through the setters
 * of lib/alarm_def_fields.c. The key table here is also the order and
 * the names alarm_def_render writes. A `rule =` line makes the
 * definition a composite alarm's (SPEC 12), which takes no metric key.
 */
#include "lib/alarm_def_impl.h"

#include "lib/format.h"
#include "lib/kv.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* The keys of SPEC 5, in its order, which is also the rendering's. */
static const struct kv_key {
	const char *name;
	alarm_def_setter set;
	bool repeatable; /* limits are the setter's */
	bool required;
} kv_keys[KEY_COUNT] = {
	[KEY_METRIC] = {"metric", alarm_def_set_metric, false, true},
	[KEY_DIMENSION] = {"dimension", alarm_def_add_dimension, true, false},
	[KEY_STATISTIC] = {"statistic", alarm_def_set_statistic, false, true},
	[KEY_PERIOD] = {"period", alarm_def_set_period, false, true},
	[KEY_COMPARISON] = {"comparison", alarm_def_set_comparison, false,
			    true},
	[KEY_THRESHOLD] = {"threshold", alarm_def_set_threshold, false, true},
	[KEY_EVALUATION_PERIODS] = {"evaluation_periods",
				    alarm_def_set_evaluation_periods, false,
				    false},
	[KEY_DATAPOINTS_TO_ALARM] = {"datapoints_to_alarm",
				     alarm_def_set_datapoints_to_alarm, false,
				     false},
	[KEY_TREAT_MISSING_DATA] = {"treat_missing_data", alarm_def_set_missing,
				    false, false},
	[KEY_DESCRIPTION] = {"description", alarm_def_set_description, false,
			     false},
	[KEY_ALARM_ACTION] = {"alarm_action", alarm_def_add_alarm_action, true,
			      false},
	[KEY_OK_ACTION] = {"ok_action", alarm_def_add_ok_action, true, false},
	[KEY_INSUFFICIENT_DATA_ACTION] = {"insufficient_data_action",
					  alarm_def_add_insufficient_action,
					  true, false},
	[KEY_ACTIONS_ENABLED] = {"actions_enabled",
				 alarm_def_set_actions_enabled, false, false},
	[KEY_UNIT] = {"unit", alarm_def_set_unit, false, false},
	[KEY_TAG] = {"tag", alarm_def_add_tag, true, false},
	[KEY_RULE] = {"rule", alarm_def_set_rule, false, false},
};

/* The keys of a metric alarm alone: a composite takes none of them. */
static const enum alarm_def_key_id metric_keys[] = {
	KEY_METRIC,
	KEY_DIMENSION,
	KEY_STATISTIC,
	KEY_PERIOD,
	KEY_COMPARISON,
	KEY_THRESHOLD,
	KEY_EVALUATION_PERIODS,
	KEY_DATAPOINTS_TO_ALARM,
	KEY_TREAT_MISSING_DATA,
	KEY_UNIT,
};

/*
 * The lines a reading adds after the definition (store/alarms.c):
 * accepted and ignored on write, so that what a read shows writes back
 * (SPEC 2).
 */
static const char *const readout_keys[] = {"state", "reason", "state_updated",
					   NULL};

static int find_kv_key(const char *s, size_t len)
{
	int k;

	for (k = 0; k < KEY_COUNT; k++)
		if (alarm_def_text_is(s, len, kv_keys[k].name))
			return k;
	return -1;
}

/*
 * One `key = value` line. seen[k] is the line where key k first
 * appeared, 0 if not yet. 0, -EINVAL with err set, or -ENOMEM.
 */
static int parse_kv_line(struct kv_reader *r, struct kv_line *line,
			 unsigned seen[KEY_COUNT], struct alarm_def *d,
			 struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];
	int k, rc;

	k = find_kv_key(line->key, line->key_len);
	if (k < 0 && kv_key_in(line, readout_keys))
		return 0;
	if (k < 0) {
		err_set(err, "line %u: unknown key \"%s\"", line->lineno,
			format_quote(q, line->key, line->key_len));
		return -EINVAL;
	}
	if (seen[k] && !kv_keys[k].repeatable) {
		err_set(err, "line %u: %s given twice (first on line %u)",
			line->lineno, kv_keys[k].name, seen[k]);
		return -EINVAL;
	}
	rc = kv_value(r, line, err);
	if (rc)
		return rc;
	rc = kv_keys[k].set(d, line->value, line->value_len, err);
	if (rc == -EINVAL)
		err_prefix(err, "line %u: %s", line->lineno, kv_keys[k].name);
	if (rc == 0 && !seen[k])
		seen[k] = line->lineno;
	return rc;
}

/*
 * After the last line of a composite's definition: no metric key. The
 * first one written is named, with the rule's line.
 */
static int finish_composite_kv(const unsigned seen[KEY_COUNT], struct err *err)
{
	enum alarm_def_key_id first = KEY_COUNT;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(metric_keys); i++) {
		if (seen[metric_keys[i]] &&
		    (first == KEY_COUNT || seen[metric_keys[i]] < seen[first]))
			first = metric_keys[i];
	}
	if (first == KEY_COUNT)
		return 0;
	err_set(err,
		"line %u: %s: not allowed in a composite alarm (rule = on line"
		" %u)",
		seen[first], kv_keys[first].name, seen[KEY_RULE]);
	return -EINVAL;
}

/* After the last line: required keys, defaults, cross-key rules. */
static int finish_kv(struct alarm_def *d, const unsigned seen[KEY_COUNT],
		     struct err *err)
{
	char missing[128] = "";
	size_t used = 0;
	int k;

	if (seen[KEY_RULE])
		return finish_composite_kv(seen, err);
	for (k = 0; k < KEY_COUNT; k++) {
		if (kv_keys[k].required && !seen[k])
			used += (size_t)snprintf(
				missing + used, sizeof(missing) - used, "%s%s",
				used ? ", " : "", kv_keys[k].name);
	}
	if (used) {
		err_set(err, "missing %s", missing);
		return -EINVAL;
	}
	if (!seen[KEY_DATAPOINTS_TO_ALARM]) {
		d->datapoints_to_alarm = d->evaluation_periods;
	} else if (d->datapoints_to_alarm > d->evaluation_periods) {
		err_set(err,
			"line %u: datapoints_to_alarm: %d is more than"
			" evaluation_periods (%d)",
			seen[KEY_DATAPOINTS_TO_ALARM], d->datapoints_to_alarm,
			d->evaluation_periods);
		return -EINVAL;
	}
	if (!alarm_def_period_fits(d)) {
		err_set(err,
			"line %u: period: %" PRId64
			" seconds is too long for %d evaluation periods",
			seen[KEY_PERIOD], d->period_s, d->evaluation_periods);
		return -EINVAL;
	}
	return 0;
}

int alarm_def_parse_kv(const char *text, size_t len, struct alarm_def *d,
		       struct err *err)
{
	unsigned seen[KEY_COUNT] = {0};
	struct kv_reader r;
	struct kv_line line;
	int rc;

	kv_init(&r, text, len);
	while ((rc = kv_next(&r, &line, err)) == 1) {
		rc = parse_kv_line(&r, &line, seen, d, err);
		if (rc)
			goto out;
	}
	if (rc == 0)
		rc = finish_kv(d, seen, err);
out:
	if (rc == -ENOMEM)
		err_set(err, "out of memory");
	kv_release(&r);
	return rc;
}

const char *alarm_def_key_name(enum alarm_def_key_id k)
{
	return kv_keys[k].name;
}
