/* coyeud — re-sealing a registry-held file post-quantum (POST
 * /v1/documents/{doc-id}/reseal): docs/exchange.md, "Re-sealing".  The
 * copies keep their ids; the file, each copy's R and, for a re-keyed
 * officer, the copy's recipient change, and the old R values are deleted
 * and scrubbed: the classical copies can no longer be released. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coyeu/cert.h"
#include "coyeu/document.h"
#include "coyeu/encoding.h"
#include "coyeu/entry.h"
#include "coyeu/release.h"

#include "coyeud.h"
#include "auth.h"
#include "bodies.h"
#include "docs.h"

struct resealing {
	cyd_request *rq;
	char doc_id[CY_RELEASE_ID_SIZE];
	json_t *doc, *copies;       /* as read before the checks */
	struct cyd_doc_body body;
	cy_buf record;
	cy_doc_upload *up;
	const cy_doc_reseal *rec;   /* in up */
	json_t **mine;              /* the file's copies, stanza order */
	cy_cert **to;               /* the certificate holding each now */
	size_t n;
	int originals;              /* the file is the sending's originals */
	char old_sha[65], new_sha[65];
	int refused;                /* set by the hook */
};

static int
copy_live(const json_t *c)
{
	const char *state = cyd_jstr(c, "state");

	return strcmp(state, "recalled") != 0 &&
	    strcmp(state, "destroyed") != 0;
}

/* The document and its copies, live. */
static int
load_doc(cyd_request *rq, cyd_response *rs, struct resealing *z)
{
	cyd_reader *reader = NULL;
	cy_error err;
	int r = -1;

	if (cyd_reader_get_store(rq->srv, &reader, &err) != 0)
		return cyd_error_lib(rs, &err), -1;
	if (cyd_doc_load(reader->store, z->doc_id, &z->doc, &err) < 0 ||
	    (z->doc != NULL && cyd_copies_load(reader->store, z->doc_id,
	    &z->copies, &err) < 0)) {
		cyd_error_lib(rs, &err);
		goto out;
	}
	if (z->doc == NULL)
		cyd_error(rs, 404, "not-found", "no document %s", z->doc_id);
	else if (!copy_live(z->doc))
		cyd_error(rs, 409, "conflict", "document %s was %s: there is "
		    "nothing left to reseal", cyd_jstr(z->doc, "number"),
		    cyd_jstr(z->doc, "state"));
	else
		r = 0;
out:
	cyd_reader_put(rq->srv, reader);
	return r;
}

static int
read_body(cyd_request *rq, cyd_response *rs, struct resealing *z)
{
	cy_error err;

	if (cyd_body_reseal(rq->body, rq->body_len, rq->srv->cfg.doc_max,
	    &z->body, &z->record, &err) != 0)
		return cyd_error(rs, err.code == CY_E_TOO_LARGE ? 413 : 400,
		    err.code == CY_E_TOO_LARGE ? "too-large" : "bad-request",
		    "%s", err.msg), -1;
	return 0;
}

/* The file and its record without a key (cy_doc_reseal_upload_check),
 * resealed by the caller itself. */
static int
check_upload(cyd_request *rq, cyd_response *rs, struct resealing *z,
    const struct crl_set *crls)
{
	cy_trust trust = {rq->srv->root, (const cy_crl *const *)crls->crl,
	    crls->n};
	const cy_cert *who;
	cy_source src;
	cy_error err;

	if (cy_source_mem(&src, z->body.file.data, z->body.file.len,
	    &err) != 0)
		return cyd_error_lib(rs, &err), -1;
	if (cy_doc_reseal_upload_check(&src, rq->srv->cfg.doc_max,
	    z->body.label.data, z->body.label.len, z->record.data,
	    z->record.len, &trust, rq->now, &z->up, &err) != 0) {
		if (err.code == CY_E_POLICY || err.code == CY_E_REVOKED)
			return cyd_forbid(rq, rs, "the resealed file does not "
			    "check: %s", err.msg), -1;
		return cyd_error(rs, err.code == CY_E_TOO_LARGE ? 413 : 400,
		    err.code == CY_E_TOO_LARGE ? "too-large" : "bad-request",
		    "the resealed file does not check: %s", err.msg), -1;
	}
	z->rec = cy_doc_upload_reseal(z->up);
	if (strcmp(cy_doc_upload_doc_id(z->up), z->doc_id) != 0)
		return cyd_error(rs, 400, "bad-request", "the file is for "
		    "document %s, not %s", cy_doc_upload_doc_id(z->up),
		    z->doc_id), -1;
	who = cy_doc_reseal_resealer(z->rec);
	if (strcmp(cy_cert_serial(who), rq->caller->serial) != 0)
		return cyd_forbid(rq, rs, "the reseal record is signed by %s "
		    "(serial %s), not by the caller %s: a holder reseals its own "
		    "way", cy_cert_name(who), cy_cert_serial(who),
		    rq->caller->serial), -1;
	cy_hex_encode(z->new_sha, cy_doc_upload_sealed_sha256(z->up), 32);
	return 0;
}

