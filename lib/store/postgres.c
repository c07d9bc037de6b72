/* The PostgreSQL store driver, through libpq: the register and the
 * registry's records in one database, shared by several processes and
 * nodes.  Writers serialise on a transaction-scoped advisory lock; every
 * value travels as a binary parameter and comes back in binary. */
#include <ctype.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coyeu/store.h"
#include "store/storeint.h"

#define TILE_ID(level, index) ((int64_t)((uint64_t)(level) << 56 | (index)))
/* The one writer's lock: pg_advisory_xact_lock's key ("coyeu"), held by
 * a write transaction until it ends, whichever process or node runs it. */
#define WRITER_LOCK "427071989109"
#define LOCK_WAIT "30s" /* as SQLite's busy wait */
#define SCAN_PAGE 1024  /* rows a scan reads per query */
#define STR(x) #x
#define LIMIT(n) " LIMIT " STR(n)
#define MAX_ARGS 5

enum {
	S_INS_ENTRY, S_GET_ENTRY, S_SCAN_ENTRY, S_INS_TILE, S_GET_TILE,
	S_INS_CKPT, S_GET_CKPT, S_LAST_CKPT, S_NEXT_CKPT, S_SCAN_CKPT,
	S_GET_META, S_PUT_META, S_DEL_PARTIAL, S_INS_PARTIAL, S_GET_PARTIAL,
	S_INS_LEAF, S_GET_LEAF, S_COUNT_TILE, S_COUNT_PARTIAL, S_COUNT_LEAF,
	S_PUT_REC, S_ADD_REC, S_GET_REC, S_SCAN_REC, S_SCAN_GRP, S_DEL_REC,
	S_EXPIRE_REC, S_XID, S_OLDER_SNAPSHOT, NSTMT,
};

/* Inserts of what is written once do nothing on a taken key, and the
 * driver reports it: an error would abort the whole transaction, where
 * SQLite's leaves it usable. */
static const char *const sql_text[NSTMT] = {
	[S_INS_ENTRY] = ("INSERT INTO entry(idx, data) VALUES($1, $2) "
	    "ON CONFLICT DO NOTHING"),
	[S_GET_ENTRY] = "SELECT data FROM entry WHERE idx = $1",
	[S_SCAN_ENTRY] = ("SELECT idx, data FROM entry WHERE idx >= $1 "
	    "ORDER BY idx" LIMIT(SCAN_PAGE)),
	[S_INS_TILE] = ("INSERT INTO tile(id, hashes) VALUES($1, $2) "
	    "ON CONFLICT DO NOTHING"),
	[S_GET_TILE] = "SELECT hashes FROM tile WHERE id = $1",
	[S_INS_CKPT] = ("INSERT INTO checkpoint(size, note) VALUES($1, $2) "
	    "ON CONFLICT DO NOTHING"),
	[S_GET_CKPT] = "SELECT note FROM checkpoint WHERE size = $1",
	[S_LAST_CKPT] = "SELECT note FROM checkpoint ORDER BY size DESC LIMIT 1",
	[S_NEXT_CKPT] = ("SELECT note FROM checkpoint WHERE size > $1 "
	    "ORDER BY size LIMIT 1"),
	[S_SCAN_CKPT] = ("SELECT size, note FROM checkpoint WHERE size >= $1 "
	    "ORDER BY size" LIMIT(SCAN_PAGE)),
	[S_GET_META] = "SELECT v FROM meta WHERE k = $1",
	[S_PUT_META] = ("INSERT INTO meta(k, v) VALUES($1, $2) "
	    "ON CONFLICT (k) DO UPDATE SET v = excluded.v"),
	[S_DEL_PARTIAL] = "DELETE FROM partial",
	[S_INS_PARTIAL] = ("INSERT INTO partial(level, hashes) VALUES($1, $2) "
	    "ON CONFLICT DO NOTHING"),
	[S_GET_PARTIAL] = "SELECT hashes FROM partial WHERE level = $1",
	[S_INS_LEAF] = ("INSERT INTO leaf(hash, idx) VALUES($1, $2) "
	    "ON CONFLICT DO NOTHING"),
	[S_GET_LEAF] = "SELECT idx FROM leaf WHERE hash = $1",
	[S_COUNT_TILE] = "SELECT count(*) FROM tile",
	[S_COUNT_PARTIAL] = "SELECT count(*) FROM partial",
	[S_COUNT_LEAF] = "SELECT count(*) FROM leaf",
	[S_PUT_REC] = ("INSERT INTO records(kind, key, grp, time, data) "
	    "VALUES($1, $2, $3, $4, $5) ON CONFLICT (kind, key) DO UPDATE SET "
	    "grp = excluded.grp, time = excluded.time, data = excluded.data"),
	[S_ADD_REC] = ("INSERT INTO records(kind, key, grp, time, data) "
	    "VALUES($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING"),
	[S_GET_REC] = "SELECT data, time FROM records WHERE kind = $1 AND key = $2",
	/* A scan's page starts at the last key the one before read (the
	 * first at ""). */
	[S_SCAN_REC] = ("SELECT key, grp, time, data FROM records "
	    "WHERE kind = $1 AND key >= $2 ORDER BY key" LIMIT(SCAN_PAGE)),
	[S_SCAN_GRP] = ("SELECT key, grp, time, data FROM records "
	    "WHERE kind = $1 AND grp = $3 AND key >= $2 ORDER BY key" LIMIT(SCAN_PAGE)),
	[S_DEL_REC] = "DELETE FROM records WHERE kind = $1 AND key = $2",
	[S_EXPIRE_REC] = "DELETE FROM records WHERE kind = $1 AND time < $2",
	[S_XID] = "SELECT pg_current_xact_id()",
	/* Whatever may still see rows deleted by transaction $1 (its 32-bit
	 * xid): a snapshot taken before it committed has an xmin at or
	 * before it, and so does what holds back the vacuum horizon. */
	[S_OLDER_SNAPSHOT] = ("SELECT pid::text FROM pg_stat_activity "
	    "WHERE pid <> pg_backend_pid() AND backend_xmin IS NOT NULL "
	    "AND (datname IS NULL OR datname = current_database()) "
	    "AND age(backend_xmin) >= age($1::text::xid) "
	    "UNION ALL SELECT 'slot ' || slot_name FROM pg_replication_slots "
	    "WHERE xmin IS NOT NULL AND age(xmin) >= age($1::text::xid) "
	    "UNION ALL SELECT 'prepared ' || gid FROM pg_prepared_xacts "
	    "WHERE database = current_database() "
	    "AND age(transaction) >= age($1::text::xid) LIMIT 1"),
};

