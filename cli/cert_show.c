/* coyeu cert show: certificates, chains, requests and revocation lists,
 * for people or as JSON.  Shows; does not verify. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "common/json.h"
#include "common/timefmt.h"
#include "coyeu/canon.h"
#include "coyeu/encoding.h"
#include "coyeu/file.h"
#include "pki.h"

static const char usage[] =
    "usage: coyeu cert show [--json] [--full] FILE...\n"
    "\n"
    "Prints each certificate of a chain or certificate file, a request or a\n"
    "revocation list, with the level names MẬT, TỐI MẬT, TUYỆT MẬT.  Nothing\n"
    "is verified here: use 'coyeu cert verify'.\n"
    "\n"
    "The post-quantum sealing key (seal-pq-key, 1959 characters) is shown\n"
    "shortened, with its SHA-256 fingerprint.\n"
    "\n"
    "      --json   one JSON object per file (keys in full)\n"
    "      --full   the post-quantum key in full\n";

struct show_opts {
	int json, full;
};

static int
show_chain(const char *path, const struct show_opts *o)
{
	cy_chain *ch = NULL;
	size_t i, n;

	if (cli_load_chain(path, &ch) != CLI_OK)
		return CLI_FAIL;
	n = cy_chain_len(ch);
	cli_chain_warn_mixed(ch);
	if (o->json)
		fputs("{\"type\":\"chain\",\"certificates\":[", stdout);
	for (i = 0; i < n; i++) {
		if (o->json) {
			if (i > 0)
				fputc(',', stdout);
			cmn_json_cert(stdout, cy_chain_get(ch, i));
		} else {
			cli_cert_print(stdout, cy_chain_get(ch, i), i, n, o->full);
		}
	}
	if (o->json)
		fputs("]}\n", stdout);
	cy_chain_free(ch);
	return CLI_OK;
}

static int
show_request(const char *path, const struct show_opts *o)
{
	char sign[CY_B64_UNPADDED_LEN(CY_SIGN_PUBLIC_LEN) + 1];
	char pq[CLI_PQ_KEY_TEXT_MAX];
	const char *pq_key;
	char t[CY_CANON_TIME_LEN + 1];
	cy_request *q = NULL;

	if (cli_load_request(path, &q) != CLI_OK)
		return CLI_FAIL;
	cli_text_warn_mixed("request: name", cy_request_name(q));
	cy_b64_encode(sign, cy_request_sign_public(q), CY_SIGN_PUBLIC_LEN, 0);
	if (cy_canon_time_format(cy_request_time(q), t, NULL) != 0)
		snprintf(t, sizeof(t), "?");
	pq_key = cy_request_seal_pq_recipient(q);
	if (o->json) {
		fputs("{\"type\":\"request\",\"name\":", stdout);
		cmn_json_string(stdout, cy_request_name(q));
		printf(",\"unit\":\"%s\",\"time\":\"%s\",\"sign_key\":\"%s\"",
		    cy_request_unit(q), t, sign);
		if (pq_key != NULL)
			printf(",\"seal_pq_key\":\"%s\"", pq_key);
		fputs("}\n", stdout);
	} else {
		printf("certificate request (signed by its own key)\n"
		    "  name:      %s\n  unit:      %s\n  time:      %s\n"
		    "  sign-key:  %s (Ed25519)\n", cy_request_name(q),
		    cy_request_unit(q), t, sign);
		printf("  seal-pq-key: %s\n", pq_key != NULL ?
		    cli_pq_key_text(pq_key, o->full, pq, sizeof(pq)) :
		    "none (classical only)");
	}
	cy_request_free(q);
	return CLI_OK;
}

static int
show_crl(const char *path, const struct show_opts *o)
{
	int json = o->json;
	char t[CY_CANON_TIME_LEN + 1], st[CY_CANON_TIME_LEN + 1];
	const char *serial, *reason;
	cy_crl *crl = NULL;
	int64_t since;
	size_t i;
	int keeps;

	if (cli_load_crl(path, &crl) != CLI_OK)
		return CLI_FAIL;
	if (cy_canon_time_format(cy_crl_time(crl), t, NULL) != 0)
		snprintf(t, sizeof(t), "?");
	if (json)
		printf("{\"type\":\"crl\",\"issuer\":\"%s\",\"sequence\":%llu,"
		    "\"time\":\"%s\",\"revoked\":[", cy_crl_issuer(crl),
		    (unsigned long long)cy_crl_sequence(crl), t);
	else
		printf("revocation list of %s\n  sequence:  %llu\n  time:      %s\n"
		    "  revoked:   %zu\n", cy_crl_issuer(crl),
		    (unsigned long long)cy_crl_sequence(crl), t,
		    cy_crl_count(crl));
	for (i = 0; i < cy_crl_count(crl); i++) {
		cy_crl_entry(crl, i, &serial, &reason, &since);
		cmn_time_text(since, st);
		keeps = cy_crl_reason_keeps_past(reason);
		if (json)
			printf("%s{\"serial\":\"%s\",\"reason\":\"%s\","
			    "\"since\":\"%s\",\"earlier_signatures_stand\":%s}",
			    i ? "," : "", serial, reason, st,
			    keeps ? "true" : "false");
		else
			printf("    %s  %s since %s%s\n", serial, reason, st,
			    keeps ? " (earlier signatures stand)" : "");
	}
	if (json)
		fputs("]}\n", stdout);
	cy_crl_free(crl);
	return CLI_OK;
}

/* Picks the reader by the object's first line. */
static int
show_file(const char *path, const struct show_opts *o)
{
	static const struct {
		const char *version;
		int (*show)(const char *, const struct show_opts *);
	} kinds[] = {
		{CY_CERT_VERSION, show_chain},
		{CY_REQUEST_VERSION, show_request},
		{CY_CRL_VERSION, show_crl},
	};
	char line[64], want[64];
	FILE *f;
	size_t i;

	if (strcmp(path, "-") == 0)
		return cli_usage_error("cert show", "give a file name, not '-'");
	if ((f = fopen(path, "r")) == NULL) {
		cli_warn("cannot read %s: no such file or not readable", path);
		return CLI_FAIL;
	}
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	fclose(f);
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		snprintf(want, sizeof(want), "version: %s\n", kinds[i].version);
		if (strcmp(line, want) == 0)
			return kinds[i].show(path, o);
	}
	cli_warn("%s: not a certificate, chain, request or revocation list",
	    path);
	return CLI_FAIL;
}

int
cmd_cert_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"full", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct show_opts o = {0, 0};
	int c, rc = CLI_OK;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': o.json = 1; break;
		case 'f': o.full = 1; break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error("cert show", "invalid option");
		}
	}
	if (optind == argc)
		return cli_usage_error("cert show", "give at least one file");
	for (; optind < argc; optind++)
		if (show_file(argv[optind], &o) != CLI_OK)
			rc = CLI_FAIL;
	return rc;
}
