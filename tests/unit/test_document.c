/* Classified documents through the library: round trip, refusals, and
 * the forgeries a recipient holding the file key could attempt. */
#include "pki.h"

#include <fcntl.h>
#include <unistd.h>

#include "age/ageio.h"
#include "coyeu/document.h"
#include "coyeu/file.h"
#include "coyeu/header.h"
#include "coyeu/secret.h"
#include "base/crypto.h"
#include "age/recipient.h"
#include "doc/docseal.h"
#include "age/stream.h"

struct world {
	struct pki_holder root, sealer, alice, bob, carol;
	cy_trust trust;
	uint8_t plain[3 * 65536 + 123];
	int64_t created;          /* what seal() puts in the label */
	int64_t now;              /* the opening time open_doc() gives */
	const cy_chain *reader;   /* the reader's chain open_doc() gives */
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
	w->carol = pki_issue(&w->root, "Carol", "vn/hcm/b", CY_ROLE_OFFICER,
	    CY_LEVEL_MAT, NULL);
	w->trust.root = w->root.cert;
	w->created = PKI_NOW;
	w->now = PKI_NOW;
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
	free(w);
	return 0;
}

/* Seals w->plain with a label naming `named` and stanzas for the keys of
 * `keyed` (two each), through the unchecked engine (docseal.h): the
 * forgeries a recipient could build; returns the file. */
static cy_buf
seal_to(struct world *w, int level, const char *compartments, int armor,
    const struct pki_holder *const named[2],
    const struct pki_holder *const keyed[2])
{
	const char *serials[2] = {cy_cert_serial(named[0]->cert),
	    cy_cert_serial(named[1]->cert)};
	uint8_t keys[2][CY_X25519_KEY_LEN];
	struct cy_doc_raw_seal p;
	cy_error err;
	cy_buf out;
	int in, fd;

	memcpy(keys[0], cy_cert_seal_public(keyed[0]->cert), 32);
	memcpy(keys[1], cy_cert_seal_public(keyed[1]->cert), 32);
	memset(&p, 0, sizeof(p));
	p.label.document = "123/UBND-VP";
	p.label.level = level;
	p.label.unit = cy_cert_unit(w->sealer.cert);
	p.label.created = w->created;
	p.label.protect_until = cy_level_protect_limit(level, w->created);
	p.label.recipients = serials;
	p.label.nrecipients = 2;
	p.label.compartments = compartments;
	p.label.signer_chain = w->sealer.chain.data;
	p.label.signer_chain_len = w->sealer.chain.len;
	p.signer = w->sealer.key;
	p.seal_keys = (const uint8_t (*)[CY_X25519_KEY_LEN])keys;
	p.io.armor = armor;
	in = temp_fd(w->plain, sizeof(w->plain));
	fd = temp_fd(NULL, 0);
	if (cy_doc_seal_raw_fd(in, fd, &p, &err) != 0)
		fail_msg("seal: %s", err.msg);
	out = pki_read_fd(fd);
	close(in);
	close(fd);
	return out;
}

/* Seals w->plain to alice and bob; returns the file. */
static cy_buf
seal(struct world *w, int level, const char *compartments, int armor)
{
	const struct pki_holder *const ab[2] = {&w->alice, &w->bob};

	return seal_to(w, level, compartments, armor, ab, ab);
}

/* When set (and in < 0), open_doc_fd reads this source instead. */
static const cy_source *progress_source;

/* Opens the file in fd `in` (or progress_source when in < 0); progress
 * (optional) sees each step. */
static int
open_doc_fd(struct world *w, const struct pki_holder *who, int in, int mode,
    cy_progress_fn *progress, void *ctx, cy_buf *plain, cy_doc_info *info,
    cy_error *err)
{
	cy_identity *id = NULL;
	cy_doc_open_params p;
	int out, r;

	assert_int_equal(cy_identity_from_key(who->key, &id,
	    err), 0);
	memset(&p, 0, sizeof(p));
	p.identities = &id;
	p.nidentities = 1;
	p.trust = &w->trust;
	p.mode = mode;
	p.now = w->now;
	p.reader = w->reader;
	p.progress = progress;
	p.progress_ctx = ctx;
	out = temp_fd(NULL, 0);
	r = in >= 0 ? cy_doc_open_fd(in, out, &p, info, err) :
	    cy_doc_open_source(progress_source, out, &p, info, err);
	progress_source = NULL;
	*plain = pki_read_fd(out);
	close(out);
	cy_identity_free(id);
	return r;
}

static int
open_doc(struct world *w, const struct pki_holder *who, const cy_buf *file,
    int mode, cy_buf *plain, cy_doc_info *info, cy_error *err)
{
	int in = temp_fd(file->data, file->len), r;

	r = open_doc_fd(w, who, in, mode, NULL, NULL, plain, info, err);
	close(in);
	return r;
}

