/* coyeu — keys as handles.  A cy_key does what a key does (signs with
 * Ed25519, agrees an X25519 secret with a peer's public key, tells its
 * public keys, decapsulates to its post-quantum hybrid key when it has
 * one) and never hands out its secrets.  What holds the secrets sits
 * behind a table of operations: coyeu's software keys (idkey.h: secrets in
 * guarded memory, wiped when the key is freed), or a hardware token
 * (PKCS#11) that implements the same operations.  Everything that signs
 * (certificates, requests, revocation lists, labels, register entries,
 * signed notes and checkpoints) and every identity made from an officer key
 * (age.h, cy_identity_from_key) goes through these operations.
 * docs/idkey.md. */
#ifndef COYEU_KEY_H
#define COYEU_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/error.h"

/* Version 2 added the hybrid operations (pq_public, pq_decaps); tables of
 * version 1 stay accepted: their hybrid fields are never read. */
#define CY_KEY_OPS_VERSION 2
#define CY_KEY_SIGN_PUBLIC_LEN 32  /* Ed25519 */
#define CY_KEY_SEAL_PUBLIC_LEN 32  /* X25519 */
#define CY_KEY_SIGNATURE_LEN 64
#define CY_KEY_SHARED_LEN 32
/* age's mlkem768x25519 hybrid (X-Wing): the public key is the ML-KEM-768
 * encapsulation key followed by the X25519 public key, an encapsulation
 * the ML-KEM-768 ciphertext followed by the X25519 share. */
#define CY_KEY_PQ_PUBLIC_LEN 1216
#define CY_KEY_PQ_ENC_LEN 1120

typedef struct cy_key cy_key;

/* What a key implementation provides.  ctx is its own state; an operation
 * the key cannot do is NULL (a note signer's key has no X25519 part). */
typedef struct cy_key_ops {
	int version;        /* CY_KEY_OPS_VERSION */
	const char *kind;   /* "software", "pkcs11", … for messages */
	/* An Ed25519 signature over msg. */
	int (*sign)(void *ctx, const uint8_t *msg, size_t len,
	    uint8_t sig[CY_KEY_SIGNATURE_LEN], cy_error *err);
	/* X25519(secret, peer): the shared secret, which the caller wipes.
	 * CY_E_CRYPTO means a low-order peer (an all-zero result); report a
	 * device's failure otherwise (CY_E_IO). */
	int (*x25519)(void *ctx, const uint8_t peer[CY_KEY_SEAL_PUBLIC_LEN],
	    uint8_t shared[CY_KEY_SHARED_LEN], cy_error *err);
	/* The public keys (a missing part's buffer is left as zeros). */
	int (*public_keys)(void *ctx, uint8_t sign_pk[CY_KEY_SIGN_PUBLIC_LEN],
	    uint8_t seal_pk[CY_KEY_SEAL_PUBLIC_LEN], cy_error *err);
	void (*free)(void *ctx);  /* wipes and releases ctx; may be NULL */
	/* Version 2: the hybrid part, both NULL when the key has none. */
	int (*pq_public)(void *ctx, uint8_t pk[CY_KEY_PQ_PUBLIC_LEN],
	    cy_error *err);
	/* The hybrid KEM's shared secret ss (32 bytes, the X-Wing combiner's
	 * output) for enc, which the caller wipes.  ML-KEM's implicit
	 * rejection gives a foreign enc a pseudorandom ss; CY_E_CRYPTO for a
	 * low-order X25519 share. */
	int (*pq_decaps)(void *ctx, const uint8_t enc[CY_KEY_PQ_ENC_LEN],
	    uint8_t ss[CY_KEY_SHARED_LEN], cy_error *err);
} cy_key_ops;

/* A key over ops and ctx; asks its public keys once.  On success the key
 * owns ctx (ops->free at cy_key_free); on failure ctx stays the caller's.
 * ops must outlive the key. */
CY_API int cy_key_new(const cy_key_ops *ops, void *ctx, cy_key **out,
    cy_error *err) CY_MUST_CHECK;
CY_API void cy_key_free(cy_key *k);

CY_API int cy_key_sign(const cy_key *k, const uint8_t *msg, size_t len,
    uint8_t sig[CY_KEY_SIGNATURE_LEN], cy_error *err) CY_MUST_CHECK;
CY_API int cy_key_x25519(const cy_key *k,
    const uint8_t peer[CY_KEY_SEAL_PUBLIC_LEN],
    uint8_t shared[CY_KEY_SHARED_LEN], cy_error *err) CY_MUST_CHECK;
/* 32 bytes, or NULL when the key has no such part. */
CY_API const uint8_t *cy_key_sign_public(const cy_key *k);
CY_API const uint8_t *cy_key_seal_public(const cy_key *k);
/* The hybrid public key (CY_KEY_PQ_PUBLIC_LEN bytes), or NULL when the key
 * has no hybrid part. */
CY_API const uint8_t *cy_key_pq_public(const cy_key *k);
/* The hybrid KEM's shared secret for enc (pq_decaps above); CY_E_USAGE
 * when the key has no hybrid part. */
CY_API int cy_key_pq_decaps(const cy_key *k,
    const uint8_t enc[CY_KEY_PQ_ENC_LEN], uint8_t ss[CY_KEY_SHARED_LEN],
    cy_error *err) CY_MUST_CHECK;
CY_API const char *cy_key_kind(const cy_key *k);

#endif
