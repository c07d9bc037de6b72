/* The register entry parser: never crashes; an entry whose signature
 * verifies also parses, and parsing gives back its type and actor key. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "coyeu/encoding.h"
#include "coyeu/entry.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *const *t;
	const char *key;
	uint8_t pub[CY_ENTRY_KEY_LEN];
	cy_entry *e = NULL;
	size_t n;
	int verified, known = 0;

	verified = cy_entry_verify(data, size, NULL) == 0;
	if (cy_entry_parse(data, size, &e, NULL) != 0) {
		if (verified)
			abort();
		return 0;
	}
	for (t = cy_entry_types(); *t != NULL; t++)
		known |= strcmp(*t, cy_entry_type(e)) == 0;
	key = cy_entry_get(e, "actor-key");
	if (!known || key == NULL || cy_entry_get(e, "signature") == NULL ||
	    strcmp(cy_entry_get(e, "type"), cy_entry_type(e)) != 0 ||
	    cy_b64_decode(pub, &n, key, strlen(key), 0) != 0 ||
	    n != CY_ENTRY_KEY_LEN ||
	    memcmp(pub, cy_entry_actor_key(e), CY_ENTRY_KEY_LEN) != 0)
		abort();
	cy_entry_free(e);
	return 0;
}
