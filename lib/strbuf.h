/*
 * strbuf: a growable byte buffer, always NUL-terminated, in git's manner.
 *
 * Used wherever text is built piece by piece (renderings, SQL-free
 * messages). Allocation failure is reported once, by a negative return,
 * and leaves the buffer as it was.
 */
#ifndef MONFS_STRBUF_H
#define MONFS_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *buf; /* NUL-terminated; NULL until the first append */
	size_t len;
	size_t alloc;
};

#define STRBUF_INIT                                                            \
	{                                                                      \
		NULL, 0, 0                                                     \
	}

/* Make room for at least extra more bytes. 0 or -ENOMEM. */
int strbuf_grow(struct strbuf *sb, size_t extra);

/* Append len bytes. 0 or -ENOMEM. */
int strbuf_add(struct strbuf *sb, const void *data, size_t len);

/* Append a NUL-terminated string. 0 or -ENOMEM. */
int strbuf_adds(struct strbuf *sb, const char *s);

/* Append printf-style. 0 or -ENOMEM. */
int strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Drop the first n bytes, keeping the rest. */
void strbuf_consume(struct strbuf *sb, size_t n);

/* Empty the buffer, keeping its allocation. */
void strbuf_reset(struct strbuf *sb);

/* Free the buffer's memory and make it empty. */
void strbuf_release(struct strbuf *sb);

#endif
