/* Officer keys in memory: an Ed25519 signing key and an X25519 sealing key,
 * both in guarded memory.  Files: idkey_file.c. */
#include <string.h>

#include <sodium.h>

#include "coyeu/canon.h"
#include "coyeu/idkey.h"
#include "coyeu/secret.h"
#include "pki/idkey_text.h"

#define SEED_LEN 32

struct cy_idkey {
	uint8_t sign_pk[CY_SIGN_PUBLIC_LEN];
	uint8_t seal_pk[CY_SEAL_PUBLIC_LEN];
	uint8_t sign_sk[CY_SIGN_SECRET_LEN];
	uint8_t seal_sk[CY_SEAL_SECRET_LEN];
};

/* Builds a key from the Ed25519 seed and the X25519 secret. */
static int
idkey_from_secrets(const uint8_t seed[SEED_LEN],
    const uint8_t seal_sk[CY_SEAL_SECRET_LEN], cy_idkey **out, cy_error *err)
{
	cy_idkey *k;

	*out = NULL;
	if ((k = cy_secret_alloc(sizeof(*k))) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	memcpy(k->seal_sk, seal_sk, CY_SEAL_SECRET_LEN);
	if (crypto_sign_seed_keypair(k->sign_pk, k->sign_sk, seed) != 0 ||
	    crypto_scalarmult_base(k->seal_pk, k->seal_sk) != 0) {
		cy_idkey_free(k);
		return cy_error_set(err, CY_E_CRYPTO, "cannot derive public keys");
	}
	*out = k;
	return 0;
}

int
cy_idkey_generate(cy_idkey **out, cy_error *err)
{
	uint8_t *secrets;
	int r;

	if ((secrets = cy_secret_alloc(SEED_LEN + CY_SEAL_SECRET_LEN)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	randombytes_buf(secrets, SEED_LEN + CY_SEAL_SECRET_LEN);
	r = idkey_from_secrets(secrets, secrets + SEED_LEN, out, err);
	cy_secret_free(secrets);
	return r;
}

void
cy_idkey_free(cy_idkey *k)
{
	cy_secret_free(k);
}

const uint8_t *
cy_idkey_sign_public(const cy_idkey *k)
{
	return k->sign_pk;
}

const uint8_t *
cy_idkey_seal_public(const cy_idkey *k)
{
	return k->seal_pk;
}

const uint8_t *
cy_idkey_seal_secret(const cy_idkey *k)
{
	return k->seal_sk;
}

int
cy_idkey_sign(const cy_idkey *k, const uint8_t *msg, size_t len,
    uint8_t sig[CY_SIGNATURE_LEN])
{
	if (crypto_sign_detached(sig, NULL, msg, len, k->sign_sk) != 0)
		return CY_E_CRYPTO;
	return 0;
}

int
cy_idkey_verify(const uint8_t pub[CY_SIGN_PUBLIC_LEN], const uint8_t *msg,
    size_t len, const uint8_t sig[CY_SIGNATURE_LEN])
{
	if (crypto_sign_verify_detached(sig, msg, len, pub) != 0)
		return CY_E_SIGNATURE;
	return 0;
}

/* --- the key file's plaintext --- */

enum { F_VERSION, F_SIGN, F_SEAL, NFIELDS };

static const cy_canon_field key_fields[NFIELDS] = {
	{"version", 0},
	{"sign", 0},
	{"seal", 0},
};

int
cy_idkey_text_encode(const cy_idkey *k, cy_buf *out, cy_error *err)
{
	uint8_t seed[SEED_LEN];
	int r;

	crypto_sign_ed25519_sk_to_seed(seed, k->sign_sk);
	if ((r = cy_canon_put(out, "version", CY_IDKEY_VERSION, err)) == 0 &&
	    (r = cy_canon_put_b64(out, "sign", seed, SEED_LEN, err)) == 0)
		r = cy_canon_put_b64(out, "seal", k->seal_sk,
		    CY_SEAL_SECRET_LEN, err);
	cy_wipe(seed, sizeof(seed));
	return r;
}

int
cy_idkey_text_parse(const uint8_t *in, size_t len, cy_idkey **out,
    cy_error *err)
{
	cy_canon_record *rec = NULL;
	uint8_t *secrets = NULL;
	int r;

	*out = NULL;
	if ((r = cy_canon_parse(in, len, key_fields, NFIELDS, 0, &rec, NULL,
	    err)) != 0)
		goto out;
	if (!cy_canon_value_is(cy_canon_get(rec, F_VERSION), CY_IDKEY_VERSION)) {
		r = cy_error_set(err, CY_E_FORMAT,
		    "not a coyeu key (expected version: %s)", CY_IDKEY_VERSION);
		goto out;
	}
	if ((secrets = cy_secret_alloc(SEED_LEN + CY_SEAL_SECRET_LEN)) == NULL) {
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	if ((r = cy_canon_get_b64(cy_canon_get(rec, F_SIGN), secrets, SEED_LEN,
	    "sign", err)) != 0 ||
	    (r = cy_canon_get_b64(cy_canon_get(rec, F_SEAL), secrets + SEED_LEN,
	    CY_SEAL_SECRET_LEN, "seal", err)) != 0)
		goto out;
	r = idkey_from_secrets(secrets, secrets + SEED_LEN, out, err);
out:
	cy_secret_free(secrets);
	cy_canon_record_free(rec);
	return r;
}
