/* The register: entries, tiles, checkpoints kept through a store driver
 * (see log.h, store.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "coyeu/canon.h"
#include "coyeu/encoding.h"
#include "coyeu/entry.h"
#include "coyeu/log.h"
#include "coyeu/tlogproof.h"
#include "reg/logint.h"
#include "base/text.h"

static int64_t
system_clock(void *ctx)
{
	(void)ctx;
	return (int64_t)time(NULL);
}

static int64_t
clock_now(const cy_log_options *o)
{
	return o != NULL && o->clock != NULL ? o->clock(o->clock_ctx) :
	    system_clock(NULL);
}

/* The meta rows of a new register and its signed size-0 checkpoint. */
static int
create_rows(cy_store *s, const cy_note_signer *signer, const char *key_path,
    const cy_log_options *o, cy_error *err)
{
	const cy_store_driver *d = s->drv;
	char vkey[CY_NOTE_KEY_STR_MAX];
	cy_buf note = CY_BUF_INIT;
	cy_checkpoint c;
	int64_t now;
	int r;

	memset(&c, 0, sizeof(c));
	snprintf(c.origin, sizeof(c.origin), "%s", cy_note_signer_name(signer));
	cy_merkle_empty_root(c.root);
	now = clock_now(o);
	c.time = now > 0 ? (uint64_t)now : 0;
	cy_note_signer_verifier_string(signer, vkey);
	if ((r = d->init(s, err)) != 0 ||
	    (r = d->meta_put(s, "format", CY_LOG_FORMAT, err)) != 0 ||
	    (r = d->meta_put(s, "origin", c.origin, err)) != 0 ||
	    (r = d->meta_put(s, "vkey", vkey, err)) != 0 ||
	    (r = d->meta_put(s, "key-path", key_path, err)) != 0 ||
	    (r = d->size_put(s, 0, err)) != 0 ||
	    (r = cy_checkpoint_sign(&c, signer, &note, err)) != 0)
		goto out;
	r = d->checkpoint_put(s, 0, note.data, note.len, err);
out:
	cy_buf_free(&note);
	return r;
}

int
cy_log_create_store(cy_store *s, const cy_note_signer *signer,
    const char *key_path, const cy_log_options *o, cy_error *err)
{
	int r;

	if ((r = s->drv->begin(s, 1, err)) != 0)
		return r;
	if ((r = create_rows(s, signer, key_path, o, err)) != 0 ||
	    (r = s->drv->commit(s, err)) != 0)
		s->drv->rollback(s);
	return r;
}

int
cy_log_create(const char *path, const cy_note_signer *signer,
    const char *key_path, const cy_log_options *o, cy_error *err)
{
	cy_store *s = NULL;
	int r;

	/* CY_STORE_CREATE never takes over an existing file. */
	if ((r = cy_store_open(cy_store_sqlite_driver(), path, CY_STORE_CREATE,
	    &s, err)) != 0)
		return r;
	r = cy_log_create_store(s, signer, key_path, o, err);
	cy_store_close(s);
	if (r != 0)
		unlink(path);
	return r;
}

/* A meta value as text into out (cap bytes); 0, or <0. */
static int
get_meta(cy_log *l, const char *k, char *out, size_t cap, cy_error *err)
{
	size_t len;
	int r;

	if ((r = l->drv->meta_get(l->s, k, out, cap, &len, err)) <= 0)
		return r == 0 ? cy_error_set(err, CY_E_STORE,
		    "not a coyeu register: no %s", k) : r;
	if (len >= cap)
		return cy_error_set(err, CY_E_STORE, "register %s too long", k);
	return 0;
}

int
cy_log_get_size(cy_log *l, uint64_t *size, cy_error *err)
{
	char s[32];
	int r;

	if ((r = get_meta(l, "size", s, sizeof(s), err)) != 0)
		return r;
	if (cy_parse_u64(s, strlen(s), size) != 0)
		return cy_error_set(err, CY_E_STORE, "register size is damaged");
	return 0;
}

/* Rebuilds the in-memory right edge of the tree from the stored size and
 * partial tiles. */
