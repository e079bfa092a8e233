/*
 * dashboard: what every part of a body's parser shares — the JSON path
 * of the member being read and the fault reported by it, members read
 * by type — and the body printed back as it was written. The top level
 * is lib/dashboard_parse.c's, widgets lib/dashboard_widgets.c's, metric
 * rows lib/dashboard_metric.c's; each calls down to here, never up.
 *
 * The body is read with jansson, duplicate members refused; the first
 * fault found is reported, by its JSON path. Members this module does
 * not read are left alone (the store keeps the body as written).
 */
#include "lib/dashboard_impl.h"

#include "lib/format.h"
#include "lib/json_request.h"
#include "lib/parse.h"
#include "lib/strbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REAL_PRECISION_MAX 17 /* digits that round-trip any double */

static size_t path_append(struct dash_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static size_t path_append(struct dash_ctx *ctx, const char *fmt, ...)
{
	size_t mark = ctx->path_len, room = sizeof(ctx->path) - mark;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(ctx->path + mark, room, fmt, ap);
	va_end(ap);
	/* Cut (still NUL-terminated) rather than fail: it is a message. */
	ctx->path_len =
		n < 0 ? mark : mark + ((size_t)n < room ? (size_t)n : room - 1);
	return mark;
}

size_t dash_path_key(struct dash_ctx *ctx, const char *key)
{
	return path_append(ctx, "%s%s", ctx->path_len ? "." : "", key);
}

size_t dash_path_index(struct dash_ctx *ctx, size_t index)
{
	return path_append(ctx, "[%zu]", index);
}

void dash_path_restore(struct dash_ctx *ctx, size_t mark)
{
	ctx->path_len = mark;
	ctx->path[mark] = '\0';
}

int dash_fail(struct dash_ctx *ctx, const char *fmt, ...)
{
	char reason[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (ctx->path_len)
		err_set(ctx->err, "%s: %s", ctx->path, reason);
	else
		err_set(ctx->err, "%s", reason);
	return -EINVAL;
}

int dash_nomem(struct dash_ctx *ctx)
{
	err_set(ctx->err, "out of memory");
	return -ENOMEM;
}

/* "PATH.key: must be WANT, not TYPE" for the member key's value v. */
static int wrong_type(struct dash_ctx *ctx, const char *key, json_t *v,
		      const char *want)
{
	size_t mark = dash_path_key(ctx, key);
	int rc = dash_fail(ctx, "must be %s, not %s", want,
			   json_request_type_name(v));

	dash_path_restore(ctx, mark);
	return rc;
}

int dash_get_string(struct dash_ctx *ctx, json_t *obj, const char *key,
		    bool required, const char **out)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return required ? dash_fail(ctx, "\"%s\" is required", key) : 0;
	if (!json_is_string(v))
		return wrong_type(ctx, key, v, "a string");
	*out = json_string_value(v);
	return 0;
}

int dash_dup_string(struct dash_ctx *ctx, json_t *obj, const char *key,
		    bool required, char **out)
{
	const char *s = NULL;
	int rc = dash_get_string(ctx, obj, key, required, &s);

	if (rc || !s)
		return rc;
	*out = strdup(s);
	return *out ? 0 : dash_nomem(ctx);
}

int dash_get_bool(struct dash_ctx *ctx, json_t *obj, const char *key, bool *out)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return wrong_type(ctx, key, v, "a boolean");
	*out = json_is_true(v);
	return 0;
}

int dash_get_number(struct dash_ctx *ctx, json_t *obj, const char *key,
		    bool required, double *out)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return required ? dash_fail(ctx, "\"%s\" is required", key) : 0;
	if (!json_is_number(v))
		return wrong_type(ctx, key, v, "a number");
	*out = json_number_value(v);
	return 0;
}

int dash_get_int(struct dash_ctx *ctx, json_t *obj, const char *key,
		 int64_t min, int64_t max, bool *given, int64_t *out)
{
	json_t *v = json_object_get(obj, key);
	json_int_t n;
	size_t mark;
	int rc = 0;

	*given = v != NULL;
	if (!v)
		return 0;
	if (!json_is_integer(v))
		return wrong_type(ctx, key, v, "an integer");
	n = json_integer_value(v);
	if (n < min || n > max) {
		mark = dash_path_key(ctx, key);
		rc = dash_fail(ctx, "%lld is not from %lld to %lld",
			       (long long)n, (long long)min, (long long)max);
		dash_path_restore(ctx, mark);
		return rc;
	}
	*out = n;
	return 0;
}

/*
 * Whether v printed with digits significant digits reads back as v, and
 * without an exponent unless 17 digits need one too (100.0, not 1e2).
 */
static bool real_prints_as_written(double v, int digits)
{
	char text[64], full[64], *p;

	snprintf(full, sizeof(full), "%.*g", REAL_PRECISION_MAX, v);
	snprintf(text, sizeof(text), "%.*g", digits, v);
	if (strchr(text, 'e') && !strchr(full, 'e'))
		return false;
	/* Whatever the locale's decimal point, read it as '.'. */
	for (p = text; *p; p++)
		if (*p == ',')
			*p = '.';
	return parse_strtod_c(text, NULL) == v;
}

/*
 * Whether every real under v reads back from digits significant digits;
 * with digits 0, the fewest digits that do so for the real needing most.
 */
static int tree_digits(json_t *v, int digits)
{
	const char *key;
	json_t *member;
	size_t i;
	int most = 1, d;

	if (json_is_real(v)) {
		if (digits)
			return real_prints_as_written(json_real_value(v),
						      digits);
		for (d = 1; d < REAL_PRECISION_MAX; d++)
			if (real_prints_as_written(json_real_value(v), d))
				break;
		return d;
	}
	if (json_is_object(v)) {
		json_object_foreach(v, key, member)
		{
			d = tree_digits(member, digits);
			if (digits && !d)
				return 0;
			most = d > most ? d : most;
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, member)
		{
			d = tree_digits(member, digits);
			if (digits && !d)
				return 0;
			most = d > most ? d : most;
		}
	}
	return most;
}

/*
 * The precision that prints every real under root as it was written:
 * jansson prints all reals with one precision, 17 digits unless told,
 * which turns 0.1 into 0.10000000000000001. The most digits any real
 * needs nearly always give every other back too (checked: near a power
 * of two a longer decimal may not, and more digits are taken then).
 */
static int body_precision(json_t *root)
{
	int digits = tree_digits(root, 0);

	while (digits < REAL_PRECISION_MAX && !tree_digits(root, digits))
		digits++;
	return digits;
}

int dashboard_body_print(const char *body, size_t len, bool compact,
			 struct strbuf *out)
{
	json_error_t jerr;
	json_t *root;
	size_t flags;
	char *text;
	int rc;

	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return json_error_code(&jerr) == json_error_out_of_memory
			       ? -ENOMEM
			       : -EINVAL;
	flags = JSON_PRESERVE_ORDER |
		JSON_REAL_PRECISION((size_t)body_precision(root)) |
		(compact ? JSON_COMPACT : JSON_INDENT(2));
	text = json_dumps(root, flags);
	json_decref(root);
	if (!text)
		return -ENOMEM;
	rc = strbuf_adds(out, text);
	free(text);
	return rc ? rc : strbuf_add(out, "\n", 1);
}