static void
test_round_trip(void **state)
{
	struct world *w = *state;
	cy_buf file = seal(w, CY_LEVEL_TOI_MAT, "", 0), plain;
	cy_doc_info info;
	cy_header h;
	cy_error err;
	char mark;
	int fd, mode;

	for (mode = CY_DOC_OPEN_STREAM; mode <= CY_DOC_OPEN_VERIFY_FIRST; mode++) {
		if (open_doc(w, &w->alice, &file, mode, &plain, &info, &err) != 0)
			fail_msg("open: %s", err.msg);
		assert_int_equal(plain.len, sizeof(w->plain));
		assert_memory_equal(plain.data, w->plain, plain.len);
		assert_string_equal(cy_label_document(info.label), "123/UBND-VP");
		assert_int_equal(cy_label_level(info.label), CY_LEVEL_TOI_MAT);
		assert_int_equal(cy_label_recipient_count(info.label), 2);
		assert_string_equal(cy_cert_serial(info.signer),
		    cy_cert_serial(w->sealer.cert));
		cy_doc_info_free(&info);
		cy_buf_free(&plain);
	}
	/* The outer face shows only the mark. */
	fd = temp_fd(file.data, file.len);
	assert_int_equal(cy_doc_inspect_fd(fd, &h, &mark, &err), 0);
	assert_int_equal(mark, 'B');
	assert_string_equal(h.stanzas[h.nstanzas - 1].type, "coyeu.v1/label");
	cy_header_free(&h);
	close(fd);
	/* Carol holds no stanza. */
	assert_int_equal(open_doc(w, &w->carol, &file, 0, &plain, &info, &err),
	    CY_E_NO_MATCH);
	cy_buf_free(&plain);
	cy_buf_free(&file);
}

static void
test_armor_and_levels(void **state)
{
	struct world *w = *state;
	cy_buf file = seal(w, CY_LEVEL_MAT, "", 1), plain;
	cy_doc_info info;
	cy_error err;

	assert_memory_equal(file.data, "-----BEGIN AGE ENCRYPTED FILE-----", 34);
	assert_int_equal(open_doc(w, &w->bob, &file, 1, &plain, &info, &err), 0);
	assert_int_equal(plain.len, sizeof(w->plain));
	assert_int_equal(cy_label_level(info.label), CY_LEVEL_MAT);
	cy_doc_info_free(&info);
	cy_buf_free(&plain);
	cy_buf_free(&file);
}

/* cy_doc_seal_prepare with the world's sealer, at PKI_NOW: 0 or the
 * error, *refused saying whom. */
static int
prepare(struct world *w, int level, const char *compartments,
    const cy_idkey *key, const struct pki_holder *const *to, size_t n,
    int64_t now, size_t *refused, cy_error *err)
{
	cy_chain *chains[4], *signer = pki_chain(&w->sealer);
	cy_doc_sealing *s = NULL;
	cy_doc_seal_params p;
	size_t i;
	int r;

	memset(&p, 0, sizeof(p));
	for (i = 0; i < n; i++)
		chains[i] = pki_chain(to[i]);
	p.document = "7/TEST";
	p.level = level;
	p.compartments = compartments;
	p.now = now;
	p.signer = key;
	p.signer_chain = signer;
	p.recipients = (const cy_chain *const *)chains;
	p.nrecipients = n;
	p.trust = &w->trust;
	r = cy_doc_seal_prepare(&p, &s, refused, err);
	if (r == 0) {
		assert_int_equal(cy_doc_sealing_count(s), n);
		assert_string_equal(cy_cert_serial(cy_doc_sealing_recipient(s,
		    n - 1)), cy_cert_serial(to[n - 1]->cert));
		assert_int_equal(cy_doc_sealing_protect_until(s),
		    cy_level_protect_limit(level, now));
	} else {
		assert_null(s);
	}
	cy_doc_sealing_free(s);
	for (i = 0; i < n; i++)
		cy_chain_free(chains[i]);
	cy_chain_free(signer);
	return r;
}

/* Sealing asks the policy about every party: clearance, compartments,
 * validity, no one twice, the sealer's own key. */
static void
test_prepare(void **state)
{
	struct world *w = *state;
	const struct pki_holder *const bc[2] = {&w->bob, &w->carol};
	const struct pki_holder *const bb[2] = {&w->bob, &w->bob};
	const struct pki_holder *const ba[2] = {&w->bob, &w->alice};
	cy_idkey *key = w->sealer.key;
	size_t who;
	cy_error err;

	assert_int_equal(prepare(w, CY_LEVEL_TOI_MAT, "", key, bc, 2, PKI_NOW,
	    &who, &err), CY_E_POLICY);
	assert_int_equal(who, 1);
	expect_error(&err, "recipient Carol (serial ");
	expect_error(&err, "lacks clearance TỐI MẬT (has MẬT)");
	assert_int_equal(prepare(w, CY_LEVEL_MAT, "", key, bc, 2, PKI_NOW,
	    &who, &err), 0);
	assert_int_equal(prepare(w, CY_LEVEL_TOI_MAT, "x", key, ba, 2, PKI_NOW,
	    &who, &err), CY_E_POLICY);
	assert_int_equal(who, 1);
	expect_error(&err, "lacks compartment x");
	assert_int_equal(prepare(w, CY_LEVEL_TOI_MAT, "x", key, bb, 2, PKI_NOW,
	    &who, &err), CY_E_USAGE);
	assert_int_equal(who, 1);
	expect_error(&err, "is already a recipient (recipient 1)");
	/* The sealer: below the level, another's key, expired. */
	assert_int_equal(prepare(w, CY_LEVEL_TUYET_MAT, "", key, bb, 1,
	    PKI_NOW, &who, &err), CY_E_POLICY);
	assert_int_equal(who, CY_DOC_REFUSED_SEALER);
	expect_error(&err, "sealer Người gửi (serial ");
	assert_int_equal(prepare(w, CY_LEVEL_MAT, "", w->bob.key, bb, 1,
	    PKI_NOW, &who, &err), CY_E_POLICY);
	assert_int_equal(who, CY_DOC_REFUSED_SEALER);
	expect_error(&err, "the signing key does not belong");
	assert_int_not_equal(prepare(w, CY_LEVEL_MAT, "", key, bb, 1,
	    PKI_T0 + 2 * PKI_YEAR, &who, &err), 0);
	assert_int_equal(who, CY_DOC_REFUSED_SEALER);
	expect_error(&err, "expired at");
	/* Compartments not in order are normalised, unknown ones refused. */
	assert_int_equal(prepare(w, CY_LEVEL_TOI_MAT, "x,x", key, bb, 1,
	    PKI_NOW, &who, &err), 0);
	assert_int_equal(prepare(w, CY_LEVEL_TOI_MAT, "X!", key, bb, 1,
	    PKI_NOW, &who, &err), CY_E_USAGE);
	assert_int_equal(who, CY_DOC_REFUSED_SEALER);
}

