/* Times as people read and type them (RFC 3339 UTC). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/timefmt.h"

const char *
cmn_time_text(int64_t t, char out[CY_CANON_TIME_LEN + 1])
{
	if (cy_canon_time_format(t, out, NULL) != 0)
		snprintf(out, CY_CANON_TIME_LEN + 1, "?");
	return out;
}

int64_t
cmn_now(void)
{
	return (int64_t)time(NULL);
}

int
cmn_time_parse(const char *s, int64_t *t)
{
	char full[CY_CANON_TIME_LEN + 1];

	if (strlen(s) == 10) {
		snprintf(full, sizeof(full), "%.10sT00:00:00Z", s);
		s = full;
	}
	return cy_canon_time_parse(s, strlen(s), t, NULL) == 0 ? 0 : -1;
}
