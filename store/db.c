/*
 * db: the sqlite connection behind a struct store — its lock, its
 * cached prepared statements, its transactions, and how its failures
 * read as errno. The schema is store/schema.c's; the order in which a
 * store is opened and closed is store/open.c's.
 */
#include "store/db.h"

#include <assert.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store/holds.h"
#include "store/memo.h"
#include "store/pg.h"
#include "store/segments.h"
#include "store/space.h"

/* Room for every SQL string of store/ (about 150 with Insights'). */
#define STMT_CACHE_MAX 256
#define BUSY_TIMEOUT_MS 10000

struct stmt_slot {
	const char *sql;
	struct sql_stmt stmt;
};

/*
 * One connection, shared by every thread under lock: FUSE workers, the
 * alarm evaluator, the sweeps. lock is the innermost lock of fs/ (taken
 * inside every store call, so callers may hold a handle's lock or the
 * registry's); under it the commit hook may take the checkpointer's own
 * lock (store/checkpoint.c), and nothing else. No store function calls
 * back out with lock held except into callbacks that take no fs/ lock.
 * Fields marked "lock" are guarded by it; the others are set by
 * store_open before the store is shared and freed by store_close after.
 */
struct store {
	sqlite3 *db;	    /* the connection and its transaction; lock */
	struct pg_conn *pg; /* or PostgreSQL's (a fleet); lock */
	pthread_mutex_t lock;
	struct stmt_slot stmts[STMT_CACHE_MAX]; /* prepared on use; lock */
	int nstmts;				/* lock */
	struct trail_settings trail;	   /* lock (store_trail_configure) */
	struct checkpointer *checkpointer; /* NULL: sqlite's own */
	struct segments *segments;	   /* log streams' bytes; lock */
	struct data_queue *queue;	   /* data writes waiting; lock */
	int (*drain)(struct store *);	   /* the backlog into the database */
	bool draining;			   /* inside drain; lock */
	uint64_t removals;		   /* db_note_removal; lock */
	struct holds holds[HOLD_KINDS];	   /* open files; lock */
	struct memo *memo;		   /* lookups' answers; lock */
	struct rules_cache *rules;	   /* rules' matchers (store/rules.c) */
	struct store_hooks hooks;	   /* set once by store_open */
	char *path;			   /* the database file */
	unsigned lead_session;	 /* pg's generation when it took the lead */
	unsigned member_session; /* when it joined the fleet (db_fleet_join) */
	uint64_t tx_serial;	 /* transactions begun; lock */
};

int db_errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return 0;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_CONSTRAINT:
		return -EEXIST;
	default:
		return -EIO;
	}
}

void db_lock_quiet(struct store *st)
{
	pthread_mutex_lock(&st->lock);
}

void db_lock(struct store *st)
{
	pthread_mutex_lock(&st->lock);
	/* A failed drain keeps its writes waiting: the next lock retries. */
	if (st->drain && !st->draining) {
		st->draining = true;
		st->drain(st);
		st->draining = false;
	}
}

uint64_t db_removals(struct store *st)
{
	return st->removals;
}

void db_note_removal(struct store *st)
{
	st->removals++;
}

int db_drain(struct store *st)
{
	return st->drain ? st->drain(st) : 0;
}

void db_set_drain(struct store *st, int (*drain)(struct store *))
{
	st->drain = drain;
}

void db_unlock(struct store *st)
{
	pthread_mutex_unlock(&st->lock);
}

sqlite3 *db_handle(struct store *st)
{
	return st->db;
}

enum db_engine db_engine(struct store *st)
{
	return st->pg ? DB_POSTGRES : DB_SQLITE;
}

bool db_in_transaction(struct store *st)
{
	return st->pg ? pg_in_transaction(st->pg)
		      : !sqlite3_get_autocommit(st->db);
}

int64_t db_changes(struct store *st)
{
	return st->pg ? pg_changes(st->pg) : sqlite3_changes(st->db);
}

int64_t db_last_id(struct store *st)
{
	return st->pg ? pg_last_id(st->pg) : sqlite3_last_insert_rowid(st->db);
}

const char *db_errmsg(struct store *st)
{
	return st->pg ? pg_errmsg(st->pg) : sqlite3_errmsg(st->db);
}

struct trail_settings *db_trail(struct store *st)
{
	return &st->trail;
}

struct holds *db_holds(struct store *st, enum hold_kind kind)
{
	return &st->holds[kind];
}

