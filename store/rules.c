/*
 * rules: EventBridge rules kept in the database (SPEC 13) — their
 * definitions, the matching of each event appended to a bus, the
 * durable deliveries that matching makes, and schedules.
 *
 * Matching: one event_ruler per bus (lib/event_ruler.h), built from the
 * enabled pattern rules of that bus. Any change to a rule (put, delete,
 * rename) marks the cache stale in its transaction; the next event
 * rebuilds it whole, under the write lock. A rebuild after a change that
 * rolled back costs a rebuild and changes nothing. Trade-off: a rebuild
 * parses and compiles every rule again; rules change rarely next to
 * events, and this keeps one way to get the cache right.
 *
 * Deliveries: one row per (event, target), made in the transaction that
 * appends the event, deleted in the transaction that does it (log:,
 * events:) or once its program started (exec:), so that a crash between
 * doing and deleting does it again: at least once. Their ids are the
 * event order. A rule younger than DEFINITION_SETTLE_MS delivers nothing
 * yet; a row made under a name its rule no longer has is dropped (SPEC
 * 2: an editor's temporary file never acts under its own name).
 *
 * Locks: the store's lock (db_lock) is held by every caller of the
 * cache; cache->lock, a rwlock, is taken under it (read around matches,
 * write around rebuilds), as event_ruler.h asks.
 */
#include "store/alarms.h"
#include "store/buses.h"
#include "store/db.h"
#include "store/filters.h"
#include "store/logs.h"
#include "store/named.h"
#include "store/rules.h"
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

/* Delivery rows taken at once; more are taken in the next batch. */
#define DELIVERY_BATCH 64

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
static const char SQL_RULES_OF_BUSES[] =
	"SELECT id, bus, definition FROM rules WHERE bus != '' AND enabled";
static const char SQL_BUS_OF_ID[] =
	"SELECT name, uid, gid, mode FROM log_streams WHERE id = ?1";
static const char SQL_RULE_MATCHED[] =
	"SELECT name, targets, writer_uid, writer_gid, writer_name FROM rules"
	" WHERE id = ?1";
static const char SQL_RULE_COUNT_MATCH[] =
	"UPDATE rules SET matched = matched + 1, last_fired_ms = ?2"
	" WHERE id = ?1";
static const char SQL_DELIVERY_INSERT[] =
	"INSERT INTO rule_deliveries (rule_id, rule_name, target, event)"
	" VALUES (?1, ?2, ?3, ?4)";
static const char SQL_DELIVERIES_DUE[] =
	"SELECT d.id, d.rule_id, d.rule_name, d.target, d.event, r.name,"
	" r.created_ms, r.input_path, r.writer_uid, r.writer_gid,"
	" r.writer_name FROM rule_deliveries d JOIN rules r ON r.id = d.rule_id"
	" WHERE d.id > ?1 ORDER BY d.id LIMIT 64";
static const char SQL_DELIVERY_DELETE[] =
	"DELETE FROM rule_deliveries WHERE id = ?1";
static const char SQL_RULE_INVOKED[] =
	"UPDATE rules SET invocations = invocations + 1,"
	" failed_invocations = failed_invocations + ?2 WHERE id = ?1";
static const char SQL_RULE_FAILED[] =
	"UPDATE rules SET failed_invocations = failed_invocations + 1"
	" WHERE id = ?1";
static const char SQL_RULE_NAME[] = "SELECT name FROM rules WHERE id = ?1";
static const char SQL_SCHEDULES_DUE[] =
	"SELECT id, name, schedule, anchor_ms, next_fire_ms, targets FROM rules"
	" WHERE enabled AND next_fire_ms IS NOT NULL AND next_fire_ms <= ?1"
	" ORDER BY next_fire_ms LIMIT 64";
static const char SQL_SCHEDULE_NEXT[] =
	"UPDATE rules SET next_fire_ms = ?2, matched = matched + 1,"
	" last_fired_ms = ?3 WHERE id = ?1";

/* ---- the matchers' cache ---- */

/* The ruler of one bus; ids are rules' ids. */
struct bus_ruler {
	char *bus;
	struct event_ruler *ruler;
};

/*
 * lock guards stale, buses and n (read: matches; write: rebuilds);
 * trail is set once before serving.
 */
struct rules_cache {
	pthread_rwlock_t lock;
	bool stale;
	struct bus_ruler *buses;
	size_t n;
	struct node_attr trail; /* who may read the trail (SPEC 9) */
};

static void cache_clear(struct rules_cache *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->buses[i].bus);
		event_ruler_free(c->buses[i].ruler);
	}
	free(c->buses);
	c->buses = NULL;
	c->n = 0;
}

