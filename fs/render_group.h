/*
 * render_group: the views of a log group's path (SPEC 16) — every stream
 * of the group (not deeper groups) interleaved by timestamp, as
 * FilterLogEvents and StartLiveTail give them, or a Logs Insights query
 * run over them.
 *
 * Order: by timestamp; ties by stream name, then the order written. A
 * view without `until` is live: once what was there at open is read, it
 * grows as matching events arrive (new streams included), appended in
 * arrival order; fstat reports the bytes rendered so far, so `tail -f`
 * follows it.
 *
 * Memory: each stream buffers at most one batch of its writes; the
 * rendering keeps only what the reader has not read past.
 */
#ifndef MONFS_FS_RENDER_GROUP_H
#define MONFS_FS_RENDER_GROUP_H

#include <stdint.h>

#include "fs/view.h"
#include "lib/strbuf.h"
#include "store/store.h"

struct group_render;

/*
 * The view v of group (owned from here: released with the renderer, or
 * at once when this fails), read as who: streams who may not read are
 * left out. NULL when out of memory.
 */
struct group_render *render_group_new(struct store *st, const char *group,
				      const struct caller *who, struct view *v);

/*
 * Copy up to size bytes of the rendering at offset into buf, rendering
 * as needed; a live view renders what arrived since. Returns the bytes
 * copied (0: nothing more now) or -errno. Going back renders again.
 */
int render_group_read(struct group_render *r, char *buf, size_t size,
		      int64_t offset);

/*
 * The bytes rendered so far, after rendering what is there now (a live
 * view's new events): fstat's size. -errno on failure.
 */
int64_t render_group_size(struct group_render *r);

void render_group_free(struct group_render *r);

struct insights_query;
struct insights_result;

/*
 * Run query over the streams of groups[0..n) in [since_ms, until_ms)
 * that who may read, merged as a group view merges them (ties: the
 * groups' order, then stream names), into *res. The caller checks who
 * may read the groups themselves. 0 or -errno.
 */
int render_groups_run(struct store *st, const char *const *groups, size_t n,
		      const struct caller *who,
		      const struct insights_query *query, int64_t since_ms,
		      int64_t until_ms, struct insights_result *res);

/*
 * Run the Logs Insights query q (text) over group's streams in
 * [since_ms, until_ms) as who, and append its result to out: a table
 * (json false) or GetQueryResults' JSON. 0; -EINVAL with err saying
 * where the query is wrong; -ENOMEM, -EIO.
 */
int render_group_query(struct store *st, const char *group,
		       const struct caller *who, const char *q,
		       int64_t since_ms, int64_t until_ms, bool json,
		       struct strbuf *out, struct err *err);

#endif
