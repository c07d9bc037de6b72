/* coyeu keyring registry: the registry the commands talk to, its verifier
 * key pinned on first use (as ssh pins host keys) and checked after. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "client.h"
#include "commands.h"
#include "common/timefmt.h"
#include "keyring.h"
#include "trust.h"

static const char usage[] =
    "usage: coyeu keyring registry URL [--verifier-key VKEY] [--cacert FILE]\n"
    "\n"
    "Makes URL the keyring's registry, the one coyeu id register, log append\n"
    "and cert revoke talk to when no --registry is given.  It asks the\n"
    "registry (GET /v1/registry) for its register's origin and verifier key\n"
    "and pins the key the first time, as ssh pins a host key: compare what\n"
    "it prints with what the registry's operator published, or give that\n"
    "with --verifier-key, which must then match.  Later, a registry at URL\n"
    "serving another key is refused; receipts from it never verify against\n"
    "the pinned key.  With the keyring's pinned root, the registry's own\n"
    "certificate chain is verified and shown, and whether it certifies\n"
    "the verifier key.  docs/keyring.md.\n"
    "\n"
    "      --verifier-key VKEY  the key the registry must serve (name+hex8+\n"
    "                           base64); replaces a pinned key that changed\n"
    "      --cacert FILE        CA certificates (PEM) TLS trusts for the\n"
    "                           registries, instead of the system's; kept\n"
    "                           in the keyring's registry file\n";

/* The registry's chain, verified now under the pinned root when the
 * keyring has one: printed, and a warning when it does not verify.  1
 * when it verifies, is a registry's, and certifies the verifier key v
 * (coyeud signs checkpoints with its registry key), else 0. */
static int
show_chain(const char *text, const cy_note_verifier *v)
{
	struct cli_trust t;
	cy_chain *chain = NULL;
	const cy_cert *leaf;
	cy_error err = {0, ""};
	char line[1024];
	int certified = 0;

	memset(&t, 0, sizeof(t));
	if (text == NULL || cy_chain_parse((const uint8_t *)text, strlen(text),
	    &chain, &err) != 0) {
		cli_warn("warning: the registry's chain does not parse: %s",
		    text == NULL ? "none given" : err.msg);
		return 0;
	}
	leaf = cy_chain_get(chain, 0);
	cli_keyring_describe(leaf, line, sizeof(line));
	printf("certificate: %s, role %s\n", line,
	    cy_role_name(cy_cert_role(leaf)));
	if (cli_trust_defaults(&t, "keyring registry", 0) == CLI_OK &&
	    cli_trust_load(&t) == CLI_OK && t.root != NULL) {
		if (cy_chain_verify(chain, t.root, (const cy_crl *const *)t.crls,
		    t.ncrls, cmn_now(), NULL, &err) != 0)
			cli_warn("warning: the registry's certificate chain does not "
			    "verify under the pinned root: %s", err.msg);
		else if (cy_cert_role(leaf) != CY_ROLE_REGISTRY ||
		    memcmp(cy_cert_sign_public(leaf), cy_note_verifier_key(v),
		    CY_KEY_SIGN_PUBLIC_LEN) != 0)
			printf("certificate: verified under the pinned root, but it "
			    "is not a registry's certifying the verifier key\n");
		else {
			printf("certificate: verified under the pinned root; it "
			    "certifies the verifier key\n");
			certified = 1;
		}
	}
	cli_trust_free(&t);
	cy_chain_free(chain);
	return certified;
}

/* The verifier key the registry serves, checked: a key named by origin. */
static int
fetch_key(cli_client *c, char *vkey, size_t cap, int *certified)
{
	json_t *j = NULL;
	const char *origin, *served;
	cy_note_verifier *v = NULL;
	cy_error err = {0, ""};
	int rv = CLI_FAIL;

	if (cli_client_get(c, "/v1/registry", &j) != CLI_OK)
		return CLI_FAIL;
	if ((origin = cli_client_str(c, j, "origin")) == NULL ||
	    (served = cli_client_str(c, j, "verifier_key")) == NULL)
		goto out;
	/* Printed below: the registry is not trusted with the terminal. */
	if (!cli_client_printable(origin)) {
		cli_warn("the registry's origin holds control characters: refused");
		goto out;
	}
	if (cy_note_verifier_parse(served, strlen(served), &v, &err) != 0) {
		cli_fail(&err, "the registry's verifier key");
		goto out;
	}
	if (strcmp(cy_note_verifier_name(v), origin) != 0) {
		cli_warn("the registry's verifier key is named %s, not after its "
		    "origin %s: refused", cy_note_verifier_name(v), origin);
		goto out;
	}
	if (strlen(served) >= cap) {
		cli_warn("the registry's verifier key is too long");
		goto out;
	}
	cy_note_verifier_string(v, vkey);
	printf("registry: %s\norigin: %s\n", cli_client_url(c), origin);
	*certified = show_chain(json_string_value(json_object_get(j, "chain")), v);
	rv = CLI_OK;
out:
	cy_note_verifier_free(v);
	json_decref(j);
	return rv;
}

