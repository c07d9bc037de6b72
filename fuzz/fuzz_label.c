/* The inner-label parser: never crashes; a parsed label's getters are
 * consistent with its text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "coyeu/label.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t zero_key[32];
	cy_label *l;
	const uint8_t *text;
	size_t len, i;

	if (cy_label_parse(data, size, &l, NULL) != 0)
		return 0;
	text = cy_label_bytes(l, &len);
	if (len != size || memcmp(text, data, size) != 0 ||
	    cy_label_recipient_count(l) == 0 ||
	    cy_label_protect_until(l) <= cy_label_created(l))
		abort();
	for (i = 0; i < cy_label_recipient_count(l); i++)
		if (cy_label_recipient(l, i) == NULL)
			abort();
	(void)cy_label_signer_chain(l, &len);
	if (cy_label_verify_signature(l, zero_key, NULL) == 0)
		abort();
	cy_label_free(l);
	return 0;
}
