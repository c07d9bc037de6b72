/* tlog-proof receipts: the C2SP layout, round trip and rejects. */
#include "testutil.h"

#include "coyeu/tlogproof.h"

static const char example[] =
    "c2sp.org/tlog-proof@v1\n"
    "extra YWJj\n"
    "index 73894\n"
    "gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=\n"
    "B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=\n"
    "\n"
    "example.com/fancylog\n109482\n"
    "sFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=\n\n"
    "\xe2\x80\x94 example.com/fancylog AAAA\n";

static void
test_round_trip(void **state)
{
	static cy_tlog_proof p;
	cy_buf b = CY_BUF_INIT;
	cy_error err;

	(void)state;
	assert_int_equal(cy_tlog_proof_parse((const uint8_t *)example,
	    strlen(example), &p, &err), 0);
	assert_int_equal(p.index, 73894);
	assert_int_equal(p.nhashes, 2);
	assert_int_equal(p.extra_len, 3);
	assert_memory_equal(p.extra, "abc", 3);
	assert_memory_equal(p.checkpoint, "example.com/fancylog\n", 21);
	assert_int_equal(cy_tlog_proof_format(&p, p.checkpoint, p.checkpoint_len,
	    &b), 0);
	assert_int_equal(b.len, strlen(example));
	assert_memory_equal(b.data, example, b.len);
	cy_buf_free(&b);
}

static void
reject(const char *text, const char *words)
{
	static cy_tlog_proof p;
	cy_error err;

	assert_int_equal(cy_tlog_proof_parse((const uint8_t *)text, strlen(text),
	    &p, &err), CY_E_FORMAT);
	if (strstr(err.msg, words) == NULL)
		fail_msg("'%s' lacks '%s'", err.msg, words);
}

static void
test_rejects(void **state)
{
	(void)state;
	reject("c2sp.org/tlog-proof@v2\nindex 1\n\ncp\n", "first line");
	reject("c2sp.org/tlog-proof@v1\nindex 01\n\ncp\n", "index N");
	reject("c2sp.org/tlog-proof@v1\nindex -1\n\ncp\n", "index N");
	reject("c2sp.org/tlog-proof@v1\nindex 1\nAAAA\n\ncp\n", "proof line 1");
	reject("c2sp.org/tlog-proof@v1\nindex 1\n", "no blank line");
	reject("c2sp.org/tlog-proof@v1\nindex 1\n\n", "checkpoint is missing");
	reject("c2sp.org/tlog-proof@v1\nextra !!\nindex 1\n\ncp\n", "extra");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_rejects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
