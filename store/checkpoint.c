/*
 * checkpoint: the WAL copied back by a thread of its own (checkpoint.h).
 *
 * The writer's WAL hook runs after each commit with the WAL's length in
 * pages; past WAKE_PAGES it wakes the thread, which runs a PASSIVE
 * checkpoint on its own connection: it copies what no reader still
 * needs and fsyncs (synchronous=NORMAL), while the writer goes on
 * appending. The next commit after a complete checkpoint starts the WAL
 * over from its beginning.
 *
 * On a disk short of room the WAL is copied back sooner: a WAL that
 * holds the disk's last free bytes in page versions already superseded
 * makes the disk full long before the data does, and then nothing can
 * commit, not even the removal that would make room. So every
 * SPACE_CHECK_PAGES of growth the hook looks at the disk, and wakes the
 * thread when what is free is less than LOW_SPACE_FACTOR times the WAL.
 */
#include "store/checkpoint.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/space.h"

/* sqlite's own default threshold, 4 MiB at 4 KiB pages. */
#define WAKE_PAGES 1000
/*
 * A writer this far ahead of the thread checkpoints itself; so does one
 * that finds the thread idle and at most CATCHUP_PAGES behind: a passive
 * checkpoint that a commit overtakes cannot start the WAL over, so under
 * a steady stream of commits the last few pages must be copied by the
 * writer, between its own commits.
 */
#define BACKSTOP_PAGES 16000
#define CATCHUP_PAGES 512
#define BUSY_TIMEOUT_MS 10000
#define SPACE_CHECK_PAGES 64
#define LOW_SPACE_FACTOR 2

/*
 * lock guards the fields marked "lock" between the writer (the commit
 * hook, which runs with the store's lock held: store lock, then this
 * one) and the thread; nothing is taken under it. Fields marked
 * "writer's" are touched only by the commit hook, so the store's lock
 * orders them.
 */
struct checkpointer {
	sqlite3 *db; /* this thread's own connection */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool wanted;	/* lock */
	bool running;	/* lock */
	bool stopping;	/* lock */
	int last_pages; /* the WAL's length at the last commit (writer's) */
	unsigned cycle; /* times the WAL started over; lock */
	int copied;	/* WAL pages the last checkpoint left copied, lock */
	unsigned copied_cycle; /* in this cycle of the WAL; lock */
	char *path;	       /* the database, whose disk is watched */
	int64_t page_bytes;
	int next_space_check; /* WAL length at which to look (writer's) */
};

/*
 * Whether the disk is short of room for a WAL of pages pages: looked at
 * every SPACE_CHECK_PAGES of growth only. Writer's thread.
 */
static bool disk_short(struct checkpointer *cp, int pages, bool restarted)
{
	int64_t avail;

	if (restarted)
		cp->next_space_check = 0;
	if (pages < cp->next_space_check)
		return false;
	cp->next_space_check = pages + SPACE_CHECK_PAGES;
	avail = space_free(cp->path);
	return avail >= 0 &&
	       avail < LOW_SPACE_FACTOR * (int64_t)pages * cp->page_bytes;
}

/* The writer's WAL hook: after every commit, with the WAL's length. */
static int on_commit(void *arg, sqlite3 *writer, const char *schema, int pages)
{
	struct checkpointer *cp = arg;
	bool restarted = pages < cp->last_pages, inline_copy, short_of_room;

	cp->last_pages = pages;
	short_of_room = disk_short(cp, pages, restarted);
	if (pages < WAKE_PAGES && !restarted && !short_of_room)
		return SQLITE_OK;
	pthread_mutex_lock(&cp->lock);
	if (restarted)
		cp->cycle++;
	inline_copy = pages >= BACKSTOP_PAGES ||
		      (pages >= WAKE_PAGES && !cp->running && !cp->wanted &&
		       cp->copied_cycle == cp->cycle &&
		       pages - cp->copied <= CATCHUP_PAGES);
	if ((pages >= WAKE_PAGES || short_of_room) && !inline_copy &&
	    !cp->wanted && !cp->running) {
		cp->wanted = true;
		pthread_cond_signal(&cp->wake);
	}
	pthread_mutex_unlock(&cp->lock);
	if (inline_copy) {
		sqlite3_wal_checkpoint_v2(
			writer, schema, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	}
	return SQLITE_OK;
}

static void *run(void *arg)
{
	struct checkpointer *cp = arg;
	unsigned cycle;
	int copied;

	pthread_mutex_lock(&cp->lock);
	for (;;) {
		while (!cp->wanted && !cp->stopping)
			pthread_cond_wait(&cp->wake, &cp->lock);
		if (cp->stopping)
			break;
		cp->wanted = false;
		cp->running = true;
		cycle = cp->cycle;
		pthread_mutex_unlock(&cp->lock);
		/*
		 * A failure (disk full, a reader in the way) leaves the WAL
		 * as it was; the next commit past WAKE_PAGES tries again.
		 */
		copied = 0;
		sqlite3_wal_checkpoint_v2(
			cp->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, &copied);
		pthread_mutex_lock(&cp->lock);
		cp->running = false;
		cp->copied = copied;
		cp->copied_cycle = cycle;
	}
	pthread_mutex_unlock(&cp->lock);
	return NULL;
}

int checkpointer_start(const char *path, sqlite3 *writer,
		       struct checkpointer **out)
{
	struct checkpointer *cp = calloc(1, sizeof(*cp));
	sqlite3_stmt *stmt;
	int rc;

	if (!cp)
		return -ENOMEM;
	cp->path = strdup(path);
	if (!cp->path) {
		free(cp);
		return -ENOMEM;
	}
	rc = sqlite3_open_v2(path, &cp->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_close(cp->db);
		free(cp->path);
		free(cp);
		return -EIO;
	}
	sqlite3_busy_timeout(cp->db, BUSY_TIMEOUT_MS);
	/* A connection sees the WAL only once it has read the database. */
	if (sqlite3_exec(cp->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		sqlite3_close(cp->db);
		free(cp->path);
		free(cp);
		return -EIO;
	}
	cp->page_bytes = 4096;
	if (sqlite3_prepare_v2(cp->db, "PRAGMA page_size", -1, &stmt, NULL) ==
	    SQLITE_OK) {
		rc = sqlite3_step(stmt);
		if (rc == SQLITE_ROW)
			cp->page_bytes = sqlite3_column_int64(stmt, 0);
		sqlite3_finalize(stmt);
		rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -EIO;
		if (rc < 0) {
			sqlite3_close(cp->db);
			free(cp->path);
			free(cp);
			return rc;
		}
	}
	pthread_mutex_init(&cp->lock, NULL);
	pthread_cond_init(&cp->wake, NULL);
	rc = pthread_create(&cp->thread, NULL, run, cp);
	if (rc) {
		pthread_cond_destroy(&cp->wake);
		pthread_mutex_destroy(&cp->lock);
		sqlite3_close(cp->db);
		free(cp->path);
		free(cp);
		return -rc;
	}
	sqlite3_wal_hook(writer, on_commit, cp);
	*out = cp;
	return 0;
}

void checkpointer_stop(struct checkpointer *cp)
{
	if (!cp)
		return;
	pthread_mutex_lock(&cp->lock);
	cp->stopping = true;
	pthread_cond_signal(&cp->wake);
	pthread_mutex_unlock(&cp->lock);
	pthread_join(cp->thread, NULL);
	pthread_cond_destroy(&cp->wake);
	pthread_mutex_destroy(&cp->lock);
	sqlite3_close(cp->db);
	free(cp->path);
	free(cp);
}
