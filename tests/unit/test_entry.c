/* Register entries: building, the exact canonical text, signature checks,
 * and each rejected form with its message. */
#include <sodium.h>

#include "testutil.h"

#include "coyeu/encoding.h"
#include "coyeu/entry.h"
#include "coyeu/idkey.h"
#include "coyeu/secret.h"

static uint8_t pk[32];
static cy_idkey *signer;

#define SERIAL "0123456789abcdef0123456789abcdef"
#define DOC "fedcba9876543210fedcba9876543210"
#define COPY "00112233445566778899aabbccddeeff"

static void
make(const char *type, const cy_entry_field *f, size_t n, cy_buf *out)
{
	cy_error err;

	if (cy_entry_create(type, f, n, signer, out,
	    &err) != 0)
		fail_msg("%s: %s", type, err.msg);
}

/* A numbered copy's copy.issue signs its label's hash: last, after the
 * approval, and only in a sha256's form. */
static void
test_copy_issue_label(void **state)
{
	const char *h = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	cy_entry_field f[] = {
		{"label-sha256", h}, {"recipient", SERIAL}, {"form", "trich-sao"},
		{"copy", "4/4"}, {"doc-id", DOC}, {"copy-id", COPY},
		{"actor", SERIAL}, {"time", "2026-03-01T08:30:00Z"},
		{"approval", h},
	};
	cy_buf out = CY_BUF_INIT;
	cy_entry *e;
	cy_error err;
	const char *a, *l;

	(void)state;
	make("copy.issue", f, sizeof(f) / sizeof(f[0]), &out);
	a = strstr((char *)out.data, "\napproval: ");
	l = strstr((char *)out.data, "\nlabel-sha256: ");
	assert_non_null(a);
	assert_non_null(l);
	assert_true(a < l);
	assert_int_equal(cy_entry_parse(out.data, out.len, &e, &err), 0);
	assert_string_equal(cy_entry_get(e, "label-sha256"), h);
	cy_entry_free(e);
	cy_buf_free(&out);
	f[0].value = "not-a-hash";
	assert_int_not_equal(cy_entry_create("copy.issue", f,
	    sizeof(f) / sizeof(f[0]), signer, &out, &err), 0);
	assert_non_null(strstr(err.msg, "label-sha256"));
	cy_buf_free(&out);
}

static void
test_copy_issue(void **state)
{
	/* Fields in any order come out in the canonical one. */
	const cy_entry_field f[] = {
		{"recipient", SERIAL}, {"form", "sao-y"}, {"copy", "2/5"},
		{"doc-id", DOC}, {"copy-id", COPY}, {"actor", SERIAL},
		{"time", "2026-03-01T08:30:00Z"},
	};
	cy_buf out = CY_BUF_INIT;
	char key[64], want[1024];
	cy_entry *e;
	cy_error err;
	const char *sig;

	(void)state;
	make("copy.issue", f, sizeof(f) / sizeof(f[0]), &out);
	cy_b64_encode(key, pk, 32, 0);
	sig = strstr((char *)out.data, "signature: ");
	assert_non_null(sig);
	snprintf(want, sizeof(want),
	    "version: coyeu.v1/entry\n"
	    "type: copy.issue\ntime: 2026-03-01T08:30:00Z\nactor: " SERIAL "\n"
	    "actor-key: %s\ndoc-id: " DOC "\ncopy-id: " COPY "\ncopy: 2/5\n"
	    "form: sao-y\nrecipient: " SERIAL "\n%s", key, sig);
	assert_string_equal((char *)out.data, want);
	assert_int_equal(strlen(sig), strlen("signature: ") + 86 + 1);
	assert_int_equal(cy_entry_verify(out.data, out.len, &err), 0);
	assert_int_equal(cy_entry_parse(out.data, out.len, &e, &err), 0);
	assert_string_equal(cy_entry_type(e), "copy.issue");
	assert_string_equal(cy_entry_get(e, "copy"), "2/5");
	assert_string_equal(cy_entry_get(e, "recipient"), SERIAL);
	assert_null(cy_entry_get(e, "approval"));
	assert_memory_equal(cy_entry_actor_key(e), pk, 32);
	cy_entry_free(e);
	/* Every single-byte change breaks either the form or the signature. */
	for (size_t i = 0; i < out.len; i++) {
		out.data[i] ^= 0x20;
		assert_int_not_equal(cy_entry_verify(out.data, out.len, NULL), 0);
		out.data[i] ^= 0x20;
	}
	/* Another key's signature over the same text does not verify. */
	{
		char *k = strstr((char *)out.data, "actor-key: ") + 11;

		*k = *k == 'A' ? 'B' : 'A';
		assert_int_equal(cy_entry_verify(out.data, out.len, &err),
		    CY_E_SIGNATURE);
		assert_string_equal(err.msg,
		    "the entry's signature by its actor-key does not verify");
	}
	cy_buf_free(&out);
}

