/* coyeu id age-identity: the officer's X25519 sealing key as an age
 * identity file, so stock age opens what was sealed to the officer. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "coyeu/age.h"
#include "coyeu/idkey.h"
#include "coyeu/secret.h"
#include "keyring.h"

static const char usage[] =
    "usage: coyeu id age-identity [-k KEY] [-o FILE] [--passphrase-file F]\n"
    "\n"
    "Writes the officer's sealing key as an age identity file (0600, never\n"
    "overwriting), so age -d -i FILE opens the X25519 part of documents\n"
    "sealed to the officer. Without -o, writes to standard output.\n"
    "Without -k, the keyring's key (docs/keyring.md).\n";

/* The one place where an officer's secret leaves its key, deliberately:
 * cy_idkey_export_age_identity, into guarded memory. */
static int
export_identity(const cy_idkey *k, const char *comment, const char *out,
    cy_error *err)
{
	char pub[CY_RECIPIENT_STR_MAX], *sec;
	cy_identity *id = NULL;
	int r;

	if ((sec = cy_secret_alloc(CY_IDENTITY_STR_MAX)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	if ((r = cy_identity_from_key(k, &id, err)) == 0 &&
	    (r = cy_identity_recipient_string(id, pub, err)) == 0 &&
	    (r = cy_idkey_export_age_identity(k, sec, err)) == 0)
		r = cli_write_identity_text(pub, sec, comment, out, err);
	cy_identity_free(id);
	cy_secret_free(sec);
	return r;
}

int
cmd_id_age_identity(int argc, char **argv)
{
	static const struct option opts[] = {
		{"key", required_argument, NULL, 'k'},
		{"output", required_argument, NULL, 'o'},
		{"passphrase-file", required_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char comment[512];
	const char *key = NULL, *out = NULL, *pass = NULL;
	cy_idkey *k = NULL;
	cy_error err = {0, ""};
	int c, rc = CLI_FAIL;

	while ((c = getopt_long(argc, argv, "k:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': key = optarg; break;
		case 'o': out = optarg; break;
		case 'P': pass = optarg; break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error("id age-identity", "invalid option");
		}
	}
	if (optind != argc)
		return cli_usage_error("id age-identity", "unexpected argument "
		    "'%s'", argv[optind]);
	if ((c = cli_check_path("id age-identity", "-o", out)) != CLI_OK)
		return c;
	if ((c = cli_keyring_default("id age-identity", CLI_KR_KEY, &key)) !=
	    CLI_OK)
		return c;
	if (cli_idkey_load(key, pass, &k) != CLI_OK)
		return CLI_FAIL;
	snprintf(comment, sizeof(comment), "coyeu officer sealing key from %s",
	    key);
	if (export_identity(k, comment, out, &err) == 0)
		rc = CLI_OK;
	cy_idkey_free(k);
	if (rc != CLI_OK)
		cli_fail(&err, "id age-identity");
	return rc;
}
