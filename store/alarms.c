/*
 * alarms: alarms kept in the database — definitions, state, history —
 * and their evaluation against their metric's rollups (SPEC 5).
 *
 * A definition is stored in its canonical `key = value` form and parsed
 * again when needed (lib/alarm_def.c); the decision itself is
 * lib/alarm_eval.c's. A state change, its history item and its
 * AlarmStateChange trail record commit in one transaction; running the
 * actions is the daemon's (fs/actions.c), which reports their outcomes
 * back as history items.
 */
#include "store/db.h"
#include "store/named.h"
#include "store/trail.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/alarm.h"
#include "lib/format.h"
#include "lib/perm.h"
#include "lib/timeutil.h"

#define INITIAL_REASON "Unchecked: Initial alarm creation"

static const char SQL_ALARM_GET[] =
	"SELECT id, uid, gid, mode, ctime_ms, mtime_ms FROM alarms"
	" WHERE name = ?1";
static const char SQL_ALARM_LIST[] =
	"SELECT name, uid, gid, mode, ctime_ms, mtime_ms FROM alarms"
	" ORDER BY name";
static const char SQL_ALARM_LOAD[] =
	"SELECT id, definition, state, reason, state_updated_ms, writer_uid,"
	" writer_gid, writer_name, mtime_ms, created_ms FROM alarms"
	" WHERE name = ?1";
static const char SQL_ALARM_INSERT[] =
	"INSERT INTO alarms (name, definition, uid, gid, mode, ctime_ms,"
	" mtime_ms, writer_uid, writer_gid, writer_name, state, reason,"
	" state_updated_ms, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6,"
	" ?10, ?11, ?7, ?8, ?9, ?6, ?6)";
static const char SQL_ALARM_REDEFINE[] =
	"UPDATE alarms SET definition = ?2, mtime_ms = ?3, writer_uid = ?4,"
	" writer_gid = ?5, writer_name = ?6 WHERE id = ?1";
static const char SQL_ALARM_DELETE[] = "DELETE FROM alarms WHERE name = ?1";
static const char SQL_ALARM_SOURCE[] =
	"SELECT id, definition, writer_uid, writer_gid, writer_name"
	" FROM alarms WHERE name = ?1";
static const char SQL_ALARM_MOVE[] =
	"UPDATE alarms SET name = ?2, created_ms = ?3 WHERE id = ?1";
static const char SQL_ALARM_DELETE_ID[] = "DELETE FROM alarms WHERE id = ?1";
static const char SQL_ALARM_BY_ID[] =
	"SELECT name, created_ms FROM alarms WHERE id = ?1";
static const char SQL_ALARM_SET_STATE[] =
	"UPDATE alarms SET state = ?3, reason = ?4, state_updated_ms = ?5"
	" WHERE id = ?1 AND state = ?2";
static const char SQL_ALARM_FIRST_REASON[] =
	"UPDATE alarms SET reason = ?2 WHERE id = ?1 AND reason = ?3";
static const char SQL_ALARM_EACH[] = "SELECT id, name, definition FROM alarms";
static const char SQL_HISTORY_ADD[] =
	"INSERT INTO alarm_history (alarm_id, ts_ms, type, summary, data)"
	" VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_HISTORY[] =
	"SELECT ts_ms, type, summary, data FROM alarm_history"
	" WHERE alarm_id = ?1 ORDER BY id";

/* An alarm as stored, with its definition parsed. */
struct alarm_row {
	int64_t id;
	struct alarm_def def;
	enum alarm_state state;
	char reason[1024];
	int64_t state_updated_ms;
	int64_t config_updated_ms;
	int64_t created_ms;
	uid_t writer_uid;
	gid_t writer_gid;
	char writer_name[CALLER_USER_MAX];
};

/* The id of alarm name, -ENOENT, or -EIO (-errno). Lock held. */
static int64_t alarm_id(struct store *st, const char *name)
{
	sqlite3_stmt *stmt = db_stmt(st, SQL_ALARM_GET);
	int64_t id = -ENOENT;
	int rc;

	if (!stmt)
		return -EIO;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	rc = db_step(stmt);
	if (rc == DB_ROW)
		id = sqlite3_column_int64(stmt, 0);
	else if (rc < 0)
		id = rc;
	sqlite3_reset(stmt);
	return id;
}

int store_alarm_get(struct store *st, const char *name, struct alarm_info *out)
{
	return named_get(st, SQL_ALARM_GET, name, &out->id, &out->attr);
}

int store_alarm_list(struct store *st, store_list_fn fn, void *ctx)
{
	return named_list(st, SQL_ALARM_LIST, fn, ctx);
}

