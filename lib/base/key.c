/* Keys as handles (coyeu/key.h): the generic handle over a table of
 * operations, and the software implementation (secrets in guarded memory,
 * wiped when freed). */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "coyeu/secret.h"
#include "base/key_soft.h"

struct cy_key {
	const cy_key_ops *ops;
	void *ctx;
	uint8_t sign_pk[CY_KEY_SIGN_PUBLIC_LEN];
	uint8_t seal_pk[CY_KEY_SEAL_PUBLIC_LEN];
	uint8_t *pq_pk;  /* CY_KEY_PQ_PUBLIC_LEN, NULL when no hybrid part */
};

/* 1 when the table has the hybrid operations: read only from version 2
 * (a version-1 table, built against the old header, is shorter). */
static int
ops_have_pq(const cy_key_ops *ops)
{
	return ops->version >= 2 && ops->pq_public != NULL;
}

int
cy_key_new(const cy_key_ops *ops, void *ctx, cy_key **out, cy_error *err)
{
	cy_key *k;
	int r;

	*out = NULL;
	if (ops == NULL || ops->version < 1 ||
	    ops->version > CY_KEY_OPS_VERSION ||
	    ops->kind == NULL || ops->public_keys == NULL ||
	    (ops->sign == NULL && ops->x25519 == NULL) ||
	    (ops->version >= 2 &&
	    (ops->pq_public == NULL) != (ops->pq_decaps == NULL)))
		return cy_error_set(err, CY_E_USAGE,
		    "key operations of version 1 to %d with a kind, public_keys, "
		    "sign or x25519, and pq_public and pq_decaps both or neither "
		    "are needed", CY_KEY_OPS_VERSION);
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	if ((r = ops->public_keys(ctx, k->sign_pk, k->seal_pk, err)) != 0) {
		cy_error_wrap(err, "the %s key's public keys", ops->kind);
		goto out;
	}
	if (ops_have_pq(ops)) {
		if ((k->pq_pk = malloc(CY_KEY_PQ_PUBLIC_LEN)) == NULL) {
			r = cy_error_set(err, CY_E_NOMEM, "out of memory");
			goto out;
		}
		if ((r = ops->pq_public(ctx, k->pq_pk, err)) != 0) {
			cy_error_wrap(err, "the %s key's post-quantum public key",
			    ops->kind);
			goto out;
		}
	}
	k->ops = ops;
	k->ctx = ctx;
	*out = k;
	k = NULL;
out:
	if (k != NULL)
		free(k->pq_pk);
	free(k);
	return r;
}

void
cy_key_free(cy_key *k)
{
	if (k == NULL)
		return;
	if (k->ops->free != NULL)
		k->ops->free(k->ctx);
	free(k->pq_pk);
	free(k);
}

static int
cannot(const cy_key *k, const char *what, cy_error *err)
{
	return cy_error_set(err, CY_E_USAGE, "this %s key cannot %s",
	    k->ops->kind, what);
}

int
cy_key_sign(const cy_key *k, const uint8_t *msg, size_t len,
    uint8_t sig[CY_KEY_SIGNATURE_LEN], cy_error *err)
{
	if (k->ops->sign == NULL)
		return cannot(k, "sign", err);
	return k->ops->sign(k->ctx, msg, len, sig, err);
}

int
cy_key_x25519(const cy_key *k, const uint8_t peer[CY_KEY_SEAL_PUBLIC_LEN],
    uint8_t shared[CY_KEY_SHARED_LEN], cy_error *err)
{
	int r;

	if (k->ops->x25519 == NULL)
		return cannot(k, "agree an X25519 secret", err);
	if ((r = k->ops->x25519(k->ctx, peer, shared, err)) != 0)
		return r;
	/* Whatever the implementation: a low-order peer gives zeros. */
	if (sodium_is_zero(shared, CY_KEY_SHARED_LEN))
		return cy_error_set(err, CY_E_CRYPTO,
		    "X25519 with a low-order public key");
	return 0;
}

const uint8_t *
cy_key_sign_public(const cy_key *k)
{
	return k->ops->sign != NULL ? k->sign_pk : NULL;
}

const uint8_t *
cy_key_seal_public(const cy_key *k)
{
	return k->ops->x25519 != NULL ? k->seal_pk : NULL;
}

const uint8_t *
cy_key_pq_public(const cy_key *k)
{
	return k->pq_pk;
}

