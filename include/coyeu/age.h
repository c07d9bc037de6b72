/* coyeu — the age v1 engine: recipients, identities, seal and open.
 *
 * Files written here are age v1 files (C2SP age specification); any age
 * implementation opens them.  The payload runs through a bounded parallel
 * pipeline of STREAM chunks (see stream.h).
 */
#ifndef COYEU_AGE_H
#define COYEU_AGE_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/buf.h"
#include "coyeu/error.h"
#include "coyeu/key.h"

#define CY_FILE_KEY_LEN 16
#define CY_X25519_KEY_LEN 32
#define CY_SCRYPT_DEFAULT_LOG_N 18
#define CY_SCRYPT_MAX_LOG_N 22
#define CY_HEADER_MAX (1024 * 1024)  /* cap on a header we read */
/* "age1…" (62) or "age1pq1…" (1959), NUL included */
#define CY_RECIPIENT_STR_MAX 2048
#define CY_IDENTITY_STR_MAX 128

typedef struct cy_recipient cy_recipient;
typedef struct cy_identity cy_identity;

/* --- recipients (who a file is sealed to) --- */
/* "age1…" (X25519) or "age1pq1…" (the post-quantum MLKEM768-X25519
 * hybrid, checked as FIPS 203 requires). */
CY_API int cy_recipient_parse(const char *s, cy_recipient **out,
    cy_error *err) CY_MUST_CHECK;
CY_API int cy_recipient_x25519(const uint8_t pub[CY_X25519_KEY_LEN],
    cy_recipient **out,
    cy_error *err) CY_MUST_CHECK;
/* The hybrid recipient of a raw public key (ML-KEM-768 ek || X25519,
 * CY_KEY_PQ_PUBLIC_LEN bytes); CY_E_FORMAT when the ML-KEM key fails the
 * FIPS 203 modulus check. */
CY_API int cy_recipient_pq(const uint8_t pub[CY_KEY_PQ_PUBLIC_LEN],
    cy_recipient **out, cy_error *err) CY_MUST_CHECK;
/* A passphrase recipient; such a stanza must be the file's only one. */
CY_API int cy_recipient_scrypt(const char *pass, size_t len, int log_n,
    cy_recipient **out, cy_error *err) CY_MUST_CHECK;
/* Recipients file (-R): one recipient a line, '#' comments, blank lines. */
CY_API int cy_recipients_file_parse(const uint8_t *buf, size_t len,
    cy_recipient ***out, size_t *n, cy_error *err) CY_MUST_CHECK;
CY_API void cy_recipient_free(cy_recipient *r);
CY_API void cy_recipients_free(cy_recipient **r, size_t n);

/* --- identities (who can open) --- */
CY_API int cy_identity_generate(cy_identity **out, cy_error *err) CY_MUST_CHECK;
/* A post-quantum hybrid identity (age-keygen -pq). */
CY_API int cy_identity_generate_pq(cy_identity **out,
    cy_error *err) CY_MUST_CHECK;
/* "AGE-SECRET-KEY-1…" (X25519) or "AGE-SECRET-KEY-PQ-1…" (hybrid). */
CY_API int cy_identity_parse(const char *s, cy_identity **out,
    cy_error *err) CY_MUST_CHECK;
CY_API int cy_identity_x25519(const uint8_t secret[CY_X25519_KEY_LEN],
    cy_identity **out, cy_error *err) CY_MUST_CHECK;
/* An X25519 identity whose stanzas are opened by key's X25519 operation
 * (an officer key, a token): the secret stays in the key, which must
 * outlive the identity.  Its recipient is the key's sealing public key. */
CY_API int cy_identity_from_key(const cy_key *key, cy_identity **out,
    cy_error *err) CY_MUST_CHECK;
/* A hybrid identity (opens mlkem768x25519 stanzas) whose decapsulation
 * goes through key's pq_decaps (key.h): the secret stays in the key, which
 * must outlive the identity.  Its recipient is the key's age1pq1… public
 * key.  CY_E_USAGE when the key has no hybrid part. */
