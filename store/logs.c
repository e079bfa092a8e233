/*
 * logs: log streams as append-only byte sequences (SPEC 4).
 *
 * Each write(2) of whole lines becomes one row of log_chunks: its bytes
 * as written, the absolute offset of its first byte, and its ingestion
 * time, shared by every event (line) in it. A 64 KiB write of 600 lines
 * is one insert and one update, not 600. A byte keeps its absolute
 * offset forever; the stream's visible bytes are [start, end), so a
 * reader's offset N is start + N, found by one index seek on
 * (stream_id, offset). Retention deletes whole chunks from the start and
 * moves start past them, so the visible size shrinks.
 *
 * Removal (SPEC 10): a stream open when it is removed stays whole for
 * its readers until they close it. Removing a stream only detaches it
 * from its group (group_id NULL, one small transaction with its trail
 * record): its name is free at once and nothing can append to it, but
 * its row and chunks stay, readable by id. Its bytes are reaped, in
 * batches of chunks, when no reader holds it: at once when none does,
 * else at the last release, and by the sweep for what a crash or a
 * failure left. Readers' holds live in the store (store/holds.h), under
 * the lock that also orders removals, so a hold is never taken on a
 * stream that is already reaped.
 */
#include "store/db.h"
#include "store/queue.h"
#include "store/holds.h"
#include "store/logs.h"
#include "store/stream_bytes.h"
#include "store/trail.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/timeutil.h"

/*
 * Chunks reaped per transaction: each transaction stays small, in time
 * and in the WAL, whatever the stream's size (a full disk needs room in
 * the WAL for every transaction, even one that frees space).
 */
#define REAP_BATCH_CHUNKS 128

static const char SQL_GROUP_RETENTION[] =
	"SELECT retention_days FROM log_groups WHERE name = ?1";
static const char SQL_GROUP_SET_RETENTION[] =
	"UPDATE log_groups SET retention_days = ?2 WHERE name = ?1";
static const char SQL_STREAM_GET[] =
	"SELECT s.id, s.uid, s.gid, s.mode, s.ctime_ms, s.mtime_ms,"
	" s.start_offset, s.end_offset"
	" FROM log_streams s JOIN log_groups g ON g.id = s.group_id"
	" WHERE g.name = ?1 AND s.name = ?2";
static const char SQL_STREAM_BOUNDS[] =
	"SELECT start_offset, end_offset FROM log_streams WHERE id = ?1";
static const char SQL_STREAM_LIVE_BOUNDS[] =
	"SELECT start_offset, end_offset FROM log_streams"
	" WHERE id = ?1 AND group_id IS NOT NULL";
static const char SQL_STREAM_BY_ID[] =
	"SELECT uid, gid, mode, ctime_ms, mtime_ms, start_offset, end_offset,"
	" group_id IS NULL FROM log_streams WHERE id = ?1";
static const char SQL_STREAM_DETACH[] =
	"UPDATE log_streams SET group_id = NULL, ctime_ms = ?2 WHERE id = ?1";
static const char SQL_REMOVED_STREAMS[] =
	"SELECT id FROM log_streams WHERE group_id IS NULL";
static const char SQL_CHUNKS_REAP[] =
	"DELETE FROM log_chunks WHERE id IN (SELECT id FROM log_chunks"
	" WHERE stream_id = ?1 ORDER BY offset LIMIT ?2)";
static const char SQL_STREAM_REAP[] =
	"DELETE FROM log_streams WHERE id = ?1 AND group_id IS NULL";
static const char SQL_STREAM_ADVANCE[] =
	"UPDATE log_streams SET end_offset = ?2, mtime_ms = ?3"
	" WHERE id = ?1 AND end_offset = ?4";
static const char SQL_STREAM_SET_START[] =
	"UPDATE log_streams SET start_offset = ?2 WHERE id = ?1";
static const char SQL_CHUNK_INSERT[] =
	"INSERT INTO log_chunks (stream_id, offset, len, ts_ms)"
	" VALUES (?1, ?2, ?3, ?4)";
static const char SQL_CHUNK_AT[] =
	"SELECT offset FROM log_chunks WHERE stream_id = ?1 AND offset <= ?2"
	" ORDER BY offset DESC LIMIT 1";
