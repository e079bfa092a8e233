/*
 * Unit tests for lib/dashboard_draw.h (SPEC 15): a dashboard drawn as
 * text (sparklines, numbers, each widget type, the width kept), as SVG
 * (one path per drawn row with a vertex per value, gaps, colours,
 * annotations, alarms by state, ticks, escaping, valid XML) and as an
 * HTML page. The parser is not used: the models are built by hand.
 */
#include "lib/dashboard_draw.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/dashboard_draw_impl.h"
#include "lib/format.h"
#include "lib/svg.h"
#include "lib/timeutil.h"

#define PERIOD_MS (5 * MS_PER_MINUTE)
#define RANGE_MS (3 * MS_PER_HOUR)
#define BLANK " "

static const char *const LEVELS[8] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};

/* 2026-12-06T07:00:00Z */
static int64_t t0(void)
{
	return days_from_civil(2026, 12, 6) * MS_PER_DAY + 7 * MS_PER_HOUR;
}

static struct dash_draw_options options(int width)
{
	struct dash_draw_options o = {
		.name = "ops",
		.start_ms = t0(),
		.end_ms = t0() + RANGE_MS,
		.width = width,
	};

	return o;
}

static struct dash_row row(char *ns, char *name, char *label)
{
	struct dash_row r = {.ns = ns, .name = name, .label = label};

	r.visible = true;
	r.period_s = 300;
	return r;
}

static struct dash_widget widget(enum dash_widget_type type, int x, int y,
				 int width, int height)
{
	struct dash_widget w = {.type = type, .x = x, .y = y};

	w.width = width;
	w.height = height;
	w.y_min = NAN;
	w.y_max = NAN;
	return w;
}

static struct dash_widget metric(struct dash_row *rows, size_t nrows)
{
	struct dash_widget w = widget(DASH_WIDGET_METRIC, 0, 0, 12, 6);

	w.rows = rows;
	w.nrows = nrows;
	return w;
}

static struct dash_series series(const double *values, size_t n)
{
	struct dash_series s = {.start_ms = t0(), .period_ms = PERIOD_MS};

	s.values = values;
	s.nvalues = n;
	return s;
}

static struct dash_frame metric_frame(const struct dash_series *s, size_t n)
{
	struct dash_frame f = {.series = s, .nseries = n};

	return f;
}

/* Draw one widget with its frame as text, svg or html. */
enum form { TEXT, SVG, HTML };

static char *draw_all(enum form form, struct dash_widget *widgets, size_t n,
		      const struct dash_frame *frames, int width)
{
	struct dashboard d = {.widgets = widgets, .nwidgets = n};
	struct dash_draw_options o = options(width);
	struct strbuf out = STRBUF_INIT;
	int rc;

	if (form == TEXT)
		rc = dash_draw_text(&out, &d, frames, &o);
	else if (form == SVG)
		rc = dash_draw_svg(&out, &d, frames, &o);
	else
		rc = dash_draw_html(&out, &d, frames, &o);
	cr_assert_eq(rc, 0);
	cr_assert_not_null(out.buf);
	return out.buf;
}

static char *draw(enum form form, struct dash_widget *w,
		  const struct dash_frame *f)
{
	return draw_all(form, w, 1, f, 80);
}

/* The line of text that holds needle, copied (the caller frees). */
static char *line_with(const char *text, const char *needle)
{
	const char *at = strstr(text, needle), *start, *end;

	cr_assert_not_null(at, "no line holds \"%s\" in:\n%s", needle, text);
	start = at;
	while (start > text && start[-1] != '\n')
		start--;
	end = strchr(at, '\n');
	if (!end)
		end = at + strlen(at);
	return strndup(start, (size_t)(end - start));
}

