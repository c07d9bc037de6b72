#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "coyeu/buf.h"
#include "coyeu/encoding.h"

static int
buf_reserve(cy_buf *b, size_t extra)
{
	size_t want, cap;
	uint8_t *p;

	if (b->failed)
		return -1;
	if (extra > SIZE_MAX - b->len - 1)
		goto fail;
	want = b->len + extra + 1;
	if (want <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < want)
		cap = cap > SIZE_MAX / 2 ? want : cap * 2;
	/* Not realloc: the old block may hold secrets and must be wiped. */
	if ((p = malloc(cap)) == NULL)
		goto fail;
	if (b->data != NULL) {
		memcpy(p, b->data, b->len);
		sodium_memzero(b->data, b->cap);
		free(b->data);
	}
	b->data = p;
	b->cap = cap;
	return 0;
fail:
	b->failed = 1;
	return -1;
}

void
cy_buf_append(cy_buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n) != 0)
		return;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
cy_buf_puts(cy_buf *b, const char *s)
{
	cy_buf_append(b, s, strlen(s));
}

void
cy_buf_printf(cy_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_reserve(b, (size_t)n) != 0) {
		b->failed = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
cy_buf_b64(cy_buf *b, const uint8_t *p, size_t n)
{
	size_t enc = CY_B64_UNPADDED_LEN(n);

	if (buf_reserve(b, enc) != 0)
		return;
	b->len += cy_b64_encode((char *)b->data + b->len, p, n, 0);
}

int
cy_buf_status(const cy_buf *b)
{
	return b->failed ? CY_E_NOMEM : 0;
}

void
cy_buf_free(cy_buf *b)
{
	if (b->data != NULL) {
		sodium_memzero(b->data, b->cap);
		free(b->data);
	}
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
}

uint8_t *
cy_buf_take(cy_buf *b, size_t *len)
{
	uint8_t *p = b->data;

	if (len != NULL)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}
