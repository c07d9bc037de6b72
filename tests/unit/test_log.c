/* The register store: appends across tile boundaries checked against an
 * in-memory reference tree, receipts, refused batches, kill -9 in the middle
 * of appends, and tampering caught by the audit. */
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "testutil.h"

#include "coyeu/canon.h"
#include "coyeu/encoding.h"
#include "coyeu/entry.h"
#include "coyeu/log.h"
#include "coyeu/secret.h"
#include "coyeu/tiles.h"
#include "coyeu/tlogproof.h"
#include "memtree.h"

static uint8_t pk[32], sk[64];
static char dir[] = "/tmp/coyeu-test-log-XXXXXX";

/* The register's clock in these tests: what the test sets. */
#define T0 1777629600 /* 2026-05-01T10:00:00Z, the entries' time */
static int64_t now_s = T0;

static int64_t
test_clock(void *ctx)
{
	(void)ctx;
	return now_s;
}

static const cy_log_options opts = {0, test_clock, NULL, 0};

/* A distinct signed entry for number i at time t, made without the
 * builder's own re-check so that tens of thousands take about a second. */
static size_t
make_entry_at(uint64_t i, int64_t t, uint8_t *out, size_t cap)
{
	char key[48], body[512], ts[CY_CANON_TIME_LEN + 1];
	uint8_t sig[64];
	int n;

	cy_b64_encode(key, pk, 32, 0);
	assert_int_equal(cy_canon_time_format(t, ts, NULL), 0);
	n = snprintf(body, sizeof(body), "version: " CY_ENTRY_VERSION "\n"
	    "type: item.transition\n"
	    "time: %s\nactor: 0123456789abcdef0123456789abcdef\n"
	    "actor-key: %s\nitem-id: %032llx\nregister: incoming\n"
	    "from: received\nto: registered\n", ts, key, (unsigned long long)i);
	crypto_sign_detached(sig, NULL, (uint8_t *)body, (size_t)n, sk);
	n += snprintf(body + n, sizeof(body) - (size_t)n, "signature: ");
	cy_b64_encode(body + n, sig, 64, 0);
	strcat(body, "\n");
	assert_true(strlen(body) <= cap);
	memcpy(out, body, strlen(body));
	return strlen(body);
}

static size_t
make_entry(uint64_t i, uint8_t *out, size_t cap)
{
	return make_entry_at(i, T0, out, cap);
}

struct batch {
	uint8_t *data[CY_LOG_BATCH_MAX];
	const uint8_t *ptr[CY_LOG_BATCH_MAX];
	size_t len[CY_LOG_BATCH_MAX];
	size_t n;
};

static struct batch B;

static void
fill_batch(uint64_t from, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (B.data[i] == NULL)
			B.data[i] = malloc(512);
		B.len[i] = make_entry(from + i, B.data[i], 512);
		B.ptr[i] = B.data[i];
	}
	B.n = n;
}

static cy_note_signer *signer;

static void
path_in_dir(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", dir, name);
}

static cy_log *
fresh_log(const char *name)
{
	char path[256];
	cy_log *l;
	cy_error err;

	path_in_dir(path, sizeof(path), name);
	unlink(path);
	now_s = T0;
	if (cy_log_create(path, signer, "/nowhere/key", &opts, &err) != 0)
		fail_msg("create: %s", err.msg);
	if (cy_log_open_with(path, &opts, &l, &err) != 0)
		fail_msg("open: %s", err.msg);
	return l;
}

static void
append_ok(cy_log *l, uint64_t from, size_t n)
{
	uint64_t first;
	cy_error err;

	fill_batch(from, n);
	if (cy_log_append(l, signer, B.ptr, B.len, B.n, 2, &first, NULL, &err) != 0)
		fail_msg("append: %s", err.msg);
	assert_int_equal(first, from);
}

/* Exports the register as tiles, checks the folder, and damages one upper
 * tile file. */
