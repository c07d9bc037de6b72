/* coyeud — sending documents through the registry: POST /v1/documents,
 * GET /v1/inbox, GET /v1/documents/{doc-id} (status), its file, and
 * POST /v1/documents/{doc-id}/receive (docs/exchange.md).  Every check
 * runs before the writer job; the entries, the records, the register rows
 * and the request's nonce are then made durable in one commit. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coyeu/document.h"
#include "coyeu/encoding.h"
#include "coyeu/entry.h"
#include "coyeu/label.h"
#include "coyeu/level.h"
#include "coyeu/policy.h"
#include "coyeu/release.h"

#include "common/timefmt.h"
#include "coyeud.h"
#include "auth.h"
#include "bodies.h"
#include "docs.h"
#include "items.h"

#define ID_SIZE CY_RELEASE_ID_SIZE
#define SHA_HEX 65

/* A refusal of the authenticated caller with its status: a denied entry,
 * then the answer (cyd_forbid for 403). */
static int __attribute__((format(printf, 5, 6)))
refuse(cyd_request *rq, cyd_response *rs, int status, const char *code,
    const char *fmt, ...)
{
	char reason[CY_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (status == 403)
		return cyd_forbid(rq, rs, "%s", reason);
	cyd_auth_denied(rq, reason);
	return cyd_error(rs, status, code, "%s", reason);
}

static int
oom(cyd_response *rs)
{
	return cyd_error(rs, 503, "unavailable", "out of memory");
}

/* The doc-id of the path, checked. */
static int
path_doc_id(cyd_request *rq, cyd_response *rs, char id[ID_SIZE])
{
	if (cyd_path_param(rq, 0, id, ID_SIZE) != 0 ||
	    !cy_serial_valid(id, strlen(id)))
		return refuse(rq, rs, 400, "bad-request", "a doc-id is 32 "
		    "lowercase hex digits"), -1;
	return 0;
}

/* Entry i of a sending, the caller's own (cyd_entry_own). */
static int
entry_check(cyd_request *rq, cyd_response *rs, size_t i, const uint8_t *data,
    size_t len, cy_entry **out)
{
	char what[32];

	snprintf(what, sizeof(what), "entry %zu", i);
	return cyd_entry_own(rq, rs, what, NULL, data, len, out, NULL);
}

/* --- the copies' states --- */

/* What a reader of the copy sees: the copy's own end (recalled,
 * destroyed), else the document's, else opened, received, delivered. */
static const char *
copy_state(const json_t *doc, const json_t *copy)
{
	const char *cs = cyd_jstr(copy, "state"), *ds = cyd_jstr(doc, "state");

	if (strcmp(cs, "recalled") == 0 || strcmp(cs, "destroyed") == 0)
		return cs;
	if (ds[0] != '\0' && strcmp(ds, "live") != 0)
		return ds;
	if (cyd_jnum(copy, "opens") > 0)
		return "opened";
	return cs;
}

/* The incoming register's row of a copy (docs/exchange.md). */
static json_t *
incoming_row(const json_t *doc, const json_t *copy)
{
	json_t *received = json_object_get(copy, "received_time");

	return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, "
	    "s:O}", "index", cyd_jnum(copy, "index"), "time", cyd_jnum(copy, "time"),
	    "doc_id", cyd_jstr(doc, "doc_id"), "copy_id", cyd_jstr(copy, "copy_id"),
	    "number", cyd_jstr(doc, "number"), "level", cyd_jstr(doc, "level"),
	    "from_unit", cyd_jstr(doc, "unit"), "copy", cyd_jstr(copy, "copy"),
	    "recipient", cyd_jstr(copy, "recipient"), "name", cyd_jstr(copy, "name"),
	    "received", received != NULL ? received : json_null());
}

/* --- POST /v1/documents --- */

struct send {
	cyd_request *rq;
	struct cyd_doc_body body;
	cy_entry **entries;
	cy_doc_upload *up;
	const cy_label *label;
	size_t m;                 /* copies: the label's recipients */
	cy_chain **chains;        /* theirs, verified now */
	struct crl_set *crls;
	char doc_id[ID_SIZE];
	char label_hex[SHA_HEX], sealed_hex[SHA_HEX];
	uint64_t copies_allowed;
	json_t *doc, *copies;     /* the records the hook writes */
	int taken;                /* the doc-id was registered meanwhile */
};

static void
send_free(struct send *s)
{
	size_t i;

	for (i = 0; s->entries != NULL && i < s->body.nentries; i++)
		cy_entry_free(s->entries[i]);
	free(s->entries);
	for (i = 0; s->chains != NULL && i < s->m; i++)
		cy_chain_free(s->chains[i]);
	free(s->chains);
	cy_doc_upload_free(s->up);
	cyd_crls_free(s->crls);
	cyd_body_document_free(&s->body);
	json_decref(s->doc);
	json_decref(s->copies);
}