/* The file's copies, in stanza order: registered, all of one file, every
 * copy of that file, under the label registered for them. */
static int
match_copies(cyd_request *rq, cyd_response *rs, struct resealing *z)
{
	char label_sha[65];
	const char *id, *want;
	json_t *c;
	size_t i, j, same = 0;

	z->n = cy_doc_reseal_count(z->rec);
	if ((z->mine = calloc(z->n, sizeof(*z->mine))) == NULL ||
	    (z->to = calloc(z->n, sizeof(*z->to))) == NULL)
		return cyd_error(rs, 503, "unavailable", "out of memory"), -1;
	for (i = 0; i < z->n; i++) {
		id = cy_doc_upload_copy_id(z->up, i);
		json_array_foreach(z->copies, j, c)
			if (strcmp(cyd_jstr(c, "copy_id"), id) == 0)
				z->mine[i] = c;
		if (z->mine[i] == NULL)
			return cyd_error(rs, 400, "bad-request", "stanza %zu's "
			    "copy %s is not a copy of document %s", i + 1, id,
			    z->doc_id), -1;
		if (i > 0 && strcmp(cyd_jstr(z->mine[i], "file"),
		    cyd_jstr(z->mine[0], "file")) != 0)
			return cyd_error(rs, 400, "bad-request", "copies %s and "
			    "%s are in different files: a reseal replaces one "
			    "file", cyd_jstr(z->mine[0], "copy"),
			    cyd_jstr(z->mine[i], "copy")), -1;
	}
	snprintf(z->old_sha, sizeof(z->old_sha), "%s",
	    cyd_jstr(z->mine[0], "file"));
	json_array_foreach(z->copies, j, c)
		same += strcmp(cyd_jstr(c, "file"), z->old_sha) == 0;
	if (same != z->n)
		return cyd_error(rs, 400, "bad-request", "file %s holds %zu "
		    "copies and the resealed file %zu: every copy is resealed",
		    z->old_sha, same, z->n), -1;
	z->originals = strcmp(cyd_jstr(z->mine[0], "form"), "original") == 0;
	want = z->originals ? cyd_jstr(z->doc, "label_sha256") :
	    cyd_jstr(z->mine[0], "label_sha256");
	cy_hex_encode(label_sha, cy_doc_upload_label_sha256(z->up), 32);
	if (strcmp(label_sha, want) != 0)
		return cyd_error(rs, 400, "bad-request", "the file's label is "
		    "not the one registered for copy %s (label-sha256 %s): a "
		    "reseal keeps the label", cyd_jstr(z->mine[0], "copy"),
		    want), -1;
	return 0;
}

/* The certificate now holding stanza i: the copy's recipient, or (a
 * re-keyed officer) a registered certificate of the same name and unit,
 * verifying now. */
