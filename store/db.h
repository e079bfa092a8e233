/*
 * db: the sqlite connection behind a struct store — opening, pragmas,
 * schema migrations, cached prepared statements and transactions.
 *
 * Internal to store/: the modules that implement store.h include this;
 * nothing outside store/ may. One connection serves every thread, under
 * the store's mutex: sqlite writes are serialized anyway, and a single
 * connection means SQLITE_BUSY can never reach a user.
 */
#ifndef MONFS_DB_H
#define MONFS_DB_H

#include "lib/parse.h"
#include "store/sql.h"
#include "store/store.h"

/*
 * Make a store around a new connection to the database at path (made if
 * missing), with a busy timeout: nothing else is set up (store/open.c
 * does). -errno with err saying why.
 */
int db_connect(const char *path, struct store **out, struct err *err);

/* Close the connection and free st, the checkpointer stopped before. */
void db_disconnect(struct store *st);

/* Where the store keeps its checkpointer (store/checkpoint.h). */
struct checkpointer;
struct checkpointer **db_checkpointer(struct store *st);

/*
 * The files that hold log streams' bytes (store/segments.h): set by
 * store_open, closed by db_disconnect. Use only with the lock held.
 */
struct segments **db_segments(struct store *st);

/*
 * The data writes waiting for the database (store/data.c): set by
 * store_open (data_open), freed by store_close (data_close). Lock held.
 */
struct data_queue **db_queue(struct store *st);

/*
 * The memo of lookups (store/memo.h), or NULL while a transaction is
 * open (what it reads may be rolled back). Lock held.
 */
/* The rules' matchers (store/rules.c makes them at first use). */
struct rules_cache;
struct rules_cache **db_rules(struct store *st);

struct memo;
struct memo *db_memo(struct store *st);

/* Run sql (one or more statements, no rows) outside the cache. 0 or -errno. */
int db_exec(struct store *st, const char *sql);

/*
 * Lock the store; pair with db_unlock. The writes waiting in the backlog
 * go into the database first (store/data.c), so that whoever holds the
 * lock sees every write acknowledged before: only a data write itself,
 * which adds to the backlog, locks without that (db_lock_quiet).
 */
void db_lock(struct store *st);
void db_lock_quiet(struct store *st);
void db_unlock(struct store *st);

/*
 * What db_lock runs first (data_drain): set by store_open. It must not
 * lock, and when it fails it leaves the database as it was.
 */
void db_set_drain(struct store *st, int (*drain)(struct store *));

/* Run that drain now (the lock held). 0 or its -errno. */
int db_drain(struct store *st);

/*
 * How many removals of a metric, stream or directory the store has
 * begun: a writer that saw its file live at this count need not ask
 * again until it moves (store/data.c). Lock held.
 */
uint64_t db_removals(struct store *st);
void db_note_removal(struct store *st);

/* BEGIN IMMEDIATE, COMMIT and ROLLBACK with the lock already held. */
int db_tx_begin(struct store *st);
int db_tx_commit(struct store *st);
void db_tx_rollback(struct store *st);

/*
 * Lock the store and BEGIN IMMEDIATE. 0, or -errno with the store
 * unlocked again.
 */
int db_begin(struct store *st);

/* COMMIT and unlock. 0, or -errno (rolled back then). */
int db_commit(struct store *st);

/*
 * Lock the store and BEGIN a read transaction, so that several reads see
 * one snapshot and take sqlite's locks once; end with db_end_read. 0 or
 * -errno with the store unlocked again.
 */
int db_begin_read(struct store *st);
void db_end_read(struct store *st);

/* ROLLBACK and unlock. */
void db_rollback(struct store *st);

/*
 * The prepared statement for sql, a string with static storage: the
 * pointer is the cache key. Reset and with bindings cleared; NULL when
 * preparation fails (a bug: the SQL is ours). Only with the lock held.
 * The SQL is sqlite's dialect where PostgreSQL's agrees; store/pg.c
 * turns ?N into $N and INSERT OR IGNORE into ON CONFLICT DO NOTHING.
 */
struct sql_stmt *db_stmt(struct store *st, const char *sql);

/* Which engine holds the store. */
/*
 * On PostgreSQL, join the fleet: this session holds the members' lock
 * shared (store/fleet.c asks whether anyone else does), taken again
 * after a reconnection by store_leads. 0 or -errno.
 */
int db_fleet_join(struct store *st);

/* Which transaction is open: a number that moves at each begin. Lock held. */
uint64_t db_tx_serial(struct store *st);

enum db_engine { DB_SQLITE, DB_POSTGRES };
enum db_engine db_engine(struct store *st);

/* The sqlite connection (NULL on PostgreSQL), for store/checkpoint.c. */
struct sqlite3;
struct sqlite3 *db_handle(struct store *st);

/* Whether a transaction is open on the connection. Lock held. */
bool db_in_transaction(struct store *st);

/* Rows the last INSERT, UPDATE or DELETE changed. Lock held. */
int64_t db_changes(struct store *st);

/* The id the last INSERT gave its row. Lock held. */
int64_t db_last_id(struct store *st);

/* The connection's last error, in words. Lock held. */
const char *db_errmsg(struct store *st);

/* Map a sqlite result code to a negative errno (ENOSPC, EIO, ...). */
int db_errno(int rc);

/* What db_step found: a row to read, or the end of the rows. */
#define DB_ROW 1
#define DB_DONE 0

