/* The tlog-proof (receipt) parser: never crashes, and what parses formats
 * back to the very same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "coyeu/tlogproof.h"

static const char vkey[] =
    "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static cy_note_verifier *v;
	const uint8_t (*hashes)[CY_HASH_LEN];
	const uint8_t *extra, *note;
	size_t n, elen, nlen;
	cy_buf out = CY_BUF_INIT;
	cy_tlogproof *p = NULL;

	if (v == NULL && cy_note_verifier_parse(vkey, strlen(vkey), &v, NULL) != 0)
		abort();
	if (cy_tlogproof_parse(data, size, &p, NULL) != 0)
		return 0;
	n = cy_tlogproof_hashes(p, &hashes);
	extra = cy_tlogproof_extra(p, &elen);
	note = cy_tlogproof_note(p, &nlen);
	if (cy_tlogproof_format(cy_tlogproof_index(p), hashes, n, extra, elen,
	    note, nlen, &out, NULL) != 0 || out.len != size ||
	    memcmp(out.data, data, size) != 0)
		abort();
	(void)cy_tlogproof_verify(p, v, data, size, NULL, NULL);
	cy_buf_free(&out);
	cy_tlogproof_free(p);
	return 0;
}