/* Schema 1: the register's tables.  Text keys compare as bytes ("C"),
 * as SQLite's do, whatever the database's locale. */
static const char schema_v1[] =
    "CREATE TABLE meta(k TEXT COLLATE \"C\" PRIMARY KEY, v TEXT);"
    "CREATE TABLE entry(idx BIGINT PRIMARY KEY, data BYTEA NOT NULL);"
    "CREATE TABLE tile(id BIGINT PRIMARY KEY, hashes BYTEA NOT NULL);"
    "CREATE TABLE partial(level BIGINT PRIMARY KEY, hashes BYTEA NOT NULL);"
    "CREATE TABLE checkpoint(size BIGINT PRIMARY KEY, note BYTEA NOT NULL);"
    "CREATE TABLE leaf(hash BYTEA PRIMARY KEY, idx BIGINT NOT NULL);";

/* migration[i] brings schema i to i + 1 (see sqlite.c). */
static const char *const migration[] = {
	[1] = "CREATE TABLE records(kind TEXT COLLATE \"C\" NOT NULL, "
	    "key TEXT COLLATE \"C\" NOT NULL, grp TEXT COLLATE \"C\" NOT NULL, "
	    "time BIGINT NOT NULL, data BYTEA NOT NULL, PRIMARY KEY(kind, key));"
	    "CREATE INDEX records_grp ON records(kind, grp, key);"
	    "CREATE INDEX records_time ON records(kind, time);"
	    "INSERT INTO meta(k, v) VALUES('schema', '2') "
	    "ON CONFLICT (k) DO UPDATE SET v = excluded.v;",
};

/* The tables a store has; CY_STORE_CREATE refuses a database with any. */
#define TABLES "meta, entry, tile, partial, checkpoint, leaf, records"

_Static_assert(NSTMT <= 32, "the prepared-statement bits are a uint32_t");

struct pg {
	cy_store base;
	PGconn *conn;
	int flags;
	uint32_t prepared; /* bit i: statement i is prepared on this session */
	int tx;            /* inside begin .. commit/rollback */
	/* The transaction deleting records (until it ends), and the last
	 * committed one whose deleted rows scrub has not seen removed. */
	uint64_t deleting, shred;
};

#define PG(s) ((struct pg *)(s))

/* One statement's parameters: text, or binary (8-byte integers, bytes). */
struct args {
	int n;
	const char *v[MAX_ARGS];
	int len[MAX_ARGS], fmt[MAX_ARGS];
	unsigned char ints[MAX_ARGS][8];
};

static void
arg_text(struct args *a, const char *s)
{
	a->v[a->n] = s;
	a->len[a->n] = 0;
	a->fmt[a->n++] = 0;
}

static void
arg_i64(struct args *a, int64_t x)
{
	uint64_t u = (uint64_t)x;
	int i;

	for (i = 0; i < 8; i++)
		a->ints[a->n][i] = (unsigned char)(u >> (56 - 8 * i));
	a->v[a->n] = (const char *)a->ints[a->n];
	a->len[a->n] = 8;
	a->fmt[a->n++] = 1;
}

