/* The age mlkem768x25519 recipient (C2SP age spec): the file key sealed with
 * HPKE base mode (RFC 9180) using the MLKEM768-X25519 hybrid KEM (X-Wing, as
 * filippo.io/hpke-pq and draft-ietf-hpke-pq-03 define it), HKDF-SHA256 and
 * ChaCha20-Poly1305, info "age-encryption.org/mlkem768x25519", empty aad.
 *
 *   identity = seed (32 bytes)
 *   expandKey: SHAKE256(seed, 96) = d || z || x25519 secret
 *   recipient = ML-KEM-768 ek (from d, z) || X25519(x25519 secret, 9)
 *   enc = ML-KEM ct || X25519 share          (1088 + 32 bytes)
 *   ss = SHA3-256(ss_PQ || ss_T || share || ek_T || "\.//^\")
 *
 * Every secret of an operation (seed expansion, shared secrets, HPKE key
 * schedule) lives in one guarded allocation, wiped when it is freed. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "coyeu/encoding.h"
#include "coyeu/secret.h"
#include "base/crypto.h"
#include "base/key_soft.h"
#include "age/mlkem.h"
#include "age/recipient.h"

#define PQ_INFO "age-encryption.org/mlkem768x25519"
#define HPKE_VERSION "HPKE-v1"
#define HASH_LEN 32
#define EXPANDED_LEN (CY_MLKEM_SEED_LEN + CY_X25519_KEY_LEN)
#define ENC_B64_LEN CY_B64_UNPADDED_LEN(CY_PQ_ENC_LEN)
#define SCHEDULE_CTX_LEN (1 + 2 * HASH_LEN)
#define LABELED_MAX 128

/* suite_id = "HPKE" || kem_id 0x647a || kdf_id 0x0001 || aead_id 0x0003 */
static const uint8_t hpke_suite[10] = {
	'H', 'P', 'K', 'E', 0x64, 0x7a, 0x00, 0x01, 0x00, 0x03,
};
/* The MLKEM768-X25519 combiner label "\.//^\". */
static const uint8_t xwing_label[6] = {0x5c, 0x2e, 0x2f, 0x2f, 0x5e, 0x5c};
static const uint8_t zero_salt[HASH_LEN];

struct pq_op {
	uint8_t expanded[EXPANDED_LEN];
	uint8_t m[CY_MLKEM_MSG_LEN];
	uint8_t eph[CY_X25519_KEY_LEN];
	uint8_t ss_pq[CY_MLKEM_SS_LEN];
	uint8_t ss_t[CY_X25519_KEY_LEN];
	uint8_t ss[HASH_LEN];
	uint8_t secret[HASH_LEN];
	uint8_t block[HASH_LEN];
	uint8_t key[CY_AEAD_KEY_LEN];
	uint8_t nonce[CY_AEAD_NONCE_LEN];
};

static int
nomem(cy_error *err)
{
	return cy_error_set(err, CY_E_NOMEM, "out of memory");
}

/* --- HPKE key schedule (RFC 9180 sections 4 and 5.1, base mode) --- */

/* [I2OSP(L, 2)] || "HPKE-v1" || suite_id || label || tail [|| 0x01]: the
 * LabeledExtract input, or (expand_len > 0) the LabeledExpand info followed
 * by HKDF-Expand's first block counter: every output here fits one block. */
static size_t
labeled(uint8_t out[LABELED_MAX], size_t expand_len, const char *label,
    const uint8_t *tail, size_t taillen)
{
	size_t o = 0;

	if (expand_len > 0) {
		out[o++] = (uint8_t)(expand_len >> 8);
		out[o++] = (uint8_t)expand_len;
	}
	memcpy(out + o, HPKE_VERSION, strlen(HPKE_VERSION));
	o += strlen(HPKE_VERSION);
	memcpy(out + o, hpke_suite, sizeof(hpke_suite));
	o += sizeof(hpke_suite);
	memcpy(out + o, label, strlen(label));
	o += strlen(label);
	if (taillen > 0)
		memcpy(out + o, tail, taillen);
	o += taillen;
	if (expand_len > 0)
		out[o++] = 0x01;
	return o;
}

/* LabeledExtract(salt, label, ikm) = HMAC(salt, labeled ikm); an empty salt
 * is HashLen zeros (RFC 5869). */
static int
labeled_extract(const uint8_t *salt, const char *label, const uint8_t *ikm,
    size_t ikmlen, uint8_t out[HASH_LEN])
{
	uint8_t msg[LABELED_MAX];

	return cy_hmac_sha256(salt ? salt : zero_salt, HASH_LEN, msg,
	    labeled(msg, 0, label, ikm, ikmlen), out);
}

