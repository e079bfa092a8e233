/*
 * trail_archive: what CloudTrail's S3 delivery writes (SPEC 14), as pure
 * functions over bytes — the object keys of log files and digests, a log
 * file's {"Records":[...]} from the trail's JSON lines, gzip, SHA-256,
 * the digest's JSON (written and read back), the string a digest's
 * signature signs, and the RSA key that signs (SHA256withRSA).
 *
 * Nothing here knows where the archive is or what was delivered:
 * store/trail_archive.c keeps that, fs/verify.c reads an archive back.
 * Three files implement this header: lib/trail_archive.c (names,
 * records, gzip, hashes), lib/trail_digest.c (the digest's JSON and
 * signing string) and lib/trail_key.c (keys, signatures, fingerprints).
 */
#ifndef MONFS_TRAIL_ARCHIVE_H
#define MONFS_TRAIL_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "lib/strbuf.h"

/* Where CloudTrail's signed string names a bucket (SPEC 14). */
#define TRAIL_ARCHIVE_BUCKET "monfs"
/* The file beside the archive's AWSLogs/ that holds the public key. */
#define TRAIL_ARCHIVE_PUBLIC_KEY "monfs-public-key.pem"
/* An object key's longest form, NUL included. */
#define TRAIL_ARCHIVE_KEY_MAX 512
#define TRAIL_SHA256_HEX_LEN 64
/* The key's fingerprint: MD5 hex, as CloudTrail's digests carry it. */
#define TRAIL_FINGERPRINT_HEX_LEN 32
/* A signature's hex; room for an RSA key up to 8192 bits. */
#define TRAIL_SIGNATURE_HEX_MAX (2 * 1024 + 1)
/* A log file or digest inflates to at most this much (verify's guard). */
#define TRAIL_ARCHIVE_INFLATE_MAX (INT64_C(1) << 30)

/* ---- names (lib/trail_archive.c) ---- */

/*
 * The object key of a log file delivered at when_ms, unique a short
 * string that no other file of that minute has:
 * AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/
 * ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz.
 * 0, or -EINVAL when region is empty, holds a '/' or the key is too long.
 */
int trail_archive_log_key(char out[TRAIL_ARCHIVE_KEY_MAX], const char *account,
			  const char *region, int64_t when_ms,
			  const char *unique);

/*
 * The object key of the digest that ends at end_ms:
 * AWSLogs/ACCOUNT/CloudTrail-Digest/REGION/YYYY/MM/DD/
 * ACCOUNT_CloudTrail-Digest_REGION_monfs_REGION_YYYYMMDDTHHmmssZ.json.gz.
 * 0 or -EINVAL, as trail_archive_log_key.
 */
int trail_archive_digest_key(char out[TRAIL_ARCHIVE_KEY_MAX],
			     const char *account, const char *region,
			     int64_t end_ms);

/* 16 random hex digits, a log file's unique part. 0 or -EIO. */
int trail_archive_unique(char out[17]);

/*
 * The minute a log file's key names (its delivery, to the minute), in
 * ms. 0, or -EINVAL when key is not a log file's key.
 */
int trail_archive_log_key_time(const char *key, int64_t *ms_out);

/* ---- log files ---- */

/*
 * Append {"Records":[ to out; then each record with
 * trail_archive_records_add (a trail line, its '\n' dropped, copied byte
 * for byte) and the end with trail_archive_records_end. 0 or -ENOMEM.
 */
int trail_archive_records_begin(struct strbuf *out);
int trail_archive_records_add(struct strbuf *out, bool first, const char *line,
			      size_t len);
int trail_archive_records_end(struct strbuf *out);

/*
 * The eventTime of a trail record (one JSON line) in ms. 0, or -EINVAL
 * when it has none that parses.
 */
int trail_archive_event_time(const char *line, size_t len, int64_t *ms_out);

/* ---- bytes ---- */

/* Append data, gzip-compressed (one member), to out. 0, -ENOMEM, -EIO. */
int trail_gzip(const void *data, size_t len, struct strbuf *out);

/*
 * Append the inflated content of gzip data to out: -EINVAL when data is
 * not gzip or is cut short, -EFBIG past TRAIL_ARCHIVE_INFLATE_MAX,
 * -ENOMEM; else 0.
 */
int trail_gunzip(const void *data, size_t len, struct strbuf *out);

/* The SHA-256 of data, lowercase hex. */
void trail_sha256_hex(const void *data, size_t len,
		      char out[TRAIL_SHA256_HEX_LEN + 1]);

/* ---- digests (lib/trail_digest.c) ---- */

/* One log file a digest covers. */
struct trail_digest_log {
	char key[TRAIL_ARCHIVE_KEY_MAX];
	char hash[TRAIL_SHA256_HEX_LEN + 1]; /* of its uncompressed content */
	int64_t oldest_ms;		     /* its records' eventTime range */
	int64_t newest_ms;
};

