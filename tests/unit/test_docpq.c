/* Post-quantum classified documents (docs/format.md, *Post-quantum
 * sealing*): which stanzas each level gets for hybrid, classical and mixed
 * recipient sets, the refusals, the label's "classical: allowed", the
 * reader's hybrid key check, and release-pq copies through
 * cy_doc_seal_prepare, cy_doc_open_fd and cy_doc_upload_check. */
#include "pki.h"

#include <unistd.h>

#include "coyeu/age.h"
#include "coyeu/document.h"
#include "coyeu/header.h"
#include "coyeu/label.h"
#include "coyeu/release.h"
#include "coyeu/secret.h"
#include "coyeu/source.h"
#include "age/recipient.h"
#include "doc/docseal.h"

struct world {
	struct pki_holder root, sealer;
	struct pki_holder alice, bob;      /* certified hybrid keys */
	struct pki_holder carol, dave;     /* classical certificates */
	struct pki_holder erin;            /* classical certificate, hybrid key
	                                    * (erin_pq) not certified */
	cy_idkey *erin_pq;
	cy_trust trust;
	uint8_t plain[70000];
};

static struct pki_holder
officer(const struct pki_holder *root, const char *name, int pq)
{
	cy_idkey *k = NULL;
	cy_error err;

	if (pq)
		assert_int_equal(cy_idkey_generate_pq(&k, &err), 0);
	else
		assert_int_equal(cy_idkey_generate(&k, &err), 0);
	return pki_issue_key(root, name, "vn/hcm/b", CY_ROLE_OFFICER,
	    CY_LEVEL_TUYET_MAT, NULL, k);
}

static int
setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	cy_error err;

	assert_int_equal(cy_init(), 0);
	w->root = pki_issue(NULL, "Ban Cơ yếu", "vn", CY_ROLE_AUTHORITY,
	    CY_LEVEL_TUYET_MAT, NULL);
	w->sealer = officer(&w->root, "Người gửi", 1);
	w->alice = officer(&w->root, "Alice", 1);
	w->bob = officer(&w->root, "Bob", 1);
	w->carol = officer(&w->root, "Carol", 0);
	w->dave = officer(&w->root, "Dave", 0);
	w->erin = officer(&w->root, "Erin", 0);
	assert_int_equal(cy_idkey_with_pq(w->erin.key, &w->erin_pq, &err), 0);
	assert_non_null(cy_cert_seal_pq_public(w->alice.cert));
	assert_null(cy_cert_seal_pq_public(w->carol.cert));
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
	pki_holder_free(&w->bob);
	pki_holder_free(&w->carol);
	pki_holder_free(&w->dave);
	pki_holder_free(&w->erin);
	cy_idkey_free(w->erin_pq);
	free(w);
	return 0;
}

static cy_buf
read_back(int fd)
{
	cy_buf b = CY_BUF_INIT;
	uint8_t tmp[65536];
	ssize_t n;

	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	while ((n = read(fd, tmp, sizeof(tmp))) > 0)
		cy_buf_append(&b, tmp, (size_t)n);
	return b;
}

/* What a sealing gave. */
struct sealed {
	cy_buf file;
	cy_buf label;
	int pq;
	char reason[512];
	char doc_id[CY_RELEASE_ID_SIZE];
	cy_buf secrets[2];   /* registry-mediated: R sealed to recipient i */
};

static void
sealed_free(struct sealed *s)
{
	cy_buf_free(&s->file);
	cy_buf_free(&s->label);
	cy_buf_free(&s->secrets[0]);
	cy_buf_free(&s->secrets[1]);
}

struct how {
	int level;
	int allow_classical;
	int pq;          /* cy_doc_seal_params.pq */
	int release;     /* registry-mediated */
};

/* Prepares and seals w->plain to `to`: 0 and *out, or the refusal
 * (*refused: whom). */
