/* coyeud — POST /v1/releases: a recipient's signed `release` entry in,
 * its copy's R out, sealed to the recipient's own key (docs/exchange.md,
 * "POST /v1/releases", "Declassification").
 *
 * Every check runs before the writer job; the job's hook re-reads the
 * copy and the document inside the write transaction, so a recall or a
 * destruction that commits first wins, and reads the sealed share there.
 * R is opened only once the release entry is durable: fail closed, every
 * release the registry answers is in the register. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "coyeu/encoding.h"
#include "coyeu/entry.h"
#include "coyeu/label.h"
#include "coyeu/policy.h"
#include "coyeu/release.h"

#include "common/timefmt.h"
#include "coyeud.h"
#include "auth.h"
#include "docs.h"

#define ENTRY_B64_MAX CY_B64_PADDED_LEN(CY_ENTRY_MAX)
#define ALREADY_AT "already in the register at index "

/* Test hooks (docs/coyeud.md, "Fault injection"): COYEUD_FAULT names one. */
enum { FAULT_NONE, FAULT_AFTER_COMMIT, FAULT_COMMIT_FAIL };

static int
fault(void)
{
	static int which = -1;
	const char *f;

	if (__atomic_load_n(&which, __ATOMIC_RELAXED) < 0) {
		f = getenv("COYEUD_FAULT");
		__atomic_store_n(&which, f == NULL ? FAULT_NONE :
		    strcmp(f, "release-after-commit") == 0 ? FAULT_AFTER_COMMIT :
		    strcmp(f, "commit-fail") == 0 ? FAULT_COMMIT_FAIL :
		    FAULT_NONE, __ATOMIC_RELAXED);
	}
	return __atomic_load_n(&which, __ATOMIC_RELAXED);
}

/* One release in flight. */
struct release {
	cyd_request *rq;
	const uint8_t *entry;
	size_t len;
	cy_entry_checked *checked; /* the entry's check, for the writer */
	char doc_id[CY_RELEASE_ID_SIZE], copy_id[CY_RELEASE_ID_SIZE];
	cy_buf declassify;   /* the registry's declassify entry, or empty */
	int again;           /* the retry of an entry already appended: no
	                      * count, no declassify */
	uint64_t again_index; /* … at this index */
	/* The records the checks read: their bytes and parse.  The hook
	 * reads them again and parses only what changed meanwhile. */
	cy_buf doc_raw, copy_raw;
	json_t *doc, *copy;
	/* Filled by the hook, inside the transaction. */
	cy_buf share;        /* R sealed to the registry */
	int refused;         /* 1: the hook's refusal is the policy's */
	int declassified_meanwhile;
	/* The attempt's writer job and what it points at. */
	cyd_job job;
	const uint8_t *entries[2];
	const cy_entry_checked *checked_v[2];
	size_t lens[2];
	cy_buf made[2], reg_made; /* the receipts the writer makes */
	int tries;
	uint8_t *body_entry;  /* the decoded entry (entry points at it) */
};

/* The refusal a recalled or destroyed copy or document gets, into buf;
 * 0 when neither. */
static int
state_refusal(const json_t *doc, const json_t *copy, char *buf, size_t cap)
{
	char when[CY_CANON_TIME_LEN + 1];
	const json_t *o = copy;
	const char *state = cyd_jstr(copy, "state"), *reason;
	char what[160];

	if (strcmp(state, "recalled") != 0 && strcmp(state, "destroyed") != 0) {
		o = doc;
		state = cyd_jstr(doc, "state");
		if (strcmp(state, "recalled") != 0 &&
		    strcmp(state, "destroyed") != 0)
			return 0;
		snprintf(what, sizeof(what), "document %s", cyd_jstr(doc, "number"));
	} else
		snprintf(what, sizeof(what), "copy %s of document %s",
		    cyd_jstr(copy, "copy"), cyd_jstr(doc, "number"));
	reason = cyd_jstr(o, "state_reason");
	snprintf(buf, cap, "%s was %s on %s by %s%s%s", what, state,
	    cmn_time_text(cyd_jnum(o, "state_time"), when),
	    cyd_jstr(o, "state_by_name"),
	    reason[0] != '\0' ? ": " : "", reason);
	return 1;
}

