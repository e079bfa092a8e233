/*
 * actions: alarm actions and the evaluator thread.
 *
 * A change of any alarm's state has the composites naming it evaluated
 * at once, in the thread that made the change, and theirs in turn
 * (SPEC 12): the store makes each composite's evaluation one
 * transaction, so the last one after a change sees it.
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
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "lib/alarm.h"
#include "lib/alarm_due.h"
#include "lib/format.h"
#include "lib/timeutil.h"

#define TICK_MS 250
#define GROUPS_MAX 256
/* Evaluations one change may set off down chains of composites. */
#define CHAIN_EVALUATIONS_MAX 100000

/*
 * exec: children not yet reaped, and whose they are: a list, so that
 * any number may run at once; the entry is made before fork, so a child
 * once started is always reaped and its outcome noted.
 */
struct child {
	struct child *next;
	pid_t pid;
	pid_t reaped; /* once it ended: waitpid's answer, and its status */
	int status;
	int64_t alarm_id; /* an alarm's action, or 0 */
	int64_t rule_id;  /* a rule's target, or 0 */
	char action[];	  /* "exec:/path" */
};

/*
 * children_lock guards the children list: the evaluator thread and
 * FUSE workers (an alarm defined or renamed acts at once, under its
 * handle's lock) add, the evaluator reaps. A leaf lock: nothing else is
 * taken under it; the history note of a reaped child is written after
 * it is let go.
 */
static pthread_mutex_t children_lock = PTHREAD_MUTEX_INITIALIZER;
static struct child *children; /* guarded by children_lock */

/*
 * Note an action's outcome in the alarm's history: "Successfully
 * executed action A", or, with failure set, "Failed to execute action A:
 * failure".
 */
static void note(struct store *st, int64_t alarm_id, const char *action,
		 const char *failure)
{
	struct strbuf summary = STRBUF_INIT;
	json_t *data = json_pack("{s:s,s:s}", "action", action, "actionState",
				 failure ? "Failed" : "Succeeded");
	char *text = data ? json_dumps(data, JSON_COMPACT | JSON_PRESERVE_ORDER)
			  : NULL;
	int rc;

	json_decref(data);
	if (failure)
		rc = strbuf_addf(&summary, "Failed to execute action %s: %s",
				 action, failure);
	else
		rc = strbuf_addf(&summary, "Successfully executed action %s",
				 action);
	store_alarm_note(st, alarm_id, store_now_ms(),
			 !rc	   ? summary.buf
			 : failure ? "Failed to execute action"
				   : "Successfully executed action",
			 text ? text : "{}");
	strbuf_release(&summary);
	free(text);
}

/* Append the change's JSON line to the stream action ("log:G/S") names. */
static int log_line(struct store *st, const struct alarm_change *c,
		    const char *action)
{
	const char *target = action + strlen("log:");
	const char *start = target[0] == '/' ? target + 1 : target;
	const char *slash = strrchr(start, '/');
	char group[LOG_GROUP_MAX_BYTES + 1];
	struct caller who = {.uid = c->writer_uid, .gid = c->writer_gid};
	struct strbuf line = STRBUF_INIT;
	int rc;

	if (!slash || slash == start)
		return -EINVAL;
	/* The definition's parser refuses longer groups. */
	if ((size_t)(slash - start) > LOG_GROUP_MAX_BYTES)
		return -ENAMETOOLONG;
	memcpy(group, start, (size_t)(slash - start));
	group[slash - start] = '\0';
	snprintf(who.user, sizeof(who.user), "%s", c->writer_name);
	snprintf(who.process, sizeof(who.process), "monfs");
	rc = strbuf_addf(&line, "%s\n", c->message);
	if (!rc)
		rc = store_log_line(st, group, slash + 1, line.buf, &who,
				    store_now_ms());
	strbuf_release(&line);
	return rc;
}

