/* coyeu reseal: a classical classified document re-wrapped to its
 * recipients' post-quantum keys, payload untouched (docs/format.md,
 * "Re-sealing"). */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "coyeu/document.h"
#include "coyeu/file.h"
#include "coyeu/level.h"
#include "keyring.h"
#include "pki.h"
#include "trust.h"

#define RESEAL_MAX_R 256

static const char usage[] =
    "usage: coyeu reseal [-k KEY] [-c CHAIN] [--trust ROOT] [--crl F]...\n"
    "                    [-r WHO]... [-o OUT] FILE\n"
    "\n"
    "Re-wraps a classical classified document's file key to the same\n"
    "recipients' post-quantum (hybrid) keys, without touching the payload\n"
    "or the label: a signed reseal record names you, the time and, for\n"
    "each recipient, the certificate now holding its stanza. You must be a\n"
    "holder (a named recipient) who can open it. Afterwards only the hybrid\n"
    "keys open it. Each recipient's current chain comes from the keyring\n"
    "(the same certificate if it has a seal-pq-key, else the newest of the\n"
    "same officer, name and unit, that has one) or from -r.\n"
    "\n"
    "  -k, --key KEY            your key file (default: the keyring's)\n"
    "  -c, --chain CHAIN        your chain (default: the keyring's)\n"
    "      --trust ROOT         the root you trust (default: the keyring's)\n"
    "      --crl F              a revocation list (repeatable)\n"
    "      --no-keyring-crls    use only the lists given with --crl\n"
    "  -r, --recipient WHO      a recipient's current chain (repeatable): a\n"
    "                           chain file, or an officer in the keyring\n"
    "  -o, --output OUT         write to OUT (default: replace FILE), atomically\n"
    "      --passphrase-file F  the key's passphrase, first line of F\n";

enum { OPT_TRUST = 256, OPT_CRL, OPT_NO_KR_CRLS };

struct reseal_args {
	const char *key, *chain, *pass_file, *in, *out;
	const char *r[RESEAL_MAX_R];
	size_t nr;
	struct cli_trust trust;
};

struct reseal_state {
	cy_idkey *key;
	cy_chain *chain;
	cy_identity *id;
	cy_chain **to;         /* -r, then the keyring's */
	size_t nto;
	struct cli_kr_chain *kr;
	size_t nkr;
	cy_doc_resealing *rs;
};

static void
state_free(struct reseal_state *s)
{
	size_t i;

	cy_doc_resealing_free(s->rs);
	cy_identity_free(s->id);
	cy_idkey_free(s->key);
	cy_chain_free(s->chain);
	for (i = 0; i < s->nto && s->to != NULL; i++)
		if (i < s->nto - s->nkr)   /* the keyring's are s->kr's */
			cy_chain_free(s->to[i]);
	free(s->to);
	cli_keyring_chains_free(s->kr, s->nkr);
}

/* -r first (they win a tie of the same officer's newest), then every
 * chain the keyring knows. */
static int
load_recipients(struct reseal_args *a, struct reseal_state *s)
{
	size_t i;
	int r;

	if (cli_keyring_state() == CLI_KR_READY &&
	    cli_keyring_chains(1, &s->kr, &s->nkr) != CLI_OK)
		return CLI_FAIL;
	if ((s->to = calloc(a->nr + s->nkr + 1, sizeof(*s->to))) == NULL) {
		cli_warn("out of memory");
		return CLI_FAIL;
	}
	for (i = 0; i < a->nr; i++, s->nto++)
		if ((r = cli_keyring_load_chain(a->r[i], "-r",
		    &s->to[s->nto])) != CLI_OK)
			return r;
	for (i = 0; i < s->nkr; i++)
		s->to[s->nto++] = s->kr[i].chain;
	return CLI_OK;
}

static int
prepare(struct reseal_args *a, struct reseal_state *s)
{
	cy_doc_reseal_params p;
	cy_error err = {0, ""};
	char what[512];
	size_t who;
	int fd, r;

	if (cy_identity_from_key(s->key, &s->id, &err) != 0)
		return cli_fail(&err, a->key);
	if ((fd = open(a->in, O_RDONLY | O_CLOEXEC)) < 0) {
		cli_warn("%s: cannot open: %m", a->in);
		return CLI_FAIL;
	}
	memset(&p, 0, sizeof(p));
	p.identities = &s->id;
	p.nidentities = 1;
	p.signer = s->key;
	p.resealer = s->chain;
	p.recipients = (const cy_chain *const *)s->to;
	p.nrecipients = s->nto;
	p.trust = &a->trust.trust;
	r = cy_doc_reseal_prepare(fd, &p, &s->rs, &who, &err);
	close(fd);
	if (r == 0)
		return CLI_OK;
	if (who == CY_DOC_REFUSED_SEALER)
		return cli_fail(&err, a->in);
	snprintf(what, sizeof(what), "%s: recipient %zu", a->in, who + 1);
	return cli_fail(&err, what);
}

