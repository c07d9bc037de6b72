/* Register entries: the per-type schemas, canonical building, parsing and
 * signature checks.  (To be folded onto the shared canonical-text module,
 * canon.h, once it exists.) */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include "coyeu/encoding.h"
#include "coyeu/entry.h"
#include "text.h"

enum kind {
	K_TYPE, K_TIME, K_DATE, K_SERIAL, K_ID, K_SHA256, K_KEY, K_SIG,
	K_TEXT, K_UNIT, K_COUNT, K_COPY, K_ENUM, K_TOKEN,
};

static const char *const kind_holds[] = {
	[K_TYPE] = "an entry type",
	[K_TIME] = "a UTC time, YYYY-MM-DDTHH:MM:SSZ",
	[K_DATE] = "a date, YYYY-MM-DD",
	[K_SERIAL] = "a certificate serial, 32 lowercase hex digits",
	[K_ID] = "an identifier, 32 lowercase hex digits",
	[K_SHA256] = "a SHA-256 hash, 64 lowercase hex digits",
	[K_KEY] = "an Ed25519 public key, unpadded base64",
	[K_SIG] = "an Ed25519 signature, unpadded base64",
	[K_TEXT] = ("text: 1 to 256 bytes of NFC UTF-8, no control characters, "
	    "no surrounding spaces"),
	[K_UNIT] = "a unit path: lowercase a-z, 0-9 and '-' segments joined by '/'",
	[K_COUNT] = "a count, 1 to 1000000",
	[K_COPY] = "a copy number N/M, 1 <= N <= M <= 1000000",
	[K_ENUM] = "one of",
	[K_TOKEN] = "a state name: lowercase a-z, 0-9 and '-', up to 32",
};

struct fspec {
	const char *name;
	unsigned char kind;
	unsigned char optional;
	const char *choices; /* K_ENUM: "a|b|c" */
};

#define FIELDS_MAX 8
#define HEAD 4 /* type, time, actor, actor-key */
#define SEQ_MAX (HEAD + FIELDS_MAX + 1)
#define LEVELS "mat|toi-mat|tuyet-mat"
#define REQ(n, k) {n, k, 0, NULL}
#define OPT(n, k) {n, k, 1, NULL}
#define ONE_OF(n, c) {n, K_ENUM, 0, c}

static const struct fspec head_fields[HEAD] = {
	REQ("type", K_TYPE), REQ("time", K_TIME), REQ("actor", K_SERIAL),
	REQ("actor-key", K_KEY),
};
static const struct fspec sig_field = REQ("signature", K_SIG);

static const struct tspec {
	const char *name;
	struct fspec f[FIELDS_MAX + 1]; /* ends at a NULL name */
} types[] = {
	{"cert.issue", {REQ("serial", K_SERIAL), REQ("subject", K_TEXT),
	    REQ("unit", K_UNIT), ONE_OF("role", "authority|registry|officer"),
	    ONE_OF("clearance", LEVELS), REQ("valid-from", K_TIME),
	    REQ("valid-until", K_TIME), REQ("cert-sha256", K_SHA256)}},
	{"cert.revoke", {REQ("serial", K_SERIAL), ONE_OF("reason",
	    "key-compromise|superseded|cessation|unspecified")}},
	{"doc.register", {REQ("doc-id", K_ID), REQ("doc-number", K_TEXT),
	    ONE_OF("level", LEVELS), REQ("unit", K_UNIT),
	    REQ("protect-until", K_DATE), REQ("copies", K_COUNT),
	    OPT("sealed-sha256", K_SHA256)}},
	{"copy.issue", {REQ("doc-id", K_ID), REQ("copy-id", K_ID),
	    REQ("copy", K_COPY), ONE_OF("form", "original|sao-y|sao-luc|trich-sao"),
	    REQ("recipient", K_SERIAL), OPT("approval", K_SHA256)}},
	{"release", {REQ("doc-id", K_ID), REQ("copy-id", K_ID),
	    REQ("recipient", K_SERIAL), REQ("request-sha256", K_SHA256)}},
	{"recall", {REQ("doc-id", K_ID), OPT("copy-id", K_ID),
	    REQ("reason", K_TEXT)}},
	{"destroy", {REQ("doc-id", K_ID), OPT("copy-id", K_ID),
	    ONE_OF("method", "crypto-shred|physical"), OPT("witness", K_SERIAL)}},
	{"approve", {REQ("doc-id", K_ID),
	    ONE_OF("action", "copy|release|send|declassify|destroy"),
	    REQ("request-sha256", K_SHA256), ONE_OF("decision", "granted|refused")}},
	{"declassify", {REQ("doc-id", K_ID), ONE_OF("from", LEVELS),
	    ONE_OF("to", "none|mat|toi-mat")}},
	{"item.transition", {REQ("item-id", K_ID),
	    ONE_OF("register", "incoming|outgoing|copies|destruction"),
	    OPT("doc-id", K_ID), REQ("from", K_TOKEN), REQ("to", K_TOKEN)}},
};
#define NTYPES (sizeof(types) / sizeof(types[0]))