static int
seal_doc(struct world *w, const struct how *how,
    const struct pki_holder *const *to, size_t n, struct sealed *out,
    size_t *refused, cy_error *err)
{
	cy_chain *chains[2], *signer = pki_chain(&w->sealer);
	cy_doc_sealing *s = NULL;
	cy_doc_seal_params p;
	const uint8_t *label;
	size_t i, len;
	int r, in, fd;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < n; i++)
		chains[i] = pki_chain(to[i]);
	memset(&p, 0, sizeof(p));
	p.document = "12/PQ";
	p.level = how->level;
	p.now = PKI_NOW;
	p.signer = w->sealer.key;
	p.signer_chain = signer;
	p.recipients = (const cy_chain *const *)chains;
	p.nrecipients = n;
	p.trust = &w->trust;
	p.allow_classical = how->allow_classical;
	p.pq = how->pq;
	if (how->release) {
		assert_int_equal(cy_release_id_new(out->doc_id, err), 0);
		p.release_doc_id = out->doc_id;
	}
	if ((r = cy_doc_seal_prepare(&p, &s, refused, err)) != 0) {
		assert_null(s);
		goto out;
	}
	out->pq = cy_doc_sealing_pq(s);
	if (!out->pq)
		snprintf(out->reason, sizeof(out->reason), "%s",
		    cy_doc_sealing_pq_reason(s));
	else
		assert_null(cy_doc_sealing_pq_reason(s));
	in = temp_fd(w->plain, sizeof(w->plain));
	fd = temp_fd(NULL, 0);
	if (cy_doc_seal_fd(in, fd, s, NULL, err) != 0)
		fail_msg("seal: %s", err->msg);
	out->file = read_back(fd);
	close(in);
	close(fd);
	label = cy_doc_sealing_label(s, &len);
	cy_buf_append(&out->label, label, len);
	for (i = 0; how->release && i < n; i++)
		assert_int_equal(cy_doc_sealing_release_seal(s, i,
		    cy_cert_seal_public(to[i]->cert), &out->secrets[i], err), 0);
out:
	cy_doc_sealing_free(s);
	for (i = 0; i < n; i++)
		cy_chain_free(chains[i]);
	cy_chain_free(signer);
	return r;
}

/* The type of every recipient stanza must be `type`. */
static void
expect_stanzas(const cy_buf *file, size_t n, const char *type)
{
	cy_header h;
	size_t used, i;
	cy_error err;

	memset(&h, 0, sizeof(h));
	assert_int_equal(cy_header_parse(file->data, file->len, &h, &used,
	    &err), 0);
	assert_int_equal(h.nstanzas, n + 1);
	for (i = 0; i < n; i++)
		assert_string_equal(h.stanzas[i].type, type);
	assert_string_equal(h.stanzas[n].type, CY_LABEL_STANZA);
	cy_header_free(&h);
}

/* Opens file as `who`, with its key's X25519 identity and (with_pq and
 * when the key has one) its hybrid identity, the reader's chain
 * (reader_chain: who's own, or NULL for none) checked; release copies
 * open with copy i's secret. */
static int
open_as(struct world *w, const struct pki_holder *who, const cy_idkey *key,
    int with_pq, const struct sealed *s, long copy, cy_doc_info *info,
    cy_error *err)
{
	cy_identity *ids[3] = {NULL, NULL, NULL}, *rel = NULL;
	cy_chain *reader = pki_chain(who);
	cy_doc_open_params p;
	cy_buf plain = CY_BUF_INIT;
	size_t n = 0;
	int in, out, r;
	char copy_id[CY_RELEASE_ID_SIZE];
	cy_header h;
	size_t used;

	if (key == NULL)
		key = who->key;
	assert_int_equal(cy_identity_from_key(key, &ids[n++], err), 0);
	if (with_pq && cy_key_pq_public(key) != NULL)
		assert_int_equal(cy_identity_from_key_pq(key, &ids[n++], err), 0);
	if (copy >= 0) {
		memset(&h, 0, sizeof(h));
		assert_int_equal(cy_header_parse(s->file.data, s->file.len, &h,
		    &used, err), 0);
		snprintf(copy_id, sizeof(copy_id), "%s",
		    h.stanzas[copy].args[1]);
		cy_header_free(&h);
		r = n > 1 ? cy_release_identity_sealed_pq(ids[0], ids[1],
		    s->doc_id, copy_id, s->secrets[copy].data,
		    s->secrets[copy].len, &rel, err) :
		    cy_release_identity_sealed(ids[0], s->doc_id, copy_id,
		    s->secrets[copy].data, s->secrets[copy].len, &rel, err);
		if (r != 0)
			goto out;
		ids[n++] = rel;
	}
	memset(&p, 0, sizeof(p));
	p.identities = copy >= 0 ? &ids[n - 1] : ids;
	p.nidentities = copy >= 0 ? 1 : n;
	p.trust = &w->trust;
	p.reader = reader;
	p.now = PKI_NOW + 10;
	in = temp_fd(s->file.data, s->file.len);
	out = temp_fd(NULL, 0);
	r = cy_doc_open_fd(in, out, &p, info, err);
	if (r == 0) {
		plain = read_back(out);
		assert_int_equal(plain.len, sizeof(w->plain));
		assert_memory_equal(plain.data, w->plain, sizeof(w->plain));
	}
	cy_buf_free(&plain);
	close(in);
	close(out);
out:
	while (n > 0)
		cy_identity_free(ids[--n]);
	cy_chain_free(reader);
	return r;
}

