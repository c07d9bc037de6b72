/* Recipients and identities: constructors, Bech32 strings, key files. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "age/bech32.h"
#include "coyeu/age.h"
#include "coyeu/secret.h"
#include "base/key_soft.h"
#include "age/recipient.h"

/* A hybrid recipient is 1959 characters. */
#define KEY_FILE_LINE_MAX 4096

static int
nomem(cy_error *err)
{
	return cy_error_set(err, CY_E_NOMEM, "out of memory");
}

int
cy_recipient_x25519(const uint8_t pub[CY_X25519_KEY_LEN], cy_recipient **out,
    cy_error *err)
{
	cy_recipient *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return nomem(err);
	r->kind = CY_KIND_X25519;
	r->wrap = cy_x25519_wrap;
	memcpy(r->pub, pub, CY_X25519_KEY_LEN);
	*out = r;
	return 0;
}

int
cy_recipient_parse(const char *s, cy_recipient **out, cy_error *err)
{
	char hrp[CY_BECH32_HRP_MAX + 1];
	uint8_t data[CY_PQ_PUB_LEN];
	size_t n;
	int r;

	*out = NULL;
	/* Never echo what may be a secret key. */
	if (strncasecmp(s, "AGE-SECRET-KEY-", 15) == 0)
		return cy_error_set(err, CY_E_FORMAT,
		    "invalid recipient: this is a secret key (AGE-SECRET-KEY-…); "
		    "give its public key age1…, and keep the secret key private");
	if (strlen(s) >= CY_RECIPIENT_STR_MAX)
		return cy_error_set(err, CY_E_FORMAT,
		    "invalid recipient '%.40s…': longer than %d characters", s,
		    CY_RECIPIENT_STR_MAX - 1);
	if ((r = cy_bech32_decode(s, hrp, data, sizeof(data), &n, err)) != 0)
		return cy_error_wrap(err, "invalid recipient '%.90s'", s);
	if (strcmp(hrp, CY_RECIPIENT_HRP) == 0 && n == CY_X25519_KEY_LEN &&
	    strncmp(s, "age1", 4) == 0)
		return cy_recipient_x25519(data, out, err);
	if (strcmp(hrp, CY_PQ_RECIPIENT_HRP) == 0 && n == CY_PQ_PUB_LEN &&
	    strncmp(s, "age1pq1", 7) == 0)
		return cy_pq_recipient_from_pub(data, out, err);
	return cy_error_set(err, CY_E_FORMAT,
	    "invalid recipient '%.90s': not an age1… (X25519) or age1pq1… "
	    "(post-quantum) public key", s);
}

int
cy_recipient_scrypt(const char *pass, size_t len, int log_n, cy_recipient **out,
    cy_error *err)
{
	cy_recipient *r;

	*out = NULL;
	if (log_n < 1 || log_n > CY_SCRYPT_MAX_LOG_N + 8)
		return cy_error_set(err, CY_E_USAGE, "invalid scrypt work factor %d",
		    log_n);
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return nomem(err);
	r->kind = CY_KIND_SCRYPT;
	r->wrap = cy_scrypt_wrap;
	r->log_n = log_n;
	if ((r->pass = cy_secret_alloc(len + 1)) == NULL) {
		free(r);
		return nomem(err);
	}
	memcpy(r->pass, pass, len);
	r->passlen = len;
	*out = r;
	return 0;
}

void
cy_recipient_free(cy_recipient *r)
{
	if (r == NULL)
		return;
	cy_secret_free(r->pass);
	cy_secret_free(r->release);
	free(r->pq_pub);
	free(r);
}

void
cy_recipients_free(cy_recipient **r, size_t n)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < n; i++)
		cy_recipient_free(r[i]);
	free(r);
}

static cy_identity *
identity_new(enum cy_key_kind kind, cy_unwrap_fn *unwrap)
{
	cy_identity *id;

	if ((id = calloc(1, sizeof(*id))) == NULL)
		return NULL;
	id->kind = kind;
	id->unwrap = unwrap;
	return id;
}

int
cy_identity_from_key(const cy_key *key, cy_identity **out, cy_error *err)
{
	cy_identity *id;

	*out = NULL;
	if (cy_key_seal_public(key) == NULL)
		return cy_error_set(err, CY_E_USAGE,
		    "this %s key has no X25519 sealing key", cy_key_kind(key));
	if ((id = identity_new(CY_KIND_X25519, cy_x25519_unwrap)) == NULL)
		return nomem(err);
	id->key = key;
	memcpy(id->pub, cy_key_seal_public(key), CY_X25519_KEY_LEN);
	*out = id;
	return 0;
}

int
cy_identity_x25519(const uint8_t secret[CY_X25519_KEY_LEN], cy_identity **out,
    cy_error *err)
{
	cy_key *key = NULL;
	int r;

	*out = NULL;
	if ((r = cy_key_software(NULL, secret, &key, err)) != 0 ||
	    (r = cy_identity_from_key(key, out, err)) != 0) {
		cy_key_free(key);
		return r;
	}
	(*out)->own_key = key;
	return 0;
}