static const char *const type_names[NTYPES + 1] = {
	"cert.issue", "cert.revoke", "doc.register", "copy.issue", "release",
	"recall", "destroy", "approve", "declassify", "item.transition", NULL,
};

struct cy_entry {
	char *copy; /* the entry with every LF turned into NUL */
	const char *name[SEQ_MAX], *value[SEQ_MAX];
	size_t n;
	uint8_t key[CY_ENTRY_KEY_LEN];
};

/* The parsed lines of an entry, pointing into its bytes. */
struct parsed {
	const struct tspec *t;
	const char *value[SEQ_MAX];
	size_t vlen[SEQ_MAX];
	int present[SEQ_MAX];
	size_t sig_at; /* offset of the signature line */
};

static const struct tspec *
find_type(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < NTYPES; i++)
		if (strlen(types[i].name) == len &&
		    memcmp(types[i].name, name, len) == 0)
			return &types[i];
	return NULL;
}

static size_t
type_nfields(const struct tspec *t)
{
	size_t n = 0;

	while (n < FIELDS_MAX && t->f[n].name != NULL)
		n++;
	return n;
}

/* The i-th field of the full sequence, or NULL past the end. */
static const struct fspec *
seq_at(const struct tspec *t, size_t i)
{
	size_t nf = type_nfields(t);

	if (i < HEAD)
		return &head_fields[i];
	if (i < HEAD + nf)
		return &t->f[i - HEAD];
	return i == HEAD + nf ? &sig_field : NULL;
}

static int
digits(const char *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] < '0' || v[i] > '9')
			return 0;
	return 1;
}

static unsigned
num(const char *v, size_t n)
{
	unsigned x = 0;

	while (n-- > 0)
		x = x * 10 + (unsigned)(*v++ - '0');
	return x;
}

static int
date_ok(const char *v)
{
	static const unsigned char mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31,
		30, 31, 30, 31};
	unsigned y, m, d;

	if (!digits(v, 4) || v[4] != '-' || !digits(v + 5, 2) || v[7] != '-' ||
	    !digits(v + 8, 2))
		return 0;
	y = num(v, 4), m = num(v + 5, 2), d = num(v + 8, 2);
	if (y == 0 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	return !(m == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 && y % 400 != 0)));
}

static int
time_ok(const char *v, size_t n)
{
	return n == 20 && date_ok(v) && v[10] == 'T' && digits(v + 11, 2) &&
	    v[13] == ':' && digits(v + 14, 2) && v[16] == ':' &&
	    digits(v + 17, 2) && v[19] == 'Z' && num(v + 11, 2) < 24 &&
	    num(v + 14, 2) < 60 && num(v + 17, 2) < 60;
}

static int
lowhex_ok(const char *v, size_t n, size_t want)
{
	size_t i;

	if (n != want)
		return 0;
	for (i = 0; i < n; i++)
		if (!((v[i] >= '0' && v[i] <= '9') || (v[i] >= 'a' && v[i] <= 'f')))
			return 0;
	return 1;
}

