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

#include "store/store.h"
#include "lib/strbuf.h"

struct stream_render;
struct group_render;
struct data_session;

enum handle_kind {
	HANDLE_METRIC,
	HANDLE_STREAM,
	HANDLE_TRAIL_DAY,
	HANDLE_ALARM,
	HANDLE_FILTER,
	HANDLE_BUS, /* id: the bus's stream */
	HANDLE_RULE,
	HANDLE_DASHBOARD,
	HANDLE_GROUP, /* a log group's view (SPEC 16) */
};

/* Whether kind is a definition's: taken whole, parsed at close. */
#define HANDLE_DEFINES(kind)                                                   \
	((kind) == HANDLE_ALARM || (kind) == HANDLE_FILTER ||                  \
	 (kind) == HANDLE_RULE || (kind) == HANDLE_DASHBOARD)

/*
 * Locks of fs/, in the order they are taken (never the other way):
 *
 *   open_lock (handle.c)  the list of open handles (prev, next)
 *   h->lock               one handle's moving fields, marked below
 *   creating_lock         the registry of definitions being created
 *   the store's lock      store/db.c: taken inside every store call,
 *                         so a store call may be made under the others
 *
 * fs/actions.c's locks (children_lock, deferred_lock, ev.lock) and
 * node.c's users_lock are leaves: no other lock, not even the store's,
 * is taken while one is held (a definition committed at close acts
 * under h->lock, so they come after it).
 *
 * Fields not marked are set at open, before the handle is shared, and
 * only read after that.
 */
struct handle {
	struct handle *prev, *next; /* the list of open handles; open_lock */
	pthread_mutex_t lock;	    /* see above: writes, flush, release, a view
				       read and a rename of one handle race */
	enum handle_kind kind;
	int64_t id;   /* the metric's or the stream's */
	pid_t opener; /* thread-group id of the process that opened */
	bool writable;
	struct strbuf pending; /* bytes after the last '\n' written; lock */
	struct strbuf text;    /* a metric's rendering, made at open */
	struct group_render *group; /* a group view's renderer, or NULL;
				       it moves under lock */
	char *view_path;	    /* a group view's path, as opened */
	bool drawn;		    /* a dashboard's view: its size is text's */
	struct stream_render *view; /* a stream view's renderer, or NULL;
				       its cursor moves under lock */
	struct data_session *ds;    /* a writer's session; file.c's to close;
				       used under lock */
	int64_t day;		    /* a trail day file's day */
	/* Alarms and filters: a definition, taken whole, parsed at close. */
	char *name;	       /* the alarm's or filter's; text in
				  pending; lock (a rename changes it) */
	bool written;	       /* a definition to commit at close; lock */
	char *creating;	       /* registry key, when made by this open;
				  lock */
	bool removed;	       /* made by this open, and rm'd: no commit;
				  lock */
	mode_t mode;	       /* of the definition when opened */
	struct caller who;     /* the opener, for what commits at close */
	struct node_attr attr; /* the file's at open, for fstat */
	bool held;	       /* a store hold on the stream or day */
};

/*
 * Consume complete lines: buf[0..len) is one or more whole lines, each
 * ending in '\n'. Returns 0 or -errno; on error nothing may be stored.
 */
typedef int (*lines_fn)(void *ctx, const char *buf, size_t len);

/*
 * A new handle on metric or stream id for the process opener. NULL when
 * out of memory. What it holds in the store (fs/file.c) is released
 * before it is freed.
 */
struct handle *handle_new(enum handle_kind kind, int64_t id, pid_t opener,
			  bool writable);

/*
 * The bytes rendered so far (after rendering what arrived) by the newest
 * group view the process tgid holds open on path, or -ENOENT when it
 * holds none there (SPEC 16: fstat on an open view). Takes open_lock,
 * then that handle's lock.
 */
int64_t handle_group_size(const char *path, pid_t tgid);

/* Free a handle and what it owns (NULL is fine). */
void handle_free(struct handle *h);

/*
 * Call fn for each handle still open and free it: at unmount the kernel
 * sends no release for files processes still hold, so the daemon's
 * destroy callback ends them here.
 */
void handle_free_all(void (*fn)(struct handle *h));

/*
 * Take one write's bytes: join them to the pending partial line, hand
 * every complete line to fn in one call, keep the rest pending. If fn
 * fails, the pending line is restored to what it was and fn's error is
 * returned; if the partial line left would be longer than max_pending,
 * -EMSGSIZE and nothing happens. Lock held by the caller.
 */
int handle_take(struct handle *h, const char *buf, size_t len,
		size_t max_pending, lines_fn fn, void *ctx);

/*
 * Hand the pending partial line, with a '\n' added, to fn, and forget
 * it whatever fn says. 0 when nothing is pending. Lock held.
 */
int handle_finish(struct handle *h, lines_fn fn, void *ctx);

/*
 * Alarms and filters being created: between create(2) and the close
 * that commits a valid definition, one exists only here (keyed
 * "alarms/NAME", "filters/NAME"), with the owner and mode it will have,
 * so that the kernel finds the file it was just told about. Not listed;
 * gone if no definition comes. 0 or -ENOMEM.
 */
int handle_creating_add(const char *key, const struct node_owner *owner);
void handle_creating_remove(const char *key);
bool handle_creating(const char *key, struct node_owner *owner);

/*
 * chmod or chown of a definition being created (editors and tar set
 * them before the close that defines it): kept for that definition.
 * (uid_t)-1, (gid_t)-1, (mode_t)-1 keep one. 0, or -ENOENT when key is
 * not being created.
 */
int handle_creating_set_owner(const char *key, uid_t uid, gid_t gid,
			      mode_t mode);

/*
 * rm of key while it is being created: the registry forgets it, and the
 * handles that made it commit nothing at their close (as on a local
 * filesystem, the data of a removed file is gone with its last close).
 */
void handle_creating_forget(enum handle_kind kind, const char *key);

/*
 * A rename of alarm or filter from to to (kind HANDLE_ALARM or
 * HANDLE_FILTER; keys as above): the open handles on from commit to to
 * at their close, and a from being created is to being created. 0 or
 * -ENOMEM (some handle then keeps its old name).
 */
int handle_rename(enum handle_kind kind, const char *from, const char *to,
		  const char *from_key, const char *to_key);

/*
 * The thread-group id (process id) of thread tid, read from /proc; tid
 * itself when /proc cannot say.
 */
pid_t thread_group_of(pid_t tid);

#endif
