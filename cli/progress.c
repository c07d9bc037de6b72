#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "progress.h"

void
cli_progress_init(struct cli_progress *pr, const char *verb, int fd,
    uint64_t *size)
{
	struct stat st;

	*size = 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		*size = (uint64_t)st.st_size;
	pr->verb = verb;
	pr->last_pct = -1;
	pr->enabled = isatty(STDERR_FILENO) &&
	    (*size == 0 || *size >= CLI_PROGRESS_MIN);
}

void
cli_progress_cb(void *ctx, uint64_t done, uint64_t total)
{
	struct cli_progress *pr = ctx;
	int pct;

	if (!pr->enabled)
		return;
	if (total == 0) {
		fprintf(stderr, "\rcoyeu: %s %llu MiB", pr->verb,
		    (unsigned long long)(done >> 20));
		return;
	}
	pct = (int)(done * 100 / total);
	if (pct == pr->last_pct)
		return;
	pr->last_pct = pct;
	fprintf(stderr, "\rcoyeu: %s [%-40.*s] %3d%%", pr->verb, pct * 40 / 100,
	    "########################################", pct);
}

void
cli_progress_end(struct cli_progress *pr)
{
	if (pr->enabled && pr->last_pct != -2)
		fputs("\r\033[K", stderr);
}
