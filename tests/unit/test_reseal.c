/* Re-sealing classified documents (document.h, docs/format.md
 * "Re-sealing"): the payload kept byte for byte, only the hybrid keys open
 * the result, and the refusals: a non-holder, a second reseal, a record a
 * holder altered, a record moved from another document. */
#include "pki.h"

#include <unistd.h>

#include "coyeu/document.h"
#include "coyeu/file.h"
#include "coyeu/header.h"
#include "coyeu/secret.h"
#include "age/ageio.h"
#include "base/crypto.h"
#include "age/recipient.h"
#include "age/release_raw.h"
#include "doc/docint.h"
#include "doc/docseal.h"
#include "doc/reseal.h"

struct world {
	struct pki_holder root, sealer, alice, alice2, bob, carol;
	cy_trust trust;
	uint8_t plain[2 * 65536 + 77];
};

static int
setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	cy_idkey *k;
	cy_error err;

	assert_int_equal(cy_init(), 0);
	w->root = pki_issue(NULL, "Ban Cơ yếu", "vn", CY_ROLE_AUTHORITY,
	    CY_LEVEL_TUYET_MAT, "x");
	w->sealer = pki_issue(&w->root, "Người gửi", "vn/hcm/a",
	    CY_ROLE_OFFICER, CY_LEVEL_TOI_MAT, NULL);
	/* Alice's key is classical; she is re-keyed later (alice2: the same
	 * signing and X25519 keys plus a hybrid seed, a new certificate).
	 * Bob's certificate has had a hybrid key from the start. */
	w->alice = pki_issue(&w->root, "Alice", "vn/hcm/b", CY_ROLE_OFFICER,
	    CY_LEVEL_TOI_MAT, NULL);
	assert_int_equal(cy_idkey_with_pq(w->alice.key, &k, &err), 0);
	w->alice2 = pki_issue_key(&w->root, "Alice", "vn/hcm/b",
	    CY_ROLE_OFFICER, CY_LEVEL_TOI_MAT, NULL, k);
	assert_int_equal(cy_idkey_generate_pq(&k, &err), 0);
	w->bob = pki_issue_key(&w->root, "Bob", "vn/hcm/b", CY_ROLE_OFFICER,
	    CY_LEVEL_TOI_MAT, NULL, k);
	w->carol = pki_issue(&w->root, "Carol", "vn/hcm/b", CY_ROLE_OFFICER,
	    CY_LEVEL_TOI_MAT, NULL);
	w->trust.root = w->root.cert;
	randombytes_buf(w->plain, sizeof(w->plain));
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	pki_holder_free(&w->root);
	pki_holder_free(&w->sealer);
	pki_holder_free(&w->alice);
	pki_holder_free(&w->alice2);
	pki_holder_free(&w->bob);
	pki_holder_free(&w->carol);
	free(w);
	return 0;
}

/* w->plain sealed classically (TỐI MẬT) by the sealer to alice and bob,
 * through the library's checked path. */
static cy_buf seal_as(struct world *w, const char *docno,
    const char *doc_id, uint8_t r[2][CY_RELEASE_SECRET_LEN],
    char copy_ids[2][CY_RELEASE_ID_SIZE]);

static cy_buf
seal_classical(struct world *w, const char *docno)
{
	return seal_as(w, docno, NULL, NULL, NULL);
}

/* The same, registry-mediated when doc_id is given: *r and copy_ids
 * receive each copy's R and id. */
