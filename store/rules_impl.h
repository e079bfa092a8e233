/*
 * rules_impl: what the three parts of the rules (rules.c: definitions,
 * rules_match.c: matching, rules_deliver.c: deliveries and schedules)
 * share among themselves, and nobody else. Internal to store/rules*.c.
 */
#ifndef MONFS_STORE_RULES_IMPL_H
#define MONFS_STORE_RULES_IMPL_H

#include "store/sql.h"
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/schedule.h"
#include "store/db.h"

/* A rule changed: the next match rebuilds its bus's matcher. Lock held. */
void rules_cache_stale(struct store *st);

/* The rule's writer as perm_allows judges callers, groups included. */
void rules_writer_caller(uid_t uid, gid_t gid, const char *name,
			 struct caller *out);

/*
 * One delivery row of the event envelope[0..len) per line of targets,
 * for rule id, named name. Lock held, transaction open. 0 or -errno.
 */
int rules_deliveries_insert(struct store *st, int64_t id, const char *name,
			    const char *targets, const char *envelope,
			    size_t len);

/* The first firing of s after now_ms, in *next (INT64_MIN: none). */
int rules_first_firing(const struct schedule *s, int64_t now_ms,
		       int64_t anchor_ms, int64_t *next);

/* Bind a next firing to column col: NULL for INT64_MIN (none). */
void rules_bind_next(struct sql_stmt *stmt, int col, int64_t next);

#endif
