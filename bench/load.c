/* Load generator for coyeud: N concurrent officers, each on its own HTTP/1.1
 * keep-alive connection, each request a signed (RFC 9421) POST
 * /v1/log/entries of fresh entries signed by that officer's key.  Measures
 * durable appends per second (200 answers only), latency percentiles and
 * errors by status.  Built against libcoyeu's public headers only.
 *
 *   load --url http://127.0.0.1:8443 --keys DIR [--clients 64] [--seconds 10]
 *        [--entries-per-request 1] [--threads 2] [--register] [--pregen N]
 *        [--warmup S] [--acks FILE] [--release COPIES]
 *   load --check ACKS --url URL [--proofs N]
 *
 * DIR holds <i>.key (an unprotected officer key) and <i>.chain (its
 * registered chain) for i = 0 … clients-1.  --register first posts each
 * chain (signed POST /v1/certs); with --seconds 0 that is all.  --pregen N builds and signs N requests
 * before the clock starts (for when signing, not the server, is the
 * bottleneck).  --acks FILE writes "index sha256" for every acknowledged
 * entry; --check reads such a file and checks every entry is in the
 * register at its index (GET /checkpoint, GET /tile/entries/…), and that
 * the receipts of N of them (100; spread evenly) verify against the
 * registry's key (GET /v1/registry, GET /v1/log/proof).
 * --release COPIES: each request is instead a signed POST /v1/releases of
 * a fresh `release` entry for officer i's copy, line i of COPIES being
 * "DOC-ID COPY-ID" (bench/release.sh makes the copies with coyeu send).
 * Results are "key value" lines on stdout (bench/run.sh formats them). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "coyeu/buf.h"
#include "coyeu/cert.h"
#include "coyeu/encoding.h"
#include "coyeu/entry.h"
#include "coyeu/error.h"
#include "coyeu/httpsig.h"
#include "coyeu/idkey.h"
#include "coyeu/merkle.h"
#include "coyeu/secret.h"
#include "coyeu/note.h"
#include "coyeu/tiles.h"
#include "coyeu/tlogproof.h"

#define CLIENTS_MAX 4096
#define THREADS_MAX 16
#define EPR_MAX 256            /* CYD_ENTRIES_PER_REQUEST */
#define RESP_MAX (4 << 20)     /* an answer larger than this is an error */
#define STATUS_SLOTS 600       /* slot 0: connection failed or closed */
#define RECONNECT_MS 20
#define DRAIN_SECONDS 5.0
#define FILE_MAX (1 << 20)

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("load: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* --- the server's address --- */

static struct {
	char base[512];      /* the URL without a trailing slash: signed */
	char host[256];      /* the Host header */
	struct sockaddr_storage sa;
	socklen_t salen;
} srv;

static void
parse_url(const char *url)
{
	char name[256], port[16] = "80";
	const char *h, *colon, *slash;
	struct addrinfo hints = {0}, *ai;
	size_t n;

	if (strncmp(url, "http://", 7) != 0)
		die("--url must be http://HOST:PORT (TLS is not driven here)");
	n = strlen(url);
	while (n > 7 && url[n - 1] == '/')
		n--;
	if (n >= sizeof(srv.base))
		die("--url too long");
	memcpy(srv.base, url, n);
	srv.base[n] = '\0';
	h = srv.base + 7;
	slash = strchr(h, '/');
	n = slash != NULL ? (size_t)(slash - h) : strlen(h);
	if (n == 0 || n >= sizeof(srv.host))
		die("--url has no host");
	memcpy(srv.host, h, n);
	srv.host[n] = '\0';
	colon = strrchr(srv.host, ':');
	if (colon != NULL && strchr(colon, ']') == NULL) {
		snprintf(port, sizeof(port), "%s", colon + 1);
		n = (size_t)(colon - srv.host);
	} else {
		n = strlen(srv.host);
	}
	if (srv.host[0] == '[') {
		memcpy(name, srv.host + 1, n - 2);
		name[n - 2] = '\0';
	} else {
		memcpy(name, srv.host, n);
		name[n] = '\0';
	}
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(name, port, &hints, &ai) != 0)
		die("cannot resolve %s", srv.host);
	memcpy(&srv.sa, ai->ai_addr, ai->ai_addrlen);
	srv.salen = ai->ai_addrlen;
	freeaddrinfo(ai);
}

static int
dial(int nonblock)
{
	int fd = socket(srv.sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC |
	    (nonblock ? SOCK_NONBLOCK : 0), 0), one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&srv.sa, srv.salen) != 0 &&
	    errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

/* --- HTTP/1.1 answers --- */

struct resp {
	char *buf;
	size_t len, cap;
	int status;
	size_t body_off;     /* 0 until the header is complete */
	long long clen;      /* -1: none */
	int chunked, close;
	const char *body;    /* when complete */
	size_t body_len;
};

static void
resp_reset(struct resp *r)
{
	r->len = 0;
	r->status = 0;
	r->body_off = 0;
	r->clen = -1;
	r->chunked = r->close = 0;
	r->body = NULL;
	r->body_len = 0;
}

/* Room for at least want more bytes; -1 past RESP_MAX. */
static int
resp_room(struct resp *r, size_t want)
{
	size_t cap = r->cap ? r->cap : 8192;
	char *p;

	if (r->len + want + 1 <= r->cap)
		return 0;
	while (cap < r->len + want + 1)
		cap *= 2;
	if (cap > RESP_MAX)
		return -1;
	if ((p = realloc(r->buf, cap)) == NULL)
		return -1;
	r->buf = p;
	r->cap = cap;
	return 0;
}

