/*
 * trail: what the store's modules need of the audit trail (store/trail.c):
 * its settings, records appended inside a change's transaction, the
 * end of a change with its record, and pending data events. Internal to store/.
 */
#ifndef MONFS_STORE_TRAIL_H
#define MONFS_STORE_TRAIL_H

#include "store/db.h"

/* Fill settings with the defaults: region "local", this host's name. */
void trail_defaults(struct trail_settings *t);

/*
 * Append ev as a record at now_ms, inside the caller's transaction (lock
 * held). 0 or -errno.
 */
int trail_append_locked(struct store *st, const struct trail_event *ev,
			int64_t now_ms);

/*
 * Append rec, a whole record made elsewhere (an Insights record), at
 * now_ms: stamped with eventTime and eventID, and put on the default bus
 * as every record is. Lock held, transaction open. 0 or -errno.
 */
int trail_append_json_locked(struct store *st, struct json_t *rec,
			     int64_t now_ms);

/*
 * End a changing operation begun with db_begin: when rc is 0, record ev
 * in the same transaction and commit; otherwise roll back, and record ev
 * as refused with rc and err's message in a transaction of its own (the
 * refusal is on the record even though nothing changed). A failure of
 * the database itself (or of the commit) gets a message in err (may be
 * NULL) when it has none (db_explain). Returns the operation's result.
 */
int trail_finish_change(struct store *st, int rc, struct trail_event *ev,
			struct err *err);

/*
 * Turn pending data events into records: all of them (at open, after a
 * crash) or those counting writes for a minute or more. Lock not held.
 */
int trail_finish_pending(struct store *st, bool all, int64_t now_ms);

/*
 * Count count items and bytes bytes in the pending data event
 * *pending_id, making it (the record of ev) when *pending_id is 0. Lock
 * held, transaction open.
 */
int trail_pending_add(struct store *st, const struct trail_event *ev,
		      int64_t *pending_id, int64_t count, int64_t bytes,
		      int64_t now_ms);

/*
 * Turn pending_id into a record (if it counted anything) and drop it.
 * Lock held, transaction open.
 */
int trail_pending_close_locked(struct store *st, int64_t pending_id,
			       int64_t now_ms);

#endif
