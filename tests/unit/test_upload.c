/* The registry's check of an uploaded document (cy_doc_upload_check): a
 * good upload and its values, then each thing a sender, or anyone
 * between the sender and the registry, could get wrong or forge. */
#include "pki.h"

#include <fcntl.h>
#include <unistd.h>

#include "base/crypto.h"
#include "coyeu/document.h"
#include "coyeu/header.h"
#include "coyeu/label.h"
#include "coyeu/release.h"
#include "coyeu/secret.h"
#include "coyeu/source.h"

#define MAX_SIZE ((uint64_t)1 << 30)

struct world {
	struct pki_holder root, sealer, alice, bob, carol, elsewhere;
	struct pki_holder other_root, other_sealer;
	cy_trust trust;
	uint8_t plain[3 * 65536 + 123];
};

/* A sealed file, its clear label, and what the sealing chose. */
struct sealed {
	cy_buf file, label;
	char doc_id[CY_RELEASE_ID_SIZE];
	char copy_ids[2][CY_RELEASE_ID_SIZE];
	uint8_t r[2][CY_RELEASE_SECRET_LEN];
	size_t ncopies;
};

static int
setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	assert_int_equal(cy_init(), 0);
	w->root = pki_issue(NULL, "Ban Cơ yếu", "vn", CY_ROLE_AUTHORITY,
	    CY_LEVEL_TUYET_MAT, "x");
	w->sealer = pki_issue(&w->root, "Người gửi", "vn/hcm/a",
	    CY_ROLE_OFFICER, CY_LEVEL_TOI_MAT, "x");
	w->alice = pki_issue(&w->root, "Alice", "vn/hcm/b", CY_ROLE_OFFICER,
	    CY_LEVEL_TOI_MAT, NULL);
	w->bob = pki_issue(&w->root, "Bob", "vn/hcm/b", CY_ROLE_OFFICER,
	    CY_LEVEL_TUYET_MAT, "x");
	w->carol = pki_issue(&w->root, "Carol", "vn/hcm/a", CY_ROLE_OFFICER,
	    CY_LEVEL_MAT, NULL);
	/* The sealer's twin (same name, clearance, compartments) in another
	 * unit: its labels have the sealer's labels' length. */
	w->elsewhere = pki_issue(&w->root, "Người gửi", "vn/hcm/b",
	    CY_ROLE_OFFICER, CY_LEVEL_TOI_MAT, "x");
	w->other_root = pki_issue(NULL, "Giả mạo", "vn", CY_ROLE_AUTHORITY,
	    CY_LEVEL_TUYET_MAT, "x");
	w->other_sealer = pki_issue(&w->other_root, "Người gửi", "vn/hcm/a",
	    CY_ROLE_OFFICER, CY_LEVEL_TOI_MAT, "x");
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
	pki_holder_free(&w->elsewhere);
	pki_holder_free(&w->other_root);
	pki_holder_free(&w->other_sealer);
	free(w);
	return 0;
}

static void
sealed_free(struct sealed *s)
{
	cy_buf_free(&s->file);
	cy_buf_free(&s->label);
}

/* Seals plain (TỐI MẬT) to alice and bob, or alice alone, through the
 * public API: release stanzas when `release`, else X25519 stanzas. */
