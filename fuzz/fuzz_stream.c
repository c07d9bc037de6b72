/* The STREAM decrypter over arbitrary payloads: never crashes, and what
 * it accepts re-encrypts to the same bytes under the same key. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "coyeu/age.h"
#include "coyeu/buf.h"
#include "age/stream.h"

struct mem {
	const uint8_t *p;
	size_t len, pos;
};

static ssize_t
mem_read(void *ctx, uint8_t *buf, size_t len, cy_error *err)
{
	struct mem *m = ctx;
	size_t n = len < m->len - m->pos ? len : m->len - m->pos;

	memcpy(buf, m->p + m->pos, n);
	m->pos += n;
	return (ssize_t)n;
}

static int
buf_write(void *ctx, const uint8_t *p, size_t len, cy_error *err)
{
	cy_buf_append(ctx, p, len);
	return cy_buf_status(ctx);
}

static int
run(const uint8_t *in, size_t len, int decrypt, int threads, cy_buf *out)
{
	struct mem m = {in, len, 0};
	cy_stream_params p;

	memset(&p, 0, sizeof(p));
	memset(p.key, 0x42, sizeof(p.key));
	p.decrypt = decrypt;
	p.threads = threads;
	p.read = mem_read;
	p.read_ctx = &m;
	p.write = buf_write;
	p.write_ctx = out;
	return cy_stream_run(&p, NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cy_buf plain = CY_BUF_INIT, again = CY_BUF_INIT;
	int threads;

	if (size < 1)
		return 0;
	threads = 1 + (data[0] & 1);
	if (run(data + 1, size - 1, 1, threads, &plain) == 0) {
		if (run(plain.data, plain.len, 0, 1, &again) != 0 ||
		    again.len != size - 1 ||
		    memcmp(again.data, data + 1, size - 1) != 0)
			abort();
	}
	/* Encrypting anything then decrypting must round-trip. */
	cy_buf_free(&again);
	cy_buf_free(&plain);
	if (run(data, size, 0, threads, &again) != 0 ||
	    run(again.data, again.len, 1, 1, &plain) != 0 ||
	    plain.len != size || (size && memcmp(plain.data, data, size) != 0))
		abort();
	cy_buf_free(&again);
	cy_buf_free(&plain);
	return 0;
}
