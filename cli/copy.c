/* coyeu copy: a numbered copy of a document the officer holds, for another
 * officer, through the registry (docs/exchange.md, "Numbered copies").
 *
 * The plaintext comes from a release of the officer's own copy (every
 * open is recorded) into memory (memfd), never a named file; the copy is
 * sealed to one release stanza for the new recipient, signed by the
 * copier, its label saying `copy: N/M form`; R goes to the registry
 * sealed to its key; the copy.issue entry's receipt is verified. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "coyeu/document.h"
#include "coyeu/encoding.h"
#include "coyeu/entry.h"
#include "coyeu/file.h"
#include "coyeu/label.h"
#include "coyeu/level.h"
#include "coyeu/merkle.h"
#include "coyeu/policy.h"
#include "coyeu/release.h"

#include "common/timefmt.h"
#include "cli.h"
#include "client.h"
#include "commands.h"
#include "exchange.h"
#include "keyring.h"
#include "open_release.h"
#include "trust.h"

#define COPY_FILE_MAX ((size_t)1 << 30) /* a sealed copy held to upload */
#define EXCERPT_LINE_MAX 100000000UL

static const char usage[] =
    "usage: coyeu copy DOC-ID --form sao-y|sao-luc|trich-sao --to WHO\n"
    "                  [--excerpt A-B] [-k KEY] [-c CHAIN]\n"
    "                  [--passphrase-file F] [--registry URL] [--cacert FILE]\n"
    "                  [--trust ROOT] [--crl CRL]...\n"
    "\n"
    "Makes the next numbered copy N/M of a document you hold, for officer\n"
    "WHO (a serial, name or unit in the keyring, or a chain file), as the\n"
    "document's copy authorisation allows: M is the recipients plus the\n"
    "further copies the sender authorised.  Your copy is opened through a\n"
    "release (recorded in the register), kept in memory, sealed to WHO with\n"
    "the label `copy: N/M FORM`, signed by you, and registered with a\n"
    "copy.issue entry whose receipt is verified.\n"
    "\n"
    "      --form F             sao-y (true copy), sao-luc (re-copy) or\n"
    "                           trich-sao (an excerpt: needs --excerpt)\n"
    "      --to WHO             the new recipient\n"
    "      --excerpt A-B        trich-sao: lines A to B of the document (from\n"
    "                           1, both included; lines end with LF)\n"
    "      --trust ROOT         the pinned root (default: the keyring's)\n"
    "      --crl CRL            a revocation list (besides the keyring's)\n"
    CLI_XC_USAGE;

static const char *const copy_forms[] = {"sao-y", "sao-luc", "trich-sao",
	NULL};

struct copy_args {
	const char *doc_id, *form, *to, *excerpt;
	struct cli_xc_opts xc;
	unsigned long first_line, last_line;
	struct cli_trust trust;
};

struct copy_run {
	struct copy_args *a;
	struct cli_xc x;
	cy_chain *target, *registry;
	json_t *status;            /* GET /v1/documents/DOC */
	unsigned number, total;    /* N/M */
	char copy[48];             /* "N/M form" */
	int held_fd, plain_fd, sealed_fd;
	cy_doc_sealing *sealing;
	cy_buf entry, secret, file;
};

/* "A-B": 1 <= A <= B. */
static int
parse_excerpt(struct copy_args *a)
{
	char *end;

	a->first_line = strtoul(a->excerpt, &end, 10);
	if (end == a->excerpt || *end != '-')
		goto bad;
	a->last_line = strtoul(end + 1, &end, 10);
	if (*end != '\0' || a->first_line < 1 || a->last_line < a->first_line ||
	    a->last_line > EXCERPT_LINE_MAX)
		goto bad;
	return CLI_OK;
bad:
	return cli_usage_error("copy", "--excerpt: '%s' is not a range of "
	    "lines A-B (1 <= A <= B)", a->excerpt);
}

