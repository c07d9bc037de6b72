/* ML-KEM-768 from FIPS 203 (final standard).  Section and algorithm numbers
 * below are the standard's.
 *
 * Coefficients are kept reduced in [0, q) as uint16_t.  Products are reduced
 * with Barrett's method and Compress divides by q with a multiply and a
 * shift, so no division instruction sees secret data; conditional
 * subtractions use masks, not branches.  Loops and table indices depend on
 * public values only (the NTT's zeta index, SampleNTT's rejection on the
 * public seed rho).  The ciphertext comparison in Decaps is constant time and
 * the implicit-rejection key is chosen with a mask. */
#include <stdlib.h>
#include <string.h>

#include "coyeu/secret.h"
#include "base/crypto.h"
#include "age/mlkem.h"

#define N 256
#define K 3
#define Q CY_MLKEM_Q
#define DU 10
#define DV 4
#define PRF_LEN (64 * 2)                 /* eta1 = eta2 = 2 */
#define POLY12_LEN 384                   /* ByteEncode_12 of one polynomial */
#define PKE_LEN (K * POLY12_LEN)         /* t in ek, s in dk */
#define C1_POLY_LEN (32 * DU)
#define N_INV 3303                       /* 128^-1 mod q */
#define BARRETT_MUL 5039                 /* floor(2^24 / q) */
#define BARRETT_SHIFT 24
#define DIV_Q_MUL 20642679u              /* ceil(2^36 / q) */
#define DIV_Q_SHIFT 36
/* SampleNTT squeezes this much first (99 % of draws need no more) and
 * doubles on a shortfall: SHAKE output is prefix-stable, so the longer
 * squeeze continues the same stream. */
#define XOF_FIRST (3 * 168)
#define XOF_MAX (64 * 1024)

/* The offsets of ek, H(ek) and z in dk (Algorithm 16). */
#define DK_EK_OFF PKE_LEN
#define DK_H_OFF (DK_EK_OFF + CY_MLKEM768_EK_LEN)
#define DK_Z_OFF (DK_H_OFF + 32)

typedef struct {
	uint16_t c[N];
} poly;

/* Everything secret an operation computes: allocated in guarded memory,
 * wiped when freed. */
struct work {
	poly a[K][K];      /* A-hat (public, kept here for simplicity) */
	poly t[K];         /* t-hat */
	poly s[K];         /* s-hat; y-hat in K-PKE.Encrypt */
	poly e[K];         /* e-hat; e1 in Encrypt; u' in Decrypt */
	poly u[K];
	poly v, w;
	uint8_t prf[PRF_LEN];
	uint8_t seeds[64]; /* (rho, sigma) or (K, r) */
	uint8_t m[CY_MLKEM_MSG_LEN];
	uint8_t kbar[CY_MLKEM_SS_LEN];
	uint8_t ct[CY_MLKEM768_CT_LEN];
	uint8_t h[32];
};

/* zeta^BitRev7(i) mod q, i = 0..127 (section 4.3). */
static const uint16_t zetas[128] = {
	1, 1729, 2580, 3289, 2642, 630, 1897, 848, 1062, 1919, 193, 797,
	2786, 3260, 569, 1746, 296, 2447, 1339, 1476, 3046, 56, 2240, 1333,
	1426, 2094, 535, 2882, 2393, 2879, 1974, 821, 289, 331, 3253, 1756,
	1197, 2304, 2277, 2055, 650, 1977, 2513, 632, 2865, 33, 1320, 1915,
	2319, 1435, 807, 452, 1438, 2868, 1534, 2402, 2647, 2617, 1481, 648,
	2474, 3110, 1227, 910, 17, 2761, 583, 2649, 1637, 723, 2288, 1100,
	1409, 2662, 3281, 233, 756, 2156, 3015, 3050, 1703, 1651, 2789, 1789,
	1847, 952, 1461, 2687, 939, 2308, 2437, 2388, 733, 2337, 268, 641,
	1584, 2298, 2037, 3220, 375, 2549, 2090, 1645, 1063, 319, 2773, 757,
	2099, 561, 2466, 2594, 2804, 1092, 403, 1026, 1143, 2150, 2775, 886,
	1722, 1212, 1874, 1029, 2110, 2935, 885, 2154,
};

