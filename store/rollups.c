/*
 * rollups: a metric's data, kept as per-bucket summaries at CloudWatch's
 * resolutions, maintained at ingest (SPEC 3, DESIGN "storage shape").
 *
 * Each resolution (1 s, 1 min, 5 min, 1 h) holds, per bucket, the count,
 * sum, minimum, maximum and a quantile sketch of the points that fell in
 * it, and is kept for its own time: 3 hours, 15 days, 63 days, 455 days.
 * A write touches one row per occupied bucket and resolution, whatever
 * its number of points; a read merges the buckets of each period, so an
 * hour at 60 s costs sixty rows whether it holds ten points or ten
 * million. Sketches merge exactly, so the answer for a period does not
 * depend on the resolution it is read from.
 *
 * A small write (JOURNAL_MAX_POINTS or fewer) does not touch the rollups:
 * its points go into the metric journal, one appended row, which costs a
 * commit a page where the rollups cost four or five and their sketches'
 * decoding and encoding. The write that fills the journal to FOLD_ROWS
 * folds it into the rollups, and so does the sweep; until then a read
 * merges the metric's journaled points into the periods it prints, so
 * reads never write (they work on a full disk). Summaries are sums,
 * extremes and mergeable sketches, so the order in which points reach
 * them changes nothing; and a journaled point is committed like any
 * other, so a crash loses none.
 */
#include "store/db.h"
#include "store/queue.h"
#include "store/rollups.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/timeutil.h"

#define LEVELS 4
/* Writes of at most this many points go to the journal. */
#define JOURNAL_MAX_POINTS 16
/* The write that makes the journal this long folds it. */
#define FOLD_ROWS 256
static const int64_t RESOLUTION_S[LEVELS] = {1, 60, 300, 3600};
static const int64_t RETENTION_MS[LEVELS] = {
	3 * MS_PER_HOUR,
	15 * MS_PER_DAY,
	63 * MS_PER_DAY,
	455 * MS_PER_DAY,
};

/*
 * A metric's mtime moves in steps of a second at least: a write that
 * leaves it alone dirties no page of the metrics table, which at one
 * point per write is one page written to the WAL in three.
 */
#define MTIME_STEP_MS 1000
static const char SQL_TOUCH_METRIC[] =
	"UPDATE metrics SET mtime_ms = ?2 WHERE id = ?1 AND mtime_ms <= ?3";
static const char SQL_METRIC_EXISTS[] = "SELECT 1 FROM metrics WHERE id = ?1";
static const char SQL_ROLLUP_GET[] =
	"SELECT count, sum, min, max, sketch FROM rollups"
	" WHERE metric_id = ?1 AND resolution_s = ?2 AND start_ms = ?3";
/* An update in place leaves the rollups_by_age index untouched. */
static const char SQL_ROLLUP_PUT[] =
	"INSERT INTO rollups (metric_id, resolution_s, start_ms,"
	" count, sum, min, max, sketch) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
	" ON CONFLICT (metric_id, resolution_s, start_ms) DO UPDATE SET"
	" count = excluded.count, sum = excluded.sum, min = excluded.min,"
	" max = excluded.max, sketch = excluded.sketch";
static const char SQL_ROLLUP_RANGE[] =
	"SELECT start_ms, count, sum, min, max, sketch FROM rollups"
	" WHERE metric_id = ?1 AND resolution_s = ?2"
	" AND start_ms >= ?3 AND start_ms < ?4 ORDER BY start_ms";
/* Points as struct point[] in the host's byte order: the journal lives
 * seconds, on the machine that wrote it. */
static const char SQL_JOURNAL_PUT[] =
	"INSERT INTO metric_journal (metric_id, points) VALUES (?1, ?2)";
static const char SQL_JOURNAL_ALL[] =
	"SELECT metric_id, points FROM metric_journal ORDER BY metric_id, id";
static const char SQL_JOURNAL_ANY[] = "SELECT 1 FROM metric_journal LIMIT 1";
static const char SQL_JOURNAL_OF[] =
	"SELECT points FROM metric_journal WHERE metric_id = ?1";
