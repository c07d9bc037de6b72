/* The proof of possession's parsers: the challenge the requester answers
 * (cy_request_pq_respond) and the proof the authority checks
 * (cy_request_pq_check).  The first byte picks which: 'c' answers the rest
 * as a challenge with the officer's key, anything else checks the rest as
 * a proof of the officer's request with the authority's key.  Never a
 * crash; an answer is a well-formed proof that the check accepts exactly
 * when the challenge was the authority's own. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "coyeu/request.h"
#include "pki/idkey_text.h"
#include "pqchallenge_keys.h"

static cy_idkey *officer, *authority;
static cy_request *request;
static cy_buf own_challenge = CY_BUF_INIT;

static void
setup(void)
{
	if (officer != NULL)
		return;
	if (cy_idkey_text_parse((const uint8_t *)officer_key,
	    strlen(officer_key), &officer, NULL) != 0 ||
	    cy_idkey_text_parse((const uint8_t *)authority_key,
	    strlen(authority_key), &authority, NULL) != 0 ||
	    cy_request_parse((const uint8_t *)officer_request,
	    strlen(officer_request), &request, NULL) != 0 ||
	    cy_request_pq_challenge(request, authority, &own_challenge,
	    NULL) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cy_buf proof = CY_BUF_INIT;
	int own;

	setup();
	if (size == 0)
		return 0;
	if (data[0] != 'c') {
		(void)cy_request_pq_check(request, authority, data + 1, size - 1,
		    NULL);
		return 0;
	}
	if (cy_request_pq_respond(data + 1, size - 1, officer, &proof,
	    NULL) != 0)
		return 0;
	/* The authority's own challenge proves; another enc for the same
	 * request is refused (ML-KEM's implicit rejection). */
	own = size - 1 == own_challenge.len &&
	    memcmp(data + 1, own_challenge.data, own_challenge.len) == 0;
	if ((cy_request_pq_check(request, authority, proof.data, proof.len,
	    NULL) == 0) != own)
		abort();
	cy_buf_free(&proof);
	return 0;
}
