/* C2SP signed notes and tlog checkpoints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "coyeu/canon.h"
#include "coyeu/encoding.h"
#include "coyeu/note.h"
#include "crypto.h"

#define SIG_PREFIX "\xe2\x80\x94 "  /* U+2014 em dash, space */
#define SIG_PREFIX_LEN 4
#define SIG_RAW_LEN (4 + 64)
#define SKEY_PREFIX "PRIVATE+KEY+"

int
cy_note_name_valid(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || len > CY_NOTE_NAME_MAX ||
	    !cy_canon_utf8_valid(name, len))
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c <= 0x20 || c == 0x7f || c == '+')
			return 0;
	}
	return 1;
}

uint32_t
cy_note_key_id(const char *name, const uint8_t pub[32])
{
	uint8_t h[CY_SHA256_LEN], alg = CY_NOTE_ALG_ED25519, nl = '\n';
	cy_sha256_ctx *c = cy_sha256_new();

	if (c == NULL)
		return 0;
	cy_sha256_update(c, name, strlen(name));
	cy_sha256_update(c, &nl, 1);
	cy_sha256_update(c, &alg, 1);
	cy_sha256_update(c, pub, 32);
	cy_sha256_final(c, h);
	return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 |
	    (uint32_t)h[2] << 8 | h[3];
}

/* "name+hex8+base64(type || key)" split into its parts. */
static int
split_key(const char *s, size_t len, const char **name, size_t *namelen,
    uint32_t *id, uint8_t key[33], cy_error *err)
{
	const char *p1, *p2;
	uint8_t idb[4];
	size_t n;

	if ((p1 = memchr(s, '+', len)) == NULL ||
	    (p2 = memchr(p1 + 1, '+', len - (size_t)(p1 + 1 - s))) == NULL)
		return cy_error_set(err, CY_E_FORMAT,
		    "key: expected name+hex8+base64");
	*name = s;
	*namelen = (size_t)(p1 - s);
	if (!cy_note_name_valid(s, *namelen))
		return cy_error_set(err, CY_E_FORMAT, "key: invalid key name");
	if (p2 - p1 - 1 != 8 || cy_hex_decode(idb, 4, p1 + 1, 8) != 0)
		return cy_error_set(err, CY_E_FORMAT, "key: key ID is not 8 hex digits");
	*id = (uint32_t)idb[0] << 24 | (uint32_t)idb[1] << 16 |
	    (uint32_t)idb[2] << 8 | idb[3];
	n = len - (size_t)(p2 + 1 - s);
	if (n != CY_B64_PADDED_LEN(33) ||
	    cy_b64_decode(key, &n, p2 + 1, CY_B64_PADDED_LEN(33), 1) != 0 ||
	    n != 33)
		return cy_error_set(err, CY_E_FORMAT,
		    "key: expected base64 of a type byte and 32 key bytes");
	if (key[0] != CY_NOTE_ALG_ED25519)
		return cy_error_set(err, CY_E_FORMAT,
		    "key: unsupported signature type 0x%02x (only Ed25519, 0x01)",
		    key[0]);
	return 0;
}

int
cy_note_verifier_parse(const char *vkey, size_t len, cy_note_verifier *v,
    cy_error *err)
{
	const char *name;
	uint8_t key[33];
	size_t namelen;
	int r;

	if ((r = split_key(vkey, len, &name, &namelen, &v->key_id, key, err)) != 0)
		return cy_error_wrap(err, "verifier");
	memcpy(v->name, name, namelen);
	v->name[namelen] = '\0';
	memcpy(v->pub, key + 1, 32);
	if (cy_note_key_id(v->name, v->pub) != v->key_id)
		return cy_error_set(err, CY_E_FORMAT,
		    "verifier key: the key ID does not match the name and key");
	return 0;
}

int
cy_note_verifier_format(const char *name, const uint8_t pub[32],
    char out[CY_NOTE_VKEY_MAX], cy_error *err)
{
	uint8_t key[33];
	char b64[CY_B64_PADDED_LEN(33) + 1];

	if (!cy_note_name_valid(name, strlen(name)))
		return cy_error_set(err, CY_E_USAGE, "invalid key name '%s'", name);
	key[0] = CY_NOTE_ALG_ED25519;
	memcpy(key + 1, pub, 32);
	cy_b64_encode(b64, key, sizeof(key), 1);
	snprintf(out, CY_NOTE_VKEY_MAX, "%s+%08x+%s", name,
	    cy_note_key_id(name, pub), b64);
	return 0;
}

int
cy_note_signer_parse(const char *skey, size_t len,
    char name[CY_NOTE_NAME_MAX + 1], uint8_t seed[32], cy_error *err)
{
	const char *n;
	uint8_t key[33];
	size_t namelen;
	uint32_t id;
	int r;

	if (len < strlen(SKEY_PREFIX) ||
	    memcmp(skey, SKEY_PREFIX, strlen(SKEY_PREFIX)) != 0)
		return cy_error_set(err, CY_E_FORMAT,
		    "signer key: expected PRIVATE+KEY+…");
	if ((r = split_key(skey + strlen(SKEY_PREFIX), len - strlen(SKEY_PREFIX),
	    &n, &namelen, &id, key, err)) != 0)
		return cy_error_wrap(err, "signer");
	memcpy(name, n, namelen);
	name[namelen] = '\0';
	memcpy(seed, key + 1, 32);
	sodium_memzero(key, sizeof(key));
	return 0;
}

