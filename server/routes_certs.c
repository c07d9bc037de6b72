/* coyeud — officers' certificates and revocation lists:
 * POST /v1/certs, POST and GET /v1/revocations, GET /v1/directory.
 * docs/coyeud.md, "Authorisation". */
#include <stdlib.h>
#include <string.h>

#include "coyeu/entry.h"
#include "coyeu/level.h"

#include "common/timefmt.h"
#include "coyeud.h"
#include "auth.h"

/* Officers listed by one directory answer. */
#define DIRECTORY_MAX 10000

static json_t *
cert_object(const cy_cert *c)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s}",
	    "serial", cy_cert_serial(c), "name", cy_cert_name(c),
	    "unit", cy_cert_unit(c), "role", cy_role_name(cy_cert_role(c)),
	    "clearance", cy_level_name(cy_cert_clearance(c)));
}

/* --- POST /v1/certs --- */

struct cert_put {
	const cyd_caller *caller;
	const char *text;
	size_t len;
	int taken; /* another request stored the serial first */
};

static int
cert_put_hook(void *ctx, cy_store *s, uint64_t first, cy_error *err)
{
	struct cert_put *p = ctx;
	int r;

	(void)first;
	r = s->drv->rec_put(s, "cert", p->caller->serial, p->caller->unit,
	    cy_cert_not_after(p->caller->cert), (const uint8_t *)p->text,
	    p->len, CY_STORE_REC_NEW, err);
	p->taken = r == 0;
	return r < 0 ? r : 0;
}

/* What is stored under serial: 1 the same bytes, 0 none, -1 answered
 * (other bytes: 409; or a store error). */
static int
cert_stored(cyd_request *rq, cyd_response *rs, const char *serial,
    const char *text, size_t len)
{
	cy_buf old = CY_BUF_INIT;
	cy_error err;
	int r;

	r = cyd_record_get(rq->srv, "cert", serial, &old, &err);
	if (r < 0)
		cyd_error_lib(rs, &err);
	else if (r == 1 && (old.len != len || memcmp(old.data, text, len) != 0)) {
		cyd_error(rs, 409, "conflict", "certificate %s is registered "
		    "with another chain", serial);
		r = -1;
	}
	cy_buf_free(&old);
	return r;
}

int
cyd_h_certs_post(cyd_request *rq, cyd_response *rs)
{
	struct cert_put put = {rq->caller, NULL, 0, 0};
	json_t *body;
	cy_error err;
	int r;

	if (cyd_body_object(rq, rs, &body) != 0)
		return 0;
	/* auth.c parsed and verified this very chain. */
	put.text = json_string_value(json_object_get(body, "chain"));
	put.len = strlen(put.text);
	if ((r = cert_stored(rq, rs, put.caller->serial, put.text,
	    put.len)) != 0)
		goto out;
	if (cyd_store_job(rq->srv, cert_put_hook, &put, &err) != 0) {
		cyd_error_lib(rs, &err);
		r = -1;
		goto out;
	}
	/* Lost a race with the same serial: what won decides. */
	if (put.taken && (r = cert_stored(rq, rs, put.caller->serial,
	    put.text, put.len)) != 1)
		goto out;
	r = put.taken;
out:
	if (r >= 0)
		cyd_json(rs, r == 1 ? 200 : 201, cert_object(rq->caller->cert));
	json_decref(body);
	return 0;
}

/* --- POST /v1/revocations --- */

/* The list's issuer: the caller's chain or the root, an authority. */
static const cy_cert *
crl_issuer(const cyd_request *rq, const cy_crl *crl)
{
	const cy_chain *ch = rq->caller->chain;
	const cy_cert *c;
	size_t i;

	for (i = 0; i < cy_chain_len(ch); i++) {
		c = cy_chain_get(ch, i);
		if (strcmp(cy_cert_serial(c), cy_crl_issuer(crl)) == 0)
			return cy_cert_role(c) == CY_ROLE_AUTHORITY ? c : NULL;
	}
	if (strcmp(cy_cert_serial(rq->srv->root), cy_crl_issuer(crl)) == 0)
		return rq->srv->root;
	return NULL;
}

