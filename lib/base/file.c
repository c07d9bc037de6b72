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

typedef int file_check_fn(const char *path, const struct stat *st,
    cy_error *err);

/* Reads path ("-": standard input) through one descriptor; check, when
 * given, judges the file opened (not the path) before anything is read. */
static int
file_read(const char *path, int oflags, file_check_fn *check, size_t cap,
    uint8_t **out, size_t *len, struct stat *st, cy_error *err)
{
	struct stat sb;
	int fd = STDIN_FILENO, r;

	if (strcmp(path, "-") != 0 &&
	    (fd = open(path, O_RDONLY | O_CLOEXEC | oflags)) < 0)
		return cy_error_set(err, CY_E_IO, "cannot open %s: %s", path,
		    errno == ELOOP && (oflags & O_NOFOLLOW) ? "it is a symbolic "
		    "link; give the file's own path" : strerror(errno));
	if (fstat(fd, &sb) != 0) {
		r = cy_error_set(err, CY_E_IO, "cannot read %s: %s", path,
		    strerror(errno));
		goto out;
	}
	if (check != NULL && fd != STDIN_FILENO &&
	    (r = check(path, &sb, err)) != 0)
		goto out;
	if ((r = cy_fd_read_all(fd, cap, out, len, err)) != 0) {
		if (fd != STDIN_FILENO)
			cy_error_wrap(err, "%s", path);
		goto out;
	}
	if (st != NULL)
		*st = sb;
out:
	if (fd != STDIN_FILENO)
		close(fd);
	return r;
}

int
cy_file_read(const char *path, size_t cap, uint8_t **out, size_t *len,
    cy_error *err)
{
	return file_read(path, 0, NULL, cap, out, len, NULL, err);
}

int
cy_file_read_stat(const char *path, size_t cap, uint8_t **out, size_t *len,
    struct stat *st, cy_error *err)
{
	return file_read(path, 0, NULL, cap, out, len, st, err);
}

/* A secret key: a regular file of the caller's that nobody else may
 * open. */
static int
check_private(const char *path, const struct stat *st, cy_error *err)
{
	if (!S_ISREG(st->st_mode))
		return cy_error_set(err, CY_E_POLICY, "%s is not a regular file",
		    path);
	if (st->st_uid != geteuid())
		return cy_error_set(err, CY_E_POLICY, "%s belongs to user %u, "
		    "not to you (%u); keep your keys in files of your own", path,
		    (unsigned)st->st_uid, (unsigned)geteuid());
	if (st->st_mode & 077)
		return cy_error_set(err, CY_E_POLICY,
		    "%s is readable by others (mode %03o); run chmod 600 %s",
		    path, (unsigned)(st->st_mode & 0777), path);
	return 0;
}

int
cy_file_read_private(const char *path, size_t cap, uint8_t **out,
    size_t *len, cy_error *err)
{
	/* Without following a link, and without blocking on a FIFO: both
	 * are refused by the check. */
	return file_read(path, O_NOFOLLOW | O_NONBLOCK, check_private, cap,
	    out, len, NULL, err);
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

/* The process's umask, without changing it: Linux shows it in
 * /proc/self/status; elsewhere it is set and put back at once. */
static mode_t
process_umask(void)
{
	char line[128];
	unsigned mask;
	mode_t old;
	FILE *f;

	if ((f = fopen("/proc/self/status", "re")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL)
			if (sscanf(line, "Umask: %o", &mask) == 1) {
				fclose(f);
				return (mode_t)(mask & 0777);
			}
		fclose(f);
	}
	old = umask(077);
	(void)umask(old);
	return old;
}

/* Whether st is the character device that path names. */
static int
is_device(const struct stat *st, const char *path)
{
	struct stat dev;

	return S_ISCHR(st->st_mode) && stat(path, &dev) == 0 &&
	    S_ISCHR(dev.st_mode) && dev.st_rdev == st->st_rdev;
}

/* Whether st is the terminal the process runs on (one of its standard
 * descriptors, or /dev/tty). */
static int
is_own_terminal(const struct stat *st)
{
	struct stat t;
	int fd;

	if (!S_ISCHR(st->st_mode))
		return 0;
	for (fd = 0; fd <= 2; fd++)
		if (isatty(fd) && fstat(fd, &t) == 0 && t.st_rdev == st->st_rdev)
			return 1;
	return is_device(st, "/dev/tty");
}

static const char *
kind_of(mode_t m)
{
	return S_ISFIFO(m) ? "pipe" : S_ISSOCK(m) ? "socket" :
	    S_ISCHR(m) || S_ISBLK(m) ? "device" : "file";
}

/* What is written in place goes to whoever reads the object: only the
 * caller's own pipes and devices, the null device and the caller's
 * terminal receive it. */
static int
inplace_check(const char *path, const struct stat *st, cy_error *err)
{
	if (st->st_uid == geteuid() || is_device(st, "/dev/null") ||
	    is_own_terminal(st))
		return 0;
	return cy_error_set(err, CY_E_POLICY, "refusing to write into %s: "
	    "it is a %s that belongs to user %u, not to you, and its owner "
	    "would receive what is written; choose another output name", path,
	    kind_of(st->st_mode), (unsigned)st->st_uid);
}

/* Why path could not be opened for writing in place. */
static int
inplace_open_error(const char *path, int errnum, cy_error *err)
{
	struct stat st;
	int r, known = stat(path, &st) == 0;

	if (known && (r = inplace_check(path, &st, err)) != 0)
		return r;
	if (known && errnum == ENXIO && S_ISFIFO(st.st_mode))
		return cy_error_set(err, CY_E_IO, "nobody is reading the pipe "
		    "%s; start its reader first", path);
	if (known && errnum == ENXIO && S_ISSOCK(st.st_mode))
		return cy_error_set(err, CY_E_IO, "%s is a socket; give a file, "
		    "a pipe or a device", path);
	return cy_error_set(err, CY_E_IO, "cannot open %s: %s", path,
	    strerror(errnum));
}

/* A device or pipe (/dev/null, a FIFO) is written in place: renaming over
 * it would replace the device. Opened without blocking (a pipe nobody
 * reads fails at once), then the object opened is checked, not the path. */
static int
outfile_open_inplace(cy_outfile *o, const char *path, cy_error *err)
{
	struct stat st;
	int fl, r;

	if ((o->fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC |
	    O_NOCTTY)) < 0)
		return inplace_open_error(path, errno, err);
	o->device = 1;
	if (fstat(o->fd, &st) != 0)
		return cy_error_set(err, CY_E_IO, "cannot open %s: %s", path,
		    strerror(errno));
	/* Swapped for a regular file since stat(): it would be overwritten
	 * in place, neither atomically nor truncated. */
	if (S_ISREG(st.st_mode))
		return cy_error_set(err, CY_E_IO,
		    "%s changed while it was being opened", path);
	if ((r = inplace_check(path, &st, err)) != 0)
		return r;
	if ((fl = fcntl(o->fd, F_GETFL)) < 0 ||
	    fcntl(o->fd, F_SETFL, fl & ~O_NONBLOCK) != 0)
		return cy_error_set(err, CY_E_IO, "cannot open %s: %s", path,
		    strerror(errno));
	return 0;
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
	o->mode = mode & ~process_umask();
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
		if ((r = outfile_open_inplace(o, path, err)) != 0)
			goto out;
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
