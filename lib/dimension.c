/*
 * dimension: Name=Value path components, the sets they make and their
 * canonical spelling (SPEC 11).
 *
 * A set is a small sorted array (at most 30 entries): insertion keeps
 * the order, so a linear scan is all any operation needs, and every
 * function that prints a set prints it canonically without sorting.
 * A dimension's name and decoded value share one allocation.
 */
#include "lib/dimension.h"

#include "lib/format.h"
#include "lib/parse.h"
#include "lib/utf8.h"

#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- bytes ---- */

/* Whether the canonical path encoding writes c as %XX. */
static bool needs_escape(unsigned char c)
{
	return c == '%' || c == '/' || c == '?' || c < 0x20 || c == 0x7F;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Bytes value[0..len) takes in the canonical path encoding. */
static size_t encoded_length(const char *value, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += needs_escape((unsigned char)value[i]) ? 3 : 1;
	return n;
}

/* Bytewise order of two names, the shorter first on a common prefix. */
static int name_compare(const char *a, size_t a_len, const char *b,
			size_t b_len)
{
	int c = memcmp(a, b, a_len < b_len ? a_len : b_len);

	if (c)
		return c;
	return (a_len > b_len) - (a_len < b_len);
}

/* Why a decoded value is not one, or NULL when it is. */
static const char *value_fault(const char *v, size_t len)
{
	const unsigned char *u = (const unsigned char *)v;
	size_t i, n;

	if (len == 0)
		return "the value after '=' is empty";
	for (i = 0; i < len; i += n) {
		if (u[i] < 0x20 || u[i] == 0x7F)
			return "its value holds a control character";
		n = utf8_sequence_length(u + i, len - i);
		if (!n)
			return "its value is not valid UTF-8";
	}
	return NULL;
}

/*
 * Decode the %XX escapes of s[0..len) into out (room for len bytes).
 * 0 and *out_len, or -EINVAL with err quoting the component comp and
 * the bad escape.
 */
static int decode_value(const char *s, size_t len, char *out, size_t *out_len,
			const char *comp, size_t comp_len, struct err *err)
{
	char qc[FORMAT_QUOTE_SIZE], qe[FORMAT_QUOTE_SIZE];
	size_t i, n = 0;
	int hi, lo;

	for (i = 0; i < len; i++) {
		if (s[i] != '%') {
			out[n++] = s[i];
			continue;
		}
		hi = i + 1 < len ? hex_value(s[i + 1]) : -1;
		lo = i + 2 < len ? hex_value(s[i + 2]) : -1;
		if (hi < 0 || lo < 0) {
			err_set(err,
				"\"%s\" is not a dimension: \"%s\" is not an "
				"escape (%% and two hex digits; %% itself is "
				"%%25)",
				format_quote(qc, comp, comp_len),
				format_quote(qe, s + i,
					     len - i < 3 ? len - i : 3));
			return -EINVAL;
		}
		out[n++] = (char)(hi * 16 + lo);
		i += 2;
	}
	*out_len = n;
	return 0;
}

/*
 * Whether the encoded value s[0..len) of a component already accepted
 * is spelled canonically: its only escapes are %25, %2F and %3F.
 */
static bool value_is_canonical(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] != '%')
			continue;
		assert(i + 2 < len);
		if (s[i + 1] == '2' && (s[i + 2] == '5' || s[i + 2] == 'F')) {
			i += 2;
			continue;
		}
		if (s[i + 1] == '3' && s[i + 2] == 'F') {
			i += 2;
			continue;
		}
		return false;
	}
	return true;
}

/* ---- sets ---- */

void dimension_set_free(struct dimension_set *set)
{
	size_t i;

	for (i = 0; i < set->count; i++)
		free(set->dims[i].name);
	free(set->dims);
	set->dims = NULL;
	set->count = 0;
	set->alloc = 0;
}

bool dimension_is_component(const char *s, size_t len)
{
	return memchr(s, '=', len) != NULL;
}

