/* coyeud — what the daemon's parts share: the server's state, a request
 * and its answer as handlers see them, the route table, the caller
 * authorisation decides on, and the writer that group-commits.
 * docs/coyeud.md describes the API these serve. */
#ifndef COYEUD_H
#define COYEUD_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "coyeu/age.h"
#include "coyeu/buf.h"
#include "coyeu/cert.h"
#include "coyeu/crl.h"
#include "coyeu/error.h"
#include "coyeu/idkey.h"
#include "coyeu/log.h"
#include "coyeu/note.h"
#include "coyeu/store.h"

#define CYD_BODY_MAX_DEFAULT (1024 * 1024)   /* body_max */
#define CYD_HEADERS_MAX_DEFAULT (16 * 1024)  /* headers_max */
#define CYD_ENTRIES_PER_REQUEST 256          /* POST /v1/log/entries */
#define CYD_BATCH_MAX_DEFAULT 4096           /* entries per group commit */
#define CYD_DOC_MAX_DEFAULT (64u * 1024 * 1024) /* doc_max: a sealed file */

/* --- configuration (config.c) --- */

typedef struct cyd_config {
	char *path;            /* the file it was read from */
	char *listen;          /* "127.0.0.1:8443" or "unix:/path" */
	char *url;             /* the public base URL requests are signed for;
	                        * default http(s)://<listen> */
	char *db;              /* "sqlite:PATH" or "postgres://…" */
	char *key;             /* the registry's officer key file */
	char *chain;           /* its --role registry chain */
	char *trust;           /* the pinned root certificate */
	char *origin;          /* the register's origin; default
	                        * "coyeu.<unit>/register" of the chain's leaf */
	char *tls_cert, *tls_key;
	char *log_level;       /* "error", "warn", "info", "debug" */
	int register_public;   /* GET /checkpoint, /tile/… unsigned (1) */
	int threads;           /* HTTP threads: 0, one per connection;
	                        * N, an epoll pool of N */
	unsigned connections_max;
	unsigned per_ip_max;
	unsigned timeout;      /* seconds a connection may stay idle */
	size_t body_max, headers_max;
	size_t doc_max;        /* a sealed file sent or copied (docs/exchange.md) */
	unsigned batch_max;    /* entries per group commit */
	unsigned denied_per_minute; /* denied entries per officer */
	char **witness_logs;   /* witness = <verifier key string> …, NULL-ended:
	                        * the logs this registry witnesses */
	char **witness_push;   /* push = <URL> …: parents that witness us */
	char **witness_keys;   /* push_key = <verifier string>, the parents' */
	char **mat_via_registry; /* unit subtrees whose MẬT documents go
	                          * through the registry too (DESIGN.md §5) */
} cyd_config;

int cyd_config_load(const char *path, cyd_config *c, cy_error *err);
void cyd_config_free(cyd_config *c);

/* --- the server --- */

typedef struct cyd_metrics cyd_metrics;
typedef struct cyd_writer cyd_writer;
typedef struct cyd_witness cyd_witness;

typedef struct cyd_server {
	cyd_config cfg;
	const cy_store_driver *drv;
	const char *dsn;
	cy_idkey *key;             /* the registry's officer key */
	cy_identity *seal_id;      /* its X25519 identity (over key): opens
	                            * the sealed shares of R */
	cy_chain *chain;           /* its chain */
	cy_cert *root;             /* the pinned root */
	cy_note_signer *signer;    /* checkpoints: the registry key */
	char *origin;              /* the register's origin */
	char *chain_text;          /* the chain file, for /v1/registry */
	cyd_writer *writer;
	cyd_metrics *metrics;
	cyd_witness *witness;
	struct cyd_doc_cache *docs; /* parsed document records (docs.h) */
	/* Read handles: one per HTTP thread, taken from this pool. */
	pthread_mutex_t pool_lock;
	struct cyd_reader *pool;
	volatile int stopping;
	void *httpd;               /* the HTTP library's daemon */
	uint64_t size;             /* the register's size as last seen
	                            * (__atomic): /healthz, /metrics */
} cyd_server;

