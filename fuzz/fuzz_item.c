/* The inventory's item record parser (cy_item_view_parse, what a registry
 * reads back from its store) and the fold of an entry into a view: never
 * crash; a record that parses encodes back to a record that parses to the
 * same view; a refused entry leaves the view untouched. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "coyeu/inventory.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cy_item_view v, again, before;
	cy_buf out = CY_BUF_INIT;

	memset(&v, 0, sizeof(v));
	if (cy_item_view_parse(data, size, &v, NULL) == 0) {
		if (cy_item_view_encode(&v, &out, NULL) != 0)
			abort();
		memset(&again, 0, sizeof(again));
		if (cy_item_view_parse(out.data, out.len, &again, NULL) != 0 ||
		    memcmp(&v, &again, sizeof(v)) != 0)
			abort();
		cy_buf_free(&out);
	}
	/* The same bytes as an entry folded into whatever view we have. */
	before = v;
	if (cy_item_apply(&v, data, size, 1, NULL, NULL, NULL) != 0 &&
	    memcmp(&before, &v, sizeof(v)) != 0)
		abort();
	return 0;
}
