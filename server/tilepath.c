/* Tile paths and numbers as requests spell them (tilepath.c): no
 * dependency beyond libcoyeu, so fuzz/fuzz_tilepath.c can take it whole. */
#include <string.h>

#include "coyeu/tiles.h"
#include "tilepath.h"

/* A decimal number without sign, spaces or leading zeros (but "0"). */
int
cyd_parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t n = 0;
	size_t i;

	if (len == 0 || len > 20 || (s[0] == '0' && len > 1))
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' ||
		    n > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		n = n * 10 + (uint64_t)(s[i] - '0');
	}
	*out = n;
	return 0;
}

/* "<L>/<N>[.p/<W>]" or "entries/<N>[.p/<W>]" after "/tile/": read
 * loosely, then accepted only if it is exactly the path cy_tile_path
 * makes of what was read, so every other spelling is refused. */
int
cyd_tile_parse(const char *path, int *level, uint64_t *index, unsigned *width)
{
	char canon[CY_TILE_PATH_MAX];
	const char *p = path + strlen("/tile/"), *slash, *dotp;
	uint64_t n = 0, v;

	if (strncmp(p, "entries/", 8) == 0) {
		*level = CY_TILE_ENTRIES;
		p += 8;
	} else {
		if ((slash = strchr(p, '/')) == NULL ||
		    cyd_parse_u64(p, (size_t)(slash - p), &v) != 0 ||
		    v >= TILE_LEVELS)
			return -1;
		*level = (int)v;
		p = slash + 1;
	}
	*width = TILE_WIDTH;
	for (;;) {
		int more = *p == 'x'; /* "x123/" groups precede the last */

		p += more;
		if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9' ||
		    p[2] < '0' || p[2] > '9')
			return -1;
		v = (uint64_t)(p[0] - '0') * 100 + (uint64_t)(p[1] - '0') * 10 +
		    (uint64_t)(p[2] - '0');
		if (n > (UINT64_MAX - v) / 1000)
			return -1;
		n = n * 1000 + v;
		p += 3;
		if (!more)
			break;
		if (*p++ != '/')
			return -1;
	}
	if ((dotp = p)[0] == '.') {
		if (strncmp(dotp, ".p/", 3) != 0 ||
		    cyd_parse_u64(dotp + 3, strlen(dotp + 3), &v) != 0 || v < 1 ||
		    v >= TILE_WIDTH)
			return -1;
		*width = (unsigned)v;
	} else if (*p != '\0')
		return -1;
	*index = n;
	cy_tile_path(*level, n, *width, canon);
	return strcmp(canon, path + 1) == 0 ? 0 : -1;
}

