/* coyeud — the inventory's item routes (docs/inventory.md, "Registry"):
 * add an item, change its state, confirm a pending change, read one, its
 * history, the lists and the reports.  The caller signs the entry; the
 * library folds it into the item's view (cy_item_apply, which judges the
 * rules through cy_item_decide); the registry appends it in one commit with
 * the records it changes, and answers once that commit is durable.  Scope
 * is the registry's to enforce: an officer sees its unit's items and those
 * in its custody, an authority its subtree, nobody another branch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coyeu/encoding.h"
#include "coyeu/entry.h"
#include "coyeu/inventory.h"
#include "coyeu/level.h"
#include "common/timefmt.h"

#include "coyeud.h"
#include "auth.h"
#include "bodies.h"
#include "docs.h"
#include "items.h"

#define LIST_LIMIT_DEFAULT 1000
#define LIST_LIMIT_MAX 10000
#define FINDER_CHAINS 8
#define DAY 86400

static int
oom(cyd_response *rs)
{
	return cyd_error(rs, 503, "unavailable", "out of memory");
}

static int
is_id(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == CY_ITEM_ID_LEN;
}

/* --- the signed entry of a body --- */

int
cyd_body_entry(cyd_request *rq, cyd_response *rs, json_t *body,
    const char *type, struct cyd_signed *out)
{
	const char *text;
	size_t len;
	cy_error err;

	memset(out, 0, sizeof(*out));
	if (cyd_body_member(body, "entry", &text, &len, &err) != 0)
		return cyd_error(rs, 400, "bad-request", "%s", err.msg), -1;
	if (len > CY_B64_PADDED_LEN(CY_ENTRY_MAX) ||
	    (out->raw = malloc(len / 4 * 3 + 3)) == NULL ||
	    cy_b64_decode(out->raw, &out->len, text, len, 1) != 0)
		return cyd_error(rs, 400, "bad-request", "\"entry\" is not the "
		    "base64 of an entry of at most %d bytes", CY_ENTRY_MAX), -1;
	return cyd_entry_own(rq, rs, "the entry", type, out->raw, out->len,
	    &out->e, &out->time, NULL);
}

void
cyd_signed_free(struct cyd_signed *s)
{
	cy_entry_free(s->e);
	free(s->raw);
	memset(s, 0, sizeof(*s));
}

/* The registry's own unit: items and transfers stay inside it. */
const char *
cyd_registry_unit(const cyd_server *srv)
{
	return cy_cert_unit(cy_chain_get(srv->chain, 0));
}

static int
held_in_pool(void *ctx, const char *serial, cy_buf *out, cy_error *err)
{
	return cyd_record_get(ctx, CYD_REC_CERT_HELD, serial, out, err);
}

int
cyd_chain_held_revoked_srv(cyd_server *srv, const cy_chain *chain, char *why,
    size_t cap, cy_error *err)
{
	return cyd_chain_held_check(chain, held_in_pool, srv, why, cap, err);
}

/* --- certificates the rules look up --- */

struct finder {
	cyd_request *rq;
	cy_store *s;
	struct crl_set *crls;
	cy_chain *chains[FINDER_CHAINS];
	size_t n;
};

/* A registered certificate verified now (root, lists, held keys), or
 * NULL: the rule that needs it refuses. */
static const cy_cert *
find_cert(void *ctx, const char *serial)
{
	struct finder *f = ctx;
	cy_buf text = CY_BUF_INIT;
	cy_chain *ch = NULL;
	cy_error err;
	char why[CY_ERROR_MSG_MAX];
	size_t i;

	if (strcmp(serial, f->rq->caller->serial) == 0)
		return f->rq->caller->cert;
	for (i = 0; i < f->n; i++)
		if (strcmp(cy_cert_serial(cy_chain_get(f->chains[i], 0)),
		    serial) == 0)
			return cy_chain_get(f->chains[i], 0);
	if (f->n == FINDER_CHAINS || !cy_serial_valid(serial, strlen(serial)) ||
	    f->s->drv->rec_get(f->s, "cert", serial, &text, NULL, &err) != 1 ||
	    cy_chain_parse(text.data, text.len, &ch, &err) != 0 ||
	    cy_chain_verify(ch, f->rq->srv->root,
	    (const cy_crl *const *)f->crls->crl, f->crls->n, f->rq->now, NULL,
	    &err) != 0 ||
	    cyd_chain_held_revoked(f->s, ch, why, sizeof(why), &err) != 0) {
		cy_chain_free(ch);
		cy_buf_free(&text);
		return NULL;
	}
	cy_buf_free(&text);
	f->chains[f->n++] = ch;
	return cy_chain_get(ch, 0);
}

