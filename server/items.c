/* coyeud — the inventory's records (items.h; docs/inventory.md,
 * "Registry").  An item's record holds its view in the library's canonical
 * text (cy_item_view_encode), so a record and a replay of the item's
 * entries compare byte for byte; the indexes beside it let the lists and
 * the summary read only what they answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coyeu/cert.h"
#include "coyeu/level.h"

#include "common/timefmt.h"
#include "items.h"

#define KEY_MAX (CY_UNIT_MAX + 2 * CY_ITEM_TEXT_MAX + 64)

/* A JSON record's string ("" when absent); items.c stands on the library
 * and jansson alone, so bench/inventory_fill.c links it. */
static const char *
jstr(const json_t *o, const char *name)
{
	const char *v = json_string_value(json_object_get(o, name));

	return v != NULL ? v : "";
}

/* --- scope --- */

const char *
cyd_caller_scope(const cyd_caller *c)
{
	const char *u;

	if (c->role == CY_ROLE_AUTHORITY &&
	    (u = cy_cert_may_issue_unit(c->cert)) != NULL && *u != '\0')
		return u;
	return c->unit;
}

int
cyd_item_visible(const cyd_caller *c, const cy_item_view *v)
{
	const char *scope = cyd_caller_scope(c);

	return cy_unit_contains(scope, v->unit) ||
	    strcmp(v->custodian, c->serial) == 0 ||
	    (v->pending_unit[0] != '\0' &&
	    cy_unit_contains(scope, v->pending_unit)) ||
	    strcmp(v->pending_custodian, c->serial) == 0;
}

/* --- the item's record --- */

int
cyd_item_load(cy_store *s, const char *id, cy_item_view *v, cy_buf *raw,
    cy_error *err)
{
	cy_buf own = CY_BUF_INIT, *b = raw != NULL ? raw : &own;
	int r;

	b->len = 0;
	if ((r = s->drv->rec_get(s, CYD_REC_ITEM, id, b, NULL, err)) == 1 &&
	    cy_item_view_parse(b->data, b->len, v, err) != 0)
		r = cy_error_wrap(err, "the stored item record %s", id);
	cy_buf_free(&own);
	return r;
}

static json_t *
opt_string(const char *s)
{
	return *s != '\0' ? json_string(s) : json_null();
}

/* holds_certs "a,b" as ["a", "b"]. */
static json_t *
serial_list(const char *list)
{
	json_t *a = json_array();
	const char *p = list;
	size_t n;

	while (a != NULL && *p != '\0') {
		n = strcspn(p, ",");
		if (json_array_append_new(a, json_stringn(p, n)) != 0) {
			json_decref(a);
			return NULL;
		}
		p += n + (p[n] == ',');
	}
	return a;
}

json_t *
cyd_item_json(const cy_item_view *v)
{
	json_t *pending = json_null(), *o;

	if (v->pending[0] != '\0')
		pending = json_pack("{s:s, s:s, s:o, s:s?, s:o, s:o}", "action",
		    v->pending, "change_sha256", v->pending_sha256, "second",
		    opt_string(v->pending_second), "from",
		    cy_item_state_name(v->pending_from), "unit",
		    opt_string(v->pending_unit), "custodian",
		    opt_string(v->pending_custodian));
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, "
	    "s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:I}",
	    "id", v->id, "type", v->type, "serial", v->serial, "maker", v->maker,
	    "model", v->model, "level", cy_level_name(v->level), "unit", v->unit,
	    "custodian", opt_string(v->custodian),
	    "state", cy_item_state_name(v->state), "received", v->received,
	    "period_until", opt_string(v->period_until),
	    "version", opt_string(v->version),
	    "holds_certs", serial_list(v->holds_certs),
	    "notes", opt_string(v->notes),
	    "count", v->count > 0 ? json_integer(v->count) : json_null(),
	    "pending", pending, "updated", v->updated,
	    "index", (json_int_t)v->index);
	return o;
}

static int
serial_key(char *out, size_t cap, const char *type, const char *maker,
    const char *serial, cy_error *err)
{
	int n = snprintf(out, cap, "%s/%s/%s", type, maker, serial);

	if (n < 0 || (size_t)n >= cap)
		return cy_error_set(err, CY_E_USAGE, "record key too long");
	return 0;
}