static const char SQL_JOURNAL_CLEAR[] = "DELETE FROM metric_journal";
static const char SQL_JOURNAL_ROWS[] = "SELECT count(*) FROM metric_journal";
static const char SQL_ROLLUP_EXPIRE[] =
	"DELETE FROM rollups WHERE resolution_s = ?1 AND start_ms < ?2";

struct bucket {
	int64_t start_ms;
	struct summary summary;
};

struct buckets {
	struct bucket *v;
	size_t n;
	size_t cap;
};

static void buckets_release(struct buckets *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		summary_release(&b->v[i].summary);
	free(b->v);
	memset(b, 0, sizeof(*b));
}

/* The bucket starting at start_ms: the last one, or a new one. */
static struct summary *buckets_at(struct buckets *b, int64_t start_ms)
{
	struct bucket *v;

	if (b->n && b->v[b->n - 1].start_ms == start_ms)
		return &b->v[b->n - 1].summary;
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;

		v = realloc(b->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		b->v = v;
		b->cap = cap;
	}
	v = &b->v[b->n];
	v->start_ms = start_ms;
	if (summary_init(&v->summary))
		return NULL;
	b->n++;
	return &v->summary;
}

static int by_time(const void *a, const void *b)
{
	const struct point *pa = a, *pb = b;

	return (pa->ts_ms > pb->ts_ms) - (pa->ts_ms < pb->ts_ms);
}

/*
 * Summarize points into buckets at every level: level 0 from the points
 * (sorted here), each coarser level from the one below.
 */
static int summarize(const struct point *points, size_t n,
		     struct buckets levels[LEVELS])
{
	struct point *copy = NULL;
	const struct point *sorted = points;
	size_t i;
	int l, rc = 0;

	/* Points mostly come in time order: sort only when they do not. */
	for (i = 1; i < n && points[i - 1].ts_ms <= points[i].ts_ms; i++)
		;
	if (i < n) {
		copy = malloc(n * sizeof(*copy));
		if (!copy)
			return -ENOMEM;
		memcpy(copy, points, n * sizeof(*copy));
		qsort(copy, n, sizeof(*copy), by_time);
		sorted = copy;
	}
	for (i = 0; i < n && !rc; i++) {
		int64_t width = RESOLUTION_S[0] * 1000;
		struct summary *s = buckets_at(
			&levels[0], floor_div(sorted[i].ts_ms, width) * width);

		rc = s ? summary_add(s, sorted[i].value) : -ENOMEM;
	}
	free(copy);
	for (l = 1; l < LEVELS && !rc; l++) {
		int64_t width = RESOLUTION_S[l] * 1000;

		for (i = 0; i < levels[l - 1].n && !rc; i++) {
			const struct bucket *fine = &levels[l - 1].v[i];
			struct summary *s = buckets_at(
				&levels[l],
				floor_div(fine->start_ms, width) * width);

			rc = s ? summary_merge(s, &fine->summary) : -ENOMEM;
		}
	}
	return rc;
}

/*
 * Read the summary in columns col.. (count, sum, min, max, sketch) of
 * the current row and merge it into s. -EIO for a damaged sketch.
 */
static int merge_row(struct sql_stmt *stmt, int col, struct summary *s)
{
	uint64_t count = (uint64_t)sql_column_int64(stmt, col);
	double sum = sql_column_double(stmt, col + 1);
	double min = sql_column_double(stmt, col + 2);
	double max = sql_column_double(stmt, col + 3);
	const void *blob = sql_column_blob(stmt, col + 4);
	int len = sql_column_bytes(stmt, col + 4);
	int rc;

	rc = sketch_decode_merge(s->sketch, blob, (size_t)len);
	if (rc)
		return rc == -EINVAL ? -EIO : rc;
	if (s->count == 0 || min < s->min)
		s->min = min;
	if (s->count == 0 || max > s->max)
		s->max = max;
	s->count += count;
	s->sum += sum;
	return 0;
}

/*
 * Merge the stored row of bucket b, of resolution res, into it: one
 * read. Lock held.
 */
