/*
 * trail_key: the RSA key that signs the archive's digests (SPEC 14), on
 * OpenSSL 3's EVP interface — made once, kept in a PEM file of mode
 * 0600, never replaced: a key file that exists but does not read is an
 * error to show, because a new key would silently end the chain of
 * signatures that ties the archive together.
 */
#include "lib/trail_archive.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_BITS 2048
/* A PEM key file is a few KiB; anything far larger is not one. */
#define KEY_FILE_MAX_BYTES (64 * 1024)

/* OpenSSL's last error as text, for err's message. */
static const char *openssl_reason(void)
{
	unsigned long e = ERR_get_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return r ? r : "not a PEM key";
}

/* Read the file at path (at most KEY_FILE_MAX_BYTES) into out. */
static int read_small_file(const char *path, struct strbuf *out,
			   struct err *err)
{
	char chunk[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0) {
		rc = -errno;
		err_set(err, "cannot read %s: %s", path, strerror(errno));
		return rc;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		if (out->len + (size_t)n > KEY_FILE_MAX_BYTES) {
			err_set(err, "%s is too large for a key file", path);
			rc = -EINVAL;
			break;
		}
		if (strbuf_add(out, chunk, (size_t)n)) {
			rc = -ENOMEM;
			break;
		}
	}
	if (n < 0) {
		rc = -errno;
		err_set(err, "cannot read %s: %s", path, strerror(errno));
	}
	close(fd);
	return rc;
}

/* The PEM key in text, private or public; NULL when it holds none. */
static trail_key *pem_key(const struct strbuf *text, bool private_key)
{
	BIO *bio = BIO_new_mem_buf(text->buf ? text->buf : "", (int)text->len);
	EVP_PKEY *key = NULL;

	if (!bio)
		return NULL;
	key = private_key ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL)
			  : PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (key && !EVP_PKEY_is_a(key, "RSA")) {
		EVP_PKEY_free(key);
		key = NULL;
	}
	return key;
}

/*
 * Write key's private PEM to path, which must not exist: through a
 * temporary file of mode 0600 that is fsync'ed and then linked to path,
 * so that path is whole or absent, and an existing path is never
 * overwritten (-EEXIST).
 */
static int write_private(const char *path, trail_key *key, struct err *err)
{
	char tmp[4096];
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem;
	long len;
	int fd = -1, rc = 0;

	if (!bio ||
	    !PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL)) {
		BIO_free(bio);
		return -ENOMEM;
	}
	len = BIO_get_mem_data(bio, &pem);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	errno = 0;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || fchmod(fd, 0600) ||
	    write(fd, pem, (size_t)len) != (ssize_t)len || fsync(fd) ||
	    link(tmp, path)) {
		rc = errno ? -errno : -EIO;
		if (rc != -EEXIST)
			err_set(err, "cannot write the key %s: %s", path,
				strerror(-rc));
	}
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	BIO_free(bio);
	return rc;
}

int trail_key_generate(unsigned bits, trail_key **out)
{
	*out = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
	return *out ? 0 : -EIO;
}

int trail_key_load_or_create(const char *path, trail_key **out, bool *created,
			     struct err *err)
{
	struct strbuf text = STRBUF_INIT;
	int rc;

	*out = NULL;
	*created = false;
	rc = read_small_file(path, &text, err);
	if (rc == -ENOENT) {
		rc = trail_key_generate(KEY_BITS, out);
		if (rc) {
			err_set(err, "cannot make an RSA key: %s",
				openssl_reason());
			return rc;
		}
		rc = write_private(path, *out, err);
		if (!rc) {
			*created = true;
			return 0;
		}
		trail_key_free(*out);
		*out = NULL;
		if (rc != -EEXIST)
			return rc;
		/* Made by another process meanwhile: read that one. */
		rc = read_small_file(path, &text, err);
	}
	if (!rc) {
		*out = pem_key(&text, true);
		if (!*out) {
			err_set(err,
				"%s does not hold an RSA private key (%s); "
				"it is kept as it is: restore it, or move it "
				"away to start a new chain of digests",
				path, openssl_reason());
			rc = -EINVAL;
		}
	}
	strbuf_release(&text);
	return rc;
}

