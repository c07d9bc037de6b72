/* The hybrid release stanza (coyeu.v1/release-pq, release.h): the
 * checked-in test vectors of tests/vectors/release-pq.txt recomputed from
 * their fixed inputs, the wrap key recomputed from the text of
 * docs/format.md, each vector's header opened, and the stanza's refusals.
 *
 * COYEU_WRITE_VECTORS=FILE writes the vectors instead (their inputs are
 * SHA-256 of fixed strings), then checks them as usual. */
#include "testutil.h"

#include <sodium.h>

#include "coyeu/age.h"
#include "coyeu/encoding.h"
#include "coyeu/header.h"
#include "coyeu/release.h"
#include "coyeu/secret.h"
#include "base/crypto.h"
#include "age/ageio.h"
#include "age/recipient.h"
#include "age/release_raw.h"

#define VECTORS "tests/vectors/release-pq.txt"
#define NVECTORS 3
#define HEADER_MAX 4096

struct vector {
	uint8_t seed[CY_PQ_SEED_LEN];
	uint8_t pub_sha256[CY_SHA256_LEN];
	char doc_id[CY_RELEASE_ID_SIZE], copy_id[CY_RELEASE_ID_SIZE];
	uint8_t r[CY_RELEASE_SECRET_LEN];
	uint8_t m[CY_MLKEM_MSG_LEN], eph[CY_X25519_KEY_LEN];
	uint8_t file_key[CY_FILE_KEY_LEN];
	uint8_t ss[CY_PQ_SS_LEN], wrap_key[CY_AEAD_KEY_LEN];
	char header[HEADER_MAX];
};

/* An input of vector n: SHA-256("coyeu.v1/release-pq vector <n> <what>"). */
static void
derive(int n, const char *what, uint8_t *out, size_t len)
{
	char s[128];
	uint8_t d[CY_SHA256_LEN];

	snprintf(s, sizeof(s), "coyeu.v1/release-pq vector %d %s", n, what);
	cy_sha256_digest((const uint8_t *)s, strlen(s), d);
	memcpy(out, d, len);
}

/* The wrap key as docs/format.md specifies it, apart from release.c:
 * HKDF-SHA-256(ikm = ss || R, salt = SHA-256(enc || pub),
 * info = "coyeu.v1/release-pq"). */
static void
spec_wrap_key(const uint8_t ss[CY_PQ_SS_LEN], const uint8_t *r,
    const uint8_t enc[CY_PQ_ENC_LEN], const uint8_t pub[CY_PQ_PUB_LEN],
    uint8_t key[CY_AEAD_KEY_LEN])
{
	uint8_t ikm[CY_PQ_SS_LEN + CY_RELEASE_SECRET_LEN], salt[CY_SHA256_LEN];
	uint8_t cat[CY_PQ_ENC_LEN + CY_PQ_PUB_LEN];

	memcpy(ikm, ss, CY_PQ_SS_LEN);
	memcpy(ikm + CY_PQ_SS_LEN, r, CY_RELEASE_SECRET_LEN);
	memcpy(cat, enc, CY_PQ_ENC_LEN);
	memcpy(cat + CY_PQ_ENC_LEN, pub, CY_PQ_PUB_LEN);
	cy_sha256_digest(cat, sizeof(cat), salt);
	assert_int_equal(cy_hkdf_sha256(ikm, sizeof(ikm), salt, sizeof(salt),
	    "coyeu.v1/release-pq", key, CY_AEAD_KEY_LEN), 0);
}

/* Everything vector v's fixed inputs give: the KEM's ss, the wrap key and
 * the header holding the one stanza (MAC under the file key). */
static void
compute(struct vector *v, const cy_identity *id)
{
	uint8_t enc[CY_PQ_ENC_LEN];
	cy_header h;
	cy_buf out = CY_BUF_INIT;
	cy_error err;

	assert_int_equal(cy_pq_encaps(id->pq_pub, v->m, v->eph, enc, v->ss,
	    &err), 0);
	spec_wrap_key(v->ss, v->r, enc, id->pq_pub, v->wrap_key);
	memset(&h, 0, sizeof(h));
	if (cy_release_pq_stanza(id->pq_pub, v->doc_id, v->copy_id, v->r, v->m,
	    v->eph, v->file_key, &h, &err) != 0)
		fail_msg("stanza: %s", err.msg);
	assert_int_equal(cy_header_encode(&h, v->file_key, &out), 0);
	assert_true(out.len < HEADER_MAX);
	memcpy(v->header, out.data, out.len);
	v->header[out.len] = '\0';
	cy_buf_free(&out);
	cy_header_free(&h);
}

static void
put_hex(FILE *f, const char *name, const uint8_t *b, size_t n)
{
	char hex[2 * 64 + 1];

	cy_hex_encode(hex, b, n);
	fprintf(f, "%s: %s\n", name, hex);
}