/* cy_doc_upload_check on the file and label as sent. */
static int
upload_check(struct send *s, cyd_response *rs)
{
	cyd_request *rq = s->rq;
	cy_source src;
	cy_trust trust = {rq->srv->root, (const cy_crl *const *)s->crls->crl,
	    s->crls->n};
	const cy_cert *signer;
	cy_error err;

	if (cy_source_mem(&src, s->body.file.data, s->body.file.len,
	    &err) != 0)
		return cyd_error_lib(rs, &err), -1;
	if (cy_doc_upload_check(&src, rq->srv->cfg.doc_max, s->body.label.data,
	    s->body.label.len, &trust, &s->up, &err) != 0) {
		if (err.code == CY_E_TOO_LARGE)
			return refuse(rq, rs, 413, "too-large", "the upload "
			    "does not check: %s", err.msg), -1;
		return refuse(rq, rs, err.code == CY_E_POLICY ||
		    err.code == CY_E_REVOKED ? 403 : 400, "bad-request",
		    "the upload does not check: %s", err.msg), -1;
	}
	s->label = cy_doc_upload_label(s->up);
	signer = cy_doc_upload_signer(s->up);
	if (strcmp(cy_cert_serial(signer), rq->caller->serial) != 0)
		return cyd_forbid(rq, rs, "the label is signed by %s (serial "
		    "%s), not by the caller %s: a document is sent by its "
		    "sealer", cy_cert_name(signer), cy_cert_serial(signer),
		    rq->caller->serial), -1;
	s->m = cy_label_recipient_count(s->label);
	snprintf(s->doc_id, sizeof(s->doc_id), "%s",
	    cy_doc_upload_doc_id(s->up));
	cy_hex_encode(s->label_hex, cy_doc_upload_label_sha256(s->up), 32);
	cy_hex_encode(s->sealed_hex, cy_doc_upload_sealed_sha256(s->up), 32);
	return 0;
}

/* Recipient i: a registered certificate whose chain verifies now, whom
 * the policy lets the caller seal this document to now. */
static int
recipient_check(struct send *s, cyd_response *rs, cy_store *st, size_t i)
{
	cyd_request *rq = s->rq;
	const char *serial = cy_label_recipient(s->label, i);
	const char *serials[CY_LABEL_RECIPIENTS_MAX];
	const cy_crl *const *crls = (const cy_crl *const *)s->crls->crl;
	char why[CY_ERROR_MSG_MAX];
	cy_policy_party actor, target;
	cy_policy_request prq;
	cy_policy_decision dec;
	cy_policy_doc d;
	cy_buf text = CY_BUF_INIT;
	cy_error err;
	size_t k;
	int r;

	r = st->drv->rec_get(st, "cert", serial, &text, NULL, &err);
	if (r == 1 && cy_chain_parse(text.data, text.len, &s->chains[i],
	    &err) != 0)
		r = -1;
	cy_buf_free(&text);
	if (r < 0)
		return cyd_error_lib(rs, &err), -1;
	if (r == 0)
		return cyd_forbid(rq, rs, "recipient %zu (serial %s) is not a "
		    "registered certificate (coyeu id register)", i + 1,
		    serial), -1;
	if (cy_chain_verify(s->chains[i], rq->srv->root, crls, s->crls->n,
	    rq->now, NULL, &err) != 0)
		return cyd_forbid(rq, rs, "recipient %zu (serial %s): %s",
		    i + 1, serial, err.msg), -1;
	if ((r = cyd_chain_held_revoked(st, s->chains[i], why, sizeof(why),
	    &err)) != 0)
		return r < 0 ? cyd_error_lib(rs, &err) : cyd_forbid(rq, rs,
		    "recipient %zu (serial %s): %s", i + 1, serial, why), -1;
	if (cy_policy_party_from_cert(rq->caller->cert, crls, s->crls->n,
	    &actor) != 0 || cy_policy_party_from_cert(cy_chain_get(
	    s->chains[i], 0), crls, s->crls->n, &target) != 0)
		return cyd_error(rs, 503, "unavailable", "the policy's view of "
		    "recipient %s failed", serial), -1;
	for (k = 0; k < s->m; k++)
		serials[k] = cy_label_recipient(s->label, k);
	memset(&d, 0, sizeof(d));
	d.level = cy_label_level(s->label);
	d.unit = cy_label_unit(s->label);
	d.compartments = cy_label_compartments(s->label);
	d.only_named = cy_label_only_named(s->label);
	d.recipients = serials;
	d.nrecipients = s->m;
	/* Sealing to this recipient, were it done now: clearance,
	 * compartments, validity and revocation as they stand. */
	d.created = rq->now;
	d.protect_until = cy_label_protect_until(s->label);
	d.state = CY_DOC_LIVE;
	memset(&prq, 0, sizeof(prq));
	prq.action = CY_ACT_SEAL;
	prq.time = rq->now;
	prq.actor = &actor;
	prq.target = &target;
	prq.doc = &d;
	if (cy_policy_decide(&prq, &dec) != 0)
		return cyd_forbid(rq, rs, "%s", dec.msg), -1;
	return 0;
}

/* Entry i's field `name` is `want`. */
static int
field_is(struct send *s, cyd_response *rs, size_t i, const char *name,
    const char *want)
{
	const char *v = cy_entry_get(s->entries[i], name);

	if (v != NULL && strcmp(v, want) == 0)
		return 0;
	return refuse(s->rq, rs, 400, "bad-request", "entry %zu (%s): its %s "
	    "is %s, the upload's is %s", i, cy_entry_type(s->entries[i]),
	    name, v != NULL ? v : "absent", want), -1;
}

static int
type_is(struct send *s, cyd_response *rs, size_t i, const char *type)
{
	if (strcmp(cy_entry_type(s->entries[i]), type) == 0)
		return 0;
	return refuse(s->rq, rs, 400, "bad-request", "entry %zu is a %s "
	    "entry, not %s", i, cy_entry_type(s->entries[i]), type), -1;
}

