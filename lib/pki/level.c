#include <stdio.h>
#include <string.h>

#include "coyeu/canon.h"
#include "coyeu/level.h"

static const struct {
	const char *name, *display;
	char mark;
	int years;
} levels[] = {
	{"mat", "MẬT", 'C', 10},
	{"toi-mat", "TỐI MẬT", 'B', 20},
	{"tuyet-mat", "TUYỆT MẬT", 'A', 30},
};

#define NLEVELS ((int)(sizeof(levels) / sizeof(levels[0])))

int
cy_level_parse(const char *p, size_t len)
{
	int i;

	for (i = 0; i < NLEVELS; i++)
		if (strlen(levels[i].name) == len &&
		    memcmp(levels[i].name, p, len) == 0)
			return i + 1;
	return 0;
}

const char *
cy_level_name(int level)
{
	return level >= 1 && level <= NLEVELS ? levels[level - 1].name : NULL;
}

const char *
cy_level_display(int level)
{
	return level >= 1 && level <= NLEVELS ? levels[level - 1].display : NULL;
}

char
cy_level_mark(int level)
{
	return level >= 1 && level <= NLEVELS ? levels[level - 1].mark : 0;
}

int
cy_level_protect_years(int level)
{
	return level >= 1 && level <= NLEVELS ? levels[level - 1].years : 0;
}

/* created + years, by the calendar: the year digits of the canonical
 * time moved on; 29 February onto a common year is 1 March. */
int64_t
cy_level_protect_limit(int level, int64_t created)
{
	char t[CY_CANON_TIME_LEN + 1], y[16];
	int years = cy_level_protect_years(level), year;
	int64_t cap;

	if (years == 0 || cy_canon_time_format(created, t, NULL) != 0)
		return 0;
	year = (t[0] - '0') * 1000 + (t[1] - '0') * 100 + (t[2] - '0') * 10 +
	    (t[3] - '0') + years;
	if (year > 9999)
		return 0;
	snprintf(y, sizeof(y), "%04d", year);
	memcpy(t, y, 4);
	if (cy_canon_time_parse(t, CY_CANON_TIME_LEN, &cap, NULL) == 0)
		return cap;
	if (memcmp(t + 4, "-02-29", 6) != 0)
		return 0;
	t[9] = '8';
	if (cy_canon_time_parse(t, CY_CANON_TIME_LEN, &cap, NULL) != 0)
		return 0;
	return cap + 86400;
}
