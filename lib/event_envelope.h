/*
 * event_envelope: EventBridge events as monfs keeps them (SPEC 13) —
 * PutEvents' entries as a user writes them to a bus, one JSON object per
 * line, and the envelope each event is stored and read as:
 *
 *   {"version":"0","id":"<uuid>","detail-type":..,"source":..,
 *    "account":..,"time":..,"region":..,"resources":[..],"detail":{..}}
 *
 * Pure: no store, no FUSE. The caller gives the id, the account, the
 * region and the arrival time, so what comes out is decided here alone.
 */
#ifndef MONFS_EVENT_ENVELOPE_H
#define MONFS_EVENT_ENVELOPE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "lib/strbuf.h"

/* EventBridge's limit on an entry's Detail, in bytes (256 KiB). */
#define EVENT_DETAIL_MAX (256 * 1024)

/* The account events carry without --account (SPEC 14). */
#define EVENT_ACCOUNT_DEFAULT "000000000000"

/* One PutEvents entry, as parsed. Owns its members. */
struct event_entry {
	char *source;	   /* non-empty */
	char *detail_type; /* non-empty */
	json_t *detail;	   /* an object */
	json_t *resources; /* an array of strings, maybe empty */
	bool has_time;	   /* Time given: time_ms; else the arrival */
	int64_t time_ms;
	unsigned lineno; /* its line in the write, for messages */
};

/* The entries of one write, in their order. Owns them. */
struct event_batch {
	struct event_entry *v;
	size_t n, cap;
};

/*
 * Parse one line (no '\n') holding a PutEvents entry: Source,
 * DetailType, Detail (an object, or a string holding one), optional
 * Time (RFC 3339, or Unix seconds; any date) and Resources (an array of
 * strings); EventBusName and TraceHeader are accepted and ignored (the
 * file names the bus). 0, or -EINVAL with err naming line lineno and
 * the member ("line 2: Detail: missing"), -ENOMEM. *out is zeroed
 * first, and holds nothing on failure.
 */
int event_entry_parse(const char *line, size_t len, unsigned lineno,
		      struct event_entry *out, struct err *err);

/* Free what an entry owns and zero it (a zeroed entry is fine). */
void event_entry_release(struct event_entry *e);

/*
 * Parse buf[0..len), whole lines each ending in '\n', into batch (empty
 * first): one entry per line, blank lines and a trailing '\r' ignored.
 * All or nothing: the first bad line fails the whole buffer with its
 * error (lines counted from 1 in buf), and batch is left empty.
 */
int event_batch_parse(const char *buf, size_t len, struct event_batch *batch,
		      struct err *err);

/* Free the entries of a batch and empty it. */
void event_batch_release(struct event_batch *batch);

/* Whether source is one only root may put: it starts with "aws.". */
bool event_source_reserved(const char *source);

/* What an envelope is made of; every member borrowed. */
struct event_envelope {
	const char *id; /* a UUID */
	const char *detail_type;
	const char *source;
	const char *account;
	int64_t time_ms; /* printed in whole seconds, UTC */
	const char *region;
	json_t *resources; /* an array of strings; NULL for [] */
	json_t *detail;	   /* an object; NULL for {} */
};

/*
 * Append e as one compact JSON line, its members in EventBridge's order
 * and its '\n' included, to out. 0 or -ENOMEM.
 */
int event_envelope_line(const struct event_envelope *e, struct strbuf *out);

/*
 * The detail-type and source of the event that a trail record becomes
 * (SPEC 13): detail-type by its eventType ("AWS API Call via
 * CloudTrail", "AWS Service Event via CloudTrail", "AWS Insight via
 * CloudTrail"), source by the tree its eventSource names
 * ("alarms.monfs" is "aws.cloudwatch"). NULL when the record is of no
 * kind or tree events are made of.
 */
const char *event_trail_detail_type(const char *event_type);
const char *event_trail_source(const char *event_source);

#endif
