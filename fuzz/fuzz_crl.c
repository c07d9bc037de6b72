/* The revocation list parser: never crashes; what parses is kept byte for
 * byte, its serials are sorted, each takes effect no later than the list's
 * time and is found as revoked from then on. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "coyeu/crl.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *serial, *reason, *prev = NULL, *why;
	int64_t since;
	cy_crl *crl = NULL;
	const uint8_t *p;
	size_t i, len;

	if (cy_crl_parse(data, size, &crl, NULL) != 0)
		return 0;
	p = cy_crl_bytes(crl, &len);
	if (len != size || memcmp(p, data, size) != 0 ||
	    cy_crl_sequence(crl) == 0)
		abort();
	for (i = 0; i < cy_crl_count(crl); i++) {
		cy_crl_entry(crl, i, &serial, &reason, &since);
		if ((prev != NULL && strcmp(prev, serial) >= 0) ||
		    since > cy_crl_time(crl) ||
		    !cy_crl_revokes(crl, serial, since, &why) ||
		    strcmp(why, reason) != 0 ||
		    cy_crl_revokes(crl, serial, since - 1, NULL) ==
		    cy_crl_reason_keeps_past(reason))
			abort();
		prev = serial;
	}
	cy_crl_free(crl);
	return 0;
}
