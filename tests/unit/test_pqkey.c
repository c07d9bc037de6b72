/* Officer keys with a post-quantum hybrid part (issue 12): key operations
 * of version 2 (and version 1 still), software keys holding the hybrid
 * seed, the hybrid identity that decapsulates through the key, key files
 * with and without the seed line, and certificates with and without
 * seal-pq-key (a key failing the FIPS 203 check refused), requests with
 * the field and the proof of possession (challenge, proof, check) with
 * its refusals. */
#include "pki.h"

#include "age/bech32.h"
#include "coyeu/age.h"
#include "coyeu/encoding.h"
#include "coyeu/key.h"
#include "coyeu/request.h"
#include "coyeu/secret.h"

#define PLAIN "a hybrid stanza, opened through the key"

/* A token with a hybrid part: its operations count their calls and hand
 * the work to a software key it holds (the library sees only the ops). */
struct pq_token {
	cy_key *inner;
	int decaps, freed;
};

static int
pt_sign(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64],
    cy_error *err)
{
	return cy_key_sign(((struct pq_token *)ctx)->inner, msg, len, sig, err);
}

static int
pt_x25519(void *ctx, const uint8_t peer[32], uint8_t shared[32],
    cy_error *err)
{
	return cy_key_x25519(((struct pq_token *)ctx)->inner, peer, shared, err);
}

static int
pt_public_keys(void *ctx, uint8_t sign_pk[32], uint8_t seal_pk[32],
    cy_error *err)
{
	struct pq_token *t = ctx;

	(void)err;
	memcpy(sign_pk, cy_key_sign_public(t->inner), 32);
	memcpy(seal_pk, cy_key_seal_public(t->inner), 32);
	return 0;
}

static int
pt_pq_public(void *ctx, uint8_t pk[CY_KEY_PQ_PUBLIC_LEN], cy_error *err)
{
	(void)err;
	memcpy(pk, cy_key_pq_public(((struct pq_token *)ctx)->inner),
	    CY_KEY_PQ_PUBLIC_LEN);
	return 0;
}

static int
pt_pq_decaps(void *ctx, const uint8_t enc[CY_KEY_PQ_ENC_LEN],
    uint8_t ss[CY_KEY_SHARED_LEN], cy_error *err)
{
	struct pq_token *t = ctx;

	t->decaps++;
	return cy_key_pq_decaps(t->inner, enc, ss, err);
}

static void
pt_free(void *ctx)
{
	struct pq_token *t = ctx;

	cy_key_free(t->inner);
	t->inner = NULL;
	t->freed = 1;
}

static const cy_key_ops pq_token_ops = {
	CY_KEY_OPS_VERSION, "pq-token", pt_sign, pt_x25519, pt_public_keys,
	pt_free, pt_pq_public, pt_pq_decaps,
};

static cy_key *
pq_token_new(struct pq_token *t)
{
	cy_key *k = NULL;
	cy_error err;

	memset(t, 0, sizeof(*t));
	assert_int_equal(cy_idkey_generate_pq(&t->inner, &err), 0);
	if (cy_key_new(&pq_token_ops, t, &k, &err) != 0)
		fail_msg("token: %s", err.msg);
	return k;
}

/* Seals PLAIN to rc (one recipient) in memory. */
static void
seal_to(cy_recipient *rc, cy_buf *out)
{
	cy_seal_params p;
	cy_error err;

	memset(&p, 0, sizeof(p));
	p.recipients = &rc;
	p.nrecipients = 1;
	p.threads = 1;
	if (cy_age_seal_mem((const uint8_t *)PLAIN, strlen(PLAIN), &p, out,
	    &err) != 0)
		fail_msg("seal: %s", err.msg);
}

/* Opens in with id: the error code, the plaintext checked on success. */
static int
open_with(cy_identity *id, const cy_buf *in, cy_error *err)
{
	cy_open_params p;
	cy_buf out = CY_BUF_INIT;
	int r;

	memset(&p, 0, sizeof(p));
	p.identities = &id;
	p.nidentities = 1;
	p.threads = 1;
	r = cy_age_open_mem(in->data, in->len, &p, &out, err);
	if (r == 0) {
		assert_int_equal(out.len, strlen(PLAIN));
		assert_memory_equal(out.data, PLAIN, out.len);
	}
	cy_buf_free(&out);
	return r;
}

/* The hybrid key through the key handle: cy_recipient_pq on its public
 * key seals, cy_identity_from_key_pq opens through pq_decaps, and another
 * key's identity does not. */
