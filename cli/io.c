#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "guard.h"
#include "io.h"

/* The output's mode: plaintext is private; anything else follows the umask
 * (in cy_outfile_open) and is never more open to others than a regular
 * input file. */
static mode_t
out_mode(int in_fd, int flags)
{
	struct stat st;
	mode_t mode = flags & CLI_IO_PRIVATE ? 0600 : 0644;

	if (fstat(in_fd, &st) == 0 && S_ISREG(st.st_mode))
		mode &= 0700 | (st.st_mode & 077);
	return mode;
}

int
cli_io_open(struct cli_io *io, const char *in, const char *out,
    int flags, const char *verb, cy_error *err)
{
	int r;

	memset(io, 0, sizeof(*io));
	io->in_fd = STDIN_FILENO;
	if (in != NULL && strcmp(in, "-") != 0 &&
	    (io->in_fd = open(in, O_RDONLY | O_CLOEXEC)) < 0)
		return cy_error_set(err, CY_E_IO, "cannot open %s: %s", in,
		    strerror(errno));
	if ((out == NULL || strcmp(out, "-") == 0) && !(flags & CLI_IO_TEXT) &&
	    isatty(STDOUT_FILENO)) {
		r = cy_error_set(err, CY_E_USAGE,
		    "refusing to write binary output to a terminal; use -o FILE or -a");
		goto fail;
	}
	if ((r = cy_outfile_open(out, out_mode(io->in_fd, flags), 0, &io->out,
	    err)) != 0)
		goto fail;
	cli_progress_init(&io->progress, verb, io->in_fd, &io->size);
	cli_guard_input(in, io->out);
	return 0;
fail:
	if (io->in_fd != STDIN_FILENO)
		close(io->in_fd);
	return r;
}

int
cli_io_out_fd(const struct cli_io *io)
{
	return cy_outfile_fd(io->out);
}

int
cli_io_close(struct cli_io *io, int ok, cy_error *err)
{
	int r = 0;

	cli_progress_end(&io->progress);
	if (io->in_fd != STDIN_FILENO)
		close(io->in_fd);
	if (io->out != NULL)
		r = cli_guard_end(io->out, ok, err);
	else
		cli_guard_clear();
	io->out = NULL;
	return r;
}

int
cli_io_run(const char *in, const char *out, int flags, const char *verb,
    cli_io_fn *fn, void *ctx)
{
	struct cli_io io;
	cy_error err = {0, ""};

	if (cli_io_open(&io, in, out, flags, verb, &err) != 0)
		return cli_fail(&err, in);
	if (fn(ctx, &io, &err) != 0) {
		cli_io_close(&io, 0, NULL);
		return cli_fail(&err, in);
	}
	if (cli_io_close(&io, 1, &err) != 0)
		return cli_fail(&err, out);
	return CLI_OK;
}

int
cli_write_public(const char *path, const void *data, size_t len,
    const char *what)
{
	cy_error err = {0, ""};
	char msg[512];

	if (path == NULL || strcmp(path, "-") == 0) {
		if (cy_write_all(STDOUT_FILENO, data, len) == 0)
			return CLI_OK;
		cy_error_set(&err, CY_E_IO, "cannot write to standard output");
	} else if (cy_file_write(path, data, len, 0644, 0, &err) == 0) {
		return CLI_OK;
	}
	snprintf(msg, sizeof(msg), "cannot write %s", what);
	return cli_fail(&err, msg);
}
