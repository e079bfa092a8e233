#include "lib/stats.h"
