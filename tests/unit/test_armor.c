#include "testutil.h"

#include <dirent.h>
#include <zlib.h>

#include "age/armor.h"

#define BEGIN CY_ARMOR_BEGIN "\n"
#define END CY_ARMOR_END "\n"
#define INTRO "age-encryption.org/v1\n"
#define VECTOR_MAX (64u << 20)

/* How run_decoder cuts its input. */
enum split { WHOLE, BYTES, RANDOM };

/* Decodes p in pieces; returns the code of the first failure (or 0) and
 * the decoded bytes in out. */
static int
run_decoder(const uint8_t *p, size_t n, enum split how, cy_buf *out,
    cy_error *err)
{
	cy_armor_dec *d = cy_armor_dec_new();
	size_t i = 0, k;
	int rc = 0;

	assert_non_null(d);
	cy_error_clear(err);
	while (i < n && rc == 0) {
		k = how == WHOLE ? n - i : how == BYTES ? 1 : 1 + test_rng() % 97;
		if (k > n - i)
			k = n - i;
		rc = cy_armor_dec_update(d, p + i, k, out, err);
		i += k;
	}
	if (rc == 0)
		rc = cy_armor_dec_final(d, out, err);
	cy_armor_dec_free(d);
	return rc;
}

/* All three ways of cutting must agree; returns their common result. */
static int
decode_all_ways(const uint8_t *p, size_t n, cy_buf *out, cy_error *err)
{
	cy_buf other = CY_BUF_INIT;
	cy_error err2;
	int rc, rc2, how;

	rc = run_decoder(p, n, WHOLE, out, err);
	for (how = BYTES; how <= RANDOM; how++) {
		other.len = 0;
		rc2 = run_decoder(p, n, (enum split)how, &other, &err2);
		assert_int_equal(rc2, rc);
		assert_string_equal(err2.msg, rc == 0 ? "" : err->msg);
		if (rc == 0) {
			assert_int_equal(other.len, out->len);
			if (out->len > 0)
				assert_memory_equal(other.data, out->data,
				    out->len);
		}
	}
	cy_buf_free(&other);
	return rc;
}

/* Decodes a string, expecting success and exactly `want`. */
static void
expect_ok(const char *in, const char *want, size_t wantlen)
{
	cy_buf out = CY_BUF_INIT;
	cy_error err;

	if (decode_all_ways((const uint8_t *)in, strlen(in), &out, &err) != 0)
		fail_msg("%s: rejected: %s", in, err.msg);
	assert_int_equal(out.len, wantlen);
	if (wantlen > 0)
		assert_memory_equal(out.data, want, wantlen);
	cy_buf_free(&out);
}

/* Decodes a string, expecting CY_E_ARMOR with `want` in the message. */
static void
expect_armor_error(const char *in, size_t n, const char *want)
{
	cy_buf out = CY_BUF_INIT;
	cy_error err;

	assert_int_equal(decode_all_ways((const uint8_t *)in, n, &out, &err),
	    CY_E_ARMOR);
	assert_int_equal(err.code, CY_E_ARMOR);
	if (strstr(err.msg, want) == NULL)
		fail_msg("got \"%s\", want \"%s\" for:\n%s", err.msg, want, in);
	cy_buf_free(&out);
}

#define OK(in, want) expect_ok(in, want, sizeof(want) - 1)
#define BAD(in, want) expect_armor_error(in, strlen(in), want)

/* ---- the cctv-age vectors ---- */

struct vector {
	char name[256];
	char expect[64];
	int armored;
	uint8_t *body;
	size_t len;
};

static uint8_t *
inflate_all(const uint8_t *p, size_t n, size_t *outlen)
{
	z_stream z;
	uint8_t *buf = NULL, *nb;
	size_t cap = 0;
	int zr;

	memset(&z, 0, sizeof(z));
	assert_int_equal(inflateInit(&z), Z_OK);
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	do {
		if (z.total_out == cap) {
			cap = cap ? cap * 2 : 1u << 16;
			assert_true(cap <= VECTOR_MAX);
			nb = realloc(buf, cap);
			assert_non_null(nb);
			buf = nb;
		}
		z.next_out = buf + z.total_out;
		z.avail_out = (uInt)(cap - z.total_out);
		zr = inflate(&z, Z_NO_FLUSH);
	} while (zr == Z_OK);
	assert_int_equal(zr, Z_STREAM_END);
	*outlen = z.total_out;
	inflateEnd(&z);
	return buf;
}

