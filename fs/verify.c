/*
 * verify: `monfs verify DIR [--public-key FILE]` (SPEC 14), the archive
 * checked as `aws cloudtrail validate-logs` checks CloudTrail's.
 *
 * The archive is walked once: every .json.gz under AWSLogs/ACCOUNT/
 * CloudTrail-Digest/ is a digest, every one under CloudTrail/ a log
 * file. Then:
 *   - each digest's signature (its .sig beside it) over CloudTrail's
 *     signing string, with the public key, and its digestS3Object is
 *     where it was found;
 *   - each digest's previousDigest* link: the digest it names exists,
 *     and its content hash and signature are the ones the link holds
 *     (a deleted or altered digest breaks the next one's link);
 *   - each log file a digest lists exists and hashes to its hashValue;
 *   - each log file on disk is listed by a digest, except those
 *     delivered after the newest digest ends (the next digest will).
 * Problems print one line each, as validate-logs words them; then the
 * range and the counts. A digest that says records expired before
 * delivery (monfsExpiredRecords) prints a line too: the archive does
 * not pretend to be continuous, though nothing in it is invalid.
 */
#include "fs/verify.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/format.h"
#include "lib/strbuf.h"
#include "lib/trail_archive.h"

/* An archive file found on disk. */
struct found {
	char *rel; /* relative to DIR, as its object key */
	bool covered;
	/* Digests: what reading it gave. */
	bool parsed;
	bool valid;
	struct trail_digest d;
	char hash[TRAIL_SHA256_HEX_LEN + 1];
	struct strbuf signature;
};

struct found_list {
	struct found *v;
	size_t n, cap;
};

struct verify {
	const char *dir;
	trail_key *key;
	char fingerprint[TRAIL_FINGERPRINT_HEX_LEN + 1];
	struct found_list digests, logs;
	size_t digests_total, digests_valid, logs_total, logs_valid;
	int64_t start_ms, end_ms; /* the range the digests cover */
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: monfs verify DIR [--public-key FILE]\n"
		"\n"
		"Check an archive written by --trail-archive DIR: every "
		"digest's signature\n"
		"and chain, every log file's hash, and that no log file "
		"is left uncovered.\n"
		"The public key is DIR/" TRAIL_ARCHIVE_PUBLIC_KEY
		" unless --public-key is given.\n"
		"Exit status: 0 all valid, 1 something is not, 2 usage.\n");
}

static int found_add(struct found_list *l, const char *rel)
{
	struct found *bigger;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		bigger = realloc(l->v, l->cap * sizeof(*l->v));
		if (!bigger)
			return -ENOMEM;
		l->v = bigger;
	}
	memset(&l->v[l->n], 0, sizeof(l->v[l->n]));
	l->v[l->n].rel = strdup(rel);
	if (!l->v[l->n].rel)
		return -ENOMEM;
	l->n++;
	return 0;
}

static int found_cmp(const void *a, const void *b)
{
	return strcmp(((const struct found *)a)->rel,
		      ((const struct found *)b)->rel);
}

static struct found *found_get(struct found_list *l, const char *rel)
{
	struct found want = {.rel = (char *)rel};

	return l->n ? bsearch(&want, l->v, l->n, sizeof(*l->v), found_cmp)
		    : NULL;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/*
 * Collect the .json.gz files below dir/rel, digests and log files by
 * the level under AWSLogs/ACCOUNT/ they are in.
 */
static int walk(struct verify *v, const char *rel)
{
	char path[PATH_MAX], sub[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/%s", v->dir, rel);
	d = opendir(path);
	if (!d)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
	while (!rc && (e = readdir(d))) {
		struct stat sb;

		if (e->d_name[0] == '.')
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", rel, e->d_name) >=
		    (int)sizeof(sub))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", v->dir, sub) >=
			    (int)sizeof(path) ||
		    stat(path, &sb))
			continue;
		if (S_ISDIR(sb.st_mode))
			rc = walk(v, sub);
		else if (S_ISREG(sb.st_mode) && ends_with(sub, ".json.gz"))
			rc = found_add(strstr(sub, "/CloudTrail-Digest/")
					       ? &v->digests
					       : &v->logs,
				       sub);
	}
	closedir(d);
	return rc;
}