/* A list's reason as a cert.revoke entry takes it. */
static const char *
entry_reason(const char *reason)
{
	static const char *const known[] = {"key-compromise", "superseded",
		"left-unit", "cessation"};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(reason, known[i]) == 0)
			return reason;
	return "unspecified";
}

struct crl_put {
	const cy_crl *crl;
};

/* Stores the list unless a list of the issuer at least as new was stored
 * meanwhile (by another request or node). */
static int
crl_put_hook(void *ctx, cy_store *s, uint64_t first, cy_error *err)
{
	const struct crl_put *p = ctx;
	const uint8_t *bytes;
	cy_buf old = CY_BUF_INIT;
	cy_crl *prev = NULL;
	size_t len;
	int r;

	(void)first;
	r = s->drv->rec_get(s, "crl", cy_crl_issuer(p->crl), &old, NULL, err);
	if (r == 1 && (r = cy_crl_parse(old.data, old.len, &prev, err)) == 0 &&
	    cy_crl_sequence(prev) >= cy_crl_sequence(p->crl))
		r = cy_error_set(err, CY_E_POLICY, "a revocation list of %s "
		    "with sequence %llu was stored meanwhile",
		    cy_crl_issuer(p->crl),
		    (unsigned long long)cy_crl_sequence(prev));
	if (r >= 0) {
		bytes = cy_crl_bytes(p->crl, &len);
		r = s->drv->rec_put(s, "crl", cy_crl_issuer(p->crl), "",
		    cy_crl_time(p->crl), bytes, len, 0, err);
		r = r < 0 ? r : 0;
	}
	cy_crl_free(prev);
	cy_buf_free(&old);
	return r;
}

/* The issuer's stored list (NULL: none), or -1 answered. */
static int
crl_stored(cyd_request *rq, cyd_response *rs, const char *issuer,
    cy_crl **out)
{
	cy_buf old = CY_BUF_INIT;
	cy_error err;
	int r;

	*out = NULL;
	r = cyd_record_get(rq->srv, "crl", issuer, &old, &err);
	if (r == 1 && cy_crl_parse(old.data, old.len, out, &err) != 0)
		r = -1;
	if (r < 0)
		cyd_error_lib(rs, &err);
	cy_buf_free(&old);
	return r < 0 ? -1 : 0;
}

/* One cert.revoke entry, signed by the registry, per serial the new list
 * adds to the old (prev NULL: every serial). */
static int
revoke_entries(cyd_request *rq, const cy_crl *prev, const cy_crl *next,
    cy_buf *entries, size_t *n, json_t *revoked, cy_error *err)
{
	char now[CY_CANON_TIME_LEN + 1], since_text[CY_CANON_TIME_LEN + 1];
	const char *serial, *reason;
	cy_entry_field f[5];
	int64_t since;
	size_t i;

	*n = 0;
	for (i = 0; i < cy_crl_count(next); i++) {
		cy_crl_entry(next, i, &serial, &reason, &since);
		if (prev != NULL && cy_crl_lookup(prev, serial, NULL, NULL))
			continue;
		if (*n == CYD_BATCH_MAX_DEFAULT)
			return cy_error_set(err, CY_E_TOO_LARGE, "a revocation "
			    "list may add at most %d serials at once",
			    CYD_BATCH_MAX_DEFAULT);
		f[0].name = "time", f[0].value = cmn_time_text(rq->now, now);
		f[1].name = "actor", f[1].value = cy_cert_serial(
		    cy_chain_get(rq->srv->chain, 0));
		f[2].name = "serial", f[2].value = serial;
		f[3].name = "reason", f[3].value = entry_reason(reason);
		f[4].name = "since", f[4].value = cmn_time_text(since,
		    since_text);
		if (cy_entry_create("cert.revoke", f, 5, rq->srv->key,
		    &entries[*n], err) != 0)
			return err->code;
		(*n)++;
		json_array_append_new(revoked, json_string(serial));
	}
	return 0;
}

