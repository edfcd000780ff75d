/* splitfeed - feed FILE to a command in two writes, split at every byte
 * offset in turn (or every STEP-th), and check that the command's stdout
 * is the same each time as for the whole file written at once.
 * usage: splitfeed STEP FILE CMD [ARGS...]; exit 0 when all agree, 1 and
 * the first differing offset otherwise. The pause between the writes
 * lets the reader see the first piece alone. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char *
slurp_fd(int fd, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *p = malloc(cap);
	ssize_t r;

	while ((r = read(fd, p + n, cap - n)) > 0) {
		n += (size_t)r;
		if (n == cap)
			p = realloc(p, cap *= 2);
	}
	*len = n;
	return p;
}

static void
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0 && (w = write(fd, p, n)) > 0) {
		p += w;
		n -= (size_t)w;
	}
}

/* run feeds data split at off (off == n: whole) and returns stdout. */
static char *
run(char **cmd, const char *data, size_t n, size_t off, size_t *olen)
{
	int in[2], out[2], st;
	pid_t pid;
	char *o;

	if (pipe(in) || pipe(out))
		exit(2);
	if ((pid = fork()) == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]); close(in[1]); close(out[0]); close(out[1]);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	write_all(in[1], data, off);
	if (off < n) {
		usleep(300);
		write_all(in[1], data + off, n - off);
	}
	close(in[1]);
	o = slurp_fd(out[0], olen);
	close(out[0]);
	waitpid(pid, &st, 0);
	return o;
}

int
main(int argc, char **argv)
{
	size_t n, wlen, glen, off, step;
	char *data, *want, *got;
	FILE *f;

	if (argc < 4)
		return 2;
	step = (size_t)atol(argv[1]);
	if ((f = fopen(argv[2], "rb")) == NULL)
		return 2;
	data = slurp_fd(fileno(f), &n);
	fclose(f);
	want = run(argv + 3, data, n, n, &wlen);
	for (off = 1; off < n; off += step ? step : 1) {
		got = run(argv + 3, data, n, off, &glen);
		if (glen != wlen || memcmp(got, want, wlen) != 0) {
			printf("differs when split at byte %zu\n", off);
			return 1;
		}
		free(got);
	}
	return 0;
}
