/* ML-KEM-768 (lib/age/mlkem.c) against the C2SP CCTV ML-KEM vectors in
 * ../shared/testdata/cctv-mlkem, and exhaustively for its division-free
 * arithmetic.
 *
 * Which vector sets apply to the final FIPS 203: strcmp/ (Decaps from an
 * explicit dk) and modulus/ (invalid encapsulation keys) are unchanged by the
 * final standard.  intermediate/ and unluckysample/ were made with the draft,
 * whose K-PKE.KeyGen derived (rho, sigma) = G(d) where the standard has
 * G(d || k); so they run from (rho, sigma) on, which is common to both (the
 * README's i/j order fix is what the standard adopted).  So do the 10,000
 * accumulated pq-crystals tests, whose expected hash is read from the README.
 * The final key derivation from d itself is covered by the cctv-age hybrid
 * vectors and by the round trips here. */
#include "testutil.h"

#include <openssl/evp.h>
#include <zlib.h>

#include "coyeu/encoding.h"
#include "coyeu/secret.h"
#include "age/mlkem.h"

#define LINE_MAX_LEN (16 * 1024)
#define MAX_FIELDS 8
#define EK CY_MLKEM768_EK_LEN
#define DK CY_MLKEM768_DK_LEN
#define CT CY_MLKEM768_CT_LEN
#define SS CY_MLKEM_SS_LEN
#define ACC_TESTS 10000
#define ACC_DRAW (32 + 32 + 32 + CT)  /* d, z, m, a random ct */
#define ACC_SECTION "hashes for 10 000 consecutive tests"
#define ACC_LINE "ML-KEM-768: `"

/* The first "name = hex" line for each wanted name, decoded. */
struct record {
	const char *names[MAX_FIELDS];
	size_t lens[MAX_FIELDS];
	uint8_t *vals[MAX_FIELDS];
	size_t n;
};

static void
record_free(struct record *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->vals[i]);
}

static const uint8_t *
field(const struct record *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->names[i], name) == 0 && r->vals[i] != NULL)
			return r->vals[i];
	fail_msg("vector field '%s' missing", name);
	return NULL;
}

static void
record_line(struct record *r, char *line)
{
	char *eq = strstr(line, " = ");
	size_t i, len;

	if (eq == NULL)
		return;
	*eq = '\0';
	eq += 3;
	len = strcspn(eq, "\r\n");
	for (i = 0; i < r->n; i++) {
		if (strcmp(r->names[i], line) != 0 || r->vals[i] != NULL ||
		    len != 2 * r->lens[i])
			continue;
		r->vals[i] = malloc(r->lens[i]);
		assert_non_null(r->vals[i]);
		assert_int_equal(cy_hex_decode(r->vals[i], r->lens[i], eq, len),
		    0);
	}
}

/* gzopen reads plain files too. */
static gzFile
vec_open(const char *base, const char *rel)
{
	char path[4096];
	gzFile f;

	assert_true(snprintf(path, sizeof(path), "%s/%s", base, rel) <
	    (int)sizeof(path));
	f = gzopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	return f;
}

static void
record_read(struct record *r, const char *base, const char *rel)
{
	char *line = malloc(LINE_MAX_LEN);
	gzFile f = vec_open(base, rel);

	assert_non_null(line);
	while (gzgets(f, line, LINE_MAX_LEN) != NULL)
		record_line(r, line);
	gzclose(f);
	free(line);
}

static const char *
vectors(void)
{
	static char dir[4096];
	const char *d = testdata_dir("cctv-mlkem");

	if (d == NULL)
		return NULL;
	snprintf(dir, sizeof(dir), "%s", d);
	return dir;
}

#define SKIP_WITHOUT_VECTORS(base) do { \
	if ((base) == NULL) { \
		printf("skip: ../shared/testdata/cctv-mlkem is absent\n"); \
		skip(); \
	} \
} while (0)

