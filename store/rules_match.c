/*
 * rules_match: which rules an event appended to a bus matches, and the
 * durable delivery rows that makes (SPEC 13).
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
 * appends the event (rules_deliver.c does them). A rule receives only
 * the events its writer may read.
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

static const char SQL_RULES_SEEN[] =
	"SELECT count(*), coalesce(max(id), 0), coalesce(sum(mtime_ms), 0),"
	" coalesce(sum(created_ms), 0) FROM rules";
static const char SQL_RULES_OF_BUSES[] =
	"SELECT id, bus, definition FROM rules WHERE bus != '' AND enabled <> "
	"0";
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
	/* On PostgreSQL: the rules as last seen, and in which transaction */
	int64_t seen[4];
	uint64_t seen_tx;
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

void rules_cache_stale(struct store *st)
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
	struct sql_stmt *stmt = db_stmt(st, SQL_RULES_OF_BUSES);
	int rc = 0;

	cache_clear(c);
	if (!stmt)
		return -EIO;
	while (!rc && (rc = db_step(stmt)) == DB_ROW) {
		const char *bus = (const char *)sql_column_text(stmt, 1);
		const char *def = (const char *)sql_column_text(stmt, 2);

		rc = cache_add(c, sql_column_int64(stmt, 0), bus ? bus : "",
			       def ? def : "");
		/* A stored definition that no longer parses matches nothing. */
		if (rc == -EINVAL)
			rc = 0;
	}
	sql_reset(stmt);
	if (rc) {
		cache_clear(c);
		return rc;
	}
	c->stale = false;
	return 0;
}

/* ---- who may read what (SPEC 13) ---- */

void rules_writer_caller(uid_t uid, gid_t gid, const char *name,
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
/*
 * On PostgreSQL, other daemons of the fleet change rules too (SPEC 17):
 * once a transaction, a glance at the rules table (how many, the last id,
 * and the sums of their modification and creation times, which every
 * put, rename and removal moves) says whether the cache is still theirs.
 * Lock held. 0 or -errno.
 */
static int cache_check_fleet(struct store *st, struct rules_cache *c)
{
	struct sql_stmt *stmt;
	int64_t now[4];
	int rc, i;

	if (db_engine(st) != DB_POSTGRES || c->seen_tx == db_tx_serial(st))
		return 0;
	stmt = db_stmt(st, SQL_RULES_SEEN);
	if (!stmt)
		return -EIO;
	rc = db_step(stmt);
	if (rc == DB_ROW)
		for (i = 0; i < 4; i++)
			now[i] = sql_column_int64(stmt, i);
	sql_reset(stmt);
	if (rc != DB_ROW)
		return rc < 0 ? rc : -EIO;
	c->seen_tx = db_tx_serial(st);
	if (memcmp(now, c->seen, sizeof(now)) != 0) {
		pthread_rwlock_wrlock(&c->lock);
		memcpy(c->seen, now, sizeof(now));
		c->stale = true;
		pthread_rwlock_unlock(&c->lock);
	}
	return 0;
}

/*
 * The store's cache, rebuilt first if stale, read-locked: 0 with the
 * read lock held (the caller unlocks), or -errno with no lock held.
 */
static int cache_read(struct store *st, struct rules_cache **out)
{
	struct rules_cache *c = cache_of(st);
	int rc;

	if (!c)
		return -ENOMEM;
	rc = cache_check_fleet(st, c);
	if (rc)
		return rc;
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
	*out = c;
	return 0;
}

/* Whether any enabled pattern rule watches any bus. 1, 0 or -errno. */
static int any_watched(struct store *st)
{
	struct rules_cache *c;
	int rc = cache_read(st, &c);

	if (rc)
		return rc;
	rc = c->n > 0;
	pthread_rwlock_unlock(&c->lock);
	return rc;
}

static int match(struct store *st, const char *bus, const char *envelope,
		 size_t len, struct hits *hits)
{
	struct rules_cache *c;
	json_t *event = NULL;
	size_t i;
	int rc = cache_read(st, &c);

	if (rc)
		return rc;
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
	struct sql_stmt *stmt = db_stmt(st, SQL_DELIVERY_INSERT);

	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, id);
	sql_bind_text(stmt, 2, name, -1);
	sql_bind_text(stmt, 3, target, (int)target_len);
	sql_bind_text(stmt, 4, envelope, (int)len);
	return db_exec_stmt(stmt);
}

int rules_deliveries_insert(struct store *st, int64_t id, const char *name,
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
	struct sql_stmt *stmt = db_stmt(st, SQL_RULE_MATCHED);
	char *name = NULL, *targets = NULL;
	struct caller w;
	int rc;

	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, id);
	rc = db_step(stmt);
	if (rc == DB_ROW) {
		const char *n = (const char *)sql_column_text(stmt, 0);
		const char *t = (const char *)sql_column_text(stmt, 1);
		const char *u = (const char *)sql_column_text(stmt, 4);

		rules_writer_caller((uid_t)sql_column_int64(stmt, 2),
				    (gid_t)sql_column_int64(stmt, 3),
				    u ? u : "", &w);
		name = strdup(n ? n : "");
		targets = strdup(t ? t : "");
		rc = name && targets ? 0 : -ENOMEM;
	}
	sql_reset(stmt);
	if (rc || !perm_allows(&w, attr, false, PERM_READ))
		goto out; /* gone meanwhile, or not the writer's to read */
	rc = rules_deliveries_insert(st, id, name, targets, envelope, len);
	stmt = rc ? NULL : db_stmt(st, SQL_RULE_COUNT_MATCH);
	if (!rc && !stmt)
		rc = -EIO;
	if (!rc) {
		sql_bind_int64(stmt, 1, id);
		sql_bind_int64(stmt, 2, now_ms);
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
	struct sql_stmt *stmt = db_stmt(st, SQL_BUS_OF_ID);
	int rc;

	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, bus_id);
	rc = db_step(stmt);
	if (rc == DB_ROW) {
		const char *n = (const char *)sql_column_text(stmt, 0);

		snprintf(bus, NAME_MAX_BYTES + 1, "%s", n ? n : "");
		*attr = (struct node_attr){(uid_t)sql_column_int64(stmt, 1),
					   (gid_t)sql_column_int64(stmt, 2),
					   (mode_t)sql_column_int64(stmt, 3), 0,
					   0};
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = -ENOENT;
	}
	sql_reset(stmt);
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
	/* Most events (the trail's, on default) meet no rule at all. */
	int rc = any_watched(st);

	if (rc <= 0)
		return rc;
	rc = bus_of(st, bus_id, bus, &attr);
	if (!rc)
		rc = match(st, bus, envelope, len, &hits);
	for (i = 0; !rc && i < hits.n; i++)
		rc = rule_matched(st, hits.v[i], &attr, envelope, len, now_ms);
	free(hits.v);
	return rc;
}
