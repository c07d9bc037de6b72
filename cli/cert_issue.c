/* coyeu cert issue: an authority certifies a request. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "common/timefmt.h"
#include "coyeu/canon.h"
#include "coyeu/file.h"
#include "coyeu/level.h"
#include "io.h"
#include "pki.h"

static const char usage[] =
    "usage: coyeu cert issue -k ISSUERKEY -c ISSUERCHAIN --role ROLE\n"
    "                        --clearance LEVEL [--compartments a,b]\n"
    "                        [--may-issue UNIT:LEVEL] [--days N]\n"
    "                        [--not-before TIME] [--passphrase-file F]\n"
    "                        [--allow-mixed-script] [--pq-proof PROOF]\n"
    "                        [--require-pq] [-o CHAIN] REQ\n"
    "\n"
    "Checks the request's signature and issues a certificate for it, signed\n"
    "with the issuer's key.  Refuses what the issuer may not grant: a unit\n"
    "outside its subtree, a level above its own, compartments it does not\n"
    "hold, validity past its own, or any issuing by a non-authority, and a\n"
    "name with a word that mixes scripts (a look-alike, e.g. \"Nguyеn\"\n"
    "with a Cyrillic е) unless --allow-mixed-script.\n"
    "Writes the new certificate followed by the issuer's chain (root\n"
    "excluded) to CHAIN or standard output.\n"
    "A request's post-quantum key (seal-pq-key) is certified only with the\n"
    "requester's proof of possession: coyeu cert challenge REQ, coyeu id\n"
    "prove on the requester's machine, then --pq-proof PROOF.  Without it\n"
    "the certificate has no post-quantum key (a warning says so), or, with\n"
    "--require-pq, none is issued.  A proof that does not match is always\n"
    "refused.\n"
    "\n"
    "  -k, --key FILE           the issuer's key file\n"
    "  -c, --chain FILE         the issuer's chain (a root: its certificate)\n"
    "      --role ROLE          officer, authority or registry\n"
    "      --clearance LEVEL    mat, toi-mat or tuyet-mat\n"
    "      --compartments LIST  compartments granted (a,b)\n"
    "      --may-issue U:L      an authority's subtree and highest level\n"
    "                           (default: its own unit and clearance)\n"
    "      --days N             validity in days (default 365, cut to the\n"
    "                           issuer's own end)\n"
    "      --not-before TIME    start of validity (default now)\n"
    "      --passphrase-file F  read the issuer key's passphrase from F\n"
    "      --allow-mixed-script certify a name a word of which mixes scripts\n"
    "      --pq-proof PROOF     the proof of the request's post-quantum key\n"
    "      --require-pq         refuse to issue without a post-quantum key\n"
    "  -o, --output CHAIN       where to write the chain\n";

struct issue_args {
	const char *key, *chain, *pass_file, *out, *req, *pq_proof;
	char *compartments, *may_unit;
	int role, clearance, may_level, days, mixed, require_pq;
	int64_t not_before;
};

static int
parse_option(int c, const char *arg, struct issue_args *a)
{
	switch (c) {
	case 'k': a->key = arg; break;
	case 'c': a->chain = arg; break;
	case 'o': a->out = arg; break;
	case 'r':
		if ((a->role = cy_role_parse(arg, strlen(arg))) == 0)
			return cli_usage_error("cert issue", "--role takes "
			    "officer, authority or registry");
		break;
	case 'l':
		if ((a->clearance = cy_level_parse(arg, strlen(arg))) == 0)
			return cli_usage_error("cert issue", "--clearance takes "
			    "mat, toi-mat or tuyet-mat");
		break;
	case 'm':
		free(a->may_unit);
		return cli_parse_may_issue("cert issue", arg, &a->may_unit,
		    &a->may_level);
	case 'd':
		if ((a->days = cli_parse_int(arg, 1, CLI_DAYS_MAX)) < 0)
			return cli_usage_error("cert issue", "--days takes 1 to %d",
			    CLI_DAYS_MAX);
		break;
	case 'n':
		return cli_parse_time("cert issue", arg, &a->not_before);
	case 'p': a->pass_file = arg; break;
	case 'x': a->mixed = 1; break;
	case 'P': a->pq_proof = arg; break;
	case 'Q': a->require_pq = 1; break;
	case 'h': fputs(usage, stdout); return -1;
	default: return cli_usage_error("cert issue", "invalid option");
	}
	return CLI_OK;
}

static int
parse_args(int argc, char **argv, struct issue_args *a)
{
	static const struct option opts[] = {
		{"key", required_argument, NULL, 'k'},
		{"chain", required_argument, NULL, 'c'},
		{"output", required_argument, NULL, 'o'},
		{"role", required_argument, NULL, 'r'},
		{"clearance", required_argument, NULL, 'l'},
		{"compartments", required_argument, NULL, 'C'},
		{"may-issue", required_argument, NULL, 'm'},
		{"days", required_argument, NULL, 'd'},
		{"not-before", required_argument, NULL, 'n'},
		{"passphrase-file", required_argument, NULL, 'p'},
		{"allow-mixed-script", no_argument, NULL, 'x'},
		{"pq-proof", required_argument, NULL, 'P'},
		{"require-pq", no_argument, NULL, 'Q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *comp = "";
	cy_error err = {0, ""};
	int c, rc;

	while ((c = getopt_long(argc, argv, "k:c:o:h", opts, NULL)) != -1) {
		if (c == 'C')
			comp = optarg;
		else if ((rc = parse_option(c, optarg, a)) != CLI_OK)
			return rc;
	}
	if (argc - optind != 1)
		return cli_usage_error("cert issue", "give one request file");
	a->req = argv[optind];
	if (!a->key || !a->chain || !a->role || !a->clearance)
		return cli_usage_error("cert issue",
		    "-k, -c, --role and --clearance are required");
	if ((rc = cli_check_path("cert issue", "-o", a->out)) != CLI_OK)
		return rc;
	if (a->may_unit != NULL && a->role != CY_ROLE_AUTHORITY)
		return cli_usage_error("cert issue",
		    "--may-issue is for --role authority only");
	if (cy_canon_list_normalize(comp, cy_compartment_valid,
	    "compartments", &a->compartments, &err) != 0)
		return cli_usage_error("cert issue", "%s", err.msg);
	return CLI_OK;
}

/* Without --days: a year, cut to the issuer's own end. */
static int64_t
not_after(const struct issue_args *a, const cy_cert *issuer)
{
	int64_t end;

	if (a->days > 0)
		return a->not_before + (int64_t)a->days * 86400;
	end = a->not_before + (int64_t)CLI_DEFAULT_DAYS * 86400;
	return end < cy_cert_not_after(issuer) ? end : cy_cert_not_after(issuer);
}

