/* coyeu keyring list: what the keyring holds, and whether each chain
 * still verifies. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "client.h"
#include "commands.h"
#include "common/json.h"
#include "common/timefmt.h"
#include "coyeu/age.h"
#include "coyeu/canon.h"
#include "coyeu/level.h"
#include "keyring.h"
#include "trust.h"

static const char usage[] =
    "usage: coyeu keyring list [--json]\n"
    "\n"
    "Shows the keyring: its folder, the key's public sealing key, your own\n"
    "certificate, the pinned root, the revocation lists, and every known\n"
    "officer with name, unit, clearance, serial and validity, each chain\n"
    "verified now against the root and the lists (valid, revoked, expired\n"
    "or the rule it breaks).  No secret is read.\n"
    "\n"
    "      --json   machine-readable output\n";

struct list {
	struct cli_trust trust;
	struct cli_kr_chain *chains;
	size_t nchains;
	char seal_key[CY_RECIPIENT_STR_MAX]; /* key.pub's, "" when none */
	struct cli_registry_conf reg;
	int json;
};

struct status {
	const char *word; /* valid, revoked, expired, not-yet-valid, invalid */
	cy_error err;
};

static void
chain_status(const struct list *l, const cy_chain *chain, struct status *s)
{
	const cy_cert *leaf = cy_chain_get(chain, 0);
	const cy_trust *t = &l->trust.trust;
	int64_t now = cmn_now();
	int r;

	memset(s, 0, sizeof(*s));
	if (t->root == NULL) {
		s->word = "unverified";
		cy_error_set(&s->err, CY_E_USAGE, "no pinned root");
		return;
	}
	r = cy_chain_verify(chain, t->root, t->crls, t->ncrls, now, NULL,
	    &s->err);
	if (r == 0)
		s->word = "valid";
	else if (r == CY_E_REVOKED)
		s->word = "revoked";
	else if (now > cy_cert_not_after(leaf))
		s->word = "expired";
	else if (now < cy_cert_not_before(leaf))
		s->word = "not-yet-valid";
	else
		s->word = "invalid";
}

static const char *
issuer_name(const struct list *l, const char *serial)
{
	size_t i, j;
	const cy_cert *c;

	if (l->trust.root && strcmp(cy_cert_serial(l->trust.root), serial) == 0)
		return cy_cert_name(l->trust.root);
	for (i = 0; i < l->nchains; i++)
		for (j = 0; j < cy_chain_len(l->chains[i].chain); j++) {
			c = cy_chain_get(l->chains[i].chain, j);
			if (strcmp(cy_cert_serial(c), serial) == 0)
				return cy_cert_name(c);
		}
	return "an unknown authority";
}

static void
text_chain(const struct list *l, const cy_chain *chain, const char *indent)
{
	const cy_cert *c = cy_chain_get(chain, 0);
	char line[1024], t1[CY_CANON_TIME_LEN + 1], t2[CY_CANON_TIME_LEN + 1];
	struct status s;

	chain_status(l, chain, &s);
	cli_keyring_describe(c, line, sizeof(line));
	printf("%s\n%svalid %s to %s: %s", line, indent,
	    cmn_time_text(cy_cert_not_before(c), t1),
	    cmn_time_text(cy_cert_not_after(c), t2), s.word);
	if (s.err.code != 0)
		printf(" (%s)", s.err.msg);
	putchar('\n');
}

static void
print_text(const struct list *l)
{
	const cy_cert *root = l->trust.root;
	char line[1024], t[CY_CANON_TIME_LEN + 1];
	const char *key;
	size_t i, others = l->nchains;

	printf("keyring:  %s\n", cli_keyring_path(CLI_KR_DIR));
	if (cli_keyring_item(CLI_KR_KEY, &key) == CLI_OK && key != NULL)
		printf("key:      %s%s%s\n", key, l->seal_key[0] ?
		    ", sealing key " : "", l->seal_key);
	else
		puts("key:      none (create it with 'coyeu id new')");
	if (l->nchains > 0 && l->chains[0].self) {
		fputs("you:      ", stdout);
		text_chain(l, l->chains[0].chain, "          ");
		others--;
	} else {
		puts("you:      no chain (add yours with 'coyeu keyring add "
		    "CHAIN')");
	}
	if (root != NULL) {
		cli_keyring_describe(root, line, sizeof(line));
		printf("root:     %s, valid to %s\n", line,
		    cmn_time_text(cy_cert_not_after(root), t));
	} else {
		puts("root:     none (pin it with 'coyeu keyring init --trust "
		    "ROOT.cert')");
	}
	if (l->reg.url != NULL) {
		const char *pin = cli_registry_pin(&l->reg, l->reg.url);

		printf("registry: %s, verifier key %s\n", l->reg.url,
		    pin != NULL ? pin : "not pinned");
	} else {
		puts("registry: none (set it with 'coyeu keyring registry URL')");
	}
	if (l->reg.cacert != NULL)
		printf("cacert:   %s\n", l->reg.cacert);
	printf("lists:    %zu revocation list%s\n", l->trust.ncrls,
	    l->trust.ncrls == 1 ? "" : "s");
	for (i = 0; i < l->trust.ncrls; i++)
		printf("  %s (serial %s): sequence %llu, %zu revoked, %s\n",
		    issuer_name(l, cy_crl_issuer(l->trust.crls[i])),
		    cy_crl_issuer(l->trust.crls[i]),
		    (unsigned long long)cy_crl_sequence(l->trust.crls[i]),
		    cy_crl_count(l->trust.crls[i]),
		    cmn_time_text(cy_crl_time(l->trust.crls[i]), t));
	printf("officers: %zu known\n", others);
	for (i = 0; i < l->nchains; i++) {
		if (l->chains[i].self)
			continue;
		fputs("  ", stdout);
		text_chain(l, l->chains[i].chain, "    ");
	}
}

