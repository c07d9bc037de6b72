/* Signed notes, checkpoints and tlog-proof receipts: the signed-note
 * vectors, round trips, and every rejected form. */
#include <sodium.h>

#include "testutil.h"

#include "coyeu/encoding.h"
#include "coyeu/note.h"
#include "coyeu/secret.h"
#include "coyeu/tlogproof.h"

static char *vectors; /* signed-note/vectors.txt, NUL-terminated */

/* The rest of the first line that starts (after blanks) with prefix. */
static void
vec_line(const char *prefix, char *out, size_t cap)
{
	const char *p = vectors, *nl;
	size_t n;

	for (; *p != '\0'; p = nl + 1) {
		while (*p == ' ')
			p++;
		nl = strchr(p, '\n');
		assert_non_null(nl);
		if (strncmp(p, prefix, strlen(prefix)) == 0) {
			p += strlen(prefix);
			n = (size_t)(nl - p);
			assert_true(n < cap);
			memcpy(out, p, n);
			out[n] = '\0';
			return;
		}
	}
	fail_msg("no line starting with %s in vectors.txt", prefix);
}

/* The lines after the line `marker` up to and including the next line
 * that starts with an em dash. */
static void
vec_block(const char *marker, char *out, size_t cap)
{
	const char *p = strstr(vectors, marker), *end;

	assert_non_null(p);
	p = strchr(p + 1, '\n') + 1;
	end = strstr(p, "\n\xe2\x80\x94 ");
	assert_non_null(end);
	end = strchr(end + 1, '\n') + 1;
	assert_true((size_t)(end - p) < cap);
	memcpy(out, p, (size_t)(end - p));
	out[end - p] = '\0';
}

static int
setup(void **state)
{
	const char *dir = testdata_dir("merkle/signed-note");
	char path[4200];
	FILE *f;
	long n;

	(void)state;
	if (dir == NULL)
		return 0;
	snprintf(path, sizeof(path), "%s/vectors.txt", dir);
	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	vectors = calloc(1, (size_t)n + 1);
	if (vectors == NULL || fread(vectors, 1, (size_t)n, f) != (size_t)n)
		return -1;
	fclose(f);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	free(vectors);
	return 0;
}

static cy_note_verifier *
verifier(const char *s)
{
	cy_note_verifier *v = NULL;
	cy_error err;

	if (cy_note_verifier_parse(s, strlen(s), &v, &err) != 0)
		fail_msg("verifier %s: %s", s, err.msg);
	return v;
}

static int
open_note(const char *note, cy_note_verifier *const *vs, size_t nv,
    size_t *text_len, cy_error *err)
{
	return cy_note_open((const uint8_t *)note, strlen(note),
	    (const cy_note_verifier *const *)vs, nv, text_len, err);
}