/* --- the writer job's hook --- */

/* The record read again inside the transaction (raw, bytes; 0: none):
 * a shallow copy of the checks' parse when the bytes are the same, a
 * new parse otherwise. */
static int
hook_record(int found, const cy_buf *raw, const cy_buf *checked,
    const json_t *parsed, const char *kind, const char *key, json_t **out,
    cy_error *err)
{
	*out = NULL;
	if (found != 1)
		return found;
	if (parsed != NULL && raw->len == checked->len &&
	    memcmp(raw->data, checked->data, raw->len) == 0) {
		if ((*out = json_copy((json_t *)parsed)) == NULL)
			return cy_error_set(err, CY_E_NOMEM, "out of memory");
		return 1;
	}
	return cyd_record_parse(raw, kind, key, out, err) != 0 ? err->code : 1;
}

static int
release_hook(void *ctx, cy_store *s, uint64_t first, cy_error *err)
{
	struct release *rl = ctx;
	const cyd_caller *caller = rl->rq->caller;
	const cy_cert *reg = cy_chain_get(rl->rq->srv->chain, 0);
	json_t *doc = NULL, *copy = NULL;
	cy_buf doc_raw = CY_BUF_INIT, copy_raw = CY_BUF_INIT;
	char why[CY_ERROR_MSG_MAX];
	int r;

	if (fault() == FAULT_COMMIT_FAIL)
		return cy_error_set(err, CY_E_STORE, "the store failed "
		    "(COYEUD_FAULT=commit-fail)");
	if ((r = cyd_copy_load_raw(s, rl->doc_id, rl->copy_id, &copy_raw,
	    NULL, err)) < 0 ||
	    (r = hook_record(r, &copy_raw, &rl->copy_raw, rl->copy,
	    CYD_REC_COPY, rl->copy_id, &copy, err)) < 0 ||
	    (r = cyd_doc_load_raw(s, rl->doc_id, &doc_raw, NULL, err)) < 0 ||
	    (r = hook_record(r, &doc_raw, &rl->doc_raw, rl->doc, CYD_REC_DOC,
	    rl->doc_id, &doc, err)) < 0)
		goto out;
	rl->refused = 1;
	if (copy == NULL || doc == NULL) {
		r = cy_error_set(err, CY_E_POLICY, "copy %s of document %s no "
		    "longer exists", rl->copy_id, rl->doc_id);
		goto out;
	}
	if (state_refusal(doc, copy, why, sizeof(why))) {
		r = cy_error_set(err, CY_E_POLICY, "%s", why);
		goto out;
	}
	if (rl->declassify.len > 0 && strcmp(cyd_jstr(doc, "state"), "live") != 0) {
		/* Another release declassified it first: start again. */
		rl->declassified_meanwhile = 1;
		r = cy_error_set(err, CY_E_POLICY, "document %s was declassified "
		    "meanwhile", cyd_jstr(doc, "number"));
		goto out;
	}
	rl->refused = 0;
	rl->share.len = 0;
	if ((r = cyd_share_get(s, rl->doc_id, rl->copy_id, &rl->share,
	    err)) < 0)
		goto out;
	if (r == 0) {
		rl->refused = 1;
		r = cy_error_set(err, CY_E_POLICY, "copy %s of document %s holds "
		    "no key share any more", cyd_jstr(copy, "copy"),
		    cyd_jstr(doc, "number"));
		goto out;
	}
	if (!rl->again) {
		if (json_object_set_new(copy, "opens", json_integer(
		    cyd_jnum(copy, "opens") + 1)) != 0 ||
		    json_object_set_new(copy, "last_open_time",
		    json_integer(rl->rq->now)) != 0 ||
		    json_object_set_new(copy, "last_open_index",
		    json_integer((json_int_t)first)) != 0) {
			r = cy_error_set(err, CY_E_NOMEM, "out of memory");
			goto out;
		}
		if ((r = cyd_copy_save(s, copy, err)) != 0)
			goto out;
	}
	if (rl->declassify.len > 0 && !rl->again) {
		if (json_object_set_new(doc, "state",
		    json_string("declassified")) != 0 ||
		    json_object_set_new(doc, "state_time",
		    json_integer(rl->rq->now)) != 0 ||
		    json_object_set_new(doc, "state_by",
		    json_string(cy_cert_serial(reg))) != 0 ||
		    json_object_set_new(doc, "state_by_name",
		    json_string(cy_cert_name(reg))) != 0 ||
		    json_object_set_new(doc, "state_reason",
		    json_string("protection ended")) != 0 ||
		    json_object_set_new(doc, "state_index",
		    json_integer((json_int_t)first + 1)) != 0) {
			r = cy_error_set(err, CY_E_NOMEM, "out of memory");
			goto out;
		}
		if ((r = cyd_doc_save(s, doc, err)) != 0)
			goto out;
	}
	r = caller->nonce_pending ? cyd_auth_nonce_put(s, caller, err) : 0;
out:
	json_decref(doc);
	json_decref(copy);
	cy_buf_free(&doc_raw);
	cy_buf_free(&copy_raw);
	return r;
}

