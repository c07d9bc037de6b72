/* Loading and printing certificates, chains, lists and requests, and new
 * key files (pki.h). */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "common/timefmt.h"
#include "coyeu/canon.h"
#include "coyeu/encoding.h"
#include "coyeu/file.h"
#include "coyeu/level.h"
#include "coyeu/merkle.h"
#include "coyeu/secret.h"
#include "pki.h"

/* Reads a whole public file and hands it to the caller. */
static int
read_public(const char *path, size_t cap, const char *what, uint8_t **data,
    size_t *len)
{
	cy_error err = {0, ""};
	char msg[512];

	if (cy_file_read(path, cap, data, len, &err) == 0)
		return CLI_OK;
	snprintf(msg, sizeof(msg), "cannot read %s", what);
	return cli_fail(&err, msg);
}

static int
parse_failed(const cy_error *err, const char *what, const char *path)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%s %s", what, path);
	return cli_fail(err, msg);
}

int
cli_load_chain_data(const char *path, cy_chain **out, uint8_t **data,
    size_t *len)
{
	cy_error err = {0, ""};
	int rc;

	*data = NULL;
	if (read_public(path, CY_CHAIN_FILE_MAX, "certificate chain", data,
	    len) != CLI_OK)
		return CLI_FAIL;
	rc = cy_chain_parse(*data, *len, out, &err) == 0 ? CLI_OK :
	    parse_failed(&err, "bad certificate chain", path);
	if (rc != CLI_OK) {
		free(*data);
		*data = NULL;
	}
	return rc;
}

int
cli_load_chain(const char *path, cy_chain **out)
{
	uint8_t *data;
	size_t len;
	int rc;

	rc = cli_load_chain_data(path, out, &data, &len);
	free(data);
	return rc;
}

int
cli_load_cert(const char *path, cy_cert **out)
{
	cy_error err = {0, ""};
	uint8_t *data;
	size_t len;
	int rc;

	if (read_public(path, CY_CERT_MAX, "certificate", &data, &len) != CLI_OK)
		return CLI_FAIL;
	rc = cy_cert_parse(data, len, out, &err) == 0 ? CLI_OK :
	    parse_failed(&err, "bad certificate", path);
	free(data);
	return rc;
}

int
cli_load_crl(const char *path, cy_crl **out)
{
	cy_error err = {0, ""};
	uint8_t *data;
	size_t len;
	int rc;

	if (read_public(path, CY_CRL_MAX, "revocation list", &data, &len) !=
	    CLI_OK)
		return CLI_FAIL;
	rc = cy_crl_parse(data, len, out, &err) == 0 ? CLI_OK :
	    parse_failed(&err, "bad revocation list", path);
	free(data);
	return rc;
}

int
cli_load_request(const char *path, cy_request **out)
{
	cy_error err = {0, ""};
	uint8_t *data;
	size_t len;
	int rc;

	if (read_public(path, CY_REQUEST_MAX, "request", &data, &len) != CLI_OK)
		return CLI_FAIL;
	rc = cy_request_parse(data, len, out, &err) == 0 ? CLI_OK :
	    parse_failed(&err, "bad request", path);
	free(data);
	return rc;
}

int
cli_newkey_option(const char *cmd, int c, const char *arg,
    struct cli_newkey *nk)
{
	switch (c) {
	case CLI_OPT_UNPROTECTED:
		nk->unprotected = 1;
		break;
	case CLI_OPT_PASSFILE:
		nk->pass_file = arg;
		break;
	case CLI_OPT_WORK:
		if ((nk->log_n = cli_parse_int(arg, 10, CY_SCRYPT_MAX_LOG_N)) < 0)
			return cli_usage_error(cmd, "--work-factor takes 10 to %d",
			    CY_SCRYPT_MAX_LOG_N);
		break;
	default:
		return 0;
	}
	if (nk->unprotected && nk->pass_file != NULL)
		return cli_usage_error(cmd,
		    "--unprotected and --passphrase-file exclude each other");
	return 1;
}

int
cli_idkey_create(const char *path, const struct cli_newkey *nk,
    cy_idkey **out)
{
	cy_error err = {0, ""};
	char *pass = NULL, what[512];
	int rc = CLI_FAIL;

	*out = NULL;
	if (!nk->unprotected) {
		if ((pass = cy_secret_alloc(CLI_PASSPHRASE_MAX)) == NULL) {
			cy_error_set(&err, CY_E_NOMEM, "out of memory");
			goto out;
		}
		if (cli_passphrase(nk->pass_file, "Passphrase for the new key: ",
		    1, pass, CLI_PASSPHRASE_MAX, &err) != 0)
			goto out;
	}
	if ((nk->pq ? cy_idkey_generate_pq(out, &err) :
	    cy_idkey_generate(out, &err)) != 0 ||
	    cy_idkey_save(*out, path, pass, nk->log_n, &err) != 0)
		goto out;
	if (nk->unprotected)
		cli_warn("warning: %s is not protected by a passphrase; anyone "
		    "who can read it holds the key (keep it 0600, for services "
		    "only)", path);
	rc = CLI_OK;
out:
	cy_secret_free(pass);
	if (rc != CLI_OK) {
		cy_idkey_free(*out);
		*out = NULL;
		snprintf(what, sizeof(what), "cannot create key %s", path);
		cli_fail(&err, what);
	}
	return rc;
}