static int
check_args(struct copy_args *a)
{
	const char *const *f;

	if (a->doc_id == NULL)
		return cli_usage_error("copy", "which document: its doc-id");
	if (!open_release_is_doc_id(a->doc_id))
		return cli_usage_error("copy", "'%s' is not a doc-id (32 "
		    "lowercase hex digits)", a->doc_id);
	if (a->form == NULL)
		return cli_usage_error("copy", "--form: sao-y, sao-luc or "
		    "trich-sao");
	for (f = copy_forms; *f != NULL && strcmp(*f, a->form) != 0; f++)
		;
	if (*f == NULL)
		return cli_usage_error("copy", "--form: '%s' is not sao-y, "
		    "sao-luc or trich-sao", a->form);
	if (a->to == NULL)
		return cli_usage_error("copy", "--to: whom the copy is for");
	if (strcmp(a->form, "trich-sao") == 0 && a->excerpt == NULL)
		return cli_usage_error("copy", "--form trich-sao is an excerpt: "
		    "say which lines with --excerpt A-B");
	if (a->excerpt != NULL && strcmp(a->form, "trich-sao") != 0)
		return cli_conflict("copy", "--excerpt", "--form sao-y/sao-luc",
		    "only an excerpt (trich-sao) leaves lines out");
	return a->excerpt != NULL ? parse_excerpt(a) : CLI_OK;
}

static const char *
jstr(const json_t *o, const char *name)
{
	const char *s = json_string_value(json_object_get(o, name));

	return s != NULL && cli_client_printable(s) ? s : "?";
}

static long long
jint(const json_t *o, const char *name)
{
	return (long long)json_integer_value(json_object_get(o, name));
}

/* The document's state and its copy count (GET /v1/documents/DOC): the
 * next number N/M, refused here as the registry would refuse it. */
static int
next_number(struct copy_run *r)
{
	char path[96];
	json_t *doc;
	long long originals, allowed, made;

	snprintf(path, sizeof(path), "/v1/documents/%s", r->a->doc_id);
	if (cli_client_get(r->x.cl, path, &r->status) != CLI_OK)
		return CLI_FAIL;
	doc = json_object_get(r->status, "document");
	originals = jint(doc, "copies");
	allowed = jint(doc, "copies_allowed");
	made = jint(doc, "copies_made");
	if (originals < 1 || allowed < 0 || made < originals ||
	    originals + allowed > 1000000) {
		cli_warn("the registry's record of document %s has no copy "
		    "count", r->a->doc_id);
		return CLI_FAIL;
	}
	r->number = (unsigned)made + 1;
	r->total = (unsigned)(originals + allowed);
	if (r->number > r->total) {
		cli_warn("copy %u would exceed the %u copies authorised for "
		    "document %s (%lld original%s and %lld further cop%s)",
		    r->number, r->total, jstr(doc, "number"), originals,
		    originals == 1 ? "" : "s", allowed, allowed == 1 ? "y" :
		    "ies");
		return CLI_FAIL;
	}
	snprintf(r->copy, sizeof(r->copy), "%u/%u %s", r->number, r->total,
	    r->a->form);
	return CLI_OK;
}

static int
doc_state(const char *s)
{
	static const struct {
		const char *name;
		int state;
	} states[] = {
		{"live", CY_DOC_LIVE}, {"declassified", CY_DOC_DECLASSIFIED},
		{"recalled", CY_DOC_RECALLED}, {"destroyed", CY_DOC_DESTROYED},
	};
	size_t i;

	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (strcmp(s, states[i].name) == 0)
			return states[i].state;
	return 0; /* the policy refuses it as a bad request */
}

/* The registry's decision, asked of the library first (docs/policy.md,
 * COPY): a copy it would refuse (only-named-recipient, the new
 * recipient's clearance or compartments, TUYỆT MẬT without approvals) is
 * refused before the copier's own copy is released, so no opening is
 * recorded for nothing.  The registry decides again on its own records. */
static int
check_policy(struct copy_run *r)
{
	const json_t *doc = json_object_get(r->status, "document");
	const cy_trust *t = &r->a->trust.trust;
	const char *level = jstr(doc, "level"), *me = r->x.serial;
	cy_policy_party actor, target;
	cy_policy_request prq;
	cy_policy_doc pd;
	cy_error err = {0, ""};
	int64_t now = cmn_now();

	if (cy_chain_verify(r->target, t->root, t->crls, t->ncrls, now, NULL,
	    &err) != 0)
		return cli_fail(&err, "--to");
	if (cy_policy_party_from_cert(cy_chain_get(r->x.chain, 0), t->crls,
	    t->ncrls, &actor) != 0 ||
	    cy_policy_party_from_cert(cy_chain_get(r->target, 0), t->crls,
	    t->ncrls, &target) != 0) {
		cli_warn("cannot read the parties' certificates");
		return CLI_FAIL;
	}
	memset(&pd, 0, sizeof(pd));
	pd.level = cy_level_parse(level, strlen(level));
	pd.unit = jstr(doc, "unit");
	pd.compartments = json_string_value(json_object_get(doc,
	    "compartments"));
	pd.only_named = json_is_true(json_object_get(doc, "only_named"));
	/* The copier holds a copy (the registry checks it): a numbered
	 * copy's holder is not in the original label. */
	pd.recipients = &me;
	pd.nrecipients = 1;
	pd.created = (int64_t)jint(doc, "created");
	pd.protect_until = (int64_t)jint(doc, "protect_until");
	pd.state = doc_state(jstr(doc, "state"));
	memset(&prq, 0, sizeof(prq));
	prq.action = CY_ACT_COPY;
	prq.time = now;
	prq.actor = &actor;
	prq.target = &target;
	prq.doc = &pd;
	if (cy_policy_check(&prq, &err) != 0)
		return cli_fail(&err, "copy refused");
	return CLI_OK;
}