/*
 * A digest file's content. The previous digest's fields are empty
 * strings for the first digest (written as null, as CloudTrail does).
 * expired_records counts the records that retention removed before they
 * could be delivered since the previous digest (monfs's own member,
 * "monfsExpiredRecords", written only when not 0), over the UTC days
 * expired_first_day..expired_last_day (days since the epoch).
 */
struct trail_digest {
	char account[16];
	int64_t start_ms;
	int64_t end_ms;
	char key[TRAIL_ARCHIVE_KEY_MAX];
	char fingerprint[TRAIL_FINGERPRINT_HEX_LEN + 1];
	char prev_key[TRAIL_ARCHIVE_KEY_MAX];
	char prev_hash[TRAIL_SHA256_HEX_LEN + 1];
	char prev_signature[TRAIL_SIGNATURE_HEX_MAX];
	struct trail_digest_log *logs; /* malloc'ed by trail_digest_parse */
	size_t nlogs;
	int64_t expired_records;
	int64_t expired_first_day;
	int64_t expired_last_day;
};

/*
 * The digest's JSON, in CloudTrail's member order, appended to out:
 * awsAccountId, digestStartTime, digestEndTime, digestS3Bucket,
 * digestS3Object, digestPublicKeyFingerprint, digestSignatureAlgorithm,
 * newestEventTime, oldestEventTime (of all its log files; null when it
 * has none), previousDigest* and logFiles. 0 or -ENOMEM.
 */
int trail_digest_json(const struct trail_digest *d, struct strbuf *out);

/*
 * Read a digest's JSON back into out (its logs malloc'ed: free with
 * trail_digest_free). 0, or -EINVAL with err saying which member is
 * missing or wrong, -ENOMEM.
 */
int trail_digest_parse(const char *text, size_t len, struct trail_digest *out,
		       struct err *err);

void trail_digest_free(struct trail_digest *d);

/*
 * The string a digest's signature signs, as CloudTrail builds it:
 * digestEndTime, "bucket/key", the hex SHA-256 of the digest's
 * uncompressed content, and the previous digest's signature ("null" for
 * the first), joined by '\n'. Appended to out. 0 or -ENOMEM.
 */
int trail_digest_signing_string(struct strbuf *out, int64_t end_ms,
				const char *key, const char *content_hash,
				const char *prev_signature);

/* ---- keys and signatures (lib/trail_key.c) ---- */

struct evp_pkey_st;
typedef struct evp_pkey_st trail_key;

/*
 * The private key in the PEM file path, or a new RSA-2048 key written
 * there first (mode 0600, atomically) when path does not exist;
 * *created says which. A file that exists but does not hold an RSA
 * private key is refused, never replaced: -EINVAL, or -errno when it
 * cannot be read or written, err saying why.
 */
int trail_key_load_or_create(const char *path, trail_key **out, bool *created,
			     struct err *err);

/*
 * The same, kept as text rather than in a file (a fleet keeps its key in
 * its database, SPEC 17): key's private half as PEM appended to out (0 or
 * -ENOMEM), and the RSA private key in PEM text (0, or -EINVAL when it
 * holds none).
 */
int trail_key_private_pem(trail_key *key, struct strbuf *out);
int trail_key_from_private_pem(const char *text, size_t len, trail_key **out);

/* The public key in the PEM file path. 0, -errno or -EINVAL, err says. */
int trail_key_load_public(const char *path, trail_key **out, struct err *err);

/* A new RSA key of bits bits, kept in memory only (tests). 0 or -EIO. */
int trail_key_generate(unsigned bits, trail_key **out);

void trail_key_free(trail_key *key);

/* Append key's public half as PEM (SubjectPublicKeyInfo). 0 or -ENOMEM. */
int trail_key_public_pem(trail_key *key, struct strbuf *out);

/*
 * The key's fingerprint: the MD5, in hex, of its public key's DER
 * (PKCS#1 RSAPublicKey), the 32 hex digits CloudTrail's digests carry.
 * 0 or -EIO.
 */
int trail_key_fingerprint(trail_key *key,
			  char out[TRAIL_FINGERPRINT_HEX_LEN + 1]);

/* Sign msg with SHA256withRSA (PKCS#1 v1.5); the hex appended to sig. */
int trail_key_sign_hex(trail_key *key, const void *msg, size_t len,
		       struct strbuf *sig);

/*
 * Whether sig_hex is key's SHA256withRSA signature of msg: 0 when it is,
 * -EBADMSG when it is not (or is not hex).
 */
int trail_key_verify_hex(trail_key *key, const void *msg, size_t len,
			 const char *sig_hex);

#endif
