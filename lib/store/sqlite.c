/* The SQLite store driver: the register and the registry's records in one
 * file, WAL, synchronous=FULL, secure_delete.  With postgres.c, the only
 * files of the library that speak SQL. */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coyeu/store.h"
#include "store/storeint.h"

#define TILE_ID(level, index) ((int64_t)((uint64_t)(level) << 56 | (index)))
#define BUSY_WAIT_MS 30000

enum {
	S_INS_ENTRY, S_GET_ENTRY, S_SCAN_ENTRY, S_INS_TILE, S_GET_TILE,
	S_INS_CKPT, S_GET_CKPT, S_LAST_CKPT, S_NEXT_CKPT, S_SCAN_CKPT,
	S_SET_SIZE, S_GET_META, S_PUT_META, S_DEL_PARTIAL, S_INS_PARTIAL,
	S_GET_PARTIAL, S_INS_LEAF, S_GET_LEAF, S_COUNT_TILE, S_COUNT_PARTIAL,
	S_COUNT_LEAF, S_PUT_REC, S_ADD_REC, S_GET_REC, S_SCAN_REC, S_SCAN_GRP,
	S_DEL_REC, S_EXPIRE_REC, NSTMT,
};

static const char *const sql_text[NSTMT] = {
	[S_INS_ENTRY] = "INSERT INTO entry(idx, data) VALUES(?, ?)",
	[S_GET_ENTRY] = "SELECT data FROM entry WHERE idx = ?",
	[S_SCAN_ENTRY] = "SELECT idx, data FROM entry WHERE idx >= ? ORDER BY idx",
	[S_INS_TILE] = "INSERT INTO tile(id, hashes) VALUES(?, ?)",
	[S_GET_TILE] = "SELECT hashes FROM tile WHERE id = ?",
	[S_INS_CKPT] = "INSERT INTO checkpoint(size, note) VALUES(?, ?)",
	[S_GET_CKPT] = "SELECT note FROM checkpoint WHERE size = ?",
	[S_LAST_CKPT] = "SELECT note FROM checkpoint ORDER BY size DESC LIMIT 1",
	[S_NEXT_CKPT] = ("SELECT note FROM checkpoint WHERE size > ? "
	    "ORDER BY size LIMIT 1"),
	[S_SCAN_CKPT] = ("SELECT size, note FROM checkpoint WHERE size >= ? "
	    "ORDER BY size"),
	[S_SET_SIZE] = "INSERT OR REPLACE INTO meta(k, v) VALUES('size', ?)",
	[S_GET_META] = "SELECT v FROM meta WHERE k = ?",
	[S_PUT_META] = "INSERT OR REPLACE INTO meta(k, v) VALUES(?, ?)",
	[S_DEL_PARTIAL] = "DELETE FROM partial",
	[S_INS_PARTIAL] = "INSERT INTO partial(level, hashes) VALUES(?, ?)",
	[S_GET_PARTIAL] = "SELECT hashes FROM partial WHERE level = ?",
	[S_INS_LEAF] = "INSERT INTO leaf(hash, idx) VALUES(?, ?)",
	[S_GET_LEAF] = "SELECT idx FROM leaf WHERE hash = ?",
	[S_COUNT_TILE] = "SELECT count(*) FROM tile",
	[S_COUNT_PARTIAL] = "SELECT count(*) FROM partial",
	[S_COUNT_LEAF] = "SELECT count(*) FROM leaf",
	[S_PUT_REC] = ("INSERT OR REPLACE INTO records(kind, key, grp, time, data) "
	    "VALUES(?, ?, ?, ?, ?)"),
	[S_ADD_REC] = ("INSERT OR IGNORE INTO records(kind, key, grp, time, data) "
	    "VALUES(?, ?, ?, ?, ?)"),
	[S_GET_REC] = "SELECT data, time FROM records WHERE kind = ? AND key = ?",
	[S_SCAN_REC] = ("SELECT key, grp, time, data FROM records WHERE kind = ? "
	    "ORDER BY key"),
	[S_SCAN_GRP] = ("SELECT key, grp, time, data FROM records WHERE kind = ? "
	    "AND grp = ? ORDER BY key"),
	[S_DEL_REC] = "DELETE FROM records WHERE kind = ? AND key = ?",
	[S_EXPIRE_REC] = "DELETE FROM records WHERE kind = ? AND time < ?",
};

