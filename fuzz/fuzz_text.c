/* Canonical values and the mixed-script check: never crash; a value
 * accepted is well-formed UTF-8 holding no refused character; the script
 * check passes only well-formed UTF-8, refuses as malformed only what is
 * not, and flags mixed scripts only in text with a non-ASCII letter. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "coyeu/canon.h"
#include "base/text.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	size_t i, n, ascii = 1;
	uint32_t cp;
	int r, valid;

	for (i = 0; i < size; i++)
		ascii &= data[i] < 0x80;
	r = cy_canon_check_scripts(p, size, "x", NULL);
	if (r != 0 && r != CY_E_POLICY && r != CY_E_FORMAT)
		abort();
	valid = cy_canon_utf8_valid(p, size);
	if ((r == CY_E_POLICY && ascii) || (r == CY_E_FORMAT && valid) ||
	    (r == 0 && !valid))
		abort();
	if (cy_canon_check_value(p, size, "x", NULL) != 0)
		return 0;
	for (i = 0; i < size; i += n)
		if ((n = cy_utf8_decode(data + i, size - i, &cp)) == 0 ||
		    cy_canon_char_refused(cp) != NULL)
			abort();
	return 0;
}