/* An AGE-SECRET-KEY-… string (upper case, as age writes it). */
static int
secret_string(const char *hrp, const uint8_t *data, size_t len,
    char out[CY_IDENTITY_STR_MAX], cy_error *err)
{
	if (cy_bech32_encode(out, CY_IDENTITY_STR_MAX, hrp, data, len, 1) != 0)
		return cy_error_set(err, CY_E_FORMAT, "cannot encode the identity");
	return 0;
}

int
cy_x25519_identity_string(const uint8_t secret[CY_X25519_KEY_LEN],
    char out[CY_IDENTITY_STR_MAX], cy_error *err)
{
	return secret_string(CY_IDENTITY_HRP, secret, CY_X25519_KEY_LEN, out,
	    err);
}

/* n random secret bytes in guarded memory, handed to make. */
static int
generate(size_t n, int (*make)(const uint8_t *, cy_identity **, cy_error *),
    cy_identity **out, cy_error *err)
{
	uint8_t *secret;
	int r;

	*out = NULL;
	if ((secret = cy_secret_alloc(n)) == NULL)
		return nomem(err);
	randombytes_buf(secret, n);
	r = make(secret, out, err);
	cy_secret_free(secret);
	return r;
}

int
cy_pq_identity_string(const uint8_t seed[CY_PQ_SEED_LEN],
    char out[CY_IDENTITY_STR_MAX], cy_error *err)
{
	return secret_string(CY_PQ_IDENTITY_HRP, seed, CY_PQ_SEED_LEN, out, err);
}

int
cy_identity_generate(cy_identity **out, cy_error *err)
{
	return generate(CY_X25519_KEY_LEN, cy_identity_x25519, out, err);
}

int
cy_identity_generate_pq(cy_identity **out, cy_error *err)
{
	return generate(CY_PQ_SEED_LEN, cy_pq_identity_from_seed, out, err);
}

int
cy_identity_parse(const char *s, cy_identity **out, cy_error *err)
{
	char hrp[CY_BECH32_HRP_MAX + 1];
	uint8_t *data;
	size_t n;
	int r;

	*out = NULL;
	if ((data = cy_secret_alloc(64)) == NULL)
		return nomem(err);
	/* Never echo a secret key in an error message. */
	if (cy_bech32_decode(s, hrp, data, 64, &n, NULL) != 0) {
		r = cy_error_set(err, CY_E_FORMAT,
		    "invalid identity: not a valid AGE-SECRET-KEY-1… string");
		goto out;
	}
	if (strcmp(hrp, CY_IDENTITY_HRP) == 0 && n == CY_X25519_KEY_LEN &&
	    strncmp(s, "AGE-SECRET-KEY-1", 16) == 0)
		r = cy_identity_x25519(data, out, err);
	else if (strcmp(hrp, CY_PQ_IDENTITY_HRP) == 0 && n == CY_PQ_SEED_LEN &&
	    strncmp(s, "AGE-SECRET-KEY-PQ-1", 19) == 0)
		r = cy_pq_identity_from_seed(data, out, err);
	else
		r = cy_error_set(err, CY_E_FORMAT,
		    "unsupported identity: only AGE-SECRET-KEY-1… (X25519) and "
		    "AGE-SECRET-KEY-PQ-1… (post-quantum) are supported");
out:
	cy_secret_free(data);
	return r;
}

int
cy_identity_scrypt(const char *pass, size_t len, int max_log_n,
    cy_identity **out, cy_error *err)
{
	cy_identity *id;

	*out = NULL;
	if ((id = identity_new(CY_KIND_SCRYPT, cy_scrypt_unwrap)) == NULL ||
	    (id->pass = cy_secret_alloc(len + 1)) == NULL) {
		cy_identity_free(id);
		return nomem(err);
	}
	memcpy(id->pass, pass, len);
	id->passlen = len;
	id->max_log_n = max_log_n;
	*out = id;
	return 0;
}

void
cy_identity_free(cy_identity *id)
{
	if (id == NULL)
		return;
	cy_key_free(id->own_key);
	cy_secret_free(id->pq);
	free(id->pq_pub);
	cy_secret_free(id->pass);
	cy_secret_free(id->release);
	free(id);
}

void
cy_identities_free(cy_identity **ids, size_t n)
{
	size_t i;

	if (ids == NULL)
		return;
	for (i = 0; i < n; i++)
		cy_identity_free(ids[i]);
	free(ids);
}