/* doc.register, then one copy.issue per recipient in label order, all
 * saying what the upload says. */
static int
entries_match(struct send *s, cyd_response *rs)
{
	char date[CY_CANON_TIME_LEN + 1], count[24], copy[48];
	const char *allowed;
	size_t i;

	if (type_is(s, rs, 0, "doc.register") != 0)
		return -1;
	if (s->body.nentries - 1 != s->m)
		return refuse(s->rq, rs, 400, "bad-request", "the label names "
		    "%zu recipients but the upload has %zu copy.issue entries",
		    s->m, s->body.nentries - 1), -1;
	cmn_time_text(cy_label_protect_until(s->label), date);
	date[10] = '\0';
	snprintf(count, sizeof(count), "%zu", s->m);
	if (field_is(s, rs, 0, "doc-id", s->doc_id) != 0 ||
	    field_is(s, rs, 0, "doc-number",
	    cy_label_document(s->label)) != 0 ||
	    field_is(s, rs, 0, "level",
	    cy_level_name(cy_label_level(s->label))) != 0 ||
	    field_is(s, rs, 0, "unit", cy_label_unit(s->label)) != 0 ||
	    field_is(s, rs, 0, "protect-until", date) != 0 ||
	    field_is(s, rs, 0, "copies", count) != 0 ||
	    field_is(s, rs, 0, "label-sha256", s->label_hex) != 0 ||
	    field_is(s, rs, 0, "sealed-sha256", s->sealed_hex) != 0)
		return -1;
	allowed = cy_entry_get(s->entries[0], "copies-allowed");
	if (allowed != NULL && cy_parse_u64(allowed, strlen(allowed),
	    &s->copies_allowed) != 0)
		return refuse(s->rq, rs, 400, "bad-request", "entry 0: "
		    "copies-allowed %s is not a number", allowed), -1;
	for (i = 1; i <= s->m; i++) {
		snprintf(copy, sizeof(copy), "%zu/%zu", i, s->m);
		if (type_is(s, rs, i, "copy.issue") != 0 ||
		    field_is(s, rs, i, "doc-id", s->doc_id) != 0 ||
		    field_is(s, rs, i, "copy-id",
		    cy_doc_upload_copy_id(s->up, i - 1)) != 0 ||
		    field_is(s, rs, i, "copy", copy) != 0 ||
		    field_is(s, rs, i, "form", "original") != 0 ||
		    field_is(s, rs, i, "recipient",
		    cy_label_recipient(s->label, i - 1)) != 0)
			return -1;
	}
	return 0;
}

/* One sealed secret per copy-id (none opened: R is the sender's). */
static int
secrets_match(struct send *s, cyd_response *rs)
{
	const char *id;
	size_t i, j;

	if (s->body.nsecrets != s->m)
		return refuse(s->rq, rs, 400, "bad-request", "%zu sealed "
		    "secrets for %zu copies: one per copy", s->body.nsecrets,
		    s->m), -1;
	for (i = 0; i < s->m; i++) {
		id = cy_doc_upload_copy_id(s->up, i);
		for (j = 0; j < s->m; j++)
			if (strcmp(s->body.secrets[j].copy_id, id) == 0)
				break;
		if (j == s->m)
			return refuse(s->rq, rs, 400, "bad-request", "no "
			    "sealed secret for copy %s (%zu/%zu)", id, i + 1,
			    s->m), -1;
	}
	return 0;
}

/* The document's and its copies' records, as the hook writes them. */
static int
records_build(struct send *s)
{
	cyd_request *rq = s->rq;
	const cy_cert *leaf;
	json_t *recipients = json_array(), *c;
	size_t i, need = s->body.label.len > s->body.lens[0] ?
	    s->body.label.len : s->body.lens[0];
	char *b64 = malloc(CY_B64_PADDED_LEN(need) + 1);
	char copy[48];

	if (recipients == NULL || b64 == NULL ||
	    (s->copies = json_array()) == NULL)
		goto fail;
	for (i = 0; i < s->m; i++)
		json_array_append_new(recipients,
		    json_string(cy_label_recipient(s->label, i)));
	cy_b64_encode(b64, s->body.label.data, s->body.label.len, 1);
	s->doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s, "
	    "s:b, s:o, s:I, s:I, s:I, s:s, s:s, s:s, s:I, s:I, s:s}",
	    "doc_id", s->doc_id, "number", cy_label_document(s->label),
	    "level", cy_level_name(cy_label_level(s->label)),
	    "unit", cy_label_unit(s->label), "sender", rq->caller->serial,
	    "sender_name", cy_cert_name(rq->caller->cert),
	    "created", (json_int_t)cy_label_created(s->label),
	    "protect_until", (json_int_t)cy_label_protect_until(s->label),
	    "compartments", cy_label_compartments(s->label) ?
	    cy_label_compartments(s->label) : "",
	    "only_named", cy_label_only_named(s->label),
	    "recipients", recipients, "copies", (json_int_t)s->m,
	    "copies_allowed", (json_int_t)s->copies_allowed,
	    "copies_made", (json_int_t)s->m, "label", b64,
	    "label_sha256", s->label_hex, "sealed_sha256", s->sealed_hex,
	    "index", (json_int_t)0, "time", (json_int_t)rq->now,
	    "state", "live");
	recipients = NULL;
	if (s->doc == NULL)
		goto fail;
	cy_b64_encode(b64, s->body.entries[0], s->body.lens[0], 1);
	if (json_object_set_new(s->doc, "register_entry",
	    json_string(b64)) != 0)
		goto fail;
	for (i = 0; i < s->m; i++) {
		leaf = cy_chain_get(s->chains[i], 0);
		snprintf(copy, sizeof(copy), "%zu/%zu", i + 1, s->m);
		c = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, "
		    "s:I, s:s, s:s, s:I}", "doc_id", s->doc_id,
		    "copy_id", cy_doc_upload_copy_id(s->up, i), "copy", copy,
		    "form", "original", "recipient", cy_cert_serial(leaf),
		    "name", cy_cert_name(leaf), "unit", cy_cert_unit(leaf),
		    "file", s->sealed_hex, "index", (json_int_t)0,
		    "time", (json_int_t)rq->now, "made_by", rq->caller->serial,
		    "state", "delivered", "opens", (json_int_t)0);
		if (c == NULL || json_array_append_new(s->copies, c) != 0)
			goto fail;
	}
	free(b64);
	return 0;
