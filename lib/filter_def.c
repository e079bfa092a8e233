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
 *
 * `dimension =` is the one key given more than once (up to
 * FILTER_DIMENSIONS_MAX lines, SPEC 11); its lines keep the order they
 * were written in, and the rendering shows them after `metric =`.
 */
#include "lib/filter.h"

#include "lib/dimension.h"
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
	KEY_DIMENSION,
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
	[KEY_DIMENSION] = {"dimension", false},
	[KEY_VALUE] = {"value", false},
	[KEY_DEFAULT_VALUE] = {"default_value", false},
};

/*
 * The counters a reading adds after the definition (store/filters.c):
 * accepted and ignored on write, so that what a read shows writes back
 * (SPEC 2).
 */
static const char *const readout_keys[] = {"matched", "skipped", NULL};

/* Where each key was seen while a definition is parsed, for messages. */
struct parse_state {
	unsigned seen[KEY_COUNT]; /* line of key k's first line, 0: none */
	unsigned dim_line[FILTER_DIMENSIONS_MAX]; /* line of dims[i] */
};

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
 * `Name=$field`, split at the first '=': a dimension name not given
 * before, and a $selector checked against the pattern later.
 */
static int set_dimension(struct filter_def *d, struct parse_state *ps,
			 unsigned lineno, const char *s, size_t len,
			 struct err *err)
{
	const char *eq = memchr(s, '=', len);
	char q[FORMAT_QUOTE_SIZE];
	struct filter_dimension *dim;
	size_t name_len, field_len, i;

	if (d->ndims == FILTER_DIMENSIONS_MAX) {
		err_set(err, "more than %d dimensions (CloudWatch's limit)",
			FILTER_DIMENSIONS_MAX);
		return -EINVAL;
	}
	if (!eq || eq == s) {
		err_set(err, "\"%s\" is not Name=$field",
			format_quote(q, s, len));
		return -EINVAL;
	}
	name_len = (size_t)(eq - s);
	field_len = len - name_len - 1;
	if (dimension_check_name(s, name_len, err))
		return -EINVAL;
	if (field_len == 0 || eq[1] != '$' || field_len > FILTER_VALUE_MAX ||
	    memchr(eq + 1, '\0', field_len)) {
		err_set(err,
			"\"%s\" is not a $field or $.json.path of the event",
			format_quote(q, eq + 1, field_len));
		return -EINVAL;
	}
	for (i = 0; i < d->ndims; i++)
		if (strlen(d->dims[i].name) == name_len &&
		    !memcmp(d->dims[i].name, s, name_len)) {
			err_set(err, "%s given twice (first on line %u)",
				d->dims[i].name, ps->dim_line[i]);
			return -EINVAL;
		}
	dim = &d->dims[d->ndims];
	memcpy(dim->name, s, name_len);
	memcpy(dim->field, eq + 1, field_len);
	ps->dim_line[d->ndims++] = lineno;
	return 0;
}

/*
 * One line: the key checked, then its value (raw for the pattern). seen[k]
 * is the line where key k appeared, 0 if not yet. 0, -EINVAL, -ENOMEM.
 */
