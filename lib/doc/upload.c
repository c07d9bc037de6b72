/* The registry's check of an uploaded document (document.h): what can be
 * verified of a registry-mediated file and its clear label without any
 * key.  The file is read once, in order, through the caller's source: the
 * hash of the whole file is of exactly the bytes that were checked. */
#include <stdlib.h>
#include <string.h>

#include "age/ageio.h"
#include "coyeu/document.h"
#include "coyeu/release.h"
#include "coyeu/secret.h"
#include "doc/docint.h"

struct cy_doc_upload {
	cy_label *label;
	cy_cert *signer;
	char doc_id[CY_RELEASE_ID_SIZE];
	char (*copy_ids)[CY_RELEASE_ID_SIZE]; /* stanza i = recipient i */
	size_t ncopies;
	uint8_t label_sha256[CY_SHA256_LEN];
	uint8_t sealed_sha256[CY_SHA256_LEN];
};

/* The caller's source, read strictly in order, each byte hashed once. */
struct hashed_source {
	const cy_source *src;
	cy_sha256_ctx *ctx;
	uint64_t pos, max;
};

static ssize_t
hashed_pread(void *ctx, uint8_t *buf, size_t len, uint64_t off,
    cy_error *err)
{
	struct hashed_source *hs = ctx;
	ssize_t n;

	if (off != hs->pos)
		return cy_error_set(err, CY_E_USAGE,
		    "the upload check reads its file in order");
	if ((n = hs->src->pread(hs->src->ctx, buf, len, off, err)) <= 0)
		return n;
	if ((uint64_t)n > len)
		return cy_error_set(err, CY_E_IO,
		    "the source returned more than was asked");
	if ((uint64_t)n > hs->max - hs->pos)
		return cy_error_set(err, CY_E_TOO_LARGE,
		    "the file grew past the limit of %llu bytes while it was "
		    "read", (unsigned long long)hs->max);
	cy_sha256_update(hs->ctx, buf, (size_t)n);
	hs->pos += (uint64_t)n;
	return n;
}

/* The engine's framing errors (CY_E_HEADER, CY_E_PAYLOAD) are, for an
 * upload, a malformed request; other codes (I/O, memory, the size cap)
 * keep theirs. */
static int
as_format(cy_error *err, int r, const char *what)
{
	if (r == CY_E_HEADER || r == CY_E_PAYLOAD || r == CY_E_ARMOR) {
		r = CY_E_FORMAT;
		if (err != NULL)
			err->code = r;
	}
	cy_error_wrap(err, "%s", what);
	return r;
}

/* Every stanza before the label's is a release stanza (coyeu.v1/release
 * or coyeu.v1/release-pq, not both) of one document,
 * each with its own copy-id, one per label recipient in order. */