void rules_closing(struct store *st)
{
	struct rules_cache **slot = db_rules(st);

	if (!*slot)
		return;
	cache_clear(*slot);
	pthread_rwlock_destroy(&(*slot)->lock);
	free(*slot);
	*slot = NULL;
}

/* The store's cache, made at first use (stale). NULL: out of memory. */
static struct rules_cache *cache_of(struct store *st)
{
	struct rules_cache **slot = db_rules(st);

	if (!*slot) {
		struct rules_cache *c = calloc(1, sizeof(*c));

		if (!c || pthread_rwlock_init(&c->lock, NULL)) {
			free(c);
			return NULL;
		}
		c->stale = true;
		c->trail = (struct node_attr){0, 0, 0644, 0, 0};
		*slot = c;
	}
	return *slot;
}

void store_rules_set_trail_attr(struct store *st, const struct node_attr *a)
{
	struct rules_cache *c;

	db_lock(st);
	c = cache_of(st);
	if (c)
		c->trail = *a;
	db_unlock(st);
}

/* A rule changed: the next match rebuilds. Lock held. */
static void cache_stale(struct store *st)
{
	struct rules_cache *c = cache_of(st);

	if (!c)
		return; /* none made yet: the first one is built stale */
	pthread_rwlock_wrlock(&c->lock);
	c->stale = true;
	pthread_rwlock_unlock(&c->lock);
}

/* The ruler of bus in c, made when missing. NULL: out of memory. */
static struct event_ruler *cache_bus(struct rules_cache *c, const char *bus)
{
	struct bus_ruler *v;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->buses[i].bus, bus))
			return c->buses[i].ruler;
	v = realloc(c->buses, (c->n + 1) * sizeof(*v));
	if (!v)
		return NULL;
	c->buses = v;
	v[c->n].bus = strdup(bus);
	v[c->n].ruler = event_ruler_new();
	if (!v[c->n].bus || !v[c->n].ruler) {
		free(v[c->n].bus);
		event_ruler_free(v[c->n].ruler);
		return NULL;
	}
	return v[c->n++].ruler;
}

/* Add rule id (definition text) to its bus's ruler. 0 or -errno. */
static int cache_add(struct rules_cache *c, int64_t id, const char *bus,
		     const char *text)
{
	struct rule_def *d = calloc(1, sizeof(*d));
	struct event_pattern *p = NULL;
	struct event_ruler *r;
	struct err err = {""};
	int rc = d ? rule_def_parse(text, strlen(text), d, &err) : -ENOMEM;

	if (!rc && d->has_schedule)
		goto out; /* no pattern */
	if (!rc)
		rc = event_pattern_compile(d->pattern, strlen(d->pattern), &p,
					   &err);
	r = rc ? NULL : cache_bus(c, bus);
	if (!rc && !r)
		rc = -ENOMEM;
	if (!rc)
		rc = event_ruler_add(r, id, p, &err);
	if (rc)
		event_pattern_free(p);
out:
	free(d);
	return rc;
}

/* Build every bus's ruler again from the rules. Lock held, c write-locked. */
static int cache_rebuild(struct store *st, struct rules_cache *c)
{
	sqlite3_stmt *stmt = db_stmt(st, SQL_RULES_OF_BUSES);
	int rc = 0;

	cache_clear(c);
	if (!stmt)
		return -EIO;
	while (!rc && (rc = db_step(stmt)) == DB_ROW) {
		const char *bus = (const char *)sqlite3_column_text(stmt, 1);
		const char *def = (const char *)sqlite3_column_text(stmt, 2);

		rc = cache_add(c, sqlite3_column_int64(stmt, 0), bus ? bus : "",
			       def ? def : "");
		/* A stored definition that no longer parses matches nothing. */
		if (rc == -EINVAL)
			rc = 0;
	}
	sqlite3_reset(stmt);
	if (rc) {
		cache_clear(c);
		return rc;
	}
	c->stale = false;
	return 0;
}

/* ---- who may read what (SPEC 13) ---- */

/* The rule's writer as perm_allows judges callers, groups included. */
static void writer_caller(uid_t uid, gid_t gid, const char *name,
			  struct caller *out)
{
	int n = CALLER_GROUPS_MAX;

	memset(out, 0, sizeof(*out));
	out->uid = uid;
	out->gid = gid;
	snprintf(out->user, sizeof(out->user), "%s", name);
	snprintf(out->process, sizeof(out->process), "monfs");
	if (getgrouplist(name, gid, out->groups, &n) < 0)
		n = 0;
	out->ngroups = n;
}

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
	sqlite3_stmt *stmt;
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
		sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
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
			cols[k] =
				(const char *)sqlite3_column_text(stmt, (int)k);
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
		sqlite3_reset(stmt);
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

