/*
 * alarm_def: an alarm's definition as a user writes it (SPEC 5), in the
 * `key = value` form or as PutMetricAlarm's JSON, and back to text.
 *
 * Both forms feed one setter per field, so a value means the same
 * whichever form carried it. A parsed definition is normalized (a log:
 * group without its leading '/', tags without blanks at their ends, a
 * threshold of -0 as 0, every unused byte zero), so that parsing its
 * rendering gives back the same struct, byte for byte.
 *
 * Limits SPEC 5 leaves open, chosen here:
 * - evaluation_periods is 1 to EVALUATION_PERIODS_MAX;
 * - period may be any period of SPEC 3 such that the evaluation range
 *   in milliseconds, period * 1000 * alarm_range, fits in an int64_t
 *   (over two million years), so the evaluator's arithmetic cannot
 *   overflow;
 * - a tag is KEY=VALUE as CloudWatch bounds them (key 1-128 bytes, not
 *   starting with "aws:", value 0-256 bytes), keys unique, and at most
 *   ALARM_TAG_MAX bytes in all, so a 128-byte key leaves 255 for its
 *   value;
 * - every text kept (description, tags, actions) is UTF-8 without
 *   control characters, but for tab, CR and LF in a description, which
 *   the `key = value` form carries quoted as \t, \r and \n.
 */
#include "lib/alarm.h"

#include "lib/format.h"
#include "lib/kv.h"
#include "lib/caller.h"
#include "lib/parse.h"
#include "lib/timeutil.h"
#include "lib/units.h"
#include "lib/utf8.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define EVALUATION_PERIODS_MAX 100
#define TAG_KEY_MAX 128	  /* bytes, as CloudWatch allows */
#define TAG_VALUE_MAX 256 /* bytes, as CloudWatch allows */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Sets one field from text; 0, or -EINVAL with err saying why. */
typedef int (*text_setter)(struct alarm_def *d, const char *s, size_t len,
			   struct err *err);

/* ---- small text helpers ---- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool text_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(s, word, len) == 0;
}

static bool has_prefix(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(s, prefix, n) == 0;
}

/*
 * Replace, in place, each control byte and each byte that does not begin
 * a well-formed UTF-8 sequence with '?' (for messages from jansson).
 */
static void clean_text(char *s)
{
	unsigned char *u = (unsigned char *)s;
	size_t len = strlen(s), i = 0, n;

	while (i < len) {
		n = u[i] < 0x20 || u[i] == 0x7F
			    ? 0
			    : utf8_sequence_length(u + i, len - i);
		if (n == 0) {
			u[i++] = '?';
			continue;
		}
		i += n;
	}
}

/*
 * Whether s[0..len) is well-formed UTF-8 whose only control bytes are
 * among allowed (a string, possibly empty).
 */
static bool text_ok(const char *s, size_t len, const char *allowed)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		if (u[i] < 0x20 || u[i] == 0x7F) {
			if (u[i] == 0 || !strchr(allowed, u[i]))
				return false;
			i++;
			continue;
		}
		n = utf8_sequence_length(u + i, len - i);
		if (!n)
			return false;
		i += n;
	}
	return true;
}

/* Copy s[0..len) into dst (len < its size) as a NUL-terminated string. */
static void copy_text(char *dst, const char *s, size_t len)
{
	memcpy(dst, s, len);
	dst[len] = '\0';
}

/* A small integer of decimal digits only, in [min, max]. 0 or -EINVAL. */
static int parse_small_int(const char *s, size_t len, int min, int max,
			   int *out)
{
	long v = 0;
	size_t i;

	if (len == 0)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
		if (v > max)
			return -EINVAL;
	}
	if (v < min)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

/* ---- names ---- */

/* ---- one setter per field, shared by both forms ---- */

static int set_namespace(struct alarm_def *d, const char *s, size_t len,
			 struct err *err)
{
	if (parse_levels(s, len, NAMESPACE_MAX_BYTES, err))
		return -EINVAL;
	copy_text(d->ns, s, len);
	return 0;
}

/*
 * JSON's MetricName. A metric is one path component, so it holds no '/'
 * (parse_name, given components, does not look for one): the `metric =`
 * form would split it at the '/' when read back.
 */
static int set_metric_name(struct alarm_def *d, const char *s, size_t len,
			   struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];

	if (parse_name_explained(s, len, err))
		return -EINVAL;
	if (memchr(s, '/', len)) {
		err_set(err, "\"%s\" is not a name (it holds '/')",
			format_quote(q, s, len));
		return -EINVAL;
	}
	copy_text(d->metric, s, len);
	return 0;
}

