/*
 * file: open metrics, streams and trail days — writes that ingest
 * through a data session (store/data.c), reads that render (metrics,
 * views) or copy stored bytes (streams, trail days), and the close rules
 * of SPEC 3 and 4: only the opener's close commits its partial line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs/access.h"
#include "fs/actions.h"
#include "fs/audit.h"
#include "fs/handle.h"
#include "fs/node.h"
#include "fs/render_series.h"
#include "fs/file.h"
#include "fs/shape.h"
#include "fs/render.h"
#include "fs/render_series.h"
#include "fs/render_dashboard.h"
#include "fs/render_group.h"
#include "fs/render_describe.h"
#include "fs/view.h"
#include "lib/perm.h"

/* What one write or close hands to the store. */
struct put_ctx {
	struct store *store;
	struct data_session *ds;
	int64_t now_ms;
	struct err err;
};

/* lines_fn: whole lines into the session's metric or stream. */
static int put_lines(void *ctx, const char *buf, size_t len)
{
	struct put_ctx *c = ctx;

	return store_data_put(c->store, c->ds, buf, len, c->now_ms, &c->err);
}

static struct put_ctx put_ctx(const struct handle *h)
{
	return (struct put_ctx){
		monfs_get()->store, h->ds, store_now_ms(), {""}};
}

static struct handle *handle_of(const struct fuse_file_info *fi)
{
	return (struct handle *)(uintptr_t)fi->fh;
}

/* A series= view's next series: its dimensions lead its rows. */
static int start_series(void *ctx, const struct series *s)
{
	return render_series_start(ctx, &s->dims);
}

/*
 * Render the series= view v of metric name n->path.leaf in namespace
 * n->path.parent into h (SPEC 11): every series the selector picks, in
 * canonical order, found by one store query. 0 or -errno.
 */
static int render_series(const struct node *n, const struct view *v,
			 const struct stats_query *q, struct handle *h)
{
	struct series_render *r;
	int rc;

	if (n->path.dimensions) {
		struct err err;

		err_set(&err, "series applies to a metric name in its "
			      "namespace, not to a series");
		return audit_read(&n->path, -EINVAL, err.msg);
	}
	r = render_series_begin(&h->text, v, n->path.leaf, n->metric.unit);
	if (!r)
		return -ENOMEM;
	rc = store_series_stats(monfs_get()->store, n->path.parent,
				n->path.leaf, &v->series, q, start_series,
				render_series_row, r);
	if (rc) {
		render_series_abort(r);
		return rc;
	}
	rc = render_series_end(r);
	return rc ? rc : audit_read(&n->path, 0, NULL);
}

/*
 * `alarms?...` or a namespace's `?format=json` (SPEC 16): what the
 * reader may read, listed at open.
 */
static int open_listing(const struct node *n, struct handle *h,
			enum view_target target, const char *op)
{
	struct store *st = monfs_get()->store;
	struct view v;
	struct err err = {""};
	char path[PATH_MAX];
	int rc;

	snprintf(path, sizeof(path), "/%s/%.*s?%.*s", area_name(n->path.area),
		 PATH_MAX / 2, n->path.rest, PATH_MAX / 2 - 32, n->path.query);
	rc = view_parse(n->path.query, target, store_now_ms(), &v, &err);
	if (rc)
		return audit_refusal(path, op, rc, err.msg);
	rc = target == VIEW_ALARMS ? render_alarms(st, &h->who, &v, &h->text)
				   : render_namespace(st, &h->who, n->path.rest,
						      &v, &h->text);
	view_release(&v);
	return rc;
}

/* Render a metric's statistics (its view, or the default) into h. */
static int render_metric(const struct node *n, struct handle *h)
{
	if (n->namespace_view)
		return open_listing(n, h, VIEW_NAMESPACE, "ListMetrics");
	struct store *st = monfs_get()->store;
	int64_t now = store_now_ms();
	struct metric_render *r;
	struct stats_query q;
	struct view v;
	struct err err = {""};
	int rc;

	rc = view_parse(n->path.query, VIEW_METRIC, now, &v, &err);
	if (rc)
		return audit_read(&n->path, rc, err.msg);
	q = (struct stats_query){v.period_s, v.since_ms, v.until_ms, now};
	if (v.series_given) {
		rc = render_series(n, &v, &q, h);
		view_release(&v);
		return rc;
	}
	r = render_metric_begin(&h->text, &v, n->path.leaf, n->metric.unit);
	if (!r)
		return -ENOMEM;
	rc = store_metric_stats(st, n->metric.id, &q, render_metric_row, r);
	if (rc) {
		render_metric_abort(r);
		return rc;
	}
	rc = render_metric_end(r);
	return rc ? rc : audit_read(&n->path, 0, NULL);
}

