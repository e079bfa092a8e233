/*
 * event_pattern: a pattern's objects, leaves and $or groups compiled
 * into the tree of event_pattern_impl.h, and the module's entry points.
 *
 * Compilation walks the pattern's JSON once, carrying the JSON path of
 * where it is for messages; every refusal stops the walk and frees what
 * was built. The $or combination count is computed on the way up,
 * saturating just past the limit so that it cannot overflow.
 */
#include "lib/event_pattern.h"

#include "lib/event_pattern_impl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The operator names, which a $or branch may not use as field names. */
static const char *const OPERATOR_NAMES[] = {
	"prefix",   "suffix",	    "equals-ignore-case",
	"wildcard", "anything-but", "numeric",
	"exists",   "cidr",
};

/* ---- messages ---- */

/* Refuse: err = "PATH: message", or the message alone at the root. */
static int refuse(struct err *err, const struct strbuf *path, const char *fmt,
		  ...) __attribute__((format(printf, 3, 4)));

static int refuse(struct err *err, const struct strbuf *path, const char *fmt,
		  ...)
{
	char msg[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (path->len)
		err_set(err, "%s: %s", path->buf, msg);
	else
		err_set(err, "%s", msg);
	return -EINVAL;
}

/* Append ".key" (or "key" at the root) to path. 0 or -ENOMEM. */
static int path_push(struct strbuf *path, const char *key)
{
	if (path->len && strbuf_adds(path, "."))
		return -ENOMEM;
	return strbuf_adds(path, key);
}

static void path_pop(struct strbuf *path, size_t len)
{
	path->len = len;
	if (path->buf)
		path->buf[len] = '\0';
}

/* a * b, or the limit + 1 once past it. */
static size_t saturating_product(size_t a, size_t b)
{
	if (a > EVENT_PATTERN_COMBINATIONS_MAX ||
	    b > EVENT_PATTERN_COMBINATIONS_MAX)
		return EVENT_PATTERN_COMBINATIONS_MAX + 1;
	a *= b;
	return a > EVENT_PATTERN_COMBINATIONS_MAX
		       ? EVENT_PATTERN_COMBINATIONS_MAX + 1
		       : a;
}

/* ---- freeing ---- */

static void node_free(struct ep_node *node);

static void leaf_free(struct ep_leaf *leaf)
{
	size_t i;

	if (!leaf)
		return;
	for (i = 0; i < leaf->count; i++)
		ep_matcher_release(&leaf->matchers[i]);
	free(leaf->matchers);
	free(leaf);
}

static void node_free(struct ep_node *node)
{
	size_t i, j;

	if (!node)
		return;
	for (i = 0; i < node->nfields; i++) {
		free(node->fields[i].key);
		leaf_free(node->fields[i].leaf);
		node_free(node->fields[i].child);
	}
	free(node->fields);
	for (i = 0; i < node->nors; i++) {
		for (j = 0; j < node->ors[i].count; j++)
			node_free(node->ors[i].branches[j]);
		free(node->ors[i].branches);
	}
	free(node->ors);
	free(node);
}

/* ---- leaves ---- */

/* Compile one element of a leaf array into *m. */
static int compile_value(const json_t *v, const struct strbuf *path,
			 struct ep_matcher *m, struct err *err)
{
	memset(m, 0, sizeof(*m));
	switch (json_typeof(v)) {
	case JSON_STRING:
		m->kind = EP_STRING;
		m->len = json_string_length(v);
		m->text = malloc(m->len + 1);
		if (!m->text)
			return -ENOMEM;
		memcpy(m->text, json_string_value(v), m->len + 1);
		return 0;
	case JSON_INTEGER:
	case JSON_REAL:
		m->kind = EP_NUMBER;
		m->number = json_number_value(v);
		return 0;
	case JSON_TRUE:
		m->kind = EP_TRUE;
		return 0;
	case JSON_FALSE:
		m->kind = EP_FALSE;
		return 0;
	case JSON_NULL:
		m->kind = EP_NULL;
		return 0;
	case JSON_OBJECT:
		return ep_compile_operator(v, path->len ? path->buf : "", m,
					   err);
	case JSON_ARRAY:
		break;
	}
	return refuse(err, path,
		      "a leaf's values are strings, numbers, true, false, "
		      "null or operator objects, not arrays");
}

static int compile_leaf(const json_t *array, const struct strbuf *path,
			struct ep_leaf **out, struct err *err)
{
	size_t n = json_array_size(array), i;
	struct ep_leaf *leaf;
	int rc;

	if (n == 0)
		return refuse(err, path, "a leaf must list at least one value");
	leaf = calloc(1, sizeof(*leaf));
	if (!leaf)
		return -ENOMEM;
	leaf->matchers = calloc(n, sizeof(*leaf->matchers));
	if (!leaf->matchers) {
		free(leaf);
		return -ENOMEM;
	}
	leaf->needs_value = true;
	for (i = 0; i < n; i++) {
		rc = compile_value(json_array_get(array, i), path,
				   &leaf->matchers[i], err);
		if (rc) {
			leaf_free(leaf);
			return rc;
		}
		leaf->count++;
		if (leaf->matchers[i].kind == EP_EXISTS &&
		    !leaf->matchers[i].exists)
			leaf->needs_value = false;
	}
	*out = leaf;
	return 0;
}

/* ---- objects ---- */

static int compile_object(const json_t *obj, struct strbuf *path, bool in_or,
			  struct ep_node **out, size_t *combos,
			  struct err *err);

static bool is_operator_name(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(OPERATOR_NAMES) / sizeof(OPERATOR_NAMES[0]); i++)
		if (strcmp(key, OPERATOR_NAMES[i]) == 0)
			return true;
	return false;
}

