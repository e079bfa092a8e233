/*
 * render_describe: the AWS responses that list (SPEC 16) —
 * `alarms?format=json`, DescribeAlarms' response, and `alarms?state=S`;
 * a namespace's `?format=json`, ListMetrics' response for it and below —
 * of what the reader may read.
 */
#ifndef MONFS_FS_RENDER_DESCRIBE_H
#define MONFS_FS_RENDER_DESCRIBE_H

#include "fs/view.h"
#include "lib/strbuf.h"
#include "store/store.h"

/*
 * The alarms who may read, in the state v->state asks (-1: all), as
 * `NAME STATE` lines, or DescribeAlarms' {"MetricAlarms":[...],
 * "CompositeAlarms":[...]} with v->json. 0 or -errno.
 */
int render_alarms(struct store *st, const struct caller *who,
		  const struct view *v, struct strbuf *out);

/*
 * The metrics of namespace ns and below that who may read, as their
 * paths one a line, or ListMetrics' {"Metrics":[{"Namespace",
 * "MetricName","Dimensions":[{"Name","Value"}]}]} with v->json. 0 or
 * -errno.
 */
int render_namespace(struct store *st, const struct caller *who, const char *ns,
		     const struct view *v, struct strbuf *out);

#endif
