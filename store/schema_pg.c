/*
 * schema_pg: monfs's tables on PostgreSQL (store/schema.h). The tables,
 * their columns and what their triggers keep are sqlite's at the same
 * schema version (store/schema.c), written in PostgreSQL's terms:
 * 64-bit integers, double precision, bytea, text compared byte by byte
 * (COLLATE "C", as sqlite's BINARY), and the triggers as functions.
 * A fleet's database starts at the newest version: there is no older
 * PostgreSQL schema to migrate from.
 *
 * Two tables are PostgreSQL's own: log_bytes holds the streams' bytes
 * (sqlite keeps them in segment files beside the database, and a
 * fleet's hosts share no disk), and fleet_settings the store-wide
 * options the first daemon fixed (SPEC 17).
 */
#include <errno.h>
#include <stdio.h>

#include "store/schema.h"

/* The version this DDL is: sqlite's newest migration. */
#define PG_SCHEMA_VERSION 16

static const char DDL[] =
	"CREATE FUNCTION monfs_now_ms() RETURNS bigint LANGUAGE sql AS"
	" $$ SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint"
	" $$;"
	"CREATE TABLE top_dirs (name TEXT COLLATE \"C\" PRIMARY KEY,"
	" ctime_ms BIGINT NOT NULL, mtime_ms BIGINT NOT NULL);"
	"CREATE FUNCTION monfs_touch_top(top text) RETURNS void LANGUAGE sql"
	" AS $$ INSERT INTO top_dirs (name, ctime_ms, mtime_ms)"
	" VALUES (top, monfs_now_ms(), monfs_now_ms()) ON CONFLICT (name)"
	" DO UPDATE SET ctime_ms = excluded.ctime_ms,"
	" mtime_ms = excluded.mtime_ms $$;"
	/* A top directory's kind changed: TG_ARGV[0] names it. */
	"CREATE FUNCTION monfs_top_changed() RETURNS trigger"
	" LANGUAGE plpgsql AS $$ BEGIN PERFORM monfs_touch_top(TG_ARGV[0]);"
	" RETURN NULL; END $$;"

	"CREATE TABLE namespaces (id BIGSERIAL PRIMARY KEY,"
	" name TEXT COLLATE \"C\" NOT NULL UNIQUE,"
	" parent TEXT COLLATE \"C\" NOT NULL,"
	" uid BIGINT NOT NULL, gid BIGINT NOT NULL, mode BIGINT NOT NULL,"
	" ctime_ms BIGINT NOT NULL, mtime_ms BIGINT NOT NULL);"
	"CREATE INDEX namespaces_by_parent ON namespaces(parent);"
	"CREATE TABLE metrics (id BIGSERIAL PRIMARY KEY,"
	" namespace_id BIGINT NOT NULL"
	" REFERENCES namespaces(id) ON DELETE CASCADE,"
	" name TEXT COLLATE \"C\" NOT NULL,"
	" unit TEXT COLLATE \"C\" NOT NULL DEFAULT '',"
	" uid BIGINT NOT NULL, gid BIGINT NOT NULL, mode BIGINT NOT NULL,"
	" ctime_ms BIGINT NOT NULL, mtime_ms BIGINT NOT NULL,"
	" UNIQUE (namespace_id, name));"
	"CREATE TABLE rollups ("
	" metric_id BIGINT NOT NULL REFERENCES metrics(id) ON DELETE CASCADE,"
	" resolution_s BIGINT NOT NULL, start_ms BIGINT NOT NULL,"
	" count BIGINT NOT NULL, sum DOUBLE PRECISION NOT NULL,"
	" min DOUBLE PRECISION NOT NULL, max DOUBLE PRECISION NOT NULL,"
	" sketch BYTEA NOT NULL,"
	" PRIMARY KEY (metric_id, resolution_s, start_ms));"
	"CREATE INDEX rollups_by_age ON rollups(resolution_s, start_ms);"
	"CREATE TABLE log_groups (id BIGSERIAL PRIMARY KEY,"
	" name TEXT COLLATE \"C\" NOT NULL UNIQUE,"
	" parent TEXT COLLATE \"C\" NOT NULL,"
	" uid BIGINT NOT NULL, gid BIGINT NOT NULL, mode BIGINT NOT NULL,"
	" ctime_ms BIGINT NOT NULL, mtime_ms BIGINT NOT NULL,"
	" retention_days BIGINT NOT NULL DEFAULT 0);"
	"CREATE INDEX log_groups_by_parent ON log_groups(parent);"
	"CREATE TABLE trail_records (id BIGSERIAL PRIMARY KEY,"
	" day BIGINT NOT NULL, \"offset\" BIGINT NOT NULL,"
	" record TEXT COLLATE \"C\" NOT NULL);"
	"CREATE UNIQUE INDEX trail_records_by_offset"
	" ON trail_records(day, \"offset\");"
	"CREATE TABLE trail_days (day BIGINT PRIMARY KEY,"
	" size BIGINT NOT NULL, mtime_ms BIGINT NOT NULL);"
	"CREATE TABLE trail_pending (id BIGSERIAL PRIMARY KEY,"
	" record TEXT COLLATE \"C\" NOT NULL, count BIGINT NOT NULL,"
	" bytes BIGINT NOT NULL, since_ms BIGINT NOT NULL);"
	"CREATE TABLE alarms (id BIGSERIAL PRIMARY KEY,"
	" name TEXT COLLATE \"C\" NOT NULL UNIQUE,"
	" definition TEXT COLLATE \"C\" NOT NULL,"
	" uid BIGINT NOT NULL, gid BIGINT NOT NULL, mode BIGINT NOT NULL,"
	" ctime_ms BIGINT NOT NULL, mtime_ms BIGINT NOT NULL,"
	" writer_uid BIGINT NOT NULL, writer_gid BIGINT NOT NULL,"
	" writer_name TEXT COLLATE \"C\" NOT NULL, state BIGINT NOT NULL,"
	" reason TEXT COLLATE \"C\" NOT NULL,"
	" state_updated_ms BIGINT NOT NULL,"
	" created_ms BIGINT NOT NULL DEFAULT 0);"
	"CREATE TABLE alarm_history (id BIGSERIAL PRIMARY KEY,"
	" alarm_id BIGINT NOT NULL REFERENCES alarms(id) ON DELETE CASCADE,"
	" ts_ms BIGINT NOT NULL, type TEXT COLLATE \"C\" NOT NULL,"
	" summary TEXT COLLATE \"C\" NOT NULL,"
	" data TEXT COLLATE \"C\" NOT NULL);"
	"CREATE INDEX alarm_history_by_alarm ON alarm_history(alarm_id, id);"
	"CREATE TABLE metric_filters (id BIGSERIAL PRIMARY KEY,"
	" name TEXT COLLATE \"C\" NOT NULL UNIQUE,"
	" definition TEXT COLLATE \"C\" NOT NULL,"
	" group_name TEXT COLLATE \"C\" NOT NULL,"
	" uid BIGINT NOT NULL, gid BIGINT NOT NULL, mode BIGINT NOT NULL,"
	" ctime_ms BIGINT NOT NULL, mtime_ms BIGINT NOT NULL,"
	" matched BIGINT NOT NULL DEFAULT 0,"
	" skipped BIGINT NOT NULL DEFAULT 0);"
	"CREATE INDEX metric_filters_by_group ON metric_filters(group_name);"
	"CREATE TABLE filter_minutes (filter_id BIGINT NOT NULL"
	" REFERENCES metric_filters(id) ON DELETE CASCADE,"
	" minute_ms BIGINT NOT NULL, matched BIGINT NOT NULL,"
	" PRIMARY KEY (filter_id, minute_ms));"
	"CREATE TABLE metric_journal (id BIGSERIAL PRIMARY KEY,"
	" metric_id BIGINT NOT NULL REFERENCES metrics(id) ON DELETE CASCADE,"
	" points BYTEA NOT NULL);"
	"CREATE TABLE log_streams (id BIGSERIAL PRIMARY KEY,"
	" group_id BIGINT REFERENCES log_groups(id) ON DELETE CASCADE,"
	" name TEXT COLLATE \"C\" NOT NULL,"
	" uid BIGINT NOT NULL, gid BIGINT NOT NULL, mode BIGINT NOT NULL,"
	" ctime_ms BIGINT NOT NULL, mtime_ms BIGINT NOT NULL,"
	" start_offset BIGINT NOT NULL DEFAULT 0,"
	" end_offset BIGINT NOT NULL DEFAULT 0, UNIQUE (group_id, name));"
	"CREATE INDEX log_streams_removed ON log_streams(id)"
	" WHERE group_id IS NULL;"
	"CREATE TABLE log_chunks (id BIGSERIAL PRIMARY KEY,"
	" stream_id BIGINT NOT NULL"
	" REFERENCES log_streams(id) ON DELETE CASCADE,"
	" \"offset\" BIGINT NOT NULL, len BIGINT NOT NULL,"
	" ts_ms BIGINT NOT NULL);"
	"CREATE UNIQUE INDEX log_chunks_by_offset"
	" ON log_chunks(stream_id, \"offset\");"
	"CREATE TABLE log_bytes (stream_id BIGINT NOT NULL"
	" REFERENCES log_streams(id) ON DELETE CASCADE,"
	" abs BIGINT NOT NULL, end_abs BIGINT NOT NULL, data BYTEA NOT NULL,"
	" PRIMARY KEY (stream_id, abs));"
	"CREATE INDEX log_bytes_by_end ON log_bytes(stream_id, end_abs);"
	/*
	 * Stored as written, as sqlite's segments are: compressing each
	 * 64 KiB write (TOAST's pglz) cost 60 % of a log write's time.
	 */
	"ALTER TABLE log_bytes ALTER COLUMN data SET STORAGE EXTERNAL;"
	"CREATE TABLE backlog_taken (id BIGINT PRIMARY KEY CHECK (id = 1),"
	" seq BIGINT NOT NULL);"
	"INSERT INTO backlog_taken (id, seq) VALUES (1, 0);"
	"CREATE TABLE rules (id BIGSERIAL PRIMARY KEY,"
	" name TEXT COLLATE \"C\" NOT NULL UNIQUE,"
	" definition TEXT COLLATE \"C\" NOT NULL,"
	" bus TEXT COLLATE \"C\" NOT NULL, enabled BIGINT NOT NULL,"
	" input_path TEXT COLLATE \"C\" NOT NULL,"
	" schedule TEXT COLLATE \"C\" NOT NULL,"
	" targets TEXT COLLATE \"C\" NOT NULL,"
	" uid BIGINT NOT NULL, gid BIGINT NOT NULL, mode BIGINT NOT NULL,"
	" ctime_ms BIGINT NOT NULL, mtime_ms BIGINT NOT NULL,"
	" writer_uid BIGINT NOT NULL, writer_gid BIGINT NOT NULL,"
	" writer_name TEXT COLLATE \"C\" NOT NULL,"
	" created_ms BIGINT NOT NULL, anchor_ms BIGINT NOT NULL,"
	" next_fire_ms BIGINT, matched BIGINT NOT NULL DEFAULT 0,"
	" invocations BIGINT NOT NULL DEFAULT 0,"
	" failed_invocations BIGINT NOT NULL DEFAULT 0,"
	" last_fired_ms BIGINT);"
	"CREATE INDEX rules_by_bus ON rules(bus);"
	"CREATE TABLE rule_deliveries (id BIGSERIAL PRIMARY KEY,"
	" rule_id BIGINT NOT NULL REFERENCES rules(id) ON DELETE CASCADE,"
	" rule_name TEXT COLLATE \"C\" NOT NULL,"
	" target TEXT COLLATE \"C\" NOT NULL,"
	" event TEXT COLLATE \"C\" NOT NULL);"
	"CREATE INDEX rule_deliveries_by_rule ON rule_deliveries(rule_id);"
	"CREATE TABLE dashboards (id BIGSERIAL PRIMARY KEY,"
	" name TEXT COLLATE \"C\" NOT NULL UNIQUE,"
	" body TEXT COLLATE \"C\" NOT NULL,"
	" uid BIGINT NOT NULL, gid BIGINT NOT NULL, mode BIGINT NOT NULL,"
	" ctime_ms BIGINT NOT NULL, mtime_ms BIGINT NOT NULL);"
	"CREATE TABLE trail_insight_keys (id BIGSERIAL PRIMARY KEY,"
	" event_source TEXT COLLATE \"C\" NOT NULL,"
	" event_name TEXT COLLATE \"C\" NOT NULL,"
	" UNIQUE (event_source, event_name));"
	"CREATE TABLE trail_insight_minutes (key_id BIGINT NOT NULL"
	" REFERENCES trail_insight_keys(id) ON DELETE CASCADE,"
	" minute BIGINT NOT NULL, calls BIGINT NOT NULL,"
	" errors BIGINT NOT NULL, PRIMARY KEY (key_id, minute));"
	"CREATE INDEX trail_insight_minutes_by_minute"
	" ON trail_insight_minutes(minute);"
	"CREATE TABLE trail_insight_attributions (key_id BIGINT NOT NULL"
	" REFERENCES trail_insight_keys(id) ON DELETE CASCADE,"
	" minute BIGINT NOT NULL, attribute BIGINT NOT NULL,"
	" value TEXT COLLATE \"C\" NOT NULL, error BIGINT NOT NULL,"
	" count BIGINT NOT NULL,"
	" PRIMARY KEY (key_id, attribute, minute, value, error));"
	"CREATE INDEX trail_insight_attributions_by_minute"
	" ON trail_insight_attributions(minute);"
	"CREATE TABLE trail_insight_open (key_id BIGINT NOT NULL"
	" REFERENCES trail_insight_keys(id),"
	" insight_type BIGINT NOT NULL,"
	" shared_event_id TEXT COLLATE \"C\" NOT NULL,"
	" start_minute BIGINT NOT NULL,"
	" baseline_average DOUBLE PRECISION NOT NULL,"
	" baseline_minutes BIGINT NOT NULL,"
	" PRIMARY KEY (key_id, insight_type));"
	"CREATE TABLE trail_insight_state (id BIGINT PRIMARY KEY"
	" CHECK (id = 1), first_minute BIGINT NOT NULL,"
	" judged_minute BIGINT NOT NULL);"
	"CREATE TABLE trail_archive_state (id BIGINT PRIMARY KEY"
	" CHECK (id = 1), started BIGINT NOT NULL DEFAULT 0,"
	" delivered_id BIGINT NOT NULL DEFAULT 0,"
	" last_log_ms BIGINT NOT NULL DEFAULT 0,"
	" digest_start_ms BIGINT NOT NULL DEFAULT 0,"
	" prev_key TEXT COLLATE \"C\", prev_hash TEXT COLLATE \"C\","
	" prev_signature TEXT COLLATE \"C\","
	" expired_count BIGINT NOT NULL DEFAULT 0,"
	" expired_first_day BIGINT, expired_last_day BIGINT);"
	"INSERT INTO trail_archive_state (id) VALUES (1);"
	"CREATE TABLE trail_archive_logs (id BIGSERIAL PRIMARY KEY,"
	" s3_key TEXT COLLATE \"C\" NOT NULL, hash TEXT COLLATE \"C\" NOT NULL,"
	" oldest_ms BIGINT NOT NULL, newest_ms BIGINT NOT NULL);"
	"CREATE TABLE fleet_settings (name TEXT COLLATE \"C\" PRIMARY KEY,"
	" value TEXT COLLATE \"C\" NOT NULL);"
	/*
	 * The buses' group ('', under '.': in no listing) and the default
	 * bus, made before the triggers, as sqlite's migration 10 does.
	 */
	"INSERT INTO log_groups (name, parent, uid, gid, mode, ctime_ms,"
	" mtime_ms, retention_days) VALUES ('', '.', 0, 0, 448,"
	" monfs_now_ms(), monfs_now_ms(), 1);"
	"INSERT INTO log_streams (group_id, name, uid, gid, mode, ctime_ms,"
	" mtime_ms) VALUES ((SELECT id FROM log_groups WHERE name = ''),"
	" 'default', 0, 0, 420, monfs_now_ms(), monfs_now_ms());"

	/* A directory below the top (namespace or group) changed. */
	"CREATE FUNCTION monfs_dir_changed() RETURNS trigger"
	" LANGUAGE plpgsql AS $$ DECLARE r record; BEGIN"
	" IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;"
	" IF r.parent = '' THEN PERFORM monfs_touch_top(TG_ARGV[0]);"
	" ELSIF TG_TABLE_NAME = 'namespaces' THEN"
	" UPDATE namespaces SET ctime_ms = monfs_now_ms(),"
	" mtime_ms = monfs_now_ms() WHERE name = r.parent;"
	" ELSE UPDATE log_groups SET ctime_ms = monfs_now_ms(),"
	" mtime_ms = monfs_now_ms() WHERE name = r.parent; END IF;"
	" RETURN NULL; END $$;"
	"CREATE TRIGGER namespaces_changed AFTER INSERT OR DELETE ON namespaces"
	" FOR EACH ROW EXECUTE FUNCTION monfs_dir_changed('metrics');"
	"CREATE TRIGGER log_groups_changed AFTER INSERT OR DELETE ON log_groups"
	" FOR EACH ROW EXECUTE FUNCTION monfs_dir_changed('logs');"
	/* A metric came or went: its namespace changed. */
	"CREATE FUNCTION monfs_metric_changed() RETURNS trigger"
	" LANGUAGE plpgsql AS $$ DECLARE r record; BEGIN"
	" IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;"
	" UPDATE namespaces SET ctime_ms = monfs_now_ms(),"
	" mtime_ms = monfs_now_ms() WHERE id = r.namespace_id;"
	" RETURN NULL; END $$;"
	"CREATE TRIGGER metrics_changed AFTER INSERT OR DELETE ON metrics"
	" FOR EACH ROW EXECUTE FUNCTION monfs_metric_changed();"
	/*
	 * A stream came, went or was detached from its group: the group
	 * changed, and when the group is the buses' (''), events/ did.
	 */
	"CREATE FUNCTION monfs_stream_changed() RETURNS trigger"
	" LANGUAGE plpgsql AS $$ DECLARE g bigint; BEGIN"
	" IF TG_OP = 'INSERT' THEN g := NEW.group_id;"
	" ELSE g := OLD.group_id; END IF;"
	" IF TG_OP = 'UPDATE' AND NOT (OLD.group_id IS NOT NULL"
	" AND NEW.group_id IS NULL) THEN RETURN NULL; END IF;"
	" UPDATE log_groups SET ctime_ms = monfs_now_ms(),"
	" mtime_ms = monfs_now_ms() WHERE id = g;"
	" IF TG_OP <> 'DELETE' AND g = (SELECT id FROM log_groups"
	" WHERE name = '') THEN PERFORM monfs_touch_top('events'); END IF;"
	" RETURN NULL; END $$;"
	"CREATE TRIGGER log_streams_changed"
	" AFTER INSERT OR DELETE OR UPDATE OF group_id ON log_streams"
	" FOR EACH ROW EXECUTE FUNCTION monfs_stream_changed();"
	"CREATE TRIGGER alarms_changed AFTER INSERT OR DELETE ON alarms"
	" FOR EACH ROW EXECUTE FUNCTION monfs_top_changed('alarms');"
	"CREATE TRIGGER alarms_renamed AFTER UPDATE OF name ON alarms"
	" FOR EACH ROW WHEN (OLD.name <> NEW.name)"
	" EXECUTE FUNCTION monfs_top_changed('alarms');"
	"CREATE TRIGGER metric_filters_changed"
	" AFTER INSERT OR DELETE ON metric_filters"
	" FOR EACH ROW EXECUTE FUNCTION monfs_top_changed('filters');"
	"CREATE TRIGGER metric_filters_renamed"
	" AFTER UPDATE OF name ON metric_filters"
	" FOR EACH ROW WHEN (OLD.name <> NEW.name)"
	" EXECUTE FUNCTION monfs_top_changed('filters');"
	"CREATE TRIGGER rules_changed AFTER INSERT OR DELETE ON rules"
	" FOR EACH ROW EXECUTE FUNCTION monfs_top_changed('rules');"
	"CREATE TRIGGER rules_renamed AFTER UPDATE OF name ON rules"
	" FOR EACH ROW WHEN (OLD.name <> NEW.name)"
	" EXECUTE FUNCTION monfs_top_changed('rules');"
	"CREATE TRIGGER dashboards_changed AFTER INSERT OR DELETE ON dashboards"
	" FOR EACH ROW EXECUTE FUNCTION monfs_top_changed('dashboards');"
	"CREATE TRIGGER dashboards_renamed AFTER UPDATE OF name ON dashboards"
	" FOR EACH ROW WHEN (OLD.name <> NEW.name)"
	" EXECUTE FUNCTION monfs_top_changed('dashboards');"
	/* A record not yet archived expired: the next digest says so. */
	"CREATE FUNCTION monfs_trail_expired() RETURNS trigger"
	" LANGUAGE plpgsql AS $$ BEGIN"
	" UPDATE trail_archive_state SET expired_count = expired_count + 1,"
	" expired_first_day = LEAST(coalesce(expired_first_day, OLD.day),"
	" OLD.day), expired_last_day = GREATEST(coalesce(expired_last_day,"
	" OLD.day), OLD.day) WHERE started <> 0 AND OLD.id > delivered_id;"
	" RETURN NULL; END $$;"
	"CREATE TRIGGER trail_archive_expired AFTER DELETE ON trail_records"
	" FOR EACH ROW EXECUTE FUNCTION monfs_trail_expired();";