/* A note text: non-empty, valid UTF-8, ends in LF, no blank line, no
 * control character but LF. */
static int
text_valid(const uint8_t *t, size_t len)
{
	size_t i;

	if (len == 0 || t[len - 1] != '\n' ||
	    !cy_canon_utf8_valid((const char *)t, len))
		return 0;
	for (i = 0; i < len; i++) {
		if (t[i] < 0x20 && t[i] != '\n')
			return 0;
		if (t[i] == '\n' && i + 1 < len && t[i + 1] == '\n')
			return 0;
	}
	return 1;
}

static int
append_signature(cy_buf *out, const uint8_t *text, size_t len,
    const char *name, const uint8_t sk[64], cy_error *err)
{
	uint8_t raw[SIG_RAW_LEN], pub[32];
	uint32_t id;

	if (!cy_note_name_valid(name, strlen(name)))
		return cy_error_set(err, CY_E_USAGE, "invalid key name '%s'", name);
	memcpy(pub, sk + 32, 32);
	id = cy_note_key_id(name, pub);
	raw[0] = (uint8_t)(id >> 24);
	raw[1] = (uint8_t)(id >> 16);
	raw[2] = (uint8_t)(id >> 8);
	raw[3] = (uint8_t)id;
	crypto_sign_detached(raw + 4, NULL, text, len, sk);
	cy_buf_puts(out, SIG_PREFIX);
	cy_buf_puts(out, name);
	cy_buf_puts(out, " ");
	{
		char b64[CY_B64_PADDED_LEN(SIG_RAW_LEN) + 1];
		cy_b64_encode(b64, raw, sizeof(raw), 1);
		cy_buf_puts(out, b64);
	}
	cy_buf_puts(out, "\n");
	return cy_buf_status(out);
}

int
cy_note_sign(const uint8_t *text, size_t len, const char *name,
    const uint8_t sk[64], cy_buf *out, cy_error *err)
{
	if (!text_valid(text, len) || len > CY_NOTE_MAX / 2)
		return cy_error_set(err, CY_E_USAGE, "invalid note text");
	cy_buf_append(out, text, len);
	cy_buf_puts(out, "\n");
	return append_signature(out, text, len, name, sk, err);
}

/* Splits a note at its last blank line: text, then signature lines. */
static int
note_split(const uint8_t *note, size_t len, size_t *text_len, cy_error *err)
{
	size_t i;

	if (len > CY_NOTE_MAX)
		return cy_error_set(err, CY_E_TOO_LARGE, "note larger than 1 MiB");
	if (len < 2 || note[len - 1] != '\n')
		return cy_error_set(err, CY_E_FORMAT, "malformed note: no final newline");
	for (i = len - 1; i > 0; i--)
		if (note[i] == '\n' && note[i - 1] == '\n')
			break;
	if (i == 0)
		return cy_error_set(err, CY_E_FORMAT,
		    "malformed note: no blank line before the signatures");
	*text_len = i;  /* through the text's final LF */
	if (!text_valid(note, *text_len))
		return cy_error_set(err, CY_E_FORMAT, "malformed note text");
	return 0;
}

struct sig_line {
	const char *name;
	size_t namelen;
	uint32_t id;
	uint8_t raw[SIG_RAW_LEN + 8];
	size_t rawlen;
};

static int
parse_sig_line(const uint8_t *p, size_t n, struct sig_line *s, cy_error *err)
{
	const uint8_t *sp;
	size_t b64len;

	if (n < SIG_PREFIX_LEN || memcmp(p, SIG_PREFIX, SIG_PREFIX_LEN) != 0)
		return cy_error_set(err, CY_E_FORMAT,
		    "malformed note: a signature line must start with an em dash");
	p += SIG_PREFIX_LEN;
	n -= SIG_PREFIX_LEN;
	if ((sp = memchr(p, ' ', n)) == NULL)
		return cy_error_set(err, CY_E_FORMAT, "malformed signature line");
	s->name = (const char *)p;
	s->namelen = (size_t)(sp - p);
	b64len = n - s->namelen - 1;
	if (!cy_note_name_valid(s->name, s->namelen) ||
	    b64len > CY_B64_PADDED_LEN(sizeof(s->raw)) ||
	    cy_b64_decode(s->raw, &s->rawlen, (const char *)sp + 1, b64len,
	    1) != 0 || s->rawlen < 5)
		return cy_error_set(err, CY_E_FORMAT, "malformed signature line");
	s->id = (uint32_t)s->raw[0] << 24 | (uint32_t)s->raw[1] << 16 |
	    (uint32_t)s->raw[2] << 8 | s->raw[3];
	return 0;
}

