#include "testutil.h"

#include <sodium.h>

#include "age/bech32.h"

/* A real age key pair: the identity used by the cctv-age vectors, and its
 * recipient as printed by `age-keygen -y`. */
#define CCTV_IDENTITY \
	"AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0"
#define CCTV_RECIPIENT \
	"age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryef"
/* The example pair of the C2SP age specification: identity 32 x 0x42. */
#define SPEC_IDENTITY \
	"AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX"
#define SPEC_RECIPIENT \
	"age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj"

static char big[4096];

/* Decodes s, expecting failure with a message containing want. */
static void
expect_reject(const char *s, size_t cap, const char *want)
{
	char hrp[CY_BECH32_HRP_MAX + 1];
	uint8_t data[2048];
	size_t len = 99;
	cy_error err;

	cy_error_clear(&err);
	assert_true(cap <= sizeof(data));
	assert_int_equal(cy_bech32_decode(s, hrp, data, cap, &len, &err),
	    CY_E_FORMAT);
	assert_int_equal(err.code, CY_E_FORMAT);
	assert_int_equal(len, 0);
	if (strstr(err.msg, want) == NULL)
		fail_msg("%s: got \"%s\", want \"%s\"", s, err.msg, want);
}

static void
test_roundtrip(void **state)
{
	static const char *hrps[] = {"age", "age-secret-key-", "age1pq", "x"};
	uint8_t in[1300], out[1300];
	char hrp[CY_BECH32_HRP_MAX + 1];
	size_t n, len, h;
	int upper;
	cy_error err;

	(void)state;
	for (n = 0; n < sizeof(in); n++)
		in[n] = (uint8_t)(n * 151 + 7);
	for (h = 0; h < 4; h++)
		for (upper = 0; upper <= 1; upper++)
			for (n = 0; n < sizeof(in); n += n < 80 ? 1 : 97) {
				assert_int_equal(cy_bech32_encode(big,
				    sizeof(big), hrps[h], in, n, upper), 0);
				assert_int_equal(cy_bech32_decode(big, hrp,
				    out, sizeof(out), &len, &err), 0);
				assert_string_equal(hrp, hrps[h]);
				assert_int_equal(len, n);
				assert_memory_equal(out, in, n);
			}
	/* Far past BIP 173's 90-character limit, as age's hybrid keys are. */
	assert_true(strlen(big) > 1900);
}

static void
test_known_strings(void **state)
{
	char s[128], hrp[CY_BECH32_HRP_MAX + 1];
	uint8_t data[64];
	size_t len;
	cy_error err;

	(void)state;
	assert_int_equal(cy_bech32_encode(s, sizeof(s), "age",
	    (const uint8_t *)"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09", 10,
	    0), 0);
	assert_string_equal(s, "age1qqqsyqcyq5rqwzqfwqacgj");
	assert_int_equal(cy_bech32_encode(s, sizeof(s), "test",
	    (const uint8_t *)"hello world", 11, 1), 0);
	assert_string_equal(s, "TEST1DPJKCMR0YPMK7UNVVSWQZDKY");
	/* BIP 173's shortest valid string, both cases: no data at all. */
	assert_int_equal(cy_bech32_decode("a12uel5l", hrp, data, 0, &len,
	    &err), 0);
	assert_string_equal(hrp, "a");
	assert_int_equal(len, 0);
	assert_int_equal(cy_bech32_decode("A12UEL5L", hrp, NULL, 0, &len,
	    &err), 0);
	assert_string_equal(hrp, "a");
	/* 0xff with two zero padding bits. */
	assert_int_equal(cy_bech32_decode("age1luyvfgxs", hrp, data,
	    sizeof(data), &len, &err), 0);
	assert_int_equal(len, 1);
	assert_int_equal(data[0], 0xff);
}

/* identity -> 32-byte scalar -> X25519 -> recipient, as age does. */
static void
check_pair(const char *identity, const char *recipient)
{
	char hrp[CY_BECH32_HRP_MAX + 1], s[128];
	uint8_t sk[32], pk[32];
	size_t len;
	cy_error err;

	assert_int_equal(cy_bech32_decode(identity, hrp, sk, sizeof(sk), &len,
	    &err), 0);
	assert_string_equal(hrp, "age-secret-key-");
	assert_int_equal(len, 32);
	assert_int_equal(cy_bech32_encode(s, sizeof(s), hrp, sk, len, 1), 0);
	assert_string_equal(s, identity);
	assert_int_equal(crypto_scalarmult_base(pk, sk), 0);
	assert_int_equal(cy_bech32_encode(s, sizeof(s), "age", pk, 32, 0), 0);
	assert_string_equal(s, recipient);
	assert_int_equal(cy_bech32_decode(recipient, hrp, sk, sizeof(sk),
	    &len, &err), 0);
	assert_string_equal(hrp, "age");
	assert_memory_equal(sk, pk, 32);
}

