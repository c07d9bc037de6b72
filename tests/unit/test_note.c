/* Signed notes and checkpoints against the published vectors
 * (../shared/testdata/merkle/signed-note/vectors.txt), and the rejects. */
#include "testutil.h"

#include <sodium.h>

#include "coyeu/buf.h"
#include "coyeu/file.h"
#include "coyeu/note.h"
#include "coyeu/secret.h"

static char *vectors;

static int
setup(void **state)
{
	const char *dir = testdata_dir("merkle");
	char path[4200];
	uint8_t *data;
	size_t len;
	cy_error err;

	assert_int_equal(cy_init(), 0);
	if (dir == NULL) {
		*state = NULL;
		return 0;
	}
	snprintf(path, sizeof(path), "%s/signed-note/vectors.txt", dir);
	if (cy_file_read(path, 1 << 20, &data, &len, &err) != 0)
		fail_msg("%s", err.msg);
	vectors = (char *)data;
	*state = vectors;
	return 0;
}

static int
teardown(void **state)
{
	free(vectors);
	return 0;
}

/* The rest of the line after `key` (first occurrence after `from`). */
static char *
value_after(const char *from, const char *key)
{
	const char *p = strstr(from, key), *e;

	if (p == NULL)
		fail_msg("vector '%s' missing", key);
	p += strlen(key);
	while (*p == ' ' || *p == '=' || *p == ':')
		p++;
	e = strchr(p, '\n');
	return strndup(p, (size_t)(e - p));
}

/* The quoted text of `text  = "…"`, with \n unescaped. */
static char *
quoted_text(const char *from)
{
	char *raw = value_after(from, "text"), *out = calloc(1, strlen(raw)), *o = out;
	const char *p = strchr(raw, '"') + 1;

	for (; *p && *p != '"'; p++) {
		if (p[0] == '\\' && p[1] == 'n') {
			*o++ = '\n';
			p++;
		} else {
			*o++ = *p;
		}
	}
	free(raw);
	return out;
}

static void
skip_without_vectors(void **state)
{
	if (*state == NULL)
		skip();
}

static void
test_go_vectors(void **state)
{
	const char *sec;
	char *skey, *vkey, *text, *sigline, *vkey2, *sig2, name[256];
	uint8_t seed[32], pk[32], sk[64];
	cy_note_verifier v, v2;
	cy_buf note = CY_BUF_INIT, two = CY_BUF_INIT;
	size_t tl;
	cy_error err;

	skip_without_vectors(state);
	sec = strstr(vectors, "## 1.");
	skey = value_after(sec, "skey");
	vkey = value_after(sec, "vkey");
	text = quoted_text(sec);
	sigline = value_after(sec, "— PeterNeumann") ;
	assert_int_equal(cy_note_signer_parse(skey, strlen(skey), name, seed,
	    &err), 0);
	assert_string_equal(name, "PeterNeumann");
	crypto_sign_seed_keypair(pk, sk, seed);
	assert_int_equal(cy_note_verifier_parse(vkey, strlen(vkey), &v, &err), 0);
	assert_memory_equal(v.pub, pk, 32);
	/* Ed25519 is deterministic: our signature is the published one. */
	assert_int_equal(cy_note_sign((uint8_t *)text, strlen(text), name, sk,
	    &note, &err), 0);
	assert_non_null(strstr((char *)note.data, sigline));
	assert_int_equal(cy_note_open(note.data, note.len, &v, &tl, &err), 0);
	assert_int_equal(tl, strlen(text));
	{
		char fmt[CY_NOTE_VKEY_MAX];
		assert_int_equal(cy_note_verifier_format(name, pk, fmt, &err), 0);
		assert_string_equal(fmt, vkey);
	}
	/* A second signer's line, verified with its own key. */
	vkey2 = value_after(sec, "second key:");
	sig2 = value_after(sec, "sig line:");
	assert_int_equal(cy_note_verifier_parse(vkey2, strlen(vkey2), &v2, &err), 0);
	cy_buf_append(&two, note.data, note.len);
	cy_buf_puts(&two, sig2);
	cy_buf_puts(&two, "\n");
	assert_int_equal(cy_note_open(two.data, two.len, &v2, &tl, &err), 0);
	assert_int_equal(cy_note_open(two.data, two.len, &v, &tl, &err), 0);
	/* One flipped bit of the text: refused. */
	two.data[3] ^= 1;
	assert_int_equal(cy_note_open(two.data, two.len, &v, &tl, &err),
	    CY_E_SIGNATURE);
	free(skey); free(vkey); free(text); free(sigline); free(vkey2); free(sig2);
	sodium_memzero(sk, sizeof(sk));
	cy_buf_free(&note);
	cy_buf_free(&two);
}

