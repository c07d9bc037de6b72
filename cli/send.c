/* coyeu send: seal a document with release stanzas and register it at the
 * registry, which keeps each copy's R sealed to its own key
 * (docs/exchange.md, "POST /v1/documents"). */
#include <errno.h>
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
#include "coyeu/canon.h"
#include "coyeu/document.h"
#include "coyeu/encoding.h"
#include "coyeu/file.h"
#include "coyeu/label.h"
#include "coyeu/level.h"
#include "coyeu/merkle.h"
#include "coyeu/policy.h"
#include "coyeu/release.h"
#include "exchange.h"
#include "keyring.h"
#include "pki.h"
#include "seal_doc.h"
#include "trust.h"

#define SEND_TO_MAX 256
enum { OPT_ALLOW_CLASSICAL = 256, OPT_CLASSICAL };
/* A sealed file read back for the upload: the registry's default doc_max. */
#define SEND_FILE_MAX ((size_t)64 * 1024 * 1024)

static const char usage[] =
    "usage: coyeu send --level LEVEL --doc NUMBER --to WHO... [--to WHO]\n"
    "                  [--compartments LIST] [--copies-allowed K]\n"
    "                  [--protect-until DATE] [--only-named-recipient]\n"
    "                  [--allow-classical] [--classical]\n"
    "                  [--dry-run REQUEST] [-k KEY] [-c CHAIN]\n"
    "                  [--registry URL] FILE\n"
    "\n"
    "Seals FILE as a classified document whose recipients can open it only\n"
    "through the registry: each copy gets a coyeu.v1/release stanza (or\n"
    "coyeu.v1/release-pq, post-quantum: docs/format.md) under a\n"
    "secret R that is sealed to the registry's key and never kept here.\n"
    "The registry's chain (GET /v1/registry) must verify under the pinned\n"
    "root and certify the verifier key the keyring pins for it.  The file,\n"
    "the signed label, a doc.register entry and one copy.issue entry per\n"
    "recipient (copy i/M, form original) go in one request; the registry\n"
    "checks every rule (docs/exchange.md) and answers receipts, which must\n"
    "verify against the pinned key.  Prints the document id and each copy\n"
    "N/M with its recipient.  The sealed file is never written beside FILE:\n"
    "it lives in an unlinked temporary file until uploaded.\n"
    "\n"
    "  -l, --level LEVEL        mat, toi-mat or tuyet-mat\n"
    "  -d, --doc NUMBER         the official document number\n"
    "  -t, --to WHO             a recipient: a chain file, or an officer in\n"
    "                           the keyring (name, unit or serial); repeat\n"
    "      --compartments LIST  compartments (comma-separated)\n"
    "      --copies-allowed K   further numbered copies recipients may make\n"
    "      --protect-until DATE the end of protection (default: the level's)\n"
    "      --only-named-recipient  no copies, only the named recipients\n"
    "      --allow-classical    TUYỆT MẬT to a recipient without a post-quantum\n"
    "                           key: classical release stanzas, recorded in\n"
    "                           the label (otherwise refused)\n"
    "      --classical          classical release stanzas even when every\n"
    "                           recipient has a post-quantum key (TUYỆT MẬT:\n"
    "                           with --allow-classical)\n"
    "      --trust ROOT         the pinned root (default: the keyring's)\n"
    "      --dry-run FILE       write the request (POST /v1/documents) to\n"
    "                           FILE and send nothing\n"
    CLI_XC_USAGE;

struct send_args {
	const char *level_name, *doc, *compartments_arg, *protect_arg, *in;
	const char *to[SEND_TO_MAX];
	size_t nto;
	int only_named, allow_classical, classical;
	uint64_t copies_allowed;
	int have_allowed;
	const char *dry_run;        /* write the request here, send nothing */
	struct cli_xc_opts xo;
	struct cli_trust trust;
};

struct send {
	struct send_args *a;
	struct cli_xc x;
	int level;
	char *compartments;
	int64_t now, protect_until;
	cy_chain *registry;         /* the registry's chain, verified */
	cy_chain *to[SEND_TO_MAX];
	cy_doc_sealing *sealing;
	char doc_id[CY_RELEASE_ID_SIZE];
	uint8_t *file;
	size_t file_len;
	cy_buf *entries;            /* doc.register, then copy.issue 1..M */
	size_t nentries;
};