static cy_buf
seal_as(struct world *w, const char *docno, const char *doc_id,
    uint8_t r[2][CY_RELEASE_SECRET_LEN], char copy_ids[2][CY_RELEASE_ID_SIZE])
{
	cy_chain *signer = pki_chain(&w->sealer), *to[2];
	cy_doc_seal_params p;
	cy_doc_sealing *s = NULL;
	cy_error err;
	cy_buf out;
	int in, fd;

	to[0] = pki_chain(&w->alice);
	to[1] = pki_chain(&w->bob);
	memset(&p, 0, sizeof(p));
	p.document = docno;
	p.level = CY_LEVEL_TOI_MAT;
	p.now = PKI_NOW;
	p.signer = w->sealer.key;
	p.signer_chain = signer;
	p.recipients = (const cy_chain *const *)to;
	p.nrecipients = 2;
	p.trust = &w->trust;
	p.pq = CY_DOC_PQ_NEVER;
	p.release_doc_id = doc_id;
	if (cy_doc_seal_prepare(&p, &s, NULL, &err) != 0)
		fail_msg("seal: %s", err.msg);
	assert_int_equal(cy_doc_sealing_pq(s), 0);
	for (int i = 0; doc_id != NULL && i < 2; i++) {
		memcpy(r[i], cy_doc_sealing_release_secret(s, i),
		    CY_RELEASE_SECRET_LEN);
		strcpy(copy_ids[i], cy_doc_sealing_copy_id(s, i));
	}
	in = temp_fd(w->plain, sizeof(w->plain));
	fd = temp_fd(NULL, 0);
	if (cy_doc_seal_fd(in, fd, s, NULL, &err) != 0)
		fail_msg("seal: %s", err.msg);
	out = pki_read_fd(fd);
	close(in);
	close(fd);
	cy_doc_sealing_free(s);
	cy_chain_free(signer);
	cy_chain_free(to[0]);
	cy_chain_free(to[1]);
	return out;
}

/* `who` (its classical key, its chain `as`) reseals file with the chains
 * a keyring would hold: alice's old and new, bob's.  0 and *out, or the
 * error. */
static int reseal_with(struct world *w, const struct pki_holder *who,
    cy_identity *id, const struct pki_holder *as, const cy_buf *file,
    cy_buf *out, cy_doc_resealing **keep, cy_error *err);

static int
reseal(struct world *w, const struct pki_holder *who,
    const struct pki_holder *as, const cy_buf *file, cy_buf *out,
    cy_error *err)
{
	return reseal_with(w, who, NULL, as, file, out, NULL, err);
}

/* With id (NULL: who's X25519 identity); *keep (when not NULL) receives
 * the resealing. */
static int
reseal_with(struct world *w, const struct pki_holder *who, cy_identity *given,
    const struct pki_holder *as, const cy_buf *file, cy_buf *out,
    cy_doc_resealing **keep, cy_error *err)
{
	cy_chain *chains[3], *mine = pki_chain(as);
	cy_doc_reseal_params p;
	cy_doc_resealing *rs = NULL;
	cy_identity *id = NULL;
	size_t i;
	int in, fd, r;

	chains[0] = pki_chain(&w->alice);
	chains[1] = pki_chain(&w->alice2);
	chains[2] = pki_chain(&w->bob);
	if (given == NULL)
		assert_int_equal(cy_identity_from_key(who->key, &id, err), 0);
	memset(&p, 0, sizeof(p));
	p.identities = given != NULL ? &given : &id;
	p.nidentities = 1;
	p.signer = who->key;
	p.resealer = mine;
	p.recipients = (const cy_chain *const *)chains;
	p.nrecipients = 3;
	p.trust = &w->trust;
	p.now = PKI_NOW + 100;
	in = temp_fd(file->data, file->len);
	memset(out, 0, sizeof(*out));
	if ((r = cy_doc_reseal_prepare(in, &p, &rs, NULL, err)) == 0) {
		fd = temp_fd(NULL, 0);
		r = cy_doc_reseal_write(rs, fd, err);
		*out = pki_read_fd(fd);
		close(fd);
	}
	close(in);
	if (keep != NULL && r == 0)
		*keep = rs;
	else
		cy_doc_resealing_free(rs);
	cy_identity_free(id);
	for (i = 0; i < 3; i++)
		cy_chain_free(chains[i]);
	cy_chain_free(mine);
	return r;
}

/* Opens file as `who` with its hybrid identity (or its X25519 one when
 * classical), its chain `as` checked (NULL: not). */
