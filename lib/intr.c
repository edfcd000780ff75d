#include "intr.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t caught;
static volatile sig_atomic_t input_fd = -1;
static volatile pid_t input_child = -1;
static int null_fd = -1;
static int installed;
static struct sigaction old_action;

static void
on_sigint(int sig)
{
	int e = errno;

	(void)sig;
	caught = 1;
	/* dup2 and kill are async-signal-safe */
	if (input_fd >= 0 && null_fd >= 0)
		dup2(null_fd, input_fd);
	if (input_child > 0)
		kill(input_child, SIGINT);
	errno = e;
}

void
intr_catch(void)
{
	struct sigaction sa;

	if (installed)
		return;
	installed = 1;
	null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_action);
}

void
intr_input(int fd, pid_t child)
{
	input_child = child;
	input_fd = fd;
	if (caught && fd >= 0) { /* it came before the input was known */
		if (null_fd >= 0)
			dup2(null_fd, fd);
		if (child > 0)
			kill(child, SIGINT);
	}
}

int
intr_caught(void)
{
	return caught != 0;
}

void
intr_restore_default(void)
{
	if (installed)
		sigaction(SIGINT, &old_action, NULL);
}