static void log_action(struct store *st, const struct alarm_change *c,
		       const char *action)
{
	int rc = log_line(st, c, action);

	note(st, c->alarm_id, action, rc ? strerrordesc_np(-rc) : NULL);
}

/*
 * Take the exec: children that have ended off the list, in the list's
 * order; each keeps waitpid's answer and status (errno when it failed).
 */
static struct child *take_ended(void)
{
	struct child **p, *c, *ended = NULL, **ended_tail = &ended;

	pthread_mutex_lock(&children_lock);
	for (p = &children; *p;) {
		c = *p;
		c->reaped = waitpid(c->pid, &c->status, WNOHANG);
		if (c->reaped == 0) {
			p = &c->next;
			continue;
		}
		if (c->reaped < 0)
			c->status = errno;
		*p = c->next;
		c->next = NULL;
		*ended_tail = c;
		ended_tail = &c->next;
	}
	pthread_mutex_unlock(&children_lock);
	return ended;
}

/* Reap finished exec: children and note how they ended. */
static void reap(struct store *st)
{
	struct child *c = take_ended(), *next;
	char failure[64];

	for (; c; c = next) {
		next = c->next;
		if (c->reaped < 0)
			snprintf(failure, sizeof(failure), "waitpid: %s",
				 strerrordesc_np(c->status));
		else if (WIFEXITED(c->status))
			snprintf(failure, sizeof(failure), "exit status %d",
				 WEXITSTATUS(c->status));
		else
			snprintf(failure, sizeof(failure),
				 "killed by signal %d", WTERMSIG(c->status));
		bool ok = c->reaped > 0 && WIFEXITED(c->status) &&
			  WEXITSTATUS(c->status) == 0;

		if (c->rule_id && !ok)
			store_rule_failed(st, c->rule_id, c->action, failure);
		else if (c->alarm_id)
			note(st, c->alarm_id, c->action, ok ? NULL : failure);
		free(c);
	}
}

/* The five MONFS_* variables of the change, malloc'd; -ENOMEM. */
static int exec_env(const struct alarm_change *c, char *env[5])
{
	const char *keys[5] = {"MONFS_ALARM", "MONFS_STATE", "MONFS_OLD_STATE",
			       "MONFS_REASON", "MONFS_TIME"};
	char when[FORMAT_TIME_MAX];
	const char *values[5] = {
		c->name, alarm_state_name((enum alarm_state)c->new_state),
		alarm_state_name((enum alarm_state)c->old_state), c->reason,
		format_time(when, c->time_ms)};
	size_t i;

	for (i = 0; i < 5; i++) {
		struct strbuf sb = STRBUF_INIT;

		if (strbuf_addf(&sb, "%s=%s", keys[i], values[i]))
			return -ENOMEM;
		env[i] = sb.buf;
	}
	return 0;
}

/*
 * A pipe for the child's stdin that holds the whole line (len bytes), so
 * that writing it never blocks the evaluator. 0 or -errno.
 */
static int stdin_pipe(int fds[2], size_t len)
{
	int size;

	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	size = fcntl(fds[1], F_GETPIPE_SZ);
	if (size >= 0 && (size_t)size >= len)
		return 0;
	if (len <= INT_MAX && fcntl(fds[1], F_SETPIPE_SZ, (int)len) >= 0)
		return 0;
	close(fds[0]);
	close(fds[1]);
	return size < 0 ? -errno : -ENOBUFS;
}

/*
 * The child: the JSON line on stdin, nothing of the daemon's open (its
 * terminal, the database, /dev/fuse), then become the writer and the
 * program. Async-signal-safe calls only.
 */
/* Who a program runs as: a definition's writer (SPEC 5, 13). */
struct runner {
	uid_t uid;
	gid_t gid;
	const char *user;
};

