/* The store interface: the register's operations through the SQLite
 * driver (round trips, rollback, "retry" on a busy database), and the
 * register itself on an in-memory driver written here, which proves the
 * register needs nothing but the interface. */
#include <libpq-fe.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <unistd.h>

#include "testutil.h"

#include "coyeu/entry.h"
#include "coyeu/idkey.h"
#include "coyeu/log.h"
#include "coyeu/secret.h"
#include "coyeu/store.h"
#include "coyeu/tiles.h"
#include "coyeu/tlogproof.h"
#include "reg/tree.h" /* the tile sizes the in-memory driver holds */

#define T0 1777629600 /* 2026-05-01T10:00:00Z */
#define NENTRIES 300  /* past one full tile */

static char dir[] = "/tmp/coyeu-test-store-XXXXXX";
static cy_note_signer *signer;
static cy_buf entries[NENTRIES];

static int64_t
test_clock(void *ctx)
{
	(void)ctx;
	return T0;
}

static const cy_log_options opts = {0, test_clock, NULL, 0};

static void
path_in_dir(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", dir, name);
	unlink(out);
}

/* --- an in-memory driver: fixed arrays, so a transaction is a copy --- */

#define MEM_ENTRIES 512
#define MEM_TILES 8
#define MEM_CKPTS 64
#define MEM_META 8
#define MEM_NOTE 1024

struct mem_data {
	struct { char k[16], v[CY_NOTE_KEY_STR_MAX]; int set; } meta[MEM_META];
	struct { uint8_t d[1024]; size_t len; int set; } entry[MEM_ENTRIES];
	struct { uint8_t h[CY_HASH_LEN]; uint64_t idx; } leaf[MEM_ENTRIES];
	size_t nleaf;
	struct { unsigned level; uint64_t index; uint8_t d[CY_TILE_BYTES]; } tile[MEM_TILES];
	size_t ntile;
	struct { uint8_t d[CY_TILE_WIDTH * CY_HASH_LEN]; size_t len; int set; } part[CY_TILE_LEVELS];
	struct { uint64_t size; uint8_t d[MEM_NOTE]; size_t len; } ck[MEM_CKPTS];
	size_t nck;
};

struct mem {
	cy_store base;
	struct mem_data db, work; /* committed; inside a transaction */
	int tx, write;
};

#define MEM(s) ((struct mem *)(s))

static const cy_store_driver mem_driver;

/* What reads see: the transaction's copy, else the committed data. */
static struct mem_data *
rd(cy_store *s)
{
	return MEM(s)->tx ? &MEM(s)->work : &MEM(s)->db;
}

/* Writes only inside a write transaction, as the interface requires. */
static struct mem_data *
wr(cy_store *s, cy_error *err)
{
	if (!MEM(s)->tx || !MEM(s)->write) {
		cy_error_set(err, CY_E_STORE, "mem: a write outside a write "
		    "transaction");
		return NULL;
	}
	return &MEM(s)->work;
}

static int
dup_key(cy_error *err)
{
	return cy_error_set(err, CY_E_STORE, "mem: the key is taken");
}

static int
copy_out(const uint8_t *d, size_t n, uint8_t *out, size_t cap, size_t *len)
{
	*len = n;
	memcpy(out, d, n < cap ? n : cap);
	return 1;
}

static int
buf_out(const uint8_t *d, size_t n, cy_buf *out)
{
	cy_buf_append(out, d, n);
	return cy_buf_status(out) == 0 ? 1 : CY_E_NOMEM;
}

static int
mem_open(const char *dsn, int flags, cy_store **out, cy_error *err)
{
	struct mem *m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	m->base.drv = &mem_driver;
	*out = &m->base;
	return 0;
}

static void
mem_close(cy_store *s)
{
	free(s);
}

static int
mem_begin(cy_store *s, int write, cy_error *err)
{
	if (MEM(s)->tx)
		return cy_error_set(err, CY_E_STORE, "mem: nested transaction");
	MEM(s)->work = MEM(s)->db;
	MEM(s)->tx = 1;
	MEM(s)->write = write;
	return 0;
}

static int
mem_commit(cy_store *s, cy_error *err)
{
	if (!MEM(s)->tx)
		return cy_error_set(err, CY_E_STORE, "mem: no transaction");
	if (MEM(s)->write)
		MEM(s)->db = MEM(s)->work;
	MEM(s)->tx = 0;
	return 0;
}

static void
mem_rollback(cy_store *s)
{
	MEM(s)->tx = 0;
}

static int
mem_init(cy_store *s, cy_error *err)
{
	struct mem_data *d = wr(s, err);

	if (d == NULL)
		return CY_E_STORE;
	memset(d, 0, sizeof(*d));
	return 0;
}

static int
mem_meta_get(cy_store *s, const char *k, char *out, size_t cap, size_t *len,
    cy_error *err)
{
	struct mem_data *d = rd(s);
	size_t i;

	for (i = 0; i < MEM_META; i++)
		if (d->meta[i].set && strcmp(d->meta[i].k, k) == 0) {
			*len = strlen(d->meta[i].v);
			if (*len < cap)
				memcpy(out, d->meta[i].v, *len + 1);
			return 1;
		}
	return 0;
}

static int
mem_meta_put(cy_store *s, const char *k, const char *v, cy_error *err)
{
	struct mem_data *d = wr(s, err);
	size_t i, free_slot = MEM_META;

	if (d == NULL)
		return CY_E_STORE;
	for (i = 0; i < MEM_META; i++) {
		if (d->meta[i].set && strcmp(d->meta[i].k, k) == 0)
			break;
		if (!d->meta[i].set && free_slot == MEM_META)
			free_slot = i;
	}
	if (i == MEM_META && (i = free_slot) == MEM_META)
		return cy_error_set(err, CY_E_STORE, "mem: meta full");
	snprintf(d->meta[i].k, sizeof(d->meta[i].k), "%s", k);
	snprintf(d->meta[i].v, sizeof(d->meta[i].v), "%s", v ? v : "");
	d->meta[i].set = 1;
	return 0;
}

static int
mem_size_put(cy_store *s, uint64_t size, cy_error *err)
{
	char v[24];

	snprintf(v, sizeof(v), "%llu", (unsigned long long)size);
	return mem_meta_put(s, "size", v, err);
}

static int
mem_entry_put(cy_store *s, uint64_t idx, const uint8_t *data, size_t len,
    cy_error *err)
{
	struct mem_data *d = wr(s, err);

	if (d == NULL)
		return CY_E_STORE;
	if (idx >= MEM_ENTRIES || len > sizeof(d->entry[0].d))
		return cy_error_set(err, CY_E_STORE, "mem: full");
	if (d->entry[idx].set)
		return dup_key(err);
	memcpy(d->entry[idx].d, data, len);
	d->entry[idx].len = len;
	d->entry[idx].set = 1;
	return 0;
}

static int
mem_entry_get(cy_store *s, uint64_t idx, cy_buf *out, cy_error *err)
{
	struct mem_data *d = rd(s);

	if (idx >= MEM_ENTRIES || !d->entry[idx].set)
		return 0;
	return buf_out(d->entry[idx].d, d->entry[idx].len, out);
}

static int
mem_entry_scan(cy_store *s, uint64_t from, cy_store_row_fn *fn, void *ctx,
    cy_error *err)
{
	struct mem_data *d = rd(s);
	uint64_t i;
	int r;

	for (i = from; i < MEM_ENTRIES; i++)
		if (d->entry[i].set &&
		    (r = fn(ctx, i, d->entry[i].d, d->entry[i].len, err)) != 0)
			return r;
	return 0;
}

static int
mem_leaf_find(cy_store *s, const uint8_t *hash, uint64_t *idx, cy_error *err)
{
	struct mem_data *d = rd(s);
	size_t i;

	for (i = 0; i < d->nleaf; i++)
		if (memcmp(d->leaf[i].h, hash, CY_HASH_LEN) == 0) {
			*idx = d->leaf[i].idx;
			return 1;
		}
	return 0;
}