CY_API int cy_identity_from_key_pq(const cy_key *key, cy_identity **out,
    cy_error *err) CY_MUST_CHECK;
CY_API int cy_identity_scrypt(const char *pass, size_t len, int max_log_n,
    cy_identity **out, cy_error *err) CY_MUST_CHECK;
/* An identity file as age-keygen writes it: '#' comments, blank lines,
 * one AGE-SECRET-KEY-1… or AGE-SECRET-KEY-PQ-1… a line. */
CY_API int cy_identity_file_parse(const uint8_t *buf, size_t len,
    cy_identity ***out, size_t *n, cy_error *err) CY_MUST_CHECK;
/* The age1… or age1pq1… string of an identity's public key. */
CY_API int cy_identity_recipient_string(const cy_identity *id,
    char out[CY_RECIPIENT_STR_MAX], cy_error *err) CY_MUST_CHECK;
/* The AGE-SECRET-KEY-1… (or -PQ-1…) string of an identity made from its
 * secret (generated or parsed; caller wipes it).  An identity made from a
 * key (cy_identity_from_key, cy_identity_from_key_pq) has none:
 * CY_E_USAGE. */
CY_API int cy_identity_string(const cy_identity *id,
    char out[CY_IDENTITY_STR_MAX],
    cy_error *err) CY_MUST_CHECK;
CY_API void cy_identity_free(cy_identity *id);
CY_API void cy_identities_free(cy_identity **ids, size_t n);

/* --- sealing and opening --- */
typedef void cy_progress_fn(void *ctx, uint64_t done, uint64_t total);

typedef struct cy_seal_params {
	cy_recipient *const *recipients;
	size_t nrecipients;
	int armor;                /* PEM armor output */
	int threads;              /* 0: all cores */
	cy_progress_fn *progress; /* optional */
	void *progress_ctx;
	uint64_t size_hint;       /* input size if known, for progress */
	/* Post-quantum (age1pq1…) and classic (age1…) recipients in one file
	 * are refused unless this is set: the age spec says SHOULD NOT, as
	 * the file is then only as strong as its classic recipients. */
	int allow_mixed_pq;
} cy_seal_params;

typedef struct cy_open_params {
	cy_identity *const *identities;
	size_t nidentities;
	int threads;              /* 0: all cores */
	cy_progress_fn *progress;
	void *progress_ctx;
	uint64_t size_hint;
	/* A classified document (a coyeu.v1/label stanza, document.h) is
	 * refused with CY_E_POLICY: this engine verifies neither its
	 * label, nor its sealer, nor its content against the sealer's digest
	 * (cy_doc_open_fd does).  Non-zero: open it anyway, unverified. */
	int unverified_label;
	int *saw_label;           /* optional: set to 1 when the file had one */
} cy_open_params;

/* Streams in_fd to out_fd.  out_fd is written as the payload verifies, so on
 * failure the caller discards it (cy_outfile_abort).  A regular in_fd is
 * read through a mapping: if another process truncates the file meanwhile,
 * the process gets SIGBUS, which the caller must handle (cli/guard.c). */
CY_API int cy_age_seal_fd(int in_fd, int out_fd, const cy_seal_params *p,
    cy_error *err) CY_MUST_CHECK;
CY_API int cy_age_open_fd(int in_fd, int out_fd, const cy_open_params *p,
    cy_error *err) CY_MUST_CHECK;

/* In memory.  The output buffer is appended to; on failure it may hold
 * partial plaintext that the caller must wipe (cy_buf_free does). */
CY_API int cy_age_seal_mem(const uint8_t *in, size_t len,
    const cy_seal_params *p,
    cy_buf *out, cy_error *err) CY_MUST_CHECK;
CY_API int cy_age_open_mem(const uint8_t *in, size_t len,
    const cy_open_params *p,
    cy_buf *out, cy_error *err) CY_MUST_CHECK;

#endif
