/* coyeud — numbered copies (POST /v1/documents/{doc-id}/copies) and the
 * law's registers (GET /v1/registers/{name}): docs/exchange.md, "Numbered
 * copies" and "The law's registers". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coyeu/cert.h"
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

/* --- GET /v1/registers/{outgoing,incoming,copies,destroyed} --- */

static const char *const register_names[] = {
	"outgoing", "incoming", "copies", "destroyed", NULL,
};

#define DAY_SECONDS 86400

/* Whether the query names parameter `name` at all: cyd_query cannot tell
 * an absent one from one too long for its buffer, which must be refused,
 * not taken for absent. */
static int
query_has(const cyd_request *rq, const char *name)
{
	const char *q = rq->query;
	size_t n = strlen(name);

	while (q != NULL && *q != '\0') {
		if (strncmp(q, name, n) == 0 && (q[n] == '=' || q[n] == '&' ||
		    q[n] == '\0'))
			return 1;
		q = strchr(q, '&');
		if (q != NULL)
			q++;
	}
	return 0;
}

/* A query date "YYYY-MM-DD" (midnight UTC); absent: *t = 0 (no bound).
 * -1 after answering 400. */
static int
query_date(cyd_request *rq, cyd_response *rs, const char *name, int64_t *t)
{
	char buf[64];
	const char *v = cyd_query(rq, name, buf, sizeof(buf));

	*t = 0;
	if (v == NULL && !query_has(rq, name))
		return 0;
	if (v == NULL || strlen(v) != 10 || cmn_time_parse(v, t) != 0)
		return cyd_error(rs, 400, "bad-request", "%s must be a date, "
		    "YYYY-MM-DD", name), -1;
	return 0;
}

/* Who may read a unit's registers: an officer of that very unit, or an
 * authority whose unit contains it (docs/exchange.md, routes table). */
static int
may_read_unit(const cyd_caller *c, const char *unit)
{
	if (strcmp(c->unit, unit) == 0)
		return 1;
	return c->role == CY_ROLE_AUTHORITY && cy_unit_contains(c->unit, unit);
}

int
cyd_h_registers(cyd_request *rq, cyd_response *rs)
{
	char name[32], unit_buf[CY_UNIT_MAX + 2];
	const char *unit;
	const char *const *n;
	int64_t from, to;
	cyd_reader *reader = NULL;
	json_t *rows = NULL;
	cy_error err;

	if (cyd_path_param(rq, 0, name, sizeof(name)) != 0)
		name[0] = '\0';
	for (n = register_names; *n != NULL && strcmp(*n, name) != 0; n++)
		;
	if (*n == NULL)
		return cyd_error(rs, 404, "not-found", "no register '%s': "
		    "outgoing, incoming, copies or destroyed", name);
	unit = cyd_query(rq, "unit", unit_buf, sizeof(unit_buf));
	if (unit == NULL && !query_has(rq, "unit"))
		unit = rq->caller->unit;
	if (unit == NULL || !cy_unit_valid(unit, strlen(unit)))
		return cyd_error(rs, 400, "bad-request", "unit must be a unit "
		    "path (segments of a-z, 0-9 and '-' joined by '/')");
	if (query_date(rq, rs, "from", &from) != 0 ||
	    query_date(rq, rs, "to", &to) != 0)
		return 0;
	/* "to" names the last day included. */
	if (to != 0)
		to += DAY_SECONDS;
	if (from != 0 && to != 0 && from >= to)
		return cyd_error(rs, 400, "bad-request", "from is after to");
	if (!may_read_unit(rq->caller, unit))
		return cyd_forbid(rq, rs, "the %s register of unit %s is for "
		    "its officers and the authorities above it; the caller is "
		    "%s %s of unit %s", name, unit,
		    rq->caller->role == CY_ROLE_REGISTRY ? "a" : "an",
		    cy_role_name(rq->caller->role), rq->caller->unit);
	if (cyd_reader_get_store(rq->srv, &reader, &err) != 0 ||
	    cyd_register_rows(reader->store, name, unit, from, to, &rows,
	    &err) < 0) {
		cyd_error_lib(rs, &err);
		goto out;
	}
	cyd_json(rs, 200, json_pack("{s:s, s:s, s:o}", "register", name,
	    "unit", unit, "rows", rows));
	rows = NULL;
out:
	json_decref(rows);
	cyd_reader_put(rq->srv, reader);
	return 0;
}

