/*
 * stream_bytes: a stream's bytes in segment files or in log_bytes rows
 * (store/stream_bytes.h).
 *
 * A log_bytes row holds one write's bytes, [abs, end_abs): a read finds
 * the rows it overlaps by the index on (stream_id, end_abs).
 */
#include "store/stream_bytes.h"

#include <errno.h>
#include <string.h>

#include "store/segments.h"

static const char SQL_CUT[] =
	"DELETE FROM log_bytes WHERE stream_id = ?1 AND end_abs > ?2";
static const char SQL_PUT[] =
	"INSERT INTO log_bytes (stream_id, abs, end_abs, data)"
	" VALUES (?1, ?2, ?3, ?4)";
static const char SQL_GET[] =
	"SELECT abs, data FROM log_bytes WHERE stream_id = ?1"
	" AND end_abs > ?2 AND abs < ?3 ORDER BY abs";
static const char SQL_DROP_BEFORE[] =
	"DELETE FROM log_bytes WHERE stream_id = ?1 AND end_abs <= ?2";
static const char SQL_REMOVE[] = "DELETE FROM log_bytes WHERE stream_id = ?1";

static bool in_db(struct store *st)
{
	return db_engine(st) == DB_POSTGRES;
}

/* Run sql with stream and n bound to ?1 and ?2. 0 or -errno. */
static int run2(struct store *st, const char *sql, int64_t stream, int64_t n)
{
	struct sql_stmt *stmt = db_stmt(st, sql);
	int rc;

	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, stream);
	sql_bind_int64(stmt, 2, n);
	rc = db_exec_stmt(stmt);
	sql_reset(stmt);
	return rc;
}

int stream_bytes_write(struct store *st, int64_t stream, int64_t abs,
		       const void *buf, size_t len)
{
	struct sql_stmt *stmt;
	int rc;

	if (!in_db(st))
		return segments_write(*db_segments(st), stream, abs, buf, len);
	if (len > INT32_MAX)
		return -EFBIG;
	rc = run2(st, SQL_CUT, stream, abs);
	stmt = rc ? NULL : db_stmt(st, SQL_PUT);
	if (rc || !stmt)
		return rc ? rc : -EIO;
	sql_bind_int64(stmt, 1, stream);
	sql_bind_int64(stmt, 2, abs);
	sql_bind_int64(stmt, 3, abs + (int64_t)len);
	sql_bind_blob(stmt, 4, buf, (int)len);
	rc = db_exec_stmt(stmt);
	sql_reset(stmt);
	return rc;
}

int stream_bytes_read(struct store *st, int64_t stream, int64_t abs, void *buf,
		      size_t len)
{
	struct sql_stmt *stmt;
	int64_t end = abs + (int64_t)len, filled = abs;
	int rc;

	if (!in_db(st))
		return segments_read(*db_segments(st), stream, abs, buf, len);
	stmt = db_stmt(st, SQL_GET);
	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, stream);
	sql_bind_int64(stmt, 2, abs);
	sql_bind_int64(stmt, 3, end);
	while ((rc = db_step(stmt)) == DB_ROW) {
		int64_t at = sql_column_int64(stmt, 0);
		const char *data = sql_column_blob(stmt, 1);
		int64_t n = sql_column_bytes(stmt, 1);
		int64_t from = at > filled ? at : filled;
		int64_t to = at + n < end ? at + n : end;

		/* A hole: the bytes are not all there. */
		if (at > filled || !data)
			break;
		if (to > from)
			memcpy((char *)buf + (from - abs), data + (from - at),
			       (size_t)(to - from));
		if (to > filled)
			filled = to;
	}
	sql_reset(stmt);
	if (rc < 0)
		return rc;
	return filled >= end ? 0 : -EIO;
}

int stream_bytes_drop_before(struct store *st, int64_t stream, int64_t start)
{
	if (!in_db(st))
		return segments_drop_before(*db_segments(st), stream, start);
	return run2(st, SQL_DROP_BEFORE, stream, start);
}

int stream_bytes_remove(struct store *st, int64_t stream)
{
	struct sql_stmt *stmt;
	int rc;

	if (!in_db(st))
		return segments_remove(*db_segments(st), stream);
	stmt = db_stmt(st, SQL_REMOVE);
	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, stream);
	rc = db_exec_stmt(stmt);
	sql_reset(stmt);
	return rc;
}
