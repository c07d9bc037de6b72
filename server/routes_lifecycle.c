/* coyeud — recall, destroy and extend a registered document
 * (docs/exchange.md, "Recall, destroy, extend").  The caller signs the
 * entry; the registry checks it against the document's records and the
 * policy, then appends it in one commit with the records' new states and
 * the deletion of the sealed secrets (and, on destroy, the files) of the
 * copies concerned.  Recall and destroy then have the writer scrub the
 * store, so that no byte of R survives in its files (docs/store.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coyeu/encoding.h"
#include "coyeu/entry.h"
#include "coyeu/label.h"
#include "coyeu/level.h"
#include "coyeu/policy.h"
#include "common/timefmt.h"

#include "coyeud.h"
#include "auth.h"
#include "bodies.h"
#include "docs.h"

/* How far an entry's time may lie from the registry's clock. */
#define LC_ID_LEN 32

enum lc_kind { LC_RECALL, LC_DESTROY, LC_EXTEND };

struct lc_op {
	const char *type;   /* the entry's type */
	const char *verb;   /* for messages */
	const char *state;  /* the copies' state after it (NULL: none) */
	int action;         /* enum cy_policy_action (0: none) */
};

static const struct lc_op lc_ops[] = {
	[LC_RECALL] = {"recall", "recall", "recalled", CY_ACT_RECALL},
	[LC_DESTROY] = {"destroy", "destroy", "destroyed", CY_ACT_DESTROY},
	[LC_EXTEND] = {"doc.extend", "extend", NULL, 0},
};

/* One request, shared with the writer's hook. */
struct lc {
	cyd_request *rq;
	int kind;
	const struct lc_op *op;
	char doc_id[LC_ID_LEN + 1];
	uint8_t *raw;         /* the entry's bytes */
	size_t rawlen;
	cy_entry *e;
	const char *copy_id;  /* in e; NULL: the whole document */
	const char *reason;   /* in e; may be NULL (destroy) */
	const char *method;   /* destroy */
	int64_t time;         /* the entry's */
	int64_t until;        /* extend: the new protect-until */
	/* set by the hook (each attempt afresh) */
	int conflict;         /* the state changed before the commit */
	json_t *done;         /* the copy numbers it changed ("2/3") */
};

/* "recalled on 2026-12-07T10:00:00Z by Nguyễn Văn A: leak suspected"
 * from a doc or copy record's state fields. */
static const char *
state_text(const json_t *rec, char *buf, size_t cap)
{
	char t[CY_CANON_TIME_LEN + 1];
	const char *reason = cyd_jstr(rec, "state_reason");

	snprintf(buf, cap, "%s on %s by %s%s%s", cyd_jstr(rec, "state"),
	    cmn_time_text(cyd_jnum(rec, "state_time"), t),
	    cyd_jstr(rec, "state_by_name"),
	    *reason != '\0' ? ": " : "", reason);
	return buf;
}

/* "Số 12/QĐ (doc-id 0123…)" */
static const char *
doc_name(const json_t *doc, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s (doc-id %s)", cyd_jstr(doc, "number"),
	    cyd_jstr(doc, "doc_id"));
	return buf;
}

/* Whether state ends what op does: a recalled or destroyed copy is not
 * recalled again, a destroyed one not destroyed again. */
static int
state_final(int kind, const char *state)
{
	if (strcmp(state, "destroyed") == 0)
		return 1;
	return kind == LC_RECALL && strcmp(state, "recalled") == 0;
}

/* --- the entry --- */

/* The body's entry: the caller's own (cyd_entry_own) of this route's type,
 * for this document.  0, or -1 after answering. */
