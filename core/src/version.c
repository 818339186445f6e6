#include "swng.h"

const char *swng_version(void) { return SWNG_VERSION; }

unsigned int swng_version_num(void) { return SWNG_VERSION_NUM; }
