/* The chain rules: for each, a case that passes and one that fails on
 * exactly that rule, at the issuing side and at the verifying side. */
#include "testutil.h"

#include "coyeu/age.h"
#include "coyeu/canon.h"
#include "coyeu/cert.h"
#include "coyeu/crl.h"
#include "coyeu/encoding.h"
#include "coyeu/idkey.h"
#include "coyeu/level.h"
#include "coyeu/request.h"
#include "coyeu/secret.h"
#include "pki/idkey_text.h"
#include "base/key_soft.h"

#define T0 1767225600LL /* 2026-01-01T00:00:00Z */
#define DAY 86400LL
#define YEAR (365 * DAY)
#define NOW (T0 + DAY)
#define SIG_B64 CY_B64_UNPADDED_LEN(CY_SIGNATURE_LEN)

/* A holder of a key and its certificate. */
struct holder {
	cy_idkey *key;
	cy_cert *cert;
};

static void
holder_free(struct holder *h)
{
	cy_idkey_free(h->key);
	cy_cert_free(h->cert);
	h->key = NULL;
	h->cert = NULL;
}

static cy_cert_params
params(const char *name, const char *unit, int role, int level,
    const cy_idkey *k)
{
	cy_cert_params p;

	memset(&p, 0, sizeof(p));
	p.name = name;
	p.unit = unit;
	p.role = role;
	p.clearance = level;
	p.not_before = T0;
	p.not_after = T0 + YEAR;
	p.sign_public = cy_idkey_sign_public(k);
	p.seal_public = cy_idkey_seal_public(k);
	return p;
}

static struct holder
make_root(const char *compartments)
{
	struct holder h = {NULL, NULL};
	cy_cert_params p;
	cy_error err;

	assert_int_equal(cy_idkey_generate(&h.key, &err), 0);
	p = params("Ban Cơ yếu Chính phủ", "vn", CY_ROLE_AUTHORITY,
	    CY_LEVEL_TUYET_MAT, h.key);
	p.compartments = compartments;
	p.not_after = T0 + 10 * YEAR;
	if (cy_cert_issue(&p, NULL, h.key, NOW, &h.cert, &err) != 0)
		fail_msg("root: %s", err.msg);
	return h;
}

/* Issues under `by`; returns the code, the message in err. */
static int
try_issue(const struct holder *by, cy_cert_params *p, struct holder *out,
    cy_error *err)
{
	int rc;

	out->cert = NULL;
	if (out->key == NULL)
		assert_int_equal(cy_idkey_generate(&out->key, err), 0);
	p->sign_public = cy_idkey_sign_public(out->key);
	p->seal_public = cy_idkey_seal_public(out->key);
	cy_error_clear(err);
	rc = cy_cert_issue(p, by->cert, by->key, NOW, &out->cert, err);
	return rc;
}

static struct holder
issue(const struct holder *by, const char *unit, int role, int level)
{
	struct holder h = {NULL, NULL};
	cy_cert_params p;
	cy_error err;

	assert_int_equal(cy_idkey_generate(&h.key, &err), 0);
	p = params("Người thứ nhất", unit, role, level, h.key);
	if (try_issue(by, &p, &h, &err) != 0)
		fail_msg("issue %s: %s", unit, err.msg);
	return h;
}

static void
expect_msg(const cy_error *err, const char *want)
{
	if (strstr(err->msg, want) == NULL)
		fail_msg("message '%s' lacks '%s'", err->msg, want);
}

/* Parses certificates given leaf first as one chain file. */
static cy_chain *
chain_of(const cy_cert *const *certs, size_t n)
{
	cy_buf b = CY_BUF_INIT;
	cy_chain *ch = NULL;
	const uint8_t *p;
	cy_error err;
	size_t i, len;

	for (i = 0; i < n; i++) {
		if (i > 0)
			cy_buf_append(&b, "\n", 1);
		p = cy_cert_bytes(certs[i], &len);
		cy_buf_append(&b, p, len);
	}
	if (cy_chain_parse(b.data, b.len, &ch, &err) != 0)
		fail_msg("chain: %s", err.msg);
	cy_buf_free(&b);
	return ch;
}

static int
verify(const cy_cert *const *certs, size_t n, const cy_cert *root,
    const cy_crl *const *crls, size_t ncrls, int64_t at, cy_error *err)
{
	cy_chain *ch = chain_of(certs, n);
	int rc;

	cy_error_clear(err);
	rc = cy_chain_verify(ch, root, crls, ncrls, at, NULL, err);
	cy_chain_free(ch);
	return rc;
}

/* An object's text with `from` replaced by `to` (from NULL: unchanged),
 * signed anew with k into out: what a dishonest issuer could produce, to
 * test the verifier alone. */
static void
resign(const uint8_t *bytes, size_t len, const char *from, const char *to,
    const cy_idkey *k, cy_buf *b)
{
	const char *sigline, *at;
	uint8_t sig[CY_SIGNATURE_LEN];
	cy_error err;

	sigline = memmem(bytes, len, "signature: ", 11);
	assert_non_null(sigline);
	at = from ? strstr((const char *)bytes, from) : NULL;
	if (from != NULL) {
		assert_non_null(at);
		cy_buf_append(b, bytes, (size_t)(at - (const char *)bytes));
		cy_buf_puts(b, to);
		at += strlen(from);
		cy_buf_append(b, at, (size_t)(sigline - at));
	} else {
		cy_buf_append(b, bytes, (size_t)(sigline - (const char *)bytes));
	}
	assert_int_equal(cy_key_sign(k, b->data, b->len, sig, &err), 0);
	assert_int_equal(cy_canon_put_b64(b, "signature", sig, sizeof(sig),
	    &err), 0);
}

static cy_cert *
forge(const cy_cert *c, const char *from, const char *to, const cy_idkey *k)
{
	const uint8_t *bytes;
	cy_buf b = CY_BUF_INIT;
	cy_cert *out = NULL;
	cy_error err;
	size_t len;

	bytes = cy_cert_bytes(c, &len);
	resign(bytes, len, from, to, k, &b);
	if (cy_cert_parse(b.data, b.len, &out, &err) != 0)
		fail_msg("forge: %s", err.msg);
	cy_buf_free(&b);
	return out;
}

/* The same for a revocation list. */
static cy_crl *
forge_crl(const cy_crl *crl, const char *from, const char *to,
    const cy_idkey *k)
{
	const uint8_t *bytes;
	cy_buf b = CY_BUF_INIT;
	cy_crl *out = NULL;
	cy_error err;
	size_t len;

	bytes = cy_crl_bytes(crl, &len);
	resign(bytes, len, from, to, k, &b);
	if (cy_crl_parse(b.data, b.len, &out, &err) != 0)
		fail_msg("forge_crl: %s", err.msg);
	cy_buf_free(&b);
	return out;
}

/* The four levels of the service. */
struct tree {
	struct holder root, city, agency, officer;
};

