/*
 * actions: what an alarm's state change sets off (SPEC 5) — `log:`
 * lines appended to a stream and `exec:` programs run as the user who
 * wrote the definition — and the evaluator thread that decides when
 * alarms are evaluated.
 */
#ifndef MONFS_FS_ACTIONS_H
#define MONFS_FS_ACTIONS_H

#include "store/store.h"

/*
 * Run the actions of a state change. Never waits for an exec'd program;
 * outcomes go to the alarm's history.
 */
void actions_run(struct store *st, const struct alarm_change *c);

/*
 * Evaluate alarm name now and act on a change: at once, or, for an
 * alarm younger than DEFINITION_SETTLE_MS, once it is that old and if
 * it still has that name (the evaluator thread runs them; SPEC 2). When
 * its state changed, the composites whose rules name it are evaluated
 * in turn, and theirs when they change (SPEC 12).
 */
void actions_evaluate(struct store *st, const char *name);

/* Start and stop the evaluator thread. 0 or -errno. */
int evaluator_start(struct store *st);
void evaluator_stop(void);

#endif
