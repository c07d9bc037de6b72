/* Classified documents: the label stanza on top of the age engine. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "age/ageio.h"
#include "coyeu/canon.h"
#include "coyeu/document.h"
#include "coyeu/file.h"
#include "coyeu/header.h"
#include "coyeu/level.h"
#include "coyeu/policy.h"
#include "coyeu/release.h"
#include "coyeu/secret.h"
#include "base/crypto.h"
#include "age/recipient.h"
#include "age/release_raw.h"
#include "doc/docint.h"
#include "doc/docseal.h"
#include "pki/signed.h"

#define SPOOL_COPY 65536

static const uint8_t zero_nonce[CY_AEAD_NONCE_LEN];

/* The label is encrypted under its own key from the file key, with a zero
 * nonce: the key is unique to the file and used once. */
static int
label_crypt(const uint8_t *file_key, const uint8_t *in, size_t len,
    uint8_t *out, int seal)
{
	uint8_t key[CY_AEAD_KEY_LEN];
	int r;

	if ((r = cy_hkdf_sha256(file_key, CY_FILE_KEY_LEN, NULL, 0,
	    CY_LABEL_HKDF_INFO, key, sizeof(key))) == 0)
		r = seal ? cy_aead_seal(key, zero_nonce, in, len, out) :
		    cy_aead_open(key, zero_nonce, in, len, out);
	cy_wipe(key, sizeof(key));
	return r;
}

void
cy_doc_stanzas_digest(const cy_header *h, size_t upto,
    uint8_t out[CY_SHA256_LEN])
{
	size_t from = h->nstanzas ? h->stanzas[0].raw_off : 0;
	size_t to = upto < h->nstanzas ? h->stanzas[upto].raw_off : from;

	cy_sha256_digest(h->raw.data + from, to - from, out);
}

void
cy_doc_digest_chunk(void *ctx, uint64_t index,
    const uint8_t hash[CY_SHA256_LEN])
{
	struct cy_doc_digest *d = ctx;

	cy_sha256_update(d->ctx, hash, CY_SHA256_LEN);
	if (d->keep != NULL && d->n < d->cap)
		memcpy(d->keep[d->n], hash, CY_SHA256_LEN);
	d->n++;
}

int
cy_doc_digest_start(struct cy_doc_digest *d,
    const uint8_t nonce[CY_STREAM_NONCE_LEN])
{
	if ((d->ctx = cy_sha256_new()) == NULL)
		return CY_E_NOMEM;
	cy_sha256_update(d->ctx, CY_PAYLOAD_DIGEST_PREFIX,
	    strlen(CY_PAYLOAD_DIGEST_PREFIX));
	cy_sha256_update(d->ctx, nonce, CY_STREAM_NONCE_LEN);
	return 0;
}

/* A header with the recipients' stanzas of `from` and a label stanza. */
static int
header_with_label(cy_header *out, const cy_header *from, size_t nrcpt,
    char mark, const uint8_t *body, size_t len)
{
	const char mark_arg[2] = {mark, '\0'};
	const char *args[1] = {mark_arg};
	const cy_stanza *s;
	size_t i;
	int r;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < nrcpt; i++) {
		s = &from->stanzas[i];
		if ((r = cy_header_add(out, s->type, (const char *const *)s->args,
		    s->nargs, s->body, s->body_len)) != 0)
			return r;
	}
	return cy_header_add(out, CY_LABEL_STANZA, args, 1, body, len);
}

struct seal_state {
	const struct cy_doc_raw_seal *p;
	uint8_t *file_key;
	cy_header h;          /* recipients + placeholder label */
	size_t label_len;
	uint8_t stanzas[CY_SHA256_LEN], payload[CY_SHA256_LEN];
};

/* Recipient i's stanza kind: hybrid when the file is post-quantum,
 * through the registry when it is registry-mediated.  (A forgery in a
 * test may leave a key or copy-id empty to mix kinds.) */
static int
stanza_recipient(const struct cy_doc_raw_seal *p, size_t i,
    cy_recipient **rc, cy_error *err)
{
	const uint8_t *pq = p->seal_pq_keys != NULL ? p->seal_pq_keys[i] : NULL;
	int release = p->release_doc_id != NULL && p->copy_ids[i][0] != '\0';

	if (release && pq != NULL)
		return cy_release_pq_recipient(pq, p->release_doc_id,
		    p->copy_ids[i], p->release_secrets[i], rc, err);
	if (release)
		return cy_release_recipient(p->seal_keys[i], p->release_doc_id,
		    p->copy_ids[i], p->release_secrets[i], rc, err);
	if (pq != NULL)
		return cy_pq_recipient_from_pub(pq, rc, err);
	return cy_recipient_x25519(p->seal_keys[i], rc, err);
}

