#include "out.h"
#include "err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#define OUT_HIGH_WATER (64 * 1024)

struct buf out_buf = { NULL, 0, 0, (size_t)1 << 31 };

int
write_all(int fd, const void *p, size_t n)
{
	const char *s = p;
	ssize_t w;

	while (n > 0) {
		w = write(fd, s, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

static void
write_failed(void)
{
	if (errno == EPIPE) {
		/* The reader went away: end as cat does, quietly, by SIGPIPE
		 * (libcurl ignores the signal during transfers, so restore it). */
		signal(SIGPIPE, SIG_DFL);
		raise(SIGPIPE);
		_exit(128 + SIGPIPE);
	}
	die(LP_EXIT_FAIL, "write error: %s", strerror(errno));
}

static void
append(const void *p, size_t n)
{
	if (buf_append(&out_buf, p, n) == -1) {
		out_flush();
		if (buf_append(&out_buf, p, n) == -1)
			die(LP_EXIT_FAIL, "write error: record too large");
	}
}

void
out_write_slow(const void *p, size_t n)
{
	append(p, n);
}

void
out_puts(const char *s)
{
	append(s, strlen(s));
}

void
out_maybe_flush(void)
{
	if (out_buf.len >= OUT_HIGH_WATER)
		out_flush();
}

void
out_flush(void)
{
	if (out_buf.len == 0)
		return;
	if (write_all(STDOUT_FILENO, out_buf.p, out_buf.len) == -1)
		write_failed();
	buf_reset(&out_buf);
}

void
out_write_now(const void *p, size_t n)
{
	out_flush();
	if (write_all(STDOUT_FILENO, p, n) == -1)
		write_failed();
}

void
out_close(void)
{
	out_flush();
	if (close(STDOUT_FILENO) == -1 && errno != EBADF)
		write_failed();
}

void
print_version(void)
{
	char line[256];
	int n;

	n = snprintf(line, sizeof line, "%s (llmpipe) %s\n", progname,
	    LLMPIPE_VERSION);
	out_write(line, (size_t)n);
	out_close();
	exit(LP_EXIT_OK);
}

void
print_help(const char *usage_text)
{
	out_puts(usage_text);
	out_close();
	exit(LP_EXIT_OK);
}
