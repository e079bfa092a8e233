/*
 * event_pattern_ops: one operator object of a leaf ({"prefix": "a"},
 * {"numeric": [">", 0]}, ...) compiled into a matcher, with the checks
 * EventBridge makes: the operand's type, wildcard escapes, a numeric
 * range that some number can satisfy, a CIDR block that parses.
 */
#include "lib/event_pattern_impl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Refuse: err = "PATH: message" (the message alone for an empty path). */
static int refuse(struct err *err, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(struct err *err, const char *path, const char *fmt, ...)
{
	char msg[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (*path)
		err_set(err, "%s: %s", path, msg);
	else
		err_set(err, "%s", msg);
	return -EINVAL;
}

void ep_matcher_release(struct ep_matcher *m)
{
	size_t i;

	free(m->text);
	free(m->seg_len);
	for (i = 0; i < m->nbut; i++)
		ep_matcher_release(&m->but[i]);
	free(m->but);
	memset(m, 0, sizeof(*m));
}

/* m->text = a copy of the JSON string s. 0 or -ENOMEM. */
static int take_text(struct ep_matcher *m, const json_t *s)
{
	m->len = json_string_length(s);
	m->text = malloc(m->len + 1);
	if (!m->text)
		return -ENOMEM;
	memcpy(m->text, json_string_value(s), m->len + 1);
	return 0;
}

/* ---- wildcard ---- */

/*
 * Compile the wildcard s: '*' any run, "\*" a star, "\\" a backslash;
 * a backslash before anything else, a trailing one and "**" refused.
 */
static int compile_wildcard(const char *op, const json_t *s, const char *path,
			    struct ep_matcher *m, struct err *err)
{
	const char *src = json_string_value(s);
	size_t n = json_string_length(s), i, out = 0, seg_start = 0;
	bool after_star = false;

	m->kind = EP_WILDCARD;
	m->text = malloc(n + 1);
	m->seg_len = calloc(n + 1, sizeof(*m->seg_len)); /* stars <= n */
	if (!m->text || !m->seg_len)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (src[i] == '*') {
			if (after_star)
				return refuse(err, path,
					      "\"%s\": consecutive '*' are not "
					      "allowed (\"%s\")",
					      op, src);
			m->seg_len[m->nsegs++] = out - seg_start;
			seg_start = out;
			after_star = true;
			continue;
		}
		after_star = false;
		if (src[i] == '\\') {
			if (i + 1 == n ||
			    (src[i + 1] != '*' && src[i + 1] != '\\'))
				return refuse(
					err, path,
					"\"%s\": '\\' must be followed by "
					"'*' or '\\' (\"%s\")",
					op, src);
			i++;
		}
		m->text[out++] = src[i];
	}
	m->seg_len[m->nsegs++] = out - seg_start;
	m->text[out] = '\0';
	m->len = out;
	return 0;
}

/* ---- numeric ---- */

enum bound { BOUND_EQ, BOUND_LOW, BOUND_HIGH, BOUND_UNKNOWN };

static enum bound bound_of(const char *op, bool *open)
{
	*open = op[0] != '\0' && op[1] == '\0';
	if (strcmp(op, "=") == 0)
		return BOUND_EQ;
	if (strcmp(op, ">") == 0 || strcmp(op, ">=") == 0)
		return BOUND_LOW;
	if (strcmp(op, "<") == 0 || strcmp(op, "<=") == 0)
		return BOUND_HIGH;
	return BOUND_UNKNOWN;
}

/* Whether some number lies in r. */
static bool range_is_satisfiable(const struct ep_range *r)
{
	if (r->low < r->high)
		return true;
	return r->low == r->high && !r->low_open && !r->high_open;
}

static int compile_numeric(const json_t *a, const char *path,
			   struct ep_matcher *m, struct err *err)
{
	static const char SHAPE[] = "\"numeric\" needs an operator and a "
				    "number, as [\">\", 0, \"<=\", 5]";
	size_t n = json_array_size(a), i;
	bool have_low = false, have_high = false, open;
	struct ep_range *r = &m->range;

	m->kind = EP_NUMERIC;
	r->low = -INFINITY;
	r->high = INFINITY;
	if (!json_is_array(a) || n == 0 || n % 2 || n > 4)
		return refuse(err, path, "%s", SHAPE);
	for (i = 0; i < n; i += 2) {
		const json_t *op = json_array_get(a, i);
		const json_t *num = json_array_get(a, i + 1);
		double v;

		if (!json_is_string(op) || !json_is_number(num))
			return refuse(err, path, "%s", SHAPE);
		v = json_number_value(num);
		switch (bound_of(json_string_value(op), &open)) {
		case BOUND_EQ:
			if (n != 2)
				return refuse(err, path,
					      "\"numeric\": \"=\" takes no "
					      "other bound");
			r->low = r->high = v;
			break;
		case BOUND_LOW:
			if (have_low)
				return refuse(err, path,
					      "\"numeric\": more than one "
					      "lower bound (> or >=)");
			have_low = true;
			r->low = v;
			r->low_open = open;
			break;
		case BOUND_HIGH:
			if (have_high)
				return refuse(err, path,
					      "\"numeric\": more than one "
					      "upper bound (< or <=)");
			have_high = true;
			r->high = v;
			r->high_open = open;
			break;
		case BOUND_UNKNOWN:
			return refuse(err, path,
				      "\"numeric\": unknown operator \"%s\" "
				      "(=, <, <=, >, >=)",
				      json_string_value(op));
		}
	}
	if (!range_is_satisfiable(r))
		return refuse(err, path,
			      "\"numeric\": no number is %s %.17g and %s %.17g",
			      r->low_open ? ">" : ">=", r->low,
			      r->high_open ? "<" : "<=", r->high);
	return 0;
}

/* ---- cidr ---- */

/* Parse "ADDRESS/BITS" into *c. 0 or -EINVAL with err set. */
static int compile_cidr(const json_t *s, const char *path, struct ep_cidr *c,
			struct err *err)
{
	static const char SHAPE[] = "\"cidr\" needs an IP address and a "
				    "prefix length, as \"10.0.0.0/24\"";
	char addr[64], *end;
	const char *text, *slash;
	unsigned long bits;
	unsigned max, i;

	if (!json_is_string(s))
		return refuse(err, path, "%s", SHAPE);
	text = json_string_value(s);
	slash = strchr(text, '/');
	if (!slash || (size_t)(slash - text) >= sizeof(addr) ||
	    slash[1] < '0' || slash[1] > '9')
		return refuse(err, path, "%s", SHAPE);
	memcpy(addr, text, (size_t)(slash - text));
	addr[slash - text] = '\0';
	c->family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	max = c->family == AF_INET6 ? 128 : 32;
	if (inet_pton(c->family, addr, c->addr) != 1)
		return refuse(err, path,
			      "\"cidr\": \"%s\" is not an IP address", addr);
	errno = 0;
	bits = strtoul(slash + 1, &end, 10);
	if (*end || errno || bits > max)
		return refuse(err, path,
			      "\"cidr\": the prefix length must be 0 to %u, "
			      "not \"%s\"",
			      max, slash + 1);
	c->prefix_bits = (unsigned)bits;
	/* Zero the host bits, so a match compares whole bytes. */
	for (i = 0; i < max / 8; i++) {
		unsigned keep =
			c->prefix_bits > i * 8 ? c->prefix_bits - i * 8 : 0;

		if (keep < 8)
			c->addr[i] &= (unsigned char)(0xFF00u >> keep);
	}
	return 0;
}

/* ---- prefix, suffix, equals-ignore-case ---- */

/*
 * {"prefix": s} or {"prefix": {"equals-ignore-case": s}} (the same for
 * suffix): plain is the kind for a string, folded for the nested form.
 */
static int compile_affix(const char *op, const json_t *v, enum ep_kind plain,
			 enum ep_kind folded, const char *path,
			 struct ep_matcher *m, struct err *err)
{
	const json_t *inner;

	if (json_is_string(v)) {
		m->kind = plain;
		return take_text(m, v);
	}
	inner = json_is_object(v) && json_object_size(v) == 1
			? json_object_get(v, "equals-ignore-case")
			: NULL;
	if (!json_is_string(inner))
		return refuse(err, path,
			      "\"%s\" needs a string or "
			      "{\"equals-ignore-case\": string}",
			      op);
	m->kind = folded;
	return take_text(m, inner);
}

/* ---- anything-but ---- */

static const char BUT_SHAPE[] =
	"\"anything-but\" needs a string, a number, a list of strings or "
	"of numbers, or {\"prefix\"|\"suffix\"|\"wildcard\"|"
	"\"equals-ignore-case\": string or list of strings}";

/* One string s of anything-but's inner operator op into *m. */
static int compile_but_string(const char *op, const json_t *s, const char *path,
			      struct ep_matcher *m, struct err *err)
{
	if (!json_is_string(s))
		return refuse(err, path,
			      "\"anything-but\": \"%s\" takes "
			      "strings only",
			      op);
	if (strcmp(op, "wildcard") == 0)
		return compile_wildcard("anything-but", s, path, m, err);
	if (strcmp(op, "equals-ignore-case") == 0) {
		m->kind = EP_EQUALS_IGNORE_CASE;
		return take_text(m, s);
	}
	if (json_string_length(s) == 0)
		return refuse(err, path,
			      "\"anything-but\": \"%s\" needs a non-empty "
			      "string",
			      op);
	m->kind = strcmp(op, "prefix") == 0 ? EP_PREFIX : EP_SUFFIX;
	return take_text(m, s);
}

/* {"anything-but": {op: s or [s, ...]}} into but's matchers. */
static int compile_but_operator(const json_t *obj, const char *path,
				struct ep_matcher *but, struct err *err)
{
	const char *op =
		json_object_size(obj) == 1
			? json_object_iter_key(json_object_iter((json_t *)obj))
			: "";
	const json_t *v = json_object_get(obj, op);
	size_t n = json_is_array(v) ? json_array_size(v) : 1, i;
	int rc;

	if (strcmp(op, "prefix") && strcmp(op, "suffix") &&
	    strcmp(op, "wildcard") && strcmp(op, "equals-ignore-case"))
		return refuse(err, path, "%s", BUT_SHAPE);
	if (n == 0)
		return refuse(err, path,
			      "\"anything-but\": \"%s\" lists "
			      "no string",
			      op);
	but->but = calloc(n, sizeof(*but->but));
	if (!but->but)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		rc = compile_but_string(
			op, json_is_array(v) ? json_array_get(v, i) : v, path,
			&but->but[i], err);
		but->nbut++;
		if (rc)
			return rc;
	}
	return 0;
}

