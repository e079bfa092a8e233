#include "lib/alarm_due.h"
