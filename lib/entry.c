/* Register entries: canonical text, a schema per type, signed. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "coyeu/canon.h"
#include "coyeu/cert.h"
#include "coyeu/encoding.h"
#include "coyeu/entry.h"
#include "coyeu/level.h"

#define COMMON_FIELDS 5     /* version, type, time, actor, actor-key */
#define TABLE_MAX (COMMON_FIELDS + CY_ENTRY_FIELDS_MAX + 1)
#define NAME_MAX_LEN 32

struct entry_type {
	const char *name;
	const char *fields[CY_ENTRY_FIELDS_MAX];
};

static const struct entry_type types[] = {
	{"cert.issue", {"serial", "subject-unit", "role", "clearance", "issuer", NULL}},
	{"cert.revoke", {"serial", "issuer", "reason", NULL}},
	{"doc.register", {"document", "doc-id", "level", "unit", "recipient+", NULL}},
	{"copy.issue", {"document", "doc-id", "copy", "recipient", NULL}},
	{"release", {"document", "doc-id", "copy", "recipient", NULL}},
	{"recall", {"document", "doc-id", "reason", NULL}},
	{"destroy", {"document", "doc-id", "reason", NULL}},
	{"approve", {"document", "doc-id", "action", NULL}},
	{"item.transition", {"item", "kind", "from", "to", "note?", NULL}},
};
#define NTYPES (sizeof(types) / sizeof(types[0]))

static const char *const common[COMMON_FIELDS] = {
	"version", "type", "time", "actor", "actor-key",
};

/* A type's canonical field table: common fields, its own, signature. */
struct table {
	cy_canon_field f[TABLE_MAX];
	char names[TABLE_MAX][NAME_MAX_LEN];
	size_t n;
};

struct cy_entry {
	uint8_t *text;
	size_t len;
	cy_canon_record *rec;
	struct table t;
	char *type, *actor;
	int64_t time;
	uint8_t actor_key[CY_SIGN_PUBLIC_LEN];
	char **values;      /* NUL-terminated copies, in record order */
	size_t nvalues;
};

size_t
cy_entry_type_count(void)
{
	return NTYPES;
}

const char *
cy_entry_type_name(size_t i)
{
	return i < NTYPES ? types[i].name : NULL;
}

static const struct entry_type *
find_type(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < NTYPES; i++)
		if (strlen(types[i].name) == len &&
		    memcmp(types[i].name, name, len) == 0)
			return &types[i];
	return NULL;
}

const char *const *
cy_entry_type_fields(const char *type)
{
	const struct entry_type *t = find_type(type, strlen(type));

	return t ? t->fields : NULL;
}

static void
table_add(struct table *t, const char *spec)
{
	size_t len = strlen(spec);
	unsigned flags = 0;

	if (len > 0 && spec[len - 1] == '+') {
		flags = CY_CANON_REPEAT;
		len--;
	} else if (len > 0 && spec[len - 1] == '?') {
		flags = CY_CANON_OPTIONAL;
		len--;
	}
	memcpy(t->names[t->n], spec, len);
	t->names[t->n][len] = '\0';
	t->f[t->n].key = t->names[t->n];
	t->f[t->n].flags = flags;
	t->n++;
}

static void
table_build(struct table *t, const struct entry_type *type)
{
	size_t i;

	t->n = 0;
	for (i = 0; i < COMMON_FIELDS; i++)
		table_add(t, common[i]);
	for (i = 0; type->fields[i] != NULL; i++)
		table_add(t, type->fields[i]);
	table_add(t, "signature");
}

static int
table_index(const struct table *t, const char *key)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->names[i], key) == 0)
			return (int)i;
	return -1;
}

/* Values with a known shape are checked beyond the canonical rules. */
static int
value_ok(const char *key, const char *v, size_t len)
{
	static const char *const serials[] = {"serial", "issuer", "recipient",
	    "actor"};
	size_t i;

	for (i = 0; i < sizeof(serials) / sizeof(serials[0]); i++)
		if (strcmp(key, serials[i]) == 0)
			return cy_serial_valid(v, len);
	if (strcmp(key, "level") == 0 || strcmp(key, "clearance") == 0)
		return cy_level_parse(v, len) != 0;
	if (strcmp(key, "unit") == 0 || strcmp(key, "subject-unit") == 0)
		return cy_unit_valid(v, len);
	if (strcmp(key, "role") == 0)
		return cy_role_parse(v, len) != 0;
	if (strcmp(key, "doc-id") == 0) {
		uint8_t d[32];
		return len == 64 && cy_canon_is_token(v, len) &&
		    cy_hex_decode(d, 32, v, len) == 0;
	}
	return 1;
}