struct first_key {
	char *id;
	int found;
};

static int
first_row(void *ctx, const char *key, const char *group, int64_t time,
    const uint8_t *data, size_t len, cy_error *err)
{
	struct first_key *f = ctx;

	(void)key, (void)group, (void)time, (void)err;
	if (len != CY_ITEM_ID_LEN)
		return 0;
	memcpy(f->id, data, len);
	f->id[len] = '\0';
	f->found = 1;
	return 1;
}

int
cyd_item_by_serial(cy_store *s, const char *type, const char *maker,
    const char *serial, char id[CY_ITEM_ID_LEN + 1], cy_error *err)
{
	char key[KEY_MAX];
	struct first_key f = {id, 0};
	cy_buf b = CY_BUF_INIT;
	int r;

	if (maker != NULL) {
		if ((r = serial_key(key, sizeof(key), type, maker, serial,
		    err)) != 0)
			return r;
		r = s->drv->rec_get(s, CYD_REC_ITEM_SERIAL, key, &b, NULL, err);
		if (r == 1 && b.len == CY_ITEM_ID_LEN) {
			memcpy(id, b.data, b.len);
			id[b.len] = '\0';
		} else if (r == 1)
			r = cy_error_set(err, CY_E_STORE, "the serial record %s "
			    "is damaged", key);
		cy_buf_free(&b);
		return r;
	}
	snprintf(key, sizeof(key), "%s:%s", type, serial);
	r = s->drv->rec_scan(s, CYD_REC_ITEM_SERIAL, key, first_row, &f, err);
	if (r < 0)
		return r;
	return f.found;
}

/* --- counters by unit, type and state --- */

/* One record per unit (kind item.count, key and group the unit), its
 * counts as lines "type<TAB>state<TAB>count", sorted: the summary and a
 * subtree's units read a few hundred small records, not the items. */
#define COUNT_LINES (16 * CY_ITEM_NSTATES)

struct count_line {
	char type[32];
	char state[24];
	long n;
};

/* The record's lines into lines (at most COUNT_LINES): how many. */
static size_t
count_parse(const uint8_t *data, size_t len, struct count_line *lines)
{
	size_t n = 0, at = 0, end;
	char line[96];

	while (at < len && n < COUNT_LINES) {
		for (end = at; end < len && data[end] != '\n'; end++)
			;
		if (end - at < sizeof(line)) {
			memcpy(line, data + at, end - at);
			line[end - at] = '\0';
			if (sscanf(line, "%31[^\t]\t%23[^\t]\t%ld", lines[n].type,
			    lines[n].state, &lines[n].n) == 3)
				n++;
		}
		at = end + 1;
	}
	return n;
}

static int
count_cmp(const void *a, const void *b)
{
	const struct count_line *x = a, *y = b;
	int c = strcmp(x->type, y->type);

	return c != 0 ? c : strcmp(x->state, y->state);
}