static void
send_free(struct send *s)
{
	size_t i;

	for (i = 0; i < s->nentries; i++)
		cy_buf_free(&s->entries[i]);
	free(s->entries);
	free(s->file);
	/* Wipes every R (guarded memory). */
	cy_doc_sealing_free(s->sealing);
	for (i = 0; i < s->a->nto; i++)
		cy_chain_free(s->to[i]);
	cy_chain_free(s->registry);
	free(s->compartments);
	cli_xc_close(&s->x);
	cli_trust_free(&s->a->trust);
}

static int
check_args(struct send *s)
{
	struct send_args *a = s->a;
	cy_error err = {0, ""};

	if (a->level_name == NULL || a->doc == NULL || a->nto == 0 ||
	    a->in == NULL)
		return cli_usage_error("send", "give --level, --doc, at least "
		    "one --to and FILE");
	if ((s->level = cy_level_parse(a->level_name,
	    strlen(a->level_name))) == 0)
		return cli_usage_error("send", "--level: unknown level '%s' "
		    "(mat, toi-mat or tuyet-mat)", a->level_name);
	if (cli_text_option("--doc", a->doc, 0) != CLI_OK)
		return CLI_USAGE;
	if (cy_label_document_check(a->doc, &err) != 0)
		return cli_option_error("send", "--doc", &err);
	if (cy_canon_list_normalize(a->compartments_arg ? a->compartments_arg :
	    "", cy_compartment_valid, "compartments", &s->compartments,
	    &err) != 0)
		return cli_option_error("send", "--compartments", &err);
	s->now = cmn_now();
	if (a->protect_arg != NULL) {
		if (cli_parse_time("send", a->protect_arg, &s->protect_until) !=
		    CLI_OK)
			return CLI_USAGE;
		if (cy_policy_protect_check(s->level, s->now, s->protect_until,
		    &err) != 0)
			return cli_option_error("send", "--protect-until", &err);
	}
	return CLI_OK;
}

/* The registry's chain, checked as cli_xc_registry_chain says: only then
 * is R sealed to its sealing key. */
static int
registry_chain(struct send *s)
{
	return cli_xc_registry_chain(&s->x, &s->a->trust.trust, s->now,
	    &s->registry);
}

static int
prepare(struct send *s)
{
	struct send_args *a = s->a;
	cy_doc_seal_params p;
	cy_error err = {0, ""};
	char what[512];
	size_t i, who;
	int rc;

	for (i = 0; i < a->nto; i++)
		if ((rc = cli_keyring_load_chain(a->to[i], "--to", &s->to[i])) !=
		    CLI_OK)
			return rc;
	if (cy_release_id_new(s->doc_id, &err) != 0)
		return cli_fail(&err, "send");
	memset(&p, 0, sizeof(p));
	p.document = a->doc;
	p.level = s->level;
	p.compartments = s->compartments;
	p.only_named = a->only_named;
	p.allow_classical = a->allow_classical;
	p.pq = a->classical ? CY_DOC_PQ_NEVER : 0;
	p.protect_until = s->protect_until;
	p.now = s->now;
	p.signer = s->x.key;
	p.signer_chain = s->x.chain;
	p.recipients = (const cy_chain *const *)s->to;
	p.nrecipients = a->nto;
	p.trust = &a->trust.trust;
	p.release_doc_id = s->doc_id;
	if (cy_doc_seal_prepare(&p, &s->sealing, &who, &err) == 0)
		return CLI_OK;
	if (who == CY_DOC_REFUSED_SEALER)
		snprintf(what, sizeof(what), "sealer refused");
	else
		snprintf(what, sizeof(what), "--to %s", a->to[who]);
	return cli_fail(&err, what);
}

/* Seals FILE into an unlinked private temporary file and reads the
 * ciphertext back: no plaintext and no sealed copy left on disk. */
