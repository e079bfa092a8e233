#include "fs/ops.h"