int trail_key_private_pem(trail_key *key, struct strbuf *out)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem;
	long len;
	int rc = -ENOMEM;

	if (bio &&
	    PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL)) {
		len = BIO_get_mem_data(bio, &pem);
		rc = strbuf_add(out, pem, (size_t)len);
	}
	BIO_free(bio);
	return rc;
}

int trail_key_from_private_pem(const char *text, size_t len, trail_key **out)
{
	struct strbuf pem = {(char *)text, len, len};

	*out = pem_key(&pem, true);
	return *out ? 0 : -EINVAL;
}

int trail_key_load_public(const char *path, trail_key **out, struct err *err)
{
	struct strbuf text = STRBUF_INIT;
	int rc = read_small_file(path, &text, err);

	*out = NULL;
	if (!rc) {
		*out = pem_key(&text, false);
		if (!*out) {
			err_set(err, "%s does not hold an RSA public key (%s)",
				path, openssl_reason());
			rc = -EINVAL;
		}
	}
	strbuf_release(&text);
	return rc;
}

void trail_key_free(trail_key *key)
{
	EVP_PKEY_free(key);
}

int trail_key_public_pem(trail_key *key, struct strbuf *out)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem;
	long len;
	int rc = -ENOMEM;

	if (bio && PEM_write_bio_PUBKEY(bio, key)) {
		len = BIO_get_mem_data(bio, &pem);
		rc = strbuf_add(out, pem, (size_t)len) ? -ENOMEM : 0;
	}
	BIO_free(bio);
	return rc;
}

int trail_key_fingerprint(trail_key *key,
			  char out[TRAIL_FINGERPRINT_HEX_LEN + 1])
{
	unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;
	int len = i2d_PublicKey(key, &der);

	if (len <= 0)
		return -EIO;
	if (!EVP_Digest(der, (size_t)len, md, &n, EVP_md5(), NULL) ||
	    n * 2 != TRAIL_FINGERPRINT_HEX_LEN) {
		OPENSSL_free(der);
		return -EIO;
	}
	OPENSSL_free(der);
	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

int trail_key_sign_hex(trail_key *key, const void *msg, size_t len,
		       struct strbuf *sig)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *bytes = NULL;
	size_t n = 0, i;
	int rc = -EIO;

	if (!ctx ||
	    EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(ctx, NULL, &n, msg, len) != 1)
		goto out;
	bytes = malloc(n);
	if (!bytes) {
		rc = -ENOMEM;
		goto out;
	}
	if (EVP_DigestSign(ctx, bytes, &n, msg, len) != 1)
		goto out;
	rc = 0;
	for (i = 0; !rc && i < n; i++)
		rc = strbuf_addf(sig, "%02x", bytes[i]);
out:
	free(bytes);
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int trail_key_verify_hex(trail_key *key, const void *msg, size_t len,
			 const char *sig_hex)
{
	size_t hex_len = strlen(sig_hex), i;
	unsigned char *bytes;
	EVP_MD_CTX *ctx;
	int rc = -EBADMSG;

	while (hex_len > 0 &&
	       (sig_hex[hex_len - 1] == '\n' || sig_hex[hex_len - 1] == '\r'))
		hex_len--;
	if (hex_len == 0 || hex_len % 2)
		return -EBADMSG;
	bytes = malloc(hex_len / 2);
	if (!bytes)
		return -ENOMEM;
	for (i = 0; i < hex_len / 2; i++) {
		int hi = hex_value(sig_hex[2 * i]);
		int lo = hex_value(sig_hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(bytes);
			return -EBADMSG;
		}
		bytes[i] = (unsigned char)(hi << 4 | lo);
	}
	ctx = EVP_MD_CTX_new();
	if (ctx &&
	    EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
	    EVP_DigestVerify(ctx, bytes, hex_len / 2, msg, len) == 1)
		rc = 0;
	EVP_MD_CTX_free(ctx);
	free(bytes);
	ERR_clear_error();
	return rc;
}