/* --- the checks before the job --- */

/* The entry in the body, decoded into *out (the caller frees it). */
static int
body_entry(cyd_request *rq, cyd_response *rs, uint8_t **out, size_t *len)
{
	const char *b64;
	json_t *body;
	size_t n;
	int r = -1;

	*out = NULL;
	if (cyd_body_object(rq, rs, &body) != 0)
		return -1;
	if ((b64 = cyd_body_string(rs, body, "entry")) == NULL)
		goto out;
	n = strlen(b64);
	if (n > ENTRY_B64_MAX) {
		cyd_error(rs, 413, "too-large", "the entry is over %d bytes",
		    CY_ENTRY_MAX);
		goto out;
	}
	if ((*out = malloc(n / 4 * 3 + 3)) == NULL) {
		cyd_error(rs, 503, "unavailable", "out of memory");
		goto out;
	}
	if (cy_b64_decode(*out, len, b64, n, 1) != 0) {
		cyd_error(rs, 400, "bad-request", "the entry is not standard "
		    "base64 (with padding)");
		goto out;
	}
	r = 0;
out:
	if (r != 0) {
		free(*out);
		*out = NULL;
	}
	json_decref(body);
	return r;
}

/* The entry verifies, is a release, is recent, and is the caller's own
 * request for its own copy; fills rl's ids. */
static int
check_entry(cyd_request *rq, cyd_response *rs, struct release *rl)
{
	const cyd_caller *c = rq->caller;
	const char *v;
	cy_entry *e = NULL;
	int r = -1;

	if (cyd_entry_own(rq, rs, "the release entry", "release", rl->entry,
	    rl->len, &e, NULL, &rl->checked) != 0)
		return -1;
	if (strcmp((v = cy_entry_get(e, "recipient")), c->serial) != 0) {
		cyd_forbid(rq, rs, "the release entry names recipient %s, not "
		    "the caller %s", v, c->serial);
		goto out;
	}
	snprintf(rl->doc_id, sizeof(rl->doc_id), "%s", cy_entry_get(e,
	    "doc-id"));
	snprintf(rl->copy_id, sizeof(rl->copy_id), "%s", cy_entry_get(e,
	    "copy-id"));
	r = 0;
out:
	cy_entry_free(e);
	return r;
}

/* The originating authority's subtree: the unit of the authority that
 * certified the sender (its registered chain), for a declassified
 * document's readers.  NULL (the document's unit) when unknown. */