static _Noreturn void exec_child(const struct runner *as, const char *path,
				 char *const envp[], const gid_t *groups,
				 int ngroups, int stdin_fd, int devnull)
{
	char *argv[] = {(char *)path, NULL};

	if (dup2(stdin_fd, 0) < 0 || dup2(devnull, 1) < 0 ||
	    dup2(devnull, 2) < 0 || close_range(3, ~0U, 0) ||
	    setgroups((size_t)ngroups, groups) || setgid(as->gid) ||
	    setuid(as->uid))
		_exit(126);
	execve(path, argv, envp);
	_exit(127);
}

/*
 * Run path as as, with envp and line (len bytes, a '\n' added) on its
 * stdin, never waiting for it; child (malloc'ed, its action and ids
 * set) is listed for reap once it started, else freed. 0 or -errno
 * (nothing runs). Everything is prepared before fork.
 */
static int spawn(const struct runner *as, const char *path, char *const envp[],
		 const char *line, size_t len, struct child *child)
{
	gid_t groups[GROUPS_MAX];
	int ngroups = GROUPS_MAX, fds[2] = {-1, -1}, devnull, rc;

	if (getgrouplist(as->user, as->gid, groups, &ngroups) < 0)
		ngroups = 0;
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	rc = devnull < 0 ? -errno : stdin_pipe(fds, len + 1);
	if (rc)
		goto out;
	child->pid = fork();
	if (child->pid == 0)
		exec_child(as, path, envp, groups, ngroups, fds[0], devnull);
	close(fds[0]);
	if (child->pid < 0) {
		rc = -errno;
		close(fds[1]);
		goto out;
	}
	/* The pipe holds the whole line (stdin_pipe): this never blocks. */
	if (write(fds[1], line, len) != (ssize_t)len ||
	    write(fds[1], "\n", 1) != 1)
		(void)0; /* the program may not read its stdin: fine */
	close(fds[1]);
	pthread_mutex_lock(&children_lock);
	child->next = children;
	children = child;
	pthread_mutex_unlock(&children_lock);
	child = NULL;
out:
	if (devnull >= 0)
		close(devnull);
	free(child);
	return rc;
}

/*
 * Start action ("exec:/path") for the change, and list the child for
 * reap. Everything is prepared before fork. 0 or -errno (nothing runs).
 */
static int exec_start(const struct alarm_change *c, const char *action)
{
	const char *path = action + strlen("exec:");
	char *envp[] = {NULL, NULL, NULL,
			NULL, NULL, "PATH=/usr/local/bin:/usr/bin:/bin",
			NULL};
	struct runner as = {c->writer_uid, c->writer_gid, c->writer_name};
	struct child *child = calloc(1, sizeof(*child) + strlen(action) + 1);
	int rc, i;

	rc = child ? exec_env(c, envp) : -ENOMEM;
	if (rc) {
		free(child);
		goto out;
	}
	strcpy(child->action, action);
	child->alarm_id = c->alarm_id;
	rc = spawn(&as, path, envp, c->message, strlen(c->message), child);
out:
	for (i = 0; i < 5; i++)
		free(envp[i]);
	return rc;
}

/*
 * store_rule_exec_fn: a rule's exec: target (SPEC 13), run as the
 * rule's writer with the event's line on stdin and MONFS_RULE,
 * MONFS_EVENT_SOURCE, MONFS_EVENT_DETAIL_TYPE in its environment; its
 * exit status is judged when it is reaped.
 */
