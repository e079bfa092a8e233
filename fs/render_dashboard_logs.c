/*
 * render_dashboard_logs: run a log widget's query over its SOURCE
 * groups, merged as group views merge them (fs/render_group.h: by
 * timestamp; ties by group, then stream name, then order written), as
 * the dashboard's reader may read them.
 */
#include "fs/render_dashboard_logs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs/access.h"
#include "fs/node.h"
#include "fs/render_group.h"
#include "lib/perm.h"

/*
 * Whether who may read group: -EACCES (the refusal recorded when record
 * is set), -ENOENT, -ENAMETOOLONG, or 0.
 */
static int group_readable(const struct caller *who, bool record,
			  const char *group, struct node *n)
{
	char path[PATH_MAX];
	int rc;

	if ((size_t)snprintf(path, sizeof(path), "/logs/%s", group) >=
	    sizeof(path))
		return -ENAMETOOLONG;
	rc = node_resolve(path, n);
	if (!rc && n->type != NT_DIR)
		rc = -ENOENT;
	return rc ? rc : access_read(path, n, who, record, "StartQuery");
}

/* Say why the widget shows no table. */
static int fail(struct dashboard_log *out, struct dash_table *table,
		const char *why)
{
	out->error = strdup(why);
	table->error = out->error;
	return out->error ? 0 : -ENOMEM;
}

int dashboard_log_gather(struct store *st, const struct caller *who,
			 bool record, const char *query, int64_t start_ms,
			 int64_t end_ms, struct dashboard_log *out,
			 struct dash_table *table)
{
	struct insights_query *q = NULL;
	const char *const *groups;
	struct node *n = NULL;
	struct err err = {""};
	size_t ngroups, i, k;
	char why[PATH_MAX + 64];
	int rc;

	*table = (struct dash_table){0};
	rc = insights_parse(query, strlen(query), &q, &err);
	if (rc == -EINVAL)
		return fail(out, table, err.msg);
	if (rc)
		return rc;
	ngroups = insights_sources(q, &groups);
	if (!ngroups) {
		rc = fail(out, table,
			  "a log widget's query names its groups: SOURCE "
			  "'group' | ...");
		goto out;
	}
	n = malloc(sizeof(*n));
	rc = n ? 0 : -ENOMEM;
	for (i = 0; !rc && i < ngroups; i++) {
		rc = group_readable(who, record, groups[i], n);
		if (rc == -EACCES || rc == -ENOENT || rc == -ENAMETOOLONG) {
			snprintf(why, sizeof(why), "%s: %s", groups[i],
				 rc == -EACCES ? "permission denied"
					       : "no such log group");
			rc = fail(out, table, why);
			goto out;
		}
	}
	if (!rc)
		rc = render_groups_run(st, groups, ngroups, who, q, start_ms,
				       end_ms, &out->result);
	if (rc)
		goto out;
	k = out->result.nrows * out->result.ncolumns;
	out->cells = malloc((k ? k : 1) * sizeof(*out->cells));
	if (!out->cells) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < k; i++)
		out->cells[i] =
			out->result.cells[i] ? out->result.cells[i] : "";
	table->header = (const char *const *)out->result.columns;
	table->ncolumns = out->result.ncolumns;
	table->cells = out->cells;
	table->nrows = out->result.nrows;
out:
	free(n);
	insights_query_free(q);
	return rc;
}

void dashboard_log_release(struct dashboard_log *out)
{
	insights_result_free(&out->result);
	free(out->cells);
	free(out->error);
	*out = (struct dashboard_log){0};
}