/* Every single-byte change anywhere is refused, and nothing is released
 * in verify-first mode. */
static void
test_tamper(void **state)
{
	struct world *w = *state;
	cy_buf file = seal(w, CY_LEVEL_TOI_MAT, "", 0), plain, bad;
	size_t positions[64], i, n = 0, step;
	cy_doc_info info;
	cy_error err;

	step = file.len / 48;
	for (i = 0; i < file.len && n < 60; i += step)
		positions[n++] = i;
	positions[n++] = file.len - 1;
	for (i = 0; i < n; i++) {
		bad = (cy_buf)CY_BUF_INIT;
		cy_buf_append(&bad, file.data, file.len);
		bad.data[positions[i]] ^= 0x01;
		if (open_doc(w, &w->alice, &bad, CY_DOC_OPEN_VERIFY_FIRST, &plain,
		    &info, &err) == 0)
			fail_msg("flip at %zu accepted", positions[i]);
		assert_int_equal(plain.len, 0);
		cy_buf_free(&plain);
		cy_buf_free(&bad);
	}
	/* The first pass only hashes; a mismatch still names the chunk (the
	 * last one holds 123 + 16 bytes, so this byte is in chunk 2). */
	cy_buf_append(&bad, file.data, file.len);
	bad.data[file.len - 139 - 100] ^= 0x80;
	assert_int_equal(open_doc(w, &w->alice, &bad, CY_DOC_OPEN_VERIFY_FIRST,
	    &plain, &info, &err), CY_E_PAYLOAD);
	expect_error(&err, "chunk 2 failed authentication");
	assert_int_equal(plain.len, 0);
	cy_buf_free(&plain);
	cy_buf_free(&bad);
	cy_buf_free(&file);
}

/* Alice, a recipient, unwraps the file key of file; h gets its header. */
static void
alice_unwrap(struct world *w, const cy_buf *file, cy_header *h,
    uint8_t key[16])
{
	struct cy_src in;
	cy_identity *id = NULL;
	cy_open_params op;
	cy_error err;

	assert_int_equal(cy_src_open(&in, -1, file->data, file->len, 0, &err),
	    0);
	assert_int_equal(cy_age_read_header(&in, h, &err), 0);
	assert_int_equal(cy_identity_from_key(w->alice.key,
	    &id, &err), 0);
	memset(&op, 0, sizeof(op));
	op.identities = &id;
	op.nidentities = 1;
	assert_int_equal(cy_age_unwrap(h, &op, key, &err), 0);
	cy_identity_free(id);
	cy_src_close(&in);
}

/* Appends the chunks of plain under the file key and nonce to out. */
static void
append_payload(const uint8_t key[16], const uint8_t nonce[16],
    const uint8_t *plain, size_t len, cy_buf *out)
{
	struct cy_sink sink = {-1, out, NULL, CY_BUF_INIT};
	cy_stream_params sp;
	cy_error err;

	memset(&sp, 0, sizeof(sp));
	assert_int_equal(cy_stream_key(key, nonce, sp.key), 0);
	sp.map = plain;
	sp.map_len = len;
	sp.threads = 1;
	sp.write = cy_sink_write;
	sp.write_ctx = &sink;
	assert_int_equal(cy_stream_run(&sp, &err), 0);
	cy_sink_close(&sink);
}

/* Alice holds the file key; she re-seals other content, or drops Bob's
 * stanza, keeping the sealer's signed label. */
