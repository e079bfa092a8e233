/*
 * err: the human explanation that travels with a negative errno.
 *
 * Functions return 0 or -errno; when they refuse input they also fill a
 * caller-owned struct err with a message for the trail's errorMessage
 * ("line 3: \"abc\" is not a number"). Fixed size, no allocation, so it
 * can be filled on any path, including out-of-memory ones.
 */
#ifndef MONFS_ERR_H
#define MONFS_ERR_H

#define ERR_MSG_MAX 256

struct err {
	char msg[ERR_MSG_MAX];
};

/* Set err's message (printf-style), truncating if long. err may be NULL. */
void err_set(struct err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prefix err's current message with "prefix: ". err may be NULL. */
void err_prefix(struct err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
