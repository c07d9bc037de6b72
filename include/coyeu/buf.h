/* coyeu — a growable byte buffer for building text and headers. */
#ifndef COYEU_BUF_H
#define COYEU_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/error.h"

typedef struct cy_buf {
	uint8_t *data; /* always NUL-terminated past len when non-NULL */
	size_t len;
	size_t cap;
	int failed;    /* sticky: an append ran out of memory */
} cy_buf;

#define CY_BUF_INIT {NULL, 0, 0, 0}

CY_API void cy_buf_append(cy_buf *b, const void *p, size_t n);
CY_API void cy_buf_puts(cy_buf *b, const char *s);
CY_API void cy_buf_printf(cy_buf *b, const char *fmt, ...) CY_PRINTF(2, 3);
CY_API void cy_buf_b64(cy_buf *b, const uint8_t *p, size_t n); /* unpadded */
/* CY_E_NOMEM if any append failed, else 0. */
CY_API int cy_buf_status(const cy_buf *b) CY_MUST_CHECK;
/* Wipes the contents before freeing (buffers may hold secrets). */
CY_API void cy_buf_free(cy_buf *b);
/* Hands the data to the caller (free with free()); leaves b empty. */
CY_API uint8_t *cy_buf_take(cy_buf *b, size_t *len);

#endif