static int
tree_setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));
	cy_cert_params p;
	cy_error err;

	assert_int_equal(cy_init(), 0);
	t->root = make_root("ngoai-giao,quoc-phong");
	t->city = issue(&t->root, "vn/hcm", CY_ROLE_AUTHORITY,
	    CY_LEVEL_TUYET_MAT);
	t->agency = issue(&t->city, "vn/hcm/van-phong-thanh-uy",
	    CY_ROLE_AUTHORITY, CY_LEVEL_TOI_MAT);
	assert_int_equal(cy_idkey_generate(&t->officer.key, &err), 0);
	p = params("Nguyễn Văn A", "vn/hcm/van-phong-thanh-uy/phong-1",
	    CY_ROLE_OFFICER, CY_LEVEL_MAT, t->officer.key);
	/* compartments come only from the issuer: the agency has none */
	p.compartments = "quoc-phong";
	assert_int_equal(try_issue(&t->agency, &p, &t->officer, &err),
	    CY_E_POLICY);
	expect_msg(&err, "compartment quoc-phong is not among the issuer's");
	p.compartments = NULL;
	assert_int_equal(try_issue(&t->agency, &p, &t->officer, &err), 0);
	*state = t;
	return 0;
}

static int
tree_teardown(void **state)
{
	struct tree *t = *state;

	holder_free(&t->root);
	holder_free(&t->city);
	holder_free(&t->agency);
	holder_free(&t->officer);
	free(t);
	return 0;
}

static void
test_four_levels(void **state)
{
	struct tree *t = *state;
	const cy_cert *c[] = {t->officer.cert, t->agency.cert, t->city.cert};
	cy_chain *ch = chain_of(c, 3);
	cy_cert *leaf = NULL;
	cy_buf b = CY_BUF_INIT;
	cy_chain *issuer_chain, *again;
	cy_error err;

	assert_int_equal(cy_chain_verify(ch, t->root.cert, NULL, 0, NOW, &leaf,
	    &err), 0);
	assert_string_equal(cy_cert_name(leaf), "Nguyễn Văn A");
	assert_string_equal(cy_cert_unit(leaf),
	    "vn/hcm/van-phong-thanh-uy/phong-1");
	assert_int_equal(cy_cert_role(leaf), CY_ROLE_OFFICER);
	assert_int_equal(cy_cert_clearance(leaf), CY_LEVEL_MAT);
	assert_string_equal(cy_cert_compartments(leaf), "");
	assert_memory_equal(cy_cert_seal_public(leaf),
	    cy_idkey_seal_public(t->officer.key), CY_SEAL_PUBLIC_LEN);
	assert_memory_equal(cy_cert_sign_public(leaf),
	    cy_idkey_sign_public(t->officer.key), CY_SIGN_PUBLIC_LEN);
	{
		cy_recipient *rc = NULL;

		assert_memory_equal(cy_cert_seal_recipient(leaf), "age1", 4);
		assert_int_equal(cy_recipient_parse(cy_cert_seal_recipient(leaf),
		    &rc, &err), 0);
		cy_recipient_free(rc);
	}
	assert_string_equal(cy_cert_issuer(leaf), cy_cert_serial(t->agency.cert));
	assert_int_equal(cy_cert_not_before(leaf), T0);
	cy_cert_free(leaf);
	/* the chain file for the next holder: the leaf, then the issuer's
	 * chain without its root */
	issuer_chain = chain_of(c + 1, 2);
	assert_int_equal(cy_chain_encode(t->officer.cert, issuer_chain, &b,
	    &err), 0);
	assert_int_equal(cy_chain_parse(b.data, b.len, &again, &err), 0);
	assert_int_equal(cy_chain_len(again), 3);
	assert_int_equal(cy_chain_verify(again, t->root.cert, NULL, 0, NOW,
	    NULL, &err), 0);
	cy_chain_free(again);
	cy_chain_free(issuer_chain);
	cy_chain_free(ch);
	cy_buf_free(&b);
	/* the root on its own */
	assert_int_equal(verify((const cy_cert *const[]){t->root.cert}, 1,
	    t->root.cert, NULL, 0, NOW, &err), 0);
}

static void
test_subtree(void **state)
{
	struct tree *t = *state;
	struct holder h = {NULL, NULL};
	cy_cert_params p;
	cy_cert *bad;
	cy_error err;

	assert_true(cy_unit_contains("vn/hcm", "vn/hcm"));
	assert_true(cy_unit_contains("vn/hcm", "vn/hcm/x"));
	assert_false(cy_unit_contains("vn/hcm", "vn/hn"));
	assert_false(cy_unit_contains("vn/hcm", "vn/hcmx"));
	assert_false(cy_unit_contains("vn/hcm", "vn"));
	assert_true(cy_unit_valid("vn/hcm/van-phong-thanh-uy", 25));
	assert_false(cy_unit_valid("vn//hcm", 7));
	assert_false(cy_unit_valid("vn/hcm/", 7));
	assert_false(cy_unit_valid("/vn", 3));
	assert_false(cy_unit_valid("vn/HCM", 6));

	p = params("Cán bộ", "vn/hcm/x", CY_ROLE_OFFICER, CY_LEVEL_MAT, t->city.key);
	assert_int_equal(try_issue(&t->city, &p, &h, &err), 0);
	cy_cert_free(h.cert);
	p.unit = "vn/hn";
	assert_int_equal(try_issue(&t->city, &p, &h, &err), CY_E_POLICY);
	assert_string_equal(err.msg,
	    "unit vn/hn is outside the issuer's subtree vn/hcm");
	p.unit = "vn/hcmx";
	assert_int_equal(try_issue(&t->city, &p, &h, &err), CY_E_POLICY);
	expect_msg(&err, "unit vn/hcmx is outside the issuer's subtree vn/hcm");
	/* a sub-authority may not be given a wider subtree than its issuer */
	p = params("Sở", "vn/hcm/so", CY_ROLE_AUTHORITY, CY_LEVEL_MAT, h.key);
	p.may_issue_unit = "vn/hcm/so/a";
	assert_int_equal(try_issue(&t->city, &p, &h, &err), 0);
	cy_cert_free(h.cert);
	p.may_issue_unit = "vn/hn";
	assert_int_equal(try_issue(&t->city, &p, &h, &err), CY_E_POLICY);
	expect_msg(&err, "may-issue subtree vn/hn is outside");
	holder_free(&h);

	/* the verifier holds the same line against a dishonest issuer */
	bad = forge(t->officer.cert, "unit: vn/hcm/van-phong-thanh-uy/phong-1",
	    "unit: vn/hn/x", t->agency.key);
	assert_int_equal(verify((const cy_cert *const[]){bad, t->agency.cert,
	    t->city.cert}, 3, t->root.cert, NULL, 0, NOW, &err), CY_E_POLICY);
	expect_msg(&err, "certificate 1 (serial ");
	expect_msg(&err, "): unit vn/hn/x is outside the issuer's subtree "
	    "vn/hcm/van-phong-thanh-uy");
	cy_cert_free(bad);
	bad = forge(t->officer.cert, "unit: vn/hcm/van-phong-thanh-uy/phong-1",
	    "unit: vn/hcm/van-phong-thanh-uyx", t->agency.key);
	assert_int_equal(verify((const cy_cert *const[]){bad, t->agency.cert,
	    t->city.cert}, 3, t->root.cert, NULL, 0, NOW, &err), CY_E_POLICY);
	expect_msg(&err, "unit vn/hcm/van-phong-thanh-uyx is outside");
	cy_cert_free(bad);
}

