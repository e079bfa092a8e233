#include "store/tree.h"