static int
check_holder_of(cyd_request *rq, cyd_response *rs, struct resealing *z,
    size_t i, const struct crl_set *crls)
{
	const char *old = cy_doc_reseal_old_serial(z->rec, i),
	    *now_serial = cy_doc_reseal_new_serial(z->rec, i);
	cy_buf text = CY_BUF_INIT;
	cy_chain *chain = NULL;
	cy_error err;
	int r = -1, got;

	if (strcmp(old, cyd_jstr(z->mine[i], "recipient")) != 0) {
		cyd_error(rs, 400, "bad-request", "the record maps recipient %s "
		    "to stanza %zu, whose copy %s is %s's", old, i + 1,
		    cyd_jstr(z->mine[i], "copy"),
		    cyd_jstr(z->mine[i], "recipient"));
		goto out;
	}
	if ((got = cyd_record_get(rq->srv, "cert", now_serial, &text,
	    &err)) <= 0) {
		if (got < 0)
			cyd_error_lib(rs, &err);
		else
			cyd_error(rs, 400, "bad-request", "certificate %s (copy "
			    "%s) is not registered here (coyeu id register)",
			    now_serial, cyd_jstr(z->mine[i], "copy"));
		goto out;
	}
	if (cy_chain_parse(text.data, text.len, &chain, &err) != 0) {
		cyd_error(rs, 503, "unavailable", "the stored chain of %s does "
		    "not parse: %s", now_serial, err.msg);
		goto out;
	}
	if (cy_chain_verify(chain, rq->srv->root,
	    (const cy_crl *const *)crls->crl, crls->n, rq->now, &z->to[i],
	    &err) != 0) {
		cyd_forbid(rq, rs, "certificate %s (copy %s) does not verify "
		    "now: %s", now_serial, cyd_jstr(z->mine[i], "copy"),
		    err.msg);
		goto out;
	}
	if (strcmp(cy_cert_name(z->to[i]), cyd_jstr(z->mine[i], "name")) != 0 ||
	    strcmp(cy_cert_unit(z->to[i]), cyd_jstr(z->mine[i], "unit")) != 0) {
		cyd_forbid(rq, rs, "the record gives copy %s of %s (%s) to %s "
		    "(%s, serial %s): a reseal keeps each copy with its officer",
		    cyd_jstr(z->mine[i], "copy"), cyd_jstr(z->mine[i], "name"),
		    cyd_jstr(z->mine[i], "unit"), cy_cert_name(z->to[i]),
		    cy_cert_unit(z->to[i]), now_serial);
		goto out;
	}
	r = 0;
out:
	cy_chain_free(chain);
	cy_buf_free(&text);
	return r;
}

/* Every stanza's holder; the caller one of them, its copy live. */
static int
check_holders(cyd_request *rq, cyd_response *rs, struct resealing *z,
    const struct crl_set *crls)
{
	size_t i;
	int holds = 0;

	for (i = 0; i < z->n; i++) {
		if (check_holder_of(rq, rs, z, i, crls) != 0)
			return -1;
		/* Under its certificate of the label, or re-keyed. */
		holds |= copy_live(z->mine[i]) &&
		    (strcmp(cyd_jstr(z->mine[i], "recipient"),
		    rq->caller->serial) == 0 ||
		    strcmp(cy_cert_serial(z->to[i]), rq->caller->serial) == 0);
	}
	if (!holds)
		return cyd_forbid(rq, rs, "%s (serial %s) holds no live copy in "
		    "this file: only a holder may reseal it",
		    cy_cert_name(rq->caller->cert), rq->caller->serial), -1;
	return 0;
}

/* The doc.reseal entry names this document, the old and new files and
 * the record; one sealed secret per copy. */
static int
check_entry(cyd_request *rq, cyd_response *rs, struct resealing *z,
    cy_entry **out)
{
	char record_sha[65];
	cy_entry *e = NULL;
	size_t i, j;

	if (cyd_entry_own(rq, rs, "the doc.reseal entry", "doc.reseal",
	    z->body.entries[0], z->body.lens[0], &e, NULL, NULL) != 0)
		return -1;
	cy_hex_encode(record_sha, cy_doc_reseal_sha256(z->rec), 32);
#define FIELD_IS(name, want) (strcmp(cy_entry_get(e, name), want) == 0)
	if (!FIELD_IS("doc-id", z->doc_id) ||
	    !FIELD_IS("old-sealed-sha256", z->old_sha) ||
	    !FIELD_IS("sealed-sha256", z->new_sha) ||
	    !FIELD_IS("record-sha256", record_sha)) {
		cyd_error(rs, 400, "bad-request", "the doc.reseal entry must "
		    "name doc-id %s, old-sealed-sha256 %s, sealed-sha256 %s and "
		    "record-sha256 %s", z->doc_id, z->old_sha, z->new_sha,
		    record_sha);
		cy_entry_free(e);
		return -1;
	}
#undef FIELD_IS
	/* One for every copy of the file; a copy recalled or destroyed
	 * meanwhile does not get its R back (reseal_copy). */
	for (i = 0; i < z->n; i++) {
		for (j = 0; j < z->body.nsecrets; j++)
			if (strcmp(z->body.secrets[j].copy_id,
			    cyd_jstr(z->mine[i], "copy_id")) == 0)
				break;
		if (j == z->body.nsecrets) {
			cyd_error(rs, 400, "bad-request", "no sealed secret for "
			    "copy %s (%s)", cyd_jstr(z->mine[i], "copy_id"),
			    cyd_jstr(z->mine[i], "copy"));
			cy_entry_free(e);
			return -1;
		}
	}
	if (z->body.nsecrets != z->n) {
		cyd_error(rs, 400, "bad-request", "%zu sealed secrets for %zu "
		    "copies: one per copy", z->body.nsecrets, z->n);
		cy_entry_free(e);
		return -1;
	}
	*out = e;
	return 0;
}

