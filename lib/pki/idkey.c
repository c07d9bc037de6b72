/* Officer keys in memory: software keys (key.c) holding an Ed25519 signing
 * key and an X25519 sealing key.  Files: idkey_file.c. */
#include <string.h>

#include <sodium.h>

#include "coyeu/canon.h"
#include "coyeu/idkey.h"
#include "coyeu/secret.h"
#include "pki/idkey_text.h"
#include "base/key_soft.h"
#include "age/recipient.h"

#define SEED_LEN CY_ED25519_SEED_LEN

int
cy_idkey_generate(cy_idkey **out, cy_error *err)
{
	uint8_t *secrets;
	int r;

	if ((secrets = cy_secret_alloc(SEED_LEN + CY_SEAL_SECRET_LEN)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	randombytes_buf(secrets, SEED_LEN + CY_SEAL_SECRET_LEN);
	r = cy_key_software(secrets, secrets + SEED_LEN, out, err);
	cy_secret_free(secrets);
	return r;
}

void
cy_idkey_free(cy_idkey *k)
{
	cy_key_free(k);
}

const uint8_t *
cy_idkey_sign_public(const cy_idkey *k)
{
	return cy_key_sign_public(k);
}

const uint8_t *
cy_idkey_seal_public(const cy_idkey *k)
{
	return cy_key_seal_public(k);
}

int
cy_idkey_verify(const uint8_t pub[CY_SIGN_PUBLIC_LEN], const uint8_t *msg,
    size_t len, const uint8_t sig[CY_SIGNATURE_LEN])
{
	if (crypto_sign_verify_detached(sig, msg, len, pub) != 0)
		return CY_E_SIGNATURE;
	return 0;
}

/* The secrets of an officer key that has them in software, both parts. */
static int
soft_secrets(const cy_idkey *k, const struct cy_soft_key **out,
    cy_error *err)
{
	if ((*out = cy_key_soft(k)) == NULL || cy_key_sign_public(k) == NULL ||
	    cy_key_seal_public(k) == NULL)
		return cy_error_set(err, CY_E_USAGE,
		    "the secrets of this %s key cannot leave it", cy_key_kind(k));
	return 0;
}

int
cy_idkey_export_age_identity(const cy_idkey *k, char out[CY_IDENTITY_STR_MAX],
    cy_error *err)
{
	const struct cy_soft_key *s;
	int r;

	if ((r = soft_secrets(k, &s, err)) != 0)
		return r;
	return cy_x25519_identity_string(s->seal_sk, out, err);
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
	const struct cy_soft_key *s;
	int r;

	/* The seed is the first half of libsodium's secret key. */
	if ((r = soft_secrets(k, &s, err)) == 0 &&
	    (r = cy_canon_put(out, "version", CY_IDKEY_VERSION, err)) == 0 &&
	    (r = cy_canon_put_b64(out, "sign", s->sign_sk, SEED_LEN, err)) == 0)
		r = cy_canon_put_b64(out, "seal", s->seal_sk,
		    CY_SEAL_SECRET_LEN, err);
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
	r = cy_key_software(secrets, secrets + SEED_LEN, out, err);
out:
	cy_secret_free(secrets);
	cy_canon_record_free(rec);
	return r;
}
