/*
 * fleet: what the daemons on one PostgreSQL database agree on (SPEC 17);
 * store_fleet_settle (store.h) is its door, this the store's own use.
 */
#ifndef MONFS_STORE_FLEET_H
#define MONFS_STORE_FLEET_H

#include <stdbool.h>

struct store;

/*
 * Whether no other daemon runs on the store: always on sqlite (its lock
 * file sees to it); on PostgreSQL, whether nobody holds the members'
 * lock. A daemon alone may finish what the crashed ones left (their
 * pending trail records). Outside a transaction; takes the lock.
 */
bool fleet_alone(struct store *st);

#endif