static void
forge(struct world *w, int drop_bob, cy_buf *out)
{
	cy_buf file = seal(w, CY_LEVEL_TOI_MAT, "", 0);
	cy_header h, h2;
	uint8_t key[16], nonce[16], other[100];
	size_t i;

	memset(&h2, 0, sizeof(h2));
	alice_unwrap(w, &file, &h, key);
	for (i = 0; i < h.nstanzas; i++) {
		if (drop_bob && i == 1)
			continue;
		assert_int_equal(cy_header_add(&h2, h.stanzas[i].type,
		    (const char *const *)h.stanzas[i].args, h.stanzas[i].nargs,
		    h.stanzas[i].body, h.stanzas[i].body_len), 0);
	}
	*out = (cy_buf)CY_BUF_INIT;
	assert_int_equal(cy_header_encode(&h2, key, out), 0);
	randombytes_buf(nonce, sizeof(nonce));
	cy_buf_append(out, nonce, sizeof(nonce));
	memset(other, 'Z', sizeof(other));
	/* With Bob dropped, the same content, so only the stanzas differ. */
	if (drop_bob)
		append_payload(key, nonce, w->plain, sizeof(w->plain), out);
	else
		append_payload(key, nonce, other, sizeof(other), out);
	cy_header_free(&h);
	cy_header_free(&h2);
	cy_buf_free(&file);
}

static void
test_forgery_by_recipient(void **state)
{
	struct world *w = *state;
	cy_doc_info info;
	cy_buf bad, plain;
	cy_error err;

	forge(w, 0, &bad);
	assert_int_equal(open_doc(w, &w->alice, &bad, CY_DOC_OPEN_VERIFY_FIRST,
	    &plain, &info, &err), CY_E_PAYLOAD);
	expect_error(&err, "payload digest mismatch");
	assert_int_equal(plain.len, 0);
	cy_buf_free(&plain);
	cy_buf_free(&bad);

	forge(w, 1, &bad);
	assert_int_equal(open_doc(w, &w->alice, &bad, CY_DOC_OPEN_VERIFY_FIRST,
	    &plain, &info, &err), CY_E_SIGNATURE);
	expect_error(&err, "recipient stanzas differ");
	cy_buf_free(&plain);
	cy_buf_free(&bad);
}

/* Where the payload (its nonce) starts in a sealed file. */
static size_t
payload_start(const cy_buf *file)
{
	const uint8_t *mac = memmem(file->data, file->len, "\n--- ", 5);
	const uint8_t *nl;

	assert_non_null(mac);
	nl = memchr(mac + 1, '\n', file->len - (size_t)(mac + 1 - file->data));
	assert_non_null(nl);
	return (size_t)(nl + 1 - file->data);
}

/* The file with its chunks from `from` on replaced by Alice's forgeries
 * under the same nonce: their tags verify, only the signed digest (and
 * each stored chunk's hash) differs. */
static cy_buf
forge_tail(struct world *w, const cy_buf *file, size_t from)
{
	size_t start = payload_start(file), cut;
	uint8_t key[16], other[sizeof(w->plain)];
	cy_buf pl = CY_BUF_INIT, out = CY_BUF_INIT;
	cy_header h;

	alice_unwrap(w, file, &h, key);
	memset(other, 'Z', sizeof(other));
	append_payload(key, file->data + start, other, sizeof(other), &pl);
	cut = from * CY_STREAM_ENC_CHUNK;
	cy_buf_append(&out, file->data, start + CY_STREAM_NONCE_LEN + cut);
	cy_buf_append(&out, pl.data + cut, pl.len - cut);
	assert_int_equal(out.len, file->len);
	cy_header_free(&h);
	cy_buf_free(&pl);
	return out;
}

/* A writer who rewrites the input from `at` on with `with` as soon as
 * the first pass reports progress (after its only batch: every chunk of
 * these small files). */
struct rewriter {
	int fd;
	const cy_buf *with;
	size_t at;
	int calls;
};

static void
rewrite_on_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct rewriter *rw = ctx;
	size_t n = rw->with->len - rw->at;

	if (rw->calls++ == 0)
		assert_int_equal(pwrite(rw->fd, rw->with->data + rw->at, n,
		    (off_t)rw->at), (ssize_t)n);
}

/* Opening to a stream: the output pass writes only the chunks whose
 * stored bytes are those the verifying pass hashed. */
static void
test_changed_between_passes(void **state)
{
	struct world *w = *state;
	cy_buf file = seal(w, CY_LEVEL_TOI_MAT, "", 0), forged, plain;
	struct rewriter rw;
	cy_doc_info info;
	cy_error err;

	/* Chunks 1.. forged: chunk 0 is written, nothing after it. */
	forged = forge_tail(w, &file, 1);
	rw = (struct rewriter){temp_fd(file.data, file.len), &forged,
	    payload_start(&file) + CY_STREAM_NONCE_LEN + CY_STREAM_ENC_CHUNK,
	    0};
	assert_int_equal(open_doc_fd(w, &w->alice, rw.fd,
	    CY_DOC_OPEN_VERIFY_FIRST, rewrite_on_progress, &rw, &plain, &info,
	    &err), CY_E_PAYLOAD);
	close(rw.fd);
	expect_error(&err, CY_STREAM_CHANGED " (chunk 1 is not the one verified)");
	assert_int_equal(plain.len, CY_STREAM_CHUNK);
	assert_memory_equal(plain.data, w->plain, CY_STREAM_CHUNK);
	cy_buf_free(&plain);

	/* The payload nonce changed (so the key): nothing is written. */
	cy_buf_free(&forged);
	cy_buf_append(&forged, file.data, file.len);
	forged.data[payload_start(&file)] ^= 1;
	rw = (struct rewriter){temp_fd(file.data, file.len), &forged,
	    payload_start(&file), 0};
	assert_int_equal(open_doc_fd(w, &w->alice, rw.fd,
	    CY_DOC_OPEN_VERIFY_FIRST, rewrite_on_progress, &rw, &plain, &info,
	    &err), CY_E_PAYLOAD);
	close(rw.fd);
	expect_error(&err, CY_STREAM_CHANGED " (its payload nonce differs)");
	assert_int_equal(plain.len, 0);
	cy_buf_free(&plain);
	cy_buf_free(&forged);
	cy_buf_free(&file);
}