/* Load alarm name. Lock held. 0, -ENOENT, or -EIO (a damaged row). */
static int load(struct store *st, const char *name, struct alarm_row *row)
{
	sqlite3_stmt *stmt = db_stmt(st, SQL_ALARM_LOAD);
	struct err err = {""};
	int rc = -ENOENT;

	if (!stmt)
		return -EIO;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	rc = db_step(stmt);
	if (rc == DB_DONE)
		rc = -ENOENT;
	if (rc == DB_ROW) {
		const char *def = (const char *)sqlite3_column_text(stmt, 1);
		const char *reason = (const char *)sqlite3_column_text(stmt, 3);
		const char *writer = (const char *)sqlite3_column_text(stmt, 7);

		row->id = sqlite3_column_int64(stmt, 0);
		rc = def ? alarm_def_parse(def, strlen(def), &row->def, &err)
			 : -EIO;
		if (rc)
			rc = -EIO;
		row->state = (enum alarm_state)sqlite3_column_int(stmt, 2);
		snprintf(row->reason, sizeof(row->reason), "%s",
			 reason ? reason : "");
		row->state_updated_ms = sqlite3_column_int64(stmt, 4);
		row->writer_uid = (uid_t)sqlite3_column_int64(stmt, 5);
		row->writer_gid = (gid_t)sqlite3_column_int64(stmt, 6);
		snprintf(row->writer_name, sizeof(row->writer_name), "%s",
			 writer ? writer : "");
		row->config_updated_ms = sqlite3_column_int64(stmt, 8);
		row->created_ms = sqlite3_column_int64(stmt, 9);
	}
	sqlite3_reset(stmt);
	return rc;
}

static int add_history(struct store *st, int64_t alarm_id, int64_t now_ms,
		       const char *type, const char *summary, const char *data)
{
	sqlite3_stmt *stmt = db_stmt(st, SQL_HISTORY_ADD);

	if (!stmt)
		return -EIO;
	sqlite3_bind_int64(stmt, 1, alarm_id);
	sqlite3_bind_int64(stmt, 2, now_ms);
	sqlite3_bind_text(stmt, 3, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, summary, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 5, data, -1, SQLITE_TRANSIENT);
	return db_exec_stmt(stmt);
}

int store_alarm_note(struct store *st, int64_t alarm_id, int64_t now_ms,
		     const char *summary, const char *data_json)
{
	int rc = db_begin(st);

	if (rc)
		return rc;
	rc = add_history(st, alarm_id, now_ms, "Action", summary, data_json);
	if (rc) {
		db_rollback(st);
		return rc;
	}
	return db_commit(st);
}

/* The attributes of a file, as perm_allows judges them. */
static struct node_attr attr_of(const struct stat *sb)
{
	return (struct node_attr){sb->st_uid, sb->st_gid, sb->st_mode & 07777,
				  0, 0};
}

/*
 * Whether who may search the directory dir on the way to the program of
 * action. 0, -EINVAL (no such directory: so no such file) or -EACCES,
 * with err saying which.
 */
static int check_exec_dir(const char *action, const char *dir,
			  const struct caller *who, struct err *err)
{
	struct node_attr a;
	struct stat sb;

	if (stat(dir, &sb)) {
		err_set(err, "%s: no such file (%s: %s)", action, dir,
			errno == ENOENT ? "no such directory"
					: strerrordesc_np(errno));
		return -EINVAL;
	}
	if (!S_ISDIR(sb.st_mode)) {
		err_set(err, "%s: no such file (%s is not a directory)", action,
			dir);
		return -EINVAL;
	}
	a = attr_of(&sb);
	if (!perm_allows(who, &a, true, PERM_EXEC)) {
		err_set(err, "%s: %s may not search %s (mode %04o)", action,
			who->user, dir, (unsigned)a.mode);
		return -EACCES;
	}
	return 0;
}

/*
 * Whether who may run the program of action ("exec:/abs/path") as
 * execve(2) would judge it (SPEC 5): search permission on every
 * directory on the way, and a regular file with an x bit for who. 0;
 * -EINVAL when there is no program there (nothing, a directory, a
 * device); -EACCES when who may not reach or run it. err names the
 * action and says which, in the words a user would look for
 * ("exec:/usr/bin/pagr: no such file").
 */
static int check_exec(const char *action, const struct caller *who,
		      struct err *err)
{
	const char *path = action + 5, *slash;
	char dir[PATH_MAX];
	struct node_attr a;
	struct stat sb;
	int rc;