static void
test_go_note_vector(void **state)
{
	char skey[256], vkey[256], vkey2[256], note[1024], sigline[256],
	    both[1400], s[CY_NOTE_KEY_STR_MAX];
	const char *text = "If you think cryptography is the answer to your problem,\n"
	    "then you don't know what your problem is.\n";
	cy_note_signer *signer = NULL;
	cy_note_verifier *v[2];
	cy_buf out = CY_BUF_INIT;
	cy_error err;
	size_t tl;

	(void)state;
	if (vectors == NULL)
		skip();
	vec_line("skey  = ", skey, sizeof(skey));
	vec_line("vkey  = ", vkey, sizeof(vkey));
	vec_block("signed note (exact bytes", note, sizeof(note));
	/* Signing is deterministic: we must reproduce the exact bytes. */
	assert_int_equal(cy_note_signer_parse(skey, strlen(skey), &signer, &err), 0);
	assert_string_equal(cy_note_signer_name(signer), "PeterNeumann");
	cy_note_signer_verifier_string(signer, s);
	assert_string_equal(s, vkey);
	assert_int_equal(cy_note_sign((const uint8_t *)text, strlen(text), signer,
	    &out, &err), 0);
	assert_int_equal(out.len, strlen(note));
	assert_memory_equal(out.data, note, out.len);
	cy_buf_free(&out);
	/* The signer string round-trips. */
	assert_int_equal(cy_note_signer_string(signer, &out, &err), 0);
	assert_int_equal(out.len, strlen(skey) + 1);
	assert_memory_equal(out.data, skey, strlen(skey));
	cy_buf_free(&out);
	cy_note_signer_free(signer);

	v[0] = verifier(vkey);
	assert_int_equal(cy_note_verifier_id(v[0]), 0xc74f20a3);
	cy_note_verifier_string(v[0], s);
	assert_string_equal(s, vkey);
	assert_int_equal(open_note(note, v, 1, &tl, &err), 0);
	assert_int_equal(tl, strlen(text));

	/* A second signature by EnochRoot: either key opens the note. */
	vec_line("second key: ", vkey2, sizeof(vkey2));
	vec_line("sig line: ", sigline, sizeof(sigline));
	snprintf(both, sizeof(both), "%s%s\n", note, sigline);
	v[1] = verifier(vkey2);
	assert_int_equal(open_note(both, v, 2, &tl, &err), 0);
	assert_int_equal(open_note(both, v + 1, 1, &tl, &err), 0);
	assert_int_equal(open_note(both, v, 1, &tl, &err), 0);
	/* With Enoch's signature damaged, his key refuses the note. */
	{
		char *c = strrchr(both, ' ') + 12; /* inside the Ed25519 bytes */

		*c = *c == 'A' ? 'B' : 'A';
	}
	assert_int_equal(open_note(both, v + 1, 1, &tl, &err), CY_E_SIGNATURE);
	assert_string_equal(err.msg, "the signature by EnochRoot does not verify");
	/* Known keys' signatures must all verify; an unknown one is ignored. */
	assert_int_equal(open_note(both, v, 2, &tl, &err), CY_E_SIGNATURE);
	assert_int_equal(open_note(both, v, 1, &tl, &err), 0);
	cy_note_verifier_free(v[0]);
	cy_note_verifier_free(v[1]);
}

