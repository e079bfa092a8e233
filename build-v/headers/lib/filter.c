#include "lib/filter.h"