static int
take_entry(struct lc *lc, cyd_response *rs, json_t *body)
{
	const char *text, *v;
	size_t len;
	cy_error err;
	int64_t t;

	if (cyd_body_member(body, "entry", &text, &len, &err) != 0)
		return cyd_error(rs, 400, "bad-request", "%s", err.msg), -1;
	if (len > CY_B64_PADDED_LEN(CY_ENTRY_MAX) ||
	    (lc->raw = malloc(len / 4 * 3 + 3)) == NULL ||
	    cy_b64_decode(lc->raw, &lc->rawlen, text, len, 1) != 0)
		return cyd_error(rs, 400, "bad-request", "\"entry\" is not the "
		    "base64 of an entry of at most %d bytes", CY_ENTRY_MAX), -1;
	if (cyd_entry_own(lc->rq, rs, "the entry", lc->op->type, lc->raw,
	    lc->rawlen, &lc->e, &t, NULL) != 0)
		return -1;
	if (strcmp(cy_entry_get(lc->e, "doc-id"), lc->doc_id) != 0) {
		cyd_error(rs, 400, "bad-request", "the entry names document %s, "
		    "the path %s", cy_entry_get(lc->e, "doc-id"), lc->doc_id);
		return -1;
	}
	lc->time = t;
	lc->copy_id = cy_entry_get(lc->e, "copy-id");
	lc->reason = cy_entry_get(lc->e, "reason");
	lc->method = cy_entry_get(lc->e, "method");
	if (lc->kind == LC_DESTROY && strcmp(lc->method, "crypto-shred") != 0) {
		cyd_error(rs, 400, "bad-request", "method %s: this registry "
		    "destroys by crypto-shredding (method crypto-shred); a "
		    "physical destruction is recorded with coyeu log append",
		    lc->method);
		return -1;
	}
	if (lc->kind == LC_EXTEND &&
	    ((v = cy_entry_get(lc->e, "protect-until")) == NULL ||
	    cmn_time_parse(v, &lc->until) != 0)) {
		cyd_error(rs, 400, "bad-request", "the entry's protect-until is "
		    "not a date");
		return -1;
	}
	return 0;
}

/* --- who may --- */

/* An authority whose unit holds `unit` (by whole segments). */
static int
authority_over(const cyd_caller *c, const char *unit)
{
	return c->role == CY_ROLE_AUTHORITY && *unit != '\0' &&
	    cy_unit_contains(c->unit, unit);
}

/* Whether the caller may do op on doc (or its copy): NULL, or the
 * refusal in buf.  *holder is set when only the copy's holder's
 * authority lets it (destroy). */
static const char *
who_refuses(const struct lc *lc, const json_t *doc, const json_t *copy,
    int *holder, char *buf, size_t cap)
{
	const cyd_caller *c = lc->rq->caller;
	const char *unit = cyd_jstr(doc, "unit");
	int sender = strcmp(cyd_jstr(doc, "sender"), c->serial) == 0;
	char name[200];

	*holder = 0;
	switch (lc->kind) {
	case LC_RECALL:
		if (sender || authority_over(c, unit))
			return NULL;
		snprintf(buf, cap, "only the sender (%s) or an authority over "
		    "unit %s may recall document %s; the caller %s is %s of unit "
		    "%s", cyd_jstr(doc, "sender_name"), unit,
		    doc_name(doc, name, sizeof(name)), cy_cert_name(c->cert),
		    cy_role_name(c->role), c->unit);
		return buf;
	case LC_DESTROY:
		if (sender || authority_over(c, unit))
			return NULL;
		if (copy != NULL && authority_over(c, cyd_jstr(copy, "unit"))) {
			*holder = 1;
			return NULL;
		}
		if (copy != NULL)
			snprintf(buf, cap, "only the authority of the copy's "
			    "holder (over unit %s), the sender or an authority "
			    "over unit %s may destroy copy %s of document %s; the "
			    "caller %s is %s of unit %s", cyd_jstr(copy, "unit"), unit,
			    cyd_jstr(copy, "copy"), doc_name(doc, name, sizeof(name)),
			    cy_cert_name(c->cert), cy_role_name(c->role), c->unit);
		else
			snprintf(buf, cap, "only the sender (%s) or an authority "
			    "over unit %s may destroy document %s; the caller %s "
			    "is %s of unit %s", cyd_jstr(doc, "sender_name"), unit,
			    doc_name(doc, name, sizeof(name)),
			    cy_cert_name(c->cert), cy_role_name(c->role), c->unit);
		return buf;
	default:
		if (authority_over(c, unit))
			return NULL;
		snprintf(buf, cap, "only the originating authority (over unit "
		    "%s) may extend the protection of document %s; the caller "
		    "%s is %s of unit %s", unit, doc_name(doc, name, sizeof(name)),
		    cy_cert_name(c->cert), cy_role_name(c->role), c->unit);
		return buf;
	}
}

