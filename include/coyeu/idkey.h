/* coyeu — an officer's secret keys: an Ed25519 signing key and a separate
 * X25519 sealing key, kept in one file that is itself an age file sealed with
 * a passphrase (scrypt), or unprotected for services.  Created 0600. */
#ifndef COYEU_IDKEY_H
#define COYEU_IDKEY_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/error.h"

#define CY_SIGN_PUBLIC_LEN 32  /* Ed25519 public key */
#define CY_SIGN_SECRET_LEN 64  /* libsodium's seed||public form */
#define CY_SIGNATURE_LEN 64
#define CY_SEAL_PUBLIC_LEN 32  /* X25519 */
#define CY_SEAL_SECRET_LEN 32
#define CY_IDKEY_FILE_MAX (64 * 1024)

typedef struct cy_idkey cy_idkey; /* keys live in guarded memory */

/* Supplies a passphrase when a key file is protected. */
typedef int cy_passphrase_fn(void *ctx, char *buf, size_t cap, cy_error *err);

CY_API int cy_idkey_generate(cy_idkey **out, cy_error *err) CY_MUST_CHECK;
/* pass NULL writes an unprotected file (services). Exclusive create, 0600. */
CY_API int cy_idkey_save(const cy_idkey *k, const char *path, const char *pass,
    int log_n, cy_error *err) CY_MUST_CHECK;
/* Refuses a file readable by others; asks getpass only if protected. */
CY_API int cy_idkey_load(const char *path, cy_passphrase_fn *getpass, void *ctx,
    cy_idkey **out, cy_error *err) CY_MUST_CHECK;
CY_API void cy_idkey_free(cy_idkey *k);

CY_API const uint8_t *cy_idkey_sign_public(const cy_idkey *k);  /* 32 bytes */
CY_API const uint8_t *cy_idkey_seal_public(const cy_idkey *k);  /* 32 bytes */
CY_API const uint8_t *cy_idkey_seal_secret(const cy_idkey *k);  /* 32 bytes,
    guarded */
CY_API int cy_idkey_sign(const cy_idkey *k, const uint8_t *msg, size_t len,
    uint8_t sig[CY_SIGNATURE_LEN]) CY_MUST_CHECK;
/* Checks an Ed25519 signature by the holder of pub: 0 or CY_E_SIGNATURE. */
CY_API int cy_idkey_verify(const uint8_t pub[CY_SIGN_PUBLIC_LEN],
    const uint8_t *msg,
    size_t len, const uint8_t sig[CY_SIGNATURE_LEN]) CY_MUST_CHECK;

#endif