/* NAMESPACE/NAME, split at the last '/'. */
static int set_metric(struct alarm_def *d, const char *s, size_t len,
		      struct err *err)
{
	size_t ns_len;

	if (parse_metric_path(s, len, &ns_len, err))
		return -EINVAL;
	copy_text(d->ns, s, ns_len);
	copy_text(d->metric, s + ns_len + 1, len - ns_len - 1);
	return 0;
}

/* monfs's names or CloudWatch's (`key = value` form). */
static int set_statistic(struct alarm_def *d, const char *s, size_t len,
			 struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];

	if (stat_parse(s, len, &d->stat)) {
		err_set(err,
			"\"%s\" is not samples, sum, average, minimum, maximum"
			" or pNN",
			format_quote(q, s, len));
		return -EINVAL;
	}
	return 0;
}

/* JSON's Statistic: CloudWatch's names of the basic statistics only. */
static int set_cloudwatch_statistic(struct alarm_def *d, const char *s,
				    size_t len, struct err *err)
{
	struct stat_spec spec;
	char q[FORMAT_QUOTE_SIZE];

	/* No stack bytes into d, padding included (see the file header). */
	memset(&spec, 0, sizeof(spec));

	if (stat_parse(s, len, &spec) || !spec.cw_name ||
	    !text_is(s, len, spec.cw_name)) {
		err_set(err,
			"\"%s\" is not SampleCount, Sum, Average, Minimum or"
			" Maximum",
			format_quote(q, s, len));
		return -EINVAL;
	}
	memcpy(&d->stat, &spec, sizeof(spec));
	return 0;
}

/* JSON's ExtendedStatistic: percentiles only. */
static int set_extended_statistic(struct alarm_def *d, const char *s,
				  size_t len, struct err *err)
{
	struct stat_spec spec;
	char q[FORMAT_QUOTE_SIZE];

	/* No stack bytes into d, padding included (see the file header). */
	memset(&spec, 0, sizeof(spec));

	if (stat_parse(s, len, &spec) || spec.kind != STAT_PERCENTILE) {
		err_set(err,
			"\"%s\" is not a percentile pNN, pNN.N or pNN.NN (other"
			" extended statistics are not supported)",
			format_quote(q, s, len));
		return -EINVAL;
	}
	memcpy(&d->stat, &spec, sizeof(spec));
	return 0;
}

static int set_period(struct alarm_def *d, const char *s, size_t len,
		      struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];

	if (parse_period(s, len, &d->period_s)) {
		err_set(err,
			"\"%s\" is not 1, 5, 10, 20, 30 or a multiple of 60",
			format_quote(q, s, len));
		return -EINVAL;
	}
	return 0;
}

static const struct comparison_names {
	enum alarm_comparison comparison;
	const char *symbol;
	const char *name;
} comparisons[] = {
	{CMP_GREATER, ">", "GreaterThanThreshold"},
	{CMP_GREATER_EQUAL, ">=", "GreaterThanOrEqualToThreshold"},
	{CMP_LESS, "<", "LessThanThreshold"},
	{CMP_LESS_EQUAL, "<=", "LessThanOrEqualToThreshold"},
};

/* CloudWatch's comparisons against an anomaly detection band. */
static const char *const band_comparisons[] = {
	"LessThanLowerOrGreaterThanUpperThreshold",
	"LessThanLowerThreshold",
	"GreaterThanUpperThreshold",
};

static int set_comparison(struct alarm_def *d, const char *s, size_t len,
			  struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(comparisons); i++) {
		if (text_is(s, len, comparisons[i].symbol) ||
		    text_is(s, len, comparisons[i].name)) {
			d->comparison = comparisons[i].comparison;
			return 0;
		}
	}
	for (i = 0; i < ARRAY_SIZE(band_comparisons); i++) {
		if (text_is(s, len, band_comparisons[i])) {
			err_set(err,
				"%s needs anomaly detection, which is not"
				" supported",
				band_comparisons[i]);
			return -EINVAL;
		}
	}
	err_set(err,
		"\"%s\" is not >, >=, <, <=, GreaterThanThreshold,"
		" GreaterThanOrEqualToThreshold, LessThanThreshold or"
		" LessThanOrEqualToThreshold",
		format_quote(q, s, len));
	return -EINVAL;
}

static void store_threshold(struct alarm_def *d, double v)
{
	/* -0 prints as "0": keep +0 so that the rendering reads back. */
	d->threshold = v + 0.0;
}

