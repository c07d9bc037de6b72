/* Signed HTTP requests: the RFCs' own examples, coyeu's profile, and the
 * attacks it refuses.
 *
 * The vectors are embedded here, each citing its section:
 * - RFC 9421 Appendix B.1.4 (the Ed25519 test key "test-key-ed25519"),
 *   B.2 (the test request) and B.2.6 (its signature base and signature);
 * - RFC 9530 Appendix B (the digests of the body {"hello": "world"}). */
#include "testutil.h"

#include <sodium.h>

#include "base/key_soft.h"
#include "coyeu/httpsig.h"
#include "coyeu/secret.h"

/* RFC 9421 B.1.4: the private key's 32-byte seed (the PKCS#8 DER
 * MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF ends
 * with it) and the public key (MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9
 * CC/oPPsw3c5D0bs=, its last 32 bytes). */
static const uint8_t rfc_seed[32] = {
	0x9f, 0x83, 0x62, 0xf8, 0x7a, 0x48, 0x4a, 0x95, 0x4e, 0x6e, 0x74, 0x0c,
	0x5b, 0x4c, 0x0e, 0x84, 0x22, 0x91, 0x39, 0xa2, 0x0a, 0xa8, 0xab, 0x56,
	0xff, 0x66, 0x58, 0x6f, 0x6a, 0x7d, 0x29, 0xc5,
};
static const uint8_t rfc_public[32] = {
	0x26, 0xb4, 0x0b, 0x8f, 0x93, 0xff, 0xf3, 0xd8, 0x97, 0x11, 0x2f, 0x7e,
	0xbc, 0x58, 0x2b, 0x23, 0x2d, 0xbd, 0x72, 0x51, 0x7d, 0x08, 0x2f, 0xe8,
	0x3c, 0xfb, 0x30, 0xdd, 0xce, 0x43, 0xd1, 0xbb,
};

/* RFC 9421 B.2: the test request, "POST /foo?param=Value&Pet=dog" to
 * example.com, with the fields B.2.6 covers. */
static const char *const rfc_headers[] = {
	"date", "Tue, 20 Apr 2021 02:07:55 GMT",
	"content-length", "18",
	NULL,
};
static const cy_httpsig_request rfc_request = {
	.method = "POST",
	.target_uri = "http://example.com/foo?param=Value&Pet=dog",
	.content_type = "application/json",
	.content_digest = "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+"
	    "TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:",
	.headers = rfc_headers,
};

/* RFC 9421 B.2.6, without the RFC 8792 line wrapping. */
static const char rfc_b26_base[] =
    "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n"
    "\"@method\": POST\n"
    "\"@path\": /foo\n"
    "\"@authority\": example.com\n"
    "\"content-type\": application/json\n"
    "\"content-length\": 18\n"
    "\"@signature-params\": (\"date\" \"@method\" \"@path\" \"@authority\" "
    "\"content-type\" \"content-length\");created=1618884473"
    ";keyid=\"test-key-ed25519\"";
static const char rfc_b26_input[] =
    "sig-b26=(\"date\" \"@method\" \"@path\" \"@authority\" "
    "\"content-type\" \"content-length\");created=1618884473"
    ";keyid=\"test-key-ed25519\"";
static const char rfc_b26_signature[] =
    "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1"
    "u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:";

/* RFC 9530 Appendix B: the body and its sha-256 and sha-512 digests. */
static const char rfc9530_body[] = "{\"hello\": \"world\"}";
static const char rfc9530_sha256[] =
    "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:";
static const char rfc9530_sha512[] =
    "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7"
    "BNNyealdVLvRwEmTHWXvJwew==:";

#define NOW 1700000000

static cy_key *
key_from_seed(const uint8_t seed[32])
{
	cy_key *k = NULL;

	assert_int_equal(cy_key_software(seed, NULL, &k, NULL), 0);
	return k;
}

static cy_key *
random_key(void)
{
	uint8_t seed[32];

	randombytes_buf(seed, sizeof(seed));
	return key_from_seed(seed);
}

static void
expect_error(int r, const cy_error *err, int code, const char *msg)
{
	if (r != code || strcmp(err->msg, msg) != 0)
		fprintf(stderr, "got %d \"%s\"\nwant %d \"%s\"\n", r, err->msg,
		    code, msg);
	assert_int_equal(r, code);
	assert_string_equal(err->msg, msg);
}

static void
expect_parse_error(const char *input, const char *signature,
    const char *label, int code, const char *msg)
{
	cy_httpsig *h = (cy_httpsig *)1;
	cy_error err = {0};

	expect_error(cy_httpsig_parse(input, signature, label, &h, &err), &err,
	    code, msg);
	assert_null(h);
}

