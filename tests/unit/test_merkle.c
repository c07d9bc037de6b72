/* Merkle hashing and proofs: every transparency-dev vector, the RFC 6962
 * roots, and properties over random trees up to 100,000 leaves. */
#include <dirent.h>

#include "testutil.h"

#include "coyeu/encoding.h"
#include "coyeu/merkle.h"

#include "memtree.h"

/* --- rfc6962-leaves-roots.txt --- */
static void
test_leaves_roots(void **state)
{
	const char *dir = testdata_dir("merkle");
	char path[4200], line[512], hex[80];
	uint8_t leaves[8][CY_HASH_LEN], data[64], want[CY_HASH_LEN],
	    got[CY_HASH_LEN];
	struct memtree t;
	size_t len;
	unsigned idx, nleaves = 0, nroots = 0;
	FILE *f;

	(void)state;
	if (dir == NULL)
		skip();
	snprintf(path, sizeof(path), "%s/rfc6962-leaves-roots.txt", dir);
	assert_non_null(f = fopen(path, "r"));
	memset(&t, 0, sizeof(t));
	while (fgets(line, sizeof(line), f) != NULL) {
		hex[0] = '\0';
		if (sscanf(line, "leaf %u %70s", &idx, hex) >= 1 && idx < 8) {
			len = strlen(hex) / 2;
			assert_int_equal(cy_hex_decode(data, len, hex, 2 * len), 0);
			assert_int_equal(cy_merkle_leaf_hash(NULL, data, len,
			    leaves[idx]), 0);
			nleaves++;
		} else if (sscanf(line, "root %u %70s", &idx, hex) == 2) {
			assert_int_equal(cy_hex_decode(want, 32, hex, 64), 0);
			assert_int_equal(nleaves, 8);
			/* A tree of exactly the first idx of these leaves. */
			memtree_free(&t);
			memtree_build(&t, idx, 0);
			if (idx > 0)
				memcpy(t.level[0], leaves, idx * CY_HASH_LEN);
			memtree_rehash(&t);
			assert_int_equal(cy_merkle_root(memtree_node, &t, H, idx,
			    got, NULL), 0);
			assert_memory_equal(got, want, CY_HASH_LEN);
			nroots++;
		}
	}
	fclose(f);
	memtree_free(&t);
	assert_int_equal(nroots, 9);
	/* The two extra hashes from rfc6962_test.go. */
	assert_int_equal(cy_merkle_leaf_hash(NULL, "L123456", 7, got), 0);
	assert_int_equal(cy_hex_decode(want, 32,
	    "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56", 64), 0);
	assert_memory_equal(got, want, 32);
}

static void
test_node_hash_vector(void **state)
{
	/* HashChildren("N123", "N456") hashes 0x01 || "N123" || "N456": our API
	 * takes 32-byte children, so check the same construction by hand. */
	uint8_t got[CY_HASH_LEN], want[CY_HASH_LEN];
	const char msg[] = "\x01N123N456";

	(void)state;
	assert_int_equal(cy_sha256(NULL, msg, 9, got), 0);
	assert_int_equal(cy_hex_decode(want, 32,
	    "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb", 64), 0);
	assert_memory_equal(got, want, 32);
}

/* --- a tiny reader for the vector JSON: one flat object whose values are
 * numbers, strings, booleans, null or arrays of strings --- */
struct hashval {
	uint8_t h[CY_HASH_LEN];
	int present;
};

struct vector {
	uint64_t leaf_idx, tree_size, size1, size2, start, end, size;
	struct hashval root, leaf, root1, root2;
	uint8_t proof[CY_MERKLE_PROOF_MAX][CY_HASH_LEN];
	size_t nproof;
	int bad; /* a leaf or proof hash that is not 32 bytes */
	int want_err, is_consistency, is_subtree;
	char desc[512];
};

struct reader {
	const char *p, *end;
};

static void
rd_ws(struct reader *r)
{
	while (r->p < r->end && strchr(" \t\r\n", *r->p) != NULL)
		r->p++;
}

static void
rd_expect(struct reader *r, char c)
{
	rd_ws(r);
	assert_true(r->p < r->end && *r->p == c);
	r->p++;
}

/* A string without escapes (the vectors have none). */
static size_t
rd_string(struct reader *r, char *out, size_t cap)
{
	size_t n = 0;

	rd_expect(r, '"');
	while (r->p < r->end && *r->p != '"') {
		assert_true(*r->p != '\\');
		assert_true(n + 1 < cap);
		out[n++] = *r->p++;
	}
	rd_expect(r, '"');
	out[n] = '\0';
	return n;
}

/* Decodes base64.  Our API carries 32-byte hashes, so a value of another
 * length stands in as a tagged SHA-256 of it: equal values stay equal,
 * different ones different, and none collides with a real hash. */
