/* Sources read with explicit offsets (source.h). */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "coyeu/source.h"

static ssize_t
fd_pread(void *ctx, uint8_t *buf, size_t len, uint64_t off, cy_error *err)
{
	int fd = (int)(intptr_t)ctx;
	ssize_t n;

	if (off > (uint64_t)INT64_MAX)
		return 0;
	do {
		n = pread(fd, buf, len, (off_t)off);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return cy_error_set(err, CY_E_IO, "read: %s", strerror(errno));
	return n;
}

int
cy_source_fd(cy_source *s, int fd, cy_error *err)
{
	struct stat st;

	memset(s, 0, sizeof(*s));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return cy_error_set(err, CY_E_IO,
		    "the input must be a regular file to be read by offset");
	s->pread = fd_pread;
	s->ctx = (void *)(intptr_t)fd;
	s->size = (uint64_t)st.st_size;
	return 0;
}

static ssize_t
mem_pread(void *ctx, uint8_t *buf, size_t len, uint64_t off, cy_error *err)
{
	const cy_source *s = ctx;
	uint64_t left;

	if (off >= s->size)
		return 0;
	left = s->size - off;
	if ((uint64_t)len > left)
		len = (size_t)left;
	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	memcpy(buf, s->mem + off, len);
	return (ssize_t)len;
}

int
cy_source_mem(cy_source *s, const uint8_t *p, size_t len, cy_error *err)
{
	memset(s, 0, sizeof(*s));
	if (p == NULL && len != 0)
		return cy_error_set(err, CY_E_USAGE,
		    "a memory source needs its bytes");
	s->pread = mem_pread;
	s->ctx = s;
	s->size = len;
	s->mem = p;
	return 0;
}