static int
seal(struct send *s)
{
	const char *dir = getenv("TMPDIR");
	char path[PATH_MAX];
	cy_error err = {0, ""};
	int in = -1, out = -1, rc = CLI_FAIL;

	snprintf(path, sizeof(path), "%s/coyeu-send-XXXXXX",
	    dir != NULL && dir[0] != '\0' ? dir : "/tmp");
	if ((in = open(s->a->in, O_RDONLY | O_CLOEXEC)) < 0) {
		cli_warn("%s: %s", s->a->in, strerror(errno));
		goto out;
	}
	if ((out = mkostemp(path, O_CLOEXEC)) < 0) {
		cli_warn("cannot make a temporary file in %s: %s", path,
		    strerror(errno));
		goto out;
	}
	(void)unlink(path);
	if (cy_doc_seal_fd(in, out, s->sealing, NULL, &err) != 0) {
		cli_fail(&err, s->a->in);
		goto out;
	}
	if (lseek(out, 0, SEEK_SET) != 0 ||
	    cy_fd_read_all(out, SEND_FILE_MAX, &s->file, &s->file_len,
	    &err) != 0) {
		cli_fail(&err, "reading the sealed file back");
		goto out;
	}
	rc = CLI_OK;
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return rc;
}

static int
sha256_hex(const uint8_t *p, size_t len, char out[65])
{
	uint8_t h[CY_HASH_LEN];

	if (cy_sha256(NULL, p, len, h) != 0) {
		cli_warn("SHA-256 failed");
		return CLI_FAIL;
	}
	cy_hex_encode(out, h, sizeof(h));
	return CLI_OK;
}

/* doc.register and one copy.issue per recipient, in label order. */
static int
make_entries(struct send *s)
{
	size_t m = cy_doc_sealing_count(s->sealing), i, llen;
	const uint8_t *label = cy_doc_sealing_label(s->sealing, &llen);
	char label_hex[65], sealed_hex[65], count[24], allowed[24], copy[48];
	char date[CY_CANON_TIME_LEN + 1];
	cy_entry_field f[9];
	size_t n;

	if (label == NULL) {
		cli_warn("the sealing gave no label");
		return CLI_FAIL;
	}
	if ((s->entries = calloc(m + 1, sizeof(*s->entries))) == NULL) {
		cli_warn("out of memory");
		return CLI_FAIL;
	}
	s->nentries = m + 1;
	if (sha256_hex(label, llen, label_hex) != CLI_OK ||
	    sha256_hex(s->file, s->file_len, sealed_hex) != CLI_OK)
		return CLI_FAIL;
	cmn_time_text(cy_doc_sealing_protect_until(s->sealing), date);
	date[10] = '\0';
	snprintf(count, sizeof(count), "%zu", m);
	snprintf(allowed, sizeof(allowed), "%llu",
	    (unsigned long long)s->a->copies_allowed);
	n = 0;
	f[n].name = "doc-id", f[n++].value = s->doc_id;
	f[n].name = "doc-number", f[n++].value = s->a->doc;
	f[n].name = "level", f[n++].value = cy_level_name(s->level);
	f[n].name = "unit", f[n++].value = cy_cert_unit(cy_chain_get(
	    s->x.chain, 0));
	f[n].name = "protect-until", f[n++].value = date;
	f[n].name = "copies", f[n++].value = count;
	f[n].name = "sealed-sha256", f[n++].value = sealed_hex;
	f[n].name = "label-sha256", f[n++].value = label_hex;
	if (s->a->have_allowed)
		f[n].name = "copies-allowed", f[n++].value = allowed;
	if (cli_xc_entry(&s->x, "doc.register", f, n, &s->entries[0]) !=
	    CLI_OK)
		return CLI_FAIL;
	for (i = 0; i < m; i++) {
		snprintf(copy, sizeof(copy), "%zu/%zu", i + 1, m);
		f[0].name = "doc-id", f[0].value = s->doc_id;
		f[1].name = "copy-id", f[1].value =
		    cy_doc_sealing_copy_id(s->sealing, i);
		f[2].name = "copy", f[2].value = copy;
		f[3].name = "form", f[3].value = "original";
		f[4].name = "recipient", f[4].value = cy_cert_serial(
		    cy_doc_sealing_recipient(s->sealing, i));
		if (cli_xc_entry(&s->x, "copy.issue", f, 5,
		    &s->entries[i + 1]) != CLI_OK)
			return CLI_FAIL;
	}
	return CLI_OK;
}

