/* coyeud — the stock-take (kiểm kê; docs/inventory.md, "Registry"): an
 * officer opens one for a unit, officers declare what they physically
 * hold, and the close names every difference between the declarations and
 * what the register says the unit holds: unregistered (declared, not in
 * the register), undeclared (held by the register, declared by nobody),
 * wrong-state (declared, but lost, destroyed, transferred …), wrong-custody
 * (another unit's, or an issued item declared by someone other than its
 * custodian).  The close entry signs the result's counts and SHA-256; the
 * registry computes the result again in the commit and refuses an entry
 * that signs another. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coyeu/cert.h"
#include "coyeu/entry.h"
#include "coyeu/inventory.h"
#include "common/timefmt.h"

#include "coyeud.h"
#include "auth.h"
#include "docs.h"
#include "items.h"

#define DECLARE_MAX 10000  /* strings in one declaration */

static int
oom(cyd_response *rs)
{
	return cyd_error(rs, 503, "unavailable", "out of memory");
}

static int
is_hex_id(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == CY_ITEM_ID_LEN;
}

/* Held in the unit, as the register sees it. */
static int
held_state(int state)
{
	return state == CY_ITEM_RECEIVED || state == CY_ITEM_IN_STOCK ||
	    state == CY_ITEM_IN_SERVICE || state == CY_ITEM_MAINTENANCE ||
	    state == CY_ITEM_DECOMMISSIONED;
}

/* Who may take part: an officer of the unit or above, or of a unit below
 * it (a custodian declares what it holds). */
static int
takes_part(const cyd_caller *c, const char *unit)
{
	return cy_unit_contains(cyd_caller_scope(c), unit) ||
	    cy_unit_contains(unit, c->unit);
}

static int
load_stocktake(cy_store *s, const char *id, json_t **out, cy_error *err)
{
	cy_buf raw = CY_BUF_INIT;
	int r;

	*out = NULL;
	if ((r = s->drv->rec_get(s, CYD_REC_STOCKTAKE, id, &raw, NULL,
	    err)) == 1 && cyd_record_parse(&raw, CYD_REC_STOCKTAKE, id, out,
	    err) != 0)
		r = err->code;
	cy_buf_free(&raw);
	return r;
}

static int
save_json(cy_store *s, const char *kind, const char *key, const char *group,
    int64_t time, const json_t *obj, int flags, cy_error *err)
{
	char *text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
	int r;

	if (text == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	r = s->drv->rec_put(s, kind, key, group, time, (const uint8_t *)text,
	    strlen(text), flags, err);
	free(text);
	return r;
}

/* --- the result --- */

struct result {
	cy_store *s;
	const char *unit;
	json_t *declared;    /* object: declared string -> declarer */
	json_t *items;       /* object: item id -> declarer */
	json_t *diffs;
	json_int_t count;
};

static json_t *
difference(const char *kind, const cy_item_view *v, const char *declared,
    const char *by)
{
	return json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, "
	    "s:s?}", "kind", kind, "item", v != NULL ? v->id : NULL, "type",
	    v != NULL ? v->type : NULL, "serial", v != NULL ? v->serial : NULL,
	    "state", v != NULL ? cy_item_state_name(v->state) : NULL, "unit",
	    v != NULL ? v->unit : NULL, "custodian", v != NULL &&
	    v->custodian[0] != '\0' ? v->custodian : NULL, "declared",
	    declared, "by", by);
}

static int
add_difference(struct result *res, json_t *d, cy_error *err)
{
	if (d == NULL || json_array_append_new(res->diffs, d) != 0)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	return 0;
}

