/* coyeu open: decrypt an age file. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "coyeu/age.h"
#include "coyeu/file.h"
#include "coyeu/secret.h"
#include "io.h"
#include "keyring.h"
#include "open_doc.h"

#define IDENTITY_FILE_MAX (1024 * 1024)

static const char open_usage[] =
    "usage: coyeu open [-i FILE]... [--no-verify] [-o OUT] [IN]\n"
    "\n"
    "Decrypts the age file IN (or standard input); ASCII armor is detected.\n"
    "Without -i, asks for the passphrase of a passphrase-sealed file.\n"
    "A classified document (one with a coyeu.v1/label stanza) is refused:\n"
    "open it with -k, which verifies it.\n"
    "\n"
    "  -i, --identity FILE      identity file (age-keygen format, repeatable):\n"
    "                           AGE-SECRET-KEY-1… (X25519) and\n"
    "                           AGE-SECRET-KEY-PQ-1… (post-quantum) lines\n"
    "      --passphrase-file F  read the passphrase from the first line of F\n"
    "  -o, --output OUT         write to OUT, which appears only if the whole\n"
    "                           file verifies (default: standard output, streamed)\n"
    "  -j, --threads N          worker threads (default: all cores)\n"
    "      --no-verify          open a classified document as plain age,\n"
    "                           with a warning: its label, sealer and\n"
    "                           content are then NOT verified\n"
    "\n"
    "usage: coyeu open [-k KEY] [-c CHAIN] [--trust ROOT] [--crl F]...\n"
    "                  [-o OUT] [IN | DOC-ID]\n"
    "\n"
    "Opens with an officer's key. A classified document is verified in full\n"
    "first: header MAC, the sealer's signature and certificate chain (at the\n"
    "time it was sealed, against ROOT and the revocation lists), the\n"
    "recipients' stanzas and the content digest. Its label is printed on\n"
    "standard error. Files without a label open as plain age files.\n"
    "Without -k and -i, the keyring's key is used (unless IN is a file\n"
    "sealed with a passphrase), with its root and lists (docs/keyring.md).\n"
    "\n"
    "A document sent through a registry (coyeu send: release stanzas)\n"
    "opens only with the registry's release: coyeu open signs a release\n"
    "entry, the registry records it and answers the copy's secret; the\n"
    "receipt (against the verifier key the keyring pins), the document's\n"
    "doc.register entry and the decrypted label are checked before any\n"
    "plaintext is written.  IN may then be the document's id (32 hex\n"
    "digits): the caller's copy is fetched from the registry first.  The\n"
    "registry is --registry URL (before the command), else the keyring's.\n"
    "\n"
    "  -k, --key KEY            the officer's key file (coyeu id new)\n"
    "  -c, --chain CHAIN        the officer's own certificate chain: it must\n"
    "                           verify now, hold the document's level and\n"
    "                           compartments, certify KEY and be a named\n"
    "                           recipient (default: the keyring's chain,\n"
    "                           when it certifies KEY; else not checked)\n"
    "      --trust ROOT         the root certificate you trust (default:\n"
    "                           the keyring's root.cert)\n"
    "      --crl F              a revocation list (repeatable), added to\n"
    "                           every list in the keyring\n"
    "      --no-keyring-crls    use only the lists given with --crl\n";

enum { OPT_TRUST = 256, OPT_CRL, OPT_NO_VERIFY, OPT_NO_KR_CRLS };

#define UNVERIFIED_WARNING "warning: classified document opened as plain " \
    "age: label, sealer and content NOT verified; use -k"

struct open_args {
	cy_identity **ids;
	size_t nids;
	const char **idfiles; /* -i, read once every option is checked */
	size_t nidfiles;
	int threads, no_verify, saw_label;
	const char *passfile, *out, *in;
};

static int
add_identities(struct open_args *a, cy_identity **more, size_t n)
{
	cy_identity **p;

	p = realloc(a->ids, (a->nids + n) * sizeof(*p));
	if (p == NULL)
		return CY_E_NOMEM;
	memcpy(p + a->nids, more, n * sizeof(*p));
	a->ids = p;
	a->nids += n;
	return 0;
}

static int
add_identity_file(struct open_args *a, const char *path, cy_error *err)
{
	cy_identity **list = NULL;
	uint8_t *buf = NULL;
	size_t len = 0, n = 0;
	int r;

	if ((r = cli_read_secret(path, IDENTITY_FILE_MAX, &buf, &len, err)) != 0)
		return r;
	if ((r = cy_identity_file_parse(buf, len, &list, &n, err)) != 0) {
		cy_error_wrap(err, "identity file %s", path);
		goto out;
	}
	if (add_identities(a, list, n) != 0) {
		cy_identities_free(list, n);
		list = NULL;
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
	}
out:
	free(list);
	cy_wipe(buf, len);
	free(buf);
	return r;
}

