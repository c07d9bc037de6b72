#include "coyeu/version.h"

const char *
cy_version(void)
{
	return CY_VERSION_STRING;
}

unsigned
cy_version_number(void)
{
	return CY_VERSION_NUMBER;
}
