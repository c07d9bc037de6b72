/* Register entries: the per-type schemas on top of the canonical text
 * records (canon.h), building, parsing and signature checks. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "coyeu/canon.h"
#include "coyeu/encoding.h"
#include "coyeu/entry.h"
#include "coyeu/inventory.h"
#include "reg/entry_field.h"
#include "pki/signed.h"
#include "base/text.h"

enum kind {
	K_VERSION, K_TYPE, K_TIME, K_DATE, K_SERIAL, K_ID, K_SHA256, K_KEY, K_SIG,
	K_TEXT, K_UNIT, K_COUNT, K_NUMBER, K_COPY, K_ENUM, K_TOKEN, K_ISERIAL,
	K_SERIALS,
};

static const char *const kind_holds[] = {
	[K_VERSION] = CY_ENTRY_VERSION,
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
	[K_NUMBER] = "a number, 0 to 1000000",
	[K_COPY] = "a copy number N/M, 1 <= N <= M <= 1000000",
	[K_ENUM] = "one of",
	[K_TOKEN] = "a state name: lowercase a-z, 0-9 and '-', up to 32",
	[K_ISERIAL] = "an item serial: 1 to 64 of A-Z, a-z, 0-9, '.', '_', '/', '-'",
	[K_SERIALS] = ("certificate serials (32 lowercase hex digits each), "
	    "1 to 16 different ones joined by ','"),
};

struct fspec {
	const char *name;
	unsigned char kind;
	unsigned char optional;
	const char *choices; /* K_ENUM: "a|b|c" */
};

#define FIELDS_MAX 16
#define HEAD 5 /* version, type, time, actor, actor-key */
#define F_TYPE 1
#define F_KEY 4
#define SEQ_MAX (HEAD + FIELDS_MAX + 1)
#define LEVELS "mat|toi-mat|tuyet-mat"
#define REQ(n, k) {n, k, 0, NULL}
#define OPT(n, k) {n, k, 1, NULL}
#define ONE_OF(n, c) {n, K_ENUM, 0, c}
#define OPT_ONE_OF(n, c) {n, K_ENUM, 1, c}
/* The inventory's names (inventory.c's tables; test_inventory checks that
 * they agree). */
#define ITEM_TYPES "cipher-device|token|key|key-set|software|key-pair"
#define ITEM_STATES ("received|in-stock|in-service|maintenance|transferred|" \
	"decommissioned|destroyed|lost|compromised")
#define ITEM_ACTIONS ("stock|issue|return|maintain|restore|transfer|" \
	"decommission|destroy|lose|compromise|find")