static int
open_as(struct world *w, const struct pki_holder *who, int classical,
    const struct pki_holder *as, const cy_buf *file, cy_buf *plain,
    cy_doc_info *info, cy_error *err)
{
	cy_chain *reader = as != NULL ? pki_chain(as) : NULL;
	cy_identity *id = NULL;
	cy_doc_open_params p;
	int in, out, r;

	assert_int_equal(classical ? cy_identity_from_key(who->key, &id, err) :
	    cy_identity_from_key_pq(who->key, &id, err), 0);
	memset(&p, 0, sizeof(p));
	p.identities = &id;
	p.nidentities = 1;
	p.trust = &w->trust;
	p.reader = reader;
	p.now = PKI_NOW + 200;
	in = temp_fd(file->data, file->len);
	out = temp_fd(NULL, 0);
	r = cy_doc_open_fd(in, out, &p, info, err);
	*plain = pki_read_fd(out);
	close(in);
	close(out);
	cy_identity_free(id);
	cy_chain_free(reader);
	return r;
}

static size_t
header_len(const cy_buf *file)
{
	cy_header h;
	cy_error err;
	size_t used = 0;

	memset(&h, 0, sizeof(h));
	if (cy_header_parse(file->data, file->len, &h, &used, &err) != 0)
		fail_msg("header: %s", err.msg);
	cy_header_free(&h);
	return used;
}

static void
expect_open(struct world *w, const struct pki_holder *who,
    const struct pki_holder *as, const cy_buf *file, const char *serial0)
{
	cy_doc_info info;
	cy_buf plain;
	cy_error err;

	if (open_as(w, who, 0, as, file, &plain, &info, &err) != 0)
		fail_msg("open: %s", err.msg);
	assert_int_equal(plain.len, sizeof(w->plain));
	assert_memory_equal(plain.data, w->plain, plain.len);
	assert_non_null(info.reseal);
	assert_true(info.post_quantum);
	assert_string_equal(cy_doc_reseal_new_serial(info.reseal, 0), serial0);
	assert_string_equal(cy_doc_reseal_old_serial(info.reseal, 0),
	    cy_cert_serial(w->alice.cert));
	assert_string_equal(cy_cert_serial(cy_doc_reseal_resealer(info.reseal)),
	    cy_cert_serial(w->alice.cert));
	cy_doc_info_free(&info);
	cy_buf_free(&plain);
}

static void
test_round_trip(void **state)
{
	struct world *w = *state;
	cy_buf file = seal_classical(w, "1/RESEAL"), out, plain;
	cy_doc_info info;
	cy_error err;
	size_t a, b;
	int r;

	if (reseal(w, &w->alice, &w->alice, &file, &out, &err) != 0)
		fail_msg("reseal: %s", err.msg);
	/* The payload, nonce and every stored chunk, byte for byte. */
	a = header_len(&file);
	b = header_len(&out);
	assert_int_equal(file.len - a, out.len - b);
	assert_memory_equal(file.data + a, out.data + b, file.len - a);
	/* The re-keyed Alice (new serial) and Bob (same serial), with their
	 * hybrid keys and chains. */
	expect_open(w, &w->alice2, &w->alice2, &out,
	    cy_cert_serial(w->alice2.cert));
	expect_open(w, &w->bob, &w->bob, &out, cy_cert_serial(w->alice2.cert));
	expect_open(w, &w->bob, NULL, &out, cy_cert_serial(w->alice2.cert));
	/* The classical keys no longer open it. */
	r = open_as(w, &w->alice, 1, NULL, &out, &plain, &info, &err);
	assert_int_equal(r, CY_E_NO_MATCH);
	cy_buf_free(&plain);
	r = open_as(w, &w->bob, 1, NULL, &out, &plain, &info, &err);
	assert_int_equal(r, CY_E_NO_MATCH);
	cy_buf_free(&plain);
	/* Alice's hybrid key under her old chain (no seal-pq-key): refused. */
	r = open_as(w, &w->alice2, 0, &w->alice, &out, &plain, &info, &err);
	assert_int_equal(r, CY_E_POLICY);
	expect_error(&err, "not the one certified");
	cy_buf_free(&plain);
	/* A second reseal: refused, one is the limit. */
	assert_int_equal(reseal(w, &w->alice, &w->alice, &out, &plain, &err),
	    CY_E_POLICY);
	expect_error(&err, "resealed already");
	cy_buf_free(&out);
	cy_buf_free(&file);
}