/* A memory source that counts its passes (a read at offset 0 starts one)
 * and, from pass `change_from` on, serves `changed` instead. */
struct mem_source {
	const cy_buf *file, *changed;
	int passes, change_from;
	uint64_t cut;   /* when not 0: the input ends here from then on */
};

static ssize_t
mem_pread(void *ctx, uint8_t *buf, size_t len, uint64_t off, cy_error *err)
{
	struct mem_source *m = ctx;
	const cy_buf *b;
	uint64_t end;

	(void)err;
	if (off == 0)
		m->passes++;
	b = m->changed != NULL && m->passes >= m->change_from ? m->changed :
	    m->file;
	end = m->cut != 0 && m->passes >= m->change_from ? m->cut : b->len;
	if (off >= end)
		return 0;
	if (len > end - off)
		len = (size_t)(end - off);
	memcpy(buf, b->data + off, len);
	return (ssize_t)len;
}

/* The daemon's path: a document read by offset, never mapped, opens as
 * the mapped one does, and a source that changes between the passes, or
 * shrinks, is stopped without writing what was not verified. */
static void
test_open_source(void **state)
{
	struct world *w = *state;
	cy_buf file = seal(w, CY_LEVEL_TOI_MAT, "", 0), forged, plain;
	struct mem_source m = {&file, NULL, 0, 0, 0};
	cy_source src = {mem_pread, &m, 0, NULL};
	cy_doc_info info;
	cy_error err;
	int pipefd[2];

	src.size = file.len;
	progress_source = &src;
	assert_int_equal(open_doc_fd(w, &w->alice, -1, CY_DOC_OPEN_VERIFY_FIRST,
	    NULL, NULL, &plain, &info, &err), 0);
	assert_int_equal(plain.len, sizeof(w->plain));
	assert_memory_equal(plain.data, w->plain, plain.len);
	assert_true(m.passes >= 2);
	cy_doc_info_free(&info);
	cy_buf_free(&plain);

	/* Chunks 1.. forged after the verifying pass: chunk 0 only. */
	forged = forge_tail(w, &file, 1);
	m = (struct mem_source){&file, &forged, 0, 0, 0};
	m.change_from = m.passes + 3; /* header pass, hashing pass, then */
	progress_source = &src;
	assert_int_equal(open_doc_fd(w, &w->alice, -1, CY_DOC_OPEN_VERIFY_FIRST,
	    NULL, NULL, &plain, &info, &err), CY_E_PAYLOAD);
	expect_error(&err, CY_STREAM_CHANGED " (chunk 1 is not the one verified)");
	assert_int_equal(plain.len, CY_STREAM_CHUNK);
	assert_memory_equal(plain.data, w->plain, CY_STREAM_CHUNK);
	cy_buf_free(&plain);

	/* The input shrinks before the output pass: refused, no crash. */
	m = (struct mem_source){&file, &file, 0, 3, file.len / 2};
	progress_source = &src;
	assert_int_not_equal(open_doc_fd(w, &w->alice, -1,
	    CY_DOC_OPEN_VERIFY_FIRST, NULL, NULL, &plain, &info, &err), 0);
	assert_true(plain.len < file.len / 2);
	cy_buf_free(&plain);

	/* A size of 0 is a caller's mistake; a pipe is no offset source. */
	src.size = 0;
	progress_source = &src;
	assert_int_equal(open_doc_fd(w, &w->alice, -1, CY_DOC_OPEN_STREAM,
	    NULL, NULL, &plain, &info, &err), CY_E_USAGE);
	cy_buf_free(&plain);
	assert_int_equal(pipe(pipefd), 0);
	assert_int_equal(cy_source_fd(&src, pipefd[0], &err), CY_E_IO);
	close(pipefd[0]);
	close(pipefd[1]);
	cy_buf_free(&forged);
	cy_buf_free(&file);
}

/* Opening to a stream keeps 32 bytes per chunk: past 256 GiB, refused
 * before a byte of payload is read (the file is sparse). */
static void
test_verify_first_cap(void **state)
{
	struct world *w = *state;
	cy_buf file = seal(w, CY_LEVEL_TOI_MAT, "", 0), plain;
	int fd = temp_fd(file.data, file.len);
	cy_doc_info info;
	cy_error err;

	assert_int_equal(ftruncate(fd, (off_t)CY_STREAM_ENC_CHUNK << 22), 0);
	assert_int_equal(open_doc_fd(w, &w->alice, fd, CY_DOC_OPEN_VERIFY_FIRST,
	    NULL, NULL, &plain, &info, &err), CY_E_TOO_LARGE);
	expect_error(&err, "the limit is 256 GiB");
	assert_int_equal(plain.len, 0);
	close(fd);
	cy_buf_free(&plain);
	cy_buf_free(&file);
}

