/*
 * Unit tests for lib/trail_archive.h (SPEC 14): CloudTrail's object keys,
 * log files' {"Records":[...]}, gzip (checked with zlib itself), SHA-256
 * against the standard vectors, the digest's JSON and signing string,
 * SHA256withRSA signatures, fingerprints, and the key file's life: made
 * with mode 0600, loaded again, and refused (never replaced) when
 * corrupted.
 */
#include "lib/trail_archive.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* 2026-12-06T07:08:09.500Z */
#define WHEN_MS INT64_C(1796540889500)

static const char LOG_KEY[] =
	"AWSLogs/123456789012/CloudTrail/eu-west-3/2026/12/06/"
	"123456789012_CloudTrail_eu-west-3_20261206T0708Z_0123abcd.json.gz";

static void remove_dir(char *dir)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

/* A fresh directory for files of one test. */
static void tmp_dir(char dir[64])
{
	snprintf(dir, 64, "/tmp/monfs-archive-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

/* ---- names ---- */

Test(names, log_file_key_is_cloudtrails_layout)
{
	char key[TRAIL_ARCHIVE_KEY_MAX];

	cr_assert_eq(trail_archive_log_key(key, "123456789012", "eu-west-3",
					   WHEN_MS, "0123abcd"),
		     0);
	cr_assert_str_eq(key, LOG_KEY);
}

Test(names, digest_key_has_the_end_to_the_second)
{
	char key[TRAIL_ARCHIVE_KEY_MAX];

	cr_assert_eq(
		trail_archive_digest_key(key, "123456789012", "local", WHEN_MS),
		0);
	cr_assert_str_eq(key,
			 "AWSLogs/123456789012/CloudTrail-Digest/local/2026/12/"
			 "06/123456789012_CloudTrail-Digest_local_monfs_local_"
			 "20261206T070809Z.json.gz");
}

Test(names, a_region_that_cannot_name_a_directory_is_refused)
{
	char key[TRAIL_ARCHIVE_KEY_MAX];

	cr_assert_eq(trail_archive_log_key(key, "1", "a/b", 0, "u"), -EINVAL);
	cr_assert_eq(trail_archive_log_key(key, "1", "", 0, "u"), -EINVAL);
	cr_assert_eq(trail_archive_digest_key(key, "1", "..", 0), -EINVAL);
}

Test(names, unique_parts_are_16_hex_digits_and_differ)
{
	char a[17], b[17];
	size_t i;

	cr_assert_eq(trail_archive_unique(a), 0);
	cr_assert_eq(trail_archive_unique(b), 0);
	cr_assert_eq(strlen(a), 16);
	for (i = 0; i < 16; i++)
		cr_assert(strchr("0123456789abcdef", a[i]));
	cr_assert_str_neq(a, b);
}

Test(names, a_log_files_minute_is_read_back_from_its_key)
{
	int64_t ms;

	cr_assert_eq(trail_archive_log_key_time(LOG_KEY, &ms), 0);
	cr_assert_eq(ms, WHEN_MS - 9500);
}

Test(names, a_digest_or_junk_is_no_log_files_key)
{
	char key[TRAIL_ARCHIVE_KEY_MAX];
	int64_t ms;

	trail_archive_digest_key(key, "1", "local", WHEN_MS);
	cr_assert_eq(trail_archive_log_key_time(key, &ms), -EINVAL);
	cr_assert_eq(trail_archive_log_key_time("x.json.gz", &ms), -EINVAL);
	cr_assert_eq(trail_archive_log_key_time("", &ms), -EINVAL);
}

/* ---- log files ---- */

Test(records, lines_become_records_byte_for_byte_in_order)
{
	struct strbuf sb = STRBUF_INIT;

	cr_assert_eq(trail_archive_records_begin(&sb), 0);
	cr_assert_eq(trail_archive_records_add(&sb, true, "{\"a\":1}\n", 8), 0);
	cr_assert_eq(trail_archive_records_add(&sb, false, "{\"b\": 2}\n", 9),
		     0);
	cr_assert_eq(trail_archive_records_end(&sb), 0);
	cr_assert_str_eq(sb.buf, "{\"Records\":[{\"a\":1},{\"b\": 2}]}");
	strbuf_release(&sb);
}

Test(records, no_lines_make_an_empty_array)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *j;

	trail_archive_records_begin(&sb);
	trail_archive_records_end(&sb);
	j = json_loads(sb.buf, 0, NULL);
	cr_assert(json_is_array(json_object_get(j, "Records")));
	cr_assert_eq(json_array_size(json_object_get(j, "Records")), 0);
	json_decref(j);
	strbuf_release(&sb);
}

Test(records, the_event_time_of_a_record_is_read)
{
	static const char LINE[] = "{\"eventVersion\":\"1.08\",\"eventTime\":"
				   "\"2026-12-06T07:08:09Z\",\"x\":1}\n";
	int64_t ms;

	cr_assert_eq(trail_archive_event_time(LINE, strlen(LINE), &ms), 0);
	cr_assert_eq(ms, WHEN_MS - 500);
	cr_assert_eq(trail_archive_event_time("{}", 2, &ms), -EINVAL);
	cr_assert_eq(
		trail_archive_event_time("{\"eventTime\":\"no\"}", 18, &ms),
		-EINVAL);
}

/* ---- bytes ---- */

Test(bytes, sha256_of_the_empty_string)
{
	char hex[TRAIL_SHA256_HEX_LEN + 1];

	trail_sha256_hex("", 0, hex);
	cr_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934c"
			      "a495991b7852b855");
}

