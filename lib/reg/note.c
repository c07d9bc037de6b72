/* C2SP signed notes with Ed25519 keys, and tlog checkpoints. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "coyeu/encoding.h"
#include "coyeu/note.h"
#include "coyeu/secret.h"
#include "base/key_soft.h"
#include "base/text.h"

#define ALG_ED25519 0x01
#define ALG_COSIG 0x04 /* C2SP tlog-cosignature, Ed25519 (cosignature/v1) */
#define COSIG_LEN (4 + 8 + crypto_sign_BYTES) /* key ID, time, signature */
#define PREVIOUS "coyeu.v1/previous "
#define KEY_B64_LEN CY_B64_PADDED_LEN(1 + 32) /* 44 */
#define SIG_LEN (4 + crypto_sign_BYTES)
#define SIG_BYTES_MAX 8192 /* room for post-quantum signatures of others */

static const char em_dash_space[] = "\xe2\x80\x94 "; /* U+2014, space */

struct cy_note_verifier {
	char name[CY_NOTE_NAME_MAX + 1];
	uint32_t id;
	uint8_t pub[crypto_sign_PUBLICKEYBYTES];
};

/* The name and key ID; the signatures are the key's (key.h). */
struct cy_note_signer {
	cy_note_verifier v;
	const cy_key *key;
	cy_key *own_key; /* key, when the signer made it (a software key) */
};

static int
name_ok(const char *name, size_t len)
{
	size_t i = 0, n;
	uint32_t cp;

	if (len == 0 || len > CY_NOTE_NAME_MAX)
		return 0;
	while (i < len) {
		n = cy_utf8_decode((const uint8_t *)name + i, len - i, &cp);
		if (n == 0 || cp < 0x20 || cp == '+' || cy_unicode_is_space(cp))
			return 0;
		i += n;
	}
	return 1;
}

