/* coyeud's witnessing (docs/witness.md): POST /add-checkpoint for the logs
 * this registry witnesses (`witness =` lines), and the pusher that sends
 * each new checkpoint of this register to its parents (`push =`,
 * `push_key =`) and keeps their cosignatures for GET /checkpoint. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "coyeu/witness.h"
#include "coyeud.h"

#define KIND_STATE "witness"            /* key: a log's origin */
#define KIND_EVIDENCE "witness-refused" /* "<origin> <size> <root hex>" */
#define KIND_COSIG "cosig"              /* key: the size, 20 digits */
#define STORE_TRIES 6
#define PUSH_POLL_NS (200 * 1000 * 1000) /* how often the pusher looks */
#define PUSH_TIMEOUT 15L                 /* seconds for one push */
#define BACKOFF_MAX 60                   /* seconds between failed pushes */

/* A parent witness this register pushes its checkpoints to. */
struct parent {
	const char *url;          /* the config's push = value */
	char *endpoint;           /* url + "/add-checkpoint" */
	cy_note_verifier *key;    /* its push_key */
	uint64_t size;            /* the size it holds for us, as last told */
	uint64_t cosigned;        /* the last size it cosigned for us */
	unsigned failures;        /* in a row: the backoff grows with them */
	struct timespec next_try;
};

struct cyd_witness {
	cyd_server *srv;
	cy_note_verifier **logs;  /* the logs witnessed (witness = …) */
	size_t nlogs;
	cy_note_verifier *self;   /* this register's key, as its parents see it */
	/* The store handle for witness writes; one transaction at a time in
	 * this process, and the store's writer lock across processes. */
	pthread_mutex_t store_lock;
	cy_store *store;
	/* The pusher. */
	struct parent *parents;
	size_t nparents;
	pthread_t thread;
	int thread_started;
	pthread_mutex_t stop_lock;
	pthread_cond_t stop_cond;
	int stop;
	/* The newest cosignature lines, for GET /checkpoint without a read. */
	pthread_mutex_t cache_lock;
	uint64_t cache_size;
	cy_buf cache_lines;
};

/* --- the store: short write transactions, retried while busy --- */

typedef int store_fn(void *ctx, cy_store *s, cy_error *err);

static void
sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Runs fn in one write transaction, committed when it returns 0; a busy
 * store or a lost connection is tried again (a fresh handle). */
static int
in_write(cyd_witness *w, store_fn *fn, void *ctx, cy_error *err)
{
	const cy_store_driver *drv = w->srv->drv;
	int r = 0, i;

	pthread_mutex_lock(&w->store_lock);
	for (i = 0; i < STORE_TRIES; i++) {
		if (i > 0)
			sleep_ms(20L << i);
		if (w->store == NULL && (r = cy_store_open(drv, w->srv->dsn, 0,
		    &w->store, err)) != 0) {
			if (r == CY_E_STORE_RETRY)
				continue;
			break;
		}
		if ((r = drv->begin(w->store, 1, err)) == 0) {
			if ((r = fn(ctx, w->store, err)) == 0)
				r = drv->commit(w->store, err);
			else
				drv->rollback(w->store);
		}
		if (r != CY_E_STORE_RETRY)
			break;
		cy_store_close(w->store);
		w->store = NULL;
	}
	pthread_mutex_unlock(&w->store_lock);
	return r;
}

/* rec_put's answer as 0 or its error code (1 and 0 both mean done). */
static int
rec_put_status(int r)
{
	return r < 0 ? r : 0;
}

/* --- POST /add-checkpoint --- */

struct add_ctx {
	cyd_witness *w;
	const cy_witness_request *rq;
	const cy_note_verifier *log;
	uint64_t now;
	cy_buf cosig;
	cy_witness_result res;
	cy_witness_state held;
	int have_held;
	int rc;        /* the decision: 0 cosigned, else refused */
	cy_error why;  /* the refusal's reason */
};

/* A refusal that may prove the log misbehaved (a second root for a size,
 * a proof that does not verify) is kept: its signature verified. */
