/* coyeu — the age STREAM payload (64 KiB ChaCha20-Poly1305 chunks), run on
 * all cores through a bounded pipeline: a few batches of chunks in flight,
 * so memory stays fixed whatever the input size. */
#ifndef COYEU_LIB_STREAM_H
#define COYEU_LIB_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "coyeu/age.h"
#include "coyeu/error.h"
#include "base/crypto.h"

#define CY_STREAM_CHUNK 65536
#define CY_STREAM_TAG 16
#define CY_STREAM_ENC_CHUNK (CY_STREAM_CHUNK + CY_STREAM_TAG)
#define CY_STREAM_NONCE_LEN 16     /* payload nonce after the header */
#define CY_STREAM_BATCH 16         /* chunks a worker batch holds */
#define CY_STREAM_SLOTS 4          /* batches in flight */
#define CY_STREAM_MAX_THREADS 64
#define CY_STREAM_RELEASE (16u << 20) /* mapped input dropped per step */
/* What a run checked against an earlier pass reports. */
#define CY_STREAM_CHANGED \
	"the input changed between the verifying pass and the output pass"

/* Reads up to len bytes, fewer only at end of input; a negative CY_E code
 * (with err set) on error. */
typedef ssize_t cy_stream_read_fn(void *ctx, uint8_t *buf, size_t len,
    cy_error *err);
typedef int cy_stream_write_fn(void *ctx, const uint8_t *buf, size_t len,
    cy_error *err);
/* Called in chunk order with SHA-256 of each stored (encrypted) chunk. */
typedef void cy_stream_hash_fn(void *ctx, uint64_t index,
    const uint8_t hash[CY_SHA256_LEN]);

typedef struct cy_stream_params {
	uint8_t key[CY_AEAD_KEY_LEN]; /* payload key */
	int decrypt;
	int hash_only;                /* with decrypt and hash: only hash the
	                               * stored chunks, write nothing (the
	                               * signed digest is checked before the
	                               * decrypting pass) */
	int threads;                  /* 0: all cores */
	const uint8_t *map;           /* whole input in memory, or NULL: */
	size_t map_len;               /* then `read` is not used */
	int map_release;              /* map is a private file mapping whose
	                               * done pages may be dropped */
	cy_stream_read_fn *read;
	void *read_ctx;
	cy_stream_write_fn *write;
	void *write_ctx;
	cy_stream_hash_fn *hash;      /* optional */
	void *hash_ctx;
	/* Optional, with decrypt: each stored chunk's SHA-256 from an
	 * earlier pass.  A chunk whose hash differs, or beyond nexpect, stops
	 * the run before its plaintext is released. */
	const uint8_t (*expect)[CY_SHA256_LEN];
	uint64_t nexpect;
	cy_progress_fn *progress;     /* optional; counts input bytes */
	void *progress_ctx;
	uint64_t size_hint;
} cy_stream_params;

/* Runs the whole payload.  On failure, the output has received exactly the
 * chunks that verified before the failing one.  A decrypting run that
 * hashes reads each mapped chunk once, into private memory, and hashes and
 * decrypts that copy: a writer changing the file cannot make the plaintext
 * differ from what was hashed. */
int cy_stream_run(const cy_stream_params *p, cy_error *err) CY_MUST_CHECK;

/* Derives the payload key: HKDF-SHA-256(file key, nonce, "payload"). */
int cy_stream_key(const uint8_t file_key[CY_FILE_KEY_LEN],
    const uint8_t nonce[CY_STREAM_NONCE_LEN], uint8_t key[CY_AEAD_KEY_LEN])
    CY_MUST_CHECK;

#endif