static void
finder_free(struct finder *f)
{
	while (f->n > 0)
		cy_chain_free(f->chains[--f->n]);
	cyd_crls_free(f->crls);
	f->crls = NULL;
}

/* --- one change of one item --- */

struct change {
	cyd_request *rq;
	char id[CY_ITEM_ID_LEN + 1];
	struct cyd_signed sg;
	int is_new;
	cy_buf before_raw;      /* the record the checks read */
	cy_item_view before, now;
	int revoke;             /* lost or compromised with keys in it */
	/* set by the hook */
	int conflict;
	json_t *revoked;
};

static int
change_hook(void *ctx, cy_store *s, uint64_t first, cy_error *err)
{
	struct change *c = ctx;
	cy_buf raw = CY_BUF_INIT;
	int r;

	c->conflict = 0;
	json_array_clear(c->revoked);
	r = s->drv->rec_get(s, CYD_REC_ITEM, c->id, &raw, NULL, err);
	if (r >= 0 && (c->is_new ? r != 0 : (r != 1 ||
	    raw.len != c->before_raw.len ||
	    memcmp(raw.data, c->before_raw.data, raw.len) != 0))) {
		c->conflict = 1;
		r = cy_error_set(err, CY_E_POLICY, c->is_new ? "item %s is "
		    "already registered" : "item %s changed meanwhile: read it "
		    "again and sign a new entry", c->id);
	}
	cy_buf_free(&raw);
	if (r < 0)
		return r;
	c->now.index = first;
	if ((r = cyd_item_store(s, c->is_new ? NULL : &c->before, &c->now,
	    first, c->sg.time, err)) != 0) {
		c->conflict = r == CY_E_POLICY;
		return r;
	}
	if (c->revoke && (r = cyd_item_hold_revoke(s, &c->now, first,
	    c->revoked, err)) != 0)
		return r;
	if (c->rq->caller->nonce_pending)
		return cyd_auth_nonce_put(s, c->rq->caller, err);
	return 0;
}

static void
change_free(struct change *c)
{
	cyd_signed_free(&c->sg);
	cy_buf_free(&c->before_raw);
	json_decref(c->revoked);
}

/* "item 1f…(unit U) is outside your subtree S" */
static int
refuse_unseen(cyd_request *rq, cyd_response *rs, const cy_item_view *v)
{
	return cyd_forbid(rq, rs, "item %s (unit %s) is outside your subtree "
	    "%s", v->id, v->unit, cyd_caller_scope(rq->caller));
}

/* Reads the item (unless new), folds the entry in with the rules judging:
 * 0, or -1 after answering. */
