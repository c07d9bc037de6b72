/* coyeu extend: a document's protection period extended by the
 * originating authority. */
#include <stdio.h>

#include "cli.h"
#include "commands.h"
#include "exchange.h"
#include "lifecycle.h"

static const char usage[] =
    "usage: coyeu extend DOC --until DATE\n"
    "                    [-k KEY] [-c CHAIN] [--passphrase-file F]\n"
    "                    [--registry URL] [--cacert FILE]\n"
    "\n"
    "Extends the protection period of document DOC (its doc-id) to DATE\n"
    "(YYYY-MM-DD, UTC): signs a `doc.extend` entry, which the registry\n"
    "appends once it has checked that the caller is an authority over the\n"
    "originating unit, cleared to the document's level, that DATE is later\n"
    "than the current end and within the level's limit from creation\n"
    "(MẬT 10, TỐI MẬT 20, TUYỆT MẬT 30 years).  Until then no declassify\n"
    "entry is made for it.\n"
    "\n"
    "      --until DATE         the new end of protection (required)\n"
    CLI_XC_USAGE;

int
cmd_extend(int argc, char **argv)
{
	struct lc_opts o;
	cy_entry_field until;
	int rv, done;

	if ((rv = lc_parse("extend", usage, LC_TAKES_UNTIL, argc, argv, &o,
	    &done)) != CLI_OK || done)
		return rv;
	until = (cy_entry_field){"protect-until", o.until};
	return lc_run("extend", "extend", "doc.extend",
	    "extended the protection of", &o, &until, 1);
}
