/* The post-quantum recipient (lib/age/pq.c) through the public API: key strings
 * and files, round trips alone and beside X25519 recipients, the mixing
 * rule, wrong identities, and damaged or malformed stanzas. */
#include "testutil.h"

#include "age/bech32.h"
#include "coyeu/age.h"
#include "coyeu/secret.h"
#include "age/recipient.h"

#define PQ_RECIPIENT_LEN 1959
#define PLAIN_LEN 100000

struct pq_keys {
	cy_identity *pq, *pq_other, *x;
	cy_recipient *pq_r, *x_r;
	char pq_s[CY_RECIPIENT_STR_MAX];
};

static void
keys_make(struct pq_keys *k)
{
	char s[CY_RECIPIENT_STR_MAX];

	assert_int_equal(cy_identity_generate_pq(&k->pq, NULL), 0);
	assert_int_equal(cy_identity_generate_pq(&k->pq_other, NULL), 0);
	assert_int_equal(cy_identity_generate(&k->x, NULL), 0);
	assert_int_equal(cy_identity_recipient_string(k->pq, k->pq_s, NULL), 0);
	assert_int_equal(cy_recipient_parse(k->pq_s, &k->pq_r, NULL), 0);
	assert_int_equal(cy_identity_recipient_string(k->x, s, NULL), 0);
	assert_int_equal(cy_recipient_parse(s, &k->x_r, NULL), 0);
}

static void
keys_free(struct pq_keys *k)
{
	cy_identity_free(k->pq);
	cy_identity_free(k->pq_other);
	cy_identity_free(k->x);
	cy_recipient_free(k->pq_r);
	cy_recipient_free(k->x_r);
}

/* The bytes of k's hybrid public key (ek_PQ || ek_T). */
static void
pq_pub_of(const struct pq_keys *k, uint8_t pub[CY_PQ_PUB_LEN])
{
	char hrp[CY_BECH32_HRP_MAX + 1];
	size_t n;

	assert_int_equal(cy_bech32_decode(k->pq_s, hrp, pub, CY_PQ_PUB_LEN, &n,
	    NULL), 0);
	assert_int_equal(n, CY_PQ_PUB_LEN);
	assert_string_equal(hrp, "age1pq");
}

static int
seal(cy_recipient *const *r, size_t n, int allow_mixed, cy_buf *out,
    cy_error *err)
{
	static uint8_t plain[PLAIN_LEN];
	cy_seal_params p;
	size_t i;

	for (i = 0; i < sizeof(plain); i++)
		plain[i] = (uint8_t)(i * 7);
	memset(&p, 0, sizeof(p));
	p.recipients = r;
	p.nrecipients = n;
	p.allow_mixed_pq = allow_mixed;
	return cy_age_seal_mem(plain, sizeof(plain), &p, out, err);
}

/* Opens with one identity; on success checks the plaintext. */
static int
open_with(const cy_buf *sealed, cy_identity *id, cy_error *err)
{
	cy_open_params p;
	cy_buf out = CY_BUF_INIT;
	size_t i;
	int rc;

	memset(&p, 0, sizeof(p));
	p.identities = &id;
	p.nidentities = 1;
	rc = cy_age_open_mem(sealed->data, sealed->len, &p, &out, err);
	if (rc == 0) {
		assert_int_equal(out.len, PLAIN_LEN);
		for (i = 0; i < out.len; i++)
			assert_int_equal(out.data[i], (uint8_t)(i * 7));
	}
	cy_buf_free(&out);
	return rc;
}