static const char SQL_CHUNKS_FROM[] =
	"SELECT offset, len, ts_ms FROM log_chunks"
	" WHERE stream_id = ?1 AND offset >= ?2 AND offset < ?3 ORDER BY "
	"offset";
static const char SQL_RETAINED_STREAMS[] =
	"SELECT s.id, g.retention_days FROM log_streams s"
	" JOIN log_groups g ON g.id = s.group_id WHERE g.retention_days > 0";
static const char SQL_CHUNKS_EXPIRE[] =
	"DELETE FROM log_chunks WHERE stream_id = ?1 AND offset < ?2";
static const char SQL_FIRST_KEPT[] =
	"SELECT offset FROM log_chunks WHERE stream_id = ?1 AND ts_ms >= ?2"
	" ORDER BY offset LIMIT 1";

/* CloudWatch Logs' PutRetentionPolicy values, and as a message says them. */
#define RETENTION_VALUES                                                       \
	"1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,"       \
	" 1096, 1827, 2192, 2557, 2922, 3288 or 3653"
static const int RETENTION_DAYS[] = {
	1,   3,	  5,   7,   14,	  30,	60,   90,   120,  150,	180,
	365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
};

bool log_retention_valid(int64_t days)
{
	size_t i;

	for (i = 0; i < sizeof(RETENTION_DAYS) / sizeof(RETENTION_DAYS[0]); i++)
		if (days == RETENTION_DAYS[i])
			return true;
	return false;
}

int store_group_retention(struct store *st, const char *group, int *days)
{
	struct sql_stmt *stmt;
	int rc = -ENOENT;

	db_lock(st);
	stmt = db_stmt(st, SQL_GROUP_RETENTION);
	if (!stmt) {
		rc = -EIO;
		goto out;
	}
	sql_bind_text(stmt, 1, group, -1);
	rc = db_step(stmt);
	if (rc == DB_ROW) {
		*days = sql_column_int(stmt, 0);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = -ENOENT;
	}
	sql_reset(stmt);
out:
	db_unlock(st);
	return rc;
}

int store_group_set_retention(struct store *st, const char *group, int64_t days,
			      const struct caller *who, struct err *err)
{
	struct trail_event ev = {
		.source = "logs.monfs",
		.name = days ? "PutRetentionPolicy" : "DeleteRetentionPolicy",
		.who = who,
		.params = {TRAIL_STR("logGroupName", group),
			   TRAIL_NUM("retentionInDays", days)},
		.nparams = days ? 2 : 1,
	};
	struct sql_stmt *stmt;
	int rc;

	rc = db_begin(st);
	if (rc)
		return rc;
	if (days != 0 && !log_retention_valid(days)) {
		if (days < 0)
			err_set(err, "a retention is a number of days, one"
				     " of " RETENTION_VALUES);
		else
			err_set(err,
				"%lld days is not one of CloudWatch's"
				" retentions: " RETENTION_VALUES,
				(long long)days);
		rc = -EINVAL;
		goto out;
	}
	stmt = db_stmt(st, SQL_GROUP_SET_RETENTION);
	if (!stmt) {
		rc = -EIO;
		goto out;
	}
	sql_bind_text(stmt, 1, group, -1);
	sql_bind_int64(stmt, 2, days);
	rc = db_exec_stmt(stmt);
	if (!rc && db_changes(st) == 0)
		rc = -ENOENT;
out:
	return trail_finish_change(st, rc, &ev, err);
}

int store_stream_get(struct store *st, const char *group, const char *name,
		     struct stream_info *out)
{
	struct sql_stmt *stmt;
	int rc = -ENOENT;

	/* Waiting writes need not be taken: queue_overlay_locked says. */
	db_lock_quiet(st);
again:
	stmt = db_stmt(st, SQL_STREAM_GET);
	if (!stmt) {
		rc = -EIO;
		goto out;
	}
	sql_bind_text(stmt, 1, group, -1);
	sql_bind_text(stmt, 2, name, -1);
	rc = db_step(stmt);
	if (rc == DB_ROW) {
		out->id = sql_column_int64(stmt, 0);
		db_read_attr(stmt, 1, &out->attr);
		out->start = sql_column_int64(stmt, 6);
		out->end = sql_column_int64(stmt, 7);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = -ENOENT;
	}
	sql_reset(stmt);
	if (!rc)
		rc = queue_overlay_locked(st, DATA_STREAM, out->id, &out->attr,
					  &out->end);
	if (rc == 1)
		goto again;
out:
	db_unlock(st);
	return rc;
}

