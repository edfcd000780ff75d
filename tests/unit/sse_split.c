/* sse_split - unit test of lib/sse: every file given is parsed whole, split
 * in two at every offset (or at 2000 pseudo-random offsets for large
 * files), and one byte at a time; all must give identical events. TAP. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mem.h"
#include "sse.h"

static int
record(void *ctx, const struct sse_event *ev)
{
	struct buf *b = ctx;

	buf_printf(b, "E[%zu:", ev->type_len);
	buf_append(b, ev->type, ev->type_len);
	buf_printf(b, "][%zu:", ev->data_len);
	buf_append(b, ev->data, ev->data_len);
	buf_printf(b, "][%zu:", ev->id_len);
	buf_append(b, ev->id, ev->id_len);
	buf_printf(b, "][%lld][%ld]\n", ev->retry, ev->line);
	return 0;
}

static int
record_comment(void *ctx, const char *s, size_t n)
{
	struct buf *b = ctx;

	buf_printf(b, "C[%zu:", n);
	buf_append(b, s, n);
	buf_puts(b, "]\n");
	return 0;
}

/* parse s as the given pieces: cuts[] are increasing offsets */
static void
parse(const char *s, size_t n, const size_t *cuts, size_t ncuts, int bytewise,
    struct buf *out)
{
	struct sse_parser p;
	size_t i, at = 0, to;
	int pending;

	buf_reset(out);
	sse_init(&p, 0, record, record_comment, out);
	if (bytewise) {
		for (i = 0; i < n; i++)
			sse_push(&p, s + i, 1);
	} else {
		for (i = 0; i <= ncuts; i++) {
			to = i < ncuts ? cuts[i] : n;
			sse_push(&p, s + at, to - at);
			at = to;
		}
	}
	sse_finish(&p, 0, &pending);
	buf_printf(out, "pending=%d\n", pending);
	sse_free(&p);
}

static char *
slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char tmp[65536];
	size_t r;

	if (f == NULL)
		return NULL;
	buf_init(&b, 0);
	while ((r = fread(tmp, 1, sizeof tmp, f)) > 0)
		buf_append(&b, tmp, r);
	fclose(f);
	*n = b.len;
	if (b.p == NULL)
		return xstrdup("");
	return b.p;
}

int
main(int argc, char **argv)
{
	struct buf want, got;
	size_t n, i, cut[2];
	unsigned long seed = 12345;
	int t = 0, failed = 0, a, bad;
	char *s;

	mem_init();
	buf_init(&want, 0);
	buf_init(&got, 0);
	for (a = 1; a < argc; a++) {
		s = slurp(argv[a], &n);
		if (s == NULL) {
			printf("not ok %d - read %s\n", ++t, argv[a]);
			failed++;
			continue;
		}
		parse(s, n, NULL, 0, 0, &want);
		bad = 0;
		if (n <= 20000) {
			for (i = 0; i <= n && !bad; i++) {
				cut[0] = i;
				parse(s, n, cut, 1, 0, &got);
				if (got.len != want.len || memcmp(got.p, want.p, got.len)) {
					printf("# split at %zu differs\n", i);
					bad = 1;
				}
			}
		} else {
			for (i = 0; i < 2000 && !bad; i++) {
				seed = seed * 1103515245 + 12345;
				cut[0] = (seed >> 8) % (n + 1);
				seed = seed * 1103515245 + 12345;
				cut[1] = cut[0] + (seed >> 8) % (n + 1 - cut[0]);
				parse(s, n, cut, 2, 0, &got);
				if (got.len != want.len || memcmp(got.p, want.p, got.len)) {
					printf("# split at %zu,%zu differs\n", cut[0], cut[1]);
					bad = 1;
				}
			}
		}
		printf("%s %d - %s: every split point gives the same events\n",
		    bad ? "not ok" : "ok", ++t, argv[a]);
		failed += bad;
		parse(s, n, NULL, 0, 1, &got);
		bad = got.len != want.len || memcmp(got.p, want.p, got.len);
		printf("%s %d - %s: one byte at a time gives the same events\n",
		    bad ? "not ok" : "ok", ++t, argv[a]);
		failed += bad;
		free(s);
	}
	printf("1..%d\n", t);
	buf_free(&want);
	buf_free(&got);
	return failed != 0;
}