Test(bytes, sha256_of_abc_and_of_the_two_block_vector)
{
	static const char TWO[] =
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char hex[TRAIL_SHA256_HEX_LEN + 1];

	trail_sha256_hex("abc", 3, hex);
	cr_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9c"
			      "b410ff61f20015ad");
	trail_sha256_hex(TWO, strlen(TWO), hex);
	cr_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167"
			      "f6ecedd419db06c1");
}

Test(bytes, gzip_is_gzip_that_zlib_inflates_back)
{
	static const char TEXT[] = "{\"Records\":[{\"eventName\":\"x\"}]}";
	struct strbuf gz = STRBUF_INIT;
	char out[256];
	z_stream z = {0};

	cr_assert_eq(trail_gzip(TEXT, strlen(TEXT), &gz), 0);
	cr_assert_geq(gz.len, 18);
	cr_assert_eq((unsigned char)gz.buf[0], 0x1f); /* gzip's magic */
	cr_assert_eq((unsigned char)gz.buf[1], 0x8b);
	cr_assert_eq(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = (Bytef *)gz.buf;
	z.avail_in = (uInt)gz.len;
	z.next_out = (Bytef *)out;
	z.avail_out = sizeof(out);
	cr_assert_eq(inflate(&z, Z_FINISH), Z_STREAM_END);
	cr_assert_eq(z.total_out, strlen(TEXT));
	cr_assert_eq(memcmp(out, TEXT, strlen(TEXT)), 0);
	inflateEnd(&z);
	strbuf_release(&gz);
}

Test(bytes, a_large_content_round_trips)
{
	struct strbuf text = STRBUF_INIT, gz = STRBUF_INIT, back = STRBUF_INIT;
	unsigned i;

	for (i = 0; i < 200000; i++)
		strbuf_addf(&text, "%u,", i * 2654435761u);
	cr_assert_eq(trail_gzip(text.buf, text.len, &gz), 0);
	cr_assert_lt(gz.len, text.len);
	cr_assert_eq(trail_gunzip(gz.buf, gz.len, &back), 0);
	cr_assert_eq(back.len, text.len);
	cr_assert_eq(memcmp(back.buf, text.buf, text.len), 0);
	strbuf_release(&text);
	strbuf_release(&gz);
	strbuf_release(&back);
}

Test(bytes, gunzip_refuses_what_is_not_gzip_or_is_cut_short)
{
	struct strbuf gz = STRBUF_INIT, back = STRBUF_INIT;

	cr_assert_eq(trail_gunzip("plain text", 10, &back), -EINVAL);
	trail_gzip("some content to compress", 24, &gz);
	strbuf_reset(&back);
	cr_assert_eq(trail_gunzip(gz.buf, gz.len - 6, &back), -EINVAL);
	strbuf_release(&gz);
	strbuf_release(&back);
}

/* ---- digests ---- */

static struct trail_digest_log LOGS[2] = {
	{"AWSLogs/1/CloudTrail/local/a.json.gz", "aa", WHEN_MS - 60000,
	 WHEN_MS - 30000},
	{"AWSLogs/1/CloudTrail/local/b.json.gz", "bb", WHEN_MS - 20000,
	 WHEN_MS},
};

static void sample_digest(struct trail_digest *d, bool first)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->account, sizeof(d->account), "123456789012");
	d->start_ms = WHEN_MS - 3600000;
	d->end_ms = WHEN_MS;
	snprintf(d->key, sizeof(d->key),
		 "AWSLogs/1/CloudTrail-Digest/d.json.gz");
	snprintf(d->fingerprint, sizeof(d->fingerprint),
		 "0123456789abcdef0123456789abcdef");
	if (!first) {
		snprintf(d->prev_key, sizeof(d->prev_key),
			 "AWSLogs/prev.json.gz");
		snprintf(d->prev_hash, sizeof(d->prev_hash), "%064d", 7);
		snprintf(d->prev_signature, sizeof(d->prev_signature), "abcd");
	}
	d->logs = LOGS;
	d->nlogs = 2;
}