static void
test_identity_through_key(void **state)
{
	struct pq_token t;
	cy_key *k = pq_token_new(&t), *other = NULL;
	cy_recipient *rc = NULL;
	cy_identity *id = NULL, *id2 = NULL;
	char s1[CY_RECIPIENT_STR_MAX], sec[CY_IDENTITY_STR_MAX];
	cy_buf sealed = CY_BUF_INIT;
	cy_error err;

	(void)state;
	assert_non_null(cy_key_pq_public(k));
	assert_memory_equal(cy_key_pq_public(k), cy_key_pq_public(t.inner),
	    CY_KEY_PQ_PUBLIC_LEN);
	assert_int_equal(cy_recipient_pq(cy_key_pq_public(k), &rc, &err), 0);
	seal_to(rc, &sealed);
	assert_non_null(strstr((const char *)sealed.data, "-> mlkem768x25519 "));
	assert_int_equal(cy_identity_from_key_pq(k, &id, &err), 0);
	assert_int_equal(open_with(id, &sealed, &err), 0);
	assert_int_equal(t.decaps, 1);
	/* its recipient string is the key's age1pq1… */
	assert_int_equal(cy_identity_recipient_string(id, s1, &err), 0);
	assert_int_equal(strncmp(s1, "age1pq1", 7), 0);
	/* an identity made from a key has no key string */
	assert_int_equal(cy_identity_string(id, sec, &err), CY_E_USAGE);
	/* another key's hybrid identity finds no stanza for it */
	assert_int_equal(cy_idkey_generate_pq(&other, &err), 0);
	assert_int_equal(cy_identity_from_key_pq(other, &id2, &err), 0);
	assert_int_equal(open_with(id2, &sealed, &err), CY_E_NO_MATCH);
	cy_identity_free(id2);
	cy_identity_free(id);
	cy_recipient_free(rc);
	cy_buf_free(&sealed);
	cy_key_free(other);
	cy_key_free(k);
	assert_true(t.freed);
}

/* The same seed exported as AGE-SECRET-KEY-PQ-1… (for stock age) opens
 * what was sealed to the key's public key, and the key opens what was
 * sealed to the exported identity's recipient. */
static void
test_export_pq(void **state)
{
	cy_idkey *k = NULL;
	cy_identity *exported = NULL, *through = NULL;
	cy_recipient *rc = NULL;
	char *sec = cy_secret_alloc(CY_IDENTITY_STR_MAX);
	char s1[CY_RECIPIENT_STR_MAX], s2[CY_RECIPIENT_STR_MAX];
	cy_buf sealed = CY_BUF_INIT;
	cy_error err;

	(void)state;
	assert_non_null(sec);
	assert_int_equal(cy_idkey_generate_pq(&k, &err), 0);
	assert_int_equal(cy_idkey_export_age_identity_pq(k, sec, &err), 0);
	assert_int_equal(strncmp(sec, "AGE-SECRET-KEY-PQ-1", 19), 0);
	assert_int_equal(cy_identity_parse(sec, &exported, &err), 0);
	assert_int_equal(cy_identity_from_key_pq(k, &through, &err), 0);
	assert_int_equal(cy_identity_recipient_string(exported, s1, &err), 0);
	assert_int_equal(cy_identity_recipient_string(through, s2, &err), 0);
	assert_string_equal(s1, s2);
	assert_int_equal(cy_recipient_parse(s1, &rc, &err), 0);
	seal_to(rc, &sealed);
	assert_int_equal(open_with(exported, &sealed, &err), 0);
	assert_int_equal(open_with(through, &sealed, &err), 0);
	/* the X25519 export is a different key, and still there */
	assert_int_equal(cy_idkey_export_age_identity(k, sec, &err), 0);
	assert_int_equal(strncmp(sec, "AGE-SECRET-KEY-1", 16), 0);
	cy_identity_free(exported);
	cy_identity_free(through);
	cy_recipient_free(rc);
	cy_buf_free(&sealed);
	cy_secret_free(sec);
	cy_idkey_free(k);
}

/* Version 1 tables are accepted and have no hybrid part; a version 2
 * table must give both hybrid operations or neither; a key without the
 * part refuses every hybrid operation with CY_E_USAGE. */
