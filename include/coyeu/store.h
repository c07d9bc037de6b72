/* coyeu — storage behind a versioned interface (see docs/store.md).
 *
 * The register (log.h) keeps its data through a cy_store_driver: a table
 * of operations with a version, in the manner of SQLite's sqlite3_vfs.
 * The library ships the SQLite driver; a program may bring its own (a
 * network database) and hand the opened store to cy_log_open_store.
 *
 * Rules a driver follows:
 *  - every operation returns 0 (or 1 for "found") on success, or a
 *    negative code with err set: CY_E_STORE_RETRY when the whole
 *    transaction may be tried again (busy, lock conflict, serialization
 *    failure, lost connection), CY_E_STORE when it may not;
 *  - writes happen only between begin(s, 1) and commit/rollback; reads
 *    inside begin(s, 0) see one snapshot; several processes may hold
 *    stores on the same data, one writer at a time;
 *  - the `out` buffers of a get are caller-owned: *len is the stored
 *    length even when larger than cap (then cap bytes are copied).
 *
 * Growth: operations are only ever appended.  A version-N driver fills
 * every slot up to N's last one and sets `version` = N and `size` =
 * sizeof(its struct); callers check cy_store_has(s, N) before a slot added
 * in version N.
 */
#ifndef COYEU_STORE_H
#define COYEU_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/buf.h"
#include "coyeu/error.h"

/* A record hash as the register keeps it (SHA-256; CY_HASH_LEN in merkle.h,
 * which the storage layer sits below). */
#define CY_STORE_HASH_LEN 32

#define CY_STORE_VERSION 2 /* the newest version this header describes */

typedef struct cy_store_driver cy_store_driver;

/* A driver's store begins with this (its first member), like
 * sqlite3_file: the rest is the driver's. */
typedef struct cy_store {
	const cy_store_driver *drv;
} cy_store;

enum cy_store_flags {
	CY_STORE_READONLY = 1, /* never write */
	CY_STORE_CREATE = 2,   /* create a new, empty store; refuse an existing one */
	CY_STORE_NOWAIT = 4,   /* do not wait for another writer: fail at once
	                        * with CY_E_STORE_RETRY */
	CY_STORE_NOMAP = 8,    /* SQLite: read through the page cache, not a
	                        * memory map (a handle of many short read
	                        * transactions beside a busy writer: SQLite
	                        * drops its map at each one after a commit) */
};

/* What count() counts. */
enum cy_store_count {
	CY_STORE_TILES = 1,
	CY_STORE_PARTIALS = 2,
	CY_STORE_LEAVES = 3,
};

/* rec_put's flags. */
enum cy_store_rec_flags {
	CY_STORE_REC_NEW = 1, /* insert only: an existing (kind, key) is left
	                       * as it is and rec_put returns 0 (1: inserted) */
};

/* A scan's callback: 0 goes on, anything else stops the scan, which
 * returns it. */
typedef int cy_store_row_fn(void *ctx, uint64_t key, const uint8_t *data,
    size_t len, cy_error *err);

/* A record scan's callback, as cy_store_row_fn. */
typedef int cy_store_rec_fn(void *ctx, const char *key, const char *group,
    int64_t time, const uint8_t *data, size_t len, cy_error *err);

struct cy_store_driver {
	int version;      /* the last version whose slots are all filled */
	const char *name; /* "sqlite" */
	size_t size;      /* sizeof(cy_store_driver) as the driver knows it */

	/* dsn: the driver's address of the data (SQLite: a file path). */
	int (*open)(const char *dsn, int flags, cy_store **out, cy_error *err);
	void (*close)(cy_store *s);

	/* One transaction per store at a time.  write: take the one writer's
	 * place (may return CY_E_STORE_RETRY); 0: a read snapshot. */
	int (*begin)(cy_store *s, int write, cy_error *err);
	int (*commit)(cy_store *s, cy_error *err);
	void (*rollback)(cy_store *s);