/* {"anything-but": a string, a number, or a list of one of them}. */
static int compile_but_values(const json_t *v, const char *path,
			      struct ep_matcher *but, struct err *err)
{
	size_t n = json_is_array(v) ? json_array_size(v) : 1, i;
	bool strings = false, numbers = false;

	if (n == 0)
		return refuse(err, path, "\"anything-but\": the list is empty");
	but->but = calloc(n, sizeof(*but->but));
	if (!but->but)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const json_t *e = json_is_array(v) ? json_array_get(v, i) : v;
		struct ep_matcher *m = &but->but[i];

		but->nbut++;
		if (json_is_string(e)) {
			strings = true;
			m->kind = EP_STRING;
			if (take_text(m, e))
				return -ENOMEM;
		} else if (json_is_number(e)) {
			numbers = true;
			m->kind = EP_NUMBER;
			m->number = json_number_value(e);
		} else {
			return refuse(err, path, "%s", BUT_SHAPE);
		}
	}
	if (strings && numbers)
		return refuse(err, path,
			      "\"anything-but\": a list must hold only strings "
			      "or only numbers");
	return 0;
}

static int compile_anything_but(const json_t *v, const char *path,
				struct ep_matcher *m, struct err *err)
{
	m->kind = EP_ANYTHING_BUT;
	if (json_is_object(v))
		return compile_but_operator(v, path, m, err);
	return compile_but_values(v, path, m, err);
}

