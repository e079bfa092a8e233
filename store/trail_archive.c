/*
 * trail_archive: CloudTrail's S3 delivery of the trail (SPEC 14) into a
 * directory — gzip'd log files every 5 minutes, a signed digest every
 * hour, and both at unmount.
 *
 * The records are in trail_records already, so the archive is only a
 * mark: trail_archive_state.delivered_id, the last record delivered.
 * Delivery reads the records past the mark, writes a log file (a
 * temporary file, fsync'ed, renamed: a crash never leaves half a file
 * under a final name), and only then moves the mark and lists the file
 * in trail_archive_logs for the next digest. A failed write moves
 * nothing, so delivery catches up whenever the directory works again;
 * a crash between the rename and the commit delivers those records once
 * more, in a file that no digest covers (monfs verify names it).
 * Retention can still outrun a long failure: the records that expire
 * past the mark are counted by a trigger (store/schema.c) and the next
 * digest says so in monfsExpiredRecords, as does a trail record.
 *
 * The signing key is an RSA-2048 PEM file beside the database
 * (DB.trail-key.pem, mode 0600), made once and never replaced. The
 * key and the directory of a store live in a small registry keyed by
 * the store, freed when the store closes (its closing hook, chained).
 * Delivery runs on one thread (the sweeper, then destroy after it).
 */
#include "store/db.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/format.h"
#include "lib/strbuf.h"
#include "lib/timeutil.h"
#include "lib/trail_archive.h"

#define LOG_INTERVAL_MS (5 * MS_PER_MINUTE)
#define DIGEST_INTERVAL_MS MS_PER_HOUR
/* A log file holds at most this many records, or about this many bytes. */
#define LOG_FILE_MAX_RECORDS 50000
#define LOG_FILE_MAX_BYTES (16 * 1024 * 1024)
#define KEY_SUFFIX ".trail-key.pem"

static const char SQL_STATE[] =
	"SELECT started, delivered_id, last_log_ms, digest_start_ms,"
	" prev_key, prev_hash, prev_signature, expired_count,"
	" expired_first_day, expired_last_day"
	" FROM trail_archive_state WHERE id = 1";
static const char SQL_START[] =
	"UPDATE trail_archive_state SET started = 1, last_log_ms = ?1,"
	" digest_start_ms = ?1 WHERE id = 1 AND started = 0";
static const char SQL_PENDING_RECORDS[] =
	"SELECT id, record FROM trail_records WHERE id > ?1 ORDER BY id"
	" LIMIT ?2";
static const char SQL_ANY_PENDING[] =
	"SELECT 1 FROM trail_records WHERE id > ?1 LIMIT 1";
static const char SQL_LOG_DELIVERED[] =
	"UPDATE trail_archive_state SET delivered_id = ?1, last_log_ms = ?2"
	" WHERE id = 1";
static const char SQL_LOG_INSERT[] =
	"INSERT INTO trail_archive_logs (s3_key, hash, oldest_ms, newest_ms)"
	" VALUES (?1, ?2, ?3, ?4)";
static const char SQL_LOGS[] =
	"SELECT id, s3_key, hash, oldest_ms, newest_ms FROM trail_archive_logs"
	" ORDER BY id";
static const char SQL_LOGS_DIGESTED[] =
	"DELETE FROM trail_archive_logs WHERE id <= ?1";
static const char SQL_DIGEST_DELIVERED[] =
	"UPDATE trail_archive_state SET digest_start_ms = ?1, prev_key = ?2,"
	" prev_hash = ?3, prev_signature = ?4,"
	" expired_count = expired_count - ?5,"
	" expired_first_day = CASE WHEN expired_count = ?5 THEN NULL"
	" ELSE expired_first_day END,"
	" expired_last_day = CASE WHEN expired_count = ?5 THEN NULL"
	" ELSE expired_last_day END WHERE id = 1";

/* A store's archive: where it goes and what signs it. */
struct archive {
	struct store *st;
	char *dir;
	trail_key *key;
	char fingerprint[TRAIL_FINGERPRINT_HEX_LEN + 1];
	bool failing; /* in a streak of failures, already said */
	void (*next_closing)(struct store *st);
	struct archive *next;
};

