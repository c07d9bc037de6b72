/* The register's SQLite store: entries, tiles, checkpoints (see log.h). */
#include <errno.h>
#include <fcntl.h>
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

static const char *const sql_text[NSTMT] = {
	[S_INS_ENTRY] = "INSERT INTO entry(idx, data) VALUES(?, ?)",
	[S_INS_TILE] = "INSERT INTO tile(id, hashes) VALUES(?, ?)",
	[S_GET_TILE] = "SELECT hashes FROM tile WHERE id = ?",
	[S_GET_ENTRY] = "SELECT data FROM entry WHERE idx = ?",
	[S_INS_CKPT] = "INSERT INTO checkpoint(size, note) VALUES(?, ?)",
	[S_GET_CKPT] = "SELECT note FROM checkpoint WHERE size = ?",
	[S_LAST_CKPT] = "SELECT note FROM checkpoint ORDER BY size DESC LIMIT 1",
	[S_SET_SIZE] = "UPDATE meta SET v = ? WHERE k = 'size'",
	[S_GET_META] = "SELECT v FROM meta WHERE k = ?",
	[S_DEL_PARTIAL] = "DELETE FROM partial",
	[S_INS_PARTIAL] = "INSERT INTO partial(level, hashes) VALUES(?, ?)",
	[S_GET_PARTIAL] = "SELECT hashes FROM partial WHERE level = ?",
	[S_INS_LEAF] = "INSERT INTO leaf(hash, idx) VALUES(?, ?)",
	[S_GET_LEAF] = "SELECT idx FROM leaf WHERE hash = ?",
	[S_FIRST_CKPT] = ("SELECT note FROM checkpoint WHERE size > ? "
	    "ORDER BY size LIMIT 1"),
};

static const char schema[] =
    "CREATE TABLE meta(k TEXT PRIMARY KEY, v);"
    "CREATE TABLE entry(idx INTEGER PRIMARY KEY, data BLOB NOT NULL);"
    "CREATE TABLE tile(id INTEGER PRIMARY KEY, hashes BLOB NOT NULL);"
    "CREATE TABLE partial(level INTEGER PRIMARY KEY, hashes BLOB NOT NULL);"
    "CREATE TABLE checkpoint(size INTEGER PRIMARY KEY, note BLOB NOT NULL);"
    /* Every entry's record hash: an entry is never appended twice. */
    "CREATE TABLE leaf(hash BLOB PRIMARY KEY, idx INTEGER NOT NULL) "
    "WITHOUT ROWID;";

int
cy_log_db_fail(sqlite3 *db, cy_error *err, const char *what)
{
	return cy_error_set(err, CY_E_STORE, "%s: %s", what, sqlite3_errmsg(db));
}

static int
exec(sqlite3 *db, const char *sql, cy_error *err)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return cy_log_db_fail(db, err, sql);
	return 0;
}

/* Runs a prepared statement that returns no row, then resets it. */
int
cy_log_step_done(sqlite3 *db, sqlite3_stmt *st, cy_error *err, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : cy_log_db_fail(db, err, what);
}

/* Steps a one-row query: 1 with a row, 0 with none, <0 on error.  The
 * caller resets st after reading the row. */
int
cy_log_step_row(sqlite3 *db, sqlite3_stmt *st, cy_error *err, const char *what)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 1;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : cy_log_db_fail(db, err, what);
}

