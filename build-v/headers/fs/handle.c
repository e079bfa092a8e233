#include "fs/handle.h"