/* --- POST /v1/documents/{doc-id}/copies --- */


/* A copy nobody recalled or destroyed. */
static int
copy_live(const json_t *copy)
{
	const char *state = cyd_jstr(copy, "state");

	return strcmp(state, "recalled") != 0 &&
	    strcmp(state, "destroyed") != 0;
}

/* One copy being made. */
struct copying {
	cyd_request *rq;
	char doc_id[CY_RELEASE_ID_SIZE];
	json_t *doc;              /* the document's record, as read */
	json_t *copies;           /* its copies */
	unsigned number, total;   /* N/M */
	struct cyd_doc_body body;
	cy_doc_upload *up;
	cy_chain *target;         /* the new recipient's registered chain */
	const char *form;         /* in the entry */
	char copy_id[CY_RELEASE_ID_SIZE];
	char copy[32];            /* "N/M" */
	char label_sha256[65], sealed_sha256[65];
	/* Filled by the hook. */
	int refused;
};

/* The body, as a sending's (cyd_body_upload) for one copy: one
 * copy.issue entry, one sealed secret. */
static int
read_body(cyd_request *rq, cyd_response *rs, struct copying *cp)
{
	cy_error err;

	if (cyd_body_upload(rq->body, rq->body_len, rq->srv->cfg.doc_max, 1,
	    &cp->body, &err) != 0)
		return cyd_error(rs, err.code == CY_E_TOO_LARGE ? 413 : 400,
		    err.code == CY_E_TOO_LARGE ? "too-large" : "bad-request",
		    "%s", err.msg), -1;
	if (cp->body.nsecrets != 1)
		return cyd_error(rs, 400, "bad-request", "a copy carries one "
		    "entry (copy.issue) and one sealed secret"), -1;
	snprintf(cp->copy_id, sizeof(cp->copy_id), "%s",
	    cp->body.secrets[0].copy_id);
	return 0;
}

/* The copier and the document: the record, the copier's live copy, the
 * count.  Each refusal of the caller is a denied entry. */
static int
check_holder(cyd_request *rq, cyd_response *rs, struct copying *cp)
{
	const char *serial = rq->caller->serial;
	cyd_reader *reader = NULL;
	unsigned originals, allowed, made;
	json_t *c;
	size_t i;
	cy_error err;
	int holds = 0, r = -1;

	if (cyd_reader_get_store(rq->srv, &reader, &err) != 0)
		return cyd_error_lib(rs, &err), -1;
	if (cyd_doc_load(reader->store, cp->doc_id, &cp->doc, &err) < 0 ||
	    (cp->doc != NULL && cyd_copies_load(reader->store, cp->doc_id,
	    &cp->copies, &err) < 0)) {
		cyd_error_lib(rs, &err);
		goto out;
	}
	if (cp->doc == NULL) {
		cyd_error(rs, 404, "not-found", "no document %s", cp->doc_id);
		goto out;
	}
	json_array_foreach(cp->copies, i, c)
		if (strcmp(cyd_jstr(c, "recipient"), serial) == 0 && copy_live(c))
			holds = 1;
	if (!holds || !copy_live(cp->doc)) {
		cyd_forbid(rq, rs, "%s (serial %s) holds no live copy of "
		    "document %s: only the recipient of a copy that is neither "
		    "recalled nor destroyed may copy it",
		    cy_cert_name(rq->caller->cert), serial,
		    cyd_jstr(cp->doc, "number"));
		goto out;
	}
	/* copies_made counts the originals too (routes_docs.c). */
	originals = (unsigned)cyd_jnum(cp->doc, "copies");
	allowed = (unsigned)cyd_jnum(cp->doc, "copies_allowed");
	made = (unsigned)cyd_jnum(cp->doc, "copies_made");
	cp->number = made + 1;
	cp->total = originals + allowed;
	if (cp->number > cp->total) {
		cyd_forbid(rq, rs, "copy %u would exceed the %u copies "
		    "authorised for document %s (%u original%s and %u further "
		    "cop%s)", cp->number, cp->total, cyd_jstr(cp->doc, "number"),
		    originals, originals == 1 ? "" : "s", allowed,
		    allowed == 1 ? "y" : "ies");
		goto out;
	}
	snprintf(cp->copy, sizeof(cp->copy), "%u/%u", cp->number, cp->total);
	r = 0;
out:
	cyd_reader_put(rq->srv, reader);
	return r;
}

