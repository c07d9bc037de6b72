/* coyeu seal: encrypt to recipients (age v1). */
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
#include "seal_doc.h"

#define RECIPIENTS_FILE_MAX (1024 * 1024)

static const char seal_usage[] =
    "usage: coyeu seal [-r RECIPIENT]... [-R FILE]... [-p] [-a] [-o OUT] [IN]\n"
    "\n"
    "Encrypts IN (or standard input) into an age v1 file.\n"
    "\n"
    "  -r, --recipient R        seal to the public key R (repeatable): age1…\n"
    "                           (X25519) or age1pq1… (post-quantum hybrid)\n"
    "  -R, --recipients-file F  seal to every recipient listed in F (repeatable)\n"
    "      --allow-mixed-pq     allow post-quantum and X25519 recipients in one\n"
    "                           file (refused by default, as age does: the file\n"
    "                           is then only as strong as the X25519 ones)\n"
    "  -p, --passphrase         seal with a passphrase (scrypt) instead\n"
    "      --passphrase-file F  read the passphrase from the first line of F\n"
    "  -a, --armor              write PEM-armored text\n"
    "  -o, --output OUT         write to OUT atomically (default: standard output)\n"
    "  -j, --threads N          worker threads (default: all cores)\n"
    "\n"
    "usage: coyeu seal --level L --doc N [-k KEY] [-c CHAIN] [--trust ROOT]\n"
    "                  [--crl F]... --to WHO... [--compartments a,b]\n"
    "                  [--only-named] [--protect-until DATE]\n"
    "                  [--allow-classical] [--classical]\n"
    "                  [--allow-mixed-script] [-a] [-o OUT] [IN]\n"
    "\n"
    "Seals a classified document: signed by KEY, with its level bound in an\n"
    "encrypted label and only the outer mark (A, B, C) visible. Every\n"
    "recipient's chain must verify against ROOT and hold the level and the\n"
    "compartments; so must the sealer's. -k, -c, --trust and --crl left\n"
    "out come from the keyring (docs/keyring.md).\n"
    "\n"
    "      --level L            mat, toi-mat or tuyet-mat\n"
    "      --doc N              the document number (no control, bidirectional\n"
    "                           or invisible character; a word mixing\n"
    "                           scripts only with --allow-mixed-script)\n"
    "  -k, --key KEY            the sealer's key file (default: the keyring's)\n"
    "  -c, --chain CHAIN        the sealer's chain (default: the keyring's)\n"
    "      --trust ROOT         the root certificate you trust (default:\n"
    "                           the keyring's root.cert)\n"
    "      --crl F              a revocation list (repeatable), added to\n"
    "                           every list in the keyring\n"
    "      --no-keyring-crls    use only the lists given with --crl\n"
    "      --to WHO             a recipient (repeatable): a chain file, or\n"
    "                           the serial, name or unit of exactly one\n"
    "                           officer in the keyring; /… and ./… are\n"
    "                           files, and a WHO that is both a file here\n"
    "                           and an officer is refused as ambiguous\n"
    "      --compartments a,b   compartments every recipient must hold\n"
    "      --only-named         handling: only the named recipients may read\n"
    "      --protect-until DATE shorten the protection period (default: 10,\n"
    "                           20, 30 years for MẬT, TỐI MẬT, TUYỆT MẬT)\n"
    "      --copy C             original (default) or N/M sao-y|sao-luc|trich-sao\n"
    "      --allow-classical    TUYỆT MẬT to a recipient without a post-quantum\n"
    "                           key: seal classically (X25519), recorded in the\n"
    "                           label (TUYỆT MẬT is post-quantum by default;\n"
    "                           TỐI MẬT and MẬT are when every recipient can be)\n"
    "      --classical          seal classically even when every recipient has\n"
    "                           a post-quantum key (TUYỆT MẬT: with\n"
    "                           --allow-classical)\n"
    "      --passphrase-file F  the key's passphrase, first line of F\n";

enum {
	OPT_LEVEL = 256, OPT_DOC, OPT_TRUST, OPT_CRL, OPT_TO, OPT_COMPARTMENTS,
	OPT_ONLY_NAMED, OPT_PROTECT_UNTIL, OPT_COPY, OPT_ALLOW_MIXED_PQ,
	OPT_ALLOW_MIXED_SCRIPT,
	OPT_NO_KR_CRLS, OPT_ALLOW_CLASSICAL, OPT_CLASSICAL,
};