static int set_threshold(struct alarm_def *d, const char *s, size_t len,
			 struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];
	double v;

	if (parse_value(s, len, &v)) {
		err_set(err, "\"%s\" is not a number", format_quote(q, s, len));
		return -EINVAL;
	}
	store_threshold(d, v);
	return 0;
}

static int set_count(int *field, const char *s, size_t len, struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];

	if (parse_small_int(s, len, 1, EVALUATION_PERIODS_MAX, field)) {
		err_set(err, "\"%s\" is not an integer from 1 to %d",
			format_quote(q, s, len), EVALUATION_PERIODS_MAX);
		return -EINVAL;
	}
	return 0;
}

static int set_evaluation_periods(struct alarm_def *d, const char *s,
				  size_t len, struct err *err)
{
	return set_count(&d->evaluation_periods, s, len, err);
}

/* Checked against evaluation_periods once both are known. */
static int set_datapoints_to_alarm(struct alarm_def *d, const char *s,
				   size_t len, struct err *err)
{
	return set_count(&d->datapoints_to_alarm, s, len, err);
}

static const char *const missing_names[] = {
	[MISSING_MISSING] = "missing",
	[MISSING_IGNORE] = "ignore",
	[MISSING_BREACHING] = "breaching",
	[MISSING_NOT_BREACHING] = "notBreaching",
};

static int set_missing(struct alarm_def *d, const char *s, size_t len,
		       struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(missing_names); i++) {
		if (text_is(s, len, missing_names[i])) {
			d->missing = (enum alarm_missing)i;
			return 0;
		}
	}
	err_set(err, "\"%s\" is not missing, ignore, breaching or notBreaching",
		format_quote(q, s, len));
	return -EINVAL;
}

static int set_description(struct alarm_def *d, const char *s, size_t len,
			   struct err *err)
{
	if (len > ALARM_DESCRIPTION_MAX) {
		err_set(err, "longer than %d bytes", ALARM_DESCRIPTION_MAX);
		return -EINVAL;
	}
	if (!text_ok(s, len, "\t\n\r")) {
		err_set(err, "holds a control character or invalid UTF-8");
		return -EINVAL;
	}
	copy_text(d->description, s, len);
	return 0;
}

/* What an ARN action would have done, for the refusal. */
static const char *arn_kind(const char *s, size_t len)
{
	static const struct {
		const char *service;
		const char *kind;
	} kinds[] = {
		{"sns", "SNS topics"},
		{"autoscaling", "Auto Scaling policies"},
		{"automate", "EC2 actions"},
		{"ssm", "Systems Manager OpsItems"},
		{"ssm-incidents", "Systems Manager incidents"},
		{"lambda", "Lambda functions"},
	};
	const char *partition, *service, *end;
	size_t i;

	/* arn:PARTITION:SERVICE:... */
	partition = memchr(s, ':', len);
	service = partition ? memchr(partition + 1, ':',
				     len - (size_t)(partition + 1 - s))
			    : NULL;
	end = service ? memchr(service + 1, ':',
			       len - (size_t)(service + 1 - s))
		      : NULL;
	if (end)
		for (i = 0; i < ARRAY_SIZE(kinds); i++)
			if (text_is(service + 1, (size_t)(end - service - 1),
				    kinds[i].service))
				return kinds[i].kind;
	return "ARN actions";
}

/*
 * log:GROUP/STREAM (split at the last '/', a leading '/' of the group
 * dropped) into out as "log:GROUP/STREAM". 0 or -EINVAL.
 */
static int parse_log_action(const char *s, size_t len,
			    char out[ALARM_ACTION_MAX], struct err *err)
{
	const char *target = s + 4, *slash;
	size_t n = len - 4, group_len;
	char q[FORMAT_QUOTE_SIZE];

	if (n > 0 && target[0] == '/') {
		target++;
		n--;
	}
	slash = memrchr(target, '/', n);
	if (!slash) {
		err_set(err, "\"%s\" is not log:GROUP/STREAM",
			format_quote(q, s, len));
		return -EINVAL;
	}
	group_len = (size_t)(slash - target);
	if (parse_levels(target, group_len, LOG_GROUP_MAX_BYTES, err) ||
	    parse_name_explained(slash + 1, n - group_len - 1, err)) {
		err_prefix(err, "\"%s\"", format_quote(q, s, len));
		return -EINVAL;
	}
	/* At most 4 + 512 + 1 + 255 bytes: it fits. */
	memcpy(out, "log:", 4);
	copy_text(out + 4, target, n);
	return 0;
}

