/*
 * rules: EventBridge rules kept in the database (SPEC 13) — their
 * definitions: put, delete, rename and render, with their trail records
 * and the checks a definition must pass (its targets with the writer's
 * rights, no cycle of events: targets across rules). Matching is
 * rules_match.c's, deliveries and schedules rules_deliver.c's.
 */
#include "store/alarms.h"
#include "store/buses.h"
#include "store/db.h"
#include "store/filters.h"
#include "store/logs.h"
#include "store/named.h"
#include "store/rules.h"
#include "store/rules_impl.h"
#include "store/trail.h"

#include <errno.h>
#include <grp.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/event_pattern.h"
#include "lib/event_ruler.h"
#include "lib/format.h"
#include "lib/perm.h"
#include "lib/rule_def.h"

static const char SQL_RULE_GET[] =
	"SELECT id, uid, gid, mode, ctime_ms, mtime_ms FROM rules"
	" WHERE name = ?1";
static const char SQL_RULE_LIST[] =
	"SELECT name, uid, gid, mode, ctime_ms, mtime_ms FROM rules"
	" ORDER BY name";
static const char SQL_RULE_ANCHOR[] =
	"SELECT anchor_ms FROM rules WHERE name = ?1";
static const char SQL_RULE_INSERT[] =
	"INSERT INTO rules (name, definition, bus, enabled, input_path,"
	" schedule, targets, uid, gid, mode, ctime_ms, mtime_ms, writer_uid,"
	" writer_gid, writer_name, created_ms, anchor_ms, next_fire_ms)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12, ?13,"
	" ?14, ?11, ?15, ?16)"
	" ON CONFLICT (name) DO UPDATE SET definition = ?2, bus = ?3,"
	" enabled = ?4, input_path = ?5, schedule = ?6, targets = ?7,"
	" mtime_ms = ?11, writer_uid = ?12, writer_gid = ?13,"
	" writer_name = ?14, next_fire_ms = ?16";
static const char SQL_RULE_DELETE[] = "DELETE FROM rules WHERE name = ?1";
static const char SQL_RULE_EDGES[] =
	"SELECT name, bus, targets FROM rules WHERE bus != '' AND name != ?1";
static const char SQL_RULE_LOAD[] =
	"SELECT definition, matched, invocations, failed_invocations,"
	" last_fired_ms FROM rules WHERE name = ?1";
static const char SQL_RULE_SOURCE[] =
	"SELECT id, definition, bus, enabled, input_path, schedule, targets,"
	" writer_uid, writer_gid, writer_name, next_fire_ms FROM rules"
	" WHERE name = ?1";
static const char SQL_RULE_MOVE[] =
	"UPDATE rules SET name = ?2, created_ms = ?3 WHERE id = ?1";
static const char SQL_RULE_REDEFINE[] =
	"UPDATE rules SET definition = ?2, bus = ?3, enabled = ?4,"
	" input_path = ?5, schedule = ?6, targets = ?7, writer_uid = ?8,"
	" writer_gid = ?9, writer_name = ?10, next_fire_ms = ?11,"
	" mtime_ms = ?12 WHERE id = ?1";
static const char SQL_RULE_DELETE_ID[] = "DELETE FROM rules WHERE id = ?1";

/* ---- definitions ---- */

int store_rule_get(struct store *st, const char *name, struct alarm_info *out)
{
	return named_get(st, SQL_RULE_GET, name, &out->id, &out->attr);
}

int store_rule_list(struct store *st, store_list_fn fn, void *ctx)
{
	return named_list(st, SQL_RULE_LIST, fn, ctx);
}

/* The targets of d, one canonical text per line. 0 or -ENOMEM. */
static int targets_text(const struct rule_def *d, struct strbuf *out)
{
	size_t i;
	int rc = strbuf_adds(out, "");

	for (i = 0; !rc && i < d->ntargets; i++)
		rc = strbuf_addf(out, "%s\n", d->targets[i].text);
	return rc;
}

/*
 * Check each target of d with who's rights (SPEC 13): a log: stream who
 * may write or make, an exec: program who may run, an events: bus that
 * exists and who may write. Lock not held.
 */