#ifdef MONFS_DEBUG
static void check_set(const struct dimension_set *set)
{
	size_t i;

	assert(set->count <= DIMENSION_MAX && set->count <= set->alloc);
	for (i = 1; i < set->count; i++)
		assert(name_compare(
			       set->dims[i - 1].name, set->dims[i - 1].name_len,
			       set->dims[i].name, set->dims[i].name_len) < 0);
}
#else
static void check_set(const struct dimension_set *set)
{
	(void)set;
}
#endif

/*
 * Insert a dimension already checked, at its place in name order.
 * 0, -EEXIST (name already there), -E2BIG (set full), -ENOMEM; on
 * failure set is unchanged.
 */
static int set_insert(struct dimension_set *set, const char *name,
		      size_t name_len, const char *value, size_t value_len)
{
	struct dimension *d;
	size_t at, alloc;
	char *mem;
	int c = 1;

	for (at = 0; at < set->count; at++) {
		c = name_compare(set->dims[at].name, set->dims[at].name_len,
				 name, name_len);
		if (c >= 0)
			break;
	}
	if (at < set->count && c == 0)
		return -EEXIST;
	if (set->count == DIMENSION_MAX)
		return -E2BIG;
	if (set->count == set->alloc) {
		alloc = set->alloc ? set->alloc * 2 : 4;
		d = realloc(set->dims, alloc * sizeof(*d));
		if (!d)
			return -ENOMEM;
		set->dims = d;
		set->alloc = alloc;
	}
	mem = malloc(name_len + 1 + value_len + 1);
	if (!mem)
		return -ENOMEM;
	memcpy(mem, name, name_len);
	mem[name_len] = '\0';
	memcpy(mem + name_len + 1, value, value_len);
	mem[name_len + 1 + value_len] = '\0';
	memmove(set->dims + at + 1, set->dims + at,
		(set->count - at) * sizeof(*set->dims));
	set->dims[at] = (struct dimension){.name = mem,
					   .name_len = name_len,
					   .value = mem + name_len + 1,
					   .value_len = value_len};
	set->count++;
	check_set(set);
	return 0;
}

int dimension_set_add_component(struct dimension_set *set, const char *s,
				size_t len, struct err *err)
{
	char q[FORMAT_QUOTE_SIZE], qn[FORMAT_QUOTE_SIZE];
	char value[NAME_MAX_BYTES];
	const char *eq, *fault;
	size_t name_len, value_len;
	int rc = parse_name(s, len);

	if (rc) {
		parse_name_explained(s, len, err);
		return rc;
	}
	eq = memchr(s, '=', len);
	if (!eq) {
		err_set(err, "\"%s\" is not a dimension: it holds no '='",
			format_quote(q, s, len));
		return -EINVAL;
	}
	name_len = (size_t)(eq - s);
	if (name_len == 0) {
		err_set(err,
			"\"%s\" is not a dimension: the name before '=' is "
			"empty",
			format_quote(q, s, len));
		return -EINVAL;
	}
	rc = decode_value(eq + 1, len - name_len - 1, value, &value_len, s, len,
			  err);
	if (rc)
		return rc;
	fault = value_fault(value, value_len);
	if (fault) {
		err_set(err, "\"%s\" is not a dimension: %s",
			format_quote(q, s, len), fault);
		return -EINVAL;
	}
	rc = set_insert(set, s, name_len, value, value_len);
	if (rc == -EEXIST)
		err_set(err, "\"%s\": dimension \"%s\" is given twice",
			format_quote(q, s, len), format_quote(qn, s, name_len));
	else if (rc == -E2BIG)
		err_set(err, "\"%s\": more than %d dimensions",
			format_quote(q, s, len), DIMENSION_MAX);
	return rc == -EEXIST || rc == -E2BIG ? -EINVAL : rc;
}