/* The request's hybrid key when its proof of possession holds (*pq), NULL
 * when there is none to certify; CLI_FAIL (printed) for a refusal. */
static int
certified_pq_key(const struct issue_args *a, const cy_request *req,
    const cy_idkey *k, const uint8_t **pq)
{
	cy_error err = {0, ""};
	uint8_t *proof = NULL;
	size_t len = 0;
	int rc = CLI_FAIL;

	*pq = NULL;
	if (cy_request_seal_pq_public(req) == NULL) {
		if (a->pq_proof == NULL && !a->require_pq)
			return CLI_OK;
		cli_warn("cert issue: refused: the request has no post-quantum "
		    "key (seal-pq-key)%s", a->require_pq ? " (--require-pq)" :
		    "; --pq-proof is for a request that has one");
		return CLI_FAIL;
	}
	if (a->pq_proof == NULL) {
		if (a->require_pq) {
			cli_warn("cert issue: refused: the request's post-quantum "
			    "key has no proof of possession (--require-pq): run "
			    "coyeu cert challenge, coyeu id prove on the "
			    "requester's machine, then cert issue --pq-proof");
			return CLI_FAIL;
		}
		cli_warn("warning: the request's post-quantum key is not "
		    "certified (no proof of possession): run coyeu cert "
		    "challenge, coyeu id prove on the requester's machine, then "
		    "cert issue --pq-proof");
		return CLI_OK;
	}
	if (cy_file_read(a->pq_proof, CY_PQ_PROOF_MAX, &proof, &len, &err) != 0) {
		cli_fail(&err, "cert issue: cannot read the post-quantum proof");
		goto out;
	}
	if (cy_request_pq_check(req, k, proof, len, &err) != 0) {
		cli_fail(&err, "cert issue: refused");
		goto out;
	}
	*pq = cy_request_seal_pq_public(req);
	rc = CLI_OK;
out:
	free(proof);
	return rc;
}