/* The first firing of s after now_ms, in *next (INT64_MIN: none). */
static int first_firing(const struct schedule *s, int64_t now_ms,
			int64_t anchor_ms, int64_t *next)
{
	int rc = schedule_next(s, now_ms, anchor_ms, next);

	if (rc == -ENOENT || rc == -EOVERFLOW) {
		*next = INT64_MIN;
		return 0;
	}
	return rc;
}

static void bind_next(sqlite3_stmt *stmt, int col, int64_t next)
{
	if (next == INT64_MIN)
		sqlite3_bind_null(stmt, col);
	else
		sqlite3_bind_int64(stmt, col, next);
}

/* Create or redefine the rule. Lock held, transaction open. */
static int write_rule(struct store *st, void *ctx)
{
	const struct rule_put *p = ctx;
	int64_t now = store_now_ms(), anchor = now, next = INT64_MIN;
	sqlite3_stmt *stmt;
	int rc = db_find(st, SQL_RULE_ANCHOR, p->name, &stmt);

	if (rc < 0 && rc != -ENOENT)
		return rc;
	if (rc == DB_ROW) {
		anchor = sqlite3_column_int64(stmt, 0); /* the phase stays */
		sqlite3_reset(stmt);
	}
	if (p->def->has_schedule) {
		rc = first_firing(&p->def->schedule, now, anchor, &next);
		if (rc)
			return rc;
	}
	stmt = db_stmt(st, SQL_RULE_INSERT);
	if (!stmt)
		return -EIO;
	sqlite3_bind_text(stmt, 1, p->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, p->canon->buf, (int)p->canon->len,
			  SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, p->def->bus, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 4, p->def->enabled);
	sqlite3_bind_text(stmt, 5, p->def->input_path, -1, SQLITE_STATIC);
	sqlite3_bind_text(
		stmt, 6,
		p->def->has_schedule ? schedule_format(&p->def->schedule) : "",
		-1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 7, p->targets->buf, (int)p->targets->len,
			  SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 8, p->owner->uid);
	sqlite3_bind_int64(stmt, 9, p->owner->gid);
	sqlite3_bind_int64(stmt, 10, p->owner->mode & 07777);
	sqlite3_bind_int64(stmt, 11, now);
	sqlite3_bind_int64(stmt, 12, p->who->uid);
	sqlite3_bind_int64(stmt, 13, p->who->gid);
	sqlite3_bind_text(stmt, 14, p->who->user, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 15, anchor);
	bind_next(stmt, 16, next);
	rc = db_exec_stmt(stmt);
	if (!rc)
		cache_stale(st);
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
	cache_stale(st);
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
	sqlite3_stmt *stmt;
	size_t i;
	int rc = db_find(st, SQL_RULE_SOURCE, name, &stmt);

	(void)put;
	if (rc != DB_ROW)
		return rc;
	src->id = sqlite3_column_int64(stmt, 0);
	for (i = 0; i < 6; i++) {
		const char *t = (const char *)sqlite3_column_text(
			stmt, SOURCE_TEXT_COLS[i]);

		src->text[i] = strdup(t ? t : "");
		if (!src->text[i])
			rc = -ENOMEM;
	}
	src->enabled = sqlite3_column_int64(stmt, 3);
	src->writer_uid = sqlite3_column_int64(stmt, 7);
	src->writer_gid = sqlite3_column_int64(stmt, 8);
	src->has_next = sqlite3_column_type(stmt, 10) != SQLITE_NULL;
	src->next = sqlite3_column_int64(stmt, 10);
	sqlite3_reset(stmt);
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
	sqlite3_stmt *stmt;
	size_t i;
	int rc;

	(void)from;
	cache_stale(st);
	/* Onto a schedule rule: its next firing in to's phase (SPEC 13). */
	if (target && src->text[3][0] &&
	    !schedule_parse(src->text[3], strlen(src->text[3]), &s, &err) &&
	    db_find(st, SQL_RULE_ANCHOR, to, &stmt) == DB_ROW) {
		int64_t anchor = sqlite3_column_int64(stmt, 0);

		sqlite3_reset(stmt);
		rc = first_firing(&s, now_ms, anchor, &next);
		if (rc)
			return rc;
	}
	if (!target) {
		stmt = db_stmt(st, SQL_RULE_MOVE);
		if (!stmt)
			return -EIO;
		sqlite3_bind_int64(stmt, 1, src->id);
		sqlite3_bind_text(stmt, 2, to, -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 3, now_ms);
		return db_exec_stmt(stmt);
	}
	stmt = db_stmt(st, SQL_RULE_REDEFINE);
	if (!stmt)
		return -EIO;
	sqlite3_bind_int64(stmt, 1, target);
	/* definition, bus, (enabled), input_path, schedule, targets */
	sqlite3_bind_text(stmt, 2, src->text[0], -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, src->text[1], -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, src->enabled);
	for (i = 2; i < 5; i++)
		sqlite3_bind_text(stmt, (int)i + 3, src->text[i], -1,
				  SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 8, src->writer_uid);
	sqlite3_bind_int64(stmt, 9, src->writer_gid);
	sqlite3_bind_text(stmt, 10, src->text[5], -1, SQLITE_STATIC);
	bind_next(stmt, 11, next);
	sqlite3_bind_int64(stmt, 12, now_ms);
	rc = db_exec_stmt(stmt);
	stmt = rc ? NULL : db_stmt(st, SQL_RULE_DELETE_ID);
	if (rc || !stmt)
		return rc ? rc : -EIO;
	sqlite3_bind_int64(stmt, 1, src->id);
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
	sqlite3_stmt *stmt;
	int rc;

	db_lock(st);
	rc = db_find(st, SQL_RULE_LOAD, name, &stmt);
	if (rc == DB_ROW) {
		rc = strbuf_adds(out,
				 (const char *)sqlite3_column_text(stmt, 0));
		if (!rc)
			rc = strbuf_addf(
				out,
				"matched = %lld\ninvocations = %lld\n"
				"failed_invocations = %lld\n",
				(long long)sqlite3_column_int64(stmt, 1),
				(long long)sqlite3_column_int64(stmt, 2),
				(long long)sqlite3_column_int64(stmt, 3));
		if (!rc && sqlite3_column_type(stmt, 4) != SQLITE_NULL)
			rc = strbuf_addf(out, "last_fired = %s\n",
					 format_time(when, sqlite3_column_int64(
								   stmt, 4)));
		sqlite3_reset(stmt);
	}
	db_unlock(st);
	return rc;
}