/* The delivery state, as trail_archive_state holds it. */
struct state {
	bool started;
	int64_t delivered_id;
	int64_t last_log_ms;
	int64_t digest_start_ms;
	char prev_key[TRAIL_ARCHIVE_KEY_MAX];
	char prev_hash[TRAIL_SHA256_HEX_LEN + 1];
	char prev_signature[TRAIL_SIGNATURE_HEX_MAX];
	int64_t expired_count;
	int64_t expired_first_day;
	int64_t expired_last_day;
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct archive *registry; /* guarded by registry_lock */

static struct archive *archive_of(struct store *st)
{
	struct archive *a;

	pthread_mutex_lock(&registry_lock);
	for (a = registry; a && a->st != st; a = a->next)
		;
	pthread_mutex_unlock(&registry_lock);
	return a;
}

/* The store closes: forget its archive, then whoever listened before. */
static void archive_closing(struct store *st)
{
	struct archive **p, *a = NULL;
	void (*next)(struct store *) = NULL;

	pthread_mutex_lock(&registry_lock);
	for (p = &registry; *p; p = &(*p)->next)
		if ((*p)->st == st) {
			a = *p;
			*p = a->next;
			break;
		}
	pthread_mutex_unlock(&registry_lock);
	if (!a)
		return;
	next = a->next_closing;
	trail_key_free(a->key);
	free(a->dir);
	free(a);
	if (next)
		next(st);
}

static void copy_column(struct sql_stmt *stmt, int col, char *out, size_t size)
{
	const char *s = (const char *)sql_column_text(stmt, col);

	snprintf(out, size, "%s", s ? s : "");
}

/* Read the delivery state. Lock held. 0 or -errno. */
static int state_read(struct store *st, struct state *s)
{
	struct sql_stmt *stmt = db_stmt(st, SQL_STATE);
	int rc;

	if (!stmt)
		return -EIO;
	rc = db_step(stmt);
	if (rc == DB_ROW) {
		s->started = sql_column_int(stmt, 0);
		s->delivered_id = sql_column_int64(stmt, 1);
		s->last_log_ms = sql_column_int64(stmt, 2);
		s->digest_start_ms = sql_column_int64(stmt, 3);
		copy_column(stmt, 4, s->prev_key, sizeof(s->prev_key));
		copy_column(stmt, 5, s->prev_hash, sizeof(s->prev_hash));
		copy_column(stmt, 6, s->prev_signature,
			    sizeof(s->prev_signature));
		s->expired_count = sql_column_int64(stmt, 7);
		s->expired_first_day = sql_column_int64(stmt, 8);
		s->expired_last_day = sql_column_int64(stmt, 9);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = -EIO; /* the migration made the row: it cannot be gone */
	}
	sql_reset(stmt);
	return rc;
}

/* ---- files ---- */

/* mkdir -p the directories of path below dir (which must exist). */
static int make_dirs_below(const char *dir, const char *path)
{
	char buf[PATH_MAX];
	size_t base = strlen(dir);
	char *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (p = buf + base + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return 0;
}

/* fsync the directory that holds path, so a rename in it lasts. */
static void sync_parent(const char *path)
{
	char buf[PATH_MAX];
	char *slash;
	int fd;

	snprintf(buf, sizeof(buf), "%s", path);
	slash = strrchr(buf, '/');
	if (!slash)
		return;
	*slash = '\0';
	fd = open(buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd); /* best effort: the file itself is synced */
		close(fd);
	}
}

/*
 * Write data to dir/rel atomically: a temporary file beside it, fsync'ed,
 * renamed over rel. dir must exist (it is the user's: never made here).
 * 0, or -errno with err naming the file and the reason.
 */
static int write_file(const char *dir, const char *rel, const void *data,
		      size_t len, struct err *err)
{
	char path[PATH_MAX], tmp[PATH_MAX + 32];
	struct stat sb;
	const char *p = data;
	size_t done = 0;
	int fd, rc = 0;

	if (stat(dir, &sb))
		rc = -errno;
	else if (!S_ISDIR(sb.st_mode))
		rc = -ENOTDIR;
	if (rc) {
		err_set(err, "%s", strerror(-rc));
		return rc;
	}
	if (snprintf(path, sizeof(path), "%s/%s", dir, rel) >=
	    (int)sizeof(path)) {
		err_set(err, "%s/%s: %s", dir, rel, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	rc = make_dirs_below(dir, path);
	if (rc) {
		err_set(err, "cannot make the directories of %s: %s", rel,
			strerror(-rc));
		return rc;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = -errno;
		err_set(err, "cannot write %s: %s", rel, strerror(errno));
		return rc;
	}
	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			break;
		}
		done += (size_t)n;
	}
	if (!rc && fsync(fd))
		rc = -errno;
	if (close(fd) && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path))
		rc = -errno;
	if (rc) {
		err_set(err, "cannot write %s: %s", rel, strerror(-rc));
		unlink(tmp);
		return rc;
	}
	sync_parent(path);
	return 0;
}

