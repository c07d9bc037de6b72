/* coyeu recall, destroy, extend: the officer signs the entry, the
 * registry appends it with the document's new state and answers with its
 * receipt, which must verify against the pinned key before anything is
 * reported done (lifecycle.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common/timefmt.h"
#include "coyeu/encoding.h"
#include "coyeu/tlogproof.h"
#include "exchange.h"
#include "lifecycle.h"

#define LC_ID_LEN 32
#define LC_FIELDS_MAX 4

enum { OPT_COPY = 1000, OPT_REASON, OPT_UNTIL };

static int
is_id(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == LC_ID_LEN;
}

int
lc_parse(const char *cmd, const char *usage, int takes, int argc,
    char **argv, struct lc_opts *o, int *done)
{
	static const struct option opts[] = {
		CLI_XC_LONGOPTS,
		{"copy", required_argument, NULL, OPT_COPY},
		{"reason", required_argument, NULL, OPT_REASON},
		{"until", required_argument, NULL, OPT_UNTIL},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	int64_t t;

	memset(o, 0, sizeof(*o));
	*done = 0;
	while ((c = getopt_long(argc, argv, "k:c:h", opts, NULL)) != -1) {
		if (cli_xc_opt(&o->xc, c, optarg))
			continue;
		switch (c) {
		case OPT_COPY: o->copy = optarg; break;
		case OPT_REASON: o->reason = optarg; break;
		case OPT_UNTIL: o->until = optarg; break;
		case 'h': fputs(usage, stdout); *done = 1; return CLI_OK;
		default: return cli_usage_error(cmd, "invalid option");
		}
	}
	if (o->copy != NULL && !(takes & LC_TAKES_COPY))
		return cli_usage_error(cmd, "--copy: %s applies to the whole "
		    "document", cmd);
	if (o->reason != NULL && !(takes & LC_TAKES_REASON))
		return cli_usage_error(cmd, "--reason does not apply");
	if (o->until != NULL && !(takes & LC_TAKES_UNTIL))
		return cli_usage_error(cmd, "--until does not apply");
	if (optind + 1 != argc)
		return cli_usage_error(cmd, optind == argc ? "which document? "
		    "give its doc-id" : "unexpected argument '%s'",
		    argv[optind + 1 < argc ? optind + 1 : optind]);
	o->doc = argv[optind];
	if (cli_xc_doc_id(cmd, o->doc) != CLI_OK)
		return CLI_USAGE;
	if ((takes & LC_TAKES_REASON) && o->reason == NULL)
		return cli_usage_error(cmd, "--reason TEXT is required: it goes "
		    "into the register");
	if (o->reason != NULL && cli_text_option("--reason", o->reason, 1) !=
	    CLI_OK)
		return CLI_USAGE;
	if ((takes & LC_TAKES_UNTIL) && (o->until == NULL ||
	    strlen(o->until) != 10 || cmn_time_parse(o->until, &t) != 0))
		return cli_usage_error(cmd, "--until DATE is required, as "
		    "YYYY-MM-DD (UTC)");
	return CLI_OK;
}

/* The copy-id of --copy: given as one, or the copy numbered N (or N/M)
 * in the document's status. */
static int
resolve_copy(cli_client *cl, const struct lc_opts *o, char id[LC_ID_LEN + 1])
{
	char path[128];
	json_t *ans = NULL, *cp;
	const char *num, *cid, *slash;
	size_t i, n = strcspn(o->copy, "/");
	int rv = CLI_FAIL;

	if (is_id(o->copy)) {
		memcpy(id, o->copy, LC_ID_LEN + 1);
		return CLI_OK;
	}
	if (n == 0 || strspn(o->copy, "0123456789") != n)
		return cli_usage_error("copy", "--copy '%s': give a copy number "
		    "(2 or 2/3) or a copy-id", o->copy);
	snprintf(path, sizeof(path), "/v1/documents/%s", o->doc);
	if (cli_client_get(cl, path, &ans) != CLI_OK)
		goto out;
	json_array_foreach(json_object_get(ans, "copies"), i, cp) {
		num = json_string_value(json_object_get(cp, "copy"));
		cid = json_string_value(json_object_get(cp, "copy_id"));
		if (num == NULL || cid == NULL || !is_id(cid))
			continue;
		slash = strchr(num, '/');
		if (o->copy[n] == '/' ? strcmp(num, o->copy) == 0 :
		    (slash != NULL && (size_t)(slash - num) == n &&
		    strncmp(num, o->copy, n) == 0)) {
			memcpy(id, cid, LC_ID_LEN + 1);
			rv = CLI_OK;
			goto out;
		}
	}
	cli_warn("document %s has no copy %s", o->doc, o->copy);
out:
	json_decref(ans);
	return rv;
}