/*
 * A dimension name: a name (SPEC 2) without '='. 0 or -EINVAL with err
 * quoting it.
 */
static int check_dimension_name(const char *name, size_t len, struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];

	if (parse_name_explained(name, len, err)) {
		err_prefix(err, "dimension name");
		return -EINVAL;
	}
	if (memchr(name, '=', len)) {
		err_set(err, "dimension name \"%s\" holds '='",
			format_quote(q, name, len));
		return -EINVAL;
	}
	return 0;
}

int dimension_set_add(struct dimension_set *set, const char *name,
		      size_t name_len, const char *value, size_t value_len,
		      struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];
	const char *fault;
	int rc;

	if (check_dimension_name(name, name_len, err))
		return -EINVAL;
	format_quote(q, name, name_len);
	fault = value_fault(value, value_len);
	if (fault) {
		err_set(err, "dimension \"%s\": %s", q, fault);
		return -EINVAL;
	}
	if (name_len + 1 + encoded_length(value, value_len) > NAME_MAX_BYTES) {
		err_set(err,
			"dimension \"%s\": name and encoded value are longer "
			"than the %d bytes of a path component",
			q, NAME_MAX_BYTES);
		return -EINVAL;
	}
	rc = set_insert(set, name, name_len, value, value_len);
	if (rc == -EEXIST)
		err_set(err, "dimension \"%s\" is given twice", q);
	else if (rc == -E2BIG)
		err_set(err, "dimension \"%s\": more than %d dimensions", q,
			DIMENSION_MAX);
	return rc == -EEXIST || rc == -E2BIG ? -EINVAL : rc;
}

const struct dimension *dimension_set_find(const struct dimension_set *set,
					   const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < set->count; i++)
		if (set->dims[i].name_len == len &&
		    memcmp(set->dims[i].name, name, len) == 0)
			return &set->dims[i];
	return NULL;
}

static bool dimension_equal(const struct dimension *a,
			    const struct dimension *b)
{
	return a->name_len == b->name_len && a->value_len == b->value_len &&
	       memcmp(a->name, b->name, a->name_len) == 0 &&
	       memcmp(a->value, b->value, a->value_len) == 0;
}

bool dimension_set_equal(const struct dimension_set *a,
			 const struct dimension_set *b)
{
	size_t i;

	if (a->count != b->count)
		return false;
	for (i = 0; i < a->count; i++)
		if (!dimension_equal(&a->dims[i], &b->dims[i]))
			return false;
	return true;
}

bool dimension_set_is_subset(const struct dimension_set *sub,
			     const struct dimension_set *set)
{
	const struct dimension *d;
	size_t i;

	for (i = 0; i < sub->count; i++) {
		d = dimension_set_find(set, sub->dims[i].name,
				       sub->dims[i].name_len);
		if (!d || !dimension_equal(d, &sub->dims[i]))
			return false;
	}
	return true;
}

/* ---- canonical paths ---- */

static const char HEX_UPPER[] = "0123456789ABCDEF";

/* Append value encoded to out, which already has room for it. */
static void add_encoded(struct strbuf *out, const char *value, size_t len)
{
	unsigned char c;
	char esc[3];
	size_t i;
	int rc;

	for (i = 0; i < len; i++) {
		c = (unsigned char)value[i];
		if (needs_escape(c)) {
			esc[0] = '%';
			esc[1] = HEX_UPPER[c >> 4];
			esc[2] = HEX_UPPER[c & 0xF];
			rc = strbuf_add(out, esc, 3);
		} else {
			rc = strbuf_add(out, &value[i], 1);
		}
		assert(rc == 0); /* the caller grew out */
		(void)rc;
	}
}

int dimension_encode_value(struct strbuf *out, const char *value, size_t len)
{
	if (strbuf_grow(out, encoded_length(value, len)))
		return -ENOMEM;
	add_encoded(out, value, len);
	return 0;
}

