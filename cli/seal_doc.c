/* Sealing a classified document: every party checked before a byte is
 * written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authority.h"
#include "cli.h"
#include "coyeu/canon.h"
#include "coyeu/file.h"
#include "coyeu/level.h"
#include "io.h"
#include "keyring.h"
#include "progress.h"
#include "seal_doc.h"

struct party {
	cy_cert *leaf;
	char *serial;
	uint8_t seal_key[CY_X25519_KEY_LEN];
};

struct seal_doc {
	int level;
	char *compartments;
	int64_t created, protect_until;
	cy_idkey *key;
	uint8_t *chain_bytes;
	size_t chain_len;
	cy_cert *signer;
	struct party parties[CLI_MAX_TO];
	size_t nparties;
};

static void
seal_doc_free(struct seal_doc *d)
{
	size_t i;

	for (i = 0; i < d->nparties; i++) {
		cy_cert_free(d->parties[i].leaf);
		free(d->parties[i].serial);
	}
	cy_idkey_free(d->key);
	cy_cert_free(d->signer);
	free(d->chain_bytes);
	free(d->compartments);
}

/* --protect-until: after now, and at most the level's period ahead. */
static int
check_protect_until(struct seal_doc_args *a, struct seal_doc *d)
{
	int64_t limit = cy_level_protect_limit(d->level, d->created);

	d->protect_until = limit;
	if (a->protect_until == NULL)
		return CLI_OK;
	if (cli_parse_time("seal", a->protect_until, &d->protect_until) !=
	    CLI_OK)
		return CLI_USAGE;
	if (d->protect_until > limit || d->protect_until <= d->created)
		return cli_usage_error("seal", "--protect-until: must be after now "
		    "and at most %d years ahead for %s (it may shorten "
		    "protection, not lengthen it)",
		    cy_level_protect_years(d->level), cy_level_display(d->level));
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
	d->created = cli_now();
	return check_protect_until(a, d);
}

/* The sealer: key, chain, and its own entitlement to this level. */
static int
load_signer(struct seal_doc_args *a, struct seal_doc *d)
{
	cy_chain *chain = NULL;
	cy_error err = {0, ""};
	int rc = CLI_FAIL;

	if (cli_idkey_load(a->key, a->pass_file, &d->key) != CLI_OK ||
	    cli_load_chain_data(a->chain, &chain, &d->chain_bytes,
	    &d->chain_len) != CLI_OK)
		goto out;
	if (cy_doc_check_clearance(chain, &a->trust.trust, d->level,
	    d->compartments, d->created, &d->signer, &err) != 0) {
		cli_fail(&err, "sealer refused");
		goto out;
	}
	if (memcmp(cy_cert_sign_public(d->signer), cy_idkey_sign_public(d->key),
	    CY_SIGN_PUBLIC_LEN) != 0) {
		cli_warn("sealer refused: the key %s does not belong to the "
		    "certificate in %s", a->key, a->chain);
		goto out;
	}
	rc = CLI_OK;
out:
	cy_chain_free(chain);
	return rc;
}

/* A usage error when the last party is one named before: two --to that
 * mean one officer (a name and a file, say). */
static int
check_twice(struct seal_doc_args *a, struct seal_doc *d, size_t last)
{
	char line[1024];
	size_t i;

	for (i = 0; i < last; i++) {
		if (strcmp(d->parties[i].serial, d->parties[last].serial) != 0)
			continue;
		cli_keyring_describe(d->parties[last].leaf, line, sizeof(line));
		return cli_usage_error("seal", "--to %s: %s is already a "
		    "recipient (--to %s)", a->to[last], line, a->to[i]);
	}
	return CLI_OK;
}

