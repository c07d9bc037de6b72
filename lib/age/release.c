/* The coyeu.v1/release stanza (release.h): an X25519 stanza whose wrap
 * key also needs R, which only the registry holds; and R's sealed form. */
#include <stdlib.h>
#include <string.h>

#include "coyeu/encoding.h"
#include "coyeu/release.h"
#include "coyeu/secret.h"
#include "base/crypto.h"
#include "age/recipient.h"
#include "age/release_raw.h"

/* "coyeu.v1/release-secret <doc-id> <copy-id>\n" */
#define SECRET_LINE_LEN (sizeof(CY_RELEASE_SECRET_PREFIX) - 1 + 1 + \
    CY_RELEASE_ID_LEN + 1 + CY_RELEASE_ID_LEN + 1)
#define SECRET_PAYLOAD_LEN (SECRET_LINE_LEN + CY_RELEASE_SECRET_LEN)
#define ID_BYTES (CY_RELEASE_ID_LEN / 2)

static int
nomem(cy_error *err)
{
	return cy_error_set(err, CY_E_NOMEM, "out of memory");
}

int
cy_release_id_new(char out[CY_RELEASE_ID_SIZE], cy_error *err)
{
	uint8_t raw[ID_BYTES];

	(void)err;
	cy_random(raw, sizeof(raw));
	cy_hex_encode(out, raw, sizeof(raw));
	return 0;
}