static struct sealed
seal_doc(struct world *w, const uint8_t *plain, size_t len, int release,
    size_t nrcpt)
{
	cy_chain *chains[2] = {pki_chain(&w->alice), pki_chain(&w->bob)};
	cy_chain *signer = pki_chain(&w->sealer);
	cy_doc_seal_params p;
	cy_doc_sealing *s = NULL;
	struct sealed out;
	const uint8_t *label;
	uint8_t *data;
	size_t i, llen, dlen;
	cy_error err;
	int in, fd;

	memset(&out, 0, sizeof(out));
	memset(&p, 0, sizeof(p));
	if (release)
		assert_int_equal(cy_release_id_new(out.doc_id, &err), 0);
	p.document = "123/UBND-VP";
	p.level = CY_LEVEL_TOI_MAT;
	p.now = PKI_NOW;
	p.signer = w->sealer.key;
	p.signer_chain = signer;
	p.recipients = (const cy_chain *const *)chains;
	p.nrecipients = nrcpt;
	p.trust = &w->trust;
	p.release_doc_id = release ? out.doc_id : NULL;
	if (cy_doc_seal_prepare(&p, &s, NULL, &err) != 0)
		fail_msg("prepare: %s", err.msg);
	in = temp_fd(plain, len);
	fd = temp_fd(NULL, 0);
	if (cy_doc_seal_fd(in, fd, s, NULL, &err) != 0)
		fail_msg("seal: %s", err.msg);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(cy_fd_read_all(fd, 1 << 24, &data, &dlen, &err), 0);
	cy_buf_append(&out.file, data, dlen);
	free(data);
	assert_non_null(label = cy_doc_sealing_label(s, &llen));
	cy_buf_append(&out.label, label, llen);
	out.ncopies = nrcpt;
	for (i = 0; release && i < nrcpt; i++) {
		strcpy(out.copy_ids[i], cy_doc_sealing_copy_id(s, i));
		memcpy(out.r[i], cy_doc_sealing_release_secret(s, i),
		    CY_RELEASE_SECRET_LEN);
	}
	cy_doc_sealing_free(s);
	close(in);
	close(fd);
	cy_chain_free(chains[0]);
	cy_chain_free(chains[1]);
	cy_chain_free(signer);
	return out;
}

static struct sealed
seal_release(struct world *w)
{
	return seal_doc(w, w->plain, sizeof(w->plain), 1, 2);
}

static int
check(struct world *w, const cy_buf *file, const cy_buf *label,
    uint64_t max, cy_doc_upload **u, cy_error *err)
{
	cy_source src;

	assert_int_equal(cy_source_mem(&src, file->data, file->len, err), 0);
	return cy_doc_upload_check(&src, max, label->data, label->len,
	    &w->trust, u, err);
}

static void
expect_refused(struct world *w, const cy_buf *file, const cy_buf *label,
    uint64_t max, int code, const char *msg)
{
	cy_doc_upload *u = (cy_doc_upload *)&u;
	cy_error err;
	int r = check(w, file, label, max, &u, &err);

	if (r != code)
		fail_msg("status %d, not %d: %s", r, code, r ? err.msg : "");
	assert_null(u);
	expect_error(&err, msg);
}

/* A passing upload, and what it says. */
static void
expect_good(struct world *w, const struct sealed *s)
{
	uint8_t digest[CY_SHA256_LEN];
	cy_doc_upload *u = NULL;
	const cy_label *l;
	cy_error err;
	size_t i;

	if (check(w, &s->file, &s->label, MAX_SIZE, &u, &err) != 0)
		fail_msg("upload check: %s", err.msg);
	l = cy_doc_upload_label(u);
	assert_string_equal(cy_label_document(l), "123/UBND-VP");
	assert_int_equal(cy_label_recipient_count(l), s->ncopies);
	assert_string_equal(cy_cert_serial(cy_doc_upload_signer(u)),
	    cy_cert_serial(w->sealer.cert));
	assert_string_equal(cy_doc_upload_doc_id(u), s->doc_id);
	for (i = 0; i < s->ncopies; i++)
		assert_string_equal(cy_doc_upload_copy_id(u, i), s->copy_ids[i]);
	assert_null(cy_doc_upload_copy_id(u, s->ncopies));
	cy_sha256_digest(s->label.data, s->label.len, digest);
	assert_memory_equal(cy_doc_upload_label_sha256(u), digest, 32);
	cy_sha256_digest(s->file.data, s->file.len, digest);
	assert_memory_equal(cy_doc_upload_sealed_sha256(u), digest, 32);
	cy_doc_upload_free(u);
}

/* --- header surgery --- */

static size_t
header_stanzas(const cy_buf *file, cy_header *h)
{
	size_t used;
	cy_error err;

	if (cy_header_parse(file->data, file->len, h, &used, &err) != 0)
		fail_msg("header: %s", err.msg);
	return used;
}

/* Stanza i's text (its line and body) in file. */
static cy_buf
stanza_text(const cy_buf *file, size_t i)
{
	cy_buf out = CY_BUF_INIT;
	cy_header h;

	header_stanzas(file, &h);
	assert_true(i < h.nstanzas);
	cy_buf_append(&out, file->data + h.stanzas[i].raw_off,
	    h.stanzas[i].raw_len);
	cy_header_free(&h);
	return out;
}

