/* RFC 6962 / RFC 9162 Merkle trees: hashes, proof generation over a
 * subtree-hash callback, and proof verification. */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "coyeu/merkle.h"

struct cy_hasher {
	EVP_MD *md;
	EVP_MD_CTX *ctx;
};

static const uint8_t empty_root[CY_HASH_LEN] = {
	0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4,
	0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b,
	0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
};

int
cy_hasher_new(cy_hasher **out, cy_error *err)
{
	cy_hasher *h;

	*out = NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	h->md = EVP_MD_fetch(NULL, "SHA256", NULL);
	h->ctx = EVP_MD_CTX_new();
	if (h->md == NULL || h->ctx == NULL) {
		cy_hasher_free(h);
		return cy_error_set(err, CY_E_CRYPTO, "cannot set up SHA-256");
	}
	*out = h;
	return 0;
}

void
cy_hasher_free(cy_hasher *h)
{
	if (h == NULL)
		return;
	EVP_MD_CTX_free(h->ctx);
	EVP_MD_free(h->md);
	free(h);
}

/* SHA-256(prefix? || a || b); prefix < 0 means none. */
static int
digest(cy_hasher *h, int prefix, const void *a, size_t alen, const void *b,
    size_t blen, uint8_t out[CY_HASH_LEN])
{
	cy_hasher *own = NULL;
	uint8_t p = (uint8_t)prefix;
	int ok;

	if (h == NULL) {
		if (cy_hasher_new(&own, NULL) != 0)
			return CY_E_CRYPTO;
		h = own;
	}
	ok = EVP_DigestInit_ex(h->ctx, h->md, NULL) == 1 &&
	    (prefix < 0 || EVP_DigestUpdate(h->ctx, &p, 1) == 1) &&
	    (alen == 0 || EVP_DigestUpdate(h->ctx, a, alen) == 1) &&
	    (blen == 0 || EVP_DigestUpdate(h->ctx, b, blen) == 1) &&
	    EVP_DigestFinal_ex(h->ctx, out, NULL) == 1;
	cy_hasher_free(own);
	return ok ? 0 : CY_E_CRYPTO;
}

int
cy_sha256(cy_hasher *h, const void *data, size_t len, uint8_t out[CY_HASH_LEN])
{
	return digest(h, -1, data, len, NULL, 0, out);
}

int
cy_merkle_leaf_hash(cy_hasher *h, const void *data, size_t len,
    uint8_t out[CY_HASH_LEN])
{
	return digest(h, 0x00, data, len, NULL, 0, out);
}

int
cy_merkle_node_hash(cy_hasher *h, const uint8_t left[CY_HASH_LEN],
    const uint8_t right[CY_HASH_LEN], uint8_t out[CY_HASH_LEN])
{
	uint8_t both[2 * CY_HASH_LEN];

	memcpy(both, left, CY_HASH_LEN);
	memcpy(both + CY_HASH_LEN, right, CY_HASH_LEN);
	return digest(h, 0x01, both, sizeof(both), NULL, 0, out);
}

void
cy_merkle_empty_root(uint8_t out[CY_HASH_LEN])
{
	memcpy(out, empty_root, CY_HASH_LEN);
}

/* Lets a NULL hasher argument mean "make one for this call". */
static int
own_hasher(cy_hasher **h, cy_hasher **own, cy_error *err)
{
	*own = NULL;
	if (*h != NULL)
		return 0;
	if (cy_hasher_new(own, err) != 0)
		return CY_E_CRYPTO;
	*h = *own;
	return 0;
}

static unsigned
bit_length(uint64_t x)
{
	return x == 0 ? 0 : 64 - (unsigned)__builtin_clzll(x);
}

/* The largest power of two strictly below n, for n >= 2. */
static uint64_t
split_point(uint64_t n)
{
	return (uint64_t)1 << (bit_length(n - 1) - 1);
}

