/*
 * db: the sqlite connection, its pragmas, its schema and its migrations.
 *
 * The schema's version lives in schema_version; MIGRATIONS[i] takes a
 * database from version i to i + 1, and every migration runs in its own
 * transaction, so a database is always at one version or the next, never
 * between. A database newer than this binary is refused, not guessed at.
 */
#include "store/db.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store/checkpoint.h"
#include "store/holds.h"
#include "store/space.h"

#define STMT_CACHE_MAX 96
#define BUSY_TIMEOUT_MS 10000

struct stmt_slot {
	const char *sql;
	sqlite3_stmt *stmt;
};

/*
 * One connection, shared by every thread under lock: FUSE workers, the
 * alarm evaluator, the sweeps. lock is the innermost lock of fs/ (taken
 * inside every store call, so callers may hold a handle's lock or the
 * registry's); under it the commit hook may take the checkpointer's own
 * lock (store/checkpoint.c), and nothing else. No store function calls
 * back out with lock held except into callbacks that take no fs/ lock.
 * Fields marked "lock" are guarded by it; the others are set by
 * store_open before the store is shared and freed by store_close after.
 */
struct store {
	sqlite3 *db; /* the connection and its transaction; lock */
	pthread_mutex_t lock;
	struct stmt_slot stmts[STMT_CACHE_MAX]; /* prepared on use; lock */
	int nstmts;				/* lock */
	struct trail_settings trail;	   /* lock (store_trail_configure) */
	struct checkpointer *checkpointer; /* NULL: sqlite's own */
	struct holds holds[HOLD_KINDS];	   /* open files; lock */
	char *path;			   /* the database file */
};

/* clang-format off */
/* Now, in milliseconds since the epoch, inside SQL (for triggers). */
#define SQL_NOW_MS \
	"CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)"

/* Statement: the times of top directory top (a literal) move to now. */
#define TOUCH_TOP(top)                                                      \
	"INSERT INTO top_dirs (name, ctime_ms, mtime_ms) VALUES ('" top "', " \
	SQL_NOW_MS ", " SQL_NOW_MS ") ON CONFLICT (name) DO UPDATE SET"       \
	" ctime_ms = excluded.ctime_ms, mtime_ms = excluded.mtime_ms;"

/*
 * Triggers: a directory row of table (namespaces, log_groups) made or
 * gone (what, on event, row NEW or OLD) moves its parent's times, or its
 * top directory's at the top.
 */
#define DIR_TRIGGERS(table, top, what, event, row)                          \
	"CREATE TRIGGER " table "_" what "_at_top AFTER " event " ON " table   \
	" WHEN " row ".parent = '' BEGIN " TOUCH_TOP(top) " END;"            \
	"CREATE TRIGGER " table "_" what "_below AFTER " event " ON " table    \
	" WHEN " row ".parent != '' BEGIN UPDATE " table " SET ctime_ms = "   \
	SQL_NOW_MS ", mtime_ms = " SQL_NOW_MS " WHERE name = " row            \
	".parent; END;"

/* Trigger: a file of table made or gone moves its directory's times. */
#define FILE_TRIGGER(table, dirs, fk, what, event, row)                     \
	"CREATE TRIGGER " table "_" what " AFTER " event " ON " table         \
	" BEGIN UPDATE " dirs " SET ctime_ms = " SQL_NOW_MS ", mtime_ms = "    \
	SQL_NOW_MS " WHERE id = " row "." fk "; END;"

/* Triggers: a definition made, gone or renamed moves its top's times. */
#define TOP_TRIGGERS(table, top)                                            \
	"CREATE TRIGGER " table "_made AFTER INSERT ON " table " BEGIN "      \
	TOUCH_TOP(top) " END;"                                                \
	"CREATE TRIGGER " table "_gone AFTER DELETE ON " table " BEGIN "      \
	TOUCH_TOP(top) " END;"                                                \
	"CREATE TRIGGER " table "_renamed AFTER UPDATE OF name ON " table     \
	" WHEN OLD.name != NEW.name BEGIN " TOUCH_TOP(top) " END;"
