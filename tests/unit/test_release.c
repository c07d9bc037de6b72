/* Registry-mediated recipients (release.h): the coyeu.v1/release stanza,
 * the identity that opens one copy only, and R's sealed form. */
#include "pki.h"

#include <unistd.h>

#include "age/ageio.h"
#include "coyeu/age.h"
#include "coyeu/document.h"
#include "coyeu/encoding.h"
#include "coyeu/header.h"
#include "coyeu/release.h"
#include "coyeu/secret.h"
#include "age/recipient.h"
#include "age/release_raw.h"
#include "doc/docseal.h"

#define DOC "00112233445566778899aabbccddeeff"
#define COPY_A "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0"
#define COPY_B "b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1"
#define OTHER_DOC "ffeeddccbbaa99887766554433221100"

static const uint8_t message[] = "Công văn số 123: nội dung mật.";

struct keys {
	cy_identity *x;        /* the recipient's X25519 identity */
	uint8_t r[CY_RELEASE_SECRET_LEN];
};

static int
setup(void **state)
{
	struct keys *k = calloc(1, sizeof(*k));
	cy_error err;

	assert_int_equal(cy_init(), 0);
	assert_int_equal(cy_identity_generate(&k->x, &err), 0);
	randombytes_buf(k->r, sizeof(k->r));
	*state = k;
	return 0;
}

static int
teardown(void **state)
{
	struct keys *k = *state;

	cy_identity_free(k->x);
	free(k);
	return 0;
}

/* message sealed with one release stanza to x for (DOC, copy) under r. */
static cy_buf
seal_release(const cy_identity *x, const char *copy,
    const uint8_t r[CY_RELEASE_SECRET_LEN])
{
	cy_recipient *rc = NULL;
	cy_seal_params p;
	cy_buf out = CY_BUF_INIT;
	cy_error err;

	if (cy_release_recipient(x->pub, DOC, copy, r, &rc, &err) != 0)
		fail_msg("recipient: %s", err.msg);
	memset(&p, 0, sizeof(p));
	p.recipients = &rc;
	p.nrecipients = 1;
	if (cy_age_seal_mem(message, sizeof(message), &p, &out, &err) != 0)
		fail_msg("seal: %s", err.msg);
	cy_recipient_free(rc);
	return out;
}

/* Opens file with the release identity (x, doc, copy, r), or with x
 * alone when doc is NULL. */
static int
open_with(const cy_identity *x, const char *doc, const char *copy,
    const uint8_t r[CY_RELEASE_SECRET_LEN], const cy_buf *file,
    cy_buf *plain, cy_error *err)
{
	cy_identity *id = NULL;
	cy_open_params p;
	int ret;

	if (doc != NULL &&
	    cy_release_identity(x, doc, copy, r, &id, err) != 0)
		fail_msg("identity: %s", err->msg);
	memset(&p, 0, sizeof(p));
	p.identities = id != NULL ? &id : (cy_identity *const *)&x;
	p.nidentities = 1;
	ret = cy_age_open_mem(file->data, file->len, &p, plain, err);
	cy_identity_free(id);
	return ret;
}

static void
test_ids(void **state)
{
	char a[CY_RELEASE_ID_SIZE], b[CY_RELEASE_ID_SIZE];
	cy_error err;

	assert_int_equal(cy_release_id_new(a, &err), 0);
	assert_int_equal(cy_release_id_new(b, &err), 0);
	assert_int_equal(strlen(a), CY_RELEASE_ID_LEN);
	assert_string_not_equal(a, b);
	assert_int_equal(cy_release_id_check(a, &err), 0);
	assert_int_equal(cy_release_id_check(DOC, &err), 0);
	assert_int_equal(cy_release_id_check(
	    "00112233445566778899AABBCCDDEEFF", &err), CY_E_FORMAT);
	expect_error(&err, "not an id: a doc-id or copy-id is 32 lowercase "
	    "hex digits");
	assert_int_equal(cy_release_id_check(DOC "0", &err), CY_E_FORMAT);
	assert_int_equal(cy_release_id_check("0011223344556677", &err),
	    CY_E_FORMAT);
	assert_int_equal(cy_release_id_check(
	    "0011223344556677889 aabbccddeeff", &err), CY_E_FORMAT);
	assert_int_equal(cy_release_id_check("", &err), CY_E_FORMAT);
	assert_int_equal(cy_release_id_check(NULL, &err), CY_E_FORMAT);
}

static void
test_round_trip(void **state)
{
	struct keys *k = *state;
	cy_buf file = seal_release(k->x, COPY_A, k->r), plain = CY_BUF_INIT;
	char doc[CY_RELEASE_ID_SIZE], copy[CY_RELEASE_ID_SIZE];
	cy_header h;
	size_t used;
	cy_error err;

	if (open_with(k->x, DOC, COPY_A, k->r, &file, &plain, &err) != 0)
		fail_msg("open: %s", err.msg);
	assert_int_equal(plain.len, sizeof(message));
	assert_memory_equal(plain.data, message, sizeof(message));
	cy_buf_free(&plain);
	/* The header names the document and the copy. */
	assert_int_equal(cy_header_parse(file.data, file.len, &h, &used, &err),
	    0);
	assert_int_equal(h.nstanzas, 1);
	assert_string_equal(h.stanzas[0].type, "coyeu.v1/release");
	assert_int_equal(h.stanzas[0].nargs, 3);
	assert_int_equal(cy_release_stanza_ids(&h.stanzas[0], doc, copy, &err),
	    0);
	assert_string_equal(doc, DOC);
	assert_string_equal(copy, COPY_A);
	cy_header_free(&h);
	cy_buf_free(&file);
}

