/*
 * dashboard_impl: what the parts of the dashboard module share. Only
 * lib/dashboard*.c include it; callers use lib/dashboard.h.
 *
 * The parts: dashboard.c (the body's top level, layout, grid order,
 * freeing, printing), dashboard_widgets.c (one widget, its position and
 * the properties of alarm, text and log widgets), dashboard_metric.c
 * (a metric widget's properties and rows), dashboard_time.c (start, end
 * and the range).
 *
 * Every check reports through a struct dash_ctx, which carries the JSON
 * path of the value being read ("widgets[2].properties.metrics[1]"), so
 * that a refusal names where it is: dash_fail writes "PATH: reason".
 */
#ifndef MONFS_DASHBOARD_IMPL_H
#define MONFS_DASHBOARD_IMPL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/dashboard.h"
#include "lib/err.h"

#define DASH_PATH_MAX 256    /* a JSON path in a message, cut beyond */
#define DASH_WIDGETS_MAX 500 /* CloudWatch's limit per dashboard */
#define DASH_DEFAULT_SIZE 6  /* a widget's width and height unless given */
#define DASH_HEIGHT_MAX 1000 /* CloudWatch's */
#define DASH_Y_MAX 10000     /* an explicit y; auto-placed ones may pass */
#define DASH_ROW_STRINGS_MAX (2 + 2 * DIMENSION_MAX)

struct dash_ctx {
	struct err *err;
	char path[DASH_PATH_MAX]; /* NUL-terminated */
	size_t path_len;
};

/*
 * Append ".key" (or "key" at the root) or "[index]" to ctx's path and
 * return the length before, for dash_path_restore.
 */
size_t dash_path_key(struct dash_ctx *ctx, const char *key);
size_t dash_path_index(struct dash_ctx *ctx, size_t index);
void dash_path_restore(struct dash_ctx *ctx, size_t mark);

/* Set ctx->err to "PATH: reason" (printf-style). Returns -EINVAL. */
int dash_fail(struct dash_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "out of memory" into ctx->err. Returns -ENOMEM. */
int dash_nomem(struct dash_ctx *ctx);

/*
 * The member key of obj, read with its type checked; an absent member
 * leaves *out as it was (required: -EINVAL "PATH: \"key\" is required").
 * A wrong type: -EINVAL "PATH.key: must be a string, not a number".
 */
int dash_get_string(struct dash_ctx *ctx, json_t *obj, const char *key,
		    bool required, const char **out);
int dash_dup_string(struct dash_ctx *ctx, json_t *obj, const char *key,
		    bool required, char **out);
int dash_get_bool(struct dash_ctx *ctx, json_t *obj, const char *key,
		  bool *out);
int dash_get_number(struct dash_ctx *ctx, json_t *obj, const char *key,
		    bool required, double *out);
/* An integer in [min, max]; *given says whether the member is there. */
int dash_get_int(struct dash_ctx *ctx, json_t *obj, const char *key,
		 int64_t min, int64_t max, bool *given, int64_t *out);

/*
 * Parse widgets[i] (ctx's path already "widgets[i]") into *w, its
 * position (x, y) only when *placed says the widget gave them; width and
 * height filled, defaults applied. On failure *w may own memory, which
 * dash_widget_free releases.
 */
int dash_widget_parse(struct dash_ctx *ctx, json_t *obj, struct dash_widget *w,
		      bool *placed);
void dash_widget_free(struct dash_widget *w);

/*
 * A metric widget's properties (ctx's path at them) into *w. On failure
 * *w may own memory, which dash_widget_free releases.
 */
int dash_metric_parse(struct dash_ctx *ctx, json_t *props,
		      struct dash_widget *w);

/*
 * dashboard_time_parse, saying why a string is refused (a phrase for
 * "start: \"x\" is not a time: WHY").
 */
int dash_time_parse_why(const char *s, size_t len, struct dash_time *out,
			const char **why);

#endif
