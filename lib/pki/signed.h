/* coyeu — pieces shared by the signed canonical objects (certificates,
 * requests, revocation lists): version line, serials, times, keys and the
 * closing signature line over every byte before it. */
#ifndef COYEU_LIB_SIGNED_H
#define COYEU_LIB_SIGNED_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/buf.h"
#include "coyeu/canon.h"
#include "coyeu/cert.h"
#include "coyeu/idkey.h"

#define CY_TIME_STR_MAX (CY_CANON_TIME_LEN + 1)

/* Signs b's contents from start on with k (its sign operation) and appends
 * "signature: <b64>\n"; what names the signed object in messages. */
int cy_signed_append(cy_buf *b, size_t start, const cy_key *k,
    const char *what, cy_error *err) CY_MUST_CHECK;
/* The same over b's whole contents. */
int cy_signed_finish(cy_buf *b, const cy_key *k, cy_error *err) CY_MUST_CHECK;
/* The signature field (index sig_field, the record's last) of a record
 * parsed from the start of its input: the 64 bytes and the signed length. */
int cy_signed_split(const cy_canon_record *r, size_t sig_field,
    uint8_t sig[CY_SIGNATURE_LEN], size_t *signed_len,
    cy_error *err) CY_MUST_CHECK;
/* The version field holds exactly want. */
int cy_signed_version(const cy_canon_record *r, size_t field,
    const char *want, cy_error *err) CY_MUST_CHECK;
/* A serial field into out (NUL-terminated). */
int cy_signed_serial(const cy_canon_record *r, size_t field,
    const char *what, char out[CY_SERIAL_HEX_LEN + 1],
    cy_error *err) CY_MUST_CHECK;
int cy_signed_time(const cy_canon_record *r, size_t field, const char *what,
    int64_t *t, cy_error *err) CY_MUST_CHECK;
/* An X25519 public key as its age recipient string "age1…". */
int cy_signed_put_recipient(cy_buf *b, const char *key,
    const uint8_t pk[CY_SEAL_PUBLIC_LEN], cy_error *err) CY_MUST_CHECK;
/* Decodes such a field; only the lowercase form age writes is accepted. */
int cy_signed_recipient(const cy_canon_record *r, size_t field,
    uint8_t pk[CY_SEAL_PUBLIC_LEN], cy_error *err) CY_MUST_CHECK;
/* A hybrid public key (CY_KEY_PQ_PUBLIC_LEN bytes) as "age1pq1…", and
 * back: lowercase only, and the ML-KEM key must pass the FIPS 203
 * modulus check (CY_E_FORMAT naming key otherwise). */
int cy_signed_put_pq_recipient(cy_buf *b, const char *key,
    const uint8_t pk[CY_KEY_PQ_PUBLIC_LEN], cy_error *err) CY_MUST_CHECK;
int cy_signed_pq_recipient(const cy_canon_value *v, const char *key,
    uint8_t pk[CY_KEY_PQ_PUBLIC_LEN], cy_error *err) CY_MUST_CHECK;
/* The optional seal-pq-key field v (NULL: absent, *pk and *str stay
 * NULL): the raw key and the string, malloc'd, the caller's to free even
 * on failure. */
int cy_signed_pq_field(const cy_canon_value *v, uint8_t **pk, char **str,
    cy_error *err) CY_MUST_CHECK;
/* A fresh random serial. */
void cy_serial_new(char out[CY_SERIAL_HEX_LEN + 1]);
/* A time for messages ("2026-11-25T00:00:00Z", or "?" out of range). */
const char *cy_time_str(int64_t t, char out[CY_TIME_STR_MAX]);
/* The opening every whole-input signed record's parser shares: refuses
 * more than cap bytes (CY_E_TOO_LARGE naming `what`), keeps a private copy
 * of in (*bytes, NUL after it, the caller's to free) and parses that copy,
 * so the record's values point into *bytes. */
int cy_signed_parse_copy(const uint8_t *in, size_t len, size_t cap,
    const char *what, const cy_canon_field *fields, size_t nfields,
    uint8_t **bytes, cy_canon_record **r, cy_error *err) CY_MUST_CHECK;
/* A private copy of in[0..len) with a NUL after it. */
uint8_t *cy_memdup(const uint8_t *in, size_t len);

#endif
