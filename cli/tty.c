/* Reading a passphrase from the terminal, as readpassphrase(3) does: no
 * echo, no stdio buffer holding a copy, and the terminal restored even
 * when a signal interrupts the prompt. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "coyeu/secret.h"

static const int tty_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP};
#define NSIGNALS (sizeof(tty_signals) / sizeof(tty_signals[0]))

static volatile sig_atomic_t tty_signo;

static void
on_signal(int sig)
{
	tty_signo = sig;
}

static void
catch_signals(struct sigaction old[NSIGNALS])
{
	struct sigaction sa;
	size_t i;

	tty_signo = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: read() must return */
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < NSIGNALS; i++)
		(void)sigaction(tty_signals[i], &sa, &old[i]);
}

static void
restore_signals(const struct sigaction old[NSIGNALS])
{
	size_t i;

	for (i = 0; i < NSIGNALS; i++)
		(void)sigaction(tty_signals[i], &old[i], NULL);
}

/* Reads one line into buf; 1 if it did not fit. */
static int
read_line(int fd, char *buf, size_t cap, cy_error *err)
{
	size_t n = 0;
	int too_long = 0;
	ssize_t k;
	char c;

	for (;;) {
		k = read(fd, &c, 1);
		if (k < 0 && errno == EINTR && tty_signo == 0)
			continue;
		if (k < 0 || tty_signo != 0) {
			buf[n] = '\0';
			return cy_error_set(err, CY_E_IO,
			    "cannot read the passphrase: %s", tty_signo != 0 ?
			    "interrupted" : strerror(errno));
		}
		if (k == 0 || c == '\n' || c == '\r')
			break;
		if (n + 1 < cap)
			buf[n++] = c;
		else
			too_long = 1;
	}
	buf[n] = '\0';
	c = 0;
	return too_long;
}

int
cli_tty_passphrase(const char *prompt, char *buf, size_t cap, cy_error *err)
{
	struct sigaction old[NSIGNALS];
	struct termios saved, noecho;
	int fd, r, restore;

	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		return cy_error_set(err, CY_E_USAGE,
		    "no terminal to ask for the passphrase; use --passphrase-file FILE");
	catch_signals(old);
	(void)!write(fd, prompt, strlen(prompt));
	if ((restore = tcgetattr(fd, &saved) == 0)) {
		noecho = saved;
		noecho.c_lflag &= ~(tcflag_t)ECHO;
		(void)tcsetattr(fd, TCSAFLUSH, &noecho);
	}
	r = read_line(fd, buf, cap, err);
	if (restore)
		(void)tcsetattr(fd, TCSAFLUSH, &saved);
	(void)!write(fd, "\n", 1);
	close(fd);
	restore_signals(old);
	if (r == 1)
		r = cy_error_set(err, CY_E_USAGE,
		    "the passphrase is longer than %zu bytes", cap - 1);
	if (r != 0)
		cy_wipe(buf, cap);
	/* The terminal is restored: now let the signal do what it does. */
	if (tty_signo != 0)
		raise(tty_signo);
	return r;
}
