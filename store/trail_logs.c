/*
 * trail_logs: every trail record also a line of the log stream
 * GROUP/ACCOUNT_CloudTrail_REGION (SPEC 14), within the transaction that
 * records it, so the copy is byte for byte the day file's and never
 * late. The group and stream are monfs's: made root's (the daemon's),
 * with the trail's group and mode, by store_trail_logs_sweep, which also
 * makes them again if someone removed them; lines recorded while the
 * stream is gone are not in it (the day file has them).
 *
 * Appends here are monfs's own: neither recorded nor emitted (a record
 * of them would be a line of the group, and so on). The group's metric
 * filters see each line as any other, so CloudTrail's classic alarms
 * work as written.
 */
#include "store/trail_logs.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "store/alarms.h"
#include "store/filters.h"
#include "store/logs.h"

int trail_logs_line_locked(struct store *st, const char *line, size_t len,
			   int64_t now_ms)
{
	struct trail_settings *t = db_trail(st);
	struct err err = {""};
	size_t events;
	int64_t abs;
	int rc;

	if (!t->log_group[0] || !t->log_stream_id)
		return 0;
	rc = stream_write_locked(st, t->log_stream_id, line, len, 0, true, &abs,
				 &events, &err);
	if (!rc)
		rc = stream_index_locked(st, t->log_stream_id, abs, len,
					 now_ms);
	if (!rc)
		rc = filters_apply_locked(st, t->log_stream_id, abs, line, len,
					  now_ms);
	if (rc == -ENOENT || rc == -EMSGSIZE) {
		/* Removed meanwhile (or a record past a line's limit). */
		if (rc == -ENOENT)
			t->log_stream_id = 0;
		return 0;
	}
	return rc;
}

int store_trail_logs_sweep(struct store *st)
{
	struct trail_settings *t = db_trail(st);
	char group[sizeof(t->log_group)], stream[sizeof(t->log_stream)];
	struct caller daemon = {.uid = getuid(), .gid = getgid()};
	struct err err = {""};
	struct stream_info s;
	gid_t gid;
	mode_t mode;
	int64_t id;
	int rc;

	db_lock(st);
	memcpy(group, t->log_group, sizeof(group));
	memcpy(stream, t->log_stream, sizeof(stream));
	id = t->log_stream_id;
	gid = t->log_gid;
	mode = t->log_mode;
	db_unlock(st);
	if (!group[0] ||
	    (id && !store_stream_get(st, group, stream, &s) && s.id == id))
		return 0;
	snprintf(daemon.user, sizeof(daemon.user), "monfs");
	snprintf(daemon.process, sizeof(daemon.process), "monfs");
	rc = target_log_stream(st, group, stream, &daemon, &id);
	/* Its owner's group and mode, as the trail's (SPEC 9, 14). */
	if (!rc)
		rc = store_node_set_owner(st, NODE_LOG_GROUP, group, NULL,
					  (uid_t)-1, gid, mode & 07777, &daemon,
					  &err);
	if (!rc)
		rc = store_node_set_owner(st, NODE_STREAM, group, stream,
					  (uid_t)-1, gid, mode & 0666, &daemon,
					  &err);
	if (rc)
		return rc;
	db_lock(st);
	t->log_stream_id = id;
	db_unlock(st);
	return 0;
}
