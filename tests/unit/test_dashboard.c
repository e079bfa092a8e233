/*
 * Unit tests for lib/dashboard.h: CloudWatch dashboard bodies (SPEC 15)
 * as the documentation writes them, the rows of a metric widget ("."
 * and "...", dimensions, options), each refusal and the JSON path it
 * names, the layout of widgets without a position, the grid order, the
 * times start and end may hold, and the body printed back.
 *
 * Bodies are written with ' for " (tojson turns them back), so that
 * they read as JSON does.
 */
#include "lib/dashboard.h"
#include "lib/strbuf.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOUR_MS INT64_C(3600000)

/* s with each ' made ", as a string to free. */
static char *tojson(const char *s)
{
	char *t = strdup(s), *p;

	cr_assert(t);
	for (p = t; *p; p++)
		if (*p == '\'')
			*p = '"';
	return t;
}

static int parse_text(const char *text, struct dashboard *d, struct err *err)
{
	memset(err, 0, sizeof(*err));
	return dashboard_parse(text, strlen(text), d, err);
}

/* body (' for ") must be accepted into *d. */
static void accepted(const char *body, struct dashboard *d)
{
	char *text = tojson(body);
	struct err err;

	cr_assert_eq(parse_text(text, d, &err), 0, "%s\nrefused: %s", text,
		     err.msg);
	free(text);
}

/* body (' for ") must be refused with exactly message, owning nothing. */
static void refused(const char *body, const char *message)
{
	char *text = tojson(body);
	struct dashboard d;
	struct err err;

	memset(&d, 0xA5, sizeof(d));
	cr_assert_eq(parse_text(text, &d, &err), -EINVAL, "accepted: %s", text);
	cr_assert_str_eq(err.msg, message, "for %s\ngot %s", text, err.msg);
	cr_assert_null(d.widgets);
	cr_assert_eq(d.nwidgets, 0);
	dashboard_free(&d);
	free(text);
}

/* A body of one widget of type type with properties props. */
static char *one_widget(const char *type, const char *props)
{
	char *body;

	cr_assert(asprintf(&body, "{'widgets':[{'type':'%s','properties':%s}]}",
			   type, props) > 0);
	return body;
}

/* One metric widget with properties props, accepted into *d. */
static const struct dash_widget *metric(const char *props, struct dashboard *d)
{
	char *body = one_widget("metric", props);

	accepted(body, d);
	free(body);
	cr_assert_eq(d->nwidgets, 1);
	return &d->widgets[0];
}

/* One widget of type type with properties props, refused with message. */
static void widget_refused(const char *type, const char *props,
			   const char *message)
{
	char *body = one_widget(type, props);

	refused(body, message);
	free(body);
}

static void metric_refused(const char *props, const char *message)
{
	widget_refused("metric", props, message);
}

static const char *dim_value(const struct dash_row *row, const char *name)
{
	const struct dimension *dim =
		dimension_set_find(&row->dims, name, strlen(name));

	return dim ? dim->value : NULL;
}

/* body (valid JSON as written) printed, as a string to free. */
static char *printed(const char *body, bool compact)
{
	struct strbuf sb = STRBUF_INIT;

	cr_assert_eq(dashboard_body_print(body, strlen(body), compact, &sb), 0);
	return sb.buf;
}

/* ---- the documentation's examples ---- */

/* "Overall Structure": a metric widget and a text widget. */
static const char DOC_OVERALL[] = "{\n"
				  "   'start': '-PT6H',\n"
				  "   'periodOverride': 'inherit',\n"
				  "   'widgets': [\n"
				  "      {\n"
				  "         'type':'metric',\n"
				  "         'x':0,\n"
				  "         'y':0,\n"
				  "         'width':12,\n"
				  "         'height':6,\n"
				  "         'properties':{\n"
				  "            'metrics':[\n"
				  "               [\n"
				  "                  'AWS/EC2',\n"
				  "                  'CPUUtilization',\n"
				  "                  'InstanceId',\n"
				  "                  'i-012345'\n"
				  "               ]\n"
				  "            ],\n"
				  "            'period':300,\n"
				  "            'stat':'Average',\n"
				  "            'region':'us-east-1',\n"
				  "            'title':'EC2 Instance CPU',\n"
				  "            'liveData': false,\n"
				  "            'legend': {\n"
				  "                'position': 'right'\n"
				  "            }\n"
				  "         }\n"
				  "      },\n"
				  "      {\n"
				  "         'type':'text',\n"
				  "         'x':0,\n"
				  "         'y':7,\n"
				  "         'width':3,\n"
				  "         'height':3,\n"
				  "         'properties':{\n"
				  "            'markdown':'Hello world'\n"
				  "         }\n"
				  "      }\n"
				  "   ]\n"
				  "}\n";

/* A metric widget's rows as the documentation shows them: ".", "id",
 * "visible", and an expression row over the others. */
static const char DOC_METRIC[] =
	"{'widgets':[{\n"
	"  'type':'metric', 'x':0, 'y':0, 'width':12, 'height':6,\n"
	"  'properties':{\n"
	"    'metrics':[\n"
	"      [ 'AWS/EC2', 'CPUUtilization', 'InstanceId', 'i-012345',"
	"        { 'id': 'm1', 'stat': 'Maximum', 'visible': false } ],\n"
	"      [ '.', '.', '.', 'i-023456', { 'id': 'm2', 'visible': false,"
	"        'yAxis': 'right' } ],\n"
	"      [ { 'expression': 'SUM(METRICS())', 'label': 'Sum',"
	"          'id': 'e1' } ]\n"
	"    ],\n"
	"    'view':'timeSeries', 'stacked':false, 'region':'us-east-1',\n"
	"    'period':60, 'stat':'Average', 'title':'CPU of two'\n"
	"  }}]}";