static void
test_age_pairs(void **state)
{
	char hrp[CY_BECH32_HRP_MAX + 1];
	uint8_t sk[32];
	size_t len, i;
	cy_error err;

	(void)state;
	assert_int_equal(sodium_init() < 0, 0);
	check_pair(CCTV_IDENTITY, CCTV_RECIPIENT);
	check_pair(SPEC_IDENTITY, SPEC_RECIPIENT);
	assert_int_equal(cy_bech32_decode(SPEC_IDENTITY, hrp, sk, sizeof(sk),
	    &len, &err), 0);
	for (i = 0; i < 32; i++)
		assert_int_equal(sk[i], 0x42);
	/* The whole identity in lowercase is the same key. */
	for (i = 0; CCTV_IDENTITY[i] != '\0'; i++)
		big[i] = (char)((CCTV_IDENTITY[i] >= 'A' &&
		    CCTV_IDENTITY[i] <= 'Z') ? CCTV_IDENTITY[i] + 32 :
		    CCTV_IDENTITY[i]);
	big[i] = '\0';
	assert_int_equal(cy_bech32_decode(big, hrp, sk, sizeof(sk), &len,
	    &err), 0);
	assert_string_equal(hrp, "age-secret-key-");
}

static void
test_every_substitution_rejected(void **state)
{
	static const char cs[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
	char s[] = CCTV_RECIPIENT;
	size_t i, k;
	char orig;

	(void)state;
	/* BCH: any one substituted data character breaks the checksum. */
	for (i = 4; s[i] != '\0'; i++) {
		orig = s[i];
		for (k = 0; k < 32; k++) {
			if (cs[k] == orig)
				continue;
			s[i] = cs[k];
			expect_reject(s, 32, "invalid bech32 checksum");
		}
		s[i] = orig;
	}
	/* A changed hrp is covered by the checksum too. */
	s[0] = 'b';
	expect_reject(s, 32, "invalid bech32 checksum");
	/* So is swapping two adjacent characters. */
	strcpy(s, CCTV_RECIPIENT);
	orig = s[10];
	s[10] = s[11];
	s[11] = orig;
	expect_reject(s, 32, "invalid bech32 checksum");
}

static void
test_rejects(void **state)
{
	char s[256];

	(void)state;
	strcpy(s, CCTV_IDENTITY);
	s[20] = (char)(s[20] + 32); /* one lowercase letter */
	expect_reject(s, 32, "mixed case in bech32 string");
	expect_reject("Age1qqqsyqcyq5rqwzqfwqacgj", 32, "mixed case");
	/* 'b', 'i', 'o' and '1' are not in the data charset. */
	expect_reject("age1qqqsyqcyq5rqwzqfwqacgb", 32,
	    "invalid bech32 character 'b' at position 25");
	expect_reject("age1qqqsyqcyq5rqwzqfwqacgo", 32,
	    "invalid bech32 character 'o'");
	/* Outside 33..126, in the hrp or the data. */
	expect_reject("a ge1qqqsyqcyq5rqwzqfwqacgj", 32,
	    "invalid character 0x20 at position 1");
	expect_reject("age1qqqsyqcyq5rqw\x7fqfwqacgj", 32,
	    "invalid character 0x7f");
	expect_reject("age1qqqsyqcyq5rqw\xc3\xa9qfwqacgj", 32,
	    "invalid character 0xc3");
	/* Structure. */
	expect_reject("", 32, "missing separator");
	expect_reject("ageqqqsyqcyq5rqwzqfwqacgj", 32, "missing separator");
	expect_reject("1qqqqqqqq", 32, "empty human-readable part");
	expect_reject("age1", 32, "shorter than its 6-character checksum");
	expect_reject("age1qqqqq", 32, "shorter than its 6-character checksum");
	memset(s, 'a', 84);
	strcpy(s + 84, "1qqqqqqqq");
	expect_reject(s, 32, "longer than 83 characters");
	/* Valid checksums, but the 5-bit groups do not carry whole bytes. */
	expect_reject("age1ll2lu7g0", 32, "non-zero or excess padding bits");
	expect_reject("age1qqqyst3gn", 32, "non-zero or excess padding bits");
	/* More data than the caller expects. */
	expect_reject(CCTV_IDENTITY, 31, "32 bytes, more than the 31 expected");
}

static void
test_encode_rejects(void **state)
{
	static const uint8_t d[32];
	char s[128];
	char hrp84[90];

	(void)state;
	assert_int_equal(cy_bech32_encode(s, sizeof(s), "AGE", d, 32, 0),
	    CY_E_USAGE);
	assert_int_equal(cy_bech32_encode(s, sizeof(s), "", d, 32, 0),
	    CY_E_USAGE);
	assert_int_equal(cy_bech32_encode(s, sizeof(s), "a b", d, 32, 0),
	    CY_E_USAGE);
	memset(hrp84, 'a', 84);
	hrp84[84] = '\0';
	assert_int_equal(cy_bech32_encode(s, sizeof(s), hrp84, d, 0, 0),
	    CY_E_USAGE);
	/* 3 + 1 + 52 + 6 characters and the NUL: exactly 63 bytes. */
	assert_int_equal(cy_bech32_encode(s, 62, "age", d, 32, 0), CY_E_USAGE);
	assert_int_equal(cy_bech32_encode(s, 63, "age", d, 32, 0), 0);
	assert_int_equal(strlen(s), 62);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_known_strings),
		cmocka_unit_test(test_age_pairs),
		cmocka_unit_test(test_every_substitution_rejected),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_encode_rejects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
