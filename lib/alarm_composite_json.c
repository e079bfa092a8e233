/*
 * alarm_composite_json: a composite alarm (SPEC 12) as DescribeAlarms
 * shows one, a CompositeAlarm, for the alarm's JSON views. The members
 * come in the order store/alarms.c gives a MetricAlarm's, those the two
 * shapes share first, so that a reader of both finds them alike; the
 * members of suppression (ActionsSuppressor...) are left out, as monfs
 * refuses them.
 */
#include "lib/alarm.h"
#include "lib/alarm_def_impl.h"

#include "lib/format.h"

#include <assert.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/*
 * Set j's member key to value (a new reference, which may be NULL: a
 * failed allocation, or a string jansson refused). Whether it was set.
 */
static bool put(json_t *j, const char *key, json_t *value)
{
	return value && json_object_set_new(j, key, value) == 0;
}

/* A list of actions as a JSON array of strings; NULL if out of memory. */
static json_t *actions_json(const struct alarm_actions *a)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr && i < a->n && i < ALARM_ACTIONS_MAX; i++) {
		if (json_array_append_new(arr, json_string(a->v[i]))) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/* A bounded field of d as a JSON string. */
#define FIELD_JSON(field) json_stringn(field, strnlen(field, sizeof(field)))

int alarm_composite_render_json(const char *name, const struct alarm_def *d,
				const struct alarm_status *status,
				struct strbuf *out)
{
	char configured[FORMAT_TIME_MAX], updated[FORMAT_TIME_MAX];
	json_t *j = json_object();
	bool ok = j != NULL;
	char *text;
	int rc;

	assert(d->kind == ALARM_KIND_COMPOSITE);
	ok = ok && put(j, "AlarmName", json_string(name));
	ok = ok && put(j, "AlarmDescription", FIELD_JSON(d->description));
	ok = ok && put(j, "AlarmConfigurationUpdatedTimestamp",
		       json_string(format_time(configured,
					       status->config_updated_ms)));
	ok = ok && put(j, "ActionsEnabled", json_boolean(d->actions_enabled));
	ok = ok && put(j, "OKActions", actions_json(&d->ok_actions));
	ok = ok && put(j, "AlarmActions", actions_json(&d->alarm_actions));
	ok = ok && put(j, "InsufficientDataActions",
		       actions_json(&d->insufficient_actions));
	ok = ok &&
	     put(j, "StateValue", json_string(alarm_state_name(status->state)));
	ok = ok && put(j, "StateReason", json_string(status->reason));
	ok = ok &&
	     put(j, "StateUpdatedTimestamp",
		 json_string(format_time(updated, status->state_updated_ms)));
	ok = ok && put(j, "AlarmRule", FIELD_JSON(d->rule));
	text = ok ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(j);
	if (!text)
		return -ENOMEM;
	rc = strbuf_addf(out, "%s\n", text);
	free(text);
	return rc;
}
