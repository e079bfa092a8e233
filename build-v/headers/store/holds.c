#include "store/holds.h"