static int
to_hash(const char *s, size_t len, uint8_t out[CY_HASH_LEN])
{
	uint8_t raw[256];
	size_t n;

	assert_true(len * 3 / 4 + 8 <= sizeof(raw));
	assert_int_equal(cy_b64_decode(raw, &n, s, len, 1), 0);
	if (n == CY_HASH_LEN) {
		memcpy(out, raw, n);
		return 1;
	}
	memmove(raw + 8, raw, n);
	memcpy(raw, "not-hash", 8);
	assert_int_equal(cy_sha256(NULL, raw, n + 8, out), 0);
	return 0;
}

static void
rd_value(struct reader *r, const char *key, struct vector *v)
{
	char s[512];
	size_t len;
	struct hashval *hv = NULL;

	rd_ws(r);
	if (*r->p == '"') {
		len = rd_string(r, s, sizeof(s));
		if (strcmp(key, "desc") == 0)
			snprintf(v->desc, sizeof(v->desc), "%s", s);
		else if (strcmp(key, "root") == 0)
			hv = &v->root;
		else if (strcmp(key, "leafHash") == 0)
			hv = &v->leaf;
		else if (strcmp(key, "root1") == 0)
			hv = &v->root1;
		else if (strcmp(key, "root2") == 0)
			hv = &v->root2;
		else
			fail_msg("unexpected string field %s", key);
		if (hv != NULL) {
			/* A leaf hash of the wrong length is refused before any
			 * hashing, as transparency-dev's verifier does; roots
			 * are only ever compared. */
			if (!to_hash(s, len, hv->h) && hv == &v->leaf)
				v->bad = 1;
			hv->present = 1;
		}
	} else if (*r->p == '[') {
		assert_string_equal(key, "proof");
		r->p++;
		rd_ws(r);
		while (*r->p != ']') {
			len = rd_string(r, s, sizeof(s));
			assert_true(v->nproof < CY_MERKLE_PROOF_MAX);
			if (!to_hash(s, len, v->proof[v->nproof++]))
				v->bad = 1;
			rd_ws(r);
			if (*r->p == ',')
				r->p++;
			rd_ws(r);
		}
		r->p++;
	} else if (strncmp(r->p, "null", 4) == 0) {
		r->p += 4;
	} else if (strncmp(r->p, "true", 4) == 0 || strncmp(r->p, "false", 5) == 0) {
		assert_string_equal(key, "wantErr");
		v->want_err = *r->p == 't';
		r->p += v->want_err ? 4 : 5;
	} else {
		char *end;
		uint64_t x = strtoull(r->p, &end, 10);

		assert_true(end > r->p);
		r->p = end;
		if (strcmp(key, "leafIdx") == 0)
			v->leaf_idx = x;
		else if (strcmp(key, "treeSize") == 0)
			v->tree_size = x;
		else if (strcmp(key, "size1") == 0)
			v->size1 = x, v->is_consistency = 1;
		else if (strcmp(key, "size2") == 0)
			v->size2 = x;
		else if (strcmp(key, "start") == 0)
			v->start = x, v->is_subtree = 1;
		else if (strcmp(key, "end") == 0)
			v->end = x;
		else if (strcmp(key, "size") == 0)
			v->size = x, v->is_consistency = 1;
		else
			fail_msg("unexpected number field %s", key);
	}
}

static void
parse_vector(const char *text, size_t len, struct vector *v)
{
	struct reader r = {text, text + len};
	char key[64];

	memset(v, 0, sizeof(*v));
	rd_expect(&r, '{');
	for (;;) {
		rd_string(&r, key, sizeof(key));
		rd_expect(&r, ':');
		rd_value(&r, key, v);
		rd_ws(&r);
		if (*r.p == ',') {
			r.p++;
			continue;
		}
		rd_expect(&r, '}');
		break;
	}
}

static int
run_vector(const struct vector *v)
{
	if (v->bad)
		return CY_E_FORMAT; /* a parser refuses it before verifying */
	if (v->is_subtree && v->is_consistency)
		return cy_merkle_verify_subtree_consistency(H, v->start, v->end,
		    v->size, v->root1.h, v->root2.h, v->proof, v->nproof, NULL);
	if (v->is_subtree)
		return cy_merkle_verify_subtree_inclusion(H, v->leaf.h,
		    v->leaf_idx, v->start, v->end, v->proof, v->nproof,
		    v->root.h, NULL);
	if (v->is_consistency)
		return cy_merkle_verify_consistency(H, v->size1, v->size2,
		    v->root1.h, v->root2.h, v->proof, v->nproof, NULL);
	return cy_merkle_verify_inclusion(H, v->leaf.h, v->leaf_idx,
	    v->tree_size, v->proof, v->nproof, v->root.h, NULL);
}

struct walk {
	unsigned run, subtree;
};