fail:
	json_decref(recipients);
	free(b64);
	return -1;
}

static const struct cyd_doc_secret *
secret_for(const struct send *s, const char *copy_id)
{
	size_t i;

	for (i = 0; i < s->body.nsecrets; i++)
		if (strcmp(s->body.secrets[i].copy_id, copy_id) == 0)
			return &s->body.secrets[i];
	return NULL;
}

/* The register rows of a sending: outgoing (the document), and per copy
 * incoming (under the recipient's unit) and copies. */
static int
send_rows(struct send *s, cy_store *st, uint64_t first, cy_error *err)
{
	const json_t *doc = s->doc, *c;
	json_t *row, *names = json_array();
	size_t i;
	int r = 0;

	if (names == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	for (i = 0; i < s->m; i++) {
		c = json_array_get(s->copies, i);
		json_array_append_new(names, json_pack("{s:s, s:s, s:s}",
		    "serial", cyd_jstr(c, "recipient"), "name", cyd_jstr(c, "name"),
		    "unit", cyd_jstr(c, "unit")));
	}
	row = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:o, s:I, s:s}",
	    "index", (json_int_t)first, "time", cyd_jnum(doc, "time"),
	    "doc_id", cyd_jstr(doc, "doc_id"), "number", cyd_jstr(doc, "number"),
	    "level", cyd_jstr(doc, "level"), "unit", cyd_jstr(doc, "unit"),
	    "recipients", names, "copies", cyd_jnum(doc, "copies"),
	    "sender", cyd_jstr(doc, "sender"));
	if (row == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	r = cyd_register_row(st, "outgoing", cyd_jstr(doc, "unit"), first,
	    cyd_jnum(doc, "time"), row, err);
	json_decref(row);
	for (i = 0; r == 0 && i < s->m; i++) {
		c = json_array_get(s->copies, i);
		if ((row = incoming_row(doc, c)) == NULL)
			return cy_error_set(err, CY_E_NOMEM, "out of memory");
		r = cyd_register_row(st, "incoming", cyd_jstr(c, "unit"),
		    (uint64_t)cyd_jnum(c, "index"), cyd_jnum(c, "time"), row, err);
		json_decref(row);
		if (r != 0)
			break;
		row = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, "
		    "s:s, s:s, s:s, s:s}", "index", cyd_jnum(c, "index"),
		    "time", cyd_jnum(c, "time"),
		    "doc_id", cyd_jstr(doc, "doc_id"),
		    "copy_id", cyd_jstr(c, "copy_id"),
		    "number", cyd_jstr(doc, "number"),
		    "level", cyd_jstr(doc, "level"), "copy", cyd_jstr(c, "copy"),
		    "form", cyd_jstr(c, "form"),
		    "recipient", cyd_jstr(c, "recipient"),
		    "name", cyd_jstr(c, "name"), "made_by", cyd_jstr(c, "made_by"),
		    "made_by_name", cyd_jstr(doc, "sender_name"));
		if (row == NULL)
			return cy_error_set(err, CY_E_NOMEM, "out of memory");
		r = cyd_register_row(st, "copies", cyd_jstr(doc, "unit"),
		    (uint64_t)cyd_jnum(c, "index"), cyd_jnum(c, "time"), row, err);
		json_decref(row);
	}
	return r;
}

/* Inside the writer's commit: the nonce, the document, its copies, the
 * sealed secrets, the file, the mailboxes and the register rows. */