int
cy_identity_recipient_string(const cy_identity *id,
    char out[CY_RECIPIENT_STR_MAX], cy_error *err)
{
	int r;

	if (id->kind == CY_KIND_PQ)
		r = cy_bech32_encode(out, CY_RECIPIENT_STR_MAX, CY_PQ_RECIPIENT_HRP,
		    id->pq_pub, CY_PQ_PUB_LEN, 0);
	else if (id->kind == CY_KIND_X25519 || id->kind == CY_KIND_RELEASE)
		r = cy_bech32_encode(out, CY_RECIPIENT_STR_MAX, CY_RECIPIENT_HRP,
		    id->pub, CY_X25519_KEY_LEN, 0);
	else
		return cy_error_set(err, CY_E_USAGE,
		    "a passphrase has no public key");
	if (r != 0)
		return cy_error_set(err, CY_E_FORMAT, "cannot encode the recipient");
	return 0;
}

int
cy_identity_string(const cy_identity *id, char out[CY_IDENTITY_STR_MAX],
    cy_error *err)
{
	if (id->kind == CY_KIND_PQ && id->pq != NULL)
		return cy_pq_identity_string(id->pq->seed, out, err);
	/* Only the secret the caller gave (or generated) comes back: a key's
	 * secret leaves it through cy_idkey_export_age_identity alone. */
	if (id->kind == CY_KIND_X25519 && id->own_key != NULL)
		return cy_x25519_identity_string(cy_key_soft(id->own_key)->seal_sk,
		    out, err);
	return cy_error_set(err, CY_E_USAGE,
	    id->kind == CY_KIND_X25519 || id->kind == CY_KIND_PQ ?
	    "an identity made from a key has no key string" :
	    id->kind == CY_KIND_RELEASE ?
	    "a release identity has no key string (its X25519 identity may)" :
	    "a passphrase has no key string");
}

/* Shared by identity and recipient files: calls fn on each line that is not
 * blank or a '#' comment, with the line number for messages. */
typedef int key_line_fn(const char *line, size_t lineno, void *ctx,
    cy_error *err);

static int
for_each_key_line(const uint8_t *buf, size_t len, key_line_fn *fn, void *ctx,
    cy_error *err)
{
	char *line;
	size_t pos = 0, lineno = 0, n;
	const uint8_t *nl;
	int r = 0;

	if ((line = cy_secret_alloc(KEY_FILE_LINE_MAX + 1)) == NULL)
		return nomem(err);
	while (pos < len && r == 0) {
		lineno++;
		nl = memchr(buf + pos, '\n', len - pos);
		n = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		if (n > 0 && buf[pos + n - 1] == '\r')
			n--;
		if (n > KEY_FILE_LINE_MAX) {
			r = cy_error_set(err, CY_E_FORMAT, "line %zu is too long",
			    lineno);
			break;
		}
		memcpy(line, buf + pos, n);
		line[n] = '\0';
		pos = nl ? (size_t)(nl - buf) + 1 : len;
		if (n == 0 || line[0] == '#')
			continue;
		r = fn(line, lineno, ctx, err);
	}
	cy_secret_free(line);
	return r;
}

struct key_list {
	void **items;
	size_t n;
	int identities;
};

static int
key_list_push(struct key_list *l, void *item)
{
	void **p;

	if ((p = realloc(l->items, (l->n + 1) * sizeof(*p))) == NULL)
		return CY_E_NOMEM;
	l->items = p;
	p[l->n++] = item;
	return 0;
}

static int
key_line(const char *line, size_t lineno, void *ctx, cy_error *err)
{
	struct key_list *l = ctx;
	cy_identity *id = NULL;
	cy_recipient *rc = NULL;
	void *item;
	int r;

	r = l->identities ? cy_identity_parse(line, &id, err) :
	    cy_recipient_parse(line, &rc, err);
	if (r != 0)
		return cy_error_wrap(err, "line %zu", lineno);
	item = l->identities ? (void *)id : (void *)rc;
	if (key_list_push(l, item) != 0) {
		cy_identity_free(id);
		cy_recipient_free(rc);
		return nomem(err);
	}
	return 0;
}

static int
key_file_parse(const uint8_t *buf, size_t len, int identities, void ***out,
    size_t *n, cy_error *err)
{
	struct key_list l = {NULL, 0, identities};
	size_t i;
	int r;

	*out = NULL;
	*n = 0;
	if ((r = for_each_key_line(buf, len, key_line, &l, err)) == 0 &&
	    l.n == 0)
		r = cy_error_set(err, CY_E_FORMAT, "no %s found in the file",
		    identities ? "identity" : "recipient");
	if (r != 0) {
		for (i = 0; i < l.n; i++) {
			if (identities)
				cy_identity_free(l.items[i]);
			else
				cy_recipient_free(l.items[i]);
		}
		free(l.items);
		return r;
	}
	*out = l.items;
	*n = l.n;
	return 0;
}

int
cy_identity_file_parse(const uint8_t *buf, size_t len, cy_identity ***out,
    size_t *n, cy_error *err)
{
	return key_file_parse(buf, len, 1, (void ***)out, n, err);
}

int
cy_recipients_file_parse(const uint8_t *buf, size_t len, cy_recipient ***out,
    size_t *n, cy_error *err)
{
	return key_file_parse(buf, len, 0, (void ***)out, n, err);
}