static const char *
header_value(const char *h, const char *end, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = h; p < end; ) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));

		if (eol == NULL)
			break;
		if ((size_t)(eol - p) > n && strncasecmp(p, name, n) == 0 &&
		    p[n] == ':') {
			p += n + 1;
			while (*p == ' ' || *p == '\t')
				p++;
			return p;
		}
		p = eol + 1;
	}
	return NULL;
}

/* Decodes a chunked body in place; 1 when the last chunk is in, 0 if more
 * is needed, -1 if malformed. */
static int
dechunk(struct resp *r)
{
	const char *p = r->buf + r->body_off, *end = r->buf + r->len;
	size_t out = r->body_off;

	for (;;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		char *stop;
		unsigned long long n;

		if (eol == NULL)
			return 0;
		n = strtoull(p, &stop, 16);
		if (stop == p)
			return -1;
		p = eol + 1;
		if (n == 0) {
			r->body = r->buf + r->body_off;
			r->body_len = out - r->body_off;
			return 1;
		}
		if ((size_t)(end - p) < n + 2)
			return 0;
		memmove(r->buf + out, p, n);
		out += n;
		p += n + 2;
	}
}

/* 1: complete, 0: more needed, -1: malformed. */
static int
resp_complete(struct resp *r)
{
	if (r->body_off == 0) {
		char *e;
		const char *v;

		r->buf[r->len] = '\0';
		if ((e = strstr(r->buf, "\r\n\r\n")) == NULL)
			return 0;
		if (strncmp(r->buf, "HTTP/1.", 7) != 0 || r->len < 12)
			return -1;
		r->status = atoi(r->buf + 9);
		if (r->status < 100 || r->status >= STATUS_SLOTS)
			return -1;
		r->body_off = (size_t)(e + 4 - r->buf);
		if ((v = header_value(r->buf, e + 2, "content-length")) != NULL)
			r->clen = atoll(v);
		if ((v = header_value(r->buf, e + 2, "transfer-encoding")) != NULL &&
		    strncasecmp(v, "chunked", 7) == 0)
			r->chunked = 1;
		if ((v = header_value(r->buf, e + 2, "connection")) != NULL &&
		    strncasecmp(v, "close", 5) == 0)
			r->close = 1;
		if (!r->chunked && r->clen < 0)
			r->close = 1;  /* the body runs to the end */
	}
	if (r->chunked)
		return dechunk(r);
	if (r->clen >= 0 && r->len - r->body_off >= (size_t)r->clen) {
		r->body = r->buf + r->body_off;
		r->body_len = (size_t)r->clen;
		r->buf[r->body_off + r->body_len] = '\0';
		return 1;
	}
	return 0;
}

/* One request on a fresh blocking connection (setup and --check). */
static int
roundtrip(const char *req, size_t len, struct resp *r)
{
	int fd = dial(0), rc = -1;
	size_t off = 0;
	ssize_t n;

	resp_reset(r);
	if (fd < 0)
		return -1;
	while (off < len) {
		if ((n = write(fd, req + off, len - off)) <= 0)
			goto out;
		off += (size_t)n;
	}
	for (;;) {
		if (resp_room(r, 65536) != 0)
			goto out;
		n = read(fd, r->buf + r->len, r->cap - r->len - 1);
		if (n < 0)
			goto out;
		if (n == 0) {  /* closed: complete only if it runs to the end */
			if (r->body_off != 0 && r->clen < 0 && !r->chunked) {
				r->body = r->buf + r->body_off;
				r->body_len = r->len - r->body_off;
				r->buf[r->len] = '\0';
				rc = 0;
			}
			goto out;
		}
		r->len += (size_t)n;
		if ((rc = resp_complete(r)) != 0)
			break;
	}
	rc = rc == 1 ? 0 : -1;
out:
	close(fd);
	return rc;
}

static int
http_get(const char *path, struct resp *r)
{
	char req[1024];
	int n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s\r\n"
	    "Connection: close\r\n\r\n", path, srv.host);

	return roundtrip(req, (size_t)n, r);
}

/* --- officers and signed requests --- */

struct officer {
	cy_idkey *key;
	char serial[40];
	uint8_t *chain;
	size_t chain_len;
	char doc_id[33], copy_id[33]; /* --release: its copy */
};

static uint8_t *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p = malloc(FILE_MAX);
	size_t n;

	if (f == NULL || p == NULL)
		die("cannot read %s: %s", path, strerror(errno));
	n = fread(p, 1, FILE_MAX, f);
	fclose(f);
	if (n == FILE_MAX)
		die("%s is too large", path);
	*len = n;
	return p;
}

static void
load_officer(const char *dir, int i, struct officer *o)
{
	char path[4096];
	cy_chain *ch;
	cy_error err;

	snprintf(path, sizeof(path), "%s/%d.key", dir, i);
	if (cy_idkey_load(path, NULL, NULL, &o->key, &err) != 0)
		die("%s: %s", path, err.msg);
	snprintf(path, sizeof(path), "%s/%d.chain", dir, i);
	o->chain = read_file(path, &o->chain_len);
	if (cy_chain_parse(o->chain, o->chain_len, &ch, &err) != 0)
		die("%s: %s", path, err.msg);
	snprintf(o->serial, sizeof(o->serial), "%s",
	    cy_cert_serial(cy_chain_get(ch, 0)));
	if (memcmp(cy_cert_sign_public(cy_chain_get(ch, 0)),
	    cy_idkey_sign_public(o->key), 32) != 0)
		die("%s is not the chain of %d.key", path, i);
	cy_chain_free(ch);
}