/* The copy.issue entry: the caller's own, recent, for this document, the
 * next number, a copy's form. */
static int
check_entry(cyd_request *rq, cyd_response *rs, struct copying *cp,
    cy_entry **out)
{
	const uint8_t *data = cp->body.entries[0];
	size_t len = cp->body.lens[0];
	cy_entry *e = NULL;

	*out = NULL;
	if (cyd_entry_own(rq, rs, "the copy.issue entry", "copy.issue", data,
	    len, &e, NULL, NULL) != 0)
		return -1;
	if (strcmp(cy_entry_get(e, "doc-id"), cp->doc_id) != 0 ||
	    strcmp(cy_entry_get(e, "copy-id"), cp->copy_id) != 0) {
		cyd_error(rs, 400, "bad-request", "the copy.issue entry is for "
		    "document %s copy %s, not document %s copy %s (the sealed "
		    "secret's)", cy_entry_get(e, "doc-id"),
		    cy_entry_get(e, "copy-id"), cp->doc_id, cp->copy_id);
		goto fail;
	}
	if (strcmp(cy_entry_get(e, "copy"), cp->copy) != 0) {
		cyd_error(rs, 409, "conflict", "the copy.issue entry numbers "
		    "the copy %s, and the next copy of document %s is %s",
		    cy_entry_get(e, "copy"), cyd_jstr(cp->doc, "number"), cp->copy);
		goto fail;
	}
	cp->form = cy_entry_get(e, "form");
	if (strcmp(cp->form, "original") == 0) {
		cyd_error(rs, 400, "bad-request", "a copy's form is sao-y, "
		    "sao-luc or trich-sao, not original");
		goto fail;
	}
	*out = e;
	return 0;
fail:
	cy_entry_free(e);
	return -1;
}

/* The file and its label (cy_doc_upload_check), then that the label is a
 * copy of the registered document: the same number, level, protection
 * and compartments, the copy's number and form, the entry's one
 * recipient and copy-id, sealed by the caller.  The label's unit is the
 * copier's: a sealer seals for its own unit (docs/policy.md, rule 12). */
