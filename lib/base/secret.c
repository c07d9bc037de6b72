#include <sodium.h>

#include "coyeu/secret.h"

int
cy_init(void)
{
	if (sodium_init() < 0)
		return CY_E_CRYPTO;
	return 0;
}

void *
cy_secret_alloc(size_t n)
{
	return sodium_malloc(n);
}

void
cy_secret_free(void *p)
{
	if (p != NULL)
		sodium_free(p);
}

void
cy_wipe(void *p, size_t n)
{
	if (p != NULL)
		sodium_memzero(p, n);
}

int
cy_memeq(const void *a, const void *b, size_t n)
{
	return sodium_memcmp(a, b, n) == 0;
}