/* ---- matching ---- */

/* The ids an event matched, in ascending order. */
struct hits {
	int64_t *v;
	size_t n, cap;
};

/* event_ruler_match_fn: note id. */
static int hit(int64_t id, void *arg)
{
	struct hits *h = arg;

	if (h->n == h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 8;
		int64_t *v = realloc(h->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		h->v = v;
		h->cap = cap;
	}
	h->v[h->n++] = id;
	return 0;
}

/*
 * Match the event envelope[0..len) against bus's rules into hits, under
 * the read lock (a stale cache rebuilt first, under the write lock). The
 * envelope is parsed only when the bus has rules. 0 or -errno. Lock held.
 */
static int match(struct store *st, const char *bus, const char *envelope,
		 size_t len, struct hits *hits)
{
	struct rules_cache *c = cache_of(st);
	json_t *event = NULL;
	size_t i;
	int rc = 0;

	if (!c)
		return -ENOMEM;
	pthread_rwlock_rdlock(&c->lock);
	while (c->stale) {
		pthread_rwlock_unlock(&c->lock);
		pthread_rwlock_wrlock(&c->lock);
		rc = c->stale ? cache_rebuild(st, c) : 0;
		pthread_rwlock_unlock(&c->lock);
		if (rc)
			return rc;
		pthread_rwlock_rdlock(&c->lock);
	}
	for (i = 0; !rc && i < c->n; i++) {
		if (strcmp(c->buses[i].bus, bus) ||
		    !event_ruler_count(c->buses[i].ruler))
			continue;
		event = json_loadb(envelope, len, 0, NULL);
		rc = event ? event_ruler_match(c->buses[i].ruler, event, hit,
					       hits)
			   : -EIO; /* monfs made it: it is JSON */
		break;
	}
	pthread_rwlock_unlock(&c->lock);
	json_decref(event);
	return rc;
}

/* Insert one delivery row of rule id (name) to target. Lock held, tx. */
static int delivery_insert(struct store *st, int64_t id, const char *name,
			   const char *target, size_t target_len,
			   const char *envelope, size_t len)
{
	sqlite3_stmt *stmt = db_stmt(st, SQL_DELIVERY_INSERT);

	if (!stmt)
		return -EIO;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, target, (int)target_len, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, envelope, (int)len, SQLITE_STATIC);
	return db_exec_stmt(stmt);
}

/* One delivery row per line of targets. Lock held, tx open. */
static int deliveries_insert(struct store *st, int64_t id, const char *name,
			     const char *targets, const char *envelope,
			     size_t len)
{
	const char *t = targets, *nl;
	int rc = 0;

	for (; !rc && t && *t; t = nl ? nl + 1 : NULL) {
		nl = strchr(t, '\n');
		rc = delivery_insert(st, id, name, t,
				     nl ? (size_t)(nl - t) : strlen(t),
				     envelope, len);
	}
	return rc;
}

/*
 * Rule id matched an event on a bus whose readers attr says: when its
 * writer may read it, one delivery per target, and the rule counts it.
 * Lock held, tx open.
 */
