/* The C2SP CCTV age vectors (../shared/testdata/cctv-age/testdata): every
 * file must give exactly its expected outcome class, and for success and
 * payload failure the plaintext released must hash to `payload`.
 *
 * Each vector runs twice: one thread, and four threads so the parallel
 * pipeline (and its "release only what verified, in order" rule) is
 * exercised even on a small machine. */
#include "testutil.h"

#include <dirent.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "coyeu/age.h"
#include "coyeu/encoding.h"
#include "coyeu/secret.h"

#define CCTV_EXPECT_PASS 143
#define CCTV_EXPECT_SKIP 0
#define VEC_FILE_CAP (64u * 1024 * 1024)      /* compressed or not */
#define VEC_INFLATE_CAP (256u * 1024 * 1024)  /* "several megabytes" */
#define VEC_MAX_KEYS 8
#define VEC_NAME_MAX 256

static const int thread_counts[] = {1, 4};

struct vector {
	const char *name;
	const char *expect;
	const char *payload;                  /* hex SHA-256, or NULL */
	const char *identity[VEC_MAX_KEYS];
	size_t nidentity;
	const char *passphrase[VEC_MAX_KEYS];
	size_t npassphrase;
	int armored;
	int compressed;
	int unknown_key;
	const uint8_t *body;                  /* the age file as stored */
	size_t body_len;
};

struct tally {
	int passed, failed, skipped;
};

static uint8_t *
read_whole(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (f == NULL)
		return NULL;
	for (;;) {
		if (n == cap) {
			uint8_t *p;

			if (cap >= VEC_FILE_CAP)
				goto fail;
			cap = cap ? cap * 2 : 65536;
			p = realloc(buf, cap + 1);
			if (p == NULL)
				goto fail;
			buf = p;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f))
		goto fail;
	fclose(f);
	buf[n] = 0;
	*len = n;
	return buf;
fail:
	fclose(f);
	free(buf);
	return NULL;
}

/* Splits "key: value" lines up to the blank line; rewrites the newlines of
 * the textual header into NULs so the values can be used in place. */
static int
vector_parse(struct vector *v, uint8_t *buf, size_t len)
{
	char *p = (char *)buf, *end = (char *)buf + len;

	while (p < end && *p != '\n') {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *sep;

		if (nl == NULL)
			return -1;
		*nl = 0;
		sep = strstr(p, ": ");
		if (sep == NULL)
			return -1;
		*sep = 0;
		sep += 2;
		if (strcmp(p, "expect") == 0)
			v->expect = sep;
		else if (strcmp(p, "payload") == 0)
			v->payload = sep;
		else if (strcmp(p, "identity") == 0 && v->nidentity < VEC_MAX_KEYS)
			v->identity[v->nidentity++] = sep;
		else if (strcmp(p, "passphrase") == 0 &&
		    v->npassphrase < VEC_MAX_KEYS)
			v->passphrase[v->npassphrase++] = sep;
		else if (strcmp(p, "armored") == 0)
			v->armored = strcmp(sep, "yes") == 0;
		else if (strcmp(p, "compressed") == 0)
			v->compressed = strcmp(sep, "zlib") == 0 ? 1 : -1;
		else if (strcmp(p, "file key") != 0 && strcmp(p, "comment") != 0)
			v->unknown_key = 1;
		p = nl + 1;
	}
	if (p >= end || v->expect == NULL)
		return -1;
	v->body = (const uint8_t *)p + 1;
	v->body_len = (size_t)(end - p - 1);
	return 0;
}

static uint8_t *
inflate_all(const uint8_t *in, size_t len, size_t *outlen)
{
	z_stream z;
	uint8_t *out = NULL;
	size_t cap = 0;
	int rc = Z_OK;

	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK)
		return NULL;
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	while (rc != Z_STREAM_END) {
		if (z.total_out == cap) {
			uint8_t *p;

			if (cap >= VEC_INFLATE_CAP)
				goto fail;
			cap = cap ? cap * 2 : 1024 * 1024;
			p = realloc(out, cap);
			if (p == NULL)
				goto fail;
			out = p;
		}
		z.next_out = out + z.total_out;
		z.avail_out = (uInt)(cap - z.total_out);
		rc = inflate(&z, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END)
			goto fail;
	}
	*outlen = z.total_out;
	inflateEnd(&z);
	return out;
fail:
	inflateEnd(&z);
	free(out);
	return NULL;
}

static const char *
outcome_class(int rc)
{
	switch (rc) {
	case CY_OK: return "success";
	case CY_E_HEADER: return "header failure";
	case CY_E_ARMOR: return "armor failure";
	case CY_E_HMAC: return "HMAC failure";
	case CY_E_NO_MATCH: return "no match";
	case CY_E_PAYLOAD: return "payload failure";
	default: return NULL;
	}
}

