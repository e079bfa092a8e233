#include "fs/node.h"