/* file with its stanzas replaced by these texts, in this order (the MAC
 * line, nonce and payload kept: the registry has no key to check the MAC
 * with). */
static cy_buf
with_stanzas(const cy_buf *file, const cy_buf *texts, size_t n)
{
	cy_buf out = CY_BUF_INIT;
	cy_header h;
	size_t i, mac_line;

	header_stanzas(file, &h);
	mac_line = h.raw.len - 3; /* raw ends with "---" */
	cy_header_free(&h);
	cy_buf_append(&out, CY_HEADER_VERSION_LINE,
	    strlen(CY_HEADER_VERSION_LINE));
	for (i = 0; i < n; i++)
		cy_buf_append(&out, texts[i].data, texts[i].len);
	cy_buf_append(&out, file->data + mac_line, file->len - mac_line);
	return out;
}

static void
bufs_free(cy_buf *b, size_t n)
{
	while (n-- > 0)
		cy_buf_free(&b[n]);
}

/* A label for the same file, stanzas and payload, signed by `by` with
 * its own chain. */
static cy_buf
relabel(const cy_buf *label, const struct pki_holder *by)
{
	const char *serials[CY_LABEL_RECIPIENTS_MAX];
	cy_label_params p;
	cy_buf out = CY_BUF_INIT;
	cy_label *l;
	cy_error err;
	size_t i;

	assert_int_equal(cy_label_parse(label->data, label->len, &l, &err), 0);
	memset(&p, 0, sizeof(p));
	p.document = cy_label_document(l);
	p.level = cy_label_level(l);
	p.unit = cy_label_unit(l);
	p.created = cy_label_created(l);
	p.protect_until = cy_label_protect_until(l);
	p.copy = cy_label_copy(l);
	for (i = 0; i < cy_label_recipient_count(l); i++)
		serials[i] = cy_label_recipient(l, i);
	p.recipients = serials;
	p.nrecipients = i;
	p.only_named = cy_label_only_named(l);
	p.compartments = cy_label_compartments(l);
	p.signer_chain = by->chain.data;
	p.signer_chain_len = by->chain.len;
	if (cy_label_build(&p, cy_label_stanzas_sha256(l),
	    cy_label_payload_digest(l), by->key, &out, &err) != 0)
		fail_msg("label: %s", err.msg);
	cy_label_free(l);
	return out;
}

/* --- tests --- */

static void
test_good(void **state)
{
	struct world *w = *state;
	struct sealed s = seal_release(w);
	uint8_t digest[CY_SHA256_LEN];
	cy_doc_upload *u = NULL;
	cy_source src;
	cy_error err;
	int fd;

	expect_good(w, &s);
	/* Read from a file by offset, exactly at the size limit. */
	fd = temp_fd(s.file.data, s.file.len);
	assert_int_equal(cy_source_fd(&src, fd, &err), 0);
	if (cy_doc_upload_check(&src, s.file.len, s.label.data, s.label.len,
	    &w->trust, &u, &err) != 0)
		fail_msg("upload check from a file: %s", err.msg);
	cy_sha256_digest(s.file.data, s.file.len, digest);
	assert_memory_equal(cy_doc_upload_sealed_sha256(u), digest, 32);
	cy_doc_upload_free(u);
	close(fd);
	sealed_free(&s);
}

/* The chunk boundaries the stream has: an empty payload (a lone tag), one
 * full final chunk, one full chunk and a short one; one recipient. */
/* Alice opens her copy (with its R, as after a release) checking the
 * label against a registered label-sha256. */
static int
open_copy(struct world *w, const struct sealed *s, const uint8_t *label_sha256,
    cy_buf *plain, cy_error *err)
{
	cy_identity *x = NULL, *id = NULL;
	cy_doc_open_params p;
	cy_doc_info info;
	uint8_t *data;
	size_t len;
	int in = temp_fd(s->file.data, s->file.len), out = temp_fd(NULL, 0), r;

	assert_int_equal(cy_identity_from_key(w->alice.key, &x, err), 0);
	assert_int_equal(cy_release_identity(x, s->doc_id, s->copy_ids[0],
	    s->r[0], &id, err), 0);
	memset(&p, 0, sizeof(p));
	p.identities = &id;
	p.nidentities = 1;
	p.trust = &w->trust;
	p.now = PKI_NOW;
	p.label_sha256 = label_sha256;
	r = cy_doc_open_fd(in, out, &p, &info, err);
	if (r == 0)
		cy_doc_info_free(&info);
	assert_int_equal(lseek(out, 0, SEEK_SET), 0);
	assert_int_equal(cy_fd_read_all(out, 1 << 24, &data, &len, err), 0);
	cy_buf_append(plain, data, len);
	free(data);
	close(in);
	close(out);
	cy_identity_free(id);
	cy_identity_free(x);
	return r;
}