static void
test_every_type(void **state)
{
	const char *const *t;
	const char *name, *holds;
	cy_entry_field f[16];
	cy_buf out = CY_BUF_INIT;
	size_t i, n;
	int opt, types = 0;

	(void)state;
	for (t = cy_entry_types(); *t != NULL; t++) {
		n = 0;
		/* A plausible value for every field, optional ones included. */
		for (i = 2; cy_entry_type_field(*t, i, &name, &holds, &opt) == 0; i++) {
			const char *v = NULL;

			if (strcmp(name, "actor-key") == 0 ||
			    strcmp(name, "signature") == 0)
				continue;
			if (strstr(holds, "UTC time"))
				v = "2026-01-31T23:59:59Z";
			else if (strstr(holds, "date"))
				v = "2046-02-28";
			else if (strstr(holds, "32 lowercase hex"))
				v = SERIAL;
			else if (strstr(holds, "64 lowercase hex"))
				v = SERIAL SERIAL;
			else if (strstr(holds, "text"))
				v = "Số 12/QĐ-UBND";
			else if (strstr(holds, "unit path"))
				v = "vn/hcm/van-phong";
			else if (strstr(holds, "count") ||
			    strstr(holds, "a number"))
				v = "3";
			else if (strstr(holds, "copy number"))
				v = "1/3";
			else if (strstr(holds, "state name"))
				v = "received";
			else if (strstr(holds, "item serial"))
				v = "TK-0001/a.b_c";
			else if (strcmp(holds, "yes") == 0)
				v = "yes";
			else if (strchr(holds, '|') != NULL)
				v = "mat";
			if (strcmp(name, "role") == 0 && strstr(holds, "officer"))
				v = "officer";
			else if (strchr(holds, '|') != NULL && strncmp(holds, "mat|", 4) != 0) {
				static char first[64];

				snprintf(first, sizeof(first), "%.*s",
				    (int)strcspn(holds, "|"), holds);
				v = first;
			}
			assert_non_null(v);
			f[n].name = name;
			f[n++].value = strdup(v);
		}
		make(*t, f, n, &out);
		assert_int_equal(cy_entry_verify(out.data, out.len, NULL), 0);
		assert_null(strstr((char *)out.data, "title"));
		cy_buf_free(&out);
		for (i = 0; i < n; i++)
			free((char *)f[i].value);
		types++;
	}
	assert_true(types >= 9);
}

/* A registry's record of a refused officer: serial, route, reason. */
static void
test_denied(void **state)
{
	cy_entry_field f[] = {
		{"time", "2026-03-01T08:30:00Z"}, {"actor", SERIAL},
		{"officer", COPY}, {"route", "revocations.post"},
		{"nonce", "Qk3nY_8a-x0TzLr1cWd5uE2h"}, {"reason", "officer " COPY " is an officer, not an authority"},
	};
	cy_buf out = CY_BUF_INIT;
	cy_entry *e;
	cy_error err;

	(void)state;
	make("denied", f, 6, &out);
	assert_int_equal(cy_entry_verify(out.data, out.len, &err), 0);
	assert_int_equal(cy_entry_parse(out.data, out.len, &e, &err), 0);
	assert_string_equal(cy_entry_type(e), "denied");
	assert_string_equal(cy_entry_get(e, "officer"), COPY);
	assert_string_equal(cy_entry_get(e, "route"), "revocations.post");
	cy_entry_free(e);
	cy_buf_free(&out);
	/* The officer is a serial, the reason is required. */
	f[2].value = "someone";
	assert_int_equal(cy_entry_create("denied", f, 6, signer, &out, &err),
	    CY_E_USAGE);
	assert_string_equal(err.msg,
	    "officer must be a certificate serial, 32 lowercase hex digits");
	f[2].value = COPY;
	assert_int_equal(cy_entry_create("denied", f, 5, signer, &out, &err),
	    CY_E_USAGE);
	assert_int_equal(out.len, 0);
}

