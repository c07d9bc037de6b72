/* coyeu — base64 (RFC 4648, standard alphabet) and hex. */
#ifndef COYEU_ENCODING_H
#define COYEU_ENCODING_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/error.h"

/* Length of the unpadded / padded encoding of n bytes (no NUL). */
#define CY_B64_UNPADDED_LEN(n) (((n) * 4 + 2) / 3)
#define CY_B64_PADDED_LEN(n) ((((n) + 2) / 3) * 4)

/* Writes the encoding and a NUL into out, which holds at least
 * CY_B64_*_LEN(n) + 1 bytes.  Returns the length written (no NUL). */
CY_API size_t cy_b64_encode(char *out, const uint8_t *in, size_t n, int padded);

/* Decodes exactly `len` characters.  Canonical only: with padded=0 no '=' is
 * accepted; with padded=1 the length must be a multiple of 4 with correct
 * padding.  Unused trailing bits must be zero.  out holds at least len*3/4
 * bytes.  On success stores the decoded length in *outlen and returns 0. */
CY_API int cy_b64_decode(uint8_t *out, size_t *outlen, const char *in,
    size_t len,
    int padded) CY_MUST_CHECK;

/* Lowercase hex; out holds 2n+1 bytes. */
CY_API void cy_hex_encode(char *out, const uint8_t *in, size_t n);
/* Exactly 2n hex digits (either case) into n bytes. */
CY_API int cy_hex_decode(uint8_t *out, size_t n, const char *in,
    size_t len) CY_MUST_CHECK;

/* Canonical unsigned decimal: digits only, no leading zero (except "0"),
 * at most UINT64_MAX.  0 on success, -1 otherwise. */
CY_API int cy_parse_u64(const char *s, size_t len, uint64_t *out) CY_MUST_CHECK;
/* Exactly 32 bytes from padded base64 (44 characters): 0, or -1. */
CY_API int cy_b64_hash_decode(const char *s, size_t len,
    uint8_t out[32]) CY_MUST_CHECK;

#endif
