/* coyeu cert challenge: the authority's post-quantum challenge for a
 * request that carries a hybrid key (cy_request_pq_challenge).  It keeps
 * no state: cert issue --pq-proof recomputes it from the same key. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "commands.h"
#include "io.h"
#include "pki.h"

static const char usage[] =
    "usage: coyeu cert challenge -k ISSUERKEY [-o CHALLENGE]\n"
    "                            [--passphrase-file F] REQ\n"
    "\n"
    "A request's signature proves its signing key; a post-quantum (KEM) key\n"
    "cannot sign, so the authority encapsulates a secret to it and the\n"
    "requester proves it can decapsulate (coyeu id prove).  Writes the\n"
    "challenge (the request and the encapsulation) to CHALLENGE or standard\n"
    "output.  Its randomness comes from the authority's own signature over\n"
    "the request: nothing is kept, and coyeu cert issue --pq-proof with\n"
    "the same key checks the proof.\n"
    "\n"
    "  -k, --key FILE           the issuing authority's key file\n"
    "  -o, --output CHALLENGE   where to write the challenge\n"
    "      --passphrase-file F  read the key's passphrase from F\n";

int
cmd_cert_challenge(int argc, char **argv)
{
	enum { O_PASSFILE = 256 };
	static const struct option opts[] = {
		{"key", required_argument, NULL, 'k'},
		{"output", required_argument, NULL, 'o'},
		{"passphrase-file", required_argument, NULL, O_PASSFILE},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *key = NULL, *out = NULL, *pass_file = NULL;
	cy_buf challenge = CY_BUF_INIT;
	cy_error err = {0, ""};
	cy_request *req = NULL;
	cy_idkey *k = NULL;
	int c, rc = CLI_FAIL;

	while ((c = getopt_long(argc, argv, "k:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': key = optarg; break;
		case 'o': out = optarg; break;
		case O_PASSFILE: pass_file = optarg; break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error("cert challenge", "invalid option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("cert challenge", "give one request file");
	if (key == NULL)
		return cli_usage_error("cert challenge", "-k is required");
	if ((c = cli_check_path("cert challenge", "-o", out)) != CLI_OK)
		return c;
	if (cli_load_request(argv[optind], &req) != CLI_OK ||
	    cli_idkey_load(key, pass_file, &k) != CLI_OK)
		goto out;
	if (cy_request_pq_challenge(req, k, &challenge, &err) != 0) {
		cli_fail(&err, "cert challenge");
		goto out;
	}
	rc = cli_write_public(out, challenge.data, challenge.len,
	    out ? out : "the challenge");
out:
	cy_buf_free(&challenge);
	cy_idkey_free(k);
	cy_request_free(req);
	return rc;
}