/* dir/monfs-public-key.pem, when it is not there yet. */
static int put_public_key(struct archive *a, struct err *err)
{
	struct strbuf pem = STRBUF_INIT;
	char path[PATH_MAX];
	int rc;

	snprintf(path, sizeof(path), "%s/" TRAIL_ARCHIVE_PUBLIC_KEY, a->dir);
	if (access(path, F_OK) == 0)
		return 0;
	rc = trail_key_public_pem(a->key, &pem);
	if (!rc)
		rc = write_file(a->dir, TRAIL_ARCHIVE_PUBLIC_KEY, pem.buf,
				pem.len, err);
	strbuf_release(&pem);
	return rc;
}

/* ---- failures ---- */

/*
 * Say a failure of delivery once per streak: on stderr, and in the trail
 * as eventName what (trail.monfs, by monfs itself) with its errorCode.
 */
static void report(struct archive *a, const char *what, int rc, const char *why)
{
	char message[ERR_MSG_MAX + PATH_MAX + 64];

	if (a->failing)
		return;
	a->failing = true;
	snprintf(message, sizeof(message),
		 "trail archive %s: %s; delivery will catch up", a->dir, why);
	fprintf(stderr, "monfs: %s\n", message);
	store_trail_record(a->st,
			   &(struct trail_event){
				   .source = "trail.monfs",
				   .name = what,
				   .service_event = true,
				   .params = {TRAIL_STR("archive", a->dir)},
				   .nparams = 1,
				   .error = rc,
				   .message = message,
			   });
}

/* ---- log files ---- */

/* The records of one log file, read past the mark. */
struct batch {
	struct strbuf content; /* {"Records":[...]} */
	size_t count;
	int64_t last_id;
	int64_t oldest_ms, newest_ms;
};

/* Read up to a log file's worth of records past delivered_id. Lock held. */
static int batch_read(struct store *st, int64_t delivered_id, struct batch *b)
{
	struct sql_stmt *stmt = db_stmt(st, SQL_PENDING_RECORDS);
	int rc;

	if (!stmt)
		return -EIO;
	b->oldest_ms = INT64_MAX;
	b->newest_ms = INT64_MIN;
	rc = trail_archive_records_begin(&b->content);
	sql_bind_int64(stmt, 1, delivered_id);
	sql_bind_int(stmt, 2, LOG_FILE_MAX_RECORDS);
	while (!rc && b->content.len < LOG_FILE_MAX_BYTES &&
	       (rc = db_step(stmt)) == DB_ROW) {
		const char *line = (const char *)sql_column_text(stmt, 1);
		size_t len = (size_t)sql_column_bytes(stmt, 1);
		int64_t when;

		rc = 0;
		if (!line)
			continue;
		if (trail_archive_event_time(line, len, &when) == 0) {
			if (when < b->oldest_ms)
				b->oldest_ms = when;
			if (when > b->newest_ms)
				b->newest_ms = when;
		}
		rc = trail_archive_records_add(&b->content, b->count == 0, line,
					       len);
		b->count++;
		b->last_id = sql_column_int64(stmt, 0);
	}
	sql_reset(stmt);
	if (rc == DB_DONE)
		rc = 0;
	if (!rc)
		rc = trail_archive_records_end(&b->content);
	return rc;
}

