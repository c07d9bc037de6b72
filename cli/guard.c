#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "guard.h"

/* Filled before the handler is installed: the handler may only call
 * async-signal-safe functions, so nothing is formatted there. */
static char guard_tmp[PATH_MAX];
static char guard_msg[PATH_MAX + 256];
static size_t guard_msglen;

static void
on_sigbus(int sig)
{
	(void)sig;
	if (guard_tmp[0] != '\0')
		(void)unlink(guard_tmp);
	(void)!write(STDERR_FILENO, guard_msg, guard_msglen);
	_exit(CLI_FAIL);
}

void
cli_guard_input(const char *in, const cy_outfile *out)
{
	const char *tmp = out != NULL ? cy_outfile_temp_path(out) : NULL;
	struct sigaction sa;
	int n;

	if (tmp == NULL || strlen(tmp) >= sizeof(guard_tmp))
		tmp = "";
	memcpy(guard_tmp, tmp, strlen(tmp) + 1);
	n = snprintf(guard_msg, sizeof(guard_msg), "%scoyeu: %s: the file shrank "
	    "while it was being read (another program truncated it); %s\n",
	    isatty(STDERR_FILENO) ? "\n" : "",
	    in != NULL && strcmp(in, "-") != 0 ? in : "standard input",
	    guard_tmp[0] != '\0' ? "no output was kept" :
	    "the output is incomplete");
	guard_msglen = n < 0 ? 0 : (size_t)n < sizeof(guard_msg) ?
	    (size_t)n : sizeof(guard_msg) - 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigbus;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGBUS, &sa, NULL);
}

void
cli_guard_clear(void)
{
	signal(SIGBUS, SIG_DFL);
	guard_tmp[0] = '\0';
}