static int
check_upload(cyd_request *rq, cyd_response *rs, struct copying *cp,
    const cy_entry *e, const struct crl_set *crls)
{
	cy_source src;
	cy_trust trust = {rq->srv->root, (const cy_crl *const *)crls->crl,
	    crls->n};
	const cy_label *l;
	char want[64];
	const char *doc_level = cyd_jstr(cp->doc, "level");
	cy_error err;

	if (cy_source_mem(&src, cp->body.file.data, cp->body.file.len,
	    &err) != 0)
		return cyd_error_lib(rs, &err), -1;
	if (cy_doc_upload_check(&src, rq->srv->cfg.doc_max,
	    cp->body.label.data, cp->body.label.len, &trust, &cp->up,
	    &err) != 0) {
		if (err.code == CY_E_POLICY || err.code == CY_E_REVOKED)
			return cyd_forbid(rq, rs, "%s", err.msg), -1;
		return cyd_error_lib(rs, &err), -1;
	}
	l = cy_doc_upload_label(cp->up);
	snprintf(want, sizeof(want), "%s %s", cp->copy, cp->form);
#define LABEL_DIFFERS(what, label_v, doc_v) \
	cyd_error(rs, 400, "bad-request", "the copy's label has " what \
	    " %s, and document %s has %s", label_v, cyd_jstr(cp->doc, "number"), \
	    doc_v)
	if (strcmp(cy_doc_upload_doc_id(cp->up), cp->doc_id) != 0)
		return LABEL_DIFFERS("doc-id", cy_doc_upload_doc_id(cp->up),
		    cp->doc_id), -1;
	if (strcmp(cy_label_document(l), cyd_jstr(cp->doc, "number")) != 0)
		return LABEL_DIFFERS("document", cy_label_document(l),
		    cyd_jstr(cp->doc, "number")), -1;
	if (cy_label_level(l) != cy_level_parse(doc_level, strlen(doc_level)))
		return LABEL_DIFFERS("level", cy_level_name(cy_label_level(l)),
		    doc_level), -1;
	if (strcmp(cy_label_compartments(l) ? cy_label_compartments(l) : "",
	    cyd_jstr(cp->doc, "compartments")) != 0)
		return LABEL_DIFFERS("compartments", cy_label_compartments(l),
		    cyd_jstr(cp->doc, "compartments")), -1;
	if (cy_label_protect_until(l) != cyd_jnum(cp->doc, "protect_until")) {
		char t1[CY_CANON_TIME_LEN + 1], t2[CY_CANON_TIME_LEN + 1];

		return LABEL_DIFFERS("protect-until", cmn_time_text(
		    cy_label_protect_until(l), t1), cmn_time_text(cyd_jnum(cp->doc,
		    "protect_until"), t2)), -1;
	}
	if (cy_label_only_named(l) !=
	    json_is_true(json_object_get(cp->doc, "only_named")))
		return cyd_error(rs, 400, "bad-request", "the copy's label "
		    "changes the document's handling"), -1;
	if (strcmp(cy_label_copy(l), want) != 0)
		return cyd_error(rs, 400, "bad-request", "the copy's label says "
		    "copy: %s, and the entry makes it %s", cy_label_copy(l),
		    want), -1;
	if (cy_label_recipient_count(l) != 1 ||
	    strcmp(cy_label_recipient(l, 0), cy_entry_get(e,
	    "recipient")) != 0)
		return cyd_error(rs, 400, "bad-request", "a copy is sealed to "
		    "one recipient, the entry's %s", cy_entry_get(e,
		    "recipient")), -1;
	if (strcmp(cy_doc_upload_copy_id(cp->up, 0), cp->copy_id) != 0)
		return cyd_error(rs, 400, "bad-request", "the file's copy-id %s "
		    "is not the entry's %s", cy_doc_upload_copy_id(cp->up, 0),
		    cp->copy_id), -1;
	if (strcmp(cy_cert_serial(cy_doc_upload_signer(cp->up)),
	    rq->caller->serial) != 0)
		return cyd_forbid(rq, rs, "the copy is sealed by %s, not by the "
		    "caller %s", cy_cert_serial(cy_doc_upload_signer(cp->up)),
		    rq->caller->serial), -1;
#undef LABEL_DIFFERS
	cy_hex_encode(cp->label_sha256, cy_doc_upload_label_sha256(cp->up), 32);
	cy_hex_encode(cp->sealed_sha256, cy_doc_upload_sealed_sha256(cp->up),
	    32);
	/* The copier signs its label's hash: the reader's check of the
	 * decrypted label (open_release.c) rests on it. */
	if (cy_entry_get(e, "label-sha256") == NULL ||
	    strcmp(cy_entry_get(e, "label-sha256"), cp->label_sha256) != 0)
		return cyd_error(rs, 400, "bad-request", "the copy.issue entry "
		    "must carry label-sha256 %s, the copy's label's",
		    cp->label_sha256), -1;
	return 0;
}

/* The new recipient: registered, its chain verifying now, holding no
 * live copy yet; then cy_policy_decide(COPY) with the copier as actor. */
