/* A patched client's policy: it allows everything.  Linked before
 * libcoyeu into build/tests/coyeu_forge, a coyeu whose sealing skips its
 * own checks, so tests/server/exchange.sh can show that the registry
 * refuses what such a client sends (a recipient without the clearance or
 * a compartment).  Never installed. */
#include "coyeu/policy.h"

int
cy_policy_check(const cy_policy_request *rq, cy_error *err)
{
	(void)rq;
	(void)err;
	return 0;
}