static int
send_hook(void *ctx, cy_store *st, uint64_t first, cy_error *err)
{
	struct send *s = ctx;
	const struct cyd_doc_secret *sec;
	json_t *old = NULL, *c;
	size_t i;
	int r;

	if (s->rq->caller->nonce_pending &&
	    (r = cyd_auth_nonce_put(st, s->rq->caller, err)) != 0)
		return r;
	if ((r = cyd_doc_load(st, s->doc_id, &old, err)) != 0) {
		json_decref(old);
		if (r < 0)
			return r;
		s->taken = 1;
		return cy_error_set(err, CY_E_POLICY, "document %s is already "
		    "registered", s->doc_id);
	}
	json_object_set_new(s->doc, "index", json_integer((json_int_t)first));
	if ((r = cyd_doc_save(st, s->doc, err)) != 0 ||
	    (r = cyd_file_put(st, s->sealed_hex, s->doc_id,
	    s->body.file.data, s->body.file.len, err)) != 0)
		return r;
	for (i = 0; i < s->m; i++) {
		c = json_array_get(s->copies, i);
		json_object_set_new(c, "index",
		    json_integer((json_int_t)(first + 1 + i)));
		sec = secret_for(s, cyd_jstr(c, "copy_id"));
		if ((r = cyd_copy_save(st, c, err)) != 0 ||
		    (r = cyd_share_put(st, s->doc_id, cyd_jstr(c, "copy_id"),
		    sec->sealed.data, sec->sealed.len, err)) != 0 ||
		    (r = cyd_inbox_put(st, cyd_jstr(c, "recipient"), s->doc_id,
		    cyd_jstr(c, "copy_id"), s->rq->now, err)) != 0)
			return r;
	}
	return send_rows(s, st, first, err);
}

/* Every check before the commit (docs/exchange.md, in its order). */
static int
send_checks(struct send *s, cyd_response *rs)
{
	cyd_request *rq = s->rq;
	cyd_reader *reader = NULL;
	cy_buf old = CY_BUF_INIT;
	cy_error err;
	size_t i;
	int r = -1, f;

	if (cyd_body_document(rq->body, rq->body_len, rq->srv->cfg.doc_max,
	    1 + CY_LABEL_RECIPIENTS_MAX, &s->body, &err) != 0)
		return refuse(rq, rs, err.code == CY_E_TOO_LARGE ? 413 : 400,
		    err.code == CY_E_TOO_LARGE ? "too-large" : "bad-request",
		    "%s", err.msg), -1;
	if ((s->entries = calloc(s->body.nentries, sizeof(*s->entries))) ==
	    NULL)
		return oom(rs), -1;
	for (i = 0; i < s->body.nentries; i++)
		if (entry_check(rq, rs, i, s->body.entries[i], s->body.lens[i],
		    &s->entries[i]) != 0)
			return -1;
	if (cyd_reader_get_store(rq->srv, &reader, &err) != 0)
		return cyd_error_lib(rs, &err), -1;
	if (cyd_crls_load(reader->store, &s->crls, &err) != 0) {
		cyd_error_lib(rs, &err);
		goto out;
	}
	if (upload_check(s, rs) != 0)
		goto out;
	if ((s->chains = calloc(s->m, sizeof(*s->chains))) == NULL) {
		oom(rs);
		goto out;
	}
	for (i = 0; i < s->m; i++)
		if (recipient_check(s, rs, reader->store, i) != 0)
			goto out;
	if (entries_match(s, rs) != 0 || secrets_match(s, rs) != 0)
		goto out;
	f = reader->store->drv->rec_get(reader->store, CYD_REC_DOC, s->doc_id,
	    &old, NULL, &err);
	if (f < 0) {
		cyd_error_lib(rs, &err);
		goto out;
	}
	if (f == 1) {
		refuse(rq, rs, 409, "conflict", "document %s is already "
		    "registered: a doc-id is used once", s->doc_id);
		goto out;
	}
	r = 0;
out:
	cy_buf_free(&old);
	cyd_reader_put(rq->srv, reader);
	return r;
}

static json_t *
send_answer(const struct send *s, const cyd_job *job, json_t *receipts)
{
	json_t *copies = json_array(), *list = json_array(), *c;
	size_t i;

	if (copies == NULL || list == NULL)
		goto fail;
	for (i = 0; i < s->m; i++) {
		c = json_array_get(s->copies, i);
		if (json_array_append_new(copies, json_pack("{s:s, s:s, s:s, "
		    "s:s, s:s, s:I}", "copy_id", cyd_jstr(c, "copy_id"),
		    "copy", cyd_jstr(c, "copy"), "recipient", cyd_jstr(c, "recipient"),
		    "name", cyd_jstr(c, "name"), "unit", cyd_jstr(c, "unit"),
		    "index", cyd_jnum(c, "index"))) != 0)
			goto fail;
	}
	for (i = 0; i < json_array_size(receipts); i++)
		json_array_append(list, json_object_get(json_array_get(receipts,
		    i), "receipt"));
	return json_pack("{s:s, s:I, s:o, s:o}", "doc_id", s->doc_id,
	    "index", (json_int_t)job->first, "copies", copies,
	    "receipts", list);
fail:
	json_decref(copies);
	json_decref(list);
	return NULL;
}

