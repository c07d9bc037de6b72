/* The post-quantum recipient's parsers: never crash, refuse with a precise
 * error.  First byte even: the rest is a recipient string (age1pq1… or
 * anything else).  Odd: the rest is an age header whose every stanza is
 * offered to a fixed hybrid identity, which either unwraps it, finds it not
 * its own, or refuses it as malformed.  The seed corpus holds a header
 * sealed to that identity (seed bytes 1..32). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "coyeu/age.h"
#include "coyeu/header.h"
#include "age/recipient.h"

#define FUZZ_MAX 16384

static cy_identity *
fixed_identity(void)
{
	static cy_identity *id;
	uint8_t seed[CY_PQ_SEED_LEN];
	size_t i;

	if (id == NULL) {
		for (i = 0; i < sizeof(seed); i++)
			seed[i] = (uint8_t)(i + 1);
		if (cy_pq_identity_from_seed(seed, &id, NULL) != 0)
			abort();
	}
	return id;
}

/* A refusal carries a code and a message. */
static void
check_refusal(int r, const cy_error *err, int allowed)
{
	if (r != allowed || err->code != allowed || err->msg[0] == '\0')
		abort();
}

static void
fuzz_recipient(const uint8_t *p, size_t n)
{
	static char s[FUZZ_MAX + 1];
	cy_recipient *r = NULL;
	cy_error err = {0, ""};
	int rc;

	memcpy(s, p, n);
	s[n] = '\0';
	rc = cy_recipient_parse(s, &r, &err);
	if (rc == 0) {
		if (r == NULL)
			abort();
		cy_recipient_free(r);
		return;
	}
	if (r != NULL)
		abort();
	check_refusal(rc, &err, CY_E_FORMAT);
}

static void
fuzz_stanzas(const uint8_t *p, size_t n)
{
	uint8_t file_key[CY_FILE_KEY_LEN];
	cy_header h;
	cy_error err;
	size_t used, i;
	int rc;

	if (cy_header_parse(p, n, &h, &used, NULL) != 0)
		return;
	for (i = 0; i < h.nstanzas; i++) {
		memset(&err, 0, sizeof(err));
		rc = cy_pq_unwrap(fixed_identity(), &h.stanzas[i], file_key, &err);
		if (rc == CY_E_HEADER)
			check_refusal(rc, &err, CY_E_HEADER);
		else if (rc != 0 && rc != CY_E_NO_MATCH)
			abort();
	}
	cy_header_free(&h);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0 || size - 1 > FUZZ_MAX)
		return 0;
	if (data[0] & 1)
		fuzz_stanzas(data + 1, size - 1);
	else
		fuzz_recipient(data + 1, size - 1);
	return 0;
}
