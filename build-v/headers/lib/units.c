#include "lib/units.h"