/* Mark b delivered as key, with its hash. 0 or -errno. */
static int batch_commit(struct store *st, const struct batch *b,
			const char *key, const char *hash, int64_t now_ms)
{
	struct sql_stmt *stmt;
	int rc = db_begin(st);

	if (rc)
		return rc;
	stmt = db_stmt(st, SQL_LOG_DELIVERED);
	rc = stmt ? 0 : -EIO;
	if (!rc) {
		sql_bind_int64(stmt, 1, b->last_id);
		sql_bind_int64(stmt, 2, now_ms);
		rc = db_exec_stmt(stmt);
	}
	stmt = rc ? NULL : db_stmt(st, SQL_LOG_INSERT);
	if (!rc && !stmt)
		rc = -EIO;
	if (!rc) {
		sql_bind_text(stmt, 1, key, -1);
		sql_bind_text(stmt, 2, hash, -1);
		sql_bind_int64(stmt, 3, b->oldest_ms);
		sql_bind_int64(stmt, 4, b->newest_ms);
		rc = db_exec_stmt(stmt);
	}
	if (rc) {
		db_rollback(st);
		return rc;
	}
	return db_commit(st);
}

/*
 * Write the next log file, if there are records past the mark: 1 when
 * one was written and more may wait, 0 when none was due, or -errno
 * with err.
 */
static int deliver_one_log(struct archive *a, int64_t now_ms, struct err *err)
{
	const struct trail_settings *t = db_trail(a->st);
	struct batch b = {STRBUF_INIT, 0, 0, 0, 0};
	struct strbuf gz = STRBUF_INIT;
	char key[TRAIL_ARCHIVE_KEY_MAX], unique[17];
	char hash[TRAIL_SHA256_HEX_LEN + 1];
	struct state s;
	int rc;

	db_lock(a->st);
	rc = state_read(a->st, &s);
	if (!rc)
		rc = batch_read(a->st, s.delivered_id, &b);
	db_unlock(a->st);
	if (rc || b.count == 0)
		goto out;
	if (b.oldest_ms > b.newest_ms) /* no record had a time */
		b.oldest_ms = b.newest_ms = now_ms;
	rc = trail_archive_unique(unique);
	if (!rc)
		rc = trail_archive_log_key(key, t->account, t->region, now_ms,
					   unique);
	if (!rc)
		rc = trail_gzip(b.content.buf, b.content.len, &gz);
	if (rc) {
		err_set(err, "cannot make a log file: %s", strerror(-rc));
		goto out;
	}
	trail_sha256_hex(b.content.buf, b.content.len, hash);
	rc = write_file(a->dir, key, gz.buf, gz.len, err);
	if (!rc) {
		rc = batch_commit(a->st, &b, key, hash, now_ms);
		if (rc)
			err_set(err, "cannot mark %s delivered: %s", key,
				strerror(-rc));
	}
	if (!rc)
		rc = b.count >= LOG_FILE_MAX_RECORDS ||
		     b.content.len >= LOG_FILE_MAX_BYTES;
out:
	strbuf_release(&b.content);
	strbuf_release(&gz);
	return rc;
}

/* Whether records wait past the mark. Lock held. */
static int any_pending(struct store *st, int64_t delivered_id)
{
	struct sql_stmt *stmt = db_stmt(st, SQL_ANY_PENDING);
	int rc;

	if (!stmt)
		return -EIO;
	sql_bind_int64(stmt, 1, delivered_id);
	rc = db_step(stmt);
	sql_reset(stmt);
	return rc;
}

/* The log files due at now_ms (all pending ones when final). */
static int deliver_logs(struct archive *a, int64_t now_ms, bool final,
			struct err *err)
{
	struct state s;
	int rc;

	db_lock(a->st);
	rc = state_read(a->st, &s);
	if (!rc)
		rc = any_pending(a->st, s.delivered_id);
	db_unlock(a->st);
	if (rc <= 0)
		return rc;
	if (!final && now_ms - s.last_log_ms < LOG_INTERVAL_MS)
		return 0;
	while ((rc = deliver_one_log(a, now_ms, err)) == 1)
		;
	return rc;
}

/* ---- digests ---- */

