/* JSON output shared by the command line and the daemon (not exported
 * from libcoyeu). */
#ifndef COYEU_COMMON_JSON_H
#define COYEU_COMMON_JSON_H

#include <stdio.h>

#include "coyeu/cert.h"

/* A JSON string literal: quotes, backslashes and controls escaped. */
void cmn_json_string(FILE *f, const char *s);
/* A certificate as one JSON object. */
void cmn_json_cert(FILE *f, const cy_cert *c);

#endif
