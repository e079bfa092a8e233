/*
 * schema: the tables monfs keeps, and the migrations that bring a
 * database to them.
 *
 * The schema's version lives in schema_version; MIGRATIONS[i] takes a
 * database from version i to i + 1, and every migration runs in its own
 * transaction, so a database is always at one version or the next, never
 * between. A database newer than this binary is refused, not guessed at;
 * a database of another application is refused before anything in it
 * changes.
 */
#include "store/schema.h"

#include <errno.h>
#include <stdio.h>

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

	/*
	 * 9 -> 10: stream bytes leave the database for segment files beside
	 * it (store/segments.h); log_chunks keeps only the index (a write's
	 * offset, length and ingestion time). An older database's rows wait
	 * in log_chunks_legacy, bytes and all, until logs_recover has moved
	 * their bytes and drops it. The copy reads the columns before data
	 * only, so no blob is read here.
	 */
	"DROP INDEX log_chunks_by_offset;"
	"ALTER TABLE log_chunks RENAME TO log_chunks_legacy;"
	"CREATE TABLE log_chunks ("
	"  id INTEGER PRIMARY KEY,"
	"  stream_id INTEGER NOT NULL"
	"    REFERENCES log_streams(id) ON DELETE CASCADE,"
	"  offset INTEGER NOT NULL,"
	"  len INTEGER NOT NULL,"
	"  ts_ms INTEGER NOT NULL);"
	"CREATE UNIQUE INDEX log_chunks_by_offset"
	"  ON log_chunks(stream_id, offset);"
	"INSERT INTO log_chunks (id, stream_id, offset, len, ts_ms)"
	"  SELECT id, stream_id, offset, len, ts_ms FROM log_chunks_legacy;",

	/*
	 * 10 -> 11: the last record of the backlog (store/backlog.h) that
	 * the database has taken, updated in the transaction that takes it,
	 * so that a replay after a crash takes each record exactly once.
	 */
	"CREATE TABLE backlog_taken ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  seq INTEGER NOT NULL);"
	"INSERT INTO backlog_taken (id, seq) VALUES (1, 0);",

	/*
	 * 11 -> 12: event buses (SPEC 13, store/buses.c). A bus is a stream
	 * of the log group named '' (no path names a group '', and parent
	 * '.', which no group is, keeps it out of every listing), whose
	 * retention of 1 day is the 24 hours a bus keeps an event. The
	 * default bus is made here, root's, 0644 (fs/ shows it as the
	 * trail's owner and group). A bus made or removed moves the times
	 * of events/.
	 */
	/* clang-format off */
	"INSERT OR IGNORE INTO log_groups (name, parent, uid, gid, mode,"
	"  ctime_ms, mtime_ms, retention_days) VALUES ('', '.', 0, 0, 448, "
	SQL_NOW_MS ", " SQL_NOW_MS ", 1);"
	"INSERT OR IGNORE INTO log_streams (group_id, name, uid, gid, mode,"
	"  ctime_ms, mtime_ms) VALUES ((SELECT id FROM log_groups WHERE"
	"  name = ''),"
	"  'default', 0, 0, 420, " SQL_NOW_MS ", " SQL_NOW_MS ");"
	"CREATE TRIGGER buses_made AFTER INSERT ON log_streams"
	" WHEN NEW.group_id = (SELECT id FROM log_groups WHERE name = '')"
	" BEGIN " TOUCH_TOP("events") " END;"
	"CREATE TRIGGER buses_gone AFTER UPDATE OF group_id ON log_streams"
	" WHEN OLD.group_id = (SELECT id FROM log_groups WHERE name = '')"
	" AND NEW.group_id IS NULL BEGIN " TOUCH_TOP("events") " END;",
	/* clang-format on */

	/*
	 * 12 -> 13: rules (SPEC 13, store/rules.c) and their deliveries.
	 * A rule keeps its canonical definition and what matching and
	 * delivery need of it without parsing it (bus, enabled,
	 * input_path), the writer whose rights its targets act with,
	 * created_ms (when it came to its name: its deliveries wait
	 * DEFINITION_SETTLE_MS, SPEC 2), anchor_ms (a rate's phase, kept
	 * across redefinitions) and next_fire_ms (a schedule's next
	 * firing, NULL for none), and its counters. A delivery is one row
	 * per (event, target), made in the transaction that appends the
	 * event and deleted in the one that does it: at least once. Its
	 * id is the event order; rule_name is the name the rule had when
	 * the event matched, so that a rule renamed before it settled
	 * delivers nothing under its old name.
	 */
	/* clang-format off */
	"CREATE TABLE rules ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  definition TEXT NOT NULL," /* key = value form, canonical */
	"  bus TEXT NOT NULL,"        /* '' for a schedule rule */
	"  enabled INTEGER NOT NULL,"
	"  input_path TEXT NOT NULL,"
	"  schedule TEXT NOT NULL,"   /* '' for a pattern rule */
	"  targets TEXT NOT NULL,"    /* canonical, one per line */
	"  uid INTEGER NOT NULL, gid INTEGER NOT NULL, mode INTEGER NOT NULL,"
	"  ctime_ms INTEGER NOT NULL, mtime_ms INTEGER NOT NULL,"
	"  writer_uid INTEGER NOT NULL, writer_gid INTEGER NOT NULL,"
	"  writer_name TEXT NOT NULL,"
	"  created_ms INTEGER NOT NULL,"
	"  anchor_ms INTEGER NOT NULL,"
	"  next_fire_ms INTEGER,"
	"  matched INTEGER NOT NULL DEFAULT 0,"
	"  invocations INTEGER NOT NULL DEFAULT 0,"
	"  failed_invocations INTEGER NOT NULL DEFAULT 0,"
	"  last_fired_ms INTEGER);"
	"CREATE INDEX rules_by_bus ON rules(bus);"
	"CREATE TABLE rule_deliveries ("
	"  id INTEGER PRIMARY KEY,"
	"  rule_id INTEGER NOT NULL REFERENCES rules(id) ON DELETE CASCADE,"
	"  rule_name TEXT NOT NULL,"
	"  target TEXT NOT NULL,"
	"  event TEXT NOT NULL);"    /* the envelope, one JSON line */
	"CREATE INDEX rule_deliveries_by_rule ON rule_deliveries(rule_id);"
	TOP_TRIGGERS("rules", "rules"),
	/* clang-format on */

	/*
	 * 13 -> 14: dashboards (SPEC 15, store/dashboards.c). A dashboard
	 * keeps its body as a read shows it: the JSON written, checked by
	 * lib/dashboard.h and pretty-printed in the order written.
	 */
	/* clang-format off */
	"CREATE TABLE dashboards ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  body TEXT NOT NULL,"
	"  uid INTEGER NOT NULL, gid INTEGER NOT NULL, mode INTEGER NOT NULL,"
	"  ctime_ms INTEGER NOT NULL, mtime_ms INTEGER NOT NULL);"
	TOP_TRIGGERS("dashboards", "dashboards"),
	/* clang-format on */

	/*
	 * 14 -> 15: CloudTrail Insights (SPEC 14, store/trail_insights.c).
	 * Each (eventSource, eventName) of management calls is a key; a
	 * minute's row counts its calls and those with an errorCode, and
	 * its attributions count each attribute's values, split by
	 * whether the call failed. Rows older than the baseline window go
	 * (but those an open insight still needs). An open insight is one
	 * row per key and type with what its End repeats; the state row
	 * says when counting began (the history there is) and the last
	 * minute judged.
	 */
	/* clang-format off */
	"CREATE TABLE trail_insight_keys ("
	"  id INTEGER PRIMARY KEY,"
	"  event_source TEXT NOT NULL,"
	"  event_name TEXT NOT NULL,"
	"  UNIQUE (event_source, event_name));"
	"CREATE TABLE trail_insight_minutes ("
	"  key_id INTEGER NOT NULL REFERENCES trail_insight_keys(id)"
	"    ON DELETE CASCADE,"
	"  minute INTEGER NOT NULL,"  /* ms since the epoch / 60000 */
	"  calls INTEGER NOT NULL,"
	"  errors INTEGER NOT NULL,"
	"  PRIMARY KEY (key_id, minute)) WITHOUT ROWID;"
	"CREATE INDEX trail_insight_minutes_by_minute"
	"  ON trail_insight_minutes(minute);"
	"CREATE TABLE trail_insight_attributions ("
	"  key_id INTEGER NOT NULL REFERENCES trail_insight_keys(id)"
	"    ON DELETE CASCADE,"
	"  minute INTEGER NOT NULL,"
	"  attribute INTEGER NOT NULL," /* 0 userIdentityArn, 1 userAgent, 2 errorCode */
	"  value TEXT NOT NULL,"
	"  error INTEGER NOT NULL,"     /* 1: the calls had an errorCode */
	"  count INTEGER NOT NULL,"
	"  PRIMARY KEY (key_id, attribute, minute, value, error)) WITHOUT ROWID;"
	"CREATE INDEX trail_insight_attributions_by_minute"
	"  ON trail_insight_attributions(minute);"
	"CREATE TABLE trail_insight_open ("
	"  key_id INTEGER NOT NULL REFERENCES trail_insight_keys(id),"
	"  insight_type INTEGER NOT NULL," /* 0 call rate, 1 error rate */
	"  shared_event_id TEXT NOT NULL,"
	"  start_minute INTEGER NOT NULL,"
	"  baseline_average REAL NOT NULL,"
	"  baseline_minutes INTEGER NOT NULL,"
	"  PRIMARY KEY (key_id, insight_type));"
	"CREATE TABLE trail_insight_state ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  first_minute INTEGER NOT NULL,"
	"  judged_minute INTEGER NOT NULL);",
	/* clang-format on */

	/*
	 * 15 -> 16: the trail archive (SPEC 14, store/trail_archive.c): one
	 * row of delivery state, and the log files delivered since the last
	 * digest. Two triggers keep delivery honest whatever deletes
	 * records: a record id reused after retention emptied the table
	 * moves the delivered mark back below it (nothing skipped), and a
	 * record that expires undelivered, once the archive has started, is
	 * counted for the next digest to say so.
	 */
	/* clang-format off */
	"CREATE TABLE trail_archive_state ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  started INTEGER NOT NULL DEFAULT 0,"
	"  delivered_id INTEGER NOT NULL DEFAULT 0," /* trail_records.id */
	"  last_log_ms INTEGER NOT NULL DEFAULT 0,"
	"  digest_start_ms INTEGER NOT NULL DEFAULT 0,"
	"  prev_key TEXT, prev_hash TEXT, prev_signature TEXT,"
	"  expired_count INTEGER NOT NULL DEFAULT 0,"
	"  expired_first_day INTEGER, expired_last_day INTEGER);"
	"INSERT INTO trail_archive_state (id) VALUES (1);"
	"CREATE TABLE trail_archive_logs ("
	"  id INTEGER PRIMARY KEY,"
	"  s3_key TEXT NOT NULL,"
	"  hash TEXT NOT NULL,"
	"  oldest_ms INTEGER NOT NULL,"
	"  newest_ms INTEGER NOT NULL);"
	"CREATE TRIGGER trail_archive_id_reused AFTER INSERT ON trail_records"
	"  WHEN NEW.id <= (SELECT delivered_id FROM trail_archive_state)"
	"  BEGIN UPDATE trail_archive_state SET delivered_id = NEW.id - 1;"
	"  END;"
	"CREATE TRIGGER trail_archive_expired AFTER DELETE ON trail_records"
	"  WHEN OLD.id > (SELECT delivered_id FROM trail_archive_state"
	"                 WHERE started)"
	"  BEGIN UPDATE trail_archive_state SET"
	"    expired_count = expired_count + 1,"
	"    expired_first_day = min(coalesce(expired_first_day, OLD.day),"
	"                            OLD.day),"
	"    expired_last_day = max(coalesce(expired_last_day, OLD.day),"
	"                           OLD.day);"
	"  END;",
	/* clang-format on */
};

