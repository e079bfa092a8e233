#include "lib/parse.h"
