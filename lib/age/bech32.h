/* coyeu — Bech32 (BIP 173) as age uses it: no 90-character limit, one case
 * throughout, 8-bit data carried in 5-bit groups without leftover bits. */
#ifndef COYEU_LIB_BECH32_H
#define COYEU_LIB_BECH32_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/error.h"

#define CY_BECH32_HRP_MAX 83

/* Writes hrp "1" data checksum and a NUL into out (capacity outcap).
 * hrp must be lowercase; upper=1 gives the all-uppercase form
 * (AGE-SECRET-KEY-1…). */
int cy_bech32_encode(char *out, size_t outcap, const char *hrp,
    const uint8_t *data, size_t len, int upper) CY_MUST_CHECK;

/* Decodes s (NUL-terminated).  Rejects mixed case, characters outside the
 * charset, a bad checksum, padding bits that are not zero.  The hrp is
 * returned lowercase in hrp (capacity CY_BECH32_HRP_MAX + 1). */
int cy_bech32_decode(const char *s, char hrp[CY_BECH32_HRP_MAX + 1],
    uint8_t *data, size_t datacap, size_t *datalen, cy_error *err) CY_MUST_CHECK;

#endif
