/* coyeu id add-pq: gives an existing key file a post-quantum hybrid
 * sealing key, rewriting it atomically under the same passphrase. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "commands.h"
#include "keyring.h"
#include "pki.h"

static const char usage[] =
    "usage: coyeu id add-pq [-k KEY] [--passphrase-file F] [--work-factor N]\n"
    "\n"
    "Adds a post-quantum hybrid sealing key (age's mlkem768x25519) to a key\n"
    "made without one (coyeu id new --classical, or before coyeu had it).\n"
    "The signing and X25519 sealing keys stay; the file is rewritten\n"
    "atomically (0600) under the same passphrase, or unprotected as it was.\n"
    "Then make a new request (coyeu id request) and have the authority\n"
    "challenge it (coyeu cert challenge, coyeu id prove, coyeu cert issue\n"
    "--pq-proof) for a certificate that carries the key.\n"
    "\n"
    "  -k, --key KEY            the key file (default: the keyring's key)\n"
    "      --passphrase-file F  read the key's passphrase from F\n"
    "      --work-factor N      scrypt work factor of the rewritten file\n"
    "                           (log2, 10-22, default 18)\n";

int
cmd_id_add_pq(int argc, char **argv)
{
	enum { O_PASSFILE = 256, O_WORK };
	static const struct option opts[] = {
		{"key", required_argument, NULL, 'k'},
		{"passphrase-file", required_argument, NULL, O_PASSFILE},
		{"work-factor", required_argument, NULL, O_WORK},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *key = NULL, *pass_file = NULL;
	int c, log_n = CY_SCRYPT_DEFAULT_LOG_N;

	while ((c = getopt_long(argc, argv, "k:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': key = optarg; break;
		case O_PASSFILE: pass_file = optarg; break;
		case O_WORK:
			if ((log_n = cli_parse_int(optarg, 10, CY_SCRYPT_MAX_LOG_N)) <
			    0)
				return cli_usage_error("id add-pq", "--work-factor "
				    "takes 10 to %d", CY_SCRYPT_MAX_LOG_N);
			break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error("id add-pq", "invalid option");
		}
	}
	if (optind != argc)
		return cli_usage_error("id add-pq", "unexpected argument '%s'",
		    argv[optind]);
	if ((c = cli_keyring_default("id add-pq", CLI_KR_KEY, &key)) != CLI_OK)
		return c;
	if (cli_idkey_add_pq(key, pass_file, log_n) != CLI_OK)
		return CLI_FAIL;
	printf("%s now holds a post-quantum sealing key; make a new request "
	    "(coyeu id request) for a certificate that carries it\n", key);
	return CLI_OK;
}