static void
expect_opens(struct world *w, const struct pki_holder *who,
    const struct sealed *s, long copy, int pq, int recorded)
{
	cy_doc_info info;
	cy_error err;

	if (open_as(w, who, NULL, 1, s, copy, &info, &err) != 0)
		fail_msg("open as %s: %s", cy_cert_name(who->cert), err.msg);
	assert_int_equal(info.post_quantum, pq);
	assert_non_null(info.reader);
	assert_int_equal(cy_label_classical_allowed(info.label), recorded);
	cy_doc_info_free(&info);
}

#define REFUSE_TUYET_MAT(name, serial) "recipient " name " (serial " \
	serial ") has no post-quantum sealing key: TUYỆT MẬT is sealed " \
	"post-quantum; have the officer re-keyed (coyeu id add-pq, cert " \
	"challenge/prove/issue) or seal with --allow-classical"

/* Every level with hybrid, classical and mixed recipients. */
static void
test_levels(void **state)
{
	struct world *w = *state;
	const struct pki_holder *hybrid[2] = {&w->alice, &w->bob};
	const struct pki_holder *classical[2] = {&w->carol, &w->dave};
	const struct pki_holder *mixed[2] = {&w->alice, &w->carol};
	static const int levels[3] = {CY_LEVEL_MAT, CY_LEVEL_TOI_MAT,
	    CY_LEVEL_TUYET_MAT};
	char want[512];
	struct sealed s;
	struct how how;
	size_t who, i;
	cy_error err;

	for (i = 0; i < 3; i++) {
		memset(&how, 0, sizeof(how));
		how.level = levels[i];
		/* Hybrid: post-quantum at every level. */
		assert_int_equal(seal_doc(w, &how, hybrid, 2, &s, &who, &err), 0);
		assert_true(s.pq);
		expect_stanzas(&s.file, 2, "mlkem768x25519");
		expect_opens(w, &w->alice, &s, -1, 1, 0);
		expect_opens(w, &w->bob, &s, -1, 1, 0);
		sealed_free(&s);

		/* Classical and mixed: classical below TUYỆT MẬT, refused at
		 * TUYỆT MẬT naming the first recipient without a key. */
		if (levels[i] != CY_LEVEL_TUYET_MAT) {
			assert_int_equal(seal_doc(w, &how, classical, 2, &s, &who,
			    &err), 0);
			assert_false(s.pq);
			snprintf(want, sizeof(want), "recipient Carol (serial %s) "
			    "and 1 other have no post-quantum sealing key",
			    cy_cert_serial(w->carol.cert));
			assert_string_equal(s.reason, want);
			expect_stanzas(&s.file, 2, "X25519");
			expect_opens(w, &w->dave, &s, -1, 0, 0);
			sealed_free(&s);

			assert_int_equal(seal_doc(w, &how, mixed, 2, &s, &who,
			    &err), 0);
			assert_false(s.pq);
			snprintf(want, sizeof(want), "recipient Carol (serial %s) "
			    "has no post-quantum sealing key",
			    cy_cert_serial(w->carol.cert));
			assert_string_equal(s.reason, want);
			expect_stanzas(&s.file, 2, "X25519");
			/* Alice's hybrid identity is offered and not needed. */
			expect_opens(w, &w->alice, &s, -1, 0, 0);
			sealed_free(&s);
			continue;
		}
		assert_int_equal(seal_doc(w, &how, classical, 2, &s, &who, &err),
		    CY_E_POLICY);
		assert_int_equal(who, 0);
		snprintf(want, sizeof(want), REFUSE_TUYET_MAT("Carol", "%s"),
		    cy_cert_serial(w->carol.cert));
		assert_string_equal(err.msg, want);
		assert_int_equal(seal_doc(w, &how, mixed, 2, &s, &who, &err),
		    CY_E_POLICY);
		assert_int_equal(who, 1);
		assert_string_equal(err.msg, want);

		/* --allow-classical: classical, recorded in the label. */
		how.allow_classical = 1;
		assert_int_equal(seal_doc(w, &how, mixed, 2, &s, &who, &err), 0);
		assert_false(s.pq);
		expect_stanzas(&s.file, 2, "X25519");
		assert_non_null(strstr((const char *)s.label.data,
		    "\nclassical: allowed\n"));
		expect_opens(w, &w->carol, &s, -1, 0, 1);
		expect_opens(w, &w->alice, &s, -1, 0, 1);
		sealed_free(&s);
		/* ... which does not make an all-hybrid set classical. */
		assert_int_equal(seal_doc(w, &how, hybrid, 2, &s, &who, &err), 0);
		assert_true(s.pq);
		assert_null(strstr((const char *)s.label.data, "classical:"));
		sealed_free(&s);
	}
}

