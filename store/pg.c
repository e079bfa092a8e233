/*
 * pg: a fleet's PostgreSQL connection and its statements (store/pg.h).
 */
#include "store/pg.h"

#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sql_dialect.h"
#include "store/db.h"

/* PostgreSQL's type oids the reads tell apart (pg_type.h). */
#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_TEXT 25

struct pg_conn {
	PGconn *conn;
	char *conninfo;
	int64_t changes;     /* of the last command */
	unsigned generation; /* bumped at each reconnection */
	unsigned names;	     /* statements prepared, for their names */
	int ahead_rc;	     /* the first failure of those sent ahead */
	char err[512];
};

struct pg_stmt {
	struct pg_conn *c;
	char *sql;	     /* PostgreSQL's */
	char name[24];	     /* the server's name for it */
	unsigned generation; /* the connection's when prepared; 0: never */
	int nparams;
	char **values; /* owned; NULL: SQL NULL */
	int *lengths, *formats;
	PGresult *res; /* NULL until stepped */
	int row, nrows;
	unsigned char **blobs; /* bytea columns decoded, per column */
	size_t *blob_lens;
};

bool pg_is_conninfo(const char *path)
{
	return strncmp(path, "postgresql://", 13) == 0 ||
	       strncmp(path, "postgres://", 11) == 0;
}

static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message; /* NOTICEs ("already exists, skipping") are ours */
}

static void remember(struct pg_conn *c, const char *what)
{
	size_t n;

	snprintf(c->err, sizeof(c->err), "%s", what ? what : "");
	n = strlen(c->err);
	while (n && (c->err[n - 1] == '\n' || c->err[n - 1] == ' '))
		c->err[--n] = '\0';
}

int pg_connect(const char *conninfo, struct pg_conn **out, struct err *err)
{
	struct pg_conn *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (!c)
		return -ENOMEM;
	c->conninfo = strdup(conninfo);
	c->conn = c->conninfo ? PQconnectdb(conninfo) : NULL;
	if (!c->conn || PQstatus(c->conn) != CONNECTION_OK) {
		err_set(err, "cannot connect to PostgreSQL: %s",
			c->conn ? PQerrorMessage(c->conn) : "out of memory");
		pg_disconnect(c);
		return -EIO;
	}
	PQsetNoticeProcessor(c->conn, quiet, NULL);
	c->generation = 1;
	*out = c;
	return 0;
}

void pg_disconnect(struct pg_conn *c)
{
	if (!c)
		return;
	if (c->conn)
		PQfinish(c->conn);
	free(c->conninfo);
	free(c);
}

unsigned pg_generation(const struct pg_conn *c)
{
	return c->generation;
}

int pg_check(struct pg_conn *c)
{
	if (PQstatus(c->conn) == CONNECTION_OK)
		return 0;
	PQreset(c->conn);
	if (PQstatus(c->conn) != CONNECTION_OK) {
		remember(c, PQerrorMessage(c->conn));
		return -EIO;
	}
	PQsetNoticeProcessor(c->conn, quiet, NULL);
	c->generation++; /* the server forgot every prepared statement */
	return 0;
}

/*
 * A failed result's errno, its message remembered (and, with
 * MONFS_DEBUG_SQL set, printed with the statement: a failing statement
 * of ours is a bug). Frees res.
 */
static int failure_of(struct pg_conn *c, PGresult *res, const char *sql)
{
	const char *state =
		res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	int rc = -EIO;

	remember(c, res ? PQresultErrorMessage(res) : PQerrorMessage(c->conn));
	if (getenv("MONFS_DEBUG_SQL"))
		fprintf(stderr, "monfs: PostgreSQL: %s\n  in: %.300s\n", c->err,
			sql ? sql : "?");
	if (state && strncmp(state, "23", 2) == 0)
		rc = -EEXIST; /* a constraint, as sqlite's */
	else if (state && strcmp(state, "22021") == 0)
		rc = -EINVAL; /* not UTF-8: no name of ours can be that */
	else if (state && strcmp(state, "53100") == 0)
		rc = -ENOSPC;
	else if (state && strcmp(state, "53200") == 0)
		rc = -ENOMEM;
	else if (state &&
		 (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0))
		rc = -EBUSY;
	PQclear(res);
	return rc;
}

static int failure(struct pg_conn *c, PGresult *res)
{
	return failure_of(c, res, NULL);
}

/*
 * Read the results of the statements sent ahead (pg_send) and leave
 * pipeline mode: 0, or the first one's failure. A connection that
 * cannot be brought out of the pipeline is made again (its transaction
 * is lost with it, and the failure says so).
 */
