/* The register's read routes: /healthz, /metrics, /checkpoint, /tile/…
 * (C2SP tlog-tiles), /v1/registry, /v1/log/proof, /v1/log/consistency
 * (routes_log.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "coyeu/encoding.h"
#include "coyeu/tiles.h"
#include "internal.h"
#include "tilepath.h"

cyd_handler cyd_h_healthz, cyd_h_metrics, cyd_h_checkpoint, cyd_h_tile,
    cyd_h_registry, cyd_h_log_proof, cyd_h_log_consistency;

#define TILE_BYTES (TILE_WIDTH * CY_HASH_LEN)
/* C2SP tlog-tiles: tiles never change once served (a partial one is
 * named by its width); the checkpoint moves. */
#define CACHE_IMMUTABLE "public, max-age=31536000, immutable"
#define CACHE_CHECKPOINT "no-cache"

/* A read handle, or a 503 answered. */
static cyd_reader *
reader_or_503(cyd_request *rq, cyd_response *rs)
{
	cyd_reader *r;
	cy_error err = {0, ""};

	if (cyd_reader_get(rq->srv, &r, &err) != 0) {
		cyd_metrics_store_error(rq->srv->metrics);
		cyd_error(rs, 503, "unavailable", "the register cannot be read: %s",
		    err.msg);
		return NULL;
	}
	return r;
}

int
cyd_h_healthz(cyd_request *rq, cyd_response *rs)
{
	cyd_reader *r;
	json_t *o;

	if ((r = reader_or_503(rq, rs)) == NULL)
		return 0;
	o = json_pack("{s:s,s:I}", "status", rq->srv->stopping ? "stopping" :
	    "ok", "size", (json_int_t)cy_log_size(r->log));
	cyd_reader_put(rq->srv, r);
	return cyd_json(rs, 200, o);
}

int
cyd_h_metrics(cyd_request *rq, cyd_response *rs)
{
	cy_buf out = CY_BUF_INIT;
	cyd_reader *r;
	cy_error err;

	/* The size as last seen when the store cannot be read: metrics
	 * must still answer then. */
	if (cyd_reader_get(rq->srv, &r, &err) == 0)
		cyd_reader_put(rq->srv, r);
	cyd_metrics_render(rq->srv->metrics,
	    __atomic_load_n(&rq->srv->size, __ATOMIC_RELAXED), &out);
	cyd_text(rs, 200, "text/plain; version=0.0.4; charset=utf-8", out.data,
	    out.len);
	cy_buf_free(&out);
	return 0;
}

int
cyd_h_checkpoint(cyd_request *rq, cyd_response *rs)
{
	cy_buf note = CY_BUF_INIT;
	cy_error err = {0, ""};
	cy_checkpoint c;
	cyd_reader *r;

	if ((r = reader_or_503(rq, rs)) == NULL)
		return 0;
	if (cy_log_checkpoint_latest(r->log, &note, &c, &err) != 0)
		cyd_error_lib(rs, &err);
	else if (cyd_witness_cosigs(rq->srv, c.size, &note) != 0)
		cyd_error(rs, 503, "unavailable", "the witness cosignatures "
		    "cannot be read");
	else {
		cyd_text(rs, 200, "text/plain; charset=utf-8", note.data,
		    note.len);
		rs->cache_control = CACHE_CHECKPOINT;
	}
	cyd_reader_put(rq->srv, r);
	cy_buf_free(&note);
	return 0;
}