/* A JSON string of s. */
static void
json_string(cy_buf *b, const uint8_t *s, size_t n)
{
	cy_buf_puts(b, "\"");
	for (size_t i = 0; i < n; i++) {
		uint8_t c = s[i];

		if (c == '"' || c == '\\')
			cy_buf_printf(b, "\\%c", c);
		else if (c == '\n')
			cy_buf_puts(b, "\\n");
		else if (c < 0x20)
			cy_buf_printf(b, "\\u%04x", c);
		else
			cy_buf_append(b, &c, 1);
	}
	cy_buf_puts(b, "\"");
}

/* The full text of a signed POST of body (application/json) to path. */
static int
signed_post(const struct officer *o, const char *path, const cy_buf *body,
    cy_buf *out, cy_error *err)
{
	cy_buf digest = CY_BUF_INIT, si = CY_BUF_INIT, sig = CY_BUF_INIT;
	char uri[1024];
	cy_httpsig_request rq = {"POST", uri, "application/json", NULL, NULL};
	int rc;

	snprintf(uri, sizeof(uri), "%s%s", srv.base, path);
	if ((rc = cy_httpsig_digest(body->data, body->len, &digest, err)) != 0)
		goto out;
	rq.content_digest = (const char *)digest.data;
	if ((rc = cy_httpsig_sign_request(&rq, o->serial, (int64_t)time(NULL),
	    o->key, &si, &sig, err)) != 0)
		goto out;
	cy_buf_printf(out, "POST %s HTTP/1.1\r\nHost: %s\r\n"
	    "Content-Type: application/json\r\nContent-Digest: %s\r\n"
	    "Signature-Input: %s\r\nSignature: %s\r\nContent-Length: %zu\r\n\r\n",
	    path, srv.host, (const char *)digest.data, (const char *)si.data,
	    (const char *)sig.data, body->len);
	cy_buf_append(out, body->data, body->len);
	rc = cy_buf_status(out);
out:
	cy_buf_free(&digest);
	cy_buf_free(&si);
	cy_buf_free(&sig);
	return rc;
}

/* Posts the officer's chain (signed by its own key); 201, or 409 when it is
 * already registered. */
static void
register_officer(const struct officer *o)
{
	cy_buf body = CY_BUF_INIT, req = CY_BUF_INIT;
	struct resp r = {0};
	cy_error err;

	cy_buf_puts(&body, "{\"chain\":");
	json_string(&body, o->chain, o->chain_len);
	cy_buf_puts(&body, "}");
	if (signed_post(o, "/v1/certs", &body, &req, &err) != 0)
		die("signing the registration of %s: %s", o->serial, err.msg);
	if (roundtrip((const char *)req.data, req.len, &r) != 0)
		die("POST /v1/certs: no answer from %s", srv.base);
	if (r.status != 201 && r.status != 200 && r.status != 409)
		die("POST /v1/certs for %s: %d %s", o->serial, r.status,
		    r.body ? r.body : "");
	cy_buf_free(&body);
	cy_buf_free(&req);
	free(r.buf);
}

/* A prepared request: its text and the hashes of its entries. */
struct prepared {
	uint8_t *text;
	size_t len;
	uint8_t (*hash)[CY_HASH_LEN];  /* one per entry */
};

struct gen {
	cy_hasher *hasher;
	uint64_t rng;
};

static uint64_t
xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static int release_mode; /* --release: POST /v1/releases */

/* A fresh release entry for the officer's copy, as one signed request. */
static void
prepare_release(const struct officer *o, struct gen *g, struct prepared *p)
{
	cy_buf body = CY_BUF_INIT, entry = CY_BUF_INIT, req = CY_BUF_INIT;
	char when[32], rq[65], *b64;
	uint8_t rnd[32];
	cy_entry_field f[] = {
		{"time", when}, {"actor", o->serial}, {"doc-id", o->doc_id},
		{"copy-id", o->copy_id}, {"recipient", o->serial},
		{"request-sha256", rq},
	};
	time_t t = time(NULL);
	struct tm tm;
	cy_error err;

	if ((p->hash = malloc(CY_HASH_LEN)) == NULL)
		die("out of memory");
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	for (int i = 0; i < 4; i++) {
		uint64_t a = xorshift(&g->rng);

		memcpy(rnd + 8 * i, &a, 8);
	}
	cy_hex_encode(rq, rnd, 32); /* distinct is all the bench needs */
	if (cy_entry_create("release", f, 6, o->key, &entry, &err) != 0)
		die("cy_entry_create: %s", err.msg);
	if (cy_sha256(g->hasher, entry.data, entry.len, p->hash[0]) != 0)
		die("sha256 failed");
	if ((b64 = malloc(CY_B64_PADDED_LEN(entry.len) + 1)) == NULL)
		die("out of memory");
	cy_b64_encode(b64, entry.data, entry.len, 1);
	cy_buf_printf(&body, "{\"entry\":\"%s\"}", b64);
	free(b64);
	if (signed_post(o, "/v1/releases", &body, &req, &err) != 0)
		die("signing a request: %s", err.msg);
	p->text = cy_buf_take(&req, &p->len);
	cy_buf_free(&body);
	cy_buf_free(&entry);
}