static int rule_matched(struct store *st, int64_t id,
			const struct node_attr *attr, const char *envelope,
			size_t len, int64_t now_ms)
{
	sqlite3_stmt *stmt = db_stmt(st, SQL_RULE_MATCHED);
	char *name = NULL, *targets = NULL;
	struct caller w;
	int rc;

	if (!stmt)
		return -EIO;
	sqlite3_bind_int64(stmt, 1, id);
	rc = db_step(stmt);
	if (rc == DB_ROW) {
		const char *n = (const char *)sqlite3_column_text(stmt, 0);
		const char *t = (const char *)sqlite3_column_text(stmt, 1);
		const char *u = (const char *)sqlite3_column_text(stmt, 4);

		writer_caller((uid_t)sqlite3_column_int64(stmt, 2),
			      (gid_t)sqlite3_column_int64(stmt, 3), u ? u : "",
			      &w);
		name = strdup(n ? n : "");
		targets = strdup(t ? t : "");
		rc = name && targets ? 0 : -ENOMEM;
	}
	sqlite3_reset(stmt);
	if (rc || !perm_allows(&w, attr, false, PERM_READ))
		goto out; /* gone meanwhile, or not the writer's to read */
	rc = deliveries_insert(st, id, name, targets, envelope, len);
	stmt = rc ? NULL : db_stmt(st, SQL_RULE_COUNT_MATCH);
	if (!rc && !stmt)
		rc = -EIO;
	if (!rc) {
		sqlite3_bind_int64(stmt, 1, id);
		sqlite3_bind_int64(stmt, 2, now_ms);
		rc = db_exec_stmt(stmt);
	}
out:
	free(name);
	free(targets);
	return rc < 0 ? rc : 0;
}

/*
 * The name of bus bus_id into bus, and who may read its events into
 * *attr: the trail's readers on default (SPEC 13: its API-call and
 * Insights events reach rules of users who may read the trail, and
 * fs shows default with the trail's owner and mode), else the bus's.
 */
static int bus_of(struct store *st, int64_t bus_id,
		  char bus[NAME_MAX_BYTES + 1], struct node_attr *attr)
{
	sqlite3_stmt *stmt = db_stmt(st, SQL_BUS_OF_ID);
	int rc;

	if (!stmt)
		return -EIO;
	sqlite3_bind_int64(stmt, 1, bus_id);
	rc = db_step(stmt);
	if (rc == DB_ROW) {
		const char *n = (const char *)sqlite3_column_text(stmt, 0);

		snprintf(bus, NAME_MAX_BYTES + 1, "%s", n ? n : "");
		*attr = (struct node_attr){
			(uid_t)sqlite3_column_int64(stmt, 1),
			(gid_t)sqlite3_column_int64(stmt, 2),
			(mode_t)sqlite3_column_int64(stmt, 3), 0, 0};
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = -ENOENT;
	}
	sqlite3_reset(stmt);
	if (!rc && !strcmp(bus, BUS_DEFAULT)) {
		struct rules_cache *c = cache_of(st);

		if (c)
			*attr = c->trail;
	}
	return rc;
}

int rules_event_appended_locked(struct store *st, int64_t bus_id,
				const char *envelope, size_t len,
				int64_t now_ms)
{
	char bus[NAME_MAX_BYTES + 1];
	struct hits hits = {0};
	struct node_attr attr;
	size_t i;
	int rc = bus_of(st, bus_id, bus, &attr);

	if (!rc)
		rc = match(st, bus, envelope, len, &hits);
	for (i = 0; !rc && i < hits.n; i++)
		rc = rule_matched(st, hits.v[i], &attr, envelope, len, now_ms);
	free(hits.v);
	return rc;
}

/* ---- deliveries ---- */

/* One delivery row, copied out of its statement. */
struct delivery {
	int64_t id, rule_id, created_ms;
	char *rule_name, *target, *event, *rule, *input_path, *user;
	uid_t uid;
	gid_t gid;
};

static void delivery_release(struct delivery *d)
{
	free(d->rule_name);
	free(d->target);
	free(d->event);
	free(d->rule);
	free(d->input_path);
	free(d->user);
}

static char *column_dup(sqlite3_stmt *stmt, int col)
{
	const char *t = (const char *)sqlite3_column_text(stmt, col);

	return strdup(t ? t : "");
}

