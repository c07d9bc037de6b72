/* Keys as handles: a key implementation defined here (a fake "token" whose
 * secrets only its own operations touch, counting their calls) signs a
 * certificate, a request, a label, a register entry and a checkpoint, and
 * opens a classified document through an identity made from it: the
 * cy_key interface is all the library needs of a key.  And no secret of
 * such a key leaves it. */
#include "pki.h"

#include <fcntl.h>
#include <unistd.h>

#include "coyeu/age.h"
#include "coyeu/document.h"
#include "coyeu/entry.h"
#include "coyeu/file.h"
#include "coyeu/key.h"
#include "coyeu/note.h"
#include "coyeu/request.h"
#include "coyeu/secret.h"

/* The token: its secrets stay in this struct, out of the library's reach. */
struct token {
	uint8_t ed_sk[64], ed_pk[32], x_sk[32];
	int signs, agrees, freed;
};

static int
tok_sign(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64],
    cy_error *err)
{
	struct token *t = ctx;

	(void)err;
	t->signs++;
	return crypto_sign_detached(sig, NULL, msg, len, t->ed_sk) == 0 ? 0 :
	    CY_E_CRYPTO;
}

static int
tok_x25519(void *ctx, const uint8_t peer[32], uint8_t shared[32],
    cy_error *err)
{
	struct token *t = ctx;

	t->agrees++;
	if (crypto_scalarmult(shared, t->x_sk, peer) != 0)
		return cy_error_set(err, CY_E_CRYPTO, "token: low-order peer");
	return 0;
}

static int
tok_public_keys(void *ctx, uint8_t sign_pk[32], uint8_t seal_pk[32],
    cy_error *err)
{
	struct token *t = ctx;

	(void)err;
	memcpy(sign_pk, t->ed_pk, 32);
	return crypto_scalarmult_base(seal_pk, t->x_sk) == 0 ? 0 : CY_E_CRYPTO;
}

static void
tok_free(void *ctx)
{
	struct token *t = ctx;

	sodium_memzero(t->ed_sk, sizeof(t->ed_sk));
	sodium_memzero(t->x_sk, sizeof(t->x_sk));
	t->freed = 1;
}

/* A version-1 table, as written before version 2 (the hybrid fields are
 * spelled out only for -Wmissing-field-initializers; version 1 means
 * they are never read): still accepted. */
static const cy_key_ops token_ops = {
	1, "test-token", tok_sign, tok_x25519, tok_public_keys,
	tok_free, NULL, NULL,
};

static cy_key *
token_new(struct token *t)
{
	cy_key *k = NULL;
	cy_error err;

	memset(t, 0, sizeof(*t));
	crypto_sign_keypair(t->ed_pk, t->ed_sk);
	randombytes_buf(t->x_sk, sizeof(t->x_sk));
	if (cy_key_new(&token_ops, t, &k, &err) != 0)
		fail_msg("token: %s", err.msg);
	return k;
}

static void
test_ops_checked(void **state)
{
	cy_key_ops bad = token_ops;
	struct token t;
	cy_key *k = NULL;
	cy_error err;

	(void)state;
	bad.version = CY_KEY_OPS_VERSION + 1;
	assert_int_equal(cy_key_new(&bad, &t, &k, &err), CY_E_USAGE);
	assert_null(k);
	bad = token_ops;
	bad.sign = NULL;
	bad.x25519 = NULL;
	assert_int_equal(cy_key_new(&bad, &t, &k, &err), CY_E_USAGE);
	k = token_new(&t);
	assert_string_equal(cy_key_kind(k), "test-token");
	assert_memory_equal(cy_key_sign_public(k), t.ed_pk, 32);
	cy_key_free(k);
	assert_true(t.freed);
	/* a signing-only key: no sealing key, no X25519 */
	bad = token_ops;
	bad.x25519 = NULL;
	memset(&t, 0, sizeof(t));
	assert_int_equal(cy_key_new(&bad, &t, &k, &err), 0);
	assert_null(cy_key_seal_public(k));
	{
		cy_identity *id = NULL;
		uint8_t shared[32];

		assert_int_equal(cy_identity_from_key(k, &id, &err), CY_E_USAGE);
		assert_int_equal(cy_key_x25519(k, t.ed_pk, shared, &err),
		    CY_E_USAGE);
		assert_string_equal(err.msg,
		    "this test-token key cannot agree an X25519 secret");
	}
	cy_key_free(k);
}