#define SCHEMA_VERSION ((int)(sizeof(MIGRATIONS) / sizeof(MIGRATIONS[0])))

static const char SQL_VERSION[] = "SELECT max(version) FROM schema_version";
static const char SQL_FOREIGN_KEY_CHECK[] = "PRAGMA foreign_key_check";
static const char SQL_TABLES[] =
	"SELECT count(*), count(*) FILTER (WHERE name = 'schema_version')"
	" FROM sqlite_master WHERE type = 'table'";
static const char SQL_TABLES_PG[] =
	"SELECT count(*), count(*) FILTER (WHERE table_name ="
	" 'schema_version') FROM information_schema.tables"
	" WHERE table_schema = current_schema()";

static int schema_version(struct store *st, int *version)
{
	struct sql_stmt *stmt;
	int rc;

	rc = db_exec(st, "CREATE TABLE IF NOT EXISTS schema_version"
			 " (version INTEGER NOT NULL)");
	if (rc)
		return rc;
	stmt = db_stmt(st, SQL_VERSION);
	if (!stmt)
		return -EIO;
	*version = 0;
	rc = db_step(stmt);
	if (rc == DB_ROW)
		*version = sql_column_int(stmt, 0);
	sql_reset(stmt);
	return rc < 0 ? rc : 0;
}

