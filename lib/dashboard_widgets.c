/*
 * dashboard_widgets: one widget of a dashboard body, its type, its
 * position and size, and the properties of alarm, text and log widgets
 * (a metric widget's are lib/dashboard_metric.c's), checked and copied
 * into a struct dash_widget.
 */
#include "lib/dashboard_impl.h"

#include "lib/array.h"
#include "lib/format.h"
#include "lib/json_request.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	enum dash_widget_type type;
} widget_types[] = {
	{"metric", DASH_WIDGET_METRIC},	 {"alarm", DASH_WIDGET_ALARM},
	{"text", DASH_WIDGET_TEXT},	 {"log", DASH_WIDGET_LOG},
	{"explorer", DASH_WIDGET_OTHER}, {"custom", DASH_WIDGET_OTHER},
};

/* An alarm's name: itself, or an ARN's part after its last ":alarm:". */
static const char *alarm_name(const char *s)
{
	const char *at, *name = s;

	for (at = strstr(s, ":alarm:"); at; at = strstr(at + 1, ":alarm:"))
		name = at + strlen(":alarm:");
	return name;
}

static int read_alarms(struct dash_ctx *ctx, json_t *props,
		       struct dash_widget *w)
{
	json_t *alarms = json_object_get(props, "alarms"), *v;
	size_t i, mark, outer;
	const char *name;
	int rc = 0;

	if (!alarms)
		return dash_fail(ctx, "\"alarms\" is required");
	outer = dash_path_key(ctx, "alarms");
	if (!json_is_array(alarms))
		rc = dash_fail(ctx, "must be an array, not %s",
			       json_request_type_name(alarms));
	else if (json_array_size(alarms) &&
		 !(w->alarms =
			   calloc(json_array_size(alarms), sizeof(*w->alarms))))
		rc = dash_nomem(ctx);
	json_array_foreach(alarms, i, v)
	{
		if (rc)
			break;
		mark = dash_path_index(ctx, i);
		name = json_is_string(v) ? alarm_name(json_string_value(v))
					 : NULL;
		if (!name)
			rc = dash_fail(ctx, "must be a string, not %s",
				       json_request_type_name(v));
		else if (!*name)
			rc = dash_fail(ctx, "names no alarm");
		else if (!(w->alarms[w->nalarms] = strdup(name)))
			rc = dash_nomem(ctx);
		else
			w->nalarms++;
		dash_path_restore(ctx, mark);
	}
	dash_path_restore(ctx, outer);
	return rc;
}

/* properties (ctx at its path) by w's type. */
static int read_properties(struct dash_ctx *ctx, json_t *props,
			   struct dash_widget *w)
{
	int rc;

	if (!json_is_object(props))
		return dash_fail(ctx, "must be an object, not %s",
				 json_request_type_name(props));
	rc = dash_dup_string(ctx, props, "title", false, &w->title);
	if (rc)
		return rc;
	switch (w->type) {
	case DASH_WIDGET_METRIC:
		return dash_metric_parse(ctx, props, w);
	case DASH_WIDGET_ALARM:
		return read_alarms(ctx, props, w);
	case DASH_WIDGET_TEXT:
		return dash_dup_string(ctx, props, "markdown", true,
				       &w->markdown);
	case DASH_WIDGET_LOG:
		return dash_dup_string(ctx, props, "query", true, &w->query);
	case DASH_WIDGET_OTHER:
		break;
	}
	return 0;
}

static int read_type(struct dash_ctx *ctx, json_t *obj, struct dash_widget *w)
{
	char q[FORMAT_QUOTE_SIZE];
	const char *type = NULL;
	size_t i, mark;
	int rc;

	rc = dash_get_string(ctx, obj, "type", true, &type);
	if (rc)
		return rc;
	for (i = 0; i < ARRAY_SIZE(widget_types); i++)
		if (!strcmp(type, widget_types[i].name))
			break;
	if (i == ARRAY_SIZE(widget_types)) {
		mark = dash_path_key(ctx, "type");
		rc = dash_fail(ctx, "unknown widget type \"%s\"",
			       format_quote(q, type, strlen(type)));
		dash_path_restore(ctx, mark);
		return rc;
	}
	w->type = widget_types[i].type;
	w->type_name = strdup(type);
	return w->type_name ? 0 : dash_nomem(ctx);
}

/* x, y, width, height: checked, defaults applied. */
static int read_position(struct dash_ctx *ctx, json_t *obj,
			 struct dash_widget *w, bool *placed)
{
	int64_t x = 0, y = 0, width = DASH_DEFAULT_SIZE,
		height = DASH_DEFAULT_SIZE;
	bool x_given, y_given, given;
	size_t mark;
	int rc;

	rc = dash_get_int(ctx, obj, "width", 1, DASHBOARD_GRID_COLUMNS, &given,
			  &width);
	if (!rc)
		rc = dash_get_int(ctx, obj, "height", 1, DASH_HEIGHT_MAX,
				  &given, &height);
	if (!rc)
		rc = dash_get_int(ctx, obj, "x", 0, DASHBOARD_GRID_COLUMNS - 1,
				  &x_given, &x);
	if (!rc)
		rc = dash_get_int(ctx, obj, "y", 0, DASH_Y_MAX, &y_given, &y);
	if (rc)
		return rc;
	if (x_given != y_given)
		return dash_fail(ctx, "give x and y both, or neither (to place"
				      " the widget after the others)");
	if (x + width > DASHBOARD_GRID_COLUMNS) {
		mark = dash_path_key(ctx, "x");
		rc = dash_fail(ctx,
			       "x + width is %d, past the grid's %d columns",
			       (int)(x + width), DASHBOARD_GRID_COLUMNS);
		dash_path_restore(ctx, mark);
		return rc;
	}
	w->x = (int)x;
	w->y = (int)y;
	w->width = (int)width;
	w->height = (int)height;
	*placed = x_given;
	return 0;
}

int dash_widget_parse(struct dash_ctx *ctx, json_t *obj, struct dash_widget *w,
		      bool *placed)
{
	json_t *props;
	size_t mark;
	int rc;

	w->y_min = NAN;
	w->y_max = NAN;
	if (!json_is_object(obj))
		return dash_fail(ctx, "must be an object, not %s",
				 json_request_type_name(obj));
	rc = read_type(ctx, obj, w);
	if (!rc)
		rc = read_position(ctx, obj, w, placed);
	if (rc)
		return rc;
	props = json_object_get(obj, "properties");
	if (!props && w->type != DASH_WIDGET_OTHER)
		return dash_fail(ctx, "\"properties\" is required");
	if (!props || w->type == DASH_WIDGET_OTHER)
		return 0;
	mark = dash_path_key(ctx, "properties");
	rc = read_properties(ctx, props, w);
	dash_path_restore(ctx, mark);
	return rc;
}

void dash_widget_free(struct dash_widget *w)
{
	size_t i;

	free(w->type_name);
	free(w->title);
	for (i = 0; i < w->nrows; i++) {
		free(w->rows[i].ns);
		free(w->rows[i].name);
		dimension_set_free(&w->rows[i].dims);
		free(w->rows[i].label);
		free(w->rows[i].color);
	}
	free(w->rows);
	for (i = 0; i < w->nannotations; i++) {
		free(w->annotations[i].label);
		free(w->annotations[i].color);
	}
	free(w->annotations);
	for (i = 0; i < w->nalarms; i++)
		free(w->alarms[i]);
	free(w->alarms);
	free(w->markdown);
	free(w->query);
	*w = (struct dash_widget){0};
}
