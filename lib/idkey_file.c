/* Key files (docs/idkey.md): the key text sealed in an age file with a
 * passphrase (scrypt), or, for services, the bare text.  Both 0600. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "coyeu/age.h"
#include "coyeu/file.h"
#include "coyeu/idkey.h"
#include "coyeu/secret.h"
#include "idkey_text.h"

#define AGE_MAGIC "age-encryption.org/v1\n"
#define PLAIN_MAGIC "version: " CY_IDKEY_VERSION "\n"
#define PASS_MAX 1024

/* The engine drops (MADV_DONTNEED) the pages of an in-memory input it has
 * consumed, as if it were a mapped file; so its inputs get pages of their
 * own, never the heap's.  Wiped and unmapped by page_free. */
static uint8_t *
page_copy(const uint8_t *in, size_t len, size_t *maplen)
{
	void *m;

	*maplen = len > 0 ? len : 1;
	m = mmap(NULL, *maplen, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	memcpy(m, in, len);
	return m;
}

static void
page_free(uint8_t *m, size_t maplen)
{
	if (m == NULL)
		return;
	cy_wipe(m, maplen);
	munmap(m, maplen);
}

static int
seal_text(const cy_buf *text, const char *pass, int log_n, cy_buf *out,
    cy_error *err)
{
	cy_recipient *r = NULL;
	cy_seal_params p;
	uint8_t *in = NULL;
	size_t maplen = 0;
	int rc;

	if ((rc = cy_recipient_scrypt(pass, strlen(pass), log_n, &r, err)) != 0)
		goto out;
	if ((in = page_copy(text->data, text->len, &maplen)) == NULL) {
		rc = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	memset(&p, 0, sizeof(p));
	p.recipients = &r;
	p.nrecipients = 1;
	p.threads = 1;
	rc = cy_age_seal_mem(in, text->len, &p, out, err);
out:
	page_free(in, maplen);
	cy_recipient_free(r);
	return rc;
}

int
cy_idkey_save(const cy_idkey *k, const char *path, const char *pass,
    int log_n, cy_error *err)
{
	cy_buf text = CY_BUF_INIT, sealed = CY_BUF_INIT;
	const cy_buf *out = &text;
	int rc;

	if (pass != NULL && pass[0] == '\0') {
		rc = cy_error_set(err, CY_E_USAGE, "empty passphrase");
		goto out;
	}
	if ((rc = cy_idkey_text_encode(k, &text, err)) != 0)
		goto out;
	if (pass != NULL) {
		if ((rc = seal_text(&text, pass, log_n, &sealed, err)) != 0)
			goto out;
		out = &sealed;
	}
	rc = cy_file_write(path, out->data, out->len, 0600, CY_OUT_EXCLUSIVE,
	    err);
out:
	cy_buf_free(&text);
	cy_buf_free(&sealed);
	return rc;
}

static int
open_sealed(const uint8_t *in, size_t len, cy_passphrase_fn *getpass,
    void *ctx, cy_buf *text, cy_error *err)
{
	cy_identity *id = NULL;
	cy_open_params p;
	uint8_t *copy = NULL;
	size_t maplen = 0;
	char *pass;
	int rc;

	if (getpass == NULL)
		return cy_error_set(err, CY_E_USAGE,
		    "the key is protected by a passphrase");
	if ((pass = cy_secret_alloc(PASS_MAX)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	pass[0] = '\0';
	if ((rc = getpass(ctx, pass, PASS_MAX, err)) != 0 ||
	    (rc = cy_identity_scrypt(pass, strlen(pass), CY_SCRYPT_MAX_LOG_N,
	    &id, err)) != 0)
		goto out;
	memset(&p, 0, sizeof(p));
	p.identities = &id;
	p.nidentities = 1;
	p.threads = 1;
	if ((copy = page_copy(in, len, &maplen)) == NULL) {
		rc = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	rc = cy_age_open_mem(copy, len, &p, text, err);
	if (rc == CY_E_NO_MATCH)
		rc = cy_error_set(err, CY_E_PASSPHRASE, "wrong passphrase");
out:
	page_free(copy, maplen);
	cy_identity_free(id);
	cy_secret_free(pass);
	return rc;
}

int
cy_idkey_load(const char *path, cy_passphrase_fn *getpass, void *ctx,
    cy_idkey **out, cy_error *err)
{
	cy_buf text = CY_BUF_INIT;
	uint8_t *data = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if ((rc = cy_file_check_private(path, err)) != 0 ||
	    (rc = cy_file_read(path, CY_IDKEY_FILE_MAX, &data, &len, err)) != 0)
		goto out;
	if (len >= sizeof(AGE_MAGIC) - 1 &&
	    memcmp(data, AGE_MAGIC, sizeof(AGE_MAGIC) - 1) == 0) {
		if ((rc = open_sealed(data, len, getpass, ctx, &text, err)) != 0)
			goto out;
		rc = cy_idkey_text_parse(text.data, text.len, out, err);
	} else if (len >= sizeof(PLAIN_MAGIC) - 1 &&
	    memcmp(data, PLAIN_MAGIC, sizeof(PLAIN_MAGIC) - 1) == 0) {
		rc = cy_idkey_text_parse(data, len, out, err);
	} else {
		rc = cy_error_set(err, CY_E_FORMAT,
		    "not a coyeu key file (neither an age file nor '%s')",
		    "version: " CY_IDKEY_VERSION);
	}
out:
	cy_wipe(data, len);
	free(data);
	cy_buf_free(&text);
	return rc;
}
