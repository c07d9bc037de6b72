/* coyeu seal --level …: the classified path of the seal command. */
#ifndef COYEU_CLI_SEAL_DOC_H
#define COYEU_CLI_SEAL_DOC_H

#include <stdio.h>

#include "trust.h"

#define CLI_MAX_TO 256

struct seal_doc_args {
	const char *level, *doc, *key, *pass_file, *chain, *compartments;
	const char *protect_until, *copy;
	const char *to[CLI_MAX_TO];
	size_t nto;
	int only_named, armor, threads, allow_mixed_script;
	int allow_classical, classical;
	const char *in, *out;
	struct cli_trust trust;
};

int seal_doc_run(struct seal_doc_args *a);

struct cy_doc_sealing;
/* "<indent>post-quantum: yes (mlkem768x25519)" or "… no (why)": what
 * coyeu seal and coyeu send say of a sealing. */
void seal_doc_print_pq(FILE *f, const char *indent,
    const struct cy_doc_sealing *s);

#endif