	for (slash = strchr(path + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
		rc = check_exec_dir(action, dir, who, err);
		if (rc)
			return rc;
	}
	if (stat(path, &sb)) {
		err_set(err, "%s: %s", action,
			errno == ENOENT ? "no such file"
					: strerrordesc_np(errno));
		return -EINVAL;
	}
	if (S_ISDIR(sb.st_mode) || !S_ISREG(sb.st_mode)) {
		err_set(err, "%s: %s, not a program", action,
			S_ISDIR(sb.st_mode) ? "a directory"
					    : "a device, FIFO or socket");
		return -EINVAL;
	}
	a = attr_of(&sb);
	if (perm_allows(who, &a, false, PERM_EXEC))
		return 0;
	if (!(a.mode & 0111))
		err_set(err, "%s: not executable (mode %04o has no x bit)",
			action, (unsigned)a.mode);
	else
		err_set(err, "%s: %s may not execute it (mode %04o)", action,
			who->user, (unsigned)a.mode);
	return -EACCES;
}

/*
 * Whether who may append to stream group/stream, or make it: write
 * permission on the stream if it exists, else on the deepest existing
 * level of its group (logs/ itself is open to all, like /tmp).
 */
static bool may_log(struct store *st, const char *target,
		    const struct caller *who)
{
	char group[LOG_GROUP_MAX_BYTES + 1];
	const char *slash = strrchr(target, '/');
	struct stream_info s;
	struct node_attr a;
	char *cut;

	if (!slash)
		return false;
	snprintf(group, sizeof(group), "%.*s", (int)(slash - target), target);
	if (!store_stream_get(st, group, slash + 1, &s))
		return perm_allows(who, &s.attr, false, PERM_WRITE);
	for (;;) {
		if (!store_dir_get(st, TREE_LOG_GROUPS, group, &a))
			return perm_allows(who, &a, true,
					   PERM_WRITE | PERM_EXEC);
		cut = strrchr(group, '/');
		if (!cut)
			return true;
		*cut = '\0';
	}
}

/* Check every target with the writer's rights (SPEC 5). Lock not held. */
static int check_targets(struct store *st, const struct alarm_def *d,
			 const struct caller *who, struct err *err)
{
	const struct alarm_actions *lists[] = {
		&d->alarm_actions, &d->ok_actions, &d->insufficient_actions};
	size_t l, i;

	for (l = 0; l < 3; l++) {
		for (i = 0; i < lists[l]->n; i++) {
			const char *a = lists[l]->v[i];
			int rc;

			if (!strncmp(a, "exec:", 5)) {
				rc = check_exec(a, who, err);
				if (rc)
					return rc;
				continue;
			}
			if (may_log(st, a + 4, who))
				continue;
			err_set(err, "%s: %s may not write to it", a,
				who->user);
			return -EACCES;
		}
	}
	return 0;
}

int store_alarm_put(struct store *st, const char *name, const char *text,
		    size_t len, const struct node_owner *owner,
		    const struct caller *who, struct err *err)
{
	struct trail_event ev = {
		.source = "alarms.monfs",
		.name = "PutMetricAlarm",
		.who = who,
		.params = {TRAIL_STR("alarmName", name)},
		.nparams = 1,
	};
	struct strbuf canon = STRBUF_INIT;
	struct alarm_def *def = calloc(1, sizeof(*def));
	struct alarm_info existing = {0};
	int64_t now = store_now_ms();
	sqlite3_stmt *stmt;
	char summary[512];
	int rc;

	if (!def)
		return -ENOMEM;
	/* Targets are judged before the transaction: that asks the store. */
	rc = parse_definition_name(name, strlen(name));
	if (rc)
		err_set(err, "invalid alarm name");
	if (!rc)
		rc = alarm_def_parse(text, len, def, err);
	if (!rc)
		rc = check_targets(st, def, who, err);
	if (!rc)
		rc = alarm_def_render(def, &canon);
	if (db_begin(st)) {
		rc = rc ? rc : -EIO;
		goto free;
	}
	if (rc)
		goto out;
	ev.params[ev.nparams++] = TRAIL_STR("namespace", def->ns);
	ev.params[ev.nparams++] = TRAIL_STR("metricName", def->metric);
	existing.id = alarm_id(st, name);
	if (existing.id < 0 && existing.id != -ENOENT) {
		rc = (int)existing.id; /* the database failed: no guess */
		goto out;
	}
	rc = existing.id > 0 ? 0 : -ENOENT;
	if (rc)
		existing.id = 0;
	stmt = db_stmt(st, rc ? SQL_ALARM_INSERT : SQL_ALARM_REDEFINE);
	if (!stmt) {
		rc = -EIO;
		goto out;
	}
	if (rc) {
		sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, canon.buf, (int)canon.len,
				  SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 3, owner->uid);
		sqlite3_bind_int64(stmt, 4, owner->gid);
		sqlite3_bind_int64(stmt, 5, owner->mode & 07777);
		sqlite3_bind_int64(stmt, 6, now);
		sqlite3_bind_text(stmt, 7, who->user, -1, SQLITE_STATIC);
		sqlite3_bind_int(stmt, 8, ALARM_INSUFFICIENT_DATA);
		sqlite3_bind_text(stmt, 9, INITIAL_REASON, -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 10, who->uid);
		sqlite3_bind_int64(stmt, 11, who->gid);
	} else {
		sqlite3_bind_int64(stmt, 1, existing.id);
		sqlite3_bind_text(stmt, 2, canon.buf, (int)canon.len,
				  SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 3, now);
		sqlite3_bind_int64(stmt, 4, who->uid);
		sqlite3_bind_int64(stmt, 5, who->gid);
		sqlite3_bind_text(stmt, 6, who->user, -1, SQLITE_STATIC);
	}
	snprintf(summary, sizeof(summary), "Alarm \"%s\" %s", name,
		 rc ? "created" : "updated");
	rc = db_exec_stmt(stmt);
	if (!rc)
		rc = add_history(
			st,
			existing.id ? existing.id
				    : sqlite3_last_insert_rowid(db_handle(st)),
			now, "ConfigurationUpdate", summary, "{}");
out:
	rc = trail_finish_change(st, rc, &ev, err);
free:
	strbuf_release(&canon);
	free(def);
	return rc;
}