static void
test_ops_versions(void **state)
{
	cy_key_ops ops = pq_token_ops;
	struct pq_token t;
	cy_key *k = NULL, *classic = NULL;
	cy_identity *id = NULL;
	uint8_t enc[CY_KEY_PQ_ENC_LEN], ss[CY_KEY_SHARED_LEN];
	char sec[CY_IDENTITY_STR_MAX];
	cy_error err;

	(void)state;
	memset(&t, 0, sizeof(t));
	assert_int_equal(cy_idkey_generate_pq(&t.inner, &err), 0);
	ops.pq_decaps = NULL;
	assert_int_equal(cy_key_new(&ops, &t, &k, &err), CY_E_USAGE);
	ops.version = 3;
	ops.pq_decaps = pt_pq_decaps;
	assert_int_equal(cy_key_new(&ops, &t, &k, &err), CY_E_USAGE);
	/* version 1: the hybrid fields are not read */
	ops.version = 1;
	assert_int_equal(cy_key_new(&ops, &t, &k, &err), 0);
	assert_null(cy_key_pq_public(k));
	memset(enc, 0, sizeof(enc));
	assert_int_equal(cy_key_pq_decaps(k, enc, ss, &err), CY_E_USAGE);
	assert_string_equal(err.msg,
	    "this pq-token key has no post-quantum (hybrid) part");
	assert_int_equal(cy_identity_from_key_pq(k, &id, &err), CY_E_USAGE);
	assert_null(id);
	cy_key_free(k);
	/* a classical software key */
	assert_int_equal(cy_idkey_generate(&classic, &err), 0);
	assert_null(cy_idkey_pq_public(classic));
	assert_int_equal(cy_idkey_export_age_identity_pq(classic, sec, &err),
	    CY_E_USAGE);
	cy_idkey_free(classic);
}

/* Key files: a hybrid key keeps its seed (the seal-pq line), a classical
 * file stays as it was, and add-pq rewrites one in place under the same
 * passphrase, keeping the other two parts. */
static int
give_pass(void *ctx, char *buf, size_t cap, cy_error *err)
{
	(void)err;
	snprintf(buf, cap, "%s", (const char *)ctx);
	return 0;
}

static void
test_key_files(void **state)
{
	char dir[] = "/tmp/coyeu-pqkey-XXXXXX", path[64];
	cy_idkey *k = NULL, *back = NULL;
	cy_error err;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/pq.key", dir);
	assert_int_equal(cy_idkey_generate_pq(&k, &err), 0);
	assert_int_equal(cy_idkey_save(k, path, NULL, 10, &err), 0);
	assert_int_equal(cy_idkey_load(path, NULL, NULL, &back, &err), 0);
	assert_non_null(cy_idkey_pq_public(back));
	assert_memory_equal(cy_idkey_pq_public(back), cy_idkey_pq_public(k),
	    CY_KEY_PQ_PUBLIC_LEN);
	/* add-pq on a key that has one */
	assert_int_equal(cy_idkey_file_add_pq(path, NULL, NULL, 10, &err),
	    CY_E_USAGE);
	expect_error(&err, "already has a post-quantum");
	unlink(path);
	cy_idkey_free(k);
	cy_idkey_free(back);

	/* a classical key under a passphrase gains one */
	assert_int_equal(cy_idkey_generate(&k, &err), 0);
	assert_int_equal(cy_idkey_save(k, path, "correct horse", 10, &err), 0);
	assert_int_equal(cy_idkey_file_add_pq(path, give_pass, "wrong", 10,
	    &err), CY_E_PASSPHRASE);
	assert_int_equal(cy_idkey_file_add_pq(path, give_pass, "correct horse",
	    10, &err), 0);
	assert_int_equal(cy_idkey_load(path, give_pass, "correct horse", &back,
	    &err), 0);
	assert_non_null(cy_idkey_pq_public(back));
	assert_memory_equal(cy_idkey_sign_public(back), cy_idkey_sign_public(k),
	    32);
	assert_memory_equal(cy_idkey_seal_public(back), cy_idkey_seal_public(k),
	    32);
	unlink(path);
	rmdir(dir);
	cy_idkey_free(k);
	cy_idkey_free(back);
}

/* A certificate with seal-pq-key round-trips; one without still parses
 * and says NULL. */