/* clang-format on */

static const char *const MIGRATIONS[] = {
	/* 0 -> 1: namespaces, metrics and their rollups. */
	"CREATE TABLE namespaces ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE," /* whole, e.g. AWS/EC2 */
	"  parent TEXT NOT NULL,"      /* '' at the top level */
	"  uid INTEGER NOT NULL, gid INTEGER NOT NULL, mode INTEGER NOT NULL,"
	"  ctime_ms INTEGER NOT NULL, mtime_ms INTEGER NOT NULL);"
	"CREATE INDEX namespaces_by_parent ON namespaces(parent);"
	"CREATE TABLE metrics ("
	"  id INTEGER PRIMARY KEY,"
	"  namespace_id INTEGER NOT NULL"
	"    REFERENCES namespaces(id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL,"
	"  unit TEXT NOT NULL DEFAULT '',"
	"  uid INTEGER NOT NULL, gid INTEGER NOT NULL, mode INTEGER NOT NULL,"
	"  ctime_ms INTEGER NOT NULL, mtime_ms INTEGER NOT NULL,"
	"  UNIQUE (namespace_id, name));"
	/*
	 * One row per metric, resolution and bucket: the summary of every
	 * point whose time falls in [start_ms, start_ms + resolution).
	 * Maintained at ingest, so reads cost the same at any data size.
	 */
	"CREATE TABLE rollups ("
	"  metric_id INTEGER NOT NULL REFERENCES metrics(id) ON DELETE CASCADE,"
	"  resolution_s INTEGER NOT NULL,"
	"  start_ms INTEGER NOT NULL,"
	"  count INTEGER NOT NULL, sum REAL NOT NULL,"
	"  min REAL NOT NULL, max REAL NOT NULL,"
	"  sketch BLOB NOT NULL,"
	"  PRIMARY KEY (metric_id, resolution_s, start_ms)) WITHOUT ROWID;"
	"CREATE INDEX rollups_by_age ON rollups(resolution_s, start_ms);",

	/* 1 -> 2: log groups, streams and their events. */
	"CREATE TABLE log_groups ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE," /* whole, e.g. aws/lambda/checkout */
	"  parent TEXT NOT NULL,"
	"  uid INTEGER NOT NULL, gid INTEGER NOT NULL, mode INTEGER NOT NULL,"
	"  ctime_ms INTEGER NOT NULL, mtime_ms INTEGER NOT NULL,"
	"  retention_days INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX log_groups_by_parent ON log_groups(parent);"
	/*
	 * A stream's bytes have fixed absolute offsets; [start, end) is
	 * what is still kept, and a reader's offset 0 is start.
	 */
	"CREATE TABLE log_streams ("
	"  id INTEGER PRIMARY KEY,"
	"  group_id INTEGER NOT NULL"
	"    REFERENCES log_groups(id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL,"
	"  uid INTEGER NOT NULL, gid INTEGER NOT NULL, mode INTEGER NOT NULL,"
	"  ctime_ms INTEGER NOT NULL, mtime_ms INTEGER NOT NULL,"
	"  start_offset INTEGER NOT NULL DEFAULT 0,"
	"  end_offset INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE (group_id, name));"
	/*
	 * One row per write: its whole lines, as written, ingested at ts_ms.
	 * A rowid table, so reads can use incremental blob I/O.
	 */
	"CREATE TABLE log_chunks ("
	"  id INTEGER PRIMARY KEY,"
	"  stream_id INTEGER NOT NULL"
	"    REFERENCES log_streams(id) ON DELETE CASCADE,"
	"  offset INTEGER NOT NULL,"
	"  len INTEGER NOT NULL,"
	"  ts_ms INTEGER NOT NULL,"
	"  data BLOB NOT NULL);"
	"CREATE UNIQUE INDEX log_chunks_by_offset"
	"  ON log_chunks(stream_id, offset);",

	/* 2 -> 3: the audit trail. */
	/* One row per record: its JSON line, at its offset in its day file. */
	"CREATE TABLE trail_records ("
	"  id INTEGER PRIMARY KEY,"
	"  day INTEGER NOT NULL," /* days since the epoch, UTC */
	"  offset INTEGER NOT NULL,"
	"  record TEXT NOT NULL);"
	"CREATE UNIQUE INDEX trail_records_by_offset ON trail_records(day, "
	"offset);"
	"CREATE TABLE trail_days ("
	"  day INTEGER PRIMARY KEY,"
	"  size INTEGER NOT NULL,"
	"  mtime_ms INTEGER NOT NULL);"
	/*
	 * The data event of an open file, counted by each of its writes in
	 * the write's own transaction, until close or the minute tick makes
	 * it a record.
	 */
	"CREATE TABLE trail_pending ("
	"  id INTEGER PRIMARY KEY,"
	"  record TEXT NOT NULL," /* the record, less time, ids, counts */
	"  count INTEGER NOT NULL,"
	"  bytes INTEGER NOT NULL,"
	"  since_ms INTEGER NOT NULL);",

	/* 3 -> 4: alarms, their state and history. */
	"CREATE TABLE alarms ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  definition TEXT NOT NULL," /* key = value form, canonical */
	"  uid INTEGER NOT NULL, gid INTEGER NOT NULL, mode INTEGER NOT NULL,"
	"  ctime_ms INTEGER NOT NULL, mtime_ms INTEGER NOT NULL,"
	/* Who wrote the definition in force: exec actions run as them. */
	"  writer_uid INTEGER NOT NULL, writer_gid INTEGER NOT NULL,"
	"  writer_name TEXT NOT NULL,"
	"  state INTEGER NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  state_updated_ms INTEGER NOT NULL);"
	"CREATE TABLE alarm_history ("
	"  id INTEGER PRIMARY KEY,"
	"  alarm_id INTEGER NOT NULL REFERENCES alarms(id) ON DELETE CASCADE,"
	"  ts_ms INTEGER NOT NULL,"
	"  type TEXT NOT NULL," /* StateUpdate ConfigurationUpdate Action */
	"  summary TEXT NOT NULL,"
	"  data TEXT NOT NULL);" /* HistoryData, a JSON text */
	"CREATE INDEX alarm_history_by_alarm ON alarm_history(alarm_id, id);",

	/* 4 -> 5: metric filters. */
	"CREATE TABLE metric_filters ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  definition TEXT NOT NULL," /* key = value form, canonical */
	"  group_name TEXT NOT NULL," /* the group it watches, by name */
	"  uid INTEGER NOT NULL, gid INTEGER NOT NULL, mode INTEGER NOT NULL,"
	"  ctime_ms INTEGER NOT NULL, mtime_ms INTEGER NOT NULL,"
	"  matched INTEGER NOT NULL DEFAULT 0,"
	"  skipped INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX metric_filters_by_group ON metric_filters(group_name);"
	/* Minutes in which the group had events, for default_value. */
	"CREATE TABLE filter_minutes ("
	"  filter_id INTEGER NOT NULL"
	"    REFERENCES metric_filters(id) ON DELETE CASCADE,"
	"  minute_ms INTEGER NOT NULL,"
	"  matched INTEGER NOT NULL,"
	"  PRIMARY KEY (filter_id, minute_ms)) WITHOUT ROWID;",

	/*
	 * 5 -> 6: small writes of data points, waiting to be folded into
	 * the rollups (store/rollups.c). No index on metric_id: the journal
	 * holds a few hundred rows at most, and only a metric's deletion
	 * looks rows up by it.
	 */
	"CREATE TABLE metric_journal ("
	"  id INTEGER PRIMARY KEY,"
	"  metric_id INTEGER NOT NULL REFERENCES metrics(id) ON DELETE CASCADE,"
	"  points BLOB NOT NULL);",

	/*
	 * 6 -> 7: a removed stream that a reader still holds open keeps its
	 * row and its chunks with group_id NULL (SPEC 10): out of its
	 * group's lookups, listings and UNIQUE names, and out of reach of
	 * the group's own removal, until the last reader lets go and its
	 * bytes are reaped (store/logs.c). sqlite cannot drop a NOT NULL, so
	 * the table is made again, the way sqlite's ALTER TABLE page says,
	 * with foreign keys off (migrate) so that no chunk cascades away.
	 */
	"CREATE TABLE log_streams_new ("
	"  id INTEGER PRIMARY KEY,"
	"  group_id INTEGER REFERENCES log_groups(id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL,"
	"  uid INTEGER NOT NULL, gid INTEGER NOT NULL, mode INTEGER NOT NULL,"
	"  ctime_ms INTEGER NOT NULL, mtime_ms INTEGER NOT NULL,"
	"  start_offset INTEGER NOT NULL DEFAULT 0,"
	"  end_offset INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE (group_id, name));"
	"INSERT INTO log_streams_new (id, group_id, name, uid, gid, mode,"
	"  ctime_ms, mtime_ms, start_offset, end_offset)"
	"  SELECT id, group_id, name, uid, gid, mode, ctime_ms, mtime_ms,"
	"  start_offset, end_offset FROM log_streams;"
	"DROP TABLE log_streams;"
	"ALTER TABLE log_streams_new RENAME TO log_streams;"
	"CREATE INDEX log_streams_removed ON log_streams(id)"
	"  WHERE group_id IS NULL;",

	/*
	 * 7 -> 8: directory times (SPEC 10). Making or removing an entry
	 * moves its directory's mtime and ctime: a namespace's or group's
	 * row, or, at the top, the row of metrics/, logs/, alarms/ or
	 * filters/ in top_dirs (made at its first change). Triggers keep
	 * them, so that every way an entry comes or goes (rm, a filter
	 * making its metric, a log: action making its stream, a rename in
	 * alarms/) moves them, and nothing else does.
	 */
	/* clang-format off */
	"CREATE TABLE top_dirs ("
	"  name TEXT PRIMARY KEY,"       /* metrics logs alarms filters */
	"  ctime_ms INTEGER NOT NULL, mtime_ms INTEGER NOT NULL) WITHOUT ROWID;"
	DIR_TRIGGERS("namespaces", "metrics", "made", "INSERT", "NEW")
	DIR_TRIGGERS("namespaces", "metrics", "gone", "DELETE", "OLD")
	DIR_TRIGGERS("log_groups", "logs", "made", "INSERT", "NEW")
	DIR_TRIGGERS("log_groups", "logs", "gone", "DELETE", "OLD")
	FILE_TRIGGER("metrics", "namespaces", "namespace_id", "made", "INSERT", "NEW")
	FILE_TRIGGER("metrics", "namespaces", "namespace_id", "gone", "DELETE", "OLD")
	FILE_TRIGGER("log_streams", "log_groups", "group_id", "made", "INSERT", "NEW")
	FILE_TRIGGER("log_streams", "log_groups", "group_id", "gone", "DELETE", "OLD")
	/* rm of a stream a reader holds detaches it (6 -> 7): gone too */
	"CREATE TRIGGER log_streams_detached AFTER UPDATE OF group_id ON log_streams"
	" WHEN OLD.group_id IS NOT NULL AND NEW.group_id IS NULL BEGIN UPDATE"
	" log_groups SET ctime_ms = " SQL_NOW_MS ", mtime_ms = " SQL_NOW_MS
	" WHERE id = OLD.group_id; END;"
	TOP_TRIGGERS("alarms", "alarms")
	TOP_TRIGGERS("metric_filters", "filters"),
	/* clang-format on */

	/*
	 * 8 -> 9: when each alarm came to its name (made, or renamed to a
	 * free one), so that what a new definition would do on its own in
	 * its first moments waits (SPEC 2). Alarms made before count as
	 * settled long ago.
	 */
	"ALTER TABLE alarms ADD COLUMN created_ms INTEGER NOT NULL DEFAULT 0;",
};

