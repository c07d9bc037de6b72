/* coyeu keygen: an age X25519 identity, as age-keygen writes it. */
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

static const char keygen_usage[] =
    "usage: coyeu keygen [-o FILE]\n"
    "\n"
    "Generates an age X25519 identity and writes it to FILE (created 0600,\n"
    "never overwriting) or to standard output. The public key (age1…) is\n"
    "printed to standard error when writing to a file.\n"
    "\n"
    "  -o, --output FILE   write the identity to FILE\n";

int
cmd_keygen(int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char pub[CY_RECIPIENT_STR_MAX], sec[CY_IDENTITY_STR_MAX], when[32];
	const char *outpath = NULL;
	cy_identity *id = NULL;
	cy_buf text = CY_BUF_INIT;
	cy_error err = {0, ""};
	time_t now = time(NULL);
	int c, rc = CLI_FAIL;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': outpath = optarg; break;
		case 'h': fputs(keygen_usage, stdout); return CLI_OK;
		default: return cli_usage_error("keygen", "invalid option");
		}
	}
	if (optind != argc)
		return cli_usage_error("keygen", "unexpected argument '%s'",
		    argv[optind]);
	if (cy_identity_generate(&id, &err) != 0 ||
	    cy_identity_recipient_string(id, pub, &err) != 0 ||
	    cy_identity_string(id, sec, &err) != 0)
		goto out;
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	cy_buf_printf(&text, "# created: %s\n# public key: %s\n%s\n", when, pub,
	    sec);
	if (cy_buf_status(&text) != 0) {
		cy_error_set(&err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	if (outpath != NULL && strcmp(outpath, "-") != 0) {
		if (cy_file_write(outpath, text.data, text.len, 0600,
		    CY_OUT_EXCLUSIVE, &err) != 0)
			goto out;
		fprintf(stderr, "Public key: %s\n", pub);
	} else if (cy_write_all(STDOUT_FILENO, text.data, text.len) != 0) {
		cy_error_set(&err, CY_E_IO, "cannot write to standard output");
		goto out;
	}
	rc = CLI_OK;
out:
	memset(sec, 0, sizeof(sec));
	cy_buf_free(&text);
	cy_identity_free(id);
	if (rc != CLI_OK)
		cli_fail(&err, "keygen");
	return rc;
}
