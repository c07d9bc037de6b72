/* coyeu — C2SP tlog-proof files (c2sp.org/tlog-proof@v1): an entry's index,
 * its inclusion proof and the signed checkpoint it leads to.  A register
 * receipt is one of these. */
#ifndef COYEU_TLOGPROOF_H
#define COYEU_TLOGPROOF_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/buf.h"
#include "coyeu/error.h"
#include "coyeu/merkle.h"
#include "coyeu/note.h"

#define CY_TLOGPROOF_HEADER "c2sp.org/tlog-proof@v1"
#define CY_TLOGPROOF_MAX (CY_NOTE_MAX + 16 * 1024)
#define CY_TLOGPROOF_EXTRA_MAX 4096 /* decoded extra data */

typedef struct cy_tlogproof cy_tlogproof;

/* Appends the proof text to out.  extra may be NULL. */
CY_API int cy_tlogproof_format(uint64_t index,
    const uint8_t proof[][CY_HASH_LEN],
    size_t n, const uint8_t *extra, size_t extra_len, const uint8_t *note,
    size_t note_len, cy_buf *out, cy_error *err) CY_MUST_CHECK;

/* Parses the text form; the checkpoint is kept as it was (verified later). */
CY_API int cy_tlogproof_parse(const uint8_t *in, size_t len, cy_tlogproof **out,
    cy_error *err) CY_MUST_CHECK;
CY_API uint64_t cy_tlogproof_index(const cy_tlogproof *p);
/* The inclusion proof hashes; returns their count. */
CY_API size_t cy_tlogproof_hashes(const cy_tlogproof *p,
    const uint8_t (**hashes)[CY_HASH_LEN]);
CY_API const uint8_t *cy_tlogproof_extra(const cy_tlogproof *p, size_t *len);
CY_API const uint8_t *cy_tlogproof_note(const cy_tlogproof *p, size_t *len);
CY_API void cy_tlogproof_free(cy_tlogproof *p);

/* Verifies that the exact bytes of entry are the leaf at the proof's index
 * in the checkpoint signed by v (record hash SHA-256(0x00 || entry)).
 * Fills cp (if not NULL) with the checkpoint on success. */
CY_API int cy_tlogproof_verify(const cy_tlogproof *p, const cy_note_verifier *v,
    const uint8_t *entry, size_t len, cy_checkpoint *cp,
    cy_error *err) CY_MUST_CHECK;

#endif
