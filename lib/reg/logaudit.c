/* Auditing a register: rebuild everything from the entries and compare
 * with every stored hash and checkpoint. */
#include <stdlib.h>
#include <string.h>

#include "coyeu/log.h"
#include "reg/logint.h"

#define AUDIT_BATCH 4096

struct audit_ck {
	uint64_t size, time;
	uint8_t root[CY_HASH_LEN];
};

struct audit {
	cy_log *l;
	const cy_note_verifier *v;
	struct cy_tree tree;
	uint64_t size, tiles, imported;
	int64_t now;
	struct audit_ck *ck;
	size_t nck, capck, next;
};

#define ULL(x) ((unsigned long long)(x))

static int
audit_tile(void *ctx, unsigned level, uint64_t index, const struct cy_tile *t,
    cy_error *err)
{
	struct audit *a = ctx;
	uint8_t stored[CY_TILE_NODES][CY_HASH_LEN];
	size_t len;
	unsigned i;
	int r;

	if ((r = a->l->drv->tile_get(a->l->s, level, index, stored[0],
	    CY_TILE_BYTES, &len, err)) < 0)
		return r;
	if (r == 0)
		return cy_error_set(err, CY_E_PROOF, "tile %u/%llu is missing",
		    level, ULL(index));
	if (len != CY_TILE_BYTES)
		return cy_error_set(err, CY_E_PROOF, "tile %u/%llu has the wrong length", level,
		    ULL(index));
	for (i = 0; i < CY_TILE_NODES; i++)
		if (memcmp(stored[i], t->h[i], CY_HASH_LEN) != 0)
			break;
	if (i < CY_TILE_NODES)
		return cy_error_set(err, CY_E_PROOF,
		    "tile %u/%llu: stored hash %u differs from the entries", level,
		    (unsigned long long)index, i);
	a->tiles++;
	return 0;
}

/* Checkpoint c (stored at its size) must follow the one before it: name
 * its size and not go back in time.  Deleting a checkpoint row breaks the
 * chain, which the register signed. */
static int
check_chain(const struct audit *a, const cy_checkpoint *c, cy_error *err)
{
	const struct audit_ck *prev = a->nck > 0 ? &a->ck[a->nck - 1] : NULL;

	/* A time ahead of the clock would let post-dated entries in. */
	if (a->now >= 0 && c->time > (uint64_t)a->now + CY_LOG_SKEW)
		return cy_error_set(err, CY_E_PROOF, "checkpoint at size %llu is "
		    "time-stamped %llu s ahead of the clock", ULL(c->size),
		    ULL(c->time - (uint64_t)a->now));

	if (prev == NULL && (c->size != 0 || c->has_previous))
		return cy_error_set(err, CY_E_PROOF, "the first checkpoint, of size 0, "
		    "is missing (the first one stored is of size %llu)", ULL(c->size));
	if (prev == NULL)
		return 0;
	if (!c->has_previous)
		return cy_error_set(err, CY_E_PROOF, "checkpoint at size %llu names no "
		    "previous checkpoint", ULL(c->size));
	if (c->previous != prev->size)
		return cy_error_set(err, CY_E_PROOF, "checkpoint at size %llu follows "
		    "the one at size %llu, which is missing (the one before it stored "
		    "is at size %llu): a checkpoint was removed", ULL(c->size),
		    ULL(c->previous), ULL(prev->size));
	if (c->time < prev->time)
		return cy_error_set(err, CY_E_PROOF, "checkpoint at size %llu is "
		    "time-stamped before the one at size %llu", ULL(c->size),
		    ULL(prev->size));
	return 0;
}

/* One stored checkpoint, in order of size. */
static int
audit_checkpoint(void *ctx, uint64_t size, const uint8_t *note, size_t len,
    cy_error *err)
{
	struct audit *a = ctx;
	struct audit_ck *grown;
	cy_checkpoint c;
	int r;

	if ((r = cy_checkpoint_open(note, len, a->v, &c, err)) != 0) {
		cy_error_wrap(err, "checkpoint at size %llu", ULL(size));
		return r;
	}
	if (c.size != size || size > a->size)
		return cy_error_set(err, CY_E_PROOF, "checkpoint stored at size %llu "
		    "says size %llu, or lies beyond the register", ULL(size),
		    ULL(c.size));
	if ((r = check_chain(a, &c, err)) != 0)
		return r;
	if (a->nck == a->capck) {
		a->capck = a->capck ? a->capck * 2 : 64;
		if ((grown = realloc(a->ck, a->capck * sizeof(*a->ck))) == NULL)
			return cy_error_set(err, CY_E_NOMEM, "out of memory");
		a->ck = grown;
	}
	a->ck[a->nck].size = size;
	a->ck[a->nck].time = c.time;
	memcpy(a->ck[a->nck++].root, c.root, CY_HASH_LEN);
	return 0;
}