/*
 * [*start, *end) of a stream: of any stream still stored, removed ones
 * that readers hold included, or with live only of one in a group (what
 * may be appended to). 0, -ENOENT, or -EIO (-errno) when the database
 * failed. Lock held.
 */
static int stream_bounds(struct store *st, int64_t stream_id, bool live,
			 int64_t *start, int64_t *end)
{
	struct sql_stmt *stmt =
		db_stmt(st, live ? SQL_STREAM_LIVE_BOUNDS : SQL_STREAM_BOUNDS);
	int rc = -ENOENT;

	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, stream_id);
	rc = db_step(stmt);
	if (rc == DB_ROW) {
		*start = sql_column_int64(stmt, 0);
		*end = sql_column_int64(stmt, 1);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = -ENOENT;
	}
	sql_reset(stmt);
	return rc;
}

/*
 * Whether stream_id is in a group: 0, -ENOENT (removed or gone), or -EIO
 * (-errno). Lock held.
 */
static int stream_live(struct store *st, int64_t stream_id)
{
	int64_t start, end;

	return stream_bounds(st, stream_id, true, &start, &end);
}

int store_stream_stat(struct store *st, int64_t stream_id,
		      struct stream_info *out)
{
	struct sql_stmt *stmt;
	int rc = -ENOENT;

	db_lock_quiet(st);
again:
	stmt = db_stmt(st, SQL_STREAM_BY_ID);
	if (!stmt) {
		rc = -EIO;
		goto out;
	}
	sql_bind_int64(stmt, 1, stream_id);
	rc = db_step(stmt);
	if (rc == DB_DONE)
		rc = -ENOENT;
	if (rc == DB_ROW) {
		out->id = stream_id;
		db_read_attr(stmt, 0, &out->attr);
		out->start = sql_column_int64(stmt, 5);
		out->end = sql_column_int64(stmt, 6);
		out->removed = sql_column_int(stmt, 7) != 0;
		rc = 0;
	}
	sql_reset(stmt);
	if (!rc)
		rc = queue_overlay_locked(st, DATA_STREAM, stream_id,
					  &out->attr, &out->end);
	if (rc == 1)
		goto again;
out:
	db_unlock(st);
	return rc;
}

int store_stream_hold(struct store *st, int64_t stream_id)
{
	int rc;

	db_lock(st);
	rc = stream_live(st, stream_id);
	if (!rc)
		rc = holds_add(db_holds(st, HOLD_STREAM), stream_id);
	db_unlock(st);
	return rc;
}

/*
 * Reap one batch of a removed stream's chunks, or its row once none is
 * left; *done when nothing of it is left (or it is held, or live, and
 * not to be reaped). One transaction. 0 or -errno.
 */
static int reap_batch(struct store *st, int64_t stream_id, bool *done)
{
	struct sql_stmt *stmt;
	int rc;

	*done = true;
	rc = db_begin(st);
	if (rc)
		return rc;
	rc = stream_live(st, stream_id);
	if (rc != -ENOENT || holds_has(db_holds(st, HOLD_STREAM), stream_id)) {
		db_rollback(st);
		return rc == -ENOENT || rc == 0 ? 0 : rc;
	}
	stmt = db_stmt(st, SQL_CHUNKS_REAP);
	rc = stmt ? 0 : -EIO;
	if (!rc) {
		sql_bind_int64(stmt, 1, stream_id);
		sql_bind_int64(stmt, 2, REAP_BATCH_CHUNKS);
		rc = db_exec_stmt(stmt);
	}
	if (!rc && db_changes(st) > 0) {
		*done = false;
	} else if (!rc) {
		stmt = db_stmt(st, SQL_STREAM_REAP);
		rc = stmt ? 0 : -EIO;
		if (!rc) {
			sql_bind_int64(stmt, 1, stream_id);
			rc = db_exec_stmt(stmt);
		}
		/* Its bytes go with it (a failed commit: the sweep's). */
		if (!rc)
			stream_bytes_remove(st, stream_id);
	}
	if (rc) {
		db_rollback(st);
		*done = true;
		return rc;
	}
	return db_commit(st);
}

