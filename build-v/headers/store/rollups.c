#include "store/rollups.h"
