/*
 * checkpoint: copies the WAL back into the database from a thread of its
 * own, so that a writer's commit never waits for a checkpoint.
 *
 * Internal to store/. sqlite's automatic checkpoint runs inside the
 * commit that crosses its threshold: that writer then reads the WAL,
 * writes the database and fsyncs both before its write(2) returns, and
 * log ingest spent a third of its time there. Here the writer's commit
 * only signals; a second connection, used by this thread alone, runs
 * PASSIVE checkpoints, which never block a writer. Should the thread
 * fall far behind, the writer checkpoints itself (BACKSTOP), so the WAL
 * stays bounded.
 */
#ifndef MONFS_CHECKPOINT_H
#define MONFS_CHECKPOINT_H

#include <sqlite3.h>

struct checkpointer;

/*
 * Start checkpointing the database at path for the connection writer
 * (installs writer's WAL hook). 0 or -errno; on failure, sqlite's own
 * automatic checkpoint stays in place.
 */
int checkpointer_start(const char *path, sqlite3 *writer,
		       struct checkpointer **out);

/*
 * Stop the thread and close its connection (NULL is fine). Call before
 * closing writer, so that writer's close, the last, removes the WAL.
 */
void checkpointer_stop(struct checkpointer *cp);

#endif
