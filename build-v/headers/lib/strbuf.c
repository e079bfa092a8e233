#include "lib/strbuf.h"
