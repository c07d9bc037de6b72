/* The age X25519 stanza, and the recipe it shares with the release
 * stanza (release.c). */
#include <string.h>

#include <sodium.h>

#include "coyeu/encoding.h"
#include "coyeu/key.h"
#include "coyeu/secret.h"
#include "base/crypto.h"
#include "age/recipient.h"

/* The longest ikm: the shared secret and a release stanza's R. */
#define IKM_MAX (32 + CY_RELEASE_SECRET_LEN)

static const uint8_t zero_nonce[CY_AEAD_NONCE_LEN];

static const struct cy_x25519_wrapping plain_x25519 = {
	NULL, 0, CY_X25519_LABEL, CY_X25519_STANZA
};

static int
wrap_key(const struct cy_x25519_wrapping *w, const uint8_t shared[32],
    const uint8_t share[32], const uint8_t pub[32],
    uint8_t key[CY_AEAD_KEY_LEN])
{
	uint8_t ikm[IKM_MAX], salt[64];
	int r;

	if (w->extra_len > IKM_MAX - 32)
		return CY_E_USAGE;
	memcpy(ikm, shared, 32);
	if (w->extra_len > 0)
		memcpy(ikm + 32, w->extra, w->extra_len);
	memcpy(salt, share, 32);
	memcpy(salt + 32, pub, 32);
	r = cy_hkdf_sha256(ikm, 32 + w->extra_len, salt, sizeof(salt), w->info,
	    key, CY_AEAD_KEY_LEN);
	cy_wipe(ikm, sizeof(ikm));
	return r;
}

int
cy_x25519_share_wrap(const struct cy_x25519_wrapping *w,
    const uint8_t pub[CY_X25519_KEY_LEN], const uint8_t *file_key,
    char share_b64[CY_X25519_SHARE_B64_SIZE],
    uint8_t body[CY_WRAPPED_KEY_LEN], cy_error *err)
{
	uint8_t eph[32], share[32], shared[32], key[CY_AEAD_KEY_LEN];
	int r = CY_E_CRYPTO;

	cy_random(eph, sizeof(eph));
	/* libsodium refuses an all-zero result: a low-order public key. */
	if (crypto_scalarmult_base(share, eph) != 0 ||
	    crypto_scalarmult(shared, eph, pub) != 0) {
		r = cy_error_set(err, CY_E_CRYPTO,
		    "X25519 with this recipient failed (low-order public key)");
		goto out;
	}
	if ((r = wrap_key(w, shared, share, pub, key)) != 0 ||
	    (r = cy_aead_seal(key, zero_nonce, file_key, CY_FILE_KEY_LEN,
	    body)) != 0) {
		cy_error_set(err, r, "cannot wrap the file key for a %s stanza",
		    w->stanza);
		goto out;
	}
	cy_b64_encode(share_b64, share, sizeof(share), 0);
out:
	cy_wipe(eph, sizeof(eph));
	cy_wipe(shared, sizeof(shared));
	cy_wipe(key, sizeof(key));
	return r;
}

int
cy_x25519_share_decode(const char *arg, uint8_t share[CY_X25519_KEY_LEN])
{
	uint8_t buf[CY_X25519_KEY_LEN + 2];
	size_t n, len = strlen(arg);

	if (len != CY_B64_UNPADDED_LEN(CY_X25519_KEY_LEN) ||
	    cy_b64_decode(buf, &n, arg, len, 0) != 0 || n != CY_X25519_KEY_LEN)
		return -1;
	memcpy(share, buf, CY_X25519_KEY_LEN);
	return 0;
}

int
cy_x25519_share_unwrap(const struct cy_x25519_wrapping *w, const cy_key *key,
    const uint8_t pub[CY_X25519_KEY_LEN],
    const uint8_t share[CY_X25519_KEY_LEN], const uint8_t *body,
    uint8_t *file_key, cy_error *err)
{
	uint8_t shared[32], wk[CY_AEAD_KEY_LEN];
	int r;

	/* The key agrees: its secret never comes here. */
	if ((r = cy_key_x25519(key, share, shared, err)) != 0) {
		if (r == CY_E_CRYPTO)
			r = cy_error_set(err, CY_E_HEADER, "%s stanza has a "
			    "low-order share (all-zero shared secret)",
			    w->stanza);
		goto out;
	}
	if ((r = wrap_key(w, shared, share, pub, wk)) != 0) {
		cy_error_set(err, r, "cannot derive the wrap key of a %s stanza",
		    w->stanza);
		goto out;
	}
	r = cy_aead_open(wk, zero_nonce, body, CY_WRAPPED_KEY_LEN, file_key) ==
	    0 ? 0 : CY_E_NO_MATCH;
out:
	cy_wipe(shared, sizeof(shared));
	cy_wipe(wk, sizeof(wk));
	return r;
}

int
cy_x25519_wrap(const cy_recipient *rcpt, const uint8_t *file_key, cy_header *h,
    cy_error *err)
{
	uint8_t body[CY_WRAPPED_KEY_LEN];
	char share_b64[CY_X25519_SHARE_B64_SIZE];
	const char *args[1] = {share_b64};
	int r;

	if ((r = cy_x25519_share_wrap(&plain_x25519, rcpt->pub, file_key,
	    share_b64, body, err)) != 0)
		return r;
	return cy_header_add(h, CY_X25519_STANZA, args, 1, body, sizeof(body));
}

int
cy_x25519_unwrap(const cy_identity *id, const cy_stanza *s, uint8_t *file_key,
    cy_error *err)
{
	uint8_t share[32];

	if (strcmp(s->type, CY_X25519_STANZA) != 0)
		return CY_E_NO_MATCH;
	if (s->nargs != 1 || cy_x25519_share_decode(s->args[0], share) != 0)
		return cy_error_set(err, CY_E_HEADER,
		    "malformed X25519 stanza: the share must be 32 bytes of canonical base64");
	if (s->body_len != CY_WRAPPED_KEY_LEN)
		return cy_error_set(err, CY_E_HEADER,
		    "malformed X25519 stanza: the wrapped key must be 32 bytes");
	return cy_x25519_share_unwrap(&plain_x25519, id->key, id->pub, share,
	    s->body, file_key, err);
}