static void
json_chain(const struct list *l, const cy_chain *chain)
{
	struct status s;

	chain_status(l, chain, &s);
	fputs("{\"certificate\":", stdout);
	cmn_json_cert(stdout, cy_chain_get(chain, 0));
	printf(",\"status\":\"%s\",\"revoked\":%s,\"problem\":", s.word,
	    strcmp(s.word, "revoked") == 0 ? "true" : "false");
	if (s.err.code != 0)
		cmn_json_string(stdout, s.err.msg);
	else
		fputs("null", stdout);
	putchar('}');
}

static void
print_json(const struct list *l)
{
	char t[CY_CANON_TIME_LEN + 1];
	const char *key;
	size_t i, k = 0;

	fputs("{\"keyring\":", stdout);
	cmn_json_string(stdout, cli_keyring_path(CLI_KR_DIR));
	fputs(",\"key\":", stdout);
	if (cli_keyring_item(CLI_KR_KEY, &key) == CLI_OK && key != NULL) {
		fputs("{\"path\":", stdout);
		cmn_json_string(stdout, key);
		fputs(",\"seal_key\":", stdout);
		if (l->seal_key[0])
			cmn_json_string(stdout, l->seal_key);
		else
			fputs("null", stdout);
		putchar('}');
	} else {
		fputs("null", stdout);
	}
	fputs(",\"self\":", stdout);
	if (l->nchains > 0 && l->chains[0].self)
		json_chain(l, l->chains[0].chain);
	else
		fputs("null", stdout);
	fputs(",\"root\":", stdout);
	if (l->trust.root != NULL)
		cmn_json_cert(stdout, l->trust.root);
	else
		fputs("null", stdout);
	fputs(",\"registry\":", stdout);
	if (l->reg.url != NULL)
		cmn_json_string(stdout, l->reg.url);
	else
		fputs("null", stdout);
	fputs(",\"cacert\":", stdout);
	if (l->reg.cacert != NULL)
		cmn_json_string(stdout, l->reg.cacert);
	else
		fputs("null", stdout);
	fputs(",\"pins\":[", stdout);
	for (i = 0; i < l->reg.npins; i++) {
		fputs(i ? ",{\"url\":" : "{\"url\":", stdout);
		cmn_json_string(stdout, l->reg.pins[i].url);
		fputs(",\"verifier_key\":", stdout);
		cmn_json_string(stdout, l->reg.pins[i].vkey);
		putchar('}');
	}
	fputs("],\"crls\":[", stdout);
	for (i = 0; i < l->trust.ncrls; i++) {
		const cy_crl *c = l->trust.crls[i];

		printf("%s{\"issuer\":\"%s\",\"issuer_name\":", i ? "," : "",
		    cy_crl_issuer(c));
		cmn_json_string(stdout, issuer_name(l, cy_crl_issuer(c)));
		printf(",\"sequence\":%llu,\"revoked\":%zu,\"time\":\"%s\"}",
		    (unsigned long long)cy_crl_sequence(c), cy_crl_count(c),
		    cmn_time_text(cy_crl_time(c), t));
	}
	fputs("],\"officers\":[", stdout);
	for (i = 0; i < l->nchains; i++) {
		if (l->chains[i].self)
			continue;
		fputs(k++ ? "," : "", stdout);
		json_chain(l, l->chains[i].chain);
	}
	puts("]}");
}

int
cmd_keyring_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct list l;
	int c, rc = CLI_FAIL;

	memset(&l, 0, sizeof(l));
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': l.json = 1; break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error("keyring list", "invalid option");
		}
	}
	if (optind != argc)
		return cli_usage_error("keyring list", "unexpected argument '%s'",
		    argv[optind]);
	switch (cli_keyring_state()) {
	case CLI_KR_BROKEN:
		return CLI_FAIL;
	case CLI_KR_ABSENT:
		cli_warn("no keyring at %s: 'coyeu id new' or 'coyeu keyring "
		    "init --trust ROOT.cert' creates it",
		    cli_keyring_path(CLI_KR_DIR) ? cli_keyring_path(CLI_KR_DIR) :
		    "$COYEU_HOME (neither COYEU_HOME nor HOME is set)");
		return CLI_FAIL;
	}
	if (cli_trust_defaults(&l.trust, NULL, 0) != CLI_OK ||
	    cli_trust_load(&l.trust) != CLI_OK ||
	    cli_keyring_chains(1, &l.chains, &l.nchains) != CLI_OK)
		goto out;
	if (cli_keyring_pub(l.seal_key, sizeof(l.seal_key)) != CLI_OK ||
	    cli_registry_conf_load(&l.reg) != CLI_OK)
		goto out;
	if (l.json)
		print_json(&l);
	else
		print_text(&l);
	rc = CLI_OK;
out:
	cli_keyring_chains_free(l.chains, l.nchains);
	cli_trust_free(&l.trust);
	cli_registry_conf_free(&l.reg);
	return rc;
}