static int
change_check(struct change *c, cyd_response *rs, const char *notes)
{
	cyd_request *rq = c->rq;
	struct finder f;
	cyd_reader *rd = NULL;
	cy_store *s;
	cy_error err;
	const char *to_unit;
	int r, ans = -1;

	memset(&f, 0, sizeof(f));
	f.rq = rq;
	if (cyd_reader_get_store(rq->srv, &rd, &err) != 0)
		return cyd_error_lib(rs, &err), -1;
	s = f.s = rd->store;
	if ((r = s->drv->begin(s, 0, &err)) != 0) {
		cyd_error_lib(rs, &err);
		goto put;
	}
	r = cyd_item_load(s, c->id, &c->before, &c->before_raw, &err);
	if (r < 0) {
		cyd_error_lib(rs, &err);
		goto out;
	}
	if (c->is_new && r == 1) {
		cyd_error(rs, 409, "conflict", "item %s is already registered",
		    c->id);
		goto out;
	}
	if (!c->is_new && r == 0) {
		cyd_error(rs, 404, "not-found", "no item %s is registered",
		    c->id);
		goto out;
	}
	if (!c->is_new && !cyd_item_visible(rq->caller, &c->before)) {
		refuse_unseen(rq, rs, &c->before);
		goto out;
	}
	if (cyd_crls_load(s, &f.crls, &err) != 0) {
		cyd_error_lib(rs, &err);
		goto out;
	}
	if (c->is_new)
		memset(&c->now, 0, sizeof(c->now));
	else
		c->now = c->before;
	if (cy_item_apply(&c->now, c->sg.raw, c->sg.len, 0, find_cert, &f,
	    &err) != 0) {
		if (err.code == CY_E_POLICY)
			cyd_forbid(rq, rs, "%s", err.msg);
		else
			cyd_error(rs, 400, "bad-request", "%s", err.msg);
		goto out;
	}
	if (notes != NULL && cy_item_view_set_notes(&c->now, notes, &err) != 0) {
		cyd_error(rs, 400, "bad-request", "\"notes\": %s", err.msg);
		goto out;
	}
	if (notes == NULL && c->is_new && c->now.notes_sha256[0] != '\0') {
		cyd_error(rs, 400, "bad-request", "the entry names notes-sha256 "
		    "%s: the body's \"notes\" carries their text",
		    c->now.notes_sha256);
		goto out;
	}
	/* Items and transfers stay inside the registry's subtree. */
	to_unit = c->is_new ? c->now.unit : cy_entry_get(c->sg.e, "unit");
	if (to_unit != NULL && !cy_unit_contains(cyd_registry_unit(rq->srv),
	    to_unit)) {
		cyd_forbid(rq, rs, "unit %s is outside this registry's subtree "
		    "%s", to_unit, cyd_registry_unit(rq->srv));
		goto out;
	}
	if (c->is_new && (r = cyd_item_by_serial(s, c->now.type, c->now.maker,
	    c->now.serial, c->before.id, &err)) != 0) {
		if (r < 0)
			cyd_error_lib(rs, &err);
		else
			cyd_error(rs, 409, "conflict", "a %s by %s with serial %s "
			    "is already registered: item %s", c->now.type,
			    c->now.maker, c->now.serial, c->before.id);
		goto out;
	}
	c->revoke = (c->now.state == CY_ITEM_LOST ||
	    c->now.state == CY_ITEM_COMPROMISED) && c->now.holds_certs[0] != '\0';
	ans = 0;
out:
	s->drv->rollback(s);
put:
	finder_free(&f);
	cyd_reader_put(rq->srv, rd);
	return ans;
}

/* Appends the entry with its records; the answer's fields into *out:
 * {"item", "index", "receipt"}.  0, or -1 after answering. */
static int
change_commit(struct change *c, cyd_response *rs, json_t **out)
{
	const uint8_t *ptrs[1] = {c->sg.raw};
	cy_buf made = CY_BUF_INIT;
	json_t *receipts = NULL, *o;
	cyd_job job;
	cy_error err;
	int ans = -1;

	memset(&job, 0, sizeof(job));
	job.entries = ptrs, job.lens = &c->sg.len, job.n = 1;
	job.receipts = &made;
	job.hook = change_hook, job.hook_ctx = c;
	job.bad = SIZE_MAX;
	if (cyd_writer_submit(c->rq->srv->writer, &job) != 0 || job.rc != 0) {
		if (c->conflict)
			cyd_error(rs, 409, "conflict", "%s", job.err.msg);
		else
			cyd_job_refused(rs, &job);
		goto out;
	}
	if (c->revoke)
		cyd_auth_crls_changed(); /* chains verified a moment ago */
	if (cyd_job_receipts(c->rq->srv, &job, &receipts, &err) != 0) {
		cyd_error(rs, 503, "unavailable", "appended at index %llu but "
		    "the receipt failed: %s (GET /v1/log/proof)",
		    (unsigned long long)job.first, err.msg);
		goto out;
	}
	o = json_array_get(receipts, 0);
	*out = json_pack("{s:o, s:O, s:O}", "item", cyd_item_json(&c->now),
	    "index", json_object_get(o, "index"), "receipt",
	    json_object_get(o, "receipt"));
	ans = *out != NULL ? 0 : (oom(rs), -1);
out:
	cy_buf_free(&made);
	json_decref(receipts);
	return ans;
}

