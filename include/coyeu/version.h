/* coyeu — the library's version.
 *
 * CY_VERSION_* say which headers a program was compiled against;
 * cy_version() says which library it runs with.  The Makefile and coyeu.pc
 * take the version from here. */
#ifndef COYEU_VERSION_H
#define COYEU_VERSION_H

#include "coyeu/error.h"

#define CY_VERSION_MAJOR 0
#define CY_VERSION_MINOR 1
#define CY_VERSION_PATCH 0
#define CY_VERSION_STRING "0.1.0"
/* One number that grows with each release: 0x00MMmmpp. */
#define CY_VERSION_NUMBER \
	((CY_VERSION_MAJOR << 16) | (CY_VERSION_MINOR << 8) | CY_VERSION_PATCH)

/* The running library's CY_VERSION_STRING. */
CY_API const char *cy_version(void);
/* The running library's CY_VERSION_NUMBER. */
CY_API unsigned cy_version_number(void);

#endif