static void
write_vectors(const char *path)
{
	FILE *f = fopen(path, "w");
	cy_identity *id;
	struct vector v;
	cy_error err;
	int n;

	assert_non_null(f);
	fprintf(f, "# coyeu.v1/release-pq test vectors (docs/format.md, "
	    "Release stanzas).\n"
	    "# Inputs: seed (the recipient's age mlkem768x25519 identity), "
	    "doc-id, copy-id, r (R),\n"
	    "# mlkem-m (ML-KEM-768 Encaps randomness), x25519-ephemeral, "
	    "file-key.\n"
	    "# Outputs: public-sha256 (SHA-256 of the 1216-byte hybrid public "
	    "key), ss (the\n# hybrid KEM shared secret), wrap-key, and the age "
	    "header holding the one stanza\n# (its MAC under file-key), up to "
	    "the blank line.\n"
	    "# Written by tests/unit/test_release_pq.c "
	    "(COYEU_WRITE_VECTORS=FILE).\n");
	for (n = 1; n <= NVECTORS; n++) {
		memset(&v, 0, sizeof(v));
		derive(n, "seed", v.seed, sizeof(v.seed));
		derive(n, "doc-id", v.r, 16);
		cy_hex_encode(v.doc_id, v.r, 16);
		derive(n, "copy-id", v.r, 16);
		cy_hex_encode(v.copy_id, v.r, 16);
		derive(n, "r", v.r, sizeof(v.r));
		derive(n, "mlkem-m", v.m, sizeof(v.m));
		derive(n, "x25519-ephemeral", v.eph, sizeof(v.eph));
		derive(n, "file-key", v.file_key, sizeof(v.file_key));
		assert_int_equal(cy_pq_identity_from_seed(v.seed, &id, &err), 0);
		cy_sha256_digest(id->pq_pub, CY_PQ_PUB_LEN, v.pub_sha256);
		compute(&v, id);
		fprintf(f, "\n");
		put_hex(f, "seed", v.seed, sizeof(v.seed));
		put_hex(f, "public-sha256", v.pub_sha256, CY_SHA256_LEN);
		fprintf(f, "doc-id: %s\ncopy-id: %s\n", v.doc_id, v.copy_id);
		put_hex(f, "r", v.r, sizeof(v.r));
		put_hex(f, "mlkem-m", v.m, sizeof(v.m));
		put_hex(f, "x25519-ephemeral", v.eph, sizeof(v.eph));
		put_hex(f, "file-key", v.file_key, sizeof(v.file_key));
		put_hex(f, "ss", v.ss, sizeof(v.ss));
		put_hex(f, "wrap-key", v.wrap_key, sizeof(v.wrap_key));
		fprintf(f, "header:\n%s", v.header);
		cy_identity_free(id);
	}
	assert_int_equal(fclose(f), 0);
}

static void
get_hex(const char *line, const char *name, uint8_t *out, size_t n)
{
	size_t k = strlen(name);

	if (strncmp(line, name, k) != 0 || line[k] != ':' || line[k + 1] != ' ')
		fail_msg("expected '%s:' at: %s", name, line);
	assert_int_equal(cy_hex_decode(out, n, line + k + 2, 2 * n), 0);
}

static void
get_id(const char *line, const char *name, char out[CY_RELEASE_ID_SIZE])
{
	size_t k = strlen(name);

	if (strncmp(line, name, k) != 0 || line[k] != ':' || line[k + 1] != ' ')
		fail_msg("expected '%s:' at: %s", name, line);
	snprintf(out, CY_RELEASE_ID_SIZE, "%s", line + k + 2);
}

/* Reads the next vector from f: 0, or -1 at the end. */
static int
read_vector(FILE *f, struct vector *v)
{
	char line[2048];
	size_t used = 0;

	memset(v, 0, sizeof(*v));
	do {
		if (fgets(line, sizeof(line), f) == NULL)
			return -1;
	} while (line[0] == '#' || line[0] == '\n');
	line[strcspn(line, "\n")] = '\0';
	get_hex(line, "seed", v->seed, sizeof(v->seed));
#define NEXT() do { assert_non_null(fgets(line, sizeof(line), f)); \
	line[strcspn(line, "\n")] = '\0'; } while (0)
	NEXT(); get_hex(line, "public-sha256", v->pub_sha256, CY_SHA256_LEN);
	NEXT(); get_id(line, "doc-id", v->doc_id);
	NEXT(); get_id(line, "copy-id", v->copy_id);
	NEXT(); get_hex(line, "r", v->r, sizeof(v->r));
	NEXT(); get_hex(line, "mlkem-m", v->m, sizeof(v->m));
	NEXT(); get_hex(line, "x25519-ephemeral", v->eph, sizeof(v->eph));
	NEXT(); get_hex(line, "file-key", v->file_key, sizeof(v->file_key));
	NEXT(); get_hex(line, "ss", v->ss, sizeof(v->ss));
	NEXT(); get_hex(line, "wrap-key", v->wrap_key, sizeof(v->wrap_key));
	NEXT(); assert_string_equal(line, "header:");