static json_t *digest_as_json(const struct trail_digest *d)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *j;

	cr_assert_eq(trail_digest_json(d, &sb), 0);
	j = json_loads(sb.buf, 0, NULL);
	cr_assert_not_null(j, "%s", sb.buf);
	strbuf_release(&sb);
	return j;
}

static const char *str(json_t *j, const char *name)
{
	return json_string_value(json_object_get(j, name));
}

Test(digest, the_first_digest_has_cloudtrails_members_and_null_links)
{
	struct trail_digest d;
	json_t *j, *l;

	sample_digest(&d, true);
	j = digest_as_json(&d);
	cr_assert_str_eq(str(j, "awsAccountId"), "123456789012");
	cr_assert_str_eq(str(j, "digestStartTime"), "2026-12-06T06:08:09Z");
	cr_assert_str_eq(str(j, "digestEndTime"), "2026-12-06T07:08:09Z");
	cr_assert_str_eq(str(j, "digestS3Bucket"), "monfs");
	cr_assert_str_eq(str(j, "digestS3Object"), d.key);
	cr_assert_str_eq(str(j, "digestSignatureAlgorithm"), "SHA256withRSA");
	cr_assert_str_eq(str(j, "digestPublicKeyFingerprint"), d.fingerprint);
	cr_assert_str_eq(str(j, "oldestEventTime"), "2026-12-06T07:07:09Z");
	cr_assert_str_eq(str(j, "newestEventTime"), "2026-12-06T07:08:09Z");
	cr_assert(json_is_null(json_object_get(j, "previousDigestSignature")));
	cr_assert(json_is_null(json_object_get(j, "previousDigestS3Object")));
	cr_assert(json_is_null(json_object_get(j, "previousDigestHashValue")));
	cr_assert_null(json_object_get(j, "monfsExpiredRecords"));
	l = json_array_get(json_object_get(j, "logFiles"), 1);
	cr_assert_str_eq(str(l, "s3Bucket"), "monfs");
	cr_assert_str_eq(str(l, "s3Object"), LOGS[1].key);
	cr_assert_str_eq(str(l, "hashValue"), "bb");
	cr_assert_str_eq(str(l, "hashAlgorithm"), "SHA-256");
	json_decref(j);
}