/* Neither the key alone nor R with another key opens; an identity for
 * another copy or document does not even try. */
static void
test_refusals(void **state)
{
	struct keys *k = *state;
	cy_buf file = seal_release(k->x, COPY_A, k->r), plain = CY_BUF_INIT;
	uint8_t wrong[CY_RELEASE_SECRET_LEN];
	cy_identity *other = NULL;
	cy_error err;

	memcpy(wrong, k->r, sizeof(wrong));
	wrong[7] ^= 1;
	assert_int_equal(open_with(k->x, DOC, COPY_A, wrong, &file, &plain,
	    &err), CY_E_NO_MATCH);
	expect_error(&err, "the release stanza of copy " COPY_A " does not "
	    "open with this key and secret: the copy is another recipient's, "
	    "or the secret is not this copy's");
	assert_int_equal(plain.len, 0);
	/* The right R, another key. */
	assert_int_equal(cy_identity_generate(&other, &err), 0);
	assert_int_equal(open_with(other, DOC, COPY_A, k->r, &file, &plain,
	    &err), CY_E_NO_MATCH);
	expect_error(&err, "does not open with this key and secret");
	/* Another copy, another document: not this identity's stanza. */
	assert_int_equal(open_with(k->x, DOC, COPY_B, k->r, &file, &plain,
	    &err), CY_E_NO_MATCH);
	expect_error(&err, "no identity matched any of the recipients");
	assert_int_equal(open_with(k->x, OTHER_DOC, COPY_A, k->r, &file,
	    &plain, &err), CY_E_NO_MATCH);
	expect_error(&err, "no identity matched any of the recipients");
	/* The X25519 identity alone (plain age) cannot open it. */
	assert_int_equal(open_with(k->x, NULL, NULL, NULL, &file, &plain,
	    &err), CY_E_NO_MATCH);
	expect_error(&err, "no identity matched any of the recipients");
	assert_int_equal(plain.len, 0);
	cy_identity_free(other);
	cy_buf_free(&file);
}

/* Constructors refuse bad ids and identities that are not X25519. */
static void
test_constructors(void **state)
{
	struct keys *k = *state;
	cy_recipient *rc = NULL;
	cy_identity *id = NULL, *pass = NULL, *pq = NULL;
	cy_error err;

	assert_int_equal(cy_release_recipient(k->x->pub, "nope", COPY_A, k->r,
	    &rc, &err), CY_E_USAGE);
	expect_error(&err, "a release stanza: the doc-id must be 32 lowercase "
	    "hex digits");
	assert_null(rc);
	assert_int_equal(cy_release_identity(k->x, DOC, COPY_A "0", k->r, &id,
	    &err), CY_E_USAGE);
	expect_error(&err, "the copy-id must be 32 lowercase hex digits");
	assert_null(id);
	assert_int_equal(cy_identity_scrypt("pw", 2, 10, &pass, &err), 0);
	assert_int_equal(cy_release_identity(pass, DOC, COPY_A, k->r, &id,
	    &err), CY_E_USAGE);
	expect_error(&err, "a release identity is made from an X25519 "
	    "identity");
	assert_int_equal(cy_identity_generate_pq(&pq, &err), 0);
	assert_int_equal(cy_release_identity(pq, DOC, COPY_A, k->r, &id,
	    &err), CY_E_USAGE);
	assert_null(id);
	cy_identity_free(pass);
	cy_identity_free(pq);
}

/* A stanza built from parts, for the malformed cases. */
struct fake {
	cy_stanza s;
	char *args[4];
	uint8_t body[64];
};

static void
fake_stanza(struct fake *f, const char *type, const char *a0,
    const char *a1, const char *a2, const char *a3, size_t body_len)
{
	memset(f, 0, sizeof(*f));
	f->s.type = (char *)type;
	f->args[0] = (char *)a0;
	f->args[1] = (char *)a1;
	f->args[2] = (char *)a2;
	f->args[3] = (char *)a3;
	f->s.args = f->args;
	f->s.nargs = a3 ? 4 : a2 ? 3 : a1 ? 2 : a0 ? 1 : 0;
	f->s.body = f->body;
	f->s.body_len = body_len;
}

/* Each malformed stanza is refused, with what is wrong, by both the ids
 * reader and the identity (a malformed stanza is fatal, as in age). */
static void
expect_malformed(const struct keys *k, const struct fake *f, const char *why)
{
	char doc[CY_RELEASE_ID_SIZE], copy[CY_RELEASE_ID_SIZE];
	uint8_t file_key[CY_FILE_KEY_LEN];
	cy_identity *id = NULL;
	cy_error err;

	assert_int_equal(cy_release_stanza_ids(&f->s, doc, copy, &err),
	    CY_E_HEADER);
	expect_error(&err, "malformed coyeu.v1/release stanza: ");
	expect_error(&err, why);
	assert_int_equal(cy_release_identity(k->x, DOC, COPY_A, k->r, &id,
	    &err), 0);
	assert_int_equal(id->unwrap(id, &f->s, file_key, &err), CY_E_HEADER);
	expect_error(&err, why);
	cy_identity_free(id);
}