static uint32_t
key_id_alg(const char *name, const uint8_t pub[32], uint8_t alg)
{
	uint8_t buf[CY_NOTE_NAME_MAX + 2 + 32], h[CY_HASH_LEN];
	size_t n = strlen(name);

	memcpy(buf, name, n);
	buf[n] = '\n';
	buf[n + 1] = alg;
	memcpy(buf + n + 2, pub, 32);
	if (cy_sha256(NULL, buf, n + 2 + 32, h) != 0)
		return 0; /* matches no real key: the caller's check fails */
	return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

static uint32_t
key_id(const char *name, const uint8_t pub[32])
{
	return key_id_alg(name, pub, ALG_ED25519);
}

/* Splits s at its first n - 1 '+' signs: the last part (base64) may hold
 * '+' itself. */
static int
split_plus(const char *s, size_t len, const char **part, size_t *plen, int n)
{
	const char *end = s + len, *p;
	int i;

	for (i = 0; i < n - 1; i++) {
		if ((p = memchr(s, '+', (size_t)(end - s))) == NULL)
			return -1;
		part[i] = s;
		plen[i] = (size_t)(p - s);
		s = p + 1;
	}
	part[n - 1] = s;
	plen[n - 1] = (size_t)(end - s);
	return 0;
}

/* name, hex8 key ID, base64(0x01 || 32 bytes) into v (key into key32). */
static int
parse_key_parts(const char **part, const size_t *plen, cy_note_verifier *v,
    uint8_t key32[32], cy_error *err)
{
	uint8_t idb[4], raw[CY_B64_PADDED_LEN(64) / 4 * 3];
	size_t n;

	if (!name_ok(part[0], plen[0]))
		return cy_error_set(err, CY_E_FORMAT,
		    "key name is empty, too long, or holds a space or '+'");
	memcpy(v->name, part[0], plen[0]);
	v->name[plen[0]] = '\0';
	if (plen[1] != 8 || strspn(part[1], "0123456789abcdef") < 8 ||
	    cy_hex_decode(idb, 4, part[1], 8) != 0)
		return cy_error_set(err, CY_E_FORMAT,
		    "key ID is not 8 lowercase hex digits");
	v->id = (uint32_t)idb[0] << 24 | (uint32_t)idb[1] << 16 |
	    (uint32_t)idb[2] << 8 | idb[3];
	if (plen[2] > CY_B64_PADDED_LEN(64) ||
	    cy_b64_decode(raw, &n, part[2], plen[2], 1) != 0)
		return cy_error_set(err, CY_E_FORMAT, "key is not base64");
	if (n > 0 && raw[0] != ALG_ED25519)
		return cy_error_set(err, CY_E_FORMAT,
		    "unsupported key type 0x%02x (only Ed25519, 0x01)", raw[0]);
	if (n != 33)
		return cy_error_set(err, CY_E_FORMAT,
		    "an Ed25519 key holds 33 bytes, not %zu", n);
	memcpy(key32, raw + 1, 32);
	sodium_memzero(raw, sizeof(raw));
	return 0;
}

static size_t
chomp(const char *s, size_t len)
{
	return len > 0 && s[len - 1] == '\n' ? len - 1 : len;
}

int
cy_note_verifier_parse(const char *s, size_t len, cy_note_verifier **out,
    cy_error *err)
{
	const char *part[3];
	size_t plen[3];
	cy_note_verifier *v;
	int r;

	*out = NULL;
	len = chomp(s, len);
	if (split_plus(s, len, part, plen, 3) != 0)
		return cy_error_set(err, CY_E_FORMAT,
		    "a verifier key reads <name>+<hex8>+<base64>");
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	if ((r = parse_key_parts(part, plen, v, v->pub, err)) != 0)
		goto out;
	if (key_id(v->name, v->pub) != v->id) {
		r = cy_error_set(err, CY_E_FORMAT,
		    "key ID %08x does not match the name and key", v->id);
		goto out;
	}
	*out = v;
	v = NULL;
out:
	free(v);
	return r;
}

const char *
cy_note_verifier_name(const cy_note_verifier *v)
{
	return v->name;
}

uint32_t
cy_note_verifier_id(const cy_note_verifier *v)
{
	return v->id;
}

const uint8_t *
cy_note_verifier_key(const cy_note_verifier *v)
{
	return v->pub;
}

/* "+<hex8>+<base64(alg || key32)>" after the name. */
static void
key_suffix(char *out, size_t cap, uint32_t id, const uint8_t key32[32],
    uint8_t alg)
{
	uint8_t raw[33];
	char b64[KEY_B64_LEN + 1];

	raw[0] = alg;
	memcpy(raw + 1, key32, 32);
	cy_b64_encode(b64, raw, sizeof(raw), 1);
	snprintf(out, cap, "+%08x+%s", id, b64);
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(b64, sizeof(b64));
}

void
cy_note_verifier_string(const cy_note_verifier *v, char out[CY_NOTE_KEY_STR_MAX])
{
	size_t n = strlen(v->name);

	memcpy(out, v->name, n);
	key_suffix(out + n, CY_NOTE_KEY_STR_MAX - n, v->id, v->pub, ALG_ED25519);
}

void
cy_note_verifier_cosig_string(const cy_note_verifier *v,
    char out[CY_NOTE_KEY_STR_MAX])
{
	size_t n = strlen(v->name);

	memcpy(out, v->name, n);
	key_suffix(out + n, CY_NOTE_KEY_STR_MAX - n,
	    key_id_alg(v->name, v->pub, ALG_COSIG), v->pub, ALG_COSIG);
}

void
cy_note_verifier_free(cy_note_verifier *v)
{
	free(v);
}

/* A signer for name whose signatures the key makes. */
static int
signer_new(const char *name, size_t name_len, const cy_key *key,
    cy_note_signer **out, cy_error *err)
{
	cy_note_signer *s;

	*out = NULL;
	if (!name_ok(name, name_len))
		return cy_error_set(err, CY_E_FORMAT,
		    "key name is empty, too long, or holds a space or '+'");
	if (cy_key_sign_public(key) == NULL)
		return cy_error_set(err, CY_E_USAGE, "this %s key cannot sign",
		    cy_key_kind(key));
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	memcpy(s->v.name, name, name_len);
	s->v.name[name_len] = '\0';
	memcpy(s->v.pub, cy_key_sign_public(key), sizeof(s->v.pub));
	s->v.id = key_id(s->v.name, s->v.pub);
	s->key = key;
	*out = s;
	return 0;
}

int
cy_note_signer_from_key(const char *name, const cy_key *key,
    cy_note_signer **out, cy_error *err)
{
	return signer_new(name, strlen(name), key, out, err);
}

/* A signer for name from a 32-byte seed (a software key it owns). */
static int
signer_from_seed(const char *name, size_t name_len, const uint8_t seed[32],
    cy_note_signer **out, cy_error *err)
{
	cy_key *key = NULL;
	int r;

	if ((r = cy_key_software(seed, NULL, &key, err)) != 0 ||
	    (r = signer_new(name, name_len, key, out, err)) != 0) {
		cy_key_free(key);
		return r;
	}
	(*out)->own_key = key;
	return 0;
}

int
cy_note_signer_generate(const char *name, cy_note_signer **out, cy_error *err)
{
	uint8_t seed[32];
	int r;

	randombytes_buf(seed, sizeof(seed));
	r = signer_from_seed(name, strlen(name), seed, out, err);
	sodium_memzero(seed, sizeof(seed));
	return r;
}

int
cy_note_signer_parse(const char *s, size_t len, cy_note_signer **out,
    cy_error *err)
{
	const char *part[5];
	size_t plen[5];
	cy_note_verifier v;
	uint8_t seed[32];
	int r;

	*out = NULL;
	len = chomp(s, len);
	if (split_plus(s, len, part, plen, 5) != 0 || plen[0] != 7 ||
	    memcmp(part[0], "PRIVATE", 7) != 0 || plen[1] != 3 ||
	    memcmp(part[1], "KEY", 3) != 0)
		return cy_error_set(err, CY_E_FORMAT,
		    "a signer key reads PRIVATE+KEY+<name>+<hex8>+<base64>");
	if ((r = parse_key_parts(part + 2, plen + 2, &v, seed, err)) != 0)
		goto out;
	if ((r = signer_from_seed(v.name, strlen(v.name), seed, out, err)) != 0)
		goto out;
	if ((*out)->v.id != v.id) {
		cy_note_signer_free(*out);
		*out = NULL;
		r = cy_error_set(err, CY_E_FORMAT,
		    "key ID %08x does not match the name and key", v.id);
	}
out:
	sodium_memzero(seed, sizeof(seed));
	return r;
}

int
cy_note_signer_string(const cy_note_signer *s, cy_buf *out, cy_error *err)
{
	const struct cy_soft_key *soft = cy_key_soft(s->key);
	char suffix[CY_NOTE_KEY_STR_MAX];

	if (soft == NULL)
		return cy_error_set(err, CY_E_USAGE,
		    "the secret of this %s key cannot leave it",
		    cy_key_kind(s->key));
	/* The seed is the first half of libsodium's secret key. */
	key_suffix(suffix, sizeof(suffix), s->v.id, soft->sign_sk,
	    ALG_ED25519);
	cy_buf_printf(out, "PRIVATE+KEY+%s%s\n", s->v.name, suffix);
	sodium_memzero(suffix, sizeof(suffix));
	if (cy_buf_status(out) != 0)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	return 0;
}

void
cy_note_signer_verifier_string(const cy_note_signer *s,
    char out[CY_NOTE_KEY_STR_MAX])
{
	cy_note_verifier_string(&s->v, out);
}

const char *
cy_note_signer_name(const cy_note_signer *s)
{
	return s->v.name;
}

void
cy_note_signer_free(cy_note_signer *s)
{
	if (s == NULL)
		return;
	cy_key_free(s->own_key);
	free(s);
}

int
cy_note_sign(const uint8_t *text, size_t len, const cy_note_signer *s,
    cy_buf *out, cy_error *err)
{
	uint8_t sig[SIG_LEN];
	char b64[CY_B64_PADDED_LEN(SIG_LEN) + 1];

	if (len == 0 || text[len - 1] != '\n')
		return cy_error_set(err, CY_E_USAGE, "note text must end with a newline");
	if (len > CY_NOTE_MAX / 2 || !cy_utf8_text_ok(text, len, 1))
		return cy_error_set(err, CY_E_USAGE,
		    "note text must be short UTF-8 without control characters");
	sig[0] = (uint8_t)(s->v.id >> 24);
	sig[1] = (uint8_t)(s->v.id >> 16);
	sig[2] = (uint8_t)(s->v.id >> 8);
	sig[3] = (uint8_t)s->v.id;
	if (cy_key_sign(s->key, text, len, sig + 4, err) != 0)
		return cy_error_wrap(err, "cannot sign the note");
	cy_buf_append(out, text, len);
	cy_b64_encode(b64, sig, SIG_LEN, 1);
	cy_buf_printf(out, "\n%s%s %s\n", em_dash_space, s->v.name, b64);
	if (cy_buf_status(out) != 0)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	return 0;
}

static const cy_note_verifier *
find_verifier(const cy_note_verifier *const *vs, size_t nv, const char *name,
    size_t name_len, uint32_t id)
{
	size_t i;

	for (i = 0; i < nv; i++)
		if (vs[i]->id == id && strlen(vs[i]->name) == name_len &&
		    memcmp(vs[i]->name, name, name_len) == 0)
			return vs[i];
	return NULL;
}

/* A signature line, "— <name> <base64(key ID || signature)>", parsed. */
struct sig_line {
	const char *name;
	size_t name_len, n;
	uint32_t id;
	uint8_t sig[SIG_BYTES_MAX + 3];
};

/* Parses one signature line [p, end) (without its newline). */
static int
parse_sig_line(const uint8_t *p, const uint8_t *end, struct sig_line *sl,
    cy_error *err)
{
	const uint8_t *sp;
	size_t b64_len;

	if ((size_t)(end - p) < 4 || memcmp(p, em_dash_space, 4) != 0)
		return cy_error_set(err, CY_E_FORMAT,
		    "a signature line must start with an em dash and a space");
	p += 4;
	if ((sp = memchr(p, ' ', (size_t)(end - p))) == NULL)
		return cy_error_set(err, CY_E_FORMAT,
		    "a signature line reads \"— <name> <base64>\"");
	sl->name = (const char *)p;
	sl->name_len = (size_t)(sp - p);
	if (!name_ok(sl->name, sl->name_len))
		return cy_error_set(err, CY_E_FORMAT, "bad key name in a signature line");
	b64_len = (size_t)(end - sp - 1);
	if (b64_len > CY_B64_PADDED_LEN(SIG_BYTES_MAX))
		return cy_error_set(err, CY_E_TOO_LARGE, "signature too long");
	if (cy_b64_decode(sl->sig, &sl->n, (const char *)sp + 1, b64_len, 1) != 0)
		return cy_error_set(err, CY_E_FORMAT, "signature is not base64");
	if (sl->n < 5)
		return cy_error_set(err, CY_E_FORMAT, "signature too short");
	sl->id = (uint32_t)sl->sig[0] << 24 | (uint32_t)sl->sig[1] << 16 |
	    (uint32_t)sl->sig[2] << 8 | sl->sig[3];
	return 0;
}

/* Checks one signature line [p, end) (without its newline).  *verified is
 * set when a known key's signature verifies. */
static int
check_sig_line(const uint8_t *p, const uint8_t *end, const uint8_t *text,
    size_t text_len, const cy_note_verifier *const *vs, size_t nv,
    int *verified, cy_error *err)
{
	const cy_note_verifier *v;
	struct sig_line sl;
	int r;

	if ((r = parse_sig_line(p, end, &sl, err)) != 0)
		return r;
	if ((v = find_verifier(vs, nv, sl.name, sl.name_len, sl.id)) == NULL)
		return 0; /* an unknown key: ignored, as the spec requires */
	if (sl.n != SIG_LEN || crypto_sign_verify_detached(sl.sig + 4, text,
	    text_len, v->pub) != 0)
		return cy_error_set(err, CY_E_SIGNATURE,
		    "the signature by %s does not verify", v->name);
	*verified = 1;
	return 0;
}

int
cy_note_open(const uint8_t *note, size_t len,
    const cy_note_verifier *const *vs, size_t nv, size_t *text_len,
    cy_error *err)
{
	const uint8_t *p, *end = note + len, *nl;
	size_t split, lines = 0;
	int verified = 0, r;

	*text_len = 0;
	if (len > CY_NOTE_MAX)
		return cy_error_set(err, CY_E_TOO_LARGE, "note larger than %d bytes",
		    CY_NOTE_MAX);
	if (!cy_utf8_text_ok(note, len, 1))
		return cy_error_set(err, CY_E_FORMAT,
		    "note is not UTF-8 text free of control characters");
	if (len < 2 || note[len - 1] != '\n')
		return cy_error_set(err, CY_E_FORMAT, "note does not end with a newline");
	/* The text ends at the last blank line. */
	for (split = len - 1; split > 0; split--)
		if (note[split - 1] == '\n' && note[split] == '\n')
			break;
	if (split == 0)
		return cy_error_set(err, CY_E_FORMAT,
		    "note has no blank line before its signatures");
	for (p = note + split + 1; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (++lines > CY_NOTE_SIGS_MAX)
			return cy_error_set(err, CY_E_TOO_LARGE,
			    "note has more than %d signatures", CY_NOTE_SIGS_MAX);
		if ((r = check_sig_line(p, nl, note, split, vs, nv, &verified,
		    err)) != 0)
			return r;
	}
	if (lines == 0)
		return cy_error_set(err, CY_E_FORMAT, "note has no signature");
	if (!verified)
		return cy_error_set(err, CY_E_SIGNATURE,
		    "note is not signed by a known key");
	*text_len = split;
	return 0;
}

/* --- timestamped cosignatures (c2sp.org/tlog-cosignature, Ed25519) --- */

/* The signed message: "cosignature/v1\ntime <t>\n" and the note text. */
static int
cosig_message(const uint8_t *text, size_t len, uint64_t t, cy_buf *msg,
    cy_error *err)
{
	cy_buf_printf(msg, "cosignature/v1\ntime %llu\n", (unsigned long long)t);
	cy_buf_append(msg, text, len);
	return cy_buf_status(msg) != 0 ?
	    cy_error_set(err, CY_E_NOMEM, "out of memory") : 0;
}

int
cy_note_cosign(const uint8_t *text, size_t len, uint64_t t,
    const cy_note_signer *s, cy_buf *out, cy_error *err)
{
	uint32_t id = key_id_alg(s->v.name, s->v.pub, ALG_COSIG);
	char b64[CY_B64_PADDED_LEN(COSIG_LEN) + 1];
	cy_buf msg = CY_BUF_INIT;
	uint8_t sig[COSIG_LEN];
	int i, r;

	if (t > (uint64_t)INT64_MAX)
		return cy_error_set(err, CY_E_USAGE,
		    "a cosignature's time is at most 2^63 - 1");
	if (len == 0 || text[len - 1] != '\n')
		return cy_error_set(err, CY_E_USAGE, "note text must end with a newline");
	if ((r = cosig_message(text, len, t, &msg, err)) != 0)
		goto out;
	for (i = 0; i < 4; i++)
		sig[i] = (uint8_t)(id >> (24 - 8 * i));
	for (i = 0; i < 8; i++)
		sig[4 + i] = (uint8_t)(t >> (56 - 8 * i));
	if ((r = cy_key_sign(s->key, msg.data, msg.len, sig + 12, err)) != 0) {
		cy_error_wrap(err, "cannot cosign the note");
		goto out;
	}
	cy_b64_encode(b64, sig, COSIG_LEN, 1);
	cy_buf_printf(out, "%s%s %s\n", em_dash_space, s->v.name, b64);
	if (cy_buf_status(out) != 0)
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
out:
	cy_buf_free(&msg);
	return r;
}

/* Checks one cosignature by v (its time into *t). */
static int
check_cosig(const struct sig_line *sl, const uint8_t *text, size_t text_len,
    const cy_note_verifier *v, uint64_t *t, cy_error *err)
{
	cy_buf msg = CY_BUF_INIT;
	int i, r;

	if (sl->n != COSIG_LEN)
		return cy_error_set(err, CY_E_SIGNATURE,
		    "the timestamped cosignature by %s is not %d bytes", v->name,
		    COSIG_LEN);
	for (*t = 0, i = 0; i < 8; i++)
		*t = *t << 8 | sl->sig[4 + i];
	if (*t > (uint64_t)INT64_MAX)
		return cy_error_set(err, CY_E_SIGNATURE,
		    "the timestamped cosignature by %s has a time beyond 2^63 - 1",
		    v->name);
	if ((r = cosig_message(text, text_len, *t, &msg, err)) != 0)
		return r;
	if (crypto_sign_verify_detached(sl->sig + 12, msg.data, msg.len,
	    v->pub) != 0)
		r = cy_error_set(err, CY_E_SIGNATURE,
		    "the timestamped cosignature by %s does not verify (its time "
		    "or the checkpoint was altered)", v->name);
	cy_buf_free(&msg);
	return r;
}

int
cy_note_cosig_verify(const uint8_t *note, size_t len, size_t text_len,
    const cy_note_verifier *v, uint64_t *t, cy_error *err)
{
	uint32_t id = key_id_alg(v->name, v->pub, ALG_COSIG);
	const uint8_t *p, *end = note + len, *nl;
	struct sig_line sl;
	int found = 0, r;

	*t = 0;
	if (text_len == 0 || text_len >= len)
		return cy_error_set(err, CY_E_USAGE, "open the note first");
	for (p = note + text_len + 1; p < end; p = nl + (nl < end)) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if ((r = parse_sig_line(p, nl, &sl, err)) != 0)
			return r;
		if (sl.id != id || sl.name_len != strlen(v->name) ||
		    memcmp(sl.name, v->name, sl.name_len) != 0)
			continue;
		if (found++)
			return cy_error_set(err, CY_E_SIGNATURE,
			    "the note carries two timestamped cosignatures by %s",
			    v->name);
		if ((r = check_cosig(&sl, note, text_len, v, t, err)) != 0)
			return r;
	}
	if (!found)
		return cy_error_set(err, CY_E_SIGNATURE,
		    "the note carries no timestamped cosignature by %s", v->name);
	return 0;
}

