/* coyeu id register: the officer's chain into the registry's directory. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "client.h"
#include "commands.h"
#include "keyring.h"

static const char usage[] =
    "usage: coyeu id register [-k KEY] [-c CHAIN] [--passphrase-file F]\n"
    "                         [--registry URL] [--cacert FILE]\n"
    "\n"
    "Posts the officer's certificate chain to the registry (POST /v1/certs),\n"
    "in a request signed by the officer's key: the registry verifies it\n"
    "against its pinned root and the revocation lists it knows, keeps it,\n"
    "and from then on accepts requests this key signs.  Prints what the\n"
    "registry recorded.\n"
    "\n"
    "  -k, --key KEY            the officer's key (default: the keyring's)\n"
    "  -c, --chain CHAIN        its chain (default: the keyring's)\n"
    "      --passphrase-file F  read the key's passphrase from F\n"
    "      --registry URL       this registry, not the keyring's\n"
    "      --cacert FILE        CA certificates TLS trusts (default: the\n"
    "                           keyring's, else the system's)\n";

int
cmd_id_register(int argc, char **argv)
{
	static const struct option opts[] = {
		{"key", required_argument, NULL, 'k'},
		{"chain", required_argument, NULL, 'c'},
		{"passphrase-file", required_argument, NULL, 'p'},
		{"registry", required_argument, NULL, 'r'},
		{"cacert", required_argument, NULL, 'C'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *key_path = NULL, *chain_path = NULL, *pass_file = NULL;
	const char *url = NULL, *cacert = NULL;
	const char *serial;
	const cy_cert *leaf;
	char line[1024];
	cli_client *cl = NULL;
	cy_key *key = NULL;
	cy_chain *chain = NULL;
	char *text = NULL;
	json_t *body = NULL, *ans = NULL;
	int c, rv;

	while ((c = getopt_long(argc, argv, "k:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': key_path = optarg; break;
		case 'c': chain_path = optarg; break;
		case 'p': pass_file = optarg; break;
		case 'r': url = optarg; break;
		case 'C': cacert = optarg; break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error("id register", "invalid option");
		}
	}
	if (optind != argc)
		return cli_usage_error("id register", "unexpected argument '%s'",
		    argv[optind]);
	if ((rv = cli_client_open("id register", url, cacert, &cl)) != CLI_OK ||
	    (rv = cli_client_officer("id register", key_path, chain_path,
	    pass_file, &key, &chain, &text)) != CLI_OK)
		goto out;
	rv = CLI_FAIL;
	cli_client_sign_with(cl, key, cy_cert_serial(cy_chain_get(chain, 0)));
	if ((body = json_pack("{s:s}", "chain", text)) == NULL) {
		cli_warn("the chain is not UTF-8 text");
		goto out;
	}
	if (cli_client_post(cl, "/v1/certs", body, &ans) != CLI_OK)
		goto out;
	/* What is printed comes from the chain sent, not from the answer. */
	if ((serial = cli_client_str(cl, ans, "serial")) == NULL)
		goto out;
	leaf = cy_chain_get(chain, 0);
	if (strcmp(serial, cy_cert_serial(leaf)) != 0) {
		cli_warn("the registry answered for another serial than %s",
		    cy_cert_serial(leaf));
		goto out;
	}
	cli_keyring_describe(leaf, line, sizeof(line));
	printf("registered at %s: %s, role %s\n", cli_client_url(cl), line,
	    cy_role_name(cy_cert_role(leaf)));
	rv = CLI_OK;
out:
	json_decref(body);
	json_decref(ans);
	free(text);
	cy_key_free(key);
	cy_chain_free(chain);
	cli_client_free(cl);
	return rv;
}