/* Bytes of the canonical path of set's first k dimensions. */
static size_t set_path_length(const struct dimension_set *set, size_t k)
{
	size_t i, n = 0;

	for (i = 0; i < k; i++)
		n += (i ? 1 : 0) + set->dims[i].name_len + 1 +
		     encoded_length(set->dims[i].value, set->dims[i].value_len);
	return n;
}

/* Append the first k dimensions' path; out has room for it. */
static void add_set_path(struct strbuf *out, const struct dimension_set *set,
			 size_t k)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < k; i++) {
		if (i)
			rc |= strbuf_add(out, "/", 1);
		rc |= strbuf_add(out, set->dims[i].name, set->dims[i].name_len);
		rc |= strbuf_add(out, "=", 1);
		add_encoded(out, set->dims[i].value, set->dims[i].value_len);
	}
	assert(rc == 0); /* the caller grew out */
	(void)rc;
}

int dimension_set_path(struct strbuf *out, const struct dimension_set *set,
		       size_t k)
{
	assert(k <= set->count);
	if (strbuf_grow(out, set_path_length(set, k)))
		return -ENOMEM;
	add_set_path(out, set, k);
	return 0;
}

int dimension_dir_path(struct strbuf *out, const char *ns, size_t ns_len,
		       const struct dimension_set *set, size_t k)
{
	assert(k <= set->count);
	if (strbuf_grow(out, ns_len + 1 + set_path_length(set, k)))
		return -ENOMEM;
	(void)strbuf_add(out, ns, ns_len);
	if (k) {
		(void)strbuf_add(out, "/", 1);
		add_set_path(out, set, k);
	}
	return 0;
}

int dimension_metric_path(struct strbuf *out, const char *ns, size_t ns_len,
			  const struct dimension_set *set, const char *name,
			  size_t name_len)
{
	size_t n = ns_len + 1 + set_path_length(set, set->count) + 1 + name_len;

	if (strbuf_grow(out, n))
		return -ENOMEM;
	(void)strbuf_add(out, ns, ns_len);
	(void)strbuf_add(out, "/", 1);
	if (set->count) {
		add_set_path(out, set, set->count);
		(void)strbuf_add(out, "/", 1);
	}
	(void)strbuf_add(out, name, name_len);
	return 0;
}

/* ---- paths ---- */

/* The last component of a metric path. 0 or -errno with err set. */
static int check_metric_name(const char *s, size_t len, struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];
	int rc;

	if (dimension_is_component(s, len)) {
		err_set(err,
			"\"%s\" cannot be a metric name: a component holding "
			"'=' is a dimension",
			format_quote(q, s, len));
		return -EINVAL;
	}
	rc = parse_name(s, len);
	if (rc)
		parse_name_explained(s, len, err);
	return rc;
}

/* Where the component that starts at s[start] ends: a '/' or len. */
static size_t component_end(const char *s, size_t len, size_t start)
{
	const char *slash = memchr(s + start, '/', len - start);

	return slash ? (size_t)(slash - s) : len;
}

int dimension_parse_path(const char *s, size_t len,
			 enum dimension_path_kind kind,
			 struct dimension_path *out, struct err *err)
{
	struct dimension_set dims = DIMENSION_SET_INIT;
	char q[FORMAT_QUOTE_SIZE], q2[FORMAT_QUOTE_SIZE];
	const char *first_dim = NULL, *prev_name = NULL, *c;
	size_t first_dim_len = 0, prev_name_len = 0, name_len;
	size_t start, end, clen, ns_len = 0;
	bool canonical = true, last;
	int rc;