/* --- the writer job's hook --- */

static const cy_buf *
secret_for(const struct resealing *z, const char *copy_id)
{
	size_t j;

	for (j = 0; j < z->body.nsecrets; j++)
		if (strcmp(z->body.secrets[j].copy_id, copy_id) == 0)
			return &z->body.secrets[j].sealed;
	return NULL;
}

static int
set_str(json_t *o, const char *k, const char *v, cy_error *err)
{
	json_t *s = json_string(v);

	if (s == NULL || json_object_set_new(o, k, s) != 0)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	return 0;
}

/* Copy i as it is now: its R replaced (a live copy) or left deleted,
 * its file and holder the new ones. */
static int
reseal_copy(struct resealing *z, cy_store *s, size_t i, cy_error *err)
{
	const char *copy_id = cyd_jstr(z->mine[i], "copy_id");
	const cy_cert *to = z->to[i];
	const cy_buf *sealed = secret_for(z, copy_id);
	json_t *c = NULL;
	int r, moved;

	if ((r = cyd_copy_load(s, z->doc_id, copy_id, &c, err)) < 0)
		return r;
	if (r == 0 || strcmp(cyd_jstr(c, "file"), z->old_sha) != 0 ||
	    copy_live(c) != copy_live(z->mine[i])) {
		z->refused = 1;
		r = cy_error_set(err, CY_E_POLICY, "copy %s changed while it "
		    "was resealed: ask again", cyd_jstr(z->mine[i], "copy"));
		goto out;
	}
	moved = strcmp(cyd_jstr(c, "recipient"), cy_cert_serial(to)) != 0;
	if ((r = cyd_share_delete(s, z->doc_id, copy_id, err)) != 0 ||
	    (copy_live(c) && sealed != NULL &&
	    (r = cyd_share_put(s, z->doc_id, copy_id, sealed->data,
	    sealed->len, err)) != 0) ||
	    (r = set_str(c, "file", z->new_sha, err)) != 0 ||
	    (r = set_str(c, "recipient", cy_cert_serial(to), err)) != 0 ||
	    (moved && copy_live(c) && (r = cyd_inbox_put(s,
	    cy_cert_serial(to), z->doc_id, copy_id, z->rq->now, err)) != 0))
		goto out;
	r = cyd_copy_save(s, c, err);
out:
	json_decref(c);
	return r;
}

/* The originals' file: the document's record follows it, and its
 * recipients (what the release policy names) are the new serials. */
static int
reseal_doc(struct resealing *z, cy_store *s, cy_error *err)
{
	json_t *doc = NULL, *rcpts;
	size_t i;
	int r;

	if ((r = cyd_doc_load(s, z->doc_id, &doc, err)) < 0)
		return r;
	if (r == 0 || !copy_live(doc)) {
		z->refused = 1;
		r = cy_error_set(err, CY_E_POLICY, "document %s changed while it "
		    "was resealed (%s)", z->doc_id, r == 0 ? "gone" :
		    cyd_jstr(doc, "state"));
		goto out;
	}
	if (z->originals) {
		if ((rcpts = json_array()) == NULL ||
		    json_object_set_new(doc, "recipients", rcpts) != 0) {
			r = cy_error_set(err, CY_E_NOMEM, "out of memory");
			goto out;
		}
		for (i = 0; i < z->n; i++)
			if (json_array_append_new(rcpts,
			    json_string(cy_cert_serial(z->to[i]))) != 0) {
				r = cy_error_set(err, CY_E_NOMEM, "out of memory");
				goto out;
			}
		if ((r = set_str(doc, "sealed_sha256", z->new_sha, err)) != 0)
			goto out;
	}
	r = cyd_doc_save(s, doc, err);
out:
	json_decref(doc);
	return r;
}