/* Set up a stream view's renderer over the stream as it is now. */
static int open_stream_view(const struct node *n, struct handle *h)
{
	struct view v;
	struct err err = {""};
	int rc;

	rc = view_parse(n->path.query, VIEW_STREAM, store_now_ms(), &v, &err);
	if (rc)
		return audit_read(&n->path, rc, err.msg);
	h->view = render_stream_new(monfs_get()->store, n->stream.id,
				    n->path.leaf, n->stream.end, &v);
	return h->view ? audit_read(&n->path, 0, NULL) : -ENOMEM;
}

static enum handle_kind kind_of(const struct node *n, int64_t *id)
{
	switch (n->path.area) {
	case AREA_METRICS:
		*id = n->namespace_view ? 0 : n->metric.id;
		return HANDLE_METRIC;
	case AREA_LOGS:
		*id = n->group_view ? 0 : n->stream.id;
		return n->group_view ? HANDLE_GROUP : HANDLE_STREAM;
	case AREA_ALARMS:
		*id = 0;
		return HANDLE_ALARM;
	case AREA_FILTERS:
		*id = 0;
		return HANDLE_FILTER;
	case AREA_EVENTS:
		*id = n->stream.id;
		return HANDLE_BUS;
	case AREA_RULES:
		*id = 0;
		return HANDLE_RULE;
	case AREA_DASHBOARDS:
		*id = 0;
		return HANDLE_DASHBOARD;
	default:
		*id = n->day.day;
		return HANDLE_TRAIL_DAY;
	}
}

/*
 * A view of a log group (SPEC 16): its streams interleaved, live without
 * until, or a query's result, computed at open.
 */
static int open_group_view(const struct node *n, struct handle *h)
{
	struct store *st = monfs_get()->store;
	struct view v;
	struct err err = {""};
	int rc;

	rc = view_parse(n->path.query, VIEW_GROUP, store_now_ms(), &v, &err);
	if (rc)
		return audit_group_read(&n->path, "FilterLogEvents", rc,
					err.msg);
	if (v.query) {
		rc = render_group_query(st, n->path.rest, &h->who, v.query,
					v.since_ms, v.until_ms, v.json,
					&h->text, &err);
		view_release(&v);
		return rc == -EINVAL || !rc
			       ? audit_group_read(&n->path, "StartQuery", rc,
						  err.msg)
			       : rc;
	}
	h->group = render_group_new(st, n->path.rest, &h->who, &v);
	return h->group ? audit_group_read(&n->path, "FilterLogEvents", 0, NULL)
			: -ENOMEM;
}

/* An alarm's definition and state, its JSON, or its history (SPEC 5, 8). */
static int render_alarm(const struct node *n, struct handle *h)
{
	if (!n->path.rest[0])
		return open_listing(n, h, VIEW_ALARMS, "DescribeAlarms");
	struct view v;
	struct err err = {""};
	int rc;

	rc = view_parse(n->path.query, VIEW_ALARM, store_now_ms(), &v, &err);
	if (rc) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "/alarms/%.*s", PATH_MAX - 16,
			 n->path.rest);
		return audit_refusal(path, "DescribeAlarms", rc, err.msg);
	}
	rc = store_alarm_render(monfs_get()->store, n->path.rest,
				v.history ? ALARM_VIEW_HISTORY
				: v.json  ? ALARM_VIEW_JSON
					  : ALARM_VIEW_TEXT,
				&h->text);
	view_release(&v);
	/* Being created: no definition yet, nothing to show. */
	return rc == -ENOENT ? 0 : rc;
}