/* The log files delivered since the last digest, into d. Lock held. */
static int logs_read(struct store *st, struct trail_digest *d, int64_t *last_id)
{
	struct sql_stmt *stmt = db_stmt(st, SQL_LOGS);
	struct trail_digest_log *bigger;
	size_t cap = 0;
	int rc;

	if (!stmt)
		return -EIO;
	*last_id = 0;
	while ((rc = db_step(stmt)) == DB_ROW) {
		struct trail_digest_log *l;

		if (d->nlogs == cap) {
			cap = cap ? 2 * cap : 16;
			bigger = realloc(d->logs, cap * sizeof(*d->logs));
			if (!bigger) {
				rc = -ENOMEM;
				break;
			}
			d->logs = bigger;
		}
		l = &d->logs[d->nlogs++];
		*last_id = sql_column_int64(stmt, 0);
		copy_column(stmt, 1, l->key, sizeof(l->key));
		copy_column(stmt, 2, l->hash, sizeof(l->hash));
		l->oldest_ms = sql_column_int64(stmt, 3);
		l->newest_ms = sql_column_int64(stmt, 4);
	}
	sql_reset(stmt);
	return rc == DB_DONE ? 0 : rc;
}

static int digest_commit(struct store *st, const struct trail_digest *d,
			 int64_t last_log_id, const char *hash,
			 const char *signature)
{
	struct sql_stmt *stmt;
	int rc = db_begin(st);

	if (rc)
		return rc;
	stmt = db_stmt(st, SQL_LOGS_DIGESTED);
	rc = stmt ? 0 : -EIO;
	if (!rc) {
		sql_bind_int64(stmt, 1, last_log_id);
		rc = db_exec_stmt(stmt);
	}
	stmt = rc ? NULL : db_stmt(st, SQL_DIGEST_DELIVERED);
	if (!rc && !stmt)
		rc = -EIO;
	if (!rc) {
		sql_bind_int64(stmt, 1, d->end_ms);
		sql_bind_text(stmt, 2, d->key, -1);
		sql_bind_text(stmt, 3, hash, -1);
		sql_bind_text(stmt, 4, signature, -1);
		sql_bind_int64(stmt, 5, d->expired_records);
		rc = db_exec_stmt(stmt);
	}
	if (rc) {
		db_rollback(st);
		return rc;
	}
	return db_commit(st);
}

/* Record in the trail that records expired before they were delivered. */
static void record_gap(struct archive *a, const struct trail_digest *d)
{
	char message[TRAIL_ARCHIVE_KEY_MAX + 256], first[FORMAT_TIME_MAX],
		last[FORMAT_TIME_MAX];

	format_date(first, d->expired_first_day * MS_PER_DAY);
	format_date(last, d->expired_last_day * MS_PER_DAY);
	snprintf(message, sizeof(message),
		 "%lld records of %s to %s expired by retention before they "
		 "could be delivered to the archive; digest %s says so",
		 (long long)d->expired_records, first, last, d->key);
	store_trail_record(a->st,
			   &(struct trail_event){
				   .source = "trail.monfs",
				   .name = "DeliverDigestFile",
				   .service_event = true,
				   .params = {TRAIL_STR("archive", a->dir)},
				   .nparams = 1,
				   .error = -ENOENT,
				   .message = message,
			   });
}

/* Write the digest of the log files since the last one, and its .sig. */
static int deliver_digest(struct archive *a, int64_t now_ms, bool final,
			  struct err *err)
{
	const struct trail_settings *t = db_trail(a->st);
	struct trail_digest d = {0};
	struct strbuf json = STRBUF_INIT, gz = STRBUF_INIT, sig = STRBUF_INIT;
	struct strbuf signing = STRBUF_INIT;
	char hash[TRAIL_SHA256_HEX_LEN + 1], rel[TRAIL_ARCHIVE_KEY_MAX + 8];
	int64_t last_log_id = 0;
	struct state s;
	int rc;

