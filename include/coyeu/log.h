/* coyeu — the register: an append-only Merkle log of signed entries in one
 * store: by default one SQLite file (WAL), or any store driver (store.h).
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
#include "coyeu/entry.h"
#include "coyeu/error.h"
#include "coyeu/merkle.h"
#include "coyeu/note.h"
#include "coyeu/store.h"

#define CY_LOG_FORMAT "coyeu-register-v2"
#define CY_LOG_BATCH_MAX 100000 /* entries in one append */
/* Seconds an entry's signed time may lie from the register's clock. */
#define CY_LOG_SKEW 300
/* The most an import may widen it to (about 200 years). */
#define CY_LOG_SKEW_MAX 6400000000ULL

typedef struct cy_log cy_log;

enum cy_log_flags {
	CY_LOG_READONLY = 1,
};

/* The register's clock: UTC now, as POSIX seconds. */
typedef int64_t cy_log_clock_fn(void *ctx);

typedef struct cy_log_options {
	int flags;              /* cy_log_flags */
	cy_log_clock_fn *clock; /* NULL: the system's clock */
	void *clock_ctx;
	/* How far in the past an appended entry's time may lie, in seconds:
	 * 0 means CY_LOG_SKEW.  Wider (at most CY_LOG_SKEW_MAX) is for
	 * importing old records; the entries beyond CY_LOG_SKEW are then
	 * imported (cy_log_entry_info).  An entry more than CY_LOG_SKEW in
	 * the future is always refused. */
	uint64_t max_skew;
} cy_log_options;

/* Creates an empty register (refuses an existing file) whose origin is the
 * signer's key name, and stores its signed size-0 checkpoint, time-stamped
 * by o's clock (o may be NULL).  key_path (may be NULL) is remembered as
 * where the checkpoint key lives. */
CY_API int cy_log_create(const char *path, const cy_note_signer *signer,
    const char *key_path, const cy_log_options *o, cy_error *err) CY_MUST_CHECK;
/* Opens a register: path is an SQLite file, or a store as coyeud's
 * "db =" names it ("sqlite:PATH", "postgres://…"; cy_store_driver_for). */
CY_API int cy_log_open(const char *path, int flags, cy_log **out,
    cy_error *err) CY_MUST_CHECK;
/* The same with options (o NULL: the defaults). */
CY_API int cy_log_open_with(const char *path, const cy_log_options *o,
    cy_log **out,
    cy_error *err) CY_MUST_CHECK;
/* cy_log_create and cy_log_open_with on a store opened through any driver
 * (store.h): path-based ones are these on the SQLite driver.  The store is
 * borrowed: close it after the cy_log.  A failed create leaves the store
 * as it was (one transaction). */
CY_API int cy_log_create_store(cy_store *s, const cy_note_signer *signer,
    const char *key_path, const cy_log_options *o, cy_error *err) CY_MUST_CHECK;
CY_API int cy_log_open_store(cy_store *s, const cy_log_options *o,
    cy_log **out, cy_error *err) CY_MUST_CHECK;
CY_API void cy_log_close(cy_log *l);

CY_API uint64_t cy_log_size(const cy_log *l);
CY_API const char *cy_log_origin(const cy_log *l);
CY_API const cy_note_verifier *cy_log_verifier(const cy_log *l);
/* The key path given at creation, or NULL. */
CY_API const char *cy_log_key_path(const cy_log *l);
/* Catches up with appends made through other handles or processes. */
CY_API int cy_log_refresh(cy_log *l, cy_error *err) CY_MUST_CHECK;
/* Ends a read-only handle's snapshot (its read transaction) until the next
 * cy_log_refresh: a handle kept idle then holds nothing of the store (an
 * SQLite WAL behind an open snapshot can never be restarted and grows
 * while others append). */
CY_API void cy_log_release(cy_log *l);