static void
check_tiles(cy_log *l, uint64_t total)
{
	char tdir[256], path[512], rel[CY_TILE_PATH_MAX];
	cy_tiles_report rep;
	cy_checkpoint c;
	cy_error err;
	FILE *f;
	int byte;

	path_in_dir(tdir, sizeof(tdir), "tiles");
	if (cy_log_export_tiles(l, tdir, &rep, &err) != 0)
		fail_msg("export: %s", err.msg);
	assert_int_equal(rep.size, total);
	if (cy_tiles_verify(tdir, cy_log_verifier(l), &c, &err) != 0)
		fail_msg("verify: %s", err.msg);
	assert_int_equal(c.size, total);
	/* A second export writes only the checkpoint. */
	assert_int_equal(cy_log_export_tiles(l, tdir, &rep, &err), 0);
	assert_int_equal(rep.written, 1);
	cy_tile_path(1, 0, 256, rel);
	assert_string_equal(rel, "tile/1/000");
	snprintf(path, sizeof(path), "%s/%s", tdir, rel);
	assert_non_null(f = fopen(path, "r+b"));
	/* Flip a bit: the entries are signed by a fresh key each run, so any
	 * fixed byte could already be there. */
	fseek(f, 4000, SEEK_SET);
	byte = fgetc(f);
	fseek(f, 4000, SEEK_SET);
	fputc(byte ^ 1, f);
	fclose(f);
	assert_int_equal(cy_tiles_verify(tdir, cy_log_verifier(l), &c, &err),
	    CY_E_PROOF);
	assert_string_equal(err.msg, "tile/1/000 does not match the tiles below it");
	cy_tile_path(0, 1234067, 17, rel);
	assert_string_equal(rel, "tile/0/x001/x234/067.p/17");
	cy_tile_path(CY_TILE_ENTRIES, 5, 256, rel);
	assert_string_equal(rel, "tile/entries/005");
}

static void
test_grow_and_prove(void **state)
{
	static const size_t batches[] = {1, 1, 254, 1, 1, 1000, 64000, 280, 1000};
	uint8_t proof[CY_MERKLE_PROOF_MAX][CY_HASH_LEN], want[CY_MERKLE_PROOF_MAX][CY_HASH_LEN];
	uint8_t root[CY_HASH_LEN], want_root[CY_HASH_LEN], buf[512];
	uint64_t sizes[16], total = 0, i, s;
	struct memtree t;
	cy_buf note = CY_BUF_INIT;
	cy_checkpoint c;
	cy_error err;
	size_t k, n, m, len;
	cy_log *l;

	(void)state;
	l = fresh_log("grow.db");
	assert_int_equal(cy_log_size(l), 0);
	assert_string_equal(cy_log_origin(l), "register.test/hcm");
	assert_string_equal(cy_log_key_path(l), "/nowhere/key");
	for (k = 0; k < sizeof(batches) / sizeof(batches[0]); k++) {
		append_ok(l, total, batches[k]);
		total += batches[k];
		sizes[k] = total;
		assert_int_equal(cy_log_size(l), total);
	}
	/* The reference: the same leaves in memory. */
	memtree_build(&t, total, 0);
	for (i = 0; i < total; i++) {
		len = make_entry(i, buf, sizeof(buf));
		assert_int_equal(cy_merkle_leaf_hash(H, buf, len, t.level[0][i]), 0);
	}
	memtree_rehash(&t);
	for (k = 0; k < sizeof(batches) / sizeof(batches[0]); k++) {
		s = sizes[k];
		/* Every batch left a signed checkpoint with the right root. */
		note.len = 0;
		assert_int_equal(cy_log_checkpoint_at(l, s, &note, &err), 0);
		assert_int_equal(cy_checkpoint_open(note.data, note.len,
		    cy_log_verifier(l), &c, &err), 0);
		assert_int_equal(c.size, s);
		assert_int_equal(cy_merkle_root(memtree_node, &t, H, s, want_root,
		    NULL), 0);
		assert_memory_equal(c.root, want_root, CY_HASH_LEN);
		assert_int_equal(cy_log_root(l, s, root, &err), 0);
		assert_memory_equal(root, want_root, CY_HASH_LEN);
		/* Proofs from the store equal the reference's, at old sizes too. */
		for (i = 0; i < 40; i++) {
			uint64_t idx = i < 2 ? (i == 0 ? 0 : s - 1) : randombytes_uniform(
			    (uint32_t)s);

			assert_int_equal(cy_log_inclusion_proof(l, idx, s, proof, &n,
			    &err), 0);
			assert_int_equal(cy_merkle_inclusion_proof(memtree_node, &t,
			    H, idx, s, want, &m, NULL), 0);
			assert_int_equal(n, m);
			assert_memory_equal(proof, want, n * CY_HASH_LEN);
		}
		if (k > 0) {
			assert_int_equal(cy_log_consistency_proof(l, sizes[k - 1], s,
			    proof, &n, &err), 0);
			assert_int_equal(cy_merkle_consistency_proof(memtree_node, &t,
			    H, sizes[k - 1], s, want, &m, NULL), 0);
			assert_int_equal(n, m);
			assert_memory_equal(proof, want, n * CY_HASH_LEN);
		}
	}
	/* Tiles: a full level-1 tile exists and its hashes are level-8 nodes. */
	{
		uint8_t tile[256 * CY_HASH_LEN];

		assert_int_equal(cy_log_tile(l, 1, 0, 256, tile, &err), 0);
		assert_memory_equal(tile, t.level[8][0], 256 * CY_HASH_LEN);
		assert_int_equal(cy_log_tile(l, 0, total / 256, (unsigned)(total % 256),
		    tile, &err), 0);
		assert_memory_equal(tile, t.level[0][total / 256 * 256],
		    (total % 256) * CY_HASH_LEN);
		assert_int_equal(cy_log_tile(l, 0, total / 256, 256, tile, &err),
		    CY_E_NOT_FOUND);
		assert_int_equal(cy_log_tile(l, 2, 0, 1, tile, &err), 0);
		assert_memory_equal(tile, t.level[16][0], CY_HASH_LEN);
	}
	assert_int_equal(cy_log_inclusion_proof(l, 0, total + 1, proof, &n, &err),
	    CY_E_NOT_FOUND);
	check_tiles(l, total);
	memtree_free(&t);
	cy_buf_free(&note);
	cy_log_close(l);
}