#define SCHEMA_VERSION ((int)(sizeof(MIGRATIONS) / sizeof(MIGRATIONS[0])))

int db_errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return 0;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_CONSTRAINT:
		return -EEXIST;
	default:
		return -EIO;
	}
}

void db_lock(struct store *st)
{
	pthread_mutex_lock(&st->lock);
}

void db_unlock(struct store *st)
{
	pthread_mutex_unlock(&st->lock);
}

sqlite3 *db_handle(struct store *st)
{
	return st->db;
}

struct trail_settings *db_trail(struct store *st)
{
	return &st->trail;
}

struct holds *db_holds(struct store *st, enum hold_kind kind)
{
	return &st->holds[kind];
}

sqlite3_stmt *db_stmt(struct store *st, const char *sql)
{
	sqlite3_stmt *stmt;
	int i;

	for (i = 0; i < st->nstmts; i++) {
		if (st->stmts[i].sql == sql) {
			stmt = st->stmts[i].stmt;
			sqlite3_reset(stmt);
			sqlite3_clear_bindings(stmt);
			return stmt;
		}
	}
	/* Every SQL string of store/ fits; a full cache is a bug. */
	assert(st->nstmts < STMT_CACHE_MAX);
	if (st->nstmts >= STMT_CACHE_MAX)
		return NULL;
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
			       &stmt, NULL) != SQLITE_OK)
		return NULL;
	st->stmts[st->nstmts].sql = sql;
	st->stmts[st->nstmts].stmt = stmt;
	st->nstmts++;
	return stmt;
}