static int
add_passphrase(struct open_args *a, cy_error *err)
{
	cy_identity *id = NULL;
	char *pass;
	int r;

	if ((pass = cy_secret_alloc(CLI_PASSPHRASE_MAX)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	r = cli_passphrase(a->passfile, "Enter passphrase: ", 0, pass,
	    CLI_PASSPHRASE_MAX, err);
	if (r == 0)
		r = cy_identity_scrypt(pass, strlen(pass), CY_SCRYPT_MAX_LOG_N,
		    &id, err);
	if (r == 0 && add_identities(a, &id, 1) != 0) {
		cy_identity_free(id);
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
	}
	cy_secret_free(pass);
	return r;
}

static int
open_run(void *ctx, struct cli_io *io, cy_error *err)
{
	struct open_args *a = ctx;
	cy_open_params p;

	memset(&p, 0, sizeof(p));
	p.identities = a->ids;
	p.nidentities = a->nids;
	p.threads = a->threads;
	p.progress = cli_progress_cb;
	p.progress_ctx = &io->progress;
	p.size_hint = io->size;
	p.unverified_label = a->no_verify;
	p.saw_label = &a->saw_label;
	return cy_age_open_fd(io->in_fd, cli_io_out_fd(io), &p, err);
}

/* Every option, checked before anything is read: CLI_OK, or the status to
 * exit with (help printed: -1, or a usage error). */
static int
parse_options(struct open_args *a, struct open_doc_args *doc, int argc,
    char **argv)
{
	static const struct option opts[] = {
		{"identity", required_argument, NULL, 'i'},
		{"passphrase-file", required_argument, NULL, 'P'},
		{"output", required_argument, NULL, 'o'},
		{"threads", required_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{"key", required_argument, NULL, 'k'},
		{"trust", required_argument, NULL, OPT_TRUST},
		{"crl", required_argument, NULL, OPT_CRL},
		{"chain", required_argument, NULL, 'c'},
		{"no-verify", no_argument, NULL, OPT_NO_VERIFY},
		{"no-keyring-crls", no_argument, NULL, OPT_NO_KR_CRLS},
		{NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "i:o:j:k:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': doc->key = optarg; break;
		case 'c': doc->chain = optarg; break;
		case OPT_NO_VERIFY: a->no_verify = 1; break;
		case OPT_NO_KR_CRLS: doc->trust.no_keyring_crls = 1; break;
		case OPT_TRUST: doc->trust.root_path = optarg; break;
		case OPT_CRL:
			if (cli_trust_add_crl(&doc->trust, "open", optarg) != CLI_OK)
				return CLI_USAGE;
			break;
		case 'i': a->idfiles[a->nidfiles++] = optarg; break;
		case 'P': a->passfile = optarg; break;
		case 'o': a->out = optarg; break;
		case 'j':
			if ((a->threads = cli_parse_int(optarg, 1, 64)) < 0)
				return cli_usage_error("open",
				    "-j takes a number of threads from 1 to 64");
			break;
		case 'h': fputs(open_usage, stdout); return -1;
		default: return cli_usage_error("open", "invalid option");
		}
	}
	if (argc - optind > 1)
		return cli_usage_error("open", "too many arguments");
	a->in = optind < argc ? argv[optind] : NULL;
	if (a->nidfiles > 0 && doc->key != NULL)
		return cli_conflict("open", "-k", "-i", "an officer's key or age "
		    "identities, not both");
	if (a->nidfiles > 0 && (doc->trust.root_path != NULL ||
	    doc->trust.ncrl_paths > 0 || doc->chain != NULL))
		return cli_conflict("open", doc->trust.root_path != NULL ?
		    "--trust" : doc->chain != NULL ? "-c" : "--crl", "-i",
		    "an age identity opens no classified document; they go "
		    "with -k KEY");
	if (a->no_verify && doc->key != NULL)
		return cli_usage_error("open", "--no-verify goes with -i: "
		    "-k always verifies");
	return cli_check_path("open", "-o", a->out);
}

/* The plain age file, with identities and/or a passphrase. */
static int
open_plain(struct open_args *a, const struct open_doc_args *doc)
{
	cy_error err = {0, ""};
	size_t i;
	int rc;

	if (doc->trust.root_path != NULL || doc->trust.ncrl_paths > 0 ||
	    doc->chain != NULL)
		return cli_usage_error("open", "-c, --trust and --crl go with -k KEY");
	for (i = 0; i < a->nidfiles; i++)
		if (add_identity_file(a, a->idfiles[i], &err) != 0)
			return cli_fail(&err, NULL);
	if ((a->nids == 0 || a->passfile != NULL) && add_passphrase(a, &err) != 0)
		return cli_fail(&err, a->in);
	rc = cli_io_run(a->in, a->out, CLI_IO_TEXT | CLI_IO_PRIVATE, "opening",
	    open_run, a);
	if (a->saw_label && a->no_verify && rc == CLI_OK)
		cli_warn(UNVERIFIED_WARNING);
	else if (a->saw_label && !a->no_verify)
		cli_warn("open it with -k KEY, which verifies it (or give "
		    "--no-verify to read it unverified)");
	return rc;
}

int
cmd_open(int argc, char **argv)
{
	struct open_doc_args doc;
	struct open_args a;
	int rc;

	memset(&a, 0, sizeof(a));
	memset(&doc, 0, sizeof(doc));
	if ((a.idfiles = calloc((size_t)argc, sizeof(*a.idfiles))) == NULL) {
		cli_warn("out of memory");
		return CLI_FAIL;
	}
	if ((rc = parse_options(&a, &doc, argc, argv)) != CLI_OK) {
		rc = rc < 0 ? CLI_OK : rc;
		goto done;
	}
	if (doc.key == NULL && a.nidfiles == 0 &&
	    (rc = cli_keyring_open_key(a.in, &doc.key)) != CLI_OK)
		goto done;
	if (doc.key != NULL) {
		doc.pass_file = a.passfile;
		doc.in = a.in;
		doc.out = a.out;
		doc.threads = a.threads;
		rc = open_doc_run(&doc);
	} else {
		rc = open_plain(&a, &doc);
	}
done:
	cy_identities_free(a.ids, a.nids);
	free(a.idfiles);
	return rc;
}