static void
test_cert_field(void **state)
{
	struct pki_holder root, pq, classic;
	cy_cert *again = NULL;
	cy_recipient *rc = NULL;
	const uint8_t *b;
	size_t len;
	cy_error err;

	(void)state;
	root = pki_issue(NULL, "Gốc", "vn", CY_ROLE_AUTHORITY,
	    CY_LEVEL_TUYET_MAT, NULL);
	{
		cy_idkey *k = NULL;

		assert_int_equal(cy_idkey_generate_pq(&k, &err), 0);
		pq = pki_issue_key(&root, "Lượng Tử", "vn/a", CY_ROLE_OFFICER,
		    CY_LEVEL_TUYET_MAT, NULL, k);
	}
	classic = pki_issue(&root, "Cổ Điển", "vn/b", CY_ROLE_OFFICER,
	    CY_LEVEL_MAT, NULL);
	assert_null(cy_cert_seal_pq_public(root.cert));
	assert_null(cy_cert_seal_pq_recipient(classic.cert));
	assert_non_null(cy_cert_seal_pq_public(pq.cert));
	assert_memory_equal(cy_cert_seal_pq_public(pq.cert),
	    cy_idkey_pq_public(pq.key), CY_KEY_PQ_PUBLIC_LEN);
	assert_int_equal(strncmp(cy_cert_seal_pq_recipient(pq.cert), "age1pq1",
	    7), 0);
	assert_int_equal(strlen(cy_cert_seal_pq_recipient(pq.cert)), 1959);
	b = cy_cert_bytes(pq.cert, &len);
	assert_true(len < CY_CERT_MAX);
	assert_non_null(strstr((const char *)b, "\nseal-pq-key: age1pq1"));
	assert_int_equal(cy_cert_parse(b, len, &again, &err), 0);
	assert_string_equal(cy_cert_seal_pq_recipient(again),
	    cy_cert_seal_pq_recipient(pq.cert));
	assert_int_equal(cy_recipient_parse(cy_cert_seal_pq_recipient(again),
	    &rc, &err), 0);
	cy_recipient_free(rc);
	{
		cy_chain *ch = pki_chain(&pq);

		assert_int_equal(cy_chain_verify(ch, root.cert, NULL, 0, PKI_NOW,
		    NULL, &err), 0);
		cy_chain_free(ch);
	}
	cy_cert_free(again);
	pki_holder_free(&classic);
	pki_holder_free(&pq);
	pki_holder_free(&root);
}

/* A hybrid key whose ML-KEM part has a coefficient >= q: refused when
 * issuing and when parsing a certificate that carries it. */
static void
test_cert_fips_check(void **state)
{
	struct pki_holder root, pq;
	uint8_t bad[CY_KEY_PQ_PUBLIC_LEN];
	char good_s[CY_RECIPIENT_STR_MAX], bad_s[CY_RECIPIENT_STR_MAX];
	cy_recipient *rc = NULL;
	cy_cert_params p;
	cy_cert *c = NULL;
	cy_buf text = CY_BUF_INIT;
	const uint8_t *b;
	char *at;
	size_t len;
	cy_error err;
	cy_idkey *k = NULL;

	(void)state;
	root = pki_issue(NULL, "Gốc", "vn", CY_ROLE_AUTHORITY,
	    CY_LEVEL_TUYET_MAT, NULL);
	assert_int_equal(cy_idkey_generate_pq(&k, &err), 0);
	pq = pki_issue_key(&root, "Lượng Tử", "vn/a", CY_ROLE_OFFICER,
	    CY_LEVEL_MAT, NULL, k);
	memcpy(bad, cy_idkey_pq_public(k), sizeof(bad));
	bad[0] = 0xff;  /* the first coefficient becomes 0x?ff | 0xf00: 4095 */
	bad[1] |= 0x0f;
	assert_int_equal(cy_recipient_pq(bad, &rc, &err), CY_E_FORMAT);
	expect_error(&err, "modulus check");

	memset(&p, 0, sizeof(p));
	p.name = "Sai";
	p.unit = "vn/c";
	p.role = CY_ROLE_OFFICER;
	p.clearance = CY_LEVEL_MAT;
	p.not_before = PKI_T0;
	p.not_after = PKI_T0 + PKI_YEAR;
	p.sign_public = cy_idkey_sign_public(k);
	p.seal_public = cy_idkey_seal_public(k);
	p.seal_pq_public = bad;
	assert_int_equal(cy_cert_issue(&p, root.cert, root.key, PKI_NOW, &c,
	    &err), CY_E_FORMAT);
	expect_error(&err, "seal-pq-key: its ML-KEM-768 key has a coefficient "
	    "not reduced modulo q");
	assert_null(c);

	/* the same key spliced into a certificate's text */
	snprintf(good_s, sizeof(good_s), "%s", cy_cert_seal_pq_recipient(pq.cert));
	assert_int_equal(cy_bech32_encode(bad_s, sizeof(bad_s), "age1pq", bad,
	    sizeof(bad), 0), 0);
	b = cy_cert_bytes(pq.cert, &len);
	cy_buf_append(&text, b, len);
	cy_buf_append(&text, "", 1);
	at = strstr((char *)text.data, good_s);
	assert_non_null(at);
	memcpy(at, bad_s, strlen(bad_s));
	assert_int_equal(cy_cert_parse(text.data, len, &c, &err), CY_E_FORMAT);
	expect_error(&err, "seal-pq-key: its ML-KEM-768 key");
	assert_null(c);
	cy_buf_free(&text);
	pki_holder_free(&pq);
	pki_holder_free(&root);
}