/* LabeledExpand(prk, label, info, L) for L <= HashLen: T(1) truncated. */
static int
labeled_expand(struct pq_op *op, const uint8_t prk[HASH_LEN],
    const char *label, const uint8_t *info, size_t infolen, uint8_t *out,
    size_t len)
{
	uint8_t msg[LABELED_MAX];
	int r;

	if ((r = cy_hmac_sha256(prk, HASH_LEN, msg,
	    labeled(msg, len, label, info, infolen), op->block)) != 0)
		return r;
	memcpy(out, op->block, len);
	return 0;
}

/* KeySchedule(mode_base, ss, info, psk = "", psk_id = ""): key and
 * base_nonce (sequence number 0 is the only one used). */
static int
key_schedule(struct pq_op *op)
{
	uint8_t ctx[SCHEDULE_CTX_LEN];
	int r;

	ctx[0] = 0x00;  /* mode_base */
	if ((r = labeled_extract(NULL, "psk_id_hash", NULL, 0, ctx + 1)) != 0 ||
	    (r = labeled_extract(NULL, "info_hash",
	    (const uint8_t *)PQ_INFO, strlen(PQ_INFO), ctx + 1 + HASH_LEN)) != 0 ||
	    (r = labeled_extract(op->ss, "secret", NULL, 0, op->secret)) != 0 ||
	    (r = labeled_expand(op, op->secret, "key", ctx, sizeof(ctx),
	    op->key, sizeof(op->key))) != 0)
		return r;
	return labeled_expand(op, op->secret, "base_nonce", ctx, sizeof(ctx),
	    op->nonce, sizeof(op->nonce));
}

/* --- the hybrid KEM --- */

/* ss = SHA3-256(ss_PQ || ss_T || ct_T || ek_T || Label) */
static int
combine(struct pq_op *op, const uint8_t share[CY_X25519_KEY_LEN],
    const uint8_t ek_t[CY_X25519_KEY_LEN])
{
	cy_span parts[5] = {
		{op->ss_pq, sizeof(op->ss_pq)}, {op->ss_t, sizeof(op->ss_t)},
		{share, CY_X25519_KEY_LEN}, {ek_t, CY_X25519_KEY_LEN},
		{xwing_label, sizeof(xwing_label)},
	};

	return cy_sha3(CY_SHA3_256, parts, 5, op->ss, sizeof(op->ss));
}

/* expandKey(seed): the ML-KEM-768 keys from the first 64 bytes of
 * SHAKE256(seed, 96), the X25519 secret from the last 32. */
static int
expand_key(struct pq_op *op, struct cy_pq_secret *sk,
    uint8_t pub[CY_PQ_PUB_LEN])
{
	cy_span in = {sk->seed, CY_PQ_SEED_LEN};
	int r;

	if ((r = cy_sha3(CY_SHAKE256, &in, 1, op->expanded,
	    sizeof(op->expanded))) != 0 ||
	    (r = cy_mlkem768_keygen(op->expanded, pub, sk->dk)) != 0)
		return r;
	memcpy(sk->x25519, op->expanded + CY_MLKEM_SEED_LEN, CY_X25519_KEY_LEN);
	if (crypto_scalarmult_base(pub + CY_MLKEM768_EK_LEN, sk->x25519) != 0)
		return CY_E_CRYPTO;
	return 0;
}

int
cy_pq_identity_from_seed(const uint8_t seed[CY_PQ_SEED_LEN],
    cy_identity **out, cy_error *err)
{
	cy_identity *id = NULL;
	struct pq_op *op = NULL;
	int r;

	*out = NULL;
	if ((id = calloc(1, sizeof(*id))) == NULL ||
	    (id->pq = cy_secret_alloc(sizeof(*id->pq))) == NULL ||
	    (id->pq_pub = malloc(CY_PQ_PUB_LEN)) == NULL ||
	    (op = cy_secret_alloc(sizeof(*op))) == NULL) {
		r = nomem(err);
		goto out;
	}
	id->kind = CY_KIND_PQ;
	id->unwrap = cy_pq_unwrap;
	memcpy(id->pq->seed, seed, CY_PQ_SEED_LEN);
	if ((r = expand_key(op, id->pq, id->pq_pub)) != 0) {
		cy_error_set(err, r, "cannot derive the post-quantum keys");
		goto out;
	}
	*out = id;
	id = NULL;
out:
	cy_secret_free(op);
	cy_identity_free(id);
	return r;
}

