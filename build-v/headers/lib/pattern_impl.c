#include "lib/pattern_impl.h"