static int
load_edge(cy_log *l, cy_error *err)
{
	uint64_t size;
	unsigned level, w;
	size_t len;
	int r;

	if ((r = cy_log_get_size(l, &size, err)) != 0)
		return r;
	cy_tree_init(&l->tree, l->tree.full, l->tree.ctx);
	l->tree.size = size;
	for (level = 0; level < CY_TILE_LEVELS; level++) {
		w = (unsigned)((size >> (CY_TILE_HEIGHT * level)) & 0xff);
		if (w == 0)
			continue;
		if ((r = l->drv->partial_get(l->s, level, l->tree.part[level].h[0],
		    (size_t)w * CY_HASH_LEN, &len, err)) < 0)
			return r;
		if (r == 0 || len != (size_t)w * CY_HASH_LEN)
			return cy_error_set(err, CY_E_STORE,
			    "the partial tile at level %u is missing or damaged "
			    "(run coyeu log audit)", level);
		if ((r = cy_tile_fill(&l->tree.part[level], l->h, w, err)) != 0)
			return r;
	}
	return 0;
}

/* The same, remembering a failure: until the edge loads, everything that
 * needs it fails with that reason (the audit still runs). */
static int
load_state(cy_log *l, cy_error *err)
{
	cy_error e = {0, ""};
	int r;

	if ((r = load_edge(l, &e)) != 0 && err != NULL)
		*err = e;
	l->damage = e;
	return r;
}

static int
store_tile(void *ctx, unsigned level, uint64_t index, const struct cy_tile *t,
    cy_error *err)
{
	cy_log *l = ctx;

	return l->drv->tile_put(l->s, level, index, t->h[0], CY_TILE_BYTES, err);
}