/* exec:/ABSOLUTE/PATH, as is. 0 or -EINVAL. */
static int parse_exec_action(const char *s, size_t len,
			     char out[ALARM_ACTION_MAX], struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];

	if (len == 5 || s[5] != '/') {
		err_set(err, "\"%s\": the program must be an absolute path",
			format_quote(q, s, len));
		return -EINVAL;
	}
	if (len >= ALARM_ACTION_MAX) {
		err_set(err, "\"%s\" is longer than %d bytes",
			format_quote(q, s, len), ALARM_ACTION_MAX - 1);
		return -EINVAL;
	}
	if (!text_ok(s, len, "")) {
		err_set(err,
			"\"%s\" holds a control character or invalid UTF-8",
			format_quote(q, s, len));
		return -EINVAL;
	}
	copy_text(out, s, len);
	return 0;
}

static int add_action(struct alarm_actions *list, const char *s, size_t len,
		      struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];
	int rc;

	if (list->n == ALARM_ACTIONS_MAX) {
		err_set(err, "more than %d actions", ALARM_ACTIONS_MAX);
		return -EINVAL;
	}
	if (has_prefix(s, len, "log:")) {
		rc = parse_log_action(s, len, list->v[list->n], err);
	} else if (has_prefix(s, len, "exec:")) {
		rc = parse_exec_action(s, len, list->v[list->n], err);
	} else if (has_prefix(s, len, "arn:")) {
		err_set(err,
			"\"%s\": %s are not supported yet; use"
			" log:GROUP/STREAM or exec:/PATH",
			format_quote(q, s, len), arn_kind(s, len));
		rc = -EINVAL;
	} else {
		err_set(err, "\"%s\" is not log:GROUP/STREAM or exec:/PATH",
			format_quote(q, s, len));
		rc = -EINVAL;
	}
	if (rc) {
		/* Leave the slot as it was: all zero. */
		memset(list->v[list->n], 0, ALARM_ACTION_MAX);
		return rc;
	}
	list->n++;
	return 0;
}

static int add_alarm_action(struct alarm_def *d, const char *s, size_t len,
			    struct err *err)
{
	return add_action(&d->alarm_actions, s, len, err);
}

static int add_ok_action(struct alarm_def *d, const char *s, size_t len,
			 struct err *err)
{
	return add_action(&d->ok_actions, s, len, err);
}

static int add_insufficient_action(struct alarm_def *d, const char *s,
				   size_t len, struct err *err)
{
	return add_action(&d->insufficient_actions, s, len, err);
}

static int set_actions_enabled(struct alarm_def *d, const char *s, size_t len,
			       struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];

	if (text_is(s, len, "true") || text_is(s, len, "false")) {
		d->actions_enabled = s[0] == 't';
		return 0;
	}
	err_set(err, "\"%s\" is not true or false", format_quote(q, s, len));
	return -EINVAL;
}

static int set_unit(struct alarm_def *d, const char *s, size_t len,
		    struct err *err)
{
	char unit[ALARM_UNIT_MAX] = "";
	char q[FORMAT_QUOTE_SIZE];

	if (len < sizeof(unit)) {
		copy_text(unit, s, len);
		/* An embedded NUL would shorten it: compare lengths too. */
		if (strlen(unit) == len && metric_unit_valid(unit)) {
			memcpy(d->unit, unit, sizeof(unit));
			return 0;
		}
	}
	err_set(err, "\"%s\" is not a CloudWatch unit",
		format_quote(q, s, len));
	return -EINVAL;
}

static void trim_blanks(const char **s, size_t *len)
{
	while (*len > 0 && is_blank((*s)[0])) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && is_blank((*s)[*len - 1]))
		(*len)--;
}

