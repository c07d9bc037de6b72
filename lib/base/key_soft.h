/* coyeu — internal: software keys, the cy_key implementation whose secrets
 * sit in guarded memory (lib/key.c). */
#ifndef COYEU_LIB_KEY_SOFT_H
#define COYEU_LIB_KEY_SOFT_H

#include "coyeu/key.h"

#define CY_ED25519_SEED_LEN 32
#define CY_ED25519_SECRET_LEN 64  /* libsodium's seed || public */
#define CY_X25519_SECRET_LEN 32

struct cy_soft_key {
	uint8_t sign_sk[CY_ED25519_SECRET_LEN];
	uint8_t seal_sk[CY_X25519_SECRET_LEN];
};

/* A software key from an Ed25519 seed, an X25519 secret, or both (NULL
 * for a part the key does not have; not both NULL). */
int cy_key_software(const uint8_t *seed, const uint8_t *seal_sk,
    cy_key **out, cy_error *err) CY_MUST_CHECK;
/* The secrets of a software key, for the forms that hold them (the key
 * file text, a note signer's string, an age identity string); NULL for any
 * other implementation. */
const struct cy_soft_key *cy_key_soft(const cy_key *k);

#endif