int
cy_pq_recipient_from_pub(const uint8_t pub[CY_PQ_PUB_LEN], cy_recipient **out,
    cy_error *err)
{
	cy_recipient *rc;

	*out = NULL;
	if (cy_mlkem768_ek_check(pub) != 0)
		return cy_error_set(err, CY_E_FORMAT,
		    "invalid post-quantum recipient: its ML-KEM-768 key has a "
		    "coefficient not reduced modulo q (FIPS 203 modulus check)");
	if ((rc = calloc(1, sizeof(*rc))) == NULL ||
	    (rc->pq_pub = malloc(CY_PQ_PUB_LEN)) == NULL) {
		cy_recipient_free(rc);
		return nomem(err);
	}
	rc->kind = CY_KIND_PQ;
	rc->wrap = cy_pq_wrap;
	memcpy(rc->pq_pub, pub, CY_PQ_PUB_LEN);
	*out = rc;
	return 0;
}

/* --- the stanza: -> mlkem768x25519 base64(enc), body = HPKE ciphertext --- */

int
cy_pq_encaps(const uint8_t pub[CY_PQ_PUB_LEN], const uint8_t m[CY_MLKEM_MSG_LEN],
    const uint8_t eph[CY_X25519_KEY_LEN], uint8_t enc[CY_PQ_ENC_LEN],
    uint8_t ss[CY_KEY_SHARED_LEN], cy_error *err)
{
	const uint8_t *ek_t = pub + CY_MLKEM768_EK_LEN;
	uint8_t *share = enc + CY_MLKEM768_CT_LEN;
	struct pq_op *op;
	int r;

	if ((op = cy_secret_alloc(sizeof(*op))) == NULL)
		return nomem(err);
	if ((r = cy_mlkem768_encaps(pub, m, enc, op->ss_pq)) != 0) {
		cy_error_set(err, r, "ML-KEM-768 encapsulation failed");
		goto out;
	}
	if (crypto_scalarmult_base(share, eph) != 0 ||
	    crypto_scalarmult(op->ss_t, eph, ek_t) != 0) {
		r = cy_error_set(err, CY_E_CRYPTO,
		    "X25519 with this post-quantum recipient failed "
		    "(low-order public key)");
		goto out;
	}
	if ((r = combine(op, share, ek_t)) != 0) {
		cy_error_set(err, r, "the hybrid KEM's combiner failed");
		goto out;
	}
	memcpy(ss, op->ss, CY_KEY_SHARED_LEN);
out:
	cy_secret_free(op);
	return r;
}

int
cy_pq_wrap(const cy_recipient *rc, const uint8_t *file_key, cy_header *h,
    cy_error *err)
{
	uint8_t enc[CY_PQ_ENC_LEN], body[CY_WRAPPED_KEY_LEN];
	char enc_b64[ENC_B64_LEN + 1];
	const char *args[1] = {enc_b64};
	struct pq_op *op;
	int r;

	if ((op = cy_secret_alloc(sizeof(*op))) == NULL)
		return nomem(err);
	cy_random(op->m, sizeof(op->m));
	cy_random(op->eph, sizeof(op->eph));
	if ((r = cy_pq_encaps(rc->pq_pub, op->m, op->eph, enc, op->ss,
	    err)) != 0)
		goto out;
	if ((r = key_schedule(op)) != 0 ||
	    (r = cy_aead_seal(op->key, op->nonce, file_key, CY_FILE_KEY_LEN,
	    body)) != 0) {
		cy_error_set(err, r, "HPKE sealing failed");
		goto out;
	}
	cy_b64_encode(enc_b64, enc, sizeof(enc), 0);
	r = cy_header_add(h, CY_PQ_STANZA, args, 1, body, sizeof(body));
out:
	cy_secret_free(op);
	return r;
}

/* The spec's checks, in its order: two arguments (type and enc), enc a
 * canonical base64 encoding of exactly 1120 bytes, a 32-byte body. */
static int
stanza_check(const cy_stanza *s, uint8_t enc[CY_PQ_ENC_LEN + 2],
    cy_error *err)
{
	size_t n;

	if (s->nargs != 1)
		return cy_error_set(err, CY_E_HEADER,
		    "malformed mlkem768x25519 stanza: %zu arguments after the "
		    "type, expected 1", s->nargs);
	if (strlen(s->args[0]) != ENC_B64_LEN ||
	    cy_b64_decode(enc, &n, s->args[0], ENC_B64_LEN, 0) != 0 ||
	    n != CY_PQ_ENC_LEN)
		return cy_error_set(err, CY_E_HEADER,
		    "malformed mlkem768x25519 stanza: the encapsulated key must "
		    "be %d bytes of canonical base64", CY_PQ_ENC_LEN);
	if (s->body_len != CY_WRAPPED_KEY_LEN)
		return cy_error_set(err, CY_E_HEADER,
		    "malformed mlkem768x25519 stanza: the wrapped key must be "
		    "32 bytes");
	return 0;
}