static const char DOC_ALARM[] =
	"{'widgets':[{\n"
	"  'type':'alarm', 'x':0, 'y':0, 'width':6, 'height':6,\n"
	"  'properties':{\n"
	"    'title':'Alarms',\n"
	"    'alarms':[\n"
	"      'arn:aws:cloudwatch:us-east-1:012345678910:alarm:myalarm',\n"
	"      'arn:aws:cloudwatch:us-east-1:012345678910:alarm:a:alarm:b',\n"
	"      'local-name'\n"
	"    ],\n"
	"    'sortBy':'stateUpdatedTimestamp', 'states':['ALARM']\n"
	"  }}]}";

Test(dashboard, the_overall_example_reads_with_members_it_does_not_draw)
{
	struct dashboard d;
	const struct dash_widget *w;

	accepted(DOC_OVERALL, &d);
	cr_assert(d.start.relative);
	cr_assert_eq(d.start.ms, -6 * HOUR_MS);
	cr_assert(d.end.relative);
	cr_assert_eq(d.end.ms, 0);
	cr_assert_eq(d.nwidgets, 2);
	w = &d.widgets[0];
	cr_assert_eq(w->type, DASH_WIDGET_METRIC);
	cr_assert_str_eq(w->type_name, "metric");
	cr_assert_eq(w->x, 0);
	cr_assert_eq(w->y, 0);
	cr_assert_eq(w->width, 12);
	cr_assert_eq(w->height, 6);
	cr_assert_str_eq(w->title, "EC2 Instance CPU");
	cr_assert_eq(w->view, DASH_VIEW_TIMESERIES);
	cr_assert_eq(w->nrows, 1);
	cr_assert_str_eq(w->rows[0].ns, "AWS/EC2");
	cr_assert_str_eq(w->rows[0].name, "CPUUtilization");
	cr_assert_str_eq(dim_value(&w->rows[0], "InstanceId"), "i-012345");
	cr_assert_eq(w->rows[0].stat.kind, STAT_AVERAGE);
	cr_assert_eq(w->rows[0].period_s, 300);
	cr_assert(isnan(w->y_min) && isnan(w->y_max));
	w = &d.widgets[1];
	cr_assert_eq(w->type, DASH_WIDGET_TEXT);
	cr_assert_str_eq(w->markdown, "Hello world");
	cr_assert_eq(w->y, 7);
	cr_assert_eq(w->width, 3);
	dashboard_free(&d);
}

Test(dashboard, the_metric_example_resolves_dots_options_and_expressions)
{
	struct dashboard d;
	const struct dash_widget *w;

	accepted(DOC_METRIC, &d);
	w = &d.widgets[0];
	cr_assert_eq(w->nrows, 3);
	cr_assert_str_eq(w->title, "CPU of two");
	cr_assert_eq(w->rows[0].stat.kind, STAT_MAXIMUM);
	cr_assert_not(w->rows[0].visible);
	cr_assert_eq(w->rows[0].period_s, 60);
	cr_assert_str_eq(w->rows[1].ns, "AWS/EC2");
	cr_assert_str_eq(w->rows[1].name, "CPUUtilization");
	cr_assert_str_eq(dim_value(&w->rows[1], "InstanceId"), "i-023456");
	cr_assert_eq(w->rows[1].stat.kind, STAT_AVERAGE);
	cr_assert(w->rows[2].expression);
	cr_assert_null(w->rows[2].ns);
	cr_assert_null(w->rows[2].name);
	cr_assert_str_eq(w->rows[2].label, "Sum");
	cr_assert(w->rows[2].visible);
	dashboard_free(&d);
}

Test(dashboard, the_alarm_example_names_each_alarm_by_its_arns_last_part)
{
	struct dashboard d;
	const struct dash_widget *w;

	accepted(DOC_ALARM, &d);
	w = &d.widgets[0];
	cr_assert_eq(w->type, DASH_WIDGET_ALARM);
	cr_assert_str_eq(w->title, "Alarms");
	cr_assert_eq(w->nalarms, 3);
	cr_assert_str_eq(w->alarms[0], "myalarm");
	cr_assert_str_eq(w->alarms[1], "b");
	cr_assert_str_eq(w->alarms[2], "local-name");
	dashboard_free(&d);
}

Test(dashboard, a_log_widget_keeps_its_query_as_written)
{
	static const char body[] =
		"{\"widgets\":[{\"type\":\"log\",\"x\":0,\"y\":0,\"width\":24,"
		"\"height\":6,\"properties\":{\"query\":\"SOURCE 'app' | "
		"fields @timestamp, @message | sort @timestamp desc | limit "
		"20\",\"region\":\"us-east-1\",\"title\":\"App logs\","
		"\"view\":\"table\"}}]}";
	struct dashboard d;
	struct err err;

	cr_assert_eq(parse_text(body, &d, &err), 0, "%s", err.msg);
	cr_assert_eq(d.widgets[0].type, DASH_WIDGET_LOG);
	cr_assert_str_eq(d.widgets[0].query,
			 "SOURCE 'app' | fields @timestamp, @message | sort "
			 "@timestamp desc | limit 20");
	cr_assert_str_eq(d.widgets[0].title, "App logs");
	dashboard_free(&d);
}

/* ---- metric rows ---- */

Test(dashboard, a_dot_repeats_the_string_above_across_several_rows)
{
	struct dashboard d;
	const struct dash_widget *w = metric(
		"{'metrics':[['app','latency','Host','a','Path','/x'],"
		"['.','.','.','b','.','.'],['.','errors','.','.','.','/y']]}",
		&d);

	cr_assert_eq(w->nrows, 3);
	cr_assert_str_eq(w->rows[1].name, "latency");
	cr_assert_str_eq(dim_value(&w->rows[1], "Host"), "b");
	cr_assert_str_eq(dim_value(&w->rows[1], "Path"), "/x");
	cr_assert_str_eq(w->rows[2].ns, "app");
	cr_assert_str_eq(w->rows[2].name, "errors");
	cr_assert_str_eq(dim_value(&w->rows[2], "Host"), "b");
	cr_assert_str_eq(dim_value(&w->rows[2], "Path"), "/y");
	dashboard_free(&d);
}