int
cy_merkle_range_hash(cy_merkle_node_fn *node, void *ctx, cy_hasher *h,
    uint64_t start, uint64_t end, uint8_t out[CY_HASH_LEN], cy_error *err)
{
	uint8_t parts[64][CY_HASH_LEN];
	uint64_t pos = start, n = end - start;
	cy_hasher *own = NULL;
	int count = 0, bit, r;

	if (end <= start)
		return cy_error_set(err, CY_E_USAGE, "empty or inverted range");
	for (bit = 63; bit >= 0; bit--) {
		if (!((n >> bit) & 1))
			continue;
		if (pos & (((uint64_t)1 << bit) - 1))
			return cy_error_set(err, CY_E_USAGE,
			    "range [%llu, %llu) is not aligned to its subtrees",
			    (unsigned long long)start, (unsigned long long)end);
		if ((r = node(ctx, (unsigned)bit, pos >> bit, parts[count], err)) != 0)
			return r;
		count++;
		pos += (uint64_t)1 << bit;
	}
	if ((r = own_hasher(&h, &own, err)) != 0)
		return r;
	/* The smaller subtrees nest to the right: fold from the right. */
	memcpy(out, parts[count - 1], CY_HASH_LEN);
	while (--count > 0)
		if ((r = cy_merkle_node_hash(h, parts[count - 1], out, out)) != 0) {
			r = cy_error_set(err, CY_E_CRYPTO, "SHA-256 failed");
			break;
		}
	cy_hasher_free(own);
	return r;
}

int
cy_merkle_root(cy_merkle_node_fn *node, void *ctx, cy_hasher *h,
    uint64_t size, uint8_t out[CY_HASH_LEN], cy_error *err)
{
	if (size == 0) {
		cy_merkle_empty_root(out);
		return 0;
	}
	return cy_merkle_range_hash(node, ctx, h, 0, size, out, err);
}

/* The proofs are built from the root down, so reverse them at the end. */
static void
reverse(uint8_t proof[][CY_HASH_LEN], size_t n)
{
	uint8_t tmp[CY_HASH_LEN];
	size_t i;

	for (i = 0; i < n / 2; i++) {
		memcpy(tmp, proof[i], CY_HASH_LEN);
		memcpy(proof[i], proof[n - 1 - i], CY_HASH_LEN);
		memcpy(proof[n - 1 - i], tmp, CY_HASH_LEN);
	}
}

/* The MTC draft's SUBTREE_SUBPROOF, of which RFC 9162's PATH and SUBPROOF
 * are the cases [m, m + 1) and [0, m): walks from the root of the tree
 * [base, base + size) towards the range [start, end) (relative to base),
 * emitting the hash beside each step; a range reached only through a
 * right turn that cut it in two is not known to the verifier and closes
 * the proof. */
static int
walk_proof(cy_merkle_node_fn *node, void *ctx, cy_hasher *h, uint64_t base,
    uint64_t start, uint64_t end, uint64_t size, uint8_t proof[][CY_HASH_LEN],
    size_t *n, cy_error *err)
{
	uint64_t k;
	size_t count = 0;
	int known = 1, r = 0;

	while (start != 0 || end != size) {
		k = split_point(size);
		if (end <= k) {
			r = cy_merkle_range_hash(node, ctx, h, base + k,
			    base + size, proof[count], err);
			size = k;
		} else {
			r = cy_merkle_range_hash(node, ctx, h, base, base + k,
			    proof[count], err);
			/* A valid range straddling k starts at 0. */
			if (start < k)
				known = 0;
			start = start < k ? 0 : start - k;
			end -= k;
			base += k;
			size -= k;
		}
		if (r != 0)
			return r;
		count++;
	}
	if (!known && (r = cy_merkle_range_hash(node, ctx, h, base,
	    base + size, proof[count++], err)) != 0)
		return r;
	reverse(proof, count);
	*n = count;
	return 0;
}

static int
walk_own(cy_merkle_node_fn *node, void *ctx, cy_hasher *h, uint64_t base,
    uint64_t start, uint64_t end, uint64_t size, uint8_t proof[][CY_HASH_LEN],
    size_t *n, cy_error *err)
{
	cy_hasher *own = NULL;
	int r;

	if ((r = own_hasher(&h, &own, err)) != 0)
		return r;
	r = walk_proof(node, ctx, h, base, start, end, size, proof, n, err);
	cy_hasher_free(own);
	return r;
}

int
cy_merkle_inclusion_proof(cy_merkle_node_fn *node, void *ctx, cy_hasher *h,
    uint64_t index, uint64_t size, uint8_t proof[][CY_HASH_LEN], size_t *n,
    cy_error *err)
{
	*n = 0;
	if (index >= size)
		return cy_error_set(err, CY_E_USAGE,
		    "index %llu is outside a tree of size %llu",
		    (unsigned long long)index, (unsigned long long)size);
	return walk_own(node, ctx, h, 0, index, index + 1, size, proof, n, err);
}