/* What a reader of n gets set up at open. */
static int open_for_reading(const struct node *n, struct handle *h)
{
	if (h->kind == HANDLE_METRIC)
		return render_metric(n, h);
	if (h->kind == HANDLE_ALARM)
		return render_alarm(n, h);
	if (h->kind == HANDLE_DASHBOARD && n->view) {
		h->drawn = true;
		return render_dashboard(n, true, &h->text);
	}
	if (h->kind == HANDLE_DASHBOARD) {
		int rc = store_dashboard_render(monfs_get()->store,
						n->path.rest, &h->text);

		/* Being created: no definition yet, nothing to show. */
		return rc == -ENOENT ? 0 : rc;
	}
	if (h->kind == HANDLE_FILTER || h->kind == HANDLE_RULE) {
		int rc = h->kind == HANDLE_RULE
				 ? store_rule_render(monfs_get()->store,
						     n->path.rest, &h->text)
				 : store_filter_render(monfs_get()->store,
						       n->path.rest, &h->text);

		/* Being created: no definition yet, nothing to show. */
		return rc == -ENOENT ? 0 : rc;
	}
	if (h->kind == HANDLE_GROUP)
		return open_group_view(n, h);
	if (n->view)
		return open_stream_view(n, h);
	if (h->kind == HANDLE_STREAM)
		return audit_read(&n->path, 0, NULL);
	if (h->kind == HANDLE_BUS)
		return 0; /* EventBridge has no read to record */
	h->day = n->day.day;
	return 0;
}

/* What a refused read is called in the trail, by kind of file. */
static const char *const READ_OP[] = {
	[HANDLE_METRIC] = "GetMetricStatistics",
	[HANDLE_STREAM] = "GetLogEvents",
	[HANDLE_TRAIL_DAY] = "Read",
	[HANDLE_ALARM] = "DescribeAlarms",
	[HANDLE_FILTER] = "DescribeMetricFilters",
	[HANDLE_BUS] = "Read",
	[HANDLE_RULE] = "DescribeRule",
	[HANDLE_DASHBOARD] = "GetDashboard",
	[HANDLE_GROUP] = "FilterLogEvents",
};

/*
 * Whether who may open n with flags: read permission to read, write
 * permission to write, and to truncate (O_TRUNC) even when opening
 * read-only, as open(2) asks. A refusal is recorded as read_op, "Write"
 * or "Truncate".
 */
static int access_open(const char *path, const struct node *n,
		       const struct caller *who, int flags, const char *read_op)
{
	int access = flags & O_ACCMODE;
	int want = access == O_RDONLY	? PERM_READ
		   : access == O_WRONLY ? PERM_WRITE
					: PERM_READ | PERM_WRITE;
	const char *op = access == O_RDONLY ? read_op : "Write";

	if (flags & O_TRUNC) {
		if (access == O_RDONLY)
			op = "Truncate";
		want |= PERM_WRITE;
	}
	return access_node(path, n, who, want, op);
}

/*
 * Hold the stream or trail day a handle reads, so that a removal (rm,
 * retention) keeps it whole until the handle goes (SPEC 10). -ENOENT
 * when it went between the lookup and now: the open fails, as on a
 * local file.
 */
static int hold_file(struct handle *h)
{
	struct store *st = monfs_get()->store;
	int rc;

	if (h->kind == HANDLE_STREAM || h->kind == HANDLE_BUS)
		rc = store_stream_hold(st, h->id);
	else if (h->kind == HANDLE_TRAIL_DAY)
		rc = store_trail_hold(st, h->id);
	else
		return 0;
	h->held = rc == 0;
	return rc;
}

/*
 * Free a handle, letting go of what it held: the last reader of a
 * removed stream has its bytes reaped.
 */
static void end_handle(struct handle *h)
{
	struct store *st = monfs_get()->store;

	if (h->held && (h->kind == HANDLE_STREAM || h->kind == HANDLE_BUS))
		store_stream_release(st, h->id);
	else if (h->held)
		store_trail_release(st, h->id);
	handle_free(h);
}

