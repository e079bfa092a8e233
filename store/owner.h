/*
 * owner: ownership and times of a node, and the set-id bits a write
 * drops (store/owner.c). Internal to store/.
 */
#ifndef MONFS_STORE_OWNER_H
#define MONFS_STORE_OWNER_H

#include "store/db.h"

/*
 * Take from metric or stream id the set-id bits a write by who drops
 * (perm_write_drops), moving its ctime to now_ms when it has any. Root's
 * writes never get here. -ENOENT, -EIO. Lock held, transaction open.
 */
int owner_write_drops_locked(struct store *st, enum data_kind kind, int64_t id,
			     const struct caller *who, int64_t now_ms);

#endif