/* Schema 1: the register's tables (format coyeu-register-v2). */
static const char schema_v1[] =
    "CREATE TABLE meta(k TEXT PRIMARY KEY, v);"
    "CREATE TABLE entry(idx INTEGER PRIMARY KEY, data BLOB NOT NULL);"
    "CREATE TABLE tile(id INTEGER PRIMARY KEY, hashes BLOB NOT NULL);"
    "CREATE TABLE partial(level INTEGER PRIMARY KEY, hashes BLOB NOT NULL);"
    "CREATE TABLE checkpoint(size INTEGER PRIMARY KEY, note BLOB NOT NULL);"
    /* Every entry's record hash: an entry is never appended twice. */
    "CREATE TABLE leaf(hash BLOB PRIMARY KEY, idx INTEGER NOT NULL) "
    "WITHOUT ROWID;";

/* migration[i] brings schema i to i + 1 and says so in meta "schema";
 * init runs schema 1 and then every one, so a new store and a migrated
 * one are the same. */
static const char *const migration[] = {
	[1] = "CREATE TABLE records(kind TEXT NOT NULL, key TEXT NOT NULL, "
	    "grp TEXT NOT NULL, time INTEGER NOT NULL, data BLOB NOT NULL, "
	    "PRIMARY KEY(kind, key));"
	    /* rec_scan by group returns keys in order without sorting. */
	    "CREATE INDEX records_grp ON records(kind, grp, key);"
	    "CREATE INDEX records_time ON records(kind, time);"
	    "INSERT OR REPLACE INTO meta(k, v) VALUES('schema', '2');",
};

struct sq {
	cy_store base;
	sqlite3 *db;
	sqlite3_stmt *st[NSTMT];
};

#define SQ(s) ((struct sq *)(s))

/* Busy and locked may pass: the caller may try the transaction again. */
static int
fail(struct sq *d, int rc, cy_error *err, const char *what)
{
	rc &= 0xff;
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return cy_error_set(err, CY_E_STORE_RETRY, "%s: %s (another process "
		    "is writing: try again)", what, sqlite3_errmsg(d->db));
	return cy_error_set(err, CY_E_STORE, "%s: %s", what,
	    sqlite3_errmsg(d->db));
}

static int
exec(struct sq *d, const char *sql, cy_error *err)
{
	int rc = sqlite3_exec(d->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : fail(d, rc, err, sql);
}

static void
finish(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Statement i, prepared on first use (the tables may be new). */
static int
stmt(struct sq *d, int i, sqlite3_stmt **st, cy_error *err)
{
	int rc;

	if (d->st[i] == NULL && (rc = sqlite3_prepare_v3(d->db, sql_text[i], -1,
	    SQLITE_PREPARE_PERSISTENT, &d->st[i], NULL)) != SQLITE_OK)
		return (rc & 0xff) == SQLITE_ERROR ? cy_error_set(err, CY_E_STORE,
		    "not a coyeu register: %s", sqlite3_errmsg(d->db)) :
		    fail(d, rc, err, "prepare");
	*st = d->st[i];
	return 0;
}

/* Runs a statement that returns no row. */
static int
done(struct sq *d, sqlite3_stmt *st, cy_error *err, const char *what)
{
	int rc = sqlite3_step(st);

	finish(st);
	return rc == SQLITE_DONE ? 0 : fail(d, rc, err, what);
}

/* Steps a one-row query: 1 with a row (reset st after reading it), 0
 * with none, <0. */
static int
row(struct sq *d, sqlite3_stmt *st, cy_error *err, const char *what)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 1;
	finish(st);
	return rc == SQLITE_DONE ? 0 : fail(d, rc, err, what);
}

/* Column 0 of st's row into out (cap bytes), its length into *len. */
static int
row_bytes(struct sq *d, sqlite3_stmt *st, uint8_t *out, size_t cap,
    size_t *len, cy_error *err, const char *what)
{
	int r;

	if ((r = row(d, st, err, what)) != 1)
		return r;
	*len = (size_t)sqlite3_column_bytes(st, 0);
	memcpy(out, sqlite3_column_blob(st, 0), *len < cap ? *len : cap);
	finish(st);
	return 1;
}

static int
row_buf(struct sq *d, sqlite3_stmt *st, cy_buf *out, cy_error *err,
    const char *what)
{
	int r;

	if ((r = row(d, st, err, what)) != 1)
		return r;
	cy_buf_append(out, sqlite3_column_blob(st, 0),
	    (size_t)sqlite3_column_bytes(st, 0));
	finish(st);
	return cy_buf_status(out) != 0 ?
	    cy_error_set(err, CY_E_NOMEM, "out of memory") : 1;
}

/* Every row of st (key, blob), to fn. */
static int
scan(struct sq *d, sqlite3_stmt *st, cy_store_row_fn *fn, void *ctx,
    cy_error *err, const char *what)
{
	int rc, r = 0;

	while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW)
		r = fn(ctx, (uint64_t)sqlite3_column_int64(st, 0),
		    sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1),
		    err);
	if (r == 0 && rc != SQLITE_DONE)
		r = fail(d, rc, err, what);
	finish(st);
	return r;
}