static int check_targets(struct store *st, const struct rule_def *d,
			 const struct caller *who, struct err *err)
{
	struct stream_info bus;
	size_t i;
	int rc;

	for (i = 0; i < d->ntargets; i++) {
		const struct rule_target *t = &d->targets[i];

		switch (t->kind) {
		case RULE_TARGET_EXEC:
			rc = target_check_exec(t->text, who, err);
			if (rc)
				return rc;
			break;
		case RULE_TARGET_LOG:
			if (target_may_log(st, t->text + 4, who))
				break;
			err_set(err, "%s: %s may not write to it", t->text,
				who->user);
			return -EACCES;
		case RULE_TARGET_EVENTS:
			if (store_bus_get(st, t->bus, &bus)) {
				err_set(err, "%s: no such bus", t->text);
				return -EINVAL;
			}
			if (!strcmp(t->bus, BUS_DEFAULT) && who->uid != 0)
				bus.attr.mode = 0; /* root's: it carries aws. */
			if (perm_allows(who, &bus.attr, false, PERM_WRITE))
				break;
			err_set(err, "%s: %s may not write to it", t->text,
				who->user);
			return -EACCES;
		}
	}
	return 0;
}

/*
 * The events: edges of every pattern rule but name, and of d in its
 * place, checked for a cycle (SPEC 13). Lock not held.
 */
static int check_cycle(struct store *st, const char *name,
		       const struct rule_def *d, struct err *err)
{
	struct rule_bus_edge *edges = NULL;
	char **texts = NULL; /* the rows' strings the edges point into */
	size_t n = 0, ntexts = 0, i;
	struct sql_stmt *stmt;
	int rc = 0;

	for (i = 0; i < d->ntargets; i++) {
		struct rule_bus_edge *v;

		if (d->targets[i].kind != RULE_TARGET_EVENTS)
			continue;
		v = realloc(edges, (n + 1) * sizeof(*v));
		if (!v) {
			rc = -ENOMEM;
			goto out;
		}
		edges = v;
		edges[n++] =
			(struct rule_bus_edge){d->bus, d->targets[i].bus, name};
	}
	if (!n)
		goto out; /* no edge of its own: it closes no cycle */
	db_lock(st);
	stmt = db_stmt(st, SQL_RULE_EDGES);
	if (!stmt)
		rc = -EIO;
	if (stmt)
		sql_bind_text(stmt, 1, name, -1);
	while (!rc && (rc = db_step(stmt)) == DB_ROW) {
		const char *cols[3];
		char **tv, *line, *save = NULL;
		size_t k;

		rc = 0;
		tv = realloc(texts, (ntexts + 3) * sizeof(*tv));
		if (!tv) {
			rc = -ENOMEM;
			break;
		}
		texts = tv;
		for (k = 0; k < 3; k++) {
			cols[k] = (const char *)sql_column_text(stmt, (int)k);
			texts[ntexts] = strdup(cols[k] ? cols[k] : "");
			if (!texts[ntexts++])
				rc = -ENOMEM;
		}
		for (line = rc ? NULL
			       : strtok_r(texts[ntexts - 1], "\n", &save);
		     line && !rc; line = strtok_r(NULL, "\n", &save)) {
			struct rule_bus_edge *v;

			if (strncmp(line, "events:", 7))
				continue;
			v = realloc(edges, (n + 1) * sizeof(*v));
			if (!v) {
				rc = -ENOMEM;
				break;
			}
			edges = v;
			edges[n++] = (struct rule_bus_edge){
				texts[ntexts - 2], line + 7, texts[ntexts - 3]};
		}
	}
	if (stmt)
		sql_reset(stmt);
	db_unlock(st);
	if (!rc)
		rc = rule_bus_cycle(edges, n, err);
out:
	for (i = 0; i < ntexts; i++)
		free(texts[i]);
	free(texts);
	free(edges);
	return rc;
}

