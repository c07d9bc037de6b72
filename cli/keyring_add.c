/* coyeu keyring add: chains and revocation lists into the keyring, each
 * verified against the pinned root first. */
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "common/timefmt.h"
#include "coyeu/age.h"
#include "coyeu/file.h"
#include "coyeu/idkey.h"
#include "keyring.h"
#include "pki.h"
#include "trust.h"

#define SNIFF_LEN 64

static const char usage[] =
    "usage: coyeu keyring add [--passphrase-file F] [--force] FILE...\n"
    "\n"
    "Adds certificate chains and revocation lists to the keyring, each\n"
    "checked first: a chain must verify against the pinned root and the\n"
    "lists the keyring holds, a list must carry the signature of an\n"
    "authority the keyring knows.  A chain for the keyring's own key\n"
    "becomes its chain; other chains go to certs/, named by serial; lists\n"
    "go to crl/, the newest of each authority kept.  A newer list must\n"
    "revoke every serial the one it replaces revokes (revocation is\n"
    "permanent), and may run at most %llu sequence numbers ahead of it.\n"
    "Chains are taken before lists, whatever the order given.  Anything\n"
    "else is refused.\n"
    "\n"
    "      --passphrase-file F  the key's passphrase, needed once to learn\n"
    "                           the public key of a key put in by hand\n"
    "      --force              take a list whose sequence runs further\n"
    "                           ahead (after checking with its authority)\n";

enum kind { KIND_OTHER, KIND_CHAIN, KIND_CRL };

static const struct {
	const char *start;
	enum kind kind;
	const char *refusal;
} kinds[] = {
	{"version: " CY_CERT_VERSION "\n", KIND_CHAIN, NULL},
	{"version: " CY_CRL_VERSION "\n", KIND_CRL, NULL},
	{"version: coyeu.v1/request\n", KIND_OTHER, "a certificate request: "
	    "an authority turns it into a chain ('coyeu cert issue'); add "
	    "that chain"},
	{"version: coyeu.v1/idkey\n", KIND_OTHER, "a secret key file: add "
	    "never takes keys ('coyeu id new' makes the keyring's key)"},
	{"age-encryption.org/", KIND_OTHER, "an age file (a sealed document "
	    "or a protected key), not a chain or a revocation list"},
	{"-----BEGIN AGE ENCRYPTED FILE-----", KIND_OTHER, "an age file (a "
	    "sealed document or a protected key), not a chain or a "
	    "revocation list"},
	{"AGE-SECRET-KEY-", KIND_OTHER, "an age identity (a secret key): "
	    "add never takes keys"},
	{"# created: ", KIND_OTHER, "an age identity file (a secret key): "
	    "add never takes keys"},
};

struct add {
	struct cli_trust trust;
	const char *pass_file;
	int force; /* --force: a list may jump its sequence */
	int64_t now;
};

/* What a file is, by its first bytes only (a key's secret is never read
 * further, let alone printed); KIND_OTHER after printing why not. */
static enum kind
sniff(const char *path)
{
	char head[SNIFF_LEN + 1];
	ssize_t n;
	size_t i;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		cli_warn("keyring add %s: %m", path);
		return KIND_OTHER;
	}
	n = cy_read_full(fd, head, SNIFF_LEN);
	close(fd);
	head[n > 0 ? n : 0] = '\0';
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strncmp(head, kinds[i].start, strlen(kinds[i].start)) != 0)
			continue;
		if (kinds[i].refusal != NULL)
			cli_warn("keyring add %s: refused: %s", path,
			    kinds[i].refusal);
		return kinds[i].kind;
	}
	cli_warn("keyring add %s: refused: neither a certificate chain nor a "
	    "revocation list (those start 'version: %s' or 'version: %s')",
	    path, CY_CERT_VERSION, CY_CRL_VERSION);
	return KIND_OTHER;
}

/* A key put in the keyring by hand has no key.pub yet: open it once (its
 * passphrase asked) to learn its sealing key. */
static int
learn_own_key(const char *pass_file)
{
	const char *key, *pub;
	char recipient[CY_RECIPIENT_STR_MAX];
	cy_identity *id = NULL;
	cy_idkey *k = NULL;
	cy_error err = {0, ""};
	int rc = CLI_FAIL;

	if (cli_keyring_item(CLI_KR_KEY, &key) != CLI_OK ||
	    cli_keyring_item(CLI_KR_PUB, &pub) != CLI_OK)
		return CLI_FAIL;
	if (key == NULL || pub != NULL)
		return CLI_OK;
	if (cli_idkey_load(key, pass_file, &k) != CLI_OK)
		return CLI_FAIL;
	if (cy_identity_from_key(k, &id, &err) != 0 ||
	    cy_identity_recipient_string(id, recipient, &err) != 0)
		cli_fail(&err, key);
	else
		rc = cli_keyring_write_pub(recipient);
	cy_identity_free(id);
	cy_idkey_free(k);
	return rc;
}