static int
keep_evidence(struct add_ctx *a, cy_store *s, cy_error *err)
{
	char key[CY_ORIGIN_MAX + 32 + 2 * CY_HASH_LEN];
	int i, n, fork = a->res.status == 409 && a->have_held &&
	    a->rq->old_size == a->held.size &&
	    a->res.checkpoint.size == a->held.size;

	if (a->res.status != 422 && !fork)
		return 0;
	n = snprintf(key, sizeof(key), "%s %" PRIu64 " ", a->rq->origin,
	    a->res.checkpoint.size);
	for (i = 0; i < CY_HASH_LEN; i++, n += 2)
		snprintf(key + n, sizeof(key) - (size_t)n, "%02x",
		    a->res.checkpoint.root[i]);
	return rec_put_status(s->drv->rec_put(s, KIND_EVIDENCE, key,
	    a->rq->origin, (int64_t)a->now, a->rq->note, a->rq->note_len,
	    CY_STORE_REC_NEW, err));
}

/* Inside the transaction: what the witness holds, the decision, and the
 * new state stored before the answer goes out. */
static int
add_in_tx(void *ctx, cy_store *s, cy_error *err)
{
	struct add_ctx *a = ctx;
	cy_buf data = CY_BUF_INIT;
	cy_error bad = {0, ""};
	int r;

	a->cosig.len = 0;
	a->have_held = 0;
	if ((r = s->drv->rec_get(s, KIND_STATE, a->rq->origin, &data, NULL,
	    err)) < 0)
		goto out;
	if (r == 1) {
		if (cy_witness_state_parse(data.data, data.len, &a->held, NULL,
		    NULL, &bad) != 0) {
			r = cy_error_set(err, CY_E_STORE, "the witness state of "
			    "\"%s\" is damaged: %s", a->rq->origin, bad.msg);
			goto out;
		}
		a->have_held = 1;
	}
	cy_error_clear(&a->why);
	a->rc = cy_witness_add(a->rq, a->log, a->have_held ? &a->held : NULL,
	    a->w->srv->signer, a->now, &a->cosig, &a->res, &a->why);
	if (a->rc != 0) {
		r = keep_evidence(a, s, err);
		goto out;
	}
	data.len = 0;
	a->held.size = a->res.checkpoint.size;
	memcpy(a->held.root, a->res.checkpoint.root, CY_HASH_LEN);
	if ((r = cy_witness_state_format(&a->held, a->rq->note, a->rq->note_len,
	    &data, err)) != 0)
		goto out;
	r = rec_put_status(s->drv->rec_put(s, KIND_STATE, a->rq->origin, "",
	    (int64_t)a->now, data.data, data.len, 0, err));
out:
	cy_buf_free(&data);
	return r;
}

static const cy_note_verifier *
find_log(const cyd_witness *w, const char *origin)
{
	size_t i;

	for (i = 0; w != NULL && i < w->nlogs; i++)
		if (strcmp(cy_note_verifier_name(w->logs[i]), origin) == 0)
			return w->logs[i];
	return NULL;
}

/* The refusal as the spec's status; 409 carries the size held. */
static int
answer_refusal(cyd_response *rs, const struct add_ctx *a)
{
	char size[24];
	int n;

	/* Each refusal is logged with its reason: those of a log whose
	 * signature verified (409, 422) may show it misbehaving. */
	cyd_log(CYD_INFO, "witness refused", "origin", a->rq->origin, "reason",
	    a->why.msg, NULL);
	switch (a->res.status) {
	case 409:
		n = snprintf(size, sizeof(size), "%" PRIu64 "\n", a->res.size);
		rs->reason = "conflict";
		return cyd_text(rs, 409, CY_WITNESS_SIZE_TYPE, size, (size_t)n);
	case 403:
		return cyd_error(rs, 403, "forbidden", "%s", a->why.msg);
	case 404:
		return cyd_error(rs, 404, "not-found", "%s", a->why.msg);
	case 422:
		return cyd_error(rs, 422, "bad-proof", "%s", a->why.msg);
	case 400:
		return cyd_error(rs, 400, "bad-request", "%s", a->why.msg);
	default:
		return cyd_error(rs, 500, "internal", "%s", a->why.msg);
	}
}

