/* coyeu — C2SP signed notes (Ed25519) and C2SP tlog checkpoints.
 *
 * Keys use the golang.org/x/mod/sumdb/note text forms:
 *   verifier  <name>+<hex8 key ID>+<base64(0x01 || 32-byte public key)>
 *   signer    PRIVATE+KEY+<name>+<hex8 key ID>+<base64(0x01 || 32-byte seed)>
 * with key ID = SHA-256(name || 0x0A || 0x01 || public key)[:4].
 */
#ifndef COYEU_NOTE_H
#define COYEU_NOTE_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/buf.h"
#include "coyeu/error.h"
#include "coyeu/key.h"
#include "coyeu/merkle.h"

#define CY_NOTE_MAX (256 * 1024) /* whole signed note */
#define CY_NOTE_SIGS_MAX 100     /* signature lines in a note (as Go's note) */
#define CY_NOTE_NAME_MAX 255     /* key name, bytes */
#define CY_NOTE_KEY_STR_MAX 512  /* a signer or verifier string, NUL included */
#define CY_ORIGIN_MAX CY_NOTE_NAME_MAX

/* A note signer is a key name and key ID; its signatures are made by a
 * key (key.h).  Generated and parsed ones hold a software key. */
typedef struct cy_note_signer cy_note_signer;
typedef struct cy_note_verifier cy_note_verifier;

/* A new random Ed25519 signer; name must be a valid key name (non-empty,
 * no spaces, no '+'). */
CY_API int cy_note_signer_generate(const char *name, cy_note_signer **out,
    cy_error *err) CY_MUST_CHECK;
/* A signer for name whose signatures key makes (a token's, say); key must
 * outlive the signer. */
CY_API int cy_note_signer_from_key(const char *name, const cy_key *key,
    cy_note_signer **out, cy_error *err) CY_MUST_CHECK;
/* Parses "PRIVATE+KEY+…"; a trailing newline is allowed. */
CY_API int cy_note_signer_parse(const char *s, size_t len, cy_note_signer **out,
    cy_error *err) CY_MUST_CHECK;
/* The "PRIVATE+KEY+…" string, newline-terminated (cy_buf_free wipes it):
 * the log key file that `coyeu log init` writes.  Only for a generated or
 * parsed signer; CY_E_USAGE for one made from another key. */
CY_API int cy_note_signer_string(const cy_note_signer *s, cy_buf *out,
    cy_error *err) CY_MUST_CHECK;
/* The matching verifier string, NUL-terminated. */
CY_API void cy_note_signer_verifier_string(const cy_note_signer *s,
    char out[CY_NOTE_KEY_STR_MAX]);
CY_API const char *cy_note_signer_name(const cy_note_signer *s);
CY_API void cy_note_signer_free(cy_note_signer *s);

/* Parses "<name>+<hex8>+<base64>"; a trailing newline is allowed.  Refuses
 * a key ID that does not match the name and key. */
CY_API int cy_note_verifier_parse(const char *s, size_t len,
    cy_note_verifier **out,
    cy_error *err) CY_MUST_CHECK;
CY_API const char *cy_note_verifier_name(const cy_note_verifier *v);
CY_API uint32_t cy_note_verifier_id(const cy_note_verifier *v);
CY_API const uint8_t *cy_note_verifier_key(const cy_note_verifier *v); /* 32
    bytes */
CY_API void cy_note_verifier_string(const cy_note_verifier *v,
    char out[CY_NOTE_KEY_STR_MAX]);
CY_API void cy_note_verifier_free(cy_note_verifier *v);
/* The same key as a C2SP tlog-cosignature (Ed25519, cosignature/v1)
 * verifier key: <name>+<hex8>+<base64(0x04 || public key)>, key ID =
 * SHA-256(name || 0x0A || 0x04 || public key)[:4]. */
CY_API void cy_note_verifier_cosig_string(const cy_note_verifier *v,
    char out[CY_NOTE_KEY_STR_MAX]);

/* Appends to out the note: text (which must end in a newline, be UTF-8 and
 * hold no other control character), a blank line, one signature line. */
CY_API int cy_note_sign(const uint8_t *text, size_t len,
    const cy_note_signer *s,
    cy_buf *out, cy_error *err) CY_MUST_CHECK;
/* Checks a note's form and its signatures by the known verifiers: unknown
 * keys are ignored, a known key's bad signature rejects the note, and at
 * least one known key must have signed.  *text_len receives the length of
 * the signed text (a prefix of note). */
CY_API int cy_note_open(const uint8_t *note, size_t len,
    const cy_note_verifier *const *verifiers, size_t nverifiers,
    size_t *text_len, cy_error *err) CY_MUST_CHECK;

/* --- timestamped cosignatures (c2sp.org/tlog-cosignature) ---
 * A signature line by the signer's name whose key ID is the 0x04 one and
 * whose bytes are key ID || u64 big-endian time t || Ed25519 signature over
 * "cosignature/v1\n" "time <t>\n" and the note text (t at most 2^63 - 1). */

/* Appends the cosignature line (with its newline) over text to out, which
 * holds the note being signed. */
CY_API int cy_note_cosign(const uint8_t *text, size_t len, uint64_t t,
    const cy_note_signer *s, cy_buf *out, cy_error *err) CY_MUST_CHECK;
/* In a note that cy_note_open accepted (text_len from it), the one
 * cosignature by v's key: refused when missing, repeated or not verifying;
 * *t receives its time. */
CY_API int cy_note_cosig_verify(const uint8_t *note, size_t len,
    size_t text_len,
    const cy_note_verifier *v, uint64_t *t, cy_error *err) CY_MUST_CHECK;

/* --- checkpoints (c2sp.org/tlog-checkpoint) --- */
typedef struct cy_checkpoint {
	char origin[CY_ORIGIN_MAX + 1];
	uint64_t size;
	uint8_t root[CY_HASH_LEN];
	/* coyeu's extension line "coyeu.v1/previous <size>": the size of the
	 * register's checkpoint before this one (none for size 0). */
	int has_previous;
	uint64_t previous;
	/* The time of the log key's timestamped cosignature, POSIX seconds:
	 * what cy_checkpoint_sign signs, what cy_checkpoint_open verified. */
	uint64_t time;
} cy_checkpoint;

/* The note text: origin, size, base64 root hash, each on its own line. */
CY_API int cy_checkpoint_format(const cy_checkpoint *c, cy_buf *out,
    cy_error *err) CY_MUST_CHECK;
/* Parses checkpoint note text; extension lines are allowed and ignored,
 * but for coyeu's "coyeu.v1/previous N" (at most once, N below the size). */
CY_API int cy_checkpoint_parse(const uint8_t *text, size_t len,
    cy_checkpoint *out,
    cy_error *err) CY_MUST_CHECK;
/* Signs c as a note (appended to out): the note signature and the same
 * key's timestamped cosignature at c->time. */
CY_API int cy_checkpoint_sign(const cy_checkpoint *c, const cy_note_signer *s,
    cy_buf *out, cy_error *err) CY_MUST_CHECK;
/* Opens a signed checkpoint with the log's verifier and parses it; the
 * origin must equal the verifier's key name, and the same key's timestamped
 * cosignature must be there and verify (its time into out->time). */
CY_API int cy_checkpoint_open(const uint8_t *note, size_t len,
    const cy_note_verifier *v, cy_checkpoint *out, cy_error *err) CY_MUST_CHECK;

#endif
