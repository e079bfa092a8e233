#include "fs/view.h"