Test(digest, members_come_in_cloudtrails_order)
{
	static const char *const ORDER[] = {
		"awsAccountId",
		"digestStartTime",
		"digestEndTime",
		"digestS3Bucket",
		"digestS3Object",
		"digestPublicKeyFingerprint",
		"digestSignatureAlgorithm",
		"newestEventTime",
		"oldestEventTime",
		"previousDigestS3Bucket",
		"previousDigestS3Object",
		"previousDigestHashValue",
		"previousDigestHashAlgorithm",
		"previousDigestSignature",
		"logFiles",
	};
	struct strbuf sb = STRBUF_INIT;
	struct trail_digest d;
	const char *at;
	size_t i;

	sample_digest(&d, false);
	trail_digest_json(&d, &sb);
	at = sb.buf;
	for (i = 0; i < sizeof(ORDER) / sizeof(*ORDER); i++) {
		char quoted[64];

		snprintf(quoted, sizeof(quoted), "\"%s\":", ORDER[i]);
		at = strstr(at, quoted);
		cr_assert_not_null(at, "%s out of order in %s", ORDER[i],
				   sb.buf);
	}
	strbuf_release(&sb);
}

Test(digest, a_later_digest_links_the_previous_one)
{
	struct trail_digest d;
	json_t *j;

	sample_digest(&d, false);
	j = digest_as_json(&d);
	cr_assert_str_eq(str(j, "previousDigestS3Bucket"), "monfs");
	cr_assert_str_eq(str(j, "previousDigestS3Object"),
			 "AWSLogs/prev.json.gz");
	cr_assert_str_eq(str(j, "previousDigestHashAlgorithm"), "SHA-256");
	cr_assert_str_eq(str(j, "previousDigestSignature"), "abcd");
	json_decref(j);
}

Test(digest, a_digest_of_no_log_files_has_null_event_times)
{
	struct trail_digest d;
	json_t *j;

	sample_digest(&d, true);
	d.nlogs = 0;
	j = digest_as_json(&d);
	cr_assert(json_is_null(json_object_get(j, "oldestEventTime")));
	cr_assert(json_is_null(json_object_get(j, "newestEventTime")));
	cr_assert_eq(json_array_size(json_object_get(j, "logFiles")), 0);
	json_decref(j);
}

Test(digest, expired_records_are_said_only_when_there_are_some)
{
	struct strbuf sb = STRBUF_INIT;
	struct trail_digest d, back;
	json_t *j, *gap;

	sample_digest(&d, false);
	d.expired_records = 42;
	d.expired_first_day = WHEN_MS / 86400000 - 91;
	d.expired_last_day = WHEN_MS / 86400000 - 90;
	j = digest_as_json(&d);
	gap = json_object_get(j, "monfsExpiredRecords");
	cr_assert_eq(json_integer_value(json_object_get(gap, "count")), 42);
	cr_assert_str_eq(str(gap, "firstDay"), "2026-09-06");
	cr_assert_str_eq(str(gap, "lastDay"), "2026-09-07");
	json_decref(j);
	trail_digest_json(&d, &sb);
	cr_assert_eq(trail_digest_parse(sb.buf, sb.len, &back, NULL), 0);
	cr_assert_eq(back.expired_records, 42);
	trail_digest_free(&back);
	strbuf_release(&sb);
}

Test(digest, json_reads_back_to_the_same_digest)
{
	struct strbuf sb = STRBUF_INIT;
	struct trail_digest d, back;
	struct err err = {""};

	sample_digest(&d, false);
	trail_digest_json(&d, &sb);
	cr_assert_eq(trail_digest_parse(sb.buf, sb.len, &back, &err), 0, "%s",
		     err.msg);
	cr_assert_str_eq(back.account, d.account);
	cr_assert_eq(back.start_ms, d.start_ms - 500);
	cr_assert_eq(back.end_ms, d.end_ms - 500);
	cr_assert_str_eq(back.key, d.key);
	cr_assert_str_eq(back.fingerprint, d.fingerprint);
	cr_assert_str_eq(back.prev_key, d.prev_key);
	cr_assert_str_eq(back.prev_hash, d.prev_hash);
	cr_assert_str_eq(back.prev_signature, d.prev_signature);
	cr_assert_eq(back.nlogs, 2);
	cr_assert_str_eq(back.logs[0].key, LOGS[0].key);
	cr_assert_str_eq(back.logs[1].hash, "bb");
	cr_assert_eq(back.logs[0].oldest_ms, LOGS[0].oldest_ms - 500);
	trail_digest_free(&back);
	strbuf_release(&sb);
}

