#include <stdio.h>
#include <string.h>

#include "coyeu/encoding.h"
#include "coyeu/secret.h"
#include "base/crypto.h"
#include "age/recipient.h"

static const uint8_t zero_nonce[CY_AEAD_NONCE_LEN];

static int
scrypt_key(const char *pass, size_t passlen, const uint8_t salt[16], int log_n,
    uint8_t key[CY_AEAD_KEY_LEN])
{
	uint8_t full[sizeof(CY_SCRYPT_LABEL) - 1 + CY_SCRYPT_SALT_LEN];

	memcpy(full, CY_SCRYPT_LABEL, sizeof(CY_SCRYPT_LABEL) - 1);
	memcpy(full + sizeof(CY_SCRYPT_LABEL) - 1, salt, CY_SCRYPT_SALT_LEN);
	return cy_scrypt(pass, passlen, full, sizeof(full), log_n, key,
	    CY_AEAD_KEY_LEN);
}

int
cy_scrypt_wrap(const cy_recipient *rcpt, const uint8_t *file_key, cy_header *h,
    cy_error *err)
{
	uint8_t salt[CY_SCRYPT_SALT_LEN], key[CY_AEAD_KEY_LEN];
	uint8_t body[CY_WRAPPED_KEY_LEN];
	char salt_b64[CY_B64_UNPADDED_LEN(CY_SCRYPT_SALT_LEN) + 1], logn[8];
	const char *args[2] = {salt_b64, logn};
	int r;

	cy_random(salt, sizeof(salt));
	if ((r = scrypt_key(rcpt->pass, rcpt->passlen, salt, rcpt->log_n,
	    key)) != 0) {
		r = cy_error_set(err, r, "scrypt failed (not enough memory?)");
		goto out;
	}
	if ((r = cy_aead_seal(key, zero_nonce, file_key, CY_FILE_KEY_LEN,
	    body)) != 0)
		goto out;
	cy_b64_encode(salt_b64, salt, sizeof(salt), 0);
	snprintf(logn, sizeof(logn), "%d", rcpt->log_n);
	r = cy_header_add(h, CY_SCRYPT_STANZA, args, 2, body, sizeof(body));
out:
	cy_wipe(key, sizeof(key));
	return r;
}

/* Decimal without sign or leading zero, as age writes it. */
static int
parse_work_factor(const char *s)
{
	int v = 0;
	size_t i;

	if (s[0] < '1' || s[0] > '9' || strlen(s) > 2)
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
cy_scrypt_unwrap(const cy_identity *id, const cy_stanza *s, uint8_t *file_key,
    cy_error *err)
{
	uint8_t salt[CY_SCRYPT_SALT_LEN + 2], key[CY_AEAD_KEY_LEN];
	size_t n;
	int log_n, r;

	if (strcmp(s->type, CY_SCRYPT_STANZA) != 0)
		return CY_E_NO_MATCH;
	if (s->nargs != 2 ||
	    strlen(s->args[0]) != CY_B64_UNPADDED_LEN(CY_SCRYPT_SALT_LEN) ||
	    cy_b64_decode(salt, &n, s->args[0], strlen(s->args[0]), 0) != 0 ||
	    n != CY_SCRYPT_SALT_LEN)
		return cy_error_set(err, CY_E_HEADER,
		    "malformed scrypt stanza: the salt must be 16 bytes of canonical base64");
	if ((log_n = parse_work_factor(s->args[1])) < 1)
		return cy_error_set(err, CY_E_HEADER,
		    "malformed scrypt stanza: invalid work factor '%s'", s->args[1]);
	if (log_n > id->max_log_n)
		return cy_error_set(err, CY_E_HEADER,
		    "scrypt work factor %d is above the limit %d", log_n,
		    id->max_log_n);
	if (s->body_len != CY_WRAPPED_KEY_LEN)
		return cy_error_set(err, CY_E_HEADER,
		    "malformed scrypt stanza: the wrapped key must be 32 bytes");
	if ((r = scrypt_key(id->pass, id->passlen, salt, log_n, key)) != 0) {
		r = cy_error_set(err, r, "scrypt failed (not enough memory?)");
		goto out;
	}
	r = cy_aead_open(key, zero_nonce, s->body, s->body_len, file_key) == 0 ?
	    0 : CY_E_NO_MATCH;
out:
	cy_wipe(key, sizeof(key));
	return r;
}