static int settle(struct pg_conn *c)
{
	PGresult *res;
	ExecStatusType status;
	bool synced;
	int rc = 0;

	if (PQpipelineStatus(c->conn) == PQ_PIPELINE_OFF)
		return 0;
	synced = PQpipelineSync(c->conn) == 1;
	if (!synced) { /* no end to wait for: made again below */
		remember(c, PQerrorMessage(c->conn));
		rc = -EIO;
	}
	while (synced) {
		res = PQgetResult(c->conn);
		if (!res) {
			if (PQstatus(c->conn) != CONNECTION_OK) {
				rc = rc ? rc : -EIO;
				break;
			}
			continue; /* the end of one statement's results */
		}
		status = PQresultStatus(res);
		if (status == PGRES_PIPELINE_SYNC) {
			PQclear(res);
			break;
		}
		if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK ||
		    rc)
			PQclear(res); /* after a failure: PIPELINE_ABORTED */
		else
			rc = failure_of(c, res, "(a statement sent ahead)");
	}
	if (!PQexitPipelineMode(c->conn)) {
		remember(c, PQerrorMessage(c->conn));
		PQreset(c->conn);
		c->generation++;
		rc = rc ? rc : -EIO;
	}
	return rc;
}

/*
 * Settle what was sent ahead before talking to the server again: 0, or
 * the failure of one of them, reported once (its transaction is aborted:
 * the caller rolls it back, and that statement then runs).
 */
static int settled(struct pg_conn *c)
{
	int rc = settle(c);

	if (!rc) {
		rc = c->ahead_rc;
		c->ahead_rc = 0;
	}
	return rc;
}

int pg_exec(struct pg_conn *c, const char *sql)
{
	PGresult *res;
	ExecStatusType status;

	int rc = settled(c);

	if (rc)
		return rc;
	if (pg_check(c))
		return -EIO;
	res = PQexec(c->conn, sql);
	status = PQresultStatus(res);
	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
		return failure_of(c, res, sql);
	PQclear(res);
	return 0;
}

struct pg_stmt *pg_prepare(struct pg_conn *c, const char *sql)
{
	struct pg_stmt *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->c = c;
	s->sql = sql_to_postgres(sql, &s->nparams);
	if (!s->sql)
		goto fail;
	snprintf(s->name, sizeof(s->name), "monfs_%u", ++c->names);
	if (s->nparams) {
		s->values = calloc((size_t)s->nparams, sizeof(*s->values));
		s->lengths = calloc((size_t)s->nparams, sizeof(*s->lengths));
		s->formats = calloc((size_t)s->nparams, sizeof(*s->formats));
		if (!s->values || !s->lengths || !s->formats)
			goto fail;
	}
	return s;
fail:
	pg_finalize(s);
	return NULL;
}

static void forget_blobs(struct pg_stmt *s)
{
	int i, n = s->res ? PQnfields(s->res) : 0;

	if (!s->blobs)
		return;
	for (i = 0; i < n; i++) {
		if (s->blobs[i])
			PQfreemem(s->blobs[i]);
		s->blobs[i] = NULL;
	}
}

void pg_reset(struct pg_stmt *s)
{
	forget_blobs(s);
	free(s->blobs);
	free(s->blob_lens);
	s->blobs = NULL;
	s->blob_lens = NULL;
	PQclear(s->res);
	s->res = NULL;
	s->row = 0;
	s->nrows = 0;
}

void pg_clear_bindings(struct pg_stmt *s)
{
	int i;

	for (i = 1; i <= s->nparams; i++)
		pg_bind_null(s, i);
}

void pg_finalize(struct pg_stmt *s)
{
	int i;

	if (!s)
		return;
	pg_reset(s);
	for (i = 0; i < s->nparams && s->values; i++)
		free(s->values[i]);
	free(s->values);
	free(s->lengths);
	free(s->formats);
	free(s->sql);
	free(s);
}

/* Prepare s on the server, once per connection. 0 or -errno. */
static int ensure_prepared(struct pg_stmt *s)
{
	PGresult *res;
	Oid *types;

	if (s->generation == s->c->generation)
		return 0;
	types = s->nparams ? calloc((size_t)s->nparams, sizeof(*types)) : NULL;
	if (s->nparams && !types)
		return -ENOMEM;
	for (int k = 0; k < s->nparams; k++)
		if (!sql_param_used(s->sql, k + 1))
			types[k] = OID_TEXT; /* else PostgreSQL infers it */
	res = PQprepare(s->c->conn, s->name, s->sql, s->nparams, types);
	free(types);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return failure_of(s->c, res, s->sql);
	PQclear(res);
	s->generation = s->c->generation;
	return 0;
}

int pg_step(struct pg_stmt *s)
{
	PGresult *res;
	ExecStatusType status;
	int rc;

	if (!s->res) {
		rc = settled(s->c);
		if (rc)
			return rc;
		if (!pg_in_transaction(s->c) && pg_check(s->c))
			return -EIO;
		rc = ensure_prepared(s);
		if (rc)
			return rc;
		res = PQexecPrepared(s->c->conn, s->name, s->nparams,
				     (const char *const *)s->values, s->lengths,
				     s->formats, 0);
		status = PQresultStatus(res);
		if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
			return failure_of(s->c, res, s->sql);
		s->c->changes = strtoll(PQcmdTuples(res), NULL, 10);
		s->res = res;
		s->nrows = PQntuples(res);
		s->row = -1;
		if (s->nrows) {
			s->blobs = calloc((size_t)PQnfields(res),
					  sizeof(*s->blobs));
			s->blob_lens = calloc((size_t)PQnfields(res),
					      sizeof(*s->blob_lens));
			if (!s->blobs || !s->blob_lens)
				return -ENOMEM;
		}
	}
	forget_blobs(s);
	if (s->row < s->nrows)
		s->row++;
	return s->row < s->nrows ? DB_ROW : DB_DONE;
}