int
cy_merkle_consistency_proof(cy_merkle_node_fn *node, void *ctx, cy_hasher *h,
    uint64_t size1, uint64_t size2, uint8_t proof[][CY_HASH_LEN], size_t *n,
    cy_error *err)
{
	*n = 0;
	if (size1 == 0 || size1 > size2)
		return cy_error_set(err, CY_E_USAGE,
		    "no consistency proof from size %llu to size %llu",
		    (unsigned long long)size1, (unsigned long long)size2);
	return walk_own(node, ctx, h, 0, 0, size1, size2, proof, n, err);
}

int
cy_merkle_is_subtree(uint64_t start, uint64_t end)
{
	uint64_t span, mask;
	unsigned bits;

	if (end <= start)
		return 0;
	span = end - start;
	/* start must be a multiple of BIT_CEIL(span) = 2^bits; a span above
	 * 2^63 would need 2^64, which only start 0 is a multiple of. */
	bits = bit_length(span - 1);
	mask = bits == 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
	return (start & mask) == 0;
}

static int
bad_subtree(cy_error *err, int code, uint64_t start, uint64_t end)
{
	return cy_error_set(err, code, "[%llu, %llu) is not a valid subtree",
	    (unsigned long long)start, (unsigned long long)end);
}

static int
outside_subtree(cy_error *err, int code, uint64_t index, uint64_t start,
    uint64_t end)
{
	return cy_error_set(err, code, "index %llu is outside the subtree "
	    "[%llu, %llu)", (unsigned long long)index,
	    (unsigned long long)start, (unsigned long long)end);
}

static int
beyond_tree(cy_error *err, int code, uint64_t end, uint64_t size)
{
	return cy_error_set(err, code, "subtree ends at %llu, beyond a tree of "
	    "size %llu", (unsigned long long)end, (unsigned long long)size);
}

int
cy_merkle_subtree_inclusion_proof(cy_merkle_node_fn *node, void *ctx,
    cy_hasher *h, uint64_t index, uint64_t start, uint64_t end,
    uint8_t proof[][CY_HASH_LEN], size_t *n, cy_error *err)
{
	*n = 0;
	if (!cy_merkle_is_subtree(start, end))
		return bad_subtree(err, CY_E_USAGE, start, end);
	if (index < start || index >= end)
		return outside_subtree(err, CY_E_USAGE, index, start, end);
	/* The subtree is a tree of its own whose nodes sit at an offset. */
	return walk_own(node, ctx, h, start, index - start, index - start + 1,
	    end - start, proof, n, err);
}

int
cy_merkle_subtree_consistency_proof(cy_merkle_node_fn *node, void *ctx,
    cy_hasher *h, uint64_t start, uint64_t end, uint64_t size,
    uint8_t proof[][CY_HASH_LEN], size_t *n, cy_error *err)
{
	*n = 0;
	if (!cy_merkle_is_subtree(start, end))
		return bad_subtree(err, CY_E_USAGE, start, end);
	if (end > size)
		return beyond_tree(err, CY_E_USAGE, end, size);
	return walk_own(node, ctx, h, 0, start, end, size, proof, n, err);
}

static int
proof_fail(cy_error *err, const char *why)
{
	return cy_error_set(err, CY_E_PROOF, "%s", why);
}

/* Both verifications step up the tree the same way: while fn's low bit is
 * clear and fn < sn the node is a left child; a hash that completes a right
 * child (or the right edge) is combined on the left. */
static void
skip_right_edge(uint64_t *fn, uint64_t *sn)
{
	while (!(*fn & 1) && *fn != 0) {
		*fn >>= 1;
		*sn >>= 1;
	}
}

static int
verify_inclusion(cy_hasher *h, const uint8_t leaf[CY_HASH_LEN],
    uint64_t index, uint64_t size, const uint8_t proof[][CY_HASH_LEN],
    size_t n, const uint8_t root[CY_HASH_LEN], cy_error *err)
{
	uint8_t r[CY_HASH_LEN];
	uint64_t fn = index, sn = size - 1;
	size_t i;
	int rc;

	memcpy(r, leaf, CY_HASH_LEN);
	for (i = 0; i < n; i++) {
		if (sn == 0)
			return proof_fail(err,
			    "proof has more hashes than the tree size needs");
		if ((fn & 1) || fn == sn) {
			rc = cy_merkle_node_hash(h, proof[i], r, r);
			skip_right_edge(&fn, &sn);
		} else {
			rc = cy_merkle_node_hash(h, r, proof[i], r);
		}
		if (rc != 0)
			return cy_error_set(err, CY_E_CRYPTO, "SHA-256 failed");
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0)
		return proof_fail(err, "proof has fewer hashes than the tree size needs");
	if (memcmp(r, root, CY_HASH_LEN) != 0)
		return proof_fail(err, "the proof leads to a different root hash");
	return 0;
}

