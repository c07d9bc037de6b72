/* Officer keys in memory: software keys (key.c) holding an Ed25519 signing
 * key, an X25519 sealing key and, optionally, a hybrid seed (age's
 * mlkem768x25519 identity; lib/age/pq.c).  Files: idkey_file.c. */
#include <string.h>

#include <sodium.h>

#include "coyeu/canon.h"
#include "coyeu/idkey.h"
#include "coyeu/secret.h"
#include "pki/idkey_text.h"
#include "base/key_soft.h"
#include "age/recipient.h"

#define SEED_LEN CY_ED25519_SEED_LEN

#define SECRETS_LEN (SEED_LEN + CY_SEAL_SECRET_LEN + CY_PQ_SEED_LEN)

/* A software key from secrets laid out as the Ed25519 seed, the X25519
 * secret, then (pq) the hybrid seed. */
static int
key_from_secrets(const uint8_t *secrets, int pq, cy_idkey **out,
    cy_error *err)
{
	return pq ? cy_key_software_pq(secrets, secrets + SEED_LEN,
	    secrets + SEED_LEN + CY_SEAL_SECRET_LEN, out, err) :
	    cy_key_software(secrets, secrets + SEED_LEN, out, err);
}

static int
generate(int pq, cy_idkey **out, cy_error *err)
{
	uint8_t *secrets;
	int r;

	*out = NULL;
	if ((secrets = cy_secret_alloc(SECRETS_LEN)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	randombytes_buf(secrets, SECRETS_LEN);
	r = key_from_secrets(secrets, pq, out, err);
	cy_secret_free(secrets);
	return r;
}

int
cy_idkey_generate(cy_idkey **out, cy_error *err)
{
	return generate(0, out, err);
}

int
cy_idkey_generate_pq(cy_idkey **out, cy_error *err)
{
	return generate(1, out, err);
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

const uint8_t *
cy_idkey_pq_public(const cy_idkey *k)
{
	return cy_key_pq_public(k);
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

int
cy_idkey_export_age_identity_pq(const cy_idkey *k,
    char out[CY_IDENTITY_STR_MAX], cy_error *err)
{
	const struct cy_soft_key *s;
	int r;

	if ((r = soft_secrets(k, &s, err)) != 0)
		return r;
	if (s->pq == NULL)
		return cy_error_set(err, CY_E_USAGE,
		    "this key has no post-quantum (hybrid) part: add one with "
		    "coyeu id add-pq");
	return cy_pq_identity_string(s->pq->seed, out, err);
}

int
cy_idkey_with_pq(const cy_idkey *k, cy_idkey **out, cy_error *err)
{
	const struct cy_soft_key *s;
	uint8_t *secrets;
	int r;

	*out = NULL;
	if ((r = soft_secrets(k, &s, err)) != 0)
		return r;
	if (s->pq != NULL)
		return cy_error_set(err, CY_E_USAGE,
		    "the key already has a post-quantum (hybrid) part");
	if ((secrets = cy_secret_alloc(SECRETS_LEN)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	memcpy(secrets, s->sign_sk, SEED_LEN);
	memcpy(secrets + SEED_LEN, s->seal_sk, CY_SEAL_SECRET_LEN);
	randombytes_buf(secrets + SEED_LEN + CY_SEAL_SECRET_LEN, CY_PQ_SEED_LEN);
	r = key_from_secrets(secrets, 1, out, err);
	cy_secret_free(secrets);
	return r;
}

/* --- the key file's plaintext --- */

enum { F_VERSION, F_SIGN, F_SEAL, F_SEAL_PQ, NFIELDS };

static const cy_canon_field key_fields[NFIELDS] = {
	{"version", 0},
	{"sign", 0},
	{"seal", 0},
	{"seal-pq", CY_CANON_OPTIONAL},  /* the hybrid seed */
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
	if (r == 0 && s->pq != NULL)
		r = cy_canon_put_b64(out, "seal-pq", s->pq->seed, CY_PQ_SEED_LEN,
		    err);
	return r;
}

int
cy_idkey_text_parse(const uint8_t *in, size_t len, cy_idkey **out,
    cy_error *err)
{
	cy_canon_record *rec = NULL;
	const cy_canon_value *pq;
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
	if ((secrets = cy_secret_alloc(SECRETS_LEN)) == NULL) {
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	if ((r = cy_canon_get_b64(cy_canon_get(rec, F_SIGN), secrets, SEED_LEN,
	    "sign", err)) != 0 ||
	    (r = cy_canon_get_b64(cy_canon_get(rec, F_SEAL), secrets + SEED_LEN,
	    CY_SEAL_SECRET_LEN, "seal", err)) != 0)
		goto out;
	pq = cy_canon_get(rec, F_SEAL_PQ);
	if (pq != NULL && (r = cy_canon_get_b64(pq,
	    secrets + SEED_LEN + CY_SEAL_SECRET_LEN, CY_PQ_SEED_LEN, "seal-pq",
	    err)) != 0)
		goto out;
	r = key_from_secrets(secrets, pq != NULL, out, err);
out:
	cy_secret_free(secrets);
	cy_canon_record_free(rec);
	return r;
}