/* Param i (from 1) to own the copy v (NULL: SQL NULL). */
static void set_param(struct pg_stmt *s, int i, char *v, int len, int format)
{
	if (i < 1 || i > s->nparams) {
		free(v);
		return;
	}
	free(s->values[i - 1]);
	s->values[i - 1] = v;
	s->lengths[i - 1] = len;
	s->formats[i - 1] = format;
}

void pg_bind_text(struct pg_stmt *s, int i, const char *v, int len)
{
	size_t n = len < 0 ? strlen(v) : (size_t)len;
	char *copy = malloc(n + 1);

	if (copy) {
		memcpy(copy, v, n);
		copy[n] = '\0';
	}
	set_param(s, i, copy, (int)n, 0);
}

void pg_bind_int64(struct pg_stmt *s, int i, int64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	set_param(s, i, strdup(buf), 0, 0);
}

void pg_bind_double(struct pg_stmt *s, int i, double v)
{
	char buf[40];

	snprintf(buf, sizeof(buf), "%.17g", v);
	set_param(s, i, strdup(buf), 0, 0);
}

void pg_bind_null(struct pg_stmt *s, int i)
{
	set_param(s, i, NULL, 0, 0);
}

void pg_bind_blob(struct pg_stmt *s, int i, const void *v, int len)
{
	char *copy = malloc(len > 0 ? (size_t)len : 1);

	if (copy && len > 0)
		memcpy(copy, v, (size_t)len);
	set_param(s, i, copy, len, 1);
}

int pg_param_count(struct pg_stmt *s)
{
	return s->nparams;
}

static bool has_value(struct pg_stmt *s, int col)
{
	return s->res && s->row >= 0 && s->row < s->nrows && col >= 0 &&
	       col < PQnfields(s->res);
}

bool pg_column_is_null(struct pg_stmt *s, int col)
{
	return !has_value(s, col) || PQgetisnull(s->res, s->row, col);
}

const char *pg_column_text(struct pg_stmt *s, int col)
{
	const char *v;

	if (pg_column_is_null(s, col))
		return NULL;
	v = PQgetvalue(s->res, s->row, col);
	if (PQftype(s->res, col) == OID_BOOL)
		return v[0] == 't' ? "1" : "0";
	return v;
}

const void *pg_column_blob(struct pg_stmt *s, int col)
{
	if (pg_column_is_null(s, col))
		return NULL;
	if (PQftype(s->res, col) != OID_BYTEA)
		return PQgetvalue(s->res, s->row, col);
	if (!s->blobs[col])
		s->blobs[col] = PQunescapeBytea(
			(const unsigned char *)PQgetvalue(s->res, s->row, col),
			&s->blob_lens[col]);
	return s->blobs[col];
}

int pg_column_bytes(struct pg_stmt *s, int col)
{
	if (pg_column_is_null(s, col))
		return 0;
	if (PQftype(s->res, col) != OID_BYTEA)
		return PQgetlength(s->res, s->row, col);
	return pg_column_blob(s, col) ? (int)s->blob_lens[col] : 0;
}

int pg_column_count(struct pg_stmt *s)
{
	return s->res ? PQnfields(s->res) : 0;
}

int64_t pg_changes(struct pg_conn *c)
{
	return c->changes;
}

const char *pg_errmsg(struct pg_conn *c)
{
	return c->err[0] ? c->err : PQerrorMessage(c->conn);
}

bool pg_in_transaction(struct pg_conn *c)
{
	PGTransactionStatusType t = PQtransactionStatus(c->conn);

	return t == PQTRANS_INTRANS || t == PQTRANS_INERROR ||
	       t == PQTRANS_ACTIVE;
}

int64_t pg_last_id(struct pg_conn *c)
{
	PGresult *res;
	int64_t id;
	int rc = settled(c);

	if (rc)
		return rc;
	res = PQexec(c->conn, "SELECT lastval()");

	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		return failure(c, res);
	id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return id;
}

int pg_send(struct pg_stmt *s)
{
	struct pg_conn *c = s->c;
	int rc;

	if (s->generation != c->generation) {
		/* PQprepare waits for its answer: not inside a pipeline */
		rc = settle(c);
		if (!rc)
			rc = ensure_prepared(s);
		if (rc)
			return rc;
	}
	if (PQpipelineStatus(c->conn) == PQ_PIPELINE_OFF &&
	    !PQenterPipelineMode(c->conn))
		return pg_step(s) < 0 ? -EIO : 0; /* then at once */
	if (!PQsendQueryPrepared(c->conn, s->name, s->nparams,
				 (const char *const *)s->values, s->lengths,
				 s->formats, 0)) {
		remember(c, PQerrorMessage(c->conn));
		if (!c->ahead_rc)
			c->ahead_rc = -EIO;
		return -EIO;
	}
	return 0;
}