/* --- checkpoints --- */

int
cy_checkpoint_format(const cy_checkpoint *c, cy_buf *out, cy_error *err)
{
	char root[CY_B64_PADDED_LEN(CY_HASH_LEN) + 1];
	size_t n = strnlen(c->origin, sizeof(c->origin));

	if (n == 0 || n > CY_ORIGIN_MAX ||
	    !cy_utf8_text_ok((const uint8_t *)c->origin, n, 0))
		return cy_error_set(err, CY_E_USAGE,
		    "origin must be 1 to %d bytes of UTF-8 text", CY_ORIGIN_MAX);
	if (c->has_previous && c->previous >= c->size)
		return cy_error_set(err, CY_E_USAGE,
		    "a checkpoint's previous size must be below its size");
	cy_b64_encode(root, c->root, CY_HASH_LEN, 1);
	cy_buf_printf(out, "%s\n%llu\n%s\n", c->origin,
	    (unsigned long long)c->size, root);
	if (c->has_previous)
		cy_buf_printf(out, PREVIOUS "%llu\n",
		    (unsigned long long)c->previous);
	if (cy_buf_status(out) != 0)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	return 0;
}

/* coyeu's extension line "coyeu.v1/previous <size>": only as the first
 * extension line (so a parsed checkpoint formats back to its text), below
 * the size; other extension lines are ignored. */
