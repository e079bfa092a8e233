/* perm: the Unix permission rules for monfs's nodes. */
#include "store/perm.h"

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
