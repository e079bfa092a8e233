/*
 * actions: alarm actions and the evaluator thread.
 *
 * The evaluator wakes four times a second, and evaluates each alarm once
 * per period boundary (so within a second of it), over complete periods.
 * A change of an alarm younger than DEFINITION_SETTLE_MS is recorded at
 * once, but its actions wait until the alarm is that old, and are
 * dropped if it was removed or renamed meanwhile: an editor's temporary
 * file never acts under its own name (SPEC 2).
 * exec: programs are started with fork and execve and never waited for
 * here: they are reaped on the evaluator's next tick, and their exit
 * status is noted in the alarm's history. Everything the child needs is
 * prepared before fork, since a threaded process's child may only call
 * async-signal-safe functions.
 */
#include "fs/actions.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "store/alarm.h"
#include "store/format.h"

#define TICK_MS 250
#define GROUPS_MAX 256
#define CHILDREN_MAX 64

/* exec: children not yet reaped, and whose they are. */
struct child {
	pid_t pid;
	int64_t alarm_id;
	char action[256];
};

/*
 * children_lock guards children and nchildren: the evaluator thread and
 * FUSE workers (an alarm defined or renamed acts at once, under its
 * handle's lock) add, the evaluator reaps. A leaf lock: nothing else is
 * taken under it; the history note of a reaped child is written after
 * it is let go.
 */
static pthread_mutex_t children_lock = PTHREAD_MUTEX_INITIALIZER;
static struct child children[CHILDREN_MAX]; /* children_lock */
static size_t nchildren;		    /* children_lock */

/* Note an action's outcome in the alarm's history. */
static void note(struct store *st, int64_t alarm_id, const char *action,
		 bool ok, const char *summary)
{
	json_t *data = json_pack("{s:s,s:s}", "action", action, "actionState",
				 ok ? "Succeeded" : "Failed");
	char *text = data ? json_dumps(data, JSON_COMPACT | JSON_PRESERVE_ORDER)
			  : NULL;

	json_decref(data);
	store_alarm_note(st, alarm_id, store_now_ms(), summary,
			 text ? text : "{}");
	free(text);
}

static void log_action(struct store *st, const struct alarm_change *c,
		       const char *target)
{
	char group[LOG_GROUP_MAX_BYTES + 1], summary[1200], line[2100],
		action[ALARM_ACTION_MAX + 8];
	struct caller who = {.uid = c->writer_uid, .gid = c->writer_gid};
	const char *slash = strrchr(target, '/');
	const char *start = target[0] == '/' ? target + 1 : target;
	int rc = -EINVAL;

	snprintf(who.user, sizeof(who.user), "%s", c->writer_name);
	snprintf(who.process, sizeof(who.process), "monfs");
	if (slash && slash > start) {
		snprintf(group, sizeof(group), "%.*s", (int)(slash - start),
			 start);
		snprintf(line, sizeof(line), "%s\n", c->message);
		rc = store_log_line(st, group, slash + 1, line, &who,
				    store_now_ms());
	}
	if (rc)
		snprintf(summary, sizeof(summary),
			 "Failed to execute action log:%s: %s", target,
			 strerrordesc_np(-rc));
	else
		snprintf(summary, sizeof(summary),
			 "Successfully executed action log:%s", target);
	snprintf(action, sizeof(action), "log:%s", target);
	note(st, c->alarm_id, action, rc == 0, summary);
}

static void remember_child(pid_t pid, int64_t alarm_id, const char *action)
{
	pthread_mutex_lock(&children_lock);
	if (nchildren < CHILDREN_MAX) {
		children[nchildren].pid = pid;
		children[nchildren].alarm_id = alarm_id;
		snprintf(children[nchildren].action,
			 sizeof(children[nchildren].action), "%s", action);
		nchildren++;
	}
	pthread_mutex_unlock(&children_lock);
}