/* The hybrid KEM's decapsulation with an expanded secret: op->ss.
 * CY_E_CRYPTO for a low-order X25519 share. */
static int
hybrid_decaps(struct pq_op *op, const struct cy_pq_secret *sk,
    const uint8_t ek_t[CY_X25519_KEY_LEN], const uint8_t enc[CY_PQ_ENC_LEN],
    cy_error *err)
{
	const uint8_t *share = enc + CY_MLKEM768_CT_LEN;
	int r;

	/* Implicit rejection: a foreign or damaged ML-KEM ciphertext yields
	 * a pseudorandom ss_PQ, and the AEAD after fails (no match). */
	if ((r = cy_mlkem768_decaps(sk->dk, enc, op->ss_pq)) != 0)
		return cy_error_set(err, r, "ML-KEM-768 decapsulation failed");
	if (crypto_scalarmult(op->ss_t, sk->x25519, share) != 0)
		return cy_error_set(err, CY_E_CRYPTO,
		    "mlkem768x25519 stanza has a low-order X25519 share "
		    "(all-zero shared secret)");
	if ((r = combine(op, share, ek_t)) != 0)
		return cy_error_set(err, r, "the hybrid KEM's combiner failed");
	return 0;
}

/* Decaps with a hybrid identity into op->ss: one from a seed holds the
 * secret, one from a key asks the key.  A low-order share is a header
 * failure, as in age (the stanza is bad, not someone else's). */
static int
identity_decaps(struct pq_op *op, const cy_identity *id,
    const uint8_t enc[CY_PQ_ENC_LEN], cy_error *err)
{
	int r;

	r = id->pq != NULL ?
	    hybrid_decaps(op, id->pq, id->pq_pub + CY_MLKEM768_EK_LEN, enc,
	    err) : cy_key_pq_decaps(id->key, enc, op->ss, err);
	if (r == CY_E_CRYPTO) {
		r = CY_E_HEADER;
		if (err != NULL)
			err->code = r;
	}
	return r;
}

int
cy_pq_decaps(const cy_identity *id, const uint8_t enc[CY_PQ_ENC_LEN],
    uint8_t ss[CY_KEY_SHARED_LEN], cy_error *err)
{
	struct pq_op *op;
	int r;

	if (cy_pq_identity_public(id) == NULL)
		return cy_error_set(err, CY_E_USAGE, "not a post-quantum "
		    "identity");
	if ((op = cy_secret_alloc(sizeof(*op))) == NULL)
		return nomem(err);
	if ((r = identity_decaps(op, id, enc, err)) == 0)
		memcpy(ss, op->ss, CY_KEY_SHARED_LEN);
	cy_secret_free(op);
	return r;
}

const uint8_t *
cy_pq_identity_public(const cy_identity *id)
{
	return id != NULL && id->kind == CY_KIND_PQ ? id->pq_pub : NULL;
}

int
cy_pq_unwrap(const cy_identity *id, const cy_stanza *s, uint8_t *file_key,
    cy_error *err)
{
	uint8_t enc[CY_PQ_ENC_LEN + 2];
	struct pq_op *op = NULL;
	int r;

	if (strcmp(s->type, CY_PQ_STANZA) != 0)
		return CY_E_NO_MATCH;
	if ((r = stanza_check(s, enc, err)) != 0)
		return r;
	if ((op = cy_secret_alloc(sizeof(*op))) == NULL)
		return nomem(err);
	if ((r = identity_decaps(op, id, enc, err)) != 0)
		goto out;
	if ((r = key_schedule(op)) != 0) {
		cy_error_set(err, r, "HPKE key schedule failed");
		goto out;
	}
	r = cy_aead_open(op->key, op->nonce, s->body, s->body_len, file_key) ==
	    0 ? 0 : CY_E_NO_MATCH;
out:
	cy_secret_free(op);
	return r;
}

/* --- the hybrid part of software keys (base/key_soft.h) --- */

