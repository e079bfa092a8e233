/*
 * dimension: a metric's dimensions (SPEC 11) as the tree spells them,
 * pure logic, no storage: `Name=Value` path components under metrics/,
 * the set they make, its one canonical spelling, and the series= views'
 * selector.
 *
 * A set is unordered, so this module keeps every set in its canonical
 * order (Names sorted bytewise) from the moment a dimension is added:
 * equality is a walk, and the canonical path is a print. A Value is
 * held decoded (the bytes CloudWatch would hold); the tree writes it
 * with `%XX` escapes, and the canonical path encodes exactly '%', '/',
 * '?' and control bytes, as uppercase `%XX`. A decoded Value is at least
 * one byte of valid UTF-8 with no control byte, so it holds no NUL.
 *
 * Errors are 0 or a negative errno; a refusal fills a caller-owned
 * struct err whose message quotes the offending component, in the
 * user's spelling.
 */
#ifndef MONFS_DIMENSION_H
#define MONFS_DIMENSION_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"
#include "lib/strbuf.h"

#define DIMENSION_MAX 30 /* dimensions in one set, as CloudWatch allows */

/*
 * One dimension. name and value are NUL-terminated and live in one
 * allocation that name points to (value points into it), owned by the
 * set that holds the dimension.
 */
struct dimension {
	char *name; /* 1-255 bytes, a name (SPEC 2) without '=' */
	size_t name_len;
	char *value; /* decoded: >= 1 byte, valid UTF-8, no control byte */
	size_t value_len;
};

/*
 * A dimension set: dims[0..count) sorted by name bytewise, names
 * distinct, count <= DIMENSION_MAX (a 31st is refused, never dropped).
 * Iterating dims in index order is the canonical order, for the trail's
 * and the JSON views' (name, value) pairs. The set owns its dimensions;
 * dimension_set_free releases them. An empty set (DIMENSION_SET_INIT)
 * owns nothing, is valid, and is a dimensionless metric's set.
 */
struct dimension_set {
	struct dimension *dims;
	size_t count;
	size_t alloc;
};

#define DIMENSION_SET_INIT                                                     \
	{                                                                      \
		NULL, 0, 0                                                     \
	}

/* Free what set owns and make it empty (DIMENSION_SET_INIT) again. */
void dimension_set_free(struct dimension_set *set);

/* Whether the path component s[0..len) is a dimension: it holds '='. */
bool dimension_is_component(const char *s, size_t len);

/*
 * Add the path component s[0..len), `Name=Value` with Value
 * percent-encoded (split at the first '=', so a Value may hold '='),
 * to set. The component obeys SPEC 2; Name is 1-255 bytes; `%XX`
 * (either case of hex digit) in Value decodes to the byte XX, and the
 * decoded Value is at least 1 byte of UTF-8 with no control byte.
 * Returns 0; -ENAMETOOLONG for a component over 255 bytes; -EINVAL
 * when it is no dimension (no '=', empty Name or Value, a bad or cut
 * escape, a bad decoded Value), when Name is already in set, or when
 * set already has DIMENSION_MAX; -ENOMEM. err quotes the component. On
 * failure set is unchanged.
 */
int dimension_set_add_component(struct dimension_set *set, const char *s,
				size_t len, struct err *err);

/*
 * Add the dimension name[0..name_len) = value[0..value_len), value as
 * CloudWatch holds it (decoded: a PutMetricAlarm Dimensions member, a
 * metric filter's event field). Same rules as a component: the name a
 * name (SPEC 2) without '=', the value as decoded above, and the
 * canonical component `Name=ENCODED` at most 255 bytes so that the tree
 * can show it. 0, -EINVAL (err quotes the name), or -ENOMEM; on failure
 * set is unchanged.
 */
int dimension_set_add(struct dimension_set *set, const char *name,
		      size_t name_len, const char *value, size_t value_len,
		      struct err *err);

/* The dimension of set named name[0..len), or NULL. */
const struct dimension *dimension_set_find(const struct dimension_set *set,
					   const char *name, size_t len);

/* Whether a and b hold the same (name, value) pairs. */
bool dimension_set_equal(const struct dimension_set *a,
			 const struct dimension_set *b);

/*
 * Whether every (name, value) pair of sub is in set: sub is a set that
 * the tree may reach on the way to set's directory, in some order.
 */
bool dimension_set_is_subset(const struct dimension_set *sub,
			     const struct dimension_set *set);

/*
 * Append value[0..len) to out in the canonical path encoding: '%', '/',
 * '?' and bytes 0x00-0x1F, 0x7F as uppercase %XX, every other byte as
 * itself. 0 or -ENOMEM (out keeps what it had).
 */
int dimension_encode_value(struct strbuf *out, const char *value, size_t len);

/*
 * Append the canonical path of set's first k dimensions (k <=
 * set->count) to out: `A=x/B=y`, values encoded; nothing for k = 0.
 * 0 or -ENOMEM.
 */
int dimension_set_path(struct strbuf *out, const struct dimension_set *set,
		       size_t k);

/*
 * Append the canonical directory of namespace ns[0..ns_len) and set's
 * first k dimensions to out: `NS` for k = 0, else `NS/A=x/B=y`. Every
 * k from 0 to set->count names a set's directory (SPEC 11: every prefix
 * of a canonical path is itself a set), and k - 1 names its parent: the
 * prefix chain the store keeps as directory rows. 0 or -ENOMEM.
 */
int dimension_dir_path(struct strbuf *out, const char *ns, size_t ns_len,
		       const struct dimension_set *set, size_t k);

/*
 * Append the canonical metric path `NS/A=x/B=y/NAME` (`NS/NAME` for an
 * empty set) to out. 0 or -ENOMEM.
 */