static int
b64_ok(const char *v, size_t n, size_t bytes, uint8_t *out)
{
	uint8_t buf[CY_ENTRY_SIG_LEN];
	size_t got;

	return n == CY_B64_UNPADDED_LEN(bytes) &&
	    cy_b64_decode(out != NULL ? out : buf, &got, v, n, 0) == 0 &&
	    got == bytes;
}

/* NFC through ICU; ASCII is always NFC. */
static int
nfc_ok(const char *v, size_t n)
{
	UChar u[CY_ENTRY_TEXT_MAX];
	UErrorCode st = U_ZERO_ERROR;
	const UNormalizer2 *nfc;
	int32_t ulen;
	size_t i;

	for (i = 0; i < n && (unsigned char)v[i] < 0x80; i++)
		;
	if (i == n)
		return 1;
	nfc = unorm2_getNFCInstance(&st);
	u_strFromUTF8(u, CY_ENTRY_TEXT_MAX, &ulen, v, (int32_t)n, &st);
	if (U_FAILURE(st))
		return 0;
	return unorm2_isNormalized(nfc, u, ulen, &st) && U_SUCCESS(st);
}

static int
text_ok(const char *v, size_t n)
{
	size_t i, k;
	uint32_t cp;

	if (n == 0 || n > CY_ENTRY_TEXT_MAX || v[0] == ' ' || v[n - 1] == ' ')
		return 0;
	for (i = 0; i < n; i += k) {
		if ((k = cy_utf8_decode((const uint8_t *)v + i, n - i, &cp)) == 0)
			return 0;
		/* No C0/C1 controls, DEL, or line/paragraph separators. */
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 ||
		    cp == 0x2029)
			return 0;
	}
	return nfc_ok(v, n);
}

static int
unit_ok(const char *v, size_t n)
{
	size_t i;

	if (n == 0 || n > 128 || v[0] == '/' || v[n - 1] == '/')
		return 0;
	for (i = 0; i < n; i++) {
		if (v[i] == '/' ? v[i + 1] == '/' :
		    !((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= '0' && v[i] <= '9') ||
		    v[i] == '-'))
			return 0;
	}
	return 1;
}

static int
count_ok(const char *v, size_t n, uint64_t *out)
{
	uint64_t x;

	if (cy_parse_u64(v, n, &x) != 0 || x < 1 || x > 1000000)
		return 0;
	if (out != NULL)
		*out = x;
	return 1;
}

static int
copy_ok(const char *v, size_t n)
{
	const char *slash = memchr(v, '/', n);
	uint64_t a, b;

	return slash != NULL && count_ok(v, (size_t)(slash - v), &a) &&
	    count_ok(slash + 1, n - (size_t)(slash - v) - 1, &b) && a <= b;
}

static int
choice_ok(const char *choices, const char *v, size_t n)
{
	const char *p = choices, *bar;
	size_t len;

	for (;;) {
		bar = strchr(p, '|');
		len = bar != NULL ? (size_t)(bar - p) : strlen(p);
		if (len == n && memcmp(p, v, n) == 0)
			return 1;
		if (bar == NULL)
			return 0;
		p = bar + 1;
	}
}

static int
token_ok(const char *v, size_t n)
{
	size_t i;

	if (n == 0 || n > 32 || !(v[0] >= 'a' && v[0] <= 'z'))
		return 0;
	for (i = 0; i < n; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= '0' && v[i] <= '9') ||
		    v[i] == '-'))
			return 0;
	return 1;
}

static int
value_ok(const struct fspec *f, const char *v, size_t n)
{
	switch (f->kind) {
	case K_TYPE: return find_type(v, n) != NULL;
	case K_TIME: return time_ok(v, n);
	case K_DATE: return n == 10 && date_ok(v);
	case K_SERIAL: case K_ID: return lowhex_ok(v, n, 32);
	case K_SHA256: return lowhex_ok(v, n, 64);
	case K_KEY: return b64_ok(v, n, CY_ENTRY_KEY_LEN, NULL);
	case K_SIG: return b64_ok(v, n, CY_ENTRY_SIG_LEN, NULL);
	case K_TEXT: return text_ok(v, n);
	case K_UNIT: return unit_ok(v, n);
	case K_COUNT: return count_ok(v, n, NULL);
	case K_COPY: return copy_ok(v, n);
	case K_ENUM: return choice_ok(f->choices, v, n);
	case K_TOKEN: return token_ok(v, n);
	}
	return 0;
}

