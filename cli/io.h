/* Input and atomic output shared by seal and open. */
#ifndef COYEU_CLI_IO_H
#define COYEU_CLI_IO_H

#include <stdint.h>

#include "coyeu/file.h"
#include "progress.h"

struct cli_io {
	int in_fd;
	cy_outfile *out;
	uint64_t size;            /* input size when known */
	struct cli_progress progress;
};

enum cli_io_flags {
	CLI_IO_TEXT = 1,     /* the output may go to a terminal */
	CLI_IO_PRIVATE = 2,  /* plaintext: the output file is 0600 */
};

/* Opens IN ("-" or NULL: stdin) and OUT (NULL or "-": stdout). Refuses
 * binary output to a terminal unless CLI_IO_TEXT is set. */
int cli_io_open(struct cli_io *io, const char *in, const char *out,
    int flags, const char *verb, cy_error *err);
int cli_io_out_fd(const struct cli_io *io);
/* Commits the output when ok, else removes it; closes the input. */
int cli_io_close(struct cli_io *io, int ok, cy_error *err);

/* Opens IN and OUT, runs fn, then commits OUT on success or removes it.
 * On failure prints err prefixed by IN and returns CLI_FAIL. */
typedef int cli_io_fn(void *ctx, struct cli_io *io, cy_error *err);
int cli_io_run(const char *in, const char *out, int flags,
    const char *verb, cli_io_fn *fn, void *ctx);

/* Writes data to path atomically (mode 0644), or to stdout for NULL / "-". */
int cli_write_public(const char *path, const void *data, size_t len,
    const char *what);

#endif
