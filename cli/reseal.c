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
#include "common/timefmt.h"
#include "coyeu/document.h"
#include "coyeu/encoding.h"
#include "coyeu/file.h"
#include "coyeu/level.h"
#include "exchange.h"
#include "keyring.h"
#include "open_release.h"
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
    "      --passphrase-file F  the key's passphrase, first line of F\n"
    "      --registry URL       a registry-held file's registry (default: the\n"
    "                           keyring's)\n"
    "      --cacert FILE        CA certificates TLS trusts\n"
    "\n"
    "A registry-held file (release stanzas) is resealed through its registry:\n"
    "your copy is released to you (recorded), the new file and each copy's\n"
    "new R (sealed to the registry) replace the old ones there, whose R are\n"
    "deleted (doc.reseal in the register); then OUT is written.\n";

enum { OPT_TRUST = 256, OPT_CRL, OPT_NO_KR_CRLS, OPT_REGISTRY, OPT_CACERT };

struct reseal_args {
	const char *key, *chain, *pass_file, *in, *out, *registry, *cacert;
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
	/* Registry-held: the session signing as the officer, the identity
	 * under the released R (over id), the document. */
	struct cli_xc x;
	int mediated;
	cy_identity *released;
	char doc_id[CY_RELEASE_ID_SIZE];
	cy_buf file;             /* the resealed file, for the upload */
};

