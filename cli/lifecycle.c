/* coyeu recall, destroy, extend: the officer signs the entry, the
 * registry appends it with the document's new state and answers with its
 * receipt, which must verify against the pinned key before anything is
 * reported done (lifecycle.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "client.h"
#include "common/timefmt.h"
#include "coyeu/canon.h"
#include "coyeu/encoding.h"
#include "coyeu/tlogproof.h"
#include "lifecycle.h"

#define LC_ID_LEN 32
#define LC_FIELDS_MAX 8

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
		{"key", required_argument, NULL, 'k'},
		{"chain", required_argument, NULL, 'c'},
		{"passphrase-file", required_argument, NULL, 'p'},
		{"registry", required_argument, NULL, 'r'},
		{"cacert", required_argument, NULL, 'C'},
		{"copy", required_argument, NULL, 'n'},
		{"reason", required_argument, NULL, 'R'},
		{"until", required_argument, NULL, 'u'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	int64_t t;

	memset(o, 0, sizeof(*o));
	*done = 0;
	while ((c = getopt_long(argc, argv, "k:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': o->key = optarg; break;
		case 'c': o->chain = optarg; break;
		case 'p': o->pass_file = optarg; break;
		case 'r': o->url = optarg; break;
		case 'C': o->cacert = optarg; break;
		case 'n': o->copy = optarg; break;
		case 'R': o->reason = optarg; break;
		case 'u': o->until = optarg; break;
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
	if (!is_id(o->doc))
		return cli_usage_error(cmd, "'%s' is not a doc-id (32 lowercase "
		    "hex digits, as coyeu send and coyeu inbox print)", o->doc);
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

/* The receipt proves this very entry at `index`, under a checkpoint the
 * pinned key signed. */
static int
check_receipt(cli_client *cl, json_t *ans, const cy_buf *entry,
    uint64_t *index)
{
	json_t *ji = json_object_get(ans, "index");
	const char *receipt = json_string_value(json_object_get(ans, "receipt"));
	cy_note_verifier *v = NULL;
	cy_tlogproof *p = NULL;
	cy_checkpoint cp;
	cy_error err = {0, ""};
	int ok;

	if (!json_is_integer(ji) || json_integer_value(ji) < 0 ||
	    receipt == NULL || strlen(receipt) > CY_TLOGPROOF_MAX) {
		cli_warn("the registry at %s answered without an index and a "
		    "receipt", cli_client_url(cl));
		return CLI_FAIL;
	}
	*index = (uint64_t)json_integer_value(ji);
	if (cli_client_verifier(cl, &v) != CLI_OK)
		return CLI_FAIL;
	ok = cy_tlogproof_parse((const uint8_t *)receipt, strlen(receipt), &p,
	    &err) == 0;
	if (ok && cy_tlogproof_index(p) != *index) {
		ok = 0;
		cy_error_set(&err, CY_E_FORMAT, "it proves index %llu, not %llu",
		    (unsigned long long)cy_tlogproof_index(p),
		    (unsigned long long)*index);
	}
	if (ok)
		ok = cy_tlogproof_verify(p, v, entry->data, entry->len, &cp,
		    &err) == 0;
	cy_tlogproof_free(p);
	cy_note_verifier_free(v);
	return ok ? CLI_OK : cli_fail(&err, "the registry's receipt does not "
	    "verify");
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
	char now[CY_CANON_TIME_LEN + 1], copy_id[LC_ID_LEN + 1], path[128];
	cli_client *cl = NULL;
	cy_key *key = NULL;
	cy_chain *chain = NULL;
	char *text = NULL, *b64 = NULL;
	cy_buf entry = CY_BUF_INIT;
	json_t *body = NULL, *ans = NULL;
	cy_error err = {0, ""};
	uint64_t index;
	size_t n = 0, i;
	int rv;

	if ((rv = cli_client_open(cmd, o->url, o->cacert, &cl)) != CLI_OK ||
	    (rv = cli_client_officer(cmd, o->key, o->chain, o->pass_file, &key,
	    &chain, &text)) != CLI_OK)
		goto out;
	rv = CLI_FAIL;
	cli_client_sign_with(cl, key, cy_cert_serial(cy_chain_get(chain, 0)));
	if (o->copy != NULL && (rv = resolve_copy(cl, o, copy_id)) != CLI_OK)
		goto out;
	rv = CLI_FAIL;
	if (cy_canon_time_format(cmn_now(), now, &err) != 0) {
		cli_fail(&err, "the clock");
		goto out;
	}
	f[n++] = (cy_entry_field){"time", now};
	f[n++] = (cy_entry_field){"actor", cy_cert_serial(cy_chain_get(chain,
	    0))};
	f[n++] = (cy_entry_field){"doc-id", o->doc};
	if (o->copy != NULL)
		f[n++] = (cy_entry_field){"copy-id", copy_id};
	for (i = 0; i < nextra && n < LC_FIELDS_MAX; i++)
		f[n++] = extra[i];
	if (cy_entry_create(type, f, n, key, &entry, &err) != 0) {
		cli_fail(&err, "the entry");
		goto out;
	}
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
	if (cli_client_post(cl, path, body, &ans) != CLI_OK ||
	    check_receipt(cl, ans, &entry, &index) != CLI_OK)
		goto out;
	report(what, o, ans, index);
	rv = CLI_OK;
out:
	json_decref(body);
	json_decref(ans);
	cy_buf_free(&entry);
	free(b64);
	free(text);
	cy_key_free(key);
	cy_chain_free(chain);
	cli_client_free(cl);
	return rv;
}
