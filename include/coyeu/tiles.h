/* coyeu — the register as C2SP tlog-tiles: static files any web server can
 * serve (checkpoint, tile/<L>/<N>[.p/<W>], tile/entries/<N>[.p/<W>]). */
#ifndef COYEU_TILES_H
#define COYEU_TILES_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/error.h"
#include "coyeu/log.h"
#include "coyeu/note.h"

#define CY_TILE_PATH_MAX 96
#define CY_TILE_ENTRIES (-1) /* the level argument for entry bundles */

/* "tile/<level>/<N>" (or "tile/entries/<N>"), with ".p/<width>" when
 * width < 256; N in 3-digit groups, all but the last prefixed with 'x'. */
CY_API void cy_tile_path(int level, uint64_t index, unsigned width,
    char out[CY_TILE_PATH_MAX]);

typedef struct cy_tiles_report {
	uint64_t size;          /* tree size of the exported checkpoint */
	uint64_t written, kept; /* files written, full ones already there */
} cy_tiles_report;

/* Writes the latest checkpoint with every tile and entry bundle it needs
 * into dir, plus the partial tiles of older checkpoints that are still
 * partial.  Full tiles already present are kept (they never change).  Files
 * appear atomically; the checkpoint is written last, after the tiles are on
 * disk. */
CY_API int cy_log_export_tiles(cy_log *l, const char *dir, cy_tiles_report *rep,
    cy_error *err) CY_MUST_CHECK;

/* Checks a tile folder: the checkpoint's signature by v, every entry
 * bundle against the level-0 tiles, every upper tile against the tiles
 * below, and the checkpoint's root re-derived from the tiles. */
CY_API int cy_tiles_verify(const char *dir, const cy_note_verifier *v,
    cy_checkpoint *out, cy_error *err) CY_MUST_CHECK;

#endif
