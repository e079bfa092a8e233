/*
 * sqlfloor: floor for make bench — the naive way to keep metric points in
 * sqlite, against which monfs's metric ingest is measured.
 *
 *   sqlfloor DBPATH INPUT [BATCH_BYTES]
 *
 * INPUT holds lines "VALUE TIMESTAMP", the timestamp in Unix seconds,
 * maybe with a fractional part (bgen points writes them). It is cut
 * into batches of at most BATCH_BYTES (default 65536) ending at a
 * newline, as a writer doing 64 KiB writes of whole lines sends them,
 * and each batch is one transaction: BEGIN, one prepared INSERT per
 * line, COMMIT. Empty lines are skipped; any other line that is not two
 * numbers stops the run (exit 1), its batch rolled back.
 *
 * DBPATH is made afresh (with its -wal and -shm) under the pragmas monfs
 * sets in store/db.c: WAL, synchronous=NORMAL, a 64 MiB journal size
 * limit, foreign keys on; checkpoints are sqlite's automatic ones. The
 * table is indexed by (metric_id, ts_ms), since a real store has to
 * answer by time; every point goes to one metric, as one file's writes
 * do in monfs.
 *
 * INPUT is read into memory before the clock starts, as bwrite does;
 * the clock (CLOCK_MONOTONIC) runs from the first BEGIN to the last
 * COMMIT. Prints "points=N seconds=S points_per_s=R".
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#define DEFAULT_BATCH_BYTES 65536
#define METRIC_ID 1

static const char *const SETUP_SQL =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA synchronous=NORMAL;"
	"PRAGMA journal_size_limit=67108864;"
	"PRAGMA foreign_keys=ON;"
	"CREATE TABLE points(metric_id INTEGER, ts_ms INTEGER, value REAL);"
	"CREATE INDEX points_by_time ON points(metric_id, ts_ms);";

static const char *const INSERT_SQL =
	"INSERT INTO points(metric_id, ts_ms, value) VALUES (?, ?, ?)";

/* The whole of INPUT, with a NUL after its last byte for strtod. */
struct input {
	char *buf;
	size_t len;
};