static int get_bucket(struct store *st, int64_t metric_id, int64_t res,
		      struct bucket *b)
{
	struct sql_stmt *stmt = db_stmt(st, SQL_ROLLUP_GET);
	int rc;

	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, metric_id);
	sql_bind_int64(stmt, 2, res);
	sql_bind_int64(stmt, 3, b->start_ms);
	rc = db_step(stmt);
	rc = rc == DB_ROW ? merge_row(stmt, 0, &b->summary) : rc;
	sql_reset(stmt);
	return rc;
}

/*
 * Merge the stored rows of level l into its buckets (in time order). A
 * level whose buckets lie close together (as a write's do) is read with
 * one range read; scattered ones (a fold of points far apart) one by
 * one, so that the rows between them are not read for nothing. Lock held.
 */
static int get_buckets(struct store *st, int64_t metric_id, int l,
		       struct buckets *b)
{
	int64_t width = RESOLUTION_S[l] * 1000;
	struct sql_stmt *stmt;
	size_t i = 0;
	int rc = 0, step = DB_DONE;

	if (b->n == 0)
		return 0;
	if ((b->v[b->n - 1].start_ms - b->v[0].start_ms) / width >=
	    4 * (int64_t)b->n) {
		for (i = 0; i < b->n && !rc; i++)
			rc = get_bucket(st, metric_id, RESOLUTION_S[l],
					&b->v[i]);
		return rc;
	}
	stmt = db_stmt(st, SQL_ROLLUP_RANGE);
	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, metric_id);
	sql_bind_int64(stmt, 2, RESOLUTION_S[l]);
	sql_bind_int64(stmt, 3, b->v[0].start_ms);
	sql_bind_int64(stmt, 4, b->v[b->n - 1].start_ms + 1);
	while (!rc && (step = db_step(stmt)) == DB_ROW) {
		int64_t start = sql_column_int64(stmt, 0);

		while (i < b->n && b->v[i].start_ms < start)
			i++;
		if (i < b->n && b->v[i].start_ms == start)
			rc = merge_row(stmt, 1, &b->v[i].summary);
	}
	if (!rc && step < 0)
		rc = step;
	sql_reset(stmt);
	return rc;
}

/*
 * Write bucket b of resolution res, its stored row merged in already,
 * sent ahead (db_exec_ahead): a write's buckets cost one round trip on
 * PostgreSQL. Lock held.
 */
static int put_bucket(struct store *st, int64_t metric_id, int64_t res,
		      const struct bucket *b)
{
	struct sql_stmt *stmt;
	unsigned char *blob;
	size_t len;
	int rc;

	rc = sketch_encode(b->summary.sketch, &blob, &len);
	if (rc)
		return rc;
	stmt = db_stmt(st, SQL_ROLLUP_PUT);
	if (!stmt) {
		free(blob);
		return -EIO;
	}
	sql_bind_int64(stmt, 1, metric_id);
	sql_bind_int64(stmt, 2, res);
	sql_bind_int64(stmt, 3, b->start_ms);
	sql_bind_int64(stmt, 4, (int64_t)b->summary.count);
	sql_bind_double(stmt, 5, b->summary.sum);
	sql_bind_double(stmt, 6, b->summary.min);
	sql_bind_double(stmt, 7, b->summary.max);
	sql_bind_blob_owned(stmt, 8, blob, (int)len);
	return db_exec_ahead(stmt);
}

/*
 * Move the metric's mtime to now_ms (see MTIME_STEP_MS). 0, -ENOENT, or
 * -EIO (-errno) when the database failed.
 */
static int touch_metric(struct store *st, int64_t metric_id, int64_t now_ms)
{
	struct sql_stmt *stmt = db_stmt(st, SQL_TOUCH_METRIC);
	int rc;

	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, metric_id);
	sql_bind_int64(stmt, 2, now_ms);
	sql_bind_int64(stmt, 3, now_ms - MTIME_STEP_MS);
	rc = db_exec_stmt(stmt);
	if (rc || db_changes(st) > 0)
		return rc;
	stmt = db_stmt(st, SQL_METRIC_EXISTS);
	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, metric_id);
	rc = db_step(stmt);
	rc = rc == DB_ROW ? 0 : rc == DB_DONE ? -ENOENT : rc;
	sql_reset(stmt);
	return rc;
}