/* CY_DOC_PQ_NEVER: classical where allowed. */
static void
test_pq_never(void **state)
{
	struct world *w = *state;
	const struct pki_holder *hybrid[2] = {&w->alice, &w->bob};
	struct how how = {CY_LEVEL_TOI_MAT, 0, CY_DOC_PQ_NEVER, 0};
	struct sealed s;
	size_t who;
	cy_error err;

	assert_int_equal(seal_doc(w, &how, hybrid, 2, &s, &who, &err), 0);
	assert_false(s.pq);
	assert_string_equal(s.reason, "classical sealing was asked for");
	expect_stanzas(&s.file, 2, "X25519");
	expect_opens(w, &w->bob, &s, -1, 0, 0);
	sealed_free(&s);

	how.level = CY_LEVEL_TUYET_MAT;
	assert_int_equal(seal_doc(w, &how, hybrid, 2, &s, &who, &err),
	    CY_E_USAGE);
	assert_int_equal(who, CY_DOC_REFUSED_SEALER);
	assert_string_equal(err.msg, "TUYỆT MẬT is sealed post-quantum: "
	    "sealing it classically needs --allow-classical (allow_classical)");
	how.allow_classical = 1;
	assert_int_equal(seal_doc(w, &how, hybrid, 2, &s, &who, &err), 0);
	assert_false(s.pq);
	expect_opens(w, &w->bob, &s, -1, 0, 1);
	sealed_free(&s);
}

/* A raw seal (no policy) of w->plain naming alice and bob: stanza i to
 * x25519 key i, hybrid when pq[i] is not NULL. */
