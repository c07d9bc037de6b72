/* Parsing what a request names: tile paths (C2SP tlog-tiles) and
 * decimal numbers (tilepath.c). */
#ifndef COYEUD_TILEPATH_H
#define COYEUD_TILEPATH_H

#include <stddef.h>
#include <stdint.h>

#define TILE_WIDTH 256
#define TILE_LEVELS 8 /* levels of height 8 cover 64-bit sizes */

/* A decimal number without sign, spaces or leading zeros (but "0"):
 * 0, or -1. */
int cyd_parse_u64(const char *s, size_t len, uint64_t *out);
/* "/tile/<L>/<N>[.p/<W>]" or "/tile/entries/<N>[.p/<W>]" (level
 * CY_TILE_ENTRIES) exactly as cy_tile_path spells it: 0, or -1. */
int cyd_tile_parse(const char *path, int *level, uint64_t *index,
    unsigned *width);

#endif