static void
test_receipts_and_reopen(void **state)
{
	char path[256];
	cy_buf r = CY_BUF_INIT, e = CY_BUF_INIT;
	cy_log *l, *l2;
	cy_tlogproof *p;
	cy_checkpoint c;
	cy_error err;
	uint64_t first, i;

	(void)state;
	l = fresh_log("receipts.db");
	append_ok(l, 0, 300);
	/* A second handle sees the same register, and appends through it are
	 * picked up by the first. */
	path_in_dir(path, sizeof(path), "receipts.db");
	assert_int_equal(cy_log_open_with(path, &opts, &l2, &err), 0);
	assert_int_equal(cy_log_size(l2), 300);
	fill_batch(300, 20);
	assert_int_equal(cy_log_append(l2, signer, B.ptr, B.len, B.n, 1, &first,
	    NULL, &err), 0);
	assert_int_equal(first, 300);
	append_ok(l, 320, 5);
	assert_int_equal(cy_log_size(l), 325);
	for (i = 0; i < 325; i += 27) {
		r.len = 0;
		e.len = 0;
		assert_int_equal(cy_log_receipt(l, i, 0, &r, &err), 0);
		assert_int_equal(cy_log_entry(l, i, &e, &err), 0);
		assert_int_equal(cy_tlogproof_parse(r.data, r.len, &p, &err), 0);
		assert_int_equal(cy_tlogproof_verify(p, cy_log_verifier(l), e.data,
		    e.len, &c, &err), 0);
		assert_int_equal(c.size, 325);
		cy_tlogproof_free(p);
		/* Against an older checkpoint as well. */
		r.len = 0;
		if (i < 300) {
			assert_int_equal(cy_log_receipt(l, i, 300, &r, &err), 0);
			assert_int_equal(cy_tlogproof_parse(r.data, r.len, &p, &err), 0);
			assert_int_equal(cy_tlogproof_verify(p, cy_log_verifier(l),
			    e.data, e.len, &c, &err), 0);
			assert_int_equal(c.size, 300);
			cy_tlogproof_free(p);
		}
	}
	assert_int_equal(cy_log_receipt(l, 310, 300, &r, &err), CY_E_NOT_FOUND);
	assert_int_equal(cy_log_receipt(l, 1, 301, &r, &err), CY_E_NOT_FOUND);
	cy_log_close(l2);
	cy_log_close(l);
	/* Read-only reopen: same state, no appends. */
	assert_int_equal(cy_log_open(path, CY_LOG_READONLY, &l, &err), 0);
	assert_int_equal(cy_log_size(l), 325);
	fill_batch(325, 1);
	assert_int_equal(cy_log_append(l, signer, B.ptr, B.len, 1, 1, &first, NULL,
	    &err), CY_E_USAGE);
	cy_log_close(l);
	cy_buf_free(&r);
	cy_buf_free(&e);
}