/* Read the file at path into out. 0 or -errno. */
static int read_file(const char *path, struct strbuf *out)
{
	char chunk[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		if (strbuf_add(out, chunk, (size_t)n)) {
			rc = -ENOMEM;
			break;
		}
	if (n < 0)
		rc = -errno;
	close(fd);
	return rc;
}

/* The uncompressed content of DIR/rel, or -errno (-EINVAL: not gzip). */
static int read_gz(const struct verify *v, const char *rel,
		   struct strbuf *content)
{
	struct strbuf gz = STRBUF_INIT;
	char path[PATH_MAX];
	int rc;

	snprintf(path, sizeof(path), "%s/%s", v->dir, rel);
	rc = read_file(path, &gz);
	if (!rc)
		rc = trail_gunzip(gz.buf ? gz.buf : "", gz.len, content);
	strbuf_release(&gz);
	return rc;
}

static void problem(const struct verify *v, const char *kind, const char *rel,
		    const char *why)
{
	printf("%s %s/%s INVALID: %s\n", kind, v->dir, rel, why);
}

/* Read, parse and check the signature of one digest. */
static void check_digest(struct verify *v, struct found *f)
{
	struct strbuf content = STRBUF_INIT, signing = STRBUF_INIT;
	char path[PATH_MAX];
	struct err err = {""};
	const char *why = NULL;

	v->digests_total++;
	if (read_gz(v, f->rel, &content)) {
		why = "invalid format";
		goto out;
	}
	trail_sha256_hex(content.buf ? content.buf : "", content.len, f->hash);
	if (trail_digest_parse(content.buf ? content.buf : "", content.len,
			       &f->d, &err)) {
		why = "invalid format";
		goto out;
	}
	f->parsed = true;
	if (f->d.start_ms < v->start_ms)
		v->start_ms = f->d.start_ms;
	if (f->d.end_ms > v->end_ms)
		v->end_ms = f->d.end_ms;
	snprintf(path, sizeof(path), "%s/%s.sig", v->dir, f->rel);
	if (read_file(path, &f->signature) || !f->signature.len) {
		why = "signature not found";
		goto out;
	}
	while (f->signature.len &&
	       (f->signature.buf[f->signature.len - 1] == '\n' ||
		f->signature.buf[f->signature.len - 1] == ' '))
		f->signature.buf[--f->signature.len] = '\0';
	if (strcmp(f->d.key, f->rel)) {
		why = "has been moved from its original location";
		goto out;
	}
	if (strcmp(f->d.fingerprint, v->fingerprint)) {
		why = "public key not found for fingerprint";
		goto out;
	}
	if (trail_digest_signing_string(&signing, f->d.end_ms, f->d.key,
					f->hash, f->d.prev_signature) ||
	    trail_key_verify_hex(v->key, signing.buf, signing.len,
				 f->signature.buf)) {
		why = "signature verification failed";
		goto out;
	}
	f->valid = true;
out:
	if (why)
		problem(v, "Digest file", f->rel, why);
	strbuf_release(&content);
	strbuf_release(&signing);
}

/*
 * The link from f to the digest before it. A missing digest counts as
 * one more invalid digest (once, however many links name it).
 */
static void check_link(struct verify *v, struct found *f, char **missing,
		       size_t *nmissing)
{
	struct found *prev;
	size_t i;

	if (!f->parsed || !f->d.prev_key[0])
		return;
	prev = found_get(&v->digests, f->d.prev_key);
	if (!prev) {
		for (i = 0; i < *nmissing; i++)
			if (!strcmp(missing[i], f->d.prev_key))
				return;
		missing[(*nmissing)++] = f->d.prev_key;
		v->digests_total++;
		problem(v, "Digest file", f->d.prev_key, "not found");
		return;
	}
	if (!prev->parsed)
		return; /* already said */
	if (strcmp(prev->hash, f->d.prev_hash)) {
		if (prev->valid)
			v->digests_valid--;
		prev->valid = false;
		problem(v, "Digest file", prev->rel,
			"hash value doesn't match");
	} else if (!prev->signature.buf ||
		   strcmp(prev->signature.buf, f->d.prev_signature)) {
		if (prev->valid)
			v->digests_valid--;
		prev->valid = false;
		problem(v, "Digest file", prev->rel,
			"signature doesn't match the next digest's "
			"previousDigestSignature");
	}
}

/* The log files digest f lists: present, and with their hashes. */
static void check_logs_of(struct verify *v, struct found *f)
{
	struct strbuf content = STRBUF_INIT;
	char hash[TRAIL_SHA256_HEX_LEN + 1];
	size_t i;

	for (i = 0; f->parsed && i < f->d.nlogs; i++) {
		const struct trail_digest_log *l = &f->d.logs[i];
		struct found *log = found_get(&v->logs, l->key);

		v->logs_total++;
		if (!log) {
			problem(v, "Log file", l->key, "not found");
			continue;
		}
		log->covered = true;
		strbuf_reset(&content);
		if (read_gz(v, log->rel, &content)) {
			problem(v, "Log file", log->rel, "invalid format");
			continue;
		}
		trail_sha256_hex(content.buf ? content.buf : "", content.len,
				 hash);
		if (strcmp(hash, l->hash)) {
			problem(v, "Log file", log->rel,
				"hash value doesn't match");
			continue;
		}
		v->logs_valid++;
	}
	strbuf_release(&content);
}

/* Log files no digest lists: invalid, unless newer than every digest. */
static void check_uncovered(struct verify *v)
{
	size_t i;

	for (i = 0; i < v->logs.n; i++) {
		struct found *log = &v->logs.v[i];
		int64_t when;

		if (log->covered)
			continue;
		if (trail_archive_log_key_time(log->rel, &when) == 0 &&
		    when > v->end_ms) {
			printf("Log file %s/%s not yet in a digest (delivered "
			       "after the newest one)\n",
			       v->dir, log->rel);
			continue;
		}
		v->logs_total++;
		problem(v, "Log file", log->rel, "not covered by any digest");
	}
}

/* Say the gaps the digests record. */
static void report_gaps(const struct verify *v)
{
	size_t i;

	for (i = 0; i < v->digests.n; i++) {
		const struct found *f = &v->digests.v[i];

		if (f->parsed && f->d.expired_records > 0)
			printf("Digest file %s/%s records a gap: %lld records "
			       "expired by retention before they were "
			       "delivered\n",
			       v->dir, f->rel, (long long)f->d.expired_records);
	}
}

static void print_counts(const struct verify *v)
{
	char start[FORMAT_TIME_MAX], end[FORMAT_TIME_MAX];

	format_time(start, v->start_ms);
	format_time(end, v->end_ms);
	printf("\nResults requested for %s to %s\n", start, end);
	printf("Results found for %s to %s:\n\n", start, end);
	printf("%zu/%zu digest files valid", v->digests_valid,
	       v->digests_total);
	if (v->digests_valid < v->digests_total)
		printf(", %zu/%zu digest files INVALID",
		       v->digests_total - v->digests_valid, v->digests_total);
	printf("\n%zu/%zu log files valid", v->logs_valid, v->logs_total);
	if (v->logs_valid < v->logs_total)
		printf(", %zu/%zu log files INVALID",
		       v->logs_total - v->logs_valid, v->logs_total);
	printf("\n");
}

static void verify_free(struct verify *v)
{
	size_t i;

	for (i = 0; i < v->digests.n; i++) {
		free(v->digests.v[i].rel);
		trail_digest_free(&v->digests.v[i].d);
		strbuf_release(&v->digests.v[i].signature);
	}
	for (i = 0; i < v->logs.n; i++)
		free(v->logs.v[i].rel);
	free(v->digests.v);
	free(v->logs.v);
	trail_key_free(v->key);
}

static int run(struct verify *v, const char *key_path)
{
	char **missing;
	size_t i, nmissing = 0;
	struct err err = {""};
	int rc;

	if (trail_key_load_public(key_path, &v->key, &err) ||
	    trail_key_fingerprint(v->key, v->fingerprint)) {
		fprintf(stderr, "monfs verify: %s\n",
			err.msg[0] ? err.msg : "cannot read the public key");
		return 1;
	}
	rc = walk(v, "AWSLogs");
	if (rc) {
		fprintf(stderr, "monfs verify: cannot read %s: %s\n", v->dir,
			strerror(-rc));
		return 1;
	}
	if (v->digests.n == 0) {
		fprintf(stderr, "monfs verify: no digest files in %s/AWSLogs\n",
			v->dir);
		return 1;
	}
	qsort(v->digests.v, v->digests.n, sizeof(*v->digests.v), found_cmp);
	qsort(v->logs.v, v->logs.n, sizeof(*v->logs.v), found_cmp);
	v->start_ms = INT64_MAX;
	v->end_ms = INT64_MIN;
	for (i = 0; i < v->digests.n; i++)
		check_digest(v, &v->digests.v[i]);
	if (v->start_ms > v->end_ms)
		v->start_ms = v->end_ms = 0;
	for (i = 0; i < v->digests.n; i++)
		v->digests_valid += v->digests.v[i].valid;
	missing = calloc(v->digests.n, sizeof(*missing));
	if (!missing)
		return 1;
	for (i = 0; i < v->digests.n; i++)
		check_link(v, &v->digests.v[i], missing, &nmissing);
	free(missing);
	for (i = 0; i < v->digests.n; i++)
		check_logs_of(v, &v->digests.v[i]);
	check_uncovered(v);
	report_gaps(v);
	print_counts(v);
	return v->digests_valid == v->digests_total &&
			       v->logs_valid == v->logs_total
		       ? 0
		       : 1;
}

int verify_main(int argc, char **argv)
{
	struct verify v = {0};
	const char *key = NULL;
	char default_key[PATH_MAX], dir[PATH_MAX];
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--public-key") && i + 1 < argc) {
			key = argv[++i];
		} else if (!strncmp(argv[i], "--public-key=", 13)) {
			key = argv[i] + 13;
		} else if (argv[i][0] != '-' && !v.dir) {
			v.dir = argv[i];
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (!v.dir || !*v.dir) {
		usage(stderr);
		return 2;
	}
	/* DIR/ and DIR name the same archive: print DIR/AWSLogs/... once. */
	snprintf(dir, sizeof(dir), "%s", v.dir);
	for (i = (int)strlen(dir); i > 1 && dir[i - 1] == '/'; i--)
		dir[i - 1] = '\0';
	v.dir = dir;
	if (!key) {
		snprintf(default_key, sizeof(default_key),
			 "%s/" TRAIL_ARCHIVE_PUBLIC_KEY, v.dir);
		key = default_key;
	}
	rc = run(&v, key);
	verify_free(&v);
	return rc;
}