	if (len == 0) {
		err_set(err, "empty metric path");
		return -EINVAL;
	}
	for (start = 0;; start = end + 1) {
		end = component_end(s, len, start);
		c = s + start;
		clen = end - start;
		last = end == len;
		if (clen == 0) {
			err_set(err, "\"%s\" has an empty level",
				format_quote(q, s, len));
			rc = -EINVAL;
			goto fail;
		}
		if (last && kind == DIMENSION_PATH_METRIC) {
			rc = check_metric_name(c, clen, err);
			if (rc)
				goto fail;
			break;
		}
		if (dimension_is_component(c, clen)) {
			if (ns_len == 0) {
				err_set(err,
					"\"%s\" comes before any namespace "
					"level: a dimension belongs to a "
					"namespace",
					format_quote(q, c, clen));
				rc = -EINVAL;
				goto fail;
			}
			rc = dimension_set_add_component(&dims, c, clen, err);
			if (rc)
				goto fail;
			name_len = (size_t)((const char *)memchr(c, '=', clen) -
					    c);
			if (!value_is_canonical(c + name_len + 1,
						clen - name_len - 1) ||
			    (prev_name && name_compare(prev_name, prev_name_len,
						       c, name_len) > 0))
				canonical = false;
			prev_name = c;
			prev_name_len = name_len;
			if (!first_dim) {
				first_dim = c;
				first_dim_len = clen;
			}
		} else {
			if (first_dim) {
				err_set(err,
					"\"%s\" is a namespace level after the "
					"dimension \"%s\": dimensions come "
					"after the whole namespace",
					format_quote(q, c, clen),
					format_quote(q2, first_dim,
						     first_dim_len));
				rc = -EINVAL;
				goto fail;
			}
			rc = parse_name(c, clen);
			if (rc) {
				parse_name_explained(c, clen, err);
				goto fail;
			}
			ns_len = end;
			if (ns_len > NAMESPACE_MAX_BYTES) {
				err_set(err,
					"namespace \"%s\" is longer than %d "
					"bytes",
					format_quote(q, s, ns_len),
					NAMESPACE_MAX_BYTES);
				rc = -EINVAL;
				goto fail;
			}
		}
		if (last)
			break;
	}
	if (ns_len == 0) {
		/* Only a metric path gets here so: one name, no namespace. */
		err_set(err, "\"%s\" is not NAMESPACE/NAME",
			format_quote(q, s, len));
		rc = -EINVAL;
		goto fail;
	}
	*out = (struct dimension_path){
		.ns = s,
		.ns_len = ns_len,
		.dims = dims,
		.name = kind == DIMENSION_PATH_METRIC ? s + start : NULL,
		.name_len = kind == DIMENSION_PATH_METRIC ? len - start : 0,
		.canonical = canonical,
	};
	return 0;
fail:
	dimension_set_free(&dims);
	return rc;
}

void dimension_path_free(struct dimension_path *path)
{
	dimension_set_free(&path->dims);
}

/* ---- series= ---- */

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void dimension_selector_free(struct dimension_selector *sel)
{
	size_t i;

	for (i = 0; i < sel->count; i++)
		free(sel->names[i]);
	free(sel->names);
	sel->names = NULL;
	sel->count = 0;
	sel->all = false;
}

int dimension_selector_parse(const char *s, size_t len,
			     struct dimension_selector *out, struct err *err)
{
	struct dimension_selector sel = {false, NULL, 0};
	char q[FORMAT_QUOTE_SIZE];
	size_t start, end, n = 1, i;
	const char *comma;
	int rc = -EINVAL;