/* Open node n (a metric, a stream, a view, a trail day) into fi. */
static int open_node(const char *path, const struct node *n, bool created,
		     struct fuse_file_info *fi)
{
	int access = fi->flags & O_ACCMODE;
	/* O_RDONLY | O_TRUNC (atomic_o_trunc) asks to change the file too. */
	bool only_truncating = access == O_RDONLY && (fi->flags & O_TRUNC);
	enum handle_kind kind;
	struct caller who;
	struct handle *h;
	int64_t id;
	int rc;

	if ((access != O_RDONLY || only_truncating) &&
	    (n->view || n->path.area == AREA_TRAIL))
		return audit_refusal(
			path, only_truncating ? "Truncate" : "Write", -EPERM,
			n->view ? "views are read-only"
				: "the trail is read-only");
	kind = kind_of(n, &id);
	who = node_caller();
	/* Who creates a file may use it, whatever mode it was given. */
	rc = created ? 0 : access_open(path, n, &who, fi->flags, READ_OP[kind]);
	if (rc)
		return rc;
	h = handle_new(kind, id, node_thread_group(), access != O_RDONLY);
	if (!h)
		return -ENOMEM;
	h->who = who;
	h->attr = n->attr;
	rc = hold_file(h);
	if (rc) {
		handle_free(h);
		return rc;
	}
	if (HANDLE_DEFINES(kind)) {
		h->name = strdup(n->path.rest);
		h->mode = n->attr.mode;
		rc = h->name ? 0 : -ENOMEM;
	} else if (h->writable) {
		h->ds = store_data_open(kind == HANDLE_METRIC ? DATA_METRIC
					: kind == HANDLE_BUS  ? DATA_BUS
							      : DATA_STREAM,
					id, n->path.parent, n->path.leaf,
					&h->who);
		rc = h->ds ? 0 : -ENOMEM;
	}
	if (!rc && access != O_WRONLY)
		rc = open_for_reading(n, h);
	if (!rc && h->group) {
		/* Set before the handle is shared: fstat finds it by path. */
		h->view_path = strdup(path);
		rc = h->view_path ? 0 : -ENOMEM;
	}
	if (rc) {
		store_data_close(monfs_get()->store, h->ds);
		end_handle(h);
		return rc;
	}
	fi->fh = (uint64_t)(uintptr_t)h;
	/*
	 * Served by monfs at every read: renderings report size 0 (a
	 * definition the size of its reading, which changes with its
	 * state), and the size of a stream or day changes under the page
	 * cache (DESIGN).
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
	return n.type == NT_FILE ? open_node(path, &n, false, fi) : -EISDIR;
}

/*
 * An alarm or a filter exists once a valid definition has been closed
 * (SPEC 5, 7): until then only the registry of those being created
 * knows it.
 */
static int create_definition(const char *path, struct node *n, mode_t mode,
			     const struct caller *who,
			     struct fuse_file_info *fi)
{
	struct node_owner owner = {who->uid, who->gid, mode};
	char key[PATH_MAX];
	struct handle *h;
	int rc;

	node_definition_key(&n->path, key);
	rc = handle_creating_add(key, &owner);
	if (rc)
		return rc;
	n->attr = (struct node_attr){who->uid, who->gid, mode, 0, 0};
	rc = open_node(path, n, true, fi);
	if (!rc) {
		h = handle_of(fi);
		h->creating = strdup(key);
		if (h->creating)
			return 0;
		file_release(path, fi);
		rc = -ENOMEM;
	}
	handle_creating_remove(key);
	return rc;
}

int file_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct store *st = monfs_get()->store;
	struct caller who = node_caller();
	struct node n = {.type = NT_FILE};
	struct err err = {""};
	const char *why = NULL;
	int rc;

