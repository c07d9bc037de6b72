/* coyeu destroy: a document, or one copy, destroyed by crypto-shredding
 * through the registry (the destruction record, biên bản tiêu hủy). */
#include <stdio.h>

#include "cli.h"
#include "commands.h"
#include "exchange.h"
#include "lifecycle.h"

static const char usage[] =
    "usage: coyeu destroy DOC [--copy N|COPY-ID] --reason TEXT\n"
    "                     [-k KEY] [-c CHAIN] [--passphrase-file F]\n"
    "                     [--registry URL] [--cacert FILE]\n"
    "\n"
    "Destroys document DOC (its doc-id), or with --copy one copy of it, by\n"
    "crypto-shredding: signs a `destroy` entry (method crypto-shred), which\n"
    "the registry appends once it has checked that the caller is the\n"
    "holder's authority (over the copy's recipient), the sender, or an\n"
    "authority over the originating unit.  In the same commit it deletes\n"
    "the copies' sealed secrets (R) and the sealed files no copy needs,\n"
    "marks the copies destroyed and writes the row of the destruction\n"
    "register; then it scrubs its store so that no byte of R survives in\n"
    "its files.  Without R no copy opens again, wherever its file went.\n"
    "\n"
    "      --copy N|COPY-ID     one copy (default: every copy)\n"
    "      --reason TEXT        the ground of the destruction (required)\n"
    CLI_XC_USAGE;

int
cmd_destroy(int argc, char **argv)
{
	struct lc_opts o;
	cy_entry_field f[2];
	int rv, done;

	if ((rv = lc_parse("destroy", usage, LC_TAKES_COPY | LC_TAKES_REASON,
	    argc, argv, &o, &done)) != CLI_OK || done)
		return rv;
	f[0] = (cy_entry_field){"method", "crypto-shred"};
	f[1] = (cy_entry_field){"reason", o.reason};
	return lc_run("destroy", "destroy", "destroy",
	    "destroyed (crypto-shred)", &o, f, 2);
}
