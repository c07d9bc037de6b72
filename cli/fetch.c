/* coyeu fetch: download the officer's sealed copy of a document, check it
 * against what the registry registered, and acknowledge its receipt
 * (doc.receive, docs/exchange.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "coyeu/document.h"
#include "coyeu/encoding.h"
#include "coyeu/file.h"
#include "coyeu/header.h"
#include "coyeu/level.h"
#include "coyeu/merkle.h"
#include "coyeu/release.h"
#include "exchange.h"

/* The largest sealed file fetched (the registry's doc_max may be set
 * higher than its default; this is the client's own cap). */
#define FETCH_FILE_MAX ((size_t)1024 * 1024 * 1024)

static const char usage[] =
    "usage: coyeu fetch DOC [--copy COPY] [-o FILE] [-k KEY] [-c CHAIN]\n"
    "                  [--registry URL]\n"
    "\n"
    "Downloads the officer's sealed copy of document DOC (GET\n"
    "/v1/documents/DOC/file) into FILE (default DOC.age, written\n"
    "atomically), after checking it: its SHA-256 must be the registered\n"
    "sealed-sha256, its outer mark the document's level, and its header\n"
    "must hold this copy's release stanza.  Then, the first time, it\n"
    "acknowledges receipt with a signed doc.receive entry saying whether\n"
    "the check passed (integrity ok or mismatch); the sender sees it in\n"
    "coyeu status.  A copy that fails the check is not written: exit 1.\n"
    "\n"
    "      --copy COPY          which copy, when the officer holds several\n"
    "                           (its copy-id, or N/M)\n"
    "  -o, --output FILE        where to write the sealed copy\n"
    CLI_XC_USAGE;

static const char *
jstr(const json_t *o, const char *name)
{
	const char *v = json_string_value(json_object_get(o, name));

	return v != NULL ? v : "";
}

/* The officer's copy of doc_id in the inbox (copy: a copy-id, N/M or
 * NULL when there is one). */
static int
find_copy(struct cli_xc *x, const char *doc_id, const char *copy,
    json_t **out)
{
	json_t *ans = NULL, *docs, *d, *found = NULL;
	size_t i, n = 0;
	int rc = CLI_FAIL;

	if (cli_client_get(x->cl, "/v1/inbox", &ans) != CLI_OK)
		return CLI_FAIL;
	docs = json_object_get(ans, "documents");
	for (i = 0; i < json_array_size(docs); i++) {
		d = json_array_get(docs, i);
		if (strcmp(jstr(d, "doc_id"), doc_id) != 0)
			continue;
		if (copy != NULL && strcmp(copy, jstr(d, "copy_id")) != 0 &&
		    strcmp(copy, jstr(d, "copy")) != 0)
			continue;
		found = d;
		n++;
	}
	if (n == 0)
		cli_warn("no copy of document %s%s%s in your inbox at %s", doc_id,
		    copy ? " numbered " : "", copy ? copy : "",
		    cli_client_url(x->cl));
	else if (n > 1)
		cli_warn("you hold %zu copies of document %s: say which with "
		    "--copy (coyeu inbox lists them)", n, doc_id);
	else {
		*out = json_incref(found);
		rc = CLI_OK;
	}
	json_decref(ans);
	return rc;
}

/* Whether the file is what was registered: its hash, its mark, and this
 * copy's release stanza in its header.  why says what differs. */
static int
integrity(const uint8_t *file, size_t len, const json_t *item, char *why,
    size_t cap)
{
	const char *want = json_string_value(json_object_get(item,
	    "sealed_sha256"));
	const char *level = json_string_value(json_object_get(item, "level"));
	const char *doc_id = json_string_value(json_object_get(item, "doc_id"));
	const char *copy_id = json_string_value(json_object_get(item,
	    "copy_id"));
	char d[CY_RELEASE_ID_SIZE], c[CY_RELEASE_ID_SIZE], hex[65], mark = 0;
	uint8_t h[CY_HASH_LEN];
	cy_header hdr;
	cy_error err = {0, ""};
	size_t i;
	int fd, ok = 0;

	if (cy_sha256(NULL, file, len, h) != 0)
		return snprintf(why, cap, "SHA-256 failed"), 0;
	cy_hex_encode(hex, h, sizeof(h));
	if (want == NULL || strcmp(hex, want) != 0)
		return snprintf(why, cap, "its SHA-256 is %s, the registered "
		    "sealed-sha256 is %s", hex, want ? want : "absent"), 0;
	if ((fd = cy_file_spool(&err)) < 0)
		return snprintf(why, cap, "%s", err.msg), 0;
	memset(&hdr, 0, sizeof(hdr));
	if (cy_write_all(fd, file, len) != 0 || lseek(fd, 0, SEEK_SET) != 0 ||
	    cy_doc_inspect_fd(fd, &hdr, &mark, &err) != 0) {
		/* A long reason is cut: the check's verdict stands. */
		if (snprintf(why, cap, "its header: %s", err.msg) < 0)
			why[0] = '\0';
		close(fd);
		return 0;
	}
	close(fd);
	if (level == NULL ||
	    mark != cy_level_mark(cy_level_parse(level, strlen(level))))
		snprintf(why, cap, "its outer mark %c is not the level %s's",
		    mark ? mark : '-', level ? level : "?");
	else {
		for (i = 0; i < hdr.nstanzas && !ok; i++)
			ok = cy_release_stanza_ids(&hdr.stanzas[i], d, c,
			    &err) == 0 && strcmp(d, doc_id) == 0 &&
			    strcmp(c, copy_id) == 0;
		if (!ok)
			snprintf(why, cap, "its header has no release stanza "
			    "for copy %s", copy_id);
	}
	cy_header_free(&hdr);
	return ok;
}