Test(dashboard, an_ellipsis_repeats_the_row_above_up_to_the_strings_after_it)
{
	struct dashboard d;
	const struct dash_widget *w =
		metric("{'metrics':[['AWS/EC2','CPUUtilization','InstanceId',"
		       "'i-1'],['...','i-2'],['...'],['.','NetworkIn','...']]}",
		       &d);

	cr_assert_eq(w->nrows, 4);
	cr_assert_str_eq(w->rows[1].name, "CPUUtilization");
	cr_assert_str_eq(dim_value(&w->rows[1], "InstanceId"), "i-2");
	cr_assert_str_eq(dim_value(&w->rows[2], "InstanceId"), "i-2");
	cr_assert_str_eq(w->rows[3].name, "NetworkIn");
	cr_assert_str_eq(dim_value(&w->rows[3], "InstanceId"), "i-2");
	dashboard_free(&d);
}

Test(dashboard, a_dot_without_a_string_above_it_is_refused_by_its_path)
{
	metric_refused("{'metrics':[['.','x']]}",
		       "widgets[0].properties.metrics[0][0]: \".\" repeats the"
		       " string at position 0 of the row above, which has"
		       " none there");
	metric_refused("{'metrics':[['a','b'],['a','b','.','v']]}",
		       "widgets[0].properties.metrics[1][2]: \".\" repeats the"
		       " string at position 2 of the row above, which has"
		       " none there");
	metric_refused("{'metrics':[[{'expression':'1'}],['.','b']]}",
		       "widgets[0].properties.metrics[1][0]: \".\" repeats the"
		       " string at position 0 of the row above, which has"
		       " none there");
}

Test(dashboard, an_ellipsis_longer_than_the_row_above_is_refused)
{
	metric_refused("{'metrics':[['a','b'],['...','c','d','e']]}",
		       "widgets[0].properties.metrics[1][0]: \"...\" repeats"
		       " the row above's strings, and it has 2");
	metric_refused("{'metrics':[['a','b','c','d'],['...','x','...']]}",
		       "widgets[0].properties.metrics[1][2]: a row holds"
		       " \"...\" once");
}

Test(dashboard, dimensions_are_kept_in_canonical_order)
{
	struct dashboard d;
	const struct dash_widget *w = metric(
		"{'metrics':[['app','rps','Zone','z1','Host','h1']]}", &d);

	cr_assert_eq(w->rows[0].dims.count, 2);
	cr_assert_str_eq(w->rows[0].dims.dims[0].name, "Host");
	cr_assert_str_eq(w->rows[0].dims.dims[1].name, "Zone");
	dashboard_free(&d);
}

Test(dashboard, a_dimension_without_a_value_is_refused)
{
	metric_refused("{'metrics':[['app','rps','Host']]}",
		       "widgets[0].properties.metrics[0]: dimension \"Host\""
		       " has no value");
}

Test(dashboard, a_dimension_named_twice_is_refused_with_the_row_path)
{
	struct dashboard d;
	struct err err;
	char *text = tojson("{'widgets':[{'type':'metric','properties':"
			    "{'metrics':[['a','b','H','1','H','2']]}}]}");

	cr_assert_eq(parse_text(text, &d, &err), -EINVAL);
	cr_assert(!strncmp(err.msg, "widgets[0].properties.metrics[0]: ",
			   strlen("widgets[0].properties.metrics[0]: ")),
		  "%s", err.msg);
	free(text);
}

Test(dashboard, more_than_thirty_dimensions_are_refused)
{
	struct strbuf sb = STRBUF_INIT;
	int i;

	strbuf_adds(&sb, "{'metrics':[['a','b'");
	for (i = 0; i < 31; i++)
		strbuf_addf(&sb, ",'D%d','v'", i);
	strbuf_adds(&sb, "]]}");
	metric_refused(sb.buf, "widgets[0].properties.metrics[0][62]: a row"
			       " names at most 30 dimensions");
	strbuf_release(&sb);
}

Test(dashboard, a_row_takes_the_widgets_stat_and_period_unless_it_gives_its_own)
{
	struct dashboard d;
	const struct dash_widget *w =
		metric("{'stat':'p99','period':60,'metrics':[['a','b'],"
		       "['a','c',{'stat':'Sum','period':3600,'label':'C',"
		       "'color':'#1f77b4'}]]}",
		       &d);

	cr_assert_eq(w->rows[0].stat.kind, STAT_PERCENTILE);
	cr_assert_float_eq(w->rows[0].stat.percentile, 99.0, 1e-9);
	cr_assert_eq(w->rows[0].period_s, 60);
	cr_assert_null(w->rows[0].label);
	cr_assert_null(w->rows[0].color);
	cr_assert(w->rows[0].visible);
	cr_assert_eq(w->rows[1].stat.kind, STAT_SUM);
	cr_assert_eq(w->rows[1].period_s, 3600);
	cr_assert_str_eq(w->rows[1].label, "C");
	cr_assert_str_eq(w->rows[1].color, "#1f77b4");
	dashboard_free(&d);
}

Test(dashboard, a_widget_without_stat_or_period_uses_average_and_300)
{
	struct dashboard d;
	const struct dash_widget *w = metric("{'metrics':[['a','b']]}", &d);

	cr_assert_eq(w->rows[0].stat.kind, STAT_AVERAGE);
	cr_assert_str_eq(w->rows[0].stat.cw_name, "Average");
	cr_assert_eq(w->rows[0].period_s, DASHBOARD_DEFAULT_PERIOD_S);
	cr_assert_eq(w->view, DASH_VIEW_TIMESERIES);
	cr_assert_not(w->stacked);
	dashboard_free(&d);
}

Test(dashboard, a_bad_statistic_is_refused_by_its_path)
{
	metric_refused("{'stat':'Avg','metrics':[]}",
		       "widgets[0].properties.stat: \"Avg\" is not a statistic"
		       " (SampleCount, Sum, Average, Minimum, Maximum, pNN)");
	metric_refused("{'metrics':[['a','b',{'stat':'p101'}]]}",
		       "widgets[0].properties.metrics[0][2].stat: \"p101\" is"
		       " not a statistic (SampleCount, Sum, Average, Minimum,"
		       " Maximum, pNN)");
	metric_refused("{'metrics':[['a','b',{'stat':99}]]}",
		       "widgets[0].properties.metrics[0][2].stat: must be a"
		       " string, not a number");
}