int db_step(sqlite3_stmt *stmt)
{
	int rc = sqlite3_step(stmt);

	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	/* Whatever the code, it is a failure: never 0, never a row. */
	return db_errno(rc) ? db_errno(rc) : -EIO;
}

int db_exec_stmt(sqlite3_stmt *stmt)
{
	int rc = db_step(stmt);

	return rc < 0 ? rc : 0;
}

void db_explain(struct store *st, int rc, struct err *err)
{
	int code = sqlite3_errcode(st->db);
	const char *why = strerror(-rc);

	/* A refusal of the user's input has its own words already. */
	if (!err || err->msg[0] ||
	    (rc != -EIO && rc != -ENOSPC && rc != -ENOMEM))
		return;
	if (code != SQLITE_OK && code != SQLITE_ROW && code != SQLITE_DONE)
		why = sqlite3_errmsg(st->db);
	if (rc == -ENOSPC)
		err_set(err, "no room for the database: %s", why);
	else
		err_set(err, "the database failed: %s", why);
}

static int exec(struct store *st, const char *sql)
{
	return db_errno(sqlite3_exec(st->db, sql, NULL, NULL, NULL));
}

/*
 * Transaction control through the statement cache: at one small write per
 * transaction, parsing BEGIN and COMMIT again each time was measurable.
 */