static int
mem_leaf_put(cy_store *s, const uint8_t *hash, uint64_t idx, cy_error *err)
{
	struct mem_data *d = wr(s, err);
	uint64_t old;

	if (d == NULL)
		return CY_E_STORE;
	if (mem_leaf_find(s, hash, &old, err) == 1)
		return dup_key(err);
	if (d->nleaf == MEM_ENTRIES)
		return cy_error_set(err, CY_E_STORE, "mem: full");
	memcpy(d->leaf[d->nleaf].h, hash, CY_HASH_LEN);
	d->leaf[d->nleaf++].idx = idx;
	return 0;
}

static int
mem_tile_get(cy_store *s, unsigned level, uint64_t index, uint8_t *out,
    size_t cap, size_t *len, cy_error *err)
{
	struct mem_data *d = rd(s);
	size_t i;

	for (i = 0; i < d->ntile; i++)
		if (d->tile[i].level == level && d->tile[i].index == index)
			return copy_out(d->tile[i].d, CY_TILE_BYTES, out, cap, len);
	return 0;
}

static int
mem_tile_put(cy_store *s, unsigned level, uint64_t index, const uint8_t *data,
    size_t len, cy_error *err)
{
	struct mem_data *d = wr(s, err);
	size_t n;

	if (d == NULL)
		return CY_E_STORE;
	if (mem_tile_get(s, level, index, NULL, 0, &n, err) == 1)
		return dup_key(err);
	if (d->ntile == MEM_TILES || len != CY_TILE_BYTES)
		return cy_error_set(err, CY_E_STORE, "mem: no room for the tile");
	d->tile[d->ntile].level = level;
	d->tile[d->ntile].index = index;
	memcpy(d->tile[d->ntile++].d, data, len);
	return 0;
}

static int
mem_partial_clear(cy_store *s, cy_error *err)
{
	struct mem_data *d = wr(s, err);

	if (d == NULL)
		return CY_E_STORE;
	memset(d->part, 0, sizeof(d->part));
	return 0;
}

static int
mem_partial_put(cy_store *s, unsigned level, const uint8_t *data, size_t len,
    cy_error *err)
{
	struct mem_data *d = wr(s, err);

	if (d == NULL)
		return CY_E_STORE;
	if (level >= CY_TILE_LEVELS || len > sizeof(d->part[0].d))
		return cy_error_set(err, CY_E_STORE, "mem: bad partial tile");
	if (d->part[level].set)
		return dup_key(err);
	memcpy(d->part[level].d, data, len);
	d->part[level].len = len;
	d->part[level].set = 1;
	return 0;
}

static int
mem_partial_get(cy_store *s, unsigned level, uint8_t *out, size_t cap,
    size_t *len, cy_error *err)
{
	struct mem_data *d = rd(s);

	if (level >= CY_TILE_LEVELS || !d->part[level].set)
		return 0;
	return copy_out(d->part[level].d, d->part[level].len, out, cap, len);
}

/* Checkpoints are kept in ascending size: each one put is the largest. */
static int
mem_checkpoint_put(cy_store *s, uint64_t size, const uint8_t *note,
    size_t len, cy_error *err)
{
	struct mem_data *d = wr(s, err);

	if (d == NULL)
		return CY_E_STORE;
	if (d->nck > 0 && d->ck[d->nck - 1].size >= size)
		return dup_key(err);
	if (d->nck == MEM_CKPTS || len > MEM_NOTE)
		return cy_error_set(err, CY_E_STORE, "mem: full");
	d->ck[d->nck].size = size;
	d->ck[d->nck].len = len;
	memcpy(d->ck[d->nck++].d, note, len);
	return 0;
}

/* The first checkpoint of a size >= size, or nck. */
static size_t
mem_ck_from(const struct mem_data *d, uint64_t size)
{
	size_t i;

	for (i = 0; i < d->nck && d->ck[i].size < size; i++)
		;
	return i;
}

static int
mem_checkpoint_get(cy_store *s, uint64_t size, cy_buf *out, cy_error *err)
{
	struct mem_data *d = rd(s);
	size_t i = mem_ck_from(d, size);

	if (i == d->nck || d->ck[i].size != size)
		return 0;
	return buf_out(d->ck[i].d, d->ck[i].len, out);
}

static int
mem_checkpoint_latest(cy_store *s, cy_buf *out, cy_error *err)
{
	struct mem_data *d = rd(s);

	if (d->nck == 0)
		return 0;
	return buf_out(d->ck[d->nck - 1].d, d->ck[d->nck - 1].len, out);
}

static int
mem_checkpoint_after(cy_store *s, uint64_t size, cy_buf *out, cy_error *err)
{
	struct mem_data *d = rd(s);
	size_t i = mem_ck_from(d, size + 1);

	return i == d->nck ? 0 : buf_out(d->ck[i].d, d->ck[i].len, out);
}

static int
mem_checkpoint_scan(cy_store *s, uint64_t from, cy_store_row_fn *fn,
    void *ctx, cy_error *err)
{
	struct mem_data *d = rd(s);
	size_t i;
	int r;

	for (i = mem_ck_from(d, from); i < d->nck; i++)
		if ((r = fn(ctx, d->ck[i].size, d->ck[i].d, d->ck[i].len, err)) != 0)
			return r;
	return 0;
}

static int
mem_count(cy_store *s, int what, uint64_t *n, cy_error *err)
{
	struct mem_data *d = rd(s);
	unsigned level;

	if (what == CY_STORE_TILES)
		*n = d->ntile;
	else if (what == CY_STORE_LEAVES)
		*n = d->nleaf;
	else
		for (*n = 0, level = 0; level < CY_TILE_LEVELS; level++)
			*n += (uint64_t)d->part[level].set;
	return 0;
}

static const cy_store_driver mem_driver = {
	.version = 1,
	.name = "mem",
	.size = sizeof(cy_store_driver),
	.open = mem_open,
	.close = mem_close,
	.begin = mem_begin,
	.commit = mem_commit,
	.rollback = mem_rollback,
	.init = mem_init,
	.meta_get = mem_meta_get,
	.meta_put = mem_meta_put,
	.size_put = mem_size_put,
	.entry_put = mem_entry_put,
	.entry_get = mem_entry_get,
	.entry_scan = mem_entry_scan,
	.leaf_put = mem_leaf_put,
	.leaf_find = mem_leaf_find,
	.tile_put = mem_tile_put,
	.tile_get = mem_tile_get,
	.partial_clear = mem_partial_clear,
	.partial_put = mem_partial_put,
	.partial_get = mem_partial_get,
	.checkpoint_put = mem_checkpoint_put,
	.checkpoint_get = mem_checkpoint_get,
	.checkpoint_latest = mem_checkpoint_latest,
	.checkpoint_after = mem_checkpoint_after,
	.checkpoint_scan = mem_checkpoint_scan,
	.count = mem_count,
};

/* --- the drivers under test --- */

/* A driver under test: how to get an empty store and run raw SQL on it. */
struct backend {
	const char *name;
	const cy_store_driver *(*driver)(void);
	int exists; /* CY_STORE_CREATE's code on an existing store */
	/* Makes the place `name` empty; its dsn into out. */
	void (*fresh)(const char *name, char *out, size_t cap);
	/* Runs SQL on the store at dsn, outside the driver. */
	void (*sql)(const char *dsn, const char *sql);
};

static void
sqlite_fresh(const char *name, char *out, size_t cap)
{
	char side[600];

	path_in_dir(out, cap, name);
	snprintf(side, sizeof(side), "%s-wal", out);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", out);
	unlink(side);
}

static void
sqlite_sql(const char *dsn, const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(dsn, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(db);
}

static const struct backend sqlite_backend = {
	"sqlite", cy_store_sqlite_driver, CY_E_IO, sqlite_fresh, sqlite_sql,
};

/* PostgreSQL: the database COYEU_PG_DSN names (tests/with-pg.sh starts
 * one); an empty store is an emptied public schema. */
static PGconn *
pg_connect(void)
{
	PGconn *c = PQconnectdb(getenv("COYEU_PG_DSN"));

	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("connect to %s: %s", getenv("COYEU_PG_DSN"),
		    PQerrorMessage(c));
	return c;
}

/* Runs sql; the first value of its result into out (cap bytes). */
static void
pg_query(const char *sql, char *out, size_t cap)
{
	PGconn *c = pg_connect();
	PGresult *res = PQexec(c, sql);

	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(c));
	if (out != NULL)
		snprintf(out, cap, "%s", PQntuples(res) > 0 ?
		    PQgetvalue(res, 0, 0) : "");
	PQclear(res);
	PQfinish(c);
}

