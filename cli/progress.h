/* A progress line on stderr for long operations on a terminal. */
#ifndef COYEU_CLI_PROGRESS_H
#define COYEU_CLI_PROGRESS_H

#include <stdint.h>

#define CLI_PROGRESS_MIN (64ULL * 1024 * 1024) /* smaller inputs stay quiet */

struct cli_progress {
	const char *verb;
	int enabled;
	int last_pct;
};

/* Enables itself only when stderr is a terminal and size is large or
 * unknown (0). */
void cli_progress_init(struct cli_progress *pr, const char *verb, int fd,
    uint64_t *size);
void cli_progress_cb(void *ctx, uint64_t done, uint64_t total);
void cli_progress_end(struct cli_progress *pr);

#endif