/* Entry bundle index: width entries, each with its 2-byte length. */
static int
entry_bundle(cy_log *l, uint64_t index, unsigned width, cy_buf *out,
    cy_error *err)
{
	cy_buf e = CY_BUF_INIT;
	uint8_t len[2];
	unsigned i;
	int r = 0;

	if (index > (UINT64_MAX - TILE_WIDTH) / TILE_WIDTH ||
	    index * TILE_WIDTH + width > cy_log_size(l))
		return cy_error_set(err, CY_E_NOT_FOUND, "the register has no "
		    "entry bundle %llu of width %u", (unsigned long long)index,
		    width);
	for (i = 0; i < width && r == 0; i++) {
		e.len = 0;
		if ((r = cy_log_entry(l, index * TILE_WIDTH + i, &e, err)) != 0)
			break;
		len[0] = (uint8_t)(e.len >> 8);
		len[1] = (uint8_t)e.len;
		cy_buf_append(out, len, 2);
		cy_buf_append(out, e.data, e.len);
	}
	cy_buf_free(&e);
	return r != 0 ? r : cy_buf_status(out);
}

int
cyd_h_tile(cyd_request *rq, cyd_response *rs)
{
	static __thread uint8_t tile[TILE_BYTES];
	cy_buf out = CY_BUF_INIT;
	cy_error err = {0, ""};
	unsigned width;
	uint64_t index;
	cyd_reader *r;
	int level, rc;

	if (cyd_tile_parse(rq->path, &level, &index, &width) != 0)
		return cyd_error(rs, 404, "not-found", "not a tile path: "
		    "/tile/<L>/<N>[.p/<W>] or /tile/entries/<N>[.p/<W>], N in "
		    "3-digit groups");
	if ((r = reader_or_503(rq, rs)) == NULL)
		return 0;
	if (level == CY_TILE_ENTRIES)
		rc = entry_bundle(r->log, index, width, &out, &err);
	else if ((rc = cy_log_tile(r->log, (unsigned)level, index, width, tile,
	    &err)) == 0)
		cy_buf_append(&out, tile, (size_t)width * CY_HASH_LEN);
	cyd_reader_put(rq->srv, r);
	if (rc != 0) {
		if (err.code == CY_E_USAGE)
			err.code = CY_E_NOT_FOUND;
		cyd_error_lib(rs, &err);
	} else {
		cyd_text(rs, 200, "application/octet-stream", out.data, out.len);
		rs->cache_control = CACHE_IMMUTABLE;
	}
	cy_buf_free(&out);
	return 0;
}

/* A NULL-ended list as a JSON array. */
static json_t *
string_array(char *const *list)
{
	json_t *a = json_array();

	for (; list != NULL && *list != NULL; list++)
		json_array_append_new(a, json_string(*list));
	return a;
}

int
cyd_h_registry(cyd_request *rq, cyd_response *rs)
{
	char vkey[CY_NOTE_KEY_STR_MAX];
	json_t *o;

	cy_note_signer_verifier_string(rq->srv->signer, vkey);
	o = json_pack("{s:s,s:s,s:s,s:o,s:o}", "origin", rq->srv->origin,
	    "verifier_key", vkey, "chain", rq->srv->chain_text, "witness_keys",
	    string_array(rq->srv->cfg.witness_keys), "mat_via_registry",
	    string_array(rq->srv->cfg.mat_via_registry));
	return cyd_json(rs, 200, o);
}

/* A query number; absent gives *have 0.  Answers 400 and returns -1 for
 * one that is not a number. */
static int
query_u64(cyd_request *rq, cyd_response *rs, const char *name,
    uint64_t *out, int *have)
{
	char buf[32];

	*have = 0;
	if (cyd_query(rq, name, buf, sizeof(buf)) == NULL) {
		if (MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND,
		    name) != NULL)
			goto bad;
		return 0;
	}
	if (cyd_parse_u64(buf, strlen(buf), out) != 0)
		goto bad;
	*have = 1;
	return 0;
bad:
	cyd_error(rs, 400, "bad-request", "%s must be a decimal number", name);
	return -1;
}