static const char SQL_BEGIN_WRITE[] = "BEGIN IMMEDIATE";
static const char SQL_BEGIN_READ[] = "BEGIN";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";

static int tx(struct store *st, const char *sql)
{
	sqlite3_stmt *stmt = db_stmt(st, sql);
	int rc;

	if (!stmt)
		return exec(st, sql);
	rc = db_exec_stmt(stmt);
	sqlite3_reset(stmt);
	return rc;
}

int db_begin(struct store *st)
{
	int rc;

	db_lock(st);
	rc = tx(st, SQL_BEGIN_WRITE);
	if (rc)
		db_unlock(st);
	return rc;
}

int db_commit(struct store *st)
{
	int rc = tx(st, SQL_COMMIT);

	if (rc)
		tx(st, SQL_ROLLBACK);
	db_unlock(st);
	return rc;
}

int db_begin_read(struct store *st)
{
	int rc;

	db_lock(st);
	rc = tx(st, SQL_BEGIN_READ);
	if (rc)
		db_unlock(st);
	return rc;
}

void db_end_read(struct store *st)
{
	tx(st, SQL_COMMIT);
	db_unlock(st);
}

void db_rollback(struct store *st)
{
	tx(st, SQL_ROLLBACK);
	db_unlock(st);
}

static int schema_version(struct store *st, int *version)
{
	sqlite3_stmt *stmt;
	int rc;

	rc = exec(st, "CREATE TABLE IF NOT EXISTS schema_version"
		      " (version INTEGER NOT NULL)");
	if (rc)
		return rc;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT max(version) FROM schema_version", -1,
			       &stmt, NULL) != SQLITE_OK)
		return -EIO;
	*version = 0;
	rc = db_step(stmt);
	if (rc == DB_ROW)
		*version = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return rc < 0 ? rc : 0;
}