Test(digest, a_digest_without_its_members_is_refused)
{
	struct trail_digest back;
	struct err err = {""};
	const char *bad = "{\"awsAccountId\":\"1\",\"logFiles\":[]}";

	cr_assert_eq(trail_digest_parse(bad, strlen(bad), &back, &err),
		     -EINVAL);
	cr_assert(strstr(err.msg, "digestStartTime"), "%s", err.msg);
	cr_assert_eq(trail_digest_parse("[1]", 3, &back, &err), -EINVAL);
	cr_assert_eq(trail_digest_parse("{", 1, &back, &err), -EINVAL);
}

Test(digest, the_signing_string_is_cloudtrails)
{
	struct strbuf sb = STRBUF_INIT;

	trail_digest_signing_string(&sb, WHEN_MS, "AWSLogs/k.json.gz", "h1",
				    "");
	cr_assert_str_eq(sb.buf, "2026-12-06T07:08:09Z\nmonfs/AWSLogs/"
				 "k.json.gz\nh1\nnull");
	strbuf_reset(&sb);
	trail_digest_signing_string(&sb, WHEN_MS, "AWSLogs/k.json.gz", "h1",
				    "beef");
	cr_assert_str_eq(sb.buf, "2026-12-06T07:08:09Z\nmonfs/AWSLogs/"
				 "k.json.gz\nh1\nbeef");
	strbuf_release(&sb);
}

/* ---- keys and signatures ---- */

/* A small key: these tests sign, they do not protect anything. */
static trail_key *test_key(void)
{
	trail_key *key;

	cr_assert_eq(trail_key_generate(1024, &key), 0);
	return key;
}

Test(keys, a_signature_verifies_with_its_key)
{
	struct strbuf sig = STRBUF_INIT;
	trail_key *key = test_key();

	cr_assert_eq(trail_key_sign_hex(key, "message", 7, &sig), 0);
	cr_assert_eq(sig.len, 256); /* 1024 bits, in hex */
	cr_assert_eq(trail_key_verify_hex(key, "message", 7, sig.buf), 0);
	strbuf_release(&sig);
	trail_key_free(key);
}

Test(keys, a_signature_fails_with_another_key_or_another_message)
{
	struct strbuf sig = STRBUF_INIT;
	trail_key *key = test_key(), *other = test_key();

	trail_key_sign_hex(key, "message", 7, &sig);
	cr_assert_eq(trail_key_verify_hex(other, "message", 7, sig.buf),
		     -EBADMSG);
	cr_assert_eq(trail_key_verify_hex(key, "messagE", 7, sig.buf),
		     -EBADMSG);
	sig.buf[10] = sig.buf[10] == '0' ? '1' : '0';
	cr_assert_eq(trail_key_verify_hex(key, "message", 7, sig.buf),
		     -EBADMSG);
	cr_assert_eq(trail_key_verify_hex(key, "message", 7, "xyz"), -EBADMSG);
	cr_assert_eq(trail_key_verify_hex(key, "message", 7, ""), -EBADMSG);
	strbuf_release(&sig);
	trail_key_free(key);
	trail_key_free(other);
}

