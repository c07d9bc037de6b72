/* coyeu — where the engine reads a sealed file from, when it is not a file
 * it can map: a daemon's upload, its spool, a socket it has buffered.
 *
 * A source is read with explicit offsets (pread), so each pass of an open
 * starts where it likes and nothing is shared but the source itself.  A
 * file that shrinks under a source gives a short read, which the engine
 * reports as damage: no mapping, so no SIGBUS and no process-wide signal
 * handler to install.  The mapped path (cy_doc_open_fd) stays where the
 * input is a regular file, being faster. */
#ifndef COYEU_SOURCE_H
#define COYEU_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "coyeu/error.h"

typedef struct cy_source {
	/* Up to len bytes at offset off into buf: the count (fewer, or 0,
	 * only at the end of the input), or a negative CY_E_* code with err
	 * set.  Called from one thread at a time. */
	ssize_t (*pread)(void *ctx, uint8_t *buf, size_t len, uint64_t off,
	    cy_error *err);
	void *ctx;
	uint64_t size;  /* the input's size in bytes */
	const uint8_t *mem; /* cy_source_mem's bytes (else unused) */
} cy_source;

/* A source over descriptor fd (pread(2); the file offset is left alone),
 * its size from fstat: 0, or CY_E_IO when fd is not a regular file. */
CY_API int cy_source_fd(cy_source *s, int fd, cy_error *err) CY_MUST_CHECK;
/* A source over len bytes at p (borrowed: they must outlive *s), such as
 * a request body a daemon holds in memory.  Its ctx is s itself, so s
 * must stay where it is while it is read.  0, or CY_E_USAGE for p NULL
 * with len not 0. */
CY_API int cy_source_mem(cy_source *s, const uint8_t *p, size_t len,
    cy_error *err) CY_MUST_CHECK;

#endif