/* One declared string: an item id, or TYPE:SERIAL. */
static int
judge_declared(struct result *res, const char *what, const char *by,
    cy_error *err)
{
	char id[CY_ITEM_ID_LEN + 1], type[64];
	const char *colon = strchr(what, ':');
	cy_item_view v;
	int r;

	if (is_hex_id(what)) {
		snprintf(id, sizeof(id), "%s", what);
		r = 1;
	} else if (colon != NULL && (size_t)(colon - what) < sizeof(type)) {
		snprintf(type, sizeof(type), "%.*s", (int)(colon - what), what);
		r = cyd_item_by_serial(res->s, type, NULL, colon + 1, id, err);
	} else
		r = 0;
	if (r == 1)
		r = cyd_item_load(res->s, id, &v, NULL, err);
	if (r < 0)
		return r;
	if (r == 0)
		return add_difference(res, difference("unregistered", NULL, what,
		    by), err);
	if (json_object_get(res->items, v.id) != NULL)
		return 0; /* declared twice: the first declarer counts */
	if (json_object_set_new(res->items, v.id, json_string(by)) != 0)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	if (strcmp(v.unit, res->unit) != 0)
		return add_difference(res, difference("wrong-custody", &v, what,
		    by), err);
	if (!held_state(v.state))
		return add_difference(res, difference("wrong-state", &v, what,
		    by), err);
	if (v.custodian[0] != '\0' && strcmp(v.custodian, by) != 0)
		return add_difference(res, difference("wrong-custody", &v, what,
		    by), err);
	return 0;
}

/* One declaration's strings, judged in order. */
static int
judge_declaration(struct result *res, const json_t *d, cy_error *err)
{
	const char *by = cyd_jstr(d, "officer"), *what;
	json_t *one;
	size_t i;
	int r;

	json_array_foreach(json_object_get(d, "items"), i, one) {
		what = json_string_value(one);
		if (what == NULL || json_object_get(res->declared, what) != NULL)
			continue;
		res->count++;
		if (json_object_set_new(res->declared, what, json_string(by)) != 0)
			return cy_error_set(err, CY_E_NOMEM, "out of memory");
		if ((r = judge_declared(res, what, by, err)) != 0)
			return r;
	}
	return 0;
}

static int
decl_list_row(void *ctx, const char *key, const char *group, int64_t time,
    const uint8_t *data, size_t len, cy_error *err)
{
	json_t *d = json_loadb((const char *)data, len, 0, NULL);

	(void)group, (void)time;
	if (d == NULL || json_array_append_new(ctx, d) != 0)
		return cy_error_set(err, CY_E_STORE, "the stored declaration %s "
		    "is not JSON", key);
	return 0;
}

/* The declarations of stock-take id, by index (read whole before any
 * other lookup: a store runs one scan at a time). */
