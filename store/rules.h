/*
 * rules: what the store's modules need of rules (store/rules.c): the
 * hook every event appended to a bus passes, and the matchers' cache
 * the store owns. Internal to store/.
 */
#ifndef MONFS_STORE_RULES_H
#define MONFS_STORE_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

/*
 * An event appended to bus bus_id, its envelope envelope[0..len) (its
 * '\n' included), at now_ms: the enabled rules of that bus whose writer
 * may read it and whose pattern matches make one delivery row per
 * target and count it, in the transaction that appends the event. Lock
 * held, transaction open. 0 or -errno.
 */
int rules_event_appended_locked(struct store *st, int64_t bus_id,
				const char *envelope, size_t len,
				int64_t now_ms);

/* The store closes: free the matchers' cache (store_hooks.closing). */
void rules_closing(struct store *st);

#endif
