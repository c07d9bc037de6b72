/* The certificate and chain parser: never crashes; what parses is exactly
 * its certificates' bytes joined by blank lines (one accepted encoding),
 * a seal-pq-key that parsed is a hybrid recipient age takes, and
 * verification of whatever parsed fails cleanly or succeeds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "coyeu/age.h"
#include "coyeu/cert.h"

/* The optional hybrid key: both forms or neither, and both make the same
 * recipient (the parser ran the FIPS 203 check). */
static void
check_pq(const uint8_t *pub, const char *str)
{
	cy_recipient *r = NULL;

	if ((pub == NULL) != (str == NULL))
		abort();
	if (pub == NULL)
		return;
	if (strncmp(str, "age1pq1", 7) != 0 ||
	    cy_recipient_parse(str, &r, NULL) != 0)
		abort();
	cy_recipient_free(r);
	if (cy_recipient_pq(pub, &r, NULL) != 0)
		abort();
	cy_recipient_free(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cy_chain *ch = NULL;
	cy_cert *leaf = NULL;
	cy_buf b = CY_BUF_INIT;
	const cy_cert *c;
	const uint8_t *p;
	size_t i, n, len;

	if (cy_chain_parse(data, size, &ch, NULL) != 0)
		return 0;
	n = cy_chain_len(ch);
	for (i = 0; i < n; i++) {
		c = cy_chain_get(ch, i);
		if (i > 0)
			cy_buf_append(&b, "\n", 1);
		p = cy_cert_bytes(c, &len);
		cy_buf_append(&b, p, len);
		if (strlen(cy_cert_serial(c)) != CY_SERIAL_HEX_LEN ||
		    !cy_unit_valid(cy_cert_unit(c), strlen(cy_cert_unit(c))) ||
		    cy_cert_not_before(c) >= cy_cert_not_after(c))
			abort();
		check_pq(cy_cert_seal_pq_public(c), cy_cert_seal_pq_recipient(c));
	}
	if (b.len != size || memcmp(b.data, data, size) != 0)
		abort();
	/* the last certificate as the root: mostly refused, never a crash */
	if (cy_chain_verify(ch, cy_chain_get(ch, n - 1), NULL, 0,
	    cy_cert_not_before(cy_chain_get(ch, 0)), &leaf, NULL) == 0 &&
	    leaf == NULL)
		abort();
	cy_cert_free(leaf);
	cy_buf_free(&b);
	cy_chain_free(ch);
	return 0;
}