static int
check_target(cyd_request *rq, cyd_response *rs, struct copying *cp,
    const char *serial, const struct crl_set *crls)
{
	const cy_crl *const *lists = (const cy_crl *const *)crls->crl;
	const char *serials[CY_LABEL_RECIPIENTS_MAX];
	char why[CY_ERROR_MSG_MAX];
	cy_policy_party actor, target;
	cy_policy_request prq;
	cy_policy_decision d;
	cy_policy_doc pdoc;
	cy_buf text = CY_BUF_INIT;
	json_t *c;
	cy_error err;
	size_t i;
	int r = -1;

	if ((r = cyd_record_get(rq->srv, "cert", serial, &text, &err)) <= 0) {
		if (r < 0)
			cyd_error_lib(rs, &err);
		else
			cyd_error(rs, 400, "bad-request", "the recipient %s is "
			    "not registered here (coyeu id register)", serial);
		r = -1;
		goto out;
	}
	r = -1;
	if (cy_chain_parse(text.data, text.len, &cp->target, &err) != 0) {
		cyd_error(rs, 503, "unavailable", "the stored chain of %s does "
		    "not parse: %s", serial, err.msg);
		goto out;
	}
	if (cy_chain_verify(cp->target, rq->srv->root, lists, crls->n,
	    rq->now, NULL, &err) != 0) {
		cyd_forbid(rq, rs, "the recipient's chain does not verify now: "
		    "%s", err.msg);
		goto out;
	}
	if ((r = cyd_chain_held_revoked_srv(rq->srv, cp->target, why,
	    sizeof(why), &err)) != 0) {
		if (r < 0)
			cyd_error_lib(rs, &err);
		else
			cyd_forbid(rq, rs, "the recipient's chain does not verify "
			    "now: %s", why);
		r = -1;
		goto out;
	}
	r = -1; /* every refusal below answers and returns -1 */
	json_array_foreach(cp->copies, i, c)
		if (strcmp(cyd_jstr(c, "recipient"), serial) == 0 && copy_live(c)) {
			cyd_error(rs, 409, "conflict", "%s already holds copy %s "
			    "of document %s", cyd_jstr(c, "name"), cyd_jstr(c, "copy"),
			    cyd_jstr(cp->doc, "number"));
			goto out;
		}
	if (cyd_doc_policy(cp->doc, serials, NULL, &pdoc, &err) != 0 ||
	    cy_policy_party_from_cert(rq->caller->cert, lists, crls->n,
	    &actor) != 0 ||
	    cy_policy_party_from_cert(cy_chain_get(cp->target, 0), lists,
	    crls->n, &target) != 0) {
		cyd_error(rs, 503, "unavailable", "the record of document %s "
		    "cannot be read: %s", cp->doc_id, err.msg);
		goto out;
	}
	/* The copier holds a copy (check_holder): a numbered copy's holder is
	 * not in the original label. */
	pdoc.recipients = &rq->caller->serial;
	pdoc.nrecipients = 1;
	memset(&prq, 0, sizeof(prq));
	prq.action = CY_ACT_COPY;
	prq.time = rq->now;
	prq.actor = &actor;
	prq.target = &target;
	prq.doc = &pdoc;
	/* No approvals yet (issue 14): TUYỆT MẬT is refused by rule 20. */
	if (cy_policy_decide(&prq, &d) == 0)
		r = 0;
	else if (d.reason == CY_POL_BAD_REQUEST)
		cyd_error(rs, 503, "unavailable", "the record of document %s is "
		    "incomplete: %s", cp->doc_id, d.msg);
	else
		cyd_forbid(rq, rs, "%s", d.msg);
out:
	cy_buf_free(&text);
	return r;
}

/* --- the writer job's hook: everything durable with the entry --- */

static int
set(json_t *o, const char *k, json_t *v, cy_error *err)
{
	if (v == NULL || json_object_set_new(o, k, v) != 0)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	return 0;
}

static json_t *
b64_json(const uint8_t *p, size_t len)
{
	char *s = malloc(CY_B64_PADDED_LEN(len) + 1);
	json_t *j;

	if (s == NULL)
		return NULL;
	cy_b64_encode(s, p, len, 1);
	j = json_string(s);
	free(s);
	return j;
}

/* The copy's record and its rows in the copies register (the copier's
 * unit) and the incoming register (the recipient's). */