static int parse_line(struct kv_reader *r, struct kv_line *line,
		      struct parse_state *ps, struct filter_def *d,
		      struct err *err)
{
	unsigned *seen = ps->seen;
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
	if (seen[k] && k != KEY_DIMENSION) {
		err_set(err, "line %u: %s given twice (first on line %u)",
			line->lineno, filter_keys[k].name, seen[k]);
		return -EINVAL;
	}
	if (!seen[k])
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
	case KEY_DIMENSION:
		rc = set_dimension(d, ps, line->lineno, line->value,
				   line->value_len, err);
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

/*
 * The dimensions against the rest, once every line is read: not with
 * default_value, all of one kind of selector, each one the pattern has.
 */
static int check_dimensions(const struct filter_def *d,
			    const struct parse_state *ps,
			    const struct pattern *p, struct err *err)
{
	bool json = d->ndims && !strncmp(d->dims[0].field, "$.", 2);
	size_t i;

	if (d->ndims && d->has_default) {
		err_set(err,
			"line %u: default_value: not with dimension lines "
			"(line %u), as CloudWatch refuses it",
			ps->seen[KEY_DEFAULT_VALUE], ps->dim_line[0]);
		return -EINVAL;
	}
	for (i = 0; i < d->ndims; i++) {
		if (!strncmp(d->dims[i].field, "$.", 2) != json) {
			err_set(err,
				"line %u: dimension: %s and %s (line %u) are "
				"not of one kind: all $field or all "
				"$.json.path",
				ps->dim_line[i], d->dims[i].field,
				d->dims[0].field, ps->dim_line[0]);
			return -EINVAL;
		}
		if (pattern_check_selector(p, d->dims[i].field, err)) {
			err_prefix(err, "line %u: dimension %s",
				   ps->dim_line[i], d->dims[i].name);
			return -EINVAL;
		}
	}
	return 0;
}

/* After the last line: required keys, the default value, the pattern. */
static int finish(struct filter_def *d, const struct parse_state *ps,
		  struct err *err)
{
	const unsigned *seen = ps->seen;
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
	if (rc == 0)
		rc = check_dimensions(d, ps, p, err);
	pattern_free(p);
	return rc;
}

int filter_def_parse(const char *text, size_t len, struct filter_def *out,
		     struct err *err)
{
	struct parse_state ps = {{0}, {0}};
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
		rc = parse_line(&r, &line, &ps, d, err);
		if (rc)
			break;
	}
	if (rc == 0)
		rc = finish(d, &ps, err);
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

/* The `dimension = Name=$field` lines, in the order written. */
static int render_dimensions(const struct filter_def *d, struct strbuf *out)
{
	char line[sizeof(d->dims[0].name) + sizeof(d->dims[0].field) + 1];
	size_t i;
	int n, rc = 0;

	for (i = 0; rc == 0 && i < d->ndims && i < FILTER_DIMENSIONS_MAX; i++) {
		n = snprintf(line, sizeof(line), "%.*s=%.*s",
			     (int)sizeof(d->dims[i].name), d->dims[i].name,
			     (int)sizeof(d->dims[i].field), d->dims[i].field);
		rc = kv_put(out, "dimension", line, (size_t)n);
	}
	return rc;
}

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
		rc = render_dimensions(d, out);
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

/* ---- the series of an event (SPEC 11) ---- */

_Static_assert(FILTER_DIMENSIONS_MAX <= PATTERN_TEXTS_MAX,
	       "pattern_texts reads every dimension of a filter at once");

/* filter_series_path's pattern_texts_fn: what it appends to out. */
struct series_path {
	const struct filter_def *d;
	const size_t *order; /* d's dimensions in canonical (name) order */
	struct strbuf *out;
};

/* Append `A=x/B=y` from the event's texts: 1, 0 (no series), -ENOMEM. */
static int add_series_path(void *ctx, const char *const *texts,
			   const size_t *lens)
{
	const struct series_path *sp = ctx;
	size_t start = sp->out->len, k, i, name_len;
	int rc = 0;

	for (k = 0; k < sp->d->ndims; k++) {
		i = sp->order[k];
		name_len = strlen(sp->d->dims[i].name);
		if (!texts[i] || dimension_check(sp->d->dims[i].name, name_len,
						 texts[i], lens[i], NULL))
			goto none;
		if ((k && strbuf_add(sp->out, "/", 1)) ||
		    strbuf_add(sp->out, sp->d->dims[i].name, name_len) ||
		    strbuf_add(sp->out, "=", 1) ||
		    dimension_encode_value(sp->out, texts[i], lens[i])) {
			rc = -ENOMEM;
			goto none;
		}
	}
	return 1;
none:
	if (sp->out->buf) {
		sp->out->len = start;
		sp->out->buf[start] = '\0';
	}
	return rc;
}

int filter_series_path(const struct filter_def *d, const struct pattern *p,
		       const char *line, size_t len, struct strbuf *out)
{
	const char *fields[FILTER_DIMENSIONS_MAX];
	size_t order[FILTER_DIMENSIONS_MAX], i, k, at;
	struct series_path sp = {d, order, out};
	int rc;

	/* A few names: sorted by insertion, for each event. */
	for (i = 0; i < d->ndims; i++) {
		fields[i] = d->dims[i].field;
		for (k = i; k > 0; k--) {
			at = order[k - 1];
			if (dimension_name_compare(d->dims[at].name,
						   strlen(d->dims[at].name),
						   d->dims[i].name,
						   strlen(d->dims[i].name)) < 0)
				break;
			order[k] = at;
		}
		order[k] = i;
	}
	rc = pattern_texts(p, fields, d->ndims, line, len, add_series_path,
			   &sp);
	return rc == -EINVAL ? 0 : rc; /* checked at definition: no series */
}
