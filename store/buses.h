/*
 * buses: what the store's modules need of event buses (store/buses.c):
 * PutEvents for a data session, and the events monfs itself puts on the
 * default bus inside the transaction of what caused them. Internal to
 * store/.
 */
#ifndef MONFS_STORE_BUSES_H
#define MONFS_STORE_BUSES_H

#include <jansson.h>

#include "store/db.h"

struct alarm_def;

/*
 * PutEvents: the entries in buf[0..len) (whole lines) onto bus ds->id,
 * each as its envelope, all in one transaction with the session's
 * pending data event, ev (its counts added there). -EINVAL (a bad line, err
 * says which and why), -EACCES (an aws. source from anyone but root), -ENOENT
 * (the bus was deleted), -ENOSPC, -EIO. Nothing is stored on failure. Lock not
 * held.
 */
int bus_put(struct store *st, struct data_session *ds,
	    const struct trail_event *ev, const char *buf, size_t len,
	    int64_t now_ms, struct err *err);

/*
 * Put one event of monfs's own on the default bus: its envelope of
 * source, detail_type, resources (NULL: none) and detail, at time_ms.
 * Lock held, transaction open (the caller's: the event commits with
 * what caused it). 0 or -errno.
 */
int bus_emit_locked(struct store *st, const char *source,
		    const char *detail_type, json_t *resources, json_t *detail,
		    int64_t time_ms);

/*
 * An events: delivery (SPEC 13): the envelope line[0..len) (its '\n'
 * included) appended as it is to bus, matched by that bus's rules, and
 * neither recorded as a data event nor emitted. Lock held, transaction
 * open. 0, -ENOENT (no such bus) or -errno.
 */
int bus_forward_locked(struct store *st, const char *bus, const char *line,
		       size_t len, int64_t now_ms);

/*
 * A firing of rule's schedule at time_ms: the Scheduled Event (resources
 * the rule's ARN, detail {}) on the default bus; its envelope line is
 * appended to envelope for the rule's own targets. Lock held,
 * transaction open. 0 or -errno.
 */
int bus_emit_scheduled_locked(struct store *st, const char *rule,
			      int64_t time_ms, struct strbuf *envelope);

/*
 * The event a trail record rec becomes (SPEC 13), put on the default bus:
 * for records that are neither read-only nor data events, "AWS API Call
 * via CloudTrail" or "AWS Service Event via CloudTrail" with rec as its
 * detail. Others: nothing. Lock held, transaction open. 0 or -errno.
 */
int bus_emit_trail_locked(struct store *st, json_t *rec, int64_t time_ms);

/*
 * The "CloudWatch Alarm State Change" event of alarm name (SPEC 13),
 * defined by def, from old_state (its reason and since when) to
 * new_state at time_ms. Lock held, transaction open. 0 or -errno.
 */
int bus_emit_alarm_change_locked(struct store *st, const char *name,
				 const struct alarm_def *def,
				 const char *old_state, const char *old_reason,
				 int64_t old_ms, const char *new_state,
				 const char *new_reason, int64_t time_ms);

#endif