static void
walk_dir(const char *dir, struct walk *w)
{
	char path[4200];
	struct dirent *de;
	struct vector v;
	struct stat st;
	uint8_t *text;
	DIR *d;
	FILE *f;
	long len;
	int r;

	assert_non_null(d = opendir(dir));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		assert_int_equal(stat(path, &st), 0);
		if (S_ISDIR(st.st_mode)) {
			walk_dir(path, w);
			continue;
		}
		if (strstr(de->d_name, ".json") == NULL)
			continue;
		assert_non_null(f = fopen(path, "rb"));
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		assert_non_null(text = malloc((size_t)len));
		assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
		fclose(f);
		parse_vector((char *)text, (size_t)len, &v);
		free(text);
		r = run_vector(&v);
		if ((r != 0) != v.want_err)
			fail_msg("%s (%s): got %d, want %s", path, v.desc, r,
			    v.want_err ? "an error" : "success");
		w->run++;
		w->subtree += v.is_subtree;
	}
	closedir(d);
}

static void
test_json_vectors(void **state)
{
	const char *dir = testdata_dir("merkle/transparency-dev-merkle/testdata");
	struct walk w = {0, 0};

	(void)state;
	if (dir == NULL)
		skip();
	walk_dir(dir, &w);
	assert_int_equal(w.run, 518);
	assert_int_equal(w.subtree, 322);
}

/* --- generated proofs against the vectors' 8-leaf tree --- */
static void
test_generate_matches_vectors(void **state)
{
	/* inclusion/1/happy-path: leaf 0 of 8; consistency/1: 1 -> 8. */
	static const char *const want_b64[3] = {
		"lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=",
		"Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=",
		"a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ=",
	};
	static const char *const leaf_hex[8] = {"", "00", "10", "2021", "3031",
		"40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"};
	uint8_t proof[CY_MERKLE_PROOF_MAX][CY_HASH_LEN], want[CY_HASH_LEN],
	    data[16];
	struct memtree t;
	size_t n, i, len;

	(void)state;
	memtree_build(&t, 8, 0);
	for (i = 0; i < 8; i++) {
		len = strlen(leaf_hex[i]) / 2;
		assert_int_equal(cy_hex_decode(data, len, leaf_hex[i], 2 * len), 0);
		assert_int_equal(cy_merkle_leaf_hash(NULL, data, len,
		    t.level[0][i]), 0);
	}
	memtree_rehash(&t);
	assert_int_equal(cy_merkle_inclusion_proof(memtree_node, &t, H, 0, 8,
	    proof, &n, NULL), 0);
	assert_int_equal(n, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(cy_b64_decode(want, &len, want_b64[i], 44, 1), 0);
		assert_memory_equal(proof[i], want, 32);
	}
	assert_int_equal(cy_merkle_consistency_proof(memtree_node, &t, NULL, 1, 8,
	    proof, &n, NULL), 0);
	assert_int_equal(n, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(cy_b64_decode(want, &len, want_b64[i], 44, 1), 0);
		assert_memory_equal(proof[i], want, 32);
	}
	memtree_free(&t);
}

/* --- properties --- */
/* The RFC 6962 §2.1.1 PATH recursion, recording for each proof hash whether
 * it sits left (1) or right (0) of the path: an inclusion proof's "shape".
 * Verification sees the size only through this shape. */
static size_t
path_shape(uint64_t m, uint64_t n, int *out)
{
	uint64_t k;
	size_t len;

	if (n == 1)
		return 0;
	k = (uint64_t)1 << (63 - __builtin_clzll(n - 1));
	if (m < k) {
		len = path_shape(m, k, out);
		out[len] = 0;
	} else {
		len = path_shape(m - k, n - k, out);
		out[len] = 1;
	}
	return len + 1;
}

static int
same_shape(uint64_t m, uint64_t n1, uint64_t n2)
{
	int a[70], b[70];
	size_t la, lb;

	if (m >= n1 || m >= n2)
		return 0;
	la = path_shape(m, n1, a);
	lb = path_shape(m, n2, b);
	return la == lb && memcmp(a, b, la * sizeof(int)) == 0;
}

/* The same for consistency proofs: the expressions for the old and the new
 * root in terms of proof hash numbers (and R1, the old root when it is a
 * power of two), straight from RFC 6962 §2.1.2's SUBPROOF recursion. */
struct cshape {
	char old_root[2048], new_root[2048];
	unsigned next;
};

static void
set_expr(char dst[2048], const char *src)
{
	assert_true(strlen(src) < 2048);
	memcpy(dst, src, strlen(src) + 1);
}

