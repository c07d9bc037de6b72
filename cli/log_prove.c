/* coyeu log prove: an entry's receipt (C2SP tlog-proof). */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "commands.h"
#include "io.h"
#include "logcli.h"

static const char usage[] =
    "usage: coyeu log prove --index N [--size M] [-o FILE] DB\n"
    "\n"
    "Writes the receipt of entry N: a C2SP tlog-proof (index, inclusion\n"
    "proof, signed checkpoint) against the checkpoint of size M, by default\n"
    "the latest.  'coyeu log verify-proof' checks it.\n"
    "\n"
    "  -n, --index N      the entry's index\n"
    "  -s, --size M       a tree size the register signed a checkpoint at\n"
    "  -o, --output FILE  write to FILE (atomically) instead of stdout\n";

int
cmd_log_prove(int argc, char **argv)
{
	static const struct option opts[] = {
		{"index", required_argument, NULL, 'n'},
		{"size", required_argument, NULL, 's'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *out = NULL;
	uint64_t index = 0, size = 0;
	int c, have_index = 0, rc;
	cy_buf proof = CY_BUF_INIT;
	cy_error err = {0, ""};
	cy_log *l = NULL;

	while ((c = getopt_long(argc, argv, "n:s:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (cli_log_u64("log prove", "--index", optarg, &index) != 0)
				return CLI_USAGE;
			have_index = 1;
			break;
		case 's':
			if (cli_log_u64("log prove", "--size", optarg, &size) != 0)
				return CLI_USAGE;
			if (size == 0)
				return cli_usage_error("log prove",
				    "an empty tree proves nothing: --size must be above 0");
			break;
		case 'o': out = optarg; break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error("log prove", "invalid option");
		}
	}
	if (optind + 1 != argc || !have_index)
		return cli_usage_error("log prove", "give --index N and one DB");
	if ((rc = cli_log_open(argv[optind], CY_LOG_READONLY, &l)) != CLI_OK)
		return rc;
	if (cy_log_receipt(l, index, size, &proof, &err) != 0)
		rc = cli_fail(&err, "log prove");
	else
		rc = cli_write_public(out, proof.data, proof.len, "receipt");
	cy_buf_free(&proof);
	cy_log_close(l);
	return rc;
}