static void
state_free(struct reseal_state *s)
{
	size_t i;

	cy_doc_resealing_free(s->rs);
	cy_identity_free(s->released);
	cy_identity_free(s->id);
	if (s->mediated) {  /* key and chain are the session's */
		cli_xc_close(&s->x);
	} else {
		cy_idkey_free(s->key);
		cy_chain_free(s->chain);
	}
	cy_buf_free(&s->file);
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

	if (s->released == NULL && cy_identity_from_key(s->key, &s->id,
	    &err) != 0)
		return cli_fail(&err, a->key);
	if ((fd = open(a->in, O_RDONLY | O_CLOEXEC)) < 0) {
		cli_warn("%s: cannot open: %m", a->in);
		return CLI_FAIL;
	}
	memset(&p, 0, sizeof(p));
	p.identities = s->released != NULL ? &s->released : &s->id;
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

	fprintf(stderr, "coyeu: resealed %s document %s post-quantum (%s) "
	    "into %s; payload unchanged\n",
	    cy_level_display(cy_label_level(l)), cy_label_document(l),
	    s->mediated ? "coyeu.v1/release-pq" : "mlkem768x25519",
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

/* --- registry-held files --- */

/* Whether FILE's stanzas are release stanzas; then the session, and the
 * release of the caller's copy (recorded, verified), whose identity
 * opens its stanza.  Otherwise the key and chain alone. */
static int
open_parties(struct reseal_args *a, struct reseal_state *s)
{
	struct cli_xc_opts xo = {a->registry, a->cacert, a->key, a->chain,
	    a->pass_file};
	struct open_release o;
	cy_identity *x = NULL;
	int fd, m;

	if ((fd = open(a->in, O_RDONLY | O_CLOEXEC)) < 0) {
		cli_warn("%s: cannot open: %m", a->in);
		return CLI_FAIL;
	}
	if ((m = open_release_mediated(fd, s->doc_id)) <= 0) {
		close(fd);
		if (m < 0)
			return CLI_FAIL;
		if (cli_idkey_load(a->key, a->pass_file, &s->key) != CLI_OK ||
		    cli_load_chain(a->chain, &s->chain) != CLI_OK)
			return CLI_FAIL;
		return CLI_OK;
	}
	s->mediated = 1;
	if (cli_xc_open("reseal", &xo, &s->x) != CLI_OK) {
		close(fd);
		return CLI_FAIL;
	}
	s->key = s->x.key;
	s->chain = s->x.chain;
	memset(&o, 0, sizeof(o));
	o.cmd = "reseal";
	o.key = s->key;
	o.chain = s->chain;
	o.trust = &a->trust.trust;
	o.registry = a->registry;
	o.cacert = a->cacert;
	m = open_release_identity(fd, &o, &x, &s->released);
	close(fd);
	/* The release identity borrows x: kept as s->id, freed after it. */
	s->id = x;
	return m;
}

/* SHA-256 (hex) of a file, by the registry's own check of it with its
 * label (and, resealed, its record), which hashes every byte. */
static int
file_sha(const struct reseal_args *a, const cy_source *src,
    const cy_doc_resealing *rs, int resealed, char out[65])
{
	const cy_doc_reseal *rec = cy_doc_resealing_record(rs);
	const uint8_t *label, *text;
	size_t llen, tlen;
	cy_doc_upload *u = NULL;
	cy_error err = {0, ""};
	int r;

	label = cy_label_bytes(cy_doc_resealing_label(rs), &llen);
	text = cy_doc_reseal_bytes(rec, &tlen);
	r = resealed ? cy_doc_reseal_upload_check(src, UINT64_MAX, label, llen,
	    text, tlen, &a->trust.trust, 0, &u, &err) :
	    cy_doc_upload_check(src, UINT64_MAX, label, llen, &a->trust.trust,
	    &u, &err);
	if (r != 0)
		return cli_fail(&err, resealed ? "the resealed file" : a->in);
	cy_hex_encode(out, cy_doc_upload_sealed_sha256(u), 32);
	cy_doc_upload_free(u);
	return CLI_OK;
}

/* The old file's hash, from FILE itself. */
static int
old_sha(const struct reseal_args *a, const struct reseal_state *s,
    char out[65])
{
	cy_error err = {0, ""};
	cy_source src;
	int fd, rc;

	if ((fd = open(a->in, O_RDONLY | O_CLOEXEC)) < 0) {
		cli_warn("%s: cannot open: %m", a->in);
		return CLI_FAIL;
	}
	if (cy_source_fd(&src, fd, &err) != 0)
		rc = cli_fail(&err, a->in);
	else
		rc = file_sha(a, &src, s->rs, 0, out);
	close(fd);
	return rc;
}

/* The request: the new file, the label, the record, doc.reseal and each
 * copy's new R sealed to the registry. */
static int
make_body(struct reseal_args *a, struct reseal_state *s, cy_buf *entry,
    json_t **out)
{
	const cy_doc_reseal *rec = cy_doc_resealing_record(s->rs);
	char was[65], now[65], rec_sha[65];
	const uint8_t *label, *text;
	cy_chain *reg = NULL;
	cy_source src;
	cy_buf sealed = CY_BUF_INIT;
	cy_entry_field f[4];
	json_t *secrets, *entries;
	cy_error err = {0, ""};
	size_t llen, tlen, i;
	int rc = CLI_FAIL;

	*out = NULL;
	if (old_sha(a, s, was) != CLI_OK)
		return CLI_FAIL;
	if (cy_source_mem(&src, s->file.data, s->file.len, &err) != 0)
		return cli_fail(&err, "the resealed file");
	if (file_sha(a, &src, s->rs, 1, now) != CLI_OK ||
	    cli_xc_registry_chain(&s->x, &a->trust.trust, cmn_now(),
	    &reg) != CLI_OK)
		return CLI_FAIL;
	cy_hex_encode(rec_sha, cy_doc_reseal_sha256(rec), 32);
	f[0].name = "doc-id", f[0].value = s->doc_id;
	f[1].name = "old-sealed-sha256", f[1].value = was;
	f[2].name = "sealed-sha256", f[2].value = now;
	f[3].name = "record-sha256", f[3].value = rec_sha;
	if (cli_xc_entry(&s->x, "doc.reseal", f, 4, entry) != CLI_OK)
		goto out;
	label = cy_label_bytes(cy_doc_resealing_label(s->rs), &llen);
	text = cy_doc_reseal_bytes(rec, &tlen);
	secrets = json_array();
	entries = json_array();
	*out = json_pack("{s:o, s:o, s:o, s:o, s:o}",
	    "file", cli_xc_b64(s->file.data, s->file.len),
	    "label", cli_xc_b64(label, llen), "record", cli_xc_b64(text, tlen),
	    "entries", entries, "secrets", secrets);
	if (*out == NULL || json_array_append_new(entries, json_stringn(
	    (const char *)entry->data, entry->len)) != 0) {
		cli_warn("out of memory");
		goto out;
	}
	for (i = 0; i < cy_doc_reseal_count(rec); i++) {
		sealed.len = 0;
		if (cy_doc_resealing_release_seal(s->rs, i,
		    cy_cert_seal_public(cy_chain_get(reg, 0)), &sealed,
		    &err) != 0) {
			cli_fail(&err, "sealing R to the registry");
			goto out;
		}
		json_array_append_new(secrets, json_pack("{s:s, s:o}",
		    "copy_id", cy_doc_resealing_copy_id(s->rs, i), "sealed",
		    cli_xc_b64(sealed.data, sealed.len)));
	}
	rc = CLI_OK;
out:
	cy_buf_free(&sealed);
	cy_chain_free(reg);
	return rc;
}

/* Posts the reseal; the receipt must prove our entry. */
static int
post_reseal(struct reseal_args *a, struct reseal_state *s)
{
	cy_buf entry = CY_BUF_INIT;
	json_t *body = NULL, *ans = NULL, *ji;
	char path[128];
	cy_error err = {0, ""};
	uint8_t *data = NULL;
	size_t len = 0;
	int fd, rc;

	/* The new file in memory: it is the upload. */
	if ((fd = cy_file_spool(&err)) < 0)
		return cli_fail(&err, "a temporary file");
	if (cy_doc_reseal_write(s->rs, fd, &err) != 0 ||
	    lseek(fd, 0, SEEK_SET) != 0 ||
	    cy_fd_read_all(fd, (size_t)1 << 40, &data, &len, &err) != 0) {
		close(fd);
		return cli_fail(&err, "the resealed file");
	}
	close(fd);
	cy_buf_append(&s->file, data, len);
	free(data);
	if ((rc = make_body(a, s, &entry, &body)) != CLI_OK)
		goto out;
	snprintf(path, sizeof(path), "/v1/documents/%s/reseal", s->doc_id);
	if ((rc = cli_client_post(s->x.cl, path, body, &ans)) != CLI_OK)
		goto out;
	rc = CLI_FAIL;
	ji = json_object_get(ans, "index");
	if (!json_is_integer(ji) || json_integer_value(ji) < 0) {
		cli_warn("the registry answered the reseal without an index");
		goto out;
	}
	if (cli_receipt_check(s->x.v, (uint64_t)json_integer_value(ji),
	    json_string_value(json_object_get(ans, "receipt")), entry.data,
	    entry.len) != CLI_OK)
		goto out;
	fprintf(stderr, "coyeu: doc.reseal of document %s recorded at index "
	    "%lld (receipt verified); the registry deleted the old R of every "
	    "copy\n", s->doc_id, (long long)json_integer_value(ji));
	rc = CLI_OK;
out:
	json_decref(body);
	json_decref(ans);
	cy_buf_free(&entry);
	return rc;
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
	    (rc = open_parties(a, &s)) == CLI_OK &&
	    (rc = load_recipients(a, &s)) == CLI_OK &&
	    (rc = prepare(a, &s)) == CLI_OK &&
	    (!s.mediated || (rc = post_reseal(a, &s)) == CLI_OK) &&
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
		{"registry", required_argument, NULL, OPT_REGISTRY},
		{"cacert", required_argument, NULL, OPT_CACERT},
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
		case OPT_REGISTRY: a.registry = optarg; break;
		case OPT_CACERT: a.cacert = optarg; break;
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
