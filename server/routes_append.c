/* coyeud — POST /v1/log/entries: officers' own entries into the register,
 * through the writer's group commit; the request's nonce is stored in the
 * same transaction.  docs/coyeud.md, "Authorisation". */
#include <stdlib.h>
#include <string.h>

#include "coyeu/entry.h"
#include "coyeu/level.h"

#include "coyeud.h"
#include "auth.h"
#include "bodies.h"

int
cyd_job_receipts(cyd_server *srv, const cyd_job *job, json_t **out,
    cy_error *err)
{
	cy_buf receipt = CY_BUF_INIT;
	cyd_reader *reader = NULL;
	json_t *list = json_array(), *o;
	size_t i;
	int r;

	*out = NULL;
	if (list == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	/* Receipts the writer did not make come from a read handle, which
	 * may predate the batch. */
	if (!job->receipts_made &&
	    ((r = cyd_reader_get(srv, &reader, err)) != 0 ||
	    (cy_log_size(reader->log) < job->size &&
	    (r = cy_log_refresh(reader->log, err)) != 0)))
		goto out;
	for (i = 0; i < job->n; i++) {
		const cy_buf *b = job->receipts_made ? &job->receipts[i] :
		    &receipt;

		if (!job->receipts_made) {
			receipt.len = 0;
			if ((r = cy_log_receipt(reader->log, job->first + i,
			    job->size, &receipt, err)) != 0)
				goto out;
		}
		o = json_pack("{s:I, s:s%}", "index",
		    (json_int_t)(job->first + i), "receipt",
		    (const char *)b->data, b->len);
		if (o == NULL || json_array_append_new(list, o) != 0) {
			r = cy_error_set(err, CY_E_NOMEM, "out of memory");
			goto out;
		}
	}
	*out = list;
	list = NULL;
out:
	cyd_reader_put(srv, reader);
	cy_buf_free(&receipt);
	json_decref(list);
	return r;
}

static int
nonce_hook(void *ctx, cy_store *s, uint64_t first, cy_error *err)
{
	(void)first;
	return cyd_auth_nonce_put(s, ctx, err);
}

/* A document's life is recorded by the documents routes, with the records
 * that go with it in the same commit: never alone here. */
static int
lifecycle_type(const char *type)
{
	static const char *const types[] = {"doc.register", "copy.issue",
		"release", "doc.receive", "doc.extend", "recall", "destroy",
		"declassify"};
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(type, types[i]) == 0)
			return 1;
	return 0;
}

/* What an entry's type asks of its actor beyond being the caller: the
 * clearance for a level it names, the unit it registers for, the role
 * that records certificates.  NULL: allowed; else the refusal's reason
 * (in buf). */
static const char *
entry_refusal(const cy_entry *e, const cyd_caller *c, char *buf, size_t cap)
{
	const char *type = cy_entry_type(e), *v;
	int level;

	if (lifecycle_type(type)) {
		snprintf(buf, cap, "%s entries are made through the documents "
		    "routes (docs/exchange.md)", type);
		return buf;
	}
	if (strncmp(type, "stocktake.", 10) == 0 ||
	    (strncmp(type, "item.", 5) == 0 &&
	    strcmp(type, "item.transition") != 0)) {
		snprintf(buf, cap, "%s entries are made through the inventory "
		    "routes (docs/inventory.md)", type);
		return buf;
	}
	if ((v = cy_entry_get(e, "level")) != NULL ||
	    (v = cy_entry_get(e, "from")) != NULL) {
		level = cy_level_parse(v, strlen(v));
		if (level > c->clearance) {
			snprintf(buf, cap, "a %s entry for a %s document needs "
			    "clearance %s (the caller has %s)", type,
			    cy_level_display(level), cy_level_display(level),
			    cy_level_display(c->clearance));
			return buf;
		}
	}
	if ((strcmp(type, "cert.issue") == 0 ||
	    strcmp(type, "cert.revoke") == 0) && c->role != CY_ROLE_AUTHORITY) {
		snprintf(buf, cap, "a %s entry is an authority's, and the caller "
		    "is %s %s", type, c->role == CY_ROLE_OFFICER ? "an" : "a",
		    cy_role_name(c->role));
		return buf;
	}
	if (strcmp(type, "denied") == 0) {
		snprintf(buf, cap, "a denied entry is the registry's own");
		return buf;
	}
	return NULL;
}

