/* coyeu keyring remove: forget another officer's chain. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "keyring.h"
#include "pki.h"

static const char usage[] =
    "usage: coyeu keyring remove SERIAL\n"
    "\n"
    "Removes the chain of the officer with certificate SERIAL (or the one\n"
    "officer whose name or unit is SERIAL) from the keyring's certs/.\n"
    "Your own chain is replaced by adding a renewed one, not removed.\n";

int
cmd_keyring_remove(int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	cy_chain *chain = NULL;
	char *path = NULL, line[1024];
	const char *own;
	int c, rc = CLI_FAIL;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error("keyring remove", "invalid option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("keyring remove", "give one SERIAL");
	if (cli_keyring_find(argv[optind], "keyring remove", 0, &path) !=
	    CLI_OK || cli_keyring_item(CLI_KR_CHAIN, &own) != CLI_OK ||
	    cli_load_chain(path, &chain) != CLI_OK)
		goto out;
	cli_keyring_describe(cy_chain_get(chain, 0), line, sizeof(line));
	if (own != NULL && strcmp(path, own) == 0) {
		cli_warn("keyring remove %s: refused: that is your own chain (%s); "
		    "'coyeu keyring add' replaces it with a renewed one",
		    argv[optind], line);
		goto out;
	}
	if (unlink(path) != 0) {
		cli_warn("cannot remove %s: %m", path);
		goto out;
	}
	printf("removed %s\n", line);
	rc = CLI_OK;
out:
	cy_chain_free(chain);
	free(path);
	return rc;
}
