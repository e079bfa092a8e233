#include "store/space.h"