/* The state refusal (409), or NULL: the document or the copy has
 * already gone where op would take it. */
static const char *
state_refuses(const struct lc *lc, const json_t *doc, const json_t *copy,
    char *buf, size_t cap)
{
	const char *ds = cyd_jstr(doc, "state");
	char name[200], st[400];

	doc_name(doc, name, sizeof(name));
	if (lc->kind == LC_EXTEND) {
		if (strcmp(ds, "live") == 0)
			return NULL;
		snprintf(buf, cap, "document %s was %s; its protection is not "
		    "extended", name, state_text(doc, st, sizeof(st)));
		return buf;
	}
	if (state_final(lc->kind, ds) ||
	    (lc->kind == LC_RECALL && strcmp(ds, "live") != 0)) {
		snprintf(buf, cap, "document %s was already %s", name,
		    state_text(doc, st, sizeof(st)));
		return buf;
	}
	if (copy != NULL && state_final(lc->kind, cyd_jstr(copy, "state"))) {
		snprintf(buf, cap, "copy %s of document %s was already %s",
		    cyd_jstr(copy, "copy"), name, state_text(copy, st, sizeof(st)));
		return buf;
	}
	return NULL;
}

/* The policy's decision on recall or destroy, as the caller's refusal
 * (in buf), or NULL.  The holder's authority destroys one copy as the
 * unit that holds it. */
static const char *
policy_refuses(const struct lc *lc, const json_t *doc, const json_t *copy,
    int holder, char *buf, size_t cap, int *failed)
{
	const char *serials[CY_LABEL_RECIPIENTS_MAX];
	cy_policy_request pr;
	cy_policy_decision dec;
	cy_policy_party actor;
	cy_policy_doc d;
	cy_error err;

	*failed = 0;
	if (cy_policy_party_from_cert(lc->rq->caller->cert, NULL, 0,
	    &actor) != 0 || cyd_doc_policy(doc, serials, NULL, &d, &err) != 0) {
		*failed = 1;
		snprintf(buf, cap, "the document's records are damaged");
		return buf;
	}
	if (holder)
		d.unit = cyd_jstr(copy, "unit");
	memset(&pr, 0, sizeof(pr));
	pr.action = lc->op->action;
	pr.time = lc->rq->now;
	pr.actor = &actor;
	pr.doc = &d;
	if (cy_policy_decide(&pr, &dec) == 0)
		return NULL;
	snprintf(buf, cap, "%s", dec.msg);
	return buf;
}

/* Extend: cleared for the document, a later end, within the level's
 * cap.  0, or -1 after answering. */
static int
extend_check(struct lc *lc, cyd_response *rs, const json_t *doc)
{
	const char *lv = cyd_jstr(doc, "level");
	int level = cy_level_parse(lv, strlen(lv));
	char a[CY_CANON_TIME_LEN + 1], name[200];
	cy_error err;

	doc_name(doc, name, sizeof(name));
	if (lc->rq->caller->clearance < level)
		return cyd_forbid(lc->rq, rs, "extending document %s (%s) needs "
		    "clearance %s; the caller has %s", name,
		    cy_level_display(level), cy_level_display(level),
		    cy_level_display(lc->rq->caller->clearance)), -1;
	if (lc->until <= cyd_jnum(doc, "protect_until"))
		return cyd_error(rs, 400, "bad-request", "protect-until %s is "
		    "not later than the document's current end, %s",
		    cy_entry_get(lc->e, "protect-until"),
		    cmn_time_text(cyd_jnum(doc, "protect_until"), a)), -1;
	if (cy_policy_protect_check(level, cyd_jnum(doc, "created"), lc->until,
	    &err) != 0)
		return cyd_forbid(lc->rq, rs, "document %s: %s", name, err.msg),
		    -1;
	return 0;
}