static void
test_refused_batches(void **state)
{
	cy_note_signer *other;
	uint64_t first;
	size_t bad;
	cy_error err;
	cy_log *l;
	char path[256];

	(void)state;
	l = fresh_log("refused.db");
	append_ok(l, 0, 10);
	fill_batch(10, 100);
	B.data[57][55] ^= 1; /* 2026 -> 2027 in the time line: a bad signature */
	assert_int_equal(cy_log_append(l, signer, B.ptr, B.len, B.n, 2, &first,
	    &bad, &err), CY_E_SIGNATURE);
	assert_int_equal(bad, 57);
	assert_string_equal(err.msg, "entry 57 of the batch: the entry's signature "
	    "by its actor-key does not verify");
	assert_int_equal(cy_log_size(l), 10);
	B.len[3] = 5;
	assert_int_equal(cy_log_append(l, signer, B.ptr, B.len, B.n, 2, &first,
	    &bad, &err), CY_E_FORMAT);
	assert_int_equal(bad, 3);
	/* Only the last entry is bad: it must still stop the batch. */
	fill_batch(10, 100);
	B.data[99][55] ^= 1;
	assert_int_equal(cy_log_append(l, signer, B.ptr, B.len, B.n, 2, &first,
	    &bad, &err), CY_E_SIGNATURE);
	assert_int_equal(bad, 99);
	assert_int_equal(cy_log_size(l), 10);
	/* Another key may not sign this register's checkpoints. */
	assert_int_equal(cy_note_signer_generate("register.test/hcm", &other,
	    &err), 0);
	fill_batch(10, 1);
	assert_int_equal(cy_log_append(l, other, B.ptr, B.len, 1, 1, &first, NULL,
	    &err), CY_E_USAGE);
	cy_note_signer_free(other);
	assert_int_equal(cy_log_append(l, signer, B.ptr, B.len, 0, 1, &first, NULL,
	    &err), CY_E_USAGE);
	append_ok(l, 10, 1);
	assert_int_equal(cy_log_audit(l, NULL, 2, NULL, &err), 0);
	cy_log_close(l);
	/* create refuses an existing file. */
	path_in_dir(path, sizeof(path), "refused.db");
	assert_int_equal(cy_log_create(path, signer, NULL, NULL, &err), CY_E_IO);
	assert_int_equal(cy_log_open("/nonexistent/x.db", 0, &l, &err), CY_E_STORE);
}

/* cy_log_append_checked trusts a checked object only for the very bytes
 * it was made of: a forged entry passed beside another entry's checked
 * object is checked, and refused; no checked object is made of a forged
 * entry. */
static void
test_append_checked(void **state)
{
	const cy_entry_checked *ck[3];
	cy_entry_checked *good[3] = {NULL, NULL, NULL}, *none;
	uint64_t first;
	size_t bad, i;
	cy_error err;
	cy_log *l;

	(void)state;
	l = fresh_log("checked.db");
	fill_batch(0, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(cy_entry_check(B.ptr[i], B.len[i], &good[i],
		    &err), 0);
		assert_int_equal(cy_entry_checked_time(good[i]), T0);
		ck[i] = good[i];
	}
	/* All checked: appended, and the register audits. */
	assert_int_equal(cy_log_append_checked(l, signer, B.ptr, B.len, ck, 3, 1,
	    NULL, NULL, &first, &bad, &err), 0);
	assert_int_equal(first, 0);
	/* Entry 1 forged after its check: its checked object no longer
	 * matches, so its signature is checked and fails. */
	fill_batch(3, 3);
	for (i = 0; i < 3; i++) {
		cy_entry_checked_free(good[i]);
		assert_int_equal(cy_entry_check(B.ptr[i], B.len[i], &good[i],
		    &err), 0);
		ck[i] = good[i];
	}
	B.data[1][55] ^= 1;
	assert_int_equal(cy_entry_check(B.ptr[1], B.len[1], &none, &err),
	    CY_E_SIGNATURE);
	assert_null(none);
	assert_int_equal(cy_log_append_checked(l, signer, B.ptr, B.len, ck, 3, 1,
	    NULL, NULL, &first, &bad, &err), CY_E_SIGNATURE);
	assert_int_equal(bad, 1);
	assert_string_equal(err.msg, "entry 1 of the batch: the entry's signature "
	    "by its actor-key does not verify");
	/* Another entry's checked object does not vouch for it either. */
	ck[1] = good[0];
	assert_int_equal(cy_log_append_checked(l, signer, B.ptr, B.len, ck, 3, 1,
	    NULL, NULL, &first, &bad, &err), CY_E_SIGNATURE);
	assert_int_equal(bad, 1);
	assert_int_equal(cy_log_size(l), 3);
	/* Repaired, mixed with an unchecked entry: appended. */
	B.data[1][55] ^= 1;
	ck[1] = NULL;
	assert_int_equal(cy_log_append_checked(l, signer, B.ptr, B.len, ck, 3, 1,
	    NULL, NULL, &first, &bad, &err), 0);
	assert_int_equal(first, 3);
	/* A checked entry is still appended only once. */
	ck[1] = good[1];
	assert_int_equal(cy_log_append_checked(l, signer, B.ptr + 1, B.len + 1,
	    ck + 1, 1, 1, NULL, NULL, &first, &bad, &err), CY_E_POLICY);
	assert_int_equal(cy_log_audit(l, NULL, 2, NULL, &err), 0);
	for (i = 0; i < 3; i++)
		cy_entry_checked_free(good[i]);
	cy_log_close(l);
}

/* Appends one entry (number i, signed at time t) through l; returns the
 * status, with err and *bad. */