static int
load_checkpoints(struct audit *a, cy_error *err)
{
	int r;

	if ((r = a->l->drv->checkpoint_scan(a->l->s, 0, audit_checkpoint, a,
	    err)) != 0)
		return r;
	if (a->nck == 0 || a->ck[a->nck - 1].size != a->size)
		return cy_error_set(err, CY_E_PROOF, "the latest checkpoint is of "
		    "size %llu, not the register's size %llu: a checkpoint was "
		    "removed", ULL(a->nck ? a->ck[a->nck - 1].size : 0), ULL(a->size));
	return 0;
}

/* Compares the checkpoints at the tree's current size with its root. */
static int
check_roots(struct audit *a, cy_error *err)
{
	uint8_t root[CY_HASH_LEN];
	int r;

	while (a->next < a->nck && a->ck[a->next].size == a->tree.size) {
		if ((r = cy_tree_root(&a->tree, a->l->h, root, err)) != 0)
			return r;
		if (memcmp(root, a->ck[a->next].root, CY_HASH_LEN) != 0)
			return cy_error_set(err, CY_E_PROOF, "checkpoint at size %llu: its root is "
			    "not the root of the entries", ULL(a->tree.size));
		a->next++;
	}
	return 0;
}

/* Entry index (record hash leaf, signed time t): indexed under its hash,
 * so it is there once, and within the skew of its batch's checkpoint (the
 * next one not yet reached), or imported. */
static int
audit_leaf(struct audit *a, uint64_t index, const uint8_t leaf[CY_HASH_LEN],
    int64_t t, cy_error *err)
{
	const struct audit_ck *ck;
	uint64_t at;
	int r;

	if ((r = cy_log_leaf_index(a->l, leaf, &at, err)) < 0)
		return r;
	if (r == 0 || at != index)
		return cy_error_set(err, CY_E_PROOF, "entry %llu: its record hash is "
		    "%s (an entry appended twice, or the index was altered)",
		    ULL(index), r == 0 ? "not indexed" : "indexed at another entry");
	if (a->next >= a->nck)
		return 0; /* beyond every checkpoint: reported later */
	ck = &a->ck[a->next];
	if ((r = cy_log_imported(t, ck->time)) < 0)
		return cy_error_set(err, CY_E_PROOF, "entry %llu: its time is more "
		    "than %d s after the register's time of its checkpoint (size "
		    "%llu)", ULL(index), CY_LOG_SKEW, ULL(ck->size));
	a->imported += (uint64_t)r;
	return 0;
}