/* A parsed signature from a Signature-Input value and any 64-byte
 * signature. */
static cy_httpsig *
parse_input(const char *input)
{
	static const char zero_sig[] = "sig1=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==:";
	cy_httpsig *h = NULL;
	cy_error err = {0};
	int r;

	r = cy_httpsig_parse(input, zero_sig, NULL, &h, &err);
	if (r != 0)
		fprintf(stderr, "%s\n", err.msg);
	assert_int_equal(r, 0);
	return h;
}

static void
test_rfc9421_b26_sign(void **state)
{
	static const char *const components[] = {"date", "@method", "@path",
	    "@authority", "content-type", "content-length", NULL};
	cy_httpsig_params p = {
		.components = components,
		.keyid = "test-key-ed25519",
		.created = 1618884473,
		.nonce = "",
		.label = "sig-b26",
	};
	cy_buf input = CY_BUF_INIT, sig = CY_BUF_INIT, base = CY_BUF_INIT;
	cy_key *k = key_from_seed(rfc_seed);
	cy_httpsig *h = NULL;
	cy_error err = {0};

	(void)state;
	assert_memory_equal(cy_key_sign_public(k), rfc_public, 32);
	assert_int_equal(cy_httpsig_sign(cy_httpsig_request_component,
	    (void *)&rfc_request, &p, k, &input, &sig, &err), 0);
	/* Ed25519 is deterministic: the RFC's very bytes. */
	assert_string_equal((char *)input.data, rfc_b26_input);
	assert_string_equal((char *)sig.data, rfc_b26_signature);
	assert_int_equal(cy_httpsig_parse((char *)input.data, (char *)sig.data,
	    NULL, &h, &err), 0);
	assert_int_equal(cy_httpsig_base(h, cy_httpsig_request_component,
	    (void *)&rfc_request, &base, &err), 0);
	assert_string_equal((char *)base.data, rfc_b26_base);
	cy_httpsig_free(h);
	cy_buf_free(&input);
	cy_buf_free(&sig);
	cy_buf_free(&base);
	cy_key_free(k);
}

static void
test_rfc9421_b26_verify(void **state)
{
	const char *labels[] = {NULL, "sig-b26"};
	cy_buf base = CY_BUF_INIT;
	cy_httpsig *h;
	cy_error err = {0};
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		h = NULL;
		assert_int_equal(cy_httpsig_parse(rfc_b26_input, rfc_b26_signature,
		    labels[i], &h, &err), 0);
		assert_string_equal(cy_httpsig_keyid(h), "test-key-ed25519");
		assert_null(cy_httpsig_nonce(h));
		assert_null(cy_httpsig_alg(h));
		assert_true(cy_httpsig_has_created(h));
		assert_int_equal(cy_httpsig_created(h), 1618884473);
		assert_int_equal(cy_httpsig_component_count(h), 6);
		assert_string_equal(cy_httpsig_component_name(h, 0), "date");
		assert_string_equal(cy_httpsig_component_name(h, 5),
		    "content-length");
		assert_null(cy_httpsig_component_name(h, 6));
		assert_true(cy_httpsig_covers(h, "@authority"));
		assert_false(cy_httpsig_covers(h, "@target-uri"));
		assert_int_equal(cy_httpsig_base(h, cy_httpsig_request_component,
		    (void *)&rfc_request, &base, &err), 0);
		assert_string_equal((char *)base.data, rfc_b26_base);
		assert_int_equal(cy_httpsig_verify(h, cy_httpsig_request_component,
		    (void *)&rfc_request, rfc_public, &err), 0);
		/* The RFC's signature is no coyeu request: no nonce. */
		expect_error(cy_httpsig_check_profile(h, 1, 1618884473, 300, &err),
		    &err, CY_E_POLICY, "the signature has no nonce");
		cy_httpsig_free(h);
	}
	cy_buf_free(&base);
}

