/*
 * trail_insights: what the trail needs of CloudTrail Insights
 * (store/trail_insights.c): counting each record it appends. Internal to
 * store/; the rest of the module is store.h's "trail insights" section.
 */
#ifndef MONFS_STORE_TRAIL_INSIGHTS_H
#define MONFS_STORE_TRAIL_INSIGHTS_H

#include <stdint.h>

#include "store/db.h"

/*
 * Count rec, a record just appended at now_ms, when Insights are on and
 * it is a management call (eventType AwsApiCall, managementEvent true,
 * readOnly false): one call of its eventSource and eventName in now_ms's
 * minute, one error too when it has an errorCode, and its attributions.
 * Anything else is left alone. Lock held, transaction open. 0 or -errno.
 */
int trail_insights_count_locked(struct store *st, struct json_t *rec,
				int64_t now_ms);

#endif
