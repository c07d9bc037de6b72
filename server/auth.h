/* coyeud — what auth.c shares with the signed routes it guards
 * (routes_certs.c, routes_append.c). */
#ifndef COYEUD_AUTH_H
#define COYEUD_AUTH_H

#include "coyeud.h"

/* The request body as a JSON object; on failure answers 400 "malformed
 * JSON: …" and returns -1. */
int cyd_body_object(const cyd_request *rq, cyd_response *rs, json_t **out);
/* obj's string member `name`, or NULL after answering 400. */
const char *cyd_body_string(cyd_response *rs, json_t *obj, const char *name);

/* The stored revocation lists (records of kind "crl", one per issuer). */
#define CYD_CRLS_MAX 4096
struct crl_set {
	cy_crl *crl[CYD_CRLS_MAX];
	size_t n;
};
int cyd_crls_load(cy_store *s, struct crl_set **out, cy_error *err);
void cyd_crls_free(struct crl_set *set);

/* A revocation list was stored: chains verified before are checked again
 * (auth.c keeps them verified for a second). */
void cyd_auth_crls_changed(void);

/* fn(ctx, store) in a writer job of its own (no entries): durable when
 * this returns 0; else fn's error, or the writer's. */
int cyd_store_job(cyd_server *srv, cy_log_append_hook *fn, void *ctx,
    cy_error *err);

/* The answer's receipts: [{"index": N, "receipt": "<tlog-proof>"}…] for
 * the job's entries, against the checkpoint of its batch. */
int cyd_job_receipts(cyd_server *srv, const cyd_job *job, json_t **out,
    cy_error *err);

/* The register's refusal of entry job->bad as the answer, with the
 * request's numbering (the register counts in the whole group-committed
 * batch): 409 for an entry already in the register, else 400 (401 for a
 * nonce already used, 503 for the store). */
int cyd_job_refused(cyd_response *rs, const cyd_job *job);

/* A revocation list's text, accepted as POST /v1/revocations accepts it
 * (POST /v1/items/{id}/changes takes one too): *out is the answer
 * {"revoked", "entries"}; 1 stored (201), 0 the same list again (200),
 * -1 after answering. */
int cyd_crl_accept(cyd_request *rq, cyd_response *rs, const char *text,
    json_t **out);

/* The handlers (routes.c's table). */
cyd_handler cyd_h_certs_post;        /* POST /v1/certs, CYD_ENROL */
cyd_handler cyd_h_revocations_post;  /* POST /v1/revocations, CYD_AUTHORITY */
cyd_handler cyd_h_revocations_get;   /* GET /v1/revocations, CYD_OFFICER */
cyd_handler cyd_h_directory;     /* GET /v1/directory, CYD_OFFICER */
cyd_handler cyd_h_log_entries;  /* POST /v1/log/entries, CYD_OFFICER */

#endif