	if (len == 1 && s[0] == '*') {
		*out = (struct dimension_selector){true, NULL, 0};
		return 0;
	}
	if (len == 0) {
		err_set(err, "series= needs dimension names, or *");
		return -EINVAL;
	}
	for (i = 0; i < len; i++)
		n += s[i] == ',';
	if (n > DIMENSION_MAX) {
		err_set(err, "series=%s: more than %d dimension names",
			format_quote(q, s, len), DIMENSION_MAX);
		return -EINVAL;
	}
	sel.names = calloc(n, sizeof(*sel.names));
	if (!sel.names)
		return -ENOMEM;
	for (start = 0; start <= len; start = end + 1) {
		comma = memchr(s + start, ',', len - start);
		end = comma ? (size_t)(comma - s) : len;
		if (end == start) {
			err_set(err, "series=%s has an empty name",
				format_quote(q, s, len));
			goto fail;
		}
		if (end - start == 1 && s[start] == '*') {
			err_set(err,
				"series=%s: * selects every series and stands "
				"alone",
				format_quote(q, s, len));
			goto fail;
		}
		if (check_dimension_name(s + start, end - start, err)) {
			err_prefix(err, "series");
			goto fail;
		}
		sel.names[sel.count] = strndup(s + start, end - start);
		if (!sel.names[sel.count]) {
			rc = -ENOMEM;
			goto fail;
		}
		sel.count++;
	}
	assert(sel.count == n);
	qsort(sel.names, sel.count, sizeof(*sel.names), compare_names);
	for (i = 1; i < sel.count; i++) {
		if (strcmp(sel.names[i - 1], sel.names[i]) == 0) {
			err_set(err, "series: \"%s\" is named twice",
				format_quote(q, sel.names[i],
					     strlen(sel.names[i])));
			goto fail;
		}
	}
	*out = sel;
	return 0;
fail:
	dimension_selector_free(&sel);
	return rc;
}

bool dimension_selector_matches(const struct dimension_selector *sel,
				const struct dimension_set *set)
{
	size_t i;

	if (sel->all)
		return true;
	if (sel->count != set->count)
		return false;
	for (i = 0; i < set->count; i++)
		if (strcmp(sel->names[i], set->dims[i].name) != 0)
			return false;
	return true;
}

/* ---- JSON ---- */

json_t *dimension_set_json(const struct dimension_set *set,
			   const char *name_key, const char *value_key)
{
	json_t *array = json_array(), *obj;
	size_t i;

	if (!array)
		return NULL;
	for (i = 0; i < set->count; i++) {
		obj = json_object();
		if (!obj || json_array_append_new(array, obj) ||
		    json_object_set_new(obj, name_key,
					json_stringn(set->dims[i].name,
						     set->dims[i].name_len)) ||
		    json_object_set_new(obj, value_key,
					json_stringn(set->dims[i].value,
						     set->dims[i].value_len))) {
			json_decref(array);
			return NULL;
		}
	}
	return array;
}

/* ---- checks without a set ---- */

int dimension_check_name(const char *name, size_t len, struct err *err)
{
	return check_dimension_name(name, len, err);
}

int dimension_check(const char *name, size_t name_len, const char *value,
		    size_t value_len, struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];
	const char *fault;

	if (check_dimension_name(name, name_len, err))
		return -EINVAL;
	fault = value_fault(value, value_len);
	if (fault) {
		err_set(err, "dimension \"%s\": %s",
			format_quote(q, name, name_len), fault);
		return -EINVAL;
	}
	if (name_len + 1 + encoded_length(value, value_len) > NAME_MAX_BYTES) {
		err_set(err,
			"dimension \"%s\": name and encoded value are longer "
			"than the %d bytes of a path component",
			format_quote(q, name, name_len), NAME_MAX_BYTES);
		return -EINVAL;
	}
	return 0;
}

int dimension_name_compare(const char *a, size_t a_len, const char *b,
			   size_t b_len)
{
	return name_compare(a, a_len, b, b_len);
}

/* ---- a kept dimension path ---- */

int dimension_set_add_path(struct dimension_set *set, const char *s, size_t len,
			   struct err *err)
{
	const char *end = s + len, *slash;
	int rc;

	if (len == 0) {
		err_set(err, "empty dimension path");
		return -EINVAL;
	}
	for (;;) {
		slash = memchr(s, '/', (size_t)(end - s));
		rc = dimension_set_add_component(
			set, s, (size_t)((slash ? slash : end) - s), err);
		if (rc)
			return rc == -ENAMETOOLONG ? -EINVAL : rc;
		if (!slash)
			return 0;
		s = slash + 1;
	}
}
