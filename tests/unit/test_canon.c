#include "testutil.h"

#include "coyeu/canon.h"

enum { F_VERSION, F_NAME, F_TAGS, F_ITEM, F_NOTE, F_SIG, NF };

static const cy_canon_field fields[NF] = {
	{"version", 0},
	{"name", 0},
	{"tags", CY_CANON_EMPTY},
	{"item", CY_CANON_REPEAT | CY_CANON_OPTIONAL},
	{"note", CY_CANON_OPTIONAL},
	{"signature", 0},
};

/* Parses s as a whole record; returns the code and keeps the message. */
static int
parse(const char *s, cy_error *err)
{
	cy_canon_record *r = NULL;
	int rc;

	cy_error_clear(err);
	rc = cy_canon_parse((const uint8_t *)s, strlen(s), fields, NF, 0, &r,
	    NULL, err);
	cy_canon_record_free(r);
	return rc;
}

static void
expect_refused(const char *s, const char *msg)
{
	cy_error err;

	assert_int_equal(parse(s, &err), CY_E_FORMAT);
	if (strstr(err.msg, msg) == NULL)
		fail_msg("message '%s' lacks '%s'", err.msg, msg);
}

static void
test_parse_good(void **state)
{
	const char *s = "version: 1\nname: Nguyễn Văn A\ntags:\nitem: a\n"
	    "item: b\nsignature: xyz\n";
	cy_canon_record *r = NULL;
	const cy_canon_value *v;
	cy_error err;

	(void)state;
	assert_int_equal(cy_canon_parse((const uint8_t *)s, strlen(s), fields,
	    NF, 0, &r, NULL, &err), 0);
	assert_true(cy_canon_value_is(cy_canon_get(r, F_NAME), "Nguyễn Văn A"));
	assert_int_equal(cy_canon_get(r, F_TAGS)->len, 0);
	assert_int_equal(cy_canon_count(r, F_ITEM), 2);
	assert_true(cy_canon_value_is(cy_canon_get_nth(r, F_ITEM, 1), "b"));
	assert_null(cy_canon_get(r, F_NOTE));
	v = cy_canon_get(r, F_SIG);
	/* the signed part is everything before the signature line */
	assert_int_equal(v->offset, strlen(s) - strlen("signature: xyz\n"));
	cy_canon_record_free(r);
}

static void
test_parse_refusals(void **state)
{
	(void)state;
	expect_refused("version: 1\nname: a\ntags:\nsignature: x\r\n",
	    "line 4: carriage return");
	expect_refused("version: 1\nname: a\ntags:\nsignature: x",
	    "line 4: no line end");
	expect_refused("version: 1\nname: a\ntags:\nsignature: x\nextra: 1\n",
	    "line 5: unknown field 'extra'");
	expect_refused("version: 1\nname: a\ntags:\nsignature: x\n\n",
	    "line 5: blank line");
	expect_refused("version: 1\nname: a\nname: b\ntags:\nsignature: x\n",
	    "line 3: field 'name' repeated");
	expect_refused("version: 1\ntags:\nname: a\nsignature: x\n",
	    "missing field 'name' before 'tags'");
	expect_refused("name: a\nversion: 1\ntags:\nsignature: x\n",
	    "missing field 'version' before 'name'");
	expect_refused("version: 1\nname: a\ntags:\nnote: n\nitem: a\nsignature: x\n",
	    "line 5: field 'item' out of order");
	expect_refused("version: 1\nname: a\ntags:\n",
	    "missing field 'signature'");
	expect_refused("version: 1\nname: a \ntags:\nsignature: x\n",
	    "space at the start or end");
	expect_refused("version: 1\nname:  a\ntags:\nsignature: x\n",
	    "space at the start or end");
	expect_refused("version: 1\nname:\ntags:\nsignature: x\n",
	    "field 'name' is empty");
	expect_refused("version: 1\nname: a\ntags: \nsignature: x\n",
	    "an empty value is written 'tags:'");
	expect_refused("version: 1\nname:a\ntags:\nsignature: x\n",
	    "expected one space");
	expect_refused("version: 1\nName: a\ntags:\nsignature: x\n",
	    "expected 'key: value'");
	expect_refused("version: 1\nname: a\tb\ntags:\nsignature: x\n",
	    "control character U+0009");
	expect_refused("version: 1\nname: a\xc2\x85\ntags:\nsignature: x\n",
	    "control character U+0085");
	expect_refused("version: 1\nname: \xc3\x28\ntags:\nsignature: x\n",
	    "invalid UTF-8");
	/* overlong '/' and an encoded surrogate */
	expect_refused("version: 1\nname: \xc0\xaf\ntags:\nsignature: x\n",
	    "invalid UTF-8");
	expect_refused("version: 1\nname: \xed\xa0\x80\ntags:\nsignature: x\n",
	    "invalid UTF-8");
	/* "Nguyễn" with e + combining circumflex + combining tilde: NFD */
	expect_refused("version: 1\nname: Nguye\xcc\x82\xcc\x83n\ntags:\n"
	    "signature: x\n", "not in Unicode NFC");
	expect_refused("", "empty record");
}