static const char SQL_VERSION_PG[] = "SELECT max(version) FROM schema_version";

int schema_pg_migrate(struct store *st, struct err *err)
{
	struct sql_stmt *stmt;
	char sql[96];
	int version = 0, rc;

	/*
	 * One daemon makes the schema: the others wait on the lock and
	 * find it made.
	 */
	rc = db_exec(st, "BEGIN; SELECT pg_advisory_xact_lock(7262061);"
			 "CREATE TABLE IF NOT EXISTS schema_version"
			 " (version BIGINT NOT NULL)");
	if (rc)
		goto fail;
	stmt = db_stmt(st, SQL_VERSION_PG);
	rc = stmt ? db_step(stmt) : -EIO;
	if (rc == DB_ROW)
		version = sql_column_int(stmt, 0);
	if (stmt)
		sql_reset(stmt);
	if (rc < 0)
		goto fail;
	if (version > PG_SCHEMA_VERSION) {
		db_exec(st, "ROLLBACK");
		err_set(err,
			"database schema version %d is newer than this "
			"monfs (%d)",
			version, PG_SCHEMA_VERSION);
		return -EPROTO;
	}
	if (version == 0) {
		snprintf(sql, sizeof(sql),
			 "INSERT INTO schema_version VALUES (%d)",
			 PG_SCHEMA_VERSION);
		rc = db_exec(st, DDL);
		if (!rc)
			rc = db_exec(st, sql);
		if (rc)
			goto fail;
	}
	rc = db_exec(st, "COMMIT");
	if (rc)
		goto fail;
	return 0;
fail:
	err_set(err, "cannot make the schema: %s", db_errmsg(st));
	db_exec(st, "ROLLBACK");
	return rc;
}