Test(dashboard, a_period_is_1_5_10_20_30_or_a_multiple_of_60)
{
	struct dashboard d;
	const struct dash_widget *w = metric(
		"{'period':20,'metrics':[['a','b',{'period':1}],['a','c']]}",
		&d);

	cr_assert_eq(w->rows[0].period_s, 1);
	cr_assert_eq(w->rows[1].period_s, 20);
	dashboard_free(&d);
	metric_refused("{'period':7,'metrics':[]}",
		       "widgets[0].properties.period: 7 is not a period: 1, 5,"
		       " 10, 20, 30 or a multiple of 60 seconds");
	metric_refused("{'metrics':[['a','b',{'period':0}]]}",
		       "widgets[0].properties.metrics[0][2].period: 0 is not a"
		       " period: 1, 5, 10, 20, 30 or a multiple of 60 seconds");
	metric_refused("{'period':-60,'metrics':[]}",
		       "widgets[0].properties.period: -60 is not a period: 1,"
		       " 5, 10, 20, 30 or a multiple of 60 seconds");
	metric_refused("{'period':'300','metrics':[]}",
		       "widgets[0].properties.period: must be an integer, not"
		       " a string");
}

Test(dashboard, a_colour_is_hash_and_six_hex_digits)
{
	metric_refused("{'metrics':[['a','b',{'color':'red'}]]}",
		       "widgets[0].properties.metrics[0][2].color: \"red\" is"
		       " not a colour: #rrggbb");
	metric_refused("{'metrics':[['a','b',{'color':'#12345g'}]]}",
		       "widgets[0].properties.metrics[0][2].color: \"#12345g\""
		       " is not a colour: #rrggbb");
	metric_refused("{'metrics':[['a','b',{'color':'#fff'}]]}",
		       "widgets[0].properties.metrics[0][2].color: \"#fff\" is"
		       " not a colour: #rrggbb");
}

Test(dashboard, an_options_object_before_the_last_place_is_refused)
{
	metric_refused("{'metrics':[['a','b'],['a',{},'b']]}",
		       "widgets[0].properties.metrics[1]: a row holds strings"
		       " and at most one options object, last");
	metric_refused("{'metrics':[['a','b',{},{}]]}",
		       "widgets[0].properties.metrics[0]: a row holds strings"
		       " and at most one options object, last");
}

Test(dashboard, a_number_in_a_row_is_refused_by_its_path)
{
	metric_refused("{'metrics':[['a','b','Port',8080]]}",
		       "widgets[0].properties.metrics[0][3]: must be a string"
		       " (or, last, an options object), not a number");
	metric_refused("{'metrics':['a']}",
		       "widgets[0].properties.metrics[0]: must be an array,"
		       " not a string");
}

Test(dashboard, a_row_without_namespace_and_name_is_refused)
{
	metric_refused("{'metrics':[['a']]}",
		       "widgets[0].properties.metrics[0]: a row needs a"
		       " namespace and a metric name (or, alone, an options"
		       " object with \"expression\")");
	metric_refused("{'metrics':[[{'label':'x'}]]}",
		       "widgets[0].properties.metrics[0]: a row needs a"
		       " namespace and a metric name (or, alone, an options"
		       " object with \"expression\")");
	metric_refused("{'metrics':[['','b']]}",
		       "widgets[0].properties.metrics[0]: the namespace and the"
		       " metric name are not empty");
}

Test(dashboard, an_expression_row_holds_only_its_options)
{
	metric_refused("{'metrics':[['a','b',{'expression':'m1*2'}]]}",
		       "widgets[0].properties.metrics[0]: an expression row"
		       " holds only its options object");
	metric_refused("{'metrics':[[{'expression':2}]]}",
		       "widgets[0].properties.metrics[0][0].expression: must"
		       " be a string, not a number");
}

Test(dashboard, metrics_is_required_and_may_be_empty)
{
	struct dashboard d;
	const struct dash_widget *w = metric("{'metrics':[]}", &d);

	cr_assert_eq(w->nrows, 0);
	cr_assert_null(w->rows);
	dashboard_free(&d);
	metric_refused("{'title':'x'}",
		       "widgets[0].properties: \"metrics\" is required");
	metric_refused("{'metrics':{}}", "widgets[0].properties.metrics: must"
					 " be an array, not an object");
}

Test(dashboard, unknown_row_options_are_ignored_and_known_ones_checked)
{
	struct dashboard d;
	const struct dash_widget *w =
		metric("{'metrics':[['a','b',{'yAxis':'right','region':'x',"
		       "'accountId':'1','id':'m1','sparkle':[1]}]]}",
		       &d);

	cr_assert_eq(w->nrows, 1);
	dashboard_free(&d);
	metric_refused("{'metrics':[['a','b',{'yAxis':'middle'}]]}",
		       "widgets[0].properties.metrics[0][2].yAxis: \"middle\""
		       " is not one of left, right");
	metric_refused("{'metrics':[['a','b',{'visible':'no'}]]}",
		       "widgets[0].properties.metrics[0][2].visible: must be a"
		       " boolean, not a string");
	metric_refused("{'metrics':[['a','b',{'label':1}]]}",
		       "widgets[0].properties.metrics[0][2].label: must be a"
		       " string, not a number");
}

/* ---- metric widget properties ---- */