/* zeta^(2 BitRev7(i) + 1) mod q, for MultiplyNTTs (Algorithm 11). */
static const uint16_t gammas[128] = {
	17, 3312, 2761, 568, 583, 2746, 2649, 680, 1637, 1692, 723, 2606,
	2288, 1041, 1100, 2229, 1409, 1920, 2662, 667, 3281, 48, 233, 3096,
	756, 2573, 2156, 1173, 3015, 314, 3050, 279, 1703, 1626, 1651, 1678,
	2789, 540, 1789, 1540, 1847, 1482, 952, 2377, 1461, 1868, 2687, 642,
	939, 2390, 2308, 1021, 2437, 892, 2388, 941, 733, 2596, 2337, 992,
	268, 3061, 641, 2688, 1584, 1745, 2298, 1031, 2037, 1292, 3220, 109,
	375, 2954, 2549, 780, 2090, 1239, 1645, 1684, 1063, 2266, 319, 3010,
	2773, 556, 757, 2572, 2099, 1230, 561, 2768, 2466, 863, 2594, 735,
	2804, 525, 1092, 2237, 403, 2926, 1026, 2303, 1143, 2186, 2150, 1179,
	2775, 554, 886, 2443, 1722, 1607, 1212, 2117, 1874, 1455, 1029, 2300,
	2110, 1219, 2935, 394, 885, 2444, 2154, 1175,
};

/* --- field arithmetic --- */

/* a mod q for a < 2q, with a mask instead of a branch. */
static uint16_t
reduce_once(uint32_t a)
{
	uint32_t r = a - Q;

	r += Q & (0u - (r >> 31));
	return (uint16_t)r;
}

uint16_t
cy_mlkem_reduce(uint32_t x)
{
	uint32_t quot = (uint32_t)(((uint64_t)x * BARRETT_MUL) >> BARRETT_SHIFT);

	/* quot is floor(x / q) or one less, for x < 2q^2. */
	return reduce_once(x - quot * Q);
}

static uint16_t
fadd(uint16_t a, uint16_t b)
{
	return reduce_once((uint32_t)a + b);
}

static uint16_t
fsub(uint16_t a, uint16_t b)
{
	return reduce_once((uint32_t)a + Q - b);
}

static uint16_t
fmul(uint16_t a, uint16_t b)
{
	return cy_mlkem_reduce((uint32_t)a * b);
}

/* Compress_d (section 4.2.1): round(2^d x / q) mod 2^d.  Since q is odd,
 * the rounding is floor((2^d x + (q - 1) / 2) / q). */
uint16_t
cy_mlkem_compress(uint16_t x, unsigned d)
{
	uint64_t n = ((uint64_t)x << d) + (Q - 1) / 2;

	return (uint16_t)(((n * DIV_Q_MUL) >> DIV_Q_SHIFT) & ((1u << d) - 1));
}

/* Decompress_d: round(q y / 2^d). */
static uint16_t
decompress(uint16_t y, unsigned d)
{
	return (uint16_t)(((uint32_t)y * Q + (1u << (d - 1))) >> d);
}

/* --- polynomials --- */

/* Algorithm 9. */
static void
ntt(poly *f)
{
	unsigned len, start, j, i = 1;
	uint16_t z, t;

	for (len = 128; len >= 2; len >>= 1) {
		for (start = 0; start < N; start += 2 * len) {
			z = zetas[i++];
			for (j = start; j < start + len; j++) {
				t = fmul(z, f->c[j + len]);
				f->c[j + len] = fsub(f->c[j], t);
				f->c[j] = fadd(f->c[j], t);
			}
		}
	}
}

/* Algorithm 10. */
static void
ntt_inverse(poly *f)
{
	unsigned len, start, j, i = 127;
	uint16_t z, t;

	for (len = 2; len <= 128; len <<= 1) {
		for (start = 0; start < N; start += 2 * len) {
			z = zetas[i--];
			for (j = start; j < start + len; j++) {
				t = f->c[j];
				f->c[j] = fadd(t, f->c[j + len]);
				f->c[j + len] = fmul(z, fsub(f->c[j + len], t));
			}
		}
	}
	for (j = 0; j < N; j++)
		f->c[j] = fmul(f->c[j], N_INV);
}