/* A read handle on the register and the store, refreshed; give it back. */
typedef struct cyd_reader {
	struct cyd_reader *next;
	cy_store *store;
	cy_log *log;
} cyd_reader;
int cyd_reader_get(cyd_server *srv, cyd_reader **out, cy_error *err);
/* A handle for the store's records only: the register is not brought up
 * to date (cheaper, for authentication's lookups). */
int cyd_reader_get_store(cyd_server *srv, cyd_reader **out, cy_error *err);
/* One record (kind, key) into out, through a pooled handle whose register
 * is not brought up to date: 1 found, 0 none, <0 the store's error. */
int cyd_record_get(cyd_server *srv, const char *kind, const char *key,
    cy_buf *out, cy_error *err);
void cyd_reader_put(cyd_server *srv, cyd_reader *r);

/* --- requests (http.c) --- */

/* The verified caller of a signed request (auth.c). */
typedef struct cyd_caller {
	cy_chain *chain;       /* verified against the pinned root, now */
	const cy_cert *cert;   /* the leaf, inside chain */
	const char *serial;
	const char *unit;
	int role;              /* enum cy_role */
	int clearance;         /* enum cy_level */
	char nonce[80];        /* the request's nonce, stored with its effects */
	int64_t created;
	int nonce_pending;     /* 1: the handler stores the nonce in its own
	                        * writer job (cyd_auth_nonce_put) */
	struct cyd_shared_chain *shared; /* auth.c: chain is this parse,
	                        * shared with other callers; NULL: owned */
} cyd_caller;

struct cyd_response;

typedef struct cyd_request {
	cyd_server *srv;
	const char *method;
	const char *path;        /* without the query */
	const char *query;       /* after '?', or NULL (as sent) */
	const char *target;      /* the request target as sent, path and
	                          * query, not decoded: for @target-uri */
	const uint8_t *body;
	size_t body_len;
	/* A header's value (case-insensitive name), or NULL. */
	const char *(*header)(const struct cyd_request *rq, const char *name);
	void *conn;              /* the HTTP library's connection */
	const struct cyd_route *route;
	cyd_caller *caller;      /* NULL for unsigned routes */
	int64_t now;
	char id[17];             /* request id for the logs */
	/* Parked (cyd_park): what answers it once the writer is done. */
	int parked;
	int (*resume)(struct cyd_request *rq, struct cyd_response *rs);
	void *resume_ctx;
} cyd_request;

typedef struct cyd_response {
	int status;
	const char *content_type; /* NULL: application/json */
	cy_buf body;
	const char *cache_control; /* NULL: none */
	const char *reason;        /* the refusal's reason, for the log line */
	const char *code;          /* the refusal's error code, for the log */
	char reason_text[200];     /* cyd_error keeps the reason here */
} cyd_response;

/* Parking: a handler whose answer waits for the writer's commit need not
 * hold its HTTP thread meanwhile (an epoll pool of a few threads then
 * serves every connection, and every waiting request joins the next
 * batch).  When cyd_can_park(rq), the handler calls cyd_park(rq, resume,
 * ctx), submits its job with a notify that calls cyd_unpark(rq), and
 * returns 0 without answering; once the job is done, resume(rq, rs) runs
 * on an HTTP thread and answers.  Not with a thread per connection (the
 * HTTP library cannot suspend those), nor while stopping. */
int cyd_can_park(const cyd_request *rq);
void cyd_park(cyd_request *rq, int (*resume)(cyd_request *rq,
    struct cyd_response *rs), void *ctx);
void cyd_unpark(cyd_request *rq);

/* A query parameter's value (NULL: absent); *buf holds it until freed. */
const char *cyd_query(const cyd_request *rq, const char *name, char *buf,
    size_t cap);

/* Refusals: {"error": code, "reason": text}, and the status.  Returns 0
 * (the handler has answered).  code is a short word: "bad-request",
 * "unauthenticated", "forbidden", "not-found", "conflict", "too-large",
 * "too-many", "unavailable". */
