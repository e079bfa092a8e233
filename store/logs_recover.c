/*
 * logs_recover: bringing streams' segments and their index together when
 * a store opens, after a crash, a power loss or an older monfs.
 *
 * - An older database kept each write's bytes in log_chunks itself;
 *   migration 10 set those rows aside in log_chunks_legacy. Their bytes
 *   move to segments a batch at a time, each batch made durable before
 *   its rows go, so a crash in the middle moves the rest next time.
 * - A crash of the daemon after a write's bytes reached its segment but
 *   before its index row committed leaves bytes past the stream's end:
 *   the write never returned, and they are cut.
 * - A power loss can take bytes that were never fsync'ed while their
 *   index survives: the index is cut back to the last write whose bytes
 *   are all there (SPEC 10 promises only what fsync made durable).
 * - A crash between a retention commit and its unlinks leaves segments
 *   before a stream's start, and one during a reaping a directory of a
 *   stream that is gone: both are removed.
 */
#include "store/logs.h"
#include "store/segments.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

/* Legacy rows moved per transaction: a bounded WAL and a bounded buffer. */
#define LEGACY_BATCH_ROWS 64

static const char SQL_LEGACY_EXISTS[] =
	"SELECT 1 FROM sqlite_master WHERE type = 'table'"
	" AND name = 'log_chunks_legacy'";
static const char SQL_LEGACY_BATCH[] =
	"SELECT id, stream_id, offset, len FROM log_chunks_legacy"
	" ORDER BY id LIMIT ?1";
static const char SQL_LEGACY_DONE[] =
	"DELETE FROM log_chunks_legacy WHERE id = ?1";
static const char SQL_LEGACY_DROP[] = "DROP TABLE log_chunks_legacy";
static const char SQL_STREAMS[] =
	"SELECT id, start_offset, end_offset FROM log_streams";
static const char SQL_LEGACY_ROW[] =
	"SELECT data FROM log_chunks_legacy WHERE rowid = ?1";
static const char SQL_STREAM_EXISTS[] =
	"SELECT id FROM log_streams WHERE id = ?1";
static const char SQL_CUT_CHUNKS[] =
	"DELETE FROM log_chunks WHERE stream_id = ?1 AND offset + len > ?2";
static const char SQL_CUT_END[] =
	"UPDATE log_streams SET end_offset = coalesce((SELECT max(offset + len)"
	" FROM log_chunks WHERE stream_id = ?1), start_offset) WHERE id = ?1"
	" RETURNING end_offset";

/*
 * Move one legacy row's bytes into its segment. Lock held, transaction
 * open.
 */
static int move_row(struct store *st, int64_t row, int64_t stream,
		    int64_t offset, int64_t len)
{
	struct sql_stmt *stmt = db_stmt(st, SQL_LEGACY_ROW);
	int rc;

	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, row);
	rc = db_step(stmt);
	if (rc == DB_ROW && sql_column_bytes(stmt, 0) != len)
		rc = -EIO; /* the row is not what its index says */
	else if (rc == DB_ROW)
		rc = segments_write(*db_segments(st), stream, offset,
				    sql_column_blob(stmt, 0), (size_t)len);
	else if (rc == DB_DONE)
		rc = -EIO;
	sql_reset(stmt);
	return rc;
}

/*
 * Move one batch of legacy rows: 0 and *done when none was left, or
 * -errno. One transaction, committed after the bytes are durable.
 */
static int move_batch(struct store *st, bool *done)
{
	int64_t ids[LEGACY_BATCH_ROWS];
	size_t n = 0, i;
	struct sql_stmt *stmt;
	int rc = db_begin(st);

	if (rc)
		return rc;
	stmt = db_stmt(st, SQL_LEGACY_BATCH);
	rc = stmt ? 0 : -EIO;
	if (!rc)
		sql_bind_int(stmt, 1, LEGACY_BATCH_ROWS);
	while (!rc && (rc = db_step(stmt)) == DB_ROW) {
		ids[n] = sql_column_int64(stmt, 0);
		rc = move_row(st, ids[n], sql_column_int64(stmt, 1),
			      sql_column_int64(stmt, 2),
			      sql_column_int64(stmt, 3));
		n++;
	}
	if (stmt)
		sql_reset(stmt);
	*done = !rc && n == 0;
	if (!rc && n > 0)
		rc = segments_sync(*db_segments(st));
	for (i = 0; !rc && i < n; i++) {
		stmt = db_stmt(st, SQL_LEGACY_DONE);
		rc = stmt ? 0 : -EIO;
		if (!rc) {
			sql_bind_int64(stmt, 1, ids[i]);
			rc = db_exec_stmt(stmt);
		}
	}
	if (!rc && *done)
		rc = db_exec(st, SQL_LEGACY_DROP);
	if (rc) {
		db_rollback(st);
		return rc;
	}
	return db_commit(st);
}