/* Up to DELIVERY_BATCH rows after id after into v. Their count or -errno. */
static int deliveries_load(struct store *st, int64_t after, struct delivery *v)
{
	sqlite3_stmt *stmt;
	int n = 0, rc = 0;

	db_lock(st);
	stmt = db_stmt(st, SQL_DELIVERIES_DUE);
	if (!stmt) {
		db_unlock(st);
		return -EIO;
	}
	sqlite3_bind_int64(stmt, 1, after);
	while (!rc && n < DELIVERY_BATCH && (rc = db_step(stmt)) == DB_ROW) {
		struct delivery *d = &v[n++];

		rc = 0;
		d->id = sqlite3_column_int64(stmt, 0);
		d->rule_id = sqlite3_column_int64(stmt, 1);
		d->rule_name = column_dup(stmt, 2);
		d->target = column_dup(stmt, 3);
		d->event = column_dup(stmt, 4);
		d->rule = column_dup(stmt, 5);
		d->created_ms = sqlite3_column_int64(stmt, 6);
		d->input_path = column_dup(stmt, 7);
		d->uid = (uid_t)sqlite3_column_int64(stmt, 8);
		d->gid = (gid_t)sqlite3_column_int64(stmt, 9);
		d->user = column_dup(stmt, 10);
		if (!d->rule_name || !d->target || !d->event || !d->rule ||
		    !d->input_path || !d->user)
			rc = -ENOMEM;
	}
	sqlite3_reset(stmt);
	db_unlock(st);
	if (rc < 0) {
		while (n > 0)
			delivery_release(&v[--n]);
		return rc;
	}
	return n;
}

/* The trail's record of a failed invocation (SPEC 13), by monfs itself. */
static int record_failure_locked(struct store *st, const char *rule,
				 const char *target, const char *why,
				 int64_t now_ms)
{
	struct trail_event ev = {
		.source = "rules.monfs",
		.name = "FailedInvocation",
		.service_event = true,
		.not_emitted = true,
		.params = {TRAIL_STR("name", rule), TRAIL_STR("target", target),
			   TRAIL_STR("reason", why)},
		.nparams = 3,
	};

	return trail_append_locked(st, &ev, now_ms);
}

/*
 * The end of delivery d, in the transaction that did it: the row
 * deleted, the invocation counted (and its failure, why non-NULL,
 * recorded). Lock held, tx open.
 */
static int delivery_done_locked(struct store *st, const struct delivery *d,
				const char *why, int64_t now_ms)
{
	sqlite3_stmt *stmt = db_stmt(st, SQL_DELIVERY_DELETE);
	int rc;

	if (!stmt)
		return -EIO;
	sqlite3_bind_int64(stmt, 1, d->id);
	rc = db_exec_stmt(stmt);
	stmt = rc ? NULL : db_stmt(st, SQL_RULE_INVOKED);
	if (!rc && !stmt)
		rc = -EIO;
	if (!rc) {
		sqlite3_bind_int64(stmt, 1, d->rule_id);
		sqlite3_bind_int(stmt, 2, why != NULL);
		rc = db_exec_stmt(stmt);
	}
	if (!rc && why)
		rc = record_failure_locked(st, d->rule, d->target, why, now_ms);
	return rc;
}

/* Delete delivery d, counting nothing (SPEC 2's dropped ones). */
static int delivery_drop(struct store *st, const struct delivery *d)
{
	sqlite3_stmt *stmt;
	int rc = db_begin(st);

	if (rc)
		return rc;
	stmt = db_stmt(st, SQL_DELIVERY_DELETE);
	if (!stmt) {
		db_rollback(st);
		return -EIO;
	}
	sqlite3_bind_int64(stmt, 1, d->id);
	rc = db_exec_stmt(stmt);
	if (rc) {
		db_rollback(st);
		return rc;
	}
	return db_commit(st);
}

/* Finish d in a transaction of its own (exec:, and failures before). */
static int delivery_finish(struct store *st, const struct delivery *d,
			   const char *why, int64_t now_ms)
{
	int rc = db_begin(st);

	if (rc)
		return rc;
	rc = delivery_done_locked(st, d, why, now_ms);
	if (rc) {
		db_rollback(st);
		return rc;
	}
	return db_commit(st);
}

/*
 * log:GROUP/STREAM: the line appended (its group and stream made as the
 * writer, as an alarm's log: action does), in one transaction with the
 * row's end. Not a data event, not emitted (SPEC 13); the group's
 * metric filters see it as any line.
 */