/* Parses text with the first `from` replaced by `to`; the error code. */
static int
parse_edited(const cy_buf *text, const char *from, const char *to,
    cy_error *err)
{
	cy_buf b = CY_BUF_INIT;
	cy_label *l = NULL;
	const char *at = strstr((const char *)text->data, from);
	size_t off;
	int r;

	assert_non_null(at);
	off = (size_t)(at - (const char *)text->data);
	cy_buf_append(&b, text->data, off);
	cy_buf_puts(&b, to);
	cy_buf_puts(&b, (const char *)text->data + off + strlen(from));
	r = cy_label_parse(b.data, b.len, &l, err);
	cy_label_free(l);
	cy_buf_free(&b);
	return r;
}

/* TỐI MẬT label parameters by the sealer, created PKI_NOW, protected
 * for the longest the level allows, naming serials[0]. */
static void
label_params(const struct world *w, cy_label_params *p,
    const char *const *serials, const char *compartments)
{
	memset(p, 0, sizeof(*p));
	p->document = "123/UBND-VP";
	p->level = CY_LEVEL_TOI_MAT;
	p->unit = cy_cert_unit(w->sealer.cert);
	p->created = PKI_NOW;
	p->protect_until = cy_level_protect_limit(CY_LEVEL_TOI_MAT, PKI_NOW);
	p->recipients = serials;
	p->nrecipients = 1;
	p->compartments = compartments;
	p->signer_chain = w->sealer.chain.data;
	p->signer_chain_len = w->sealer.chain.len;
}

/* Lists and serials in a label are canonical, on both sides. */
/* The document number and copy rules the command line checks first. */
static void
test_label_param_checks(void **state)
{
	char big[CY_LABEL_DOCUMENT_MAX + 2];
	cy_error err;

	(void)state;
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(cy_label_document_check("", &err), CY_E_USAGE);
	assert_non_null(strstr(err.msg, "the document number is empty"));
	assert_int_equal(cy_label_document_check(big, &err), CY_E_USAGE);
	assert_non_null(strstr(err.msg, "129 bytes, more than 128"));
	assert_int_equal(cy_label_document_check(" 12", &err), CY_E_USAGE);
	big[CY_LABEL_DOCUMENT_MAX] = '\0';
	assert_int_equal(cy_label_document_check(big, &err), 0);
	assert_int_equal(cy_label_document_check("123/QĐ-UBND", &err), 0);
	assert_int_equal(cy_label_copy_check("2/1 sao-y", &err), CY_E_USAGE);
	assert_int_equal(cy_label_copy_check("0/1 sao-y", &err), CY_E_USAGE);
	assert_int_equal(cy_label_copy_check("1/2 photo", &err), CY_E_USAGE);
	assert_int_equal(cy_label_copy_check("1/2 sao-y", &err), 0);
	assert_int_equal(cy_label_copy_check("original", &err), 0);
	assert_int_equal(cy_label_copy_check(NULL, &err), 0);
}

static void
test_label_canonical(void **state)
{
	struct world *w = *state;
	static const uint8_t zero[CY_LABEL_DIGEST_LEN];
	const char *serials[2] = {cy_cert_serial(w->alice.cert), "not-a-serial"};
	cy_label_params p;
	cy_label *l = NULL;
	cy_buf text = CY_BUF_INIT, b = CY_BUF_INIT;
	cy_error err;

	label_params(w, &p, serials, "x,y");
	p.protect_until = PKI_NOW + PKI_YEAR;
	assert_int_equal(cy_label_build(&p, zero, zero, w->sealer.key, &text,
	    &err), 0);
	assert_int_equal(cy_label_parse(text.data, text.len, &l, &err), 0);
	cy_label_free(l);

	p.compartments = "y,x";
	assert_int_equal(cy_label_build(&p, zero, zero, w->sealer.key, &b,
	    &err), CY_E_USAGE);
	expect_error(&err, "sorted");
	p.compartments = "x,y";
	p.nrecipients = 2;
	assert_int_equal(cy_label_build(&p, zero, zero, w->sealer.key, &b,
	    &err), CY_E_USAGE);
	expect_error(&err, "not-a-serial");
	cy_buf_free(&b);

	assert_int_equal(parse_edited(&text, "compartments: x,y\n",
	    "compartments: y,x\n", &err), CY_E_FORMAT);
	expect_error(&err, "sorted");
	assert_int_equal(parse_edited(&text, "compartments: x,y\n",
	    "compartments: x,x\n", &err), CY_E_FORMAT);
	assert_int_equal(parse_edited(&text, "recipient: ",
	    "recipient: A", &err), CY_E_FORMAT);
	expect_error(&err, "recipient");
	assert_int_equal(parse_edited(&text, "document: ", "document: "
	    "0123456789012345678901234567890123456789012345678901234567890123"
	    "4567890123456789012345678901234567890123456789012345678901234567",
	    &err), CY_E_FORMAT);
	expect_error(&err, "document");
	cy_buf_free(&text);
}

/* Opens file as who; expects code and, on failure, `words` in the error
 * and nothing released. */
