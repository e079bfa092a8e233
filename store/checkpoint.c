/*
 * checkpoint: the WAL copied back by a thread of its own (checkpoint.h).
 *
 * The writer's WAL hook runs after each commit with the WAL's length in
 * pages; past WAKE_PAGES it wakes the thread, which runs a PASSIVE
 * checkpoint on its own connection: it copies what no reader still
 * needs and fsyncs (synchronous=NORMAL), while the writer goes on
 * appending. The next commit after a complete checkpoint starts the WAL
 * over from its beginning.
 */
#include "store/checkpoint.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

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

struct checkpointer {
	sqlite3 *db; /* this thread's own connection */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool wanted;
	bool running;
	bool stopping;
	int last_pages;  /* the WAL's length at the last commit (writer's) */
	unsigned cycle;  /* times the WAL started over */
	int copied;      /* WAL pages the last checkpoint left copied, */
	unsigned copied_cycle; /* in this cycle of the WAL */
};

/* The writer's WAL hook: after every commit, with the WAL's length. */
static int on_commit(void *arg, sqlite3 *writer, const char *schema,
		     int pages)
{
	struct checkpointer *cp = arg;
	bool restarted = pages < cp->last_pages, inline_copy;

	cp->last_pages = pages;
	if (pages < WAKE_PAGES && !restarted)
		return SQLITE_OK;
	pthread_mutex_lock(&cp->lock);
	if (restarted)
		cp->cycle++;
	inline_copy = pages >= BACKSTOP_PAGES ||
		      (pages >= WAKE_PAGES && !cp->running && !cp->wanted &&
		       cp->copied_cycle == cp->cycle &&
		       pages - cp->copied <= CATCHUP_PAGES);
	if (pages >= WAKE_PAGES && !inline_copy && !cp->wanted &&
	    !cp->running) {
		cp->wanted = true;
		pthread_cond_signal(&cp->wake);
	}
	pthread_mutex_unlock(&cp->lock);
	if (inline_copy) {
		sqlite3_wal_checkpoint_v2(writer, schema,
					  SQLITE_CHECKPOINT_PASSIVE, NULL,
					  NULL);
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
		sqlite3_wal_checkpoint_v2(cp->db, NULL,
					  SQLITE_CHECKPOINT_PASSIVE, NULL,
					  &copied);
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
	int rc;

	if (!cp)
		return -ENOMEM;
	rc = sqlite3_open_v2(path, &cp->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		sqlite3_close(cp->db);
		free(cp);
		return -EIO;
	}
	sqlite3_busy_timeout(cp->db, BUSY_TIMEOUT_MS);
	/* A connection sees the WAL only once it has read the database. */
	if (sqlite3_exec(cp->db, "PRAGMA journal_mode=WAL", NULL, NULL,
			 NULL) != SQLITE_OK) {
		sqlite3_close(cp->db);
		free(cp);
		return -EIO;
	}
	pthread_mutex_init(&cp->lock, NULL);
	pthread_cond_init(&cp->wake, NULL);
	rc = pthread_create(&cp->thread, NULL, run, cp);
	if (rc) {
		pthread_cond_destroy(&cp->wake);
		pthread_mutex_destroy(&cp->lock);
		sqlite3_close(cp->db);
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
	free(cp);
}
