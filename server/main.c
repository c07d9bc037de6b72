/* coyeud — the registry server (docs/coyeud.md). */
#include <stdio.h>

#include "coyeu/version.h"

int
main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "coyeud %s: not yet serving\n", cy_version());
	return 1;
}
