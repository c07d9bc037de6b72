/* The officer key text (an unprotected key file, or what a protected one
 * decrypts to): never crashes; what parses is canonical, so it encodes back
 * to the very same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "coyeu/buf.h"
#include "pki/idkey_text.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cy_buf out = CY_BUF_INIT;
	cy_idkey *k = NULL;

	if (cy_idkey_text_parse(data, size, &k, NULL) != 0)
		return 0;
	if (cy_idkey_text_encode(k, &out, NULL) != 0 || out.len != size ||
	    memcmp(out.data, data, size) != 0)
		abort();
	cy_buf_free(&out);
	cy_idkey_free(k);
	return 0;
}