/* K fresh item.transition entries by the officer, as one signed request. */
static void
prepare(const struct officer *o, int k, struct gen *g, struct prepared *p)
{
	cy_buf body = CY_BUF_INIT, entry = CY_BUF_INIT, req = CY_BUF_INIT;
	char when[32], id[33];
	uint8_t rnd[16];
	cy_entry_field f[] = {
		{"time", when}, {"actor", o->serial}, {"item-id", id},
		{"register", "incoming"}, {"from", "received"}, {"to", "filed"},
	};
	time_t t = time(NULL);
	struct tm tm;
	cy_error err;

	if (release_mode) {
		prepare_release(o, g, p);
		return;
	}
	if ((p->hash = malloc((size_t)k * CY_HASH_LEN)) == NULL)
		die("out of memory");
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	cy_buf_puts(&body, "{\"entries\":[");
	for (int i = 0; i < k; i++) {
		uint64_t a = xorshift(&g->rng), b = xorshift(&g->rng);

		memcpy(rnd, &a, 8);
		memcpy(rnd + 8, &b, 8);
		cy_hex_encode(id, rnd, 16);
		entry.len = 0;
		if (cy_entry_create("item.transition", f, 6, o->key, &entry,
		    &err) != 0)
			die("cy_entry_create: %s", err.msg);
		if (cy_sha256(g->hasher, entry.data, entry.len, p->hash[i]) != 0)
			die("sha256 failed");
		if (i > 0)
			cy_buf_puts(&body, ",");
		json_string(&body, entry.data, entry.len);
	}
	cy_buf_puts(&body, "]}");
	if (signed_post(o, "/v1/log/entries", &body, &req, &err) != 0)
		die("signing a request: %s", err.msg);
	p->text = cy_buf_take(&req, &p->len);
	cy_buf_free(&body);
	cy_buf_free(&entry);
}

/* --- the load --- */

enum { C_IDLE, C_CONNECTING, C_SENDING, C_RECEIVING, C_BACKOFF, C_DONE };

struct client {
	int fd, state;
	const struct officer *o;
	struct prepared *pre;     /* pre-generated requests */
	size_t npre, next_pre;
	struct prepared cur;
	int cur_owned;            /* cur.text is ours to free */
	size_t sent;
	double t0, retry_at;
	struct resp r;
};

struct stats {
	double *lat;              /* milliseconds, measured requests */
	size_t nlat, caplat;
	unsigned long long status[STATUS_SLOTS];
	unsigned long long appends, requests;
	char reason[STATUS_SLOTS][160];
	double last;              /* time of the last completion */
};

struct worker {
	pthread_t t;
	struct client *c;
	int n, ep;
	struct gen g;
	struct stats st;
	cy_buf acks;
};

static struct {
	int clients, threads, epr, seconds, pregen;
	double warmup, start, measure_from, deadline;
	FILE *acks;
	pthread_mutex_t acks_lock;
} cfg = {64, 2, 1, 10, 0, 0, 0, 0, 0, NULL, PTHREAD_MUTEX_INITIALIZER};

static void
stats_latency(struct stats *st, double ms)
{
	if (st->nlat == st->caplat) {
		size_t cap = st->caplat ? st->caplat * 2 : 65536;
		double *p = realloc(st->lat, cap * sizeof(*p));

		if (p == NULL)
			die("out of memory");
		st->lat = p;
		st->caplat = cap;
	}
	st->lat[st->nlat++] = ms;
}

static void
remember_reason(struct stats *st, int status, const char *body, size_t n)
{
	if (st->reason[status][0] != '\0')
		return;
	if (n > sizeof(st->reason[0]) - 1)
		n = sizeof(st->reason[0]) - 1;
	for (size_t i = 0; i < n; i++)
		st->reason[status][i] = body[i] == '\n' ? ' ' : body[i];
	st->reason[status][n] = '\0';
	if (n == 0)
		snprintf(st->reason[status], sizeof(st->reason[0]), "(no body)");
}

/* The acknowledged indexes, in the answer's order: "index":N. */
static void
record_acks(struct worker *w, const struct client *c)
{
	const char *p = c->r.body;
	char hex[2 * CY_HASH_LEN + 1];
	int i = 0;

	while (p != NULL && i < cfg.epr && (p = strstr(p, "\"index\"")) != NULL) {
		p += 7;
		while (*p == ' ' || *p == ':')
			p++;
		cy_hex_encode(hex, c->cur.hash[i], CY_HASH_LEN);
		cy_buf_printf(&w->acks, "%llu %s\n", strtoull(p, NULL, 10), hex);
		i++;
	}
	if (i != cfg.epr)
		fprintf(stderr, "load: a 200 answer names %d indexes, not %d\n",
		    i, cfg.epr);
}

static void
flush_acks(struct worker *w)
{
	if (cfg.acks == NULL || w->acks.len == 0)
		return;
	pthread_mutex_lock(&cfg.acks_lock);
	fwrite(w->acks.data, 1, w->acks.len, cfg.acks);
	fflush(cfg.acks);
	pthread_mutex_unlock(&cfg.acks_lock);
	w->acks.len = 0;
}

static void
set_events(struct worker *w, struct client *c, uint32_t ev, int add)
{
	struct epoll_event e = {.events = ev, .data.ptr = c};

	if (epoll_ctl(w->ep, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, c->fd, &e) != 0)
		die("epoll_ctl: %s", strerror(errno));
}

static void
drop_connection(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);  /* also leaves the epoll set */
	c->fd = -1;
}

