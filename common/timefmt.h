/* Times as people read and type them, shared by the command line and the
 * daemon (not exported from libcoyeu). */
#ifndef COYEU_COMMON_TIMEFMT_H
#define COYEU_COMMON_TIMEFMT_H

#include <stdint.h>

#include "coyeu/canon.h"

/* RFC 3339 UTC into out, "?" if out of range; returns out. */
const char *cmn_time_text(int64_t t, char out[CY_CANON_TIME_LEN + 1]);
/* "2026-11-25T00:00:00Z" or "2026-11-25" (midnight UTC): 0, or -1. */
int cmn_time_parse(const char *s, int64_t *t);
/* Seconds since the epoch, now. */
int64_t cmn_now(void);

#endif