static const struct fspec head_fields[HEAD] = {
	REQ("version", K_VERSION), REQ("type", K_TYPE), REQ("time", K_TIME),
	REQ("actor", K_SERIAL), REQ("actor-key", K_KEY),
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
	    "key-compromise|superseded|left-unit|cessation|unspecified"),
	    OPT("since", K_TIME)}},
	{"doc.register", {REQ("doc-id", K_ID), REQ("doc-number", K_TEXT),
	    ONE_OF("level", LEVELS), REQ("unit", K_UNIT),
	    REQ("protect-until", K_DATE), REQ("copies", K_COUNT),
	    OPT("sealed-sha256", K_SHA256), OPT("label-sha256", K_SHA256),
	    OPT("copies-allowed", K_NUMBER)}},
	{"copy.issue", {REQ("doc-id", K_ID), REQ("copy-id", K_ID),
	    REQ("copy", K_COPY), ONE_OF("form", "original|sao-y|sao-luc|trich-sao"),
	    REQ("recipient", K_SERIAL), OPT("approval", K_SHA256),
	    /* A numbered copy's own label, signed by the copier: what its
	     * reader checks the decrypted label against (docs/exchange.md). */
	    OPT("label-sha256", K_SHA256)}},
	{"release", {REQ("doc-id", K_ID), REQ("copy-id", K_ID),
	    REQ("recipient", K_SERIAL), REQ("request-sha256", K_SHA256)}},
	/* The recipient acknowledges its copy, with what the integrity check
	 * of the fetched file found. */
	{"doc.receive", {REQ("doc-id", K_ID), REQ("copy-id", K_ID),
	    ONE_OF("integrity", "ok|mismatch")}},
	/* The originating authority extends the protection period. */
	{"doc.extend", {REQ("doc-id", K_ID), REQ("protect-until", K_DATE)}},
	{"recall", {REQ("doc-id", K_ID), OPT("copy-id", K_ID),
	    REQ("reason", K_TEXT)}},
	{"destroy", {REQ("doc-id", K_ID), OPT("copy-id", K_ID),
	    ONE_OF("method", "crypto-shred|physical"), OPT("witness", K_SERIAL),
	    OPT("reason", K_TEXT)}},
	{"approve", {REQ("doc-id", K_ID),
	    ONE_OF("action", "copy|release|send|declassify|destroy"),
	    REQ("request-sha256", K_SHA256), ONE_OF("decision", "granted|refused")}},
	{"declassify", {REQ("doc-id", K_ID), ONE_OF("from", LEVELS),
	    ONE_OF("to", "none|mat|toi-mat")}},
	{"item.transition", {REQ("item-id", K_ID),
	    ONE_OF("register", "incoming|outgoing|copies|destruction"),
	    OPT("doc-id", K_ID), REQ("from", K_TOKEN), REQ("to", K_TOKEN)}},
	/* The inventory (docs/inventory.md): an item enters the register,
	 * changes state, and a second officer confirms a pending change. */
	{"item.add", {REQ("item-id", K_ID), ONE_OF("item-type", ITEM_TYPES),
	    REQ("serial", K_ISERIAL), REQ("maker", K_TEXT), REQ("model", K_TEXT),
	    ONE_OF("level", LEVELS), REQ("unit", K_UNIT),
	    OPT("custodian", K_SERIAL), REQ("received", K_DATE),
	    OPT("period-until", K_DATE), OPT("product-version", K_TEXT),
	    OPT("count", K_COUNT), OPT("holds-certs", K_SERIALS),
	    OPT("notes-sha256", K_SHA256)}},
	{"item.change", {REQ("item-id", K_ID), ONE_OF("action", ITEM_ACTIONS),
	    ONE_OF("from", ITEM_STATES), ONE_OF("to", ITEM_STATES),
	    OPT("unit", K_UNIT), OPT("custodian", K_SERIAL),
	    OPT("reason", K_TEXT), OPT("second", K_SERIAL),
	    OPT_ONE_OF("pending", "yes")}},
	{"item.confirm", {REQ("item-id", K_ID), REQ("change-sha256", K_SHA256),
	    ONE_OF("role", "witness|taker"),
	    ONE_OF("decision", "accepted|declined")}},
	{"stocktake.open", {REQ("stocktake-id", K_ID), REQ("unit", K_UNIT)}},
	{"stocktake.declare", {REQ("stocktake-id", K_ID), REQ("count", K_NUMBER),
	    REQ("serials-sha256", K_SHA256)}},
	{"stocktake.close", {REQ("stocktake-id", K_ID), REQ("unit", K_UNIT),
	    REQ("declared", K_NUMBER), REQ("differences", K_NUMBER),
	    REQ("report-sha256", K_SHA256)}},
	/* A registry refused an authenticated officer: signed by the
	 * registry, so the refusal itself is on record. */
	{"denied", {REQ("officer", K_SERIAL), REQ("route", K_TEXT),
	    REQ("nonce", K_TEXT), REQ("reason", K_TEXT)}},
};
#define NTYPES (sizeof(types) / sizeof(types[0]))