/* A tag from its key and value, blanks at their ends dropped. */
static int add_tag_parts(struct alarm_def *d, const char *key, size_t key_len,
			 const char *value, size_t value_len, struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];
	char *tag;
	size_t i;

	trim_blanks(&key, &key_len);
	trim_blanks(&value, &value_len);
	if (key_len == 0) {
		err_set(err, "empty key");
		return -EINVAL;
	}
	if (key_len > TAG_KEY_MAX || value_len > TAG_VALUE_MAX ||
	    key_len + 1 + value_len > ALARM_TAG_MAX) {
		err_set(err,
			"\"%s\": keys are at most %d bytes, values %d, and"
			" KEY=VALUE %d",
			format_quote(q, key, key_len), TAG_KEY_MAX,
			TAG_VALUE_MAX, ALARM_TAG_MAX);
		return -EINVAL;
	}
	if (memchr(key, '=', key_len) || !text_ok(key, key_len, "") ||
	    !text_ok(value, value_len, "")) {
		err_set(err,
			"\"%s\": '=' in the key, a control character or"
			" invalid UTF-8",
			format_quote(q, key, key_len));
		return -EINVAL;
	}
	if (has_prefix(key, key_len, "aws:")) {
		err_set(err, "\"%s\": keys starting with aws: are reserved",
			format_quote(q, key, key_len));
		return -EINVAL;
	}
	for (i = 0; i < d->ntags; i++) {
		if (!strncmp(d->tags[i], key, key_len) &&
		    d->tags[i][key_len] == '=') {
			err_set(err, "key \"%s\" given twice",
				format_quote(q, key, key_len));
			return -EINVAL;
		}
	}
	if (d->ntags == ALARM_TAGS_MAX) {
		err_set(err, "more than %d tags", ALARM_TAGS_MAX);
		return -EINVAL;
	}
	tag = d->tags[d->ntags++];
	memcpy(tag, key, key_len);
	tag[key_len] = '=';
	copy_text(tag + key_len + 1, value, value_len);
	return 0;
}

/* `tag = KEY=VALUE`, split at the first '='. */
static int add_tag(struct alarm_def *d, const char *s, size_t len,
		   struct err *err)
{
	const char *eq = memchr(s, '=', len);
	char q[FORMAT_QUOTE_SIZE];
	size_t key_len;

	if (!eq) {
		err_set(err, "\"%s\" is not KEY=VALUE",
			format_quote(q, s, len));
		return -EINVAL;
	}
	key_len = (size_t)(eq - s);
	return add_tag_parts(d, s, key_len, eq + 1, len - key_len - 1, err);
}

/*
 * Whether the evaluation range in milliseconds fits in an int64_t (the
 * file header says why).
 */
static bool period_fits(const struct alarm_def *d)
{
	int n = d->evaluation_periods;
	int range = n + (n / 3 > 2 ? n / 3 : 2);

	return d->period_s <= INT64_MAX / MS_PER_SECOND / range;
}

/* ---- the `key = value` form ---- */

enum kv_key_id {
	KEY_METRIC,
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
	KEY_COUNT
};

