#include "store/named.h"
