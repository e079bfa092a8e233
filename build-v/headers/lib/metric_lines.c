#include "lib/metric_lines.h"
