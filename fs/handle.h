/*
 * handle: what monfs keeps per open file — the opener, the partial line
 * a writer left pending, and the rendering a reader reads from.
 *
 * The line joining here is the one splitter every writable file kind
 * uses: bytes arrive in arbitrary pieces, complete lines go to the kind's
 * consumer all at once, and a refused write leaves the pending partial
 * line exactly as it was before that write (SPEC 3, 4).
 */
#ifndef MONFS_FS_HANDLE_H
#define MONFS_FS_HANDLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "store/strbuf.h"

struct handle {
	pthread_mutex_t lock;   /* writes on one handle may race */
	pid_t opener;           /* thread-group id of the process that opened */
	bool writable;
	int64_t metric_id;
	char name[256];         /* the file's leaf name */
	struct strbuf pending;  /* bytes after the last '\n' written */
	struct strbuf text;     /* the rendering served to reads */
};

/*
 * Consume complete lines: buf[0..len) is one or more whole lines, each
 * ending in '\n'. Returns 0 or -errno; on error nothing may be stored.
 */
typedef int (*lines_fn)(void *ctx, const char *buf, size_t len);

/* A new handle for the process opener. NULL when out of memory. */
struct handle *handle_new(pid_t opener, bool writable);

/* Free a handle (NULL is fine). */
void handle_free(struct handle *h);

/*
 * Take one write's bytes: join them to the pending partial line, hand
 * every complete line to fn in one call, keep the rest pending. If fn
 * fails, the pending line is restored to what it was and fn's error is
 * returned. Lock held by the caller.
 */
int handle_take(struct handle *h, const char *buf, size_t len, lines_fn fn,
		void *ctx);

/*
 * Hand the pending partial line, with a '\n' added, to fn, and forget
 * it whatever fn says. 0 when nothing is pending. Lock held.
 */
int handle_finish(struct handle *h, lines_fn fn, void *ctx);

/*
 * The thread-group id (process id) of thread tid, read from /proc; tid
 * itself when /proc cannot say.
 */
pid_t thread_group_of(pid_t tid);

#endif