int
cyd_h_log_proof(cyd_request *rq, cyd_response *rs)
{
	cy_buf receipt = CY_BUF_INIT, note = CY_BUF_INIT;
	cy_error err = {0, ""};
	uint64_t index = 0, size = 0;
	int have_index, have_size;
	cy_checkpoint c;
	cyd_reader *r;

	if (query_u64(rq, rs, "index", &index, &have_index) != 0 ||
	    query_u64(rq, rs, "size", &size, &have_size) != 0)
		return 0;
	if (!have_index)
		return cyd_error(rs, 400, "bad-request", "give index=N");
	if ((r = reader_or_503(rq, rs)) == NULL)
		return 0;
	if (!have_size && cy_log_checkpoint_latest(r->log, &note, &c, &err) == 0)
		size = c.size;
	if (err.code == 0 && index >= size)
		cy_error_set(&err, CY_E_NOT_FOUND, "entry %llu is not in the "
		    "register of size %llu", (unsigned long long)index,
		    (unsigned long long)size);
	if (err.code == 0)
		(void)!cy_log_receipt(r->log, index, size, &receipt, &err);
	/* The checkpoint ends the receipt: its witnesses' cosignatures go
	 * after its own signatures. */
	if (err.code == 0 && cyd_witness_cosigs(rq->srv, size, &receipt) != 0)
		cy_error_set(&err, CY_E_STORE_RETRY,
		    "the witness cosignatures cannot be read");
	if (err.code == 0)
		cyd_json(rs, 200, json_pack("{s:I,s:I,s:s%}", "index",
		    (json_int_t)index, "size", (json_int_t)size, "receipt",
		    (const char *)receipt.data, receipt.len));
	else
		cyd_error_lib(rs, &err);
	cyd_reader_put(rq->srv, r);
	cy_buf_free(&receipt);
	cy_buf_free(&note);
	return 0;
}

int
cyd_h_log_consistency(cyd_request *rq, cyd_response *rs)
{
	uint8_t proof[CY_MERKLE_PROOF_MAX][CY_HASH_LEN];
	char line[CY_B64_PADDED_LEN(CY_HASH_LEN) + 1];
	cy_buf note = CY_BUF_INIT;
	cy_error err = {0, ""};
	uint64_t old = 0, new = 0;
	int have_old, have_new;
	cy_checkpoint c;
	cyd_reader *r;
	json_t *list;
	size_t n = 0, i;

	if (query_u64(rq, rs, "old", &old, &have_old) != 0 ||
	    query_u64(rq, rs, "new", &new, &have_new) != 0)
		return 0;
	if (!have_old)
		return cyd_error(rs, 400, "bad-request", "give old=N");
	if ((r = reader_or_503(rq, rs)) == NULL)
		return 0;
	if (!have_new) {
		if (cy_log_checkpoint_latest(r->log, &note, &c, &err) == 0)
			new = c.size;
	} else
		(void)!cy_log_checkpoint_at(r->log, new, &note, &err);
	if (err.code == 0 && old > new)
		cy_error_set(&err, CY_E_FORMAT, "old %llu is above new %llu",
		    (unsigned long long)old, (unsigned long long)new);
	/* From the empty tree there is nothing to prove. */
	if (err.code == 0 && old > 0)
		(void)!cy_log_consistency_proof(r->log, old, new, proof, &n, &err);
	if (err.code == 0 && cyd_witness_cosigs(rq->srv, new, &note) != 0)
		cy_error_set(&err, CY_E_STORE_RETRY,
		    "the witness cosignatures cannot be read");
	if (err.code != 0)
		cyd_error_lib(rs, &err);
	else {
		list = json_array();
		for (i = 0; i < n; i++) {
			cy_b64_encode(line, proof[i], CY_HASH_LEN, 1);
			json_array_append_new(list, json_string(line));
		}
		cyd_json(rs, 200, json_pack("{s:I,s:I,s:o,s:s%}", "old",
		    (json_int_t)old, "new", (json_int_t)new, "proof", list,
		    "checkpoint", (const char *)note.data, note.len));
	}
	cyd_reader_put(rq->srv, r);
	cy_buf_free(&note);
	return 0;
}
