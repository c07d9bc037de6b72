#include <string.h>
#include <time.h>

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

int64_t
cy_level_protect_limit(int level, int64_t created)
{
	time_t t = (time_t)created;
	struct tm tm;

	if (cy_level_protect_years(level) == 0 || gmtime_r(&t, &tm) == NULL)
		return 0;
	tm.tm_year += cy_level_protect_years(level);
	return (int64_t)timegm(&tm);
}