Test(dashboard, views_are_read_and_pie_and_table_drawn_as_time_series)
{
	static const struct {
		const char *name;
		enum dash_view view;
	} cases[] = {
		{"timeSeries", DASH_VIEW_TIMESERIES},
		{"singleValue", DASH_VIEW_SINGLEVALUE},
		{"gauge", DASH_VIEW_GAUGE},
		{"bar", DASH_VIEW_BAR},
		{"pie", DASH_VIEW_TIMESERIES},
		{"table", DASH_VIEW_TIMESERIES},
	};
	struct dashboard d;
	char props[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(props, sizeof(props),
			 "{'view':'%s','stacked':true,'metrics':[]}",
			 cases[i].name);
		cr_assert_eq(metric(props, &d)->view, cases[i].view, "%s",
			     cases[i].name);
		cr_assert(d.widgets[0].stacked);
		dashboard_free(&d);
	}
	metric_refused("{'view':'line','metrics':[]}",
		       "widgets[0].properties.view: \"line\" is not a view"
		       " (timeSeries, singleValue, gauge, bar, pie, table)");
	metric_refused("{'stacked':'yes','metrics':[]}",
		       "widgets[0].properties.stacked: must be a boolean, not a"
		       " string");
}

Test(dashboard, the_left_y_axis_bounds_are_kept)
{
	struct dashboard d;
	const struct dash_widget *w =
		metric("{'yAxis':{'left':{'min':0,'max':100.5,'label':'%'},"
		       "'right':{'min':-1}},'metrics':[]}",
		       &d);

	cr_assert_float_eq(w->y_min, 0.0, 1e-12);
	cr_assert_float_eq(w->y_max, 100.5, 1e-12);
	dashboard_free(&d);
	w = metric("{'yAxis':{'left':{'max':10}},'metrics':[]}", &d);
	cr_assert(isnan(w->y_min));
	cr_assert_float_eq(w->y_max, 10.0, 1e-12);
	dashboard_free(&d);
	metric_refused("{'yAxis':{'left':{'min':'0'}},'metrics':[]}",
		       "widgets[0].properties.yAxis.left.min: must be a number,"
		       " not a string");
	metric_refused("{'yAxis':{'right':[]},'metrics':[]}",
		       "widgets[0].properties.yAxis.right: must be an object,"
		       " not an array");
}

Test(dashboard, horizontal_annotations_are_kept_and_a_band_keeps_its_first)
{
	struct dashboard d;
	const struct dash_widget *w = metric(
		"{'annotations':{'horizontal':[{'value':90,'label':'high',"
		"'color':'#ff0000'},[{'value':10,'label':'low'},{'value':20}],"
		"{'value':5,'visible':false}],'vertical':[{'value':'x'}]},"
		"'metrics':[]}",
		&d);

	cr_assert_eq(w->nannotations, 2);
	cr_assert_float_eq(w->annotations[0].value, 90.0, 1e-12);
	cr_assert_str_eq(w->annotations[0].label, "high");
	cr_assert_str_eq(w->annotations[0].color, "#ff0000");
	cr_assert_float_eq(w->annotations[1].value, 10.0, 1e-12);
	cr_assert_str_eq(w->annotations[1].label, "low");
	cr_assert_null(w->annotations[1].color);
	dashboard_free(&d);
}

Test(dashboard, an_annotation_without_a_value_is_refused_by_its_path)
{
	metric_refused("{'annotations':{'horizontal':[{'value':1},"
		       "{'label':'x'}]},'metrics':[]}",
		       "widgets[0].properties.annotations.horizontal[1]:"
		       " \"value\" is required");
	metric_refused("{'annotations':{'horizontal':[[{'value':1},"
		       "{'value':'2'}]]},'metrics':[]}",
		       "widgets[0].properties.annotations.horizontal[0][1]"
		       ".value: must be a number, not a string");
	metric_refused("{'annotations':{'horizontal':[[{'value':1}]]},"
		       "'metrics':[]}",
		       "widgets[0].properties.annotations.horizontal[0]: a band"
		       " is an array of two annotations");
	metric_refused("{'annotations':{'horizontal':{}},'metrics':[]}",
		       "widgets[0].properties.annotations.horizontal: must be"
		       " an array, not an object");
}

Test(dashboard, a_title_must_be_a_string)
{
	metric_refused("{'title':7,'metrics':[]}",
		       "widgets[0].properties.title: must be a string, not a"
		       " number");
}

/* ---- widgets ---- */

Test(dashboard, an_unknown_widget_type_is_refused_by_its_path)
{
	refused("{'widgets':[{'type':'text','properties':{'markdown':'a'}},"
		"{'type':'text','properties':{'markdown':'b'}},"
		"{'type':'foo'}]}",
		"widgets[2].type: unknown widget type \"foo\"");
	refused("{'widgets':[{'properties':{}}]}",
		"widgets[0]: \"type\" is required");
	refused("{'widgets':[{'type':1}]}",
		"widgets[0].type: must be a string, not a number");
	refused("{'widgets':['text']}",
		"widgets[0]: must be an object, not a string");
}

Test(dashboard, explorer_and_custom_widgets_are_kept_without_properties)
{
	struct dashboard d;

	accepted("{'widgets':[{'type':'explorer','properties':{'metrics':"
		 "[{'metricName':'x'}]}},{'type':'custom'}]}",
		 &d);
	cr_assert_eq(d.nwidgets, 2);
	cr_assert_eq(d.widgets[0].type, DASH_WIDGET_OTHER);
	cr_assert_str_eq(d.widgets[0].type_name, "explorer");
	cr_assert_eq(d.widgets[1].type, DASH_WIDGET_OTHER);
	cr_assert_str_eq(d.widgets[1].type_name, "custom");
	dashboard_free(&d);
}

Test(dashboard, metric_alarm_text_and_log_widgets_need_their_properties)
{
	refused("{'widgets':[{'type':'text'}]}",
		"widgets[0]: \"properties\" is required");
	refused("{'widgets':[{'type':'metric','properties':[]}]}",
		"widgets[0].properties: must be an object, not an array");
	widget_refused("text", "{}",
		       "widgets[0].properties: \"markdown\" is required");
	widget_refused("text", "{'markdown':null}",
		       "widgets[0].properties.markdown: must be a string, not"
		       " null");
	widget_refused("log", "{'title':'x'}",
		       "widgets[0].properties: \"query\" is required");
	widget_refused("alarm", "{}",
		       "widgets[0].properties: \"alarms\" is required");
	widget_refused("alarm", "{'alarms':['a',{}]}",
		       "widgets[0].properties.alarms[1]: must be a string, not"
		       " an object");
	widget_refused("alarm", "{'alarms':['arn:aws:cloudwatch:r:1:alarm:']}",
		       "widgets[0].properties.alarms[0]: names no alarm");
}

