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
    "usage: coyeu open [-i FILE]... [-o OUT] [IN]\n"
    "\n"
    "Decrypts the age file IN (or standard input); ASCII armor is detected.\n"
    "Without -i, asks for the passphrase of a passphrase-sealed file.\n"
    "\n"
    "  -i, --identity FILE      identity file (age-keygen format, repeatable):\n"
    "                           AGE-SECRET-KEY-1… (X25519) and\n"
    "                           AGE-SECRET-KEY-PQ-1… (post-quantum) lines\n"
    "      --passphrase-file F  read the passphrase from the first line of F\n"
    "  -o, --output OUT         write to OUT, which appears only if the whole\n"
    "                           file verifies (default: standard output, streamed)\n"
    "  -j, --threads N          worker threads (default: all cores)\n"
    "\n"
    "usage: coyeu open [-k KEY] [--trust ROOT] [--crl F]... [-o OUT] [IN]\n"
    "\n"
    "Opens with an officer's key. A classified document is verified in full\n"
    "first: header MAC, the sealer's signature and certificate chain (at the\n"
    "time it was sealed, against ROOT and the revocation lists), the\n"
    "recipients' stanzas and the content digest. Its label is printed on\n"
    "standard error. Files without a label open as plain age files.\n"
    "Without -k and -i, the keyring's key is used (unless IN is a file\n"
    "sealed with a passphrase), with its root and lists (docs/keyring.md).\n"
    "\n"
    "  -k, --key KEY            the officer's key file (coyeu id new)\n"
    "      --trust ROOT         the root certificate you trust (default:\n"
    "                           the keyring's root.cert)\n"
    "      --crl F              a revocation list (repeatable; default:\n"
    "                           every list in the keyring)\n";

enum { OPT_TRUST = 256, OPT_CRL };

struct open_args {
	cy_identity **ids;
	size_t nids;
	int threads;
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
	const struct open_args *a = ctx;
	cy_open_params p;

	memset(&p, 0, sizeof(p));
	p.identities = a->ids;
	p.nidentities = a->nids;
	p.threads = a->threads;
	p.progress = cli_progress_cb;
	p.progress_ctx = &io->progress;
	p.size_hint = io->size;
	return cy_age_open_fd(io->in_fd, cli_io_out_fd(io), &p, err);
}

int
cmd_open(int argc, char **argv)
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
		{NULL, 0, NULL, 0},
	};
	struct open_doc_args doc;
	struct open_args a;
	cy_error err = {0, ""};
	int c, rc = CLI_FAIL;

	memset(&a, 0, sizeof(a));
	memset(&doc, 0, sizeof(doc));
	while ((c = getopt_long(argc, argv, "i:o:j:k:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': doc.key = optarg; break;
		case OPT_TRUST: doc.trust.root_path = optarg; break;
		case OPT_CRL:
			if (cli_trust_add_crl(&doc.trust, "open", optarg) != CLI_OK) {
				rc = CLI_USAGE;
				goto done;
			}
			break;
		case 'i':
			if (add_identity_file(&a, optarg, &err) != 0)
				goto out;
			break;
		case 'P': a.passfile = optarg; break;
		case 'o': a.out = optarg; break;
		case 'j':
			if ((a.threads = cli_parse_int(optarg, 1, 64)) < 0) {
				rc = cli_usage_error("open",
				    "-j takes a number of threads from 1 to 64");
				goto done;
			}
			break;
		case 'h': fputs(open_usage, stdout); rc = CLI_OK; goto done;
		default: rc = cli_usage_error("open", "invalid option"); goto done;
		}
	}
	if (argc - optind > 1) {
		rc = cli_usage_error("open", "too many arguments");
		goto done;
	}
	a.in = optind < argc ? argv[optind] : NULL;
	if (doc.key == NULL && a.nids == 0 &&
	    cli_keyring_open_key(a.in, &doc.key) != CLI_OK)
		goto done;
	if (doc.key != NULL) {
		if (a.nids > 0) {
			rc = cli_usage_error("open", "-k and -i cannot be combined");
			goto done;
		}
		doc.pass_file = a.passfile;
		doc.in = a.in;
		doc.out = a.out;
		doc.threads = a.threads;
		rc = open_doc_run(&doc);
		goto done;
	}
	if (doc.trust.root_path != NULL || doc.trust.ncrl_paths > 0) {
		rc = cli_usage_error("open", "--trust and --crl go with -k KEY");
		goto done;
	}
	if ((a.nids == 0 || a.passfile != NULL) && add_passphrase(&a, &err) != 0)
		goto out;
	rc = cli_io_run(a.in, a.out, CLI_IO_TEXT | CLI_IO_PRIVATE, "opening",
	    open_run, &a);
	goto done;
out:
	cli_fail(&err, a.in);
done:
	cy_identities_free(a.ids, a.nids);
	return rc;
}
