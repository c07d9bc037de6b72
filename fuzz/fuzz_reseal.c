/* The reseal record parser (document.h): never crashes; a parsed record's
 * getters are consistent with its text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "coyeu/document.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cy_doc_reseal *rs;
	const uint8_t *text;
	size_t len, i;

	if (cy_doc_reseal_parse(data, size, &rs, NULL) != 0)
		return 0;
	text = cy_doc_reseal_bytes(rs, &len);
	if (len != size || memcmp(text, data, size) != 0 ||
	    cy_doc_reseal_resealer(rs) != NULL)
		abort();
	for (i = 0; i < cy_doc_reseal_count(rs); i++)
		if (strlen(cy_doc_reseal_old_serial(rs, i)) != 32 ||
		    strlen(cy_doc_reseal_new_serial(rs, i)) != 32)
			abort();
	if (cy_doc_reseal_old_serial(rs, cy_doc_reseal_count(rs)) != NULL)
		abort();
	(void)cy_doc_reseal_chain(rs, &len);
	cy_doc_reseal_free(rs);
	return 0;
}