static void
sha256_hex(const uint8_t *p, size_t n, char hex[65])
{
	uint8_t md[32];
	unsigned int mdlen = 0;

	if (EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
		fail_msg("EVP_Digest failed");
	cy_hex_encode(hex, md, sizeof(md));
}

/* The identities the vector names.  A vector naming none (a header that
 * does not parse at all) gets a fresh unrelated one, since asking to open
 * with no identity at all may rightly be refused as a usage error. */
static int
vector_identities(const struct vector *v, cy_identity **ids, size_t *n,
    cy_error *err)
{
	size_t i;
	int rc;

	*n = 0;
	for (i = 0; i < v->nidentity; i++) {
		rc = cy_identity_parse(v->identity[i], &ids[*n], err);
		if (rc != 0)
			return cy_error_wrap(err, "identity %zu does not parse", i);
		(*n)++;
	}
	for (i = 0; i < v->npassphrase; i++) {
		rc = cy_identity_scrypt(v->passphrase[i], strlen(v->passphrase[i]),
		    CY_SCRYPT_MAX_LOG_N, &ids[*n], err);
		if (rc != 0)
			return cy_error_wrap(err, "passphrase %zu", i);
		(*n)++;
	}
	if (*n == 0) {
		rc = cy_identity_generate(&ids[0], err);
		if (rc != 0)
			return rc;
		*n = 1;
	}
	return 0;
}

/* Runs one vector with one thread count; prints why when it fails. */
static int
vector_check(const struct vector *v, const uint8_t *file, size_t len,
    int threads)
{
	cy_identity *ids[2 * VEC_MAX_KEYS + 1] = {NULL};
	cy_open_params params;
	cy_buf out = CY_BUF_INIT;
	cy_error err = {0, ""};
	const char *got;
	char hex[65];
	size_t nids = 0, i;
	int rc, ok = 0;

	rc = vector_identities(v, ids, &nids, &err);
	if (rc != 0) {
		printf("FAIL %s: cannot load the vector's keys: %s\n", v->name,
		    err.msg);
		goto out;
	}
	memset(&params, 0, sizeof(params));
	params.identities = ids;
	params.nidentities = nids;
	params.threads = threads;
	rc = cy_age_open_mem(file, len, &params, &out, &err);
	got = outcome_class(rc);
	if (got == NULL || strcmp(got, v->expect) != 0) {
		printf("FAIL %s (threads %d): expected \"%s\", got \"%s\" "
		    "(code %d): %s\n", v->name, threads, v->expect,
		    got ? got : "unexpected error code", rc,
		    err.msg[0] ? err.msg : "(no message)");
		goto out;
	}
	if (rc == CY_OK || rc == CY_E_PAYLOAD) {
		if (v->payload == NULL) {
			printf("FAIL %s: vector has no payload hash\n", v->name);
			goto out;
		}
		sha256_hex(out.data, out.len, hex);
		if (strcmp(hex, v->payload) != 0) {
			printf("FAIL %s (threads %d): released plaintext "
			    "(%zu bytes) hashes to %s, expected %s%s%s\n",
			    v->name, threads, out.len, hex, v->payload,
			    rc ? "; error: " : "", rc ? err.msg : "");
			goto out;
		}
	}
	ok = 1;
out:
	for (i = 0; i < nids; i++)
		cy_identity_free(ids[i]);
	cy_buf_free(&out);
	return ok;
}

static void
vector_run(const char *dir, const char *name, struct tally *t)
{
	char path[4096];
	struct vector v;
	uint8_t *raw, *inflated = NULL;
	const uint8_t *file;
	size_t rawlen = 0, len;
	size_t i;
	int ok = 1;

	memset(&v, 0, sizeof(v));
	v.name = name;
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		raw = NULL;
	else
		raw = read_whole(path, &rawlen);
	if (raw == NULL || vector_parse(&v, raw, rawlen) != 0) {
		printf("FAIL %s: cannot read the vector file\n", name);
		t->failed++;
		goto out;
	}
	if (v.unknown_key || v.compressed < 0) {
		/* the README: files with unknown keys are to be ignored */
		printf("skip: %s (unknown vector key)\n", name);
		t->skipped++;
		goto out;
	}
	file = v.body;
	len = v.body_len;
	if (v.compressed) {
		inflated = inflate_all(v.body, v.body_len, &len);
		if (inflated == NULL) {
			printf("FAIL %s: zlib body does not inflate\n", name);
			t->failed++;
			goto out;
		}
		file = inflated;
	}
	for (i = 0; i < sizeof(thread_counts) / sizeof(thread_counts[0]); i++)
		ok &= vector_check(&v, file, len, thread_counts[i]);
	if (ok)
		t->passed++;
	else
		t->failed++;
out:
	free(inflated);
	free(raw);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The vector file names, sorted so the output is stable. */
static char **
list_vectors(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL, **p;
	size_t cap = 0;

	*n = 0;
	if (d == NULL)
		return NULL;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			p = realloc(names, cap * sizeof(*names));
			if (p == NULL)
				break;
			names = p;
		}
		names[(*n)++] = strdup(e->d_name);
	}
	closedir(d);
	if (names != NULL)
		qsort(names, *n, sizeof(*names), name_cmp);
	return names;
}

static void
test_cctv_age(void **state)
{
	const char *base = testdata_dir("cctv-age");
	char dir[4096];
	char **names;
	struct tally t = {0, 0, 0};
	size_t n, i;

	(void)state;
	if (base == NULL) {
		printf("skip: ../shared/testdata/cctv-age is absent\n");
		skip();
	}
	assert_int_equal(cy_init(), 0);
	assert_true(snprintf(dir, sizeof(dir), "%s/testdata", base) <
	    (int)sizeof(dir));
	names = list_vectors(dir, &n);
	assert_non_null(names);
	for (i = 0; i < n; i++) {
		assert_non_null(names[i]);
		assert_true(strlen(names[i]) < VEC_NAME_MAX);
		vector_run(dir, names[i], &t);
		free(names[i]);
	}
	free(names);
	printf("cctv: %d passed, %d failed, %d skipped\n", t.passed, t.failed,
	    t.skipped);
	fflush(stdout);
	assert_int_equal(t.failed, 0);
	assert_int_equal(t.passed, CCTV_EXPECT_PASS);
	assert_int_equal(t.skipped, CCTV_EXPECT_SKIP);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cctv_age),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
