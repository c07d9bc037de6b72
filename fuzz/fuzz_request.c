/* The certificate request parser: never crashes; a request that parses
 * carries a valid signature by its own key and is kept byte for byte, and
 * its seal-pq-key, if any, is a hybrid key age takes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "coyeu/age.h"
#include "coyeu/cert.h"
#include "coyeu/request.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cy_request *q = NULL;
	const uint8_t *p;
	const char *unit;
	size_t len;

	if (cy_request_parse(data, size, &q, NULL) != 0)
		return 0;
	p = cy_request_bytes(q, &len);
	unit = cy_request_unit(q);
	if (len != size || memcmp(p, data, size) != 0 ||
	    !cy_unit_valid(unit, strlen(unit)) || cy_request_name(q)[0] == '\0')
		abort();
	if (cy_request_seal_pq_public(q) != NULL) {
		cy_recipient *r = NULL;

		if (cy_request_seal_pq_recipient(q) == NULL ||
		    cy_recipient_pq(cy_request_seal_pq_public(q), &r, NULL) != 0)
			abort();
		cy_recipient_free(r);
	}
	cy_request_free(q);
	return 0;
}
