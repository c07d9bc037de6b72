/* coyeu — internal: the input and output plumbing of the age engine, shared
 * by plain age files (age.c) and classified documents (document.c). */
#ifndef COYEU_LIB_AGEIO_H
#define COYEU_LIB_AGEIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "age/armor.h"
#include "coyeu/age.h"
#include "coyeu/buf.h"
#include "coyeu/error.h"
#include "coyeu/source.h"
#include "age/stream.h"

/* Input: a file descriptor or memory, maybe through the armor decoder. */
struct cy_src {
	int fd;
	const uint8_t *mem;
	size_t memlen, mempos;
	cy_armor_dec *armor;
	cy_buf buf;     /* bytes read (decoded) and not yet consumed */
	size_t pos;
	int eof;
	int mapped;     /* mem is a private mapping of a file (cy_map_input) */
	const cy_source *source; /* else read with offsets from here */
	uint64_t srcpos;
};

/* Output: a file descriptor or a buffer, maybe through the armor encoder. */
struct cy_sink {
	int fd;
	cy_buf *mem;
	cy_armor_enc *armor;
	cy_buf tmp;
};

/* Opens an input: fd, or memory when mem is not NULL; with detect_armor the
 * ASCII armor is recognised and decoded on the fly. */
int cy_src_open(struct cy_src *s, int fd, const uint8_t *mem, size_t memlen,
    int detect_armor, cy_error *err);
/* Opens an input read from src with offsets, from offset 0. */
int cy_src_open_source(struct cy_src *s, const cy_source *src,
    int detect_armor, cy_error *err);
void cy_src_close(struct cy_src *s);
/* Reads len bytes, fewer only at the end; negative CY_E code on error. */
ssize_t cy_src_read(void *ctx, uint8_t *out, size_t len, cy_error *err);
/* Reads the header through its MAC line into hdr. */
int cy_src_read_header(struct cy_src *s, cy_buf *hdr, cy_error *err);
/* Points the stream at the rest of the input (zero-copy when in memory)
 * and at the output, with the caller's threads and progress. */
void cy_stream_plumb(cy_stream_params *sp, struct cy_src *in,
    struct cy_sink *out, int threads, cy_progress_fn *progress, void *ctx,
    uint64_t size_hint);

int cy_sink_write(void *ctx, const uint8_t *p, size_t len, cy_error *err);
/* Flushes the armor's last line and end line. */
int cy_sink_finish(struct cy_sink *k, cy_error *err);
void cy_sink_close(struct cy_sink *k);

/* --- shared with age.c --- */
struct cy_header;
struct cy_recipient;
/* Reads and parses the header, enforcing that scrypt stands alone. */
int cy_age_read_header(struct cy_src *in, struct cy_header *h,
    cy_error *err) CY_MUST_CHECK;
int cy_age_check_scrypt_alone(const struct cy_header *h, cy_error *err)
    CY_MUST_CHECK;
int cy_age_wrap_recipients(struct cy_header *h, const cy_seal_params *p,
    const uint8_t *file_key, cy_error *err) CY_MUST_CHECK;
/* Finds the file key: 0, CY_E_NO_MATCH or CY_E_HEADER. */
int cy_age_unwrap(const struct cy_header *h, const cy_open_params *p,
    uint8_t *file_key, cy_error *err) CY_MUST_CHECK;
/* Reads the 16-byte payload nonce that follows the header (its absence is
 * a header failure, as in age) and derives the payload key. */
int cy_age_payload_key(struct cy_src *in, const uint8_t *file_key,
    uint8_t nonce[CY_STREAM_NONCE_LEN], uint8_t key[CY_AEAD_KEY_LEN],
    cy_error *err) CY_MUST_CHECK;
/* Maps a regular file from its current offset; NULL when not possible. */
void *cy_map_input(int fd, size_t *maplen, size_t *start);

#endif
