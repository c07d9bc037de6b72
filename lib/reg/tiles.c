/* C2SP tlog-tiles: exporting a register to static files, and checking such
 * a folder. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "coyeu/entry.h"
#include "coyeu/file.h"
#include "coyeu/tiles.h"
#include "reg/tree.h"

#define TILE_FILE_MAX (CY_TILE_WIDTH * CY_HASH_LEN)
#define BUNDLE_MAX ((size_t)CY_TILE_WIDTH * (2 + CY_ENTRY_MAX))

void
cy_tile_path(int level, uint64_t index, unsigned width,
    char out[CY_TILE_PATH_MAX])
{
	unsigned groups[7], n = 0;
	size_t o;

	do {
		groups[n++] = (unsigned)(index % 1000);
		index /= 1000;
	} while (index > 0);
	if (level == CY_TILE_ENTRIES)
		o = (size_t)snprintf(out, CY_TILE_PATH_MAX, "tile/entries/");
	else
		o = (size_t)snprintf(out, CY_TILE_PATH_MAX, "tile/%d/", level);
	while (n-- > 1)
		o += (size_t)snprintf(out + o, CY_TILE_PATH_MAX - o, "x%03u/",
		    groups[n]);
	o += (size_t)snprintf(out + o, CY_TILE_PATH_MAX - o, "%03u", groups[0]);
	if (width < CY_TILE_WIDTH)
		snprintf(out + o, CY_TILE_PATH_MAX - o, ".p/%u", width);
}

struct exporter {
	cy_log *l;
	const char *dir;
	cy_tiles_report *rep;
	uint8_t *buf; /* a tile or an entry bundle */
};

static int
join(char *out, size_t cap, const char *dir, const char *rel, cy_error *err)
{
	if ((size_t)snprintf(out, cap, "%s/%s", dir, rel) >= cap)
		return cy_error_set(err, CY_E_USAGE, "path too long: %s", dir);
	return 0;
}

/* Creates every folder on the way to path. */
static int
make_parents(char *path, cy_error *err)
{
	char *p;

	for (p = strchr(path + 1, '/'); p != NULL; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST) {
			cy_error_set(err, CY_E_IO, "cannot create %s: %s", path,
			    strerror(errno));
			*p = '/';
			return CY_E_IO;
		}
		*p = '/';
	}
	return 0;
}

/* Writes one immutable file (temporary name, then rename); a file already
 * there with the same length is the same file and is kept. */
static int
put_file(struct exporter *x, const char *rel, const uint8_t *data, size_t len,
    cy_error *err)
{
	char path[PATH_MAX], tmp[PATH_MAX + 32];
	struct stat st;
	int fd, r;

	if ((r = join(path, sizeof(path), x->dir, rel, err)) != 0)
		return r;
	if (stat(path, &st) == 0 && (size_t)st.st_size == len) {
		x->rep->kept++;
		return 0;
	}
	if ((r = make_parents(path, err)) != 0)
		return r;
	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return cy_error_set(err, CY_E_IO, "cannot write %s: %s", tmp,
		    strerror(errno));
	if (cy_write_all(fd, data, len) != 0 || close(fd) != 0 ||
	    rename(tmp, path) != 0) {
		r = cy_error_set(err, CY_E_IO, "cannot write %s: %s", path,
		    strerror(errno));
		unlink(tmp);
		return r;
	}
	x->rep->written++;
	return 0;
}

static int
put_tile(struct exporter *x, unsigned level, uint64_t index, unsigned width,
    cy_error *err)
{
	char rel[CY_TILE_PATH_MAX];
	int r;

	cy_tile_path((int)level, index, width, rel);
	if ((r = cy_log_tile(x->l, level, index, width, x->buf, err)) != 0)
		return r;
	return put_file(x, rel, x->buf, (size_t)width * CY_HASH_LEN, err);
}

static int
put_bundle(struct exporter *x, uint64_t index, unsigned width, cy_error *err)
{
	char rel[CY_TILE_PATH_MAX], path[PATH_MAX];
	cy_buf e = CY_BUF_INIT;
	struct stat st;
	size_t o = 0;
	unsigned i;
	int r = 0;

	cy_tile_path(CY_TILE_ENTRIES, index, width, rel);
	/* Bundles never change: skip reading the entries of one we have. */
	if (join(path, sizeof(path), x->dir, rel, NULL) == 0 &&
	    stat(path, &st) == 0) {
		x->rep->kept++;
		return 0;
	}
	for (i = 0; i < width && r == 0; i++) {
		e.len = 0;
		if ((r = cy_log_entry(x->l, index * CY_TILE_WIDTH + i, &e, err)) != 0)
			break;
		x->buf[o++] = (uint8_t)(e.len >> 8);
		x->buf[o++] = (uint8_t)e.len;
		memcpy(x->buf + o, e.data, e.len);
		o += e.len;
	}
	cy_buf_free(&e);
	return r != 0 ? r : put_file(x, rel, x->buf, o, err);
}