struct ingest {
	sqlite3 *db;
	sqlite3_stmt *insert;
	long long points;
	long long line_no;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int read_all(int fd, char *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = read(fd, buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

static int load_input(const char *path, struct input *in)
{
	struct stat sb;
	int fd = open(path, O_RDONLY);
	int rc = -1;

	if (fd < 0 || fstat(fd, &sb) < 0)
		goto out;
	in->len = (size_t)sb.st_size;
	in->buf = malloc(in->len + 1);
	if (!in->buf) {
		errno = ENOMEM;
		goto out;
	}
	rc = read_all(fd, in->buf, in->len);
	in->buf[in->len] = '\0';
out:
	if (rc)
		perror(path);
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Unlinks path with suffix appended; a missing file is no error. */
static int remove_file(const char *path, const char *suffix)
{
	char name[PATH_MAX];

	if (snprintf(name, sizeof(name), "%s%s", path, suffix) >=
	    (int)sizeof(name)) {
		fprintf(stderr, "sqlfloor: %s: name too long\n", path);
		return -1;
	}
	if (unlink(name) < 0 && errno != ENOENT) {
		perror(name);
		return -1;
	}
	return 0;
}

static int remove_database(const char *path)
{
	if (remove_file(path, "") || remove_file(path, "-wal") ||
	    remove_file(path, "-shm"))
		return -1;
	return 0;
}

/* A fresh database at path, its schema made and the INSERT prepared. */
static int ingest_open(const char *path, struct ingest *ing)
{
	if (remove_database(path))
		return -1;
	if (sqlite3_open_v2(path, &ing->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				    SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK)
		goto fail;
	if (sqlite3_exec(ing->db, SETUP_SQL, NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	if (sqlite3_prepare_v2(ing->db, INSERT_SQL, -1, &ing->insert, NULL) !=
	    SQLITE_OK)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "sqlfloor: %s: %s\n", path,
		ing->db ? sqlite3_errmsg(ing->db) : "cannot open");
	return -1;
}

static void ingest_close(struct ingest *ing)
{
	sqlite3_finalize(ing->insert);
	sqlite3_close(ing->db);
}

static int only_space(const char *p, const char *end)
{
	for (; p < end; p++)
		if (!isspace((unsigned char)*p))
			return 0;
	return 1;
}

/*
 * Parses "VALUE TIMESTAMP" in [line, eol). Returns 0 and the point, or
 * -1. strtod skips newlines too, so each number must end before eol.
 */
static int parse_point(const char *line, const char *eol, double *value,
		       int64_t *ts_ms)
{
	char *after_value, *after_ts;
	double ts;

	*value = strtod(line, &after_value);
	if (after_value == line || after_value > eol)
		return -1;
	ts = strtod(after_value, &after_ts);
	if (after_ts == after_value || after_ts > eol ||
	    !only_space(after_ts, eol))
		return -1;
	/* Rounded to the nearest millisecond, without libm. */
	*ts_ms = (int64_t)(ts * 1000.0 + (ts < 0 ? -0.5 : 0.5));
	return 0;
}

static int insert_point(struct ingest *ing, double value, int64_t ts_ms)
{
	int rc;

	sqlite3_bind_int64(ing->insert, 1, METRIC_ID);
	sqlite3_bind_int64(ing->insert, 2, ts_ms);
	sqlite3_bind_double(ing->insert, 3, value);
	rc = sqlite3_step(ing->insert);
	sqlite3_reset(ing->insert);
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "sqlfloor: insert: %s\n",
			sqlite3_errmsg(ing->db));
		return -1;
	}
	ing->points++;
	return 0;
}

/* Inserts each line of [batch, end), or fails at the first bad one. */
static int insert_lines(struct ingest *ing, const char *batch, const char *end)
{
	const char *line, *eol;
	int64_t ts_ms;
	double value;

	for (line = batch; line < end; line = eol + 1) {
		eol = memchr(line, '\n', (size_t)(end - line));
		if (!eol)
			eol = end;
		ing->line_no++;
		if (only_space(line, eol))
			continue;
		if (parse_point(line, eol, &value, &ts_ms)) {
			fprintf(stderr, "sqlfloor: line %lld: not a point\n",
				ing->line_no);
			return -1;
		}
		if (insert_point(ing, value, ts_ms))
			return -1;
	}
	return 0;
}

/* One batch, one transaction: all its points or none. */
static int ingest_batch(struct ingest *ing, const char *batch, size_t len)
{
	if (sqlite3_exec(ing->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	if (insert_lines(ing, batch, batch + len)) {
		sqlite3_exec(ing->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	if (sqlite3_exec(ing->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "sqlfloor: %s\n", sqlite3_errmsg(ing->db));
	return -1;
}

/*
 * Length of the batch at pos: whole lines, at most batch_bytes, or the
 * rest of the input. 0 when one line is longer than batch_bytes.
 */
static size_t next_batch(const struct input *in, size_t pos, size_t batch_bytes)
{
	size_t left = in->len - pos;
	const char *nl;

	if (left <= batch_bytes)
		return left;
	nl = memrchr(in->buf + pos, '\n', batch_bytes);
	return nl ? (size_t)(nl - (in->buf + pos)) + 1 : 0;
}

static int ingest_all(struct ingest *ing, const struct input *in,
		      size_t batch_bytes)
{
	size_t pos = 0, len;

	while (pos < in->len) {
		len = next_batch(in, pos, batch_bytes);
		if (len == 0) {
			fprintf(stderr,
				"sqlfloor: line %lld: longer than %zu bytes\n",
				ing->line_no + 1, batch_bytes);
			return -1;
		}
		if (ingest_batch(ing, in->buf + pos, len))
			return -1;
		pos += len;
	}
	return 0;
}

static size_t parse_batch_bytes(const char *arg)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(arg, &end, 10);
	if (errno || end == arg || *end || n == 0 || n > SIZE_MAX)
		return 0;
	return (size_t)n;
}

int main(int argc, char **argv)
{
	size_t batch_bytes = DEFAULT_BATCH_BYTES;
	struct ingest ing = {0};
	struct input in = {0};
	double t0, seconds;
	int rc = 1;

	if (argc == 4)
		batch_bytes = parse_batch_bytes(argv[3]);
	if (argc < 3 || argc > 4 || batch_bytes == 0) {
		fprintf(stderr, "usage: sqlfloor DBPATH INPUT [BATCH_BYTES]\n");
		return 2;
	}
	if (load_input(argv[2], &in) || ingest_open(argv[1], &ing))
		goto out;
	t0 = now_s();
	if (ingest_all(&ing, &in, batch_bytes))
		goto out;
	seconds = now_s() - t0;
	printf("points=%lld seconds=%.6f points_per_s=%.0f\n", ing.points,
	       seconds, seconds > 0 ? (double)ing.points / seconds : 0.0);
	rc = 0;
out:
	ingest_close(&ing);
	free(in.buf);
	return rc;
}
