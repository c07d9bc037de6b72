/* coyeu — thin wrappers over OpenSSL for the primitives age needs. */
#ifndef COYEU_LIB_CRYPTO_H
#define COYEU_LIB_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/error.h"

#define CY_SHA256_LEN 32
#define CY_AEAD_KEY_LEN 32
#define CY_AEAD_NONCE_LEN 12
#define CY_AEAD_TAG_LEN 16

int cy_hkdf_sha256(const uint8_t *ikm, size_t ikmlen, const uint8_t *salt,
    size_t saltlen, const char *info, uint8_t *out, size_t outlen) CY_MUST_CHECK;
int cy_hmac_sha256(const uint8_t *key, size_t keylen, const uint8_t *msg,
    size_t len, uint8_t out[CY_SHA256_LEN]) CY_MUST_CHECK;
void cy_sha256_digest(const uint8_t *msg, size_t len, uint8_t out[CY_SHA256_LEN]);

/* Incremental SHA-256. */
typedef struct cy_sha256_ctx cy_sha256_ctx;
cy_sha256_ctx *cy_sha256_new(void);
/* A failure is remembered and reported by cy_sha256_final, so a stream of
 * updates needs one check. */
void cy_sha256_update(cy_sha256_ctx *c, const void *p, size_t len);
/* Writes the digest and frees c: 0, or CY_E_CRYPTO when OpenSSL failed in
 * an update or here (out is then zeroed, never a partial digest). */
int cy_sha256_final(cy_sha256_ctx *c, uint8_t out[CY_SHA256_LEN],
    cy_error *err) CY_MUST_CHECK;
void cy_sha256_free(cy_sha256_ctx *c);

/* ChaCha20-Poly1305 (RFC 8439) one-shot: out = ciphertext || tag. */
int cy_aead_seal(const uint8_t key[CY_AEAD_KEY_LEN],
    const uint8_t nonce[CY_AEAD_NONCE_LEN], const uint8_t *in, size_t len,
    uint8_t *out) CY_MUST_CHECK;
/* in = ciphertext || tag (len includes the tag). 0, or CY_E_CRYPTO when
 * authentication fails. */
int cy_aead_open(const uint8_t key[CY_AEAD_KEY_LEN],
    const uint8_t nonce[CY_AEAD_NONCE_LEN], const uint8_t *in, size_t len,
    uint8_t *out) CY_MUST_CHECK;

/* Reusable context for the payload's hot loop (one per worker thread). */
typedef struct cy_aead_ctx cy_aead_ctx;
cy_aead_ctx *cy_aead_ctx_new(const uint8_t key[CY_AEAD_KEY_LEN]);
void cy_aead_ctx_free(cy_aead_ctx *c);
int cy_aead_ctx_seal(cy_aead_ctx *c, const uint8_t nonce[CY_AEAD_NONCE_LEN],
    const uint8_t *in, size_t len, uint8_t *out) CY_MUST_CHECK;
int cy_aead_ctx_open(cy_aead_ctx *c, const uint8_t nonce[CY_AEAD_NONCE_LEN],
    const uint8_t *in, size_t len, uint8_t *out) CY_MUST_CHECK;

/* SHA-3 and SHAKE (FIPS 202) over the concatenation of parts.  outlen is
 * the digest size for SHA3-256 (32) and SHA3-512 (64), any length for the
 * SHAKEs (a longer output extends a shorter one: the stream is prefix-stable). */
enum cy_sha3_alg { CY_SHA3_256, CY_SHA3_512, CY_SHAKE128, CY_SHAKE256 };
typedef struct cy_span {
	const void *p;
	size_t len;
} cy_span;
int cy_sha3(enum cy_sha3_alg alg, const cy_span *parts, size_t nparts,
    uint8_t *out, size_t outlen) CY_MUST_CHECK;

/* scrypt with r = 8, p = 1. */
int cy_scrypt(const char *pass, size_t passlen, const uint8_t *salt,
    size_t saltlen, int log_n, uint8_t *out, size_t outlen) CY_MUST_CHECK;

void cy_random(void *buf, size_t len);

#endif