int cyd_error(cyd_response *rs, int status, const char *code,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* A library error as a refusal, its status chosen from the code
 * (CY_E_FORMAT 400, CY_E_SIGNATURE 401, CY_E_POLICY/REVOKED 403,
 * CY_E_NOT_FOUND 404, CY_E_TOO_LARGE 413, CY_E_STORE_RETRY/STORE 503). */
int cyd_error_lib(cyd_response *rs, const cy_error *err);
/* A JSON answer (takes the reference to obj). */
int cyd_json(cyd_response *rs, int status, json_t *obj);
/* A text answer. */
int cyd_text(cyd_response *rs, int status, const char *content_type,
    const void *p, size_t len);

/* --- routes (routes.c holds the one table) --- */

enum cyd_who {
	CYD_PUBLIC = 0,     /* no signature: /healthz, /metrics */
	CYD_REGISTER,       /* /checkpoint, /tile/…: public unless
	                     * register_public = false */
	CYD_OFFICER,        /* a signed request by a registered officer */
	CYD_AUTHORITY,      /* … whose role is authority */
	CYD_ENROL,          /* POST /v1/certs: signed by the key of the chain
	                     * in the body, which need not be registered yet */
	CYD_WITNESS,        /* POST /add-checkpoint: the C2SP protocol's own
	                     * authentication (the log's signature) */
};

typedef int cyd_handler(cyd_request *rq, cyd_response *rs);

typedef struct cyd_route {
	const char *method;
	const char *path;   /* exact, or a prefix when it ends with '/' */
	cyd_handler *fn;
	int who;            /* enum cyd_who */
	const char *name;   /* for metrics and logs: "log.append" */
	int large;          /* 1: the body carries a sealed file; its limit is
	                     * cyd_body_limit's, not body_max */
} cyd_route;

const cyd_route *cyd_route_find(const char *method, const char *path,
    int *method_ok);
/* The i-th '*' segment of the request's path (from 0) into buf: 0, or -1
 * when there is none or it does not fit. */
int cyd_path_param(const cyd_request *rq, unsigned i, char *buf, size_t cap);
/* The body a request to method, path may carry: body_max, or for a large
 * route room for a doc_max file in base64 plus body_max. */
size_t cyd_body_limit(const cyd_server *srv, const char *method,
    const char *path);
extern const cyd_route cyd_routes[];

/* The handlers of the other parts' routes (auth.c, witness.c); weak
 * stubs answering 501 stand in until they are linked (stubs.c). */
cyd_handler cyd_h_certs_post, cyd_h_revocations_post, cyd_h_revocations_get,
    cyd_h_directory, cyd_h_log_entries, cyd_h_add_checkpoint;
/* Documents (docs/exchange.md): routes_docs.c, routes_release.c,
 * routes_lifecycle.c, routes_copies.c. */
cyd_handler cyd_h_documents_post, cyd_h_inbox, cyd_h_document_get,
    cyd_h_document_file, cyd_h_document_receive, cyd_h_releases_post,
    cyd_h_document_recall, cyd_h_document_destroy, cyd_h_document_extend,
    cyd_h_document_copies, cyd_h_registers,
    cyd_h_document_reseal; /* routes_reseal.c */

/* --- witnessing (witness.c; docs/witness.md) --- */

/* Reads the witness = / push = / push_key = lines into srv->witness and
 * starts the pusher when there are parents.  cyd_witness_stop stops the
 * pusher and frees it all (none started is fine). */
int cyd_witness_start(cyd_server *srv, cy_error *err);
void cyd_witness_stop(cyd_server *srv);
/* Appends to *lines the witness cosignature lines ("— name sig\n") held
 * for the checkpoint of `size`, for GET /checkpoint; 0 (none is fine), or
 * -1 when they cannot be read. */
int cyd_witness_cosigs(cyd_server *srv, uint64_t size, cy_buf *lines);

/* --- authorisation (auth.c): the one place it is decided --- */

/* Verifies a signed request (RFC 9421 + RFC 9530), finds the caller's
 * registered chain, checks it against the root and the revocation lists
 * now, remembers the nonce, and checks the route's `who`.  On refusal it
 * answers (401/403) and returns non-zero. */
int cyd_auth(cyd_request *rq, cyd_response *rs);
void cyd_caller_free(cyd_caller *c);
/* Inside a write transaction (a writer hook): remembers the caller's nonce
 * until its window passes.  CY_E_SIGNATURE "nonce already used" when
 * another request took it first. */
int cyd_auth_nonce_put(cy_store *s, const cyd_caller *c, cy_error *err);
/* Records a refusal of the authenticated caller as a `denied` entry signed
 * by the registry (at most cfg.denied_per_minute per officer); failures
 * are logged, never answered. */
void cyd_auth_denied(cyd_request *rq, const char *reason);
/* A refusal of the authenticated caller: cyd_auth_denied, then the answer
 * (status 403, "forbidden").  Returns 0 as cyd_error does. */
int cyd_forbid(cyd_request *rq, cyd_response *rs, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* --- the writer (writer.c): group commit --- */

/* A job: entries to append (may be 0) and a hook that stores, inside the
 * same transaction, what must be durable with them.  The submitting
 * thread blocks until the batch holding its job is durable (or failed). */
typedef struct cyd_job {
	const uint8_t *const *entries;
	const size_t *lens;
	/* NULL, or n: NULL or entries[i]'s cy_entry_check result, which the
	 * register trusts rather than checking the signature again. */
	const cy_entry_checked *const *checked;
	size_t n;
	cy_log_append_hook *hook;   /* may be NULL */
	void *hook_ctx;
	/* When not NULL, n buffers: the writer fills each with its entry's
	 * receipt (tlog-proof) right after the commit, from its own register
	 * handle, which holds the checkpoint it just signed: no read handle
	 * to refresh, no signature to check again. */
	cy_buf *receipts;
	int receipts_made;          /* 1: the writer filled them */
	/* When not NULL: also the receipt of an earlier entry, at
	 * receipt_extra_index, against the same checkpoint (a release's
	 * answer gives its document's doc.register one). */
	cy_buf *receipt_extra;
	uint64_t receipt_extra_index;
	int receipt_extra_made;     /* 1: the writer filled it */
	/* 1: the hook deletes records that must leave no bytes behind
	 * (crypto-shredding): after the commit the writer runs the store's
	 * scrub on its own connection, outside any transaction
	 * (docs/store.md); scrub_rc is its result (0: scrubbed). */
	int scrub;
	int scrub_rc;
	/* NULL: cyd_writer_submit blocks until the job is done.  Else it
	 * returns at once and the writer calls notify(job) when the job is
	 * done (or refused): a parked request's way back (cyd_park).  The
	 * job is not touched after notify. */
	void (*notify)(struct cyd_job *job);
	void *notify_ctx;
	/* results */
	uint64_t first;             /* index of entries[0] */
	uint64_t size;              /* the checkpoint size that covers them */
	int rc;                     /* 0, or the refusal */
	size_t bad;                 /* the refused entry, or SIZE_MAX */
	cy_error err;
	/* private to the writer */
	struct cyd_job *next;
	int done;
	pthread_cond_t cv;          /* signalled when done: only its waiter
	                             * wakes */
} cyd_job;

int cyd_writer_start(cyd_server *srv, cyd_writer **out, cy_error *err);
/* Queues the job; waits for it unless job->notify is set.  Returns
 * job->rc (with notify: 0 once queued; a refusal is notified too). */
int cyd_writer_submit(cyd_writer *w, cyd_job *job);
void cyd_writer_stop(cyd_writer *w);

/* --- metrics (metrics.c) --- */

int cyd_metrics_new(cyd_metrics **out);
void cyd_metrics_free(cyd_metrics *m);
void cyd_metrics_request(cyd_metrics *m, const char *route, int status,
    double seconds);
void cyd_metrics_batch(cyd_metrics *m, size_t entries);
void cyd_metrics_store_error(cyd_metrics *m);
void cyd_metrics_render(cyd_metrics *m, uint64_t register_size, cy_buf *out);

/* --- logging (log.c): JSON lines on stderr --- */

enum cyd_level { CYD_ERROR, CYD_WARN, CYD_INFO, CYD_DEBUG };
void cyd_log_level(int level);
/* Whether lines of this level are written (skip building them if not). */
int cyd_log_enabled(int level);
/* One JSON object per line: {"time":…, "level":…, "msg":…, k: v, …};
 * the pairs are key, string value, …, NULL. */
void cyd_log(int level, const char *msg, ...);
/* The same with the pairs in a JSON object (any values; borrowed). */
void cyd_log_json(int level, const char *msg, json_t *fields);

#endif