static void
test_parse_stacked(void **state)
{
	const char *s = "version: 1\nname: a\ntags:\nsignature: x\n\n"
	    "version: 2\nname: b\ntags:\nsignature: y\n";
	cy_canon_record *r = NULL;
	size_t used;
	cy_error err;

	(void)state;
	assert_int_equal(cy_canon_parse((const uint8_t *)s, strlen(s), fields,
	    NF, CY_CANON_STOP_AT_BLANK, &r, &used, &err), 0);
	assert_int_equal(used, strlen("version: 1\nname: a\ntags:\nsignature: x\n"));
	assert_true(cy_canon_value_is(cy_canon_get(r, F_VERSION), "1"));
	cy_canon_record_free(r);
	/* without STOP_AT_BLANK and with used == NULL the second record is
	 * trailing data */
	assert_int_equal(parse(s, &err), CY_E_FORMAT);
}

static void
test_put(void **state)
{
	cy_buf b = CY_BUF_INIT;
	cy_error err;

	(void)state;
	assert_int_equal(cy_canon_put(&b, "name", "Trần Thị B", &err), 0);
	assert_int_equal(cy_canon_put(&b, "tags", "", &err), 0);
	assert_string_equal((char *)b.data, "name: Trần Thị B\ntags:\n");
	/* a writer cannot inject a line */
	assert_int_equal(cy_canon_put(&b, "name", "a\nsignature: x", &err),
	    CY_E_FORMAT);
	assert_int_equal(cy_canon_put(&b, "Bad", "x", &err), CY_E_USAGE);
	assert_int_equal(cy_canon_put(&b, "name", "e\xcc\x81", &err),
	    CY_E_FORMAT);
	cy_buf_free(&b);
}

