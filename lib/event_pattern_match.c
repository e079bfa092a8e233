/*
 * event_pattern_match: a compiled pattern against one event, by walking
 * the pattern's tree beside the event's JSON (event_pattern.h says what
 * matches what). Nothing here allocates or writes, so any number of
 * threads may match at once.
 *
 * Arrays in the event: a leaf sees every scalar of an array (nested
 * arrays flattened); a pattern object is tried against each element of
 * an array in turn and must hold within one element, which is what
 * keeps matching array-consistent.
 */
#include "lib/event_pattern_impl.h"

#include <arpa/inet.h>
#include <string.h>

/* ---- strings ---- */

/* Whether a[0..n) and b[0..n) are equal with ASCII case folded. */
static bool equal_folded(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ep_fold((unsigned char)a[i]) !=
		    ep_fold((unsigned char)b[i]))
			return false;
	return true;
}

/* Whether s[0..len) fits the wildcard m (see struct ep_matcher). */
static bool wildcard_matches(const struct ep_matcher *m, const char *s,
			     size_t len)
{
	size_t first = m->seg_len[0], last = m->seg_len[m->nsegs - 1];
	const char *lit = m->text, *at, *end;
	size_t i;

	if (m->nsegs == 1)
		return len == m->len && memcmp(s, lit, len) == 0;
	if (len < first + last || memcmp(s, lit, first) ||
	    memcmp(s + len - last, lit + m->len - last, last))
		return false;
	/* The middle runs, each at its leftmost place after the last. */
	at = s + first;
	end = s + len - last;
	lit += first;
	for (i = 1; i + 1 < m->nsegs; i++) {
		size_t n = m->seg_len[i];
		const char *found =
			n ? memmem(at, (size_t)(end - at), lit, n) : at;

		if (!found)
			return false;
		at = found + n;
		lit += n;
	}
	return true;
}

static bool cidr_matches(const struct ep_cidr *c, const char *s)
{
	unsigned char addr[16];
	unsigned full = c->prefix_bits / 8, rest = c->prefix_bits % 8;

	if (inet_pton(c->family, s, addr) != 1)
		return false;
	if (memcmp(addr, c->addr, full))
		return false;
	return rest == 0 ||
	       (unsigned char)(addr[full] & (0xFF00u >> rest)) == c->addr[full];
}

static bool string_matches(const struct ep_matcher *m, const char *s,
			   size_t len)
{
	switch (m->kind) {
	case EP_STRING:
		return len == m->len && memcmp(s, m->text, len) == 0;
	case EP_PREFIX:
		return len >= m->len && memcmp(s, m->text, m->len) == 0;
	case EP_PREFIX_IGNORE_CASE:
		return len >= m->len && equal_folded(s, m->text, m->len);
	case EP_SUFFIX:
		return len >= m->len &&
		       memcmp(s + len - m->len, m->text, m->len) == 0;
	case EP_SUFFIX_IGNORE_CASE:
		return len >= m->len &&
		       equal_folded(s + len - m->len, m->text, m->len);
	case EP_EQUALS_IGNORE_CASE:
		return len == m->len && equal_folded(s, m->text, len);
	case EP_WILDCARD:
		return wildcard_matches(m, s, len);
	case EP_CIDR:
		return strlen(s) == len && cidr_matches(&m->cidr, s);
	default:
		return false;
	}
}

static bool in_range(const struct ep_range *r, double v)
{
	if (r->low_open ? !(v > r->low) : !(v >= r->low))
		return false;
	return r->high_open ? v < r->high : v <= r->high;
}

/* ---- scalars ---- */

bool ep_matcher_matches(const struct ep_matcher *m, const json_t *v)
{
	size_t i;

	switch (m->kind) {
	case EP_NUMBER:
		return json_is_number(v) && json_number_value(v) == m->number;
	case EP_NUMERIC:
		return json_is_number(v) &&
		       in_range(&m->range, json_number_value(v));
	case EP_TRUE:
		return json_is_true(v);
	case EP_FALSE:
		return json_is_false(v);
	case EP_NULL:
		return json_is_null(v);
	case EP_EXISTS:
		return false; /* decided by the leaf */
	case EP_ANYTHING_BUT:
		for (i = 0; i < m->nbut; i++)
			if (ep_matcher_matches(&m->but[i], v))
				return false;
		return true;
	default:
		return json_is_string(v) &&
		       string_matches(m, json_string_value(v),
				      json_string_length(v));
	}
}

/* ---- leaves ---- */

/* Whether v (a scalar or an array) holds a scalar that m matches; with
 * m NULL, whether it holds any scalar. */
static bool any_scalar(const json_t *v, const struct ep_matcher *m)
{
	size_t i;

	if (json_is_array(v)) {
		for (i = 0; i < json_array_size(v); i++)
			if (any_scalar(json_array_get(v, i), m))
				return true;
		return false;
	}
	if (!v || json_is_object(v))
		return false;
	return !m || ep_matcher_matches(m, v);
}

static bool leaf_matches(const struct ep_leaf *leaf, const json_t *v)
{
	size_t i;

	for (i = 0; i < leaf->count; i++) {
		const struct ep_matcher *m = &leaf->matchers[i];

		if (m->kind == EP_EXISTS) {
			if (any_scalar(v, NULL) == m->exists)
				return true;
		} else if (any_scalar(v, m)) {
			return true;
		}
	}
	return false;
}

/* ---- objects ---- */

/* Whether child matches v: an object, or some element of an array. */
static bool child_matches(const struct ep_node *child, const json_t *v)
{
	size_t i, n;

	if (!json_is_array(v) || json_array_size(v) == 0)
		return ep_node_matches(child, json_is_array(v) ? NULL : v);
	n = json_array_size(v);
	for (i = 0; i < n; i++)
		if (child_matches(child, json_array_get(v, i)))
			return true;
	return false;
}

static bool or_matches(const struct ep_or *group, const json_t *obj)
{
	size_t i;

	for (i = 0; i < group->count; i++)
		if (ep_node_matches(group->branches[i], obj))
			return true;
	return false;
}

bool ep_node_matches(const struct ep_node *node, const json_t *obj)
{
	size_t i;

	if (!json_is_object(obj))
		obj = NULL;
	for (i = 0; i < node->nfields; i++) {
		const struct ep_field *f = &node->fields[i];
		const json_t *v = obj ? json_object_get(obj, f->key) : NULL;

		if (f->leaf ? !leaf_matches(f->leaf, v)
			    : !child_matches(f->child, v))
			return false;
	}
	for (i = 0; i < node->nors; i++)
		if (!or_matches(&node->ors[i], obj))
			return false;
	return true;
}

bool event_pattern_match(const struct event_pattern *p, const json_t *event)
{
	return ep_node_matches(p->root, event);
}
