/*
 * alarm_rules: the store's side of composite alarms (SPEC 12) — that
 * the alarms a rule names exist and lead back to no composite naming
 * them (no cycle), and which composites name an alarm: it may not go
 * while one does, and their evaluation follows its state.
 *
 * Which composites name an alarm is found by reading every composite's
 * rule, with no table of the names: one parse per composite per
 * question. That is O(composites) for each state change and each
 * removal, cheap for the hundreds of alarms a host keeps; a table of
 * (composite, name) rows would be the way past that, at the price of
 * keeping it true through every put, rename and delete.
 */
#include "store/alarms.h"
#include "store/db.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alarm.h"
#include "lib/alarm_rule.h"
#include "lib/strbuf.h"

/* A composite's canonical definition starts with its rule (alarm_def_render).
 */
static const char SQL_COMPOSITES[] =
	"SELECT name, definition FROM alarms"
	" WHERE substr(definition, 1, 7) = 'rule = ' ORDER BY name";
static const char SQL_DEFINITION[] =
	"SELECT definition FROM alarms WHERE name = ?1";
static const char SQL_STATE[] = "SELECT state FROM alarms WHERE name = ?1";

/*
 * The rule of a stored definition: *out NULL when it is a metric
 * alarm's. 0, -ENOMEM, or -EIO (a definition that no longer parses).
 */
static int rule_of(const char *definition, struct alarm_rule **out)
{
	struct alarm_def *def = calloc(1, sizeof(*def));
	int rc;

	*out = NULL;
	if (!def)
		return -ENOMEM;
	rc = alarm_def_parse(definition, strlen(definition), def, NULL);
	if (rc)
		rc = rc == -ENOMEM ? rc : -EIO;
	else if (def->kind == ALARM_KIND_COMPOSITE)
		rc = alarm_rule_parse(def->rule, strlen(def->rule), out, NULL);
	if (rc && rc != -ENOMEM)
		rc = -EIO;
	free(def);
	return rc;
}

/*
 * The rule of stored alarm name: *out NULL for a metric alarm. 0;
 * -ENOENT; -ENOMEM; -EIO. Lock held.
 */
static int load_rule(struct store *st, const char *name,
		     struct alarm_rule **out)
{
	struct sql_stmt *stmt;
	const char *d;
	int rc = db_find(st, SQL_DEFINITION, name, &stmt);

	*out = NULL;
	if (rc != DB_ROW)
		return rc;
	d = (const char *)sql_column_text(stmt, 0);
	rc = d ? rule_of(d, out) : -EIO;
	sql_reset(stmt);
	return rc;
}

int alarms_state_of(const char *name, void *ctx)
{
	struct sql_stmt *stmt;
	int rc = db_find(ctx, SQL_STATE, name, &stmt);

	if (rc != DB_ROW)
		return rc;
	rc = sql_column_int(stmt, 0);
	if (rc != ALARM_OK && rc != ALARM_ALARM &&
	    rc != ALARM_INSUFFICIENT_DATA)
		rc = -EIO;
	sql_reset(stmt);
	return rc;
}

/* ---- the cycle check ---- */

/*
 * A depth-first walk down composites' rules from a new rule, looking
 * for root. path holds the composites from the new rule's name down to
 * the one being read; done, those already read to the end (each is read
 * once, so a walk is linear in the rules however they share names).
 */
struct walk {
	struct store *st;
	const char *root;
	const char **path;
	size_t depth, path_alloc;
	char **done;
	size_t ndone, done_alloc;
	struct err *err;
};

static bool walk_done(const struct walk *w, const char *name)
{
	size_t i;

	for (i = 0; i < w->ndone; i++)
		if (!strcmp(w->done[i], name))
			return true;
	return false;
}

static int walk_mark_done(struct walk *w, const char *name)
{
	if (w->ndone == w->done_alloc) {
		size_t n = w->done_alloc ? 2 * w->done_alloc : 16;
		char **v = realloc(w->done, n * sizeof(*v));

		if (!v)
			return -ENOMEM;
		w->done = v;
		w->done_alloc = n;
	}
	w->done[w->ndone] = strdup(name);
	if (!w->done[w->ndone])
		return -ENOMEM;
	w->ndone++;
	return 0;
}

static int walk_push(struct walk *w, const char *name)
{
	if (w->depth == w->path_alloc) {
		size_t n = w->path_alloc ? 2 * w->path_alloc : 16;
		const char **v = realloc(w->path, n * sizeof(*v));

		if (!v)
			return -ENOMEM;
		w->path = v;
		w->path_alloc = n;
	}
	w->path[w->depth++] = name;
	return 0;
}

