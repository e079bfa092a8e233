/*
 * render_dashboard_logs: run a log widget's query. The events of every
 * stream of its SOURCE groups in the range are read, interleaved by
 * timestamp (ties: group, then stream name, then order written, as
 * SPEC 16's group views order them) and fed to the query.
 *
 * Trade-off: the range's events are held in memory while they are
 * sorted, and each stream is scanned from its start. A dashboard's log
 * widget looks at a few hours of a group; a group view (SPEC 16) is the
 * place for streaming over a group of any size.
 */
#include "fs/render_dashboard_logs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs/access.h"
#include "fs/node.h"
#include "lib/perm.h"

#define SCAN_BATCH_BYTES (1024 * 1024)

/* One event of the range: where its line is in the collected text. */
struct event_ref {
	int64_t ts_ms;
	size_t group, stream; /* indexes into names */
	size_t seq;	      /* order written within its stream */
	size_t off, len;      /* in text */
};

/* What the scan of every stream gathers. */
struct collect {
	int64_t start_ms, end_ms;
	char **names; /* groups' and streams' names */
	size_t nnames, names_cap;
	struct strbuf text;
	struct event_ref *events;
	size_t n, cap;
	size_t group, stream, seq; /* of the stream being scanned */
};

static int add_name(struct collect *c, const char *name, size_t *at)
{
	if (c->nnames == c->names_cap) {
		size_t cap = c->names_cap ? 2 * c->names_cap : 16;
		char **grown = realloc(c->names, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		c->names = grown;
		c->names_cap = cap;
	}
	c->names[c->nnames] = strdup(name);
	if (!c->names[c->nnames])
		return -ENOMEM;
	*at = c->nnames++;
	return 0;
}

/* store_chunk_fn: each line of a write inside the range, an event. */
static int collect_chunk(void *ctx, int64_t ts_ms, const char *data, size_t len)
{
	struct collect *c = ctx;
	const char *end = data + len, *nl;

	for (; data < end; data = nl + 1) {
		nl = memchr(data, '\n', (size_t)(end - data));
		if (!nl)
			nl = end;
		c->seq++;
		if (ts_ms < c->start_ms || ts_ms >= c->end_ms)
			continue;
		if (c->n == c->cap) {
			size_t cap = c->cap ? 2 * c->cap : 256;
			struct event_ref *grown =
				realloc(c->events, cap * sizeof(*grown));

			if (!grown)
				return -ENOMEM;
			c->events = grown;
			c->cap = cap;
		}
		c->events[c->n] = (struct event_ref){
			ts_ms,	c->group,    c->stream,
			c->seq, c->text.len, (size_t)(nl - data)};
		if (strbuf_add(&c->text, data, (size_t)(nl - data)))
			return -ENOMEM;
		c->n++;
	}
	return 0;
}

/* The streams of one group, by name, as store_dir_list gives them. */
struct stream_list {
	char **names;
	size_t n, cap;
};

static int list_stream(void *ctx, const char *name, bool is_dir,
		       const struct node_attr *attr)
{
	struct stream_list *l = ctx;

	(void)attr;
	if (is_dir)
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		char **grown = realloc(l->names, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		l->names = grown;
		l->cap = cap;
	}
	l->names[l->n] = strdup(name);
	return l->names[l->n++] ? 0 : -ENOMEM;
}

static void stream_list_free(struct stream_list *l)
{
	while (l->n)
		free(l->names[--l->n]);
	free(l->names);
}

/*
 * Scan the streams of group that who may read. -EACCES (with the
 * refusal recorded) when who may not read the group; -ENOENT when there
 * is none; -ENOMEM, -EIO.
 */
static int collect_group(struct store *st, const struct caller *who,
			 bool record, const char *group, struct node *n,
			 struct collect *c)
{
	struct stream_list l = {0};
	char path[PATH_MAX];
	size_t i;
	int rc;

	if ((size_t)snprintf(path, sizeof(path), "/logs/%s", group) >=
	    sizeof(path))
		return -ENAMETOOLONG;
	rc = node_resolve(path, n);
	if (!rc && n->type != NT_DIR)
		rc = -ENOENT;
	if (!rc)
		rc = dashboard_may_read(path, n, who, record, "StartQuery");
	if (!rc)
		rc = add_name(c, group, &c->group);
	if (!rc)
		rc = store_dir_list(st, TREE_LOG_GROUPS, group, list_stream,
				    &l);
	for (i = 0; !rc && i < l.n; i++) {
		int64_t from = 0;

		if ((size_t)snprintf(path, sizeof(path), "/logs/%s/%s", group,
				     l.names[i]) >= sizeof(path))
			continue;
		/* A stream the reader may not read is left out. */
		if (node_resolve(path, n) || n->type != NT_FILE ||
		    dashboard_may_read(path, n, who, record, "StartQuery"))
			continue;
		rc = add_name(c, l.names[i], &c->stream);
		c->seq = 0;
		while (!rc && from < n->stream.end) {
			int64_t before = from;

			rc = store_stream_scan(st, n->stream.id, &from,
					       n->stream.end, SCAN_BATCH_BYTES,
					       collect_chunk, c);
			if (from == before)
				break;
		}
		if (rc == -ENOENT) /* removed meanwhile: as if never there */
			rc = 0;
	}
	stream_list_free(&l);
	return rc;
}

/* qsort_r's order of events; names is the collected names. */
static int by_time(const void *a, const void *b, void *names)
{
	const struct event_ref *x = a, *y = b;
	char **sort_names = names;
	int c;

	if (x->ts_ms != y->ts_ms)
		return x->ts_ms < y->ts_ms ? -1 : 1;
	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	if (x->stream != y->stream &&
	    (c = strcmp(sort_names[x->stream], sort_names[y->stream])))
		return c;
	if (x->stream != y->stream)
		return x->stream < y->stream ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void collect_release(struct collect *c)
{
	while (c->nnames)
		free(c->names[--c->nnames]);
	free(c->names);
	free(c->events);
	strbuf_release(&c->text);
}

/* Run q over what c collected into out->result. */
static int run(const struct insights_query *q, struct collect *c,
	       struct dashboard_log *out)
{
	struct insights_run *r = insights_run_new(q);
	size_t i;
	int rc = r ? 0 : -ENOMEM;

	qsort_r(c->events, c->n, sizeof(*c->events), by_time, c->names);
	for (i = 0; !rc && i < c->n; i++) {
		const struct event_ref *e = &c->events[i];
		struct insights_event ev = {
			.timestamp_ms = e->ts_ms,
			.ingestion_ms = e->ts_ms,
			.message = c->text.buf + e->off,
			.len = e->len,
			.log_stream = c->names[e->stream],
			.log_group = c->names[e->group],
		};

		rc = insights_run_feed(r, &ev);
	}
	if (!rc)
		rc = insights_run_finish(r, &out->result);
	insights_run_free(r);
	return rc;
}

/* Say why the widget shows no table. */
static int fail(struct dashboard_log *out, struct dash_table *table,
		const char *why)
{
	out->error = strdup(why);
	table->error = out->error;
	return out->error ? 0 : -ENOMEM;
}

int dashboard_log_gather(struct store *st, const struct caller *who,
			 bool record, const char *query, int64_t start_ms,
			 int64_t end_ms, struct dashboard_log *out,
			 struct dash_table *table)
{
	struct insights_query *q = NULL;
	struct collect c = {.start_ms = start_ms, .end_ms = end_ms};
	const char *const *groups;
	struct node *n = NULL;
	struct err err = {""};
	size_t ngroups, i, k;
	char why[PATH_MAX + 64];
	int rc;

	*table = (struct dash_table){0};
	rc = insights_parse(query, strlen(query), &q, &err);
	if (rc == -EINVAL)
		return fail(out, table, err.msg);
	if (rc)
		return rc;
	ngroups = insights_sources(q, &groups);
	if (!ngroups) {
		rc = fail(out, table,
			  "a log widget's query names its groups: SOURCE "
			  "'group' | ...");
		goto out;
	}
	n = malloc(sizeof(*n));
	rc = n ? 0 : -ENOMEM;
	for (i = 0; !rc && i < ngroups; i++) {
		rc = collect_group(st, who, record, groups[i], n, &c);
		if (rc == -EACCES || rc == -ENOENT || rc == -ENAMETOOLONG) {
			snprintf(why, sizeof(why), "%s: %s", groups[i],
				 rc == -EACCES ? "permission denied"
					       : "no such log group");
			rc = fail(out, table, why);
			goto out;
		}
	}
	if (!rc)
		rc = run(q, &c, out);
	if (rc)
		goto out;
	k = out->result.nrows * out->result.ncolumns;
	out->cells = malloc((k ? k : 1) * sizeof(*out->cells));
	if (!out->cells) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < k; i++)
		out->cells[i] =
			out->result.cells[i] ? out->result.cells[i] : "";
	table->header = (const char *const *)out->result.columns;
	table->ncolumns = out->result.ncolumns;
	table->cells = out->cells;
	table->nrows = out->result.nrows;
out:
	free(n);
	collect_release(&c);
	insights_query_free(q);
	return rc;
}

void dashboard_log_release(struct dashboard_log *out)
{
	insights_result_free(&out->result);
	free(out->cells);
	free(out->error);
	*out = (struct dashboard_log){0};
}