struct sql_stmt *db_stmt(struct store *st, const char *sql)
{
	struct sql_stmt *stmt;
	int i;

	for (i = 0; i < st->nstmts; i++) {
		if (st->stmts[i].sql == sql) {
			stmt = &st->stmts[i].stmt;
			if (stmt->pg) {
				pg_reset(stmt->pg);
				pg_clear_bindings(stmt->pg);
			} else {
				sqlite3_reset(stmt->lite);
				sqlite3_clear_bindings(stmt->lite);
			}
			return stmt;
		}
	}
	/* Every SQL string of store/ fits; a full cache is a bug. */
	assert(st->nstmts < STMT_CACHE_MAX);
	if (st->nstmts >= STMT_CACHE_MAX)
		return NULL;
	stmt = &st->stmts[st->nstmts].stmt;
	if (st->pg) {
		stmt->pg = pg_prepare(st->pg, sql);
		if (!stmt->pg)
			return NULL;
	} else if (sqlite3_prepare_v3(st->db, sql, -1,
				      SQLITE_PREPARE_PERSISTENT, &stmt->lite,
				      NULL) != SQLITE_OK) {
		return NULL;
	}
	st->stmts[st->nstmts].sql = sql;
	st->nstmts++;
	return stmt;
}

int db_step(struct sql_stmt *stmt)
{
	int rc;

	if (stmt->pg)
		return pg_step(stmt->pg);
	rc = sqlite3_step(stmt->lite);

	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	/* Whatever the code, it is a failure: never 0, never a row. */
	return db_errno(rc) ? db_errno(rc) : -EIO;
}

int db_exec_stmt(struct sql_stmt *stmt)
{
	int rc = db_step(stmt);

	return rc < 0 ? rc : 0;
}

int db_exec_ahead(struct sql_stmt *stmt)
{
	return stmt->pg ? pg_send(stmt->pg) : db_exec_stmt(stmt);
}

int64_t db_step_id(struct sql_stmt *stmt)
{
	int rc = db_step(stmt);
	int64_t id = rc == DB_ROW ? sql_column_int64(stmt, 0)
		     : rc < 0	  ? rc
				  : -ENOENT;

	sql_reset(stmt);
	return id;
}

int db_find(struct store *st, const char *sql, const char *key,
	    struct sql_stmt **out)
{
	struct sql_stmt *stmt = db_stmt(st, sql);
	int rc;

	*out = NULL;
	if (!stmt)
		return -EIO;
	sql_bind_text(stmt, 1, key, -1);
	rc = db_step(stmt);
	if (rc == DB_ROW) {
		*out = stmt;
		return DB_ROW;
	}
	sql_reset(stmt);
	return rc < 0 ? rc : -ENOENT;
}

void db_explain(struct store *st, int rc, struct err *err)
{
	int code = st->pg ? SQLITE_ERROR : sqlite3_errcode(st->db);
	const char *why = strerror(-rc);

	/* A refusal of the user's input has its own words already. */
	if (!err || err->msg[0] ||
	    (rc != -EIO && rc != -ENOSPC && rc != -ENOMEM))
		return;
	if (code != SQLITE_OK && code != SQLITE_ROW && code != SQLITE_DONE)
		why = db_errmsg(st);
	if (rc == -ENOSPC)
		err_set(err, "no room for the database: %s", why);
	else
		err_set(err, "the database failed: %s", why);
}

int db_exec(struct store *st, const char *sql)
{
	if (st->pg)
		return pg_exec(st->pg, sql);
	return db_errno(sqlite3_exec(st->db, sql, NULL, NULL, NULL));
}

/*
 * Transaction control through the statement cache: at one small write per
 * transaction, parsing BEGIN and COMMIT again each time was measurable.
 */
static const char SQL_BEGIN_WRITE[] = "BEGIN IMMEDIATE";
static const char SQL_BEGIN_READ[] = "BEGIN";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";
/*
 * On PostgreSQL, a write transaction takes the fleet's write lock as
 * BEGIN IMMEDIATE takes sqlite's: writers through every daemon go one at
 * a time, so a read-then-write in one transaction holds as on sqlite.
 */
static const char SQL_WRITE_LOCK[] = "SELECT pg_advisory_xact_lock(7262061)";
/* The fleet's leader: held by one session at a time (store_leads). */
static const char SQL_TAKE_LEAD[] = "SELECT pg_try_advisory_lock(7262062)";
/* The fleet's members: each running daemon's session holds it shared. */
static const char SQL_JOIN[] = "SELECT pg_advisory_lock_shared(7262063)";

