/*
 * alarm_def_fields: one setter per field of an alarm's definition,
 * shared by both forms (alarm_def_kv.c, alarm_def_json.c), so a value
 * means the same whichever form carried it; and the limits SPEC 5 leaves
 * open, as alarm_def.c's header lists them.
 */
#include "lib/alarm.h"
#include "lib/alarm_def_impl.h"
#include "lib/alarm_rule.h"

#include "lib/format.h"
#include "lib/kv.h"
#include "lib/caller.h"
#include "lib/parse.h"
#include "lib/timeutil.h"
#include "lib/units.h"
#include "lib/utf8.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EVALUATION_PERIODS_MAX 100
#define TAG_KEY_MAX 128	  /* bytes, as CloudWatch allows */
#define TAG_VALUE_MAX 256 /* bytes, as CloudWatch allows */

/* ---- small text helpers ---- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

bool alarm_def_text_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(s, word, len) == 0;
}

static bool has_prefix(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(s, prefix, n) == 0;
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

/* ---- one setter per field, shared by both forms ---- */

int alarm_def_set_namespace(struct alarm_def *d, const char *s, size_t len,
			    struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];

	if (parse_levels(s, len, NAMESPACE_MAX_BYTES, err))
		return -EINVAL;
	/* It would read back as a dimension (SPEC 11). */
	if (memchr(s, '=', len)) {
		err_set(err,
			"\"%s\" holds '=' (a namespace level may not); give"
			" dimensions in Dimensions",
			format_quote(q, s, len));
		return -EINVAL;
	}
	copy_text(d->ns, s, len);
	return 0;
}

/*
 * JSON's MetricName. A metric is one path component, so it holds no '/'
 * (parse_name, given components, does not look for one): the `metric =`
 * form would split it at the '/' when read back.
 */
int alarm_def_set_metric_name(struct alarm_def *d, const char *s, size_t len,
			      struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];

	if (parse_name_explained(s, len, err))
		return -EINVAL;
	if (memchr(s, '/', len) || memchr(s, '=', len)) {
		err_set(err, "\"%s\" is not a name (it holds '%c')",
			format_quote(q, s, len),
			memchr(s, '/', len) ? '/' : '=');
		return -EINVAL;
	}
	copy_text(d->metric, s, len);
	return 0;
}

/*
 * NAMESPACE/NAME, split at the last '/'; where components hold '=', the
 * namespace ends before the first of them and those are dimensions
 * (SPEC 11, alarm_def_dimensions.c).
 */
int alarm_def_set_metric(struct alarm_def *d, const char *s, size_t len,
			 struct err *err)
{
	size_t ns_len;

	if (memchr(s, '=', len))
		return alarm_def_set_dimensioned_metric(d, s, len, err);
	if (parse_metric_path(s, len, &ns_len, err))
		return -EINVAL;
	copy_text(d->ns, s, ns_len);
	copy_text(d->metric, s + ns_len + 1, len - ns_len - 1);
	return 0;
}

