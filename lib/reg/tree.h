/* Internal: a Merkle tree kept as C2SP tiles while it grows.
 *
 * A tile at level L holds up to 256 hashes of subtrees of height 8L (its
 * "base") and, here, also the nodes above them inside the tile: 128 at
 * height 8L+1, … 2 at 8L+7 and the tile's root at 8(L+1) — 511 hashes, so a
 * proof reads any subtree hash without hashing.  Node r levels above the
 * base, position p, sits at index cy_tile_at(r, p).
 *
 * cy_tree keeps the right-edge (partial) tile of each level in memory and
 * hands every tile that fills up to a callback (to store it, or to compare
 * it with a stored one).
 */
#ifndef COYEU_TREE_H
#define COYEU_TREE_H

#include <stdint.h>

#include "coyeu/error.h"
#include "coyeu/merkle.h"

#define CY_TILE_HEIGHT 8
#define CY_TILE_WIDTH 256
#define CY_TILE_LEVELS 8    /* 8 levels of height 8 cover 64-bit sizes */
#define CY_TILE_NODES 511
#define CY_TILE_BYTES (CY_TILE_NODES * CY_HASH_LEN)

struct cy_tile {
	uint8_t h[CY_TILE_NODES][CY_HASH_LEN];
	unsigned w; /* base hashes present */
};

static inline unsigned
cy_tile_at(unsigned r, uint64_t p)
{
	return 512 - (512u >> r) + (unsigned)p;
}

typedef int cy_tile_full_fn(void *ctx, unsigned level, uint64_t index,
    const struct cy_tile *t, cy_error *err);

struct cy_tree {
	uint64_t size;
	struct cy_tile part[CY_TILE_LEVELS];
	cy_tile_full_fn *full;
	void *ctx;
};

void cy_tree_init(struct cy_tree *t, cy_tile_full_fn *full, void *ctx);
/* Appends a leaf hash. */
int cy_tree_add(struct cy_tree *t, cy_hasher *h, const uint8_t leaf[CY_HASH_LEN],
    cy_error *err);
/* Computes the inner nodes of a tile whose first w base hashes are set. */
int cy_tile_fill(struct cy_tile *t, cy_hasher *h, unsigned w, cy_error *err);
/* The root of the whole tree, from the partial tiles alone. */
int cy_tree_root(struct cy_tree *t, cy_hasher *h, uint8_t out[CY_HASH_LEN],
    cy_error *err);
/* The subtree hash (level, index) if it lies in a partial tile: 1 found,
 * 0 when it is in a full tile, -1 when the tree does not have it. */
int cy_tree_partial_node(const struct cy_tree *t, unsigned level,
    uint64_t index, uint8_t out[CY_HASH_LEN]);
/* Where subtree (level, index) is: tile level, tile index, node slot. */
void cy_tree_locate(unsigned level, uint64_t index, unsigned *tlevel,
    uint64_t *tindex, unsigned *slot);

#endif
