/* coyeu — internal: recipient and identity kinds and their stanzas. */
#ifndef COYEU_LIB_RECIPIENT_H
#define COYEU_LIB_RECIPIENT_H

#include "coyeu/age.h"
#include "coyeu/encoding.h"
#include "coyeu/header.h"
#include "coyeu/key.h"
#include "coyeu/release.h"
#include "age/mlkem.h"

#define CY_X25519_STANZA "X25519"
#define CY_SCRYPT_STANZA "scrypt"
#define CY_X25519_LABEL "age-encryption.org/v1/X25519"
#define CY_SCRYPT_LABEL "age-encryption.org/v1/scrypt"
#define CY_SCRYPT_SALT_LEN 16
#define CY_WRAPPED_KEY_LEN (CY_FILE_KEY_LEN + 16)
#define CY_RECIPIENT_HRP "age"
#define CY_IDENTITY_HRP "age-secret-key-"

/* The MLKEM768-X25519 hybrid (age spec; filippo.io/hpke-pq). */
#define CY_PQ_STANZA "mlkem768x25519"
#define CY_PQ_RECIPIENT_HRP "age1pq"
#define CY_PQ_IDENTITY_HRP "age-secret-key-pq-"
#define CY_PQ_SEED_LEN 32
#define CY_PQ_PUB_LEN (CY_MLKEM768_EK_LEN + CY_X25519_KEY_LEN)  /* 1216 */
#define CY_PQ_ENC_LEN (CY_MLKEM768_CT_LEN + CY_X25519_KEY_LEN)  /* 1120 */
#define CY_PQ_SS_LEN CY_KEY_SHARED_LEN  /* the hybrid KEM's shared secret */

enum cy_key_kind {
	CY_KIND_X25519 = 1, CY_KIND_SCRYPT = 2, CY_KIND_PQ = 3,
	CY_KIND_RELEASE = 4,  /* coyeu.v1/release (release.h): X25519 and R */
	CY_KIND_RELEASE_PQ = 5  /* coyeu.v1/release-pq: the hybrid KEM and R */
};

/* What a release recipient or identity adds to its X25519 key. */
struct cy_release_part {
	char doc_id[CY_RELEASE_ID_SIZE];
	char copy_id[CY_RELEASE_ID_SIZE];
	uint8_t r[CY_RELEASE_SECRET_LEN];
};

/* A hybrid identity expanded once from its seed (expandKey). */
struct cy_pq_secret {
	uint8_t seed[CY_PQ_SEED_LEN];
	uint8_t dk[CY_MLKEM768_DK_LEN];   /* ML-KEM-768 decapsulation key */
	uint8_t x25519[CY_X25519_KEY_LEN];
};

/* Adds a recipient's stanza for file_key to h. */
typedef int cy_wrap_fn(const cy_recipient *r, const uint8_t *file_key,
    cy_header *h, cy_error *err);
/* Tries one stanza: 0 (file_key set), CY_E_NO_MATCH (not ours), or
 * CY_E_HEADER (malformed stanza: fatal) or another error (fatal). */
typedef int cy_unwrap_fn(const cy_identity *id, const cy_stanza *s,
    uint8_t *file_key, cy_error *err);

/* Each kind's constructor sets its method. */
struct cy_recipient {
	enum cy_key_kind kind;
	cy_wrap_fn *wrap;
	uint8_t pub[CY_X25519_KEY_LEN];
	uint8_t *pq_pub;  /* CY_PQ_PUB_LEN: ek_PQ || ek_T */
	char *pass;       /* guarded memory */
	size_t passlen;
	int log_n;
	struct cy_release_part *release;  /* guarded memory */
};

struct cy_identity {
	enum cy_key_kind kind;
	cy_unwrap_fn *unwrap;
	/* X25519: the key whose x25519 operation opens stanzas; own_key when
	 * the identity was made from a secret (and owns it), else borrowed
	 * (cy_identity_from_key).  Hybrid: pq holds the secret when made from
	 * a seed; else (pq NULL) key's pq_decaps opens stanzas
	 * (cy_identity_from_key_pq). */
	const cy_key *key;
	cy_key *own_key;
	uint8_t pub[CY_X25519_KEY_LEN];
	struct cy_pq_secret *pq;  /* guarded memory */
	uint8_t *pq_pub;  /* CY_PQ_PUB_LEN */
	char *pass;       /* guarded memory */
	size_t passlen;
	int max_log_n;
	/* Release: key and pub are the borrowed X25519 identity's. */
	struct cy_release_part *release;  /* guarded memory */
	/* Release-pq: the borrowed hybrid identity that decapsulates. */
	const cy_identity *pq_inner;
};

/* Constructors for the hybrid kind: the seed is expanded (ML-KEM-768 and
 * X25519 keys); a public key must pass the ML-KEM modulus check. */