static void
release_current(struct client *c)
{
	if (c->cur_owned) {
		free(c->cur.text);
		free(c->cur.hash);
	}
	c->cur.text = NULL;
	c->cur.hash = NULL;
	c->cur_owned = 0;
}

/* The next request: a pre-generated one, or one made now. */
static void
start_request(struct worker *w, struct client *c)
{
	release_current(c);
	if (now() >= cfg.deadline) {
		drop_connection(c);
		c->state = C_DONE;
		return;
	}
	if (c->next_pre < c->npre) {
		c->cur = c->pre[c->next_pre++];
		c->cur_owned = 1;
	} else {
		prepare(c->o, cfg.epr, &w->g, &c->cur);
		c->cur_owned = 1;
	}
	c->sent = 0;
	resp_reset(&c->r);
	c->t0 = now();
	if (c->fd < 0) {
		if ((c->fd = dial(1)) < 0) {
			c->state = C_BACKOFF;
			c->retry_at = now() + RECONNECT_MS / 1e3;
			w->st.status[0]++;
			return;
		}
		c->state = C_CONNECTING;
		set_events(w, c, EPOLLOUT, 1);
		return;
	}
	c->state = C_SENDING;
	set_events(w, c, EPOLLOUT, 0);
}

/* The connection failed or closed before an answer: counted as status 0,
 * the request is not retried (it may or may not have been appended; it is
 * not acknowledged). */
static void
conn_failed(struct worker *w, struct client *c)
{
	w->st.status[0]++;
	drop_connection(c);
	release_current(c);
	c->state = C_BACKOFF;
	c->retry_at = now() + RECONNECT_MS / 1e3;
}

static void
answered(struct worker *w, struct client *c)
{
	double t = now();
	int s = c->r.status;

	w->st.last = t;
	if (c->t0 >= cfg.measure_from) {
		w->st.status[s]++;
		w->st.requests++;
		if (s == 200) {
			w->st.appends += (unsigned long long)cfg.epr;
			stats_latency(&w->st, (t - c->t0) * 1e3);
		}
	}
	if (s == 200)
		record_acks(w, c);
	else
		remember_reason(&w->st, s, c->r.body ? c->r.body : "",
		    c->r.body ? c->r.body_len : 0);
	if (c->r.close)
		drop_connection(c);
	start_request(w, c);
}

static void
on_writable(struct worker *w, struct client *c)
{
	ssize_t n;

	if (c->state == C_CONNECTING) {
		int e = 0;
		socklen_t l = sizeof(e);

		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &l) != 0 || e != 0) {
			conn_failed(w, c);
			return;
		}
		c->state = C_SENDING;
	}
	while (c->sent < c->cur.len) {
		n = write(c->fd, c->cur.text + c->sent, c->cur.len - c->sent);
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			conn_failed(w, c);
			return;
		}
		c->sent += (size_t)n;
	}
	c->state = C_RECEIVING;
	set_events(w, c, EPOLLIN, 0);
}

static void
on_readable(struct worker *w, struct client *c)
{
	ssize_t n;
	int done;

	for (;;) {
		if (resp_room(&c->r, 16384) != 0) {
			conn_failed(w, c);
			return;
		}
		n = read(c->fd, c->r.buf + c->r.len, c->r.cap - c->r.len - 1);
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			if (n == 0 && c->r.body_off != 0 && c->r.clen < 0 &&
			    !c->r.chunked) {
				c->r.body = c->r.buf + c->r.body_off;
				c->r.body_len = c->r.len - c->r.body_off;
				c->r.buf[c->r.len] = '\0';
				answered(w, c);
				return;
			}
			conn_failed(w, c);
			return;
		}
		c->r.len += (size_t)n;
		if ((done = resp_complete(&c->r)) < 0) {
			conn_failed(w, c);
			return;
		}
		if (done) {
			answered(w, c);
			return;
		}
	}
}

static void *
run_worker(void *arg)
{
	struct worker *w = arg;
	struct epoll_event ev[64];
	int live;

	for (int i = 0; i < w->n; i++)
		start_request(w, &w->c[i]);
	for (;;) {
		double t = now();

		live = 0;
		for (int i = 0; i < w->n; i++) {
			struct client *c = &w->c[i];

			if (c->state == C_BACKOFF && t >= c->retry_at)
				start_request(w, c);
			if (c->state != C_DONE)
				live++;
			/* Past the deadline, in-flight requests get a grace
			 * period; then they are given up. */
			if (c->state != C_DONE && c->state != C_BACKOFF &&
			    t > cfg.deadline + DRAIN_SECONDS) {
				w->st.status[0]++;
				drop_connection(c);
				c->state = C_DONE;
			}
			if (c->state == C_BACKOFF && t >= cfg.deadline)
				c->state = C_DONE;
		}
		if (live == 0)
			break;
		int n = epoll_wait(w->ep, ev, 64, 10);

		for (int i = 0; i < n; i++) {
			struct client *c = ev[i].data.ptr;

			if (c->state == C_CONNECTING || c->state == C_SENDING)
				on_writable(w, c);
			else if (c->state == C_RECEIVING)
				on_readable(w, c);
		}
		if (w->acks.len > 65536)
			flush_acks(w);
	}
	flush_acks(w);
	return NULL;
}

/* Builds and signs each client's c->npre requests ahead. */
static void *
pregen_worker(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < w->n; i++) {
		struct client *c = &w->c[i];

		if (c->npre == 0)
			continue;
		if ((c->pre = calloc(c->npre, sizeof(*c->pre))) == NULL)
			die("out of memory for --pregen");
		for (size_t j = 0; j < c->npre; j++)
			prepare(c->o, cfg.epr, &w->g, &c->pre[j]);
	}
	return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