/* r += a * b in the NTT domain (Algorithms 11 and 12).  Each sum below is
 * under 2q^2, where cy_mlkem_reduce is exact. */
static void
poly_mul_acc(poly *r, const poly *a, const poly *b)
{
	unsigned i;
	uint16_t a0, a1, b0, b1, c0, c1;

	for (i = 0; i < N / 2; i++) {
		a0 = a->c[2 * i];
		a1 = a->c[2 * i + 1];
		b0 = b->c[2 * i];
		b1 = b->c[2 * i + 1];
		c0 = cy_mlkem_reduce((uint32_t)a0 * b0 +
		    (uint32_t)fmul(a1, b1) * gammas[i]);
		c1 = cy_mlkem_reduce((uint32_t)a0 * b1 + (uint32_t)a1 * b0);
		r->c[2 * i] = fadd(r->c[2 * i], c0);
		r->c[2 * i + 1] = fadd(r->c[2 * i + 1], c1);
	}
}

static void
poly_add(poly *r, const poly *a)
{
	unsigned i;

	for (i = 0; i < N; i++)
		r->c[i] = fadd(r->c[i], a->c[i]);
}

/* r = a - r */
static void
poly_sub_from(poly *r, const poly *a)
{
	unsigned i;

	for (i = 0; i < N; i++)
		r->c[i] = fsub(a->c[i], r->c[i]);
}

/* --- encodings (section 4.2.1) --- */

/* ByteEncode_d of f, little-endian bit order: 32 d bytes. */
static void
byte_encode(uint8_t *out, const poly *f, unsigned d)
{
	uint32_t acc = 0;
	unsigned i, bits = 0;

	for (i = 0; i < N; i++) {
		acc |= (uint32_t)f->c[i] << bits;
		bits += d;
		while (bits >= 8) {
			*out++ = (uint8_t)acc;
			acc >>= 8;
			bits -= 8;
		}
	}
}

/* ByteDecode_d; for d = 12 the values are taken mod q (section 4.2.1). */
static void
byte_decode(poly *f, const uint8_t *in, unsigned d)
{
	uint32_t acc = 0, mask = (1u << d) - 1;
	unsigned i, bits = 0;

	for (i = 0; i < N; i++) {
		while (bits < d) {
			acc |= (uint32_t)*in++ << bits;
			bits += 8;
		}
		f->c[i] = (uint16_t)(acc & mask);
		if (d == 12)
			f->c[i] = reduce_once(f->c[i]);
		acc >>= d;
		bits -= d;
	}
}

static void
poly_compress_encode(uint8_t *out, poly *f, unsigned d)
{
	unsigned i;

	for (i = 0; i < N; i++)
		f->c[i] = cy_mlkem_compress(f->c[i], d);
	byte_encode(out, f, d);
}

static void
poly_decode_decompress(poly *f, const uint8_t *in, unsigned d)
{
	unsigned i;

	byte_decode(f, in, d);
	for (i = 0; i < N; i++)
		f->c[i] = decompress(f->c[i], d);
}

/* --- hashing and sampling (sections 4.1 and 4.2.2) --- */

static int
hash2(enum cy_sha3_alg alg, const void *a, size_t alen, const void *b,
    size_t blen, uint8_t *out, size_t outlen)
{
	cy_span parts[2] = {{a, alen}, {b, blen}};

	return cy_sha3(alg, parts, 2, out, outlen);
}

/* PRF_eta(s, b) = SHAKE256(s || b, 64 eta), then SamplePolyCBD_2
 * (Algorithm 8): each nibble gives one coefficient, bits 0+1 minus 2+3. */
static int
sample_cbd(poly *f, uint8_t *prf, const uint8_t s[32], uint8_t nonce)
{
	unsigned i, x;
	int r;

	if ((r = hash2(CY_SHAKE256, s, 32, &nonce, 1, prf, PRF_LEN)) != 0)
		return r;
	for (i = 0; i < N; i++) {
		x = prf[i / 2] >> (4 * (i % 2));
		f->c[i] = fsub((uint16_t)((x & 1) + ((x >> 1) & 1)),
		    (uint16_t)(((x >> 2) & 1) + ((x >> 3) & 1)));
	}
	return 0;
}