int store_alarm_delete(struct store *st, const char *name,
		       const struct caller *who, struct err *err)
{
	struct trail_event ev = {
		.source = "alarms.monfs",
		.name = "DeleteAlarms",
		.who = who,
		.params = {TRAIL_STR("alarmNames", name)},
		.nparams = 1,
	};

	return named_delete(st, SQL_ALARM_DELETE, name, &ev, err);
}

/* ---- rename (SPEC 2) ---- */

/* The alarm a rename takes its definition from. */
struct rename_source {
	int64_t id;
	char *definition; /* malloc'ed */
	int64_t writer_uid, writer_gid;
	char writer_name[CALLER_USER_MAX];
};

/*
 * Load alarm name as a rename's source. 0, -ENOENT, -ENOMEM, or -EIO
 * (-errno) when the database failed. Lock held.
 */
static int load_source(struct store *st, const char *name,
		       struct rename_source *src)
{
	sqlite3_stmt *stmt = db_stmt(st, SQL_ALARM_SOURCE);
	const char *def, *writer;
	int rc = -ENOENT;

	if (!stmt)
		return -EIO;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	rc = db_step(stmt);
	if (rc == DB_DONE)
		rc = -ENOENT;
	if (rc == DB_ROW) {
		def = (const char *)sqlite3_column_text(stmt, 1);
		writer = (const char *)sqlite3_column_text(stmt, 4);
		src->id = sqlite3_column_int64(stmt, 0);
		src->definition = strdup(def ? def : "");
		src->writer_uid = sqlite3_column_int64(stmt, 2);
		src->writer_gid = sqlite3_column_int64(stmt, 3);
		snprintf(src->writer_name, sizeof(src->writer_name), "%s",
			 writer ? writer : "");
		rc = src->definition ? 0 : -ENOMEM;
	}
	sqlite3_reset(stmt);
	return rc;
}

/* Run stmt (an UPDATE or DELETE of alarm id, bound at ?1). Lock held. */
static int exec_on(sqlite3_stmt *stmt, int64_t id)
{
	if (!stmt)
		return -EIO;
	sqlite3_bind_int64(stmt, 1, id);
	return db_exec_stmt(stmt);
}

/*
 * Onto existing alarm target: src's definition and writer become its
 * own, as writing them would, and src goes. Lock held, transaction open.
 */
static int rename_onto(struct store *st, const struct rename_source *src,
		       int64_t target, const char *to, int64_t now_ms)
{
	sqlite3_stmt *stmt = db_stmt(st, SQL_ALARM_REDEFINE);
	char summary[512];
	int rc;

	if (!stmt)
		return -EIO;
	sqlite3_bind_int64(stmt, 1, target);
	sqlite3_bind_text(stmt, 2, src->definition, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, now_ms);
	sqlite3_bind_int64(stmt, 4, src->writer_uid);
	sqlite3_bind_int64(stmt, 5, src->writer_gid);
	sqlite3_bind_text(stmt, 6, src->writer_name, -1, SQLITE_STATIC);
	rc = db_exec_stmt(stmt);
	snprintf(summary, sizeof(summary), "Alarm \"%s\" updated", to);
	if (!rc)
		rc = add_history(st, target, now_ms, "ConfigurationUpdate",
				 summary, "{}");
	return rc ? rc : exec_on(db_stmt(st, SQL_ALARM_DELETE_ID), src->id);
}

/*
 * To a free name: the alarm moves whole, and counts as created now.
 * Lock held, transaction open.
 */
static int rename_move(struct store *st, const struct rename_source *src,
		       const char *from, const char *to, int64_t now_ms)
{
	sqlite3_stmt *stmt = db_stmt(st, SQL_ALARM_MOVE);
	char summary[600];
	int rc;

	if (!stmt)
		return -EIO;
	sqlite3_bind_int64(stmt, 1, src->id);
	sqlite3_bind_text(stmt, 2, to, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, now_ms);
	rc = db_exec_stmt(stmt);
	snprintf(summary, sizeof(summary), "Alarm \"%s\" renamed to \"%s\"",
		 from, to);
	return rc ? rc
		  : add_history(st, src->id, now_ms, "ConfigurationUpdate",
				summary, "{}");
}

