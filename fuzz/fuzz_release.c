/* The release stanza's and the sealed secret's parsers: never crash,
 * refuse with a code and a message.  First byte mod 3:
 *   0: the rest is an age header; every stanza goes to
 *      cy_release_stanza_ids and to the unwrap of a fixed release
 *      identity and of a fixed release-pq identity (hybrid seed 0x51…);
 *   1: the rest is a sealed secret for cy_release_secret_open;
 *   2: the rest is a payload, sealed to the fixed key and opened as a
 *      sealed secret: it opens only when it is exactly the secret line of
 *      (DOC, COPY) and 32 bytes, which then come back as R.
 * The seed corpus (fuzz/corpus/release) holds a header with a release
 * stanza of the fixed identity, one with a release-pq stanza of the fixed
 * hybrid identity, and a sealed secret. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "coyeu/age.h"
#include "coyeu/header.h"
#include "coyeu/release.h"
#include "age/recipient.h"
#include "age/release_raw.h"

#define DOC "00112233445566778899aabbccddeeff"
#define COPY "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0"
#define LINE CY_RELEASE_SECRET_PREFIX " " DOC " " COPY "\n"
#define FUZZ_MAX 16384

/* The X25519 secret 1, 2, …, 32, the hybrid seed 32 bytes of 0x51 and
 * R = 32 bytes of 0x52. */
static cy_identity *x25519, *release, *hybrid, *release_pq;

static void
fixed_identities(void)
{
	uint8_t secret[CY_X25519_KEY_LEN], r[CY_RELEASE_SECRET_LEN];
	uint8_t seed[CY_PQ_SEED_LEN];
	size_t i;

	if (release != NULL)
		return;
	for (i = 0; i < sizeof(secret); i++)
		secret[i] = (uint8_t)(i + 1);
	memset(r, 0x52, sizeof(r));
	memset(seed, 0x51, sizeof(seed));
	if (cy_identity_x25519(secret, &x25519, NULL) != 0 ||
	    cy_release_identity(x25519, DOC, COPY, r, &release, NULL) != 0 ||
	    cy_pq_identity_from_seed(seed, &hybrid, NULL) != 0 ||
	    cy_release_pq_identity(hybrid, DOC, COPY, r, &release_pq,
	    NULL) != 0)
		abort();
}

static void
check_refusal(int r, const cy_error *err)
{
	if (r >= 0 || err->code != r || err->msg[0] == '\0')
		abort();
}

/* Only a well-formed stanza of the identity's kind and copy may open. */
static void
try_unwrap(const cy_identity *id, const char *type, const cy_stanza *s)
{
	uint8_t file_key[CY_FILE_KEY_LEN];
	cy_error err;
	int r;

	cy_error_clear(&err);
	r = id->unwrap(id, s, file_key, &err);
	if (r == 0 && (strcmp(s->type, type) != 0 ||
	    strcmp(s->args[1], COPY) != 0))
		abort();
	if (r != 0 && r != CY_E_NO_MATCH)
		check_refusal(r, &err);
}

static void
fuzz_header(const uint8_t *p, size_t n)
{
	char doc[CY_RELEASE_ID_SIZE], copy[CY_RELEASE_ID_SIZE];
	cy_error err;
	cy_header h;
	size_t used, i;
	int r;

	if (cy_header_parse(p, n, &h, &used, NULL) != 0)
		return;
	for (i = 0; i < h.nstanzas; i++) {
		cy_error_clear(&err);
		r = cy_release_stanza_ids(&h.stanzas[i], doc, copy, &err);
		if (r == 0) {
			if (cy_release_id_check(doc, NULL) != 0 ||
			    cy_release_id_check(copy, NULL) != 0 ||
			    strcmp(doc, h.stanzas[i].args[0]) != 0 ||
			    strcmp(copy, h.stanzas[i].args[1]) != 0)
				abort();
		} else if (r == CY_E_NO_MATCH) {
			if (strcmp(h.stanzas[i].type, CY_RELEASE_STANZA) == 0 ||
			    strcmp(h.stanzas[i].type, CY_RELEASE_PQ_STANZA) == 0)
				abort();
		} else {
			check_refusal(r, &err);
			if (r != CY_E_HEADER)
				abort();
		}
		try_unwrap(release, CY_RELEASE_STANZA, &h.stanzas[i]);
		try_unwrap(release_pq, CY_RELEASE_PQ_STANZA, &h.stanzas[i]);
	}
	cy_header_free(&h);
}

static void
fuzz_sealed(const uint8_t *p, size_t n)
{
	uint8_t r[CY_RELEASE_SECRET_LEN];
	cy_error err;
	int rc;

	cy_error_clear(&err);
	rc = cy_release_secret_open(p, n, x25519, DOC, COPY, r, &err);
	if (rc != 0)
		check_refusal(rc, &err);
}

static void
fuzz_payload(const uint8_t *p, size_t n)
{
	uint8_t r[CY_RELEASE_SECRET_LEN];
	cy_recipient *rc = NULL;
	cy_seal_params sp;
	cy_buf sealed = CY_BUF_INIT;
	cy_error err;
	int ret;

	if (cy_recipient_x25519(x25519->pub, &rc, NULL) != 0)
		abort();
	memset(&sp, 0, sizeof(sp));
	sp.recipients = &rc;
	sp.nrecipients = 1;
	sp.threads = 1;
	if (cy_age_seal_mem(p, n, &sp, &sealed, NULL) != 0)
		abort();
	cy_error_clear(&err);
	ret = cy_release_secret_open(sealed.data, sealed.len, x25519, DOC, COPY,
	    r, &err);
	if (ret == 0) {
		if (n != strlen(LINE) + CY_RELEASE_SECRET_LEN ||
		    memcmp(p, LINE, strlen(LINE)) != 0 ||
		    memcmp(p + strlen(LINE), r, sizeof(r)) != 0)
			abort();
	} else {
		check_refusal(ret, &err);
		if (ret != CY_E_FORMAT)
			abort();
	}
	cy_buf_free(&sealed);
	cy_recipient_free(rc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > FUZZ_MAX)
		return 0;
	fixed_identities();
	switch (data[0] % 3) {
	case 0:
		fuzz_header(data + 1, size - 1);
		break;
	case 1:
		fuzz_sealed(data + 1, size - 1);
		break;
	default:
		fuzz_payload(data + 1, size - 1);
		break;
	}
	return 0;
}