	rc = path_parse(path, &n.path);
	if (!rc)
		rc = shape_creatable(&n.path, false, &why);
	if (!rc)
		rc = path_metrics_creatable(&n.path, false);
	if (rc)
		return audit_refusal(path, "Create",
				     rc == -ENOENT ? -EPERM : rc,
				     why ? why : n.path.err.msg);
	rc = access_create(path, &n.path, &who, "Create");
	if (rc)
		return rc;
	mode &= ~node_umask() & 07777;
	if (AREA_DEFINES(n.path.area))
		return create_definition(path, &n, mode, &who, fi);
	if (n.path.area == AREA_METRICS)
		rc = store_metric_create(st, n.path.parent, n.path.leaf, mode,
					 &who, &n.metric, &err);
	else if (n.path.area == AREA_EVENTS)
		rc = store_bus_create(st, n.path.rest, mode, &who, &n.stream,
				      &err);
	else
		rc = store_stream_create(st, n.path.parent, n.path.leaf, mode,
					 &who, &n.stream, &err);
	/*
	 * Made meanwhile through another daemon of the fleet (SPEC 17),
	 * after the kernel's lookup found nothing: without O_EXCL, open(2)
	 * opens what is there, as it would on a local filesystem.
	 */
	if (rc == -EEXIST && !(fi->flags & O_EXCL))
		return file_open(path, fi);
	if (rc)
		return rc;
	n.attr = n.path.area == AREA_METRICS ? n.metric.attr : n.stream.attr;
	return open_node(path, &n, true, fi);
}

/* A definition's text is taken whole, and parsed at close. */
static int take_definition(struct handle *h, const char *buf, size_t size)
{
	size_t max = h->kind == HANDLE_ALARM	   ? ALARM_TEXT_MAX
		     : h->kind == HANDLE_RULE	   ? RULE_TEXT_MAX
		     : h->kind == HANDLE_DASHBOARD ? DASHBOARD_TEXT_MAX
						   : FILTER_TEXT_MAX;
	int rc;

	pthread_mutex_lock(&h->lock);
	if (h->pending.len + size > max)
		rc = -EFBIG;
	else
		rc = strbuf_add(&h->pending, buf, size);
	if (!rc)
		h->written = true;
	pthread_mutex_unlock(&h->lock);
	if (rc == -EFBIG) {
		char path[PATH_MAX], why[96];

		snprintf(path, sizeof(path), "/%s/%.*s",
			 h->kind == HANDLE_ALARM       ? "alarms"
			 : h->kind == HANDLE_RULE      ? "rules"
			 : h->kind == HANDLE_DASHBOARD ? "dashboards"
						       : "filters",
			 PATH_MAX - 16, h->name);
		snprintf(why, sizeof(why), "a definition is at most %zu bytes",
			 max);
		audit_refusal(path, "Write", rc, why);
	}
	return rc ? rc : (int)size;
}

/*
 * Whether h made a new hidden file (its name starts with '.', as
 * editors' and rsync's temporary files do) and wrote bytes that are no
 * text (a NUL byte): an editor's scratch file, such as vim's swap file
 * .NAME.swp beside the file it edits, which it closes and then removes.
 * Like an empty probe file (touch), it makes nothing, and its close does
 * not fail, since vim would say "E72: Close error on swap file" at every
 * edit (SPEC 2). Binary bytes under any other name are a definition
 * like any other, refused at close with EINVAL. Lock held.
 */
static bool scratch_file(const struct handle *h)
{
	return h->creating && h->name[0] == '.' && h->pending.len &&
	       memchr(h->pending.buf, '\0', h->pending.len);
}

/*
 * Commit the definition written since open (PutMetricAlarm,
 * PutMetricFilter); an alarm is evaluated at once, and acts on a
 * change. Lock held.
 */
static int commit_definition(struct handle *h)
{
	struct node_owner owner = {h->who.uid, h->who.gid, h->mode};
	struct store *st = monfs_get()->store;
	struct err err = {""};
	int rc;

	if (!h->written)
		return 0;
	h->written = false;
	if (h->removed || scratch_file(h)) {
		strbuf_reset(&h->pending);
		return 0;
	}
	/* Made by this open: as chmod and chown left it meanwhile. */
	if (h->creating)
		handle_creating(h->creating, &owner);
	if (h->kind == HANDLE_FILTER) {
		rc = store_filter_put(st, h->name, h->pending.buf,
				      h->pending.len, &owner, &h->who, &err);
	} else if (h->kind == HANDLE_RULE) {
		rc = store_rule_put(st, h->name, h->pending.buf, h->pending.len,
				    &owner, &h->who, &err);
	} else if (h->kind == HANDLE_DASHBOARD) {
		rc = store_dashboard_put(st, h->name, h->pending.buf,
					 h->pending.len, &owner, &h->who, &err);
	} else {
		rc = store_alarm_put(st, h->name, h->pending.buf,
				     h->pending.len, &owner, &h->who, &err);
		if (!rc)
			actions_evaluate(st, h->name);
	}
	strbuf_reset(&h->pending);
	return rc;
}