int
cyd_crl_accept(cyd_request *rq, cyd_response *rs, const char *text,
    json_t **out)
{
	struct crl_put put = {NULL};
	const cy_cert *issuer;
	const uint8_t **ptrs = NULL;
	const uint8_t *a, *b;
	size_t *lens = NULL, n = 0, i, alen, blen;
	cy_buf *entries = NULL;
	json_t *revoked = json_array(), *receipts = NULL;
	cy_crl *crl = NULL, *prev = NULL;
	cyd_job job;
	cy_error err;
	int r = -1;

	*out = NULL;
	if (cy_crl_parse((const uint8_t *)text, strlen(text), &crl, &err) != 0) {
		cyd_error(rs, 400, "bad-request",
		    "the revocation list does not parse: %s", err.msg);
		goto out;
	}
	if ((issuer = crl_issuer(rq, crl)) == NULL) {
		cyd_forbid(rq, rs, "the revocation list's issuer %s is not an "
		    "authority of your chain", cy_crl_issuer(crl));
		goto out;
	}
	if (cy_crl_check_signature(crl, issuer, &err) != 0) {
		cyd_error(rs, 400, "bad-request", "the revocation list's "
		    "signature does not verify: %s", err.msg);
		goto out;
	}
	if (crl_stored(rq, rs, cy_crl_issuer(crl), &prev) != 0)
		goto out;
	if (prev != NULL) {
		a = cy_crl_bytes(prev, &alen), b = cy_crl_bytes(crl, &blen);
		if (alen == blen && memcmp(a, b, alen) == 0) {
			/* Posted again: nothing new. */
			*out = json_pack("{s:O, s:[]}", "revoked", revoked,
			    "entries");
			r = *out != NULL ? 0 : -1;
			goto out;
		}
		if (cy_crl_check_successor(prev, crl, CY_CRL_SEQUENCE_JUMP_MAX,
		    &err) != 0) {
			cyd_error(rs, 409, "conflict", "%s", err.msg);
			goto out;
		}
	}
	entries = calloc(CYD_BATCH_MAX_DEFAULT, sizeof(*entries));
	ptrs = calloc(CYD_BATCH_MAX_DEFAULT, sizeof(*ptrs));
	lens = calloc(CYD_BATCH_MAX_DEFAULT, sizeof(*lens));
	if (entries == NULL || ptrs == NULL || lens == NULL || revoked == NULL) {
		cyd_error(rs, 503, "unavailable", "out of memory");
		goto out;
	}
	if (revoke_entries(rq, prev, crl, entries, &n, revoked, &err) != 0) {
		cyd_error_lib(rs, &err);
		goto out;
	}
	for (i = 0; i < n; i++)
		ptrs[i] = entries[i].data, lens[i] = entries[i].len;
	put.crl = crl;
	memset(&job, 0, sizeof(job));
	job.entries = ptrs, job.lens = lens, job.n = n, job.bad = SIZE_MAX;
	job.hook = crl_put_hook, job.hook_ctx = &put;
	if (cyd_writer_submit(rq->srv->writer, &job) != 0 || job.rc != 0) {
		if (job.err.code == CY_E_POLICY)
			cyd_error(rs, 409, "conflict", "%s", job.err.msg);
		else
			cyd_error_lib(rs, &job.err);
		goto out;
	}
	cyd_auth_crls_changed();
	if (cyd_job_receipts(rq->srv, &job, &receipts, &err) != 0) {
		cyd_error_lib(rs, &err);
		goto out;
	}
	*out = json_pack("{s:O, s:o}", "revoked", revoked, "entries",
	    receipts);
	r = *out != NULL ? 1 : -1;
out:
	for (i = 0; entries != NULL && i < n; i++)
		cy_buf_free(&entries[i]);
	free(entries);
	free(ptrs);
	free(lens);
	json_decref(revoked);
	cy_crl_free(crl);
	cy_crl_free(prev);
	if (r < 0 && rs->status == 0)
		cyd_error(rs, 503, "unavailable", "out of memory");
	return r;
}

