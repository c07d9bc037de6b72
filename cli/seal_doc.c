/* Sealing a classified document: the files read, the library's checks
 * (cy_doc_seal_prepare) before a byte is written, each recipient named. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "client.h"
#include "common/timefmt.h"
#include "coyeu/canon.h"
#include "coyeu/file.h"
#include "coyeu/level.h"
#include "coyeu/policy.h"
#include "io.h"
#include "keyring.h"
#include "pki.h"
#include "progress.h"
#include "seal_doc.h"

struct seal_doc {
	int level;
	char *compartments;
	int64_t created, protect_until;
	cy_idkey *key;
	cy_chain *chain;
	cy_chain *to[CLI_MAX_TO];
	size_t nto;
	cy_doc_sealing *sealing;
};

static void
seal_doc_free(struct seal_doc *d)
{
	size_t i;

	for (i = 0; i < d->nto; i++)
		cy_chain_free(d->to[i]);
	cy_doc_sealing_free(d->sealing);
	cy_idkey_free(d->key);
	cy_chain_free(d->chain);
	free(d->compartments);
}

/* --protect-until: after now, and at most the level's period ahead (the
 * library's rule, asked before any key is read). */
static int
check_protect_until(struct seal_doc_args *a, struct seal_doc *d)
{
	cy_error err = {0, ""};

	if (a->protect_until == NULL)
		return CLI_OK;
	if (cli_parse_time("seal", a->protect_until, &d->protect_until) !=
	    CLI_OK)
		return CLI_USAGE;
	if (cy_policy_protect_check(d->level, d->created, d->protect_until,
	    &err) != 0)
		return cli_option_error("seal", "--protect-until", &err);
	return CLI_OK;
}

/* Every option's value, by the library's rules where it has them, before
 * a key or a file is read. */
static int
check_args(struct seal_doc_args *a, struct seal_doc *d)
{
	cy_error err = {0, ""};
	size_t i;

	if (a->level == NULL || a->doc == NULL || a->nto == 0)
		return cli_usage_error("seal",
		    "a classified seal needs --level, --doc and at least one "
		    "--to (a chain file, or an officer in the keyring)");
	if ((d->level = cy_level_parse(a->level, strlen(a->level))) == 0)
		return cli_usage_error("seal", "--level: unknown level '%s' "
		    "(mat, toi-mat or tuyet-mat)", a->level);
	if (a->doc[0] != '\0' &&
	    cli_text_option("--doc", a->doc, a->allow_mixed_script) != CLI_OK)
		return CLI_USAGE;
	if (cy_label_document_check(a->doc, &err) != 0)
		return cli_option_error("seal", "--doc", &err);
	if (cy_label_copy_check(a->copy, &err) != 0)
		return cli_option_error("seal", "--copy", &err);
	if (cy_canon_list_normalize(a->compartments ? a->compartments : "",
	    cy_compartment_valid, "compartments", &d->compartments, &err) != 0)
		return cli_option_error("seal", "--compartments", &err);
	for (i = 0; i < a->nto; i++)
		if (a->to[i][0] == '\0')
			return cli_usage_error("seal", "--to: the recipient is "
			    "empty");
	d->created = cmn_now();
	return check_protect_until(a, d);
}

/* The files: the sealer's key and chain, each recipient's chain. */
static int
load_parties(struct seal_doc_args *a, struct seal_doc *d)
{
	int r;

	if (cli_idkey_load(a->key, a->pass_file, &d->key) != CLI_OK ||
	    cli_load_chain(a->chain, &d->chain) != CLI_OK)
		return CLI_FAIL;
	for (d->nto = 0; d->nto < a->nto; d->nto++)
		if ((r = cli_keyring_load_chain(a->to[d->nto], "--to",
		    &d->to[d->nto])) != CLI_OK)
			return r;
	return CLI_OK;
}

/* Recipient `who` refused as named twice: which --to named it first. */
static int
twice(struct seal_doc_args *a, struct seal_doc *d, size_t who,
    const cy_error *err)
{
	const cy_cert *c = cy_chain_get(d->to[who], 0);
	char line[1024];
	size_t i;

	for (i = 0; i < who; i++)
		if (strcmp(cy_cert_serial(cy_chain_get(d->to[i], 0)),
		    cy_cert_serial(c)) == 0)
			break;
	if (i == who)
		return cli_usage_error("seal", "--to %s: %s", a->to[who],
		    err->msg);
	cli_keyring_describe(c, line, sizeof(line));
	return cli_usage_error("seal", "--to %s: %s is already a recipient "
	    "(--to %s)", a->to[who], line, a->to[i]);
}

/* The library checks every party (docs/policy.md); this says whom a
 * refusal is about, as the command line named it. */
static int
prepare(struct seal_doc_args *a, struct seal_doc *d)
{
	cy_doc_seal_params p;
	cy_error err = {0, ""};
	char what[512];
	size_t who;

	memset(&p, 0, sizeof(p));
	p.document = a->doc;
	p.level = d->level;
	p.copy = a->copy;
	p.compartments = d->compartments;
	p.only_named = a->only_named;
	p.allow_classical = a->allow_classical;
	p.pq = a->classical ? CY_DOC_PQ_NEVER : 0;
	p.protect_until = d->protect_until;
	p.now = d->created;
	p.signer = d->key;
	p.signer_chain = d->chain;
	p.recipients = (const cy_chain *const *)d->to;
	p.nrecipients = d->nto;
	p.trust = &a->trust.trust;
	if (cy_doc_seal_prepare(&p, &d->sealing, &who, &err) == 0)
		return CLI_OK;
	if (who == CY_DOC_REFUSED_SEALER) {
		snprintf(what, sizeof(what), "sealer refused (-k %s, -c %s)",
		    a->key, a->chain);
		return cli_fail(&err, what);
	}
	if (err.code == CY_E_USAGE)
		return twice(a, d, who, &err);
	snprintf(what, sizeof(what), "--to %s", a->to[who]);
	return cli_fail(&err, what);
}

