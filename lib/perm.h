/*
 * perm: Unix permission rules, as the kernel applies them, for monfs's
 * own nodes (SPEC 9). monfs checks permissions itself, rather than
 * leaving them to default_permissions, so that every refusal reaches the
 * trail; the same rule judges alarm targets with their writer's rights.
 */
#ifndef MONFS_PERM_H
#define MONFS_PERM_H

#include <stdbool.h>

#include "lib/caller.h"

enum { PERM_EXEC = 1, PERM_WRITE = 2, PERM_READ = 4 };

/* Whether who is in group gid (primary or supplementary). */
bool perm_in_group(const struct caller *who, gid_t gid);

/*
 * Whether who may do want (PERM_* bits) to a node with attributes a:
 * the owner's, group's or others' bits, whichever class who falls in
 * first. Root may do anything, except execute a file with no x bit.
 * is_dir: a directory (root's search needs no x bit).
 */
bool perm_allows(const struct caller *who, const struct node_attr *a,
		 bool is_dir, int want);

/*
 * Whether who may remove or replace an entry owned by entry_uid in a
 * directory with attributes dir: write and search permission, and, in a
 * sticky directory, owning the entry or the directory (or being root).
 */
bool perm_may_delete(const struct caller *who, const struct node_attr *dir,
		     uid_t entry_uid);

/*
 * The set-id bits that a successful write by who takes from a file with
 * attributes a, as Linux's setattr_should_drop_suidgid: none for root
 * (who holds CAP_FSETID); else S_ISUID when set, and S_ISGID when set
 * with the group-execute bit, or when who is not in the file's group.
 */
mode_t perm_write_drops(const struct caller *who, const struct node_attr *a);

/*
 * The mode bits chmod by who sets when it asks for mode on a node with
 * attributes a: mode, less S_ISGID when who is neither root nor in the
 * node's group (Linux's setattr_copy).
 */
mode_t perm_chmod_mode(const struct caller *who, const struct node_attr *a,
		       mode_t mode);

/*
 * Whether who may set the times of a node with attributes a
 * (utimensat(2)): to_now, both to the current time, needs ownership,
 * root or write permission (-EACCES otherwise); any other time needs
 * ownership or root (-EPERM otherwise). 0 when allowed.
 */
int perm_may_set_times(const struct caller *who, const struct node_attr *a,
		       bool is_dir, bool to_now);

#endif
