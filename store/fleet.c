/*
 * fleet: what the daemons sharing one PostgreSQL database agree on
 * (SPEC 17). The store-wide options are fixed by the first daemon, kept
 * in fleet_settings; a daemon started with other values while it runs
 * is refused, each differing option named with both values. Each daemon
 * holds the members' lock shared for as long as its session lives, so a
 * daemon that can take it alone knows it is the first (the others have
 * all stopped): its options are the fleet's from then on, as a restarted
 * sqlite daemon's are. sqlite's database is one daemon's: nothing to
 * agree on.
 */
#include "store/db.h"
#include "store/fleet.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "lib/strbuf.h"

static const char SQL_SETTING_KEEP[] =
	"INSERT OR IGNORE INTO fleet_settings (name, value) VALUES (?1, ?2)";
static const char SQL_SETTING_PUT[] =
	"INSERT INTO fleet_settings (name, value) VALUES (?1, ?2)"
	" ON CONFLICT (name) DO UPDATE SET value = excluded.value";
/* The members' lock: shared by every running daemon's (db_fleet_join). */
static const char SQL_FIRST[] = "SELECT pg_try_advisory_lock(7262063)";
static const char SQL_FIRST_DONE[] = "SELECT pg_advisory_unlock(7262063)";

/*
 * One of the lock calls above (db_step_id): 1 or 0 for its boolean
 * answer, or -errno.
 */
static int lock_call(struct store *st, const char *sql)
{
	struct sql_stmt *stmt = db_stmt(st, sql);
	int64_t v = stmt ? db_step_id(stmt) : -EIO;

	return v == -ENOENT ? -EIO : (int)v;
}

static const char SQL_SETTING_GET[] =
	"SELECT value FROM fleet_settings WHERE name = ?1";

/*
 * Keep s when the fleet has no value for it yet, and note in why when
 * the fleet's differs. 0 or -errno.
 */
static int settle_one(struct store *st, const struct store_setting *s,
		      bool first, struct strbuf *why)
{
	struct sql_stmt *keep =
		db_stmt(st, first ? SQL_SETTING_PUT : SQL_SETTING_KEEP);
	struct sql_stmt *get;
	const char *fleet;
	int rc;

	if (!keep)
		return -EIO;
	sql_bind_text(keep, 1, s->name, -1);
	sql_bind_text(keep, 2, s->value, -1);
	rc = db_exec_stmt(keep);
	if (rc)
		return rc;
	get = db_stmt(st, SQL_SETTING_GET);
	if (!get)
		return -EIO;
	sql_bind_text(get, 1, s->name, -1);
	rc = db_step(get);
	if (rc == DB_ROW) {
		fleet = sql_column_text(get, 0);
		rc = 0;
		if (fleet && strcmp(fleet, s->value) != 0)
			rc = strbuf_addf(why, "%s--%s %s (the fleet's: %s)",
					 why->len ? "; " : "", s->name,
					 s->value[0] ? s->value : "unset",
					 fleet[0] ? fleet : "unset");
	} else if (rc == DB_DONE) {
		rc = -EIO; /* kept above, so there */
	}
	sql_reset(get);
	return rc;
}

int store_fleet_settle(struct store *st, const struct store_setting *set,
		       size_t n, struct err *err)
{
	struct strbuf why = STRBUF_INIT;
	bool first = false;
	size_t i;
	int rc;

	if (db_engine(st) != DB_POSTGRES)
		return 0;
	/* Under the fleet's write lock: one starting daemon at a time. */
	rc = db_begin(st);
	if (!rc) {
		rc = lock_call(st, SQL_FIRST);
		first = rc == 1;
		rc = rc < 0 ? rc : 0;
	}
	if (!rc && first)
		rc = lock_call(st, SQL_FIRST_DONE) < 0 ? -EIO : 0;
	for (i = 0; !rc && i < n; i++)
		rc = settle_one(st, &set[i], first, &why);
	if (!rc && why.len) {
		err_set(err,
			"this daemon's store-wide options differ from those "
			"the fleet's first daemon fixed: %s",
			why.buf);
		rc = -EINVAL;
	} else if (rc) {
		err_set(err, "cannot read the fleet's options: %s",
			db_errmsg(st));
	}
	if (rc)
		db_rollback(st);
	else
		rc = db_commit(st);
	if (!rc)
		rc = db_fleet_join(st);
	strbuf_release(&why);
	return rc;
}

bool fleet_alone(struct store *st)
{
	bool alone;

	if (db_engine(st) != DB_POSTGRES)
		return true;
	db_lock(st);
	alone = lock_call(st, SQL_FIRST) == 1;
	if (alone)
		lock_call(st, SQL_FIRST_DONE);
	db_unlock(st);
	return alone;
}
