/* Two revocation lists, separated by a blank line (signatures are not
 * checked here): the succession check never crashes, and when it accepts,
 * the newer list revokes every serial the older does at every time the
 * older does. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "coyeu/crl.h"

static void
check_kept(const cy_crl *prev, const cy_crl *next)
{
	const char *serial, *reason;
	int64_t since, at[3];
	size_t i, k;

	for (i = 0; i < cy_crl_count(prev); i++) {
		cy_crl_entry(prev, i, &serial, &reason, &since);
		at[0] = since > INT64_MIN ? since - 1 : since;
		at[1] = since;
		at[2] = INT64_MAX;
		for (k = 0; k < 3; k++)
			if (cy_crl_revokes(prev, serial, at[k], NULL) &&
			    !cy_crl_revokes(next, serial, at[k], NULL))
				abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *blank = memmem(data, size, "\n\n", 2);
	cy_crl *a = NULL, *b = NULL;
	size_t alen;

	if (blank == NULL)
		return 0;
	alen = (size_t)(blank - data) + 1;
	if (cy_crl_parse(data, alen, &a, NULL) == 0 &&
	    cy_crl_parse(blank + 2, size - alen - 1, &b, NULL) == 0 &&
	    cy_crl_check_successor(a, b, CY_CRL_SEQUENCE_JUMP_MAX, NULL) == 0) {
		if (cy_crl_sequence(b) < cy_crl_sequence(a) ||
		    cy_crl_sequence(b) - cy_crl_sequence(a) >
		    CY_CRL_SEQUENCE_JUMP_MAX)
			abort();
		check_kept(a, b);
	}
	cy_crl_free(a);
	cy_crl_free(b);
	return 0;
}