static int
open_meta(cy_log *l, cy_error *err)
{
	char buf[CY_NOTE_KEY_STR_MAX];
	int r;

	if ((r = get_meta(l, "format", buf, sizeof(buf), err)) != 0)
		return r;
	if (strcmp(buf, CY_LOG_FORMAT) != 0)
		return cy_error_set(err, CY_E_STORE,
		    "not a %s register (format %s)", CY_LOG_FORMAT, buf);
	if ((r = get_meta(l, "origin", l->origin, sizeof(l->origin), err)) != 0 ||
	    (r = get_meta(l, "vkey", buf, sizeof(buf), err)) != 0)
		return r;
	if ((r = cy_note_verifier_parse(buf, strlen(buf), &l->v, err)) != 0) {
		cy_error_wrap(err, "stored verifier key");
		return r;
	}
	if ((r = get_meta(l, "key-path", buf, sizeof(buf), err)) != 0)
		return r;
	if (buf[0] != '\0' && (l->key_path = strdup(buf)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	return 0;
}

int
cy_log_open(const char *path, int flags, cy_log **out, cy_error *err)
{
	cy_log_options o;

	memset(&o, 0, sizeof(o));
	o.flags = flags;
	return cy_log_open_with(path, &o, out, err);
}

int
cy_log_open_with(const char *path, const cy_log_options *o, cy_log **out,
    cy_error *err)
{
	const cy_store_driver *drv;
	const char *dsn;
	cy_store *s = NULL;
	int r;

	*out = NULL;
	/* "postgres://…" and "sqlite:PATH" name their driver; a path is
	 * SQLite's. */
	drv = cy_store_driver_for(path, &dsn);
	if ((r = cy_store_open(drv, dsn,
	    o != NULL && (o->flags & CY_LOG_READONLY) ? CY_STORE_READONLY : 0,
	    &s, err)) != 0)
		return r;
	if ((r = cy_log_open_store(s, o, out, err)) != 0) {
		cy_store_close(s);
		return r;
	}
	(*out)->own_store = 1;
	return 0;
}

int
cy_log_open_store(cy_store *s, const cy_log_options *o, cy_log **out,
    cy_error *err)
{
	cy_log_options none;
	cy_log *l;
	int r;

	*out = NULL;
	if (o == NULL) {
		memset(&none, 0, sizeof(none));
		o = &none;
	}
	if (!cy_store_has(s, 1))
		return cy_error_set(err, CY_E_USAGE, "the store driver %s does not "
		    "fill version 1 of the interface", s->drv->name);
	if (o->max_skew > CY_LOG_SKEW_MAX)
		return cy_error_set(err, CY_E_USAGE,
		    "the skew may be widened to at most %llu s",
		    (unsigned long long)CY_LOG_SKEW_MAX);
	if ((l = calloc(1, sizeof(*l))) == NULL ||
	    (l->cache = calloc(CACHE_SLOTS, sizeof(*l->cache))) == NULL) {
		free(l);
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	}
	l->s = s;
	l->drv = s->drv;
	l->readonly = (o->flags & CY_LOG_READONLY) != 0;
	l->clock = o->clock != NULL ? o->clock : system_clock;
	l->clock_ctx = o->clock_ctx;
	l->max_skew = o->max_skew > CY_LOG_SKEW ? o->max_skew : CY_LOG_SKEW;
	if ((r = cy_hasher_new(&l->h, err)) != 0)
		goto out;
	cy_tree_init(&l->tree, store_tile, l);
	/* A read-only handle reads from one snapshot (one read transaction)
	 * until cy_log_refresh: each read then costs no locking. */
	if (l->readonly) {
		if ((r = l->drv->begin(s, 0, err)) != 0)
			goto out;
		l->snapshot = 1;
	}
	if ((r = open_meta(l, err)) != 0)
		goto out;
	/* A damaged right edge still lets the audit say what is wrong. */
	if (load_state(l, &l->damage) != 0 && l->damage.code != CY_E_STORE) {
		r = cy_error_set(err, l->damage.code, "%s", l->damage.msg);
		goto out;
	}
	*out = l;
	l = NULL;
out:
	cy_log_close(l);
	return r;
}

void
cy_log_close(cy_log *l)
{
	if (l == NULL)
		return;
	if (l->snapshot)
		(void)l->drv->commit(l->s, NULL);
	if (l->own_store)
		cy_store_close(l->s);
	cy_note_verifier_free(l->v);
	cy_hasher_free(l->h);
	cy_buf_free(&l->ck_note);
	free(l->key_path);
	free(l->cache);
	free(l);
}

uint64_t
cy_log_size(const cy_log *l)
{
	return l->tree.size;
}

const char *
cy_log_origin(const cy_log *l)
{
	return l->origin;
}

const cy_note_verifier *
cy_log_verifier(const cy_log *l)
{
	return l->v;
}

const char *
cy_log_key_path(const cy_log *l)
{
	return l->key_path;
}

void
cy_log_release(cy_log *l)
{
	if (l != NULL && l->snapshot) {
		l->snapshot = 0;
		(void)l->drv->commit(l->s, NULL);
	}
}

int
cy_log_refresh(cy_log *l, cy_error *err)
{
	uint64_t size;
	int r;

	if (l->readonly) {
		/* A fresh snapshot, also after cy_log_release. */
		if (l->snapshot) {
			l->snapshot = 0;
			if ((r = l->drv->commit(l->s, err)) != 0)
				return r;
		}
		if ((r = l->drv->begin(l->s, 0, err)) != 0)
			return r;
		l->snapshot = 1;
	}
	if ((r = cy_log_get_size(l, &size, err)) != 0)
		return r;
	return size == l->tree.size ? 0 : load_state(l, err);
}

static int
intact(const cy_log *l, cy_error *err)
{
	if (l->damage.code == 0)
		return 0;
	return cy_error_set(err, l->damage.code, "%s", l->damage.msg);
}

/* --- appending --- */

static int
store_right_edge(cy_log *l, cy_error *err)
{
	unsigned level;
	int r;

	if ((r = l->drv->partial_clear(l->s, err)) != 0)
		return r;
	for (level = 0; level < CY_TILE_LEVELS; level++) {
		if (l->tree.part[level].w == 0)
			continue;
		if ((r = l->drv->partial_put(l->s, level, l->tree.part[level].h[0],
		    (size_t)l->tree.part[level].w * CY_HASH_LEN, err)) != 0)
			return r;
	}
	return l->drv->size_put(l->s, l->tree.size, err);
}

static int
store_checkpoint(cy_log *l, const cy_note_signer *signer, uint64_t now,
    uint64_t previous, cy_error *err)
{
	cy_buf note = CY_BUF_INIT;
	cy_checkpoint c;
	int r;

	memset(&c, 0, sizeof(c));
	memcpy(c.origin, l->origin, sizeof(c.origin));
	c.size = l->tree.size;
	c.time = now;
	c.has_previous = 1;
	c.previous = previous;
	if ((r = cy_tree_root(&l->tree, l->h, c.root, err)) != 0 ||
	    (r = cy_checkpoint_sign(&c, signer, &note, err)) != 0)
		goto out;
	if ((r = l->drv->checkpoint_put(l->s, c.size, note.data, note.len,
	    err)) != 0)
		goto out;
	/* Remember it verified: receipts for this batch need no check. */
	l->ck_note.len = 0;
	cy_buf_append(&l->ck_note, note.data, note.len);
	l->ck = c;
out:
	cy_buf_free(&note);
	return r;
}

static int
same_key(const cy_note_signer *s, const cy_note_verifier *v)
{
	char a[CY_NOTE_KEY_STR_MAX], b[CY_NOTE_KEY_STR_MAX];

	cy_note_signer_verifier_string(s, a);
	cy_note_verifier_string(v, b);
	return strcmp(a, b) == 0;
}

#define STORE_STEP 256 /* entries stored per wait for the checkers */
#define ULL(x) ((unsigned long long)(x))

/* The batch's time: the register's clock, never before the latest
 * checkpoint's, which must be of the register's size. */
static int
batch_time(cy_log *l, uint64_t *now, cy_error *err)
{
	cy_buf note = CY_BUF_INIT;
	cy_checkpoint c;
	int64_t t = l->clock(l->clock_ctx);
	int r;

	if ((r = cy_log_checkpoint_latest(l, &note, &c, err)) != 0)
		goto out;
	if (c.size != l->tree.size) {
		r = cy_error_set(err, CY_E_STORE, "the latest checkpoint is of size "
		    "%llu, the register's size %llu (run coyeu log audit)",
		    ULL(c.size), ULL(l->tree.size));
		goto out;
	}
	if (t < 0) {
		r = cy_error_set(err, CY_E_USAGE, "the register's clock reads "
		    "before 1970: set the system clock");
		goto out;
	}
	*now = (uint64_t)t > c.time ? (uint64_t)t : c.time;
out:
	cy_buf_free(&note);
	return r;
}

int
cy_log_imported(int64_t time, uint64_t logged)
{
	if (time < 0)
		return 1;
	if ((uint64_t)time > logged)
		return (uint64_t)time - logged > CY_LOG_SKEW ? -1 : 0;
	return logged - (uint64_t)time > CY_LOG_SKEW;
}

/* Entry i's signed time t against the batch's time now. */
static int
check_time(const cy_log *l, size_t i, int64_t t, uint64_t now, cy_error *err)
{
	char ts[CY_CANON_TIME_LEN + 1], ns[CY_CANON_TIME_LEN + 1];
	uint64_t d;

	if (cy_canon_time_format(t, ts, NULL) != 0 ||
	    cy_canon_time_format((int64_t)now, ns, NULL) != 0)
		return cy_error_set(err, CY_E_POLICY,
		    "entry %zu of the batch: its time is out of range", i);
	if (cy_log_imported(t, now) < 0)
		return cy_error_set(err, CY_E_POLICY, "entry %zu of the batch: its "
		    "time %s is %llu s after the register's clock %s, more than the "
		    "allowed skew of %d s (--max-skew widens only the past)", i, ts,
		    ULL((uint64_t)t - now), ns, CY_LOG_SKEW);
	d = t < 0 || (uint64_t)t < now ? now - (uint64_t)t : 0;
	if (d > l->max_skew)
		return cy_error_set(err, CY_E_POLICY, "entry %zu of the batch: its "
		    "time %s is %llu s before the register's clock %s, more than the "
		    "allowed skew of %llu s (to import old records, widen it with "
		    "--max-skew SECONDS)", i, ts, ULL(d), ns, ULL(l->max_skew));
	return 0;
}

int
cy_log_leaf_index(cy_log *l, const uint8_t leaf[CY_HASH_LEN], uint64_t *idx,
    cy_error *err)
{
	return l->drv->leaf_find(l->s, leaf, idx, err);
}

/* Records entry index's record hash, refusing one the register (or the
 * batch, from `start` on) already holds. */
static int
store_leaf(cy_log *l, size_t i, uint64_t index, uint64_t start,
    const uint8_t leaf[CY_HASH_LEN], cy_error *err)
{
	uint64_t old;
	int r;

	if ((r = cy_log_leaf_index(l, leaf, &old, err)) < 0)
		return r;
	if (r == 1 && old >= start)
		return cy_error_set(err, CY_E_POLICY, "entry %zu of the batch "
		    "repeats entry %llu of the batch: an entry is appended once",
		    i, ULL(old - start));
	if (r == 1)
		return cy_error_set(err, CY_E_POLICY, "entry %zu of the batch is "
		    "already in the register at index %llu: an entry is appended "
		    "once", i, ULL(old));
	return l->drv->leaf_put(l->s, leaf, index, err);
}

int
cy_log_append(cy_log *l, const cy_note_signer *signer,
    const uint8_t *const *entries, const size_t *lens, size_t n, int threads,
    uint64_t *first, size_t *bad, cy_error *err)
{
	return cy_log_append_with(l, signer, entries, lens, n, threads, NULL,
	    NULL, first, bad, err);
}

int
cy_log_append_with(cy_log *l, const cy_note_signer *signer,
    const uint8_t *const *entries, const size_t *lens, size_t n, int threads,
    cy_log_append_hook *hook, void *hook_ctx, uint64_t *first, size_t *bad,
    cy_error *err)
{
	return cy_log_append_checked(l, signer, entries, lens, NULL, n, threads,
	    hook, hook_ctx, first, bad, err);
}

/* When every entry comes with a checked object of its bytes: their
 * hashes and times, here (1), with no worker threads to start; 0 when
 * some entry needs its signature checked, <0 on failure. */
static int
all_checked(cy_log *l, const uint8_t *const *entries, const size_t *lens,
    const cy_entry_checked *const *checked, size_t n,
    uint8_t (*leaf)[CY_HASH_LEN], int64_t *times, cy_error *err)
{
	size_t i;
	int r;

	for (i = 0; i < n; i++)
		if (!cy_entry_checked_same(checked, i, entries[i], lens[i]))
			return 0;
	for (i = 0; i < n; i++) {
		times[i] = checked[i]->time;
		if ((r = cy_merkle_leaf_hash(l->h, entries[i], lens[i],
		    leaf[i])) != 0)
			return cy_error_set(err, r, "SHA-256 failed");
	}
	return 1;
}

int
cy_log_append_checked(cy_log *l, const cy_note_signer *signer,
    const uint8_t *const *entries, const size_t *lens,
    const cy_entry_checked *const *checked, size_t n, int threads,
    cy_log_append_hook *hook, void *hook_ctx, uint64_t *first, size_t *bad,
    cy_error *err)
{
	uint8_t (*leaf)[CY_HASH_LEN] = NULL;
	struct cy_checker *check = NULL;
	int64_t *times = NULL;
	uint64_t start, now = 0;
	size_t i, upto;
	int r, began = 0;

	if (bad != NULL)
		*bad = SIZE_MAX;
	if (l->readonly)
		return cy_error_set(err, CY_E_USAGE, "the register is open read-only");
	if (n == 0 || n > CY_LOG_BATCH_MAX)
		return cy_error_set(err, CY_E_USAGE, "a batch holds 1 to %d entries",
		    CY_LOG_BATCH_MAX);
	if (!same_key(signer, l->v))
		return cy_error_set(err, CY_E_USAGE,
		    "the checkpoint key is not this register's key (%s)",
		    cy_note_verifier_name(l->v));
	if ((leaf = malloc(n * CY_HASH_LEN)) == NULL ||
	    (times = malloc(n * sizeof(*times))) == NULL) {
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	/* Workers check signatures while this thread stores what they have
	 * checked: both cores stay busy until the commit. */
	if ((r = all_checked(l, entries, lens, checked, n, leaf, times,
	    err)) < 0 ||
	    (r == 0 && (r = cy_checker_start(entries, lens, checked, n, threads,
	    leaf, times, &check, err)) != 0) ||
	    (r = l->drv->begin(l->s, 1, err)) != 0)
		goto out;
	began = 1;
	/* Another process may have appended since we last looked; the clock
	 * is read under the write lock, so batch times follow the chain. */
	if ((r = cy_log_refresh(l, err)) != 0 || (r = intact(l, err)) != 0 ||
	    (r = batch_time(l, &now, err)) != 0)
		goto out;
	start = l->tree.size;
	if (start > UINT64_MAX - n || start + n > (uint64_t)INT64_MAX) {
		r = cy_error_set(err, CY_E_TOO_LARGE, "the register is full");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (check != NULL && i % STORE_STEP == 0) {
			upto = i + STORE_STEP < n ? i + STORE_STEP : n;
			if ((r = cy_checker_wait(check, upto, bad, err)) != 0)
				goto out;
		}
		if ((r = check_time(l, i, times[i], now, err)) != 0 ||
		    (r = store_leaf(l, i, start + i, start, leaf[i], err)) != 0) {
			if (bad != NULL)
				*bad = i;
			goto out;
		}
		if ((r = l->drv->entry_put(l->s, start + i, entries[i], lens[i],
		    err)) != 0 ||
		    (r = cy_tree_add(&l->tree, l->h, leaf[i], err)) != 0)
			goto out;
	}
	if ((hook != NULL && (r = hook(hook_ctx, l->s, start, err)) != 0) ||
	    (r = store_right_edge(l, err)) != 0 ||
	    (r = store_checkpoint(l, signer, now, start, err)) != 0 ||
	    (r = l->drv->commit(l->s, err)) != 0)
		goto out;
	began = 0;
	*first = start;
out:
	cy_checker_finish(check);
	if (began) {
		l->drv->rollback(l->s);
		(void)load_state(l, NULL);
	}
	free(leaf);
	free(times);
	return r;
}

/* --- reading --- */

/* A driver's get result r: found (0), not found, or its error. */
static int
found(int r, cy_error *err, const char *what)
{
	if (r == 0)
		return cy_error_set(err, CY_E_NOT_FOUND, "no such %s", what);
	return r < 0 ? r : 0;
}

int
cy_log_checkpoint_at(cy_log *l, uint64_t size, cy_buf *note, cy_error *err)
{
	return found(l->drv->checkpoint_get(l->s, size, note, err), err,
	    "checkpoint");
}

int
cy_log_checkpoint_latest(cy_log *l, cy_buf *note, cy_checkpoint *c,
    cy_error *err)
{
	int r;

	if ((r = found(l->drv->checkpoint_latest(l->s, note, err), err,
	    "checkpoint")) != 0)
		return r;
	if (c != NULL && (r = cy_checkpoint_open(note->data, note->len, l->v, c,
	    err)) != 0)
		cy_error_wrap(err, "stored checkpoint");
	return r;
}

struct sizes {
	uint64_t *v;
	size_t n, cap;
};

static int
add_size(void *ctx, uint64_t size, const uint8_t *note, size_t len,
    cy_error *err)
{
	struct sizes *z = ctx;
	uint64_t *grown;

	if (z->n == z->cap) {
		z->cap = z->cap ? z->cap * 2 : 16;
		if ((grown = realloc(z->v, z->cap * sizeof(*z->v))) == NULL)
			return cy_error_set(err, CY_E_NOMEM, "out of memory");
		z->v = grown;
	}
	z->v[z->n++] = size;
	return 0;
}

int
cy_log_checkpoint_sizes(cy_log *l, uint64_t from, uint64_t **sizes, size_t *n,
    cy_error *err)
{
	struct sizes z = {NULL, 0, 0};
	int r;

	*sizes = NULL;
	*n = 0;
	if ((r = l->drv->checkpoint_scan(l->s, from, add_size, &z, err)) != 0) {
		free(z.v);
		return r;
	}
	*sizes = z.v;
	*n = z.n;
	return 0;
}

int
cy_log_entry(cy_log *l, uint64_t index, cy_buf *out, cy_error *err)
{
	if (index >= l->tree.size)
		return cy_error_set(err, CY_E_NOT_FOUND,
		    "no entry %llu: the register holds %llu",
		    (unsigned long long)index, (unsigned long long)l->tree.size);
	return found(l->drv->entry_get(l->s, index, out, err), err, "entry");
}

int
cy_log_entry_info_get(cy_log *l, uint64_t index, cy_log_entry_info *info,
    cy_error *err)
{
	cy_buf e = CY_BUF_INIT, note = CY_BUF_INIT;
	cy_checkpoint c;
	int r;

	memset(info, 0, sizeof(*info));
	if ((r = cy_log_entry(l, index, &e, err)) != 0 ||
	    (r = cy_entry_verify_time(e.data, e.len, &info->time, err)) != 0)
		goto out;
	if ((r = found(l->drv->checkpoint_after(l->s, index, &note, err), err,
	    "checkpoint")) != 0 ||
	    (r = cy_checkpoint_open(note.data, note.len, l->v, &c, err)) != 0)
		goto out;
	/* The one before it must not hold the entry: else a checkpoint is
	 * missing and the batch's time is unknown. */
	if (!c.has_previous || c.previous > index) {
		r = cy_error_set(err, CY_E_PROOF, "the checkpoint of entry %llu's "
		    "batch is missing (run coyeu log audit)", ULL(index));
		goto out;
	}
	info->batch_size = c.size;
	info->logged = c.time;
	info->imported = cy_log_imported(info->time, c.time) != 0;
out:
	if (r != 0)
		cy_error_wrap(err, "entry %llu", ULL(index));
	cy_buf_free(&e);
	cy_buf_free(&note);
	return r;
}

/* A full tile, through the per-handle cache. */
static int
get_tile(cy_log *l, unsigned level, uint64_t index, const struct cache_slot **out,
    cy_error *err)
{
	int64_t id = TILE_ID(level, index);
	struct cache_slot *c = &l->cache[((uint64_t)id * 0x9e3779b97f4a7c15ULL) >> 58];
	size_t len;
	int r;

	if (!c->valid || c->id != id) {
		c->valid = 0; /* the read below overwrites the slot */
		if ((r = l->drv->tile_get(l->s, level, index, c->h[0], CY_TILE_BYTES,
		    &len, err)) < 0)
			return r;
		if (r == 0 || len != CY_TILE_BYTES)
			return cy_error_set(err, CY_E_STORE,
			    "tile %u/%llu is missing or damaged (run coyeu log audit)",
			    level, (unsigned long long)index);
		c->id = id;
		c->valid = 1;
	}
	*out = c;
	return 0;
}

static int
log_node(void *ctx, unsigned level, uint64_t index, uint8_t out[CY_HASH_LEN],
    cy_error *err)
{
	const struct cache_slot *c;
	cy_log *l = ctx;
	unsigned tl, slot;
	uint64_t ti;
	int r;

	if ((r = cy_tree_partial_node(&l->tree, level, index, out)) == 1)
		return 0;
	if (r < 0)
		return cy_error_set(err, CY_E_NOT_FOUND,
		    "the register has no subtree %u/%llu", level,
		    (unsigned long long)index);
	cy_tree_locate(level, index, &tl, &ti, &slot);
	if ((r = get_tile(l, tl, ti, &c, err)) != 0)
		return r;
	memcpy(out, c->h[slot], CY_HASH_LEN);
	return 0;
}

static int
check_size(const cy_log *l, uint64_t size, cy_error *err)
{
	if (intact(l, err) != 0)
		return l->damage.code;
	if (size > l->tree.size)
		return cy_error_set(err, CY_E_NOT_FOUND,
		    "size %llu is beyond the register's %llu entries",
		    (unsigned long long)size, (unsigned long long)l->tree.size);
	return 0;
}

int
cy_log_root(cy_log *l, uint64_t size, uint8_t root[CY_HASH_LEN], cy_error *err)
{
	int r;

	if ((r = check_size(l, size, err)) != 0)
		return r;
	return cy_merkle_root(log_node, l, l->h, size, root, err);
}

int
cy_log_inclusion_proof(cy_log *l, uint64_t index, uint64_t size,
    uint8_t proof[][CY_HASH_LEN], size_t *n, cy_error *err)
{
	int r;

	if ((r = check_size(l, size, err)) != 0)
		return r;
	return cy_merkle_inclusion_proof(log_node, l, l->h, index, size, proof,
	    n, err);
}

int
cy_log_consistency_proof(cy_log *l, uint64_t size1, uint64_t size2,
    uint8_t proof[][CY_HASH_LEN], size_t *n, cy_error *err)
{
	int r;

	if ((r = check_size(l, size2, err)) != 0)
		return r;
	return cy_merkle_consistency_proof(log_node, l, l->h, size1, size2,
	    proof, n, err);
}

int
cy_log_receipt(cy_log *l, uint64_t index, uint64_t size, cy_buf *out,
    cy_error *err)
{
	uint8_t proof[CY_MERKLE_PROOF_MAX][CY_HASH_LEN];
	cy_buf note = CY_BUF_INIT;
	cy_checkpoint c;
	size_t n;
	int r;

	r = size == 0 ? cy_log_checkpoint_latest(l, &note, NULL, err) :
	    cy_log_checkpoint_at(l, size, &note, err);
	if (r != 0)
		goto out;
	/* Our own signature is checked once per checkpoint, not per receipt. */
	if (note.len != l->ck_note.len || cy_buf_status(&l->ck_note) != 0 ||
	    memcmp(note.data, l->ck_note.data, note.len) != 0) {
		if ((r = cy_checkpoint_open(note.data, note.len, l->v, &c, err)) != 0) {
			cy_error_wrap(err, "stored checkpoint");
			goto out;
		}
		l->ck_note.len = 0;
		cy_buf_append(&l->ck_note, note.data, note.len);
		l->ck = c;
	}
	if (index >= l->ck.size) {
		r = cy_error_set(err, CY_E_NOT_FOUND,
		    "entry %llu is not in the checkpoint of size %llu",
		    (unsigned long long)index, (unsigned long long)l->ck.size);
		goto out;
	}
	if ((r = cy_log_inclusion_proof(l, index, l->ck.size, proof, &n, err)) == 0)
		r = cy_tlogproof_format(index, proof, n, NULL, 0, note.data,
		    note.len, out, err);
out:
	cy_buf_free(&note);
	return r;
}

int
cy_log_tile(cy_log *l, unsigned level, uint64_t index, unsigned width,
    uint8_t *out, cy_error *err)
{
	const struct cache_slot *c;
	uint64_t full;
	int r;

	if (level >= CY_TILE_LEVELS || width < 1 || width > CY_TILE_WIDTH)
		return cy_error_set(err, CY_E_USAGE, "no tile %u/%llu.p/%u", level,
		    (unsigned long long)index, width);
	if ((r = intact(l, err)) != 0)
		return r;
	full = level + 1 < CY_TILE_LEVELS ?
	    l->tree.size >> (CY_TILE_HEIGHT * (level + 1)) : 0;
	if (index < full) {
		if ((r = get_tile(l, level, index, &c, err)) != 0)
			return r;
		memcpy(out, c->h, (size_t)width * CY_HASH_LEN);
		return 0;
	}
	if (index > full || width > l->tree.part[level].w)
		return cy_error_set(err, CY_E_NOT_FOUND,
		    "the register has no tile %u/%llu of width %u", level,
		    (unsigned long long)index, width);
	memcpy(out, l->tree.part[level].h, (size_t)width * CY_HASH_LEN);
	return 0;
}