/* Move every legacy row's bytes into segments. 0 or -errno. */
static int move_legacy(struct store *st)
{
	struct sql_stmt *stmt;
	bool done = false;
	int rc;

	db_lock(st);
	stmt = db_stmt(st, SQL_LEGACY_EXISTS);
	rc = stmt ? db_step(stmt) : -EIO;
	if (stmt)
		sql_reset(stmt);
	db_unlock(st);
	if (rc < 0 || rc == DB_DONE)
		return rc < 0 ? rc : 0;
	rc = 0;
	while (!rc && !done)
		rc = move_batch(st, &done);
	return rc;
}

/*
 * Cut stream's index back to the bytes its segments still hold (a power
 * loss): its chunks reaching past have, and its end to the last one
 * left. The new end in *end. One transaction.
 */
static int cut_index(struct store *st, int64_t stream, int64_t have,
		     int64_t *end)
{
	struct sql_stmt *stmt;
	int rc = db_begin(st);

	if (rc)
		return rc;
	stmt = db_stmt(st, SQL_CUT_CHUNKS);
	rc = stmt ? 0 : -EIO;
	if (!rc) {
		sql_bind_int64(stmt, 1, stream);
		sql_bind_int64(stmt, 2, have);
		rc = db_exec_stmt(stmt);
	}
	stmt = rc ? NULL : db_stmt(st, SQL_CUT_END);
	if (!rc && !stmt)
		rc = -EIO;
	if (!rc) {
		sql_bind_int64(stmt, 1, stream);
		rc = db_step(stmt);
		if (rc == DB_ROW)
			*end = sql_column_int64(stmt, 0);
		rc = rc < 0 ? rc : 0;
		sql_reset(stmt);
	}
	if (rc) {
		db_rollback(st);
		return rc;
	}
	return db_commit(st);
}

/* One stream's segments made to agree with its [start, end). */
static int reconcile(struct store *st, int64_t stream, int64_t start,
		     int64_t end)
{
	struct segments *sg = *db_segments(st);
	int64_t have = end > start ? segments_extent(sg, stream, end) : end;
	int rc;

	if (have < 0)
		return (int)have;
	if (have < end) {
		rc = cut_index(st, stream, have, &end);
		if (rc)
			return rc;
	}
	db_lock(st);
	rc = segments_trim(sg, stream, end);
	if (!rc)
		rc = segments_drop_before(sg, stream, start);
	db_unlock(st);
	return rc;
}

struct span {
	int64_t stream, start, end;
};

/* Every stream's [start, end), a malloc'ed array. Lock not held. */
static int all_spans(struct store *st, struct span **out, size_t *n)
{
	struct span *v = NULL, *bigger;
	size_t cap = 0;
	struct sql_stmt *stmt;
	int rc;

	*n = 0;
	db_lock(st);
	stmt = db_stmt(st, SQL_STREAMS);
	rc = stmt ? 0 : -EIO;
	while (!rc && (rc = db_step(stmt)) == DB_ROW) {
		rc = 0;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			bigger = realloc(v, cap * sizeof(*v));
			if (!bigger) {
				rc = -ENOMEM;
				break;
			}
			v = bigger;
		}
		v[*n].stream = sql_column_int64(stmt, 0);
		v[*n].start = sql_column_int64(stmt, 1);
		v[*n].end = sql_column_int64(stmt, 2);
		(*n)++;
	}
	if (stmt)
		sql_reset(stmt);
	db_unlock(st);
	*out = v;
	return rc < 0 ? rc : 0;
}

/* segments_each_stream's fn: remove the segments of a stream gone. */
static int remove_if_gone(void *ctx, int64_t stream)
{
	struct store *st = ctx;
	struct sql_stmt *stmt = db_stmt(st, SQL_STREAM_EXISTS);
	int64_t id;

	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, stream);
	id = db_step_id(stmt);
	if (id == -ENOENT)
		return segments_remove(*db_segments(st), stream);
	return id < 0 ? (int)id : 0;
}

/* Remove the segments of streams that are gone. 0 or -errno. */
static int remove_orphans(struct store *st)
{
	int rc;

	db_lock(st);
	rc = segments_each_stream(*db_segments(st), remove_if_gone, st);
	db_unlock(st);
	return rc;
}

int logs_recover(struct store *st, struct err *err)
{
	struct span *spans = NULL;
	size_t n = 0, i;
	int rc;

	rc = move_legacy(st);
	if (rc) {
		err_set(err, "cannot move log bytes out of the database");
		return rc;
	}
	rc = all_spans(st, &spans, &n);
	for (i = 0; !rc && i < n; i++)
		rc = reconcile(st, spans[i].stream, spans[i].start,
			       spans[i].end);
	free(spans);
	if (!rc)
		rc = remove_orphans(st);
	if (rc)
		err_set(err, "cannot check the log segments");
	return rc;
}