static int
pragmas(struct sq *d, int flags, cy_error *err)
{
	int r;

	sqlite3_busy_timeout(d->db, (flags & CY_STORE_NOWAIT) ? 0 : BUSY_WAIT_MS);
	/* Tiles are read straight from the mapped file, not copied in. */
	/* A deleted record's bytes are overwritten with zeros in the page
	 * (the WAL's older frames go at cy_store_scrub's checkpoint). */
	if ((r = exec(d, "PRAGMA secure_delete = ON", err)) != 0 ||
	    (r = exec(d, "PRAGMA cache_size = -65536", err)) != 0 ||
	    (r = exec(d, (flags & CY_STORE_NOMAP) ? "PRAGMA mmap_size = 0" :
	    "PRAGMA mmap_size = 1073741824", err)) != 0)
		return r;
	if (flags & CY_STORE_READONLY)
		return 0;
	/* FULL: a commit returns after the WAL is fsynced, so an appended
	 * entry survives power loss, not just a crash. */
	if ((r = exec(d, "PRAGMA synchronous = FULL", err)) != 0)
		return r;
	return (flags & CY_STORE_CREATE) ?
	    exec(d, "PRAGMA journal_mode = WAL", err) : 0;
}

static void
sq_close(cy_store *s)
{
	struct sq *d = SQ(s);
	int i;

	if (d == NULL)
		return;
	for (i = 0; i < NSTMT; i++)
		sqlite3_finalize(d->st[i]);
	sqlite3_close(d->db);
	free(d);
}

/* A new, empty file: O_EXCL never takes over an existing one. */
static int
create_file(const char *path, cy_error *err)
{
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0)
		return cy_error_set(err, CY_E_IO, "cannot create %s: %s", path,
		    strerror(errno));
	close(fd);
	return 0;
}

static int
sq_open(const char *path, int flags, cy_store **out, cy_error *err)
{
	struct sq *d;
	int r, oflags, created = 0;

	*out = NULL;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	d->base.drv = cy_store_sqlite_driver();
	if ((flags & CY_STORE_CREATE) && (r = create_file(path, err)) != 0)
		goto out;
	created = (flags & CY_STORE_CREATE) != 0;
	oflags = (flags & CY_STORE_READONLY) ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE;
	if ((r = sqlite3_open_v2(path, &d->db, oflags, NULL)) != SQLITE_OK) {
		r = cy_error_set(err, CY_E_STORE, "cannot open register %s: %s",
		    path, d->db != NULL ? sqlite3_errmsg(d->db) : "out of memory");
		goto out;
	}
	if ((r = pragmas(d, flags, err)) != 0)
		goto out;
	*out = &d->base;
	d = NULL;
out:
	sq_close(d != NULL ? &d->base : NULL);
	if (d != NULL && created)
		unlink(path);
	return r;
}

