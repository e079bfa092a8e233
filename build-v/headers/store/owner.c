#include "store/owner.h"