/* ---- layout ---- */

Test(dashboard, width_and_height_default_to_6)
{
	struct dashboard d;

	accepted("{'widgets':[{'type':'text','properties':{'markdown':'a'}}]}",
		 &d);
	cr_assert_eq(d.widgets[0].width, 6);
	cr_assert_eq(d.widgets[0].height, 6);
	cr_assert_eq(d.widgets[0].x, 0);
	cr_assert_eq(d.widgets[0].y, 0);
	dashboard_free(&d);
}

Test(dashboard, positions_and_sizes_off_the_grid_are_refused)
{
	refused("{'widgets':[{'type':'custom','width':25}]}",
		"widgets[0].width: 25 is not from 1 to 24");
	refused("{'widgets':[{'type':'custom','height':0}]}",
		"widgets[0].height: 0 is not from 1 to 1000");
	refused("{'widgets':[{'type':'custom','x':24,'y':0}]}",
		"widgets[0].x: 24 is not from 0 to 23");
	refused("{'widgets':[{'type':'custom','x':20,'y':0,'width':6}]}",
		"widgets[0].x: x + width is 26, past the grid's 24 columns");
	refused("{'widgets':[{'type':'custom','x':0,'y':-1}]}",
		"widgets[0].y: -1 is not from 0 to 10000");
	refused("{'widgets':[{'type':'custom','x':'0','y':0}]}",
		"widgets[0].x: must be an integer, not a string");
	refused("{'widgets':[{'type':'custom','x':0,'y':0,'width':6.5}]}",
		"widgets[0].width: must be an integer, not a number");
}

Test(dashboard, x_and_y_go_together)
{
	refused("{'widgets':[{'type':'custom','x':0}]}",
		"widgets[0]: give x and y both, or neither (to place the"
		" widget after the others)");
	refused("{'widgets':[{'type':'custom','y':3}]}",
		"widgets[0]: give x and y both, or neither (to place the"
		" widget after the others)");
}

Test(dashboard, widgets_without_a_position_go_left_to_right_then_wrap)
{
	struct dashboard d;

	accepted("{'widgets':[{'type':'custom','width':12},"
		 "{'type':'custom','width':8},{'type':'custom','width':6},"
		 "{'type':'custom','width':24,'height':2},"
		 "{'type':'custom'}]}",
		 &d);
	cr_assert_eq(d.nwidgets, 5);
	cr_assert_eq(d.widgets[0].x, 0);
	cr_assert_eq(d.widgets[0].y, 0);
	cr_assert_eq(d.widgets[1].x, 12);
	cr_assert_eq(d.widgets[1].y, 0);
	/* 12 + 8 + 6 > 24: a new row */
	cr_assert_eq(d.widgets[2].x, 0);
	cr_assert_eq(d.widgets[2].y, 6);
	cr_assert_eq(d.widgets[3].x, 0);
	cr_assert_eq(d.widgets[3].y, 12);
	cr_assert_eq(d.widgets[4].x, 0);
	cr_assert_eq(d.widgets[4].y, 14);
	dashboard_free(&d);
}

Test(dashboard, a_new_row_starts_below_the_lowest_bottom_of_the_row_before)
{
	struct dashboard d;

	accepted("{'widgets':[{'type':'custom','width':12,'height':3},"
		 "{'type':'custom','width':12,'height':9},"
		 "{'type':'text','width':4,'properties':{'markdown':'x'}}]}",
		 &d);
	cr_assert_eq(d.widgets[2].type, DASH_WIDGET_TEXT);
	cr_assert_eq(d.widgets[2].x, 0);
	cr_assert_eq(d.widgets[2].y, 9);
	dashboard_free(&d);
}

Test(dashboard, widgets_without_a_position_go_below_those_with_one)
{
	struct dashboard d;

	accepted("{'widgets':[{'type':'text','properties':{'markdown':'a'}},"
		 "{'type':'text','x':18,'y':4,'properties':{'markdown':'b'}},"
		 "{'type':'text','properties':{'markdown':'c'}}]}",
		 &d);
	/* b stays at (18, 4); a and c start at its bottom, 10 */
	cr_assert_str_eq(d.widgets[0].markdown, "b");
	cr_assert_eq(d.widgets[0].x, 18);
	cr_assert_eq(d.widgets[0].y, 4);
	cr_assert_str_eq(d.widgets[1].markdown, "a");
	cr_assert_eq(d.widgets[1].x, 0);
	cr_assert_eq(d.widgets[1].y, 10);
	cr_assert_str_eq(d.widgets[2].markdown, "c");
	cr_assert_eq(d.widgets[2].x, 6);
	cr_assert_eq(d.widgets[2].y, 10);
	dashboard_free(&d);
}

Test(dashboard, widgets_come_in_grid_order_by_y_then_x_ties_as_written)
{
	struct dashboard d;

	accepted("{'widgets':["
		 "{'type':'text','x':12,'y':6,'properties':{'markdown':'4'}},"
		 "{'type':'text','x':0,'y':6,'properties':{'markdown':'3'}},"
		 "{'type':'text','x':6,'y':0,'properties':{'markdown':'2'}},"
		 "{'type':'text','x':0,'y':0,'properties':{'markdown':'0'}},"
		 "{'type':'text','x':0,'y':0,'properties':{'markdown':'1'}}]}",
		 &d);
	cr_assert_eq(d.nwidgets, 5);
	cr_assert_str_eq(d.widgets[0].markdown, "0");
	cr_assert_str_eq(d.widgets[1].markdown, "1");
	cr_assert_str_eq(d.widgets[2].markdown, "2");
	cr_assert_str_eq(d.widgets[3].markdown, "3");
	cr_assert_str_eq(d.widgets[4].markdown, "4");
	dashboard_free(&d);
}