struct seal_args {
	cy_recipient **rcpts;
	size_t nrcpts;
	const char **rfiles; /* -R, read once every option is checked */
	size_t nrfiles;
	int passphrase, armor, threads, allow_mixed_pq;
	const char *passfile, *out, *in;
	const char *age_opt, *doc_opt; /* the first option of each mode */
	struct seal_doc_args doc;
};

/* The options that choose a mode: a plain age file or a classified seal. */
static const struct {
	int c;
	const char *name;
	int doc;
} modal[] = {
	{'r', "-r", 0}, {'R', "-R", 0}, {'p', "-p", 0},
	{OPT_ALLOW_MIXED_PQ, "--allow-mixed-pq", 0},
	{OPT_LEVEL, "--level", 1}, {OPT_DOC, "--doc", 1}, {'k', "-k", 1},
	{'c', "-c", 1}, {OPT_TRUST, "--trust", 1}, {OPT_CRL, "--crl", 1},
	{OPT_TO, "--to", 1}, {OPT_COMPARTMENTS, "--compartments", 1},
	{OPT_ONLY_NAMED, "--only-named", 1},
	{OPT_PROTECT_UNTIL, "--protect-until", 1}, {OPT_COPY, "--copy", 1},
	{OPT_ALLOW_CLASSICAL, "--allow-classical", 1},
	{OPT_CLASSICAL, "--classical", 1},
};

/* Notes the mode option c chooses; a usage error when an earlier option
 * chose the other mode. */
static int
note_mode(struct seal_args *a, int c)
{
	const char **mine, *other;
	size_t i;

	for (i = 0; i < sizeof(modal) / sizeof(modal[0]); i++) {
		if (modal[i].c != c)
			continue;
		mine = modal[i].doc ? &a->doc_opt : &a->age_opt;
		other = modal[i].doc ? a->age_opt : a->doc_opt;
		if (other != NULL)
			return cli_conflict("seal", modal[i].name, other,
			    modal[i].doc ? "it belongs to a classified seal "
			    "(--level, --doc, --to); -r, -R and -p make a plain "
			    "age file" : "a classified seal names its recipients "
			    "with --to and is never passphrase-sealed");
		if (*mine == NULL)
			*mine = modal[i].name;
	}
	return CLI_OK;
}

/* The options of a classified seal; 0 when c is not one of them. */
static int
doc_option(struct seal_doc_args *d, int c, const char *arg)
{
	switch (c) {
	case OPT_LEVEL: d->level = arg; return 1;
	case OPT_DOC: d->doc = arg; return 1;
	case 'k': d->key = arg; return 1;
	case 'c': d->chain = arg; return 1;
	case OPT_TRUST: d->trust.root_path = arg; return 1;
	case OPT_CRL:
		return cli_trust_add_crl(&d->trust, "seal", arg) == CLI_OK ? 1 : -1;
	case OPT_TO:
		if (d->nto == CLI_MAX_TO) {
			cli_usage_error("seal", "at most %d --to", CLI_MAX_TO);
			return -1;
		}
		d->to[d->nto++] = arg;
		return 1;
	case OPT_COMPARTMENTS: d->compartments = arg; return 1;
	case OPT_ONLY_NAMED: d->only_named = 1; return 1;
	case OPT_PROTECT_UNTIL: d->protect_until = arg; return 1;
	case OPT_COPY: d->copy = arg; return 1;
	case OPT_ALLOW_MIXED_SCRIPT: d->allow_mixed_script = 1; return 1;
	case OPT_NO_KR_CRLS: d->trust.no_keyring_crls = 1; return 1;
	case OPT_ALLOW_CLASSICAL: d->allow_classical = 1; return 1;
	case OPT_CLASSICAL: d->classical = 1; return 1;
	}
	return 0;
}

