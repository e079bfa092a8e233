/*
 * filter_def: a metric filter's definition as a user writes it to
 * filters/NAME (SPEC 7), back to text, and the data point one log event
 * gives.
 *
 * The pattern is kept as written (kv's raw value: quotes, brackets and
 * backslashes as they were), since CloudWatch's pattern syntax has
 * quotes of its own; every other value is decoded as alarms decode
 * theirs. A parsed definition has every unused byte zero and numbers
 * with -0 made 0, so that parsing its rendering gives back the same
 * struct, byte for byte.
 *
 * An empty `pattern =` is refused like any empty value: `pattern = ""`
 * (an empty quoted phrase) is how a filter matches every event.
 */
#include "lib/filter.h"

#include "lib/format.h"
#include "lib/kv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum filter_key {
	KEY_GROUP,
	KEY_PATTERN,
	KEY_METRIC,
	KEY_VALUE,
	KEY_DEFAULT_VALUE,
	KEY_COUNT
};

/* SPEC 7's keys, in its order, which is also the rendering's. */
static const struct filter_key_info {
	const char *name;
	bool required;
} filter_keys[KEY_COUNT] = {
	[KEY_GROUP] = {"group", true},
	[KEY_PATTERN] = {"pattern", true},
	[KEY_METRIC] = {"metric", true},
	[KEY_VALUE] = {"value", false},
	[KEY_DEFAULT_VALUE] = {"default_value", false},
};

/*
 * The counters a reading adds after the definition (store/filters.c):
 * accepted and ignored on write, so that what a read shows writes back
 * (SPEC 2).
 */
static const char *const readout_keys[] = {"matched", "skipped", NULL};

/* ---- names (as alarm_def checks them) ---- */

/* ---- one setter per key ---- */

/* A log group, its leading '/' dropped. */
static int set_group(struct filter_def *d, const char *s, size_t len,
		     struct err *err)
{
	if (len > 0 && s[0] == '/') {
		s++;
		len--;
	}
	if (parse_levels(s, len, LOG_GROUP_MAX_BYTES, err))
		return -EINVAL;
	memcpy(d->group, s, len);
	return 0;
}

/* The raw text; compiled once every key is known. */
static int set_pattern(struct filter_def *d, const char *s, size_t len,
		       struct err *err)
{
	if (len > FILTER_PATTERN_MAX) {
		err_set(err, "longer than %d bytes", FILTER_PATTERN_MAX);
		return -EINVAL;
	}
	if (memchr(s, '\0', len)) {
		err_set(err, "a NUL byte");
		return -EINVAL;
	}
	memcpy(d->pattern, s, len);
	return 0;
}

/* NAMESPACE/NAME, split at the last '/'. */
static int set_metric(struct filter_def *d, const char *s, size_t len,
		      struct err *err)
{
	size_t ns_len;

	if (parse_metric_path(s, len, &ns_len, err))
		return -EINVAL;
	memcpy(d->ns, s, ns_len);
	memcpy(d->metric, s + ns_len + 1, len - ns_len - 1);
	return 0;
}

/* A number, or a $selector checked against the pattern later. */
static int set_value(struct filter_def *d, const char *s, size_t len,
		     struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];
	double v;

	if (len > FILTER_VALUE_MAX || memchr(s, '\0', len)) {
		err_set(err, "\"%s\" is longer than %d bytes or holds a NUL",
			format_quote(q, s, len), FILTER_VALUE_MAX);
		return -EINVAL;
	}
	if (s[0] == '$') {
		d->value_is_number = false;
		d->number = 0;
	} else if (parse_value(s, len, &v) == 0) {
		d->value_is_number = true;
		d->number = v + 0.0; /* -0 as 0 */
	} else {
		err_set(err, "\"%s\" is not a number, $field or $.json.path",
			format_quote(q, s, len));
		return -EINVAL;
	}
	memcpy(d->value, s, len);
	return 0;
}

static int set_default_value(struct filter_def *d, const char *s, size_t len,
			     struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];
	double v;

	if (parse_value(s, len, &v)) {
		err_set(err, "\"%s\" is not a number", format_quote(q, s, len));
		return -EINVAL;
	}
	d->has_default = true;
	d->default_value = v + 0.0; /* -0 prints "0": keep what reads back */
	return 0;
}

/*
 * One line: the key checked, then its value (raw for the pattern). seen[k]
 * is the line where key k appeared, 0 if not yet. 0, -EINVAL, -ENOMEM.
 */
static int parse_line(struct kv_reader *r, struct kv_line *line,
		      unsigned seen[KEY_COUNT], struct filter_def *d,
		      struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];
	int k, rc;

	for (k = 0; k < KEY_COUNT; k++)
		if (strlen(filter_keys[k].name) == line->key_len &&
		    !memcmp(filter_keys[k].name, line->key, line->key_len))
			break;
	if (k == KEY_COUNT && kv_key_in(line, readout_keys))
		return 0;
	if (k == KEY_COUNT) {
		err_set(err, "line %u: unknown key \"%s\"", line->lineno,
			format_quote(q, line->key, line->key_len));
		return -EINVAL;
	}
	if (seen[k]) {
		err_set(err, "line %u: %s given twice (first on line %u)",
			line->lineno, filter_keys[k].name, seen[k]);
		return -EINVAL;
	}
	seen[k] = line->lineno;
	if (k == KEY_PATTERN) {
		if (line->raw_len == 0) {
			err_set(err, "no value (\"\" matches every event)");
			rc = -EINVAL;
		} else {
			rc = set_pattern(d, line->raw, line->raw_len, err);
		}
		goto out;
	}
	rc = kv_value(r, line, err);
	if (rc)
		return rc; /* err names the line and key */
	switch (k) {
	case KEY_GROUP:
		rc = set_group(d, line->value, line->value_len, err);
		break;
	case KEY_METRIC:
		rc = set_metric(d, line->value, line->value_len, err);
		break;
	case KEY_VALUE:
		rc = set_value(d, line->value, line->value_len, err);
		break;
	default:
		rc = set_default_value(d, line->value, line->value_len, err);
		break;
	}