/* A private file in memory: the plaintext never reaches a named file. */
static int
memory_file(const char *name, int *fd)
{
	if ((*fd = memfd_create(name, MFD_CLOEXEC)) < 0) {
		cli_warn("cannot make a file in memory: %m");
		return CLI_FAIL;
	}
	return CLI_OK;
}

/* Lines first..last of the plaintext, into a new memory file that
 * replaces it. */
static int
cut_excerpt(struct copy_run *r)
{
	unsigned long line = 1;
	char buf[65536];
	ssize_t n, i, from;
	int out;

	if (memory_file("coyeu-excerpt", &out) != CLI_OK)
		return CLI_FAIL;
	if (lseek(r->plain_fd, 0, SEEK_SET) != 0)
		goto io;
	while (line <= r->a->last_line &&
	    (n = read(r->plain_fd, buf, sizeof(buf))) > 0) {
		for (i = from = 0; i < n && line <= r->a->last_line; i++) {
			if (buf[i] != '\n')
				continue;
			if (line >= r->a->first_line &&
			    write(out, buf + from, (size_t)(i + 1 - from)) !=
			    i + 1 - from)
				goto io;
			from = i + 1;
			line++;
		}
		if (line >= r->a->first_line && line <= r->a->last_line &&
		    from < n && write(out, buf + from, (size_t)(n - from)) !=
		    n - from)
			goto io;
		if (n < 0)
			goto io;
	}
	if (line < r->a->first_line) {
		cli_warn("--excerpt %s: the document has %lu line%s", r->a->excerpt,
		    line - 1, line == 2 ? "" : "s");
		close(out);
		return CLI_FAIL;
	}
	explicit_bzero(buf, sizeof(buf));
	close(r->plain_fd);
	r->plain_fd = out;
	return lseek(out, 0, SEEK_SET) == 0 ? CLI_OK : CLI_FAIL;
io:
	explicit_bzero(buf, sizeof(buf));
	cli_warn("cannot cut the excerpt: %m");
	close(out);
	return CLI_FAIL;
}

/* The officer's copy, released and opened into memory; its verified
 * label into *info. */
static int
open_own_copy(struct copy_run *r, cy_doc_info *info)
{
	struct open_release o;

	memset(&o, 0, sizeof(o));
	o.cmd = "copy";
	o.key = r->x.key;
	o.chain = r->x.chain;
	o.trust = &r->a->trust.trust;
	o.registry = r->a->xc.url;
	o.cacert = r->a->xc.cacert;
	if (open_release_fetch(&o, r->a->doc_id, &r->held_fd) != CLI_OK ||
	    memory_file("coyeu-copy", &r->plain_fd) != CLI_OK ||
	    open_release_fd(r->held_fd, r->plain_fd, CY_DOC_OPEN_VERIFY_FIRST,
	    &o, info) != CLI_OK)
		return CLI_FAIL;
	if (r->a->excerpt != NULL && cut_excerpt(r) != CLI_OK)
		return CLI_FAIL;
	return lseek(r->plain_fd, 0, SEEK_SET) == 0 ? CLI_OK : CLI_FAIL;
}

/* The sealed copy, read back to be uploaded. */
static int
read_back(int fd, cy_buf *out)
{
	uint8_t buf[65536];
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) != 0)
		goto io;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (out->len + (size_t)n > COPY_FILE_MAX) {
			cli_warn("the sealed copy is over %zu bytes: too large to "
			    "upload", COPY_FILE_MAX);
			return CLI_FAIL;
		}
		cy_buf_append(out, buf, (size_t)n);
	}
	if (n < 0)
		goto io;
	if (cy_buf_status(out) != 0) {
		cli_warn("out of memory");
		return CLI_FAIL;
	}
	return CLI_OK;
