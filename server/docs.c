/* coyeud — documents, copies, sealed secrets, files, mailboxes and the
 * law's registers as records of the store (docs.h, docs/exchange.md "The
 * store").  JSON records are written compact with sorted keys, so the
 * same record is the same bytes on every node. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coyeu/cert.h"
#include "coyeu/label.h"
#include "coyeu/log.h"
#include "coyeu/level.h"
#include "coyeu/release.h"

#include "common/timefmt.h"
#include "docs.h"

/* A record key "a/b" (doc-id/copy-id, serial/doc-id/copy-id). */
#define KEY_MAX 128

static int
key_join(char *out, size_t cap, const char *a, const char *b, const char *c,
    cy_error *err)
{
	int n = c == NULL ? snprintf(out, cap, "%s/%s", a, b) :
	    snprintf(out, cap, "%s/%s/%s", a, b, c);

	if (n < 0 || (size_t)n >= cap)
		return cy_error_set(err, CY_E_USAGE, "record key too long");
	return 0;
}

static int
json_put(cy_store *s, const char *kind, const char *key, const char *group,
    int64_t time, const json_t *obj, cy_error *err)
{
	char *text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
	int r;

	if (text == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	r = s->drv->rec_put(s, kind, key, group, time, (const uint8_t *)text,
	    strlen(text), 0, err);
	free(text);
	return r < 0 ? r : 0;
}

static int
json_parse(const uint8_t *data, size_t len, const char *kind, const char *key,
    json_t **out, cy_error *err)
{
	json_error_t je;

	*out = json_loadb((const char *)data, len, 0, &je);
	if (*out == NULL || !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return cy_error_set(err, CY_E_STORE, "the stored %s record %s "
		    "is not a JSON object", kind, key);
	}
	return 0;
}

/* The record's bytes into raw (kept for the caller) and, when out is not
 * NULL, their parse. */
static int
json_get_raw(cy_store *s, const char *kind, const char *key, cy_buf *raw,
    json_t **out, cy_error *err)
{
	int r;

	if (out != NULL)
		*out = NULL;
	raw->len = 0;
	r = s->drv->rec_get(s, kind, key, raw, NULL, err);
	if (r == 1 && out != NULL &&
	    json_parse(raw->data, raw->len, kind, key, out, err) != 0)
		r = err->code;
	return r;
}

static int
json_get(cy_store *s, const char *kind, const char *key, json_t **out,
    cy_error *err)
{
	cy_buf b = CY_BUF_INIT;
	int r = json_get_raw(s, kind, key, &b, out, err);

	cy_buf_free(&b);
	return r;
}

const char *
cyd_jstr(const json_t *o, const char *name)
{
	const char *v = json_string_value(json_object_get(o, name));

	return v != NULL ? v : "";
}

int64_t
cyd_jnum(const json_t *o, const char *name)
{
	return (int64_t)json_integer_value(json_object_get(o, name));
}

int
cyd_doc_load(cy_store *s, const char *doc_id, json_t **out, cy_error *err)
{
	return json_get(s, CYD_REC_DOC, doc_id, out, err);
}

int
cyd_doc_load_raw(cy_store *s, const char *doc_id, cy_buf *raw, json_t **out,
    cy_error *err)
{
	return json_get_raw(s, CYD_REC_DOC, doc_id, raw, out, err);
}

int
cyd_copy_load_raw(cy_store *s, const char *doc_id, const char *copy_id,
    cy_buf *raw, json_t **out, cy_error *err)
{
	char key[KEY_MAX];

	if (out != NULL)
		*out = NULL;
	if (key_join(key, sizeof(key), doc_id, copy_id, NULL, err) != 0)
		return err->code;
	return json_get_raw(s, CYD_REC_COPY, key, raw, out, err);
}

int
cyd_record_parse(const cy_buf *raw, const char *kind, const char *key,
    json_t **out, cy_error *err)
{
	return json_parse(raw->data, raw->len, kind, key, out, err);
}

int
cyd_doc_save(cy_store *s, const json_t *doc, cy_error *err)
{
	return json_put(s, CYD_REC_DOC, cyd_jstr(doc, "doc_id"), cyd_jstr(doc, "unit"),
	    cyd_jnum(doc, "time"), doc, err);
}

int
cyd_copy_load(cy_store *s, const char *doc_id, const char *copy_id,
    json_t **out, cy_error *err)
{
	char key[KEY_MAX];

	*out = NULL;
	if (key_join(key, sizeof(key), doc_id, copy_id, NULL, err) != 0)
		return err->code;
	return json_get(s, CYD_REC_COPY, key, out, err);
}

int
cyd_copy_save(cy_store *s, const json_t *copy, cy_error *err)
{
	char key[KEY_MAX];
	const char *doc_id = cyd_jstr(copy, "doc_id");

	if (key_join(key, sizeof(key), doc_id, cyd_jstr(copy, "copy_id"), NULL,
	    err) != 0)
		return err->code;
	return json_put(s, CYD_REC_COPY, key, doc_id, cyd_jnum(copy, "time"), copy,
	    err);
}

static int
copy_row(void *ctx, const char *key, const char *group, int64_t time,
    const uint8_t *data, size_t len, cy_error *err)
{
	json_t *list = ctx, *o;

	(void)group, (void)time;
	if (json_parse(data, len, CYD_REC_COPY, key, &o, err) != 0)
		return err->code;
	if (json_array_append_new(list, o) != 0)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	return 0;
}

int
cyd_copies_load(cy_store *s, const char *doc_id, json_t **out, cy_error *err)
{
	json_t *list = json_array();
	int r;

	*out = NULL;
	if (list == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	if ((r = s->drv->rec_scan(s, CYD_REC_COPY, doc_id, copy_row, list,
	    err)) < 0) {
		json_decref(list);
		return r;
	}
	*out = list;
	return 0;
}

int
cyd_share_put(cy_store *s, const char *doc_id, const char *copy_id,
    const uint8_t *sealed, size_t len, cy_error *err)
{
	char key[KEY_MAX];
	int r;

	if (len > CY_RELEASE_SEALED_MAX)
		return cy_error_set(err, CY_E_TOO_LARGE, "a sealed secret of "
		    "%zu bytes (at most %d)", len, CY_RELEASE_SEALED_MAX);
	if (key_join(key, sizeof(key), doc_id, copy_id, NULL, err) != 0)
		return err->code;
	r = s->drv->rec_put(s, CYD_REC_SHARE, key, doc_id, 0, sealed, len, 0,
	    err);
	return r < 0 ? r : 0;
}

int
cyd_share_get(cy_store *s, const char *doc_id, const char *copy_id,
    cy_buf *out, cy_error *err)
{
	char key[KEY_MAX];

	if (key_join(key, sizeof(key), doc_id, copy_id, NULL, err) != 0)
		return err->code;
	return s->drv->rec_get(s, CYD_REC_SHARE, key, out, NULL, err);
}

int
cyd_share_delete(cy_store *s, const char *doc_id, const char *copy_id,
    cy_error *err)
{
	char key[KEY_MAX];
	int r;

	if (key_join(key, sizeof(key), doc_id, copy_id, NULL, err) != 0)
		return err->code;
	r = s->drv->rec_delete(s, CYD_REC_SHARE, key, err);
	return r < 0 ? r : 0;
}

int
cyd_file_put(cy_store *s, const char *sealed_sha256, const char *doc_id,
    const uint8_t *file, size_t len, cy_error *err)
{
	/* The same bytes under the same hash: a second put changes nothing. */
	int r = s->drv->rec_put(s, CYD_REC_FILE, sealed_sha256, doc_id, 0, file,
	    len, CY_STORE_REC_NEW, err);

	return r < 0 ? r : 0;
}

int
cyd_file_get(cy_store *s, const char *sealed_sha256, cy_buf *out,
    cy_error *err)
{
	return s->drv->rec_get(s, CYD_REC_FILE, sealed_sha256, out, NULL, err);
}

int
cyd_file_delete(cy_store *s, const char *sealed_sha256, cy_error *err)
{
	int r = s->drv->rec_delete(s, CYD_REC_FILE, sealed_sha256, err);

	return r < 0 ? r : 0;
}

int
cyd_inbox_put(cy_store *s, const char *serial, const char *doc_id,
    const char *copy_id, int64_t time, cy_error *err)
{
	char key[KEY_MAX];
	json_t *o;
	int r;

	if (key_join(key, sizeof(key), serial, doc_id, copy_id, err) != 0)
		return err->code;
	if ((o = json_pack("{s:s, s:s}", "doc_id", doc_id, "copy_id",
	    copy_id)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	r = json_put(s, CYD_REC_INBOX, key, serial, time, o, err);
	json_decref(o);
	return r;
}

static int
inbox_row(void *ctx, const char *key, const char *group, int64_t time,
    const uint8_t *data, size_t len, cy_error *err)
{
	json_t *list = ctx, *o;

	(void)group;
	if (json_parse(data, len, CYD_REC_INBOX, key, &o, err) != 0)
		return err->code;
	if (json_object_set_new(o, "time", json_integer(time)) != 0 ||
	    json_array_append_new(list, o) != 0)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	return 0;
}

int
cyd_inbox_list(cy_store *s, const char *serial, json_t **out, cy_error *err)
{
	json_t *list = json_array();
	int r;

	*out = NULL;
	if (list == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	if ((r = s->drv->rec_scan(s, CYD_REC_INBOX, serial, inbox_row, list,
	    err)) < 0) {
		json_decref(list);
		return r;
	}
	*out = list;
	return 0;
}

/* "reg.outgoing" …: only the four registers. */
static int
register_kind(const char *reg, char *out, size_t cap, cy_error *err)
{
	static const char *const names[] = {"outgoing", "incoming", "copies",
		"destroyed"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(reg, names[i]) == 0) {
			snprintf(out, cap, "reg.%s", reg);
			return 0;
		}
	return cy_error_set(err, CY_E_USAGE, "no register named %s (outgoing, "
	    "incoming, copies or destroyed)", reg);
}

int
cyd_register_row(cy_store *s, const char *reg, const char *unit,
    uint64_t index, int64_t time, const json_t *row, cy_error *err)
{
	char kind[32], key[24];

	if (register_kind(reg, kind, sizeof(kind), err) != 0)
		return err->code;
	/* 20 digits: the keys sort as the indexes do. */
	snprintf(key, sizeof(key), "%020llu", (unsigned long long)index);
	return json_put(s, kind, key, unit, time, row, err);
}

struct rows {
	const char *unit;
	int64_t from, to;
	json_t *list;
};

static int
register_scan_row(void *ctx, const char *key, const char *group,
    int64_t time, const uint8_t *data, size_t len, cy_error *err)
{
	struct rows *q = ctx;
	json_t *o;

	if (!cy_unit_contains(q->unit, group) ||
	    (q->from != 0 && time < q->from) || (q->to != 0 && time >= q->to))
		return 0;
	if (json_parse(data, len, "register", key, &o, err) != 0)
		return err->code;
	if (json_array_append_new(q->list, o) != 0)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	return 0;
}

int
cyd_register_rows(cy_store *s, const char *reg, const char *unit,
    int64_t from, int64_t to, json_t **out, cy_error *err)
{
	struct rows q = {unit, from, to, json_array()};
	char kind[32];
	int r;

	*out = NULL;
	if (q.list == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	if ((r = register_kind(reg, kind, sizeof(kind), err)) != 0 ||
	    (r = s->drv->rec_scan(s, kind, NULL, register_scan_row, &q,
	    err)) < 0) {
		json_decref(q.list);
		return r;
	}
	*out = q.list;
	return 0;
}

static int
doc_state(const char *state)
{
	if (strcmp(state, "live") == 0)
		return CY_DOC_LIVE;
	if (strcmp(state, "recalled") == 0)
		return CY_DOC_RECALLED;
	if (strcmp(state, "destroyed") == 0)
		return CY_DOC_DESTROYED;
	if (strcmp(state, "declassified") == 0)
		return CY_DOC_DECLASSIFIED;
	return 0;
}

int
cyd_doc_policy(const json_t *doc, const char **serials, const char *scope,
    cy_policy_doc *d, cy_error *err)
{
	const json_t *list = json_object_get(doc, "recipients");
	const char *level = cyd_jstr(doc, "level");
	size_t i, n = json_array_size(list);

	memset(d, 0, sizeof(*d));
	if (n > CY_LABEL_RECIPIENTS_MAX)
		return cy_error_set(err, CY_E_STORE, "document %s has %zu "
		    "recipients (at most %d)", cyd_jstr(doc, "doc_id"), n,
		    CY_LABEL_RECIPIENTS_MAX);
	for (i = 0; i < n; i++)
		if ((serials[i] = json_string_value(json_array_get(list,
		    i))) == NULL)
			return cy_error_set(err, CY_E_STORE, "document %s: "
			    "recipient %zu is not a serial", cyd_jstr(doc, "doc_id"),
			    i);
	d->level = cy_level_parse(level, strlen(level));
	d->unit = cyd_jstr(doc, "unit");
	d->scope = scope;
	d->compartments = cyd_jstr(doc, "compartments");
	d->only_named = json_is_true(json_object_get(doc, "only_named"));
	d->recipients = serials;
	d->nrecipients = n;
	d->created = cyd_jnum(doc, "created");
	d->protect_until = cyd_jnum(doc, "protect_until");
	d->state = doc_state(cyd_jstr(doc, "state"));
	/* Zero is never valid: the policy refuses what is missing here. */
	return 0;
}

/* --- parsed documents, by their bytes --- */

#define DOC_CACHE_SLOTS 64

struct cyd_doc_cache {
	pthread_mutex_t lock;
	struct {
		char doc_id[CY_RELEASE_ID_SIZE];
		cy_buf raw;
		json_t *doc;
	} slot[DOC_CACHE_SLOTS];
};

int
cyd_doc_cache_new(cyd_doc_cache **out)
{
	cyd_doc_cache *c;
	size_t i;

	if ((*out = c = calloc(1, sizeof(*c))) == NULL)
		return CY_E_NOMEM;
	pthread_mutex_init(&c->lock, NULL);
	for (i = 0; i < DOC_CACHE_SLOTS; i++)
		c->slot[i].raw = (cy_buf)CY_BUF_INIT;
	return 0;
}

void
cyd_doc_cache_free(cyd_doc_cache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < DOC_CACHE_SLOTS; i++) {
		cy_buf_free(&c->slot[i].raw);
		json_decref(c->slot[i].doc);
	}
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static size_t
doc_slot(const char *doc_id)
{
	size_t h = 5381;

	while (*doc_id != '\0')
		h = h * 33 + (unsigned char)*doc_id++;
	return h % DOC_CACHE_SLOTS;
}

int
cyd_doc_cache_parse(cyd_doc_cache *c, const char *doc_id, const cy_buf *raw,
    json_t **out, cy_error *err)
{
	size_t i = doc_slot(doc_id);
	json_t *doc = NULL;

	*out = NULL;
	if (c == NULL)
		return json_parse(raw->data, raw->len, CYD_REC_DOC, doc_id, out,
		    err) != 0 ? err->code : 0;
	pthread_mutex_lock(&c->lock);
	if (c->slot[i].doc != NULL && strcmp(c->slot[i].doc_id, doc_id) == 0 &&
	    c->slot[i].raw.len == raw->len &&
	    memcmp(c->slot[i].raw.data, raw->data, raw->len) == 0)
		*out = json_incref(c->slot[i].doc);
	pthread_mutex_unlock(&c->lock);
	if (*out != NULL)
		return 0;
	if (json_parse(raw->data, raw->len, CYD_REC_DOC, doc_id, &doc,
	    err) != 0)
		return err->code;
	/* Kept for the next release of the same bytes; a cache that cannot
	 * grow only costs the next one a parse. */
	pthread_mutex_lock(&c->lock);
	json_decref(c->slot[i].doc);
	c->slot[i].doc = NULL;
	c->slot[i].raw.len = 0;
	if (strlen(doc_id) < sizeof(c->slot[i].doc_id))
		cy_buf_append(&c->slot[i].raw, raw->data, raw->len);
	if (strlen(doc_id) < sizeof(c->slot[i].doc_id) &&
	    cy_buf_status(&c->slot[i].raw) == 0) {
		snprintf(c->slot[i].doc_id, sizeof(c->slot[i].doc_id), "%s",
		    doc_id);
		c->slot[i].doc = json_incref(doc);
	}
	pthread_mutex_unlock(&c->lock);
	*out = doc;
	return 0;
}

int
cyd_entry_own(cyd_request *rq, cyd_response *rs, const char *what,
    const char *type, const uint8_t *data, size_t len, cy_entry **out,
    int64_t *time, cy_entry_checked **checked)
{
	const cyd_caller *c = rq->caller;
	char t1[CY_CANON_TIME_LEN + 1];
	cy_entry_checked *ck = NULL;
	const char *actor;
	cy_entry *e = NULL;
	cy_error err;
	int64_t t;

	*out = NULL;
	if (checked != NULL)
		*checked = NULL;
	if (cy_entry_check(data, len, &ck, &err) != 0 ||
	    cy_entry_parse(data, len, &e, &err) != 0) {
		cy_entry_checked_free(ck);
		return cyd_error(rs, 400, "bad-request", "%s does not verify: %s",
		    what, err.msg), -1;
	}
	t = cy_entry_checked_time(ck);
	if (type != NULL && strcmp(cy_entry_type(e), type) != 0) {
		cyd_error(rs, 400, "bad-request", "%s is a %s entry; this route "
		    "takes a %s entry", what, cy_entry_type(e), type);
		goto fail;
	}
	if (t > rq->now + CY_LOG_SKEW || t < rq->now - CY_LOG_SKEW) {
		cyd_error(rs, 400, "bad-request", "%s's time %s is %lld s from "
		    "the registry's clock (at most %d s): check the computer's "
		    "clock", what, cmn_time_text(t, t1),
		    (long long)(t - rq->now), CY_LOG_SKEW);
		goto fail;
	}
	if (strcmp((actor = cy_entry_get(e, "actor")), c->serial) != 0) {
		cyd_forbid(rq, rs, "%s's actor %s is not the caller %s", what,
		    actor, c->serial);
		goto fail;
	}
	if (memcmp(cy_entry_actor_key(e), cy_cert_sign_public(c->cert),
	    CY_ENTRY_KEY_LEN) != 0) {
		cyd_forbid(rq, rs, "%s's actor-key is not the signing key of "
		    "certificate %s", what, c->serial);
		goto fail;
	}
	*out = e;
	if (time != NULL)
		*time = t;
	if (checked != NULL)
		*checked = ck;
	else
		cy_entry_checked_free(ck);
	return 0;
fail:
	cy_entry_checked_free(ck);
	cy_entry_free(e);
	return -1;
}

int
cyd_path_doc_id(cyd_request *rq, cyd_response *rs,
    char id[CY_RELEASE_ID_SIZE])
{
	if (cyd_path_param(rq, 0, id, CY_RELEASE_ID_SIZE) != 0 ||
	    cy_release_id_check(id, NULL) != 0)
		return cyd_error(rs, 404, "not-found", "no such document: a "
		    "doc-id is 32 lowercase hex digits"), -1;
	return 0;
}
