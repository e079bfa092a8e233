/* event_envelope: PutEvents entries in, EventBridge envelopes out. */
#include "lib/event_envelope.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/format.h"
#include "lib/parse.h"
#include "lib/timeutil.h"

/* Members of an entry that are accepted and play no part. */
static const char *const IGNORED_MEMBERS[] = {"EventBusName", "TraceHeader"};

void event_entry_release(struct event_entry *e)
{
	free(e->source);
	free(e->detail_type);
	json_decref(e->detail);
	json_decref(e->resources);
	memset(e, 0, sizeof(*e));
}

/* A required non-empty string member key of obj, copied into *out. */
static int take_string(json_t *obj, const char *key, unsigned lineno,
		       char **out, struct err *err)
{
	json_t *v = json_object_get(obj, key);

	if (!v) {
		err_set(err, "line %u: %s: missing", lineno, key);
		return -EINVAL;
	}
	if (!json_is_string(v) || json_string_length(v) == 0) {
		err_set(err, "line %u: %s: not a non-empty string", lineno,
			key);
		return -EINVAL;
	}
	*out = strdup(json_string_value(v));
	return *out ? 0 : -ENOMEM;
}

/* The size of v as compact JSON text, or of the text a string holds. */
static size_t detail_size(json_t *v)
{
	if (json_is_string(v))
		return json_string_length(v);
	return json_dumpb(v, NULL, 0, JSON_COMPACT);
}

/* Detail: an object, or a string holding one. */
static int take_detail(json_t *obj, unsigned lineno, struct event_entry *out,
		       struct err *err)
{
	json_t *v = json_object_get(obj, "Detail");
	json_error_t jerr;
	size_t size;

	if (!v) {
		err_set(err, "line %u: Detail: missing", lineno);
		return -EINVAL;
	}
	if (!json_is_object(v) && !json_is_string(v)) {
		err_set(err,
			"line %u: Detail: not a JSON object, nor a string"
			" holding one",
			lineno);
		return -EINVAL;
	}
	size = detail_size(v);
	if (size > EVENT_DETAIL_MAX) {
		err_set(err, "line %u: Detail: %zu bytes, more than %d", lineno,
			size, EVENT_DETAIL_MAX);
		return -EINVAL;
	}
	if (json_is_object(v)) {
		out->detail = json_incref(v);
		return 0;
	}
	out->detail = json_loadb(json_string_value(v), json_string_length(v),
				 JSON_REJECT_DUPLICATES, &jerr);
	if (!out->detail) {
		err_set(err, "line %u: Detail: not valid JSON: %s", lineno,
			jerr.text);
		return -EINVAL;
	}
	if (!json_is_object(out->detail)) {
		err_set(err, "line %u: Detail: the string holds no JSON object",
			lineno);
		return -EINVAL;
	}
	return 0;
}

/* Resources: an array of strings (absent: empty). */
static int take_resources(json_t *obj, unsigned lineno, struct event_entry *out,
			  struct err *err)
{
	json_t *v = json_object_get(obj, "Resources"), *r;
	size_t i;

	if (!v) {
		out->resources = json_array();
		return out->resources ? 0 : -ENOMEM;
	}
	if (!json_is_array(v)) {
		err_set(err, "line %u: Resources: not an array of strings",
			lineno);
		return -EINVAL;
	}
	json_array_foreach(v, i, r)
	{
		if (!json_is_string(r)) {
			err_set(err,
				"line %u: Resources: item %zu is not a string",
				lineno, i + 1);
			return -EINVAL;
		}
	}
	out->resources = json_incref(v);
	return 0;
}

/* Time: RFC 3339 (or Unix seconds), any date; absent: the arrival. */
static int take_time(json_t *obj, unsigned lineno, struct event_entry *out,
		     struct err *err)
{
	json_t *v = json_object_get(obj, "Time");
	char q[FORMAT_QUOTE_SIZE];

	if (!v)
		return 0;
	if (!json_is_string(v) ||
	    parse_timestamp(json_string_value(v), json_string_length(v),
			    &out->time_ms)) {
		if (json_is_string(v))
			err_set(err,
				"line %u: Time: \"%s\" is not an RFC 3339 time",
				lineno,
				format_quote(q, json_string_value(v),
					     json_string_length(v)));
		else
			err_set(err, "line %u: Time: not a string", lineno);
		return -EINVAL;
	}
	out->has_time = true;
	return 0;
}

/* A member no entry has: EINVAL naming the first. */
static int check_members(json_t *obj, unsigned lineno, struct err *err)
{
	static const char *const KNOWN[] = {"Source", "DetailType", "Detail",
					    "Time", "Resources"};
	char q[FORMAT_QUOTE_SIZE];
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach(obj, key, v)
	{
		bool known = false;

		for (i = 0; i < sizeof(KNOWN) / sizeof(KNOWN[0]); i++)
			known = known || !strcmp(key, KNOWN[i]);
		for (i = 0;
		     i < sizeof(IGNORED_MEMBERS) / sizeof(IGNORED_MEMBERS[0]);
		     i++)
			known = known || !strcmp(key, IGNORED_MEMBERS[i]);
		if (!known) {
			err_set(err,
				"line %u: %s: not a member of a PutEvents"
				" entry",
				lineno, format_quote(q, key, strlen(key)));
			return -EINVAL;
		}
	}
	return 0;
}