static void
test_malformed(void **state)
{
	struct keys *k = *state;
	char share[CY_X25519_SHARE_B64_SIZE], zero_share[CY_X25519_SHARE_B64_SIZE];
	uint8_t pt[32] = {9}, zero[32] = {0}, file_key[CY_FILE_KEY_LEN];
	char doc[CY_RELEASE_ID_SIZE], copy[CY_RELEASE_ID_SIZE];
	cy_identity *id = NULL;
	struct fake f;
	cy_error err;

	cy_b64_encode(share, pt, sizeof(pt), 0);
	cy_b64_encode(zero_share, zero, sizeof(zero), 0);
	fake_stanza(&f, "coyeu.v1/release", DOC, COPY_A, NULL, NULL, 32);
	expect_malformed(k, &f, "2 arguments, expected 3 (doc-id, copy-id, "
	    "share)");
	fake_stanza(&f, "coyeu.v1/release", DOC, COPY_A, share, "x", 32);
	expect_malformed(k, &f, "4 arguments, expected 3");
	fake_stanza(&f, "coyeu.v1/release", "00112233445566778899AABBCCDDEEFF",
	    COPY_A, share, NULL, 32);
	expect_malformed(k, &f, "the doc-id must be 32 lowercase hex digits");
	fake_stanza(&f, "coyeu.v1/release", DOC, "b1b1", share, NULL, 32);
	expect_malformed(k, &f, "the copy-id must be 32 lowercase hex digits");
	fake_stanza(&f, "coyeu.v1/release", DOC, COPY_A, "AAAA", NULL, 32);
	expect_malformed(k, &f, "the share must be 32 bytes of canonical "
	    "base64");
	/* The last character's unused bits set: not canonical. */
	share[42] = share[42] == 'A' ? 'B' : share[42];
	fake_stanza(&f, "coyeu.v1/release", DOC, COPY_A, share, NULL, 32);
	expect_malformed(k, &f, "the share must be 32 bytes");
	cy_b64_encode(share, pt, sizeof(pt), 0);
	fake_stanza(&f, "coyeu.v1/release", DOC, COPY_A, share, NULL, 47);
	expect_malformed(k, &f, "the wrapped key must be 32 bytes (the file "
	    "key and its tag), not 47");
	/* Another kind of stanza: no match, for either. */
	fake_stanza(&f, "X25519", share, NULL, NULL, NULL, 32);
	assert_int_equal(cy_release_stanza_ids(&f.s, doc, copy, &err),
	    CY_E_NO_MATCH);
	expect_error(&err, "a X25519 stanza, not a coyeu.v1/release or "
	    "coyeu.v1/release-pq stanza");
	assert_int_equal(cy_release_identity(k->x, DOC, COPY_A, k->r, &id,
	    &err), 0);
	assert_int_equal(id->unwrap(id, &f.s, file_key, &err), CY_E_NO_MATCH);
	/* A low-order share (all-zero shared secret) is refused as in age. */
	fake_stanza(&f, "coyeu.v1/release", DOC, COPY_A, zero_share, NULL, 32);
	assert_int_equal(id->unwrap(id, &f.s, file_key, &err), CY_E_HEADER);
	expect_error(&err, "coyeu.v1/release stanza has a low-order share "
	    "(all-zero shared secret)");
	cy_identity_free(id);
}