static void
test_rfc9530_digest(void **state)
{
	const uint8_t *body = (const uint8_t *)rfc9530_body;
	size_t len = strlen(rfc9530_body);
	char both[256];
	cy_buf d = CY_BUF_INIT;
	cy_error err = {0};

	(void)state;
	assert_int_equal(cy_httpsig_digest(body, len, &d, &err), 0);
	assert_string_equal((char *)d.data, rfc9530_sha256);
	assert_int_equal(cy_httpsig_digest_check(rfc9530_sha256, body, len,
	    &err), 0);
	/* Other algorithms are skipped; sha-256 is the one checked. */
	snprintf(both, sizeof(both), "%s, %s", rfc9530_sha512, rfc9530_sha256);
	assert_int_equal(cy_httpsig_digest_check(both, body, len, &err), 0);
	expect_error(cy_httpsig_digest_check(rfc9530_sha512, body, len, &err),
	    &err, CY_E_FORMAT, "Content-Digest has no sha-256 digest");
	expect_error(cy_httpsig_digest_check(rfc9530_sha256,
	    (const uint8_t *)"{\"hello\": \"world!\"}", len + 1, &err), &err,
	    CY_E_SIGNATURE, "the body does not match its Content-Digest (sha-256)");
	snprintf(both, sizeof(both), "%s,%s", rfc9530_sha256, rfc9530_sha256);
	expect_error(cy_httpsig_digest_check(both, body, len, &err), &err,
	    CY_E_FORMAT, "Content-Digest: sha-256 is given twice (at character 56)");
	expect_error(cy_httpsig_digest_check("sha-256=:AAAA:", body, len, &err),
	    &err, CY_E_FORMAT,
	    "Content-Digest: the sha-256 digest is 3 bytes, not 32");
	expect_error(cy_httpsig_digest_check("sha-256=X48E9qOokqqrvdts8nOJRJN3O"
	    "WDUoyWxBf7kbu9DBPE=", body, len, &err), &err, CY_E_FORMAT,
	    "Content-Digest: expected a byte sequence (:base64:) (at character 9)");
	expect_error(cy_httpsig_digest_check(
	    "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:,", body, len,
	    &err), &err, CY_E_FORMAT,
	    "Content-Digest: a comma ends the field (at character 56)");
	cy_buf_free(&d);
}

/* coyeu's profile requests: a POST with a body, a GET without. */
static const char post_body[] = "{\"entry\": \"…\"}";

struct post {
	cy_buf digest;
	cy_httpsig_request req;
};

static void
post_init(struct post *p, const char *body)
{
	cy_error err = {0};

	memset(p, 0, sizeof(*p));
	assert_int_equal(cy_httpsig_digest((const uint8_t *)body, strlen(body),
	    &p->digest, &err), 0);
	p->req.method = "POST";
	p->req.target_uri = "https://reg.example:8443/v1/log/entries";
	p->req.content_type = "application/json";
	p->req.content_digest = (const char *)p->digest.data;
}

/* Signs req with coyeu's profile at NOW and parses the result. */
static cy_httpsig *
sign_and_parse(const cy_httpsig_request *req, const cy_key *k)
{
	cy_buf input = CY_BUF_INIT, sig = CY_BUF_INIT;
	cy_httpsig *h = NULL;
	cy_error err = {0};

	assert_int_equal(cy_httpsig_sign_request(req, "0042", NOW, k, &input,
	    &sig, &err), 0);
	assert_int_equal(cy_httpsig_parse((char *)input.data, (char *)sig.data,
	    NULL, &h, &err), 0);
	cy_buf_free(&input);
	cy_buf_free(&sig);
	return h;
}

static void
test_profile_round_trip(void **state)
{
	static const char prefix[] = "sig1=(\"@method\" \"@target-uri\" "
	    "\"content-digest\" \"content-type\");created=1700000000;"
	    "keyid=\"0042\";alg=\"ed25519\";nonce=\"";
	cy_httpsig_request get = {.method = "GET",
	    .target_uri = "https://reg.example/v1/directory?unit=7"};
	cy_buf input = CY_BUF_INIT, sig = CY_BUF_INIT, sig2 = CY_BUF_INIT;
	cy_buf input2 = CY_BUF_INIT;
	cy_key *k = random_key();
	cy_httpsig *h = NULL;
	cy_error err = {0};
	struct post post;
	const char *nonce;
	size_t i;

	(void)state;
	post_init(&post, post_body);
	assert_int_equal(cy_httpsig_sign_request(&post.req, "0042", NOW, k,
	    &input, &sig, &err), 0);
	assert_memory_equal(input.data, prefix, strlen(prefix));
	assert_int_equal(cy_httpsig_parse((char *)input.data, (char *)sig.data,
	    "sig1", &h, &err), 0);
	nonce = cy_httpsig_nonce(h);
	assert_int_equal(strlen(nonce), 22);
	for (i = 0; i < 22; i++)
		assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
		    "qrstuvwxyz0123456789-_", nonce[i]));
	assert_string_equal(cy_httpsig_alg(h), "ed25519");
	assert_int_equal(cy_httpsig_check_profile(h, 1, NOW, CY_HTTPSIG_WINDOW,
	    &err), 0);
	assert_int_equal(cy_httpsig_verify(h, cy_httpsig_request_component,
	    &post.req, cy_key_sign_public(k), &err), 0);
	assert_int_equal(cy_httpsig_digest_check(post.req.content_digest,
	    (const uint8_t *)post_body, strlen(post_body), &err), 0);
	/* A fresh nonce each time. */
	assert_int_equal(cy_httpsig_sign_request(&post.req, "0042", NOW, k,
	    &input2, &sig2, &err), 0);
	assert_string_not_equal((char *)input.data, (char *)input2.data);
	cy_httpsig_free(h);

	/* Without a body: @method and @target-uri only. */
	h = sign_and_parse(&get, k);
	assert_int_equal(cy_httpsig_component_count(h), 2);
	assert_int_equal(cy_httpsig_check_profile(h, 0, NOW + 300, 300, &err), 0);
	assert_int_equal(cy_httpsig_verify(h, cy_httpsig_request_component,
	    &get, cy_key_sign_public(k), &err), 0);
	/* … which a request with a body does not pass. */
	expect_error(cy_httpsig_check_profile(h, 1, NOW, 300, &err), &err,
	    CY_E_POLICY, "the signature does not cover content-digest");
	cy_httpsig_free(h);
	cy_buf_free(&input);
	cy_buf_free(&sig);
	cy_buf_free(&input2);
	cy_buf_free(&sig2);
	cy_buf_free(&post.digest);
	cy_key_free(k);
}