static void
test_negative_vkeys(void **state)
{
	const char *sec, *p;
	char *line;
	cy_note_verifier v;
	cy_error err;
	int n = 0;

	skip_without_vectors(state);
	sec = strstr(vectors, "negative vkeys:");
	for (p = sec; (p = strstr(p, "PeterNeumann+")) != NULL && n < 2; n++) {
		line = strndup(p, strcspn(p, " \n"));
		assert_int_equal(cy_note_verifier_parse(line, strlen(line), &v,
		    &err), CY_E_FORMAT);
		free(line);
		p++;
	}
	assert_int_equal(n, 2);
	/* A cosignature (type 0x04) key is not an Ed25519 note key. */
	line = value_after(strstr(vectors, "## 4."), "real cosigner vkey (type 0x04)");
	assert_int_equal(cy_note_verifier_parse(line, strlen(line), &v, &err),
	    CY_E_FORMAT);
	assert_non_null(strstr(err.msg, "unsupported signature type"));
	free(line);
}

static void
test_c2sp_example(void **state)
{
	const char *sec;
	char *vkey, *body, *sig;
	cy_note_verifier v;
	cy_buf note = CY_BUF_INIT;
	size_t tl;
	cy_error err;

	skip_without_vectors(state);
	sec = strstr(vectors, "## 2.");
	vkey = value_after(sec, "vkey");
	body = value_after(sec, "note:");
	body = (free(body), value_after(strstr(sec, "note:") + 6, ""));
	sig = value_after(sec, "— example.com/foo");
	cy_buf_puts(&note, body);
	cy_buf_puts(&note, "\n\n— example.com/foo ");
	cy_buf_puts(&note, sig);
	cy_buf_puts(&note, "\n");
	assert_int_equal(cy_note_verifier_parse(vkey, strlen(vkey), &v, &err), 0);
	if (cy_note_open(note.data, note.len, &v, &tl, &err) != 0)
		fail_msg("%s", err.msg);
	free(vkey); free(body); free(sig);
	cy_buf_free(&note);
}

static void
test_checkpoint(void **state)
{
	static const char go_sum[] = "go.sum database tree\n123456789012\n"
	    "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n";
	uint8_t want[32], pk[32], sk[64], in[12] = "\0hello world";
	cy_checkpoint c, back;
	cy_note_verifier v;
	cy_buf b = CY_BUF_INIT, signed_note = CY_BUF_INIT;
	char vkey[CY_NOTE_VKEY_MAX];
	size_t tl;
	cy_error err;

	(void)state;
	assert_int_equal(cy_checkpoint_parse((const uint8_t *)go_sum,
	    strlen(go_sum), &c, &err), 0);
	assert_int_equal(c.size, 123456789012ULL);
	crypto_hash_sha256(want, in, sizeof(in));
	assert_memory_equal(c.root, want, 32);
	/* Round trip through a signed checkpoint. */
	crypto_sign_keypair(pk, sk);
	snprintf(c.origin, sizeof(c.origin), "coyeu.example/register");
	assert_int_equal(cy_checkpoint_format(&c, &b), 0);
	assert_int_equal(cy_note_sign(b.data, b.len, c.origin, sk, &signed_note,
	    &err), 0);
	assert_int_equal(cy_note_verifier_format(c.origin, pk, vkey, &err), 0);
	assert_int_equal(cy_note_verifier_parse(vkey, strlen(vkey), &v, &err), 0);
	assert_int_equal(cy_checkpoint_open(signed_note.data, signed_note.len,
	    &v, &back, &err), 0);
	assert_int_equal(back.size, c.size);
	/* Rejects: leading zero, sign, short hash, missing line, blank line. */
	assert_int_equal(cy_checkpoint_parse((const uint8_t *)"o\n012\nx\n", 8,
	    &back, &err), CY_E_FORMAT);
	assert_int_equal(cy_checkpoint_parse((const uint8_t *)"o\n+1\n", 5,
	    &back, &err), CY_E_FORMAT);
	assert_int_equal(cy_checkpoint_parse((const uint8_t *)"o\n1\nAAAA\n", 9,
	    &back, &err), CY_E_FORMAT);
	assert_int_equal(cy_note_open((const uint8_t *)"text\n", 5, &v, &tl,
	    &err), CY_E_FORMAT);
	cy_buf_free(&b);
	cy_buf_free(&signed_note);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_go_vectors),
		cmocka_unit_test(test_negative_vkeys),
		cmocka_unit_test(test_c2sp_example),
		cmocka_unit_test(test_checkpoint),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