percentile(const double *v, size_t n, double p)
{
	size_t i;

	if (n == 0)
		return 0;
	i = (size_t)(p * (double)n);
	return v[i >= n ? n - 1 : i];
}

static double
cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void
report(struct worker *w, double elapsed, double cpu, size_t pregenerated)
{
	struct stats all = {0};
	size_t at = 0;

	for (int i = 0; i < cfg.threads; i++) {
		all.nlat += w[i].st.nlat;
		all.appends += w[i].st.appends;
		all.requests += w[i].st.requests;
		for (int s = 0; s < STATUS_SLOTS; s++) {
			all.status[s] += w[i].st.status[s];
			if (all.reason[s][0] == '\0')
				memcpy(all.reason[s], w[i].st.reason[s],
				    sizeof(all.reason[s]));
		}
	}
	if ((all.lat = malloc((all.nlat + 1) * sizeof(double))) == NULL)
		die("out of memory");
	for (int i = 0; i < cfg.threads; i++) {
		if (w[i].st.nlat)
			memcpy(all.lat + at, w[i].st.lat,
			    w[i].st.nlat * sizeof(double));
		at += w[i].st.nlat;
	}
	qsort(all.lat, all.nlat, sizeof(double), cmp_double);
	printf("clients %d\nthreads %d\nentries_per_request %d\n", cfg.clients,
	    cfg.threads, cfg.epr);
	printf("seconds %.2f\n", elapsed);
	printf("requests %llu\n", all.requests);
	printf("appends %llu\n", all.appends);
	printf("appends_per_s %.0f\n", elapsed > 0 ? (double)all.appends /
	    elapsed : 0);
	printf("requests_per_s %.0f\n", elapsed > 0 ?
	    (double)all.status[200] / elapsed : 0);
	printf("p50_ms %.2f\np99_ms %.2f\np999_ms %.2f\nmax_ms %.2f\n",
	    percentile(all.lat, all.nlat, 0.50),
	    percentile(all.lat, all.nlat, 0.99),
	    percentile(all.lat, all.nlat, 0.999),
	    all.nlat ? all.lat[all.nlat - 1] : 0);
	printf("pregenerated %zu\n", pregenerated);
	printf("load_cpu_pct %.0f\n", elapsed > 0 ? 100 * cpu / elapsed : 0);
	for (int s = 0; s < STATUS_SLOTS; s++) {
		if (all.status[s] == 0)
			continue;
		if (s == 0)
			printf("status_conn %llu\n", all.status[0]);
		else
			printf("status_%d %llu\n", s, all.status[s]);
		if (s != 200 && s != 0)
			printf("reason_%d %s\n", s, all.reason[s]);
	}
	free(all.lat);
}

/* --- --check: every acknowledged entry at its index --- */

/* The value of a JSON string member `name` of body, unescaped (ASCII), or
 * NULL; free it. */
static char *
json_member(const char *body, const char *name)
{
	char key[64], *out, *o;
	const char *p;

	snprintf(key, sizeof(key), "\"%s\"", name);
	if ((p = strstr(body, key)) == NULL)
		return NULL;
	p += strlen(key);
	while (*p == ' ' || *p == ':')
		p++;
	if (*p++ != '"' || (out = o = malloc(strlen(p) + 1)) == NULL)
		return NULL;
	for (; *p != '"' && *p != '\0'; p++) {
		if (*p != '\\') {
			*o++ = *p;
			continue;
		}
		switch (*++p) {
		case 'n': *o++ = '\n'; break;
		case 't': *o++ = '\t'; break;
		case 'r': *o++ = '\r'; break;
		case 'u':
			*o++ = (char)strtol((char[5]){p[1], p[2], p[3], p[4], 0},
			    NULL, 16);
			p += 4;
			break;
		case '\0': free(out); return NULL;
		default: *o++ = *p; break;
		}
	}
	*o = '\0';
	return out;
}

/* The entry's receipt (GET /v1/log/proof) verifies against the registry's
 * key: it is in the tree of the latest signed checkpoint, at its index. */
static int
check_receipt(unsigned long long idx, const uint8_t *entry, size_t len,
    const cy_note_verifier *v)
{
	char path[64], *receipt = NULL;
	struct resp r = {0};
	cy_tlogproof *proof = NULL;
	cy_error err;
	int ok = 0;

	snprintf(path, sizeof(path), "/v1/log/proof?index=%llu", idx);
	if (http_get(path, &r) != 0 || r.status != 200 ||
	    (receipt = json_member(r.body, "receipt")) == NULL) {
		printf("check: FAIL GET %s: %d\n", path, r.status);
		goto out;
	}
	if (cy_tlogproof_parse((const uint8_t *)receipt, strlen(receipt), &proof,
	    &err) != 0 || cy_tlogproof_index(proof) != idx ||
	    cy_tlogproof_verify(proof, v, entry, len, NULL, &err) != 0) {
		printf("check: FAIL the receipt of index %llu: %s\n", idx,
		    proof != NULL && cy_tlogproof_index(proof) != idx ?
		    "another index" : err.msg);
		goto out;
	}
	ok = 1;
out:
	cy_tlogproof_free(proof);
	free(receipt);
	free(r.buf);
	return ok;
}

/* Every acknowledged entry at its index in the served entry bundles, and
 * the receipts of up to `proofs` of them (spread evenly) verified. */
