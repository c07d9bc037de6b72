/* A growing Merkle tree kept as tiles (see tree.h). */
#include <string.h>

#include "reg/tree.h"

void
cy_tree_init(struct cy_tree *t, cy_tile_full_fn *full, void *ctx)
{
	memset(t, 0, sizeof(*t));
	t->full = full;
	t->ctx = ctx;
}

static int
hash_fail(cy_error *err)
{
	return cy_error_set(err, CY_E_CRYPTO, "SHA-256 failed");
}

/* Base hash number pos was just set: hash every node it completes. */
static int
complete_nodes(struct cy_tile *tile, cy_hasher *h, unsigned pos, cy_error *err)
{
	unsigned r;
	uint64_t p = pos;

	for (r = 1; r <= CY_TILE_HEIGHT && (p & 1); r++) {
		p >>= 1;
		if (cy_merkle_node_hash(h, tile->h[cy_tile_at(r - 1, 2 * p)],
		    tile->h[cy_tile_at(r - 1, 2 * p + 1)],
		    tile->h[cy_tile_at(r, p)]) != 0)
			return hash_fail(err);
	}
	return 0;
}

int
cy_tile_fill(struct cy_tile *t, cy_hasher *h, unsigned w, cy_error *err)
{
	unsigned i;
	int r;

	t->w = w;
	for (i = 0; i < w; i++)
		if ((r = complete_nodes(t, h, i, err)) != 0)
			return r;
	return 0;
}

static int
add_at(struct cy_tree *t, cy_hasher *h, unsigned level,
    const uint8_t hash[CY_HASH_LEN], cy_error *err)
{
	struct cy_tile *tile = &t->part[level];
	uint8_t root[CY_HASH_LEN];
	int r;

	if (level >= CY_TILE_LEVELS)
		return cy_error_set(err, CY_E_TOO_LARGE, "the tree is full");
	memcpy(tile->h[tile->w], hash, CY_HASH_LEN);
	if ((r = complete_nodes(tile, h, tile->w, err)) != 0)
		return r;
	if (++tile->w < CY_TILE_WIDTH)
		return 0;
	/* t->size already counts the new leaf. */
	if (t->full != NULL && (r = t->full(t->ctx, level,
	    (t->size >> (CY_TILE_HEIGHT * (level + 1))) - 1, tile, err)) != 0)
		return r;
	memcpy(root, tile->h[cy_tile_at(CY_TILE_HEIGHT, 0)], CY_HASH_LEN);
	tile->w = 0;
	return level + 1 < CY_TILE_LEVELS ? add_at(t, h, level + 1, root, err) : 0;
}

int
cy_tree_add(struct cy_tree *t, cy_hasher *h, const uint8_t leaf[CY_HASH_LEN],
    cy_error *err)
{
	int r;

	if (t->size == UINT64_MAX)
		return cy_error_set(err, CY_E_TOO_LARGE, "the tree is full");
	t->size++;
	if ((r = add_at(t, h, 0, leaf, err)) != 0)
		t->size--;
	return r;
}

void
cy_tree_locate(unsigned level, uint64_t index, unsigned *tlevel,
    uint64_t *tindex, unsigned *slot)
{
	unsigned r = level % CY_TILE_HEIGHT;

	*tlevel = level / CY_TILE_HEIGHT;
	*tindex = index >> (CY_TILE_HEIGHT - r);
	*slot = cy_tile_at(r, index & ((1u << (CY_TILE_HEIGHT - r)) - 1));
}

int
cy_tree_partial_node(const struct cy_tree *t, unsigned level, uint64_t index,
    uint8_t out[CY_HASH_LEN])
{
	unsigned tl, slot, r = level % CY_TILE_HEIGHT;
	uint64_t ti, full, p;

	if (level > CY_MERKLE_LEVEL_MAX)
		return -1;
	cy_tree_locate(level, index, &tl, &ti, &slot);
	full = tl + 1 < CY_TILE_LEVELS ?
	    t->size >> (CY_TILE_HEIGHT * (tl + 1)) : 0;
	if (ti < full)
		return 0;
	p = index & ((1u << (CY_TILE_HEIGHT - r)) - 1);
	if (ti > full || ((p + 1) << r) > t->part[tl].w)
		return -1;
	memcpy(out, t->part[tl].h[slot], CY_HASH_LEN);
	return 1;
}

static int
partial_node(void *ctx, unsigned level, uint64_t index, uint8_t out[CY_HASH_LEN],
    cy_error *err)
{
	if (cy_tree_partial_node(ctx, level, index, out) == 1)
		return 0;
	return cy_error_set(err, CY_E_USAGE, "node %u/%llu is not on the right edge",
	    level, (unsigned long long)index);
}

int
cy_tree_root(struct cy_tree *t, cy_hasher *h, uint8_t out[CY_HASH_LEN],
    cy_error *err)
{
	return cy_merkle_root(partial_node, t, h, t->size, out, err);
}