/* The label-sha256 the registry registers from the upload is the one a
 * recipient's open checks: it passes for this file, not for another's. */
static void
test_registered_label_opens(void **state)
{
	struct world *w = *state;
	struct sealed s = seal_release(w), other = seal_release(w);
	cy_doc_upload *u = NULL, *v = NULL;
	cy_buf plain = CY_BUF_INIT;
	cy_error err;

	assert_int_equal(check(w, &s.file, &s.label, MAX_SIZE, &u, &err), 0);
	assert_int_equal(check(w, &other.file, &other.label, MAX_SIZE, &v,
	    &err), 0);
	if (open_copy(w, &s, cy_doc_upload_label_sha256(u), &plain, &err) != 0)
		fail_msg("open: %s", err.msg);
	assert_int_equal(plain.len, sizeof(w->plain));
	assert_memory_equal(plain.data, w->plain, plain.len);
	plain.len = 0;
	assert_int_equal(open_copy(w, &s, cy_doc_upload_label_sha256(v),
	    &plain, &err), CY_E_SIGNATURE);
	expect_error(&err, "differs from the one registered for the document");
	assert_int_equal(plain.len, 0);
	cy_buf_free(&plain);
	cy_doc_upload_free(u);
	cy_doc_upload_free(v);
	sealed_free(&s);
	sealed_free(&other);
}

static void
test_good_sizes(void **state)
{
	struct world *w = *state;
	const size_t sizes[] = {0, 1, 65536, 65537};
	struct sealed s;
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		s = seal_doc(w, w->plain, sizes[i], 1, 1 + i % 2);
		expect_good(w, &s);
		sealed_free(&s);
	}
}

static void
test_sizes_refused(void **state)
{
	struct world *w = *state;
	struct sealed s = seal_release(w);
	cy_buf big = CY_BUF_INIT;
	uint8_t *zeros = calloc(1, CY_LABEL_MAX + 1);

	expect_refused(w, &s.file, &s.label, s.file.len - 1, CY_E_TOO_LARGE,
	    "over the limit of");
	cy_buf_append(&big, zeros, CY_LABEL_MAX + 1);
	expect_refused(w, &s.file, &big, MAX_SIZE, CY_E_TOO_LARGE,
	    "the label is 262145 bytes, over the limit of 262144");
	free(zeros);
	cy_buf_free(&big);
	sealed_free(&s);
}

static void
test_malformed(void **state)
{
	struct world *w = *state;
	struct sealed s = seal_release(w);
	cy_buf junk = CY_BUF_INIT, cut = CY_BUF_INIT;
	cy_header h;
	size_t hdr;

	cy_buf_append(&junk, "not a label\n", 12);
	expect_refused(w, &s.file, &junk, MAX_SIZE, CY_E_FORMAT,
	    "the uploaded label: ");
	expect_refused(w, &junk, &s.label, MAX_SIZE, CY_E_FORMAT,
	    "the file's header: ");
	cy_buf_free(&junk);
	expect_refused(w, &junk, &s.label, MAX_SIZE, CY_E_FORMAT,
	    "the file's header: ");
	/* Cut inside the nonce, then right after it. */
	hdr = header_stanzas(&s.file, &h);
	cy_header_free(&h);
	cy_buf_append(&cut, s.file.data, hdr + 10);
	expect_refused(w, &cut, &s.label, MAX_SIZE, CY_E_FORMAT,
	    "the file ends before its payload nonce: it is truncated");
	cut.len = 0;
	cy_buf_append(&cut, s.file.data, hdr + 16);
	expect_refused(w, &cut, &s.label, MAX_SIZE, CY_E_FORMAT,
	    "the payload: the file has no payload: it is truncated");
	cut.len = 0;
	cy_buf_append(&cut, s.file.data, hdr + 16 + 10);
	expect_refused(w, &cut, &s.label, MAX_SIZE, CY_E_FORMAT,
	    "chunk 0 is shorter than its tag");
	cy_buf_free(&cut);
	sealed_free(&s);
}

