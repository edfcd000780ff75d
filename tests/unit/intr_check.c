/* intr_check - unit test of lib/intr: the self-pipe that wakes a poll(2)
 * once SIGINT came. A CLI test cannot see it: a SIGINT that lands while a
 * tool sleeps in poll or read wakes it with EINTR anyway, and the pipe
 * matters only for one that lands just before the call (the race it is
 * there for). Here the signal is raised first and the pipe is then asked,
 * as that race leaves it; a child started with SIGINT ignored (a shell's
 * background job) keeps it ignored, and a named child gets the signal too.
 * TAP. */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "intr.h"
#include "tap.h"

/* readable tells whether fd has a byte to read now (no waiting) */
static int
readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return fd >= 0 && poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

/* ignored_case: in a child with SIGINT ignored, intr_catch installs
 * nothing: no pipe, the disposition kept. The child's exit status says
 * which check failed (0: none). */
static int
ignored_case(void)
{
	struct sigaction sa;

	signal(SIGINT, SIG_IGN);
	intr_catch();
	if (intr_fd() != -1)
		return 1;
	if (sigaction(SIGINT, NULL, &sa) != 0 || sa.sa_handler != SIG_IGN)
		return 2;
	raise(SIGINT);
	return intr_caught() ? 3 : 0;
}

int
main(void)
{
	struct sigaction sa;
	char c;
	pid_t pid, child;
	int st;

	/* a SIGINT that is never passed on would leave waitpid below
	 * waiting: the alarm's default action ends the test instead */
	alarm(20);
	{
		sigset_t set; /* (an inherited mask could block it) */

		sigemptyset(&set);
		sigaddset(&set, SIGINT);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
	}
	fflush(stdout);
	if ((pid = fork()) == 0)
		_exit(ignored_case());
	ok(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0,
	    "SIGINT ignored at start stays ignored: no handler, no pipe");

	/* (started as a background job, this process may have SIGINT
	 * ignored itself) */
	signal(SIGINT, SIG_DFL);
	/* a child that waits for SIGINT, forked before the handler is
	 * installed so that it has the default action (which ends it) */
	fflush(stdout);
	if ((child = fork()) == 0) {
		pause();
		_exit(0);
	}
	ok(intr_fd() == -1, "before intr_catch: no self-pipe");
	intr_catch();
	ok(intr_fd() >= 0, "intr_catch makes the self-pipe");
	{
		int fd = intr_fd();

		intr_catch();
		ok(intr_fd() == fd, "intr_catch twice: the same pipe (idempotent)");
	}
	ok(!readable(intr_fd()), "the pipe is not readable before SIGINT");
	ok(!intr_caught(), "intr_caught is 0 before SIGINT");

	intr_child(child);
	raise(SIGINT);
	ok(intr_caught(), "intr_caught is 1 after SIGINT");
	ok(readable(intr_fd()),
	    "after SIGINT the pipe's read end is readable (a poll beside the "
	    "input wakes)");
	ok(read(intr_fd(), &c, 1) == 1 && c == '\0',
	    "it holds the handler's byte");
	ok(child > 0 && waitpid(child, &st, 0) == child && WIFSIGNALED(st) &&
	    WTERMSIG(st) == SIGINT, "the named child got SIGINT too");
	ok(sigaction(SIGINT, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL,
	    "the handler is reset (SA_RESETHAND): a second SIGINT kills");
	return tap_end();
}
