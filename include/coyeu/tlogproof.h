/* coyeu — C2SP tlog-proof: an offline-verifiable receipt that an entry is
 * in the log.
 *
 *   c2sp.org/tlog-proof@v1
 *   extra <base64>            (optional, opaque)
 *   index <N>
 *   <base64 hash>             one line per inclusion-proof hash
 *   <blank line>
 *   <the signed checkpoint note>
 */
#ifndef COYEU_TLOGPROOF_H
#define COYEU_TLOGPROOF_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/buf.h"
#include "coyeu/error.h"

#define CY_TLOG_PROOF_HEADER "c2sp.org/tlog-proof@v1"
#define CY_TLOG_PROOF_MAX_HASHES 64   /* a 64-bit tree is at most 64 deep */
#define CY_TLOG_PROOF_EXTRA_MAX 4096
#define CY_TLOG_PROOF_MAX (1024 * 1024 + 8192)

typedef struct cy_tlog_proof {
	uint64_t index;
	uint8_t hashes[CY_TLOG_PROOF_MAX_HASHES][32];
	size_t nhashes;
	uint8_t extra[CY_TLOG_PROOF_EXTRA_MAX];
	size_t extra_len;
	int has_extra;
	const uint8_t *checkpoint;  /* into the parsed input */
	size_t checkpoint_len;
} cy_tlog_proof;

/* Parses in; p->checkpoint points into in (the signed note, unverified). */
int cy_tlog_proof_parse(const uint8_t *in, size_t len, cy_tlog_proof *p,
    cy_error *err) CY_MUST_CHECK;
/* Appends the proof with the given signed checkpoint note. */
int cy_tlog_proof_format(const cy_tlog_proof *p, const uint8_t *checkpoint,
    size_t checkpoint_len, cy_buf *out) CY_MUST_CHECK;

#endif
