/* Test helper: a Merkle tree fully in memory, every level kept, so subtree
 * reads are O(1).  Included by the tests that need a reference tree. */
#ifndef COYEU_TEST_MEMTREE_H
#define COYEU_TEST_MEMTREE_H

#include "testutil.h"

#include "coyeu/merkle.h"

static cy_hasher *H; /* shared: each call would otherwise make its own */

/* --- an in-memory tree: every level kept, so subtree reads are O(1) --- */
struct memtree {
	uint64_t size;
	uint8_t (*level[65])[CY_HASH_LEN];
	uint64_t width[65];
	unsigned levels;
};

static void
memtree_rehash(struct memtree *t)
{
	unsigned l;

	for (l = 1; l < t->levels; l++)
		for (uint64_t i = 0; i < t->width[l]; i++)
			assert_int_equal(cy_merkle_node_hash(H,
			    t->level[l - 1][2 * i], t->level[l - 1][2 * i + 1],
			    t->level[l][i]), 0);
}

static void
memtree_build(struct memtree *t, uint64_t size, uint32_t seed)
{
	uint64_t i;
	unsigned l;
	uint8_t data[12];

	memset(t, 0, sizeof(*t));
	t->size = size;
	t->width[0] = size;
	t->level[0] = malloc((size ? size : 1) * CY_HASH_LEN);
	assert_non_null(t->level[0]);
	for (i = 0; i < size; i++) {
		memcpy(data, &seed, 4);
		memcpy(data + 4, &i, 8);
		assert_int_equal(cy_merkle_leaf_hash(H, data, sizeof(data),
		    t->level[0][i]), 0);
	}
	for (l = 1; (t->width[l] = t->width[l - 1] / 2) > 0; l++) {
		t->level[l] = malloc(t->width[l] * CY_HASH_LEN);
		assert_non_null(t->level[l]);
	}
	t->levels = l;
	memtree_rehash(t);
}

static void
memtree_free(struct memtree *t)
{
	unsigned l;

	for (l = 0; l < 65; l++)
		free(t->level[l]);
}

static int
memtree_node(void *ctx, unsigned level, uint64_t index,
    uint8_t out[CY_HASH_LEN], cy_error *err)
{
	struct memtree *t = ctx;

	if (level >= t->levels || index >= t->width[level])
		return cy_error_set(err, CY_E_NOT_FOUND, "no node %u/%llu", level,
		    (unsigned long long)index);
	memcpy(out, t->level[level][index], CY_HASH_LEN);
	return 0;
}

#endif