static void
test_create_rejects(void **state)
{
	cy_entry_field f[] = {
		{"time", "2026-03-01T08:30:00Z"}, {"actor", SERIAL},
		{"serial", SERIAL}, {"reason", "superseded"},
	};
	cy_buf out = CY_BUF_INIT;
	cy_error err;

	(void)state;
	assert_int_equal(cy_entry_create("cert.nope", f, 4, signer,
	    &out, &err), CY_E_USAGE);
	assert_string_equal(err.msg, "unknown entry type cert.nope");
	assert_int_equal(cy_entry_create("cert.revoke", f, 3, signer,
	    &out, &err), CY_E_USAGE);
	assert_string_equal(err.msg, "cert.revoke entries need a reason field "
	    "(key-compromise|superseded|left-unit|cessation|unspecified)");
	f[3].value = "because";
	assert_int_equal(cy_entry_create("cert.revoke", f, 4, signer,
	    &out, &err), CY_E_USAGE);
	assert_string_equal(err.msg, "reason must be one of "
	    "key-compromise|superseded|left-unit|cessation|unspecified");
	f[3].name = "title";
	assert_int_equal(cy_entry_create("cert.revoke", f, 4, signer,
	    &out, &err), CY_E_USAGE);
	assert_string_equal(err.msg, "cert.revoke entries take no field title");
	f[3].name = "serial";
	assert_int_equal(cy_entry_create("cert.revoke", f, 4, signer,
	    &out, &err), CY_E_USAGE);
	assert_string_equal(err.msg, "field serial given twice");
	f[3].name = "actor-key";
	assert_int_equal(cy_entry_create("cert.revoke", f, 4, signer,
	    &out, &err), CY_E_USAGE);
	f[0].value = "2026-02-29T00:00:00Z";
	assert_int_equal(cy_entry_create("cert.revoke", f, 3, signer,
	    &out, &err), CY_E_USAGE);
	assert_string_equal(err.msg,
	    "time must be a UTC time, YYYY-MM-DDTHH:MM:SSZ");
	assert_int_equal(out.len, 0);
}

/* Replaces the first occurrence of `from` in entry text and re-signs, so
 * only the form check can object. */
static int
variant(const char *base, const char *from, const char *to, cy_error *err)
{
	char text[2048], *p, *sigline;
	uint8_t sig[64];
	size_t n;

	p = strstr(base, from);
	assert_non_null(p);
	n = (size_t)(p - base);
	snprintf(text, sizeof(text), "%.*s%s%s", (int)n, base, to, p + strlen(from));
	sigline = strstr(text, "signature: ");
	if (sigline != NULL) {
		assert_int_equal(cy_key_sign(signer, (uint8_t *)text,
		    (size_t)(sigline - text), sig, err), 0);
		sigline += 11;
		cy_b64_encode(sigline, sig, 64, 0);
		strcat(sigline, "\n");
	}
	return cy_entry_verify((uint8_t *)text, strlen(text), err);
}