/* Who can read it, one line each: never just a count. */
static void
print_parties(const cy_doc_sealing *s)
{
	char line[1024];
	size_t i;

	for (i = 0; i < cy_doc_sealing_count(s); i++) {
		cli_keyring_describe(cy_doc_sealing_recipient(s, i), line,
		    sizeof(line));
		fprintf(stderr, "  to: %s\n", line);
	}
}

struct seal_job {
	const cy_doc_sealing *sealing;
	cy_doc_seal_io io;
};

static int
seal_doc_io(void *ctx, struct cli_io *io, cy_error *err)
{
	struct seal_job *j = ctx;

	j->io.progress = cli_progress_cb;
	j->io.progress_ctx = &io->progress;
	j->io.size_hint = io->size;
	return cy_doc_seal_fd(io->in_fd, cli_io_out_fd(io), j->sealing, &j->io,
	    err);
}

static int
seal_doc_write(struct seal_doc_args *a, struct seal_doc *d)
{
	struct seal_job j;
	size_t n = cy_doc_sealing_count(d->sealing);

	memset(&j, 0, sizeof(j));
	j.sealing = d->sealing;
	j.io.armor = a->armor;
	j.io.threads = a->threads;
	if (cli_io_run(a->in, a->out, a->armor ? CLI_IO_TEXT : 0, "sealing",
	    seal_doc_io, &j) != CLI_OK)
		return CLI_FAIL;
	fprintf(stderr, "coyeu: sealed %s document %s (outer mark %c) for %zu "
	    "recipient%s\n", cy_level_display(d->level), a->doc,
	    cy_level_mark(d->level), n, n == 1 ? ":" : "s:");
	print_parties(d->sealing);
	seal_doc_print_pq(stderr, "  ", d->sealing);
	return CLI_OK;
}

void
seal_doc_print_pq(FILE *f, const char *indent, const cy_doc_sealing *s)
{
	if (cy_doc_sealing_pq(s))
		fprintf(f, "%spost-quantum: yes (mlkem768x25519)\n", indent);
	else
		fprintf(f, "%spost-quantum: no (%s)\n", indent,
		    cy_doc_sealing_pq_reason(s));
}

/* TỐI MẬT and TUYỆT MẬT go through the registry when there is one
 * (DESIGN.md §5), and MẬT when the registry's policy names the sealer's
 * unit (mat_via_registry): sealed offline, no release would ever be
 * recorded and no recall could reach the copies. */
static int
registry_rule(const struct seal_doc *d, int after_keys)
{
	struct cli_registry_conf rc;
	cli_client *c = NULL;
	json_t *reg = NULL, *units, *u;
	const char *unit;
	size_t i;
	int has, rv = CLI_OK;

	if ((d->level >= CY_LEVEL_TOI_MAT) == after_keys)
		return CLI_OK;
	if (cli_registry_conf_load(&rc) != CLI_OK)
		return CLI_FAIL;
	has = rc.url != NULL || cli_client_default_url() != NULL;
	cli_registry_conf_free(&rc);
	if (!has)
		return CLI_OK;
	if (d->level >= CY_LEVEL_TOI_MAT) {
		cli_warn("a %s document goes through the registry: use `coyeu "
		    "send` (offline sealing is for MẬT, or for a keyring without "
		    "a registry)", cy_level_display(d->level));
		return CLI_FAIL;
	}
	/* MẬT: the sealer's unit against the registry's policy. */
	unit = cy_cert_unit(cy_chain_get(d->chain, 0));
	if (cli_client_open("seal", NULL, NULL, &c) != CLI_OK ||
	    cli_client_get(c, "/v1/registry", &reg) != CLI_OK) {
		cli_warn("cannot learn whether unit %s seals MẬT through the "
		    "registry: try again when it is reachable", unit);
		rv = CLI_FAIL;
		goto out;
	}
	units = json_object_get(reg, "mat_via_registry");
	json_array_foreach(units, i, u)
		if (json_is_string(u) &&
		    cy_unit_contains(json_string_value(u), unit)) {
			cli_warn("the MẬT documents of unit %s go through the "
			    "registry (its policy names %s): use `coyeu send`",
			    unit, json_string_value(u));
			rv = CLI_FAIL;
			break;
		}
out:
	json_decref(reg);
	cli_client_free(c);
	return rv;
}

int
seal_doc_run(struct seal_doc_args *a)
{
	struct seal_doc d;
	int rc;

	memset(&d, 0, sizeof(d));
	if ((rc = check_args(a, &d)) == CLI_OK &&
	    (rc = registry_rule(&d, 0)) == CLI_OK &&
	    (rc = cli_keyring_default("seal", CLI_KR_KEY, &a->key)) == CLI_OK &&
	    (rc = cli_keyring_default("seal", CLI_KR_CHAIN, &a->chain)) ==
	    CLI_OK &&
	    (rc = cli_trust_defaults(&a->trust, "seal", 1)) == CLI_OK &&
	    (rc = cli_trust_load(&a->trust)) == CLI_OK &&
	    (rc = load_parties(a, &d)) == CLI_OK &&
	    (rc = registry_rule(&d, 1)) == CLI_OK &&
	    (rc = prepare(a, &d)) == CLI_OK)
		rc = seal_doc_write(a, &d);
	cli_trust_free(&a->trust);
	seal_doc_free(&d);
	return rc;
}