int
cy_entry_create(const char *type, int64_t time, const char *actor,
    const cy_entry_field *fields, size_t nfields, const cy_idkey *key,
    cy_buf *out, cy_error *err)
{
	const struct entry_type *t = find_type(type, strlen(type));
	uint8_t sig[CY_SIGNATURE_LEN], *used = NULL;
	size_t i, j, start = out->len, count;
	struct table tab;
	int r = 0;

	if (t == NULL)
		return cy_error_set(err, CY_E_USAGE, "unknown entry type '%s'", type);
	if (!cy_serial_valid(actor, strlen(actor)))
		return cy_error_set(err, CY_E_USAGE,
		    "actor must be a certificate serial (32 hex digits)");
	if ((used = calloc(nfields + 1, 1)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	table_build(&tab, t);
	if ((r = cy_canon_put(out, "version", CY_ENTRY_VERSION, err)) != 0 ||
	    (r = cy_canon_put(out, "type", type, err)) != 0 ||
	    (r = cy_canon_put_time(out, "time", time, err)) != 0 ||
	    (r = cy_canon_put(out, "actor", actor, err)) != 0 ||
	    (r = cy_canon_put_b64(out, "actor-key", cy_idkey_sign_public(key),
	    CY_SIGN_PUBLIC_LEN, err)) != 0)
		goto out;
	for (i = COMMON_FIELDS; i + 1 < tab.n; i++) {
		for (count = 0, j = 0; j < nfields; j++) {
			if (strcmp(fields[j].key, tab.names[i]) != 0)
				continue;
			if (count > 0 && !(tab.f[i].flags & CY_CANON_REPEAT)) {
				r = cy_error_set(err, CY_E_USAGE,
				    "field %s given twice", tab.names[i]);
				goto out;
			}
			if (!value_ok(tab.names[i], fields[j].value,
			    strlen(fields[j].value))) {
				r = cy_error_set(err, CY_E_USAGE,
				    "invalid %s '%s'", tab.names[i], fields[j].value);
				goto out;
			}
			if ((r = cy_canon_put(out, tab.names[i], fields[j].value,
			    err)) != 0)
				goto out;
			used[j] = 1;
			count++;
		}
		if (count == 0 && !(tab.f[i].flags & CY_CANON_OPTIONAL)) {
			r = cy_error_set(err, CY_E_USAGE, "%s entry needs field %s",
			    type, tab.names[i]);
			goto out;
		}
	}
	for (j = 0; j < nfields; j++)
		if (!used[j]) {
			r = cy_error_set(err, CY_E_USAGE,
			    "field %s does not belong in a %s entry", fields[j].key,
			    type);
			goto out;
		}
	if (out->len - start > CY_ENTRY_MAX - 128) {
		r = cy_error_set(err, CY_E_TOO_LARGE, "entry larger than %d bytes",
		    CY_ENTRY_MAX);
		goto out;
	}
	if ((r = cy_idkey_sign(key, out->data + start, out->len - start,
	    sig)) != 0) {
		cy_error_set(err, r, "cannot sign the entry");
		goto out;
	}
	r = cy_canon_put_b64(out, "signature", sig, sizeof(sig), err);
out:
	free(used);
	if (r != 0)
		out->len = start;
	return r;
}

/* The type named on the second line, before the full parse. */
static const struct entry_type *
peek_type(const uint8_t *in, size_t len)
{
	const char *p = (const char *)in, *nl, *t;
	size_t vlen = strlen("version: " CY_ENTRY_VERSION "\n");

	if (len < vlen || memcmp(p, "version: " CY_ENTRY_VERSION "\n", vlen) != 0)
		return NULL;
	t = p + vlen;
	if ((size_t)(t - p) + 6 > len || memcmp(t, "type: ", 6) != 0)
		return NULL;
	t += 6;
	if ((nl = memchr(t, '\n', len - (size_t)(t - p))) == NULL)
		return NULL;
	return find_type(t, (size_t)(nl - t));
}

static int
entry_values(cy_entry *e, cy_error *err)
{
	const cy_canon_value *v;
	size_t i, k, n = 0;

	for (i = 0; i < e->t.n; i++)
		n += cy_canon_count(e->rec, i);
	if ((e->values = calloc(n, sizeof(char *))) == NULL)
		return CY_E_NOMEM;
	for (i = 0; i < e->t.n; i++) {
		for (k = 0; k < cy_canon_count(e->rec, i); k++) {
			v = cy_canon_get_nth(e->rec, i, k);
			if (!value_ok(e->t.names[i], v->value, v->len))
				return cy_error_set(err, CY_E_FORMAT,
				    "entry: invalid %s", e->t.names[i]);
			if ((e->values[e->nvalues++] = cy_canon_strdup(v)) == NULL)
				return CY_E_NOMEM;
		}
	}
	return 0;
}

static int
entry_check(cy_entry *e, cy_error *err)
{
	const cy_canon_value *v;
	uint8_t sig[CY_SIGNATURE_LEN];
	int r;

	if ((r = entry_values(e, err)) != 0)
		return r;
	e->type = e->values[1];
	e->actor = e->values[3];
	v = cy_canon_get(e->rec, 2);
	if ((r = cy_canon_time_parse(v->value, v->len, &e->time, err)) != 0)
		return cy_error_wrap(err, "entry: time");
	if ((r = cy_canon_get_b64(cy_canon_get(e->rec, 4), e->actor_key,
	    CY_SIGN_PUBLIC_LEN, "entry: actor-key", err)) != 0)
		return r;
	v = cy_canon_get(e->rec, e->t.n - 1);
	if ((r = cy_canon_get_b64(v, sig, sizeof(sig), "entry: signature",
	    err)) != 0)
		return r;
	if (crypto_sign_verify_detached(sig, e->text, v->offset,
	    e->actor_key) != 0)
		return cy_error_set(err, CY_E_SIGNATURE,
		    "entry: the actor's signature does not verify");
	return 0;
}

int
cy_entry_parse(const uint8_t *in, size_t len, cy_entry **out, cy_error *err)
{
	const struct entry_type *t;
	cy_entry *e;
	int r;

	*out = NULL;
	if (len > CY_ENTRY_MAX)
		return cy_error_set(err, CY_E_TOO_LARGE,
		    "entry larger than %d bytes", CY_ENTRY_MAX);
	if ((t = peek_type(in, len)) == NULL)
		return cy_error_set(err, CY_E_FORMAT,
		    "entry: expected 'version: %s' then a known 'type:'",
		    CY_ENTRY_VERSION);
	if ((e = calloc(1, sizeof(*e))) == NULL ||
	    (e->text = malloc(len + 1)) == NULL) {
		free(e);
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	}
	memcpy(e->text, in, len);
	e->text[len] = '\0';
	e->len = len;
	table_build(&e->t, t);
	if ((r = cy_canon_parse(e->text, len, e->t.f, e->t.n, 0, &e->rec, NULL,
	    err)) != 0)
		cy_error_wrap(err, "entry");
	else if ((r = entry_check(e, err)) == CY_E_NOMEM)
		cy_error_set(err, r, "out of memory");
	if (r != 0) {
		cy_entry_free(e);
		return r;
	}
	*out = e;
	return 0;
}

void
cy_entry_free(cy_entry *e)
{
	size_t i;

	if (e == NULL)
		return;
	for (i = 0; i < e->nvalues; i++)
		free(e->values[i]);
	free(e->values);
	cy_canon_record_free(e->rec);
	free(e->text);
	free(e);
}

const char *cy_entry_type(const cy_entry *e) { return e->type; }
int64_t cy_entry_time(const cy_entry *e) { return e->time; }
const char *cy_entry_actor(const cy_entry *e) { return e->actor; }
const uint8_t *cy_entry_actor_key(const cy_entry *e) { return e->actor_key; }

/* Index in e->values of the n-th value of key, or -1. */
static int
value_index(const cy_entry *e, const char *key, size_t n)
{
	size_t i, base = 0;
	int f = table_index(&e->t, key);

	if (f < 0)
		return -1;
	for (i = 0; i < (size_t)f; i++)
		base += cy_canon_count(e->rec, i);
	return n < cy_canon_count(e->rec, (size_t)f) ? (int)(base + n) : -1;
}

const char *
cy_entry_get(const cy_entry *e, const char *key)
{
	return cy_entry_get_nth(e, key, 0);
}

size_t
cy_entry_count(const cy_entry *e, const char *key)
{
	int f = table_index(&e->t, key);

	return f < 0 ? 0 : cy_canon_count(e->rec, (size_t)f);
}

const char *
cy_entry_get_nth(const cy_entry *e, const char *key, size_t n)
{
	int i = value_index(e, key, n);

	return i < 0 ? NULL : e->values[i];
}
