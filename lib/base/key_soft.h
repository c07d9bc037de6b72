/* coyeu — internal: software keys, the cy_key implementation whose secrets
 * sit in guarded memory (lib/base/key.c; the hybrid part's operations are
 * lib/age/pq.c's, where ML-KEM lives). */
#ifndef COYEU_LIB_KEY_SOFT_H
#define COYEU_LIB_KEY_SOFT_H

#include "coyeu/key.h"

#define CY_ED25519_SEED_LEN 32
#define CY_ED25519_SECRET_LEN 64  /* libsodium's seed || public */
#define CY_X25519_SECRET_LEN 32

struct cy_pq_secret;  /* lib/age/recipient.h */

struct cy_soft_key {
	uint8_t sign_sk[CY_ED25519_SECRET_LEN];
	uint8_t seal_sk[CY_X25519_SECRET_LEN];
	/* The hybrid part, expanded from its seed: guarded memory of its
	 * own, NULL when the key has none. */
	struct cy_pq_secret *pq;
};

/* A software key from an Ed25519 seed, an X25519 secret, or both (NULL
 * for a part the key does not have; not both NULL). */
int cy_key_software(const uint8_t *seed, const uint8_t *seal_sk,
    cy_key **out, cy_error *err) CY_MUST_CHECK;
/* The secrets of a software key, for the forms that hold them (the key
 * file text, a note signer's string, an age identity string); NULL for any
 * other implementation. */
const struct cy_soft_key *cy_key_soft(const cy_key *k);

/* The pieces lib/age builds its hybrid software keys from: the state
 * (guarded memory, pq NULL; free it with cy_soft_free), the operations,
 * and the entry of a four-entry table (indexed by the parts held: 1
 * signing, 2 sealing, 3 both) that fits seed and seal_sk. */
int cy_soft_key_new(const uint8_t *seed, const uint8_t *seal_sk,
    struct cy_soft_key **out, cy_error *err) CY_MUST_CHECK;
int cy_soft_sign(void *ctx, const uint8_t *msg, size_t len,
    uint8_t sig[CY_KEY_SIGNATURE_LEN], cy_error *err);
int cy_soft_x25519(void *ctx, const uint8_t peer[CY_KEY_SEAL_PUBLIC_LEN],
    uint8_t shared[CY_KEY_SHARED_LEN], cy_error *err);
int cy_soft_public_keys(void *ctx, uint8_t sign_pk[CY_KEY_SIGN_PUBLIC_LEN],
    uint8_t seal_pk[CY_KEY_SEAL_PUBLIC_LEN], cy_error *err);
void cy_soft_free(void *ctx);
const cy_key_ops *cy_soft_ops(const cy_key_ops table[4],
    const uint8_t *seed, const uint8_t *seal_sk);

#endif
