#include "store/logs.h"