/* Each entry parses and is the caller's own: actor and actor-key. */
static int
check_entries(cyd_request *rq, cyd_response *rs, const uint8_t **ptrs,
    const size_t *lens, size_t n)
{
	const cyd_caller *c = rq->caller;
	const char *actor, *why;
	char reason[256];
	cy_entry *e;
	cy_error err;
	size_t i;
	int mine;

	for (i = 0; i < n; i++) {
		if (cy_entry_parse(ptrs[i], lens[i], &e, &err) != 0)
			return cyd_error(rs, 400, "bad-request", "entry %zu: %s",
			    i, err.msg), -1;
		actor = cy_entry_get(e, "actor");
		mine = strcmp(actor, c->serial) == 0;
		if (!mine)
			cyd_forbid(rq, rs, "entry %zu: its actor %s is not the "
			    "caller %s", i, actor, c->serial);
		else if (memcmp(cy_entry_actor_key(e),
		    cy_cert_sign_public(c->cert), CY_ENTRY_KEY_LEN) != 0) {
			mine = 0;
			cyd_forbid(rq, rs, "entry %zu: its actor-key is not the "
			    "signing key of certificate %s", i, c->serial);
		}
		if (mine && (why = entry_refusal(e, c, reason,
		    sizeof(reason))) != NULL) {
			mine = 0;
			cyd_forbid(rq, rs, "entry %zu: %s", i, why);
		}
		cy_entry_free(e);
		if (!mine)
			return -1;
	}
	return 0;
}

int
cyd_job_refused(cyd_response *rs, const cyd_job *job)
{
	const char *msg = job->err.msg, *rest = strstr(msg, " of the batch");

	if (job->bad == SIZE_MAX || rest == NULL)
		return job->err.code == CY_E_SIGNATURE ?
		    cyd_error(rs, 401, "unauthenticated", "%s", msg) :
		    cyd_error_lib(rs, &job->err);
	rest += strlen(" of the batch");
	if (strstr(rest, "already in the register") != NULL)
		return cyd_error(rs, 409, "conflict", "entry %zu%s", job->bad,
		    rest);
	if (strncmp(rest, " repeats", 8) == 0)
		return cyd_error(rs, 409, "conflict", "entry %zu repeats an "
		    "entry appended with it: an entry is appended once",
		    job->bad);
	return cyd_error(rs, 400, "bad-request", "entry %zu%s", job->bad, rest);
}

int
cyd_h_log_entries(cyd_request *rq, cyd_response *rs)
{
	const uint8_t *ptrs[CYD_ENTRIES_PER_REQUEST];
	size_t lens[CYD_ENTRIES_PER_REQUEST], n, i;
	cy_buf made[CYD_ENTRIES_PER_REQUEST];
	json_t *body, *receipts;
	cyd_job job;
	cy_error err;

	memset(&job, 0, sizeof(job));
	if (cyd_body_object(rq, rs, &body) != 0)
		return 0;
	n = 0;
	if (cyd_body_entries(body, CYD_ENTRIES_PER_REQUEST, ptrs, lens, &n,
	    &err) != 0) {
		cyd_error(rs, 400, "bad-request", "%s", err.msg);
		goto out;
	}
	if (check_entries(rq, rs, ptrs, lens, n) != 0)
		goto out;
	job.entries = ptrs, job.lens = lens, job.n = n, job.bad = SIZE_MAX;
	for (i = 0; i < n; i++)
		made[i] = (cy_buf)CY_BUF_INIT;
	job.receipts = made;
	if (rq->caller->nonce_pending)
		job.hook = nonce_hook, job.hook_ctx = rq->caller;
	if (cyd_writer_submit(rq->srv->writer, &job) != 0 || job.rc != 0) {
		cyd_job_refused(rs, &job);
		goto out;
	}
	if (cyd_job_receipts(rq->srv, &job, &receipts, &err) != 0) {
		/* Durable already: say so rather than invite a retry. */
		cyd_error(rs, 503, "unavailable", "appended at index %llu but "
		    "the receipts failed: %s (GET /v1/log/proof)",
		    (unsigned long long)job.first, err.msg);
		goto out;
	}
	cyd_json(rs, 200, json_pack("{s:o}", "entries", receipts));
out:
	for (i = 0; job.receipts != NULL && i < n; i++)
		cy_buf_free(&made[i]);
	json_decref(body);
	return 0;
}
