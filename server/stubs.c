/* Stand-ins for the parts linked later: each is weak, so the real one
 * (auth.c, witness.c) replaces it without a change here (stubs.c). */
#include <stdlib.h>

#include "coyeud.h"

#define WEAK __attribute__((weak))

WEAK int
cyd_auth(cyd_request *rq, cyd_response *rs)
{
	return cyd_error(rs, 401, "unauthenticated", "signed requests are not "
	    "supported by this build"), 1;
}

WEAK void
cyd_caller_free(cyd_caller *c)
{
	free(c);
}

WEAK int
cyd_witness_cosigs(cyd_server *srv, uint64_t size, cy_buf *lines)
{
	return 0;
}

static int
not_built(cyd_response *rs)
{
	return cyd_error(rs, 501, "not-implemented", "this build does not "
	    "serve that route");
}

WEAK int cyd_h_certs_post(cyd_request *rq, cyd_response *rs)
{ return not_built(rs); }
WEAK int cyd_h_revocations_post(cyd_request *rq, cyd_response *rs)
{ return not_built(rs); }
WEAK int cyd_h_revocations_get(cyd_request *rq, cyd_response *rs)
{ return not_built(rs); }
WEAK int cyd_h_directory(cyd_request *rq, cyd_response *rs)
{ return not_built(rs); }
WEAK int cyd_h_log_entries(cyd_request *rq, cyd_response *rs)
{ return not_built(rs); }
WEAK int cyd_h_add_checkpoint(cyd_request *rq, cyd_response *rs)
{ return not_built(rs); }
