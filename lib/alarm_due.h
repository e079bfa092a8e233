/*
 * alarm_due: the evaluator's bookkeeping of which alarms' period
 * boundaries have come (SPEC 5: each alarm is evaluated again at each of
 * its period boundaries) — pure, no storage and no clock, so that it can
 * be tested with any number of alarms.
 *
 * Each evaluator tick is one sweep over every alarm the store holds:
 *
 *	alarm_due_begin(&due);
 *	for each alarm: alarm_due_check(&due, id, name, period_ms, now_ms);
 *	alarm_due_end(&due);     (only when the sweep saw every alarm)
 *	evaluate due.names[0 .. due.nnames)
 *
 * Both tables grow with the number of alarms, with no cap; an id not
 * seen in a complete sweep (its alarm was deleted) is forgotten at its
 * end, so the seen table never holds more ids than the store has alarms.
 */
#ifndef MONFS_ALARM_DUE_H
#define MONFS_ALARM_DUE_H

#include <stddef.h>
#include <stdint.h>

/* When an alarm was last found due, and in which sweep it was seen. */
struct alarm_due_seen {
	int64_t id;
	int64_t boundary_ms; /* the period boundary it was last due at */
	uint64_t sweep;	     /* the last sweep that saw it */
};

struct alarm_due {
	struct alarm_due_seen *seen; /* sorted by id, ids unique */
	size_t nseen, seen_alloc;
	char **names; /* owned: the alarms due this sweep */
	size_t nnames, names_alloc;
	uint64_t sweep;
};

#define ALARM_DUE_INIT                                                         \
	{                                                                      \
		NULL, 0, 0, NULL, 0, 0, 0                                      \
	}

/* Start a sweep: forget the previous sweep's due names. */
void alarm_due_begin(struct alarm_due *d);

/*
 * Note that alarm id (now called name, with period period_ms > 0)
 * exists, and add name to d->names if a period boundary has come since
 * it was last due; an id met for the first time is due at once.
 * 1 when due, 0 when not; -ENOMEM when a table could not grow, in which
 * case nothing is noted and the alarm is due again at the next sweep.
 */
int alarm_due_check(struct alarm_due *d, int64_t id, const char *name,
		    int64_t period_ms, int64_t now_ms);

/*
 * End a sweep that saw every alarm: forget the ids it did not see. (A
 * sweep cut short by an error must not end, or the alarms it missed
 * would count as new, and be evaluated once more, at the next.)
 */
void alarm_due_end(struct alarm_due *d);

/* Free both tables and make d empty (ALARM_DUE_INIT). */
void alarm_due_release(struct alarm_due *d);

#endif
