/* Streaming armor decoder: the first byte chooses where the rest is split
 * in two pieces.  Never crashes; whatever decodes re-encodes and decodes
 * again to the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "age/armor.h"

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

static int
decode(const uint8_t *p, size_t n, size_t cut, cy_buf *out, cy_error *err)
{
	cy_armor_dec *d = cy_armor_dec_new();
	int rc;

	if (d == NULL)
		abort();
	rc = cy_armor_dec_update(d, p, cut, out, err);
	if (rc == 0)
		rc = cy_armor_dec_update(d, p + cut, n - cut, out, err);
	if (rc == 0)
		rc = cy_armor_dec_final(d, out, err);
	cy_armor_dec_free(d);
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	cy_buf out = CY_BUF_INIT, arm = CY_BUF_INIT, back = CY_BUF_INIT;
	cy_armor_enc *e;
	cy_error err;
	size_t cut;
	int rc;

	if (n == 0)
		return 0;
	cut = (size_t)p[0] * (n - 1) / 255;
	p++;
	n--;
	rc = decode(p, n, cut, &out, &err);
	if (rc != 0) {
		if (rc != CY_E_ARMOR || err.msg[0] == '\0')
			abort();
		goto done;
	}
	/* Only armored input can decode, and it cannot grow. */
	if (!cy_armor_detect(p, n < CY_ARMOR_PEEK ? n : CY_ARMOR_PEEK) ||
	    out.len > n / 4 * 3)
		abort();
	if ((e = cy_armor_enc_new()) == NULL)
		abort();
	cy_armor_enc_update(e, out.data, out.len, &arm);
	cy_armor_enc_final(e, &arm);
	cy_armor_enc_free(e);
	if (cy_buf_status(&arm) != 0)
		abort();
	if (decode(arm.data, arm.len, arm.len / 2, &back, &err) != 0 ||
	    back.len != out.len ||
	    (out.len > 0 && memcmp(back.data, out.data, out.len) != 0))
		abort();
done:
	cy_buf_free(&out);
	cy_buf_free(&arm);
	cy_buf_free(&back);
	return 0;
}