int
cyd_h_documents_post(cyd_request *rq, cyd_response *rs)
{
	struct send s;
	cyd_job job;
	json_t *receipts = NULL, *ans;
	cy_buf *made = NULL;
	cy_error err;
	size_t i;

	memset(&s, 0, sizeof(s));
	memset(&job, 0, sizeof(job));
	s.rq = rq;
	if (send_checks(&s, rs) != 0)
		goto out;
	if (records_build(&s) != 0 ||
	    (made = calloc(s.body.nentries, sizeof(*made))) == NULL) {
		oom(rs);
		goto out;
	}
	job.entries = s.body.entries, job.lens = s.body.lens;
	job.n = s.body.nentries, job.bad = SIZE_MAX;
	job.receipts = made;
	job.hook = send_hook, job.hook_ctx = &s;
	if (cyd_writer_submit(rq->srv->writer, &job) != 0 || job.rc != 0) {
		if (s.taken)
			refuse(rq, rs, 409, "conflict", "document %s is already "
			    "registered: a doc-id is used once", s.doc_id);
		else
			cyd_job_refused(rs, &job);
		goto out;
	}
	if (cyd_job_receipts(rq->srv, &job, &receipts, &err) != 0) {
		cyd_error(rs, 503, "unavailable", "registered at index %llu but "
		    "the receipts failed: %s (GET /v1/log/proof)",
		    (unsigned long long)job.first, err.msg);
		goto out;
	}
	if ((ans = send_answer(&s, &job, receipts)) == NULL)
		oom(rs);
	else
		cyd_json(rs, 201, ans);
	cyd_log(CYD_INFO, "document registered", "id", rq->id, "doc", s.doc_id,
	    "sender", rq->caller->serial, NULL);
out:
	for (i = 0; made != NULL && i < s.body.nentries; i++)
		cy_buf_free(&made[i]);
	free(made);
	json_decref(receipts);
	send_free(&s);
	return 0;
}

/* --- reading: inbox, status, file --- */

/* The document and (copy_id not NULL) its copy, or -1 answered (404). */
static int
doc_and_copy(cyd_request *rq, cyd_response *rs, cy_store *st,
    const char *doc_id, const char *copy_id, json_t **doc, json_t **copy)
{
	cy_error err;
	int r;

	*doc = NULL;
	if (copy != NULL)
		*copy = NULL;
	if ((r = cyd_doc_load(st, doc_id, doc, &err)) < 0)
		return cyd_error_lib(rs, &err), -1;
	if (r == 0)
		return refuse(rq, rs, 404, "not-found", "no document %s",
		    doc_id), -1;
	if (copy == NULL)
		return 0;
	if ((r = cyd_copy_load(st, doc_id, copy_id, copy, &err)) < 0)
		return cyd_error_lib(rs, &err), -1;
	if (r == 0)
		return refuse(rq, rs, 404, "not-found", "document %s has no "
		    "copy %s", doc_id, copy_id), -1;
	return 0;
}

static json_t *
inbox_item(const json_t *doc, const json_t *copy)
{
	const char *level = cyd_jstr(doc, "level");
	char mark[2] = {cy_level_mark(cy_level_parse(level, strlen(level))),
		'\0'};

	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, "
	    "s:s, s:s, s:s}", "doc_id", cyd_jstr(doc, "doc_id"),
	    "copy_id", cyd_jstr(copy, "copy_id"), "copy", cyd_jstr(copy, "copy"),
	    "number", cyd_jstr(doc, "number"), "level", level, "mark", mark,
	    "from_unit", cyd_jstr(doc, "unit"), "sender", cyd_jstr(doc, "sender"),
	    "sender_name", cyd_jstr(doc, "sender_name"),
	    "time", cyd_jnum(copy, "time"),
	    "state", copy_state(doc, copy),
	    "sealed_sha256", cyd_jstr(copy, "file"),
	    "label_sha256", cyd_jstr(doc, "label_sha256"));
}

static int
newest_first(const void *a, const void *b)
{
	json_int_t ta = cyd_jnum(*(json_t *const *)a, "time");
	json_int_t tb = cyd_jnum(*(json_t *const *)b, "time");

	return ta < tb ? 1 : ta > tb ? -1 : 0;
}

int
cyd_h_inbox(cyd_request *rq, cyd_response *rs)
{
	cyd_reader *reader = NULL;
	json_t *mail = NULL, *doc, *copy, *out = json_array(), **items = NULL;
	cy_error err;
	size_t i, n = 0;

	if (out == NULL)
		return oom(rs);
	if (cyd_reader_get_store(rq->srv, &reader, &err) != 0 ||
	    cyd_inbox_list(reader->store, rq->caller->serial, &mail,
	    &err) != 0) {
		cyd_error_lib(rs, &err);
		goto out;
	}
	if ((items = calloc(json_array_size(mail) + 1, sizeof(*items))) ==
	    NULL) {
		oom(rs);
		goto out;
	}
	for (i = 0; i < json_array_size(mail); i++) {
		const json_t *m = json_array_get(mail, i);

		doc = copy = NULL;
		if (cyd_doc_load(reader->store, cyd_jstr(m, "doc_id"), &doc,
		    &err) < 0 || cyd_copy_load(reader->store, cyd_jstr(m, "doc_id"),
		    cyd_jstr(m, "copy_id"), &copy, &err) < 0) {
			json_decref(doc);
			cyd_error_lib(rs, &err);
			goto out;
		}
		if (doc != NULL && copy != NULL &&
		    (items[n] = inbox_item(doc, copy)) != NULL)
			n++;
		json_decref(doc);
		json_decref(copy);
	}
	qsort(items, n, sizeof(*items), newest_first);
	for (i = 0; i < n; i++) {
		json_array_append_new(out, items[i]);
		items[i] = NULL;
	}
	cyd_json(rs, 200, json_pack("{s:O}", "documents", out));
out:
	for (i = 0; items != NULL && i < n; i++)
		json_decref(items[i]);
	free(items);
	json_decref(out);
	json_decref(mail);
	cyd_reader_put(rq->srv, reader);
	return 0;
}

/* The sender, the holder or maker of any copy (a numbered copy's holder
 * is not in the label), or an authority whose subtree holds the
 * originating unit or a copy's holder (the holder's authority). */