/* docs/httpsig.md's worked example, computed there with openssl: the
 * library gives the same fields. */
static void
test_doc_example(void **state)
{
	static const char *const components[] = {"@method", "@target-uri",
	    "content-digest", "content-type", NULL};
	static const char body[] = "{\"entries\":[]}";
	cy_httpsig_params p = {
		.components = components,
		.keyid = "7b17c0de00000000000000000000002a",
		.created = 1700000000,
		.nonce = "q3vTn0iVLEnFgCZ2WKe3Jw",
		.alg = "ed25519",
	};
	cy_buf input = CY_BUF_INIT, sig = CY_BUF_INIT;
	cy_key *k = key_from_seed(rfc_seed);
	cy_error err = {0};
	struct post post;

	(void)state;
	post_init(&post, body);
	assert_string_equal(post.req.content_digest,
	    "sha-256=:2AGqH7fdzDMKXjFzNy6mr0o9COxYB0R46FqlYD6SZlg=:");
	assert_int_equal(cy_httpsig_sign(cy_httpsig_request_component,
	    &post.req, &p, k, &input, &sig, &err), 0);
	assert_string_equal((char *)input.data, "sig1=(\"@method\" "
	    "\"@target-uri\" \"content-digest\" \"content-type\");"
	    "created=1700000000;keyid=\"7b17c0de00000000000000000000002a\";"
	    "alg=\"ed25519\";nonce=\"q3vTn0iVLEnFgCZ2WKe3Jw\"");
	assert_string_equal((char *)sig.data, "sig1=:ZvJu52VNyiS+0L5MRTRclFZ6W1o"
	    "YU/gzkcLKORxIz7Fxd4VqF726Bi0WfpTT8QLJffPzBJZwUM4p1a6T4UgMBg==:");
	cy_buf_free(&input);
	cy_buf_free(&sig);
	cy_buf_free(&post.digest);
	cy_key_free(k);
}

static void
test_tampered(void **state)
{
	static const char other_body[] = "{\"entry\": \"forged\"}";
	cy_key *k = random_key(), *other = random_key();
	cy_httpsig *h;
	cy_error err = {0};
	struct post post, forged;
	cy_httpsig_request req;

	(void)state;
	post_init(&post, post_body);
	h = sign_and_parse(&post.req, k);

	req = post.req;
	req.method = "PUT";
	expect_error(cy_httpsig_verify(h, cy_httpsig_request_component, &req,
	    cy_key_sign_public(k), &err), &err, CY_E_SIGNATURE,
	    "the signature does not verify with 0042's key");
	req = post.req;
	req.target_uri = "https://reg.example:8443/v1/log/entries?as=root";
	expect_error(cy_httpsig_verify(h, cy_httpsig_request_component, &req,
	    cy_key_sign_public(k), &err), &err, CY_E_SIGNATURE,
	    "the signature does not verify with 0042's key");
	req = post.req;
	req.content_type = "text/plain";
	expect_error(cy_httpsig_verify(h, cy_httpsig_request_component, &req,
	    cy_key_sign_public(k), &err), &err, CY_E_SIGNATURE,
	    "the signature does not verify with 0042's key");

	/* Another body under the signed digest: the digest check stops it. */
	expect_error(cy_httpsig_digest_check(post.req.content_digest,
	    (const uint8_t *)other_body, strlen(other_body), &err), &err,
	    CY_E_SIGNATURE, "the body does not match its Content-Digest (sha-256)");
	/* … and with its own digest, the signature does. */
	post_init(&forged, other_body);
	expect_error(cy_httpsig_verify(h, cy_httpsig_request_component,
	    &forged.req, cy_key_sign_public(k), &err), &err, CY_E_SIGNATURE,
	    "the signature does not verify with 0042's key");

	/* Another officer's key. */
	expect_error(cy_httpsig_verify(h, cy_httpsig_request_component,
	    &post.req, cy_key_sign_public(other), &err), &err, CY_E_SIGNATURE,
	    "the signature does not verify with 0042's key");
	/* A request without a field the signature covers. */
	req = post.req;
	req.content_type = NULL;
	expect_error(cy_httpsig_verify(h, cy_httpsig_request_component, &req,
	    cy_key_sign_public(k), &err), &err, CY_E_FORMAT,
	    "the signature covers content-type, which the request does not have");
	/* A value that would forge a line of the base. */
	req = post.req;
	req.content_type = "application/json\n\"@method\": GET";
	expect_error(cy_httpsig_verify(h, cy_httpsig_request_component, &req,
	    cy_key_sign_public(k), &err), &err, CY_E_FORMAT,
	    "the value of content-type holds a control character");
	cy_httpsig_free(h);
	cy_buf_free(&post.digest);
	cy_buf_free(&forged.digest);
	cy_key_free(k);
	cy_key_free(other);
}

