#include "fs/render.h"
