/* What the command line does if a mapped input shrinks under it. */
#ifndef COYEU_CLI_GUARD_H
#define COYEU_CLI_GUARD_H

#include "coyeu/file.h"

/* The library reads regular files through a mapping; if another program
 * truncates the file meanwhile, reading past the new end raises SIGBUS.
 * From here until cli_guard_clear(), SIGBUS removes out's temporary file,
 * says which input shrank and exits 1 instead of dumping core; SIGINT,
 * SIGTERM, SIGHUP and SIGPIPE truncate and remove it, then end the process
 * by the same signal (those ignored at start stay ignored). */
void cli_guard_input(const char *in, const cy_outfile *out);
void cli_guard_clear(void);
/* Commits out when ok, else removes it, then cli_guard_clear(): a signal
 * meanwhile still leaves no temporary file. Frees out. */
int cli_guard_end(cy_outfile *out, int ok, cy_error *err);

#endif