/* The profile's refusals, each from a Signature-Input a client could
 * send. */
static void
expect_profile_error(const char *input, int has_body, const char *msg)
{
	cy_httpsig *h = parse_input(input);
	cy_error err = {0};

	expect_error(cy_httpsig_check_profile(h, has_body, NOW, 300, &err), &err,
	    CY_E_POLICY, msg);
	cy_httpsig_free(h);
}

#define COVERS "(\"@method\" \"@target-uri\")"
#define NONCE ";nonce=\"AAAAAAAAAAAAAAAAAAAAAA\""

static void
test_profile_refusals(void **state)
{
	(void)state;
	expect_profile_error("sig1=(\"@method\" \"@path\");created=1700000000"
	    ";keyid=\"1\"" NONCE, 0, "the signature does not cover @target-uri");
	expect_profile_error("sig1=" COVERS ";created=1700000000;keyid=\"1\""
	    NONCE, 1, "the signature does not cover content-digest");
	expect_profile_error("sig1=(\"@method\" \"@target-uri\" "
	    "\"content-digest\");created=1700000000;keyid=\"1\"" NONCE, 1,
	    "the signature does not cover content-type");
	expect_profile_error("sig1=" COVERS ";created=1699999588;keyid=\"1\""
	    NONCE, 0, "the signature was created 412 s ago (the window is 300 s)");
	expect_profile_error("sig1=" COVERS ";created=1700000301;keyid=\"1\""
	    NONCE, 0,
	    "the signature was created 301 s in the future (the window is 300 s)");
	expect_profile_error("sig1=" COVERS ";created=1700000000;keyid=\"1\""
	    NONCE ";expires=1699999999", 0, "the signature expired 1 s ago");
	expect_profile_error("sig1=" COVERS ";keyid=\"1\"" NONCE, 0,
	    "the signature has no created time");
	expect_profile_error("sig1=" COVERS ";created=1700000000;keyid=\"1\"", 0,
	    "the signature has no nonce");
	expect_profile_error("sig1=" COVERS ";created=1700000000;keyid=\"1\""
	    ";nonce=\"short\"", 0, "the nonce is 5 characters (16 to 64 are taken)");
	expect_profile_error("sig1=" COVERS ";created=1700000000;keyid=\"1\""
	    ";nonce=\"AAAAAAAAAAAAAAAAAAAA+/\"", 0,
	    "the nonce holds a character outside A-Z a-z 0-9 - _");
	expect_profile_error("sig1=" COVERS ";created=1700000000" NONCE, 0,
	    "the signature has no keyid");
	expect_profile_error("sig1=" COVERS ";created=1700000000;keyid=\"1\""
	    NONCE ";alg=\"hmac-sha256\"", 0,
	    "the signature's alg is \"hmac-sha256\": coyeu takes ed25519 only");
}

