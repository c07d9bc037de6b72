/* coyeu — age ASCII armor (strict PEM, C2SP age §ASCII armor), streaming. */
#ifndef COYEU_LIB_ARMOR_H
#define COYEU_LIB_ARMOR_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/buf.h"
#include "coyeu/error.h"

#define CY_ARMOR_BEGIN "-----BEGIN AGE ENCRYPTED FILE-----"
#define CY_ARMOR_END "-----END AGE ENCRYPTED FILE-----"
#define CY_ARMOR_COLUMNS 64
#define CY_ARMOR_PEEK 64 /* bytes cy_armor_detect wants to see */

/* 1 if the input's first n bytes say it is armored (so decoding must go
 * through cy_armor_dec), 0 if it is a binary age file. */
int cy_armor_detect(const uint8_t *p, size_t n);

typedef struct cy_armor_dec cy_armor_dec;
cy_armor_dec *cy_armor_dec_new(void);
/* Feeds armored bytes; decoded bytes are appended to out.  Errors are
 * CY_E_ARMOR with a message naming the line and the rule. */
int cy_armor_dec_update(cy_armor_dec *d, const uint8_t *in, size_t len,
    cy_buf *out, cy_error *err) CY_MUST_CHECK;
/* End of input: checks the end line and trailing whitespace. */
int cy_armor_dec_final(cy_armor_dec *d, cy_buf *out, cy_error *err) CY_MUST_CHECK;
void cy_armor_dec_free(cy_armor_dec *d);

typedef struct cy_armor_enc cy_armor_enc;
cy_armor_enc *cy_armor_enc_new(void);
/* Appends armored text to out (begin line first time). */
void cy_armor_enc_update(cy_armor_enc *e, const uint8_t *in, size_t len,
    cy_buf *out);
/* Flushes the last line and writes the end line. */
void cy_armor_enc_final(cy_armor_enc *e, cy_buf *out);
void cy_armor_enc_free(cy_armor_enc *e);

#endif