static int
append_at(cy_log *l, uint64_t i, int64_t t, size_t *bad, cy_error *err)
{
	uint64_t first;

	fill_batch(i, 1);
	B.len[0] = make_entry_at(i, t, B.data[0], 512);
	return cy_log_append(l, signer, B.ptr, B.len, 1, 1, &first, bad, err);
}

/* The register's clock bounds entry times: 300 s either way, the past
 * widened only by max_skew (the entries then imported); every checkpoint
 * carries the clock's time, never going back. */
static void
test_time_window(void **state)
{
	char path[256];
	cy_log_entry_info info;
	cy_log_audit_report rep;
	cy_log_options wide = opts;
	cy_buf note = CY_BUF_INIT;
	cy_checkpoint c;
	size_t bad;
	cy_error err;
	cy_log *l;

	(void)state;
	l = fresh_log("time.db");
	now_s = T0 + 1000;
	assert_int_equal(append_at(l, 0, T0 + 1000 - 301, &bad, &err), CY_E_POLICY);
	assert_int_equal(bad, 0);
	assert_string_equal(err.msg, "entry 0 of the batch: its time "
	    "2026-05-01T10:11:39Z is 301 s before the register's clock "
	    "2026-05-01T10:16:40Z, more than the allowed skew of 300 s (to import "
	    "old records, widen it with --max-skew SECONDS)");
	assert_int_equal(append_at(l, 0, T0 + 1000 + 301, &bad, &err), CY_E_POLICY);
	assert_string_equal(err.msg, "entry 0 of the batch: its time "
	    "2026-05-01T10:21:41Z is 301 s after the register's clock "
	    "2026-05-01T10:16:40Z, more than the allowed skew of 300 s "
	    "(--max-skew widens only the past)");
	/* Far past and far future, as the review tried. */
	assert_int_equal(append_at(l, 0, 1577836800, &bad, &err), CY_E_POLICY);
	assert_int_equal(append_at(l, 0, 4070908800, &bad, &err), CY_E_POLICY);
	assert_int_equal(cy_log_size(l), 0);
	/* The edges pass, a few seconds out of order. */
	assert_int_equal(append_at(l, 0, T0 + 1000 + 300, &bad, &err), 0);
	assert_int_equal(append_at(l, 1, T0 + 1000 - 300, &bad, &err), 0);
	assert_int_equal(cy_log_checkpoint_latest(l, &note, &c, &err), 0);
	assert_int_equal(c.time, T0 + 1000);
	assert_int_equal(c.previous, 1);
	/* A clock set back does not take checkpoint times back. */
	now_s = T0;
	assert_int_equal(append_at(l, 2, T0 + 900, &bad, &err), 0);
	note.len = 0;
	assert_int_equal(cy_log_checkpoint_latest(l, &note, &c, &err), 0);
	assert_int_equal(c.time, T0 + 1000);
	assert_int_equal(cy_log_entry_info_get(l, 1, &info, &err), 0);
	assert_int_equal(info.imported, 0);
	assert_int_equal(info.logged, T0 + 1000);
	assert_int_equal(info.batch_size, 2);
	cy_log_close(l);
	/* Importing: a wider past, marked as such; the future stays shut. */
	path_in_dir(path, sizeof(path), "time.db");
	wide.max_skew = 10 * 366 * 86400ULL;
	now_s = T0 + 2000;
	assert_int_equal(cy_log_open_with(path, &wide, &l, &err), 0);
	assert_int_equal(append_at(l, 3, 1577836800, &bad, &err), 0);
	assert_int_equal(append_at(l, 4, T0 + 2000 + 301, &bad, &err), CY_E_POLICY);
	assert_int_equal(append_at(l, 4, T0 + 2000, &bad, &err), 0);
	assert_int_equal(cy_log_entry_info_get(l, 3, &info, &err), 0);
	assert_int_equal(info.imported, 1);
	assert_int_equal(info.time, 1577836800);
	assert_int_equal(info.logged, T0 + 2000);
	assert_int_equal(cy_log_entry_info_get(l, 4, &info, &err), 0);
	assert_int_equal(info.imported, 0);
	assert_int_equal(cy_log_audit(l, NULL, 1, &rep, &err), 0);
	assert_int_equal(rep.imported, 1);
	assert_int_equal(rep.checkpoints, 6);
	/* An auditor whose clock is behind the checkpoints' refuses them:
	 * a register signing future times would let post-dated entries in. */
	now_s = T0 + 2000 - 301;
	assert_int_equal(cy_log_audit(l, NULL, 1, &rep, &err), CY_E_PROOF);
	assert_string_equal(err.msg, "checkpoint at size 4 is time-stamped 301 s "
	    "ahead of the clock");
	wide.max_skew = CY_LOG_SKEW_MAX + 1;
	cy_log_close(l);
	assert_int_equal(cy_log_open_with(path, &wide, &l, &err), CY_E_USAGE);
	cy_buf_free(&note);
}