static void
test_level(void **state)
{
	struct tree *t = *state;
	struct holder h = {NULL, NULL};
	cy_cert_params p;
	cy_cert *bad;
	cy_error err;

	p = params("Cán bộ", "vn/hcm/van-phong-thanh-uy", CY_ROLE_OFFICER,
	    CY_LEVEL_TOI_MAT, t->agency.key);
	assert_int_equal(try_issue(&t->agency, &p, &h, &err), 0);
	cy_cert_free(h.cert);
	p.clearance = CY_LEVEL_TUYET_MAT;
	assert_int_equal(try_issue(&t->agency, &p, &h, &err), CY_E_POLICY);
	assert_string_equal(err.msg,
	    "clearance tuyet-mat is above the issuer's level toi-mat");
	/* an authority's may-issue level above its own clearance */
	p = params("Sở", "vn/hcm/so", CY_ROLE_AUTHORITY, CY_LEVEL_MAT, h.key);
	p.may_issue_level = CY_LEVEL_TOI_MAT;
	assert_int_equal(try_issue(&t->city, &p, &h, &err), CY_E_POLICY);
	expect_msg(&err, "may-issue level toi-mat is above the authority's "
	    "own clearance mat");
	holder_free(&h);

	bad = forge(t->officer.cert, "clearance: mat", "clearance: tuyet-mat",
	    t->agency.key);
	assert_int_equal(verify((const cy_cert *const[]){bad, t->agency.cert,
	    t->city.cert}, 3, t->root.cert, NULL, 0, NOW, &err), CY_E_POLICY);
	expect_msg(&err, "certificate 1");
	expect_msg(&err, "clearance tuyet-mat is above the issuer's level toi-mat");
	cy_cert_free(bad);
}

static void
test_role(void **state)
{
	struct tree *t = *state;
	struct holder h = {NULL, NULL}, reg;
	cy_cert_params p;
	cy_error err;

	p = params("Cán bộ", "vn/hcm/van-phong-thanh-uy/phong-1",
	    CY_ROLE_OFFICER, CY_LEVEL_MAT, t->officer.key);
	assert_int_equal(try_issue(&t->officer, &p, &h, &err), CY_E_POLICY);
	expect_msg(&err, "is an officer, not an authority; only authorities "
	    "issue certificates");
	reg = issue(&t->agency, "vn/hcm/van-phong-thanh-uy", CY_ROLE_REGISTRY,
	    CY_LEVEL_TOI_MAT);
	assert_int_equal(try_issue(&reg, &p, &h, &err), CY_E_POLICY);
	expect_msg(&err, "is a registry, not an authority");
	holder_free(&reg);
	holder_free(&h);
}

static void
test_role_verify(void **state)
{
	struct tree *t = *state;
	struct holder sub = {NULL, NULL};
	cy_cert_params p;
	cy_cert *bad;
	cy_error err;

	/* a real officer certificate used as issuer of another one */
	p = params("Cấp dưới", "vn/hcm/van-phong-thanh-uy/phong-1",
	    CY_ROLE_OFFICER, CY_LEVEL_MAT, t->officer.key);
	assert_int_equal(try_issue(&t->agency, &p, &sub, &err), 0);
	bad = forge(sub.cert, cy_cert_issuer(sub.cert),
	    cy_cert_serial(t->officer.cert), t->officer.key);
	assert_int_equal(verify((const cy_cert *const[]){bad,
	    t->officer.cert, t->agency.cert, t->city.cert}, 4, t->root.cert,
	    NULL, 0, NOW, &err), CY_E_POLICY);
	expect_msg(&err, "certificate 1");
	expect_msg(&err, "only authorities issue certificates");
	cy_cert_free(bad);
	holder_free(&sub);
}

static void
test_validity(void **state)
{
	struct tree *t = *state;
	struct holder h = {NULL, NULL};
	const cy_cert *c[] = {t->officer.cert, t->agency.cert, t->city.cert};
	cy_cert_params p;
	cy_cert *bad;
	cy_error err;

	p = params("Cán bộ", "vn/hcm/van-phong-thanh-uy", CY_ROLE_OFFICER,
	    CY_LEVEL_MAT, t->agency.key);
	p.not_after = cy_cert_not_after(t->agency.cert);
	assert_int_equal(try_issue(&t->agency, &p, &h, &err), 0);
	cy_cert_free(h.cert);
	p.not_after++;
	assert_int_equal(try_issue(&t->agency, &p, &h, &err), CY_E_POLICY);
	expect_msg(&err, "validity ends 2027-01-01T00:00:01Z, after the "
	    "issuer's (2027-01-01T00:00:00Z)");
	p.not_after--;
	p.not_before = T0 - 1;
	assert_int_equal(try_issue(&t->agency, &p, &h, &err), CY_E_POLICY);
	expect_msg(&err, "validity starts 2025-12-31T23:59:59Z, before the "
	    "issuer's");
	/* an expired issuer issues nothing */
	p.not_before = T0;
	assert_int_equal(cy_cert_issue(&p, t->agency.cert, t->agency.key,
	    T0 + 2 * YEAR, &h.cert, &err), CY_E_POLICY);
	expect_msg(&err, "expired");
	holder_free(&h);

	bad = forge(t->officer.cert, "not-after: 2027-01-01T00:00:00Z",
	    "not-after: 2027-06-01T00:00:00Z", t->agency.key);
	c[0] = bad;
	assert_int_equal(verify(c, 3, t->root.cert, NULL, 0, NOW, &err),
	    CY_E_POLICY);
	expect_msg(&err, "certificate 1");
	expect_msg(&err, "validity ends 2027-06-01T00:00:00Z, after the issuer's");
	cy_cert_free(bad);
}

