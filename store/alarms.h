/*
 * alarms: what the alarm modules of store/ share — the stored row with
 * its definition parsed, its loader, the history appender and the
 * check of the actions' targets (store/alarms.c, store/alarm_actions.c).
 * Internal to store/.
 */
#ifndef MONFS_STORE_ALARMS_H
#define MONFS_STORE_ALARMS_H

#include "lib/alarm.h"
#include "store/store.h"

/*
 * The reason a new alarm starts with; its first evaluation replaces it
 * (store/alarm_state.c), and only while it is still this text.
 */
#define ALARMS_INITIAL_REASON "Unchecked: Initial alarm creation"

/*
 * An alarm as stored, with its definition parsed. The reason is whole
 * however long (a composite's names up to 100 alarms): malloc'ed by
 * alarms_load, freed by alarms_row_free.
 */
struct alarm_row {
	int64_t id;
	struct alarm_def def;
	enum alarm_state state;
	char *reason;
	int64_t state_updated_ms;
	int64_t config_updated_ms;
	int64_t created_ms;
	uid_t writer_uid;
	gid_t writer_gid;
	char writer_name[CALLER_USER_MAX];
};

/*
 * Load alarm name into row (zeroed, or loaded before: its reason is
 * replaced). Lock held. 0, -ENOENT, -ENOMEM, or -EIO (a damaged row).
 */
int alarms_load(struct store *st, const char *name, struct alarm_row *row);

/* Free a row from calloc and what alarms_load gave it. row may be NULL. */
void alarms_row_free(struct alarm_row *row);

/*
 * Append an item of type (ConfigurationUpdate, StateUpdate, Action) to
 * the history of alarm alarm_id. 0 or -errno. Lock held, transaction
 * open.
 */
int alarms_history_add(struct store *st, int64_t alarm_id, int64_t now_ms,
		       const char *type, const char *summary, const char *data);

/*
 * Whether who may run the program of target ("exec:/abs/path") as
 * execve(2) would judge it. 0; -EINVAL (no program there) or -EACCES,
 * err naming the target. Shared by alarms' actions and rules' targets.
 */
int target_check_exec(const char *target, const struct caller *who,
		      struct err *err);

/*
 * Whether who may append to stream GROUP/STREAM (target without its
 * "log:"), or make it: write permission on the stream, else on the
 * deepest existing level of its group. Lock not held.
 */
bool target_may_log(struct store *st, const char *target,
		    const struct caller *who);

/*
 * The id of stream group/stream, made (with the group's levels, as
 * mkdir -p would) owned by who when missing: where a log: action or a
 * rule's log: target writes. 0 or -errno. Lock not held.
 */
int target_log_stream(struct store *st, const char *group, const char *stream,
		      const struct caller *who, int64_t *stream_id);

/*
 * Check every action target of d with who's rights (SPEC 5): an exec:
 * program as execve(2) would judge it, a log: stream by write permission.
 * 0; -EINVAL (no program there) or -EACCES, with err naming the action.
 * Lock not held.
 */
int alarms_check_targets(struct store *st, const struct alarm_def *d,
			 const struct caller *who, struct err *err);

/* ---- composite alarms (SPEC 12), store/alarm_rules.c ---- */

/*
 * Whether composite def may be alarm name's definition: every alarm its
 * rule names exists (but name itself), and no chain of composites'
 * rules leads from it back to name, the stored definitions standing for
 * every alarm but name. 0; -EINVAL with err naming the missing alarm
 * ("rule: no alarm named \"cpu\"") or the cycle ("rule: cycle: a -> b
 * -> a"); -ENOMEM; -EIO. Lock held.
 */
int alarms_check_rule(struct store *st, const char *name,
		      const struct alarm_def *def, struct err *err);

/*
 * Whether some composite's rule names alarm name, so that it may not go
 * (SPEC 12): 0 when none does; -EBUSY with err naming the first such
 * composite by name; -ENOMEM; -EIO. Lock held.
 */
int alarms_check_unnamed(struct store *st, const char *name, struct err *err);

/*
 * The state of alarm name as an enum alarm_state, for a rule's
 * evaluation (an alarm_rule_state_fn; ctx is the store); -ENOENT;
 * -EIO. Lock held.
 */
int alarms_state_of(const char *name, void *ctx);

#endif