static void
cons_shape(uint64_t m, uint64_t n, int whole, struct cshape *c)
{
	char x[16], tmp[4200];
	uint64_t k;

	if (m == n) {
		if (whole) {
			strcpy(c->old_root, "R1");
		} else {
			snprintf(c->old_root, sizeof(c->old_root), "%u", c->next++);
		}
		strcpy(c->new_root, c->old_root);
		return;
	}
	k = (uint64_t)1 << (63 - __builtin_clzll(n - 1));
	if (m <= k) {
		cons_shape(m, k, whole, c);
		snprintf(x, sizeof(x), "%u", c->next++);
		snprintf(tmp, sizeof(tmp), "H(%s,%s)", c->new_root, x);
		set_expr(c->new_root, tmp);
	} else {
		cons_shape(m - k, n - k, 0, c);
		snprintf(x, sizeof(x), "%u", c->next++);
		snprintf(tmp, sizeof(tmp), "H(%s,%s)", x, c->old_root);
		set_expr(c->old_root, tmp);
		snprintf(tmp, sizeof(tmp), "H(%s,%s)", x, c->new_root);
		set_expr(c->new_root, tmp);
	}
}

static int
same_cons_shape(uint64_t m1, uint64_t n1, uint64_t m2, uint64_t n2)
{
	struct cshape a, b;

	if (m2 == 0 || m2 >= n2 || n2 - m2 > (uint64_t)1 << 62)
		return 0;
	a.next = b.next = 0;
	cons_shape(m1, n1, 1, &a);
	cons_shape(m2, n2, 1, &b);
	return a.next == b.next && strcmp(a.old_root, b.old_root) == 0 &&
	    strcmp(b.new_root, a.new_root) == 0;
}

static uint64_t size_flips_accepted;

static void
check_cons_flip(uint64_t m, uint64_t n, uint64_t m2, uint64_t n2,
    const uint8_t root1[CY_HASH_LEN], const uint8_t root2[CY_HASH_LEN],
    uint8_t proof[][CY_HASH_LEN], size_t len)
{
	int rc = cy_merkle_verify_consistency(H, m2, n2, root1, root2, proof,
	    len, NULL);

	if (same_cons_shape(m, n, m2, n2)) {
		assert_int_equal(rc, 0);
		size_flips_accepted++;
	} else {
		assert_int_equal(rc, CY_E_PROOF);
	}
}

static void
flip_inclusion(struct memtree *t, uint64_t index, uint8_t proof[][CY_HASH_LEN],
    size_t n, const uint8_t root[CY_HASH_LEN])
{
	uint8_t r2[CY_HASH_LEN], leaf[CY_HASH_LEN];
	size_t i, b;
	int rc;

	memcpy(leaf, t->level[0][index], CY_HASH_LEN);
	for (i = 0; i < n; i++)
		for (b = 0; b < 256; b++) {
			proof[i][b / 8] ^= (uint8_t)(1 << (b % 8));
			assert_int_equal(cy_merkle_verify_inclusion(H, leaf,
			    index, t->size, proof, n, root, NULL), CY_E_PROOF);
			proof[i][b / 8] ^= (uint8_t)(1 << (b % 8));
		}
	for (b = 0; b < 256; b++) {
		memcpy(r2, root, CY_HASH_LEN);
		r2[b / 8] ^= (uint8_t)(1 << (b % 8));
		assert_int_equal(cy_merkle_verify_inclusion(H, leaf, index,
		    t->size, proof, n, r2, NULL), CY_E_PROOF);
		memcpy(r2, leaf, CY_HASH_LEN);
		r2[b / 8] ^= (uint8_t)(1 << (b % 8));
		assert_int_equal(cy_merkle_verify_inclusion(H, r2, index,
		    t->size, proof, n, root, NULL), CY_E_PROOF);
	}
	for (b = 0; b < 64; b++) {
		uint64_t bit = (uint64_t)1 << b, size2 = t->size ^ bit;

		assert_int_equal(cy_merkle_verify_inclusion(H, leaf,
		    index ^ bit, t->size, proof, n, root, NULL), CY_E_PROOF);
		/* A size with the same path shape computes the same root: only
		 * the signed checkpoint, which binds size to root, tells them
		 * apart (see test_note and the receipt tests). */
		rc = cy_merkle_verify_inclusion(H, leaf, index, size2, proof,
		    n, root, NULL);
		if (same_shape(index, t->size, size2)) {
			assert_int_equal(rc, 0);
			size_flips_accepted++;
		} else {
			assert_int_equal(rc, CY_E_PROOF);
		}
	}
}