static int rule_exec(void *ctx, const struct rule_exec *d, char *why)
{
	struct strbuf env[3] = {STRBUF_INIT, STRBUF_INIT, STRBUF_INIT};
	struct runner as = {d->uid, d->gid, d->user};
	size_t alen = strlen("exec:") + strlen(d->path) + 1;
	struct child *child = calloc(1, sizeof(*child) + alen);
	int rc = child ? 0 : -ENOMEM, i;

	(void)ctx;
	if (!rc)
		rc = strbuf_addf(&env[0], "MONFS_RULE=%s", d->rule);
	if (!rc)
		rc = strbuf_addf(&env[1], "MONFS_EVENT_SOURCE=%s", d->source);
	if (!rc)
		rc = strbuf_addf(&env[2], "MONFS_EVENT_DETAIL_TYPE=%s",
				 d->detail_type);
	if (rc) {
		free(child);
		goto out;
	}
	snprintf(child->action, alen, "exec:%s", d->path);
	child->rule_id = d->rule_id;
	{
		char *envp[] = {env[0].buf, env[1].buf, env[2].buf,
				"PATH=/usr/local/bin:/usr/bin:/bin", NULL};

		rc = spawn(&as, d->path, envp, d->line, strlen(d->line), child);
	}
	if (rc)
		snprintf(why, 128, "cannot start %s: %s", d->path,
			 strerrordesc_np(-rc));
out:
	for (i = 0; i < 3; i++)
		strbuf_release(&env[i]);
	return rc;
}

/*
 * Rules' work at each tick: the schedules that are due fire, then the
 * deliveries that are due are done (SPEC 13). A failure of the store is
 * said on stderr; what was not done waits for the next tick.
 */
static void rules_tick(struct store *st)
{
	int64_t now = store_now_ms();
	int rc = store_rules_fire(st, now);

	if (rc >= 0)
		rc = store_rules_deliver(st, now, rule_exec, NULL);
	if (rc < 0)
		fprintf(stderr, "monfs: rules: %s; retried at the next tick\n",
			strerrordesc_np(-rc));
}

static void exec_action(struct store *st, const struct alarm_change *c,
			const char *action)
{
	int rc = exec_start(c, action);

	if (rc)
		note(st, c->alarm_id, action, strerrordesc_np(-rc));
}

void actions_run(struct store *st, const struct alarm_change *c)
{
	size_t i;

	for (i = 0; i < c->nactions; i++) {
		if (!strncmp(c->actions[i], "log:", 4))
			log_action(st, c, c->actions[i]);
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

/* Free a deferred change with what its change owns. */
static void deferred_free(struct deferred *d)
{
	alarm_change_release(&d->change);
	free(d);
}

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
			deferred_free(d);
			continue;
		}
		if (created + DEFINITION_SETTLE_MS > now_ms) {
			d->due_ms = created + DEFINITION_SETTLE_MS;
			defer(d);
			continue;
		}
		actions_run(st, &d->change);
		deferred_free(d);
	}
}

/* Forget every deferred change (the daemon stops). */
static void drop_deferred(void)
{
	struct deferred *d = take_due(INT64_MAX), *next;

	for (; d; d = next) {
		next = d->next;
		deferred_free(d);
	}
}

/*
 * Evaluate alarm name now and act on a change, as actions_evaluate
 * says. 1 when its state changed, 0 when not, -errno.
 */
static int evaluate_one(struct store *st, const char *name)
{
	struct deferred *d = malloc(sizeof(*d));
	int64_t settled;
	int rc;

	if (!d)
		return -ENOMEM;
	rc = store_alarm_evaluate(st, name, store_now_ms(), &d->change);
	if (rc != 1 || d->change.nactions == 0) {
		deferred_free(d);
		return rc;
	}
	settled = d->change.created_ms + DEFINITION_SETTLE_MS;
	if (d->change.time_ms < settled) {
		d->due_ms = settled;
		defer(d);
		return 1;
	}
	actions_run(st, &d->change);
	deferred_free(d);
	return 1;
}

/*
 * The alarms to evaluate after a change, first in first out: a changed
 * alarm's composites join it, so that a chain (a composite naming a
 * composite) follows at once (SPEC 12).
 */
struct chain {
	char **names;
	size_t head, n, alloc;
};