/* Beside FILE (or OUT), fsync'd, renamed over it only once complete. */
static int
write_out(struct reseal_args *a, struct reseal_state *s)
{
	const char *path = a->out != NULL ? a->out : a->in;
	cy_error err = {0, ""};
	cy_outfile *o = NULL;

	if (cy_outfile_open(path, 0644, 0, &o, &err) != 0)
		return cli_fail(&err, path);
	if (cy_doc_reseal_write(s->rs, cy_outfile_fd(o), &err) != 0) {
		cy_outfile_abort(o);
		return cli_fail(&err, path);
	}
	if (cy_outfile_commit(o, &err) != 0)
		return cli_fail(&err, path);
	return CLI_OK;
}

static void
report(const struct reseal_args *a, const struct reseal_state *s)
{
	const cy_label *l = cy_doc_resealing_label(s->rs);
	const cy_doc_reseal *rec = cy_doc_resealing_record(s->rs);
	const cy_cert *c;
	char line[1024];
	size_t i;

	fprintf(stderr, "coyeu: resealed %s document %s post-quantum "
	    "(mlkem768x25519) into %s; payload unchanged\n",
	    cy_level_display(cy_label_level(l)), cy_label_document(l),
	    a->out != NULL ? a->out : a->in);
	for (i = 0; i < cy_doc_reseal_count(rec); i++) {
		c = cy_doc_resealing_recipient(s->rs, i);
		cli_keyring_describe(c, line, sizeof(line));
		if (strcmp(cy_doc_reseal_old_serial(rec, i),
		    cy_cert_serial(c)) == 0)
			fprintf(stderr, "  to: %s\n", line);
		else
			fprintf(stderr, "  to: %s (re-keyed; the label names "
			    "serial %s)\n", line, cy_doc_reseal_old_serial(rec,
			    i));
	}
}

static int
run(struct reseal_args *a)
{
	struct reseal_state s;
	int rc;

	memset(&s, 0, sizeof(s));
	if ((rc = cli_keyring_default("reseal", CLI_KR_KEY, &a->key)) ==
	    CLI_OK &&
	    (rc = cli_keyring_default("reseal", CLI_KR_CHAIN, &a->chain)) ==
	    CLI_OK &&
	    (rc = cli_trust_defaults(&a->trust, "reseal", 1)) == CLI_OK &&
	    (rc = cli_trust_load(&a->trust)) == CLI_OK &&
	    (rc = cli_idkey_load(a->key, a->pass_file, &s.key)) == CLI_OK &&
	    (rc = cli_load_chain(a->chain, &s.chain)) == CLI_OK &&
	    (rc = load_recipients(a, &s)) == CLI_OK &&
	    (rc = prepare(a, &s)) == CLI_OK &&
	    (rc = write_out(a, &s)) == CLI_OK)
		report(a, &s);
	cli_trust_free(&a->trust);
	state_free(&s);
	return rc;
}

int
cmd_reseal(int argc, char **argv)
{
	static const struct option opts[] = {
		{"key", required_argument, NULL, 'k'},
		{"chain", required_argument, NULL, 'c'},
		{"trust", required_argument, NULL, OPT_TRUST},
		{"crl", required_argument, NULL, OPT_CRL},
		{"no-keyring-crls", no_argument, NULL, OPT_NO_KR_CRLS},
		{"recipient", required_argument, NULL, 'r'},
		{"output", required_argument, NULL, 'o'},
		{"passphrase-file", required_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct reseal_args a;
	int c;

	memset(&a, 0, sizeof(a));
	while ((c = getopt_long(argc, argv, "k:c:r:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': a.key = optarg; break;
		case 'c': a.chain = optarg; break;
		case OPT_TRUST: a.trust.root_path = optarg; break;
		case OPT_CRL:
			if (cli_trust_add_crl(&a.trust, "reseal", optarg) !=
			    CLI_OK)
				return CLI_USAGE;
			break;
		case OPT_NO_KR_CRLS: a.trust.no_keyring_crls = 1; break;
		case 'r':
			if (a.nr == RESEAL_MAX_R)
				return cli_usage_error("reseal", "at most %d -r",
				    RESEAL_MAX_R);
			a.r[a.nr++] = optarg;
			break;
		case 'o': a.out = optarg; break;
		case 'P': a.pass_file = optarg; break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error("reseal", "invalid option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("reseal", "give one FILE");
	a.in = argv[optind];
	if (strcmp(a.in, "-") == 0 || (a.out != NULL && strcmp(a.out, "-") == 0))
		return cli_usage_error("reseal", "FILE and OUT are files: a "
		    "reseal replaces a file atomically, not a stream");
	return run(&a);
}
