/* coyeu — internal: recipient and identity kinds and their stanzas. */
#ifndef COYEU_LIB_RECIPIENT_H
#define COYEU_LIB_RECIPIENT_H

#include "coyeu/age.h"
#include "coyeu/header.h"

#define CY_X25519_STANZA "X25519"
#define CY_SCRYPT_STANZA "scrypt"
#define CY_X25519_LABEL "age-encryption.org/v1/X25519"
#define CY_SCRYPT_LABEL "age-encryption.org/v1/scrypt"
#define CY_SCRYPT_SALT_LEN 16
#define CY_WRAPPED_KEY_LEN (CY_FILE_KEY_LEN + 16)
#define CY_RECIPIENT_HRP "age"
#define CY_IDENTITY_HRP "age-secret-key-"

enum cy_key_kind { CY_KIND_X25519 = 1, CY_KIND_SCRYPT = 2 };

struct cy_recipient {
	enum cy_key_kind kind;
	uint8_t pub[CY_X25519_KEY_LEN];
	char *pass;       /* guarded memory */
	size_t passlen;
	int log_n;
};

struct cy_identity {
	enum cy_key_kind kind;
	uint8_t *secret;  /* guarded memory, CY_X25519_KEY_LEN */
	uint8_t pub[CY_X25519_KEY_LEN];
	char *pass;       /* guarded memory */
	size_t passlen;
	int max_log_n;
};

/* Adds this recipient's stanza for file_key to h. */
int cy_x25519_wrap(const cy_recipient *r, const uint8_t *file_key, cy_header *h,
    cy_error *err) CY_MUST_CHECK;
int cy_scrypt_wrap(const cy_recipient *r, const uint8_t *file_key, cy_header *h,
    cy_error *err) CY_MUST_CHECK;

/* Tries one stanza: 0 (file_key set), CY_E_NO_MATCH (not ours), or
 * CY_E_HEADER (malformed stanza: fatal). */
int cy_x25519_unwrap(const cy_identity *id, const cy_stanza *s,
    uint8_t *file_key, cy_error *err) CY_MUST_CHECK;
int cy_scrypt_unwrap(const cy_identity *id, const cy_stanza *s,
    uint8_t *file_key, cy_error *err) CY_MUST_CHECK;

#endif
