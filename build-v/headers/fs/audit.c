#include "fs/audit.h"