static void
test_secret(void **state)
{
	struct keys *k = *state;
	uint8_t got[CY_RELEASE_SECRET_LEN], big[CY_RELEASE_SEALED_MAX + 1];
	cy_buf sealed = CY_BUF_INIT, odd = CY_BUF_INIT, plain = CY_BUF_INIT;
	cy_identity *other = NULL;
	cy_recipient *rc = NULL;
	cy_seal_params sp;
	cy_error err;

	assert_int_equal(cy_release_secret_seal(k->r, DOC, COPY_A, k->x->pub,
	    &sealed, &err), 0);
	assert_true(sealed.len <= CY_RELEASE_SEALED_MAX);
	memset(got, 0, sizeof(got));
	if (cy_release_secret_open(sealed.data, sealed.len, k->x, DOC, COPY_A,
	    got, &err) != 0)
		fail_msg("open: %s", err.msg);
	assert_memory_equal(got, k->r, sizeof(got));
	/* The payload is the line and R, readable by plain age. */
	assert_int_equal(open_with(k->x, NULL, NULL, NULL, &sealed, &plain,
	    &err), 0);
	assert_int_equal(plain.len, strlen("coyeu.v1/release-secret " DOC " "
	    COPY_A "\n") + 32);
	assert_memory_equal(plain.data, "coyeu.v1/release-secret " DOC " "
	    COPY_A "\n", plain.len - 32);
	cy_buf_free(&plain);
	/* Bound to its document and copy. */
	assert_int_equal(cy_release_secret_open(sealed.data, sealed.len, k->x,
	    DOC, COPY_B, got, &err), CY_E_FORMAT);
	expect_error(&err, "the sealed secret is another copy's: it was not "
	    "made for document " DOC " copy " COPY_B);
	assert_int_equal(cy_release_secret_open(sealed.data, sealed.len, k->x,
	    OTHER_DOC, COPY_A, got, &err), CY_E_FORMAT);
	expect_error(&err, "another copy's");
	/* Only its key opens it. */
	assert_int_equal(cy_identity_generate(&other, &err), 0);
	assert_int_equal(cy_release_secret_open(sealed.data, sealed.len, other,
	    DOC, COPY_A, got, &err), CY_E_NO_MATCH);
	expect_error(&err, "the sealed secret: no identity matched");
	/* Over the cap, before any work. */
	memset(big, 0, sizeof(big));
	memcpy(big, sealed.data, sealed.len);
	assert_int_equal(cy_release_secret_open(big, sizeof(big), k->x, DOC,
	    COPY_A, got, &err), CY_E_FORMAT);
	expect_error(&err, "the sealed secret is 1025 bytes, over the 1024");
	/* Truncated, tampered. */
	assert_int_not_equal(cy_release_secret_open(sealed.data, sealed.len - 1,
	    k->x, DOC, COPY_A, got, &err), 0);
	sealed.data[sealed.len - 5] ^= 1;
	assert_int_equal(cy_release_secret_open(sealed.data, sealed.len, k->x,
	    DOC, COPY_A, got, &err), CY_E_PAYLOAD);
	/* An age file of the right key that is not a release secret: the
	 * line and one byte of R too many. */
	assert_int_equal(cy_recipient_x25519(k->x->pub, &rc, &err), 0);
	memset(&sp, 0, sizeof(sp));
	sp.recipients = &rc;
	sp.nrecipients = 1;
	cy_buf_printf(&plain, "coyeu.v1/release-secret %s %s\n", DOC, COPY_A);
	cy_buf_append(&plain, k->r, sizeof(k->r));
	cy_buf_append(&plain, "x", 1);
	assert_int_equal(cy_age_seal_mem(plain.data, plain.len, &sp, &odd,
	    &err), 0);
	assert_int_equal(cy_release_secret_open(odd.data, odd.len, k->x, DOC,
	    COPY_A, got, &err), CY_E_FORMAT);
	expect_error(&err, "the sealed secret holds no release secret (a "
	    "123-byte payload");
	/* Bad ids from the caller. */
	assert_int_equal(cy_release_secret_seal(k->r, DOC, "B1", k->x->pub,
	    &odd, &err), CY_E_USAGE);
	expect_error(&err, "a release secret: the copy-id must be 32 "
	    "lowercase hex digits");
	assert_int_equal(cy_release_secret_open(odd.data, odd.len, k->x, "x",
	    COPY_A, got, &err), CY_E_USAGE);
	cy_recipient_free(rc);
	cy_identity_free(other);
	cy_buf_free(&plain);
	cy_buf_free(&odd);
	cy_buf_free(&sealed);
}

/* A key (an officer key, or a token behind the same operations) opens a
 * release stanza through its X25519 operation. */
static void
test_from_key(void **state)
{
	cy_idkey *key = NULL;
	cy_identity *x = NULL;
	uint8_t r[CY_RELEASE_SECRET_LEN];
	cy_buf file, plain = CY_BUF_INIT;
	cy_error err;

	randombytes_buf(r, sizeof(r));
	assert_int_equal(cy_idkey_generate(&key, &err), 0);
	assert_int_equal(cy_identity_from_key(key, &x, &err), 0);
	file = seal_release(x, COPY_B, r);
	if (open_with(x, DOC, COPY_B, r, &file, &plain, &err) != 0)
		fail_msg("open: %s", err.msg);
	assert_memory_equal(plain.data, message, sizeof(message));
	cy_buf_free(&plain);
	cy_buf_free(&file);
	cy_identity_free(x);
	cy_idkey_free(key);
}

/* --- registry-mediated documents --- */

struct world {
	struct pki_holder root, sealer, alice, bob, carol;
	cy_chain *alice_chain, *bob_chain;
	cy_trust trust;
	char doc_id[CY_RELEASE_ID_SIZE];
	uint8_t plain[2 * 65536 + 77];
};

static int
world_setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	cy_error err;

	assert_int_equal(cy_init(), 0);
	w->root = pki_issue(NULL, "Ban Cơ yếu", "vn", CY_ROLE_AUTHORITY,
	    CY_LEVEL_TUYET_MAT, NULL);
	w->sealer = pki_issue(&w->root, "Người gửi", "vn/hcm/a",
	    CY_ROLE_OFFICER, CY_LEVEL_TOI_MAT, NULL);
	w->alice = pki_issue(&w->root, "Alice", "vn/hcm/b", CY_ROLE_OFFICER,
	    CY_LEVEL_TOI_MAT, NULL);
	w->bob = pki_issue(&w->root, "Bob", "vn/hn/c", CY_ROLE_OFFICER,
	    CY_LEVEL_TOI_MAT, NULL);
	w->carol = pki_issue(&w->root, "Carol", "vn/hn/c", CY_ROLE_OFFICER,
	    CY_LEVEL_TOI_MAT, NULL);
	w->alice_chain = pki_chain(&w->alice);
	w->bob_chain = pki_chain(&w->bob);
	w->trust.root = w->root.cert;
	assert_int_equal(cy_release_id_new(w->doc_id, &err), 0);
	randombytes_buf(w->plain, sizeof(w->plain));
	*state = w;
	return 0;
}