	db_lock(a->st);
	rc = state_read(a->st, &s);
	if (!rc && !final && now_ms - s.digest_start_ms < DIGEST_INTERVAL_MS) {
		db_unlock(a->st);
		return 0;
	}
	if (!rc)
		rc = logs_read(a->st, &d, &last_log_id);
	snprintf(d.account, sizeof(d.account), "%s", t->account);
	/* Names have whole seconds: each digest ends a second later at least.
	 */
	d.start_ms = s.digest_start_ms;
	d.end_ms = now_ms - floor_mod(now_ms, MS_PER_SECOND);
	if (d.end_ms <= d.start_ms)
		d.end_ms = d.start_ms - floor_mod(d.start_ms, MS_PER_SECOND) +
			   MS_PER_SECOND;
	if (!rc)
		rc = trail_archive_digest_key(d.key, t->account, t->region,
					      d.end_ms);
	db_unlock(a->st);
	if (rc) {
		err_set(err, "cannot read the delivery state: %s",
			strerror(-rc));
		goto out;
	}
	memcpy(d.fingerprint, a->fingerprint, sizeof(d.fingerprint));
	memcpy(d.prev_key, s.prev_key, sizeof(d.prev_key));
	memcpy(d.prev_hash, s.prev_hash, sizeof(d.prev_hash));
	memcpy(d.prev_signature, s.prev_signature, sizeof(d.prev_signature));
	d.expired_records = s.expired_count;
	d.expired_first_day = s.expired_first_day;
	d.expired_last_day = s.expired_last_day;
	rc = trail_digest_json(&d, &json);
	if (!rc) {
		trail_sha256_hex(json.buf, json.len, hash);
		rc = trail_digest_signing_string(&signing, d.end_ms, d.key,
						 hash, d.prev_signature);
	}
	if (!rc)
		rc = trail_key_sign_hex(a->key, signing.buf, signing.len, &sig);
	if (!rc)
		rc = trail_gzip(json.buf, json.len, &gz);
	if (rc) {
		err_set(err, "cannot make a digest: %s", strerror(-rc));
		goto out;
	}
	/* The signature first: a digest never stands without one. */
	snprintf(rel, sizeof(rel), "%s.sig", d.key);
	rc = write_file(a->dir, rel, sig.buf, sig.len, err);
	if (!rc)
		rc = write_file(a->dir, d.key, gz.buf, gz.len, err);
	if (!rc) {
		rc = digest_commit(a->st, &d, last_log_id, hash, sig.buf);
		if (rc)
			err_set(err, "cannot mark %s delivered: %s", d.key,
				strerror(-rc));
	}
	if (!rc && d.expired_records > 0)
		record_gap(a, &d);
out:
	trail_digest_free(&d);
	strbuf_release(&json);
	strbuf_release(&gz);
	strbuf_release(&sig);
	strbuf_release(&signing);
	return rc;
}

/* ---- the store's door ---- */

/* The key beside the database: DB.trail-key.pem. */
static const char SQL_FLEET_KEY_GET[] =
	"SELECT value FROM fleet_settings WHERE name = 'trail-key'";
static const char SQL_FLEET_KEY_PUT[] =
	"INSERT OR IGNORE INTO fleet_settings (name, value)"
	" VALUES ('trail-key', ?1)";

/*
 * The fleet's signing key, kept in its database (SPEC 17): whichever
 * daemon delivers the archive signs with it, so that one public key
 * verifies the whole chain. Made by the first daemon that needs it.
 */
static int load_fleet_key(struct store *st, trail_key **key, struct err *err)
{
	struct strbuf pem = STRBUF_INIT;
	struct sql_stmt *stmt;
	trail_key *made = NULL;
	bool found;
	int rc = db_begin(st);

	if (rc)
		goto out;
	stmt = db_stmt(st, SQL_FLEET_KEY_GET);
	rc = stmt ? db_step(stmt) : -EIO;
	found = rc == DB_ROW;
	if (found)
		rc = strbuf_adds(&pem, sql_column_text(stmt, 0));
	if (stmt)
		sql_reset(stmt);
	if (!rc && !found) { /* none yet: make it */
		rc = trail_key_generate(2048, &made);
		if (!rc)
			rc = trail_key_private_pem(made, &pem);
		stmt = rc ? NULL : db_stmt(st, SQL_FLEET_KEY_PUT);
		if (stmt) {
			sql_bind_text(stmt, 1, pem.buf, (int)pem.len);
			rc = db_exec_stmt(stmt);
		} else if (!rc) {
			rc = -EIO;
		}
	}
	if (rc) {
		db_rollback(st);
		goto out;
	}
	rc = db_commit(st);
	if (!rc)
		rc = trail_key_from_private_pem(pem.buf, pem.len, key);
out:
	if (rc)
		err_set(err, "the fleet's signing key: %s",
			rc == -EINVAL ? "not an RSA private key"
				      : strerror(-rc));
	trail_key_free(made);
	strbuf_release(&pem);
	return rc;
}