static uint64_t
tiles_below(uint64_t size, unsigned level)
{
	return level + 1 < CY_TILE_LEVELS ? size >> (8 * (level + 1)) : 0;
}

/* The tiles and bundles of tree size s: with `full`, every full one and the
 * partial ones; else only its partial tiles that are still partial at the
 * current size `now`. */
static int
put_size(struct exporter *x, uint64_t s, uint64_t now, int full, cy_error *err)
{
	unsigned level, w;
	uint64_t n, i;
	int r;

	for (level = 0; level < CY_TILE_LEVELS && (s >> (8 * level)) > 0; level++) {
		n = tiles_below(s, level);
		w = (unsigned)((s >> (8 * level)) & 0xff);
		if (!full && n != tiles_below(now, level))
			continue;
		for (i = 0; full && i < n; i++)
			if ((r = put_tile(x, level, i, CY_TILE_WIDTH, err)) != 0 ||
			    (level == 0 && (r = put_bundle(x, i, CY_TILE_WIDTH,
			    err)) != 0))
				return r;
		if (w > 0 && ((r = put_tile(x, level, n, w, err)) != 0 ||
		    (level == 0 && (r = put_bundle(x, n, w, err)) != 0)))
			return r;
	}
	return 0;
}

int
cy_log_export_tiles(cy_log *l, const char *dir, cy_tiles_report *rep,
    cy_error *err)
{
	struct exporter x = {l, dir, rep, NULL};
	char path[PATH_MAX];
	cy_buf note = CY_BUF_INIT;
	uint64_t *sizes = NULL;
	cy_checkpoint c;
	size_t n = 0, i;
	int r, fd;

	memset(rep, 0, sizeof(*rep));
	if ((r = cy_log_checkpoint_latest(l, &note, &c, err)) != 0)
		goto out;
	rep->size = c.size;
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		r = cy_error_set(err, CY_E_IO, "cannot create %s: %s", dir,
		    strerror(errno));
		goto out;
	}
	if ((x.buf = malloc(BUNDLE_MAX)) == NULL) {
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	if ((r = put_size(&x, c.size, c.size, 1, err)) != 0)
		goto out;
	/* Older checkpoints' partial tiles, where still partial (the topmost
	 * tile has been partial since the start). */
	if ((r = cy_log_checkpoint_sizes(l, 0, &sizes, &n, err)) != 0)
		goto out;
	for (i = 0; i < n && r == 0; i++)
		if (sizes[i] < c.size)
			r = put_size(&x, sizes[i], c.size, 0, err);
	if (r != 0)
		goto out;
	/* Tiles on disk before the checkpoint that needs them. */
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    syncfs(fd) != 0) {
		r = cy_error_set(err, CY_E_IO, "cannot sync %s: %s", dir,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	close(fd);
	if ((r = join(path, sizeof(path), dir, "checkpoint", err)) != 0 ||
	    (r = cy_file_write(path, note.data, note.len, 0644, 0, err)) != 0)
		goto out;
	rep->written++;
out:
	free(sizes);
	free(x.buf);
	cy_buf_free(&note);
	return r;
}

/* --- checking a folder --- */

struct checker {
	const char *dir;
	struct cy_tree tree;
	cy_hasher *h;
};

static int
read_rel(const char *dir, const char *rel, size_t cap, uint8_t **data,
    size_t *len, cy_error *err)
{
	char path[PATH_MAX];
	int r;

	if ((r = join(path, sizeof(path), dir, rel, err)) != 0)
		return r;
	if ((r = cy_file_read(path, cap, data, len, err)) != 0)
		cy_error_set(err, r, "%s is missing or unreadable", rel);
	return r;
}

/* A tile file must hold exactly these base hashes. */
static int
same_tile(const char *dir, int level, uint64_t index, unsigned width,
    const uint8_t *want, cy_error *err)
{
	char rel[CY_TILE_PATH_MAX];
	uint8_t *data = NULL;
	size_t len;
	int r;

	cy_tile_path(level, index, width, rel);
	if ((r = read_rel(dir, rel, TILE_FILE_MAX, &data, &len, err)) != 0)
		return r;
	if (len != (size_t)width * CY_HASH_LEN || memcmp(data, want, len) != 0)
		r = cy_error_set(err, CY_E_PROOF,
		    "%s does not match the tiles below it", rel);
	free(data);
	return r;
}

static int
check_upper(void *ctx, unsigned level, uint64_t index, const struct cy_tile *t,
    cy_error *err)
{
	struct checker *k = ctx;

	if (level == 0)
		return 0; /* these come from the files themselves */
	return same_tile(k->dir, (int)level, index, CY_TILE_WIDTH, t->h[0], err);
}

/* Checks bundle `index` against its level-0 tile and feeds the tree. */
static int
check_leaves(struct checker *k, uint64_t index, unsigned width, cy_error *err)
{
	char trel[CY_TILE_PATH_MAX], brel[CY_TILE_PATH_MAX];
	uint8_t *tile = NULL, *bundle = NULL, leaf[CY_HASH_LEN];
	size_t tlen, blen, o = 0, elen;
	unsigned i;
	int r;

	cy_tile_path(0, index, width, trel);
	cy_tile_path(CY_TILE_ENTRIES, index, width, brel);
	if ((r = read_rel(k->dir, trel, TILE_FILE_MAX, &tile, &tlen, err)) != 0 ||
	    (r = read_rel(k->dir, brel, BUNDLE_MAX, &bundle, &blen, err)) != 0)
		goto out;
	if (tlen != (size_t)width * CY_HASH_LEN) {
		r = cy_error_set(err, CY_E_PROOF, "%s holds %zu bytes, not %u hashes",
		    trel, tlen, width);
		goto out;
	}
	for (i = 0; i < width; i++) {
		if (blen - o < 2 || blen - o - 2 < (elen = (size_t)bundle[o] << 8 |
		    bundle[o + 1])) {
			r = cy_error_set(err, CY_E_PROOF, "%s ends inside entry %u",
			    brel, i);
			goto out;
		}
		if ((r = cy_merkle_leaf_hash(k->h, bundle + o + 2, elen, leaf)) != 0)
			goto out;
		o += 2 + elen;
		if (memcmp(leaf, tile + (size_t)i * CY_HASH_LEN, CY_HASH_LEN) != 0) {
			r = cy_error_set(err, CY_E_PROOF,
			    "entry %llu in %s does not hash to its leaf in %s",
			    (unsigned long long)(index * CY_TILE_WIDTH + i), brel, trel);
			goto out;
		}
		if ((r = cy_tree_add(&k->tree, k->h, leaf, err)) != 0)
			goto out;
	}
	if (o != blen)
		r = cy_error_set(err, CY_E_PROOF, "%s holds more than %u entries",
		    brel, width);
out:
	free(tile);
	free(bundle);
	return r;
}

int
cy_tiles_verify(const char *dir, const cy_note_verifier *v, cy_checkpoint *out,
    cy_error *err)
{
	struct checker *k;
	uint8_t *note = NULL, root[CY_HASH_LEN];
	size_t len;
	uint64_t i, nfull;
	unsigned level, w;
	cy_checkpoint c;
	int r;

	if ((k = calloc(1, sizeof(*k))) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	k->dir = dir;
	cy_tree_init(&k->tree, check_upper, k);
	if ((r = cy_hasher_new(&k->h, err)) != 0 ||
	    (r = read_rel(dir, "checkpoint", CY_NOTE_MAX, &note, &len, err)) != 0)
		goto out;
	if ((r = cy_checkpoint_open(note, len, v, &c, err)) != 0) {
		cy_error_wrap(err, "checkpoint");
		goto out;
	}
	nfull = c.size >> 8;
	for (i = 0; i <= nfull && r == 0; i++) {
		w = i < nfull ? CY_TILE_WIDTH : (unsigned)(c.size & 0xff);
		if (w > 0)
			r = check_leaves(k, i, w, err);
	}
	for (level = 1; r == 0 && level < CY_TILE_LEVELS; level++)
		if ((w = k->tree.part[level].w) > 0)
			r = same_tile(dir, (int)level, tiles_below(c.size, level), w,
			    k->tree.part[level].h[0], err);
	if (r != 0 || (r = cy_tree_root(&k->tree, k->h, root, err)) != 0)
		goto out;
	if (memcmp(root, c.root, CY_HASH_LEN) != 0) {
		r = cy_error_set(err, CY_E_PROOF,
		    "the tiles lead to another root than the checkpoint's");
		goto out;
	}
	if (out != NULL)
		*out = c;
out:
	free(note);
	cy_hasher_free(k->h);
	free(k);
	return r;
}