/* ---- the top level ---- */

Test(dashboard, widgets_is_required_and_may_be_empty)
{
	struct dashboard d;

	accepted("{'widgets':[]}", &d);
	cr_assert_eq(d.nwidgets, 0);
	cr_assert_null(d.widgets);
	dashboard_free(&d);
	refused("{'start':'-PT1H'}", "\"widgets\" is required");
	refused("{'widgets':{}}", "widgets: must be an array, not an object");
}

Test(dashboard, unknown_top_level_members_are_ignored)
{
	struct dashboard d;

	accepted("{'variables':[{'type':'property'}],'widgets':[],"
		 "'anything':{'x':1}}",
		 &d);
	dashboard_free(&d);
}

Test(dashboard, a_body_that_is_not_a_json_object_is_refused)
{
	refused("[]", "JSON: not an object");
	refused("{'widgets':[],'widgets':[]}",
		"JSON line 1 column 23: duplicate object key near "
		"'\"widgets\"'");
	refused("{'widgets':[}",
		"JSON line 1 column 13: unexpected token near '}'");
}

Test(dashboard, period_override_is_auto_or_inherit)
{
	struct dashboard d;

	accepted("{'periodOverride':'auto','widgets':[]}", &d);
	dashboard_free(&d);
	refused("{'periodOverride':'never','widgets':[]}",
		"periodOverride: \"never\" is not auto or inherit");
	refused("{'periodOverride':true,'widgets':[]}",
		"periodOverride: must be a string, not a boolean");
}

Test(dashboard, a_bad_start_or_end_is_refused_with_the_reason)
{
	refused("{'start':'PT3H','widgets':[]}",
		"start: \"PT3H\" is not a time: a duration is negative, counted"
		" back from now: -P...");
	refused("{'end':'yesterday','widgets':[]}",
		"end: \"yesterday\" is not a time: it is neither a negative ISO"
		" 8601 duration (-PT3H) nor an ISO 8601 time"
		" (2026-12-06T10:00:00Z)");
	refused("{'start':'-PT3X','widgets':[]}",
		"start: \"-PT3X\" is not a time: the units after T are H, M and"
		" S");
	refused("{'start':3,'widgets':[]}",
		"start: must be a string, not a number");
}

Test(dashboard, more_than_500_widgets_are_refused)
{
	struct strbuf sb = STRBUF_INIT;
	int i;

	strbuf_adds(&sb, "{'widgets':[");
	for (i = 0; i < 501; i++)
		strbuf_adds(&sb,
			    i ? ",{'type':'custom'}" : "{'type':'custom'}");
	strbuf_adds(&sb, "]}");
	refused(sb.buf, "widgets: 501 widgets, over CloudWatch's 500");
	strbuf_release(&sb);
}

Test(dashboard, a_body_over_a_megabyte_is_refused_with_efbig)
{
	size_t len = DASHBOARD_BODY_MAX + 1;
	char *body = malloc(len);
	struct dashboard d;
	struct err err;

	memset(body, ' ', len);
	memcpy(body, "{\"widgets\":[]}", 14);
	cr_assert_eq(dashboard_parse(body, len, &d, &err), -EFBIG);
	cr_assert_eq(dashboard_parse(body, len - 1, &d, &err), 0, "%s",
		     err.msg);
	dashboard_free(&d);
	free(body);
}

Test(dashboard, freeing_is_safe_on_a_zeroed_dashboard_and_twice)
{
	struct dashboard d = {0};

	dashboard_free(&d);
	accepted(DOC_METRIC, &d);
	dashboard_free(&d);
	cr_assert_null(d.widgets);
	dashboard_free(&d);
}

Test(dashboard, a_failure_late_in_a_body_leaks_nothing)
{
	/* Rows, annotations and alarms allocated before the fault (ASan). */
	refused("{'widgets':[{'type':'alarm','properties':{'alarms':['a','b']"
		"}},{'type':'metric','properties':{'annotations':{'horizontal'"
		":[{'value':1,'label':'l','color':'#000000'},{'value':'x'}]},"
		"'metrics':[['a','b','H','1',{'label':'x','color':'#ffffff'}]"
		"]}}]}",
		"widgets[1].properties.annotations.horizontal[1].value: must be"
		" a number, not a string");
	refused("{'widgets':[{'type':'metric','properties':{'metrics':[['a',"
		"'b','H','1',{'label':'x','color':'#ffffff'}],['a','b','H']]}}"
		"]}",
		"widgets[0].properties.metrics[1]: dimension \"H\" has no"
		" value");
}

/* ---- times ---- */

static int64_t relative(const char *s)
{
	struct dash_time t;

	cr_assert_eq(dashboard_time_parse(s, &t), 0, "%s", s);
	cr_assert(t.relative, "%s", s);
	return t.ms;
}

Test(dashboard, negative_durations_count_back_from_now)
{
	cr_assert_eq(relative("-PT3H"), -3 * HOUR_MS);
	cr_assert_eq(relative("-PT15M"), -15 * 60000);
	cr_assert_eq(relative("-PT30S"), -30000);
	cr_assert_eq(relative("-PT1H30M"), -90 * 60000);
	cr_assert_eq(relative("-P1D"), -24 * HOUR_MS);
	cr_assert_eq(relative("-P7D"), -7 * 24 * HOUR_MS);
	cr_assert_eq(relative("-P1W"), -7 * 24 * HOUR_MS);
	cr_assert_eq(relative("-P1DT12H"), -36 * HOUR_MS);
	cr_assert_eq(relative("-PT0H"), 0);
	cr_assert_eq(relative("-PT1H1M1S"), -(HOUR_MS + 61000));
}