static cy_buf
forge_as(struct world *w, int level, int classical_allowed,
    const uint8_t *const pq[2], const struct pki_holder *const to[2],
    int release, cy_buf *label)
{
	static const char copy_ids[2][CY_RELEASE_ID_SIZE] = {
		"a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0",
		"b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1",
	};
	uint8_t secrets[2][CY_RELEASE_SECRET_LEN];
	const char *serials[2] = {cy_cert_serial(to[0]->cert),
	    cy_cert_serial(to[1]->cert)};
	uint8_t keys[2][CY_X25519_KEY_LEN];
	struct cy_doc_raw_seal p;
	cy_error err;
	cy_buf out;
	int in, fd;

	memcpy(keys[0], cy_cert_seal_public(to[0]->cert), 32);
	memcpy(keys[1], cy_cert_seal_public(to[1]->cert), 32);
	memset(&p, 0, sizeof(p));
	p.label.document = "13/FORGED";
	p.label.level = level;
	p.label.unit = cy_cert_unit(w->sealer.cert);
	p.label.created = PKI_NOW;
	p.label.protect_until = cy_level_protect_limit(level, PKI_NOW);
	p.label.recipients = serials;
	p.label.nrecipients = 2;
	p.label.compartments = "";
	p.label.classical_allowed = classical_allowed;
	p.label.signer_chain = w->sealer.chain.data;
	p.label.signer_chain_len = w->sealer.chain.len;
	p.signer = w->sealer.key;
	p.seal_keys = (const uint8_t (*)[CY_X25519_KEY_LEN])keys;
	p.seal_pq_keys = pq;
	if (release) {
		randombytes_buf(secrets, sizeof(secrets));
		p.release_doc_id = "00112233445566778899aabbccddeeff";
		p.copy_ids = copy_ids;
		p.release_secrets =
		    (const uint8_t (*)[CY_RELEASE_SECRET_LEN])secrets;
	}
	p.label_out = label;
	in = temp_fd(w->plain, sizeof(w->plain));
	fd = temp_fd(NULL, 0);
	if (cy_doc_seal_raw_fd(in, fd, &p, &err) != 0)
		fail_msg("forge: %s", err.msg);
	out = read_back(fd);
	close(in);
	close(fd);
	return out;
}

static cy_buf
forge(struct world *w, int level, int classical_allowed,
    const uint8_t *const pq[2], const struct pki_holder *const to[2])
{
	return forge_as(w, level, classical_allowed, pq, to, 0, NULL);
}

static void
expect_refused(struct world *w, const struct pki_holder *who,
    const cy_idkey *key, const cy_buf *file, int code, const char *msg)
{
	struct sealed s;
	cy_doc_info info;
	cy_error err;

	memset(&s, 0, sizeof(s));
	s.file = *file;
	assert_int_equal(open_as(w, who, key, 1, &s, -1, &info, &err), code);
	if (strstr(err.msg, msg) == NULL)
		fail_msg("'%s' lacks '%s'", err.msg, msg);
}

/* What opening refuses: a mix, a classical TUYỆT MẬT the label does not
 * allow, a hybrid stanza to a key the reader's chain does not certify. */
static void
test_open_refusals(void **state)
{
	struct world *w = *state;
	const struct pki_holder *ab[2] = {&w->alice, &w->bob};
	const struct pki_holder *ae[2] = {&w->alice, &w->erin};
	const uint8_t *none[2] = {NULL, NULL};
	const uint8_t *one[2] = {NULL, cy_cert_seal_pq_public(w->bob.cert)};
	const uint8_t *uncert[2] = {cy_cert_seal_pq_public(w->alice.cert),
	    cy_idkey_pq_public(w->erin_pq)};
	cy_buf f;
	cy_error err;

	/* Alice's X25519 stanza, Bob's hybrid one. */
	f = forge(w, CY_LEVEL_TOI_MAT, 0, one, ab);
	expect_refused(w, &w->alice, NULL, &f, CY_E_POLICY, "the header mixes "
	    "1 X25519 and 1 mlkem768x25519 stanzas: a classified document is "
	    "sealed all post-quantum or all classical, never both");
	cy_buf_free(&f);

	/* TUYỆT MẬT classical without the sealer's record. */
	f = forge(w, CY_LEVEL_TUYET_MAT, 0, none, ab);
	expect_refused(w, &w->alice, NULL, &f, CY_E_POLICY, "TUYỆT MẬT "
	    "document sealed classically without the sealer's "
	    "--allow-classical");
	cy_buf_free(&f);
	/* With it, it opens. */
	f = forge(w, CY_LEVEL_TUYET_MAT, 1, none, ab);
	{
		struct sealed s;
		cy_doc_info info;

		memset(&s, 0, sizeof(s));
		s.file = f;
		assert_int_equal(open_as(w, &w->alice, NULL, 1, &s, -1, &info,
		    &err), 0);
		assert_true(cy_label_classical_allowed(info.label));
		cy_doc_info_free(&info);
	}
	cy_buf_free(&f);

	/* Erin's stanza is to a hybrid key her certificate does not carry:
	 * her key opens it, her chain refuses it. */
	f = forge(w, CY_LEVEL_TOI_MAT, 0, uncert, ae);
	expect_refused(w, &w->erin, w->erin_pq, &f, CY_E_POLICY, "reader: no "
	    "stanza yields the file key to the key of the reader's certificate "
	    "(serial ");
	expect_refused(w, &w->erin, w->erin_pq, &f, CY_E_POLICY, ": the file "
	    "is post-quantum and the certificate has no seal-pq-key");
	/* Without the hybrid identity, nothing opens. */
	{
		struct sealed s;
		cy_doc_info info;

		memset(&s, 0, sizeof(s));
		s.file = f;
		assert_int_equal(open_as(w, &w->alice, NULL, 0, &s, -1, &info,
		    &err), CY_E_NO_MATCH);
	}
	cy_buf_free(&f);
}