static void
test_request_and_entry(void **state)
{
	const cy_entry_field f[] = {
		{"time", "2026-03-01T08:30:00Z"},
		{"actor", "0123456789abcdef0123456789abcdef"},
		{"serial", "fedcba9876543210fedcba9876543210"},
		{"reason", "superseded"},
	};
	struct token t;
	cy_key *k = token_new(&t);
	cy_request *req = NULL;
	cy_buf entry = CY_BUF_INIT;
	cy_entry *e = NULL;
	cy_error err;

	(void)state;
	if (cy_request_create(k, "Token Officer", "vn/hcm/b", PKI_NOW, &req,
	    &err) != 0)
		fail_msg("request: %s", err.msg);
	assert_int_equal(t.signs, 1);
	assert_memory_equal(cy_request_sign_public(req), t.ed_pk, 32);
	assert_memory_equal(cy_request_seal_public(req), cy_key_seal_public(k),
	    32);
	if (cy_entry_create("cert.revoke", f, 4, k, &entry, &err) != 0)
		fail_msg("entry: %s", err.msg);
	assert_int_equal(t.signs, 2);
	assert_int_equal(cy_entry_verify(entry.data, entry.len, &err), 0);
	assert_int_equal(cy_entry_parse(entry.data, entry.len, &e, &err), 0);
	assert_memory_equal(cy_entry_actor_key(e), t.ed_pk, 32);
	cy_entry_free(e);
	cy_buf_free(&entry);
	cy_request_free(req);
	cy_key_free(k);
	assert_true(t.freed);
}

static void
test_checkpoint(void **state)
{
	struct token t;
	cy_key *k = token_new(&t);
	cy_note_signer *s = NULL;
	cy_note_verifier *v = NULL;
	cy_checkpoint c, got;
	char vs[CY_NOTE_KEY_STR_MAX];
	cy_buf note = CY_BUF_INIT, str = CY_BUF_INIT;
	cy_error err;

	(void)state;
	assert_int_equal(cy_note_signer_from_key("example.org/log", k, &s, &err),
	    0);
	memset(&c, 0, sizeof(c));
	snprintf(c.origin, sizeof(c.origin), "example.org/log");
	c.size = 7;
	c.time = 1767225600;
	if (cy_checkpoint_sign(&c, s, &note, &err) != 0)
		fail_msg("checkpoint: %s", err.msg);
	assert_int_equal(t.signs, 2);  /* the note signature and the cosignature */
	cy_note_signer_verifier_string(s, vs);
	assert_int_equal(cy_note_verifier_parse(vs, strlen(vs), &v, &err), 0);
	assert_int_equal(cy_checkpoint_open(note.data, note.len, v, &got, &err),
	    0);
	assert_int_equal(got.size, 7);
	assert_int_equal(got.time, 1767225600);
	/* its secret has no string form */
	assert_int_equal(cy_note_signer_string(s, &str, &err), CY_E_USAGE);
	assert_int_equal(str.len, 0);
	cy_note_verifier_free(v);
	cy_note_signer_free(s);
	cy_buf_free(&note);
	cy_key_free(k);
}

/* Seals plain from sealer to reader (both certified under root), through
 * the checks every sealing takes; the file in a fd. */
static int
seal_doc(const struct pki_holder *root, const struct pki_holder *sealer,
    const struct pki_holder *reader, const uint8_t *plain, size_t len)
{
	cy_chain *signer = pki_chain(sealer), *to = pki_chain(reader);
	const cy_chain *const rc[1] = {to};
	cy_doc_sealing *s = NULL;
	cy_doc_seal_params p;
	cy_doc_seal_io io;
	cy_trust trust;
	cy_error err;
	size_t refused;
	int in, out;

	memset(&trust, 0, sizeof(trust));
	trust.root = root->cert;
	memset(&p, 0, sizeof(p));
	p.document = "7/KEY-TEST";
	p.level = CY_LEVEL_MAT;
	p.compartments = "";
	p.now = PKI_NOW;
	p.signer = sealer->key;
	p.signer_chain = signer;
	p.recipients = rc;
	p.nrecipients = 1;
	p.trust = &trust;
	if (cy_doc_seal_prepare(&p, &s, &refused, &err) != 0)
		fail_msg("prepare: %s", err.msg);
	memset(&io, 0, sizeof(io));
	in = temp_fd(plain, len);
	out = temp_fd(NULL, 0);
	if (cy_doc_seal_fd(in, out, s, &io, &err) != 0)
		fail_msg("seal: %s", err.msg);
	close(in);
	cy_doc_sealing_free(s);
	cy_chain_free(signer);
	cy_chain_free(to);
	assert_int_equal(lseek(out, 0, SEEK_SET), 0);
	return out;
}