/* The same entry is never appended twice: not in two calls, not twice in
 * one batch; the error names where it already is. */
static void
test_duplicates(void **state)
{
	uint64_t first;
	size_t bad;
	cy_error err;
	cy_log *l;

	(void)state;
	l = fresh_log("dup.db");
	append_ok(l, 0, 10);
	fill_batch(10, 3);
	B.len[1] = make_entry(4, B.data[1], 512);
	assert_int_equal(cy_log_append(l, signer, B.ptr, B.len, B.n, 2, &first,
	    &bad, &err), CY_E_POLICY);
	assert_int_equal(bad, 1);
	assert_string_equal(err.msg, "entry 1 of the batch is already in the "
	    "register at index 4: an entry is appended once");
	fill_batch(10, 300);
	B.len[299] = make_entry(10, B.data[299], 512);
	assert_int_equal(cy_log_append(l, signer, B.ptr, B.len, B.n, 2, &first,
	    &bad, &err), CY_E_POLICY);
	assert_int_equal(bad, 299);
	assert_string_equal(err.msg, "entry 299 of the batch repeats entry 0 of "
	    "the batch: an entry is appended once");
	assert_int_equal(cy_log_size(l), 10);
	/* Nothing of the refused batches stuck: they append once, cleanly. */
	append_ok(l, 10, 299);
	assert_int_equal(cy_log_audit(l, NULL, 2, NULL, &err), 0);
	cy_log_close(l);
}

/* --- kill -9 while appending --- */
struct ack {
	uint64_t first, size;
};

static void
appender(const char *path, int fd)
{
	uint64_t next = 0, first;
	struct ack a;
	cy_log *l;

	if (cy_log_open_with(path, &opts, &l, NULL) != 0)
		_exit(2);
	next = cy_log_size(l);
	for (;;) {
		size_t n = 1 + randombytes_uniform(60);

		fill_batch(next, n);
		if (cy_log_append(l, signer, B.ptr, B.len, n, 2, &first, NULL,
		    NULL) != 0)
			_exit(3);
		/* Acknowledged only now, after the durable commit. */
		a.first = first;
		a.size = first + n;
		if (write(fd, &a, sizeof(a)) != sizeof(a))
			_exit(4);
		next = first + n;
	}
}

/* A read handle given back (cy_log_release) holds no snapshot, so the WAL
 * can be checkpointed to nothing under it; a held snapshot pins it (a
 * daemon's pooled handles made it grow without bound). */
static void
test_release_unpins_wal(void **state)
{
	char path[256], wal[300];
	cy_log *l = fresh_log("release.db"), *r;
	struct stat st;
	cy_error err;
	sqlite3 *db;

	(void)state;
	path_in_dir(path, sizeof(path), "release.db");
	snprintf(wal, sizeof(wal), "%s-wal", path);
	assert_int_equal(cy_log_open(path, CY_LOG_READONLY, &r, &err), 0);
	append_ok(l, 0, 10);
	assert_int_equal(cy_log_refresh(r, &err), 0);
	assert_int_equal(cy_log_size(r), 10);
	append_ok(l, 10, 10);
	/* (A connection knows the file is in WAL mode once it has read.) */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "SELECT count(*) FROM sqlite_master",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_wal_checkpoint_v2(db, NULL,
	    SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL), SQLITE_BUSY);
	cy_log_release(r);
	assert_int_equal(sqlite3_wal_checkpoint_v2(db, NULL,
	    SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL), SQLITE_OK);
	assert_int_equal(stat(wal, &st), 0);
	assert_int_equal(st.st_size, 0);
	/* A refresh takes a snapshot again, of the newest state. */
	assert_int_equal(cy_log_refresh(r, &err), 0);
	assert_int_equal(cy_log_size(r), 20);
	cy_log_release(r);
	cy_log_release(r);
	cy_log_release(NULL);
	sqlite3_close(db);
	cy_log_close(r);
	cy_log_close(l);
}