/* A rule definition being written: named_put's ctx. */
struct rule_put {
	const char *name;
	const struct rule_def *def;
	const struct strbuf *canon;
	const struct strbuf *targets;
	const struct node_owner *owner;
	const struct caller *who;
};

int rules_first_firing(const struct schedule *s, int64_t now_ms,
		       int64_t anchor_ms, int64_t *next)
{
	int rc = schedule_next(s, now_ms, anchor_ms, next);

	if (rc == -ENOENT || rc == -EOVERFLOW) {
		*next = INT64_MIN;
		return 0;
	}
	return rc;
}

void rules_bind_next(struct sql_stmt *stmt, int col, int64_t next)
{
	if (next == INT64_MIN)
		sql_bind_null(stmt, col);
	else
		sql_bind_int64(stmt, col, next);
}

/* Create or redefine the rule. Lock held, transaction open. */
static int write_rule(struct store *st, void *ctx)
{
	const struct rule_put *p = ctx;
	int64_t now = store_now_ms(), anchor = now, next = INT64_MIN;
	struct sql_stmt *stmt;
	int rc = db_find(st, SQL_RULE_ANCHOR, p->name, &stmt);

	if (rc < 0 && rc != -ENOENT)
		return rc;
	if (rc == DB_ROW) {
		anchor = sql_column_int64(stmt, 0); /* the phase stays */
		sql_reset(stmt);
	}
	if (p->def->has_schedule) {
		rc = rules_first_firing(&p->def->schedule, now, anchor, &next);
		if (rc)
			return rc;
	}
	stmt = db_stmt(st, SQL_RULE_INSERT);
	if (!stmt)
		return -EIO;
	sql_bind_text(stmt, 1, p->name, -1);
	sql_bind_text(stmt, 2, p->canon->buf, (int)p->canon->len);
	sql_bind_text(stmt, 3, p->def->bus, -1);
	sql_bind_int(stmt, 4, p->def->enabled);
	sql_bind_text(stmt, 5, p->def->input_path, -1);
	sql_bind_text(stmt, 6,
		      p->def->has_schedule ? schedule_format(&p->def->schedule)
					   : "",
		      -1);
	sql_bind_text(stmt, 7, p->targets->buf, (int)p->targets->len);
	sql_bind_int64(stmt, 8, p->owner->uid);
	sql_bind_int64(stmt, 9, p->owner->gid);
	sql_bind_int64(stmt, 10, p->owner->mode & 07777);
	sql_bind_int64(stmt, 11, now);
	sql_bind_int64(stmt, 12, p->who->uid);
	sql_bind_int64(stmt, 13, p->who->gid);
	sql_bind_text(stmt, 14, p->who->user, -1);
	sql_bind_int64(stmt, 15, anchor);
	rules_bind_next(stmt, 16, next);
	rc = db_exec_stmt(stmt);
	if (!rc)
		rules_cache_stale(st);
	return rc;
}

/* PutRule's requestParameters of d: its targets as one JSON text. */
static char *targets_json(const struct rule_def *d)
{
	json_t *list = json_array();
	char *out = NULL;
	size_t i;
	int bad = !list;

	for (i = 0; !bad && i < d->ntargets; i++)
		bad = json_array_append_new(list,
					    json_string(d->targets[i].text));
	if (!bad)
		out = json_dumps(list, JSON_COMPACT);
	json_decref(list);
	return out;
}