/* The --verifier-key value in its canonical form. */
static int
given_key(const char *arg, char *vkey)
{
	cy_note_verifier *v = NULL;
	cy_error err = {0, ""};

	if (cy_note_verifier_parse(arg, strlen(arg), &v, &err) != 0)
		return cli_option_error("keyring registry", "--verifier-key", &err);
	cy_note_verifier_string(v, vkey);
	cy_note_verifier_free(v);
	return CLI_OK;
}

/* Whether the served key may be pinned: CLI_OK, or the refusal. */
static int
decide(const char *url, const char *pinned, const char *served,
    const char *given, int certified)
{
	if (given != NULL && strcmp(given, served) != 0) {
		cli_warn("the registry at %s serves the verifier key\n  %s\n"
		    "not the one given with --verifier-key\n  %s\nrefusing: "
		    "nothing was changed", url, served, given);
		return CLI_FAIL;
	}
	if (pinned != NULL && strcmp(pinned, served) != 0 && given == NULL) {
		fprintf(stderr,
		    "coyeu: @@@ the registry's verifier key changed @@@\n"
		    "coyeu: the keyring pins for %s\n  %s\n"
		    "but the registry there now serves\n  %s\n"
		    "Someone may be impersonating the registry, or it was "
		    "re-keyed.\n"
		    "coyeu: the registry's verifier key changed: refusing; if "
		    "this is expected, run coyeu keyring registry %s "
		    "--verifier-key NEW\n", url, pinned, served, url);
		return CLI_FAIL;
	}
	if (pinned != NULL && strcmp(pinned, served) == 0)
		printf("verifier key: %s (already pinned)\n", served);
	else if (pinned != NULL)
		printf("verifier key: %s (replaces the pinned %s, as "
		    "--verifier-key says)\n", served, pinned);
	else if (given != NULL)
		printf("verifier key: %s (pinned: the one --verifier-key gave)\n",
		    served);
	else if (certified)
		printf("verifier key: %s (pinned on first use, certified under "
		    "the pinned root)\n", served);
	else
		printf("verifier key: %s (pinned on first use: compare it with "
		    "the key the registry's operator published)\n", served);
	return CLI_OK;
}

int
cmd_keyring_registry(int argc, char **argv)
{
	static const struct option opts[] = {
		{"verifier-key", required_argument, NULL, 'v'},
		{"cacert", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cli_registry_conf rc;
	cli_client *cl = NULL;
	const char *given_arg = NULL, *cacert_arg = NULL;
	char url[CLI_REGISTRY_URL_MAX], given[CY_NOTE_KEY_STR_MAX];
	char served[CY_NOTE_KEY_STR_MAX], cacert[PATH_MAX];
	int c, rv, certified = 0;

	memset(&rc, 0, sizeof(rc));
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'v': given_arg = optarg; break;
		case 'c': cacert_arg = optarg; break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default:
			return cli_usage_error("keyring registry", "invalid option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("keyring registry", "give the registry's "
		    "URL (https://…)");
	if ((rv = cli_registry_url_check("keyring registry", argv[optind], url,
	    sizeof(url))) != CLI_OK ||
	    (given_arg != NULL && (rv = given_key(given_arg, given)) != CLI_OK))
		return rv;
	if (cacert_arg != NULL && realpath(cacert_arg, cacert) == NULL) {
		cli_warn("--cacert %s: %m", cacert_arg);
		return CLI_FAIL;
	}
	rv = CLI_FAIL;
	if (cli_keyring_create() != CLI_OK || cli_registry_conf_load(&rc) != CLI_OK)
		goto out;
	if ((rv = cli_client_open("keyring registry", url,
	    cacert_arg != NULL ? cacert : NULL, &cl)) != CLI_OK)
		goto out;
	rv = CLI_FAIL;
	if (fetch_key(cl, served, sizeof(served), &certified) != CLI_OK ||
	    decide(url, cli_registry_pin(&rc, url), served,
	    given_arg != NULL ? given : NULL, certified) != CLI_OK)
		goto out;
	if (cli_registry_set_pin(&rc, url, served) != CLI_OK ||
	    cli_registry_set_str(&rc.url, url) != CLI_OK ||
	    (cacert_arg != NULL &&
	    cli_registry_set_str(&rc.cacert, cacert) != CLI_OK))
		goto out;
	if (cli_registry_conf_save(&rc) != CLI_OK)
		goto out;
	printf("the keyring's registry is %s (%s)\n", url,
	    cli_keyring_path(CLI_KR_REGISTRY));
	rv = CLI_OK;
out:
	cli_client_free(cl);
	cli_registry_conf_free(&rc);
	return rv;
}
