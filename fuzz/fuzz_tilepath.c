/* The daemon's tile path and number parsers (server/tilepath.c) on any
 * bytes: never out of bounds, and whatever is accepted is exactly the path
 * cy_tile_path makes of it. */
#include "fuzz.h"

#include "../server/tilepath.c"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[256], canon[CY_TILE_PATH_MAX];
	unsigned width;
	uint64_t index, n;
	int level;

	if (size >= sizeof(path) - 6)
		return 0;
	memcpy(path, "/tile/", 6);
	memcpy(path + 6, data, size);
	path[6 + size] = '\0';
	if (cyd_tile_parse(path, &level, &index, &width) == 0) {
		cy_tile_path(level, index, width, canon);
		if (strcmp(canon, path + 1) != 0 || width < 1 || width > TILE_WIDTH)
			abort();
	}
	if (cyd_parse_u64((const char *)data, size, &n) == 0 && size > 20)
		abort();
	return 0;
}