int file_write(const char *path, const char *buf, size_t size, off_t offset,
	       struct fuse_file_info *fi)
{
	struct handle *h = handle_of(fi);
	struct put_ctx c = put_ctx(h);
	int rc;

	(void)path, (void)offset; /* every write appends */
	if (!h->writable)
		return -EBADF;
	if (size > INT32_MAX)
		size = INT32_MAX;
	if (HANDLE_DEFINES(h->kind))
		return take_definition(h, buf, size);
	pthread_mutex_lock(&h->lock);
	rc = handle_take(h, buf, size,
			 h->kind == HANDLE_BUS ? BUS_LINE_MAX : LOG_LINE_MAX,
			 put_lines, &c);
	pthread_mutex_unlock(&h->lock);
	if (rc == -EMSGSIZE && !c.err.msg[0]) {
		/* Refused here, before the store: a partial line too long. */
		if (h->kind == HANDLE_METRIC || h->kind == HANDLE_BUS)
			rc = -EINVAL; /* no number, no entry is that long */
		store_data_refused(c.store, h->ds, size, rc,
				   h->kind == HANDLE_BUS
					   ? "a line longer than 1048576 bytes"
					   : "a line longer than 262144 bytes");
	}
	return rc ? rc : (int)size;
}

int file_read(const char *path, char *buf, size_t size, off_t offset,
	      struct fuse_file_info *fi)
{
	struct store *st = monfs_get()->store;
	struct handle *h = handle_of(fi);
	size_t n;
	int rc;

	(void)path;
	if (h->group) {
		pthread_mutex_lock(&h->lock);
		rc = render_group_read(h->group, buf, size, offset);
		pthread_mutex_unlock(&h->lock);
		return rc;
	}
	if (h->view) {
		/* Its cursor and buffer move: two preads on one descriptor
		 * take turns. */
		pthread_mutex_lock(&h->lock);
		rc = render_stream_read(h->view, buf, size, offset);
		pthread_mutex_unlock(&h->lock);
		return rc;
	}
	if (h->kind == HANDLE_STREAM || h->kind == HANDLE_BUS)
		return store_stream_read(st, h->id, offset, buf, size);
	if (h->kind == HANDLE_TRAIL_DAY)
		return store_trail_read(st, h->day, offset, buf, size);
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
	struct put_ctx c = put_ctx(h);
	int rc;

	(void)path;
	if (!h->writable || node_thread_group() != h->opener)
		return 0;
	pthread_mutex_lock(&h->lock);
	if (HANDLE_DEFINES(h->kind))
		rc = commit_definition(h);
	else
		rc = handle_finish(h, put_lines, &c);
	pthread_mutex_unlock(&h->lock);
	return rc;
}

/*
 * The last close: commit what a departed opener left pending, and put
 * the handle's data event on the record.
 */
int file_release(const char *path, struct fuse_file_info *fi)
{
	struct handle *h = handle_of(fi);
	struct put_ctx c = put_ctx(h);

	(void)path;
	/* Locked: a rename or rm may change its name or registry key. */
	pthread_mutex_lock(&h->lock);
	if (HANDLE_DEFINES(h->kind))
		commit_definition(h);
	else if (h->writable)
		handle_finish(h, put_lines, &c);
	if (h->creating)
		handle_creating_remove(h->creating);
	pthread_mutex_unlock(&h->lock);
	store_data_close(c.store, h->ds);
	end_handle(h);
	return 0;
}

/* The kind of handle a definition in area is written through. */
static enum handle_kind definition_kind(enum area area)
{
	return area == AREA_ALARMS	 ? HANDLE_ALARM
	       : area == AREA_RULES	 ? HANDLE_RULE
	       : area == AREA_DASHBOARDS ? HANDLE_DASHBOARD
					 : HANDLE_FILTER;
}

