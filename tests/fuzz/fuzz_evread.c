/* fuzz_evread - libFuzzer target for the input-format detector and event
 * reader: the input is written to a pipe and read back as a tool would,
 * in SSE or NDJSON form; nothing may crash, hang or leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evread.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static int
on_ev(void *ctx, struct ev *ev)
{
	jv v = ev_json(ev);

	(void)ctx;
	(void)v; /* borrowed */
	return ev_is_done(ev);
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct evr_opts o;
	struct evr_result res;
	int fds[2];

	if (n > 60000 || pipe(fds) != 0) /* fits the pipe buffer */
		return 0;
	if (write(fds[1], d, n) != (ssize_t)n)
		abort();
	close(fds[1]);
	memset(&o, 0, sizeof o);
	o.max_event = 1 << 14;
	evr_read(fds[0], &o, on_ev, &res);
	close(fds[0]);
	return 0;
}