/* Merge points into the metric's rollups. Lock held, transaction open. */
static int merge_points(struct store *st, int64_t metric_id,
			const struct point *points, size_t n)
{
	struct buckets levels[LEVELS];
	size_t i;
	int l, rc;

	memset(levels, 0, sizeof(levels));
	rc = summarize(points, n, levels);
	for (l = 0; l < LEVELS && !rc; l++)
		rc = get_buckets(st, metric_id, l, &levels[l]);
	for (l = 0; l < LEVELS && !rc; l++)
		for (i = 0; i < levels[l].n && !rc; i++)
			rc = put_bucket(st, metric_id, RESOLUTION_S[l],
					&levels[l].v[i]);
	for (l = 0; l < LEVELS; l++)
		buckets_release(&levels[l]);
	return rc;
}

/* Points read back from the journal: a growable array. */
struct point_buf {
	struct point *v;
	size_t n;
	size_t cap;
};

/* Append k points to b (a ctx of queue_metric_points). 0 or -ENOMEM. */
static int point_buf_add(void *ctx, const struct point *p, size_t k)
{
	struct point_buf *b = ctx;

	if (b->n + k > b->cap) {
		size_t cap = (b->n + k) * 2;
		struct point *v = realloc(b->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		b->v = v;
		b->cap = cap;
	}
	if (k)
		memcpy(b->v + b->n, p, k * sizeof(*b->v));
	b->n += k;
	return 0;
}

/*
 * Append the points of one journal row (column col of stmt's current
 * row) to b. -EIO for a blob that is not whole points, -ENOMEM.
 */
static int point_buf_add_row(struct point_buf *b, struct sql_stmt *stmt,
			     int col)
{
	const void *blob = sql_column_blob(stmt, col);
	size_t bytes = (size_t)sql_column_bytes(stmt, col);

	if (bytes % sizeof(struct point) != 0)
		return -EIO;
	return point_buf_add(b, blob, bytes / sizeof(struct point));
}

/*
 * Fold the whole journal into the rollups, each metric's points in one
 * merge, and empty it. Lock held, transaction open. 0 or -errno.
 */
static int fold_locked(struct store *st)
{
	struct sql_stmt *stmt = db_stmt(st, SQL_JOURNAL_ALL);
	struct point_buf acc = {0};
	int64_t current = 0;
	int rc = 0, step = DB_DONE;

	if (!stmt)
		return -EIO;
	while (!rc && (step = db_step(stmt)) == DB_ROW) {
		int64_t metric_id = sql_column_int64(stmt, 0);

		if (acc.n && metric_id != current) {
			rc = merge_points(st, current, acc.v, acc.n);
			acc.n = 0;
		}
		current = metric_id;
		if (!rc)
			rc = point_buf_add_row(&acc, stmt, 1);
	}
	if (!rc && step < 0)
		rc = step;
	sql_reset(stmt);
	if (!rc && acc.n)
		rc = merge_points(st, current, acc.v, acc.n);
	free(acc.v);
	if (rc)
		return rc;
	stmt = db_stmt(st, SQL_JOURNAL_CLEAR);
	return stmt ? db_exec_stmt(stmt) : -EIO;
}

/*
 * Whether the journal holds anything: DB_ROW, DB_DONE, or -errno when the
 * database failed. Lock held.
 */
static int journal_any(struct store *st)
{
	struct sql_stmt *stmt = db_stmt(st, SQL_JOURNAL_ANY);
	int rc;

	if (!stmt)
		return -EIO;
	rc = db_step(stmt);
	sql_reset(stmt);
	return rc;
}

/*
 * The journal's length, just after a row went in. On sqlite ids start
 * again at 1 once the journal is emptied, so the last id is its length; a
 * PostgreSQL sequence never goes back, so the rows are counted (at most
 * FOLD_ROWS of them). -errno when the database failed.
 */
static int64_t journal_rows(struct store *st)
{
	struct sql_stmt *stmt;
	int64_t rows;
	int rc;

	if (db_engine(st) == DB_SQLITE)
		return db_last_id(st);
	stmt = db_stmt(st, SQL_JOURNAL_ROWS);
	if (!stmt)
		return -EIO;
	rc = db_step(stmt);
	rows = rc == DB_ROW ? sql_column_int64(stmt, 0) : rc < 0 ? rc : -EIO;
	sql_reset(stmt);
	return rows;
}

/* Append a small write's points to the journal, and fold it when full. */
static int journal_put(struct store *st, int64_t metric_id,
		       const struct point *points, size_t n)
{
	struct sql_stmt *stmt = db_stmt(st, SQL_JOURNAL_PUT);
	int64_t rows;
	int rc;

	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, metric_id);
	sql_bind_blob(stmt, 2, points, (int)(n * sizeof(*points)));
	rc = db_exec_stmt(stmt);
	if (rc)
		return rc;
	rows = journal_rows(st);
	if (rows < 0)
		return (int)rows;
	return rows >= FOLD_ROWS ? fold_locked(st) : 0;
}