int stream_reap(struct store *st, int64_t stream_id)
{
	bool done = false;
	int rc = 0;

	while (!rc && !done)
		rc = reap_batch(st, stream_id, &done);
	return rc;
}

int store_stream_release(struct store *st, int64_t stream_id)
{
	bool removed;

	/* Most releases are of live streams: no write transaction for them. */
	db_lock(st);
	removed = holds_remove(db_holds(st, HOLD_STREAM), stream_id) == 0 &&
		  stream_live(st, stream_id) == -ENOENT;
	db_unlock(st);
	return removed ? stream_reap(st, stream_id) : 0;
}

int stream_detach_locked(struct store *st, const char *group, const char *name,
			 int64_t now_ms, int64_t *stream_id)
{
	struct sql_stmt *stmt = db_stmt(st, SQL_STREAM_GET);
	int rc;

	if (!stmt)
		return -EIO;
	sql_bind_text(stmt, 1, group, -1);
	sql_bind_text(stmt, 2, name, -1);
	rc = db_step(stmt);
	if (rc != DB_ROW) {
		sql_reset(stmt);
		return rc < 0 ? rc : -ENOENT;
	}
	*stream_id = sql_column_int64(stmt, 0);
	sql_reset(stmt);
	stmt = db_stmt(st, SQL_STREAM_DETACH);
	if (!stmt)
		return -EIO;
	db_note_removal(st);
	sql_bind_int64(stmt, 1, *stream_id);
	sql_bind_int64(stmt, 2, now_ms);
	return db_exec_stmt(stmt);
}

/* A stream and one number of it that a sweep reads. */
struct stream_pair {
	int64_t stream_id;
	int64_t value; /* the second column of the query, or 0 */
};

/*
 * The rows of sql (stream id, and optionally one number), a malloc'ed
 * array in *out, *n long. 0 or -errno. Lock not held.
 */
static int stream_pairs(struct store *st, const char *sql,
			struct stream_pair **out, size_t *n)
{
	struct stream_pair *v = NULL, *bigger;
	size_t cap = 0;
	struct sql_stmt *stmt;
	int rc = 0;

	*n = 0;
	db_lock(st);
	stmt = db_stmt(st, sql);
	if (!stmt) {
		rc = -EIO;
		goto out;
	}
	while ((rc = db_step(stmt)) == DB_ROW) {
		rc = 0;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			bigger = realloc(v, cap * sizeof(*v));
			if (!bigger) {
				rc = -ENOMEM;
				break;
			}
			v = bigger;
		}
		v[*n].stream_id = sql_column_int64(stmt, 0);
		v[*n].value = sql_column_count(stmt) > 1
				      ? sql_column_int64(stmt, 1)
				      : 0;
		(*n)++;
	}
	sql_reset(stmt);
out:
	db_unlock(st);
	*out = v;
	return rc;
}

/*
 * Reap every removed stream no reader holds: those a crash left behind
 * (at start nobody holds anything) or whose reaping failed. 0 or -errno.
 */
static int reap_leftovers(struct store *st)
{
	struct stream_pair *ids;
	size_t i, n;
	int rc, r;

	rc = stream_pairs(st, SQL_REMOVED_STREAMS, &ids, &n);
	for (i = 0; i < n; i++) {
		r = stream_reap(st, ids[i].stream_id);
		if (r && !rc)
			rc = r;
	}
	free(ids);
	return rc;
}

/*
 * Count the lines of buf in *lines, refusing a line longer than
 * LOG_LINE_MAX.
 */
static int check_lines(const char *buf, size_t len, size_t *lines,
		       struct err *err)
{
	size_t pos = 0;
	unsigned lineno = 0;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len;

		lineno++;
		*lines = lineno;
		if (end - pos > LOG_LINE_MAX) {
			err_set(err, "line %u is %zu bytes, more than %d",
				lineno, end - pos, LOG_LINE_MAX);
			return -EMSGSIZE;
		}
		pos = end + 1;
	}
	return 0;
}

