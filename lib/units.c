/* units: CloudWatch's unit names. */
#include "lib/units.h"

#include <string.h>

/* CloudWatch's StandardUnit values. */
static const char *const UNITS[] = {
	"Seconds",
	"Microseconds",
	"Milliseconds",
	"Bytes",
	"Kilobytes",
	"Megabytes",
	"Gigabytes",
	"Terabytes",
	"Bits",
	"Kilobits",
	"Megabits",
	"Gigabits",
	"Terabits",
	"Percent",
	"Count",
	"Bytes/Second",
	"Kilobytes/Second",
	"Megabytes/Second",
	"Gigabytes/Second",
	"Terabytes/Second",
	"Bits/Second",
	"Kilobits/Second",
	"Megabits/Second",
	"Gigabits/Second",
	"Terabits/Second",
	"Count/Second",
	"None",
};

bool metric_unit_valid(const char *unit)
{
	size_t i;

	for (i = 0; i < sizeof(UNITS) / sizeof(UNITS[0]); i++)
		if (!strcmp(unit, UNITS[i]))
			return true;
	return false;
}