static int
parse_previous(const char *line, size_t n, int first, cy_checkpoint *c,
    cy_error *err)
{
	size_t k = sizeof(PREVIOUS) - 1;

	if (n < k || memcmp(line, PREVIOUS, k) != 0)
		return 0;
	if (!first || cy_parse_u64(line + k, n - k, &c->previous) != 0 ||
	    c->previous >= c->size)
		return cy_error_set(err, CY_E_FORMAT, "checkpoint has a bad or "
		    "misplaced " PREVIOUS "line (once, first, below the size)");
	c->has_previous = 1;
	return 0;
}

int
cy_checkpoint_parse(const uint8_t *text, size_t len, cy_checkpoint *out,
    cy_error *err)
{
	const uint8_t *p = text, *end = text + len;
	const char *line;
	size_t n;
	int r, first;

	memset(out, 0, sizeof(*out));
	if (!cy_utf8_text_ok(text, len, 1))
		return cy_error_set(err, CY_E_FORMAT,
		    "checkpoint is not UTF-8 text free of control characters");
	if (cy_text_line(&p, end, &line, &n) != 0 || n == 0)
		return cy_error_set(err, CY_E_FORMAT, "checkpoint has no origin line");
	if (n > CY_ORIGIN_MAX)
		return cy_error_set(err, CY_E_TOO_LARGE, "checkpoint origin too long");
	memcpy(out->origin, line, n);
	if (cy_text_line(&p, end, &line, &n) != 0 ||
	    cy_parse_u64(line, n, &out->size) != 0)
		return cy_error_set(err, CY_E_FORMAT,
		    "checkpoint tree size is not a canonical decimal number");
	if (cy_text_line(&p, end, &line, &n) != 0 ||
	    cy_b64_hash_decode(line, n, out->root) != 0)
		return cy_error_set(err, CY_E_FORMAT,
		    "checkpoint root hash is not 32 bytes of base64");
	for (first = 1; p < end; first = 0) {
		if (cy_text_line(&p, end, &line, &n) != 0 || n == 0)
			return cy_error_set(err, CY_E_FORMAT,
			    "checkpoint extension lines must not be empty");
		if ((r = parse_previous(line, n, first, out, err)) != 0)
			return r;
	}
	if (len == 0 || text[len - 1] != '\n')
		return cy_error_set(err, CY_E_FORMAT,
		    "checkpoint does not end with a newline");
	return 0;
}

int
cy_checkpoint_sign(const cy_checkpoint *c, const cy_note_signer *s,
    cy_buf *out, cy_error *err)
{
	cy_buf text = CY_BUF_INIT;
	int r;

	if ((r = cy_checkpoint_format(c, &text, err)) == 0 &&
	    (r = cy_note_sign(text.data, text.len, s, out, err)) == 0)
		r = cy_note_cosign(text.data, text.len, c->time, s, out, err);
	cy_buf_free(&text);
	return r;
}

int
cy_checkpoint_open(const uint8_t *note, size_t len, const cy_note_verifier *v,
    cy_checkpoint *out, cy_error *err)
{
	size_t text_len;
	int r;

	if ((r = cy_note_open(note, len, &v, 1, &text_len, err)) != 0)
		return r;
	if ((r = cy_checkpoint_parse(note, text_len, out, err)) != 0)
		return r;
	if (strcmp(out->origin, v->name) != 0)
		return cy_error_set(err, CY_E_POLICY,
		    "checkpoint origin \"%s\" is not the log \"%s\"", out->origin,
		    v->name);
	return cy_note_cosig_verify(note, len, text_len, v, &out->time, err);
}
