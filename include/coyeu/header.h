/* coyeu — the age v1 header: stanzas and the header MAC.
 *
 *   age-encryption.org/v1
 *   -> TYPE ARG…          one line per stanza, then its body in base64,
 *   BODY…                 64 columns a line, the last line shorter
 *   --- MAC               HMAC-SHA-256 over everything up to "---"
 */
#ifndef COYEU_HEADER_H
#define COYEU_HEADER_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/age.h"
#include "coyeu/buf.h"
#include "coyeu/error.h"

#define CY_HEADER_VERSION_LINE "age-encryption.org/v1\n"
#define CY_HEADER_MAC_LEN 32
#define CY_STANZA_COLUMNS 64
#define CY_STANZA_MAX_ARGS 16
/* The stanza type of a classified document's label (label.h): the plain
 * engine refuses a file carrying one unless told to open it unverified. */
#define CY_LABEL_STANZA "coyeu.v1/label"
#define CY_STANZA_MAX 4096       /* stanzas in one header */

typedef struct cy_stanza {
	char *type;
	char **args;     /* after the type */
	size_t nargs;
	uint8_t *body;
	size_t body_len;
	size_t raw_off;  /* where this stanza's text starts in cy_header.raw */
	size_t raw_len;
} cy_stanza;

typedef struct cy_header {
	cy_stanza *stanzas;
	size_t nstanzas;
	cy_buf raw;      /* the MAC input: version line … "---" */
	uint8_t mac[CY_HEADER_MAC_LEN];
} cy_header;

/* Parses a complete header from buf.  *used receives the header's length
 * (through the MAC line's LF).  Errors are CY_E_HEADER. */
CY_API int cy_header_parse(const uint8_t *buf, size_t len, cy_header *h,
    size_t *used, cy_error *err) CY_MUST_CHECK;
CY_API void cy_header_free(cy_header *h);

/* Builder: appends a stanza (raw text updated). */
CY_API int cy_header_add(cy_header *h, const char *type,
    const char *const *args,
    size_t nargs, const uint8_t *body, size_t body_len) CY_MUST_CHECK;
/* Computes the MAC under the file key and writes the whole header. */
CY_API int cy_header_encode(cy_header *h,
    const uint8_t file_key[CY_FILE_KEY_LEN],
    cy_buf *out) CY_MUST_CHECK;
/* Checks the MAC in constant time: 0 or CY_E_HMAC. */
CY_API int cy_header_verify_mac(const cy_header *h,
    const uint8_t file_key[CY_FILE_KEY_LEN], cy_error *err) CY_MUST_CHECK;

#endif