static char *
origin_scope(cyd_server *srv, const json_t *doc)
{
	cy_buf text = CY_BUF_INIT;
	cy_chain *ch = NULL;
	cy_error err;
	char *scope = NULL;

	if (cyd_record_get(srv, "cert", cyd_jstr(doc, "sender"), &text, &err) == 1 &&
	    cy_chain_parse(text.data, text.len, &ch, &err) == 0 &&
	    cy_chain_len(ch) > 1)
		scope = strdup(cy_cert_unit(cy_chain_get(ch, 1)));
	cy_chain_free(ch);
	cy_buf_free(&text);
	return scope;
}

/* cy_policy_decide(RELEASE): the registry releases to the caller, over
 * the document's state now.  The caller's chain verified against the
 * revocation lists moments ago (cyd_auth), so its party is not revoked. */
static int
check_policy(cyd_request *rq, cyd_response *rs, const json_t *doc,
    const json_t *copy, int declassify)
{
	const char *serials[CY_LABEL_RECIPIENTS_MAX], *recipient;
	cy_policy_party registry, target;
	cy_policy_request prq;
	cy_policy_decision d;
	cy_policy_doc pdoc;
	char *scope = NULL;
	cy_error err;
	int r = -1;

	if (declassify || strcmp(cyd_jstr(doc, "state"), "declassified") == 0)
		scope = origin_scope(rq->srv, doc);
	if (cyd_doc_policy(doc, serials, scope, &pdoc, &err) != 0 ||
	    cy_policy_party_from_cert(cy_chain_get(rq->srv->chain, 0), NULL, 0,
	    &registry) != 0 ||
	    cy_policy_party_from_cert(rq->caller->cert, NULL, 0, &target) != 0) {
		cyd_error(rs, 503, "unavailable", "the document's record of %s "
		    "cannot be read: %s", cyd_jstr(doc, "doc_id"), err.msg);
		goto out;
	}
	/* This copy's recipient: a numbered copy's is not in the label. */
	recipient = cyd_jstr(copy, "recipient");
	pdoc.recipients = &recipient;
	pdoc.nrecipients = 1;
	if (declassify)
		pdoc.state = CY_DOC_DECLASSIFIED;
	memset(&prq, 0, sizeof(prq));
	prq.action = CY_ACT_RELEASE;
	prq.time = rq->now;
	prq.actor = &registry;
	prq.target = &target;
	prq.doc = &pdoc;
	if (cy_policy_decide(&prq, &d) == 0)
		r = 0;
	else if (d.reason == CY_POL_BAD_REQUEST)
		cyd_error(rs, 503, "unavailable", "the document's record of %s "
		    "is incomplete: %s", cyd_jstr(doc, "doc_id"), d.msg);
	else
		cyd_forbid(rq, rs, "%s", d.msg);
out:
	free(scope);
	return r;
}

/* The records (into rl), the copy's owner, the state and the policy;
 * whether the release declassifies (*declassify). */