static void
expect_open(struct world *w, const struct pki_holder *who, const cy_buf *file,
    int code, const char *words)
{
	cy_doc_info info;
	cy_buf plain;
	cy_error err;
	int r;

	r = open_doc(w, who, file, CY_DOC_OPEN_VERIFY_FIRST, &plain, &info,
	    &err);
	if (r != code)
		fail_msg("open: %d, wanted %d: %s", r, code, r ? err.msg : "");
	if (r != 0) {
		expect_error(&err, words);
		assert_int_equal(plain.len, 0);
	} else {
		cy_doc_info_free(&info);
	}
	cy_buf_free(&plain);
}

/* A creation time in the future is refused beyond the clock skew; one
 * inside a certificate that has expired since is flagged. */
static void
test_time_rules(void **state)
{
	struct world *w = *state;
	cy_buf file;
	cy_doc_info info;
	cy_buf plain;
	cy_error err;

	w->created = PKI_NOW + 3600;
	file = seal(w, CY_LEVEL_TOI_MAT, "", 0);
	expect_open(w, &w->alice, &file, CY_E_POLICY,
	    "creation time 2026-01-02T01:00:00Z is in the future");
	w->now = PKI_NOW + 3600 - CY_DOC_CLOCK_SKEW;
	expect_open(w, &w->alice, &file, 0, NULL);
	w->now = PKI_NOW + 3600 - CY_DOC_CLOCK_SKEW - 1;
	expect_open(w, &w->alice, &file, CY_E_POLICY, "in the future");
	cy_buf_free(&file);

	w->created = PKI_NOW;
	file = seal(w, CY_LEVEL_TOI_MAT, "", 0);
	w->now = PKI_NOW;
	assert_int_equal(open_doc(w, &w->alice, &file, 0, &plain, &info, &err),
	    0);
	assert_int_equal(info.signer_expired, 0);
	cy_doc_info_free(&info);
	cy_buf_free(&plain);
	w->now = PKI_T0 + 2 * PKI_YEAR;
	assert_int_equal(open_doc(w, &w->alice, &file, 0, &plain, &info, &err),
	    0);
	assert_int_equal(info.signer_expired, cy_cert_not_after(w->sealer.cert));
	cy_doc_info_free(&info);
	cy_buf_free(&plain);
	w->now = PKI_NOW;
	cy_buf_free(&file);
}

/* protect-until within created + 10/20/30 years, on both sides. */
static void
test_protect_cap(void **state)
{
	struct world *w = *state;
	static const uint8_t zero[CY_LABEL_DIGEST_LEN];
	const char *serials[1] = {cy_cert_serial(w->alice.cert)};
	cy_label_params p;
	cy_buf text = CY_BUF_INIT, b = CY_BUF_INIT;
	cy_error err;

	assert_int_equal(cy_level_protect_limit(CY_LEVEL_MAT, PKI_NOW),
	    2082844800LL);    /* 2036-01-02 */
	assert_int_equal(cy_level_protect_limit(CY_LEVEL_TUYET_MAT, PKI_NOW),
	    2713996800LL);    /* 2056-01-02 */
	label_params(w, &p, serials, "");
	assert_int_equal(cy_label_build(&p, zero, zero, w->sealer.key, &text,
	    &err), 0);
	p.protect_until++;
	assert_int_equal(cy_label_build(&p, zero, zero, w->sealer.key, &b,
	    &err), CY_E_USAGE);
	expect_error(&err, "more than 20 years");
	assert_int_equal(parse_edited(&text, "protect-until: 2046-01-02T00:00:00Z",
	    "protect-until: 2046-01-02T00:00:01Z", &err), CY_E_FORMAT);
	expect_error(&err, "label: protect-until is more than 20 years after "
	    "the creation time (the cap for TỐI MẬT)");
	assert_int_equal(parse_edited(&text, "level: toi-mat", "level: mat",
	    &err), CY_E_FORMAT);
	expect_error(&err, "more than 10 years");
	assert_int_equal(parse_edited(&text, "level: toi-mat", "level: tuyet-mat",
	    &err), 0);
	cy_buf_free(&b);
	cy_buf_free(&text);
}

/* A list revoking `who` by `by`, from `since`. */
static cy_crl *
revoke_list(const struct pki_holder *by, const struct pki_holder *who,
    const char *reason, int64_t since)
{
	cy_crl_revocation add = {cy_cert_serial(who->cert), reason, since};
	cy_crl *crl = NULL;
	cy_error err;

	if (cy_crl_extend(NULL, by->cert, by->key, &add, since + 10, &crl,
	    &err) != 0)
		fail_msg("crl: %s", err.msg);
	return crl;
}

/* The reader's own chain, when given, is checked: valid now, not
 * revoked, cleared, certifying the key used, and named by the label. */