int
cy_merkle_verify_inclusion(cy_hasher *h, const uint8_t leaf[CY_HASH_LEN],
    uint64_t index, uint64_t size, const uint8_t proof[][CY_HASH_LEN],
    size_t n, const uint8_t root[CY_HASH_LEN], cy_error *err)
{
	cy_hasher *own = NULL;
	int r;

	if (index >= size)
		return cy_error_set(err, CY_E_PROOF,
		    "index %llu is outside a tree of size %llu",
		    (unsigned long long)index, (unsigned long long)size);
	if (n > CY_MERKLE_PROOF_MAX)
		return proof_fail(err, "proof is too long");
	if ((r = own_hasher(&h, &own, err)) != 0)
		return r;
	r = verify_inclusion(h, leaf, index, size, proof, n, root, err);
	cy_hasher_free(own);
	return r;
}

int
cy_merkle_verify_subtree_inclusion(cy_hasher *h,
    const uint8_t leaf[CY_HASH_LEN], uint64_t index, uint64_t start,
    uint64_t end, const uint8_t proof[][CY_HASH_LEN], size_t n,
    const uint8_t subtree[CY_HASH_LEN], cy_error *err)
{
	if (!cy_merkle_is_subtree(start, end))
		return bad_subtree(err, CY_E_PROOF, start, end);
	if (index < start || index >= end)
		return outside_subtree(err, CY_E_PROOF, index, start, end);
	/* Inside its subtree the leaf has an ordinary inclusion proof. */
	return cy_merkle_verify_inclusion(h, leaf, index - start, end - start,
	    proof, n, subtree, err);
}