/* Not echoed: it may come from a header, anything at all. */
int
cy_release_id_check(const char *s, cy_error *err)
{
	size_t i;

	if (s == NULL)
		return cy_error_set(err, CY_E_FORMAT, "no id given: a doc-id or "
		    "copy-id is %d lowercase hex digits", CY_RELEASE_ID_LEN);
	for (i = 0; i < CY_RELEASE_ID_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			break;
	if (i != CY_RELEASE_ID_LEN || s[i] != '\0')
		return cy_error_set(err, CY_E_FORMAT, "not an id: a doc-id or "
		    "copy-id is %d lowercase hex digits", CY_RELEASE_ID_LEN);
	return 0;
}

/* The caller's ids: CY_E_USAGE naming which is wrong. */
static int
check_ids(const char *what, const char *doc_id, const char *copy_id,
    cy_error *err)
{
	const char *bad = cy_release_id_check(doc_id, NULL) != 0 ? "doc-id" :
	    cy_release_id_check(copy_id, NULL) != 0 ? "copy-id" : NULL;

	if (bad != NULL)
		return cy_error_set(err, CY_E_USAGE, "%s: the %s must be %d "
		    "lowercase hex digits", what, bad, CY_RELEASE_ID_LEN);
	return 0;
}

static const struct cy_x25519_wrapping release_wrapping_base = {
	NULL, CY_RELEASE_SECRET_LEN, CY_RELEASE_HKDF_INFO, CY_RELEASE_STANZA
};

static struct cy_x25519_wrapping
release_wrapping(const struct cy_release_part *part)
{
	struct cy_x25519_wrapping w = release_wrapping_base;

	w.extra = part->r;
	return w;
}

/* The ids checked, and R, in guarded memory. */
static int
release_part_new(const char *doc_id, const char *copy_id,
    const uint8_t r[CY_RELEASE_SECRET_LEN], struct cy_release_part **out,
    cy_error *err)
{
	struct cy_release_part *part;
	int rc;

	*out = NULL;
	if ((rc = check_ids("a release stanza", doc_id, copy_id, err)) != 0)
		return rc;
	if ((part = cy_secret_alloc(sizeof(*part))) == NULL)
		return nomem(err);
	memcpy(part->doc_id, doc_id, CY_RELEASE_ID_SIZE);
	memcpy(part->copy_id, copy_id, CY_RELEASE_ID_SIZE);
	memcpy(part->r, r, CY_RELEASE_SECRET_LEN);
	*out = part;
	return 0;
}

/* Gives rc (or id) its release part and hands it to *out; frees it on
 * failure. */
static int
recipient_with_part(cy_recipient *rc, const char *doc_id, const char *copy_id,
    const uint8_t r[CY_RELEASE_SECRET_LEN], cy_recipient **out,
    cy_error *err)
{
	int ret;

	if ((ret = release_part_new(doc_id, copy_id, r, &rc->release,
	    err)) != 0) {
		cy_recipient_free(rc);
		return ret;
	}
	*out = rc;
	return 0;
}

static int
identity_with_part(cy_identity *id, const char *doc_id, const char *copy_id,
    const uint8_t r[CY_RELEASE_SECRET_LEN], cy_identity **out,
    cy_error *err)
{
	int ret;

	if ((ret = release_part_new(doc_id, copy_id, r, &id->release,
	    err)) != 0) {
		cy_identity_free(id);
		return ret;
	}
	*out = id;
	return 0;
}

int
cy_release_recipient(const uint8_t pub[CY_X25519_KEY_LEN],
    const char *doc_id, const char *copy_id,
    const uint8_t r[CY_RELEASE_SECRET_LEN], cy_recipient **out,
    cy_error *err)
{
	cy_recipient *rc;

	*out = NULL;
	if ((rc = calloc(1, sizeof(*rc))) == NULL)
		return nomem(err);
	rc->kind = CY_KIND_RELEASE;
	rc->wrap = cy_release_wrap;
	memcpy(rc->pub, pub, CY_X25519_KEY_LEN);
	return recipient_with_part(rc, doc_id, copy_id, r, out, err);
}

int
cy_release_identity(const cy_identity *x, const char *doc_id,
    const char *copy_id, const uint8_t r[CY_RELEASE_SECRET_LEN],
    cy_identity **out, cy_error *err)
{
	cy_identity *id;

	*out = NULL;
	if (x == NULL || x->kind != CY_KIND_X25519 || x->key == NULL)
		return cy_error_set(err, CY_E_USAGE, "a release identity is made "
		    "from an X25519 identity (AGE-SECRET-KEY-1… or an officer "
		    "key)");
	if ((id = calloc(1, sizeof(*id))) == NULL)
		return nomem(err);
	id->kind = CY_KIND_RELEASE;
	id->unwrap = cy_release_unwrap;
	id->key = x->key;   /* borrowed, as x is */
	memcpy(id->pub, x->pub, CY_X25519_KEY_LEN);
	return identity_with_part(id, doc_id, copy_id, r, out, err);
}

int
cy_release_wrap(const cy_recipient *rc, const uint8_t *file_key, cy_header *h,
    cy_error *err)
{
	struct cy_x25519_wrapping w = release_wrapping(rc->release);
	uint8_t body[CY_WRAPPED_KEY_LEN];
	char share_b64[CY_X25519_SHARE_B64_SIZE];
	const char *args[3] = {rc->release->doc_id, rc->release->copy_id,
	    share_b64};
	int r;

	if ((r = cy_x25519_share_wrap(&w, rc->pub, file_key, share_b64, body,
	    err)) != 0)
		return r;
	if ((r = cy_header_add(h, CY_RELEASE_STANZA, args, 3, body,
	    sizeof(body))) != 0)
		return cy_error_set(err, r, "cannot add a release stanza");
	return 0;
}

/* 1 for a coyeu.v1/release-pq stanza, 0 for coyeu.v1/release, -1 for
 * another kind. */
static int
release_kind(const char *type)
{
	return strcmp(type, CY_RELEASE_PQ_STANZA) == 0 ? 1 :
	    strcmp(type, CY_RELEASE_STANZA) == 0 ? 0 : -1;
}

/* The key argument of a hybrid stanza: enc, canonical unpadded base64 of
 * exactly CY_PQ_ENC_LEN bytes (the decoder may write 2 bytes beyond). */
#define ENC_B64_LEN CY_B64_UNPADDED_LEN(CY_PQ_ENC_LEN)
#define ENC_BUF_LEN (CY_PQ_ENC_LEN + 2)

static int
enc_decode(const char *arg, uint8_t enc[ENC_BUF_LEN])
{
	size_t n;

	return strlen(arg) == ENC_B64_LEN &&
	    cy_b64_decode(enc, &n, arg, ENC_B64_LEN, 0) == 0 &&
	    n == CY_PQ_ENC_LEN ? 0 : -1;
}

/* A release stanza's parts, or CY_E_NO_MATCH (another kind), or
 * CY_E_HEADER saying what is malformed, before any decryption.  key
 * receives the share (classical, 32 bytes) or enc (hybrid, ENC_BUF_LEN
 * bytes of room); it may be NULL. */
static int
stanza_parse(const cy_stanza *s, uint8_t *key, cy_error *err)
{
	uint8_t tmp[ENC_BUF_LEN];
	int hybrid = release_kind(s->type);
	const char *what = hybrid ? "enc" : "share";
	int bad;

	if (hybrid < 0)
		return CY_E_NO_MATCH;
	if (s->nargs != 3)
		return cy_error_set(err, CY_E_HEADER, "malformed %s stanza: %zu "
		    "arguments, expected 3 (doc-id, copy-id, %s)", s->type,
		    s->nargs, what);
	if (cy_release_id_check(s->args[0], NULL) != 0)
		return cy_error_set(err, CY_E_HEADER, "malformed %s stanza: the "
		    "doc-id must be %d lowercase hex digits", s->type,
		    CY_RELEASE_ID_LEN);
	if (cy_release_id_check(s->args[1], NULL) != 0)
		return cy_error_set(err, CY_E_HEADER, "malformed %s stanza: the "
		    "copy-id must be %d lowercase hex digits", s->type,
		    CY_RELEASE_ID_LEN);
	bad = hybrid ? enc_decode(s->args[2], key != NULL ? key : tmp) :
	    cy_x25519_share_decode(s->args[2], key != NULL ? key : tmp);
	if (bad != 0)
		return cy_error_set(err, CY_E_HEADER, "malformed %s stanza: the "
		    "%s must be %d bytes of canonical base64", s->type, what,
		    hybrid ? CY_PQ_ENC_LEN : CY_X25519_KEY_LEN);
	if (s->body_len != CY_WRAPPED_KEY_LEN)
		return cy_error_set(err, CY_E_HEADER, "malformed %s stanza: the "
		    "wrapped key must be %d bytes (the file key and its tag), "
		    "not %zu", s->type, CY_WRAPPED_KEY_LEN, s->body_len);
	return 0;
}

int
cy_release_stanza_ids(const cy_stanza *s, char doc_id[CY_RELEASE_ID_SIZE],
    char copy_id[CY_RELEASE_ID_SIZE], cy_error *err)
{
	int r;

	if ((r = stanza_parse(s, NULL, err)) != 0)
		return r == CY_E_NO_MATCH ? cy_error_set(err, r, "a %.32s stanza, "
		    "not a %s or %s stanza", s->type, CY_RELEASE_STANZA,
		    CY_RELEASE_PQ_STANZA) : r;
	memcpy(doc_id, s->args[0], CY_RELEASE_ID_SIZE);
	memcpy(copy_id, s->args[1], CY_RELEASE_ID_SIZE);
	return 0;
}

/* A stanza of this copy that does not open: the key is not this copy's
 * recipient's or R is not this copy's, said as such (cy_age_unwrap
 * reports it if nothing else opens). */
static int
near_miss(int r, const cy_stanza *s, const struct cy_release_part *part,
    cy_error *err)
{
	if (r == CY_E_NO_MATCH)
		cy_error_set(err, r, "the %s stanza of copy %s does not open "
		    "with this key and secret: the copy is another recipient's, "
		    "or the secret is not this copy's",
		    release_kind(s->type) == 1 ? "release-pq" : "release",
		    part->copy_id);
	return r;
}

/* Only the stanza of this identity's copy matches. */
int
cy_release_unwrap(const cy_identity *id, const cy_stanza *s,
    uint8_t *file_key, cy_error *err)
{
	const struct cy_release_part *part = id->release;
	struct cy_x25519_wrapping w = release_wrapping(part);
	uint8_t share[CY_X25519_KEY_LEN];
	int r;

	if (strcmp(s->type, CY_RELEASE_STANZA) != 0)
		return CY_E_NO_MATCH;
	if ((r = stanza_parse(s, share, err)) != 0)
		return r;
	if (strcmp(s->args[0], part->doc_id) != 0 ||
	    strcmp(s->args[1], part->copy_id) != 0)
		return CY_E_NO_MATCH;
	r = cy_x25519_share_unwrap(&w, id->key, id->pub, share, s->body,
	    file_key, err);
	return near_miss(r, s, part, err);
}

/* --- the hybrid form: coyeu.v1/release-pq --- */

/* The secrets of one hybrid wrap or unwrap, in guarded memory. */
struct release_pq_op {
	uint8_t ss[CY_PQ_SS_LEN];
	uint8_t ikm[CY_PQ_SS_LEN + CY_RELEASE_SECRET_LEN];
	uint8_t key[CY_AEAD_KEY_LEN];
};

/* wrap key = HKDF-SHA-256(ikm = ss || R, salt = SHA-256(enc || pub),
 * info = "coyeu.v1/release-pq"), from op->ss into op->key.  The salt
 * binds the ciphertext and the recipient's hybrid key, as age's X25519
 * salt binds the share and the recipient. */
static int
release_pq_key(struct release_pq_op *op, const uint8_t r[CY_RELEASE_SECRET_LEN],
    const uint8_t enc[CY_PQ_ENC_LEN], const uint8_t pub[CY_PQ_PUB_LEN])
{
	uint8_t salt[CY_SHA256_LEN];
	cy_sha256_ctx *c;
	int ret;

	if ((c = cy_sha256_new()) == NULL)
		return CY_E_NOMEM;
	cy_sha256_update(c, enc, CY_PQ_ENC_LEN);
	cy_sha256_update(c, pub, CY_PQ_PUB_LEN);
	if ((ret = cy_sha256_final(c, salt, NULL)) != 0)
		return ret;
	memcpy(op->ikm, op->ss, CY_PQ_SS_LEN);
	memcpy(op->ikm + CY_PQ_SS_LEN, r, CY_RELEASE_SECRET_LEN);
	return cy_hkdf_sha256(op->ikm, sizeof(op->ikm), salt, sizeof(salt),
	    CY_RELEASE_PQ_HKDF_INFO, op->key, sizeof(op->key));
}

int
cy_release_pq_stanza(const uint8_t pub[CY_PQ_PUB_LEN], const char *doc_id,
    const char *copy_id, const uint8_t r[CY_RELEASE_SECRET_LEN],
    const uint8_t m[CY_MLKEM_MSG_LEN], const uint8_t eph[CY_X25519_KEY_LEN],
    const uint8_t *file_key, cy_header *h, cy_error *err)
{
	static const uint8_t zero_nonce[CY_AEAD_NONCE_LEN];
	uint8_t enc[CY_PQ_ENC_LEN], body[CY_WRAPPED_KEY_LEN];
	char enc_b64[ENC_B64_LEN + 1];
	const char *args[3] = {doc_id, copy_id, enc_b64};
	struct release_pq_op *op;
	int ret;

	if ((ret = check_ids("a release stanza", doc_id, copy_id, err)) != 0)
		return ret;
	if ((op = cy_secret_alloc(sizeof(*op))) == NULL)
		return nomem(err);
	if ((ret = cy_pq_encaps(pub, m, eph, enc, op->ss, err)) != 0)
		goto out;
	if ((ret = release_pq_key(op, r, enc, pub)) != 0 ||
	    (ret = cy_aead_seal(op->key, zero_nonce, file_key,
	    CY_FILE_KEY_LEN, body)) != 0) {
		cy_error_set(err, ret, "cannot wrap the file key for a %s stanza",
		    CY_RELEASE_PQ_STANZA);
		goto out;
	}
	cy_b64_encode(enc_b64, enc, sizeof(enc), 0);
	if ((ret = cy_header_add(h, CY_RELEASE_PQ_STANZA, args, 3, body,
	    sizeof(body))) != 0)
		cy_error_set(err, ret, "cannot add a release stanza");
out:
	cy_secret_free(op);
	return ret;
}

int
cy_release_pq_wrap(const cy_recipient *rc, const uint8_t *file_key,
    cy_header *h, cy_error *err)
{
	struct {
		uint8_t m[CY_MLKEM_MSG_LEN], eph[CY_X25519_KEY_LEN];
	} *rnd;
	int r;

	if ((rnd = cy_secret_alloc(sizeof(*rnd))) == NULL)
		return nomem(err);
	cy_random(rnd, sizeof(*rnd));
	r = cy_release_pq_stanza(rc->pq_pub, rc->release->doc_id,
	    rc->release->copy_id, rc->release->r, rnd->m, rnd->eph, file_key,
	    h, err);
	cy_secret_free(rnd);
	return r;
}

int
cy_release_pq_unwrap(const cy_identity *id, const cy_stanza *s,
    uint8_t *file_key, cy_error *err)
{
	static const uint8_t zero_nonce[CY_AEAD_NONCE_LEN];
	const struct cy_release_part *part = id->release;
	uint8_t enc[ENC_BUF_LEN];
	struct release_pq_op *op;
	int r;

	if (strcmp(s->type, CY_RELEASE_PQ_STANZA) != 0)
		return CY_E_NO_MATCH;
	if ((r = stanza_parse(s, enc, err)) != 0)
		return r;
	if (strcmp(s->args[0], part->doc_id) != 0 ||
	    strcmp(s->args[1], part->copy_id) != 0)
		return CY_E_NO_MATCH;
	if ((op = cy_secret_alloc(sizeof(*op))) == NULL)
		return nomem(err);
	if ((r = cy_pq_decaps(id->pq_inner, enc, op->ss, err)) != 0)
		goto out;
	if ((r = release_pq_key(op, part->r, enc,
	    cy_pq_identity_public(id->pq_inner))) != 0) {
		cy_error_set(err, r, "cannot derive the %s wrap key",
		    CY_RELEASE_PQ_STANZA);
		goto out;
	}
	r = cy_aead_open(op->key, zero_nonce, s->body, s->body_len,
	    file_key) == 0 ? 0 : CY_E_NO_MATCH;
	r = near_miss(r, s, part, err);
out:
	cy_secret_free(op);
	return r;
}

int
cy_release_pq_recipient(const uint8_t pub[CY_PQ_PUB_LEN], const char *doc_id,
    const char *copy_id, const uint8_t r[CY_RELEASE_SECRET_LEN],
    cy_recipient **out, cy_error *err)
{
	cy_recipient *rc = NULL;
	int ret;

	*out = NULL;
	if ((ret = cy_pq_recipient_from_pub(pub, &rc, err)) != 0)
		return ret;
	rc->kind = CY_KIND_RELEASE_PQ;
	rc->wrap = cy_release_pq_wrap;
	return recipient_with_part(rc, doc_id, copy_id, r, out, err);
}

int
cy_release_pq_identity(const cy_identity *pq, const char *doc_id,
    const char *copy_id, const uint8_t r[CY_RELEASE_SECRET_LEN],
    cy_identity **out, cy_error *err)
{
	cy_identity *id;

	*out = NULL;
	if (cy_pq_identity_public(pq) == NULL)
		return cy_error_set(err, CY_E_USAGE, "a post-quantum release "
		    "identity is made from a hybrid identity "
		    "(AGE-SECRET-KEY-PQ-1… or an officer key's hybrid part)");
	if ((id = calloc(1, sizeof(*id))) == NULL)
		return nomem(err);
	id->kind = CY_KIND_RELEASE_PQ;
	id->unwrap = cy_release_pq_unwrap;
	id->pq_inner = pq;   /* borrowed */
	return identity_with_part(id, doc_id, copy_id, r, out, err);
}

/* "coyeu.v1/release-secret <doc-id> <copy-id>\n" into line. */
static void
secret_line(const char *doc_id, const char *copy_id,
    char line[SECRET_LINE_LEN + 1])
{
	memcpy(line, CY_RELEASE_SECRET_PREFIX " ",
	    sizeof(CY_RELEASE_SECRET_PREFIX));
	memcpy(line + sizeof(CY_RELEASE_SECRET_PREFIX), doc_id,
	    CY_RELEASE_ID_LEN);
	line[sizeof(CY_RELEASE_SECRET_PREFIX) + CY_RELEASE_ID_LEN] = ' ';
	memcpy(line + sizeof(CY_RELEASE_SECRET_PREFIX) + CY_RELEASE_ID_LEN + 1,
	    copy_id, CY_RELEASE_ID_LEN);
	line[SECRET_LINE_LEN - 1] = '\n';
	line[SECRET_LINE_LEN] = '\0';
}

int
cy_release_secret_seal(const uint8_t r[CY_RELEASE_SECRET_LEN],
    const char *doc_id, const char *copy_id,
    const uint8_t pub[CY_X25519_KEY_LEN], cy_buf *out, cy_error *err)
{
	uint8_t *payload = NULL;
	cy_recipient *rc = NULL;
	cy_seal_params sp;
	int ret;

	if ((ret = check_ids("a release secret", doc_id, copy_id, err)) != 0)
		return ret;
	if ((payload = cy_secret_alloc(SECRET_PAYLOAD_LEN + 1)) == NULL)
		return nomem(err);
	secret_line(doc_id, copy_id, (char *)payload);
	memcpy(payload + SECRET_LINE_LEN, r, CY_RELEASE_SECRET_LEN);
	if ((ret = cy_recipient_x25519(pub, &rc, err)) != 0)
		goto out;
	memset(&sp, 0, sizeof(sp));
	sp.recipients = &rc;
	sp.nrecipients = 1;
	sp.threads = 1;
	if ((ret = cy_age_seal_mem(payload, SECRET_PAYLOAD_LEN, &sp, out,
	    err)) != 0)
		cy_error_wrap(err, "sealing the release secret");
out:
	cy_recipient_free(rc);
	cy_secret_free(payload);
	return ret;
}

int
cy_release_secret_open(const uint8_t *in, size_t len, const cy_identity *id,
    const char *doc_id, const char *copy_id,
    uint8_t r[CY_RELEASE_SECRET_LEN], cy_error *err)
{
	char line[SECRET_LINE_LEN + 1];
	cy_identity *ids[1];
	cy_buf plain = CY_BUF_INIT;
	cy_open_params op;
	int ret;

	if ((ret = check_ids("a release secret", doc_id, copy_id, err)) != 0)
		return ret;
	if (len > CY_RELEASE_SEALED_MAX)
		return cy_error_set(err, CY_E_FORMAT, "the sealed secret is %zu "
		    "bytes, over the %d a sealed secret may be", len,
		    CY_RELEASE_SEALED_MAX);
	ids[0] = (cy_identity *)id;
	memset(&op, 0, sizeof(op));
	op.identities = ids;
	op.nidentities = 1;
	op.threads = 1;
	if ((ret = cy_age_open_mem(in, len, &op, &plain, err)) != 0) {
		cy_error_wrap(err, "the sealed secret");
		goto out;
	}
	secret_line(doc_id, copy_id, line);
	if (plain.len != SECRET_PAYLOAD_LEN ||
	    memcmp(plain.data, CY_RELEASE_SECRET_PREFIX " ",
	    sizeof(CY_RELEASE_SECRET_PREFIX)) != 0) {
		ret = cy_error_set(err, CY_E_FORMAT, "the sealed secret holds "
		    "no release secret (a %zu-byte payload, not \"%s <doc-id> "
		    "<copy-id>\" and %d bytes)", plain.len,
		    CY_RELEASE_SECRET_PREFIX, CY_RELEASE_SECRET_LEN);
		goto out;
	}
	if (memcmp(plain.data, line, SECRET_LINE_LEN) != 0) {
		ret = cy_error_set(err, CY_E_FORMAT, "the sealed secret is "
		    "another copy's: it was not made for document %s copy %s",
		    doc_id, copy_id);
		goto out;
	}
	memcpy(r, plain.data + SECRET_LINE_LEN, CY_RELEASE_SECRET_LEN);
out:
	cy_buf_free(&plain);
	return ret;
}

int
cy_release_reseal(const uint8_t *in, size_t len, const cy_identity *id,
    const char *doc_id, const char *copy_id,
    const uint8_t pub[CY_X25519_KEY_LEN], cy_buf *out, cy_error *err)
{
	uint8_t *r;
	int ret;

	if ((r = cy_secret_alloc(CY_RELEASE_SECRET_LEN)) == NULL)
		return nomem(err);
	if ((ret = cy_release_secret_open(in, len, id, doc_id, copy_id, r,
	    err)) == 0)
		ret = cy_release_secret_seal(r, doc_id, copy_id, pub, out, err);
	cy_secret_free(r);
	return ret;
}

int
cy_release_identity_sealed(const cy_identity *x, const char *doc_id,
    const char *copy_id, const uint8_t *sealed, size_t len,
    cy_identity **out, cy_error *err)
{
	uint8_t *r;
	int ret;

	if ((r = cy_secret_alloc(CY_RELEASE_SECRET_LEN)) == NULL)
		return nomem(err);
	if ((ret = cy_release_secret_open(sealed, len, x, doc_id, copy_id, r,
	    err)) == 0)
		ret = cy_release_identity(x, doc_id, copy_id, r, out, err);
	cy_secret_free(r);
	return ret;
}

int
cy_release_identity_sealed_pq(const cy_identity *x, const cy_identity *pq,
    const char *doc_id, const char *copy_id, const uint8_t *sealed,
    size_t len, cy_identity **out, cy_error *err)
{
	uint8_t *r;
	int ret;

	*out = NULL;
	if (cy_pq_identity_public(pq) == NULL)
		return cy_error_set(err, CY_E_USAGE, "a post-quantum release "
		    "identity needs a hybrid identity (cy_identity_from_key_pq): "
		    "this key has no post-quantum part");
	if ((r = cy_secret_alloc(CY_RELEASE_SECRET_LEN)) == NULL)
		return nomem(err);
	if ((ret = cy_release_secret_open(sealed, len, x, doc_id, copy_id, r,
	    err)) == 0)
		ret = cy_release_pq_identity(pq, doc_id, copy_id, r, out, err);
	cy_secret_free(r);
	return ret;
}
