#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "common/timefmt.h"
#include "coyeu/canon.h"
#include "coyeu/file.h"
#include "coyeu/level.h"
#include "coyeu/secret.h"
#include "guard.h"
#include "keyring.h"
#include "open_doc.h"
#include "open_release.h"
#include "pki.h"
#include "progress.h"

#define SPOOL_CHUNK 65536

/* Classified files are verified in full before release, which needs a file
 * to read twice: a pipe is first spooled (ciphertext only). */
static int
input_file(const char *in, int *fd, cy_error *err)
{
	uint8_t buf[SPOOL_CHUNK];
	struct stat st;
	ssize_t n;
	int src = STDIN_FILENO;

	if (in != NULL && strcmp(in, "-") != 0) {
		if ((*fd = open(in, O_RDONLY | O_CLOEXEC)) < 0)
			return cy_error_set(err, CY_E_IO, "cannot open %s: %m", in);
		return 0;
	}
	if (fstat(src, &st) == 0 && S_ISREG(st.st_mode)) {
		*fd = dup(src);
		return 0;
	}
	if ((*fd = cy_file_spool(err)) < 0)
		return *fd;
	while ((n = cy_read_full(src, buf, sizeof(buf))) > 0)
		if (cy_write_all(*fd, buf, (size_t)n) != 0)
			return cy_error_set(err, CY_E_IO, "cannot spool the input: %m");
	if (n < 0 || lseek(*fd, 0, SEEK_SET) != 0)
		return cy_error_set(err, CY_E_IO, "cannot read the input: %m");
	return 0;
}

/* The reader's own chain: -c, else the keyring's when it certifies this
 * key; NULL when neither (the reader is then not checked). */
static int
reader_chain(const struct open_doc_args *a, const cy_idkey *key,
    cy_chain **out)
{
	const char *path = a->chain;

	*out = NULL;
	if (path == NULL && cli_keyring_state() == CLI_KR_READY &&
	    cli_keyring_item(CLI_KR_CHAIN, &path) != CLI_OK)
		return CLI_FAIL;
	if (path == NULL)
		return CLI_OK;
	if (cli_load_chain(path, out) != CLI_OK)
		return CLI_FAIL;
	if (a->chain == NULL && memcmp(cy_cert_seal_public(cy_chain_get(*out, 0)),
	    cy_idkey_seal_public(key), CY_X25519_KEY_LEN) != 0) {
		cy_chain_free(*out);
		*out = NULL;
	}
	return CLI_OK;
}

/* IN as a doc-id the registry holds a copy of (no such file here): the
 * caller's copy fetched into a private temporary file. */
static int
fetched_input(const struct open_doc_args *a, const struct open_release *o,
    int *fd)
{
	if (a->in == NULL || !open_release_is_doc_id(a->in) ||
	    access(a->in, F_OK) == 0)
		return 0;
	if (o->chain == NULL) {
		cli_warn("%s: to fetch document %s, give your certificate chain "
		    "(-c CHAIN, or the keyring's)", o->cmd, a->in);
		return -1;
	}
	return open_release_fetch(o, a->in, fd) == CLI_OK ? 1 : -1;
}

/* A registry-mediated file (release stanzas) opens through a release;
 * 0 when the file is not one (*done stays 0). */
static int
open_mediated(int in, int out_fd, int mode, const struct open_release *o,
    cy_doc_info *info, int *done)
{
	char doc_id[CY_RELEASE_ID_SIZE];
	int r;

	*done = 0;
	if (mode == CY_DOC_OPEN_LABEL_ONLY)
		return CLI_OK; /* inspecting asks for no release */
	if ((r = open_release_mediated(in, doc_id)) <= 0)
		return r == 0 ? CLI_OK : CLI_FAIL;
	*done = 1;
	if (o->chain == NULL) {
		cli_warn("document %s opens only through the registry, as the "
		    "officer its copy names: give your certificate chain "
		    "(-c CHAIN, or the keyring's)", doc_id);
		return CLI_FAIL;
	}
	return open_release_fd(in, out_fd, mode, o, info);
}