/* FIPS 203: dk = dk_PKE || ek || H(ek) || z. */
#define DK_EK_OFFSET (CY_MLKEM768_DK_LEN - CY_MLKEM768_EK_LEN - 64)

static int
soft_pq_public(void *ctx, uint8_t pk[CY_KEY_PQ_PUBLIC_LEN], cy_error *err)
{
	const struct cy_soft_key *s = ctx;

	memcpy(pk, s->pq->dk + DK_EK_OFFSET, CY_MLKEM768_EK_LEN);
	if (crypto_scalarmult_base(pk + CY_MLKEM768_EK_LEN, s->pq->x25519) != 0)
		return cy_error_set(err, CY_E_CRYPTO,
		    "invalid hybrid X25519 secret key");
	return 0;
}

static int
soft_pq_decaps(void *ctx, const uint8_t enc[CY_KEY_PQ_ENC_LEN],
    uint8_t ss[CY_KEY_SHARED_LEN], cy_error *err)
{
	const struct cy_soft_key *s = ctx;
	uint8_t ek_t[CY_X25519_KEY_LEN];
	struct pq_op *op;
	int r;

	if ((op = cy_secret_alloc(sizeof(*op))) == NULL)
		return nomem(err);
	if ((r = crypto_scalarmult_base(ek_t, s->pq->x25519)) != 0)
		r = cy_error_set(err, CY_E_CRYPTO,
		    "invalid hybrid X25519 secret key");
	else if ((r = hybrid_decaps(op, s->pq, ek_t, enc, err)) == 0)
		memcpy(ss, op->ss, CY_KEY_SHARED_LEN);
	cy_secret_free(op);
	return r;
}

static const cy_key_ops soft_pq_ops[4] = {
	{0, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
	{CY_KEY_OPS_VERSION, "software", cy_soft_sign, NULL,
	    cy_soft_public_keys, cy_soft_free, soft_pq_public, soft_pq_decaps},
	{CY_KEY_OPS_VERSION, "software", NULL, cy_soft_x25519,
	    cy_soft_public_keys, cy_soft_free, soft_pq_public, soft_pq_decaps},
	{CY_KEY_OPS_VERSION, "software", cy_soft_sign, cy_soft_x25519,
	    cy_soft_public_keys, cy_soft_free, soft_pq_public, soft_pq_decaps},
};

int
cy_key_software_pq(const uint8_t *seed, const uint8_t *seal_sk,
    const uint8_t pq_seed[CY_PQ_SEED_LEN], cy_key **out, cy_error *err)
{
	uint8_t pub[CY_PQ_PUB_LEN];
	struct cy_soft_key *s = NULL;
	struct pq_op *op = NULL;
	int r;

	*out = NULL;
	if ((r = cy_soft_key_new(seed, seal_sk, &s, err)) != 0)
		return r;
	if ((s->pq = cy_secret_alloc(sizeof(*s->pq))) == NULL ||
	    (op = cy_secret_alloc(sizeof(*op))) == NULL) {
		r = nomem(err);
		goto out;
	}
	memcpy(s->pq->seed, pq_seed, CY_PQ_SEED_LEN);
	if ((r = expand_key(op, s->pq, pub)) != 0) {
		cy_error_set(err, r, "cannot derive the post-quantum keys");
		goto out;
	}
	if ((r = cy_key_new(cy_soft_ops(soft_pq_ops, seed, seal_sk), s, out,
	    err)) == 0)
		s = NULL;
out:
	cy_secret_free(op);
	cy_soft_free(s);
	return r;
}

/* --- the public faces --- */

int
cy_identity_from_key_pq(const cy_key *key, cy_identity **out, cy_error *err)
{
	const uint8_t *pub = cy_key_pq_public(key);
	cy_identity *id;

	*out = NULL;
	if (pub == NULL)
		return cy_error_set(err, CY_E_USAGE,
		    "this %s key has no post-quantum (hybrid) part",
		    cy_key_kind(key));
	if ((id = calloc(1, sizeof(*id))) == NULL ||
	    (id->pq_pub = malloc(CY_PQ_PUB_LEN)) == NULL) {
		free(id);
		return nomem(err);
	}
	id->kind = CY_KIND_PQ;
	id->unwrap = cy_pq_unwrap;
	id->key = key;
	memcpy(id->pq_pub, pub, CY_PQ_PUB_LEN);
	*out = id;
	return 0;
}

int
cy_recipient_pq(const uint8_t pub[CY_KEY_PQ_PUBLIC_LEN], cy_recipient **out,
    cy_error *err)
{
	return cy_pq_recipient_from_pub(pub, out, err);
}
