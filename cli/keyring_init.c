/* coyeu keyring init: create the keyring and pin the root authority. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "common/timefmt.h"
#include "coyeu/file.h"
#include "keyring.h"
#include "pki.h"

static const char usage[] =
    "usage: coyeu keyring init --trust ROOT.cert [--force]\n"
    "\n"
    "Creates the keyring (0700) if needed and pins ROOT, the self-signed\n"
    "certificate of the root authority, as the anchor every chain must\n"
    "lead to.  A keyring that pins another root keeps it unless --force is\n"
    "given.  docs/keyring.md describes the keyring.\n"
    "\n"
    "      --trust ROOT.cert  the root authority's certificate\n"
    "      --force            replace a different pinned root\n";

/* The root to pin: one self-signed authority certificate, valid now. */
static int
load_root(const char *path, cy_chain **chain)
{
	cy_error err = {0, ""};
	const cy_cert *c;

	if (cli_load_chain(path, chain) != CLI_OK)
		return CLI_FAIL;
	c = cy_chain_get(*chain, 0);
	if (cy_chain_len(*chain) != 1 || !cy_cert_is_self_signed(c)) {
		cli_warn("%s is not a root certificate (%s, issued by %s): pin "
		    "the self-signed certificate 'coyeu authority init' wrote",
		    path, cy_cert_name(c), cy_cert_issuer(c));
		return CLI_FAIL;
	}
	if (cy_chain_verify(*chain, c, NULL, 0, cmn_now(), NULL, &err) != 0) {
		char what[512];

		snprintf(what, sizeof(what), "cannot pin %s", path);
		return cli_fail(&err, what);
	}
	return CLI_OK;
}

#define ALREADY_PINNED (-1)

/* CLI_OK to write the new root, ALREADY_PINNED, or CLI_FAIL. */
static int
check_pinned(const char *pinned, const cy_cert *root, int force)
{
	const uint8_t *a, *b;
	size_t alen, blen;
	cy_cert *old = NULL;
	char line[1024];
	int rc;

	if (cli_load_cert(pinned, &old) != CLI_OK) {
		if (force)
			return CLI_OK;
		cli_warn("the keyring's root %s does not load: --force replaces "
		    "it", pinned);
		return CLI_FAIL;
	}
	a = cy_cert_bytes(old, &alen);
	b = cy_cert_bytes(root, &blen);
	cli_keyring_describe(old, line, sizeof(line));
	if (alen == blen && memcmp(a, b, alen) == 0) {
		printf("the keyring already pins %s\n", line);
		rc = ALREADY_PINNED;
	} else if (!force) {
		cli_warn("the keyring already pins another root, %s; --force "
		    "replaces it (chains issued under it then no longer "
		    "verify)", line);
		rc = CLI_FAIL;
	} else {
		fprintf(stderr, "coyeu: replacing the pinned root %s\n", line);
		rc = CLI_OK;
	}
	cy_cert_free(old);
	return rc;
}

int
cmd_keyring_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{"trust", required_argument, NULL, 't'},
		{"force", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *trust = NULL, *pinned;
	const uint8_t *bytes;
	cy_chain *chain = NULL;
	cy_error err = {0, ""};
	char line[1024];
	size_t len;
	int c, force = 0, rc = CLI_FAIL;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't': trust = optarg; break;
		case 'f': force = 1; break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error("keyring init", "invalid option");
		}
	}
	if (optind != argc)
		return cli_usage_error("keyring init", "unexpected argument '%s'",
		    argv[optind]);
	if (trust == NULL)
		return cli_usage_error("keyring init", "give --trust ROOT.cert, "
		    "the root authority's certificate");
	if (load_root(trust, &chain) != CLI_OK || cli_keyring_create() != CLI_OK ||
	    cli_keyring_item(CLI_KR_ROOT, &pinned) != CLI_OK)
		goto out;
	if (pinned != NULL &&
	    (rc = check_pinned(pinned, cy_chain_get(chain, 0), force)) != CLI_OK) {
		rc = rc == ALREADY_PINNED ? CLI_OK : CLI_FAIL;
		goto out;
	}
	rc = CLI_FAIL;
	bytes = cy_cert_bytes(cy_chain_get(chain, 0), &len);
	if (cy_file_write(cli_keyring_path(CLI_KR_ROOT), bytes, len, 0644, 0,
	    &err) != 0) {
		cli_fail(&err, cli_keyring_path(CLI_KR_ROOT));
		goto out;
	}
	cli_keyring_describe(cy_chain_get(chain, 0), line, sizeof(line));
	printf("pinned the root %s in %s\n", line,
	    cli_keyring_path(CLI_KR_ROOT));
	rc = CLI_OK;
out:
	cy_chain_free(chain);
	return rc;
}
