/* Register entries: every type round-trips; each schema rule refuses. */
#include "testutil.h"

#include "coyeu/entry.h"
#include "coyeu/idkey.h"
#include "coyeu/secret.h"

#define ACTOR "0123456789abcdef0123456789abcdef"
#define OTHER "fedcba9876543210fedcba9876543210"
#define DOCID "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define T 1767225600LL

static cy_idkey *key;

static int
setup(void **state)
{
	cy_error err;

	assert_int_equal(cy_init(), 0);
	assert_int_equal(cy_idkey_generate(&key, &err), 0);
	return 0;
}

static int
teardown(void **state)
{
	cy_idkey_free(key);
	return 0;
}

static int
make(const char *type, const cy_entry_field *f, size_t n, cy_buf *out,
    cy_error *err)
{
	return cy_entry_create(type, T, ACTOR, f, n, key, out, err);
}

static void
test_every_type(void **state)
{
	/* One value per field, by name, for every type's schema. */
	static const cy_entry_field pool[] = {
		{"serial", OTHER}, {"subject-unit", "vn/hcm"}, {"role", "officer"},
		{"clearance", "toi-mat"}, {"issuer", ACTOR}, {"reason", "lost"},
		{"document", "123/QĐ-VPTU"}, {"doc-id", DOCID}, {"level", "mat"},
		{"unit", "vn/hcm/a"}, {"recipient", OTHER}, {"copy", "1/3 sao-y"},
		{"action", "release"}, {"item", "may-ma-17"}, {"kind", "device"},
		{"from", "stored"}, {"to", "issued"}, {"note", "to An"},
	};
	cy_entry_field f[CY_ENTRY_FIELDS_MAX];
	const char *const *fields;
	size_t i, j, k, n;
	cy_entry *e;
	cy_error err;

	(void)state;
	assert_int_equal(cy_entry_type_count(), 9);
	for (i = 0; i < cy_entry_type_count(); i++) {
		cy_buf b = CY_BUF_INIT;
		const char *type = cy_entry_type_name(i);

		fields = cy_entry_type_fields(type);
		for (n = 0; fields[n] != NULL; n++)
			for (k = 0; k < sizeof(pool) / sizeof(pool[0]); k++)
				if (strncmp(pool[k].key, fields[n],
				    strcspn(fields[n], "+?")) == 0 &&
				    strlen(pool[k].key) == strcspn(fields[n], "+?"))
					f[n] = pool[k];
		if (cy_entry_create(type, T, ACTOR, f, n, key, &b, &err) != 0)
			fail_msg("%s: %s", type, err.msg);
		if (cy_entry_parse(b.data, b.len, &e, &err) != 0)
			fail_msg("%s: %s", type, err.msg);
		assert_string_equal(cy_entry_type(e), type);
		assert_string_equal(cy_entry_actor(e), ACTOR);
		assert_int_equal(cy_entry_time(e), T);
		for (j = 0; j < n; j++)
			assert_string_equal(cy_entry_get(e, f[j].key), f[j].value);
		cy_entry_free(e);
		cy_buf_free(&b);
	}
}

static void
test_repeat_and_order(void **state)
{
	cy_entry_field f[] = {
		{"recipient", OTHER}, {"unit", "vn/hcm/a"}, {"document", "7/TB"},
		{"recipient", ACTOR}, {"level", "tuyet-mat"}, {"doc-id", DOCID},
	};
	cy_buf b = CY_BUF_INIT;
	cy_entry *e;
	cy_error err;
	const char *p;

	(void)state;
	assert_int_equal(make("doc.register", f, 6, &b, &err), 0);
	/* Written in the schema's order whatever the order given. */
	p = strstr((char *)b.data, "document:");
	assert_true(p < strstr((char *)b.data, "doc-id:"));
	assert_true(strstr((char *)b.data, "unit:") <
	    strstr((char *)b.data, "recipient:"));
	assert_int_equal(cy_entry_parse(b.data, b.len, &e, &err), 0);
	assert_int_equal(cy_entry_count(e, "recipient"), 2);
	assert_string_equal(cy_entry_get_nth(e, "recipient", 1), ACTOR);
	assert_null(cy_entry_get(e, "title"));
	cy_entry_free(e);
	cy_buf_free(&b);
}

static void
expect_create(const char *type, const cy_entry_field *f, size_t n,
    const char *words)
{
	cy_buf b = CY_BUF_INIT;
	cy_error err;

	assert_int_not_equal(make(type, f, n, &b, &err), 0);
	if (strstr(err.msg, words) == NULL)
		fail_msg("'%s' lacks '%s'", err.msg, words);
	assert_int_equal(b.len, 0);
	cy_buf_free(&b);
}

static void
test_create_rejects(void **state)
{
	cy_entry_field ok[] = {{"document", "1"}, {"doc-id", DOCID},
	    {"reason", "expired"}};
	cy_entry_field bad_id[] = {{"document", "1"}, {"doc-id", "xyz"},
	    {"reason", "r"}};
	cy_entry_field extra[] = {{"document", "1"}, {"doc-id", DOCID},
	    {"reason", "r"}, {"title", "Secret plans"}};
	cy_entry_field twice[] = {{"document", "1"}, {"document", "2"},
	    {"doc-id", DOCID}, {"reason", "r"}};
	cy_entry_field spaced[] = {{"document", " 1"}, {"doc-id", DOCID},
	    {"reason", "r"}};

	(void)state;
	expect_create("no.such", ok, 3, "unknown entry type");
	expect_create("recall", ok, 2, "needs field reason");
	expect_create("recall", bad_id, 3, "invalid doc-id");
	expect_create("recall", extra, 4, "does not belong");
	expect_create("recall", twice, 4, "given twice");
	expect_create("recall", spaced, 3, "document");
}

static void
test_parse_rejects(void **state)
{
	cy_entry_field f[] = {{"document", "1"}, {"doc-id", DOCID},
	    {"reason", "r"}};
	cy_buf b = CY_BUF_INIT;
	cy_entry *e;
	cy_error err;
	size_t i;
	char *swapped;

	(void)state;
	assert_int_equal(make("destroy", f, 3, &b, &err), 0);
	/* Any changed byte of the signed part breaks the signature or form. */
	for (i = 0; i < b.len; i += 7) {
		b.data[i] ^= 0x01;
		assert_int_not_equal(cy_entry_parse(b.data, b.len, &e, &err), 0);
		b.data[i] ^= 0x01;
	}
	/* Trailing data, CRLF. */
	cy_buf_puts(&b, "x");
	assert_int_equal(cy_entry_parse(b.data, b.len, &e, &err), CY_E_FORMAT);
	b.len--;
	swapped = strndup((char *)b.data, b.len);
	*strchr(swapped, '\n') = '\r';
	assert_int_not_equal(cy_entry_parse((uint8_t *)swapped, b.len, &e,
	    &err), 0);
	free(swapped);
	/* Too large. */
	assert_int_equal(cy_entry_parse(b.data, CY_ENTRY_MAX + 1, &e, &err),
	    CY_E_TOO_LARGE);
	cy_buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_type),
		cmocka_unit_test(test_repeat_and_order),
		cmocka_unit_test(test_create_rejects),
		cmocka_unit_test(test_parse_rejects),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