static cy_request *
request_of(const cy_idkey *k, const char *name)
{
	cy_request *req = NULL;
	cy_error err;

	if (cy_request_create(k, name, "vn/hcm/a", PKI_NOW, &req, &err) != 0)
		fail_msg("request: %s", err.msg);
	return req;
}

/* The proof key answers the authority's challenge for req. */
static void
prove(const cy_request *req, const cy_idkey *authority, const cy_idkey *key,
    cy_buf *challenge, cy_buf *proof)
{
	cy_error err;

	if (cy_request_pq_challenge(req, authority, challenge, &err) != 0)
		fail_msg("challenge: %s", err.msg);
	if (cy_request_pq_respond(challenge->data, challenge->len, key, proof,
	    &err) != 0)
		fail_msg("respond: %s", err.msg);
}

static void
test_request_field(void **state)
{
	cy_idkey *pq = NULL, *classic = NULL;
	cy_request *r1, *r2, *back = NULL;
	const uint8_t *b;
	size_t len;
	cy_error err;

	(void)state;
	assert_int_equal(cy_idkey_generate_pq(&pq, &err), 0);
	assert_int_equal(cy_idkey_generate(&classic, &err), 0);
	r1 = request_of(pq, "Lượng Tử");
	r2 = request_of(classic, "Cổ Điển");
	assert_non_null(cy_request_seal_pq_public(r1));
	assert_memory_equal(cy_request_seal_pq_public(r1), cy_idkey_pq_public(pq),
	    CY_KEY_PQ_PUBLIC_LEN);
	assert_null(cy_request_seal_pq_public(r2));
	b = cy_request_bytes(r1, &len);
	assert_non_null(strstr((const char *)b, "\nseal-pq-key: age1pq1"));
	assert_int_equal(cy_request_parse(b, len, &back, &err), 0);
	assert_memory_equal(cy_request_seal_pq_public(back),
	    cy_idkey_pq_public(pq), CY_KEY_PQ_PUBLIC_LEN);
	cy_request_free(back);
	/* nothing to prove for a classical request */
	{
		cy_buf c = CY_BUF_INIT;

		assert_int_equal(cy_request_pq_challenge(r2, pq, &c, &err),
		    CY_E_USAGE);
		expect_error(&err, "the request has no post-quantum key");
		cy_buf_free(&c);
	}
	cy_request_free(r1);
	cy_request_free(r2);
	cy_idkey_free(pq);
	cy_idkey_free(classic);
}