Test(keys, fingerprints_are_32_hex_digits_one_per_key)
{
	char a[TRAIL_FINGERPRINT_HEX_LEN + 1],
		a2[TRAIL_FINGERPRINT_HEX_LEN + 1];
	char b[TRAIL_FINGERPRINT_HEX_LEN + 1];
	trail_key *key = test_key(), *other = test_key();

	cr_assert_eq(trail_key_fingerprint(key, a), 0);
	cr_assert_eq(trail_key_fingerprint(key, a2), 0);
	cr_assert_eq(trail_key_fingerprint(other, b), 0);
	cr_assert_eq(strlen(a), 32);
	cr_assert_str_eq(a, a2);
	cr_assert_str_neq(a, b);
	trail_key_free(key);
	trail_key_free(other);
}

Test(keys, the_public_pem_loads_back_and_verifies)
{
	struct strbuf pem = STRBUF_INIT, sig = STRBUF_INIT;
	char dir[64], path[128], fa[33], fb[33];
	trail_key *key = test_key(), *pub;
	struct err err = {""};
	FILE *f;

	tmp_dir(dir);
	snprintf(path, sizeof(path), "%s/pub.pem", dir);
	cr_assert_eq(trail_key_public_pem(key, &pem), 0);
	cr_assert(strstr(pem.buf, "BEGIN PUBLIC KEY"));
	f = fopen(path, "w");
	fwrite(pem.buf, 1, pem.len, f);
	fclose(f);
	cr_assert_eq(trail_key_load_public(path, &pub, &err), 0, "%s", err.msg);
	trail_key_sign_hex(key, "m", 1, &sig);
	cr_assert_eq(trail_key_verify_hex(pub, "m", 1, sig.buf), 0);
	trail_key_fingerprint(key, fa);
	trail_key_fingerprint(pub, fb);
	cr_assert_str_eq(fa, fb);
	trail_key_free(pub);
	trail_key_free(key);
	strbuf_release(&pem);
	strbuf_release(&sig);
	remove_dir(dir);
}

Test(keys, a_file_that_is_no_public_key_is_refused)
{
	char dir[64], path[128];
	struct err err = {""};
	trail_key *pub;
	FILE *f;

	tmp_dir(dir);
	snprintf(path, sizeof(path), "%s/pub.pem", dir);
	cr_assert_eq(trail_key_load_public(path, &pub, &err), -ENOENT);
	f = fopen(path, "w");
	fputs("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
	      f);
	fclose(f);
	cr_assert_eq(trail_key_load_public(path, &pub, &err), -EINVAL);
	cr_assert(strstr(err.msg, "does not hold an RSA public key"), "%s",
		  err.msg);
	remove_dir(dir);
}

Test(keys, a_missing_key_file_is_made_with_mode_0600_and_loaded_again)
{
	char dir[64], path[128], fa[33], fb[33];
	trail_key *key, *again;
	struct err err = {""};
	struct stat sb;
	bool created;

	tmp_dir(dir);
	snprintf(path, sizeof(path), "%s/db.trail-key.pem", dir);
	cr_assert_eq(trail_key_load_or_create(path, &key, &created, &err), 0,
		     "%s", err.msg);
	cr_assert(created);
	cr_assert_eq(stat(path, &sb), 0);
	cr_assert_eq(sb.st_mode & 0777, 0600);
	cr_assert_eq(trail_key_load_or_create(path, &again, &created, &err), 0);
	cr_assert_not(created);
	trail_key_fingerprint(key, fa);
	trail_key_fingerprint(again, fb);
	cr_assert_str_eq(fa, fb);
	trail_key_free(key);
	trail_key_free(again);
	remove_dir(dir);
}

Test(keys, a_corrupted_key_file_is_refused_and_kept)
{
	char dir[64], path[128], back[64] = "";
	struct err err = {""};
	trail_key *key;
	bool created;
	FILE *f;

	tmp_dir(dir);
	snprintf(path, sizeof(path), "%s/db.trail-key.pem", dir);
	f = fopen(path, "w");
	fputs("garbage\n", f);
	fclose(f);
	cr_assert_eq(trail_key_load_or_create(path, &key, &created, &err),
		     -EINVAL);
	cr_assert_null(key);
	cr_assert_not(created);
	cr_assert(strstr(err.msg, "does not hold an RSA private key"), "%s",
		  err.msg);
	f = fopen(path, "r");
	cr_assert(fgets(back, sizeof(back), f));
	fclose(f);
	cr_assert_str_eq(back, "garbage\n");
	remove_dir(dir);
}