/* Reap finished exec: children and note how they ended. */
static void reap(struct store *st)
{
	char summary[512];
	size_t i = 0;
	int status;

	pthread_mutex_lock(&children_lock);
	while (i < nchildren) {
		struct child c = children[i];
		pid_t r = waitpid(c.pid, &status, WNOHANG);

		if (r == 0) {
			i++;
			continue;
		}
		children[i] = children[--nchildren];
		pthread_mutex_unlock(&children_lock);
		if (r > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
			snprintf(summary, sizeof(summary),
				 "Successfully executed action %s", c.action);
		else if (r > 0 && WIFEXITED(status))
			snprintf(summary, sizeof(summary),
				 "Failed to execute action %s: exit status %d",
				 c.action, WEXITSTATUS(status));
		else
			snprintf(summary, sizeof(summary),
				 "Failed to execute action %s: killed by signal "
				 "%d",
				 c.action, r > 0 ? WTERMSIG(status) : 0);
		note(st, c.alarm_id, c.action,
		     r > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		     summary);
		pthread_mutex_lock(&children_lock);
	}
	pthread_mutex_unlock(&children_lock);
}

static void exec_action(struct store *st, const struct alarm_change *c,
			const char *action)
{
	const char *path = action + strlen("exec:");
	char env_alarm[300], env_state[64], env_old[64], env_reason[1100],
		env_time[64], when[FORMAT_TIME_MAX], summary[512];
	char *argv[] = {(char *)path, NULL};
	char *envp[] = {env_alarm, env_state, env_old, env_reason, env_time,
			"PATH=/usr/local/bin:/usr/bin:/bin", NULL};
	gid_t groups[GROUPS_MAX];
	int ngroups = GROUPS_MAX, fds[2], devnull;
	size_t len = strlen(c->message);
	pid_t pid;

	snprintf(env_alarm, sizeof(env_alarm), "MONFS_ALARM=%s", c->name);
	snprintf(env_state, sizeof(env_state), "MONFS_STATE=%s",
		 alarm_state_name((enum alarm_state)c->new_state));
	snprintf(env_old, sizeof(env_old), "MONFS_OLD_STATE=%s",
		 alarm_state_name((enum alarm_state)c->old_state));
	snprintf(env_reason, sizeof(env_reason), "MONFS_REASON=%s", c->reason);
	snprintf(env_time, sizeof(env_time), "MONFS_TIME=%s",
		 format_time(when, c->time_ms));
	if (getgrouplist(c->writer_name, c->writer_gid, groups, &ngroups) < 0)
		ngroups = 0;
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (devnull < 0 || pipe2(fds, O_CLOEXEC)) {
		if (devnull >= 0)
			close(devnull);
		snprintf(summary, sizeof(summary),
			 "Failed to execute action %s: %s", action,
			 strerrordesc_np(errno));
		note(st, c->alarm_id, action, false, summary);
		return;
	}
	pid = fork();
	if (pid == 0) {
		/*
		 * The child: the JSON line on stdin, nothing of the daemon's
		 * open (its terminal, the database, /dev/fuse), then become
		 * the writer and the program.
		 */
		if (dup2(fds[0], 0) < 0 || dup2(devnull, 1) < 0 ||
		    dup2(devnull, 2) < 0 || close_range(3, ~0U, 0) ||
		    setgroups((size_t)ngroups, groups) ||
		    setgid(c->writer_gid) || setuid(c->writer_uid))
			_exit(126);
		execve(path, argv, envp);
		_exit(127);
	}
	close(fds[0]);
	close(devnull);
	if (pid < 0) {
		close(fds[1]);
		snprintf(summary, sizeof(summary),
			 "Failed to execute action %s: %s", action,
			 strerrordesc_np(errno));
		note(st, c->alarm_id, action, false, summary);
		return;
	}
	/* One JSON line, far below a pipe's buffer: this never blocks. */
	if (write(fds[1], c->message, len) != (ssize_t)len ||
	    write(fds[1], "\n", 1) != 1)
		(void)0; /* the program may not read its stdin: fine */
	close(fds[1]);
	remember_child(pid, c->alarm_id, action);
}

void actions_run(struct store *st, const struct alarm_change *c)
{
	size_t i;

	for (i = 0; i < c->nactions; i++) {
		if (!strncmp(c->actions[i], "log:", 4))
			log_action(st, c, c->actions[i] + 4);
		else if (!strncmp(c->actions[i], "exec:", 5))
			exec_action(st, c, c->actions[i]);
	}
}

/* ---- the settle wait (SPEC 2) ---- */

/* A change whose actions wait for its alarm to settle. */
struct deferred {
	struct deferred *next;
	int64_t due_ms; /* when the alarm is DEFINITION_SETTLE_MS old */
	struct alarm_change change;
};

/*
 * Oldest first, so that one alarm's changes act in their order.
 * deferred_lock guards the list (head, tail, each next): any thread that
 * evaluates an alarm appends, the evaluator takes what is due. A leaf
 * lock: a taken change acts with no lock held.
 */
static pthread_mutex_t deferred_lock = PTHREAD_MUTEX_INITIALIZER;
static struct deferred *deferred_head;			 /* deferred_lock */
static struct deferred **deferred_tail = &deferred_head; /* deferred_lock */

static void defer(struct deferred *d)
{
	d->next = NULL;
	pthread_mutex_lock(&deferred_lock);
	*deferred_tail = d;
	deferred_tail = &d->next;
	pthread_mutex_unlock(&deferred_lock);
}

/* Take the changes due by now_ms off the list, in their order. */
static struct deferred *take_due(int64_t now_ms)
{
	struct deferred *due = NULL, **due_tail = &due, **p, *d;

	pthread_mutex_lock(&deferred_lock);
	for (p = &deferred_head; *p;) {
		d = *p;
		if (d->due_ms > now_ms) {
			p = &d->next;
			continue;
		}
		*p = d->next;
		d->next = NULL;
		*due_tail = d;
		due_tail = &d->next;
	}
	deferred_tail = p;
	pthread_mutex_unlock(&deferred_lock);
	return due;
}

/*
 * Act on the deferred changes that are due: each only if its alarm still
 * exists under the name it had, with the id it had (not removed, not
 * renamed away, not replaced by a rename onto it), and has settled; one
 * made young again (renamed away and back) waits on.
 */
static void run_settled(struct store *st, int64_t now_ms)
{
	struct deferred *d = take_due(now_ms), *next;
	char name[ALARM_NAME_SIZE];
	int64_t created;

	for (; d; d = next) {
		next = d->next;
		if (store_alarm_by_id(st, d->change.alarm_id, name, &created) ||
		    strcmp(name, d->change.name)) {
			free(d);
			continue;
		}
		if (created + DEFINITION_SETTLE_MS > now_ms) {
			d->due_ms = created + DEFINITION_SETTLE_MS;
			defer(d);
			continue;
		}
		actions_run(st, &d->change);
		free(d);
	}
}

/* Forget every deferred change (the daemon stops). */
static void drop_deferred(void)
{
	struct deferred *d = take_due(INT64_MAX), *next;

	for (; d; d = next) {
		next = d->next;
		free(d);
	}
}

void actions_evaluate(struct store *st, const char *name)
{
	struct deferred *d = malloc(sizeof(*d));
	int64_t settled;

	if (!d)
		return;
	if (store_alarm_evaluate(st, name, store_now_ms(), &d->change) != 1 ||
	    d->change.nactions == 0) {
		free(d);
		return;
	}
	settled = d->change.created_ms + DEFINITION_SETTLE_MS;
	if (d->change.time_ms < settled) {
		d->due_ms = settled;
		defer(d);
		return;
	}
	actions_run(st, &d->change);
	free(d);
}

/* ---- the evaluator thread ---- */

#define DUE_MAX 4096

/* The period boundary at which each alarm was last evaluated. */
struct seen {
	int64_t id;
	int64_t boundary_ms;
};

/*
 * The evaluator thread's state. ev.lock (a leaf) guards only stopping,
 * with cond to wake the thread early; store, thread and started are the
 * starting thread's, set before the thread runs and after it is joined;
 * seen and due are the evaluator thread's alone.
 */
static struct {
	struct store *store;
	pthread_t thread;
	bool started;
	bool stopping; /* ev.lock */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct seen seen[DUE_MAX]; /* evaluator thread only */
	size_t nseen;
	char due[64][256]; /* names due this tick; evaluator thread only */
	size_t ndue;
} ev = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

/* store_alarm_fn: collect the alarms whose period boundary has come. */
static int check_due(void *ctx, int64_t id, const char *name,
		     int64_t period_s)
{
	int64_t now = *(int64_t *)ctx, period_ms = period_s * 1000;
	int64_t boundary = now / period_ms * period_ms;
	size_t i;

	for (i = 0; i < ev.nseen && ev.seen[i].id != id; i++)
		;
	if (i == ev.nseen) {
		if (ev.nseen == DUE_MAX)
			return 0;
		ev.seen[ev.nseen++] = (struct seen){id, 0};
	}
	if (ev.seen[i].boundary_ms >= boundary || ev.ndue == 64)
		return 0;
	ev.seen[i].boundary_ms = boundary;
	snprintf(ev.due[ev.ndue++], sizeof(ev.due[0]), "%s", name);
	return 0;
}

static void *evaluator_main(void *data)
{
	struct timespec deadline;
	int64_t now;
	size_t i;

	(void)data;
	pthread_mutex_lock(&ev.lock);
	while (!ev.stopping) {
		pthread_mutex_unlock(&ev.lock);
		now = store_now_ms();
		ev.ndue = 0;
		store_alarms_each(ev.store, check_due, &now);
		for (i = 0; i < ev.ndue; i++)
			actions_evaluate(ev.store, ev.due[i]);
		run_settled(ev.store, store_now_ms());
		reap(ev.store);
		pthread_mutex_lock(&ev.lock);
		clock_gettime(CLOCK_REALTIME, &deadline);
		deadline.tv_nsec += TICK_MS * 1000000L;
		if (deadline.tv_nsec >= 1000000000L) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000L;
		}
		if (!ev.stopping)
			pthread_cond_timedwait(&ev.cond, &ev.lock, &deadline);
	}
	pthread_mutex_unlock(&ev.lock);
	return NULL;
}

int evaluator_start(struct store *st)
{
	ev.store = st;
	ev.stopping = false;
	if (pthread_create(&ev.thread, NULL, evaluator_main, NULL))
		return -EAGAIN;
	ev.started = true;
	return 0;
}

void evaluator_stop(void)
{
	if (!ev.started)
		return;
	pthread_mutex_lock(&ev.lock);
	ev.stopping = true;
	pthread_cond_signal(&ev.cond);
	pthread_mutex_unlock(&ev.lock);
	pthread_join(ev.thread, NULL);
	ev.started = false;
	drop_deferred();
}
