/*
 * view: parse "key=value&key=value" into a struct view.
 *
 * Keys are checked against the target before values are looked at, so a
 * message names the first thing wrong in reading order.
 */
#include "fs/view.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alarm.h"
#include "lib/format.h"
#include "lib/parse.h"
#include "lib/pattern.h"

#define VALUE_MAX 1024

enum key {
	KEY_PERIOD,
	KEY_SINCE,
	KEY_UNTIL,
	KEY_STAT,
	KEY_FORMAT,
	KEY_FILTER,
	KEY_VIEW,
	KEY_SERIES,
	KEY_MERGE,
	KEY_WIDTH,
	KEY_QUERY,
	KEY_STATE,
	KEY_COUNT
};

static const char *const KEYS[KEY_COUNT] = {
	[KEY_PERIOD] = "period", [KEY_SINCE] = "since",
	[KEY_UNTIL] = "until",	 [KEY_STAT] = "stat",
	[KEY_FORMAT] = "format", [KEY_FILTER] = "filter",
	[KEY_VIEW] = "view",	 [KEY_SERIES] = "series",
	[KEY_MERGE] = "merge",	 [KEY_WIDTH] = "width",
	[KEY_QUERY] = "query",	 [KEY_STATE] = "state",
};

/* Which keys apply to which kind of file (SPEC 8). */
static const bool APPLIES[][KEY_COUNT] = {
	[VIEW_METRIC] = {[KEY_PERIOD] = true,
			 [KEY_SINCE] = true,
			 [KEY_UNTIL] = true,
			 [KEY_STAT] = true,
			 [KEY_FORMAT] = true,
			 [KEY_SERIES] = true,
			 [KEY_MERGE] = true},
	[VIEW_STREAM] = {[KEY_SINCE] = true,
			 [KEY_UNTIL] = true,
			 [KEY_FORMAT] = true,
			 [KEY_FILTER] = true},
	[VIEW_ALARM] = {[KEY_FORMAT] = true, [KEY_VIEW] = true},
	[VIEW_GROUP] = {[KEY_SINCE] = true,
			[KEY_UNTIL] = true,
			[KEY_FORMAT] = true,
			[KEY_FILTER] = true,
			[KEY_QUERY] = true},
	[VIEW_ALARMS] = {[KEY_FORMAT] = true, [KEY_STATE] = true},
	[VIEW_NAMESPACE] = {[KEY_FORMAT] = true},
	[VIEW_DASHBOARD] = {[KEY_PERIOD] = true,
			    [KEY_SINCE] = true,
			    [KEY_UNTIL] = true,
			    [KEY_FORMAT] = true,
			    [KEY_WIDTH] = true},
};

/* A dashboard's format= values, by drawing. */
static const char *const DRAWINGS[] = {
	[DRAW_TEXT] = "text",
	[DRAW_JSON] = "json",
	[DRAW_SVG] = "svg",
	[DRAW_HTML] = "html",
};

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decode s[0..len) into out (NUL-terminated, at most
 * VALUE_MAX - 1 bytes). Returns the decoded length or -EINVAL for a bad
 * escape, a decoded NUL, or a value too long.
 */
static int percent_decode(const char *s, size_t len, char out[VALUE_MAX])
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= len)
				return -EINVAL;
			hi = hex_digit(s[i + 1]);
			lo = hex_digit(s[i + 2]);
			if (hi < 0 || lo < 0)
				return -EINVAL;
			c = hi * 16 + lo;
			i += 2;
		}
		if (c == 0 || n + 1 >= VALUE_MAX)
			return -EINVAL;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return (int)n;
}

static int parse_stats(const char *list, struct view *v, struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];
	const char *item = list;

	v->nstats = 0;
	for (;;) {
		const char *comma = strchr(item, ',');
		size_t n = comma ? (size_t)(comma - item) : strlen(item);

		if (v->nstats == VIEW_STATS_MAX) {
			err_set(err, "stat: more than %d statistics",
				VIEW_STATS_MAX);
			return -EINVAL;
		}
		if (stat_parse(item, n, &v->stats[v->nstats])) {
			err_set(err, "stat: \"%s\" is not a statistic",
				format_quote(q, item, n));
			return -EINVAL;
		}
		v->nstats++;
		if (!comma)
			return 0;
		item = comma + 1;
	}
}

