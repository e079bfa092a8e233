#include "fs/actions.h"