static void
pg_sql(const char *dsn, const char *sql)
{
	(void)dsn;
	pg_query(sql, NULL, 0);
}

static void
pg_fresh(const char *name, char *out, size_t cap)
{
	(void)name;
	pg_query("SET client_min_messages = warning; "
	    "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public",
	    NULL, 0);
	snprintf(out, cap, "%s", getenv("COYEU_PG_DSN"));
}

static const struct backend pg_backend = {
	"postgres", cy_store_postgres_driver, CY_E_STORE, pg_fresh, pg_sql,
};

/* The backend a test runs on: PostgreSQL's tests skip without a server,
 * or fail under CI=true. */
static const struct backend *
backend_of(void **state)
{
	const struct backend *b = *state;
	const char *ci = getenv("CI");

	if (b == &pg_backend && getenv("COYEU_PG_DSN") == NULL) {
		if (ci != NULL && strcmp(ci, "true") == 0)
			fail_msg("COYEU_PG_DSN is unset: CI requires the PostgreSQL "
			    "tests (run them under tests/with-pg.sh)");
		skip();
	}
	return b;
}

/* A store on the data at dsn. */
static cy_store *
open_store(const struct backend *b, const char *dsn, int flags)
{
	cy_store *s;
	cy_error err;

	if (cy_store_open(b->driver(), dsn, flags, &s, &err) != 0)
		fail_msg("open %s: %s", dsn, err.msg);
	return s;
}

/* An empty store opened with CREATE on backend b, and its dsn. */
static cy_store *
fresh_store(const struct backend *b, const char *name, char *dsn, size_t cap)
{
	b->fresh(name, dsn, cap);
	return open_store(b, dsn, CY_STORE_CREATE);
}

/* --- the register on a store --- */

static void
append_range(cy_log *l, size_t from, size_t to)
{
	const uint8_t *p[NENTRIES];
	size_t len[NENTRIES], i;
	uint64_t first;
	cy_error err;

	for (i = from; i < to; i++) {
		p[i - from] = entries[i].data;
		len[i - from] = entries[i].len;
	}
	if (cy_log_append(l, signer, p, len, to - from, 1, &first, NULL,
	    &err) != 0)
		fail_msg("append: %s", err.msg);
	assert_int_equal(first, from);
}

/* Appends every entry in three batches and checks what the register
 * proves: receipts, consistency, the audit, an exported tile folder. */
static void
exercise(cy_store *s, const char *name, uint8_t root[CY_HASH_LEN])
{
	uint8_t proof[CY_MERKLE_PROOF_MAX][CY_HASH_LEN], r1[CY_HASH_LEN];
	char tiles[256];
	cy_buf rc = CY_BUF_INIT, note = CY_BUF_INIT;
	cy_log_audit_report rep;
	cy_tiles_report trep;
	cy_tlogproof *p;
	cy_hasher *h;
	cy_checkpoint c;
	cy_error err;
	cy_log *l;
	size_t n, i;

	if (cy_log_create_store(s, signer, NULL, &opts, &err) != 0)
		fail_msg("create: %s", err.msg);
	if (cy_log_open_store(s, &opts, &l, &err) != 0)
		fail_msg("open: %s", err.msg);
	append_range(l, 0, 10);
	append_range(l, 10, 257);
	append_range(l, 257, NENTRIES);
	assert_int_equal(cy_log_size(l), NENTRIES);
	/* An inclusion proof of every 7th entry in the latest checkpoint. */
	for (i = 0; i < NENTRIES; i += 7) {
		rc.len = 0;
		assert_int_equal(cy_log_receipt(l, i, 0, &rc, &err), 0);
		assert_int_equal(cy_tlogproof_parse(rc.data, rc.len, &p, &err), 0);
		assert_int_equal(cy_tlogproof_verify(p, cy_log_verifier(l),
		    entries[i].data, entries[i].len, &c, &err), 0);
		assert_int_equal(c.size, NENTRIES);
		cy_tlogproof_free(p);
	}
	/* The batch checkpoint at 257 is consistent with the latest. */
	assert_int_equal(cy_log_checkpoint_at(l, 257, &note, &err), 0);
	assert_int_equal(cy_checkpoint_open(note.data, note.len,
	    cy_log_verifier(l), &c, &err), 0);
	assert_true(c.has_previous && c.previous == 10 && c.time == T0);
	assert_int_equal(cy_log_root(l, 257, r1, &err), 0);
	assert_memory_equal(r1, c.root, CY_HASH_LEN);
	assert_int_equal(cy_log_root(l, NENTRIES, root, &err), 0);
	assert_int_equal(cy_log_consistency_proof(l, 257, NENTRIES, proof, &n,
	    &err), 0);
	assert_int_equal(cy_hasher_new(&h, &err), 0);
	assert_int_equal(cy_merkle_verify_consistency(h, 257, NENTRIES, r1,
	    root, proof, n, &err), 0);
	cy_hasher_free(h);
	if (cy_log_audit(l, NULL, 1, &rep, &err) != 0)
		fail_msg("audit: %s", err.msg);
	assert_int_equal(rep.entries, NENTRIES);
	assert_int_equal(rep.checkpoints, 4);
	assert_int_equal(rep.tiles, 1);
	path_in_dir(tiles, sizeof(tiles), name);
	assert_int_equal(cy_log_export_tiles(l, tiles, &trep, &err), 0);
	assert_int_equal(cy_tiles_verify(tiles, cy_log_verifier(l), &c, &err), 0);
	assert_int_equal(c.size, NENTRIES);
	cy_log_close(l);
	cy_buf_free(&rc);
	cy_buf_free(&note);
}

/* The register on the in-memory driver gives the same tree as on SQLite. */
static void
test_register_on_other_driver(void **state)
{
	uint8_t want[CY_HASH_LEN], got[CY_HASH_LEN];
	char path[256];
	cy_store *s;
	cy_error err;

	(void)state;
	assert_int_equal(cy_store_open(&mem_driver, "mem:", 0, &s, &err), 0);
	assert_true(cy_store_has(s, 1));
	assert_false(cy_store_has(s, 2));
	exercise(s, "mem-tiles", got);
	cy_store_close(s);

	path_in_dir(path, sizeof(path), "same.db");
	assert_int_equal(cy_store_open(cy_store_sqlite_driver(), path,
	    CY_STORE_CREATE, &s, &err), 0);
	exercise(s, "sqlite-tiles", want);
	cy_store_close(s);
	assert_memory_equal(got, want, CY_HASH_LEN);
}

/* A driver that does not fill version 1 is refused. */
static void
test_driver_version(void **state)
{
	cy_store_driver old = mem_driver;
	cy_store *s;
	cy_error err;
	cy_log *l;

	(void)state;
	old.version = 0;
	assert_int_equal(cy_store_open(&old, "mem:", 0, &s, &err), CY_E_USAGE);
	assert_non_null(strstr(err.msg, "mem"));
	old.version = 1;
	old.size = offsetof(cy_store_driver, count);
	assert_int_equal(cy_store_open(&old, "mem:", 0, &s, &err), CY_E_USAGE);
	/* One opened directly (not through cy_store_open) is refused by the
	 * register all the same. */
	assert_int_equal(mem_driver.open("mem:", 0, &s, &err), 0);
	s->drv = &old;
	assert_int_equal(cy_log_open_store(s, NULL, &l, &err), CY_E_USAGE);
	mem_close(s);
}

/* --- version 1 operations, on every driver --- */