/* The keys of SPEC 5, in its order, which is also the rendering's. */
static const struct kv_key {
	const char *name;
	text_setter set;
	bool repeatable; /* limits are the setter's */
	bool required;
} kv_keys[KEY_COUNT] = {
	[KEY_METRIC] = {"metric", set_metric, false, true},
	[KEY_STATISTIC] = {"statistic", set_statistic, false, true},
	[KEY_PERIOD] = {"period", set_period, false, true},
	[KEY_COMPARISON] = {"comparison", set_comparison, false, true},
	[KEY_THRESHOLD] = {"threshold", set_threshold, false, true},
	[KEY_EVALUATION_PERIODS] = {"evaluation_periods",
				    set_evaluation_periods, false, false},
	[KEY_DATAPOINTS_TO_ALARM] = {"datapoints_to_alarm",
				     set_datapoints_to_alarm, false, false},
	[KEY_TREAT_MISSING_DATA] = {"treat_missing_data", set_missing, false,
				    false},
	[KEY_DESCRIPTION] = {"description", set_description, false, false},
	[KEY_ALARM_ACTION] = {"alarm_action", add_alarm_action, true, false},
	[KEY_OK_ACTION] = {"ok_action", add_ok_action, true, false},
	[KEY_INSUFFICIENT_DATA_ACTION] = {"insufficient_data_action",
					  add_insufficient_action, true, false},
	[KEY_ACTIONS_ENABLED] = {"actions_enabled", set_actions_enabled, false,
				 false},
	[KEY_UNIT] = {"unit", set_unit, false, false},
	[KEY_TAG] = {"tag", add_tag, true, false},
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
		if (text_is(s, len, kv_keys[k].name))
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

/* After the last line: required keys, defaults, cross-key rules. */
static int finish_kv(struct alarm_def *d, const unsigned seen[KEY_COUNT],
		     struct err *err)
{
	char missing[128] = "";
	size_t used = 0;
	int k;

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
	if (!period_fits(d)) {
		err_set(err,
			"line %u: period: %" PRId64
			" seconds is too long for %d evaluation periods",
			seen[KEY_PERIOD], d->period_s, d->evaluation_periods);
		return -EINVAL;
	}
	return 0;
}

static int parse_kv(const char *text, size_t len, struct alarm_def *d,
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

/* ---- PutMetricAlarm's JSON ---- */

enum json_kind {
	JSON_KIND_STRING,  /* a string, to the text setter */
	JSON_KIND_INTEGER, /* an integer, to the text setter as decimal */
	JSON_KIND_NUMBER,  /* Threshold */
	JSON_KIND_BOOLEAN, /* ActionsEnabled */
	JSON_KIND_STRINGS, /* an array of strings, each to the text setter */
	JSON_KIND_TAGS,	   /* an array of {Key, Value} */
	JSON_KIND_IGNORED, /* a string monfs has no use for */
	JSON_KIND_EMPTY,   /* an array that must be empty */
	JSON_KIND_REFUSED, /* not supported: refused whatever its value */
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
	MEMBER_COUNT
};

/* Every member of PutMetricAlarm's request. */
static const struct json_member {
	const char *name;
	enum json_kind kind;
	text_setter set;
	const char *refusal; /* for EMPTY and REFUSED */
} json_members[MEMBER_COUNT] = {
	[MEMBER_NAMESPACE] = {"Namespace", JSON_KIND_STRING, set_namespace,
			      NULL},
	[MEMBER_METRIC_NAME] = {"MetricName", JSON_KIND_STRING, set_metric_name,
				NULL},
	[MEMBER_STATISTIC] = {"Statistic", JSON_KIND_STRING,
			      set_cloudwatch_statistic, NULL},
	[MEMBER_EXTENDED_STATISTIC] = {"ExtendedStatistic", JSON_KIND_STRING,
				       set_extended_statistic, NULL},
	[MEMBER_PERIOD] = {"Period", JSON_KIND_INTEGER, set_period, NULL},
	[MEMBER_EVALUATION_PERIODS] = {"EvaluationPeriods", JSON_KIND_INTEGER,
				       set_evaluation_periods, NULL},
	[MEMBER_DATAPOINTS_TO_ALARM] = {"DatapointsToAlarm", JSON_KIND_INTEGER,
					set_datapoints_to_alarm, NULL},
	[MEMBER_THRESHOLD] = {"Threshold", JSON_KIND_NUMBER, NULL, NULL},
	[MEMBER_COMPARISON_OPERATOR] = {"ComparisonOperator", JSON_KIND_STRING,
					set_comparison, NULL},
	[MEMBER_TREAT_MISSING_DATA] = {"TreatMissingData", JSON_KIND_STRING,
				       set_missing, NULL},
	[MEMBER_ALARM_DESCRIPTION] = {"AlarmDescription", JSON_KIND_STRING,
				      set_description, NULL},
	[MEMBER_ALARM_ACTIONS] = {"AlarmActions", JSON_KIND_STRINGS,
				  add_alarm_action, NULL},
	[MEMBER_OK_ACTIONS] = {"OKActions", JSON_KIND_STRINGS, add_ok_action,
			       NULL},
	[MEMBER_INSUFFICIENT_DATA_ACTIONS] = {"InsufficientDataActions",
					      JSON_KIND_STRINGS,
					      add_insufficient_action, NULL},
	[MEMBER_ACTIONS_ENABLED] = {"ActionsEnabled", JSON_KIND_BOOLEAN, NULL,
				    NULL},
	[MEMBER_UNIT] = {"Unit", JSON_KIND_STRING, set_unit, NULL},
	[MEMBER_TAGS] = {"Tags", JSON_KIND_TAGS, NULL, NULL},
	[MEMBER_ALARM_NAME] = {"AlarmName", JSON_KIND_IGNORED, NULL, NULL},
	[MEMBER_EVALUATE_LOW_SAMPLE_COUNT_PERCENTILE] =
		{"EvaluateLowSampleCountPercentile", JSON_KIND_IGNORED, NULL,
		 NULL},
	[MEMBER_DIMENSIONS] = {"Dimensions", JSON_KIND_EMPTY, NULL,
			       "not supported yet (monfs metrics have no"
			       " dimensions)"},
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
};

static const char *json_type_name(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

static int wrong_type(json_t *v, const char *want, struct err *err)
{
	err_set(err, "must be %s, not %s", want, json_type_name(v));
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
		if (add_tag_parts(d, json_string_value(key),
				  json_string_length(key),
				  json_string_value(value),
				  json_string_length(value), err))
			return -EINVAL;
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
		store_threshold(d, json_number_value(v));
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
	case JSON_KIND_IGNORED:
		return json_is_string(v) ? 0 : wrong_type(v, "a string", err);
	case JSON_KIND_EMPTY:
		if (!json_is_array(v))
			return wrong_type(v, "an array", err);
		if (json_array_size(v) == 0)
			return 0;
		break;
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
	if (set[MEMBER_PERIOD] && periods_known && !period_fits(d)) {
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
static void unknown_member(const char *name, struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];
	int m;

	format_quote(q, name, strlen(name));
	for (m = 0; m < MEMBER_COUNT; m++) {
		if (!strcasecmp(name, json_members[m].name)) {
			err_set(err,
				"\"%s\" is not a member of PutMetricAlarm (the"
				" names are case-sensitive: %s)",
				q, json_members[m].name);
			return;
		}
	}
	err_set(err, "\"%s\" is not a member of PutMetricAlarm", q);
}

/*
 * Whether v holds nothing a user wrote: its strings all empty and its
 * numbers all 0, recursively. nested: v is inside an array or object,
 * where booleans and unit names (a "Unit" member) do not count either,
 * since the CLI's skeleton cannot leave those empty: it fills in true
 * and a unit.
 */
static bool json_blank(json_t *v, bool nested)
{
	const char *key;
	json_t *item;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_STRING:
		return json_string_length(v) == 0;
	case JSON_INTEGER:
	case JSON_REAL:
		return json_number_value(v) == 0;
	case JSON_TRUE:
	case JSON_FALSE:
		return nested;
	case JSON_ARRAY:
		json_array_foreach(
			v, i, item) if (!json_blank(item, true)) return false;
		return true;
	case JSON_OBJECT:
		json_object_foreach(v, key, item)
		{
			if (!strcmp(key, "Unit") && json_is_string(item) &&
			    metric_unit_valid(json_string_value(item)))
				continue;
			if (!json_blank(item, true))
				return false;
		}
		return true;
	default:
		return false;
	}
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
	return json_blank(v, false);
}

/*
 * One member, name: v, into d. given and set as finish_json reads them;
 * an error is one line of errors.
 */
static void parse_json_member(struct alarm_def *d, const char *name, json_t *v,
			      bool given[MEMBER_COUNT], bool set[MEMBER_COUNT],
			      struct err_list *errors)
{
	struct err one = {""};
	int m = find_json_member(name);

	if (m < 0) {
		unknown_member(name, &one);
		err_list_add(errors, &one);
		return;
	}
	if (member_left_empty(&json_members[m], v))
		return;
	given[m] = true;
	if (set_json_member(d, &json_members[m], v, &one) == 0)
		set[m] = true;
	else
		err_list_add(errors, &one);
}

/*
 * PutMetricAlarm's JSON. Every member is looked at and every error is
 * reported, one per line of err (SPEC 5). 0, -EINVAL or -ENOMEM.
 */
static int parse_json(const char *text, size_t len, struct alarm_def *d,
		      struct err *err)
{
	bool given[MEMBER_COUNT] = {false}, set[MEMBER_COUNT] = {false};
	struct err_list errors;
	json_error_t jerr;
	const char *name;
	json_t *root, *v;

	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root && json_error_code(&jerr) == json_error_out_of_memory) {
		err_set(err, "out of memory");
		return -ENOMEM;
	}
	if (!root) {
		clean_text(jerr.text);
		err_set(err, "JSON line %d column %d: %s", jerr.line,
			jerr.column, jerr.text);
		return -EINVAL;
	}
	err_list_init(&errors, err);
	if (!json_is_object(root)) {
		err_set(err, "JSON: not an object");
		json_decref(root);
		return -EINVAL;
	}
	json_object_foreach(root, name, v)
		parse_json_member(d, name, v, given, set, &errors);
	finish_json(d, given, set, &errors);
	json_decref(root);
	return err_list_finish(&errors) ? -EINVAL : 0;
}

int alarm_def_parse(const char *text, size_t len, struct alarm_def *out,
		    struct err *err)
{
	struct alarm_def *d;
	size_t i = 0;
	int rc;

	if (!text)
		len = 0;
	/* Calloc'd, so every unused byte is zero (see the file header). */
	d = calloc(1, sizeof(*d));
	if (!d) {
		err_set(err, "out of memory");
		return -ENOMEM;
	}
	d->evaluation_periods = 1;
	d->missing = MISSING_MISSING;
	d->actions_enabled = true;
	while (i < len &&
	       (is_blank(text[i]) || text[i] == '\n' || text[i] == '\r'))
		i++;
	if (i < len && text[i] == '{')
		rc = parse_json(text, len, d, err);
	else
		rc = parse_kv(text, len, d, err);
	if (rc == 0)
		memcpy(out, d, sizeof(*d));
	free(d);
	return rc;
}

/* ---- rendering ---- */

/* A strbuf whose first failure sticks, so a rendering checks once. */
struct writer {
	struct strbuf *sb;
	int rc;
};

/* "key = value\n", value quoted when it would not read back bare. */
static void put_line(struct writer *w, enum kv_key_id k, const char *value,
		     size_t len)
{
	if (w->rc == 0)
		w->rc = kv_put(w->sb, kv_keys[k].name, value, len);
}

/* A field of d, bounded by its array in case it lacks its NUL. */
#define FIELD(w, k, field) put_line(w, k, field, strnlen(field, sizeof(field)))

static void put_actions(struct writer *w, enum kv_key_id k,
			const struct alarm_actions *list)
{
	size_t i;

	for (i = 0; i < list->n && i < ALARM_ACTIONS_MAX; i++)
		FIELD(w, k, list->v[i]);
}

int alarm_def_render(const struct alarm_def *d, struct strbuf *out)
{
	char metric[sizeof(d->ns) + sizeof(d->metric) + 2];
	char number[FORMAT_DOUBLE_MAX];
	struct writer w = {out, 0};
	size_t start = out->len, i;
	const char *s;
	int n;

	n = snprintf(metric, sizeof(metric), "%.*s/%.*s", (int)sizeof(d->ns),
		     d->ns, (int)sizeof(d->metric), d->metric);
	put_line(&w, KEY_METRIC, metric, (size_t)n);
	FIELD(&w, KEY_STATISTIC, d->stat.name);
	n = snprintf(number, sizeof(number), "%" PRId64, d->period_s);
	put_line(&w, KEY_PERIOD, number, (size_t)n);
	s = alarm_comparison_symbol(d->comparison);
	put_line(&w, KEY_COMPARISON, s, strlen(s));
	s = format_double(number, d->threshold);
	put_line(&w, KEY_THRESHOLD, s, strlen(s));
	n = snprintf(number, sizeof(number), "%d", d->evaluation_periods);
	put_line(&w, KEY_EVALUATION_PERIODS, number, (size_t)n);
	n = snprintf(number, sizeof(number), "%d", d->datapoints_to_alarm);
	put_line(&w, KEY_DATAPOINTS_TO_ALARM, number, (size_t)n);
	s = alarm_missing_name(d->missing);
	put_line(&w, KEY_TREAT_MISSING_DATA, s, strlen(s));
	if (d->description[0])
		FIELD(&w, KEY_DESCRIPTION, d->description);
	put_actions(&w, KEY_ALARM_ACTION, &d->alarm_actions);
	put_actions(&w, KEY_OK_ACTION, &d->ok_actions);
	put_actions(&w, KEY_INSUFFICIENT_DATA_ACTION, &d->insufficient_actions);
	s = d->actions_enabled ? "true" : "false";
	put_line(&w, KEY_ACTIONS_ENABLED, s, strlen(s));
	if (d->unit[0])
		FIELD(&w, KEY_UNIT, d->unit);
	for (i = 0; i < d->ntags && i < ALARM_TAGS_MAX; i++)
		FIELD(&w, KEY_TAG, d->tags[i]);
	if (w.rc && out->buf) {
		/* Leave out as it was. */
		out->len = start;
		out->buf[start] = '\0';
	}
	return w.rc;
}

/* ---- names ---- */

const char *alarm_state_name(enum alarm_state s)
{
	switch (s) {
	case ALARM_INSUFFICIENT_DATA:
		return "INSUFFICIENT_DATA";
	case ALARM_OK:
		return "OK";
	case ALARM_ALARM:
		return "ALARM";
	}
	return "?";
}

const char *alarm_comparison_symbol(enum alarm_comparison c)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(comparisons); i++)
		if (comparisons[i].comparison == c)
			return comparisons[i].symbol;
	return "?";
}

const char *alarm_comparison_name(enum alarm_comparison c)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(comparisons); i++)
		if (comparisons[i].comparison == c)
			return comparisons[i].name;
	return "?";
}

const char *alarm_missing_name(enum alarm_missing m)
{
	if ((size_t)m < ARRAY_SIZE(missing_names))
		return missing_names[m];
	return "?";
}
