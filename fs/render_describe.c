/*
 * render_describe: DescribeAlarms and ListMetrics as files (SPEC 16).
 * Each lists what its reader may read: an alarm or a metric whose file
 * the reader may not read is left out, as an IAM policy would leave it
 * out of AWS's answer. Members without a value are left out (SPEC 8).
 */
#include "fs/render_describe.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alarm.h"
#include "lib/dimension.h"
#include "lib/perm.h"

/* The names of a listing that who may read. */
struct names {
	const struct caller *who;
	char **v;
	size_t n, cap;
	struct strbuf prefix; /* directory walked, for paths below it */
};

static int add_name(struct names *l, const char *name)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 32;
		char **grown = realloc(l->v, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		l->v = grown;
		l->cap = cap;
	}
	l->v[l->n] = strdup(name);
	return l->v[l->n++] ? 0 : -ENOMEM;
}

static void names_free(struct names *l)
{
	while (l->n)
		free(l->v[--l->n]);
	free(l->v);
	strbuf_release(&l->prefix);
}

/* store_list_fn: an alarm who may read. */
static int readable_alarm(void *ctx, const char *name, bool is_dir,
			  const struct node_attr *attr)
{
	struct names *l = ctx;

	(void)is_dir;
	return perm_allows(l->who, attr, false, PERM_READ) ? add_name(l, name)
							   : 0;
}

/* Append alarm name's DescribeAlarms item to the array it belongs in. */
static int describe_alarm(struct store *st, const char *name, json_t *metric,
			  json_t *composite)
{
	struct strbuf text = STRBUF_INIT;
	json_t *item;
	int rc = store_alarm_render(st, name, ALARM_VIEW_JSON, &text);

	if (rc) {
		strbuf_release(&text);
		return rc == -ENOENT ? 0 : rc; /* removed meanwhile */
	}
	item = json_loadb(text.buf, text.len, 0, NULL);
	strbuf_release(&text);
	if (!item)
		return -EIO;
	/* A composite's item is the one with a rule (SPEC 12). */
	return json_array_append_new(
		       json_object_get(item, "AlarmRule") ? composite : metric,
		       item)
		       ? -ENOMEM
		       : 0;
}

int render_alarms(struct store *st, const struct caller *who,
		  const struct view *v, struct strbuf *out)
{
	struct names l = {.who = who};
	json_t *metric = json_array(), *composite = json_array(), *doc = NULL;
	char *text = NULL;
	size_t i;
	int rc = metric && composite ? store_alarm_list(st, readable_alarm, &l)
				     : -ENOMEM;

	for (i = 0; !rc && i < l.n; i++) {
		int state = store_alarm_state(st, l.v[i]);

		if (state == -ENOENT)
			continue;
		if (state < 0) {
			rc = state;
			break;
		}
		if (v->state >= 0 && state != v->state)
			continue;
		if (v->json)
			rc = describe_alarm(st, l.v[i], metric, composite);
		else
			rc = strbuf_addf(
				out, "%s %s\n", l.v[i],
				alarm_state_name((enum alarm_state)state));
	}
	if (!rc && v->json) {
		doc = json_pack("{s:O,s:O}", "MetricAlarms", metric,
				"CompositeAlarms", composite);
		text = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER)
			   : NULL;
		rc = text ? strbuf_addf(out, "%s\n", text) : -ENOMEM;
	}
	free(text);
	json_decref(doc);
	json_decref(metric);
	json_decref(composite);
	names_free(&l);
	return rc;
}

/* ---- ListMetrics ---- */

/* store_list_fn: a metric's path below the prefix, or a directory's. */
static int walk_entry(void *ctx, const char *name, bool is_dir,
		      const struct node_attr *attr)
{
	struct names *l = ctx;
	struct strbuf path = STRBUF_INIT;
	int rc = strbuf_addf(&path, "%s%s%s", is_dir ? "/" : "", l->prefix.buf,
			     name);

	/* Directories marked with a leading '/': walked next, not listed. */
	if (!rc && (is_dir || perm_allows(l->who, attr, false, PERM_READ)))
		rc = add_name(l, path.buf);
	strbuf_release(&path);
	return rc;
}

/* One metric path's ListMetrics item, appended to metrics. */
static int list_metric(const char *path, json_t *metrics, struct strbuf *text,
		       bool json)
{
	struct dimension_path p;
	struct err err = {""};
	json_t *item;
	int rc;

	if (!json)
		return strbuf_addf(text, "%s\n", path);
	rc = dimension_parse_path(path, strlen(path), DIMENSION_PATH_METRIC, &p,
				  &err);
	if (rc)
		return rc == -ENOMEM ? rc : 0; /* no such path is listed */
	item = json_pack("{s:s%,s:s%}", "Namespace", p.ns, p.ns_len,
			 "MetricName", p.name, p.name_len);
	if (item && p.dims.count)
		rc = json_object_set_new(
			     item, "Dimensions",
			     dimension_set_json(&p.dims, "Name", "Value"))
			     ? -ENOMEM
			     : 0;
	if (!item || rc || json_array_append_new(metrics, item))
		rc = -ENOMEM;
	dimension_path_free(&p);
	return rc;
}

int render_namespace(struct store *st, const struct caller *who, const char *ns,
		     const struct view *v, struct strbuf *out)
{
	struct names l = {.who = who};
	json_t *metrics = json_array(), *doc = NULL;
	char *text = NULL;
	size_t i;
	int rc = metrics ? add_name(&l, ns) : -ENOMEM;

	/* Breadth first: l grows with the directories found below. */
	for (i = 0; !rc && i < l.n; i++) {
		const char *dir = l.v[i][0] == '/' ? l.v[i] + 1 : l.v[i];

		if (i > 0 && l.v[i][0] != '/') {
			rc = list_metric(l.v[i], metrics, out, v->json);
			continue;
		}
		strbuf_reset(&l.prefix);
		rc = strbuf_addf(&l.prefix, "%s/", dir);
		if (!rc)
			rc = store_dir_list(st, TREE_NAMESPACES, dir,
					    walk_entry, &l);
		if (rc == -ENOENT) /* removed meanwhile */
			rc = 0;
	}
	if (!rc && v->json) {
		doc = json_pack("{s:O}", "Metrics", metrics);
		text = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER)
			   : NULL;
		rc = text ? strbuf_addf(out, "%s\n", text) : -ENOMEM;
	}
	free(text);
	json_decref(doc);
	json_decref(metrics);
	names_free(&l);
	return rc;
}