/* The answer's index and receipt, which must prove this very entry under
 * a checkpoint the pinned key signed. */
static int
check_receipt(const struct cli_xc *x, json_t *ans, const cy_buf *entry,
    uint64_t *index)
{
	json_t *ji = json_object_get(ans, "index");
	const char *receipt = json_string_value(json_object_get(ans, "receipt"));

	if (!json_is_integer(ji) || json_integer_value(ji) < 0 ||
	    receipt == NULL || strlen(receipt) > CY_TLOGPROOF_MAX) {
		cli_warn("the registry at %s answered without an index and a "
		    "receipt", cli_client_url(x->cl));
		return CLI_FAIL;
	}
	*index = (uint64_t)json_integer_value(ji);
	return cli_receipt_check(x->v, *index, receipt, entry->data,
	    entry->len);
}

static void
report(const char *what, const struct lc_opts *o, json_t *ans, uint64_t index)
{
	const char *number = json_string_value(json_object_get(ans, "number"));
	const char *until = json_string_value(json_object_get(ans,
	    "protect_until"));
	json_t *copies = json_object_get(ans, "copies"), *c;
	size_t i, n = json_array_size(copies);

	if (number == NULL || !cli_client_printable(number))
		number = "document";
	printf("%s ", what);
	if (o->copy != NULL && n == 1)
		printf("copy %s of ", json_string_value(json_array_get(copies,
		    0)));
	printf("%s (doc-id %s)", number, o->doc);
	if (o->copy == NULL && n > 0) {
		printf(", cop%s", n == 1 ? "y" : "ies");
		json_array_foreach(copies, i, c)
			printf("%s %s", i == 0 ? "" : ",", json_string_value(c));
	}
	if (until != NULL && cli_client_printable(until))
		printf(" until %s", until);
	printf("; entry %llu\n", (unsigned long long)index);
	if (json_is_false(json_object_get(ans, "scrubbed")))
		cli_warn("warning: the registry could not scrub its store yet "
		    "(its log says why); the deleted secrets are gone from the "
		    "register's records, and its next scrub removes their "
		    "bytes from the files");
}

int
lc_run(const char *cmd, const char *route, const char *type,
    const char *what, const struct lc_opts *o, const cy_entry_field *extra,
    size_t nextra)
{
	cy_entry_field f[LC_FIELDS_MAX];
	char copy_id[LC_ID_LEN + 1], path[128];
	struct cli_xc x;
	char *b64 = NULL;
	cy_buf entry = CY_BUF_INIT;
	json_t *body = NULL, *ans = NULL;
	uint64_t index;
	size_t n = 0, i;
	int rv;

	memset(&x, 0, sizeof(x));
	if ((rv = cli_xc_open(cmd, &o->xc, &x)) != CLI_OK ||
	    (o->copy != NULL && (rv = resolve_copy(x.cl, o, copy_id)) !=
	    CLI_OK))
		goto out;
	rv = CLI_FAIL;
	f[n++] = (cy_entry_field){"doc-id", o->doc};
	if (o->copy != NULL)
		f[n++] = (cy_entry_field){"copy-id", copy_id};
	for (i = 0; i < nextra && n < LC_FIELDS_MAX; i++)
		f[n++] = extra[i];
	if (cli_xc_entry(&x, type, f, n, &entry) != CLI_OK)
		goto out;
	if ((b64 = malloc(CY_B64_PADDED_LEN(entry.len) + 1)) == NULL) {
		cli_warn("out of memory");
		goto out;
	}
	cy_b64_encode(b64, entry.data, entry.len, 1);
	snprintf(path, sizeof(path), "/v1/documents/%s/%s", o->doc, route);
	if ((body = json_pack("{s:s}", "entry", b64)) == NULL) {
		cli_warn("out of memory");
		goto out;
	}
	if (cli_client_post(x.cl, path, body, &ans) != CLI_OK ||
	    check_receipt(&x, ans, &entry, &index) != CLI_OK)
		goto out;
	report(what, o, ans, index);
	rv = CLI_OK;
out:
	json_decref(body);
	json_decref(ans);
	cy_buf_free(&entry);
	free(b64);
	cli_xc_close(&x);
	return rv;
}