/* POST /v1/items {entry: item.add, notes?} */
int
cyd_h_items_post(cyd_request *rq, cyd_response *rs)
{
	struct change c;
	json_t *body = NULL, *answer = NULL;
	const char *notes;

	memset(&c, 0, sizeof(c));
	c.rq = rq, c.is_new = 1;
	if ((c.revoked = json_array()) == NULL)
		return oom(rs);
	if (cyd_body_object(rq, rs, &body) != 0 ||
	    cyd_body_entry(rq, rs, body, "item.add", &c.sg) != 0)
		goto out;
	snprintf(c.id, sizeof(c.id), "%s", cy_entry_get(c.sg.e, "item-id"));
	notes = json_string_value(json_object_get(body, "notes"));
	if (change_check(&c, rs, notes) != 0 ||
	    change_commit(&c, rs, &answer) != 0)
		goto out;
	cyd_json(rs, 201, answer);
out:
	json_decref(body);
	change_free(&c);
	return 0;
}

/* The path's item id into c->id: 0, or -1 after answering 404. */
static int
path_item(cyd_request *rq, cyd_response *rs, char id[CY_ITEM_ID_LEN + 1])
{
	if (cyd_path_param(rq, 0, id, CY_ITEM_ID_LEN + 1) != 0 || !is_id(id))
		return cyd_error(rs, 404, "not-found", "an item id is 32 "
		    "lowercase hex digits"), -1;
	return 0;
}

/* An entry for the path's item. */
static int
same_item(cyd_response *rs, const struct change *c)
{
	const char *named = cy_entry_get(c->sg.e, "item-id");

	if (strcmp(named, c->id) == 0)
		return 0;
	return cyd_error(rs, 400, "bad-request", "the entry names item %s, "
	    "the path %s", named, c->id), -1;
}

static int
change_route(cyd_request *rq, cyd_response *rs, const char *type)
{
	struct change c;
	json_t *body = NULL, *answer = NULL, *crl_answer = NULL;
	const char *crl;
	int r;

	memset(&c, 0, sizeof(c));
	c.rq = rq;
	if ((c.revoked = json_array()) == NULL)
		return oom(rs);
	if (path_item(rq, rs, c.id) != 0 || cyd_body_object(rq, rs, &body) != 0 ||
	    cyd_body_entry(rq, rs, body, type, &c.sg) != 0 ||
	    same_item(rs, &c) != 0 || change_check(&c, rs, NULL) != 0)
		goto out;
	/* The authority's list, made with the change: accepted first, so a
	 * list that does not check leaves the item as it was. */
	crl = json_string_value(json_object_get(body, "crl"));
	if (crl != NULL && (r = cyd_crl_accept(rq, rs, crl, &crl_answer)) < 0)
		goto out;
	if (change_commit(&c, rs, &answer) != 0)
		goto out;
	if (json_object_set(answer, "revoked", c.revoked) != 0 ||
	    (crl_answer != NULL && json_object_set(answer, "crl",
	    crl_answer) != 0)) {
		oom(rs);
		goto out;
	}
	cyd_json(rs, 200, answer);
	answer = NULL;
out:
	json_decref(answer);
	json_decref(crl_answer);
	json_decref(body);
	change_free(&c);
	return 0;
}

/* POST /v1/items/{id}/changes {entry: item.change, crl?} */
int
cyd_h_item_change(cyd_request *rq, cyd_response *rs)
{
	return change_route(rq, rs, "item.change");
}