static int
copy_rows(struct copying *cp, uint64_t index, json_t **copy,
    json_t **copies_row, json_t **incoming_row, cy_error *err)
{
	const cyd_caller *c = cp->rq->caller;
	const cy_cert *to = cy_chain_get(cp->target, 0);
	json_int_t at = (json_int_t)cp->rq->now, idx = (json_int_t)index;
	const char *number = cyd_jstr(cp->doc, "number"), *level =
	    cyd_jstr(cp->doc, "level");

	/* label_sha256 and register_entry: a release of this copy answers
	 * with its copy.issue entry, which binds its label (routes_release.c). */
	*copy = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, "
	    "s:I, s:s, s:s, s:s, s:i, s:s, s:o}",
	    "doc_id", cp->doc_id, "copy_id", cp->copy_id, "copy", cp->copy,
	    "form", cp->form, "recipient", cy_cert_serial(to),
	    "name", cy_cert_name(to), "unit", cy_cert_unit(to),
	    "file", cp->sealed_sha256, "index", idx, "time", at,
	    "made_by", c->serial, "made_by_name", cy_cert_name(c->cert),
	    "state", "delivered", "opens", 0, "label_sha256", cp->label_sha256,
	    "register_entry", b64_json(cp->body.entries[0], cp->body.lens[0]));
	/* The rows have the shape of a sending's (routes_docs.c), which a
	 * receipt rewrites, with who made the copy. */
	*copies_row = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, "
	    "s:s, s:s, s:s, s:s}",
	    "index", idx, "time", at, "doc_id", cp->doc_id,
	    "copy_id", cp->copy_id, "number", number, "level", level,
	    "copy", cp->copy, "form", cp->form,
	    "recipient", cy_cert_serial(to), "name", cy_cert_name(to),
	    "made_by", c->serial, "made_by_name", cy_cert_name(c->cert));
	*incoming_row = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, "
	    "s:s, s:s, s:n}",
	    "index", idx, "time", at, "doc_id", cp->doc_id,
	    "copy_id", cp->copy_id, "number", number, "level", level,
	    "from_unit", cyd_jstr(cp->doc, "unit"), "copy", cp->copy,
	    "recipient", cy_cert_serial(to), "name", cy_cert_name(to),
	    "received");
	if (*copy == NULL || *copies_row == NULL || *incoming_row == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	return 0;
}

static int
copy_hook(void *ctx, cy_store *s, uint64_t first, cy_error *err)
{
	struct copying *cp = ctx;
	const cyd_caller *c = cp->rq->caller;
	const cy_cert *to = cy_chain_get(cp->target, 0);
	json_t *doc = NULL, *copy = NULL, *copies_row = NULL,
	    *incoming_row = NULL;
	int r;

	/* The document as it is now: a recall or another copy may have
	 * committed since the checks. */
	if ((r = cyd_doc_load(s, cp->doc_id, &doc, err)) < 0)
		goto out;
	if (r == 0 || !copy_live(doc) ||
	    cyd_jnum(doc, "copies_made") != cyd_jnum(cp->doc, "copies_made")) {
		cp->refused = 1;
		r = cy_error_set(err, CY_E_POLICY, "document %s changed while "
		    "copy %s was made (%s): ask again", cp->doc_id, cp->copy,
		    r == 0 ? "gone" : !copy_live(doc) ? cyd_jstr(doc, "state") :
		    "another copy took that number");
		goto out;
	}
	if ((r = copy_rows(cp, first, &copy, &copies_row, &incoming_row,
	    err)) != 0 ||
	    (r = set(doc, "copies_made", json_integer(cyd_jnum(doc,
	    "copies_made") + 1), err)) != 0 ||
	    (r = cyd_copy_save(s, copy, err)) != 0 ||
	    (r = cyd_share_put(s, cp->doc_id, cp->copy_id,
	    cp->body.secrets[0].sealed.data, cp->body.secrets[0].sealed.len,
	    err)) != 0 ||
	    (r = cyd_file_put(s, cp->sealed_sha256, cp->doc_id,
	    cp->body.file.data, cp->body.file.len, err)) != 0 ||
	    (r = cyd_inbox_put(s, cy_cert_serial(to), cp->doc_id, cp->copy_id,
	    cp->rq->now, err)) != 0 ||
	    (r = cyd_register_row(s, "copies", c->unit, first, cp->rq->now,
	    copies_row, err)) != 0 ||
	    (r = cyd_register_row(s, "incoming", cy_cert_unit(to), first,
	    cp->rq->now, incoming_row, err)) != 0 ||
	    (r = cyd_doc_save(s, doc, err)) != 0)
		goto out;
	r = c->nonce_pending ? cyd_auth_nonce_put(s, c, err) : 0;
out:
	json_decref(doc);
	json_decref(copy);
	json_decref(copies_row);
	json_decref(incoming_row);
	return r;
}

