/* coyeu — transparency log witnessing (c2sp.org/tlog-witness).
 *
 * A log sends its witness an add-checkpoint request: "old <size>\n", the
 * consistency proof from that size (one base64 hash a line, at most 63),
 * a blank line, and the signed checkpoint.  The witness checks the log's
 * signature, that the old size is the one it last cosigned, and the proof,
 * then answers with its timestamped cosignature (c2sp.org/tlog-cosignature,
 * Ed25519, key type 0x04).  docs/witness.md describes the protocol as
 * coyeu's registries use it.
 */
#ifndef COYEU_WITNESS_H
#define COYEU_WITNESS_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/buf.h"
#include "coyeu/encoding.h"
#include "coyeu/error.h"
#include "coyeu/merkle.h"
#include "coyeu/note.h"

#define CY_WITNESS_PROOF_MAX 63 /* consistency proof lines (the spec's cap) */
/* A request body: the old size line, the proof lines, the blank line and
 * a whole signed note. */
#define CY_WITNESS_BODY_MAX \
	(32 + CY_WITNESS_PROOF_MAX * (CY_B64_PADDED_LEN(CY_HASH_LEN) + 1) + 1 + \
	    CY_NOTE_MAX)
/* A witness's answer: its signature lines. */
#define CY_WITNESS_RESPONSE_MAX (16 * 1024)
/* The 409 answer's media type and body ("<size>\n"). */
#define CY_WITNESS_SIZE_TYPE "text/x.tlog.size"

/* A parsed add-checkpoint body.  note points into the parsed body. */
typedef struct cy_witness_request {
	uint64_t old_size;
	size_t nproof;
	uint8_t proof[CY_WITNESS_PROOF_MAX][CY_HASH_LEN];
	/* The checkpoint's origin line, not yet verified: it selects the log
	 * key to verify with. */
	char origin[CY_ORIGIN_MAX + 1];
	const uint8_t *note;
	size_t note_len;
} cy_witness_request;

/* What a witness keeps for a log: the latest checkpoint it cosigned. */
typedef struct cy_witness_state {
	uint64_t size;
	uint8_t root[CY_HASH_LEN];
} cy_witness_state;

/* The decision, as the HTTP answer the spec prescribes. */
typedef struct cy_witness_result {
	int status;               /* 200, 400, 403, 404, 409 or 422 */
	uint64_t size;            /* 409 for an old size: the witness's size */
	cy_checkpoint checkpoint; /* 200: what was cosigned, the new state */
} cy_witness_result;

/* Parses an add-checkpoint body (at most CY_WITNESS_BODY_MAX bytes). */
CY_API int cy_witness_request_parse(const uint8_t *body, size_t len,
    cy_witness_request *out, cy_error *err) CY_MUST_CHECK;
/* Appends the body for note (a signed checkpoint) with the proof from
 * old_size to out. */
CY_API int cy_witness_request_build(uint64_t old_size,
    const uint8_t proof[][CY_HASH_LEN], size_t n, const uint8_t *note,
    size_t note_len, cy_buf *out, cy_error *err) CY_MUST_CHECK;

/* The witness's decision on rq for the log whose key is `log` (NULL: the
 * witness does not know rq->origin), given what it holds for that log
 * (state, NULL: it never cosigned one) and the time now (POSIX seconds).
 * 0: the cosignature line by `witness` (with its newline) is appended to
 * cosig, res->checkpoint is the new state to persist before answering.
 * Else a negative code, err says why and res->status is the answer: 404
 * unknown log, 403 no valid log signature, 400 malformed checkpoint or an
 * old size above its size, 409 an old size other than the witness's
 * (res->size holds it) or a second root for the size it holds, 422 a
 * consistency proof that does not verify. */
CY_API int cy_witness_add(const cy_witness_request *rq,
    const cy_note_verifier *log, const cy_witness_state *state,
    const cy_note_signer *witness, uint64_t now, cy_buf *cosig,
    cy_witness_result *res, cy_error *err) CY_MUST_CHECK;

/* The state record a witness stores: "<size>\n<base64 root>\n" and the
 * checkpoint note it cosigned (kept as evidence). */
CY_API int cy_witness_state_format(const cy_witness_state *st,
    const uint8_t *note, size_t note_len, cy_buf *out,
    cy_error *err) CY_MUST_CHECK;
/* Parses one; *note (may be NULL) points into data. */
CY_API int cy_witness_state_parse(const uint8_t *data, size_t len,
    cy_witness_state *out, const uint8_t **note, size_t *note_len,
    cy_error *err) CY_MUST_CHECK;

/* The body of a 409 answer, "<size>\n": the size the witness holds. */
CY_API int cy_witness_size_parse(const uint8_t *body, size_t len,
    uint64_t *size, cy_error *err) CY_MUST_CHECK;

/* A witness key: its cosignature verifier string
 * "<name>+<hex8>+<base64(0x04 || key)>", or the same key's note verifier
 * string (type 0x01).  Either way the result verifies its cosignatures. */
CY_API int cy_witness_key_parse(const char *s, size_t len,
    cy_note_verifier **out, cy_error *err) CY_MUST_CHECK;

/* In a witness's answer to add-checkpoint for note (signed by log), the
 * cosignature line by `witness`, verified over the checkpoint: appended
 * to line, its time into *t.  Lines by other keys are ignored. */
CY_API int cy_witness_response_take(const uint8_t *note, size_t note_len,
    const cy_note_verifier *log, const uint8_t *resp, size_t resp_len,
    const cy_note_verifier *witness, cy_buf *line, uint64_t *t,
    cy_error *err) CY_MUST_CHECK;

/* That the checkpoint note, signed by log, carries a valid timestamped
 * cosignature by witness (its time into *t). */
CY_API int cy_witness_cosig_verify(const uint8_t *note, size_t len,
    const cy_note_verifier *log, const cy_note_verifier *witness, uint64_t *t,
    cy_error *err) CY_MUST_CHECK;

#endif
