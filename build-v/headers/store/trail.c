#include "store/trail.h"