static void
test_label_stanza_place(void **state)
{
	struct world *w = *state;
	struct sealed s = seal_release(w);
	cy_buf t[3] = {stanza_text(&s.file, 0), stanza_text(&s.file, 1),
	    stanza_text(&s.file, 2)}, moved[3], f;

	/* No label stanza. */
	f = with_stanzas(&s.file, t, 2);
	expect_refused(w, &f, &s.label, MAX_SIZE, CY_E_FORMAT,
	    "the file has no label stanza");
	cy_buf_free(&f);
	/* The label stanza first. */
	moved[0] = t[2];
	moved[1] = t[0];
	moved[2] = t[1];
	f = with_stanzas(&s.file, moved, 3);
	expect_refused(w, &f, &s.label, MAX_SIZE, CY_E_FORMAT,
	    "the label stanza is not the last stanza");
	cy_buf_free(&f);
	/* Twice. */
	moved[0] = t[0];
	moved[1] = t[2];
	moved[2] = t[2];
	f = with_stanzas(&s.file, moved, 3);
	expect_refused(w, &f, &s.label, MAX_SIZE, CY_E_FORMAT,
	    "two label stanzas");
	cy_buf_free(&f);
	bufs_free(t, 3);
	sealed_free(&s);
}

static void
test_wrong_mark(void **state)
{
	struct world *w = *state;
	struct sealed s = seal_release(w);
	uint8_t *p = memmem(s.file.data, s.file.len, "coyeu.v1/label B\n", 17);

	assert_non_null(p);
	p[15] = 'A';
	expect_refused(w, &s.file, &s.label, MAX_SIZE, CY_E_SIGNATURE,
	    "the outer mark A does not match the label's level TỐI MẬT");
	sealed_free(&s);
}

static void
test_label_of_another_file(void **state)
{
	struct world *w = *state;
	struct sealed s = seal_release(w), other = seal_release(w),
	    one = seal_doc(w, w->plain, sizeof(w->plain), 1, 1);

	expect_refused(w, &s.file, &other.label, MAX_SIZE, CY_E_SIGNATURE,
	    "the release stanzas differ from those the label's signer signed "
	    "(stanzas-sha256)");
	/* A label of another length cannot be the one in the stanza. */
	expect_refused(w, &s.file, &one.label, MAX_SIZE, CY_E_FORMAT,
	    "the label is another file's");
	sealed_free(&s);
	sealed_free(&other);
	sealed_free(&one);
}

static void
test_payload_altered(void **state)
{
	struct world *w = *state;
	struct sealed s = seal_release(w);
	static const char *const msg = "the payload differs from what the "
	    "label's signer signed (payload-digest)";
	cy_buf f = CY_BUF_INIT;

	/* A flipped byte in the middle of a chunk. */
	cy_buf_append(&f, s.file.data, s.file.len);
	f.data[f.len - 1000] ^= 1;
	expect_refused(w, &f, &s.label, MAX_SIZE, CY_E_SIGNATURE, msg);
	/* Truncated. */
	f.len = 0;
	cy_buf_append(&f, s.file.data, s.file.len - 1);
	expect_refused(w, &f, &s.label, MAX_SIZE, CY_E_SIGNATURE, msg);
	/* Truncated at a chunk boundary: a whole chunk missing. */
	f.len = 0;
	cy_buf_append(&f, s.file.data, s.file.len - (123 + 16));
	expect_refused(w, &f, &s.label, MAX_SIZE, CY_E_SIGNATURE, msg);
	/* Extended. */
	f.len = 0;
	cy_buf_append(&f, s.file.data, s.file.len);
	cy_buf_append(&f, "extra", 5);
	expect_refused(w, &f, &s.label, MAX_SIZE, CY_E_SIGNATURE, msg);
	cy_buf_free(&f);
	sealed_free(&s);
}