void
cy_log_finish(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

static int
pragmas(sqlite3 *db, int readonly, cy_error *err)
{
	int r;

	sqlite3_busy_timeout(db, 30000);
	/* Tiles are read straight from the mapped file, not copied in. */
	if ((r = exec(db, "PRAGMA cache_size = -65536", err)) != 0 ||
	    (r = exec(db, "PRAGMA mmap_size = 1073741824", err)) != 0)
		return r;
	if (readonly)
		return 0;
	/* FULL: a commit returns after the WAL is fsynced, so an appended
	 * entry survives power loss, not just a crash. */
	return exec(db, "PRAGMA synchronous = FULL", err);
}

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

int
cy_log_create(const char *path, const cy_note_signer *signer,
    const char *key_path, const cy_log_options *o, cy_error *err)
{
	char vkey[CY_NOTE_KEY_STR_MAX];
	cy_buf note = CY_BUF_INIT;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	cy_checkpoint c;
	int64_t now;
	int fd, r;

	/* O_EXCL: never take over an existing file. */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0)
		return cy_error_set(err, CY_E_IO, "cannot create %s: %s", path,
		    strerror(errno));
	close(fd);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		r = cy_log_db_fail(db, err, "open");
		goto out;
	}
	memset(&c, 0, sizeof(c));
	snprintf(c.origin, sizeof(c.origin), "%s", cy_note_signer_name(signer));
	cy_merkle_empty_root(c.root);
	now = clock_now(o);
	c.time = now > 0 ? (uint64_t)now : 0;
	cy_note_signer_verifier_string(signer, vkey);
	if ((r = pragmas(db, 0, err)) != 0 ||
	    (r = exec(db, "PRAGMA journal_mode = WAL", err)) != 0 ||
	    (r = exec(db, "BEGIN", err)) != 0 || (r = exec(db, schema, err)) != 0 ||
	    (r = cy_checkpoint_sign(&c, signer, &note, err)) != 0)
		goto out;
	if (sqlite3_prepare_v2(db, "INSERT INTO meta(k, v) VALUES "
	    "('format', ?1), ('origin', ?2), ('vkey', ?3), ('key-path', ?4), "
	    "('size', 0)", -1, &st, NULL) != SQLITE_OK) {
		r = cy_log_db_fail(db, err, "prepare");
		goto out;
	}
	sqlite3_bind_text(st, 1, CY_LOG_FORMAT, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c.origin, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, vkey, -1, SQLITE_STATIC);
	if (key_path != NULL)
		sqlite3_bind_text(st, 4, key_path, -1, SQLITE_STATIC);
	if ((r = cy_log_step_done(db, st, err, "meta")) != 0)
		goto out;
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db, sql_text[S_INS_CKPT], -1, &st, NULL) != SQLITE_OK) {
		r = cy_log_db_fail(db, err, "prepare");
		goto out;
	}
	sqlite3_bind_int64(st, 1, 0);
	sqlite3_bind_blob(st, 2, note.data, (int)note.len, SQLITE_STATIC);
	if ((r = cy_log_step_done(db, st, err, "checkpoint")) != 0 ||
	    (r = exec(db, "COMMIT", err)) != 0)
		goto out;
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	cy_buf_free(&note);
	if (r != 0)
		unlink(path);
	return r;
}