/* The cycle found: "rule: cycle: root -> path... -> root". */
static int walk_cycle(struct walk *w)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	int rc = strbuf_addf(&sb, "rule: cycle: %s", w->root);

	for (i = 0; !rc && i < w->depth; i++)
		rc = strbuf_addf(&sb, " -> %s", w->path[i]);
	if (!rc)
		rc = strbuf_addf(&sb, " -> %s", w->root);
	err_set(w->err, "%s", rc ? "rule: cycle" : sb.buf);
	strbuf_release(&sb);
	return -EINVAL;
}

/* Walk from alarm name, which a rule on the path names. */
static int walk_from(struct walk *w, const char *name)
{
	struct alarm_rule *rule = NULL;
	size_t i;
	int rc;

	if (!strcmp(name, w->root))
		return walk_cycle(w);
	if (walk_done(w, name))
		return 0;
	rc = load_rule(w->st, name, &rule);
	if (rc == -ENOENT)
		rc = 0; /* checked at the top; gone meanwhile it leads nowhere
			 */
	if (!rc && rule)
		rc = walk_push(w, name);
	for (i = 0; !rc && rule && i < alarm_rule_name_count(rule); i++)
		rc = walk_from(w, alarm_rule_name(rule, i));
	if (!rc && rule)
		w->depth--;
	if (!rc)
		rc = walk_mark_done(w, name);
	alarm_rule_free(rule);
	return rc;
}

int alarms_check_rule(struct store *st, const char *name,
		      const struct alarm_def *def, struct err *err)
{
	struct walk w = {.st = st, .root = name, .err = err};
	struct alarm_rule *rule = NULL;
	size_t i, n;
	int rc;

	if (def->kind != ALARM_KIND_COMPOSITE)
		return 0;
	rc = alarm_rule_parse(def->rule, strlen(def->rule), &rule, err);
	if (rc)
		return rc;
	n = alarm_rule_name_count(rule);
	/* Every name first, so that a missing one is named as missing. */
	for (i = 0; !rc && i < n; i++) {
		const char *child = alarm_rule_name(rule, i);

		if (!strcmp(child, name))
			continue; /* a cycle through itself: the walk says so */
		rc = alarms_state_of(child, st);
		if (rc == -ENOENT)
			err_set(err, "rule: no alarm named \"%s\"", child);
		rc = rc == -ENOENT ? -EINVAL : rc < 0 ? rc : 0;
	}
	for (i = 0; !rc && i < n; i++)
		rc = walk_from(&w, alarm_rule_name(rule, i));
	for (i = 0; i < w.ndone; i++)
		free(w.done[i]);
	free(w.done);
	free(w.path);
	alarm_rule_free(rule);
	return rc;
}

/* ---- the composites that name an alarm ---- */

/*
 * Call fn for each composite whose rule names alarm name, by name.
 * fn's nonzero return stops the walk and is returned. Lock held.
 */
static int each_naming(struct store *st, const char *name, store_name_fn fn,
		       void *ctx)
{
	struct sql_stmt *stmt = db_stmt(st, SQL_COMPOSITES);
	int rc = 0;

	if (!stmt)
		return -EIO;
	while (!rc && (rc = db_step(stmt)) == DB_ROW) {
		const char *composite = (const char *)sql_column_text(stmt, 0);
		const char *d = (const char *)sql_column_text(stmt, 1);
		struct alarm_rule *rule = NULL;

		rc = composite && d ? rule_of(d, &rule) : -EIO;
		if (!rc && rule && alarm_rule_names_alarm(rule, name))
			rc = fn(ctx, composite);
		alarm_rule_free(rule);
	}
	sql_reset(stmt);
	return rc == DB_DONE ? 0 : rc;
}

int store_alarm_each_naming(struct store *st, const char *name,
			    store_name_fn fn, void *ctx)
{
	int rc;

	db_lock(st);
	rc = each_naming(st, name, fn, ctx);
	db_unlock(st);
	return rc;
}

/* The first composite that names the alarm: each_naming's fn. */
struct naming {
	const char *name;
	struct err *err;
};

static int refuse_named(void *ctx, const char *composite)
{
	const struct naming *n = ctx;

	err_set(n->err,
		"alarm \"%s\" is named by the rule of composite alarm \"%s\"",
		n->name, composite);
	return -EBUSY;
}

int alarms_check_unnamed(struct store *st, const char *name, struct err *err)
{
	struct naming n = {name, err};

	return each_naming(st, name, refuse_named, &n);
}