int store_rule_put(struct store *st, const char *name, const char *text,
		   size_t len, const struct node_owner *owner,
		   const struct caller *who, struct err *err)
{
	struct trail_event ev = {
		.source = "rules.monfs",
		.name = "PutRule",
		.who = who,
		.params = {TRAIL_STR("name", name)},
		.nparams = 1,
	};
	struct rule_def *def = calloc(1, sizeof(*def));
	struct strbuf canon = STRBUF_INIT, targets = STRBUF_INIT;
	struct rule_put put = {name, def, &canon, &targets, owner, who};
	char *tj = NULL;
	int rc;

	if (!def)
		return -ENOMEM;
	rc = named_check_name(name, "rule", err);
	if (!rc)
		rc = rule_def_parse(text, len, def, err);
	if (!rc) {
		if (def->has_schedule)
			ev.params[ev.nparams++] =
				TRAIL_STR("scheduleExpression",
					  schedule_format(&def->schedule));
		else
			ev.params[ev.nparams++] =
				TRAIL_JSON("eventPattern", def->pattern);
		if (!def->has_schedule)
			ev.params[ev.nparams++] =
				TRAIL_STR("eventBusName", def->bus);
		ev.params[ev.nparams++] = TRAIL_STR(
			"state", def->enabled ? "ENABLED" : "DISABLED");
		tj = targets_json(def);
		rc = tj ? 0 : -ENOMEM;
		ev.params[ev.nparams++] = TRAIL_JSON("targets", tj);
	}
	if (!rc && !def->has_schedule &&
	    store_bus_get(st, def->bus, &(struct stream_info){0})) {
		err_set(err, "bus %s: no such bus", def->bus);
		rc = -EINVAL;
	}
	if (!rc)
		rc = check_targets(st, def, who, err);
	if (!rc)
		rc = check_cycle(st, name, def, err);
	if (!rc)
		rc = rule_def_render(def, &canon);
	if (!rc)
		rc = targets_text(def, &targets);
	rc = named_put(st, rc, write_rule, &put, &ev, err);
	free(tj);
	strbuf_release(&canon);
	strbuf_release(&targets);
	free(def);
	return rc;
}

/* named_check_fn: the rule goes, so the matchers are stale. */
static int delete_stale(struct store *st, const char *name, struct err *err)
{
	(void)name, (void)err;
	rules_cache_stale(st);
	return 0;
}

int store_rule_delete(struct store *st, const char *name,
		      const struct caller *who, struct err *err)
{
	struct trail_event ev = {
		.source = "rules.monfs",
		.name = "DeleteRule",
		.who = who,
		.params = {TRAIL_STR("name", name)},
		.nparams = 1,
	};

	return named_delete(st, SQL_RULE_DELETE, name, delete_stale, &ev, err);
}

/* ---- rename (SPEC 2) ---- */

/* The rule a rename takes its definition from: its row's columns. */
struct rename_source {
	int64_t id;
	char *text[7]; /* definition .. writer_name, malloc'ed */
	int64_t enabled, writer_uid, writer_gid;
	bool has_next;
	int64_t next;
};

/* Columns 1..9 of SQL_RULE_SOURCE that are text, and where they go. */
static const int SOURCE_TEXT_COLS[] = {1, 2, 4, 5, 6, 9};

static int load_source(struct store *st, const char *name, void *ctx,
		       struct trail_event *put)
{
	struct rename_source *src = ctx;
	struct sql_stmt *stmt;
	size_t i;
	int rc = db_find(st, SQL_RULE_SOURCE, name, &stmt);

	(void)put;
	if (rc != DB_ROW)
		return rc;
	src->id = sql_column_int64(stmt, 0);
	for (i = 0; i < 6; i++) {
		const char *t = (const char *)sql_column_text(
			stmt, SOURCE_TEXT_COLS[i]);

		src->text[i] = strdup(t ? t : "");
		if (!src->text[i])
			rc = -ENOMEM;
	}
	src->enabled = sql_column_int64(stmt, 3);
	src->writer_uid = sql_column_int64(stmt, 7);
	src->writer_gid = sql_column_int64(stmt, 8);
	src->has_next = !sql_column_is_null(stmt, 10);
	src->next = sql_column_int64(stmt, 10);
	sql_reset(stmt);
	return rc == DB_ROW ? 0 : rc;
}

/*
 * named_rename_ops.move: src to the free name to (counting as created
 * now: SPEC 2's wait starts again), or its definition target's (which
 * keeps owner, counters and phase) and src deleted with its deliveries.
 */
