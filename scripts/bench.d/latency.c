/* latency N INTERVAL_US CMD - added latency of a live pipeline.
 * Runs `sh -c CMD` with its stdin and stdout on pipes. A writer thread
 * writes N OpenAI chat chunks, one every INTERVAL_US, each carrying its
 * send time (CLOCK_MONOTONIC ns) in the content as "@@<ns>"; the main
 * thread timestamps each "@@<ns>" as it comes out of CMD (in whatever
 * form: raw SSE, NDJSON, text) and prints
 * "events p50_us p99_us max_us" for the arrivals. Built by scripts/bench. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long n_events, interval_us;
static int wfd;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void write_all(const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(wfd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			perror("latency: write");
			exit(1);
		}
		p += w;
		n -= (size_t)w;
	}
}

static void *writer(void *arg)
{
	char ev[512];
	struct timespec next;
	(void)arg;
	const char *first = "data: {\"id\":\"chatcmpl-lat\",\"object\":\"chat.completion.chunk\",\"created\":1,"
	    "\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
	    "\"finish_reason\":null}]}\n\n";
	write_all(first, strlen(first));
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (long i = 0; i < n_events; i++) {
		next.tv_nsec += interval_us * 1000;
		while (next.tv_nsec >= 1000000000) {
			next.tv_nsec -= 1000000000;
			next.tv_sec++;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
		int len = snprintf(ev, sizeof ev,
		    "data: {\"id\":\"chatcmpl-lat\",\"object\":\"chat.completion.chunk\",\"created\":1,"
		    "\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"@@%llu\\n\"},"
		    "\"finish_reason\":null}]}\n\n",
		    (unsigned long long)now_ns());
		write_all(ev, (size_t)len);
	}
	const char *last = "data: {\"id\":\"chatcmpl-lat\",\"object\":\"chat.completion.chunk\",\"created\":1,"
	    "\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
	    "data: [DONE]\n\n";
	write_all(last, strlen(last));
	close(wfd);
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: latency N INTERVAL_US CMD\n");
		return 2;
	}
	n_events = atol(argv[1]);
	interval_us = atol(argv[2]);
	signal(SIGPIPE, SIG_IGN);
	int in[2], out[2];
	if (pipe(in) || pipe(out)) {
		perror("latency: pipe");
		return 1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("latency: fork");
		return 1;
	}
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]); close(in[1]); close(out[0]); close(out[1]);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", argv[3], (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	wfd = in[1];
	pthread_t th;
	pthread_create(&th, NULL, writer, NULL);

	uint64_t *lat = calloc((size_t)n_events + 1, sizeof *lat);
	long got = 0;
	char buf[1 << 16];
	size_t have = 0;
	for (;;) {
		ssize_t r = read(out[0], buf + have, sizeof buf - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		uint64_t t = now_ns();
		size_t n = have + (size_t)r, i = 0, keep = n;
		while (i < n) {
			char *m = memchr(buf + i, '@', n - i);
			if (!m) {
				i = n;
				break;
			}
			size_t p = (size_t)(m - buf);
			if (p + 1 == n) { /* a lone '@' at the end: keep it */
				keep = p;
				break;
			}
			if (buf[p + 1] != '@') {
				i = p + 1;
				continue;
			}
			size_t j = p + 2;
			uint64_t v = 0;
			while (j < n && buf[j] >= '0' && buf[j] <= '9')
				v = v * 10 + (uint64_t)(buf[j++] - '0');
			if (j == n) { /* digits may go on in the next read */
				keep = p;
				break;
			}
			if (j > p + 2 && got < n_events)
				lat[got++] = t - v;
			i = j;
		}
		have = n - keep;
		memmove(buf, buf + keep, have);
		if (have == sizeof buf)
			have = 0;
	}
	pthread_join(th, NULL);
	int st;
	waitpid(pid, &st, 0);
	if (got == 0) {
		fprintf(stderr, "latency: no events came out of: %s\n", argv[3]);
		return 1;
	}
	qsort(lat, (size_t)got, sizeof *lat, cmp_u64);
	printf("%ld %.1f %.1f %.1f\n", got, lat[(got - 1) / 2] / 1e3,
	    lat[(long)((got - 1) * 0.99)] / 1e3, lat[got - 1] / 1e3);
	return got == n_events ? 0 : 1;
}
