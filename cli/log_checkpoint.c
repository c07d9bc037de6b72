/* coyeu log checkpoint: the register's latest signed checkpoint. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "commands.h"
#include "common/json.h"
#include "coyeu/encoding.h"
#include "io.h"
#include "logcli.h"

static const char usage[] =
    "usage: coyeu log checkpoint [-o FILE] [--json] DB\n"
    "\n"
    "Prints the latest checkpoint of the register DB: a C2SP tlog-checkpoint\n"
    "signed as a C2SP note by the register's key (checked before printing).\n"
    "\n"
    "  -o, --output FILE  write it to FILE (atomically) instead\n"
    "      --json         origin, size, root hash and the register's signed\n"
    "                     time (POSIX seconds) as JSON\n";

int
cmd_log_checkpoint(int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char root[CY_B64_PADDED_LEN(CY_HASH_LEN) + 1];
	const char *out = NULL;
	cy_buf note = CY_BUF_INIT;
	cy_error err = {0, ""};
	cy_checkpoint c;
	cy_log *l = NULL;
	int ch, json = 0, rc;

	while ((ch = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'o': out = optarg; break;
		case 'j': json = 1; break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error("log checkpoint", "invalid option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("log checkpoint", "give one register file DB");
	if ((rc = cli_log_open(argv[optind], CY_LOG_READONLY, &l)) != CLI_OK)
		return rc;
	if (cy_log_checkpoint_latest(l, &note, &c, &err) != 0) {
		rc = cli_fail(&err, "log checkpoint");
	} else if (json) {
		cy_b64_encode(root, c.root, CY_HASH_LEN, 1);
		fputs("{\"origin\":", stdout);
		cmn_json_string(stdout, c.origin);
		printf(",\"size\":%llu,\"root\":\"%s\",\"time\":%llu}\n",
		    (unsigned long long)c.size, root, (unsigned long long)c.time);
	} else {
		rc = cli_write_public(out, note.data, note.len, "checkpoint");
	}
	cy_buf_free(&note);
	cy_log_close(l);
	return rc;
}