static int
sq_begin(cy_store *s, int write, cy_error *err)
{
	return exec(SQ(s), write ? "BEGIN IMMEDIATE" : "BEGIN", err);
}

static int
sq_commit(cy_store *s, cy_error *err)
{
	return exec(SQ(s), "COMMIT", err);
}

static void
sq_rollback(cy_store *s)
{
	(void)exec(SQ(s), "ROLLBACK", NULL);
}

static int
sq_meta_get(cy_store *s, const char *k, char *out, size_t cap, size_t *len,
    cy_error *err)
{
	struct sq *d = SQ(s);
	sqlite3_stmt *st = NULL;
	const unsigned char *v;
	int r;

	if ((r = stmt(d, S_GET_META, &st, err)) != 0)
		return r;
	sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
	if ((r = row(d, st, err, "meta")) != 1)
		return r;
	v = sqlite3_column_text(st, 0);
	*len = v != NULL ? (size_t)sqlite3_column_bytes(st, 0) : 0;
	if (*len < cap)
		memcpy(out, v != NULL ? (const char *)v : "", *len + 1);
	finish(st);
	return 1;
}

static int
sq_meta_put(cy_store *s, const char *k, const char *v, cy_error *err)
{
	struct sq *d = SQ(s);
	sqlite3_stmt *st = NULL;
	int r;

	if ((r = stmt(d, S_PUT_META, &st, err)) != 0)
		return r;
	sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
	if (v != NULL)
		sqlite3_bind_text(st, 2, v, -1, SQLITE_STATIC);
	return done(d, st, err, "meta");
}

static int
migrate_from(struct sq *d, long schema, cy_error *err)
{
	int r = 0;

	for (; r == 0 && schema < CY_STORE_SCHEMA; schema++)
		r = exec(d, migration[schema], err);
	return r;
}

static int
sq_init(cy_store *s, cy_error *err)
{
	int r;

	if ((r = exec(SQ(s), schema_v1, err)) != 0)
		return r;
	return migrate_from(SQ(s), 1, err);
}

static int
sq_migrate(cy_store *s, cy_error *err)
{
	long schema;
	int r;

	if ((r = cy_store_schema(s, CY_STORE_SCHEMA, &schema, err)) != 0)
		return r;
	return migrate_from(SQ(s), schema, err);
}

/* Binds (int key, blob) and runs insert statement i. */
static int
put(struct sq *d, int i, int64_t key, const uint8_t *data, size_t len,
    cy_error *err, const char *what)
{
	sqlite3_stmt *st = NULL;
	int r;

	if (len > INT32_MAX)
		return cy_error_set(err, CY_E_TOO_LARGE, "%s too large", what);
	if ((r = stmt(d, i, &st, err)) != 0)
		return r;
	sqlite3_bind_int64(st, 1, key);
	if (data != NULL)
		sqlite3_bind_blob(st, 2, data, (int)len, SQLITE_STATIC);
	return done(d, st, err, what);
}

/* Binds an int key to query i, then reads its one row into out. */
static int
get_bytes(struct sq *d, int i, int64_t key, uint8_t *out, size_t cap,
    size_t *len, cy_error *err, const char *what)
{
	sqlite3_stmt *st = NULL;
	int r;

	if ((r = stmt(d, i, &st, err)) != 0)
		return r;
	sqlite3_bind_int64(st, 1, key);
	return row_bytes(d, st, out, cap, len, err, what);
}

static int
get_buf(struct sq *d, int i, int bind, int64_t key, cy_buf *out,
    cy_error *err, const char *what)
{
	sqlite3_stmt *st = NULL;
	int r;

	if ((r = stmt(d, i, &st, err)) != 0)
		return r;
	if (bind)
		sqlite3_bind_int64(st, 1, key);
	return row_buf(d, st, out, err, what);
}