static size_t code_points(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

static size_t count(const char *s, const char *needle)
{
	size_t n = 0;

	while ((s = strstr(s, needle))) {
		n++;
		s += strlen(needle);
	}
	return n;
}

/* The sparkline of a line: what lies between the label and "last". */
static void expect_spark(const char *line, const char *want)
{
	cr_assert_not_null(strstr(line, want), "\"%s\" not in \"%s\"", want,
			   line);
}

/* ---- text: sparklines ---- */

Test(dash_text, eight_rising_values_climb_every_level)
{
	static const double v[] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct dash_row r = row("AWS/EC2", "CPUUtilization", "cpu");
	struct dash_widget w = metric(&r, 1);
	struct dash_series s = series(v, 8);
	struct dash_frame f = metric_frame(&s, 1);
	char *out = draw(TEXT, &w, &f), *line = line_with(out, "cpu ");

	expect_spark(line, "▁▂▃▄▅▆▇█ ");
	free(line);
	free(out);
}

Test(dash_text, the_maximum_is_full_and_the_minimum_lowest_at_their_periods)
{
	static const double v[] = {5, 9, 1, 5};
	struct dash_row r = row("NS", "m", "row");
	struct dash_widget w = metric(&r, 1);
	struct dash_series s = series(v, 4);
	struct dash_frame f = metric_frame(&s, 1);
	char *out = draw(TEXT, &w, &f), *line = line_with(out, "row ");
	char want[64];

	snprintf(want, sizeof(want), " %s%s%s%s ", LEVELS[4], LEVELS[7],
		 LEVELS[0], LEVELS[4]);
	expect_spark(line, want);
	free(line);
	free(out);
}

Test(dash_text, equal_values_draw_the_middle_block)
{
	static const double v[] = {42, 42, 42};
	struct dash_row r = row("NS", "m", "flat");
	struct dash_widget w = metric(&r, 1);
	struct dash_series s = series(v, 3);
	struct dash_frame f = metric_frame(&s, 1);
	char *out = draw(TEXT, &w, &f), *line = line_with(out, "flat ");

	expect_spark(line, " ▄▄▄ ");
	cr_assert_not_null(strstr(line, "last 42 min 42 max 42"));
	free(line);
	free(out);
}

Test(dash_text, a_period_without_data_is_a_blank)
{
	static const double v[] = {1, NAN, 8};
	struct dash_row r = row("NS", "m", "gappy");
	struct dash_widget w = metric(&r, 1);
	struct dash_series s = series(v, 3);
	struct dash_frame f = metric_frame(&s, 1);
	char *out = draw(TEXT, &w, &f), *line = line_with(out, "gappy ");

	expect_spark(line, " ▁" BLANK "█ ");
	free(line);
	free(out);
}

Test(dash_text, last_min_and_max_are_printed_as_numbers_print)
{
	static const double v[] = {3.5, 0.1, 12, NAN};
	struct dash_row r = row("NS", "m", "nums");
	struct dash_widget w = metric(&r, 1);
	struct dash_series s = series(v, 4);
	struct dash_frame f = metric_frame(&s, 1);
	char *out = draw(TEXT, &w, &f), *line = line_with(out, "nums ");

	cr_assert(strstr(line, "last 12 min 0.1 max 12"), "%s", line);
	free(line);
	free(out);
}

Test(dash_text, a_row_without_data_says_no_data)
{
	static const double v[] = {NAN, NAN, NAN};
	struct dash_row r[2] = {row("NS", "a", "empty"),
				row("NS", "b", "none")};
	struct dash_widget w = metric(r, 2);
	struct dash_series s[1] = {series(v, 3)};
	struct dash_frame f = metric_frame(s, 1); /* b: no series at all */
	char *out = draw(TEXT, &w, &f), *line = line_with(out, "empty ");

	cr_assert(strstr(line, "no data"), "%s", line);
	cr_assert_null(strstr(line, "▄"));
	free(line);
	line = line_with(out, "none ");
	cr_assert(strstr(line, "no data"), "%s", line);
	free(line);
	free(out);
}

Test(dash_text, more_values_than_columns_show_the_last_ones)
{
	double v[100];
	struct dash_row r = row("NS", "m", "long");
	struct dash_widget w = metric(&r, 1);
	struct dash_series s;
	struct dash_frame f;
	char *out, *line;
	size_t i, cols = dash_text_spark_columns(80);

	for (i = 0; i < 100; i++)
		v[i] = i < 100 - cols ? 1000 : (double)(i % 2);
	s = series(v, 100);
	f = metric_frame(&s, 1);
	out = draw(TEXT, &w, &f);
	line = line_with(out, "long ");
	/* 1000 lies before the window: the last ones alternate ▁ and █. */
	cr_assert(strstr(line, "▁█▁█"), "%s", line);
	cr_assert(strstr(line, " last 1 min 0 max 1"), "%s", line);
	cr_assert_null(strstr(line, "1000"));
	cr_assert_leq(code_points(line, strlen(line)), 80);
	free(line);
	free(out);
}

static void expect_lines_fit(const char *out, int width)
{
	const char *s = out, *nl;

	while (*s) {
		nl = strchr(s, '\n');
		cr_assert_not_null(nl, "the text ends in a newline");
		cr_assert_leq(code_points(s, (size_t)(nl - s)), (size_t)width,
			      "a line of %zu columns at width %d: %.*s",
			      code_points(s, (size_t)(nl - s)), width,
			      (int)(nl - s), s);
		s = nl + 1;
	}
}

Test(dash_text, no_line_is_wider_than_the_width)
{
	static const int widths[] = {40, 41, 57, 80, 100, 132, 300};
	static const double big[] = {8589934592.5, 0.30000000000000004,
				     123456789.123, 1e-7};
	double many[400];
	struct dash_row r[3] = {
		row("NS", "m",
		    "a label that is much longer than any column "
		    "could hold, with ünïcödé"),
		row("NS", "n", "short"),
		row("NS", "o", NULL),
	};
	char *alarms[] = {"an-alarm-with-a-very-long-name-indeed-yes-it-is"};
	const char *states[] = {"INSUFFICIENT_DATA"};
	struct dash_widget w[4];
	struct dash_series s[3];
	struct dash_frame f[4] = {{0}};
	size_t i;

	for (i = 0; i < 400; i++)
		many[i] = (double)i * 1.5;
	w[0] = metric(r, 3);
	w[0].title = "a title longer than forty columns for sure, yes";
	s[0] = series(big, 4);
	s[1] = series(many, 400);
	s[2] = series(big, 2);
	f[0] = metric_frame(s, 3);
	w[1] = metric(r, 2);
	w[1].view = DASH_VIEW_GAUGE;
	f[1] = metric_frame(s, 2);
	w[2] = widget(DASH_WIDGET_ALARM, 0, 6, 6, 3);
	w[2].alarms = alarms;
	w[2].nalarms = 1;
	f[2].alarm_states = states;
	w[3] = widget(DASH_WIDGET_TEXT, 6, 6, 6, 3);
	w[3].markdown = "# a heading\na line of markdown that goes on and on "
			"for longer than the narrowest width";
	for (i = 0; i < sizeof(widths) / sizeof(widths[0]); i++) {
		char *out = draw_all(TEXT, w, 4, f, widths[i]);

		expect_lines_fit(out, widths[i]);
		free(out);
	}
}

Test(dash_text, sparkline_columns_leave_room_for_label_and_numbers)
{
	cr_assert_eq(dash_text_spark_columns(80), 36);
	cr_assert_eq(dash_text_spark_columns(120), 76);
	cr_assert_eq(dash_text_spark_columns(40), 8);
	cr_assert_eq(dash_text_spark_columns(10), 8, "below the least width");
	cr_assert_eq(dash_text_spark_columns(5000),
		     dash_text_spark_columns(DASH_TEXT_WIDTH_MAX));
}

Test(dash_text, an_unlabelled_row_is_named_by_namespace_metric_and_dimensions)
{
	static const double v[] = {1};
	struct dash_row r = row("AWS/EC2", "CPUUtilization", NULL);
	struct dash_widget w = metric(&r, 1);
	struct dash_series s = series(v, 1);
	struct dash_frame f = metric_frame(&s, 1);
	struct err err;
	char *out, *line;

	cr_assert_eq(
		dimension_set_add(&r.dims, "InstanceId", 10, "i-123", 5, &err),
		0);
	out = draw(TEXT, &w, &f);
	line = line_with(out, "AWS/EC2 CPUUtilization i-123 ");
	cr_assert(strstr(line, "last 1 min 1 max 1"));
	free(line);
	free(out);
	dimension_set_free(&r.dims);
}

Test(dash_text, a_long_label_is_cut_with_an_ellipsis)
{
	static const double v[] = {1, 2};
	struct dash_row r = row("NS", "m",
				"abcdefghijklmnopqrstuvwxyzabcdefghijklmnop"
				"qrstuvwxyzabcdefghijklmnopqrstuvwxyz");
	struct dash_widget w = metric(&r, 1);
	struct dash_series s = series(v, 2);
	struct dash_frame f = metric_frame(&s, 1);
	char *out = draw(TEXT, &w, &f), *line = line_with(out, "abcdef");

	cr_assert(strstr(line, "…"), "%s", line);
	cr_assert(strstr(line, "last 2 min 1 max 2"), "%s", line);
	free(line);
	free(out);
}

Test(dash_text, an_untitled_metric_widget_is_titled_by_its_first_metric)
{
	static const double v[] = {1};
	struct dash_row r = row("AWS/EC2", "NetworkIn", "in");
	struct dash_widget w = metric(&r, 1);
	struct dash_series s = series(v, 1);
	struct dash_frame f = metric_frame(&s, 1);
	char *out = draw(TEXT, &w, &f);

	cr_assert(strstr(out, "\nNetworkIn\n"), "%s", out);
	free(out);
}

Test(dash_text, the_header_names_the_dashboard_and_its_range)
{
	struct dash_widget w = widget(DASH_WIDGET_OTHER, 0, 0, 6, 6);
	char *out = draw(TEXT, &w, NULL);

	cr_assert(!strncmp(out,
			   "ops  2026-12-06T07:00:00Z to 2026-12-06T10:00:00Z "
			   "(UTC)\n\n",
			   strlen("ops  2026-12-06T07:00:00Z")),
		  "%s", out);
	free(out);
}

Test(dash_text, hidden_rows_are_left_out_and_expressions_not_drawn)
{
	static const double v[] = {1, 2};
	struct dash_row r[3] = {row("NS", "a", "shown"),
				row("NS", "b", "hidden"),
				row(NULL, NULL, "e1")};
	struct dash_widget w = metric(r, 3);
	struct dash_series s[3] = {series(v, 2), series(v, 2), series(v, 0)};
	struct dash_frame f = metric_frame(s, 3);
	char *out, *line;

	r[1].visible = false;
	r[2].expression = true;
	out = draw(TEXT, &w, &f);
	cr_assert_null(strstr(out, "hidden"));
	line = line_with(out, "e1 ");
	cr_assert(strstr(line, "(expression, not drawn)"), "%s", line);
	free(line);
	free(out);
}

Test(dash_text, a_single_value_prints_the_last_value_per_row)
{
	static const double v[] = {1, 2, 7.25, NAN};
	struct dash_row r = row("NS", "m", "requests");
	struct dash_widget w = metric(&r, 1);
	struct dash_series s = series(v, 4);
	struct dash_frame f = metric_frame(&s, 1);
	char *out, *line;

	w.view = DASH_VIEW_SINGLEVALUE;
	out = draw(TEXT, &w, &f);
	line = line_with(out, "requests");
	cr_assert_str_eq(line, "requests  7.25");
	free(line);
	free(out);
}

Test(dash_text, a_gauge_fills_its_bar_against_the_axis_or_0_to_100)
{
	static const double v[] = {50};
	struct dash_row r = row("NS", "m", "disk");
	struct dash_widget w = metric(&r, 1);
	struct dash_series s = series(v, 1);
	struct dash_frame f = metric_frame(&s, 1);
	char *out, *line;

	w.view = DASH_VIEW_GAUGE;
	out = draw(TEXT, &w, &f);
	line = line_with(out, "disk");
	cr_assert(strstr(line, "[##########..........] 50"), "%s", line);
	free(line);
	free(out);
	w.y_min = 0;
	w.y_max = 200;
	out = draw(TEXT, &w, &f);
	line = line_with(out, "disk");
	cr_assert(strstr(line, "[#####...............] 50"), "%s", line);
	free(line);
	free(out);
}

Test(dash_text, a_bar_view_scales_bars_to_the_largest_last_value)
{
	static const double a[] = {10}, b[] = {5};
	struct dash_row r[2] = {row("NS", "a", "full"), row("NS", "b", "half")};
	struct dash_widget w = metric(r, 2);
	struct dash_series s[2] = {series(a, 1), series(b, 1)};
	struct dash_frame f = metric_frame(s, 2);
	char *out, *full, *half;
	size_t cols = 80 / 3;

	w.view = DASH_VIEW_BAR;
	out = draw(TEXT, &w, &f);
	full = line_with(out, "full");
	half = line_with(out, "half");
	cr_assert_eq(count(full, "#"), cols, "%s", full);
	cr_assert_eq(count(half, "#"), (cols + 1) / 2, "%s", half);
	cr_assert(strstr(half, " 5") && strstr(full, " 10"));
	free(full);
	free(half);
	free(out);
}

Test(dash_text, an_alarm_widget_lists_each_alarm_and_its_state)
{
	char *alarms[] = {"high-cpu", "disk", "gone"};
	const char *states[] = {"ALARM", "OK", NULL};
	struct dash_widget w = widget(DASH_WIDGET_ALARM, 0, 0, 6, 3);
	struct dash_frame f = {.alarm_states = states};
	char *out;

	w.title = "Alarms";
	w.alarms = alarms;
	w.nalarms = 3;
	out = draw(TEXT, &w, &f);
	cr_assert(strstr(out, "[alarm] Alarms\n"
			      "high-cpu  ALARM\n"
			      "disk      OK\n"
			      "gone      (no such alarm)\n"),
		  "%s", out);
	free(out);
}

Test(dash_text, a_text_widget_is_its_markdown_as_written)
{
	struct dash_widget w = widget(DASH_WIDGET_TEXT, 0, 0, 24, 2);
	char *out;

	w.markdown = "# Runbook\n\n- **page** on `5xx`\n";
	out = draw(TEXT, &w, NULL);
	cr_assert(strstr(out, "[text]\n# Runbook\n\n- **page** on `5xx`\n"),
		  "%s", out);
	free(out);
}

Test(dash_text, a_log_widget_is_its_table_with_columns_lined_up)
{
	static const char *const header[] = {"@timestamp", "@message"};
	static const char *const cells[] = {"10:00", "started", "10:05:01",
					    "ünïcode ok"};
	struct dash_widget w = widget(DASH_WIDGET_LOG, 0, 0, 24, 6);
	struct dash_frame f = {.table = {.header = header,
					 .ncolumns = 2,
					 .cells = cells,
					 .nrows = 2}};
	char *out;

	w.title = "Errors";
	out = draw(TEXT, &w, &f);
	cr_assert(strstr(out, "[log] Errors\n"
			      "@timestamp  @message\n"
			      "10:00       started\n"
			      "10:05:01    ünïcode ok\n"),
		  "%s", out);
	free(out);
}

Test(dash_text, a_failed_log_query_says_why)
{
	struct dash_widget w = widget(DASH_WIDGET_LOG, 0, 0, 24, 6);
	struct dash_frame f = {.table = {.error = "no such group 'app'"}};
	char *out = draw(TEXT, &w, &f);

	cr_assert(strstr(out, "\nquery failed: no such group 'app'\n"), "%s",
		  out);
	free(out);
}

Test(dash_text, explorer_and_custom_widgets_are_not_drawn)
{
	struct dash_widget w = widget(DASH_WIDGET_OTHER, 0, 0, 6, 6);
	char *out;

	w.type_name = "explorer";
	out = draw(TEXT, &w, NULL);
	cr_assert(strstr(out, "\n[explorer]\n(not drawn)\n"), "%s", out);
	free(out);
}

Test(dash_text, widgets_are_separated_by_a_blank_line)
{
	struct dash_widget w[2] = {widget(DASH_WIDGET_OTHER, 0, 0, 6, 6),
				   widget(DASH_WIDGET_TEXT, 6, 0, 6, 6)};
	char *out;

	w[0].type_name = "custom";
	w[1].markdown = "hello";
	out = draw_all(TEXT, w, 2, NULL, 80);
	cr_assert(strstr(out, "(not drawn)\n\n[text]\nhello\n"), "%s", out);
	free(out);
}

Test(dash_text, bad_bytes_and_control_bytes_cannot_break_a_line)
{
	static const double v[] = {1};
	struct dash_row r = row("NS", "m",
				"a\nb\xff"
				"c");
	struct dash_widget w = metric(&r, 1);
	struct dash_series s = series(v, 1);
	struct dash_frame f = metric_frame(&s, 1);
	char *out = draw(TEXT, &w, &f), *line = line_with(out, "a b");

	cr_assert(strstr(line, "a b\xef\xbf\xbd"
			       "c"),
		  "%s", line);
	cr_assert(strstr(line, "last 1"), "%s", line);
	free(line);
	free(out);
}

Test(dash_text, what_out_held_before_is_kept)
{
	struct dash_widget w = widget(DASH_WIDGET_OTHER, 0, 0, 6, 6);
	struct dashboard d = {.widgets = &w, .nwidgets = 1};
	struct dash_draw_options o = options(80);
	struct strbuf out = STRBUF_INIT;

	cr_assert_eq(strbuf_adds(&out, "before\n"), 0);
	cr_assert_eq(dash_draw_text(&out, &d, NULL, &o), 0);
	cr_assert(!strncmp(out.buf, "before\nops  ", 12), "%s", out.buf);
	strbuf_release(&out);
}

/* ---- the SVG writer ---- */

static char *svg_of_num(double v)
{
	struct strbuf out = STRBUF_INIT;
	struct svg s;

	svg_init(&s, &out);
	svg_num(&s, v);
	cr_assert_eq(s.rc, 0);
	return out.buf;
}

Test(svg_writer, numbers_have_at_most_two_decimals)
{
	static const struct {
		double v;
		const char *want;
	} cases[] = {
		{12, "12"},	    {-3.5, "-3.5"},	{0.25, "0.25"},
		{1.0 / 3, "0.33"},  {2.675, "2.68"},	{-0.001, "0"},
		{NAN, "0"},	    {1199.999, "1200"}, {0.1, "0.1"},
		{100.05, "100.05"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = svg_of_num(cases[i].v);

		if (cases[i].v == 2.675) /* 2.67499999...: either is fair */
			cr_assert(!strcmp(got, "2.68") || !strcmp(got, "2.67"));
		else
			cr_assert_str_eq(got, cases[i].want, "%.17g",
					 cases[i].v);
		free(got);
	}
}

Test(svg_writer, text_is_escaped_and_made_well_formed)
{
	static const char in[] = "<a & \"b\" 'c'>\x01\xc3\x28\xe2\x82";
	struct strbuf out = STRBUF_INIT;
	struct svg s;

	svg_init(&s, &out);
	svg_escape(&s, in, sizeof(in) - 1, 0);
	cr_assert_eq(s.rc, 0);
	cr_assert_str_eq(out.buf, "&lt;a &amp; &quot;b&quot; &#39;c&#39;&gt;"
				  "\xef\xbf\xbd\xef\xbf\xbd(\xef\xbf\xbd"
				  "\xef\xbf\xbd");
	strbuf_reset(&out);
	svg_escape(&s, "abcdef", 6, 4);
	cr_assert_str_eq(out.buf, "abc…");
	strbuf_release(&out);
}

/* ---- scales ---- */

Test(dash_scale, value_steps_are_1_2_5)
{
	cr_assert_float_eq(dash_nice_step(87, 5), 20, 1e-12);
	cr_assert_float_eq(dash_nice_step(100, 5), 20, 1e-12);
	cr_assert_float_eq(dash_nice_step(0.87, 5), 0.2, 1e-12);
	cr_assert_float_eq(dash_nice_step(3, 5), 1, 1e-12);
	cr_assert_float_eq(dash_nice_step(40, 4), 10, 1e-12);
	cr_assert_float_eq(dash_nice_step(7000, 3), 5000, 1e-9);
}

Test(dash_scale, decimal_ticks_print_as_decimals)
{
	char buf[FORMAT_DOUBLE_MAX];

	cr_assert_str_eq(format_double(buf, dash_tick_value(0.1, 3)), "0.3");
	cr_assert_str_eq(format_double(buf, dash_tick_value(0.2, 7)), "1.4");
	cr_assert_str_eq(format_double(buf, dash_tick_value(0.05, 7)), "0.35");
	cr_assert_str_eq(format_double(buf, dash_tick_value(20, -2)), "-40");
}

Test(dash_scale, values_show_four_significant_digits_or_whole)
{
	char buf[FORMAT_DOUBLE_MAX];

	cr_assert_str_eq(
		format_double(buf, dash_display_value(69.70959796156367)),
		"69.71");
	cr_assert_str_eq(format_double(buf, dash_display_value(8589934592.5)),
			 "8589934593");
	cr_assert_str_eq(format_double(buf, dash_display_value(0.000123456)),
			 "0.0001235");
	cr_assert_str_eq(format_double(buf, dash_display_value(-1234.5)),
			 "-1235");
	cr_assert_str_eq(format_double(buf, dash_display_value(0.1)), "0.1");
	cr_assert_str_eq(format_double(buf, dash_display_value(0)), "0");
	cr_assert(isinf(dash_display_value(INFINITY)));
}

Test(dash_scale, time_steps_and_labels_are_utc_and_round)
{
	char buf[DASH_TIME_LABEL_MAX];

	cr_assert_eq(dash_time_step(3 * MS_PER_HOUR, 6), 30 * MS_PER_MINUTE);
	cr_assert_eq(dash_time_step(3 * MS_PER_HOUR, 3), MS_PER_HOUR);
	cr_assert_eq(dash_time_step(3 * MS_PER_HOUR, 100), MS_PER_MINUTE * 2);
	cr_assert_eq(dash_time_step(7 * MS_PER_DAY, 7), MS_PER_DAY);
	cr_assert_str_eq(
		dash_time_label(buf, t0() + 90 * MS_PER_MINUTE, false, false),
		"08:30");
	cr_assert_str_eq(dash_time_label(buf, t0(), true, false),
			 "12-06 07:00");
	cr_assert_str_eq(dash_time_label(buf, t0(), true, true), "12-06");
}

/* ---- SVG ---- */

/* The d attribute of the n-th series path, copied. */
static char *path_d(const char *svg, size_t n)
{
	const char *p = svg, *d, *end;

	do {
		p = strstr(p, "<path class=\"series\"");
		cr_assert_not_null(p, "no series path %zu", n);
		p++;
	} while (n--);
	d = strstr(p, " d=\"");
	cr_assert_not_null(d);
	d += 4;
	end = strchr(d, '"');
	return strndup(d, (size_t)(end - d));
}

static void expect_xml_valid(const char *text)
{
	char path[] = "/tmp/test_dashboard_draw_XXXXXX";
	char cmd[128];
	int fd = mkstemp(path);
	FILE *f;

	cr_assert_geq(fd, 0);
	f = fdopen(fd, "w");
	cr_assert_not_null(f);
	cr_assert_eq(fputs(text, f) >= 0, 1);
	cr_assert_eq(fclose(f), 0);
	snprintf(cmd, sizeof(cmd), "/usr/bin/xmllint --noout %s", path);
	cr_assert_eq(system(cmd), 0, "xmllint refused %s", path);
	unlink(path);
}

Test(dash_svg, one_series_path_per_drawn_row)
{
	static const double v[] = {1, 2, 3};
	struct dash_row r[4] = {row("NS", "a", "a"), row("NS", "b", "b"),
				row("NS", "c", "hidden"),
				row(NULL, NULL, "expr")};
	struct dash_widget w = metric(r, 4);
	struct dash_series s[4] = {series(v, 3), series(v, 3), series(v, 3),
				   series(v, 0)};
	struct dash_frame f = metric_frame(s, 4);
	char *out;

	r[2].visible = false;
	r[3].expression = true;
	out = draw(SVG, &w, &f);
	cr_assert_eq(count(out, "<path class=\"series\""), 2, "%s", out);
	cr_assert(strstr(out, "data-label=\"a\""));
	cr_assert(strstr(out, "data-label=\"b\""));
	cr_assert(strstr(out, "(expression, not drawn)"));
	free(out);
}

Test(dash_svg, a_vertex_per_period_with_data)
{
	double v[36];
	struct dash_row r = row("NS", "m", "m");
	struct dash_widget w = metric(&r, 1);
	struct dash_series s;
	struct dash_frame f;
	char *out, *d;
	size_t i, with_data = 0;

	for (i = 0; i < 36; i++) {
		v[i] = i % 7 == 3 ? NAN : (double)(i * i % 17);
		with_data += isnan(v[i]) ? 0 : 1;
	}
	s = series(v, 36);
	f = metric_frame(&s, 1);
	out = draw(SVG, &w, &f);
	d = path_d(out, 0);
	cr_assert_eq(count(d, "M") + count(d, "L"), with_data, "%s", d);
	free(d);
	free(out);
}

Test(dash_svg, a_gap_starts_a_new_subpath)
{
	static const double v[] = {1, 2, NAN, 3, 4};
	struct dash_row r = row("NS", "m", "m");
	struct dash_widget w = metric(&r, 1);
	struct dash_series s = series(v, 5);
	struct dash_frame f = metric_frame(&s, 1);
	char *out = draw(SVG, &w, &f), *d = path_d(out, 0);

	cr_assert_eq(count(d, "M"), 2, "%s", d);
	cr_assert_eq(count(d, "L"), 2, "%s", d);
	cr_assert_eq(d[0], 'M');
	free(d);
	free(out);
}

Test(dash_svg, a_row_without_data_has_an_empty_path)
{
	static const double v[] = {NAN, NAN};
	struct dash_row r[2] = {row("NS", "a", "a"), row("NS", "b", "b")};
	struct dash_widget w = metric(r, 2);
	struct dash_series s[1] = {series(v, 2)};
	struct dash_frame f = metric_frame(s, 1);
	char *out = draw(SVG, &w, &f), *d0 = path_d(out, 0),
	     *d1 = path_d(out, 1);

	cr_assert_str_eq(d0, "");
	cr_assert_str_eq(d1, "");
	free(d0);
	free(d1);
	free(out);
}

Test(dash_svg, vertices_sit_at_the_centre_of_their_period)
{
	double v[36];
	struct dash_row r = row("NS", "m", "m");
	struct dash_widget w = metric(&r, 1);
	struct dash_series s;
	struct dash_frame f;
	char *out, *d;
	double x0, x1, x35, y;
	size_t i;

	for (i = 0; i < 36; i++)
		v[i] = 5;
	s = series(v, 36);
	f = metric_frame(&s, 1);
	out = draw(SVG, &w, &f);
	d = path_d(out, 0);
	cr_assert_eq(sscanf(d, "M%lf %lf L%lf", &x0, &y, &x1), 3, "%s", d);
	sscanf(strrchr(d, 'L'), "L%lf", &x35);
	/* Half a step in from each end, a step between. */
	cr_assert_float_eq(x35 - x0, 35 * (x1 - x0), 0.2);
	cr_assert_gt(x0, 0);
	free(d);
	free(out);
}

Test(dash_svg, colours_come_from_the_row_else_the_palette)
{
	static const double v[] = {1, 2};
	struct dash_row r[3] = {row("NS", "a", "a"), row("NS", "b", "b"),
				row("NS", "c", "c")};
	struct dash_widget w = metric(r, 3);
	struct dash_series s[3] = {series(v, 2), series(v, 2), series(v, 2)};
	struct dash_frame f = metric_frame(s, 3);
	char *out;

	r[0].color = "#123456";
	r[2].color = "red\"><script>"; /* not a colour: the palette's */
	out = draw(SVG, &w, &f);
	cr_assert(strstr(out, "data-label=\"a\" stroke=\"#123456\""), "%s",
		  out);
	cr_assert(strstr(out, "data-label=\"b\" stroke=\"#ff7f0e\""));
	cr_assert(strstr(out, "data-label=\"c\" stroke=\"#2ca02c\""));
	cr_assert(strstr(out, "class=\"swatch\" fill=\"#123456\""));
	cr_assert_null(strstr(out, "<script>"));
	free(out);
}

Test(dash_svg, an_annotation_is_a_dashed_line_with_its_label)
{
	static const double v[] = {1, 2, 3};
	struct dash_row r = row("NS", "m", "m");
	struct dash_annotation a = {.value = 80, .label = "limit"};
	struct dash_widget w = metric(&r, 1);
	struct dash_series s = series(v, 3);
	struct dash_frame f = metric_frame(&s, 1);
	char *out;

	w.annotations = &a;
	w.nannotations = 1;
	out = draw(SVG, &w, &f);
	/* 80 lies above the data: the range widens to hold it. */
	cr_assert(strstr(out, "<line class=\"annotation\""), "%s", out);
	cr_assert(strstr(out, "stroke-dasharray"));
	cr_assert(strstr(out, ">limit</text>"));
	cr_assert(strstr(out, ">80</text>"), "a tick at 80");
	free(out);
}

Test(dash_svg, value_ticks_are_nice_and_cover_the_data)
{
	static const double v[] = {3, 87};
	struct dash_row r = row("NS", "m", "m");
	struct dash_widget w = metric(&r, 1);
	struct dash_series s = series(v, 2);
	struct dash_frame f = metric_frame(&s, 1);
	char *out = draw(SVG, &w, &f);

	cr_assert(strstr(out, ">0</text>"), "%s", out);
	cr_assert(strstr(out, ">20</text>"));
	cr_assert(strstr(out, ">100</text>"));
	cr_assert_null(strstr(out, ">120</text>"));
	free(out);
}

Test(dash_svg, the_y_axis_min_and_max_bound_the_ticks)
{
	static const double v[] = {30, 60};
	struct dash_row r = row("NS", "m", "m");
	struct dash_widget w = metric(&r, 1);
	struct dash_series s = series(v, 2);
	struct dash_frame f = metric_frame(&s, 1);
	char *out;

	w.y_min = 0;
	w.y_max = 100;
	out = draw(SVG, &w, &f);
	cr_assert(strstr(out, ">0</text>"));
	cr_assert(strstr(out, ">100</text>"));
	free(out);
}

Test(dash_svg, a_3_hour_range_is_labelled_on_the_half_hour_in_utc)
{
	static const double v[] = {1};
	struct dash_row r = row("NS", "m", "m");
	struct dash_widget w = metric(&r, 1);
	struct dash_series s = series(v, 1);
	struct dash_frame f = metric_frame(&s, 1);
	char *out = draw(SVG, &w, &f);

	cr_assert(strstr(out, ">07:00</text>"), "%s", out);
	cr_assert(strstr(out, ">08:30</text>"));
	cr_assert(strstr(out, ">10:00</text>"));
	cr_assert_null(strstr(out, ">07:15</text>"));
	cr_assert_null(strstr(out, "12-06"), "no date within a day");
	free(out);
}

Test(dash_svg, a_range_over_a_day_labels_dates)
{
	static const double v[] = {1};
	struct dash_row r = row("NS", "m", "m");
	struct dash_widget w = metric(&r, 1);
	struct dash_series s = series(v, 1);
	struct dash_frame f = metric_frame(&s, 1);
	struct dashboard d = {.widgets = &w, .nwidgets = 1};
	struct dash_draw_options o = options(80);
	struct strbuf out = STRBUF_INIT;

	o.end_ms = o.start_ms + 3 * MS_PER_DAY;
	cr_assert_eq(dash_draw_svg(&out, &d, &f, &o), 0);
	cr_assert(strstr(out.buf, ">12-07"), "%s", out.buf);
	strbuf_release(&out);
}

Test(dash_svg, alarm_boxes_are_coloured_by_state)
{
	char *alarms[] = {"a", "b", "c", "d"};
	const char *states[] = {"ALARM", "OK", "INSUFFICIENT_DATA", NULL};
	struct dash_widget w = widget(DASH_WIDGET_ALARM, 0, 0, 24, 3);
	struct dash_frame f = {.alarm_states = states};
	char *out;

	w.alarms = alarms;
	w.nalarms = 4;
	out = draw(SVG, &w, &f);
	cr_assert_eq(count(out, "<rect class=\"alarm\""), 4);
	cr_assert(strstr(out, "data-state=\"ALARM\""));
	cr_assert(strstr(out, "rx=\"3\" fill=\"#d62728\"/>"), "%s", out);
	cr_assert(strstr(out, "rx=\"3\" fill=\"#2ca02c\"/>"));
	cr_assert(strstr(out, "rx=\"3\" fill=\"#7f7f7f\"/>"));
	cr_assert(strstr(out, "data-state=\"missing\""));
	cr_assert(strstr(out, "rx=\"3\" fill=\"#cccccc\"/>"));
	cr_assert(strstr(out, ">(no such alarm)</text>"));
	free(out);
}

Test(dash_svg, titles_and_labels_are_escaped)
{
	static const double v[] = {1};
	struct dash_row r = row("NS", "m", "a<b & \"c\"");
	struct dash_widget w = metric(&r, 1);
	struct dash_series s = series(v, 1);
	struct dash_frame f = metric_frame(&s, 1);
	char *out;

	w.title = "<&\"'>";
	out = draw(SVG, &w, &f);
	cr_assert(strstr(out, ">&lt;&amp;&quot;&#39;&gt;</text>"), "%s", out);
	cr_assert(strstr(out, "data-label=\"a&lt;b &amp; &quot;c&quot;\""));
	cr_assert(strstr(out, ">a&lt;b &amp; &quot;c&quot;</text>"));
	expect_xml_valid(out);
	free(out);
}

Test(dash_svg, the_image_is_the_grid_24_columns_wide)
{
	struct dash_widget w[2] = {widget(DASH_WIDGET_OTHER, 0, 0, 6, 6),
				   widget(DASH_WIDGET_OTHER, 6, 3, 6, 9)};
	char *out = draw_all(SVG, w, 2, NULL, 80);

	cr_assert(strstr(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
			      "width=\"1200\" height=\"480\" "
			      "viewBox=\"0 0 1200 480\""),
		  "%s", out);
	cr_assert(strstr(out, "<rect class=\"background\""));
	cr_assert(
		strstr(out,
		       "data-type=\"custom\" transform=\"translate(300,120)\""),
		"%s", out);
	cr_assert_eq(count(out, ">(not drawn)</text>"), 2);
	free(out);
	out = draw_all(SVG, NULL, 0, NULL, 80);
	cr_assert(strstr(out, "height=\"40\""), "an empty dashboard: one row");
	expect_xml_valid(out);
	free(out);
}

Test(dash_svg, text_widgets_strip_markdown_and_bold_headings)
{
	struct dash_widget w = widget(DASH_WIDGET_TEXT, 0, 0, 12, 4);
	char *out;

	w.markdown = "# Runbook\n- **page** on `5xx`, see [wiki](http://x)";
	out = draw(SVG, &w, NULL);
	cr_assert(strstr(out, "<text class=\"md h1\" font-size=\"16\" "
			      "font-weight=\"bold\""),
		  "%s", out);
	cr_assert(strstr(out, ">Runbook</text>"));
	cr_assert(strstr(out, ">• page on 5xx, see wiki</text>"), "%s", out);
	cr_assert_null(strstr(out, "http://x"));
	free(out);
}

Test(dash_svg, log_tables_are_clipped_to_the_widget)
{
	static const char *const header[] = {"n"};
	const char *cells[40];
	char numbers[40][8];
	struct dash_widget w = widget(DASH_WIDGET_LOG, 0, 0, 6, 4);
	struct dash_frame f = {.table = {.header = header, .ncolumns = 1}};
	char *out;
	size_t i;

	for (i = 0; i < 40; i++) {
		snprintf(numbers[i], sizeof(numbers[i]), "r%zu", i);
		cells[i] = numbers[i];
	}
	f.table.cells = cells;
	f.table.nrows = 40;
	out = draw(SVG, &w, &f);
	cr_assert(strstr(out, ">r0</tspan>"));
	cr_assert_null(strstr(out, ">r39</tspan>"));
	cr_assert(strstr(out, " more</text>"));
	expect_xml_valid(out);
	free(out);
}

Test(dash_svg, extreme_values_draw_without_tripping)
{
	static const double wide[] = {-1.7e308, 1.7e308, INFINITY, 5e-324};
	static const double flat[] = {5e-324, 5e-324};
	struct dash_row r[2] = {row("NS", "a", "wide"), row("NS", "b", "tiny")};
	struct dash_annotation a = {.value = -INFINITY, .label = "x"};
	struct dash_series s[2] = {series(wide, 4), series(flat, 2)};
	struct dash_widget w[4];
	struct dash_frame f[4];
	char *out;
	int i;

	for (i = 0; i < 4; i++) {
		w[i] = metric(r, 2);
		w[i].view = (enum dash_view)i;
		w[i].y = i * 6;
		w[i].annotations = &a;
		w[i].nannotations = 1;
		f[i] = metric_frame(s, 2);
	}
	out = draw_all(SVG, w, 4, f, 80);
	expect_xml_valid(out);
	cr_assert_eq(count(out, "<path class=\"series\""), 2);
	free(out);
	out = draw_all(TEXT, w, 4, f, 80);
	expect_lines_fit(out, 80);
	cr_assert(strstr(out, "max Infinity"), "%s", out);
	free(out);
}

/* ---- a whole dashboard ---- */

#define BIG_WIDGETS 12
#define BIG_SERIES 50
#define BIG_PERIODS 180

Test(dash_svg, a_dashboard_of_every_kind_is_valid_xml)
{
	static const char *const header[] = {"@timestamp", "@message"};
	static const char *const cells[] = {"10:00", "<b>&amp;"};
	static const double v[] = {1, 5, NAN, 2};
	char *alarms[] = {"a<b", "ok"};
	const char *states[] = {"ALARM", "OK"};
	struct dash_row r[2] = {row("NS", "a", "x\xff\x01y"),
				row("NS", "b", NULL)};
	struct dash_annotation a = {
		.value = 3, .label = "<3", .color = "#00ff00"};
	struct dash_series s[2] = {series(v, 4), series(v, 4)};
	struct dash_widget w[8];
	struct dash_frame f[8] = {{0}};
	char *out;
	int i;

	for (i = 0; i < 4; i++) {
		w[i] = metric(r, 2);
		w[i].view = (enum dash_view)i;
		w[i].x = (i % 2) * 12;
		w[i].y = (i / 2) * 6;
		f[i] = metric_frame(s, 2);
	}
	w[0].annotations = &a;
	w[0].nannotations = 1;
	w[4] = widget(DASH_WIDGET_ALARM, 0, 12, 12, 3);
	w[4].alarms = alarms;
	w[4].nalarms = 2;
	f[4].alarm_states = states;
	w[5] = widget(DASH_WIDGET_TEXT, 12, 12, 12, 3);
	w[5].markdown = "## <b> & 'q'\n\x02text";
	w[6] = widget(DASH_WIDGET_LOG, 0, 15, 24, 3);
	f[6].table.header = header;
	f[6].table.ncolumns = 2;
	f[6].table.cells = cells;
	f[6].table.nrows = 1;
	w[7] = widget(DASH_WIDGET_OTHER, 0, 18, 6, 2);
	w[7].type_name = "explorer";
	out = draw_all(SVG, w, 8, f, 80);
	expect_xml_valid(out);
	cr_assert(strstr(out, "data-view=\"singleValue\""));
	cr_assert(strstr(out, "class=\"gauge\""));
	cr_assert(strstr(out, "class=\"bar\""));
	free(out);
}

Test(dash_svg, a_dashboard_of_50_series_over_180_periods_draws_them_all)
{
	static double values[BIG_SERIES][BIG_PERIODS];
	struct dash_row rows[BIG_SERIES];
	struct dash_series s[BIG_SERIES];
	struct dash_widget w[BIG_WIDGETS];
	struct dash_frame f[BIG_WIDGETS];
	struct dash_draw_options o = options(80);
	char labels[BIG_SERIES][16];
	size_t i, k, per = (BIG_SERIES + BIG_WIDGETS - 1) / BIG_WIDGETS, at = 0;
	size_t vertices = 0, want = 0;
	char *out, *d;

	o.end_ms = o.start_ms + BIG_PERIODS * MS_PER_MINUTE;
	for (i = 0; i < BIG_SERIES; i++) {
		snprintf(labels[i], sizeof(labels[i]), "series-%zu", i);
		rows[i] = row("NS", "m", labels[i]);
		for (k = 0; k < BIG_PERIODS; k++) {
			values[i][k] = (k + i) % 31 == 0
					       ? NAN
					       : sin((double)(k + i) / 9) * 100;
			want += isnan(values[i][k]) ? 0 : 1;
		}
		s[i] = series(values[i], BIG_PERIODS);
		s[i].period_ms = MS_PER_MINUTE;
	}
	for (i = 0; i < BIG_WIDGETS; i++) {
		size_t n = at + per <= BIG_SERIES ? per : BIG_SERIES - at;

		w[i] = metric(rows + at, n);
		w[i].x = (int)(i % 3) * 8;
		w[i].width = 8;
		w[i].y = (int)(i / 3) * 6;
		f[i] = metric_frame(s + at, n);
		at += n;
	}
	{
		struct dashboard dash = {.widgets = w, .nwidgets = BIG_WIDGETS};
		struct strbuf sb = STRBUF_INIT;

		cr_assert_eq(dash_draw_svg(&sb, &dash, f, &o), 0);
		out = sb.buf;
	}
	cr_assert_eq(count(out, "<path class=\"series\""), BIG_SERIES);
	for (i = 0; i < BIG_SERIES; i++) {
		d = path_d(out, i);
		vertices += count(d, "M") + count(d, "L");
		free(d);
	}
	cr_assert_eq(vertices, want);
	expect_xml_valid(out);
	free(out);
}

/* ---- HTML ---- */

Test(dash_html, the_page_reloads_and_holds_the_svg)
{
	struct dash_widget w = widget(DASH_WIDGET_OTHER, 0, 0, 6, 6);
	struct dashboard d = {.widgets = &w, .nwidgets = 1};
	struct dash_draw_options o = options(80);
	struct strbuf out = STRBUF_INIT;

	o.name = "ops<&>";
	cr_assert_eq(dash_draw_html(&out, &d, NULL, &o), 0);
	cr_assert(!strncmp(out.buf, "<!DOCTYPE html>\n", 16));
	cr_assert(strstr(out.buf, "<meta charset=\"utf-8\">"));
	cr_assert(strstr(out.buf,
			 "<meta http-equiv=\"refresh\" content=\"60\">"));
	cr_assert(strstr(out.buf, "<title>ops&lt;&amp;&gt;</title>"));
	cr_assert(strstr(out.buf, "<svg xmlns="));
	cr_assert(strstr(out.buf, "</svg>\n</body>\n</html>\n"));
	cr_assert_null(strstr(out.buf, "<?xml"));
	cr_assert_null(strstr(out.buf, "src="), "nothing from elsewhere");
	cr_assert_null(strstr(out.buf, "href="));
	strbuf_release(&out);
}
