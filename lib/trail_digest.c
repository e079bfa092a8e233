/*
 * trail_digest: a CloudTrail digest file's JSON, written and read back,
 * and the string its signature signs (SPEC 14).
 *
 * Members keep CloudTrail's names and order, so that tools written for
 * CloudTrail's digests read these. Times are whole seconds, as
 * CloudTrail writes them; a digest with no log files has null event
 * times, and the first digest null previousDigest* members.
 */
#include "lib/trail_archive.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/format.h"
#include "lib/parse.h"
#include "lib/timeutil.h"

#define HASH_ALGORITHM "SHA-256"
#define SIGNATURE_ALGORITHM "SHA256withRSA"

/* ms as CloudTrail's time: RFC 3339, whole seconds, UTC. */
static json_t *time_json(int64_t ms)
{
	char t[FORMAT_TIME_MAX];

	return json_string(format_time(t, ms - floor_mod(ms, MS_PER_SECOND)));
}

/* s, or null when s is empty. */
static json_t *string_or_null(const char *s)
{
	return *s ? json_string(s) : json_null();
}

static json_t *log_json(const struct trail_digest_log *l)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:o,s:o}", "s3Bucket",
			 TRAIL_ARCHIVE_BUCKET, "s3Object", l->key, "hashValue",
			 l->hash, "hashAlgorithm", HASH_ALGORITHM,
			 "newestEventTime", time_json(l->newest_ms),
			 "oldestEventTime", time_json(l->oldest_ms));
}

/* monfsExpiredRecords: how many records retention took undelivered. */
static json_t *expired_json(const struct trail_digest *d)
{
	char first[FORMAT_TIME_MAX], last[FORMAT_TIME_MAX];

	format_date(first, d->expired_first_day * MS_PER_DAY);
	format_date(last, d->expired_last_day * MS_PER_DAY);
	return json_pack("{s:I,s:s,s:s}", "count",
			 (json_int_t)d->expired_records, "firstDay", first,
			 "lastDay", last);
}

int trail_digest_json(const struct trail_digest *d, struct strbuf *out)
{
	json_t *root, *logs = json_array();
	int64_t oldest = INT64_MAX, newest = INT64_MIN;
	bool first = !d->prev_key[0];
	char *text = NULL;
	size_t i;
	int bad = !logs;

	for (i = 0; !bad && i < d->nlogs; i++) {
		bad = json_array_append_new(logs, log_json(&d->logs[i]));
		if (d->logs[i].oldest_ms < oldest)
			oldest = d->logs[i].oldest_ms;
		if (d->logs[i].newest_ms > newest)
			newest = d->logs[i].newest_ms;
	}
	root = bad ? NULL : json_object();
	bad = !root ||
	      json_object_set_new(root, "awsAccountId",
				  json_string(d->account)) ||
	      json_object_set_new(root, "digestStartTime",
				  time_json(d->start_ms)) ||
	      json_object_set_new(root, "digestEndTime",
				  time_json(d->end_ms)) ||
	      json_object_set_new(root, "digestS3Bucket",
				  json_string(TRAIL_ARCHIVE_BUCKET)) ||
	      json_object_set_new(root, "digestS3Object",
				  json_string(d->key)) ||
	      json_object_set_new(root, "digestPublicKeyFingerprint",
				  json_string(d->fingerprint)) ||
	      json_object_set_new(root, "digestSignatureAlgorithm",
				  json_string(SIGNATURE_ALGORITHM)) ||
	      json_object_set_new(root, "newestEventTime",
				  d->nlogs ? time_json(newest) : json_null()) ||
	      json_object_set_new(root, "oldestEventTime",
				  d->nlogs ? time_json(oldest) : json_null()) ||
	      json_object_set_new(root, "previousDigestS3Bucket",
				  first ? json_null()
					: json_string(TRAIL_ARCHIVE_BUCKET)) ||
	      json_object_set_new(root, "previousDigestS3Object",
				  string_or_null(d->prev_key)) ||
	      json_object_set_new(root, "previousDigestHashValue",
				  string_or_null(d->prev_hash)) ||
	      json_object_set_new(root, "previousDigestHashAlgorithm",
				  first ? json_null()
					: json_string(HASH_ALGORITHM)) ||
	      json_object_set_new(root, "previousDigestSignature",
				  string_or_null(d->prev_signature)) ||
	      (d->expired_records > 0 &&
	       json_object_set_new(root, "monfsExpiredRecords",
				   expired_json(d))) ||
	      json_object_set(root, "logFiles", logs);
	if (!bad)
		text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	json_decref(logs);
	if (!text)
		return -ENOMEM;
	bad = strbuf_adds(out, text);
	free(text);
	return bad ? -ENOMEM : 0;
}