static int
get_scan(struct sq *d, int i, uint64_t from, cy_store_row_fn *fn, void *ctx,
    cy_error *err, const char *what)
{
	sqlite3_stmt *st = NULL;
	int r;

	if (from > INT64_MAX)
		return 0;
	if ((r = stmt(d, i, &st, err)) != 0)
		return r;
	sqlite3_bind_int64(st, 1, (int64_t)from);
	return scan(d, st, fn, ctx, err, what);
}

static int
sq_size_put(cy_store *s, uint64_t size, cy_error *err)
{
	return put(SQ(s), S_SET_SIZE, (int64_t)size, NULL, 0, err, "size");
}

static int
sq_entry_put(cy_store *s, uint64_t idx, const uint8_t *data, size_t len,
    cy_error *err)
{
	return put(SQ(s), S_INS_ENTRY, (int64_t)idx, data, len, err,
	    "store entry");
}

static int
sq_entry_get(cy_store *s, uint64_t idx, cy_buf *out, cy_error *err)
{
	return get_buf(SQ(s), S_GET_ENTRY, 1, (int64_t)idx, out, err, "entry");
}

static int
sq_entry_scan(cy_store *s, uint64_t from, cy_store_row_fn *fn, void *ctx,
    cy_error *err)
{
	return get_scan(SQ(s), S_SCAN_ENTRY, from, fn, ctx, err, "entries");
}

static int
sq_leaf_put(cy_store *s, const uint8_t *hash, uint64_t idx, cy_error *err)
{
	struct sq *d = SQ(s);
	sqlite3_stmt *st = NULL;
	int r;

	if ((r = stmt(d, S_INS_LEAF, &st, err)) != 0)
		return r;
	sqlite3_bind_blob(st, 1, hash, CY_STORE_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)idx);
	return done(d, st, err, "store record hash");
}

static int
sq_leaf_find(cy_store *s, const uint8_t *hash, uint64_t *idx, cy_error *err)
{
	struct sq *d = SQ(s);
	sqlite3_stmt *st = NULL;
	int r;

	if ((r = stmt(d, S_GET_LEAF, &st, err)) != 0)
		return r;
	sqlite3_bind_blob(st, 1, hash, CY_STORE_HASH_LEN, SQLITE_STATIC);
	if ((r = row(d, st, err, "record hash")) == 1) {
		*idx = (uint64_t)sqlite3_column_int64(st, 0);
		finish(st);
	}
	return r;
}

static int
sq_tile_put(cy_store *s, unsigned level, uint64_t index, const uint8_t *data,
    size_t len, cy_error *err)
{
	return put(SQ(s), S_INS_TILE, TILE_ID(level, index), data, len, err,
	    "store tile");
}

static int
sq_tile_get(cy_store *s, unsigned level, uint64_t index, uint8_t *out,
    size_t cap, size_t *len, cy_error *err)
{
	return get_bytes(SQ(s), S_GET_TILE, TILE_ID(level, index), out, cap, len,
	    err, "tile");
}

static int
sq_partial_clear(cy_store *s, cy_error *err)
{
	struct sq *d = SQ(s);
	sqlite3_stmt *st = NULL;
	int r;

	if ((r = stmt(d, S_DEL_PARTIAL, &st, err)) != 0)
		return r;
	return done(d, st, err, "partial tiles");
}

static int
sq_partial_put(cy_store *s, unsigned level, const uint8_t *data, size_t len,
    cy_error *err)
{
	return put(SQ(s), S_INS_PARTIAL, (int64_t)level, data, len, err,
	    "partial tile");
}

static int
sq_partial_get(cy_store *s, unsigned level, uint8_t *out, size_t cap,
    size_t *len, cy_error *err)
{
	return get_bytes(SQ(s), S_GET_PARTIAL, (int64_t)level, out, cap, len,
	    err, "partial tile");
}

static int
sq_checkpoint_put(cy_store *s, uint64_t size, const uint8_t *note, size_t len,
    cy_error *err)
{
	return put(SQ(s), S_INS_CKPT, (int64_t)size, note, len, err,
	    "store checkpoint");
}