/* Whether the schema's foreign keys all hold (after a table was made again). */
static int foreign_keys_hold(struct store *st)
{
	sqlite3_stmt *stmt;
	int rc;

	if (sqlite3_prepare_v2(st->db, "PRAGMA foreign_key_check", -1, &stmt,
			       NULL) != SQLITE_OK)
		return -EIO;
	rc = db_step(stmt);
	sqlite3_finalize(stmt);
	if (rc == DB_ROW)
		return -EPROTO; /* a row names a reference that does not hold */
	return rc;
}

/* Apply the pending migrations in one transaction, already begun. */
static int migrate_locked(struct store *st, struct err *err)
{
	char sql[64];
	int version, rc;

	rc = schema_version(st, &version);
	if (rc)
		return rc;
	if (version > SCHEMA_VERSION) {
		err_set(err,
			"database schema version %d is newer than this "
			"monfs (%d)",
			version, SCHEMA_VERSION);
		return -EPROTO;
	}
	if (version == SCHEMA_VERSION)
		return 0;
	for (; version < SCHEMA_VERSION; version++) {
		snprintf(sql, sizeof(sql),
			 "INSERT INTO schema_version VALUES (%d)", version + 1);
		rc = exec(st, MIGRATIONS[version]);
		if (!rc)
			rc = exec(st, sql);
		if (rc) {
			err_set(err,
				"migration to schema version %d failed: %s",
				version + 1, sqlite3_errmsg(st->db));
			return rc;
		}
	}
	/* Once per migration: the check reads every referring row. */
	rc = foreign_keys_hold(st);
	if (rc)
		err_set(err, "after migrating, the database's references do "
			     "not hold");
	return rc;
}

/*
 * Bring the schema to SCHEMA_VERSION. Foreign keys are off meanwhile (a
 * pragma that only works outside a transaction): a migration that makes
 * a table again must not cascade its DROP into the tables referring to
 * it; migrate_locked checks the references before the commit.
 */
static int migrate(struct store *st, struct err *err)
{
	int rc;

	rc = exec(st, "PRAGMA foreign_keys=OFF");
	if (!rc)
		rc = exec(st, "BEGIN IMMEDIATE");
	if (rc) {
		err_set(err, "cannot lock the database: %s",
			sqlite3_errmsg(st->db));
		return rc;
	}
	rc = migrate_locked(st, err);
	if (!rc)
		rc = exec(st, "COMMIT");
	if (rc)
		exec(st, "ROLLBACK");
	if (exec(st, "PRAGMA foreign_keys=ON") && !rc) {
		err_set(err, "cannot turn foreign keys on: %s",
			sqlite3_errmsg(st->db));
		rc = -EIO;
	}
	return rc;
}

/*
 * Whether the database is monfs's: new (no tables) or holding
 * schema_version. Another application's database is refused before
 * anything (journal mode included) is changed in it: -EINVAL.
 */
