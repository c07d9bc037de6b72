/* coyeu id prove: the requester answers an authority's post-quantum
 * challenge (cy_request_pq_respond) with its key. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "commands.h"
#include "coyeu/file.h"
#include "coyeu/request.h"
#include "io.h"
#include "keyring.h"

static const char usage[] =
    "usage: coyeu id prove [-k KEY] [-o PROOF] [--passphrase-file F] CHALLENGE\n"
    "\n"
    "Answers the challenge an authority made for your certificate request\n"
    "(coyeu cert challenge): checks that it is for a request your key\n"
    "signed and that carries your post-quantum key, decapsulates it with\n"
    "that key and writes the proof (a MAC under the shared secret, bound to\n"
    "the request) to PROOF or standard output.  Give the proof to the\n"
    "authority (coyeu cert issue --pq-proof PROOF).\n"
    "\n"
    "  -k, --key KEY            your key file (default: the keyring's key)\n"
    "  -o, --output PROOF       where to write the proof\n"
    "      --passphrase-file F  read the key's passphrase from F\n";

int
cmd_id_prove(int argc, char **argv)
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
	cy_buf proof = CY_BUF_INIT;
	cy_error err = {0, ""};
	cy_idkey *k = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	int c, rc = CLI_FAIL;

	while ((c = getopt_long(argc, argv, "k:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': key = optarg; break;
		case 'o': out = optarg; break;
		case O_PASSFILE: pass_file = optarg; break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error("id prove", "invalid option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("id prove", "give one challenge file");
	if ((c = cli_check_path("id prove", "-o", out)) != CLI_OK)
		return c;
	if ((c = cli_keyring_default("id prove", CLI_KR_KEY, &key)) != CLI_OK)
		return c;
	if (cy_file_read(argv[optind], CY_PQ_CHALLENGE_MAX, &data, &len,
	    &err) != 0) {
		cli_fail(&err, "id prove: cannot read the challenge");
		goto out;
	}
	if (cli_idkey_load(key, pass_file, &k) != CLI_OK)
		goto out;
	if (cy_request_pq_respond(data, len, k, &proof, &err) != 0) {
		cli_fail(&err, "id prove: refused");
		goto out;
	}
	rc = cli_write_public(out, proof.data, proof.len,
	    out ? out : "the proof");
out:
	cy_buf_free(&proof);
	cy_idkey_free(k);
	free(data);
	return rc;
}
