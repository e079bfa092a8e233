#include "fs/shape.h"