static void
test_classified(void **state)
{
	struct token root_t, sealer_t, reader_t;
	struct pki_holder root, sealer, reader;
	uint8_t plain[70000], *got = NULL;
	char sec[CY_IDENTITY_STR_MAX];
	cy_identity *id = NULL;
	cy_doc_open_params p;
	cy_doc_info info;
	cy_trust trust;
	cy_chain *chain;
	cy_error err;
	size_t len;
	int in, out;

	(void)state;
	/* every signature (certificates, the label) and the reader's X25519
	 * by tokens */
	root = pki_issue_key(NULL, "Gốc", "vn", CY_ROLE_AUTHORITY,
	    CY_LEVEL_TUYET_MAT, NULL, token_new(&root_t));
	sealer = pki_issue_key(&root, "Gửi", "vn/a", CY_ROLE_OFFICER,
	    CY_LEVEL_MAT, NULL, token_new(&sealer_t));
	reader = pki_issue_key(&root, "Nhận", "vn/b", CY_ROLE_OFFICER,
	    CY_LEVEL_MAT, NULL, token_new(&reader_t));
	assert_int_equal(root_t.signs, 3);  /* its own, sealer's, reader's */
	randombytes_buf(plain, sizeof(plain));
	in = seal_doc(&root, &sealer, &reader, plain, sizeof(plain));
	assert_int_equal(sealer_t.signs, 1);  /* the label */

	assert_int_equal(cy_identity_from_key(reader.key, &id, &err), 0);
	chain = pki_chain(&reader);
	memset(&trust, 0, sizeof(trust));
	trust.root = root.cert;
	memset(&p, 0, sizeof(p));
	p.identities = &id;
	p.nidentities = 1;
	p.trust = &trust;
	p.reader = chain;
	p.now = PKI_NOW;
	out = temp_fd(NULL, 0);
	if (cy_doc_open_fd(in, out, &p, &info, &err) != 0)
		fail_msg("open: %s", err.msg);
	assert_true(reader_t.agrees >= 1);
	assert_int_equal(lseek(out, 0, SEEK_SET), 0);
	assert_int_equal(cy_fd_read_all(out, 1 << 20, &got, &len, &err), 0);
	assert_int_equal(len, sizeof(plain));
	assert_memory_equal(got, plain, len);
	assert_non_null(info.reader);

	/* no secret leaves a token's key */
	assert_int_equal(cy_identity_string(id, sec, &err), CY_E_USAGE);
	assert_int_equal(cy_idkey_export_age_identity(reader.key, sec, &err),
	    CY_E_USAGE);
	assert_int_equal(cy_idkey_save(reader.key, "/tmp/coyeu-never.key", NULL,
	    10, &err), CY_E_USAGE);
	assert_int_equal(access("/tmp/coyeu-never.key", F_OK), -1);

	free(got);
	cy_doc_info_free(&info);
	cy_chain_free(chain);
	cy_identity_free(id);
	close(in);
	close(out);
	pki_holder_free(&reader);
	pki_holder_free(&sealer);
	pki_holder_free(&root);
	assert_true(reader_t.freed && sealer_t.freed && root_t.freed);
}

/* An officer key (software) opens through the same identity method. */
static void
test_software_identity(void **state)
{
	cy_idkey *k = NULL;
	cy_identity *id = NULL;
	char pub[CY_RECIPIENT_STR_MAX], sec[CY_IDENTITY_STR_MAX];
	cy_error err;

	(void)state;
	assert_int_equal(cy_idkey_generate(&k, &err), 0);
	assert_string_equal(cy_key_kind(k), "software");
	assert_int_equal(cy_identity_from_key(k, &id, &err), 0);
	assert_int_equal(cy_identity_recipient_string(id, pub, &err), 0);
	/* the identity made from the key exports nothing … */
	assert_int_equal(cy_identity_string(id, sec, &err), CY_E_USAGE);
	cy_identity_free(id);
	/* … the named export does, and it is the same key */
	assert_int_equal(cy_idkey_export_age_identity(k, sec, &err), 0);
	assert_int_equal(cy_identity_parse(sec, &id, &err), 0);
	{
		char again[CY_RECIPIENT_STR_MAX];

		assert_int_equal(cy_identity_recipient_string(id, again, &err),
		    0);
		assert_string_equal(again, pub);
	}
	cy_wipe(sec, sizeof(sec));
	cy_identity_free(id);
	cy_idkey_free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ops_checked),
		cmocka_unit_test(test_request_and_entry),
		cmocka_unit_test(test_checkpoint),
		cmocka_unit_test(test_classified),
		cmocka_unit_test(test_software_identity),
	};

	if (cy_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