int
cyd_h_add_checkpoint(cyd_request *rq, cyd_response *rs)
{
	cyd_witness *w = rq->srv->witness;
	cy_witness_request body;
	struct add_ctx a;
	cy_error err = {0, ""};
	int r;

	if ((r = cy_witness_request_parse(rq->body, rq->body_len, &body,
	    &err)) != 0)
		return r == CY_E_TOO_LARGE ?
		    cyd_error(rs, 413, "too-large", "%s", err.msg) :
		    cyd_error(rs, 400, "bad-request", "%s", err.msg);
	memset(&a, 0, sizeof(a));
	a.w = w;
	a.rq = &body;
	/* An unknown log is answered without touching the store. */
	if ((a.log = find_log(w, body.origin)) == NULL)
		return cyd_error(rs, 404, "not-found", "this registry does not "
		    "witness the log \"%s\"", body.origin);
	a.now = (uint64_t)(rq->now > 0 ? rq->now : time(NULL));
	r = in_write(w, add_in_tx, &a, &err);
	if (r != 0) {
		cyd_metrics_store_error(rq->srv->metrics);
		r = cyd_error(rs, 503, "unavailable", "the witness state cannot "
		    "be stored: %s", err.msg);
	} else if (a.rc != 0) {
		r = answer_refusal(rs, &a);
	} else {
		cyd_log(CYD_INFO, "witness cosigned", "origin", body.origin,
		    "request", rq->id, NULL);
		r = cyd_text(rs, 200, "text/plain; charset=utf-8", a.cosig.data,
		    a.cosig.len);
	}
	cy_buf_free(&a.cosig);
	return r;
}

/* --- the cosignatures this register's parents gave --- */

static void
cosig_key(uint64_t size, char key[24])
{
	snprintf(key, 24, "%020" PRIu64, size);
}

struct cosig_ctx {
	uint64_t size;
	const cy_buf *line;
	const cy_buf *note;          /* the checkpoint cosigned */
	const cy_note_verifier *self, *parent;
};

/* Adds a parent's line to the record of its size (other parents' kept).
 * A parent that cosigned this size before (a second node, a restart) keeps
 * its first line: a reader refuses two cosignatures by one key. */
static int
cosig_put_in_tx(void *ctx, cy_store *s, cy_error *err)
{
	struct cosig_ctx *c = ctx;
	cy_buf data = CY_BUF_INIT, had = CY_BUF_INIT;
	char key[24];
	uint64_t t;
	int r;

	cosig_key(c->size, key);
	if ((r = s->drv->rec_get(s, KIND_COSIG, key, &data, NULL, err)) < 0)
		goto out;
	if (r == 1 && cy_witness_response_take(c->note->data, c->note->len,
	    c->self, data.data, data.len, c->parent, &had, &t, NULL) == 0) {
		r = 0;
		goto out;
	}
	cy_buf_append(&data, c->line->data, c->line->len);
	if (cy_buf_status(&data) != 0) {
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	r = rec_put_status(s->drv->rec_put(s, KIND_COSIG, key, "",
	    (int64_t)time(NULL), data.data, data.len, 0, err));
out:
	cy_buf_free(&data);
	cy_buf_free(&had);
	return r;
}

/* The record of size, read through a pooled read handle. */
static int
cosig_read(cyd_server *srv, uint64_t size, cy_buf *out, cy_error *err)
{
	char key[24];
	int r;

	cosig_key(size, key);
	r = cyd_record_get(srv, KIND_COSIG, key, out, err);
	return r < 0 ? r : 0;
}

int
cyd_witness_cosigs(cyd_server *srv, uint64_t size, cy_buf *lines)
{
	cyd_witness *w = srv->witness;
	cy_buf got = CY_BUF_INIT;
	cy_error err = {0, ""};
	int r = 0, hit;

	if (w == NULL || w->nparents == 0)
		return 0;
	pthread_mutex_lock(&w->cache_lock);
	if ((hit = w->cache_size == size && w->cache_lines.len > 0))
		cy_buf_append(lines, w->cache_lines.data, w->cache_lines.len);
	pthread_mutex_unlock(&w->cache_lock);
	if (hit)
		return cy_buf_status(lines) != 0 ? -1 : 0;
	if ((r = cosig_read(srv, size, &got, &err)) != 0) {
		cyd_log(CYD_WARN, "witness cosignatures unreadable", "reason",
		    err.msg, NULL);
	} else if (got.len > 0) {
		cy_buf_append(lines, got.data, got.len);
		r = cy_buf_status(lines) != 0 ? -1 : 0;
	}
	cy_buf_free(&got);
	return r;
}

/* Remembers the newest record's lines (the one /checkpoint serves). */
static void
cache_update(cyd_witness *w, uint64_t size)
{
	cy_buf got = CY_BUF_INIT;

	if (cosig_read(w->srv, size, &got, NULL) != 0)
		goto out;
	pthread_mutex_lock(&w->cache_lock);
	if (size >= w->cache_size) {
		w->cache_size = size;
		w->cache_lines.len = 0;
		cy_buf_append(&w->cache_lines, got.data, got.len);
		if (cy_buf_status(&w->cache_lines) != 0)
			w->cache_size = 0, w->cache_lines.len = 0;
	}
	pthread_mutex_unlock(&w->cache_lock);
out:
	cy_buf_free(&got);
}

/* --- the pusher --- */

struct http_answer {
	long status;
	cy_buf body;
	int over;
};

static size_t
on_body(char *p, size_t size, size_t n, void *ctx)
{
	struct http_answer *a = ctx;

	if (a->body.len + size * n > CY_WITNESS_RESPONSE_MAX) {
		a->over = 1;
		return 0;
	}
	cy_buf_append(&a->body, p, size * n);
	return cy_buf_status(&a->body) != 0 ? 0 : size * n;
}

/* POSTs body to the parent; the status and its answer into a. */
static int
post(const struct parent *p, const cy_buf *body, struct http_answer *a,
    cy_error *err)
{
	struct curl_slist *hdr = NULL;
	CURLcode cc;
	CURL *c;

	if ((c = curl_easy_init()) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "cannot start an HTTP client");
	hdr = curl_slist_append(hdr, "Content-Type: text/plain; charset=utf-8");
	curl_easy_setopt(c, CURLOPT_URL, p->endpoint);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, (const char *)body->data);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->len);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, PUSH_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
	if (a->over)
		return cy_error_set(err, CY_E_TOO_LARGE, "%s answered more than "
		    "%d bytes", p->endpoint, CY_WITNESS_RESPONSE_MAX);
	if (cc != CURLE_OK)
		return cy_error_set(err, CY_E_IO, "%s: %s", p->endpoint,
		    curl_easy_strerror(cc));
	return 0;
}