/* --- the commit --- */

static int
set_state(json_t *rec, const struct lc *lc, uint64_t index)
{
	const cyd_caller *c = lc->rq->caller;

	if (json_object_set_new(rec, "state", json_string(lc->op->state)) ||
	    json_object_set_new(rec, "state_time", json_integer(lc->time)) ||
	    json_object_set_new(rec, "state_by", json_string(c->serial)) ||
	    json_object_set_new(rec, "state_by_name",
	    json_string(cy_cert_name(c->cert))) ||
	    json_object_set_new(rec, "state_reason",
	    json_string(lc->reason != NULL ? lc->reason : "")) ||
	    json_object_set_new(rec, "state_index", json_integer((json_int_t)
	    index)))
		return -1;
	return 0;
}

/* The hook's refusal when the state moved between the checks and the
 * commit (a concurrent recall or destroy won). */
static int
conflict(struct lc *lc, cy_error *err, const json_t *doc, const json_t *copy)
{
	char msg[CY_ERROR_MSG_MAX];

	lc->conflict = 1;
	if (state_refuses(lc, doc, copy, msg, sizeof(msg)) == NULL)
		snprintf(msg, sizeof(msg), "document %s changed meanwhile: try "
		    "again", lc->doc_id);
	return cy_error_set(err, CY_E_POLICY, "%s", msg);
}

/* Destroy: the files no copy still needs (a sending's originals share
 * one file; a numbered copy has its own).  copies NULL: the whole
 * document, whose files no copy needs any more. */
static int
delete_files(cy_store *s, const json_t *copies, const json_t *changed_files,
    cy_error *err)
{
	const json_t *f, *cp;
	size_t i, j;
	int needed, r;

	json_array_foreach(changed_files, i, f) {
		needed = 0;
		json_array_foreach(copies, j, cp)
			if (strcmp(cyd_jstr(cp, "file"), json_string_value(f)) == 0 &&
			    strcmp(cyd_jstr(cp, "state"), "destroyed") != 0)
				needed = 1;
		if (!needed && (r = cyd_file_delete(s, json_string_value(f),
		    err)) != 0)
			return r;
	}
	return 0;
}

static int
add_unique(json_t *list, const char *s)
{
	const json_t *v;
	size_t i;

	json_array_foreach(list, i, v)
		if (strcmp(json_string_value(v), s) == 0)
			return 0;
	return json_array_append_new(list, json_string(s));
}

static long
copy_number(const json_t *v)
{
	return strtol(json_string_value(v), NULL, 10);
}

static int
by_copy_number(const void *a, const void *b)
{
	long x = copy_number(*(json_t *const *)a),
	    y = copy_number(*(json_t *const *)b);

	return (x > y) - (x < y);
}

/* The copies changed, "1/3" before "2/3" (the store keeps them by
 * copy-id). */
static int
sort_copy_numbers(json_t *list)
{
	size_t i, n = json_array_size(list);
	json_t **v = calloc(n + 1, sizeof(*v));

	if (v == NULL)
		return -1;
	for (i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(list, i));
	qsort(v, n, sizeof(*v), by_copy_number);
	json_array_clear(list);
	for (i = 0; i < n; i++)
		if (json_array_append_new(list, v[i]) != 0) {
			while (++i < n)
				json_decref(v[i]);
			free(v);
			return -1;
		}
	free(v);
	return 0;
}

/* Biên bản tiêu hủy: one row per destroy entry, under the unit that
 * destroyed (the holder's for one copy, the originating one for the
 * document). */
