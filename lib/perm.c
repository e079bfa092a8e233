/* perm: the Unix permission rules for monfs's nodes. */
#include "lib/perm.h"

#include <errno.h>
#include <sys/stat.h>

bool perm_in_group(const struct caller *who, gid_t gid)
{
	int i;

	if (who->gid == gid)
		return true;
	for (i = 0; i < who->ngroups; i++)
		if (who->groups[i] == gid)
			return true;
	return false;
}

bool perm_allows(const struct caller *who, const struct node_attr *a,
		 bool is_dir, int want)
{
	mode_t bits;

	if (who->uid == 0)
		return !(want & PERM_EXEC) || is_dir || (a->mode & 0111);
	if (who->uid == a->uid)
		bits = (a->mode >> 6) & 7;
	else if (perm_in_group(who, a->gid))
		bits = (a->mode >> 3) & 7;
	else
		bits = a->mode & 7;
	return ((mode_t)want & bits) == (mode_t)want;
}

bool perm_may_delete(const struct caller *who, const struct node_attr *dir,
		     uid_t entry_uid)
{
	if (!perm_allows(who, dir, true, PERM_WRITE | PERM_EXEC))
		return false;
	if (!(dir->mode & 01000) || who->uid == 0)
		return true;
	return who->uid == entry_uid || who->uid == dir->uid;
}

mode_t perm_write_drops(const struct caller *who, const struct node_attr *a)
{
	mode_t drops = 0;

	if (who->uid == 0)
		return 0;
	if (a->mode & S_ISUID)
		drops |= S_ISUID;
	/*
	 * S_ISGID without group-execute marks mandatory locking and stays,
	 * unless who is not in the group (Linux 6.2 on).
	 */
	if ((a->mode & S_ISGID) &&
	    ((a->mode & S_IXGRP) || !perm_in_group(who, a->gid)))
		drops |= S_ISGID;
	return drops;
}

mode_t perm_chmod_mode(const struct caller *who, const struct node_attr *a,
		       mode_t mode)
{
	if (who->uid != 0 && !perm_in_group(who, a->gid))
		mode &= ~(mode_t)S_ISGID;
	return mode;
}

int perm_may_set_times(const struct caller *who, const struct node_attr *a,
		       bool is_dir, bool to_now)
{
	if (who->uid == 0 || who->uid == a->uid)
		return 0;
	if (!to_now)
		return -EPERM;
	return perm_allows(who, a, is_dir, PERM_WRITE) ? 0 : -EACCES;
}