static int rename_move(struct store *st, const void *ctx, int64_t target,
		       const char *from, const char *to, int64_t now_ms)
{
	const struct rename_source *src = ctx;
	int64_t next = src->has_next ? src->next : INT64_MIN;
	struct schedule s;
	struct err err = {""};
	struct sql_stmt *stmt;
	size_t i;
	int rc;

	(void)from;
	rules_cache_stale(st);
	/* Onto a schedule rule: its next firing in to's phase (SPEC 13). */
	if (target && src->text[3][0] &&
	    !schedule_parse(src->text[3], strlen(src->text[3]), &s, &err) &&
	    db_find(st, SQL_RULE_ANCHOR, to, &stmt) == DB_ROW) {
		int64_t anchor = sql_column_int64(stmt, 0);

		sql_reset(stmt);
		rc = rules_first_firing(&s, now_ms, anchor, &next);
		if (rc)
			return rc;
	}
	if (!target) {
		stmt = db_stmt(st, SQL_RULE_MOVE);
		if (!stmt)
			return -EIO;
		sql_bind_int64(stmt, 1, src->id);
		sql_bind_text(stmt, 2, to, -1);
		sql_bind_int64(stmt, 3, now_ms);
		return db_exec_stmt(stmt);
	}
	stmt = db_stmt(st, SQL_RULE_REDEFINE);
	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, target);
	/* definition, bus, (enabled), input_path, schedule, targets */
	sql_bind_text(stmt, 2, src->text[0], -1);
	sql_bind_text(stmt, 3, src->text[1], -1);
	sql_bind_int64(stmt, 4, src->enabled);
	for (i = 2; i < 5; i++)
		sql_bind_text(stmt, (int)i + 3, src->text[i], -1);
	sql_bind_int64(stmt, 8, src->writer_uid);
	sql_bind_int64(stmt, 9, src->writer_gid);
	sql_bind_text(stmt, 10, src->text[5], -1);
	rules_bind_next(stmt, 11, next);
	sql_bind_int64(stmt, 12, now_ms);
	rc = db_exec_stmt(stmt);
	stmt = rc ? NULL : db_stmt(st, SQL_RULE_DELETE_ID);
	if (rc || !stmt)
		return rc ? rc : -EIO;
	sql_bind_int64(stmt, 1, src->id);
	return db_exec_stmt(stmt);
}

static const struct named_rename_ops RENAME_OPS = {
	.noun = "rule",
	.get_sql = SQL_RULE_GET,
	.load = load_source,
	.move = rename_move,
};

int store_rule_rename(struct store *st, const char *from, const char *to,
		      const struct caller *who, struct err *err)
{
	struct trail_event put = {
		.source = "rules.monfs",
		.name = "PutRule",
		.who = who,
		.params = {TRAIL_STR("name", to),
			   TRAIL_STR("sourceRuleName", from)},
		.nparams = 2,
	};
	struct trail_event del = {
		.source = "rules.monfs",
		.name = "DeleteRule",
		.who = who,
		.params = {TRAIL_STR("name", from)},
		.nparams = 1,
	};
	struct rename_source src = {0};
	size_t i;
	int rc = named_rename(st, &RENAME_OPS, &src, from, to, &put, &del, err);

	for (i = 0; i < 7; i++)
		free(src.text[i]);
	return rc;
}

int store_rule_render(struct store *st, const char *name, struct strbuf *out)
{
	char when[FORMAT_TIME_MAX];
	struct sql_stmt *stmt;
	int rc;

	db_lock(st);
	rc = db_find(st, SQL_RULE_LOAD, name, &stmt);
	if (rc == DB_ROW) {
		rc = strbuf_adds(out, (const char *)sql_column_text(stmt, 0));
		if (!rc)
			rc = strbuf_addf(out,
					 "matched = %lld\ninvocations = %lld\n"
					 "failed_invocations = %lld\n",
					 (long long)sql_column_int64(stmt, 1),
					 (long long)sql_column_int64(stmt, 2),
					 (long long)sql_column_int64(stmt, 3));
		if (!rc && !sql_column_is_null(stmt, 4))
			rc = strbuf_addf(
				out, "last_fired = %s\n",
				format_time(when, sql_column_int64(stmt, 4)));
		sql_reset(stmt);
	}
	db_unlock(st);
	return rc;
}