int stream_write_locked(struct store *st, int64_t stream_id, const char *buf,
			size_t len, int64_t waiting_end, bool ask, int64_t *abs,
			size_t *events, struct err *err)
{
	int64_t start, end = 0;
	int rc;

	*events = 0;
	rc = check_lines(buf, len, events, err);
	if (rc)
		return rc;
	rc = ask ? stream_bounds(st, stream_id, true, &start, &end) : 0;
	if (rc) {
		if (rc == -ENOENT)
			err_set(err, "the stream was deleted while this file"
				     " was open");
		return rc;
	}
	*abs = waiting_end > end ? waiting_end : end;
	rc = len ? stream_bytes_write(st, stream_id, *abs, buf, len) : 0;
	if (rc == -ENOSPC)
		err_set(err, "the database or its disk is full");
	return rc;
}

int stream_index_locked(struct store *st, int64_t stream_id, int64_t abs,
			size_t len, int64_t now_ms)
{
	struct sql_stmt *stmt;
	int rc;

	if (len == 0)
		return 0;
	stmt = db_stmt(st, SQL_CHUNK_INSERT);
	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, stream_id);
	sql_bind_int64(stmt, 2, abs);
	sql_bind_int64(stmt, 3, (int64_t)len);
	sql_bind_int64(stmt, 4, now_ms);
	rc = db_exec_stmt(stmt);
	if (rc)
		return rc;
	stmt = db_stmt(st, SQL_STREAM_ADVANCE);
	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, stream_id);
	sql_bind_int64(stmt, 2, abs + (int64_t)len);
	sql_bind_int64(stmt, 3, now_ms);
	sql_bind_int64(stmt, 4, abs);
	rc = db_exec_stmt(stmt);
	/* The index grows only at its end: anything else is a bug. */
	if (!rc && db_changes(st) != 1)
		rc = -EIO;
	return rc;
}

int stream_append_locked(struct store *st, int64_t stream_id, const char *buf,
			 size_t len, int64_t now_ms, size_t *events,
			 struct err *err)
{
	int64_t abs;
	int rc = stream_write_locked(st, stream_id, buf, len, 0, true, &abs,
				     events, err);

	return rc ? rc : stream_index_locked(st, stream_id, abs, len, now_ms);
}

/*
 * The offset of the chunk holding absolute offset abs (abs itself when
 * none does), or -errno when the database failed. Lock held.
 */
static int64_t chunk_at(struct store *st, int64_t stream_id, int64_t abs)
{
	struct sql_stmt *stmt = db_stmt(st, SQL_CHUNK_AT);
	int64_t off = abs;
	int rc;

	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, stream_id);
	sql_bind_int64(stmt, 2, abs);
	rc = db_step(stmt);
	if (rc == DB_ROW)
		off = sql_column_int64(stmt, 0);
	else if (rc < 0)
		off = rc;
	sql_reset(stmt);
	return off;
}

int store_stream_read(struct store *st, int64_t stream_id, int64_t offset,
		      char *buf, size_t size)
{
	int64_t start, end, abs, n;
	int rc;

	db_lock(st);
	/* A reader holds its stream: gone, it is an error, never an EOF. */
	rc = stream_bounds(st, stream_id, false, &start, &end);
	/*
	 * Writes the database could not take yet (a full disk) are in the
	 * segment already: they are read too.
	 */
	if (!rc)
		queue_waiting_end_locked(st, stream_id, &end);
	abs = start + offset;
	n = 0;
	if (!rc && offset >= 0 && abs < end) {
		n = end - abs < (int64_t)size ? end - abs : (int64_t)size;
		rc = stream_bytes_read(st, stream_id, abs, buf, (size_t)n);
	}
	db_unlock(st);
	return rc ? rc : (int)n;
}

