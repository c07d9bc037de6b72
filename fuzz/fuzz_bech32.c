/* Bech32 decoder: never crashes; whatever decodes re-encodes to the same
 * string, up to case. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "age/bech32.h"

#define FUZZ_MAX 8192

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	static char s[FUZZ_MAX + 1], again[FUZZ_MAX + 16];
	static uint8_t data[FUZZ_MAX];
	char hrp[CY_BECH32_HRP_MAX + 1];
	size_t len, i;
	int upper = 0;
	cy_error err;

	if (n > FUZZ_MAX)
		return 0;
	memcpy(s, p, n);
	s[n] = '\0';
	if (cy_bech32_decode(s, hrp, data, sizeof(data), &len, &err) != 0) {
		if (err.code != CY_E_FORMAT || err.msg[0] == '\0')
			abort();
		return 0;
	}
	for (i = 0; s[i] != '\0'; i++)
		upper |= s[i] >= 'A' && s[i] <= 'Z';
	if (cy_bech32_encode(again, sizeof(again), hrp, data, len, upper) != 0)
		abort();
	if (strcmp(again, s) != 0)
		abort();
	return 0;
}