static int
may_see(const cyd_caller *c, const json_t *doc, const json_t *copies)
{
	const json_t *copy;
	size_t i;

	if (strcmp(c->serial, cyd_jstr(doc, "sender")) == 0)
		return 1;
	if (c->role == CY_ROLE_AUTHORITY &&
	    cy_unit_contains(c->unit, cyd_jstr(doc, "unit")))
		return 1;
	json_array_foreach(copies, i, copy) {
		if (strcmp(c->serial, cyd_jstr(copy, "recipient")) == 0 ||
		    strcmp(c->serial, cyd_jstr(copy, "made_by")) == 0)
			return 1;
		if (c->role == CY_ROLE_AUTHORITY &&
		    cy_unit_contains(c->unit, cyd_jstr(copy, "unit")))
			return 1;
	}
	return 0;
}

int
cyd_h_document_get(cyd_request *rq, cyd_response *rs)
{
	char id[ID_SIZE];
	cyd_reader *reader = NULL;
	json_t *doc = NULL, *copies = NULL, *c;
	cy_error err;
	size_t i;

	if (path_doc_id(rq, rs, id) != 0)
		return 0;
	if (cyd_reader_get_store(rq->srv, &reader, &err) != 0) {
		cyd_error_lib(rs, &err);
		goto out;
	}
	if (doc_and_copy(rq, rs, reader->store, id, NULL, &doc, NULL) != 0)
		goto out;
	if (cyd_copies_load(reader->store, id, &copies, &err) != 0) {
		cyd_error_lib(rs, &err);
		goto out;
	}
	if (!may_see(rq->caller, doc, copies)) {
		cyd_forbid(rq, rs, "document %s is not yours to see: the "
		    "caller is neither its sender, the holder of a copy nor "
		    "an authority above unit %s or a holder", id,
		    cyd_jstr(doc, "unit"));
		goto out;
	}
	for (i = 0; i < json_array_size(copies); i++) {
		c = json_array_get(copies, i);
		json_object_set_new(c, "state",
		    json_string(copy_state(doc, c)));
	}
	json_object_del(doc, "label");
	cyd_json(rs, 200, json_pack("{s:O, s:O}", "document", doc, "copies",
	    copies));
out:
	json_decref(doc);
	json_decref(copies);
	cyd_reader_put(rq->srv, reader);
	return 0;
}

int
cyd_h_document_file(cyd_request *rq, cyd_response *rs)
{
	char id[ID_SIZE], copy_id[ID_SIZE + 8];
	cyd_reader *reader = NULL;
	json_t *doc = NULL, *copy = NULL;
	cy_buf file = CY_BUF_INIT;
	const char *cs;
	cy_error err;
	int r;

	if (path_doc_id(rq, rs, id) != 0)
		return 0;
	if (cyd_query(rq, "copy", copy_id, sizeof(copy_id)) == NULL ||
	    !cy_serial_valid(copy_id, strlen(copy_id))) {
		refuse(rq, rs, 400, "bad-request", "give the copy: "
		    "?copy=COPY-ID (32 lowercase hex digits)");
		return 0;
	}
	if (cyd_reader_get_store(rq->srv, &reader, &err) != 0) {
		cyd_error_lib(rs, &err);
		goto out;
	}
	if (doc_and_copy(rq, rs, reader->store, id, copy_id, &doc, &copy) != 0)
		goto out;
	if (strcmp(rq->caller->serial, cyd_jstr(copy, "recipient")) != 0 &&
	    strcmp(rq->caller->serial, cyd_jstr(doc, "sender")) != 0) {
		cyd_forbid(rq, rs, "copy %s of document %s is not yours",
		    copy_id, id);
		goto out;
	}
	cs = cyd_jstr(copy, "state");
	if (strcmp(cs, "destroyed") == 0) {
		refuse(rq, rs, 404, "not-found", "copy %s of document %s was "
		    "destroyed", copy_id, id);
		goto out;
	}
	if ((r = cyd_file_get(reader->store, cyd_jstr(copy, "file"), &file,
	    &err)) < 0) {
		cyd_error_lib(rs, &err);
		goto out;
	}
	if (r == 0) {
		refuse(rq, rs, 404, "not-found", "the file of copy %s of "
		    "document %s is no longer kept", copy_id, id);
		goto out;
	}
	cyd_text(rs, 200, "application/octet-stream", file.data, file.len);
out:
	cy_buf_free(&file);
	json_decref(doc);
	json_decref(copy);
	cyd_reader_put(rq->srv, reader);
	return 0;
}

/* --- POST /v1/documents/{doc-id}/receive --- */

struct receive {
	const cyd_caller *caller;
	const char *doc_id, *copy_id, *integrity;
	int64_t now;
	int taken;              /* received meanwhile */
};