int
open_doc_verify(struct open_doc_args *a, int mode, int out_fd,
    cy_doc_info *info)
{
	struct open_release rel;
	int mediated, got;
	cy_chain *reader = NULL;
	struct cli_progress progress;
	/* The key's X25519 identity, and its hybrid one when it has one. */
	cy_identity *ids[2] = {NULL, NULL};
	size_t nids = 1;
	cy_idkey *key = NULL;
	cy_doc_open_params p;
	cy_error err = {0, ""};
	uint64_t size;
	int in = -1, rc = CLI_FAIL;

	memset(info, 0, sizeof(*info));
	if (cli_trust_defaults(&a->trust, NULL, 0) != CLI_OK ||
	    cli_trust_load(&a->trust) != CLI_OK)
		goto out;
	if (cli_idkey_load(a->key, a->pass_file, &key) != CLI_OK ||
	    reader_chain(a, key, &reader) != CLI_OK)
		goto out;
	memset(&rel, 0, sizeof(rel));
	rel.cmd = "open";
	rel.key = key;
	rel.chain = reader;
	rel.trust = a->trust.root ? &a->trust.trust : NULL;
	rel.threads = a->threads;
	if ((got = fetched_input(a, &rel, &in)) < 0)
		goto out;
	if (cy_identity_from_key(key, &ids[0], &err) != 0 ||
	    (cy_key_pq_public(key) != NULL &&
	    cy_identity_from_key_pq(key, &ids[nids++], &err) != 0) ||
	    (got == 0 && input_file(a->in, &in, &err) != 0)) {
		cli_fail(&err, a->in);
		goto out;
	}
	if ((rc = open_mediated(in, out_fd, mode, &rel, info, &mediated)) !=
	    CLI_OK || mediated)
		goto out;
	rc = CLI_FAIL;
	cli_progress_init(&progress, "opening", in, &size);
	memset(&p, 0, sizeof(p));
	p.identities = ids;
	p.nidentities = nids;
	p.trust = a->trust.root ? &a->trust.trust : NULL;
	p.reader = reader;
	p.mode = mode;
	p.threads = a->threads;
	p.progress = cli_progress_cb;
	p.progress_ctx = &progress;
	p.size_hint = size;
	if (cy_doc_open_fd(in, out_fd, &p, info, &err) != 0) {
		cli_progress_end(&progress);
		cli_fail(&err, a->in);
		if (err.code == CY_E_USAGE && a->trust.root == NULL)
			cli_warn("give --trust ROOT, or pin one in the keyring with "
			    "'coyeu keyring init --trust ROOT.cert' (%s)",
			    cli_keyring_path(CLI_KR_ROOT) ?
			    cli_keyring_path(CLI_KR_ROOT) : "no keyring");
		goto out;
	}
	cli_progress_end(&progress);
	rc = CLI_OK;
out:
	cy_chain_free(reader);
	if (in >= 0)
		close(in);
	cy_identity_free(ids[0]);
	cy_identity_free(ids[1]);
	cy_idkey_free(key);
	cli_trust_free(&a->trust);
	return rc;
}

/* What the reader should know beyond "verified". */
static void
print_notes(FILE *f, const cy_doc_info *info)
{
	char t1[CY_CANON_TIME_LEN + 1], t2[CY_CANON_TIME_LEN + 1];

	if (info->reader != NULL)
		fprintf(f, "  reader:         %s (serial %s), clearance checked\n",
		    cy_cert_name(info->reader), cy_cert_serial(info->reader));
	else
		fputs("  reader:         not checked (no certificate chain for "
		    "this key: give -c CHAIN)\n", f);
	if (info->signer_expired != 0)
		fprintf(f, "coyeu: warning: the sealer's certificate expired on "
		    "%s; the creation time %s is only the sealer's claim (no "
		    "register attests it)\n", cmn_time_text(info->signer_expired,
		    t1), cmn_time_text(cy_label_created(info->label), t2));
	if (info->signer_revoked.code != 0)
		fprintf(f, "note: %s\n", info->signer_revoked.msg);
}

void
open_doc_print_label(FILE *f, const cy_doc_info *info)
{
	const cy_label *l = info->label;
	char t1[CY_CANON_TIME_LEN + 1], t2[CY_CANON_TIME_LEN + 1];
	size_t i;

	if (l == NULL) {
		fputs("coyeu: plain age file (no classification label)\n", f);
		return;
	}
	cli_text_warn_mixed("document number", cy_label_document(l));
	cli_text_warn_mixed("sealed by", cy_cert_name(info->signer));
	fprintf(f, "coyeu: %s document %s, verified\n",
	    cy_level_display(cy_label_level(l)), cy_label_document(l));
	fprintf(f, "  from unit:      %s\n", cy_label_unit(l));
	fprintf(f, "  sealed by:      %s (serial %s)\n",
	    cy_cert_name(info->signer), cy_cert_serial(info->signer));
	fprintf(f, "  created:        %s\n",
	    cmn_time_text(cy_label_created(l), t1));
	fprintf(f, "  protect until:  %s\n",
	    cmn_time_text(cy_label_protect_until(l), t2));
	fprintf(f, "  copy:           %s\n", cy_label_copy(l));
	fprintf(f, "  compartments:   %s\n",
	    cy_label_compartments(l)[0] ? cy_label_compartments(l) : "none");
	fprintf(f, "  handling:       %s\n", cy_label_only_named(l) ?
	    CY_HANDLING_ONLY_NAMED : "none");
	fprintf(f, "  post-quantum:   %s\n", info->post_quantum ?
	    "yes (mlkem768x25519)" : cy_label_classical_allowed(l) ?
	    "no (classical: allowed by the sealer)" : "no (classical)");
	for (i = 0; i < cy_label_recipient_count(l); i++)
		fprintf(f, "  recipient %zu:    %s\n", i + 1,
		    cy_label_recipient(l, i));
	print_notes(f, info);
}

int
open_doc_run(struct open_doc_args *a)
{
	cy_outfile *out = NULL;
	cy_doc_info info;
	cy_error err = {0, ""};
	int rc;

	if (cy_outfile_open(a->out, 0600, 0, &out, &err) != 0)
		return cli_fail(&err, a->out);
	cli_guard_input(a->in, out);
	/* To a private temporary file renamed after full verification;
	 * anything written in place (standard output, or a pipe or device
	 * named by -o) only after a verifying pass. */
	rc = open_doc_verify(a, cy_outfile_is_atomic(out) ?
	    CY_DOC_OPEN_STREAM : CY_DOC_OPEN_VERIFY_FIRST, cy_outfile_fd(out),
	    &info);
	if (cli_guard_end(out, rc == CLI_OK, &err) != 0)
		rc = cli_fail(&err, a->out);
	else if (rc == CLI_OK)
		open_doc_print_label(stderr, &info);
	cy_doc_info_free(&info);
	return rc;
}