Test(dashboard, a_month_counts_30_days_and_a_year_365)
{
	cr_assert_eq(relative("-P1M"), -30 * 24 * HOUR_MS);
	cr_assert_eq(relative("-P1Y"), -365 * 24 * HOUR_MS);
	cr_assert_eq(relative("-P1MT1M"), -(30 * 24 * HOUR_MS + 60000));
}

Test(dashboard, an_absolute_time_is_iso_8601)
{
	struct dash_time t;

	cr_assert_eq(dashboard_time_parse("2026-12-06T10:00:00Z", &t), 0);
	cr_assert_not(t.relative);
	cr_assert_eq(t.ms, INT64_C(1796551200000));
	cr_assert_eq(dashboard_time_parse("2026-12-06T12:00:00+02:00", &t), 0);
	cr_assert_eq(t.ms, INT64_C(1796551200000));
	cr_assert_eq(dashboard_time_parse("2018-04-25T12:00:00.000Z", &t), 0);
	cr_assert_eq(t.ms, INT64_C(1524657600000));
	cr_assert_eq(dashboard_time_parse("2018-04-25T12:00:00.250Z", &t), 0);
	cr_assert_eq(t.ms, INT64_C(1524657600250));
}

Test(dashboard, malformed_times_are_refused)
{
	static const char *const bad[] = {
		"",
		"-",
		"-P",
		"-PT",
		"PT3H",
		"P1D",
		"-pt3h",
		"-PT3h",
		"-P1H",
		"-PT1D",
		"-PT1.5H",
		"-PT1M1H",
		"-P1D1W",
		"-PT3H3H",
		"-P1DT",
		"-PTH",
		"+PT3H",
		"-PT-3H",
		"now",
		"1796551200",
		"2026-12-06",
		"2026-12-06T10:00:00",
		"-PT99999999999999999999H",
		"-P9999999999999999W",
	};
	struct dash_time t;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(dashboard_time_parse(bad[i], &t), -EINVAL,
			     "accepted \"%s\"", bad[i]);
}

Test(dashboard, the_range_defaults_to_the_last_three_hours)
{
	struct dashboard d;
	int64_t start, end, now = INT64_C(1796551200000);

	accepted("{'widgets':[]}", &d);
	cr_assert_eq(dashboard_range(&d, now, &start, &end), 0);
	cr_assert_eq(start, now - DASHBOARD_DEFAULT_RANGE_MS);
	cr_assert_eq(end, now);
	dashboard_free(&d);
}

Test(dashboard, the_range_mixes_relative_and_absolute_bounds)
{
	struct dashboard d;
	int64_t start, end, now = INT64_C(1796551200000);

	accepted("{'start':'2026-12-06T00:00:00Z','end':'-PT1H',"
		 "'widgets':[]}",
		 &d);
	cr_assert_eq(dashboard_range(&d, now, &start, &end), 0);
	cr_assert_eq(start, INT64_C(1796515200000));
	cr_assert_eq(end, now - HOUR_MS);
	dashboard_free(&d);
}

Test(dashboard, a_range_whose_start_is_not_before_its_end_is_refused)
{
	struct dashboard d;
	int64_t start = 1, end = 2, now = INT64_C(1796551200000);

	accepted("{'start':'-PT1H','end':'-PT1H','widgets':[]}", &d);
	cr_assert_eq(dashboard_range(&d, now, &start, &end), -EINVAL);
	cr_assert_eq(start, 1);
	cr_assert_eq(end, 2);
	dashboard_free(&d);
	accepted("{'start':'2026-12-06T10:00:00Z','end':'-P1D',"
		 "'widgets':[]}",
		 &d);
	cr_assert_eq(dashboard_range(&d, now, &start, &end), -EINVAL);
	dashboard_free(&d);
}

/* ---- printing ---- */

Test(dashboard, the_body_prints_with_members_in_the_order_written)
{
	char *out = printed("{\"widgets\":[{\"type\":\"text\",\"y\":0,\"x\":0,"
			    "\"properties\":{\"markdown\":\"# Hi\"}}],"
			    "\"start\":\"-PT6H\",\"a\":[]}",
			    false);

	cr_assert_str_eq(out, "{\n"
			      "  \"widgets\": [\n"
			      "    {\n"
			      "      \"type\": \"text\",\n"
			      "      \"y\": 0,\n"
			      "      \"x\": 0,\n"
			      "      \"properties\": {\n"
			      "        \"markdown\": \"# Hi\"\n"
			      "      }\n"
			      "    }\n"
			      "  ],\n"
			      "  \"start\": \"-PT6H\",\n"
			      "  \"a\": []\n"
			      "}\n");
	free(out);
}

Test(dashboard, the_compact_body_is_one_line)
{
	char *out = printed("{ \"z\" : 1,\n \"a\" : [ 1, 2 ] }", true);

	cr_assert_str_eq(out, "{\"z\":1,\"a\":[1,2]}\n");
	free(out);
}

Test(dashboard, printing_keeps_utf8_and_numbers_as_written)
{
	char *out = printed("{\"t\":\"Température ✓\",\"v\":[0.1,2.5,1e300,"
			    "-0.3,100.0,7,1234.5,0.001]}",
			    true);

	cr_assert_str_eq(out, "{\"t\":\"Température ✓\",\"v\":[0.1,2.5,1e300,"
			      "-0.3,100.0,7,1234.5,0.001]}\n");
	free(out);
}

Test(dashboard, printing_a_real_that_needs_17_digits_keeps_them)
{
	char *out = printed("{\"v\":[0.1,0.30000000000000004]}", true);

	cr_assert_str_eq(out, "{\"v\":[0.10000000000000001,"
			      "0.30000000000000004]}\n");
	free(out);
}

Test(dashboard, printing_what_is_not_json_is_refused)
{
	struct strbuf sb = STRBUF_INIT;

	cr_assert_eq(dashboard_body_print("{", 1, false, &sb), -EINVAL);
	cr_assert_eq(dashboard_body_print("{\"a\":1,\"a\":2}", 13, false, &sb),
		     -EINVAL);
	cr_assert_eq(sb.len, 0);
	strbuf_release(&sb);
}