int
cli_parse_time(const char *cmd, const char *s, int64_t *t)
{
	if (cmn_time_parse(s, t) != 0)
		return cli_usage_error(cmd, "bad time '%s': expected "
		    "2026-11-25T00:00:00Z or 2026-11-25 (UTC)", s);
	return CLI_OK;
}

int
cli_parse_may_issue(const char *cmd, const char *s, char **unit, int *level)
{
	const char *colon = strrchr(s, ':');

	*unit = NULL;
	if (colon == NULL || !cy_unit_valid(s, (size_t)(colon - s)) ||
	    (*level = cy_level_parse(colon + 1, strlen(colon + 1))) == 0)
		return cli_usage_error(cmd, "bad --may-issue '%s': expected "
		    "UNIT:LEVEL, like vn/hcm:toi-mat", s);
	if ((*unit = strndup(s, (size_t)(colon - s))) == NULL) {
		cli_warn("out of memory");
		return CLI_FAIL;
	}
	return CLI_OK;
}

const char *
cli_level_text(int level, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s (%s)", cy_level_display(level),
	    cy_level_name(level));
	return buf;
}

const char *
cli_pq_key_text(const char *recipient, int full, char *buf, size_t cap)
{
	char fp[CY_B64_UNPADDED_LEN(32) + 1];
	uint8_t h[32];
	size_t len = strlen(recipient);

	if (full || len < 40 ||
	    cy_sha256(NULL, recipient, len, h) != 0) {
		snprintf(buf, cap, "%s", recipient);
		return buf;
	}
	cy_b64_encode(fp, h, sizeof(h), 0);
	snprintf(buf, cap, "%.19s…%s (ML-KEM-768 + X25519, %zu characters, "
	    "SHA-256 %.16s)", recipient, recipient + len - 8, len, fp);
	return buf;
}

void
cli_cert_print(FILE *f, const cy_cert *c, size_t i, size_t n, int full)
{
	char pq[CLI_PQ_KEY_TEXT_MAX];
	char t1[CY_CANON_TIME_LEN + 1], t2[CY_CANON_TIME_LEN + 1], lv[64];
	uint8_t raw[CY_SIGN_PUBLIC_LEN];
	char b64[64];

	memcpy(raw, cy_cert_sign_public(c), sizeof(raw));
	cy_b64_encode(b64, raw, sizeof(raw), 0);
	fprintf(f, "certificate %zu of %zu%s\n", i + 1, n,
	    cy_cert_is_self_signed(c) ? " (self-signed root)" : "");
	fprintf(f, "  serial:        %s\n", cy_cert_serial(c));
	fprintf(f, "  name:          %s\n", cy_cert_name(c));
	fprintf(f, "  unit:          %s\n", cy_cert_unit(c));
	fprintf(f, "  role:          %s\n", cy_role_name(cy_cert_role(c)));
	fprintf(f, "  clearance:     %s\n",
	    cli_level_text(cy_cert_clearance(c), lv, sizeof(lv)));
	fprintf(f, "  compartments:  %s\n", cy_cert_compartments(c)[0] ?
	    cy_cert_compartments(c) : "none");
	fprintf(f, "  valid:         %s to %s\n",
	    cmn_time_text(cy_cert_not_before(c), t1),
	    cmn_time_text(cy_cert_not_after(c), t2));
	fprintf(f, "  sign-key:      %s (Ed25519)\n", b64);
	fprintf(f, "  seal-key:      %s\n", cy_cert_seal_recipient(c));
	fprintf(f, "  seal-pq-key:   %s\n", cy_cert_seal_pq_recipient(c) ?
	    cli_pq_key_text(cy_cert_seal_pq_recipient(c), full, pq,
	    sizeof(pq)) : "none (classical only)");
	fprintf(f, "  issuer:        %s\n", cy_cert_issuer(c));
	if (cy_cert_role(c) == CY_ROLE_AUTHORITY)
		fprintf(f, "  may issue:     %s and below, up to %s\n",
		    cy_cert_may_issue_unit(c),
		    cli_level_text(cy_cert_may_issue_level(c), lv, sizeof(lv)));
}