static int apply(enum view_target target, enum key key, const char *value,
		 size_t len, int64_t now_ms, struct view *v, struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];

	switch (key) {
	case KEY_PERIOD:
		if (parse_period(value, len, &v->period_s))
			goto bad;
		return 0;
	case KEY_SINCE:
		if (parse_time_arg(value, len, now_ms, &v->since_ms))
			goto bad;
		return 0;
	case KEY_UNTIL:
		if (parse_time_arg(value, len, now_ms, &v->until_ms))
			goto bad;
		return 0;
	case KEY_STAT:
		v->stats_given = true;
		return parse_stats(value, v, err);
	case KEY_FORMAT: {
		size_t i = 0;

		while (i < sizeof(DRAWINGS) / sizeof(*DRAWINGS) &&
		       strcmp(value, DRAWINGS[i]))
			i++;
		/* svg and html draw dashboards only. */
		if (i == sizeof(DRAWINGS) / sizeof(*DRAWINGS) ||
		    (i > DRAW_JSON && target != VIEW_DASHBOARD))
			goto bad;
		v->drawing = (enum view_drawing)i;
		v->json = i == DRAW_JSON;
		return 0;
	}
	case KEY_WIDTH: {
		int w = 0;
		size_t i;

		for (i = 0;
		     i < len && i < 5 && value[i] >= '0' && value[i] <= '9';
		     i++)
			w = w * 10 + (value[i] - '0');
		if (!len || i != len || w < VIEW_WIDTH_MIN ||
		    w > VIEW_WIDTH_MAX) {
			err_set(err,
				"width: \"%s\" is not a number of columns "
				"from %d to %d",
				format_quote(q, value, len), VIEW_WIDTH_MIN,
				VIEW_WIDTH_MAX);
			return -EINVAL;
		}
		v->width = w;
		return 0;
	}
	case KEY_FILTER:
		if (pattern_compile(value, len, &v->filter, err)) {
			err_prefix(err, "filter");
			return -EINVAL;
		}
		return 0;
	case KEY_VIEW:
		if (strcmp(value, "history"))
			goto bad;
		v->history = true;
		return 0;
	case KEY_SERIES:
		if (dimension_selector_parse(value, len, &v->series, err)) {
			err_prefix(err, "series");
			return -EINVAL;
		}
		v->series_given = true;
		return 0;
	case KEY_MERGE:
		if (!strcmp(value, "true"))
			v->merge = true;
		else if (strcmp(value, "false"))
			goto bad;
		return 0;
	case KEY_QUERY:
		v->query = strndup(value, len);
		return v->query ? 0 : -ENOMEM;
	case KEY_STATE:
		for (v->state = ALARM_INSUFFICIENT_DATA;
		     v->state <= ALARM_ALARM; v->state++)
			if (!strcmp(value, alarm_state_name(
						   (enum alarm_state)v->state)))
				return 0;
		goto bad;
	case KEY_COUNT:
		break;
	}
bad:
	err_set(err, "%s: \"%s\" is not a valid value", KEYS[key],
		format_quote(q, value, len));
	return -EINVAL;
}

int view_parse(const char *query, enum view_target target, int64_t now_ms,
	       struct view *out, struct err *err)
{
	bool seen[KEY_COUNT] = {false};
	const char *pair = query ? query : "";
	char value[VALUE_MAX], q[FORMAT_QUOTE_SIZE];
	int rc;

	memset(out, 0, sizeof(*out));
	out->state = -1;
	out->period_s = DEFAULT_PERIOD_S;
	out->nstats = stat_defaults(out->stats);
	/* Every pair counts, an empty one too: "period=60&" is refused. */
	while (query && *query) {
		const char *amp = strchr(pair, '&');
		size_t plen = amp ? (size_t)(amp - pair) : strlen(pair);
		const char *eq = memchr(pair, '=', plen);
		size_t klen = eq ? (size_t)(eq - pair) : plen;
		int key, vlen;

		for (key = 0; key < KEY_COUNT; key++)
			if (strlen(KEYS[key]) == klen &&
			    !memcmp(KEYS[key], pair, klen))
				break;
		if (key == KEY_COUNT || !eq || !APPLIES[target][key]) {
			err_set(err, "\"%s\" is not a key of this view",
				format_quote(q, pair, klen));
			rc = -EINVAL;
			goto fail;
		}
		if (seen[key]) {
			err_set(err, "%s is given twice", KEYS[key]);
			rc = -EINVAL;
			goto fail;
		}
		seen[key] = true;
		vlen = percent_decode(eq + 1, plen - klen - 1, value);
		if (vlen < 0) {
			err_set(err, "%s: bad percent-encoding", KEYS[key]);
			rc = -EINVAL;
			goto fail;
		}
		rc = apply(target, (enum key)key, value, (size_t)vlen, now_ms,
			   out, err);
		if (rc)
			goto fail;
		if (!amp)
			break;
		pair = amp + 1;
	}
	if (seen[KEY_SINCE] && seen[KEY_UNTIL] &&
	    out->since_ms >= out->until_ms) {
		err_set(err, "since is not before until");
		rc = -EINVAL;
		goto fail;
	}
	if (seen[KEY_MERGE] && !seen[KEY_SERIES]) {
		err_set(err, "merge applies to a series= view");
		rc = -EINVAL;
		goto fail;
	}
	if (target == VIEW_ALARM || target == VIEW_ALARMS ||
	    target == VIEW_NAMESPACE)
		return 0;
	if (target == VIEW_DASHBOARD) {
		/* The body's range and periods hold where the query is silent.
		 */
		out->since_given = seen[KEY_SINCE];
		out->until_given = seen[KEY_UNTIL];
		out->period_given = seen[KEY_PERIOD];
		if (!seen[KEY_WIDTH])
			out->width = VIEW_WIDTH_DEFAULT;
		return 0;
	}
	if (seen[KEY_QUERY] && seen[KEY_FILTER]) {
		err_set(err, "filter and query: give one (a query filters with "
			     "its filter command)");
		rc = -EINVAL;
		goto fail;
	}
	if (target == VIEW_STREAM || target == VIEW_GROUP) {
		out->since_given = seen[KEY_SINCE];
		out->until_given = seen[KEY_UNTIL];
		if (!seen[KEY_SINCE])
			out->since_ms = INT64_MIN;
		if (!seen[KEY_UNTIL])
			out->until_ms = INT64_MAX;
		return 0;
	}
	if (!seen[KEY_UNTIL])
		out->until_ms = now_ms;
	if (!seen[KEY_SINCE])
		out->since_ms = out->until_ms - DEFAULT_RANGE_MS;
	if (out->since_ms >= out->until_ms) {
		err_set(err, "since is not before until");
		rc = -EINVAL;
		goto fail;
	}
	out->since_ms -=
		floor_mod(out->since_ms, out->period_s * MS_PER_SECOND);
	return 0;
fail:
	view_release(out);
	return rc;
}

void view_release(struct view *v)
{
	pattern_free(v->filter);
	v->filter = NULL;
	if (v->series_given)
		dimension_selector_free(&v->series);
	v->series_given = false;
	free(v->query);
	v->query = NULL;
}