static void
test_malformed(void **state)
{
	static const char sig[] = "sig1=:AAAA:";
	char big[CY_HTTPSIG_HEADER_MAX + 2];
	char many[1024];
	size_t i;

	(void)state;
	expect_parse_error(NULL, sig, NULL, CY_E_FORMAT,
	    "the request has no Signature-Input field");
	expect_parse_error("", sig, NULL, CY_E_FORMAT, "Signature-Input is empty");
	expect_parse_error("sig1=(\"@method);created=1", sig, NULL, CY_E_FORMAT,
	    "Signature-Input: unterminated string (at character 26)");
	expect_parse_error("sig1=(\"@method\");created=1", "sig1=:AB$C:", NULL,
	    CY_E_FORMAT, "Signature: a byte sequence holds a character outside "
	    "base64 (at character 9)");
	expect_parse_error("sig1=(\"@method\");created=1", "sig1=:ABC:", NULL,
	    CY_E_FORMAT, "Signature: a byte sequence that is not canonical padded "
	    "base64 (at character 7)");
	expect_parse_error("sig1=(\"@method\");created=1", "sig1=:AAAA", NULL,
	    CY_E_FORMAT, "Signature: unterminated byte sequence (at character 11)");
	expect_parse_error("sig1=(\"@method\");created=\"1\"", sig, NULL,
	    CY_E_FORMAT, "Signature-Input: expected an integer (at character 26)");
	expect_parse_error("sig1=(\"@method\");created=1.5", sig, NULL,
	    CY_E_FORMAT, "Signature-Input: a decimal where an integer is "
	    "expected (at character 27)");
	expect_parse_error("sig1=(\"@method\");created", sig, NULL, CY_E_FORMAT,
	    "Signature-Input: the signature parameter created has no value "
	    "(at character 17)");
	expect_parse_error("sig1=(\"@method\");keyid=1", sig, NULL, CY_E_FORMAT,
	    "Signature-Input: expected a string (at character 24)");
	expect_parse_error("sig1=(\"@method\");foo=1", sig, NULL, CY_E_FORMAT,
	    "Signature-Input: unknown signature parameter ;foo (at character 17)");
	expect_parse_error("sig1=(\"@method\");created=1;created=2", sig, NULL,
	    CY_E_FORMAT,
	    "Signature-Input: the signature parameter created is given twice");
	expect_parse_error("sig1=(\"@method\");created=-1", sig, NULL,
	    CY_E_FORMAT,
	    "Signature-Input: the signature parameter created is negative");
	expect_parse_error("sig1=(\"@method\");Keyid=\"x\"", sig, NULL,
	    CY_E_FORMAT, "Signature-Input: expected a key (a lower-case name) "
	    "(at character 18)");
	expect_parse_error("sig1=\"@method\"", sig, NULL, CY_E_FORMAT,
	    "Signature-Input: expected an inner list: (\"component\" …) "
	    "(at character 6)");
	expect_parse_error("sig1=(@method)", sig, NULL, CY_E_FORMAT,
	    "Signature-Input: a component identifier is a quoted string "
	    "(at character 7)");
	expect_parse_error("sig1=(\"@method\"\"@path\")", sig, NULL, CY_E_FORMAT,
	    "Signature-Input: components are separated by spaces "
	    "(at character 16)");
	expect_parse_error("sig1=(\"@method\" ", sig, NULL, CY_E_FORMAT,
	    "Signature-Input: unterminated inner list (at character 17)");
	expect_parse_error("sig1=(\"@method\"), ", sig, NULL, CY_E_FORMAT,
	    "Signature-Input: a comma ends the field (at character 19)");
	expect_parse_error("sig1=(\"@method\") sig2=()", sig, NULL, CY_E_FORMAT,
	    "Signature-Input: expected a comma between members (at character 18)");
	expect_parse_error("sig1", sig, NULL, CY_E_FORMAT,
	    "Signature-Input: the label sig1 has no value (at character 5)");
	expect_parse_error("sig1=(\"@method\")", "sig1=:AAAA:;x", NULL,
	    CY_E_FORMAT, "Signature: parameters on a signature value are not "
	    "supported (at character 12)");
	expect_parse_error("sig1=(\"@method\" \"a\\q\")", sig, NULL, CY_E_FORMAT,
	    "Signature-Input: a backslash escapes only \" and \\ in a string "
	    "(at character 20)");

	/* Component parameters change what is signed: refused, named. */
	expect_parse_error("sig1=(\"example-dict\";sf)", sig, NULL, CY_E_FORMAT,
	    "Signature-Input: the component \"example-dict\" has the parameter "
	    ";sf, which coyeu does not support (at character 21)");
	expect_parse_error("sig1=(\"example-dict\";key=\"a\")", sig, NULL,
	    CY_E_FORMAT, "Signature-Input: the component \"example-dict\" has "
	    "the parameter ;key, which coyeu does not support (at character 21)");
	expect_parse_error("sig1=(\"x\";bs)", sig, NULL, CY_E_FORMAT,
	    "Signature-Input: the component \"x\" has the parameter ;bs, which "
	    "coyeu does not support (at character 10)");
	expect_parse_error("sig1=(\"@method\";req)", sig, NULL, CY_E_FORMAT,
	    "Signature-Input: the component \"@method\" has the parameter ;req, "
	    "which coyeu does not support (at character 16)");
	expect_parse_error("sig1=(\"x\";tr)", sig, NULL, CY_E_FORMAT,
	    "Signature-Input: the component \"x\" has the parameter ;tr, which "
	    "coyeu does not support (at character 10)");
	/* Names: lower-case field names and the known derived ones. */
	expect_parse_error("sig1=(\"Date\")", sig, NULL, CY_E_FORMAT,
	    "Signature-Input: the component \"Date\" is not a lower-case field "
	    "name (character 1)");
	expect_parse_error("sig1=(\"a b\")", sig, NULL, CY_E_FORMAT,
	    "Signature-Input: the component \"a b\" is not a lower-case field "
	    "name (character 2)");
	expect_parse_error("sig1=(\"\")", sig, NULL, CY_E_FORMAT,
	    "Signature-Input: an empty component name");
	expect_parse_error("sig1=(\"@foo\")", sig, NULL, CY_E_FORMAT,
	    "Signature-Input: unknown derived component \"@foo\"");
	expect_parse_error("sig1=(\"@query-param\")", sig, NULL, CY_E_FORMAT,
	    "Signature-Input: the component \"@query-param\" (it needs ;name) is "
	    "not supported");
	expect_parse_error("sig1=(\"@status\")", sig, NULL, CY_E_FORMAT,
	    "Signature-Input: the component \"@status\" belongs to responses, not "
	    "requests");
	expect_parse_error("sig1=(\"@method\" \"@method\")", sig, NULL,
	    CY_E_FORMAT, "Signature-Input: the signature covers \"@method\" twice");

	/* Labels. */
	expect_parse_error("sig1=(\"@method\"), sig2=(\"@path\")", sig, NULL,
	    CY_E_FORMAT, "Signature-Input carries more than one signature "
	    "(sig1, sig2): name the label to check");
	expect_parse_error("sig1=(\"@method\"), sig1=(\"@path\")", sig, "sig1",
	    CY_E_FORMAT, "Signature-Input: the label sig1 appears twice "
	    "(at character 19)");
	expect_parse_error("sig1=(\"@method\")", sig, "sig2", CY_E_FORMAT,
	    "Signature-Input has no signature labelled sig2");
	expect_parse_error("sig1=(\"@method\")", "sig2=:AAAA:", NULL, CY_E_FORMAT,
	    "Signature has no signature labelled sig1");
	expect_parse_error("sig1=(\"@method\")", "sig1=:AAAA:, sig2=:AAAA:", NULL,
	    CY_E_FORMAT, "Signature carries 2 signatures but Signature-Input one");

	expect_parse_error("a=(),b=(),c=(),d=(),e=(),f=(),g=(),h=(),i=()", sig,
	    "a", CY_E_FORMAT,
	    "Signature-Input: more than 8 signatures (at character 42)");
	expect_parse_error("sig1=(\"@method\")", "sig1=:=AAA:", NULL,
	    CY_E_FORMAT, "Signature: a byte sequence that is not canonical padded "
	    "base64 (at character 7)");
	expect_parse_error("sig1=(\"@method\")", "sig1=:=:", NULL, CY_E_FORMAT,
	    "Signature: a byte sequence that is not canonical padded base64 "
	    "(at character 7)");

	/* Sizes. */
	memset(big, ' ', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "sig1=(\"@method\")", 16);
	expect_parse_error(big, sig, NULL, CY_E_TOO_LARGE,
	    "Signature-Input is over 4096 bytes");
	expect_parse_error("sig1=(\"@method\")", big, NULL, CY_E_TOO_LARGE,
	    "Signature is over 4096 bytes");
	strcpy(many, "sig1=(");
	for (i = 0; i <= CY_HTTPSIG_COMPONENTS_MAX; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many),
		    "%s\"h%zu\"", i > 0 ? " " : "", i);
	strcat(many, ")");
	expect_parse_error(many, sig, NULL, CY_E_TOO_LARGE,
	    "Signature-Input: the signature covers more than 16 components");
}

