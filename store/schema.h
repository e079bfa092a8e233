/*
 * schema: monfs's tables and their migrations (store/schema.c).
 * Internal to store/.
 */
#ifndef MONFS_STORE_SCHEMA_H
#define MONFS_STORE_SCHEMA_H

#include "store/db.h"

/*
 * Whether the database at path is monfs's: new (no tables) or holding
 * schema_version. Another application's database: -EINVAL with err
 * saying so, before anything in it is changed.
 */
int schema_check_ours(struct store *st, const char *path, struct err *err);

/*
 * Bring the database to this monfs's schema, one transaction per
 * migration. -EPROTO for a database from a newer monfs, -errno when a
 * migration fails; err says which.
 */
int schema_migrate(struct store *st, struct err *err);

/*
 * The same on PostgreSQL (store/schema_pg.c): a new database gets the
 * newest schema whole, under the fleet's lock, so that daemons starting
 * together make it once.
 */
int schema_pg_migrate(struct store *st, struct err *err);

#endif
