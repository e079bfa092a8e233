#include "lib/alarm.h"