int store_alarm_rename(struct store *st, const char *from, const char *to,
		       const struct caller *who, struct err *err)
{
	struct trail_event put = {
		.source = "alarms.monfs",
		.name = "PutMetricAlarm",
		.who = who,
		.params = {TRAIL_STR("alarmName", to),
			   TRAIL_STR("sourceAlarmName", from)},
		.nparams = 2,
	};
	struct trail_event del = {
		.source = "alarms.monfs",
		.name = "DeleteAlarms",
		.who = who,
		.params = {TRAIL_STR("alarmNames", from)},
		.nparams = 1,
	};
	struct rename_source src = {0};
	struct alarm_def *def = calloc(1, sizeof(*def));
	int64_t now = store_now_ms(), target;
	int rc;

	if (!strcmp(from, to)) {
		free(def); /* the same alarm: nothing moves */
		return store_alarm_get(st, from, &(struct alarm_info){0});
	}
	if (!def)
		return -ENOMEM;
	rc = parse_definition_name(to, strlen(to));
	if (rc)
		err_set(err, "invalid alarm name");
	if (db_begin(st)) {
		free(def);
		return rc ? rc : -EIO;
	}
	if (!rc)
		rc = load_source(st, from, &src);
	if (!rc && alarm_def_parse(src.definition, strlen(src.definition), def,
				   NULL) == 0) {
		put.params[put.nparams++] = TRAIL_STR("namespace", def->ns);
		put.params[put.nparams++] =
			TRAIL_STR("metricName", def->metric);
	}
	target = rc ? 0 : alarm_id(st, to);
	if (target < 0 && target != -ENOENT)
		rc = (int)target;
	if (!rc)
		rc = target > 0 ? rename_onto(st, &src, target, to, now)
				: rename_move(st, &src, from, to, now);
	if (!rc)
		rc = trail_append_locked(st, &put, now);
	rc = rc ? trail_finish_change(st, rc, &put, err)
		: trail_finish_change(st, 0, &del, err);
	free(src.definition);
	free(def);
	return rc;
}

int store_alarm_by_id(struct store *st, int64_t id, char name[ALARM_NAME_SIZE],
		      int64_t *created_ms)
{
	sqlite3_stmt *stmt;
	int rc = -ENOENT;

	db_lock(st);
	stmt = db_stmt(st, SQL_ALARM_BY_ID);
	if (!stmt) {
		rc = -EIO;
		goto out;
	}
	sqlite3_bind_int64(stmt, 1, id);
	rc = db_step(stmt);
	if (rc == DB_DONE)
		rc = -ENOENT;
	if (rc == DB_ROW) {
		const char *n = (const char *)sqlite3_column_text(stmt, 0);

		snprintf(name, ALARM_NAME_SIZE, "%s", n ? n : "");
		*created_ms = sqlite3_column_int64(stmt, 1);
		rc = 0;
	}
	sqlite3_reset(stmt);
out:
	db_unlock(st);
	return rc;
}

/* ---- rendering ---- */

static int render_text(const struct alarm_row *row, struct strbuf *out)
{
	char when[FORMAT_TIME_MAX];
	int rc = alarm_def_render(&row->def, out);

	if (rc)
		return rc;
	format_time(when,
		    row->state_updated_ms -
			    ((row->state_updated_ms % 1000) + 1000) % 1000);
	return strbuf_addf(out, "state = %s\nreason = %s\nstate_updated = %s\n",
			   alarm_state_name(row->state), row->reason, when);
}

static json_t *actions_json(const struct alarm_actions *a)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr && i < a->n; i++)
		json_array_append_new(arr, json_string(a->v[i]));
	return arr;
}

static char *iso(char buf[FORMAT_TIME_MAX], int64_t ms)
{
	return format_time(buf, ms);
}

/* DescribeAlarms' MetricAlarm. */
static int render_json(const char *name, const struct alarm_row *row,
		       struct strbuf *out)
{
	const struct alarm_def *d = &row->def;
	char t1[FORMAT_TIME_MAX], t2[FORMAT_TIME_MAX];
	json_t *j = json_object();
	char *text;
	int rc;