static void
test_stanzas_swapped(void **state)
{
	struct world *w = *state;
	struct sealed s = seal_release(w);
	cy_buf t[3] = {stanza_text(&s.file, 1), stanza_text(&s.file, 0),
	    stanza_text(&s.file, 2)}, f = with_stanzas(&s.file, t, 3);

	expect_refused(w, &f, &s.label, MAX_SIZE, CY_E_SIGNATURE,
	    "the release stanzas differ from those the label's signer signed");
	cy_buf_free(&f);
	bufs_free(t, 3);
	sealed_free(&s);
}

/* The same document sealed to X25519 stanzas: a recipient could open it
 * without the registry, so the registry refuses to carry it. */
static void
test_x25519_stanza(void **state)
{
	struct world *w = *state;
	struct sealed s = seal_release(w),
	    direct = seal_doc(w, w->plain, sizeof(w->plain), 0, 2);
	cy_buf t[3] = {stanza_text(&s.file, 0), stanza_text(&direct.file, 1),
	    stanza_text(&s.file, 2)}, f = with_stanzas(&s.file, t, 3);

	expect_refused(w, &f, &s.label, MAX_SIZE, CY_E_POLICY,
	    "stanza 2 is X25519, not coyeu.v1/release: a document sent through "
	    "the registry is sealed to release stanzas only");
	expect_refused(w, &direct.file, &direct.label, MAX_SIZE, CY_E_POLICY,
	    "stanza 1 is X25519, not coyeu.v1/release");
	cy_buf_free(&f);
	bufs_free(t, 3);
	sealed_free(&s);
	sealed_free(&direct);
}

static void
test_stanza_ids(void **state)
{
	struct world *w = *state;
	struct sealed s = seal_release(w), other = seal_release(w);
	cy_buf t[3] = {stanza_text(&s.file, 0), stanza_text(&other.file, 1),
	    stanza_text(&s.file, 2)}, f = with_stanzas(&s.file, t, 3);
	char want[200];

	snprintf(want, sizeof(want), "stanza 2 is for document %s but stanza "
	    "1 for %s: a file holds one document", other.doc_id, s.doc_id);
	expect_refused(w, &f, &s.label, MAX_SIZE, CY_E_FORMAT, want);
	cy_buf_free(&f);
	/* One copy's stanza twice. */
	cy_buf_free(&t[1]);
	t[1] = stanza_text(&s.file, 0);
	f = with_stanzas(&s.file, t, 3);
	snprintf(want, sizeof(want), "stanzas 1 and 2 have the same copy-id "
	    "%s: each copy needs its own", s.copy_ids[0]);
	expect_refused(w, &f, &s.label, MAX_SIZE, CY_E_FORMAT, want);
	cy_buf_free(&f);
	/* A recipient's stanza missing. */
	cy_buf_free(&t[1]);
	t[1] = t[2];
	t[2] = (cy_buf)CY_BUF_INIT;
	f = with_stanzas(&s.file, t, 2);
	expect_refused(w, &f, &s.label, MAX_SIZE, CY_E_POLICY,
	    "the label names 2 recipients but the file holds 1 release "
	    "stanzas");
	cy_buf_free(&f);
	bufs_free(t, 2);
	sealed_free(&s);
	sealed_free(&other);
}

static void
test_signature_flipped(void **state)
{
	struct world *w = *state;
	struct sealed s = seal_release(w);
	uint8_t *sig = memmem(s.label.data, s.label.len, "\nsignature: ", 12);

	assert_non_null(sig);
	sig += 12 + 20;
	*sig = *sig == 'A' ? 'B' : 'A';
	expect_refused(w, &s.file, &s.label, MAX_SIZE, CY_E_SIGNATURE,
	    "the label's signature does not verify");
	sealed_free(&s);
}