/* The latest checkpoint and the body that asks p to cosign it. */
static int
build_push(cyd_witness *w, struct parent *p, cy_buf *note, cy_checkpoint *c,
    cy_buf *body, cy_error *err)
{
	uint8_t proof[CY_MERKLE_PROOF_MAX][CY_HASH_LEN];
	cyd_reader *rd = NULL;
	size_t n = 0;
	int r;

	if ((r = cyd_reader_get(w->srv, &rd, err)) != 0)
		return r;
	if ((r = cy_log_checkpoint_latest(rd->log, note, c, err)) != 0)
		goto out;
	if (c->size == 0 || c->size == p->cosigned)
		goto out; /* nothing new to push */
	if (p->size > c->size) {
		r = cy_error_set(err, CY_E_POLICY, "the parent holds size %" PRIu64
		    " of this register, which has only %" PRIu64 " entries: "
		    "this register lost entries it published", p->size, c->size);
		goto out;
	}
	if (p->size > 0 && p->size < c->size &&
	    (r = cy_log_consistency_proof(rd->log, p->size, c->size, proof, &n,
	    err)) != 0)
		goto out;
	r = cy_witness_request_build(p->size,
	    (const uint8_t (*)[CY_HASH_LEN])proof, n, note->data, note->len, body,
	    err);
out:
	cyd_reader_put(w->srv, rd);
	return r;
}

/* The parent's answer: 200 a cosignature to check and keep, 409 the size
 * to push from next. */