/* Writes data to target unless it holds those bytes already; says which. */
static int
store(const char *target, const void *data, size_t len, const char *from,
    const char *as)
{
	cy_error err = {0, ""};
	uint8_t *old = NULL;
	size_t oldlen = 0;
	int same;

	same = cy_file_read(target, len + 1, &old, &oldlen, &err) == 0 &&
	    oldlen == len && memcmp(old, data, len) == 0;
	free(old);
	if (same) {
		printf("%s: already in the keyring as %s\n", from, as);
		return CLI_OK;
	}
	if (cy_file_write(target, data, len, 0644, 0, &err) != 0)
		return cli_fail(&err, target);
	printf("%s: added as %s\n", from, as);
	return CLI_OK;
}

static int
add_chain(struct add *a, const char *path)
{
	const cy_trust *t = &a->trust.trust;
	char target[PATH_MAX], line[1024], what[PATH_MAX + 32];
	const uint8_t *rb;
	const cy_cert *leaf;
	cy_chain *chain = NULL;
	cy_error err = {0, ""};
	uint8_t *data = NULL;
	size_t len, rlen;
	int rc = CLI_FAIL;

	if (cli_load_chain_data(path, &chain, &data, &len) != CLI_OK)
		return CLI_FAIL;
	leaf = cy_chain_get(chain, 0);
	rb = cy_cert_bytes(t->root, &rlen);
	if (cy_chain_len(chain) == 1 && cy_cert_is_self_signed(leaf)) {
		if (len == rlen && memcmp(data, rb, len) == 0) {
			printf("%s: the pinned root itself; nothing to add\n", path);
			rc = CLI_OK;
		} else {
			cli_warn("keyring add %s: refused: a root certificate, not "
			    "the pinned one; 'coyeu keyring init --trust %s "
			    "--force' would pin it instead", path, path);
		}
		goto out;
	}
	if (cy_chain_verify(chain, t->root, t->crls, t->ncrls, a->now, NULL,
	    &err) != 0) {
		snprintf(what, sizeof(what), "keyring add %s: refused", path);
		cli_fail(&err, what);
		goto out;
	}
	cli_keyring_describe(leaf, line, sizeof(line));
	if (cli_keyring_is_own(leaf)) {
		snprintf(target, sizeof(target), "%s",
		    cli_keyring_path(CLI_KR_CHAIN));
		snprintf(what, sizeof(what), "your chain (%s)", line);
	} else {
		snprintf(target, sizeof(target), "%s/%s%s",
		    cli_keyring_path(CLI_KR_CERTS), cy_cert_serial(leaf),
		    CLI_KR_CHAIN_SUFFIX);
		snprintf(what, sizeof(what), "a known officer (%s)", line);
	}
	rc = store(target, data, len, path, what);
out:
	free(data);
	cy_chain_free(chain);
	return rc;
}

/* The authority with this serial: the root, or a copy (*found, to free)
 * from a keyring chain that verifies. */
static int
find_issuer(struct add *a, const char *serial, const cy_cert **issuer,
    cy_cert **found, cy_error *err)
{
	struct cli_kr_chain *c;
	size_t i, j, n;
	int rc = CY_E_NOT_FOUND;

	*found = NULL;
	*issuer = a->trust.root;
	if (strcmp(cy_cert_serial(a->trust.root), serial) == 0)
		return 0;
	if (cli_keyring_chains(1, &c, &n) != CLI_OK)
		return CY_E_IO;
	for (i = 0; i < n && rc != 0; i++)
		for (j = 0; j < cy_chain_len(c[i].chain); j++) {
			if (strcmp(cy_cert_serial(cy_chain_get(c[i].chain, j)),
			    serial) != 0)
				continue;
			if ((rc = cy_chain_verify(c[i].chain, a->trust.root, NULL,
			    0, a->now, NULL, err)) == 0)
				rc = cy_cert_dup(cy_chain_get(c[i].chain, j), found,
				    err);
			break;
		}
	cli_keyring_chains_free(c, n);
	*issuer = *found;
	if (rc == CY_E_NOT_FOUND)
		cy_error_set(err, rc, "its authority (serial %s) is in no chain "
		    "the keyring holds: add a chain it issued first", serial);
	return rc;
}

/* CLI_OK to store the list: the keyring holds none of its authority, or
 * the list succeeds the one it holds (cy_crl_check_successor: every serial
 * kept, and a jump in sequence only with --force). */