int
cy_key_pq_decaps(const cy_key *k, const uint8_t enc[CY_KEY_PQ_ENC_LEN],
    uint8_t ss[CY_KEY_SHARED_LEN], cy_error *err)
{
	if (k->pq_pk == NULL)
		return cy_error_set(err, CY_E_USAGE,
		    "this %s key has no post-quantum (hybrid) part",
		    k->ops->kind);
	return k->ops->pq_decaps(k->ctx, enc, ss, err);
}

const char *
cy_key_kind(const cy_key *k)
{
	return k->ops->kind;
}

/* --- software keys --- */

int
cy_soft_sign(void *ctx, const uint8_t *msg, size_t len,
    uint8_t sig[CY_KEY_SIGNATURE_LEN], cy_error *err)
{
	const struct cy_soft_key *s = ctx;

	if (crypto_sign_detached(sig, NULL, msg, len, s->sign_sk) != 0)
		return cy_error_set(err, CY_E_CRYPTO, "Ed25519 signing failed");
	return 0;
}

int
cy_soft_x25519(void *ctx, const uint8_t peer[CY_KEY_SEAL_PUBLIC_LEN],
    uint8_t shared[CY_KEY_SHARED_LEN], cy_error *err)
{
	const struct cy_soft_key *s = ctx;

	if (crypto_scalarmult(shared, s->seal_sk, peer) != 0)
		return cy_error_set(err, CY_E_CRYPTO,
		    "X25519 with a low-order public key");
	return 0;
}

int
cy_soft_public_keys(void *ctx, uint8_t sign_pk[CY_KEY_SIGN_PUBLIC_LEN],
    uint8_t seal_pk[CY_KEY_SEAL_PUBLIC_LEN], cy_error *err)
{
	const struct cy_soft_key *s = ctx;

	/* libsodium's secret key ends with the public key. */
	memcpy(sign_pk, s->sign_sk + CY_ED25519_SEED_LEN, CY_KEY_SIGN_PUBLIC_LEN);
	if (crypto_scalarmult_base(seal_pk, s->seal_sk) != 0)
		return cy_error_set(err, CY_E_CRYPTO, "invalid X25519 secret key");
	return 0;
}

void
cy_soft_free(void *ctx)
{
	struct cy_soft_key *s = ctx;

	if (s == NULL)
		return;
	cy_secret_free(s->pq);
	cy_secret_free(s);
}

/* Indexed by the parts held: 1 signing, 2 sealing, 3 both.  The tables
 * with a hybrid part are lib/age's (pq.c), where ML-KEM lives. */
static const cy_key_ops soft_ops[4] = {
	{0, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
	{CY_KEY_OPS_VERSION, "software", cy_soft_sign, NULL,
	    cy_soft_public_keys, cy_soft_free, NULL, NULL},
	{CY_KEY_OPS_VERSION, "software", NULL, cy_soft_x25519,
	    cy_soft_public_keys, cy_soft_free, NULL, NULL},
	{CY_KEY_OPS_VERSION, "software", cy_soft_sign, cy_soft_x25519,
	    cy_soft_public_keys, cy_soft_free, NULL, NULL},
};

const cy_key_ops *
cy_soft_ops(const cy_key_ops table[4], const uint8_t *seed,
    const uint8_t *seal_sk)
{
	return &table[(seed != NULL) | (seal_sk != NULL) << 1];
}

int
cy_soft_key_new(const uint8_t *seed, const uint8_t *seal_sk,
    struct cy_soft_key **out, cy_error *err)
{
	uint8_t pk[CY_KEY_SIGN_PUBLIC_LEN];
	struct cy_soft_key *s;

	*out = NULL;
	if ((s = cy_secret_alloc(sizeof(*s))) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	memset(s, 0, sizeof(*s));
	if (seal_sk != NULL)
		memcpy(s->seal_sk, seal_sk, CY_X25519_SECRET_LEN);
	if (seed != NULL && crypto_sign_seed_keypair(pk, s->sign_sk, seed) != 0) {
		cy_secret_free(s);
		return cy_error_set(err, CY_E_CRYPTO, "cannot derive public keys");
	}
	*out = s;
	return 0;
}

int
cy_key_software(const uint8_t *seed, const uint8_t *seal_sk, cy_key **out,
    cy_error *err)
{
	struct cy_soft_key *s;
	int r;

	*out = NULL;
	if ((r = cy_soft_key_new(seed, seal_sk, &s, err)) != 0)
		return r;
	if ((r = cy_key_new(cy_soft_ops(soft_ops, seed, seal_sk), s, out,
	    err)) != 0)
		cy_soft_free(s);
	return r;
}

const struct cy_soft_key *
cy_key_soft(const cy_key *k)
{
	return k->ops->free == cy_soft_free ? k->ctx : NULL;
}