static int
check_copy(cyd_request *rq, cyd_response *rs, struct release *rl,
    int *declassify)
{
	cyd_reader *reader = NULL;
	char why[CY_ERROR_MSG_MAX];
	cy_error err;
	int found, r = -1;

	json_decref(rl->doc);
	json_decref(rl->copy);
	rl->doc = rl->copy = NULL;
	if (cyd_reader_get_store(rq->srv, &reader, &err) != 0)
		return cyd_error_lib(rs, &err), -1;
	if (cyd_copy_load_raw(reader->store, rl->doc_id, rl->copy_id,
	    &rl->copy_raw, &rl->copy, &err) < 0 ||
	    (found = cyd_doc_load_raw(reader->store, rl->doc_id, &rl->doc_raw,
	    NULL, &err)) < 0 ||
	    (found == 1 && cyd_doc_cache_parse(rq->srv->docs, rl->doc_id,
	    &rl->doc_raw, &rl->doc, &err) != 0)) {
		cyd_error_lib(rs, &err);
		goto out;
	}
	cyd_reader_put(rq->srv, reader);
	reader = NULL;
	if (rl->copy == NULL || rl->doc == NULL) {
		cyd_error(rs, 404, "not-found", "document %s has no copy %s",
		    rl->doc_id, rl->copy_id);
		goto out;
	}
	if (strcmp(cyd_jstr(rl->copy, "recipient"), rq->caller->serial) != 0) {
		cyd_forbid(rq, rs, "copy %s of document %s is not yours",
		    rl->copy_id, rl->doc_id);
		goto out;
	}
	if (state_refusal(rl->doc, rl->copy, why, sizeof(why))) {
		cyd_forbid(rq, rs, "%s", why);
		goto out;
	}
	*declassify = !rl->again &&
	    strcmp(cyd_jstr(rl->doc, "state"), "live") == 0 &&
	    rq->now > cyd_jnum(rl->doc, "protect_until");
	if (check_policy(rq, rs, rl->doc, rl->copy, *declassify) != 0)
		goto out;
	r = 0;
out:
	if (reader != NULL)
		cyd_reader_put(rq->srv, reader);
	return r;
}

/* The record that binds the label the answer gives: a numbered copy's
 * copy.issue entry (routes_copies.c), else the document's doc.register. */
static const json_t *
label_binding(const struct release *rl)
{
	return json_object_get(rl->copy, "register_entry") != NULL ?
	    rl->copy : rl->doc;
}

/* The registry's `declassify` entry: protection ended, from the level
 * to none. */
static int
declassify_entry(cyd_request *rq, const json_t *doc, cy_buf *out,
    cy_error *err)
{
	char when[CY_CANON_TIME_LEN + 1];
	cy_entry_field f[5] = {
		{"time", cmn_time_text(rq->now, when)},
		{"actor", cy_cert_serial(cy_chain_get(rq->srv->chain, 0))},
		{"doc-id", cyd_jstr(doc, "doc_id")},
		{"from", cyd_jstr(doc, "level")},
		{"to", "none"},
	};

	return cy_entry_create("declassify", f, 5, rq->srv->key, out, err);
}

/* --- after the commit --- */

/* A receipt for index against the latest checkpoint a read handle holds
 * (at least `size`). */
static int
receipt_for(cyd_server *srv, cyd_reader **reader, uint64_t index,
    uint64_t size, cy_buf *out, cy_error *err)
{
	int r;

	if (*reader == NULL && (r = cyd_reader_get(srv, reader, err)) != 0)
		return r;
	if (cy_log_size((*reader)->log) < size &&
	    (r = cy_log_refresh((*reader)->log, err)) != 0)
		return r;
	out->len = 0;
	return cy_log_receipt((*reader)->log, index, 0, out, err);
}

/* R out of the registry's sealed share, sealed to the caller's key (R
 * never leaves the library in clear). */
static int
reseal(cyd_request *rq, const struct release *rl, cy_buf *out, cy_error *err)
{
	return cy_release_reseal(rl->share.data, rl->share.len,
	    rq->srv->seal_id, rl->doc_id,
	    rl->copy_id, cy_cert_seal_public(rq->caller->cert), out, err);
}