/* Registry-mediated: release-pq copies, each opening with its own
 * secret; the registry's upload check accepts them, and refuses an
 * unrecorded classical TUYỆT MẬT. */
static void
test_release_pq(void **state)
{
	struct world *w = *state;
	const struct pki_holder *hybrid[2] = {&w->alice, &w->bob};
	const struct pki_holder *mixed[2] = {&w->alice, &w->carol};
	struct how how = {CY_LEVEL_TOI_MAT, 0, 0, 1};
	cy_doc_upload *u = NULL;
	struct sealed s;
	cy_source src;
	cy_error err;
	size_t who;

	assert_int_equal(seal_doc(w, &how, hybrid, 2, &s, &who, &err), 0);
	assert_true(s.pq);
	expect_stanzas(&s.file, 2, CY_RELEASE_PQ_STANZA);
	expect_opens(w, &w->alice, &s, 0, 1, 0);
	expect_opens(w, &w->bob, &s, 1, 1, 0);
	assert_int_equal(cy_source_mem(&src, s.file.data, s.file.len, &err), 0);
	if (cy_doc_upload_check(&src, 1 << 20, s.label.data, s.label.len,
	    &w->trust, &u, &err) != 0)
		fail_msg("upload: %s", err.msg);
	assert_string_equal(cy_doc_upload_doc_id(u), s.doc_id);
	cy_doc_upload_free(u);
	/* Bob's copy's secret is sealed to Bob: Alice cannot take it. */
	{
		cy_doc_info info;

		assert_int_equal(open_as(w, &w->alice, NULL, 1, &s, 1, &info,
		    &err), CY_E_NO_MATCH);
	}
	sealed_free(&s);

	/* Mixed at TỐI MẬT: classical release stanzas. */
	assert_int_equal(seal_doc(w, &how, mixed, 2, &s, &who, &err), 0);
	assert_false(s.pq);
	expect_stanzas(&s.file, 2, CY_RELEASE_STANZA);
	expect_opens(w, &w->carol, &s, 1, 0, 0);
	sealed_free(&s);

	/* Forged registry files: a mix of release and release-pq, and a
	 * classical TUYỆT MẬT whose label does not allow it. */
	{
		const uint8_t *one[2] = {NULL, cy_cert_seal_pq_public(w->bob.cert)};
		const uint8_t *none[2] = {NULL, NULL};
		cy_buf f, l = CY_BUF_INIT;

		f = forge_as(w, CY_LEVEL_TOI_MAT, 0, one, hybrid, 1, &l);
		assert_int_equal(cy_source_mem(&src, f.data, f.len, &err), 0);
		assert_int_equal(cy_doc_upload_check(&src, 1 << 20, l.data, l.len,
		    &w->trust, &u, &err), CY_E_POLICY);
		assert_string_equal(err.msg, "the header mixes 1 coyeu.v1/release "
		    "and 1 coyeu.v1/release-pq stanzas: a classified document is "
		    "sealed all post-quantum or all classical, never both");
		cy_buf_free(&f);
		cy_buf_free(&l);
		f = forge_as(w, CY_LEVEL_TUYET_MAT, 0, none, hybrid, 1, &l);
		assert_int_equal(cy_source_mem(&src, f.data, f.len, &err), 0);
		assert_int_equal(cy_doc_upload_check(&src, 1 << 20, l.data, l.len,
		    &w->trust, &u, &err), CY_E_POLICY);
		assert_string_equal(err.msg, "TUYỆT MẬT document sealed "
		    "classically without the sealer's --allow-classical");
		assert_null(u);
		cy_buf_free(&f);
		cy_buf_free(&l);
	}

	/* TUYỆT MẬT mixed with --allow-classical: uploadable, recorded. */
	how.level = CY_LEVEL_TUYET_MAT;
	how.allow_classical = 1;
	assert_int_equal(seal_doc(w, &how, mixed, 2, &s, &who, &err), 0);
	expect_stanzas(&s.file, 2, CY_RELEASE_STANZA);
	assert_int_equal(cy_source_mem(&src, s.file.data, s.file.len, &err), 0);
	assert_int_equal(cy_doc_upload_check(&src, 1 << 20, s.label.data,
	    s.label.len, &w->trust, &u, &err), 0);
	cy_doc_upload_free(u);
	sealed_free(&s);
}