static int
sq_checkpoint_get(cy_store *s, uint64_t size, cy_buf *out, cy_error *err)
{
	return get_buf(SQ(s), S_GET_CKPT, 1, (int64_t)size, out, err,
	    "checkpoint");
}

static int
sq_checkpoint_latest(cy_store *s, cy_buf *out, cy_error *err)
{
	return get_buf(SQ(s), S_LAST_CKPT, 0, 0, out, err, "checkpoint");
}

static int
sq_checkpoint_after(cy_store *s, uint64_t size, cy_buf *out, cy_error *err)
{
	return get_buf(SQ(s), S_NEXT_CKPT, 1, (int64_t)size, out, err,
	    "checkpoint");
}

static int
sq_checkpoint_scan(cy_store *s, uint64_t from, cy_store_row_fn *fn, void *ctx,
    cy_error *err)
{
	return get_scan(SQ(s), S_SCAN_CKPT, from, fn, ctx, err, "checkpoints");
}

static int
sq_count(cy_store *s, int what, uint64_t *n, cy_error *err)
{
	struct sq *d = SQ(s);
	sqlite3_stmt *st = NULL;
	int i, r;

	i = what == CY_STORE_TILES ? S_COUNT_TILE :
	    what == CY_STORE_PARTIALS ? S_COUNT_PARTIAL :
	    what == CY_STORE_LEAVES ? S_COUNT_LEAF : -1;
	if (i < 0)
		return cy_error_set(err, CY_E_USAGE, "no count %d", what);
	if ((r = stmt(d, i, &st, err)) != 0 ||
	    (r = row(d, st, err, "count")) < 0)
		return r;
	*n = r == 1 ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
	finish(st);
	return 0;
}

/* --- version 2: records --- */

/* Binds (kind, key) as a statement's first two values. */
static int
rec_stmt(struct sq *d, int i, const char *kind, const char *key,
    sqlite3_stmt **st, cy_error *err)
{
	int r;

	if ((r = stmt(d, i, st, err)) != 0)
		return r;
	sqlite3_bind_text(*st, 1, kind, -1, SQLITE_STATIC);
	if (key != NULL)
		sqlite3_bind_text(*st, 2, key, -1, SQLITE_STATIC);
	return 0;
}

/* Runs a write and returns how many rows it changed (or <0). */
static int
changed(struct sq *d, sqlite3_stmt *st, uint64_t *n, cy_error *err,
    const char *what)
{
	int r;

	if ((r = done(d, st, err, what)) != 0)
		return r;
	*n = (uint64_t)sqlite3_changes64(d->db);
	return 0;
}

static int
sq_rec_put(cy_store *s, const char *kind, const char *key, const char *group,
    int64_t time, const uint8_t *data, size_t len, int flags, cy_error *err)
{
	struct sq *d = SQ(s);
	sqlite3_stmt *st = NULL;
	uint64_t n;
	int r;

	if (len > INT32_MAX)
		return cy_error_set(err, CY_E_TOO_LARGE, "record too large");
	if ((r = rec_stmt(d, (flags & CY_STORE_REC_NEW) ? S_ADD_REC : S_PUT_REC,
	    kind, key, &st, err)) != 0)
		return r;
	sqlite3_bind_text(st, 3, group != NULL ? group : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, time);
	/* A zero-length blob, not NULL, for an empty record. */
	sqlite3_bind_blob(st, 5, data != NULL ? (const void *)data : "",
	    (int)len, SQLITE_STATIC);
	if ((r = changed(d, st, &n, err, "store record")) != 0)
		return r;
	return n > 0;
}

static int
sq_rec_get(cy_store *s, const char *kind, const char *key, cy_buf *out,
    int64_t *time, cy_error *err)
{
	struct sq *d = SQ(s);
	sqlite3_stmt *st = NULL;
	int r;

	if ((r = rec_stmt(d, S_GET_REC, kind, key, &st, err)) != 0 ||
	    (r = row(d, st, err, "record")) != 1)
		return r;
	if (time != NULL)
		*time = sqlite3_column_int64(st, 1);
	cy_buf_append(out, sqlite3_column_blob(st, 0),
	    (size_t)sqlite3_column_bytes(st, 0));
	finish(st);
	return cy_buf_status(out) != 0 ?
	    cy_error_set(err, CY_E_NOMEM, "out of memory") : 1;
}

