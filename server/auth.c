/* coyeud — authorisation, decided here and nowhere else: the request's
 * signature (RFC 9421, coyeu's profile) and body digest (RFC 9530), the
 * caller's registered chain against the pinned root and the stored
 * revocation lists, the nonce, and the route's `who`.  Refusals of an
 * authenticated officer become `denied` entries (rate-limited).
 * docs/coyeud.md, "Authorisation". */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "coyeu/entry.h"
#include "coyeu/httpsig.h"

#include "common/timefmt.h"
#include "coyeud.h"
#include "auth.h"
#include "bodies.h"
#include "items.h"

/* Seconds between sweeps of expired nonces (per node): often enough that
 * one sweep inside an append's transaction stays short. */
#define NONCE_SWEEP_EVERY 10
/* Officers tracked by the denied-entry rate limit; more in one minute
 * get no entry at all, so the register's growth stays bounded. */
#define DENIED_SLOTS 256
/* Stored revocation lists read per request (one per authority). */
#define CRLS_MAX CYD_CRLS_MAX

/* --- the request's components, as the signer saw them --- */

struct components {
	const cyd_request *rq;
	char *target_uri;
};

static const char *
component(void *ctx, const char *name)
{
	const struct components *c = ctx;

	if (strcmp(name, "@method") == 0)
		return c->rq->method;
	if (strcmp(name, "@target-uri") == 0)
		return c->target_uri;
	if (name[0] == '@')
		return NULL; /* outside the profile: not derivable here */
	return c->rq->header(c->rq, name);
}

/* The configured url (no trailing '/') + the request target as sent. */
static char *
target_uri(const cyd_request *rq)
{
	const char *url = rq->srv->cfg.url ? rq->srv->cfg.url : "";
	size_t ulen = strlen(url), n;
	char *out;

	while (ulen > 0 && url[ulen - 1] == '/')
		ulen--;
	n = ulen + strlen(rq->target);
	if ((out = malloc(n + 1)) == NULL)
		return NULL;
	snprintf(out, n + 1, "%.*s%s", (int)ulen, url, rq->target);
	return out;
}

/* --- stored state --- */

int
cyd_body_object(const cyd_request *rq, cyd_response *rs, json_t **out)
{
	cy_error err;

	if (cyd_body_parse(rq->body, rq->body_len, out, &err) != 0)
		return cyd_error(rs, 400, "bad-request", "%s", err.msg), -1;
	return 0;
}

const char *
cyd_body_string(cyd_response *rs, json_t *obj, const char *name)
{
	const char *text;
	cy_error err;
	size_t len;

	if (cyd_body_member(obj, name, &text, &len, &err) != 0)
		return cyd_error(rs, 400, "bad-request", "%s", err.msg), NULL;
	return text;
}

static int
crl_row(void *ctx, const char *key, const char *group, int64_t time,
    const uint8_t *data, size_t len, cy_error *err)
{
	struct crl_set *set = ctx;

	(void)key, (void)group, (void)time;
	if (set->n == CRLS_MAX)
		return cy_error_set(err, CY_E_TOO_LARGE,
		    "more than %d stored revocation lists", CRLS_MAX);
	if (cy_crl_parse(data, len, &set->crl[set->n], err) != 0)
		return cy_error_wrap(err, "stored revocation list of %s", key);
	set->n++;
	return 0;
}

static void
crls_free(struct crl_set *set)
{
	while (set->n > 0)
		cy_crl_free(set->crl[--set->n]);
	free(set);
}

