/*
 * trail_archive: the names and bytes of CloudTrail's S3 delivery (SPEC
 * 14) — object keys, a log file's {"Records":[...]}, gzip and SHA-256.
 *
 * A log file holds the trail's records exactly as the day files hold
 * them: each JSON line is copied byte for byte between the brackets, so
 * that `zcat | jq -c '.Records[]'` gives back the day file's lines.
 */
#include "lib/trail_archive.h"

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "lib/format.h"
#include "lib/parse.h"
#include "lib/timeutil.h"

/* Inflate and deflate in steps of this many bytes. */
#define ZLIB_CHUNK_BYTES (64 * 1024)

/* The calendar fields of ms (UTC), from format_time's fixed layout. */
struct civil {
	char year[5], month[3], day[3], hour[3], minute[3], second[3];
};

static void civil_of(int64_t ms, struct civil *c)
{
	char t[FORMAT_TIME_MAX];

	/* "YYYY-MM-DDTHH:MM:SS" (a year of four digits: after 999 AD). */
	format_time(t, ms - floor_mod(ms, MS_PER_SECOND));
	snprintf(c->year, sizeof(c->year), "%.4s", t);
	snprintf(c->month, sizeof(c->month), "%.2s", t + 5);
	snprintf(c->day, sizeof(c->day), "%.2s", t + 8);
	snprintf(c->hour, sizeof(c->hour), "%.2s", t + 11);
	snprintf(c->minute, sizeof(c->minute), "%.2s", t + 14);
	snprintf(c->second, sizeof(c->second), "%.2s", t + 17);
}

/* A region can name a directory level: not empty, no '/', not "." or "..". */
static bool region_ok(const char *region)
{
	return *region && !strchr(region, '/') && strcmp(region, ".") &&
	       strcmp(region, "..") && strlen(region) < 64;
}

int trail_archive_log_key(char out[TRAIL_ARCHIVE_KEY_MAX], const char *account,
			  const char *region, int64_t when_ms,
			  const char *unique)
{
	struct civil c;
	int n;

	if (!region_ok(region) || !*unique || strchr(unique, '/'))
		return -EINVAL;
	civil_of(when_ms, &c);
	n = snprintf(out, TRAIL_ARCHIVE_KEY_MAX,
		     "AWSLogs/%s/CloudTrail/%s/%s/%s/%s/"
		     "%s_CloudTrail_%s_%s%s%sT%s%sZ_%s.json.gz",
		     account, region, c.year, c.month, c.day, account, region,
		     c.year, c.month, c.day, c.hour, c.minute, unique);
	return n > 0 && n < TRAIL_ARCHIVE_KEY_MAX ? 0 : -EINVAL;
}

int trail_archive_digest_key(char out[TRAIL_ARCHIVE_KEY_MAX],
			     const char *account, const char *region,
			     int64_t end_ms)
{
	struct civil c;
	int n;

	if (!region_ok(region))
		return -EINVAL;
	civil_of(end_ms, &c);
	n = snprintf(out, TRAIL_ARCHIVE_KEY_MAX,
		     "AWSLogs/%s/CloudTrail-Digest/%s/%s/%s/%s/"
		     "%s_CloudTrail-Digest_%s_" TRAIL_ARCHIVE_BUCKET
		     "_%s_%s%s%sT%s%s%sZ.json.gz",
		     account, region, c.year, c.month, c.day, account, region,
		     region, c.year, c.month, c.day, c.hour, c.minute,
		     c.second);
	return n > 0 && n < TRAIL_ARCHIVE_KEY_MAX ? 0 : -EINVAL;
}

int trail_archive_unique(char out[17])
{
	unsigned char bytes[8];
	size_t i;

	if (RAND_bytes(bytes, sizeof(bytes)) != 1)
		return -EIO;
	for (i = 0; i < sizeof(bytes); i++)
		snprintf(out + 2 * i, 3, "%02x", bytes[i]);
	return 0;
}

/* n decimal digits at s as a number, or -1. */
static int digits(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int trail_archive_log_key_time(const char *key, int64_t *ms_out)
{
	const char *base = strrchr(key, '/');
	const char *mark;
	char iso[32];
	size_t len;

	base = base ? base + 1 : key;
	len = strlen(base);
	if (len < 8 || strcmp(base + len - 8, ".json.gz"))
		return -EINVAL;
	/* ..._YYYYMMDDTHHmmZ_UNIQUE.json.gz: the stamp is before the last _. */
	mark = strrchr(base, '_');
	if (!mark || mark - base < 14 || mark[-1] != 'Z' || mark[-6] != 'T' ||
	    mark[-15] != '_')
		return -EINVAL;
	mark -= 14;
	if (digits(mark, 8) < 0 || digits(mark + 9, 4) < 0)
		return -EINVAL;
	snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2sT%.2s:%.2s:00Z", mark,
		 mark + 4, mark + 6, mark + 9, mark + 11);
	return parse_timestamp(iso, strlen(iso), ms_out) ? -EINVAL : 0;
}