/* doc.receive with the check's result; its receipt against the pin. */
static int
acknowledge(struct cli_xc *x, const json_t *item, int ok)
{
	const char *doc_id = json_string_value(json_object_get(item, "doc_id"));
	cy_entry_field f[3] = {{"doc-id", doc_id},
		{"copy-id", json_string_value(json_object_get(item, "copy_id"))},
		{"integrity", ok ? "ok" : "mismatch"}};
	cy_buf entry = CY_BUF_INIT;
	json_t *body = NULL, *ans = NULL, *ji;
	char path[128];
	int rc = CLI_FAIL;

	snprintf(path, sizeof(path), "/v1/documents/%s/receive", doc_id);
	if (cli_xc_entry(x, "doc.receive", f, 3, &entry) != CLI_OK)
		goto out;
	if ((body = json_pack("{s:s%}", "entry", (const char *)entry.data,
	    entry.len)) == NULL) {
		cli_warn("out of memory");
		goto out;
	}
	if (cli_client_post(x->cl, path, body, &ans) != CLI_OK)
		goto out;
	ji = json_object_get(ans, "index");
	if (!json_is_integer(ji) || json_integer_value(ji) < 0) {
		cli_warn("the registry at %s answered without an index",
		    cli_client_url(x->cl));
		goto out;
	}
	if (cli_receipt_check(x->v, (uint64_t)json_integer_value(ji),
	    json_string_value(json_object_get(ans, "receipt")), entry.data,
	    entry.len) != CLI_OK)
		goto out;
	printf("receipt acknowledged: index %lld (integrity %s)\n",
	    (long long)json_integer_value(ji), ok ? "ok" : "mismatch");
	rc = CLI_OK;
out:
	json_decref(body);
	json_decref(ans);
	cy_buf_free(&entry);
	return rc;
}

static int
fetch_run(struct cli_xc *x, const char *doc_id, const char *copy,
    const char *out)
{
	json_t *item = NULL;
	cy_buf file = CY_BUF_INIT;
	cy_error err = {0, ""};
	char path[256], name[64], why[512];
	const char *state;
	int rc, ok;

	if ((rc = find_copy(x, doc_id, copy, &item)) != CLI_OK)
		return rc;
	snprintf(path, sizeof(path), "/v1/documents/%s/file?copy=%s", doc_id,
	    json_string_value(json_object_get(item, "copy_id")));
	if ((rc = cli_client_get_bytes(x->cl, path, FETCH_FILE_MAX, &file)) !=
	    CLI_OK)
		goto out;
	ok = integrity(file.data, file.len, item, why, sizeof(why));
	if (ok) {
		if (out == NULL) {
			snprintf(name, sizeof(name), "%s.age", doc_id);
			out = name;
		}
		if (cy_file_write(out, file.data, file.len, 0644, 0, &err) != 0) {
			rc = cli_fail(&err, out);
			goto out;
		}
		printf("fetched copy %s of document %s (%s) from %s into %s\n",
		    cli_xc_safe(item, "copy"), cli_xc_safe(item, "number"),
		    cli_xc_safe(item, "level"), cli_xc_safe(item, "from_unit"), out);
	} else
		cli_warn("copy %s of document %s does not match what was "
		    "registered: %s", cli_xc_safe(item, "copy"), doc_id, why);
	state = json_string_value(json_object_get(item, "state"));
	if (state != NULL && strcmp(state, "delivered") == 0)
		rc = acknowledge(x, item, ok);
	if (!ok)
		rc = CLI_FAIL;
out:
	cy_buf_free(&file);
	json_decref(item);
	return rc;
}

int
cmd_fetch(int argc, char **argv)
{
	static const struct option opts[] = {
		{"copy", required_argument, NULL, 'n'},
		{"output", required_argument, NULL, 'o'},
		CLI_XC_LONGOPTS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cli_xc_opts xo;
	struct cli_xc x;
	const char *copy = NULL, *out = NULL;
	int c, rc;

	memset(&xo, 0, sizeof(xo));
	while ((c = getopt_long(argc, argv, "o:k:c:h", opts, NULL)) != -1) {
		if (cli_xc_opt(&xo, c, optarg))
			continue;
		switch (c) {
		case 'n': copy = optarg; break;
		case 'o':
			if (cli_check_path("fetch", "-o", optarg) != CLI_OK)
				return CLI_USAGE;
			out = optarg;
			break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error("fetch", "invalid option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("fetch", "give one DOC");
	if ((rc = cli_xc_doc_id("fetch", argv[optind])) != CLI_OK)
		return rc;
	if ((rc = cli_xc_open("fetch", &xo, &x)) == CLI_OK)
		rc = fetch_run(&x, argv[optind], copy, out);
	cli_xc_close(&x);
	return rc;
}