static int
add_recipients(struct seal_args *a, cy_recipient **more, size_t n)
{
	cy_recipient **p;

	p = realloc(a->rcpts, (a->nrcpts + n) * sizeof(*p));
	if (p == NULL)
		return CY_E_NOMEM;
	memcpy(p + a->nrcpts, more, n * sizeof(*p));
	a->rcpts = p;
	a->nrcpts += n;
	return 0;
}

/* -r: a syntax error in the key is a usage error. */
static int
add_recipient_string(struct seal_args *a, const char *s)
{
	cy_error err = {0, ""};
	cy_recipient *r;

	if (cy_recipient_parse(s, &r, &err) != 0)
		return cli_option_error("seal", "-r", &err);
	if (add_recipients(a, &r, 1) != 0) {
		cy_recipient_free(r);
		cli_warn("out of memory");
		return CLI_FAIL;
	}
	return CLI_OK;
}

static int
add_recipients_file(struct seal_args *a, const char *path, cy_error *err)
{
	cy_recipient **list = NULL;
	uint8_t *buf = NULL;
	size_t len, n = 0;
	int r;

	if ((r = cy_file_read(path, RECIPIENTS_FILE_MAX, &buf, &len, err)) != 0)
		return r;
	if ((r = cy_recipients_file_parse(buf, len, &list, &n, err)) != 0) {
		cy_error_wrap(err, "%s", path);
		goto out;
	}
	if ((r = add_recipients(a, list, n)) != 0) {
		cy_recipients_free(list, n);
		list = NULL;
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
out:
	free(list);
	free(buf);
	return r;
}

static int
add_passphrase(struct seal_args *a, cy_error *err)
{
	cy_recipient *r = NULL;
	char *pass;
	int rc;

	if ((pass = cy_secret_alloc(CLI_PASSPHRASE_MAX)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	rc = cli_passphrase(a->passfile, "Enter passphrase: ", 1, pass,
	    CLI_PASSPHRASE_MAX, err);
	if (rc == 0)
		rc = cy_recipient_scrypt(pass, strlen(pass),
		    CY_SCRYPT_DEFAULT_LOG_N, &r, err);
	if (rc == 0 && add_recipients(a, &r, 1) != 0) {
		cy_recipient_free(r);
		rc = cy_error_set(err, CY_E_NOMEM, "out of memory");
	}
	cy_secret_free(pass);
	return rc;
}

static int
seal_run(void *ctx, struct cli_io *io, cy_error *err)
{
	const struct seal_args *a = ctx;
	cy_seal_params p;

	memset(&p, 0, sizeof(p));
	p.recipients = a->rcpts;
	p.nrecipients = a->nrcpts;
	p.armor = a->armor;
	p.threads = a->threads;
	p.allow_mixed_pq = a->allow_mixed_pq;
	p.progress = cli_progress_cb;
	p.progress_ctx = &io->progress;
	p.size_hint = io->size;
	return cy_age_seal_fd(io->in_fd, cli_io_out_fd(io), &p, err);
}

/* Every option, checked as it comes: CLI_OK, or the status to exit with
 * (help printed, or a usage error). */
static int
parse_options(struct seal_args *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{"recipient", required_argument, NULL, 'r'},
		{"recipients-file", required_argument, NULL, 'R'},
		{"passphrase", no_argument, NULL, 'p'},
		{"passphrase-file", required_argument, NULL, 'P'},
		{"armor", no_argument, NULL, 'a'},
		{"output", required_argument, NULL, 'o'},
		{"threads", required_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{"level", required_argument, NULL, OPT_LEVEL},
		{"doc", required_argument, NULL, OPT_DOC},
		{"key", required_argument, NULL, 'k'},
		{"chain", required_argument, NULL, 'c'},
		{"trust", required_argument, NULL, OPT_TRUST},
		{"crl", required_argument, NULL, OPT_CRL},
		{"no-keyring-crls", no_argument, NULL, OPT_NO_KR_CRLS},
		{"to", required_argument, NULL, OPT_TO},
		{"compartments", required_argument, NULL, OPT_COMPARTMENTS},
		{"only-named", no_argument, NULL, OPT_ONLY_NAMED},
		{"protect-until", required_argument, NULL, OPT_PROTECT_UNTIL},
		{"copy", required_argument, NULL, OPT_COPY},
		{"allow-mixed-pq", no_argument, NULL, OPT_ALLOW_MIXED_PQ},
		{"allow-classical", no_argument, NULL, OPT_ALLOW_CLASSICAL},
		{"classical", no_argument, NULL, OPT_CLASSICAL},
		{"allow-mixed-script", no_argument, NULL,
		    OPT_ALLOW_MIXED_SCRIPT},
		{NULL, 0, NULL, 0},
	};
	int c, d, rc;

	while ((c = getopt_long(argc, argv, "r:R:pao:j:k:c:h", opts, NULL)) != -1) {
		if ((rc = note_mode(a, c)) != CLI_OK)
			return rc;
		if ((d = doc_option(&a->doc, c, optarg)) != 0) {
			if (d < 0)
				return CLI_USAGE;
			continue;
		}
		switch (c) {
		case 'r':
			if ((rc = add_recipient_string(a, optarg)) != CLI_OK)
				return rc;
			break;
		case 'R': a->rfiles[a->nrfiles++] = optarg; break;
		case 'p': a->passphrase = 1; break;
		case 'P': a->passfile = optarg; break;
		case 'a': a->armor = 1; break;
		case OPT_ALLOW_MIXED_PQ: a->allow_mixed_pq = 1; break;
		case 'o': a->out = optarg; break;
		case 'j':
			if ((a->threads = cli_parse_int(optarg, 1, 64)) < 0)
				return cli_usage_error("seal",
				    "-j takes a number of threads from 1 to 64");
			break;
		case 'h': fputs(seal_usage, stdout); return -1;
		default: return cli_usage_error("seal", "invalid option");
		}
	}
	if (argc - optind > 1)
		return cli_usage_error("seal", "too many arguments");
	a->in = optind < argc ? argv[optind] : NULL;
	return cli_check_path("seal", "-o", a->out);
}

/* The plain age file: what -p, -r and -R allow together. */
static int
check_plain(struct seal_args *a)
{
	const char *pass = a->passphrase ? "-p" : "--passphrase-file";
	const char *keys = a->nrcpts > 0 ? "-r" : "-R";

	if (a->passfile != NULL)
		a->passphrase = 1;
	if (a->passphrase && (a->nrcpts > 0 || a->nrfiles > 0))
		return cli_conflict("seal", pass, keys, "age requires a "
		    "passphrase to stand alone");
	if (a->passphrase && a->allow_mixed_pq)
		return cli_conflict("seal", "--allow-mixed-pq", pass, "it is "
		    "about post-quantum and X25519 recipients");
	if (!a->passphrase && a->nrcpts == 0 && a->nrfiles == 0)
		return cli_usage_error("seal", "no recipients: give -r, -R or -p "
		    "(or --level, --doc and --to for a classified document)");
	return CLI_OK;
}

static int
seal_plain(struct seal_args *a)
{
	cy_error err = {0, ""};
	size_t i;

	for (i = 0; i < a->nrfiles; i++)
		if (add_recipients_file(a, a->rfiles[i], &err) != 0)
			return cli_fail(&err, NULL);
	if (a->passphrase && add_passphrase(a, &err) != 0)
		return cli_fail(&err, a->in);
	return cli_io_run(a->in, a->out, a->armor ? CLI_IO_TEXT : 0, "sealing",
	    seal_run, a);
}

int
cmd_seal(int argc, char **argv)
{
	struct seal_args a;
	int rc;

	memset(&a, 0, sizeof(a));
	if ((a.rfiles = calloc((size_t)argc, sizeof(*a.rfiles))) == NULL) {
		cli_warn("out of memory");
		return CLI_FAIL;
	}
	if ((rc = parse_options(&a, argc, argv)) != CLI_OK) {
		rc = rc < 0 ? CLI_OK : rc;
	} else if (a.doc_opt != NULL) {
		a.doc.pass_file = a.passfile;
		a.doc.armor = a.armor;
		a.doc.threads = a.threads;
		a.doc.in = a.in;
		a.doc.out = a.out;
		rc = seal_doc_run(&a.doc);
	} else if ((rc = check_plain(&a)) == CLI_OK) {
		rc = seal_plain(&a);
	}
	cy_recipients_free(a.rcpts, a.nrcpts);
	free(a.rfiles);
	return rc;
}