static int
world_teardown(void **state)
{
	struct world *w = *state;

	cy_chain_free(w->alice_chain);
	cy_chain_free(w->bob_chain);
	pki_holder_free(&w->root);
	pki_holder_free(&w->sealer);
	pki_holder_free(&w->alice);
	pki_holder_free(&w->bob);
	pki_holder_free(&w->carol);
	free(w);
	return 0;
}

static cy_buf
fd_contents(int fd)
{
	cy_buf b = CY_BUF_INIT;
	uint8_t *data;
	size_t len;
	cy_error err;

	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(cy_fd_read_all(fd, 1 << 24, &data, &len, &err), 0);
	cy_buf_append(&b, data, len);
	free(data);
	return b;
}

/* Prepares a registry-mediated sealing of w->plain to alice and bob. */
static cy_doc_sealing *
prepare_release(struct world *w, const char *doc_id, cy_error *err)
{
	const cy_chain *to[2] = {w->alice_chain, w->bob_chain};
	cy_chain *signer = pki_chain(&w->sealer);
	cy_doc_sealing *s = NULL;
	cy_doc_seal_params p;

	memset(&p, 0, sizeof(p));
	p.document = "45/BM-CY";
	p.level = CY_LEVEL_TOI_MAT;
	p.now = PKI_NOW;
	p.signer = w->sealer.key;
	p.signer_chain = signer;
	p.recipients = to;
	p.nrecipients = 2;
	p.trust = &w->trust;
	p.release_doc_id = doc_id;
	if (cy_doc_seal_prepare(&p, &s, NULL, err) != 0)
		s = NULL;
	cy_chain_free(signer);
	return s;
}

static cy_buf
seal_sealing(const cy_doc_sealing *s, struct world *w)
{
	int in = temp_fd(w->plain, sizeof(w->plain)), out = temp_fd(NULL, 0);
	cy_error err;
	cy_buf file;

	if (cy_doc_seal_fd(in, out, s, NULL, &err) != 0)
		fail_msg("seal: %s", err.msg);
	file = fd_contents(out);
	close(in);
	close(out);
	return file;
}

/* When set, open_release gives it as the registered label's hash. */
static const uint8_t *registered_label;

/* Opens file as `who` with the release identity for (copy, r) over who's
 * key (and who's key alone as well, when both), reader chain optional. */
static int
open_release(struct world *w, const struct pki_holder *who, const cy_buf *file,
    const char *copy, const uint8_t *r, const cy_chain *reader, int both,
    cy_buf *plain, cy_doc_info *info, cy_error *err)
{
	cy_identity *x = NULL, *ids[2] = {NULL, NULL};
	cy_doc_open_params p;
	int in = temp_fd(file->data, file->len), out = temp_fd(NULL, 0), ret;

	assert_int_equal(cy_identity_from_key(who->key, &x, err), 0);
	if (cy_release_identity(x, w->doc_id, copy, r, &ids[both], err) != 0)
		fail_msg("identity: %s", err->msg);
	ids[0] = both ? x : ids[0];
	memset(&p, 0, sizeof(p));
	p.identities = ids;
	p.nidentities = both ? 2 : 1;
	p.trust = &w->trust;
	p.reader = reader;
	p.now = PKI_NOW;
	p.mode = CY_DOC_OPEN_VERIFY_FIRST;
	p.label_sha256 = registered_label;
	memset(info, 0, sizeof(*info));
	ret = cy_doc_open_fd(in, out, &p, info, err);
	*plain = fd_contents(out);
	close(in);
	close(out);
	cy_identity_free(ids[both]);
	cy_identity_free(x);
	return ret;
}

static void
expect_release_open(struct world *w, const struct pki_holder *who,
    const cy_buf *file, const char *copy, const uint8_t *r,
    const cy_chain *reader, int code, const char *words)
{
	cy_doc_info info;
	cy_buf plain;
	cy_error err;
	int ret;

	ret = open_release(w, who, file, copy, r, reader, 0, &plain, &info,
	    &err);
	if (ret != code)
		fail_msg("open: %d, wanted %d: %s", ret, code, ret ? err.msg : "");
	if (ret != 0) {
		expect_error(&err, words);
		assert_int_equal(plain.len, 0);
	} else {
		cy_doc_info_free(&info);
	}
	cy_buf_free(&plain);
}

/* Sealing in release mode: one release stanza per recipient, in the
 * label's order; each recipient opens its own copy with its key and R. */
