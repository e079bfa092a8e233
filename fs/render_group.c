/*
 * render_group: a log group's streams merged by timestamp (the merge),
 * rendered as a view (FilterLogEvents, StartLiveTail) or fed to a Logs
 * Insights query.
 *
 * The merge keeps, per stream, one batch of its stored writes (a chunk
 * is one write: its lines share its timestamp) and hands out the chunk
 * with the smallest timestamp, the stream first by name on a tie, so
 * that memory is one batch per stream however big the group. A stream
 * found empty is not asked again until the merge is refreshed (a live
 * view's reader at the end): a refresh lists the group again, for
 * streams made since, and asks every stream for what arrived.
 */
#include "fs/render_group.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fs/render.h"
#include "lib/insights.h"
#include "lib/pattern.h"
#include "lib/perm.h"

#define FETCH_BYTES (256 * 1024) /* one stream's batch of writes */

/* One stored write of a member's batch: its lines are data[at, at+len). */
struct chunk {
	int64_t ts_ms;
	int64_t abs; /* the write's absolute offset in its stream */
	size_t at, len;
};

/* One stream of a group, and its batch. */
struct member {
	size_t group; /* its group's index in the merge's groups */
	char *name;
	int64_t id;	/* 0: removed, never asked again */
	int64_t cursor; /* absolute offset of the next write to fetch */
	struct chunk *chunks;
	size_t nchunks, head, cap;
	struct strbuf data;
	bool drained; /* found empty since the last refresh */
};

struct merge {
	struct store *st;
	char **groups; /* the groups merged, in the order given */
	size_t ngroups;
	struct caller who;
	int64_t since_ms, until_ms;
	struct member *m; /* by group, then name */
	size_t n, cap;
};

/* Called for each event a merge hands out, in order. */
typedef int (*merge_event_fn)(void *ctx, const struct member *m, int64_t ts_ms,
			      int64_t abs, const char *line, size_t len);

static void member_release(struct member *m)
{
	free(m->name);
	free(m->chunks);
	strbuf_release(&m->data);
}

static void merge_release(struct merge *mg)
{
	size_t i;

	for (i = 0; i < mg->n; i++)
		member_release(&mg->m[i]);
	for (i = 0; i < mg->ngroups; i++)
		free(mg->groups[i]);
	free(mg->m);
	free(mg->groups);
	mg->m = NULL;
	mg->n = mg->cap = 0;
	mg->groups = NULL;
	mg->ngroups = 0;
}