	if (!j)
		return -ENOMEM;
	json_object_set_new(j, "AlarmName", json_string(name));
	json_object_set_new(j, "AlarmDescription", json_string(d->description));
	json_object_set_new(j, "AlarmConfigurationUpdatedTimestamp",
			    json_string(iso(t1, row->config_updated_ms)));
	json_object_set_new(j, "ActionsEnabled",
			    json_boolean(d->actions_enabled));
	json_object_set_new(j, "OKActions", actions_json(&d->ok_actions));
	json_object_set_new(j, "AlarmActions", actions_json(&d->alarm_actions));
	json_object_set_new(j, "InsufficientDataActions",
			    actions_json(&d->insufficient_actions));
	json_object_set_new(j, "StateValue",
			    json_string(alarm_state_name(row->state)));
	json_object_set_new(j, "StateReason", json_string(row->reason));
	json_object_set_new(j, "StateUpdatedTimestamp",
			    json_string(iso(t2, row->state_updated_ms)));
	json_object_set_new(j, "MetricName", json_string(d->metric));
	json_object_set_new(j, "Namespace", json_string(d->ns));
	if (d->stat.cw_name)
		json_object_set_new(j, "Statistic",
				    json_string(d->stat.cw_name));
	else
		json_object_set_new(j, "ExtendedStatistic",
				    json_string(d->stat.name));
	json_object_set_new(j, "Dimensions", json_array());
	json_object_set_new(j, "Period", json_integer(d->period_s));
	if (d->unit[0])
		json_object_set_new(j, "Unit", json_string(d->unit));
	json_object_set_new(j, "EvaluationPeriods",
			    json_integer(d->evaluation_periods));
	json_object_set_new(j, "DatapointsToAlarm",
			    json_integer(d->datapoints_to_alarm));
	json_object_set_new(j, "Threshold", json_real(d->threshold));
	json_object_set_new(j, "ComparisonOperator",
			    json_string(alarm_comparison_name(d->comparison)));
	json_object_set_new(j, "TreatMissingData",
			    json_string(alarm_missing_name(d->missing)));
	text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (!text)
		return -ENOMEM;
	rc = strbuf_addf(out, "%s\n", text);
	free(text);
	return rc;
}

/* DescribeAlarmHistory's AlarmHistoryItems, one JSON line each. */
static int render_history(struct store *st, const char *name, int64_t id,
			  struct strbuf *out)
{
	sqlite3_stmt *stmt = db_stmt(st, SQL_HISTORY);
	char when[FORMAT_TIME_MAX];
	int rc = 0;

	if (!stmt)
		return -EIO;
	sqlite3_bind_int64(stmt, 1, id);
	while (!rc && (rc = db_step(stmt)) == DB_ROW) {
		json_t *j = json_pack(
			"{s:s,s:s,s:s,s:s,s:s}", "AlarmName", name, "Timestamp",
			iso(when, sqlite3_column_int64(stmt, 0)),
			"HistoryItemType", sqlite3_column_text(stmt, 1),
			"HistorySummary", sqlite3_column_text(stmt, 2),
			"HistoryData", sqlite3_column_text(stmt, 3));
		char *text =
			j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER)
			  : NULL;

		json_decref(j);
		rc = text ? strbuf_addf(out, "%s\n", text) : -ENOMEM;
		free(text);
	}
	sqlite3_reset(stmt);
	return rc;
}

int store_alarm_render(struct store *st, const char *name, enum alarm_view view,
		       struct strbuf *out)
{
	struct alarm_row *row = calloc(1, sizeof(*row));
	int rc;

	if (!row)
		return -ENOMEM;
	db_lock(st);
	rc = load(st, name, row);
	if (!rc) {
		if (view == ALARM_VIEW_TEXT)
			rc = render_text(row, out);
		else if (view == ALARM_VIEW_JSON)
			rc = render_json(name, row, out);
		else
			rc = render_history(st, name, row->id, out);
	}
	db_unlock(st);
	free(row);
	return rc;
}

/* ---- evaluation ---- */

struct fill_ctx {
	const struct stat_spec *stat;
	int64_t newest_ms; /* start of the newest complete period */
	int64_t period_ms;
	struct alarm_point *points;
	int n;
};

/* store_stats_fn: place one period's statistic, newest first. */
static int fill_point(void *ctx, int64_t start_ms, const struct summary *s)
{
	struct fill_ctx *f = ctx;
	int64_t i = (f->newest_ms - start_ms) / f->period_ms;

	if (i >= 0 && i < f->n) {
		f->points[i].has_value = true;
		f->points[i].value = stat_value(f->stat, s);
	}
	return 0;
}

void alarm_change_release(struct alarm_change *c)
{
	size_t i;

	free(c->description);
	free(c->reason);
	free(c->message);
	for (i = 0; i < c->nactions; i++)
		free(c->actions[i]);
	free(c->actions);
	memset(c, 0, sizeof(*c));
}

/* The SNS-notification-shaped JSON line that actions get. */
static char *change_message(const char *name, const struct alarm_row *row,
			    const struct alarm_verdict *v, int64_t now_ms)
{
	char when[FORMAT_TIME_MAX];
	json_t *j;
	char *text;

	j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "AlarmName", name,
		      "AlarmDescription", row->def.description, "NewStateValue",
		      alarm_state_name(v->state), "OldStateValue",
		      alarm_state_name(row->state), "NewStateReason", v->reason,
		      "StateChangeTime", format_time(when, now_ms));
	text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(j);
	return text;
}