static void
test_doc_round_trip(void **state)
{
	struct world *w = *state;
	cy_doc_sealing *s;
	const struct pki_holder *who[2] = {&w->alice, &w->bob};
	const cy_chain *chains[2] = {w->alice_chain, w->bob_chain};
	char doc[CY_RELEASE_ID_SIZE], copy[CY_RELEASE_ID_SIZE];
	const uint8_t *label_text;
	cy_label *label = NULL;
	cy_doc_info info;
	cy_buf file, plain;
	cy_header h;
	size_t used, len, i;
	cy_error err;

	if ((s = prepare_release(w, w->doc_id, &err)) == NULL)
		fail_msg("prepare: %s", err.msg);
	assert_null(cy_doc_sealing_label(s, &len));
	assert_int_equal(cy_release_id_check(cy_doc_sealing_copy_id(s, 0),
	    &err), 0);
	assert_int_equal(cy_release_id_check(cy_doc_sealing_copy_id(s, 1),
	    &err), 0);
	assert_string_not_equal(cy_doc_sealing_copy_id(s, 0),
	    cy_doc_sealing_copy_id(s, 1));
	assert_null(cy_doc_sealing_copy_id(s, 2));
	assert_null(cy_doc_sealing_release_secret(s, 2));
	assert_memory_not_equal(cy_doc_sealing_release_secret(s, 0),
	    cy_doc_sealing_release_secret(s, 1), CY_RELEASE_SECRET_LEN);
	file = seal_sealing(s, w);
	/* The signed label, for the registry, names the recipients in the
	 * stanzas' order. */
	assert_non_null(label_text = cy_doc_sealing_label(s, &len));
	assert_int_equal(cy_label_parse(label_text, len, &label, &err), 0);
	assert_string_equal(cy_label_document(label), "45/BM-CY");
	assert_int_equal(cy_label_recipient_count(label), 2);
	assert_int_equal(cy_header_parse(file.data, file.len, &h, &used, &err),
	    0);
	assert_int_equal(h.nstanzas, 3);
	for (i = 0; i < 2; i++) {
		assert_string_equal(cy_label_recipient(label, i),
		    cy_cert_serial(who[i]->cert));
		assert_int_equal(cy_release_stanza_ids(&h.stanzas[i], doc, copy,
		    &err), 0);
		assert_string_equal(doc, w->doc_id);
		assert_string_equal(copy, cy_doc_sealing_copy_id(s, i));
	}
	cy_header_free(&h);
	cy_label_free(label);
	/* Each opens its own copy, its chain checked, with its X25519
	 * identity beside the release identity or not. */
	for (i = 0; i < 4; i++) {
		if (open_release(w, who[i % 2], &file,
		    cy_doc_sealing_copy_id(s, i % 2),
		    cy_doc_sealing_release_secret(s, i % 2), chains[i % 2],
		    (int)(i / 2), &plain, &info, &err) != 0)
			fail_msg("open %zu: %s", i, err.msg);
		assert_int_equal(plain.len, sizeof(w->plain));
		assert_memory_equal(plain.data, w->plain, plain.len);
		assert_int_equal(cy_label_recipient_count(info.label), 2);
		assert_string_equal(cy_label_recipient(info.label, 0),
		    cy_cert_serial(w->alice.cert));
		assert_string_equal(cy_label_recipient(info.label, 1),
		    cy_cert_serial(w->bob.cert));
		assert_string_equal(cy_cert_serial(info.reader),
		    cy_cert_serial(who[i % 2]->cert));
		cy_doc_info_free(&info);
		cy_buf_free(&plain);
	}
	cy_buf_free(&file);
	cy_doc_sealing_free(s);
}

/* The right key and a wrong R, another's copy with my key, my key alone,
 * a sealing with a bad doc-id. */
static void
test_doc_refusals(void **state)
{
	struct world *w = *state;
	cy_doc_sealing *s;
	uint8_t wrong[CY_RELEASE_SECRET_LEN];
	cy_identity *x = NULL;
	cy_doc_open_params p;
	cy_doc_info info;
	cy_buf file, plain;
	cy_error err;
	int in, out;

	if ((s = prepare_release(w, w->doc_id, &err)) == NULL)
		fail_msg("prepare: %s", err.msg);
	file = seal_sealing(s, w);
	memcpy(wrong, cy_doc_sealing_release_secret(s, 0), sizeof(wrong));
	wrong[0] ^= 0x80;
	expect_release_open(w, &w->alice, &file, cy_doc_sealing_copy_id(s, 0),
	    wrong, w->alice_chain, CY_E_NO_MATCH, "the release stanza of copy ");
	expect_release_open(w, &w->alice, &file, cy_doc_sealing_copy_id(s, 0),
	    cy_doc_sealing_release_secret(s, 1), NULL, CY_E_NO_MATCH,
	    "does not open with this key and secret");
	/* Bob with Alice's copy and R, or his copy with Alice's R. */
	expect_release_open(w, &w->bob, &file, cy_doc_sealing_copy_id(s, 0),
	    cy_doc_sealing_release_secret(s, 0), w->bob_chain, CY_E_NO_MATCH,
	    "does not open with this key and secret: the copy is another "
	    "recipient's, or the secret is not this copy's");
	expect_release_open(w, &w->bob, &file, cy_doc_sealing_copy_id(s, 1),
	    cy_doc_sealing_release_secret(s, 0), NULL, CY_E_NO_MATCH,
	    "does not open with this key and secret");
	/* Carol, not a recipient, holding Bob's R. */
	expect_release_open(w, &w->carol, &file, cy_doc_sealing_copy_id(s, 1),
	    cy_doc_sealing_release_secret(s, 1), NULL, CY_E_NO_MATCH,
	    "does not open with this key and secret");
	/* Alice's key without R: the registry must release it. */
	assert_int_equal(cy_identity_from_key(w->alice.key, &x, &err), 0);
	memset(&p, 0, sizeof(p));
	p.identities = &x;
	p.nidentities = 1;
	p.trust = &w->trust;
	p.now = PKI_NOW;
	in = temp_fd(file.data, file.len);
	out = temp_fd(NULL, 0);
	assert_int_equal(cy_doc_open_fd(in, out, &p, &info, &err),
	    CY_E_NO_MATCH);
	expect_error(&err, "no identity matched any of the recipients");
	plain = fd_contents(out);
	assert_int_equal(plain.len, 0);
	cy_buf_free(&plain);
	close(in);
	close(out);
	cy_identity_free(x);
	cy_buf_free(&file);
	cy_doc_sealing_free(s);
	/* The document's id is checked before anything is drawn. */
	assert_null(prepare_release(w, "45/BM-CY", &err));
	assert_int_equal(err.code, CY_E_USAGE);
	expect_error(&err, "the document's release id must be 32 lowercase "
	    "hex digits (cy_release_id_new)");
	/* Sealed directly: no copies. */
	if ((s = prepare_release(w, NULL, &err)) == NULL)
		fail_msg("prepare: %s", err.msg);
	assert_null(cy_doc_sealing_copy_id(s, 0));
	assert_null(cy_doc_sealing_release_secret(s, 0));
	cy_doc_sealing_free(s);
}