/* monfs's names or CloudWatch's (`key = value` form). */
int alarm_def_set_statistic(struct alarm_def *d, const char *s, size_t len,
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
int alarm_def_set_cloudwatch_statistic(struct alarm_def *d, const char *s,
				       size_t len, struct err *err)
{
	struct stat_spec spec;
	char q[FORMAT_QUOTE_SIZE];

	/* No stack bytes into d, padding included (see the file header). */
	memset(&spec, 0, sizeof(spec));

	if (stat_parse(s, len, &spec) || !spec.cw_name ||
	    !alarm_def_text_is(s, len, spec.cw_name)) {
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
int alarm_def_set_extended_statistic(struct alarm_def *d, const char *s,
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

int alarm_def_set_period(struct alarm_def *d, const char *s, size_t len,
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

int alarm_def_set_comparison(struct alarm_def *d, const char *s, size_t len,
			     struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(comparisons); i++) {
		if (alarm_def_text_is(s, len, comparisons[i].symbol) ||
		    alarm_def_text_is(s, len, comparisons[i].name)) {
			d->comparison = comparisons[i].comparison;
			return 0;
		}
	}
	for (i = 0; i < ARRAY_SIZE(band_comparisons); i++) {
		if (alarm_def_text_is(s, len, band_comparisons[i])) {
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

void alarm_def_store_threshold(struct alarm_def *d, double v)
{
	/* -0 prints as "0": keep +0 so that the rendering reads back. */
	d->threshold = v + 0.0;
}

int alarm_def_set_threshold(struct alarm_def *d, const char *s, size_t len,
			    struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];
	double v;

	if (parse_value(s, len, &v)) {
		err_set(err, "\"%s\" is not a number", format_quote(q, s, len));
		return -EINVAL;
	}
	alarm_def_store_threshold(d, v);
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

int alarm_def_set_evaluation_periods(struct alarm_def *d, const char *s,
				     size_t len, struct err *err)
{
	return set_count(&d->evaluation_periods, s, len, err);
}

/* Checked against evaluation_periods once both are known. */
int alarm_def_set_datapoints_to_alarm(struct alarm_def *d, const char *s,
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

int alarm_def_set_missing(struct alarm_def *d, const char *s, size_t len,
			  struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(missing_names); i++) {
		if (alarm_def_text_is(s, len, missing_names[i])) {
			d->missing = (enum alarm_missing)i;
			return 0;
		}
	}
	err_set(err, "\"%s\" is not missing, ignore, breaching or notBreaching",
		format_quote(q, s, len));
	return -EINVAL;
}

int alarm_def_set_description(struct alarm_def *d, const char *s, size_t len,
			      struct err *err)
{
	if (len > ALARM_DESCRIPTION_MAX) {
		err_set(err, "longer than %d bytes", ALARM_DESCRIPTION_MAX);
		return -EINVAL;
	}
	if (!utf8_text_ok(s, len, "\t\n\r")) {
		err_set(err, "holds a control character or invalid UTF-8");
		return -EINVAL;
	}
	copy_text(d->description, s, len);
	return 0;
}

int alarm_def_set_rule(struct alarm_def *d, const char *s, size_t len,
		       struct err *err)
{
	struct alarm_rule *rule;
	int rc = alarm_rule_parse(s, len, &rule, err);

	if (rc)
		return rc;
	alarm_rule_free(rule);
	/* alarm_rule_parse refuses a rule longer than d->rule holds. */
	copy_text(d->rule, s, len);
	d->kind = ALARM_KIND_COMPOSITE;
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
			if (alarm_def_text_is(service + 1,
					      (size_t)(end - service - 1),
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
	const char *dest;
	size_t n, group_len;

	if (parse_log_destination(s, len, &dest, &n, &group_len, err))
		return -EINVAL;
	/* At most 4 + 512 + 1 + 255 bytes: it fits. */
	memcpy(out, "log:", 4);
	copy_text(out + 4, dest, n);
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
	if (!utf8_text_ok(s, len, "")) {
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

int alarm_def_add_alarm_action(struct alarm_def *d, const char *s, size_t len,
			       struct err *err)
{
	return add_action(&d->alarm_actions, s, len, err);
}

int alarm_def_add_ok_action(struct alarm_def *d, const char *s, size_t len,
			    struct err *err)
{
	return add_action(&d->ok_actions, s, len, err);
}

int alarm_def_add_insufficient_action(struct alarm_def *d, const char *s,
				      size_t len, struct err *err)
{
	return add_action(&d->insufficient_actions, s, len, err);
}

int alarm_def_set_actions_enabled(struct alarm_def *d, const char *s,
				  size_t len, struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];

	if (alarm_def_text_is(s, len, "true") ||
	    alarm_def_text_is(s, len, "false")) {
		d->actions_enabled = s[0] == 't';
		return 0;
	}
	err_set(err, "\"%s\" is not true or false", format_quote(q, s, len));
	return -EINVAL;
}

int alarm_def_set_unit(struct alarm_def *d, const char *s, size_t len,
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
int alarm_def_add_tag_parts(struct alarm_def *d, const char *key,
			    size_t key_len, const char *value, size_t value_len,
			    struct err *err)
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
	if (memchr(key, '=', key_len) || !utf8_text_ok(key, key_len, "") ||
	    !utf8_text_ok(value, value_len, "")) {
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
int alarm_def_add_tag(struct alarm_def *d, const char *s, size_t len,
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
	return alarm_def_add_tag_parts(d, s, key_len, eq + 1, len - key_len - 1,
				       err);
}

/*
 * Whether the evaluation range in milliseconds fits in an int64_t (the
 * file header says why).
 */
bool alarm_def_period_fits(const struct alarm_def *d)
{
	int n = d->evaluation_periods;
	int range = n + (n / 3 > 2 ? n / 3 : 2);

	return d->period_s <= INT64_MAX / MS_PER_SECOND / range;
}

/* ---- names ---- */

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