/* Copy string member name of obj into out[size]; "" when null and may_null. */
static int get_string(json_t *obj, const char *name, bool may_null, char *out,
		      size_t size, struct err *err)
{
	json_t *v = json_object_get(obj, name);

	if (may_null && (!v || json_is_null(v))) {
		out[0] = '\0';
		return 0;
	}
	if (!json_is_string(v) || json_string_length(v) >= size) {
		err_set(err, "%s is missing or not a string", name);
		return -EINVAL;
	}
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

/* A time member of obj into *ms; 0 when null and may_null. */
static int get_time(json_t *obj, const char *name, bool may_null, int64_t *ms,
		    struct err *err)
{
	json_t *v = json_object_get(obj, name);

	*ms = 0;
	if (may_null && (!v || json_is_null(v)))
		return 0;
	if (!json_is_string(v) ||
	    parse_timestamp(json_string_value(v), json_string_length(v), ms)) {
		err_set(err, "%s is missing or not a time", name);
		return -EINVAL;
	}
	return 0;
}

static int parse_log(json_t *v, struct trail_digest_log *l, struct err *err)
{
	if (!json_is_object(v)) {
		err_set(err, "a logFiles entry is not an object");
		return -EINVAL;
	}
	return get_string(v, "s3Object", false, l->key, sizeof(l->key), err) ||
			       get_string(v, "hashValue", false, l->hash,
					  sizeof(l->hash), err) ||
			       get_time(v, "oldestEventTime", true,
					&l->oldest_ms, err) ||
			       get_time(v, "newestEventTime", true,
					&l->newest_ms, err)
		       ? -EINVAL
		       : 0;
}

int trail_digest_parse(const char *text, size_t len, struct trail_digest *out,
		       struct err *err)
{
	json_t *root = json_loadb(text, len, 0, NULL), *logs, *v;
	size_t i;
	int rc = -EINVAL;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(root)) {
		err_set(err, "not a JSON object");
		goto out;
	}
	if (get_string(root, "awsAccountId", false, out->account,
		       sizeof(out->account), err) ||
	    get_time(root, "digestStartTime", false, &out->start_ms, err) ||
	    get_time(root, "digestEndTime", false, &out->end_ms, err) ||
	    get_string(root, "digestS3Object", false, out->key,
		       sizeof(out->key), err) ||
	    get_string(root, "digestPublicKeyFingerprint", false,
		       out->fingerprint, sizeof(out->fingerprint), err) ||
	    get_string(root, "previousDigestS3Object", true, out->prev_key,
		       sizeof(out->prev_key), err) ||
	    get_string(root, "previousDigestHashValue", true, out->prev_hash,
		       sizeof(out->prev_hash), err) ||
	    get_string(root, "previousDigestSignature", true,
		       out->prev_signature, sizeof(out->prev_signature), err))
		goto out;
	v = json_object_get(root, "monfsExpiredRecords");
	if (json_is_object(v))
		out->expired_records =
			json_integer_value(json_object_get(v, "count"));
	logs = json_object_get(root, "logFiles");
	if (!json_is_array(logs)) {
		err_set(err, "logFiles is missing or not an array");
		goto out;
	}
	out->nlogs = json_array_size(logs);
	out->logs = calloc(out->nlogs ? out->nlogs : 1, sizeof(*out->logs));
	if (!out->logs) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < out->nlogs; i++)
		if (parse_log(json_array_get(logs, i), &out->logs[i], err))
			goto out;
	rc = 0;
out:
	json_decref(root);
	if (rc)
		trail_digest_free(out);
	return rc;
}

void trail_digest_free(struct trail_digest *d)
{
	free(d->logs);
	d->logs = NULL;
	d->nlogs = 0;
}

int trail_digest_signing_string(struct strbuf *out, int64_t end_ms,
				const char *key, const char *content_hash,
				const char *prev_signature)
{
	char t[FORMAT_TIME_MAX];

	format_time(t, end_ms - floor_mod(end_ms, MS_PER_SECOND));
	/* CloudTrail signs "null" where the first digest has no previous. */
	return strbuf_addf(out, "%s\n" TRAIL_ARCHIVE_BUCKET "/%s\n%s\n%s", t,
			   key, content_hash,
			   prev_signature && *prev_signature ? prev_signature
							     : "null");
}