static void
test_time(void **state)
{
	struct tree *t = *state;
	const cy_cert *c[] = {t->officer.cert, t->agency.cert, t->city.cert};
	struct holder h = {NULL, NULL};
	cy_cert_params p;
	cy_error err;

	/* the last second counts; the next one does not */
	assert_int_equal(verify(c, 3, t->root.cert, NULL, 0, T0 + YEAR, &err), 0);
	assert_int_equal(verify(c, 3, t->root.cert, NULL, 0, T0 + YEAR + 1,
	    &err), CY_E_POLICY);
	expect_msg(&err, "expired at 2027-01-01T00:00:00Z");
	assert_int_equal(verify(c, 3, t->root.cert, NULL, 0, T0, &err), 0);
	assert_int_equal(verify(c, 3, t->root.cert, NULL, 0, T0 - 1, &err),
	    CY_E_POLICY);
	expect_msg(&err, "trusted root");
	expect_msg(&err, "not yet valid: valid from 2026-01-01T00:00:00Z");
	/* a certificate starting later than its issuers */
	p = params("Sau này", "vn/hcm/van-phong-thanh-uy", CY_ROLE_OFFICER,
	    CY_LEVEL_MAT, t->agency.key);
	p.not_before = T0 + 100 * DAY;
	assert_int_equal(try_issue(&t->agency, &p, &h, &err), 0);
	c[0] = h.cert;
	assert_int_equal(verify(c, 3, t->root.cert, NULL, 0, NOW, &err),
	    CY_E_POLICY);
	expect_msg(&err, "certificate 1");
	expect_msg(&err, "not yet valid: valid from 2026-04-11T00:00:00Z");
	assert_int_equal(verify(c, 3, t->root.cert, NULL, 0, T0 + 100 * DAY,
	    &err), 0);
	holder_free(&h);
}

static cy_crl *
revoke_since(const struct holder *by, const cy_crl *prev, const char *serial,
    const char *reason, int64_t since)
{
	cy_crl_revocation add = {serial, reason, since};
	cy_crl *crl = NULL;
	cy_error err;

	if (cy_crl_extend(prev, by->cert, by->key, serial ? &add : NULL, NOW,
	    &crl, &err) != 0)
		fail_msg("revoke: %s", err.msg);
	return crl;
}

static cy_crl *
revoke(const struct holder *by, const cy_crl *prev, const char *serial,
    const char *reason)
{
	return revoke_since(by, prev, serial, reason, 0);
}

/* extend(): cy_crl_extend with one revocation, for the refused cases. */
static int
extend(const cy_crl *prev, const struct holder *by, const cy_idkey *key,
    const char *serial, const char *reason, int64_t since, cy_crl **out,
    cy_error *err)
{
	cy_crl_revocation add = {serial, reason, since};

	return cy_crl_extend(prev, by->cert, key, serial ? &add : NULL, NOW,
	    out, err);
}

/* A revocation for a reason that leaves the key with its holder takes
 * effect at its time; a compromise, or an unknown reason, at every time. */
static void
test_revocation_time(void **state)
{
	struct tree *t = *state;
	const cy_cert *c[] = {t->officer.cert, t->agency.cert, t->city.cert};
	const char *serial = cy_cert_serial(t->officer.cert), *reason;
	static const struct {
		const char *reason;
		int before;  /* verdict one second before `since` */
	} cases[] = {
		{"left-unit", 0}, {"superseded", 0}, {"cessation", 0},
		{"key-compromise", CY_E_REVOKED}, {"unspecified", CY_E_REVOKED},
		{"retired-early", CY_E_REVOKED},
	};
	const int64_t since = NOW - 3600;
	const cy_crl *lists[1];
	cy_crl *crl, *later;
	int64_t when;
	cy_error err;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		crl = revoke_since(&t->agency, NULL, serial, cases[i].reason,
		    since);
		lists[0] = crl;
		assert_int_equal(verify(c, 3, t->root.cert, lists, 1, since - 1,
		    &err), cases[i].before);
		assert_int_equal(verify(c, 3, t->root.cert, lists, 1, since,
		    &err), CY_E_REVOKED);
		expect_msg(&err, "since 2026");
		assert_int_equal(cy_crl_lookup(crl, serial, &reason, &when), 1);
		assert_string_equal(reason, cases[i].reason);
		assert_int_equal(when, since);
		cy_crl_free(crl);
	}
	/* Not in the future; by default, the list's own time. */
	assert_int_equal(extend(NULL, &t->agency, t->agency.key, serial,
	    "left-unit", NOW + 1, &later, &err), CY_E_USAGE);
	expect_msg(&err, "not later");
	crl = revoke(&t->agency, NULL, serial, "left-unit");
	assert_int_equal(cy_crl_lookup(crl, serial, NULL, &when), 1);
	assert_int_equal(when, NOW);
	cy_crl_free(crl);
}

static void
test_revoked(void **state)
{
	struct tree *t = *state;
	const cy_cert *c[] = {t->officer.cert, t->agency.cert, t->city.cert};
	cy_crl *empty, *leaf_crl, *city_crl, *root_crl, *other, *other2;
	struct holder other_root;
	const cy_crl *lists[3];
	cy_error err;

	empty = revoke(&t->agency, NULL, NULL, NULL);
	leaf_crl = revoke(&t->agency, empty, cy_cert_serial(t->officer.cert),
	    "key-compromise");
	assert_int_equal(cy_crl_sequence(leaf_crl), 2);
	/* an older list never overrides a newer one, in either order */
	lists[0] = empty;
	assert_int_equal(verify(c, 3, t->root.cert, lists, 1, NOW, &err), 0);
	lists[0] = leaf_crl;
	lists[1] = empty;
	assert_int_equal(verify(c, 3, t->root.cert, lists, 2, NOW, &err),
	    CY_E_REVOKED);
	expect_msg(&err, "certificate 1");
	expect_msg(&err, "reason: key-compromise");
	lists[0] = empty;
	lists[1] = leaf_crl;
	assert_int_equal(verify(c, 3, t->root.cert, lists, 2, NOW, &err),
	    CY_E_REVOKED);

	/* revoking the city authority cuts off everything beneath it */
	root_crl = revoke(&t->root, NULL, cy_cert_serial(t->city.cert),
	    "superseded");
	lists[0] = root_crl;
	assert_int_equal(verify(c, 3, t->root.cert, lists, 1, NOW, &err),
	    CY_E_REVOKED);
	expect_msg(&err, "certificate 3 (serial");
	expect_msg(&err, "reason: superseded");
	assert_int_equal(verify(c + 1, 2, t->root.cert, lists, 1, NOW, &err),
	    CY_E_REVOKED);
	/* an authority above may revoke deeper down directly */
	city_crl = revoke(&t->city, NULL, cy_cert_serial(t->officer.cert), NULL);
	lists[0] = city_crl;
	assert_int_equal(verify(c, 3, t->root.cert, lists, 1, NOW, &err),
	    CY_E_REVOKED);
	expect_msg(&err, "reason: unspecified");
	/* a list from outside the chain says nothing about it */
	other_root = make_root(NULL);
	other = revoke(&other_root, NULL, cy_cert_serial(t->officer.cert), NULL);
	lists[0] = other;
	assert_int_equal(verify(c, 3, t->root.cert, lists, 1, NOW, &err), 0);
	/* and only authorities publish lists */
	assert_int_equal(extend(NULL, &t->officer, t->officer.key, NULL, NULL,
	    0, &other2, &err), CY_E_POLICY);
	cy_crl_free(other);
	holder_free(&other_root);
	cy_crl_free(city_crl);
	cy_crl_free(root_crl);
	cy_crl_free(leaf_crl);
	cy_crl_free(empty);
}