static int
answer(cyd_request *rq, cyd_response *rs, const struct release *rl,
    uint64_t index, uint64_t size, const cy_buf *made, const cy_buf *reg_made)
{
	const json_t *doc = label_binding(rl);
	cy_buf receipt = CY_BUF_INIT, reg = CY_BUF_INIT, sealed = CY_BUF_INIT;
	cyd_reader *reader = NULL;
	char *b64 = NULL;
	cy_error err;
	json_t *o;

	if (made == NULL &&
	    receipt_for(rq->srv, &reader, index, size, &receipt, &err) != 0)
		goto fail;
	if (reg_made == NULL &&
	    receipt_for(rq->srv, &reader, (uint64_t)cyd_jnum(doc, "index"), 0, &reg,
	    &err) != 0)
		goto fail;
	if (reg_made == NULL)
		reg_made = &reg;
	if (reseal(rq, rl, &sealed, &err) != 0)
		goto fail;
	if ((b64 = malloc(CY_B64_PADDED_LEN(sealed.len) + 1)) == NULL) {
		cy_error_set(&err, CY_E_NOMEM, "out of memory");
		goto fail;
	}
	cy_b64_encode(b64, sealed.data, sealed.len, 1);
	if (made == NULL)
		made = &receipt;
	o = json_pack("{s:I, s:s%, s:s, s:s, s:s, s:s%}",
	    "index", (json_int_t)index,
	    "receipt", (const char *)made->data, made->len,
	    "secret", b64,
	    "label_sha256", cyd_jstr(doc, "label_sha256"),
	    "register_entry", cyd_jstr(doc, "register_entry"),
	    "register_receipt", (const char *)reg_made->data, reg_made->len);
	cyd_json(rs, 200, o);
	goto out;
fail:
	/* Durable already: the retry of the same entry gets it. */
	cyd_error(rs, 503, "unavailable", "the release is recorded at index "
	    "%llu but cannot be answered now (%s): send the same entry again",
	    (unsigned long long)index, err.msg);
out:
	if (reader != NULL)
		cyd_reader_put(rq->srv, reader);
	free(b64);
	cy_buf_free(&receipt);
	cy_buf_free(&reg);
	cy_buf_free(&sealed);
	return 0;
}

/* The index an "already in the register" refusal names, or -1. */
static int
already_at(const cyd_job *job, uint64_t *index)
{
	const char *p = strstr(job->err.msg, ALREADY_AT);
	char *end;

	if (job->bad != 0 || p == NULL)
		return -1;
	*index = strtoull(p + strlen(ALREADY_AT), &end, 10);
	return end == p + strlen(ALREADY_AT) ? -1 : 0;
}

/* An attempt's checks and its job (into rl->job): 0, or -1 after
 * answering a refusal. */
static int
release_start(cyd_request *rq, cyd_response *rs, struct release *rl)
{
	cyd_job *job = &rl->job;
	cy_error err;
	int declassify = 0;

	if (check_copy(rq, rs, rl, &declassify) != 0)
		return -1;
	rl->declassify.len = 0;
	if (declassify && declassify_entry(rq, rl->doc, &rl->declassify,
	    &err) != 0)
		return cyd_error_lib(rs, &err), -1;
	memset(job, 0, sizeof(*job));
	rl->entries[0] = rl->entry, rl->lens[0] = rl->len;
	rl->entries[1] = rl->declassify.data, rl->lens[1] = rl->declassify.len;
	/* Checked by check_entry: the register does not check it again. */
	rl->checked_v[0] = rl->checked, rl->checked_v[1] = NULL;
	rl->made[0].len = rl->made[1].len = rl->reg_made.len = 0;
	if (!rl->again) {
		job->entries = rl->entries, job->lens = rl->lens;
		job->checked = rl->checked_v;
		job->n = declassify ? 2 : 1;
		job->receipts = rl->made;
	}
	/* The label's binding entry's receipt, from the writer too. */
	job->receipt_extra = &rl->reg_made;
	job->receipt_extra_index = (uint64_t)cyd_jnum(label_binding(rl), "index");
	job->hook = release_hook, job->hook_ctx = rl;
	rl->refused = rl->declassified_meanwhile = 0;
	return 0;
}

/* After the attempt's job: the answer, or 1 when a concurrent
 * declassification or a recognised retry asks for another attempt. */