/* A meta value as text into out (cap bytes); 0, or <0. */
static int
get_meta(cy_log *l, const char *k, char *out, size_t cap, cy_error *err)
{
	sqlite3_stmt *st = l->st[S_GET_META];
	const unsigned char *v;
	int r;

	sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
	if ((r = cy_log_step_row(l->db, st, err, "meta")) <= 0)
		return r == 0 ? cy_error_set(err, CY_E_STORE,
		    "not a coyeu register: no %s", k) : r;
	v = sqlite3_column_text(st, 0);
	if (v == NULL) {
		out[0] = '\0';
	} else if ((size_t)sqlite3_column_bytes(st, 0) >= cap) {
		cy_log_finish(st);
		return cy_error_set(err, CY_E_STORE, "register %s too long", k);
	} else {
		memcpy(out, v, (size_t)sqlite3_column_bytes(st, 0) + 1);
	}
	cy_log_finish(st);
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
	sqlite3_stmt *st = l->st[S_GET_PARTIAL];
	uint64_t size;
	unsigned level, w;
	int r;

	if ((r = cy_log_get_size(l, &size, err)) != 0)
		return r;
	cy_tree_init(&l->tree, l->tree.full, l->tree.ctx);
	l->tree.size = size;
	for (level = 0; level < CY_TILE_LEVELS; level++) {
		w = (unsigned)((size >> (CY_TILE_HEIGHT * level)) & 0xff);
		if (w == 0)
			continue;
		sqlite3_bind_int(st, 1, (int)level);
		if ((r = cy_log_step_row(l->db, st, err, "partial tile")) < 0)
			return r;
		if (r == 0 || (size_t)sqlite3_column_bytes(st, 0) !=
		    (size_t)w * CY_HASH_LEN) {
			if (r == 1)
				cy_log_finish(st);
			return cy_error_set(err, CY_E_STORE,
			    "the partial tile at level %u is missing or damaged "
			    "(run coyeu log audit)", level);
		}
		memcpy(l->tree.part[level].h, sqlite3_column_blob(st, 0),
		    (size_t)w * CY_HASH_LEN);
		cy_log_finish(st);
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
	sqlite3_stmt *st = l->st[S_INS_TILE];

	sqlite3_bind_int64(st, 1, TILE_ID(level, index));
	sqlite3_bind_blob(st, 2, t->h, CY_TILE_BYTES, SQLITE_STATIC);
	return cy_log_step_done(l->db, st, err, "store tile");
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
	cy_log_options none;
	cy_log *l;
	int i, r, oflags;

	*out = NULL;
	if (o == NULL) {
		memset(&none, 0, sizeof(none));
		o = &none;
	}
	if (o->max_skew > CY_LOG_SKEW_MAX)
		return cy_error_set(err, CY_E_USAGE,
		    "the skew may be widened to at most %llu s",
		    (unsigned long long)CY_LOG_SKEW_MAX);
	if ((l = calloc(1, sizeof(*l))) == NULL ||
	    (l->cache = calloc(CACHE_SLOTS, sizeof(*l->cache))) == NULL) {
		free(l);
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	}
	l->readonly = (o->flags & CY_LOG_READONLY) != 0;
	l->clock = o->clock != NULL ? o->clock : system_clock;
	l->clock_ctx = o->clock_ctx;
	l->max_skew = o->max_skew > CY_LOG_SKEW ? o->max_skew : CY_LOG_SKEW;
	oflags = l->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	if (sqlite3_open_v2(path, &l->db, oflags, NULL) != SQLITE_OK) {
		r = cy_error_set(err, CY_E_STORE, "cannot open register %s: %s",
		    path, sqlite3_errmsg(l->db));
		goto out;
	}
	if ((r = pragmas(l->db, l->readonly, err)) != 0 ||
	    (r = cy_hasher_new(&l->h, err)) != 0)
		goto out;
	for (i = 0; i < NSTMT; i++)
		if (sqlite3_prepare_v3(l->db, sql_text[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &l->st[i], NULL) != SQLITE_OK) {
			r = cy_error_set(err, CY_E_STORE, "%s is not a coyeu register: %s",
			    path, sqlite3_errmsg(l->db));
			goto out;
		}
	cy_tree_init(&l->tree, store_tile, l);
	/* A read-only handle reads from one snapshot (one read transaction)
	 * until cy_log_refresh: each read then costs no locking. */
	if (l->readonly) {
		if ((r = exec(l->db, "BEGIN", err)) != 0)
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
	int i;

	if (l == NULL)
		return;
	for (i = 0; i < NSTMT; i++)
		sqlite3_finalize(l->st[i]);
	if (l->snapshot)
		(void)exec(l->db, "COMMIT", NULL);
	sqlite3_close(l->db);
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

int
cy_log_refresh(cy_log *l, cy_error *err)
{
	uint64_t size;
	int r;

	if (l->snapshot && ((r = exec(l->db, "COMMIT", err)) != 0 ||
	    (r = exec(l->db, "BEGIN", err)) != 0))
		return r;
	if ((r = cy_log_get_size(l, &size, err)) != 0)
		return r;
	return size == l->tree.size ? 0 : load_state(l, err);
}

/* Refuses work that needs the tree's right edge when it did not load. */
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
	sqlite3_stmt *st = l->st[S_INS_PARTIAL];
	unsigned level;
	int r;

	if ((r = cy_log_step_done(l->db, l->st[S_DEL_PARTIAL], err, "partial tiles")) != 0)
		return r;
	for (level = 0; level < CY_TILE_LEVELS; level++) {
		if (l->tree.part[level].w == 0)
			continue;
		sqlite3_bind_int(st, 1, (int)level);
		sqlite3_bind_blob(st, 2, l->tree.part[level].h,
		    (int)(l->tree.part[level].w * CY_HASH_LEN), SQLITE_STATIC);
		if ((r = cy_log_step_done(l->db, st, err, "partial tile")) != 0)
			return r;
	}
	sqlite3_bind_int64(l->st[S_SET_SIZE], 1, (int64_t)l->tree.size);
	return cy_log_step_done(l->db, l->st[S_SET_SIZE], err, "size");
}

static int
store_checkpoint(cy_log *l, const cy_note_signer *signer, uint64_t now,
    uint64_t previous, cy_error *err)
{
	sqlite3_stmt *st = l->st[S_INS_CKPT];
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
	sqlite3_bind_int64(st, 1, (int64_t)c.size);
	sqlite3_bind_blob(st, 2, note.data, (int)note.len, SQLITE_STATIC);
	if ((r = cy_log_step_done(l->db, st, err, "store checkpoint")) != 0)
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
	sqlite3_stmt *st = l->st[S_GET_LEAF];
	int r;

	sqlite3_bind_blob(st, 1, leaf, CY_HASH_LEN, SQLITE_STATIC);
	if ((r = cy_log_step_row(l->db, st, err, "record hash")) == 1) {
		*idx = (uint64_t)sqlite3_column_int64(st, 0);
		cy_log_finish(st);
	}
	return r;
}

/* Records entry index's record hash, refusing one the register (or the
 * batch, from `start` on) already holds. */
static int
store_leaf(cy_log *l, size_t i, uint64_t index, uint64_t start,
    const uint8_t leaf[CY_HASH_LEN], cy_error *err)
{
	sqlite3_stmt *st = l->st[S_INS_LEAF];
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
	sqlite3_bind_blob(st, 1, leaf, CY_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)index);
	return cy_log_step_done(l->db, st, err, "store record hash");
}

int
cy_log_append(cy_log *l, const cy_note_signer *signer,
    const uint8_t *const *entries, const size_t *lens, size_t n, int threads,
    uint64_t *first, size_t *bad, cy_error *err)
{
	uint8_t (*leaf)[CY_HASH_LEN] = NULL;
	sqlite3_stmt *ins = l->st[S_INS_ENTRY];
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
	if ((r = cy_checker_start(entries, lens, n, threads, leaf, times, &check,
	    err)) != 0 || (r = exec(l->db, "BEGIN IMMEDIATE", err)) != 0)
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
		if (i % STORE_STEP == 0) {
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
		sqlite3_bind_int64(ins, 1, (int64_t)(start + i));
		sqlite3_bind_blob(ins, 2, entries[i], (int)lens[i], SQLITE_STATIC);
		if ((r = cy_log_step_done(l->db, ins, err, "store entry")) != 0 ||
		    (r = cy_tree_add(&l->tree, l->h, leaf[i], err)) != 0)
			goto out;
	}
	if ((r = store_right_edge(l, err)) != 0 ||
	    (r = store_checkpoint(l, signer, now, start, err)) != 0 ||
	    (r = exec(l->db, "COMMIT", err)) != 0)
		goto out;
	began = 0;
	*first = start;
out:
	cy_checker_finish(check);
	if (began) {
		(void)exec(l->db, "ROLLBACK", NULL);
		(void)load_state(l, NULL);
	}
	free(leaf);
	free(times);
	return r;
}

/* --- reading --- */

static int
blob_into(cy_log *l, sqlite3_stmt *st, cy_buf *out, cy_error *err,
    const char *what)
{
	int r;

	if ((r = cy_log_step_row(l->db, st, err, what)) <= 0)
		return r == 0 ? cy_error_set(err, CY_E_NOT_FOUND, "no such %s", what) : r;
	cy_buf_append(out, sqlite3_column_blob(st, 0),
	    (size_t)sqlite3_column_bytes(st, 0));
	cy_log_finish(st);
	return cy_buf_status(out) != 0 ?
	    cy_error_set(err, CY_E_NOMEM, "out of memory") : 0;
}

int
cy_log_checkpoint_at(cy_log *l, uint64_t size, cy_buf *note, cy_error *err)
{
	sqlite3_bind_int64(l->st[S_GET_CKPT], 1, (int64_t)size);
	return blob_into(l, l->st[S_GET_CKPT], note, err, "checkpoint");
}

int
cy_log_checkpoint_latest(cy_log *l, cy_buf *note, cy_checkpoint *c,
    cy_error *err)
{
	int r;

	if ((r = blob_into(l, l->st[S_LAST_CKPT], note, err, "checkpoint")) != 0)
		return r;
	if (c != NULL && (r = cy_checkpoint_open(note->data, note->len, l->v, c,
	    err)) != 0)
		cy_error_wrap(err, "stored checkpoint");
	return r;
}

int
cy_log_checkpoint_sizes(cy_log *l, uint64_t from, uint64_t **sizes, size_t *n,
    cy_error *err)
{
	sqlite3_stmt *st = NULL;
	uint64_t *v = NULL, *grown;
	size_t cap = 0, count = 0;
	int rc, r = 0;

	*sizes = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(l->db, "SELECT size FROM checkpoint WHERE size >= ? "
	    "ORDER BY size", -1, &st, NULL) != SQLITE_OK)
		return cy_log_db_fail(l->db, err, "checkpoints");
	sqlite3_bind_int64(st, 1, (int64_t)from);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == cap) {
			cap = cap ? cap * 2 : 16;
			if ((grown = realloc(v, cap * sizeof(*v))) == NULL) {
				r = cy_error_set(err, CY_E_NOMEM, "out of memory");
				goto out;
			}
			v = grown;
		}
		v[count++] = (uint64_t)sqlite3_column_int64(st, 0);
	}
	if (rc != SQLITE_DONE) {
		r = cy_log_db_fail(l->db, err, "checkpoints");
		goto out;
	}
	*sizes = v;
	*n = count;
	v = NULL;