static void
test_crl_rules(void **state)
{
	struct tree *t = *state;
	const cy_cert *c[] = {t->officer.cert, t->agency.cert, t->city.cert};
	cy_crl *a, *b, *twin, *tampered;
	const cy_crl *lists[2];
	const uint8_t *bytes;
	char *copy, *p;
	size_t len;
	cy_error err;

	a = revoke(&t->agency, NULL, NULL, NULL);
	/* twice the same serial, a foreign list, a foreign key */
	assert_int_equal(extend(a, &t->agency, t->agency.key,
	    cy_cert_serial(t->officer.cert), "a b", 0, &b, &err), CY_E_USAGE);
	b = revoke(&t->agency, a, cy_cert_serial(t->officer.cert), NULL);
	assert_int_equal(extend(b, &t->agency, t->agency.key,
	    cy_cert_serial(t->officer.cert), NULL, 0, &twin, &err), CY_E_USAGE);
	expect_msg(&err, "already revoked");
	assert_int_equal(extend(b, &t->city, t->city.key, NULL, NULL, 0, &twin,
	    &err), CY_E_POLICY);
	assert_int_equal(extend(NULL, &t->agency, t->city.key, NULL, NULL, 0,
	    &twin, &err), CY_E_POLICY);
	expect_msg(&err, "key does not belong");
	/* a different list with the same sequence: refused, fail closed */
	twin = revoke(&t->agency, a, cy_cert_serial(t->city.cert), NULL);
	lists[0] = b;
	lists[1] = twin;
	assert_int_equal(verify(c, 3, t->root.cert, lists, 2, NOW, &err),
	    CY_E_REVOKED);
	expect_msg(&err, "two different revocation lists");
	/* a tampered list */
	bytes = cy_crl_bytes(b, &len);
	copy = strndup((const char *)bytes, len);
	p = strstr(copy, "key-compromise");
	if (p == NULL)
		p = strstr(copy, "unspecified");
	memcpy(p, "unspecifiee", 11);
	assert_int_equal(cy_crl_parse((uint8_t *)copy, len, &tampered, &err), 0);
	lists[0] = tampered;
	assert_int_equal(verify(c, 3, t->root.cert, lists, 1, NOW, &err),
	    CY_E_SIGNATURE);
	expect_msg(&err, "revocation list 1 (sequence 2): signature does not");
	cy_crl_free(tampered);
	free(copy);
	cy_crl_free(twin);
	cy_crl_free(b);
	cy_crl_free(a);
}

/* A newer list must keep every revocation of the older one, no weaker,
 * and not run far ahead; verifying with both lists fails closed. */
static void
test_crl_successor(void **state)
{
	struct tree *t = *state;
	const cy_cert *c[] = {t->officer.cert, t->agency.cert, t->city.cert};
	const char *officer = cy_cert_serial(t->officer.cert);
	const char *city = cy_cert_serial(t->city.cert);
	cy_crl *a, *b, *fresh, *dropped, *weak, *strong, *lu, *tmp, *later;
	cy_crl *jump, *edge, *other, *earlier;
	struct holder other_root;
	const cy_crl *lists[2];
	char from[128], to[128];
	cy_error err;

	a = revoke(&t->agency, NULL, officer, "key-compromise");
	b = revoke(&t->agency, a, city, NULL);
	assert_int_equal(cy_crl_check_successor(a, b, CY_CRL_SEQUENCE_JUMP_MAX,
	    &err), 0);
	assert_int_equal(cy_crl_check_successor(a, a, 0, &err), 0);
	assert_int_equal(cy_crl_check_successor(b, a, UINT64_MAX, &err),
	    CY_E_POLICY);
	expect_msg(&err, "sequence 1 is older than sequence 2");

	/* the attack: a fresh list, sequence 2, without the officer */
	fresh = revoke(&t->agency, NULL, city, NULL);
	dropped = revoke(&t->agency, fresh, cy_cert_serial(t->root.cert), NULL);
	assert_int_equal(cy_crl_sequence(dropped), 2);
	assert_int_equal(cy_crl_check_successor(a, dropped, UINT64_MAX, &err),
	    CY_E_REVOKED);
	expect_msg(&err, "drops");
	expect_msg(&err, officer);
	lists[0] = a;
	lists[1] = dropped;
	assert_int_equal(verify(c, 3, t->root.cert, lists, 2, NOW, &err),
	    CY_E_REVOKED);
	expect_msg(&err, "drops");
	lists[0] = dropped;
	lists[1] = a;
	assert_int_equal(verify(c, 3, t->root.cert, lists, 2, NOW, &err),
	    CY_E_REVOKED);
	expect_msg(&err, "drops");
	/* same sequence, another list */
	assert_int_equal(cy_crl_check_successor(b, dropped, UINT64_MAX, &err),
	    CY_E_REVOKED);
	expect_msg(&err, "two different revocation lists");

	/* weakened: key-compromise turned into left-unit, which lets the
	 * past stand */
	snprintf(from, sizeof(from), "%s key-compromise", officer);
	snprintf(to, sizeof(to), "%s left-unit", officer);
	weak = forge_crl(b, from, to, t->agency.key);
	assert_int_equal(cy_crl_check_successor(a, weak, UINT64_MAX, &err),
	    CY_E_REVOKED);
	expect_msg(&err, "weakens the revocation of");
	/* the other way round is a strengthening, accepted */
	strong = forge_crl(b, "sequence: 2\n", "sequence: 3\n", t->agency.key);
	assert_int_equal(cy_crl_check_successor(weak, strong, 1, &err), 0);
	/* a left-unit moved later lets more of the past stand */
	lu = revoke_since(&t->agency, NULL, officer, "left-unit", NOW - 3600);
	tmp = forge_crl(lu, "sequence: 1\n", "sequence: 2\n", t->agency.key);
	assert_int_equal(cy_canon_time_format(NOW - 3600, from, &err), 0);
	assert_int_equal(cy_canon_time_format(NOW, to, &err), 0);
	later = forge_crl(tmp, from, to, t->agency.key);
	assert_int_equal(cy_crl_check_successor(lu, later, 1, &err),
	    CY_E_REVOKED);
	expect_msg(&err, "weakens the revocation of");
	earlier = forge_crl(lu, "sequence: 1\n", "sequence: 3\n",
	    t->agency.key);
	assert_int_equal(cy_crl_check_successor(later, earlier, 1, &err), 0);

	/* a jump: refused beyond CY_CRL_SEQUENCE_JUMP_MAX unless allowed */
	jump = forge_crl(a, "sequence: 1\n", "sequence: 1000000001\n",
	    t->agency.key);
	assert_int_equal(cy_crl_check_successor(a, jump,
	    CY_CRL_SEQUENCE_JUMP_MAX, &err), CY_E_TOO_LARGE);
	expect_msg(&err, "jumps 1000000000 past sequence 1");
	assert_int_equal(cy_crl_check_successor(a, jump, UINT64_MAX, &err), 0);
	snprintf(to, sizeof(to), "sequence: %llu\n",
	    1 + (unsigned long long)CY_CRL_SEQUENCE_JUMP_MAX);
	edge = forge_crl(a, "sequence: 1\n", to, t->agency.key);
	assert_int_equal(cy_crl_check_successor(a, edge,
	    CY_CRL_SEQUENCE_JUMP_MAX, &err), 0);
	assert_int_equal(cy_crl_check_successor(a, edge,
	    CY_CRL_SEQUENCE_JUMP_MAX - 1, &err), CY_E_TOO_LARGE);

	/* lists of two authorities are no succession */
	other_root = make_root(NULL);
	other = revoke(&other_root, NULL, officer, NULL);
	assert_int_equal(cy_crl_check_successor(a, other, UINT64_MAX, &err),
	    CY_E_USAGE);
	holder_free(&other_root);
	cy_crl_free(other);
	cy_crl_free(edge);
	cy_crl_free(jump);
	cy_crl_free(earlier);
	cy_crl_free(later);
	cy_crl_free(tmp);
	cy_crl_free(lu);
	cy_crl_free(strong);
	cy_crl_free(weak);
	cy_crl_free(dropped);
	cy_crl_free(fresh);
	cy_crl_free(b);
	cy_crl_free(a);
}