int trail_archive_records_begin(struct strbuf *out)
{
	return strbuf_adds(out, "{\"Records\":[");
}

int trail_archive_records_add(struct strbuf *out, bool first, const char *line,
			      size_t len)
{
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (!first && strbuf_add(out, ",", 1))
		return -ENOMEM;
	return strbuf_add(out, line, len);
}

int trail_archive_records_end(struct strbuf *out)
{
	return strbuf_adds(out, "]}");
}

int trail_archive_event_time(const char *line, size_t len, int64_t *ms_out)
{
	static const char MEMBER[] = "\"eventTime\":\"";
	const char *at = memmem(line, len, MEMBER, sizeof(MEMBER) - 1);
	const char *end;

	if (!at)
		return -EINVAL;
	at += sizeof(MEMBER) - 1;
	end = memchr(at, '"', len - (size_t)(at - line));
	if (!end)
		return -EINVAL;
	return parse_timestamp(at, (size_t)(end - at), ms_out) ? -EINVAL : 0;
}

int trail_gzip(const void *data, size_t len, struct strbuf *out)
{
	z_stream z = {0};
	int rc = 0, zrc;

	/* 15 + 16: a gzip header and trailer around the deflate stream. */
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	z.next_in = (Bytef *)(uintptr_t)data;
	do {
		uInt step =
			len > ZLIB_CHUNK_BYTES ? ZLIB_CHUNK_BYTES : (uInt)len;

		z.avail_in = step;
		len -= step;
		do {
			if (strbuf_grow(out, ZLIB_CHUNK_BYTES)) {
				rc = -ENOMEM;
				goto out;
			}
			z.next_out = (Bytef *)out->buf + out->len;
			z.avail_out = ZLIB_CHUNK_BYTES;
			zrc = deflate(&z, len ? Z_NO_FLUSH : Z_FINISH);
			if (zrc == Z_STREAM_ERROR) {
				rc = -EIO;
				goto out;
			}
			out->len += ZLIB_CHUNK_BYTES - z.avail_out;
			out->buf[out->len] = '\0';
		} while (z.avail_out == 0);
	} while (len > 0 || zrc != Z_STREAM_END);
out:
	deflateEnd(&z);
	return rc;
}

int trail_gunzip(const void *data, size_t len, struct strbuf *out)
{
	z_stream z = {0};
	size_t start = out->len;
	int rc = 0, zrc = Z_OK;

	/* 15 + 32: a gzip (or zlib) header, detected. */
	if (inflateInit2(&z, 15 + 32) != Z_OK)
		return -ENOMEM;
	z.next_in = (Bytef *)(uintptr_t)data;
	while (zrc != Z_STREAM_END) {
		uInt step =
			len > ZLIB_CHUNK_BYTES ? ZLIB_CHUNK_BYTES : (uInt)len;

		if (z.avail_in == 0) {
			if (step == 0) {
				rc = -EINVAL; /* cut short */
				break;
			}
			z.avail_in = step;
			len -= step;
		}
		if (out->len - start > (size_t)TRAIL_ARCHIVE_INFLATE_MAX) {
			rc = -EFBIG;
			break;
		}
		if (strbuf_grow(out, ZLIB_CHUNK_BYTES)) {
			rc = -ENOMEM;
			break;
		}
		z.next_out = (Bytef *)out->buf + out->len;
		z.avail_out = ZLIB_CHUNK_BYTES;
		zrc = inflate(&z, Z_NO_FLUSH);
		out->len += ZLIB_CHUNK_BYTES - z.avail_out;
		out->buf[out->len] = '\0';
		if (zrc == Z_MEM_ERROR) {
			rc = -ENOMEM;
			break;
		}
		if (zrc != Z_OK && zrc != Z_STREAM_END &&
		    !(zrc == Z_BUF_ERROR && z.avail_in == 0)) {
			rc = -EINVAL;
			break;
		}
	}
	inflateEnd(&z);
	return rc;
}

void trail_sha256_hex(const void *data, size_t len,
		      char out[TRAIL_SHA256_HEX_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (!EVP_Digest(data, len, md, &n, EVP_sha256(), NULL))
		n = 0; /* never with the default provider; an empty hash */
	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[2 * n] = '\0';
}
