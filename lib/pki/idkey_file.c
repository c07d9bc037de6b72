/* Key files (docs/idkey.md): the key text sealed in an age file with a
 * passphrase (scrypt), or, for services, the bare text.  Both 0600. */
#include <stdlib.h>
#include <string.h>

#include "coyeu/age.h"
#include "coyeu/file.h"
#include "coyeu/idkey.h"
#include "coyeu/secret.h"
#include "pki/idkey_text.h"

#define AGE_MAGIC "age-encryption.org/v1\n"
#define PLAIN_MAGIC "version: " CY_IDKEY_VERSION "\n"
#define PASS_MAX 1024

static int
seal_text(const cy_buf *text, const char *pass, int log_n, cy_buf *out,
    cy_error *err)
{
	cy_recipient *r = NULL;
	cy_seal_params p;
	int rc;

	if ((rc = cy_recipient_scrypt(pass, strlen(pass), log_n, &r, err)) != 0)
		return rc;
	memset(&p, 0, sizeof(p));
	p.recipients = &r;
	p.nrecipients = 1;
	p.threads = 1;
	rc = cy_age_seal_mem(text->data, text->len, &p, out, err);
	cy_recipient_free(r);
	return rc;
}

/* The key file for k, written atomically (flags: cy_file_write's). */
static int
write_key(const cy_idkey *k, const char *path, const char *pass, int log_n,
    int flags, cy_error *err)
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
	rc = cy_file_write(path, out->data, out->len, 0600, flags, err);
out:
	cy_buf_free(&text);
	cy_buf_free(&sealed);
	return rc;
}

int
cy_idkey_save(const cy_idkey *k, const char *path, const char *pass,
    int log_n, cy_error *err)
{
	return write_key(k, path, pass, log_n, CY_OUT_EXCLUSIVE, err);
}

/* Opens a sealed key file with pass, which getpass fills. */
static int
open_sealed(const uint8_t *in, size_t len, cy_passphrase_fn *getpass,
    void *ctx, char pass[PASS_MAX], cy_buf *text, cy_error *err)
{
	cy_identity *id = NULL;
	cy_open_params p;
	int rc;

	if (getpass == NULL)
		return cy_error_set(err, CY_E_USAGE,
		    "the key is protected by a passphrase");
	pass[0] = '\0';
	if ((rc = getpass(ctx, pass, PASS_MAX, err)) != 0 ||
	    (rc = cy_identity_scrypt(pass, strlen(pass), CY_SCRYPT_MAX_LOG_N,
	    &id, err)) != 0)
		goto out;
	memset(&p, 0, sizeof(p));
	p.identities = &id;
	p.nidentities = 1;
	p.threads = 1;
	rc = cy_age_open_mem(in, len, &p, text, err);
	if (rc == CY_E_NO_MATCH)
		rc = cy_error_set(err, CY_E_PASSPHRASE, "wrong passphrase");
out:
	cy_identity_free(id);
	return rc;
}

/* Reads and parses a key file; pass (PASS_MAX bytes of guarded memory)
 * receives its passphrase, "" for an unprotected file. */
static int
load_key(const char *path, cy_passphrase_fn *getpass, void *ctx,
    char pass[PASS_MAX], cy_idkey **out, cy_error *err)
{
	cy_buf text = CY_BUF_INIT;
	uint8_t *data = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	pass[0] = '\0';
	if ((rc = cy_file_read_private(path, CY_IDKEY_FILE_MAX, &data, &len,
	    err)) != 0)
		goto out;
	if (len >= sizeof(AGE_MAGIC) - 1 &&
	    memcmp(data, AGE_MAGIC, sizeof(AGE_MAGIC) - 1) == 0) {
		if ((rc = open_sealed(data, len, getpass, ctx, pass, &text,
		    err)) != 0)
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

int
cy_idkey_load(const char *path, cy_passphrase_fn *getpass, void *ctx,
    cy_idkey **out, cy_error *err)
{
	char *pass;
	int rc;

	*out = NULL;
	if ((pass = cy_secret_alloc(PASS_MAX)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	rc = load_key(path, getpass, ctx, pass, out, err);
	cy_secret_free(pass);
	return rc;
}

int
cy_idkey_file_add_pq(const char *path, cy_passphrase_fn *getpass, void *ctx,
    int log_n, cy_error *err)
{
	cy_idkey *old = NULL, *key = NULL;
	char *pass;
	int rc;

	if ((pass = cy_secret_alloc(PASS_MAX)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	if ((rc = load_key(path, getpass, ctx, pass, &old, err)) != 0 ||
	    (rc = cy_idkey_with_pq(old, &key, err)) != 0)
		goto out;
	/* The same protection as before: its passphrase, or none. */
	rc = write_key(key, path, pass[0] != '\0' ? pass : NULL, log_n, 0,
	    err);
out:
	cy_idkey_free(old);
	cy_idkey_free(key);
	cy_secret_free(pass);
	return rc;
}