/* Two signatures: a label picks one, and the other's faults still
 * count. */
static void
test_labels(void **state)
{
	cy_httpsig *h = NULL;
	cy_error err = {0};

	(void)state;
	assert_int_equal(cy_httpsig_parse("a=(\"@method\");created=1, "
	    "sig1=(\"@path\");created=2", "sig1=:AAAA:,a=:AAAA:", "sig1", &h,
	    &err), 0);
	assert_int_equal(cy_httpsig_created(h), 2);
	assert_string_equal(cy_httpsig_component_name(h, 0), "@path");
	/* A 3-byte signature parses but is no Ed25519 signature. */
	expect_error(cy_httpsig_verify(h, cy_httpsig_request_component,
	    (void *)&rfc_request, rfc_public, &err), &err, CY_E_SIGNATURE,
	    "the signature is 3 bytes; Ed25519's are 64");
	cy_httpsig_free(h);
	expect_parse_error("a=(\"@method\" \"@method\"), sig1=(\"@path\")",
	    "sig1=:AAAA:", "sig1", CY_E_FORMAT,
	    "Signature-Input: the signature covers \"@method\" twice");
}

/* The derived components of RFC 9421 §2.2 from the target URI. */
static void
expect_derived(const char *uri, const char *name, const char *want)
{
	cy_httpsig_request req = {.method = "GET", .target_uri = uri};
	char input[128];
	cy_buf base = CY_BUF_INIT;
	cy_httpsig *h;
	cy_error err = {0};
	char line[256];

	snprintf(input, sizeof(input), "sig1=(\"%s\")", name);
	h = parse_input(input);
	assert_int_equal(cy_httpsig_base(h, cy_httpsig_request_component, &req,
	    &base, &err), 0);
	snprintf(line, sizeof(line), "\"%s\": %s\n\"@signature-params\": (\"%s\")",
	    name, want, name);
	assert_string_equal((char *)base.data, line);
	cy_httpsig_free(h);
	cy_buf_free(&base);
}