static int load_key(const char *db_path, trail_key **key, struct err *err)
{
	char path[PATH_MAX];
	bool created;

	if (snprintf(path, sizeof(path), "%s" KEY_SUFFIX, db_path) >=
	    (int)sizeof(path)) {
		err_set(err, "%s: %s", db_path, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	return trail_key_load_or_create(path, key, &created, err);
}

int store_trail_archive_check(const char *db_path, const char *region,
			      struct err *err)
{
	char key_name[TRAIL_ARCHIVE_KEY_MAX];
	trail_key *key = NULL;
	int rc;

	if (trail_archive_digest_key(key_name, "000000000000",
				     region ? region : "local", 0)) {
		err_set(err,
			"--trail-archive: the region %s cannot name archive "
			"files (no '/', at most 63 bytes)",
			region);
		return -EINVAL;
	}
	if (store_db_is_postgres(db_path)) {
		struct store *st;

		/* The fleet's key is in its database (made if missing). */
		rc = store_open(db_path, &st, err);
		if (!rc) {
			rc = load_fleet_key(st, &key, err);
			store_close(st);
		}
	} else {
		rc = load_key(db_path, &key, err);
	}
	trail_key_free(key);
	if (rc)
		err_prefix(err, "--trail-archive");
	return rc;
}

int store_trail_archive_configure(struct store *st, const char *db_path,
				  const char *dir, struct err *err)
{
	struct archive *a = calloc(1, sizeof(*a));
	struct err why = {""};
	struct sql_stmt *stmt;
	int rc;

	if (!a || !(a->dir = strdup(dir))) {
		free(a);
		return -ENOMEM;
	}
	a->st = st;
	rc = db_engine(st) == DB_POSTGRES ? load_fleet_key(st, &a->key, err)
					  : load_key(db_path, &a->key, err);
	if (!rc && trail_key_fingerprint(a->key, a->fingerprint)) {
		err_set(err, "cannot take the key's fingerprint");
		rc = -EIO;
	}
	if (rc)
		goto fail;
	/* The first start: the archive begins with what is stored. */
	rc = db_begin(st);
	if (!rc) {
		stmt = db_stmt(st, SQL_START);
		rc = stmt ? 0 : -EIO;
		if (!rc) {
			sql_bind_int64(stmt, 1, store_now_ms());
			rc = db_exec_stmt(stmt);
		}
		if (rc)
			db_rollback(st);
		else
			rc = db_commit(st);
	}
	if (rc) {
		err_set(err, "cannot start the archive's state: %s",
			strerror(-rc));
		goto fail;
	}
	pthread_mutex_lock(&registry_lock);
	a->next = registry;
	registry = a;
	a->next_closing = db_hooks(st)->closing;
	db_hooks(st)->closing = archive_closing;
	pthread_mutex_unlock(&registry_lock);
	rc = put_public_key(a, &why);
	if (rc)
		report(a, "DeliverLogFiles", rc, why.msg);
	return 0;
fail:
	trail_key_free(a->key);
	free(a->dir);
	free(a);
	return rc;
}

int store_trail_archive_deliver(struct store *st, int64_t now_ms, bool final)
{
	struct archive *a = archive_of(st);
	struct err why = {""};
	const char *what = "DeliverLogFiles";
	int rc;

	if (!a)
		return 0;
	rc = put_public_key(a, &why);
	if (!rc)
		rc = deliver_logs(a, now_ms, final, &why);
	if (!rc) {
		what = "DeliverDigestFile";
		rc = deliver_digest(a, now_ms, final, &why);
	}
	if (rc) {
		if (!why.msg[0])
			err_set(&why, "%s", strerror(-rc));
		report(a, what, rc, why.msg);
		return rc;
	}
	a->failing = false;
	return 0;
}
