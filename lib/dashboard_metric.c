/*
 * dashboard_metric: a metric widget's properties (view, stat, period,
 * stacked, yAxis, annotations.horizontal, and its rows), checked and
 * copied into a struct dash_widget.
 *
 * The rows are the subtle part. Each row is read in two steps: its
 * strings are resolved first ("." and "..." against the row above,
 * whose resolved strings are kept for the next row), then the resolved
 * strings become the namespace, the name and the dimensions. The
 * strings resolved are borrowed from the JSON tree, which outlives the
 * parse.
 */
#include "lib/dashboard_impl.h"

#include "lib/array.h"
#include "lib/format.h"
#include "lib/json_request.h"
#include "lib/parse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A row's strings, "." and "..." resolved. */
struct row_strings {
	const char *s[DASH_ROW_STRINGS_MAX];
	size_t n;
};

/* What a metric widget gives its rows unless a row says otherwise. */
struct row_defaults {
	struct stat_spec stat;
	int64_t period_s;
};

static const struct {
	const char *name;
	enum dash_view view;
} views[] = {
	{"timeSeries", DASH_VIEW_TIMESERIES},
	{"singleValue", DASH_VIEW_SINGLEVALUE},
	{"gauge", DASH_VIEW_GAUGE},
	{"bar", DASH_VIEW_BAR},
	/* CloudWatch's, drawn as a time series */
	{"pie", DASH_VIEW_TIMESERIES},
	{"table", DASH_VIEW_TIMESERIES},
};