static void
test_key_strings(void **state)
{
	cy_identity *again = NULL, **ids = NULL;
	cy_recipient **rs = NULL;
	char sec[CY_IDENTITY_STR_MAX], pub[CY_RECIPIENT_STR_MAX], *file;
	struct pq_keys k;
	size_t n = 0;

	(void)state;
	keys_make(&k);
	assert_int_equal(strlen(k.pq_s), PQ_RECIPIENT_LEN);
	assert_memory_equal(k.pq_s, "age1pq1", 7);
	assert_int_equal(cy_identity_string(k.pq, sec, NULL), 0);
	assert_memory_equal(sec, "AGE-SECRET-KEY-PQ-1", 19);
	assert_int_equal(cy_identity_parse(sec, &again, NULL), 0);
	assert_int_equal(cy_identity_recipient_string(again, pub, NULL), 0);
	assert_string_equal(pub, k.pq_s);

	/* files as age-keygen -pq writes them: lines longer than 1024 */
	file = malloc(4 * CY_RECIPIENT_STR_MAX);
	assert_non_null(file);
	snprintf(file, 4 * CY_RECIPIENT_STR_MAX,
	    "# created: now\n# public key: %s\n%s\n", k.pq_s, sec);
	assert_int_equal(cy_identity_file_parse((const uint8_t *)file,
	    strlen(file), &ids, &n, NULL), 0);
	assert_int_equal(n, 1);
	cy_identities_free(ids, n);
	snprintf(file, 4 * CY_RECIPIENT_STR_MAX, "# team\n%s\n%s\n", k.pq_s,
	    pub);
	assert_int_equal(cy_recipients_file_parse((const uint8_t *)file,
	    strlen(file), &rs, &n, NULL), 0);
	assert_int_equal(n, 2);
	cy_recipients_free(rs, n);
	free(file);
	cy_wipe(sec, sizeof(sec));
	cy_identity_free(again);
	keys_free(&k);
}

/* age1pq1 strings that must be refused, each with its reason. */
static void
test_recipient_refusals(void **state)
{
	uint8_t pub[CY_PQ_PUB_LEN];
	char s[CY_RECIPIENT_STR_MAX + 8];
	cy_recipient *r = NULL;
	cy_error err = {0, ""};
	struct pq_keys k;
	size_t n;

	(void)state;
	keys_make(&k);
	pq_pub_of(&k, pub);

	/* a t coefficient of 4095 >= q: FIPS 203's modulus check */
	pub[0] = 0xff;
	pub[1] |= 0x0f;
	assert_int_equal(cy_bech32_encode(s, sizeof(s), "age1pq", pub,
	    CY_PQ_PUB_LEN, 0), 0);
	assert_int_equal(cy_recipient_parse(s, &r, &err), CY_E_FORMAT);
	assert_non_null(strstr(err.msg, "modulus check"));

	/* the hybrid HRP with an X25519-sized key, and the reverse */
	assert_int_equal(cy_bech32_encode(s, sizeof(s), "age1pq", pub, 32, 0), 0);
	assert_int_equal(cy_recipient_parse(s, &r, &err), CY_E_FORMAT);
	assert_non_null(strstr(err.msg, "age1pq1"));
	assert_int_equal(cy_bech32_encode(s, sizeof(s), "age", pub,
	    CY_PQ_PUB_LEN, 0), 0);
	assert_int_equal(cy_recipient_parse(s, &r, &err), CY_E_FORMAT);

	/* uppercase, and over the size cap */
	snprintf(s, sizeof(s), "%s", k.pq_s);
	for (n = 0; s[n] != '\0'; n++)
		if (s[n] >= 'a' && s[n] <= 'z')
			s[n] = (char)(s[n] - 'a' + 'A');
	assert_int_equal(cy_recipient_parse(s, &r, &err), CY_E_FORMAT);
	memset(s, 'q', CY_RECIPIENT_STR_MAX + 4);
	memcpy(s, "age1pq1", 7);
	s[CY_RECIPIENT_STR_MAX + 4] = '\0';
	assert_int_equal(cy_recipient_parse(s, &r, &err), CY_E_FORMAT);
	assert_non_null(strstr(err.msg, "longer than"));
	assert_null(r);
	keys_free(&k);
}

static void
test_round_trips(void **state)
{
	cy_buf sealed = CY_BUF_INIT;
	cy_error err = {0, ""};
	cy_recipient *both[2];
	struct pq_keys k;

	(void)state;
	keys_make(&k);
	assert_int_equal(seal(&k.pq_r, 1, 0, &sealed, &err), 0);
	assert_non_null(memmem(sealed.data, sealed.len, "\n-> mlkem768x25519 ",
	    19));
	assert_int_equal(open_with(&sealed, k.pq, &err), 0);
	assert_int_equal(open_with(&sealed, k.pq_other, &err), CY_E_NO_MATCH);
	assert_non_null(strstr(err.msg, "not sealed to you"));
	assert_int_equal(open_with(&sealed, k.x, &err), CY_E_NO_MATCH);
	cy_buf_free(&sealed);

	/* mixed with X25519: refused unless asked for, then either opens */
	both[0] = k.pq_r;
	both[1] = k.x_r;
	assert_int_equal(seal(both, 2, 0, &sealed, &err), CY_E_USAGE);
	assert_non_null(strstr(err.msg, "cannot mix post-quantum"));
	cy_buf_free(&sealed);
	assert_int_equal(seal(both, 2, 1, &sealed, &err), 0);
	assert_int_equal(open_with(&sealed, k.pq, &err), 0);
	assert_int_equal(open_with(&sealed, k.x, &err), 0);
	assert_int_equal(open_with(&sealed, k.pq_other, &err), CY_E_NO_MATCH);
	cy_buf_free(&sealed);

	/* two post-quantum recipients need no permission */
	both[1] = k.pq_r;
	assert_int_equal(seal(both, 2, 0, &sealed, &err), 0);
	assert_int_equal(open_with(&sealed, k.pq, &err), 0);
	cy_buf_free(&sealed);
	keys_free(&k);
}