static const char *const type_names[NTYPES + 1] = {
	"cert.issue", "cert.revoke", "doc.register", "copy.issue", "release",
	"doc.receive", "doc.extend", "recall", "destroy", "approve", "declassify", "item.transition",
	"denied", "item.add", "item.change", "item.confirm", "stocktake.open",
	"stocktake.declare", "stocktake.close", NULL,
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

/* Canonical text values (UTF-8, NFC, no refused character, so no line or
 * paragraph separator either, no surrounding spaces) that are short. */
static int
text_ok(const char *v, size_t n)
{
	return n > 0 && n <= CY_ENTRY_TEXT_MAX &&
	    cy_canon_check_value(v, n, "text", NULL) == 0;
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
number_ok(const char *v, size_t n)
{
	uint64_t x;

	return cy_parse_u64(v, n, &x) == 0 && x <= 1000000;
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

/* Certificate serials joined by ',': what holds-certs names. */
static int
serials_ok(const char *v, size_t n)
{
	size_t i, j, count = 0;

	for (i = 0; i <= n; i += CY_SERIAL_HEX_LEN + 1) {
		if (n - i < CY_SERIAL_HEX_LEN ||
		    !lowhex_ok(v + i, CY_SERIAL_HEX_LEN, CY_SERIAL_HEX_LEN) ||
		    ++count > CY_ITEM_HOLDS_MAX)
			return 0;
		if (i + CY_SERIAL_HEX_LEN < n && v[i + CY_SERIAL_HEX_LEN] != ',')
			return 0;
		/* Each once. */
		for (j = 0; j < i; j += CY_SERIAL_HEX_LEN + 1)
			if (memcmp(v + j, v + i, CY_SERIAL_HEX_LEN) == 0)
				return 0;
	}
	return count > 0;
}

static int
value_ok(const struct fspec *f, const char *v, size_t n)
{
	switch (f->kind) {
	case K_VERSION:
		return n == strlen(CY_ENTRY_VERSION) &&
		    memcmp(v, CY_ENTRY_VERSION, n) == 0;
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
	case K_NUMBER: return number_ok(v, n);
	case K_COPY: return copy_ok(v, n);
	case K_ENUM: return choice_ok(f->choices, v, n);
	case K_TOKEN: return token_ok(v, n);
	case K_ISERIAL: return cy_item_serial_valid(v, n);
	case K_SERIALS: return serials_ok(v, n);
	}
	return 0;
}

static const char *holds(const struct fspec *f);

static int
bad_value(cy_error *err, size_t line, const struct fspec *f)
{
	return cy_error_set(err, CY_E_FORMAT, "line %zu: %s must be %s%s", line,
	    f->name, f->kind == K_ENUM ? "one of " : "", holds(f));
}

/* The canonical-text field table of type t; returns its length. */
static size_t
field_table(const struct tspec *t, cy_canon_field out[SEQ_MAX])
{
	const struct fspec *f;
	size_t i;

	for (i = 0; (f = seq_at(t, i)) != NULL; i++) {
		out[i].key = f->name;
		out[i].flags = f->optional ? CY_CANON_OPTIONAL : 0;
	}
	return i;
}

/* The type named on line 2, which picks the field table. */
static const struct tspec *
peek_type(const uint8_t *d, size_t len, cy_error *err)
{
	static const char head[] = "version: " CY_ENTRY_VERSION "\ntype: ";
	const char *s = (const char *)d + sizeof(head) - 1, *nl;
	const struct tspec *t;
	size_t n;

	if (len < sizeof(head) - 1 || memcmp(d, head, sizeof(head) - 1) != 0) {
		cy_error_set(err, CY_E_FORMAT, "an entry starts with \"version: "
		    CY_ENTRY_VERSION "\" and a type line");
		return NULL;
	}
	nl = memchr(s, '\n', len - (sizeof(head) - 1));
	n = nl != NULL ? (size_t)(nl - s) : 0;
	if ((t = find_type(s, n)) == NULL)
		cy_error_set(err, CY_E_FORMAT, "line 2: unknown entry type %.*s",
		    (int)(n > 64 ? 64 : n), s);
	return t;
}

/* Checks the form of an entry and records where its values are. */
static int
parse_entry(const uint8_t *d, size_t len, struct parsed *p, cy_error *err)
{
	cy_canon_field fields[SEQ_MAX];
	cy_canon_record *rec = NULL;
	const cy_canon_value *v;
	size_t i, nf, line = 0;
	int r = 0;

	memset(p, 0, sizeof(*p));
	if (len > CY_ENTRY_MAX)
		return cy_error_set(err, CY_E_TOO_LARGE,
		    "entry is larger than %d bytes", CY_ENTRY_MAX);
	if ((p->t = peek_type(d, len, err)) == NULL)
		return CY_E_FORMAT;
	nf = field_table(p->t, fields);
	if ((r = cy_canon_parse(d, len, fields, nf, 0, &rec, NULL, err)) != 0)
		return r;
	for (i = 0; i < nf; i++) {
		if ((v = cy_canon_get(rec, i)) == NULL)
			continue;
		line++; /* one line per field present, in order */
		p->value[i] = v->value;
		p->vlen[i] = v->len;
		p->present[i] = 1;
		if (!value_ok(seq_at(p->t, i), v->value, v->len)) {
			r = bad_value(err, line, seq_at(p->t, i));
			break;
		}
		p->sig_at = v->offset; /* the last field is the signature */
	}
	cy_canon_record_free(rec);
	return r;
}

/* Ed25519 over every byte before the signature line. */
static int
check_signature(const uint8_t *d, const struct parsed *p, cy_error *err)
{
	uint8_t key[CY_ENTRY_KEY_LEN], sig[CY_ENTRY_SIG_LEN];
	size_t n = HEAD + type_nfields(p->t);

	(void)b64_ok(p->value[F_KEY], p->vlen[F_KEY], CY_ENTRY_KEY_LEN, key);
	(void)b64_ok(p->value[n], p->vlen[n], CY_ENTRY_SIG_LEN, sig);
	if (crypto_sign_verify_detached(sig, d, p->sig_at, key) != 0)
		return cy_error_set(err, CY_E_SIGNATURE,
		    "the entry's signature by its actor-key does not verify");
	return 0;
}

int
cy_entry_verify_time(const uint8_t *data, size_t len, int64_t *t,
    cy_error *err)
{
	struct parsed p;
	int r;

	*t = 0;
	if ((r = parse_entry(data, len, &p, err)) != 0 ||
	    (r = check_signature(data, &p, err)) != 0)
		return r;
	/* The third field of every entry (its form was checked above). */
	return cy_canon_time_parse(p.value[2], p.vlen[2], t, err);
}

int
cy_entry_verify(const uint8_t *data, size_t len, cy_error *err)
{
	int64_t t;

	return cy_entry_verify_time(data, len, &t, err);
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
	(void)b64_ok(p.value[F_KEY], p.vlen[F_KEY], CY_ENTRY_KEY_LEN, e->key);
	*out = e;
	return 0;
}

const char *
cy_entry_type(const cy_entry *e)
{
	return e->value[F_TYPE];
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
    const char **holds_out, int *optional)
{
	const struct tspec *t = find_type(type, strlen(type));
	const struct fspec *f;

	if (t == NULL || (f = seq_at(t, i)) == NULL)
		return -1;
	*name = f->name;
	*holds_out = holds(f);
	*optional = f->optional;
	return 0;
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
		for (j = 0; (f = seq_at(t, j)) != NULL; j++)
			if (strcmp(f->name, fields[i].name) == 0)
				break;
		/* version, type, actor-key and signature are ours to write. */
		if (f == NULL || f == &sig_field || j <= F_TYPE || j == F_KEY)
			return cy_error_set(err, CY_E_USAGE,
			    "%s entries take no field %s", t->name, fields[i].name);
	}
	return 0;
}

static const char *
holds(const struct fspec *f)
{
	return f->kind == K_ENUM ? f->choices : kind_holds[f->kind];
}

static int
build_body(const struct tspec *t, const cy_entry_field *fields, size_t n,
    const uint8_t key[CY_ENTRY_KEY_LEN], cy_buf *body, cy_error *err)
{
	const struct fspec *f;
	const char *v;
	size_t i;
	int r;

	if ((r = cy_canon_put(body, "version", CY_ENTRY_VERSION, err)) != 0 ||
	    (r = cy_canon_put(body, "type", t->name, err)) != 0)
		return r;
	for (i = F_TYPE + 1; (f = seq_at(t, i)) != &sig_field; i++) {
		if (i == F_KEY) {
			if ((r = cy_canon_put_b64(body, f->name, key,
			    CY_ENTRY_KEY_LEN, err)) != 0)
				return r;
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
			    holds(f));
		if (!value_ok(f, v, strlen(v)))
			return cy_error_set(err, CY_E_USAGE, "%s must be %s%s",
			    f->name, f->kind == K_ENUM ? "one of " : "", holds(f));
		if ((r = cy_canon_put(body, f->name, v, err)) != 0)
			return r;
	}
	return 0;
}

int
cy_entry_create(const char *type, const cy_entry_field *fields, size_t n,
    const cy_key *key, cy_buf *out, cy_error *err)
{
	const struct tspec *t = find_type(type, strlen(type));
	cy_buf e = CY_BUF_INIT;
	int r;

	if (t == NULL)
		return cy_error_set(err, CY_E_USAGE, "unknown entry type %s", type);
	if (cy_key_sign_public(key) == NULL)
		return cy_error_set(err, CY_E_USAGE,
		    "this %s key cannot sign entries", cy_key_kind(key));
	if ((r = check_given(t, fields, n, err)) != 0 ||
	    (r = build_body(t, fields, n, cy_key_sign_public(key), &e,
	    err)) != 0 ||
	    (r = cy_signed_append(&e, 0, key, "the entry", err)) != 0)
		goto out;
	/* Check what we made the way a reader will, signature included. */
	if ((r = cy_entry_verify(e.data, e.len, err)) != 0)
		goto out;
	cy_buf_append(out, e.data, e.len);
	if ((r = cy_buf_status(out)) != 0)
		r = cy_error_set(err, r, "out of memory");
out:
	cy_buf_free(&e);
	return r;
}

int
cy_entry_field_ok(const char *type, const char *field, const char *v,
    size_t n)
{
	const struct tspec *t = find_type(type, strlen(type));
	const struct fspec *f;
	size_t i;

	for (i = 0; t != NULL && (f = seq_at(t, i)) != NULL; i++)
		if (strcmp(f->name, field) == 0)
			return value_ok(f, v, n);
	return 0;
}
