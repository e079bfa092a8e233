/*
 * units: CloudWatch's unit names (StandardUnit), which label a metric
 * (SPEC 3's user.unit) and an alarm (its unit key).
 */
#ifndef MONFS_UNITS_H
#define MONFS_UNITS_H

#include <stdbool.h>

/* Whether unit is one of CloudWatch's unit names. */
bool metric_unit_valid(const char *unit);

#endif