/* POST /v1/items/{id}/confirm {entry: item.confirm} */
int
cyd_h_item_confirm(cyd_request *rq, cyd_response *rs)
{
	return change_route(rq, rs, "item.confirm");
}

/* --- reading --- */

/* The item for a read route, if the caller may see it: 0, or -1 after
 * answering. */
static int
read_item(cyd_request *rq, cyd_response *rs, cyd_reader *rd, const char *id,
    cy_item_view *v)
{
	cy_error err;
	int r = cyd_item_load(rd->store, id, v, NULL, &err);

	if (r < 0)
		return cyd_error_lib(rs, &err), -1;
	if (r == 0)
		return cyd_error(rs, 404, "not-found", "no item %s is "
		    "registered", id), -1;
	if (!cyd_item_visible(rq->caller, v))
		return refuse_unseen(rq, rs, v), -1;
	return 0;
}

/* GET /v1/items/{id} */
int
cyd_h_item_get(cyd_request *rq, cyd_response *rs)
{
	char id[CY_ITEM_ID_LEN + 1];
	cyd_reader *rd = NULL;
	cy_item_view v;
	cy_error err;

	if (path_item(rq, rs, id) != 0)
		return 0;
	if (cyd_reader_get_store(rq->srv, &rd, &err) != 0)
		return cyd_error_lib(rs, &err);
	if (read_item(rq, rs, rd, id, &v) == 0)
		cyd_json(rs, 200, cyd_item_json(&v));
	cyd_reader_put(rq->srv, rd);
	return 0;
}

/* GET /v1/items/{id}/history: every entry with its receipt against the
 * register's latest checkpoint. */
int
cyd_h_item_history(cyd_request *rq, cyd_response *rs)
{
	char id[CY_ITEM_ID_LEN + 1];
	cyd_reader *rd = NULL;
	cy_item_view v;
	cy_buf entry = CY_BUF_INIT, receipt = CY_BUF_INIT;
	json_t *indices = NULL, *list = json_array(), *o, *idx;
	char *b64 = NULL;
	uint64_t size;
	cy_error err;
	size_t i;

	if (list == NULL)
		return oom(rs);
	if (path_item(rq, rs, id) != 0)
		goto out;
	if (cyd_reader_get(rq->srv, &rd, &err) != 0) {
		cyd_error_lib(rs, &err);
		goto out;
	}
	if (read_item(rq, rs, rd, id, &v) != 0)
		goto out;
	if (cyd_item_history(rd->store, id, &indices, &err) != 0) {
		cyd_error_lib(rs, &err);
		goto out;
	}
	size = cy_log_size(rd->log);
	json_array_foreach(indices, i, idx) {
		uint64_t at = (uint64_t)json_integer_value(idx);

		entry.len = receipt.len = 0;
		if (at >= size)
			continue; /* committed after this handle's checkpoint */
		if (cy_log_entry(rd->log, at, &entry, &err) != 0 ||
		    cy_log_receipt(rd->log, at, size, &receipt, &err) != 0) {
			cyd_error_lib(rs, &err);
			goto out;
		}
		free(b64);
		if ((b64 = malloc(CY_B64_PADDED_LEN(entry.len) + 1)) == NULL) {
			oom(rs);
			goto out;
		}
		b64[cy_b64_encode(b64, entry.data, entry.len, 1)] = '\0';
		o = json_pack("{s:I, s:s, s:s%}", "index", (json_int_t)at,
		    "entry", b64, "receipt", (const char *)receipt.data,
		    receipt.len);
		if (o == NULL || json_array_append_new(list, o) != 0) {
			oom(rs);
			goto out;
		}
	}
	cyd_json(rs, 200, json_pack("{s:s, s:I, s:o, s:O}", "id", id, "size",
	    (json_int_t)size, "item", cyd_item_json(&v), "entries", list));
out:
	free(b64);
	cy_buf_free(&entry);
	cy_buf_free(&receipt);
	json_decref(indices);
	json_decref(list);
	cyd_reader_put(rq->srv, rd);
	return 0;
}