static int
verify_consistency(cy_hasher *h, uint64_t size1, uint64_t size2,
    const uint8_t root1[CY_HASH_LEN], const uint8_t root2[CY_HASH_LEN],
    const uint8_t proof[][CY_HASH_LEN], size_t n, cy_error *err)
{
	uint8_t fr[CY_HASH_LEN], sr[CY_HASH_LEN];
	uint64_t fn = size1 - 1, sn = size2 - 1;
	size_t i = 0;
	int rc = 0;

	/* A power-of-two old tree is a subtree of the new one: its root seeds
	 * the computation instead of travelling in the proof. */
	if ((size1 & (size1 - 1)) == 0) {
		memcpy(fr, root1, CY_HASH_LEN);
	} else {
		memcpy(fr, proof[0], CY_HASH_LEN);
		i = 1;
	}
	memcpy(sr, fr, CY_HASH_LEN);
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	for (; i < n && rc == 0; i++) {
		if (sn == 0)
			return proof_fail(err,
			    "proof has more hashes than the sizes need");
		if ((fn & 1) || fn == sn) {
			rc = cy_merkle_node_hash(h, proof[i], fr, fr);
			if (rc == 0)
				rc = cy_merkle_node_hash(h, proof[i], sr, sr);
			skip_right_edge(&fn, &sn);
		} else {
			rc = cy_merkle_node_hash(h, sr, proof[i], sr);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (rc != 0)
		return cy_error_set(err, CY_E_CRYPTO, "SHA-256 failed");
	if (sn != 0)
		return proof_fail(err, "proof has fewer hashes than the sizes need");
	if (memcmp(fr, root1, CY_HASH_LEN) != 0)
		return proof_fail(err, "the proof does not lead to the old root hash");
	if (memcmp(sr, root2, CY_HASH_LEN) != 0)
		return proof_fail(err, "the proof does not lead to the new root hash");
	return 0;
}

int
cy_merkle_verify_consistency(cy_hasher *h, uint64_t size1, uint64_t size2,
    const uint8_t root1[CY_HASH_LEN], const uint8_t root2[CY_HASH_LEN],
    const uint8_t proof[][CY_HASH_LEN], size_t n, cy_error *err)
{
	cy_hasher *own = NULL;
	int r;

	if (size2 < size1)
		return proof_fail(err, "the new tree is smaller than the old one");
	if (size1 == 0)
		return proof_fail(err,
		    "consistency with an empty tree proves nothing");
	if (size1 == size2) {
		if (n != 0)
			return proof_fail(err,
			    "equal sizes need an empty consistency proof");
		if (memcmp(root1, root2, CY_HASH_LEN) != 0)
			return proof_fail(err,
			    "two trees of the same size have different roots");
		return 0;
	}
	if (n == 0)
		return proof_fail(err, "consistency proof is empty");
	if (n > CY_MERKLE_PROOF_MAX)
		return proof_fail(err, "proof is too long");
	if ((r = own_hasher(&h, &own, err)) != 0)
		return r;
	r = verify_consistency(h, size1, size2, root1, root2, proof, n, err);
	cy_hasher_free(own);
	return r;
}

static void
climb(uint64_t *fn, uint64_t *sn, uint64_t *tn)
{
	*fn >>= 1;
	*sn >>= 1;
	*tn >>= 1;
}

/* The MTC draft's "Verifying a Subtree Consistency Proof": fn, sn and tn
 * follow the subtree's first and last leaf and the tree's last leaf up the
 * tree; fr rebuilds the subtree hash, sr the tree's root. */
static int
verify_subtree_consistency(cy_hasher *h, uint64_t start, uint64_t end,
    uint64_t size, const uint8_t subtree[CY_HASH_LEN],
    const uint8_t root[CY_HASH_LEN], const uint8_t proof[][CY_HASH_LEN],
    size_t n, cy_error *err)
{
	uint8_t fr[CY_HASH_LEN], sr[CY_HASH_LEN];
	uint64_t fn = start, sn = end - 1, tn = size - 1;
	size_t i = 0;
	int rc = 0;

	/* Climb to the lowest node that holds the whole subtree (on the right
	 * edge) or to where the subtree's last leaf is a left child. */
	while (fn != sn && (sn == tn || (sn & 1)))
		climb(&fn, &sn, &tn);
	if (fn == sn) {
		memcpy(fr, subtree, CY_HASH_LEN);
	} else if (n == 0) {
		return proof_fail(err, "subtree consistency proof is empty");
	} else {
		memcpy(fr, proof[0], CY_HASH_LEN);
		i = 1;
	}
	memcpy(sr, fr, CY_HASH_LEN);
	for (; i < n && rc == 0; i++) {
		if (tn == 0)
			return proof_fail(err, "proof has more hashes than the "
			    "subtree and tree size need");
		if ((sn & 1) || sn == tn) {
			if (fn < sn)
				rc = cy_merkle_node_hash(h, proof[i], fr, fr);
			if (rc == 0)
				rc = cy_merkle_node_hash(h, proof[i], sr, sr);
			while (!(sn & 1) && sn != 0)
				climb(&fn, &sn, &tn);
		} else {
			rc = cy_merkle_node_hash(h, sr, proof[i], sr);
		}
		climb(&fn, &sn, &tn);
	}
	if (rc != 0)
		return cy_error_set(err, CY_E_CRYPTO, "SHA-256 failed");
	if (tn != 0)
		return proof_fail(err, "proof has fewer hashes than the subtree "
		    "and tree size need");
	if (memcmp(fr, subtree, CY_HASH_LEN) != 0)
		return proof_fail(err, "the proof does not lead to the subtree hash");
	if (memcmp(sr, root, CY_HASH_LEN) != 0)
		return proof_fail(err, "the proof does not lead to the tree's root hash");
	return 0;
}

int
cy_merkle_verify_subtree_consistency(cy_hasher *h, uint64_t start,
    uint64_t end, uint64_t size, const uint8_t subtree[CY_HASH_LEN],
    const uint8_t root[CY_HASH_LEN], const uint8_t proof[][CY_HASH_LEN],
    size_t n, cy_error *err)
{
	cy_hasher *own = NULL;
	int r;

	if (start > end || end > size)
		return cy_error_set(err, CY_E_PROOF, "[%llu, %llu) is not a "
		    "range of a tree of size %llu", (unsigned long long)start,
		    (unsigned long long)end, (unsigned long long)size);
	/* The empty range hashes to SHA-256("") and says nothing about the
	 * tree, so there is nothing to prove (transparency-dev's vectors). */
	if (start == end) {
		if (n != 0)
			return proof_fail(err,
			    "an empty subtree needs an empty proof");
		if (memcmp(subtree, empty_root, CY_HASH_LEN) != 0)
			return proof_fail(err,
			    "an empty subtree's hash must be SHA-256(\"\")");
		return 0;
	}
	if (!cy_merkle_is_subtree(start, end))
		return bad_subtree(err, CY_E_PROOF, start, end);
	if (n > CY_MERKLE_PROOF_MAX)
		return proof_fail(err, "proof is too long");
	if ((r = own_hasher(&h, &own, err)) != 0)
		return r;
	r = verify_subtree_consistency(h, start, end, size, subtree, root,
	    proof, n, err);
	cy_hasher_free(own);
	return r;
}