/*
 * Step stmt once: DB_ROW, DB_DONE, or -errno when the database failed
 * (-ENOSPC when full, -EIO on an I/O error or corruption, ...). Every
 * statement of store/ is stepped through here, so that "no row" and "the
 * database failed" are never the same answer.
 */
int db_step(struct sql_stmt *stmt);

/*
 * Give err a message for rc when it is a database failure (-EIO,
 * -ENOSPC, -ENOMEM), from the connection's last error ("the database
 * failed: disk I/O error"), unless err already says something. err may
 * be NULL. Lock held.
 */
void db_explain(struct store *st, int rc, struct err *err);

/*
 * Step stmt to completion expecting no rows (INSERT, UPDATE, DELETE).
 * 0 or -errno.
 */
int db_exec_stmt(struct sql_stmt *stmt);

/*
 * The same for a statement of a write transaction whose outcome is read
 * by nobody but the COMMIT: on sqlite at once; on PostgreSQL sent ahead
 * without waiting (pg_send), so that a write of many rows costs one round
 * trip, not one per row. Its failure is the next statement's (the
 * COMMIT's at the latest). db_changes says nothing of it. 0 or -errno.
 */
int db_exec_ahead(struct sql_stmt *stmt);

/*
 * Step stmt (bound, selecting an id first) once and reset it: the id,
 * -ENOENT when there is no row, or -errno when the database failed.
 */
int64_t db_step_id(struct sql_stmt *stmt);

/*
 * The row keyed by key: prepare sql (db_stmt), bind key to ?1 and step
 * once. DB_ROW with *out on the row (read its columns, then
 * sqlite3_reset it); else *out NULL and -ENOENT when there is no row,
 * -EIO when sql cannot be prepared, or -errno when the database failed,
 * the statement already reset. Lock held.
 */
int db_find(struct store *st, const char *sql, const char *key,
	    struct sql_stmt **out);

/*
 * Read the five columns uid, gid, mode, ctime_ms, mtime_ms starting at
 * column col of the current row into out.
 */
void db_read_attr(struct sql_stmt *stmt, int col, struct node_attr *out);

/*
 * Bind a new node's owner: uid, gid, mode bits and creation time to the
 * four parameters starting at index first.
 */
void db_bind_owner(struct sql_stmt *stmt, int first, const struct caller *who,
		   mode_t mode, int64_t now_ms);

/*
 * Make room on a full disk (store/space.h) for an operation that failed
 * with -ENOSPC, to be tried once more: the WAL's pages go back into the
 * database file and the WAL is truncated, and with use_reserve (an
 * operation that removes something, and so makes room) the reserve is
 * given up first. 0 when something may have been freed, else -ENOSPC.
 * Lock not held.
 */
int db_make_room(struct store *st, bool use_reserve);

/* Whether the disk has less room left than the reserve's size. */
bool db_disk_low(struct store *st);

/* What readers hold open, which removals wait for (store/holds.h). */
enum hold_kind { HOLD_STREAM, HOLD_TRAIL_DAY, HOLD_KINDS };

/* The holds on open streams or trail days. Only with the lock held. */
struct holds *db_holds(struct store *st, enum hold_kind kind);

/* What every trail record carries, and how long days are kept. */
struct trail_settings {
	char region[64];
	char host[256];
	int64_t retention_days;
	char account[16];     /* 12 digits: events' account (SPEC 13, 14) */
	enum trail_data data; /* the data events recorded (SPEC 14) */
	/*
	 * --trail-log-group (store/trail_logs.c): the group ("" for off),
	 * the stream ACCOUNT_CloudTrail_REGION, its id once made (0: not
	 * yet, or removed: made again by the sweep), and the owner's group
	 * and mode of both.
	 */
	char log_group[LOG_GROUP_MAX_BYTES + 1];
	char log_stream[96];
	int64_t log_stream_id;
	gid_t log_gid;
	mode_t log_mode;
	bool insights; /* --trail-insights (store/trail_insights.c) */
	int64_t insights_baseline_min; /* its baseline window, in minutes */
};

/* The store's trail settings (store/trail.c keeps them). */
struct trail_settings *db_trail(struct store *st);

/*
 * How the store's lower modules reach the ones built on them without
 * calling up: the trail, which every module records into, and the
 * buses, which the rules watch, tell whoever listens. Each hook is set
 * once by store_open (store/open.c, above them all); NULL: nobody
 * listens.
 */
struct store_hooks {
	/*
	 * A change the trail recorded, with its record, inside its
	 * transaction: the events on default (SPEC 13, store/buses.c).
	 */
	int (*trail_recorded)(struct store *st, struct json_t *rec,
			      int64_t now_ms);
	/*
	 * An event appended to bus bus_id, its envelope envelope[0..len),
	 * inside its transaction: the rules' matching (store/rules.h).
	 */
	int (*bus_appended)(struct store *st, int64_t bus_id,
			    const char *envelope, size_t len, int64_t now_ms);
	/* The store closes: free what a module above keeps in it. */
	void (*closing)(struct store *st);
	/*
	 * A record's line (its '\n' included) the trail appended, inside
	 * its transaction: its copy in the trail's log group
	 * (store/trail_logs.c).
	 */
	int (*trail_line)(struct store *st, const char *line, size_t len,
			  int64_t now_ms);
};

struct store_hooks *db_hooks(struct store *st);

#endif