int
cyd_crls_load(cy_store *s, struct crl_set **out, cy_error *err)
{
	struct crl_set *set = calloc(1, sizeof(*set));
	int r;

	*out = NULL;
	if (set == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	if ((r = s->drv->rec_scan(s, "crl", NULL, crl_row, set, err)) < 0) {
		crls_free(set);
		return r;
	}
	*out = set;
	return 0;
}

void
cyd_crls_free(struct crl_set *set)
{
	if (set != NULL)
		crls_free(set);
}

/* Runs fn(ctx, store) in a job of its own through the writer: one durable
 * commit, shared with whatever else the batch holds. */
int
cyd_store_job(cyd_server *srv, cy_log_append_hook *fn, void *ctx,
    cy_error *err)
{
	cyd_job job;
	int r;

	memset(&job, 0, sizeof(job));
	job.hook = fn;
	job.hook_ctx = ctx;
	job.bad = SIZE_MAX;
	if ((r = cyd_writer_submit(srv->writer, &job)) == 0 && job.rc == 0)
		return 0;
	*err = job.err;
	return r != 0 ? r : job.rc;
}

/* --- nonces --- */

static int64_t last_sweep; /* per node: when expired nonces were deleted */

int
cyd_auth_nonce_put(cy_store *s, const cyd_caller *c, cy_error *err)
{
	char key[CY_SERIAL_HEX_LEN + 1 + sizeof(c->nonce)];
	int64_t last = __atomic_load_n(&last_sweep, __ATOMIC_RELAXED);
	int64_t now = (int64_t)time(NULL);
	int r;

	snprintf(key, sizeof(key), "%s %s", c->serial, c->nonce);
	/* Kept until a request carrying it would be too old anyway. */
	r = s->drv->rec_put(s, "nonce", key, "", c->created +
	    CY_HTTPSIG_WINDOW + 1, (const uint8_t *)"", 0, CY_STORE_REC_NEW, err);
	if (r < 0)
		return r;
	if (r == 0)
		return cy_error_set(err, CY_E_SIGNATURE, "nonce already used");
	if (now - last >= NONCE_SWEEP_EVERY &&
	    __atomic_compare_exchange_n(&last_sweep, &last, now, 0,
	    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return s->drv->rec_expire(s, "nonce", now, NULL, err);
	return 0;
}

static int
nonce_hook(void *ctx, cy_store *s, uint64_t first, cy_error *err)
{
	(void)first;
	return cyd_auth_nonce_put(s, ctx, err);
}

/* --- denied entries --- */

static struct {
	pthread_mutex_t lock;
	struct {
		char serial[CY_SERIAL_HEX_LEN + 1];
		int64_t minute;
		unsigned count;
	} slot[DENIED_SLOTS];
} denied = {PTHREAD_MUTEX_INITIALIZER, {{"", 0, 0}}};

/* 1 when the officer may have one more denied entry this minute. */
static int
denied_allowed(const char *serial, int64_t now, unsigned per_minute)
{
	int64_t minute = now / 60;
	size_t i, free_slot = DENIED_SLOTS;
	int ok = 0;

	pthread_mutex_lock(&denied.lock);
	for (i = 0; i < DENIED_SLOTS; i++) {
		if (strcmp(denied.slot[i].serial, serial) == 0)
			break;
		if (free_slot == DENIED_SLOTS && denied.slot[i].minute != minute)
			free_slot = i; /* empty, or last minute's: reusable */
	}
	if (i == DENIED_SLOTS && free_slot < DENIED_SLOTS) {
		i = free_slot;
		snprintf(denied.slot[i].serial, sizeof(denied.slot[i].serial),
		    "%s", serial);
		denied.slot[i].minute = minute;
		denied.slot[i].count = 0;
	}
	if (i < DENIED_SLOTS) {
		if (denied.slot[i].minute != minute) {
			denied.slot[i].minute = minute;
			denied.slot[i].count = 0;
		}
		if (denied.slot[i].count < per_minute) {
			denied.slot[i].count++;
			ok = 1;
		}
	}
	pthread_mutex_unlock(&denied.lock);
	return ok;
}

/* A reason as an entry's text value: at most CY_ENTRY_TEXT_MAX bytes, cut
 * on a character boundary, no trailing spaces. */
static void
entry_text(const char *in, char out[CY_ENTRY_TEXT_MAX + 1])
{
	size_t n = strlen(in);

	if (n > CY_ENTRY_TEXT_MAX) {
		n = CY_ENTRY_TEXT_MAX;
		while (n > 0 && ((unsigned char)in[n] & 0xc0) == 0x80)
			n--;
	}
	while (n > 0 && in[n - 1] == ' ')
		n--;
	memcpy(out, in, n);
	out[n] = '\0';
}

void
cyd_auth_denied(cyd_request *rq, const char *reason)
{
	cyd_server *srv = rq->srv;
	unsigned per_minute = srv->cfg.denied_per_minute;
	char when[CY_CANON_TIME_LEN + 1], text[CY_ENTRY_TEXT_MAX + 1];
	cy_entry_field f[6];
	cy_buf entry = CY_BUF_INIT;
	const uint8_t *entries[1];
	size_t lens[1];
	cyd_job job;
	cy_error err;
	int r;

	if (rq->caller == NULL ||
	    !denied_allowed(rq->caller->serial, rq->now, per_minute))
		return;
	entry_text(reason, text);
	f[0].name = "time", f[0].value = cmn_time_text(rq->now, when);
	f[1].name = "actor", f[1].value = cy_cert_serial(cy_chain_get(
	    srv->chain, 0));
	f[2].name = "officer", f[2].value = rq->caller->serial;
	f[3].name = "route", f[3].value = rq->route && rq->route->name ?
	    rq->route->name : "unknown";
	/* The nonce tells two refusals of one second apart. */
	f[4].name = "nonce", f[4].value = rq->caller->nonce;
	f[5].name = "reason", f[5].value = text;
	if (cy_entry_create("denied", f, 6, srv->key, &entry, &err) != 0) {
		/* A reason the text form refuses: still record the refusal. */
		f[5].value = "refused";
		cy_buf_free(&entry);
		if (cy_entry_create("denied", f, 6, srv->key, &entry, &err) != 0)
			goto out;
	}
	entries[0] = entry.data, lens[0] = entry.len;
	memset(&job, 0, sizeof(job));
	job.entries = entries, job.lens = lens, job.n = 1, job.bad = SIZE_MAX;
	if ((r = cyd_writer_submit(srv->writer, &job)) == 0 && job.rc == 0)
		goto done;
	err = job.err;
out:
	cyd_log(CYD_WARN, "denied entry not recorded", "id", rq->id,
	    "officer", rq->caller->serial, "error", err.msg, NULL);
done:
	cy_buf_free(&entry);
}

int
cyd_forbid(cyd_request *rq, cyd_response *rs, const char *fmt, ...)
{
	char reason[CY_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	cyd_auth_denied(rq, reason);
	return cyd_error(rs, 403, "forbidden", "%s", reason);
}

/* --- chains verified a moment ago --- */

/* A registered chain verified against the root and the lists stays
 * verified for VERIFIED_MS (per node): a busy officer's requests
 * skip the chain's signatures and the lists.  A list stored on this node
 * ends that at once; one stored on another node within the same time.
 * Registered chains are never replaced (POST /v1/certs refuses other
 * bytes), so the serial names the chain; its length is checked too. */
#define VERIFIED_SLOTS 1024
#define VERIFIED_MS 1000 /* measured on the monotonic clock, to the
                          * millisecond: whole seconds would stretch it
                          * to nearly two */

static struct {
	pthread_mutex_t lock;
	uint64_t epoch; /* lists stored on this node */
	struct {
		char serial[CY_SERIAL_HEX_LEN + 1];
		size_t bytes;
		int64_t at;     /* monotonic milliseconds */
		uint64_t epoch;
	} slot[VERIFIED_SLOTS];
} verified = {PTHREAD_MUTEX_INITIALIZER, 0, {{"", 0, 0, 0}}};

static size_t
chain_bytes(const cy_chain *ch)
{
	size_t i, len, total = 0;

	for (i = 0; i < cy_chain_len(ch); i++) {
		(void)cy_cert_bytes(cy_chain_get(ch, i), &len);
		total += len;
	}
	return total;
}

static size_t
verified_slot(const char *serial)
{
	return (size_t)strtoul((char[9]){serial[0], serial[1], serial[2],
	    serial[3], serial[4], serial[5], serial[6], serial[7], 0}, NULL,
	    16) % VERIFIED_SLOTS;
}

static int64_t
monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
verified_recently(const cy_chain *ch)
{
	int64_t now = monotonic_ms();
	const char *serial = cy_cert_serial(cy_chain_get(ch, 0));
	size_t i = verified_slot(serial);
	int hit;

	pthread_mutex_lock(&verified.lock);
	hit = strcmp(verified.slot[i].serial, serial) == 0 &&
	    verified.slot[i].bytes == chain_bytes(ch) &&
	    verified.slot[i].epoch == verified.epoch &&
	    now >= verified.slot[i].at &&
	    now - verified.slot[i].at <= VERIFIED_MS;
	pthread_mutex_unlock(&verified.lock);
	return hit;
}

static void
verified_note(const cy_chain *ch)
{
	int64_t now = monotonic_ms();
	const char *serial = cy_cert_serial(cy_chain_get(ch, 0));
	size_t i = verified_slot(serial);

	pthread_mutex_lock(&verified.lock);
	snprintf(verified.slot[i].serial, sizeof(verified.slot[i].serial),
	    "%s", serial);
	verified.slot[i].bytes = chain_bytes(ch);
	verified.slot[i].at = now;
	verified.slot[i].epoch = verified.epoch;
	pthread_mutex_unlock(&verified.lock);
}

void
cyd_auth_crls_changed(void)
{
	pthread_mutex_lock(&verified.lock);
	verified.epoch++;
	pthread_mutex_unlock(&verified.lock);
}

/* --- registered chains, parsed once --- */

/* A registered chain's parse, shared read-only by the requests of its
 * officer: kept by serial and stored bytes, so a chain is parsed again
 * only when its record changes.  Freed with its last reference. */
struct cyd_shared_chain {
	cy_chain *chain;
	int refs;              /* __atomic */
};

#define PARSED_SLOTS 1024

static struct {
	pthread_mutex_t lock;
	struct {
		char serial[CY_SERIAL_HEX_LEN + 1];
		cy_buf text;
		struct cyd_shared_chain *sc;
	} slot[PARSED_SLOTS];
} parsed = {PTHREAD_MUTEX_INITIALIZER, {{"", CY_BUF_INIT, NULL}}};

static void
shared_chain_put(struct cyd_shared_chain *sc)
{
	if (sc != NULL && __atomic_sub_fetch(&sc->refs, 1, __ATOMIC_ACQ_REL) ==
	    0) {
		cy_chain_free(sc->chain);
		free(sc);
	}
}

/* The parse of serial's stored chain text: shared (a reference taken)
 * when the same bytes were parsed before, else parsed and kept. */
static int
shared_chain_get(const char *serial, const cy_buf *text,
    struct cyd_shared_chain **out, cy_error *err)
{
	size_t i = verified_slot(serial);
	struct cyd_shared_chain *sc = NULL, *old;
	int r;

	*out = NULL;
	pthread_mutex_lock(&parsed.lock);
	if (parsed.slot[i].sc != NULL &&
	    strcmp(parsed.slot[i].serial, serial) == 0 &&
	    parsed.slot[i].text.len == text->len &&
	    memcmp(parsed.slot[i].text.data, text->data, text->len) == 0) {
		sc = parsed.slot[i].sc;
		__atomic_add_fetch(&sc->refs, 1, __ATOMIC_ACQ_REL);
	}
	pthread_mutex_unlock(&parsed.lock);
	if ((*out = sc) != NULL)
		return 0;
	if ((sc = calloc(1, sizeof(*sc))) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	if ((r = cy_chain_parse(text->data, text->len, &sc->chain, err)) != 0) {
		free(sc);
		return r;
	}
	sc->refs = 1;
	/* Kept for the next request when the cache can hold it. */
	pthread_mutex_lock(&parsed.lock);
	old = parsed.slot[i].sc;
	parsed.slot[i].sc = NULL;
	parsed.slot[i].text.len = 0;
	cy_buf_append(&parsed.slot[i].text, text->data, text->len);
	if (cy_buf_status(&parsed.slot[i].text) == 0) {
		snprintf(parsed.slot[i].serial, sizeof(parsed.slot[i].serial),
		    "%s", serial);
		parsed.slot[i].sc = sc;
		sc->refs++;
	} else
		cy_buf_free(&parsed.slot[i].text); /* clears the error */
	pthread_mutex_unlock(&parsed.lock);
	shared_chain_put(old);
	*out = sc;
	return 0;
}

/* --- the caller --- */

void
cyd_caller_free(cyd_caller *c)
{
	if (c == NULL)
		return;
	if (c->shared != NULL)
		shared_chain_put(c->shared);
	else
		cy_chain_free(c->chain);
	free(c);
}

/* For POST /v1/certs: the chain in the body, which need not be known. */
static int
enrol_chain(cyd_request *rq, cyd_response *rs, cy_chain **out)
{
	const char *text;
	json_t *body;
	cy_error err;
	int r = -1;

	if (cyd_body_object(rq, rs, &body) != 0)
		return -1;
	if ((text = cyd_body_string(rs, body, "chain")) == NULL)
		goto out;
	if (cy_chain_parse((const uint8_t *)text, strlen(text), out,
	    &err) != 0) {
		cyd_error(rs, 400, "bad-request", "the chain does not parse: %s",
		    err.msg);
		goto out;
	}
	r = 0;
out:
	json_decref(body);
	return r;
}

/* The caller's registered chain (kind "cert", key: its serial), shared
 * with its other requests (*out is sc's chain). */
static int
stored_chain(cyd_request *rq, cyd_response *rs, cy_store *s,
    const char *serial, struct cyd_shared_chain **sc, cy_chain **out)
{
	cy_buf text = CY_BUF_INIT;
	cy_error err;
	int r;

	r = s->drv->rec_get(s, "cert", serial, &text, NULL, &err);
	if (r == 0)
		cyd_error(rs, 401, "unauthenticated", "unknown certificate %s: "
		    "register it with coyeu id register", serial);
	else if (r < 0)
		cyd_error_lib(rs, &err);
	else if (shared_chain_get(serial, &text, sc, &err) == 0)
		*out = (*sc)->chain;
	else {
		cyd_error(rs, 503, "unavailable",
		    "the stored chain of %s does not parse: %s", serial, err.msg);
		r = -1;
	}
	cy_buf_free(&text);
	return r == 1 ? 0 : -1;
}

/* Every certificate valid now (401: an expired one is not a caller), then
 * the whole chain against the root and the lists (403 when revoked). */
static int
chain_check(cyd_request *rq, cyd_response *rs, cy_store *s,
    const cy_chain *ch, int registered)
{
	char t[CY_CANON_TIME_LEN + 1], why[CY_ERROR_MSG_MAX];
	struct crl_set *crls = NULL;
	const cy_cert *c;
	cy_error err;
	size_t i;
	int r = -1;

	for (i = 0; i < cy_chain_len(ch); i++) {
		c = cy_chain_get(ch, i);
		if (rq->now > cy_cert_not_after(c))
			return cyd_error(rs, 401, "unauthenticated",
			    "certificate %s expired on %s", cy_cert_serial(c),
			    cmn_time_text(cy_cert_not_after(c), t)), -1;
		if (rq->now < cy_cert_not_before(c))
			return cyd_error(rs, 401, "unauthenticated",
			    "certificate %s is not valid before %s",
			    cy_cert_serial(c),
			    cmn_time_text(cy_cert_not_before(c), t)), -1;
	}
	/* Only a registered chain: one in a body is not yet the serial's. */
	if (registered && verified_recently(ch))
		return 0;
	if (cyd_crls_load(s, &crls, &err) != 0)
		return cyd_error_lib(rs, &err), -1;
	if (cy_chain_verify(ch, rq->srv->root,
	    (const cy_crl *const *)crls->crl, crls->n, rq->now, NULL,
	    &err) == 0) {
		/* Beside the lists: a key held by a lost or compromised item
		 * (items.c) is refused from the moment it is reported. */
		if ((r = cyd_chain_held_revoked(s, ch, why, sizeof(why),
		    &err)) < 0)
			cyd_error_lib(rs, &err);
		else if (r == 1)
			cyd_forbid(rq, rs, "%s", why);
		r = r == 0 ? 0 : -1;
		if (r == 0 && registered)
			verified_note(ch);
	} else if (err.code == CY_E_REVOKED)
		cyd_forbid(rq, rs, "%s", err.msg);
	else
		cyd_error(rs, 401, "unauthenticated",
		    "the certificate chain does not verify: %s", err.msg);
	cyd_crls_free(crls);
	return r;
}

static cyd_caller *
caller_new(cy_chain *ch, const cy_httpsig *h)
{
	cyd_caller *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->chain = ch;
	c->cert = cy_chain_get(ch, 0);
	c->serial = cy_cert_serial(c->cert);
	c->unit = cy_cert_unit(c->cert);
	c->role = cy_cert_role(c->cert);
	c->clearance = cy_cert_clearance(c->cert);
	snprintf(c->nonce, sizeof(c->nonce), "%s", cy_httpsig_nonce(h));
	c->created = cy_httpsig_created(h);
	return c;
}

static const char *
role_article(int role)
{
	return role == CY_ROLE_AUTHORITY ? "an authority" :
	    role == CY_ROLE_REGISTRY ? "a registry" : "an officer";
}

/* 1 when the route stores the nonce with its own effects (one commit). */
static int
nonce_with_effects(const cyd_request *rq)
{
	static const char *const routes[] = {"log.append", "documents.send",
		"documents.receive", "releases", "documents.recall",
		"documents.destroy", "documents.extend", "documents.copy",
		"items.add", "items.change", "items.confirm", "stocktakes.open",
		"stocktakes.declare", "stocktakes.close"};
	size_t i;

	for (i = 0; rq->route->name != NULL &&
	    i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strcmp(rq->route->name, routes[i]) == 0)
			return 1;
	return 0;
}

/* The signature over the request's components, by the leaf's key. */
static int
signature_check(cyd_request *rq, cyd_response *rs, const cy_httpsig *h,
    const cy_chain *ch)
{
	struct components comp = {rq, NULL};
	cy_error err;
	int r;

	if ((comp.target_uri = target_uri(rq)) == NULL)
		return cyd_error(rs, 503, "unavailable", "out of memory"), -1;
	r = cy_httpsig_verify(h, component, &comp,
	    cy_cert_sign_public(cy_chain_get(ch, 0)), &err);
	free(comp.target_uri);
	if (r != 0)
		return cyd_error(rs, 401, "unauthenticated",
		    "the signature does not verify: %s", err.msg), -1;
	return 0;
}

int
cyd_auth(cyd_request *rq, cyd_response *rs)
{
	const char *input = rq->header(rq, "signature-input");
	const char *sig = rq->header(rq, "signature");
	const char *digest, *keyid;
	const int who = rq->route->who;
	cyd_reader *reader = NULL;
	struct cyd_shared_chain *sc = NULL; /* ch is its chain */
	cy_chain *ch = NULL;
	cy_httpsig *h = NULL;
	cy_buf seen = CY_BUF_INIT;
	cy_store *s;
	cy_error err;
	char key[CY_SERIAL_HEX_LEN + 2 + CY_HTTPSIG_NONCE_MAX + 1];
	int r = -1, f;

	if (input == NULL || sig == NULL)
		return cyd_error(rs, 401, "unauthenticated",
		    "the request is not signed"), -1;
	if (cy_httpsig_parse(input, sig, CY_HTTPSIG_LABEL, &h, &err) != 0 ||
	    cy_httpsig_check_profile(h, rq->body_len > 0, rq->now,
	    CY_HTTPSIG_WINDOW, &err) != 0) {
		cyd_error(rs, 401, "unauthenticated", "%s", err.msg);
		goto out;
	}
	if (rq->body_len > 0 &&
	    ((digest = rq->header(rq, "content-digest")) == NULL ||
	    cy_httpsig_digest_check(digest, rq->body, rq->body_len, &err) != 0)) {
		cyd_error(rs, 401, "unauthenticated",
		    "the body does not match its Content-Digest");
		goto out;
	}
	keyid = cy_httpsig_keyid(h);
	if (!cy_serial_valid(keyid, strlen(keyid))) {
		cyd_error(rs, 401, "unauthenticated",
		    "keyid %.64s is not a certificate serial", keyid);
		goto out;
	}
	if (cyd_reader_get_store(rq->srv, &reader, &err) != 0) {
		cyd_error_lib(rs, &err);
		goto out;
	}
	s = reader->store;
	if (who == CYD_ENROL) {
		if (enrol_chain(rq, rs, &ch) != 0)
			goto out;
		if (strcmp(keyid, cy_cert_serial(cy_chain_get(ch, 0))) != 0) {
			cyd_error(rs, 401, "unauthenticated", "the request is "
			    "signed by %s, not by the chain's leaf %s", keyid,
			    cy_cert_serial(cy_chain_get(ch, 0)));
			goto out;
		}
	} else if (stored_chain(rq, rs, s, keyid, &sc, &ch) != 0)
		goto out;
	if (signature_check(rq, rs, h, ch) != 0)
		goto out;
	/* From here the officer is who the signature says. */
	if ((rq->caller = caller_new(ch, h)) == NULL) {
		cyd_error(rs, 503, "unavailable", "out of memory");
		goto out;
	}
	rq->caller->shared = sc;
	ch = NULL;
	sc = NULL;
	snprintf(key, sizeof(key), "%s %s", keyid, rq->caller->nonce);
	if ((f = s->drv->rec_get(s, "nonce", key, &seen, NULL, &err)) < 0) {
		cyd_error_lib(rs, &err);
		goto out;
	}
	if (f == 1) {
		cyd_error(rs, 401, "unauthenticated", "nonce already used");
		goto out;
	}
	if (chain_check(rq, rs, s, rq->caller->chain, who != CYD_ENROL) != 0)
		goto out;
	if (who == CYD_AUTHORITY && rq->caller->role != CY_ROLE_AUTHORITY) {
		cyd_forbid(rq, rs, "certificate %s is %s, not an authority",
		    rq->caller->serial, role_article(rq->caller->role));
		goto out;
	}
	/* Not held while the writer commits the nonce. */
	cyd_reader_put(rq->srv, reader);
	reader = NULL;
	if (nonce_with_effects(rq))
		rq->caller->nonce_pending = 1;
	else if (cyd_store_job(rq->srv, nonce_hook, rq->caller, &err) != 0) {
		if (err.code == CY_E_SIGNATURE)
			cyd_error(rs, 401, "unauthenticated", "%s", err.msg);
		else
			cyd_error_lib(rs, &err);
		goto out;
	}
	r = 0;
out:
	if (r != 0) {
		cyd_caller_free(rq->caller);
		rq->caller = NULL;
	}
	cy_buf_free(&seen);
	if (sc != NULL)
		shared_chain_put(sc);
	else
		cy_chain_free(ch);
	cy_httpsig_free(h);
	if (reader != NULL)
		cyd_reader_put(rq->srv, reader);
	return r;
}