static void
test_crl_parse(void **state)
{
	static const char *bad[] = {
		"sequence: 01\n", "sequence: 0\n", "sequence: x\n",
	};
#define T0S "2026-01-01T00:00:00Z"
	static const char *bad_entry[] = {
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa superseded",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa superseded 2026-01-01",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa superseded  " T0S,
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa " T0S,
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa superseded 2026-01-01T00:00:01Z",
	}, *bad_entry_msg[] = {
		"expected 'SERIAL REASON SINCE'", "expected 'SERIAL REASON SINCE'",
		"expected 'SERIAL REASON SINCE'", "expected 'SERIAL REASON SINCE'",
		"expected 'SERIAL REASON SINCE'", "after the list was made",
	};
	const char *head = "version: coyeu.v1/crl\nissuer: "
	    "00000000000000000000000000000000\n";
	char sig[128] = "signature: ";
	char buf[1024];
	cy_crl *crl;
	cy_error err;
	size_t i;

	(void)state;
	memset(sig + 11, 'A', CY_B64_UNPADDED_LEN(CY_SIGNATURE_LEN));
	strcpy(sig + 11 + CY_B64_UNPADDED_LEN(CY_SIGNATURE_LEN), "\n");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(buf, sizeof(buf), "%s%stime: " T0S "\n%s", head, bad[i],
		    sig);
		assert_int_equal(cy_crl_parse((uint8_t *)buf, strlen(buf), &crl,
		    &err), CY_E_FORMAT);
		expect_msg(&err, "sequence");
	}
	snprintf(buf, sizeof(buf), "%ssequence: 7\ntime: " T0S "\n"
	    "revoked: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb superseded %s\n"
	    "revoked: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa superseded %s\n%s", head,
	    T0S, T0S, sig);
	assert_int_equal(cy_crl_parse((uint8_t *)buf, strlen(buf), &crl, &err),
	    CY_E_FORMAT);
	expect_msg(&err, "sorted and unique");
	for (i = 0; i < sizeof(bad_entry) / sizeof(bad_entry[0]); i++) {
		snprintf(buf, sizeof(buf), "%ssequence: 7\ntime: " T0S "\n"
		    "revoked: %s\n%s", head, bad_entry[i], sig);
		assert_int_equal(cy_crl_parse((uint8_t *)buf, strlen(buf), &crl,
		    &err), CY_E_FORMAT);
		expect_msg(&err, bad_entry_msg[i]);
	}
	snprintf(buf, sizeof(buf), "%ssequence: 7\ntime: 2026-01-01T00:00:00Z\n"
	    "revoked: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa key-compromise %s\n"
	    "revoked: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb superseded %s\n%s", head,
	    T0S, "2025-12-31T00:00:00Z", sig);
	assert_int_equal(cy_crl_parse((uint8_t *)buf, strlen(buf), &crl, &err),
	    0);
	assert_int_equal(cy_crl_count(crl), 2);
	assert_true(cy_crl_revokes(crl, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
	    1767139200, NULL));  /* 2025-12-31T00:00:00Z */
	assert_false(cy_crl_revokes(crl, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
	    1767139199, NULL));
	assert_true(cy_crl_revokes(crl, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0,
	    NULL));
	assert_false(cy_crl_revokes(crl, "cccccccccccccccccccccccccccccccc",
	    1767139200, NULL));
	cy_crl_free(crl);
}

static void
test_wrong_key(void **state)
{
	struct tree *t = *state;
	struct holder h = {NULL, NULL};
	cy_cert_params p;
	cy_cert *bad;
	cy_error err;

	/* issuing with a key that is not the issuer certificate's */
	assert_int_equal(cy_idkey_generate(&h.key, &err), 0);
	p = params("Cán bộ", "vn/hcm/van-phong-thanh-uy", CY_ROLE_OFFICER,
	    CY_LEVEL_MAT, h.key);
	assert_int_equal(cy_cert_issue(&p, t->agency.cert, t->city.key, NOW,
	    &h.cert, &err), CY_E_POLICY);
	expect_msg(&err, "the key does not belong to the issuer's certificate");
	holder_free(&h);
	/* a certificate naming the agency but signed by the city */
	bad = forge(t->officer.cert, NULL, NULL, t->city.key);
	assert_int_equal(verify((const cy_cert *const[]){bad, t->agency.cert,
	    t->city.cert}, 3, t->root.cert, NULL, 0, NOW, &err), CY_E_SIGNATURE);
	expect_msg(&err, "certificate 1 (serial");
	expect_msg(&err, "signature does not verify with the key of issuer");
	cy_cert_free(bad);
	bad = forge(t->officer.cert, NULL, NULL, t->agency.key);
	assert_int_equal(verify((const cy_cert *const[]){bad, t->agency.cert,
	    t->city.cert}, 3, t->root.cert, NULL, 0, NOW, &err), 0);
	cy_cert_free(bad);
}

