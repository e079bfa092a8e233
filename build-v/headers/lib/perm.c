#include "lib/perm.h"