/* Appends a batch (see above), checking entries on `threads` threads (0:
 * all cores).  The signer must be the log's key.  The register's clock is
 * read once: every entry's time must lie within the skew of it (see
 * cy_log_options), and the batch's checkpoint carries that time in the
 * register's timestamped cosignature (never earlier than the previous
 * checkpoint's).  An entry already in the register, or twice in the batch,
 * is refused.  On success *first is the index of entries[0].  If any entry
 * is refused, nothing is appended and *bad (if not NULL) is its position
 * in the batch. */
CY_API int cy_log_append(cy_log *l, const cy_note_signer *signer,
    const uint8_t *const *entries, const size_t *lens, size_t n, int threads,
    uint64_t *first, size_t *bad, cy_error *err) CY_MUST_CHECK;

/* Runs inside cy_log_append_with's write transaction, after the batch's
 * entries are stored and before the commit (first: entries[0]'s index):
 * a daemon stores there what must be durable with the entries (its
 * requests' nonces, a document's records).  A non-zero return rolls the
 * whole batch back and is what the append returns. */
typedef int cy_log_append_hook(void *ctx, cy_store *s, uint64_t first,
    cy_error *err);

/* cy_log_append, with a hook (may be NULL). */
CY_API int cy_log_append_with(cy_log *l, const cy_note_signer *signer,
    const uint8_t *const *entries, const size_t *lens, size_t n, int threads,
    cy_log_append_hook *hook, void *hook_ctx, uint64_t *first, size_t *bad,
    cy_error *err) CY_MUST_CHECK;

/* cy_log_append_with, where checked (may be NULL) holds for each entry
 * NULL or the cy_entry_check result of the same bytes: such an entry's
 * signature is not checked again.  One whose bytes differ from its checked
 * object's is checked as any other. */
CY_API int cy_log_append_checked(cy_log *l, const cy_note_signer *signer,
    const uint8_t *const *entries, const size_t *lens,
    const cy_entry_checked *const *checked, size_t n, int threads,
    cy_log_append_hook *hook, void *hook_ctx, uint64_t *first, size_t *bad,
    cy_error *err) CY_MUST_CHECK;

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

/* What the register's signed data say of entry index: the checkpoint of
 * its batch (the first one holding it: its size and the register's time),
 * the entry's own signed time, and whether it was imported — its time is
 * more than CY_LOG_SKEW before the register's.  Derived from the entry's
 * signature and the batch checkpoint's cosignature, both checked here. */
typedef struct cy_log_entry_info {
	uint64_t batch_size;   /* size of the batch's checkpoint */
	uint64_t logged;       /* the register's time of that checkpoint */
	int64_t time;          /* the entry's signed time */
	int imported;
} cy_log_entry_info;
CY_API int cy_log_entry_info_get(cy_log *l, uint64_t index,
    cy_log_entry_info *info,
    cy_error *err) CY_MUST_CHECK;
/* Whether an entry signed at `time` and first checkpointed at `logged` was
 * imported (1), accepted in the window (0), or lies beyond it in the
 * future (-1: never accepted). */
CY_API int cy_log_imported(int64_t time, uint64_t logged);
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
	uint64_t imported; /* entries imported with a widened skew */
} cy_log_audit_report;

/* Re-checks the whole register: every entry's form and signature, every
 * stored hash against the entries, every checkpoint's signature,
 * cosignature and root, that the checkpoints form one unbroken chain
 * (each names the size of the one before it, times never go back, the
 * last is the register's size), that no entry is there twice, and every
 * entry's time against its batch's checkpoint time.  v NULL uses the
 * stored verifier key.  The error names the first problem. */
CY_API int cy_log_audit(cy_log *l, const cy_note_verifier *v, int threads,
    cy_log_audit_report *report, cy_error *err) CY_MUST_CHECK;

/* Checks n entries on `threads` threads and computes their record hashes
 * and signed times (leaf, times may be NULL).  *bad receives the first
 * refused one. */
CY_API int cy_log_check_entries(const uint8_t *const *entries,
    const size_t *lens,
    size_t n, int threads, uint8_t (*leaf)[CY_HASH_LEN], int64_t *times,
    size_t *bad, cy_error *err) CY_MUST_CHECK;

#endif
