/* coyeu — the plaintext of a key file (docs/idkey.md), shared by the
 * in-memory keys (idkey.c) and the file layer (idkey_file.c). */
#ifndef COYEU_LIB_IDKEY_TEXT_H
#define COYEU_LIB_IDKEY_TEXT_H

#include "coyeu/buf.h"
#include "coyeu/idkey.h"

#define CY_IDKEY_VERSION "coyeu.v1/idkey"

/* Appends the canonical text ("version: …\nsign: …\nseal: …\n") to out;
 * the caller wipes out (cy_buf_free does). */
int cy_idkey_text_encode(const cy_idkey *k, cy_buf *out,
    cy_error *err) CY_MUST_CHECK;
/* Parses that text into a key; the input is left for the caller to wipe. */
int cy_idkey_text_parse(const uint8_t *in, size_t len, cy_idkey **out,
    cy_error *err) CY_MUST_CHECK;

#endif
