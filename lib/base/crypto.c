#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <sodium.h>

#include "base/crypto.h"
#include "coyeu/secret.h"

struct cy_aead_ctx {
	EVP_CIPHER_CTX *ctx;
	uint8_t key[CY_AEAD_KEY_LEN];
	int keyed;   /* the key is set: later chunks change only the nonce */
};

/* HKDF (RFC 5869) and HMAC over libsodium's HMAC-SHA-256: OpenSSL 3's
 * EVP_PKEY_CTX_new_id(HKDF) and HMAC() fetch their algorithms from the
 * provider on every call, several times the hash itself (a release opens
 * one age file and seals another: docs/performance.md). */
static void
hmac_parts(const uint8_t *key, size_t keylen, const uint8_t *a, size_t alen,
    const uint8_t *b, size_t blen, const uint8_t *c, size_t clen,
    uint8_t out[CY_SHA256_LEN])
{
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, a, alen);
	crypto_auth_hmacsha256_update(&st, b, blen);
	crypto_auth_hmacsha256_update(&st, c, clen);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(&st, sizeof(st));
}

int
cy_hkdf_sha256(const uint8_t *ikm, size_t ikmlen, const uint8_t *salt,
    size_t saltlen, const char *info, uint8_t *out, size_t outlen)
{
	static const uint8_t zeros[CY_SHA256_LEN];
	uint8_t prk[CY_SHA256_LEN], t[CY_SHA256_LEN];
	size_t done, n, tlen = 0;
	uint8_t i;

	if (outlen > 255 * CY_SHA256_LEN)
		return CY_E_CRYPTO;
	/* An empty salt is HashLen zeros (RFC 5869). */
	if (saltlen == 0)
		salt = zeros, saltlen = sizeof(zeros);
	hmac_parts(salt, saltlen, ikm, ikmlen, NULL, 0, NULL, 0, prk);
	for (done = 0, i = 1; done < outlen; done += n, i++) {
		hmac_parts(prk, sizeof(prk), t, tlen, (const uint8_t *)info,
		    strlen(info), &i, 1, t);
		tlen = sizeof(t);
		n = outlen - done < sizeof(t) ? outlen - done : sizeof(t);
		memcpy(out + done, t, n);
	}
	sodium_memzero(prk, sizeof(prk));
	sodium_memzero(t, sizeof(t));
	return 0;
}

int
cy_hmac_sha256(const uint8_t *key, size_t keylen, const uint8_t *msg,
    size_t len, uint8_t out[CY_SHA256_LEN])
{
	hmac_parts(key, keylen, msg, len, NULL, 0, NULL, 0, out);
	return 0;
}

void
cy_sha256_digest(const uint8_t *msg, size_t len, uint8_t out[CY_SHA256_LEN])
{
	SHA256(msg, len, out);
}

struct cy_sha256_ctx {
	EVP_MD_CTX *md;
	int failed;
};

cy_sha256_ctx *
cy_sha256_new(void)
{
	cy_sha256_ctx *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((c->md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(c->md, EVP_sha256(), NULL) != 1) {
		cy_sha256_free(c);
		return NULL;
	}
	return c;
}

void
cy_sha256_update(cy_sha256_ctx *c, const void *p, size_t len)
{
	if (EVP_DigestUpdate(c->md, p, len) != 1)
		c->failed = 1;
}

int
cy_sha256_final(cy_sha256_ctx *c, uint8_t out[CY_SHA256_LEN], cy_error *err)
{
	unsigned int n = CY_SHA256_LEN;
	int r = 0;

	if (c->failed || EVP_DigestFinal_ex(c->md, out, &n) != 1 ||
	    n != CY_SHA256_LEN) {
		cy_wipe(out, CY_SHA256_LEN);
		r = cy_error_set(err, CY_E_CRYPTO, "SHA-256 failed (OpenSSL)");
	}
	cy_sha256_free(c);
	return r;
}

void
cy_sha256_free(cy_sha256_ctx *c)
{
	if (c == NULL)
		return;
	EVP_MD_CTX_free(c->md);
	free(c);
}

static int
aead_run(EVP_CIPHER_CTX *ctx, const uint8_t *key, const uint8_t *nonce,
    const uint8_t *in, size_t len, uint8_t *out, int enc)
{
	int n = 0, fin = 0;

	if (EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, enc) != 1)
		return CY_E_CRYPTO;
	if (!enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG,
	    CY_AEAD_TAG_LEN, (void *)(in + len)) != 1)
		return CY_E_CRYPTO;
	if (len > 0 && EVP_CipherUpdate(ctx, out, &n, in, (int)len) != 1)
		return CY_E_CRYPTO;
	if (EVP_CipherFinal_ex(ctx, out + n, &fin) != 1)
		return CY_E_CRYPTO;
	if (enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG,
	    CY_AEAD_TAG_LEN, out + len) != 1)
		return CY_E_CRYPTO;
	return 0;
}