/* "#rrggbb", as CloudWatch writes a colour. */
static bool is_color(const char *s)
{
	size_t i;

	if (strlen(s) != 7 || s[0] != '#')
		return false;
	for (i = 1; i < 7; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
			return false;
	return true;
}

/* The member key, if given, a colour, copied into *out. */
static int dup_color(struct dash_ctx *ctx, json_t *obj, const char *key,
		     char **out)
{
	char q[FORMAT_QUOTE_SIZE];
	const char *s = NULL;
	size_t mark;
	int rc;

	rc = dash_get_string(ctx, obj, key, false, &s);
	if (rc || !s)
		return rc;
	if (!is_color(s)) {
		mark = dash_path_key(ctx, key);
		rc = dash_fail(ctx, "\"%s\" is not a colour: #rrggbb",
			       format_quote(q, s, strlen(s)));
		dash_path_restore(ctx, mark);
		return rc;
	}
	*out = strdup(s);
	return *out ? 0 : dash_nomem(ctx);
}

/* The member key, if given, one of the strings of choices[0..n). */
static int check_choice(struct dash_ctx *ctx, json_t *obj, const char *key,
			const char *const *choices, size_t n, const char *list)
{
	char q[FORMAT_QUOTE_SIZE];
	const char *s = NULL;
	size_t i, mark;
	int rc;

	rc = dash_get_string(ctx, obj, key, false, &s);
	if (rc || !s)
		return rc;
	for (i = 0; i < n; i++)
		if (!strcmp(s, choices[i]))
			return 0;
	mark = dash_path_key(ctx, key);
	rc = dash_fail(ctx, "\"%s\" is not one of %s",
		       format_quote(q, s, strlen(s)), list);
	dash_path_restore(ctx, mark);
	return rc;
}

/* The member "stat", if given, into *out. */
static int read_stat(struct dash_ctx *ctx, json_t *obj, struct stat_spec *out)
{
	char q[FORMAT_QUOTE_SIZE];
	const char *s = NULL;
	size_t mark;
	int rc;

	rc = dash_get_string(ctx, obj, "stat", false, &s);
	if (rc || !s || stat_parse(s, strlen(s), out) == 0)
		return rc;
	mark = dash_path_key(ctx, "stat");
	rc = dash_fail(ctx,
		       "\"%s\" is not a statistic (SampleCount, Sum, Average,"
		       " Minimum, Maximum, pNN)",
		       format_quote(q, s, strlen(s)));
	dash_path_restore(ctx, mark);
	return rc;
}

/* The member "period", if given, into *out: a period of SPEC 3. */
static int read_period(struct dash_ctx *ctx, json_t *obj, int64_t *out)
{
	char text[32];
	bool given;
	int64_t v = 0;
	size_t mark;
	int rc;

	rc = dash_get_int(ctx, obj, "period", INT64_MIN, INT64_MAX, &given, &v);
	if (rc || !given)
		return rc;
	/* parse_period holds the rule (1, 5, 10, 20, 30, n * 60), once. */
	snprintf(text, sizeof(text), "%lld", (long long)v);
	if (parse_period(text, strlen(text), out) == 0)
		return 0;
	mark = dash_path_key(ctx, "period");
	rc = dash_fail(ctx,
		       "%lld is not a period: 1, 5, 10, 20, 30 or a multiple"
		       " of 60 seconds",
		       (long long)v);
	dash_path_restore(ctx, mark);
	return rc;
}

/*
 * The strings of a row (its JSON array row, ctx at its path) into cur,
 * "." and "..." resolved against prev; its options object, if any, into
 * *options.
 */
static int resolve_row(struct dash_ctx *ctx, json_t *row,
		       const struct row_strings *prev, struct row_strings *cur,
		       json_t **options)
{
	size_t k, j, fill, nstrings = 0, mark, size = json_array_size(row);
	bool ellipsis = false;
	const char *s;
	json_t *v;
	int rc;

	*options = NULL;
	cur->n = 0;
	json_array_foreach(row, k, v)
	{
		if (json_is_object(v) && k + 1 == size) {
			*options = v;
		} else if (json_is_object(v)) {
			return dash_fail(ctx, "a row holds strings and at most"
					      " one options object, last");
		} else if (!json_is_string(v)) {
			mark = dash_path_index(ctx, k);
			rc = dash_fail(ctx,
				       "must be a string (or, last, an options"
				       " object), not %s",
				       json_request_type_name(v));
			dash_path_restore(ctx, mark);
			return rc;
		} else {
			nstrings++;
		}
	}

	for (k = 0, j = 0; k < nstrings; k++) {
		s = json_string_value(json_array_get(row, k));
		mark = dash_path_index(ctx, k);
		rc = 0;
		if (!strcmp(s, "...")) {
			/* The row above's strings, up to those after "...". */
			if (ellipsis)
				rc = dash_fail(ctx, "a row holds \"...\" once");
			else if (prev->n < j + (nstrings - k - 1))
				rc = dash_fail(ctx,
					       "\"...\" repeats the row above's"
					       " strings, and it has %zu",
					       prev->n);
			ellipsis = true;
			fill = rc ? 0 : prev->n - j - (nstrings - k - 1);
			for (; !rc && fill > 0; fill--, j++)
				cur->s[j] = prev->s[j];
		} else if (j >= DASH_ROW_STRINGS_MAX) {
			rc = dash_fail(ctx, "a row names at most %d dimensions",
				       DIMENSION_MAX);
		} else if (!strcmp(s, ".")) {
			if (j >= prev->n)
				rc = dash_fail(ctx,
					       "\".\" repeats the string at"
					       " position %zu of the row above,"
					       " which has none there",
					       j);
			else
				cur->s[j] = prev->s[j];
			j += rc ? 0 : 1;
		} else {
			cur->s[j++] = s;
		}
		dash_path_restore(ctx, mark);
		if (rc)
			return rc;
	}
	cur->n = j;
	return 0;
}

/* The options object of a row, at ctx's path, into *out. */
static int read_row_options(struct dash_ctx *ctx, json_t *options,
			    struct dash_row *out)
{
	static const char *const axes[] = {"left", "right"};
	const char *ignored = NULL;
	int rc;

	rc = read_stat(ctx, options, &out->stat);
	if (!rc)
		rc = read_period(ctx, options, &out->period_s);
	if (!rc)
		rc = dash_dup_string(ctx, options, "label", false, &out->label);
	if (!rc)
		rc = dup_color(ctx, options, "color", &out->color);
	if (!rc)
		rc = dash_get_bool(ctx, options, "visible", &out->visible);
	if (!rc)
		rc = check_choice(ctx, options, "yAxis", axes, ARRAY_SIZE(axes),
				  "left, right");
	if (!rc)
		rc = dash_get_string(ctx, options, "id", false, &ignored);
	if (!rc)
		rc = dash_get_string(ctx, options, "region", false, &ignored);
	if (!rc)
		rc = dash_get_string(ctx, options, "accountId", false,
				     &ignored);
	if (!rc)
		rc = dash_get_string(ctx, options, "expression", false,
				     &ignored);
	return rc;
}

/* The resolved strings of a row: namespace, name, dimensions. */
static int read_row_metric(struct dash_ctx *ctx, const struct row_strings *cur,
			   struct dash_row *out)
{
	char q[FORMAT_QUOTE_SIZE];
	size_t i;
	int rc;

	if (cur->n < 2)
		return dash_fail(ctx, "a row needs a namespace and a metric"
				      " name (or, alone, an options object"
				      " with \"expression\")");
	if (cur->n % 2)
		return dash_fail(ctx, "dimension \"%s\" has no value",
				 format_quote(q, cur->s[cur->n - 1],
					      strlen(cur->s[cur->n - 1])));
	if (!*cur->s[0] || !*cur->s[1])
		return dash_fail(ctx, "the namespace and the metric name are"
				      " not empty");
	out->ns = strdup(cur->s[0]);
	out->name = strdup(cur->s[1]);
	if (!out->ns || !out->name)
		return dash_nomem(ctx);
	for (i = 2; i < cur->n; i += 2) {
		rc = dimension_set_add(&out->dims, cur->s[i], strlen(cur->s[i]),
				       cur->s[i + 1], strlen(cur->s[i + 1]),
				       ctx->err);
		if (rc == -ENOMEM)
			return dash_nomem(ctx);
		if (rc) {
			err_prefix(ctx->err, "%s", ctx->path);
			return rc;
		}
	}
	return 0;
}

/* metrics[r] (ctx at its path) into *out; prev becomes its strings. */
static int read_row(struct dash_ctx *ctx, json_t *row,
		    const struct row_defaults *defaults,
		    struct row_strings *prev, struct dash_row *out)
{
	struct row_strings cur;
	json_t *options;
	size_t mark;
	int rc;

	out->stat = defaults->stat;
	out->period_s = defaults->period_s;
	out->visible = true;
	if (!json_is_array(row))
		return dash_fail(ctx, "must be an array, not %s",
				 json_request_type_name(row));
	rc = resolve_row(ctx, row, prev, &cur, &options);
	if (rc)
		return rc;
	if (options) {
		mark = dash_path_index(ctx, json_array_size(row) - 1);
		rc = read_row_options(ctx, options, out);
		dash_path_restore(ctx, mark);
		if (rc)
			return rc;
		out->expression =
			json_object_get(options, "expression") != NULL;
	}
	if (out->expression && cur.n > 0)
		return dash_fail(ctx, "an expression row holds only its"
				      " options object");
	if (!out->expression) {
		rc = read_row_metric(ctx, &cur, out);
		if (rc)
			return rc;
	}
	*prev = cur;
	return 0;
}

static int read_rows(struct dash_ctx *ctx, json_t *props,
		     const struct row_defaults *defaults, struct dash_widget *w)
{
	struct row_strings prev = {.n = 0};
	json_t *metrics = json_object_get(props, "metrics"), *row;
	size_t r, mark, outer;
	int rc = 0;

	if (!metrics)
		return dash_fail(ctx, "\"metrics\" is required");
	outer = dash_path_key(ctx, "metrics");
	if (!json_is_array(metrics)) {
		rc = dash_fail(ctx, "must be an array, not %s",
			       json_request_type_name(metrics));
		goto out;
	}
	if (json_array_size(metrics)) {
		w->rows = calloc(json_array_size(metrics), sizeof(*w->rows));
		if (!w->rows) {
			rc = dash_nomem(ctx);
			goto out;
		}
	}
	json_array_foreach(metrics, r, row)
	{
		mark = dash_path_index(ctx, r);
		w->nrows++;
		rc = read_row(ctx, row, defaults, &prev, &w->rows[r]);
		dash_path_restore(ctx, mark);
		if (rc)
			break;
	}
out:
	dash_path_restore(ctx, outer);
	return rc;
}

/* yAxis.left's min and max into w; yAxis.right checked, not drawn. */
static int read_y_axis(struct dash_ctx *ctx, json_t *props,
		       struct dash_widget *w)
{
	static const char *const sides[] = {"left", "right"};
	json_t *axis = json_object_get(props, "yAxis"), *side;
	double ignored;
	size_t i, mark, outer;
	int rc = 0;

	if (!axis)
		return 0;
	outer = dash_path_key(ctx, "yAxis");
	if (!json_is_object(axis))
		rc = dash_fail(ctx, "must be an object, not %s",
			       json_request_type_name(axis));
	for (i = 0; !rc && i < ARRAY_SIZE(sides); i++) {
		side = json_object_get(axis, sides[i]);
		if (!side)
			continue;
		mark = dash_path_key(ctx, sides[i]);
		if (!json_is_object(side))
			rc = dash_fail(ctx, "must be an object, not %s",
				       json_request_type_name(side));
		if (!rc)
			rc = dash_get_number(ctx, side, "min", false,
					     i == 0 ? &w->y_min : &ignored);
		if (!rc)
			rc = dash_get_number(ctx, side, "max", false,
					     i == 0 ? &w->y_max : &ignored);
		dash_path_restore(ctx, mark);
	}
	dash_path_restore(ctx, outer);
	return rc;
}

/* One annotation object (ctx at its path); *keep false: not drawn. */
static int read_annotation(struct dash_ctx *ctx, json_t *obj,
			   struct dash_annotation *out, bool *keep)
{
	int rc;

	*keep = true;
	if (!json_is_object(obj))
		return dash_fail(ctx, "must be an object, not %s",
				 json_request_type_name(obj));
	rc = dash_get_number(ctx, obj, "value", true, &out->value);
	if (!rc)
		rc = dash_dup_string(ctx, obj, "label", false, &out->label);
	if (!rc)
		rc = dup_color(ctx, obj, "color", &out->color);
	if (!rc)
		rc = dash_get_bool(ctx, obj, "visible", keep);
	return rc;
}

/*
 * annotations.horizontal[i] (ctx at its path): an annotation, or a band
 * [{value...}, {value...}] of which the first is kept (monfs draws a
 * line, not a band).
 */
static int read_horizontal(struct dash_ctx *ctx, json_t *v,
			   struct dash_annotation *out, bool *keep)
{
	struct dash_annotation other = {0};
	bool other_keep;
	size_t mark;
	int rc;

	if (!json_is_array(v))
		return read_annotation(ctx, v, out, keep);
	if (json_array_size(v) != 2)
		return dash_fail(ctx, "a band is an array of two annotations");
	mark = dash_path_index(ctx, 0);
	rc = read_annotation(ctx, json_array_get(v, 0), out, keep);
	dash_path_restore(ctx, mark);
	if (rc)
		return rc;
	mark = dash_path_index(ctx, 1);
	rc = read_annotation(ctx, json_array_get(v, 1), &other, &other_keep);
	dash_path_restore(ctx, mark);
	free(other.label);
	free(other.color);
	return rc;
}

static int read_annotations(struct dash_ctx *ctx, json_t *props,
			    struct dash_widget *w)
{
	json_t *annotations = json_object_get(props, "annotations"), *list, *v;
	struct dash_annotation *a;
	size_t i, mark, outer, inner;
	bool keep;
	int rc = 0;

	if (!annotations)
		return 0;
	outer = dash_path_key(ctx, "annotations");
	list = json_object_get(annotations, "horizontal");
	if (!json_is_object(annotations)) {
		rc = dash_fail(ctx, "must be an object, not %s",
			       json_request_type_name(annotations));
		goto out;
	}
	if (!list)
		goto out;
	inner = dash_path_key(ctx, "horizontal");
	if (!json_is_array(list))
		rc = dash_fail(ctx, "must be an array, not %s",
			       json_request_type_name(list));
	else if (json_array_size(list) &&
		 !(w->annotations = calloc(json_array_size(list), sizeof(*a))))
		rc = dash_nomem(ctx);
	json_array_foreach(list, i, v)
	{
		if (rc)
			break;
		a = &w->annotations[w->nannotations];
		mark = dash_path_index(ctx, i);
		rc = read_horizontal(ctx, v, a, &keep);
		dash_path_restore(ctx, mark);
		if (!rc && keep) {
			w->nannotations++;
		} else {
			free(a->label);
			free(a->color);
			*a = (struct dash_annotation){0};
		}
	}
	dash_path_restore(ctx, inner);
out:
	dash_path_restore(ctx, outer);
	return rc;
}

int dash_metric_parse(struct dash_ctx *ctx, json_t *props,
		      struct dash_widget *w)
{
	char q[FORMAT_QUOTE_SIZE];
	struct row_defaults defaults = {.period_s = DASHBOARD_DEFAULT_PERIOD_S};
	const char *view = NULL;
	size_t i, mark;
	int rc;

	if (stat_parse("Average", 7, &defaults.stat))
		return dash_fail(ctx, "no Average statistic"); /* cannot be */
	rc = read_stat(ctx, props, &defaults.stat);
	if (!rc)
		rc = read_period(ctx, props, &defaults.period_s);
	if (!rc)
		rc = dash_get_string(ctx, props, "view", false, &view);
	for (i = 0; !rc && view && i < ARRAY_SIZE(views); i++)
		if (!strcmp(view, views[i].name))
			break;
	if (!rc && view && i == ARRAY_SIZE(views)) {
		mark = dash_path_key(ctx, "view");
		rc = dash_fail(ctx,
			       "\"%s\" is not a view (timeSeries, singleValue,"
			       " gauge, bar, pie, table)",
			       format_quote(q, view, strlen(view)));
		dash_path_restore(ctx, mark);
	}
	if (!rc && view)
		w->view = views[i].view;
	if (!rc)
		rc = dash_get_bool(ctx, props, "stacked", &w->stacked);
	if (!rc)
		rc = read_y_axis(ctx, props, w);
	if (!rc)
		rc = read_annotations(ctx, props, w);
	if (!rc)
		rc = read_rows(ctx, props, &defaults, w);
	return rc;
}
