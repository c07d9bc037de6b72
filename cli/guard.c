#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "guard.h"

/* Filled before the handlers are installed: a handler may only call
 * async-signal-safe functions, so nothing is formatted there. */
static char guard_tmp[PATH_MAX];
static volatile sig_atomic_t guard_fd = -1;
static char guard_msg[PATH_MAX + 256];
static size_t guard_msglen;

/* The signals that end the process by default and that a person or a
 * session sends (Ctrl-C, kill, a closed terminal, a reader gone). */
static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
#define NSTOP (sizeof(stop_signals) / sizeof(stop_signals[0]))
static struct sigaction stop_old[NSTOP];
static int stop_caught;

/* Truncating frees the data at once, whoever still holds the file open
 * (overwriting gigabytes would not be cheap, nor certain on a journalled
 * or flash file system); unlinking removes the name. */
static void
remove_tmp(void)
{
	if (guard_tmp[0] == '\0')
		return;
	if (guard_fd >= 0)
		(void)!ftruncate(guard_fd, 0);
	(void)unlink(guard_tmp);
}

static void
on_sigbus(int sig)
{
	(void)sig;
	remove_tmp();
	(void)!write(STDERR_FILENO, guard_msg, guard_msglen);
	_exit(CLI_FAIL);
}

/* SA_RESETHAND has put back the default action and the signal is blocked
 * while this runs: re-raised, it ends the process as soon as this
 * returns, and the exit status shows the signal. */
static void
on_stop(int sig)
{
	remove_tmp();
	(void)raise(sig);
}

/* A signal ignored when coyeu started (as in a shell's background job)
 * stays ignored. */
static void
catch_stop_signals(void)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < NSTOP; i++)
		sigaddset(&sa.sa_mask, stop_signals[i]);
	for (i = 0; i < NSTOP; i++) {
		(void)sigaction(stop_signals[i], NULL, &stop_old[i]);
		if (stop_old[i].sa_handler != SIG_IGN)
			(void)sigaction(stop_signals[i], &sa, NULL);
	}
	stop_caught = 1;
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
	guard_fd = tmp[0] != '\0' ? cy_outfile_fd(out) : -1;
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
	catch_stop_signals();
}

int
cli_guard_end(cy_outfile *out, int ok, cy_error *err)
{
	int r = 0;

	/* Until the name is gone the temporary file is still removed on a
	 * signal, but no longer truncated: after the rename the descriptor
	 * is the finished output's. */
	guard_fd = -1;
	if (ok)
		r = cy_outfile_commit(out, err);
	else
		cy_outfile_abort(out);
	cli_guard_clear();
	return r;
}

void
cli_guard_clear(void)
{
	size_t i;

	signal(SIGBUS, SIG_DFL);
	for (i = 0; stop_caught && i < NSTOP; i++)
		(void)sigaction(stop_signals[i], &stop_old[i], NULL);
	stop_caught = 0;
	guard_tmp[0] = '\0';
	guard_fd = -1;
}
