/* coyeu — RFC 6962 / RFC 9162 Merkle tree hashing and proofs.
 *
 * Leaf hash SHA-256(0x00 || data), node hash SHA-256(0x01 || left || right);
 * the empty tree hashes to SHA-256("").  Sizes and indices are 64-bit.
 *
 * A (level, index) pair names the full subtree over leaves
 * [index << level, (index + 1) << level).  Proof generation reads such
 * subtree hashes through a callback, so it works over any storage that keeps
 * them (memory, tiles in SQLite, tiles on disk).
 */
#ifndef COYEU_MERKLE_H
#define COYEU_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/error.h"

#define CY_HASH_LEN 32
/* Longest proof for a 64-bit tree: 64 path hashes, 65 for consistency. */
#define CY_MERKLE_PROOF_MAX 66
#define CY_MERKLE_LEVEL_MAX 63

/* A reusable SHA-256 context (saves an algorithm fetch per hash).  Every
 * function below that takes one also accepts NULL and then makes its own. */
typedef struct cy_hasher cy_hasher;

CY_API int cy_hasher_new(cy_hasher **out, cy_error *err) CY_MUST_CHECK;
CY_API void cy_hasher_free(cy_hasher *h);

/* Plain SHA-256 of data. */
CY_API int cy_sha256(cy_hasher *h, const void *data, size_t len,
    uint8_t out[CY_HASH_LEN]) CY_MUST_CHECK;
/* SHA-256(0x00 || data): the record hash of a log entry. */
CY_API int cy_merkle_leaf_hash(cy_hasher *h, const void *data, size_t len,
    uint8_t out[CY_HASH_LEN]) CY_MUST_CHECK;
/* SHA-256(0x01 || left || right).  out may alias left or right. */
CY_API int cy_merkle_node_hash(cy_hasher *h, const uint8_t left[CY_HASH_LEN],
    const uint8_t right[CY_HASH_LEN], uint8_t out[CY_HASH_LEN]) CY_MUST_CHECK;
/* SHA-256(""), the root of the empty tree. */
CY_API void cy_merkle_empty_root(uint8_t out[CY_HASH_LEN]);

/* Supplies the hash of the full subtree (level, index). */
typedef int cy_merkle_node_fn(void *ctx, unsigned level, uint64_t index,
    uint8_t out[CY_HASH_LEN], cy_error *err);

/* MTH(D[start:end]) for a range whose start is a multiple of the largest
 * power of two below end - start (every range a proof needs is). */
CY_API int cy_merkle_range_hash(cy_merkle_node_fn *node, void *ctx,
    cy_hasher *h,
    uint64_t start, uint64_t end, uint8_t out[CY_HASH_LEN],
    cy_error *err) CY_MUST_CHECK;
/* The root of the tree of the first `size` leaves. */
CY_API int cy_merkle_root(cy_merkle_node_fn *node, void *ctx, cy_hasher *h,
    uint64_t size, uint8_t out[CY_HASH_LEN], cy_error *err) CY_MUST_CHECK;

/* RFC 9162 §2.1.3.1: the path for leaf `index` in the tree of `size`
 * leaves, from the leaf's sibling upwards.  *n receives the count. */
CY_API int cy_merkle_inclusion_proof(cy_merkle_node_fn *node, void *ctx,
    cy_hasher *h, uint64_t index, uint64_t size,
    uint8_t proof[][CY_HASH_LEN], size_t *n, cy_error *err) CY_MUST_CHECK;
/* RFC 9162 §2.1.4.1: from the tree of size1 leaves to that of size2,
 * 0 < size1 <= size2 (empty when they are equal). */
CY_API int cy_merkle_consistency_proof(cy_merkle_node_fn *node, void *ctx,
    cy_hasher *h, uint64_t size1, uint64_t size2,
    uint8_t proof[][CY_HASH_LEN], size_t *n, cy_error *err) CY_MUST_CHECK;

/* RFC 9162 §2.1.3.2.  0 when the leaf hash sits at index in the tree of
 * `size` leaves with that root, else CY_E_PROOF with the reason. */
CY_API int cy_merkle_verify_inclusion(cy_hasher *h,
    const uint8_t leaf[CY_HASH_LEN],
    uint64_t index, uint64_t size, const uint8_t proof[][CY_HASH_LEN],
    size_t n, const uint8_t root[CY_HASH_LEN], cy_error *err) CY_MUST_CHECK;
/* RFC 9162 §2.1.4.2.  Equal sizes need an empty proof and equal roots; an
 * empty old tree proves nothing and is refused. */
CY_API int cy_merkle_verify_consistency(cy_hasher *h, uint64_t size1,
    uint64_t size2,
    const uint8_t root1[CY_HASH_LEN], const uint8_t root2[CY_HASH_LEN],
    const uint8_t proof[][CY_HASH_LEN], size_t n, cy_error *err) CY_MUST_CHECK;

/* Subtrees (Merkle Tree Certificates, draft-ietf-plants-merkle-tree-certs
 * §4): [start, end) is a subtree when start < end and start is a multiple
 * of BIT_CEIL(end - start), the smallest power of two >= end - start.  Its
 * hash is MTH(D[start:end]) (cy_merkle_range_hash), and it is a node of
 * every tree of end leaves or more, or the right edge of one.  Nonzero when
 * [start, end) is one. */
CY_API int cy_merkle_is_subtree(uint64_t start, uint64_t end);

/* The inclusion proof of leaf `index` in the subtree [start, end): the
 * ordinary path of leaf index - start in the tree D[start:end]. */
CY_API int cy_merkle_subtree_inclusion_proof(cy_merkle_node_fn *node, void *ctx,
    cy_hasher *h, uint64_t index, uint64_t start, uint64_t end,
    uint8_t proof[][CY_HASH_LEN], size_t *n, cy_error *err) CY_MUST_CHECK;
/* SUBTREE_PROOF(start, end, D_size): shows that the subtree [start, end)
 * is part of the tree of `size` leaves (end <= size). */
CY_API int cy_merkle_subtree_consistency_proof(cy_merkle_node_fn *node,
    void *ctx,
    cy_hasher *h, uint64_t start, uint64_t end, uint64_t size,
    uint8_t proof[][CY_HASH_LEN], size_t *n, cy_error *err) CY_MUST_CHECK;

/* 0 when the leaf hash sits at index in the subtree [start, end) whose hash
 * is `subtree`, else CY_E_PROOF with the reason. */
CY_API int cy_merkle_verify_subtree_inclusion(cy_hasher *h,
    const uint8_t leaf[CY_HASH_LEN], uint64_t index, uint64_t start,
    uint64_t end, const uint8_t proof[][CY_HASH_LEN], size_t n,
    const uint8_t subtree[CY_HASH_LEN], cy_error *err) CY_MUST_CHECK;
/* 0 when the subtree [start, end) with hash `subtree` is part of the tree
 * of `size` leaves with that root, else CY_E_PROOF with the reason.  An
 * empty range proves nothing: it passes with an empty proof and the hash
 * SHA-256(""), whatever the root. */
CY_API int cy_merkle_verify_subtree_consistency(cy_hasher *h, uint64_t start,
    uint64_t end, uint64_t size, const uint8_t subtree[CY_HASH_LEN],
    const uint8_t root[CY_HASH_LEN], const uint8_t proof[][CY_HASH_LEN],
    size_t n, cy_error *err) CY_MUST_CHECK;

#endif