static int
load_declarations(cy_store *s, const char *id, json_t **out, cy_error *err)
{
	int r;

	if ((*out = json_array()) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	r = s->drv->rec_scan(s, CYD_REC_STOCKTAKE_DECL, id, decl_list_row, *out,
	    err);
	return r < 0 ? r : 0;
}

static int
undeclared_row(void *ctx, const cy_item_view *v, cy_error *err)
{
	struct result *res = ctx;

	if (!held_state(v->state) || json_object_get(res->items, v->id) != NULL)
		return 0;
	return add_difference(res, difference("undeclared", v, NULL, NULL),
	    err);
}

/* The stock-take's result now: {declared, differences (array),
 * difference_count, report_sha256}. */
static int
compute(cy_store *s, const json_t *st, json_t **out, cy_error *err)
{
	struct result res = {s, cyd_jstr(st, "unit"), json_object(),
		json_object(), json_array(), 0};
	char hex[65], *text = NULL;
	json_t *decls = NULL, *d;
	size_t i;
	int r;

	*out = NULL;
	if (res.declared == NULL || res.items == NULL || res.diffs == NULL)
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
	else if ((r = load_declarations(s, cyd_jstr(st, "id"), &decls,
	    err)) == 0) {
		json_array_foreach(decls, i, d)
			if (r == 0)
				r = judge_declaration(&res, d, err);
		if (r == 0)
			r = cyd_item_scan_unit(s, res.unit, NULL, undeclared_row,
			    &res, err);
	}
	if (r == 0 && (text = json_dumps(res.diffs, JSON_COMPACT |
	    JSON_SORT_KEYS)) == NULL)
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
	if (r == 0) {
		cy_item_sha256_hex((const uint8_t *)text, strlen(text), hex);
		if ((*out = json_pack("{s:I, s:I, s:s, s:O}", "declared",
		    res.count, "difference_count",
		    (json_int_t)json_array_size(res.diffs), "report_sha256", hex,
		    "differences", res.diffs)) == NULL)
			r = cy_error_set(err, CY_E_NOMEM, "out of memory");
	}
	free(text);
	json_decref(decls);
	json_decref(res.declared);
	json_decref(res.items);
	json_decref(res.diffs);
	return r < 0 ? r : 0;
}

/* The entry's signed counts against the result: NULL, or the refusal. */
static const char *
result_mismatch(const cy_entry *e, const json_t *result, char *buf,
    size_t cap)
{
	char d[24], n[24];

	snprintf(d, sizeof(d), "%lld", (long long)cyd_jnum(result, "declared"));
	snprintf(n, sizeof(n), "%lld", (long long)cyd_jnum(result,
	    "difference_count"));
	if (strcmp(cy_entry_get(e, "declared"), d) == 0 &&
	    strcmp(cy_entry_get(e, "differences"), n) == 0 &&
	    strcmp(cy_entry_get(e, "report-sha256"), cyd_jstr(result,
	    "report_sha256")) == 0)
		return NULL;
	snprintf(buf, cap, "the stock-take's result is declared %s, "
	    "differences %s, report-sha256 %s; the entry signs declared %s, "
	    "differences %s, report-sha256 %s: read it again (GET "
	    "/v1/stocktakes/ID) and sign those", d, n,
	    cyd_jstr(result, "report_sha256"), cy_entry_get(e, "declared"),
	    cy_entry_get(e, "differences"), cy_entry_get(e, "report-sha256"));
	return buf;
}

/* --- one step --- */

enum st_step { ST_OPEN, ST_DECLARE, ST_CLOSE };

struct step {
	cyd_request *rq;
	int kind;
	char id[CY_ITEM_ID_LEN + 1];
	struct cyd_signed sg;
	json_t *items;       /* declare: the strings */
	json_t *st;          /* the record (open: the new one) */
	json_t *result;      /* close: as the hook computed it */
	int conflict;
};

static int
step_hook(void *ctx, cy_store *s, uint64_t first, cy_error *err)
{
	struct step *p = ctx;
	char key[CY_ITEM_ID_LEN + 24];
	json_t *now = NULL, *decl;
	int r;

	p->conflict = 0;
	json_decref(p->result);
	p->result = NULL;
	if (p->kind == ST_OPEN) {
		if (json_object_set_new(p->st, "index", json_integer(
		    (json_int_t)first)) != 0)
			return cy_error_set(err, CY_E_NOMEM, "out of memory");
		r = save_json(s, CYD_REC_STOCKTAKE, p->id, cyd_jstr(p->st, "unit"),
		    p->sg.time, p->st, CY_STORE_REC_NEW, err);
		if (r == 0) {
			p->conflict = 1;
			return cy_error_set(err, CY_E_POLICY, "stock-take %s is "
			    "already open", p->id);
		}
		goto nonce;
	}
	if ((r = load_stocktake(s, p->id, &now, err)) <= 0 ||
	    strcmp(cyd_jstr(now, "state"), "open") != 0) {
		if (r >= 0) {
			p->conflict = 1;
			r = cy_error_set(err, CY_E_POLICY, "stock-take %s was "
			    "closed meanwhile", p->id);
		}
		goto out;
	}
	if (p->kind == ST_DECLARE) {
		snprintf(key, sizeof(key), "%s/%020llu", p->id,
		    (unsigned long long)first);
		decl = json_pack("{s:s, s:s, s:O, s:I, s:I}", "officer",
		    p->rq->caller->serial, "name", cy_cert_name(p->rq->caller->cert),
		    "items", p->items, "index", (json_int_t)first, "time",
		    (json_int_t)p->sg.time);
		if (decl == NULL) {
			r = cy_error_set(err, CY_E_NOMEM, "out of memory");
			goto out;
		}
		r = save_json(s, CYD_REC_STOCKTAKE_DECL, key, p->id, p->sg.time,
		    decl, 0, err);
		json_decref(decl);
		goto nonce;
	}
	if ((r = compute(s, now, &p->result, err)) != 0)
		goto out;
	if (result_mismatch(p->sg.e, p->result, err->msg, sizeof(err->msg)) !=
	    NULL) {
		p->conflict = 1;
		r = err->code = CY_E_POLICY;
		goto out;
	}
	if (json_object_set_new(now, "state", json_string("closed")) != 0 ||
	    json_object_set_new(now, "closed_by", json_string(
	    p->rq->caller->serial)) != 0 ||
	    json_object_set_new(now, "closed", json_integer(p->sg.time)) != 0 ||
	    json_object_set_new(now, "close_index", json_integer(
	    (json_int_t)first)) != 0 ||
	    json_object_set(now, "result", p->result) != 0) {
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	r = save_json(s, CYD_REC_STOCKTAKE, p->id, cyd_jstr(now, "unit"),
	    p->sg.time, now, 0, err);
nonce:
	if (r >= 0 && p->rq->caller->nonce_pending)
		r = cyd_auth_nonce_put(s, p->rq->caller, err);
out:
	json_decref(now);
	return r < 0 ? r : 0;
}

/* The checks before the commit: 0, or -1 after answering. */
static int
step_check(struct step *p, cyd_response *rs)
{
	cyd_request *rq = p->rq;
	const char *unit = cy_entry_get(p->sg.e, "unit"), *scope;
	cyd_reader *rd = NULL;
	json_t *result = NULL;
	char why[CY_ERROR_MSG_MAX];
	cy_error err;
	int r, ans = -1;

	scope = cyd_caller_scope(rq->caller);
	if (cyd_reader_get_store(rq->srv, &rd, &err) != 0)
		return cyd_error_lib(rs, &err), -1;
	if ((r = load_stocktake(rd->store, p->id, &p->st, &err)) < 0) {
		cyd_error_lib(rs, &err);
		goto out;
	}
	if (p->kind == ST_OPEN) {
		if (r == 1) {
			cyd_error(rs, 409, "conflict", "stock-take %s is already "
			    "open", p->id);
			goto out;
		}
		if (!cy_unit_contains(scope, unit)) {
			cyd_forbid(rq, rs, "unit %s is outside your subtree %s",
			    unit, scope);
			goto out;
		}
		if (!cy_unit_contains(cyd_registry_unit(rq->srv), unit)) {
			cyd_forbid(rq, rs, "unit %s is outside this registry's "
			    "subtree %s", unit, cyd_registry_unit(rq->srv));
			goto out;
		}
		p->st = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "id", p->id,
		    "unit", unit, "state", "open", "opened_by",
		    rq->caller->serial, "opened_by_name",
		    cy_cert_name(rq->caller->cert), "opened",
		    (json_int_t)p->sg.time);
		ans = p->st != NULL ? 0 : (oom(rs), -1);
		goto out;
	}
	if (r == 0) {
		cyd_error(rs, 404, "not-found", "no stock-take %s", p->id);
		goto out;
	}
	if (!takes_part(rq->caller, cyd_jstr(p->st, "unit"))) {
		cyd_forbid(rq, rs, "stock-take %s (unit %s) is outside your "
		    "subtree %s", p->id, cyd_jstr(p->st, "unit"), scope);
		goto out;
	}
	if (strcmp(cyd_jstr(p->st, "state"), "open") != 0) {
		cyd_error(rs, 409, "conflict", "stock-take %s was closed at "
		    "index %lld", p->id, (long long)cyd_jnum(p->st,
		    "close_index"));
		goto out;
	}
	if (p->kind == ST_CLOSE) {
		if (!cy_unit_contains(scope, cyd_jstr(p->st, "unit"))) {
			cyd_forbid(rq, rs, "only an officer of unit %s closes its "
			    "stock-take; the caller's unit is %s",
			    cyd_jstr(p->st, "unit"), rq->caller->unit);
			goto out;
		}
		if (strcmp(unit, cyd_jstr(p->st, "unit")) != 0) {
			cyd_error(rs, 400, "bad-request", "the entry names unit "
			    "%s; stock-take %s is of unit %s", unit, p->id,
			    cyd_jstr(p->st, "unit"));
			goto out;
		}
		if ((r = rd->store->drv->begin(rd->store, 0, &err)) == 0) {
			r = compute(rd->store, p->st, &result, &err);
			rd->store->drv->rollback(rd->store);
		}
		if (r != 0) {
			cyd_error_lib(rs, &err);
			goto out;
		}
		if (result_mismatch(p->sg.e, result, why, sizeof(why)) != NULL) {
			cyd_error(rs, 409, "conflict", "%s", why);
			goto out;
		}
	}
	ans = 0;
out:
	json_decref(result);
	cyd_reader_put(rq->srv, rd);
	return ans;
}

static int
sorted_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* declare: the body's "items", as many as the entry's count, whose
 * sorted list (each followed by "\n") hashes to its serials-sha256. */
static int
declared_items(struct step *p, cyd_response *rs, json_t *body)
{
	json_t *items = json_object_get(body, "items"), *one;
	const char **v = NULL;
	cy_buf text = CY_BUF_INIT;
	char hex[65], count[24];
	size_t i, n = json_array_size(items);
	int ans = -1;

	if (!json_is_array(items) || n == 0 || n > DECLARE_MAX)
		return cyd_error(rs, 400, "bad-request", "\"items\" is an array "
		    "of 1 to %d item ids or TYPE:SERIAL strings", DECLARE_MAX), -1;
	if ((v = calloc(n, sizeof(*v))) == NULL)
		return oom(rs), -1;
	json_array_foreach(items, i, one) {
		v[i] = json_string_value(one);
		if (v[i] == NULL || *v[i] == '\0' || strlen(v[i]) > 128 ||
		    strchr(v[i], '\n') != NULL) {
			cyd_error(rs, 400, "bad-request", "\"items\"[%zu] is not "
			    "an item id or TYPE:SERIAL", i);
			goto out;
		}
	}
	qsort(v, n, sizeof(*v), sorted_cmp);
	for (i = 0; i < n; i++) {
		cy_buf_append(&text, v[i], strlen(v[i]));
		cy_buf_append(&text, "\n", 1);
	}
	if (cy_buf_status(&text) != 0) {
		oom(rs);
		goto out;
	}
	cy_item_sha256_hex(text.data, text.len, hex);
	snprintf(count, sizeof(count), "%zu", n);
	if (strcmp(cy_entry_get(p->sg.e, "count"), count) != 0 ||
	    strcmp(cy_entry_get(p->sg.e, "serials-sha256"), hex) != 0) {
		cyd_error(rs, 400, "bad-request", "the entry signs count %s and "
		    "serials-sha256 %s; the body's items are %s with SHA-256 %s",
		    cy_entry_get(p->sg.e, "count"),
		    cy_entry_get(p->sg.e, "serials-sha256"), count, hex);
		goto out;
	}
	p->items = json_incref(items);
	ans = 0;
out:
	cy_buf_free(&text);
	free(v);
	return ans;
}

static int
step(cyd_request *rq, cyd_response *rs, int kind)
{
	static const char *const types[] = {"stocktake.open",
		"stocktake.declare", "stocktake.close"};
	struct step p;
	json_t *body = NULL, *receipts = NULL, *o, *answer;
	const uint8_t *ptrs[1];
	cy_buf made = CY_BUF_INIT;
	cyd_job job;
	cy_error err;
	char path_id[CY_ITEM_ID_LEN + 1];

	memset(&p, 0, sizeof(p));
	p.rq = rq, p.kind = kind;
	if (kind != ST_OPEN && (cyd_path_param(rq, 0, path_id,
	    sizeof(path_id)) != 0 || !is_hex_id(path_id))) {
		cyd_error(rs, 404, "not-found", "a stock-take id is 32 lowercase "
		    "hex digits");
		goto out;
	}
	if (cyd_body_object(rq, rs, &body) != 0 ||
	    cyd_body_entry(rq, rs, body, types[kind], &p.sg) != 0)
		goto out;
	snprintf(p.id, sizeof(p.id), "%s", cy_entry_get(p.sg.e,
	    "stocktake-id"));
	if (kind != ST_OPEN && strcmp(p.id, path_id) != 0) {
		cyd_error(rs, 400, "bad-request", "the entry names stock-take %s, "
		    "the path %s", p.id, path_id);
		goto out;
	}
	if ((kind == ST_DECLARE && declared_items(&p, rs, body) != 0) ||
	    step_check(&p, rs) != 0)
		goto out;
	ptrs[0] = p.sg.raw;
	memset(&job, 0, sizeof(job));
	job.entries = ptrs, job.lens = &p.sg.len, job.n = 1;
	job.receipts = &made;
	job.hook = step_hook, job.hook_ctx = &p;
	job.bad = SIZE_MAX;
	if (cyd_writer_submit(rq->srv->writer, &job) != 0 || job.rc != 0) {
		if (p.conflict)
			cyd_error(rs, 409, "conflict", "%s", job.err.msg);
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
	o = json_array_get(receipts, 0);
	answer = json_pack("{s:s, s:O, s:O}", "stocktake", p.id, "index",
	    json_object_get(o, "index"), "receipt", json_object_get(o,
	    "receipt"));
	if (answer != NULL && kind == ST_DECLARE)
		json_object_set_new(answer, "declared", json_integer(
		    (json_int_t)json_array_size(p.items)));
	if (answer != NULL && kind == ST_CLOSE)
		json_object_update(answer, p.result);
	cyd_json(rs, kind == ST_OPEN ? 201 : 200, answer);
out:
	cy_buf_free(&made);
	json_decref(receipts);
	json_decref(body);
	json_decref(p.items);
	json_decref(p.st);
	json_decref(p.result);
	cyd_signed_free(&p.sg);
	return 0;
}

/* POST /v1/stocktakes {entry: stocktake.open} */
int
cyd_h_stocktakes_post(cyd_request *rq, cyd_response *rs)
{
	return step(rq, rs, ST_OPEN);
}

/* POST /v1/stocktakes/{id}/declare {entry: stocktake.declare, items} */
int
cyd_h_stocktake_declare(cyd_request *rq, cyd_response *rs)
{
	return step(rq, rs, ST_DECLARE);
}

/* POST /v1/stocktakes/{id}/close {entry: stocktake.close} */
int
cyd_h_stocktake_close(cyd_request *rq, cyd_response *rs)
{
	return step(rq, rs, ST_CLOSE);
}

/* GET /v1/stocktakes/{id}: the record, its declarations, and its result
 * (as it stands while open: what a close entry signs). */
int
cyd_h_stocktake_get(cyd_request *rq, cyd_response *rs)
{
	char id[CY_ITEM_ID_LEN + 1];
	cyd_reader *rd = NULL;
	json_t *st = NULL, *decls = json_array(), *result = NULL;
	cy_store *s;
	cy_error err;
	int r;

	if (decls == NULL)
		return oom(rs);
	if (cyd_path_param(rq, 0, id, sizeof(id)) != 0 || !is_hex_id(id)) {
		cyd_error(rs, 404, "not-found", "a stock-take id is 32 lowercase "
		    "hex digits");
		goto out;
	}
	if (cyd_reader_get_store(rq->srv, &rd, &err) != 0) {
		cyd_error_lib(rs, &err);
		goto out;
	}
	s = rd->store;
	if ((r = s->drv->begin(s, 0, &err)) == 0) {
		if ((r = load_stocktake(s, id, &st, &err)) == 1 &&
		    takes_part(rq->caller, cyd_jstr(st, "unit"))) {
			json_decref(decls);
			r = load_declarations(s, id, &decls, &err);
			if (r == 0 && json_object_get(st, "result") == NULL)
				r = compute(s, st, &result, &err);
			else if (r == 0)
				result = json_incref(json_object_get(st, "result"));
			r = r == 0 ? 1 : r;
		}
		s->drv->rollback(s);
	}
	if (r < 0)
		cyd_error_lib(rs, &err);
	else if (st == NULL)
		cyd_error(rs, 404, "not-found", "no stock-take %s", id);
	else if (result == NULL)
		cyd_forbid(rq, rs, "stock-take %s (unit %s) is outside your "
		    "subtree %s", id, cyd_jstr(st, "unit"),
		    cyd_caller_scope(rq->caller));
	else {
		json_object_del(st, "result");
		cyd_json(rs, 200, json_pack("{s:O, s:O, s:O}", "stocktake", st,
		    "declarations", decls, "result", result));
	}
out:
	cyd_reader_put(rq->srv, rd);
	json_decref(st);
	json_decref(decls);
	json_decref(result);
	return 0;
}