static int deliver_log(struct store *st, const struct delivery *d,
		       const char *line, int64_t now_ms)
{
	const char *target = d->target + 4, *slash = strrchr(target, '/');
	char group[LOG_GROUP_MAX_BYTES + 1], why[160];
	struct strbuf buf = STRBUF_INIT;
	struct err err = {""};
	struct caller w;
	int64_t stream_id, abs;
	size_t events;
	int rc;

	if (!slash || (size_t)(slash - target) > LOG_GROUP_MAX_BYTES)
		return delivery_finish(st, d, "not a stream", now_ms);
	snprintf(group, sizeof(group), "%.*s", (int)(slash - target), target);
	writer_caller(d->uid, d->gid, d->user, &w);
	rc = target_log_stream(st, group, slash + 1, &w, &stream_id);
	if (!rc)
		rc = strbuf_addf(&buf, "%s\n", line);
	if (rc) {
		snprintf(why, sizeof(why), "the stream cannot be written: %s",
			 strerrordesc_np(-rc));
		strbuf_release(&buf);
		return delivery_finish(st, d, why, now_ms);
	}
	rc = db_begin(st);
	if (rc)
		goto out;
	rc = stream_write_locked(st, stream_id, buf.buf, buf.len, 0, true, &abs,
				 &events, &err);
	if (!rc)
		rc = stream_index_locked(st, stream_id, abs, buf.len, now_ms);
	if (!rc)
		rc = filters_apply_locked(st, stream_id, abs, buf.buf, buf.len,
					  now_ms);
	if (rc == -ENOENT || rc == -EMSGSIZE) {
		db_rollback(st);
		snprintf(why, sizeof(why), "the stream cannot be written: %s",
			 rc == -ENOENT ? "it was removed"
				       : "the line is too long");
		rc = delivery_finish(st, d, why, now_ms);
		goto out;
	}
	if (!rc)
		rc = delivery_done_locked(st, d, NULL, now_ms);
	if (rc)
		db_rollback(st);
	else
		rc = db_commit(st);
out:
	strbuf_release(&buf);
	return rc;
}

/* events:BUS: the envelope put on BUS, matched by its rules there. */
static int deliver_events(struct store *st, const struct delivery *d,
			  int64_t now_ms)
{
	struct strbuf line = STRBUF_INIT;
	char why[320];
	int rc = strbuf_addf(&line, "%s", d->event);

	if (!rc && (!line.len || line.buf[line.len - 1] != '\n'))
		rc = strbuf_adds(&line, "\n");
	if (!rc)
		rc = db_begin(st);
	if (rc) {
		strbuf_release(&line);
		return rc;
	}
	rc = bus_forward_locked(st, d->target + 7, line.buf, line.len, now_ms);
	if (rc == -ENOENT) {
		db_rollback(st);
		snprintf(why, sizeof(why), "bus %s: no such bus",
			 d->target + 7);
		strbuf_release(&line);
		return delivery_finish(st, d, why, now_ms);
	}
	if (!rc)
		rc = delivery_done_locked(st, d, NULL, now_ms);
	if (rc)
		db_rollback(st);
	else
		rc = db_commit(st);
	strbuf_release(&line);
	return rc;
}

/* exec:PATH: started by the front end; finished once it started. */
static int deliver_exec(struct store *st, const struct delivery *d,
			const char *line, const json_t *event,
			store_rule_exec_fn exec, void *ctx, int64_t now_ms)
{
	const char *source =
		json_string_value(json_object_get(event, "source"));
	const char *type =
		json_string_value(json_object_get(event, "detail-type"));
	struct rule_exec x = {d->rule_id,
			      d->rule,
			      d->target + 5,
			      line,
			      source ? source : "",
			      type ? type : "",
			      d->uid,
			      d->gid,
			      d->user};
	char why[160] = "";
	int rc = exec(ctx, &x, why);

	if (rc && !why[0])
		snprintf(why, sizeof(why), "%s", strerrordesc_np(-rc));
	return delivery_finish(st, d, rc ? why : NULL, now_ms);
}

