/* coyeu recall: a document, or one copy, recalled through the registry. */
#include <stdio.h>

#include "cli.h"
#include "commands.h"
#include "exchange.h"
#include "lifecycle.h"

static const char usage[] =
    "usage: coyeu recall DOC [--copy N|COPY-ID] --reason TEXT\n"
    "                    [-k KEY] [-c CHAIN] [--passphrase-file F]\n"
    "                    [--registry URL] [--cacert FILE]\n"
    "\n"
    "Recalls document DOC (its doc-id), or with --copy one copy of it (its\n"
    "number N or N/M, or its copy-id): signs a `recall` entry, which the\n"
    "registry appends once it has checked that the caller is the sender or\n"
    "an authority over the originating unit.  In the same commit it deletes\n"
    "the copies' sealed secrets (R) and marks them recalled; then it\n"
    "scrubs its store.  Every later release is refused with \"recalled on\n"
    "DATE by NAME: REASON\".  The receipt must verify against the pinned\n"
    "verifier key before the recall is reported done.\n"
    "\n"
    "      --copy N|COPY-ID     one copy (default: every copy)\n"
    "      --reason TEXT        why (into the register; required)\n"
    CLI_XC_USAGE;

int
cmd_recall(int argc, char **argv)
{
	struct lc_opts o;
	cy_entry_field reason;
	int rv, done;

	if ((rv = lc_parse("recall", usage, LC_TAKES_COPY | LC_TAKES_REASON,
	    argc, argv, &o, &done)) != CLI_OK || done)
		return rv;
	reason = (cy_entry_field){"reason", o.reason};
	return lc_run("recall", "recall", "recall", "recalled", &o, &reason, 1);
}