static int
check_acks(const char *path, int proofs)
{
	struct resp r = {0};
	char tile[CY_TILE_PATH_MAX + 1], hex[2 * CY_HASH_LEN + 1], line[256],
	    *vkey;
	unsigned long long size, idx, checked = 0, bad = 0, max = 0, lines = 0,
	    proved = 0, step;
	uint8_t (*hashes)[CY_HASH_LEN], **ents;
	size_t *lens;
	cy_note_verifier *v;
	cy_hasher *h;
	cy_error err;
	FILE *f;
	const char *nl;

	if (cy_hasher_new(&h, &err) != 0)
		die("%s", err.msg);
	if (http_get("/v1/registry", &r) != 0 || r.status != 200 ||
	    (vkey = json_member(r.body, "verifier_key")) == NULL)
		die("GET /v1/registry: no verifier_key (%d)", r.status);
	if (cy_note_verifier_parse(vkey, strlen(vkey), &v, &err) != 0)
		die("the registry's verifier key: %s", err.msg);
	free(vkey);
	if (http_get("/checkpoint", &r) != 0 || r.status != 200)
		die("GET /checkpoint: %d", r.status);
	if ((nl = strchr(r.body, '\n')) == NULL)
		die("GET /checkpoint: no size line");
	size = strtoull(nl + 1, NULL, 10);
	if ((f = fopen(path, "r")) == NULL)
		die("cannot read %s", path);
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%llu", &idx) == 1) {
			lines++;
			if (idx + 1 > max)
				max = idx + 1;
		}
	if (max > size) {
		printf("check: FAIL the register has %llu entries, an entry at "
		    "index %llu was acknowledged\n", size, max - 1);
		return 1;
	}
	if ((hashes = calloc(max + 1, CY_HASH_LEN)) == NULL ||
	    (ents = calloc(max + 1, sizeof(*ents))) == NULL ||
	    (lens = calloc(max + 1, sizeof(*lens))) == NULL)
		die("out of memory");
	for (unsigned long long t = 0; t * 256 < max; t++) {
		unsigned w = size - t * 256 >= 256 ? 256 : (unsigned)(size - t * 256);
		const uint8_t *p, *end;
		unsigned long long i = t * 256;

		tile[0] = '/';
		cy_tile_path(CY_TILE_ENTRIES, t, w, tile + 1);
		if (http_get(tile, &r) != 0 || r.status != 200)
			die("GET %s: %d", tile, r.status);
		p = (const uint8_t *)r.body;
		end = p + r.body_len;
		while (p + 2 <= end && i < max) {
			size_t n = (size_t)p[0] << 8 | p[1];

			if ((size_t)(end - p - 2) < n)
				die("GET %s: a truncated bundle", tile);
			if (cy_sha256(h, p + 2, n, hashes[i]) != 0 ||
			    (ents[i] = malloc(n ? n : 1)) == NULL)
				die("sha256 failed");
			memcpy(ents[i], p + 2, n);
			lens[i] = n;
			p += 2 + n;
			i++;
		}
		if (i < t * 256 + w && i < max)
			die("GET %s: %llu entries, %u expected", tile,
			    i - t * 256, w);
	}
	rewind(f);
	step = proofs > 0 && lines > (unsigned long long)proofs ?
	    lines / (unsigned long long)proofs : 1;
	while (fgets(line, sizeof(line), f) != NULL) {
		char want[2 * CY_HASH_LEN + 1];

		if (sscanf(line, "%llu %64s", &idx, want) != 2)
			continue;
		cy_hex_encode(hex, hashes[idx], CY_HASH_LEN);
		if (strcmp(hex, want) != 0) {
			if (bad++ < 5)
				printf("check: FAIL index %llu holds %s, the "
				    "acknowledged entry was %s\n", idx, hex, want);
		} else if (proofs > 0 && (checked % step == 0 ||
		    checked + 1 == lines)) {
			if (check_receipt(idx, ents[idx], lens[idx], v))
				proved++;
			else
				bad++;
		}
		checked++;
	}
	fclose(f);
	printf("check: %llu acknowledged entries, %llu missing, different or "
	    "unproven, %llu receipts verified, register size %llu\n", checked,
	    bad, proved, size);
	for (unsigned long long i = 0; i < max; i++)
		free(ents[i]);
	free(ents);
	free(lens);
	free(hashes);
	free(r.buf);
	cy_note_verifier_free(v);
	cy_hasher_free(h);
	return bad != 0;
}

