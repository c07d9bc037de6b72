/* Signed notes and checkpoints: never crash; a note that opens under the
 * harness's key has a text that parses consistently. */
#include <sodium.h>

#include "fuzz.h"
#include "coyeu/note.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pk[32], sk[64];
	static cy_note_verifier v;
	static int ready;
	cy_checkpoint c;
	cy_buf b = CY_BUF_INIT;
	size_t tl;

	if (!ready) {
		/* A fixed key, so inputs can carry a real signature. */
		uint8_t seed[32] = {1};
		char vkey[CY_NOTE_VKEY_MAX];
		crypto_sign_seed_keypair(pk, sk, seed);
		if (cy_note_verifier_format("fuzz.example/log", pk, vkey, NULL) != 0 ||
		    cy_note_verifier_parse(vkey, strlen(vkey), &v, NULL) != 0)
			abort();
		ready = 1;
	}
	(void)cy_note_verifier_parse((const char *)data, size, &(cy_note_verifier){0}, NULL);
	if (cy_checkpoint_parse(data, size, &c, NULL) == 0) {
		/* A parsed checkpoint re-signs and re-opens. */
		if (cy_note_sign(data, size, "fuzz.example/log", sk, &b, NULL) == 0 &&
		    cy_note_open(b.data, b.len, &v, &tl, NULL) != 0)
			abort();
		cy_buf_free(&b);
	}
	if (cy_note_open(data, size, &v, &tl, NULL) == 0 && tl >= size)
		abort();
	return 0;
}