/* A recipient holding the file key swaps the two release stanzas and
 * recomputes the MAC: the label's stanzas-sha256 no longer matches. */
static void
test_doc_swap(void **state)
{
	struct world *w = *state;
	cy_doc_sealing *s;
	cy_identity *x = NULL, *rel = NULL;
	uint8_t file_key[CY_FILE_KEY_LEN];
	cy_open_params op;
	cy_header h, forged;
	cy_buf file, hdr = CY_BUF_INIT;
	const cy_stanza *st;
	size_t used, i;
	const size_t order[3] = {1, 0, 2};
	cy_error err;

	if ((s = prepare_release(w, w->doc_id, &err)) == NULL)
		fail_msg("prepare: %s", err.msg);
	file = seal_sealing(s, w);
	assert_int_equal(cy_header_parse(file.data, file.len, &h, &used, &err),
	    0);
	assert_int_equal(cy_identity_from_key(w->alice.key, &x, &err), 0);
	assert_int_equal(cy_release_identity(x, w->doc_id,
	    cy_doc_sealing_copy_id(s, 0), cy_doc_sealing_release_secret(s, 0),
	    &rel, &err), 0);
	memset(&op, 0, sizeof(op));
	op.identities = &rel;
	op.nidentities = 1;
	assert_int_equal(cy_age_unwrap(&h, &op, file_key, &err), 0);
	memset(&forged, 0, sizeof(forged));
	for (i = 0; i < 3; i++) {
		st = &h.stanzas[order[i]];
		assert_int_equal(cy_header_add(&forged, st->type,
		    (const char *const *)st->args, st->nargs, st->body,
		    st->body_len), 0);
	}
	assert_int_equal(cy_header_encode(&forged, file_key, &hdr), 0);
	cy_buf_append(&hdr, file.data + used, file.len - used);
	expect_release_open(w, &w->bob, &hdr, cy_doc_sealing_copy_id(s, 1),
	    cy_doc_sealing_release_secret(s, 1), w->bob_chain,
	    CY_E_SIGNATURE, "the recipient stanzas differ from those the "
	    "sealer signed");
	cy_buf_free(&hdr);
	cy_header_free(&forged);
	cy_wipe(file_key, sizeof(file_key));
	cy_identity_free(rel);
	cy_identity_free(x);
	cy_header_free(&h);
	cy_buf_free(&file);
	cy_doc_sealing_free(s);
}

/* Forgeries by a sealer (the unchecked engine, docseal.h): stanza i
 * keyed to someone other than label recipient i, a mixed header, one
 * copy-id twice. */
static cy_buf
seal_forged(struct world *w, const struct pki_holder *const keyed[2],
    const char (*copies)[CY_RELEASE_ID_SIZE],
    const uint8_t (*secrets)[CY_RELEASE_SECRET_LEN])
{
	const char *serials[2] = {cy_cert_serial(w->alice.cert),
	    cy_cert_serial(w->bob.cert)};
	uint8_t keys[2][CY_X25519_KEY_LEN];
	struct cy_doc_raw_seal p;
	int in = temp_fd(w->plain, sizeof(w->plain)), out = temp_fd(NULL, 0);
	cy_error err;
	cy_buf file;

	memcpy(keys[0], cy_cert_seal_public(keyed[0]->cert), 32);
	memcpy(keys[1], cy_cert_seal_public(keyed[1]->cert), 32);
	memset(&p, 0, sizeof(p));
	p.label.document = "45/BM-CY";
	p.label.level = CY_LEVEL_TOI_MAT;
	p.label.unit = cy_cert_unit(w->sealer.cert);
	p.label.created = PKI_NOW;
	p.label.protect_until = cy_level_protect_limit(CY_LEVEL_TOI_MAT,
	    PKI_NOW);
	p.label.recipients = serials;
	p.label.nrecipients = 2;
	p.label.signer_chain = w->sealer.chain.data;
	p.label.signer_chain_len = w->sealer.chain.len;
	p.signer = w->sealer.key;
	p.seal_keys = (const uint8_t (*)[CY_X25519_KEY_LEN])keys;
	p.release_doc_id = w->doc_id;
	p.copy_ids = copies;
	p.release_secrets = secrets;
	if (cy_doc_seal_raw_fd(in, out, &p, &err) != 0)
		fail_msg("seal: %s", err.msg);
	file = fd_contents(out);
	close(in);
	close(out);
	return file;
}