int
cyd_h_revocations_post(cyd_request *rq, cyd_response *rs)
{
	json_t *body, *answer;
	const char *text;
	int r;

	if (cyd_body_object(rq, rs, &body) != 0)
		return 0;
	if ((text = cyd_body_string(rs, body, "crl")) != NULL &&
	    (r = cyd_crl_accept(rq, rs, text, &answer)) >= 0)
		cyd_json(rs, r == 1 ? 201 : 200, answer);
	json_decref(body);
	return 0;
}

/* --- GET /v1/revocations --- */

static int
crl_text_row(void *ctx, const char *key, const char *group, int64_t time,
    const uint8_t *data, size_t len, cy_error *err)
{
	(void)key, (void)group, (void)time;
	if (json_array_append_new(ctx, json_stringn((const char *)data,
	    len)) != 0)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	return 0;
}

/* The records of kind (and group) as a JSON array, one fn call each;
 * NULL when refused (answered). */
static json_t *
scan_array(cyd_request *rq, cyd_response *rs, const char *kind,
    const char *group, cy_store_rec_fn *fn)
{
	json_t *list = json_array();
	cyd_reader *reader = NULL;
	cy_error err;

	if (list == NULL) {
		cyd_error(rs, 503, "unavailable", "out of memory");
		return NULL;
	}
	if (cyd_reader_get_store(rq->srv, &reader, &err) != 0 ||
	    reader->store->drv->rec_scan(reader->store, kind, group, fn, list,
	    &err) < 0) {
		cyd_error_lib(rs, &err);
		json_decref(list);
		list = NULL;
	}
	cyd_reader_put(rq->srv, reader);
	return list;
}

int
cyd_h_revocations_get(cyd_request *rq, cyd_response *rs)
{
	json_t *crls = scan_array(rq, rs, "crl", NULL, crl_text_row);

	return crls == NULL ? 0 :
	    cyd_json(rs, 200, json_pack("{s:o}", "crls", crls));
}

/* --- GET /v1/directory?unit=U --- */

static int
officer_row(void *ctx, const char *key, const char *group, int64_t time,
    const uint8_t *data, size_t len, cy_error *err)
{
	json_t *o;
	cy_chain *ch;

	(void)key, (void)group, (void)time;
	if (json_array_size(ctx) == DIRECTORY_MAX)
		return cy_error_set(err, CY_E_TOO_LARGE,
		    "more than %d officers in the unit", DIRECTORY_MAX);
	if (cy_chain_parse(data, len, &ch, err) != 0)
		return cy_error_wrap(err, "the stored chain of %s", key);
	o = cert_object(cy_chain_get(ch, 0));
	cy_chain_free(ch);
	if (o == NULL || json_object_set_new(o, "chain",
	    json_stringn((const char *)data, len)) != 0 ||
	    json_array_append_new(ctx, o) != 0)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	return 0;
}

int
cyd_h_directory(cyd_request *rq, cyd_response *rs)
{
	const char *scope = cy_cert_unit(cy_chain_get(rq->srv->chain, 0));
	char buf[CY_UNIT_MAX + 1];
	const char *unit = cyd_query(rq, "unit", buf, sizeof(buf));
	json_t *officers;

	if (unit == NULL || !cy_unit_valid(unit, strlen(unit)))
		return cyd_error(rs, 400, "bad-request", "the query needs "
		    "unit=<unit path> (a-z0-9- segments joined by /)");
	if (!cy_unit_contains(scope, unit))
		return cyd_forbid(rq, rs, "unit %s is outside this registry's "
		    "scope %s", unit, scope);
	if ((officers = scan_array(rq, rs, "cert", unit, officer_row)) == NULL)
		return 0;
	return cyd_json(rs, 200, json_pack("{s:s, s:o}", "unit", unit,
	    "officers", officers));
}
