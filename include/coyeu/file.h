/* coyeu — file input and atomic file output.
 *
 * Outputs appear atomically: data goes to a temporary file in the target's
 * folder, which is fsynced and renamed into place only on commit.  A failure
 * before commit leaves no file behind.
 */
#ifndef COYEU_FILE_H
#define COYEU_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "coyeu/error.h"

/* Reads a whole file ("-" = stdin) of at most cap bytes into a malloc'd
 * buffer with a NUL after the data.  The caller wipes and frees it. */
CY_API int cy_file_read(const char *path, size_t cap, uint8_t **out,
    size_t *len,
    cy_error *err) CY_MUST_CHECK;
CY_API int cy_fd_read_all(int fd, size_t cap, uint8_t **out, size_t *len,
    cy_error *err) CY_MUST_CHECK;
/* cy_file_read, and the fstat of the descriptor it read in *st. */
struct stat;
CY_API int cy_file_read_stat(const char *path, size_t cap, uint8_t **out,
    size_t *len, struct stat *st, cy_error *err) CY_MUST_CHECK;
/* cy_file_read for a secret key: opened once, without following a
 * symbolic link or blocking, and refused (CY_E_POLICY) unless the file
 * opened is a regular file of the caller's that others may not open
 * (mode & 077 == 0).  "-" reads standard input unchecked. */
CY_API int cy_file_read_private(const char *path, size_t cap, uint8_t **out,
    size_t *len, cy_error *err) CY_MUST_CHECK;

/* Writes all of buf, retrying on EINTR and short writes. */
CY_API int cy_write_all(int fd, const void *buf, size_t len);
/* Reads up to len bytes, stopping early only at end of file. Returns the
 * number of bytes read, or -1 on error. */
CY_API ssize_t cy_read_full(int fd, void *buf, size_t len);

typedef struct cy_outfile cy_outfile;

enum cy_outfile_flags {
	CY_OUT_EXCLUSIVE = 1, /* fail if the target exists (keys) */
};

/* Opens an output.  path NULL or "-" means stdout (streamed, not atomic).
 * A regular file is written as a private (0600) temporary file that gets
 * mode & ~umask on commit.  An existing pipe or device is written in place,
 * only if the object opened (fstat, not the path) belongs to the caller or
 * is the null device or the caller's terminal: another user's pipe, device
 * or socket is refused (CY_E_POLICY), as is a pipe nobody reads (opened
 * without blocking). */
CY_API int cy_outfile_open(const char *path, mode_t mode, int flags,
    cy_outfile **out,
    cy_error *err) CY_MUST_CHECK;
CY_API int cy_outfile_fd(const cy_outfile *o);
/* 1 for a regular temporary file (seekable, atomic), 0 for stdout. */
CY_API int cy_outfile_is_atomic(const cy_outfile *o);
/* The temporary file's path until commit or abort; NULL for stdout and
 * devices (written in place). */
CY_API const char *cy_outfile_temp_path(const cy_outfile *o);
/* fsync, rename (or link for CY_OUT_EXCLUSIVE), fsync the folder; frees o. */
CY_API int cy_outfile_commit(cy_outfile *o, cy_error *err) CY_MUST_CHECK;
/* Removes the temporary file; frees o.  NULL is allowed. */
CY_API void cy_outfile_abort(cy_outfile *o);

/* Whole small file in one go, atomically. */
CY_API int cy_file_write(const char *path, const void *data, size_t len,
    mode_t mode,
    int flags, cy_error *err) CY_MUST_CHECK;

/* An unlinked temporary file in $TMPDIR (or /tmp), 0600, for spooling
 * ciphertext — never plaintext.  Returns the fd or a negative CY_E code. */
CY_API int cy_file_spool(cy_error *err);

#endif