static void
test_bad_verifier_keys(void **state)
{
	char line[256], *sp;
	cy_note_verifier *v;
	cy_error err;

	(void)state;
	if (vectors == NULL)
		skip();
	vec_line("negative vkeys: ", line, sizeof(line));
	*strchr(line, ' ') = '\0';
	assert_int_equal(cy_note_verifier_parse(line, strlen(line), &v, &err),
	    CY_E_FORMAT);
	assert_null(v);
	vec_line("PeterNeumann+173116ae", line, sizeof(line));
	memmove(line + 21, line, strlen(line) + 1);
	memcpy(line, "PeterNeumann+173116ae", 21);
	*strchr(line, ' ') = '\0';
	assert_int_equal(cy_note_verifier_parse(line, strlen(line), &v, &err),
	    CY_E_FORMAT);
	assert_string_equal(err.msg, "unsupported key type 0x65 (only Ed25519, 0x01)");
	/* A cosigner key (type 0x04) is not ours to verify. */
	vec_line("real cosigner vkey (type 0x04): ", line, sizeof(line));
	assert_int_equal(cy_note_verifier_parse(line, strlen(line), &v, &err),
	    CY_E_FORMAT);
	assert_string_equal(err.msg, "unsupported key type 0x04 (only Ed25519, 0x01)");
	/* Hand-made damage. */
	assert_int_equal(cy_note_verifier_parse("a+b", 3, &v, &err), CY_E_FORMAT);
	assert_int_equal(cy_note_verifier_parse(
	    "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	    66, &v, &err), CY_E_FORMAT);
	assert_string_equal(err.msg, "key ID c74f20a4 does not match the name and key");
	assert_int_equal(cy_note_verifier_parse(
	    "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	    67, &v, &err), CY_E_FORMAT);
	assert_int_equal(cy_note_verifier_parse(
	    "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	    65, &v, &err), CY_E_FORMAT);
	assert_string_equal(err.msg, "key ID is not 8 lowercase hex digits");
	assert_int_equal(cy_note_verifier_parse(
	    "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	    66, &v, &err), CY_E_FORMAT);
	sp = "PRIVATE+KEY+PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
	/* A public key where the seed belongs derives another key ID. */
	{
		cy_note_signer *s;

		assert_int_equal(cy_note_signer_parse(sp, strlen(sp), &s, &err),
		    CY_E_FORMAT);
		assert_null(s);
		assert_int_equal(cy_note_signer_parse(sp + 8, strlen(sp) - 8, &s,
		    &err), CY_E_FORMAT);
	}
}

static void
test_c2sp_example_and_cosignature(void **state)
{
	char vkey[256], note[1024], with_cosig[1400], sig[256];
	cy_note_verifier *v;
	cy_error err;
	size_t tl;

	(void)state;
	if (vectors == NULL)
		skip();
	vec_line("vkey = ", vkey, sizeof(vkey));
	vec_block("\nnote:", note, sizeof(note));
	v = verifier(vkey);
	assert_int_equal(open_note(note, &v, 1, &tl, &err), 0);
	assert_int_equal(tl, strlen("This is an example message.\n"));
	/* A witness cosignature (type 0x04) by an unknown key is ignored. */
	vec_line("sig base64 ", sig, sizeof(sig));
	snprintf(with_cosig, sizeof(with_cosig),
	    "%s\xe2\x80\x94 remora.n621.de %s\n", note, sig);
	assert_int_equal(open_note(with_cosig, &v, 1, &tl, &err), 0);
	/* A note with only unknown signatures is refused. */
	snprintf(with_cosig, sizeof(with_cosig),
	    "This is an example message.\n\n\xe2\x80\x94 remora.n621.de %s\n", sig);
	assert_int_equal(open_note(with_cosig, &v, 1, &tl, &err), CY_E_SIGNATURE);
	assert_string_equal(err.msg, "note is not signed by a known key");
	cy_note_verifier_free(v);
}

static void
test_go_sum_checkpoint(void **state)
{
	char line[256], text[256], *q;
	uint8_t want[CY_HASH_LEN];
	cy_checkpoint c;
	cy_error err;
	size_t n = 0;

	(void)state;
	if (vectors == NULL)
		skip();
	vec_line("\"go.sum database tree", line, sizeof(line));
	/* Unescape the Go string literal's \n. */
	n = (size_t)snprintf(text, sizeof(text), "go.sum database tree");
	for (q = line; *q != '"'; q++) {
		if (q[0] == '\\' && q[1] == 'n') {
			text[n++] = '\n';
			q++;
		} else {
			text[n++] = *q;
		}
	}
	text[n] = '\0';
	assert_int_equal(cy_checkpoint_parse((uint8_t *)text, n, &c, &err), 0);
	assert_string_equal(c.origin, "go.sum database tree");
	assert_int_equal(c.size, 123456789012ULL);
	assert_int_equal(cy_merkle_leaf_hash(NULL, "hello world", 11, want), 0);
	assert_memory_equal(c.root, want, CY_HASH_LEN);
}

static void
test_note_rejects(void **state)
{
	cy_note_signer *s;
	cy_note_verifier *v;
	cy_buf note = CY_BUF_INIT, big = CY_BUF_INIT;
	char vs[CY_NOTE_KEY_STR_MAX], *t;
	cy_error err;
	size_t tl;
	int i;

	(void)state;
	assert_int_equal(cy_note_signer_generate("log.example/x", &s, &err), 0);
	cy_note_signer_verifier_string(s, vs);
	v = verifier(vs);
	assert_int_equal(cy_note_sign((const uint8_t *)"hello\n\nworld\n", 13, s,
	    &note, &err), 0);
	/* A text with a blank line inside still opens: the last one splits. */
	assert_int_equal(cy_note_open(note.data, note.len,
	    (const cy_note_verifier *const *)&v, 1, &tl, &err), 0);
	assert_int_equal(tl, 13);
	/* Flipping any byte of the text or the signature breaks it. */
	for (size_t i2 = 0; i2 < note.len - 1; i2++) {
		note.data[i2] ^= 0x01;
		assert_int_not_equal(cy_note_open(note.data, note.len,
		    (const cy_note_verifier *const *)&v, 1, &tl, &err), 0);
		note.data[i2] ^= 0x01;
	}
	/* Signing refuses bad text. */
	assert_int_equal(cy_note_sign((const uint8_t *)"no newline", 10, s, &big,
	    &err), CY_E_USAGE);
	assert_int_equal(cy_note_sign((const uint8_t *)"tab\there\n", 9, s, &big,
	    &err), CY_E_USAGE);
	assert_int_equal(cy_note_sign((const uint8_t *)"\xc0\xaf\n", 3, s, &big,
	    &err), CY_E_USAGE);
	{
		cy_note_signer *none;
		assert_int_equal(cy_note_signer_generate("bad name", &none, &err),
		    CY_E_FORMAT);
		assert_int_equal(cy_note_signer_generate("a+b", &none, &err),
		    CY_E_FORMAT);
		assert_int_equal(cy_note_signer_generate("nbsp\xc2\xa0", &none,
		    &err), CY_E_FORMAT);
	}
	/* Forms that cy_note_open refuses, each with its reason. */
	static const struct {
		const char *note, *msg;
	} bad[] = {
		{"text\n", "note has no blank line before its signatures"},
		{"text\n\n", "note has no signature"},
		{"text\n\n\xe2\x80\x94 a QUJDREU=", "note does not end with a newline"},
		{"text\n\n- a QUJDREU=\n", "a signature line must start with an em dash and a space"},
		{"text\n\n\xe2\x80\x94 aQUJDREU=\n", "a signature line reads \"— <name> <base64>\""},
		{"text\n\n\xe2\x80\x94 a QUJDRE=\n", "signature is not base64"},
		{"text\n\n\xe2\x80\x94 a QUJD\n", "signature too short"},
		{"te\rxt\n\n\xe2\x80\x94 a QUJDREU=\n", "note is not UTF-8 text free of control characters"},
		{"te\xffxt\n\n\xe2\x80\x94 a QUJDREU=\n", "note is not UTF-8 text free of control characters"},
		{"text\n\n\xe2\x80\x94 a+b QUJDREU=\n", "bad key name in a signature line"},
	};
	for (i = 0; i < (int)(sizeof(bad) / sizeof(bad[0])); i++) {
		err.msg[0] = '\0';
		assert_int_not_equal(cy_note_open((const uint8_t *)bad[i].note,
		    strlen(bad[i].note), (const cy_note_verifier *const *)&v, 1,
		    &tl, &err), 0);
		assert_string_equal(err.msg, bad[i].msg);
	}
	/* More than 100 signature lines. */
	cy_buf_puts(&big, "text\n\n");
	for (i = 0; i < CY_NOTE_SIGS_MAX + 1; i++)
		cy_buf_puts(&big, "\xe2\x80\x94 other QUJDREU=\n");
	assert_int_equal(cy_note_open(big.data, big.len,
	    (const cy_note_verifier *const *)&v, 1, &tl, &err), CY_E_TOO_LARGE);
	cy_buf_free(&big);
	/* Larger than the cap. */
	t = calloc(1, CY_NOTE_MAX + 2);
	memset(t, 'a', CY_NOTE_MAX + 1);
	assert_int_equal(cy_note_open((uint8_t *)t, CY_NOTE_MAX + 1,
	    (const cy_note_verifier *const *)&v, 1, &tl, &err), CY_E_TOO_LARGE);
	free(t);
	cy_buf_free(&note);
	cy_note_signer_free(s);
	cy_note_verifier_free(v);
}

static void
test_checkpoint(void **state)
{
	cy_note_signer *s, *other;
	cy_note_verifier *v, *vo;
	char vs[CY_NOTE_KEY_STR_MAX];
	cy_checkpoint c, got;
	cy_buf note = CY_BUF_INIT;
	cy_error err;
	unsigned i;

	(void)state;
	assert_int_equal(cy_note_signer_generate("register.example/hcm", &s, &err), 0);
	assert_int_equal(cy_note_signer_generate("register.example/hn", &other,
	    &err), 0);
	cy_note_signer_verifier_string(s, vs);
	v = verifier(vs);
	cy_note_signer_verifier_string(other, vs);
	vo = verifier(vs);
	memset(&c, 0, sizeof(c));
	strcpy(c.origin, "register.example/hcm");
	c.size = UINT64_MAX;
	for (i = 0; i < CY_HASH_LEN; i++)
		c.root[i] = (uint8_t)i;
	assert_int_equal(cy_checkpoint_sign(&c, s, &note, &err), 0);
	assert_int_equal(cy_checkpoint_open(note.data, note.len, v, &got, &err), 0);
	assert_string_equal(got.origin, c.origin);
	assert_int_equal(got.size, UINT64_MAX);
	assert_memory_equal(got.root, c.root, CY_HASH_LEN);
	/* Another log's key does not open it. */
	assert_int_equal(cy_checkpoint_open(note.data, note.len, vo, &got, &err),
	    CY_E_SIGNATURE);
	cy_buf_free(&note);
	/* The other log signing our origin is refused by origin, too. */
	assert_int_equal(cy_checkpoint_sign(&c, other, &note, &err), 0);
	assert_int_equal(cy_checkpoint_open(note.data, note.len, vo, &got, &err),
	    CY_E_POLICY);
	cy_buf_free(&note);

	static const struct {
		const char *text, *msg;
	} bad[] = {
		{"", "checkpoint has no origin line"},
		{"\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", "checkpoint has no origin line"},
		{"o\n01\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", "checkpoint tree size is not a canonical decimal number"},
		{"o\n-1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", "checkpoint tree size is not a canonical decimal number"},
		{"o\n18446744073709551616\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", "checkpoint tree size is not a canonical decimal number"},
		{"o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n", "checkpoint root hash is not 32 bytes of base64"},
		{"o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "checkpoint root hash is not 32 bytes of base64"},
		/* 44 characters without padding: 33 bytes (found by fuzzing). */
		{"o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n", "checkpoint root hash is not 32 bytes of base64"},
		{"o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n", "checkpoint extension lines must not be empty"},
	};
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(cy_checkpoint_parse((const uint8_t *)bad[i].text,
		    strlen(bad[i].text), &got, &err), CY_E_FORMAT);
		assert_string_equal(err.msg, bad[i].msg);
	}
	assert_int_equal(cy_checkpoint_parse((const uint8_t *)
	    "o\n0\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nextension\n", 59,
	    &got, &err), 0);
	assert_int_equal(got.size, 0);
	cy_note_signer_free(s);
	cy_note_signer_free(other);
	cy_note_verifier_free(v);
	cy_note_verifier_free(vo);
}

/* The base64 of the signature line of `note` that follows the line
 * starting with an em dash number `which` (0: the first). */
static char *
sig_b64(cy_buf *note, int which)
{
	char *p = strstr((char *)note->data, "\n\n\xe2\x80\x94 ");

	assert_non_null(p);
	p += 2;
	while (which-- > 0)
		p = strchr(p, '\n') + 1;
	return strchr(strchr(p, ' ') + 1, ' ') + 1; /* after "— <name> " */
}

/* c2sp.org/tlog-cosignature, Ed25519: the register's timestamped
 * cosignature over each checkpoint, checked against the spec's own words
 * and the vectors' encoding, and refused when its time is altered. */
static void
test_cosignature(void **state)
{
	static const char name[] = "register.example/hcm";
	char vs[CY_NOTE_KEY_STR_MAX], cs[CY_NOTE_KEY_STR_MAX], vec[256], *b64;
	uint8_t sig[128], vsig[128], h[32], buf[300];
	const uint8_t *pub;
	cy_buf note = CY_BUF_INIT, text = CY_BUF_INIT, msg = CY_BUF_INIT;
	cy_note_signer *s;
	cy_note_verifier *v;
	cy_checkpoint c, got;
	cy_error err;
	size_t n, vn;

	(void)state;
	assert_int_equal(cy_note_signer_generate(name, &s, &err), 0);
	cy_note_signer_verifier_string(s, vs);
	v = verifier(vs);
	pub = cy_note_verifier_key(v);
	memset(&c, 0, sizeof(c));
	strcpy(c.origin, name);
	c.size = 5;
	c.has_previous = 1;
	c.previous = 2;
	c.time = 1727964367; /* the vector's time */
	assert_int_equal(cy_checkpoint_sign(&c, s, &note, &err), 0);
	assert_int_equal(cy_checkpoint_open(note.data, note.len, v, &got, &err), 0);
	assert_int_equal(got.time, 1727964367);
	assert_int_equal(got.has_previous, 1);
	assert_int_equal(got.previous, 2);
	assert_int_equal(cy_checkpoint_format(&c, &text, &err), 0);
	assert_non_null(strstr((char *)text.data, "\ncoyeu.v1/previous 2\n"));
	/* The second signature line: key ID (0x04 one) || u64 BE time || sig
	 * over "cosignature/v1\ntime <t>\n" || the checkpoint text. */
	b64 = sig_b64(&note, 1);
	assert_int_equal(cy_b64_decode(sig, &n, b64, strcspn(b64, "\n"), 1), 0);
	assert_int_equal(n, 76);
	memcpy(buf, name, strlen(name));
	buf[strlen(name)] = '\n';
	buf[strlen(name) + 1] = 0x04;
	memcpy(buf + strlen(name) + 2, pub, 32);
	crypto_hash_sha256(h, buf, strlen(name) + 34);
	assert_memory_equal(sig, h, 4);
	cy_buf_printf(&msg, "cosignature/v1\ntime 1727964367\n");
	cy_buf_append(&msg, text.data, text.len);
	assert_int_equal(crypto_sign_verify_detached(sig + 12, msg.data, msg.len,
	    pub), 0);
	/* The vectors' cosignature has the same layout and time encoding. */
	if (vectors != NULL) {
		vec_line("sig base64 ", vec, sizeof(vec));
		assert_int_equal(cy_b64_decode(vsig, &vn, vec, strlen(vec), 1), 0);
		assert_int_equal(vn, 76);
		assert_memory_equal(vsig + 4, sig + 4, 8);
		/* And the cosigner key form: remora's 0x04 vkey from its 0x01
		 * twin (same name and public key). */
		vec_line("real cosigner vkey (type 0x04): ", vec, sizeof(vec));
		assert_int_equal(cy_b64_decode(vsig, &vn, strrchr(vec, '+') + 1,
		    strlen(strrchr(vec, '+') + 1), 1), 0);
		assert_int_equal(vn, 33);
		memcpy(buf, "remora.n621.de\n\x01", 16);
		memcpy(buf + 16, vsig + 1, 32);
		crypto_hash_sha256(h, buf, 48);
		cy_note_verifier_free(v);
		snprintf(cs, sizeof(cs), "remora.n621.de+%02x%02x%02x%02x+", h[0],
		    h[1], h[2], h[3]);
		vsig[0] = 0x01;
		cy_b64_encode(cs + strlen(cs), vsig, 33, 1);
		v = verifier(cs);
		cy_note_verifier_cosig_string(v, cs);
		assert_string_equal(cs, vec);
		cy_note_verifier_free(v);
		v = verifier(vs);
	}
	/* An altered time (one second later) is refused... */
	sig[11] ^= 1;
	cy_b64_encode(b64, sig, 76, 1);
	b64[CY_B64_PADDED_LEN(76)] = '\n'; /* over the encoder's NUL */
	assert_int_equal(cy_checkpoint_open(note.data, note.len, v, &got, &err),
	    CY_E_SIGNATURE);
	assert_string_equal(err.msg, "the timestamped cosignature by "
	    "register.example/hcm does not verify (its time or the checkpoint was "
	    "altered)");
	/* ...as is a checkpoint without the cosignature, or with two. */
	note.len = 0;
	assert_int_equal(cy_note_sign(text.data, text.len, s, &note, &err), 0);
	assert_int_equal(cy_checkpoint_open(note.data, note.len, v, &got, &err),
	    CY_E_SIGNATURE);
	assert_string_equal(err.msg, "the note carries no timestamped cosignature "
	    "by register.example/hcm");
	assert_int_equal(cy_note_cosign(text.data, text.len, 1, s, &note, &err), 0);
	assert_int_equal(cy_checkpoint_open(note.data, note.len, v, &got, &err), 0);
	assert_int_equal(got.time, 1);
	assert_int_equal(cy_note_cosign(text.data, text.len, 2, s, &note, &err), 0);
	assert_int_equal(cy_checkpoint_open(note.data, note.len, v, &got, &err),
	    CY_E_SIGNATURE);
	assert_string_equal(err.msg, "the note carries two timestamped "
	    "cosignatures by register.example/hcm");
	assert_int_equal(cy_note_cosign(text.data, text.len, (uint64_t)1 << 63, s,
	    &note, &err), CY_E_USAGE);
	/* The previous-size line: below the size, once. */
	assert_int_equal(cy_checkpoint_parse((const uint8_t *)"o\n5\n"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\ncoyeu.v1/previous 5\n",
	    strlen("o\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
	    "coyeu.v1/previous 5\n"), &got, &err), CY_E_FORMAT);
	assert_int_equal(cy_checkpoint_parse((const uint8_t *)"o\n5\n"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\ncoyeu.v1/previous 1\n"
	    "coyeu.v1/previous 1\n", strlen("o\n5\n"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\ncoyeu.v1/previous 1\n"
	    "coyeu.v1/previous 1\n"), &got, &err), CY_E_FORMAT);
	/* ...and only as the first extension line (the text formats back). */
	assert_int_equal(cy_checkpoint_parse((const uint8_t *)"o\n5\n"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\next\ncoyeu.v1/previous 1\n",
	    strlen("o\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\next\n"
	    "coyeu.v1/previous 1\n"), &got, &err), CY_E_FORMAT);
	cy_buf_free(&note);
	cy_buf_free(&text);
	cy_buf_free(&msg);
	cy_note_signer_free(s);
	cy_note_verifier_free(v);
}

/* A 7-leaf tree in memory for receipt tests. */
static uint8_t tree[7][CY_HASH_LEN];

static int
tree_node(void *ctx, unsigned level, uint64_t index, uint8_t out[CY_HASH_LEN],
    cy_error *err)
{
	uint8_t l[CY_HASH_LEN], r[CY_HASH_LEN];

	(void)ctx;
	if (level == 0) {
		memcpy(out, tree[index], CY_HASH_LEN);
		return 0;
	}
	if (tree_node(NULL, level - 1, 2 * index, l, err) != 0 ||
	    tree_node(NULL, level - 1, 2 * index + 1, r, err) != 0)
		return -1;
	return cy_merkle_node_hash(NULL, l, r, out);
}

static void
test_tlogproof(void **state)
{
	static const char *const entries[7] = {"a\n", "b\n", "c\n", "d\n", "e\n",
		"f\n", "g\n"};
	uint8_t proof[CY_MERKLE_PROOF_MAX][CY_HASH_LEN];
	const uint8_t (*hashes)[CY_HASH_LEN];
	char vs[CY_NOTE_KEY_STR_MAX];
	const uint8_t *p;
	cy_note_signer *s;
	cy_note_verifier *v;
	cy_checkpoint c, got;
	cy_buf note = CY_BUF_INIT, text = CY_BUF_INIT;
	cy_tlogproof *t;
	cy_error err;
	size_t n, len, i, b;

	(void)state;
	for (i = 0; i < 7; i++)
		assert_int_equal(cy_merkle_leaf_hash(NULL, entries[i], 2, tree[i]), 0);
	assert_int_equal(cy_note_signer_generate("reg.example/t", &s, &err), 0);
	cy_note_signer_verifier_string(s, vs);
	v = verifier(vs);
	memset(&c, 0, sizeof(c));
	strcpy(c.origin, "reg.example/t");
	c.size = 7;
	assert_int_equal(cy_merkle_root(tree_node, NULL, NULL, 7, c.root, &err), 0);
	assert_int_equal(cy_checkpoint_sign(&c, s, &note, &err), 0);
	assert_int_equal(cy_merkle_inclusion_proof(tree_node, NULL, NULL, 5, 7,
	    proof, &n, &err), 0);
	assert_int_equal(cy_tlogproof_format(5, proof, n, (const uint8_t *)"ctx", 3,
	    note.data, note.len, &text, &err), 0);
	assert_int_equal(cy_tlogproof_parse(text.data, text.len, &t, &err), 0);
	assert_int_equal(cy_tlogproof_index(t), 5);
	assert_int_equal(cy_tlogproof_hashes(t, &hashes), n);
	assert_memory_equal(hashes, proof, n * CY_HASH_LEN);
	p = cy_tlogproof_extra(t, &len);
	assert_int_equal(len, 3);
	assert_memory_equal(p, "ctx", 3);
	p = cy_tlogproof_note(t, &len);
	assert_int_equal(len, note.len);
	assert_int_equal(cy_tlogproof_verify(t, v, (const uint8_t *)"f\n", 2, &got,
	    &err), 0);
	assert_int_equal(got.size, 7);
	assert_int_equal(cy_tlogproof_verify(t, v, (const uint8_t *)"e\n", 2, &got,
	    &err), CY_E_PROOF);
	assert_string_equal(err.msg, "entry 5 in the tree of size 7: "
	    "the proof leads to a different root hash");
	cy_tlogproof_free(t);
	/* Flipping any bit of the receipt outside the (unauthenticated, by
	 * design) extra data makes it fail: the signed checkpoint binds size
	 * and root, the path binds the index. */
	{
		const char *es = strstr((char *)text.data, "extra ") + 6;
		size_t extra_at = (size_t)(es - (char *)text.data);

		for (i = 0; i < text.len; i++) {
			if (i >= extra_at && i < extra_at + 4)
				continue;
			for (b = 0; b < 8; b++) {
				text.data[i] ^= (uint8_t)(1 << b);
				if (cy_tlogproof_parse(text.data, text.len, &t,
				    NULL) == 0) {
					assert_int_not_equal(cy_tlogproof_verify(t,
					    v, (const uint8_t *)"f\n", 2, NULL,
					    NULL), 0);
					cy_tlogproof_free(t);
				}
				text.data[i] ^= (uint8_t)(1 << b);
			}
		}
	}
	cy_buf_free(&text);

	static const struct {
		const char *text, *msg;
	} bad[] = {
		{"c2sp.org/tlog-proof@v2\nindex 1\n\nx", "not a tlog proof: the first line must be c2sp.org/tlog-proof@v1"},
		{"c2sp.org/tlog-proof@v1\n", "tlog proof has no index line"},
		{"c2sp.org/tlog-proof@v1\nindex 01\n\nx", "tlog proof index line must read \"index <decimal>\""},
		{"c2sp.org/tlog-proof@v1\nextra !!\nindex 1\n\nx", "extra data is not base64"},
		{"c2sp.org/tlog-proof@v1\nindex 1\nAAAA\n\nx", "tlog proof line 1 is not a base64 SHA-256 hash"},
		{"c2sp.org/tlog-proof@v1\nindex 1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n\nx", "tlog proof line 1 is not a base64 SHA-256 hash"},
		{"c2sp.org/tlog-proof@v1\nindex 1\n", "tlog proof has no blank line before its checkpoint"},
		{"c2sp.org/tlog-proof@v1\nindex 1\n\n", "tlog proof has no checkpoint"},
	};
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(cy_tlogproof_parse((const uint8_t *)bad[i].text,
		    strlen(bad[i].text), &t, &err), CY_E_FORMAT);
		assert_null(t);
		assert_string_equal(err.msg, bad[i].msg);
	}
	cy_buf_free(&note);
	cy_note_signer_free(s);
	cy_note_verifier_free(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_go_note_vector),
		cmocka_unit_test(test_bad_verifier_keys),
		cmocka_unit_test(test_c2sp_example_and_cosignature),
		cmocka_unit_test(test_go_sum_checkpoint),
		cmocka_unit_test(test_note_rejects),
		cmocka_unit_test(test_checkpoint),
		cmocka_unit_test(test_cosignature),
		cmocka_unit_test(test_tlogproof),
	};

	if (cy_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
