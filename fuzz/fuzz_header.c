/* The age header parser: never crashes; what parses re-encodes to the
 * same bytes (one accepted encoding per header). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "coyeu/header.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cy_header h, rebuilt;
	size_t used, i;

	if (cy_header_parse(data, size, &h, &used, NULL) != 0)
		return 0;
	memset(&rebuilt, 0, sizeof(rebuilt));
	for (i = 0; i < h.nstanzas; i++) {
		const cy_stanza *s = &h.stanzas[i];
		if (cy_header_add(&rebuilt, s->type, (const char *const *)s->args,
		    s->nargs, s->body, s->body_len) != 0)
			abort();
	}
	if (rebuilt.raw.len == 0)
		cy_buf_puts(&rebuilt.raw, CY_HEADER_VERSION_LINE);
	cy_buf_puts(&rebuilt.raw, "---");
	if (rebuilt.raw.len != h.raw.len ||
	    memcmp(rebuilt.raw.data, h.raw.data, h.raw.len) != 0)
		abort();
	cy_header_free(&rebuilt);
	cy_header_free(&h);
	return 0;
}