int cy_pq_identity_from_seed(const uint8_t seed[CY_PQ_SEED_LEN],
    cy_identity **out, cy_error *err) CY_MUST_CHECK;
int cy_pq_recipient_from_pub(const uint8_t pub[CY_PQ_PUB_LEN],
    cy_recipient **out, cy_error *err) CY_MUST_CHECK;

/* The hybrid KEM itself (pq.c): encapsulation with the caller's
 * randomness m (ML-KEM) and eph (the X25519 ephemeral secret; random, or
 * fixed for test vectors) gives enc and the shared secret ss; Decaps with
 * a hybrid identity (from a seed, or a key's pq_decaps) gives ss
 * (CY_E_HEADER for a low-order X25519 share; a foreign ciphertext gives a
 * pseudorandom ss).  ss is a secret: callers keep it in guarded memory. */
int cy_pq_encaps(const uint8_t pub[CY_PQ_PUB_LEN],
    const uint8_t m[CY_MLKEM_MSG_LEN], const uint8_t eph[CY_X25519_KEY_LEN],
    uint8_t enc[CY_PQ_ENC_LEN], uint8_t ss[CY_KEY_SHARED_LEN],
    cy_error *err) CY_MUST_CHECK;
int cy_pq_decaps(const cy_identity *id, const uint8_t enc[CY_PQ_ENC_LEN],
    uint8_t ss[CY_KEY_SHARED_LEN], cy_error *err) CY_MUST_CHECK;
/* A hybrid identity's public key (CY_PQ_PUB_LEN), or NULL. */
const uint8_t *cy_pq_identity_public(const cy_identity *id);
/* A software key (base/key_soft.h) with a hybrid part from pq_seed
 * besides its Ed25519 seed and X25519 secret (either may be NULL). */
int cy_key_software_pq(const uint8_t *seed, const uint8_t *seal_sk,
    const uint8_t pq_seed[CY_PQ_SEED_LEN], cy_key **out,
    cy_error *err) CY_MUST_CHECK;
/* The AGE-SECRET-KEY-PQ-1… string of a hybrid seed. */
int cy_pq_identity_string(const uint8_t seed[CY_PQ_SEED_LEN],
    char out[CY_IDENTITY_STR_MAX], cy_error *err) CY_MUST_CHECK;

/* The AGE-SECRET-KEY-1… string of an X25519 secret. */
int cy_x25519_identity_string(const uint8_t secret[CY_X25519_KEY_LEN],
    char out[CY_IDENTITY_STR_MAX], cy_error *err) CY_MUST_CHECK;

/* The X25519 stanza's recipe, shared with the release stanza: an
 * ephemeral share, the wrap key HKDF-SHA-256(ikm = X25519 shared secret ||
 * extra, salt = share || recipient's public key, info), the file key
 * under ChaCha20-Poly1305 with a zero nonce. */
#define CY_X25519_SHARE_B64_SIZE (CY_B64_UNPADDED_LEN(CY_X25519_KEY_LEN) + 1)
struct cy_x25519_wrapping {
	const uint8_t *extra;   /* appended to the shared secret; may be NULL */
	size_t extra_len;
	const char *info;       /* the HKDF info */
	const char *stanza;     /* the stanza's name, for messages */
};
int cy_x25519_share_wrap(const struct cy_x25519_wrapping *w,
    const uint8_t pub[CY_X25519_KEY_LEN], const uint8_t *file_key,
    char share_b64[CY_X25519_SHARE_B64_SIZE],
    uint8_t body[CY_WRAPPED_KEY_LEN], cy_error *err) CY_MUST_CHECK;
/* 0 when arg is a canonical unpadded base64 share of 32 bytes, else -1. */
int cy_x25519_share_decode(const char *arg,
    uint8_t share[CY_X25519_KEY_LEN]) CY_MUST_CHECK;
/* Opens body (CY_WRAPPED_KEY_LEN bytes) with key's X25519 operation:
 * 0, CY_E_NO_MATCH when it does not authenticate, CY_E_HEADER for a
 * low-order share, or the key's error. */
int cy_x25519_share_unwrap(const struct cy_x25519_wrapping *w,
    const cy_key *key, const uint8_t pub[CY_X25519_KEY_LEN],
    const uint8_t share[CY_X25519_KEY_LEN], const uint8_t *body,
    uint8_t *file_key, cy_error *err) CY_MUST_CHECK;

/* The methods of each kind. */
cy_wrap_fn cy_x25519_wrap, cy_scrypt_wrap, cy_pq_wrap, cy_release_wrap,
    cy_release_pq_wrap;
cy_unwrap_fn cy_x25519_unwrap, cy_scrypt_unwrap, cy_pq_unwrap,
    cy_release_unwrap, cy_release_pq_unwrap;

#endif