out:
	if (rc == -EINVAL)
		err_prefix(err, "line %u: %s", line->lineno,
			   filter_keys[k].name);
	return rc;
}

/* After the last line: required keys, the default value, the pattern. */
static int finish(struct filter_def *d, const unsigned seen[KEY_COUNT],
		  struct err *err)
{
	struct pattern *p = NULL;
	char missing[64] = "";
	size_t used = 0;
	int k, rc;

	for (k = 0; k < KEY_COUNT; k++)
		if (filter_keys[k].required && !seen[k])
			used += (size_t)snprintf(
				missing + used, sizeof(missing) - used, "%s%s",
				used ? ", " : "", filter_keys[k].name);
	if (used) {
		err_set(err, "missing %s", missing);
		return -EINVAL;
	}
	if (!seen[KEY_VALUE]) {
		strcpy(d->value, "1");
		d->value_is_number = true;
		d->number = 1;
	}
	rc = pattern_compile(d->pattern, strlen(d->pattern), &p, err);
	if (rc == -EINVAL)
		err_prefix(err, "line %u: pattern", seen[KEY_PATTERN]);
	if (rc == 0 && !d->value_is_number) {
		rc = pattern_check_selector(p, d->value, err);
		if (rc)
			err_prefix(err, "line %u: value", seen[KEY_VALUE]);
	}
	pattern_free(p);
	return rc;
}

int filter_def_parse(const char *text, size_t len, struct filter_def *out,
		     struct err *err)
{
	unsigned seen[KEY_COUNT] = {0};
	struct kv_reader r;
	struct kv_line line;
	struct filter_def *d;
	int rc;

	/* Calloc'd, so every unused byte is zero (see the file header). */
	d = calloc(1, sizeof(*d));
	if (!d) {
		err_set(err, "out of memory");
		return -ENOMEM;
	}
	kv_init(&r, text, len);
	while ((rc = kv_next(&r, &line, err)) == 1) {
		rc = parse_line(&r, &line, seen, d, err);
		if (rc)
			break;
	}
	if (rc == 0)
		rc = finish(d, seen, err);
	if (rc == -ENOMEM)
		err_set(err, "out of memory");
	if (rc == 0)
		memcpy(out, d, sizeof(*d));
	kv_release(&r);
	free(d);
	return rc;
}

/* A field of d, bounded by its array in case it lacks its NUL. */
#define FIELD_LEN(field) strnlen(field, sizeof(field))

int filter_def_render(const struct filter_def *d, struct strbuf *out)
{
	char metric[sizeof(d->ns) + sizeof(d->metric) + 2];
	char number[FORMAT_DOUBLE_MAX];
	size_t start = out->len, plen = FIELD_LEN(d->pattern);
	int n, rc;

	rc = kv_put(out, "group", d->group, FIELD_LEN(d->group));
	/*
	 * The pattern as written: raw, which kv_put's quoting would change.
	 * A '#' after a blank starts a comment, so a pattern that begins
	 * with one (`pattern =#x` reads "#x") follows the '=' directly. The
	 * reader drops one '\r' before the '\n', so a pattern that ends in
	 * '\r' (kept, as written) gets one more for it to drop.
	 */
	if (rc == 0)
		rc = strbuf_adds(out, plen && d->pattern[0] == '#'
					      ? "pattern ="
					      : "pattern = ");
	if (rc == 0)
		rc = plen ? strbuf_add(out, d->pattern, plen)
			  : strbuf_adds(out, "\"\"");
	if (rc == 0)
		rc = strbuf_adds(out, plen && d->pattern[plen - 1] == '\r'
					      ? "\r\n"
					      : "\n");
	n = snprintf(metric, sizeof(metric), "%.*s/%.*s", (int)sizeof(d->ns),
		     d->ns, (int)sizeof(d->metric), d->metric);
	if (rc == 0)
		rc = kv_put(out, "metric", metric, (size_t)n);
	if (rc == 0)
		rc = kv_put(out, "value", d->value, FIELD_LEN(d->value));
	if (rc == 0 && d->has_default) {
		format_double(number, d->default_value);
		rc = kv_put(out, "default_value", number, strlen(number));
	}
	if (rc && out->buf) {
		/* Leave out as it was. */
		out->len = start;
		out->buf[start] = '\0';
	}
	return rc;
}

int filter_apply(const struct filter_def *d, const struct pattern *p,
		 const char *line, size_t len, double *value)
{
	if (!pattern_match(p, line, len))
		return 0;
	if (d->value_is_number) {
		*value = d->number;
		return 1;
	}
	return pattern_value(p, d->value, line, len, value) == 0 ? 1 : -1;
}