io:
	cli_warn("cannot read the sealed copy back: %m");
	return CLI_FAIL;
}

/* Sealed to the new recipient in release mode, as the registered
 * document: its number, level, compartments, handling and protection. */
static int
seal_copy(struct copy_run *r, const cy_label *held)
{
	const json_t *doc = json_object_get(r->status, "document");
	const cy_chain *to[1] = {r->target};
	cy_doc_seal_params p;
	cy_error err = {0, ""};
	size_t refused;

	memset(&p, 0, sizeof(p));
	p.document = cy_label_document(held);
	p.level = cy_label_level(held);
	p.copy = r->copy;
	p.compartments = cy_label_compartments(held);
	p.only_named = cy_label_only_named(held);
	/* A TUYỆT MẬT original its sealer let be classical lets its copies
	 * be (to a recipient without a post-quantum key). */
	p.allow_classical = cy_label_classical_allowed(held);
	/* The registry's: an extension (doc.extend) is not in the label. */
	p.protect_until = (int64_t)jint(doc, "protect_until");
	p.now = cmn_now();
	p.signer = r->x.key;
	p.signer_chain = r->x.chain;
	p.recipients = to;
	p.nrecipients = 1;
	p.trust = &r->a->trust.trust;
	p.release_doc_id = r->a->doc_id;
	if (cy_doc_seal_prepare(&p, &r->sealing, &refused, &err) != 0)
		return cli_fail(&err, refused == CY_DOC_REFUSED_SEALER ?
		    "the copier refused" : "--to refused");
	if ((r->sealed_fd = cy_file_spool(&err)) < 0)
		return cli_fail(&err, "a temporary file");
	if (cy_doc_seal_fd(r->plain_fd, r->sealed_fd, r->sealing, NULL,
	    &err) != 0)
		return cli_fail(&err, "sealing the copy");
	return read_back(r->sealed_fd, &r->file);
}

/* R sealed to the registry, and the copier's copy.issue entry. */
static int
entry_and_secret(struct copy_run *r)
{
	const char *copy_id = cy_doc_sealing_copy_id(r->sealing, 0);
	char number[32], label_hex[2 * CY_HASH_LEN + 1];
	uint8_t hash[CY_HASH_LEN];
	const uint8_t *label;
	size_t label_len;
	cy_error err = {0, ""};
	cy_entry_field f[6] = {
		{"doc-id", r->a->doc_id},
		{"copy-id", copy_id},
		{"copy", number},
		{"form", r->a->form},
		{"recipient", cy_cert_serial(cy_chain_get(r->target, 0))},
		{"label-sha256", label_hex},
	};

	/* The copy's label, signed here as doc.register signs the
	 * document's: its reader checks against it. */
	label = cy_doc_sealing_label(r->sealing, &label_len);
	if (label == NULL || cy_sha256(NULL, label, label_len, hash) != 0) {
		cli_warn("cannot hash the copy's label");
		return CLI_FAIL;
	}
	cy_hex_encode(label_hex, hash, sizeof(hash));

	snprintf(number, sizeof(number), "%u/%u", r->number, r->total);
	if (cy_doc_sealing_release_seal(r->sealing, 0, cy_cert_seal_public(
	    cy_chain_get(r->registry, 0)), &r->secret, &err) != 0)
		return cli_fail(&err, "sealing R to the registry");
	return cli_xc_entry(&r->x, "copy.issue", f, 6, &r->entry);
}