static void
test_proof_of_possession(void **state)
{
	cy_idkey *authority = NULL, *other_authority = NULL, *officer = NULL;
	cy_idkey *intruder = NULL;
	cy_request *req, *req2, *req_i;
	cy_buf ch = CY_BUF_INIT, proof = CY_BUF_INIT, ch2 = CY_BUF_INIT;
	cy_buf proof2 = CY_BUF_INIT, again = CY_BUF_INIT, forged = CY_BUF_INIT;
	cy_buf ch_i = CY_BUF_INIT, proof_i = CY_BUF_INIT;
	char *at;
	cy_error err;

	(void)state;
	assert_int_equal(cy_idkey_generate(&authority, &err), 0);
	assert_int_equal(cy_idkey_generate(&other_authority, &err), 0);
	assert_int_equal(cy_idkey_generate_pq(&officer, &err), 0);
	assert_int_equal(cy_idkey_generate_pq(&intruder, &err), 0);
	req = request_of(officer, "Cán Bộ");
	req2 = request_of(officer, "Cán Bộ Hai");
	req_i = request_of(intruder, "Kẻ Lạ");

	/* a good proof is accepted */
	prove(req, authority, officer, &ch, &proof);
	assert_non_null(strstr((const char *)ch.data,
	    "version: coyeu.v1/pq-challenge\nrequest: "));
	assert_non_null(strstr((const char *)proof.data,
	    "version: coyeu.v1/pq-proof\nrequest-sha256: "));
	assert_int_equal(cy_request_pq_check(req, authority, proof.data,
	    proof.len, &err), 0);
	/* stateless and deterministic: the same challenge again */
	assert_int_equal(cy_request_pq_challenge(req, authority, &again, &err),
	    0);
	assert_int_equal(again.len, ch.len);
	assert_memory_equal(again.data, ch.data, ch.len);

	/* a proof for another request of the same key is refused */
	prove(req2, authority, officer, &ch2, &proof2);
	assert_int_equal(cy_request_pq_check(req, authority, proof2.data,
	    proof2.len, &err), CY_E_POLICY);
	assert_string_equal(err.msg, "the post-quantum proof does not match the "
	    "request (it answers a challenge for another request)");

	/* another authority's check: not its challenge */
	assert_int_equal(cy_request_pq_check(req, other_authority, proof.data,
	    proof.len, &err), CY_E_POLICY);
	assert_string_equal(err.msg,
	    "the post-quantum proof does not match the request");

	/* another key will not answer for the officer's request … */
	assert_int_equal(cy_request_pq_respond(ch.data, ch.len, intruder,
	    &proof_i, &err), CY_E_POLICY);
	expect_error(&err, "the challenge is for a request signed by another "
	    "key");
	/* … and its own proof, relabelled for the officer's request, fails */
	prove(req_i, authority, intruder, &ch_i, &proof_i);
	{
		size_t len;
		const uint8_t *rb = cy_request_bytes(req, &len);
		uint8_t h[32];
		char hex[65];

		crypto_hash_sha256(h, rb, len);
		cy_hex_encode(hex, h, 32);
		cy_buf_append(&forged, proof_i.data, proof_i.len);
		cy_buf_append(&forged, "", 1);
		at = strstr((char *)forged.data, "request-sha256: ");
		assert_non_null(at);
		memcpy(at + 16, hex, 64);
		assert_int_equal(cy_request_pq_check(req, authority, forged.data,
		    forged.len - 1, &err), CY_E_POLICY);
		assert_string_equal(err.msg,
		    "the post-quantum proof does not match the request");
	}

	/* a tampered challenge: enc changed, the proof does not match … */
	cy_buf_free(&proof2);
	at = strstr((char *)ch.data, "\nenc: ");
	assert_non_null(at);
	at[10] = at[10] == 'A' ? 'B' : 'A';
	assert_int_equal(cy_request_pq_respond(ch.data, ch.len, officer,
	    &proof2, &err), 0);
	assert_int_equal(cy_request_pq_check(req, authority, proof2.data,
	    proof2.len, &err), CY_E_POLICY);
	assert_string_equal(err.msg,
	    "the post-quantum proof does not match the request");
	/* … the request in it changed: its signature fails */
	at = strstr((char *)ch.data, "\nrequest: ");
	at[40] = at[40] == 'A' ? 'B' : 'A';
	cy_buf_free(&proof2);
	assert_int_not_equal(cy_request_pq_respond(ch.data, ch.len, officer,
	    &proof2, &err), 0);
	expect_error(&err, "the challenge's request");
	/* garbage proofs are format errors */
	assert_int_equal(cy_request_pq_check(req, authority,
	    (const uint8_t *)"proof", 5, &err), CY_E_FORMAT);

	cy_buf_free(&ch);
	cy_buf_free(&proof);
	cy_buf_free(&ch2);
	cy_buf_free(&proof2);
	cy_buf_free(&again);
	cy_buf_free(&forged);
	cy_buf_free(&ch_i);
	cy_buf_free(&proof_i);
	cy_request_free(req);
	cy_request_free(req2);
	cy_request_free(req_i);
	cy_idkey_free(authority);
	cy_idkey_free(other_authority);
	cy_idkey_free(officer);
	cy_idkey_free(intruder);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity_through_key),
		cmocka_unit_test(test_export_pq),
		cmocka_unit_test(test_ops_versions),
		cmocka_unit_test(test_key_files),
		cmocka_unit_test(test_cert_field),
		cmocka_unit_test(test_cert_fips_check),
		cmocka_unit_test(test_request_field),
		cmocka_unit_test(test_proof_of_possession),
	};

	if (cy_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