/* --- lists --- */

struct list {
	const char *state, *type, *custodian;
	int nstate;
	size_t limit;
	json_t *items;
	json_t *seen;    /* ids already listed */
	const cyd_caller *caller;
	const char *unit;   /* the query's */
	int subtree;        /* the unit and below (an authority's list) */
	int pending;        /* scanning pending changes: only those to here */
	int truncated;
	char last_key[CY_UNIT_MAX + CY_ITEM_ID_LEN + 2];
};

static int
list_row(void *ctx, const cy_item_view *v, cy_error *err)
{
	struct list *l = ctx;

	if (json_object_get(l->seen, v->id) != NULL)
		return 0;
	if ((l->state != NULL && v->state != l->nstate) ||
	    (l->type != NULL && strcmp(v->type, l->type) != 0) ||
	    (l->custodian != NULL && strcmp(v->custodian, l->custodian) != 0))
		return 0;
	if (l->pending && strcmp(v->pending_custodian, l->caller->serial) != 0 &&
	    (v->pending_unit[0] == '\0' || (l->subtree ?
	    !cy_unit_contains(l->unit, v->pending_unit) :
	    strcmp(l->unit, v->pending_unit) != 0)))
		return 0;
	if (json_array_size(l->items) == l->limit) {
		l->truncated = 1;
		return 1;
	}
	if (json_array_append_new(l->items, cyd_item_json(v)) != 0 ||
	    json_object_set_new(l->seen, v->id, json_true()) != 0)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	snprintf(l->last_key, sizeof(l->last_key), "%s %s", v->unit, v->id);
	return 0;
}

/* A query's unit: inside the caller's scope (else 403 with the reason). */
static int
query_unit(cyd_request *rq, cyd_response *rs, char *buf, size_t cap,
    const char **unit)
{
	const char *scope = cyd_caller_scope(rq->caller);

	*unit = cyd_query(rq, "unit", buf, cap);
	if (*unit == NULL)
		*unit = scope;
	else if (!cy_unit_valid(*unit, strlen(*unit)))
		return cyd_error(rs, 400, "bad-request", "unit %s is not a unit "
		    "path", *unit), -1;
	else if (!cy_unit_contains(scope, *unit))
		return cyd_forbid(rq, rs, "unit %s is outside your subtree %s",
		    *unit, scope), -1;
	return 0;
}