/* Rejection-samples from buf[*pos..len); returns the coefficients done. */
static unsigned
sample_ntt_parse(poly *f, unsigned n, const uint8_t *buf, size_t len,
    size_t *pos)
{
	uint16_t d1, d2;
	size_t p = *pos;

	while (n < N && p + 3 <= len) {
		d1 = (uint16_t)(buf[p] | ((buf[p + 1] & 0x0f) << 8));
		d2 = (uint16_t)((buf[p + 1] >> 4) | (buf[p + 2] << 4));
		p += 3;
		if (d1 < Q)
			f->c[n++] = d1;
		if (d2 < Q && n < N)
			f->c[n++] = d2;
	}
	*pos = p;
	return n;
}

/* SampleNTT(rho || j || i), Algorithm 7.  rho is public, so the rejection
 * loop may branch on it. */
static int
sample_ntt(poly *f, const uint8_t rho[32], uint8_t j, uint8_t i)
{
	uint8_t seed[34], first[XOF_FIRST], *buf = first, *more;
	cy_span in = {seed, sizeof(seed)};
	size_t len = XOF_FIRST, pos = 0;
	unsigned n = 0;
	int r;

	memcpy(seed, rho, 32);
	seed[32] = j;
	seed[33] = i;
	for (;;) {
		if ((r = cy_sha3(CY_SHAKE128, &in, 1, buf, len)) != 0)
			break;
		if ((n = sample_ntt_parse(f, n, buf, len, &pos)) == N)
			break;
		if (len * 2 > XOF_MAX) {
			r = CY_E_CRYPTO;
			break;
		}
		len *= 2;
		more = realloc(buf == first ? NULL : buf, len);
		if (more == NULL) {
			r = CY_E_NOMEM;
			break;
		}
		buf = more;
	}
	if (buf != first)
		free(buf);
	return r;
}

/* A-hat[i][j] = SampleNTT(rho || j || i) (Algorithm 13 step 6, Algorithm 14
 * step 5). */
static int
gen_matrix(poly a[K][K], const uint8_t rho[32])
{
	unsigned i, j;
	int r;

	for (i = 0; i < K; i++)
		for (j = 0; j < K; j++)
			if ((r = sample_ntt(&a[i][j], rho, (uint8_t)j,
			    (uint8_t)i)) != 0)
				return r;
	return 0;
}

/* --- K-PKE (section 5) --- */

/* Algorithm 13 from step 2 on: ek_pke and dk_pke from (rho, sigma). */
static int
pke_keygen(struct work *w, const uint8_t rho[32], const uint8_t sigma[32],
    uint8_t ek[CY_MLKEM768_EK_LEN], uint8_t dk_pke[PKE_LEN])
{
	unsigned i, j;
	int r;

	if ((r = gen_matrix(w->a, rho)) != 0)
		return r;
	for (i = 0; i < K; i++)
		if ((r = sample_cbd(&w->s[i], w->prf, sigma, (uint8_t)i)) != 0 ||
		    (r = sample_cbd(&w->e[i], w->prf, sigma,
		    (uint8_t)(K + i))) != 0)
			return r;
	for (i = 0; i < K; i++) {
		ntt(&w->s[i]);
		ntt(&w->e[i]);
	}
	for (i = 0; i < K; i++) {
		w->t[i] = w->e[i];
		for (j = 0; j < K; j++)
			poly_mul_acc(&w->t[i], &w->a[i][j], &w->s[j]);
		byte_encode(ek + i * POLY12_LEN, &w->t[i], 12);
		byte_encode(dk_pke + i * POLY12_LEN, &w->s[i], 12);
	}
	memmove(ek + PKE_LEN, rho, 32);
	return 0;
}