static int
take_answer(cyd_witness *w, struct parent *p, const cy_buf *note,
    const cy_checkpoint *c, const struct http_answer *a, cy_error *err)
{
	cy_buf line = CY_BUF_INIT;
	struct cosig_ctx cc;
	uint64_t t, size;
	char s[24];
	int r;

	if (a->status == 409) {
		if ((r = cy_witness_size_parse(a->body.data, a->body.len, &size,
		    err)) != 0)
			return cy_error_wrap(err, "%s answered 409", p->endpoint);
		snprintf(s, sizeof(s), "%" PRIu64, size);
		cyd_log(CYD_INFO, "witness parent resync", "url", p->url, "size",
		    s, NULL);
		p->size = size;
		return 0;
	}
	if (a->status != 200)
		return cy_error_set(err, CY_E_IO, "%s answered %ld: %.200s",
		    p->endpoint, a->status,
		    a->body.data != NULL ? (const char *)a->body.data : "");
	if ((r = cy_witness_response_take(note->data, note->len, w->self,
	    a->body.data, a->body.len, p->key, &line, &t, err)) != 0) {
		cy_error_wrap(err, "%s", p->endpoint);
		goto out;
	}
	cc.size = c->size;
	cc.line = &line;
	cc.note = note;
	cc.self = w->self;
	cc.parent = p->key;
	if ((r = in_write(w, cosig_put_in_tx, &cc, err)) != 0)
		goto out;
	p->size = p->cosigned = c->size;
	cache_update(w, c->size);
	snprintf(s, sizeof(s), "%" PRIu64, c->size);
	cyd_log(CYD_INFO, "witness parent cosigned", "url", p->url, "size", s,
	    NULL);
out:
	cy_buf_free(&line);
	return r;
}

/* One attempt: push the latest checkpoint to p if p has not cosigned it.
 * A 409 is followed at once by the push from the size the parent holds. */
static int
push_once(cyd_witness *w, struct parent *p, cy_error *err)
{
	cy_buf note = CY_BUF_INIT, body = CY_BUF_INIT;
	struct http_answer a;
	cy_checkpoint c;
	int r = 0, round;

	memset(&a, 0, sizeof(a));
	for (round = 0; round < 2; round++) {
		note.len = body.len = a.body.len = 0;
		a.status = 0;
		if ((r = build_push(w, p, &note, &c, &body, err)) != 0 ||
		    body.len == 0)
			break;
		if ((r = post(p, &body, &a, err)) != 0 ||
		    (r = take_answer(w, p, &note, &c, &a, err)) != 0 ||
		    a.status != 409)
			break;
	}
	cy_buf_free(&note);
	cy_buf_free(&body);
	cy_buf_free(&a.body);
	return r;
}

static int
due(const struct timespec *now, const struct timespec *t)
{
	return now->tv_sec > t->tv_sec ||
	    (now->tv_sec == t->tv_sec && now->tv_nsec >= t->tv_nsec);
}

static void
push_all(cyd_witness *w)
{
	struct timespec now;
	cy_error err = {0, ""};
	struct parent *p;
	unsigned delay;
	char s[16];
	size_t i;

	for (i = 0; i < w->nparents && !w->stop; i++) {
		p = &w->parents[i];
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (!due(&now, &p->next_try))
			continue;
		if (push_once(w, p, &err) == 0) {
			p->failures = 0;
			continue;
		}
		/* 1, 2, 4 … seconds, at most BACKOFF_MAX, between tries. */
		delay = p->failures < 6 ? 1u << p->failures : BACKOFF_MAX;
		if (delay > BACKOFF_MAX)
			delay = BACKOFF_MAX;
		p->failures++;
		p->next_try = now;
		p->next_try.tv_sec += delay;
		snprintf(s, sizeof(s), "%u", delay);
		cyd_log(CYD_WARN, "witness push failed", "url", p->url, "reason",
		    err.msg, "retry_in_s", s, NULL);
	}
}