cy_aead_ctx *
cy_aead_ctx_new(const uint8_t key[CY_AEAD_KEY_LEN])
{
	cy_aead_ctx *c;

	if ((c = cy_secret_alloc(sizeof(*c))) == NULL)
		return NULL;
	memcpy(c->key, key, CY_AEAD_KEY_LEN);
	c->keyed = 0;  /* guarded memory is not zeroed */
	if ((c->ctx = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_CipherInit_ex(c->ctx, EVP_chacha20_poly1305(), NULL, NULL, NULL,
	    1) != 1) {
		cy_aead_ctx_free(c);
		return NULL;
	}
	return c;
}

void
cy_aead_ctx_free(cy_aead_ctx *c)
{
	if (c == NULL)
		return;
	EVP_CIPHER_CTX_free(c->ctx);
	cy_secret_free(c);
}

int
cy_aead_ctx_seal(cy_aead_ctx *c, const uint8_t nonce[CY_AEAD_NONCE_LEN],
    const uint8_t *in, size_t len, uint8_t *out)
{
	const uint8_t *key = c->keyed ? NULL : c->key;

	c->keyed = 1;
	return aead_run(c->ctx, key, nonce, in, len, out, 1);
}

int
cy_aead_ctx_open(cy_aead_ctx *c, const uint8_t nonce[CY_AEAD_NONCE_LEN],
    const uint8_t *in, size_t len, uint8_t *out)
{
	const uint8_t *key = c->keyed ? NULL : c->key;

	if (len < CY_AEAD_TAG_LEN)
		return CY_E_CRYPTO;
	c->keyed = 1;
	return aead_run(c->ctx, key, nonce, in, len - CY_AEAD_TAG_LEN, out, 0);
}

static int
aead_oneshot(const uint8_t *key, const uint8_t *nonce, const uint8_t *in,
    size_t len, uint8_t *out, int enc)
{
	cy_aead_ctx *c;
	int r;

	if ((c = cy_aead_ctx_new(key)) == NULL)
		return CY_E_NOMEM;
	r = enc ? cy_aead_ctx_seal(c, nonce, in, len, out) :
	    cy_aead_ctx_open(c, nonce, in, len, out);
	cy_aead_ctx_free(c);
	return r;
}

int
cy_aead_seal(const uint8_t key[CY_AEAD_KEY_LEN],
    const uint8_t nonce[CY_AEAD_NONCE_LEN], const uint8_t *in, size_t len,
    uint8_t *out)
{
	return aead_oneshot(key, nonce, in, len, out, 1);
}

int
cy_aead_open(const uint8_t key[CY_AEAD_KEY_LEN],
    const uint8_t nonce[CY_AEAD_NONCE_LEN], const uint8_t *in, size_t len,
    uint8_t *out)
{
	return aead_oneshot(key, nonce, in, len, out, 0);
}

int
cy_sha3(enum cy_sha3_alg alg, const cy_span *parts, size_t nparts,
    uint8_t *out, size_t outlen)
{
	const EVP_MD *md;
	EVP_MD_CTX *ctx;
	unsigned int n = 0;
	size_t i;
	int xof, r = CY_E_CRYPTO;

	switch (alg) {
	case CY_SHA3_256: md = EVP_sha3_256(); xof = 0; break;
	case CY_SHA3_512: md = EVP_sha3_512(); xof = 0; break;
	case CY_SHAKE128: md = EVP_shake128(); xof = 1; break;
	case CY_SHAKE256: md = EVP_shake256(); xof = 1; break;
	default: return CY_E_USAGE;
	}
	if (!xof && outlen != (size_t)EVP_MD_get_size(md))
		return CY_E_USAGE;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return CY_E_NOMEM;
	if (EVP_DigestInit_ex(ctx, md, NULL) != 1)
		goto out;
	for (i = 0; i < nparts; i++)
		if (parts[i].len > 0 &&
		    EVP_DigestUpdate(ctx, parts[i].p, parts[i].len) != 1)
			goto out;
	if (xof ? EVP_DigestFinalXOF(ctx, out, outlen) != 1 :
	    EVP_DigestFinal_ex(ctx, out, &n) != 1)
		goto out;
	r = 0;
out:
	EVP_MD_CTX_free(ctx);
	return r;
}

int
cy_scrypt(const char *pass, size_t passlen, const uint8_t *salt,
    size_t saltlen, int log_n, uint8_t *out, size_t outlen)
{
	uint64_t n, maxmem;

	/* Before the shift: a work factor from a header can be anything. */
	if (log_n < 1 || log_n > 30)
		return CY_E_USAGE;
	n = (uint64_t)1 << log_n;
	/* 128 * r * N bytes of working memory, plus slack for OpenSSL. */
	maxmem = 128 * 8 * n + (1 << 20);
	if (EVP_PBE_scrypt(pass, passlen, salt, saltlen, n, 8, 1, maxmem, out,
	    outlen) != 1)
		return CY_E_CRYPTO;
	return 0;
}

void
cy_random(void *buf, size_t len)
{
	randombytes_buf(buf, len);
}