int rollups_ingest_locked(struct store *st, int64_t metric_id,
			  const struct point *points, size_t n, struct err *err)
{
	int rc;

	if (n == 0)
		return 0;
	rc = touch_metric(st, metric_id, store_now_ms());
	if (rc == -ENOENT)
		err_set(err, "the metric was deleted while this file was open");
	if (rc)
		return rc;
	if (n <= JOURNAL_MAX_POINTS)
		rc = journal_put(st, metric_id, points, n);
	else
		rc = merge_points(st, metric_id, points, n);
	if (rc == -ENOSPC)
		err_set(err, "the database or its disk is full");
	return rc;
}

int store_metric_fold(struct store *st)
{
	int rc = db_begin(st);

	if (rc)
		return rc;
	rc = journal_any(st);
	if (rc == DB_ROW)
		rc = fold_locked(st);
	if (rc) {
		db_rollback(st);
		return rc;
	}
	return db_commit(st);
}

int store_metric_ingest(struct store *st, int64_t metric_id,
			const struct point *points, size_t n, struct err *err)
{
	int rc = db_begin(st);

	if (rc)
		return rc;
	rc = rollups_ingest_locked(st, metric_id, points, n, err);
	if (rc) {
		db_rollback(st);
		return rc;
	}
	return db_commit(st);
}

/* The coarsest resolution level whose buckets tile period_s. */
static int level_for(int64_t period_s)
{
	int l;

	for (l = LEVELS - 1; l > 0; l--)
		if (period_s % RESOLUTION_S[l] == 0)
			return l;
	return 0;
}

/*
 * The metric's journaled points whose period (period_ms) starts in
 * [since, until), summarized per period in jb, oldest first. Lock held.
 */
static int journal_periods(struct store *st, int64_t metric_id,
			   int64_t period_ms, int64_t since, int64_t until,
			   struct buckets *jb)
{
	struct sql_stmt *stmt = db_stmt(st, SQL_JOURNAL_OF);
	struct point_buf pts = {0};
	int rc = 0, step = DB_DONE;
	size_t i;

	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, metric_id);
	while (!rc && (step = db_step(stmt)) == DB_ROW)
		rc = point_buf_add_row(&pts, stmt, 0);
	if (!rc && step < 0)
		rc = step;
	sql_reset(stmt);
	/*
	 * And the acknowledged writes the database has yet to take: none
	 * after the drain that taking the lock made, unless it failed (a
	 * full disk); they count all the same.
	 */
	if (!rc)
		rc = queue_metric_points(*db_queue(st), metric_id,
					 point_buf_add, &pts);
	if (!rc && pts.n)
		qsort(pts.v, pts.n, sizeof(*pts.v), by_time);
	for (i = 0; i < pts.n && !rc; i++) {
		int64_t start =
			floor_div(pts.v[i].ts_ms, period_ms) * period_ms;
		struct summary *sum;

		if (start < since || start >= until)
			continue;
		sum = buckets_at(jb, start);
		rc = sum ? summary_add(sum, pts.v[i].value) : -ENOMEM;
	}
	free(pts.v);
	return rc;
}

