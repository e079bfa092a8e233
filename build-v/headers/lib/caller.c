#include "lib/caller.h"
