/* coyeu — internal: R in clear (release.h says why it is not public).
 * The library's sealing and opening use these; unit tests and fuzzers
 * build forgeries with them. */
#ifndef COYEU_LIB_RELEASE_RAW_H
#define COYEU_LIB_RELEASE_RAW_H

#include "coyeu/release.h"
#include "age/recipient.h"

/* A recipient whose stanza is a release stanza for (doc_id, copy_id)
 * under R, to the X25519 public key pub.  Free with cy_recipient_free. */
int cy_release_recipient(const uint8_t pub[CY_X25519_KEY_LEN],
    const char *doc_id, const char *copy_id,
    const uint8_t r[CY_RELEASE_SECRET_LEN], cy_recipient **out,
    cy_error *err) CY_MUST_CHECK;

/* An identity that opens the release stanza for (doc_id, copy_id) only,
 * with the X25519 identity x (borrowed: it must outlive *out) and R
 * (copied into guarded memory). */
int cy_release_identity(const cy_identity *x, const char *doc_id,
    const char *copy_id, const uint8_t r[CY_RELEASE_SECRET_LEN],
    cy_identity **out, cy_error *err) CY_MUST_CHECK;

/* The hybrid forms: a recipient whose stanza is a coyeu.v1/release-pq
 * stanza to the hybrid public key pub, and an identity that opens it with
 * the hybrid identity pq (borrowed) and R. */
int cy_release_pq_recipient(const uint8_t pub[CY_PQ_PUB_LEN],
    const char *doc_id, const char *copy_id,
    const uint8_t r[CY_RELEASE_SECRET_LEN], cy_recipient **out,
    cy_error *err) CY_MUST_CHECK;
int cy_release_pq_identity(const cy_identity *pq, const char *doc_id,
    const char *copy_id, const uint8_t r[CY_RELEASE_SECRET_LEN],
    cy_identity **out, cy_error *err) CY_MUST_CHECK;
/* The hybrid stanza with its randomness given (m, eph: cy_pq_encaps),
 * added to h: what cy_release_pq_wrap does with random ones; the test
 * vectors (tests/vectors/release-pq.txt) use fixed ones. */
int cy_release_pq_stanza(const uint8_t pub[CY_PQ_PUB_LEN],
    const char *doc_id, const char *copy_id,
    const uint8_t r[CY_RELEASE_SECRET_LEN],
    const uint8_t m[CY_MLKEM_MSG_LEN], const uint8_t eph[CY_X25519_KEY_LEN],
    const uint8_t *file_key, cy_header *h, cy_error *err) CY_MUST_CHECK;

/* Seals R for (doc_id, copy_id) to an X25519 public key: *out receives
 * the age file (binary). */
int cy_release_secret_seal(const uint8_t r[CY_RELEASE_SECRET_LEN],
    const char *doc_id, const char *copy_id,
    const uint8_t pub[CY_X25519_KEY_LEN], cy_buf *out,
    cy_error *err) CY_MUST_CHECK;
/* Opens a sealed secret with identity id (the checks of
 * cy_release_reseal). */
int cy_release_secret_open(const uint8_t *in, size_t len,
    const cy_identity *id, const char *doc_id, const char *copy_id,
    uint8_t r[CY_RELEASE_SECRET_LEN], cy_error *err) CY_MUST_CHECK;

#endif
