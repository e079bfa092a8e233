#include "lib/sketch.h"
