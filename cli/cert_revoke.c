/* coyeu cert revoke: create or extend the issuer's revocation list. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "common/timefmt.h"
#include "coyeu/file.h"
#include "io.h"
#include "pki.h"

static const char usage[] =
    "usage: coyeu cert revoke -k ISSUERKEY -c ISSUERCHAIN --serial S\n"
    "                         [--reason R] [--since TIME] --crl FILE\n"
    "                         [--passphrase-file F]\n"
    "\n"
    "Adds serial S to the issuer's signed revocation list in FILE, creating\n"
    "it if absent; each new list carries the next sequence number, and\n"
    "verifiers keep the newest.  Revoking an authority invalidates every\n"
    "certificate beneath it.\n"
    "\n"
    "With reason superseded, left-unit or cessation the key stayed with its\n"
    "holder, so documents sealed before --since still open; with any other\n"
    "reason (key-compromise, unspecified, ...) nothing signed by the\n"
    "certificate verifies any more, whatever its date.\n"
    "\n"
    "  -k, --key FILE           the issuing authority's key file\n"
    "  -c, --chain FILE         its chain (a root: its certificate)\n"
    "      --serial S           the serial to revoke (32 hex digits)\n"
    "      --reason R           key-compromise, superseded, left-unit, …\n"
    "                           (a-z, 0-9, '-'; default unspecified)\n"
    "      --since TIME         when it takes effect (2026-11-25T00:00:00Z;\n"
    "                           default now; never later than now)\n"
    "      --crl FILE           the revocation list to create or extend\n"
    "      --passphrase-file F  read the key's passphrase from F\n";

/* The values, by the library's rules, before a key or a list is read. */
static int
check_revocation(const cy_crl_revocation *add, const char *crl)
{
	if (!cy_serial_valid(add->serial, strlen(add->serial)))
		return cli_usage_error("cert revoke", "--serial: '%.64s' is not a "
		    "certificate serial (%d lowercase hex digits)", add->serial,
		    CY_SERIAL_HEX_LEN);
	if (add->reason != NULL &&
	    !cy_crl_reason_valid(add->reason, strlen(add->reason)))
		return cli_usage_error("cert revoke", "--reason: '%.64s' is not a "
		    "reason (1 to %d of a-z, 0-9, '-', like key-compromise)",
		    add->reason, CY_CRL_REASON_MAX);
	if (add->since > cmn_now())
		return cli_usage_error("cert revoke", "--since: a revocation takes "
		    "effect now or in the past, not later");
	return cli_check_path("cert revoke", "--crl", crl);
}

int
cmd_cert_revoke(int argc, char **argv)
{
	static const struct option opts[] = {
		{"key", required_argument, NULL, 'k'},
		{"chain", required_argument, NULL, 'c'},
		{"serial", required_argument, NULL, 's'},
		{"reason", required_argument, NULL, 'r'},
		{"crl", required_argument, NULL, 'l'},
		{"since", required_argument, NULL, 't'},
		{"passphrase-file", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *key = NULL, *chain_path = NULL, *path = NULL;
	const char *pass_file = NULL;
	cy_crl_revocation add = {NULL, NULL, 0};
	cy_crl *prev = NULL, *next = NULL;
	cy_chain *chain = NULL;
	cy_idkey *k = NULL;
	cy_error err = {0, ""};
	const uint8_t *bytes;
	size_t len;
	int c, rc = CLI_FAIL;

	while ((c = getopt_long(argc, argv, "k:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': key = optarg; break;
		case 'c': chain_path = optarg; break;
		case 's': add.serial = optarg; break;
		case 'r': add.reason = optarg; break;
		case 't':
			if (cli_parse_time("cert revoke", optarg, &add.since) !=
			    CLI_OK)
				return CLI_USAGE;
			break;
		case 'l': path = optarg; break;
		case 'p': pass_file = optarg; break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error("cert revoke", "invalid option");
		}
	}
	if (optind != argc)
		return cli_usage_error("cert revoke", "unexpected argument '%s'",
		    argv[optind]);
	if (!key || !chain_path || !add.serial || !path)
		return cli_usage_error("cert revoke",
		    "-k, -c, --serial and --crl are required");
	if ((rc = check_revocation(&add, path)) != CLI_OK)
		return rc;
	rc = CLI_FAIL;
	if (cli_load_chain(chain_path, &chain) != CLI_OK ||
	    (access(path, F_OK) == 0 && cli_load_crl(path, &prev) != CLI_OK) ||
	    cli_idkey_load(key, pass_file, &k) != CLI_OK)
		goto out;
	if (cy_crl_extend(prev, cy_chain_get(chain, 0), k, &add, cmn_now(),
	    &next, &err) != 0) {
		cli_fail(&err, "cert revoke");
		goto out;
	}
	bytes = cy_crl_bytes(next, &len);
	if (cli_write_public(path, bytes, len, path) != CLI_OK)
		goto out;
	printf("revoked %s (%s): %s now lists %zu serial%s, sequence %llu\n",
	    add.serial, add.reason ? add.reason : "unspecified", path,
	    cy_crl_count(next),
	    cy_crl_count(next) == 1 ? "" : "s",
	    (unsigned long long)cy_crl_sequence(next));
	rc = CLI_OK;
out:
	cy_crl_free(next);
	cy_crl_free(prev);
	cy_idkey_free(k);
	cy_chain_free(chain);
	return rc;
}