static void
flip_consistency(struct memtree *t, uint64_t m, uint8_t proof[][CY_HASH_LEN],
    size_t n, const uint8_t root1[CY_HASH_LEN], const uint8_t root2[CY_HASH_LEN])
{
	uint8_t r[CY_HASH_LEN];
	size_t i, b;

	for (i = 0; i < n; i++)
		for (b = 0; b < 256; b++) {
			proof[i][b / 8] ^= (uint8_t)(1 << (b % 8));
			assert_int_equal(CY_E_PROOF, cy_merkle_verify_consistency(H, m,
			    t->size, root1, root2, proof, n, NULL));
			proof[i][b / 8] ^= (uint8_t)(1 << (b % 8));
		}
	for (b = 0; b < 256; b++) {
		memcpy(r, root1, CY_HASH_LEN);
		r[b / 8] ^= (uint8_t)(1 << (b % 8));
		assert_int_equal(CY_E_PROOF, cy_merkle_verify_consistency(H, m, t->size,
		    r, root2, proof, n, NULL));
		memcpy(r, root2, CY_HASH_LEN);
		r[b / 8] ^= (uint8_t)(1 << (b % 8));
		assert_int_equal(CY_E_PROOF, cy_merkle_verify_consistency(H, m, t->size,
		    root1, r, proof, n, NULL));
	}
	for (b = 0; b < 64; b++) {
		uint64_t bit = (uint64_t)1 << b;

		check_cons_flip(m, t->size, m ^ bit, t->size, root1, root2,
		    proof, n);
		check_cons_flip(m, t->size, m, t->size ^ bit, root1, root2,
		    proof, n);
	}
}

static void
check_tree(uint64_t size, int all, int flips)
{
	uint8_t proof[CY_MERKLE_PROOF_MAX][CY_HASH_LEN], root[CY_HASH_LEN],
	    root1[CY_HASH_LEN];
	struct memtree t;
	uint64_t i, m, count;
	size_t n;

	memtree_build(&t, size, (uint32_t)size);
	assert_int_equal(cy_merkle_root(memtree_node, &t, H, size, root, NULL), 0);
	count = all ? size : 64;
	for (uint64_t c = 0; c < count; c++) {
		i = all ? c : (c == 0 ? 0 : c == 1 ? size - 1 : test_rng() % size);
		assert_int_equal(cy_merkle_inclusion_proof(memtree_node, &t, H,
		    i, size, proof, &n, NULL), 0);
		assert_int_equal(cy_merkle_verify_inclusion(H, t.level[0][i],
		    i, size, proof, n, root, NULL), 0);
		if (flips && c < 4)
			flip_inclusion(&t, i, proof, n, root);
	}
	count = all ? size : 64;
	for (uint64_t c = 0; c < count; c++) {
		m = all ? c + 1 : (c == 0 ? 1 : c == 1 ? size : 1 + test_rng() % size);
		assert_int_equal(cy_merkle_root(memtree_node, &t, H, m, root1,
		    NULL), 0);
		assert_int_equal(cy_merkle_consistency_proof(memtree_node, &t,
		    H, m, size, proof, &n, NULL), 0);
		assert_int_equal(cy_merkle_verify_consistency(H, m, size, root1,
		    root, proof, n, NULL), 0);
		if (flips && c < 4 && m < size)
			flip_consistency(&t, m, proof, n, root1, root);
	}
	memtree_free(&t);
}

static void
test_properties_small(void **state)
{
	uint64_t size;

	(void)state;
	/* Every index and every old size for all trees up to 130 leaves. */
	for (size = 1; size <= 130; size++)
		check_tree(size, 1, size % 17 == 0);
}

static void
test_properties_random(void **state)
{
	static const uint64_t fixed[] = {255, 256, 257, 65535, 65536, 65537,
		100000};
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		check_tree(fixed[i], 0, 1);
	for (i = 0; i < 12; i++)
		check_tree(1 + test_rng() % 100000, 0, i < 3);
	/* One big tree with every inclusion and consistency proof. */
	check_tree(1 + test_rng() % 100000, 1, 0);
	assert_true(size_flips_accepted > 0); /* the shape test is exercised */
}