static void
test_refusals(void **state)
{
	struct world *w = *state;
	cy_buf file = seal_classical(w, "2/RESEAL"), out;
	cy_error err;

	/* Carol holds no stanza. */
	assert_int_equal(reseal(w, &w->carol, &w->carol, &file, &out, &err),
	    CY_E_NO_MATCH);
	cy_buf_free(&out);
	/* Carol with Alice's chain: her key is not the certified one. */
	assert_int_equal(reseal(w, &w->carol, &w->alice, &file, &out, &err),
	    CY_E_NO_MATCH);
	cy_buf_free(&out);
	/* Alice's key with Carol's chain: not certified, not named. */
	assert_int_equal(reseal(w, &w->alice, &w->carol, &file, &out, &err),
	    CY_E_POLICY);
	expect_error(&err, "resealer");
	cy_buf_free(&out);
	/* A plain age file has nothing to reseal. */
	cy_buf_free(&file);
}

/* The resealed file's header and file key (a holder's view: Bob). */
static void
holder_view(struct world *w, const cy_buf *file, cy_header *h,
    uint8_t key[CY_FILE_KEY_LEN], size_t *used)
{
	cy_identity *id = NULL;
	cy_open_params op;
	cy_error err;

	memset(h, 0, sizeof(*h));
	assert_int_equal(cy_header_parse(file->data, file->len, h, used, &err),
	    0);
	assert_int_equal(cy_identity_from_key_pq(w->bob.key, &id, &err), 0);
	memset(&op, 0, sizeof(op));
	op.identities = &id;
	op.nidentities = 1;
	assert_int_equal(cy_age_unwrap(h, &op, key, &err), 0);
	cy_identity_free(id);
}

/* file with its reseal stanza's record replaced by text, encrypted and
 * MACed as a holder of the file key can. */
static cy_buf
with_record(const cy_header *h, const uint8_t *key, const cy_buf *file,
    size_t used, const uint8_t *text, size_t len)
{
	uint8_t salt[CY_SHA256_LEN], *body = malloc(len + CY_AEAD_TAG_LEN);
	cy_header nh;
	cy_buf out = CY_BUF_INIT;
	const cy_stanza *s;
	size_t i;

	memset(&nh, 0, sizeof(nh));
	cy_doc_stanzas_digest(h, h->nstanzas - 2, salt);
	assert_int_equal(cy_doc_stanza_crypt(key, salt, sizeof(salt),
	    CY_RESEAL_HKDF_INFO, text, len, body, 1), 0);
	for (i = 0; i < h->nstanzas; i++) {
		s = &h->stanzas[i];
		if (i == h->nstanzas - 2)
			assert_int_equal(cy_header_add(&nh, s->type, NULL, 0,
			    body, len + CY_AEAD_TAG_LEN), 0);
		else
			assert_int_equal(cy_header_add(&nh, s->type,
			    (const char *const *)s->args, s->nargs, s->body,
			    s->body_len), 0);
	}
	assert_int_equal(cy_header_encode(&nh, key, &out), 0);
	cy_buf_append(&out, file->data + used, file->len - used);
	cy_header_free(&nh);
	free(body);
	return out;
}

/* The record of a resealed file, decrypted with its key. */
static cy_buf
record_of(const cy_header *h, const uint8_t *key)
{
	const cy_stanza *s = &h->stanzas[h->nstanzas - 2];
	uint8_t salt[CY_SHA256_LEN];
	cy_buf text = CY_BUF_INIT;

	assert_string_equal(s->type, CY_RESEAL_STANZA);
	cy_doc_stanzas_digest(h, h->nstanzas - 2, salt);
	cy_buf_append(&text, s->body, s->body_len - CY_AEAD_TAG_LEN);
	assert_int_equal(cy_doc_stanza_crypt(key, salt, sizeof(salt),
	    CY_RESEAL_HKDF_INFO, s->body, s->body_len, text.data, 0), 0);
	return text;
}