/* Insert stream name of group g (id) at its place by group, then name. */
static int merge_add(struct merge *mg, size_t g, const char *name, int64_t id)
{
	size_t lo = 0, hi = mg->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = mg->m[mid].group != g ? (mg->m[mid].group < g ? -1 : 1)
					      : strcmp(mg->m[mid].name, name);

		if (!c)
			return 0; /* known already */
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (mg->n == mg->cap) {
		size_t cap = mg->cap ? 2 * mg->cap : 16;
		struct member *grown = realloc(mg->m, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		mg->m = grown;
		mg->cap = cap;
	}
	memmove(&mg->m[lo + 1], &mg->m[lo], (mg->n - lo) * sizeof(*mg->m));
	mg->m[lo] = (struct member){.group = g, .id = id, .data = STRBUF_INIT};
	mg->m[lo].name = strdup(name);
	if (!mg->m[lo].name) {
		memmove(&mg->m[lo], &mg->m[lo + 1],
			(mg->n - lo) * sizeof(*mg->m));
		return -ENOMEM;
	}
	mg->n++;
	return 0;
}

/* The names store_dir_list gives: the group's streams. */
struct names {
	char **v;
	size_t n, cap;
};

static int list_name(void *ctx, const char *name, bool is_dir,
		     const struct node_attr *attr)
{
	struct names *l = ctx;

	(void)attr;
	if (is_dir)
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		char **grown = realloc(l->v, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		l->v = grown;
		l->cap = cap;
	}
	l->v[l->n] = strdup(name);
	return l->v[l->n++] ? 0 : -ENOMEM;
}

/* List group g again: its streams made since join (those who may read). */
static int merge_list(struct merge *mg, size_t g)
{
	const char *group = mg->groups[g];
	struct names l = {0};
	struct stream_info s;
	size_t i;
	int rc = store_dir_list(mg->st, TREE_LOG_GROUPS, group, list_name, &l);

	if (rc == -ENOENT) /* the group went: nothing more arrives */
		rc = 0;
	for (i = 0; !rc && i < l.n; i++) {
		if (store_stream_get(mg->st, group, l.v[i], &s))
			continue; /* gone meanwhile */
		if (perm_allows(&mg->who, &s.attr, false, PERM_READ))
			rc = merge_add(mg, g, l.v[i], s.id);
	}
	for (i = 0; i < l.n; i++)
		free(l.v[i]);
	free(l.v);
	return rc;
}

/*
 * List the groups again: streams made since join, and every stream will
 * be asked again for what arrived. 0 or -errno.
 */
static int merge_refresh(struct merge *mg)
{
	size_t i;
	int rc = 0;

	for (i = 0; !rc && i < mg->ngroups; i++)
		rc = merge_list(mg, i);
	for (i = 0; i < mg->n; i++)
		mg->m[i].drained = false;
	return rc;
}

/* store_chunk_fn: one write into the member's batch. */
static int fetch_chunk(void *ctx, int64_t ts_ms, const char *data, size_t len)
{
	struct member *m = ctx;

	if (m->nchunks == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 64;
		struct chunk *grown = realloc(m->chunks, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		m->chunks = grown;
		m->cap = cap;
	}
	/* The scan moved the cursor past this write before the call. */
	m->chunks[m->nchunks++] = (struct chunk){
		ts_ms, m->cursor - (int64_t)len, m->data.len, len};
	return strbuf_add(&m->data, data, len);
}

/*
 * Whether m has a write to hand out, fetching its next batch when its
 * last one is used up. 1, 0 (nothing now), or -errno.
 */
static int member_ready(struct merge *mg, struct member *m)
{
	int64_t before;
	int rc;

	if (m->head < m->nchunks)
		return 1;
	if (!m->id || m->drained)
		return 0;
	m->nchunks = m->head = 0;
	strbuf_reset(&m->data);
	before = m->cursor;
	rc = store_stream_scan(mg->st, m->id, &m->cursor, INT64_MAX,
			       FETCH_BYTES, fetch_chunk, m);
	if (rc == -ENOENT) { /* removed: what was handed out stands */
		m->id = 0;
		return 0;
	}
	if (rc)
		return rc;
	if (m->cursor == before)
		m->drained = true;
	return m->nchunks > 0;
}

/*
 * Hand out the next write's events in order through fn: 1 when one was
 * handed out, 0 when there is nothing now, or -errno (fn's too).
 */
static int merge_step(struct merge *mg, merge_event_fn fn, void *ctx)
{
	struct member *best = NULL;
	const struct chunk *c;
	size_t i, pos;
	int rc;

	for (i = 0; i < mg->n; i++) {
		struct member *m = &mg->m[i];

		rc = member_ready(mg, m);
		if (rc < 0)
			return rc;
		/* Strictly earlier: on a tie the first by name stays. */
		if (rc && (!best || m->chunks[m->head].ts_ms <
					    best->chunks[best->head].ts_ms))
			best = m;
	}
	if (!best)
		return 0;
	c = &best->chunks[best->head++];
	if (c->ts_ms < mg->since_ms || c->ts_ms >= mg->until_ms)
		return 1;
	for (pos = 0; pos < c->len;) {
		const char *line = best->data.buf + c->at + pos;
		const char *nl = memchr(line, '\n', c->len - pos);
		size_t n = nl ? (size_t)(nl - line) : c->len - pos;

		rc = fn(ctx, best, c->ts_ms, c->abs + (int64_t)pos, line, n);
		if (rc)
			return rc;
		pos += n + 1;
	}
	return 1;
}

/* A merge of groups[0..n) (copied), its streams listed. 0 or -errno. */
static int merge_init(struct merge *mg, struct store *st,
		      const char *const *groups, size_t n,
		      const struct caller *who, int64_t since_ms,
		      int64_t until_ms)
{
	*mg = (struct merge){.st = st,
			     .who = *who,
			     .since_ms = since_ms,
			     .until_ms = until_ms};
	mg->groups = calloc(n ? n : 1, sizeof(*mg->groups));
	if (!mg->groups)
		return -ENOMEM;
	for (; mg->ngroups < n; mg->ngroups++) {
		mg->groups[mg->ngroups] = strdup(groups[mg->ngroups]);
		if (!mg->groups[mg->ngroups])
			return -ENOMEM;
	}
	return merge_refresh(mg);
}

/* ---- views ---- */

struct group_render {
	struct merge mg;
	struct view view;
	bool live;	   /* no until: grows as events arrive */
	struct strbuf out; /* rendered bytes not yet read past */
	int64_t out_base;  /* rendering offset of out.buf[0] */
};

/* merge_event_fn: one event of the view, if its filter selects it. */
static int render_event(void *ctx, const struct member *m, int64_t ts_ms,
			int64_t abs, const char *line, size_t len)
{
	struct group_render *r = ctx;
	int rc;

	if (r->view.filter && !pattern_match(r->view.filter, line, len))
		return 0;
	if (r->view.json)
		return render_log_event_json(&r->out, m->name, m->id, abs,
					     ts_ms, line, len);
	rc = strbuf_adds(&r->out, m->name);
	if (!rc)
		rc = strbuf_add(&r->out, "\t", 1);
	if (!rc)
		rc = strbuf_add(&r->out, line, len);
	return rc ? rc : strbuf_add(&r->out, "\n", 1);
}

struct group_render *render_group_new(struct store *st, const char *group,
				      const struct caller *who, struct view *v)
{
	struct group_render *r = calloc(1, sizeof(*r));

	if (!r ||
	    merge_init(&r->mg, st, &group, 1, who, v->since_ms, v->until_ms)) {
		if (r)
			merge_release(&r->mg);
		free(r);
		view_release(v);
		return NULL;
	}
	r->view = *v;
	r->live = !v->until_given;
	return r;
}

void render_group_free(struct group_render *r)
{
	if (!r)
		return;
	merge_release(&r->mg);
	view_release(&r->view);
	strbuf_release(&r->out);
	free(r);
}

/*
 * Render until out reaches want (the rendering's offset) or nothing is
 * left now; a live view asks for what arrived once it is at the end.
 */
static int render_until(struct group_render *r, int64_t want)
{
	bool refreshed = false;
	int rc;

	while (r->out_base + (int64_t)r->out.len < want) {
		rc = merge_step(&r->mg, render_event, r);
		if (rc < 0)
			return rc;
		if (rc)
			continue;
		if (!r->live || refreshed)
			break;
		rc = merge_refresh(&r->mg);
		if (rc)
			return rc;
		refreshed = true;
	}
	return 0;
}

int render_group_read(struct group_render *r, char *buf, size_t size,
		      int64_t offset)
{
	size_t n;
	int rc;

	if (offset < r->out_base) {
		/* A reader went back: render again from the start. */
		struct merge fresh;

		rc = merge_init(&fresh, r->mg.st,
				(const char *const *)r->mg.groups,
				r->mg.ngroups, &r->mg.who, r->mg.since_ms,
				r->mg.until_ms);
		if (rc) {
			merge_release(&fresh);
			return rc;
		}
		merge_release(&r->mg);
		r->mg = fresh;
		strbuf_reset(&r->out);
		r->out_base = 0;
	}
	rc = render_until(r, offset + (int64_t)size);
	if (rc)
		return rc;
	/* Drop what lies before the reader, keeping memory flat. */
	if (offset > r->out_base) {
		size_t drop = (size_t)(offset - r->out_base);

		if (drop > r->out.len)
			drop = r->out.len;
		strbuf_consume(&r->out, drop);
		r->out_base += (int64_t)drop;
	}
	if (offset < r->out_base || offset >= r->out_base + (int64_t)r->out.len)
		return 0;
	n = r->out.len - (size_t)(offset - r->out_base);
	if (n > size)
		n = size;
	memcpy(buf, r->out.buf + (offset - r->out_base), n);
	return (int)n;
}

int64_t render_group_size(struct group_render *r)
{
	int rc = r->live ? render_until(r, INT64_MAX) : 0;

	return rc ? rc : r->out_base + (int64_t)r->out.len;
}

/* ---- queries ---- */

/* merge_event_fn: one event fed to the query (ctx: the merge and run). */
struct feed {
	const struct merge *mg;
	struct insights_run *run;
};

static int feed_event(void *ctx, const struct member *m, int64_t ts_ms,
		      int64_t abs, const char *line, size_t len)
{
	const struct feed *f = ctx;
	struct insights_event ev = {
		.timestamp_ms = ts_ms,
		.ingestion_ms = ts_ms,
		.message = line,
		.len = len,
		.log_stream = m->name,
		.log_group = f->mg->groups[m->group],
	};

	(void)abs;
	return insights_run_feed(f->run, &ev);
}

int render_groups_run(struct store *st, const char *const *groups, size_t n,
		      const struct caller *who,
		      const struct insights_query *query, int64_t since_ms,
		      int64_t until_ms, struct insights_result *res)
{
	struct insights_run *run = insights_run_new(query);
	struct merge mg = {0};
	int rc = run ? merge_init(&mg, st, groups, n, who, since_ms, until_ms)
		     : -ENOMEM;

	while (!rc && (rc = merge_step(&mg, feed_event,
				       &(struct feed){&mg, run})) == 1)
		rc = 0;
	if (!rc)
		rc = insights_run_finish(run, res);
	insights_run_free(run);
	merge_release(&mg);
	return rc;
}

int render_group_query(struct store *st, const char *group,
		       const struct caller *who, const char *q,
		       int64_t since_ms, int64_t until_ms, bool json,
		       struct strbuf *out, struct err *err)
{
	struct insights_result res = {0};
	struct insights_query *query = NULL;
	const char *const *sources;
	int rc = insights_parse(q, strlen(q), &query, err);

	if (!rc && insights_sources(query, &sources)) {
		err_set(err, "SOURCE: a group view queries the group its path "
			     "names");
		rc = -EINVAL;
	}
	if (!rc)
		rc = render_groups_run(st, &group, 1, who, query, since_ms,
				       until_ms, &res);
	if (!rc)
		rc = json ? insights_result_json(&res, out)
			  : insights_result_text(&res, out);
	insights_result_free(&res);
	insights_query_free(query);
	return rc;
}