/* Every recipient: chain, revocation, validity, clearance, compartments. */
static int
load_recipients(struct seal_doc_args *a, struct seal_doc *d)
{
	struct party *pt;
	cy_chain *chain;
	cy_error err = {0, ""};
	char what[512];
	size_t i;
	int r;

	for (i = 0; i < a->nto; i++) {
		if ((r = cli_keyring_load_chain(a->to[i], "--to",
		    &chain)) != CLI_OK)
			return r;
		pt = &d->parties[d->nparties];
		r = cy_doc_check_clearance(chain, &a->trust.trust, d->level,
		    d->compartments, d->created, &pt->leaf, &err);
		cy_chain_free(chain);
		if (r != 0) {
			snprintf(what, sizeof(what), "recipient %s refused", a->to[i]);
			return cli_fail(&err, what);
		}
		d->nparties++;
		if ((pt->serial = strdup(cy_cert_serial(pt->leaf))) == NULL)
			return CLI_FAIL;
		if ((r = check_twice(a, d, i)) != CLI_OK)
			return r;
		memcpy(pt->seal_key, cy_cert_seal_public(pt->leaf),
		    CY_X25519_KEY_LEN);
	}
	return CLI_OK;
}

/* Who can read it, one line each: never just a count. */
static void
print_parties(const struct seal_doc *d)
{
	char line[1024];
	size_t i;

	for (i = 0; i < d->nparties; i++) {
		cli_keyring_describe(d->parties[i].leaf, line, sizeof(line));
		fprintf(stderr, "  to: %s\n", line);
	}
}

static int
seal_doc_io(void *ctx, struct cli_io *io, cy_error *err)
{
	cy_doc_seal_params *p = ctx;

	p->progress = cli_progress_cb;
	p->progress_ctx = &io->progress;
	p->size_hint = io->size;
	return cy_doc_seal_fd(io->in_fd, cli_io_out_fd(io), p, err);
}

static int
seal_doc_write(struct seal_doc_args *a, struct seal_doc *d)
{
	const char *serials[CLI_MAX_TO];
	uint8_t keys[CLI_MAX_TO][CY_X25519_KEY_LEN];
	cy_doc_seal_params p;
	size_t i;

	memset(&p, 0, sizeof(p));
	for (i = 0; i < d->nparties; i++) {
		serials[i] = d->parties[i].serial;
		memcpy(keys[i], d->parties[i].seal_key, CY_X25519_KEY_LEN);
	}
	p.label.document = a->doc;
	p.label.level = d->level;
	p.label.unit = cy_cert_unit(d->signer);
	p.label.created = d->created;
	p.label.protect_until = d->protect_until;
	p.label.copy = a->copy;
	p.label.recipients = serials;
	p.label.nrecipients = d->nparties;
	p.label.only_named = a->only_named;
	p.label.compartments = d->compartments;
	p.label.signer_chain = d->chain_bytes;
	p.label.signer_chain_len = d->chain_len;
	p.signer = d->key;
	p.seal_keys = (const uint8_t (*)[CY_X25519_KEY_LEN])keys;
	p.armor = a->armor;
	p.threads = a->threads;
	if (cli_io_run(a->in, a->out, a->armor ? CLI_IO_TEXT : 0, "sealing",
	    seal_doc_io, &p) != CLI_OK)
		return CLI_FAIL;
	fprintf(stderr, "coyeu: sealed %s document %s (outer mark %c) for %zu "
	    "recipient%s\n", cy_level_display(d->level), a->doc,
	    cy_level_mark(d->level), d->nparties, d->nparties == 1 ? ":" : "s:");
	print_parties(d);
	return CLI_OK;
}

int
seal_doc_run(struct seal_doc_args *a)
{
	struct seal_doc d;
	int rc;

	memset(&d, 0, sizeof(d));
	if ((rc = check_args(a, &d)) == CLI_OK &&
	    (rc = cli_keyring_default("seal", CLI_KR_KEY, &a->key)) == CLI_OK &&
	    (rc = cli_keyring_default("seal", CLI_KR_CHAIN, &a->chain)) ==
	    CLI_OK &&
	    (rc = cli_trust_defaults(&a->trust, "seal", 1)) == CLI_OK &&
	    (rc = cli_trust_load(&a->trust)) == CLI_OK &&
	    (rc = load_signer(a, &d)) == CLI_OK &&
	    (rc = load_recipients(a, &d)) == CLI_OK)
		rc = seal_doc_write(a, &d);
	cli_trust_free(&a->trust);
	seal_doc_free(&d);
	return rc;
}
