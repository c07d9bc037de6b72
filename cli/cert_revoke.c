/* coyeu cert revoke: create or extend the issuer's revocation list. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "client.h"
#include "commands.h"
#include "common/timefmt.h"
#include "coyeu/file.h"
#include "io.h"
#include "pki.h"

static const char usage[] =
    "usage: coyeu cert revoke -k ISSUERKEY -c ISSUERCHAIN --serial S\n"
    "                         [--reason R] [--since TIME] --crl FILE\n"
    "                         [--passphrase-file F] [--registry URL]\n"
    "                         [--cacert FILE]\n"
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
    "      --passphrase-file F  read the key's passphrase from F\n"
    "      --registry URL       also post the list to the registry at URL\n"
    "                           (POST /v1/revocations), signed by the\n"
    "                           issuer's key; without --serial, post FILE\n"
    "                           as it is (after a failed post, say)\n"
    "      --cacert FILE        CA certificates TLS trusts (default: the\n"
    "                           keyring's, else the system's)\n";

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

/* The list to the registry, signed by the issuer: it records each
 * revocation as a cert.revoke entry of its register. */
static int
post_crl(const char *url, const char *cacert, const cy_key *k,
    const cy_cert *issuer, const cy_crl *crl)
{
	cli_client *cl = NULL;
	json_t *body = NULL, *ans = NULL, *e;
	const uint8_t *bytes;
	size_t len, i;
	int rc;

	bytes = cy_crl_bytes(crl, &len);
	if ((rc = cli_client_open("cert revoke", url, cacert, &cl)) != CLI_OK)
		return rc;
	rc = CLI_FAIL;
	cli_client_sign_with(cl, k, cy_cert_serial(issuer));
	if ((body = json_object()) == NULL || json_object_set_new(body, "crl",
	    json_stringn((const char *)bytes, len)) != 0) {
		cli_warn("cert revoke: out of memory");
		goto out;
	}
	if (cli_client_post(cl, "/v1/revocations", body, &ans) != CLI_OK)
		goto out;
	printf("posted to %s: %zu revocation%s recorded", cli_client_url(cl),
	    json_array_size(json_object_get(ans, "revoked")),
	    json_array_size(json_object_get(ans, "revoked")) == 1 ? "" : "s");
	json_array_foreach(json_object_get(ans, "entries"), i, e)
		if (json_is_integer(json_object_get(e, "index")))
			printf("%s%lld", i == 0 ? " at index " : ", ",
			    (long long)json_integer_value(json_object_get(e, "index")));
	printf("\n");
	rc = CLI_OK;
out:
	json_decref(body);
	json_decref(ans);
	cli_client_free(cl);
	return rc;
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
		{"registry", required_argument, NULL, 'R'},
		{"cacert", required_argument, NULL, 'C'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *key = NULL, *chain_path = NULL, *path = NULL;
	const char *pass_file = NULL, *url = NULL, *cacert = NULL;
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
		case 'R': url = optarg; break;
		case 'C': cacert = optarg; break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error("cert revoke", "invalid option");
		}
	}
	if (optind != argc)
		return cli_usage_error("cert revoke", "unexpected argument '%s'",
		    argv[optind]);
	if (url == NULL)
		url = cli_client_default_url();
	if (!key || !chain_path || !path || (!add.serial && !url))
		return cli_usage_error("cert revoke",
		    "-k, -c, --serial and --crl are required (--serial may be "
		    "left out with --registry, to post FILE)");
	if (add.serial == NULL && add.reason != NULL)
		return cli_conflict("cert revoke", "--reason", "no --serial",
		    "posting FILE changes nothing in it");
	if (add.serial != NULL && (rc = check_revocation(&add, path)) != CLI_OK)
		return rc;
	rc = CLI_FAIL;
	if (cli_load_chain(chain_path, &chain) != CLI_OK ||
	    ((add.serial == NULL || access(path, F_OK) == 0) &&
	    cli_load_crl(path, &prev) != CLI_OK) ||
	    cli_idkey_load(key, pass_file, &k) != CLI_OK)
		goto out;
	if (add.serial == NULL) {
		rc = post_crl(url, cacert, k, cy_chain_get(chain, 0), prev);
		goto out;
	}
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
	fflush(stdout);
	rc = url != NULL ? post_crl(url, cacert, k, cy_chain_get(chain, 0), next) :
	    CLI_OK;
out:
	cy_crl_free(next);
	cy_crl_free(prev);
	cy_idkey_free(k);
	cy_chain_free(chain);
	return rc;
}