/* Checks a batch of entries (read into one arena) and feeds the tree. */
static int
audit_batch(struct audit *a, const uint8_t **e, size_t *lens, uint64_t *idx,
    size_t n, int threads, cy_error *err)
{
	uint8_t (*leaf)[CY_HASH_LEN];
	int64_t *times;
	cy_error e2;
	size_t i, bad;
	const char *why;
	int r;

	leaf = malloc(n * CY_HASH_LEN);
	times = malloc(n * sizeof(*times));
	if (leaf == NULL || times == NULL) {
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	if ((r = cy_log_check_entries(e, lens, n, threads, leaf, times, &bad,
	    &e2)) != 0) {
		/* Name the entry by its index, not its place in the batch. */
		why = strstr(e2.msg, ": ");
		cy_error_set(err, r, "entry %llu: %s", (unsigned long long)idx[bad],
		    why != NULL ? why + 2 : e2.msg);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (idx[i] != a->tree.size) {
			r = cy_error_set(err, CY_E_PROOF, "entry %llu is missing (the next one stored "
			    "is %llu)", ULL(a->tree.size), ULL(idx[i]));
			goto out;
		}
		if (idx[i] >= a->size) {
			r = cy_error_set(err, CY_E_PROOF, "entry %llu lies beyond the register's "
			    "size %llu", ULL(idx[i]), ULL(a->size));
			goto out;
		}
		if ((r = audit_leaf(a, idx[i], leaf[i], times[i], err)) != 0 ||
		    (r = cy_tree_add(&a->tree, a->l->h, leaf[i], err)) != 0 ||
		    (r = check_roots(a, err)) != 0)
			goto out;
	}
out:
	free(leaf);
	free(times);
	return r;
}

/* Entries read for one audit_batch. */
struct audit_read {
	struct audit *a;
	int threads;
	size_t n;
	const uint8_t *e[AUDIT_BATCH];
	size_t lens[AUDIT_BATCH];
	uint64_t idx[AUDIT_BATCH];
};

static void
audit_drop(struct audit_read *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		free((uint8_t *)b->e[i]);
	b->n = 0;
}

/* Audits and frees the entries read so far. */
static int
audit_flush(struct audit_read *b, cy_error *err)
{
	int r;

	r = b->n > 0 ? audit_batch(b->a, b->e, b->lens, b->idx, b->n, b->threads,
	    err) : 0;
	audit_drop(b);
	return r;
}

static int
audit_row(void *ctx, uint64_t idx, const uint8_t *data, size_t len,
    cy_error *err)
{
	struct audit_read *b = ctx;

	if ((b->e[b->n] = malloc(len + 1)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	memcpy((uint8_t *)b->e[b->n], data, len);
	b->idx[b->n] = idx;
	b->lens[b->n++] = len;
	return b->n == AUDIT_BATCH ? audit_flush(b, err) : 0;
}

static int
audit_entries(struct audit *a, int threads, cy_error *err)
{
	struct audit_read *b;
	int r;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	b->a = a;
	b->threads = threads;
	r = a->l->drv->entry_scan(a->l->s, 0, audit_row, b, err);
	if (r == 0)
		r = audit_flush(b, err);
	audit_drop(b);
	free(b);
	return r;
}

/* The stored right edge and tile count must match what the entries made. */
static int
audit_edge(struct audit *a, cy_error *err)
{
	uint8_t stored[CY_TILE_WIDTH][CY_HASH_LEN];
	const cy_store_driver *d = a->l->drv;
	unsigned level, w, nonzero = 0;
	uint64_t rows, tiles, leaves;
	size_t len;
	int r;

	for (level = 0; level < CY_TILE_LEVELS; level++) {
		if ((w = a->tree.part[level].w) == 0)
			continue;
		nonzero++;
		if ((r = d->partial_get(a->l->s, level, stored[0], sizeof(stored),
		    &len, err)) < 0)
			return r;
		if (r == 0 || len != w * CY_HASH_LEN ||
		    memcmp(stored, a->tree.part[level].h, len) != 0)
			return cy_error_set(err, CY_E_PROOF, "partial tile at level %u differs from "
			    "the entries", level);
	}
	if ((r = d->count(a->l->s, CY_STORE_PARTIALS, &rows, err)) != 0 ||
	    (r = d->count(a->l->s, CY_STORE_TILES, &tiles, err)) != 0 ||
	    (r = d->count(a->l->s, CY_STORE_LEAVES, &leaves, err)) != 0)
		return r;
	if (leaves != a->tree.size)
		return cy_error_set(err, CY_E_PROOF, "the store indexes %llu record "
		    "hashes; the register holds %llu entries", ULL(leaves),
		    ULL(a->tree.size));
	if (rows != nonzero)
		return cy_error_set(err, CY_E_PROOF, "the store holds %llu partial tiles; the entries "
		    "make %u", ULL(rows), nonzero);
	if (tiles != a->tiles)
		return cy_error_set(err, CY_E_PROOF, "the store holds %llu full tiles; the entries "
		    "make %llu", ULL(tiles), ULL(a->tiles));
	return 0;
}

int
cy_log_audit(cy_log *l, const cy_note_verifier *v, int threads,
    cy_log_audit_report *report, cy_error *err)
{
	char want[CY_NOTE_KEY_STR_MAX], have[CY_NOTE_KEY_STR_MAX];
	struct audit a;
	int r;

	memset(&a, 0, sizeof(a));
	a.l = l;
	a.v = v != NULL ? v : l->v;
	cy_note_verifier_string(a.v, want);
	cy_note_verifier_string(l->v, have);
	if (strcmp(want, have) != 0)
		return cy_error_set(err, CY_E_SIGNATURE,
		    "the register names the key %s, not %s", have, want);
	if (strcmp(l->origin, cy_note_verifier_name(l->v)) != 0)
		return cy_error_set(err, CY_E_PROOF, "the register's origin %s is "
		    "not its key's name %s", l->origin, cy_note_verifier_name(l->v));
	a.now = l->clock(l->clock_ctx);
	cy_tree_init(&a.tree, audit_tile, &a);
	if ((r = cy_log_get_size(l, &a.size, err)) != 0 ||
	    (r = load_checkpoints(&a, err)) != 0 ||
	    (r = check_roots(&a, err)) != 0 ||
	    (r = audit_entries(&a, threads, err)) != 0)
		goto out;
	if (a.tree.size != a.size) {
		r = cy_error_set(err, CY_E_PROOF, "the register records %llu entries but holds %llu",
		    ULL(a.size), ULL(a.tree.size));
		goto out;
	}
	if ((r = audit_edge(&a, err)) != 0)
		goto out;
	if (a.nck == 0 || a.next != a.nck) {
		r = cy_error_set(err, CY_E_PROOF, "%llu of %llu checkpoints match no size of the "
		    "tree", ULL(a.nck - a.next), ULL(a.nck));
		goto out;
	}
	if (report != NULL) {
		report->entries = a.tree.size;
		report->tiles = a.tiles;
		report->checkpoints = a.nck;
		report->imported = a.imported;
	}
out:
	free(a.ck);
	return r;
}