/* The label the registry registered (its SHA-256) must be the file's,
 * checked before any plaintext is released. */
static void
test_doc_registered_label(void **state)
{
	struct world *w = *state;
	uint8_t digest[32];
	const uint8_t *text;
	cy_doc_sealing *s;
	cy_buf file;
	size_t len;
	cy_error err;

	if ((s = prepare_release(w, w->doc_id, &err)) == NULL)
		fail_msg("prepare: %s", err.msg);
	file = seal_sealing(s, w);
	assert_non_null(text = cy_doc_sealing_label(s, &len));
	crypto_hash_sha256(digest, text, len);
	registered_label = digest;
	expect_release_open(w, &w->alice, &file, cy_doc_sealing_copy_id(s, 0),
	    cy_doc_sealing_release_secret(s, 0), w->alice_chain, 0, NULL);
	digest[31] ^= 1;
	expect_release_open(w, &w->alice, &file, cy_doc_sealing_copy_id(s, 0),
	    cy_doc_sealing_release_secret(s, 0), w->alice_chain,
	    CY_E_SIGNATURE, "the file's label differs from the one registered "
	    "for the document (label-sha256)");
	registered_label = NULL;
	cy_buf_free(&file);
	cy_doc_sealing_free(s);
}

static void
test_doc_forgeries(void **state)
{
	struct world *w = *state;
	const struct pki_holder *const swapped[2] = {&w->bob, &w->alice};
	const struct pki_holder *const straight[2] = {&w->alice, &w->bob};
	char copies[2][CY_RELEASE_ID_SIZE] = {COPY_A, COPY_B};
	uint8_t secrets[2][CY_RELEASE_SECRET_LEN];
	cy_buf file;

	randombytes_buf(secrets, sizeof(secrets));
	/* Label: alice, bob; stanza 0 (alice's copy) keyed to Bob.  Bob
	 * opens it, but knowing his chain he sees it is not his copy. */
	file = seal_forged(w, swapped,
	    (const char (*)[CY_RELEASE_ID_SIZE])copies,
	    (const uint8_t (*)[CY_RELEASE_SECRET_LEN])secrets);
	expect_release_open(w, &w->bob, &file, COPY_A, secrets[0],
	    w->bob_chain, CY_E_POLICY, "reader: copy " COPY_A " belongs to "
	    "recipient ");
	expect_release_open(w, &w->bob, &file, COPY_A, secrets[0],
	    w->bob_chain, CY_E_POLICY, ", not to the reader");
	expect_release_open(w, &w->bob, &file, COPY_A, secrets[0], NULL, 0,
	    NULL);  /* the reader unknown: not checked */
	cy_buf_free(&file);
	/* One X25519 stanza, one release stanza. */
	copies[0][0] = '\0';
	file = seal_forged(w, straight,
	    (const char (*)[CY_RELEASE_ID_SIZE])copies,
	    (const uint8_t (*)[CY_RELEASE_SECRET_LEN])secrets);
	expect_release_open(w, &w->bob, &file, COPY_B, secrets[1],
	    w->bob_chain, CY_E_POLICY, "the header mixes 1 X25519 and 1 "
	    "coyeu.v1/release stanzas: a classified document is sealed either "
	    "directly or through the registry, never both");
	cy_buf_free(&file);
	/* One copy-id twice. */
	memcpy(copies[0], COPY_B, CY_RELEASE_ID_SIZE);
	file = seal_forged(w, straight,
	    (const char (*)[CY_RELEASE_ID_SIZE])copies,
	    (const uint8_t (*)[CY_RELEASE_SECRET_LEN])secrets);
	expect_release_open(w, &w->bob, &file, COPY_B, secrets[1],
	    w->bob_chain, CY_E_POLICY, "release stanzas 1 and 2 are both copy "
	    COPY_B ": each copy has its own id");
	cy_buf_free(&file);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_constructors),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_secret),
		cmocka_unit_test(test_from_key),
	};
	const struct CMUnitTest doc_tests[] = {
		cmocka_unit_test(test_doc_round_trip),
		cmocka_unit_test(test_doc_refusals),
		cmocka_unit_test(test_doc_swap),
		cmocka_unit_test(test_doc_registered_label),
		cmocka_unit_test(test_doc_forgeries),
	};

	return cmocka_run_group_tests_name("release stanzas", tests, setup,
	    teardown) | cmocka_run_group_tests_name("release documents",
	    doc_tests, world_setup, world_teardown);
}