static int check_ours(struct store *st, const char *path, struct err *err)
{
	sqlite3_stmt *stmt;
	int rc, tables = 0, ours = 0;

	rc = sqlite3_prepare_v2(st->db,
				"SELECT count(*), count(*) FILTER (WHERE name ="
				" 'schema_version') FROM sqlite_master"
				" WHERE type = 'table'",
				-1, &stmt, NULL);
	if (rc == SQLITE_OK && db_step(stmt) == DB_ROW) {
		tables = sqlite3_column_int(stmt, 0);
		ours = sqlite3_column_int(stmt, 1);
		rc = SQLITE_OK;
	} else {
		rc = sqlite3_errcode(st->db);
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_OK) {
		err_set(err, "cannot read %s: %s", path,
			sqlite3_errmsg(st->db));
		return db_errno(rc) ? db_errno(rc) : -EIO;
	}
	if (tables > 0 && !ours) {
		err_set(err,
			"%s is not a monfs database (it holds the tables "
			"of another application)",
			path);
		return -EINVAL;
	}
	return 0;
}

int store_open(const char *path, struct store **out, struct err *err)
{
	struct store *st;
	int rc;

	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	pthread_mutex_init(&st->lock, NULL);
	st->path = strdup(path);
	if (!st->path) {
		rc = -ENOMEM;
		goto fail;
	}
	rc = sqlite3_open_v2(path, &st->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				     SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		err_set(err, "cannot open %s: %s", path,
			st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		rc = db_errno(rc) ? db_errno(rc) : -EIO;
		goto fail;
	}
	sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
	rc = check_ours(st, path, err);
	if (rc)
		goto fail;
	/*
	 * WAL lets readers (the sqlite3 shell, a backup) run beside the
	 * daemon; synchronous=NORMAL makes a commit survive a crash of the
	 * daemon, and store_sync adds a checkpoint for power loss.
	 */
	rc = exec(st, "PRAGMA journal_mode=WAL;"
		      "PRAGMA synchronous=NORMAL;"
		      "PRAGMA journal_size_limit=67108864;"
		      "PRAGMA foreign_keys=ON;");
	if (rc) {
		err_set(err, "cannot set up %s: %s", path,
			sqlite3_errmsg(st->db));
		goto fail;
	}
	rc = migrate(st, err);
	if (rc)
		goto fail;
	trail_defaults(&st->trail);
	/* Without the thread, sqlite's automatic checkpoint still runs. */
	checkpointer_start(path, st->db, &st->checkpointer);
	/* Room for removals on a full disk; none now is not an error. */
	space_reserve(path);
	/* Data events a crash left pending become records now. */
	rc = trail_finish_pending(st, true, store_now_ms());
	if (rc) {
		err_set(err, "cannot finish pending trail records: %s",
			sqlite3_errmsg(st->db));
		goto fail;
	}
	*out = st;
	return 0;
fail:
	store_close(st);
	return rc;
}

void store_close(struct store *st)
{
	int i;

	if (!st)
		return;
	checkpointer_stop(st->checkpointer);
	for (i = 0; i < st->nstmts; i++)
		sqlite3_finalize(st->stmts[i].stmt);
	for (i = 0; i < HOLD_KINDS; i++)
		holds_release(&st->holds[i]);
	free(st->path);
	sqlite3_close(st->db);
	pthread_mutex_destroy(&st->lock);
	free(st);
}

int store_sync(struct store *st)
{
	int rc;

	db_lock(st);
	rc = db_errno(sqlite3_wal_checkpoint_v2(
		st->db, NULL, SQLITE_CHECKPOINT_FULL, NULL, NULL));
	db_unlock(st);
	return rc;
}

int db_make_room(struct store *st, bool use_reserve)
{
	int rc = -ENOSPC;

	db_lock(st);
	if (use_reserve && space_release(st->path) == 0)
		rc = 0;
	/*
	 * Copy the WAL back and truncate it: pages that are already in the
	 * database file, or fit in its free pages, stop taking disk space.
	 */
	if (sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_TRUNCATE,
				      NULL, NULL) == SQLITE_OK)
		rc = 0;
	db_unlock(st);
	return rc;
}