static int
sq_rec_scan(cy_store *s, const char *kind, const char *group,
    cy_store_rec_fn *fn, void *ctx, cy_error *err)
{
	struct sq *d = SQ(s);
	sqlite3_stmt *st = NULL;
	int rc = SQLITE_DONE, r;

	if ((r = rec_stmt(d, group != NULL ? S_SCAN_GRP : S_SCAN_REC, kind, group,
	    &st, err)) != 0)
		return r;
	while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW)
		r = fn(ctx, (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    sqlite3_column_int64(st, 2), sqlite3_column_blob(st, 3),
		    (size_t)sqlite3_column_bytes(st, 3), err);
	if (r == 0 && rc != SQLITE_DONE)
		r = fail(d, rc, err, "records");
	finish(st);
	return r;
}

static int
sq_rec_delete(cy_store *s, const char *kind, const char *key, cy_error *err)
{
	struct sq *d = SQ(s);
	sqlite3_stmt *st = NULL;
	uint64_t n;
	int r;

	if ((r = rec_stmt(d, S_DEL_REC, kind, key, &st, err)) != 0 ||
	    (r = changed(d, st, &n, err, "delete record")) != 0)
		return r;
	return n > 0;
}

static int
sq_rec_expire(cy_store *s, const char *kind, int64_t before, uint64_t *n,
    cy_error *err)
{
	struct sq *d = SQ(s);
	sqlite3_stmt *st = NULL;
	uint64_t count;
	int r;

	if ((r = rec_stmt(d, S_EXPIRE_REC, kind, NULL, &st, err)) != 0)
		return r;
	sqlite3_bind_int64(st, 2, before);
	if ((r = changed(d, st, &count, err, "expire records")) != 0)
		return r;
	if (n != NULL)
		*n = count;
	return 0;
}

/* Copies the WAL into the file (where secure_delete zeroed the deleted
 * bytes) and truncates it, so no older frame keeps them. */
static int
sq_scrub(cy_store *s, cy_error *err)
{
	struct sq *d = SQ(s);
	int rc;

	rc = sqlite3_wal_checkpoint_v2(d->db, NULL, SQLITE_CHECKPOINT_TRUNCATE,
	    NULL, NULL);
	return rc == SQLITE_OK ? 0 : fail(d, rc, err, "checkpoint the WAL");
}

static const cy_store_driver sqlite_driver = {
	.version = 2,
	.name = "sqlite",
	.size = sizeof(cy_store_driver),
	.open = sq_open,
	.close = sq_close,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.init = sq_init,
	.meta_get = sq_meta_get,
	.meta_put = sq_meta_put,
	.size_put = sq_size_put,
	.entry_put = sq_entry_put,
	.entry_get = sq_entry_get,
	.entry_scan = sq_entry_scan,
	.leaf_put = sq_leaf_put,
	.leaf_find = sq_leaf_find,
	.tile_put = sq_tile_put,
	.tile_get = sq_tile_get,
	.partial_clear = sq_partial_clear,
	.partial_put = sq_partial_put,
	.partial_get = sq_partial_get,
	.checkpoint_put = sq_checkpoint_put,
	.checkpoint_get = sq_checkpoint_get,
	.checkpoint_latest = sq_checkpoint_latest,
	.checkpoint_after = sq_checkpoint_after,
	.checkpoint_scan = sq_checkpoint_scan,
	.count = sq_count,
	.migrate = sq_migrate,
	.rec_put = sq_rec_put,
	.rec_get = sq_rec_get,
	.rec_scan = sq_rec_scan,
	.rec_delete = sq_rec_delete,
	.rec_expire = sq_rec_expire,
	.scrub = sq_scrub,
};

const cy_store_driver *
cy_store_sqlite_driver(void)
{
	return &sqlite_driver;
}