/* Each R sealed to the registry's sealing key: only the registry can
 * release it. */
static int
make_body(struct send *s, json_t **out)
{
	const cy_cert *reg = cy_chain_get(s->registry, 0);
	size_t m = cy_doc_sealing_count(s->sealing), i, llen;
	const uint8_t *label = cy_doc_sealing_label(s->sealing, &llen);
	json_t *body, *entries = json_array(), *secrets = json_array();
	cy_buf sealed = CY_BUF_INIT;
	cy_error err = {0, ""};
	const char *copy_id;

	body = json_pack("{s:o, s:o, s:o, s:o}", "file",
	    cli_xc_b64(s->file, s->file_len), "label", cli_xc_b64(label, llen),
	    "entries", entries, "secrets", secrets);
	if (body == NULL) {
		cli_warn("out of memory");
		return CLI_FAIL;
	}
	for (i = 0; i < s->nentries; i++)
		json_array_append_new(entries, json_stringn(
		    (const char *)s->entries[i].data, s->entries[i].len));
	for (i = 0; i < m; i++) {
		copy_id = cy_doc_sealing_copy_id(s->sealing, i);
		sealed.len = 0;
		if (cy_doc_sealing_release_seal(s->sealing, i,
		    cy_cert_seal_public(reg), &sealed, &err) != 0) {
			cy_buf_free(&sealed);
			json_decref(body);
			return cli_fail(&err, "sealing R to the registry");
		}
		json_array_append_new(secrets, json_pack("{s:s, s:o}",
		    "copy_id", copy_id, "sealed", cli_xc_b64(sealed.data,
		    sealed.len)));
	}
	cy_buf_free(&sealed);
	*out = body;
	return CLI_OK;
}

/* The answer: the receipts prove our entries at the indexes given, under
 * the pinned key; then what was sent, to whom. */
static int
take_answer(struct send *s, json_t *ans)
{
	json_t *receipts = json_object_get(ans, "receipts");
	json_t *copies = json_object_get(ans, "copies"), *c;
	json_t *ji = json_object_get(ans, "index");
	const char *id = json_string_value(json_object_get(ans, "doc_id"));
	size_t m = cy_doc_sealing_count(s->sealing), i;
	const cy_cert *r;
	char line[1024];
	uint64_t index;

	if (id == NULL || strcmp(id, s->doc_id) != 0 || !json_is_integer(ji) ||
	    json_integer_value(ji) < 0 ||
	    json_array_size(receipts) != s->nentries ||
	    json_array_size(copies) != m) {
		cli_warn("the registry at %s answered for another document, or "
		    "without an index and a receipt per entry",
		    cli_client_url(s->x.cl));
		return CLI_FAIL;
	}
	index = (uint64_t)json_integer_value(ji);
	for (i = 0; i < s->nentries; i++)
		if (cli_receipt_check(s->x.v, index + i, json_string_value(
		    json_array_get(receipts, i)), s->entries[i].data,
		    s->entries[i].len) != CLI_OK)
			return CLI_FAIL;
	printf("document %s\n", s->doc_id);
	seal_doc_print_pq(stdout, "", s->sealing);
	printf("registered: %s %s, index %llu\n", cy_level_display(s->level),
	    s->a->doc, (unsigned long long)index);
	/* Names from the verified chains, not from the answer. */
	for (i = 0; i < m; i++) {
		c = json_array_get(copies, i);
		r = cy_doc_sealing_recipient(s->sealing, i);
		cli_keyring_describe(r, line, sizeof(line));
		printf("copy %zu/%zu: %s, %s, serial %s (index %llu)\n", i + 1, m,
		    cy_cert_name(r), cy_cert_unit(r), cy_cert_serial(r),
		    (unsigned long long)(index + 1 + i));
		(void)c;
	}
	return CLI_OK;
}

