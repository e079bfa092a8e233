#include "lib/utf8.h"