/* The label field: TUYỆT MẬT only, exactly "allowed". */
static void
test_label_field(void **state)
{
	struct world *w = *state;
	const char *serial = cy_cert_serial(w->alice.cert);
	static const uint8_t zero[32];
	cy_label_params p;
	cy_label *l = NULL;
	cy_buf text = CY_BUF_INIT, bad = CY_BUF_INIT;
	const char *at;
	cy_error err;

	memset(&p, 0, sizeof(p));
	p.document = "1/L";
	p.level = CY_LEVEL_TOI_MAT;
	p.unit = "vn/hcm/b";
	p.created = PKI_NOW;
	p.protect_until = PKI_NOW + PKI_YEAR;
	p.recipients = &serial;
	p.nrecipients = 1;
	p.compartments = "";
	p.signer_chain = w->sealer.chain.data;
	p.signer_chain_len = w->sealer.chain.len;
	p.classical_allowed = 1;
	assert_int_equal(cy_label_build(&p, zero, zero, w->sealer.key, &text,
	    &err), CY_E_USAGE);
	assert_string_equal(err.msg, "only a TUYỆT MẬT label records classical "
	    "sealing (classical: allowed)");
	p.level = CY_LEVEL_TUYET_MAT;
	assert_int_equal(cy_label_build(&p, zero, zero, w->sealer.key, &text,
	    &err), 0);
	assert_int_equal(cy_label_parse(text.data, text.len, &l, &err), 0);
	assert_true(cy_label_classical_allowed(l));
	cy_label_free(l);
	/* Another value, and the field on a lower level, do not parse. */
	at = strstr((const char *)text.data, "classical: allowed");
	assert_non_null(at);
	cy_buf_append(&bad, text.data, (size_t)(at - (const char *)text.data));
	cy_buf_append(&bad, "classical: maybe", 16);
	cy_buf_append(&bad, at + 18, text.len - (size_t)(at + 18 -
	    (const char *)text.data));
	assert_int_equal(cy_label_parse(bad.data, bad.len, &l, &err),
	    CY_E_FORMAT);
	assert_string_equal(err.msg, "label: unknown classical (only "
	    "\"allowed\")");
	cy_buf_free(&bad);
	at = strstr((const char *)text.data, "level: tuyet-mat");
	cy_buf_append(&bad, text.data, (size_t)(at - (const char *)text.data));
	cy_buf_append(&bad, "level: toi-mat", 14);
	cy_buf_append(&bad, at + 16, text.len - (size_t)(at + 16 -
	    (const char *)text.data));
	assert_int_equal(cy_label_parse(bad.data, bad.len, &l, &err),
	    CY_E_FORMAT);
	assert_string_equal(err.msg, "label: classical: allowed on a TỐI MẬT "
	    "label (only TUYỆT MẬT records it)");
	cy_buf_free(&bad);
	cy_buf_free(&text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_pq_never),
		cmocka_unit_test(test_open_refusals),
		cmocka_unit_test(test_release_pq),
		cmocka_unit_test(test_label_field),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
