/*
 * dashboard_draw_scale: what the dashboard's drawings share (see
 * dashboard_draw_impl.h): rows, labels and colours, a series' extent,
 * the steps of value and time axes.
 */
#include "lib/dashboard_draw_impl.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lib/timeutil.h"

const char *const dash_palette[DASH_PALETTE_SIZE] = {
	"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
	"#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
};

void dash_extent_of(const double *values, size_t n, struct dash_extent *out)
{
	size_t i;

	out->count = 0;
	out->last = out->min = out->max = NAN;
	for (i = 0; i < n; i++) {
		double v = values[i];

		if (isnan(v))
			continue;
		if (!out->count || v < out->min)
			out->min = v;
		if (!out->count || v > out->max)
			out->max = v;
		out->last = v;
		out->count++;
	}
}

double dash_display_value(double v)
{
	double mag, scale;
	int digits;

	if (!isfinite(v) || v == 0)
		return v;
	if (fabs(v) >= 1000)
		return round(v);
	/* Divide by an exact power of ten last, so that the result is the
	 * double nearest the decimal and format_double prints it short. */
	digits = DASH_DISPLAY_DIGITS - 1 - (int)floor(log10(fabs(v)));
	if (digits <= 0 || digits > 300) /* 10^digits stays finite */
		return v;
	scale = pow(10, digits);
	mag = round(v * scale);
	return mag / scale;
}

bool dash_row_drawn(const struct dash_row *row)
{
	return row->visible && !row->expression;
}

const struct dash_series *dash_frame_series(const struct dash_frame *f,
					    size_t i)
{
	if (!f || !f->series || i >= f->nseries)
		return NULL;
	return &f->series[i];
}

bool dash_color_ok(const char *s)
{
	size_t i;

	if (!s || s[0] != '#' || strlen(s) != 7)
		return false;
	for (i = 1; i < 7; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	return true;
}

const char *dash_row_color(const struct dash_row *row, size_t i)
{
	if (row && dash_color_ok(row->color))
		return row->color;
	return dash_palette[i % DASH_PALETTE_SIZE];
}

int dash_row_label(struct strbuf *out, const struct dash_row *row)
{
	size_t i;
	int rc;

	if (row->label && *row->label)
		return strbuf_adds(out, row->label);
	if (row->expression || !row->name)
		return strbuf_adds(out, "expression");
	rc = strbuf_addf(out, "%s%s%s", row->ns ? row->ns : "",
			 row->ns ? " " : "", row->name);
	for (i = 0; i < row->dims.count && !rc; i++)
		rc = strbuf_addf(out, " %s", row->dims.dims[i].value);
	return rc;
}

const char *dash_widget_title(const struct dash_widget *w)
{
	if (w->title && *w->title)
		return w->title;
	if (w->type == DASH_WIDGET_METRIC && w->nrows && w->rows[0].name)
		return w->rows[0].name;
	return NULL;
}

const char *dash_widget_type_name(const struct dash_widget *w)
{
	switch (w->type) {
	case DASH_WIDGET_METRIC:
		return "metric";
	case DASH_WIDGET_ALARM:
		return "alarm";
	case DASH_WIDGET_TEXT:
		return "text";
	case DASH_WIDGET_LOG:
		return "log";
	case DASH_WIDGET_OTHER:
		break;
	}
	return w->type_name && *w->type_name ? w->type_name : "custom";
}

double dash_nice_step(double range, int target)
{
	double raw, mag, f;

	if (!(range > 0) || !isfinite(range))
		return 1;
	raw = range / (target > 0 ? target : 1);
	mag = pow(10, floor(log10(raw)));
	if (!(mag > 0) || !isfinite(mag)) /* past a double's exponents */
		return range;
	f = raw / mag;
	/* A hair over 1, 2 or 5 from rounding is still 1, 2 or 5. */
	if (f <= 1.0000001)
		return mag;
	if (f <= 2.0000001)
		return 2 * mag;
	if (f <= 5.0000001)
		return 5 * mag;
	return 10 * mag;
}

double dash_tick_value(double step, int64_t k)
{
	double mag, mantissa, scale;

	if (step >= 1)
		return (double)k * step;
	/* step = mantissa / scale with both integers: divide last. */
	mag = floor(log10(step));
	scale = pow(10, -mag);
	mantissa = round(step * scale);
	return (double)k * mantissa / scale;
}

static const int64_t TIME_STEPS[] = {
	MS_PER_MINUTE,	    2 * MS_PER_MINUTE,	5 * MS_PER_MINUTE,
	10 * MS_PER_MINUTE, 15 * MS_PER_MINUTE, 30 * MS_PER_MINUTE,
	MS_PER_HOUR,	    2 * MS_PER_HOUR,	3 * MS_PER_HOUR,
	6 * MS_PER_HOUR,    12 * MS_PER_HOUR,	MS_PER_DAY,
	2 * MS_PER_DAY,	    MS_PER_WEEK,	14 * MS_PER_DAY,
	30 * MS_PER_DAY,    90 * MS_PER_DAY,	365 * MS_PER_DAY,
};

int64_t dash_time_step(int64_t range_ms, int target)
{
	size_t i, n = sizeof(TIME_STEPS) / sizeof(TIME_STEPS[0]);

	if (target < 1)
		target = 1;
	for (i = 0; i < n; i++)
		if (range_ms / TIME_STEPS[i] <= target)
			return TIME_STEPS[i];
	return TIME_STEPS[n - 1];
}

char *dash_time_label(char buf[DASH_TIME_LABEL_MAX], int64_t ms, bool with_date,
		      bool day_step)
{
	int64_t in_day = floor_mod(ms, MS_PER_DAY), year;
	unsigned month, day, hh, mm;

	hh = (unsigned)(in_day / MS_PER_HOUR);
	mm = (unsigned)(in_day % MS_PER_HOUR / MS_PER_MINUTE);
	civil_from_days(floor_div(ms, MS_PER_DAY), &year, &month, &day);
	if (day_step)
		snprintf(buf, DASH_TIME_LABEL_MAX, "%02u-%02u", month, day);
	else if (with_date)
		snprintf(buf, DASH_TIME_LABEL_MAX, "%02u-%02u %02u:%02u", month,
			 day, hh, mm);
	else
		snprintf(buf, DASH_TIME_LABEL_MAX, "%02u:%02u", hh, mm);
	return buf;
}

void dash_truncate(struct strbuf *out, size_t mark)
{
	if (out->len > mark) {
		out->len = mark;
		out->buf[mark] = '\0';
	}
}
