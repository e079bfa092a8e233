#include "fs/fuse.h"