static void
sha3_512(const uint8_t *in, size_t len, uint8_t out[64])
{
	unsigned int n = 0;

	assert_int_equal(EVP_Digest(in, len, out, &n, EVP_sha3_512(), NULL), 1);
	assert_int_equal(n, 64);
}

/* Encaps with m gives (c, K); Decaps gives K back. */
static void
check_encaps_decaps(const uint8_t *ek, const uint8_t *dk, const uint8_t *m,
    const uint8_t *c, const uint8_t *k)
{
	uint8_t *ct = malloc(CT), ss[SS], ss2[SS];

	assert_non_null(ct);
	assert_int_equal(cy_mlkem768_encaps(ek, m, ct, ss), 0);
	assert_memory_equal(ct, c, CT);
	assert_memory_equal(ss, k, SS);
	assert_int_equal(cy_mlkem768_decaps(dk, c, ss2), 0);
	assert_memory_equal(ss2, k, SS);
	free(ct);
}

/* Every x < 2q^2 (the widest input the code gives it). */
static void
test_reduce_exhaustive(void **state)
{
	uint32_t x, bad = 0;

	(void)state;
	for (x = 0; x < 2u * CY_MLKEM_Q * CY_MLKEM_Q; x++)
		bad += cy_mlkem_reduce(x) != x % CY_MLKEM_Q;
	assert_int_equal(bad, 0);
}

/* Compress_d(x) = round(2^d x / q) mod 2^d, for the d ML-KEM-768 uses. */
static void
test_compress_exhaustive(void **state)
{
	static const unsigned ds[] = {1, 4, 10, 11};
	uint32_t x, want, bad = 0;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ds) / sizeof(ds[0]); i++) {
		for (x = 0; x < CY_MLKEM_Q; x++) {
			want = (((x << (ds[i] + 1)) + CY_MLKEM_Q) /
			    (2 * CY_MLKEM_Q)) & ((1u << ds[i]) - 1);
			bad += cy_mlkem_compress((uint16_t)x, ds[i]) != want;
		}
	}
	assert_int_equal(bad, 0);
}

/* keygen_from (rho, sigma, z) -> ek, dk; then Encaps(m) and Decaps. */
static void
run_from_rho_sigma(const struct record *r, const uint8_t rho[32],
    const uint8_t sigma[32])
{
	uint8_t *ek = malloc(EK), *dk = cy_secret_alloc(DK);

	assert_non_null(ek);
	assert_non_null(dk);
	assert_int_equal(cy_mlkem768_keygen_from(rho, sigma, field(r, "z"), ek,
	    dk), 0);
	assert_memory_equal(ek, field(r, "ek"), EK);
	assert_memory_equal(dk, field(r, "dk"), DK);
	check_encaps_decaps(ek, dk, field(r, "m"), field(r, "c"),
	    field(r, "K"));
	free(ek);
	cy_secret_free(dk);
}

static void
test_intermediate(void **state)
{
	const char *base = vectors();
	struct record r = {
		{"ρ", "σ", "z", "ek", "dk", "m", "K", "c"},
		{32, 32, 32, EK, DK, 32, SS, CT}, {NULL}, 8,
	};

	(void)state;
	SKIP_WITHOUT_VECTORS(base);
	record_read(&r, base, "intermediate/ML-KEM-768.txt");
	run_from_rho_sigma(&r, field(&r, "ρ"), field(&r, "σ"));
	record_free(&r);
}

/* SampleNTT needs more than 575 bytes of SHAKE128 here: the retry path. */
static void
test_unlucky_sample(void **state)
{
	const char *base = vectors();
	struct record r = {
		{"d", "z", "ek", "dk", "m", "K", "c"},
		{32, 32, EK, DK, 32, SS, CT}, {NULL}, 7,
	};
	uint8_t g[64];

	(void)state;
	SKIP_WITHOUT_VECTORS(base);
	record_read(&r, base, "unluckysample/ML-KEM-768.txt");
	sha3_512(field(&r, "d"), 32, g);  /* the draft's (rho, sigma) = G(d) */
	run_from_rho_sigma(&r, g, g + 32);
	record_free(&r);
}

