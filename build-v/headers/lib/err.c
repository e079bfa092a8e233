#include "lib/err.h"