out:
	free(v);
	sqlite3_finalize(st);
	return r;
}

int
cy_log_entry(cy_log *l, uint64_t index, cy_buf *out, cy_error *err)
{
	if (index >= l->tree.size)
		return cy_error_set(err, CY_E_NOT_FOUND,
		    "no entry %llu: the register holds %llu",
		    (unsigned long long)index, (unsigned long long)l->tree.size);
	sqlite3_bind_int64(l->st[S_GET_ENTRY], 1, (int64_t)index);
	return blob_into(l, l->st[S_GET_ENTRY], out, err, "entry");
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
	sqlite3_bind_int64(l->st[S_FIRST_CKPT], 1, (int64_t)index);
	if ((r = blob_into(l, l->st[S_FIRST_CKPT], &note, err, "checkpoint")) != 0 ||
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
	sqlite3_stmt *st = l->st[S_GET_TILE];
	int r;

	if (!c->valid || c->id != id) {
		sqlite3_bind_int64(st, 1, id);
		if ((r = cy_log_step_row(l->db, st, err, "tile")) < 0)
			return r;
		if (r == 0 || sqlite3_column_bytes(st, 0) != CY_TILE_BYTES) {
			if (r == 1)
				cy_log_finish(st);
			return cy_error_set(err, CY_E_STORE,
			    "tile %u/%llu is missing or damaged (run coyeu log audit)",
			    level, (unsigned long long)index);
		}
		memcpy(c->h, sqlite3_column_blob(st, 0), CY_TILE_BYTES);
		cy_log_finish(st);
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