static int
bad_value(cy_error *err, size_t line, const struct fspec *f)
{
	if (f->kind == K_ENUM)
		return cy_error_set(err, CY_E_FORMAT,
		    "line %zu: %s must be one of %s", line, f->name, f->choices);
	return cy_error_set(err, CY_E_FORMAT, "line %zu: %s must be %s", line,
	    f->name, kind_holds[f->kind]);
}

/* Finds the field `name` at or after position *pos in t's sequence and
 * checks that nothing required was skipped. */
static int
place_field(const struct tspec *t, size_t *pos, const char *name, size_t nlen,
    size_t line, cy_error *err)
{
	const struct fspec *f;
	size_t j, k;

	for (j = *pos; (f = seq_at(t, j)) != NULL; j++)
		if (strlen(f->name) == nlen && memcmp(f->name, name, nlen) == 0)
			break;
	if (f == NULL) {
		for (j = 0; j < *pos; j++)
			if (strlen(seq_at(t, j)->name) == nlen &&
			    memcmp(seq_at(t, j)->name, name, nlen) == 0)
				return cy_error_set(err, CY_E_FORMAT,
				    "line %zu: field %.*s repeated or out of order",
				    line, (int)nlen, name);
		return cy_error_set(err, CY_E_FORMAT,
		    "line %zu: %s entries have no field %.*s", line, t->name,
		    (int)(nlen > 64 ? 64 : nlen), name);
	}
	for (k = *pos; k < j; k++)
		if (!seq_at(t, k)->optional)
			return cy_error_set(err, CY_E_FORMAT,
			    "line %zu: field %s is missing before %s", line,
			    seq_at(t, k)->name, f->name);
	*pos = j;
	return 0;
}

/* Checks the form of an entry and records where its values are. */
static int
parse_entry(const uint8_t *d, size_t len, struct parsed *p, cy_error *err)
{
	const char *s = (const char *)d, *end = s + len, *nl, *colon;
	const struct fspec *f;
	size_t line = 0, pos = 0, nlen;
	int r;

	memset(p, 0, sizeof(*p));
	if (len > CY_ENTRY_MAX)
		return cy_error_set(err, CY_E_TOO_LARGE,
		    "entry is larger than %d bytes", CY_ENTRY_MAX);
	if (len == 0 || d[len - 1] != '\n')
		return cy_error_set(err, CY_E_FORMAT, "entry does not end with a newline");
	if (!cy_utf8_text_ok(d, len, 1))
		return cy_error_set(err, CY_E_FORMAT,
		    "entry is not UTF-8 text free of control characters");
	for (; s < end; s = nl + 1) {
		nl = memchr(s, '\n', (size_t)(end - s));
		line++;
		colon = memchr(s, ':', (size_t)(nl - s));
		if (colon == NULL || colon + 1 >= nl || colon[1] != ' ' || colon == s)
			return cy_error_set(err, CY_E_FORMAT,
			    "line %zu does not read \"name: value\"", line);
		nlen = (size_t)(colon - s);
		if (line == 1) {
			if (nlen != 4 || memcmp(s, "type", 4) != 0)
				return cy_error_set(err, CY_E_FORMAT,
				    "an entry starts with its type line");
			if ((p->t = find_type(colon + 2, (size_t)(nl - colon - 2))) == NULL)
				return cy_error_set(err, CY_E_FORMAT,
				    "unknown entry type %.*s",
				    (int)((nl - colon - 2) > 64 ? 64 : nl - colon - 2),
				    colon + 2);
		} else if ((r = place_field(p->t, &pos, s, nlen, line, err)) != 0) {
			return r;
		}
		f = seq_at(p->t, pos);
		p->value[pos] = colon + 2;
		p->vlen[pos] = (size_t)(nl - colon - 2);
		p->present[pos] = 1;
		if (!value_ok(f, p->value[pos], p->vlen[pos]))
			return bad_value(err, line, f);
		if (f == &sig_field)
			p->sig_at = (size_t)(s - (const char *)d);
		pos++;
	}
	if (seq_at(p->t, pos) != NULL) {
		while (seq_at(p->t, pos)->optional)
			pos++;
		return cy_error_set(err, CY_E_FORMAT,
		    "entry ends before its %s field", seq_at(p->t, pos)->name);
	}
	return 0;
}

