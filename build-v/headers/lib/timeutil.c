#include "lib/timeutil.h"
