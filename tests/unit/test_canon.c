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
	    "contains U+0009 <control-0009> (control character)");
	expect_refused("version: 1\nname: a\xc2\x85\ntags:\nsignature: x\n",
	    "contains U+0085 <control-0085> (control character)");
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

/* One value of each refused class, as a real character in a name, is
 * refused on parsing and on writing, the error naming the character. */
static void
test_refused_chars(void **state)
{
	static const struct {
		const char *utf8, *msg;
	} bad[] = {
		{"\x7f", "U+007F <control-007F> (control character)"},
		{"\xc2\x9b", "U+009B <control-009B> (control character)"},
		{"\xe2\x80\xae", "U+202E RIGHT-TO-LEFT OVERRIDE (bidirectional control)"},
		{"\xe2\x80\xaa", "U+202A LEFT-TO-RIGHT EMBEDDING (bidirectional control)"},
		{"\xe2\x80\x8f", "U+200F RIGHT-TO-LEFT MARK (bidirectional control)"},
		{"\xe2\x81\xa6", "U+2066 LEFT-TO-RIGHT ISOLATE (bidirectional control)"},
		{"\xe2\x81\xa9", "U+2069 POP DIRECTIONAL ISOLATE (bidirectional control)"},
		{"\xd8\x9c", "U+061C ARABIC LETTER MARK (bidirectional control)"},
		{"\xe2\x80\x8b", "U+200B ZERO WIDTH SPACE (invisible format character)"},
		{"\xe2\x80\x8d", "U+200D ZERO WIDTH JOINER (invisible format character)"},
		{"\xe2\x81\xa0", "U+2060 WORD JOINER (invisible format character)"},
		{"\xef\xbb\xbf", "U+FEFF ZERO WIDTH NO-BREAK SPACE (invisible format character)"},
		{"\xc2\xad", "U+00AD SOFT HYPHEN (invisible format character)"},
		{"\xf3\xa0\x81\x81", "U+E0041 TAG LATIN CAPITAL LETTER A (invisible format character)"},
		{"\xcd\x8f", "U+034F COMBINING GRAPHEME JOINER (default-ignorable"},
		{"\xef\xb8\x8f", "U+FE0F VARIATION SELECTOR-16 (default-ignorable"},
		{"\xe3\x85\xa4", "U+3164 HANGUL FILLER (default-ignorable"},
		{"\xc2\xa0", "U+00A0 NO-BREAK SPACE (a space or line break other than U+0020"},
		{"\xe2\x80\x83", "U+2003 EM SPACE (a space"},
		{"\xe3\x80\x80", "U+3000 IDEOGRAPHIC SPACE (a space"},
		{"\xe2\x80\xa8", "U+2028 LINE SEPARATOR (a space or line break"},
		{"\xef\xbf\xbe", "U+FFFE <noncharacter-FFFE> (noncharacter)"},
		{"\xef\xb7\x90", "U+FDD0 <noncharacter-FDD0> (noncharacter)"},
	};
	char rec[128], val[64];
	cy_buf b = CY_BUF_INIT;
	cy_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(val, sizeof(val), "Nguy%sen", bad[i].utf8);
		snprintf(rec, sizeof(rec), "version: 1\nname: %s\ntags:\n"
		    "signature: x\n", val);
		expect_refused(rec, bad[i].msg);
		expect_refused(rec, "line 2: name: contains ");
		cy_error_clear(&err);
		assert_int_equal(cy_canon_put(&b, "name", val, &err), CY_E_FORMAT);
		if (strstr(err.msg, bad[i].msg) == NULL ||
		    strstr(err.msg, "; remove it") == NULL)
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg,
			    bad[i].msg);
	}
	assert_int_equal(b.len, 0);
	cy_buf_free(&b);
}

/* Vietnamese with every diacritic: accepted in NFC; NFD is refused only
 * for not being NFC (no combining mark counts as invisible), and neither
 * form counts as mixing scripts. */