static void
test_derived(void **state)
{
	cy_httpsig_request req = {.method = "GET"};
	cy_buf base = CY_BUF_INIT;
	cy_httpsig *h;
	cy_error err = {0};

	(void)state;
	expect_derived("https://Reg.Example:443/v1/x?y=1", "@authority",
	    "reg.example");
	expect_derived("https://reg.example:8443/v1/x", "@authority",
	    "reg.example:8443");
	expect_derived("http://reg.example:80", "@authority", "reg.example");
	expect_derived("http://[::1]:8080/a", "@authority", "[::1]:8080");
	expect_derived("HTTPS://reg.example/", "@scheme", "https");
	expect_derived("https://reg.example", "@path", "/");
	expect_derived("https://reg.example/a/b?c=d", "@path", "/a/b");
	expect_derived("https://reg.example/a?c=d&e", "@query", "?c=d&e");
	expect_derived("https://reg.example/a", "@query", "?");
	expect_derived("https://reg.example/a?c=d", "@request-target", "/a?c=d");
	expect_derived("https://reg.example/a?c=d", "@target-uri",
	    "https://reg.example/a?c=d");
	expect_derived("https://reg.example/a", "@method", "GET");

	h = parse_input("sig1=(\"@path\")");
	req.target_uri = "https://officer@reg.example/a";
	expect_error(cy_httpsig_base(h, cy_httpsig_request_component, &req,
	    &base, &err), &err, CY_E_FORMAT,
	    "the target URI holds user information");
	req.target_uri = "https://reg.example/a#frag";
	expect_error(cy_httpsig_base(h, cy_httpsig_request_component, &req,
	    &base, &err), &err, CY_E_FORMAT, "the target URI holds a fragment");
	req.target_uri = "/v1/log/entries";
	expect_error(cy_httpsig_base(h, cy_httpsig_request_component, &req,
	    &base, &err), &err, CY_E_FORMAT,
	    "the target URI is not an absolute URI (scheme://host/path)");
	req.target_uri = NULL;
	expect_error(cy_httpsig_base(h, cy_httpsig_request_component, &req,
	    &base, &err), &err, CY_E_FORMAT,
	    "the request has no target URI to derive @path from");
	cy_httpsig_free(h);
	cy_buf_free(&base);
}

/* Header values are trimmed; extra headers answer by lower-case name. */
static void
test_header_values(void **state)
{
	static const char *const headers[] = {"x-unit", "  7 \t", NULL};
	cy_httpsig_request req = {.method = "GET",
	    .target_uri = "https://reg.example/", .headers = headers};
	cy_buf base = CY_BUF_INIT;
	cy_httpsig *h = parse_input("sig1=(\"x-unit\");keyid=\"a\\\"b\\\\\"");
	cy_error err = {0};

	(void)state;
	assert_string_equal(cy_httpsig_keyid(h), "a\"b\\");
	assert_int_equal(cy_httpsig_base(h, cy_httpsig_request_component, &req,
	    &base, &err), 0);
	/* The parameters are serialised back with their escapes. */
	assert_string_equal((char *)base.data, "\"x-unit\": 7\n"
	    "\"@signature-params\": (\"x-unit\");keyid=\"a\\\"b\\\\\"");
	cy_httpsig_free(h);
	cy_buf_free(&base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc9421_b26_sign),
		cmocka_unit_test(test_rfc9421_b26_verify),
		cmocka_unit_test(test_rfc9530_digest),
		cmocka_unit_test(test_profile_round_trip),
		cmocka_unit_test(test_doc_example),
		cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_profile_refusals),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_derived),
		cmocka_unit_test(test_header_values),
	};

	if (cy_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