/* Compile "$or": value, at path (the object holding it), into *group. */
static int compile_or(const json_t *value, struct strbuf *path,
		      struct ep_or *group, size_t *combos, struct err *err)
{
	size_t n = json_array_size(value), i, mark = path->len, sum = 0, c;
	int rc;

	if (!json_is_array(value) || n < 2) {
		if (path_push(path, "$or"))
			return -ENOMEM;
		return refuse(err, path,
			      "needs an array of at least two objects");
	}
	group->branches = calloc(n, sizeof(*group->branches));
	if (!group->branches)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const json_t *b = json_array_get(value, i);

		if ((path->len && strbuf_adds(path, ".")) ||
		    strbuf_addf(path, "$or[%zu]", i))
			return -ENOMEM;
		if (!json_is_object(b))
			return refuse(err, path,
				      "a $or branch must be an "
				      "object");
		rc = compile_object(b, path, true, &group->branches[i], &c,
				    err);
		if (rc)
			return rc;
		group->count++;
		sum = sum + c > EVENT_PATTERN_COMBINATIONS_MAX
			      ? EVENT_PATTERN_COMBINATIONS_MAX + 1
			      : sum + c;
		path_pop(path, mark);
	}
	*combos = sum;
	return 0;
}

/* Compile the field key: value of an object into node (counted there). */
static int compile_field(const char *key, const json_t *value,
			 struct strbuf *path, bool in_or, struct ep_node *node,
			 size_t *combos, struct err *err)
{
	struct ep_field *f = &node->fields[node->nfields];
	size_t c = 1;
	int rc;

	if (path_push(path, key))
		return -ENOMEM;
	if (in_or && is_operator_name(key))
		return refuse(err, path,
			      "\"%s\" is an operator and cannot name a field "
			      "inside $or",
			      key);
	f->key = strdup(key);
	if (!f->key)
		return -ENOMEM;
	node->nfields++;
	if (json_is_object(value))
		rc = compile_object(value, path, in_or, &f->child, &c, err);
	else if (json_is_array(value))
		rc = compile_leaf(value, path, &f->leaf, err);
	else
		rc = refuse(err, path, "a leaf must be an array");
	if (rc)
		return rc;
	*combos = saturating_product(*combos, c);
	return 0;
}