static int
reseal_hook(void *ctx, cy_store *s, uint64_t first, cy_error *err)
{
	struct resealing *z = ctx;
	size_t i;
	int r;

	(void)first;
	if ((r = reseal_doc(z, s, err)) != 0)
		return r;
	for (i = 0; i < z->n; i++)
		if ((r = reseal_copy(z, s, i, err)) != 0)
			return r;
	if ((r = cyd_file_put(s, z->new_sha, z->doc_id, z->body.file.data,
	    z->body.file.len, err)) != 0 ||
	    (r = cyd_file_delete(s, z->old_sha, err)) != 0)
		return r;
	return z->rq->caller->nonce_pending ?
	    cyd_auth_nonce_put(s, z->rq->caller, err) : 0;
}

static int
answer(cyd_request *rq, cyd_response *rs, struct resealing *z, cyd_job *job)
{
	json_t *receipts, *copies, *o;
	cy_error err;
	size_t i;

	if (cyd_job_receipts(rq->srv, job, &receipts, &err) != 0)
		return cyd_error(rs, 503, "unavailable", "the reseal is recorded "
		    "at index %llu but the receipt failed: %s (GET "
		    "/v1/log/proof)", (unsigned long long)job->first, err.msg);
	copies = json_array();
	for (i = 0; copies != NULL && i < z->n; i++)
		json_array_append_new(copies, json_pack("{s:s, s:s, s:s}",
		    "copy_id", cyd_jstr(z->mine[i], "copy_id"),
		    "copy", cyd_jstr(z->mine[i], "copy"),
		    "recipient", cy_cert_serial(z->to[i])));
	o = json_pack("{s:s, s:s, s:s, s:I, s:O, s:o, s:b}",
	    "doc_id", z->doc_id, "old_sealed_sha256", z->old_sha,
	    "sealed_sha256", z->new_sha, "index", (json_int_t)job->first,
	    "receipt", json_object_get(json_array_get(receipts, 0), "receipt"),
	    "copies", copies, "scrubbed", job->scrub_rc == 0);
	json_decref(receipts);
	return cyd_json(rs, 200, o);
}

int
cyd_h_document_reseal(cyd_request *rq, cyd_response *rs)
{
	struct resealing z;
	struct crl_set *crls = NULL;
	cy_buf made[1] = {CY_BUF_INIT};
	cyd_reader *reader = NULL;
	cy_entry *e = NULL;
	cyd_job job;
	cy_error err;
	size_t i;

	memset(&z, 0, sizeof(z));
	z.rq = rq;
	if (cyd_path_doc_id(rq, rs, z.doc_id) != 0)
		goto out;
	if (load_doc(rq, rs, &z) != 0 || read_body(rq, rs, &z) != 0)
		goto out;
	if (cyd_reader_get_store(rq->srv, &reader, &err) != 0 ||
	    cyd_crls_load(reader->store, &crls, &err) != 0) {
		cyd_error_lib(rs, &err);
		goto out;
	}
	cyd_reader_put(rq->srv, reader);
	reader = NULL;
	if (check_upload(rq, rs, &z, crls) != 0 ||
	    match_copies(rq, rs, &z) != 0 ||
	    check_holders(rq, rs, &z, crls) != 0 ||
	    check_entry(rq, rs, &z, &e) != 0)
		goto out;
	memset(&job, 0, sizeof(job));
	job.entries = z.body.entries, job.lens = z.body.lens, job.n = 1;
	job.receipts = made;
	job.bad = SIZE_MAX;
	job.hook = reseal_hook, job.hook_ctx = &z;
	/* The old R values leave the store's files too (docs/store.md). */
	job.scrub = 1;
	if (cyd_writer_submit(rq->srv->writer, &job) != 0 || job.rc != 0) {
		if (z.refused)
			cyd_error(rs, 409, "conflict", "%s", job.err.msg);
		else if (strstr(job.err.msg, "already in the register") != NULL)
			cyd_error(rs, 409, "conflict", "the doc.reseal entry is "
			    "already in the register: %s", job.err.msg);
		else
			cyd_error(rs, 503, "unavailable", "the reseal was not "
			    "recorded: %s", job.err.msg);
		goto out;
	}
	answer(rq, rs, &z, &job);
out:
	if (reader != NULL)
		cyd_reader_put(rq->srv, reader);
	cyd_crls_free(crls);
	cy_entry_free(e);
	cy_buf_free(&made[0]);
	for (i = 0; z.to != NULL && i < z.n; i++)
		cy_cert_free(z.to[i]);
	free(z.to);
	free(z.mine);
	json_decref(z.doc);
	json_decref(z.copies);
	cy_doc_upload_free(z.up);
	cy_buf_free(&z.record);
	cyd_body_document_free(&z.body);
	return 0;
}