static int tx(struct store *st, const char *sql)
{
	struct sql_stmt *stmt = db_stmt(st, sql);
	int rc;

	if (!stmt)
		return db_exec(st, sql);
	rc = db_exec_stmt(stmt);
	sql_reset(stmt);
	if (!rc && (sql == SQL_BEGIN_WRITE || sql == SQL_BEGIN_READ))
		st->tx_serial++;
	if (!rc && st->pg && sql == SQL_BEGIN_WRITE) {
		stmt = db_stmt(st, SQL_WRITE_LOCK);
		rc = stmt ? db_exec_stmt(stmt) : -EIO;
		if (stmt)
			sql_reset(stmt);
		if (rc)
			db_exec(st, SQL_ROLLBACK);
	}
	return rc;
}

int db_begin(struct store *st)
{
	int rc;

	db_lock(st);
	rc = tx(st, SQL_BEGIN_WRITE);
	if (rc)
		db_unlock(st);
	return rc;
}

int db_commit(struct store *st)
{
	int rc = tx(st, SQL_COMMIT);

	if (rc)
		tx(st, SQL_ROLLBACK);
	db_unlock(st);
	return rc;
}

int db_begin_read(struct store *st)
{
	int rc;

	db_lock(st);
	rc = tx(st, SQL_BEGIN_READ);
	if (rc)
		db_unlock(st);
	return rc;
}

void db_end_read(struct store *st)
{
	tx(st, SQL_COMMIT);
	db_unlock(st);
}

int db_tx_begin(struct store *st)
{
	return tx(st, SQL_BEGIN_WRITE);
}

int db_tx_commit(struct store *st)
{
	int rc = tx(st, SQL_COMMIT);

	if (rc)
		tx(st, SQL_ROLLBACK);
	return rc;
}

void db_tx_rollback(struct store *st)
{
	tx(st, SQL_ROLLBACK);
}

void db_rollback(struct store *st)
{
	tx(st, SQL_ROLLBACK);
	db_unlock(st);
}

/* Any commit may change any answer the memo keeps. */
static int on_commit(void *arg)
{
	struct store *st = arg;

	memo_forget(st->memo);
	return 0; /* the commit goes on */
}

struct memo *db_memo(struct store *st)
{
	/*
	 * Inside a transaction an answer may yet be rolled back; and on
	 * PostgreSQL another daemon's commit may change any answer, which
	 * this one is not told of.
	 */
	if (st->pg)
		return NULL;
	return sqlite3_get_autocommit(st->db) ? st->memo : NULL;
}

int db_connect(const char *path, struct store **out, struct err *err)
{
	struct store *st;
	int rc;

	*out = NULL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	pthread_mutex_init(&st->lock, NULL);
	st->path = strdup(path);
	st->memo = memo_new();
	if (!st->path || !st->memo) {
		db_disconnect(st);
		return -ENOMEM;
	}
	if (pg_is_conninfo(path)) {
		rc = pg_connect(path, &st->pg, err);
		if (rc) {
			db_disconnect(st);
			return rc;
		}
		*out = st;
		return 0;
	}
	rc = sqlite3_open_v2(path, &st->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				     SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		err_set(err, "cannot open %s: %s", path,
			st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		rc = db_errno(rc) ? db_errno(rc) : -EIO;
		db_disconnect(st);
		return rc;
	}
	sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
	sqlite3_commit_hook(st->db, on_commit, st);
	*out = st;
	return 0;
}

void db_disconnect(struct store *st)
{
	int i;

	if (!st)
		return;
	for (i = 0; i < st->nstmts; i++) {
		pg_finalize(st->stmts[i].stmt.pg);
		sqlite3_finalize(st->stmts[i].stmt.lite);
	}
	for (i = 0; i < HOLD_KINDS; i++)
		holds_release(&st->holds[i]);
	segments_close(st->segments);
	if (st->hooks.closing)
		st->hooks.closing(st);
	free(st->path);
	memo_free(st->memo);
	sqlite3_close(st->db);
	pg_disconnect(st->pg);
	pthread_mutex_destroy(&st->lock);
	free(st);
}

struct checkpointer **db_checkpointer(struct store *st)
{
	return &st->checkpointer;
}

struct store_hooks *db_hooks(struct store *st)
{
	return &st->hooks;
}

struct rules_cache **db_rules(struct store *st)
{
	return &st->rules;
}

struct segments **db_segments(struct store *st)
{
	return &st->segments;
}

struct data_queue **db_queue(struct store *st)
{
	return &st->queue;
}

int store_sync(struct store *st)
{
	int rc;

	db_lock(st);
	/*
	 * Whatever still waits in the backlog must be in the database now
	 * (a drain db_lock tried may have failed); then the bytes, then the
	 * index that points at them.
	 */
	rc = db_drain(st);
	if (!rc && st->segments)
		rc = segments_sync(st->segments);
	if (!rc && st->db)
		rc = db_errno(sqlite3_wal_checkpoint_v2(
			st->db, NULL, SQLITE_CHECKPOINT_FULL, NULL, NULL));
	db_unlock(st);
	return rc;
}

int db_make_room(struct store *st, bool use_reserve)
{
	int rc = -ENOSPC;

	if (st->pg)
		return -ENOSPC; /* the database's disk is not this host's */
	db_lock(st);
	if (use_reserve && space_release(st->path) == 0)
		rc = 0;
	/*
	 * Copy the WAL back and truncate it: pages that are already in the
	 * database file, or fit in its free pages, stop taking disk space.
	 */
	if (sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_TRUNCATE,
				      NULL, NULL) == SQLITE_OK)
		rc = 0;
	db_unlock(st);
	return rc;
}