/*
 * Before a period starting at start: report the journal's periods that
 * come earlier, and merge the journal's period at start into acc.
 */
static int journal_until(struct buckets *jb, size_t *next, int64_t start,
			 struct summary *acc, store_stats_fn fn, void *ctx)
{
	int rc = 0;

	while (!rc && *next < jb->n && jb->v[*next].start_ms < start) {
		rc = fn(ctx, jb->v[*next].start_ms, &jb->v[*next].summary);
		(*next)++;
	}
	if (!rc && *next < jb->n && jb->v[*next].start_ms == start) {
		rc = summary_merge(acc, &jb->v[*next].summary);
		(*next)++;
	}
	return rc;
}

int rollups_stats_locked(struct store *st, int64_t metric_id,
			 const struct stats_query *q, store_stats_fn fn,
			 void *ctx)
{
	int64_t period_ms = q->period_s * MS_PER_SECOND;
	int level = level_for(q->period_s);
	int64_t oldest, since, until, current = 0;
	struct buckets journal = {0};
	size_t next = 0;
	struct summary acc;
	struct sql_stmt *stmt;
	int rc;

	/* Only whole periods that the level still holds are answered. */
	oldest = ceil_div(q->now_ms - RETENTION_MS[level], period_ms) *
		 period_ms;
	since = q->since_ms > oldest ? q->since_ms : oldest;
	until = ceil_div(q->until_ms, period_ms) * period_ms;
	if (since >= until)
		return 0;
	rc = summary_init(&acc);
	if (rc)
		return rc;
	rc = journal_periods(st, metric_id, period_ms, since, until, &journal);
	stmt = rc ? NULL : db_stmt(st, SQL_ROLLUP_RANGE);
	if (!stmt) {
		rc = rc ? rc : -EIO;
		goto out;
	}
	sql_bind_int64(stmt, 1, metric_id);
	sql_bind_int64(stmt, 2, RESOLUTION_S[level]);
	sql_bind_int64(stmt, 3, since);
	sql_bind_int64(stmt, 4, until);
	while (!rc && (rc = db_step(stmt)) == DB_ROW) {
		int64_t start =
			floor_div(sql_column_int64(stmt, 0), period_ms) *
			period_ms;

		rc = 0;
		if (acc.count && start != current) {
			rc = fn(ctx, current, &acc);
			summary_reset(&acc);
		}
		if (!rc && !acc.count)
			rc = journal_until(&journal, &next, start, &acc, fn,
					   ctx);
		current = start;
		if (!rc)
			rc = merge_row(stmt, 1, &acc);
	}
	if (!rc && acc.count)
		rc = fn(ctx, current, &acc);
	sql_reset(stmt);
	for (; !rc && next < journal.n; next++)
		rc = fn(ctx, journal.v[next].start_ms,
			&journal.v[next].summary);
out:
	buckets_release(&journal);
	summary_release(&acc);
	return rc;
}

int store_metric_stats(struct store *st, int64_t metric_id,
		       const struct stats_query *q, store_stats_fn fn,
		       void *ctx)
{
	int rc = db_begin_read(st);

	if (rc)
		return rc;
	rc = rollups_stats_locked(st, metric_id, q, fn, ctx);
	db_end_read(st);
	return rc;
}

int store_sweep(struct store *st, int64_t now_ms)
{
	struct sql_stmt *stmt;
	int l, rc, removed = 0;

	/* On a full disk the fold fails; the retention below may help. */
	store_metric_fold(st);
	for (l = 0; l < LEVELS; l++) {
		rc = db_begin(st);
		if (rc)
			return rc;
		stmt = db_stmt(st, SQL_ROLLUP_EXPIRE);
		if (!stmt) {
			db_rollback(st);
			return -EIO;
		}
		sql_bind_int64(stmt, 1, RESOLUTION_S[l]);
		sql_bind_int64(stmt, 2, now_ms - RETENTION_MS[l]);
		rc = db_exec_stmt(stmt);
		if (rc) {
			db_rollback(st);
			return rc;
		}
		removed += (int)db_changes(st);
		rc = db_commit(st);
		if (rc)
			return rc;
	}
	return removed;
}
