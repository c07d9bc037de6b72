/* Certificate requests, signed by the key they ask a certificate for. */
#include <stdlib.h>
#include <string.h>

#include "coyeu/canon.h"
#include "coyeu/cert.h"
#include "coyeu/encoding.h"
#include "coyeu/request.h"
#include "coyeu/secret.h"
#include "base/crypto.h"
#include "pki/signed.h"
#include "age/recipient.h"

struct cy_request {
	uint8_t *bytes;
	size_t len;
	size_t signed_len;
	char *name;
	char *unit;
	int64_t time;
	uint8_t sign_pk[CY_SIGN_PUBLIC_LEN];
	uint8_t seal_pk[CY_SEAL_PUBLIC_LEN];
	uint8_t *seal_pq_pk;  /* CY_KEY_PQ_PUBLIC_LEN, NULL when none */
	char *seal_pq_str;    /* age1pq1…, NULL when none */
	uint8_t sig[CY_SIGNATURE_LEN];
};

enum { F_VERSION, F_NAME, F_UNIT, F_SIGN_KEY, F_SEAL_KEY, F_SEAL_PQ_KEY,
    F_TIME, F_SIGNATURE, NFIELDS };

static const cy_canon_field request_fields[NFIELDS] = {
	{"version", 0},
	{"name", 0},
	{"unit", 0},
	{"sign-key", 0},
	{"seal-key", 0},
	{"seal-pq-key", CY_CANON_OPTIONAL},
	{"time", 0},
	{"signature", 0},
};

void
cy_request_free(cy_request *req)
{
	if (req == NULL)
		return;
	free(req->bytes);
	free(req->name);
	free(req->unit);
	free(req->seal_pq_pk);
	free(req->seal_pq_str);
	free(req);
}