static int
check_release_stanzas(const cy_header *h, size_t idx, const cy_label *l,
    cy_doc_upload *u, cy_error *err)
{
	char doc_id[CY_RELEASE_ID_SIZE];
	size_t i, j;
	int r, kind;

	if ((u->copy_ids = calloc(idx ? idx : 1, sizeof(*u->copy_ids))) ==
	    NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	for (i = 0; i < idx; i++) {
		r = cy_release_stanza_ids(&h->stanzas[i], doc_id,
		    u->copy_ids[i], err);
		if (r == CY_E_NO_MATCH)
			return cy_error_set(err, CY_E_POLICY,
			    "stanza %zu is %.32s, not %s: a document sent "
			    "through the registry is sealed to release stanzas "
			    "only", i + 1, h->stanzas[i].type,
			    CY_RELEASE_STANZA);
		if (r != 0)
			return as_format(err, r, "malformed release stanza");
		if (i == 0)
			memcpy(u->doc_id, doc_id, sizeof(doc_id));
		else if (strcmp(doc_id, u->doc_id) != 0)
			return cy_error_set(err, CY_E_FORMAT,
			    "stanza %zu is for document %s but stanza 1 for %s: "
			    "a file holds one document", i + 1, doc_id,
			    u->doc_id);
		for (j = 0; j < i; j++)
			if (strcmp(u->copy_ids[j], u->copy_ids[i]) == 0)
				return cy_error_set(err, CY_E_FORMAT,
				    "stanzas %zu and %zu have the same copy-id "
				    "%s: each copy needs its own", j + 1, i + 1,
				    u->copy_ids[i]);
	}
	u->ncopies = idx;
	/* All classical or all post-quantum; TUYỆT MẬT classical only as the
	 * label records it. */
	if ((r = cy_doc_kinds_check(h, idx, l, &kind, err)) != 0)
		return r;
	if (idx != cy_label_recipient_count(l))
		return cy_error_set(err, CY_E_POLICY,
		    "the label names %zu recipients but the file holds %zu "
		    "release stanzas: each named recipient must have exactly "
		    "one", cy_label_recipient_count(l), idx);
	return 0;
}

static int
discard(void *ctx, const uint8_t *p, size_t len, cy_error *err)
{
	return 0;
}

/* The payload: the nonce, then the stored chunks split as the stream
 * splits them (64 KiB and a tag each; the last one shorter, or full when
 * nothing follows it; a lone tag for an empty payload), hashed into the
 * payload digest, which must be the signed one. */
static int
check_payload(struct cy_src *in, const cy_label *l, cy_error *err)
{
	uint8_t nonce[CY_STREAM_NONCE_LEN], digest[CY_SHA256_LEN];
	struct cy_doc_digest d = {0};
	cy_stream_params sp;
	ssize_t n;
	int r;

	memset(&sp, 0, sizeof(sp));
	if ((n = cy_src_read(in, nonce, sizeof(nonce), err)) < 0)
		return (int)n;
	if ((size_t)n != sizeof(nonce))
		return cy_error_set(err, CY_E_FORMAT,
		    "the file ends before its payload nonce: it is truncated");
	if ((r = cy_doc_digest_start(&d, nonce)) != 0)
		return cy_error_set(err, r, "out of memory");
	/* No key: hash_only hashes each stored chunk and decrypts none. */
	sp.decrypt = 1;
	sp.hash_only = 1;
	sp.threads = 1;
	sp.read = cy_src_read;
	sp.read_ctx = in;
	sp.write = discard;
	sp.hash = cy_doc_digest_chunk;
	sp.hash_ctx = &d;
	if ((r = cy_stream_run(&sp, err)) != 0) {
		r = as_format(err, r, "the payload");
		goto out;
	}
	r = cy_sha256_final(d.ctx, digest, err);
	d.ctx = NULL;
	if (r == 0 && !cy_memeq(digest, cy_label_payload_digest(l),
	    sizeof(digest)))
		r = cy_error_set(err, CY_E_SIGNATURE,
		    "the payload differs from what the label's signer signed "
		    "(payload-digest): the file was altered, truncated or "
		    "extended, or the label is another file's");
out:
	cy_sha256_free(d.ctx);
	return r;
}

/* The header, the label's place and mark, the stanzas, the signer, then
 * the payload; in at the start of the file. */
static int
check_file(struct cy_src *in, const cy_trust *trust, cy_doc_upload *u,
    size_t label_len, cy_error *err)
{
	uint8_t digest[CY_SHA256_LEN];
	cy_header h;
	size_t idx = 0;
	char mark = 0;
	int r;

	memset(&h, 0, sizeof(h));
	if ((r = cy_age_read_header(in, &h, err)) != 0)
		return as_format(err, r, "the file's header");
	r = cy_doc_find_label(&h, &idx, &mark, err);
	if (r == CY_E_NOT_FOUND)
		r = cy_error_set(err, CY_E_FORMAT, "the file has no label "
		    "stanza: it is not a classified document");
	else if (r != 0)
		r = as_format(err, r, "the file's header");
	if (r != 0)
		goto out;
	/* Sealing reserves exactly the label and its tag. */
	if (h.stanzas[idx].body_len != label_len + CY_AEAD_TAG_LEN) {
		r = cy_error_set(err, CY_E_FORMAT,
		    "the file's label stanza holds %zu bytes, not the %zu of "
		    "the uploaded label and its tag: the label is another "
		    "file's", h.stanzas[idx].body_len,
		    label_len + CY_AEAD_TAG_LEN);
		goto out;
	}
	if ((r = check_release_stanzas(&h, idx, u->label, u, err)) != 0 ||
	    (r = cy_doc_label_signer(u->label, mark, trust, &u->signer, NULL,
	    err)) != 0)
		goto out;
	cy_doc_stanzas_digest(&h, idx, digest);
	if (!cy_memeq(digest, cy_label_stanzas_sha256(u->label),
	    sizeof(digest))) {
		r = cy_error_set(err, CY_E_SIGNATURE,
		    "the release stanzas differ from those the label's signer "
		    "signed (stanzas-sha256): the file was altered, or the "
		    "label is another file's");
		goto out;
	}
	r = check_payload(in, u->label, err);
out:
	cy_header_free(&h);
	return r;
}

int
cy_doc_upload_check(const cy_source *file, uint64_t max_size,
    const uint8_t *label, size_t label_len, const cy_trust *trust,
    cy_doc_upload **out, cy_error *err)
{
	struct hashed_source hs = {file, NULL, 0, max_size};
	cy_source wrapped = {hashed_pread, &hs, 0, NULL};
	struct cy_src in;
	cy_doc_upload *u = NULL;
	int r;

	memset(&in, 0, sizeof(in));
	if (out != NULL)
		*out = NULL;
	if (file == NULL || file->pread == NULL || label == NULL ||
	    trust == NULL || trust->root == NULL || out == NULL)
		return cy_error_set(err, CY_E_USAGE, "the upload check needs a "
		    "file, a label, a trusted root and a result");
	if (file->size > max_size)
		return cy_error_set(err, CY_E_TOO_LARGE, "the file is %llu "
		    "bytes, over the limit of %llu",
		    (unsigned long long)file->size,
		    (unsigned long long)max_size);
	if (label_len > CY_LABEL_MAX)
		return cy_error_set(err, CY_E_TOO_LARGE, "the label is %zu "
		    "bytes, over the limit of %d", label_len, CY_LABEL_MAX);
	if ((u = calloc(1, sizeof(*u))) == NULL ||
	    (hs.ctx = cy_sha256_new()) == NULL) {
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	if ((r = cy_label_parse(label, label_len, &u->label, err)) != 0) {
		cy_error_wrap(err, "the uploaded label");
		goto out;
	}
	cy_sha256_digest(label, label_len, u->label_sha256);
	wrapped.size = file->size;
	if ((r = cy_src_open_source(&in, &wrapped, 0, err)) != 0 ||
	    (r = check_file(&in, trust, u, label_len, err)) != 0)
		goto out;
	/* The stream read to the end: every byte was hashed, once. */
	if (hs.pos != file->size) {
		r = cy_error_set(err, CY_E_IO, "the file changed while it was "
		    "checked (%llu bytes read, %llu expected)",
		    (unsigned long long)hs.pos,
		    (unsigned long long)file->size);
		goto out;
	}
	r = cy_sha256_final(hs.ctx, u->sealed_sha256, err);
	hs.ctx = NULL;
	if (r != 0)
		goto out;
	*out = u;
	u = NULL;
out:
	cy_src_close(&in);
	cy_sha256_free(hs.ctx);
	cy_doc_upload_free(u);
	return r;
}

void
cy_doc_upload_free(cy_doc_upload *u)
{
	if (u == NULL)
		return;
	cy_label_free(u->label);
	cy_cert_free(u->signer);
	free(u->copy_ids);
	free(u);
}

const cy_label *
cy_doc_upload_label(const cy_doc_upload *u)
{
	return u->label;
}

const cy_cert *
cy_doc_upload_signer(const cy_doc_upload *u)
{
	return u->signer;
}

const char *
cy_doc_upload_doc_id(const cy_doc_upload *u)
{
	return u->doc_id;
}

const char *
cy_doc_upload_copy_id(const cy_doc_upload *u, size_t i)
{
	return i < u->ncopies ? u->copy_ids[i] : NULL;
}

const uint8_t *
cy_doc_upload_label_sha256(const cy_doc_upload *u)
{
	return u->label_sha256;
}

const uint8_t *
cy_doc_upload_sealed_sha256(const cy_doc_upload *u)
{
	return u->sealed_sha256;
}