/* Whether the schema's foreign keys all hold (after a table was made again). */
static int foreign_keys_hold(struct store *st)
{
	struct sql_stmt *stmt = db_stmt(st, SQL_FOREIGN_KEY_CHECK);
	int rc;

	if (!stmt)
		return -EIO;
	rc = db_step(stmt);
	sql_reset(stmt);
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
		rc = db_exec(st, MIGRATIONS[version]);
		if (!rc)
			rc = db_exec(st, sql);
		if (rc) {
			err_set(err,
				"migration to schema version %d failed: %s",
				version + 1, db_errmsg(st));
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
int schema_migrate(struct store *st, struct err *err)
{
	int rc;

	rc = db_exec(st, "PRAGMA foreign_keys=OFF");
	if (!rc)
		rc = db_exec(st, "BEGIN IMMEDIATE");
	if (rc) {
		err_set(err, "cannot lock the database: %s", db_errmsg(st));
		return rc;
	}
	rc = migrate_locked(st, err);
	if (!rc)
		rc = db_exec(st, "COMMIT");
	if (rc)
		db_exec(st, "ROLLBACK");
	if (db_exec(st, "PRAGMA foreign_keys=ON") && !rc) {
		err_set(err, "cannot turn foreign keys on: %s", db_errmsg(st));
		rc = -EIO;
	}
	return rc;
}

/*
 * Whether the database is monfs's: new (no tables) or holding
 * schema_version. Another application's database is refused before
 * anything (journal mode included) is changed in it: -EINVAL.
 */
int schema_check_ours(struct store *st, const char *path, struct err *err)
{
	struct sql_stmt *stmt;
	int rc, tables = 0, ours = 0;

	stmt = db_stmt(st, db_engine(st) == DB_POSTGRES ? SQL_TABLES_PG
							: SQL_TABLES);
	rc = stmt ? db_step(stmt) : -EIO;
	if (rc == DB_ROW) {
		tables = sql_column_int(stmt, 0);
		ours = sql_column_int(stmt, 1);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = -EIO;
	}
	if (stmt)
		sql_reset(stmt);
	if (rc) {
		err_set(err, "cannot read %s: %s",
			db_engine(st) == DB_POSTGRES ? "the database" : path,
			db_errmsg(st));
		return rc;
	}
	if (tables > 0 && !ours) {
		err_set(err,
			"%s is not a monfs database (it holds the tables "
			"of another application)",
			db_engine(st) == DB_POSTGRES ? "the database" : path);
		return -EINVAL;
	}
	return 0;
}
