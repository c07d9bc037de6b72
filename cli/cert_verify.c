/* coyeu cert verify: a chain against the pinned root and revocation lists. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "common/json.h"
#include "common/timefmt.h"
#include "coyeu/canon.h"
#include "keyring.h"
#include "pki.h"
#include "trust.h"

static const char usage[] =
    "usage: coyeu cert verify [--trust ROOT.cert] [--crl FILE]... [--at TIME]\n"
    "                         [--json] CHAIN\n"
    "\n"
    "Verifies every link of CHAIN up to the trusted root: signatures, order,\n"
    "units within each issuer's subtree, levels, compartments, nested\n"
    "validity at TIME (default now), and revocation by any list given.\n"
    "Prints the verified subject (exit 0) or the exact rule that failed\n"
    "(exit 1). CHAIN is a file, or the serial, name or unit of one\n"
    "certificate in the keyring (docs/keyring.md); /… and ./… are files,\n"
    "and a CHAIN that is both a file here and a known officer is refused.\n"
    "\n"
    "      --trust FILE   the root authority's certificate you trust\n"
    "                     (default: the keyring's root.cert)\n"
    "      --crl FILE     a revocation list (repeatable; the newest list\n"
    "                     of each authority counts), added to every list\n"
    "                     in the keyring\n"
    "      --no-keyring-crls  use only the lists given with --crl\n"
    "      --at TIME      verify at this time (2026-11-25T00:00:00Z)\n"
    "      --json         print the result as JSON\n";

static void
print_ok(const cy_cert *leaf, const cy_cert *root, size_t n, int json)
{
	char t[CY_CANON_TIME_LEN + 1], lv[64];

	if (json) {
		fputs("{\"verified\":true,\"subject\":", stdout);
		cmn_json_cert(stdout, leaf);
		fputs("}\n", stdout);
		return;
	}
	if (cy_canon_time_format(cy_cert_not_after(leaf), t, NULL) != 0)
		snprintf(t, sizeof(t), "?");
	printf("verified: %s (%s, %s)\n", cy_cert_name(leaf),
	    cy_role_name(cy_cert_role(leaf)), cy_cert_unit(leaf));
	printf("  clearance:     %s\n", cli_level_text(cy_cert_clearance(leaf),
	    lv, sizeof(lv)));
	printf("  compartments:  %s\n", cy_cert_compartments(leaf)[0] ?
	    cy_cert_compartments(leaf) : "none");
	printf("  serial:        %s\n  valid until:   %s\n",
	    cy_cert_serial(leaf), t);
	printf("  seal-key:      %s\n", cy_cert_seal_recipient(leaf));
	printf("  chain:         %zu certificate%s to the root %s (%s)\n", n,
	    n == 1 ? "" : "s", cy_cert_name(root), cy_cert_serial(root));
}

int
cmd_cert_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{"trust", required_argument, NULL, 't'},
		{"crl", required_argument, NULL, 'r'},
		{"no-keyring-crls", no_argument, NULL, 'n'},
		{"at", required_argument, NULL, 'a'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cli_trust t;
	cy_cert *leaf = NULL;
	cy_chain *chain = NULL;
	cy_error err = {0, ""};
	int64_t at = -1;
	int c, json = 0, rc;
	char what[512];

	memset(&t, 0, sizeof(t));
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't': t.root_path = optarg; break;
		case 'r':
			if (cli_trust_add_crl(&t, "cert verify", optarg) != CLI_OK)
				return CLI_USAGE;
			break;
		case 'a':
			if (cli_parse_time("cert verify", optarg, &at) != CLI_OK)
				return CLI_USAGE;
			break;
		case 'j': json = 1; break;
		case 'n': t.no_keyring_crls = 1; break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error("cert verify", "invalid option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("cert verify", "give one chain");
	if (at < 0)
		at = cmn_now();
	if ((rc = cli_trust_defaults(&t, "cert verify", 1)) != CLI_OK)
		return rc;
	if ((rc = cli_trust_load(&t)) != CLI_OK ||
	    (rc = cli_keyring_load_chain(argv[optind], "cert verify", &chain)) !=
	    CLI_OK)
		goto out;
	rc = CLI_FAIL;
	if (cy_chain_verify(chain, t.root, t.trust.crls, t.ncrls, at, &leaf,
	    &err) != 0) {
		snprintf(what, sizeof(what), "verify %s", argv[optind]);
		cli_fail(&err, what);
		if (json) {
			fputs("{\"verified\":false,\"error\":", stdout);
			cmn_json_string(stdout, err.msg);
			fputs("}\n", stdout);
		}
		goto out;
	}
	cli_chain_warn_mixed(chain);
	print_ok(leaf, t.root, cy_chain_len(chain), json);
	rc = CLI_OK;
out:
	cli_trust_free(&t);
	cy_cert_free(leaf);
	cy_chain_free(chain);
	return rc;
}
