/* fuzz_sse - libFuzzer target for lib/sse: any input, parsed whole and in
 * pieces cut where the input's own bytes say, must give the same events;
 * nothing may crash or leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "sse.h"

static int
rec(void *ctx, const struct sse_event *ev)
{
	struct buf *b = ctx;

	buf_printf(b, "%zu:", ev->data_len);
	buf_append(b, ev->data, ev->data_len);
	buf_printf(b, "|%zu:", ev->type_len);
	buf_append(b, ev->type, ev->type_len);
	buf_printf(b, "|%zu:", ev->id_len);
	buf_append(b, ev->id, ev->id_len);
	buf_printf(b, "|%lld\n", ev->retry);
	return 0;
}

static void
parse(const uint8_t *d, size_t n, size_t step, struct buf *out)
{
	struct sse_parser p;
	size_t i, k;
	int pending;

	sse_init(&p, 1 << 16, rec, NULL, out);
	for (i = 0; i < n; i += k) {
		k = step ? step : n;
		if (k > n - i)
			k = n - i;
		if (sse_push(&p, (const char *)d + i, k) != 0)
			break;
	}
	sse_finish(&p, 0, &pending);
	sse_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct buf a, b;
	size_t step = n ? (size_t)d[0] % 7 + 1 : 1;

	buf_init(&a, 0);
	buf_init(&b, 0);
	parse(d, n, 0, &a);
	parse(d, n, step, &b);
	/* a line over the cap stops both at different points: compare only
	 * inputs under it */
	if (n < (1 << 16) && (a.len != b.len ||
	    (a.len && memcmp(a.p, b.p, a.len) != 0)))
		abort();
	buf_free(&a);
	buf_free(&b);
	return 0;
}