static void
test_reader(void **state)
{
	struct world *w = *state;
	const struct pki_holder *const named[2] = {&w->alice, &w->carol};
	const struct pki_holder *const keyed[2] = {&w->alice, &w->bob};
	cy_chain *alice = pki_chain(&w->alice), *bob = pki_chain(&w->bob);
	cy_buf file = seal(w, CY_LEVEL_TOI_MAT, "x", 0);
	const cy_crl *lists[1];
	cy_crl *crl;

	w->reader = bob;
	expect_open(w, &w->bob, &file, 0, NULL);
	w->reader = alice;
	expect_open(w, &w->alice, &file, CY_E_POLICY,
	    "reader Alice (serial");
	expect_open(w, &w->alice, &file, CY_E_POLICY, "lacks compartment x");
	/* Revoked for key compromise: no longer reads. */
	crl = revoke_list(&w->root, &w->bob, "key-compromise", PKI_NOW);
	lists[0] = crl;
	w->trust.crls = lists;
	w->trust.ncrls = 1;
	w->reader = bob;
	w->now = PKI_NOW + 20;
	expect_open(w, &w->bob, &file, CY_E_REVOKED, "reader: certificate 1");
	w->reader = NULL;
	expect_open(w, &w->bob, &file, 0, NULL);  /* unknown: not checked */
	w->trust.crls = NULL;
	w->trust.ncrls = 0;
	w->now = PKI_NOW;
	cy_crl_free(crl);
	/* Expired by now. */
	w->reader = bob;
	w->now = PKI_T0 + 2 * PKI_YEAR;
	expect_open(w, &w->bob, &file, CY_E_POLICY, "reader: certificate 1");
	w->now = PKI_NOW;
	cy_buf_free(&file);
	/* A sealer who names Carol but gives Bob the stanza: Bob, knowing
	 * his chain, sees he is not named. */
	file = seal_to(w, CY_LEVEL_MAT, "", 0, named, keyed);
	expect_open(w, &w->bob, &file, CY_E_POLICY,
	    "reader Bob (serial");
	expect_open(w, &w->bob, &file, CY_E_POLICY,
	    "is not a named recipient of the document");
	w->reader = alice;
	expect_open(w, &w->bob, &file, CY_E_POLICY,
	    "reader: the key is not the one certified in the reader's chain");
	w->reader = NULL;
	cy_buf_free(&file);
	cy_chain_free(alice);
	cy_chain_free(bob);
}

/* The note on a sealer revoked after sealing reads only lists of the
 * authorities above it. */
static void
test_revocation_note(void **state)
{
	struct world *w = *state;
	struct pki_holder stray = pki_issue(&w->root, "Lạc", "vn/hn",
	    CY_ROLE_AUTHORITY, CY_LEVEL_TOI_MAT, NULL);
	cy_buf file = seal(w, CY_LEVEL_TOI_MAT, "", 0), plain;
	const cy_crl *lists[1];
	cy_doc_info info;
	cy_error err;
	cy_crl *crl;

	w->now = PKI_NOW + 100;
	crl = revoke_list(&stray, &w->sealer, "left-unit", PKI_NOW + 50);
	lists[0] = crl;
	w->trust.crls = lists;
	w->trust.ncrls = 1;
	assert_int_equal(open_doc(w, &w->alice, &file, 0, &plain, &info, &err),
	    0);
	assert_int_equal(info.signer_revoked.code, 0);
	cy_doc_info_free(&info);
	cy_buf_free(&plain);
	cy_crl_free(crl);
	crl = revoke_list(&w->root, &w->sealer, "left-unit", PKI_NOW + 50);
	lists[0] = crl;
	assert_int_equal(open_doc(w, &w->alice, &file, 0, &plain, &info, &err),
	    0);
	assert_int_equal(info.signer_revoked.code, CY_E_REVOKED);
	expect_error(&info.signer_revoked, "Người gửi's certificate is revoked "
	    "since 2026-01-02T00:00:50Z (left-unit); this document says it was "
	    "sealed before, on 2026-01-02T00:00:00Z");
	cy_doc_info_free(&info);
	cy_buf_free(&plain);
	cy_crl_free(crl);
	w->trust.crls = NULL;
	w->trust.ncrls = 0;
	w->now = PKI_NOW;
	pki_holder_free(&stray);
	cy_buf_free(&file);
}

/* The plain age engine refuses a classified document unless told to
 * open it unverified, and says it saw a label. */
static void
test_plain_engine(void **state)
{
	struct world *w = *state;
	cy_buf file = seal(w, CY_LEVEL_TOI_MAT, "", 0), out = CY_BUF_INIT;
	cy_identity *id = NULL;
	cy_open_params p;
	cy_error err;
	int saw = 0;

	assert_int_equal(cy_identity_from_key(w->alice.key,
	    &id, &err), 0);
	memset(&p, 0, sizeof(p));
	p.identities = &id;
	p.nidentities = 1;
	p.saw_label = &saw;
	assert_int_equal(cy_age_open_mem(file.data, file.len, &p, &out, &err),
	    CY_E_POLICY);
	expect_error(&err, "a classified document");
	assert_int_equal(out.len, 0);
	assert_int_equal(saw, 1);
	p.unverified_label = 1;
	assert_int_equal(cy_age_open_mem(file.data, file.len, &p, &out, &err),
	    0);
	assert_int_equal(out.len, sizeof(w->plain));
	cy_identity_free(id);
	cy_buf_free(&out);
	cy_buf_free(&file);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_armor_and_levels),
		cmocka_unit_test(test_prepare),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_forgery_by_recipient),
		cmocka_unit_test(test_changed_between_passes),
		cmocka_unit_test(test_verify_first_cap),
		cmocka_unit_test(test_open_source),
		cmocka_unit_test(test_label_canonical),
		cmocka_unit_test(test_time_rules),
		cmocka_unit_test(test_protect_cap),
		cmocka_unit_test(test_reader),
		cmocka_unit_test(test_revocation_note),
		cmocka_unit_test(test_plain_engine),
		cmocka_unit_test(test_label_param_checks),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