bool db_disk_low(struct store *st)
{
	int64_t avail = st->pg ? -1 : space_free(st->path);

	return avail >= 0 && avail < space_reserve_bytes(st->path);
}

int store_space_sweep(struct store *st)
{
	int rc = st->pg ? 0 : space_reserve(st->path);

	return rc == -ENOSPC ? 0 : rc;
}

int64_t store_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void db_bind_owner(struct sql_stmt *stmt, int first, const struct caller *who,
		   mode_t mode, int64_t now_ms)
{
	sql_bind_int64(stmt, first, who->uid);
	sql_bind_int64(stmt, first + 1, who->gid);
	sql_bind_int64(stmt, first + 2, mode & 07777);
	sql_bind_int64(stmt, first + 3, now_ms);
}

void db_read_attr(struct sql_stmt *stmt, int col, struct node_attr *out)
{
	out->uid = (uid_t)sql_column_int64(stmt, col);
	out->gid = (gid_t)sql_column_int64(stmt, col + 1);
	out->mode = (mode_t)sql_column_int64(stmt, col + 2);
	out->ctime_ms = sql_column_int64(stmt, col + 3);
	out->mtime_ms = sql_column_int64(stmt, col + 4);
}

const char *store_backend(void)
{
	static char name[32];

	if (!name[0])
		snprintf(name, sizeof(name), "sqlite %s", sqlite3_libversion());
	return name;
}

bool store_db_is_postgres(const char *db)
{
	return db && pg_is_conninfo(db);
}

/* Take the members' lock for this session. Lock held. 0 or -errno. */
static int join_locked(struct store *st)
{
	struct sql_stmt *stmt = db_stmt(st, SQL_JOIN);
	int rc = stmt ? db_exec_stmt(stmt) : -EIO;

	if (stmt)
		sql_reset(stmt);
	if (!rc)
		st->member_session = pg_generation(st->pg);
	return rc;
}

uint64_t db_tx_serial(struct store *st)
{
	return st->tx_serial;
}

int db_fleet_join(struct store *st)
{
	int rc;

	db_lock(st);
	rc = join_locked(st);
	db_unlock(st);
	return rc;
}

bool store_leads(struct store *st)
{
	struct sql_stmt *stmt;
	bool up, leads;

	if (!st->pg)
		return true;
	db_lock(st);
	up = pg_check(st->pg) == 0 && !db_in_transaction(st);
	/* A new session (a reconnection) is a member again. */
	if (up && st->member_session &&
	    st->member_session != pg_generation(st->pg))
		join_locked(st);
	/* A session lock lives as long as the session that took it. */
	leads = up && st->lead_session == pg_generation(st->pg);
	if (up && !leads) {
		stmt = db_stmt(st, SQL_TAKE_LEAD);
		if (stmt && db_step_id(stmt) == 1) {
			st->lead_session = pg_generation(st->pg);
			leads = true;
			fprintf(stderr, "monfs: this daemon now does the "
					"fleet's once-only work\n");
		}
	}
	if (!leads && st->lead_session) {
		st->lead_session = 0;
		fprintf(stderr, "monfs: the fleet's once-only work has passed "
				"to another daemon (connection lost)\n");
	}
	db_unlock(st);
	return leads;
}
