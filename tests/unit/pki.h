/* A small authority tree for tests: a root and certificates under it. */
#ifndef COYEU_TEST_PKI_H
#define COYEU_TEST_PKI_H

#include "testutil.h"

#include <sodium.h>
#include <unistd.h>

#include "coyeu/cert.h"
#include "coyeu/file.h"
#include "coyeu/idkey.h"
#include "coyeu/level.h"

#define PKI_T0 1767225600LL /* 2026-01-01T00:00:00Z */
#define PKI_DAY 86400LL
#define PKI_YEAR (365 * PKI_DAY)
#define PKI_NOW (PKI_T0 + PKI_DAY)

struct pki_holder {
	cy_idkey *key;
	cy_cert *cert;
	cy_buf chain;  /* chain file: leaf, then issuers, root excluded */
};

static inline void
pki_holder_free(struct pki_holder *h)
{
	cy_idkey_free(h->key);
	cy_cert_free(h->cert);
	cy_buf_free(&h->chain);
	memset(h, 0, sizeof(*h));
}

/* Issues a certificate for key (NULL: a new software key; the holder owns
 * it) under `by` (NULL: a self-signed root). */
static inline struct pki_holder
pki_issue_key(const struct pki_holder *by, const char *name, const char *unit,
    int role, int level, const char *compartments, cy_idkey *key)
{
	struct pki_holder h;
	cy_cert_params p;
	const uint8_t *b;
	size_t len;
	cy_error err;

	memset(&h, 0, sizeof(h));
	memset(&p, 0, sizeof(p));
	h.key = key;
	if (key == NULL)
		assert_int_equal(cy_idkey_generate(&h.key, &err), 0);
	p.name = name;
	p.unit = unit;
	p.role = role;
	p.clearance = level;
	p.compartments = compartments;
	p.not_before = PKI_T0;
	p.not_after = PKI_T0 + (by == NULL ? 10 : 1) * PKI_YEAR;
	p.sign_public = cy_idkey_sign_public(h.key);
	p.seal_public = cy_idkey_seal_public(h.key);
	p.seal_pq_public = cy_idkey_pq_public(h.key);  /* NULL: none */
	if (cy_cert_issue(&p, by ? by->cert : NULL, by ? by->key : h.key,
	    PKI_NOW, &h.cert, &err) != 0)
		fail_msg("issue %s: %s", unit, err.msg);
	b = cy_cert_bytes(h.cert, &len);
	cy_buf_append(&h.chain, b, len);
	if (by != NULL && by->chain.len > 0 && !cy_cert_is_self_signed(by->cert)) {
		cy_buf_append(&h.chain, "\n", 1);
		cy_buf_append(&h.chain, by->chain.data, by->chain.len);
	}
	return h;
}

static inline struct pki_holder
pki_issue(const struct pki_holder *by, const char *name, const char *unit,
    int role, int level, const char *compartments)
{
	return pki_issue_key(by, name, unit, role, level, compartments, NULL);
}

/* An unlinked temporary file holding data, positioned at its start. */
static inline int
temp_fd(const void *data, size_t len)
{
	char path[] = "/tmp/coyeu-test-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	if (len > 0)
		assert_int_equal(cy_write_all(fd, data, len), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static inline cy_chain *
pki_chain(const struct pki_holder *h)
{
	cy_chain *ch = NULL;
	cy_error err;

	if (cy_chain_parse(h->chain.data, h->chain.len, &ch, &err) != 0)
		fail_msg("chain: %s", err.msg);
	return ch;
}

static inline void
expect_error(const cy_error *err, const char *want)
{
	if (strstr(err->msg, want) == NULL)
		fail_msg("message '%s' lacks '%s'", err->msg, want);
}

/* The whole of fd from its start (a sealed file the test wrote). */
static inline cy_buf
pki_read_fd(int fd)
{
	cy_buf b = CY_BUF_INIT;
	uint8_t *data;
	size_t len;
	cy_error err;

	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(cy_fd_read_all(fd, 1 << 24, &data, &len, &err), 0);
	cy_buf_append(&b, data, len);
	free(data);
	return b;
}

#endif