static int
compare_held(const struct add *a, const char *path, const char *held,
    const cy_crl *crl)
{
	cy_error err = {0, ""};
	cy_crl *old = NULL;
	uint64_t seq = cy_crl_sequence(crl);
	int rc = CLI_OK;

	if (access(held, F_OK) != 0)
		return CLI_OK;
	if (cli_load_crl(held, &old) != CLI_OK)
		return CLI_OK; /* a damaged list gives way to a good one */
	if (cy_crl_sequence(old) > seq) {
		cli_warn("keyring add %s: refused: older (sequence %llu) than "
		    "the list the keyring holds (sequence %llu), which stays",
		    path, (unsigned long long)seq,
		    (unsigned long long)cy_crl_sequence(old));
		rc = CLI_FAIL;
	} else if (cy_crl_check_successor(old, crl, a->force ? UINT64_MAX :
	    CY_CRL_SEQUENCE_JUMP_MAX, &err) != 0) {
		cli_warn("keyring add %s: refused: %s%s", path, err.msg,
		    err.code == CY_E_TOO_LARGE ? "; if the authority really "
		    "published it, add it with --force" : "");
		rc = CLI_FAIL;
	}
	cy_crl_free(old);
	return rc;
}

static int
add_crl(struct add *a, const char *path)
{
	const cy_cert *issuer = NULL;
	cy_cert *found = NULL;
	char target[PATH_MAX], what[PATH_MAX + 32];
	const uint8_t *bytes;
	cy_crl *crl = NULL;
	cy_error err = {0, ""};
	size_t len;
	int rc = CLI_FAIL;

	if (cli_load_crl(path, &crl) != CLI_OK)
		return CLI_FAIL;
	if (find_issuer(a, cy_crl_issuer(crl), &issuer, &found, &err) != 0 ||
	    cy_crl_check_signature(crl, issuer, &err) != 0) {
		snprintf(what, sizeof(what), "keyring add %s: refused", path);
		cli_fail(&err, what);
		goto out;
	}
	snprintf(target, sizeof(target), "%s/%s%s",
	    cli_keyring_path(CLI_KR_CRLS), cy_crl_issuer(crl),
	    CLI_KR_CRL_SUFFIX);
	if ((rc = compare_held(a, path, target, crl)) != CLI_OK)
		goto out;
	snprintf(what, sizeof(what), "the revocation list of %s (sequence "
	    "%llu, %zu revoked)", cy_cert_name(issuer),
	    (unsigned long long)cy_crl_sequence(crl), cy_crl_count(crl));
	bytes = cy_crl_bytes(crl, &len);
	rc = store(target, bytes, len, path, what);
out:
	cy_cert_free(found);
	cy_crl_free(crl);
	return rc;
}

/* Opens the keyring with its root and lists; refused before init. */
static int
add_open(struct add *a)
{
	const char *root;

	if (cli_keyring_item(CLI_KR_ROOT, &root) != CLI_OK)
		return CLI_FAIL;
	if (root == NULL) {
		cli_warn("the keyring pins no root yet (%s): run 'coyeu keyring "
		    "init --trust ROOT.cert' first",
		    cli_keyring_path(CLI_KR_ROOT) ? cli_keyring_path(CLI_KR_ROOT) :
		    "no keyring: set COYEU_HOME or HOME");
		return CLI_FAIL;
	}
	a->trust.root_path = root;
	if (cli_keyring_create() != CLI_OK || /* crl/ and certs/ */
	    cli_trust_defaults(&a->trust, "keyring add", 1) != CLI_OK ||
	    cli_trust_load(&a->trust) != CLI_OK)
		return CLI_FAIL;
	a->now = cmn_now();
	return CLI_OK;
}

int
cmd_keyring_add(int argc, char **argv)
{
	static const struct option opts[] = {
		{"passphrase-file", required_argument, NULL, 'P'},
		{"force", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	enum kind *kind = NULL;
	struct add a;
	int c, i, n, pass, failed = 0, chains = 0;

	memset(&a, 0, sizeof(a));
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'P': a.pass_file = optarg; break;
		case 'f': a.force = 1; break;
		case 'h':
			printf(usage, (unsigned long long)CY_CRL_SEQUENCE_JUMP_MAX);
			return CLI_OK;
		default: return cli_usage_error("keyring add", "invalid option");
		}
	}
	if ((n = argc - optind) == 0)
		return cli_usage_error("keyring add", "give the FILEs to add");
	if (add_open(&a) != CLI_OK)
		goto out;
	if ((kind = calloc((size_t)n, sizeof(*kind))) == NULL) {
		cli_warn("out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		failed |= (kind[i] = sniff(argv[optind + i])) == KIND_OTHER;
		chains |= kind[i] == KIND_CHAIN;
	}
	if (chains && learn_own_key(a.pass_file) != CLI_OK) {
		free(kind);
		goto out;
	}
	/* Chains first: a list is checked against the authorities they hold. */
	for (pass = KIND_CHAIN; pass <= KIND_CRL; pass++)
		for (i = 0; i < n; i++)
			if (kind[i] == (enum kind)pass)
				failed |= (pass == KIND_CHAIN ?
				    add_chain(&a, argv[optind + i]) :
				    add_crl(&a, argv[optind + i])) != CLI_OK;
	free(kind);
	cli_trust_free(&a.trust);
	return failed ? CLI_FAIL : CLI_OK;
out:
	cli_trust_free(&a.trust);
	return CLI_FAIL;
}