static void
test_parse_rejects(void **state)
{
	const cy_entry_field f[] = {
		{"time", "2026-03-01T08:30:00Z"}, {"actor", SERIAL},
		{"doc-id", DOC}, {"reason", "Thu hồi theo lệnh"},
	};
	static const struct {
		const char *from, *to, *msg;
	} bad[] = {
		{"type: recall", "type: recal", "line 2: unknown entry type recal"},
		{"type: recall\n", "time: x\ntype: recall\n", "an entry starts with \"version: coyeu.v1/entry\" and a type line"},
		{"\ndoc-id: ", "\nbogus: 1\ndoc-id: ", "line 6: unknown field 'bogus'"},
		{"\nactor: ", "\nactor:", "line 4: expected one space after 'actor:' and a value (an empty value is written 'actor:')"},
		{"\ndoc-id: " DOC, "", "line 6: missing field 'doc-id' before 'reason'"},
		{"\nactor: " SERIAL, "", "line 4: missing field 'actor' before 'actor-key'"},
		{"\nreason: ", "\ndoc-id: " DOC "\nreason: ", "line 7: field 'doc-id' repeated"},
		{"08:30:00Z", "08:30:60Z", "line 3: time must be a UTC time, YYYY-MM-DDTHH:MM:SSZ"},
		{"Thu hồi", "Thu ho\xcc\x82\xcc\x80i", "line 7: reason: text is not in Unicode NFC (composed) form"},
		{"Thu hồi", " Thu hồi", "line 7: reason: space at the start or end of the value"},
		{"Thu hồi", "Thu\xc2\x85hồi", "line 7: reason: contains U+0085 <control-0085> (control character); remove it"},
		{"doc-id: fedc", "doc-id: FEDC", "line 6: doc-id must be an identifier, 32 lowercase hex digits"},
		{"Thu hồi", "Thu\thồi", "line 7: reason: contains U+0009 <control-0009> (control character); remove it"},
		{"Thu hồi", "Thu\xffhồi", "line 7: reason: invalid UTF-8 at byte 3"},
	};
	cy_buf out = CY_BUF_INIT;
	cy_error err;
	size_t i;

	(void)state;
	make("recall", f, 4, &out);
	assert_int_equal(variant((char *)out.data, "type", "type", &err), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = '\0';
		if (variant((char *)out.data, bad[i].from, bad[i].to, &err) == 0)
			fail_msg("case %zu accepted", i);
		if (strcmp(err.msg, bad[i].msg) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, err.msg,
			    bad[i].msg);
	}
	/* Anything after the signature line. */
	{
		cy_buf twice = CY_BUF_INIT;
		const char *sig = strstr((char *)out.data, "signature: ");

		cy_buf_append(&twice, out.data, out.len);
		cy_buf_puts(&twice, sig);
		assert_int_equal(cy_entry_verify(twice.data, twice.len, &err),
		    CY_E_FORMAT);
		assert_string_equal(err.msg,
		    "line 9: field 'signature' repeated");
		cy_buf_free(&twice);
	}
	/* No final newline; empty; too large. */
	assert_int_equal(cy_entry_verify(out.data, out.len - 1, &err), CY_E_FORMAT);
	assert_string_equal(err.msg, "line 8: no line end (every line ends with LF)");
	assert_int_equal(cy_entry_verify(out.data, 0, &err), CY_E_FORMAT);
	assert_int_equal(cy_entry_verify(out.data, CY_ENTRY_MAX + 1, &err),
	    CY_E_TOO_LARGE);
	/* Cut after the doc-id line: the entry ends early. */
	{
		char *cut = strstr((char *)out.data, "reason: ");

		assert_int_equal(cy_entry_verify(out.data,
		    (size_t)(cut - (char *)out.data), &err), CY_E_FORMAT);
		assert_string_equal(err.msg, "line 7: missing field 'reason'");
	}
	cy_buf_free(&out);
}

static void
test_dates(void **state)
{
	static const struct {
		const char *date;
		int ok;
	} d[] = {
		{"2024-02-29", 1}, {"2023-02-29", 0}, {"2000-02-29", 1},
		{"1900-02-29", 0}, {"2026-04-31", 0}, {"2026-13-01", 0},
		{"0000-01-01", 0}, {"2026-1-01", 0}, {"2026-12-31", 1},
	};
	cy_entry_field f[] = {
		{"time", "2026-03-01T08:30:00Z"}, {"actor", SERIAL},
		{"doc-id", DOC}, {"doc-number", "12/QĐ"}, {"level", "toi-mat"},
		{"unit", "vn/hn"}, {"protect-until", NULL}, {"copies", "2"},
	};
	cy_buf out = CY_BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		f[6].value = d[i].date;
		assert_int_equal(cy_entry_create("doc.register", f, 8, signer,
		    &out, NULL) == 0, d[i].ok);
		cy_buf_free(&out);
	}
	f[6].value = "2046-01-01";
	f[5].value = "vn//hn";
	assert_int_not_equal(cy_entry_create("doc.register", f, 8, signer,
	    &out, NULL), 0);
	f[5].value = "vn/hn";
	f[7].value = "0";
	assert_int_not_equal(cy_entry_create("doc.register", f, 8, signer,
	    &out, NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_issue),
		cmocka_unit_test(test_copy_issue_label),
		cmocka_unit_test(test_every_type),
		cmocka_unit_test(test_denied),
		cmocka_unit_test(test_create_rejects),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_dates),
	};

	cy_error err;
	int rc;

	if (cy_init() != 0 || cy_idkey_generate(&signer, &err) != 0)
		return 1;
	memcpy(pk, cy_key_sign_public(signer), sizeof(pk));
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	cy_idkey_free(signer);
	return rc;
}
