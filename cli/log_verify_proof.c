/* coyeu log verify-proof: a receipt against the exact bytes of a file. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "coyeu/canon.h"
#include "coyeu/entry.h"
#include "coyeu/tlogproof.h"
#include "logcli.h"

static const char usage[] =
    "usage: coyeu log verify-proof --verifier-key VKEY --entry FILE\n"
    "                              [--witness-key VKEY]... [--json] PROOF\n"
    "\n"
    "Checks that the exact bytes of FILE, whatever they hold, are the leaf\n"
    "(record hash SHA-256(0x00 || bytes)) at the index PROOF states, in the\n"
    "tree of the checkpoint PROOF carries, signed by VKEY.  PROOF is a C2SP\n"
    "tlog-proof ('coyeu log prove', or the receipts of 'coyeu log append').\n"
    "Prints the index and the tree size, and the register's signed time of\n"
    "the checkpoint: when it is the checkpoint of the entry's own batch (as\n"
    "in the receipts of 'coyeu log append'), the time the register logged\n"
    "the entry, and whether the entry was imported (signed more than 300 s\n"
    "before; see log append --max-skew).\n"
    "\n"
    "      --verifier-key VKEY  the register's key: name+hex8+base64, or a file\n"
    "      --entry FILE         the entry the proof is about\n"
    "      --witness-key VKEY   require the checkpoint's cosignature by this\n"
    "                           witness (repeatable): its cosignature key\n"
    "                           name+hex8+base64 (type 0x04), its note key, or\n"
    "                           a file\n"
    "      --json               print the result as JSON\n";

/* What the receipt's checkpoint says of the entry's time. */
struct when {
	int batch, imported;
	int64_t t;
};

static int
when_of(uint64_t index, const cy_checkpoint *c, const uint8_t *data,
    size_t len, const char *proof, struct when *w)
{
	memset(w, 0, sizeof(*w));
	/* Only its own batch's checkpoint (the one before it does not hold
	 * the entry) tells when the register logged it. */
	if (cy_entry_verify_time(data, len, &w->t, NULL) != 0 ||
	    !c->has_previous || c->previous > index)
		return CLI_OK;
	w->batch = 1;
	if ((w->imported = cy_log_imported(w->t, c->time)) >= 0)
		return CLI_OK;
	cli_warn("%s: the entry's time lies more than %d s after the register's "
	    "time of its batch: the register should have refused it", proof,
	    CY_LOG_SKEW);
	return CLI_FAIL;
}

static void
print_when(const struct when *w, const cy_checkpoint *c, int json)
{
	char ts[CY_CANON_TIME_LEN + 1] = "?", es[CY_CANON_TIME_LEN + 1] = "?";

	if (json) {
		printf(",\"time\":%llu,\"batch\":%s,\"imported\":%s}\n",
		    (unsigned long long)c->time, w->batch ? "true" : "false",
		    w->imported ? "true" : "false");
		return;
	}
	if (cy_canon_time_format((int64_t)c->time, ts, NULL) != 0)
		ts[0] = '?', ts[1] = '\0';
	if (cy_canon_time_format(w->t, es, NULL) != 0)
		es[0] = '?', es[1] = '\0';
	printf(", %s %s", w->batch ? "logged at" : "by", ts);
	if (w->imported)
		printf(" (imported: signed %s)", es);
	putchar('\n');
}

int
cmd_log_verify_proof(int argc, char **argv)
{
	struct cli_log_verify o;
	uint8_t *data = NULL, *ptext = NULL;
	size_t len = 0, plen = 0, note_len;
	const uint8_t *note;
	cy_tlogproof *p = NULL;
	cy_error err = {0, ""};
	cy_checkpoint c;
	struct when w;
	int rc;

	if ((rc = cli_log_verify_args(argc, argv, "log verify-proof", usage, 1, 1,
	    "one PROOF", &o)) >= 0)
		return rc;
	if ((rc = cli_log_read(o.entry, (size_t)64 << 20, &data, &len)) != CLI_OK ||
	    (rc = cli_log_read(argv[optind], CY_TLOGPROOF_MAX, &ptext,
	    &plen)) != CLI_OK)
		goto out;
	if (cy_tlogproof_parse(ptext, plen, &p, &err) != 0 ||
	    cy_tlogproof_verify(p, o.v, data, len, &c, &err) != 0) {
		rc = cli_fail(&err, argv[optind]);
		goto out;
	}
	note = cy_tlogproof_note(p, &note_len);
	if ((rc = cli_log_require_witnesses(&o, note, note_len,
	    argv[optind])) != CLI_OK)
		goto out;
	if ((rc = when_of(cy_tlogproof_index(p), &c, data, len, argv[optind],
	    &w)) != CLI_OK)
		goto out;
	if (o.json)
		printf("{\"index\":%llu,\"size\":%llu",
		    (unsigned long long)cy_tlogproof_index(p),
		    (unsigned long long)c.size);
	else
		printf("index %llu, tree size %llu: the entry is in the register",
		    (unsigned long long)cy_tlogproof_index(p),
		    (unsigned long long)c.size);
	print_when(&w, &c, o.json);
out:
	cy_tlogproof_free(p);
	cli_log_verify_free(&o);
	free(data);
	free(ptext);
	return rc;
}
