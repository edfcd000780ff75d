#include "intr.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t caught;
static volatile pid_t child_pid = -1;
static int self_pipe[2] = { -1, -1 };
static int installed;
static struct sigaction old_action;

static void
on_sigint(int sig)
{
	int e = errno;

	(void)sig;
	caught = 1;
	/* write and kill are async-signal-safe; a full pipe is readable
	 * already */
	if (self_pipe[1] != -1 && write(self_pipe[1], "", 1) < 0) {
	}
	if (child_pid > 0)
		kill(child_pid, SIGINT);
	errno = e;
}

void
intr_catch(void)
{
	struct sigaction sa;

	if (installed)
		return;
	installed = 1;
	if (sigaction(SIGINT, NULL, &old_action) == 0 &&
	    old_action.sa_handler == SIG_IGN)
		return;
	if (pipe2(self_pipe, O_CLOEXEC | O_NONBLOCK) == -1)
		self_pipe[0] = self_pipe[1] = -1;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
}

int
intr_fd(void)
{
	return self_pipe[0];
}

void
intr_child(pid_t child)
{
	child_pid = child;
	if (caught && child > 0) /* it came before the child was known */
		kill(child, SIGINT);
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
