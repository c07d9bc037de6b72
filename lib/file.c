#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "coyeu/file.h"

struct cy_outfile {
	int fd;
	int flags;
	mode_t mode;
	char *tmp;   /* NULL for stdout and devices */
	char *final;
	int device;  /* opened in place, closed on commit/abort */
};

int
cy_write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t
cy_read_full(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, p + got, len - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int
cy_fd_read_all(int fd, size_t cap, uint8_t **out, size_t *len, cy_error *err)
{
	uint8_t *buf = NULL, *nbuf;
	size_t have = 0, size = 4096;
	ssize_t n;
	int r = CY_E_NOMEM;

	if ((buf = malloc(size)) == NULL)
		goto out;
	for (;;) {
		if (have + 1 >= size) {
			if (size > cap + 1) {
				r = cy_error_set(err, CY_E_TOO_LARGE,
				    "input larger than %zu bytes", cap);
				goto out;
			}
			if ((nbuf = malloc(size * 2)) == NULL)
				goto out;
			memcpy(nbuf, buf, have);
			sodium_memzero(buf, size);
			free(buf);
			buf = nbuf;
			size *= 2;
		}
		n = read(fd, buf + have, size - have - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = cy_error_set(err, CY_E_IO, "read: %s", strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		have += (size_t)n;
		if (have > cap) {
			r = cy_error_set(err, CY_E_TOO_LARGE,
			    "input larger than %zu bytes", cap);
			goto out;
		}
	}
	buf[have] = '\0';
	*out = buf;
	*len = have;
	buf = NULL;
	r = 0;
out:
	if (buf != NULL) {
		sodium_memzero(buf, size);
		free(buf);
	}
	if (r == CY_E_NOMEM)
		cy_error_set(err, r, "out of memory");
	return r;
}

int
cy_file_read(const char *path, size_t cap, uint8_t **out, size_t *len,
    cy_error *err)
{
	int fd, r;

	if (strcmp(path, "-") == 0)
		return cy_fd_read_all(STDIN_FILENO, cap, out, len, err);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return cy_error_set(err, CY_E_IO, "cannot open %s: %s", path,
		    strerror(errno));
	r = cy_fd_read_all(fd, cap, out, len, err);
	close(fd);
	if (r != 0)
		cy_error_wrap(err, "%s", path);
	return r;
}

static char *
outfile_dir(const char *path)
{
	char *copy, *dir, *res;

	if ((copy = strdup(path)) == NULL)
		return NULL;
	dir = dirname(copy);
	res = strdup(dir);
	free(copy);
	return res;
}

int
cy_outfile_open(const char *path, mode_t mode, int flags, cy_outfile **out,
    cy_error *err)
{
	cy_outfile *o;
	char *dir = NULL, *base_copy = NULL;
	int r = CY_E_NOMEM;
	struct stat st;

	*out = NULL;
	if ((o = calloc(1, sizeof(*o))) == NULL)
		goto out;
	o->fd = -1;
	o->flags = flags;
	o->mode = mode;
	if (path == NULL || strcmp(path, "-") == 0) {
		o->fd = STDOUT_FILENO;
		*out = o;
		return 0;
	}
	if ((flags & CY_OUT_EXCLUSIVE) && lstat(path, &st) == 0) {
		r = cy_error_set(err, CY_E_IO,
		    "%s already exists; remove it first or choose another name",
		    path);
		goto out;
	}
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* A device or pipe (/dev/null, a FIFO) is written in place:
		 * renaming over it would replace the device. */
		if ((o->fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
			r = cy_error_set(err, CY_E_IO, "cannot open %s: %s", path,
			    strerror(errno));
			goto out;
		}
		o->device = 1;
		/* Swapped for a regular file since stat(): it would be
		 * overwritten in place, neither atomically nor truncated. */
		if (fstat(o->fd, &st) != 0 || S_ISREG(st.st_mode)) {
			r = cy_error_set(err, CY_E_IO,
			    "%s changed while it was being opened", path);
			goto out;
		}
		*out = o;
		return 0;
	}
	if ((o->final = strdup(path)) == NULL ||
	    (dir = outfile_dir(path)) == NULL ||
	    (base_copy = strdup(path)) == NULL)
		goto out;
	if (asprintf(&o->tmp, "%s/.%s.XXXXXX", dir, basename(base_copy)) < 0) {
		o->tmp = NULL;
		goto out;
	}
	if ((o->fd = mkstemp(o->tmp)) < 0) {
		r = cy_error_set(err, CY_E_IO, "cannot create a file in %s: %s",
		    dir, strerror(errno));
		free(o->tmp);
		o->tmp = NULL;
		goto out;
	}
	(void)fcntl(o->fd, F_SETFD, FD_CLOEXEC);
	*out = o;
	o = NULL;
	r = 0;
out:
	if (r == CY_E_NOMEM)
		cy_error_set(err, r, "out of memory");
	free(dir);
	free(base_copy);
	cy_outfile_abort(o);
	return r;
}

int
cy_outfile_fd(const cy_outfile *o)
{
	return o->fd;
}

int
cy_outfile_is_atomic(const cy_outfile *o)
{
	return o->tmp != NULL;
}

const char *
cy_outfile_temp_path(const cy_outfile *o)
{
	return o->tmp;
}

static void
outfile_free(cy_outfile *o)
{
	if ((o->tmp != NULL || o->device) && o->fd >= 0)
		close(o->fd);
	free(o->tmp);
	free(o->final);
	free(o);
}

int
cy_outfile_commit(cy_outfile *o, cy_error *err)
{
	char *dir = NULL;
	int dfd, r = 0;

	if (o->tmp == NULL) {
		outfile_free(o);
		return 0;
	}
	if (fchmod(o->fd, o->mode) != 0 || fsync(o->fd) != 0) {
		r = cy_error_set(err, CY_E_IO, "cannot write %s: %s", o->final,
		    strerror(errno));
		goto out;
	}
	if (o->flags & CY_OUT_EXCLUSIVE) {
		/* link() fails if the target appeared meanwhile: never
		 * replaces an existing key. */
		if (link(o->tmp, o->final) != 0) {
			r = cy_error_set(err, CY_E_IO, "cannot create %s: %s",
			    o->final, strerror(errno));
			goto out;
		}
		unlink(o->tmp);
	} else if (rename(o->tmp, o->final) != 0) {
		r = cy_error_set(err, CY_E_IO, "cannot rename into %s: %s",
		    o->final, strerror(errno));
		goto out;
	}
	free(o->tmp);
	o->tmp = NULL;
	if ((dir = outfile_dir(o->final)) != NULL &&
	    (dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	free(dir);
	close(o->fd);
	o->fd = -1;
out:
	if (r != 0) {
		cy_outfile_abort(o);
		return r;
	}
	outfile_free(o);
	return 0;
}

void
cy_outfile_abort(cy_outfile *o)
{
	if (o == NULL)
		return;
	if (o->tmp != NULL) {
		if (o->fd >= 0)
			close(o->fd);
		o->fd = -1;
		unlink(o->tmp);
	}
	outfile_free(o);
}

int
cy_file_write(const char *path, const void *data, size_t len, mode_t mode,
    int flags, cy_error *err)
{
	cy_outfile *o;
	int r;

	if ((r = cy_outfile_open(path, mode, flags, &o, err)) != 0)
		return r;
	if (cy_write_all(o->fd, data, len) != 0) {
		r = cy_error_set(err, CY_E_IO, "cannot write %s: %s",
		    path, strerror(errno));
		cy_outfile_abort(o);
		return r;
	}
	return cy_outfile_commit(o, err);
}

int
cy_file_check_private(const char *path, cy_error *err)
{
	struct stat st;

	if (strcmp(path, "-") == 0)
		return 0;
	if (stat(path, &st) != 0)
		return cy_error_set(err, CY_E_IO, "cannot open %s: %s", path,
		    strerror(errno));
	if (st.st_mode & 077)
		return cy_error_set(err, CY_E_POLICY,
		    "%s is readable by others (mode %03o); run chmod 600 %s",
		    path, (unsigned)(st.st_mode & 0777), path);
	return 0;
}

int
cy_file_spool(cy_error *err)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd;

	if (dir == NULL || dir[0] == '\0')
		dir = "/tmp";
	if ((fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) >= 0)
		return fd;
	snprintf(path, sizeof(path), "%s/coyeu-spool-XXXXXX", dir);
	if ((fd = mkstemp(path)) < 0)
		return cy_error_set(err, CY_E_IO, "cannot create a spool file in %s: %s",
		    dir, strerror(errno));
	unlink(path);
	return fd;
}
