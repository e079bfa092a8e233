#include "fs/file.h"
