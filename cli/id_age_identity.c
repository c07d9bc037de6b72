/* coyeu id age-identity: the officer's X25519 sealing key as an age
 * identity file, so stock age opens what was sealed to the officer. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "coyeu/age.h"
#include "coyeu/buf.h"
#include "coyeu/file.h"
#include "coyeu/idkey.h"
#include "coyeu/secret.h"

static const char usage[] =
    "usage: coyeu id age-identity -k KEY [-o FILE] [--passphrase-file F]\n"
    "\n"
    "Writes the officer's sealing key as an age identity file (0600, never\n"
    "overwriting), so age -d -i FILE opens the X25519 part of documents\n"
    "sealed to the officer. Without -o, writes to standard output.\n";

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
	char pub[CY_RECIPIENT_STR_MAX], sec[CY_IDENTITY_STR_MAX];
	const char *key = NULL, *out = NULL, *pass = NULL;
	cy_identity *id = NULL;
	cy_idkey *k = NULL;
	cy_buf text = CY_BUF_INIT;
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
	if (key == NULL || optind != argc)
		return cli_usage_error("id age-identity", "give -k KEY");
	if (cli_idkey_load(key, pass, &k) != CLI_OK)
		return CLI_FAIL;
	if (cy_identity_x25519(cy_idkey_seal_secret(k), &id, &err) != 0 ||
	    cy_identity_recipient_string(id, pub, &err) != 0 ||
	    cy_identity_string(id, sec, &err) != 0)
		goto out;
	cy_buf_printf(&text, "# coyeu officer sealing key from %s\n"
	    "# public key: %s\n%s\n", key, pub, sec);
	if (cy_buf_status(&text) != 0) {
		cy_error_set(&err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	if (out != NULL && strcmp(out, "-") != 0) {
		if (cy_file_write(out, text.data, text.len, 0600, CY_OUT_EXCLUSIVE,
		    &err) != 0)
			goto out;
		fprintf(stderr, "Public key: %s\n", pub);
	} else if (cy_write_all(STDOUT_FILENO, text.data, text.len) != 0) {
		cy_error_set(&err, CY_E_IO, "cannot write to standard output");
		goto out;
	}
	rc = CLI_OK;
out:
	cy_wipe(sec, sizeof(sec));
	cy_buf_free(&text);
	cy_identity_free(id);
	cy_idkey_free(k);
	if (rc != CLI_OK)
		cli_fail(&err, "id age-identity");
	return rc;
}