static void
test_forged_records(void **state)
{
	struct world *w = *state;
	cy_buf file = seal_classical(w, "3/RESEAL"), other, out, out2, text,
	    text2, forged, plain;
	uint8_t key[CY_FILE_KEY_LEN], key2[CY_FILE_KEY_LEN];
	cy_header h, h2;
	cy_doc_info info;
	cy_error err;
	size_t used, used2;
	char *at;

	other = seal_classical(w, "4/RESEAL");
	if (reseal(w, &w->alice, &w->alice, &file, &out, &err) != 0 ||
	    reseal(w, &w->alice, &w->alice, &other, &out2, &err) != 0)
		fail_msg("reseal: %s", err.msg);
	holder_view(w, &out, &h, key, &used);
	holder_view(w, &out2, &h2, key2, &used2);
	text = record_of(&h, key);
	text2 = record_of(&h2, key2);

	/* The record as it was, re-encrypted: opens (the harness is sound). */
	forged = with_record(&h, key, &out, used, text.data, text.len);
	assert_int_equal(open_as(w, &w->bob, 0, &w->bob, &forged, &plain,
	    &info, &err), 0);
	cy_doc_info_free(&info);
	cy_buf_free(&plain);
	cy_buf_free(&forged);

	/* A holder moves the time by a second: the resealer's signature
	 * breaks. */
	at = strstr((char *)text.data, "resealed: 2026-01-02T00:01:40Z");
	assert_non_null(at);
	at[strlen("resealed: 2026-01-02T00:01:4")] = '1';
	forged = with_record(&h, key, &out, used, text.data, text.len);
	assert_int_equal(open_as(w, &w->bob, 0, &w->bob, &forged, &plain,
	    &info, &err), CY_E_SIGNATURE);
	expect_error(&err, "reseal record's signature does not verify");
	cy_buf_free(&plain);
	cy_buf_free(&forged);

	/* Another document's record, properly encrypted for this one: its
	 * label-sha256 is the other label's. */
	forged = with_record(&h, key, &out, used, text2.data, text2.len);
	assert_int_equal(open_as(w, &w->bob, 0, &w->bob, &forged, &plain,
	    &info, &err), CY_E_SIGNATURE);
	expect_error(&err, "another document's");
	cy_buf_free(&plain);
	cy_buf_free(&forged);

	/* The resealer itself maps the stanzas crosswise (signed): Bob
	 * opens stanza 2, which the record now gives to Alice. */
	{
		struct cy_doc_reseal_text t;
		cy_doc_reseal *rec = NULL;
		const char *old[2], *new[2];
		cy_buf swapped = CY_BUF_INIT;

		/* The time as the resealer signed it. */
		at[strlen("resealed: 2026-01-02T00:01:4")] = '0';
		assert_int_equal(cy_doc_reseal_parse(text.data, text.len, &rec,
		    &err), 0);
		old[0] = cy_doc_reseal_old_serial(rec, 0);
		old[1] = cy_doc_reseal_old_serial(rec, 1);
		new[0] = cy_doc_reseal_new_serial(rec, 1);
		new[1] = cy_doc_reseal_new_serial(rec, 0);
		memset(&t, 0, sizeof(t));
		t.label_sha256 = cy_doc_reseal_label_sha256(rec);
		t.old_sha256 = cy_doc_reseal_old_sha256(rec);
		t.new_sha256 = cy_doc_reseal_new_sha256(rec);
		t.old = old;
		t.new = new;
		t.n = 2;
		t.time = cy_doc_reseal_time(rec);
		t.chain = cy_doc_reseal_chain(rec, &t.chain_len);
		assert_int_equal(cy_doc_reseal_build(&t, w->alice.key, &swapped,
		    &err), 0);
		forged = with_record(&h, key, &out, used, swapped.data,
		    swapped.len);
		assert_int_equal(open_as(w, &w->bob, 0, &w->bob, &forged,
		    &plain, &info, &err), CY_E_POLICY);
		expect_error(&err, "was resealed for serial");
		cy_buf_free(&plain);
		cy_buf_free(&forged);
		cy_buf_free(&swapped);
		cy_doc_reseal_free(rec);
	}

	/* Another document's reseal stanza as it was: does not decrypt. */
	{
		cy_header nh;
		size_t i;
		const cy_stanza *s;

		memset(&nh, 0, sizeof(nh));
		for (i = 0; i < h.nstanzas; i++) {
			s = i == h.nstanzas - 2 ? &h2.stanzas[i] : &h.stanzas[i];
			assert_int_equal(cy_header_add(&nh, s->type,
			    (const char *const *)s->args, s->nargs, s->body,
			    s->body_len), 0);
		}
		memset(&forged, 0, sizeof(forged));
		assert_int_equal(cy_header_encode(&nh, key, &forged), 0);
		cy_buf_append(&forged, out.data + used, out.len - used);
		cy_header_free(&nh);
	}
	assert_int_equal(open_as(w, &w->bob, 0, &w->bob, &forged, &plain,
	    &info, &err), CY_E_SIGNATURE);
	expect_error(&err, "does not decrypt");
	cy_buf_free(&plain);
	cy_buf_free(&forged);

	cy_wipe(text.data, text.len);
	cy_buf_free(&text);
	cy_buf_free(&text2);
	cy_header_free(&h);
	cy_header_free(&h2);
	cy_buf_free(&out);
	cy_buf_free(&out2);
	cy_buf_free(&file);
	cy_buf_free(&other);
}