/* store_name_fn: queue composite name. 0 or -ENOMEM. */
static int chain_add(void *ctx, const char *name)
{
	struct chain *c = ctx;

	if (c->n == c->alloc) {
		size_t alloc = c->alloc ? 2 * c->alloc : 8;
		char **v = realloc(c->names, alloc * sizeof(*v));

		if (!v)
			return -ENOMEM;
		c->names = v;
		c->alloc = alloc;
	}
	c->names[c->n] = strdup(name);
	if (!c->names[c->n])
		return -ENOMEM;
	c->n++;
	return 0;
}

void actions_evaluate(struct store *st, const char *name)
{
	struct chain chain = {0};
	size_t i;
	int rc = chain_add(&chain, name);

	/*
	 * The store refuses cycles, so the chain ends; a damaged store
	 * could hold one, hence the bound, said aloud when reached.
	 */
	while (!rc && chain.head < chain.n) {
		const char *next = chain.names[chain.head++];

		if (chain.head > CHAIN_EVALUATIONS_MAX) {
			fprintf(stderr,
				"monfs: alarms following %s: stopped after %d "
				"evaluations (a cycle of composite alarms?)\n",
				name, CHAIN_EVALUATIONS_MAX);
			break;
		}
		if (evaluate_one(st, next) == 1)
			rc = store_alarm_each_naming(st, next, chain_add,
						     &chain);
	}
	if (rc)
		fprintf(stderr,
			"monfs: composite alarms following %s not evaluated: "
			"%s\n",
			name, strerrordesc_np(-rc));
	for (i = 0; i < chain.n; i++)
		free(chain.names[i]);
	free(chain.names);
}

/* ---- the evaluator thread ---- */

/*
 * The evaluator thread's state. ev.lock (a leaf) guards only stopping,
 * with cond to wake the thread early; store, thread and started are the
 * starting thread's, set before the thread runs and after it is joined;
 * due, now_ms and due_rc are the evaluator thread's alone.
 */
static struct {
	struct store *store;
	pthread_t thread;
	bool started;
	bool stopping; /* ev.lock */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct alarm_due due; /* the evaluator thread's alone */
	int64_t now_ms;	      /* of the sweep under way */
	int due_rc;	      /* its first error */
} ev = {.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
	.due = ALARM_DUE_INIT};

/* store_alarm_fn: note the alarms whose period boundary has come. */
static int check_due(void *ctx, int64_t id, const char *name, int64_t period_s)
{
	int rc;

	(void)ctx;
	if (period_s <= 0)
		return 0; /* the parser refuses such periods */
	rc = alarm_due_check(&ev.due, id, name, period_s * MS_PER_SECOND,
			     ev.now_ms);
	if (rc < 0 && !ev.due_rc)
		ev.due_rc = rc;
	return 0; /* the others are still due */
}

/*
 * One sweep: evaluate every alarm whose period boundary has come, however
 * many. An alarm that could not be noted (ENOMEM) is due again next tick,
 * and the daemon says so on stderr.
 */
static void evaluate_due(struct store *st)
{
	size_t i;
	int rc;

	ev.now_ms = store_now_ms();
	ev.due_rc = 0;
	alarm_due_begin(&ev.due);
	rc = store_alarms_each(st, check_due, NULL);
	if (!rc)
		alarm_due_end(&ev.due);
	if (!rc)
		rc = ev.due_rc;
	if (rc)
		fprintf(stderr,
			"monfs: alarm evaluator: %s; alarms not evaluated "
			"this tick are retried at the next\n",
			strerrordesc_np(-rc));
	for (i = 0; i < ev.due.nnames; i++)
		actions_evaluate(st, ev.due.names[i]);
}

static void *evaluator_main(void *data)
{
	struct timespec deadline;

	(void)data;
	pthread_mutex_lock(&ev.lock);
	while (!ev.stopping) {
		pthread_mutex_unlock(&ev.lock);
		/* Once for a fleet: on the daemon that leads (SPEC 17). */
		if (store_leads(ev.store)) {
			evaluate_due(ev.store);
			rules_tick(ev.store);
		}
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
	alarm_due_release(&ev.due);
}