static int
count_add(cy_store *s, const cy_item_view *v, long delta, cy_error *err)
{
	struct count_line lines[COUNT_LINES + 1];
	const char *state = cy_item_state_name(v->state);
	cy_buf b = CY_BUF_INIT;
	char text[80];
	size_t n = 0, i;
	int r;

	r = s->drv->rec_get(s, CYD_REC_ITEM_COUNT, v->unit, &b, NULL, err);
	if (r == 1)
		n = count_parse(b.data, b.len, lines);
	if (r < 0)
		goto out;
	for (i = 0; i < n; i++)
		if (strcmp(lines[i].type, v->type) == 0 &&
		    strcmp(lines[i].state, state) == 0)
			break;
	if (i == n) {
		if (n == COUNT_LINES) {
			r = cy_error_set(err, CY_E_STORE, "the counters of unit %s "
			    "are full", v->unit);
			goto out;
		}
		snprintf(lines[n].type, sizeof(lines[n].type), "%s", v->type);
		snprintf(lines[n].state, sizeof(lines[n].state), "%s", state);
		lines[n++].n = 0;
		qsort(lines, n, sizeof(lines[0]), count_cmp);
		for (i = 0; strcmp(lines[i].type, v->type) != 0 ||
		    strcmp(lines[i].state, state) != 0; i++)
			;
	}
	lines[i].n = lines[i].n + delta < 0 ? 0 : lines[i].n + delta;
	b.len = 0;
	for (i = 0; i < n; i++) {
		snprintf(text, sizeof(text), "%.31s\t%.23s\t%ld\n",
		    lines[i].type, lines[i].state, lines[i].n);
		cy_buf_append(&b, text, strlen(text));
	}
	if (cy_buf_status(&b) != 0) {
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	r = s->drv->rec_put(s, CYD_REC_ITEM_COUNT, v->unit, v->unit, 0, b.data,
	    b.len, 0, err);
	r = r < 0 ? r : 0;
out:
	cy_buf_free(&b);
	return r;
}

struct counts {
	const char *scope;
	json_t *rows;    /* the summary's rows, or NULL */
	json_t *units;   /* the units holding items, or NULL */
};

static int
count_row(void *ctx, const char *key, const char *group, int64_t time,
    const uint8_t *data, size_t len, cy_error *err)
{
	struct counts *c = ctx;
	struct count_line lines[COUNT_LINES];
	size_t n, i, held = 0;
	json_t *row;

	(void)group, (void)time;
	if (!cy_unit_contains(c->scope, key))
		return 0;
	n = count_parse(data, len, lines);
	for (i = 0; i < n; i++) {
		if (lines[i].n <= 0)
			continue;
		held++;
		if (c->rows == NULL)
			continue;
		row = json_pack("{s:s, s:s, s:s, s:I}", "unit", key, "type",
		    lines[i].type, "state", lines[i].state, "count",
		    (json_int_t)lines[i].n);
		if (row == NULL || json_array_append_new(c->rows, row) != 0)
			return cy_error_set(err, CY_E_NOMEM, "out of memory");
	}
	if (c->units != NULL && held > 0 &&
	    json_array_append_new(c->units, json_string(key)) != 0)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	return 0;
}

static int
counts_scan(cy_store *s, struct counts *c, json_t **out, cy_error *err)
{
	json_t *list = c->rows != NULL ? c->rows : c->units;
	int r;

	*out = NULL;
	if (list == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	/* By key: the units come sorted. */
	if ((r = s->drv->rec_scan(s, CYD_REC_ITEM_COUNT, NULL, count_row, c,
	    err)) < 0) {
		json_decref(list);
		return r;
	}
	*out = list;
	return 0;
}

int
cyd_item_counts(cy_store *s, const char *scope, json_t **out, cy_error *err)
{
	struct counts c = {scope, json_array(), NULL};

	return counts_scan(s, &c, out, err);
}

int
cyd_item_units(cy_store *s, const char *scope, json_t **out, cy_error *err)
{
	struct counts c = {scope, NULL, json_array()};

	return counts_scan(s, &c, out, err);
}

/* --- scans --- */

struct scan {
	cy_store *s;
	const char *after;
	cyd_item_fn *fn;
	void *ctx;
	int by_id;       /* the row's data is an item id to load */
};

static int
scan_row(void *ctx, const char *key, const char *group, int64_t time,
    const uint8_t *data, size_t len, cy_error *err)
{
	struct scan *sc = ctx;
	char id[CY_ITEM_ID_LEN + 1];
	cy_item_view v;
	int r;

	(void)group, (void)time;
	if (sc->after != NULL && strcmp(key, sc->after) <= 0)
		return 0;
	if (sc->by_id) {
		if (len != CY_ITEM_ID_LEN)
			return 0;
		memcpy(id, data, len);
		id[len] = '\0';
		if ((r = cyd_item_load(sc->s, id, &v, NULL, err)) < 0)
			return r;
		if (r == 0)
			return 0;
	} else if (cy_item_view_parse(data, len, &v, err) != 0)
		return cy_error_wrap(err, "the stored item record %s", key);
	return sc->fn(sc->ctx, &v, err);
}

static int
scan(cy_store *s, const char *kind, const char *group, const char *after,
    int by_id, cyd_item_fn *fn, void *ctx, cy_error *err)
{
	struct scan sc = {s, after, fn, ctx, by_id};
	int r = s->drv->rec_scan(s, kind, group, scan_row, &sc, err);

	return r < 0 ? r : 0;
}

int
cyd_item_scan_unit(cy_store *s, const char *unit, const char *after,
    cyd_item_fn *fn, void *ctx, cy_error *err)
{
	return scan(s, CYD_REC_ITEM, unit, after, 0, fn, ctx, err);
}

int
cyd_item_scan_custody(cy_store *s, const char *custodian, cyd_item_fn *fn,
    void *ctx, cy_error *err)
{
	return scan(s, CYD_REC_ITEM_CUST, custodian, NULL, 1, fn, ctx, err);
}

int
cyd_item_scan_pending(cy_store *s, cyd_item_fn *fn, void *ctx, cy_error *err)
{
	return scan(s, CYD_REC_ITEM_PENDING, NULL, NULL, 1, fn, ctx, err);
}

/* --- the write --- */

static int
put_id(cy_store *s, const char *kind, const char *key, const char *group,
    int64_t time, const char *id, int flags, cy_error *err)
{
	return s->drv->rec_put(s, kind, key, group, time, (const uint8_t *)id,
	    strlen(id), flags, err);
}

static int
custody_key(char *out, size_t cap, const char *custodian, const char *id)
{
	int n = snprintf(out, cap, "%s/%s", custodian, id);

	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* The custody index follows the custodian. */
static int
custody_update(cy_store *s, const cy_item_view *before,
    const cy_item_view *now, int64_t time, cy_error *err)
{
	const char *old = before != NULL ? before->custodian : "";
	char key[KEY_MAX];
	int r;

	if (strcmp(old, now->custodian) == 0)
		return 0;
	if (*old != '\0') {
		custody_key(key, sizeof(key), old, now->id);
		if ((r = s->drv->rec_delete(s, CYD_REC_ITEM_CUST, key, err)) < 0)
			return r;
	}
	if (now->custodian[0] != '\0') {
		custody_key(key, sizeof(key), now->custodian, now->id);
		if ((r = put_id(s, CYD_REC_ITEM_CUST, key, now->custodian, time,
		    now->id, 0, err)) < 0)
			return r;
	}
	return 0;
}

/* A pending change is indexed while it waits (the overdue report and the
 * taking unit's list read them). */
static int
pending_update(cy_store *s, const cy_item_view *before,
    const cy_item_view *now, int64_t time, cy_error *err)
{
	int was = before != NULL && before->pending[0] != '\0';
	int r;

	if (now->pending[0] != '\0') {
		if (was && strcmp(before->pending_sha256, now->pending_sha256) == 0)
			return 0;
		r = put_id(s, CYD_REC_ITEM_PENDING, now->id,
		    now->pending_unit[0] != '\0' ? now->pending_unit : now->unit,
		    time, now->id, 0, err);
		return r < 0 ? r : 0;
	}
	if (!was)
		return 0;
	r = s->drv->rec_delete(s, CYD_REC_ITEM_PENDING, now->id, err);
	return r < 0 ? r : 0;
}

int
cyd_item_store(cy_store *s, const cy_item_view *before,
    const cy_item_view *now, uint64_t index, int64_t time, cy_error *err)
{
	char key[KEY_MAX], group[CY_ITEM_TEXT_MAX + CY_ITEM_SERIAL_MAX + 40];
	cy_buf text = CY_BUF_INIT;
	int r;

	if (before == NULL) {
		if ((r = serial_key(key, sizeof(key), now->type, now->maker,
		    now->serial, err)) != 0)
			return r;
		snprintf(group, sizeof(group), "%s:%s", now->type, now->serial);
		if ((r = put_id(s, CYD_REC_ITEM_SERIAL, key, group, time, now->id,
		    CY_STORE_REC_NEW, err)) < 0)
			return r;
		if (r == 0)
			return cy_error_set(err, CY_E_POLICY, "a %s by %s with "
			    "serial %s is already registered", now->type,
			    now->maker, now->serial);
	}
	if ((r = cy_item_view_encode(now, &text, err)) != 0)
		goto out;
	if ((r = s->drv->rec_put(s, CYD_REC_ITEM, now->id, now->unit, time,
	    text.data, text.len, 0, err)) < 0)
		goto out;
	snprintf(key, sizeof(key), "%s/%020llu", now->id,
	    (unsigned long long)index);
	if ((r = s->drv->rec_put(s, CYD_REC_ITEM_HIST, key, now->id, time,
	    (const uint8_t *)"", 0, 0, err)) < 0)
		goto out;
	r = 0;
	if (before == NULL || before->state != now->state ||
	    strcmp(before->unit, now->unit) != 0) {
		if ((before != NULL && (r = count_add(s, before, -1, err)) != 0) ||
		    (r = count_add(s, now, 1, err)) != 0)
			goto out;
	}
	if ((r = custody_update(s, before, now, time, err)) != 0)
		goto out;
	r = pending_update(s, before, now, time, err);
out:
	cy_buf_free(&text);
	return r;
}

static int
hist_row(void *ctx, const char *key, const char *group, int64_t time,
    const uint8_t *data, size_t len, cy_error *err)
{
	const char *slash = strrchr(key, '/');

	(void)group, (void)time, (void)data, (void)len;
	if (slash == NULL)
		return 0;
	if (json_array_append_new(ctx, json_integer((json_int_t)strtoull(
	    slash + 1, NULL, 10))) != 0)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	return 0;
}

int
cyd_item_history(cy_store *s, const char *id, json_t **out, cy_error *err)
{
	json_t *list = json_array();
	int r;

	*out = NULL;
	if (list == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	if ((r = s->drv->rec_scan(s, CYD_REC_ITEM_HIST, id, hist_row, list,
	    err)) < 0) {
		json_decref(list);
		return r;
	}
	*out = list;
	return 0;
}

/* --- certificates held by a lost item --- */

int
cyd_item_hold_revoke(cy_store *s, const cy_item_view *v, uint64_t index,
    json_t *added, cy_error *err)
{
	json_t *list = serial_list(v->holds_certs), *one;
	char *text = NULL;
	size_t i;
	int r = 0;

	if (list == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	json_array_foreach(list, i, one) {
		json_t *rec = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "item",
		    v->id, "type", v->type, "serial", v->serial, "state",
		    cy_item_state_name(v->state), "unit", v->unit, "index",
		    (json_int_t)index);

		text = rec != NULL ? json_dumps(rec, JSON_COMPACT |
		    JSON_SORT_KEYS) : NULL;
		json_decref(rec);
		if (text == NULL) {
			r = cy_error_set(err, CY_E_NOMEM, "out of memory");
			break;
		}
		/* The first loss stays on record: a certificate refused once
		 * is not refused "again" by a later item. */
		r = s->drv->rec_put(s, CYD_REC_CERT_HELD, json_string_value(one),
		    v->id, 0, (const uint8_t *)text, strlen(text),
		    CY_STORE_REC_NEW, err);
		free(text);
		if (r < 0)
			break;
		r = 0;
		if (json_array_append(added, one) != 0) {
			r = cy_error_set(err, CY_E_NOMEM, "out of memory");
			break;
		}
	}
	json_decref(list);
	return r;
}

void
cyd_held_why(const cy_buf *b, const char *serial, char *why, size_t cap)
{
	json_t *rec = json_loadb((const char *)b->data, b->len, 0, NULL);

	snprintf(why, cap, "certificate %s is revoked: its key was held by "
	    "item %s (%s %s), reported %s at index %lld", serial,
	    jstr(rec, "item"), jstr(rec, "type"), jstr(rec, "serial"),
	    jstr(rec, "state"), (long long)json_integer_value(json_object_get(rec, "index")));
	json_decref(rec);
}

int
cyd_chain_held_check(const cy_chain *chain, cyd_held_get_fn *get, void *ctx,
    char *why, size_t cap, cy_error *err)
{
	cy_buf b = CY_BUF_INIT;
	const char *serial;
	size_t i;
	int r = 0;

	for (i = 0; r == 0 && i < cy_chain_len(chain); i++) {
		serial = cy_cert_serial(cy_chain_get(chain, i));
		b.len = 0;
		if ((r = get(ctx, serial, &b, err)) == 1)
			cyd_held_why(&b, serial, why, cap);
	}
	cy_buf_free(&b);
	return r;
}

static int
held_in_store(void *ctx, const char *serial, cy_buf *out, cy_error *err)
{
	cy_store *s = ctx;

	return s->drv->rec_get(s, CYD_REC_CERT_HELD, serial, out, NULL, err);
}

int
cyd_chain_held_revoked(cy_store *s, const cy_chain *chain, char *why,
    size_t cap, cy_error *err)
{
	return cyd_chain_held_check(chain, held_in_store, s, why, cap, err);
}