int
cy_note_open(const uint8_t *note, size_t len, const cy_note_verifier *v,
    size_t *text_len, cy_error *err)
{
	struct sig_line s;
	const uint8_t *p, *nl;
	size_t pos, nsig = 0;
	int r, found = 0;

	if ((r = note_split(note, len, text_len, err)) != 0)
		return r;
	for (pos = *text_len + 1; pos < len; pos = (size_t)(nl - note) + 1) {
		p = note + pos;
		nl = memchr(p, '\n', len - pos);
		if (++nsig > CY_NOTE_MAX_SIGS)
			return cy_error_set(err, CY_E_FORMAT,
			    "malformed note: more than %d signatures", CY_NOTE_MAX_SIGS);
		if ((r = parse_sig_line(p, (size_t)(nl - p), &s, err)) != 0)
			return r;
		if (found || s.namelen != strlen(v->name) ||
		    memcmp(s.name, v->name, s.namelen) != 0 || s.id != v->key_id)
			continue;
		/* The first line by this key decides. */
		if (s.rawlen != SIG_RAW_LEN ||
		    crypto_sign_verify_detached(s.raw + 4, note, *text_len,
		    v->pub) != 0)
			return cy_error_set(err, CY_E_SIGNATURE,
			    "the note's signature by %s does not verify", v->name);
		found = 1;
	}
	if (!found)
		return cy_error_set(err, CY_E_SIGNATURE,
		    "the note carries no signature by %s", v->name);
	return 0;
}

int
cy_note_cosign(const uint8_t *note, size_t len, const char *name,
    const uint8_t sk[64], cy_buf *out, cy_error *err)
{
	size_t text_len;
	int r;

	if ((r = note_split(note, len, &text_len, err)) != 0)
		return r;
	cy_buf_append(out, note, len);
	return append_signature(out, note, text_len, name, sk, err);
}

/* Decimal without sign or leading zero, at most 2^63-1. */
static int
parse_u64(const char *p, size_t n, uint64_t *v)
{
	size_t i;

	if (n == 0 || n > 19 || (p[0] == '0' && n > 1))
		return -1;
	*v = 0;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		*v = *v * 10 + (uint64_t)(p[i] - '0');
	}
	return *v > INT64_MAX ? -1 : 0;
}

int
cy_checkpoint_parse(const uint8_t *text, size_t len, cy_checkpoint *c,
    cy_error *err)
{
	const char *t = (const char *)text, *l1, *l2, *l3;
	size_t n;

	memset(c, 0, sizeof(*c));
	if (!text_valid(text, len))
		return cy_error_set(err, CY_E_FORMAT, "checkpoint: malformed text");
	if ((l1 = memchr(t, '\n', len)) == NULL ||
	    (l2 = memchr(l1 + 1, '\n', len - (size_t)(l1 + 1 - t))) == NULL ||
	    (l3 = memchr(l2 + 1, '\n', len - (size_t)(l2 + 1 - t))) == NULL)
		return cy_error_set(err, CY_E_FORMAT,
		    "checkpoint: expected origin, size and root hash lines");
	/* The origin SHOULD be a key name; older notes (go.sum) have spaces. */
	if (l1 == t || (size_t)(l1 - t) > CY_NOTE_NAME_MAX)
		return cy_error_set(err, CY_E_FORMAT, "checkpoint: invalid origin");
	memcpy(c->origin, t, (size_t)(l1 - t));
	if (parse_u64(l1 + 1, (size_t)(l2 - l1 - 1), &c->size) != 0)
		return cy_error_set(err, CY_E_FORMAT,
		    "checkpoint: the tree size is not a canonical decimal number");
	if ((size_t)(l3 - l2 - 1) != CY_B64_PADDED_LEN(32) ||
	    cy_b64_decode(c->root, &n, l2 + 1, (size_t)(l3 - l2 - 1), 1) != 0 ||
	    n != 32)
		return cy_error_set(err, CY_E_FORMAT,
		    "checkpoint: the root hash is not 32 bytes of base64");
	c->next_len = len - (size_t)(l3 + 1 - t);
	return 0;
}

int
cy_checkpoint_format(const cy_checkpoint *c, cy_buf *out)
{
	char b64[CY_B64_PADDED_LEN(32) + 1];

	cy_b64_encode(b64, c->root, 32, 1);
	cy_buf_printf(out, "%s\n%llu\n%s\n", c->origin,
	    (unsigned long long)c->size, b64);
	return cy_buf_status(out);
}

int
cy_checkpoint_open(const uint8_t *note, size_t len, const cy_note_verifier *v,
    cy_checkpoint *c, cy_error *err)
{
	size_t text_len;
	int r;

	if ((r = cy_note_open(note, len, v, &text_len, err)) != 0 ||
	    (r = cy_checkpoint_parse(note, text_len, c, err)) != 0)
		return r;
	if (strcmp(c->origin, v->name) != 0)
		return cy_error_set(err, CY_E_SIGNATURE,
		    "checkpoint origin %s is not the verifier's name %s",
		    c->origin, v->name);
	return 0;
}
