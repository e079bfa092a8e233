#include "store/filters.h"
