/* Register entries: never crash; a parsed entry's getters agree with its
 * schema. */
#include "fuzz.h"
#include "coyeu/entry.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *const *fields;
	cy_entry *e;
	size_t i, n;

	if (cy_entry_parse(data, size, &e, NULL) != 0)
		return 0;
	if ((fields = cy_entry_type_fields(cy_entry_type(e))) == NULL ||
	    cy_entry_actor(e) == NULL)
		abort();
	for (i = 0; fields[i] != NULL; i++) {
		char key[64];
		n = strcspn(fields[i], "+?");
		memcpy(key, fields[i], n);
		key[n] = '\0';
		if (strchr(fields[i], '?') == NULL && cy_entry_get(e, key) == NULL)
			abort();
	}
	cy_entry_free(e);
	return 0;
}
