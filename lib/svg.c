/* svg: SVG text into a strbuf, numbers and escaping (see svg.h). */
#include "lib/svg.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lib/utf8.h"

/* Past this a coordinate is nonsense: print the bound, not an overflow. */
#define SVG_NUM_LIMIT 1e12

static const char REPLACEMENT[] = "\xef\xbf\xbd"; /* U+FFFD */
static const char ELLIPSIS[] = "\xe2\x80\xa6";	  /* U+2026 */

void svg_init(struct svg *s, struct strbuf *out)
{
	s->out = out;
	s->rc = 0;
}

static void add(struct svg *s, const char *data, size_t len)
{
	if (!s->rc)
		s->rc = strbuf_add(s->out, data, len);
}

void svg_raw(struct svg *s, const char *text)
{
	add(s, text, strlen(text));
}

void svg_addf(struct svg *s, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	int n;

	if (s->rc)
		return;
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		s->rc = -EINVAL;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		add(s, small, (size_t)n);
		return;
	}
	s->rc = strbuf_grow(s->out, (size_t)n);
	if (s->rc)
		return;
	va_start(ap, fmt);
	vsnprintf(s->out->buf + s->out->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	s->out->len += (size_t)n;
}

/*
 * v as an integer count of hundredths, printed by hand: the picture
 * holds a hundred thousand numbers, and printf's %f would both follow
 * the locale and cost more than the rest of the drawing.
 */
void svg_num(struct svg *s, double v)
{
	char buf[32], *p = buf + sizeof(buf);
	int64_t h;
	uint64_t u;
	int frac;

	if (!isfinite(v))
		v = 0;
	if (v > SVG_NUM_LIMIT)
		v = SVG_NUM_LIMIT;
	if (v < -SVG_NUM_LIMIT)
		v = -SVG_NUM_LIMIT;
	h = llround(v * 100);
	u = h < 0 ? (uint64_t)-h : (uint64_t)h;
	frac = (int)(u % 100);
	u /= 100;
	if (frac) {
		if (frac % 10) {
			*--p = (char)('0' + frac % 10);
			*--p = (char)('0' + frac / 10);
		} else {
			*--p = (char)('0' + frac / 10);
		}
		*--p = '.';
	}
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (h < 0)
		*--p = '-';
	add(s, p, (size_t)(buf + sizeof(buf) - p));
}

/* What replaces the byte c of text, or NULL when it is kept as it is. */
static const char *escape_of(unsigned char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	case '\t':
	case '\n':
	case '\r':
		return " ";
	default:
		return c < 0x20 || c == 0x7F ? REPLACEMENT : NULL;
	}
}

/* Code points in text[0..len), a bad byte counting as one. */
static size_t code_points(const unsigned char *u, size_t len)
{
	size_t i = 0, n, count = 0;

	while (i < len) {
		n = utf8_sequence_length(u + i, len - i);
		i += n ? n : 1;
		count++;
	}
	return count;
}

void svg_escape(struct svg *s, const char *text, size_t len, size_t max_chars)
{
	const unsigned char *u = (const unsigned char *)text;
	size_t i = 0, run = 0, n, chars = 0, keep = SIZE_MAX;
	const char *esc;

	if (!text)
		return;
	if (max_chars && code_points(u, len) > max_chars)
		keep = max_chars - 1;
	/* Runs of bytes kept as they are go out in one append. */
	while (i < len && chars < keep) {
		n = utf8_sequence_length(u + i, len - i);
		esc = n == 1 ? escape_of(u[i]) : n ? NULL : REPLACEMENT;
		if (esc) {
			add(s, text + run, i - run);
			add(s, esc, strlen(esc));
			i += n ? n : 1;
			run = i;
		} else {
			i += n;
		}
		chars++;
	}
	add(s, text + run, i - run);
	if (keep != SIZE_MAX)
		add(s, ELLIPSIS, sizeof(ELLIPSIS) - 1);
}

void svg_attr(struct svg *s, const char *name, const char *value)
{
	svg_addf(s, " %s=\"", name);
	svg_escape(s, value, value ? strlen(value) : 0, 0);
	svg_raw(s, "\"");
}

/* ` name="v"` for a number. */
static void attr_num(struct svg *s, const char *name, double v)
{
	svg_addf(s, " %s=\"", name);
	svg_num(s, v);
	svg_raw(s, "\"");
}

/* "<name ATTRS": the caller's attributes first, where a reader looks. */
static void open_tag(struct svg *s, const char *name, const char *attrs)
{
	svg_raw(s, name);
	if (*attrs) {
		svg_raw(s, " ");
		svg_raw(s, attrs);
	}
}

void svg_rect(struct svg *s, double x, double y, double w, double h,
	      const char *attrs)
{
	open_tag(s, "<rect", attrs);
	attr_num(s, "x", x);
	attr_num(s, "y", y);
	attr_num(s, "width", w > 0 ? w : 0);
	attr_num(s, "height", h > 0 ? h : 0);
	svg_raw(s, "/>\n");
}

void svg_line(struct svg *s, double x1, double y1, double x2, double y2,
	      const char *attrs)
{
	open_tag(s, "<line", attrs);
	attr_num(s, "x1", x1);
	attr_num(s, "y1", y1);
	attr_num(s, "x2", x2);
	attr_num(s, "y2", y2);
	svg_raw(s, "/>\n");
}

void svg_text(struct svg *s, double x, double y, const char *attrs,
	      const char *text, size_t max_chars)
{
	open_tag(s, "<text", attrs);
	attr_num(s, "x", x);
	attr_num(s, "y", y);
	svg_raw(s, ">");
	svg_escape(s, text, text ? strlen(text) : 0, max_chars);
	svg_raw(s, "</text>\n");
}