int dimension_metric_path(struct strbuf *out, const char *ns, size_t ns_len,
			  const struct dimension_set *set, const char *name,
			  size_t name_len);

/*
 * What the caller knows of a path's last component. The tree cannot
 * tell from the text alone whether `NS/A=x/cpu` ends in a metric or
 * names a directory: the operation (mkdir or create), or the store's
 * lookup, decides, and says so here.
 */
enum dimension_path_kind {
	/*
	 * Every component is a namespace level or a dimension: mkdir, a
	 * directory's lookup or listing, the store's directory rows.
	 */
	DIMENSION_PATH_DIR,
	/*
	 * The last component is a metric name, never a dimension: create,
	 * a metric's open, an alarm's `metric =`.
	 */
	DIMENSION_PATH_METRIC,
};

/*
 * A path below metrics/, split. ns and name point into the text that
 * was parsed (not NUL-terminated; the caller keeps the text alive);
 * dims is owned (dimension_path_free).
 */
struct dimension_path {
	const char *ns; /* the namespace, levels joined by '/' */
	size_t ns_len;
	struct dimension_set dims;
	const char *name; /* the metric name; NULL for DIMENSION_PATH_DIR */
	size_t name_len;
	/*
	 * Whether the text is already the canonical spelling: the
	 * dimensions in name order and each Value encoded canonically
	 * (uppercase escapes of '%', '/', '?' only). A listing shows only
	 * canonical names; any other spelling resolves by lookup only.
	 */
	bool canonical;
};

/*
 * Parse s[0..len), a path relative to metrics/ without leading or
 * trailing '/': namespace levels (at least one, at most
 * NAMESPACE_MAX_BYTES in all), then dimension components (in any
 * order), then, for DIMENSION_PATH_METRIC, the metric name. Each
 * component obeys SPEC 2. Returns 0 and fills *out; -ENAMETOOLONG for
 * a component over 255 bytes; -EINVAL for an empty path or level, a
 * dimension before any namespace level, a namespace level after a
 * dimension, a bad dimension (as dimension_set_add_component), a Name
 * twice, more than DIMENSION_MAX, '=' in the metric name, or a metric
 * path without a namespace; -ENOMEM. err quotes the offending
 * component. On failure *out is untouched and owns nothing.
 */
int dimension_parse_path(const char *s, size_t len,
			 enum dimension_path_kind kind,
			 struct dimension_path *out, struct err *err);

/* Free what path owns (its dimension set). */
void dimension_path_free(struct dimension_path *path);

/*
 * The value of a series= view (SPEC 11), already percent-decoded as
 * every view value is: `*` (all series, dimensionless included) or a
 * comma list of dimension names that a series' names must equal.
 */
struct dimension_selector {
	bool all;     /* `*`: names is NULL, count 0 */
	char **names; /* sorted bytewise, distinct, each NUL-terminated */
	size_t count; /* 1..DIMENSION_MAX unless all */
};

/*
 * Parse a series= value s[0..len): `*`, or NAME[,NAME...] where each
 * NAME is a dimension name (1-255 bytes, SPEC 2, no '='), in any order.
 * A name holding ',' or the name `*` alone cannot be selected by name
 * (series=* still selects it).
 * 0 and *out (owned: dimension_selector_free); -EINVAL for an empty
 * value or name, a bad name, a name twice, `*` among names, or more than
 * DIMENSION_MAX names, err quoting what is wrong; -ENOMEM. On failure
 * *out is untouched and owns nothing.
 */
int dimension_selector_parse(const char *s, size_t len,
			     struct dimension_selector *out, struct err *err);

/* Whether sel selects a series whose dimensions are set. */
bool dimension_selector_matches(const struct dimension_selector *sel,
				const struct dimension_set *set);

/* Free what sel owns. */
void dimension_selector_free(struct dimension_selector *sel);

/*
 * set as a new JSON array of objects {name_key: NAME, value_key: VALUE}
 * in canonical order, values decoded: the trail's `"dimensions":
 * [{"name","value"}]`, PutMetricAlarm's `[{"Name","Value"}]`. NULL when
 * out of memory.
 */
json_t *dimension_set_json(const struct dimension_set *set,
			   const char *name_key, const char *value_key);

/*
 * A dimension name alone, as dimension_set_add checks it: a name (SPEC
 * 2) without '='. 0 or -EINVAL with err (NULL is fine) quoting it.
 */
int dimension_check_name(const char *name, size_t len, struct err *err);

/*
 * Check name[0..name_len) = value[0..value_len) (value decoded) as
 * dimension_set_add does, without a set: for a caller that writes the
 * canonical path itself (dimension_encode_value), such as a metric
 * filter for each event, with no allocation. 0 or -EINVAL with err
 * (NULL is fine).
 */
int dimension_check(const char *name, size_t name_len, const char *value,
		    size_t value_len, struct err *err);

/*
 * The canonical order of two dimension names (bytewise, the shorter
 * first on a common prefix): < 0, 0 or > 0.
 */
int dimension_name_compare(const char *a, size_t a_len, const char *b,
			   size_t b_len);

/*
 * Add each component of the dimension path s[0..len) to set: `A=x/B=y`
 * as dimension_set_path prints it (values %-encoded, so a value holds no
 * '/'), in any order, as dimension_set_add_component takes each. For a
 * path kept by one who printed it (an alarm's definition). 0, -EINVAL
 * (err quotes the component; an empty path or component is one) or
 * -ENOMEM; on failure set may hold the components before the bad one,
 * and the caller frees it as always.
 */
int dimension_set_add_path(struct dimension_set *set, const char *s, size_t len,
			   struct err *err);

#endif
