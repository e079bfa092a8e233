#include "fs/monfs.h"