int event_entry_parse(const char *line, size_t len, unsigned lineno,
		      struct event_entry *out, struct err *err)
{
	json_error_t jerr;
	json_t *obj;
	int rc;

	memset(out, 0, sizeof(*out));
	out->lineno = lineno;
	obj = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!obj) {
		err_set(err, "line %u: not valid JSON: %s (column %d)", lineno,
			jerr.text, jerr.column);
		return -EINVAL;
	}
	if (!json_is_object(obj)) {
		err_set(err, "line %u: not a JSON object", lineno);
		rc = -EINVAL;
		goto out;
	}
	rc = check_members(obj, lineno, err);
	if (!rc)
		rc = take_string(obj, "Source", lineno, &out->source, err);
	if (!rc)
		rc = take_string(obj, "DetailType", lineno, &out->detail_type,
				 err);
	if (!rc)
		rc = take_detail(obj, lineno, out, err);
	if (!rc)
		rc = take_time(obj, lineno, out, err);
	if (!rc)
		rc = take_resources(obj, lineno, out, err);
out:
	json_decref(obj);
	if (rc)
		event_entry_release(out);
	return rc;
}

void event_batch_release(struct event_batch *batch)
{
	size_t i;

	for (i = 0; i < batch->n; i++)
		event_entry_release(&batch->v[i]);
	free(batch->v);
	memset(batch, 0, sizeof(*batch));
}

/* Room for one more entry. 0 or -ENOMEM. */
static int batch_grow(struct event_batch *batch)
{
	struct event_entry *bigger;
	size_t cap;

	if (batch->n < batch->cap)
		return 0;
	cap = batch->cap ? batch->cap * 2 : 8;
	bigger = realloc(batch->v, cap * sizeof(*bigger));
	if (!bigger)
		return -ENOMEM;
	batch->v = bigger;
	batch->cap = cap;
	return 0;
}

/* Whether s[0..len) is blanks only. */
static bool blank(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

int event_batch_parse(const char *buf, size_t len, struct event_batch *batch,
		      struct err *err)
{
	size_t pos = 0, end;
	unsigned lineno = 0;
	int rc = 0;

	memset(batch, 0, sizeof(*batch));
	while (!rc && pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);

		end = nl ? (size_t)(nl - buf) : len;
		lineno++;
		if (end > pos && buf[end - 1] == '\r')
			end--;
		if (!blank(buf + pos, end - pos)) {
			rc = batch_grow(batch);
			if (!rc)
				rc = event_entry_parse(
					buf + pos, end - pos, lineno,
					&batch->v[batch->n], err);
			if (!rc)
				batch->n++;
		}
		pos = nl ? (size_t)(nl - buf) + 1 : len;
	}
	if (rc)
		event_batch_release(batch);
	return rc;
}

bool event_source_reserved(const char *source)
{
	return strncmp(source, "aws.", 4) == 0;
}

int event_envelope_line(const struct event_envelope *e, struct strbuf *out)
{
	char when[FORMAT_TIME_MAX];
	json_t *env, *resources, *detail;
	char *text;
	int rc;

	resources = e->resources ? json_incref(e->resources) : json_array();
	detail = e->detail ? json_incref(e->detail) : json_object();
	/* Whole seconds, as EventBridge prints an event's time. */
	format_time(when, e->time_ms - ((e->time_ms % 1000) + 1000) % 1000);
	env = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o}", "version", "0",
			"id", e->id, "detail-type", e->detail_type, "source",
			e->source, "account", e->account, "time", when,
			"region", e->region, "resources", resources, "detail",
			detail);
	if (!env)
		return -ENOMEM;
	text = json_dumps(env, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(env);
	if (!text)
		return -ENOMEM;
	rc = strbuf_adds(out, text);
	if (!rc)
		rc = strbuf_add(out, "\n", 1);
	free(text);
	return rc;
}

const char *event_trail_detail_type(const char *event_type)
{
	if (!event_type)
		return NULL;
	if (!strcmp(event_type, "AwsApiCall"))
		return "AWS API Call via CloudTrail";
	if (!strcmp(event_type, "AwsServiceEvent"))
		return "AWS Service Event via CloudTrail";
	if (!strcmp(event_type, "AwsCloudTrailInsight"))
		return "AWS Insight via CloudTrail";
	return NULL;
}

const char *event_trail_source(const char *event_source)
{
	static const struct {
		const char *tree, *source;
	} SOURCES[] = {
		{"metrics.monfs", "aws.cloudwatch"},
		{"alarms.monfs", "aws.cloudwatch"},
		{"dashboards.monfs", "aws.cloudwatch"},
		{"logs.monfs", "aws.logs"},
		{"filters.monfs", "aws.logs"},
		{"events.monfs", "aws.events"},
		{"rules.monfs", "aws.events"},
		{"trail.monfs", "aws.cloudtrail"},
	};
	size_t i;

	for (i = 0; event_source && i < sizeof(SOURCES) / sizeof(SOURCES[0]);
	     i++)
		if (!strcmp(event_source, SOURCES[i].tree))
			return SOURCES[i].source;
	return NULL;
}