/* Copy the actions of the verdict's state, if enabled. 0 or -ENOMEM. */
static int change_actions(const struct alarm_row *row,
			  const struct alarm_verdict *v, struct alarm_change *c)
{
	const struct alarm_actions *acts =
		v->state == ALARM_ALARM ? &row->def.alarm_actions
		: v->state == ALARM_OK	? &row->def.ok_actions
					: &row->def.insufficient_actions;
	size_t i;

	if (!row->def.actions_enabled || acts->n == 0)
		return 0;
	c->actions = calloc(acts->n, sizeof(*c->actions));
	if (!c->actions)
		return -ENOMEM;
	for (i = 0; i < acts->n; i++) {
		c->actions[i] = strdup(acts->v[i]);
		if (!c->actions[i])
			return -ENOMEM;
		c->nactions++;
	}
	return 0;
}

/*
 * Describe the change the verdict makes, every string whole.
 * 0, or -ENOMEM with *c partly filled (release it).
 */
static int describe_change(const char *name, const struct alarm_row *row,
			   const struct alarm_verdict *v, int64_t now_ms,
			   struct alarm_change *c)
{
	assert(strlen(name) < sizeof(c->name));
	memset(c, 0, sizeof(*c));
	c->alarm_id = row->id;
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->old_state = (int)row->state;
	c->new_state = (int)v->state;
	c->time_ms = now_ms;
	c->created_ms = row->created_ms;
	c->writer_uid = row->writer_uid;
	c->writer_gid = row->writer_gid;
	snprintf(c->writer_name, sizeof(c->writer_name), "%s",
		 row->writer_name);
	c->description = strdup(row->def.description);
	c->reason = strdup(v->reason);
	c->message = change_message(name, row, v, now_ms);
	if (!c->description || !c->reason || !c->message)
		return -ENOMEM;
	return change_actions(row, v, c);
}

/* Commit a state change with its history item and trail record. */
static int change_state(struct store *st, const struct alarm_row *row,
			const struct alarm_change *c)
{
	struct trail_event ev = {
		.source = "alarms.monfs",
		.name = "AlarmStateChange",
		.service_event = true,
		.params = {TRAIL_STR("alarmName", c->name),
			   TRAIL_STR("oldState", alarm_state_name(row->state)),
			   TRAIL_STR("newState",
				     alarm_state_name(
					     (enum alarm_state)c->new_state)),
			   TRAIL_STR("reason", c->reason)},
		.nparams = 4,
	};
	char summary[256];
	json_t *data;
	char *text;
	sqlite3_stmt *stmt;
	int rc;

	snprintf(summary, sizeof(summary), "Alarm updated from %s to %s",
		 alarm_state_name(row->state),
		 alarm_state_name((enum alarm_state)c->new_state));
	data = json_pack("{s:s,s:{s:s,s:s},s:{s:s,s:s}}", "version", "1.0",
			 "oldState", "stateValue", alarm_state_name(row->state),
			 "stateReason", row->reason, "newState", "stateValue",
			 alarm_state_name((enum alarm_state)c->new_state),
			 "stateReason", c->reason);
	text = data ? json_dumps(data, JSON_COMPACT | JSON_PRESERVE_ORDER)
		    : NULL;
	json_decref(data);
	if (!text)
		return -ENOMEM;
	rc = db_begin(st);
	if (rc)
		goto out;
	stmt = db_stmt(st, SQL_ALARM_SET_STATE);
	rc = stmt ? 0 : -EIO;
	if (!rc) {
		sqlite3_bind_int64(stmt, 1, row->id);
		sqlite3_bind_int(stmt, 2, (int)row->state);
		sqlite3_bind_int(stmt, 3, c->new_state);
		sqlite3_bind_text(stmt, 4, c->reason, -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 5, c->time_ms);
		rc = db_exec_stmt(stmt);
	}
	/* Changed meanwhile by another evaluation: that one stands. */
	if (!rc && sqlite3_changes(db_handle(st)) == 0)
		rc = -EAGAIN;
	if (!rc)
		rc = add_history(st, row->id, c->time_ms, "StateUpdate",
				 summary, text);
	if (!rc)
		rc = trail_append_locked(st, &ev, c->time_ms);
	if (rc)
		db_rollback(st);
	else
		rc = db_commit(st);
out:
	free(text);
	return rc;
}

/*
 * A new alarm whose first evaluation leaves it where it started (no data:
 * INSUFFICIENT_DATA) takes that evaluation's reason in place of
 * "Unchecked: Initial alarm creation", so that a read after the defining
 * close shows the evaluation (SPEC 5). Not a state change: no history,
 * no trail record, no actions. Later evaluations that change nothing
 * leave the reason of the last transition, as CloudWatch does.
 */
