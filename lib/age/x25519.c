#include <string.h>

#include <sodium.h>

#include "coyeu/encoding.h"
#include "coyeu/key.h"
#include "coyeu/secret.h"
#include "base/crypto.h"
#include "age/recipient.h"

static const uint8_t zero_nonce[CY_AEAD_NONCE_LEN];

static int
wrap_key(const uint8_t shared[32], const uint8_t share[32],
    const uint8_t pub[32], uint8_t key[CY_AEAD_KEY_LEN])
{
	uint8_t salt[64];

	memcpy(salt, share, 32);
	memcpy(salt + 32, pub, 32);
	return cy_hkdf_sha256(shared, 32, salt, sizeof(salt), CY_X25519_LABEL,
	    key, CY_AEAD_KEY_LEN);
}

int
cy_x25519_wrap(const cy_recipient *rcpt, const uint8_t *file_key, cy_header *h,
    cy_error *err)
{
	uint8_t eph[32], share[32], shared[32], key[CY_AEAD_KEY_LEN];
	uint8_t body[CY_WRAPPED_KEY_LEN];
	char share_b64[CY_B64_UNPADDED_LEN(32) + 1];
	const char *args[1] = {share_b64};
	int r = CY_E_CRYPTO;

	cy_random(eph, sizeof(eph));
	if (crypto_scalarmult_base(share, eph) != 0 ||
	    crypto_scalarmult(shared, eph, rcpt->pub) != 0) {
		r = cy_error_set(err, CY_E_CRYPTO,
		    "X25519 with this recipient failed (low-order public key)");
		goto out;
	}
	if ((r = wrap_key(shared, share, rcpt->pub, key)) != 0 ||
	    (r = cy_aead_seal(key, zero_nonce, file_key, CY_FILE_KEY_LEN,
	    body)) != 0)
		goto out;
	cy_b64_encode(share_b64, share, sizeof(share), 0);
	r = cy_header_add(h, CY_X25519_STANZA, args, 1, body, sizeof(body));
out:
	cy_wipe(eph, sizeof(eph));
	cy_wipe(shared, sizeof(shared));
	cy_wipe(key, sizeof(key));
	return r;
}

int
cy_x25519_unwrap(const cy_identity *id, const cy_stanza *s, uint8_t *file_key,
    cy_error *err)
{
	uint8_t share[32 + 2], shared[32], key[CY_AEAD_KEY_LEN];
	size_t n;
	int r;

	if (strcmp(s->type, CY_X25519_STANZA) != 0)
		return CY_E_NO_MATCH;
	if (s->nargs != 1 || strlen(s->args[0]) != CY_B64_UNPADDED_LEN(32) ||
	    cy_b64_decode(share, &n, s->args[0], strlen(s->args[0]), 0) != 0 ||
	    n != 32)
		return cy_error_set(err, CY_E_HEADER,
		    "malformed X25519 stanza: the share must be 32 bytes of canonical base64");
	if (s->body_len != CY_WRAPPED_KEY_LEN)
		return cy_error_set(err, CY_E_HEADER,
		    "malformed X25519 stanza: the wrapped key must be 32 bytes");
	/* The key agrees: its secret never comes here. */
	if ((r = cy_key_x25519(id->key, share, shared, err)) != 0) {
		if (r == CY_E_CRYPTO)
			r = cy_error_set(err, CY_E_HEADER, "X25519 stanza has a "
			    "low-order share (all-zero shared secret)");
		goto out;
	}
	if ((r = wrap_key(shared, share, id->pub, key)) != 0)
		goto out;
	r = cy_aead_open(key, zero_nonce, s->body, s->body_len, file_key) == 0 ?
	    0 : CY_E_NO_MATCH;
out:
	cy_wipe(shared, sizeof(shared));
	cy_wipe(key, sizeof(key));
	return r;
}