#undef NEXT
	/* The header, through its MAC line. */
	while (fgets(line, sizeof(line), f) != NULL) {
		assert_true(used + strlen(line) < HEADER_MAX);
		memcpy(v->header + used, line, strlen(line) + 1);
		used += strlen(line);
		if (strncmp(line, "---", 3) == 0)
			break;
	}
	return 0;
}

/* Opens vector v's header with its identity and R (and with a wrong R). */
static void
open_vector(const struct vector *v, const cy_identity *pq)
{
	uint8_t key[CY_FILE_KEY_LEN], wrong[CY_RELEASE_SECRET_LEN];
	cy_identity *id = NULL;
	cy_open_params op;
	cy_header h;
	size_t used;
	cy_error err;

	memset(&h, 0, sizeof(h));
	assert_int_equal(cy_header_parse((const uint8_t *)v->header,
	    strlen(v->header), &h, &used, &err), 0);
	assert_int_equal(h.nstanzas, 1);
	assert_string_equal(h.stanzas[0].type, CY_RELEASE_PQ_STANZA);
	memset(&op, 0, sizeof(op));
	op.identities = &id;
	op.nidentities = 1;
	assert_int_equal(cy_release_pq_identity(pq, v->doc_id, v->copy_id,
	    v->r, &id, &err), 0);
	if (cy_age_unwrap(&h, &op, key, &err) != 0)
		fail_msg("unwrap: %s", err.msg);
	assert_memory_equal(key, v->file_key, sizeof(key));
	assert_int_equal(cy_header_verify_mac(&h, key, &err), 0);
	cy_identity_free(id);
	/* R alone is not enough, nor the key alone: a wrong R opens nothing. */
	memcpy(wrong, v->r, sizeof(wrong));
	wrong[0] ^= 1;
	assert_int_equal(cy_release_pq_identity(pq, v->doc_id, v->copy_id,
	    wrong, &id, &err), 0);
	assert_int_equal(cy_age_unwrap(&h, &op, key, &err), CY_E_NO_MATCH);
	cy_identity_free(id);
	cy_header_free(&h);
}

static void
test_vectors(void **state)
{
	const char *write = getenv("COYEU_WRITE_VECTORS");
	struct vector v, got;
	cy_identity *id;
	cy_error err;
	uint8_t d[CY_SHA256_LEN];
	FILE *f;
	int n = 0;

	assert_int_equal(cy_init(), 0);
	if (write != NULL)
		write_vectors(write);
	f = fopen(write != NULL ? write : VECTORS, "r");
	assert_non_null(f);
	while (read_vector(f, &v) == 0) {
		n++;
		assert_int_equal(cy_pq_identity_from_seed(v.seed, &id, &err), 0);
		cy_sha256_digest(id->pq_pub, CY_PQ_PUB_LEN, d);
		assert_memory_equal(d, v.pub_sha256, sizeof(d));
		got = v;
		compute(&got, id);
		assert_memory_equal(got.ss, v.ss, sizeof(v.ss));
		assert_memory_equal(got.wrap_key, v.wrap_key, sizeof(v.wrap_key));
		assert_string_equal(got.header, v.header);
		open_vector(&v, id);
		cy_identity_free(id);
	}
	fclose(f);
	assert_int_equal(n, NVECTORS);
}

/* A vector's stanza changed one way at a time: malformed ones are header
 * failures before any decryption; a foreign copy is no match. */