/* Ed25519 over the signing context and the bytes before the signature. */
static int
check_signature(const uint8_t *d, const struct parsed *p, cy_error *err)
{
	uint8_t key[CY_ENTRY_KEY_LEN], sig[CY_ENTRY_SIG_LEN], *msg;
	size_t ctx_len = strlen(CY_ENTRY_SIGN_CONTEXT), n = HEAD +
	    type_nfields(p->t);
	int ok;

	(void)b64_ok(p->value[3], p->vlen[3], CY_ENTRY_KEY_LEN, key);
	(void)b64_ok(p->value[n], p->vlen[n], CY_ENTRY_SIG_LEN, sig);
	if ((msg = malloc(ctx_len + p->sig_at)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	memcpy(msg, CY_ENTRY_SIGN_CONTEXT, ctx_len);
	memcpy(msg + ctx_len, d, p->sig_at);
	ok = crypto_sign_verify_detached(sig, msg, ctx_len + p->sig_at, key) == 0;
	free(msg);
	if (!ok)
		return cy_error_set(err, CY_E_SIGNATURE,
		    "the entry's signature by its actor-key does not verify");
	return 0;
}

int
cy_entry_verify(const uint8_t *data, size_t len, cy_error *err)
{
	struct parsed p;
	int r;

	if ((r = parse_entry(data, len, &p, err)) != 0)
		return r;
	return check_signature(data, &p, err);
}

int
cy_entry_parse(const uint8_t *data, size_t len, cy_entry **out, cy_error *err)
{
	struct parsed p;
	cy_entry *e;
	size_t i;
	int r;

	*out = NULL;
	if ((r = parse_entry(data, len, &p, err)) != 0)
		return r;
	if ((e = calloc(1, sizeof(*e))) == NULL || (e->copy = malloc(len)) == NULL) {
		free(e);
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	}
	memcpy(e->copy, data, len);
	for (i = 0; i < len; i++)
		if (e->copy[i] == '\n')
			e->copy[i] = '\0';
	for (i = 0; seq_at(p.t, i) != NULL; i++) {
		if (!p.present[i])
			continue;
		e->name[e->n] = seq_at(p.t, i)->name;
		e->value[e->n++] = e->copy + (p.value[i] - (const char *)data);
	}
	(void)b64_ok(p.value[3], p.vlen[3], CY_ENTRY_KEY_LEN, e->key);
	*out = e;
	return 0;
}

const char *
cy_entry_type(const cy_entry *e)
{
	return e->value[0];
}

const char *
cy_entry_get(const cy_entry *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (strcmp(e->name[i], name) == 0)
			return e->value[i];
	return NULL;
}

const uint8_t *
cy_entry_actor_key(const cy_entry *e)
{
	return e->key;
}

void
cy_entry_free(cy_entry *e)
{
	if (e == NULL)
		return;
	free(e->copy);
	free(e);
}

const char *const *
cy_entry_types(void)
{
	return type_names;
}

int
cy_entry_type_field(const char *type, size_t i, const char **name,
    const char **holds, int *optional)
{
	const struct tspec *t = find_type(type, strlen(type));
	const struct fspec *f;

	if (t == NULL || (f = seq_at(t, i)) == NULL)
		return -1;
	*name = f->name;
	*holds = f->kind == K_ENUM ? f->choices : kind_holds[f->kind];
	*optional = f->optional;
	return 0;
}

int
cy_entry_sign_ed25519(void *secret_key, const uint8_t *msg, size_t len,
    uint8_t sig[CY_ENTRY_SIG_LEN])
{
	return crypto_sign_detached(sig, NULL, msg, len, secret_key) == 0 ? 0 :
	    CY_E_CRYPTO;
}

/* The value given for `name`, NULL if none; -1 when given twice. */
static int
given(const cy_entry_field *fields, size_t n, const char *name,
    const char **value)
{
	size_t i;

	*value = NULL;
	for (i = 0; i < n; i++) {
		if (strcmp(fields[i].name, name) != 0)
			continue;
		if (*value != NULL)
			return -1;
		*value = fields[i].value;
	}
	return 0;
}

static int
check_given(const struct tspec *t, const cy_entry_field *fields, size_t n,
    cy_error *err)
{
	const struct fspec *f;
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 1; (f = seq_at(t, j)) != NULL; j++)
			if (strcmp(f->name, fields[i].name) == 0)
				break;
		if (f == NULL || f == &sig_field || j == 3)
			return cy_error_set(err, CY_E_USAGE,
			    "%s entries take no field %s", t->name, fields[i].name);
	}
	return 0;
}