static int
receive_hook(void *ctx, cy_store *st, uint64_t first, cy_error *err)
{
	struct receive *v = ctx;
	json_t *doc = NULL, *copy = NULL, *row = NULL;
	int r;

	if (v->caller->nonce_pending &&
	    (r = cyd_auth_nonce_put(st, v->caller, err)) != 0)
		return r;
	if ((r = cyd_doc_load(st, v->doc_id, &doc, err)) < 0 ||
	    (r = cyd_copy_load(st, v->doc_id, v->copy_id, &copy, err)) < 0)
		goto out;
	if (doc == NULL || copy == NULL ||
	    strcmp(cyd_jstr(copy, "state"), "delivered") != 0) {
		v->taken = 1;
		r = cy_error_set(err, CY_E_POLICY, "copy %s of document %s is "
		    "no longer waiting for its receipt", v->copy_id, v->doc_id);
		goto out;
	}
	json_object_set_new(copy, "state", json_string("received"));
	json_object_set_new(copy, "received_time", json_integer(v->now));
	json_object_set_new(copy, "received_index",
	    json_integer((json_int_t)first));
	json_object_set_new(copy, "integrity", json_string(v->integrity));
	if ((r = cyd_copy_save(st, copy, err)) != 0)
		goto out;
	if ((row = incoming_row(doc, copy)) == NULL) {
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	r = cyd_register_row(st, "incoming", cyd_jstr(copy, "unit"),
	    (uint64_t)cyd_jnum(copy, "index"), cyd_jnum(copy, "time"), row, err);
out:
	json_decref(row);
	json_decref(doc);
	json_decref(copy);
	return r < 0 ? r : 0;
}

/* The copy may be acknowledged by the caller now, or -1 answered. */
static int
receive_checks(cyd_request *rq, cyd_response *rs, const char *id,
    const char *copy_id)
{
	cyd_reader *reader = NULL;
	json_t *doc = NULL, *copy = NULL;
	const char *cs;
	cy_error err;
	int r = -1;

	if (cyd_reader_get_store(rq->srv, &reader, &err) != 0)
		return cyd_error_lib(rs, &err), -1;
	if (doc_and_copy(rq, rs, reader->store, id, copy_id, &doc, &copy) != 0)
		goto out;
	cs = cyd_jstr(copy, "state");
	if (strcmp(rq->caller->serial, cyd_jstr(copy, "recipient")) != 0)
		cyd_forbid(rq, rs, "copy %s of document %s is not yours",
		    copy_id, id);
	else if (strcmp(cs, "received") == 0)
		refuse(rq, rs, 409, "conflict", "copy %s of document %s was "
		    "received already (index %lld)", copy_id, id,
		    (long long)cyd_jnum(copy, "received_index"));
	else if (strcmp(cs, "delivered") != 0)
		cyd_forbid(rq, rs, "copy %s of document %s was %s", copy_id, id,
		    cs);
	else
		r = 0;
out:
	json_decref(doc);
	json_decref(copy);
	cyd_reader_put(rq->srv, reader);
	return r;
}

int
cyd_h_document_receive(cyd_request *rq, cyd_response *rs)
{
	char id[ID_SIZE];
	struct receive v;
	const char *text, *copy_id, *doc_id;
	const uint8_t *ptrs[1];
	size_t lens[1];
	cy_buf made[1] = {CY_BUF_INIT};
	json_t *body = NULL, *receipts = NULL;
	cy_entry *e = NULL;
	cyd_job job;
	cy_error err;

	memset(&job, 0, sizeof(job));
	if (path_doc_id(rq, rs, id) != 0)
		return 0;
	if (cyd_body_object(rq, rs, &body) != 0 ||
	    (text = cyd_body_string(rs, body, "entry")) == NULL)
		goto out;
	ptrs[0] = (const uint8_t *)text, lens[0] = strlen(text);
	if (entry_check(rq, rs, 0, ptrs[0], lens[0], &e) != 0)
		goto out;
	if (strcmp(cy_entry_type(e), "doc.receive") != 0) {
		refuse(rq, rs, 400, "bad-request", "the entry is a %s entry, "
		    "not doc.receive", cy_entry_type(e));
		goto out;
	}
	doc_id = cy_entry_get(e, "doc-id");
	copy_id = cy_entry_get(e, "copy-id");
	if (strcmp(doc_id, id) != 0) {
		refuse(rq, rs, 400, "bad-request", "the entry is for document "
		    "%s, not %s", doc_id, id);
		goto out;
	}
	if (receive_checks(rq, rs, id, copy_id) != 0)
		goto out;
	v.caller = rq->caller, v.doc_id = id, v.copy_id = copy_id;
	v.integrity = cy_entry_get(e, "integrity");
	v.now = rq->now, v.taken = 0;
	job.entries = ptrs, job.lens = lens, job.n = 1, job.bad = SIZE_MAX;
	job.receipts = made;
	job.hook = receive_hook, job.hook_ctx = &v;
	if (cyd_writer_submit(rq->srv->writer, &job) != 0 || job.rc != 0) {
		if (v.taken)
			refuse(rq, rs, 409, "conflict", "copy %s of document %s "
			    "was received already", copy_id, id);
		else
			cyd_job_refused(rs, &job);
		goto out;
	}
	if (cyd_job_receipts(rq->srv, &job, &receipts, &err) != 0) {
		cyd_error(rs, 503, "unavailable", "appended at index %llu but "
		    "the receipt failed: %s (GET /v1/log/proof)",
		    (unsigned long long)job.first, err.msg);
		goto out;
	}
	cyd_json(rs, 200, json_pack("{s:I, s:O}", "index",
	    (json_int_t)job.first, "receipt", json_object_get(
	    json_array_get(receipts, 0), "receipt")));
out:
	cy_buf_free(&made[0]);
	json_decref(receipts);
	cy_entry_free(e);
	json_decref(body);
	return 0;
}