static void
test_kill9(void **state)
{
	uint8_t root1[CY_HASH_LEN], proof[CY_MERKLE_PROOF_MAX][CY_HASH_LEN];
	struct ack acks[4096];
	size_t nacks = 0, n, round, plen;
	char path[256];
	cy_buf note = CY_BUF_INIT, e = CY_BUF_INIT;
	cy_checkpoint latest, old;
	cy_log_audit_report rep;
	cy_error err;
	cy_log *l;
	int fds[2];
	pid_t pid;

	(void)state;
	l = fresh_log("crash.db");
	cy_log_close(l);
	path_in_dir(path, sizeof(path), "crash.db");
	for (round = 0; round < 3; round++) {
		size_t got = 0, want = 5 + 10 * round;

		assert_int_equal(pipe(fds), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(fds[0]);
			appender(path, fds[1]);
		}
		close(fds[1]);
		while (got < want && read(fds[0], &acks[nacks], sizeof(acks[0])) ==
		    sizeof(acks[0])) {
			nacks++;
			got++;
		}
		kill(pid, SIGKILL);
		/* Acks written before the kill are still in the pipe. */
		while (nacks < 4096 && read(fds[0], &acks[nacks], sizeof(acks[0])) ==
		    sizeof(acks[0]))
			nacks++;
		close(fds[0]);
		waitpid(pid, NULL, 0);
		assert_true(got == want);
	}
	assert_int_equal(cy_log_open_with(path, &opts, &l, &err), 0);
	assert_int_equal(cy_log_checkpoint_latest(l, &note, &latest, &err), 0);
	assert_true(cy_log_size(l) >= acks[nacks - 1].size);
	for (n = 0; n < nacks; n++) {
		uint64_t i;

		/* Every acknowledged entry is there, byte for byte. */
		for (i = acks[n].first; i < acks[n].size; i++) {
			uint8_t want[512];
			size_t len = make_entry(i, want, sizeof(want));

			e.len = 0;
			assert_int_equal(cy_log_entry(l, i, &e, &err), 0);
			assert_int_equal(e.len, len);
			assert_memory_equal(e.data, want, len);
		}
		/* Its checkpoint survived and the tree still extends it. */
		note.len = 0;
		assert_int_equal(cy_log_checkpoint_at(l, acks[n].size, &note, &err), 0);
		assert_int_equal(cy_checkpoint_open(note.data, note.len,
		    cy_log_verifier(l), &old, &err), 0);
		assert_int_equal(cy_log_consistency_proof(l, old.size, latest.size,
		    proof, &plen, &err), 0);
		assert_int_equal(cy_merkle_verify_consistency(NULL, old.size,
		    latest.size, old.root, latest.root, proof, plen, &err), 0);
		assert_int_equal(cy_log_root(l, old.size, root1, &err), 0);
		assert_memory_equal(root1, old.root, CY_HASH_LEN);
	}
	assert_int_equal(cy_log_audit(l, NULL, 2, &rep, &err), 0);
	assert_int_equal(rep.entries, cy_log_size(l));
	/* And appending goes on. */
	append_ok(l, cy_log_size(l), 3);
	cy_log_close(l);
	cy_buf_free(&note);
	cy_buf_free(&e);
}

/* --- tampering with the SQLite file --- */
static void
tamper(const char *path, const char *sql)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_close(db);
}