static int
build_body(const struct tspec *t, const cy_entry_field *fields, size_t n,
    const uint8_t key[CY_ENTRY_KEY_LEN], cy_buf *body, cy_error *err)
{
	const struct fspec *f;
	const char *v;
	size_t i;

	cy_buf_printf(body, "type: %s\n", t->name);
	for (i = 1; (f = seq_at(t, i)) != &sig_field; i++) {
		if (i == 3) {
			cy_buf_puts(body, "actor-key: ");
			cy_buf_b64(body, key, CY_ENTRY_KEY_LEN);
			cy_buf_puts(body, "\n");
			continue;
		}
		if (given(fields, n, f->name, &v) != 0)
			return cy_error_set(err, CY_E_USAGE, "field %s given twice",
			    f->name);
		if (v == NULL && f->optional)
			continue;
		if (v == NULL)
			return cy_error_set(err, CY_E_USAGE,
			    "%s entries need a %s field (%s)", t->name, f->name,
			    f->kind == K_ENUM ? f->choices : kind_holds[f->kind]);
		if (!value_ok(f, v, strlen(v)))
			return cy_error_set(err, CY_E_USAGE, "%s must be %s%s%s",
			    f->name, kind_holds[f->kind], f->kind == K_ENUM ? " " : "",
			    f->kind == K_ENUM ? f->choices : "");
		cy_buf_printf(body, "%s: %s\n", f->name, v);
	}
	return cy_buf_status(body) != 0 ?
	    cy_error_set(err, CY_E_NOMEM, "out of memory") : 0;
}

int
cy_entry_create(const char *type, const cy_entry_field *fields, size_t n,
    const uint8_t actor_key[CY_ENTRY_KEY_LEN], cy_sign_fn *sign, void *ctx,
    cy_buf *out, cy_error *err)
{
	const struct tspec *t = find_type(type, strlen(type));
	cy_buf msg = CY_BUF_INIT;
	uint8_t sig[CY_ENTRY_SIG_LEN];
	size_t ctx_len = strlen(CY_ENTRY_SIGN_CONTEXT);
	int r;

	if (t == NULL)
		return cy_error_set(err, CY_E_USAGE, "unknown entry type %s", type);
	cy_buf_puts(&msg, CY_ENTRY_SIGN_CONTEXT);
	if ((r = check_given(t, fields, n, err)) != 0 ||
	    (r = build_body(t, fields, n, actor_key, &msg, err)) != 0)
		goto out;
	if ((r = sign(ctx, msg.data, msg.len, sig)) != 0) {
		r = cy_error_set(err, r, "signing the entry failed");
		goto out;
	}
	cy_buf_puts(&msg, "signature: ");
	cy_buf_b64(&msg, sig, sizeof(sig));
	cy_buf_puts(&msg, "\n");
	if ((r = cy_buf_status(&msg)) != 0) {
		r = cy_error_set(err, r, "out of memory");
		goto out;
	}
	/* Check what we made the way a reader will, signature included. */
	if ((r = cy_entry_verify(msg.data + ctx_len, msg.len - ctx_len, err)) != 0)
		goto out;
	cy_buf_append(out, msg.data + ctx_len, msg.len - ctx_len);
	if ((r = cy_buf_status(out)) != 0)
		r = cy_error_set(err, r, "out of memory");
out:
	cy_buf_free(&msg);
	return r;
}