static void
test_lists(void **state)
{
	cy_error err;
	char *out = NULL;
	const char *miss = NULL;
	size_t mlen = 0;

	(void)state;
	assert_int_equal(cy_canon_list_check("a,b,c", 5, cy_canon_is_token,
	    "list", &err), 0);
	assert_int_equal(cy_canon_list_check("", 0, cy_canon_is_token, "list",
	    &err), 0);
	assert_int_equal(cy_canon_list_check("b,a", 3, cy_canon_is_token,
	    "list", &err), CY_E_FORMAT);
	assert_int_equal(cy_canon_list_check("a,a", 3, cy_canon_is_token,
	    "list", &err), CY_E_FORMAT);
	assert_int_equal(cy_canon_list_check("a,,b", 4, cy_canon_is_token,
	    "list", &err), CY_E_FORMAT);
	assert_int_equal(cy_canon_list_check("a,", 2, cy_canon_is_token,
	    "list", &err), CY_E_FORMAT);
	assert_int_equal(cy_canon_list_check("A", 1, cy_canon_is_token,
	    "list", &err), CY_E_FORMAT);
	/* "ab" sorts after "a": prefix order */
	assert_int_equal(cy_canon_list_check("a,ab", 4, cy_canon_is_token,
	    "list", &err), 0);
	assert_int_equal(cy_canon_list_normalize("c,a,b,a", cy_canon_is_token,
	    "list", &out, &err), 0);
	assert_string_equal(out, "a,b,c");
	free(out);
	assert_int_equal(cy_canon_list_normalize("", cy_canon_is_token,
	    "list", &out, &err), 0);
	assert_string_equal(out, "");
	free(out);
	assert_int_equal(cy_canon_list_normalize("a,", cy_canon_is_token,
	    "list", &out, &err), CY_E_USAGE);
	assert_int_equal(cy_canon_list_normalize(",a", cy_canon_is_token,
	    "list", &out, &err), CY_E_USAGE);
	assert_true(cy_canon_list_contains("a,bc,d", 6, "bc", 2));
	assert_false(cy_canon_list_contains("a,bc,d", 6, "b", 1));
	assert_true(cy_canon_list_subset("a,d", 3, "a,bc,d", 6, NULL, NULL));
	assert_true(cy_canon_list_subset("", 0, "", 0, NULL, NULL));
	assert_false(cy_canon_list_subset("a,e", 3, "a,bc,d", 6, &miss, &mlen));
	assert_int_equal(mlen, 1);
	assert_memory_equal(miss, "e", 1);
}

static void
test_times(void **state)
{
	char out[CY_CANON_TIME_LEN + 1];
	int64_t t;
	cy_error err;

	(void)state;
	assert_int_equal(cy_canon_time_parse("1970-01-01T00:00:00Z", 20, &t,
	    &err), 0);
	assert_int_equal(t, 0);
	assert_int_equal(cy_canon_time_parse("2026-11-25T00:00:00Z", 20, &t,
	    &err), 0);
	assert_int_equal(t, 1795564800);
	assert_int_equal(cy_canon_time_format(t, out, &err), 0);
	assert_string_equal(out, "2026-11-25T00:00:00Z");
	assert_int_equal(cy_canon_time_parse("2024-02-29T23:59:59Z", 20, &t,
	    &err), 0);
	assert_int_equal(cy_canon_time_format(t, out, &err), 0);
	assert_string_equal(out, "2024-02-29T23:59:59Z");
	assert_int_equal(cy_canon_time_format(CY_CANON_TIME_MAX, out, &err), 0);
	assert_string_equal(out, "9999-12-31T23:59:59Z");
	assert_int_equal(cy_canon_time_format(CY_CANON_TIME_MAX + 1, out,
	    &err), CY_E_USAGE);
	assert_int_equal(cy_canon_time_parse("2025-02-29T00:00:00Z", 20, &t,
	    &err), CY_E_FORMAT);
	assert_int_equal(cy_canon_time_parse("2026-11-25T24:00:00Z", 20, &t,
	    &err), CY_E_FORMAT);
	assert_int_equal(cy_canon_time_parse("2026-11-25T00:00:60Z", 20, &t,
	    &err), CY_E_FORMAT);
	assert_int_equal(cy_canon_time_parse("2026-11-25 00:00:00Z", 20, &t,
	    &err), CY_E_FORMAT);
	assert_int_equal(cy_canon_time_parse("2026-11-25T00:00:00+00:00", 25,
	    &t, &err), CY_E_FORMAT);
	assert_int_equal(cy_canon_time_parse("1969-12-31T23:59:59Z", 20, &t,
	    &err), CY_E_FORMAT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_refusals),
		cmocka_unit_test(test_parse_stacked),
		cmocka_unit_test(test_put),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_times),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