/* --release: line i of path is "DOC-ID COPY-ID", officer i's copy. */
static void
load_copies(const char *path, struct officer *off)
{
	FILE *f = fopen(path, "r");
	int i;

	if (f == NULL)
		die("cannot read %s: %s", path, strerror(errno));
	if (cfg.epr != 1)
		die("--release sends one entry a request");
	for (i = 0; i < cfg.clients; i++)
		if (fscanf(f, "%32s %32s", off[i].doc_id, off[i].copy_id) != 2)
			die("%s: no copy for officer %d", path, i);
	fclose(f);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"url", required_argument, NULL, 'u'},
		{"clients", required_argument, NULL, 'c'},
		{"seconds", required_argument, NULL, 's'},
		{"entries-per-request", required_argument, NULL, 'e'},
		{"keys", required_argument, NULL, 'k'},
		{"threads", required_argument, NULL, 't'},
		{"register", no_argument, NULL, 'r'},
		{"pregen", required_argument, NULL, 'p'},
		{"warmup", required_argument, NULL, 'w'},
		{"acks", required_argument, NULL, 'a'},
		{"check", required_argument, NULL, 'C'},
		{"proofs", required_argument, NULL, 'P'},
		{"release", required_argument, NULL, 'R'},
		{NULL, 0, NULL, 0},
	};
	const char *url = NULL, *keys = NULL, *acks = NULL, *check = NULL;
	const char *copies = NULL;
	int reg = 0, opt, proofs = 100;
	struct officer *off;
	struct worker *w;
	size_t pregenerated = 0;
	double cpu0, end, pregen_time;
	size_t per;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'u': url = optarg; break;
		case 'c': cfg.clients = atoi(optarg); break;
		case 's': cfg.seconds = atoi(optarg); break;
		case 'e': cfg.epr = atoi(optarg); break;
		case 'k': keys = optarg; break;
		case 't': cfg.threads = atoi(optarg); break;
		case 'r': reg = 1; break;
		case 'p': cfg.pregen = atoi(optarg); break;
		case 'w': cfg.warmup = atof(optarg); break;
		case 'a': acks = optarg; break;
		case 'C': check = optarg; break;
		case 'P': proofs = atoi(optarg); break;
		case 'R': copies = optarg; release_mode = 1; break;
		default:
			fputs("usage: load --url URL --keys DIR [--clients N] "
			    "[--seconds S] [--entries-per-request K] [--threads T] "
			    "[--register] [--pregen N] [--warmup S] [--acks FILE]\n"
			    "            [--release COPIES]\n"
			    "       load --check ACKS --url URL [--proofs N]\n", stderr);
			return 2;
		}
	}
	if (url == NULL)
		die("give --url");
	if (cy_init() != 0)
		die("cannot initialise libcoyeu");
	parse_url(url);
	if (check != NULL)
		return check_acks(check, proofs);
	if (keys == NULL)
		die("give --keys DIR");
	if (cfg.clients < 1 || cfg.clients > CLIENTS_MAX || cfg.threads < 1 ||
	    cfg.threads > THREADS_MAX || cfg.epr < 1 || cfg.epr > EPR_MAX ||
	    cfg.seconds < 0 || cfg.pregen < 0)
		die("--clients 1..%d, --threads 1..%d, --entries-per-request "
		    "1..%d, --seconds >= 0", CLIENTS_MAX, THREADS_MAX, EPR_MAX);
	if (cfg.threads > cfg.clients)
		cfg.threads = cfg.clients;
	per = ((size_t)cfg.pregen + (size_t)cfg.clients - 1) / (size_t)cfg.clients;
	if (acks != NULL && (cfg.acks = fopen(acks, "w")) == NULL)
		die("cannot write %s", acks);
	if ((off = calloc((size_t)cfg.clients, sizeof(*off))) == NULL ||
	    (w = calloc((size_t)cfg.threads, sizeof(*w))) == NULL)
		die("out of memory");
	for (int i = 0; i < cfg.clients; i++) {
		load_officer(keys, i, &off[i]);
		if (reg)
			register_officer(&off[i]);
	}
	if (copies != NULL)
		load_copies(copies, off);
	if (cfg.seconds == 0)  /* --register alone */
		return 0;
	for (int t = 0; t < cfg.threads; t++) {
		int lo = t * cfg.clients / cfg.threads,
		    hi = (t + 1) * cfg.clients / cfg.threads;

		w[t].n = hi - lo;
		w[t].c = calloc((size_t)w[t].n, sizeof(struct client));
		if (w[t].c == NULL || (w[t].ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
			die("out of memory");
		if (getrandom(&w[t].g.rng, sizeof(w[t].g.rng), 0) !=
		    sizeof(w[t].g.rng))
			die("getrandom failed");
		w[t].g.rng |= 1;
		if (cy_hasher_new(&w[t].g.hasher, NULL) != 0)
			die("out of memory");
		for (int i = 0; i < w[t].n; i++) {
			struct client *c = &w[t].c[i];

			c->fd = -1;
			c->o = &off[lo + i];
			c->npre = per;
			pregenerated += per;
		}
	}
	/* Signing ahead, on every thread. */
	pregen_time = now();
	for (int t = 0; t < cfg.threads; t++)
		if (pthread_create(&w[t].t, NULL, pregen_worker, &w[t]) != 0)
			die("cannot start a thread");
	for (int t = 0; t < cfg.threads; t++)
		pthread_join(w[t].t, NULL);
	pregen_time = now() - pregen_time;
	if (pregenerated > 0)
		printf("pregen_per_s %.0f\n", (double)pregenerated / pregen_time);
	cpu0 = cpu_seconds();
	cfg.start = now();
	cfg.measure_from = cfg.start + cfg.warmup;
	cfg.deadline = cfg.measure_from + cfg.seconds;
	for (int t = 0; t < cfg.threads; t++)
		if (pthread_create(&w[t].t, NULL, run_worker, &w[t]) != 0)
			die("cannot start a thread");
	end = cfg.measure_from;
	for (int t = 0; t < cfg.threads; t++) {
		pthread_join(w[t].t, NULL);
		if (w[t].st.last > end)
			end = w[t].st.last;
	}
	if (end < cfg.deadline)
		end = cfg.deadline < now() ? cfg.deadline : now();
	report(w, end - cfg.measure_from, cpu_seconds() - cpu0, pregenerated);
	if (cfg.acks != NULL)
		fclose(cfg.acks);
	return 0;
}