static int
parse_fields(cy_request *q, const cy_canon_record *r, cy_error *err)
{
	const cy_canon_value *name = cy_canon_get(r, F_NAME);
	const cy_canon_value *unit = cy_canon_get(r, F_UNIT);
	int rc;

	if ((rc = cy_signed_version(r, F_VERSION, CY_REQUEST_VERSION,
	    err)) != 0)
		return rc;
	if (name->len > CY_NAME_MAX)
		return cy_error_set(err, CY_E_FORMAT, "name: longer than %d bytes",
		    CY_NAME_MAX);
	if (!cy_unit_valid(unit->value, unit->len))
		return cy_error_set(err, CY_E_FORMAT,
		    "unit: expected segments of a-z, 0-9, '-' separated by '/'");
	if ((q->name = cy_canon_strdup(name)) == NULL ||
	    (q->unit = cy_canon_strdup(unit)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	if ((rc = cy_canon_get_b64(cy_canon_get(r, F_SIGN_KEY), q->sign_pk,
	    CY_SIGN_PUBLIC_LEN, "sign-key", err)) != 0 ||
	    (rc = cy_signed_recipient(r, F_SEAL_KEY, q->seal_pk, err)) != 0)
		return rc;
	if ((rc = cy_signed_pq_field(cy_canon_get(r, F_SEAL_PQ_KEY),
	    &q->seal_pq_pk, &q->seal_pq_str, err)) != 0 ||
	    (rc = cy_signed_time(r, F_TIME, "time", &q->time, err)) != 0 ||
	    (rc = cy_signed_split(r, F_SIGNATURE, q->sig, &q->signed_len,
	    err)) != 0)
		return rc;
	if (cy_idkey_verify(q->sign_pk, q->bytes, q->signed_len, q->sig) != 0)
		return cy_error_set(err, CY_E_SIGNATURE,
		    "the request's signature does not verify with its own "
		    "sign-key (no proof of possession)");
	return 0;
}

int
cy_request_parse(const uint8_t *in, size_t len, cy_request **out,
    cy_error *err)
{
	cy_canon_record *r = NULL;
	cy_request *q = NULL;
	int rc;

	*out = NULL;
	if ((q = calloc(1, sizeof(*q))) == NULL) {
		rc = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	q->len = len;
	if ((rc = cy_signed_parse_copy(in, len, CY_REQUEST_MAX, "request",
	    request_fields, NFIELDS, &q->bytes, &r, err)) != 0 ||
	    (rc = parse_fields(q, r, err)) != 0)
		goto out;
	*out = q;
	q = NULL;
out:
	cy_canon_record_free(r);
	cy_request_free(q);
	return rc;
}

int
cy_request_create(const cy_idkey *key, const char *name, const char *unit,
    int64_t now, cy_request **out, cy_error *err)
{
	cy_buf b = CY_BUF_INIT;
	int rc;

	*out = NULL;
	if ((rc = cy_name_check(name, err)) != 0 ||
	    (rc = cy_unit_check(unit, err)) != 0)
		goto out;
	if ((rc = cy_canon_put(&b, "version", CY_REQUEST_VERSION, err)) != 0 ||
	    (rc = cy_canon_put(&b, "name", name, err)) != 0 ||
	    (rc = cy_canon_put(&b, "unit", unit, err)) != 0 ||
	    (rc = cy_canon_put_b64(&b, "sign-key", cy_idkey_sign_public(key),
	    CY_SIGN_PUBLIC_LEN, err)) != 0 ||
	    (rc = cy_signed_put_recipient(&b, "seal-key",
	    cy_idkey_seal_public(key), err)) != 0 ||
	    (cy_key_pq_public(key) != NULL &&
	    (rc = cy_signed_put_pq_recipient(&b, "seal-pq-key",
	    cy_key_pq_public(key), err)) != 0) ||
	    (rc = cy_canon_put_time(&b, "time", now, err)) != 0 ||
	    (rc = cy_signed_finish(&b, key, err)) != 0)
		goto out;
	rc = cy_request_parse(b.data, b.len, out, err);
out:
	cy_buf_free(&b);
	return rc;
}

const uint8_t *
cy_request_bytes(const cy_request *req, size_t *len)
{
	*len = req->len;
	return req->bytes;
}

const char *cy_request_name(const cy_request *req) { return req->name; }
const char *cy_request_unit(const cy_request *req) { return req->unit; }
int64_t cy_request_time(const cy_request *req) { return req->time; }

const uint8_t *
cy_request_sign_public(const cy_request *req)
{
	return req->sign_pk;
}

const uint8_t *
cy_request_seal_public(const cy_request *req)
{
	return req->seal_pk;
}

const uint8_t *
cy_request_seal_pq_public(const cy_request *req)
{
	return req->seal_pq_pk;
}

const char *
cy_request_seal_pq_recipient(const cy_request *req)
{
	return req->seal_pq_str;
}

/* --- proof of possession of the hybrid key (docs/certificates.md) --- */

#define CHALLENGE_LABEL "coyeu.v1/pq-challenge"
#define PROOF_LABEL "coyeu.v1/pq-proof"
#define PROOF_LEN 32
#define HEX_HASH_LEN (2 * CY_SHA256_LEN)

enum { C_VERSION, C_REQUEST, C_ENC, C_NFIELDS };
static const cy_canon_field challenge_fields[C_NFIELDS] = {
	{"version", 0},
	{"request", 0},
	{"enc", 0},
};

enum { P_VERSION, P_REQUEST, P_PROOF, P_NFIELDS };
static const cy_canon_field proof_fields[P_NFIELDS] = {
	{"version", 0},
	{"request-sha256", 0},
	{"proof", 0},
};

/* What one exchange computes, in guarded memory. */
struct pop {
	uint8_t sig[CY_SIGNATURE_LEN];
	uint8_t rand[CY_MLKEM_MSG_LEN + CY_X25519_KEY_LEN];  /* m || eph */
	uint8_t ss[CY_KEY_SHARED_LEN];
	uint8_t proof[PROOF_LEN];
	uint8_t msg[sizeof(PROOF_LABEL) - 1 + CY_SHA256_LEN];
};

/* Unpadded base64 of any length (canon.h's helpers stop at 128 bytes). */
static int
put_b64(cy_buf *b, const char *key, const uint8_t *data, size_t len,
    cy_error *err)
{
	char *tmp;
	int rc;

	if ((tmp = malloc(CY_B64_UNPADDED_LEN(len) + 1)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	cy_b64_encode(tmp, data, len, 0);
	rc = cy_canon_put(b, key, tmp, err);
	free(tmp);
	return rc;
}

/* The bytes of an unpadded base64 value into *out (malloc'd), *n. */
static int
get_b64(const cy_canon_value *v, const char *what, uint8_t **out, size_t *n,
    cy_error *err)
{
	if ((*out = malloc(v->len * 3 / 4 + 1)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	if (cy_b64_decode(*out, n, v->value, v->len, 0) != 0)
		return cy_error_set(err, CY_E_FORMAT,
		    "%s: expected unpadded base64", what);
	return 0;
}

static int
request_hybrid_key(const cy_request *req, cy_error *err)
{
	if (req->seal_pq_pk == NULL)
		return cy_error_set(err, CY_E_USAGE,
		    "the request has no post-quantum key (seal-pq-key): nothing "
		    "to prove");
	return 0;
}

/* proof = HMAC-SHA-256(ss, "coyeu.v1/pq-proof" || SHA-256(request)) */
static int
proof_of(struct pop *w, const uint8_t req_hash[CY_SHA256_LEN])
{
	memcpy(w->msg, PROOF_LABEL, sizeof(PROOF_LABEL) - 1);
	memcpy(w->msg + sizeof(PROOF_LABEL) - 1, req_hash, CY_SHA256_LEN);
	return cy_hmac_sha256(w->ss, sizeof(w->ss), w->msg, sizeof(w->msg),
	    w->proof);
}

/* The authority's encapsulation to the request's hybrid key: its
 * randomness comes from the authority's own (deterministic) Ed25519
 * signature over "coyeu.v1/pq-challenge" || SHA-256(request), so the
 * authority recomputes it at issuing time and keeps no state, and nobody
 * without its key can predict ss. */
static int
authority_encaps(const cy_request *req, const cy_key *authority,
    struct pop *w, uint8_t enc[CY_PQ_ENC_LEN], cy_error *err)
{
	uint8_t msg[sizeof(CHALLENGE_LABEL) - 1 + CY_SHA256_LEN];
	int rc;

	memcpy(msg, CHALLENGE_LABEL, sizeof(CHALLENGE_LABEL) - 1);
	cy_sha256_digest(req->bytes, req->len, msg + sizeof(CHALLENGE_LABEL) - 1);
	if ((rc = cy_key_sign(authority, msg, sizeof(msg), w->sig, err)) != 0)
		return cy_error_wrap(err, "cannot make the challenge");
	if (cy_hkdf_sha256(w->sig, sizeof(w->sig), NULL, 0, CHALLENGE_LABEL,
	    w->rand, sizeof(w->rand)) != 0)
		return cy_error_set(err, CY_E_CRYPTO, "HKDF failed");
	return cy_pq_encaps(req->seal_pq_pk, w->rand,
	    w->rand + CY_MLKEM_MSG_LEN, enc, w->ss, err);
}

int
cy_request_pq_challenge(const cy_request *req, const cy_key *authority,
    cy_buf *out, cy_error *err)
{
	uint8_t enc[CY_PQ_ENC_LEN];
	struct pop *w;
	int rc;

	if ((rc = request_hybrid_key(req, err)) != 0)
		return rc;
	if ((w = cy_secret_alloc(sizeof(*w))) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	if ((rc = authority_encaps(req, authority, w, enc, err)) == 0 &&
	    (rc = cy_canon_put(out, "version", CY_PQ_CHALLENGE_VERSION,
	    err)) == 0 &&
	    (rc = put_b64(out, "request", req->bytes, req->len, err)) == 0)
		rc = put_b64(out, "enc", enc, sizeof(enc), err);
	cy_secret_free(w);
	return rc;
}

/* A challenge's request and enc; *req is the caller's to free. */
static int
challenge_parse(const uint8_t *in, size_t len, cy_request **req,
    uint8_t enc[CY_PQ_ENC_LEN], cy_error *err)
{
	cy_canon_record *r = NULL;
	uint8_t *bytes = NULL, *raw = NULL;
	size_t n;
	int rc;

	*req = NULL;
	if ((rc = cy_signed_parse_copy(in, len, CY_PQ_CHALLENGE_MAX,
	    "post-quantum challenge", challenge_fields, C_NFIELDS, &bytes, &r,
	    err)) != 0 ||
	    (rc = cy_signed_version(r, C_VERSION, CY_PQ_CHALLENGE_VERSION,
	    err)) != 0)
		goto out;
	if ((rc = get_b64(cy_canon_get(r, C_ENC), "enc", &raw, &n, err)) != 0)
		goto out;
	if (n != CY_PQ_ENC_LEN) {
		rc = cy_error_set(err, CY_E_FORMAT,
		    "enc: expected %d bytes (ML-KEM-768 ciphertext and X25519 "
		    "share)", CY_PQ_ENC_LEN);
		goto out;
	}
	memcpy(enc, raw, CY_PQ_ENC_LEN);
	free(raw);
	raw = NULL;
	if ((rc = get_b64(cy_canon_get(r, C_REQUEST), "request", &raw, &n,
	    err)) != 0)
		goto out;
	if ((rc = cy_request_parse(raw, n, req, err)) != 0)
		cy_error_wrap(err, "the challenge's request");
out:
	free(raw);
	free(bytes);
	cy_canon_record_free(r);
	return rc;
}

/* The challenge must be for a request this key signed and whose hybrid
 * key is this key's: else whoever relays it could have the key prove
 * possession for a request of theirs that names this hybrid key. */
static int
check_own_request(const cy_request *req, const cy_key *key, cy_error *err)
{
	const uint8_t *sign = cy_key_sign_public(key), *pq = cy_key_pq_public(key);

	if (pq == NULL)
		return cy_error_set(err, CY_E_USAGE,
		    "this key has no post-quantum (hybrid) part");
	if (sign == NULL || !cy_memeq(sign, req->sign_pk, CY_SIGN_PUBLIC_LEN))
		return cy_error_set(err, CY_E_POLICY,
		    "the challenge is for a request signed by another key "
		    "(%s); this key answers only for its own requests",
		    req->name);
	if (req->seal_pq_pk == NULL ||
	    !cy_memeq(pq, req->seal_pq_pk, CY_KEY_PQ_PUBLIC_LEN))
		return cy_error_set(err, CY_E_POLICY,
		    "the challenge's request does not carry this key's "
		    "post-quantum key");
	return 0;
}

int
cy_request_pq_respond(const uint8_t *challenge, size_t len, const cy_key *key,
    cy_buf *out, cy_error *err)
{
	char hex[HEX_HASH_LEN + 1];
	uint8_t enc[CY_PQ_ENC_LEN], hash[CY_SHA256_LEN];
	cy_request *req = NULL;
	struct pop *w = NULL;
	int rc;

	if ((rc = challenge_parse(challenge, len, &req, enc, err)) != 0 ||
	    (rc = check_own_request(req, key, err)) != 0)
		goto out;
	if ((w = cy_secret_alloc(sizeof(*w))) == NULL) {
		rc = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	cy_sha256_digest(req->bytes, req->len, hash);
	if ((rc = cy_key_pq_decaps(key, enc, w->ss, err)) != 0) {
		cy_error_wrap(err, "cannot answer the challenge");
		goto out;
	}
	if (proof_of(w, hash) != 0) {
		rc = cy_error_set(err, CY_E_CRYPTO, "HMAC failed");
		goto out;
	}
	cy_hex_encode(hex, hash, sizeof(hash));
	if ((rc = cy_canon_put(out, "version", CY_PQ_PROOF_VERSION, err)) == 0 &&
	    (rc = cy_canon_put(out, "request-sha256", hex, err)) == 0)
		rc = cy_canon_put_b64(out, "proof", w->proof, PROOF_LEN, err);
out:
	cy_secret_free(w);
	cy_request_free(req);
	return rc;
}

static int
mismatch(cy_error *err, const char *why)
{
	return cy_error_set(err, CY_E_POLICY,
	    "the post-quantum proof does not match the request%s", why);
}

int
cy_request_pq_check(const cy_request *req, const cy_key *authority,
    const uint8_t *proof, size_t len, cy_error *err)
{
	uint8_t enc[CY_PQ_ENC_LEN], hash[CY_SHA256_LEN], got[CY_SHA256_LEN];
	uint8_t given[PROOF_LEN];
	cy_canon_record *r = NULL;
	const cy_canon_value *v;
	uint8_t *bytes = NULL;
	struct pop *w = NULL;
	int rc;

	if ((rc = request_hybrid_key(req, err)) != 0)
		return rc;
	if ((rc = cy_signed_parse_copy(proof, len, CY_PQ_PROOF_MAX,
	    "post-quantum proof", proof_fields, P_NFIELDS, &bytes, &r,
	    err)) != 0 ||
	    (rc = cy_signed_version(r, P_VERSION, CY_PQ_PROOF_VERSION, err)) != 0 ||
	    (rc = cy_canon_get_b64(cy_canon_get(r, P_PROOF), given, PROOF_LEN,
	    "proof", err)) != 0)
		goto out;
	v = cy_canon_get(r, P_REQUEST);
	if (cy_hex_decode(got, sizeof(got), v->value, v->len) != 0) {
		rc = cy_error_set(err, CY_E_FORMAT,
		    "request-sha256: expected 64 hex digits");
		goto out;
	}
	cy_sha256_digest(req->bytes, req->len, hash);
	if (!cy_memeq(got, hash, sizeof(hash))) {
		rc = mismatch(err, " (it answers a challenge for another request)");
		goto out;
	}
	if ((w = cy_secret_alloc(sizeof(*w))) == NULL) {
		rc = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = authority_encaps(req, authority, w, enc, err)) != 0)
		goto out;
	if (proof_of(w, hash) != 0) {
		rc = cy_error_set(err, CY_E_CRYPTO, "HMAC failed");
		goto out;
	}
	if (!cy_memeq(w->proof, given, PROOF_LEN))
		rc = mismatch(err, "");
out:
	cy_secret_free(w);
	free(bytes);
	cy_canon_record_free(r);
	return rc;
}