static void
test_stanza_refusals(void **state)
{
	struct vector v;
	cy_identity *pq, *id;
	cy_open_params op;
	uint8_t key[CY_FILE_KEY_LEN];
	cy_header h;
	cy_error err;
	size_t used;
	FILE *f = fopen(VECTORS, "r");
	size_t last;
	char saved;

	assert_non_null(f);
	assert_int_equal(read_vector(f, &v), 0);
	fclose(f);
	assert_int_equal(cy_pq_identity_from_seed(v.seed, &pq, &err), 0);
	assert_int_equal(cy_release_pq_identity(pq, v.doc_id, v.copy_id, v.r,
	    &id, &err), 0);
	memset(&op, 0, sizeof(op));
	op.identities = &id;
	op.nidentities = 1;
	memset(&h, 0, sizeof(h));
	assert_int_equal(cy_header_parse((const uint8_t *)v.header,
	    strlen(v.header), &h, &used, &err), 0);

	/* enc one byte short (a base64 character dropped). */
	last = strlen(h.stanzas[0].args[2]) - 1;
	saved = h.stanzas[0].args[2][last];
	h.stanzas[0].args[2][last] = '\0';
	assert_int_equal(cy_age_unwrap(&h, &op, key, &err), CY_E_HEADER);
	assert_string_equal(err.msg, "malformed coyeu.v1/release-pq stanza: "
	    "the enc must be 1120 bytes of canonical base64");
	/* The body one byte short. */
	h.stanzas[0].args[2][last] = saved;
	h.stanzas[0].body_len--;
	assert_int_equal(cy_age_unwrap(&h, &op, key, &err), CY_E_HEADER);
	assert_non_null(strstr(err.msg, "the wrapped key must be 32 bytes"));
	h.stanzas[0].body_len++;
	/* Two arguments. */
	h.stanzas[0].nargs = 2;
	assert_int_equal(cy_age_unwrap(&h, &op, key, &err), CY_E_HEADER);
	assert_string_equal(err.msg, "malformed coyeu.v1/release-pq stanza: 2 "
	    "arguments, expected 3 (doc-id, copy-id, enc)");
	h.stanzas[0].nargs = 3;
	/* Another copy's stanza is not this identity's. */
	h.stanzas[0].args[1][0] = h.stanzas[0].args[1][0] == 'a' ? 'b' : 'a';
	assert_int_equal(cy_age_unwrap(&h, &op, key, &err), CY_E_NO_MATCH);
	h.stanzas[0].args[1][0] = v.copy_id[0];
	/* A flipped body bit: this copy, not opening (said as such). */
	h.stanzas[0].body[0] ^= 1;
	assert_int_equal(cy_age_unwrap(&h, &op, key, &err), CY_E_NO_MATCH);
	assert_non_null(strstr(err.msg, "the release-pq stanza of copy "));
	h.stanzas[0].body[0] ^= 1;
	assert_int_equal(cy_age_unwrap(&h, &op, key, &err), 0);
	cy_header_free(&h);
	cy_identity_free(id);
	cy_identity_free(pq);
}

/* A random recipient through the ordinary sealing path, and the identity
 * constructors' refusals. */
static void
test_round_trip(void **state)
{
	static const uint8_t msg[] = "Tài liệu TỐI MẬT qua sổ đăng ký.";
	uint8_t seed[CY_PQ_SEED_LEN], r[CY_RELEASE_SECRET_LEN];
	cy_identity *pq, *id, *x;
	cy_recipient *rc;
	cy_seal_params sp;
	cy_open_params op;
	cy_buf file = CY_BUF_INIT, plain = CY_BUF_INIT, sealed = CY_BUF_INIT;
	cy_error err;
	const char *doc = "00112233445566778899aabbccddeeff";
	const char *copy = "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0";

	randombytes_buf(seed, sizeof(seed));
	randombytes_buf(r, sizeof(r));
	assert_int_equal(cy_pq_identity_from_seed(seed, &pq, &err), 0);
	assert_int_equal(cy_identity_generate(&x, &err), 0);
	assert_int_equal(cy_release_pq_recipient(pq->pq_pub, doc, copy, r, &rc,
	    &err), 0);
	memset(&sp, 0, sizeof(sp));
	sp.recipients = &rc;
	sp.nrecipients = 1;
	assert_int_equal(cy_age_seal_mem(msg, sizeof(msg), &sp, &file, &err), 0);
	/* R travels sealed to the X25519 key, as for the classical stanza. */
	assert_int_equal(cy_release_secret_seal(r, doc, copy, x->pub, &sealed,
	    &err), 0);
	assert_int_equal(cy_release_identity_sealed_pq(x, pq, doc, copy,
	    sealed.data, sealed.len, &id, &err), 0);
	memset(&op, 0, sizeof(op));
	op.identities = &id;
	op.nidentities = 1;
	assert_int_equal(cy_age_open_mem(file.data, file.len, &op, &plain,
	    &err), 0);
	assert_memory_equal(plain.data, msg, sizeof(msg));
	cy_identity_free(id);
	/* The hybrid identity alone (no R) does not open it. */
	op.identities = &pq;
	assert_int_equal(cy_age_open_mem(file.data, file.len, &op, &plain,
	    &err), CY_E_NO_MATCH);
	/* An X25519 identity is not a hybrid one. */
	assert_int_equal(cy_release_identity_sealed_pq(x, x, doc, copy,
	    sealed.data, sealed.len, &id, &err), CY_E_USAGE);
	assert_null(id);
	cy_buf_free(&file);
	cy_buf_free(&plain);
	cy_buf_free(&sealed);
	cy_recipient_free(rc);
	cy_identity_free(x);
	cy_identity_free(pq);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_stanza_refusals),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