/* ---- the operator object ---- */

static int compile_named(const char *op, const json_t *v, const char *path,
			 struct ep_matcher *m, struct err *err)
{
	if (strcmp(op, "prefix") == 0)
		return compile_affix(op, v, EP_PREFIX, EP_PREFIX_IGNORE_CASE,
				     path, m, err);
	if (strcmp(op, "suffix") == 0)
		return compile_affix(op, v, EP_SUFFIX, EP_SUFFIX_IGNORE_CASE,
				     path, m, err);
	if (strcmp(op, "equals-ignore-case") == 0) {
		if (!json_is_string(v))
			return refuse(err, path,
				      "\"equals-ignore-case\" "
				      "needs a string");
		m->kind = EP_EQUALS_IGNORE_CASE;
		return take_text(m, v);
	}
	if (strcmp(op, "wildcard") == 0) {
		if (!json_is_string(v))
			return refuse(err, path, "\"wildcard\" needs a string");
		return compile_wildcard(op, v, path, m, err);
	}
	if (strcmp(op, "anything-but") == 0)
		return compile_anything_but(v, path, m, err);
	if (strcmp(op, "numeric") == 0)
		return compile_numeric(v, path, m, err);
	if (strcmp(op, "exists") == 0) {
		if (!json_is_boolean(v))
			return refuse(err, path,
				      "\"exists\" needs true or false");
		m->kind = EP_EXISTS;
		m->exists = json_is_true(v);
		return 0;
	}
	if (strcmp(op, "cidr") == 0) {
		m->kind = EP_CIDR;
		return compile_cidr(v, path, &m->cidr, err);
	}
	return refuse(err, path, "unknown operator \"%s\"", op);
}

int ep_compile_operator(const json_t *op, const char *path,
			struct ep_matcher *m, struct err *err)
{
	const char *name;
	int rc;

	memset(m, 0, sizeof(*m));
	if (json_object_size(op) != 1)
		return refuse(err, path,
			      "an operator object holds exactly one operator, "
			      "as {\"prefix\": \"a\"}");
	name = json_object_iter_key(json_object_iter((json_t *)op));
	rc = compile_named(name, json_object_get(op, name), path, m, err);
	if (rc)
		ep_matcher_release(m);
	return rc;
}
