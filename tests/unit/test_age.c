/* The age engine through its public API (coyeu/age.h): round trips at the
 * chunk-size edges with every thread count, keys and key files, refusals,
 * and the rule that a damaged payload releases exactly the chunks that
 * verified before the damage, in order. */
#include "testutil.h"

#include <unistd.h>

#include "coyeu/age.h"
#include "coyeu/secret.h"

#define CHUNK 65536
#define STORED (CHUNK + 16)
#define TEST_LOG_N 10 /* scrypt work factor small enough for tests */

static const size_t sizes[] = {
	0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 17,
	1024 * 1024 + 7,
};
static const int thread_counts[] = {1, 2, 4, 0};

static const char keygen_file[] =
    "# created: 2024-05-01T10:00:00Z\n"
    "# public key: age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryef\n"
    "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0\n";

static void
fill(uint8_t *p, size_t n, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

struct keys {
	cy_identity *id[3];
	cy_recipient *rcpt[3];
};

static void
keys_make(struct keys *k)
{
	char s[CY_RECIPIENT_STR_MAX];
	int i;

	for (i = 0; i < 3; i++) {
		assert_int_equal(cy_identity_generate(&k->id[i], NULL), 0);
		assert_int_equal(cy_identity_recipient_string(k->id[i], s, NULL), 0);
		assert_int_equal(cy_recipient_parse(s, &k->rcpt[i], NULL), 0);
	}
}

static void
keys_free(struct keys *k)
{
	int i;

	for (i = 0; i < 3; i++) {
		cy_identity_free(k->id[i]);
		cy_recipient_free(k->rcpt[i]);
	}
}

static int
seal(const uint8_t *in, size_t len, cy_recipient *const *r, size_t nr,
    int armor, int threads, cy_buf *out)
{
	cy_seal_params p;
	cy_error err = {0, ""};
	int rc;

	memset(&p, 0, sizeof(p));
	p.recipients = r;
	p.nrecipients = nr;
	p.armor = armor;
	p.threads = threads;
	rc = cy_age_seal_mem(in, len, &p, out, &err);
	if (rc != 0)
		print_message("seal: %d %s\n", rc, err.msg);
	return rc;
}

static int
open_with(const uint8_t *in, size_t len, cy_identity *const *ids, size_t n,
    int threads, cy_buf *out, cy_error *err)
{
	cy_open_params p;

	memset(&p, 0, sizeof(p));
	p.identities = ids;
	p.nidentities = n;
	p.threads = threads;
	return cy_age_open_mem(in, len, &p, out, err);
}

static void
test_roundtrip_sizes_threads(void **state)
{
	struct keys k;
	uint8_t *plain = malloc(1024 * 1024 + 7);
	size_t s, t, who;
	int armor;

	(void)state;
	assert_non_null(plain);
	keys_make(&k);
	fill(plain, 1024 * 1024 + 7, 7);
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (t = 0; t < sizeof(thread_counts) / sizeof(thread_counts[0]); t++) {
			for (armor = 0; armor <= 1; armor++) {
				cy_buf sealed = CY_BUF_INIT;
				size_t nchunks = sizes[s] ? (sizes[s] + CHUNK - 1) / CHUNK : 1;

				assert_int_equal(seal(plain, sizes[s], k.rcpt, 3, armor,
				    thread_counts[t], &sealed), 0);
				if (!armor)
					/* header, nonce, chunks with their tags */
					assert_true(sealed.len >= 16 + sizes[s] + 16 * nchunks);
				for (who = 0; who < 3; who++) {
					cy_buf out = CY_BUF_INIT;
					cy_error err = {0, ""};
					int rc;

					rc = open_with(sealed.data, sealed.len, &k.id[who], 1,
					    thread_counts[(t + 1) % 4], &out, &err);
					if (rc != 0)
						print_message("size %zu threads %d armor %d id %zu: %s\n",
						    sizes[s], thread_counts[t], armor, who, err.msg);
					assert_int_equal(rc, 0);
					assert_int_equal(out.len, sizes[s]);
					if (sizes[s])
						assert_memory_equal(out.data, plain, sizes[s]);
					cy_buf_free(&out);
				}
				cy_buf_free(&sealed);
			}
		}
	}
	keys_free(&k);
	free(plain);
}