/* GET /v1/items?unit=&state=&type=&custodian=&limit=&after= */
int
cyd_h_items_get(cyd_request *rq, cyd_response *rs)
{
	char ubuf[CY_UNIT_MAX + 1], sbuf[32], tbuf[32], cbuf[40], lbuf[16],
	    abuf[CY_UNIT_MAX + CY_ITEM_ID_LEN + 2];
	const char *unit, *after, *v, *u, *sp;
	struct list l;
	cyd_reader *rd = NULL;
	json_t *units = NULL, *uv;
	cy_error err;
	size_t i;
	int subtree = rq->caller->role == CY_ROLE_AUTHORITY, r = 0;

	memset(&l, 0, sizeof(l));
	l.caller = rq->caller;
	l.subtree = subtree;
	l.limit = LIST_LIMIT_DEFAULT;
	if (query_unit(rq, rs, ubuf, sizeof(ubuf), &unit) != 0)
		return 0;
	l.unit = unit;
	l.state = cyd_query(rq, "state", sbuf, sizeof(sbuf));
	l.type = cyd_query(rq, "type", tbuf, sizeof(tbuf));
	l.custodian = cyd_query(rq, "custodian", cbuf, sizeof(cbuf));
	if (l.state != NULL && (l.nstate = cy_item_state_parse(l.state,
	    strlen(l.state))) < 0)
		return cyd_error(rs, 400, "bad-request", "state %s is not an "
		    "item state", l.state);
	if (l.type != NULL && cy_item_type_find(l.type) == NULL)
		return cyd_error(rs, 400, "bad-request", "type %s is not an item "
		    "type", l.type);
	if ((v = cyd_query(rq, "limit", lbuf, sizeof(lbuf))) != NULL) {
		l.limit = strtoul(v, NULL, 10);
		if (l.limit == 0 || l.limit > LIST_LIMIT_MAX)
			return cyd_error(rs, 400, "bad-request", "limit is 1 to "
			    "%d", LIST_LIMIT_MAX);
	}
	/* after: the "next" of the page before, "UNIT ID". */
	after = cyd_query(rq, "after", abuf, sizeof(abuf));
	if ((l.items = json_array()) == NULL || (l.seen = json_object()) ==
	    NULL) {
		oom(rs);
		goto out;
	}
	if (cyd_reader_get_store(rq->srv, &rd, &err) != 0) {
		cyd_error_lib(rs, &err);
		goto out;
	}
	if ((r = rd->store->drv->begin(rd->store, 0, &err)) != 0)
		goto failed;
	if (subtree)
		r = cyd_item_units(rd->store, unit, &units, &err);
	else if ((units = json_pack("[s]", unit)) == NULL)
		r = cy_error_set(&err, CY_E_NOMEM, "out of memory");
	json_array_foreach(units, i, uv) {
		if (r != 0 || l.truncated)
			break;
		u = json_string_value(uv);
		sp = after != NULL ? strchr(after, ' ') : NULL;
		if (sp != NULL && strncmp(after, u, (size_t)(sp - after)) == 0 &&
		    u[sp - after] == '\0')
			r = cyd_item_scan_unit(rd->store, u, sp + 1, list_row, &l,
			    &err);
		else if (sp != NULL && strcmp(u, after) < 0)
			continue; /* listed on an earlier page */
		else
			r = cyd_item_scan_unit(rd->store, u, NULL, list_row, &l,
			    &err);
	}
	/* The caller's custody, and what is on its way to the scope (both
	 * units see a transfer), on the first page. */
	if (r == 0 && after == NULL && !l.truncated &&
	    strcmp(unit, cyd_caller_scope(rq->caller)) == 0)
		r = cyd_item_scan_custody(rd->store, rq->caller->serial, list_row,
		    &l, &err);
	l.pending = 1;
	if (r == 0 && after == NULL && !l.truncated)
		r = cyd_item_scan_pending(rd->store, list_row, &l, &err);
	rd->store->drv->rollback(rd->store);
failed:
	if (r != 0) {
		cyd_error_lib(rs, &err);
		goto out;
	}
	cyd_json(rs, 200, json_pack("{s:s, s:O, s:o}", "unit", unit, "items",
	    l.items, "next", l.truncated ? json_string(l.last_key) :
	    json_null()));
out:
	cyd_reader_put(rq->srv, rd);
	json_decref(units);
	json_decref(l.items);
	json_decref(l.seen);
	return 0;
}

/* --- reports --- */

struct overdue {
	int64_t now, maintenance_after, transfer_after;
	json_t *rows;
	const cyd_caller *caller;
};

static int
overdue_row(void *ctx, const cy_item_view *v, cy_error *err)
{
	struct overdue *o = ctx;
	const char *why = NULL;
	int64_t since = 0, at;
	json_t *row;

	if (!cyd_item_visible(o->caller, v))
		return 0;
	if (cmn_time_parse(v->updated, &at) != 0)
		at = o->now;
	if (v->period_until[0] != '\0' &&
	    cmn_time_parse(v->period_until, &since) == 0 && since < o->now &&
	    v->state != CY_ITEM_DESTROYED && v->state != CY_ITEM_DECOMMISSIONED)
		why = "period-ended";
	else if (v->state == CY_ITEM_MAINTENANCE &&
	    o->now - at > o->maintenance_after)
		why = "maintenance", since = at;
	else if (v->state == CY_ITEM_TRANSFERRED &&
	    o->now - at > o->transfer_after)
		why = "transfer-pending", since = at;
	if (why == NULL)
		return 0;
	row = json_pack("{s:s, s:I, s:o}", "reason", why, "days",
	    (json_int_t)((o->now - since) / DAY), "item", cyd_item_json(v));
	if (row == NULL || json_array_append_new(o->rows, row) != 0)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	return 0;
}