int store_stream_scan(struct store *st, int64_t stream_id, int64_t *from,
		      int64_t until, size_t max_bytes, store_chunk_fn fn,
		      void *ctx)
{
	int64_t start, end, first;
	size_t done = 0;
	struct sql_stmt *stmt;
	char *data = NULL;
	size_t cap = 0;
	int rc;

	rc = db_begin_read(st);
	if (rc)
		return rc;
	rc = stream_bounds(st, stream_id, false, &start, &end);
	if (rc)
		goto out;
	if (*from < start)
		*from = start;
	if (until > end)
		until = end;
	if (*from >= until)
		goto out;
	first = chunk_at(st, stream_id, *from);
	stmt = first < 0 ? NULL : db_stmt(st, SQL_CHUNKS_FROM);
	if (!stmt) {
		rc = first < 0 ? (int)first : -EIO;
		goto out;
	}
	sql_bind_int64(stmt, 1, stream_id);
	sql_bind_int64(stmt, 2, first);
	sql_bind_int64(stmt, 3, until);
	while (!rc && done < max_bytes && (rc = db_step(stmt)) == DB_ROW) {
		int64_t off = sql_column_int64(stmt, 0);
		size_t len = (size_t)sql_column_int64(stmt, 1);
		int64_t ts = sql_column_int64(stmt, 2);

		rc = 0;
		if (len > cap) {
			char *bigger = realloc(data, len);

			if (!bigger) {
				rc = -ENOMEM;
				break;
			}
			data = bigger;
			cap = len;
		}
		rc = stream_bytes_read(st, stream_id, off, data, len);
		if (rc)
			break;
		*from = off + (int64_t)len;
		done += len;
		rc = fn(ctx, ts, data, len);
	}
	sql_reset(stmt);
out:
	db_end_read(st);
	free(data);
	return rc;
}

/*
 * Move a stream's start past its chunks ingested more than days before
 * now_ms, or a day later while a reader holds it open (SPEC 4). Returns
 * the bytes removed or -errno. One transaction.
 */
static int64_t expire_stream(struct store *st, int64_t stream_id, int64_t days,
			     int64_t now_ms)
{
	int64_t start, end, new_start, cutoff = now_ms - days * MS_PER_DAY;
	struct sql_stmt *stmt;
	int rc;

	rc = db_begin(st);
	if (rc)
		return rc;
	rc = stream_bounds(st, stream_id, true, &start, &end);
	if (rc)
		goto fail;
	if (holds_has(db_holds(st, HOLD_STREAM), stream_id))
		cutoff -= MS_PER_DAY;
	stmt = db_stmt(st, SQL_FIRST_KEPT);
	if (!stmt) {
		rc = -EIO;
		goto fail;
	}
	sql_bind_int64(stmt, 1, stream_id);
	sql_bind_int64(stmt, 2, cutoff);
	rc = db_step(stmt);
	new_start = rc == DB_ROW ? sql_column_int64(stmt, 0) : end;
	sql_reset(stmt);
	if (rc < 0)
		goto fail;
	if (new_start <= start) {
		db_rollback(st);
		return 0;
	}
	stmt = db_stmt(st, SQL_CHUNKS_EXPIRE);
	if (!stmt) {
		rc = -EIO;
		goto fail;
	}
	sql_bind_int64(stmt, 1, stream_id);
	sql_bind_int64(stmt, 2, new_start);
	rc = db_exec_stmt(stmt);
	if (rc)
		goto fail;
	stmt = db_stmt(st, SQL_STREAM_SET_START);
	if (!stmt) {
		rc = -EIO;
		goto fail;
	}
	sql_bind_int64(stmt, 1, stream_id);
	sql_bind_int64(stmt, 2, new_start);
	rc = db_exec_stmt(stmt);
	if (rc)
		goto fail;
	rc = db_commit(st);
	if (rc)
		return rc;
	/* Whole segments before the new start go (a crash: store_open). */
	db_lock(st);
	stream_bytes_drop_before(st, stream_id, new_start);
	db_unlock(st);
	return new_start - start;
fail:
	db_rollback(st);
	return rc;
}

int64_t store_logs_sweep(struct store *st, int64_t now_ms)
{
	struct stream_pair *streams;
	int64_t removed = 0, r;
	size_t i, n;
	int rc;

	rc = stream_pairs(st, SQL_RETAINED_STREAMS, &streams, &n);
	for (i = 0; i < n && !rc; i++) {
		r = expire_stream(st, streams[i].stream_id, streams[i].value,
				  now_ms);
		if (r < 0 && r != -ENOENT)
			rc = (int)r;
		else if (r > 0)
			removed += r;
	}
	free(streams);
	if (!rc)
		rc = reap_leftovers(st);
	return rc ? rc : removed;
}
