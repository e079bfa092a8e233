/*
 * dashboard_draw_html: the dashboard's SVG inside a page of its own
 * (SPEC 15), for `chromium file:///MOUNT/dashboards/NAME.html`. The page
 * is self-contained (no script, no stylesheet or font from elsewhere: a
 * file: URL may reach nothing else) and reloads itself every
 * DASH_HTML_REFRESH_S seconds, which re-reads the file and so redraws
 * the dashboard with the data of now.
 */
#include "lib/dashboard_draw.h"

#include <string.h>

#include "lib/dashboard_draw_impl.h"
#include "lib/format.h"
#include "lib/svg.h"

#define DASH_HTML_REFRESH_S 60

static const char STYLE[] =
	"body{margin:0;padding:16px;background:#f2f3f3;color:#16191f;"
	"font-family:sans-serif}"
	"h1{font-size:18px;margin:0 0 4px}"
	"p{font-size:12px;color:#687078;margin:0 0 12px}"
	"svg{display:block;max-width:100%;height:auto;background:#ffffff}";

int dash_draw_html(struct strbuf *out, const struct dashboard *d,
		   const struct dash_frame *frames,
		   const struct dash_draw_options *o)
{
	const char *name = o->name ? o->name : "dashboard";
	char start[FORMAT_TIME_MAX], end[FORMAT_TIME_MAX];
	size_t mark = out->len;
	struct svg s;

	svg_init(&s, out);
	svg_addf(&s,
		 "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
		 "<meta charset=\"utf-8\">\n"
		 "<meta http-equiv=\"refresh\" content=\"%d\">\n"
		 "<title>",
		 DASH_HTML_REFRESH_S);
	svg_escape(&s, name, strlen(name), 0);
	svg_addf(&s, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>",
		 STYLE);
	svg_escape(&s, name, strlen(name), 0);
	svg_addf(&s, "</h1>\n<p>%s to %s (UTC)</p>\n",
		 format_time(start, o->start_ms), format_time(end, o->end_ms));
	if (!s.rc)
		s.rc = dash_svg_element(out, d, frames, o);
	svg_raw(&s, "</body>\n</html>\n");
	if (s.rc)
		dash_truncate(out, mark);
	return s.rc;
}