/* Two seals of the same input differ (fresh file key and nonce). */
static void
test_seal_is_randomised(void **state)
{
	struct keys k;
	uint8_t plain[100];
	cy_buf a = CY_BUF_INIT, b = CY_BUF_INIT;

	(void)state;
	keys_make(&k);
	fill(plain, sizeof(plain), 1);
	assert_int_equal(seal(plain, sizeof(plain), k.rcpt, 1, 0, 1, &a), 0);
	assert_int_equal(seal(plain, sizeof(plain), k.rcpt, 1, 0, 1, &b), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_not_equal(a.data, b.data, a.len);
	assert_memory_equal(a.data, "age-encryption.org/v1\n-> X25519 ", 32);
	cy_buf_free(&a);
	cy_buf_free(&b);
	keys_free(&k);
}

static void
test_wrong_identity(void **state)
{
	struct keys k;
	uint8_t plain[1000];
	cy_buf sealed = CY_BUF_INIT, out = CY_BUF_INIT;
	cy_error err = {0, ""};

	(void)state;
	keys_make(&k);
	fill(plain, sizeof(plain), 2);
	assert_int_equal(seal(plain, sizeof(plain), k.rcpt, 2, 0, 0, &sealed), 0);
	assert_int_equal(open_with(sealed.data, sealed.len, &k.id[2], 1, 0, &out,
	    &err), CY_E_NO_MATCH);
	assert_int_equal(out.len, 0);
	assert_true(err.msg[0] != 0);
	/* a non-matching identity before a matching one is fine */
	assert_int_equal(open_with(sealed.data, sealed.len, &k.id[1], 2, 0, &out,
	    &err), 0);
	assert_int_equal(out.len, sizeof(plain));
	cy_buf_free(&out);
	cy_buf_free(&sealed);
	keys_free(&k);
}

/* Damage in chunk 5 of 10: every thread count releases chunks 0-4 exactly,
 * then reports a payload failure. */
static void
test_partial_release(void **state)
{
	struct keys k;
	size_t len = 10 * CHUNK - 100, hdr, t, at;
	uint8_t *plain = malloc(len);
	cy_buf sealed = CY_BUF_INIT;
	const uint8_t *mac;

	(void)state;
	assert_non_null(plain);
	keys_make(&k);
	fill(plain, len, 3);
	assert_int_equal(seal(plain, len, k.rcpt, 1, 0, 0, &sealed), 0);
	mac = memmem(sealed.data, sealed.len, "\n--- ", 5);
	assert_non_null(mac);
	hdr = (size_t)((const uint8_t *)memchr(mac + 1, '\n',
	    sealed.len - (size_t)(mac + 1 - sealed.data)) - sealed.data) + 1;
	assert_int_equal(sealed.len, hdr + 16 + len + 10 * 16);
	for (at = 0; at < 2; at++) {
		/* first a ciphertext byte, then a tag byte of chunk 5 */
		size_t off = hdr + 16 + 5 * STORED + (at ? STORED - 1 : 1234);

		sealed.data[off] ^= 0x20;
		for (t = 0; t < sizeof(thread_counts) / sizeof(thread_counts[0]); t++) {
			cy_buf out = CY_BUF_INIT;
			cy_error err = {0, ""};

			assert_int_equal(open_with(sealed.data, sealed.len, k.id, 1,
			    thread_counts[t], &out, &err), CY_E_PAYLOAD);
			assert_int_equal(out.len, 5 * CHUNK);
			assert_memory_equal(out.data, plain, 5 * CHUNK);
			assert_non_null(strstr(err.msg, "chunk"));
			cy_buf_free(&out);
		}
		sealed.data[off] ^= 0x20;
	}
	/* cut after 7 full chunks, none marked final: all 7 verify and are
	 * released (as CCTV stream_no_final_two_chunks_full pins), then the
	 * missing final chunk is an error */
	{
		cy_buf out = CY_BUF_INIT;
		cy_error err = {0, ""};

		assert_int_equal(open_with(sealed.data, hdr + 16 + 7 * STORED, k.id,
		    1, 4, &out, &err), CY_E_PAYLOAD);
		assert_int_equal(out.len, 7 * CHUNK);
		cy_buf_free(&out);
		assert_int_equal(open_with(sealed.data, hdr + 16 + 7 * STORED, k.id,
		    1, 1, &out, &err), CY_E_PAYLOAD);
		assert_int_equal(out.len, 7 * CHUNK);
		cy_buf_free(&out);
	}
	cy_buf_free(&sealed);
	keys_free(&k);
	free(plain);
}

static void
test_passphrase(void **state)
{
	static const char pass[] = "correct horse battery staple";
	cy_recipient *r = NULL;
	cy_identity *good = NULL, *bad = NULL, *low = NULL;
	cy_buf sealed = CY_BUF_INIT, out = CY_BUF_INIT;
	cy_error err = {0, ""};
	uint8_t plain[70000];

	(void)state;
	fill(plain, sizeof(plain), 4);
	assert_int_equal(cy_recipient_scrypt(pass, strlen(pass), TEST_LOG_N, &r,
	    NULL), 0);
	assert_int_equal(seal(plain, sizeof(plain), &r, 1, 0, 0, &sealed), 0);
	assert_non_null(memmem(sealed.data, sealed.len, "\n-> scrypt ", 11));
	assert_int_equal(cy_identity_scrypt(pass, strlen(pass),
	    CY_SCRYPT_MAX_LOG_N, &good, NULL), 0);
	assert_int_equal(cy_identity_scrypt("wrong", 5, CY_SCRYPT_MAX_LOG_N, &bad,
	    NULL), 0);
	assert_int_equal(cy_identity_scrypt(pass, strlen(pass), TEST_LOG_N - 1,
	    &low, NULL), 0);
	assert_int_equal(open_with(sealed.data, sealed.len, &good, 1, 0, &out,
	    &err), 0);
	assert_int_equal(out.len, sizeof(plain));
	assert_memory_equal(out.data, plain, sizeof(plain));
	cy_buf_free(&out);
	assert_int_equal(open_with(sealed.data, sealed.len, &bad, 1, 0, &out,
	    &err), CY_E_NO_MATCH);
	assert_int_equal(out.len, 0);
	/* a work factor above the caller's ceiling is refused, not computed */
	assert_true(open_with(sealed.data, sealed.len, &low, 1, 0, &out, &err) < 0);
	assert_int_equal(out.len, 0);
	cy_buf_free(&sealed);
	cy_recipient_free(r);
	cy_identity_free(good);
	cy_identity_free(bad);
	cy_identity_free(low);
}

/* An scrypt stanza must be alone: sealing it with another is refused. */
static void
test_scrypt_alone(void **state)
{
	struct keys k;
	cy_recipient *mix[2];
	cy_buf out = CY_BUF_INIT;
	uint8_t plain[10] = {0};

	(void)state;
	keys_make(&k);
	assert_int_equal(cy_recipient_scrypt("pw", 2, TEST_LOG_N, &mix[0], NULL), 0);
	mix[1] = k.rcpt[0];
	assert_true(seal(plain, sizeof(plain), mix, 2, 0, 0, &out) < 0);
	cy_buf_free(&out);
	/* and no recipient at all is refused too */
	assert_true(seal(plain, sizeof(plain), mix, 0, 0, 0, &out) < 0);
	cy_buf_free(&out);
	cy_recipient_free(mix[0]);
	keys_free(&k);
}

static void
test_key_strings(void **state)
{
	cy_identity *id = NULL, *again = NULL, **ids = NULL;
	cy_recipient *r = NULL, **rs = NULL;
	char s[CY_IDENTITY_STR_MAX], p1[CY_RECIPIENT_STR_MAX], p2[CY_RECIPIENT_STR_MAX];
	char rfile[2 * CY_RECIPIENT_STR_MAX + 16];
	size_t n = 0;

	(void)state;
	assert_int_equal(cy_identity_generate(&id, NULL), 0);
	assert_int_equal(cy_identity_string(id, s, NULL), 0);
	assert_memory_equal(s, "AGE-SECRET-KEY-1", 16);
	assert_int_equal(cy_identity_parse(s, &again, NULL), 0);
	assert_int_equal(cy_identity_recipient_string(id, p1, NULL), 0);
	assert_int_equal(cy_identity_recipient_string(again, p2, NULL), 0);
	assert_string_equal(p1, p2);
	assert_memory_equal(p1, "age1", 4);
	assert_int_equal(cy_recipient_parse(p1, &r, NULL), 0);
	cy_wipe(s, sizeof(s));

	/* the CCTV identity and the public key age-keygen prints for it */
	assert_int_equal(cy_identity_file_parse((const uint8_t *)keygen_file,
	    strlen(keygen_file), &ids, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_int_equal(cy_identity_recipient_string(ids[0], p1, NULL), 0);
	assert_string_equal(p1,
	    "age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryef");

	snprintf(rfile, sizeof(rfile), "# team\n\n%s\n%s\n", p1, p2);
	assert_int_equal(cy_recipients_file_parse((const uint8_t *)rfile,
	    strlen(rfile), &rs, &n, NULL), 0);
	assert_int_equal(n, 2);
	cy_recipients_free(rs, n);
	cy_identities_free(ids, 1);

	/* refusals: wrong prefix, bad checksum, mixed case, garbage lines */
	{
		cy_recipient *x = NULL;
		cy_identity *y = NULL;
		cy_error err = {0, ""};
		char mixed[CY_RECIPIENT_STR_MAX];

		assert_true(cy_recipient_parse("age1notarecipient", &x, &err) < 0);
		assert_true(err.msg[0] != 0);
		snprintf(mixed, sizeof(mixed), "%s", p2);
		mixed[10] = (char)(mixed[10] == 'q' ? 'p' : 'q'); /* checksum breaks */
		assert_true(cy_recipient_parse(mixed, &x, NULL) < 0);
		snprintf(mixed, sizeof(mixed), "%s", p2);
		mixed[5] = (char)(mixed[5] >= 'a' && mixed[5] <= 'z' ? mixed[5] - 32 : mixed[5]);
		if (mixed[5] != p2[5])
			assert_true(cy_recipient_parse(mixed, &x, NULL) < 0);
		assert_true(cy_identity_parse(p2, &y, NULL) < 0);
		assert_true(cy_identity_file_parse((const uint8_t *)"garbage\n", 8,
		    &ids, &n, NULL) < 0);
		assert_true(cy_recipients_file_parse((const uint8_t *)"garbage\n", 8,
		    &rs, &n, NULL) < 0);
	}
	cy_recipient_free(r);
	cy_identity_free(id);
	cy_identity_free(again);
}

/* The streaming API through real file descriptors. */
static void
test_fd_roundtrip(void **state)
{
	struct keys k;
	size_t len = 2 * CHUNK + 5;
	uint8_t *plain = malloc(len), *back = malloc(len);
	char in[] = "/tmp/coyeu-test-in.XXXXXX", sealed[] = "/tmp/coyeu-test-sealed.XXXXXX",
	     out[] = "/tmp/coyeu-test-out.XXXXXX";
	int fi, fs, fo;
	cy_seal_params sp;
	cy_open_params op;

	(void)state;
	assert_non_null(plain);
	assert_non_null(back);
	keys_make(&k);
	fill(plain, len, 5);
	fi = mkstemp(in);
	fs = mkstemp(sealed);
	fo = mkstemp(out);
	assert_true(fi >= 0 && fs >= 0 && fo >= 0);
	unlink(in);
	unlink(sealed);
	unlink(out);
	assert_int_equal(write(fi, plain, len), (ssize_t)len);
	assert_int_equal(lseek(fi, 0, SEEK_SET), 0);
	memset(&sp, 0, sizeof(sp));
	sp.recipients = k.rcpt;
	sp.nrecipients = 1;
	assert_int_equal(cy_age_seal_fd(fi, fs, &sp, NULL), 0);
	assert_int_equal(lseek(fs, 0, SEEK_SET), 0);
	memset(&op, 0, sizeof(op));
	op.identities = k.id;
	op.nidentities = 1;
	assert_int_equal(cy_age_open_fd(fs, fo, &op, NULL), 0);
	assert_int_equal(lseek(fo, 0, SEEK_END), (off_t)len);
	assert_int_equal(pread(fo, back, len, 0), (ssize_t)len);
	assert_memory_equal(back, plain, len);
	close(fi);
	close(fs);
	close(fo);
	keys_free(&k);
	free(plain);
	free(back);
}

static int
setup(void **state)
{
	(void)state;
	return cy_init();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_sizes_threads),
		cmocka_unit_test(test_seal_is_randomised),
		cmocka_unit_test(test_wrong_identity),
		cmocka_unit_test(test_partial_release),
		cmocka_unit_test(test_passphrase),
		cmocka_unit_test(test_scrypt_alone),
		cmocka_unit_test(test_key_strings),
		cmocka_unit_test(test_fd_roundtrip),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