int file_rename(const struct node *src, const struct node *dst,
		const struct caller *who)
{
	bool alarm = src->path.area == AREA_ALARMS;
	struct store *st = monfs_get()->store;
	char from_key[PATH_MAX], to_key[PATH_MAX];
	struct err err = {""};
	int rc = 0;

	node_definition_key(&src->path, from_key);
	node_definition_key(&dst->path, to_key);
	/* Being created: nothing is defined yet, its close will define to. */
	if (!src->being_created)
		rc = alarm ? store_alarm_rename(st, src->path.rest,
						dst->path.rest, who, &err)
		     : src->path.area == AREA_RULES
			     ? store_rule_rename(st, src->path.rest,
						 dst->path.rest, who, &err)
		     : src->path.area == AREA_DASHBOARDS
			     ? store_dashboard_rename(st, src->path.rest,
						      dst->path.rest, who, &err)
			     : store_filter_rename(st, src->path.rest,
						   dst->path.rest, who, &err);
	if (!rc)
		rc = handle_rename(definition_kind(src->path.area),
				   src->path.rest, dst->path.rest, from_key,
				   to_key);
	if (!rc && alarm && !src->being_created)
		actions_evaluate(st, dst->path.rest);
	return rc;
}

int file_creating_remove(const struct node *n)
{
	char key[PATH_MAX];

	node_definition_key(&n->path, key);
	handle_creating_forget(definition_kind(n->path.area), key);
	return 0;
}

int file_creating_set_owner(const struct node *n, uid_t uid, gid_t gid,
			    mode_t mode)
{
	char key[PATH_MAX];

	node_definition_key(&n->path, key);
	return handle_creating_set_owner(key, uid, gid, mode);
}

void file_end(struct handle *h)
{
	store_data_close(monfs_get()->store, h->ds);
	if (h->creating)
		handle_creating_remove(h->creating);
	end_handle(h);
}

/* The area a handle's file lives in, for node_stat. */
static enum area area_of(enum handle_kind kind)
{
	switch (kind) {
	case HANDLE_METRIC:
		return AREA_METRICS;
	case HANDLE_STREAM:
		return AREA_LOGS;
	case HANDLE_TRAIL_DAY:
		return AREA_TRAIL;
	case HANDLE_ALARM:
		return AREA_ALARMS;
	case HANDLE_BUS:
		return AREA_EVENTS;
	case HANDLE_RULE:
		return AREA_RULES;
	case HANDLE_DASHBOARD:
		return AREA_DASHBOARDS;
	case HANDLE_GROUP:
		return AREA_LOGS;
	case HANDLE_FILTER:
		break;
	}
	return AREA_FILTERS;
}

bool file_sized_by_handle(struct fuse_file_info *fi)
{
	return handle_of(fi)->group != NULL;
}

int file_stat(struct fuse_file_info *fi, struct stat *st)
{
	struct store *store = monfs_get()->store;
	struct handle *h = handle_of(fi);
	struct node n = {.type = NT_FILE, .attr = h->attr};
	bool removed = false;
	int rc = 0;

	n.path.area = area_of(h->kind);
	n.view = h->view != NULL || h->drawn;
	/* The drawing this descriptor reads (lseek(SEEK_END) asks it). */
	if (h->drawn)
		n.text_size = (int64_t)h->text.len;
	if (h->kind == HANDLE_STREAM || h->kind == HANDLE_BUS) {
		/* Its true size, also when removed: the reader has it all. */
		rc = store_stream_stat(store, h->id, &n.stream);
		n.attr = n.stream.attr;
		removed = n.stream.removed;
	} else if (h->kind == HANDLE_TRAIL_DAY) {
		rc = store_trail_day_stat(store, h->id, &n.day);
		n.attr.mtime_ms = n.attr.ctime_ms = n.day.mtime_ms;
	}
	if (rc)
		return rc;
	node_stat(&n, st);
	if (removed)
		st->st_nlink = 0;
	if (h->group) {
		/* The bytes rendered so far, a live view's new ones too. */
		int64_t size;

		pthread_mutex_lock(&h->lock);
		size = render_group_size(h->group);
		pthread_mutex_unlock(&h->lock);
		if (size < 0)
			return (int)size;
		st->st_size = size;
		st->st_blocks = (size + 511) / 512;
	}
	return 0;
}

int file_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	(void)path, (void)datasync, (void)fi;
	return store_sync(monfs_get()->store);
}