static void
test_another_signer(void **state)
{
	struct world *w = *state;
	struct sealed s = seal_release(w);
	cy_buf forged = relabel(&s.label, &w->other_sealer),
	    other_unit = relabel(&s.label, &w->elsewhere),
	    lower = relabel(&s.label, &w->carol),
	    again = relabel(&s.label, &w->sealer);

	/* Signed for this very file, by a key the trusted root never
	 * certified. */
	expect_refused(w, &s.file, &forged, MAX_SIZE, CY_E_POLICY,
	    "sealer: certificate 1 (serial ");
	expect_refused(w, &s.file, &forged, MAX_SIZE, CY_E_POLICY,
	    "but the next certificate is the trusted root");
	/* Certified and cleared, but the document is another unit's. */
	expect_refused(w, &s.file, &other_unit, MAX_SIZE, CY_E_POLICY,
	    "is of unit vn/hcm/b, but the document names unit vn/hcm/a");
	/* Another signer's chain makes another label length: that label
	 * cannot be the one sealed in the file. */
	expect_refused(w, &s.file, &lower, MAX_SIZE, CY_E_FORMAT,
	    "the label is another file's");
	/* Control: the sealer's own label again (a fresh signature) passes. */
	cy_buf_free(&s.label);
	s.label = again;
	expect_good(w, &s);
	cy_buf_free(&forged);
	cy_buf_free(&other_unit);
	cy_buf_free(&lower);
	sealed_free(&s);
}

/* A source whose stated size is not what it holds: the hash of the file
 * would not be of the bytes checked. */
static ssize_t
short_pread(void *ctx, uint8_t *buf, size_t len, uint64_t off, cy_error *err)
{
	const cy_buf *b = ctx;

	if (off >= b->len)
		return 0;
	if (len > b->len - off)
		len = (size_t)(b->len - off);
	memcpy(buf, b->data + off, len);
	return (ssize_t)len;
}

static void
test_source_changed(void **state)
{
	struct world *w = *state;
	struct sealed s = seal_release(w);
	cy_source src = {short_pread, &s.file, 0, NULL};
	cy_doc_upload *u = NULL;
	cy_error err;

	src.size = s.file.len + 1;
	assert_int_equal(cy_doc_upload_check(&src, MAX_SIZE, s.label.data,
	    s.label.len, &w->trust, &u, &err), CY_E_IO);
	expect_error(&err, "the file changed while it was checked");
	assert_null(u);
	sealed_free(&s);
}

static void
test_usage(void **state)
{
	struct world *w = *state;
	cy_doc_upload *u = NULL;
	cy_source src;
	cy_error err;
	cy_trust none = {NULL, NULL, 0};

	assert_int_equal(cy_source_mem(&src, NULL, 0, &err), 0);
	assert_int_equal(cy_doc_upload_check(&src, MAX_SIZE, NULL, 0,
	    &w->trust, &u, &err), CY_E_USAGE);
	assert_int_equal(cy_doc_upload_check(&src, MAX_SIZE,
	    (const uint8_t *)"x", 1, &none, &u, &err), CY_E_USAGE);
	assert_int_equal(cy_doc_upload_check(NULL, MAX_SIZE,
	    (const uint8_t *)"x", 1, &w->trust, &u, &err), CY_E_USAGE);
	assert_int_equal(cy_source_mem(&src, NULL, 1, &err), CY_E_USAGE);
	assert_null(u);
	cy_doc_upload_free(NULL);
}

/* A memory source reads exactly its bytes, clamped at the end. */
static void
test_source_mem(void **state)
{
	static const uint8_t bytes[5] = "abcde";
	uint8_t buf[8];
	cy_source src;
	cy_error err;

	assert_int_equal(cy_source_mem(&src, bytes, sizeof(bytes), &err), 0);
	assert_int_equal(src.size, 5);
	assert_int_equal(src.pread(src.ctx, buf, sizeof(buf), 1, &err), 4);
	assert_memory_equal(buf, "bcde", 4);
	assert_int_equal(src.pread(src.ctx, buf, sizeof(buf), 5, &err), 0);
	assert_int_equal(src.pread(src.ctx, buf, sizeof(buf), UINT64_MAX,
	    &err), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_source_mem),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_good_sizes),
		cmocka_unit_test(test_registered_label_opens),
		cmocka_unit_test(test_sizes_refused),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_label_stanza_place),
		cmocka_unit_test(test_wrong_mark),
		cmocka_unit_test(test_label_of_another_file),
		cmocka_unit_test(test_payload_altered),
		cmocka_unit_test(test_stanzas_swapped),
		cmocka_unit_test(test_x25519_stanza),
		cmocka_unit_test(test_stanza_ids),
		cmocka_unit_test(test_signature_flipped),
		cmocka_unit_test(test_another_signer),
		cmocka_unit_test(test_source_changed),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
