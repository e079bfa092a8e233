#include "lib/pattern.h"
