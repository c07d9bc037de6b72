/* coyeud — POST /v1/log/entries: officers' own entries into the register,
 * through the writer's group commit; the request's nonce is stored in the
 * same transaction.  docs/coyeud.md, "Authorisation". */
#include <stdlib.h>
#include <string.h>

#include "coyeu/entry.h"

#include "coyeud.h"
#include "auth.h"
#include "bodies.h"

int
cyd_job_receipts(cyd_server *srv, const cyd_job *job, json_t **out,
    cy_error *err)
{
	cy_buf receipt = CY_BUF_INIT;
	cyd_reader *reader;
	json_t *list = json_array(), *o;
	size_t i;
	int r;

	*out = NULL;
	if (list == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	if ((r = cyd_reader_get(srv, &reader, err)) != 0) {
		json_decref(list);
		return r;
	}
	/* The reader may predate the batch. */
	if (cy_log_size(reader->log) < job->size &&
	    (r = cy_log_refresh(reader->log, err)) != 0)
		goto out;
	for (i = 0; i < job->n; i++) {
		receipt.len = 0;
		if ((r = cy_log_receipt(reader->log, job->first + i, job->size,
		    &receipt, err)) != 0)
			goto out;
		o = json_pack("{s:I, s:s%}", "index",
		    (json_int_t)(job->first + i), "receipt",
		    (const char *)receipt.data, receipt.len);
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

/* Each entry parses and is the caller's own: actor and actor-key. */
static int
check_entries(cyd_request *rq, cyd_response *rs, const uint8_t **ptrs,
    const size_t *lens, size_t n)
{
	const cyd_caller *c = rq->caller;
	const char *actor;
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
		cy_entry_free(e);
		if (!mine)
			return -1;
	}
	return 0;
}

/* The register's refusal of entry job->bad, with the request's numbering
 * (the register counts in the whole group-committed batch). */
static int
refused(cyd_response *rs, const cyd_job *job)
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
	size_t lens[CYD_ENTRIES_PER_REQUEST], n;
	json_t *body, *receipts;
	cyd_job job;
	cy_error err;

	if (cyd_body_object(rq, rs, &body) != 0)
		return 0;
	if (cyd_body_entries(body, CYD_ENTRIES_PER_REQUEST, ptrs, lens, &n,
	    &err) != 0) {
		cyd_error(rs, 400, "bad-request", "%s", err.msg);
		goto out;
	}
	if (check_entries(rq, rs, ptrs, lens, n) != 0)
		goto out;
	memset(&job, 0, sizeof(job));
	job.entries = ptrs, job.lens = lens, job.n = n, job.bad = SIZE_MAX;
	if (rq->caller->nonce_pending)
		job.hook = nonce_hook, job.hook_ctx = rq->caller;
	if (cyd_writer_submit(rq->srv->writer, &job) != 0 || job.rc != 0) {
		refused(rs, &job);
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
	json_decref(body);
	return 0;
}