static void
test_order_and_loops(void **state)
{
	struct tree *t = *state;
	struct holder other = make_root(NULL);
	cy_error err;

	assert_int_equal(verify((const cy_cert *const[]){t->officer.cert,
	    t->city.cert, t->agency.cert}, 3, t->root.cert, NULL, 0, NOW, &err),
	    CY_E_POLICY);
	expect_msg(&err, "(wrong order, a missing issuer, or another root)");
	/* a missing middle link */
	assert_int_equal(verify((const cy_cert *const[]){t->officer.cert,
	    t->city.cert}, 2, t->root.cert, NULL, 0, NOW, &err), CY_E_POLICY);
	expect_msg(&err, "certificate 1");
	/* another root */
	assert_int_equal(verify((const cy_cert *const[]){t->officer.cert,
	    t->agency.cert, t->city.cert}, 3, other.cert, NULL, 0, NOW, &err),
	    CY_E_POLICY);
	expect_msg(&err, "certificate 3");
	expect_msg(&err, "the next certificate is the trusted root");
	/* loops: a certificate twice, the root inside the chain */
	assert_int_equal(verify((const cy_cert *const[]){t->officer.cert,
	    t->agency.cert, t->agency.cert, t->city.cert}, 4, t->root.cert, NULL,
	    0, NOW, &err), CY_E_POLICY);
	expect_msg(&err, "certificate 2 (serial");
	expect_msg(&err, "appears again as a later certificate: a loop");
	assert_int_equal(verify((const cy_cert *const[]){t->city.cert,
	    t->root.cert}, 2, t->root.cert, NULL, 0, NOW, &err), CY_E_POLICY);
	expect_msg(&err, "appears again as the trusted root: a loop");
	assert_int_equal(verify((const cy_cert *const[]){other.cert}, 1,
	    t->root.cert, NULL, 0, NOW, &err), CY_E_POLICY);
	expect_msg(&err, "self-signed but is not the trusted root");
	/* an untrusted certificate used as root */
	assert_int_equal(verify((const cy_cert *const[]){t->officer.cert}, 1,
	    t->agency.cert, NULL, 0, NOW, &err), CY_E_POLICY);
	expect_msg(&err, "not a self-signed authority");
	holder_free(&other);
}

static void
test_depth_cap(void **state)
{
	struct holder h[CY_CHAIN_MAX + 2];
	const cy_cert *c[CY_CHAIN_MAX + 1];
	char unit[CY_UNIT_MAX + 1] = "vn";
	cy_buf b = CY_BUF_INIT;
	cy_chain *ch = NULL;
	cy_error err;
	size_t i;

	(void)state;
	h[0] = make_root(NULL);
	for (i = 1; i <= CY_CHAIN_MAX + 1; i++) {
		strcat(unit, "/a");
		h[i] = issue(&h[i - 1], unit, CY_ROLE_AUTHORITY, CY_LEVEL_MAT);
	}
	for (i = 0; i < CY_CHAIN_MAX + 1; i++)
		c[i] = h[CY_CHAIN_MAX + 1 - i].cert;
	/* eight below the root: fine */
	assert_int_equal(verify(c + 1, CY_CHAIN_MAX, h[0].cert, NULL, 0, NOW,
	    &err), 0);
	/* nine: refused when parsed and when encoded */
	for (i = 0; i < CY_CHAIN_MAX + 1; i++) {
		const uint8_t *p;
		size_t len;

		if (i > 0)
			cy_buf_append(&b, "\n", 1);
		p = cy_cert_bytes(c[i], &len);
		cy_buf_append(&b, p, len);
	}
	assert_int_equal(cy_chain_parse(b.data, b.len, &ch, &err),
	    CY_E_TOO_LARGE);
	expect_msg(&err, "chain longer than 8 certificates");
	cy_buf_free(&b);
	ch = chain_of(c + 1, CY_CHAIN_MAX);
	assert_int_equal(cy_chain_encode(c[0], ch, &b, &err), CY_E_POLICY);
	expect_msg(&err, "depth cap");
	cy_chain_free(ch);
	cy_buf_free(&b);
	for (i = 0; i <= CY_CHAIN_MAX + 1; i++)
		holder_free(&h[i]);
}

/* The officer's certificate text with one edit; parse result. */
static int
parse_edited(const struct tree *t, const char *from, const char *to,
    cy_error *err)
{
	const uint8_t *bytes;
	cy_buf b = CY_BUF_INIT;
	cy_chain *ch = NULL;
	const char *at;
	size_t len;
	int rc;

	bytes = cy_cert_bytes(t->officer.cert, &len);
	at = from[0] ? strstr((const char *)bytes, from) : (const char *)bytes + len;
	assert_non_null(at);
	cy_buf_append(&b, bytes, (size_t)(at - (const char *)bytes));
	cy_buf_puts(&b, to);
	at += strlen(from);
	cy_buf_append(&b, at, len - (size_t)(at - (const char *)bytes));
	cy_error_clear(err);
	rc = cy_chain_parse(b.data, b.len, &ch, err);
	cy_chain_free(ch);
	cy_buf_free(&b);
	return rc;
}

static void
test_encoding_rules(void **state)
{
	struct tree *t = *state;
	cy_error err;

	assert_int_equal(parse_edited(t, "", "", &err), 0);
	assert_int_equal(parse_edited(t, "role: officer\n",
	    "role: officer\ncolour: blue\n", &err), CY_E_FORMAT);
	expect_msg(&err, "certificate 1: line 6: unknown field 'colour'");
	assert_int_equal(parse_edited(t, "role: officer\n",
	    "role: officer\nrole: officer\n", &err), CY_E_FORMAT);
	expect_msg(&err, "line 6: field 'role' repeated");
	assert_int_equal(parse_edited(t, "name: Nguyễn", "name: Nguye\xcc\x82\xcc\x83n",
	    &err), CY_E_FORMAT);
	expect_msg(&err, "line 3: name: text is not in Unicode NFC");
	assert_int_equal(parse_edited(t, "role: officer\n", "role: officer\r\n",
	    &err), CY_E_FORMAT);
	expect_msg(&err, "line 5: carriage return");
	assert_int_equal(parse_edited(t, "", "garbage\n", &err), CY_E_FORMAT);
	assert_int_equal(parse_edited(t, "", "\n", &err), CY_E_FORMAT);
	expect_msg(&err, "trailing blank line");
	assert_int_equal(parse_edited(t, "", "\n\n", &err), CY_E_FORMAT);
	assert_int_equal(parse_edited(t, "role: officer\n", "", &err),
	    CY_E_FORMAT);
	expect_msg(&err, "missing field 'role'");
	assert_int_equal(parse_edited(t, "role: officer", "role: general",
	    &err), CY_E_FORMAT);
	assert_int_equal(parse_edited(t, "clearance: mat", "clearance: MAT",
	    &err), CY_E_FORMAT);
	assert_int_equal(parse_edited(t, "compartments:",
	    "compartments: b,a", &err), CY_E_FORMAT);
	expect_msg(&err, "sorted and unique");
	assert_int_equal(parse_edited(t, "version: coyeu.v1/cert",
	    "version: coyeu.v2/cert", &err), CY_E_FORMAT);
	assert_int_equal(parse_edited(t, "compartments:\n",
	    "compartments:\nnot-after: 2030-01-01T00:00:00Z\n", &err),
	    CY_E_FORMAT);
	assert_int_equal(parse_edited(t, "issuer: ",
	    "may-issue: vn:mat\nissuer: ", &err), CY_E_FORMAT);
	assert_int_equal(parse_edited(t, "issuer: ", "issuer:  ", &err),
	    CY_E_FORMAT);
	/* the signature is over every preceding byte */
	{
		const cy_cert *c[] = {NULL, t->agency.cert, t->city.cert};
		cy_cert *edited = forge(t->officer.cert, "Nguyễn Văn A",
		    "Nguyễn Văn B", t->agency.key);
		const uint8_t *sigp;
		cy_buf b = CY_BUF_INIT;
		const uint8_t *orig;
		size_t olen, elen;
		cy_cert *swapped;

		/* the original signature on the edited text */
		orig = cy_cert_bytes(t->officer.cert, &olen);
		sigp = cy_cert_bytes(edited, &elen);
		cy_buf_append(&b, sigp, elen - SIG_B64 - 1);
		cy_buf_append(&b, orig + olen - SIG_B64 - 1, SIG_B64 + 1);
		assert_int_equal(cy_cert_parse(b.data, b.len, &swapped, &err), 0);
		c[0] = swapped;
		assert_int_equal(verify(c, 3, t->root.cert, NULL, 0, NOW, &err),
		    CY_E_SIGNATURE);
		cy_cert_free(swapped);
		cy_cert_free(edited);
		cy_buf_free(&b);
	}
}

