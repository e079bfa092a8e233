/*
 * open: a store's life, in order — the connection (store/db.c), a check
 * that the database is monfs's and its migrations (store/schema.c), the
 * pragmas, the segment files of log streams and their recovery
 * (store/logs_recover.c), the trail's settings, the checkpointer thread, the
 * reserve that lets removals run on a full disk, and the data events a crash
 * left pending; and the same undone at close.
 */
#include <errno.h>
#include <stdbool.h>

#include "store/buses.h"
#include "store/checkpoint.h"
#include "store/data.h"
#include "store/db.h"
#include "store/fleet.h"
#include "store/logs.h"
#include "store/rules.h"
#include "store/schema.h"
#include "store/segments.h"
#include "store/space.h"
#include "store/trail.h"
#include "store/trail_logs.h"

int store_open(const char *path, struct store **out, struct err *err)
{
	return store_open_config(path, NULL, out, err);
}

/*
 * sqlite's part of opening: pragmas, migrations, the segment files and
 * the backlog beside the database, recovery, the checkpointer and the
 * reserve. 0 or -errno with why in err.
 */
static int open_sqlite(struct store *st, const char *path, struct err *err)
{
	int rc;

	/*
	 * WAL lets readers (the sqlite3 shell, a backup) run beside the
	 * daemon; synchronous=NORMAL makes a commit survive a crash of the
	 * daemon, and store_sync adds a checkpoint for power loss.
	 */
	rc = db_exec(st, "PRAGMA journal_mode=WAL;"
			 "PRAGMA synchronous=NORMAL;"
			 "PRAGMA journal_size_limit=67108864;"
			 "PRAGMA foreign_keys=ON;");
	if (rc) {
		err_set(err, "cannot set up %s: %s", path, db_errmsg(st));
		return rc;
	}
	rc = schema_migrate(st, err);
	if (rc)
		return rc;
	/*
	 * Stream bytes live in segment files beside the database; the data
	 * writes a crash left in the backlog go in before recovery cuts
	 * what the index does not reach.
	 */
	rc = segments_open(path, db_segments(st), err);
	if (!rc)
		rc = data_open(st, path, err);
	if (!rc)
		rc = logs_recover(st, err);
	if (rc)
		return rc;
	/* Without the thread, sqlite's automatic checkpoint still runs. */
	checkpointer_start(path, db_handle(st), db_checkpointer(st));
	/* Room for removals on a full disk; none now is not an error. */
	space_reserve(path);
	return 0;
}

/*
 * PostgreSQL's: the schema, and a backlog in memory (a write there
 * commits before it returns, store/data.c); its bytes are in the
 * database, so there is nothing beside it to recover.
 */
static int open_postgres(struct store *st, struct err *err)
{
	int rc = schema_pg_migrate(st, err);

	return rc ? rc : data_open(st, NULL, err);
}

int store_open_config(const char *path, const struct trail_config *cfg,
		      struct store **out, struct err *err)
{
	struct store *st;
	int rc;

	*out = NULL; /* nothing to close when it fails */
	rc = db_connect(path, &st, err);
	if (rc)
		return rc;
	/* What records carry, before the writes a crash left are recorded. */
	trail_defaults(db_trail(st));
	if (cfg)
		store_trail_configure(st, cfg);
	/* Who listens to whom, before anything is recorded or appended. */
	db_hooks(st)->trail_recorded = bus_emit_trail_locked;
	db_hooks(st)->bus_appended = rules_event_appended_locked;
	db_hooks(st)->closing = rules_closing;
	db_hooks(st)->trail_line = trail_logs_line_locked;
	rc = schema_check_ours(st, path, err);
	if (rc)
		goto fail;
	rc = db_engine(st) == DB_POSTGRES ? open_postgres(st, err)
					  : open_sqlite(st, path, err);
	if (rc)
		goto fail;
	/*
	 * Data events a crash left pending become records now. On
	 * PostgreSQL the pending rows are the fleet's: while other daemons
	 * run, their open files' among them, and the minute's sweep makes
	 * records of what has waited a minute, whoever left it.
	 */
	rc = trail_finish_pending(st, fleet_alone(st), store_now_ms());
	if (rc) {
		err_set(err, "cannot finish pending trail records: %s",
			db_errmsg(st));
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
	if (!st)
		return;
	data_close(st);
	checkpointer_stop(*db_checkpointer(st));
	db_disconnect(st);
}