static void
test_vietnamese(void **state)
{
	static const char *const nfc[] = {
		"Nguyễn Văn Ấn", "Trần Thị Hường", "Đặng Quốc Bảo",
		"Phạm Ngọc Thạch", "Lê Thị Ỷ Lan", "Vũ Đức Đam", "Ưng Hoàng Phúc",
		"ĂÂÊÔƠƯĐăâêôơưđ àảãáạ ằẳẵắặ ầẩẫấậ èẻẽéẹ ềểễếệ ìỉĩíị "
		    "òỏõóọ ồổỗốộ ờởỡớợ ùủũúụ ừửữứự ỳỷỹýỵ",
		"Số 12/QĐ-UBND",
	};
	/* "Nguyễn Văn Ấn" decomposed: e + U+0302 + U+0303, a + U+0306,
	 * A + U+0302 + U+0301 */
	static const char nfd[] = "Nguye\xcc\x82\xcc\x83n Va\xcc\x86n "
	    "A\xcc\x82\xcc\x81n";
	static const uint32_t marks[] = {0x300, 0x301, 0x302, 0x303, 0x306,
	    0x309, 0x31b, 0x323};
	cy_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(nfc) / sizeof(nfc[0]); i++) {
		if (cy_canon_check_value(nfc[i], strlen(nfc[i]), "name",
		    &err) != 0)
			fail_msg("'%s' refused: %s", nfc[i], err.msg);
		if (cy_canon_check_scripts(nfc[i], strlen(nfc[i]), "name",
		    &err) != 0)
			fail_msg("'%s' mixed: %s", nfc[i], err.msg);
	}
	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		assert_null(cy_canon_char_refused(marks[i]));
	assert_int_equal(cy_canon_check_value(nfd, strlen(nfd), "name", &err),
	    CY_E_FORMAT);
	assert_string_equal(err.msg,
	    "name: text is not in Unicode NFC (composed) form");
	assert_int_equal(cy_canon_check_scripts(nfd, strlen(nfd), "name",
	    &err), 0);
}

/* A word mixing Latin and Cyrillic ("Nguyеn", Cyrillic е U+0435) is
 * flagged; words each in one script, and the mixes UTS #39 "Highly
 * Restrictive" allows, are not. */
static void
test_mixed_scripts(void **state)
{
	static const char *const fine[] = {
		"Nguyen", "Иван Петров", "Ivan Иванов", "Ελλάδα and Greece",
		"東京タワー", "Tokyo東京", "한국어 Hàn", "123/UBND-VP", "",
	};
	static const struct {
		const char *text, *msg;
	} mixed[] = {
		{"Nguy\xd0\xb5n V\xc4\x83n A", "--name: the word \"Nguy\xd0\xb5n\" "
		    "mixes scripts, as look-alike text does: U+0435 CYRILLIC "
		    "SMALL LETTER IE (Cyrillic) after Latin letters"},
		{"S\xe1\xbb\x91 12/Q\xc4\x90-UBN\xce\x94",
		    "U+0394 GREEK CAPITAL LETTER DELTA (Greek) after Latin"},
		{"\xd0\xb0" "dmin", "U+0064 LATIN SMALL LETTER D (Latin) after "
		    "Cyrillic"},
	};
	cy_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(fine) / sizeof(fine[0]); i++)
		if (cy_canon_check_scripts(fine[i], strlen(fine[i]), "--name",
		    &err) != 0)
			fail_msg("'%s' flagged: %s", fine[i], err.msg);
	for (i = 0; i < sizeof(mixed) / sizeof(mixed[0]); i++) {
		assert_int_equal(cy_canon_check_scripts(mixed[i].text,
		    strlen(mixed[i].text), "--name", &err), CY_E_POLICY);
		if (strstr(err.msg, mixed[i].msg) == NULL)
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg,
			    mixed[i].msg);
	}
	assert_int_equal(cy_canon_check_scripts("a\xff", 2, "x", &err),
	    CY_E_FORMAT);
}

/* The one UTF-8 decoder refuses what RFC 3629 forbids, lead bytes C0, C1
 * and F5-FF included, and takes the extremes it allows. */
static void
test_utf8(void **state)
{
	static const char *const bad[] = {
		"\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xed\xa0\x80",
		"\xed\xbf\xbf", "\xf0\x80\x80\x80", "\xf4\x90\x80\x80",
		"\xf5\x80\x80\x80", "\xf8\x88\x80\x80\x80", "\xff", "\x80",
		"\xe2\x82", "\xc3\x28",
	};
	static const char *const good[] = {
		"\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xef\xbf\xbf",
		"\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf", "\xed\x9f\xbf",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (cy_canon_utf8_valid(bad[i], strlen(bad[i])))
			fail_msg("bad case %zu accepted", i);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!cy_canon_utf8_valid(good[i], strlen(good[i])))
			fail_msg("good case %zu refused", i);
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
		cmocka_unit_test(test_refused_chars),
		cmocka_unit_test(test_vietnamese),
		cmocka_unit_test(test_mixed_scripts),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_parse_stacked),
		cmocka_unit_test(test_put),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_times),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