static void
test_request(void **state)
{
	cy_idkey *k = NULL;
	cy_request *q = NULL, *q2 = NULL;
	const uint8_t *bytes;
	char *copy, *p;
	size_t len;
	cy_error err;

	(void)state;
	assert_int_equal(cy_idkey_generate(&k, &err), 0);
	assert_int_equal(cy_request_create(k, "Trần Thị B", "vn/hcm/so-a", NOW,
	    &q, &err), 0);
	bytes = cy_request_bytes(q, &len);
	assert_int_equal(cy_request_parse(bytes, len, &q2, &err), 0);
	assert_string_equal(cy_request_name(q2), "Trần Thị B");
	assert_string_equal(cy_request_unit(q2), "vn/hcm/so-a");
	assert_int_equal(cy_request_time(q2), NOW);
	assert_memory_equal(cy_request_sign_public(q2), cy_idkey_sign_public(k),
	    CY_SIGN_PUBLIC_LEN);
	assert_memory_equal(cy_request_seal_public(q2), cy_idkey_seal_public(k),
	    CY_SEAL_PUBLIC_LEN);
	cy_request_free(q2);
	/* someone else's unit on a signed request: no longer verifies */
	copy = strndup((const char *)bytes, len);
	p = strstr(copy, "so-a");
	memcpy(p, "so-b", 4);
	assert_int_equal(cy_request_parse((uint8_t *)copy, len, &q2, &err),
	    CY_E_SIGNATURE);
	expect_msg(&err, "proof of possession");
	free(copy);
	assert_int_equal(cy_request_create(k, "A", "vn/HCM", NOW, &q2, &err),
	    CY_E_USAGE);
	assert_int_equal(cy_request_create(k, "A\nunit: vn", "vn", NOW, &q2,
	    &err), CY_E_USAGE);
	expect_msg(&err, "control character");
	/* The rules the command line checks before reading a key. */
	assert_int_equal(cy_unit_check("vn/../x", &err), CY_E_USAGE);
	expect_msg(&err, "bad unit path 'vn/../x'");
	assert_int_equal(cy_unit_check("vn/hcm", &err), 0);
	assert_int_equal(cy_name_check("", &err), CY_E_USAGE);
	assert_int_equal(cy_name_check(" A", &err), CY_E_USAGE);
	assert_int_equal(cy_name_check("Nguyễn Văn An", &err), 0);
	cy_request_free(q);
	cy_idkey_free(k);
}

static void
test_idkey_text(void **state)
{
	cy_idkey *k = NULL, *k2 = NULL;
	cy_buf b = CY_BUF_INIT;
	uint8_t sig[CY_SIGNATURE_LEN];
	cy_error err;

	(void)state;
	assert_int_equal(cy_idkey_generate(&k, &err), 0);
	assert_int_equal(cy_idkey_text_encode(k, &b, &err), 0);
	assert_memory_equal(b.data, "version: coyeu.v1/idkey\nsign: ", 30);
	assert_int_equal(cy_idkey_text_parse(b.data, b.len, &k2, &err), 0);
	assert_memory_equal(cy_idkey_sign_public(k), cy_idkey_sign_public(k2),
	    CY_SIGN_PUBLIC_LEN);
	assert_memory_equal(cy_idkey_seal_public(k), cy_idkey_seal_public(k2),
	    CY_SEAL_PUBLIC_LEN);
	assert_memory_equal(cy_key_soft(k)->seal_sk, cy_key_soft(k2)->seal_sk,
	    CY_SEAL_SECRET_LEN);
	/* two different keys for signing and sealing */
	assert_memory_not_equal(cy_idkey_sign_public(k), cy_idkey_seal_public(k),
	    32);
	assert_int_equal(cy_key_sign(k2, (const uint8_t *)"m", 1, sig, &err), 0);
	assert_int_equal(cy_idkey_verify(cy_idkey_sign_public(k),
	    (const uint8_t *)"m", 1, sig), 0);
	assert_int_equal(cy_idkey_verify(cy_idkey_sign_public(k),
	    (const uint8_t *)"n", 1, sig), CY_E_SIGNATURE);
	cy_idkey_free(k2);
	b.data[b.len - 2] ^= 1; /* damage the seal key's last character */
	assert_int_not_equal(cy_idkey_text_parse(b.data, b.len, &k2, &err), 0);
	cy_buf_free(&b);
	cy_idkey_free(k);
}

static void
test_levels(void **state)
{
	(void)state;
	assert_int_equal(cy_level_parse("toi-mat", 7), CY_LEVEL_TOI_MAT);
	assert_int_equal(cy_level_parse("toi", 3), 0);
	assert_string_equal(cy_level_display(CY_LEVEL_TUYET_MAT), "TUYỆT MẬT");
	assert_int_equal(cy_level_mark(CY_LEVEL_MAT), 'C');
	assert_int_equal(cy_level_protect_years(CY_LEVEL_TOI_MAT), 20);
	assert_null(cy_level_name(4));
	assert_int_equal(cy_role_parse("registry", 8), CY_ROLE_REGISTRY);
	assert_null(cy_role_name(0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_four_levels),
		cmocka_unit_test(test_subtree),
		cmocka_unit_test(test_level),
		cmocka_unit_test(test_role),
		cmocka_unit_test(test_role_verify),
		cmocka_unit_test(test_validity),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_revoked),
		cmocka_unit_test(test_revocation_time),
		cmocka_unit_test(test_crl_rules),
		cmocka_unit_test(test_crl_successor),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_order_and_loops),
		cmocka_unit_test(test_encoding_rules),
	};
	const struct CMUnitTest alone[] = {
		cmocka_unit_test(test_depth_cap),
		cmocka_unit_test(test_crl_parse),
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_idkey_text),
		cmocka_unit_test(test_levels),
	};
	int r;

	r = cmocka_run_group_tests(tests, tree_setup, tree_teardown);
	return r + cmocka_run_group_tests(alone, NULL, NULL);
}