bool db_disk_low(struct store *st)
{
	int64_t avail = space_free(st->path);

	return avail >= 0 && avail < space_reserve_bytes(st->path);
}

int store_space_sweep(struct store *st)
{
	int rc = space_reserve(st->path);

	return rc == -ENOSPC ? 0 : rc;
}

int64_t store_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void db_bind_owner(sqlite3_stmt *stmt, int first, const struct caller *who,
		   mode_t mode, int64_t now_ms)
{
	sqlite3_bind_int64(stmt, first, who->uid);
	sqlite3_bind_int64(stmt, first + 1, who->gid);
	sqlite3_bind_int64(stmt, first + 2, mode & 07777);
	sqlite3_bind_int64(stmt, first + 3, now_ms);
}

void db_read_attr(sqlite3_stmt *stmt, int col, struct node_attr *out)
{
	out->uid = (uid_t)sqlite3_column_int64(stmt, col);
	out->gid = (gid_t)sqlite3_column_int64(stmt, col + 1);
	out->mode = (mode_t)sqlite3_column_int64(stmt, col + 2);
	out->ctime_ms = sqlite3_column_int64(stmt, col + 3);
	out->mtime_ms = sqlite3_column_int64(stmt, col + 4);
}

const char *store_backend(void)
{
	static char name[32];

	if (!name[0])
		snprintf(name, sizeof(name), "sqlite %s", sqlite3_libversion());
	return name;
}

int db_get_named(struct store *st, const char *sql, const char *name,
		 int64_t *id, struct node_attr *attr)
{
	sqlite3_stmt *stmt;
	int rc = -ENOENT;

	db_lock(st);
	stmt = db_stmt(st, sql);
	if (!stmt) {
		rc = -EIO;
		goto out;
	}
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	rc = db_step(stmt);
	if (rc == DB_ROW) {
		*id = sqlite3_column_int64(stmt, 0);
		db_read_attr(stmt, 1, attr);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = -ENOENT;
	}
	sqlite3_reset(stmt);
out:
	db_unlock(st);
	return rc;
}

int db_list_named(struct store *st, const char *sql, store_list_fn fn,
		  void *ctx)
{
	struct node_attr attr;
	sqlite3_stmt *stmt;
	int rc = 0;

	db_lock(st);
	stmt = db_stmt(st, sql);
	if (!stmt) {
		rc = -EIO;
		goto out;
	}
	while (!rc && (rc = db_step(stmt)) == DB_ROW) {
		const char *name = (const char *)sqlite3_column_text(stmt, 0);

		rc = 0;
		db_read_attr(stmt, 1, &attr);
		if (name)
			rc = fn(ctx, name, false, &attr);
	}
	sqlite3_reset(stmt);
out:
	db_unlock(st);
	return rc;
}

/* db_delete_named, once. */
static int delete_named_once(struct store *st, const char *sql,
			     const char *name, struct trail_event *ev,
			     struct err *err)
{
	sqlite3_stmt *stmt;
	int rc = db_begin(st);

	if (rc)
		return rc;
	stmt = db_stmt(st, sql);
	rc = stmt ? 0 : -EIO;
	if (!rc) {
		sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
		rc = db_exec_stmt(stmt);
	}
	if (!rc && sqlite3_changes(st->db) == 0)
		rc = -ENOENT;
	return db_finish(st, rc, ev, err);
}

int db_delete_named(struct store *st, const char *sql, const char *name,
		    struct trail_event *ev, struct err *err)
{
	int rc;

	/* A removal makes room: it may use the reserve (store/space.h). */
	if (db_disk_low(st))
		db_make_room(st, true);
	rc = delete_named_once(st, sql, name, ev, err);
	if (rc == -ENOSPC && db_make_room(st, true) == 0) {
		ev->error = 0; /* db_finish marked it refused */
		ev->message = NULL;
		if (err)
			err->msg[0] = '\0'; /* and explained the ENOSPC */
		rc = delete_named_once(st, sql, name, ev, err);
	}
	return rc;
}
