/*
 * alarm_actions: the targets of an alarm's actions (SPEC 5) — whether
 * the writer of a definition may reach them (an exec: program, a log:
 * stream), judged when the definition is written, and the delivery of a
 * log: action's line.
 */
#include "store/alarms.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/perm.h"

/* The attributes of a file, as perm_allows judges them. */
static struct node_attr attr_of(const struct stat *sb)
{
	return (struct node_attr){sb->st_uid, sb->st_gid, sb->st_mode & 07777,
				  0, 0};
}

/*
 * Whether who may search the directory dir on the way to the program of
 * action. 0, -EINVAL (no such directory: so no such file) or -EACCES,
 * with err saying which.
 */
static int check_exec_dir(const char *action, const char *dir,
			  const struct caller *who, struct err *err)
{
	struct node_attr a;
	struct stat sb;

	if (stat(dir, &sb)) {
		err_set(err, "%s: no such file (%s: %s)", action, dir,
			errno == ENOENT ? "no such directory"
					: strerrordesc_np(errno));
		return -EINVAL;
	}
	if (!S_ISDIR(sb.st_mode)) {
		err_set(err, "%s: no such file (%s is not a directory)", action,
			dir);
		return -EINVAL;
	}
	a = attr_of(&sb);
	if (!perm_allows(who, &a, true, PERM_EXEC)) {
		err_set(err, "%s: %s may not search %s (mode %04o)", action,
			who->user, dir, (unsigned)a.mode);
		return -EACCES;
	}
	return 0;
}

/*
 * Whether who may run the program of action ("exec:/abs/path") as
 * execve(2) would judge it (SPEC 5): search permission on every
 * directory on the way, and a regular file with an x bit for who. 0;
 * -EINVAL when there is no program there (nothing, a directory, a
 * device); -EACCES when who may not reach or run it. err names the
 * action and says which, in the words a user would look for
 * ("exec:/usr/bin/pagr: no such file").
 */
int target_check_exec(const char *action, const struct caller *who,
		      struct err *err)
{
	const char *path = action + 5, *slash;
	char dir[PATH_MAX];
	struct node_attr a;
	struct stat sb;
	int rc;

	for (slash = strchr(path + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
		rc = check_exec_dir(action, dir, who, err);
		if (rc)
			return rc;
	}
	if (stat(path, &sb)) {
		err_set(err, "%s: %s", action,
			errno == ENOENT ? "no such file"
					: strerrordesc_np(errno));
		return -EINVAL;
	}
	if (S_ISDIR(sb.st_mode) || !S_ISREG(sb.st_mode)) {
		err_set(err, "%s: %s, not a program", action,
			S_ISDIR(sb.st_mode) ? "a directory"
					    : "a device, FIFO or socket");
		return -EINVAL;
	}
	a = attr_of(&sb);
	if (perm_allows(who, &a, false, PERM_EXEC))
		return 0;
	if (!(a.mode & 0111))
		err_set(err, "%s: not executable (mode %04o has no x bit)",
			action, (unsigned)a.mode);
	else
		err_set(err, "%s: %s may not execute it (mode %04o)", action,
			who->user, (unsigned)a.mode);
	return -EACCES;
}

/*
 * Whether who may append to stream group/stream, or make it: write
 * permission on the stream if it exists, else on the deepest existing
 * level of its group (logs/ itself is open to all, like /tmp).
 */
bool target_may_log(struct store *st, const char *target,
		    const struct caller *who)
{
	char group[LOG_GROUP_MAX_BYTES + 1];
	const char *slash = strrchr(target, '/');
	struct stream_info s;
	struct node_attr a;
	char *cut;

	if (!slash)
		return false;
	snprintf(group, sizeof(group), "%.*s", (int)(slash - target), target);
	if (!store_stream_get(st, group, slash + 1, &s))
		return perm_allows(who, &s.attr, false, PERM_WRITE);
	for (;;) {
		if (!store_dir_get(st, TREE_LOG_GROUPS, group, &a))
			return perm_allows(who, &a, true,
					   PERM_WRITE | PERM_EXEC);
		cut = strrchr(group, '/');
		if (!cut)
			return true;
		*cut = '\0';
	}
}

/* Check every target with the writer's rights (SPEC 5). Lock not held. */
int alarms_check_targets(struct store *st, const struct alarm_def *d,
			 const struct caller *who, struct err *err)
{
	const struct alarm_actions *lists[] = {
		&d->alarm_actions, &d->ok_actions, &d->insufficient_actions};
	size_t l, i;

	for (l = 0; l < 3; l++) {
		for (i = 0; i < lists[l]->n; i++) {
			const char *a = lists[l]->v[i];
			int rc;

			if (!strncmp(a, "exec:", 5)) {
				rc = target_check_exec(a, who, err);
				if (rc)
					return rc;
				continue;
			}
			if (target_may_log(st, a + 4, who))
				continue;
			err_set(err, "%s: %s may not write to it", a,
				who->user);
			return -EACCES;
		}
	}
	return 0;
}

int target_log_stream(struct store *st, const char *group, const char *stream,
		      const struct caller *who, int64_t *stream_id)
{
	char level[LOG_GROUP_MAX_BYTES + 1];
	struct stream_info s;
	struct err err = {""};
	const char *slash = group;
	int rc;

	/* Make each level of the group, then the stream, as mkdir -p would. */
	do {
		slash = strchr(slash + 1, '/');
		snprintf(level, sizeof(level), "%.*s",
			 (int)(slash ? (size_t)(slash - group) : strlen(group)),
			 group);
		if (store_dir_get(st, TREE_LOG_GROUPS, level, NULL)) {
			rc = store_dir_create(st, TREE_LOG_GROUPS, level, 0755,
					      who, &err);
			if (rc && rc != -EEXIST)
				return rc;
		}
	} while (slash);
	if (store_stream_get(st, group, stream, &s)) {
		rc = store_stream_create(st, group, stream, 0644, who, &s,
					 &err);
		if (rc && rc != -EEXIST)
			return rc;
		if (rc && store_stream_get(st, group, stream, &s))
			return -ENOENT;
	}
	*stream_id = s.id;
	return 0;
}

/*
 * monfs's own write (SPEC 13): appended as it is, neither recorded as a
 * data event nor emitted, so that no rule can feed itself.
 */
int store_log_line(struct store *st, const char *group, const char *stream,
		   const char *line, const struct caller *who, int64_t now_ms)
{
	struct err err = {""};
	int64_t id;
	int rc = target_log_stream(st, group, stream, who, &id);

	if (rc)
		return rc;
	return store_stream_append(st, id, line, strlen(line), now_ms, &err);
}
