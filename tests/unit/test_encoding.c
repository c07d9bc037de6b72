#include "testutil.h"

#include "coyeu/encoding.h"

static void
test_b64_roundtrip(void **state)
{
	uint8_t in[32], out[32];
	char enc[64];
	size_t n, len, outlen;

	(void)state;
	for (n = 0; n < sizeof(in); n++)
		in[n] = (uint8_t)(n * 37 + 1);
	for (n = 0; n <= sizeof(in); n++) {
		len = cy_b64_encode(enc, in, n, 0);
		assert_int_equal(len, CY_B64_UNPADDED_LEN(n));
		assert_int_equal(cy_b64_decode(out, &outlen, enc, len, 0), 0);
		assert_int_equal(outlen, n);
		assert_memory_equal(out, in, n);
		len = cy_b64_encode(enc, in, n, 1);
		assert_int_equal(len, CY_B64_PADDED_LEN(n));
		assert_int_equal(cy_b64_decode(out, &outlen, enc, len, 1), 0);
		assert_int_equal(outlen, n);
	}
}

static void
test_b64_rejects(void **state)
{
	uint8_t out[16];
	size_t outlen;

	(void)state;
	/* padding where none is allowed */
	assert_int_equal(cy_b64_decode(out, &outlen, "QQ==", 4, 0), CY_E_FORMAT);
	/* non-canonical trailing bits: "QR" decodes to 'A' with bits left */
	assert_int_equal(cy_b64_decode(out, &outlen, "QR", 2, 0), CY_E_FORMAT);
	assert_int_equal(cy_b64_decode(out, &outlen, "QQ", 2, 0), 0);
	/* impossible length */
	assert_int_equal(cy_b64_decode(out, &outlen, "QUJDR", 5, 0), CY_E_FORMAT);
	/* characters outside the alphabet, including URL-safe ones */
	assert_int_equal(cy_b64_decode(out, &outlen, "QU-D", 4, 0), CY_E_FORMAT);
	assert_int_equal(cy_b64_decode(out, &outlen, "QU D", 4, 0), CY_E_FORMAT);
	/* padded form needs a multiple of four */
	assert_int_equal(cy_b64_decode(out, &outlen, "QQ=", 3, 1), CY_E_FORMAT);
}

static void
test_hex(void **state)
{
	uint8_t in[3] = {0x00, 0xab, 0xff}, out[3];
	char enc[7];

	(void)state;
	cy_hex_encode(enc, in, 3);
	assert_string_equal(enc, "00abff");
	assert_int_equal(cy_hex_decode(out, 3, "00ABff", 6), 0);
	assert_memory_equal(out, in, 3);
	assert_int_equal(cy_hex_decode(out, 3, "00abf", 5), CY_E_FORMAT);
	assert_int_equal(cy_hex_decode(out, 3, "00abfg", 6), CY_E_FORMAT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_b64_roundtrip),
		cmocka_unit_test(test_b64_rejects),
		cmocka_unit_test(test_hex),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
