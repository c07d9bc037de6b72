/* tlog-proof receipts: never crash; what parses re-encodes to the same
 * bytes (one accepted encoding). */
#include "fuzz.h"
#include "coyeu/tlogproof.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static cy_tlog_proof p;
	cy_buf b = CY_BUF_INIT;

	if (cy_tlog_proof_parse(data, size, &p, NULL) != 0)
		return 0;
	if (cy_tlog_proof_format(&p, p.checkpoint, p.checkpoint_len, &b) != 0 ||
	    b.len != size || memcmp(b.data, data, size) != 0)
		abort();
	cy_buf_free(&b);
	return 0;
}