static int first_reason(struct store *st, const struct alarm_row *row,
			const struct alarm_verdict *v)
{
	sqlite3_stmt *stmt;
	int rc;

	if (v->keep || strcmp(row->reason, INITIAL_REASON))
		return 0;
	rc = db_begin(st);
	if (rc)
		return rc;
	stmt = db_stmt(st, SQL_ALARM_FIRST_REASON);
	rc = stmt ? 0 : -EIO;
	if (!rc) {
		sqlite3_bind_int64(stmt, 1, row->id);
		sqlite3_bind_text(stmt, 2, v->reason, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 3, INITIAL_REASON, -1, SQLITE_STATIC);
		rc = db_exec_stmt(stmt);
	}
	if (rc) {
		db_rollback(st);
		return rc;
	}
	return db_commit(st);
}

int store_alarm_evaluate(struct store *st, const char *name, int64_t now_ms,
			 struct alarm_change *change)
{
	struct alarm_row *row = calloc(1, sizeof(*row));
	struct alarm_point points[128];
	struct alarm_verdict verdict;
	struct metric_info metric;
	struct fill_ctx fill;
	int n, i, rc;

	memset(change, 0, sizeof(*change));
	if (!row)
		return -ENOMEM;
	db_lock(st);
	rc = load(st, name, row);
	db_unlock(st);
	if (rc)
		goto out;
	n = alarm_range(&row->def);
	if (n > (int)(sizeof(points) / sizeof(points[0])))
		n = sizeof(points) / sizeof(points[0]);
	fill = (struct fill_ctx){&row->def.stat, 0,
				 row->def.period_s * MS_PER_SECOND, points, n};
	/* Complete periods only: the newest ends at or before now. */
	fill.newest_ms = (now_ms / fill.period_ms - 1) * fill.period_ms;
	for (i = 0; i < n; i++)
		points[i] = (struct alarm_point){
			fill.newest_ms - i * fill.period_ms, false, 0};
	if (!store_metric_get(st, row->def.ns, row->def.metric, &metric)) {
		struct stats_query q = {row->def.period_s,
					fill.newest_ms -
						(n - 1) * fill.period_ms,
					fill.newest_ms + 1, now_ms};

		rc = store_metric_stats(st, metric.id, &q, fill_point, &fill);
		if (rc)
			goto out;
	}
	alarm_evaluate(&row->def, points, (size_t)n, row->state, &verdict);
	if (verdict.keep || verdict.state == row->state) {
		rc = first_reason(st, row, &verdict);
		goto out;
	}
	rc = describe_change(name, row, &verdict, now_ms, change);
	if (!rc)
		rc = change_state(st, row, change);
	if (rc)
		alarm_change_release(change);
	rc = rc == -EAGAIN ? 0 : rc ? rc : 1;
out:
	free(row);
	return rc;
}

int store_alarms_each(struct store *st, store_alarm_fn fn, void *ctx)
{
	sqlite3_stmt *stmt;
	int rc = 0;

	db_lock(st);
	stmt = db_stmt(st, SQL_ALARM_EACH);
	if (!stmt) {
		rc = -EIO;
		goto out;
	}
	while (!rc && (rc = db_step(stmt)) == DB_ROW) {
		const char *def = (const char *)sqlite3_column_text(stmt, 2);
		const char *p = def ? strstr(def, "\nperiod = ") : NULL;

		rc = 0;
		/* The canonical form always holds its period line. */
		if (p)
			rc = fn(ctx, sqlite3_column_int64(stmt, 0),
				(const char *)sqlite3_column_text(stmt, 1),
				strtoll(p + 10, NULL, 10));
	}
	sqlite3_reset(stmt);
out:
	db_unlock(st);
	return rc;
}

int store_log_line(struct store *st, const char *group, const char *stream,
		   const char *line, const struct caller *who, int64_t now_ms)
{
	char level[LOG_GROUP_MAX_BYTES + 1];
	struct stream_info s;
	struct data_session *ds;
	struct err err = {""};
	const char *slash = group;
	int rc;

	/* Make each level of the group, then the stream, as mkdir -p would. */
	do {
		slash = strchr(slash + 1, '/');
		snprintf(level, sizeof(level), "%.*s",
			 (int)(slash ? (size_t)(slash - group) : strlen(group)),
			 group);
		if (store_dir_get(st, TREE_LOG_GROUPS, level, NULL)) {
			rc = store_dir_create(st, TREE_LOG_GROUPS, level, 0755,
					      who, &err);
			if (rc && rc != -EEXIST)
				return rc;
		}
	} while (slash);
	if (store_stream_get(st, group, stream, &s)) {
		rc = store_stream_create(st, group, stream, 0644, who, &s,
					 &err);
		if (rc && rc != -EEXIST)
			return rc;
		if (rc && store_stream_get(st, group, stream, &s))
			return -ENOENT;
	}
	ds = store_data_open(DATA_STREAM, s.id, group, stream, who);
	if (!ds)
		return -ENOMEM;
	rc = store_data_put(st, ds, line, strlen(line), now_ms, &err);
	store_data_close(st, ds);
	return rc;
}
