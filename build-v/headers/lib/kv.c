#include "lib/kv.h"