/* A ciphertext with a zero byte where the re-encryption differs after it. */
static void
test_strcmp(void **state)
{
	const char *base = vectors();
	struct record r = {{"dk", "c", "K"}, {DK, CT, SS}, {NULL}, 3};
	uint8_t ss[SS];

	(void)state;
	SKIP_WITHOUT_VECTORS(base);
	record_read(&r, base, "strcmp/ML-KEM-768.txt");
	assert_int_equal(cy_mlkem768_decaps(field(&r, "dk"), field(&r, "c"),
	    ss), 0);
	assert_memory_equal(ss, field(&r, "K"), SS);
	record_free(&r);
}

/* Every key in the file has one coefficient in [q, 4096): refused. */
static void
test_modulus(void **state)
{
	const char *base = vectors();
	char *line = malloc(LINE_MAX_LEN);
	uint8_t *ek = malloc(EK), m[32] = {1}, *ct = malloc(CT), ss[SS];
	size_t len, n = 0;
	gzFile f;

	(void)state;
	SKIP_WITHOUT_VECTORS(base);
	assert_true(line && ek && ct);
	f = vec_open(base, "modulus/ML-KEM-768.txt.gz");
	while (gzgets(f, line, LINE_MAX_LEN) != NULL) {
		len = strcspn(line, "\r\n");
		if (len == 0)
			continue;
		assert_int_equal(cy_hex_decode(ek, EK, line, len), 0);
		assert_int_equal(cy_mlkem768_ek_check(ek), CY_E_FORMAT);
		assert_int_equal(cy_mlkem768_encaps(ek, m, ct, ss), CY_E_FORMAT);
		n++;
	}
	gzclose(f);
	printf("modulus: %zu invalid keys refused\n", n);
	assert_true(n > 700);
	free(line);
	free(ek);
	free(ct);
}

/* The expected hash of the 10,000-test run, from the README. */
static void
accumulated_expected(const char *base, uint8_t want[32])
{
	char line[1024], *p;
	int in_section = 0;
	gzFile f = vec_open(base, "README.md");

	while (gzgets(f, line, sizeof(line)) != NULL) {
		if (strstr(line, ACC_SECTION) != NULL)
			in_section = 1;
		else if (in_section && (p = strstr(line, ACC_LINE)) != NULL)
			break;
	}
	gzclose(f);
	assert_true(in_section);
	p = strstr(line, ACC_LINE);
	assert_non_null(p);
	p += strlen(ACC_LINE);
	assert_int_equal(cy_hex_decode(want, 32, p, 64), 0);
}

