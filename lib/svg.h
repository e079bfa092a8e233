/*
 * svg: a small writer of SVG (XML) text into a strbuf, for the
 * dashboard's picture (SPEC 15).
 *
 * Hand-written SVG rather than a drawing library's: cairo's SVG surface
 * draws text as glyph outlines, and a dashboard's titles, tick labels
 * and legends must stay <text> elements that a browser can search and
 * select. What the picture needs is small: rectangles, lines, paths and
 * text, numbers and escaping.
 *
 * The writer's first failure sticks (struct svg.rc): a drawing reads as
 * the picture it draws, one call per element, and the caller checks rc
 * once at the end. After a failure every call does nothing.
 *
 * Numbers are printed with at most two decimals, in the C locale
 * whatever the process's locale (no printf of a double): "12", "-3.5",
 * "0.25". Text is escaped (& < > " ') and made well-formed: a byte that
 * does not begin a well-formed UTF-8 sequence becomes U+FFFD, and so do
 * the control bytes XML 1.0 forbids (all below 0x20 but tab, newline and
 * carriage return, which become blanks).
 */
#ifndef MONFS_SVG_H
#define MONFS_SVG_H

#include <stddef.h>

#include "lib/strbuf.h"

struct svg {
	struct strbuf *out;
	int rc; /* 0, or the first failure (-ENOMEM): sticky */
};

/* Start writing at the end of out. */
void svg_init(struct svg *s, struct strbuf *out);

/* Append text as it is: markup the caller wrote, never user text. */
void svg_raw(struct svg *s, const char *text);

/*
 * Append printf-style, for integers and trusted strings only: a double
 * printed by printf would follow the locale; use svg_num.
 */
void svg_addf(struct svg *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Append v with at most two decimals ("0" for a non-finite v). */
void svg_num(struct svg *s, double v);

/*
 * Append text[0..len) escaped for XML text or a quoted attribute value,
 * at most max_chars code points (0: no limit), a longer text cut to
 * max_chars - 1 and "…". A NULL text appends nothing.
 */
void svg_escape(struct svg *s, const char *text, size_t len, size_t max_chars);

/* Append ` name="value"`, value escaped. */
void svg_attr(struct svg *s, const char *name, const char *value);

/*
 * <rect ATTRS x y width height/>: attrs is markup the caller wrote
 * ("" for none), e.g. `class="frame" fill="#ffffff"`.
 */
void svg_rect(struct svg *s, double x, double y, double w, double h,
	      const char *attrs);

/* <line ATTRS x1 y1 x2 y2/>. */
void svg_line(struct svg *s, double x1, double y1, double x2, double y2,
	      const char *attrs);

/*
 * <text ATTRS x y>text</text>, text escaped and cut as svg_escape does
 * to max_chars code points (0: no limit).
 */
void svg_text(struct svg *s, double x, double y, const char *attrs,
	      const char *text, size_t max_chars);

#endif
