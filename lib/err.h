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

#define ERR_MSG_MAX 1024

struct err {
	char msg[ERR_MSG_MAX];
};

/* Set err's message (printf-style), truncating if long. err may be NULL. */
void err_set(struct err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prefix err's current message with "prefix: ". err may be NULL. */
void err_prefix(struct err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Several errors in one message, one per line, for parsers that report
 * every error of a definition at once (SPEC 5). Lines that do not fit
 * are counted, and err_list_finish says how many in a last line, so
 * none is dropped silently.
 */
struct err_list {
	struct err *err;  /* may be NULL: errors are only counted */
	unsigned count;	  /* lines added */
	unsigned dropped; /* of them, those that did not fit */
};

/* Start an empty list whose message goes into err (emptied). */
void err_list_init(struct err_list *list, struct err *err);

/* Add one's message as the list's next line. */
void err_list_add(struct err_list *list, const struct err *one);

/* Add the line "(and N more)" if lines were dropped. The line count. */
unsigned err_list_finish(struct err_list *list);

#endif