/* Algorithm 14: c = Encrypt(ek, m, r), ek already checked. */
static int
pke_encrypt(struct work *w, const uint8_t ek[CY_MLKEM768_EK_LEN],
    const uint8_t m[32], const uint8_t rnd[32], uint8_t ct[CY_MLKEM768_CT_LEN])
{
	unsigned i, j;
	uint8_t nonce = 0;
	int r;

	for (i = 0; i < K; i++)
		byte_decode(&w->t[i], ek + i * POLY12_LEN, 12);
	if ((r = gen_matrix(w->a, ek + PKE_LEN)) != 0)
		return r;
	for (i = 0; i < K; i++)
		if ((r = sample_cbd(&w->s[i], w->prf, rnd, nonce++)) != 0)
			return r;
	for (i = 0; i < K; i++)
		if ((r = sample_cbd(&w->e[i], w->prf, rnd, nonce++)) != 0)
			return r;
	if ((r = sample_cbd(&w->w, w->prf, rnd, nonce)) != 0)  /* e2 */
		return r;
	for (i = 0; i < K; i++)
		ntt(&w->s[i]);
	for (i = 0; i < K; i++) {
		memset(&w->u[i], 0, sizeof(w->u[i]));
		for (j = 0; j < K; j++)
			poly_mul_acc(&w->u[i], &w->a[j][i], &w->s[j]);
		ntt_inverse(&w->u[i]);
		poly_add(&w->u[i], &w->e[i]);
		poly_compress_encode(ct + i * C1_POLY_LEN, &w->u[i], DU);
	}
	memset(&w->v, 0, sizeof(w->v));
	for (j = 0; j < K; j++)
		poly_mul_acc(&w->v, &w->t[j], &w->s[j]);
	ntt_inverse(&w->v);
	poly_add(&w->v, &w->w);
	poly_decode_decompress(&w->w, m, 1);  /* mu */
	poly_add(&w->v, &w->w);
	poly_compress_encode(ct + K * C1_POLY_LEN, &w->v, DV);
	return 0;
}

/* Algorithm 15: m = Decrypt(dk_pke, c). */
static void
pke_decrypt(struct work *w, const uint8_t dk_pke[PKE_LEN],
    const uint8_t ct[CY_MLKEM768_CT_LEN], uint8_t m[32])
{
	unsigned i;

	memset(&w->w, 0, sizeof(w->w));
	for (i = 0; i < K; i++) {
		poly_decode_decompress(&w->e[i], ct + i * C1_POLY_LEN, DU);
		byte_decode(&w->s[i], dk_pke + i * POLY12_LEN, 12);
		ntt(&w->e[i]);
		poly_mul_acc(&w->w, &w->s[i], &w->e[i]);
	}
	ntt_inverse(&w->w);
	poly_decode_decompress(&w->v, ct + K * C1_POLY_LEN, DV);
	poly_sub_from(&w->w, &w->v);
	poly_compress_encode(m, &w->w, 1);
}

/* --- ML-KEM (sections 6 and 7) --- */

static struct work *
work_new(void)
{
	return cy_secret_alloc(sizeof(struct work));
}

/* Algorithm 16 from (rho, sigma): dk = dk_pke || ek || H(ek) || z. */
static int
keygen_from(struct work *w, const uint8_t rho[32], const uint8_t sigma[32],
    const uint8_t z[32], uint8_t ek[CY_MLKEM768_EK_LEN],
    uint8_t dk[CY_MLKEM768_DK_LEN])
{
	int r;

	if ((r = pke_keygen(w, rho, sigma, ek, dk)) != 0 ||
	    (r = hash2(CY_SHA3_256, ek, CY_MLKEM768_EK_LEN, NULL, 0,
	    dk + DK_H_OFF, 32)) != 0)
		return r;
	memcpy(dk + DK_EK_OFF, ek, CY_MLKEM768_EK_LEN);
	memmove(dk + DK_Z_OFF, z, 32);
	return 0;
}

int
cy_mlkem768_keygen_from(const uint8_t rho[32], const uint8_t sigma[32],
    const uint8_t z[32], uint8_t ek[CY_MLKEM768_EK_LEN],
    uint8_t dk[CY_MLKEM768_DK_LEN])
{
	struct work *w;
	int r;

	if ((w = work_new()) == NULL)
		return CY_E_NOMEM;
	r = keygen_from(w, rho, sigma, z, ek, dk);
	cy_secret_free(w);
	return r;
}

int
cy_mlkem768_keygen(const uint8_t seed[CY_MLKEM_SEED_LEN],
    uint8_t ek[CY_MLKEM768_EK_LEN], uint8_t dk[CY_MLKEM768_DK_LEN])
{
	const uint8_t k = K;
	struct work *w;
	int r;

	if ((w = work_new()) == NULL)
		return CY_E_NOMEM;
	/* Algorithm 13 step 1: (rho, sigma) = G(d || k). */
	if ((r = hash2(CY_SHA3_512, seed, 32, &k, 1, w->seeds, 64)) == 0)
		r = keygen_from(w, w->seeds, w->seeds + 32, seed + 32, ek, dk);
	cy_secret_free(w);
	return r;
}