static int
report_overdue(cyd_request *rq, cy_store *s, const char *unit, int days,
    json_t **out, cy_error *err)
{
	struct overdue o = {rq->now, (int64_t)(days > 0 ? days : 30) * DAY,
		(int64_t)(days > 0 ? days : 7) * DAY, json_array(), rq->caller};
	json_t *units = NULL, *uv;
	size_t i;
	int r;

	*out = NULL;
	if (o.rows == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	r = cyd_item_units(s, unit, &units, err);
	json_array_foreach(units, i, uv)
		if (r == 0)
			r = cyd_item_scan_unit(s, json_string_value(uv), NULL,
			    overdue_row, &o, err);
	json_decref(units);
	if (r != 0) {
		json_decref(o.rows);
		return r;
	}
	*out = json_pack("{s:s, s:s, s:o}", "kind", "overdue", "unit", unit,
	    "overdue", o.rows);
	return 0;
}

static int
report_summary(cy_store *s, const char *unit, json_t **out, cy_error *err)
{
	json_t *rows = NULL, *by_state = json_object(), *by_type = json_object(),
	    *row;
	json_int_t total = 0, n;
	const char *k;
	size_t i;
	int r;

	*out = NULL;
	if (by_state == NULL || by_type == NULL)
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
	else
		r = cyd_item_counts(s, unit, &rows, err);
	json_array_foreach(rows, i, row) {
		n = json_integer_value(json_object_get(row, "count"));
		total += n;
		k = cyd_jstr(row, "state");
		json_object_set_new(by_state, k, json_integer(n +
		    json_integer_value(json_object_get(by_state, k))));
		k = cyd_jstr(row, "type");
		json_object_set_new(by_type, k, json_integer(n +
		    json_integer_value(json_object_get(by_type, k))));
	}
	if (r == 0 && (*out = json_pack("{s:s, s:s, s:I, s:O, s:O, s:O}",
	    "kind", "summary", "unit", unit, "total", total, "by_state",
	    by_state, "by_type", by_type, "rows", rows)) == NULL)
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
	json_decref(rows);
	json_decref(by_state);
	json_decref(by_type);
	return r;
}

/* GET /v1/inventory/report?kind=overdue|summary&unit=&days= */
int
cyd_h_inventory_report(cyd_request *rq, cyd_response *rs)
{
	char ubuf[CY_UNIT_MAX + 1], kbuf[16], dbuf[16];
	const char *unit, *kind, *d;
	cyd_reader *rd = NULL;
	json_t *answer = NULL;
	cy_error err;
	int days = 0, r;

	if (query_unit(rq, rs, ubuf, sizeof(ubuf), &unit) != 0)
		return 0;
	kind = cyd_query(rq, "kind", kbuf, sizeof(kbuf));
	if (kind == NULL || (strcmp(kind, "overdue") != 0 &&
	    strcmp(kind, "summary") != 0))
		return cyd_error(rs, 400, "bad-request", "kind is overdue or "
		    "summary");
	if ((d = cyd_query(rq, "days", dbuf, sizeof(dbuf))) != NULL &&
	    ((days = atoi(d)) <= 0 || days > 36500))
		return cyd_error(rs, 400, "bad-request", "days is 1 to 36500");
	if (cyd_reader_get_store(rq->srv, &rd, &err) != 0)
		return cyd_error_lib(rs, &err);
	if ((r = rd->store->drv->begin(rd->store, 0, &err)) == 0) {
		r = strcmp(kind, "summary") == 0 ?
		    report_summary(rd->store, unit, &answer, &err) :
		    report_overdue(rq, rd->store, unit, days, &answer, &err);
		rd->store->drv->rollback(rd->store);
	}
	cyd_reader_put(rq->srv, rd);
	if (r != 0)
		return cyd_error_lib(rs, &err);
	return cyd_json(rs, 200, answer);
}