static int
seal_header(struct seal_state *st, cy_buf *out, cy_error *err)
{
	const struct cy_doc_raw_seal *p = st->p;
	cy_recipient *rc;
	cy_header tmp;
	uint8_t *zeros = NULL;
	size_t i;
	int r;

	memset(&tmp, 0, sizeof(tmp));
	if (p->label.nrecipients == 0)
		return cy_error_set(err, CY_E_USAGE, "no recipients");
	if (p->release_doc_id != NULL &&
	    (p->copy_ids == NULL || p->release_secrets == NULL))
		return cy_error_set(err, CY_E_USAGE,
		    "release stanzas need a copy-id and R per recipient");
	/* In the label's order: stanza i is recipient i's. */
	for (i = 0; i < p->label.nrecipients; i++) {
		if ((r = stanza_recipient(p, i, &rc, err)) != 0)
			goto out;
		r = rc->wrap(rc, st->file_key, &tmp, err);
		cy_recipient_free(rc);
		if (r != 0)
			goto out;
	}
	if ((r = cy_label_size(&p->label, &st->label_len, err)) != 0)
		goto out;
	if ((zeros = calloc(1, st->label_len + CY_AEAD_TAG_LEN)) == NULL) {
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	/* Reserve the label's space; its bytes come after the payload. */
	if ((r = header_with_label(&st->h, &tmp, tmp.nstanzas,
	    cy_level_mark(p->label.level), zeros,
	    st->label_len + CY_AEAD_TAG_LEN)) != 0 ||
	    (r = cy_header_encode(&st->h, st->file_key, out)) != 0) {
		cy_error_set(err, r, "cannot build the header");
		goto out;
	}
	cy_doc_stanzas_digest(&st->h, st->h.nstanzas - 1, st->stanzas);
out:
	free(zeros);
	cy_header_free(&tmp);
	return r;
}

/* After the payload: the signed label, encrypted, into the reserved
 * space; the header MAC recomputed over the final header. */
static int
seal_label(struct seal_state *st, int out_fd, off_t start, size_t hdr_len,
    cy_error *err)
{
	cy_buf text = CY_BUF_INIT, hdr = CY_BUF_INIT;
	uint8_t *body = NULL;
	cy_header final;
	ssize_t n;
	int r;

	memset(&final, 0, sizeof(final));
	if ((r = cy_label_build(&st->p->label, st->stanzas, st->payload,
	    st->p->signer, &text, err)) != 0)
		goto out;
	if (text.len != st->label_len) {
		r = cy_error_set(err, CY_E_CRYPTO, "label size changed while sealing");
		goto out;
	}
	if ((body = malloc(text.len + CY_AEAD_TAG_LEN)) == NULL) {
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	if ((r = label_crypt(st->file_key, text.data, text.len, body, 1)) != 0 ||
	    (r = header_with_label(&final, &st->h, st->h.nstanzas - 1,
	    cy_level_mark(st->p->label.level), body,
	    text.len + CY_AEAD_TAG_LEN)) != 0 ||
	    (r = cy_header_encode(&final, st->file_key, &hdr)) != 0) {
		cy_error_set(err, r, "cannot seal the label");
		goto out;
	}
	if (hdr.len != hdr_len) {
		r = cy_error_set(err, CY_E_CRYPTO, "header size changed while sealing");
		goto out;
	}
	n = pwrite(out_fd, hdr.data, hdr.len, start);
	if (n < 0 || (size_t)n != hdr.len) {
		r = cy_error_set(err, CY_E_IO, "cannot write the label: %s",
		    strerror(errno));
		goto out;
	}
	if (st->p->label_out != NULL) {
		cy_buf_append(st->p->label_out, text.data, text.len);
		if (cy_buf_status(st->p->label_out) != 0)
			r = cy_error_set(err, CY_E_NOMEM, "out of memory");
	}
out:
	cy_header_free(&final);
	cy_buf_free(&text);
	cy_buf_free(&hdr);
	free(body);
	return r;
}

static int
seal_payload(struct seal_state *st, struct cy_src *in, int out_fd,
    const uint8_t nonce[CY_STREAM_NONCE_LEN], cy_error *err)
{
	struct cy_sink sink = {out_fd, NULL, NULL, CY_BUF_INIT};
	struct cy_doc_digest d = {0};
	cy_stream_params sp;
	int r;

	memset(&sp, 0, sizeof(sp));
	if ((r = cy_stream_key(st->file_key, nonce, sp.key)) != 0 ||
	    (r = cy_doc_digest_start(&d, nonce)) != 0)
		goto out;
	cy_stream_plumb(&sp, in, &sink, st->p->io.threads, st->p->io.progress,
	    st->p->io.progress_ctx, st->p->io.size_hint);
	sp.hash = cy_doc_digest_chunk;
	sp.hash_ctx = &d;
	if ((r = cy_stream_run(&sp, err)) != 0)
		goto out;
	r = cy_sha256_final(d.ctx, st->payload, err);
	d.ctx = NULL;
out:
	cy_sha256_free(d.ctx);
	cy_wipe(sp.key, sizeof(sp.key));
	cy_sink_close(&sink);
	return r;
}

/* One pass into a seekable file: header with space for the label, nonce,
 * payload, then the label and MAC written back over the header. */
static int
seal_seekable(int in_fd, const uint8_t *mem, size_t memlen, int mapped,
    int out_fd, const struct cy_doc_raw_seal *p, cy_error *err)
{
	struct seal_state st;
	struct cy_src in;
	cy_buf hdr = CY_BUF_INIT;
	uint8_t nonce[CY_STREAM_NONCE_LEN];
	off_t start;
	size_t hdr_len;
	int r;

	memset(&st, 0, sizeof(st));
	st.p = p;
	memset(&in, 0, sizeof(in));
	if ((start = lseek(out_fd, 0, SEEK_CUR)) < 0)
		return cy_error_set(err, CY_E_IO, "output is not seekable");
	if ((st.file_key = cy_secret_alloc(CY_FILE_KEY_LEN)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	cy_random(st.file_key, CY_FILE_KEY_LEN);
	if ((r = cy_src_open(&in, in_fd, mem, memlen, 0, err)) != 0)
		goto out;
	in.mapped = mapped;
	if ((r = seal_header(&st, &hdr, err)) != 0)
		goto out;
	hdr_len = hdr.len;
	cy_random(nonce, sizeof(nonce));
	cy_buf_append(&hdr, nonce, sizeof(nonce));
	if ((r = cy_buf_status(&hdr)) != 0)
		goto out;
	if (cy_write_all(out_fd, hdr.data, hdr.len) != 0) {
		r = cy_error_set(err, CY_E_IO, "write: %s", strerror(errno));
		goto out;
	}
	if ((r = seal_payload(&st, &in, out_fd, nonce, err)) != 0 ||
	    (r = seal_label(&st, out_fd, start, hdr_len, err)) != 0)
		goto out;
out:
	cy_src_close(&in);
	cy_header_free(&st.h);
	cy_secret_free(st.file_key);
	cy_buf_free(&hdr);
	return r;
}

static int
spool_copy(int from, int out_fd, int armor, cy_error *err)
{
	struct cy_sink sink = {out_fd, NULL, NULL, CY_BUF_INIT};
	uint8_t buf[SPOOL_COPY];
	ssize_t n;
	int r = 0;

	if (lseek(from, 0, SEEK_SET) != 0)
		return cy_error_set(err, CY_E_IO, "cannot rewind the spool file");
	if (armor && (sink.armor = cy_armor_enc_new()) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	while (r == 0 && (n = cy_read_full(from, buf, sizeof(buf))) > 0)
		r = cy_sink_write(&sink, buf, (size_t)n, err);
	if (r == 0 && n < 0)
		r = cy_error_set(err, CY_E_IO, "cannot read the spool file");
	if (r == 0)
		r = cy_sink_finish(&sink, err);
	cy_sink_close(&sink);
	return r;
}

static int
seekable_file(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    lseek(fd, 0, SEEK_CUR) >= 0;
}

int
cy_doc_seal_raw_fd(int in_fd, int out_fd, const struct cy_doc_raw_seal *p,
    cy_error *err)
{
	size_t maplen = 0, start = 0;
	uint8_t *m;
	int target, spool = -1, r;

	if (p->signer == NULL || p->seal_keys == NULL)
		return cy_error_set(err, CY_E_USAGE, "a signer and recipients are required");
	target = out_fd;
	if (p->io.armor || !seekable_file(out_fd)) {
		if ((spool = cy_file_spool(err)) < 0)
			return spool;
		target = spool;
	}
	if ((m = cy_map_input(in_fd, &maplen, &start)) != NULL) {
		r = seal_seekable(-1, m + start, maplen - start, 1, target, p,
		    err);
		munmap(m, maplen);
	} else {
		r = seal_seekable(in_fd, NULL, 0, 0, target, p, err);
	}
	if (r == 0 && spool >= 0)
		r = spool_copy(spool, out_fd, p->io.armor, err);
	if (spool >= 0)
		close(spool);
	return r;
}

/* --- opening --- */

/* The label stanza must be the last one and appear once. */
int
cy_doc_find_label(const cy_header *h, size_t *idx, char *mark, cy_error *err)
{
	size_t i, found = h->nstanzas;
	const cy_stanza *s;

	for (i = 0; i < h->nstanzas; i++) {
		if (strcmp(h->stanzas[i].type, CY_LABEL_STANZA) != 0)
			continue;
		if (found != h->nstanzas)
			return cy_error_set(err, CY_E_HEADER,
			    "two label stanzas: the file was tampered with");
		found = i;
	}
	*mark = 0;
	if (found == h->nstanzas)
		return CY_E_NOT_FOUND;
	if (found != h->nstanzas - 1)
		return cy_error_set(err, CY_E_HEADER,
		    "the label stanza is not the last stanza: the file was tampered with");
	s = &h->stanzas[found];
	if (s->nargs != 1 || strlen(s->args[0]) != 1 ||
	    (s->args[0][0] != 'A' && s->args[0][0] != 'B' && s->args[0][0] != 'C'))
		return cy_error_set(err, CY_E_HEADER,
		    "malformed label stanza: the outer mark must be A, B or C");
	if (s->body_len < CY_AEAD_TAG_LEN ||
	    s->body_len > CY_LABEL_MAX + CY_AEAD_TAG_LEN)
		return cy_error_set(err, CY_E_HEADER,
		    "malformed label stanza: bad body size");
	*idx = found;
	*mark = s->args[0][0];
	return 0;
}

int
cy_doc_inspect_fd(int in_fd, cy_header *h, char *mark, cy_error *err)
{
	struct cy_src in;
	size_t idx;
	int r;

	if ((r = cy_src_open(&in, in_fd, NULL, 0, 1, err)) == 0 &&
	    (r = cy_age_read_header(&in, h, err)) == 0) {
		r = cy_doc_find_label(h, &idx, mark, err);
		if (r == CY_E_NOT_FOUND)
			r = 0;
		if (r != 0)
			cy_header_free(h);
	}
	cy_src_close(&in);
	return r;
}

/* A chain that verified at the creation time may be revoked from a later
 * time, by a reason that keeps earlier signatures: the reader is told. */
static void
revocation_note(const cy_chain *chain, const cy_trust *trust,
    cy_doc_info *info)
{
	char t1[CY_TIME_STR_MAX], t2[CY_TIME_STR_MAX];
	const cy_cert *c;
	const char *reason;
	int64_t since;

	if (cy_chain_revoked_ever(chain, trust->root, trust->crls, trust->ncrls,
	    &c, &since, &reason))
		cy_error_set(&info->signer_revoked, CY_E_REVOKED,
		    "%s's certificate is revoked since %s (%s); this document "
		    "says it was sealed before, on %s", cy_cert_name(c),
		    cy_time_str(since, t1), reason,
		    cy_time_str(cy_label_created(info->label), t2));
}

/* The policy's rules for `action` (seal: the sealer alone at the creation
 * time; open: the reader now, offline) on the label's document. */
static int
check_policy(const cy_label *l, int action, const cy_policy_party *actor,
    int64_t at, cy_error *err)
{
	const char **serials;
	cy_policy_request rq;
	cy_policy_doc d;
	int r;

	if ((serials = calloc(CY_LABEL_RECIPIENTS_MAX, sizeof(*serials))) ==
	    NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	cy_doc_policy_doc(l, serials, &d);
	memset(&rq, 0, sizeof(rq));
	rq.action = action;
	rq.time = at;
	rq.actor = actor;
	rq.doc = &d;
	rq.offline = action == CY_ACT_OPEN;
	r = cy_policy_check(&rq, err);
	free(serials);
	return r;
}

int
cy_doc_label_signer(const cy_label *l, char mark, const cy_trust *trust,
    cy_cert **signer, cy_chain **chain_out, cy_error *err)
{
	const uint8_t *chain_bytes;
	cy_chain *chain = NULL;
	cy_policy_party sealer;
	size_t chain_len;
	int r;

	*signer = NULL;
	if (trust == NULL || trust->root == NULL)
		return cy_error_set(err, CY_E_USAGE,
		    "a trusted root is needed to verify a classified document");
	if (cy_level_mark(cy_label_level(l)) != mark)
		return cy_error_set(err, CY_E_SIGNATURE,
		    "the outer mark %c does not match the label's level %s",
		    mark, cy_level_display(cy_label_level(l)));
	chain_bytes = cy_label_signer_chain(l, &chain_len);
	if ((r = cy_chain_parse(chain_bytes, chain_len, &chain, err)) != 0) {
		cy_error_wrap(err, "the sealer's certificate chain");
		goto out;
	}
	/* The sealer's chain at the creation time, its signature, then the
	 * policy's sealing rules (role, clearance, compartments, unit, the
	 * protection period) at that time. */
	if ((r = cy_doc_party(chain, trust, cy_label_created(l), signer,
	    &sealer, err)) != 0) {
		cy_error_wrap(err, "sealer");
		goto out;
	}
	if ((r = cy_label_verify_signature(l, cy_cert_sign_public(*signer),
	    err)) != 0 ||
	    (r = check_policy(l, CY_ACT_SEAL, &sealer, cy_label_created(l),
	    err)) != 0)
		goto out;
	if (chain_out != NULL) {
		*chain_out = chain;
		chain = NULL;
	}
out:
	if (r != 0) {
		cy_cert_free(*signer);
		*signer = NULL;
	}
	cy_chain_free(chain);
	return r;
}

/* Decrypts, parses and verifies the label against everything it binds. */
static int
verify_label(const cy_header *h, size_t idx, char mark,
    const uint8_t *file_key, const cy_trust *trust, cy_doc_info *info,
    cy_error *err)
{
	const cy_stanza *s = &h->stanzas[idx];
	uint8_t *text = NULL, digest[CY_SHA256_LEN];
	int r;
	cy_chain *chain = NULL;
	size_t len = s->body_len - CY_AEAD_TAG_LEN;

	if (trust == NULL || trust->root == NULL)
		return cy_error_set(err, CY_E_USAGE,
		    "a trusted root is needed to verify a classified document");
	if ((text = malloc(len + 1)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	if (label_crypt(file_key, s->body, s->body_len, text, 0) != 0) {
		r = cy_error_set(err, CY_E_HEADER,
		    "the label does not decrypt: the file was tampered with");
		goto out;
	}
	if ((r = cy_label_parse(text, len, &info->label, err)) != 0 ||
	    (r = cy_doc_label_signer(info->label, mark, trust, &info->signer,
	    &chain, err)) != 0)
		goto out;
	cy_doc_stanzas_digest(h, idx, digest);
	if (!cy_memeq(digest, cy_label_stanzas_sha256(info->label), sizeof(digest))) {
		r = cy_error_set(err, CY_E_SIGNATURE,
		    "the recipient stanzas differ from those the sealer signed: the file was tampered with");
		goto out;
	}
	revocation_note(chain, trust, info);
out:
	cy_chain_free(chain);
	if (text != NULL)
		cy_wipe(text, len);
	free(text);
	return r;
}

/* The creation time is the sealer's claim: not in the future; inside a
 * certificate that has expired since, flagged for the reader. */
static int
check_created(cy_doc_info *info, int64_t now, cy_error *err)
{
	char t1[CY_TIME_STR_MAX], t2[CY_TIME_STR_MAX];
	int64_t created = cy_label_created(info->label);

	if (created > now && created - now > CY_DOC_CLOCK_SKEW)
		return cy_error_set(err, CY_E_POLICY,
		    "the label's creation time %s is in the future (now %s, "
		    "%d s of clock skew allowed): the sealer's clock or the "
		    "label is wrong", cy_time_str(created, t1),
		    cy_time_str(now, t2), CY_DOC_CLOCK_SKEW);
	if (cy_cert_not_after(info->signer) < now)
		info->signer_expired = cy_cert_not_after(info->signer);
	return 0;
}

int
cy_doc_release_stanzas_check(const cy_header *h, size_t n,
    char doc_id[CY_RELEASE_ID_SIZE], cy_error *err)
{
	char doc[CY_RELEASE_ID_SIZE], copy[CY_RELEASE_ID_SIZE];
	size_t i, j;
	int r;

	for (i = 0; i < n; i++) {
		if ((r = cy_release_stanza_ids(&h->stanzas[i], doc, copy,
		    err)) != 0) {
			if (r == CY_E_NO_MATCH)
				r = cy_error_set(err, CY_E_POLICY, "stanza %zu is "
				    "%.32s, not %s: a registry-mediated document's "
				    "recipient stanzas are all release stanzas",
				    i + 1, h->stanzas[i].type, CY_RELEASE_STANZA);
			return r;
		}
		if (i == 0)
			memcpy(doc_id, doc, CY_RELEASE_ID_SIZE);
		else if (strcmp(doc, doc_id) != 0)
			return cy_error_set(err, CY_E_POLICY, "release stanza %zu "
			    "is for document %s, stanza 1 for %s: one document's "
			    "copies carry one doc-id", i + 1, doc, doc_id);
		/* n is at most CY_LABEL_RECIPIENTS_MAX: the square is small. */
		for (j = 0; j < i; j++)
			if (strcmp(h->stanzas[j].args[1], copy) == 0)
				return cy_error_set(err, CY_E_POLICY, "release "
				    "stanzas %zu and %zu are both copy %s: each copy "
				    "has its own id", j + 1, i + 1, copy);
	}
	return 0;
}

/* The recipient stanza kinds of a classified document, in an order that
 * names the classical kind of a pair first. */
static const char *const kind_names[CY_DOC_KINDS] = {
	CY_X25519_STANZA, CY_RELEASE_STANZA, CY_PQ_STANZA, CY_RELEASE_PQ_STANZA,
};

int
cy_doc_stanza_kind(const char *type)
{
	int k;

	for (k = 0; k < CY_DOC_KINDS; k++)
		if (strcmp(type, kind_names[k]) == 0)
			return k;
	return -1;
}

int
cy_doc_kinds_check(const cy_header *h, size_t n, const cy_label *l,
    int *kind, cy_error *err)
{
	size_t i, count[CY_DOC_KINDS] = {0};
	int k, a = -1, b = -1;

	for (i = 0; i < n; i++) {
		if ((k = cy_doc_stanza_kind(h->stanzas[i].type)) < 0)
			return cy_error_set(err, CY_E_POLICY,
			    "stanza %zu is %.32s, not X25519, %s, %s or %s: a "
			    "classified document is sealed to its recipients' "
			    "certificate keys only", i + 1, h->stanzas[i].type,
			    CY_PQ_STANZA, CY_RELEASE_STANZA, CY_RELEASE_PQ_STANZA);
		count[k]++;
		if (a < 0)
			a = k;
		else if (k != a && b < 0)
			b = k;
	}
	if (b >= 0) {
		k = a < b ? a : b;
		b = a < b ? b : a;
		a = k;
		return cy_error_set(err, CY_E_POLICY, "the header mixes %zu %s "
		    "and %zu %s stanzas: %s", count[a], kind_names[a], count[b],
		    kind_names[b], CY_DOC_KIND_PQ(a) != CY_DOC_KIND_PQ(b) ?
		    "a classified document is sealed all post-quantum or all "
		    "classical, never both" : "a classified document is sealed "
		    "either directly or through the registry, never both");
	}
	*kind = a;
	/* Classical TUYỆT MẬT only with the sealer's leave, which it signed;
	 * a file resealed post-quantum since keeps the record. */
	if (a >= 0 && !CY_DOC_KIND_PQ(a) &&
	    cy_label_level(l) == CY_LEVEL_TUYET_MAT &&
	    !cy_label_classical_allowed(l))
		return cy_error_set(err, CY_E_POLICY, "TUYỆT MẬT document sealed "
		    "classically without the sealer's --allow-classical");
	return 0;
}

/* The sealer signed the stanzas (stanzas-sha256): one per named
 * recipient, all of one kind (cy_doc_kinds_check): X25519 or
 * mlkem768x25519 (sealed directly: which stanza is whose only its holder
 * can tell), or release stanzas (registry-mediated: one doc-id, distinct
 * copy-ids, stanza i is recipient i's copy). */
static int
check_stanzas(const cy_header *h, size_t idx, cy_doc_info *info,
    cy_error *err)
{
	const cy_label *l = info->label;
	char doc_id[CY_RELEASE_ID_SIZE];
	int r, kind = -1;

	if ((r = cy_doc_kinds_check(h, idx, l, &kind, err)) != 0)
		return r;
	info->post_quantum = kind >= 0 && CY_DOC_KIND_PQ(kind);
	if (idx != cy_label_recipient_count(l))
		return cy_error_set(err, CY_E_POLICY,
		    "the label names %zu recipients but the header holds %zu "
		    "recipient stanzas: each named recipient must have exactly "
		    "one", cy_label_recipient_count(l), idx);
	return CY_DOC_KIND_RELEASE(kind) ?
	    cy_doc_release_stanzas_check(h, idx, doc_id, err) : 0;
}

/* Registry-mediated: the copy the reader opened must be the reader's,
 * stanza i being label recipient i's (the stanzas are distinct copies,
 * checked before). */
static int
check_copy_owner(const cy_header *h, const cy_identity *opened,
    const cy_label *l, const cy_cert *leaf, cy_error *err)
{
	const char *copy = opened->release->copy_id;
	size_t i, n = cy_label_recipient_count(l);

	for (i = 0; i < n && i < h->nstanzas; i++)
		if (strcmp(h->stanzas[i].args[1], copy) == 0)
			break;
	if (i == n || i == h->nstanzas)
		return cy_error_set(err, CY_E_POLICY, "copy %s is not in the "
		    "header", copy);
	if (strcmp(cy_label_recipient(l, i), cy_cert_serial(leaf)) != 0)
		return cy_error_set(err, CY_E_POLICY, "copy %s belongs to "
		    "recipient %s, not to the reader", copy,
		    cy_label_recipient(l, i));
	return 0;
}

/* 1 when the reader's certificate certifies the key identity id opens
 * stanzas with: its X25519 seal-key (X25519 and release identities) or
 * its hybrid seal-pq-key (hybrid and release-pq identities). */
static int
identity_certified(const cy_identity *id, const cy_cert *leaf)
{
	const uint8_t *pq = cy_cert_seal_pq_public(leaf), *mine;

	switch (id->kind) {
	case CY_KIND_X25519:
	case CY_KIND_RELEASE:
		return memcmp(id->pub, cy_cert_seal_public(leaf),
		    CY_X25519_KEY_LEN) == 0;
	case CY_KIND_PQ:
	case CY_KIND_RELEASE_PQ:
		mine = cy_pq_identity_public(id->kind == CY_KIND_PQ ? id :
		    id->pq_inner);
		return pq != NULL && mine != NULL &&
		    memcmp(mine, pq, CY_PQ_PUB_LEN) == 0;
	default:
		return 0;
	}
}

/* The reader's certified key (X25519 or hybrid) must be one of the
 * identities, whose stanza yields this file key; a release stanza must be
 * the reader's own copy. */
static int
check_reader_key(const cy_header *h, const cy_doc_open_params *p,
    const cy_label *l, const cy_cert *leaf, const uint8_t *file_key,
    cy_error *err)
{
	cy_identity *const *id = p->identities;
	const cy_identity *opened = NULL;
	uint8_t *key = NULL;
	cy_open_params op;
	size_t i;
	int r = 0, certified = 0;

	if ((key = cy_secret_alloc(CY_FILE_KEY_LEN)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	memset(&op, 0, sizeof(op));
	op.nidentities = 1;
	for (i = 0; i < p->nidentities && opened == NULL; i++) {
		if (!identity_certified(id[i], leaf))
			continue;
		certified = 1;
		op.identities = &id[i];
		if (cy_age_unwrap(h, &op, key, NULL) == 0 &&
		    cy_memeq(key, file_key, CY_FILE_KEY_LEN))
			opened = id[i];
	}
	if (!certified)
		r = cy_error_set(err, CY_E_POLICY,
		    "the key is not the one certified in the reader's chain "
		    "(serial %s)", cy_cert_serial(leaf));
	else if (opened == NULL)
		r = cy_error_set(err, CY_E_POLICY,
		    "no stanza yields the file key to the key of the reader's "
		    "certificate (serial %s)%s", cy_cert_serial(leaf),
		    h->nstanzas > 0 &&
		    CY_DOC_KIND_PQ(cy_doc_stanza_kind(h->stanzas[0].type)) &&
		    cy_cert_seal_pq_public(leaf) == NULL ? ": the file is "
		    "post-quantum and the certificate has no seal-pq-key" : "");
	else if (opened->kind == CY_KIND_RELEASE ||
	    opened->kind == CY_KIND_RELEASE_PQ)
		r = check_copy_owner(h, opened, l, leaf, err);
	cy_secret_free(key);
	return r;
}

/* The reader, when its chain is known: entitled now, holding the key that
 * opened the file, and named by the label. */
static int
check_reader(const cy_header *h, const cy_doc_open_params *p,
    const uint8_t *file_key, int64_t now, cy_doc_info *info, cy_error *err)
{
	cy_policy_party reader;
	int r;

	if (p->reader == NULL)
		return 0;
	if ((r = cy_doc_party(p->reader, p->trust, now, &info->reader, &reader,
	    err)) != 0 ||
	    (r = check_reader_key(h, p, info->label, info->reader, file_key,
	    err)) != 0) {
		cy_error_wrap(err, "reader");
		return r;
	}
	return check_policy(info->label, CY_ACT_OPEN, &reader, now, err);
}

static int
discard_write(void *ctx, const uint8_t *p, size_t len, cy_error *err)
{
	return 0;
}

/* What a pass does with the payload: write it (while hashing, when the
 * output stays private until the digest is checked), or discard it after
 * authenticating each chunk, or only hash the stored chunks and keep their
 * hashes, or write it checking each chunk against those hashes. */
enum pass { PASS_WRITE, PASS_CHECK, PASS_HASH, PASS_OUTPUT };

/* The most chunks a verifying pass keeps the hashes of: 128 MiB of hashes
 * for 256 GiB of payload. */
#define VERIFY_FIRST_MAX_CHUNKS ((uint64_t)1 << 22)

/* What the hashing pass saw, which the output pass must see again. */
struct seen {
	uint8_t nonce[CY_STREAM_NONCE_LEN];
	uint8_t digest[CY_SHA256_LEN];
	uint8_t (*hashes)[CY_SHA256_LEN]; /* each stored chunk's SHA-256 */
	uint64_t nchunks, cap;
};

/* Room for the hashes of every chunk that len bytes of input can hold. */
static int
seen_alloc(struct seen *v, uint64_t len, cy_error *err)
{
	uint64_t cap = len / CY_STREAM_ENC_CHUNK + 1;

	if (cap > VERIFY_FIRST_MAX_CHUNKS)
		return cy_error_set(err, CY_E_TOO_LARGE,
		    "the input is too large to verify before any of it is "
		    "written (the limit is %llu GiB): open it into a regular "
		    "file instead", (unsigned long long)(VERIFY_FIRST_MAX_CHUNKS *
		    CY_STREAM_CHUNK >> 30));
	if ((v->hashes = malloc((size_t)cap * CY_SHA256_LEN)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	v->cap = cap;
	return 0;
}

/* Sets up the pass's digest (all but PASS_CHECK, for a labelled file) and
 * the output pass's check that it reads what the hashing pass read. */
static int
pass_plan(cy_stream_params *sp, struct cy_doc_digest *d, enum pass what,
    struct seen *v, const uint8_t nonce[CY_STREAM_NONCE_LEN], cy_error *err)
{
	int r;

	if (v == NULL || what == PASS_CHECK)
		return 0;
	if (what == PASS_OUTPUT &&
	    memcmp(nonce, v->nonce, CY_STREAM_NONCE_LEN) != 0)
		return cy_error_set(err, CY_E_PAYLOAD, CY_STREAM_CHANGED
		    " (its payload nonce differs): nothing was written");
	if ((r = cy_doc_digest_start(d, nonce)) != 0)
		return cy_error_set(err, r, "out of memory");
	sp->hash = cy_doc_digest_chunk;
	sp->hash_ctx = d;
	if (what == PASS_HASH) {
		memcpy(v->nonce, nonce, CY_STREAM_NONCE_LEN);
		d->keep = v->hashes;
		d->cap = v->cap;
	} else if (what == PASS_OUTPUT) {
		sp->expect = (const uint8_t (*)[CY_SHA256_LEN])v->hashes;
		sp->nexpect = v->nchunks;
	}
	return 0;
}

/* After a pass: what it saw, or whether it saw what the hashing pass did. */
static int
pass_result(struct cy_doc_digest *d, enum pass what, struct seen *v, cy_error *err)
{
	uint8_t digest[CY_SHA256_LEN];
	int r;

	if (d->ctx == NULL)
		return 0;
	r = cy_sha256_final(d->ctx, digest, err);
	d->ctx = NULL;
	if (r != 0)
		return r;
	if (what == PASS_OUTPUT && (d->n != v->nchunks ||
	    !cy_memeq(digest, v->digest, CY_SHA256_LEN)))
		return cy_error_set(err, CY_E_PAYLOAD, CY_STREAM_CHANGED
		    " (%llu chunks, not %llu): the output is incomplete",
		    (unsigned long long)d->n, (unsigned long long)v->nchunks);
	if (what == PASS_HASH && d->n > d->cap)
		return cy_error_set(err, CY_E_PAYLOAD,
		    "more chunks than the input can hold: the input is changing");
	memcpy(v->digest, digest, CY_SHA256_LEN);
	v->nchunks = d->n;
	return 0;
}

/* One pass over the payload from a fresh reader positioned after the
 * header.  v is NULL for a plain age file. */
/* Where an open reads the file: a mapping, or a source read by offset. */
struct doc_input {
	const uint8_t *mem;
	size_t len;
	const cy_source *src;
};

static int
input_open(struct cy_src *s, const struct doc_input *in, cy_error *err)
{
	int r;

	if (in->src != NULL)
		return cy_src_open_source(s, in->src, 1, err);
	if ((r = cy_src_open(s, -1, in->mem, in->len, 1, err)) == 0)
		s->mapped = 1; /* cy_doc_open_fd maps its input */
	return r;
}

static uint64_t
input_size(const struct doc_input *in)
{
	return in->src != NULL ? in->src->size : in->len;
}

static int
payload_pass(const struct doc_input *input, const cy_doc_open_params *p,
    const uint8_t *file_key, int out_fd, enum pass what, struct seen *v,
    cy_error *err)
{
	struct cy_sink sink = {out_fd, NULL, NULL, CY_BUF_INIT};
	struct cy_src in;
	struct cy_doc_digest d = {0};
	uint8_t nonce[CY_STREAM_NONCE_LEN];
	cy_stream_params sp;
	cy_header h;
	int r;

	memset(&sp, 0, sizeof(sp));
	memset(&h, 0, sizeof(h));
	if ((r = input_open(&in, input, err)) != 0)
		goto out;
	if ((r = cy_age_read_header(&in, &h, err)) != 0 ||
	    (r = cy_age_payload_key(&in, file_key, nonce, sp.key, err)) != 0)
		goto out;
	sp.decrypt = 1;
	cy_stream_plumb(&sp, &in, &sink, p->threads, p->progress,
	    p->progress_ctx, p->size_hint);
	if ((r = pass_plan(&sp, &d, what, v, nonce, err)) != 0)
		goto out;
	/* A hashing pass releases nothing, so the signed digest alone
	 * decides; the output pass after it checks every chunk against the
	 * hashes the digest was made of before it writes the chunk. */
	if (what == PASS_CHECK || what == PASS_HASH) {
		sp.write = discard_write;
		sp.hash_only = what == PASS_HASH;
	}
	if ((r = cy_stream_run(&sp, err)) != 0)
		goto out;
	r = pass_result(&d, what, v, err);
out:
	cy_sha256_free(d.ctx);
	cy_wipe(sp.key, sizeof(sp.key));
	cy_header_free(&h);
	cy_src_close(&in);
	cy_sink_close(&sink);
	return r;
}

static int
check_digest(const cy_label *label, const uint8_t digest[CY_SHA256_LEN],
    cy_error *err)
{
	if (label != NULL && !cy_memeq(digest, cy_label_payload_digest(label),
	    CY_SHA256_LEN))
		return cy_error_set(err, CY_E_PAYLOAD,
		    "the content differs from what the sealer signed (payload digest mismatch): the file was tampered with");
	return 0;
}

/* A labelled file to a stream: a hashing pass, checked against the signed
 * digest, then an output pass that writes each chunk only once its hash
 * is the one the hashing pass saw.  A writer may change the file between
 * the passes, as the mapping shows later changes to it. */
static int
open_verify_first(const struct doc_input *in, const cy_doc_open_params *p,
    const uint8_t *file_key, int out_fd, const cy_label *label, cy_error *err)
{
	struct seen v;
	cy_error chunk_err;
	int r;

	memset(&v, 0, sizeof(v));
	if ((r = seen_alloc(&v, input_size(in), err)) != 0 ||
	    (r = payload_pass(in, p, file_key, out_fd, PASS_HASH, &v,
	    err)) != 0)
		goto out;
	if ((r = check_digest(label, v.digest, err)) != 0) {
		/* Only hashed so far: authenticate the chunks to say which
		 * one is damaged, if one is. */
		if (payload_pass(in, p, file_key, out_fd, PASS_CHECK,
		    NULL, &chunk_err) != 0 && err != NULL)
			*err = chunk_err;
		goto out;
	}
	r = payload_pass(in, p, file_key, out_fd, PASS_OUTPUT, &v, err);
out:
	free(v.hashes);
	return r;
}

static int
open_payload(const struct doc_input *in, const cy_doc_open_params *p,
    const uint8_t *file_key, int out_fd, const cy_label *label, cy_error *err)
{
	struct seen v;
	int r;

	if (p->mode == CY_DOC_OPEN_VERIFY_FIRST && label != NULL)
		return open_verify_first(in, p, file_key, out_fd, label, err);
	/* Written while verified: the caller keeps the output private. */
	memset(&v, 0, sizeof(v));
	if ((r = payload_pass(in, p, file_key, out_fd, PASS_WRITE,
	    label != NULL ? &v : NULL, err)) != 0)
		return r;
	return check_digest(label, v.digest, err);
}

/* The label the registry holds (its hash in doc.register) is the one in
 * the file: what the recipient reads is what was registered. */
static int
check_registered_label(const cy_doc_open_params *p, const cy_label *l,
    cy_error *err)
{
	uint8_t digest[CY_SHA256_LEN];
	const uint8_t *text;
	size_t len;

	if (p->label_sha256 == NULL)
		return 0;
	if (l == NULL)
		return cy_error_set(err, CY_E_SIGNATURE, "the file carries no "
		    "label, but one is registered for the document: it is not "
		    "the registered document");
	text = cy_label_bytes(l, &len);
	cy_sha256_digest(text, len, digest);
	if (!cy_memeq(digest, p->label_sha256, CY_SHA256_LEN))
		return cy_error_set(err, CY_E_SIGNATURE, "the file's label "
		    "differs from the one registered for the document "
		    "(label-sha256): the file is not the registered document");
	return 0;
}

static int
open_input(const struct doc_input *input, int out_fd,
    const cy_doc_open_params *p, cy_doc_info *info, cy_error *err)
{
	cy_open_params op;
	struct cy_src in;
	cy_header h;
	uint8_t *file_key = NULL;
	size_t idx = 0;
	char mark = 0;
	int r, labelled;
	int64_t now = p->now ? p->now : (int64_t)time(NULL);

	memset(&h, 0, sizeof(h));
	memset(&op, 0, sizeof(op));
	op.identities = p->identities;
	op.nidentities = p->nidentities;
	if ((r = input_open(&in, input, err)) != 0 ||
	    (r = cy_age_read_header(&in, &h, err)) != 0)
		goto out;
	r = cy_doc_find_label(&h, &idx, &mark, err);
	if (r != 0 && r != CY_E_NOT_FOUND)
		goto out;
	labelled = r == 0;
	if ((file_key = cy_secret_alloc(CY_FILE_KEY_LEN)) == NULL) {
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	if ((r = cy_age_unwrap(&h, &op, file_key, err)) != 0 ||
	    (r = cy_header_verify_mac(&h, file_key, err)) != 0)
		goto out;
	if (labelled && ((r = verify_label(&h, idx, mark, file_key, p->trust,
	    info, err)) != 0 ||
	    (r = check_created(info, now, err)) != 0 ||
	    (r = check_stanzas(&h, idx, info, err)) != 0 ||
	    (r = check_reader(&h, p, file_key, now, info, err)) != 0))
		goto out;
	if ((r = check_registered_label(p, info->label, err)) != 0)
		goto out;
	if (p->mode != CY_DOC_OPEN_LABEL_ONLY)
		r = open_payload(input, p, file_key, out_fd, info->label, err);
out:
	cy_src_close(&in);
	cy_header_free(&h);
	cy_secret_free(file_key);
	return r;
}

int
cy_doc_open_fd(int in_fd, int out_fd, const cy_doc_open_params *p,
    cy_doc_info *info, cy_error *err)
{
	struct doc_input input = {NULL, 0, NULL};
	size_t maplen = 0, start = 0;
	uint8_t *m;
	int r;

	memset(info, 0, sizeof(*info));
	if ((m = cy_map_input(in_fd, &maplen, &start)) == NULL)
		return cy_error_set(err, CY_E_IO,
		    "the input must be a non-empty regular file");
	input.mem = m + start;
	input.len = maplen - start;
	r = open_input(&input, out_fd, p, info, err);
	munmap(m, maplen);
	if (r != 0)
		cy_doc_info_free(info);
	return r;
}

int
cy_doc_open_source(const cy_source *src, int out_fd,
    const cy_doc_open_params *p, cy_doc_info *info, cy_error *err)
{
	struct doc_input input = {NULL, 0, src};
	int r;

	memset(info, 0, sizeof(*info));
	if (src == NULL || src->pread == NULL || src->size == 0)
		return cy_error_set(err, CY_E_USAGE,
		    "a source needs a read function and the input's size");
	if ((r = open_input(&input, out_fd, p, info, err)) != 0)
		cy_doc_info_free(info);
	return r;
}

void
cy_doc_info_free(cy_doc_info *info)
{
	cy_label_free(info->label);
	cy_cert_free(info->signer);
	cy_cert_free(info->reader);
	memset(info, 0, sizeof(*info));
}