static void
test_audit_catches_tampering(void **state)
{
	static const struct {
		const char *sql, *msg;
	} cases[] = {
		/* An entry's byte: the signature (or form) breaks. */
		{"UPDATE entry SET data = CAST(replace(CAST(data AS TEXT), "
		    "'registered', 'registerex') AS BLOB) WHERE idx = 300",
		    "entry 300: the entry's signature by its actor-key does not verify"},
		{"DELETE FROM entry WHERE idx = 77",
		    "entry 77 is missing (the next one stored is 78)"},
		{"UPDATE tile SET hashes = zeroblob(16352) WHERE id = 1",
		    "tile 0/1: stored hash 0 differs from the entries"},
		/* An inner node (slot 300) and the root (510) of tile 0/0. */
		{"UPDATE tile SET hashes = substr(hashes, 1, 9600) || "
		    "CASE substr(hashes, 9601, 1) WHEN x'00' THEN x'01' ELSE x'00' END "
		    "|| substr(hashes, 9602) WHERE id = 0",
		    "tile 0/0: stored hash 300 differs from the entries"},
		{"UPDATE tile SET hashes = substr(hashes, 1, 16320) || zeroblob(32) "
		    "WHERE id = 2", "tile 0/2: stored hash 510 differs from the entries"},
		{"UPDATE partial SET hashes = zeroblob(length(hashes)) WHERE level = 0",
		    "partial tile at level 0 differs from the entries"},
		{"UPDATE partial SET hashes = zeroblob(32) WHERE level = 1",
		    "partial tile at level 1 differs from the entries"},
		{"UPDATE checkpoint SET note = CAST(replace(CAST(note AS TEXT), "
		    "'800', '801') AS BLOB) WHERE size = 800",
		    "checkpoint at size 800: the signature by register.test/hcm does not verify"},
		{"DELETE FROM checkpoint WHERE size = 500; UPDATE checkpoint SET "
		    "size = 500 WHERE size = 800",
		    "checkpoint stored at size 500 says size 800, or lies beyond the register"},
		{"UPDATE meta SET v = 799 WHERE k = 'size'",
		    "checkpoint stored at size 800 says size 800, or lies beyond the register"},
		{"INSERT INTO tile VALUES (999, zeroblob(16352))",
		    "the store holds 4 full tiles; the entries make 3"},
		/* Checkpoint rows deleted: the signed chain breaks. */
		{"DELETE FROM checkpoint WHERE size = 500",
		    "checkpoint at size 800 follows the one at size 500, which is "
		    "missing (the one before it stored is at size 0): a checkpoint "
		    "was removed"},
		{"DELETE FROM checkpoint WHERE size = 800",
		    "the latest checkpoint is of size 500, not the register's size "
		    "800: a checkpoint was removed"},
		{"DELETE FROM checkpoint WHERE size = 0",
		    "the first checkpoint, of size 0, is missing (the first one "
		    "stored is of size 500)"},
		/* The record hash index: an entry once, at its own index. */
		{"DELETE FROM leaf WHERE idx = 12",
		    "entry 12: its record hash is not indexed (an entry appended "
		    "twice, or the index was altered)"},
		{"UPDATE leaf SET idx = 3 WHERE idx = 4",
		    "entry 4: its record hash is indexed at another entry (an entry "
		    "appended twice, or the index was altered)"},
		{"INSERT INTO leaf VALUES (zeroblob(32), 900)",
		    "the store indexes 801 record hashes; the register holds 800 "
		    "entries"},
		{"UPDATE meta SET v = 'register.test/hn' WHERE k = 'origin'",
		    "the register's origin register.test/hn is not its key's name "
		    "register.test/hcm"},
		{"INSERT INTO entry VALUES (800, x'00')",
		    "entry 800: an entry starts with \"version: coyeu.v1/entry\" and a type line"},
	};
	char path[256];
	cy_log_audit_report rep;
	cy_error err;
	cy_log *l;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		l = fresh_log("tamper.db");
		append_ok(l, 0, 500);
		append_ok(l, 500, 300);
		assert_int_equal(cy_log_audit(l, NULL, 2, &rep, &err), 0);
		assert_int_equal(rep.entries, 800);
		assert_int_equal(rep.tiles, 3);
		assert_int_equal(rep.checkpoints, 3);
		cy_log_close(l);
		path_in_dir(path, sizeof(path), "tamper.db");
		tamper(path, cases[i].sql);
		if (cy_log_open(path, CY_LOG_READONLY, &l, &err) != 0) {
			/* Damage to the right edge may already stop the open. */
			assert_int_equal(err.code, CY_E_STORE);
			continue;
		}
		err.msg[0] = '\0';
		assert_int_not_equal(cy_log_audit(l, NULL, 2, NULL, &err), 0);
		if (strcmp(err.msg, cases[i].msg) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, err.msg,
			    cases[i].msg);
		cy_log_close(l);
	}
}

static void
test_audit_wrong_key(void **state)
{
	cy_note_signer *other;
	cy_note_verifier *v;
	char vs[CY_NOTE_KEY_STR_MAX];
	cy_error err;
	cy_log *l;

	(void)state;
	l = fresh_log("key.db");
	append_ok(l, 0, 3);
	assert_int_equal(cy_note_signer_generate("register.test/hcm", &other,
	    &err), 0);
	cy_note_signer_verifier_string(other, vs);
	assert_int_equal(cy_note_verifier_parse(vs, strlen(vs), &v, &err), 0);
	assert_int_equal(cy_log_audit(l, v, 1, NULL, &err), CY_E_SIGNATURE);
	assert_non_null(strstr(err.msg, "the register names the key"));
	cy_note_verifier_free(v);
	cy_note_signer_free(other);
	cy_log_close(l);
}

static int
setup(void **state)
{
	(void)state;
	if (cy_init() != 0 || cy_hasher_new(&H, NULL) != 0 ||
	    mkdtemp(dir) == NULL)
		return -1;
	crypto_sign_keypair(pk, sk);
	return cy_note_signer_generate("register.test/hcm", &signer, NULL);
}

static int
teardown(void **state)
{
	char cmd[300];
	size_t i;

	(void)state;
	for (i = 0; i < CY_LOG_BATCH_MAX; i++)
		free(B.data[i]);
	cy_note_signer_free(signer);
	cy_hasher_free(H);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grow_and_prove),
		cmocka_unit_test(test_receipts_and_reopen),
		cmocka_unit_test(test_refused_batches),
		cmocka_unit_test(test_append_checked),
		cmocka_unit_test(test_time_window),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_release_unpins_wal),
		cmocka_unit_test(test_kill9),
		cmocka_unit_test(test_audit_catches_tampering),
		cmocka_unit_test(test_audit_wrong_key),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
