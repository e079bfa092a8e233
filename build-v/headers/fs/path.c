#include "fs/path.h"