Test(keys, an_unreadable_key_directory_is_an_error_not_a_new_key)
{
	struct err err = {""};
	trail_key *key;
	bool created;

	cr_assert_lt(trail_key_load_or_create("/nonexistent-dir/k.pem", &key,
					      &created, &err),
		     0);
	cr_assert_null(key);
	cr_assert(strstr(err.msg, "/nonexistent-dir/k.pem"), "%s", err.msg);
}

/* ---- the chain ---- */

/* Make digest d's JSON, its hash and its signature with key. */
static void sign_digest(trail_key *key, const struct trail_digest *d,
			char hash[TRAIL_SHA256_HEX_LEN + 1], struct strbuf *sig)
{
	struct strbuf json = STRBUF_INIT, signing = STRBUF_INIT;

	cr_assert_eq(trail_digest_json(d, &json), 0);
	trail_sha256_hex(json.buf, json.len, hash);
	trail_digest_signing_string(&signing, d->end_ms, d->key, hash,
				    d->prev_signature);
	cr_assert_eq(trail_key_sign_hex(key, signing.buf, signing.len, sig), 0);
	strbuf_release(&json);
	strbuf_release(&signing);
}

Test(chain, each_digest_signs_over_the_previous_signature)
{
	struct strbuf sig_a = STRBUF_INIT, sig_b = STRBUF_INIT;
	struct strbuf signing = STRBUF_INIT;
	char hash_a[65], hash_b[65];
	struct trail_digest a, b;
	trail_key *key = test_key();

	sample_digest(&a, true);
	sign_digest(key, &a, hash_a, &sig_a);
	sample_digest(&b, true);
	b.start_ms = a.end_ms;
	b.end_ms = a.end_ms + 3600000;
	snprintf(b.prev_key, sizeof(b.prev_key), "%s", a.key);
	snprintf(b.prev_hash, sizeof(b.prev_hash), "%s", hash_a);
	snprintf(b.prev_signature, sizeof(b.prev_signature), "%s", sig_a.buf);
	sign_digest(key, &b, hash_b, &sig_b);
	/* b verifies against a's real signature ... */
	trail_digest_signing_string(&signing, b.end_ms, b.key, hash_b,
				    sig_a.buf);
	cr_assert_eq(
		trail_key_verify_hex(key, signing.buf, signing.len, sig_b.buf),
		0);
	/* ... and not once a's signature is another (a re-signed a). */
	strbuf_reset(&signing);
	trail_digest_signing_string(&signing, b.end_ms, b.key, hash_b, "null");
	cr_assert_eq(
		trail_key_verify_hex(key, signing.buf, signing.len, sig_b.buf),
		-EBADMSG);
	trail_key_free(key);
	strbuf_release(&sig_a);
	strbuf_release(&sig_b);
	strbuf_release(&signing);
}

Test(chain, a_moved_digest_no_longer_verifies)
{
	struct strbuf sig = STRBUF_INIT, signing = STRBUF_INIT;
	struct trail_digest d;
	char hash[65];
	trail_key *key = test_key();

	sample_digest(&d, true);
	sign_digest(key, &d, hash, &sig);
	/* The key is part of what is signed: the same bytes elsewhere fail. */
	trail_digest_signing_string(&signing, d.end_ms, "AWSLogs/other.json.gz",
				    hash, "");
	cr_assert_eq(
		trail_key_verify_hex(key, signing.buf, signing.len, sig.buf),
		-EBADMSG);
	trail_key_free(key);
	strbuf_release(&sig);
	strbuf_release(&signing);
}