static const char *
header_value(const char *hdr, const char *key, char *val, size_t cap)
{
	size_t klen = strlen(key);
	const char *l, *e;

	for (l = hdr; *l != '\0'; l = e + (*e != '\0')) {
		e = strchr(l, '\n');
		if (e == NULL)
			e = l + strlen(l);
		if ((size_t)(e - l) > klen + 2 && memcmp(l, key, klen) == 0 &&
		    l[klen] == ':' && l[klen + 1] == ' ') {
			snprintf(val, cap, "%.*s", (int)(e - l - klen - 2),
			    l + klen + 2);
			return val;
		}
	}
	return NULL;
}

static void
load_vector(const char *dir, const char *name, struct vector *v)
{
	char path[8192], val[64], *hdr;
	uint8_t *raw, *sep;
	size_t n, hlen;
	FILE *f;
	long sz;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	sz = ftell(f);
	assert_true(sz >= 0 && (unsigned long)sz < VECTOR_MAX);
	rewind(f);
	raw = malloc((size_t)sz + 1);
	assert_non_null(raw);
	n = fread(raw, 1, (size_t)sz, f);
	assert_int_equal(n, (size_t)sz);
	fclose(f);
	raw[n] = '\0';

	sep = memmem(raw, n, "\n\n", 2);
	assert_non_null(sep);
	hlen = (size_t)(sep - raw) + 1;
	hdr = strndup((char *)raw, hlen);
	assert_non_null(hdr);
	snprintf(v->name, sizeof(v->name), "%s", name);
	assert_non_null(header_value(hdr, "expect", v->expect,
	    sizeof(v->expect)));
	v->armored = header_value(hdr, "armored", val, sizeof(val)) != NULL &&
	    strcmp(val, "yes") == 0;
	if (header_value(hdr, "compressed", val, sizeof(val)) != NULL) {
		assert_string_equal(val, "zlib");
		v->body = inflate_all(sep + 2, n - hlen - 1, &v->len);
	} else {
		v->len = n - hlen - 1;
		v->body = malloc(v->len + 1);
		assert_non_null(v->body);
		memcpy(v->body, sep + 2, v->len);
	}
	free(hdr);
	free(raw);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The rule each armor-failure vector must trip (a prefix of its message
 * after "armor line N: "). */
static const char *const vector_errors[][2] = {
	{"armor_empty_last_line", "empty line inside the armor"},
	{"armor_empty_line_begin", "empty line inside the armor"},
	{"armor_empty_line_end", "empty line inside the armor"},
	{"armor_eol_between_padding", "base64 line of 19 characters is not "
	    "padded"},
	{"armor_garbage_leading", "not the armor begin line"},
	{"armor_garbage_trailing", "data after the end line"},
	{"armor_headers", "':' in a base64 line"},
	{"armor_invalid_character_header", "'*' in a base64 line"},
	{"armor_invalid_character_payload", "'*' in a base64 line"},
	{"armor_long_line", "line longer than 64 columns"},
	{"armor_lowercase", "not the armor begin line"},
	{"armor_no_end_line", "input ends without the end line"},
	{"armor_no_padding", "base64 line of 15 characters is not padded"},
	{"armor_not_canonical", "invalid base64"},
	{"armor_pgp_checksum", "empty line inside the armor"},
	{"armor_short_line", "base64 line after a short or padded line"},
	{"armor_whitespace_begin", "not the armor begin line"},
	{"armor_whitespace_end", "not the armor end line"},
	{"armor_whitespace_eol", "a space in a base64 line"},
	{"armor_whitespace_last_line", "a space in a base64 line"},
	{"armor_whitespace_line_start", "a space in a base64 line"},
	{"armor_wrong_type", "not the armor begin line"},
};

static int
is_ws(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* age wrote these files: re-encoding what we decoded must give the same
 * text, once the tolerated differences (surrounding whitespace, CRLF, the
 * final line ending) are normalised. */
static void
check_reencode(const struct vector *v, const cy_buf *dec)
{
	cy_armor_enc *e = cy_armor_enc_new();
	cy_buf enc = CY_BUF_INIT, norm = CY_BUF_INIT;
	size_t a = 0, b = v->len, i;

	assert_non_null(e);
	cy_armor_enc_update(e, dec->data, dec->len, &enc);
	cy_armor_enc_final(e, &enc);
	while (a < b && is_ws(v->body[a]))
		a++;
	while (b > a && is_ws(v->body[b - 1]))
		b--;
	for (i = a; i < b; i++)
		if (v->body[i] != '\r')
			cy_buf_append(&norm, v->body + i, 1);
	cy_buf_puts(&norm, "\n");
	assert_int_equal(cy_buf_status(&enc), 0);
	assert_int_equal(cy_buf_status(&norm), 0);
	if (enc.len != norm.len || memcmp(enc.data, norm.data, enc.len) != 0)
		fail_msg("%s: re-encoding differs:\n%s", v->name,
		    (char *)enc.data);
	cy_armor_enc_free(e);
	cy_buf_free(&enc);
	cy_buf_free(&norm);
}

static void
check_armored_vector(const struct vector *v, int *failures, int *successes)
{
	cy_buf out = CY_BUF_INIT;
	cy_error err;
	size_t i;
	int rc;

	rc = decode_all_ways(v->body, v->len, &out, &err);
	if (strcmp(v->expect, "armor failure") == 0) {
		if (rc != CY_E_ARMOR)
			fail_msg("%s: decoded, but expect armor failure",
			    v->name);
		for (i = 0; i < sizeof(vector_errors) / sizeof(vector_errors[0]);
		    i++)
			if (strcmp(vector_errors[i][0], v->name) == 0 &&
			    strstr(err.msg, vector_errors[i][1]) == NULL)
				fail_msg("%s: \"%s\", want \"%s\"", v->name,
				    err.msg, vector_errors[i][1]);
		printf("  %-34s armor failure  %s\n", v->name, err.msg);
		(*failures)++;
	} else {
		if (rc != 0)
			fail_msg("%s (expect %s): %s", v->name, v->expect,
			    err.msg);
		/* header-failure vectors decode, to a bad or empty header */
		if (strcmp(v->expect, "header failure") != 0 &&
		    (out.len < sizeof(INTRO) - 1 ||
		    memcmp(out.data, INTRO, sizeof(INTRO) - 1) != 0))
			fail_msg("%s: decoded bytes do not start with the "
			    "age intro", v->name);
		check_reencode(v, &out);
		printf("  %-34s decoded %zu bytes (expect: %s)\n", v->name,
		    out.len, v->expect);
		(*successes)++;
	}
	cy_buf_free(&out);
}

static void
test_cctv_vectors(void **state)
{
	const char *base = testdata_dir("cctv-age");
	char dir[4200];
	struct dirent *de;
	char **names = NULL;
	size_t count = 0, i, peek;
	int failures = 0, successes = 0, binary = 0;
	struct vector v;
	DIR *dh;

	(void)state;
	if (base == NULL)
		skip();
	snprintf(dir, sizeof(dir), "%s/testdata", base);
	dh = opendir(dir);
	assert_non_null(dh);
	while ((de = readdir(dh)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		names = realloc(names, (count + 1) * sizeof(*names));
		assert_non_null(names);
		names[count] = strdup(de->d_name);
		assert_non_null(names[count++]);
	}
	closedir(dh);
	qsort(names, count, sizeof(*names), name_cmp);
	for (i = 0; i < count; i++) {
		memset(&v, 0, sizeof(v));
		load_vector(dir, names[i], &v);
		peek = v.len < CY_ARMOR_PEEK ? v.len : CY_ARMOR_PEEK;
		/* Detection sends exactly the armored vectors to the decoder. */
		if (cy_armor_detect(v.body, peek) != v.armored)
			fail_msg("%s: armor detection says %d", v.name,
			    !v.armored);
		if (v.armored)
			check_armored_vector(&v, &failures, &successes);
		else
			binary++;
		free(v.body);
		free(names[i]);
	}
	free(names);
	printf("  armored vectors: %d rejected, %d decoded; %d binary\n",
	    failures, successes, binary);
	assert_true(failures > 0 && successes > 0 && binary > 0);
}

/* ---- our own cases ---- */

static void
test_encoder_exact(void **state)
{
	cy_armor_enc *e = cy_armor_enc_new();
	cy_buf out = CY_BUF_INIT;
	uint8_t in[50];
	size_t i;

	(void)state;
	assert_non_null(e);
	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)i;
	/* Pieces that straddle the 48-byte line. */
	cy_armor_enc_update(e, in, 7, &out);
	cy_armor_enc_update(e, in + 7, 0, &out);
	cy_armor_enc_update(e, in + 7, 43, &out);
	cy_armor_enc_final(e, &out);
	assert_int_equal(cy_buf_status(&out), 0);
	assert_string_equal((char *)out.data, BEGIN
	    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v\n"
	    "MDE=\n" END);
	/* The encoder starts afresh after final. */
	out.len = 0;
	cy_armor_enc_update(e, (const uint8_t *)INTRO, sizeof(INTRO) - 1,
	    &out);
	cy_armor_enc_final(e, &out);
	assert_string_equal((char *)out.data,
	    BEGIN "YWdlLWVuY3J5cHRpb24ub3JnL3YxCg==\n" END);
	/* Nothing in: the two marker lines, as armor_empty has them. */
	out.len = 0;
	cy_armor_enc_final(e, &out);
	assert_string_equal((char *)out.data, BEGIN END);
	cy_armor_enc_free(e);
	cy_buf_free(&out);
}

static void
roundtrip(size_t n)
{
	cy_armor_enc *e = cy_armor_enc_new();
	cy_buf arm = CY_BUF_INIT, out = CY_BUF_INIT;
	uint8_t *in = malloc(n + 1);
	size_t i, k, col = 0;
	cy_error err;

	assert_non_null(e);
	assert_non_null(in);
	for (i = 0; i < n; i++)
		in[i] = (uint8_t)test_rng();
	for (i = 0; i < n; i += k) {
		k = 1 + test_rng() % 200;
		if (k > n - i)
			k = n - i;
		cy_armor_enc_update(e, in + i, k, &arm);
	}
	cy_armor_enc_final(e, &arm);
	assert_int_equal(cy_buf_status(&arm), 0);
	/* Every line is 64 columns but the last; LF endings; the final LF. */
	for (i = 0; i < arm.len; i++) {
		if (arm.data[i] != '\n') {
			col++;
			continue;
		}
		assert_true(col <= CY_ARMOR_COLUMNS);
		col = 0;
	}
	assert_int_equal(arm.data[arm.len - 1], '\n');
	assert_int_equal(cy_armor_detect(arm.data, arm.len), 1);
	assert_int_equal(decode_all_ways(arm.data, arm.len, &out, &err), 0);
	assert_int_equal(out.len, n);
	if (n > 0)
		assert_memory_equal(out.data, in, n);
	cy_armor_enc_free(e);
	cy_buf_free(&arm);
	cy_buf_free(&out);
	free(in);
}

static void
test_roundtrip_sizes(void **state)
{
	static const size_t sizes[] = {0, 1, 2, 3, 47, 48, 49, 96, 97,
	    65536 + 1};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		roundtrip(sizes[i]);
}

static void
test_streaming_output(void **state)
{
	static const char two_lines[] = BEGIN
	    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v\n"
	    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v\n"
	    "AAEC";
	cy_armor_dec *d = cy_armor_dec_new();
	cy_buf out = CY_BUF_INIT;
	cy_error err;

	(void)state;
	assert_non_null(d);
	/* Each line is released as soon as its line ending arrives. */
	assert_int_equal(cy_armor_dec_update(d, (const uint8_t *)two_lines,
	    sizeof(two_lines) - 1, &out, &err), 0);
	assert_int_equal(out.len, 96);
	assert_int_equal(cy_armor_dec_update(d, (const uint8_t *)"\n", 1, &out,
	    &err), 0);
	assert_int_equal(out.len, 99);
	assert_int_equal(cy_armor_dec_update(d, (const uint8_t *)END,
	    sizeof(END) - 1, &out, &err), 0);
	assert_int_equal(cy_armor_dec_final(d, &out, &err), 0);
	assert_int_equal(out.len, 99);
	/* Finished: no more input. */
	assert_int_equal(cy_armor_dec_update(d, (const uint8_t *)" ", 1, &out,
	    &err), CY_E_USAGE);
	cy_armor_dec_free(d);
	cy_buf_free(&out);
}

static void
test_accepted_forms(void **state)
{
	(void)state;
	OK(BEGIN END, "");
	OK(BEGIN "QQ==\n" END, "A");
	OK(BEGIN "QUI=\n" END, "AB");
	OK(BEGIN "QUJD\n" END, "ABC");
	OK(CY_ARMOR_BEGIN "\r\nQUJD\r\n" CY_ARMOR_END "\r\n", "ABC");
	/* No line ending after the end line. */
	OK(BEGIN "QUJD\n" CY_ARMOR_END, "ABC");
	OK(CY_ARMOR_BEGIN "\r\nQUJD\r\n" CY_ARMOR_END, "ABC");
	/* Whitespace around the block. */
	OK(" \t\r\n\n" BEGIN "QUJD\n" END "\r\n \t\n", "ABC");
	OK(CY_ARMOR_BEGIN "\r\nQUJD\r\n" CY_ARMOR_END "\r\n\n\t ", "ABC");
	/* A padded last line of exactly 64 columns. */
	OK(BEGIN
	    "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQQ==\n"
	    END, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
}

static void
test_rejected_forms(void **state)
{
	static const char line64[] =
	    "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\n";

	(void)state;
	BAD("", "line 1: no armor begin line");
	BAD(" \n\t\r\n", "line 3: no armor begin line");
	BAD("-----BEGIN AGE ENC", "input ends inside the begin line");
	BAD(CY_ARMOR_BEGIN, "input ends without the end line");
	BAD(BEGIN "QUJD\n", "line 3: input ends without the end line");
	BAD(BEGIN "QUJD", "input ends without the end line");
	BAD(BEGIN "QUJD\n-----END AGE", "input ends inside the end line");
	BAD("x" BEGIN END, "line 1: not the armor begin line");
	BAD("age-encryption.org/v1\n", "not the armor begin line");
	BAD(CY_ARMOR_BEGIN " \n" END, "unexpected characters after the begin");
	BAD(BEGIN "QUJD\n" CY_ARMOR_END " \n", "unexpected characters after "
	    "the end line marker");
	BAD(BEGIN "QUJD\n-----END AGE ENCRYPTED FILE----\n", "line 3: not the "
	    "armor end line");
	BAD(BEGIN "QUJD\n" END "x", "line 4: data after the end line");
	BAD(BEGIN "QUJD\n" END END, "data after the end line");
	/* Line endings: consistent, CR only with LF. */
	BAD(CY_ARMOR_BEGIN "\r\nQUJD\n" END, "line 2: LF without CR");
	BAD(BEGIN "QUJD\r\n" END, "line 2: CR in a file whose begin line "
	    "ends with LF");
	BAD(BEGIN "QUJD\n" CY_ARMOR_END "\r\n", "CR in a file whose begin");
	BAD(CY_ARMOR_BEGIN "\rQUJD\r\n" END, "CR not followed by LF");
	BAD(CY_ARMOR_BEGIN "\r\nQUJD\r\r\n" END, "CR not followed by LF");
	BAD(CY_ARMOR_BEGIN "\r\nQUJD\r\n" CY_ARMOR_END "\r",
	    "input ends after a CR without its LF");
	/* Lines. */
	BAD(BEGIN "\n" END, "line 2: empty line inside the armor");
	BAD(BEGIN "QUJD\n\n" END, "line 3: empty line");
	BAD(BEGIN "QUJD \n" END, "a space in a base64 line");
	BAD(BEGIN "\tQUJD\n" END, "a tab in a base64 line");
	BAD(BEGIN "QU\x80JD\n" END, "byte 0x80 in a base64 line");
	BAD(BEGIN "QU_D\n" END, "'_' in a base64 line");
	BAD(BEGIN "QUJ\n" END, "base64 line of 3 characters is not padded");
	BAD(BEGIN "QR==\n" END, "invalid base64");
	BAD(BEGIN "QQ=A\n" END, "invalid base64");
	BAD(BEGIN "QQ==QUJD\n" END, "invalid base64");
	/* Only the last line may be short or padded. */
	BAD(BEGIN "QUJD\nQUJD\n" END, "line 3: base64 line after a short");
	BAD(BEGIN
	    "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQQ==\n"
	    "QUJD\n" END, "base64 line after a short or padded line");
	{
		char s[512];

		snprintf(s, sizeof(s), "%s%.64sQ\n%s", BEGIN, line64, END);
		expect_armor_error(s, strlen(s), "line 2: line longer than 64");
		snprintf(s, sizeof(s), "%s%s%s%s", BEGIN, line64, line64, END);
		expect_ok(s, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 96);
	}
	/* A NUL is a character like any other. */
	expect_armor_error(BEGIN "QU\0D\n" END, sizeof(BEGIN "QU\0D\n" END) - 1,
	    "byte 0x00 in a base64 line");
}

static void
test_errors_are_sticky(void **state)
{
	cy_armor_dec *d = cy_armor_dec_new();
	cy_buf out = CY_BUF_INIT;
	cy_error err;

	(void)state;
	assert_non_null(d);
	assert_int_equal(cy_armor_dec_update(d, (const uint8_t *)"junk", 4,
	    &out, &err), CY_E_ARMOR);
	assert_int_equal(cy_armor_dec_update(d, (const uint8_t *)BEGIN,
	    sizeof(BEGIN) - 1, &out, &err), CY_E_ARMOR);
	assert_int_equal(cy_armor_dec_final(d, &out, &err), CY_E_ARMOR);
	assert_int_equal(out.len, 0);
	cy_armor_dec_free(d);
	cy_buf_free(&out);
}

static void
test_detect(void **state)
{
	(void)state;
	assert_int_equal(cy_armor_detect((const uint8_t *)"", 0), 0);
	assert_int_equal(cy_armor_detect((const uint8_t *)INTRO, 22), 0);
	assert_int_equal(cy_armor_detect((const uint8_t *)"age-encryption.org/v2"
	    "\n", 22), 0);
	/* A short read that is still a prefix of the intro. */
	assert_int_equal(cy_armor_detect((const uint8_t *)"age", 3), 0);
	assert_int_equal(cy_armor_detect((const uint8_t *)BEGIN, 35), 1);
	assert_int_equal(cy_armor_detect((const uint8_t *)BEGIN, 5), 1);
	assert_int_equal(cy_armor_detect((const uint8_t *)"\r\n\t " BEGIN, 40),
	    1);
	assert_int_equal(cy_armor_detect((const uint8_t *)"garbage\n", 8), 1);
	assert_int_equal(cy_armor_detect((const uint8_t *)"Age-encryption.org/"
	    "v1\n", 22), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cctv_vectors),
		cmocka_unit_test(test_encoder_exact),
		cmocka_unit_test(test_roundtrip_sizes),
		cmocka_unit_test(test_streaming_output),
		cmocka_unit_test(test_accepted_forms),
		cmocka_unit_test(test_rejected_forms),
		cmocka_unit_test(test_errors_are_sticky),
		cmocka_unit_test(test_detect),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