static void
test_accumulated(void **state)
{
	const char *base = vectors();
	uint8_t *rng = malloc((size_t)ACC_TESTS * ACC_DRAW), *p;
	uint8_t *ek = malloc(EK), *dk = cy_secret_alloc(DK), *ct = malloc(CT);
	uint8_t g[64], k[SS], k2[SS], got[32], want[32];
	EVP_MD_CTX *in = EVP_MD_CTX_new(), *out = EVP_MD_CTX_new();
	int i;

	(void)state;
	SKIP_WITHOUT_VECTORS(base);
	accumulated_expected(base, want);
	assert_true(rng && ek && dk && ct && in && out);
	/* the inputs: one SHAKE128 stream of the empty string */
	assert_int_equal(EVP_DigestInit_ex(in, EVP_shake128(), NULL), 1);
	assert_int_equal(EVP_DigestFinalXOF(in, rng,
	    (size_t)ACC_TESTS * ACC_DRAW), 1);
	assert_int_equal(EVP_DigestInit_ex(out, EVP_shake128(), NULL), 1);
	for (i = 0; i < ACC_TESTS; i++) {
		p = rng + (size_t)i * ACC_DRAW;
		sha3_512(p, 32, g);
		assert_int_equal(cy_mlkem768_keygen_from(g, g + 32, p + 32, ek,
		    dk), 0);
		assert_int_equal(cy_mlkem768_encaps(ek, p + 64, ct, k), 0);
		assert_int_equal(cy_mlkem768_decaps(dk, ct, k2), 0);
		assert_memory_equal(k, k2, SS);
		assert_int_equal(cy_mlkem768_decaps(dk, p + 96, k2), 0);
		assert_int_equal(EVP_DigestUpdate(out, ek, EK), 1);
		assert_int_equal(EVP_DigestUpdate(out, dk, DK), 1);
		assert_int_equal(EVP_DigestUpdate(out, ct, CT), 1);
		assert_int_equal(EVP_DigestUpdate(out, k, SS), 1);
		assert_int_equal(EVP_DigestUpdate(out, k2, SS), 1);
	}
	assert_int_equal(EVP_DigestFinalXOF(out, got, sizeof(got)), 1);
	assert_memory_equal(got, want, sizeof(want));
	EVP_MD_CTX_free(in);
	EVP_MD_CTX_free(out);
	free(rng);
	free(ek);
	free(ct);
	cy_secret_free(dk);
}

/* Fresh keys from the final KeyGen: round trips; a damaged ciphertext or a
 * damaged dk is handled as the standard says. */
static void
test_round_trip(void **state)
{
	uint8_t seed[CY_MLKEM_SEED_LEN], m[32], ss[SS], ss2[SS], kbar[SS];
	uint8_t *ek = malloc(EK), *dk = cy_secret_alloc(DK), *ct = malloc(CT);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int i;

	(void)state;
	assert_true(ek && dk && ct && md);
	for (i = 0; i < 20; i++) {
		size_t j;

		for (j = 0; j < sizeof(seed); j++)
			seed[j] = (uint8_t)test_rng();
		for (j = 0; j < sizeof(m); j++)
			m[j] = (uint8_t)test_rng();
		assert_int_equal(cy_mlkem768_keygen(seed, ek, dk), 0);
		assert_int_equal(cy_mlkem768_ek_check(ek), 0);
		assert_int_equal(cy_mlkem768_encaps(ek, m, ct, ss), 0);
		assert_int_equal(cy_mlkem768_decaps(dk, ct, ss2), 0);
		assert_memory_equal(ss, ss2, SS);

		/* implicit rejection: K = J(z || c) for the damaged c */
		ct[test_rng() % CT] ^= (uint8_t)(1u << (test_rng() % 8));
		assert_int_equal(cy_mlkem768_decaps(dk, ct, ss2), 0);
		assert_int_equal(EVP_DigestInit_ex(md, EVP_shake256(), NULL), 1);
		assert_int_equal(EVP_DigestUpdate(md, seed + 32, 32), 1);
		assert_int_equal(EVP_DigestUpdate(md, ct, CT), 1);
		assert_int_equal(EVP_DigestFinalXOF(md, kbar, SS), 1);
		assert_memory_equal(ss2, kbar, SS);

		/* the hash check on dk */
		dk[DK - 64] ^= 1;
		assert_int_equal(cy_mlkem768_decaps(dk, ct, ss2), CY_E_FORMAT);
	}
	EVP_MD_CTX_free(md);
	free(ek);
	free(ct);
	cy_secret_free(dk);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reduce_exhaustive),
		cmocka_unit_test(test_compress_exhaustive),
		cmocka_unit_test(test_intermediate),
		cmocka_unit_test(test_unlucky_sample),
		cmocka_unit_test(test_strcmp),
		cmocka_unit_test(test_modulus),
		cmocka_unit_test(test_accumulated),
		cmocka_unit_test(test_round_trip),
	};

	if (cy_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