/* A recipient whose X25519 half is a low-order point (here zero). */
static void
test_low_order_recipient(void **state)
{
	uint8_t pub[CY_PQ_PUB_LEN];
	char s[CY_RECIPIENT_STR_MAX];
	cy_buf sealed = CY_BUF_INIT;
	cy_error err = {0, ""};
	cy_recipient *r = NULL;
	struct pq_keys k;

	(void)state;
	keys_make(&k);
	pq_pub_of(&k, pub);
	memset(pub + CY_MLKEM768_EK_LEN, 0, CY_X25519_KEY_LEN);
	assert_int_equal(cy_bech32_encode(s, sizeof(s), "age1pq", pub,
	    CY_PQ_PUB_LEN, 0), 0);
	assert_int_equal(cy_recipient_parse(s, &r, NULL), 0);
	assert_int_equal(seal(&r, 1, 0, &sealed, &err), CY_E_CRYPTO);
	assert_non_null(strstr(err.msg, "low-order"));
	cy_buf_free(&sealed);
	cy_recipient_free(r);
	keys_free(&k);
}

/* The stanza's text in a sealed file: where its argument starts. */
static size_t
stanza_arg(const cy_buf *sealed)
{
	const uint8_t *p = memmem(sealed->data, sealed->len,
	    "-> mlkem768x25519 ", 18);

	assert_non_null(p);
	return (size_t)(p - sealed->data) + 18;
}

static void
test_tampered_stanza(void **state)
{
	cy_buf sealed = CY_BUF_INIT, t = CY_BUF_INIT;
	cy_error err = {0, ""};
	struct pq_keys k;
	size_t arg, i;

	(void)state;
	keys_make(&k);
	assert_int_equal(seal(&k.pq_r, 1, 0, &sealed, &err), 0);
	arg = stanza_arg(&sealed);

	/* one base64 digit changed in the ML-KEM ciphertext, in the X25519
	 * share, in the body: still canonical, so "no match" */
	{
		const size_t at[] = {arg + 100, arg + 1480, arg + 1494 + 10};

		for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
			cy_buf_free(&t);
			cy_buf_append(&t, sealed.data, sealed.len);
			t.data[at[i]] = (uint8_t)(t.data[at[i]] == 'A' ? 'B' : 'A');
			assert_int_equal(open_with(&t, k.pq, &err), CY_E_NO_MATCH);
		}
	}
	/* a third argument: header failure */
	cy_buf_free(&t);
	cy_buf_append(&t, sealed.data, arg + 1494);
	cy_buf_puts(&t, " x");
	cy_buf_append(&t, sealed.data + arg + 1494, sealed.len - arg - 1494);
	assert_int_equal(open_with(&t, k.pq, &err), CY_E_HEADER);
	assert_non_null(strstr(err.msg, "arguments"));
	/* the encapsulated key one byte short */
	cy_buf_free(&t);
	cy_buf_append(&t, sealed.data, arg + 1490);
	cy_buf_append(&t, sealed.data + arg + 1494, sealed.len - arg - 1494);
	assert_int_equal(open_with(&t, k.pq, &err), CY_E_HEADER);
	assert_non_null(strstr(err.msg, "1120 bytes"));
	cy_buf_free(&t);
	cy_buf_free(&sealed);
	keys_free(&k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_strings),
		cmocka_unit_test(test_recipient_refusals),
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_low_order_recipient),
		cmocka_unit_test(test_tampered_stanza),
	};

	if (cy_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