	/* --- version 1: the register --- */
	/* Creates the register's tables (inside a write transaction). */
	int (*init)(cy_store *s, cy_error *err);
	/* Text values; meta_put stores v (NULL: none) under k, replacing. */
	int (*meta_get)(cy_store *s, const char *k, char *out, size_t cap,
	    size_t *len, cy_error *err);
	int (*meta_put)(cy_store *s, const char *k, const char *v, cy_error *err);
	/* The register's size, kept as the meta value "size". */
	int (*size_put)(cy_store *s, uint64_t size, cy_error *err);
	int (*entry_put)(cy_store *s, uint64_t idx, const uint8_t *data,
	    size_t len, cy_error *err);
	int (*entry_get)(cy_store *s, uint64_t idx, cy_buf *out, cy_error *err);
	/* Entries from index `from` on, ascending. */
	int (*entry_scan)(cy_store *s, uint64_t from, cy_store_row_fn *fn,
	    void *ctx, cy_error *err);
	/* Record hashes (CY_STORE_HASH_LEN bytes) and their entry's index. */
	int (*leaf_put)(cy_store *s, const uint8_t *hash, uint64_t idx,
	    cy_error *err);
	int (*leaf_find)(cy_store *s, const uint8_t *hash, uint64_t *idx,
	    cy_error *err);
	/* Full tiles, by level and index. */
	int (*tile_put)(cy_store *s, unsigned level, uint64_t index,
	    const uint8_t *data, size_t len, cy_error *err);
	int (*tile_get)(cy_store *s, unsigned level, uint64_t index, uint8_t *out,
	    size_t cap, size_t *len, cy_error *err);
	/* The partial tiles of the right edge, by level. */
	int (*partial_clear)(cy_store *s, cy_error *err);
	int (*partial_put)(cy_store *s, unsigned level, const uint8_t *data,
	    size_t len, cy_error *err);
	int (*partial_get)(cy_store *s, unsigned level, uint8_t *out, size_t cap,
	    size_t *len, cy_error *err);
	/* Signed checkpoint notes, by tree size. */
	int (*checkpoint_put)(cy_store *s, uint64_t size, const uint8_t *note,
	    size_t len, cy_error *err);
	int (*checkpoint_get)(cy_store *s, uint64_t size, cy_buf *out,
	    cy_error *err);
	int (*checkpoint_latest)(cy_store *s, cy_buf *out, cy_error *err);
	/* The first checkpoint of a size above `size`. */
	int (*checkpoint_after)(cy_store *s, uint64_t size, cy_buf *out,
	    cy_error *err);
	/* Checkpoints of size `from` and above, ascending (key: the size). */
	int (*checkpoint_scan)(cy_store *s, uint64_t from, cy_store_row_fn *fn,
	    void *ctx, cy_error *err);
	int (*count)(cy_store *s, int what, uint64_t *n, cy_error *err);

	/* --- version 2: the registry's records --- */
	/* Brings an existing store to the driver's newest schema (inside a
	 * write transaction; idempotent; the meta value "schema" says which
	 * migrations ran).  init creates the newest schema directly. */
	int (*migrate)(cy_store *s, cy_error *err);
	/* Records: (kind, key) -> (group, time, data).  kind is a short name
	 * ("cert", "nonce", "crl", "witness", ...), key is unique within its
	 * kind, group is a secondary key that rec_scan selects on (a unit, a
	 * document; "" for none), time is Unix seconds (a date or an expiry).
	 * rec_put replaces an existing record unless flags has
	 * CY_STORE_REC_NEW; it returns 1 when it wrote, 0 when REC_NEW found
	 * the key taken. */
	int (*rec_put)(cy_store *s, const char *kind, const char *key,
	    const char *group, int64_t time, const uint8_t *data, size_t len,
	    int flags, cy_error *err);
	/* 1 and the record's data (and time, when not NULL), or 0: none. */
	int (*rec_get)(cy_store *s, const char *kind, const char *key,
	    cy_buf *out, int64_t *time, cy_error *err);
	/* Records of kind (and of group, when not NULL), ascending by key. */
	int (*rec_scan)(cy_store *s, const char *kind, const char *group,
	    cy_store_rec_fn *fn, void *ctx, cy_error *err);
	/* Deletes a record so that its bytes do not survive in the store's
	 * files (SQLite: secure_delete; the WAL is checkpointed by the
	 * caller's scrub, below).  1: deleted, 0: there was none. */
	int (*rec_delete)(cy_store *s, const char *kind, const char *key,
	    cy_error *err);
	/* Deletes the records of kind whose time is before `before`; *n (when
	 * not NULL) is how many. */
	int (*rec_expire)(cy_store *s, const char *kind, int64_t before,
	    uint64_t *n, cy_error *err);
	/* Outside any transaction: makes deleted bytes unrecoverable from the
	 * store's files (SQLite: a WAL checkpoint with truncation;
	 * PostgreSQL: VACUUM of the records table). */
	int (*scrub)(cy_store *s, cy_error *err);
	/* --- version 3 appends here --- */
};

/* The bytes of a version-N driver table. */
#define CY_STORE_V1_SIZE \
	(offsetof(cy_store_driver, count) + sizeof(void *))
#define CY_STORE_V2_SIZE \
	(offsetof(cy_store_driver, scrub) + sizeof(void *))

/* The SQLite driver (dsn: a file path). */
CY_API const cy_store_driver *cy_store_sqlite_driver(void);
/* The PostgreSQL driver (dsn: a libpq connection string or URI,
 * "postgres://..." or "host=/tmp/x dbname=coyeu"). */
CY_API const cy_store_driver *cy_store_postgres_driver(void);
/* The driver a "db =" value names: "sqlite:PATH" (or a bare path) or
 * "postgres://..." / "postgresql://..."; *dsn points into db. */
CY_API const cy_store_driver *cy_store_driver_for(const char *db,
    const char **dsn);
/* Opens a store through drv, after checking it fills version 1. */
CY_API int cy_store_open(const cy_store_driver *drv, const char *dsn,
    int flags, cy_store **out, cy_error *err) CY_MUST_CHECK;
CY_API void cy_store_close(cy_store *s);
/* Whether s's driver fills every slot of `version`. */
CY_API int cy_store_has(const cy_store *s, int version);

#endif
