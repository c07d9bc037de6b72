/* coyeu log consistency: a proof that one tree size extends another. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "commands.h"
#include "coyeu/encoding.h"
#include "io.h"
#include "logcli.h"

static const char usage[] =
    "usage: coyeu log consistency --old N [--new M] [-o FILE] DB\n"
    "\n"
    "Writes the RFC 9162 consistency proof from the tree of N entries to the\n"
    "tree of M (default: the latest checkpoint's size), one base64 hash a\n"
    "line.  The proof is empty when N is 0 or N equals M.\n"
    "\n"
    "      --old N        the older tree size\n"
    "      --new M        the newer tree size\n"
    "  -o, --output FILE  write to FILE (atomically) instead of stdout\n";

int
cmd_log_consistency(int argc, char **argv)
{
	static const struct option opts[] = {
		{"old", required_argument, NULL, 'O'},
		{"new", required_argument, NULL, 'N'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	uint8_t proof[CY_MERKLE_PROOF_MAX][CY_HASH_LEN];
	char line[CY_B64_PADDED_LEN(CY_HASH_LEN) + 2];
	const char *out = NULL;
	uint64_t size1 = 0, size2 = 0;
	int c, have_old = 0, have_new = 0, rc;
	cy_buf text = CY_BUF_INIT, note = CY_BUF_INIT;
	cy_error err = {0, ""};
	cy_checkpoint latest;
	cy_log *l = NULL;
	size_t n = 0, i;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'O':
			if (cli_log_u64("log consistency", "--old", optarg, &size1) != 0)
				return CLI_USAGE;
			have_old = 1;
			break;
		case 'N':
			if (cli_log_u64("log consistency", "--new", optarg, &size2) != 0)
				return CLI_USAGE;
			have_new = 1;
			break;
		case 'o': out = optarg; break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error("log consistency", "invalid option");
		}
	}
	if (optind + 1 != argc || !have_old)
		return cli_usage_error("log consistency", "give --old N and one DB");
	if ((rc = cli_log_open(argv[optind], CY_LOG_READONLY, &l)) != CLI_OK)
		return rc;
	if (!have_new) {
		if (cy_log_checkpoint_latest(l, &note, &latest, &err) != 0) {
			rc = cli_fail(&err, "log consistency");
			goto out;
		}
		size2 = latest.size;
	}
	if (size1 > size2) {
		rc = cli_usage_error("log consistency", "--old %llu is above --new %llu",
		    (unsigned long long)size1, (unsigned long long)size2);
		goto out;
	}
	/* From the empty tree there is nothing to prove. */
	if (size1 > 0 && cy_log_consistency_proof(l, size1, size2, proof, &n,
	    &err) != 0) {
		rc = cli_fail(&err, "log consistency");
		goto out;
	}
	for (i = 0; i < n; i++) {
		cy_b64_encode(line, proof[i], CY_HASH_LEN, 1);
		cy_buf_printf(&text, "%s\n", line);
	}
	rc = cli_write_public(out, text.data, text.len, "consistency proof");
out:
	cy_buf_free(&note);
	cy_buf_free(&text);
	cy_log_close(l);
	return rc;
}
