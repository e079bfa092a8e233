/*
 * file: open metrics and streams — writes that ingest, reads that render
 * (metrics, views) or copy stored bytes (streams), and the close rules
 * of SPEC 3 and 4: only the opener's close commits its partial line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "fs/handle.h"
#include "fs/node.h"
#include "fs/ops.h"
#include "fs/render.h"
#include "fs/view.h"

/* What one write or close hands to the store. */
struct ingest_ctx {
	struct store *store;
	int64_t id;
	int64_t now_ms;
	struct err err;
};

/* lines_fn for metrics: parse complete lines, store their points. */
static int ingest_points(void *ctx, const char *buf, size_t len)
{
	struct ingest_ctx *c = ctx;
	struct point *points;
	size_t n;
	int rc;

	rc = metric_parse_lines(buf, len, c->now_ms, &points, &n, &c->err);
	if (rc)
		return rc;
	rc = store_metric_ingest(c->store, c->id, points, n, &c->err);
	free(points);
	return rc;
}

/* lines_fn for streams: append complete lines as events. */
static int ingest_events(void *ctx, const char *buf, size_t len)
{
	struct ingest_ctx *c = ctx;

	return store_stream_append(c->store, c->id, buf, len, c->now_ms,
				   &c->err);
}

static lines_fn ingest_fn(const struct handle *h)
{
	return h->kind == HANDLE_METRIC ? ingest_points : ingest_events;
}

static struct handle *handle_of(const struct fuse_file_info *fi)
{
	return (struct handle *)(uintptr_t)fi->fh;
}

/* Render a metric's statistics (its view, or the default) into h. */
static int render_metric(const struct node *n, struct handle *h)
{
	struct store *st = monfs_get()->store;
	int64_t now = store_now_ms();
	struct metric_render *r;
	struct stats_query q;
	struct view v;
	struct err err;
	int rc;

	rc = view_parse(n->path.query, VIEW_METRIC, now, &v, &err);
	if (rc)
		return rc;
	q = (struct stats_query){v.period_s, v.since_ms, v.until_ms, now};
	r = render_metric_begin(&h->text, &v, n->path.leaf, n->metric.unit);
	if (!r)
		return -ENOMEM;
	rc = store_metric_stats(st, n->metric.id, &q, render_metric_row, r);
	if (rc) {
		render_metric_abort(r);
		return rc;
	}
	return render_metric_end(r);
}

/* Set up a stream view's renderer over the stream as it is now. */
static int open_stream_view(const struct node *n, struct handle *h)
{
	struct view v;
	struct err err;
	int rc;

	rc = view_parse(n->path.query, VIEW_STREAM, store_now_ms(), &v, &err);
	if (rc)
		return rc;
	h->view = render_stream_new(monfs_get()->store, n->stream.id,
				    n->stream.end, &v);
	return h->view ? 0 : -ENOMEM;
}

/* Open node n (a metric, a stream, or a view of one) into fi. */
static int open_node(const struct node *n, struct fuse_file_info *fi)
{
	int access = fi->flags & O_ACCMODE;
	bool metric = n->path.area == AREA_METRICS;
	struct handle *h;
	int rc = 0;

	if (n->view && access != O_RDONLY)
		return -EPERM;
	h = handle_new(metric ? HANDLE_METRIC : HANDLE_STREAM,
		       metric ? n->metric.id : n->stream.id,
		       thread_group_of(fuse_get_context()->pid),
		       access != O_RDONLY);
	if (!h)
		return -ENOMEM;
	if (metric && access != O_WRONLY)
		rc = render_metric(n, h);
	else if (n->view)
		rc = open_stream_view(n, h);
	if (rc) {
		handle_free(h);
		return rc;
	}
	fi->fh = (uint64_t)(uintptr_t)h;
	/*
	 * Served by monfs at every read: renderings report size 0, and a
	 * stream's size changes under the page cache (DESIGN).
	 */
	fi->direct_io = 1;
	return 0;
}

int file_open(const char *path, struct fuse_file_info *fi)
{
	struct node n;
	int rc;

	rc = node_resolve(path, &n);
	if (rc)
		return rc;
	return n.type == NT_FILE ? open_node(&n, fi) : -EISDIR;
}

int file_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct store *st = monfs_get()->store;
	struct caller who = node_caller();
	struct node n = {.type = NT_FILE};
	struct err err;
	int rc;

	rc = path_parse(path, &n.path);
	if (rc)
		return rc == -ENOENT ? -EPERM : rc;
	rc = ops_creatable(&n.path, false);
	if (rc)
		return rc;
	mode &= ~node_umask() & 07777;
	if (n.path.area == AREA_METRICS)
		rc = store_metric_create(st, n.path.parent, n.path.leaf, mode,
					 &who, &n.metric, &err);
	else
		rc = store_stream_create(st, n.path.parent, n.path.leaf, mode,
					 &who, &n.stream, &err);
	return rc ? rc : open_node(&n, fi);
}

int file_write(const char *path, const char *buf, size_t size, off_t offset,
	       struct fuse_file_info *fi)
{
	struct handle *h = handle_of(fi);
	struct ingest_ctx c = {monfs_get()->store, h->id, store_now_ms(),
			       {""}};
	int rc;

	(void)path, (void)offset; /* every write appends */
	if (!h->writable)
		return -EBADF;
	if (size > INT32_MAX)
		size = INT32_MAX;
	pthread_mutex_lock(&h->lock);
	rc = handle_take(h, buf, size, LOG_LINE_MAX, ingest_fn(h), &c);
	pthread_mutex_unlock(&h->lock);
	/* A metric line that long is no number: say so as SPEC 3 does. */
	if (rc == -EMSGSIZE && h->kind == HANDLE_METRIC)
		rc = -EINVAL;
	return rc ? rc : (int)size;
}

int file_read(const char *path, char *buf, size_t size, off_t offset,
	      struct fuse_file_info *fi)
{
	struct handle *h = handle_of(fi);
	size_t n;

	(void)path;
	if (h->view)
		return render_stream_read(h->view, buf, size, offset);
	if (h->kind == HANDLE_STREAM)
		return store_stream_read(monfs_get()->store, h->id, offset, buf,
					 size);
	if (offset < 0 || (size_t)offset >= h->text.len)
		return 0;
	n = h->text.len - (size_t)offset;
	if (n > size)
		n = size;
	memcpy(buf, h->text.buf + offset, n);
	return (int)n;
}

/*
 * close(2). Only the process that opened the file commits its pending
 * partial line, and hears whether it was valid; a child closing an
 * inherited copy changes nothing (SPEC 3, 4).
 */
int file_flush(const char *path, struct fuse_file_info *fi)
{
	struct handle *h = handle_of(fi);
	struct ingest_ctx c = {monfs_get()->store, h->id, store_now_ms(),
			       {""}};
	int rc;

	(void)path;
	if (!h->writable ||
	    thread_group_of(fuse_get_context()->pid) != h->opener)
		return 0;
	pthread_mutex_lock(&h->lock);
	rc = handle_finish(h, ingest_fn(h), &c);
	pthread_mutex_unlock(&h->lock);
	return rc;
}

/* The last close: commit what a departed opener left pending. */
int file_release(const char *path, struct fuse_file_info *fi)
{
	struct handle *h = handle_of(fi);
	struct ingest_ctx c = {monfs_get()->store, h->id, store_now_ms(),
			       {""}};

	(void)path;
	if (h->writable)
		handle_finish(h, ingest_fn(h), &c);
	handle_free(h);
	return 0;
}

int file_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	(void)path, (void)datasync, (void)fi;
	return store_sync(monfs_get()->store);
}
