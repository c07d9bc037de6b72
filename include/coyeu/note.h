/* coyeu — C2SP signed notes and tlog checkpoints.
 *
 * A signed note is a text ending in LF, a blank line, then signature lines
 * "— <key name> <base64(key ID || signature)>".  With Ed25519 (type 0x01)
 * the signature covers the text, final LF included; the key ID is the first
 * four bytes of SHA-256(name || 0x0A || 0x01 || public key), big-endian.
 * A verifier key reads "<name>+<hex8 key ID>+<base64(0x01 || public key)>".
 *
 * A checkpoint (C2SP tlog-checkpoint) is a note whose text is the origin
 * line, the tree size in decimal, the root hash in base64, then optional
 * extension lines.
 */
#ifndef COYEU_NOTE_H
#define COYEU_NOTE_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/buf.h"
#include "coyeu/error.h"

#define CY_NOTE_MAX (1024 * 1024)   /* a whole note, bytes */
#define CY_NOTE_MAX_SIGS 100        /* as Go's note.Open */
#define CY_NOTE_NAME_MAX 255
#define CY_NOTE_ALG_ED25519 0x01
#define CY_NOTE_VKEY_MAX (CY_NOTE_NAME_MAX + 64)
#define CY_CHECKPOINT_HASH_LEN 32
#define CY_CHECKPOINT_EXT_MAX 16    /* extension lines */

typedef struct cy_note_verifier {
	char name[CY_NOTE_NAME_MAX + 1];
	uint32_t key_id;
	uint8_t pub[32];
} cy_note_verifier;

/* A key name: non-empty UTF-8 without spaces, '+' or control characters. */
int cy_note_name_valid(const char *name, size_t len);
uint32_t cy_note_key_id(const char *name, const uint8_t pub[32]);

int cy_note_verifier_parse(const char *vkey, size_t len, cy_note_verifier *v,
    cy_error *err) CY_MUST_CHECK;
/* "name+hex8+base64" into out (CY_NOTE_VKEY_MAX bytes). */
int cy_note_verifier_format(const char *name, const uint8_t pub[32],
    char out[CY_NOTE_VKEY_MAX], cy_error *err) CY_MUST_CHECK;
/* A "PRIVATE+KEY+name+hex8+base64(0x01 || seed)" signer key (Go's
 * format): the name and the 32-byte seed (caller wipes it). */
int cy_note_signer_parse(const char *skey, size_t len,
    char name[CY_NOTE_NAME_MAX + 1], uint8_t seed[32], cy_error *err)
    CY_MUST_CHECK;

/* Appends text, the blank line and one signature line by the Ed25519 key
 * (libsodium's 64-byte form).  The text must be a valid note text. */
int cy_note_sign(const uint8_t *text, size_t len, const char *name,
    const uint8_t sk[64], cy_buf *out, cy_error *err) CY_MUST_CHECK;
/* Adds one more signature line to a signed note (cosigning). */
int cy_note_cosign(const uint8_t *note, size_t len, const char *name,
    const uint8_t sk[64], cy_buf *out, cy_error *err) CY_MUST_CHECK;

/* Verifies that v signed the note; *text_len receives the text's length
 * (final LF included).  Lines by other keys are ignored; a line by v's
 * name and key ID that does not verify rejects the note.  Errors:
 * CY_E_FORMAT (malformed note), CY_E_SIGNATURE (no valid signature by v). */
int cy_note_open(const uint8_t *note, size_t len, const cy_note_verifier *v,
    size_t *text_len, cy_error *err) CY_MUST_CHECK;

typedef struct cy_checkpoint {
	char origin[CY_NOTE_NAME_MAX + 1];
	uint64_t size;
	uint8_t root[CY_CHECKPOINT_HASH_LEN];
	size_t next_len;    /* extension lines, kept verbatim */
} cy_checkpoint;

/* Parses a checkpoint text (not the signatures). */
int cy_checkpoint_parse(const uint8_t *text, size_t len, cy_checkpoint *c,
    cy_error *err) CY_MUST_CHECK;
/* Appends the checkpoint text (no extension lines). */
int cy_checkpoint_format(const cy_checkpoint *c, cy_buf *out) CY_MUST_CHECK;
/* Opens a signed checkpoint with v, checking the origin equals v's name. */
int cy_checkpoint_open(const uint8_t *note, size_t len,
    const cy_note_verifier *v, cy_checkpoint *c, cy_error *err) CY_MUST_CHECK;

#endif