static void
arg_bytes(struct args *a, const uint8_t *p, size_t len)
{
	a->v[a->n] = p != NULL ? (const char *)p : "";
	a->len[a->n] = (int)len;
	a->fmt[a->n++] = 1;
}

static int64_t
col_i64(const PGresult *res, int row, int col)
{
	const unsigned char *p = (const unsigned char *)PQgetvalue(res, row, col);
	uint64_t u = 0;
	int i;

	if (PQgetlength(res, row, col) != 8)
		return 0;
	for (i = 0; i < 8; i++)
		u = u << 8 | p[i];
	return (int64_t)u;
}

static const uint8_t *
col_bytes(const PGresult *res, int row, int col, size_t *len)
{
	*len = (size_t)PQgetlength(res, row, col);
	return (const uint8_t *)PQgetvalue(res, row, col);
}

/* A message on one line: without libpq's "ERROR:  ", each run of
 * newlines and tabs one space. */
static void
message(const char *msg, char *out, size_t cap)
{
	size_t n = 0;
	int space = 0;

	if (msg == NULL || *msg == '\0')
		msg = "no message";
	if (strncmp(msg, "ERROR:  ", 8) == 0)
		msg += 8;
	for (; *msg != '\0' && n + 1 < cap; msg++) {
		if (*msg == '\n' || *msg == '\t' || *msg == '\r') {
			space = 1;
			continue;
		}
		if (space && n > 0)
			out[n++] = ' ';
		space = 0;
		if (n + 1 < cap)
			out[n++] = *msg;
	}
	out[n] = '\0';
}

/* Failures the whole transaction may be tried again after: serialization
 * failure, deadlock, lock wait over, the server shutting down, and any
 * connection trouble (class 08, or the connection lost). */
static int
retryable(const struct pg *d, const char *state)
{
	if (PQstatus(d->conn) == CONNECTION_BAD)
		return 1;
	if (state == NULL)
		return 0;
	return strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
	    strcmp(state, "55P03") == 0 || strcmp(state, "57P01") == 0 ||
	    strncmp(state, "08", 2) == 0;
}

/* Maps a failed result (or a failed send, res NULL) to an error. */
static int
fail(struct pg *d, const PGresult *res, cy_error *err, const char *what)
{
	const char *state = res != NULL ?
	    PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = res != NULL ?
	    PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char msg[512];

	/* The server's own sentence, else libpq's (a lost connection). */
	message(primary != NULL ? primary : PQerrorMessage(d->conn), msg,
	    sizeof(msg));
	if (retryable(d, state))
		return cy_error_set(err, CY_E_STORE_RETRY, "%s: %s (PostgreSQL: "
		    "try again)", what, msg);
	if (state != NULL && strcmp(state, "42P01") == 0)
		return cy_error_set(err, CY_E_STORE, "not a coyeu register: %s", msg);
	return cy_error_set(err, CY_E_STORE, "%s: %s", what, msg);
}

/* Runs SQL text with no parameters (several statements may follow). */
static int
exec(struct pg *d, const char *sql, cy_error *err, const char *what)
{
	PGresult *res = PQexec(d->conn, sql);
	ExecStatusType st = PQresultStatus(res);
	int r = 0;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		r = fail(d, res, err, what);
	PQclear(res);
	return r;
}

static int reconnect(struct pg *d, cy_error *err);

/* Runs statement i with a's parameters once; *res holds its rows. */
static int
run_once(struct pg *d, int i, const struct args *a, PGresult **res,
    cy_error *err, const char *what)
{
	ExecStatusType st;
	char name[8];
	int r;

	*res = NULL;
	snprintf(name, sizeof(name), "s%d", i);
	if (!(d->prepared & (1u << i))) {
		*res = PQprepare(d->conn, name, sql_text[i], 0, NULL);
		if (PQresultStatus(*res) != PGRES_COMMAND_OK) {
			r = fail(d, *res, err, what);
			PQclear(*res);
			*res = NULL;
			return r;
		}
		PQclear(*res);
		d->prepared |= 1u << i;
	}
	*res = PQexecPrepared(d->conn, name, a->n, a->v, a->len, a->fmt, 1);
	st = PQresultStatus(*res);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return 0;
	r = fail(d, *res, err, what);
	PQclear(*res);
	*res = NULL;
	return r;
}

/* Runs statement i with a's parameters; *res holds its rows (clear it).
 * Outside a transaction (a daemon's quick lookup, always a read) a lost
 * connection is made again, before and, once, after the statement finds
 * it gone (libpq learns it only then): a pooled handle must not fail
 * after the server came back. */
static int
run(struct pg *d, int i, const struct args *a, PGresult **res, cy_error *err,
    const char *what)
{
	int r;

	if (!d->tx && (r = reconnect(d, err)) != 0)
		return r;
	r = run_once(d, i, a, res, err, what);
	if (r == CY_E_STORE_RETRY && !d->tx &&
	    PQstatus(d->conn) == CONNECTION_BAD) {
		if ((r = reconnect(d, err)) != 0)
			return r;
		r = run_once(d, i, a, res, err, what);
	}
	return r;
}

