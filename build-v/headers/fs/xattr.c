#include "fs/xattr.h"