int
cy_mlkem768_ek_check(const uint8_t ek[CY_MLKEM768_EK_LEN])
{
	const uint8_t *p;
	unsigned bad = 0;

	/* ByteEncode_12(ByteDecode_12(t)) == t exactly when every 12-bit
	 * value is below q. */
	for (p = ek; p < ek + PKE_LEN; p += 3) {
		bad |= (unsigned)(p[0] | ((p[1] & 0x0f) << 8)) >= Q;
		bad |= (unsigned)((p[1] >> 4) | (p[2] << 4)) >= Q;
	}
	return bad ? CY_E_FORMAT : 0;
}

int
cy_mlkem768_encaps(const uint8_t ek[CY_MLKEM768_EK_LEN],
    const uint8_t m[CY_MLKEM_MSG_LEN], uint8_t ct[CY_MLKEM768_CT_LEN],
    uint8_t ss[CY_MLKEM_SS_LEN])
{
	struct work *w;
	int r;

	if ((r = cy_mlkem768_ek_check(ek)) != 0)
		return r;
	if ((w = work_new()) == NULL)
		return CY_E_NOMEM;
	/* (K, r) = G(m || H(ek)) */
	if ((r = hash2(CY_SHA3_256, ek, CY_MLKEM768_EK_LEN, NULL, 0, w->h,
	    32)) != 0 ||
	    (r = hash2(CY_SHA3_512, m, 32, w->h, 32, w->seeds, 64)) != 0 ||
	    (r = pke_encrypt(w, ek, m, w->seeds + 32, ct)) != 0)
		goto out;
	memcpy(ss, w->seeds, CY_MLKEM_SS_LEN);
out:
	cy_secret_free(w);
	return r;
}

/* out = take_a ? a : b, with a mask the compiler cannot see through. */
static void
ct_select(uint8_t *out, const uint8_t *a, const uint8_t *b, size_t n,
    int take_a)
{
	uint8_t mask = (uint8_t)(0u - (unsigned)(take_a & 1));
	size_t i;

#if defined(__GNUC__) || defined(__clang__)
	__asm__ __volatile__("" : "+r"(mask));
#endif
	for (i = 0; i < n; i++)
		out[i] = (uint8_t)(b[i] ^ (mask & (a[i] ^ b[i])));
}

int
cy_mlkem768_decaps(const uint8_t dk[CY_MLKEM768_DK_LEN],
    const uint8_t ct[CY_MLKEM768_CT_LEN], uint8_t ss[CY_MLKEM_SS_LEN])
{
	const uint8_t *ek = dk + DK_EK_OFF, *h = dk + DK_H_OFF;
	struct work *w;
	int r;

	if ((w = work_new()) == NULL)
		return CY_E_NOMEM;
	/* Section 7.3 hash check: H(ek) must be the stored h. */
	if ((r = hash2(CY_SHA3_256, ek, CY_MLKEM768_EK_LEN, NULL, 0, w->h,
	    32)) != 0)
		goto out;
	if (!cy_memeq(w->h, h, 32)) {
		r = CY_E_FORMAT;
		goto out;
	}
	pke_decrypt(w, dk, ct, w->m);
	/* (K', r') = G(m' || h); Kbar = J(z || c); c' = Encrypt(ek, m', r') */
	if ((r = hash2(CY_SHA3_512, w->m, 32, h, 32, w->seeds, 64)) != 0 ||
	    (r = hash2(CY_SHAKE256, dk + DK_Z_OFF, 32, ct, CY_MLKEM768_CT_LEN,
	    w->kbar, CY_MLKEM_SS_LEN)) != 0 ||
	    (r = pke_encrypt(w, ek, w->m, w->seeds + 32, w->ct)) != 0)
		goto out;
	ct_select(ss, w->seeds, w->kbar, CY_MLKEM_SS_LEN,
	    cy_memeq(ct, w->ct, CY_MLKEM768_CT_LEN));
out:
	cy_secret_free(w);
	return r;
}