static int
release_finish(cyd_request *rq, cyd_response *rs, struct release *rl)
{
	const cyd_job *job = &rl->job;
	uint64_t index;

	if (job->rc == 0) {
		if (fault() == FAULT_AFTER_COMMIT)
			raise(SIGKILL); /* the answer is lost, the entry kept */
		index = rl->again ? rl->again_index : job->first;
		answer(rq, rs, rl, index, job->size,
		    job->receipts_made ? &rl->made[0] : NULL,
		    job->receipt_extra_made ? &rl->reg_made : NULL);
		return 0;
	}
	if (!rl->again && already_at(job, &rl->again_index) == 0) {
		/* The client lost our answer and sent the entry again. */
		rl->again = 1;
		return 1;
	}
	if (rl->declassified_meanwhile)
		return 1;
	if (rl->refused)
		cyd_forbid(rq, rs, "%s", job->err.msg);
	else if (job->err.code == CY_E_SIGNATURE)
		cyd_error(rs, 401, "unauthenticated", "%s", job->err.msg);
	else
		cyd_error(rs, 503, "unavailable", "the release was not recorded, "
		    "nothing is released: %s", job->err.msg);
	return 0;
}

/* Attempts, each waiting for its job, until one answers (at most 3). */
static void
release_attempts(cyd_request *rq, cyd_response *rs, struct release *rl)
{
	for (; rl->tries < 3; rl->tries++) {
		if (release_start(rq, rs, rl) != 0)
			return;
		cyd_writer_submit(rq->srv->writer, &rl->job);
		if (release_finish(rq, rs, rl) == 0)
			return;
	}
	cyd_error(rs, 503, "unavailable", "the document changed while "
	    "releasing; try again");
}

static void
release_free(struct release *rl)
{
	cy_buf_free(&rl->declassify);
	cy_buf_free(&rl->share); /* sealed to the registry: no secret in clear */
	cy_buf_free(&rl->doc_raw);
	cy_buf_free(&rl->copy_raw);
	cy_buf_free(&rl->made[0]);
	cy_buf_free(&rl->made[1]);
	cy_buf_free(&rl->reg_made);
	json_decref(rl->doc);
	json_decref(rl->copy);
	cy_entry_checked_free(rl->checked);
	free(rl->body_entry);
	free(rl);
}

/* The writer is done with a parked release's job. */
static void
release_notify(cyd_job *job)
{
	cyd_unpark(((struct release *)job->notify_ctx)->rq);
}

/* A parked release, back on an HTTP thread: its answer, or the next
 * attempts (waiting: rare). */
static int
release_resume(cyd_request *rq, cyd_response *rs)
{
	struct release *rl = rq->resume_ctx;

	if (release_finish(rq, rs, rl) == 1) {
		rl->tries++;
		release_attempts(rq, rs, rl);
	}
	release_free(rl);
	return 0;
}

int
cyd_h_releases_post(cyd_request *rq, cyd_response *rs)
{
	struct release *rl;

	if ((rl = calloc(1, sizeof(*rl))) == NULL)
		return cyd_error(rs, 503, "unavailable", "out of memory");
	rl->rq = rq;
	rl->declassify = (cy_buf)CY_BUF_INIT;
	rl->share = (cy_buf)CY_BUF_INIT;
	rl->doc_raw = (cy_buf)CY_BUF_INIT;
	rl->copy_raw = (cy_buf)CY_BUF_INIT;
	rl->made[0] = rl->made[1] = rl->reg_made = (cy_buf)CY_BUF_INIT;
	if (body_entry(rq, rs, &rl->body_entry, &rl->len) != 0)
		goto out;
	rl->entry = rl->body_entry;
	if (check_entry(rq, rs, rl) != 0)
		goto out;
	if (!cyd_can_park(rq)) {
		release_attempts(rq, rs, rl);
		goto out;
	}
	/* The first attempt waits for its commit without holding the HTTP
	 * thread: its job notifies, release_resume answers. */
	if (release_start(rq, rs, rl) != 0)
		goto out;
	rl->job.notify = release_notify;
	rl->job.notify_ctx = rl;
	cyd_park(rq, release_resume, rl);
	cyd_writer_submit(rq->srv->writer, &rl->job);
	return 0;
out:
	release_free(rl);
	return 0;
}