static int
destroyed_row(struct lc *lc, cy_store *s, const json_t *doc,
    const json_t *copy, uint64_t index, cy_error *err)
{
	const char *unit = cyd_jstr(copy != NULL ? copy : doc, "unit");
	json_t *row;
	int r;

	row = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:O, s:s, s:s, s:s, "
	    "s:s, s:s*}", "index", (json_int_t)index, "time",
	    (json_int_t)lc->time, "doc_id", lc->doc_id, "number",
	    cyd_jstr(doc, "number"), "level", cyd_jstr(doc, "level"), "unit", unit,
	    "copies", lc->done, "method", lc->method, "ordered_by",
	    lc->rq->caller->serial, "ordered_by_name",
	    cy_cert_name(lc->rq->caller->cert), "ordered_by_unit",
	    lc->rq->caller->unit, "reason", lc->reason);
	if (row == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	r = cyd_register_row(s, "destroyed", unit, index, lc->time, row, err);
	json_decref(row);
	return r;
}

/* Recall or destroy: the copies concerned lose their sealed secrets
 * (destroy: and the files no copy needs), and take the new state. */
static int
shred_copies(struct lc *lc, cy_store *s, json_t *doc, json_t *copies,
    uint64_t index, json_t **the_copy, cy_error *err)
{
	json_t *cp, *files = json_array();
	size_t i;
	int r = 0;

	if (files == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	json_array_foreach(copies, i, cp) {
		if (lc->copy_id != NULL) {
			if (strcmp(cyd_jstr(cp, "copy_id"), lc->copy_id) != 0)
				continue;
			*the_copy = cp;
			if (state_final(lc->kind, cyd_jstr(cp, "state"))) {
				r = conflict(lc, err, doc, cp);
				goto out;
			}
		} else if (state_final(lc->kind, cyd_jstr(cp, "state")))
			continue;
		if ((r = cyd_share_delete(s, lc->doc_id, cyd_jstr(cp, "copy_id"),
		    err)) != 0)
			goto out;
		if (json_array_append_new(lc->done, json_string(cyd_jstr(cp,
		    "copy"))) != 0 || add_unique(files, cyd_jstr(cp, "file")) != 0) {
			r = cy_error_set(err, CY_E_NOMEM, "out of memory");
			goto out;
		}
		/* One copy takes the state; for the whole document the
		 * document's record holds it (a release then says "document
		 * … was recalled"), and a copy's own earlier state stays. */
		if (lc->copy_id == NULL)
			continue;
		if (set_state(cp, lc, index) != 0) {
			r = cy_error_set(err, CY_E_NOMEM, "out of memory");
			goto out;
		}
		if ((r = cyd_copy_save(s, cp, err)) != 0)
			goto out;
	}
	if (sort_copy_numbers(lc->done) != 0) {
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	if (lc->copy_id != NULL && *the_copy == NULL) {
		r = cy_error_set(err, CY_E_NOT_FOUND, "document %s has no copy %s",
		    lc->doc_id, lc->copy_id);
		goto out;
	}
	if (lc->kind == LC_DESTROY && lc->copy_id == NULL &&
	    add_unique(files, cyd_jstr(doc, "sealed_sha256")) != 0) {
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	if (lc->kind == LC_DESTROY)
		r = delete_files(s, lc->copy_id == NULL ? NULL : copies, files,
		    err);
out:
	json_decref(files);
	return r;
}

/* In the writer's transaction: the records as they are now, checked
 * again (a concurrent request may have committed first), changed. */
static int
lc_hook(void *ctx, cy_store *s, uint64_t first, cy_error *err)
{
	struct lc *lc = ctx;
	json_t *doc = NULL, *copies = NULL, *the_copy = NULL;
	int r;

	lc->conflict = 0;
	json_decref(lc->done);
	if ((lc->done = json_array()) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	if ((r = cyd_doc_load(s, lc->doc_id, &doc, err)) < 0)
		goto out;
	if (r == 0) {
		r = cy_error_set(err, CY_E_NOT_FOUND, "no document %s",
		    lc->doc_id);
		goto out;
	}
	if (state_refuses(lc, doc, NULL, err->msg, sizeof(err->msg)) != NULL) {
		r = conflict(lc, err, doc, NULL);
		goto out;
	}
	if (lc->kind == LC_EXTEND) {
		if (json_object_set_new(doc, "protect_until",
		    json_integer(lc->until)) != 0) {
			r = cy_error_set(err, CY_E_NOMEM, "out of memory");
			goto out;
		}
		r = cyd_doc_save(s, doc, err);
		goto nonce;
	}
	if ((r = cyd_copies_load(s, lc->doc_id, &copies, err)) != 0 ||
	    (r = shred_copies(lc, s, doc, copies, first, &the_copy, err)) != 0)
		goto out;
	if (lc->copy_id == NULL) {
		if (set_state(doc, lc, first) != 0) {
			r = cy_error_set(err, CY_E_NOMEM, "out of memory");
			goto out;
		}
		if ((r = cyd_doc_save(s, doc, err)) != 0)
			goto out;
	}
	if (lc->kind == LC_DESTROY &&
	    (r = destroyed_row(lc, s, doc, the_copy, first, err)) != 0)
		goto out;
nonce:
	if (r == 0 && lc->rq->caller->nonce_pending)
		r = cyd_auth_nonce_put(s, lc->rq->caller, err);
out:
	json_decref(copies);
	json_decref(doc);
	return r;
}

/* The writer's refusal as an answer. */
static int
job_refused(const struct lc *lc, cyd_response *rs, const cyd_job *job)
{
	if (lc->conflict)
		return cyd_error(rs, 409, "conflict", "%s", job->err.msg);
	if (job->bad != SIZE_MAX &&
	    strstr(job->err.msg, "already in the register") != NULL)
		return cyd_error(rs, 409, "conflict", "the entry is already in "
		    "the register: an entry is appended once");
	if (job->bad != SIZE_MAX)
		return cyd_error(rs, 400, "bad-request", "the entry: %s",
		    job->err.msg);
	if (job->err.code == CY_E_SIGNATURE)
		return cyd_error(rs, 401, "unauthenticated", "%s", job->err.msg);
	return cyd_error_lib(rs, &job->err);
}

/* The records as the checks see them: 0 (found), or -1 after answering
 * (404 for a document or copy not registered). */
static int
load_records(struct lc *lc, cyd_response *rs, json_t **doc, json_t **copy)
{
	cyd_reader *rd = NULL;
	cy_store *s;
	cy_error err;
	int r;

	*doc = *copy = NULL;
	if (cyd_reader_get_store(lc->rq->srv, &rd, &err) != 0)
		return cyd_error_lib(rs, &err), -1;
	s = rd->store;
	if ((r = s->drv->begin(s, 0, &err)) == 0) {
		if ((r = cyd_doc_load(s, lc->doc_id, doc, &err)) == 1 &&
		    lc->copy_id != NULL)
			r = cyd_copy_load(s, lc->doc_id, lc->copy_id, copy, &err);
		s->drv->rollback(s);
	}
	cyd_reader_put(lc->rq->srv, rd);
	if (r < 0)
		return cyd_error_lib(rs, &err), -1;
	if (*doc == NULL)
		return cyd_error(rs, 404, "not-found", "no document %s is "
		    "registered", lc->doc_id), -1;
	if (lc->copy_id != NULL && *copy == NULL)
		return cyd_error(rs, 404, "not-found", "document %s has no copy "
		    "%s", lc->doc_id, lc->copy_id), -1;
	return 0;
}

/* Every check before the commit: 0, or -1 after answering. */
static int
check(struct lc *lc, cyd_response *rs, const json_t *doc, const json_t *copy)
{
	char why[CY_ERROR_MSG_MAX];
	int holder, failed;

	if (who_refuses(lc, doc, copy, &holder, why, sizeof(why)) != NULL)
		return cyd_forbid(lc->rq, rs, "%s", why), -1;
	if (state_refuses(lc, doc, copy, why, sizeof(why)) != NULL)
		return cyd_error(rs, 409, "conflict", "%s", why), -1;
	if (lc->kind == LC_EXTEND)
		return extend_check(lc, rs, doc);
	if (policy_refuses(lc, doc, copy, holder, why, sizeof(why),
	    &failed) != NULL) {
		if (failed)
			return cyd_error(rs, 503, "unavailable", "%s", why), -1;
		return cyd_forbid(lc->rq, rs, "%s", why), -1;
	}
	return 0;
}

/* {"index", "receipt", "number", and "copies" changed and whether the
 * store was "scrubbed" (recall, destroy) or the new "protect_until"
 * (extend)}. */
static json_t *
answer(const struct lc *lc, const cyd_job *job, const json_t *doc,
    json_t *receipt)
{
	char t[CY_CANON_TIME_LEN + 1];
	json_t *a = json_pack("{s:O, s:O, s:s}", "index",
	    json_object_get(receipt, "index"), "receipt",
	    json_object_get(receipt, "receipt"), "number", cyd_jstr(doc, "number"));

	if (a == NULL)
		return NULL;
	if (lc->kind == LC_EXTEND) {
		if (json_object_set_new(a, "protect_until",
		    json_string(cmn_time_text(lc->until, t))) == 0)
			return a;
	} else if (json_object_set(a, "copies", lc->done) == 0 &&
	    json_object_set_new(a, "scrubbed", json_boolean(job->scrub_rc ==
	    0)) == 0)
		return a;
	json_decref(a);
	return NULL;
}

static int
lifecycle(cyd_request *rq, cyd_response *rs, int kind)
{
	struct lc lc;
	json_t *body = NULL, *doc = NULL, *copy = NULL, *receipts = NULL, *o;
	const uint8_t *ptrs[1];
	cy_buf made = CY_BUF_INIT;
	cyd_job job;
	cy_error err;

	memset(&lc, 0, sizeof(lc));
	memset(&job, 0, sizeof(job));
	lc.rq = rq, lc.kind = kind, lc.op = &lc_ops[kind];
	if (cyd_path_doc_id(rq, rs, lc.doc_id) != 0)
		goto out;
	if (cyd_body_object(rq, rs, &body) != 0 || take_entry(&lc, rs, body) != 0 ||
	    load_records(&lc, rs, &doc, &copy) != 0 ||
	    check(&lc, rs, doc, copy) != 0)
		goto out;
	ptrs[0] = lc.raw;
	job.entries = ptrs, job.lens = &lc.rawlen, job.n = 1;
	job.receipts = &made;
	job.hook = lc_hook, job.hook_ctx = &lc;
	job.scrub = kind != LC_EXTEND;
	if (cyd_writer_submit(rq->srv->writer, &job) != 0 || job.rc != 0) {
		job_refused(&lc, rs, &job);
		goto out;
	}
	if (cyd_job_receipts(rq->srv, &job, &receipts, &err) != 0) {
		cyd_error(rs, 503, "unavailable", "appended at index %llu but "
		    "the receipt failed: %s (GET /v1/log/proof)",
		    (unsigned long long)job.first, err.msg);
		goto out;
	}
	o = json_array_get(receipts, 0);
	cyd_json(rs, 200, answer(&lc, &job, doc, o));
out:
	cy_buf_free(&made);
	json_decref(receipts);
	json_decref(lc.done);
	json_decref(copy);
	json_decref(doc);
	json_decref(body);
	cy_entry_free(lc.e);
	free(lc.raw);
	return 0;
}

int
cyd_h_document_recall(cyd_request *rq, cyd_response *rs)
{
	return lifecycle(rq, rs, LC_RECALL);
}

int
cyd_h_document_destroy(cyd_request *rq, cyd_response *rs)
{
	return lifecycle(rq, rs, LC_DESTROY);
}

int
cyd_h_document_extend(cyd_request *rq, cyd_response *rs)
{
	return lifecycle(rq, rs, LC_EXTEND);
}