static int compile_members(const json_t *obj, struct strbuf *path, bool in_or,
			   struct ep_node *node, size_t *combos,
			   struct err *err)
{
	size_t mark = path->len, c = 1;
	const char *key;
	json_t *value;
	int rc;

	json_object_foreach((json_t *)obj, key, value)
	{
		if (strcmp(key, "$or") == 0) {
			struct ep_or *group = &node->ors[node->nors];

			node->nors++;
			rc = compile_or(value, path, group, &c, err);
			if (rc == 0)
				*combos = saturating_product(*combos, c);
		} else {
			rc = compile_field(key, value, path, in_or, node,
					   combos, err);
		}
		if (rc)
			return rc;
		path_pop(path, mark);
	}
	return 0;
}

/*
 * Compile the pattern object obj at path into *out, its combination
 * count into *combos. in_or: obj is (inside) a $or branch, where
 * operator names may not name fields.
 */
static int compile_object(const json_t *obj, struct strbuf *path, bool in_or,
			  struct ep_node **out, size_t *combos, struct err *err)
{
	size_t n = json_object_size(obj);
	struct ep_node *node;
	int rc;

	if (n == 0) {
		if (!path->len)
			return refuse(err, path,
				      "a pattern must name at least one field "
				      "({} would match every event)");
		return refuse(err, path,
			      "an object must name at least one field");
	}
	node = calloc(1, sizeof(*node));
	if (!node)
		return -ENOMEM;
	node->fields = calloc(n, sizeof(*node->fields));
	node->ors = calloc(n, sizeof(*node->ors));
	if (!node->fields || !node->ors) {
		node_free(node);
		return -ENOMEM;
	}
	*combos = 1;
	rc = compile_members(obj, path, in_or, node, combos, err);
	if (rc) {
		node_free(node);
		return rc;
	}
	*out = node;
	return 0;
}

/* ---- entry points ---- */

int event_pattern_compile_json(const json_t *pattern,
			       struct event_pattern **out, struct err *err)
{
	struct strbuf path = STRBUF_INIT;
	struct event_pattern *p;
	int rc;

	if (!json_is_object(pattern)) {
		err_set(err, "a pattern must be a JSON object");
		return -EINVAL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	rc = compile_object(pattern, &path, false, &p->root, &p->combinations,
			    err);
	strbuf_release(&path);
	if (rc == 0 && p->combinations > EVENT_PATTERN_COMBINATIONS_MAX) {
		err_set(err,
			"the pattern's $or branches make more than %d "
			"combinations (EventBridge's limit)",
			EVENT_PATTERN_COMBINATIONS_MAX);
		rc = -EINVAL;
	}
	if (rc) {
		if (rc == -ENOMEM)
			err_set(err, "out of memory");
		event_pattern_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

int event_pattern_compile(const char *text, size_t len,
			  struct event_pattern **out, struct err *err)
{
	json_error_t jerr;
	json_t *root;
	int rc;

	root = json_loadb(text, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES,
			  &jerr);
	if (!root) {
		err_set(err, "the pattern is not JSON: %s (line %d, column %d)",
			jerr.text, jerr.line, jerr.column);
		return json_error_code(&jerr) == json_error_out_of_memory
			       ? -ENOMEM
			       : -EINVAL;
	}
	rc = event_pattern_compile_json(root, out, err);
	json_decref(root);
	return rc;
}

size_t event_pattern_combinations(const struct event_pattern *p)
{
	return p->combinations;
}

void event_pattern_free(struct event_pattern *p)
{
	if (!p)
		return;
	node_free(p->root);
	free(p);
}
