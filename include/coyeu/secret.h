/* coyeu — library start-up, guarded memory for secrets, constant-time compare. */
#ifndef COYEU_SECRET_H
#define COYEU_SECRET_H

#include <stddef.h>

#include "coyeu/error.h"

/* Call once before anything else (initialises libsodium; idempotent). */
CY_API int cy_init(void) CY_MUST_CHECK;

/* Guarded, locked memory (libsodium) for keys; wiped and released by
 * cy_secret_free, which accepts NULL. */
CY_API void *cy_secret_alloc(size_t n);
CY_API void cy_secret_free(void *p);

CY_API void cy_wipe(void *p, size_t n);
/* 1 when equal, 0 otherwise; time independent of the contents. */
CY_API int cy_memeq(const void *a, const void *b, size_t n);

#endif