/* Runs a write; *n: the rows it changed. */
static int
run_write(struct pg *d, int i, const struct args *a, uint64_t *n,
    cy_error *err, const char *what)
{
	PGresult *res;
	int r;

	if ((r = run(d, i, a, &res, err, what)) != 0)
		return r;
	*n = strtoull(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return 0;
}

/* An insert of what is written once: the key must be free. */
static int
insert_once(struct pg *d, int i, const struct args *a, cy_error *err,
    const char *what)
{
	uint64_t n;
	int r;

	if ((r = run_write(d, i, a, &n, err, what)) != 0)
		return r;
	return n == 1 ? 0 : cy_error_set(err, CY_E_STORE, "%s: the key is "
	    "already stored", what);
}

/* Runs a one-row query: 1 and *res (clear it), or 0 with no row. */
static int
run_row(struct pg *d, int i, const struct args *a, PGresult **res,
    cy_error *err, const char *what)
{
	int r;

	if ((r = run(d, i, a, res, err, what)) != 0)
		return r;
	if (PQntuples(*res) > 0)
		return 1;
	PQclear(*res);
	*res = NULL;
	return 0;
}

/* A session's settings, again after a reconnect. */
static int
session(struct pg *d, cy_error *err)
{
	char sql[256];

	d->prepared = 0;
	/* No lock wait beyond LOCK_WAIT (then "retry"), commits durable
	 * whatever the server's default, writes refused read-only. */
	snprintf(sql, sizeof(sql), "SET lock_timeout = '%s';"
	    "SET synchronous_commit = on;"
	    "SET client_min_messages = warning;"
	    "SET default_transaction_read_only = %s",
	    (d->flags & CY_STORE_NOWAIT) ? "1ms" : LOCK_WAIT,
	    (d->flags & CY_STORE_READONLY) ? "on" : "off");
	return exec(d, sql, err, "set up the session");
}

/* The library never prints: the server's notices are dropped. */
static void
quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

static void
pg_close(cy_store *s)
{
	if (s == NULL)
		return;
	PQfinish(PG(s)->conn);
	free(s);
}

/* Refuses to create a store over a database that holds one. */
static int
none_there(struct pg *d, cy_error *err)
{
	PGresult *res = PQexec(d->conn, "SELECT 1 FROM pg_tables WHERE "
	    "schemaname = current_schema() AND tablename IN ('meta', 'entry', "
	    "'tile', 'partial', 'checkpoint', 'leaf', 'records')");
	int r = 0;

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		r = fail(d, res, err, "look for a store");
	else if (PQntuples(res) > 0)
		r = cy_error_set(err, CY_E_STORE, "the database already holds "
		    "tables of a store (" TABLES "): refusing to create one over "
		    "them");
	PQclear(res);
	return r;
}

/* A dsn libpq cannot read is the caller's mistake, not the server's. */
static int
check_dsn(const char *dsn, cy_error *err)
{
	PQconninfoOption *o;
	char *why = NULL, msg[512];

	if ((o = PQconninfoParse(dsn, &why)) != NULL) {
		PQconninfoFree(o);
		return 0;
	}
	message(why != NULL ? why : "out of memory", msg, sizeof(msg));
	PQfreemem(why);
	return cy_error_set(err, CY_E_USAGE, "the PostgreSQL dsn is not "
	    "valid: %s (a libpq connection string or postgres:// URI)", msg);
}

static int
pg_open(const char *dsn, int flags, cy_store **out, cy_error *err)
{
	struct pg *d;
	char msg[512];
	int r;

	*out = NULL;
	if ((r = check_dsn(dsn, err)) != 0)
		return r;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	d->base.drv = cy_store_postgres_driver();
	d->flags = flags;
	if ((d->conn = PQconnectdb(dsn)) == NULL) {
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	if (PQstatus(d->conn) != CONNECTION_OK) {
		message(PQerrorMessage(d->conn), msg, sizeof(msg));
		/* The server may be starting or restarting: worth a retry. */
		r = cy_error_set(err, CY_E_STORE_RETRY, "cannot connect to "
		    "PostgreSQL: %s", msg);
		goto out;
	}
	PQsetNoticeProcessor(d->conn, quiet, NULL);
	if ((r = session(d, err)) != 0 ||
	    ((flags & CY_STORE_CREATE) && (r = none_there(d, err)) != 0))
		goto out;
	*out = &d->base;
	d = NULL;
out:
	pg_close(d != NULL ? &d->base : NULL);
	return r;
}

/* A connection lost since the last transaction is made again here (and
 * only here: never in the middle of a transaction). */
static int
reconnect(struct pg *d, cy_error *err)
{
	char msg[512];

	if (PQstatus(d->conn) == CONNECTION_OK)
		return 0;
	PQreset(d->conn);
	if (PQstatus(d->conn) != CONNECTION_OK) {
		message(PQerrorMessage(d->conn), msg, sizeof(msg));
		return cy_error_set(err, CY_E_STORE_RETRY, "lost the connection to "
		    "PostgreSQL and could not connect again: %s (try again)", msg);
	}
	return session(d, err);
}

static int
pg_begin(cy_store *s, int write, cy_error *err)
{
	struct pg *d = PG(s);
	int r;

	if ((r = reconnect(d, err)) != 0)
		return r;
	if (!write) {
		r = exec(d, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
		    err, "begin");
		d->tx = r == 0;
		return r;
	}
	/* READ COMMITTED: each statement after the lock sees every commit
	 * made before it, so the one writer continues the latest register. */
	if ((r = exec(d, "BEGIN ISOLATION LEVEL READ COMMITTED;"
	    "SELECT pg_advisory_xact_lock(" WRITER_LOCK ")", err,
	    "wait for the writer's lock")) != 0) {
		(void)exec(d, "ROLLBACK", NULL, "rollback");
		if (r == CY_E_STORE_RETRY && PQstatus(d->conn) == CONNECTION_OK)
			cy_error_set(err, r, "another process is writing: try again");
	}
	d->tx = r == 0;
	return r;
}

static int
pg_commit(cy_store *s, cy_error *err)
{
	struct pg *d = PG(s);
	PGresult *res = PQexec(d->conn, "COMMIT");
	int r = 0;

	d->tx = 0;
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		r = fail(d, res, err, "commit");
	/* A failed transaction's COMMIT answers ROLLBACK. */
	else if (strcmp(PQcmdStatus(res), "COMMIT") != 0)
		r = cy_error_set(err, CY_E_STORE, "commit: the transaction had "
		    "failed and was rolled back");
	PQclear(res);
	if (r == 0 && d->deleting > d->shred)
		d->shred = d->deleting;
	d->deleting = 0;
	return r;
}

static void
pg_rollback(cy_store *s)
{
	PG(s)->deleting = 0;
	PG(s)->tx = 0;
	(void)exec(PG(s), "ROLLBACK", NULL, "rollback");
}

static int
migrate_from(struct pg *d, long schema, cy_error *err)
{
	int r = 0;

	for (; r == 0 && schema < CY_STORE_SCHEMA; schema++)
		r = exec(d, migration[schema], err, "migrate the store");
	return r;
}

static int
pg_init(cy_store *s, cy_error *err)
{
	int r;

	if ((r = exec(PG(s), schema_v1, err, "create the tables")) != 0)
		return r;
	return migrate_from(PG(s), 1, err);
}

static int
pg_migrate(cy_store *s, cy_error *err)
{
	long schema;
	int r;

	if ((r = cy_store_schema(s, CY_STORE_SCHEMA, &schema, err)) != 0)
		return r;
	return migrate_from(PG(s), schema, err);
}

static int
pg_meta_get(cy_store *s, const char *k, char *out, size_t cap, size_t *len,
    cy_error *err)
{
	struct args a = {0};
	PGresult *res;
	const uint8_t *v;
	int r;

	arg_text(&a, k);
	if ((r = run_row(PG(s), S_GET_META, &a, &res, err, "meta")) != 1)
		return r;
	v = col_bytes(res, 0, 0, len);
	if (*len < cap) {
		memcpy(out, v, *len);
		out[*len] = '\0';
	}
	PQclear(res);
	return 1;
}

static int
pg_meta_put(cy_store *s, const char *k, const char *v, cy_error *err)
{
	struct args a = {0};
	uint64_t n;

	arg_text(&a, k);
	arg_text(&a, v);
	return run_write(PG(s), S_PUT_META, &a, &n, err, "meta");
}

static int
pg_size_put(cy_store *s, uint64_t size, cy_error *err)
{
	char v[24];

	snprintf(v, sizeof(v), "%llu", (unsigned long long)size);
	return pg_meta_put(s, "size", v, err);
}

/* (int key, bytes) into insert statement i. */
static int
put(struct pg *d, int i, int64_t key, const uint8_t *data, size_t len,
    cy_error *err, const char *what)
{
	struct args a = {0};

	if (len > INT32_MAX)
		return cy_error_set(err, CY_E_TOO_LARGE, "%s too large", what);
	arg_i64(&a, key);
	arg_bytes(&a, data, len);
	return insert_once(d, i, &a, err, what);
}

/* Query i's first column (bytes) into out, at most cap; *len: its size. */
static int
get_bytes(struct pg *d, int i, int64_t key, uint8_t *out, size_t cap,
    size_t *len, cy_error *err, const char *what)
{
	struct args a = {0};
	PGresult *res;
	const uint8_t *v;
	int r;

	arg_i64(&a, key);
	if ((r = run_row(d, i, &a, &res, err, what)) != 1)
		return r;
	v = col_bytes(res, 0, 0, len);
	memcpy(out, v, *len < cap ? *len : cap);
	PQclear(res);
	return 1;
}

/* A row's first column appended to out. */
static int
res_buf(PGresult *res, cy_buf *out, cy_error *err)
{
	const uint8_t *v;
	size_t len;

	v = col_bytes(res, 0, 0, &len);
	cy_buf_append(out, v, len);
	PQclear(res);
	return cy_buf_status(out) != 0 ?
	    cy_error_set(err, CY_E_NOMEM, "out of memory") : 1;
}

/* Query i (with key when bind) into out. */
static int
get_buf(struct pg *d, int i, int bind, int64_t key, cy_buf *out,
    cy_error *err, const char *what)
{
	struct args a = {0};
	PGresult *res;
	int r;

	if (bind)
		arg_i64(&a, key);
	if ((r = run_row(d, i, &a, &res, err, what)) != 1)
		return r;
	return res_buf(res, out, err);
}

/* Rows (int key, bytes) from `from` on, a page per query. */
static int
get_scan(struct pg *d, int i, uint64_t from, cy_store_row_fn *fn, void *ctx,
    cy_error *err, const char *what)
{
	const uint8_t *v;
	PGresult *res;
	size_t len;
	int64_t key = 0;
	int r = 0, rows, k;

	for (rows = SCAN_PAGE; r == 0 && rows == SCAN_PAGE && from <= INT64_MAX;
	    from = (uint64_t)key + 1) {
		struct args a = {0};

		arg_i64(&a, (int64_t)from);
		if ((r = run(d, i, &a, &res, err, what)) != 0)
			return r;
		rows = PQntuples(res);
		for (k = 0; r == 0 && k < rows; k++) {
			key = col_i64(res, k, 0);
			v = col_bytes(res, k, 1, &len);
			r = fn(ctx, (uint64_t)key, v, len, err);
		}
		PQclear(res);
		if (key == INT64_MAX)
			break;
	}
	return r;
}

static int
pg_entry_put(cy_store *s, uint64_t idx, const uint8_t *data, size_t len,
    cy_error *err)
{
	return put(PG(s), S_INS_ENTRY, (int64_t)idx, data, len, err,
	    "store entry");
}

static int
pg_entry_get(cy_store *s, uint64_t idx, cy_buf *out, cy_error *err)
{
	return get_buf(PG(s), S_GET_ENTRY, 1, (int64_t)idx, out, err, "entry");
}

static int
pg_entry_scan(cy_store *s, uint64_t from, cy_store_row_fn *fn, void *ctx,
    cy_error *err)
{
	return get_scan(PG(s), S_SCAN_ENTRY, from, fn, ctx, err, "entries");
}

static int
pg_leaf_put(cy_store *s, const uint8_t *hash, uint64_t idx, cy_error *err)
{
	struct args a = {0};

	arg_bytes(&a, hash, CY_STORE_HASH_LEN);
	arg_i64(&a, (int64_t)idx);
	return insert_once(PG(s), S_INS_LEAF, &a, err, "store record hash");
}

static int
pg_leaf_find(cy_store *s, const uint8_t *hash, uint64_t *idx, cy_error *err)
{
	struct args a = {0};
	PGresult *res;
	int r;

	arg_bytes(&a, hash, CY_STORE_HASH_LEN);
	if ((r = run_row(PG(s), S_GET_LEAF, &a, &res, err, "record hash")) == 1) {
		*idx = (uint64_t)col_i64(res, 0, 0);
		PQclear(res);
	}
	return r;
}

static int
pg_tile_put(cy_store *s, unsigned level, uint64_t index, const uint8_t *data,
    size_t len, cy_error *err)
{
	return put(PG(s), S_INS_TILE, TILE_ID(level, index), data, len, err,
	    "store tile");
}

static int
pg_tile_get(cy_store *s, unsigned level, uint64_t index, uint8_t *out,
    size_t cap, size_t *len, cy_error *err)
{
	return get_bytes(PG(s), S_GET_TILE, TILE_ID(level, index), out, cap, len,
	    err, "tile");
}

static int
pg_partial_clear(cy_store *s, cy_error *err)
{
	struct args a = {0};
	uint64_t n;

	return run_write(PG(s), S_DEL_PARTIAL, &a, &n, err, "partial tiles");
}

static int
pg_partial_put(cy_store *s, unsigned level, const uint8_t *data, size_t len,
    cy_error *err)
{
	return put(PG(s), S_INS_PARTIAL, (int64_t)level, data, len, err,
	    "partial tile");
}

static int
pg_partial_get(cy_store *s, unsigned level, uint8_t *out, size_t cap,
    size_t *len, cy_error *err)
{
	return get_bytes(PG(s), S_GET_PARTIAL, (int64_t)level, out, cap, len,
	    err, "partial tile");
}

static int
pg_checkpoint_put(cy_store *s, uint64_t size, const uint8_t *note, size_t len,
    cy_error *err)
{
	return put(PG(s), S_INS_CKPT, (int64_t)size, note, len, err,
	    "store checkpoint");
}

static int
pg_checkpoint_get(cy_store *s, uint64_t size, cy_buf *out, cy_error *err)
{
	return get_buf(PG(s), S_GET_CKPT, 1, (int64_t)size, out, err,
	    "checkpoint");
}

static int
pg_checkpoint_latest(cy_store *s, cy_buf *out, cy_error *err)
{
	return get_buf(PG(s), S_LAST_CKPT, 0, 0, out, err, "checkpoint");
}

static int
pg_checkpoint_after(cy_store *s, uint64_t size, cy_buf *out, cy_error *err)
{
	if (size >= INT64_MAX)
		return 0;
	return get_buf(PG(s), S_NEXT_CKPT, 1, (int64_t)size, out, err,
	    "checkpoint");
}

static int
pg_checkpoint_scan(cy_store *s, uint64_t from, cy_store_row_fn *fn, void *ctx,
    cy_error *err)
{
	return get_scan(PG(s), S_SCAN_CKPT, from, fn, ctx, err, "checkpoints");
}

static int
pg_count(cy_store *s, int what, uint64_t *n, cy_error *err)
{
	struct args a = {0};
	PGresult *res;
	int i, r;

	i = what == CY_STORE_TILES ? S_COUNT_TILE :
	    what == CY_STORE_PARTIALS ? S_COUNT_PARTIAL :
	    what == CY_STORE_LEAVES ? S_COUNT_LEAF : -1;
	if (i < 0)
		return cy_error_set(err, CY_E_USAGE, "no count %d", what);
	if ((r = run_row(PG(s), i, &a, &res, err, "count")) < 0)
		return r;
	*n = r == 1 ? (uint64_t)col_i64(res, 0, 0) : 0;
	if (r == 1)
		PQclear(res);
	return 0;
}

/* --- version 2: records --- */

static int
pg_rec_put(cy_store *s, const char *kind, const char *key, const char *group,
    int64_t time, const uint8_t *data, size_t len, int flags, cy_error *err)
{
	struct args a = {0};
	uint64_t n;
	int r;

	if (len > INT32_MAX)
		return cy_error_set(err, CY_E_TOO_LARGE, "record too large");
	arg_text(&a, kind);
	arg_text(&a, key);
	arg_text(&a, group != NULL ? group : "");
	arg_i64(&a, time);
	arg_bytes(&a, data, len);
	if ((r = run_write(PG(s), (flags & CY_STORE_REC_NEW) ? S_ADD_REC :
	    S_PUT_REC, &a, &n, err, "store record")) != 0)
		return r;
	return n > 0;
}

static int
pg_rec_get(cy_store *s, const char *kind, const char *key, cy_buf *out,
    int64_t *time, cy_error *err)
{
	struct args a = {0};
	PGresult *res;
	int r;

	arg_text(&a, kind);
	arg_text(&a, key);
	if ((r = run_row(PG(s), S_GET_REC, &a, &res, err, "record")) != 1)
		return r;
	if (time != NULL)
		*time = col_i64(res, 0, 1);
	return res_buf(res, out, err);
}

/* One page of a record scan from key *last (not again when skip);
 * *last becomes the page's last key (malloc'd), *rows its size. */
static int
rec_page(struct pg *d, const char *kind, const char *group, char **last,
    int skip, int *rows, cy_store_rec_fn *fn, void *ctx, cy_error *err)
{
	struct args a = {0};
	const uint8_t *v;
	const char *key;
	PGresult *res;
	size_t len;
	int r, k;

	arg_text(&a, kind);
	arg_text(&a, *last);
	if (group != NULL)
		arg_text(&a, group);
	if ((r = run(d, group != NULL ? S_SCAN_GRP : S_SCAN_REC, &a, &res, err,
	    "records")) != 0)
		return r;
	*rows = PQntuples(res);
	for (k = 0; r == 0 && k < *rows; k++) {
		key = PQgetvalue(res, k, 0);
		if (k == 0 && skip && strcmp(key, *last) == 0)
			continue; /* the last page's last record */
		v = col_bytes(res, k, 3, &len);
		r = fn(ctx, key, PQgetvalue(res, k, 1), col_i64(res, k, 2), v, len,
		    err);
	}
	free(*last);
	*last = NULL;
	if (r == 0 && *rows > 0 &&
	    (*last = strdup(PQgetvalue(res, *rows - 1, 0))) == NULL)
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
	PQclear(res);
	return r;
}

static int
pg_rec_scan(cy_store *s, const char *kind, const char *group,
    cy_store_rec_fn *fn, void *ctx, cy_error *err)
{
	char *last = strdup("");
	int r = 0, rows = SCAN_PAGE, skip = 0;

	if (last == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	/* Each page after the first starts at the key it read last. */
	while (r == 0 && rows == SCAN_PAGE) {
		r = rec_page(PG(s), kind, group, &last, skip, &rows, fn, ctx, err);
		skip = 1;
	}
	free(last);
	return r;
}

/* Remembers the transaction that deleted records, for scrub. */
static int
deleted(struct pg *d, uint64_t n, cy_error *err)
{
	struct args a = {0};
	PGresult *res;
	int r;

	if (n == 0 || d->deleting != 0)
		return 0;
	if ((r = run_row(d, S_XID, &a, &res, err, "delete records")) != 1)
		return r;
	d->deleting = (uint64_t)col_i64(res, 0, 0);
	PQclear(res);
	return 0;
}

static int
pg_rec_delete(cy_store *s, const char *kind, const char *key, cy_error *err)
{
	struct args a = {0};
	uint64_t n;
	int r;

	arg_text(&a, kind);
	arg_text(&a, key);
	if ((r = run_write(PG(s), S_DEL_REC, &a, &n, err, "delete record")) != 0 ||
	    (r = deleted(PG(s), n, err)) != 0)
		return r;
	return n > 0;
}

static int
pg_rec_expire(cy_store *s, const char *kind, int64_t before, uint64_t *n,
    cy_error *err)
{
	struct args a = {0};
	uint64_t count;
	int r;

	arg_text(&a, kind);
	arg_i64(&a, before);
	if ((r = run_write(PG(s), S_EXPIRE_REC, &a, &count, err,
	    "expire records")) != 0 || (r = deleted(PG(s), count, err)) != 0)
		return r;
	if (n != NULL)
		*n = count;
	return 0;
}

/* Refuses ("retry") while a transaction, replication slot or prepared
 * transaction may still see rows this store deleted: VACUUM FULL copies
 * such rows into the new file, bytes and all. */
static int
no_older_snapshot(struct pg *d, cy_error *err)
{
	struct args a = {0};
	PGresult *res;
	char xid[24];
	int r;

	if (d->shred == 0)
		return 0;
	/* The 32-bit xid of the epoch-qualified one, as age() compares. */
	snprintf(xid, sizeof(xid), "%llu",
	    (unsigned long long)(d->shred & 0xffffffffu));
	arg_text(&a, xid);
	if ((r = run_row(d, S_OLDER_SNAPSHOT, &a, &res, err,
	    "look for older snapshots")) != 1)
		return r;
	r = cy_error_set(err, CY_E_STORE_RETRY, "scrub: deleted records are "
	    "still visible to a transaction begun before their deletion (%s%s): "
	    "try again when it has ended", isdigit((unsigned char)
	    *PQgetvalue(res, 0, 0)) ? "backend " : "", PQgetvalue(res, 0, 0));
	PQclear(res);
	return r;
}

/* VACUUM FULL writes the live records into a new file and removes the
 * old one, deleted rows' bytes with it (a plain VACUUM only marks their
 * space free).  It locks the records table for its duration. */
static int
pg_scrub(cy_store *s, cy_error *err)
{
	struct pg *d = PG(s);
	int r;

	if ((r = reconnect(d, err)) != 0 || (r = no_older_snapshot(d, err)) != 0 ||
	    (r = exec(d, "VACUUM FULL records", err, "vacuum the records")) != 0)
		return r;
	d->shred = 0;
	return 0;
}

static const cy_store_driver pg_driver = {
	.version = 2,
	.name = "postgres",
	.size = sizeof(cy_store_driver),
	.open = pg_open,
	.close = pg_close,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.init = pg_init,
	.meta_get = pg_meta_get,
	.meta_put = pg_meta_put,
	.size_put = pg_size_put,
	.entry_put = pg_entry_put,
	.entry_get = pg_entry_get,
	.entry_scan = pg_entry_scan,
	.leaf_put = pg_leaf_put,
	.leaf_find = pg_leaf_find,
	.tile_put = pg_tile_put,
	.tile_get = pg_tile_get,
	.partial_clear = pg_partial_clear,
	.partial_put = pg_partial_put,
	.partial_get = pg_partial_get,
	.checkpoint_put = pg_checkpoint_put,
	.checkpoint_get = pg_checkpoint_get,
	.checkpoint_latest = pg_checkpoint_latest,
	.checkpoint_after = pg_checkpoint_after,
	.checkpoint_scan = pg_checkpoint_scan,
	.count = pg_count,
	.migrate = pg_migrate,
	.rec_put = pg_rec_put,
	.rec_get = pg_rec_get,
	.rec_scan = pg_rec_scan,
	.rec_delete = pg_rec_delete,
	.rec_expire = pg_rec_expire,
	.scrub = pg_scrub,
};

const cy_store_driver *
cy_store_postgres_driver(void)
{
	return &pg_driver;
}