/* A registry-held document: the same copies as release-pq stanzas under
 * fresh R values, checked by the registry without a key. */
static void
test_registry_held(void **state)
{
	struct world *w = *state;
	uint8_t r[2][CY_RELEASE_SECRET_LEN], newr[CY_RELEASE_SECRET_LEN];
	char doc_id[CY_RELEASE_ID_SIZE], copy_ids[2][CY_RELEASE_ID_SIZE];
	cy_identity *x = NULL, *rel = NULL, *reg = NULL, *pq = NULL;
	cy_buf file, out, other, out2, sealed = CY_BUF_INIT, plain;
	cy_doc_resealing *rs = NULL, *rs2 = NULL;
	const cy_doc_reseal *rec;
	const uint8_t *label, *text;
	cy_doc_upload *u = NULL;
	cy_doc_open_params op;
	cy_doc_info info;
	cy_chain *reader;
	cy_source src;
	cy_error err;
	size_t label_len, len;
	int in, fd;

	assert_int_equal(cy_release_id_new(doc_id, &err), 0);
	file = seal_as(w, "5/RESEAL", doc_id, r, copy_ids);
	/* Alice, with R released to her. */
	assert_int_equal(cy_identity_from_key(w->alice.key, &x, &err), 0);
	assert_int_equal(cy_release_identity(x, doc_id, copy_ids[0], r[0], &rel,
	    &err), 0);
	if (reseal_with(w, &w->alice, rel, &w->alice, &file, &out, &rs,
	    &err) != 0)
		fail_msg("reseal: %s", err.msg);
	assert_string_equal(cy_doc_resealing_copy_id(rs, 1), copy_ids[1]);
	rec = cy_doc_resealing_record(rs);
	text = cy_doc_reseal_bytes(rec, &len);
	label = cy_label_bytes(cy_doc_resealing_label(rs), &label_len);
	/* The registry's check, without any key. */
	assert_int_equal(cy_source_mem(&src, out.data, out.len, &err), 0);
	if (cy_doc_reseal_upload_check(&src, 1 << 24, label, label_len, text,
	    len, &w->trust, PKI_NOW + 150, &u, &err) != 0)
		fail_msg("upload: %s", err.msg);
	assert_string_equal(cy_doc_upload_doc_id(u), doc_id);
	assert_string_equal(cy_doc_upload_copy_id(u, 0), copy_ids[0]);
	assert_non_null(cy_doc_upload_reseal(u));
	cy_doc_upload_free(u);
	/* The plain upload check refuses it (a reseal stanza is no copy). */
	assert_int_not_equal(cy_doc_upload_check(&src, 1 << 24, label,
	    label_len, &w->trust, &u, &err), 0);
	/* Another document's record: refused. */
	{
		uint8_t r2[2][CY_RELEASE_SECRET_LEN];
		char c2[2][CY_RELEASE_ID_SIZE];
		char d2[CY_RELEASE_ID_SIZE];
		cy_identity *rel2 = NULL;
		const uint8_t *t2;
		size_t l2;

		assert_int_equal(cy_release_id_new(d2, &err), 0);
		other = seal_as(w, "6/RESEAL", d2, r2, c2);
		assert_int_equal(cy_release_identity(x, d2, c2[0], r2[0], &rel2,
		    &err), 0);
		if (reseal_with(w, &w->alice, rel2, &w->alice, &other, &out2,
		    &rs2, &err) != 0)
			fail_msg("reseal: %s", err.msg);
		t2 = cy_doc_reseal_bytes(cy_doc_resealing_record(rs2), &l2);
		/* Same shape: only the binding tells them apart. */
		assert_int_equal(l2, len);
		assert_int_equal(cy_doc_reseal_upload_check(&src, 1 << 24,
		    label, label_len, t2, l2, &w->trust, PKI_NOW + 150, &u,
		    &err), CY_E_SIGNATURE);
		expect_error(&err, "another document's");
		cy_identity_free(rel2);
	}
	/* Alice re-keyed opens her copy with its new R and her hybrid key. */
	assert_int_equal(cy_identity_generate(&reg, &err), 0);
	assert_int_equal(cy_doc_resealing_release_seal(rs, 0, reg->pub, &sealed,
	    &err), 0);
	assert_int_equal(cy_release_secret_open(sealed.data, sealed.len, reg,
	    doc_id, copy_ids[0], newr, &err), 0);
	assert_memory_not_equal(newr, r[0], CY_RELEASE_SECRET_LEN);
	assert_int_equal(cy_identity_from_key_pq(w->alice2.key, &pq, &err), 0);
	cy_identity_free(rel);
	assert_int_equal(cy_release_pq_identity(pq, doc_id, copy_ids[0], newr,
	    &rel, &err), 0);
	reader = pki_chain(&w->alice2);
	memset(&op, 0, sizeof(op));
	op.identities = &rel;
	op.nidentities = 1;
	op.trust = &w->trust;
	op.reader = reader;
	op.now = PKI_NOW + 200;
	in = temp_fd(out.data, out.len);
	fd = temp_fd(NULL, 0);
	if (cy_doc_open_fd(in, fd, &op, &info, &err) != 0)
		fail_msg("open: %s", err.msg);
	plain = pki_read_fd(fd);
	assert_int_equal(plain.len, sizeof(w->plain));
	assert_memory_equal(plain.data, w->plain, plain.len);
	cy_doc_info_free(&info);
	cy_buf_free(&plain);
	close(in);
	close(fd);
	/* The old R with the old key no longer opens anything. */
	cy_identity_free(rel);
	assert_int_equal(cy_release_identity(x, doc_id, copy_ids[0], r[0], &rel,
	    &err), 0);
	op.reader = NULL;
	in = temp_fd(out.data, out.len);
	fd = temp_fd(NULL, 0);
	assert_int_equal(cy_doc_open_fd(in, fd, &op, &info, &err),
	    CY_E_NO_MATCH);
	close(in);
	close(fd);
	cy_chain_free(reader);
	cy_identity_free(rel);
	cy_identity_free(pq);
	cy_identity_free(reg);
	cy_identity_free(x);
	cy_buf_free(&sealed);
	cy_doc_resealing_free(rs);
	cy_doc_resealing_free(rs2);
	cy_buf_free(&out);
	cy_buf_free(&out2);
	cy_buf_free(&other);
	cy_buf_free(&file);
}

static void
test_record_parse(void **state)
{
	static const char bad[] = "version: coyeu.v1/reseal\n"
	    "label-sha256: 00\n";
	cy_doc_reseal *rs = NULL;
	cy_error err;

	assert_int_equal(cy_doc_reseal_parse((const uint8_t *)bad,
	    strlen(bad), &rs, &err), CY_E_FORMAT);
	assert_null(rs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_forged_records),
		cmocka_unit_test(test_registry_held),
		cmocka_unit_test(test_record_parse),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
