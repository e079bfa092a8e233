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
 * This part holds the dispatch between the forms, the rendering and the
 * names; the forms are read in alarm_def_kv.c and alarm_def_json.c, the
 * setters both feed are in alarm_def_fields.c, and what the parts share
 * is in alarm_def_impl.h.
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
#include "lib/alarm_def_impl.h"

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

/* The blanks that may precede a definition's first byte. */
static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
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
		rc = alarm_def_parse_json(text, len, d, err);
	else
		rc = alarm_def_parse_kv(text, len, d, err);
	/* A composite's metric fields are all zero (lib/alarm.h). */
	if (rc == 0 && d->kind == ALARM_KIND_COMPOSITE)
		d->evaluation_periods = 0;
	if (rc == 0)
		memcpy(out, d, sizeof(*d));
	free(d);
	return rc;
}

/* Whether a `key = value` text has a `rule` line, up to its first bad line. */
static bool kv_has_rule(const char *text, size_t len)
{
	struct kv_reader r;
	struct kv_line line;
	bool found = false;

	kv_init(&r, text, len);
	while (!found && kv_next(&r, &line, NULL) == 1)
		found = line.key_len == 4 && !memcmp(line.key, "rule", 4);
	kv_release(&r);
	return found;
}

/* Whether a JSON text is an object with an AlarmRule member. */
static bool json_has_rule(const char *text, size_t len)
{
	json_t *root = json_loadb(text, len, 0, NULL);
	bool found = json_is_object(root) &&
		     json_object_get(root, "AlarmRule") != NULL;

	json_decref(root);
	return found;
}

enum alarm_kind alarm_def_kind_of(const char *text, size_t len)
{
	size_t i = 0;

	if (!text)
		return ALARM_KIND_METRIC;
	while (i < len &&
	       (is_blank(text[i]) || text[i] == '\n' || text[i] == '\r'))
		i++;
	if (i < len && text[i] == '{')
		return json_has_rule(text, len) ? ALARM_KIND_COMPOSITE
						: ALARM_KIND_METRIC;
	return kv_has_rule(text, len) ? ALARM_KIND_COMPOSITE
				      : ALARM_KIND_METRIC;
}

/* ---- rendering ---- */

/* A strbuf whose first failure sticks, so a rendering checks once. */
struct writer {
	struct strbuf *sb;
	int rc;
};

/* "key = value\n", value quoted when it would not read back bare. */
static void put_line(struct writer *w, enum alarm_def_key_id k,
		     const char *value, size_t len)
{
	if (w->rc == 0)
		w->rc = kv_put(w->sb, alarm_def_key_name(k), value, len);
}

/* A field of d, bounded by its array in case it lacks its NUL. */
#define FIELD(w, k, field) put_line(w, k, field, strnlen(field, sizeof(field)))

static void put_actions(struct writer *w, enum alarm_def_key_id k,
			const struct alarm_actions *list)
{
	size_t i;

	for (i = 0; i < list->n && i < ALARM_ACTIONS_MAX; i++)
		FIELD(w, k, list->v[i]);
}

/*
 * One `dimension = Name=Value` line per dimension, in canonical order,
 * each Value decoded as `dimension =` takes it (SPEC 11).
 */
static void put_dimensions(struct writer *w, const struct alarm_def *d)
{
	struct dimension_set set = DIMENSION_SET_INIT;
	struct strbuf line = STRBUF_INIT;
	const struct dimension *dim;
	size_t i;

	if (w->rc == 0)
		w->rc = alarm_def_dimension_set(d, &set);
	for (i = 0; w->rc == 0 && i < set.count; i++) {
		dim = &set.dims[i];
		strbuf_reset(&line);
		if (strbuf_add(&line, dim->name, dim->name_len) ||
		    strbuf_add(&line, "=", 1) ||
		    strbuf_add(&line, dim->value, dim->value_len))
			w->rc = -ENOMEM;
		else
			put_line(w, KEY_DIMENSION, line.buf, line.len);
	}
	strbuf_release(&line);
	dimension_set_free(&set);
}

/* A metric alarm's own lines, metric to treat_missing_data. */
static void put_metric_lines(struct writer *w, const struct alarm_def *d)
{
	char metric[sizeof(d->ns) + sizeof(d->metric) + 2];
	char number[FORMAT_DOUBLE_MAX];
	const char *s;
	int n;

	n = snprintf(metric, sizeof(metric), "%.*s/%.*s", (int)sizeof(d->ns),
		     d->ns, (int)sizeof(d->metric), d->metric);
	put_line(w, KEY_METRIC, metric, (size_t)n);
	put_dimensions(w, d);
	FIELD(w, KEY_STATISTIC, d->stat.name);
	n = snprintf(number, sizeof(number), "%" PRId64, d->period_s);
	put_line(w, KEY_PERIOD, number, (size_t)n);
	s = alarm_comparison_symbol(d->comparison);
	put_line(w, KEY_COMPARISON, s, strlen(s));
	s = format_double(number, d->threshold);
	put_line(w, KEY_THRESHOLD, s, strlen(s));
	n = snprintf(number, sizeof(number), "%d", d->evaluation_periods);
	put_line(w, KEY_EVALUATION_PERIODS, number, (size_t)n);
	n = snprintf(number, sizeof(number), "%d", d->datapoints_to_alarm);
	put_line(w, KEY_DATAPOINTS_TO_ALARM, number, (size_t)n);
	s = alarm_missing_name(d->missing);
	put_line(w, KEY_TREAT_MISSING_DATA, s, strlen(s));
}

int alarm_def_render(const struct alarm_def *d, struct strbuf *out)
{
	struct writer w = {out, 0};
	size_t start = out->len, i;
	const char *s;

	if (d->kind == ALARM_KIND_COMPOSITE)
		FIELD(&w, KEY_RULE, d->rule);
	else
		put_metric_lines(&w, d);
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
