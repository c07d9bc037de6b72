/* coyeu inspect: what a sealed file shows without a key (the outer mark
 * and its stanzas), and with a key the verified inner label. */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "common/json.h"
#include "coyeu/canon.h"
#include "coyeu/document.h"
#include "coyeu/header.h"
#include "coyeu/level.h"
#include "keyring.h"
#include "open_doc.h"

static const char usage[] =
    "usage: coyeu inspect [-l | -k KEY] [--trust ROOT] [--crl F]... [--json]\n"
    "                     FILE\n"
    "\n"
    "Without a key: the outer mark (A, B, C) and the stanza types, which is\n"
    "all anyone can see. With -l or -k: the inner label, after verifying the\n"
    "header, the sealer's signature and chain (no payload is decrypted).\n"
    "Options left out come from the keyring (docs/keyring.md).\n"
    "\n"
    "  -l, --label              the label, opened with the keyring's key\n"
    "  -k, --key KEY            an officer key file that opens FILE\n"
    "      --trust ROOT         the root authority certificate you trust\n"
    "                           (default: the keyring's root.cert)\n"
    "      --crl F              a revocation list (repeatable), added to\n"
    "                           every list in the keyring\n"
    "      --no-keyring-crls    use only the lists given with --crl\n"
    "      --passphrase-file F  the key's passphrase\n"
    "      --json               machine-readable output\n";

enum { OPT_TRUST = 256, OPT_CRL, OPT_JSON, OPT_NO_KR_CRLS };

static const char *
mark_level(char mark)
{
	switch (mark) {
	case 'A': return cy_level_display(CY_LEVEL_TUYET_MAT);
	case 'B': return cy_level_display(CY_LEVEL_TOI_MAT);
	case 'C': return cy_level_display(CY_LEVEL_MAT);
	}
	return NULL;
}

static int
inspect_outer(const char *path, int json)
{
	cy_header h;
	cy_error err = {0, ""};
	char mark = 0;
	size_t i;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		cli_warn("cannot open %s: %m", path);
		return CLI_FAIL;
	}
	if (cy_doc_inspect_fd(fd, &h, &mark, &err) != 0) {
		close(fd);
		return cli_fail(&err, path);
	}
	close(fd);
	if (json) {
		printf("{\"mark\":%s%c%s,\"stanzas\":[", mark ? "\"" : "null",
		    mark ? mark : ' ', mark ? "\"" : "");
		for (i = 0; i < h.nstanzas; i++) {
			fputs(i ? "," : "", stdout);
			cmn_json_string(stdout, h.stanzas[i].type);
		}
		puts("]}");
	} else {
		if (mark)
			printf("outer mark: %c (%s)\n", mark, mark_level(mark));
		else
			puts("outer mark: none (a plain age file)");
		for (i = 0; i < h.nstanzas; i++)
			printf("stanza %zu: %s\n", i + 1, h.stanzas[i].type);
	}
	cy_header_free(&h);
	return CLI_OK;
}

static void
label_json(const cy_doc_info *info)
{
	const cy_label *l = info->label;
	char t[CY_CANON_TIME_LEN + 1];
	size_t i;

	fputs("{\"document\":", stdout);
	cmn_json_string(stdout, cy_label_document(l));
	printf(",\"level\":\"%s\",\"mark\":\"%c\",\"unit\":",
	    cy_level_name(cy_label_level(l)), cy_level_mark(cy_label_level(l)));
	cmn_json_string(stdout, cy_label_unit(l));
	if (cy_canon_time_format(cy_label_created(l), t, NULL) == 0)
		printf(",\"created\":\"%s\"", t);
	if (cy_canon_time_format(cy_label_protect_until(l), t, NULL) == 0)
		printf(",\"protect_until\":\"%s\"", t);
	fputs(",\"copy\":", stdout);
	cmn_json_string(stdout, cy_label_copy(l));
	fputs(",\"compartments\":", stdout);
	cmn_json_string(stdout, cy_label_compartments(l));
	printf(",\"only_named\":%s,\"post_quantum\":%s,"
	    "\"classical_allowed\":%s,\"recipients\":[",
	    cy_label_only_named(l) ? "true" : "false",
	    info->post_quantum ? "true" : "false",
	    cy_label_classical_allowed(l) ? "true" : "false");
	for (i = 0; i < cy_label_recipient_count(l); i++)
		printf("%s\"%s\"", i ? "," : "", cy_label_recipient(l, i));
	fputs("],\"signer\":", stdout);
	cmn_json_cert(stdout, info->signer);
	puts("}");
}

/* Without -k or --label: the outer mark, which needs no key, root or
 * passphrase; options for the label are refused, not ignored. */
static int
outer_only(const struct open_doc_args *a, int json)
{
	const char *opt = a->trust.root_path != NULL ? "--trust" :
	    a->trust.ncrl_paths > 0 ? "--crl" :
	    a->pass_file != NULL ? "--passphrase-file" : NULL;

	if (opt != NULL)
		return cli_conflict("inspect", opt, "the outer mark alone",
		    "it is for the label: add -k KEY or --label");
	return inspect_outer(a->in, json);
}

int
cmd_inspect(int argc, char **argv)
{
	static const struct option opts[] = {
		{"key", required_argument, NULL, 'k'},
		{"label", no_argument, NULL, 'l'},
		{"trust", required_argument, NULL, OPT_TRUST},
		{"crl", required_argument, NULL, OPT_CRL},
		{"no-keyring-crls", no_argument, NULL, OPT_NO_KR_CRLS},
		{"passphrase-file", required_argument, NULL, 'P'},
		{"json", no_argument, NULL, OPT_JSON},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct open_doc_args a;
	cy_doc_info info;
	int c, json = 0, label = 0, rc;

	memset(&a, 0, sizeof(a));
	while ((c = getopt_long(argc, argv, "k:lh", opts, NULL)) != -1) {
		switch (c) {
		case 'k': a.key = optarg; break;
		case 'l': label = 1; break;
		case OPT_TRUST: a.trust.root_path = optarg; break;
		case OPT_CRL:
			if (cli_trust_add_crl(&a.trust, "inspect", optarg) != CLI_OK)
				return CLI_USAGE;
			break;
		case 'P': a.pass_file = optarg; break;
		case OPT_JSON: json = 1; break;
		case OPT_NO_KR_CRLS: a.trust.no_keyring_crls = 1; break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error("inspect", "invalid option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("inspect", "give one FILE");
	a.in = argv[optind];
	if (a.key == NULL && !label)
		return outer_only(&a, json);
	if ((rc = cli_keyring_default("inspect", CLI_KR_KEY, &a.key)) != CLI_OK)
		return rc;
	if ((rc = open_doc_verify(&a, CY_DOC_OPEN_LABEL_ONLY, -1, &info)) !=
	    CLI_OK)
		return rc;
	if (info.label == NULL)
		puts(json ? "{\"label\":null}" : "no label: a plain age file");
	else if (json)
		label_json(&info);
	else
		open_doc_print_label(stdout, &info);
	cy_doc_info_free(&info);
	return CLI_OK;
}