/* Do delivery d (settled, under its rule's name). 0 or -errno. */
static int deliver(struct store *st, const struct delivery *d,
		   store_rule_exec_fn exec, void *ctx, int64_t now_ms)
{
	json_t *event = json_loads(d->event, 0, NULL), *part;
	char *line = NULL;
	int rc;

	if (!strncmp(d->target, "events:", 7)) {
		json_decref(event);
		return deliver_events(st, d, now_ms);
	}
	part = event ? rule_input_path_apply(d->input_path, event) : NULL;
	if (!part) {
		json_decref(event);
		return delivery_finish(st, d,
				       event ? "input_path selects nothing"
					     : "the event is not JSON",
				       now_ms);
	}
	line = json_dumps(part,
			  JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	json_decref(part);
	if (!line)
		rc = -ENOMEM;
	else if (!strncmp(d->target, "log:", 4))
		rc = deliver_log(st, d, line, now_ms);
	else if (!strncmp(d->target, "exec:", 5))
		rc = deliver_exec(st, d, line, event, exec, ctx, now_ms);
	else
		rc = delivery_finish(st, d, "unknown target", now_ms);
	free(line);
	json_decref(event);
	return rc;
}

int store_rules_deliver(struct store *st, int64_t now_ms,
			store_rule_exec_fn exec, void *ctx)
{
	struct delivery v[DELIVERY_BATCH];
	int64_t after = 0;
	int n, i, done = 0, rc = 0;

	do {
		memset(v, 0, sizeof(v));
		n = deliveries_load(st, after, v);
		if (n < 0)
			return n;
		for (i = 0; i < n; i++) {
			const struct delivery *d = &v[i];

			after = d->id;
			if (rc)
				continue;
			if (strcmp(d->rule_name, d->rule))
				rc = delivery_drop(st, d);
			else if (d->created_ms + DEFINITION_SETTLE_MS <= now_ms)
				rc = deliver(st, d, exec, ctx, now_ms);
			else
				continue; /* waits for its rule to settle */
			done += !rc;
		}
		for (i = 0; i < n; i++)
			delivery_release(&v[i]);
	} while (!rc && n == DELIVERY_BATCH);
	return rc ? rc : done;
}

int store_rule_failed(struct store *st, int64_t rule_id, const char *target,
		      const char *why)
{
	sqlite3_stmt *stmt;
	char *name = NULL;
	int rc = db_begin(st);

	if (rc)
		return rc;
	stmt = db_stmt(st, SQL_RULE_NAME);
	rc = stmt ? 0 : -EIO;
	if (!rc) {
		sqlite3_bind_int64(stmt, 1, rule_id);
		rc = db_step(stmt);
		name = rc == DB_ROW ? column_dup(stmt, 0) : NULL;
		sqlite3_reset(stmt);
		rc = rc < 0 ? rc : 0;
	}
	if (!rc && name) {
		stmt = db_stmt(st, SQL_RULE_FAILED);
		rc = stmt ? 0 : -EIO;
		if (!rc) {
			sqlite3_bind_int64(stmt, 1, rule_id);
			rc = db_exec_stmt(stmt);
		}
		if (!rc)
			rc = record_failure_locked(st, name, target, why,
						   store_now_ms());
	}
	free(name);
	if (rc) {
		db_rollback(st);
		return rc;
	}
	return db_commit(st);
}

/* ---- schedules ---- */

/* A schedule due, copied out of its statement. */
struct firing {
	int64_t id, anchor_ms, next_ms;
	char *name, *schedule, *targets;
};

/* Fire f once: its event, its deliveries, its next firing. Lock held, tx. */
static int fire_locked(struct store *st, const struct firing *f, int64_t now_ms)
{
	struct strbuf envelope = STRBUF_INIT;
	struct schedule s;
	struct err err = {""};
	int64_t next = INT64_MIN;
	sqlite3_stmt *stmt;
	int rc = schedule_parse(f->schedule, strlen(f->schedule), &s, &err);

	if (!rc)
		rc = first_firing(&s, now_ms, f->anchor_ms, &next);
	if (rc)
		next = INT64_MIN; /* a stored schedule that no longer parses */
	rc = bus_emit_scheduled_locked(st, f->name, f->next_ms, &envelope);
	if (!rc)
		rc = deliveries_insert(st, f->id, f->name, f->targets,
				       envelope.buf, envelope.len);
	stmt = rc ? NULL : db_stmt(st, SQL_SCHEDULE_NEXT);
	if (!rc && !stmt)
		rc = -EIO;
	if (!rc) {
		sqlite3_bind_int64(stmt, 1, f->id);
		bind_next(stmt, 2, next);
		sqlite3_bind_int64(stmt, 3, now_ms);
		rc = db_exec_stmt(stmt);
	}
	strbuf_release(&envelope);
	return rc;
}

int store_rules_fire(struct store *st, int64_t now_ms)
{
	struct firing v[DELIVERY_BATCH];
	sqlite3_stmt *stmt;
	int n = 0, i, rc = 0, fired = 0;

	db_lock(st);
	stmt = db_stmt(st, SQL_SCHEDULES_DUE);
	if (!stmt) {
		db_unlock(st);
		return -EIO;
	}
	sqlite3_bind_int64(stmt, 1, now_ms);
	while (!rc && n < DELIVERY_BATCH && (rc = db_step(stmt)) == DB_ROW) {
		struct firing *f = &v[n++];

		rc = 0;
		f->id = sqlite3_column_int64(stmt, 0);
		f->name = column_dup(stmt, 1);
		f->schedule = column_dup(stmt, 2);
		f->anchor_ms = sqlite3_column_int64(stmt, 3);
		f->next_ms = sqlite3_column_int64(stmt, 4);
		f->targets = column_dup(stmt, 5);
		if (!f->name || !f->schedule || !f->targets)
			rc = -ENOMEM;
	}
	sqlite3_reset(stmt);
	db_unlock(st);
	for (i = 0; i < n; i++) {
		if (rc >= 0 && !(rc = db_begin(st))) {
			rc = fire_locked(st, &v[i], now_ms);
			if (rc)
				db_rollback(st);
			else
				rc = db_commit(st);
			fired += !rc;
		}
		free(v[i].name);
		free(v[i].schedule);
		free(v[i].targets);
	}
	return rc < 0 ? rc : fired;
}