/* --dry-run FILE: the request as it would go (no plaintext, no R in
 * clear: each R is sealed to the registry), and nothing registered. */
static int
dry_run(struct send *s, json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT);
	cy_error err = {0, ""};
	int rc = CLI_OK;

	if (text == NULL) {
		cli_warn("out of memory");
		return CLI_FAIL;
	}
	if (cy_file_write(s->a->dry_run, text, strlen(text), 0600, 0,
	    &err) != 0)
		rc = cli_fail(&err, s->a->dry_run);
	else
	{
		printf("document %s: request written to %s, nothing sent\n",
		    s->doc_id, s->a->dry_run);
		seal_doc_print_pq(stdout, "", s->sealing);
	}
	free(text);
	return rc;
}

static int
send_run(struct send_args *a)
{
	struct send s;
	json_t *body = NULL, *ans = NULL;
	int rc;

	memset(&s, 0, sizeof(s));
	s.a = a;
	if ((rc = check_args(&s)) != CLI_OK ||
	    (rc = cli_trust_defaults(&a->trust, "send", 1)) != CLI_OK ||
	    (rc = cli_trust_load(&a->trust)) != CLI_OK ||
	    (rc = cli_xc_open("send", &a->xo, &s.x)) != CLI_OK ||
	    (rc = registry_chain(&s)) != CLI_OK ||
	    (rc = prepare(&s)) != CLI_OK ||
	    (rc = seal(&s)) != CLI_OK ||
	    (rc = make_entries(&s)) != CLI_OK ||
	    (rc = make_body(&s, &body)) != CLI_OK)
		goto out;
	if (a->dry_run != NULL) {
		rc = dry_run(&s, body);
		goto out;
	}
	if ((rc = cli_client_post(s.x.cl, "/v1/documents", body, &ans)) !=
	    CLI_OK)
		goto out;
	rc = take_answer(&s, ans);
out:
	json_decref(body);
	json_decref(ans);
	send_free(&s);
	return rc;
}

int
cmd_send(int argc, char **argv)
{
	static const struct option opts[] = {
		{"level", required_argument, NULL, 'l'},
		{"doc", required_argument, NULL, 'd'},
		{"to", required_argument, NULL, 't'},
		{"compartments", required_argument, NULL, 'm'},
		{"copies-allowed", required_argument, NULL, 'a'},
		{"protect-until", required_argument, NULL, 'u'},
		{"only-named-recipient", no_argument, NULL, 'o'},
		{"allow-classical", no_argument, NULL, OPT_ALLOW_CLASSICAL},
		{"classical", no_argument, NULL, OPT_CLASSICAL},
		{"trust", required_argument, NULL, 'T'},
		{"dry-run", required_argument, NULL, 'D'},
		CLI_XC_LONGOPTS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct send_args a;
	int c;

	memset(&a, 0, sizeof(a));
	while ((c = getopt_long(argc, argv, "l:d:t:k:c:h", opts, NULL)) != -1) {
		if (cli_xc_opt(&a.xo, c, optarg))
			continue;
		switch (c) {
		case 'l': a.level_name = optarg; break;
		case 'd': a.doc = optarg; break;
		case 't':
			if (a.nto == SEND_TO_MAX)
				return cli_usage_error("send", "at most %d --to",
				    SEND_TO_MAX);
			a.to[a.nto++] = optarg;
			break;
		case 'm': a.compartments_arg = optarg; break;
		case 'a':
			if (cy_parse_u64(optarg, strlen(optarg),
			    &a.copies_allowed) != 0 ||
			    a.copies_allowed > 1000000)
				return cli_usage_error("send", "--copies-allowed "
				    "takes 0 to 1000000");
			a.have_allowed = 1;
			break;
		case 'u': a.protect_arg = optarg; break;
		case 'o': a.only_named = 1; break;
		case OPT_ALLOW_CLASSICAL: a.allow_classical = 1; break;
		case OPT_CLASSICAL: a.classical = 1; break;
		case 'T': a.trust.root_path = optarg; break;
		case 'D': a.dry_run = optarg; break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error("send", "invalid option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("send", "give exactly one FILE");
	a.in = argv[optind];
	return send_run(&a);
}
