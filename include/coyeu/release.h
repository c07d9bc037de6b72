/* coyeu — registry-mediated recipients: the coyeu.v1/release stanza
 * (DESIGN.md §5, docs/exchange.md).
 *
 *   -> coyeu.v1/release <doc-id> <copy-id> <ephemeral share>
 *   <wrapped file key>
 *
 * The wrap key is HKDF-SHA-256(ikm = X25519(ephemeral, recipient) || R,
 * salt = ephemeral share || recipient public key, info =
 * "coyeu.v1/release"); the body is the file key under ChaCha20-Poly1305
 * with a zero nonce, as age's X25519 stanza.  R is 32 random bytes per
 * stanza that only the registry holds: opening needs the recipient's
 * X25519 secret and R, so neither the registry nor the recipient alone
 * can open.  doc-id and copy-id are 32 lowercase hex digits (128 random
 * bits each); the share is unpadded base64 of 32 bytes, as in age.
 *
 * R travels sealed: to the registry when the sender registers the
 * document, to the requester when the registry releases it.  A sealed
 * secret is an age file (X25519 recipient) whose payload is
 *   "coyeu.v1/release-secret <doc-id> <copy-id>\n" || R
 * so a secret for one copy cannot be passed off as another's.
 *
 * The hybrid form, for recipients whose certificates carry a post-quantum
 * key (seal-pq-key, age's mlkem768x25519):
 *
 *   -> coyeu.v1/release-pq <doc-id> <copy-id> <enc>
 *   <wrapped file key>
 *
 * enc is the 1120-byte hybrid KEM ciphertext (ML-KEM-768 || X25519, as
 * age's mlkem768x25519 stanza) to the recipient's hybrid key, unpadded
 * base64; ss its shared secret; the wrap key is HKDF-SHA-256(ikm = ss ||
 * R, salt = SHA-256(enc || recipient hybrid public key), info =
 * "coyeu.v1/release-pq"); the body the file key under ChaCha20-Poly1305
 * with a zero nonce (32 bytes).  R still travels sealed to X25519 keys:
 * R is only the registry's half, and opens nothing without ss
 * (docs/format.md).
 */
#ifndef COYEU_RELEASE_H
#define COYEU_RELEASE_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/age.h"
#include "coyeu/buf.h"
#include "coyeu/error.h"
#include "coyeu/header.h"

#define CY_RELEASE_STANZA "coyeu.v1/release"
#define CY_RELEASE_HKDF_INFO "coyeu.v1/release"
#define CY_RELEASE_PQ_STANZA "coyeu.v1/release-pq"
#define CY_RELEASE_PQ_HKDF_INFO "coyeu.v1/release-pq"
#define CY_RELEASE_SECRET_PREFIX "coyeu.v1/release-secret"
#define CY_RELEASE_SECRET_LEN 32      /* R */
#define CY_RELEASE_ID_LEN 32          /* hex digits of a doc-id, copy-id */
#define CY_RELEASE_ID_SIZE (CY_RELEASE_ID_LEN + 1)
#define CY_RELEASE_SEALED_MAX 1024    /* a sealed secret, bytes */

/* A fresh random id: 32 lowercase hex digits and a NUL. */
CY_API int cy_release_id_new(char out[CY_RELEASE_ID_SIZE],
    cy_error *err) CY_MUST_CHECK;
/* 0 when s is an id (32 lowercase hex digits), else CY_E_FORMAT. */
CY_API int cy_release_id_check(const char *s, cy_error *err) CY_MUST_CHECK;

/* The ids of a release stanza, classical or hybrid (CY_E_HEADER when
 * malformed, CY_E_NO_MATCH when s is another kind of stanza). */
CY_API int cy_release_stanza_ids(const cy_stanza *s,
    char doc_id[CY_RELEASE_ID_SIZE], char copy_id[CY_RELEASE_ID_SIZE],
    cy_error *err) CY_MUST_CHECK;

/* R never leaves the library in clear: callers move it sealed only.
 * (The raw forms are internal: lib/age/release_raw.h.) */

/* The registry: opens the sealed secret `in` (R for doc_id, copy_id) with
 * its identity id and seals R to pub, the requester's sealing key, into
 * *out.  Refuses (CY_E_FORMAT) a secret made for another doc_id or copy_id,
 * over CY_RELEASE_SEALED_MAX bytes, or whose payload is not exactly the
 * prefix line and 32 bytes; R is wiped on every path. */
CY_API int cy_release_reseal(const uint8_t *in, size_t len,
    const cy_identity *id, const char *doc_id, const char *copy_id,
    const uint8_t pub[CY_X25519_KEY_LEN], cy_buf *out,
    cy_error *err) CY_MUST_CHECK;

/* The recipient: an identity that opens the release stanza of (doc_id,
 * copy_id) only, with its X25519 identity x (borrowed: it must outlive
 * *out) and R from the sealed secret `sealed` (opened with x, checked as
 * cy_release_reseal checks it, kept in guarded memory).  Other stanzas do
 * not match it.  Free with cy_identity_free. */
CY_API int cy_release_identity_sealed(const cy_identity *x,
    const char *doc_id, const char *copy_id, const uint8_t *sealed,
    size_t len, cy_identity **out, cy_error *err) CY_MUST_CHECK;
/* The same for the hybrid stanza (coyeu.v1/release-pq): x opens the
 * sealed R (which travels to X25519 keys), pq, a hybrid identity
 * (cy_identity_from_key_pq, or an AGE-SECRET-KEY-PQ-1… one), opens the
 * stanza.  Both are borrowed: they must outlive *out.  CY_E_USAGE when
 * pq is not a hybrid identity. */
CY_API int cy_release_identity_sealed_pq(const cy_identity *x,
    const cy_identity *pq, const char *doc_id, const char *copy_id,
    const uint8_t *sealed, size_t len, cy_identity **out,
    cy_error *err) CY_MUST_CHECK;

#endif