static int
issue(const struct issue_args *a, const cy_request *req,
    const cy_chain *chain, const cy_idkey *k)
{
	const cy_cert *issuer = cy_chain_get(chain, 0);
	cy_buf out = CY_BUF_INIT;
	cy_error err = {0, ""};
	cy_cert_params p;
	cy_cert *cert = NULL;
	char lv[64];
	int rc = CLI_FAIL;

	memset(&p, 0, sizeof(p));
	p.name = cy_request_name(req);
	p.unit = cy_request_unit(req);
	p.role = a->role;
	p.clearance = a->clearance;
	p.compartments = a->compartments;
	p.not_before = a->not_before;
	p.not_after = not_after(a, issuer);
	p.sign_public = cy_request_sign_public(req);
	p.seal_public = cy_request_seal_public(req);
	p.may_issue_unit = a->may_unit;
	p.may_issue_level = a->may_level;
	if (certified_pq_key(a, req, k, &p.seal_pq_public) != CLI_OK)
		goto out;
	if (cy_cert_issue(&p, issuer, k, cmn_now(), &cert, &err) != 0) {
		cli_fail(&err, "cert issue: refused");
		goto out;
	}
	if (cy_chain_encode(cert, chain, &out, &err) != 0) {
		cli_fail(&err, "cert issue");
		goto out;
	}
	if (cli_write_public(a->out, out.data, out.len,
	    a->out ? a->out : "the chain") != CLI_OK)
		goto out;
	fprintf(a->out ? stdout : stderr, "issued %s to %s: %s, %s, %s%s\n",
	    cy_cert_serial(cert), cy_cert_name(cert), cy_role_name(a->role),
	    cy_cert_unit(cert), cli_level_text(a->clearance, lv, sizeof(lv)),
	    p.seal_pq_public ? ", post-quantum key certified" : "");
	rc = CLI_OK;
out:
	cy_cert_free(cert);
	cy_buf_free(&out);
	return rc;
}

int
cmd_cert_issue(int argc, char **argv)
{
	struct issue_args a;
	cy_request *req = NULL;
	cy_chain *chain = NULL;
	cy_idkey *k = NULL;
	char what[PATH_MAX + 64];
	int rc;

	memset(&a, 0, sizeof(a));
	a.not_before = -1;
	if ((rc = parse_args(argc, argv, &a)) != CLI_OK) {
		rc = rc < 0 ? CLI_OK : rc;
		goto out;
	}
	if (a.not_before < 0)
		a.not_before = cmn_now();
	rc = CLI_FAIL;
	snprintf(what, sizeof(what), "cert issue: refused: name in %s", a.req);
	if (cli_load_request(a.req, &req) != CLI_OK ||
	    cli_text_refuse_mixed(what, cy_request_name(req), a.mixed) !=
	    CLI_OK ||
	    cli_load_chain(a.chain, &chain) != CLI_OK ||
	    cli_idkey_load(a.key, a.pass_file, &k) != CLI_OK)
		goto out;
	rc = issue(&a, req, chain, k);
out:
	cy_idkey_free(k);
	cy_chain_free(chain);
	cy_request_free(req);
	free(a.compartments);
	free(a.may_unit);
	return rc;
}