static int
collect(void *ctx, uint64_t key, const uint8_t *data, size_t len,
    cy_error *err)
{
	cy_buf *b = ctx;
	char line[64];

	snprintf(line, sizeof(line), "%llu=%.*s;", (unsigned long long)key,
	    (int)len, (const char *)data);
	cy_buf_append(b, line, strlen(line));
	return key == 7 ? 99 : 0; /* a callback may stop the scan */
}

static void
test_round_trips(void **state)
{
	uint8_t tile[CY_TILE_BYTES], got[CY_TILE_BYTES], h[CY_HASH_LEN];
	const struct backend *be = backend_of(state);
	const cy_store_driver *d = be->driver();
	cy_buf b = CY_BUF_INIT;
	char v[64], dsn[512];
	cy_store *s = fresh_store(be, "ops.db", dsn, sizeof(dsn));
	uint64_t n, idx;
	size_t len;
	cy_error err;

	assert_string_equal(d->name, be->name);
	assert_true(cy_store_has(s, 1));
	memset(tile, 0xab, sizeof(tile));
	memset(h, 0x11, sizeof(h));
	assert_int_equal(d->begin(s, 1, &err), 0);
	assert_int_equal(d->init(s, &err), 0);
	assert_int_equal(d->meta_put(s, "origin", "a.test/x", &err), 0);
	assert_int_equal(d->meta_put(s, "key-path", NULL, &err), 0);
	assert_int_equal(d->size_put(s, 12345, &err), 0);
	assert_int_equal(d->entry_put(s, 0, (const uint8_t *)"zero", 4, &err), 0);
	assert_int_equal(d->entry_put(s, 1, (const uint8_t *)"one", 3, &err), 0);
	/* A taken key is refused, and the transaction goes on. */
	assert_int_equal(d->entry_put(s, 1, (const uint8_t *)"again", 5, &err),
	    CY_E_STORE);
	assert_int_equal(d->leaf_put(s, h, 1, &err), 0);
	assert_int_equal(d->leaf_put(s, h, 2, &err), CY_E_STORE);
	assert_int_equal(d->tile_put(s, 2, 5, tile, sizeof(tile), &err), 0);
	assert_int_equal(d->partial_put(s, 0, tile, 64, &err), 0);
	assert_int_equal(d->partial_put(s, 1, tile, 32, &err), 0);
	assert_int_equal(d->checkpoint_put(s, 0, (const uint8_t *)"c0", 2, &err), 0);
	assert_int_equal(d->checkpoint_put(s, 5, (const uint8_t *)"c5", 2, &err), 0);
	assert_int_equal(d->checkpoint_put(s, 7, (const uint8_t *)"c7", 2, &err), 0);
	assert_int_equal(d->checkpoint_put(s, 9, (const uint8_t *)"c9", 2, &err), 0);
	assert_int_equal(d->commit(s, &err), 0);

	assert_int_equal(d->meta_get(s, "origin", v, sizeof(v), &len, &err), 1);
	assert_string_equal(v, "a.test/x");
	assert_int_equal(d->meta_get(s, "key-path", v, sizeof(v), &len, &err), 1);
	assert_string_equal(v, "");
	assert_int_equal(d->meta_get(s, "size", v, sizeof(v), &len, &err), 1);
	assert_string_equal(v, "12345");
	/* Too small a buffer: the stored length is told. */
	assert_int_equal(d->meta_get(s, "origin", v, 4, &len, &err), 1);
	assert_int_equal(len, 8);
	assert_int_equal(d->meta_get(s, "none", v, sizeof(v), &len, &err), 0);
	assert_int_equal(d->entry_get(s, 1, &b, &err), 1);
	assert_memory_equal(b.data, "one", 3);
	assert_int_equal(d->entry_get(s, 2, &b, &err), 0);
	assert_int_equal(d->leaf_find(s, h, &idx, &err), 1);
	assert_int_equal(idx, 1);
	h[0] ^= 1;
	assert_int_equal(d->leaf_find(s, h, &idx, &err), 0);
	assert_int_equal(d->tile_get(s, 2, 5, got, sizeof(got), &len, &err), 1);
	assert_int_equal(len, CY_TILE_BYTES);
	assert_memory_equal(got, tile, sizeof(tile));
	assert_int_equal(d->tile_get(s, 5, 2, got, sizeof(got), &len, &err), 0);
	assert_int_equal(d->partial_get(s, 1, got, 8, &len, &err), 1);
	assert_int_equal(len, 32);
	assert_int_equal(d->count(s, CY_STORE_TILES, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(d->count(s, CY_STORE_PARTIALS, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(d->count(s, CY_STORE_LEAVES, &n, &err), 0);
	assert_int_equal(n, 1);
	b.len = 0;
	assert_int_equal(d->checkpoint_latest(s, &b, &err), 1);
	assert_memory_equal(b.data, "c9", 2);
	b.len = 0;
	assert_int_equal(d->checkpoint_after(s, 5, &b, &err), 1);
	assert_memory_equal(b.data, "c7", 2);
	assert_int_equal(d->checkpoint_after(s, 9, &b, &err), 0);
	b.len = 0;
	assert_int_equal(d->checkpoint_get(s, 5, &b, &err), 1);
	assert_memory_equal(b.data, "c5", 2);
	/* Scans: ascending from `from`, stopped by the callback's value. */
	b.len = 0;
	assert_int_equal(d->checkpoint_scan(s, 1, collect, &b, &err), 99);
	assert_int_equal(b.len, strlen("5=c5;7=c7;"));
	assert_memory_equal(b.data, "5=c5;7=c7;", b.len);
	b.len = 0;
	assert_int_equal(d->entry_scan(s, 0, collect, &b, &err), 0);
	assert_memory_equal(b.data, "0=zero;1=one;", b.len);

	/* A rolled-back transaction leaves nothing. */
	assert_int_equal(d->begin(s, 1, &err), 0);
	assert_int_equal(d->entry_put(s, 2, (const uint8_t *)"two", 3, &err), 0);
	assert_int_equal(d->partial_clear(s, &err), 0);
	assert_int_equal(d->size_put(s, 1, &err), 0);
	d->rollback(s);
	assert_int_equal(d->entry_get(s, 2, &b, &err), 0);
	assert_int_equal(d->count(s, CY_STORE_PARTIALS, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(d->meta_get(s, "size", v, sizeof(v), &len, &err), 1);
	assert_string_equal(v, "12345");
	assert_int_equal(d->count(s, 42, &n, &err), CY_E_USAGE);
	cy_store_close(s);
	cy_buf_free(&b);
}

/* A second writer is told to try again, not that the store failed; once
 * the first is done it goes through. */
static void
test_busy_retry(void **state)
{
	const struct backend *be = backend_of(state);
	const cy_store_driver *d = be->driver();
	const uint8_t *p[1] = {entries[0].data};
	size_t len[1] = {entries[0].len}, bad;
	char dsn[512];
	cy_store *a = fresh_store(be, "busy.db", dsn, sizeof(dsn)), *b;
	uint64_t first;
	cy_log *l;
	cy_error err;

	if (cy_log_create_store(a, signer, NULL, &opts, &err) != 0)
		fail_msg("create: %s", err.msg);
	cy_store_close(a);
	a = open_store(be, dsn, 0);
	b = open_store(be, dsn, CY_STORE_NOWAIT);
	if (cy_log_open_store(b, &opts, &l, &err) != 0)
		fail_msg("open: %s", err.msg);
	assert_int_equal(d->begin(a, 1, &err), 0);
	assert_int_equal(d->begin(b, 1, &err), CY_E_STORE_RETRY);
	assert_non_null(strstr(err.msg, "try again"));
	assert_int_equal(cy_log_append(l, signer, p, len, 1, 1, &first, &bad,
	    &err), CY_E_STORE_RETRY);
	assert_int_equal(cy_log_size(l), 0);
	d->rollback(a);
	assert_int_equal(cy_log_append(l, signer, p, len, 1, 1, &first, &bad,
	    &err), 0);
	assert_int_equal(first, 0);
	assert_string_equal(cy_strerror(CY_E_STORE_RETRY),
	    "storage busy: try again");
	cy_log_close(l);
	cy_store_close(b);
	cy_store_close(a);
	/* A read-only store sees what the other wrote. */
	a = open_store(be, dsn, CY_STORE_READONLY);
	assert_int_equal(cy_log_open_store(a, &opts, &l, &err), 0);
	assert_int_equal(cy_log_size(l), 1);
	cy_log_close(l);
	cy_store_close(a);
}

/* The path convenience opens what a store made. */
static void
test_sqlite_path_open(void **state)
{
	char path[512];
	cy_store *s = fresh_store(&sqlite_backend, "path.db", path,
	    sizeof(path));
	cy_error err;
	cy_log *l;

	(void)state;
	assert_int_equal(cy_log_create_store(s, signer, NULL, &opts, &err), 0);
	cy_store_close(s);
	assert_int_equal(cy_log_open(path, CY_LOG_READONLY, &l, &err), 0);
	assert_int_equal(cy_log_size(l), 0);
	cy_log_close(l);
}

/* Creating over an existing store is refused; a failed create leaves the
 * store as it was (one transaction). */
static void
test_create_is_atomic(void **state)
{
	const struct backend *be = backend_of(state);
	const cy_store_driver *d = be->driver();
	char dsn[512];
	cy_store *s;
	cy_error err;
	cy_log *l;
	uint64_t n;

	if (be == &sqlite_backend) {
		be->fresh("twice.db", dsn, sizeof(dsn));
		assert_int_equal(cy_log_create(dsn, signer, NULL, &opts, &err), 0);
		assert_int_equal(cy_log_create(dsn, signer, NULL, &opts, &err),
		    CY_E_IO);
	} else {
		s = fresh_store(be, "twice.db", dsn, sizeof(dsn));
		assert_int_equal(cy_log_create_store(s, signer, NULL, &opts, &err),
		    0);
		cy_store_close(s);
	}
	assert_int_equal(cy_store_open(d, dsn, CY_STORE_CREATE, &s, &err),
	    be->exists);
	assert_null(s);
	if (be == &pg_backend)
		assert_string_equal(err.msg, "the database already holds tables of "
		    "a store (meta, entry, tile, partial, checkpoint, leaf, "
		    "records): refusing to create one over them");
	/* The second create on one store fails at its tables and leaves the
	 * first register whole. */
	s = open_store(be, dsn, 0);
	assert_int_equal(cy_log_create_store(s, signer, NULL, &opts, &err),
	    CY_E_STORE);
	assert_int_equal(d->count(s, CY_STORE_LEAVES, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(cy_log_open_store(s, NULL, &l, &err), 0);
	assert_int_equal(cy_log_size(l), 0);
	assert_string_equal(cy_log_origin(l), "store.test/hcm");
	cy_log_close(l);
	cy_store_close(s);
}

/* --- version 2: records, on every driver that fills it --- */

static void
put_ok(cy_store *s, const char *kind, const char *key, const char *group,
    int64_t time, const char *data, int flags, int want)
{
	cy_error err;
	int r;

	r = s->drv->rec_put(s, kind, key, group, time, (const uint8_t *)data,
	    strlen(data), flags, &err);
	if (r < 0)
		fail_msg("rec_put %s/%s: %s", kind, key, err.msg);
	assert_int_equal(r, want);
}

static int
collect_rec(void *ctx, const char *key, const char *group, int64_t time,
    const uint8_t *data, size_t len, cy_error *err)
{
	cy_buf *b = ctx;
	char line[128];

	snprintf(line, sizeof(line), "%s/%s/%lld=%.*s;", key, group,
	    (long long)time, (int)len, (const char *)data);
	cy_buf_append(b, line, strlen(line));
	return strcmp(key, "stop") == 0 ? 77 : 0;
}

static void
assert_scan(cy_store *s, const char *kind, const char *group, int want_r,
    const char *want)
{
	cy_buf b = CY_BUF_INIT;
	cy_error err;

	assert_int_equal(s->drv->rec_scan(s, kind, group, collect_rec, &b, &err),
	    want_r);
	cy_buf_append(&b, "", 1);
	assert_string_equal((const char *)b.data, want);
	cy_buf_free(&b);
}

/* put/get/replace, REC_NEW on a taken key, scans, delete, expire,
 * rollback. */
static void
test_records(void **state)
{
	static const uint8_t bin[] = {0, 1, 0, 0xff, 0x80, 0};
	const struct backend *b = backend_of(state);
	char dsn[512];
	cy_store *s = fresh_store(b, "records.db", dsn, sizeof(dsn));
	const cy_store_driver *d = s->drv;
	cy_buf v = CY_BUF_INIT;
	int64_t t;
	uint64_t n;
	cy_error err;

	assert_true(cy_store_has(s, 2));
	assert_int_equal(d->begin(s, 1, &err), 0);
	assert_int_equal(d->init(s, &err), 0);
	put_ok(s, "cert", "c", "unit-1", 300, "C", 0, 1);
	put_ok(s, "cert", "a", "unit-1", 100, "A", 0, 1);
	put_ok(s, "cert", "b", "unit-2", 200, "B", 0, 1);
	put_ok(s, "crl", "a", "", 50, "other kind", 0, 1);
	/* A replace changes data, group and time. */
	put_ok(s, "cert", "b", "unit-1", 250, "B2", 0, 1);
	/* The nonce replay case: the second insert of one key is refused
	 * and the first stays. */
	put_ok(s, "nonce", "n1", NULL, 1000, "first", CY_STORE_REC_NEW, 1);
	put_ok(s, "nonce", "n1", NULL, 2000, "replay", CY_STORE_REC_NEW, 0);
	put_ok(s, "nonce", "n2", NULL, 1500, "x", CY_STORE_REC_NEW, 1);
	put_ok(s, "nonce", "n3", NULL, 2500, "y", CY_STORE_REC_NEW, 1);
	assert_int_equal(d->rec_put(s, "blob", "k", "", -5, bin, sizeof(bin), 0,
	    &err), 1);
	assert_int_equal(d->rec_put(s, "blob", "empty", "", 0, NULL, 0, 0, &err),
	    1);
	assert_int_equal(d->commit(s, &err), 0);

	assert_int_equal(d->rec_get(s, "cert", "b", &v, &t, &err), 1);
	assert_int_equal(v.len, 2);
	assert_memory_equal(v.data, "B2", 2);
	assert_int_equal(t, 250);
	v.len = 0;
	assert_int_equal(d->rec_get(s, "nonce", "n1", &v, NULL, &err), 1);
	assert_int_equal(v.len, 5);
	assert_memory_equal(v.data, "first", 5);
	v.len = 0;
	assert_int_equal(d->rec_get(s, "blob", "k", &v, &t, &err), 1);
	assert_int_equal(v.len, sizeof(bin));
	assert_memory_equal(v.data, bin, sizeof(bin));
	assert_int_equal(t, -5);
	v.len = 0;
	assert_int_equal(d->rec_get(s, "blob", "empty", &v, &t, &err), 1);
	assert_int_equal(v.len, 0);
	assert_int_equal(d->rec_get(s, "cert", "zz", &v, &t, &err), 0);
	assert_int_equal(d->rec_get(s, "nonce", "a", &v, &t, &err), 0);

	/* Scans: one kind, ascending by key, by group when asked. */
	assert_scan(s, "cert", NULL, 0,
	    "a/unit-1/100=A;b/unit-1/250=B2;c/unit-1/300=C;");
	assert_scan(s, "cert", "unit-1", 0,
	    "a/unit-1/100=A;b/unit-1/250=B2;c/unit-1/300=C;");
	assert_scan(s, "cert", "unit-2", 0, "");
	assert_scan(s, "crl", NULL, 0, "a//50=other kind;");
	assert_scan(s, "none", NULL, 0, "");

	assert_int_equal(d->begin(s, 1, &err), 0);
	put_ok(s, "cert", "stop", "unit-1", 1, "S", 0, 1);
	put_ok(s, "cert", "z", "unit-1", 1, "Z", 0, 1);
	/* A callback's non-zero value stops the scan and is returned. */
	assert_scan(s, "cert", "unit-1", 77,
	    "a/unit-1/100=A;b/unit-1/250=B2;c/unit-1/300=C;stop/unit-1/1=S;");
	assert_int_equal(d->rec_delete(s, "cert", "a", &err), 1);
	assert_int_equal(d->rec_delete(s, "cert", "a", &err), 0);
	assert_int_equal(d->rec_delete(s, "cert", "nobody", &err), 0);
	/* Expiry: times strictly before, of that kind only. */
	assert_int_equal(d->rec_expire(s, "nonce", 2000, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(d->rec_expire(s, "nonce", 2000, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(d->rec_expire(s, "nonce", 2501, NULL, &err), 0);
	assert_int_equal(d->commit(s, &err), 0);
	assert_scan(s, "nonce", NULL, 0, "");
	assert_scan(s, "cert", NULL, 77,
	    "b/unit-1/250=B2;c/unit-1/300=C;stop/unit-1/1=S;");

	/* A rolled-back transaction leaves nothing. */
	assert_int_equal(d->begin(s, 1, &err), 0);
	put_ok(s, "cert", "b", "unit-9", 9, "gone", 0, 1);
	assert_int_equal(d->rec_delete(s, "cert", "c", &err), 1);
	assert_int_equal(d->rec_expire(s, "crl", 100, &n, &err), 0);
	assert_int_equal(n, 1);
	d->rollback(s);
	assert_scan(s, "cert", "unit-1", 77,
	    "b/unit-1/250=B2;c/unit-1/300=C;stop/unit-1/1=S;");
	assert_scan(s, "crl", NULL, 0, "a//50=other kind;");
	cy_store_close(s);
	cy_buf_free(&v);
}

/* Whether needle occurs in the file at path (absent file: no). */
static int
file_has(const char *path, const uint8_t *needle, size_t n)
{
	cy_buf b = CY_BUF_INIT;
	uint8_t chunk[65536];
	size_t got, i;
	int found = 0;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL)
		return 0;
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		cy_buf_append(&b, chunk, got);
	fclose(f);
	for (i = 0; !found && b.len >= n && i <= b.len - n; i++)
		found = memcmp(b.data + i, needle, n) == 0;
	cy_buf_free(&b);
	return found;
}

static int
sqlite_files_have(const char *path, const uint8_t *needle, size_t n)
{
	char wal[600];

	snprintf(wal, sizeof(wal), "%s-wal", path);
	return file_has(path, needle, n) || file_has(wal, needle, n);
}

/* A deleted record's bytes are in neither the database file nor its
 * WAL after scrub (crypto-shredding a key kept as a record). */
static void
test_sqlite_delete_scrubs(void **state)
{
	uint8_t secret[32], other[32];
	const cy_store_driver *d = cy_store_sqlite_driver();
	char path[300];
	cy_store *s = fresh_store(&sqlite_backend, "scrub.db", path,
	    sizeof(path)), *reader, *nowait;
	cy_buf v = CY_BUF_INIT;
	cy_error err;

	(void)state;
	randombytes_buf(secret, sizeof(secret));
	randombytes_buf(other, sizeof(other));
	assert_int_equal(d->begin(s, 1, &err), 0);
	assert_int_equal(d->init(s, &err), 0);
	assert_int_equal(d->rec_put(s, "key", "doc-1", "", 0, secret,
	    sizeof(secret), 0, &err), 1);
	assert_int_equal(d->rec_put(s, "key", "doc-2", "", 0, other,
	    sizeof(other), 0, &err), 1);
	assert_int_equal(d->commit(s, &err), 0);
	/* The search finds the bytes while they are kept: in the WAL, then
	 * in the file. */
	assert_true(sqlite_files_have(path, secret, sizeof(secret)));
	assert_int_equal(d->scrub(s, &err), 0);
	assert_true(sqlite_files_have(path, secret, sizeof(secret)));

	assert_int_equal(d->begin(s, 1, &err), 0);
	assert_int_equal(d->rec_delete(s, "key", "doc-1", &err), 1);
	assert_int_equal(d->commit(s, &err), 0);
	/* Another connection's read snapshot keeps the WAL: "retry". */
	reader = open_store(&sqlite_backend, path, CY_STORE_READONLY);
	nowait = open_store(&sqlite_backend, path, CY_STORE_NOWAIT);
	assert_int_equal(d->begin(reader, 0, &err), 0);
	assert_int_equal(d->rec_get(reader, "key", "doc-2", &v, NULL, &err), 1);
	assert_int_equal(d->scrub(nowait, &err), CY_E_STORE_RETRY);
	assert_non_null(strstr(err.msg, "try again"));
	assert_int_equal(d->commit(reader, &err), 0);
	assert_int_equal(d->scrub(nowait, &err), 0);
	assert_false(sqlite_files_have(path, secret, sizeof(secret)));
	assert_true(sqlite_files_have(path, other, sizeof(other)));
	cy_store_close(reader);
	cy_store_close(nowait);
	cy_store_close(s);
	cy_buf_free(&v);
}

/* A register made before records (schema 1, no "schema" value) opens
 * writable and gains the records table; a store from a newer coyeu, or
 * with a damaged schema value, is refused. */
static void
test_migrate(void **state)
{
	const struct backend *b = backend_of(state);
	char dsn[512];
	cy_store *s = fresh_store(b, "old.db", dsn, sizeof(dsn));
	const cy_store_driver *d = s->drv;
	cy_buf v = CY_BUF_INIT;
	char val[16];
	size_t len;
	cy_error err;
	cy_log *l;

	if (cy_log_create_store(s, signer, NULL, &opts, &err) != 0)
		fail_msg("create: %s", err.msg);
	cy_store_close(s);
	b->sql(dsn, "DROP TABLE records; DELETE FROM meta WHERE k = 'schema'");

	/* Read-only: left as it is. */
	assert_int_equal(cy_store_open(b->driver(), dsn, CY_STORE_READONLY, &s,
	    &err), 0);
	assert_int_equal(d->meta_get(s, "schema", val, sizeof(val), &len, &err),
	    0);
	cy_store_close(s);

	assert_int_equal(cy_store_open(b->driver(), dsn, 0, &s, &err), 0);
	assert_int_equal(d->meta_get(s, "schema", val, sizeof(val), &len, &err),
	    1);
	assert_string_equal(val, "2");
	assert_int_equal(d->begin(s, 1, &err), 0);
	put_ok(s, "cert", "k", "", 1, "after", 0, 1);
	/* migrate again does nothing (idempotent). */
	assert_int_equal(d->migrate(s, &err), 0);
	assert_int_equal(d->commit(s, &err), 0);
	assert_int_equal(d->rec_get(s, "cert", "k", &v, NULL, &err), 1);
	if (cy_log_open_store(s, &opts, &l, &err) != 0)
		fail_msg("open: %s", err.msg);
	assert_int_equal(cy_log_size(l), 0);
	cy_log_close(l);
	cy_store_close(s);

	b->sql(dsn, "UPDATE meta SET v = '9' WHERE k = 'schema'");
	assert_int_equal(cy_store_open(b->driver(), dsn, 0, &s, &err), CY_E_STORE);
	assert_null(s);
	assert_string_equal(err.msg, "the store has schema 9, newer than this "
	    "coyeu knows (2): upgrade coyeu");
	b->sql(dsn, "UPDATE meta SET v = '2x' WHERE k = 'schema'");
	assert_int_equal(cy_store_open(b->driver(), dsn, 0, &s, &err), CY_E_STORE);
	assert_string_equal(err.msg, "the store's schema version is damaged "
	    "(meta value \"schema\")");
	cy_buf_free(&v);
}

/* --- the register on PostgreSQL --- */

/* Appends, proofs, the audit and tile export through a PostgreSQL store
 * give the tree the in-memory driver gives. */
static void
test_pg_register(void **state)
{
	static void *pg = (void *)&pg_backend;
	uint8_t want[CY_HASH_LEN], got[CY_HASH_LEN];
	char dsn[512];
	cy_store *s;
	cy_error err;

	(void)state;
	backend_of(&pg);
	s = fresh_store(&pg_backend, "pg", dsn, sizeof(dsn));
	exercise(s, "pg-tiles", got);
	cy_store_close(s);
	assert_int_equal(cy_store_open(&mem_driver, "mem:", 0, &s, &err), 0);
	exercise(s, "mem-tiles-2", want);
	cy_store_close(s);
	assert_memory_equal(got, want, CY_HASH_LEN);
}

#define WRITER_BATCH 10

/* One of two register handles appending at once, each on its own
 * connection: entries [from, to) in batches. */
struct writer {
	const char *dsn;
	pthread_barrier_t *ready;
	size_t from, to;
	uint64_t first[NENTRIES / WRITER_BATCH];
	size_t batches;
	int retries;
	cy_error err;
};

static void *
write_batches(void *arg)
{
	struct writer *w = arg;
	const uint8_t *p[WRITER_BATCH];
	size_t len[WRITER_BATCH], i, k, n;
	cy_store *s = NULL;
	cy_log *l = NULL;
	int r = 0;

	w->err.code = 0;
	if ((r = cy_store_open(cy_store_postgres_driver(), w->dsn, 0, &s,
	    &w->err)) == 0)
		r = cy_log_open_store(s, &opts, &l, &w->err);
	/* Both handles open before either appends: the appends overlap. */
	pthread_barrier_wait(w->ready);
	if (r != 0)
		goto out;
	for (i = w->from; r == 0 && i < w->to; i += n) {
		n = w->to - i < WRITER_BATCH ? w->to - i : WRITER_BATCH;
		for (k = 0; k < n; k++) {
			p[k] = entries[i + k].data;
			len[k] = entries[i + k].len;
		}
		/* "Retry" is the only failure a caller may meet here. */
		while ((r = cy_log_append(l, signer, p, len, n, 1,
		    &w->first[w->batches], NULL, &w->err)) == CY_E_STORE_RETRY &&
		    w->retries < 1000)
			w->retries++;
		w->batches++;
	}
out:
	cy_log_close(l);
	cy_store_close(s);
	return NULL;
}

/* The roots of every checkpoint, verified, and their sizes. */
static size_t
checkpoint_roots(cy_log *l, uint64_t **sizes, uint8_t (**roots)[CY_HASH_LEN])
{
	cy_buf note = CY_BUF_INIT;
	cy_checkpoint c;
	cy_error err;
	size_t n, i;

	assert_int_equal(cy_log_checkpoint_sizes(l, 0, sizes, &n, &err), 0);
	assert_non_null(*roots = calloc(n, CY_HASH_LEN));
	for (i = 0; i < n; i++) {
		note.len = 0;
		assert_int_equal(cy_log_checkpoint_at(l, (*sizes)[i], &note, &err),
		    0);
		if (cy_checkpoint_open(note.data, note.len, cy_log_verifier(l), &c,
		    &err) != 0)
			fail_msg("checkpoint %llu: %s",
			    (unsigned long long)(*sizes)[i], err.msg);
		assert_int_equal(c.size, (*sizes)[i]);
		memcpy((*roots)[i], c.root, CY_HASH_LEN);
	}
	cy_buf_free(&note);
	return n;
}

/* Two nodes on one database: two handles on two connections appending
 * from two threads make one sequence, no gap, no entry twice, and every
 * checkpoint is consistent with every later one. */
static void
test_pg_two_writers(void **state)
{
	static void *pg = (void *)&pg_backend;
	uint8_t proof[CY_MERKLE_PROOF_MAX][CY_HASH_LEN];
	uint8_t (*roots)[CY_HASH_LEN] = NULL;
	struct writer w[2];
	pthread_barrier_t ready;
	pthread_t t[2];
	unsigned char seen[NENTRIES];
	char dsn[512];
	cy_buf got = CY_BUF_INIT;
	cy_log_audit_report rep;
	uint64_t *sizes = NULL, idx;
	cy_hasher *h;
	cy_store *s;
	cy_error err;
	cy_log *l;
	size_t i, j, k, n, np, from;

	(void)state;
	backend_of(&pg);
	s = fresh_store(&pg_backend, "pg", dsn, sizeof(dsn));
	assert_int_equal(cy_log_create_store(s, signer, NULL, &opts, &err), 0);
	memset(w, 0, sizeof(w));
	assert_int_equal(pthread_barrier_init(&ready, NULL, 2), 0);
	for (i = 0; i < 2; i++) {
		w[i].dsn = dsn;
		w[i].ready = &ready;
		w[i].from = i * NENTRIES / 2;
		w[i].to = (i + 1) * NENTRIES / 2;
		assert_int_equal(pthread_create(&t[i], NULL, write_batches, &w[i]),
		    0);
	}
	for (i = 0; i < 2; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		if (w[i].err.code != 0)
			fail_msg("writer %zu: %s", i, w[i].err.msg);
	}
	pthread_barrier_destroy(&ready);
	/* The writers did overlap: each appended before the other's last
	 * batch (the lock's waiters are served in order). */
	assert_true(w[0].first[0] < w[1].first[w[1].batches - 1] &&
	    w[1].first[0] < w[0].first[w[0].batches - 1]);
	if (cy_log_open_store(s, &opts, &l, &err) != 0)
		fail_msg("open: %s", err.msg);
	assert_int_equal(cy_log_size(l), NENTRIES);
	/* Each batch's entries are where its append said, each index once. */
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 2; i++)
		for (j = 0, from = w[i].from; j < w[i].batches; j++) {
			for (k = 0; k < WRITER_BATCH && from + k < w[i].to; k++) {
				idx = w[i].first[j] + k;
				assert_true(idx < NENTRIES);
				assert_int_equal(seen[idx], 0);
				seen[idx] = 1;
				got.len = 0;
				assert_int_equal(cy_log_entry(l, idx, &got, &err), 0);
				assert_int_equal(got.len, entries[from + k].len);
				assert_memory_equal(got.data, entries[from + k].data,
				    got.len);
			}
			from += k;
		}
	/* One checkpoint per batch (and size 0), each consistent with every
	 * later one: no fork. */
	n = checkpoint_roots(l, &sizes, &roots);
	assert_int_equal(n, w[0].batches + w[1].batches + 1);
	assert_int_equal(cy_hasher_new(&h, &err), 0);
	for (i = 1; i < n; i++)
		for (j = i + 1; j < n; j++) {
			assert_int_equal(cy_log_consistency_proof(l, sizes[i], sizes[j],
			    proof, &np, &err), 0);
			if (cy_merkle_verify_consistency(h, sizes[i], sizes[j], roots[i],
			    roots[j], proof, np, &err) != 0)
				fail_msg("%llu -> %llu: %s", (unsigned long long)sizes[i],
				    (unsigned long long)sizes[j], err.msg);
		}
	if (cy_log_audit(l, NULL, 1, &rep, &err) != 0)
		fail_msg("audit: %s", err.msg);
	assert_int_equal(rep.entries, NENTRIES);
	assert_int_equal(rep.checkpoints, n);
	cy_hasher_free(h);
	free(sizes);
	free(roots);
	cy_buf_free(&got);
	cy_log_close(l);
	cy_store_close(s);
}

/* A connection the server drops fails with "retry"; the next begin
 * connects again and the store goes on.  The server's other refusals are
 * plain failures with its message; a read-only store writes nothing. */
static void
test_pg_errors(void **state)
{
	static void *pg = (void *)&pg_backend;
	const cy_store_driver *d = cy_store_postgres_driver();
	char dsn[512];
	cy_store *s, *ro;
	cy_buf v = CY_BUF_INIT;
	cy_error err;

	(void)state;
	backend_of(&pg);
	s = fresh_store(&pg_backend, "pg", dsn, sizeof(dsn));
	assert_int_equal(d->begin(s, 1, &err), 0);
	assert_int_equal(d->init(s, &err), 0);
	put_ok(s, "cert", "a", "", 1, "A", 0, 1);
	assert_int_equal(d->commit(s, &err), 0);

	pg_query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
	    "WHERE pid <> pg_backend_pid() AND datname = current_database()",
	    NULL, 0);
	assert_int_equal(d->begin(s, 1, &err), CY_E_STORE_RETRY);
	assert_non_null(strstr(err.msg, "try again"));
	d->rollback(s);
	assert_int_equal(d->begin(s, 1, &err), 0);
	put_ok(s, "cert", "b", "", 2, "B", 0, 1);
	assert_int_equal(d->commit(s, &err), 0);
	assert_int_equal(d->rec_get(s, "cert", "a", &v, NULL, &err), 1);

	/* Not UTF-8: the server refuses, trying again would not help. */
	assert_int_equal(d->begin(s, 1, &err), 0);
	assert_int_equal(d->rec_put(s, "cert", "\xff", "", 0, NULL, 0, 0, &err),
	    CY_E_STORE);
	assert_string_equal(err.msg, "store record: invalid byte sequence for "
	    "encoding \"UTF8\": 0xff");
	/* ... and the failed transaction cannot be committed. */
	assert_int_equal(d->commit(s, &err), CY_E_STORE);
	assert_string_equal(err.msg, "commit: the transaction had failed and "
	    "was rolled back");

	ro = open_store(&pg_backend, dsn, CY_STORE_READONLY);
	assert_int_equal(d->begin(ro, 1, &err), 0);
	assert_int_equal(d->rec_put(ro, "cert", "c", "", 0, NULL, 0, 0, &err),
	    CY_E_STORE);
	assert_string_equal(err.msg, "store record: cannot execute INSERT in a "
	    "read-only transaction");
	d->rollback(ro);
	cy_store_close(ro);
	/* A database that does not answer: "retry" (it may be starting). */
	assert_int_equal(cy_store_open(d, "host=/nonexistent dbname=x", 0, &ro,
	    &err), CY_E_STORE_RETRY);
	assert_non_null(strstr(err.msg, "cannot connect to PostgreSQL: "));
	assert_int_equal(cy_store_open(d, "host=/tmp bogus=1", 0, &ro, &err),
	    CY_E_USAGE);
	assert_string_equal(err.msg, "the PostgreSQL dsn is not valid: invalid "
	    "connection option \"bogus\" (a libpq connection string or "
	    "postgres:// URI)");
	cy_store_close(s);
	cy_buf_free(&v);
}

/* The records table's file, as the server names it (the tests' server
 * runs on this machine). */
static void
pg_records_file(char *out, size_t cap)
{
	char data[400], rel[200];

	pg_query("SELECT current_setting('data_directory')", data, sizeof(data));
	pg_query("SELECT pg_relation_filepath('records')", rel, sizeof(rel));
	snprintf(out, cap, "%s/%s", data, rel);
}

/* After rec_delete and scrub (VACUUM FULL), a deleted record's bytes are
 * in no file of the records table. */
static void
test_pg_delete_scrubs(void **state)
{
	static void *pg = (void *)&pg_backend;
	uint8_t secret[32], other[32];
	const cy_store_driver *d = cy_store_postgres_driver();
	char dsn[512], before[1024], after[1024], v[16];
	cy_store *s, *before_delete, *after_delete;
	size_t len;
	cy_error err;

	(void)state;
	backend_of(&pg);
	s = fresh_store(&pg_backend, "pg", dsn, sizeof(dsn));
	randombytes_buf(secret, sizeof(secret));
	randombytes_buf(other, sizeof(other));
	assert_int_equal(d->begin(s, 1, &err), 0);
	assert_int_equal(d->init(s, &err), 0);
	assert_int_equal(d->rec_put(s, "key", "doc-1", "", 0, secret,
	    sizeof(secret), 0, &err), 1);
	assert_int_equal(d->rec_put(s, "key", "doc-2", "", 0, other,
	    sizeof(other), 0, &err), 1);
	assert_int_equal(d->commit(s, &err), 0);
	/* Written out, the bytes are found in the table's file. */
	pg_query("CHECKPOINT", NULL, 0);
	pg_records_file(before, sizeof(before));
	assert_true(file_has(before, secret, sizeof(secret)));

	/* A snapshot from before the deletion would keep the row (VACUUM
	 * FULL copies what a transaction may still see): scrub waits for it;
	 * one taken after does not matter. */
	before_delete = open_store(&pg_backend, dsn, CY_STORE_READONLY);
	assert_int_equal(d->begin(before_delete, 0, &err), 0);
	assert_int_equal(d->meta_get(before_delete, "schema", v, sizeof(v), &len,
	    &err), 1);
	assert_int_equal(d->begin(s, 1, &err), 0);
	assert_int_equal(d->rec_delete(s, "key", "doc-1", &err), 1);
	assert_int_equal(d->commit(s, &err), 0);
	after_delete = open_store(&pg_backend, dsn, CY_STORE_READONLY);
	assert_int_equal(d->begin(after_delete, 0, &err), 0);
	assert_int_equal(d->meta_get(after_delete, "schema", v, sizeof(v), &len,
	    &err), 1);
	assert_int_equal(d->scrub(s, &err), CY_E_STORE_RETRY);
	assert_non_null(strstr(err.msg, "scrub: deleted records are still "
	    "visible to a transaction begun before their deletion (backend "));
	assert_non_null(strstr(err.msg, "): try again when it has ended"));
	assert_int_equal(d->commit(before_delete, &err), 0);
	cy_store_close(before_delete);
	/* Inside a transaction scrub cannot run, and says so. */
	assert_int_equal(d->begin(s, 0, &err), 0);
	assert_int_equal(d->scrub(s, &err), CY_E_STORE);
	assert_string_equal(err.msg, "vacuum the records: VACUUM cannot run "
	    "inside a transaction block");
	d->rollback(s);
	assert_int_equal(d->scrub(s, &err), 0);
	assert_int_equal(d->commit(after_delete, &err), 0);
	cy_store_close(after_delete);
	pg_query("CHECKPOINT", NULL, 0);
	pg_records_file(after, sizeof(after));
	assert_false(file_has(before, secret, sizeof(secret)));
	assert_false(file_has(after, secret, sizeof(secret)));
	assert_true(file_has(after, other, sizeof(other)));
	cy_store_close(s);
}

static int
setup(void **state)
{
	char ts[32], item[40];
	cy_entry_field f[] = {
		{"time", ts}, {"actor", "0123456789abcdef0123456789abcdef"},
		{"item-id", item}, {"register", "incoming"}, {"from", "received"},
		{"to", "registered"},
	};
	cy_idkey *actor = NULL;
	cy_error err;
	size_t i;

	(void)state;
	if (cy_init() != 0 || mkdtemp(dir) == NULL)
		return -1;
	if (cy_idkey_generate(&actor, &err) != 0)
		return -1;
	snprintf(ts, sizeof(ts), "2026-05-01T10:00:00Z");
	for (i = 0; i < NENTRIES; i++) {
		snprintf(item, sizeof(item), "%032zx", i);
		if (cy_entry_create("item.transition", f, 6, actor, &entries[i],
		    &err) != 0)
			break;
	}
	cy_idkey_free(actor);
	if (i < NENTRIES)
		return -1;
	return cy_note_signer_generate("store.test/hcm", &signer, NULL);
}

static int
teardown(void **state)
{
	char cmd[300];
	size_t i;

	(void)state;
	for (i = 0; i < NENTRIES; i++)
		cy_buf_free(&entries[i]);
	cy_note_signer_free(signer);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A test on each driver, named by it. */
#define ON_BOTH(fn) \
	cmocka_unit_test_prestate_setup_teardown(fn, NULL, NULL, \
	    (void *)&sqlite_backend), \
	{#fn "_pg", fn, NULL, NULL, (void *)&pg_backend}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_driver_version),
		cmocka_unit_test(test_register_on_other_driver),
		cmocka_unit_test(test_sqlite_path_open),
		cmocka_unit_test(test_sqlite_delete_scrubs),
		ON_BOTH(test_round_trips),
		ON_BOTH(test_busy_retry),
		ON_BOTH(test_create_is_atomic),
		ON_BOTH(test_records),
		ON_BOTH(test_migrate),
		cmocka_unit_test(test_pg_register),
		cmocka_unit_test(test_pg_two_writers),
		cmocka_unit_test(test_pg_delete_scrubs),
		cmocka_unit_test(test_pg_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