static void *
pusher(void *arg)
{
	cyd_witness *w = arg;
	struct timespec until;

	pthread_mutex_lock(&w->stop_lock);
	while (!w->stop) {
		pthread_mutex_unlock(&w->stop_lock);
		push_all(w);
		pthread_mutex_lock(&w->stop_lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += PUSH_POLL_NS;
		if (until.tv_nsec >= 1000000000L)
			until.tv_sec++, until.tv_nsec -= 1000000000L;
		if (!w->stop)
			pthread_cond_timedwait(&w->stop_cond, &w->stop_lock, &until);
	}
	pthread_mutex_unlock(&w->stop_lock);
	return NULL;
}

/* --- start and stop --- */

static size_t
count(char **list)
{
	size_t n = 0;

	while (list != NULL && list[n] != NULL)
		n++;
	return n;
}

static int
load_logs(cyd_witness *w, char **keys, cy_error *err)
{
	size_t i, n = count(keys);
	int r;

	if (n == 0)
		return 0;
	if ((w->logs = calloc(n, sizeof(*w->logs))) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		if ((r = cy_note_verifier_parse(keys[i], strlen(keys[i]),
		    &w->logs[i], err)) != 0)
			return cy_error_wrap(err, "witness = %s", keys[i]);
		w->nlogs++;
		if (find_log(w, cy_note_verifier_name(w->logs[i])) != w->logs[i])
			return cy_error_set(err, CY_E_USAGE, "two witness = lines "
			    "for the log \"%s\"", cy_note_verifier_name(w->logs[i]));
	}
	return 0;
}

static int
load_parents(cyd_witness *w, char **urls, char **keys, cy_error *err)
{
	size_t i, n = count(urls), len;
	struct parent *p;
	int r;

	if (n != count(keys))
		return cy_error_set(err, CY_E_USAGE, "each push = URL needs its "
		    "push_key = (the parent's witness key): %zu push, %zu push_key",
		    n, count(keys));
	if (n == 0)
		return 0;
	if ((w->parents = calloc(n, sizeof(*w->parents))) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		p = &w->parents[w->nparents++]; /* freed by stop, even half made */
		p->url = urls[i];
		len = strlen(urls[i]);
		while (len > 0 && urls[i][len - 1] == '/')
			len--;
		if ((p->endpoint = malloc(len + sizeof("/add-checkpoint"))) == NULL)
			return cy_error_set(err, CY_E_NOMEM, "out of memory");
		memcpy(p->endpoint, urls[i], len);
		strcpy(p->endpoint + len, "/add-checkpoint");
		if ((r = cy_witness_key_parse(keys[i], strlen(keys[i]), &p->key,
		    err)) != 0)
			return cy_error_wrap(err, "push_key = %s", keys[i]);
	}
	return 0;
}

int
cyd_witness_start(cyd_server *srv, cy_error *err)
{
	char vs[CY_NOTE_KEY_STR_MAX];
	cyd_witness *w;
	int r;

	srv->witness = NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	w->srv = srv;
	pthread_mutex_init(&w->store_lock, NULL);
	pthread_mutex_init(&w->stop_lock, NULL);
	pthread_cond_init(&w->stop_cond, NULL);
	pthread_mutex_init(&w->cache_lock, NULL);
	srv->witness = w;
	cy_note_signer_verifier_string(srv->signer, vs);
	if ((r = cy_note_verifier_parse(vs, strlen(vs), &w->self, err)) != 0 ||
	    (r = load_logs(w, srv->cfg.witness_logs, err)) != 0 ||
	    (r = load_parents(w, srv->cfg.witness_push, srv->cfg.witness_keys,
	    err)) != 0)
		goto fail;
	if (w->nparents > 0) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			r = cy_error_set(err, CY_E_IO, "cannot start libcurl");
			goto fail;
		}
		if (pthread_create(&w->thread, NULL, pusher, w) != 0) {
			r = cy_error_set(err, CY_E_NOMEM, "cannot start the pusher");
			goto fail;
		}
		w->thread_started = 1;
	}
	return 0;
fail:
	cyd_witness_stop(srv);
	return r;
}

void
cyd_witness_stop(cyd_server *srv)
{
	cyd_witness *w = srv->witness;
	size_t i;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->stop_lock);
	w->stop = 1;
	pthread_cond_signal(&w->stop_cond);
	pthread_mutex_unlock(&w->stop_lock);
	if (w->thread_started)
		pthread_join(w->thread, NULL);
	for (i = 0; i < w->nlogs; i++)
		cy_note_verifier_free(w->logs[i]);
	free(w->logs);
	for (i = 0; i < w->nparents; i++) {
		free(w->parents[i].endpoint);
		cy_note_verifier_free(w->parents[i].key);
	}
	free(w->parents);
	cy_note_verifier_free(w->self);
	cy_store_close(w->store);
	cy_buf_free(&w->cache_lines);
	pthread_mutex_destroy(&w->store_lock);
	pthread_mutex_destroy(&w->stop_lock);
	pthread_cond_destroy(&w->stop_cond);
	pthread_mutex_destroy(&w->cache_lock);
	free(w);
	srv->witness = NULL;
}