/* The answer: 201 and the new copy, its entry's index and receipt. */
static int
answer(cyd_request *rq, cyd_response *rs, struct copying *cp, cyd_job *job)
{
	const cy_cert *to = cy_chain_get(cp->target, 0);
	json_t *receipts, *o;
	cy_error err;

	if (cyd_job_receipts(rq->srv, job, &receipts, &err) != 0)
		/* Durable already: say so rather than invite a second copy. */
		return cyd_error(rs, 503, "unavailable", "copy %s is recorded at "
		    "index %llu but the receipt failed: %s (GET /v1/log/proof)",
		    cp->copy, (unsigned long long)job->first, err.msg);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:O}",
	    "doc_id", cp->doc_id, "copy_id", cp->copy_id, "copy", cp->copy,
	    "form", cp->form, "recipient", cy_cert_serial(to),
	    "name", cy_cert_name(to), "unit", cy_cert_unit(to),
	    "index", (json_int_t)job->first, "receipt",
	    json_object_get(json_array_get(receipts, 0), "receipt"));
	json_decref(receipts);
	return cyd_json(rs, 201, o);
}

int
cyd_h_document_copies(cyd_request *rq, cyd_response *rs)
{
	struct copying cp;
	struct crl_set *crls = NULL;
	cy_buf made[1] = {CY_BUF_INIT};
	cyd_reader *reader = NULL;
	cy_entry *e = NULL;
	cyd_job job;
	cy_error err;

	memset(&cp, 0, sizeof(cp));
	cp.rq = rq;
	if (cyd_path_doc_id(rq, rs, cp.doc_id) != 0)
		goto out;
	if (check_holder(rq, rs, &cp) != 0 || read_body(rq, rs, &cp) != 0 ||
	    check_entry(rq, rs, &cp, &e) != 0)
		goto out;
	if (cyd_reader_get_store(rq->srv, &reader, &err) != 0 ||
	    cyd_crls_load(reader->store, &crls, &err) != 0) {
		cyd_error_lib(rs, &err);
		goto out;
	}
	cyd_reader_put(rq->srv, reader);
	reader = NULL;
	/* The policy before the file: it needs only the entry, and the
	 * upload's check reads every byte. */
	if (check_target(rq, rs, &cp, cy_entry_get(e, "recipient"), crls) != 0 ||
	    check_upload(rq, rs, &cp, e, crls) != 0)
		goto out;
	memset(&job, 0, sizeof(job));
	job.entries = cp.body.entries, job.lens = cp.body.lens, job.n = 1;
	job.receipts = made;
	job.bad = SIZE_MAX;
	job.hook = copy_hook, job.hook_ctx = &cp;
	if (cyd_writer_submit(rq->srv->writer, &job) != 0 || job.rc != 0) {
		if (cp.refused)
			cyd_error(rs, 409, "conflict", "%s", job.err.msg);
		else if (job.err.code == CY_E_SIGNATURE)
			cyd_error(rs, 401, "unauthenticated", "%s", job.err.msg);
		else if (strstr(job.err.msg, "already in the register") != NULL)
			cyd_error(rs, 409, "conflict", "the copy.issue entry is "
			    "already in the register: %s", job.err.msg);
		else
			cyd_error(rs, 503, "unavailable", "the copy was not "
			    "recorded: %s", job.err.msg);
		goto out;
	}
	answer(rq, rs, &cp, &job);
out:
	if (reader != NULL)
		cyd_reader_put(rq->srv, reader);
	cyd_crls_free(crls);
	cy_entry_free(e);
	cy_buf_free(&made[0]);
	json_decref(cp.doc);
	json_decref(cp.copies);
	cy_doc_upload_free(cp.up);
	cy_chain_free(cp.target);
	cyd_body_document_free(&cp.body);
	return 0;
}
