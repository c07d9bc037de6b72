/* coyeu — an officer's keys: an Ed25519 signing key, a separate X25519
 * sealing key and, since issue 12, optionally a post-quantum hybrid
 * sealing key (age's mlkem768x25519: a 32-byte seed, public key age1pq1…),
 * kept in one file that is itself an age file sealed with a
 * passphrase (scrypt), or unprotected for services.  Created 0600.
 *
 * An officer key is a key handle (key.h): a cy_idkey is a cy_key, so it
 * signs (cy_key_sign) and agrees X25519 secrets (cy_key_x25519, through
 * cy_identity_from_key) but never hands out a secret.  The functions that
 * take a cy_idkey take any cy_key, a hardware token's as well. */
#ifndef COYEU_IDKEY_H
#define COYEU_IDKEY_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/age.h"
#include "coyeu/error.h"
#include "coyeu/key.h"

#define CY_SIGN_PUBLIC_LEN 32  /* Ed25519 public key */
#define CY_SIGN_SECRET_LEN 64  /* libsodium's seed||public form */
#define CY_SIGNATURE_LEN 64
#define CY_SEAL_PUBLIC_LEN 32  /* X25519 */
#define CY_SEAL_SECRET_LEN 32
#define CY_IDKEY_FILE_MAX (64 * 1024)

/* Keys made here are software keys: secrets in guarded memory, wiped when
 * freed. */
typedef struct cy_key cy_idkey;

/* Supplies a passphrase when a key file is protected. */
typedef int cy_passphrase_fn(void *ctx, char *buf, size_t cap, cy_error *err);

/* Signing and X25519 sealing keys only (a classical key). */
CY_API int cy_idkey_generate(cy_idkey **out, cy_error *err) CY_MUST_CHECK;
/* All three parts: signing, X25519 sealing and the hybrid seed. */
CY_API int cy_idkey_generate_pq(cy_idkey **out, cy_error *err) CY_MUST_CHECK;
/* A new key holding k's signing and sealing secrets and a fresh hybrid
 * seed (coyeu id add-pq); CY_E_USAGE when k already has a hybrid part or
 * is not a software key. */
CY_API int cy_idkey_with_pq(const cy_idkey *k, cy_idkey **out,
    cy_error *err) CY_MUST_CHECK;
/* pass NULL writes an unprotected file (services). Exclusive create, 0600.
 * Only a software key has a file (CY_E_USAGE for a token's). */
CY_API int cy_idkey_save(const cy_idkey *k, const char *path, const char *pass,
    int log_n, cy_error *err) CY_MUST_CHECK;
/* Refuses a file readable by others; asks getpass only if protected. */
CY_API int cy_idkey_load(const char *path, cy_passphrase_fn *getpass, void *ctx,
    cy_idkey **out, cy_error *err) CY_MUST_CHECK;
/* Gives the key in path a hybrid part (cy_idkey_with_pq) and rewrites the
 * file atomically (a new file renamed over it, 0600) under the same
 * passphrase (log_n: its scrypt work factor), or unprotected as it was.
 * CY_E_USAGE when the key already has one. */
CY_API int cy_idkey_file_add_pq(const char *path, cy_passphrase_fn *getpass,
    void *ctx, int log_n, cy_error *err) CY_MUST_CHECK;
/* cy_key_free, cy_key_sign_public, cy_key_seal_public under the names
 * the officer-key callers know. */
CY_API void cy_idkey_free(cy_idkey *k);
CY_API const uint8_t *cy_idkey_sign_public(const cy_idkey *k);  /* 32 bytes */
CY_API const uint8_t *cy_idkey_seal_public(const cy_idkey *k);  /* 32 bytes */
/* CY_KEY_PQ_PUBLIC_LEN bytes (ML-KEM-768 ek || X25519), NULL when none. */
CY_API const uint8_t *cy_idkey_pq_public(const cy_idkey *k);

/* The one way an officer's secret leaves its key: the sealing key as an
 * age identity string "AGE-SECRET-KEY-1…", written to out, which the caller
 * holds in guarded memory (cy_secret_alloc) and wipes.  It exists for
 * `coyeu id age-identity`, which hands the key to stock age deliberately;
 * nothing else in the library exports a key's secret.  CY_E_USAGE for a key
 * whose secret cannot leave it (a token's). */
CY_API int cy_idkey_export_age_identity(const cy_idkey *k,
    char out[CY_IDENTITY_STR_MAX], cy_error *err) CY_MUST_CHECK;
/* The same for the hybrid part: "AGE-SECRET-KEY-PQ-1…" (age ≥ 1.3,
 * typage).  CY_E_USAGE when the key has no hybrid part. */
CY_API int cy_idkey_export_age_identity_pq(const cy_idkey *k,
    char out[CY_IDENTITY_STR_MAX], cy_error *err) CY_MUST_CHECK;
/* Checks an Ed25519 signature by the holder of pub: 0 or CY_E_SIGNATURE. */
CY_API int cy_idkey_verify(const uint8_t pub[CY_SIGN_PUBLIC_LEN],
    const uint8_t *msg,
    size_t len, const uint8_t sig[CY_SIGNATURE_LEN]) CY_MUST_CHECK;

#endif