/* POST /v1/documents/DOC/copies, then the receipt of the very entry. */
static int
upload(struct copy_run *r, json_t **ans)
{
	const uint8_t *label;
	size_t label_len;
	char path[96];
	json_t *body;
	int rv;

	label = cy_doc_sealing_label(r->sealing, &label_len);
	body = json_pack("{s:o, s:o, s:[s%], s:[{s:s, s:o}]}",
	    "file", cli_xc_b64(r->file.data, r->file.len),
	    "label", cli_xc_b64(label, label_len),
	    "entries", (const char *)r->entry.data, r->entry.len,
	    "secrets", "copy_id", cy_doc_sealing_copy_id(r->sealing, 0),
	    "sealed", cli_xc_b64(r->secret.data, r->secret.len));
	if (body == NULL) {
		cli_warn("out of memory");
		return CLI_FAIL;
	}
	snprintf(path, sizeof(path), "/v1/documents/%s/copies", r->a->doc_id);
	rv = cli_client_post(r->x.cl, path, body, ans);
	json_decref(body);
	if (rv != CLI_OK)
		return rv;
	if (!json_is_integer(json_object_get(*ans, "index")) ||
	    json_integer_value(json_object_get(*ans, "index")) < 0 ||
	    cli_client_str(r->x.cl, *ans, "receipt") == NULL) {
		cli_warn("the registry answered the copy without its index and "
		    "receipt");
		return CLI_FAIL;
	}
	return cli_receipt_check(r->x.v, (uint64_t)json_integer_value(
	    json_object_get(*ans, "index")), json_string_value(
	    json_object_get(*ans, "receipt")), r->entry.data, r->entry.len);
}

static int
run(struct copy_args *a)
{
	struct copy_run r;
	cy_doc_info info;
	json_t *ans = NULL;
	char line[1024];
	int rv;

	memset(&r, 0, sizeof(r));
	memset(&info, 0, sizeof(info));
	r.a = a;
	r.held_fd = r.plain_fd = r.sealed_fd = -1;
	r.entry = r.secret = r.file = (cy_buf)CY_BUF_INIT;
	if ((rv = cli_trust_defaults(&a->trust, "copy", 1)) != CLI_OK ||
	    (rv = cli_trust_load(&a->trust)) != CLI_OK ||
	    (rv = cli_keyring_load_chain(a->to, "--to", &r.target)) != CLI_OK ||
	    (rv = cli_xc_open("copy", &a->xc, &r.x)) != CLI_OK)
		goto out;
	rv = CLI_FAIL;
	if (next_number(&r) != CLI_OK || check_policy(&r) != CLI_OK ||
	    cli_xc_registry_chain(&r.x, &a->trust.trust, cmn_now(),
	    &r.registry) != CLI_OK ||
	    open_own_copy(&r, &info) != CLI_OK ||
	    seal_copy(&r, info.label) != CLI_OK ||
	    entry_and_secret(&r) != CLI_OK || upload(&r, &ans) != CLI_OK)
		goto out;
	cli_keyring_describe(cy_chain_get(r.target, 0), line, sizeof(line));
	printf("copy %u/%u (%s) for %s; entry %lld (receipt verified)\n",
	    r.number, r.total, a->form, line, jint(ans, "index"));
	rv = CLI_OK;
out:
	if (r.plain_fd >= 0)
		close(r.plain_fd);
	if (r.held_fd >= 0)
		close(r.held_fd);
	if (r.sealed_fd >= 0)
		close(r.sealed_fd);
	cy_doc_info_free(&info);
	cy_doc_sealing_free(r.sealing);
	cy_buf_free(&r.entry);
	cy_buf_free(&r.secret);
	cy_buf_free(&r.file);
	json_decref(ans);
	json_decref(r.status);
	cy_chain_free(r.target);
	cy_chain_free(r.registry);
	cli_xc_close(&r.x);
	cli_trust_free(&a->trust);
	return rv;
}

int
cmd_copy(int argc, char **argv)
{
	static const struct option opts[] = {
		{"form", required_argument, NULL, 'F'},
		{"to", required_argument, NULL, 't'},
		{"excerpt", required_argument, NULL, 'x'},
		CLI_XC_LONGOPTS,
		{"trust", required_argument, NULL, 'T'},
		{"crl", required_argument, NULL, 'L'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct copy_args a;
	int c, rv;

	memset(&a, 0, sizeof(a));
	while ((c = getopt_long(argc, argv, "k:c:h", opts, NULL)) != -1) {
		if (cli_xc_opt(&a.xc, c, optarg))
			continue;
		switch (c) {
		case 'F': a.form = optarg; break;
		case 't': a.to = optarg; break;
		case 'x': a.excerpt = optarg; break;
		case 'T': a.trust.root_path = optarg; break;
		case 'L':
			if ((rv = cli_trust_add_crl(&a.trust, "copy", optarg)) !=
			    CLI_OK)
				return rv;
			break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error("copy", "invalid option");
		}
	}
	if (optind < argc)
		a.doc_id = argv[optind++];
	if (optind < argc)
		return cli_usage_error("copy", "unexpected argument '%s'",
		    argv[optind]);
	if ((rv = check_args(&a)) != CLI_OK)
		return rv;
	return run(&a);
}
