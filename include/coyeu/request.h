/* coyeu — certificate requests (docs/certificates.md).
 *
 * A request carries the subject's name, unit and public keys, and is
 * signed by the subject's own signing key: proof that whoever asks for the
 * certificate holds the key.  The issuing authority adds role, clearance,
 * compartments and validity (cert.h).
 */
#ifndef COYEU_REQUEST_H
#define COYEU_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/buf.h"
#include "coyeu/error.h"
#include "coyeu/idkey.h"

#define CY_REQUEST_VERSION "coyeu.v1/request"
#define CY_REQUEST_MAX (16 * 1024)
#define CY_PQ_CHALLENGE_VERSION "coyeu.v1/pq-challenge"
#define CY_PQ_PROOF_VERSION "coyeu.v1/pq-proof"
#define CY_PQ_CHALLENGE_MAX (32 * 1024)  /* the request in base64, enc */
#define CY_PQ_PROOF_MAX 1024

typedef struct cy_request cy_request;

/* The request carries the key's hybrid public key (seal-pq-key) when the
 * key has one. */
CY_API int cy_request_create(const cy_idkey *key, const char *name,
    const char *unit, int64_t now, cy_request **out,
    cy_error *err) CY_MUST_CHECK;
/* Parses a request and checks its signature by its own signing key. */
CY_API int cy_request_parse(const uint8_t *in, size_t len, cy_request **out,
    cy_error *err) CY_MUST_CHECK;
CY_API void cy_request_free(cy_request *req);

CY_API const uint8_t *cy_request_bytes(const cy_request *req, size_t *len);
CY_API const char *cy_request_name(const cy_request *req);
CY_API const char *cy_request_unit(const cy_request *req);
CY_API int64_t cy_request_time(const cy_request *req);
CY_API const uint8_t *cy_request_sign_public(const cy_request *req);
CY_API const uint8_t *cy_request_seal_public(const cy_request *req);
/* The optional hybrid key (CY_KEY_PQ_PUBLIC_LEN bytes, FIPS 203 checked),
 * NULL when the request has none. */
CY_API const uint8_t *cy_request_seal_pq_public(const cy_request *req);
/* The same as "age1pq1…", NULL when none. */
CY_API const char *cy_request_seal_pq_recipient(const cy_request *req);

/* --- proof of possession of the hybrid key (docs/certificates.md) ---
 * The request's signature proves its signing key; a KEM key cannot sign,
 * so the issuer encapsulates to it and the requester answers with a MAC
 * under the shared secret.  The issuer keeps no state: the
 * encapsulation's randomness comes from its own Ed25519 signature over the
 * request's hash, recomputed when it checks the proof.
 *
 * cy_request_pq_challenge (the authority, with its key): appends the
 * challenge text (the request and the encapsulation) to out.  CY_E_USAGE
 * when the request has no hybrid key. */
CY_API int cy_request_pq_challenge(const cy_request *req,
    const cy_key *authority, cy_buf *out, cy_error *err) CY_MUST_CHECK;
/* The requester, with the key the request was made from: checks the
 * challenge is for a request this key signed carrying this key's hybrid
 * key (CY_E_POLICY otherwise), decapsulates and appends the proof text
 * (HMAC-SHA-256 under the shared secret, bound to the request's hash) to
 * out. */
CY_API int cy_request_pq_respond(const uint8_t *challenge, size_t len,
    const cy_key *key, cy_buf *out, cy_error *err) CY_MUST_CHECK;
/* The authority: 0 when proof answers its challenge for req; CY_E_POLICY
 * "the post-quantum proof does not match the request" otherwise (a proof
 * for another request, from another key, or for a challenge not this
 * authority's), CY_E_FORMAT for a malformed proof. */
CY_API int cy_request_pq_check(const cy_request *req,
    const cy_key *authority, const uint8_t *proof, size_t len,
    cy_error *err) CY_MUST_CHECK;

#endif
