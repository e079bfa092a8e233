#include "lib/format.h"