static void
test_bad_requests(void **state)
{
	uint8_t proof[CY_MERKLE_PROOF_MAX][CY_HASH_LEN], h[CY_HASH_LEN] = {0};
	struct memtree t;
	cy_error err;
	size_t n;

	(void)state;
	memtree_build(&t, 5, 1);
	assert_int_equal(cy_merkle_inclusion_proof(memtree_node, &t, H, 5, 5,
	    proof, &n, &err), CY_E_USAGE);
	assert_string_equal(err.msg, "index 5 is outside a tree of size 5");
	assert_int_equal(cy_merkle_consistency_proof(memtree_node, &t, NULL, 0, 5,
	    proof, &n, &err), CY_E_USAGE);
	assert_int_equal(cy_merkle_consistency_proof(memtree_node, &t, NULL, 6, 5,
	    proof, &n, &err), CY_E_USAGE);
	assert_int_equal(cy_merkle_consistency_proof(memtree_node, &t, NULL, 5, 5,
	    proof, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(cy_merkle_verify_inclusion(H, h, 0, 0, proof, 0, h,
	    &err), CY_E_PROOF);
	assert_int_equal(cy_merkle_verify_inclusion(H, h, 0, 1, proof,
	    CY_MERKLE_PROOF_MAX + 1, h, &err), CY_E_PROOF);
	assert_string_equal(err.msg, "proof is too long");
	assert_int_equal(cy_merkle_range_hash(memtree_node, &t, NULL, 1, 4, h,
	    &err), CY_E_USAGE);
	memtree_free(&t);
}

/* --- subtree proofs (MTC draft §4) --- */
/* SUBTREE_SUBPROOF(start, end, D[base:base + n], known) straight from the
 * draft's recursion: an independent reference for the iterative walk. */
static size_t
ref_subproof(struct memtree *t, uint64_t start, uint64_t end, uint64_t base,
    uint64_t n, int known, uint8_t out[][CY_HASH_LEN])
{
	uint64_t k;
	size_t len;

	if (start == 0 && end == n) {
		if (known)
			return 0;
		assert_int_equal(cy_merkle_range_hash(memtree_node, t, H, base,
		    base + n, out[0], NULL), 0);
		return 1;
	}
	k = (uint64_t)1 << (63 - __builtin_clzll(n - 1));
	if (end <= k) {
		len = ref_subproof(t, start, end, base, k, known, out);
		assert_int_equal(cy_merkle_range_hash(memtree_node, t, H,
		    base + k, base + n, out[len], NULL), 0);
	} else {
		if (start < k) /* start < k < end: the draft's third case */
			assert_int_equal(start, 0);
		len = ref_subproof(t, start < k ? 0 : start - k, end - k,
		    base + k, n - k, known && start >= k, out);
		assert_int_equal(cy_merkle_range_hash(memtree_node, t, H, base,
		    base + k, out[len], NULL), 0);
	}
	return len + 1;
}

static uint8_t *
flip(uint8_t h[CY_HASH_LEN], unsigned bit)
{
	h[bit / 8 % CY_HASH_LEN] ^= (uint8_t)(1 << (bit % 8));
	return h;
}

/* One flipped bit anywhere, a missing or an extra hash: always refused. */
static void
spoil_subtree_consistency(uint64_t start, uint64_t end, uint64_t size,
    uint8_t sub[CY_HASH_LEN], uint8_t root[CY_HASH_LEN],
    uint8_t proof[][CY_HASH_LEN], size_t n)
{
	unsigned bit = (unsigned)test_rng();
	size_t i;

	for (i = 0; i < n; i++) {
		assert_int_equal(cy_merkle_verify_subtree_consistency(H, start,
		    end, size, sub, root, proof, n, NULL), 0);
		flip(proof[i], bit);
		assert_int_equal(cy_merkle_verify_subtree_consistency(H, start,
		    end, size, sub, root, proof, n, NULL), CY_E_PROOF);
		flip(proof[i], bit);
	}
	assert_int_equal(cy_merkle_verify_subtree_consistency(H, start, end,
	    size, flip(sub, bit), root, proof, n, NULL), CY_E_PROOF);
	flip(sub, bit);
	assert_int_equal(cy_merkle_verify_subtree_consistency(H, start, end,
	    size, sub, flip(root, bit), proof, n, NULL), CY_E_PROOF);
	flip(root, bit);
	if (n > 0)
		assert_int_equal(cy_merkle_verify_subtree_consistency(H, start,
		    end, size, sub, root, proof, n - 1, NULL), CY_E_PROOF);
	memset(proof[n], 0, CY_HASH_LEN);
	assert_int_equal(cy_merkle_verify_subtree_consistency(H, start, end,
	    size, sub, root, proof, n + 1, NULL), CY_E_PROOF);
}

/* Every valid subtree of a tree of `size` leaves: its inclusion proofs for
 * every leaf and its consistency proof round-trip, match the draft's
 * recursion, and agree with the RFC 9162 proofs they generalise. */
static void
check_subtrees(uint64_t size, int spoil)
{
	uint8_t proof[CY_MERKLE_PROOF_MAX][CY_HASH_LEN],
	    want[CY_MERKLE_PROOF_MAX][CY_HASH_LEN], root[CY_HASH_LEN],
	    sub[CY_HASH_LEN], old[CY_HASH_LEN];
	uint64_t start, end, i, checked = 0;
	struct memtree t;
	size_t n, m;

	memtree_build(&t, size, (uint32_t)size + 7);
	assert_int_equal(cy_merkle_root(memtree_node, &t, H, size, root, NULL), 0);
	for (end = 1; end <= size; end++)
		for (start = 0; start < end; start++) {
			if (!cy_merkle_is_subtree(start, end))
				continue;
			checked++;
			assert_int_equal(cy_merkle_range_hash(memtree_node, &t, H,
			    start, end, sub, NULL), 0);
			for (i = start; i < end; i++) {
				assert_int_equal(cy_merkle_subtree_inclusion_proof(
				    memtree_node, &t, H, i, start, end, proof, &n,
				    NULL), 0);
				assert_int_equal(cy_merkle_verify_subtree_inclusion(H,
				    t.level[0][i], i, start, end, proof, n, sub,
				    NULL), 0);
				assert_int_equal(cy_merkle_verify_subtree_inclusion(H,
				    t.level[0][i], i, start, end, proof, n,
				    flip(sub, 3), NULL), CY_E_PROOF);
				flip(sub, 3);
			}
			assert_int_equal(cy_merkle_subtree_consistency_proof(
			    memtree_node, &t, H, start, end, size, proof, &n,
			    NULL), 0);
			m = ref_subproof(&t, start, end, 0, size, 1, want);
			assert_int_equal(n, m);
			assert_memory_equal(proof, want, n * CY_HASH_LEN);
			assert_int_equal(cy_merkle_verify_subtree_consistency(H,
			    start, end, size, sub, root, proof, n, NULL), 0);
			if (spoil)
				spoil_subtree_consistency(start, end, size, sub,
				    root, proof, n);
			/* [i, i + 1) is leaf i's inclusion proof, [0, m) the
			 * consistency proof from size m. */
			if (end - start == 1)
				assert_int_equal(cy_merkle_verify_inclusion(H, sub,
				    start, size, proof, n, root, NULL), 0);
			if (start == 0 && end < size) {
				assert_int_equal(cy_merkle_root(memtree_node, &t,
				    H, end, old, NULL), 0);
				assert_int_equal(cy_merkle_verify_consistency(H, end,
				    size, old, root, proof, n, NULL), 0);
			}
		}
	/* BIT_CEIL makes the count of subtrees ending at each e known. */
	assert_true(checked >= size);
	memtree_free(&t);
}

static void
test_subtree_round_trip(void **state)
{
	static const uint64_t sizes[] = {255, 256, 257, 1000};
	uint64_t size;
	unsigned i;

	(void)state;
	for (size = 1; size <= 70; size++)
		check_subtrees(size, size % 5 == 0 || size < 20);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		check_subtrees(sizes[i], 0);
}

static void
test_subtree_validity(void **state)
{
	(void)state;
	assert_true(cy_merkle_is_subtree(0, 1));
	assert_true(cy_merkle_is_subtree(8, 14));  /* 6 -> BIT_CEIL 8 */
	assert_true(cy_merkle_is_subtree(12, 14));
	assert_true(cy_merkle_is_subtree(0, UINT64_MAX));
	assert_true(cy_merkle_is_subtree((uint64_t)1 << 63, UINT64_MAX));
	assert_false(cy_merkle_is_subtree(4, 4));  /* empty */
	assert_false(cy_merkle_is_subtree(5, 4));  /* inverted */
	assert_false(cy_merkle_is_subtree(4, 9));  /* 5 -> BIT_CEIL 8 */
	assert_false(cy_merkle_is_subtree(2, 6));
	assert_false(cy_merkle_is_subtree(1, ((uint64_t)1 << 63) + 2));
}

/* Arbitrary 64-bit ranges and sizes with random proofs of every length:
 * always a clean refusal (UBSan and the time limit watch the arithmetic). */
static void
test_subtree_random_arguments(void **state)
{
	uint8_t proof[CY_MERKLE_PROOF_MAX][CY_HASH_LEN], a[CY_HASH_LEN],
	    b[CY_HASH_LEN];
	uint64_t v[3];
	unsigned i, j;

	(void)state;
	for (i = 0; i < sizeof(proof); i++)
		proof[i / CY_HASH_LEN][i % CY_HASH_LEN] = (uint8_t)test_rng();
	memcpy(a, proof[0], CY_HASH_LEN);
	memcpy(b, proof[1], CY_HASH_LEN);
	a[0] ^= 1;
	for (i = 0; i < 20000; i++) {
		for (j = 0; j < 3; j++) {
			v[j] = test_rng() | (uint64_t)test_rng() << 32;
			v[j] >>= test_rng() % 64; /* small values too */
		}
		if (v[0] > v[1]) /* mostly ordered, sometimes not */
			v[i % 2] = v[1 - i % 2];
		if (v[1] > v[2] && i % 3 != 0)
			v[2] = v[1] + v[2] % 7;
		assert_int_equal(cy_merkle_verify_subtree_consistency(H, v[0],
		    v[1], v[2], a, b, proof, i % (CY_MERKLE_PROOF_MAX + 1),
		    NULL), CY_E_PROOF);
		assert_int_equal(cy_merkle_verify_subtree_inclusion(H, a,
		    v[0] + v[2] % 5, v[0], v[1], proof,
		    i % (CY_MERKLE_PROOF_MAX + 1), b, NULL), CY_E_PROOF);
	}
}

static void
test_subtree_bad_requests(void **state)
{
	uint8_t proof[CY_MERKLE_PROOF_MAX + 1][CY_HASH_LEN], h[CY_HASH_LEN] = {0},
	    empty[CY_HASH_LEN];
	struct memtree t;
	cy_error err;
	size_t n;

	(void)state;
	memtree_build(&t, 8, 2);
	cy_merkle_empty_root(empty);
	assert_int_equal(cy_merkle_subtree_inclusion_proof(memtree_node, &t, H,
	    2, 2, 6, proof, &n, &err), CY_E_USAGE);
	assert_string_equal(err.msg, "[2, 6) is not a valid subtree");
	assert_int_equal(cy_merkle_subtree_inclusion_proof(memtree_node, &t, H,
	    6, 4, 6, proof, &n, &err), CY_E_USAGE);
	assert_string_equal(err.msg, "index 6 is outside the subtree [4, 6)");
	assert_int_equal(cy_merkle_subtree_consistency_proof(memtree_node, &t,
	    H, 4, 6, 5, proof, &n, &err), CY_E_USAGE);
	assert_string_equal(err.msg,
	    "subtree ends at 6, beyond a tree of size 5");
	assert_int_equal(cy_merkle_subtree_consistency_proof(memtree_node, &t,
	    H, 3, 3, 5, proof, &n, &err), CY_E_USAGE);
	assert_string_equal(err.msg, "[3, 3) is not a valid subtree");

	assert_int_equal(cy_merkle_verify_subtree_inclusion(H, h, 1, 1, 3,
	    proof, 1, h, &err), CY_E_PROOF);
	assert_string_equal(err.msg, "[1, 3) is not a valid subtree");
	assert_int_equal(cy_merkle_verify_subtree_inclusion(H, h, 0, 2, 4,
	    proof, 1, h, &err), CY_E_PROOF);
	assert_string_equal(err.msg, "index 0 is outside the subtree [2, 4)");
	assert_int_equal(cy_merkle_verify_subtree_inclusion(H, h, 0, 0, 2,
	    proof, CY_MERKLE_PROOF_MAX + 1, h, &err), CY_E_PROOF);
	assert_string_equal(err.msg, "proof is too long");

	assert_int_equal(cy_merkle_verify_subtree_consistency(H, 0, 4, 3, h, h,
	    proof, 0, &err), CY_E_PROOF);
	assert_string_equal(err.msg, "[0, 4) is not a range of a tree of size 3");
	assert_int_equal(cy_merkle_verify_subtree_consistency(H, 2, 6, 8, h, h,
	    proof, 1, &err), CY_E_PROOF);
	assert_string_equal(err.msg, "[2, 6) is not a valid subtree");
	assert_int_equal(cy_merkle_verify_subtree_consistency(H, 0, 2, 8, h, h,
	    proof, CY_MERKLE_PROOF_MAX + 1, &err), CY_E_PROOF);
	assert_string_equal(err.msg, "proof is too long");
	assert_int_equal(cy_merkle_verify_subtree_consistency(H, 0, 3, 8, h, h,
	    proof, 0, &err), CY_E_PROOF);
	assert_string_equal(err.msg, "subtree consistency proof is empty");
	assert_int_equal(cy_merkle_verify_subtree_consistency(H, 0, 2, 8, h, h,
	    proof, 1, &err), CY_E_PROOF);
	assert_string_equal(err.msg,
	    "proof has fewer hashes than the subtree and tree size need");
	/* The empty range: nothing to prove, whatever the root. */
	assert_int_equal(cy_merkle_verify_subtree_consistency(H, 3, 3, 5, empty,
	    h, proof, 0, &err), 0);
	assert_int_equal(cy_merkle_verify_subtree_consistency(H, 3, 3, 5, h, h,
	    proof, 0, &err), CY_E_PROOF);
	assert_string_equal(err.msg,
	    "an empty subtree's hash must be SHA-256(\"\")");
	assert_int_equal(cy_merkle_verify_subtree_consistency(H, 3, 3, 5, empty,
	    h, proof, 1, &err), CY_E_PROOF);
	assert_string_equal(err.msg, "an empty subtree needs an empty proof");
	memtree_free(&t);
}

int
main(void)
{
	int r;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leaves_roots),
		cmocka_unit_test(test_node_hash_vector),
		cmocka_unit_test(test_json_vectors),
		cmocka_unit_test(test_generate_matches_vectors),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_properties_small),
		cmocka_unit_test(test_properties_random),
		cmocka_unit_test(test_subtree_validity),
		cmocka_unit_test(test_subtree_bad_requests),
		cmocka_unit_test(test_subtree_random_arguments),
		cmocka_unit_test(test_subtree_round_trip),
	};

	if (cy_hasher_new(&H, NULL) != 0)
		return 1;
	r = cmocka_run_group_tests(tests, NULL, NULL);
	cy_hasher_free(H);
	return r;
}
