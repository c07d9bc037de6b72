/* coyeu — the register: an append-only Merkle log of signed entries in one
 * SQLite file (WAL).
 *
 * Appends come in batches: every entry is checked (form and signature), the
 * batch is sequenced, hashed into the tree, stored together with the tiles
 * it completes and a newly signed checkpoint, and made durable by one
 * commit (synchronous=FULL).  Only then does cy_log_append return, so an
 * index it reports is never lost.  Full tiles are stored with their inner
 * nodes, so a proof reads O(log n) stored hashes and computes none.
 *
 * A cy_log handle belongs to one thread at a time; open one per thread.
 */
#ifndef COYEU_LOG_H
#define COYEU_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/buf.h"
#include "coyeu/error.h"
#include "coyeu/merkle.h"
#include "coyeu/note.h"

#define CY_LOG_FORMAT "coyeu-register-v1"
#define CY_LOG_BATCH_MAX 100000 /* entries in one append */

typedef struct cy_log cy_log;

enum cy_log_flags {
	CY_LOG_READONLY = 1,
};

/* Creates an empty register (refuses an existing file) whose origin is the
 * signer's key name, and stores its signed size-0 checkpoint.  key_path
 * (may be NULL) is remembered as where the checkpoint key lives. */
CY_API int cy_log_create(const char *path, const cy_note_signer *signer,
    const char *key_path, cy_error *err) CY_MUST_CHECK;
CY_API int cy_log_open(const char *path, int flags, cy_log **out,
    cy_error *err) CY_MUST_CHECK;
CY_API void cy_log_close(cy_log *l);

CY_API uint64_t cy_log_size(const cy_log *l);
CY_API const char *cy_log_origin(const cy_log *l);
CY_API const cy_note_verifier *cy_log_verifier(const cy_log *l);
/* The key path given at creation, or NULL. */
CY_API const char *cy_log_key_path(const cy_log *l);
/* Catches up with appends made through other handles or processes. */
CY_API int cy_log_refresh(cy_log *l, cy_error *err) CY_MUST_CHECK;

/* Appends a batch (see above), checking entries on `threads` threads (0:
 * all cores).  The signer must be the log's key.  On success *first is the
 * index of entries[0].  If any entry is refused, nothing is appended and
 * *bad (if not NULL) is its position in the batch. */
CY_API int cy_log_append(cy_log *l, const cy_note_signer *signer,
    const uint8_t *const *entries, const size_t *lens, size_t n, int threads,
    uint64_t *first, size_t *bad, cy_error *err) CY_MUST_CHECK;

/* The checkpoint signed at exactly `size`, or the latest one. */
CY_API int cy_log_checkpoint_at(cy_log *l, uint64_t size, cy_buf *note,
    cy_error *err) CY_MUST_CHECK;
CY_API int cy_log_checkpoint_latest(cy_log *l, cy_buf *note, cy_checkpoint *c,
    cy_error *err) CY_MUST_CHECK;

/* The sizes (ascending, malloc'd) of the stored checkpoints at or above
 * `from`. */
CY_API int cy_log_checkpoint_sizes(cy_log *l, uint64_t from, uint64_t **sizes,
    size_t *n, cy_error *err) CY_MUST_CHECK;

/* The stored bytes of entry index. */
CY_API int cy_log_entry(cy_log *l, uint64_t index, cy_buf *out,
    cy_error *err) CY_MUST_CHECK;
/* The tree root at any size up to the current one. */
CY_API int cy_log_root(cy_log *l, uint64_t size, uint8_t root[CY_HASH_LEN],
    cy_error *err) CY_MUST_CHECK;
CY_API int cy_log_inclusion_proof(cy_log *l, uint64_t index, uint64_t size,
    uint8_t proof[][CY_HASH_LEN], size_t *n, cy_error *err) CY_MUST_CHECK;
CY_API int cy_log_consistency_proof(cy_log *l, uint64_t size1, uint64_t size2,
    uint8_t proof[][CY_HASH_LEN], size_t *n, cy_error *err) CY_MUST_CHECK;
/* A C2SP tlog-proof for entry index against the checkpoint signed at
 * `size` (0: the latest checkpoint). */
CY_API int cy_log_receipt(cy_log *l, uint64_t index, uint64_t size, cy_buf *out,
    cy_error *err) CY_MUST_CHECK;

/* The base hashes of tile (level, index), width of them (1..256), as C2SP
 * tlog-tiles serves them; a partial width must not exceed what the tree
 * holds. */
CY_API int cy_log_tile(cy_log *l, unsigned level, uint64_t index,
    unsigned width,
    uint8_t *out, cy_error *err) CY_MUST_CHECK;

typedef struct cy_log_audit_report {
	uint64_t entries, tiles, checkpoints;
} cy_log_audit_report;

/* Re-checks the whole register: every entry's form and signature, every
 * stored hash against the entries, every checkpoint's signature and root.
 * v NULL uses the stored verifier key.  The error names the first problem. */
CY_API int cy_log_audit(cy_log *l, const cy_note_verifier *v, int threads,
    cy_log_audit_report *report, cy_error *err) CY_MUST_CHECK;

/* Checks n entries on `threads` threads and computes their record hashes
 * (leaf may be NULL).  *bad receives the first refused one. */
CY_API int cy_log_check_entries(const uint8_t *const *entries,
    const size_t *lens,
    size_t n, int threads, uint8_t (*leaf)[CY_HASH_LEN], size_t *bad,
    cy_error *err) CY_MUST_CHECK;

#endif
